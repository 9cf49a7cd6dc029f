"""Fetching, storing and bundling the vulnerability feeds (``riskagent feeds update/export/import``).

The read side (which feeds exist, the manifest, format validators) is
``collectors.vuln.feeds``; this is the write side, kept in ``agent`` because
collectors never write and because it reuses the file-safety rules of
``agent.files`` (a feed directory another user controls is refused).

What a feed directory may go through, and what it never loses:

* ``update`` downloads each feed with ``requests``: connect and read timeouts
  bound each socket operation, and an overall wall-clock deadline per download
  is checked between reads (``read1`` returns whatever one ``recv`` brought, so
  a server trickling one byte at a time is cut off at the deadline). A size cap
  per feed stops an endless body. The bytes go to a temporary file beside the
  target, are validated in the feed's format, and only then replace the
  current file (``os.replace``); the manifest is rewritten atomically after
  each feed. A download that fails or is corrupt leaves the previous copy and
  its manifest entry as they were, and is reported with the feed id, URL and
  reason. Requests ask for ``Accept-Encoding: identity`` so the file stored is
  the publisher's file, byte for byte.
* ``export_bundle`` writes a tar of ``manifest.json`` and the feed files,
  hashing each file as it is archived and refusing one whose sha256 or size no
  longer matches the manifest.
* ``import_bundle`` accepts only regular members named ``manifest.json`` or a
  known feed file (no paths, links or devices), each within its feed's size
  cap, stages them beside the current files, checks every sha256 and size
  against the bundled manifest and every file's format, and only then renames
  them into place and merges the manifest. Any refusal leaves the current feeds
  untouched.

One process at a time: ``update`` and ``import`` hold an exclusive lock on
``.lock`` in the feed directory.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import tarfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Callable, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple
from urllib.parse import urlsplit, urlunsplit

from agent.errors import AgentError, UsageError
from agent.files import PRIVATE_FILE, atomic_write, check_parent, ensure_dir, open_regular, remove_stale_temporaries
from collectors.vuln.feeds import (
    FEED_FILES,
    FEEDS,
    MANIFEST_NAME,
    MAX_MANIFEST_BYTES,
    FeedEntry,
    FeedError,
    FeedFormatError,
    FeedSpec,
    Manifest,
    feed_path,
    known_ids,
    manifest_path,
    parse_manifest,
    read_manifest,
    utc_now_text,
)

if TYPE_CHECKING:
    import requests

USER_AGENT = "riskagent-feeds/1"
CHUNK = 64 * 1024
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


@dataclass(frozen=True)
class Timeouts:
    """Seconds: to connect, for any one read, and for a whole download (the wall-clock deadline)."""

    connect: float = 15.0
    read: float = 60.0
    total: float = 1800.0


@dataclass(frozen=True)
class FeedFailure:
    id: str
    url: str
    reason: str


@dataclass(frozen=True)
class UpdateResult:
    updated: Tuple[FeedEntry, ...]
    failed: Tuple[FeedFailure, ...]
    manifest: Manifest

    @property
    def ok(self) -> bool:
        return not self.failed


class _DownloadError(Exception):
    """One feed could not be fetched; the message is the reason reported."""


# ------------------------------------------------------------------------------------------ helpers


def rebase(url: str, base_url: Optional[str]) -> str:
    """``url`` with its origin replaced by ``base_url``'s (a path in ``base_url`` is put before the URL's path)."""
    if not base_url:
        return url
    base = urlsplit(base_url)
    if base.scheme not in ("http", "https") or not base.netloc:
        raise UsageError(f"--base-url {base_url!r} is not an http(s) URL with a host", "e.g. --base-url https://mirror.example.internal/feeds")
    orig = urlsplit(url)
    return urlunsplit((base.scheme, base.netloc, base.path.rstrip("/") + orig.path, orig.query, ""))


def _create_temporary(target: Path) -> Tuple[int, Path]:
    """A new private file beside ``target``, named like ``agent.files``' temporaries (so a killed run's
    leftovers are removed by the next write)."""
    for _ in range(16):
        tmp = target.parent / f".{target.name}.{os.getpid()}.{os.urandom(6).hex()}"
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_NOFOLLOW | _O_CLOEXEC, PRIVATE_FILE), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"cannot create a temporary file beside {target}")


def _discard(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass


@contextmanager
def _locked(feeds_dir: Path) -> Iterator[None]:
    import fcntl

    fd = open_regular(feeds_dir / ".lock", os.O_RDWR | os.O_CREAT, PRIVATE_FILE, what="feed lock")
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise AgentError(
                f"another riskagent is updating or importing the feeds in {feeds_dir}", "wait for it to finish, then try again"
            ) from None
        yield
    finally:
        os.close(fd)


def _write_manifest(feeds_dir: Path, manifest: Manifest) -> None:
    atomic_write(manifest_path(feeds_dir), manifest.encode())


def _reason(exc: BaseException) -> str:
    import requests

    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return "connect timeout"
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return "read timeout (the server stopped sending)"
    if isinstance(exc, requests.exceptions.SSLError):
        return f"TLS error: {exc}"
    if isinstance(exc, requests.exceptions.ConnectionError):
        return f"connection failed: {exc}"
    if isinstance(exc, OSError):
        return f"{exc.strerror or exc}"
    return str(exc) or type(exc).__name__


# ------------------------------------------------------------------------------------------ update


def _download(session: requests.Session, url: str, fd: int, spec: FeedSpec, timeouts: Timeouts) -> Tuple[str, int]:
    """Stream ``url`` into ``fd`` within the deadline and the size cap; returns (sha256, size)."""
    import requests

    deadline = time.monotonic() + timeouts.total
    digest = hashlib.sha256()
    size = 0
    try:
        resp = session.get(
            url,
            stream=True,
            timeout=(timeouts.connect, timeouts.read),
            headers={"Accept-Encoding": "identity", "User-Agent": USER_AGENT},
            allow_redirects=True,
        )
    except requests.exceptions.RequestException as exc:
        raise _DownloadError(_reason(exc)) from None
    with resp:
        if urlsplit(url).scheme == "https" and urlsplit(resp.url).scheme != "https":
            raise _DownloadError(f"redirected from https to {urlsplit(resp.url).scheme}: {resp.url}")
        if resp.status_code != 200:
            raise _DownloadError(f"HTTP {resp.status_code} {resp.reason or ''}".strip())
        length = resp.headers.get("Content-Length", "")
        if length.isdigit() and int(length) > spec.max_bytes:
            raise _DownloadError(f"the server announces {int(length)} bytes, more than the cap of {spec.max_bytes}")
        raw = resp.raw
        read: Callable[[], bytes] = (
            (lambda: raw.read1(CHUNK, decode_content=False)) if hasattr(raw, "read1") else (lambda: raw.read(8192, decode_content=False))
        )
        try:
            while True:
                if time.monotonic() > deadline:
                    raise _DownloadError(f"deadline of {timeouts.total:g} s exceeded after {size} bytes")
                chunk = read()
                if not chunk:
                    break
                size += len(chunk)
                if size > spec.max_bytes:
                    raise _DownloadError(f"larger than the cap of {spec.max_bytes} bytes")
                digest.update(chunk)
                _write_all(fd, chunk)
        except requests.exceptions.RequestException as exc:
            raise _DownloadError(_reason(exc)) from None
        except _DownloadError:
            raise
        except Exception as exc:  # urllib3 errors (ReadTimeoutError, ProtocolError) surface unwrapped from raw reads
            name = type(exc).__name__
            if "Timeout" in name:
                raise _DownloadError(f"read timeout (the server stopped sending) after {size} bytes") from None
            raise _DownloadError(f"{name}: {exc}") from None
        if length.isdigit() and int(length) != size:
            raise _DownloadError(f"truncated: {size} of {int(length)} bytes")
    return digest.hexdigest(), size


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def update(
    feeds_dir: Path,
    ids: Optional[Sequence[str]] = None,
    *,
    session_factory: Optional[Callable[[], requests.Session]] = None,
    timeout: Timeouts = Timeouts(),
    base_url: Optional[str] = None,
    now: Optional[Callable[[], dt.datetime]] = None,
    progress: Optional[Callable[[str], None]] = None,
) -> UpdateResult:
    """Download the feeds ``ids`` (default: all) into ``feeds_dir``; failures are reported, never half-stored."""
    try:
        chosen = known_ids(ids) if ids else list(FEEDS)
    except FeedError as exc:
        raise UsageError(str(exc)) from None
    urls = {feed_id: rebase(FEEDS[feed_id].url, base_url) for feed_id in chosen}
    ensure_dir(feeds_dir, "feed directory")
    if session_factory is None:
        import requests

        session_factory = requests.Session
    clock = now or (lambda: dt.datetime.now(dt.timezone.utc))
    updated: List[FeedEntry] = []
    failed: List[FeedFailure] = []
    with _locked(feeds_dir):
        try:
            manifest = read_manifest(feeds_dir)
        except FeedError as exc:
            raise AgentError(str(exc), "remove the manifest and run feeds update again (all feeds are fetched anew)") from None
        session = session_factory()
        try:
            for feed_id in chosen:
                spec = FEEDS[feed_id]
                url = urls[feed_id]
                target = feed_path(feeds_dir, feed_id)
                if progress is not None:
                    progress(f"{feed_id}: {url}")
                remove_stale_temporaries(target)
                fd, tmp = _create_temporary(target)
                try:
                    try:
                        sha256, size = _download(session, url, fd, spec, timeout)
                        os.fsync(fd)
                    finally:
                        os.close(fd)
                    try:
                        source_date = spec.validate(tmp)
                    except FeedFormatError as exc:
                        raise _DownloadError(f"not a valid {spec.title} file: {exc}") from None
                    entry = FeedEntry(feed_id, url, spec.file, sha256, size, utc_now_text(clock()), source_date)
                    os.replace(tmp, target)
                    manifest = manifest.with_entry(entry)
                    _write_manifest(feeds_dir, manifest)
                    updated.append(entry)
                except _DownloadError as exc:
                    failed.append(FeedFailure(feed_id, url, str(exc)))
                except OSError as exc:
                    failed.append(FeedFailure(feed_id, url, f"cannot store {target}: {exc.strerror or exc}"))
                finally:
                    _discard(tmp)
        finally:
            session.close()
    return UpdateResult(tuple(updated), tuple(failed), manifest)


# ------------------------------------------------------------------------------------------ bundles


class BundleError(AgentError):
    """A bundle that is refused; nothing in the feed directory was changed."""

    exit_code = 1


class _HashingReader(io.RawIOBase):
    """Reads a file while hashing what was read (what tar archives is exactly what was hashed)."""

    def __init__(self, fh: IO[bytes]) -> None:
        self._fh = fh
        self.digest = hashlib.sha256()
        self.size = 0

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        data = self._fh.read(n)
        self.digest.update(data)
        self.size += len(data)
        return data


def export_bundle(feeds_dir: Path, out_file: Path) -> Manifest:
    """Write ``out_file``: a tar of the manifest and every feed it lists, each checked against its sha256."""
    try:
        manifest = read_manifest(feeds_dir)
    except FeedError as exc:
        raise AgentError(str(exc)) from None
    if not manifest.feeds:
        raise UsageError(f"no feeds in {feeds_dir}", "run riskagent feeds update first (on a machine with internet access)")
    check_parent(out_file, "the bundle")
    fd, tmp = _create_temporary(out_file)
    try:
        with os.fdopen(fd, "wb") as out, tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as tf:
            data = manifest.encode()
            tf.addfile(_member(MANIFEST_NAME, len(data), time.time()), io.BytesIO(data))
            for feed_id in sorted(manifest.feeds):
                entry = manifest.feeds[feed_id]
                path = feed_path(feeds_dir, feed_id)
                try:
                    src = open_regular(path, os.O_RDONLY, what="feed file")
                except FileNotFoundError:
                    raise BundleError(f"feed {feed_id}: {path} is missing", "run riskagent feeds update") from None
                with os.fdopen(src, "rb") as fh:
                    if os.fstat(fh.fileno()).st_size != entry.bytes:
                        raise BundleError(f"feed {feed_id}: {path} is not the {entry.bytes} bytes the manifest records", "run riskagent feeds update")
                    reader = _HashingReader(fh)
                    tf.addfile(_member(entry.file, entry.bytes, os.fstat(fh.fileno()).st_mtime), reader)
                    if reader.digest.hexdigest() != entry.sha256 or reader.size != entry.bytes:
                        raise BundleError(f"feed {feed_id}: {path} does not match the sha256 in the manifest", "run riskagent feeds update")
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, out_file)
    except OSError as exc:
        raise AgentError(f"cannot write {out_file}: {exc.strerror or exc}", "nothing was written") from None
    finally:
        _discard(tmp)
    return manifest


def _member(name: str, size: int, mtime: float) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mode = 0o644
    info.mtime = int(mtime)
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


_SPEC_BY_FILE: Mapping[str, FeedSpec] = {s.file: s for s in FEEDS.values()}


def import_bundle(bundle: Path, feeds_dir: Path) -> Manifest:
    """Install the feeds of ``bundle`` into ``feeds_dir`` after checking every one; returns the bundle's manifest
    (the directory's manifest keeps its entries for feeds the bundle does not hold)."""
    ensure_dir(feeds_dir, "feed directory")
    with _locked(feeds_dir):
        try:
            current = read_manifest(feeds_dir)
        except FeedError as exc:
            raise AgentError(str(exc), "remove the manifest; the import then installs the bundle's feeds") from None
        staged: Dict[str, Tuple[Path, str, int]] = {}
        try:
            bundled = _stage_bundle(bundle, feeds_dir, staged)
            missing = sorted(set(bundled.feeds) - set(staged))
            if missing:
                raise BundleError(f"{bundle}: the manifest lists {', '.join(missing)} but the bundle does not hold the file")
            extra = sorted(set(staged) - set(bundled.feeds))
            if extra:
                raise BundleError(f"{bundle}: {', '.join(extra)} is in the bundle but not in its manifest")
            for feed_id, (tmp, sha256, size) in staged.items():
                entry = bundled.feeds[feed_id]
                if sha256 != entry.sha256 or size != entry.bytes:
                    raise BundleError(
                        f"{bundle}: {entry.file} does not match its manifest entry (sha256 {sha256[:12]}…, {size} bytes; "
                        f"expected {entry.sha256[:12]}…, {entry.bytes} bytes)",
                        "the bundle was altered or damaged in transit; export it again",
                    )
                try:
                    FEEDS[feed_id].validate(tmp)
                except FeedFormatError as exc:
                    raise BundleError(f"{bundle}: {entry.file} is not a valid {FEEDS[feed_id].title} file: {exc}") from None
            manifest = current
            for feed_id, (tmp, _, _) in staged.items():
                os.replace(tmp, feed_path(feeds_dir, feed_id))
                manifest = manifest.with_entry(bundled.feeds[feed_id])
            _write_manifest(feeds_dir, manifest)
        finally:
            for tmp, _, _ in staged.values():
                _discard(tmp)
    return bundled


def _stage_bundle(bundle: Path, feeds_dir: Path, staged: Dict[str, Tuple[Path, str, int]]) -> Manifest:
    """Copy the bundle's feed members into temporary files in ``feeds_dir`` (recorded in ``staged`` as they are
    made, so the caller removes them whatever happens) and return the bundled manifest."""
    manifest_data: Optional[bytes] = None
    seen: set[str] = set()
    try:
        with tarfile.open(bundle, mode="r:*") as tf:
            while True:
                member = tf.next()
                if member is None:
                    break
                name = member.name
                if name.startswith("/") or ".." in name.split("/") or "/" in name or "\\" in name:
                    raise BundleError(f"{bundle}: member {name!r} is a path outside the feed directory; refused")
                if not member.isreg():
                    kind = "link" if member.issym() or member.islnk() else "non-regular member"
                    raise BundleError(f"{bundle}: member {name!r} is a {kind}; only plain files are accepted")
                if name in seen:
                    raise BundleError(f"{bundle}: member {name!r} appears twice")
                seen.add(name)
                if name == MANIFEST_NAME:
                    if member.size > MAX_MANIFEST_BYTES:
                        raise BundleError(f"{bundle}: {name} is larger than {MAX_MANIFEST_BYTES} bytes")
                    fh = tf.extractfile(member)
                    manifest_data = fh.read(MAX_MANIFEST_BYTES + 1) if fh is not None else b""
                    continue
                if name not in FEED_FILES:
                    raise BundleError(f"{bundle}: member {name!r} is not a feed file ({', '.join(sorted(FEED_FILES))})")
                spec = _SPEC_BY_FILE[name]
                if member.size > spec.max_bytes:
                    raise BundleError(f"{bundle}: {name} is {member.size} bytes, more than the cap of {spec.max_bytes}")
                src = tf.extractfile(member)
                if src is None:
                    raise BundleError(f"{bundle}: cannot read member {name!r}")
                target = feed_path(feeds_dir, spec.id)
                fd, tmp = _create_temporary(target)
                staged[spec.id] = (tmp, "", 0)
                digest = hashlib.sha256()
                size = 0
                with os.fdopen(fd, "wb") as out:
                    while True:
                        chunk = src.read(CHUNK)
                        if not chunk:
                            break
                        size += len(chunk)
                        if size > spec.max_bytes:
                            raise BundleError(f"{bundle}: {name} is larger than the cap of {spec.max_bytes}")
                        digest.update(chunk)
                        out.write(chunk)
                    out.flush()
                    os.fsync(out.fileno())
                staged[spec.id] = (tmp, digest.hexdigest(), size)
    except (tarfile.TarError, EOFError) as exc:
        raise BundleError(f"{bundle}: not a readable tar archive: {exc}") from None
    except FileNotFoundError:
        raise UsageError(f"{bundle} does not exist") from None
    except OSError as exc:
        raise AgentError(f"cannot import {bundle}: {exc.strerror or exc}", "nothing was changed") from None
    if manifest_data is None:
        raise BundleError(f"{bundle}: no {MANIFEST_NAME} in the bundle")
    try:
        return parse_manifest(manifest_data, f"{bundle}:{MANIFEST_NAME}")
    except FeedError as exc:
        raise BundleError(str(exc)) from None


def failure_lines(result: UpdateResult) -> List[str]:
    return [f"{f.id}: {f.url}: {f.reason}" for f in result.failed]


def entry_json(entries: Sequence[FeedEntry]) -> List[Dict[str, Any]]:
    return [dict(e.to_json(), id=e.id) for e in entries]
