"""Underwriting view of a report: MLPS results per unit, the insurer score and the hard-fail list.

Pure and deterministic: it reads the report's findings, its questionnaire answers and the run's start date
(the reference for "drill within a year"), never the clock or the host. The output holds integers, strings,
booleans, None, lists and dicts only, so that it signs and diffs the same everywhere. Weights live in
``weights.json`` next to this module; see its ``_comment`` for the method.
"""

from __future__ import annotations

import datetime as _dt
import json
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Set, Tuple

WEIGHTS_PATH = Path(__file__).with_name("weights.json")

ASSESSED = ("pass", "fail")
UNASSESSED = ("error", "manual")

RESULT_LABELS: Dict[str, Dict[str, str]] = {
    "compliant": {"zh": "符合", "en": "Compliant"},
    "partial": {"zh": "部分符合", "en": "Partly compliant"},
    "non_compliant": {"zh": "不符合", "en": "Non-compliant"},
    "not_applicable": {"zh": "不适用", "en": "Not applicable"},
    "not_assessed": {"zh": "未评估", "en": "Not assessed"},
}
RESULT_ORDER = ("non_compliant", "partial", "not_assessed", "compliant", "not_applicable")

LAYER_LABELS: Dict[str, Dict[str, str]] = {
    "CNS": {"zh": "安全通信网络", "en": "Secure communication network"},
    "ABS": {"zh": "安全区域边界", "en": "Secure area boundary"},
    "CES": {"zh": "安全计算环境", "en": "Secure computing environment"},
    "SMC": {"zh": "安全管理中心", "en": "Security management centre"},
}

CONCLUSION_NOTE = {
    "zh": "存在未整改的高风险问题时等级测评结论为“差”。综合得分的计算公式见公安部等级测评报告模板，"
    "该公式未公开，本工具不计算综合得分，也不给出优/良/中结论。",
    "en": "Any open high-risk case makes the MLPS conclusion 差 (poor). The 综合得分 formula is in the Ministry of "
    "Public Security report template, which is not public, so the agent does not compute the score or the "
    "优/良/中 conclusions.",
}


# ---------------------------------------------------------------------------------------------- weights


@lru_cache(maxsize=1)
def _default_weights_text() -> str:
    return WEIGHTS_PATH.read_text(encoding="utf-8")


def load_weights(path: Optional[Path] = None) -> Dict[str, Any]:
    """Read and validate a weights file (the packaged one by default)."""
    text = _default_weights_text() if path is None else path.read_text(encoding="utf-8")
    data = json.loads(text)
    validate_weights(data)
    return dict(data)


def _need(cond: bool, field: str, why: str) -> None:
    if not cond:
        raise ValueError(f"weights: {field}: {why}")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_label(value: Any, field: str) -> None:
    _need(
        isinstance(value, Mapping) and all(isinstance(value.get(k), str) for k in ("zh", "en")),
        field,
        "expected {zh, en} strings",
    )


def _check_str_list(value: Any, field: str) -> None:
    _need(isinstance(value, list) and all(isinstance(v, str) for v in value), field, "expected a list of strings")


