"""Fault injection, with real faults: a full disk, a process killed while it writes, a clock that went back,
an unreadable file in the middle of a tree, and a command that hangs past its timeout.

* Disk full: ``RLIMIT_FSIZE`` on a real ``riskagent scan`` (writes fail with EFBIG), and a small tmpfs
  mounted by the test (writes fail with ENOSPC; skipped where mounting is not allowed).
* Killed mid-write: ``SIGKILL`` at seeded random moments while a process writes a report of about
  20 MiB per file.
* Clock back: ``faketime`` is not used (it is not installed here); the previous report of a scheduled run
  is signed with a start time in the future instead, which is what a clock that went back looks like.
* Unreadable file: a copy of a recorded host with a mode-000 ``sshd_config``, replayed by ``nobody``
  (``setpriv``).
* Hanging command: a live scan in a private mount namespace where ``sshd`` is a program that never
  returns (bound over ``/usr/local/sbin``, first on the runner's search path): only agent-level code is
  driven, the runner's timeout and the scan's budget do the rest.
"""

from __future__ import annotations

import dataclasses
import json
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Dict, Iterator, List, Optional

import pytest

from agent import history, schedule
from agent.keys import PASSPHRASE_ENV, generate_key, load_private_key, public_path_for
from agent.settings import load_settings
from report.model import Report
from report.signing import report_digest, sign_report
from tests.hosts import HOSTS_DIR, complete_report

REPO = Path(__file__).resolve().parents[2]
RISKAGENT = [sys.executable, "-m", "agent.cli"]
PASSPHRASE = b"fault-injection-passphrase"


def _env() -> Dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != PASSPHRASE_ENV}
    env["PYTHONPATH"] = str(REPO)
    return env


def _snapshot(directory: Path) -> Dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


def _scan_args(out: Path, *extra: str) -> List[str]:
    return [*RISKAGENT, "scan", "--replay", str(HOSTS_DIR / "debian-weak"), "--no-sign", "-q", "--out", str(out), *extra]


# ------------------------------------------------------------------------------------------ disk full


def test_file_size_limit_while_writing_keeps_the_previous_report(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = subprocess.run(_scan_args(out, "--lang", "en"), capture_output=True, text=True, env=_env(), check=False)
    assert first.returncode == 0, first.stderr
    before = _snapshot(out)
    assert len(before) == 3 and all(len(b) > 16 * 1024 for b in before.values())

    def limit() -> None:  # each file may grow to 16 KiB: every report file is larger (Python ignores SIGXFSZ)
        resource.setrlimit(resource.RLIMIT_FSIZE, (16 * 1024, 16 * 1024))

    res = subprocess.run(_scan_args(out, "--lang", "zh"), capture_output=True, text=True, env=_env(), preexec_fn=limit, check=False)
    assert res.returncode == 1, res.stderr
    assert "riskagent: error: cannot write" in res.stderr and "File too large" in res.stderr
    assert "nothing was written" in res.stderr and "Traceback" not in res.stderr
    assert _snapshot(out) == before  # every previous file as it was, and no temporary file left beside them


@pytest.fixture()
def small_tmpfs() -> Iterator[Path]:
    """A 2 MiB tmpfs, mounted for this test and unmounted after it (root only)."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")
    mountpoint = Path(tempfile.mkdtemp(prefix="riskagent-tmpfs-"))
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m,mode=0700", "tmpfs", str(mountpoint)], capture_output=True, check=False)
    if done.returncode != 0:
        mountpoint.rmdir()
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace').strip()}")
    try:
        yield mountpoint
    finally:
        subprocess.run(["umount", str(mountpoint)], check=True)
        mountpoint.rmdir()


def test_disk_full_while_writing_keeps_the_previous_report(small_tmpfs: Path) -> None:
    out = small_tmpfs / "out"
    first = subprocess.run(_scan_args(out, "--lang", "en"), capture_output=True, text=True, env=_env(), check=False)
    assert first.returncode == 0, first.stderr
    before = _snapshot(out)
    # Fill the file system but for 128 KiB: the next report set cannot fit beside the previous one.
    (small_tmpfs / "filler").write_bytes(b"\0" * (shutil.disk_usage(small_tmpfs).free - 128 * 1024))
    res = subprocess.run(_scan_args(out, "--lang", "zh"), capture_output=True, text=True, env=_env(), check=False)
    assert res.returncode == 1, res.stderr
    assert "No space left on device" in res.stderr and "nothing was written" in res.stderr and "Traceback" not in res.stderr
    assert _snapshot(out) == before


# ------------------------------------------------------------------------------------------ killed mid-write

WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from agent import pipeline
    from agent.settings import Format, Lang
    from report.model import Report
    import json
    report = Report.from_json(json.loads(Path(sys.argv[1]).read_text()))
    pipeline.write(report, None, Path(sys.argv[2]), [Format.JSON, Format.MARKDOWN], Lang.EN)
    """
)


