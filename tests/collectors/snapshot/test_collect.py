"""Budgets: each stage within its share, unused time passed on, a spent budget and a broken stage said, caps cut."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Iterator, List

import pytest

from collectors.context import load_fixture_context
from collectors.snapshot import packages, timeline
from collectors.snapshot.collect import STAGES, Stage, take
from collectors.snapshot.model import Artefact
from collectors.snapshot.session import Limits, Session
from report.redact import redact_text

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "snapshot" / "proc-host"


def _slow(s: Session) -> Iterator[Artefact]:
    """Works until the reader says its share is spent, as every real stage does."""
    b = s.builder("test/slow")
    while not s.reader.expired():
        time.sleep(0.01)
    yield b.json({}, 0)


def _rogue(s: Session) -> Iterator[Artefact]:
    """Ignores its deadline: the next stage must find the whole budget spent."""
    time.sleep(1.2)
    yield s.builder("test/rogue").json({}, 0)


def _broken(s: Session) -> Iterator[Artefact]:
    raise ValueError("a parser bug")
    yield  # pragma: no cover


def _quick(s: Session) -> Iterator[Artefact]:
    yield s.builder("test/quick").json({"ok": True}, 1)


def test_a_stage_stops_at_its_share_and_the_next_one_still_runs() -> None:
    got: List[Artefact] = []
    started = time.monotonic()
    outcome = take(load_fixture_context(FIXTURE), redact_text, got.append, Limits(time_s=2), stages=(Stage("slow", 0.25, _slow), Stage("quick", 0.1, _quick)))
    took = time.monotonic() - started
    assert [a.name for a in got] == ["test/slow", "test/quick"] and outcome.stage_cuts == ()
    assert 0.45 <= took < 1.5, took


def test_a_stage_that_finds_the_budget_spent_is_listed_as_not_run() -> None:
    got: List[Artefact] = []
    outcome = take(load_fixture_context(FIXTURE), redact_text, got.append, Limits(time_s=1), stages=(Stage("rogue", 1.0, _rogue), Stage("quick", 1.0, _quick)))
    assert [a.name for a in got] == ["test/rogue"]
    assert outcome.stage_cuts == ("quick: not run: the time budget of 1 s was spent",)


def test_a_broken_stage_is_named_and_the_others_go_on() -> None:
    got: List[Artefact] = []
    outcome = take(load_fixture_context(FIXTURE), redact_text, got.append, Limits(time_s=5), stages=(Stage("broken", 1.0, _broken), Stage("quick", 1.0, _quick)))
    assert [a.name for a in got] == ["test/quick"]
    assert outcome.stage_cuts == ("broken: stopped by an unexpected error: ValueError: a parser bug",)


def test_the_timeline_entry_cap_is_a_cut() -> None:
    got: List[Artefact] = []
    take(load_fixture_context(FIXTURE), redact_text, got.append, Limits(time_s=10, timeline_entries=5), stages=(Stage("t", 1.0, timeline.timeline),))
    (art,) = got
    doc = json.loads(art.content)
    assert len(doc["files"]) == 5 and doc["complete"] is False
    assert any("stopped at 5 entries" in c for c in art.cut)


def test_package_files_left_when_the_time_is_spent_are_counted_not_checked() -> None:
    got: List[Artefact] = []

    def spent(s: Session) -> Iterator[Artefact]:
        s.reader.with_deadline(time.monotonic() - 1)
        yield from packages.package_integrity(s)

    take(load_fixture_context(FIXTURE), redact_text, got.append, Limits(time_s=10), stages=(Stage("p", 1.0, spent),))
    (art,) = got
    doc = json.loads(art.content)
    assert (doc["files_listed"], doc["files_checked"], doc["not_checked"], doc["complete"]) == (3, 0, 3, False)
    assert "2 programs, PAM modules and the loader not checked: the time budget was spent" in art.cut
    assert "1 other files not checked: the time budget was spent" in art.cut


def test_volatile_state_comes_first_and_package_integrity_last() -> None:
    names = [s.name for s in STAGES]
    assert names[0] == "volatile/processes" and names[-1] == "packages/integrity"
    assert names.index("timeline/files") > names.index("logs")


@pytest.mark.live
@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to become another user")
def test_without_root_what_cannot_be_read_is_a_gap_and_the_snapshot_goes_on() -> None:
    """As nobody: /etc/shadow and root's processes are gaps with their reason; nothing stops the stages."""
    import cryptography.hazmat.primitives.hashes  # noqa: F401 - loaded before the child drops root

    from collectors.context import HostContext, LiveProcessView
    from collectors.runner import SystemRunner
    from collectors.snapshot import accounts, volatile

    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            os.close(read)
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
            got: List[Artefact] = []
            ctx = HostContext(Path("/"), SystemRunner(), LiveProcessView(), "live", False)
            outcome = take(ctx, redact_text, got.append, Limits(time_s=20), stages=(Stage("p", 1.0, volatile.processes), Stage("a", 1.0, accounts.accounts)))
            result = {"cuts": list(outcome.stage_cuts), "refused": outcome.noatime_refused, "gaps": {a.name: [[g.path, g.reason] for g in a.gaps] for a in got}}
            os.write(write, json.dumps(result).encode())
        finally:
            os._exit(0)
    os.close(write)
    chunks = []
    while chunk := os.read(read, 65536):
        chunks.append(chunk)
    os.close(read)
    os.waitpid(pid, 0)
    result = json.loads(b"".join(chunks))
    assert result["cuts"] == [] and result["refused"] > 0  # root's files: O_NOATIME refused, read anyway
    assert ["/etc/shadow", "permission denied"] in result["gaps"]["accounts/users"]
    assert ["/proc/1/exe", "permission denied: another user's process (run as root)"] in result["gaps"]["volatile/processes"]


