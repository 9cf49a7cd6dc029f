"""Scheduled re-assessment: a cron entry or systemd timer, and the run it starts.

The scheduled run must be safe to leave alone for a policy term: it never
prompts, yields CPU and disk to the host's real work, never overlaps another
run, keeps a bounded number of reports, and fails loudly (exit 4) when the host
got worse than the configured tolerance since the previous report.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, TYPE_CHECKING, Callable, List, Optional, Tuple

from agent.errors import AgentError, UsageError
from agent.settings import ALL_FORMATS, Settings
from checks.model import Finding, Severity

if TYPE_CHECKING:
    from agent.outbox import SubmitSettings
    from report.model import Report
    from report.signing import Signer

MARKER = "# Managed by riskagent ('riskagent schedule install'); 'riskagent schedule remove' deletes it."
CRON_NAME = "riskagent"
SERVICE_NAME = "riskagent.service"
TIMER_NAME = "riskagent.timer"
DEFAULT_CONFIG = Path("/etc/riskagent/config.json")
DEFAULT_AT = "03:17"
EXIT_REGRESSION = 4
EXIT_TEMPFAIL = 75
# Every pattern here is matched against the whole value (fullmatch), in ASCII: "$" would also match
# before a trailing newline, and "\d" would match any script's digits.
RUN_DIR_RE = re.compile(r"[0-9]{8}T[0-9]{6}Z(?:-[0-9]{1,4})?", re.ASCII)
# Paths go into cron lines and unit files unquoted: keep them to characters neither interprets.
_SAFE_PATH_RE = re.compile(r"/[A-Za-z0-9._/+@:-]*", re.ASCII)
_USER_RE = re.compile(r"[a-z_][a-z0-9_-]{0,31}", re.ASCII)
_DIGITS_RE = re.compile(r"[0-9]{1,2}", re.ASCII)


class RunInProgress(AgentError):
    """Another scheduled run holds the lock."""

    exit_code = EXIT_TEMPFAIL


# ---------------------------------------------------------------- install / remove / show


def parse_at(value: str) -> Tuple[int, int]:
    """HH:MM (24 h) -> (hour, minute)."""
    m = re.fullmatch(r"([0-9]{1,2}):([0-9]{2})", value, re.ASCII)
    if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        raise ValueError(f"--at {value!r}: expected HH:MM, 00:00 to 23:59")
    return int(m.group(1)), int(m.group(2))


_CRON_FIELDS = (("minute", 0, 59), ("hour", 0, 23), ("day of month", 1, 31), ("month", 1, 12), ("day of week", 0, 7))
_CRON_NAMES = {
    3: {m: i + 1 for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split())},
    4: {d: i for i, d in enumerate("sun mon tue wed thu fri sat".split())},
}
_CRON_SPECIALS = {"@daily", "@midnight", "@weekly", "@monthly", "@yearly", "@annually", "@hourly"}


def validate_cron_calendar(value: str) -> str:
    """A five-field cron schedule (numbers, *, ranges, steps, lists, month/day names) or @daily and the like."""
    text = " ".join(value.split())
    if text in _CRON_SPECIALS:
        return text
    fields = text.split(" ")
    if len(fields) != 5:
        raise ValueError(f"--calendar {value!r}: a cron schedule has 5 fields (minute hour day month weekday)")
    for i, (part, (name, lo, hi)) in enumerate(zip(fields, _CRON_FIELDS)):
        for item in part.split(","):
            base, _, step = item.partition("/")
            if step and not (_DIGITS_RE.fullmatch(step) and int(step) > 0):
                raise ValueError(f"--calendar {value!r}: bad step {item!r} in the {name} field")
            if base == "*":
                continue
            for bound in base.split("-", 1):
                number = int(bound) if _DIGITS_RE.fullmatch(bound) else _CRON_NAMES.get(i, {}).get(bound.lower())
                if number is None or not lo <= number <= hi:
                    raise ValueError(f"--calendar {value!r}: {bound!r} is not valid in the {name} field ({lo}-{hi})")
    return text


_SYSTEMD_SHORTHANDS = {"minutely", "hourly", "daily", "weekly", "monthly", "yearly", "annually", "quarterly", "semiannually"}
_SYSTEMD_CAL_RE = re.compile(r"[A-Za-z0-9*,./:~ +-]{1,100}", re.ASCII)


def validate_systemd_calendar(value: str) -> str:
    """An OnCalendar expression; checked by systemd-analyze where it exists, else by form."""
    text = " ".join(value.split())
    if text.lower() in _SYSTEMD_SHORTHANDS:
        return text
    if not _SYSTEMD_CAL_RE.fullmatch(text) or not re.search(r"[0-9*]", text):
        raise ValueError(f"--calendar {value!r}: not a systemd OnCalendar expression (e.g. 'Mon..Fri *-*-* 03:17:00')")
    analyze = shutil.which("systemd-analyze")
    if analyze:
        proc = subprocess.run([analyze, "calendar", text], capture_output=True, text=True, timeout=10, check=False)
        if proc.returncode != 0:
            reason = (proc.stderr or proc.stdout).strip().splitlines()
            raise ValueError(f"--calendar {value!r}: systemd-analyze rejects it ({reason[-1] if reason else 'invalid'})")
    return text


@dataclass(frozen=True)
class ScheduleFile:
    path: Path
    content: str


def _check_path(value: Path, what: str) -> str:
    text = str(value)
    if not _SAFE_PATH_RE.fullmatch(text):
        raise UsageError(
            f"{what} {text!r} must be an absolute path of letters, digits and ._/+@:- only",
            "cron and systemd would otherwise interpret parts of it",
        )
    return text


def default_command() -> Path:
    """The riskagent executable to schedule: the one running, else the one on PATH."""
    argv0 = Path(sys.argv[0])
    if argv0.name == "riskagent" and argv0.exists():
        return argv0.absolute()
    found = shutil.which("riskagent")
    if found:
        return Path(found).absolute()
    raise UsageError("cannot find the riskagent executable", "pass --command /path/to/riskagent")


def cron_file(command: Path, config: Path, *, at: Optional[str], calendar: Optional[str], user: str = "root") -> ScheduleFile:
    """The /etc/cron.d entry (system crontab format: with a user field)."""
    if calendar is not None and at is not None:
        raise UsageError("give either --at or --calendar, not both")
    try:
        if calendar is not None:
            when = validate_cron_calendar(calendar)
        else:
            hour, minute = parse_at(at or DEFAULT_AT)
            when = f"{minute} {hour} * * *"
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if not _USER_RE.fullmatch(user):
        raise UsageError(
            f"--user {user!r} is not a valid user name",
            "lower-case letters, digits, _ and -, starting with a letter or _ (at most 32), and nothing else",
        )
    line = f"{when} {user} {_check_path(command, 'command')} run-scheduled --config {_check_path(config, '--config')}"
    content = (
        f"{MARKER}\n"
        "# Scheduled cyber-risk re-assessment; the run is niced, locked and non-interactive.\n"
        "SHELL=/bin/sh\n"
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n"
        f"{line}\n"
    )
    return ScheduleFile(Path(CRON_NAME), content)


def systemd_files(command: Path, config: Path, *, at: Optional[str], calendar: Optional[str]) -> List[ScheduleFile]:
    """riskagent.service (oneshot, niced, idle I/O) and riskagent.timer (Persistent: catches up missed runs)."""
    if calendar is not None and at is not None:
        raise UsageError("give either --at or --calendar, not both")
    try:
        if calendar is not None:
            when = validate_systemd_calendar(calendar)
        else:
            hour, minute = parse_at(at or DEFAULT_AT)
            when = f"*-*-* {hour:02d}:{minute:02d}:00"
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    service = (
        f"{MARKER}\n"
        "[Unit]\n"
        "Description=riskagent scheduled cyber-risk re-assessment\n"
        "Wants=network-online.target\n"
        "After=network-online.target\n"
        "\n"
        "[Service]\n"
        "Type=oneshot\n"
        f"ExecStart={_check_path(command, 'command')} run-scheduled --config {_check_path(config, '--config')}\n"
        "Nice=10\n"
        "IOSchedulingClass=idle\n"
    )
    timer = (
        f"{MARKER}\n"
        "[Unit]\n"
        "Description=Run the riskagent re-assessment on schedule\n"
        "\n"
        "[Timer]\n"
        f"OnCalendar={when}\n"
        "Persistent=true\n"
        f"Unit={SERVICE_NAME}\n"
        "\n"
        "[Install]\n"
        "WantedBy=timers.target\n"
    )
    return [ScheduleFile(Path(SERVICE_NAME), service), ScheduleFile(Path(TIMER_NAME), timer)]


def _ours(path: Path) -> bool:
    try:
        with path.open(encoding="utf-8", errors="replace") as fh:
            return fh.readline().rstrip("\n") == MARKER
    except OSError:
        return False


def install(files: List[ScheduleFile], directory: Path) -> List[Tuple[Path, str]]:
    """Write the files into ``directory``: (path, "installed"|"updated"|"unchanged").

    Refuses before writing anything if a target file exists without our marker.
    """
    from agent.files import atomic_write

    targets = [(directory / f.path, f.content) for f in files]
    foreign = [p for p, _ in targets if (p.exists() or p.is_symlink()) and not _ours(p)]
    if foreign:
        raise AgentError(
            f"{', '.join(map(str, foreign))} exists and was not written by riskagent; refusing to overwrite it",
            "remove or rename it yourself if riskagent should manage it",
        )
    done: List[Tuple[Path, str]] = []
    for path, content in targets:
        if path.exists():
            if path.read_text(encoding="utf-8") == content and (path.stat().st_mode & 0o777) == 0o644:
                done.append((path, "unchanged"))
                continue
            state = "updated"
        else:
            state = "installed"
        try:
            atomic_write(path, content.encode("utf-8"), 0o644)
        except OSError as exc:
            raise AgentError(f"cannot write {path}: {exc.strerror}", "run as root, or choose the directory") from None
        done.append((path, state))
    return done


def installed(directory: Path, names: List[str]) -> List[Tuple[Path, bool]]:
    """Existing schedule files in ``directory``: (path, written by riskagent)."""
    return [(directory / n, _ours(directory / n)) for n in names if (directory / n).exists()]


def remove(directory: Path, names: List[str]) -> List[Tuple[Path, str]]:
    """Delete our files only: (path, "removed"|"not ours, kept")."""
    done: List[Tuple[Path, str]] = []
    for path, ours in installed(directory, names):
        if not ours:
            done.append((path, "not written by riskagent, kept"))
            continue
        try:
            path.unlink()
        except OSError as exc:
            raise AgentError(f"cannot remove {path}: {exc.strerror}", "run as root") from None
        done.append((path, "removed"))
    return done


# ---------------------------------------------------------------- the scheduled run


def run_dir_name(now: datetime) -> str:
    return now.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def make_run_dir(out_dir: Path, now: Optional[datetime] = None, *, group: Optional[int] = None) -> Path:
    """<out_dir>/<UTC timestamp>/, suffixed -1, -2 ... if a run in the same second exists.

    ``out_dir`` must be ours (``agent.files.ensure_dir``); the run directory is created 0700, or 0750
    in the report group.
    """
    from agent.files import dir_mode, ensure_dir

    ensure_dir(out_dir, "report directory", group=group)
    base = run_dir_name(now or datetime.now(timezone.utc))
    for i in range(1000):
        path = out_dir / (base if i == 0 else f"{base}-{i}")
        try:
            path.mkdir(mode=dir_mode(group))
        except FileExistsError:
            continue
        if group is not None:
            os.chown(path, -1, group)
        os.chmod(path, dir_mode(group))
        return path
    raise AgentError(f"cannot create a run directory under {out_dir}")


def _run_dir_key(name: str) -> Tuple[str, int]:
    stamp, _, n = name.partition("-")
    return stamp, int(n or 0)


def rotate(out_dir: Path, keep: int, current: Optional[Path] = None) -> List[Path]:
    """Delete all but the newest ``keep`` run directories; other entries are never touched.

    ``current`` (the run just made) is always kept and counts as the newest, whatever its name says:
    after the clock went back, older runs have later names, and the new report must not be the one
    rotated away.
    """
    runs = sorted(
        (p for p in out_dir.iterdir() if p.is_dir() and not p.is_symlink() and RUN_DIR_RE.fullmatch(p.name)),
        key=lambda p: _run_dir_key(p.name),
    )
    if current is not None:
        runs = [p for p in runs if p.name != current.name] + [current]
    old = runs[:-keep] if keep > 0 else runs
    for p in old:
        shutil.rmtree(p)
    return old


class RunLock:
    """Exclusive, non-blocking flock on <state_dir>/run.lock; the holder's pid is written into it.

    The state directory must be ours or root's and writable by nobody else (``agent.files.ensure_dir``),
    and the lock is opened without following a link and must be a regular file: a run as root never
    truncates or writes a file another user pointed it at.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fh: Optional[IO[str]] = None

    def __enter__(self) -> RunLock:
        import fcntl

        from agent.files import ensure_dir, open_regular

        ensure_dir(self.path.parent, "state directory")
        fd = open_regular(self.path, os.O_RDWR | os.O_CREAT, 0o600, what="lock file")  # no O_TRUNC: the holder's pid must survive
        fh = os.fdopen(fd, "r+", encoding="utf-8")
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            pid = self._holder(fh)
            fh.close()
            raise RunInProgress(
                f"another scheduled riskagent run is in progress (lock {self.path} held by pid {pid})",
                "this run was skipped; the next scheduled run will try again",
            ) from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"{os.getpid()}\n")
        fh.flush()
        self._fh = fh
        return self

    @staticmethod
    def _holder(fh: IO[str]) -> str:
        import time

        # The holder writes its pid right after locking; give it a moment.
        for _ in range(50):
            fh.seek(0)
            text = fh.read(32).strip()
            if re.fullmatch(r"[0-9]{1,10}", text, re.ASCII):
                return text
            time.sleep(0.02)
        return "unknown"

    def __exit__(self, *exc: object) -> None:
        if self._fh is not None:
            self._fh.close()  # closing releases the lock; the file stays (deleting it would race)
            self._fh = None


