"""Files as root: atomic output, private directories, and files opened without following anyone's links.

riskagent runs as root on production servers, from cron, over directories an
administrator named once in a configuration file. Whatever it writes or locks
must not be steered by another local user:

* a directory riskagent writes into (reports, history, locks, keys) must belong
  to the user running it or to root, and must not be writable by group or
  others; nor may any directory above it be, unless it has the sticky bit
  (``/tmp``). Otherwise a user who can rename entries in it could swap in a
  link to ``/etc/shadow`` between riskagent's check and its write;
* state and lock files are opened with ``O_NOFOLLOW`` and ``O_CLOEXEC`` and must
  be regular files with a single link;
* reports are readable by their owner only (``0600``), or by one configured
  group (``0640``, ``report_group``), in directories created ``0700``/``0750``;
* a file is either fully written or not at all: data goes to a temporary file
  beside the target, is synced, and renamed over it. A write that fails (disk
  full, file size limit) removes its temporary file; one that was killed leaves
  a temporary file named after its pid, which the next write removes.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from pathlib import Path
from typing import Iterable, List, Optional, Sequence, Tuple

from agent.errors import AgentError

PRIVATE_FILE = 0o600
GROUP_FILE = 0o640
PRIVATE_DIR = 0o700
GROUP_DIR = 0o750
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


class UnsafePath(AgentError):
    """A directory or file riskagent will not use: another user could control it."""

    exit_code = 2


def _user_name(uid: int) -> str:
    try:
        import pwd

        return f"{pwd.getpwuid(uid).pw_name} (uid {uid})"
    except (KeyError, ImportError):
        return f"uid {uid}"


def file_mode(group: Optional[int]) -> int:
    """The mode of a report: the owner's only, or also its group's (read) when a report group is configured."""
    return PRIVATE_FILE if group is None else GROUP_FILE


def dir_mode(group: Optional[int]) -> int:
    return PRIVATE_DIR if group is None else GROUP_DIR


# ------------------------------------------------------------------------------------------ directories


def _trusted_owner(uid: int) -> bool:
    return uid in (0, os.geteuid())


def check_dir(path: Path, what: str) -> None:
    """Refuse a directory another user controls: owned by someone other than root or us, or group/world-writable.

    Directories above it may be world-writable only with the sticky bit (as ``/tmp`` is).
    """
    try:
        st = os.stat(path)
    except OSError as exc:
        raise AgentError(f"cannot use {what} {path}: {exc.strerror}") from None
    if not stat.S_ISDIR(st.st_mode):
        raise UnsafePath(f"{what} {path} is not a directory")
    if not _trusted_owner(st.st_uid):
        raise UnsafePath(
            f"{what} {path} is owned by {_user_name(st.st_uid)}, not by {_user_name(os.geteuid())} or root; "
            "riskagent will not write there",
            f"choose a directory of your own, or (as root) chown {_user_name(os.geteuid()).split(' ')[0]} {path} && chmod 700 {path}",
        )
    if st.st_mode & 0o022:
        raise UnsafePath(
            f"{what} {path} is writable by {'group and others' if st.st_mode & 0o022 == 0o022 else 'group' if st.st_mode & 0o020 else 'others'} "
            f"(mode {stat.S_IMODE(st.st_mode):04o}); riskagent will not write there",
            f"run: chmod go-w {path} (0700, or 0750 for a report group)",
        )
    resolved = Path(os.path.realpath(path))
    for parent in resolved.parents:
        try:
            pst = os.stat(parent)
        except OSError as exc:
            raise AgentError(f"cannot use {what} {path}: {parent}: {exc.strerror}") from None
        if not _trusted_owner(pst.st_uid):
            raise UnsafePath(
                f"{what} {path} lies inside {parent}, which is owned by {_user_name(pst.st_uid)}: that user could replace it",
                "choose a directory whose parents belong to root or to you",
            )
        if pst.st_mode & 0o022 and not pst.st_mode & stat.S_ISVTX:
            raise UnsafePath(
                f"{what} {path} lies inside {parent}, which others can write to (mode {stat.S_IMODE(pst.st_mode):04o}, no sticky bit)",
                f"run: chmod go-w {parent}, or choose another directory",
            )


def ensure_dir(path: Path, what: str, *, group: Optional[int] = None) -> Path:
    """The directory ``path``, created if missing (``0700``; ``0750`` owned by ``group``), then checked with ``check_dir``.

    Missing parents are created ``0755``. An existing directory keeps its mode: it is only checked.
    """
    missing: List[Path] = []
    probe = path
    while not os.path.lexists(probe) and probe != probe.parent:
        missing.append(probe)
        probe = probe.parent
    for i, p in enumerate(reversed(missing)):
        last = i == len(missing) - 1
        try:
            os.mkdir(p, dir_mode(group) if last else 0o755)
        except FileExistsError:
            continue
        except OSError as exc:
            raise AgentError(f"cannot create {what} {p}: {exc.strerror}") from None
        if last:
            if group is not None:
                os.chown(p, -1, group)
            os.chmod(p, dir_mode(group))  # exactly this mode, whatever the umask
    check_dir(path, what)
    return path


def check_parent(path: Path, what: str) -> None:
    """Refuse to write ``path`` into a directory another user controls (see ``check_dir``).

    For single files named on the command line (``--out report.html``): the directory may also be
    a sticky world-writable one such as ``/tmp``, where the rename cannot be hijacked.
    """
    parent = path.parent if str(path.parent) else Path(".")
    try:
        st = os.stat(parent)
    except FileNotFoundError:
        ensure_dir(parent, f"the directory of {what}")
        return
    except OSError as exc:
        raise AgentError(f"cannot write {path}: {exc.strerror}") from None
    if st.st_mode & 0o022 and st.st_mode & stat.S_ISVTX and _trusted_owner(st.st_uid):
        return
    check_dir(parent, f"the directory of {what}")


# ------------------------------------------------------------------------------------------ files


def open_regular(path: Path, flags: int, mode: int = PRIVATE_FILE, *, what: str = "file") -> int:
    """``os.open`` without following a symbolic link, close-on-exec, never blocking on a FIFO; the result is
    a regular file with one link, or UnsafePath."""
    try:
        fd = os.open(path, flags | _O_NOFOLLOW | _O_CLOEXEC | _O_NONBLOCK, mode)
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # the last component is a symbolic link
            raise UnsafePath(
                f"{what} {path} is a symbolic link; riskagent does not follow links here",
                f"remove it (rm {path}); riskagent creates the file itself",
            ) from None
        raise
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise UnsafePath(f"{what} {path} is not a regular file", "remove it (it should be a plain file riskagent made)")
        if st.st_nlink != 1:
            raise UnsafePath(f"{what} {path} has {st.st_nlink} hard links; it may be another file's", f"remove it (rm {path})")
        if _O_NONBLOCK:
            os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_private(path: Path, what: str, max_bytes: int) -> bytes:
    """A secret file (key, passphrase): a regular file owned by the user running riskagent and by nobody else
    readable, at most ``max_bytes``. Links are followed (a key may be a link), but the file they reach is checked."""
    fd = os.open(path, os.O_RDONLY | _O_CLOEXEC | _O_NONBLOCK)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise UnsafePath(f"{what} {path} is not a regular file")
        if st.st_uid != os.geteuid():
            raise UnsafePath(
                f"{what} {path} is owned by {_user_name(st.st_uid)}, not by {_user_name(os.geteuid())} who runs riskagent; "
                "its owner could change it",
                f"run: chown {_user_name(os.geteuid()).split(' ')[0]} {path} && chmod 600 {path}",
            )
        if stat.S_IMODE(st.st_mode) & 0o077:
            raise UnsafePath(
                f"permissions {stat.S_IMODE(st.st_mode):04o} on {what} {path} are too open (group or others can read or write it)",
                f"run: chmod 600 {path}",
            )
        if st.st_size > max_bytes:
            raise UnsafePath(f"{what} {path} is larger than {max_bytes} bytes; is it the right file?")
        if _O_NONBLOCK:
            os.set_blocking(fd, True)
        chunks = []
        total = 0
        while total <= max_bytes:
            chunk = os.read(fd, max_bytes + 1 - total)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        data = b"".join(chunks)
        if len(data) > max_bytes:
            raise UnsafePath(f"{what} {path} is larger than {max_bytes} bytes; is it the right file?")
        return data
    finally:
        os.close(fd)


# ------------------------------------------------------------------------------------------ atomic writes

_TEMP_RE = re.compile(r"\.(?P<name>.+)\.(?P<pid>[0-9]{1,10})\.(?P<rand>[0-9a-f]{12})\Z")


def atomic_write(path: Path, data: bytes, mode: int = PRIVATE_FILE, *, exclusive: bool = False, group: Optional[int] = None) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same directory.

    ``exclusive`` refuses to replace an existing file (used for keys). ``group`` makes the file that
    group's (with ``mode`` giving it read access). A missing directory is created ``0700``.
    """
    if not path.parent.exists():
        ensure_dir(path.parent, "output directory", group=group)
    if exclusive and os.path.lexists(path):
        raise FileExistsError(f"{path} already exists; refusing to overwrite it")
    tmp = _stage(path, data, mode, group)
    try:
        if exclusive:
            os.link(tmp, path)  # fails if path appeared meanwhile
            os.unlink(tmp)
        else:
            os.replace(tmp, path)
    except BaseException:
        _discard(tmp)
        raise


