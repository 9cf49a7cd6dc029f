"""The world a host collector sees: a root directory, a runner, a process view.

Production passes ``/``, the system runner and psutil; tests pass a fixture
tree, recorded command outputs and a recorded process table; an offline-root
assessment (``scan --root PATH``: a mounted disk image or an unpacked container
image) passes the tree, a runner that runs nothing and no process view at all.
A :class:`HostReader` is handed to one collector run and logs every file and
command it touches, which becomes the evidence's provenance.
"""

from __future__ import annotations

import errno
import glob as _glob
import json
import os
import re
import stat as _stat
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional, Protocol, Sequence, Set, Tuple, TypeVar

from collectors.digest import sha256_hex
from collectors.evidence import (
    ApiSource,
    CollectError,
    CommandSource,
    ErrorReason,
    FileSource,
    Source,
)
from collectors.runner import DEFAULT_TIMEOUT_S, CommandResult, CommandRunner, OfflineRootRunner, is_root
from collectors.strictjson import TextEnum

T = TypeVar("T")
MAX_FILE_BYTES = 16 * 1024 * 1024


class HostMode(TextEnum):
    """How the host is looked at; collectors ask it where a running system and an image differ."""

    LIVE = "live"  # this machine, running
    REPLAY = "replay"  # a recorded host: files, command outputs and a process table captured on a real machine
    OFFLINE_ROOT = "offline-root"  # a root file system that is not running: configuration files only


OFFLINE_ROOT = HostMode.OFFLINE_ROOT.value
# Directories that hold only what a running kernel shows: in an image they are empty mount points, and a
# tree handed over with them mounted would show this machine's kernel, not the image's.
RUNTIME_TREES: Tuple[str, ...] = ("proc", "sys")


def runtime_only(what: str) -> str:
    """The reason for what an offline-root assessment cannot see: it starts with ``offline-root:``, which the
    report's banner and ``verify`` look for."""
    return f"{OFFLINE_ROOT}: {what} exists only on a running system; a root file system has none"


@dataclass(frozen=True)
class FileStat:
    """The parts of ``stat`` the checks care about."""

    mode: int  # permission bits only, e.g. 0o640
    uid: int
    gid: int
    is_dir: bool = False
    is_symlink: bool = False
    size: int = 0
    mtime: int = 0

    def to_json(self) -> Dict[str, Any]:
        return {
            "mode": format(self.mode, "04o"),
            "uid": self.uid,
            "gid": self.gid,
            "is_dir": self.is_dir,
            "size": self.size,
            "mtime": self.mtime,
        }


@dataclass(frozen=True)
class ProcessInfo:
    """A running process, reduced: never its command line (it may hold secrets).

    ``ppid`` and ``started`` (epoch seconds) tell a server's master from its
    workers and a parent from an unrelated process that reused its pid; they
    are None where not recorded.
    """

    pid: int
    name: str
    user: Optional[str]
    exe: Optional[str] = None
    ppid: Optional[int] = None
    started: Optional[int] = None


def process_order(p: ProcessInfo) -> Tuple[int, int, str, str, str]:
    """A total order over a process table: the same snapshot always lists in the same order.

    A pid can appear twice when it was reused while the table was being read.
    """
    return (p.pid, p.started if p.started is not None else -1, p.name, p.user or "", p.exe or "")


def without_own_tree(procs: Sequence[ProcessInfo], own_pid: int) -> List[ProcessInfo]:
    """The table without the commands the agent spawned (the agent itself stays: a live table is never empty).

    Those come and go while collectors run (a ``systemctl`` or ``sshd -T`` may or
    may not be alive when the table is read): judging them would make one host
    give different findings from run to run.
    """
    children: Dict[int, List[int]] = {}
    for p in procs:
        if p.ppid is not None:
            children.setdefault(p.ppid, []).append(p.pid)
    spawned: Set[int] = set()
    stack = [own_pid]
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in spawned and child != own_pid:
                spawned.add(child)
                stack.append(child)
    return [p for p in procs if p.pid not in spawned]


@dataclass(frozen=True)
class ListeningSocket:
    """A listening TCP or bound UDP socket."""

    proto: str  # tcp, tcp6, udp, udp6
    address: str
    port: int
    pid: Optional[int] = None
    process: Optional[str] = None
    user: Optional[str] = None


