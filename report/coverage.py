"""The coverage an applicant asks for, scored: the requested-coverage view of an insurance application.

A report's insurer view scores the same five coverage lines and five scenarios for every host. An
application asks for particular lines of the pilot notice (with limits) and particular scenarios of its
sector, so this view scores exactly those, by the method of the insurer view (``score_findings``: the
severity-weighted pass ratio, its grade, the not-assessed cap and the open hard fails), over the lines
and scenarios of report/weights.json (``coverage_lines``/``scenarios`` and
``application_lines``/``application_scenarios``). A requested line that no check of the catalogue bears
on is "not assessable by this tool", never a clean score; one whose checks did not run or reached no
result is "not assessed". Lines and scenarios not requested are left out.

Pure and deterministic, like the underwriting view: it reads findings (and a report's questionnaire and
start date, for the hard-fail list), never the clock, the host or the network. Signed reports do not
carry this view: the application package does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Dict, List, Literal, Optional, Sequence, Set, Tuple, Union

from checks.model import CoverageLine, Finding, InsurerDomain, Status, Text
from collectors.strictjson import json_field
from questionnaires.applicant import CoverageRequest
from questionnaires.industry import Industry
from report.model import Report
from report.underwriting import (
    LineKind,
    LineSpec,
    ScenarioSpec,
    ScoreBlock,
    Weights,
    _default_weights,
    _open_hard_fail_findings,
    hard_fail_view,
    score_findings,
)

AssessState = Literal["scored", "not_assessed", "not_assessable"]

NOT_ASSESSABLE = Text(
    zh="本工具没有检查项涉及此项，评估报告不能为其评分：由保险人根据问卷、证明材料或其他方式评估。",
    en="No check of this tool bears on it, so the assessment reports cannot score it: the insurer assesses it "
    "from the questionnaire, the supporting documents or by other means.",
)
NOT_RUN = Text(
    zh="涉及此项的检查项未在这些评估中运行（属于其他评估类型，如工控网关或车联网后台）。",
    en="The checks that bear on it did not run in these assessments (they belong to another profile, such as an "
    "ICS gateway or a telematics backend).",
)
NO_RESULT = Text(
    zh="涉及此项的检查项均为无法评估、需人工核查或不适用，没有得出评分。",
    en="The checks that bear on it were all not assessable, manual or not applicable: there is no score.",
)


@dataclass(frozen=True)
class RequestedLineScore:
    """A requested coverage line with its limit and, where the findings allow, its score and grade.

    ``failed`` are the checks that failed among the line's findings, the reasons for a low grade.
    """

    id: str
    label: Text
    kind: LineKind
    limit_cny: int
    state: AssessState
    failed: Tuple[str, ...]
    deductible_cny: Optional[int] = field(default=None, metadata=json_field(omit_none=True))
    reason: Optional[Text] = field(default=None, metadata=json_field(omit_none=True))
    score: Optional[ScoreBlock] = field(default=None, metadata=json_field(omit_none=True))


@dataclass(frozen=True)
class RequestedScenarioScore:
    """A requested risk scenario, with the sectors and wording of the notice that name it."""

    id: str
    label: Text
    sectors: Tuple[str, ...]
    state: AssessState
    failed: Tuple[str, ...]
    notice: Optional[Text] = field(default=None, metadata=json_field(omit_none=True))
    reason: Optional[Text] = field(default=None, metadata=json_field(omit_none=True))
    score: Optional[ScoreBlock] = field(default=None, metadata=json_field(omit_none=True))


@dataclass(frozen=True)
class CoverageView:
    """The requested lines (in the order requested) and scenarios, scored over ``reports`` reports' findings.

    ``weights_version`` is the scoring method's (as in a report's underwriting view); ``application_version``
    names the mappings of the lines and scenarios reports do not score.
    """

    weights_version: str
    application_version: Optional[str]
    reports: int
    lines: Tuple[RequestedLineScore, ...]
    scenarios: Tuple[RequestedScenarioScore, ...]
    aggregate_limit_cny: Optional[int] = field(default=None, metadata=json_field(omit_none=True))

    @property
    def not_assessable(self) -> Tuple[str, ...]:
        """The ids of requested lines and scenarios that no check of this tool bears on."""
        return tuple(x.id for x in self.lines if x.state == "not_assessable") + tuple(
            x.id for x in self.scenarios if x.state == "not_assessable"
        )


# ---------------------------------------------------------------------------------------------- membership


_Member = Callable[[str, Tuple[InsurerDomain, ...], Tuple[CoverageLine, ...]], bool]


def _has_prefix(check_id: str, prefixes: Sequence[str]) -> bool:
    return any(check_id == p or check_id.startswith(p + "-") for p in prefixes)


def line_member(spec: LineSpec) -> _Member:
    """Whether a check (id, insurer domains, coverage lines) bears on a line.

    A line of the report's insurer view: the check declares it, exactly as the insurer view counts it. An
    application line: the check declares one of its ``coverage`` lines, has one of its ``domains`` or an id with
    one of its ``check_prefixes``.
    """
    declared = {spec.id, *spec.coverage}
    domains = set(spec.domains)

    def member(check_id: str, check_domains: Tuple[InsurerDomain, ...], lines: Tuple[CoverageLine, ...]) -> bool:
        return (
            any(c.value in declared for c in lines)
            or any(d.value in domains for d in check_domains)
            or _has_prefix(check_id, spec.check_prefixes)
        )

    return member


def scenario_member(spec: ScenarioSpec) -> _Member:
    """Whether a check bears on a scenario: the insurer view's rule (``underwriting._in_scenario``)."""
    domains = set(spec.domains)

    def member(check_id: str, check_domains: Tuple[InsurerDomain, ...], lines: Tuple[CoverageLine, ...]) -> bool:
        return any(d.value in domains for d in check_domains) or _has_prefix(check_id, spec.check_prefixes)

    return member


