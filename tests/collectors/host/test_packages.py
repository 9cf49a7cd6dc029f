"""host.packages / host.security_software / host.backup: formats, fixtures, secrets, garbage."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Dict

import pytest

from collectors.context import HostContext, RecordedProcessView
from collectors.evidence import Evidence, EvidenceStatus
from collectors.host.packages import (
    calendar_frequency,
    cron_frequency,
    parse_dnf_security,
    parse_dpkg_status,
)
from collectors.registry import all_collectors, run_collector
from collectors.runner import RecordedRunner
from tests.hosts import FIXTURE_HOSTS, evidence_map

TOKEN = "FIXTURE-TOKEN-DO-NOT-LEAK"


def _run(name: str, root: Path, files: Dict[str, str], privileged: bool = True) -> Evidence:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    ctx = HostContext(
        root=root / "root",
        runner=RecordedRunner(root / "commands", privileged=privileged),
        processes=RecordedProcessView({}),
        target="t",
        privileged=privileged,
    )
    return run_collector(all_collectors()[name], ctx)


# -- packages ----------------------------------------------------------------


def test_dpkg_status_only_installed() -> None:
    text = (
        "Package: a\nStatus: install ok installed\nVersion: 1.0\nDescription: x\n multi line\n\n"
        "Package: b\nStatus: deinstall ok config-files\nVersion: 2.0\n"
    )
    assert parse_dpkg_status(text) == {"a": "1.0"}


def test_garbage_dpkg_status_is_malformed(tmp_path: Path) -> None:
    ev = _run("host.packages", tmp_path, {"root/var/lib/dpkg/status": "this is not\n\na dpkg database\n"})
    assert ev.status is EvidenceStatus.ERROR
    assert "/var/lib/dpkg/status" in (ev.reason or "")


def test_dnf_security_parsing() -> None:
    adv, names = parse_dnf_security(
        "openEuler-SA-2024-1234 Important/Sec. openssl-1:1.1.1wa-3.oe2203sp3.x86_64\n"
        "openEuler-SA-2024-1234 Important/Sec. openssl-libs-1:1.1.1wa-3.oe2203sp3.x86_64\n"
    )
    assert adv == ["openEuler-SA-2024-1234"] and names == ["openssl", "openssl-libs"]


def test_fixture_packages() -> None:
    hard = evidence_map("debian-hardened")["host.packages"]
    assert hard.method == "dpkg status" and hard.facts["manager"] == "dpkg"
    assert hard.facts["security_updates"]["count"] == 0 and "telnet" not in hard.facts["installed"]
    weak = evidence_map("debian-weak")["host.packages"].facts["security_updates"]
    assert weak["count"] == 3 and weak["packages"] == ["apache2", "libssl1.1", "openssl"]
    assert weak["lists_age_days"] > 365
    oe = evidence_map("openeuler-server")["host.packages"].facts
    assert oe["manager"] == "rpm" and oe["security_updates"]["count"] == 3
    assert "gpg-pubkey" not in oe["installed"] and oe["auto_updates"]["enabled"] is False


# -- security software ---------------------------------------------------------


def test_fixture_security_software() -> None:
    hard = {p["name"]: p for p in evidence_map("debian-hardened")["host.security_software"].facts["products"]}
    assert {"ClamAV", "Wazuh agent", "AIDE"} <= set(hard)
    assert hard["AIDE"]["database"]["present"] is True
    assert evidence_map("debian-weak")["host.security_software"].facts["products"] == []
    oe = {p["name"]: p for p in evidence_map("openeuler-server")["host.security_software"].facts["products"]}
    assert oe["ClamAV"]["signatures"]["age_days"] > 300
    assert oe["AIDE"]["database"]["present"] is False


# -- backup --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expr", "freq"),
    [
        ("30 2 * * *", "daily"),
        ("0 * * * *", "hourly"),
        ("*/15 * * * *", "hourly"),
        ("0 3 * * 0", "weekly"),
        ("0 3 * * 1-5", "daily"),
        ("0 3 1 * *", "monthly"),
        ("0 3 */3 * *", "weekly"),
        ("0 3 1 1 *", "yearly"),
    ],
)
def test_cron_schedule(expr: str, freq: str) -> None:
    assert cron_frequency(*expr.split()) == freq


@pytest.mark.parametrize(
    ("spec", "freq"),
    [
        ("daily", "daily"),
        ("Sun *-*-* 02:00:00", "weekly"),
        ("*-*-* 01:30:00", "daily"),
        ("*-*-01 04:00", "monthly"),
        ("hourly", "hourly"),
    ],
)
def test_calendar_schedule(spec: str, freq: str) -> None:
    assert calendar_frequency(spec) == freq


def test_backup_timer_and_secrets(tmp_path: Path) -> None:
    ev = _run(
        "host.backup",
        tmp_path,
        {
            "root/etc/systemd/system/backup-borg.timer": "[Timer]\nOnCalendar=*-*-* 01:30:00\n",
            "root/etc/systemd/system/backup-borg.service": "[Service]\nExecStart=/usr/bin/borg create --passphrase hunter2 ::x /srv\n",
            "root/etc/cron.d/db": "0 2 * * * root mysqldump -pS3cret db | curl -H 'Authorization: Bearer xyz' -T - https://pan.baidu.com/up\n",
        },
    )
    facts = ev.facts
    assert {"tool": "borg", "schedule": "daily", "file": "/etc/systemd/system/backup-borg.timer"} in facts["jobs"]
    assert {"tool": "mysqldump", "schedule": "daily", "file": "/etc/cron.d/db"} in facts["jobs"]
    assert facts["netdisk_uploads"] == [{"service": "pan.baidu.com", "schedule": "daily", "file": "/etc/cron.d/db"}]
    dumped = json.dumps(ev.to_json())
    for secret in ("hunter2", "S3cret", "xyz", "Bearer"):
        assert secret not in dumped


def test_rclone_consumer_remote(tmp_path: Path) -> None:
    ev = _run("host.backup", tmp_path, {"root/etc/crontab": "0 4 * * 0 root rclone sync /data/backup baidu-pan:bak\n"})
    assert ev.facts["netdisk_uploads"][0]["service"] == "rclone remote baidu-pan"


@pytest.mark.parametrize("host", FIXTURE_HOSTS)
@pytest.mark.parametrize("privileged", [True, False])
def test_planted_token_never_in_evidence(host: str, privileged: bool) -> None:
    dumped = json.dumps([e.to_json() for e in evidence_map(host, privileged).values()])
    assert TOKEN not in dumped
    assert "FixtureDummyPass" not in dumped


def test_fixture_backup() -> None:
    weak = evidence_map("debian-weak")["host.backup"].facts
    assert weak["jobs"] == []
    assert weak["netdisk_uploads"] == [{"service": "bypy", "schedule": "monthly", "file": "/etc/cron.d/site-upload"}]
    oe = evidence_map("openeuler-server")["host.backup"].facts
    assert oe["jobs"] == [{"tool": "mysqldump", "schedule": "daily", "file": "/etc/cron.d/mysql-backup"}]
    hard = evidence_map("debian-hardened", privileged=False)["host.backup"].facts
    assert hard["complete"] is False and "/var/spool/cron/crontabs" in hard["unreadable"]


def test_garbage_crontab_and_dnf_do_not_crash(tmp_path: Path) -> None:
    ev = _run("host.backup", tmp_path, {"root/etc/crontab": "@@@ ??\n* *\nFOO=bar\n@daily\n\t\n"})
    assert ev.status is EvidenceStatus.OK and ev.facts["jobs"] == []
    ev = _run(
        "host.packages",
        tmp_path / "rpm",
        {
            "commands/rpm_-qa_--qf_-NAME-VERSION---RELEASE-n.out": "bash 5.1-1\n",
            "commands/dnf_-C_-q_updateinfo_list_security_--available.out": "Traceback: something odd\n",
        },
    )
    assert ev.status is EvidenceStatus.OK
    assert ev.facts["security_updates"]["available"] is False