class ProcessView(Protocol):
    """Source of the process table and listening sockets."""

    def processes(self) -> List[ProcessInfo]:
        """All processes visible to us."""
        ...

    def listening(self) -> List[ListeningSocket]:
        """Listening sockets, with owning process where visible."""
        ...

    def interfaces(self) -> Dict[str, List[str]]:
        """Network interfaces and their IP addresses."""
        ...


class LiveProcessView:
    """psutil on this machine (imported lazily to keep start-up fast).

    The process table is read once per assessment: every collector judges the
    same snapshot, and a scan does not walk /proc once per collector.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._processes: Optional[List[ProcessInfo]] = None

    def processes(self) -> List[ProcessInfo]:
        with self._lock:
            if self._processes is None:
                self._processes = self._read_processes()
            return list(self._processes)

    @staticmethod
    def _read_processes() -> List[ProcessInfo]:
        import psutil

        out: List[ProcessInfo] = []
        for proc in psutil.process_iter(["pid", "name", "username", "exe", "ppid", "create_time"]):
            info = proc.info
            started = info.get("create_time")
            out.append(
                ProcessInfo(
                    info["pid"],
                    info.get("name") or "",
                    info.get("username"),
                    info.get("exe"),
                    info.get("ppid"),
                    int(started) if isinstance(started, (int, float)) else None,
                )
            )
        return sorted(without_own_tree(out, os.getpid()), key=process_order)

    def interfaces(self) -> Dict[str, List[str]]:
        import socket

        import psutil

        out: Dict[str, List[str]] = {}
        for name, addrs in psutil.net_if_addrs().items():
            out[name] = [a.address.split("%")[0] for a in addrs if a.family in (socket.AF_INET, socket.AF_INET6)]
        return out

    def listening(self) -> List[ListeningSocket]:
        import socket

        import psutil

        names: Dict[int, ProcessInfo] = {p.pid: p for p in self.processes()}
        out: List[ListeningSocket] = []
        for conn in psutil.net_connections(kind="inet"):
            if conn.type == socket.SOCK_STREAM and conn.status != psutil.CONN_LISTEN:
                continue
            if conn.type == socket.SOCK_DGRAM and conn.raddr:
                continue
            if not conn.laddr:
                continue
            family = "6" if conn.family == socket.AF_INET6 else ""
            proto = ("tcp" if conn.type == socket.SOCK_STREAM else "udp") + family
            proc = names.get(conn.pid) if conn.pid else None
            out.append(
                ListeningSocket(
                    proto,
                    conn.laddr.ip,
                    conn.laddr.port,
                    conn.pid,
                    proc.name if proc else None,
                    proc.user if proc else None,
                )
            )
        return out


class RecordedProcessView:
    """A process table and socket list recorded from a real host (``system.json``)."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self._data = data

    def interfaces(self) -> Dict[str, List[str]]:
        return {str(k): [str(a) for a in v] for k, v in self._data.get("interfaces", {}).items()}

    def processes(self) -> List[ProcessInfo]:
        return [
            ProcessInfo(p["pid"], p["name"], p.get("user"), p.get("exe"), p.get("ppid"), p.get("started"))
            for p in self._data.get("processes", [])
        ]

    def listening(self) -> List[ListeningSocket]:
        return [
            ListeningSocket(s["proto"], s["address"], s["port"], s.get("pid"), s.get("process"), s.get("user"))
            for s in self._data.get("listening", [])
        ]


@dataclass
class HostContext:
    """Everything collectors need to look at one host."""

    root: Path
    runner: CommandRunner
    processes: ProcessView
    target: str
    privileged: bool
    # Recorded ownership and modes for fixture trees (git keeps neither).
    stat_overrides: Mapping[str, FileStat] = field(default_factory=dict)
    # The host's clock: None means now; a recorded host keeps the time it was recorded.
    clock: Optional[int] = None
    # Settings some collectors read (the vulnerability feeds: ``feeds_dir``, ``feeds_max_age_days``).
    options: Mapping[str, Any] = field(default_factory=dict)
    mode: HostMode = HostMode.LIVE
    # Values several collectors derive from the same reads (see HostReader.shared), with the reads behind them.
    _shared: Dict[str, Tuple[Any, Tuple[Source, ...]]] = field(default_factory=dict, repr=False)
    _shared_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def live(self) -> bool:
        return str(self.root) == "/"

    @property
    def offline_root(self) -> bool:
        """A root file system that is not running: nothing runs, no process, socket or /proc is looked at."""
        return self.mode is HostMode.OFFLINE_ROOT


