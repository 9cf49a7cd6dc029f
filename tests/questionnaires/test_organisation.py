"""The organisation's answers from the reports of its declared assets (what ``riskagent apply`` combines)."""

from __future__ import annotations

from typing import Dict, List, Mapping

import pytest

from questionnaires.engine import Bundle, answer_all, answered
from questionnaires.loader import load_questionnaire, parse_questionnaire
from questionnaires.model import Answer, AnsweredQuestionnaire, Attestation, Basis
from questionnaires.organisation import organisation_answers
from tests.factories import make_evidence, make_finding
from tests.hosts import fixture_report
from tests.questionnaires.test_engine import make, q

MFA_CHECKS = ("LNX-SSH-019", "LNX-SSH-002")
AT = "2026-11-20T08:00:00Z"


def host_report_answers(asset: str, statuses: Mapping[str, str]) -> AnsweredQuestionnaire:
    """The answered built-in questionnaire of a host report about ``asset`` whose checks have ``statuses``."""
    findings = [make_finding(cid, status, evidence=("host.sshd",)) for cid, status in statuses.items()]
    bundle = Bundle(findings, [make_evidence("host.sshd", {}, target=asset)])
    questionnaire = load_questionnaire()
    return answered(questionnaire, answer_all(questionnaire, bundle, {}))


def mfa(asset: str, ok: bool = True) -> AnsweredQuestionnaire:
    return host_report_answers(asset, {cid: "pass" if ok else "fail" for cid in MFA_CHECKS})


def org(per_asset: Mapping[str, AnsweredQuestionnaire], declared: List[str], **kw: object) -> Dict[str, Answer]:
    return {a.question: a for a in organisation_answers(load_questionnaire(), per_asset, declared, **kw)}  # type: ignore[arg-type]


def test_three_declared_servers_all_enforcing_mfa_give_yes_citing_each_report() -> None:
    assets = ["web-01", "web-02", "db-01"]
    reports = {a: f"sha256:{i}" * 4 for i, a in enumerate(assets)}
    got = org({a: mfa(a) for a in assets}, assets, reports=reports)["ID-02"]
    assert (got.basis, got.value, got.conflict) == (Basis.DERIVED, "yes", None)
    assert got.coverage is not None
    assert [(x.asset, x.value, x.report) for x in got.coverage.assets] == [(a, "yes", reports[a]) for a in assets]
    assert got.coverage.declared == 3 and got.coverage.not_assessed == ()
    question = load_questionnaire().question("ID-02")
    assert got.coverage.text(question, "en") == "web-01: yes, web-02: yes, db-01: yes; all 3 assessed"
    assert got.coverage.text(question, "zh") == "web-01：是，web-02：是，db-01：是；3 台全部已评估"


def test_four_declared_with_three_assessed_is_unknown_one_of_four_not_assessed() -> None:
    assets = ["web-01", "web-02", "db-01"]
    got = org({a: mfa(a) for a in assets}, [*assets, "app-01"])["ID-02"]
    assert got.basis is Basis.UNKNOWN and got.value is None
    assert "1 of 4 not assessed (app-01)" in got.reason
    assert got.coverage is not None and got.coverage.not_assessed == ("app-01",)
    question = load_questionnaire().question("ID-02")
    assert got.coverage.text(question, "en").endswith("; 1 of 4 not assessed")
    assert got.coverage.text(question, "zh").endswith("；4 台中 1 台未评估")


def test_one_server_without_mfa_is_the_organisations_no_naming_it() -> None:
    got = org({"web-01": mfa("web-01"), "web-02": mfa("web-02", ok=False)}, ["web-01", "web-02", "db-01"])["ID-02"]
    assert (got.basis, got.value) == (Basis.DERIVED, "no")
    assert got.reason.endswith(": web-02")


def test_a_server_whose_evidence_is_silent_keeps_the_answer_open() -> None:
    silent = host_report_answers("web-02", {"LNX-SSH-019": "pass", "LNX-SSH-002": "error"})
    got = org({"web-01": mfa("web-01"), "web-02": silent}, ["web-01", "web-02"])["ID-02"]
    assert got.basis is Basis.UNKNOWN and "web-02: unknown" in got.reason


def test_an_any_question_is_yes_as_soon_as_one_asset_says_so() -> None:
    tool = host_report_answers("web-02", {"LNX-RMT-001": "fail"})
    clean = host_report_answers("web-01", {"LNX-RMT-001": "pass"})
    assert org({"web-01": clean, "web-02": tool}, ["web-01", "web-02", "db-01"])["EX-04"].value == "yes"
    assert org({"web-01": clean}, ["web-01", "db-01"])["EX-04"].basis is Basis.UNKNOWN
    assert org({"web-01": clean}, ["web-01"])["EX-04"].value == "no"


