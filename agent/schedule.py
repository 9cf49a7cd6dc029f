"""Scheduled re-assessment: a cron entry or systemd timer, and the run it starts.

The scheduled run must be safe to leave alone for a policy term: it never
prompts, yields CPU and disk to the host's real work, never overlaps another
run, keeps a bounded number of reports, and fails loudly (exit 4) when the host
got worse than the configured tolerance since the previous report.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any, Callable, Dict, List, Mapping, Optional, Tuple

from agent.errors import AgentError, UsageError

MARKER = "# Managed by riskagent ('riskagent schedule install'); 'riskagent schedule remove' deletes it."
CRON_NAME = "riskagent"
SERVICE_NAME = "riskagent.service"
TIMER_NAME = "riskagent.timer"
DEFAULT_CONFIG = Path("/etc/riskagent/config.json")
DEFAULT_AT = "03:17"
EXIT_REGRESSION = 4
EXIT_TEMPFAIL = 75
SEVERITIES = ("critical", "high", "medium", "low", "info")
RUN_DIR_RE = re.compile(r"^\d{8}T\d{6}Z(?:-\d+)?$")
# Paths go into cron lines and unit files unquoted: keep them to characters neither interprets.
_SAFE_PATH_RE = re.compile(r"^/[A-Za-z0-9._/+@:-]*$")
_USER_RE = re.compile(r"^[a-z_][a-z0-9_-]{0,31}$")


class RunInProgress(AgentError):
    """Another scheduled run holds the lock."""

    exit_code = EXIT_TEMPFAIL


# ---------------------------------------------------------------- settings


@dataclass(frozen=True)
class ScheduleSettings:
    retention: Optional[int]
    max_new_failures: Optional[int]
    fail_on_severity: str


def parse_schedule_settings(schedule: Any) -> ScheduleSettings:
    """Validate the config's "schedule" object; ValueError names the field."""
    if schedule is None:
        schedule = {}
    if not isinstance(schedule, Mapping):
        raise ValueError("schedule: expected an object")
    known = {"retention", "max_new_failures", "fail_on_severity"}
    unknown = sorted(set(schedule) - known)
    if unknown:
        raise ValueError(f"schedule: unknown field(s) {', '.join(unknown)} (known: {', '.join(sorted(known))})")

    def count(name: str, minimum: int) -> Optional[int]:
        value = schedule.get(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise ValueError(f"schedule.{name}: expected an integer >= {minimum}, got {value!r}")
        return value

    severity = schedule.get("fail_on_severity", "info")
    if severity not in SEVERITIES:
        raise ValueError(f"schedule.fail_on_severity: expected one of {', '.join(SEVERITIES)}, got {severity!r}")
    return ScheduleSettings(count("retention", 1), count("max_new_failures", 0), severity)


def parse_at(value: str) -> Tuple[int, int]:
    """HH:MM (24 h) -> (hour, minute)."""
    m = re.fullmatch(r"(\d{1,2}):(\d{2})", value.strip())
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
            if step and not (step.isdigit() and int(step) > 0):
                raise ValueError(f"--calendar {value!r}: bad step {item!r} in the {name} field")
            if base == "*":
                continue
            for bound in base.split("-", 1):
                number = _CRON_NAMES.get(i, {}).get(bound.lower()) if not bound.isdigit() else int(bound)
                if number is None or not lo <= number <= hi:
                    raise ValueError(f"--calendar {value!r}: {bound!r} is not valid in the {name} field ({lo}-{hi})")
    return text


_SYSTEMD_SHORTHANDS = {"minutely", "hourly", "daily", "weekly", "monthly", "yearly", "annually", "quarterly", "semiannually"}
_SYSTEMD_CAL_RE = re.compile(r"^[A-Za-z0-9*,./:~ +-]{1,100}$")


def validate_systemd_calendar(value: str) -> str:
    """An OnCalendar expression; checked by systemd-analyze where it exists, else by form."""
    text = " ".join(value.split())
    if text.lower() in _SYSTEMD_SHORTHANDS:
        return text
    if not _SYSTEMD_CAL_RE.match(text) or not re.search(r"\d|\*", text):
        raise ValueError(f"--calendar {value!r}: not a systemd OnCalendar expression (e.g. 'Mon..Fri *-*-* 03:17:00')")
    analyze = shutil.which("systemd-analyze")
    if analyze:
        proc = subprocess.run([analyze, "calendar", text], capture_output=True, text=True, timeout=10, check=False)
        if proc.returncode != 0:
            reason = (proc.stderr or proc.stdout).strip().splitlines()
            raise ValueError(f"--calendar {value!r}: systemd-analyze rejects it ({reason[-1] if reason else 'invalid'})")
    return text


# ---------------------------------------------------------------- install / remove / show


@dataclass(frozen=True)
class ScheduleFile:
    path: Path
    content: str


def _check_path(value: Path, what: str) -> str:
    text = str(value)
    if not _SAFE_PATH_RE.match(text):
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
    if not _USER_RE.match(user):
        raise UsageError(f"--user {user!r} is not a valid user name")
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


def make_run_dir(out_dir: Path, now: Optional[datetime] = None) -> Path:
    """<out_dir>/<UTC timestamp>/, suffixed -1, -2 ... if a run in the same second exists."""
    out_dir.mkdir(parents=True, exist_ok=True, mode=0o750)
    base = run_dir_name(now or datetime.now(timezone.utc))
    for i in range(1000):
        path = out_dir / (base if i == 0 else f"{base}-{i}")
        try:
            path.mkdir(mode=0o750)
            return path
        except FileExistsError:
            continue
    raise AgentError(f"cannot create a run directory under {out_dir}")


def _run_dir_key(name: str) -> Tuple[str, int]:
    stamp, _, n = name.partition("-")
    return stamp, int(n or 0)


def rotate(out_dir: Path, keep: int) -> List[Path]:
    """Delete all but the newest ``keep`` run directories; other entries are never touched."""
    runs = sorted(
        (p for p in out_dir.iterdir() if p.is_dir() and not p.is_symlink() and RUN_DIR_RE.match(p.name)),
        key=lambda p: _run_dir_key(p.name),
    )
    old = runs[:-keep] if keep > 0 else runs
    for p in old:
        shutil.rmtree(p)
    return old


class RunLock:
    """Exclusive, non-blocking flock on <state_dir>/run.lock; the holder's pid is written into it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fh: Optional[IO[str]] = None

    def __enter__(self) -> RunLock:
        import fcntl

        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)  # no O_TRUNC: the holder's pid must survive
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
            text = fh.read().strip()
            if text.isdigit():
                return text
            time.sleep(0.02)
        return "unknown"

    def __exit__(self, *exc: object) -> None:
        if self._fh is not None:
            self._fh.close()  # closing releases the lock; the file stays (deleting it would race)
            self._fh = None


def new_failures(old: Mapping[str, Any], new: Mapping[str, Any], fail_on_severity: str = "info") -> List[Mapping[str, Any]]:
    """Findings failing in ``new`` that did not fail in ``old`` (new or regressed), at or above the severity.

    Findings are identified by (check_id, target), as ``riskagent diff`` does.
    """

    def failing(report: Mapping[str, Any]) -> Dict[Tuple[str, Optional[str]], Mapping[str, Any]]:
        return {(f["check_id"], f.get("target")): f for f in report.get("findings", []) if f.get("status") == "fail"}

    now_failing = failing(new)
    found = set(now_failing) - set(failing(old))
    limit = SEVERITIES.index(fail_on_severity)
    hits = [f for k, f in now_failing.items() if k in found and f.get("severity") in SEVERITIES[: limit + 1]]
    return sorted(hits, key=lambda f: (SEVERITIES.index(f["severity"]), f["check_id"], f.get("target") or ""))


def _config_path(config: Mapping[str, Any], name: str) -> Optional[Path]:
    value = config.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise UsageError(f"config: {name}: expected a path string")
    return Path(value)


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run_scheduled(
    config: Mapping[str, Any],
    *,
    config_path: Optional[Path] = None,
    state_dir: Optional[Path] = None,
    renice: int = 10,
    log: Callable[[str], None] = _stderr,
) -> int:
    """One scheduled assessment; returns 0, or 4 when regressions pass the threshold.

    Config keys read (top level): out_dir, key, passphrase_file, profile, lang,
    replay (a recorded host, for tests), targets, allow_public, ports,
    state_dir, params; and "schedule": retention, max_new_failures,
    fail_on_severity. Raises UsageError (exit 2) for bad settings or a missing
    passphrase, RunInProgress (exit 75) when another run holds the lock.
    """
    from agent import history
    from agent.keys import default_key_path, load_private_key, read_passphrase

    where = f"{config_path}: " if config_path else "config: "
    try:
        settings = parse_schedule_settings(config.get("schedule"))
    except ValueError as exc:
        raise UsageError(f"{where}{exc}") from None
    state = state_dir or _config_path(config, "state_dir") or history.default_state_dir()
    out_dir = _config_path(config, "out_dir") or state / "reports"
    profile = config.get("profile", "server")
    lang = config.get("lang", "zh")
    if lang not in ("zh", "en"):
        raise UsageError(f"{where}lang: expected zh or en")
    replay = _config_path(config, "replay")
    targets = config.get("targets") or []
    if not isinstance(targets, list) or not all(isinstance(t, str) for t in targets):
        raise UsageError(f"{where}targets: expected a list of strings")
    params = config.get("params") or {}
    if config_path is not None:
        from agent.scan import load_config

        params = load_config(config_path)  # validates check ids and parameter names

    # Never prompt: the passphrase comes from a file or the environment, or the run stops here.
    passphrase = read_passphrase(_config_path(config, "passphrase_file"))
    if passphrase is None:
        from agent.keys import PASSPHRASE_ENV

        raise UsageError(
            "scheduled runs never prompt, and no key passphrase was given",
            f'set "passphrase_file" in {config_path or "the configuration"} (mode 0600) or {PASSPHRASE_ENV}',
        )
    key_path = _config_path(config, "key") or default_key_path()
    private_key = load_private_key(key_path, passphrase)

    if renice:
        try:
            os.nice(renice)
        except OSError:
            pass

    with RunLock(state / "run.lock"):
        from agent.scan import REPORT_ENVELOPE, REPORT_JSON, build_scope, run_scan
        from report.signing import build_statement, report_digest, sign_statement

        scope = build_scope(list(targets), None, bool(config.get("allow_public", False)))
        linked: Dict[str, Any] = {}

        def signer(report: Mapping[str, Any]) -> bytes:
            # Name the predecessor before signing, unless the scan already did.
            if report.get("previous_report") is None and isinstance(report, dict):
                prev = history.previous_digest(state, report["target"]["name"])
                if prev is not None:
                    report["previous_report"] = prev
                    linked["changed"] = True
            subject = f"{report['target']['kind']}:{report['target']['name']}"
            return sign_statement(build_statement(report, subject), private_key)

        run_dir = make_run_dir(out_dir)
        try:
            result = run_scan(
                profile=profile,
                out_dir=run_dir,
                lang=lang,
                replay=replay,
                replay_privileged=True,
                params=params,
                signer=signer,
                scope=scope,
                ports=config.get("ports"),
            )
        except BaseException:
            if run_dir.exists() and not any(run_dir.iterdir()):
                run_dir.rmdir()
            raise
        report = result.report
        if linked:
            # report.json was written before signing; make it match the signed report.
            from agent.files import atomic_write

            text = json.dumps(report, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
            atomic_write(run_dir / REPORT_JSON, text.encode("utf-8"))
        if not result.signed:
            raise AgentError(f"the scheduled report in {run_dir} is unsigned")
        name = report["target"]["name"]
        envelope = run_dir / REPORT_ENVELOPE

        regressions: Optional[List[Mapping[str, Any]]] = None
        previous = history.latest(state, name)
        if previous and previous.get("digest") == report.get("previous_report"):
            old = _load_previous(Path(previous["path"]), previous["digest"], private_key, log)
            if old is not None:
                regressions = new_failures(old, report, settings.fail_on_severity)

        history.record(
            state,
            name,
            report_digest(report),
            envelope,
            report_id=report.get("report_id"),
            started_at=report.get("run", {}).get("started_at"),
        )
        removed = rotate(out_dir, settings.retention) if settings.retention else []

    failed = sum(1 for f in report["findings"] if f["status"] == "fail")
    line = f"riskagent scheduled run: {name}: {failed} failed check(s); report in {run_dir}"
    if regressions is not None:
        line += f"; {len(regressions)} new failure(s) at {settings.fail_on_severity} or above since the previous report"
    if removed:
        line += f"; removed {len(removed)} old run(s)"
    print(line, flush=True)
    if regressions is not None and settings.max_new_failures is not None and len(regressions) > settings.max_new_failures:
        for f in regressions[:20]:
            log(f"  new failure: {f['check_id']} [{f['severity']}]" + (f" on {f['target']}" if f.get("target") else ""))
        log(
            f"riskagent: regression: {len(regressions)} new failure(s) exceed schedule.max_new_failures "
            f"= {settings.max_new_failures}"
        )
        return EXIT_REGRESSION
    return 0


def _load_previous(path: Path, digest: str, private_key: Any, log: Callable[[str], None]) -> Optional[Mapping[str, Any]]:
    """The previous signed report, verified with our own key; None (with a note) if unusable."""
    from report.signing import VerificationError, key_id, report_digest, verify_envelope

    pub = private_key.public_key()
    try:
        verified = verify_envelope(path.read_bytes(), {key_id(pub): pub})
    except OSError as exc:
        log(f"note: previous report {path} is not readable ({exc.strerror}); regressions not compared")
        return None
    except VerificationError as exc:
        log(f"warning: previous report {path} does not verify ({exc}); regressions not compared")
        return None
    if report_digest(verified.report) != digest:
        log(f"warning: previous report {path} changed since it was recorded; regressions not compared")
        return None
    return verified.report
