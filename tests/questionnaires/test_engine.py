"""Answering rules: derived with citations, attested, unknown; conflicts; nothing defaults to yes."""

from __future__ import annotations

import json
from typing import Optional

import pytest

from checks.model import Finding
from collectors.evidence import Evidence
from questionnaires.engine import Bundle, answer_all, derive
from questionnaires.loader import parse_questionnaire
from questionnaires.model import Attestation, Basis, CitedCheck, CitedEvidence
from tests.factories import make_evidence, make_finding

CHECKS = {"LNX-SSH-002", "LNX-SSH-019", "LNX-NET-001"}
COLLECTORS = {"host.log_retention", "host.packages"}


def make(questions: list) -> str:
    return json.dumps(
        {
            "format": "riskagent-questionnaire/1",
            "id": "t",
            "version": "1",
            "title": {"zh": "问卷", "en": "Questionnaire"},
            "sections": [{"id": "s", "title": {"zh": "节", "en": "Section"}, "questions": questions}],
        },
        ensure_ascii=False,
        indent=2,
    )


def q(qid: str, qtype: str, rule: dict, **extra) -> dict:
    """A question about the assessed host unless ``scope`` says otherwise."""
    return {"id": qid, "text": {"zh": "问题", "en": "Question"}, "type": qtype, "scope": "host", "rule": rule, **extra}


QUESTIONNAIRE = parse_questionnaire(
    make(
        [
            q("MFA", "yes_no", {"checks": ["LNX-SSH-019", "LNX-SSH-002"]}),
            q("EXPOSED", "yes_no", {"checks": ["LNX-NET-001"], "yes_if": "any_fail"}),
            q("RET", "number", {"fact": "host.log_retention", "path": "min_days"}),
            q(
                "PENDING",
                "number",
                {
                    "fact": "host.packages",
                    "path": "security_updates.count",
                    "when": {"path": "security_updates.available", "equals": True},
                },
            ),
            q("PLAN", "yes_no", {"attest": True}),
            q(
                "FREQ",
                "enum",
                {"fact": "host.packages", "path": "x", "map": {"1": "daily"}},
                options=[{"value": "daily", "label": {"zh": "每天", "en": "Daily"}}],
            ),
        ]
    ),
    "t.json",
    CHECKS,
    COLLECTORS,
)


def finding(cid: str, status: str, evidence: str = "host.sshd", target: Optional[str] = None) -> Finding:
    return make_finding(cid, status, evidence=(evidence,), target=target)


def evidence(name: str, facts: dict, status: str = "ok") -> Evidence:
    return make_evidence(name, facts, status)


def answers(findings: list, ev: list, att: Optional[dict] = None) -> dict:
    return {a.question: a for a in answer_all(QUESTIONNAIRE, Bundle(findings, ev), att or {})}


def test_all_pass_is_yes_with_citations() -> None:
    a = answers([finding("LNX-SSH-019", "pass"), finding("LNX-SSH-002", "pass")], [evidence("host.sshd", {})])["MFA"]
    assert (a.basis, a.value) == (Basis.DERIVED, "yes")
    assert a.cited_checks == (CitedCheck("LNX-SSH-019", "pass"), CitedCheck("LNX-SSH-002", "pass"))
    assert a.cited_evidence == (CitedEvidence("host.sshd", "t"),)  # a reference to the evidence record, not a copy


def test_evidence_a_rule_reads_but_the_report_lacks_is_cited_without_a_target() -> None:
    a = answers([finding("LNX-SSH-019", "pass"), finding("LNX-SSH-002", "pass")], [])["MFA"]
    assert a.cited_evidence == (CitedEvidence("host.sshd", None),)


@pytest.mark.parametrize(
    "statuses, expected",
    [
        (("fail", "fail"), "no"),
        (("pass", "fail"), "partial"),
        (("fail", "error"), "no"),
        (("pass", "error"), None),
        (("pass", "manual"), None),
        (("not_applicable", "not_applicable"), "not_applicable"),
    ],
)
def test_check_rule_outcomes(statuses: tuple, expected: object) -> None:
    got = answers([finding("LNX-SSH-019", statuses[0]), finding("LNX-SSH-002", statuses[1])], [])["MFA"]
    assert got.value == expected
    assert got.basis is (Basis.UNKNOWN if expected is None else Basis.DERIVED)


def test_missing_check_is_unknown_not_yes() -> None:
    assert answers([finding("LNX-SSH-019", "pass")], [])["MFA"].basis is Basis.UNKNOWN


