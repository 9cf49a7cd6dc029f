"""``riskagent outbox``: what is queued for the insurer's intake, and sending it now; ``riskagent submit-application``.

Kept apart from agent.cli (which adds the group with ``main.add_command``) and importing
only click at start-up; ``requests`` is loaded when something is sent.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Optional

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


# Exit statuses of submit-application
ACCEPTED_EXIT = 0
REJECTED_EXIT = 1  # the intake answered: rejected (kept there with the reason) or refused the request
NOT_DELIVERED_EXIT = 3  # unreachable, overloaded or the token refused: send it again later


@click.command("submit-application")
@click.argument("package_dir", metavar="PACKAGE_DIR", type=click.Path(path_type=Path))
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False), required=True, help="The configuration with the submit object (the same as for reports).")
@click.option("--json", "as_json", is_flag=True, help="Print the intake's answer as JSON.")
@click.option("--lang", type=click.Choice(("zh", "en")), default="zh", show_default=True, help="Language of the intake's message.")
def submit_application_cmd(package_dir: Path, config_path: Path, as_json: bool, lang: str) -> None:
    """Send an application package (the directory riskagent apply wrote) to the insurer's intake.

    The package's files go as one plain tar to the application URL beside
    submit.url (.../api/v1/reports -> .../api/v1/applications), over verified
    TLS with the configured token. The intake verifies the package as
    riskagent verify DIR does and keeps it, accepted or rejected with the
    reason; the same package sent again is the same record. Exit status:
    0 accepted, 1 rejected or refused (the reason is printed), 2 usage error,
    3 not delivered (unreachable, overloaded or the token refused: send it again).
    """
    import json
    import sys

    from agent.outbox import send_application
    from agent.package_archive import PackError, pack
    from agent.settings import load_settings
    from report.application import ENVELOPE_NAME

    try:
        settings = load_settings(config_path)
        if settings.submit is None:
            raise UsageError(f"{config_path}: no submit object", 'add "submit": {"url": "https://…/api/v1/reports", "token_file": "…"}')
        if not (package_dir / ENVELOPE_NAME).is_file():
            raise UsageError(f"{package_dir} is not an application package: it holds no {ENVELOPE_NAME}", "pass the --out directory of riskagent apply")
        try:
            archive = pack(package_dir)
        except PackError as exc:
            raise UsageError(str(exc)) from None
        delivery = send_application(archive, settings.submit)
    except AgentError as exc:
        fail(exc)
    answer = delivery.answer
    if as_json and answer:
        say(json.dumps(answer, ensure_ascii=False, sort_keys=True))
    if delivery.outcome == "retry":
        say(f"riskagent: error: the application was not delivered to {delivery.url}: {delivery.detail}", err=True)
        sys.exit(NOT_DELIVERED_EXIT)
    if delivery.outcome == "refused":
        message = _object(answer.get("message"))
        say(f"riskagent: error: the intake refused the application ({delivery.detail})" + (f": {message.get(lang)}" if message.get(lang) else ""), err=True)
        sys.exit(REJECTED_EXIT)
    accepted = answer.get("accepted") is True
    if not as_json:
        for line in _answer_lines(answer, lang):
            say(line)
    sys.exit(ACCEPTED_EXIT if accepted else REJECTED_EXIT)


def _object(value: Any) -> Dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _answer_lines(answer: Dict[str, Any], lang: str) -> List[str]:
    """The intake's answer for a person: accepted or rejected, the record, the application, the reasons."""
    app = answer.get("application") if isinstance(answer.get("application"), dict) else None
    message = _object(answer.get("message"))
    head = "ACCEPTED" if answer.get("accepted") is True else "REJECTED"
    line = f"{head}: intake record {answer.get('id')} ({answer.get('result')})" + (" - sent before, the same record" if answer.get("duplicate") else "")
    out = [line]
    if message.get(lang):
        out.append(f"  {message[lang]}")
    if app is not None:
        out.append(f"  application {app.get('application_id')}: {app.get('organisation_name')} ({app.get('organisation_id')})")
    raw = answer.get("problems")
    problems: List[Any] = raw if isinstance(raw, list) else []
    out += [f"  - {p}" for p in problems[:20]]
    if len(problems) > 20:
        out.append(f"  … and {len(problems) - 20} more (GET /api/v1/applications/{answer.get('id')})")
    return out
