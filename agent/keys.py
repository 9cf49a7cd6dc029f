"""Signing keys: Ed25519, private key encrypted at rest and mode 0600.

The key and its passphrase file are secrets that root reads on every scheduled run. Both must be
regular files owned by the user running riskagent and readable by nobody else, in a directory that
no other user controls (``agent.files``): a key another user owns could be swapped for theirs, and a
passphrase that others can read is no secret.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Optional

from agent.errors import AgentError, UsageError
from agent.files import atomic_write, check_dir, ensure_dir, read_private

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from report.signing import Signer

PASSPHRASE_ENV = "RISKAGENT_KEY_PASSPHRASE"  # noqa: S105 - the variable name, not a secret
MIN_PASSPHRASE_LEN = 8
MAX_KEY_BYTES = 64 * 1024
MAX_PASSPHRASE_BYTES = 4096


def default_key_path() -> Path:
    """Where the signing key lives unless ``--key`` says otherwise."""
    env = os.environ.get("RISKAGENT_KEY")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "riskagent" / "signing.key"


def public_path_for(private_path: Path) -> Path:
    return private_path.with_name(private_path.name.rsplit(".", 1)[0] + ".pub")


@dataclass(frozen=True)
class KeyInfo:
    private_path: Path
    public_path: Path
    keyid: str


def read_passphrase(passphrase_file: Optional[Path]) -> Optional[bytes]:
    """Passphrase from a file or the environment; ``None`` if neither is set.

    The file must be ours and private (mode 0600 or stricter), in a directory no other user controls.
    """
    if passphrase_file is not None:
        check_dir(passphrase_file.parent, f"the directory of passphrase file {passphrase_file}")
        try:
            return read_private(passphrase_file, "passphrase file", MAX_PASSPHRASE_BYTES).rstrip(b"\r\n")
        except OSError as exc:
            raise UsageError(f"cannot read passphrase file {passphrase_file}: {exc.strerror}") from None
    env = os.environ.get(PASSPHRASE_ENV)
    return env.encode() if env else None


def generate_key(private_path: Path, passphrase: bytes) -> KeyInfo:
    """Create a new key pair; never overwrites an existing key."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from report.signing import key_id

    if len(passphrase) < MIN_PASSPHRASE_LEN:
        raise UsageError(f"the passphrase must have at least {MIN_PASSPHRASE_LEN} characters")
    if private_path.exists():
        raise UsageError(f"{private_path} already exists", "use it as it is, or choose another path with --key")
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(passphrase),
    )
    pub = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    ensure_dir(private_path.parent, "key directory")
    atomic_write(private_path, pem, 0o600, exclusive=True)
    public_path = public_path_for(private_path)
    atomic_write(public_path, pub, 0o644)
    return KeyInfo(private_path, public_path, key_id(key.public_key()))


def load_private_key(private_path: Path, passphrase: Optional[bytes]) -> Ed25519PrivateKey:
    """Load and decrypt the signing key, refusing one others can read or another user owns."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    if not os.path.lexists(private_path):
        raise AgentError(
            f"no signing key at {private_path}",
            "create one with 'riskagent keys generate', or pass --no-sign to write an unsigned report",
        )
    check_dir(private_path.parent, f"the directory of signing key {private_path}")
    try:
        pem = read_private(private_path, "signing key", MAX_KEY_BYTES)
    except OSError as exc:
        raise AgentError(f"cannot read signing key {private_path}: {exc.strerror or exc}") from None
    if passphrase is None:
        raise AgentError(
            f"the signing key {private_path} is encrypted and no passphrase was given",
            f"set {PASSPHRASE_ENV}, pass --passphrase-file, or run on a terminal to be prompted",
        )
    try:
        key = serialization.load_pem_private_key(pem, password=passphrase)
    except (ValueError, TypeError) as exc:
        raise AgentError(f"cannot decrypt {private_path}: wrong passphrase or not a riskagent key ({exc})") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise AgentError(f"{private_path} is not an Ed25519 key")
    return key


def load_signer(key_path: Optional[Path], passphrase_file: Optional[Path], prompt: Optional[Callable[[], bytes]] = None) -> Signer:
    """The signing key named by the settings, decrypted; ``prompt`` asks for the passphrase when neither file nor
    environment gives one (None: never prompt, as in scheduled runs)."""
    from report.signing import Signer

    path = key_path or default_key_path()
    passphrase = read_passphrase(passphrase_file)
    if passphrase is None and prompt is not None and os.path.lexists(path):
        passphrase = prompt()
    return Signer(load_private_key(path, passphrase))

