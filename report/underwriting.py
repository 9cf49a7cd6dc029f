"""Underwriting view of a report: MLPS results per unit, the insurer score and the hard-fail list.

Pure and deterministic: it reads the findings, the questionnaire answers and the run's start date (the
reference for "drill within a year"), never the clock or the host. Weights live in ``weights.json`` next to
this module; see its ``_comment`` for the method.
"""

from __future__ import annotations

import datetime as _dt
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar, Dict, FrozenSet, Iterable, List, Literal, Mapping, Optional, Sequence, Set, Tuple, Union

from checks.high_risk import CASES
from checks.mlps import LAYERS, UNITS, at_level, clause_key, units_at
from checks.model import CoverageLine, Finding, InsurerDomain, MlpsRef, Severity, Status, Text
from collectors.profile import Profile
from collectors.strictjson import JSON, from_json, json_field
from questionnaires.industry import Industry
from questionnaires.model import AnsweredQuestionnaire, Basis
from report.high_risk import failed_cases

WEIGHTS_PATH = Path(__file__).with_name("weights.json")

RESULT_LABELS: Dict[str, Text] = {
    "compliant": Text(zh="符合", en="Compliant"),
    "partial": Text(zh="部分符合", en="Partly compliant"),
    "non_compliant": Text(zh="不符合", en="Non-compliant"),
    "not_applicable": Text(zh="不适用", en="Not applicable"),
    "not_assessed": Text(zh="未评估", en="Not assessed"),
}
RESULT_ORDER = ("non_compliant", "partial", "not_assessed", "compliant", "not_applicable")

LAYER_LABELS: Dict[str, Text] = {
    "CNS": Text(zh="安全通信网络", en="Secure communication network"),
    "ABS": Text(zh="安全区域边界", en="Secure area boundary"),
    "CES": Text(zh="安全计算环境", en="Secure computing environment"),
    "SMC": Text(zh="安全管理中心", en="Security management centre"),
}

CONCLUSION_NOTE = Text(
    zh="存在未整改且无缓解措施的高风险问题时，等级测评结论为“差”；标为“可酌情降级”的高风险项由测评人员结合缓解措施判断。"
    "本工具不计算综合得分，也不给出优/良/中结论：综合得分要汇总定级对象全部层面（含安全物理环境和安全管理要求）、"
    "全部测评对象的测评项结果，并经测评机构现场核查；本工具只评估它所采集对象的技术测评项。",
    en="An open high-risk case with no mitigation makes the MLPS conclusion 差 (poor); cases marked \"may be downgraded\" "
    "are for the assessor to weigh against the mitigation shown. The agent computes no 综合得分 (composite score) and "
    "gives no 优/良/中 conclusion: the score sums the unit results of every layer (physical environment and management "
    "included) over every object of the system, verified on site by an accredited assessment body; the agent assesses "
    "only the technical units of the objects it collects from.",
)

MlpsLevel = Literal[2, 3]
# The extensions whose units join the general ones, by the kind of system a profile assesses.
PROFILE_EXTENSIONS: Dict[Profile, Tuple[int, ...]] = {Profile.ICS_GATEWAY: (1, 5), Profile.TELEMATICS: (1, 4)}


# ---------------------------------------------------------------------------------------------- weights


@dataclass(frozen=True)
class GradeBand:
    grade: str
    min_score: int


@dataclass(frozen=True)
class NotAssessedCap:
    min_share_bp: int
    best_grade: str


LineKind = Literal["property", "liability"]


def _notes() -> Any:
    """A ``_comment`` list on an entry of weights.json: the reasoning behind a mapping, never read by the scoring."""
    return field(default=(), metadata=json_field(name="_comment", omit_empty=True))


@dataclass(frozen=True)
class LineSpec:
    """A coverage line (保险责任).

    A line of ``coverage_lines`` is scored in every report's insurer view over the findings whose check declares
    it (``CoverageLine``), and lists nothing else. A line of ``application_lines`` is scored only in an
    application's requested-coverage view (report/coverage.py), over the findings whose check declares one of
    ``coverage``, has one of ``domains`` or has an id with one of ``check_prefixes``; with none of the three, no
    check bears on it. ``kind`` is the notice's class (财产类 property, 责任类 liability); a line without one
    cannot be requested.
    """

    id: str
    label: Text
    kind: Optional[LineKind] = field(default=None, metadata=json_field(omit_none=True))
    coverage: Tuple[str, ...] = field(default=(), metadata=json_field(omit_empty=True))
    domains: Tuple[str, ...] = field(default=(), metadata=json_field(omit_empty=True))
    check_prefixes: Tuple[str, ...] = field(default=(), metadata=json_field(omit_empty=True))
    comment: Tuple[str, ...] = _notes()


