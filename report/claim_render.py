"""The claim report as Markdown, in zh-CN or en, and its summary for the terminal. The claim's own texts (notes, gap
details, the timeline) are bilingual; each is shown in the claim's language. Every value from a report or a snapshot
goes through the Markdown escaping of ``report.escape`` (a hostile host names its accounts and files)."""

from __future__ import annotations

from typing import Dict, List

from report.claim import CHANGE_KINDS, Claim
from report.escape import md, md_cell, md_code_cell
from report.i18n import SEVERITY
from report.presentation import when

_T: Dict[str, Dict[str, str]] = {
    "title": {"zh": "理赔事实报告", "en": "Claim report"},
    "target": {"zh": "对象", "en": "Target"},
    "incident": {"zh": "事故时间", "en": "Incident"},
    "prepared": {"zh": "生成时间", "en": "Prepared"},
    "facts": {
        "zh": "本报告只陈述经签名验证的评估历史与事故后快照中的事实及其证据；责任认定与损失核定由理算人员作出。",
        "en": "This report states facts from the verified assessment history and the post-incident snapshot, with their "
        "evidence; the liability decision and the loss adjustment are the adjuster's.",
    },
    "basis": {"zh": "事故前最后一次经验证的评估", "en": "Last verified assessment before the incident"},
    "no_basis": {"zh": "事故前没有经验证的评估。", "en": "There is no verified assessment before the incident."},
    "basis_line": {
        "zh": "报告 {id}，开始于 {at}，距事故 {hours} 小时（约 {days} 天）；未通过检查 {failed} 项，评分 {score}。",
        "en": "Report {id}, started {at}, {hours} hours (about {days} days) before the incident; {failed} failed checks, score {score}.",
    },
    "warranties": {"zh": "核保否决项在事故时的状态（以上述评估为准）", "en": "Warranties at the time of the incident (as that assessment states them)"},
    "w_item": {"zh": "否决项", "en": "Item"},
    "w_state": {"zh": "状态", "en": "State"},
    "w_checks": {"zh": "未通过的检查", "en": "Failing checks"},
    "open": {"zh": "存在", "en": "present"},
    "mitigable": {"zh": "存在（有补偿措施）", "en": "present (mitigable)"},
    "unknown": {"zh": "无法确认", "en": "unconfirmed"},
    "clear": {"zh": "未发现", "en": "not found"},
    "tasks": {"zh": "事故时未完成的整改任务", "en": "Rectification tasks open at the incident"},
    "t_task": {"zh": "任务", "en": "Task"},
    "t_sev": {"zh": "严重程度", "en": "Severity"},
    "t_first": {"zh": "首次发现", "en": "First found"},
    "t_due": {"zh": "完成期限", "en": "Due"},
    "t_overdue": {"zh": "事故时逾期天数", "en": "Overdue at the incident (days)"},
    "no_tasks": {"zh": "无。", "en": "None."},
    "changes": {"zh": "评估之后发生的变化（与事故后快照对比）", "en": "Changes since that assessment (against the post-incident snapshot)"},
    "no_snapshot": {"zh": "未提供事故后快照，无法对比变化。", "en": "No post-incident snapshot was given: changes were not compared."},
    "no_changes": {"zh": "未发现变化。", "en": "No change found."},
    "c_kind": {"zh": "类型", "en": "Kind"},
    "c_subject": {"zh": "对象", "en": "Subject"},
    "c_before": {"zh": "评估时", "en": "At the assessment"},
    "c_after": {"zh": "快照中", "en": "In the snapshot"},
    "c_evidence": {"zh": "证据", "en": "Evidence"},
    **{kind: {"zh": label.zh, "en": label.en} for kind, label in CHANGE_KINDS.items()},
    "gaps": {"zh": "历史记录缺口", "en": "Gaps in the history"},
    "no_gaps": {"zh": "无。", "en": "None."},
    "timeline": {"zh": "时间线", "en": "Timeline"},
    "excluded": {"zh": "未采用的文件（验证未通过）", "en": "Files not used (they did not verify)"},
    "notes": {"zh": "说明", "en": "Notes"},
    "none": {"zh": "无", "en": "none"},
    # timeline event kinds
    "ev_report": {"zh": "评估报告", "en": "report"},
    "ev_incident": {"zh": "事故", "en": "incident"},
    "ev_gap": {"zh": "缺口", "en": "gap"},
    "ev_snapshot": {"zh": "快照", "en": "snapshot"},
    "ev_change": {"zh": "变化", "en": "change"},
    "ev_unverified": {"zh": "未验证", "en": "unverified"},
    # the terminal summary
    "s_claim": {"zh": "理赔事实报告 {id}：{target}，事故时间 {at}", "en": "claim {id}: {target}, incident {at}"},
    "s_basis": {"zh": "  事故前最后一次经验证的评估：{id}（事故前 {hours} 小时）", "en": "  basis: {id} ({hours} h before)"},
    "s_no_basis": {"zh": "  事故前没有经验证的评估", "en": "  basis: no verified assessment before the incident"},
    "s_counts": {
        "zh": "  存在的核保否决项：{warranties}；未完成的整改任务：{tasks}，其中逾期：{overdue}；历史记录缺口：{gaps}；变化：{changes}",
        "en": "  warranties present: {warranties}; tasks open: {tasks}, overdue: {overdue}; gaps: {gaps}; changes: {changes}",
    },
    "s_note": {"zh": "  说明：{text}", "en": "  note: {text}"},
}


