"""The forgery suite: reports edited by the party they describe, re-signed with its own key.

Each forgery is rejected with a reason that names the change: as ``invalid``
when the report does not follow from its own evidence or its envelope is not
what riskagent writes, as ``policy_failed`` when it is genuine but not what
the insurer accepts. What a report does not write (a finding's title, severity
and MLPS units, the plan's tasks) cannot be forged at all: a report that
writes it is malformed.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import json
from typing import Any, Callable, Dict, List

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from checks.model import Status
from collectors.profile import Profile
from report.canonical import canonical_bytes
from report.model import Report
from report.policy import Policy
from report.signing import PREDICATE_TYPE, STATEMENT_TYPE, report_digest, sign_payload, sign_report
from report.verification import Outcome, Verification, verify_bytes
from tests.hosts import complete_report, edited, trusted_for

DEFAULT_POLICY = Policy()
NOW = dt.datetime(2026, 1, 2, tzinfo=dt.timezone.utc)
JSON = Dict[str, Any]


def verify(report: Report, key: Ed25519PrivateKey, policy: Policy = DEFAULT_POLICY, now: dt.datetime = NOW) -> Verification:
    return verify_bytes(sign_report(report, key), trusted_for(key), policy, now=now)


def forged(report: Report, edit: Callable[[JSON], None]) -> Report:
    return edited(report, edit)


def signed_json(report: Report, edit: Callable[[JSON], None], key: Ed25519PrivateKey) -> bytes:
    """``report`` edited at the JSON level and signed as it is, for edits no typed report can hold."""
    import copy

    from collectors.digest import sha256_hex

    data = copy.deepcopy(report.as_json)
    edit(data)
    statement = {
        "_type": STATEMENT_TYPE,
        "subject": [{"name": f"{data['target']['kind']}:{data['target']['name']}", "digest": {"sha256": sha256_hex(canonical_bytes(data))}}],
        "predicateType": PREDICATE_TYPE,
        "predicate": data,
    }
    return sign_payload(canonical_bytes(statement), key)


def verify_json(report: Report, edit: Callable[[JSON], None], key: Ed25519PrivateKey) -> Verification:
    return verify_bytes(signed_json(report, edit, key), trusted_for(key), DEFAULT_POLICY, now=NOW)


def invalid_because(v: Verification, *fragments: str) -> None:
    assert v.outcome is Outcome.INVALID, v.outcome
    text = "\n".join(v.problems)
    for fragment in fragments:
        assert fragment in text, text


def test_the_genuine_report_is_valid(genuine: Report, key: Ed25519PrivateKey) -> None:
    v = verify(genuine, key)
    assert v.outcome is Outcome.VALID, v.problems
    assert v.exit_code == 0


def _failed(data: JSON) -> List[JSON]:
    return [f for f in data["findings"] if f["status"] == "fail"]


# ------------------------------------------------------------------------------------------ findings


def test_deleted_failing_findings(genuine: Report, key: Ed25519PrivateKey) -> None:
    gone = _failed(genuine.as_json)[0]["check_id"]
    v = verify(forged(genuine, lambda d: d.update(findings=[f for f in d["findings"] if f["status"] != "fail"])), key)
    invalid_because(v, f"finding {gone}: missing from the report (the evidence gives fail)")


def test_a_failing_check_renamed_to_an_id_the_catalogue_lacks(genuine: Report, key: Ed25519PrivateKey) -> None:
    def rename(d: JSON) -> None:
        f = next(f for f in d["findings"] if f["check_id"] == "LNX-SSH-019")
        f.update(check_id="LNX-SSH-919", status="pass")

    index = next(i for i, f in enumerate(genuine.findings) if f.check_id == "LNX-SSH-019")
    v = verify_json(genuine, rename, key)
    invalid_because(v, f"malformed report: $.findings[{index}]: no check 'LNX-SSH-919' in this riskagent's catalogue")


@pytest.mark.parametrize(
    "field, value",
    [
        ("severity", "info"),
        ("high_risk_case", None),
        ("title", {"zh": "已启用多因素认证", "en": "MFA is enabled"}),
        ("remediation", {"zh": "无需处理", "en": "Nothing to do"}),
        ("mlps", []),
        ("coverage_lines", []),
    ],
)
def test_a_finding_cannot_carry_metadata_of_its_own(genuine: Report, key: Ed25519PrivateKey, field: str, value: Any) -> None:
    """Severity, title, remediation and MLPS units come from the catalogue: a report that writes them is malformed."""
    index = next(i for i, f in enumerate(genuine.findings) if f.status is Status.FAIL and f.high_risk_case)
    v = verify_json(genuine, lambda d: d["findings"][index].update({field: value}), key)
    invalid_because(v, f"malformed report: $.findings[{index}].{field}: is not written in a Finding: it follows from the other fields")
    assert genuine.findings[index].severity.value != "info"  # what a reader sees is the catalogue's, whatever was signed


def test_a_flipped_status_with_unchanged_evidence(genuine: Report, key: Ed25519PrivateKey) -> None:
    cid = _failed(genuine.as_json)[0]["check_id"]

    def flip(d: JSON) -> None:
        next(f for f in d["findings"] if f["check_id"] == cid)["status"] = "pass"

    invalid_because(verify(forged(genuine, flip), key), f"finding {cid}: reported pass, but the evidence gives fail")


@pytest.mark.parametrize(
    "section, edit, where",
    [
        ("score", lambda d: d["underwriting"]["insurer"].update(score=100, grade="A"), "underwriting: $.underwriting.insurer.grade"),
        ("hard-fail list", lambda d: d["underwriting"]["hard_fail"].update(binding_blocked=False), "underwriting: $.underwriting.hard_fail.binding_blocked"),
        ("summary", lambda d: d["summary"]["by_status"].update(fail=0), "summary: $.summary.by_status.fail is 0 in the report"),
        ("MLPS view", lambda d: d["underwriting"]["mlps"]["units"][0].update(result="compliant"), "underwriting: $.underwriting.mlps.units[0]"),
    ],
)
def test_edited_derived_sections(genuine: Report, key: Ed25519PrivateKey, section: str, edit: Callable[[JSON], None], where: str) -> None:
    invalid_because(verify(forged(genuine, edit), key), where)


def test_a_plan_of_its_own_cannot_be_carried(genuine: Report, key: Ed25519PrivateKey) -> None:
    """The plan is rebuilt from the findings and the plan settings: a report that writes tasks is malformed."""
    assert genuine.plan is not None and genuine.plan.tasks
    v = verify_json(genuine, lambda d: d.update(plan={"tasks": []}), key)
    invalid_because(v, "malformed report: $.plan: is not written in a Report")
    lax = verify_json(genuine, lambda d: d["plan_settings"]["sla_days"].update(critical=-1), key)
    invalid_because(lax, "malformed report: $: the plan cannot be rebuilt from plan_settings and the run")


def test_an_answer_citing_evidence_the_report_does_not_hold(genuine: Report, key: Ed25519PrivateKey) -> None:
    assert genuine.questionnaire is not None
    index = next(i for i, a in enumerate(genuine.questionnaire.answers) if a.cited_evidence)

    def elsewhere(d: JSON) -> None:
        d["questionnaire"]["answers"][index]["cited_evidence"][0]["target"] = "bank-core-01"

    invalid_because(verify(forged(genuine, elsewhere), key), f"questionnaire: $.questionnaire.answers[{index}].cited_evidence[0].target")


def test_an_edited_derived_answer(genuine: Report, key: Ed25519PrivateKey) -> None:
    assert genuine.questionnaire is not None
    derived = next(a for a in genuine.questionnaire.answers if a.basis.value == "derived" and a.value == "no")
    index = genuine.questionnaire.answers.index(derived)

    def answer_yes(d: JSON) -> None:
        d["questionnaire"]["answers"][index]["value"] = "yes"

    invalid_because(verify(forged(genuine, answer_yes), key), f"questionnaire: $.questionnaire.answers[{index}].value")


def test_an_attested_answer_that_is_not_a_valid_answer(genuine: Report, key: Ed25519PrivateKey) -> None:
    assert genuine.questionnaire is not None
    index = next(i for i, a in enumerate(genuine.questionnaire.answers) if a.basis.value == "unknown")
    qid = genuine.questionnaire.answers[index].question

    def attest(d: JSON) -> None:
        d["questionnaire"]["answers"][index].update(
            basis="attested", value="maybe-ish", reason="attested", attestation={"question": qid, "value": "maybe-ish", "by": "x", "at": "2026-01-01", "note": None}
        )

    invalid_because(verify(forged(genuine, attest), key), f"the attested answer to {qid} is not a valid answer")


# ------------------------------------------------------------------------------------------ provenance


def test_a_replay_is_declared_and_refused_under_require_live(key: Ed25519PrivateKey) -> None:
    replay = complete_report("debian-hardened", target_name="bank-core-01", mode="replay")
    plain = verify(replay, key)
    assert plain.outcome is Outcome.VALID and plain.report is not None and plain.report.run.mode == "replay"
    v = verify(replay, key, Policy(require_live=True))
    assert v.outcome is Outcome.POLICY_FAILED and v.exit_code == 4
    assert "policy: mode: mode replay: not a live assessment of the host" == v.reason


def test_a_live_report_made_before_the_challenge_is_refused(genuine: Report, key: Ed25519PrivateKey) -> None:
    """Mode is a declaration; the challenge is what proves the run happened after the insurer asked."""
    v = verify(genuine, key, Policy(require_live=True, challenge="insurer-nonce-1234"))
    assert v.outcome is Outcome.POLICY_FAILED and "challenge" in v.reason


def test_weakening_overrides_fail_the_default_policy(key: Ed25519PrivateKey) -> None:
    tuned = complete_report(
        "debian-weak",
        params={"LNX-PKG-001": {"max_pending": 100000}, "LNX-SSH-001": {"permit_root_login_allowed": ["no", "yes"]}},
    )
    overrides = {(o.check_id, o.param): o for o in tuned.provenance.overrides}
    assert overrides["LNX-PKG-001", "max_pending"].effect == "weakens" and overrides["LNX-PKG-001", "max_pending"].default == 0
    v = verify(tuned, key)
    assert v.outcome is Outcome.POLICY_FAILED
    failed = [r.detail for r in v.policy if not r.ok]
    assert any("LNX-PKG-001 max_pending = 100000 weakens the check (default 0)" in d for d in failed)
    assert any("LNX-SSH-001 permit_root_login_allowed" in d for d in failed)
    allowed = verify(tuned, key, Policy(allow_overrides=("LNX-PKG-001.max_pending", "LNX-SSH-001.*")))
    assert allowed.outcome is Outcome.VALID, allowed.reason


def test_an_override_hidden_from_the_provenance(key: Ed25519PrivateKey) -> None:
    tuned = complete_report("debian-weak", params={"LNX-PKG-001": {"max_pending": 100000}})
    invalid_because(verify(forged(tuned, lambda d: d["provenance"].update(overrides=[])), key), "finding LNX-PKG-001: judged with parameters")


def test_an_override_declared_as_tightening(key: Ed25519PrivateKey) -> None:
    tuned = complete_report("debian-weak", params={"LNX-PKG-001": {"max_pending": 100000}})

    def relabel(d: JSON) -> None:
        d["provenance"]["overrides"][0]["effect"] = "tightens"

    invalid_because(verify(forged(tuned, relabel), key), "provenance: $.provenance.overrides[0].effect")


def _questionnaire_copy(d: JSON) -> None:
    """Same id and version as the built-in one, but "MFA on every remote login" derived from an unrelated check.

    Embedded with its own sha256, as it must be (the built-in one is only referenced), while the
    provenance still claims the built-in questionnaire.
    """
    import copy

    from questionnaires.model import builtin_definition, definition_sha256

    definition = copy.deepcopy(dict(builtin_definition()))
    for section in definition["sections"]:
        for q in section["questions"]:
            if q["id"] == "ID-02":
                q["rule"] = {"checks": ["LNX-SVC-003"], "yes_if": "all_pass"}
    d["questionnaire"].update(embedded=definition, sha256=definition_sha256(definition))


def test_the_builtin_questionnaire_is_referenced_not_embedded(genuine: Report, key: Ed25519PrivateKey) -> None:
    from questionnaires.model import builtin_definition

    assert genuine.questionnaire is not None and genuine.questionnaire.builtin
    assert "embedded" not in genuine.as_json["questionnaire"]
    v = verify_json(genuine, lambda d: d["questionnaire"].update(embedded=dict(builtin_definition())), key)
    invalid_because(v, "malformed report: $.questionnaire: invalid AnsweredQuestionnaire: the built-in questionnaire is referenced")
    unknown = verify_json(genuine, lambda d: d["questionnaire"].update(sha256="ab" * 32), key)
    invalid_because(unknown, "which is not built into this riskagent, and does not embed its definition")


def test_a_doctored_copy_of_the_builtin_questionnaire_cannot_claim_to_be_it(genuine: Report, key: Ed25519PrivateKey) -> None:
    invalid_because(verify(forged(genuine, _questionnaire_copy), key), "provenance: $.provenance.questionnaire.builtin is true in the report, but false when recomputed")


def test_a_doctored_questionnaire_declared_honestly_fails_the_default_policy(genuine: Report, key: Ed25519PrivateKey) -> None:
    from report.rederive import rederive

    honest = rederive(forged(genuine, _questionnaire_copy))  # what a scan with that questionnaire file writes
    assert honest.provenance.questionnaire is not None and not honest.provenance.questionnaire.builtin
    v = verify(honest, key)
    assert v.outcome is Outcome.POLICY_FAILED and "is not the built-in questionnaire" in v.reason
    pinned = verify(honest, key, Policy(questionnaire_sha256=(honest.provenance.questionnaire.sha256,)))
    assert pinned.outcome is Outcome.VALID


def test_a_report_dated_2019_fails_max_age(key: Ed25519PrivateKey) -> None:
    old = complete_report("debian-weak", started_at="2019-01-01T00:00:00Z")
    assert verify(old, key).outcome is Outcome.VALID
    v = verify(old, key, Policy(max_age_s=30 * 86400))
    assert v.outcome is Outcome.POLICY_FAILED and v.reason.startswith("policy: max_age: made 2558.0 days ago")


def test_a_report_from_the_future_fails_any_policy(key: Ed25519PrivateKey) -> None:
    future = complete_report("debian-weak", started_at="2027-01-01T00:00:00Z")
    v = verify(future, key)
    assert v.outcome is Outcome.POLICY_FAILED and "in the future" in v.reason


def test_the_challenge_must_be_the_insurers(key: Ed25519PrivateKey) -> None:
    answered = complete_report("debian-weak", challenge="nonce-from-insurer-0001")
    assert verify(answered, key, Policy(challenge="nonce-from-insurer-0001")).outcome is Outcome.VALID
    wrong = verify(answered, key, Policy(challenge="another-nonce-0002"))
    assert wrong.outcome is Outcome.POLICY_FAILED and wrong.reason == "policy: challenge: carries a different challenge"
    spliced = forged(answered, lambda d: d["provenance"].update(challenge="another-nonce-0002"))
    assert verify(spliced, key, Policy(challenge="another-nonce-0002")).outcome is Outcome.VALID  # the signer may choose it...
    # ...which is why the nonce is fresh: a report signed before the insurer issued it cannot carry it.


def test_the_subject_policy_binds_the_asset(genuine: Report, key: Ed25519PrivateKey) -> None:
    assert verify(genuine, key, Policy(subjects=("host:vm",))).outcome is Outcome.VALID
    v = verify(genuine, key, Policy(subjects=("host:bank-core-*",)))
    assert v.outcome is Outcome.POLICY_FAILED and "host:vm does not match host:bank-core-*" in v.reason


# ------------------------------------------------------------------------------------------ envelope


def test_an_intoto_subject_naming_another_host(genuine: Report, key: Ed25519PrivateKey) -> None:
    statement = {
        "_type": STATEMENT_TYPE,
        "subject": [{"name": "host:bank-core-01", "digest": {"sha256": report_digest(genuine)}}],
        "predicateType": PREDICATE_TYPE,
        "predicate": genuine.as_json,
    }
    v = verify_bytes(sign_payload(canonical_bytes(statement), key), trusted_for(key), now=NOW)
    invalid_because(v, "the in-toto subject names 'host:bank-core-01', but the report is about 'host:vm'")


def test_an_extra_bogus_signature(genuine: Report, key: Ed25519PrivateKey) -> None:
    env = json.loads(sign_report(genuine, key))
    env["signatures"].append({"keyid": "ab" * 32, "sig": base64.b64encode(b"\0" * 64).decode()})
    v = verify_bytes(canonical_bytes(env) + b"\n", trusted_for(key), now=NOW)
    invalid_because(v, "signature 1 is by key abababababababab, which is not trusted")
    assert [s.counted for s in v.signatures] == [True, False]


def test_a_bogus_signature_claiming_a_trusted_key(genuine: Report, key: Ed25519PrivateKey) -> None:
    assessor = Ed25519PrivateKey.generate()
    env = json.loads(sign_report(genuine, key))
    from report.signing import key_id

    env["signatures"].append({"keyid": key_id(assessor.public_key()), "sig": base64.b64encode(b"\1" * 64).decode()})
    v = verify_bytes(canonical_bytes(env) + b"\n", trusted_for(key, assessor), now=NOW)
    invalid_because(v, "signature 1 claims", "but does not verify")


def test_a_signature_duplicated_twenty_thousand_times(genuine: Report, key: Ed25519PrivateKey) -> None:
    env = json.loads(sign_report(genuine, key))
    env["signatures"] = env["signatures"] * 20_000
    v = verify_bytes(canonical_bytes(env) + b"\n", trusted_for(key), now=NOW)
    invalid_because(v, "at most 16")


def test_a_report_from_another_catalogue_is_refused_not_half_checked(genuine: Report, key: Ed25519PrivateKey) -> None:
    """Its findings would be read with this build's titles and severities: it is not read at all."""
    v = verify_json(genuine, lambda d: d["provenance"]["catalogue"].update(version="0.9.0", digest="0" * 64), key)
    assert v.outcome is Outcome.UNSUPPORTED and v.exit_code == 5 and v.report is None
    assert "judged by catalogue 0.9.0" in v.reason and "verify it with riskagent" in v.reason


