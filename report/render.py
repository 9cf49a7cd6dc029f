"""Views of a report: HTML and Markdown (precompiled Jinja2 templates), and a terminal summary."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, Tuple

from checks.model import Status, Text
from report.decision import decide, label
from report.i18n import Labels
from report.model import Report
from report.presentation import evidence_status, observed_rows, reason_segments, tech_segments, when
from report.provenance import banners
from report.questionnaire_export import rows
from report.templating import render_template, render_template_bytes
from report.timeouts import out_of_time
from report.vuln_view import vuln_rows

Verified = Tuple[bool, Sequence[str]]

OFFLINE_ROOT = "offline-root"
OFFLINE_ROOT_NAME = Text("离线镜像评估", "offline root file system")
_OFFLINE_ROOT_MODE = Text("离线镜像评估（根文件系统，未运行）", "offline root file system (not running)")


def offline_root_not_applicable(report: Report) -> List[str]:
    """Host checks that are not applicable because an offline root file system has no run-time state.

    Their reason carries the collector's ``offline-root:`` account (collectors.context.runtime_only).
    """
    return sorted(
        {f.check_id for f in report.findings if f.target is None and f.status is Status.NOT_APPLICABLE and OFFLINE_ROOT in (f.reason or "")}
    )


def offline_root_banner(report: Report) -> Text:
    """What a reader of an offline-root report must know first: files only, nothing run, and what that leaves out."""
    ids = offline_root_not_applicable(report)
    listed = ", ".join(ids) if ids else "-"
    return Text(
        f"{OFFLINE_ROOT_NAME.zh}（{OFFLINE_ROOT}）：本报告依据根文件系统中的配置文件生成，未运行其中任何命令，也未观察到运行中的系统。"
        f"仅在运行时存在的状态（进程、监听端口、/proc、内核运行参数、已加载模块、systemctl 状态）不予评估，"
        f"以下 {len(ids)} 项检查因此判为不适用：{listed}。",
        f"Offline root file system ({OFFLINE_ROOT}): this report was made from the configuration files of a root file system; "
        "no command was run from it and no running system was observed. What exists only at run time (processes, listening "
        "sockets, /proc, live kernel parameters, loaded modules, systemctl state) is not assessed: "
        f"{len(ids)} check(s) are not applicable for that reason: {listed}.",
    )


def _banners(report: Report, lang: str) -> List[str]:
    """The provenance banners; an offline-root report gets its own instead of the one for recorded host data."""
    if report.run.mode != OFFLINE_ROOT:
        return [b.get(lang) for b in banners(report.run.mode, report.run.privileged, report.provenance)]
    rest = banners("live", report.run.privileged, report.provenance)  # "live": everything but the recorded-data banner
    return [offline_root_banner(report).get(lang), *(b.get(lang) for b in rest)]


def mode_label(report: Report, lang: str) -> str:
    """The provenance table's mode cell."""
    if report.run.mode == OFFLINE_ROOT:
        return _OFFLINE_ROOT_MODE.get(lang)
    return Labels(lang)["mode_" + report.run.mode]


def _context(report: Report, lang: str, verification: Optional[Verified]) -> Dict[str, Any]:
    """What both document templates read: the report, labels, questionnaire rows, banners and the verification header.

    ``verification`` is (accepted, lines of the verification result) for ``riskagent render``; None for
    the views a scan writes, which say they are to be checked with ``riskagent verify``.
    """
    return {
        "r": report,
        "L": Labels(lang),
        "lang": lang,
        "qrows": rows(report.questionnaire, lang) if report.questionnaire else [],
        "banners": _banners(report, lang),
        "mode_label": mode_label(report, lang),
        "verification": list(verification[1]) if verification is not None else None,
        "verification_ok": verification[0] if verification is not None else None,
        "out_of_time": out_of_time(report.evidence),
        "decision": decide(report),
        "vulns": vuln_rows(report),
        "D": lambda key, **params: label(key, lang, **params),
        "EV": lambda value: evidence_status(value, lang),
        "when": when,
        "observed_rows": observed_rows,
        "reason_segments": reason_segments,
        "tech_segments": tech_segments,
    }


def render_html(report: Report, lang: str, verification: Optional[Verified] = None) -> str:
    return render_template("report.html.j2", **_context(report, lang, verification))


def render_markdown(report: Report, lang: str, verification: Optional[Verified] = None) -> str:
    return render_template("report.md.j2", **_context(report, lang, verification))


def render_bytes(report: Report, lang: str, markdown: bool) -> bytes:
    """The HTML (or Markdown) page as UTF-8, as a scan writes it."""
    return render_template_bytes("report.md.j2" if markdown else "report.html.j2", **_context(report, lang, None))