def bearing_checks(member: _Member) -> Tuple[str, ...]:
    """The checks of this build's catalogue that bear on a line or scenario: none means not assessable by this tool."""
    from checks.catalogue import all_checks

    return tuple(cid for cid, rc in all_checks().items() if member(cid, rc.meta.domains, rc.meta.coverage))


# ---------------------------------------------------------------------------------------------- the view


def _findings_and_open_hard_fails(
    source: Union[Report, Sequence[Report], Sequence[Finding]], weights: Weights
) -> Tuple[List[Finding], Set[Tuple[str, Optional[str]]], int]:
    """All findings, the (check, target) keys of failures that are open hard fails, and how many reports."""
    items: Sequence[Union[Report, Finding]] = [source] if isinstance(source, Report) else list(source)
    reports = [x for x in items if isinstance(x, Report)]
    loose = [x for x in items if isinstance(x, Finding)]
    if reports and loose:
        raise TypeError("coverage_view: give reports or findings, not both")
    if not reports:
        hard_fail = hard_fail_view(loose, None, "", weights)
        return loose, _open_hard_fail_findings(hard_fail), 0
    findings: List[Finding] = []
    open_ids: Set[Tuple[str, Optional[str]]] = set()
    for report in reports:
        hard_fail = hard_fail_view(report.findings, report.questionnaire, report.run.started_at, weights)
        open_ids |= _open_hard_fail_findings(hard_fail)
        findings.extend(report.findings)
    return findings, open_ids, len(reports)


def _assess(
    member: _Member, findings: Sequence[Finding], weights: Weights, open_ids: Set[Tuple[str, Optional[str]]]
) -> Tuple[AssessState, Optional[Text], Tuple[str, ...], Optional[ScoreBlock]]:
    if not bearing_checks(member):
        return "not_assessable", NOT_ASSESSABLE, (), None
    members = [f for f in findings if member(f.check_id, f.insurer_domains, f.coverage_lines)]
    block = score_findings(members, weights, open_ids)
    failed = tuple(sorted({f.check_id for f in members if f.status is Status.FAIL}))
    if block.score is None:
        return "not_assessed", (NO_RESULT if members else NOT_RUN), failed, None
    return "scored", None, failed, block


def coverage_view(
    report_or_findings: Union[Report, Sequence[Report], Sequence[Finding]],
    requested: CoverageRequest,
    weights: Optional[Weights] = None,
) -> CoverageView:
    """Score the requested lines and scenarios over one report, several reports (their findings together) or findings.

    A report's hard-fail list is worked out from its findings, questionnaire and start date, as its underwriting
    view does; bare findings have no questionnaire. ``weights`` default to the packaged weights.json. A requested
    id that the weights do not define, or a line they do not let an application request, is a ValueError naming
    the field of the request.
    """
    weights = weights or _default_weights()
    lines_by_id: Dict[str, LineSpec] = {s.id: s for s in (*weights.coverage_lines, *weights.application_lines)}
    scenarios_by_id: Dict[str, ScenarioSpec] = {s.id: s for s in (*weights.scenarios, *weights.application_scenarios)}
    findings, open_ids, n_reports = _findings_and_open_hard_fails(report_or_findings, weights)

    lines: List[RequestedLineScore] = []
    for i, req in enumerate(requested.lines):
        spec = lines_by_id.get(req.line)
        if spec is None or spec.kind is None:
            known = ", ".join(s for s, v in lines_by_id.items() if v.kind is not None)
            what = "is not a line an application can request" if spec is not None else "is not a known coverage line"
            raise ValueError(f"coverage.lines[{i}].line: {req.line!r} {what}; use one of {known}")
        state, reason, failed, block = _assess(line_member(spec), findings, weights, open_ids)
        lines.append(RequestedLineScore(spec.id, spec.label, spec.kind, req.limit_cny, state, failed, req.deductible_cny, reason, block))

    scenarios: List[RequestedScenarioScore] = []
    for i, scen_id in enumerate(requested.scenarios):
        scen = scenarios_by_id.get(scen_id)
        if scen is None:
            raise ValueError(f"coverage.scenarios[{i}]: {scen_id!r} is not a known scenario; use one of {', '.join(scenarios_by_id)}")
        state, reason, failed, block = _assess(scenario_member(scen), findings, weights, open_ids)
        scenarios.append(RequestedScenarioScore(scen.id, scen.label, scen.sectors, state, failed, scen.notice, reason, block))

    return CoverageView(
        weights_version=weights.version,
        application_version=weights.application_version,
        reports=n_reports,
        lines=tuple(lines),
        scenarios=tuple(scenarios),
        aggregate_limit_cny=requested.aggregate_limit_cny,
    )


def notice_scenarios(industry: Industry, weights: Optional[Weights] = None) -> Tuple[str, ...]:
    """The scenarios the pilot notice names for a sector (附件 §三), for an application to offer first."""
    weights = weights or _default_weights()
    return tuple(s.id for s in (*weights.scenarios, *weights.application_scenarios) if industry.value in s.sectors)
