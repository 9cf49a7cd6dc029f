"""Pieces every command shares: the common options, how errors end a command, and the trusted-key list."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Dict, NoReturn, Optional, Sequence, TypeVar

import click

from agent.errors import AgentError, UsageError

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

FC = TypeVar("FC", bound=Callable[..., Any])
LANGS = ("zh", "en")


def lang_option(fn: FC) -> FC:
    """``--lang zh|en``: the language of everything a person reads (zh by default, in every command)."""
    return click.option("--lang", type=click.Choice(LANGS), default="zh", show_default=True, help="Language of the output.")(fn)


def json_option(fn: FC) -> FC:
    """``--json``: print the result as JSON instead of text."""
    return click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")(fn)


def out_option(default: Optional[str] = "out", help_text: str = "Output directory.") -> Callable[[FC], FC]:
    """``--out DIR``."""

    def deco(fn: FC) -> FC:
        return click.option(
            "--out",
            "out_dir",
            type=click.Path(path_type=Path, file_okay=False),
            default=Path(default) if default is not None else None,
            show_default=default is not None,
            help=help_text,
        )(fn)

    return deco


def trusted_keys_option(fn: FC) -> FC:
    """``--key PUB`` (repeatable): the public keys a signed report must verify with."""
    return click.option(
        "--key",
        "keys",
        type=click.Path(path_type=Path, dir_okay=False),
        multiple=True,
        required=True,
        help="Trusted public key (PEM); repeat for several.",
    )(fn)


def signing_key_options(fn: FC) -> FC:
    """``--key`` (private signing key) and ``--passphrase-file``."""
    fn = click.option(
        "--passphrase-file",
        type=click.Path(path_type=Path, dir_okay=False),
        default=None,
        help="File holding the key passphrase (else $RISKAGENT_KEY_PASSPHRASE, else a prompt).",
    )(fn)
    return click.option(
        "--key",
        "key_path",
        type=click.Path(path_type=Path, dir_okay=False),
        default=None,
        help="Signing key (default: $RISKAGENT_KEY or ~/.config/riskagent/signing.key).",
    )(fn)


def prompt_passphrase(confirm: bool = False) -> Optional[Callable[[], bytes]]:
    """A passphrase prompt on a terminal; None where nobody can answer (cron, pipes)."""
    if not sys.stdin.isatty():
        return None

    def ask() -> bytes:
        return str(click.prompt("Key passphrase", hide_input=True, confirmation_prompt=confirm)).encode()

    return ask


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
