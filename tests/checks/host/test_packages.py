"""LNX-PKG / LNX-EDR / LNX-BAK: exact statuses per fixture host, privileged and not."""

from __future__ import annotations

import dataclasses
from typing import Any, Dict, Tuple

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
    "LNX-BAK-001": (P, F, F),  # openeuler-server dumps to /data/backup on its own root filesystem
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
    # the net-disk upload in world-readable /etc/cron.d is visible to anyone
    assert status_of("debian-weak", "LNX-BAK-003", privileged=False) is F
    assert status_of("debian-hardened", "LNX-BAK-003", privileged=False) is M
    # ... but root's unreadable crontab may hold an off-host job: not a failure of LNX-BAK-001 either
    assert status_of("debian-weak", "LNX-BAK-001", privileged=False) is M
    # openeuler-server's /etc/cron.d is mode 0700: without root its job is not seen at all
    assert status_of("openeuler-server", "LNX-BAK-001", privileged=False) is M


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


def _finding(host: str, check_id: str) -> Any:
    return next(f for f in host_findings(host) if f.check_id == check_id)


# -- LNX-BAK: recorded hosts, and copies of them with one thing changed ----------------------------------------

BAK = ("LNX-BAK-001", "LNX-BAK-002", "LNX-BAK-003")


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        # no backup at all: nothing for LNX-BAK-002/-003 to judge (LNX-BAK-003 used to pass)
        ("debian-hardened-no-backup", (F, NA, NA)),
        # restic to an rclone remote that rclone.conf says is OneDrive (LNX-BAK-003 used to pass)
        ("debian-hardened-restic-rclone-onedrive", (F, P, F)),
        # the repository in RESTIC_REPOSITORY, set in the crontab (LNX-BAK-003 used to pass)
        ("debian-hardened-restic-repository-env", (F, P, F)),
        # cron runs a local script that dumps locally and uploads with bypy (all three used to miss it)
        ("debian-hardened-cron-script-netdisk", (F, P, F)),
        # the same-host dump of openeuler-server, then copied to a backup server
        ("openeuler-server-offsite-copy", (P, P, P)),
        # off-host restic whose cache says the last snapshot is 60 days old
        ("debian-hardened-stale-restic", (F, P, P)),
    ],
)
def test_backup_fixture_copies(host: str, expected: Tuple[Status, Status, Status]) -> None:
    assert tuple(status_of(host, c) for c in BAK) == expected


def test_same_host_dump_fails_with_that_reason() -> None:
    f = _finding("openeuler-server", "LNX-BAK-001")
    assert f.status is F and "same-host copy only" in (f.reason or "") and "/data/backup" in (f.reason or "")
    assert f.observed["jobs"][0]["destination"] == "same_host"  # type: ignore[index]
    assert "FixtureDummyPass" not in repr(f.to_json())


def test_stale_last_success_fails_with_its_age() -> None:
    f = _finding("debian-hardened-stale-restic", "LNX-BAK-001")
    assert "60 days ago" in (f.reason or "") and f.observed["last_success_days"] == 60


def test_script_jobs_name_the_script() -> None:
    f = _finding("debian-hardened-cron-script-netdisk", "LNX-BAK-001")
    assert "-> /usr/local/sbin/db-backup)" in (f.reason or "")


def test_netdisk_uploads_count_as_backups_for_all_three() -> None:
    """LNX-BAK-001, -002 and -003 judge one set of copies: a net-disk upload is a backup, on the wrong destination."""
    for host in ("debian-weak", "debian-hardened-restic-rclone-onedrive"):
        one = _finding(host, "LNX-BAK-001")
        assert one.status is F and "net-disk" in (one.reason or "") and "no scheduled backup job" not in (one.reason or "")
        assert status_of(host, "LNX-BAK-002") is not NA and status_of(host, "LNX-BAK-003") is F


