"""Pieces every command shares: the common options, how errors end a command, and the trusted-key list."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Dict, NoReturn, Optional, Sequence, TypeVar

import click

from agent.errors import AgentError, UsageError

if TYPE_CHECKING:
    from report.trust import TrustedKey

FC = TypeVar("FC", bound=Callable[..., Any])
LANGS = ("zh", "en")


class AsciiInt(click.ParamType[Any, int]):
    """A whole number in a range, written in ASCII digits only.

    click's own ``int`` takes whatever Python's ``int()`` takes: "٢٢", "1_000", " 5 ". A number the
    user means is digits 0-9, and a value that only looks like one is refused with its range.
    """

    name = "integer"

    def __init__(self, lo: int, hi: int) -> None:
        self.lo = lo
        self.hi = hi

    def convert(self, value: Any, param: Optional[click.Parameter], ctx: Optional[click.Context]) -> int:
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        elif isinstance(value, str) and re.fullmatch(r"[0-9]{1,12}", value, re.ASCII):
            number = int(value)
        else:
            self.fail(f"{value!r} is not a whole number written in digits 0-9", param, ctx)
        if not self.lo <= number <= self.hi:
            self.fail(f"{number} is not in the range {self.lo}-{self.hi}", param, ctx)
        return number

    def __repr__(self) -> str:
        return f"AsciiInt({self.lo}, {self.hi})"


ISO_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


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
    """``--trust FILE`` and ``--key PUB`` (both repeatable): whose signatures count."""
    fn = click.option(
        "--key",
        "keys",
        type=click.Path(path_type=Path, dir_okay=False),
        multiple=True,
        help="Trusted public key (PEM), without an identity; repeat for several.",
    )(fn)
    return click.option(
        "--trust",
        "trust_stores",
        type=click.Path(path_type=Path, dir_okay=False),
        multiple=True,
        help="Trust store (JSON): keys bound to identities, roles, validity windows and targets.",
    )(fn)


def unverified_option(fn: FC) -> FC:
    """``--unverified``: accept an unsigned report.json; the output then says so on its first line."""
    return click.option(
        "--unverified",
        is_flag=True,
        help="Read an unsigned report.json without verifying it (the output is marked UNVERIFIED).",
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


def say(text: str = "", *, err: bool = False, nl: bool = True) -> None:
    """Print text that may hold data from a report, an envelope or the network, made terminal-safe."""
    from report.terminal import safe

    click.echo(safe(text), err=err, nl=nl)


def fail(exc: AgentError) -> NoReturn:
    """Print the error with its hint and exit with its code."""
    say(f"riskagent: error: {exc.diagnostics()}", err=True)
    sys.exit(exc.exit_code)


def trusted_keys(trust_stores: Sequence[Path], keys: Sequence[Path], *, required: bool = True) -> Dict[str, TrustedKey]:
    """Trusted keys by key id from trust stores and bare public keys; an unusable file is a usage error."""
    from report.trust import TrustError, bare_key, load_trust_store

    trusted: Dict[str, TrustedKey] = {}
    try:
        for path in trust_stores:
            for keyid, entry in load_trust_store(path).items():
                if keyid in trusted and trusted[keyid].entry is not None:
                    raise UsageError(f"{path}: key {keyid[:16]} is also in {trusted[keyid].source}; one identity per key")
                trusted[keyid] = entry
        for path in keys:
            key = bare_key(path)
            trusted.setdefault(key.keyid, key)
    except TrustError as exc:
        raise UsageError(str(exc), "fix the file, or see README 'For insurers' for the trust store format") from None
    if required and not trusted:
        raise UsageError("no trusted key given", "pass --trust TRUST_STORE.json or --key PUBLIC_KEY.pem")
    return trusted