def _large_report(tmp: Path, tag: str) -> Path:
    """A report of about 20 MiB (a finding's reason holds it), saved as JSON for the writer process."""
    base = complete_report("debian-weak")
    # a reason without a message id is shown as it is, so the tag reaches report.md too
    big = dataclasses.replace(base.findings[0], reason=f"{tag} " + "x" * (20 * 1024 * 1024), reason_id=None, reason_params=None)
    report = dataclasses.replace(base, findings=(big, *base.findings[1:]))
    path = tmp / f"{tag}.report.json"
    path.write_bytes(report.canonical)
    return path


def test_a_write_killed_at_any_moment_leaves_the_old_or_the_new_file(tmp_path: Path) -> None:
    from agent import pipeline
    from agent.settings import Format, Lang
    from report.model import Report

    out = tmp_path / "out"
    old_source, new_source = _large_report(tmp_path, "old"), _large_report(tmp_path, "new")
    subprocess.run([sys.executable, "-c", WRITER, str(old_source), str(out)], env=_env(), check=True)
    old = _snapshot(out)
    new_report = Report.from_json(json.loads(new_source.read_text()))
    new = {
        "report.json": pipeline.render(new_report, Format.JSON, Lang.EN),
        "report.md": pipeline.render(new_report, Format.MARKDOWN, Lang.EN),
    }
    assert set(old) == set(new) and all(old[k] != new[k] for k in old)

    rng = random.Random(20260101)
    killed_while_writing = 0
    for _attempt in range(6):
        proc = subprocess.Popen([sys.executable, "-c", WRITER, str(new_source), str(out)], env=_env())
        deadline = time.monotonic() + 60
        while not any(p.name.startswith(".") for p in out.iterdir()) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.001)
        time.sleep(rng.uniform(0, 0.15))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        killed_while_writing += proc.returncode == -signal.SIGKILL
        for name in ("report.json", "report.md"):
            data = (out / name).read_bytes()
            assert data in (old[name], new[name]), f"{name}: {len(data)} bytes, neither the old nor the new file"
    assert killed_while_writing >= 3  # most attempts really were killed while writing
    # The next write removes what the killed ones left (their temporary files name a dead pid).
    subprocess.run([sys.executable, "-c", WRITER, str(new_source), str(out)], env=_env(), check=True)
    assert _snapshot(out) == new


# ------------------------------------------------------------------------------------------ the clock went back


