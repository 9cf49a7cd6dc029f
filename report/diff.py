"""Compare two reports of the same target: where it stands now, what was fixed, what broke, what stays open.

The diff opens with a header: the hard-fail items (binding blocked, unconfirmed
or clear, and how many items are in each state), the open MLPS 高风险 cases,
the insurer score and grade, and the MLPS conclusion hint, each before → after.
Then the progress of the OLD report's rectification plan against the NEW
report: a task is closed when its checks pass and its answers are at their
targets, overdue when it is still open after its due date (counted to the new
report's start), open otherwise.

A finding's identity across reports is (check_id, target); ``target`` is None
for checks judged on the assessed host itself. Categories:

- ``closed``: failed before, passes now (the rectification task is done);
- ``new``: fails now, and before it was absent, not applicable, or could not
  be assessed (error/manual): nothing said it was fine;
- ``regressed``: passed before, fails now;
- ``persisting``: fails in both;
- ``dropped``: failed before, now absent or not applicable; not counted as
  closed, because no check showed it fixed;
- ``could_not_assess``: other changes into or out of error/manual, so a
  reader sees which results went unknown (or became known).

Score deltas use the insurer score of the underwriting view when both
reports have one; otherwise they are null.
"""

from __future__ import annotations

import datetime
import unicodedata
from dataclasses import dataclass
from typing import Dict, List, Literal, Optional, Tuple

from checks.model import Finding, Severity, Status, Text
from report.escape import md, md_cell
from report.model import Report
from report.signing import report_digest
from report.underwriting import Underwriting

CATEGORIES = ("closed", "new", "regressed", "persisting", "dropped", "could_not_assess")
TASK_STATES = ("closed", "open", "overdue")
HARD_FAIL_STATES = ("open", "mitigable", "unknown", "clear")
UNKNOWN = (Status.ERROR, Status.MANUAL)
Key = Tuple[str, Optional[str]]
Binding = Literal["blocked", "unconfirmed", "clear"]


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
class Standing:
    """Where one report leaves the target: binding, hard-fail items, 高风险 cases, score and MLPS hint."""

    binding: Binding
    hard_fail: Dict[str, int]  # items per state: open, mitigable, unknown, clear
    hard_fail_not_covered: int
    open_high_risk: int  # open 高风险 cases (no mitigation shown)
    mitigable_high_risk: int  # 高风险，可酌情降级
    score: Optional[int]
    grade: Optional[str]
    mlps_hint: Optional[str]  # "差" when an open case has no mitigation; None: no conclusion hinted


@dataclass(frozen=True)
class Header:
    before: Standing
    after: Standing


@dataclass(frozen=True)
class TaskState:
    """One task of the old report's plan, as the new report leaves it."""

    id: str
    kind: str
    ref: str
    target: Optional[str]
    severity: Severity
    due: str
    owner: str
    state: Literal["closed", "open", "overdue"]


@dataclass(frozen=True)
class TaskProgress:
    """The old report's plan against the new report (due dates counted to the new report's start)."""

    plan_made_on: str
    as_of: str
    counts: Dict[str, int]
    tasks: Tuple[TaskState, ...]


@dataclass(frozen=True)
class Diff:
    """What changed from one report of a target to the next."""

    header: Header
    tasks: TaskProgress
    old_report: ReportRef
    new_report: ReportRef
    forced: bool
    new_names_old_as_previous: bool
    counts: Dict[str, int]
    closed: Tuple[Change, ...]
    new: Tuple[Change, ...]
    regressed: Tuple[Change, ...]
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


def _underwriting(report: Report) -> Underwriting:
    """The report's underwriting view: as it carries it, else computed from its findings."""
    if report.underwriting is not None:
        return report.underwriting
    from report.underwriting import underwriting_view

    return underwriting_view(report.findings, report.questionnaire, report.run.started_at)


