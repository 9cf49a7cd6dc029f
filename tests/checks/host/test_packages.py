"""LNX-PKG / LNX-EDR / LNX-BAK: exact statuses per fixture host, privileged and not."""

from __future__ import annotations

import dataclasses
from typing import Any, Dict

import pytest

from checks.catalogue import all_checks
from checks.model import Status
from checks.registry import EvidenceView, evaluate_one
from tests.hosts import evidence_map, host_findings, status_of

P, F, M, NA = Status.PASS, Status.FAIL, Status.MANUAL, Status.NOT_APPLICABLE

EXPECTED = {
    #               hardened, weak, openeuler
    "LNX-PKG-001": (P, F, F),
    "LNX-PKG-002": (P, F, F),
    "LNX-EDR-001": (P, F, M),
    "LNX-EDR-002": (P, NA, F),
    "LNX-EDR-003": (P, F, F),
    "LNX-BAK-001": (P, F, P),
    "LNX-BAK-002": (P, F, P),
    "LNX-BAK-003": (P, F, P),
}
# openeuler-server has ClamAV installed but neither clamd nor freshclam runs.
# debian-hardened's /var/lib/clamav/daily.cld has no recorded mtime, so its
# checkout time counts (fresh); openeuler-server records a 2024 mtime (stale).
HOSTS = ("debian-hardened", "debian-weak", "openeuler-server")


@pytest.mark.parametrize("check_id", sorted(EXPECTED))
def test_fixture_statuses(check_id: str) -> None:
    got = tuple(status_of(h, check_id) for h in HOSTS)
    assert got == EXPECTED[check_id]


@pytest.mark.parametrize("host", ["debian-hardened", "debian-weak"])
def test_unprivileged_no_backup_found_is_manual(host: str) -> None:
    # root's crontab is unreadable: "nothing found" must not become FAIL or PASS
    assert status_of(host, "LNX-BAK-001", privileged=False) is M


def test_unprivileged_positive_evidence_still_counts() -> None:
    # a job in world-readable /etc/cron.d is real evidence without root
    assert status_of("openeuler-server", "LNX-BAK-001", privileged=False) is P
    # the net-disk upload in /etc/cron.d is visible to anyone
    assert status_of("debian-weak", "LNX-BAK-003", privileged=False) is F
    assert status_of("debian-hardened", "LNX-BAK-003", privileged=False) is M


def test_netdisk_finding_has_no_secrets() -> None:
    finding = next(f for f in host_findings("debian-weak") if f.check_id == "LNX-BAK-003")
    text = repr(finding.to_json())
    assert "FIXTURE-TOKEN-DO-NOT-LEAK" not in text and "bypy" in text


def test_pending_updates_are_listed() -> None:
    finding = next(f for f in host_findings("openeuler-server") if f.check_id == "LNX-PKG-001")
    assert finding.observed["count"] == 3
    assert "openEuler-SA-2024-1234" in finding.observed["advisories"]


def _verdict(facts: Dict[str, Any], check_id: str) -> Status:
    ev = dict(evidence_map("debian-weak"))
    base = ev["host.security_software"]
    ev["host.security_software"] = dataclasses.replace(base, facts=facts)
    return evaluate_one(all_checks()[check_id], EvidenceView(ev.values())).status


def test_edr_installed_but_not_running_is_manual() -> None:
    clam = {"name": "ClamAV", "kind": "av", "evidence": ["package clamav"], "running": False}
    facts = {"products": [clam], "kinds": ["av"], "leftovers": [], "process_table_seen": True}
    assert _verdict(facts, "LNX-EDR-001") is M
    assert _verdict({**facts, "products": [{**clam, "running": True}]}, "LNX-EDR-001") is P
    leftover = {"products": [], "kinds": [], "leftovers": [{"name": "ClamAV"}], "process_table_seen": True}
    assert _verdict(leftover, "LNX-EDR-001") is F


def test_stale_dnf_metadata_is_manual() -> None:
    ev = dict(evidence_map("openeuler-server"))
    pk = ev["host.packages"]
    su = {**pk.facts["security_updates"], "count": 0, "packages": [], "lists_age_days": 200}
    ev["host.packages"] = dataclasses.replace(pk, facts={**pk.facts, "security_updates": su})
    assert evaluate_one(all_checks()["LNX-PKG-001"], EvidenceView(ev.values())).status is M