@dataclass(frozen=True)
class ScenarioSpec:
    """A risk scenario: the findings with one of ``domains`` or a check id with one of ``check_prefixes``.

    ``sectors`` are the industries (questionnaires/applicant.schema.json) whose scenarios the pilot notice
    (附件 §三) names it for, and ``notice`` its wording there.
    """

    id: str
    label: Text
    domains: Tuple[str, ...]
    check_prefixes: Tuple[str, ...]
    sectors: Tuple[str, ...] = field(default=(), metadata=json_field(omit_empty=True))
    notice: Optional[Text] = field(default=None, metadata=json_field(omit_none=True))
    comment: Tuple[str, ...] = _notes()


@dataclass(frozen=True)
class HardFailQuestion:
    id: str
    kind: Literal["yes_no", "date_within_days"]
    fail_value: Optional[str] = field(default=None, metadata=json_field(omit_none=True))
    max_age_days: Optional[int] = field(default=None, metadata=json_field(omit_none=True))


@dataclass(frozen=True)
class HardFailSpec:
    id: str
    label: Text
    checks: Tuple[str, ...]
    high_risk_cases: Tuple[str, ...]
    question: Optional[HardFailQuestion] = field(default=None, metadata=json_field(omit_none=True))


@dataclass(frozen=True)
class Weights:
    """The scoring method's numbers (weights.json). Integers only, so the output stays integral."""

    comment: Tuple[str, ...] = field(metadata=json_field(name="_comment"))
    version: str
    severity_weights: Dict[str, int]
    grade_bands: Tuple[GradeBand, ...]
    not_assessed_caps: Tuple[NotAssessedCap, ...]
    coverage_lines: Tuple[LineSpec, ...]
    scenarios: Tuple[ScenarioSpec, ...]
    hard_fail: Tuple[HardFailSpec, ...]
    # Scored only in an application's requested-coverage view, never in a report: ``version`` (which a signed
    # report names) stays with the report's scoring, ``application_version`` names these mappings.
    application_version: Optional[str] = field(default=None, metadata=json_field(omit_none=True))
    application_lines: Tuple[LineSpec, ...] = field(default=(), metadata=json_field(omit_empty=True))
    application_scenarios: Tuple[ScenarioSpec, ...] = field(default=(), metadata=json_field(omit_empty=True))

    def __post_init__(self) -> None:
        self._check_specs()
        if not self.grade_bands:
            raise ValueError("grade_bands: at least one band is needed")
        grades = {b.grade for b in self.grade_bands}
        for cap in self.not_assessed_caps:
            if cap.best_grade not in grades:
                raise ValueError(f"not_assessed_caps: {cap.best_grade!r} is not a grade of grade_bands")
        for name, value in self.severity_weights.items():
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"severity_weights.{name}: expected a non-negative integer, got {value!r}")
        for band in self.grade_bands:
            if isinstance(band.min_score, bool) or not isinstance(band.min_score, int):
                raise ValueError(f"grade_bands: min_score of {band.grade} must be an integer")
        for spec in self.hard_fail:
            q = spec.question
            if q is not None and q.kind == "date_within_days" and q.max_age_days is None:
                raise ValueError(f"hard_fail {spec.id}: date_within_days needs max_age_days")

    def _check_specs(self) -> None:
        """Line and scenario ids are unique; domains, coverage lines and sectors are ones the agent knows."""
        domains = {d.value for d in InsurerDomain}
        lines = {c.value for c in CoverageLine}
        sectors = {i.value for i in Industry}

        def known(where: str, values: Iterable[str], allowed: Set[str], what: str) -> None:
            for value in values:
                if value not in allowed:
                    raise ValueError(f"{where}: unknown {what} {value!r}")

        seen: Set[str] = set()
        for key, specs in (("coverage_lines", self.coverage_lines), ("application_lines", self.application_lines)):
            for i, line in enumerate(specs):
                where = f"{key}[{i}] ({line.id})"
                if line.id in seen:
                    raise ValueError(f"{where}: a second line with this id")
                seen.add(line.id)
                if key == "coverage_lines" and (line.coverage or line.domains or line.check_prefixes):
                    raise ValueError(f"{where}: a line of the report's insurer view is scored over the findings that declare it; "
                                     "coverage, domains and check_prefixes belong to application_lines")
                if key == "application_lines" and line.kind is None:
                    raise ValueError(f"{where}: an application line needs its kind (property or liability)")
                known(f"{where}.coverage", line.coverage, lines, "coverage line")
                known(f"{where}.domains", line.domains, domains, "insurer domain")
        seen = set()
        for key, scens in (("scenarios", self.scenarios), ("application_scenarios", self.application_scenarios)):
            for i, scen in enumerate(scens):
                where = f"{key}[{i}] ({scen.id})"
                if scen.id in seen:
                    raise ValueError(f"{where}: a second scenario with this id")
                seen.add(scen.id)
                known(f"{where}.domains", scen.domains, domains, "insurer domain")
                known(f"{where}.sectors", scen.sectors, sectors, "industry")

    @property
    def grades_best_first(self) -> List[str]:
        return [b.grade for b in sorted(self.grade_bands, key=lambda b: -b.min_score)]


