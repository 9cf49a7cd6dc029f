"""Host and organisation questions: one host's evidence is the organisation's answer only where it settles it."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Dict, Mapping, Optional

import pytest

from collectors.strictjson import from_json, to_json
from questionnaires.engine import Bundle, answer_all, future_date_problem, validate_value
from questionnaires.loader import load_questionnaire, parse_questionnaire
from questionnaires.model import Answer, AnsweredQuestionnaire, Attestation, Basis, answers_summary
from tests.hosts import assess_host, fixture_report
from tests.questionnaires.test_engine import CHECKS, COLLECTORS, evidence, finding, make, q

AT = "2026-11-20T08:00:00Z"


def default_answers(host: str, attestations: Optional[Mapping[str, Attestation]] = None) -> Dict[str, Answer]:
    return {a.question: a for a in answer_all(load_questionnaire(), Bundle.from_report(fixture_report(host)), attestations or {})}


def att(qid: str, value: object, note: Optional[str] = None) -> Attestation:
    return Attestation(qid, value, "Zhang San, IT manager", AT, note)


# ------------------------------------------------------------------------------------------ acceptance


@pytest.mark.parametrize("qid", ["ID-02", "EP-01"])
def test_a_hardened_host_is_not_the_organisations_yes(qid: str) -> None:
    """SSH MFA and anti-malware on db-prod-01 say nothing about the organisation's other assets."""
    a = default_answers("debian-hardened")[qid]
    assert a.basis is Basis.UNKNOWN and a.value is None
    assert a.coverage is not None and a.coverage.declared is None
    question = load_questionnaire().question(qid)
    assert a.coverage.text(question, "zh") == "本机 db-prod-01：是；其他资产：未知"
    assert a.coverage.text(question, "en") == "this host db-prod-01: yes; other assets: unknown"
    assert a.reason == "this host db-prod-01: yes; other assets: unknown"
    assert a.cited_checks and all(c.status == "pass" for c in a.cited_checks)  # the host's part stays cited


@pytest.mark.parametrize("qid", ["ID-02", "EP-01"])
def test_an_attestation_answers_for_the_organisation_beside_the_hosts_evidence(qid: str) -> None:
    a = default_answers("debian-hardened", {qid: att(qid, "yes")})[qid]
    assert (a.basis, a.value, a.conflict) == (Basis.ATTESTED, "yes", None)
    assert a.coverage is not None and a.coverage.assets[0].value == "yes"


@pytest.mark.parametrize("qid", ["ID-02", "EP-01"])
def test_a_weak_host_settles_the_organisations_no(qid: str) -> None:
    """One asset without MFA, or without anti-malware, is enough: "every asset" is false."""
    a = default_answers("debian-weak", {qid: att(qid, "yes")})[qid]
    assert (a.basis, a.value) == (Basis.DERIVED, "no")
    assert a.coverage is not None and a.coverage.assets[0].asset == "web-legacy-02"
    assert a.conflict and "Zhang San" in a.conflict and "'no'" in a.conflict
    assert [c.rule for c in a.conflicts] == ["evidence"] and a.conflicts[0].message.zh.startswith("Zhang San, IT manager 于 ")
    assert "证据给出“否”" in a.conflicts[0].message.zh


def test_one_host_with_a_remote_control_tool_is_the_organisations_yes() -> None:
    """``any``: EX-04 "is remote-control software installed anywhere" is settled by one host that has it."""
    weak, hardened = default_answers("debian-weak"), default_answers("debian-hardened")
    assert (weak["EX-04"].basis, weak["EX-04"].value) == (Basis.DERIVED, "yes")
    assert hardened["EX-04"].basis is Basis.UNKNOWN and hardened["EX-04"].coverage is not None
    assert hardened["EX-04"].coverage.assets[0].value == "no"
    contradicted = default_answers("debian-weak", {"EX-04": att("EX-04", "no")})["EX-04"]
    assert contradicted.value == "yes" and contradicted.conflict


# ------------------------------------------------------------------------------------------ partial evidence

ORG = parse_questionnaire(
    make(
        [
            q("MFA", "yes_no", {"checks": ["LNX-SSH-019", "LNX-SSH-002"]}, scope="organisation"),
            q("EXPOSED", "yes_no", {"checks": ["LNX-NET-001"], "yes_if": "any_fail"}, scope="organisation", aggregate="any"),
            q("RET", "number", {"fact": "host.log_retention", "path": "min_days"}, scope="organisation"),
        ]
    ),
    "org.json",
    CHECKS,
    COLLECTORS,
)


def org_answers(findings: list, ev: list, attestations: Optional[dict] = None) -> Dict[str, Answer]:
    return {a.question: a for a in answer_all(ORG, Bundle(findings, ev), attestations or {})}


