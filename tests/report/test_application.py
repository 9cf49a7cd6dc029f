"""Signed attestations and the application package: built from verified reports, verified again by the insurer.

The reports are whole reports of recorded hosts (each under its own name and machine id), signed with
test keys; keys are trusted through a real trust store. Building and verifying use the real
``organisation_answers`` and ``coverage_view``.
"""

from __future__ import annotations

import base64
import copy
import dataclasses
import json
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from agent.apply import InvalidApplicationInput, build_package, derive, sign_answers, verify_package
from collectors.digest import sha256_hex
from questionnaires.model import Basis
from report.application import (
    APPLICATION_PREDICATE,
    ATTESTATION_PREDICATE,
    TRUTHFULNESS,
    Attachment,
    Attester,
    DeriveError,
    Severity,
    SignedFile,
    attestation_payload,
    check_attestation,
    envelope_bytes_of,
    envelope_object,
    read_application,
    signed_file,
    verification_lines,
)
from report.envelope import parse_envelope
from report.model import Report
from report.signing import Signer, key_id, report_digest
from report.trust import TrustedKey, parse_trust_store
from report.verification import Outcome

USCC = "91330106MA2CWK7T29"  # the example applicant's (docs/examples/applicant.json), valid check character
OTHER_USCC = "91440300708461136T"
EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "applicant.json"


# ------------------------------------------------------------------------------------------ fixtures


def host_report(fixture: str, name: str, machine: str, *, started_at: str = "2026-11-01T00:00:00Z") -> Report:
    """A whole server report of a recorded host, as if recorded on a machine called ``name`` with app-specific id ``machine``."""
    from checks.catalogue import evaluate, host_collectors_for
    from collectors.profile import Profile
    from questionnaires.loader import load_questionnaire
    from report.assemble import complete
    from report.model import RunInfo, build_report
    from tests.hosts import host_evidence

    run = RunInfo(started_at, started_at[:-3] + "01Z", 1000, 0, "root", True, "replay")
    wanted = set(host_collectors_for(Profile.SERVER))
    evidence = []
    for e in host_evidence(fixture):
        if e.collector not in wanted:
            continue
        facts = {**e.facts, "machine_app_id": machine} if e.collector == "host.identity" else e.facts
        evidence.append(dataclasses.replace(e, target=name, facts=facts, collected_at=started_at))
    core = build_report(
        profile=Profile.SERVER,
        target_name=name,
        run=run,
        evidence=tuple(evidence),
        findings=evaluate(evidence, Profile.SERVER, None),
        previous_report=None,
        report_id=f"00000000-0000-4000-8000-{machine[-12:]}",
        challenge=None,
    )
    return complete(core, load_questionnaire(None), {}, {})


def _pem(key: Ed25519PrivateKey) -> str:
    return key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def trust_entry(key: Ed25519PrivateKey, name: str, organisation_id: Optional[str] = USCC, **over: Any) -> Dict[str, Any]:
    data: Dict[str, Any] = {
        "name": name,
        "role": "applicant",
        "organisation_id": organisation_id,
        "public_key": _pem(key),
        "keyid": key_id(key.public_key()),
        "targets": ["*"],
    }
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


def trust_store(*entries: Dict[str, Any]) -> Dict[str, TrustedKey]:
    return parse_trust_store(json.dumps({"riskagent_trust_store": 1, "signers": list(entries)}).encode(), "trust.json")


@dataclasses.dataclass
class Site:
    """An applicant's keys and reports, and the insurer's trust store."""

    applicant: Ed25519PrivateKey
    attester: Ed25519PrivateKey
    stranger: Ed25519PrivateKey
    trusted: Dict[str, TrustedKey]
    reports: List[Report]
    envelopes: List[bytes]


@pytest.fixture(scope="session")
def site() -> Site:
    applicant, attester, stranger = (Ed25519PrivateKey.generate() for _ in range(3))
    trusted = trust_store(trust_entry(applicant, "杭州云栈示例工业互联网科技有限公司"), trust_entry(attester, "张三"))
    reports = [host_report("debian-hardened", f"web-0{i}", f"{i:032x}") for i in (1, 2, 3)]
    signer = Signer(applicant)
    return Site(applicant, attester, stranger, trusted, reports, [signer.sign(r) for r in reports])