def load_weights(path: Optional[Path] = None) -> Weights:
    """Read and validate a weights file (the packaged one by default); ValueError names the field."""
    if path is None:
        return _default_weights()
    return from_json(Weights, json.loads(path.read_text(encoding="utf-8")))


@lru_cache(maxsize=1)
def _default_weights() -> Weights:
    return from_json(Weights, json.loads(WEIGHTS_PATH.read_text(encoding="utf-8")))


# ---------------------------------------------------------------------------------------------- the view's shape


@dataclass(frozen=True)
class OpenCase:
    """An MLPS high-risk case (高风险判定指引) that a failed check leaves open.

    ``state`` is "mitigable" (高风险，可酌情降级) when the host's evidence shows a mitigation the guide
    allows; ``mitigated_by`` names the checks that show it.
    """

    case: str
    check_id: str
    target: Optional[str]
    severity: Severity
    units: Tuple[str, ...]
    state: Literal["open", "mitigable"]
    mitigated_by: Tuple[str, ...]


@dataclass(frozen=True)
class UnitCounts:
    passed: int = field(metadata=json_field(name="pass"))
    fail: int
    not_applicable: int
    not_assessed: int


# In a report's JSON, static texts (result labels, layer names, the conclusion note, coverage-line, scenario and
# hard-fail labels) and what the other fields already say are left out wherever they are what the code gives, and
# filled in when the report is read (``__json_elided__``: a value that differs is written, so nothing is lost).


def _result_label(written: Mapping[str, Any]) -> Dict[str, Any]:
    result = written["result"]
    return {"label": RESULT_LABELS[result]} if result in RESULT_LABELS else {}


def _weights_label(specs: Iterable[Union[LineSpec, ScenarioSpec, HardFailSpec]], spec_id: str) -> Dict[str, Any]:
    return next(({"label": s.label} for s in specs if s.id == spec_id), {})


@dataclass(frozen=True)
class UnitResult:
    """One MLPS test unit (测评项): its result from the checks mapped to it."""

    __json_elided__: ClassVar[Tuple[str, ...]] = ("control_point", "layer", "label")

    unit: str
    clause: str
    control_point: str
    layer: str
    result: str
    label: Text
    complete: bool
    high_risk_open: bool
    counts: UnitCounts
    check_ids: Tuple[str, ...]

    @classmethod
    def __json_fill__(cls, written: Mapping[str, Any]) -> Dict[str, Any]:
        parts = written["unit"].split("-")
        layer = {"layer": parts[1][:3]} if len(parts) == 3 else {}
        return {**_result_label(written), **layer, "control_point": written["clause"].split(" ", 1)[0]}


@dataclass(frozen=True)
class PointResult:
    """One control point (控制点): the roll-up of its units."""

    __json_elided__: ClassVar[Tuple[str, ...]] = ("clause", "label")

    control_point: str
    clause: str
    name: Optional[Text]
    layer: str
    result: str
    label: Text
    complete: bool
    high_risk_open: bool
    units: Tuple[str, ...]
    counts: Dict[str, int]

    @classmethod
    def __json_fill__(cls, written: Mapping[str, Any]) -> Dict[str, Any]:
        return {**_result_label(written), "clause": written["control_point"]}


