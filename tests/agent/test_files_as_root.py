"""Files as root: what riskagent writes, locks and reads as root cannot be steered by another local user.

Real directories, real ownership and modes, real links; the other user is ``nobody``, and reads that
other users would attempt are made by a forked child that has become ``nobody``.
"""

from __future__ import annotations

import grp
import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List

import pytest

from agent import history, schedule
from agent.errors import AgentError
from agent.files import UnsafePath, atomic_write, ensure_dir
from agent.keys import PASSPHRASE_ENV, generate_key, load_private_key, load_signer, read_passphrase
from agent.settings import load_settings
from tests.hosts import HOSTS_DIR

pytestmark = pytest.mark.needs_root

NOBODY = 65534
PASSPHRASE = b"files-as-root-passphrase"
RISKAGENT = [sys.executable, "-m", "agent.cli"]


@pytest.fixture(autouse=True)
def _as_root(monkeypatch: pytest.MonkeyPatch) -> None:
    if os.geteuid() != 0:
        pytest.skip("these tests run as root (CI does): they hand files to another user")
    monkeypatch.delenv(PASSPHRASE_ENV, raising=False)


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def _as_nobody(action: Callable[[], None]) -> int:
    """Run ``action`` in a forked child that has become nobody; its exit status (0: it did not raise)."""
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            action()
            code = 0
        except PermissionError:
            code = 13
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    _pid, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


@pytest.fixture()
def keys(tmp_path: Path) -> Dict[str, Path]:
    info = generate_key(tmp_path / "keys" / "signing.key", PASSPHRASE)
    pw = tmp_path / "keys" / "passphrase"
    pw.write_bytes(PASSPHRASE + b"\n")
    pw.chmod(0o600)
    return {"key": info.private_path, "passphrase_file": pw}


def _config(tmp: Path, keys: Dict[str, Path], state: Path, **extra: Any) -> Path:
    config = {
        "profile": "server",
        "lang": "en",
        "key": str(keys["key"]),
        "passphrase_file": str(keys["passphrase_file"]),
        "replay": str(HOSTS_DIR / "debian-weak"),
        "state_dir": str(state),
        **extra,
    }
    path = tmp / "config.json"
    path.write_text(json.dumps(config))
    return path


# ------------------------------------------------------------------------------------------ the run lock


def test_scheduled_run_refuses_a_state_directory_of_another_user(tmp_path: Path, keys: Dict[str, Path]) -> None:
    """The reported attack: nobody's state directory holds run.lock -> a root-owned file; root's run must not touch it."""
    victim = tmp_path / "root-owned"
    victim.write_text("precious root data\n")
    victim.chmod(0o600)
    state = tmp_path / "state"
    state.mkdir()
    os.symlink(victim, state / "run.lock")
    os.lchown(state / "run.lock", NOBODY, NOBODY)
    os.chown(state, NOBODY, NOBODY)
    state.chmod(0o755)
    settings = load_settings(_config(tmp_path, keys, state, out_dir=str(tmp_path / "reports")))
    with pytest.raises(AgentError) as exc:
        schedule.run_scheduled(settings, renice=0)
    assert exc.value.exit_code == 2
    assert f"state directory {state} is owned by nobody (uid {NOBODY})" in exc.value.message
    assert "chown" in exc.value.hint
    assert victim.read_text() == "precious root data\n"
    assert not (tmp_path / "reports").exists() or not any((tmp_path / "reports").iterdir())


def test_run_lock_is_never_followed_even_in_our_own_directory(tmp_path: Path, keys: Dict[str, Path]) -> None:
    victim = tmp_path / "root-owned"
    victim.write_text("precious root data\n")
    state = tmp_path / "state"
    state.mkdir(mode=0o700)
    os.symlink(victim, state / "run.lock")
    settings = load_settings(_config(tmp_path, keys, state, out_dir=str(tmp_path / "reports")))
    with pytest.raises(UnsafePath, match=r"lock file .*run\.lock is a symbolic link"):
        schedule.run_scheduled(settings, renice=0)
    assert victim.read_text() == "precious root data\n"


@pytest.mark.parametrize("kind", ["fifo", "hardlink", "directory"])
def test_run_lock_must_be_a_plain_file(tmp_path: Path, kind: str) -> None:
    state = tmp_path / "state"
    state.mkdir(mode=0o700)
    lock = state / "run.lock"
    if kind == "fifo":
        os.mkfifo(lock)  # opening it for reading would block the scheduled run forever
    elif kind == "hardlink":
        other = state / "elsewhere"
        other.write_text("x")
        os.link(other, lock)
    else:
        lock.mkdir()
    with pytest.raises((UnsafePath, IsADirectoryError)):
        with schedule.RunLock(lock):
            pass


