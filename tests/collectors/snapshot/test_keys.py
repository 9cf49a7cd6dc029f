"""authorized_keys, key by key: fingerprints as ssh-keygen prints them, options with quotes, every account's file."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import List

import pytest

from collectors.context import load_fixture_context
from collectors.snapshot.collect import Stage, take
from collectors.snapshot.keys import authorized_keys, parse_authorized_keys
from collectors.snapshot.model import Artefact
from collectors.snapshot.session import Limits
from report.redact import redact_text

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "snapshot" / "proc-host"


@pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="ssh-keygen (openssh-client) is installed by scripts/test.sh")
@pytest.mark.parametrize("kind", ["ed25519", "rsa", "ecdsa"])
def test_fingerprints_are_the_ones_ssh_keygen_prints(tmp_path: Path, kind: str) -> None:
    key = tmp_path / "k"
    subprocess.run(["ssh-keygen", "-q", "-t", kind, "-N", "", "-C", "someone@somewhere", "-f", str(key)], check=True)
    printed = subprocess.run(["ssh-keygen", "-lf", str(key) + ".pub"], check=True, capture_output=True, text=True).stdout.split()[1]
    line = 'from="10.0.0.0/8",command="/usr/bin/rsync --server -a \\"x, y\\"",no-pty ' + (tmp_path / "k.pub").read_text()
    (entry,) = parse_authorized_keys(line)
    assert entry["fingerprint"] == printed
    assert entry["options"] == ['from="10.0.0.0/8"', 'command="/usr/bin/rsync --server -a \\"x, y\\""', "no-pty"]
    assert entry["comment"] == "someone@somewhere"


def test_malformed_lines_are_named_and_comments_skipped() -> None:
    text = "# a comment\n\nssh-ed25519 not-base64!! x\nssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAID04R8lrSnz0CD2C9ethgoX/rqKTTVEQWKbqWOdEE4Rh mismatched-type\n"
    assert parse_authorized_keys(text) == [{"line": 3, "malformed": True}, {"line": 4, "malformed": True}]


def test_every_account_s_keys_with_the_file_and_user() -> None:
    got: List[Artefact] = []
    take(load_fixture_context(FIXTURE), redact_text, got.append, Limits(time_s=30), stages=(Stage("k", 1.0, authorized_keys),))
    doc = json.loads(got[0].content)
    assert [(k["user"], k["line"], k["type"], k["fingerprint"], k["comment"]) for k in doc["keys"]] == [
        ("root", 1, "ssh-rsa", "SHA256:zEDfz87sPwX4GAblDObFx6nvDhzmBpQjtlY3KmitMMc", "ops@web-07"),
        ("root", 2, "ssh-ed25519", "SHA256:zG3iHuEqSjXchE0joSgksDJy/2fA+WC9X0Eu4DX5Rwg", "attacker@kali"),
    ]
    assert doc["sshd"] == {"authorizedkeysfile": [".ssh/authorized_keys"]}
    (record,) = doc["files"]
    assert record["path"] == "/root/.ssh/authorized_keys" and len(record["sha256"]) == 64 and "text" not in record


def test_a_command_option_with_a_password_is_cleaned() -> None:
    from collectors.snapshot.keys import _split_options

    assert _split_options('command="mysqldump -uroot -pS3cret",no-pty') == ['command="mysqldump -uroot -pS3cret"', "no-pty"]
    from collectors.snapshot.secrets import scrub_line

    cleaned, n = scrub_line('command="mysqldump -uroot -pS3cret"', redact_text)
    assert "S3cret" not in cleaned and n >= 1