@dataclass(frozen=True)
class LayerResult:
    """One technical layer (层面): the roll-up of its control points."""

    __json_elided__: ClassVar[Tuple[str, ...]] = ("name", "label")

    layer: str
    name: Optional[Text]
    result: str
    label: Text
    complete: bool
    high_risk_open: bool
    control_points: Tuple[str, ...]
    counts: Dict[str, int]

    @classmethod
    def __json_fill__(cls, written: Mapping[str, Any]) -> Dict[str, Any]:
        return {**_result_label(written), "name": LAYER_LABELS.get(written["layer"])}


@dataclass(frozen=True)
class MlpsView:
    """The MLPS results at one protection level (等级): unit ids and clauses are that level's.

    ``units`` are the units some finding speaks to; ``units_not_assessed`` the other units of the
    level's set (the general requirements of the four technical layers, plus the extension of the
    profile's kind of system), which no finding of the report speaks to. Open high-risk cases are those
    that apply at the level.
    """

    __json_elided__: ClassVar[Tuple[str, ...]] = ("conclusion_note", "result_labels")

    level: MlpsLevel
    high_risk_open: Tuple[OpenCase, ...]
    conclusion_hint: Optional[str]
    conclusion_note: Text
    units: Tuple[UnitResult, ...]
    control_points: Tuple[PointResult, ...]
    layers: Tuple[LayerResult, ...]
    units_not_assessed: Tuple[str, ...]
    result_labels: Dict[str, Text]

    @classmethod
    def __json_fill__(cls, written: Mapping[str, Any]) -> Dict[str, Any]:
        return {"conclusion_note": CONCLUSION_NOTE, "result_labels": dict(RESULT_LABELS)}


@dataclass(frozen=True)
class ScoreBlock:
    """A severity-weighted pass ratio with its grade (the fields every score carries)."""

    score: Optional[int]
    score_bp: Optional[int]
    grade: Optional[str]
    grade_capped_by: Tuple[str, ...]
    assessed: int
    passed: int
    failed: int
    not_assessed: int
    not_applicable: int
    weight_passed: int
    weight_assessed: int


@dataclass(frozen=True)
class GroupScore(ScoreBlock):
    """The score of one coverage line or risk scenario."""

    __json_elided__: ClassVar[Tuple[str, ...]] = ("label",)

    id: str
    label: Text

    @classmethod
    def __json_fill__(cls, written: Mapping[str, Any]) -> Dict[str, Any]:
        weights = _default_weights()
        return _weights_label((*weights.coverage_lines, *weights.scenarios), written["id"])


@dataclass(frozen=True)
class InsurerView(ScoreBlock):
    """The overall score, and per coverage line and scenario."""

    binding_blocked: bool
    severity_weights: Dict[str, int]
    coverage_lines: Tuple[GroupScore, ...]
    scenarios: Tuple[GroupScore, ...]


@dataclass(frozen=True)
class CheckState:
    """A hard-fail item's evidence: one finding's status, and the checks that show a mitigation of its failure."""

    check_id: str
    target: Optional[str]
    status: Status
    mitigated_by: Tuple[str, ...] = ()


@dataclass(frozen=True)
class AnswerState:
    """A hard-fail item's evidence: one questionnaire answer."""

    question: str
    basis: str
    value: JSON
    age_days: Optional[int] = field(default=None, metadata=json_field(omit_none=True))


@dataclass(frozen=True)
class HardFailEntry:
    __json_elided__: ClassVar[Tuple[str, ...]] = ("label",)

    id: str
    label: Text
    state: Literal["open", "mitigable", "unknown", "clear"]
    checks: Tuple[str, ...]
    high_risk_cases: Tuple[str, ...]
    evidence: Tuple[Union[CheckState, AnswerState], ...]

    @classmethod
    def __json_fill__(cls, written: Mapping[str, Any]) -> Dict[str, Any]:
        return _weights_label(_default_weights().hard_fail, written["id"])


@dataclass(frozen=True)
class NotCovered:
    __json_elided__: ClassVar[Tuple[str, ...]] = ("label",)

    id: str
    label: Text
    reason: str

    @classmethod
    def __json_fill__(cls, written: Mapping[str, Any]) -> Dict[str, Any]:
        return _weights_label(_default_weights().hard_fail, written["id"])