def test_a_report_of_the_previous_schema_is_refused_naming_it(genuine: Report, key: Ed25519PrivateKey) -> None:
    v = verify_json(genuine, lambda d: d.update(schema_version="1.1"), key)
    assert v.outcome is Outcome.UNSUPPORTED and v.exit_code == 5
    assert "the report uses schema '1.1'; this riskagent reads schema 1.2" in v.reason


def test_the_verification_result_is_complete_json(genuine: Report, key: Ed25519PrivateKey) -> None:
    data = verify(genuine, key, Policy(max_age_s=86400 * 7)).to_json()
    json.dumps(data)
    assert data["result"] == "valid" and data["signatures"][0]["status"] == "verified"
    assert data["report"]["mode"] == "live" and data["report"]["catalogue"]["version"]
    assert data["policy"] == [
        {"rule": "max_age", "ok": True, "detail": "made 1.0 days ago (at most 7.0 days allowed)", "detail_zh": "生成于 1.0 天前（最多允许 7.0 天）"},
        {"rule": "questionnaire", "ok": True, "detail": "riskagent-default@1.2.0 is the built-in questionnaire", "detail_zh": "riskagent-default@1.2.0 是内置问卷"},
    ]
    assert data["problems"] == data["problems_zh"] == []


def test_an_edited_run_record_is_declared_not_derived(genuine: Report, key: Ed25519PrivateKey) -> None:
    """Run times, user and scope are the signer's declarations: the recheck cannot contradict them, the output shows them."""
    renamed = dataclasses.replace(genuine, run=dataclasses.replace(genuine.run, user="auditor"))
    v = verify(renamed, key)
    assert v.outcome is Outcome.VALID and v.report is not None and v.report.run.user == "auditor"


