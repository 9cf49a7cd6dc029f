"""File permission, mount, world-writable and banner checks on the fixture hosts and edge cases."""

from __future__ import annotations

from typing import Any, Dict, Mapping

import pytest

from checks.catalogue import all_checks
from checks.model import Status
from checks.registry import EvidenceView, evaluate_one
from collectors.evidence import Evidence, EvidenceStatus
from tests.hosts import status_of

P, F, NA = Status.PASS, Status.FAIL, Status.NOT_APPLICABLE

# check id -> (debian-hardened, debian-weak, openeuler-server)
EXPECTED: Dict[str, tuple] = {
    "LNX-FS-001": (P, F, P),
    "LNX-FS-002": (P, F, P),
    "LNX-FS-003": (P, F, P),
    # debian-hardened: stat/logging.json records /etc/crontab 0644 (Debian default)
    "LNX-FS-004": (P, F, P),
    "LNX-FS-005": (P, F, P),
    "LNX-FS-006": (P, F, F),
    "LNX-FS-007": (P, F, F),
    "LNX-FS-008": (P, F, P),
    "LNX-FS-009": (P, F, P),
    "LNX-FS-010": (P, F, P),
    "LNX-BNR-001": (P, F, P),
}
HOSTS = ("debian-hardened", "debian-weak", "openeuler-server")


@pytest.mark.parametrize("check_id", sorted(EXPECTED))
def test_fixture_statuses(check_id: str) -> None:
    got = tuple(status_of(h, check_id) for h in HOSTS)
    assert got == EXPECTED[check_id]


def _ev(name: str, facts: Mapping[str, Any], status: EvidenceStatus = EvidenceStatus.OK) -> Evidence:
    return Evidence(
        collector=name, target="t", status=status, facts=dict(facts), reason="boom" if status is not EvidenceStatus.OK else None
    )


def _run(check_id: str, *evidence: Evidence, params: Any = None) -> Any:
    return evaluate_one(all_checks()[check_id], EvidenceView(evidence), params)


def _perms(files: Dict[str, Any], grub: Any = None) -> Evidence:
    return _ev("host.file_perms", {"files": files, "grub_cfg": grub})


def test_world_readable_shadow_fails_and_names_problem() -> None:
    f = _run(
        "LNX-FS-002",
        _perms({"/etc/shadow": {"exists": True, "mode": "0644", "uid": 0, "gid": 42}, "/etc/shadow-": {"exists": False}}),
    )
    assert f.status is F and "0644" in (f.reason or "")
    ok = _run(
        "LNX-FS-002",
        _perms({"/etc/shadow": {"exists": True, "mode": "0000", "uid": 0, "gid": 0}, "/etc/shadow-": {"exists": False}}),
    )
    assert ok.status is P
    odd_group = _run(
        "LNX-FS-002",
        _perms({"/etc/shadow": {"exists": True, "mode": "0640", "uid": 0, "gid": 1000}, "/etc/shadow-": {"exists": False}}),
    )
    assert odd_group.status is F


def test_missing_shadow_or_stat_error_is_error_not_pass() -> None:
    assert _run("LNX-FS-002", _perms({"/etc/shadow": {"exists": False}})).status is Status.ERROR
    err = _run("LNX-FS-001", _perms({"/etc/passwd": {"exists": None, "error": "cannot stat /etc/passwd: Permission denied"}}))
    assert "Permission denied" in (err.reason or "")
    assert err.status is Status.ERROR
    assert _run("LNX-FS-001", _ev("host.file_perms", {}, EvidenceStatus.ERROR)).status is Status.ERROR


def test_no_cron_and_no_grub_are_not_applicable() -> None:
    absent = {
        p: {"exists": False}
        for p in ("/etc/crontab", "/etc/cron.hourly", "/etc/cron.daily", "/etc/cron.weekly", "/etc/cron.monthly", "/etc/cron.d")
    }
    assert _run("LNX-FS-004", _perms(absent)).status is NA
    no_grub = {p: {"exists": False} for p in ("/boot/grub/grub.cfg", "/boot/grub2/grub.cfg")}
    assert _run("LNX-FS-005", _perms(no_grub, None)).status is NA