def test_a_previous_report_dated_in_the_future_does_not_break_the_scheduled_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv(PASSPHRASE_ENV, raising=False)
    host = tmp_path / "host"
    shutil.copytree(HOSTS_DIR / "debian-weak", host, symlinks=True)
    info = generate_key(tmp_path / "keys" / "signing.key", PASSPHRASE)
    passphrase = tmp_path / "keys" / "passphrase"
    passphrase.write_bytes(PASSPHRASE)
    passphrase.chmod(0o600)
    state, reports = tmp_path / "state", tmp_path / "reports"
    # The previous scheduled run, made while the clock said 2099.
    future = complete_report("debian-weak", started_at="2099-01-01T00:00:00Z", report_id="00000000-0000-4000-8000-000000000099")
    run_dir = schedule.make_run_dir(reports, datetime(2099, 1, 1, tzinfo=timezone.utc))
    envelope = run_dir / "report.dsse.json"
    envelope.write_bytes(sign_report(future, load_private_key(info.private_path, PASSPHRASE)))
    kept = tmp_path / "future.dsse.json"  # retention will rotate the run away: keep a copy for the chain check
    shutil.copyfile(envelope, kept)
    history.record(state, future.target.name, report_digest(future), envelope, report_id=future.report_id, started_at=future.run.started_at)
    config = tmp_path / "config.json"
    config.write_text(
        json.dumps(
            {
                "replay": str(host),
                "key": str(info.private_path),
                "passphrase_file": str(passphrase),
                "state_dir": str(state),
                "out_dir": str(reports),
                "lang": "en",
                "schedule": {"retention": 1},
            }
        )
    )
    logged: List[str] = []
    code = schedule.run_scheduled(load_settings(config), renice=0, log=logged.append)
    assert code in (0, schedule.EXIT_REGRESSION)
    runs = sorted(p for p in reports.iterdir() if schedule.RUN_DIR_RE.fullmatch(p.name))
    # Retention kept this run's report, not the future-dated one that sorts last by name.
    assert len(runs) == 1 and runs[0] != run_dir and (runs[0] / "report.dsse.json").exists()
    new = json.loads((runs[0] / "report.json").read_text())
    assert new["previous_report"] == report_digest(future)
    assert any("clock went back" in line or "in the future" in line for line in logged), logged
    # The history keeps the link, and the chain check names the order problem instead of crashing.
    pub = public_path_for(info.private_path)
    from report.trust import bare_key

    key = bare_key(pub)
    result = history.check_chain([kept, runs[0] / "report.dsse.json"], {key.keyid: key}, history.known_reports(state))
    kinds = {p.kind for p in result.problems}
    assert "order" in kinds and kinds <= {"order", "unlinked"}, result.problems  # named, not a crash or "invalid"
    assert "scheduled run" in capsys.readouterr().out


# ------------------------------------------------------------------------------------------ an unreadable file