def test_offline_root_runs_no_command_and_says_why_each_was_not_run(tmp_path: Path) -> None:
    """An rpm image with a journal: rpm -Va, journalctl and systemctl would report this machine, so none is run
    (the runner fails the test if asked) and each is a gap with the offline-root reason; the volatile stages are cuts."""
    import dataclasses

    from collectors.context import offline_root_context
    from collectors.snapshot import logs, persistence
    from tests.collectors.host.test_offline_root_fixture import NoCommands

    for d in ("etc", "var/lib/rpm", "var/log/journal/0123"):
        (tmp_path / d).mkdir(parents=True)
    (tmp_path / "var/lib/rpm/rpmdb.sqlite").write_bytes(b"SQLite format 3\x00")
    (tmp_path / "var/log/journal/0123/system.journal").write_bytes(b"LPKSHHRH")
    ctx = dataclasses.replace(offline_root_context(tmp_path), runner=NoCommands())
    got: List[Artefact] = []
    stages = (STAGES[0], Stage("p", 1.0, packages.package_integrity), Stage("l", 1.0, logs.text_logs), Stage("s", 1.0, persistence.systemd))
    outcome = take(ctx, redact_text, got.append, Limits(time_s=10), stages=stages)
    assert outcome.stage_cuts == ("volatile/processes: not run: offline-root: the process table exists only on a running system; a root file system has none",)
    gaps = {g.path: g.reason for a in got for g in a.gaps}
    assert gaps["rpm -Va"].startswith("offline-root: rpm -Va not run: it would verify this machine's packages")
    assert gaps["journal"].startswith("offline-root: the journal was not read")
    assert all(gaps[p].startswith("not run: offline-root: ") for p in gaps if p.startswith("systemctl "))
    doc = json.loads(next(a for a in got if a.name == "packages/integrity").content)
    assert doc["method"] is None and doc["complete"] is False
    assert ctx.runner.asked == [] and not any(a.name.startswith("volatile/") for a in got)
