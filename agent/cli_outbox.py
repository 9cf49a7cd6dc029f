"""``riskagent outbox``: what is queued for the insurer's intake, and sending it now.

Kept apart from agent.cli (which adds the group with ``main.add_command``) and importing
only click at start-up; ``requests`` is loaded when something is sent.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import click

from agent.cli_common import fail, say
from agent.errors import AgentError, UsageError

_STATE_DIR = click.option(
    "--state-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    envvar="RISKAGENT_STATE_DIR",
    help="The state directory whose outbox to use (default: the scheduled runs' one).",
)


@click.group("outbox")
def outbox_group() -> None:
    """Signed reports queued for the insurer's intake (scan --submit, or submit in the configuration)."""


@outbox_group.command("show")
@_STATE_DIR
def outbox_show(state_dir: Optional[Path]) -> None:
    """List the queued reports, those the intake refused, and when the next attempt is due."""
    import time

    from agent.history import default_state_dir
    from agent.outbox import Outbox

    box = Outbox(state_dir or default_state_dir())
    pending, refused = box.pending(), box.refused()
    say(f"{len(pending)} queued, {len(refused)} refused ({box.dir})")
    for p in pending:
        say(f"  queued   {p.name}")
    for p in refused:
        say(f"  refused  {p.name}")
    state = box._state()
    if pending and state.next_attempt:
        say(f"next attempt after {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(state.next_attempt))}" + (f" ({state.last_problem})" if state.last_problem else ""))


@outbox_group.command("flush")
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False), required=True, help="The configuration with the submit object.")
@_STATE_DIR
def outbox_flush(config_path: Path, state_dir: Optional[Path]) -> None:
    """Send every queued report now, whatever the backoff says. Exit 1 if some remain queued."""
    import sys

    from agent.history import default_state_dir
    from agent.outbox import Outbox
    from agent.settings import load_settings

    try:
        settings = load_settings(config_path)
        if settings.submit is None:
            raise UsageError(f"{config_path}: no submit object", 'add "submit": {"url": "https://…/api/v1/reports", "token_file": "…"}')
        result = Outbox(state_dir or settings.state_dir or default_state_dir()).flush(settings.submit, force=True)
    except AgentError as exc:
        fail(exc)
    for line in result.lines():
        say(line)
    if not result.sent and not result.refused and not result.queued:
        say("nothing queued")
    sys.exit(1 if result.queued else 0)