def profile(servers: Sequence[str], *, websites: Sequence[str] = ()) -> Dict[str, Any]:
    data: Dict[str, Any] = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    data["assets"]["servers"] = [{"name": s, "role": "应用服务器"} for s in servers]
    data["assets"]["websites"] = list(websites)
    return data


def answers_file(*items: Tuple[str, Any], by: str = "张三（IT 经理）") -> Dict[str, Any]:
    return {
        "format": "riskagent-answers/1",
        "questionnaire": "riskagent-default@1.2.0",
        "answers": [{"question": q, "value": v, "by": by, "at": "2026-11-20T08:00:00Z"} for q, v in items],
    }


@dataclasses.dataclass
class Inputs:
    root: Path
    profile: Path
    reports: Path
    answers: Path
    attachments: List[Path]
    out: Path


def inputs(
    tmp: Path,
    site: Site,
    servers: Sequence[str],
    *,
    answers: Optional[Dict[str, Any]] = None,
    reports: Sequence[int] = (0, 1, 2),
    websites: Sequence[str] = (),
) -> Inputs:
    (tmp / "reports").mkdir(parents=True)
    for i in reports:
        folder = tmp / "reports" / site.reports[i].target.name
        folder.mkdir()
        (folder / "report.dsse.json").write_bytes(site.envelopes[i])
    (tmp / "applicant.json").write_text(json.dumps(profile(servers, websites=websites), ensure_ascii=False, indent=2), encoding="utf-8")
    (tmp / "answers.json").write_text(
        json.dumps(answers or answers_file(("ID-01", "yes")), ensure_ascii=False, indent=2), encoding="utf-8"
    )
    docs = [tmp / "网络安全管理制度.pdf", tmp / "应急预案.pdf", tmp / "等级测评报告-2026.pdf"]
    for i, path in enumerate(docs):
        path.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * (i + 1))
    return Inputs(tmp, tmp / "applicant.json", tmp / "reports", tmp / "answers.json", docs, tmp / "out")


def attest(
    site: Site,
    answers: Path,
    key: Optional[Ed25519PrivateKey] = None,
    *,
    org: Optional[str] = USCC,
    at: str = "2026-11-20T09:00:00Z",
) -> bytes:
    return sign_answers(answers, None, Signer(key or site.attester), "张三", "IT 经理", org, signed_at=at)


def package(
    tmp: Path, site: Site, servers: Sequence[str], *, attestations: Sequence[bytes] = (), **kw: Any
) -> Tuple[Inputs, Any]:
    ins = inputs(tmp, site, servers, **kw)
    paths = []
    for i, env in enumerate(attestations):
        paths.append(tmp / f"answers.{i}.attestation.dsse.json")
        paths[-1].write_bytes(env)
    built = build_package(
        profile_path=ins.profile,
        reports_dir=ins.reports,
        answers_path=ins.answers,
        attestation_paths=paths,
        attach_paths=ins.attachments,
        signer=Signer(site.applicant),
        trusted=site.trusted,
        out_dir=ins.out,
        lang="zh",
    )
    return ins, built


def answer(built: Any, question: str) -> Any:
    return next(a for a in built.derived.view.answers if a.question == question)


def resign(out: Path, key: Ed25519PrivateKey, edit: Any) -> None:
    """The application edited at the JSON level and signed again, as a dishonest applicant would."""
    from report.application import application_subjects
    from report.application import statement as make_statement

    env = parse_envelope((out / "application.dsse.json").read_bytes())
    stmt = json.loads(env.payload)
    pred = stmt["predicate"]
    edit(pred)
    attachments = [Attachment(a["name"], a["size"], a["sha256"]) for a in pred["attachments"]]
    subjects = application_subjects(pred, pred["applicant"]["organisation_id"], attachments)
    payload = make_statement(APPLICATION_PREDICATE, pred, subjects)
    (out / "application.dsse.json").write_bytes(Signer(key).cosign(payload, []))


def texts(v: Any) -> str:
    return "\n".join(p.text for p in v.problems)


# ------------------------------------------------------------------------------------------ attestations


