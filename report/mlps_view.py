"""The 测评 view: the report's MLPS results as an assessor reads them.

Layer → control point → 测评项 (unit), each unit with its requirement, its
result (符合 / 部分符合 / 不符合 / 不适用 / 未评估) and its 结果记录: the
findings behind it, what each observed and from which evidence. Every unit of
the report's level is listed, the ones the agent does not assess too, with the
reason. Built when a report is rendered, from the signed MLPS view (the unit
results, the level, the open 高风险 cases) and the findings: nothing here is
signed, so nothing here can disagree with what is.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Dict, List, Optional, Tuple

from checks.high_risk import CASES
from checks.mlps import EXTENSIONS, LAYERS, UNITS, UnitAtLevel, at_level, clause_key
from checks.model import Finding, Text
from collectors.strictjson import to_json
from report.high_risk import failed_cases
from report.underwriting import LAYER_LABELS, RESULT_LABELS, RESULT_ORDER, MlpsView, UnitResult, case_min_level, unit_set

if TYPE_CHECKING:
    from report.model import Report

OBSERVED_KEYS = 6  # observed values shown per finding; the findings section has them all
OBSERVED_CHARS = 160  # each cut to this length
RESULT_ORDER_SHOWN = ("compliant", "partial", "non_compliant", "not_applicable", "not_assessed")  # as an assessor counts them

# Why a unit has no result. By layer for the units no check speaks to: what an assessor has to look at instead.
NO_CHECK: Dict[str, Text] = {
    "CNS": Text(
        zh="本工具不评估此项：需核查网络架构、网络设备和通信线路（本工具只采集被评估主机的配置和它能探测到的服务）。",
        en="Not assessed by the agent: the network architecture, network devices and lines need checking (the agent reads only "
        "the assessed host's configuration and the services it can probe).",
    ),
    "ABS": Text(
        zh="本工具不评估此项：需核查边界设备和安全设备（防火墙、入侵防范、防恶意代码、审计等）的配置。",
        en="Not assessed by the agent: the boundary and security devices (firewall, intrusion prevention, anti-malware, audit) "
        "need checking.",
    ),
    "CES": Text(
        zh="本工具不评估此项：需核查业务应用、数据库或其他计算设备，或由测评人员现场核查。",
        en="Not assessed by the agent: business applications, databases or other computing devices need checking, or an "
        "assessor on site.",
    ),
    "SMC": Text(
        zh="本工具不评估此项：需核查安全管理中心的管理平台和管理员设置。",
        en="Not assessed by the agent: the security management platform and its administrators need checking.",
    ),
}
NO_CHECK_EXTENSION = Text(
    zh="本工具不评估此项：需核查工业控制设备、感知节点或网关节点。",
    en="Not assessed by the agent: the control devices, sensing nodes or gateway nodes need checking.",
)
NOT_RUN = Text(
    zh="本次评估没有运行能评估此项的检查：它们需要声明网络目标（--target）或相应的评估类型。",
    en="No check that assesses this unit ran in this assessment: they need declared network targets (--target) or the "
    "matching profile.",
)
NO_VERDICT = Text(
    zh="对应检查均未能得出结论（无法评估或需人工核查），见结果记录。",
    en="The checks behind this unit could not reach a verdict (could not assess, or need review): see the record.",
)


@dataclass(frozen=True)
class Record:
    """结果记录: one finding behind a unit, what it observed and from which evidence."""

    check_id: str
    title: Text
    target: Optional[str]
    status: str
    evidence: Tuple[str, ...]  # the collectors it read
    observed: Tuple[str, ...]  # "key=value", a few, each cut short
    reason: Optional[str]  # in the view's language
    # The same reason in pieces, (text, is_parameter): parameters are data from the system, shown as code.
    reason_parts: Tuple[Tuple[str, bool], ...] = ()


@dataclass(frozen=True)
class UnitRow:
    unit: str  # the id at the view's level
    l3: str  # the level-3 unit the checks map to
    clause: str
    requirement: Text
    wording: str  # "same", "level2" (the level-2 wording) or "level3_reused" (level-2 wording not checked)
    result: str
    label: Text
    complete: bool
    high_risk: Tuple[str, ...]  # open 高风险 cases that rest on this unit
    records: Tuple[Record, ...]
    why_not_assessed: Optional[Text]
    would_assess: Tuple[str, ...]  # checks of the catalogue that speak to the unit but did not run


@dataclass(frozen=True)
class PointRow:
    clause: str
    name: Text
    extension: int  # 1: general requirements; 4, 5: the IoT and ICS extensions
    extension_name: Text
    units: Tuple[UnitRow, ...]


@dataclass(frozen=True)
class LayerRow:
    layer: str
    name: Text
    points: Tuple[PointRow, ...]
    counts: Dict[str, int]  # units by result


@dataclass(frozen=True)
class CaseRow:
    case: str
    title: Text
    check_id: str
    check_title: Text
    target: Optional[str]
    state: str  # "open" or "mitigable" (可酌情降级)
    mitigated_by: Tuple[str, ...]
    units: Tuple[str, ...]


@dataclass(frozen=True)
class AssessorView:
    level: int
    layers: Tuple[LayerRow, ...]
    counts: Dict[str, int]  # units by result, over the whole view
    total: int
    result_order: Tuple[str, ...]
    result_labels: Dict[str, Text]
    cases: Tuple[CaseRow, ...]
    cases_not_assessed: Tuple[str, ...]  # cases that apply at the level and that no finding judged
    cases_above_level: Tuple[str, ...]  # at level 2: open cases that apply from level 3 only
    conclusion_hint: Optional[str]
    conclusion_note: Text


def observed_items(observed: object) -> Tuple[str, ...]:
    """A finding's observed values as short ``key=value`` items (compact JSON values)."""
    if not isinstance(observed, dict):
        return ()
    out: List[str] = []
    for key in list(observed)[:OBSERVED_KEYS]:
        value = json.dumps(to_json(observed[key]), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        item = f"{key}={value}"
        out.append(item if len(item) <= OBSERVED_CHARS else item[: OBSERVED_CHARS - 1] + "…")
    if len(observed) > OBSERVED_KEYS:
        out.append(f"…(+{len(observed) - OBSERVED_KEYS})")
    return tuple(out)


def _record(f: Finding, lang: str) -> Record:
    from report.presentation import reason_segments

    return Record(
        f.check_id,
        f.title,
        f.target,
        f.status.value,
        f.evidence,
        observed_items(dict(f.observed)),
        f.reason_in(lang),
        reason_segments(f, lang),
    )


def _checks_by_unit() -> Dict[str, Tuple[str, ...]]:
    from checks.catalogue import all_checks

    by: Dict[str, List[str]] = {}
    for cid, rc in all_checks().items():
        for m in rc.meta.mlps:
            by.setdefault(m.unit, []).append(cid)
    return {u: tuple(sorted(c)) for u, c in by.items()}


def _unit_at(uid: str, level: int) -> Optional[UnitAtLevel]:
    """The unit of the view's level with id ``uid``."""
    if level == 3:
        return at_level(uid, 3)
    return next((u for u in (at_level(l3, 2) for l3 in UNITS) if u is not None and u.unit == uid), None)


def assessor_view(report: Report, lang: str) -> Optional[AssessorView]:
    """The 测评 view of ``report`` in ``lang``; None for a report without an underwriting view."""
    if report.underwriting is None:
        return None
    mlps: MlpsView = report.underwriting.mlps
    level = mlps.level
    results: Dict[str, UnitResult] = {u.unit: u for u in mlps.units}
    records: Dict[str, List[Record]] = {}
    for f in report.findings:
        for m in f.mlps:
            at = at_level(m.unit, level) if m.unit in UNITS else None
            uid = at.unit if at is not None else (m.unit if level == 3 else None)
            if uid is not None:
                records.setdefault(uid, []).append(_record(f, lang))
    cases_on: Dict[str, List[str]] = {}
    for h in mlps.high_risk_open:
        for u in h.units:
            if h.case not in cases_on.setdefault(u, []):
                cases_on[u].append(h.case)
    catalogue = _checks_by_unit()

    wanted = list(unit_set(level, report.profile))
    wanted += [u for u in results if u not in wanted]
    points: Dict[Tuple[str, str], List[UnitRow]] = {}
    point_names: Dict[Tuple[str, str], Tuple[Text, int]] = {}
    for uid in wanted:
        info = _unit_at(uid, level)
        row = results.get(uid)
        layer = info.layer if info is not None else (row.layer if row is not None else uid.split("-")[1][:3])
        clause = info.clause if info is not None else (row.clause if row is not None else "")
        l3 = info.l3 if info is not None else uid
        extension = info.extension if info is not None else 1
        why: Optional[Text] = None
        would: Tuple[str, ...] = ()
        if row is None:
            would = catalogue.get(l3, ())
            why = NOT_RUN if would else (NO_CHECK.get(layer, NO_CHECK["CES"]) if extension == 1 else NO_CHECK_EXTENSION)
        elif row.result == "not_assessed":
            why = NO_VERDICT
        result = row.result if row is not None else "not_assessed"
        unit = UnitRow(
            unit=uid,
            l3=l3,
            clause=clause,
            requirement=info.requirement if info is not None else Text(zh="", en=""),
            wording=info.wording if info is not None else "same",
            result=result,
            label=RESULT_LABELS[result],
            complete=row.complete if row is not None else False,
            high_risk=tuple(cases_on.get(uid, ())),
            records=tuple(sorted(records.get(uid, ()), key=lambda r: (r.check_id, r.target or ""))),
            why_not_assessed=why,
            would_assess=would,
        )
        key = (layer, clause.split(" ", 1)[0])
        points.setdefault(key, []).append(unit)
        point_names.setdefault(key, (info.point if info is not None else Text(zh=key[1], en=key[1]), extension))

    layer_rows: List[LayerRow] = []
    for layer in sorted({k[0] for k in points}, key=lambda x: (LAYERS.index(x) if x in LAYERS else 99, x)):
        keys = sorted((k for k in points if k[0] == layer), key=lambda k: clause_key(k[1]))
        prows = []
        for k in keys:
            name, ext = point_names[k]
            prows.append(PointRow(k[1], name, ext, EXTENSIONS.get(ext, EXTENSIONS[1]), tuple(sorted(points[k], key=lambda u: clause_key(u.clause)))))
        codes = [u.result for p in prows for u in p.units]
        layer_rows.append(
            LayerRow(layer, LAYER_LABELS.get(layer, Text(zh=layer, en=layer)), tuple(prows), {c: codes.count(c) for c in RESULT_ORDER})
        )

    by_key = report.findings_by_key()
    cases = tuple(
        CaseRow(
            case=h.case,
            title=CASES[h.case].title if h.case in CASES else Text(zh=h.case, en=h.case),
            check_id=h.check_id,
            check_title=by_key[(h.check_id, h.target)].title if (h.check_id, h.target) in by_key else Text(zh="", en=""),
            target=h.target,
            state=h.state,
            mitigated_by=h.mitigated_by,
            units=h.units,
        )
        for h in mlps.high_risk_open
    )
    above = sorted({f.high_risk_case or "" for f, _, _ in failed_cases(report.findings) if case_min_level(f.high_risk_case or "") > level})
    all_codes = [u.result for layer_row in layer_rows for p in layer_row.points for u in p.units]
    return AssessorView(
        level=level,
        layers=tuple(layer_rows),
        counts={c: all_codes.count(c) for c in RESULT_ORDER},
        total=len(all_codes),
        result_order=RESULT_ORDER_SHOWN,
        result_labels=dict(RESULT_LABELS),
        cases=cases,
        cases_not_assessed=tuple(c for c in report.summary.high_risk_not_assessed if case_min_level(c) <= level),
        cases_above_level=tuple(above),
        conclusion_hint=mlps.conclusion_hint,
        conclusion_note=mlps.conclusion_note,
    )