def _standing(report: Report) -> Standing:
    view = _underwriting(report)
    hf = view.hard_fail
    binding: Binding = "blocked" if hf.binding_blocked else "unconfirmed" if hf.binding_unconfirmed else "clear"
    cases = view.mlps.high_risk_open
    return Standing(
        binding=binding,
        hard_fail={s: sum(1 for e in hf.entries if e.state == s) for s in HARD_FAIL_STATES},
        hard_fail_not_covered=len(hf.not_covered),
        open_high_risk=sum(1 for c in cases if c.state == "open"),
        mitigable_high_risk=sum(1 for c in cases if c.state == "mitigable"),
        score=view.insurer.score,
        grade=view.insurer.grade,
        mlps_hint=view.mlps.conclusion_hint,
    )


def _delta(old: Optional[int], new: Optional[int]) -> Delta:
    return Delta(old, new, new - old if old is not None and new is not None else None)


def _failed_by_severity(report: Report) -> Dict[str, int]:
    counts = {s.value: 0 for s in Severity}
    for f in report.failed():
        counts[f.severity.value] += 1
    return counts


def _ref(report: Report) -> ReportRef:
    return ReportRef(report.report_id, report.run.started_at, report.target.name)


def _day(started_at: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(started_at[:10])
    except ValueError:
        return datetime.date.min


def task_progress(old: Report, new: Report) -> TaskProgress:
    """The old report's plan (rebuilt from it, as verify does) against the new report."""
    from report.plan import plan_of_report, task_done

    settings = old.plan.settings if old.plan is not None else None
    made_on = old.plan.today if old.plan is not None else old.run.started_at[:10]
    plan = plan_of_report(old, settings, made_on)
    as_of = _day(new.run.started_at)
    states: List[TaskState] = []
    for t in plan.tasks:
        state: Literal["closed", "open", "overdue"] = "closed"
        if not task_done(t, new):
            state = "overdue" if _day(t.due) < as_of else "open"
        states.append(TaskState(t.id, t.kind.value, t.ref, t.target, t.severity, t.due, t.owner, state))
    order = {"overdue": 0, "open": 1, "closed": 2}
    states.sort(key=lambda s: (order[s.state], s.due, -s.severity.rank, s.id))
    return TaskProgress(
        plan_made_on=plan.today,
        as_of=as_of.isoformat(),
        counts={s: sum(1 for x in states if x.state == s) for s in TASK_STATES},
        tasks=tuple(states),
    )


def diff_reports(old: Report, new: Report, force: bool = False) -> Diff:
    """Classify every finding that changed (or keeps failing) from ``old`` to ``new``, under a before/after header."""
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
    header = Header(_standing(old), _standing(new))
    o_sev, n_sev = _failed_by_severity(old), _failed_by_severity(new)
    score = _delta(header.before.score, header.after.score)
    return Diff(
        header=header,
        tasks=task_progress(old, new),
        old_report=_ref(old),
        new_report=_ref(new),
        forced=old.target.name != new.target.name,
        new_names_old_as_previous=new.previous_report == report_digest(old),
        counts={c: len(out[c]) for c in CATEGORIES},
        closed=tuple(out["closed"]),
        new=tuple(out["new"]),
        regressed=tuple(out["regressed"]),
        persisting=tuple(out["persisting"]),
        dropped=tuple(out["dropped"]),
        could_not_assess=tuple(out["could_not_assess"]),
        score=ScoreDelta(score.old, score.new, score.delta, header.before.grade, header.after.grade),
        failed_by_severity={s.value: _delta(o_sev[s.value], n_sev[s.value]) for s in Severity},
    )


# ------------------------------------------------------------------------------------------ rendering

WORDS: Dict[str, Dict[str, str]] = {
    "title": {"zh": "评估对比", "en": "Assessment comparison"},
    "before": {"zh": "之前", "en": "before"},
    "after": {"zh": "之后", "en": "after"},
    "hard_fail": {"zh": "核保否决项", "en": "Hard-fail items"},
    "high_risk": {"zh": "未整改的高风险项", "en": "Open MLPS high-risk cases (高风险)"},
    "score": {"zh": "风险评分 · 评级", "en": "Risk score · rating"},
    "mlps_hint": {"zh": "等保结论提示", "en": "MLPS conclusion hint"},
    "no_hint": {"zh": "无“差”的提示", "en": "no 差 hint"},
    "mitigable": {"zh": "可酌情降级", "en": "may be downgraded"},
    "not_covered": {"zh": "未覆盖", "en": "not covered"},
    "tasks": {"zh": "整改任务（{made} 的整改方案，截至 {as_of}）", "en": "Plan tasks (plan of {made}, as of {as_of})"},
    "findings": {"zh": "检查结果变化", "en": "Findings"},
    "due": {"zh": "期限", "en": "due"},
    "binding_blocked": {"zh": "存在核保否决项", "en": "binding blocked"},
    "binding_unconfirmed": {"zh": "核保否决项未能全部确认", "en": "binding unconfirmed"},
    "binding_clear": {"zh": "未发现核保否决项", "en": "no hard-fail item found"},
}
STATE_WORDS: Dict[str, Dict[str, str]] = {
    "open": {"zh": "存在", "en": "present"},
    "mitigable": {"zh": "高风险，可酌情降级", "en": "may be downgraded"},
    "unknown": {"zh": "无法确认", "en": "cannot confirm"},
    "clear": {"zh": "未发现", "en": "not found"},
}
TASK_WORDS: Dict[str, Dict[str, str]] = {
    "closed": {"zh": "已完成", "en": "closed"},
    "open": {"zh": "未完成", "en": "open"},
    "overdue": {"zh": "已逾期", "en": "overdue"},
}
CATEGORY_WORDS: Dict[str, Dict[str, str]] = {
    "closed": {"zh": "已整改", "en": "closed"},
    "new": {"zh": "新增", "en": "new"},
    "regressed": {"zh": "回退", "en": "regressed"},
    "persisting": {"zh": "仍未整改", "en": "persisting"},
    "dropped": {"zh": "不再评估", "en": "dropped"},
    "could_not_assess": {"zh": "无法评估变化", "en": "could not assess"},
}


def _w(key: str, lang: str) -> str:
    return WORDS[key][lang]


def _hard_fail_text(s: Standing, lang: str) -> str:
    parts = [f"{STATE_WORDS[k][lang]} {s.hard_fail[k]}" for k in HARD_FAIL_STATES if s.hard_fail.get(k)]
    if s.hard_fail_not_covered:
        parts.append(f"{_w('not_covered', lang)} {s.hard_fail_not_covered}")
    return f"{_w('binding_' + s.binding, lang)} ({' · '.join(parts) or '0'})"


def _high_risk_text(s: Standing, lang: str) -> str:
    return f"{s.open_high_risk}" + (f" (+{s.mitigable_high_risk} {_w('mitigable', lang)})" if s.mitigable_high_risk else "")


def _score_text(s: Standing) -> str:
    return f"{s.score if s.score is not None else '—'} · {s.grade or '—'}"


def _hint_text(s: Standing, lang: str) -> str:
    if not s.mlps_hint:
        return _w("no_hint", lang)
    return s.mlps_hint if lang == "zh" else f"{s.mlps_hint} (poor)"


def header_rows(diff: Diff, lang: str) -> List[Tuple[str, str, str]]:
    """(label, before, after) for each line of the header."""
    b, a = diff.header.before, diff.header.after
    rows = [
        (_w("hard_fail", lang), _hard_fail_text(b, lang), _hard_fail_text(a, lang)),
        (_w("high_risk", lang), _high_risk_text(b, lang), _high_risk_text(a, lang)),
        (_w("score", lang), _score_text(b), _score_text(a)),
        (_w("mlps_hint", lang), _hint_text(b, lang), _hint_text(a, lang)),
    ]
    if diff.score.delta is not None:
        sign = "+" if diff.score.delta >= 0 else ""
        label, old, new = rows[2]
        rows[2] = (label, old, f"{new} ({sign}{diff.score.delta})")
    return rows


def _task_summary(diff: Diff, lang: str) -> str:
    p = diff.tasks
    counts = " · ".join(f"{TASK_WORDS[s][lang]} {p.counts[s]}" for s in TASK_STATES)
    return f"{WORDS['tasks'][lang].format(made=p.plan_made_on, as_of=p.as_of)}: {counts}"


def _task_title(state: TaskState, lang: str) -> str:
    from report.plan import describe_ref

    return describe_ref(state.kind, state.ref, lang)


def _width(text: str) -> int:
    """Terminal columns of ``text``: wide (CJK) characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def diff_text(diff: Diff, lang: str = "zh") -> str:
    """The terminal rendering: header, plan progress, then the findings by category."""
    o, n = diff.old_report, diff.new_report
    lines = [f"{o.target}: {o.report_id} ({o.started_at}) -> {n.report_id} ({n.started_at})"]
    rows = header_rows(diff, lang)
    width = max(_width(r[0]) for r in rows)
    for label, before, after in rows:
        lines.append(f"  {_pad(label, width)}  {before} -> {after}")
    lines.append("  " + _task_summary(diff, lang))
    for t in diff.tasks.tasks:
        if t.state != "closed":
            where = f" @ {t.target}" if t.target is not None else ""
            lines.append(f"    {_pad(TASK_WORDS[t.state][lang], 8)} {t.id}{where} [{_w('due', lang)} {t.due}] {_task_title(t, lang)}")
    lines.append(
        "  " + _w("findings", lang) + ": " + ", ".join(f"{CATEGORY_WORDS[c][lang]} {diff.counts[c]}" for c in CATEGORIES)
    )
    for cat in CATEGORIES:
        for item in diff.changes(cat):
            where = f" @ {item.target}" if item.target is not None else ""
            statuses = (
                f" ({item.old_status.value if item.old_status else None} -> {item.new_status.value if item.new_status else None})"
            )
            lines.append(
                f"    {_pad(CATEGORY_WORDS[cat][lang], 14)} {item.check_id}{where} [{item.severity.value}] {item.title.get(lang)}"
                + (statuses if cat == "could_not_assess" else "")
            )
    return "\n".join(lines)


def diff_markdown(diff: Diff, lang: str = "zh") -> str:
    """The Markdown rendering: the same header, task progress and categories, as tables and lists."""
    o, n = diff.old_report, diff.new_report
    lines = [
        f"# {_w('title', lang)}: {md(o.target)}",
        "",
        f"{md(o.report_id)} ({md(o.started_at)}) → {md(n.report_id)} ({md(n.started_at)})",
        "",
        f"| | {_w('before', lang)} | {_w('after', lang)} |",
        "|---|---|---|",
    ]
    for label, before, after in header_rows(diff, lang):
        lines.append(f"| {md_cell(label)} | {md_cell(before)} | {md_cell(after)} |")
    lines += ["", f"## {md(_task_summary(diff, lang))}", ""]
    for t in diff.tasks.tasks:
        where = f" @ {t.target}" if t.target is not None else ""
        lines.append(
            f"- **{TASK_WORDS[t.state][lang]}** {md(t.id + where)} ({_w('due', lang)} {md(t.due)}): {md(_task_title(t, lang))}"
        )
    lines += ["", f"## {_w('findings', lang)}", ""]
    for cat in CATEGORIES:
        items = diff.changes(cat)
        lines.append(f"### {CATEGORY_WORDS[cat][lang]} ({len(items)})")
        lines.append("")
        for item in items:
            where = f" @ {item.target}" if item.target is not None else ""
            lines.append(f"- {md(item.check_id + where)} [{item.severity.value}] {md(item.title.get(lang))}")
        lines.append("")
    return "\n".join(lines)
