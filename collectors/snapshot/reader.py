"""Reading a host for a forensic snapshot: bounded, streamed, and without touching access times.

A triage collection must not change what it preserves. Every file and
directory is opened with ``O_NOATIME`` where the kernel allows it (root, or
the file's owner; otherwise ``EPERM``, and the read falls back to a plain
open and is counted), directories are listed through such a descriptor, and
nothing is ever written. Large files are hashed in chunks and never held
whole; the same file reached twice (an executable run by many processes) is
hashed once. Paths are host paths: on a recorded tree they map into its
root as :class:`collectors.context.HostReader` maps them; in offline-root
mode (a mounted image) every path is resolved inside the image by
descriptor (:mod:`collectors.snapshot.confined`), so no link in the image
leads to this machine's files, and no command is run.
"""

from __future__ import annotations

import errno
import os
import stat as _stat
import time
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple

from collectors.context import OFFLINE_ROOT, RUNTIME_TREES, HostContext, HostReader
from collectors.evidence import CollectError, ErrorReason
from collectors.runner import DEFAULT_TIMEOUT_S, CommandResult
from collectors.snapshot.confined import ConfinedRoot

O_NOATIME = getattr(os, "O_NOATIME", 0)
_BASE_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
CHUNK = 1 << 20
MAX_HASH_BYTES = 1 << 30  # a file larger than this is listed with its size, not hashed
MAX_DIR_ENTRIES = 100_000  # of one directory, in a walk: a million files in /var/tmp must not take the memory
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
# Why an offline-root snapshot runs nothing: a program of the image, or this machine's own, would report this
# machine (its journal, its package database, its units), not the image.
NO_COMMAND = f"{OFFLINE_ROOT}: not run: no command is run over a root file system (it would report this machine, not the image)"


def _kind(mode: int) -> str:
    for test, name in (
        (_stat.S_ISREG, "file"),
        (_stat.S_ISDIR, "dir"),
        (_stat.S_ISLNK, "symlink"),
        (_stat.S_ISFIFO, "fifo"),
        (_stat.S_ISSOCK, "socket"),
        (_stat.S_ISCHR, "char_device"),
        (_stat.S_ISBLK, "block_device"),
    ):
        if test(mode):
            return name
    return "other"


@dataclass(frozen=True)
class FileMeta:
    """What ``lstat`` says about a path (recorded ownership and modes win on a recorded tree)."""

    kind: str  # file, dir, symlink, fifo, socket, char_device, block_device
    mode: int  # permission and set-id bits
    uid: int
    gid: int
    size: int
    mtime_ns: int
    ctime_ns: int

    @property
    def setid(self) -> bool:
        return self.kind == "file" and bool(self.mode & (_stat.S_ISUID | _stat.S_ISGID))

    def record(self) -> Dict[str, Any]:
        return {
            "type": self.kind,
            "mode": format(self.mode & 0o7777, "04o"),
            "uid": self.uid,
            "gid": self.gid,
            "size": self.size,
            "mtime_ns": self.mtime_ns,
            "ctime_ns": self.ctime_ns,
        }


@dataclass(frozen=True)
class Digest:
    sha256: str
    size: int
    md5: Optional[str] = None


@dataclass(frozen=True)
class Read:
    """The first ``limit`` bytes of a regular file, the sha256 of all of it, and its metadata."""

    data: bytes
    truncated: bool
    sha256: str
    meta: FileMeta


def _hasher(name: str) -> Any:
    """A streaming hash; cryptography's OpenSSL (loaded anyway to sign) is several times faster than CPython's own."""
    try:
        from cryptography.hazmat.primitives import hashes

        return _CryptoHash(hashes.Hash(hashes.SHA256() if name == "sha256" else hashes.MD5()))  # noqa: S303 - dpkg records md5; integrity, not security
    except Exception:  # an OpenSSL without MD5 (FIPS mode): CPython's implementation
        from collectors import digest

        return digest.sha256() if name == "sha256" else digest._md5()


class _CryptoHash:
    def __init__(self, h: Any) -> None:
        self._h = h

    def update(self, data: bytes) -> None:
        self._h.update(data)

    def hexdigest(self) -> str:
        return str(self._h.finalize().hex())


