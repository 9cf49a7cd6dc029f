"""The vulnerability feed directory: which feeds exist, their manifest, and checks of their format.

A feed directory (default ``/var/lib/riskagent/feeds``) holds ``manifest.json``
and one file per feed, stored exactly as downloaded, so a file's sha256 is the
publisher's bytes and a scan can name the data it used by digest. This module
is the read side (collectors never write): :func:`read_manifest`,
:func:`feed_path`, :func:`show`, :func:`stale`, and the format validators that
both ``feeds update`` and ``feeds import`` run before a file may replace the
current one. Downloading, storing and bundling live in ``agent.feeds``.

Sources, and why each (every one is a single file, so the manifest's sha256
covers the whole feed, and every one opens with the standard library):

* ``debian``: the Debian Security Tracker JSON: per source package and CVE,
  each release's status and *Debian's* fixed version (backports included),
  urgency and ``nodsa`` notes. It states no date of its own.
* ``dsa`` and ``dla``: the security tracker's ``data/DSA/list`` and
  ``data/DLA/list`` (from its git repository on salsa.debian.org): the tracker
  JSON names no advisories, these lists map each DSA/DLA to its CVEs and fixed
  versions per release, so a finding can name the advisory. Newest first; the
  newest entry's date is the feed's date.
* ``ubuntu``: Canonical's OSV tarball (``osv-all.tar.xz`` from
  security-metadata.canonical.com): Ubuntu's own CVE and USN records in OSV,
  with fixed versions per Ubuntu release in Ubuntu's version ordering. Chosen
  over the per-release OVAL XML files because it is one download for every
  release, JSON rather than OVAL's indirections (definition → test → object →
  state), and the same record format as the Red Hat and openEuler feeds.
* ``redhat``: Red Hat's advisories in OSV as exported by OSV.dev
  (``Red Hat/all.zip``): Red Hat publishes its CSAF advisories to OSV.dev,
  which keeps per-ecosystem zips. Chosen over the CSAF VEX archive because that
  archive is ``.tar.zst`` (zstd is not in Python's standard library before
  3.14) behind a second lookup (``archive_latest.txt``), and over OVAL v2
  because that is one file per RHEL release and no longer Red Hat's primary
  format. The zip gives the fixed NEVRA per RHEL stream, which is what the
  rpm matching needs.
* ``openeuler``: openEuler's advisories in OSV as exported by OSV.dev
  (``openEuler/all.zip``): the openEuler security committee publishes its
  advisories in OSV and is an official OSV.dev source. Its CVRF/CSAF
  publications are one XML/JSON file per advisory (thousands of downloads with
  no archive), so no single digest could name them.
* ``kev``: CISA's Known Exploited Vulnerabilities JSON (``dateReleased``).
* ``epss``: FIRST's EPSS scores, ``epss_scores-current.csv.gz`` (its first line
  states ``score_date``).

An archive is validated by opening it and reading every member (CRCs and xz
checks included), within a cap on the unpacked size. The archive and CSV
modules are imported by the validators only: a scan reads the manifest alone.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence

DEFAULT_FEEDS_DIR = Path("/var/lib/riskagent/feeds")
MANIFEST_NAME = "manifest.json"
MANIFEST_FORMAT = 1
MAX_MANIFEST_BYTES = 1024 * 1024
DEFAULT_MAX_AGE_DAYS = 7
MiB = 1024 * 1024


class FeedError(ValueError):
    """A feed directory or manifest that cannot be used; the message says which file and why."""


class FeedFormatError(ValueError):
    """A feed file that is not in its feed's format (corrupt, truncated, or something else entirely)."""


Validator = Callable[[Path], Optional[str]]
"""Checks a feed file's format; returns the date the feed states (RFC 3339 UTC) or None; raises FeedFormatError."""


@dataclass(frozen=True)
class FeedSpec:
    """One feed: where it comes from, the file it is stored as, how large it may be, and how to check it."""

    id: str
    url: str
    file: str
    title: str
    max_bytes: int
    validate: Validator


