"""The snapshot's reader: access times stay as they were, large files stream, walks stay in place.

The access-time tests set a file's atime far in the past (older than its mtime, so even ``relatime``
would update it on a plain read), read it through the reader, and check the atime is unchanged. A
control read with a plain ``open`` first shows that the file system does update access times here;
where it does not (a ``noatime`` mount), the test would prove nothing and says so.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
import time
from pathlib import Path
from typing import Iterator, List, Tuple

import pytest

from collectors.context import HostContext
from collectors.evidence import CollectError
from collectors.runner import RecordedRunner
from collectors.snapshot.reader import SnapshotReader
from tests.hosts import HOSTS_DIR

OLD = 1_000_000_000  # 2001-09-09: older than any mtime the test sets


def _tree_reader(root: Path) -> SnapshotReader:
    ctx = HostContext(root, RecordedRunner(root / "no-commands"), _NoProcesses(), "t", True)
    return SnapshotReader(ctx)


class _NoProcesses:
    def processes(self) -> list:  # type: ignore[type-arg]
        return []

    def listening(self) -> list:  # type: ignore[type-arg]
        return []

    def interfaces(self) -> dict:  # type: ignore[type-arg]
        return {}


def _aged(path: Path) -> None:
    os.utime(path, (OLD, time.time() - 60))


def _atime(path: Path) -> int:
    return os.stat(path).st_atime_ns


def _honours_atime(tmp_path: Path) -> None:
    probe = tmp_path / "probe"
    probe.write_bytes(b"probe\n")
    _aged(probe)
    with open(probe, "rb") as fh:
        fh.read()
    if _atime(probe) == OLD * 10**9:
        pytest.skip("this file system does not update access times (noatime): the test would prove nothing")


@pytest.mark.skipif(not hasattr(os, "O_NOATIME"), reason="O_NOATIME is Linux-only")
def test_reading_hashing_and_tailing_leave_the_access_time_unchanged(tmp_path: Path) -> None:
    _honours_atime(tmp_path)
    target = tmp_path / "etc" / "sshd_config"
    target.parent.mkdir()
    target.write_bytes(b"PermitRootLogin no\n" * 1000)
    reader = _tree_reader(tmp_path)
    for action in (
        lambda: reader.read("/etc/sshd_config", 100),
        lambda: reader.tail("/etc/sshd_config", 64),
        lambda: reader.digest("/etc/sshd_config", md5=True, keep=False),
        lambda: reader.md5("/etc/sshd_config"),
        lambda: reader.read_records("/etc/sshd_config", 384, 2),
    ):
        _aged(target)
        got = action()
        assert got is not None
        assert _atime(target) == OLD * 10**9
    assert reader.noatime_used >= 5 and reader.noatime_refused == 0


@pytest.mark.skipif(not hasattr(os, "O_NOATIME"), reason="O_NOATIME is Linux-only")
def test_listing_and_walking_leave_directory_access_times_unchanged(tmp_path: Path) -> None:
    _honours_atime(tmp_path)
    top = tmp_path / "etc" / "cron.d"
    (top / "sub").mkdir(parents=True)
    (top / "job").write_text("* * * * * root true\n")
    (top / "sub" / "deeper").write_text("x\n")
    for d in (top, top / "sub"):
        _aged(d)
    reader = _tree_reader(tmp_path)
    assert reader.names("/etc/cron.d") == ["job", "sub"]
    assert [p for p, _ in reader.walk("/etc/cron.d", lambda p, r: None)] == ["/etc/cron.d/job", "/etc/cron.d/sub", "/etc/cron.d/sub/deeper"]
    assert _atime(top) == OLD * 10**9 and _atime(top / "sub") == OLD * 10**9
    # the control: a plain listing does move it
    os.listdir(top)
    assert _atime(top) != OLD * 10**9


@pytest.fixture()
def shared_tmp() -> Iterator[Path]:
    """A directory another user can reach (pytest's own are 0700), removed afterwards."""
    path = Path(tempfile.mkdtemp(prefix="snapshot-reader-"))
    path.chmod(0o755)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to read as another user")
def test_a_file_of_another_user_is_read_without_o_noatime_and_counted(shared_tmp: Path) -> None:
    """O_NOATIME is refused (EPERM) to anyone but the owner and CAP_FOWNER: the read falls back to a plain open."""
    tmp_path = shared_tmp
    (tmp_path / "etc").mkdir(mode=0o755)
    target = tmp_path / "etc" / "motd"
    target.write_bytes(b"welcome\n")
    target.chmod(0o644)
    nobody = 65534
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 1
        try:
            os.close(read)
            os.setgroups([])
            os.setgid(nobody)
            os.setuid(nobody)
            reader = _tree_reader(tmp_path)
            got = reader.read("/etc/motd", 100)
            os.write(write, f"{got.data.decode().strip() if got else None} {reader.noatime_refused} {reader.noatime_used}".encode())
            code = 0
        finally:
            os._exit(code)
    os.close(write)
    _pid, status = os.waitpid(pid, 0)
    out = os.read(read, 1000).decode()
    os.close(read)
    assert os.waitstatus_to_exitcode(status) == 0
    assert out == "welcome 1 0"


def test_a_large_file_is_hashed_whole_and_kept_only_up_to_the_limit(tmp_path: Path) -> None:
    from collectors.digest import sha256_hex

    data = os.urandom(3 * 1024 * 1024 + 17)
    (tmp_path / "big").write_bytes(data)
    got = _tree_reader(tmp_path).read("/big", 1000)
    assert got is not None and got.truncated and got.data == data[:1000] and got.sha256 == sha256_hex(data)
    d = _tree_reader(tmp_path).digest("/big", md5=True)
    assert d is not None and d.sha256 == sha256_hex(data) and d.size == len(data)
    import hashlib

    assert d.md5 == hashlib.md5(data).hexdigest()


def test_the_same_unchanged_file_is_hashed_once_and_a_changed_one_again(tmp_path: Path) -> None:
    target = tmp_path / "bin"
    target.write_bytes(b"one")
    reader = _tree_reader(tmp_path)
    first = reader.digest("/bin")
    opened = reader.noatime_used
    assert reader.digest("/bin") == first
    target.write_bytes(b"two, longer")
    second = reader.digest("/bin")
    assert second is not None and first is not None and second.sha256 != first.sha256
    assert reader.noatime_used == opened + 2  # every call opens; the unchanged one was not read again


def test_a_fifo_where_a_file_should_be_is_refused_without_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "crontab")
    started = time.monotonic()
    with pytest.raises(CollectError, match="not a regular file"):
        _tree_reader(tmp_path).read("/crontab", 100)
    assert time.monotonic() - started < 2


