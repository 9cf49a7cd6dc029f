"""Exports of a rectification plan: Markdown, HTML, CSV (for spreadsheets) and JSON."""

from __future__ import annotations

import csv
import io
import json
from typing import Dict, List

from collectors.strictjson import to_json
from report.escape import csv_cell, md, md_cell, md_code
from report.i18n import Labels
from report.plan import Plan, Task

TEXT: Dict[str, Dict[str, str]] = {
    "title": {"zh": "整改方案", "en": "Rectification plan"},
    "target": {"zh": "评估对象", "en": "Target"},
    "report": {"zh": "依据报告", "en": "From report"},
    "made_on": {"zh": "编制日期", "en": "Drawn up on"},
    "tasks": {"zh": "整改任务", "en": "Tasks"},
    "task": {"zh": "任务", "en": "Task"},
    "objective": {"zh": "整改目标", "en": "Objective"},
    "steps": {"zh": "整改步骤", "en": "Steps"},
    "owner": {"zh": "责任人", "en": "Owner"},
    "due": {"zh": "完成期限", "en": "Due"},
    "days": {"zh": "天", "en": "days"},
    "severity": {"zh": "严重程度", "en": "Severity"},
    "high_risk": {"zh": "高风险判例", "en": "High-risk case"},
    "mlps": {"zh": "等保测评单元", "en": "MLPS units"},
    "targets": {"zh": "涉及对象", "en": "Targets"},
    "verify": {"zh": "验收方式", "en": "Verified by"},
    "verify_note": {
        "zh": "重新评估后，下列检查项对所列对象的结果为“符合”即视为完成（可用 riskagent diff 对比前后报告）。",
        "en": "The task is done when a new assessment shows these checks passing for the listed targets (compare the reports with riskagent diff).",
    },
    "none": {"zh": "没有未通过的检查项，无需整改。", "en": "No failed checks: nothing to rectify."},
    "unassigned": {"zh": "未指定", "en": "unassigned"},
}
SUMMARY = {
    "zh": "共 {n} 项任务，其中高风险 {hr} 项，未指定责任人 {u} 项",
    "en": "{n} task(s), {hr} high-risk, {u} without an owner",
}
CSV_COLUMNS = ("id", "severity", "due", "owner", "objective", "steps", "targets", "mlps", "high_risk_case", "verify_with")


def _t(key: str, lang: str) -> str:
    return TEXT[key][lang]


def _owner(task: Task, lang: str) -> str:
    return _t("unassigned", lang) if task.owner_basis == "none" else task.owner


def rows(plan: Plan, lang: str) -> List[Dict[str, str]]:
    """One flat row of display text per task, in plan order."""
    L = Labels(lang)  # rejects an unsupported language early
    out = []
    for t in plan.tasks:
        out.append(
            {
                "id": t.id,
                "check_id": t.check_id,
                "severity": L.severity(t.severity.value),
                "due": t.due,
                "owner": _owner(t, lang),
                "objective": t.objective.get(lang),
                "steps": " / ".join(t.steps.get(lang)),
                "targets": ", ".join(str(x.name) for x in t.targets),
                "mlps": ", ".join(t.mlps),
                "high_risk_case": t.high_risk_case or "",
                "verify_with": ", ".join(f"{v.check_id}@{v.target}" if v.target is not None else v.check_id for v in t.verify_with),
            }
        )
    return out


def plan_markdown(plan: Plan, lang: str) -> str:
    L = Labels(lang)
    s = plan.summary
    lines = [
        f"# {_t('title', lang)}: {md(plan.target.name)}",
        "",
        f"- {_t('report', lang)}: {md(plan.report_id)} ({md(plan.assessed_at)})",
        f"- {_t('made_on', lang)}: {md(plan.today)}",
        f"- {SUMMARY[lang].format(n=s.tasks, hr=s.high_risk, u=s.unassigned)}",
        "",
    ]
    if not plan.tasks:
        lines.append(_t("none", lang))
        return "\n".join(lines) + "\n"
    head = ("#", "severity", "due", "owner", "objective")
    lines.append("| " + " | ".join("#" if h == "#" else _t(h, lang) for h in head) + " |")
    lines.append("|" + "---|" * len(head))
    for r in rows(plan, lang):
        lines.append("| " + " | ".join(md_cell(r[k]) for k in ("id", "severity", "due", "owner", "objective")) + " |")
    lines.append("")
    for t in plan.tasks:
        lines.append(f"## {md(t.id)} {md(t.objective.get(lang))}")
        lines.append("")
        lines.append(f"- {_t('severity', lang)}: {L.severity(t.severity.value)}")
        lines.append(f"- {_t('owner', lang)}: {md(_owner(t, lang))}")
        lines.append(f"- {_t('due', lang)}: {md(t.due)} ({md(t.sla_days)} {_t('days', lang)})")
        if t.high_risk_case:
            lines.append(f"- {_t('high_risk', lang)}: {md(t.high_risk_case)}")
        lines.append(f"- {_t('mlps', lang)}: {md(', '.join(t.mlps))}")
        lines.append(f"- {_t('targets', lang)}: {md(', '.join(str(x.name) for x in t.targets))}")
        lines.append("")
        lines.append(f"{_t('steps', lang)}:")
        lines.append("")
        for i, step in enumerate(t.steps.get(lang), 1):
            lines.append(f"{i}. {md(step)}")
        lines.append("")
        verify = ", ".join(md_code(v.check_id) + (f" @ {md(v.target)}" if v.target is not None else "") for v in t.verify_with)
        lines.append(f"{_t('verify', lang)}: {verify}")
        lines.append("")
    lines.append(f"> {_t('verify_note', lang)}")
    return "\n".join(lines) + "\n"


def plan_html(plan: Plan, lang: str) -> str:
    from report.templating import render_template

    s = plan.summary
    return render_template(
        "plan.html.j2",
        p=plan,
        L=Labels(lang),
        T={k: v[lang] for k, v in TEXT.items()},
        lang=lang,
        owner=lambda t: _owner(t, lang),
        summary=SUMMARY[lang].format(n=s.tasks, hr=s.high_risk, u=s.unassigned),
    )


def plan_csv(plan: Plan, lang: str) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, extrasaction="ignore", lineterminator="\n")
    header = {"id": "#", "high_risk_case": _t("high_risk", lang), "verify_with": _t("verify", lang)}
    writer.writerow({c: header.get(c) or _t(c, lang) for c in CSV_COLUMNS})
    for row in rows(plan, lang):
        writer.writerow({k: csv_cell(v) for k, v in row.items()})
    return "\ufeff" + buf.getvalue()  # BOM so spreadsheet tools read the Chinese text as UTF-8


def plan_json(plan: Plan) -> str:
    return json.dumps(to_json(plan), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