def _sha256(data: bytes) -> str:
    return sha256_hex(data)


def _resolve_in_root(root: str, path: str) -> str:
    """Map a host path into a recorded tree, keeping symlinks inside it.

    Fixture trees hold absolute symlinks (systemd's ``*.wants``); followed
    naively they would lead to this machine's own files.
    """
    parts = [p for p in path.split("/") if p not in ("", ".")]
    resolved: List[str] = []
    hops = 0
    while parts:
        part = parts.pop(0)
        if part == "..":
            if resolved:
                resolved.pop()
            continue
        candidate = os.path.join(root, *resolved, part)
        if os.path.islink(candidate) and hops < 40:
            hops += 1
            target = os.readlink(candidate)
            if target.startswith("/"):
                resolved = []
            parts = [p for p in target.split("/") if p not in ("", ".")] + parts
            continue
        resolved.append(part)
    return os.path.join(root, *resolved)


def _read_capped(fh: Any) -> bytes:
    # Chunked: procfs rejects very large single reads (ENOMEM).
    chunks: List[bytes] = []
    total = 0
    while total <= MAX_FILE_BYTES:
        chunk = fh.read(65536)
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def _reason_for(exc: OSError) -> ErrorReason:
    if exc.errno in (errno.EACCES, errno.EPERM):
        return ErrorReason.PERMISSION_DENIED
    if exc.errno in (errno.ENOENT, errno.ENOTDIR):
        return ErrorReason.NOT_FOUND
    return ErrorReason.MALFORMED