def test_an_attestation_records_who_when_what_and_the_declaration(tmp_path: Path, site: Site) -> None:
    ins = inputs(tmp_path, site, ["web-01"])
    env = attest(site, ins.answers)
    checked = check_attestation(env, site.trusted, USCC, source="att")
    assert checked.ok, checked.problems
    pred = checked.predicate
    assert pred is not None and checked.signer is not None and checked.signer.entry is not None
    assert (pred.attester.name, pred.attester.title, pred.attester.keyid) == (
        "张三",
        "IT 经理",
        key_id(site.attester.public_key()),
    )
    assert pred.signed_at == "2026-11-20T09:00:00Z" and pred.questionnaire == "riskagent-default@1.2.0"
    raw = ins.answers.read_bytes()
    assert pred.answers.text.encode() == raw and pred.answers.size == len(raw)
    assert pred.declaration == TRUTHFULNESS and "真实" in pred.declaration.zh and "true" in pred.declaration.en
    statement = json.loads(parse_envelope(env).payload)
    assert statement["predicateType"] == ATTESTATION_PREDICATE
    assert statement["subject"] == [{"name": "answers:answers.json", "digest": {"sha256": pred.answers.sha256}}]
    assert checked.signer.entry.name == "张三"


def test_an_attestation_by_a_key_the_insurer_does_not_trust_is_refused(tmp_path: Path, site: Site) -> None:
    ins = inputs(tmp_path, site, ["web-01"])
    checked = check_attestation(attest(site, ins.answers, site.stranger), site.trusted, USCC, source="att")
    assert checked.predicate is None
    assert [p.severity for p in checked.problems] == [Severity.INVALID]
    assert f"signed by key {key_id(site.stranger.public_key())[:16]}, which is not in the trust store" in texts(checked)


def test_an_attester_bound_to_another_organisation_fails_the_policy(tmp_path: Path, site: Site) -> None:
    ins = inputs(tmp_path, site, ["web-01"])
    trusted = {**site.trusted, **trust_store(trust_entry(site.stranger, "李四", OTHER_USCC))}
    checked = check_attestation(attest(site, ins.answers, site.stranger, org=None), trusted, USCC, source="att")
    assert checked.predicate is not None and not checked.ok
    assert [p.severity for p in checked.problems] == [Severity.POLICY]
    assert f"bound to organisation {OTHER_USCC}, not the applicant {USCC}" in texts(checked)


def test_an_attestation_with_another_declaration_text_is_refused(tmp_path: Path, site: Site) -> None:
    ins = inputs(tmp_path, site, ["web-01"])
    weaker = dataclasses.replace(TRUTHFULNESS, zh="本人尽量保证答案大致准确。")
    attester = Attester("张三", "IT 经理", key_id(site.attester.public_key()), USCC)
    payload = attestation_payload(
        "answers.json", ins.answers.read_bytes(), "riskagent-default@1.2.0", attester, "2026-11-20T09:00:00Z", weaker
    )
    checked = check_attestation(Signer(site.attester).cosign(payload, []), site.trusted, USCC, source="att")
    assert "is not that declaration's text" in texts(checked)


def test_an_attestation_that_names_another_key_is_refused(tmp_path: Path, site: Site) -> None:
    ins = inputs(tmp_path, site, ["web-01"])
    claimed = Attester("张三", "IT 经理", key_id(site.applicant.public_key()), USCC)
    payload = attestation_payload(
        "answers.json", ins.answers.read_bytes(), "riskagent-default@1.2.0", claimed, "2026-11-20T09:00:00Z"
    )
    checked = check_attestation(Signer(site.attester).cosign(payload, []), site.trusted, USCC, source="att")
    assert "but is signed by key" in texts(checked)


def test_an_attestation_signed_in_the_future_fails_the_policy(tmp_path: Path, site: Site) -> None:
    ins = inputs(tmp_path, site, ["web-01"])
    checked = check_attestation(attest(site, ins.answers, at="2099-01-01T00:00:00Z"), site.trusted, USCC, source="att")
    assert "which is in the future" in texts(checked) and {p.severity for p in checked.problems} == {Severity.POLICY}


# ------------------------------------------------------------------------------------------ organisation answers


