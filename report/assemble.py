"""Completing a report: the questionnaire answers, underwriting view and plan that read the whole of it.

The one place both a scan (``agent.pipeline.assess``) and a verifier
(``report.rederive``) finish a report, so the two can never drift apart.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional

from questionnaires.model import Attestation, Questionnaire
from report.model import Report, with_assessment


def complete(
    core: Report,
    questionnaire: Optional[Questionnaire],
    attestations: Mapping[str, Attestation],
    plan_settings: Mapping[str, Any],
) -> Report:
    """``core`` (evidence, findings and the views of them alone) with answers, scores and the plan added.

    The plan's due dates count from the day of the assessment.
    """
    from questionnaires.engine import Bundle, answer_all, answered
    from report.plan import build_plan
    from report.underwriting import underwriting_view

    answers = None
    if questionnaire is not None:
        answers = answered(questionnaire, answer_all(questionnaire, Bundle(core.findings, core.evidence), attestations))
    underwriting = underwriting_view(core.findings, answers, core.run.started_at)
    plan = build_plan(
        core.findings,
        plan_settings,
        core.run.started_at[:10],
        report_id=core.report_id,
        target_name=core.target.name,
        target_kind=core.target.kind,
        assessed_at=core.run.started_at,
    )
    return with_assessment(core, answers, underwriting, plan)