@dataclass(frozen=True)
class HardFailView:
    """The items that block binding: open blocks it, unknown leaves it unconfirmed."""

    entries: Tuple[HardFailEntry, ...]
    binding_blocked: bool
    binding_unconfirmed: bool
    not_covered: Tuple[NotCovered, ...]


@dataclass(frozen=True)
class Underwriting:
    """MLPS, insurer and hard-fail views of one report."""

    weights_version: str
    mlps: MlpsView
    insurer: InsurerView
    hard_fail: HardFailView


# ---------------------------------------------------------------------------------------------- MLPS


_clause_key = clause_key


def case_min_level(case_id: str) -> int:
    """The lowest level a 高风险 case applies at (its 适用范围: 二级及以上 or 三级及以上); unknown cases at every level."""
    case = CASES.get(case_id)
    if case is None:
        return 2
    return 3 if "三级" in case.applies.zh else 2


def unit_set(level: int, profile: Optional[Profile]) -> Tuple[str, ...]:
    """The unit ids of ``level`` the MLPS view accounts for: the general requirements, plus the profile's extension."""
    return tuple(u.unit for u in units_at(level, PROFILE_EXTENSIONS.get(profile, (1,)) if profile is not None else (1,)))


def _rollup(codes: Iterable[str]) -> str:
    """Combine unit results (or statuses mapped to results) the same way at every level."""
    seen = set(codes)
    if "partial" in seen or {"compliant", "non_compliant"} <= seen:
        return "partial"
    if "non_compliant" in seen:
        return "non_compliant"
    if "not_assessed" in seen:
        # Something unassessed next to passes only: call it compliant but say it is incomplete (``complete``).
        return "compliant" if "compliant" in seen else "not_assessed"
    if "compliant" in seen:
        return "compliant"
    if "not_applicable" in seen:
        return "not_applicable"
    return "not_assessed"


_STATUS_AS_RESULT = {
    Status.PASS: "compliant",
    Status.FAIL: "non_compliant",
    Status.NOT_APPLICABLE: "not_applicable",
    Status.ERROR: "not_assessed",
    Status.MANUAL: "not_assessed",
}


def _counts(codes: Sequence[str]) -> Dict[str, int]:
    return {code: codes.count(code) for code in RESULT_ORDER}