def test_three_declared_servers_that_all_enforce_mfa_give_yes_citing_the_three_reports(tmp_path: Path, site: Site) -> None:
    _, built = package(tmp_path, site, ["web-01", "web-02", "web-03"])
    for qid in ("ID-02", "EP-01"):
        a = answer(built, qid)
        assert (a.basis, a.value) == (Basis.DERIVED, "yes"), a
        assert a.coverage is not None and a.coverage.declared == 3 and a.coverage.not_assessed == ()
        assert [(x.asset, x.value, x.report) for x in a.coverage.assets] == [
            (r.target.name, "yes", report_digest(r)) for r in site.reports
        ]
    assert built.derived.assets == (("web-01",), ("web-02",), ("web-03",))


def test_a_declared_website_does_not_hold_back_a_server_question(tmp_path: Path, site: Site) -> None:
    """SSH MFA is a server question: a declared website (no SSH to show) is not counted as unassessed for it."""
    _, built = package(tmp_path, site, ["web-01", "web-02", "web-03"], websites=["https://www.yunzhan.example/"])
    a = answer(built, "ID-02")
    assert (a.basis, a.value) == (Basis.DERIVED, "yes"), a
    assert a.coverage is not None and a.coverage.declared == 3


def test_a_fourth_declared_server_without_a_report_leaves_the_answer_unknown(tmp_path: Path, site: Site) -> None:
    _, built = package(tmp_path, site, ["web-01", "web-02", "web-03", "web-04"])
    a = answer(built, "ID-02")
    assert (a.basis, a.value) == (Basis.UNKNOWN, None)
    assert "1 of 4 not assessed" in a.reason and a.coverage.not_assessed == ("web-04",)


def test_a_signed_attestation_answers_what_the_reports_leave_open(tmp_path: Path, site: Site) -> None:
    ins = inputs(tmp_path / "a", site, ["web-01"])
    env = attest(site, ins.answers)
    _, built = package(
        tmp_path / "b", site, ["web-01", "web-02", "web-03"], attestations=[env], answers=answers_file(("ID-01", "yes"))
    )
    a = answer(built, "ID-01")
    assert (a.basis, a.value) == (Basis.ATTESTED, "yes") and a.attestation.by == "张三（IT 经理）"
    pred = read_application(parse_envelope(built.envelope).payload)
    assert len(pred.attestations) == 1 and pred.attestations[0].attester == "张三 (IT 经理)"
    assert pred.answers.sha256 == json.loads(parse_envelope(env).payload)["predicate"]["answers"]["sha256"]


# ------------------------------------------------------------------------------------------ the package verifies


def test_an_application_verifies_and_carries_what_it_rests_on(tmp_path: Path, site: Site) -> None:
    ins = inputs(tmp_path / "x", site, ["web-01"])
    ins, built = package(tmp_path / "p", site, ["web-01", "web-02", "web-03"], attestations=[attest(site, ins.answers)])
    v = verify_package(ins.out, site.trusted)
    assert (v.outcome, v.problems) == (Outcome.VALID, ()), texts(v)
    assert v.exit_code == 0 and v.signer is not None and v.signer.entry is not None
    assert [r.outcome for r in v.reports] == [Outcome.VALID] * 3 and all(a.ok for a in v.attestations)
    assert [(c.name, c.ok) for c in v.attachments] == [(p.name, True) for p in ins.attachments]
    statement = json.loads(parse_envelope(built.envelope).payload)
    assert statement["predicateType"] == APPLICATION_PREDICATE
    names = [s["name"] for s in statement["subject"]]
    assert names == [f"org:{USCC}", *(f"attachment:{p.name}" for p in ins.attachments)]
    pred = statement["predicate"]
    assert [r["envelope"] for r in pred["reports"]] == [json.loads(e) for e in site.envelopes]
    assert [r["report_sha256"] for r in pred["reports"]] == [report_digest(r) for r in site.reports]
    assert "application" in v.to_json() and v.to_json()["valid"] is True
    for path in (ins.out / "application.dsse.json", ins.out / "application.html", *(ins.out / "attachments").iterdir()):
        assert path.stat().st_mode & 0o077 == 0, path