def _t(key: str, lang: str) -> str:
    return _T[key]["zh" if lang == "zh" else "en"]


def claim_markdown(claim: Claim, lang: str) -> str:
    def t(key: str) -> str:
        return _t(key, lang)

    out: List[str] = [f"# {t('title')}: {md(claim.target)}", ""]
    out += [f"- {t('target')}: {md(claim.target)}", f"- {t('incident')}: {when(claim.incident_at, lang)}", f"- {t('prepared')}: {when(claim.prepared_at, lang)}", ""]
    out += [f"> {t('facts')}", ""]
    out += [f"## {t('basis')}", ""]
    b = claim.basis
    if b is None:
        out += [t("no_basis"), ""]
    else:
        out += [
            t("basis_line").format(
                id=md(b.report.report_id), at=when(b.report.started_at, lang), hours=b.age_hours, days=round(b.age_hours / 24, 1), failed=b.report.failed, score=md(b.report.score or "-")
            ),
            "",
        ]
    out += [f"## {t('warranties')}", ""]
    if claim.warranties:
        out += [f"| {t('w_item')} | {t('w_state')} | {t('w_checks')} |", "|---|---|---|"]
        for w in claim.warranties:
            out.append(f"| {md_cell(w.label.get(lang))} | {t(w.state) if w.state in _T else md_cell(w.state)} | {md_cell(', '.join(w.failing) or t('none'))} |")
    else:
        out.append(t("no_tasks"))
    out += ["", f"## {t('tasks')}", ""]
    if claim.tasks:
        out += [f"| {t('t_task')} | {t('t_sev')} | {t('t_first')} | {t('t_due')} | {t('t_overdue')} |", "|---|---|---|---|---|"]
        for task in claim.tasks:
            severity = SEVERITY.get(task.severity, {}).get("zh" if lang == "zh" else "en", task.severity)
            out.append(f"| {md_cell(task.id)} | {md_cell(severity)} | {task.first_found} | {task.due} | {task.overdue_days or '-'} |")
    else:
        out.append(t("no_tasks"))
    out += ["", f"## {t('changes')}", ""]
    if claim.snapshot is None:
        out.append(t("no_snapshot"))
    elif not claim.changes:
        out.append(t("no_changes"))
    else:
        out += [f"| {t('c_kind')} | {t('c_subject')} | {t('c_before')} | {t('c_after')} | {t('c_evidence')} |", "|---|---|---|---|---|"]
        for c in claim.changes:
            kind = t(c.kind) if c.kind in _T else md_cell(c.kind)
            out.append(f"| {kind} | {md_code_cell(c.subject)} | {md_cell(c.before or '-')} | {md_cell(c.after or '-')} | {md_code_cell(c.evidence)} |")
    out += ["", f"## {t('gaps')}", ""]
    span = "（{} → {}）" if lang == "zh" else " ({} → {})"
    out += [f"- {md(g.detail.get(lang))}" + (span.format(when(g.start, lang), when(g.end, lang)) if g.start and g.end else "") for g in claim.gaps] or [t("no_gaps")]
    out += ["", f"## {t('timeline')}", ""]
    out += [f"- {when(e.at, lang)} · {t('ev_' + e.kind) if 'ev_' + e.kind in _T else md(e.kind)} · {md(e.text.get(lang))}" for e in claim.timeline]
    if claim.excluded:
        out += ["", f"## {t('excluded')}", ""]
        out += [f"- {md_code_cell(x.file)}: {md(x.reason.get(lang))}" for x in claim.excluded]
    if claim.notes:
        out += ["", f"## {t('notes')}", ""]
        out += [f"- {md(n.get(lang))}" for n in claim.notes]
    return "\n".join(out) + "\n"


def claim_summary_lines(claim: Claim, lang: str) -> List[str]:
    """What ``riskagent claim`` and ``claim verify`` print about a claim, in ``lang``, notes included (the caller
    makes the lines terminal-safe: they carry names from the reports and the snapshot)."""
    b = claim.basis
    lines = [_t("s_claim", lang).format(id=claim.claim_id, target=claim.target, at=when(claim.incident_at, lang))]
    lines.append(_t("s_basis", lang).format(id=b.report.report_id, hours=b.age_hours) if b else _t("s_no_basis", lang))
    lines.append(
        _t("s_counts", lang).format(
            warranties=sum(1 for w in claim.warranties if w.state in ("open", "mitigable")),
            tasks=len(claim.tasks),
            overdue=len(claim.overdue),
            gaps=len(claim.gaps),
            changes=len(claim.changes),
        )
    )
    lines += [_t("s_note", lang).format(text=n.get(lang)) for n in claim.notes]
    return lines