class HostReader:
    """Read-only access to one host for one collector run, logging provenance."""

    def __init__(self, ctx: HostContext) -> None:
        self.ctx = ctx
        self.sources: List[Source] = []
        # Paths looked at without reading them (stat, listdir, exists); the
        # host recorder uses this to capture a fixture of a real machine.
        self.touched: List[str] = []

    def shared(self, key: str, compute: Callable[[HostReader], T]) -> T:
        """A value several collectors derive from the same reads, computed once per assessment.

        Each caller's provenance still lists the reads the value rests on. A
        computation that raises is not kept: the next caller tries again.
        """
        with self.ctx._shared_lock:
            entry = self.ctx._shared.get(key)
            if entry is None:
                reader = HostReader(self.ctx)
                value = compute(reader)
                entry = (value, tuple(reader.sources))
                self.ctx._shared[key] = entry
        self.sources.extend(entry[1])
        result: T = entry[0]
        return result

    def now(self) -> int:
        """Current time on the assessed host, epoch seconds (fixed for recorded hosts)."""
        return self.ctx.clock if self.ctx.clock is not None else int(time.time())

    @property
    def offline_root(self) -> bool:
        """Whether this is an offline-root assessment (collectors take their file-only path)."""
        return self.ctx.offline_root

    # -- paths ---------------------------------------------------------------
    def _real(self, path: str) -> str:
        if not path.startswith("/"):
            raise ValueError(f"host paths are absolute: {path!r}")
        if self.ctx.live:
            return path
        return _resolve_in_root(str(self.ctx.root), path)

    def _real_link(self, path: str) -> str:
        """Like :meth:`_real`, but the last component itself is not followed."""
        if self.ctx.live:
            return path
        parent, _, name = path.rstrip("/").rpartition("/")
        return os.path.join(_resolve_in_root(str(self.ctx.root), parent or "/"), name)

    def _host_path(self, real: str) -> str:
        if self.ctx.live:
            return real
        rel = os.path.relpath(real, str(self.ctx.root))
        return "/" + rel.replace(os.sep, "/")

    def _blocked(self, real: str, *, follow: bool = True) -> bool:
        """offline-root: a path in /proc or /sys, or one whose links lead out of the image, is treated as absent.

        Links inside the tree are resolved within it; a chain too long for that would otherwise be followed
        by the kernel, out of the image and into this machine. ``follow=False``: the last component itself
        is not followed (stat and readlink of a link).
        """
        if not self.ctx.offline_root:
            return False
        if follow:
            actual = os.path.realpath(real)
        else:
            parent, name = os.path.split(real)
            actual = os.path.join(os.path.realpath(parent), name)
        rel = os.path.relpath(actual, str(self.ctx.root))
        top = rel.split(os.sep, 1)[0]
        return top == ".." or top in RUNTIME_TREES

    # -- files -----------------------------------------------------------------
    def read_bytes(self, path: str, *, required: bool = False, digest: bool = True) -> Optional[bytes]:
        """Read a file; ``None`` if it does not exist.

        Raises :class:`CollectError` when it exists but cannot be read, or when
        ``required`` and it is missing. ``digest=False`` leaves the content's
        sha256 out of the provenance (for identifiers that must not be linkable).
        """
        real = self._real(path)
        self._simulate_unprivileged(path)
        if self._blocked(real):
            if required:
                msg = f"cannot read {path}: not part of the root file system ({OFFLINE_ROOT})"
                self.sources.append(FileSource(path, error=msg))
                raise CollectError(ErrorReason.NOT_FOUND, msg)
            return None
        try:
            # O_NONBLOCK: a FIFO planted where a config file should be must not hang the scan.
            fd = os.open(real, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
            if not _stat.S_ISREG(os.fstat(fd).st_mode):
                os.close(fd)
                msg = f"cannot read {path}: not a regular file"
                self.sources.append(FileSource(path, error=msg))
                raise CollectError(ErrorReason.MALFORMED, msg)
            with os.fdopen(fd, "rb") as fh:
                data = _read_capped(fh)
        except OSError as exc:
            reason = _reason_for(exc)
            if reason is ErrorReason.NOT_FOUND and not required:
                return None
            msg = f"cannot read {path}: {exc.strerror or exc}"
            self.sources.append(FileSource(path, error=msg))
            raise CollectError(reason, msg) from exc
        if len(data) > MAX_FILE_BYTES:
            msg = f"{path} is larger than {MAX_FILE_BYTES} bytes; refusing to parse it"
            self.sources.append(FileSource(path, error=msg))
            raise CollectError(ErrorReason.MALFORMED, msg)
        self.sources.append(FileSource(path, _sha256(data) if digest else None))
        return data

    def _simulate_unprivileged(self, path: str) -> None:
        """On a fixture tree read as a non-root user, honour the recorded modes."""
        if self.ctx.live or self.ctx.privileged:
            return
        st = self.ctx.stat_overrides.get(path)
        if st is not None and st.uid == 0 and not st.mode & 0o004:
            msg = f"cannot read {path}: Permission denied"
            self.sources.append(FileSource(path, error=msg))
            raise CollectError(ErrorReason.PERMISSION_DENIED, msg)

    def read_text(self, path: str, *, required: bool = False, allow_binary: bool = False) -> Optional[str]:
        """Read a text file; binary content (NUL bytes) is reported as malformed."""
        data = self.read_bytes(path, required=required)
        if data is None:
            return None
        if not allow_binary and b"\x00" in data:
            raise CollectError(ErrorReason.MALFORMED, f"{path} contains binary data (NUL bytes); not a text configuration file")
        return data.decode("utf-8", "replace")

    def exists(self, path: str) -> bool:
        self.touched.append(path)
        real = self._real(path)
        return os.path.lexists(real) and not self._blocked(real, follow=False)

    def is_dir(self, path: str) -> bool:
        self.touched.append(path)
        real = self._real(path)
        return os.path.isdir(real) and not self._blocked(real)

    def glob(self, pattern: str) -> List[str]:
        """Host paths matching ``pattern``, sorted (lexical order, as sshd and systemd use)."""
        matches = sorted(self._host_path(m) for m in _glob.glob(self._real(pattern)) if not self._blocked(m, follow=False))
        self.touched.extend(matches)
        return matches

    def listdir(self, path: str) -> List[str]:
        """Entries of a directory; empty if it does not exist."""
        self.touched.append(path)
        real = self._real(path)
        if self._blocked(real):
            return []
        try:
            return sorted(os.listdir(real))
        except FileNotFoundError:
            return []
        except OSError as exc:
            msg = f"cannot list {path}: {exc.strerror or exc}"
            self.sources.append(FileSource(path, error=msg))
            raise CollectError(_reason_for(exc), msg) from exc

    def _simulate_unprivileged_search(self, path: str) -> None:
        """On a fixture tree read as a non-root user, a root-owned directory without o+x hides what is inside.

        stat(2) needs search permission on every directory above the path: an
        unprivileged scan of a RHEL host cannot stat /boot/grub2/grub.cfg when
        /boot/grub2 is 0700.
        """
        if self.ctx.live or self.ctx.privileged:
            return
        parts = [p for p in path.split("/") if p]
        for i in range(1, len(parts)):
            parent = "/" + "/".join(parts[:i])
            st = self.ctx.stat_overrides.get(parent)
            if st is not None and st.uid == 0 and not st.mode & 0o001:
                raise CollectError(ErrorReason.PERMISSION_DENIED, f"cannot stat {path}: Permission denied")

    def stat(self, path: str) -> Optional[FileStat]:
        """Ownership and mode of a path; ``None`` if it does not exist."""
        self.touched.append(path)
        self._simulate_unprivileged_search(path)
        if path in self.ctx.stat_overrides:
            return self.ctx.stat_overrides[path]
        real = self._real_link(path)
        if self._blocked(real, follow=False):
            return None
        try:
            st = os.lstat(real)
        except FileNotFoundError:
            return None
        except OSError as exc:
            msg = f"cannot stat {path}: {exc.strerror or exc}"
            raise CollectError(_reason_for(exc), msg) from exc
        return FileStat(
            mode=_stat.S_IMODE(st.st_mode),
            uid=st.st_uid,
            gid=st.st_gid,
            is_dir=_stat.S_ISDIR(st.st_mode),
            is_symlink=_stat.S_ISLNK(st.st_mode),
            size=st.st_size,
            mtime=int(st.st_mtime),
        )

    def readlink(self, path: str) -> Optional[str]:
        self.touched.append(path)
        real = self._real_link(path)
        if self._blocked(real, follow=False):
            return None
        try:
            return os.readlink(real)
        except OSError:
            return None

    # -- commands ------------------------------------------------------------
    def run(self, argv: Sequence[str], timeout: float = DEFAULT_TIMEOUT_S) -> CommandResult:
        """Run an allow-listed command and log it as a source.

        Output cut at the size limit is an error here, so no collector ever
        parses a partial answer as if it were complete.
        """
        result = self.ctx.runner.run(argv, timeout)
        digest = result.sha256 or _sha256(result.stdout.encode()) if result.error is None else None
        error = result.error
        if result.truncated:
            error = f"output larger than the {MAX_FILE_BYTES // (1024 * 1024)} MiB limit; not parsed"
        self.sources.append(CommandSource(tuple(argv), result.exit_code, digest, error))
        if result.truncated:
            raise CollectError(ErrorReason.MALFORMED, f"{' '.join(argv)}: {error}")
        return result

    def stream(self, argv: Sequence[str], sink: Callable[[bytes], None], timeout: float = DEFAULT_TIMEOUT_S) -> CommandResult:
        """``run`` for large outputs: ``sink`` gets the output in chunks and nothing keeps all of it."""
        result = self.ctx.runner.stream(argv, sink, timeout)
        error = result.error
        if result.truncated:
            error = f"output larger than the {MAX_FILE_BYTES // (1024 * 1024)} MiB limit; not parsed"
        self.sources.append(CommandSource(tuple(argv), result.exit_code, result.sha256 if result.error is None else None, error))
        if result.truncated:
            raise CollectError(ErrorReason.MALFORMED, f"{' '.join(argv)}: {error}")
        return result

    # -- processes -----------------------------------------------------------
    def _not_in_image(self, api: str) -> CollectError:
        """offline-root: there is no process, socket or interface view; the source says so."""
        msg = runtime_only(f"the {api}")
        self.sources.append(ApiSource(api, error=msg))
        return CollectError(ErrorReason.UNSUPPORTED, msg)

    def processes(self) -> List[ProcessInfo]:
        if self.ctx.offline_root:
            raise self._not_in_image("process table")
        self.sources.append(ApiSource("process table"))
        try:
            return self.ctx.processes.processes()
        except Exception as exc:  # psutil raises its own types
            raise CollectError(ErrorReason.PERMISSION_DENIED, f"cannot list processes: {exc}") from exc

    def interfaces(self) -> Dict[str, List[str]]:
        if self.ctx.offline_root:
            raise self._not_in_image("network interfaces")
        self.sources.append(ApiSource("network interfaces"))
        try:
            return self.ctx.processes.interfaces()
        except Exception as exc:
            raise CollectError(ErrorReason.PERMISSION_DENIED, f"cannot list network interfaces: {exc}") from exc

    def listening(self) -> List[ListeningSocket]:
        if self.ctx.offline_root:
            raise self._not_in_image("listening sockets")
        self.sources.append(ApiSource("listening sockets"))
        try:
            return self.ctx.processes.listening()
        except Exception as exc:
            raise CollectError(ErrorReason.PERMISSION_DENIED, f"cannot list sockets: {exc}") from exc


def load_fixture_context(fixture_dir: Path, *, privileged: bool = True) -> HostContext:
    """Build a context from ``tests/fixtures/hosts/<name>``-style directories.

    ``root/`` is the file tree, ``commands/`` the recorded command outputs,
    ``system.json`` the recorded process table and sockets, ``stat.json`` the
    recorded ownership and modes.
    """
    from collectors.runner import RecordedRunner

    system_path = fixture_dir / "system.json"
    system = json.loads(system_path.read_text()) if system_path.exists() else {}
    overrides: Dict[str, FileStat] = {}
    # stat/*.json: recorded ownership and modes, one file per area, merged.
    for stat_path in sorted((fixture_dir / "stat").glob("*.json")):
        for path, st in json.loads(stat_path.read_text()).items():
            overrides[path] = FileStat(
                mode=int(st["mode"], 8),
                uid=int(st.get("uid", 0)),
                gid=int(st.get("gid", 0)),
                is_dir=bool(st.get("is_dir", False)),
                is_symlink=bool(st.get("is_symlink", False)),
                size=int(st.get("size", 0)),
                mtime=int(st.get("mtime", 0)),
            )
    return HostContext(
        root=fixture_dir / "root",
        runner=RecordedRunner(fixture_dir / "commands", privileged=privileged),
        processes=RecordedProcessView(system),
        target=str(system.get("hostname", fixture_dir.name)),
        privileged=privileged,
        stat_overrides=overrides,
        clock=_recorded_clock(system.get("recorded_at")),
        mode=HostMode.REPLAY,
    )


def _recorded_clock(value: Any) -> Optional[int]:
    """Epoch seconds from ``recorded_at`` (ISO 8601 UTC or an integer)."""
    if value is None:
        return None
    if isinstance(value, int):
        return value
    import datetime as _dt

    return int(_dt.datetime.strptime(str(value), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=_dt.timezone.utc).timestamp())


# -- offline root ----------------------------------------------------------------


class OfflineRootView:
    """The process view of a root file system that is not running: there is none.

    HostReader refuses these calls itself in offline-root mode; reaching this is a bug.
    """

    def processes(self) -> List[ProcessInfo]:
        raise RuntimeError(runtime_only("the process table"))

    def listening(self) -> List[ListeningSocket]:
        raise RuntimeError(runtime_only("the socket table"))

    def interfaces(self) -> Dict[str, List[str]]:
        raise RuntimeError(runtime_only("the network interface list"))


_HOST_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,252}")


