"""Completing a report: the questionnaire answers, underwriting view and plan that read the whole of it.

The one place both a scan (``agent.pipeline.assess``) and a verifier
(``report.rederive``) finish a report, so the two can never drift apart; and
the one place a plan is made (:func:`plan_of`), which a reader of a report also
calls, since a report writes only its plan settings.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any, Mapping, Optional

from questionnaires.model import Attestation, Questionnaire
from report.model import Report, with_assessment

if TYPE_CHECKING:
    from report.plan import Plan


def plan_of(report: Report, plan_settings: Mapping[str, Any]) -> Plan:
    """The rectification plan of a report (whatever plan it holds aside), due dates counted from the day of the assessment."""
    from report.plan import plan_of_report

    return plan_of_report(report, plan_settings, report.run.started_at[:10])


def complete(
    core: Report,
    questionnaire: Optional[Questionnaire],
    attestations: Mapping[str, Attestation],
    plan_settings: Mapping[str, Any],
    level: int = 3,
) -> Report:
    """``core`` (evidence, findings and the views of them alone) with answers, scores and the plan added.

    The plan's due dates count from the day of the assessment; ``level`` is the MLPS protection level
    the MLPS view is judged at.
    """
    from questionnaires.engine import Bundle, answer_all, answered
    from report.underwriting import underwriting_view

    answers = None
    if questionnaire is not None:
        answers = answered(questionnaire, answer_all(questionnaire, Bundle(core.findings, core.evidence), attestations))
    underwriting = underwriting_view(core.findings, answers, core.run.started_at, level=level, profile=core.profile)
    report = with_assessment(core, answers, underwriting, None)
    return replace(report, plan=plan_of(report, plan_settings))