@pytest.mark.parametrize("host", ["debian-hardened", "debian-weak", "openeuler-server", "debian-hardened-no-backup"])
def test_bak_002_and_003_are_not_applicable_exactly_when_001_finds_nothing(host: str) -> None:
    nothing = "no scheduled backup job" in (_finding(host, "LNX-BAK-001").reason or "")
    assert (status_of(host, "LNX-BAK-002") is NA) is nothing
    assert (status_of(host, "LNX-BAK-003") is NA) is nothing


def _backup_verdict(facts: Dict[str, Any], check_id: str = "LNX-BAK-001", params: Any = None) -> Status:
    ev = dict(evidence_map("debian-hardened"))
    ev["host.backup"] = dataclasses.replace(ev["host.backup"], facts=facts)
    return evaluate_one(all_checks()[check_id], EvidenceView(ev.values()), params).status


def test_destination_unknown_or_unread_is_never_pass_or_fail() -> None:
    base = dict(evidence_map("debian-hardened")["host.backup"].facts)
    job = {"tool": "veeamconfig", "schedule": "daily", "file": "/etc/crontab", "destination": "unknown"}
    assert _backup_verdict({**base, "jobs": [job]}) is M
    local = {**job, "tool": "tar", "destination": "same_host", "target": "/srv/backup"}
    assert _backup_verdict({**base, "jobs": [local]}) is F
    assert _backup_verdict({**base, "jobs": [local], "complete": False, "unreadable": ["/var/spool/cron"]}) is M


def test_last_success_limit_is_a_parameter() -> None:
    base = dict(evidence_map("debian-hardened")["host.backup"].facts)
    job = {**base["jobs"][0], "last_success": {"age_days": 10, "basis": "x"}}
    assert _backup_verdict({**base, "jobs": [job]}) is F
    assert _backup_verdict({**base, "jobs": [job]}, params={"max_age_days": 14}) is P


# -- LNX-EDR-002 / -003 -------------------------------------------------------------------------------------


def test_tripwire_without_database_fails() -> None:
    # debian-weak with Tripwire installed and never initialised: any Tripwire install used to pass
    f = _finding("debian-weak-tripwire-no-database", "LNX-EDR-003")
    assert f.status is F and "Tripwire" in (f.reason or "")


@pytest.mark.parametrize(
    ("database", "expected"),
    [
        ({"present": True, "path": "/var/lib/tripwire/h.twd"}, P),
        ({"present": None, "reason": "cannot list /var/lib/tripwire"}, M),
        (None, M),
    ],
)
def test_tripwire_database_decides(database: Any, expected: Status) -> None:
    tw: Dict[str, Any] = {
        "name": "Tripwire",
        "kind": "fim",
        "evidence": ["package tripwire"],
        "running": False,
        "has_process": False,
    }
    if database is not None:
        tw["database"] = database
    facts = {"products": [tw], "kinds": ["fim"], "leftovers": [], "process_table_seen": True}
    assert _verdict(facts, "LNX-EDR-003") is expected


def test_signature_age_looks_at_every_product() -> None:
    """A product of unknown age listed first no longer hides a stale one (openeuler-server's ClamAV is 1053 days old)."""
    ev = dict(evidence_map("openeuler-server"))
    base = ev["host.security_software"]
    unknown = {
        "name": "Other AV",
        "kind": "av",
        "evidence": ["package x"],
        "running": True,
        "has_process": True,
        "signatures": {"database": None, "age_days": None, "reason": "no database"},
    }
    facts = {**base.facts, "products": [unknown, *base.facts["products"]]}
    ev["host.security_software"] = dataclasses.replace(base, facts=facts)
    finding = evaluate_one(all_checks()["LNX-EDR-002"], EvidenceView(ev.values()))
    assert finding.status is F and "ClamAV signatures are 1053 days old" in (finding.reason or "")
    fresh = [unknown, {**base.facts["products"][0], "signatures": {"database": "/x", "age_days": 1}}]
    assert _verdict({**base.facts, "products": fresh}, "LNX-EDR-002") is M
