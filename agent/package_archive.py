"""An application package as one file to send: a plain POSIX tar of its regular files.

Plain, not gzip: the intake is idempotent by the sha256 of what it receives, so
the same package must give the same bytes on every agent; a plain tar's bytes
follow from the files and the fixed header fields below alone, while gzip's
depend on the zlib version and level. A plain tar also cannot expand: what
unpacks is never larger than what was received (sparse members are refused), so
the body limit bounds the disk the intake writes. The package's reports and
attachments (PDFs, mostly) gain little from compression anyway.

``pack`` writes the package directory's regular files, sorted by name, with
mtime 0, uid/gid 0, no owner names and mode 0600 (pax format, so non-ASCII
names like ``attachments/应急预案.pdf`` are stored as UTF-8 in a standard way).

``unpack`` reads an archive from anyone: it never calls ``extractall``; each
member is checked before anything is written (regular files and directories
only, a relative name of plain components, within the limits), files are
created 0600 with ``O_EXCL | O_NOFOLLOW`` into a directory the caller made
private, and every refusal names the member and the rule it broke.
"""

from __future__ import annotations

import io
import os
import stat
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional, Set, Tuple

BLOCK = 512
FILE_MODE = 0o600
DIR_MODE = 0o700
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_READ_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class ArchiveLimits:
    """What an archive may hold. The defaults fit a package of ``riskagent apply`` with room to spare."""

    max_members: int = 1000
    max_member_bytes: int = 256 * 1024 * 1024
    max_total_bytes: int = 512 * 1024 * 1024
    max_name_bytes: int = 255  # the whole relative name, UTF-8
    max_depth: int = 4  # components of a name: application.dsse.json is 1, attachments/x.pdf is 2


class ArchiveError(ValueError):
    """An archive refused: ``member`` (None for the archive as a whole) broke ``rule``."""

    def __init__(self, member: Optional[str], rule: str, detail: str) -> None:
        self.member = member
        self.rule = rule
        self.detail = detail
        where = f"archive member {_shown(member)}" if member is not None else "the archive"
        super().__init__(f"{where}: {detail} [{rule}]")


def _shown(name: str) -> str:
    from report.terminal import safe_line

    return "'" + safe_line(name, 120) + "'"


# ------------------------------------------------------------------------------------------ names


def member_name(raw: str, limits: ArchiveLimits) -> Tuple[str, ...]:
    """The components of a member's name, or ``ArchiveError`` naming the rule it breaks.

    A leading ``./`` (as ``tar -C DIR -cf - .`` writes) is dropped; ``.`` alone is the package directory itself (no components).
    """
    from report.terminal import safe_line

    try:
        encoded = raw.encode("utf-8")
    except UnicodeEncodeError:
        raise ArchiveError(raw, "name-encoding", "the name is not UTF-8 text") from None
    if len(encoded) > limits.max_name_bytes:
        raise ArchiveError(raw, "name-length", f"the name is {len(encoded)} bytes long; at most {limits.max_name_bytes} are accepted")
    if raw.startswith("/"):
        raise ArchiveError(raw, "absolute-name", "an absolute name; members are named relative to the package")
    if "\\" in raw:
        raise ArchiveError(raw, "backslash", "a backslash in the name (a Windows path separator?)")
    if safe_line(raw, len(raw) + 1) != raw:
        raise ArchiveError(raw, "control-character", "control or invisible characters in the name")
    name = raw[2:] if raw.startswith("./") else raw
    if name in ("", "."):
        return ()
    parts = tuple(name.split("/"))
    if ".." in parts:
        raise ArchiveError(raw, "parent-component", "'..' in the name: it would climb out of the package")
    if any(p in ("", ".") for p in parts):
        raise ArchiveError(raw, "empty-component", "an empty or '.' component in the name")
    if len(parts) > limits.max_depth:
        raise ArchiveError(raw, "name-depth", f"the name has {len(parts)} components; at most {limits.max_depth} are accepted")
    return parts


# ------------------------------------------------------------------------------------------ pack


class PackError(ValueError):
    """A package directory that cannot be packed, naming the file."""