def validate_weights(weights: Mapping[str, Any]) -> None:
    """Reject malformed weights with the field name; floats are refused so the output stays integral."""
    _need(isinstance(weights, Mapping), "(top)", "expected an object")
    sev: Any = weights.get("severity_weights")
    _need(isinstance(sev, Mapping) and bool(sev), "severity_weights", "expected an object")
    for name, value in sev.items():
        _need(_is_int(value) and value >= 0, f"severity_weights.{name}", "expected a non-negative integer")
    bands: Any = weights.get("grade_bands")
    _need(isinstance(bands, list) and bool(bands), "grade_bands", "expected a non-empty list")
    for i, band in enumerate(bands):
        _need(isinstance(band, Mapping) and isinstance(band.get("grade"), str), f"grade_bands[{i}].grade", "string")
        _need(_is_int(band.get("min_score")), f"grade_bands[{i}].min_score", "expected an integer")
    grades = [b["grade"] for b in bands]
    caps: Any = weights.get("not_assessed_caps", [])
    _need(isinstance(caps, list), "not_assessed_caps", "expected a list")
    for i, cap in enumerate(caps):
        _need(isinstance(cap, Mapping), f"not_assessed_caps[{i}]", "expected an object")
        _need(_is_int(cap.get("min_share_bp")), f"not_assessed_caps[{i}].min_share_bp", "expected an integer")
        _need(cap.get("best_grade") in grades, f"not_assessed_caps[{i}].best_grade", "not a grade of grade_bands")
    for key in ("coverage_lines", "scenarios", "hard_fail"):
        _need(isinstance(weights.get(key), list), key, "expected a list")
        for i, item in enumerate(weights[key]):
            where = f"{key}[{i}]"
            _need(isinstance(item, Mapping) and isinstance(item.get("id"), str), f"{where}.id", "expected a string")
            _check_label(item.get("label"), f"{where}.label")
    for i, scen in enumerate(weights["scenarios"]):
        _check_str_list(scen.get("domains"), f"scenarios[{i}].domains")
        _check_str_list(scen.get("check_prefixes"), f"scenarios[{i}].check_prefixes")
    for i, entry in enumerate(weights["hard_fail"]):
        _check_str_list(entry.get("checks", []), f"hard_fail[{i}].checks")
        _check_str_list(entry.get("high_risk_cases", []), f"hard_fail[{i}].high_risk_cases")
        question = entry.get("question")
        if question is not None:
            kind = question.get("kind") if isinstance(question, Mapping) else None
            _need(kind in ("yes_no", "date_within_days"), f"hard_fail[{i}].question.kind", "yes_no or date_within_days")
            _need(isinstance(question.get("id"), str), f"hard_fail[{i}].question.id", "expected a string")
            if kind == "date_within_days":
                _need(_is_int(question.get("max_age_days")), f"hard_fail[{i}].question.max_age_days", "integer")


# ---------------------------------------------------------------------------------------------- helpers


def _findings(report: Mapping[str, Any]) -> List[Mapping[str, Any]]:
    return [f for f in report.get("findings") or [] if isinstance(f, Mapping)]


def _clause_key(clause: str) -> Tuple[Any, ...]:
    """Natural order for clauses such as '8.1.4.10 a' (10 after 9)."""
    head, _, tail = clause.partition(" ")
    nums = tuple(int(p) if p.isdigit() else 0 for p in head.split("."))
    return (*nums, tail)


def _control_point(clause: str) -> str:
    return clause.split(" ", 1)[0]


def _control_point_label(unit: str) -> Optional[Dict[str, str]]:
    try:
        from checks.mlps import control_point
    except ImportError:  # pragma: no cover - the view still works without the catalogue
        return None
    try:
        zh, en = control_point(unit)
    except KeyError:
        return None
    return {"zh": zh, "en": en}


def _rollup(codes: Iterable[str]) -> str:
    """Combine unit results (or statuses mapped to results) the same way at every level."""
    seen = set(codes)
    if "partial" in seen or {"compliant", "non_compliant"} <= seen:
        return "partial"
    if "non_compliant" in seen:
        return "non_compliant"
    if "not_assessed" in seen:
        # Something unassessed next to passes only: call it compliant but say it is incomplete (caller flags it).
        return "compliant" if "compliant" in seen else "not_assessed"
    if "compliant" in seen:
        return "compliant"
    if "not_applicable" in seen:
        return "not_applicable"
    return "not_assessed"


_STATUS_AS_RESULT = {
    "pass": "compliant",
    "fail": "non_compliant",
    "not_applicable": "not_applicable",
    "error": "not_assessed",
    "manual": "not_assessed",
}


def _counts(codes: Sequence[str]) -> Dict[str, int]:
    return {code: codes.count(code) for code in RESULT_ORDER}


def _sort_key_results(item: Mapping[str, Any]) -> Tuple[Any, ...]:
    return (0 if item["high_risk_open"] else 1, _clause_key(item["clause"]), item.get("unit", ""))


# ---------------------------------------------------------------------------------------------- MLPS