# ------------------------------------------------------------------------------------------ declarations


def test_evidence_recorded_twice(genuine: Report, key: Ed25519PrivateKey) -> None:
    def twice(d: JSON) -> None:
        os_ev = next(e for e in d["evidence"] if e["collector"] == "host.os")
        d["evidence"].insert(0, {**os_ev, "facts": {**os_ev["facts"], "pretty_name": "Debian GNU/Linux 12 (bookworm)"}})

    invalid_because(verify(forged(genuine, twice), key), "evidence host.os: recorded twice for vm")


def test_a_report_judged_under_a_weaker_profile_than_its_evidence(key: Ed25519PrivateKey) -> None:
    gateway = complete_report("ics-gateway", profile=Profile.ICS_GATEWAY)
    lenient = forged(gateway, lambda d: d.update(profile="server"))
    invalid_because(verify(lenient, key), "a server-profile scan does not collect it")


def test_host_evidence_about_another_host(genuine: Report, key: Ed25519PrivateKey) -> None:
    renamed = forged(genuine, lambda d: d["target"].update(name="bank-core-01"))
    invalid_because(verify(renamed, key), "is about host 'vm', but the report is about 'bank-core-01'")


def test_network_evidence_outside_the_declared_scope(genuine: Report, key: Ed25519PrivateKey) -> None:
    def probe(d: JSON) -> None:
        d["evidence"].append(
            {"collector": "net.ports", "target": "10.9.9.9", "status": "ok", "facts": {}, "sources": [], "reason": None,
             "error_reason": None, "method": None, "collected_at": d["run"]["started_at"]}
        )

    invalid_because(verify(forged(genuine, probe), key), "evidence net.ports: is about '10.9.9.9', which is not in the declared scope")


