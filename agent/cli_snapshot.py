"""``riskagent snapshot`` and ``riskagent snapshot verify``.

Plain click commands that ``agent.cli`` adds to its group; only click is imported at start-up.
Exit codes of ``snapshot verify``: 0 valid, 1 invalid (a changed, missing or extra file, a bad or
untrusted signature), 2 usage, 4 genuine but outside the trust store's window or targets.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional, Tuple

import click

from agent.cli_common import (
    AsciiInt,
    fail,
    json_option,
    lang_option,
    prompt_passphrase,
    say,
    signing_key_options,
    trusted_keys_option,
)
from agent.errors import AgentError, UsageError

DEFAULT_TIME_S = 60  # collectors.snapshot.session.DEFAULT_TIME_S (not imported at start-up)
DEFAULT_MAX_MIB = 64  # collectors.snapshot.session.DEFAULT_MAX_MIB


@click.group("snapshot", invoke_without_command=True)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Directory to write the snapshot to (must not exist, or be empty).",
)
@signing_key_options
@click.option(
    "--time-budget",
    "time_s",
    type=AsciiInt(5, 3600),
    default=DEFAULT_TIME_S,
    show_default=True,
    help="Seconds the collection may take; what is left is listed as cut.",
)
@click.option(
    "--max-mib",
    type=AsciiInt(1, 4096),
    default=DEFAULT_MAX_MIB,
    show_default=True,
    help="MiB the artefacts may take; an artefact that does not fit is left out and listed.",
)
@click.option(
    "--root",
    "root",
    type=click.Path(path_type=Path),
    default=None,
    help="Snapshot a mounted, read-only root file system (a seized disk image, an unpacked container image) from its "
    "files: offline-root mode, no command is run and run-time state (processes, sockets, sessions, modules) is not collected.",
)
@lang_option
@click.pass_context
def snapshot_group(
    ctx: click.Context,
    out_dir: Optional[Path],
    key_path: Optional[Path],
    passphrase_file: Optional[Path],
    time_s: int,
    max_mib: int,
    root: Optional[Path],
    lang: str,
) -> None:
    """Take a signed, read-only forensic snapshot of this machine (溯源取证), or verify one ('snapshot verify DIR').

    Collects, most volatile first: processes (executable sha256, parent,
    user, start time, cleaned command line), sockets, logged-in sessions,
    kernel modules; accounts; persistence locations (cron, systemd units and
    timers, init scripts, ld.so.preload, shell start-up files, authorized_keys
    of every user, sudoers, PAM, set-id files); recent log windows and login
    records; a timeline of the system's programs and configuration; package
    integrity. Nothing on the host is changed, access times are kept where
    the kernel allows, and secrets (private keys, password hashes, tokens) are
    recorded by path and sha256 only. Writes the artefacts by sha256, the
    summary snapshot.md and the signed manifest snapshot.dsse.json to --out.

    With --root PATH the snapshot is of the root file system mounted at PATH
    (mode offline-root): every file is read inside it (its links never lead
    out of it), nothing is run, and the volatile stages are listed as not run.
    """
    if ctx.invoked_subcommand is not None:
        return
    from agent.keys import load_signer
    from agent.snapshot import live_context, result_lines, root_context, take_snapshot
    from collectors.snapshot.session import Limits

    try:
        if out_dir is None:
            raise UsageError("missing --out", "riskagent snapshot --out DIR; 'riskagent snapshot verify DIR --trust ...' verifies one")
        host = root_context(root) if root is not None else None  # refused before the passphrase is asked
        signer = load_signer(key_path, passphrase_file, prompt_passphrase())  # before collecting: a wrong passphrase wastes nothing
        limits = Limits(time_s=time_s, max_bytes=max_mib * 1024 * 1024)
        written = take_snapshot(host or live_context(), signer, out_dir, limits=limits, lang=lang)
    except AgentError as exc:
        fail(exc)
    say("\n".join(result_lines(written, lang)))


@snapshot_group.command("verify")
@click.argument("directory", metavar="DIR", type=click.Path(path_type=Path))
@trusted_keys_option
@json_option
@lang_option
def snapshot_verify_cmd(directory: Path, trust_stores: Tuple[Path, ...], keys: Tuple[Path, ...], as_json: bool, lang: str) -> None:
    """Verify a snapshot directory: the signature and the signer's trust store entry, and every artefact's sha256.

    A changed, missing or replaced artefact and any file the signed manifest
    does not list are named. Exit status: 0 valid, 1 invalid, 4 genuine but
    outside the trust store's window or targets, 2 usage error.
    """
    from agent.cli_common import trusted_keys
    from agent.snapshot import verify_directory
    from report.snapshot import verification_lines

    try:
        trusted = trusted_keys(trust_stores, keys)
    except AgentError as exc:
        if as_json:
            say(json.dumps({"result": "usage_error", "valid": False, "reason": exc.message}))
        fail(exc)
    v = verify_directory(directory, trusted)
    if as_json:
        say(json.dumps(v.to_json(), ensure_ascii=True, sort_keys=True))
    else:
        say("\n".join(verification_lines(v, lang)))
    sys.exit(v.exit_code)
