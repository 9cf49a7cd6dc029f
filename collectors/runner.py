"""Running read-only commands, live or from a recording.

Collectors never spawn processes themselves: they ask a runner. The live
runner only runs argv vectors on a fixed allow-list, each with a timeout and a
neutral locale; the recorded runner replays outputs captured on a real host,
so tests and fixture hosts go through the very same parsing code.
"""

from __future__ import annotations

import os
import re
import selectors
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, FrozenSet, Optional, Protocol, Sequence, Tuple

from collectors.digest import sha256, sha256_hex

# Every command a collector may run. Exact argv vectors: nothing here takes
# user input, and nothing here changes the system.
ALLOWED_COMMANDS: FrozenSet[Tuple[str, ...]] = frozenset(
    {
        ("sshd", "-T"),
        ("sshd", "-T", "-C", "user=riskagent-probe,host=riskagent-probe,addr=192.0.2.1"),
        ("systemctl", "list-unit-files", "--no-legend", "--no-pager", "--plain"),
        ("systemctl", "list-units", "--no-legend", "--no-pager", "--plain", "--all"),
        ("systemctl", "list-timers", "--all", "--no-legend", "--no-pager"),
        ("nft", "list", "ruleset"),
        # snapshot: the last day of the journal, and rpm's verification of installed files (both read-only)
        ("journalctl", "--no-pager", "--quiet", "--utc", "--output=short-iso", "--since=-24h", "--lines=10000"),
        ("rpm", "-Va"),
        ("iptables", "-S"),
        ("ip6tables", "-S"),
        ("ufw", "status", "verbose"),
        ("firewall-cmd", "--state"),
        ("firewall-cmd", "--get-default-zone"),
        ("firewall-cmd", "--get-active-zones"),
        ("firewall-cmd", "--list-all-zones"),
        ("auditctl", "-s"),
        ("auditctl", "-l"),
        ("chronyc", "-n", "tracking"),
        ("timedatectl", "show"),
        ("journalctl", "--disk-usage"),
        ("rpm", "-qa", "--qf", "%{NAME} %{VERSION}-%{RELEASE}\\n"),
        ("sestatus",),
        ("aa-status", "--enabled"),
        ("mokutil", "--sb-state"),
        ("systemd-detect-virt",),
        ("systemd-detect-virt", "--container"),
    }
)

# Commands that take exactly one path argument, confined to one directory.
ALLOWED_PATH_COMMANDS: Dict[Tuple[str, ...], str] = {("apt-helper", "cat-file"): "/var/lib/apt/lists/"}
_SAFE_PATH = re.compile(r"[A-Za-z0-9_./:~+=-]+")

# Commands that only give a full answer to root. A recorded host replayed as
# an unprivileged user answers these the way the real tools do: refused.
ROOT_ONLY_COMMANDS: FrozenSet[str] = frozenset(
    {"auditctl", "sshd", "aa-status", "nft", "iptables", "ip6tables", "ufw", "firewall-cmd"}
)

# The error of a command that could not be found. A command that is not available says
# nothing about whether the software behind it is installed (an offline tree, a
# recording without it, another search path): collectors must not read it as "absent".
NOT_AVAILABLE = "command not available"

DEFAULT_TIMEOUT_S = 10.0
MAX_OUTPUT_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class CommandResult:
    """What a command printed. ``error`` is set when it could not run at all."""

    argv: Tuple[str, ...]
    exit_code: Optional[int]
    stdout: str
    stderr: str = ""
    error: Optional[str] = None
    missing: bool = False
    timed_out: bool = False
    truncated: bool = False  # output exceeded MAX_OUTPUT_BYTES and was cut: never parse it as complete
    sha256: Optional[str] = None  # of the bytes the command wrote to stdout, as it wrote them
    refused: bool = False  # not run by design (offline-root): says nothing about whether the program is installed


