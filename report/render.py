"""Views of a report: HTML and Markdown (Jinja2), and a terminal summary."""

from __future__ import annotations

import functools
import json
from typing import Any, Dict, List, Mapping

from report.i18n import Labels


@functools.lru_cache(maxsize=2)
def _env(autoescape: bool) -> Any:
    """One Jinja2 environment per escaping mode: templates are read and compiled once per process."""
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("report", "templates"),
        autoescape=autoescape,  # noqa: S701 - off only for Markdown, which is not HTML
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # packaged templates do not change while the process runs
    )


def _compact(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def _md_cell(value: Any) -> str:
    return _compact(value).replace("|", "\\|").replace("\n", " ")


def _questionnaire_rows(report: Mapping[str, Any], lang: str) -> List[Dict[str, Any]]:
    from report.questionnaire_export import rows

    answered = report.get("questionnaire")
    return list(rows(answered, lang)) if answered else []


def render_html(report: Mapping[str, Any], lang: str) -> str:
    env = _env(autoescape=True)
    env.filters["compact"] = _compact
    template = env.get_template("report.html.j2")
    return str(template.render(r=report, L=Labels(lang), lang=lang, qrows=_questionnaire_rows(report, lang)))


def render_markdown(report: Mapping[str, Any], lang: str) -> str:
    env = _env(autoescape=False)
    env.filters["cell"] = _md_cell
    template = env.get_template("report.md.j2")
    return str(template.render(r=report, L=Labels(lang), lang=lang, qrows=_questionnaire_rows(report, lang)))


def terminal_summary(report: Mapping[str, Any], lang: str) -> str:
    """A few lines for the terminal: results by severity and by MLPS layer."""
    L = Labels(lang)
    s = report["summary"]
    lines: List[str] = []
    target = report["target"]
    what = f" ({target['os']})" if target.get("os") else ""
    lines.append(f"{L['title']}: {target['name']}{what}, {L['profile']} {report['profile']}")
    lines.append(
        f"  {L['by_status']}: "
        + ", ".join(f"{L.status(k)} {v}" for k, v in s["by_status"].items())
        + f"  ({L['total']} {s['total']})"
    )
    lines.append(f"  {L['failed_by_severity']}: " + ", ".join(f"{L.severity(k)} {v}" for k, v in s["failed_by_severity"].items()))
    lines.append(f"  {L['by_layer']}:")
    for layer, counts in s["by_layer"].items():
        lines.append(f"    {L.layer(layer):<12} " + ", ".join(f"{L.status(k)} {v}" for k, v in counts.items() if v))
    open_hr = s["open_high_risk"]
    hr = ", ".join(f"{h['case']} ({h['check_id']})" for h in open_hr) if open_hr else L["none"]
    lines.append(f"  {L['high_risk']}: {hr}")
    uw = report.get("underwriting")
    if uw:
        ins = uw["insurer"]
        state = (
            L["binding_blocked"]
            if uw["hard_fail"]["binding_blocked"]
            else (L["binding_unconfirmed"] if uw["hard_fail"]["binding_unconfirmed"] else L["binding_clear"])
        )
        lines.append(
            f"  {L['insurer_score']}: {ins['score'] if ins['score'] is not None else '-'}/100, {L['grade']} {ins['grade'] or '-'}; {state}"
        )
    view = report.get("scanner_view")
    if view:
        label = "外部扫描视角" if lang == "zh" else "Scanner view"
        worst = [
            f"{t['target']}: {len(t['issues'])}" + (f" ({L.severity(t['worst'])})" if t["worst"] else "") for t in view["targets"]
        ]
        lines.append(f"  {label}: " + "; ".join(worst))
    answered = report.get("questionnaire")
    if answered:
        qs = answered["summary"]
        label = "问卷" if lang == "zh" else "Questionnaire"
        lines.append(
            f"  {label} {answered['id']}@{answered['version']}: "
            + (
                f"证据推导 {qs['derived']}，人工确认 {qs['attested']}，未知 {qs['unknown']}，冲突 {qs['conflicts']}"
                if lang == "zh"
                else f"derived {qs['derived']}, attested {qs['attested']}, unknown {qs['unknown']}, conflicts {qs['conflicts']}"
            )
        )
    if not report["run"]["privileged"]:
        lines.append(f"  {L['run_as']}: {L['unprivileged']}")
    return "\n".join(lines)