def test_one_changed_attachment_byte_is_reported_by_file_name(tmp_path: Path, site: Site) -> None:
    ins, _ = package(tmp_path, site, ["web-01", "web-02", "web-03"])
    target = ins.out / "attachments" / "应急预案.pdf"
    data = bytearray(target.read_bytes())
    data[100] ^= 0x01
    target.write_bytes(bytes(data))
    v = verify_package(ins.out, site.trusted)
    assert v.outcome is Outcome.INVALID and v.exit_code == 1
    assert len(v.problems) == 1 and v.problems[0].text.startswith("attachment 应急预案.pdf: changed after signing")
    assert v.problems[0].text_in("zh").startswith("证明材料 应急预案.pdf：签署后被改动：sha256 ")  # and in Chinese
    assert "    - 证明材料 应急预案.pdf：签署后被改动" in "\n".join(verification_lines(v, "zh"))
    assert v.to_json()["problems"][0]["text_zh"] == v.problems[0].text_zh
    assert [(c.name, c.ok) for c in v.attachments] == [
        ("网络安全管理制度.pdf", True),
        ("应急预案.pdf", False),
        ("等级测评报告-2026.pdf", True),
    ]


def test_a_missing_or_added_attachment_is_named(tmp_path: Path, site: Site) -> None:
    ins, _ = package(tmp_path, site, ["web-01", "web-02", "web-03"])
    (ins.out / "attachments" / "等级测评报告-2026.pdf").unlink()
    (ins.out / "attachments" / "补充说明.docx").write_bytes(b"later")
    found = texts(verify_package(ins.out, site.trusted))
    assert "attachment 等级测评报告-2026.pdf: missing" in found
    assert "attachments/补充说明.docx is not one of the signed attachments" in found


def test_an_edited_rendering_is_refused(tmp_path: Path, site: Site) -> None:
    ins, _ = package(tmp_path, site, ["web-01", "web-02", "web-03", "web-04"])
    html = ins.out / "application.html"
    html.write_text(html.read_text(encoding="utf-8").replace("未知", "是"), encoding="utf-8")
    assert "application.html is not the rendering of the signed application" in texts(verify_package(ins.out, site.trusted))