class CommandRunner(Protocol):
    """Anything that can run an allow-listed argv and return its output."""

    def run(self, argv: Sequence[str], timeout: float = DEFAULT_TIMEOUT_S) -> CommandResult:
        """Run ``argv`` (which must be allow-listed)."""
        ...

    def stream(self, argv: Sequence[str], sink: Callable[[bytes], None], timeout: float = DEFAULT_TIMEOUT_S) -> CommandResult:
        """Run ``argv`` and hand its standard output to ``sink`` chunk by chunk, never holding all of it.

        The result's ``stdout`` is empty; its ``sha256`` covers everything the command wrote.
        """
        ...


class CommandNotAllowed(ValueError):
    """A collector asked for a command outside the allow-list (a bug)."""


def _check_allowed(argv: Sequence[str]) -> Tuple[str, ...]:
    key = tuple(argv)
    prefix = ALLOWED_PATH_COMMANDS.get(key[:-1]) if len(key) > 1 else None
    if prefix is not None:
        path = key[-1]
        if path.startswith(prefix) and ".." not in path and _SAFE_PATH.fullmatch(path):
            return key
    if key not in ALLOWED_COMMANDS:
        raise CommandNotAllowed(f"command not on the read-only allow-list: {' '.join(key)}")
    return key


_SEARCH_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/usr/lib/apt"