def _package_files(root: Path, limits: ArchiveLimits) -> List[Tuple[str, Path]]:
    """(archive name, path) of every regular file under ``root``, sorted by name; links and special files refused."""
    found: List[Tuple[str, Path]] = []

    def walk(folder: Path, prefix: str) -> None:
        with os.scandir(folder) as entries:
            for entry in entries:
                path = folder / entry.name
                name = prefix + entry.name
                st = entry.stat(follow_symlinks=False)
                if stat.S_ISDIR(st.st_mode):
                    walk(path, name + "/")
                elif stat.S_ISREG(st.st_mode):
                    try:
                        member_name(name, limits)
                    except ArchiveError as exc:
                        raise PackError(f"{path}: the intake would refuse this name: {exc.detail} [{exc.rule}]") from None
                    found.append((name, path))
                else:
                    what = "a symbolic link" if stat.S_ISLNK(st.st_mode) else "not a regular file"
                    raise PackError(f"{path} is {what}; a package holds regular files only")

    walk(root, "")
    return sorted(found, key=lambda item: item[0].encode("utf-8"))


def _read_file(path: Path) -> bytes:
    """The file's bytes, opened without following a link, and still a regular file when opened."""
    fd = os.open(path, os.O_RDONLY | _O_NOFOLLOW | _O_CLOEXEC)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise PackError(f"{path} is not a regular file")
        with os.fdopen(fd, "rb", closefd=False) as f:
            return f.read()
    finally:
        os.close(fd)


def pack(package_dir: Path, limits: ArchiveLimits = ArchiveLimits()) -> bytes:
    """The package directory's regular files as a plain tar; the same files give the same bytes.

    Raises ``PackError`` for a missing directory, a link or special file inside it, a name the
    intake would refuse, or more files than ``limits`` allow.
    """
    if not package_dir.is_dir():
        raise PackError(f"{package_dir} is not a directory (pass the directory riskagent apply wrote)")
    try:
        files = _package_files(package_dir, limits)
    except OSError as exc:
        raise PackError(f"cannot read {exc.filename or package_dir}: {exc.strerror or exc}") from None
    if len(files) > limits.max_members:
        raise PackError(f"{package_dir} holds {len(files)} files; the intake accepts at most {limits.max_members}")
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT, encoding="utf-8") as tar:
        for name, path in files:
            try:
                data = _read_file(path)
            except OSError as exc:
                raise PackError(f"cannot read {path}: {exc.strerror or exc}") from None
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 0
            info.mode = FILE_MODE
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            info.type = tarfile.REGTYPE
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


# ------------------------------------------------------------------------------------------ unpack


@dataclass(frozen=True)
class Unpacked:
    """What ``unpack`` wrote: the files' names (relative, in archive order) and their total size."""

    files: Tuple[str, ...]
    total_bytes: int


_KINDS = {
    tarfile.SYMTYPE: ("symlink", "a symbolic link"),
    tarfile.LNKTYPE: ("hardlink", "a hard link"),
    tarfile.CHRTYPE: ("device", "a character device"),
    tarfile.BLKTYPE: ("device", "a block device"),
    tarfile.FIFOTYPE: ("fifo", "a FIFO"),
    tarfile.GNUTYPE_SPARSE: ("sparse", "a sparse file"),
    tarfile.CONTTYPE: ("member-type", "a contiguous file (type 7)"),
}


def _check_kind(info: tarfile.TarInfo) -> None:
    if info.sparse is not None:
        raise ArchiveError(info.name, "sparse", "a sparse file; only regular files and directories are accepted")
    if info.type in (tarfile.REGTYPE, tarfile.AREGTYPE, tarfile.DIRTYPE):
        return
    rule, what = _KINDS.get(info.type, ("member-type", f"a member of type {info.type!r}"))
    raise ArchiveError(info.name, rule, f"{what}; only regular files and directories are accepted")


def _next(tar: tarfile.TarFile, previous: Optional[str]) -> Optional[tarfile.TarInfo]:
    try:
        return tar.next()
    except (tarfile.TarError, EOFError) as exc:
        raise ArchiveError(previous, "truncated", f"the archive ends or breaks after this member ({exc})") from None


