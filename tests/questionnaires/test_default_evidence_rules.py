"""The default questionnaire over no evidence, and an MFA attestation the evidence contradicts."""

from __future__ import annotations

from typing import Any, Iterator, Mapping

from questionnaires.engine import Bundle, answer_all
from questionnaires.loader import load_questionnaire
from questionnaires.model import Attestation, Basis
from tests.hosts import fixture_report


def _cited(rule: Mapping[str, Any]) -> Iterator[str]:
    yield from rule.get("checks", [])
    for sub in rule.get("first", []):
        yield from _cited(sub)


def test_every_question_is_unknown_over_an_empty_evidence_bundle() -> None:
    questionnaire = load_questionnaire()
    answers = answer_all(questionnaire, Bundle([], []), {})
    assert len(answers) == len(questionnaire.questions) >= 40
    for a in answers:
        assert a.basis is Basis.UNKNOWN and a.value is None, (a.question, a.value)


def test_attested_ssh_mfa_on_a_password_login_host_is_a_conflict() -> None:
    questionnaire = load_questionnaire()
    mfa = [q for q in questionnaire.questions if "LNX-SSH-019" in set(_cited(q.rule))]
    assert mfa, "the default questionnaire asks about MFA on remote access"
    report = fixture_report("debian-weak")
    assert {f.check_id: f.status.value for f in report.findings}["LNX-SSH-002"] == "fail"  # password login allowed
    att = {q.id: Attestation(q.id, "yes", "Zhang San, IT manager", "2026-11-20T08:00:00Z") for q in mfa}
    answers = {a.question: a for a in answer_all(questionnaire, Bundle.from_report(report), att)}
    for q in mfa:
        a = answers[q.id]
        assert a.basis is Basis.DERIVED and a.value in ("no", "partial")
        assert a.conflict and "Zhang San" in a.conflict
