"""Host evidence collected by child processes, started before the rest of a scan is loaded.

A scan's host collectors are Python parsing files and command output: CPU
bound, so threads in one process share one core. Forked at the start of a scan,
one child per processor (at most ``MAX_CHILDREN``) takes collectors from a
shared list, whichever is free taking the next, while the parent loads the
signing key, the questionnaire and the report templates. On a one-core gateway
this costs a fork and nothing else.

Children are also a stronger budget than threads: a collector stuck in C code
cannot be abandoned by a thread, but a process group can be killed. Each child
runs in its own process group, so the parent's overall deadline (and its exit,
however it exits) ends the child and every command it started.

The shared list is a pipe of fixed-size records written whole before the
fork: a read of one record is atomic, so no two children take the same
collector. Evidence comes back pickled: both ends are this same program image
at the same moment (a fork, not an exec), so nothing untrusted is unpickled.
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import threading
import time
from typing import Callable, Dict, List, Optional, Sequence

from collectors.evidence import ErrorReason, Evidence, EvidenceStatus, utc_now

GRACE_S = 5.0  # past the scan's deadline: the children's own budgets have already recorded the overruns
MAX_CHILDREN = 4
MAX_EVIDENCE_BYTES = 256 * 1024 * 1024  # a child that says more than this is broken, not verbose
RECORD = 64  # bytes per collector name in the shared list (names are short ASCII)
MAX_NAMES = 4096 // RECORD  # the whole list fits in PIPE_BUF (4096 on Linux, the POSIX minimum 512 elsewhere)

Collect = Callable[[Callable[[], Optional[str]]], List[Evidence]]


def child_count() -> int:
    """One child per processor this process may run on, at most ``MAX_CHILDREN``."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return max(1, min(MAX_CHILDREN, cpus))


class _SharedList:
    """The read end of the list of collector names; safe to take from in several threads and processes."""

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._lock = threading.Lock()

    def take(self) -> Optional[str]:
        with self._lock:
            record = os.read(self._fd, RECORD)
        return record.rstrip(b"\0").decode("ascii") if record else None


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _child(collect: Collect, names_fd: int, out_fd: int) -> None:
    """The body of one child: never returns."""
    code = 0
    try:
        os.setpgid(0, 0)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when the collection ends
        try:
            payload = pickle.dumps(("ok", collect(_SharedList(names_fd).take)), protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException as exc:
            payload = pickle.dumps(("failed", f"{type(exc).__name__}: {exc}"))
        _write_all(out_fd, payload)
    except BaseException:
        code = 1
    finally:
        os._exit(code)


class HostCollection:
    """One forked collection; ``result`` waits for it, ``close`` ends it (idempotent)."""

    def __init__(self, names: Sequence[str], target: str, deadline: Optional[float]) -> None:
        self.names = tuple(names)
        self.target = target
        self.deadline = deadline
        self.started_at = utc_now()
        self.started = time.monotonic()
        self._children: Dict[int, int] = {}  # pid -> read end of its evidence pipe
        self._evidence: Optional[List[Evidence]] = None

    @classmethod
    def start(cls, collect: Collect, names: Sequence[str], target: str, deadline: Optional[float], children: int = 0) -> HostCollection:
        """Fork children that run ``collect(take)`` over ``names`` and send their evidence back."""
        if len(names) > MAX_NAMES or any(len(n.encode("ascii")) > RECORD for n in names):
            raise ValueError("the collector list does not fit one atomic pipe write")
        self = cls(names, target, deadline)
        names_r, names_w = os.pipe()
        try:
            # One write, within PIPE_BUF, before any child exists: every record is whole when a child reads it.
            _write_all(names_w, b"".join(n.encode("ascii").ljust(RECORD, b"\0") for n in names))
        finally:
            os.close(names_w)
        try:
            for _ in range(children or child_count()):
                out_r, out_w = os.pipe()
                pid = os.fork()
                if pid == 0:
                    os.close(out_r)
                    for fd in self._children.values():
                        os.close(fd)
                    _child(collect, names_r, out_w)
                os.close(out_w)
                self._children[pid] = out_r
                try:
                    os.setpgid(pid, pid)  # also set here: whichever runs first, the group exists before any kill
                except OSError:
                    pass
        except BaseException:
            self.close()
            raise
        finally:
            os.close(names_r)
        return self

    def result(self) -> List[Evidence]:
        """Every collector's evidence, in name order; a collector whose child failed or overran is an ``error``."""
        if self._evidence is not None:
            return self._evidence
        buffers: Dict[int, List[bytes]] = {fd: [] for fd in self._children.values()}
        open_fds = set(buffers)
        size = 0
        why: Optional[str] = None
        limit = None if self.deadline is None else self.deadline + GRACE_S
        while open_fds:
            wait = None if limit is None else max(0.0, limit - time.monotonic())
            ready, _, _ = select.select(sorted(open_fds), [], [], wait)
            if not ready:
                why = "time budget exceeded: the host collection did not finish within the scan's overall budget"
                break
            for fd in ready:
                chunk = os.read(fd, 1 << 20)
                if not chunk:
                    open_fds.discard(fd)
                    continue
                size += len(chunk)
                buffers[fd].append(chunk)
            if size > MAX_EVIDENCE_BYTES:
                why = "the host collection sent more evidence than any host has"
                break
        self.close()
        got: Dict[str, Evidence] = {}
        failure: Optional[str] = why
        if why is None:
            for parts in buffers.values():
                try:
                    state, value = pickle.loads(b"".join(parts))  # noqa: S301 - our own fork, see the module docstring
                except Exception:
                    state, value = "failed", "a collection process ended before it sent its evidence"
                if state == "ok":
                    got.update((e.collector, e) for e in value)
                else:
                    failure = f"the host collection failed: {value}"
        reason = ErrorReason.TIMEOUT if (failure or "").startswith("time budget") else ErrorReason.BUG
        self._evidence = [
            got.get(n)
            or Evidence(
                collector=n,
                target=self.target,
                status=EvidenceStatus.ERROR,
                reason=failure or "a collection process ended before it sent its evidence",
                error_reason=reason,
                collected_at=utc_now(),
            )
            for n in sorted(self.names)
        ]
        return self._evidence

    def close(self) -> None:
        """Stop the children and whatever they started, and reap them."""
        for pid, fd in self._children.items():
            os.close(fd)
            try:
                os.killpg(pid, signal.SIGKILL)
            except OSError:
                pass
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
        self._children = {}

    def __enter__(self) -> HostCollection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
