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

from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

from checks.model import Finding, Severity, Status, Text
from report.model import Report
from report.signing import report_digest

CATEGORIES = ("closed", "regressed", "new", "persisting", "dropped", "could_not_assess")
UNKNOWN = (Status.ERROR, Status.MANUAL)
Key = Tuple[str, Optional[str]]


@dataclass(frozen=True)
class Change:
    """One finding that changed between two reports, or keeps failing."""

    check_id: str
    target: Optional[str]
    title: Text
    severity: Severity
    high_risk_case: Optional[str]
    old_status: Optional[Status]
    new_status: Optional[Status]
    reason: Optional[str]


@dataclass(frozen=True)
class ReportRef:
    report_id: str
    started_at: str
    target: str


@dataclass(frozen=True)
class Delta:
    old: Optional[int]
    new: Optional[int]
    delta: Optional[int]


@dataclass(frozen=True)
class ScoreDelta(Delta):
    old_grade: Optional[str]
    new_grade: Optional[str]


@dataclass(frozen=True)
class Diff:
    """What changed from one report of a target to the next."""

    old_report: ReportRef
    new_report: ReportRef
    forced: bool
    new_names_old_as_previous: bool
    counts: Dict[str, int]
    closed: Tuple[Change, ...]
    regressed: Tuple[Change, ...]
    new: Tuple[Change, ...]
    persisting: Tuple[Change, ...]
    dropped: Tuple[Change, ...]
    could_not_assess: Tuple[Change, ...]
    score: ScoreDelta
    failed_by_severity: Dict[str, Delta]

    def changes(self, category: str) -> Tuple[Change, ...]:
        result: Tuple[Change, ...] = getattr(self, category)
        return result


def _category(old: Optional[Status], new: Optional[Status]) -> Optional[str]:
    if new is Status.FAIL:
        if old is Status.FAIL:
            return "persisting"
        return "regressed" if old is Status.PASS else "new"
    if old is Status.FAIL:
        if new is Status.PASS:
            return "closed"
        return "could_not_assess" if new in UNKNOWN else "dropped"
    if old != new and (old in UNKNOWN or new in UNKNOWN):
        return "could_not_assess"
    return None


def _insurer(report: Report) -> Tuple[Optional[int], Optional[str]]:
    """The insurer score and grade: as the report carries them, else computed from its findings."""
    view = report.underwriting
    if view is None:
        from report.underwriting import underwriting_view

        view = underwriting_view(report.findings, report.questionnaire, report.run.started_at)
    return view.insurer.score, view.insurer.grade


def _delta(old: Optional[int], new: Optional[int]) -> Delta:
    return Delta(old, new, new - old if old is not None and new is not None else None)


def _failed_by_severity(report: Report) -> Dict[str, int]:
    counts = {s.value: 0 for s in Severity}
    for f in report.failed():
        counts[f.severity.value] += 1
    return counts


def _ref(report: Report) -> ReportRef:
    return ReportRef(report.report_id, report.run.started_at, report.target.name)


def diff_reports(old: Report, new: Report, force: bool = False) -> Diff:
    """Classify every finding that changed (or keeps failing) from ``old`` to ``new``."""
    if old.target.name != new.target.name and not force:
        raise ValueError(
            f"the reports are of different targets ({old.target.name!r} and {new.target.name!r}); compare them anyway with force"
        )
    before, after = old.findings_by_key(), new.findings_by_key()
    out: Dict[str, List[Change]] = {c: [] for c in CATEGORIES}
    keys = list(before) + [k for k in after if k not in before]
    for key in sorted(keys, key=lambda k: (k[0], k[1] or "")):
        o, n = before.get(key), after.get(key)
        cat = _category(o.status if o else None, n.status if n else None)
        if cat is None:
            continue
        f: Optional[Finding] = n if n is not None else o
        if f is None:  # pragma: no cover - every key comes from one of the two reports
            continue
        out[cat].append(
            Change(
                check_id=key[0],
                target=key[1],
                title=f.title,
                severity=f.severity,
                high_risk_case=f.high_risk_case,
                old_status=o.status if o else None,
                new_status=n.status if n else None,
                reason=n.reason if n else None,
            )
        )
    o_score, o_grade = _insurer(old)
    n_score, n_grade = _insurer(new)
    o_sev, n_sev = _failed_by_severity(old), _failed_by_severity(new)
    score = _delta(o_score, n_score)
    return Diff(
        old_report=_ref(old),
        new_report=_ref(new),
        forced=old.target.name != new.target.name,
        new_names_old_as_previous=new.previous_report == report_digest(old),
        counts={c: len(out[c]) for c in CATEGORIES},
        closed=tuple(out["closed"]),
        regressed=tuple(out["regressed"]),
        new=tuple(out["new"]),
        persisting=tuple(out["persisting"]),
        dropped=tuple(out["dropped"]),
        could_not_assess=tuple(out["could_not_assess"]),
        score=ScoreDelta(score.old, score.new, score.delta, o_grade, n_grade),
        failed_by_severity={s.value: _delta(o_sev[s.value], n_sev[s.value]) for s in Severity},
    )


def diff_text(diff: Diff, lang: str = "zh") -> str:
    """A short terminal rendering of a diff."""
    zh = lang == "zh"
    names = {
        "closed": "已整改" if zh else "closed",
        "regressed": "回退" if zh else "regressed",
        "new": "新增" if zh else "new",
        "persisting": "仍未整改" if zh else "persisting",
        "dropped": "不再评估" if zh else "dropped",
        "could_not_assess": "无法评估变化" if zh else "could not assess",
    }
    o, n = diff.old_report, diff.new_report
    lines = [
        f"{o.target}: {o.report_id} ({o.started_at}) -> {n.report_id} ({n.started_at})",
        "  " + ", ".join(f"{names[c]} {diff.counts[c]}" for c in CATEGORIES),
    ]
    s = diff.score
    if s.delta is not None:
        grades = f" ({s.old_grade} -> {s.new_grade})" if s.old_grade or s.new_grade else ""
        sign = "+" if s.delta >= 0 else ""
        lines.append(f"  {'风险评分' if zh else 'insurer score'}: {s.old} -> {s.new} ({sign}{s.delta}){grades}")
    for cat in ("regressed", "new", "closed", "persisting", "dropped", "could_not_assess"):
        for item in diff.changes(cat):
            where = f" @ {item.target}" if item.target is not None else ""
            statuses = f" ({item.old_status.value if item.old_status else None} -> {item.new_status.value if item.new_status else None})"
            lines.append(
                f"  {names[cat]:<12} {item.check_id}{where} [{item.severity.value}] {item.title.get(lang)}"
                + (statuses if cat == "could_not_assess" else "")
            )
    return "\n".join(lines)