def test_tail_starts_at_a_line_and_reports_the_cut(tmp_path: Path) -> None:
    (tmp_path / "log").write_bytes(b"".join(b"line %05d\n" % i for i in range(1000)))
    got = _tree_reader(tmp_path).tail("/log", 35)
    assert got is not None
    data, meta, cut = got
    assert cut and data == b"line 00997\nline 00998\nline 00999\n" and meta.size == 11000


def test_the_walk_never_follows_links_and_reports_what_it_cannot_enter(tmp_path: Path) -> None:
    (tmp_path / "usr" / "bin").mkdir(parents=True)
    (tmp_path / "usr" / "bin" / "ls").write_bytes(b"ls")
    (tmp_path / "usr" / "bin" / "loop").symlink_to("..")
    (tmp_path / "usr" / "bin" / "out").symlink_to("/etc")
    locked = tmp_path / "usr" / "locked"
    locked.mkdir()
    errors: List[Tuple[str, str]] = []
    reader = _tree_reader(tmp_path)
    seen = {p: stat.S_IFMT(st.st_mode) for p, st in reader.walk("/usr", lambda p, r: errors.append((p, r)))}
    assert seen == {
        "/usr/bin": stat.S_IFDIR,
        "/usr/bin/loop": stat.S_IFLNK,
        "/usr/bin/ls": stat.S_IFREG,
        "/usr/bin/out": stat.S_IFLNK,
        "/usr/locked": stat.S_IFDIR,
    }
    assert errors == []


def test_recorded_modes_win_on_a_recorded_tree() -> None:
    from collectors.context import load_fixture_context

    ctx = load_fixture_context(HOSTS_DIR.parent / "snapshot" / "proc-host")
    meta = SnapshotReader(ctx).meta("/var/tmp/.bash")
    assert meta is not None and meta.mode == 0o4755 and meta.setid


# -- offline-root: every path stays inside the image ------------------------------------------------------------


def _image_reader(root: Path) -> SnapshotReader:
    """A reader of ``root`` as ``snapshot --root`` reads it, with a runner that fails the test if asked anything."""
    import dataclasses

    from collectors.context import offline_root_context
    from tests.collectors.host.test_offline_root_fixture import NoCommands

    return SnapshotReader(dataclasses.replace(offline_root_context(root), runner=NoCommands()))


@pytest.fixture()
def image(tmp_path: Path) -> Path:
    """An image at tmp/x/img with its own /etc/shadow, and a marker outside it where escaping links would lead."""
    root = tmp_path / "x" / "img"
    (root / "etc").mkdir(parents=True)
    (root / "etc" / "shadow").write_text("root:*:19800:0:99999:7:::\n")
    (root / "var" / "log").mkdir(parents=True)
    (tmp_path / "marker").write_text("MARKER outside the image\n")
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "shadow").write_text("MARKER shadow outside the image\n")
    return root