def atomic_write_all(items: Sequence[Tuple[Path, bytes]], mode: int = PRIVATE_FILE, *, group: Optional[int] = None) -> List[Path]:
    """Write several files so that a failure changes none of them: every temporary file is written and
    synced first, and only then renamed into place (a rename neither allocates space nor fails on a
    full disk). Returns the paths written, in order."""
    staged: List[Tuple[str, Path]] = []
    try:
        for path, data in items:
            staged.append((_stage(path, data, mode, group), path))
    except BaseException:
        for tmp, _ in staged:
            _discard(tmp)
        raise
    done: List[Path] = []
    try:
        for tmp, path in staged:
            os.replace(tmp, path)
            done.append(path)
    except BaseException:
        for tmp, _ in staged[len(done) :]:
            _discard(tmp)
        raise
    return done


def _stage(path: Path, data: bytes, mode: int, group: Optional[int]) -> str:
    """``data`` in a new synced temporary file beside ``path``; removed again if anything fails."""
    remove_stale_temporaries(path)
    fd, tmp = _create_temporary(path)
    try:
        if group is not None:
            os.fchown(fd, -1, group)
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        _discard(tmp)
        raise
    return tmp


def _discard(tmp: str) -> None:
    try:
        os.unlink(tmp)
    except FileNotFoundError:
        pass


def _create_temporary(path: Path) -> Tuple[int, str]:
    """A new file beside ``path`` with an unguessable name holding our pid, created exclusively and readable
    by its owner only.

    What ``tempfile.mkstemp`` does, without importing tempfile (and shutil, bz2, lzma and random with it):
    this runs on every scan of small gateways.
    """
    for _ in range(16):
        tmp = str(path.parent / f".{path.name}.{os.getpid()}.{os.urandom(6).hex()}")
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_NOFOLLOW | _O_CLOEXEC, PRIVATE_FILE), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"cannot create a temporary file beside {path}")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_temporaries(path: Path) -> List[Path]:
    """Delete the temporary files of earlier writes of ``path`` whose process is gone (killed mid-write)."""
    removed: List[Path] = []
    try:
        names: Iterable[str] = os.listdir(path.parent)
    except OSError:
        return removed
    for name in names:
        m = _TEMP_RE.match(name)
        if m is None or m.group("name") != path.name:
            continue
        pid = int(m.group("pid"))
        if pid == os.getpid() or _alive(pid):
            continue
        stale = path.parent / name
        try:
            if stat.S_ISREG(os.lstat(stale).st_mode):
                os.unlink(stale)
                removed.append(stale)
        except OSError:
            continue
    return removed