def mlps_view(findings: Sequence[Finding], level: int = 3, profile: Optional[Profile] = None) -> MlpsView:
    """Results per unit, control point and layer at ``level``; open high-risk cases first.

    At level 2 a finding speaks to the level-2 form of its units (``checks.mlps.at_level``); units with no
    level-2 requirement, and 高风险 cases that apply from level 3 only, are not part of the view.
    """
    if level not in (2, 3):
        raise ValueError(f"MLPS level {level!r}: the agent knows the unit sets of levels 2 and 3")
    statuses_by_unit: Dict[str, List[Status]] = {}
    checks_by_unit: Dict[str, Set[str]] = {}
    ref_of: Dict[str, Tuple[str, str]] = {}
    point_name: Dict[str, Text] = {}

    def at(m: MlpsRef) -> Optional[Tuple[str, str, str]]:
        if level == 3 and m.unit not in UNITS:
            return m.unit, m.clause, m.layer.value
        u = at_level(m.unit, level)
        if u is None:
            return None
        point_name.setdefault(u.unit, u.point)
        return u.unit, u.clause, u.layer

    for f in findings:
        for m in f.mlps:
            found = at(m)
            if found is None:
                continue
            uid, clause, layer = found
            statuses_by_unit.setdefault(uid, []).append(f.status)
            checks_by_unit.setdefault(uid, set()).add(f.check_id)
            ref_of.setdefault(uid, (clause, layer))
    high_risk_open: List[OpenCase] = []
    for f, state, by in failed_cases(findings):
        if case_min_level(f.high_risk_case or "") > level:
            continue
        units = {a[0] for a in (at(m) for m in f.mlps) if a is not None}
        high_risk_open.append(OpenCase(f.high_risk_case or "", f.check_id, f.target, f.severity, tuple(sorted(units)), state, by))
    high_risk_open.sort(key=lambda h: (_clause_key(h.case), h.check_id, h.target or ""))
    open_units = {u for h in high_risk_open for u in h.units}

    unit_rows: List[UnitResult] = []
    for unit, statuses in statuses_by_unit.items():
        result = _rollup(_STATUS_AS_RESULT[s] for s in statuses)
        n_unassessed = sum(1 for s in statuses if s in (Status.ERROR, Status.MANUAL))
        clause, layer = ref_of[unit]
        unit_rows.append(
            UnitResult(
                unit=unit,
                clause=clause,
                control_point=clause.split(" ", 1)[0],
                layer=layer,
                result=result,
                label=RESULT_LABELS[result],
                complete=n_unassessed == 0,
                high_risk_open=unit in open_units,
                counts=UnitCounts(
                    statuses.count(Status.PASS), statuses.count(Status.FAIL), statuses.count(Status.NOT_APPLICABLE), n_unassessed
                ),
                check_ids=tuple(sorted(checks_by_unit[unit])),
            )
        )
    unit_rows.sort(key=lambda r: (0 if r.high_risk_open else 1, _clause_key(r.clause), r.unit))

    points: Dict[str, List[UnitResult]] = {}
    for row in unit_rows:
        points.setdefault(row.control_point, []).append(row)
    point_rows: List[PointResult] = []
    for point, rows in points.items():
        codes = [r.result for r in rows]
        result = _rollup(codes)
        point_rows.append(
            PointResult(
                control_point=point,
                clause=point,
                name=point_name.get(rows[0].unit),
                layer=rows[0].layer,
                result=result,
                label=RESULT_LABELS[result],
                complete=all(r.complete for r in rows),
                high_risk_open=any(r.high_risk_open for r in rows),
                units=tuple(sorted(r.unit for r in rows)),
                counts=_counts(codes),
            )
        )
    point_rows.sort(key=lambda r: (0 if r.high_risk_open else 1, _clause_key(r.clause)))

    layers: Dict[str, List[PointResult]] = {}
    for prow in point_rows:
        layers.setdefault(prow.layer, []).append(prow)
    layer_order = list(LAYERS)
    layer_rows: List[LayerResult] = []
    for layer in sorted(layers, key=lambda x: (layer_order.index(x) if x in layer_order else 99, x)):
        prows = layers[layer]
        codes = [r.result for r in prows]
        result = _rollup(codes)
        layer_rows.append(
            LayerResult(
                layer=layer,
                name=LAYER_LABELS.get(layer),
                result=result,
                label=RESULT_LABELS[result],
                complete=all(r.complete for r in prows),
                high_risk_open=any(r.high_risk_open for r in prows),
                control_points=tuple(sorted((r.control_point for r in prows), key=_clause_key)),
                counts=_counts(codes),
            )
        )
    seen = {row.unit for row in unit_rows}
    return MlpsView(
        level=3 if level == 3 else 2,
        high_risk_open=tuple(high_risk_open),
        conclusion_hint="差" if any(h.state == "open" for h in high_risk_open) else None,
        conclusion_note=CONCLUSION_NOTE,
        units=tuple(unit_rows),
        control_points=tuple(point_rows),
        layers=tuple(layer_rows),
        units_not_assessed=tuple(u for u in unit_set(level, profile) if u not in seen),
        result_labels=dict(RESULT_LABELS),
    )


# ---------------------------------------------------------------------------------------------- hard fails


def _run_date(started_at: str) -> Optional[_dt.date]:
    try:
        return _dt.date.fromisoformat(started_at[:10])
    except ValueError:
        return None


def _question_state(question: HardFailQuestion, questionnaire: Optional[AnsweredQuestionnaire], today: Optional[_dt.date]) -> Tuple[str, AnswerState]:
    answer = questionnaire.answer(question.id) if questionnaire is not None else None
    if answer is None:
        return "unknown", AnswerState(question.id, "missing", None)
    value = answer.value
    evidence = AnswerState(question.id, answer.basis.value, value if isinstance(value, (str, int, bool)) else None)
    if answer.basis is Basis.UNKNOWN or value is None:
        return "unknown", evidence
    if question.kind == "yes_no":
        if value == (question.fail_value or "no"):
            return "open", evidence
        return ("clear", evidence) if value in ("yes", "no") else ("unknown", evidence)
    # date_within_days: the last drill must be no older than max_age_days before the run started.
    try:
        when = _dt.date.fromisoformat(str(value))
    except ValueError:
        return "unknown", evidence
    if today is None:
        return "unknown", evidence
    age = (today - when).days
    evidence = AnswerState(evidence.question, evidence.basis, evidence.value, age)
    return ("open" if age > (question.max_age_days or 0) else "clear"), evidence