def test_attestations_fill_what_the_assets_leave_open_and_conflict_where_they_do_not() -> None:
    assets = ["web-01", "web-02"]
    yes = {"ID-02": Attestation("ID-02", "yes", "Li Si, CISO", AT), "ML-01": Attestation("ML-01", "level3", "Li Si, CISO", AT)}
    filled = org({"web-01": mfa("web-01")}, assets, attestations=yes)
    assert (filled["ID-02"].basis, filled["ID-02"].value) == (Basis.ATTESTED, "yes")
    assert (filled["ML-01"].basis, filled["ML-01"].value) == (Basis.ATTESTED, "level3")
    contradicted = org({"web-01": mfa("web-01"), "web-02": mfa("web-02", ok=False)}, assets, attestations=yes)["ID-02"]
    assert contradicted.value == "no" and contradicted.conflict and "Li Si" in contradicted.conflict


def test_server_coverage_is_computed_from_every_servers_report() -> None:
    """EP-08, the share of servers with anti-malware, from each report's EP-01 once every declared server is in."""
    edr = {"web-01": "pass", "web-02": "pass", "db-01": "fail"}
    per_asset = {a: host_report_answers(a, {"LNX-EDR-001": s}) for a, s in edr.items()}
    got = org(per_asset, list(edr))["EP-08"]
    assert (got.basis, got.value) == (Basis.DERIVED, 67)
    partial = org({a: per_asset[a] for a in ("web-01", "db-01")}, list(edr), attestations={"EP-08": Attestation("EP-08", 100, "Li Si", AT)})
    assert partial["EP-08"].basis is Basis.UNKNOWN and partial["EP-08"].conflict  # db-01 has none: 100 % cannot be
    plausible = org({"web-01": per_asset["web-01"]}, list(edr), attestations={"EP-08": Attestation("EP-08", 67, "Li Si", AT)})
    assert (plausible["EP-08"].basis, plausible["EP-08"].value, plausible["EP-08"].conflict) == (Basis.ATTESTED, 67, None)


def test_consistency_rules_see_every_assets_checks() -> None:
    per_asset = {"web-01": mfa("web-01"), "web-02": host_report_answers("web-02", {"LNX-RMT-001": "fail"})}
    got = org(per_asset, ["web-01", "web-02"], attestations={"TP-02": Attestation("TP-02", "yes", "Li Si", AT)})
    assert [c.rule for c in got["TP-02"].conflicts] == ["vendor_access_vs_remote_tools"]
    assert "LNX-RMT-001 on web-02" in (got["TP-02"].conflict or "")


def test_only_organisation_questions_are_answered_in_order() -> None:
    questionnaire = load_questionnaire()
    got = organisation_answers(questionnaire, {"web-01": mfa("web-01")}, ["web-01"])
    assert [a.question for a in got] == [x.id for x in questionnaire.questions if x.organisation]


def test_a_real_host_reports_answers_combine() -> None:
    """From a whole report, as apply reads it: the hardened host alone, declared alone, settles ID-02 and EP-01."""
    report = fixture_report("debian-hardened")
    assert report.questionnaire is not None
    got = org({"db-prod-01": report.questionnaire}, ["db-prod-01"])
    assert (got["ID-02"].value, got["EP-01"].value, got["EP-08"].value) == ("yes", "yes", 100)
    assert got["PT-03"].value == "no"  # "any" asset past EOL: none of the one declared


def test_a_report_answering_another_questionnaire_is_refused_naming_the_asset() -> None:
    other = parse_questionnaire(make([q("X", "yes_no", {"attest": True}, scope="organisation")]), "other.json")
    foreign = AnsweredQuestionnaire.of(other.raw, [Answer("X", Basis.UNKNOWN, None, "-")])
    with pytest.raises(ValueError, match="the report of web-09 answers questionnaire t@1"):
        organisation_answers(load_questionnaire(), {"web-09": foreign}, ["web-09"])


def test_answers_without_their_questionnaire_are_accepted_as_a_sequence() -> None:
    answers = list(mfa("web-01").answers)
    got = {a.question: a for a in organisation_answers(load_questionnaire(), {"web-01": answers}, ["web-01"])}
    assert got["ID-02"].value == "yes"


def test_an_organisation_answer_is_not_taken_for_a_hosts() -> None:
    combined = organisation_answers(load_questionnaire(), {"web-01": mfa("web-01")}, ["web-01"])
    with pytest.raises(ValueError, match="expected a host report's answer"):
        organisation_answers(load_questionnaire(), {"group": combined}, ["group"])
