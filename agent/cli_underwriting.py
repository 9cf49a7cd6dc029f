"""Commands for the rectification loop: ``plan``, ``diff`` and ``export``.

They are plain click commands that ``agent.cli`` adds to its group
(``main.add_command(plan_cmd)`` ...), so this module never imports
``agent.cli``. Like the commands there, each turns an ``AgentError`` into
``riskagent: error: ...`` on stderr and its exit code, and imports the heavy
modules only when it runs.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Optional, Tuple

import click

from agent.cli_common import (
    ISO_DATE_RE,
    fail,
    json_option,
    lang_option,
    out_option,
    say,
    trusted_keys,
    trusted_keys_option,
    unverified_option,
)
from agent.errors import AgentError, UsageError

if TYPE_CHECKING:
    from agent.signed_input import ReportInput


def _plan_settings(config: Optional[Path]) -> Mapping[str, Any]:
    if config is None:
        return {}
    from agent.settings import load_settings

    return load_settings(config).plan


def _write(path: Path, text: str) -> None:
    """One output file, 0600, never into a directory another user controls."""
    from agent.files import atomic_write, check_parent

    check_parent(path, str(path))
    try:
        atomic_write(path, text.encode("utf-8"))
    except OSError as exc:
        raise AgentError(f"cannot write {path}: {exc.strerror}") from None


def _read(path: Path, trust_stores: Tuple[Path, ...], keys: Tuple[Path, ...], unverified: bool) -> ReportInput:
    from agent.signed_input import read_report

    trusted = trusted_keys(trust_stores, keys, required=False) if not unverified else {}
    return read_report(path, trusted, unverified=unverified, say_warning=lambda t: say(t, err=True))


def _marked(text: str, marker: Optional[str], fmt: str) -> str:
    """``text`` with the UNVERIFIED marker on its first line (for JSON: as the first member)."""
    if marker is None:
        return text
    # The marker can quote a verification reason, which quotes the report: data, escaped for each format.
    if fmt == "md":
        from report.escape import md

        return f"> **{md(marker)}**\n\n{text}"
    if fmt == "html":
        import html

        from report.escape import visible

        shown = html.escape(visible(marker))
        banner = f'<p style="background:#b3261e;color:#fff;padding:.5rem;font-weight:600">{shown}</p>'
        return f"<!-- {shown.replace('--', '- -')} -->\n" + text.replace("<body>", "<body>\n" + banner, 1)
    if fmt == "csv":
        from report.escape import csv_cell

        cell = '"' + csv_cell(marker).replace('"', '""') + '"'
        bom = "\ufeff" if text.startswith("\ufeff") else ""
        return f"{bom}{cell}\n{text[len(bom):]}"
    if fmt == "json":
        data = json.loads(text)
        return json.dumps({"unverified": marker, **data}, ensure_ascii=False, indent=2) + "\n"
    return f"{marker}\n{text}"


@click.command("plan")
@click.argument("report_path", metavar="REPORT", type=click.Path(path_type=Path, dir_okay=False))
@trusted_keys_option
@unverified_option
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help='JSON configuration whose "plan" object sets owners, default_owner and sla_days.',
)
@out_option()
@lang_option
@click.option("--today", default=None, help="Date the due dates count from, YYYY-MM-DD (default: today).")
def plan_cmd(
    report_path: Path,
    trust_stores: Tuple[Path, ...],
    keys: Tuple[Path, ...],
    unverified: bool,
    config_path: Optional[Path],
    out_dir: Path,
    lang: str,
    today: Optional[str],
) -> None:
    """Write the rectification plan (整改方案) for a signed report: plan.md, .html, .csv and .json.

    Tasks are grouped by the configuration artefact a fix changes, with current and target values and
    steps for the host's OS family, plus tasks for open hard-fail items and missing management measures.
    The envelope is verified first (--trust/--key); an unsigned report.json needs --unverified.
    """
    from report.plan import plan_of_report, question_texts
    from report.plan_export import plan_csv, plan_html, plan_json, plan_markdown

    try:
        source = _read(report_path, trust_stores, keys, unverified)
        marker = source.marker(lang)
        settings = _plan_settings(config_path)
        if today is not None and not ISO_DATE_RE.fullmatch(today):
            raise UsageError(f"--today {today!r}: expected a date YYYY-MM-DD (digits 0-9)")
        day = today or datetime.date.today().isoformat()
        try:
            plan = plan_of_report(source.report, settings, day)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        embedded = source.report.questionnaire
        questions = question_texts(embedded.definition if embedded is not None else None)
        if marker:
            say(marker, err=True)
        for name, fmt, text in (
            ("plan.md", "md", plan_markdown(plan, lang, questions)),
            ("plan.html", "html", plan_html(plan, lang, questions)),
            ("plan.csv", "csv", plan_csv(plan, lang, questions)),
            ("plan.json", "json", plan_json(plan, lang, questions)),
        ):
            _write(out_dir / name, _marked(text, marker, fmt))
            say(f"  wrote {out_dir / name}")
    except AgentError as exc:
        fail(exc)
    s = plan.summary
    say(f"{s.tasks} task(s), {s.high_risk} high-risk, {s.unassigned} unassigned")


@click.command("diff")
@click.argument("old_path", metavar="OLD", type=click.Path(path_type=Path, dir_okay=False))
@click.argument("new_path", metavar="NEW", type=click.Path(path_type=Path, dir_okay=False))
@trusted_keys_option
@unverified_option
@json_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "md", "json"]),
    default="text",
    show_default=True,
    help="Terminal text, Markdown or JSON (--json is --format json).",
)
@click.option("--force", is_flag=True, help="Compare reports of different targets.")
@lang_option
def diff_cmd(
    old_path: Path,
    new_path: Path,
    trust_stores: Tuple[Path, ...],
    keys: Tuple[Path, ...],
    unverified: bool,
    as_json: bool,
    fmt: str,
    force: bool,
    lang: str,
) -> None:
    """Compare two signed reports: a before/after header (hard-fail items, open 高风险 cases, score and grade,
    MLPS hint), the old plan's tasks closed, open and overdue, then findings closed, new, regressed and persisting.

    Both envelopes are verified (signatures and the full recheck) before anything is compared.
    """
    from report.diff import diff_markdown, diff_reports, diff_text

    try:
        old = _read(old_path, trust_stores, keys, unverified)
        new = _read(new_path, trust_stores, keys, unverified)
        try:
            result = diff_reports(old.report, new.report, force=force)
        except ValueError as exc:
            raise UsageError(f"{old_path} and {new_path}: {exc}", "pass --force to compare them anyway") from None
    except AgentError as exc:
        fail(exc)
    marker = old.marker(lang) or new.marker(lang)
    if as_json or fmt == "json":
        from collectors.strictjson import to_json

        # In field order, not sorted: the header and the task progress come first, as in the text.
        text = json.dumps(to_json(result), ensure_ascii=False, indent=2) + "\n"
        say(_marked(text, marker, "json"), nl=False)
    elif fmt == "md":
        say(_marked(diff_markdown(result, lang), marker, "md"))
    else:
        say(_marked(diff_text(result, lang), marker, "text"))


@click.command("export")
@click.argument("report_path", metavar="REPORT", type=click.Path(path_type=Path, dir_okay=False))
@trusted_keys_option
@unverified_option
@click.option("--format", "fmt", type=click.Choice(["sarif"]), default="sarif", show_default=True)
@click.option(
    "--out",
    "out_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="File to write (default: standard output).",
)
@click.option("--no-review", is_flag=True, help="Leave out findings that could not be assessed or need a person.")
def export_cmd(
    report_path: Path,
    trust_stores: Tuple[Path, ...],
    keys: Tuple[Path, ...],
    unverified: bool,
    fmt: str,
    out_path: Optional[Path],
    no_review: bool,
) -> None:
    """Export a signed report's findings in another format (SARIF 2.1.0), after verifying it."""
    from report.sarif import to_sarif

    try:
        source = _read(report_path, trust_stores, keys, unverified)
        log = to_sarif(source.report, include_review=not no_review)
        marker = source.marker("en")
        if marker:
            log = {"properties": {"riskagent:unverified": marker}, **log}
            say(marker, err=True)
        text = json.dumps(log, ensure_ascii=False, indent=2) + "\n"
        if out_path is None:
            say(text, nl=False)
            return
        _write(out_path, text)
    except AgentError as exc:
        fail(exc)
    say(f"  wrote {out_path}", err=True)
