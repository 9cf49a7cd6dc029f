"""``riskagent claim``: kept apart from agent.cli (which adds it with ``main.add_command``); imports click only."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Optional, Tuple

import click

from agent.cli_common import fail, lang_option, say, signing_key_options
from agent.errors import AgentError, UsageError


@click.command("claim")
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
def claim_cmd(
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
    b = claim.basis
    say(f"claim {claim.claim_id}: {claim.target}, incident {claim.incident_at}")
    say(f"  basis: {b.report.report_id} ({b.age_hours} h before)" if b else "  basis: no verified assessment before the incident")
    say(f"  warranties present: {sum(1 for w in claim.warranties if w.state in ('open', 'mitigable'))}; tasks open: {len(claim.tasks)}, overdue: {len(claim.overdue)}; gaps: {len(claim.gaps)}; changes: {len(claim.changes)}")
    for p in written:
        say(f"  wrote {p}")
