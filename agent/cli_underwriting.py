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

from agent.cli_common import fail, json_option, lang_option, out_option, trusted_keys, trusted_keys_option
from agent.errors import AgentError, UsageError

if TYPE_CHECKING:
    from report.model import Report

EXIT_INVALID = 1


def _read_json(path: Path, what: str) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read {what} {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise UsageError(f"{path}: {what} is not UTF-8 text") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"{path}: line {exc.lineno} column {exc.colno}: not valid JSON: {exc.msg}") from None


def load_report(path: Path) -> Report:
    """A plain report.json, or the report inside an envelope (unverified: plan and export are local views)."""
    from collectors.strictjson import JsonShapeError
    from report.model import Report

    data = _read_json(path, "report")
    if isinstance(data, dict) and set(data) == {"payload", "payloadType", "signatures"}:
        import base64
        import binascii

        try:
            statement = json.loads(base64.b64decode(data["payload"], validate=True))
            data = statement["predicate"]
        except (binascii.Error, ValueError, KeyError, TypeError):
            raise UsageError(f"{path}: a DSSE envelope without a readable report inside") from None
    try:
        return Report.from_json(data)
    except JsonShapeError as exc:
        raise UsageError(f"{path} is not a riskagent report: {exc}") from None


def _plan_settings(config: Optional[Path]) -> Mapping[str, Any]:
    if config is None:
        return {}
    from agent.settings import load_settings

    return load_settings(config).plan


def _write(path: Path, text: str) -> None:
    from agent.files import atomic_write

    try:
        atomic_write(path, text.encode("utf-8"))
    except OSError as exc:
        raise AgentError(f"cannot write {path}: {exc.strerror}") from None


@click.command("plan")
@click.argument("report_path", metavar="REPORT", type=click.Path(path_type=Path, dir_okay=False))
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
def plan_cmd(report_path: Path, config_path: Optional[Path], out_dir: Path, lang: str, today: Optional[str]) -> None:
    """Write the rectification plan (整改方案) for a report: plan.md, .html, .csv and .json."""
    from agent.pipeline import plan_for
    from report.plan_export import plan_csv, plan_html, plan_json, plan_markdown

    try:
        report = load_report(report_path)
        settings = _plan_settings(config_path)
        day = today or datetime.date.today().isoformat()
        try:
            plan = plan_for(report, settings, day)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        for name, text in (
            ("plan.md", plan_markdown(plan, lang)),
            ("plan.html", plan_html(plan, lang)),
            ("plan.csv", plan_csv(plan, lang)),
            ("plan.json", plan_json(plan)),
        ):
            _write(out_dir / name, text)
            click.echo(f"  wrote {out_dir / name}")
    except AgentError as exc:
        fail(exc)
    s = plan.summary
    click.echo(f"{s.tasks} task(s), {s.high_risk} high-risk, {s.unassigned} unassigned")


def _verified(path: Path, trusted: Mapping[str, Any]) -> Report:
    from report.signing import VerificationError, verify_envelope

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None
    try:
        return verify_envelope(data, trusted).report
    except VerificationError as exc:
        raise AgentError(
            f"{path} does not verify: {exc}", "diff compares signed reports only (report.dsse.json); check the file and --key"
        ) from None


@click.command("diff")
@click.argument("old_path", metavar="OLD", type=click.Path(path_type=Path, dir_okay=False))
@click.argument("new_path", metavar="NEW", type=click.Path(path_type=Path, dir_okay=False))
@trusted_keys_option
@json_option
@click.option("--force", is_flag=True, help="Compare reports of different targets.")
@lang_option
def diff_cmd(old_path: Path, new_path: Path, keys: Tuple[Path, ...], as_json: bool, force: bool, lang: str) -> None:
    """Compare two signed reports: closed, new, regressed and persisting findings, and the score change.

    Both envelopes are verified against the trusted keys before anything is compared.
    """
    from report.diff import diff_reports, diff_text

    try:
        trusted = trusted_keys(keys)
        old = _verified(old_path, trusted)
        new = _verified(new_path, trusted)
        try:
            result = diff_reports(old, new, force=force)
        except ValueError as exc:
            raise UsageError(f"{old_path} and {new_path}: {exc}", "pass --force to compare them anyway") from None
    except AgentError as exc:
        fail(exc)
    if as_json:
        from collectors.strictjson import to_json

        click.echo(json.dumps(to_json(result), ensure_ascii=False, indent=2, sort_keys=True))
    else:
        click.echo(diff_text(result, lang))


@click.command("export")
@click.argument("report_path", metavar="REPORT", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["sarif"]), default="sarif", show_default=True)
@click.option(
    "--out",
    "out_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="File to write (default: standard output).",
)
@click.option("--no-review", is_flag=True, help="Leave out findings that could not be assessed or need a person.")
def export_cmd(report_path: Path, fmt: str, out_path: Optional[Path], no_review: bool) -> None:
    """Export a report's findings in another format (SARIF 2.1.0)."""
    from report.sarif import to_sarif

    try:
        report = load_report(report_path)
        text = json.dumps(to_sarif(report, include_review=not no_review), ensure_ascii=False, indent=2) + "\n"
        if out_path is None:
            click.echo(text, nl=False)
            return
        _write(out_path, text)
    except AgentError as exc:
        fail(exc)
    click.echo(f"  wrote {out_path}", err=True)