def hard_fail_view(
    findings: Sequence[Finding], questionnaire: Optional[AnsweredQuestionnaire], started_at: str, weights: Weights
) -> HardFailView:
    """The DOMAIN §9 killer controls: open blocks binding, unknown leaves it unconfirmed."""
    today = _run_date(started_at)
    entries: List[HardFailEntry] = []
    not_covered: List[NotCovered] = []
    for spec in weights.hard_fail:
        checks = set(spec.checks)
        cases = set(spec.high_risk_cases)
        matched = [f for f in findings if f.check_id in checks or f.high_risk_case in cases]
        if not matched and not checks and spec.question is None:
            not_covered.append(NotCovered(spec.id, spec.label, "no check covers this yet"))
            continue
        mitigations = {(f.check_id, f.target): by for f, _, by in failed_cases(findings) if by}
        evidence: List[Union[CheckState, AnswerState]] = [
            CheckState(f.check_id, f.target, f.status, mitigations.get((f.check_id, f.target), ()))
            for f in sorted(matched, key=lambda f: (f.check_id, f.target or ""))
        ]
        statuses = {f.status for f in matched}
        states: List[str] = []
        if checks or matched:
            failing = [f for f in matched if f.status is Status.FAIL]
            if failing and all((f.check_id, f.target) in mitigations for f in failing):
                states.append("mitigable")
            elif failing:
                states.append("open")
            elif not matched or statuses - {Status.PASS, Status.NOT_APPLICABLE}:
                states.append("unknown")
            else:
                states.append("clear")
        if spec.question is not None:
            qstate, qevidence = _question_state(spec.question, questionnaire, today)
            states.append(qstate)
            evidence.append(qevidence)
        state: Literal["open", "mitigable", "unknown", "clear"] = next((s for s in ("open", "mitigable", "unknown") if s in states), "clear")
        entries.append(HardFailEntry(spec.id, spec.label, state, tuple(sorted(checks)), tuple(sorted(cases)), tuple(evidence)))
    entries.sort(key=lambda e: {"open": 0, "mitigable": 1, "unknown": 2, "clear": 3}[e.state])
    blocked = any(e.state == "open" for e in entries)
    return HardFailView(
        entries=tuple(entries),
        binding_blocked=blocked,
        binding_unconfirmed=not blocked and any(e.state in ("unknown", "mitigable") for e in entries),
        not_covered=tuple(not_covered),
    )


def _open_hard_fail_findings(hard_fail: HardFailView) -> Set[Tuple[str, Optional[str]]]:
    return {
        (e.check_id, e.target)
        for entry in hard_fail.entries
        if entry.state == "open"
        for e in entry.evidence
        if isinstance(e, CheckState) and e.status is Status.FAIL
    }


# ---------------------------------------------------------------------------------------------- insurer score


def _grade(score: int, weights: Weights) -> str:
    bands = sorted(weights.grade_bands, key=lambda b: -b.min_score)
    for band in bands:
        if score >= band.min_score:
            return band.grade
    return bands[-1].grade


def _worst_grade(weights: Weights) -> str:
    return min(weights.grade_bands, key=lambda b: b.min_score).grade


def _worse(a: str, b: str, weights: Weights) -> str:
    order = weights.grades_best_first
    return a if order.index(a) >= order.index(b) else b