def new_failures(old: Report, new: Report, fail_on_severity: Severity = Severity.INFO) -> List[Finding]:
    """Findings failing in ``new`` that did not fail in ``old`` (new or regressed), at or above the severity.

    Findings are identified by (check_id, target), as ``riskagent diff`` does.
    """
    before = {f.key for f in old.failed()}
    hits = [f for f in new.failed() if f.key not in before and f.severity.at_least(fail_on_severity)]
    return sorted(hits, key=lambda f: (-f.severity.rank, f.check_id, f.target or ""))


SCHEDULED_TIME_BUDGET_S = 3600


def _stderr(message: str) -> None:
    from report.terminal import safe

    print(safe(message), file=sys.stderr, flush=True)


def _submit(state: Path, envelope: bytes, submit: SubmitSettings, log: Callable[[str], None]) -> None:
    """Queue the report for the intake and send the queue. The report is on disk and in the history either
    way: an intake that is down costs a warning and a later attempt, not the run."""
    from agent.outbox import submit_report
    from report.terminal import safe

    try:
        result = submit_report(state, envelope, submit)
    except AgentError as exc:
        log(f"warning: the report was not queued for the intake: {exc.message}")
        return
    for line in result.lines():
        log(safe(line.strip()))


def run_scheduled(
    settings: Settings,
    *,
    state_dir: Optional[Path] = None,
    renice: int = 10,
    log: Callable[[str], None] = _stderr,
) -> int:
    """One scheduled assessment; returns 0, or 4 when regressions pass the threshold.

    The settings are those of a manual scan (``agent.settings``), plus the
    ``schedule`` object: retention, max_new_failures, fail_on_severity. Raises
    UsageError (exit 2) for bad settings or a missing passphrase,
    RunInProgress (exit 75) when another run holds the lock.
    """
    from agent import history, pipeline
    from agent.keys import PASSPHRASE_ENV, load_signer, read_passphrase

    where = settings.config_path or "the configuration"
    if not settings.sign:
        raise UsageError(f"{where}: scheduled reports are always signed (sign: false is not allowed here)")
    state = state_dir or settings.state_dir or history.default_state_dir()
    out_dir = settings.out_dir or state / "reports"
    # Never prompt: the passphrase comes from a file or the environment, or the run stops here.
    if read_passphrase(settings.passphrase_file) is None:
        raise UsageError(
            "scheduled runs never prompt, and no key passphrase was given",
            f'set "passphrase_file" in {where} (mode 0600) or {PASSPHRASE_ENV}',
        )
    signer = load_signer(settings.key, settings.passphrase_file, prompt=None)
    settings = replace(settings, state_dir=state, formats=ALL_FORMATS)
    if settings.time_budget_s is None:  # a stuck run must end, and release the lock, before the next one is due
        settings = replace(settings, time_budget_s=SCHEDULED_TIME_BUDGET_S)

    if renice:
        try:
            os.nice(renice)
        except OSError:
            pass

    with RunLock(state / "run.lock"):
        run_dir = make_run_dir(out_dir, group=settings.report_group)
        try:
            outcome = pipeline.run(settings, signer, run_dir)
        except BaseException:
            if run_dir.exists() and not any(run_dir.iterdir()):
                run_dir.rmdir()
            raise
        report = outcome.report
        regressions: Optional[List[Finding]] = None
        if report.previous_report is not None:
            old = _load_previous(state, report.previous_report, signer, log)
            if old is not None:
                if old.run.started_at > report.run.started_at:
                    log(
                        f"warning: the previous report ({old.report_id}) started at {old.run.started_at}, after this run "
                        f"({report.run.started_at}): the clock went back, or that report was made on a clock that was ahead; "
                        "'riskagent history' will show the order problem. Regressions were still compared."
                    )
                regressions = new_failures(old, report, settings.schedule.fail_on_severity)
        retention = settings.schedule.retention
        removed = rotate(out_dir, retention, current=run_dir) if retention else []

    name = report.target.name
    if settings.submit is not None and outcome.envelope is not None:
        _submit(state, outcome.envelope, settings.submit, log)
    line = f"riskagent scheduled run: {name}: {len(report.failed())} failed check(s); report in {run_dir}"
    threshold = settings.schedule.fail_on_severity.value
    if regressions is not None:
        line += f"; {len(regressions)} new failure(s) at {threshold} or above since the previous report"
    if removed:
        line += f"; removed {len(removed)} old run(s)"
    from report.terminal import safe

    print(safe(line), flush=True)
    limit = settings.schedule.max_new_failures
    if regressions is not None and limit is not None and len(regressions) > limit:
        for f in regressions[:20]:
            log(f"  new failure: {f.check_id} [{f.severity.value}]" + (f" on {f.target}" if f.target else ""))
        log(f"riskagent: regression: {len(regressions)} new failure(s) exceed schedule.max_new_failures = {limit}")
        return EXIT_REGRESSION
    return 0


def _load_previous(state: Path, digest: str, signer: Signer, log: Callable[[str], None]) -> Optional[Report]:
    """The previous signed report, verified with our own key; None (with a note) if unusable."""
    from agent import history
    from report.envelope import read_bounded
    from report.signing import VerificationError, report_digest
    from report.terminal import safe_line
    from report.trust import TrustedKey
    from report.verification import Outcome, verify_bytes

    entry = history.known_reports(state).get(digest)
    if entry is None or not entry.get("path"):
        log(f"note: the previous report {digest[:12]} is not in the history index; regressions not compared")
        return None
    path = Path(str(entry["path"]))
    try:
        data = read_bounded(path)
    except VerificationError as exc:
        log(f"note: previous report {path} is not readable ({exc}); regressions not compared")
        return None
    own = {signer.keyid: TrustedKey(signer.keyid, signer.public_key, None, "this agent's key")}
    verified = verify_bytes(data, own, source=str(path))
    if verified.report is None or verified.outcome is Outcome.INVALID:
        log(f"warning: previous report {path} does not verify ({safe_line(verified.reason)}); regressions not compared")
        return None
    if report_digest(verified.report) != digest:
        log(f"warning: previous report {path} changed since it was recorded; regressions not compared")
        return None
    return verified.report