class SystemRunner:
    """Runs allow-listed commands on this machine with a timeout."""

    def run(self, argv: Sequence[str], timeout: float = DEFAULT_TIMEOUT_S) -> CommandResult:
        key = _check_allowed(argv)
        exe = shutil.which(key[0], path=_SEARCH_PATH)
        if exe is None:
            return CommandResult(key, None, "", error=f"{key[0]}: {NOT_AVAILABLE} (not on the search path)", missing=True)
        env = {"LC_ALL": "C", "LANG": "C", "PATH": _SEARCH_PATH, "SYSTEMD_PAGER": "", "SYSTEMD_COLORS": "0"}
        try:
            proc = subprocess.run(
                [exe, *key[1:]],
                stdin=subprocess.DEVNULL,
                capture_output=True,
                timeout=timeout,
                env=env,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return CommandResult(key, None, "", error=f"timed out after {timeout:g} s", timed_out=True)
        except OSError as exc:
            return CommandResult(key, None, "", error=f"could not run {key[0]}: {exc.strerror}")
        truncated = len(proc.stdout) > MAX_OUTPUT_BYTES
        digest = sha256_hex(proc.stdout)
        out = proc.stdout[:MAX_OUTPUT_BYTES].decode("utf-8", "replace")
        err = proc.stderr[:MAX_OUTPUT_BYTES].decode("utf-8", "replace")
        return CommandResult(key, proc.returncode, out, err, truncated=truncated, sha256=digest)

    def stream(self, argv: Sequence[str], sink: Callable[[bytes], None], timeout: float = DEFAULT_TIMEOUT_S) -> CommandResult:
        """Like ``run``, with the output handed to ``sink`` as it arrives; the whole run has one deadline."""
        key = _check_allowed(argv)
        exe = shutil.which(key[0], path=_SEARCH_PATH)
        if exe is None:
            return CommandResult(key, None, "", error=f"{key[0]}: {NOT_AVAILABLE} (not on the search path)", missing=True)
        env = {"LC_ALL": "C", "LANG": "C", "PATH": _SEARCH_PATH, "SYSTEMD_PAGER": "", "SYSTEMD_COLORS": "0"}
        try:
            proc = subprocess.Popen(
                [exe, *key[1:]], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
            )
        except OSError as exc:
            return CommandResult(key, None, "", error=f"could not run {key[0]}: {exc.strerror}")
        deadline = time.monotonic() + timeout
        digest = sha256()
        written = 0
        err = bytearray()
        assert proc.stdout is not None and proc.stderr is not None  # both are pipes
        with proc, selectors.DefaultSelector() as sel:
            sel.register(proc.stdout, selectors.EVENT_READ)
            sel.register(proc.stderr, selectors.EVENT_READ)
            while sel.get_map():
                left = deadline - time.monotonic()
                if left <= 0:
                    proc.kill()
                    return CommandResult(key, None, "", error=f"timed out after {timeout:g} s", timed_out=True)
                for ready, _events in sel.select(left):
                    chunk = os.read(ready.fd, 65536)
                    if not chunk:
                        sel.unregister(ready.fileobj)
                    elif ready.fileobj is proc.stdout:
                        written += len(chunk)
                        if written > MAX_OUTPUT_BYTES:
                            proc.kill()
                            return CommandResult(key, None, "", truncated=True, sha256=digest.hexdigest())
                        digest.update(chunk)
                        sink(chunk)
                    elif len(err) < MAX_OUTPUT_BYTES:
                        err += chunk
            try:
                code = proc.wait(max(deadline - time.monotonic(), 0.001))
            except subprocess.TimeoutExpired:
                proc.kill()
                return CommandResult(key, None, "", error=f"timed out after {timeout:g} s", timed_out=True)
        return CommandResult(key, code, "", bytes(err).decode("utf-8", "replace"), sha256=digest.hexdigest())


def recording_name(argv: Sequence[str]) -> str:
    """File name under which a command's output is recorded in a fixture."""
    joined = "_".join(argv)
    return re.sub(r"[^A-Za-z0-9_.=-]+", "-", joined)[:150]


class RecordedRunner:
    """Replays command outputs recorded from a real host.

    Layout: ``<dir>/<recording_name>.out`` (stdout), optional ``.err`` and
    ``.rc`` (exit code, default 0). A command with no recording is not available
    on that host, as a command missing from the search path is on a live one.
    """

    def __init__(self, directory: Path, *, privileged: bool = True) -> None:
        self.directory = directory
        self.privileged = privileged

    def run(self, argv: Sequence[str], timeout: float = DEFAULT_TIMEOUT_S) -> CommandResult:
        key = _check_allowed(argv)
        base = self.directory / recording_name(key)
        out_path = base.with_name(base.name + ".out")
        if not out_path.exists():
            return CommandResult(key, None, "", error=f"{key[0]}: {NOT_AVAILABLE} (not recorded on this host)", missing=True)
        if not self.privileged and key[0] in ROOT_ONLY_COMMANDS:
            return CommandResult(key, 1, "", f"{key[0]}: Operation not permitted (requires root)")
        rc_path = base.with_name(base.name + ".rc")
        err_path = base.with_name(base.name + ".err")
        rc_text = rc_path.read_text().strip() if rc_path.exists() else "0"
        if rc_text == "timeout":
            return CommandResult(key, None, "", error=f"timed out after {timeout:g} s", timed_out=True)
        stderr = err_path.read_text(errors="replace") if err_path.exists() else ""
        raw = out_path.read_bytes()
        return CommandResult(key, int(rc_text), raw.decode("utf-8", "replace"), stderr, sha256=sha256_hex(raw))

    def stream(self, argv: Sequence[str], sink: Callable[[bytes], None], timeout: float = DEFAULT_TIMEOUT_S) -> CommandResult:
        """The recorded output handed to ``sink`` in chunks, as a live command's would be."""
        result = self.run(argv, timeout)
        if result.error is not None or result.exit_code is None:
            return result
        data = result.stdout.encode("utf-8")
        for start in range(0, len(data), 65536):
            sink(data[start : start + 65536])
        return CommandResult(result.argv, result.exit_code, "", result.stderr, sha256=result.sha256)


# Why no command runs in offline-root mode: a program of the image would run on this machine, with its
# libraries and configuration, and report this machine's kernel, not the image's configuration.
OFFLINE_ROOT_REFUSAL = "offline-root: commands are not run from the image"


class OfflineRootRunner:
    """The runner of an offline-root assessment: it refuses every command, allow-listed or not.

    The refusal is ``refused``, never ``missing``: a collector must not read it as "not installed".
    Collectors ask the context's mode and do not call it; this is the net under them.
    """

    def run(self, argv: Sequence[str], timeout: float = DEFAULT_TIMEOUT_S) -> CommandResult:
        return CommandResult(_check_allowed(argv), None, "", error=OFFLINE_ROOT_REFUSAL, refused=True)

    def stream(self, argv: Sequence[str], sink: Callable[[bytes], None], timeout: float = DEFAULT_TIMEOUT_S) -> CommandResult:
        return self.run(argv, timeout)


def is_root() -> bool:
    """Whether this process has root privileges."""
    return hasattr(os, "geteuid") and os.geteuid() == 0