def test_an_application_altered_after_signing_does_not_verify(tmp_path: Path, site: Site) -> None:
    ins, built = package(tmp_path, site, ["web-01", "web-02", "web-03"])
    env = json.loads(built.envelope)
    stmt = json.loads(base64.b64decode(env["payload"]))
    stmt["predicate"]["profile"]["name"] = "other.json"
    env["payload"] = base64.b64encode(
        json.dumps(stmt, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    ).decode()
    (ins.out / "application.dsse.json").write_bytes(json.dumps(env, sort_keys=True, separators=(",", ":")).encode() + b"\n")
    v = verify_package(ins.out, site.trusted)
    assert v.outcome is Outcome.INVALID and "does not verify: it was altered" in texts(v)


def test_a_tampered_embedded_report_is_refused_even_when_the_applicant_signs_it(tmp_path: Path, site: Site) -> None:
    ins, _ = package(tmp_path, site, ["web-01", "web-02", "web-03"])

    def forge(pred: Dict[str, Any]) -> None:
        env = pred["reports"][1]["envelope"]
        stmt = json.loads(base64.b64decode(env["payload"]))
        first = next(f for f in stmt["predicate"]["findings"] if f["status"] == "pass")
        first["status"] = "fail"  # any change to the signed report, one finding's status here
        env["payload"] = base64.b64encode(
            json.dumps(stmt, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
        ).decode()
        pred["reports"][1]["envelope_sha256"] = sha256_hex(envelope_bytes_of(env))

    resign(ins.out, site.applicant, forge)
    v = verify_package(ins.out, site.trusted)
    assert v.outcome is Outcome.INVALID
    assert "report host:web-02 (web-02) does not verify: " in texts(v)
    assert "signature 0 claims 杭州云栈示例工业互联网科技有限公司 (applicant, 91330106MA2CWK7T29) but does not verify" in texts(v)


def test_an_embedded_report_swapped_for_another_is_refused(tmp_path: Path, site: Site) -> None:
    ins, _ = package(tmp_path, site, ["web-01", "web-02", "web-03"])

    def swap(pred: Dict[str, Any]) -> None:
        pred["reports"][1]["envelope"] = copy.deepcopy(pred["reports"][0]["envelope"])

    resign(ins.out, site.applicant, swap)
    found = texts(verify_package(ins.out, site.trusted))
    assert "report host:web-02 (web-02): the embedded envelope is not the one whose sha256 the application signs" in found


def test_organisation_answers_that_do_not_follow_from_the_reports_are_named(tmp_path: Path, site: Site) -> None:
    ins, _ = package(tmp_path, site, ["web-01", "web-02", "web-03", "web-04"])

    def claim_yes(pred: Dict[str, Any]) -> None:
        for a in pred["questionnaire"]["answers"]:
            if a["question"] == "ID-02":
                a["basis"], a["value"] = "derived", "yes"

    resign(ins.out, site.applicant, claim_yes)
    found = texts(verify_package(ins.out, site.trusted))
    assert "the organisation answers do not follow from the embedded reports and attestations" in found
    assert '$.answers[ID-02].value: signed "yes", recomputed null' in found


def test_an_application_signed_with_a_key_of_another_organisation_fails_the_policy(tmp_path: Path, site: Site) -> None:
    ins, _ = package(tmp_path, site, ["web-01", "web-02", "web-03"])
    trusted = {k: v for k, v in site.trusted.items() if k != key_id(site.applicant.public_key())}
    trusted.update(trust_store(trust_entry(site.applicant, "Other Ltd", OTHER_USCC)))
    v = verify_package(ins.out, trusted)
    assert v.outcome is Outcome.POLICY_FAILED and v.exit_code == 4
    assert (
        f"the application: Other Ltd (applicant, {OTHER_USCC}) is bound to organisation {OTHER_USCC}, not the applicant {USCC}"
        in texts(v)
    )


def test_an_embedded_attestation_by_an_untrusted_key_is_refused(tmp_path: Path, site: Site) -> None:
    ins = inputs(tmp_path / "x", site, ["web-01"])
    ins, _ = package(tmp_path / "p", site, ["web-01", "web-02", "web-03"], attestations=[attest(site, ins.answers)])
    trusted = {k: v for k, v in site.trusted.items() if k != key_id(site.attester.public_key())}
    v = verify_package(ins.out, trusted)
    assert v.outcome is Outcome.INVALID
    assert "attestation 1 (张三 (IT 经理)): signed by key" in texts(v) and "which is not in the trust store" in texts(v)


# ------------------------------------------------------------------------------------------ what apply refuses


def test_a_report_of_an_undeclared_asset_is_refused(tmp_path: Path, site: Site) -> None:
    with pytest.raises(InvalidApplicationInput) as err:
        package(tmp_path, site, ["web-01", "web-03"])
    assert "is about host web-02 (machine:00000000000000000000000000000002), which is not a declared server" in err.value.message
    assert not (tmp_path / "out" / "application.dsse.json").exists()


def test_one_machine_cannot_stand_for_two_declared_servers(site: Site) -> None:
    twin = host_report("debian-hardened", "web-02", f"{1:032x}")
    with pytest.raises(DeriveError, match=r"the reports of web-01 and web-02 are of the same machine \(machine:0+1\)"):
        derive(
            _file("applicant.json", profile(["web-01", "web-02"])),
            _file("answers.json", answers_file()),
            [site.reports[0], twin],
            [],
            _today(),
        )


def test_a_declared_machine_id_must_be_the_report_s(site: Site) -> None:
    data = profile(["web-01"])
    data["assets"]["servers"][0]["identifiers"] = ["machine:" + "f" * 32]
    with pytest.raises(DeriveError, match="another machine under its name"):
        derive(_file("applicant.json", data), _file("answers.json", answers_file()), [site.reports[0]], [], _today())


def test_an_attestation_of_another_answers_file_is_refused(tmp_path: Path, site: Site) -> None:
    other = inputs(tmp_path / "x", site, ["web-01"], answers=answers_file(("ID-01", "no")))
    with pytest.raises(InvalidApplicationInput, match=r"signs answers file answers\.json"):
        package(tmp_path / "p", site, ["web-01", "web-02", "web-03"], attestations=[attest(site, other.answers)])


def test_an_unreadable_profile_is_refused_with_its_line_and_field(tmp_path: Path, site: Site) -> None:
    from agent.errors import UsageError

    ins = inputs(tmp_path, site, ["web-01", "web-02", "web-03"])
    data = profile(["web-01", "web-02", "web-03"])
    data["enterprise"]["credit_code"] = USCC[:-1] + "A"
    ins.profile.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    with pytest.raises(UsageError, match=r"line \d+: enterprise.credit_code"):
        build_package(
            profile_path=ins.profile,
            reports_dir=ins.reports,
            answers_path=ins.answers,
            attestation_paths=[],
            attach_paths=[],
            signer=Signer(site.applicant),
            trusted=site.trusted,
            out_dir=ins.out,
            lang="en",
        )


def _file(name: str, data: Dict[str, Any]) -> SignedFile:
    return signed_file(name, json.dumps(data, ensure_ascii=False).encode(), "file")


def _today() -> Any:
    import datetime as dt

    return dt.date(2026, 12, 1)


def test_envelope_objects_round_trip_to_the_file_bytes(site: Site) -> None:
    assert envelope_bytes_of(envelope_object(site.envelopes[0])) == site.envelopes[0]


def test_an_embedded_report_of_another_catalogue_is_unsupported(tmp_path: Path, site: Site) -> None:
    ins, _ = package(tmp_path, site, ["web-01", "web-02", "web-03"])

    def older(pred: Dict[str, Any]) -> None:
        stmt = json.loads(base64.b64decode(pred["reports"][2]["envelope"]["payload"]))
        stmt["predicate"]["provenance"]["catalogue"]["version"] = "0.0.1"
        payload = json.dumps(stmt, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
        env = envelope_object(Signer(site.applicant).cosign(payload, []))
        pred["reports"][2]["envelope"] = env
        pred["reports"][2]["envelope_sha256"] = sha256_hex(envelope_bytes_of(env))

    resign(ins.out, site.applicant, older)
    v = verify_package(ins.out, site.trusted)
    assert (v.outcome, v.exit_code) == (Outcome.UNSUPPORTED, 5), texts(v)
    assert texts(v).startswith("report host:web-03 (web-03) does not verify: ") and "catalogue 0.0.1" in texts(v)


def test_website_reports_match_the_declared_websites_by_origin(site: Site) -> None:
    from agent.apply import report_assets
    from questionnaires.applicant import parse_profile

    declared = parse_profile(
        json.dumps(profile(["web-01"], websites=["https://www.yunzhan.example/", "https://portal.yunzhan.example/login"])),
        "p.json",
    )
    site_report = dataclasses.replace(
        site.reports[0],
        target=dataclasses.replace(site.reports[0].target, kind="website", endpoints=("https://portal.yunzhan.example:443/",)),
    )
    assert report_assets(declared, site_report, "r") == ("https://portal.yunzhan.example/login",)
    elsewhere = dataclasses.replace(
        site_report, target=dataclasses.replace(site_report.target, endpoints=("https://shop.example/",))
    )
    with pytest.raises(DeriveError, match=r"assesses https://shop\.example/, which is not a declared website"):
        report_assets(declared, elsewhere, "r")
    assert report_assets(declared, site.reports[0], "r") == ("web-01",)


def test_answers_without_their_time_are_refused(tmp_path: Path, site: Site) -> None:
    undated = answers_file(("ID-01", "yes"))
    del undated["answers"][0]["at"]
    with pytest.raises(InvalidApplicationInput, match=r"answers\[0\] \(ID-01\) does not say when it was given"):
        package(tmp_path, site, ["web-01", "web-02", "web-03"], answers=undated)


def test_an_attestation_among_the_reports_is_named_for_what_it_is(tmp_path: Path, site: Site) -> None:
    from agent.apply import verify_report_file
    from agent.errors import UsageError

    ins = inputs(tmp_path, site, ["web-01"])
    stray = ins.reports / "web-01" / "answers.attestation.dsse.json"
    stray.write_bytes(attest(site, ins.answers))
    with pytest.raises(UsageError, match="is a questionnaire attestation, not an assessment report"):
        verify_report_file(stray, site.trusted)


def test_every_application_problem_has_its_chinese() -> None:
    """A Problem or VerificationError in report/application.py written in English only fails here."""
    import ast

    source = (Path(__file__).resolve().parents[2] / "report" / "application.py").read_text(encoding="utf-8")
    lacking = [
        node.lineno
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in ("Problem", "VerificationError")
        and len(node.args) + len(node.keywords) < (3 if node.func.id == "Problem" else 2)
    ]
    assert not lacking, f"report/application.py: a problem without Chinese text at lines {lacking}"