def test_any_fail_rule() -> None:
    assert answers([finding("LNX-NET-001", "fail")], [])["EXPOSED"].value == "yes"
    assert answers([finding("LNX-NET-001", "pass")], [])["EXPOSED"].value == "no"
    assert answers([finding("LNX-NET-001", "error")], [])["EXPOSED"].basis is Basis.UNKNOWN


def test_fact_rules_and_guards() -> None:
    ev = [
        evidence("host.log_retention", {"min_days": 28}),
        evidence("host.packages", {"security_updates": {"available": False, "count": 0}}),
    ]
    got = answers([], ev)
    assert (got["RET"].basis, got["RET"].value) == (Basis.DERIVED, 28)
    assert got["PENDING"].basis is Basis.UNKNOWN  # guarded: the count is meaningless when unavailable
    assert answers([], [evidence("host.log_retention", {"min_days": None})])["RET"].basis is Basis.UNKNOWN
    assert answers([], [evidence("host.log_retention", {"min_days": 400}, status="error")])["RET"].basis is Basis.UNKNOWN
    assert answers([], [evidence("host.log_retention", {"min_days": "many"})])["RET"].basis is Basis.UNKNOWN  # wrong type


def test_map_with_unmapped_value_is_unknown() -> None:
    assert answers([], [evidence("host.packages", {"x": 1})])["FREQ"].value == "daily"
    assert answers([], [evidence("host.packages", {"x": 2})])["FREQ"].basis is Basis.UNKNOWN


def test_attestation_fills_what_evidence_cannot() -> None:
    att = {"PLAN": Attestation("PLAN", "yes", "Li Si, CISO", "2026-11-01T00:00:00Z")}
    a = answers([], [], att)["PLAN"]
    assert (a.basis, a.value, a.conflict) == (Basis.ATTESTED, "yes", None)
    assert answers([], [])["PLAN"].basis is Basis.UNKNOWN


def test_attestation_contradicted_by_evidence_is_a_conflict() -> None:
    att = {"MFA": Attestation("MFA", "yes", "Wang Wu, IT", "2026-11-01T00:00:00Z")}
    a = answers([finding("LNX-SSH-019", "fail"), finding("LNX-SSH-002", "fail")], [], att)["MFA"]
    assert a.basis is Basis.DERIVED and a.value == "no"
    assert a.conflict and "Wang Wu" in a.conflict and "'no'" in a.conflict


def test_agreeing_attestation_is_no_conflict() -> None:
    att = {"MFA": Attestation("MFA", "no", "Wang Wu, IT", "2026-11-01T00:00:00Z")}
    assert answers([finding("LNX-SSH-019", "fail"), finding("LNX-SSH-002", "fail")], [], att)["MFA"].conflict is None


def test_first_rule_takes_the_first_answer() -> None:
    question = QUESTIONNAIRE.question("RET")
    rule = {"first": [{"fact": "host.packages", "path": "nope"}, {"fact": "host.log_retention", "path": "min_days"}]}
    got = derive(rule, Bundle([], [evidence("host.log_retention", {"min_days": 5})]), question)
    assert got is not None and got.value == 5


def test_endpoint_findings_of_several_targets_combine_worst_first() -> None:
    both = [finding("LNX-NET-001", "pass", "net.ports", "10.0.0.1"), finding("LNX-NET-001", "fail", "net.ports", "10.0.0.2")]
    assert answers(both, [])["EXPOSED"].value == "yes"
    unsure = [both[0], finding("LNX-NET-001", "error", "net.ports", "10.0.0.2")]
    assert answers(unsure, [])["EXPOSED"].basis is Basis.UNKNOWN


def test_only_limits_checks_to_the_answer_they_can_show() -> None:
    one_sided = parse_questionnaire(
        make([q("EMPTY", "yes_no", {"checks": ["LNX-NET-001"], "yes_if": "any_fail", "only": "yes"})]), "t.json", CHECKS, COLLECTORS
    )

    def answer(status: str) -> object:
        return answer_all(one_sided, Bundle([finding("LNX-NET-001", status)], []), {})[0]

    shown = answer("fail")
    assert shown.basis is Basis.DERIVED and shown.value == "yes"  # type: ignore[attr-defined]
    unsettled = answer("pass")
    assert unsettled.basis is Basis.UNKNOWN  # type: ignore[attr-defined]


def test_only_must_name_an_answer() -> None:
    from questionnaires.loader import QuestionnaireError

    with pytest.raises(QuestionnaireError, match="only"):
        parse_questionnaire(make([q("X", "yes_no", {"checks": ["LNX-NET-001"], "only": "maybe"})]), "t.json", CHECKS, COLLECTORS)
