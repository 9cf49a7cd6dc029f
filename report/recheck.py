"""Re-judging a report's embedded evidence, as an insurer's verifier does.

A valid signature proves who wrote the report; re-running the checks over the
evidence it carries proves the findings follow from that evidence with this
version of the catalogue, and recomputing every derived section proves the
summary, views, scores and plan follow from the findings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional

from checks.catalogue import all_checks
from checks.registry import EvidenceView, evaluate_one, evidence_groups
from report.model import Report


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


def recheck(report: Report) -> RecheckResult:
    """Recompute every finding from the embedded evidence and compare statuses, then the derived sections."""
    views: Dict[Optional[str], EvidenceView] = {target: EvidenceView(group) for target, group in evidence_groups(report.evidence)}
    registry = all_checks()
    unknown: List[str] = []
    mismatches: List[Mismatch] = []
    checked = 0
    for f in report.findings:
        rc = registry.get(f.check_id)
        if rc is None:
            unknown.append(f.check_id)
            continue
        view = views.get(f.target)
        if view is None:
            mismatches.append(Mismatch(f.check_id, f.status.value, f"no embedded evidence for target {f.target}"))
            continue
        again = evaluate_one(rc, view, f.params, f.target)
        checked += 1
        if again.status is not f.status:
            mismatches.append(Mismatch(f.check_id, f.status.value, again.status.value))
    return RecheckResult(checked, unknown, mismatches + _recheck_derived_sections(report), _recheck_answers(report))


def _recheck_derived_sections(report: Report) -> List[Mismatch]:
    """The summary, views, scores and plan must be exactly what the findings give."""
    from report.model import summarise
    from report.plan import build_plan
    from report.profile_view import build_profile_view
    from report.scanner_view import build_scanner_view
    from report.underwriting import underwriting_view

    out: List[Mismatch] = []
    findings = report.findings
    if report.summary != summarise(findings):
        out.append(Mismatch("summary", "as signed", "different when recomputed from the findings"))
    if report.scanner_view != build_scanner_view(findings):
        out.append(Mismatch("scanner_view", "as signed", "different when recomputed from the findings"))
    if report.profile_view != build_profile_view(report.profile, findings):
        out.append(Mismatch("profile_view", "as signed", "different when recomputed from the findings"))
    plan = report.plan
    if plan is not None:
        again = build_plan(
            findings,
            {"owners": plan.settings.owners, "default_owner": plan.settings.default_owner, "sla_days": plan.settings.sla_days},
            plan.today,
            report_id=report.report_id,
            target_name=report.target.name,
            target_kind=report.target.kind,
            assessed_at=report.run.started_at,
        )
        if plan != again:
            out.append(Mismatch("plan", "as signed", "different when recomputed from the findings and its settings"))
    if report.underwriting is not None and report.underwriting != underwriting_view(findings, report.questionnaire, report.run.started_at):
        out.append(Mismatch("underwriting", "as signed", "different when recomputed from the findings and answers"))
    return out


def _recheck_answers(report: Report) -> List[Mismatch]:
    """Derived answers must follow from the embedded definition and evidence."""
    from questionnaires.engine import Bundle, derive
    from questionnaires.loader import QuestionnaireError, questionnaire_from_json
    from questionnaires.model import Basis

    answered = report.questionnaire
    if answered is None:
        return []
    try:
        questionnaire = questionnaire_from_json(answered.definition, "embedded questionnaire")
    except (QuestionnaireError, KeyError) as exc:
        return [Mismatch("questionnaire", "embedded", f"unreadable: {exc}")]
    bundle = Bundle(report.findings, report.evidence)
    out: List[Mismatch] = []
    for a in answered.answers:
        try:
            q = questionnaire.question(a.question)
        except KeyError:
            out.append(Mismatch(a.question, "answered", "no such question"))
            continue
        got = derive(q.rule, bundle, q)
        if a.basis is Basis.DERIVED and (got is None or got.value != a.value):
            out.append(Mismatch(q.id, repr(a.value), "unknown" if got is None else repr(got.value)))
        elif a.basis is not Basis.DERIVED and got is not None:
            out.append(Mismatch(q.id, a.basis.value, f"derived {got.value!r}"))
    return out