def score_findings(
    findings: Sequence[Finding], weights: Weights, hard_fail_ids: Optional[Set[Tuple[str, Optional[str]]]] = None
) -> ScoreBlock:
    """Severity-weighted pass ratio with grade, not-assessed cap and hard-fail override."""
    sev = weights.severity_weights
    passed = [f for f in findings if f.status is Status.PASS]
    failed = [f for f in findings if f.status is Status.FAIL]
    not_assessed = sum(1 for f in findings if f.status in (Status.ERROR, Status.MANUAL))
    not_applicable = sum(1 for f in findings if f.status is Status.NOT_APPLICABLE)
    w_pass = sum(sev.get(f.severity.value, 0) for f in passed)
    w_total = w_pass + sum(sev.get(f.severity.value, 0) for f in failed)
    assessed = len(passed) + len(failed)
    capped_by: List[str] = []
    score: Optional[int] = None
    score_bp: Optional[int] = None
    grade: Optional[str] = None
    if w_total:
        score = 100 * w_pass // w_total
        score_bp = 10000 * w_pass // w_total
        grade = _grade(score, weights)
        share_bp = 10000 * not_assessed // (assessed + not_assessed)
        for cap in sorted(weights.not_assessed_caps, key=lambda c: -c.min_share_bp):
            if share_bp >= cap.min_share_bp:
                capped = _worse(grade, cap.best_grade, weights)
                if capped != grade:
                    capped_by.append("not_assessed")
                    grade = capped
                break
        if hard_fail_ids and any(f.key in hard_fail_ids for f in failed):
            worst = _worst_grade(weights)
            if worst != grade:
                capped_by.append("hard_fail")
                grade = worst
    return ScoreBlock(
        score=score,
        score_bp=score_bp,
        grade=grade,
        grade_capped_by=tuple(capped_by),
        assessed=assessed,
        passed=len(passed),
        failed=len(failed),
        not_assessed=not_assessed,
        not_applicable=not_applicable,
        weight_passed=w_pass,
        weight_assessed=w_total,
    )


def _in_scenario(check_id: str, domains: FrozenSet[str], scenario: ScenarioSpec) -> bool:
    """Whether a finding of ``check_id`` with insurer ``domains`` (their values) bears on ``scenario``."""
    if not domains.isdisjoint(scenario.domains):
        return True
    return any(check_id == p or check_id.startswith(p + "-") for p in scenario.check_prefixes)


def _group(block: ScoreBlock, spec_id: str, label: Text) -> GroupScore:
    return GroupScore(**vars(block), id=spec_id, label=label)


def insurer_view(findings: Sequence[Finding], weights: Weights, hard_fail: HardFailView) -> InsurerView:
    """Overall, per coverage line and per scenario scores; an open hard fail makes the overall grade F."""
    open_ids = _open_hard_fail_findings(hard_fail)
    overall = score_findings(findings, weights, open_ids)
    worst = _worst_grade(weights)
    grade, capped_by = overall.grade, overall.grade_capped_by
    if hard_fail.binding_blocked and grade != worst:
        grade = worst
        if "hard_fail" not in capped_by:
            capped_by = (*capped_by, "hard_fail")
    # Each finding's lines and domains as plain values once, not once per line and scenario.
    keyed = [(f, frozenset(c.value for c in f.coverage_lines), frozenset(d.value for d in f.insurer_domains)) for f in findings]
    lines = tuple(
        _group(score_findings([f for f, in_lines, _ in keyed if line.id in in_lines], weights, open_ids), line.id, line.label)
        for line in weights.coverage_lines
    )
    scenarios = tuple(
        _group(score_findings([f for f, _, doms in keyed if _in_scenario(f.check_id, doms, scen)], weights, open_ids), scen.id, scen.label)
        for scen in weights.scenarios
    )
    fields = {**vars(overall), "grade": grade, "grade_capped_by": capped_by}
    return InsurerView(
        **fields,
        binding_blocked=hard_fail.binding_blocked,
        severity_weights=dict(weights.severity_weights),
        coverage_lines=lines,
        scenarios=scenarios,
    )


# ---------------------------------------------------------------------------------------------- entry point


def underwriting_view(
    findings: Sequence[Finding],
    questionnaire: Optional[AnsweredQuestionnaire],
    started_at: str,
    weights: Optional[Weights] = None,
    *,
    level: int = 3,
    profile: Optional[Profile] = None,
) -> Underwriting:
    """MLPS, insurer and hard-fail views of one report; weights default to the packaged weights.json.

    ``level`` is the protection level (等级) the MLPS view is judged at, ``profile`` the kind of system
    (it decides which extension's units the view accounts for).
    """
    weights = weights or _default_weights()
    hard_fail = hard_fail_view(findings, questionnaire, started_at, weights)
    return Underwriting(
        weights_version=weights.version,
        mlps=mlps_view(findings, level, profile),
        insurer=insurer_view(findings, weights, hard_fail),
        hard_fail=hard_fail,
    )