def test_offline_root_links_resolve_inside_the_image_never_to_this_machine(image: Path, tmp_path: Path) -> None:
    log = image / "var" / "log"
    os.symlink("/etc/shadow", log / "absolute")
    os.symlink("../../../../etc/shadow", log / "relative")  # from tmp/x/img/var/log naively: tmp/etc/shadow
    os.symlink(str(tmp_path / "marker"), log / "marker")  # this machine's path of the marker
    assert os.path.realpath(log / "relative") == str(tmp_path / "etc" / "shadow")  # followed by the kernel: outside
    reader = _image_reader(image)
    own = (image / "etc" / "shadow").read_bytes()
    for name in ("absolute", "relative"):
        got = reader.read(f"/var/log/{name}", 1000)
        assert got is not None and got.data == own, name
        tailed = reader.tail(f"/var/log/{name}", 1000)
        assert tailed is not None and tailed[0] == own
        digest = reader.digest(f"/var/log/{name}", md5=True, keep=False)
        assert digest is not None and digest.size == len(own)
    assert reader.read("/var/log/marker", 1000) is None  # the image has no such path
    assert reader.meta("/var/log/marker") is not None and reader.link("/var/log/marker") == (str(tmp_path / "marker"), None)
    assert reader.md5("/var/log/marker") is None and reader.read_records("/var/log/marker", 384, 1) is None


def test_offline_root_directory_links_are_walked_inside_the_image(image: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside-cron"
    outside.mkdir()
    (outside / "job").write_text("* * * * * root MARKER\n")
    os.symlink(str(outside), image / "etc" / "cron.d")  # absolute: /tmp/.../outside-cron inside the image, absent
    os.symlink("../../../../outside-cron", image / "etc" / "cron.daily")  # relative: clamped at the image's root
    (image / "outside-cron").mkdir()
    (image / "outside-cron" / "inside").write_text("the image's own\n")
    reader = _image_reader(image)
    assert reader.names("/etc/cron.d") == []
    assert [p for p, _ in reader.walk("/etc/cron.d", lambda p, r: None)] == []
    assert reader.names("/etc/cron.daily") == ["inside"]
    assert [p for p, _ in reader.walk("/etc/cron.daily", lambda p, r: None)] == ["/etc/cron.daily/inside"]
    assert reader.identity("/etc/cron.daily") == reader.identity("/outside-cron") is not None


def test_offline_root_a_chain_of_too_many_links_reads_as_absent(image: Path, tmp_path: Path) -> None:
    """Reading a{k} follows 46 - k links: at most 40 resolve (inside the image), more read as absent; a chain that
    ends outside the image (b*) never reaches the marker, however long."""
    for i in range(45):
        os.symlink(f"/etc/a{i + 1}", image / "etc" / f"a{i}")
        os.symlink(f"/etc/b{i + 1}", image / "etc" / f"b{i}")
    os.symlink("/etc/shadow", image / "etc" / "a45")
    os.symlink(str(tmp_path / "marker"), image / "etc" / "b45")
    reader = _image_reader(image)
    own = (image / "etc" / "shadow").read_bytes()
    got = reader.read("/etc/a6", 100)
    assert got is not None and got.data == own
    assert reader.read("/etc/a5", 100) is None and reader.read("/etc/a0", 100) is None and reader.identity("/etc/a0") is None
    assert all(reader.read(f"/etc/b{i}", 100) is None for i in range(46))


def test_offline_root_proc_and_sys_of_the_image_are_never_read(image: Path) -> None:
    (image / "proc" / "1").mkdir(parents=True)
    (image / "proc" / "stat").write_text("btime 1\n")
    (image / "sys" / "module").mkdir(parents=True)
    os.symlink("/proc/stat", image / "etc" / "stat")
    reader = _image_reader(image)
    assert reader.read("/proc/stat", 100) is None and reader.read("/etc/stat", 100) is None
    assert reader.names("/proc") == [] and reader.names("/sys/module") == [] and reader.meta("/proc/stat") is None
    assert "/proc" in [p for p, _ in reader.walk("/", lambda p, r: None)]  # listed as the mount point it is
    assert not [p for p, _ in reader.walk("/", lambda p, r: None) if p.startswith(("/proc/", "/sys/"))]


def test_offline_root_no_command_is_run_and_a_fifo_or_device_is_never_opened(image: Path) -> None:
    os.mkfifo(image / "var" / "log" / "auth.log")
    reader = _image_reader(image)
    with pytest.raises(CollectError, match="offline-root: not run"):
        reader.run(["systemctl", "list-units"])
    with pytest.raises(CollectError, match="offline-root: not run"):
        reader.stream(["journalctl"], lambda b: None)
    started = time.monotonic()
    with pytest.raises(CollectError, match=r"not a regular file \(fifo\)"):
        reader.tail("/var/log/auth.log", 100)
    assert time.monotonic() - started < 2 and reader.noatime_used == 0  # refused from its lstat, before any open