def test_grub_cfg_that_cannot_be_examined_is_error_not_absent() -> None:
    """openeuler-server whose /boot/grub2 is 0700, replayed as a non-root user: grub.cfg cannot be stat'ed."""
    from tests.hosts import host_findings

    f = next(f for f in host_findings("openeuler-server-grub2-0700", False) if f.check_id == "LNX-FS-005")
    assert f.status is Status.ERROR, f.reason
    assert "/boot/grub2/grub.cfg" in (f.reason or "") and "Permission denied" in (f.reason or "")
    assert next(f for f in host_findings("openeuler-server-grub2-0700") if f.check_id == "LNX-FS-005").status is P
    unknown = {"/boot/grub/grub.cfg": {"exists": False}, "/boot/grub2/grub.cfg": {"exists": None, "error": "cannot stat"}}
    assert _run("LNX-FS-005", _perms(unknown, None)).status is Status.ERROR


def test_var_log_max_mode_is_a_parameter() -> None:
    ev = _perms({"/var/log": {"exists": True, "mode": "0755", "uid": 0, "gid": 0}})
    assert _run("LNX-FS-010", ev).status is P
    assert _run("LNX-FS-010", ev, params={"max_mode": "0750"}).status is F


def test_tmp_options_and_missing_mount() -> None:
    mounts = {"/tmp": {"device": "tmpfs", "fstype": "tmpfs", "options": ["rw", "nosuid", "nodev"]}}
    f = _run("LNX-FS-006", _ev("host.mounts", {"mounts": mounts}))
    assert f.status is F and f.observed["missing_options"] == ["noexec"]
    relaxed = _run("LNX-FS-006", _ev("host.mounts", {"mounts": mounts}), params={"required_options": ["nodev", "nosuid"]})
    assert relaxed.status is P
    assert _run("LNX-FS-007", _ev("host.mounts", {"mounts": {}})).status is NA


def test_truncated_walk_without_findings_is_manual() -> None:
    walk = {
        "roots": ["/etc"],
        "scanned": 20000,
        "truncated": True,
        "world_writable_files": [],
        "world_writable_file_count": 0,
        "world_writable_dirs_without_sticky": [],
        "world_writable_dir_count": 0,
    }
    f = _run("LNX-FS-009", _ev("host.world_writable", {"temp_dirs": {}, "walk": walk}))
    assert f.status is Status.MANUAL


def _walk(**kw: Any) -> Evidence:
    walk: Dict[str, Any] = {
        "roots": ["/etc"],
        "scanned": 10,
        "truncated": False,
        "skipped_count": 0,
        "skipped": [],
        "world_writable_files": [],
        "world_writable_file_count": 0,
        "world_writable_dirs_without_sticky": [],
        "world_writable_dir_count": 0,
    }
    walk.update(kw)
    temp = {"/tmp": {"exists": True, "world_writable": True, "sticky": True}}
    return _ev("host.world_writable", {"temp_dirs": temp, "walk": walk})


def test_incomplete_walk_is_manual_for_sticky_and_files() -> None:
    assert _run("LNX-FS-008", _walk()).status is P
    assert _run("LNX-FS-009", _walk()).status is P
    for cid in ("LNX-FS-008", "LNX-FS-009"):
        assert _run(cid, _walk(truncated=True)).status is Status.MANUAL, cid
        f = _run(cid, _walk(skipped_count=1, skipped=["/etc/ssl/private"]))
        assert f.status is Status.MANUAL and f.observed["skipped"] == ["/etc/ssl/private"], cid
    # a finding still counts even when the walk was incomplete
    bad = _walk(truncated=True, skipped_count=1, world_writable_dirs_without_sticky=["/etc/drop"], world_writable_dir_count=1)
    assert _run("LNX-FS-008", bad).status is F


def test_banner_names_leaking_file() -> None:
    files = {
        "/etc/issue": {"present": True, "os_escapes": ["\\r"], "os_names": []},
        "/etc/issue.net": {"present": False},
    }
    f = _run("LNX-BNR-001", _ev("host.banner", {"files": files}))
    assert f.status is F and f.observed["leaks"] == {"/etc/issue": ["\\r"]}


def test_unprivileged_replay_does_not_error_on_file_checks() -> None:
    for cid in EXPECTED:
        assert status_of("debian-hardened", cid, privileged=False) is not Status.ERROR