@pytest.mark.parametrize("mode", [0o777, 0o770, 0o1777])
def test_group_or_world_writable_state_directory_is_refused(tmp_path: Path, keys: Dict[str, Path], mode: int) -> None:
    state = tmp_path / "state"
    state.mkdir()
    state.chmod(mode)
    settings = load_settings(_config(tmp_path, keys, state, out_dir=str(tmp_path / "reports")))
    with pytest.raises(UnsafePath) as exc:
        schedule.run_scheduled(settings, renice=0)
    assert str(state) in exc.value.message and "writable by" in exc.value.message and "chmod go-w" in exc.value.hint
    assert not (state / "run.lock").exists()


def test_history_is_never_written_into_another_users_directory(tmp_path: Path) -> None:
    state = tmp_path / "state"
    state.mkdir(mode=0o700)
    os.chown(state, NOBODY, NOBODY)
    with pytest.raises(UnsafePath, match="owned by nobody"):
        history.record(state, "host-a", "0" * 64, tmp_path / "report.dsse.json")
    assert not (state / history.INDEX_NAME).exists()
    # A directory inside one that others may write to is refused as well.
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    with pytest.raises(UnsafePath, match="others can write to"):
        history.record(shared / "state", "host-a", "0" * 64, tmp_path / "report.dsse.json")


def test_history_index_symlink_is_not_followed(tmp_path: Path) -> None:
    victim = tmp_path / "victim.json"
    victim.write_text('{"targets": {}}')
    state = tmp_path / "state"
    state.mkdir(mode=0o700)
    os.symlink(victim, state / history.INDEX_NAME)
    with pytest.raises(UnsafePath, match="symbolic link"):
        history.previous_digest(state, "host-a")


# ------------------------------------------------------------------------------------------ report files and directories


def _scan(out: Path, *extra: str, config: Path | None = None) -> subprocess.CompletedProcess[str]:
    args = [*RISKAGENT, "scan", "--replay", str(HOSTS_DIR / "debian-weak"), "--no-sign", "-q", "--out", str(out), *extra]
    if config is not None:
        args += ["--config", str(config)]
    return subprocess.run(args, capture_output=True, text=True, stdin=subprocess.DEVNULL, check=False)


def test_manual_scan_writes_private_reports_into_a_private_directory(tmp_path: Path) -> None:
    # The parent is traversable by others, as /var/lib or a home directory may be.
    tmp_path.chmod(0o755)
    out = tmp_path / "out" / "acme"
    res = _scan(out)
    assert res.returncode == 0, res.stderr
    assert _mode(out) == 0o700
    files = sorted(out.iterdir())
    assert [p.name for p in files] == ["report.html", "report.json", "report.md"]
    assert all(_mode(p) == 0o600 and os.stat(p).st_uid == 0 for p in files)
    # Another local user can read neither the list of failures nor the directory.
    assert _as_nobody(lambda: print(len((out / "report.json").read_bytes()))) == 13
    assert _as_nobody(lambda: print(os.listdir(out))) == 13
    # Nothing was left beside the reports.
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def test_report_group_gives_one_group_read_access(tmp_path: Path) -> None:
    group = grp.getgrgid(NOBODY) if NOBODY in {g.gr_gid for g in grp.getgrall()} else grp.getgrall()[-1]
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"report_group": group.gr_name}))
    out = tmp_path / "out"
    res = _scan(out, config=config)
    assert res.returncode == 0, res.stderr
    assert _mode(out) == 0o750 and os.stat(out).st_gid == group.gr_gid
    for p in out.iterdir():
        assert _mode(p) == 0o640 and os.stat(p).st_gid == group.gr_gid, p


def test_unknown_report_group_is_a_usage_error(tmp_path: Path) -> None:
    config = tmp_path / "config.json"
    config.write_text('{\n  "report_group": "no-such-group-here"\n}\n')
    res = _scan(tmp_path / "out", config=config)
    assert res.returncode == 2 and f"{config}: line 2: report_group: no group 'no-such-group-here'" in res.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("owner_mode", [(NOBODY, 0o755), (0, 0o777), (0, 0o775)])
def test_output_directory_controlled_by_others_is_refused_before_scanning(tmp_path: Path, owner_mode: tuple[int, int]) -> None:
    out = tmp_path / "out"
    out.mkdir()
    os.chown(out, owner_mode[0], owner_mode[0])
    out.chmod(owner_mode[1])
    res = _scan(out)
    assert res.returncode == 2, res.stderr
    assert f"output directory {out}" in res.stderr and "riskagent will not write there" in res.stderr
    assert list(out.iterdir()) == []


