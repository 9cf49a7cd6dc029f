"""host.file_perms / host.mounts / host.world_writable / host.banner: formats, fixtures, garbage."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Union

import pytest

from collectors.catalogue import all_collectors
from collectors.context import FileStat, HostContext, RecordedProcessView
from collectors.evidence import ErrorReason, Evidence, EvidenceStatus
from collectors.host import files as files_mod
from collectors.host.files import banner_facts, parse_mounts, unescape_mount_field
from collectors.registry import run_collector
from collectors.runner import RecordedRunner
from tests.hosts import evidence_map


def _run(
    name: str,
    tmp: Path,
    files: Mapping[str, Union[str, bytes]],
    overrides: Optional[Dict[str, FileStat]] = None,
) -> Evidence:
    for rel, data in files.items():
        path = tmp / "root" / rel.lstrip("/")
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data)
    (tmp / "root").mkdir(exist_ok=True)
    ctx = HostContext(
        root=tmp / "root",
        runner=RecordedRunner(tmp / "commands"),
        processes=RecordedProcessView({}),
        target="t",
        privileged=True,
        stat_overrides=overrides or {},
    )
    return run_collector(all_collectors()[name], ctx)


# -- mounts --------------------------------------------------------------------


def test_parse_real_mount_lines_and_octal_escapes() -> None:
    text = (
        "tmpfs /dev/shm tmpfs rw,nosuid,nodev,noexec,inode64 0 0\n"
        "/dev/sdb1 /srv/backup\\040data ext4 rw,relatime 0 0\n"
        "\n"
        "proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0\n"
    )
    entries = parse_mounts(text, "/proc/self/mounts")
    assert [e["mountpoint"] for e in entries] == ["/dev/shm", "/srv/backup data", "/proc"]
    assert entries[0]["options"] == ["rw", "nosuid", "nodev", "noexec", "inode64"]
    assert unescape_mount_field("a\\011b\\134c") == "a\tb\\c"


def test_mounts_fixture_hosts() -> None:
    hard = evidence_map("debian-hardened")["host.mounts"].facts["mounts"]
    assert hard["/tmp"]["fstype"] == "tmpfs"
    assert {"nodev", "nosuid", "noexec"} <= set(hard["/tmp"]["options"])
    weak = evidence_map("debian-weak")["host.mounts"].facts["mounts"]
    assert "/tmp" not in weak
    assert "noexec" not in weak["/dev/shm"]["options"]
    eul = evidence_map("openeuler-server")["host.mounts"].facts["mounts"]
    assert "/tmp" not in eul and eul["/"]["device"] == "/dev/mapper/openeuler-root"


def test_later_mount_hides_earlier_one(tmp_path: Path) -> None:
    text = "/dev/sda1 /tmp ext4 rw,relatime 0 0\ntmpfs /tmp tmpfs rw,nosuid,nodev,noexec 0 0\n"
    ev = _run("host.mounts", tmp_path, {"/proc/self/mounts": text})
    assert ev.facts["mounts"]["/tmp"]["fstype"] == "tmpfs"


def test_binary_mounts_file_is_an_error_naming_it(tmp_path: Path) -> None:
    ev = _run("host.mounts", tmp_path, {"/proc/self/mounts": b"\x00\xff\xfegarbage\x00"})
    assert ev.status is EvidenceStatus.ERROR
    assert ev.error_reason is ErrorReason.MALFORMED
    assert "/proc/self/mounts" in (ev.reason or "")


def test_text_garbage_mounts_names_file_and_line(tmp_path: Path) -> None:
    ev = _run("host.mounts", tmp_path, {"/proc/self/mounts": "proc /proc proc rw 0 0\nthis is not\n"})
    assert ev.status is EvidenceStatus.ERROR
    assert "/proc/self/mounts: line 2" in (ev.reason or "")


def test_missing_mounts_is_an_error_not_a_crash(tmp_path: Path) -> None:
    ev = _run("host.mounts", tmp_path, {})
    assert ev.status is EvidenceStatus.ERROR and ev.error_reason is ErrorReason.NOT_FOUND


# -- file permissions ----------------------------------------------------------


def test_file_perms_fixture_hosts() -> None:
    weak = evidence_map("debian-weak")["host.file_perms"].facts
    assert weak["files"]["/etc/shadow"] == {"exists": True, "mode": "0644", "uid": 0, "gid": 42, "is_dir": False}
    assert weak["grub_cfg"] == "/boot/grub/grub.cfg"
    eul = evidence_map("openeuler-server")["host.file_perms"].facts
    assert eul["grub_cfg"] == "/boot/grub2/grub.cfg"
    assert eul["files"]["/boot/grub/grub.cfg"] == {"exists": False}
    assert eul["files"]["/etc/cron.d"]["is_dir"] is True


def test_missing_files_are_absent_not_errors(tmp_path: Path) -> None:
    ev = _run("host.file_perms", tmp_path, {"/etc/passwd": "root:x:0:0::/root:/bin/sh\n"})
    assert ev.status is EvidenceStatus.OK
    assert ev.facts["files"]["/etc/shadow"] == {"exists": False}
    assert ev.facts["files"]["/etc/passwd"]["exists"] is True
    assert ev.facts["grub_cfg"] is None


# -- world-writable ------------------------------------------------------------


def test_walk_finds_world_writable_file_on_weak_host() -> None:
    facts = evidence_map("debian-weak")["host.world_writable"].facts
    assert facts["walk"]["world_writable_files"] == ["/etc/sysctl.d/60-elasticsearch.conf"]
    assert facts["temp_dirs"]["/var/tmp"] == {
        "exists": True,
        "mode": "0777",
        "uid": 0,
        "gid": 0,
        "is_dir": True,
        "world_writable": True,
        "sticky": False,
    }
    hard = evidence_map("debian-hardened")["host.world_writable"].facts
    assert hard["walk"]["world_writable_file_count"] == 0 and hard["walk"]["truncated"] is False


def test_walk_skips_symlinks_and_reports_unsticky_dirs(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "etc" / "drop").mkdir(parents=True)
    (root / "etc" / "ok.conf").write_text("x\n")
    os.chmod(root / "etc" / "drop", 0o777)
    os.symlink("/etc/ok.conf", root / "etc" / "link")  # lstat of a symlink says 0777: not a finding
    ev = _run("host.world_writable", tmp_path, {})
    walk = ev.facts["walk"]
    assert walk["world_writable_files"] == []
    assert walk["world_writable_dirs_without_sticky"] == ["/etc/drop"]


def test_walk_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(files_mod, "WALK_MAX_ENTRIES", 3)
    ev = _run("host.world_writable", tmp_path, {f"/etc/d{i}/f{j}": "x" for i in range(3) for j in range(3)})
    assert ev.facts["walk"]["truncated"] is True


def test_walk_counts_unreadable_dirs_and_unstatable_entries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from collectors.context import HostReader
    from collectors.evidence import CollectError

    real_listdir, real_stat = HostReader.listdir, HostReader.stat

    def listdir(self: HostReader, path: str) -> List[str]:
        if path == "/etc/secret":
            raise CollectError(ErrorReason.PERMISSION_DENIED, f"cannot list {path}: Permission denied")
        return real_listdir(self, path)

    def stat(self: HostReader, path: str) -> Optional[FileStat]:
        if path == "/etc/gone":
            raise CollectError(ErrorReason.PERMISSION_DENIED, f"cannot stat {path}: Permission denied")
        return real_stat(self, path)

    monkeypatch.setattr(HostReader, "listdir", listdir)
    monkeypatch.setattr(HostReader, "stat", stat)
    ev = _run("host.world_writable", tmp_path, {"/etc/secret/x.conf": "x\n", "/etc/gone": "x\n", "/etc/ok.conf": "x\n"})
    walk = ev.facts["walk"]
    assert walk["truncated"] is False
    assert walk["skipped_count"] == 2 and walk["skipped"] == ["/etc/gone", "/etc/secret"]
    hard = evidence_map("debian-hardened")["host.world_writable"].facts["walk"]
    assert hard["skipped_count"] == 0 and hard["skipped"] == []


# -- banners -------------------------------------------------------------------


def test_banner_facts_detect_escapes_and_names() -> None:
    f = banner_facts("Debian GNU/Linux 12 \\n \\l\n", "debian")
    assert f["os_names"] == ["debian", "gnu/linux"] and f["os_escapes"] == []
    f = banner_facts("\\S\nKernel \\r on an \\m\n", "openeuler")
    assert f["os_escapes"] == ["\\S", "\\m", "\\r"] and f["os_names"] == []
    f = banner_facts("Authorized users only. All activities may be monitored and reported.\n", "debian")
    assert f["os_names"] == [] and f["os_escapes"] == [] and f["has_warning"] is True


def test_banner_fixture_and_garbage(tmp_path: Path) -> None:
    weak = evidence_map("debian-weak")["host.banner"].facts["files"]
    assert weak["/etc/issue"]["os_names"] == ["debian", "gnu/linux"]
    ev = _run("host.banner", tmp_path, {"/etc/issue": b"\x00\x01\x02"})
    assert ev.status is EvidenceStatus.ERROR and "/etc/issue" in (ev.reason or "")


def test_unprivileged_replay_cannot_stat_inside_a_root_only_directory() -> None:
    """stat(2) needs search permission on every directory above the path: /boot/grub2 0700 hides grub.cfg."""
    from tests.hosts import evidence_map

    files = evidence_map("openeuler-server-grub2-0700", False)["host.file_perms"].facts["files"]
    assert files["/boot/grub2/grub.cfg"] == {"exists": None, "error": "cannot stat /boot/grub2/grub.cfg: Permission denied"}
    root = evidence_map("openeuler-server-grub2-0700")["host.file_perms"].facts["files"]["/boot/grub2/grub.cfg"]
    assert root["exists"] is True and root["mode"] == "0600"