def _write(dest: Path, parts: Tuple[str, ...], tar: tarfile.TarFile, info: tarfile.TarInfo) -> None:
    src = tar.extractfile(info)
    if src is None:  # pragma: no cover - a regular member always has a file object
        raise ArchiveError(info.name, "member-type", "no data")
    target = dest.joinpath(*parts)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_NOFOLLOW | _O_CLOEXEC, FILE_MODE)
    try:
        left = info.size
        while left > 0:
            try:
                chunk = src.read(min(_READ_CHUNK, left))
            except (tarfile.TarError, EOFError, OSError) as exc:
                raise ArchiveError(info.name, "truncated", f"the member's data is cut short ({exc})") from None
            if not chunk:
                raise ArchiveError(info.name, "truncated", "the member's data is cut short")
            os.write(fd, chunk)
            left -= len(chunk)
    finally:
        os.close(fd)


def _check_end(data: bytes, offset: int, last: Optional[str]) -> None:
    """After the last member: the end-of-archive marker (two zero blocks) and nothing but zeros after it.

    ``tarfile`` stops quietly at a broken header after the first member; a package must not lose
    its last files that way, nor carry bytes that no member accounts for.
    """
    end = data[offset:]
    if len(end) < 2 * BLOCK or end[: 2 * BLOCK].count(0) != 2 * BLOCK:
        raise ArchiveError(last, "truncated", "no end-of-archive marker after this member (cut short, or followed by something that is not a member)")
    if end.count(0) != len(end):
        raise ArchiveError(None, "trailing-data", "bytes other than zeros after the end-of-archive marker")


def unpack(data: bytes, dest_dir: Path, limits: ArchiveLimits = ArchiveLimits()) -> Unpacked:
    """Write the archive's files into ``dest_dir`` (an empty directory the caller created private).

    Raises ``ArchiveError`` naming the member and the rule at the first member refused; files
    written before it stay in ``dest_dir``, which the caller removes.
    """
    try:
        tar = tarfile.open(fileobj=io.BytesIO(data), mode="r:", encoding="utf-8", errors="surrogateescape")
    except (tarfile.TarError, EOFError, ValueError) as exc:
        raise ArchiveError(None, "not-a-tar", f"not a plain (uncompressed) POSIX tar archive ({exc})") from None
    files: List[str] = []
    seen: Set[Tuple[str, ...]] = set()  # every name taken, files and directories
    dirs: Set[Tuple[str, ...]] = {()}
    total = 0
    count = 0
    last: Optional[str] = None
    with tar:
        while True:
            info = _next(tar, last)
            if info is None:
                break
            count += 1
            if count > limits.max_members:
                raise ArchiveError(info.name, "member-count", f"more than {limits.max_members} members")
            _check_kind(info)
            parts = member_name(info.name, limits)
            if not parts and not info.isdir():
                raise ArchiveError(info.name, "empty-component", "a file named as the package directory itself")
            if info.isdir():
                if parts in seen and parts not in dirs:
                    raise ArchiveError(info.name, "duplicate-name", "a directory with the name of a file before it")
            elif parts in seen:
                raise ArchiveError(info.name, "duplicate-name", "a second member with this name")
            for i in range(1, len(parts)):
                prefix = parts[:i]
                if prefix in seen and prefix not in dirs:
                    raise ArchiveError(info.name, "duplicate-name", f"'{'/'.join(prefix)}' is a file before it, not a directory")
            if not info.isdir():
                if info.size > limits.max_member_bytes:
                    raise ArchiveError(info.name, "member-size", f"{info.size} bytes; at most {limits.max_member_bytes} per member")
                if total + info.size > limits.max_total_bytes:
                    raise ArchiveError(info.name, "total-size", f"the files would exceed {limits.max_total_bytes} bytes in all")
            full = parts if info.isdir() else parts[:-1]
            for i in range(1, len(full) + 1):
                if full[:i] not in dirs:
                    os.mkdir(dest_dir.joinpath(*full[:i]), DIR_MODE)
                    dirs.add(full[:i])
                    seen.add(full[:i])
            if not info.isdir():
                _write(dest_dir, parts, tar, info)
                seen.add(parts)
                files.append("/".join(parts))
                total += info.size
            last = info.name
        _check_end(data, tar.offset, last)
    return Unpacked(tuple(files), total)
