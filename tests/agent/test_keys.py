"""Key generation: Ed25519, encrypted at rest, 0600, never overwritten."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from agent.errors import AgentError, UsageError
from agent.keys import generate_key, load_private_key
from report.signing import key_id


def test_generated_key_is_encrypted_private_and_loadable(tmp_path: Path) -> None:
    info = generate_key(tmp_path / "k" / "signing.key", b"correct horse")
    assert stat.S_IMODE(os.stat(info.private_path).st_mode) == 0o600
    pem = info.private_path.read_bytes()
    assert pem.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    key = load_private_key(info.private_path, b"correct horse")
    assert key_id(key.public_key()) == info.keyid
    assert info.public_path.read_bytes().startswith(b"-----BEGIN PUBLIC KEY-----")


def test_wrong_passphrase_is_a_clear_error(tmp_path: Path) -> None:
    info = generate_key(tmp_path / "signing.key", b"correct horse")
    with pytest.raises(AgentError, match="wrong passphrase"):
        load_private_key(info.private_path, b"wrong horse!")


def test_existing_key_is_never_overwritten(tmp_path: Path) -> None:
    info = generate_key(tmp_path / "signing.key", b"correct horse")
    before = info.private_path.read_bytes()
    with pytest.raises(UsageError, match="already exists"):
        generate_key(info.private_path, b"another pass")
    assert info.private_path.read_bytes() == before


def test_group_readable_key_is_refused(tmp_path: Path) -> None:
    info = generate_key(tmp_path / "signing.key", b"correct horse")
    os.chmod(info.private_path, 0o640)
    with pytest.raises(AgentError, match="too open"):
        load_private_key(info.private_path, b"correct horse")


def test_short_passphrase_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="at least"):
        generate_key(tmp_path / "signing.key", b"short")