def mlps_view(report: Mapping[str, Any]) -> Dict[str, Any]:
    """Results per unit, control point and layer; open high-risk cases first."""
    units: Dict[str, Dict[str, Any]] = {}
    high_risk_open: List[Dict[str, Any]] = []
    for f in _findings(report):
        status = str(f.get("status"))
        refs = [m for m in f.get("mlps") or [] if isinstance(m, Mapping) and isinstance(m.get("unit"), str)]
        for m in refs:
            slot = units.setdefault(
                m["unit"],
                {"clause": str(m.get("clause") or ""), "layer": str(m.get("layer") or ""), "statuses": [], "checks": set()},
            )
            slot["statuses"].append(status)
            slot["checks"].add(str(f.get("check_id")))
        case = f.get("high_risk_case")
        if status == "fail" and case:
            high_risk_open.append(
                {
                    "case": str(case),
                    "check_id": str(f.get("check_id")),
                    "target": f.get("target"),
                    "severity": str(f.get("severity")),
                    "units": sorted({m["unit"] for m in refs}),
                }
            )
    high_risk_open.sort(key=lambda h: (_clause_key(h["case"]), h["check_id"], str(h["target"] or "")))
    open_units = {u for h in high_risk_open for u in h["units"]}

    unit_rows: List[Dict[str, Any]] = []
    for unit, slot in units.items():
        statuses: List[str] = slot["statuses"]
        result = _rollup(_STATUS_AS_RESULT.get(s, "not_assessed") for s in statuses)
        n_unassessed = sum(1 for s in statuses if s not in ("pass", "fail", "not_applicable"))
        unit_rows.append(
            {
                "unit": unit,
                "clause": slot["clause"],
                "control_point": _control_point(slot["clause"]),
                "layer": slot["layer"],
                "result": result,
                "label": RESULT_LABELS[result],
                "complete": n_unassessed == 0,
                "high_risk_open": unit in open_units,
                "counts": {
                    "pass": statuses.count("pass"),
                    "fail": statuses.count("fail"),
                    "not_applicable": statuses.count("not_applicable"),
                    "not_assessed": n_unassessed,
                },
                "check_ids": sorted(slot["checks"]),
            }
        )
    unit_rows.sort(key=_sort_key_results)

    points: Dict[str, List[Dict[str, Any]]] = {}
    for row in unit_rows:
        points.setdefault(row["control_point"], []).append(row)
    point_rows: List[Dict[str, Any]] = []
    for point, rows in points.items():
        codes = [r["result"] for r in rows]
        result = _rollup(codes)
        point_rows.append(
            {
                "control_point": point,
                "clause": point,
                "name": _control_point_label(rows[0]["unit"]),
                "layer": rows[0]["layer"],
                "result": result,
                "label": RESULT_LABELS[result],
                "complete": all(r["complete"] for r in rows),
                "high_risk_open": any(r["high_risk_open"] for r in rows),
                "units": sorted((r["unit"] for r in rows), key=lambda u: u),
                "counts": _counts(codes),
            }
        )
    point_rows.sort(key=_sort_key_results)

    layers: Dict[str, List[Dict[str, Any]]] = {}
    for prow in point_rows:
        layers.setdefault(prow["layer"], []).append(prow)
    layer_rows: List[Dict[str, Any]] = []
    for layer in sorted(layers, key=lambda x: (list(LAYER_LABELS).index(x) if x in LAYER_LABELS else 99, x)):
        rows = layers[layer]
        codes = [r["result"] for r in rows]
        result = _rollup(codes)
        layer_rows.append(
            {
                "layer": layer,
                "name": LAYER_LABELS.get(layer),
                "result": result,
                "label": RESULT_LABELS[result],
                "complete": all(r["complete"] for r in rows),
                "high_risk_open": any(r["high_risk_open"] for r in rows),
                "control_points": sorted((r["control_point"] for r in rows), key=_clause_key),
                "counts": _counts(codes),
            }
        )

    return {
        "high_risk_open": high_risk_open,
        "conclusion_hint": "差" if high_risk_open else None,
        "conclusion_note": CONCLUSION_NOTE,
        "units": unit_rows,
        "control_points": point_rows,
        "layers": layer_rows,
        "result_labels": RESULT_LABELS,
    }


# ---------------------------------------------------------------------------------------------- hard fails


def _answers(report: Mapping[str, Any]) -> Dict[str, Mapping[str, Any]]:
    questionnaire = report.get("questionnaire")
    if not isinstance(questionnaire, Mapping):
        return {}
    out: Dict[str, Mapping[str, Any]] = {}
    for answer in questionnaire.get("answers") or []:
        if isinstance(answer, Mapping) and isinstance(answer.get("question"), str):
            out[answer["question"]] = answer
    return out