def reason_of(exc: OSError) -> str:
    """Why a read failed, in the words a reader of the manifest needs."""
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if exc.errno in (errno.ENOENT, errno.ENOTDIR):
        return "not found (it went away while being read)"
    if exc.errno == errno.ELOOP:
        return "a symbolic link where a file was expected"
    return f"cannot read: {exc.strerror or exc}"


class SnapshotReader(HostReader):
    """A :class:`HostReader` that never changes access times, streams what it hashes, and knows its deadline."""

    def __init__(self, ctx: HostContext, deadline: Optional[float] = None) -> None:
        super().__init__(ctx)
        self.deadline = deadline
        self.noatime_refused = 0  # opens where the kernel refused O_NOATIME (not the owner, no CAP_FOWNER)
        self.noatime_used = 0
        self._digests: Dict[Tuple[int, int, int, int, int, bool], Digest] = {}
        # offline-root: every path is resolved inside the image by descriptor
        self._confined = ConfinedRoot(str(ctx.root)) if ctx.offline_root else None

    def close(self) -> None:
        """Close the image's directory descriptors (offline-root); the reader still works afterwards."""
        if self._confined is not None:
            self._confined.close()

    # -- time ------------------------------------------------------------------------------------
    def expired(self) -> bool:
        return self.deadline is not None and time.monotonic() >= self.deadline

    def with_deadline(self, deadline: Optional[float]) -> None:
        self.deadline = deadline

    # -- opening ---------------------------------------------------------------------------------
    def open_fd(self, real: str, flags: int = _BASE_FLAGS, dir_fd: Optional[int] = None) -> int:
        """``os.open`` with ``O_NOATIME`` where allowed; EPERM (not our file) falls back to a plain open."""
        if O_NOATIME:
            try:
                fd = os.open(real, flags | O_NOATIME, dir_fd=dir_fd)
                self.noatime_used += 1
                return fd
            except OSError as exc:
                if exc.errno != errno.EPERM:
                    raise
                self.noatime_refused += 1
        return os.open(real, flags, dir_fd=dir_fd)

    def _open(self, path: str, flags: int = _BASE_FLAGS, *, directory: bool = False) -> int:
        """Open a host path (links followed, inside the image in offline-root mode).

        offline-root: the last component is opened relative to its parent's descriptor with ``O_NOFOLLOW``,
        after a look that it is what the caller wants (a device node of the image is never opened).
        """
        if self._confined is None:
            return self.open_fd(self._real(path), flags)
        dfd, name, _where = self._confined.resolve(path, follow=True)
        st = os.stat(name, dir_fd=dfd, follow_symlinks=False)
        if _stat.S_ISLNK(st.st_mode):
            raise OSError(errno.ELOOP, "a symbolic link appeared while the path was resolved")
        if directory and not _stat.S_ISDIR(st.st_mode):
            raise NotADirectoryError(errno.ENOTDIR, "not a directory")
        if not directory and not _stat.S_ISREG(st.st_mode):
            raise CollectError(ErrorReason.MALFORMED, f"not a regular file ({_kind(st.st_mode)})")
        return self.open_fd(name, flags | _O_NOFOLLOW, dir_fd=dfd)

    def _lstat(self, path: str) -> os.stat_result:
        if self._confined is None:
            return os.lstat(self._real_link(path))
        dfd, name, _where = self._confined.resolve(path, follow=False)
        return os.stat(name, dir_fd=dfd, follow_symlinks=False)

    def identity(self, path: str) -> Optional[Tuple[int, int]]:
        """(device, inode) of what a path leads to, links followed (inside the image); None if it cannot be reached.

        Tells the same directory reached under two names apart from two directories (``/lib`` on merged /usr).
        """
        try:
            if self._confined is None:
                st = os.stat(self._real(path))
            else:
                dfd, name, _where = self._confined.resolve(path, follow=True)
                st = os.stat(name, dir_fd=dfd, follow_symlinks=False)
        except (OSError, ValueError):
            return None
        return st.st_dev, st.st_ino

    # -- commands ----------------------------------------------------------------------------------
    def run(self, argv: Sequence[str], timeout: float = DEFAULT_TIMEOUT_S) -> CommandResult:
        """offline-root: refused here, before the runner (the stages do not ask; this is the net under them)."""
        if self.ctx.offline_root:
            raise CollectError(ErrorReason.UNSUPPORTED, NO_COMMAND)
        return super().run(argv, timeout)

    def stream(self, argv: Sequence[str], sink: Callable[[bytes], None], timeout: float = DEFAULT_TIMEOUT_S) -> CommandResult:
        if self.ctx.offline_root:
            raise CollectError(ErrorReason.UNSUPPORTED, NO_COMMAND)
        return super().stream(argv, sink, timeout)

    def _override(self, path: str, st: os.stat_result) -> FileMeta:
        mode, uid, gid = _stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid
        recorded = None if self.ctx.live else self.ctx.stat_overrides.get(path)
        if recorded is not None:
            mode, uid, gid = recorded.mode, recorded.uid, recorded.gid
        return FileMeta(_kind(st.st_mode), mode, uid, gid, st.st_size, st.st_mtime_ns, st.st_ctime_ns)

    def meta(self, path: str) -> Optional[FileMeta]:
        """``lstat`` of a host path; None if it does not exist. Raises CollectError when it cannot be looked at."""
        try:
            st = self._lstat(path)
        except FileNotFoundError:
            return None
        except NotADirectoryError:
            return None
        except OSError as exc:
            raise CollectError(ErrorReason.PERMISSION_DENIED, reason_of(exc)) from None
        return self._override(path, st)

    def meta_of(self, path: str, st: os.stat_result) -> FileMeta:
        return self._override(path, st)

    def link_target(self, path: str) -> Optional[str]:
        return self.link(path)[0]

    def link(self, path: str) -> Tuple[Optional[str], Optional[str]]:
        """(target, None) of a symbolic link, or (None, why it could not be read)."""
        try:
            if self._confined is None:
                return os.readlink(self._real_link(path)), None
            dfd, name, _where = self._confined.resolve(path, follow=False)
            return os.readlink(name, dir_fd=dfd), None
        except OSError as exc:
            return None, reason_of(exc)

    # -- files -----------------------------------------------------------------------------------
    def read(self, path: str, limit: int) -> Optional[Read]:
        """The first ``limit`` bytes of a regular file and the sha256 of all of it; None if missing.

        Raises CollectError (with the reason) for anything else that stops the read.
        """
        try:
            fd = self._open(path)
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError as exc:
            raise CollectError(ErrorReason.PERMISSION_DENIED, reason_of(exc)) from None
        try:
            st = os.fstat(fd)
            if not _stat.S_ISREG(st.st_mode):
                raise CollectError(ErrorReason.MALFORMED, f"not a regular file ({_kind(st.st_mode)})")
            h = _hasher("sha256")
            kept: List[bytes] = []
            size = 0
            while True:
                chunk = os.read(fd, CHUNK)
                if not chunk:
                    break
                h.update(chunk)
                if size < limit:
                    kept.append(chunk[: limit - size])
                size += len(chunk)
                if size > MAX_HASH_BYTES:
                    raise CollectError(ErrorReason.MALFORMED, f"larger than {MAX_HASH_BYTES >> 20} MiB; not read")
        except OSError as exc:
            raise CollectError(ErrorReason.PERMISSION_DENIED, reason_of(exc)) from None
        finally:
            os.close(fd)
        return Read(b"".join(kept), size > limit, h.hexdigest(), self._override(path, st))

    def tail(self, path: str, max_bytes: int) -> Optional[Tuple[bytes, FileMeta, bool]]:
        """The last ``max_bytes`` of a file, starting at a line boundary, with its metadata and whether it was cut."""
        try:
            fd = self._open(path)
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError as exc:
            raise CollectError(ErrorReason.PERMISSION_DENIED, reason_of(exc)) from None
        try:
            st = os.fstat(fd)
            if not _stat.S_ISREG(st.st_mode):
                raise CollectError(ErrorReason.MALFORMED, f"not a regular file ({_kind(st.st_mode)})")
            start = max(0, st.st_size - max_bytes)
            os.lseek(fd, start, os.SEEK_SET)
            chunks: List[bytes] = []
            total = 0
            while total < max_bytes:
                chunk = os.read(fd, min(CHUNK, max_bytes - total))
                if not chunk:
                    break
                chunks.append(chunk)
                total += len(chunk)
        except OSError as exc:
            raise CollectError(ErrorReason.PERMISSION_DENIED, reason_of(exc)) from None
        finally:
            os.close(fd)
        data = b"".join(chunks)
        if start > 0:
            newline = data.find(b"\n")
            data = data[newline + 1 :] if newline >= 0 else b""
        return data, self._override(path, st), start > 0

    def read_records(self, path: str, size: int, count: int) -> Optional[Tuple[bytes, FileMeta]]:
        """The last ``count`` whole fixed-size records of a file (wtmp), with its metadata; None if missing."""
        try:
            fd = self._open(path)
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError as exc:
            raise CollectError(ErrorReason.PERMISSION_DENIED, reason_of(exc)) from None
        try:
            st = os.fstat(fd)
            if not _stat.S_ISREG(st.st_mode):
                raise CollectError(ErrorReason.MALFORMED, f"not a regular file ({_kind(st.st_mode)})")
            end = st.st_size - st.st_size % size
            start = max(0, end - count * size)
            data = os.pread(fd, end - start, start) if end > start else b""
        except OSError as exc:
            raise CollectError(ErrorReason.PERMISSION_DENIED, reason_of(exc)) from None
        finally:
            os.close(fd)
        return data, self._override(path, st)

    def md5(self, path: str, max_bytes: int = MAX_HASH_BYTES) -> Optional[str]:
        """md5 alone, to compare with what a package recorded: the known digest of an unchanged inode, else one read."""
        try:
            fd = self._open(path)
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError as exc:
            raise CollectError(ErrorReason.PERMISSION_DENIED, reason_of(exc)) from None
        try:
            st = os.fstat(fd)
            if not _stat.S_ISREG(st.st_mode):
                raise CollectError(ErrorReason.MALFORMED, f"not a regular file ({_kind(st.st_mode)})")
            if st.st_size > max_bytes:
                raise CollectError(ErrorReason.MALFORMED, f"{st.st_size} bytes, over the {max_bytes >> 20} MiB hashing limit")
            known = self._digests.get((st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns, True))
            if known is not None:
                return known.md5
            h = _hasher("md5")
            while True:
                if self.expired():
                    raise CollectError(ErrorReason.TIMEOUT, "time budget spent while hashing")
                chunk = os.read(fd, CHUNK)
                if not chunk:
                    break
                h.update(chunk)
        except OSError as exc:
            raise CollectError(ErrorReason.PERMISSION_DENIED, reason_of(exc)) from None
        finally:
            os.close(fd)
        return str(h.hexdigest())

    def digest(self, path: str, *, md5: bool = False, max_bytes: int = MAX_HASH_BYTES, keep: bool = True) -> Optional[Digest]:
        """sha256 (and md5) of a file, streamed; None if missing.

        A file hashed with ``keep`` is remembered by inode, size and times, and not read again while
        unchanged (an executable many processes run, a program the package check compares again).
        A walk over every packaged file passes ``keep=False``: remembering 100,000 digests costs 40 MiB.
        """
        try:
            fd = self._open(path)
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError as exc:
            raise CollectError(ErrorReason.PERMISSION_DENIED, reason_of(exc)) from None
        try:
            st = os.fstat(fd)
            if not _stat.S_ISREG(st.st_mode):
                raise CollectError(ErrorReason.MALFORMED, f"not a regular file ({_kind(st.st_mode)})")
            if st.st_size > max_bytes:
                raise CollectError(ErrorReason.MALFORMED, f"{st.st_size} bytes, over the {max_bytes >> 20} MiB hashing limit")
            key = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns, md5)
            known = self._digests.get(key) or (self._digests.get((*key[:5], True)) if not md5 else None)
            if known is not None:
                return known
            sha = _hasher("sha256")
            mdh = _hasher("md5") if md5 else None
            size = 0
            while True:
                if self.expired():
                    raise CollectError(ErrorReason.TIMEOUT, "time budget spent while hashing")
                chunk = os.read(fd, CHUNK)
                if not chunk:
                    break
                sha.update(chunk)
                if mdh is not None:
                    mdh.update(chunk)
                size += len(chunk)
                if size > max_bytes:
                    raise CollectError(ErrorReason.MALFORMED, f"grew over the {max_bytes >> 20} MiB hashing limit while read")
        except OSError as exc:
            raise CollectError(ErrorReason.PERMISSION_DENIED, reason_of(exc)) from None
        finally:
            os.close(fd)
        result = Digest(sha.hexdigest(), size, mdh.hexdigest() if mdh is not None else None)
        if keep:
            self._digests[key] = result
        return result

    # -- directories -----------------------------------------------------------------------------
    def names(self, path: str) -> List[str]:
        """Entries of a directory, sorted, listed through an ``O_NOATIME`` descriptor; empty if it does not exist."""
        try:
            fd = self._open(path, _DIR_FLAGS, directory=True)
        except (FileNotFoundError, NotADirectoryError):
            return []
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                return []
            raise CollectError(ErrorReason.PERMISSION_DENIED, reason_of(exc)) from None
        try:
            return sorted(os.listdir(fd))
        except OSError as exc:
            raise CollectError(ErrorReason.PERMISSION_DENIED, reason_of(exc)) from None
        finally:
            os.close(fd)

    def walk(
        self,
        top: str,
        on_error: Callable[[str, str], None],
        *,
        max_depth: int = 40,
        prune: Callable[[str], bool] = lambda _p: False,
    ) -> Iterator[Tuple[str, os.stat_result]]:
        """Every entry below ``top`` (not ``top`` itself) as (host path, lstat), depth first in name order.

        Links are never followed, other file systems are not entered (``/proc`` under a tree stays out),
        and directories are opened relative to their parent's descriptor, so a directory renamed
        while it is walked cannot lead the walk elsewhere. ``prune`` names directories not to enter.
        """
        try:
            fd = self._open(top, _DIR_FLAGS, directory=True)
        except (FileNotFoundError, NotADirectoryError):
            return
        except OSError as exc:
            if exc.errno != errno.ELOOP:
                on_error(top, reason_of(exc))
            return
        try:
            dev = os.fstat(fd).st_dev
            yield from self._walk_fd(fd, top.rstrip("/"), dev, on_error, max_depth, prune)
        finally:
            os.close(fd)

    def _walk_fd(
        self,
        fd: int,
        prefix: str,
        dev: int,
        on_error: Callable[[str, str], None],
        depth: int,
        prune: Callable[[str], bool],
    ) -> Iterator[Tuple[str, os.stat_result]]:
        names: List[str] = []
        try:
            with os.scandir(fd) as entries:
                for entry in entries:
                    if len(names) >= MAX_DIR_ENTRIES:
                        on_error(prefix or "/", f"more than {MAX_DIR_ENTRIES} entries: the first {MAX_DIR_ENTRIES} listed were looked at")
                        break
                    names.append(entry.name)
        except OSError as exc:
            on_error(prefix or "/", reason_of(exc))
            return
        names.sort()
        for name in names:
            path = f"{prefix}/{name}"
            try:
                st = os.stat(name, dir_fd=fd, follow_symlinks=False)
            except OSError as exc:
                if exc.errno != errno.ENOENT:
                    on_error(path, reason_of(exc))
                continue
            yield path, st
            if not _stat.S_ISDIR(st.st_mode) or st.st_dev != dev or prune(path):
                continue
            if self._confined is not None and path.lstrip("/") in RUNTIME_TREES:
                continue  # offline-root: an image's /proc and /sys are not entered
            if depth <= 0:
                on_error(path, "nested deeper than the walk goes; not entered")
                continue
            try:
                sub = self.open_fd(name, _DIR_FLAGS, dir_fd=fd)
            except OSError as exc:
                on_error(path, reason_of(exc))
                continue
            try:
                yield from self._walk_fd(sub, path, dev, on_error, depth - 1, prune)
            finally:
                os.close(sub)