def test_a_partly_covered_host_rules_out_the_organisations_yes() -> None:
    """Host "partial": the organisation is "partial" or "no", whatever the other assets say; "yes" is a conflict."""
    mixed = [finding("LNX-SSH-019", "pass"), finding("LNX-SSH-002", "fail")]
    open_ = org_answers(mixed, [evidence("host.sshd", {})])["MFA"]
    assert open_.basis is Basis.UNKNOWN and open_.coverage is not None and open_.coverage.assets[0].value == "partial"
    claimed = org_answers(mixed, [], {"MFA": att("MFA", "yes")})["MFA"]
    assert claimed.basis is Basis.UNKNOWN and claimed.value is None
    assert claimed.conflict and "rule it out" in claimed.conflict and claimed.attestation is not None
    fits = org_answers(mixed, [], {"MFA": att("MFA", "partial")})["MFA"]
    assert (fits.basis, fits.value, fits.conflict) == (Basis.ATTESTED, "partial", None)


def test_a_host_without_the_problem_leaves_an_any_question_open() -> None:
    got = org_answers([finding("LNX-NET-001", "pass")], [], {"EXPOSED": att("EXPOSED", "yes")})["EXPOSED"]
    assert (got.basis, got.value, got.conflict) == (Basis.ATTESTED, "yes", None)  # another asset may expose ports


def test_a_host_number_is_partial_evidence_of_an_organisation_number() -> None:
    got = org_answers([], [evidence("host.log_retention", {"min_days": 28})])["RET"]
    assert got.basis is Basis.UNKNOWN and got.coverage is not None and got.coverage.assets[0].value == 28


def test_answers_with_coverage_conflicts_and_skips_survive_json() -> None:
    answers = list(default_answers("debian-weak", {"ID-02": att("ID-02", "yes"), "PA-04": att("PA-04", "no")}).values())
    answered = AnsweredQuestionnaire.of(load_questionnaire().raw, answers)
    again = from_json(AnsweredQuestionnaire, to_json(answered))
    assert again == answered
    assert again.answer("ID-02") is not None and again.answer("ID-02").conflicts  # type: ignore[union-attr]
    assert again.answer("PA-05") is not None and again.answer("PA-05").skipped_by == "PA-04"  # type: ignore[union-attr]


# ------------------------------------------------------------------------------------------ flow


def test_a_question_that_an_earlier_answer_rules_out_is_skipped_not_missing() -> None:
    skipped = default_answers("debian-hardened", {"PA-04": att("PA-04", "no")})
    assert skipped["PA-05"].skipped_by == "PA-04" and skipped["PA-05"].basis is Basis.UNKNOWN
    asked = default_answers("debian-hardened", {"PA-04": att("PA-04", "yes")})
    assert asked["PA-05"].skipped_by is None
    counts, base = answers_summary(list(skipped.values())), answers_summary(list(asked.values()))
    assert counts.skipped == base.skipped + 1 and counts.unknown == base.unknown - 1


def test_a_note_alone_annotates_a_derived_answer() -> None:
    """EP-03's help asks for the fleet-wide product in a note: a note-only attestation adds it, answers nothing."""
    got = default_answers("debian-hardened", {"EP-03": att("EP-03", None, "fleet: 奇安信天擎 on workstations")})["EP-03"]
    assert (got.basis, got.value, got.conflict) == (Basis.DERIVED, "ClamAV", None)
    assert got.note == "fleet: 奇安信天擎 on workstations"
    assert validate_value(load_questionnaire().question("EP-03"), None) is None  # what the verifier accepts


def test_numbers_keep_to_their_bounds() -> None:
    pct = load_questionnaire().question("ID-04")
    assert validate_value(pct, 100) is None and validate_value(pct, 0) is None
    assert validate_value(pct, 101) == "expected a whole number at least 0 and at most 100"
    assert validate_value(load_questionnaire().question("HI-04"), 0) == "expected a whole number at least 1"


def test_no_date_after_today_for_what_has_happened() -> None:
    pentest = load_questionnaire().question("PT-07")
    today = dt.date(2026, 3, 1)
    assert future_date_problem(pentest, "2026-03-01", today) is None
    assert future_date_problem(pentest, "2026-03-02", today) == "2026-03-02 is after today (2026-03-01): give the date it happened"


# ------------------------------------------------------------------------------------------ verification


def test_a_signed_report_with_organisation_answers_rechecks(tmp_path: Path) -> None:
    """The verifier recomputes coverage, conflicts and skips from the evidence and the attestations it carries."""
    from report.rederive import recheck

    path = tmp_path / "answers.json"
    entries = [
        {"question": "ID-02", "value": "yes", "by": "Li Si", "at": AT},
        {"question": "EP-03", "value": "奇安信天擎", "by": "Li Si", "at": AT, "note": "全网统一部署"},
        {"question": "PA-04", "value": "no", "by": "Li Si", "at": AT},
        {"question": "BK-04", "value": "yes", "by": "Li Si", "at": AT},
    ]
    path.write_text(json.dumps({"format": "riskagent-answers/1", "answers": entries}, ensure_ascii=False), encoding="utf-8")
    report = assess_host("debian-weak", answers=path)
    assert report.questionnaire is not None
    got = {a.question: a for a in report.questionnaire.answers}
    assert got["ID-02"].conflict and got["PA-05"].skipped_by == "PA-04"
    assert [c.rule for c in got["EP-03"].conflicts] == ["anti_malware_vs_evidence"]
    assert [c.rule for c in got["BK-04"].conflicts] == ["offline_backup_vs_no_job"]
    assert report.questionnaire.summary.conflicts == 3 and report.questionnaire.summary.skipped == 1
    assert recheck(report) == []