@dataclass(frozen=True)
class FeedEntry:
    """A stored feed as the manifest records it."""

    id: str
    url: str
    file: str
    sha256: str
    bytes: int
    fetched_at: str  # RFC 3339 UTC, when it was downloaded
    source_date: Optional[str]  # the date the feed itself states (RFC 3339 UTC), if it states one

    def to_json(self) -> Dict[str, Any]:
        return {
            "url": self.url,
            "file": self.file,
            "sha256": self.sha256,
            "bytes": self.bytes,
            "fetched_at": self.fetched_at,
            "source_date": self.source_date,
        }

    @property
    def date(self) -> str:
        """The date the data is as of: the feed's own, else when it was fetched."""
        return self.source_date or self.fetched_at


@dataclass(frozen=True)
class Manifest:
    format: int
    feeds: Mapping[str, FeedEntry]

    def to_json(self) -> Dict[str, Any]:
        return {"format": self.format, "feeds": {k: self.feeds[k].to_json() for k in sorted(self.feeds)}}

    def encode(self) -> bytes:
        return (json.dumps(self.to_json(), ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")

    def with_entry(self, entry: FeedEntry) -> Manifest:
        feeds = dict(self.feeds)
        feeds[entry.id] = entry
        return Manifest(self.format, MappingProxyType(feeds))


EMPTY_MANIFEST = Manifest(MANIFEST_FORMAT, MappingProxyType({}))


@dataclass(frozen=True)
class FeedRow:
    """One line of ``feeds show``."""

    id: str
    file: str
    present: bool
    date: Optional[str]
    source_date: Optional[str]
    fetched_at: Optional[str]
    age_days: Optional[float]
    sha256_prefix: Optional[str]
    bytes: Optional[int]

    def to_json(self) -> Dict[str, Any]:
        return {
            "id": self.id,
            "file": self.file,
            "present": self.present,
            "date": self.date,
            "source_date": self.source_date,
            "fetched_at": self.fetched_at,
            "age_days": self.age_days,
            "sha256_prefix": self.sha256_prefix,
            "bytes": self.bytes,
        }


@dataclass(frozen=True)
class StaleFeed:
    id: str
    date: str
    age_days: float


# ------------------------------------------------------------------------------------------ dates

_DATE_RE = re.compile(
    r"(?P<d>[0-9]{4}-[0-9]{2}-[0-9]{2})(?:[T ](?P<t>[0-9]{2}:[0-9]{2}(?::[0-9]{2})?)(?:\.[0-9]+)?)?(?P<z>Z|[+-][0-9]{2}:?[0-9]{2})?",
    re.ASCII,
)


def normalise_date(text: str) -> Optional[str]:
    """A date or timestamp as a feed writes it (``2025-08-25``, ``2025-08-25T17:04:19.9796Z``,
    ``2025-08-25T00:00:00+0000``) as RFC 3339 UTC with whole seconds; None if it is not one."""
    m = _DATE_RE.fullmatch(text.strip())
    if m is None:
        return None
    t = m.group("t") or "00:00:00"
    if len(t) == 5:
        t += ":00"
    zone = m.group("z") or "Z"
    if zone != "Z" and ":" not in zone:
        zone = zone[:3] + ":" + zone[3:]
    try:
        when = dt.datetime.fromisoformat(f"{m.group('d')}T{t}{'+00:00' if zone == 'Z' else zone}")
    except ValueError:
        return None
    return when.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_rfc3339(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc)


def utc_now_text(now: Optional[dt.datetime] = None) -> str:
    return (now or dt.datetime.now(dt.timezone.utc)).astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# ------------------------------------------------------------------------------------------ validators

MAX_UNPACKED_RATIO = 40  # an archive may unpack to at most this many times its size (gzip/xz bombs)


def _load_json(path: Path) -> Any:
    try:
        with open(path, "rb") as fh:
            return json.load(fh)
    except (ValueError, UnicodeDecodeError) as exc:
        raise FeedFormatError(f"not valid JSON: {exc}") from None


def validate_debian(path: Path) -> Optional[str]:
    """Debian tracker JSON: {source package: {CVE or TEMP id: {"releases": {release: {"status": ...}}}}}."""
    doc = _load_json(path)
    if not isinstance(doc, dict) or not doc:
        raise FeedFormatError("expected a JSON object of source packages")
    seen = 0
    for package, issues in doc.items():
        if not isinstance(issues, dict):
            raise FeedFormatError(f"package {package!r}: expected an object of issues")
        for issue, record in issues.items():
            if not isinstance(record, dict) or not isinstance(record.get("releases", {}), dict):
                raise FeedFormatError(f"{package} {issue}: expected an object with 'releases'")
            seen += 1
    if not seen:
        raise FeedFormatError("no issues in any package")
    return None


def validate_kev(path: Path) -> Optional[str]:
    """CISA KEV JSON: {"catalogVersion", "dateReleased", "count", "vulnerabilities": [{"cveID", ...}]}."""
    doc = _load_json(path)
    if not isinstance(doc, dict) or not isinstance(doc.get("vulnerabilities"), list):
        raise FeedFormatError("expected a JSON object with a 'vulnerabilities' list")
    for i, v in enumerate(doc["vulnerabilities"]):
        if not isinstance(v, dict) or not isinstance(v.get("cveID"), str):
            raise FeedFormatError(f"vulnerabilities[{i}] has no cveID")
    count = doc.get("count")
    if isinstance(count, int) and count != len(doc["vulnerabilities"]):
        raise FeedFormatError(f"count says {count} but the catalogue lists {len(doc['vulnerabilities'])}")
    released = doc.get("dateReleased")
    return normalise_date(released) if isinstance(released, str) else None


EPSS_COLUMNS = ["cve", "epss", "percentile"]


def validate_epss(path: Path) -> Optional[str]:
    """EPSS CSV.gz: ``#model_version:...,score_date:...``, then ``cve,epss,percentile``, then rows."""
    import csv
    import gzip
    import io
    import zlib
    limit = max(path.stat().st_size * MAX_UNPACKED_RATIO, 64 * MiB)
    try:
        with gzip.open(path, "rb") as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
            first = text.readline(4096)
            if not first.startswith("#model_version:"):
                raise FeedFormatError("the first line is not '#model_version:...,score_date:...'")
            meta = dict(part.split(":", 1) for part in first.lstrip("#").strip().split(",") if ":" in part)
            rows = csv.reader(text)
            header = next(rows, None)
            if header != EPSS_COLUMNS:
                raise FeedFormatError(f"expected the header cve,epss,percentile, found {header!r}")
            count = 0
            for row in rows:
                if len(row) != 3 or not row[0].startswith("CVE-"):
                    raise FeedFormatError(f"row {count + 1}: not a CVE score row: {row[:3]!r}")
                try:
                    score, pct = float(row[1]), float(row[2])
                except ValueError:
                    raise FeedFormatError(f"row {count + 1}: scores are not numbers") from None
                if not (0.0 <= score <= 1.0 and 0.0 <= pct <= 1.0):
                    raise FeedFormatError(f"row {count + 1}: scores outside 0..1")
                count += 1
                if raw.tell() > limit:
                    raise FeedFormatError(f"unpacks to more than {limit} bytes")
            if not count:
                raise FeedFormatError("no score rows")
    except (OSError, EOFError, zlib.error, UnicodeDecodeError, csv.Error) as exc:
        raise FeedFormatError(f"not a readable gzip CSV: {exc}") from None
    score_date = meta.get("score_date")
    return normalise_date(score_date) if score_date else None


_ADVISORY_HEAD = re.compile(r"\[(?P<day>[0-9]{1,2}) (?P<mon>[A-Z][a-z]{2}) (?P<year>[0-9]{4})\] D[SL]A-[0-9]+(?:-[0-9]+)? ", re.ASCII)
_MONTHS = {m: i for i, m in enumerate(("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1)}


def validate_advisory_list(path: Path) -> Optional[str]:
    """The security tracker's ``data/DSA/list`` or ``data/DLA/list``: entries ``[DD Mon YYYY] DSA-NNNN-N package - ...``
    each followed by tab-indented ``{CVE ...}`` and ``[release] - package version`` lines, newest first.
    Returns the date of the newest entry."""
    newest: Optional[str] = None
    entries = 0
    try:
        with open(path, encoding="utf-8") as fh:
            for number, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                if line[0] in "\t ":
                    if not entries:
                        raise FeedFormatError(f"line {number}: an indented line before the first advisory")
                    continue
                m = _ADVISORY_HEAD.match(line)
                if m is None:
                    raise FeedFormatError(f"line {number}: not an advisory line ([DD Mon YYYY] DSA-NNNN-N ...)")
                entries += 1
                if newest is None:
                    if m.group("mon") not in _MONTHS:
                        raise FeedFormatError(f"line {number}: unknown month {m.group('mon')!r}")
                    newest = normalise_date(f"{m.group('year')}-{_MONTHS[m.group('mon')]:02d}-{int(m.group('day')):02d}")
    except UnicodeDecodeError as exc:
        raise FeedFormatError(f"not UTF-8 text: {exc}") from None
    if not entries:
        raise FeedFormatError("no advisories")
    return newest


def _check_osv_record(name: str, data: bytes) -> None:
    try:
        record = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise FeedFormatError(f"{name}: not valid JSON: {exc}") from None
    if not isinstance(record, dict) or not isinstance(record.get("id"), str):
        raise FeedFormatError(f"{name}: not an OSV record (no 'id')")


def validate_osv_zip(path: Path) -> Optional[str]:
    """An OSV.dev ecosystem export: a zip of OSV JSON records; every member is read (CRC checked)."""
    import zipfile
    import zlib
    limit = max(path.stat().st_size * MAX_UNPACKED_RATIO, 64 * MiB)
    try:
        with zipfile.ZipFile(path) as zf:
            infos = [i for i in zf.infolist() if not i.is_dir()]
            if not any(i.filename.endswith(".json") for i in infos):
                raise FeedFormatError("the zip holds no .json records")
            if sum(i.file_size for i in infos) > limit:
                raise FeedFormatError(f"unpacks to more than {limit} bytes")
            checked = False
            for info in infos:
                data = zf.read(info)  # raises BadZipFile on a CRC mismatch
                if not checked and info.filename.endswith(".json"):
                    _check_osv_record(info.filename, data)
                    checked = True
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError) as exc:
        raise FeedFormatError(f"not a readable zip archive: {exc}") from None
    return None


def validate_osv_tar(path: Path) -> Optional[str]:
    """Canonical's OSV tarball: a tar (xz, gzip or plain) of OSV JSON records; every member is read."""
    import tarfile
    import zlib
    limit = max(path.stat().st_size * MAX_UNPACKED_RATIO, 64 * MiB)
    total = 0
    records = 0
    try:
        with tarfile.open(path, "r:*") as tf:
            for member in tf:
                if not member.isfile():
                    continue
                total += member.size
                if total > limit:
                    raise FeedFormatError(f"unpacks to more than {limit} bytes")
                fh = tf.extractfile(member)
                data = fh.read() if fh is not None else b""
                if member.name.endswith(".json"):
                    if not records:
                        _check_osv_record(member.name, data)
                    records += 1
            rest = tf.fileobj
            while rest is not None:  # on to the end of the compressed stream, so its integrity check is read too
                chunk = rest.read(1024 * 1024)
                if not chunk:
                    break
                total += len(chunk)
                if total > limit:
                    raise FeedFormatError(f"unpacks to more than {limit} bytes")
    except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
        raise FeedFormatError(f"not a readable tar archive: {exc}") from None
    if not records:
        raise FeedFormatError("the archive holds no .json records")
    return None


# ------------------------------------------------------------------------------------------ the feeds

FEEDS: Mapping[str, FeedSpec] = MappingProxyType(
    {
        spec.id: spec
        for spec in (
            FeedSpec(
                "debian",
                "https://security-tracker.debian.org/tracker/data/json",
                "debian.json",
                "Debian Security Tracker (JSON)",
                512 * MiB,
                validate_debian,
            ),
            FeedSpec(
                "dsa",
                "https://salsa.debian.org/security-tracker-team/security-tracker/-/raw/master/data/DSA/list",
                "dsa.list",
                "Debian Security Advisories list (security tracker data/DSA/list)",
                64 * MiB,
                validate_advisory_list,
            ),
            FeedSpec(
                "dla",
                "https://salsa.debian.org/security-tracker-team/security-tracker/-/raw/master/data/DLA/list",
                "dla.list",
                "Debian LTS Advisories list (security tracker data/DLA/list)",
                64 * MiB,
                validate_advisory_list,
            ),
            FeedSpec(
                "ubuntu",
                "https://security-metadata.canonical.com/osv/osv-all.tar.xz",
                "ubuntu-osv.tar.xz",
                "Ubuntu CVE and USN records (OSV, Canonical)",
                1024 * MiB,
                validate_osv_tar,
            ),
            FeedSpec(
                "redhat",
                "https://osv-vulnerabilities.storage.googleapis.com/Red%20Hat/all.zip",
                "redhat-osv.zip",
                "Red Hat advisories (OSV, via OSV.dev)",
                2048 * MiB,
                validate_osv_zip,
            ),
            FeedSpec(
                "openeuler",
                "https://osv-vulnerabilities.storage.googleapis.com/openEuler/all.zip",
                "openeuler-osv.zip",
                "openEuler advisories (OSV, via OSV.dev)",
                512 * MiB,
                validate_osv_zip,
            ),
            FeedSpec(
                "kev",
                "https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json",
                "kev.json",
                "CISA Known Exploited Vulnerabilities",
                64 * MiB,
                validate_kev,
            ),
            FeedSpec(
                "epss",
                "https://epss.cyentia.com/epss_scores-current.csv.gz",
                "epss.csv.gz",
                "FIRST EPSS scores",
                128 * MiB,
                validate_epss,
            ),
        )
    }
)
FEED_FILES = frozenset(spec.file for spec in FEEDS.values())


def spec(feed_id: str) -> FeedSpec:
    try:
        return FEEDS[feed_id]
    except KeyError:
        raise FeedError(f"unknown feed {feed_id!r} (known: {', '.join(FEEDS)})") from None


def feed_path(feeds_dir: Path, feed_id: str) -> Path:
    """Where feed ``feed_id`` is stored in ``feeds_dir`` (whether or not it is there)."""
    return Path(feeds_dir) / spec(feed_id).file


def manifest_path(feeds_dir: Path) -> Path:
    return Path(feeds_dir) / MANIFEST_NAME


# ------------------------------------------------------------------------------------------ manifest

_SHA256_RE = re.compile(r"[0-9a-f]{64}", re.ASCII)
_ENTRY_KEYS = {"url", "file", "sha256", "bytes", "fetched_at", "source_date"}


def parse_manifest(data: bytes, where: str = MANIFEST_NAME) -> Manifest:
    """A manifest from its bytes; anything unexpected (unknown feed, wrong file name, bad digest) is a FeedError."""

    def bad(why: str) -> FeedError:
        return FeedError(f"{where}: {why}")

    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise bad(f"not valid JSON: {exc}") from None
    if not isinstance(doc, dict) or set(doc) != {"format", "feeds"} or not isinstance(doc["feeds"], dict):
        raise bad('expected {"format": 1, "feeds": {...}}')
    if doc["format"] != MANIFEST_FORMAT:
        raise bad(f"format {doc['format']!r} is not {MANIFEST_FORMAT}")
    entries: Dict[str, FeedEntry] = {}
    for feed_id, raw in doc["feeds"].items():
        if feed_id not in FEEDS:
            raise bad(f"unknown feed {feed_id!r}")
        if not isinstance(raw, dict) or set(raw) != _ENTRY_KEYS:
            raise bad(f"feed {feed_id}: expected the keys {', '.join(sorted(_ENTRY_KEYS))}")
        if raw["file"] != FEEDS[feed_id].file:
            raise bad(f"feed {feed_id}: file {raw['file']!r} is not {FEEDS[feed_id].file!r}")
        if not isinstance(raw["sha256"], str) or not _SHA256_RE.fullmatch(raw["sha256"]):
            raise bad(f"feed {feed_id}: sha256 is not 64 lower-case hex digits")
        if not isinstance(raw["bytes"], int) or isinstance(raw["bytes"], bool) or raw["bytes"] < 0:
            raise bad(f"feed {feed_id}: bytes is not a size")
        for key in ("fetched_at", "source_date"):
            value = raw[key]
            if key == "source_date" and value is None:
                continue
            if not isinstance(value, str) or normalise_date(value) != value:
                raise bad(f"feed {feed_id}: {key} is not an RFC 3339 UTC time (YYYY-MM-DDTHH:MM:SSZ)")
        if not isinstance(raw["url"], str):
            raise bad(f"feed {feed_id}: url is not a string")
        entries[feed_id] = FeedEntry(
            feed_id, raw["url"], raw["file"], raw["sha256"], raw["bytes"], raw["fetched_at"], raw["source_date"]
        )
    return Manifest(MANIFEST_FORMAT, MappingProxyType(entries))


def read_manifest(feeds_dir: Path) -> Manifest:
    """The manifest of ``feeds_dir``; an empty one if the directory or manifest does not exist yet."""
    path = manifest_path(feeds_dir)
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_MANIFEST_BYTES + 1)
    except FileNotFoundError:
        return EMPTY_MANIFEST
    except OSError as exc:
        raise FeedError(f"cannot read {path}: {exc.strerror or exc}") from None
    if len(data) > MAX_MANIFEST_BYTES:
        raise FeedError(f"{path} is larger than {MAX_MANIFEST_BYTES} bytes")
    return parse_manifest(data, str(path))


# ------------------------------------------------------------------------------------------ age

def age_days(date: str, now: dt.datetime) -> float:
    return round((now - parse_rfc3339(date)).total_seconds() / 86400.0, 1)


def show(feeds_dir: Path, now: Optional[dt.datetime] = None) -> List[FeedRow]:
    """Every known feed, present or not, with its date, age in days, digest prefix and size."""
    manifest = read_manifest(feeds_dir)
    when = now or dt.datetime.now(dt.timezone.utc)
    rows: List[FeedRow] = []
    for feed_id, s in FEEDS.items():
        entry = manifest.feeds.get(feed_id)
        present = entry is not None and feed_path(feeds_dir, feed_id).is_file()
        if entry is None:
            rows.append(FeedRow(feed_id, s.file, False, None, None, None, None, None, None))
            continue
        rows.append(
            FeedRow(
                feed_id,
                s.file,
                present,
                entry.date,
                entry.source_date,
                entry.fetched_at,
                age_days(entry.date, when),
                entry.sha256[:12],
                entry.bytes,
            )
        )
    return rows


def stale(manifest: Manifest, max_age_days: float = DEFAULT_MAX_AGE_DAYS, now: Optional[dt.datetime] = None) -> List[StaleFeed]:
    """The feeds in ``manifest`` whose data is older than ``max_age_days`` (by the feed's own date, else
    when it was fetched). Missing feeds are not listed: compare ``manifest.feeds`` with the feeds needed."""
    when = now or dt.datetime.now(dt.timezone.utc)
    out: List[StaleFeed] = []
    for feed_id in sorted(manifest.feeds):
        entry = manifest.feeds[feed_id]
        age = age_days(entry.date, when)
        if age > max_age_days:
            out.append(StaleFeed(feed_id, entry.date, age))
    return out


def known_ids(ids: Sequence[str]) -> List[str]:
    """``ids`` checked against FEEDS (FeedError names an unknown one), in FEEDS order, without repeats."""
    for feed_id in ids:
        spec(feed_id)
    return [f for f in FEEDS if f in set(ids)]
