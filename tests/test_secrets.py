"""Planted secrets never reach evidence, reports or logs."""

from __future__ import annotations

import base64
import json
import shutil
from pathlib import Path

from agent import pipeline
from agent.settings import Settings
from tests.hosts import HOSTS_DIR

HASH = "$6$plantedsalt$PLANTEDHASHabcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZab"
KEY_BODY = "PLANTEDKEYMATERIALb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZWQy"
TOKEN = "PLANTED-TOKEN-5f1c9e7a2b"
API_KEY = "PLANTEDAPIKEY0c3d5e"
SECRETS = ["PLANTEDHASH", "plantedsalt", "PLANTEDKEYMATERIAL", TOKEN, API_KEY]


def _plant(root: Path) -> None:
    shadow = root / "etc" / "shadow"
    lines = shadow.read_text().splitlines() if shadow.exists() else []
    lines.append(f"planted:{HASH}:19500:0:99999:7:::")
    shadow.write_text("\n".join(lines) + "\n")
    passwd = root / "etc" / "passwd"
    passwd.write_text(passwd.read_text() + "planted:x:1500:1500:planted:/home/planted:/bin/bash\n")
    pem = f"-----BEGIN OPENSSH PRIVATE KEY-----\n{KEY_BODY}\n-----END OPENSSH PRIVATE KEY-----\n"
    for rel in ("etc/ssh/ssh_host_ed25519_key", "etc/ssl/private/server.key", "root/.ssh/id_ed25519"):
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(pem)
    cron = root / "etc" / "cron.d" / "planted-backup"
    cron.parent.mkdir(parents=True, exist_ok=True)
    cron.write_text(
        f"15 2 * * * root mysqldump -uroot -p{API_KEY} --all-databases | curl -s -H 'Authorization: Bearer {TOKEN}' -T - https://backup.example.invalid/upload\n"
    )
    conf = root / "etc" / "rsyslog.d" / "90-planted.conf"
    conf.parent.mkdir(parents=True, exist_ok=True)
    conf.write_text(f'action(type="omfwd" target="logs.example.invalid" port="6514" protocol="tcp")\n# api_key={API_KEY}\n')
    profile = root / "etc" / "profile.d" / "planted.sh"
    profile.parent.mkdir(parents=True, exist_ok=True)
    profile.write_text(f"export API_TOKEN={TOKEN}\nTMOUT=600\n")


def test_planted_secrets_appear_in_no_output(tmp_path: Path) -> None:
    host = tmp_path / "host"
    shutil.copytree(HOSTS_DIR / "debian-weak", host, symlinks=True)
    _plant(host / "root")
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from report.signing import Signer

    out = tmp_path / "out"
    result = pipeline.run(Settings(replay=host), Signer(Ed25519PrivateKey.generate()), out)
    assert result.envelope is not None
    texts = {p.name: p.read_text(encoding="utf-8") for p in out.iterdir()}
    payload = base64.b64decode(json.loads(texts["report.dsse.json"])["payload"]).decode("utf-8")
    texts["decoded payload"] = payload
    for name, text in texts.items():
        for secret in SECRETS:
            assert secret not in text, f"{secret} leaked into {name}"
    # The planted files were actually read (otherwise this test proves nothing).
    sources = json.dumps(result.report.as_json["evidence"])
    assert "/etc/shadow" in sources and "/etc/cron.d/planted-backup" in sources