def _run_date(report: Mapping[str, Any]) -> Optional[_dt.date]:
    run = report.get("run")
    stamp = run.get("started_at") if isinstance(run, Mapping) else None
    if not isinstance(stamp, str) or len(stamp) < 10:
        return None
    try:
        return _dt.date.fromisoformat(stamp[:10])
    except ValueError:
        return None


def _question_state(
    question: Mapping[str, Any], answer: Optional[Mapping[str, Any]], today: Optional[_dt.date]
) -> Tuple[str, Dict[str, Any]]:
    qid = str(question["id"])
    if answer is None:
        return "unknown", {"question": qid, "basis": "missing", "value": None}
    basis = str(answer.get("basis"))
    value = answer.get("value")
    evidence = {"question": qid, "basis": basis, "value": value if isinstance(value, (str, int, bool)) else None}
    if basis == "unknown" or value is None:
        return "unknown", evidence
    if question["kind"] == "yes_no":
        if value == question.get("fail_value", "no"):
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
    evidence["age_days"] = age
    return ("open" if age > int(question["max_age_days"]) else "clear"), evidence


def hard_fail_view(report: Mapping[str, Any], weights: Mapping[str, Any]) -> Dict[str, Any]:
    """The DOMAIN §9 killer controls: open blocks binding, unknown leaves it unconfirmed."""
    findings = _findings(report)
    answers = _answers(report)
    today = _run_date(report)
    entries: List[Dict[str, Any]] = []
    not_covered: List[Dict[str, Any]] = []
    for spec in weights["hard_fail"]:
        checks = set(spec.get("checks", []))
        cases = set(spec.get("high_risk_cases", []))
        matched = [f for f in findings if f.get("check_id") in checks or (f.get("high_risk_case") in cases)]
        question = spec.get("question")
        if not matched and not checks and question is None:
            not_covered.append({"id": spec["id"], "label": spec["label"], "reason": "no check covers this yet"})
            continue
        evidence: List[Dict[str, Any]] = [
            {"check_id": str(f.get("check_id")), "target": f.get("target"), "status": str(f.get("status"))} for f in matched
        ]
        evidence.sort(key=lambda e: (e["check_id"], str(e["target"] or "")))
        statuses = {e["status"] for e in evidence}
        states: List[str] = []
        if checks or matched:
            if "fail" in statuses:
                states.append("open")
            elif not matched or statuses - {"pass", "not_applicable"}:
                states.append("unknown")
            else:
                states.append("clear")
        if question is not None:
            qstate, qevidence = _question_state(question, answers.get(str(question["id"])), today)
            states.append(qstate)
            evidence.append(qevidence)
        state = "open" if "open" in states else "unknown" if "unknown" in states else "clear"
        entries.append(
            {
                "id": spec["id"],
                "label": spec["label"],
                "state": state,
                "checks": sorted(checks),
                "high_risk_cases": sorted(cases),
                "evidence": evidence,
            }
        )
    entries.sort(key=lambda e: {"open": 0, "unknown": 1, "clear": 2}[e["state"]])
    blocked = any(e["state"] == "open" for e in entries)
    return {
        "entries": entries,
        "binding_blocked": blocked,
        "binding_unconfirmed": not blocked and any(e["state"] == "unknown" for e in entries),
        "not_covered": not_covered,
    }


def _open_hard_fail_findings(hard_fail: Mapping[str, Any]) -> Set[Tuple[str, Any]]:
    return {
        (e["check_id"], e["target"])
        for entry in hard_fail["entries"]
        if entry["state"] == "open"
        for e in entry["evidence"]
        if "check_id" in e and e["status"] == "fail"
    }


# ---------------------------------------------------------------------------------------------- insurer score


def _grade(score: int, weights: Mapping[str, Any]) -> str:
    bands = sorted(weights["grade_bands"], key=lambda b: -int(b["min_score"]))
    for band in bands:
        if score >= int(band["min_score"]):
            return str(band["grade"])
    return str(bands[-1]["grade"])


def _worst_grade(weights: Mapping[str, Any]) -> str:
    return str(min(weights["grade_bands"], key=lambda b: int(b["min_score"]))["grade"])


def _worse(a: str, b: str, weights: Mapping[str, Any]) -> str:
    order = [str(x["grade"]) for x in sorted(weights["grade_bands"], key=lambda x: -int(x["min_score"]))]
    return a if order.index(a) >= order.index(b) else b


