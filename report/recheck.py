"""Re-judging a report's embedded evidence, as an insurer's verifier does.

A valid signature proves who wrote the report; re-running the checks over the
evidence it carries proves the findings follow from that evidence with this
version of the catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional

from checks.registry import EvidenceView, all_checks, evaluate_one
from collectors.evidence import Evidence


@dataclass(frozen=True)
class Mismatch:
    check_id: str
    reported: str
    recomputed: str


@dataclass(frozen=True)
class RecheckResult:
    checked: int
    unknown_checks: List[str]
    mismatches: List[Mismatch]
    answer_mismatches: List[Mismatch] = field(default_factory=list)


def recheck(report: Mapping[str, Any]) -> RecheckResult:
    """Recompute every finding from the embedded evidence and compare statuses."""
    evidence = [Evidence.from_json(e) for e in report.get("evidence", [])]
    views: Dict[Optional[str], EvidenceView] = {None: EvidenceView([e for e in evidence if e.collector.startswith("host.")])}
    for e in evidence:
        if not e.collector.startswith("host."):
            views.setdefault(
                e.target, EvidenceView([x for x in evidence if x.target == e.target and not x.collector.startswith("host.")])
            )
    registry = all_checks()
    unknown: List[str] = []
    mismatches: List[Mismatch] = []
    checked = 0
    for f in report.get("findings", []):
        rc = registry.get(f["check_id"])
        if rc is None:
            unknown.append(f["check_id"])
            continue
        view = views.get(f.get("target"))
        if view is None:
            mismatches.append(Mismatch(f["check_id"], f["status"], f"no embedded evidence for target {f.get('target')}"))
            continue
        again = evaluate_one(rc, view, f.get("params") or {}, f.get("target"))
        checked += 1
        if again.status.value != f["status"]:
            mismatches.append(Mismatch(f["check_id"], f["status"], again.status.value))
    derived = _recheck_derived_sections(report)
    return RecheckResult(checked, unknown, mismatches + derived, _recheck_answers(report))


def _recheck_derived_sections(report: Mapping[str, Any]) -> List[Mismatch]:
    """The summary and the scanner view must be exactly what the findings give."""
    from report.model import summarise
    from report.scanner_view import build_scanner_view

    out: List[Mismatch] = []
    findings = report.get("findings", [])
    if report.get("summary") != summarise(findings):
        out.append(Mismatch("summary", "as signed", "different when recomputed from the findings"))
    if report.get("scanner_view") != build_scanner_view(findings):
        out.append(Mismatch("scanner_view", "as signed", "different when recomputed from the findings"))
    from report.profile_view import build_profile_view
    from report.underwriting import underwriting_view

    plan = report.get("plan")
    if plan is not None:
        from report.plan import build_plan

        if plan != build_plan(report, plan.get("settings"), str(plan.get("today"))):
            out.append(Mismatch("plan", "as signed", "different when recomputed from the findings and its settings"))
    if report.get("underwriting") is not None and report.get("underwriting") != underwriting_view(report):
        out.append(Mismatch("underwriting", "as signed", "different when recomputed from the findings and answers"))

    if report.get("profile_view") != build_profile_view(str(report.get("profile")), findings):
        out.append(Mismatch("profile_view", "as signed", "different when recomputed from the findings"))
    return out


def _recheck_answers(report: Mapping[str, Any]) -> List[Mismatch]:
    """Derived answers must follow from the embedded definition and evidence."""
    from questionnaires.engine import Bundle, derive
    from questionnaires.loader import QuestionnaireError, questionnaire_from_json

    answered = report.get("questionnaire")
    if not answered:
        return []
    try:
        questionnaire = questionnaire_from_json(answered["definition"], "embedded questionnaire")
    except (QuestionnaireError, KeyError) as exc:
        return [Mismatch("questionnaire", "embedded", f"unreadable: {exc}")]
    bundle = Bundle.from_report(report)
    out: List[Mismatch] = []
    for a in answered.get("answers", []):
        try:
            q = questionnaire.question(a["question"])
        except KeyError:
            out.append(Mismatch(a["question"], "answered", "no such question"))
            continue
        got = derive(q.rule, bundle, q)
        if a["basis"] == "derived" and (got is None or got.value != a["value"]):
            out.append(Mismatch(q.id, repr(a["value"]), "unknown" if got is None else repr(got.value)))
        elif a["basis"] != "derived" and got is not None:
            out.append(Mismatch(q.id, a["basis"], f"derived {got.value!r}"))
    return out
