"""host.credentials: where cleartext credentials are, never what they are; bounded reads; recorded hosts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Dict, List, Tuple

import pytest

from collectors.catalogue import all_collectors
from collectors.context import FileStat, HostContext, RecordedProcessView
from collectors.evidence import Evidence, EvidenceStatus
from collectors.host.credentials import MAX_SCAN_BYTES, credential_kinds
from collectors.registry import run_collector
from collectors.runner import RecordedRunner
from tests.hosts import FIXTURE_HOSTS, evidence_map

SECRET = "Plant3dS3cretValue"


def _scan(tmp_path: Path, files: Dict[str, str], root_only: Tuple[str, ...] = ()) -> Evidence:
    for rel, text in files.items():
        path = tmp_path / "root" / rel.lstrip("/")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    ctx = HostContext(
        root=tmp_path / "root",
        runner=RecordedRunner(tmp_path / "commands", privileged=not root_only),
        processes=RecordedProcessView({}),
        target="t",
        privileged=not root_only,
        stat_overrides={p: FileStat(mode=0o600, uid=0, gid=0) for p in root_only},
    )
    return run_collector(all_collectors()["host.credentials"], ctx)


def _where(ev: Evidence) -> List[Tuple[str, str, int, str]]:
    return [(f["source"], f["file"], f["line"], f["kind"]) for f in ev.facts["findings"]]


@pytest.mark.parametrize(
    ("line", "syntax", "kind"),
    [
        (f"curl -s -u backup:{SECRET} -T /x https://files.example/up", "shell", "curl -u credentials"),
        (f"curl --user admin:{SECRET} https://x", "shell", "curl -u credentials"),
        (f"mysqldump -uroot -p{SECRET} --all-databases", "shell", "mysql -p password"),
        (f"mysql -u root --password={SECRET} db", "shell", "password in cleartext"),
        (f"export DB_PASSWORD={SECRET}", "shell", "DB_PASSWORD in cleartext"),
        (f"MYSQL_PWD={SECRET} mysqldump db", "shell", "MYSQL_PWD in cleartext"),
        (f'Environment="DB_PASS={SECRET}" "X=1"', "shell", "DB_PASS in cleartext"),
        (f"sshpass -p {SECRET} ssh host", "shell", "sshpass -p password"),
        (f"restic -r rest:https://user:{SECRET}@bk.example/ backup", "shell", "credentials in a URL"),
        (f"curl -H 'Authorization: Bearer {SECRET}' https://x", "shell", "Authorization header"),
        ("stripe = sk_live_abcdefghijklmnop1234", "shell", "Stripe secret key"),
        ("KEY_ID=AKIAABCDEFGHIJKLMNOP", "shell", "AWS access key ID"),
        ("git clone https://ghp_abcdefghijklmnopqrstuvwxyz0123456789@github.com/x", "shell", "GitHub token"),
        ("SLACK=xoxb-1234567890-abcdefghij", "shell", "Slack token"),
        (f"spring.datasource.password={SECRET}", "conf", "spring.datasource.password in cleartext"),
        (f"requirepass {SECRET}", "conf", "requirepass in cleartext"),
        (f"//srv/share /mnt cifs username=u,password={SECRET},uid=0 0 0", "conf", "password in cleartext"),
        ("-----BEGIN RSA PRIVATE KEY-----", "conf", "private key"),
        (f"password: {SECRET}", "structured", "password in cleartext"),
        (f'  "password": "{SECRET}",', "structured", "password in cleartext"),
        (f"<password>{SECRET}</password>", "structured", "password in cleartext"),
        (f"define( 'DB_PASSWORD', '{SECRET}' );", "structured", "DB_PASSWORD in cleartext"),
    ],
)
def test_credentials_are_recognised(line: str, syntax: str, kind: str) -> None:
    kinds = credential_kinds(line, syntax)  # type: ignore[arg-type]
    assert kind in kinds
    assert not any(SECRET in k for k in kinds)


@pytest.mark.parametrize(
    ("line", "syntax"),
    [
        ("15 1 * * * restic -r sftp:backup@h:/r --password-file /root/.restic-pass backup /etc", "shell"),
        ("mysqldump -p db", "shell"),  # prompts
        ('mysql -p"$PW" db', "shell"),
        ("export DB_PASSWORD=$(cat /root/pw)", "shell"),
        ('PASSWORD="${DB_PASS}"', "shell"),
        ('curl -u "$USER:$PASS" https://x', "shell"),
        ("curl -fsS https://hc-ping.com/0f0f0f0f", "shell"),
        ('echo "accounts without a password: guest"', "shell"),
        (f"# password={SECRET}", "shell"),
        ("password_hash_algorithm=yescrypt", "conf"),
        ("PasswordAuthentication no", "conf"),
        ("password requisite pam_pwquality.so retry=3", "conf"),
        ("password: ${DB_PASSWORD}", "structured"),
        ('password: "{{ vault_db }}"', "structured"),
        ("token_ttl = 3600", "conf"),
        ("password_file=/etc/app/db.pass", "conf"),
        ("secret_key = /etc/ssl/key.pem", "conf"),
        ("password = <your password>", "conf"),
        ("ssl_password_file /etc/keys/global.pass;", "conf"),
        ("bypass=1", "conf"),
    ],
)
def test_references_placeholders_and_prose_are_not_credentials(line: str, syntax: str) -> None:
    assert credential_kinds(line, syntax) == []  # type: ignore[arg-type]


def test_sources_are_scanned_and_only_places_are_reported(tmp_path: Path) -> None:
    ev = _scan(
        tmp_path,
        {
            "/etc/crontab": f"# comment\n0 2 * * * root /usr/local/bin/upload.sh\n5 2 * * * root mysqldump -p{SECRET} db > /x\n",
            "/usr/local/bin/upload.sh": f"#!/bin/sh\ncurl -u ops:{SECRET} -T /x https://files.example/\n",
            "/etc/systemd/system/app.service": f"[Service]\nEnvironment=API_TOKEN={SECRET}\nEnvironmentFile=/etc/default/app\nExecStart=/opt/app/run\n",
            "/etc/default/app": f"DB_PASSWORD='{SECRET}'\n",
            "/opt/app/config/application.yml": f"spring:\n  datasource:\n    password: {SECRET}\n",
            "/var/www/html/wp-config.php": f"<?php\ndefine( 'DB_PASSWORD', '{SECRET}' );\n",
            "/var/www/html/.env": "APP_KEY=\nDB_PASSWORD=${DB_PASSWORD}\n",  # references only
            "/opt/app/node_modules/x/config.yml": f"password: {SECRET}\n",  # code, not configuration: not walked
            "/opt/app/README.md": f"password: {SECRET}\n",  # not a configuration file name
        },
    )
    assert ev.status is EvidenceStatus.OK
    assert sorted(_where(ev)) == sorted(
        [
            ("cron", "/etc/crontab", 3, "mysql -p password"),
            ("script", "/usr/local/bin/upload.sh", 2, "curl -u credentials"),
            ("unit", "/etc/systemd/system/app.service", 2, "API_TOKEN in cleartext"),
            ("environment", "/etc/default/app", 1, "DB_PASSWORD in cleartext"),
            ("config", "/opt/app/config/application.yml", 3, "password in cleartext"),
            ("config", "/var/www/html/wp-config.php", 2, "DB_PASSWORD in cleartext"),
        ]
    )
    assert ev.facts["complete"] is True and ev.facts["count"] == 6
    assert SECRET not in json.dumps(ev.to_json())


def test_credential_files_are_judged_by_mode_never_read(tmp_path: Path) -> None:
    ev = _scan(tmp_path, {"/root/.my.cnf": f"[client]\npassword={SECRET}\n", "/home/bob/.pgpass": f"db:5432:*:bob:{SECRET}\n"})
    (tmp_path / "root/root/.my.cnf").chmod(0o600)
    (tmp_path / "root/home/bob/.pgpass").chmod(0o644)
    ev = _scan(tmp_path, {})
    assert _where(ev) == [("credential_file", "/home/bob/.pgpass", 0, "credential file readable by all users")]
    read = {s["path"] for s in ev.to_json()["sources"] if s.get("sha256")}
    assert "/root/.my.cnf" not in read and "/home/bob/.pgpass" not in read


def test_reads_are_bounded(tmp_path: Path) -> None:
    files = {f"/opt/app{i}/conf/app.conf": "x=1\n" for i in range(5)}
    files["/opt/big/app.conf"] = f"password={SECRET}\n" + "#" * MAX_SCAN_BYTES
    files["/opt/a/b/c/d/app.conf"] = f"password={SECRET}\n"  # deeper than MAX_WALK_DEPTH
    ev = _scan(tmp_path, files)
    assert ev.facts["findings"] == [] and ev.facts["skipped"] == ["/opt/big/app.conf"]
    assert ev.facts["files_scanned"] == 5


def test_walk_limit_makes_the_scan_incomplete(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import collectors.host.credentials as cred

    monkeypatch.setattr(cred, "MAX_CONFIG_FILES", 2)
    ev = _scan(tmp_path, {f"/srv/app{i}/app.ini": "x=1\n" for i in range(4)})
    assert ev.facts["truncated"] is True and ev.facts["complete"] is False and ev.facts["files_scanned"] == 2


def test_unreadable_places_make_the_scan_incomplete(tmp_path: Path) -> None:
    ev = _scan(tmp_path, {"/opt/app/app.conf": f"password={SECRET}\n"}, root_only=("/opt/app/app.conf",))
    assert ev.facts["findings"] == [] and ev.facts["complete"] is False and ev.facts["unreadable"] == ["/opt/app/app.conf"]


def test_recorded_hosts() -> None:
    oe = evidence_map("openeuler-server")["host.credentials"].facts
    assert oe["findings"] == [
        {"source": "cron", "file": "/etc/cron.d/mysql-backup", "line": 2, "kind": "mysql -p password", "readable_by_all": False}
    ]
    weak = evidence_map("debian-weak")["host.credentials"].facts
    assert [(f["file"], f["line"], f["kind"]) for f in weak["findings"]] == [
        ("/etc/cron.d/site-upload", 4, "Authorization header")
    ]
    assert evidence_map("debian-hardened")["host.credentials"].facts["findings"] == []  # restic reads --password-file
    app = evidence_map("debian-hardened-app-config-password")["host.credentials"].facts["findings"]
    assert [(f["source"], f["file"], f["line"]) for f in app] == [("config", "/opt/mes/conf/application.properties", 5)]


@pytest.mark.parametrize("host", [*FIXTURE_HOSTS, "debian-hardened-app-config-password"])
@pytest.mark.parametrize("privileged", [True, False])
def test_no_value_in_evidence(host: str, privileged: bool) -> None:
    dumped = json.dumps(evidence_map(host, privileged)["host.credentials"].to_json())
    for value in ("FixtureDummyPass", "FIXTURE-TOKEN-DO-NOT-LEAK"):
        assert value not in dumped
