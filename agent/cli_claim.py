"""``riskagent claim`` and ``riskagent claim verify``: kept apart from agent.cli (which adds the group with
``main.add_command``); imports click only.

``claim HISTORY… --incident …`` makes a claim, as it always did: the group runs its ``make`` command when the first
argument names no command of it (a history directory called ``verify`` is given as ``./verify``). Exit codes of
``claim verify``: 0 valid, 1 invalid, 2 usage, 4 genuine but outside the trust store's window, 5 a genuine claim of
another format (made by another riskagent: make it again).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import click

from agent.cli_common import fail, json_option, lang_option, say, signing_key_options, trusted_keys_option
from agent.errors import AgentError, UsageError

MAKE = "make"


class _ClaimGroup(click.Group):
    """A group whose default command is ``make``: ``riskagent claim HISTORY…`` keeps working beside ``claim verify``."""

    def parse_args(self, ctx: click.Context, args: List[str]) -> List[str]:
        if not args or (args[0] not in self.commands and args[0] not in ctx.help_option_names):
            args = [MAKE, *args]
        return super().parse_args(ctx, args)


@click.group("claim", cls=_ClaimGroup)
def claim_cmd() -> None:
    """Write a signed claim report (保后 溯源取证、定责定损) for an incident ('claim HISTORY… --incident …', the
    make command), or verify one ('claim verify DIR')."""


@claim_cmd.command(MAKE)
@click.argument("history", nargs=-1, required=True, type=click.Path(path_type=Path, exists=True))
@click.option("--incident", required=True, help="When the incident happened, ISO 8601 with a zone: 2026-11-30T03:00:00+08:00 or …Z.")
@click.option("--trust", "trust_stores", type=click.Path(path_type=Path, dir_okay=False), multiple=True, help="Trust store whose keys may have signed the reports and the snapshot.")
@click.option("--signer-key", "keys", type=click.Path(path_type=Path, dir_okay=False), multiple=True, help="Public key (PEM) of a party that signed them.")
@click.option("--target", default=None, help="The assessed target, when the history holds several.")
@click.option("--snapshot", "snapshot_dir", type=click.Path(path_type=Path, file_okay=False), default=None, help="The post-incident snapshot directory (riskagent snapshot).")
@click.option("--max-interval", default="2d", show_default=True, help="Longest expected time between two reports; longer intervals are listed as gaps.")
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False), default=None, help="Configuration with the plan settings (SLA days) the tasks were due by.")
@signing_key_options
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False), default=Path("claim"), show_default=True, help="Output directory.")
@lang_option
def claim_make_cmd(
    history: Tuple[Path, ...],
    incident: str,
    trust_stores: Tuple[Path, ...],
    keys: Tuple[Path, ...],
    target: Optional[str],
    snapshot_dir: Optional[Path],
    max_interval: str,
    config_path: Optional[Path],
    key_path: Optional[Path],
    passphrase_file: Optional[Path],
    out_dir: Path,
    lang: str,
) -> None:
    """Write a signed claim report (保后 溯源取证、定责定损) for an incident.

    From the target's verified report history (HISTORY: envelopes or directories of them) it states the last
    verified assessment before the incident and its age, each warranty's state then, the rectification
    tasks open and overdue then, gaps in the history, and — with --snapshot — what changed since that
    assessment, on one timeline. It states facts with their evidence; the liability decision is the adjuster's.
    """
    from agent.claim import make_claim, write_claim
    from agent.cli_common import prompt_passphrase, trusted_keys
    from agent.keys import load_signer
    from report.claim import parse_utc
    from report.policy import parse_duration

    try:
        try:
            when = parse_utc(incident, "--incident")
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        trusted = trusted_keys(trust_stores, keys)
        plan: Dict[str, Any] = {}
        if config_path is not None:
            from agent.settings import load_settings

            plan = dict(load_settings(config_path).plan)
        reader = None
        if snapshot_dir is not None:
            import importlib

            try:
                reader = importlib.import_module("report.claim_changes").read_snapshot_changes
            except ImportError:
                raise UsageError("this build cannot compare snapshots", "make the claim without --snapshot") from None
        claim = make_claim(
            history,
            trusted,
            when,
            target=target,
            plan_settings=plan,
            max_interval_s=parse_duration(max_interval, "--max-interval"),
            snapshot_dir=snapshot_dir,
            read_snapshot=reader,
        )
        signer = load_signer(key_path, passphrase_file, prompt_passphrase())
        written = write_claim(claim, signer, out_dir, lang)
    except AgentError as exc:
        fail(exc)
    except ValueError as exc:
        fail(UsageError(str(exc)))
    from report.claim_render import claim_summary_lines

    say("\n".join(claim_summary_lines(claim, lang)))
    for p in written:
        say(f"  {'已写入' if lang == 'zh' else 'wrote'} {p}")


@claim_cmd.command("verify")
@click.argument("path", metavar="PATH", type=click.Path(path_type=Path))
@trusted_keys_option
@json_option
@lang_option
def claim_verify_cmd(path: Path, trust_stores: Tuple[Path, ...], keys: Tuple[Path, ...], as_json: bool, lang: str) -> None:
    """Verify a signed claim: PATH is the claim directory (claim.dsse.json, and claim.json when present) or its envelope.

    Checks the signature and the signer's trust store window, the claim's format and canonical form, and that
    claim.json is the signed claim; prints the claim's summary and notes in --lang (--json: the whole claim, both
    languages). A claim made by a riskagent of another claim format is refused (exit 5) with what to do. Exit status:
    0 valid, 1 invalid, 2 usage error, 4 genuine but outside the trust store's window, 5 another claim format.
    """
    from agent.cli_common import trusted_keys
    from report.claim_verify import verification_lines, verify_claim

    try:
        trusted = trusted_keys(trust_stores, keys)
    except AgentError as exc:
        if as_json:
            say(json.dumps({"result": "usage_error", "valid": False, "reason": exc.message}))
        fail(exc)
    v = verify_claim(path, trusted)
    if as_json:
        say(json.dumps(v.to_json(), ensure_ascii=True, sort_keys=True))
    else:
        say("\n".join(verification_lines(v, lang)))
    sys.exit(v.exit_code)
