"""LNX-CRED-001: cleartext credentials are reported by file and line, never by value; unread is never clean."""

from __future__ import annotations

import dataclasses
import json
from typing import Any, Dict

import pytest

from checks.catalogue import all_checks
from checks.model import InsurerDomain, Severity, Status
from checks.registry import EvidenceView, evaluate_one
from tests.hosts import FIXTURE_HOSTS, evidence_map, host_findings, status_of

P, F, M = Status.PASS, Status.FAIL, Status.MANUAL

EXPECTED = {
    # root, then without root
    "debian-hardened": (P, M),  # restic reads its password from --password-file; root's crontab is root-only
    "debian-weak": (F, F),  # the Authorization: Bearer header in world-readable /etc/cron.d/site-upload
    "openeuler-server": (F, M),  # mysqldump -p<password> in /etc/cron.d (mode 0700 dir: unseen without root)
    "ics-gateway": (P, M),
    "ics-gateway-hardened": (P, M),
    # debian-hardened with spring.datasource.password in /opt/mes/conf/application.properties
    "debian-hardened-app-config-password": (F, F),
}


@pytest.mark.parametrize("host", sorted(EXPECTED))
def test_statuses(host: str) -> None:
    assert (status_of(host, "LNX-CRED-001"), status_of(host, "LNX-CRED-001", privileged=False)) == EXPECTED[host]


def test_every_recorded_host_is_covered() -> None:
    assert set(FIXTURE_HOSTS) <= set(EXPECTED)


def _finding(host: str) -> Any:
    return next(f for f in host_findings(host) if f.check_id == "LNX-CRED-001")


def test_reason_names_file_line_and_kind_never_the_value() -> None:
    oe = _finding("openeuler-server")
    assert oe.reason == "1 cleartext credential(s): /etc/cron.d/mysql-backup:2 (mysql -p password)"
    weak = _finding("debian-weak")
    assert weak.reason == (
        "1 cleartext credential(s): /etc/cron.d/site-upload:4 (Authorization header); readable by all users: /etc/cron.d/site-upload"
    )
    app = _finding("debian-hardened-app-config-password")
    assert "/opt/mes/conf/application.properties:5 (spring.datasource.password in cleartext)" in (app.reason or "")
    for f in (oe, weak, app):
        text = json.dumps(f.to_json())
        assert "FixtureDummyPass" not in text and "FIXTURE-TOKEN-DO-NOT-LEAK" not in text


def test_metadata() -> None:
    meta = all_checks()["LNX-CRED-001"].meta
    assert meta.severity is Severity.HIGH and meta.needs_root
    assert InsurerDomain.IDENTITY_MFA in meta.domains
    assert meta.title.zh and meta.title.en and meta.remediation.zh and meta.remediation.en


def _verdict(**changes: Any) -> Status:
    ev = dict(evidence_map("debian-hardened"))
    base = ev["host.credentials"]
    facts: Dict[str, Any] = {**base.facts, **changes}
    ev["host.credentials"] = dataclasses.replace(base, facts=facts)
    return evaluate_one(all_checks()["LNX-CRED-001"], EvidenceView(ev.values())).status


def test_incomplete_scan_is_never_clean() -> None:
    assert _verdict() is P
    assert _verdict(unreadable=["/var/spool/cron/crontabs"], complete=False) is M
    assert _verdict(truncated=True, complete=False) is M
    one = {"source": "config", "file": "/opt/x/.env", "line": 3, "kind": "DB_PASSWORD in cleartext", "readable_by_all": True}
    assert _verdict(findings=[one], count=1, unreadable=["/srv"], complete=False) is F