@pytest.mark.parametrize(
    "edit, fragment",
    [
        (lambda d: d["run"].update(finished_at="2025-12-31T00:00:00Z"), "before it started"),
        (lambda d: d["run"].update(started_at="2026-01-01T00:00:00+14:00Z"), "is not a UTC time written as YYYY-MM-DDTHH:MM:SSZ"),
        (lambda d: d["run"].update(duration_ms=-5), "duration -5 ms does not match"),
        (lambda d: d["run"].update(uid=1000, user="nobody"), "privileged is true for uid 1000"),
        (lambda d: d.update(redactions=-7), "redactions: -7 is not a count"),
        (lambda d: d["evidence"][0].update(collected_at="2025-02-01T00:00:00Z"), "outside the run"),
    ],
)
def test_run_records_no_scan_writes(genuine: Report, key: Ed25519PrivateKey, edit: Callable[[JSON], None], fragment: str) -> None:
    invalid_because(verify(forged(genuine, edit), key), fragment)


def test_an_override_value_no_scan_accepts(key: Ed25519PrivateKey) -> None:
    tuned = complete_report("debian-weak", params={"LNX-NET-001": {"high_risk_ports": [21, 23, {}]}})
    invalid_because(verify(tuned, key), "override LNX-NET-001.high_risk_ports: not a value a scan accepts")


def test_a_tightening_looking_override_that_turns_a_failure_into_an_error_weakens(key: Ed25519PrivateKey) -> None:
    modules = ["cramfs", "freevxfs", "hfs", "hfsplus", "jffs2", "udf", "no-such-module"]
    tuned = complete_report("debian-weak", params={"LNX-KRN-012": {"modules": modules}})
    [override] = tuned.provenance.overrides
    finding = next(f for f in tuned.findings if f.check_id == "LNX-KRN-012")
    if finding.status is Status.FAIL:
        pytest.fail("the fixture no longer shows the effect: pick a parameter value that makes the check error")
    assert override.effect == "weakens"
    assert verify(tuned, key).outcome is Outcome.POLICY_FAILED


def test_a_value_of_another_type_that_compares_equal(genuine: Report, key: Ed25519PrivateKey) -> None:
    index = next(i for i, f in enumerate(genuine.findings) if any(v == 1 and type(v) is int for v in f.observed.values()))
    name = next(k for k, v in genuine.findings[index].observed.items() if v == 1 and type(v) is int)
    invalid_because(verify(forged(genuine, lambda d: d["findings"][index]["observed"].update({name: True})), key), "differs in type")
