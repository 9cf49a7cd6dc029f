"""Taking a snapshot: the stages in order of volatility, each within its share of the time budget.

Volatile state first (it is gone soonest), then accounts and persistence,
then the log windows, then the file timeline and package integrity, which
take longest and are the first to be cut. A stage may use at most its share
of the budget counted from when it starts, so time a stage leaves unused
passes on, and one slow stage cannot starve all later ones; a stage that
cannot start because the budget is spent is listed as not run. Artefacts go
to ``sink`` as soon as each is complete, so memory holds one at a time.

An offline-root snapshot (a mounted image) has no run-time state: the
volatile stages are not run, and each is listed as cut with the
offline-root reason; everything read from files is read inside the image.
"""

from __future__ import annotations

import datetime as _dt
import time
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

from collectors.context import HostContext, runtime_only
from collectors.evidence import CollectError
from collectors.host.identity import app_specific_id
from collectors.snapshot import accounts, keys, logs, packages, persistence, setuid, timeline, volatile
from collectors.snapshot.model import Artefact, Scrub, clean
from collectors.snapshot.reader import SnapshotReader
from collectors.snapshot.session import Limits, Session, read_users

Sink = Callable[[Artefact], None]


@dataclass(frozen=True)
class Stage:
    name: str
    share: float  # the most of the whole time budget it may use, counted from its start
    run: Callable[[Session], Iterator[Artefact]]
    runtime: Optional[str] = None  # the run-time state it reads, which a root file system does not have


STAGES: Tuple[Stage, ...] = (
    Stage("volatile/processes", 0.25, volatile.processes, "the process table"),
    Stage("volatile/sockets", 0.05, volatile.sockets, "the socket table"),
    Stage("volatile/sessions", 0.02, volatile.sessions, "the list of logged-in sessions (utmp in /run)"),
    Stage("volatile/kernel_modules", 0.02, volatile.modules, "the list of loaded kernel modules"),
    Stage("accounts/users", 0.02, accounts.accounts),
    Stage("persistence/cron", 0.03, persistence.cron),
    Stage("persistence/systemd", 0.08, persistence.systemd),
    Stage("persistence/init", 0.02, persistence.init_scripts),
    Stage("persistence/ld_preload", 0.02, persistence.preload),
    Stage("persistence/shell_startup", 0.03, persistence.shell_startup),
    Stage("persistence/authorized_keys", 0.03, keys.authorized_keys),
    Stage("persistence/sudoers", 0.02, persistence.sudoers),
    Stage("persistence/pam", 0.03, persistence.pam),
    Stage("persistence/setuid", 0.15, setuid.setuid),
    Stage("logs", 0.08, logs.text_logs),
    Stage("logs/logins", 0.02, logs.logins),
    Stage("timeline/files", 0.30, timeline.timeline),
    Stage("packages/integrity", 1.0, packages.package_integrity),
)


def utc_now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Outcome:
    """What the snapshot as a whole found out about itself."""

    host: Dict[str, Any]
    started_at: str
    finished_at: str
    privileged: bool
    elapsed_ms: int
    stage_cuts: Tuple[str, ...]  # stages not run or stopped, and why
    noatime_used: int
    noatime_refused: int


def _first_line(s: Session, path: str) -> Optional[str]:
    try:
        got = s.reader.read(path, 4096)
    except CollectError:
        return None
    if got is None:
        return None
    text = got.data.decode("utf-8", "replace").strip()
    return clean(text.splitlines()[0].strip()) if text else None


def host_identity(s: Session) -> Dict[str, Any]:
    """The host as the manifest names it: the name reports use, stable ids, and this boot.

    offline-root: the image's host name and machine id; no kernel, boot id or boot time (nothing is running).
    """
    running = not s.reader.offline_root
    machine = _first_line(s, "/etc/machine-id")
    app_id = None
    if machine and len(machine) == 32 and all(c in "0123456789abcdef" for c in machine) and machine != "0" * 32:
        app_id = app_specific_id(machine)  # the raw machine id is a secret of the host's; reports carry this one
    pretty = None
    try:
        got = s.reader.read("/etc/os-release", 65536) or s.reader.read("/usr/lib/os-release", 65536)
    except CollectError:
        got = None
    for line in (got.data.decode("utf-8", "replace") if got else "").splitlines():
        if line.startswith("PRETTY_NAME="):
            pretty = clean(line.split("=", 1)[1].strip().strip("\"'"))
    btime = None
    try:
        stat = s.reader.read("/proc/stat", 1 << 20) if running else None
    except CollectError:
        stat = None
    for line in (stat.data.decode("ascii", "replace") if stat else "").splitlines():
        if line.startswith("btime ") and line.split()[1:2] and line.split()[1].isdigit():
            btime = int(line.split()[1])
    return {
        "name": clean(s.reader.ctx.target),
        "hostname": (_first_line(s, "/proc/sys/kernel/hostname") if running else None) or _first_line(s, "/etc/hostname"),
        "machine_app_id": app_id,
        "boot_id": _first_line(s, "/proc/sys/kernel/random/boot_id") if running else None,
        "kernel": _first_line(s, "/proc/sys/kernel/osrelease") if running else None,
        "os": pretty,
        "boot_time": volatile.utc(btime),
    }


def _run_stages(session: Session, stages: Tuple[Stage, ...], sink: Sink, deadline: float) -> List[str]:
    """Run each stage within its share; what was not run or stopped, and why."""
    reader, limits = session.reader, session.limits
    cuts: List[str] = []
    for stage in stages:
        if stage.runtime is not None and reader.offline_root:
            cuts.append(f"{stage.name}: not run: {runtime_only(stage.runtime)}")
            continue
        left = deadline - time.monotonic()
        if left <= 0:
            cuts.append(f"{stage.name}: not run: the time budget of {limits.time_s} s was spent")
            continue
        reader.with_deadline(min(deadline, time.monotonic() + stage.share * limits.time_s))
        try:
            for artefact in stage.run(session):
                sink(artefact)
        except Exception as exc:  # a bug in one stage must not lose the others
            cuts.append(f"{stage.name}: stopped by an unexpected error: {type(exc).__name__}: {clean(str(exc))[:200]}")
    return cuts


def take(
    ctx: HostContext,
    scrub: Scrub,
    sink: Sink,
    limits: Optional[Limits] = None,
    now: Callable[[], str] = utc_now,
    stages: Tuple[Stage, ...] = STAGES,
) -> Outcome:
    """Collect every stage into ``sink``; never raises for what the host does (that is a gap or a cut)."""
    limits = limits or Limits()
    started = time.monotonic()
    started_at = now()
    deadline = started + limits.time_s
    reader = SnapshotReader(ctx, deadline)
    try:
        session = Session(reader, scrub, now, limits, [])
        session.users = read_users(reader)
        host = host_identity(session)
        cuts = _run_stages(session, stages, sink, deadline)
    finally:
        reader.close()
    return Outcome(
        host=host,
        started_at=started_at,
        finished_at=now(),
        privileged=ctx.privileged,
        elapsed_ms=int((time.monotonic() - started) * 1000),
        stage_cuts=tuple(cuts),
        noatime_used=reader.noatime_used,
        noatime_refused=reader.noatime_refused,
    )
