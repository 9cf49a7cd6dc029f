"""Planted secrets never reach an artefact: they are recorded by path and sha256, or cleaned out of copied text.

The secrets are planted at run time in a copy of the recorded compromised host (nothing secret-looking is
committed): a shadow hash, SSH host and user private keys, a TLS key, a private key pasted into a profile
script, tokens and passwords in a cron job, a unit, a start-up file, a log line, a command line and an
authorized_keys option. Every byte of every artefact is searched for each of them.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Dict, List

import pytest

from collectors.context import load_fixture_context
from collectors.digest import sha256_hex
from collectors.snapshot.collect import take
from collectors.snapshot.model import Artefact
from collectors.snapshot.session import Limits
from report.redact import redact_text

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "snapshot" / "proc-host"

HASH = "$6$plantedsalt$PLANTEDHASHabcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZab"
KEY_BODY = "PLANTEDKEYMATERIALb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZWQy"
PEM = f"-----BEGIN OPENSSH PRIVATE KEY-----\n{KEY_BODY}\n-----END OPENSSH PRIVATE KEY-----\n"
GITHUB = "ghp_PLANTEDgithubTOKEN0123456789abcdefABCD"
BEARER = "PLANTEDbearer.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
PASSWORD = "PlantedPassw0rdX"
DB_PASSWORD = "PlantedDbSecret77"
SECRETS = ["PLANTEDHASH", "plantedsalt", "PLANTEDKEYMATERIAL", "PLANTEDgithubTOKEN", "PLANTEDbearer", PASSWORD, DB_PASSWORD]


def plant(root: Path) -> None:
    def put(rel: str, text: str) -> None:
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)

    put("etc/shadow", f"root:{HASH}:19500:0:99999:7:::\nops:!:19500::::::\n")
    put("etc/gshadow", f"sudo:{HASH}::ops\n")
    for rel in ("etc/ssh/ssh_host_ed25519_key", "root/.ssh/id_ed25519", "home/ops/.ssh/id_rsa", "etc/ssl/private/server.key"):
        put(rel, PEM)
    put("etc/profile.d/zz-key.sh", f"cat > /tmp/k <<EOF\n{PEM}EOF\n")
    put("etc/cron.d/backup", f"0 2 * * * root mysqldump -uroot -p{PASSWORD} --all-databases | curl -H 'Authorization: Bearer {BEARER}' -T - https://b.example.invalid/\n")
    put("etc/systemd/system/app.service", f"[Service]\nEnvironment=DB_PASSWORD={DB_PASSWORD}\nExecStart=/opt/app/run --token {GITHUB}\n")
    put("home/ops/.bashrc", f"export GITHUB_TOKEN={GITHUB}\n")
    put("etc/sudoers.d/deploy", f"# deploy password: {PASSWORD}\ndeploy ALL=(ALL) NOPASSWD: /usr/bin/systemctl\n")
    with open(root / "var/log/auth.log", "a") as fh:
        fh.write(f"Jan  1 03:00:00 web-07 app[77]: login with Authorization: Bearer {BEARER}\n")
    with open(root / "root/.ssh/authorized_keys", "a") as fh:
        fh.write(f'command="/usr/bin/backup --password={PASSWORD}" ' + (root / "root/.ssh/authorized_keys").read_text().splitlines()[0] + "\n")
    (root / "proc/5150/cmdline").write_bytes(b"\0".join([b"/opt/app/run", b"--token", GITHUB.encode(), b"--db-password=" + DB_PASSWORD.encode()]) + b"\0")


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    host = tmp_path_factory.mktemp("planted") / "host"
    shutil.copytree(FIXTURE, host, symlinks=True)
    plant(host / "root")
    return host


@pytest.fixture(scope="module")
def artefacts(planted: Path) -> Dict[str, Artefact]:
    got: List[Artefact] = []
    take(load_fixture_context(planted), redact_text, got.append, Limits(time_s=60))
    return {a.name: a for a in got}


def test_no_artefact_byte_holds_a_planted_secret(artefacts: Dict[str, Artefact]) -> None:
    for name, art in artefacts.items():
        text = art.content.decode("utf-8")
        for secret in SECRETS:
            assert secret not in text, f"{secret} leaked into {name}"
        for gap in art.gaps:
            assert not any(secret in gap.path + gap.reason for secret in SECRETS)


def test_secret_files_are_recorded_by_path_and_sha256(planted: Path, artefacts: Dict[str, Artefact]) -> None:
    timeline = {r["path"]: r for r in json.loads(artefacts["timeline/files"].content)["files"]}
    for rel in ("etc/shadow", "etc/gshadow", "etc/ssh/ssh_host_ed25519_key", "etc/ssl/private/server.key"):
        assert timeline["/" + rel]["sha256"] == sha256_hex((planted / "root" / rel).read_bytes())
    accounts = json.loads(artefacts["accounts/users"].content)
    shadow = next(f for f in accounts["files"] if f["path"] == "/etc/shadow")
    assert shadow["sha256"] == sha256_hex((planted / "root/etc/shadow").read_bytes()) and "text" not in shadow
    root = next(e for e in accounts["shadow"] if e["name"] == "root")
    assert root == {"name": "root", "hash_scheme": "sha512", "empty": False, "locked": False, "last_change_days": 19500}


def test_copied_text_is_cleaned_line_by_line_and_says_so(artefacts: Dict[str, Artefact]) -> None:
    cron = {f["path"]: f for f in json.loads(artefacts["persistence/cron"].content)["files"]}
    backup = cron["/etc/cron.d/backup"]
    assert "mysqldump -uroot -p[redacted]" in backup["text"] and backup["redactions"] >= 2
    profile = {f["path"]: f for f in json.loads(artefacts["persistence/shell_startup"].content)["files"]}
    assert profile["/etc/profile.d/zz-key.sh"]["withheld"] == "holds a private key: recorded by path and sha256 only"
    assert "text" not in profile["/etc/profile.d/zz-key.sh"] and len(profile["/etc/profile.d/zz-key.sh"]["sha256"]) == 64
    units = json.loads(artefacts["persistence/systemd"].content)["units"]
    app = next(u for u in units if u["unit"] == "app.service")
    assert app["settings"]["Service.Environment"] == ["DB_PASSWORD=[redacted]"]
    keys = json.loads(artefacts["persistence/authorized_keys"].content)["keys"]
    assert keys[-1]["options"] == ['command="/usr/bin/backup --password=[redacted]"']
    assert artefacts["persistence/cron"].redactions >= 2 and artefacts["logs/auth.log"].redactions >= 2


def test_the_planted_files_were_actually_read(artefacts: Dict[str, Artefact]) -> None:
    """Otherwise the first test proves nothing."""
    sources = {s for a in artefacts.values() for s in a.sources}
    assert {"/etc/cron.d/backup", "/etc/shadow", "/etc/profile.d/zz-key.sh", "/etc/systemd/system/app.service", "/var/log/auth.log"} <= sources
    procs = json.loads(artefacts["volatile/processes"].content)["processes"]
    assert next(p for p in procs if p["pid"] == 5150)["cmdline"].startswith("/opt/app/run --token ")


@pytest.mark.parametrize(
    ("line", "withheld"),
    [
        ("# root password: hunter2abc", True),
        ("口令：Abc12345", True),
        ("api key = 0f9a8b7c6d5e", True),
        ("PasswordAuthentication no", False),
        ("password   required   pam_unix.so obscure yescrypt", False),
        ("password [success=1 default=ignore] pam_unix.so", False),
        ("Jan 1 sudo: ops : TTY=pts/0 ; PWD=/home/ops ; USER=root", False),
        ("DB_PASSWORD=$DB_PASSWORD", False),
        ("token: [redacted]", False),
    ],
)
def test_a_secret_named_in_words_withholds_its_line(line: str, withheld: bool) -> None:
    from collectors.snapshot.secrets import copy_text

    text, count, _why = copy_text(line.encode(), redact_text)
    assert text is not None
    assert (text.startswith("[line withheld by riskagent") and count == 1) is withheld, text
