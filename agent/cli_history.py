"""Commands for report history and scheduled runs: ``history``, ``schedule``, ``run-scheduled``.

Kept apart from agent.cli (which adds them with ``main.add_command``) and
importing only click at start-up, like the rest of the command line.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import List, Optional, Tuple

import click

from agent.cli_common import fail, json_option, say, trusted_keys, trusted_keys_option
from agent.errors import AgentError, UsageError


@click.command("history")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path, exists=True))
@trusted_keys_option
@click.option(
    "--state-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="History index to consult (default: $RISKAGENT_STATE_DIR, /var/lib/riskagent or ~/.local/state/riskagent).",
)
@json_option
def history_cmd(paths: Tuple[Path, ...], trust_stores: Tuple[Path, ...], keys: Tuple[Path, ...], state_dir: Optional[Path], as_json: bool) -> None:
    """List and verify the report chain of each target.

    PATHS are signed reports (*.dsse.json) or directories searched for them;
    without PATHS, the reports recorded in the history index. Exits 1 if any
    report is invalid, missing from the chain, edited or forked.
    """
    from agent import history

    try:
        trusted = trusted_keys(trust_stores, keys)
        state = state_dir or history.default_state_dir()
        known = history.known_reports(state) if (state / history.INDEX_NAME).exists() else {}
        if paths:
            files = history.find_envelopes(paths)
        else:
            files = sorted({Path(e["path"]) for e in known.values() if e.get("path") and Path(e["path"]).exists()})
        if not files:
            raise UsageError("no signed reports found", "pass report files or directories holding *.dsse.json")
        result = history.check_chain(files, trusted, known)
    except AgentError as exc:
        fail(exc)
    say(json.dumps(history.chain_json(result), ensure_ascii=False, indent=2) if as_json else history.format_chain(result))
    if not result.ok:
        sys.exit(1)


@click.group("schedule")
def schedule_cmd() -> None:
    """Install, remove or show the scheduled re-assessment (cron or systemd timer)."""


def _names(kind: str) -> List[str]:
    from agent.schedule import CRON_NAME, SERVICE_NAME, TIMER_NAME

    return [CRON_NAME] if kind == "cron" else [SERVICE_NAME, TIMER_NAME]


_kind = click.option("--kind", type=click.Choice(["cron", "systemd"]), default="systemd", show_default=True)
_cron_dir = click.option(
    "--cron-dir", type=click.Path(path_type=Path, file_okay=False), default=Path("/etc/cron.d"), show_default=True
)
_systemd_dir = click.option(
    "--systemd-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("/etc/systemd/system"),
    show_default=True,
)


@schedule_cmd.command("install")
@_kind
@click.option("--at", "at", default=None, help="Daily run time HH:MM (local time; default 03:17).")
@click.option(
    "--calendar", default=None, help="Instead of --at: a cron schedule ('17 3 * * 1-5') or a systemd OnCalendar expression."
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path("/etc/riskagent/config.json"),
    show_default=True,
    help="Configuration the scheduled run reads (absolute path).",
)
@click.option("--command", "command", type=click.Path(path_type=Path), default=None, help="riskagent executable to run.")
@click.option("--user", default="root", show_default=True, help="User the cron entry runs as.")
@_cron_dir
@_systemd_dir
def schedule_install(
    kind: str,
    at: Optional[str],
    calendar: Optional[str],
    config_path: Path,
    command: Optional[Path],
    user: str,
    cron_dir: Path,
    systemd_dir: Path,
) -> None:
    """Write the cron entry or systemd service and timer (idempotent; never overwrites others' files)."""
    from agent import schedule

    try:
        exe = command or schedule.default_command()
        if kind == "cron":
            files = [schedule.cron_file(exe, config_path, at=at, calendar=calendar, user=user)]
            done = schedule.install(files, cron_dir)
        else:
            files = schedule.systemd_files(exe, config_path, at=at, calendar=calendar)
            done = schedule.install(files, systemd_dir)
    except AgentError as exc:
        fail(exc)
    for path, state in done:
        say(f"{state} {path}")
    if not config_path.exists():
        say(f"note: {config_path} does not exist yet; the scheduled run needs it", err=True)
    if kind == "systemd" and any(state != "unchanged" for _, state in done):
        say("next: systemctl daemon-reload && systemctl enable --now riskagent.timer")


@schedule_cmd.command("remove")
@_kind
@_cron_dir
@_systemd_dir
def schedule_remove(kind: str, cron_dir: Path, systemd_dir: Path) -> None:
    """Delete the schedule files riskagent wrote (others are left alone)."""
    from agent import schedule

    try:
        done = schedule.remove(cron_dir if kind == "cron" else systemd_dir, _names(kind))
    except AgentError as exc:
        fail(exc)
    if not done:
        say(f"no {kind} schedule installed")
    for path, state in done:
        say(f"{state} {path}")
    if kind == "systemd" and any(state == "removed" for _, state in done):
        say("next: systemctl disable --now riskagent.timer; systemctl daemon-reload")


@schedule_cmd.command("show")
@click.option("--kind", type=click.Choice(["cron", "systemd", "all"]), default="all", show_default=True)
@_cron_dir
@_systemd_dir
def schedule_show(kind: str, cron_dir: Path, systemd_dir: Path) -> None:
    """Print the installed schedule files."""
    from agent import schedule

    found = False
    for k, directory in (("cron", cron_dir), ("systemd", systemd_dir)):
        if kind not in (k, "all"):
            continue
        for path, ours in schedule.installed(directory, _names(k)):
            found = True
            say(f"== {path} ({'riskagent' if ours else 'NOT written by riskagent'})")
            try:
                say(path.read_text(encoding="utf-8").rstrip("\n"))
            except OSError as exc:
                say(f"(cannot read: {exc.strerror})")
    if not found:
        say("no schedule installed")


@click.command("run-scheduled")
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path("/etc/riskagent/config.json"),
    show_default=True,
)
@click.option(
    "--state-dir", type=click.Path(path_type=Path, file_okay=False), default=None, help="Overrides the config's state_dir."
)
def run_scheduled_cmd(config_path: Path, state_dir: Optional[Path]) -> None:
    """One scheduled assessment: niced, locked, non-interactive (started by cron or the systemd timer).

    Exit codes: 0 done; 2 bad configuration or no passphrase; 4 regressions past
    schedule.max_new_failures; 75 another scheduled run is in progress.
    """
    from agent.schedule import run_scheduled
    from agent.settings import load_settings

    try:
        code = run_scheduled(load_settings(config_path), state_dir=state_dir)
    except AgentError as exc:
        fail(exc)
    sys.exit(code)