def offline_root_problem(path: Path) -> Optional[str]:
    """Why ``path`` cannot be assessed as an offline root file system (None: it can)."""
    if not path.is_dir():
        return f"{path} is not a directory"
    if os.path.realpath(path) == "/":
        return f"{path} is this machine's own root file system: assess it live, without --root"
    if not (path / "etc").is_dir():
        return f"{path} does not look like a root file system: it has no etc/ directory"
    return None


def offline_root_context(path: Path, *, options: Optional[Mapping[str, Any]] = None) -> HostContext:
    """The context of an offline-root assessment of the root file system at ``path``.

    Files are read from ``path`` (links resolved inside it, /proc and /sys treated as absent), no command is
    run, and there is no process, socket or interface view. The host name is the image's /etc/hostname, not
    this machine's. Raises ValueError when ``path`` is not a root file system (:func:`offline_root_problem`).
    """
    problem = offline_root_problem(path)
    if problem is not None:
        raise ValueError(problem)
    root = Path(os.path.realpath(path))
    ctx = HostContext(
        root=root,
        runner=OfflineRootRunner(),
        processes=OfflineRootView(),
        target="",
        privileged=is_root(),
        options=dict(options or {}),
        mode=HostMode.OFFLINE_ROOT,
    )
    ctx.target = _image_host_name(ctx) or (root.name if _HOST_NAME.fullmatch(root.name) else OFFLINE_ROOT)
    return ctx


def _image_host_name(ctx: HostContext) -> Optional[str]:
    """The first line of the image's /etc/hostname, if it is a host name (it names the report's subject)."""
    try:
        text = HostReader(ctx).read_text("/etc/hostname")
    except CollectError:
        return None
    name = (text or "").strip().split("\n", 1)[0].strip()
    return name if _HOST_NAME.fullmatch(name) else None