def test_files_are_replaced_not_followed(tmp_path: Path) -> None:
    """A link planted where a report goes is replaced by the report; what it pointed to is untouched."""
    victim = tmp_path / "victim"
    victim.write_text("keep me")
    out = ensure_dir(tmp_path / "out", "output directory")
    os.symlink(victim, out / "report.json")
    atomic_write(out / "report.json", b"{}")
    assert victim.read_text() == "keep me" and not (out / "report.json").is_symlink()
    assert _mode(out / "report.json") == 0o600


# ------------------------------------------------------------------------------------------ keys and passphrases


def test_key_owned_by_another_user_is_refused(keys: Dict[str, Path]) -> None:
    os.chown(keys["key"], NOBODY, NOBODY)
    with pytest.raises(UnsafePath) as exc:
        load_private_key(keys["key"], PASSPHRASE)
    assert f"signing key {keys['key']} is owned by nobody (uid {NOBODY})" in exc.value.message
    assert "chown root" in exc.value.hint


def test_key_in_a_directory_of_another_user_is_refused(keys: Dict[str, Path]) -> None:
    os.chown(keys["key"].parent, NOBODY, NOBODY)
    with pytest.raises(UnsafePath, match="owned by nobody"):
        load_signer(keys["key"], keys["passphrase_file"])


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o620])
def test_passphrase_file_readable_or_writable_by_others_is_refused(keys: Dict[str, Path], mode: int) -> None:
    keys["passphrase_file"].chmod(mode)
    with pytest.raises(UnsafePath) as exc:
        read_passphrase(keys["passphrase_file"])
    assert f"permissions {mode:04o} on passphrase file {keys['passphrase_file']} are too open" in exc.value.message
    assert exc.value.hint == f"run: chmod 600 {keys['passphrase_file']}"


def test_passphrase_file_owned_by_another_user_is_refused(keys: Dict[str, Path]) -> None:
    os.chown(keys["passphrase_file"], NOBODY, NOBODY)
    with pytest.raises(UnsafePath, match=r"passphrase file .* is owned by nobody"):
        read_passphrase(keys["passphrase_file"])


def test_passphrase_fifo_is_refused_without_blocking(keys: Dict[str, Path]) -> None:
    fifo = keys["passphrase_file"].with_name("fifo")
    os.mkfifo(fifo, 0o600)
    with pytest.raises(UnsafePath, match="not a regular file"):
        read_passphrase(fifo)


def test_scan_with_a_world_readable_passphrase_file_exits_2(tmp_path: Path, keys: Dict[str, Path]) -> None:
    keys["passphrase_file"].chmod(0o644)
    res = subprocess.run(
        [*RISKAGENT, "scan", "--replay", str(HOSTS_DIR / "debian-weak"), "-q", "--out", str(tmp_path / "out"),
         "--key", str(keys["key"]), "--passphrase-file", str(keys["passphrase_file"])],
        capture_output=True, text=True, stdin=subprocess.DEVNULL, check=False,
        env={k: v for k, v in os.environ.items() if k != PASSPHRASE_ENV},
    )  # fmt: skip
    assert res.returncode == 2 and "are too open" in res.stderr and f"chmod 600 {keys['passphrase_file']}" in res.stderr
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


def test_generated_key_directory_is_private(tmp_path: Path) -> None:
    tmp_path.chmod(0o755)
    info = generate_key(tmp_path / "new" / "signing.key", PASSPHRASE)
    assert _mode(info.private_path.parent) == 0o700 and _mode(info.private_path) == 0o600


@pytest.fixture()
def nobody_tmp() -> Iterator[Path]:
    """A directory nobody owns, outside pytest's root-only temporary tree; removed afterwards."""
    import shutil
    import tempfile

    path = Path(tempfile.mkdtemp(prefix="riskagent-files-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def test_an_unprivileged_user_writes_into_its_own_directory(nobody_tmp: Path) -> None:
    """The rules are the same for any user: nobody may write into its own directory, not into root's."""
    mine = nobody_tmp / "mine"
    mine.mkdir(mode=0o700)
    os.chown(mine, NOBODY, NOBODY)
    roots = nobody_tmp / "roots"
    roots.mkdir(mode=0o755)
    nobody_tmp.chmod(0o755)
    results: List[int] = [
        _as_nobody(lambda: atomic_write(ensure_dir(mine / "out", "output directory") / "report.json", b"{}")),
        _as_nobody(lambda: atomic_write(ensure_dir(roots / "out", "output directory") / "report.json", b"{}")),
    ]
    assert results[0] == 0 and results[1] != 0 and not (roots / "out").exists()
    assert _mode(mine / "out") == 0o700 and _mode(mine / "out" / "report.json") == 0o600
    assert os.stat(mine / "out" / "report.json").st_uid == NOBODY
