"""Exports of a rectification plan: Markdown, HTML, CSV (for spreadsheets) and JSON.

The plan carries ids and values; every text (titles, steps for the host's OS
family, verification, records, feasibility notes) is filled in here from the
code tables through :func:`report.plan.describe`.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Dict, List, Mapping, Optional

from checks.model import Text
from collectors.strictjson import to_json
from report.artefacts import FAMILY_LABELS
from report.escape import csv_cell, md, md_cell
from report.i18n import Labels
from report.plan import Plan, Task, TaskText, describe

TEXT: Dict[str, Dict[str, str]] = {
    "title": {"zh": "整改方案", "en": "Rectification plan"},
    "target": {"zh": "评估对象", "en": "Target"},
    "report": {"zh": "依据报告", "en": "From report"},
    "made_on": {"zh": "编制日期", "en": "Drawn up on"},
    "os_family": {"zh": "操作系统类型", "en": "OS family"},
    "unknown_family": {"zh": "未识别（步骤按发行版分别列出）", "en": "unknown (steps are given per distribution family)"},
    "tasks": {"zh": "整改任务", "en": "Tasks"},
    "task": {"zh": "任务", "en": "Task"},
    "kind": {"zh": "类型", "en": "Kind"},
    "objective": {"zh": "整改目标", "en": "Objective"},
    "settings": {"zh": "配置项（当前值 → 目标值）", "en": "Settings (current → target)"},
    "setting": {"zh": "配置项", "en": "Setting"},
    "current": {"zh": "当前值", "en": "Current"},
    "target_value": {"zh": "目标值", "en": "Target"},
    "steps": {"zh": "整改步骤", "en": "Steps"},
    "notes": {"zh": "可行性提示", "en": "Feasibility"},
    "owner": {"zh": "责任人", "en": "Owner"},
    "due": {"zh": "完成期限", "en": "Due"},
    "days": {"zh": "天", "en": "days"},
    "severity": {"zh": "严重程度", "en": "Severity"},
    "high_risk": {"zh": "高风险判例", "en": "High-risk case"},
    "mlps": {"zh": "等保测评单元", "en": "MLPS units"},
    "targets": {"zh": "涉及对象", "en": "Target"},
    "checks": {"zh": "关闭的检查项", "en": "Closes checks"},
    "verify": {"zh": "验收方式", "en": "Verified by"},
    "record": {"zh": "留存记录", "en": "Record to keep"},
    "verify_note": {
        "zh": "重新评估后，所列检查项结果为“通过”、问卷回答达到目标值即视为完成（可用 riskagent diff 对比前后报告）。",
        "en": "A task is done when a new assessment shows its checks passing and its answers at their targets (compare the reports with riskagent diff).",
    },
    "none": {
        "zh": "没有未通过的检查项或缺失的管理措施，无需整改。",
        "en": "No failed checks or missing measures: nothing to rectify.",
    },
    "unassigned": {"zh": "未指定", "en": "unassigned"},
    "host": {"zh": "本机", "en": "this host"},
}
KIND: Dict[str, Dict[str, str]] = {
    "artefact": {"zh": "配置变更", "en": "configuration"},
    "check": {"zh": "单项整改", "en": "single check"},
    "hard_fail": {"zh": "核保否决项", "en": "hard-fail item"},
    "measure": {"zh": "管理措施", "en": "management measures"},
}
SUMMARY = {
    "zh": "共 {n} 项任务（配置变更 {a} 项、核保否决项 {h} 项、管理措施 {m} 项），其中涉及高风险判例 {hr} 项，未指定责任人 {u} 项",
    "en": "{n} task(s) ({a} configuration, {h} hard-fail, {m} management measures), {hr} high-risk, {u} without an owner",
}
CSV_COLUMNS = (
    "id", "kind", "severity", "due", "owner", "task", "objective", "settings", "steps", "verify", "record", "notes", "targets", "mlps", "high_risk",
)  # fmt: skip


def _t(key: str, lang: str) -> str:
    return TEXT[key][lang]


def _owner(task: Task, lang: str) -> str:
    return _t("unassigned", lang) if task.owner_basis == "none" else task.owner


def _summary(plan: Plan, lang: str) -> str:
    s = plan.summary
    k = s.by_kind
    return SUMMARY[lang].format(
        n=s.tasks,
        a=k.get("artefact", 0) + k.get("check", 0),
        h=k.get("hard_fail", 0),
        m=k.get("measure", 0),
        hr=s.high_risk,
        u=s.unassigned,
    )


def _family(plan: Plan, lang: str) -> str:
    fam = plan.target.os_family
    return f"{fam} ({FAMILY_LABELS[fam].get(lang)})" if fam in FAMILY_LABELS else _t("unknown_family", lang)


def texts(plan: Plan, lang: str, questions: Optional[Mapping[str, Text]] = None) -> List[TaskText]:
    """Every task in words, in plan order."""
    Labels(lang)  # rejects an unsupported language early
    return [describe(plan, t, lang, questions) for t in plan.tasks]


def rows(plan: Plan, lang: str, questions: Optional[Mapping[str, Text]] = None) -> List[Dict[str, str]]:
    """One flat row of display text per task, in plan order."""
    L = Labels(lang)
    out = []
    for t, d in zip(plan.tasks, texts(plan, lang, questions)):
        out.append(
            {
                "id": t.id,
                "kind": KIND[t.kind.value][lang],
                "severity": L.severity(t.severity.value),
                "due": t.due,
                "owner": _owner(t, lang),
                "task": d.title,
                "objective": d.objective,
                "settings": " / ".join(f"{n}: {c} → {g}" for n, c, g in d.settings),
                "steps": " / ".join(d.steps),
                "verify": " / ".join(d.verification),
                "record": d.record or "",
                "notes": " / ".join(d.notes),
                "targets": t.target if t.target is not None else _t("host", lang),
                "mlps": ", ".join(t.mlps),
                "high_risk": ", ".join(t.high_risk_cases),
            }
        )
    return out


def plan_markdown(plan: Plan, lang: str, questions: Optional[Mapping[str, Text]] = None) -> str:
    L = Labels(lang)
    lines = [
        f"# {_t('title', lang)}: {md(plan.target.name)}",
        "",
        f"- {_t('report', lang)}: {md(plan.report_id)} ({md(plan.assessed_at)})",
        f"- {_t('made_on', lang)}: {md(plan.today)}",
        f"- {_t('os_family', lang)}: {md(_family(plan, lang))}",
        f"- {md(_summary(plan, lang))}",
        "",
    ]
    if not plan.tasks:
        lines.append(_t("none", lang))
        return "\n".join(lines) + "\n"
    words = texts(plan, lang, questions)
    head = ("#", "kind", "task", "severity", "due", "owner")
    lines.append("| " + " | ".join("#" if h == "#" else _t(h, lang) for h in head) + " |")
    lines.append("|" + "---|" * len(head))
    for t, d in zip(plan.tasks, words):
        cells = (t.id, KIND[t.kind.value][lang], d.title, L.severity(t.severity.value), t.due, _owner(t, lang))
        lines.append("| " + " | ".join(md_cell(c) for c in cells) + " |")
    lines.append("")
    for t, d in zip(plan.tasks, words):
        lines.append(f"## {md(t.id)} {md(d.title)}")
        lines.append("")
        lines.append(f"**{_t('objective', lang)}:** {md(d.objective)}")
        lines.append("")
        lines.append(f"- {_t('severity', lang)}: {L.severity(t.severity.value)}")
        lines.append(f"- {_t('owner', lang)}: {md(_owner(t, lang))}")
        lines.append(f"- {_t('due', lang)}: {md(t.due)} ({md(t.sla_days)} {_t('days', lang)})")
        if t.high_risk_cases:
            lines.append(f"- {_t('high_risk', lang)}: {md(', '.join(t.high_risk_cases))}")
        if t.mlps:
            lines.append(f"- {_t('mlps', lang)}: {md(', '.join(t.mlps))}")
        lines.append(f"- {_t('targets', lang)}: {md(t.target if t.target is not None else _t('host', lang))}")
        if t.checks:
            lines.append(f"- {_t('checks', lang)}: {md(', '.join(t.checks))}")
        lines.append("")
        if d.settings:
            lines.append(f"### {_t('settings', lang)}")
            lines.append("")
            lines.append(f"| {_t('setting', lang)} | {_t('current', lang)} | {_t('target_value', lang)} |")
            lines.append("|---|---|---|")
            for name, current, target in d.settings:
                lines.append(f"| {md_cell(name)} | {md_cell(current)} | {md_cell(target)} |")
            lines.append("")
        lines.append(f"### {_t('steps', lang)}")
        lines.append("")
        for i, step in enumerate(d.steps, 1):
            lines.append(f"{i}. {md(step)}")
        lines.append("")
        for note in d.notes:
            lines.append(f"> **{_t('notes', lang)}:** {md(note)}")
            lines.append("")
        lines.append(f"### {_t('verify', lang)}")
        lines.append("")
        for v in d.verification:
            lines.append(f"- {md(v)}")
        if d.record:
            lines.append(f"- {_t('record', lang)}: {md(d.record)}")
        lines.append("")
    lines.append(f"> {_t('verify_note', lang)}")
    return "\n".join(lines) + "\n"


def plan_html(plan: Plan, lang: str, questions: Optional[Mapping[str, Text]] = None) -> str:
    from report.templating import render_template

    return render_template(
        "plan.html.j2",
        p=plan,
        words=texts(plan, lang, questions),
        L=Labels(lang),
        T={k: v[lang] for k, v in TEXT.items()},
        K={k: v[lang] for k, v in KIND.items()},
        lang=lang,
        owner=lambda t: _owner(t, lang),
        family=_family(plan, lang),
        summary=_summary(plan, lang),
    )


def plan_csv(plan: Plan, lang: str, questions: Optional[Mapping[str, Text]] = None) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, extrasaction="ignore", lineterminator="\n")
    header = {"id": "#", "task": _t("task", lang), "targets": _t("targets", lang)}
    writer.writerow({c: header.get(c) or _t(c, lang) for c in CSV_COLUMNS})
    for row in rows(plan, lang, questions):
        writer.writerow({k: csv_cell(v) for k, v in row.items()})
    return "\ufeff" + buf.getvalue()  # BOM so spreadsheet tools read the Chinese text as UTF-8


def plan_json(plan: Plan, lang: Optional[str] = None, questions: Optional[Mapping[str, Text]] = None) -> str:
    """The plan as the report carries it; with ``lang``, each task also in words (``text``), for ticketing tools."""
    data = to_json(plan)
    if lang is not None:
        for task, words in zip(data["tasks"], texts(plan, lang, questions)):
            task["text"] = to_json(words)
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