def score_findings(
    findings: Sequence[Mapping[str, Any]],
    weights: Mapping[str, Any],
    hard_fail_ids: Optional[Set[Tuple[str, Any]]] = None,
) -> Dict[str, Any]:
    """Severity-weighted pass ratio with grade, not-assessed cap and hard-fail override."""
    sev = weights["severity_weights"]
    passed = [f for f in findings if f.get("status") == "pass"]
    failed = [f for f in findings if f.get("status") == "fail"]
    not_assessed = sum(1 for f in findings if f.get("status") in UNASSESSED)
    not_applicable = sum(1 for f in findings if f.get("status") == "not_applicable")
    w_pass = sum(int(sev.get(str(f.get("severity")), 0)) for f in passed)
    w_total = w_pass + sum(int(sev.get(str(f.get("severity")), 0)) for f in failed)
    assessed = len(passed) + len(failed)
    block: Dict[str, Any] = {
        "score": None,
        "score_bp": None,
        "grade": None,
        "grade_capped_by": [],
        "assessed": assessed,
        "passed": len(passed),
        "failed": len(failed),
        "not_assessed": not_assessed,
        "not_applicable": not_applicable,
        "weight_passed": w_pass,
        "weight_assessed": w_total,
    }
    if w_total == 0:
        return block
    block["score"] = 100 * w_pass // w_total
    block["score_bp"] = 10000 * w_pass // w_total
    grade = _grade(block["score"], weights)
    share_bp = 10000 * not_assessed // (assessed + not_assessed)
    for cap in sorted(weights.get("not_assessed_caps", []), key=lambda c: -int(c["min_share_bp"])):
        if share_bp >= int(cap["min_share_bp"]):
            capped = _worse(grade, str(cap["best_grade"]), weights)
            if capped != grade:
                block["grade_capped_by"].append("not_assessed")
                grade = capped
            break
    if hard_fail_ids and any((f.get("check_id"), f.get("target")) in hard_fail_ids for f in failed):
        worst = _worst_grade(weights)
        if worst != grade:
            block["grade_capped_by"].append("hard_fail")
            grade = worst
    block["grade"] = grade
    return block


def _in_scenario(finding: Mapping[str, Any], scenario: Mapping[str, Any]) -> bool:
    if set(finding.get("insurer_domains") or []) & set(scenario["domains"]):
        return True
    cid = str(finding.get("check_id"))
    return any(cid == p or cid.startswith(p + "-") for p in scenario["check_prefixes"])


def insurer_view(report: Mapping[str, Any], weights: Mapping[str, Any], hard_fail: Mapping[str, Any]) -> Dict[str, Any]:
    """Overall, per coverage line and per scenario scores; an open hard fail makes the overall grade F."""
    findings = _findings(report)
    open_ids = _open_hard_fail_findings(hard_fail)
    overall = score_findings(findings, weights, open_ids)
    worst = _worst_grade(weights)
    if hard_fail["binding_blocked"] and overall["grade"] != worst:
        overall["grade"] = worst
        if "hard_fail" not in overall["grade_capped_by"]:
            overall["grade_capped_by"].append("hard_fail")
    lines = []
    for line in weights["coverage_lines"]:
        members = [f for f in findings if line["id"] in (f.get("coverage_lines") or [])]
        lines.append({"id": line["id"], "label": line["label"], **score_findings(members, weights, open_ids)})
    scenarios = []
    for scen in weights["scenarios"]:
        members = [f for f in findings if _in_scenario(f, scen)]
        scenarios.append({"id": scen["id"], "label": scen["label"], **score_findings(members, weights, open_ids)})
    return {
        **overall,
        "binding_blocked": bool(hard_fail["binding_blocked"]),
        "severity_weights": dict(weights["severity_weights"]),
        "coverage_lines": lines,
        "scenarios": scenarios,
    }


# ---------------------------------------------------------------------------------------------- entry point


def underwriting_view(report: Mapping[str, Any], weights: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
    """MLPS, insurer and hard-fail views of one report; weights default to the packaged weights.json."""
    if weights is None:
        weights = load_weights()
    else:
        validate_weights(weights)
    hard_fail = hard_fail_view(report, weights)
    return {
        "weights_version": str(weights.get("version", "")),
        "mlps": mlps_view(report),
        "insurer": insurer_view(report, weights, hard_fail),
        "hard_fail": hard_fail,
    }