def decision_lines(report: Report, lang: str) -> List[str]:
    """The decision box as terminal lines: recommendation and rule, score and rating, hard-fail items, scope."""
    d = decide(report)
    sep = "；" if lang == "zh" else "; "
    lines = [f"  {label('decision', lang)}: {d.recommendation_text(lang)} ({d.rule_text(lang)})"]
    score = f"{d.score}/100 · {Labels(lang)['grade']} {d.grade}" if d.score is not None else label("not_scored", lang)
    if d.cap_reasons:
        score += f" ({label('cap', lang)}: {sep.join(c.get(lang) for c in d.cap_reasons)})"
    lines.append(f"    {label('score_grade', lang)}: {score}")
    for key, items in (("hf_present", d.hard_fail_present), ("hf_unconfirmed", d.hard_fail_unconfirmed), ("hf_not_covered", d.hard_fail_not_covered)):
        if items or key == "hf_present":
            lines.append(f"    {label(key, lang)}: " + (sep.join(i.get(lang) for i in items) or label("none", lang)))
    if d.conditions:
        lines.append(f"    {label('conditions', lang)}: " + sep.join(c.get(lang) for c in d.conditions))
    if d.questions is not None:
        lines.append(f"    {label('questionnaire', lang)}: {label('answered_of', lang, answered=d.answered, questions=d.questions)}")
    if d.not_assessed:
        lines.append(f"    {label('not_assessed', lang)}: " + sep.join(a.get(lang) for a in d.not_assessed))
    return lines


def terminal_summary(report: Report, lang: str) -> str:
    """A few lines for the terminal: results by severity and by MLPS layer."""
    L = Labels(lang)
    s = report.summary
    lines: List[str] = []
    target = report.target
    what = f" ({target.os})" if target.os else ""
    lines.append(f"{L['title']}: {target.name}{what}, {L['profile']} {report.profile}")
    if report.run.mode == OFFLINE_ROOT:
        ids = offline_root_not_applicable(report)
        how = (
            f"依据文件判断，未运行任何命令；{len(ids)} 项仅有运行时状态的检查不适用"
            if lang == "zh"
            else f"judged from files, no command run; {len(ids)} check(s) of run-time state not applicable"
        )
        sep = "：" if lang == "zh" else ": "
        lines.append(f"  {OFFLINE_ROOT_NAME.get(lang)} ({OFFLINE_ROOT}){sep}{how}" + (f"{sep}{', '.join(ids)}" if ids else ""))
    lines += decision_lines(report, lang)
    lines.append(f"  {L['by_status']}: " + ", ".join(f"{L.status(k)} {v}" for k, v in s.by_status.items()) + f"  ({L['total']} {s.total})")
    lines.append(f"  {L['failed_by_severity']}: " + ", ".join(f"{L.severity(k)} {v}" for k, v in s.failed_by_severity.items()))
    lines.append(f"  {L['by_layer']}:")
    for layer, counts in s.by_layer.items():
        lines.append(f"    {L.layer(layer):<12} " + ", ".join(f"{L.status(k)} {v}" for k, v in counts.items() if v))
    hr = (
        ", ".join(f"{h.case} ({h.check_id}" + (f"; {L['state_mitigable']}" if h.state == "mitigable" else "") + ")" for h in s.open_high_risk)
        if s.open_high_risk
        else L["none"]
    )
    lines.append(f"  {L['high_risk']}: {hr}")
    if s.high_risk_not_assessed:
        lines.append(f"  {L['high_risk_not_assessed']}: {', '.join(s.high_risk_not_assessed)}")
    late = out_of_time(report.evidence)
    if late:
        lines.append(f"  {L['out_of_time']}: " + ", ".join(f"{t.endpoint} ({t.collector})" for t in late))
    view = report.scanner_view
    if view:
        label = "外部扫描视角" if lang == "zh" else "Scanner view"
        worst = [f"{t.target}: {len(t.issues)}" + (f" ({L.severity(t.worst)})" if t.worst else "") for t in view.targets]
        lines.append(f"  {label}: " + "; ".join(worst))
    answered = report.questionnaire
    if answered:
        qs = answered.summary
        label = "问卷" if lang == "zh" else "Questionnaire"
        lines.append(
            f"  {label} {answered.id}@{answered.version}: "
            + (
                f"证据推导 {qs.derived}，填报人声明 {qs.attested}，未知 {qs.unknown}，冲突 {qs.conflicts}"
                if lang == "zh"
                else f"derived {qs.derived}, attested {qs.attested}, unknown {qs.unknown}, conflicts {qs.conflicts}"
            )
        )
    if not report.run.privileged:
        lines.append(f"  {L['run_as']}: {L['unprivileged']}")
    return "\n".join(lines)
