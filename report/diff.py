"""Compare two reports of the same target: what was fixed, what broke, what stays open.

A finding's identity across reports is (check_id, target); ``target`` is None
for checks judged on the assessed host itself. Categories:

- ``closed``: failed before, passes now (the rectification task is done);
- ``regressed``: passed before, fails now;
- ``new``: fails now, and before it was absent, not applicable, or could not
  be assessed (error/manual): nothing said it was fine;
- ``persisting``: fails in both;
- ``dropped``: failed before, now absent or not applicable; not counted as
  closed, because no check showed it fixed;
- ``could_not_assess``: other changes into or out of error/manual, so a
  reader sees which results went unknown (or became known).

Score deltas use the insurer score of the underwriting view when both
reports have one; otherwise they are null.
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Tuple

from report.plan import SEVERITIES

CATEGORIES = ("closed", "regressed", "new", "persisting", "dropped", "could_not_assess")
UNKNOWN = ("error", "manual")
Key = Tuple[str, Optional[str]]


def _index(report: Mapping[str, Any]) -> Dict[Key, Mapping[str, Any]]:
    return {(f["check_id"], f.get("target")): f for f in report.get("findings", [])}


def _category(old: Optional[str], new: Optional[str]) -> Optional[str]:
    if new == "fail":
        if old == "fail":
            return "persisting"
        return "regressed" if old == "pass" else "new"
    if old == "fail":
        if new == "pass":
            return "closed"
        return "could_not_assess" if new in UNKNOWN else "dropped"
    if old != new and (old in UNKNOWN or new in UNKNOWN):
        return "could_not_assess"
    return None


def _underwriting(report: Mapping[str, Any]) -> Optional[Mapping[str, Any]]:
    """The report's underwriting view: as carried, else computed if that module is installed."""
    view = report.get("underwriting")
    if isinstance(view, Mapping):
        return view
    try:
        from report.underwriting import underwriting_view  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return None
    try:
        computed = underwriting_view(report)
    except Exception:  # a view we cannot compute only means no score delta
        return None
    return computed if isinstance(computed, Mapping) else None


def _insurer(report: Mapping[str, Any]) -> Tuple[Optional[int], Optional[str]]:
    view = _underwriting(report)
    insurer = view.get("insurer") if view else None
    if not isinstance(insurer, Mapping):
        return None, None
    score = insurer.get("score")
    grade = insurer.get("grade")
    return (
        score if isinstance(score, int) and not isinstance(score, bool) else None,
        grade if isinstance(grade, str) else None,
    )


def _delta(old: Optional[int], new: Optional[int]) -> Dict[str, Optional[int]]:
    return {"old": old, "new": new, "delta": new - old if old is not None and new is not None else None}


def _failed_by_severity(report: Mapping[str, Any]) -> Dict[str, int]:
    counts = {s: 0 for s in SEVERITIES}
    for f in report.get("findings", []):
        if f.get("status") == "fail" and f.get("severity") in counts:
            counts[f["severity"]] += 1
    return counts


def _ref(report: Mapping[str, Any]) -> Dict[str, Any]:
    return {
        "report_id": report.get("report_id"),
        "started_at": (report.get("run") or {}).get("started_at"),
        "target": (report.get("target") or {}).get("name"),
    }


def diff_reports(old: Mapping[str, Any], new: Mapping[str, Any], force: bool = False) -> Dict[str, Any]:
    """Classify every finding that changed (or keeps failing) from ``old`` to ``new``."""
    old_name = (old.get("target") or {}).get("name")
    new_name = (new.get("target") or {}).get("name")
    if old_name != new_name and not force:
        raise ValueError(f"the reports are of different targets ({old_name!r} and {new_name!r}); compare them anyway with force")
    before, after = _index(old), _index(new)
    out: Dict[str, List[Dict[str, Any]]] = {c: [] for c in CATEGORIES}
    keys = list(before) + [k for k in after if k not in before]
    for key in sorted(keys, key=lambda k: (k[0], k[1] or "")):
        o, n = before.get(key), after.get(key)
        o_status = o["status"] if o else None
        n_status = n["status"] if n else None
        cat = _category(o_status, n_status)
        if cat is None:
            continue
        f = n if n is not None else o
        if f is None:  # pragma: no cover - every key comes from one of the two reports
            continue
        out[cat].append(
            {
                "check_id": key[0],
                "target": key[1],
                "title": dict(f["title"]),
                "severity": f["severity"],
                "high_risk_case": f.get("high_risk_case"),
                "old_status": o_status,
                "new_status": n_status,
                "reason": (n or {}).get("reason"),
            }
        )
    o_score, o_grade = _insurer(old)
    n_score, n_grade = _insurer(new)
    o_sev, n_sev = _failed_by_severity(old), _failed_by_severity(new)
    try:
        from report.signing import report_digest

        chained: Optional[bool] = new.get("previous_report") == report_digest(old)
    except Exception:  # a report that cannot be digested is simply not chained
        chained = None
    return {
        "old_report": _ref(old),
        "new_report": _ref(new),
        "forced": old_name != new_name,
        "new_names_old_as_previous": chained,
        "counts": {c: len(out[c]) for c in CATEGORIES},
        **out,
        "score": {**_delta(o_score, n_score), "old_grade": o_grade, "new_grade": n_grade},
        "failed_by_severity": {s: _delta(o_sev[s], n_sev[s]) for s in SEVERITIES},
    }


def diff_text(diff: Mapping[str, Any], lang: str = "en") -> str:
    """A short terminal rendering of a diff."""
    zh = lang == "zh"
    names = {
        "closed": "已整改" if zh else "closed",
        "regressed": "退化" if zh else "regressed",
        "new": "新增" if zh else "new",
        "persisting": "仍未整改" if zh else "persisting",
        "dropped": "不再评估" if zh else "dropped",
        "could_not_assess": "无法评估变化" if zh else "could not assess",
    }
    lines = [
        f"{diff['old_report']['target']}: {diff['old_report']['report_id']} ({diff['old_report']['started_at']}) -> "
        f"{diff['new_report']['report_id']} ({diff['new_report']['started_at']})",
        "  " + ", ".join(f"{names[c]} {diff['counts'][c]}" for c in CATEGORIES),
    ]
    s = diff["score"]
    if s["delta"] is not None:
        grades = f" ({s['old_grade']} -> {s['new_grade']})" if s["old_grade"] or s["new_grade"] else ""
        sign = "+" if s["delta"] >= 0 else ""
        lines.append(f"  {'保险评分' if zh else 'insurer score'}: {s['old']} -> {s['new']} ({sign}{s['delta']}){grades}")
    for cat in ("regressed", "new", "closed", "persisting", "dropped", "could_not_assess"):
        for item in diff[cat]:
            where = f" @ {item['target']}" if item["target"] is not None else ""
            lines.append(
                f"  {names[cat]:<12} {item['check_id']}{where} [{item['severity']}] {item['title'][lang]}"
                + (f" ({item['old_status']} -> {item['new_status']})" if cat == "could_not_assess" else "")
            )
    return "\n".join(lines)