def test_an_unreadable_file_in_the_tree_is_evidence_error_and_the_run_goes_on(tmp_path: Path) -> None:
    """The scan runs as root without the capabilities that let root read any file (CAP_DAC_OVERRIDE and
    CAP_DAC_READ_SEARCH), so a mode-000 file is unreadable to it as it is to any other user, wherever the
    checkout and the temporary directory are (another user could not reach a checkout in a private directory)."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv to run the scan without the capability to read any file")
    host = tmp_path / "host"
    shutil.copytree(HOSTS_DIR / "debian-weak", host, symlinks=True)
    sshd_config = host / "root" / "etc" / "ssh" / "sshd_config"
    sshd_config.chmod(0o000)
    out = tmp_path / "out"
    out.mkdir(mode=0o700)
    env = {**_env(), "HOME": str(out), "PYTHONDONTWRITEBYTECODE": "1"}
    res = subprocess.run(
        ["setpriv", "--bounding-set=-dac_override,-dac_read_search", *RISKAGENT, "scan", "--replay", str(host),
         "--no-sign", "-q", "--format", "json", "--out", str(out)],
        capture_output=True, text=True, env=env, cwd=str(REPO), check=False,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    report = json.loads((out / "report.json").read_text())
    sshd = next(e for e in report["evidence"] if e["collector"] == "host.sshd")
    assert sshd["status"] == "error" and sshd["error_reason"] == "permission_denied", sshd
    assert "/etc/ssh/sshd_config" in sshd["reason"]
    findings = Report.from_json(report).findings
    rests_on_sshd = [f for f in findings if f.evidence[0] == "host.sshd"]
    assert rests_on_sshd and all(f.status.value in ("error", "manual") for f in rests_on_sshd)
    assert sum(f.status.value in ("pass", "fail") for f in findings) > 40  # the rest of the tree was judged


# ------------------------------------------------------------------------------------------ a command that hangs


def _live_scan_with_hanging_sshd(tmp: Path, *extra: str) -> tuple[subprocess.CompletedProcess[str], Optional[int]]:
    """A live scan (``riskagent scan``) in a private mount namespace whose ``sshd`` never returns."""
    if os.geteuid() != 0 or shutil.which("unshare") is None or not Path("/usr/local/sbin").is_dir():
        pytest.skip("needs root, unshare and /usr/local/sbin to shadow sshd in a private mount namespace")
    fake = tmp / "bin"
    fake.mkdir()
    pidfile = tmp / "sshd.pid"
    (fake / "sshd").write_text(f"#!/bin/sh\necho $$ > {pidfile}\nexec sleep 600\n")
    (fake / "sshd").chmod(0o755)
    out = tmp / "out"
    inner = " ".join(
        [f"mount --bind {fake} /usr/local/sbin &&", "exec", *RISKAGENT, "scan", "--no-sign", "-q", "--format", "json", "--out", str(out), *extra]
    )
    res = subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "sh", "-c", inner], capture_output=True, text=True, env=_env(), timeout=300, check=False
    )
    if res.returncode != 0 and "mount" in res.stderr and not out.exists():
        pytest.skip(f"cannot bind-mount in a private namespace here: {res.stderr.strip()}")
    pid = int(pidfile.read_text()) if pidfile.exists() else None
    return res, pid


def _gone(pid: int, wait_s: float = 3.0) -> bool:
    """Whether the process has ended (a zombie has: only its exit status is left) within ``wait_s``."""
    end = time.monotonic() + wait_s
    while True:
        try:
            with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
                if fh.read().rsplit(")", 1)[1].split()[0] == "Z":
                    return True
        except FileNotFoundError:
            return True
        if time.monotonic() >= end:
            return False
        time.sleep(0.05)


@pytest.mark.live
def test_a_command_past_its_timeout_is_recorded_and_the_scan_goes_on(tmp_path: Path) -> None:
    started = time.monotonic()
    res, pid = _live_scan_with_hanging_sshd(tmp_path)
    try:
        assert res.returncode == 0, res.stderr
        assert time.monotonic() - started < 120
        report = json.loads((tmp_path / "out" / "report.json").read_text())
        sshd = next(e for e in report["evidence"] if e["collector"] == "host.sshd")
        command = next(s for s in sshd["sources"] if s["kind"] == "command" and s["argv"][:2] == ["sshd", "-T"])
        assert command["error"].startswith("timed out after"), command
        assert report["summary"]["total"] > 40
        assert pid is not None and _gone(pid), "the hung command is still running"
    finally:
        if pid is not None and not _gone(pid, 0):
            os.kill(pid, signal.SIGKILL)


@pytest.mark.live
def test_a_command_abandoned_by_the_scan_budget_does_not_outlive_the_scan(tmp_path: Path) -> None:
    res, pid = _live_scan_with_hanging_sshd(tmp_path, "--time-budget", "3")
    try:
        assert res.returncode == 0, res.stderr
        report = json.loads((tmp_path / "out" / "report.json").read_text())
        sshd = next(e for e in report["evidence"] if e["collector"] == "host.sshd")
        assert sshd["status"] == "error" and sshd["error_reason"] == "timeout", sshd
        assert pid is not None
        assert _gone(pid), "the command the scan abandoned is still running after riskagent exited"
    finally:
        if pid is not None and not _gone(pid, 0):
            os.kill(pid, signal.SIGKILL)
