"""Pieces every command shares: how errors end a command, and the trusted-key list."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Dict, NoReturn, Sequence

import click

from agent.errors import AgentError, UsageError

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


def fail(exc: AgentError) -> NoReturn:
    """Print the error with its hint and exit with its code."""
    click.echo(f"riskagent: error: {exc.diagnostics()}", err=True)
    sys.exit(exc.exit_code)


def trusted_keys(paths: Sequence[Path]) -> Dict[str, Ed25519PublicKey]:
    """Trusted public keys by key id; an unreadable or wrong key file is a usage error."""
    from report.signing import VerificationError, key_id, load_public_key

    trusted: Dict[str, Ed25519PublicKey] = {}
    for path in paths:
        try:
            pub = load_public_key(path.read_bytes(), str(path))
        except OSError as exc:
            raise UsageError(f"cannot read public key {path}: {exc.strerror}") from None
        except VerificationError as exc:
            raise UsageError(str(exc)) from None
        trusted[key_id(pub)] = pub
    return trusted
