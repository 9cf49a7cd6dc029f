"""OSV records of Ubuntu, Red Hat and openEuler, streamed from the stored feeds, and the matching rule.

The feeds (``collectors.vuln.feeds``): ``ubuntu`` is Canonical's tarball of
OSV records (``osv-all.tar.xz``), ``redhat`` and ``openeuler`` are OSV.dev's
per-ecosystem zips. A full feed is hundreds of MB unpacked, so it is read one
member at a time (:func:`iter_members`) and a member is decoded only when its
bytes name one of the host's ecosystems and one of its installed packages
(:class:`Prefilter`); memory holds one member and the entries that apply.

Fields relied on, per the OSV schema (ossf.github.io/osv-schema) and the
sources' own records:

- ``id``; ``upstream`` and ``aliases`` for the CVE ids (Canonical, Red Hat and
  openEuler put the CVEs in ``upstream``; an id that is itself ``CVE-...``
  counts too); ``withdrawn`` (a withdrawn record is skipped: Canonical withdrew
  UBUNTU-CVE-2024-3094, for example); ``published`` as the date of the fix.
- ``affected[].package.ecosystem`` and ``.name``, and ``ranges[]`` of type
  ``ECOSYSTEM`` with ``introduced``/``fixed``/``last_affected``/``limit``
  events. The ``versions`` lists are not used: the ranges are what the
  sources define as authoritative, and a list misses unreleased versions.
- Ecosystems: Ubuntu ``Ubuntu:22.04:LTS``, ``Ubuntu:24.10``, and
  ``Ubuntu:Pro:22.04:LTS`` for fixes published through Ubuntu Pro/ESM (both
  are matched: a Pro fix is a fix the host can get; ``Ubuntu:Pro:FIPS...``
  streams are not, their versions are a different lineage). Red Hat
  ``Red Hat:enterprise_linux:9::baseos`` (any repository of the major
  release's main stream, or the minor-versioned ``...:10.0`` streams of
  RHEL 10; EUS/AUS/E4S streams are not the host's). openEuler
  ``openEuler:22.03-LTS-SP3``, from os-release ``VERSION="22.03 (LTS-SP3)"``.
- Package names: Ubuntu and openEuler name the *source* package; Ubuntu lists
  its binaries in ``ecosystem_specific.binaries[].binary_name``, openEuler as
  RPM file names per architecture in ``ecosystem_specific`` (``x86_64``,
  ``aarch64``, ``noarch``, ``src``). Red Hat names each *binary* RPM in its own
  ``affected`` entry. ``rpm -qa`` gives binary names only, so RPM binaries are
  found through those lists (openEuler) or directly (Red Hat).
- Severity: Ubuntu's priority (``severity[]`` of type ``Ubuntu``), openEuler's
  ``database_specific.severity``, Red Hat's impact (the ``summary`` prefix,
  ``Important: ...``); CVSS v3 vectors (``severity[]`` of type ``CVSS_V3``)
  give the base score (computed here by the CVSS 3.1 formula). CVSS v4 vectors
  are not scored.
- Advisory: the USN that fixed that version (from the USN records in the same
  tarball: ``affected`` of ``USN-...`` records, keyed by package and fixed
  version); the record id itself for Red Hat (``RHSA-2024:4312``); for
  openEuler the ``openEuler-SA-...`` id of its ADVISORY reference (the record
  id ``OESA-...`` with the prefix of the bulletins otherwise).

Why a backported fix is not reported as open: the ``fixed`` event of an entry
is the distribution's own build for that release (``3.0.2-0ubuntu1.8``,
``1.1.1wa-3.oe2203sp3``, ``0:8.7p1-38.el9_4.1``), compared with the installed
version by that distribution's ordering (dpkg, rpmvercmp). Upstream's version
(OpenSSL fixed CVE-2023-0286 in 3.0.8) never enters the comparison, so
3.0.2-0ubuntu1.8 is fixed although 3.0.2 < 3.0.8. And when several entries of
the host's release speak about one CVE (two RHSAs for two minor streams, a
standard and a Pro entry), an installed version at or after any entry's fix
is fixed: a later build of the same package carries the earlier backports.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from functools import cmp_to_key
from pathlib import Path
from typing import (
    IO,
    AbstractSet,
    Any,
    Callable,
    Dict,
    FrozenSet,
    Iterator,
    List,
    Mapping,
    Optional,
    Sequence,
    Set,
    Tuple,
    cast,
)

from collectors.host.debversion import compare as dpkg_compare
from collectors.host.debversion import rpm_compare
from collectors.vuln.facts import SEVERITIES, MatchFacts, ServiceFacts
from collectors.vuln.feeddata import KevEntry
from collectors.vuln.match import Installed, _service_of, severity

MiB = 1024 * 1024
MAX_RECORD_BYTES = 64 * MiB  # one OSV record; Red Hat kernel advisories are a few MB
READ_CHUNK = MiB

OSV_FEEDS = ("ubuntu", "redhat", "openeuler")
FEED_TITLES = {"ubuntu": "Ubuntu OSV (Canonical)", "redhat": "Red Hat OSV (OSV.dev)", "openeuler": "openEuler OSV (OSV.dev)"}


class OsvError(ValueError):
    """A feed that cannot be read; the message names the file and the member."""


# -- the host's release ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Release:
    """The host's release as a feed names it: which feed, which package manager, which ecosystems."""

    feed: str  # ubuntu, redhat, openeuler
    manager: str  # dpkg, rpm
    suite: str  # the ecosystem of the release: Ubuntu:22.04:LTS, Red Hat:enterprise_linux:9.4, openEuler:22.03-LTS-SP3

    @property
    def markers(self) -> Tuple[bytes, ...]:
        """Byte strings one of which a member must contain to be decoded at all."""
        if self.feed == "ubuntu":
            return tuple(f'"{e}"'.encode() for e in self.ubuntu_ecosystems)
        if self.feed == "redhat":
            return (f'"Red Hat:enterprise_linux:{self._rhel()[0]}'.encode(),)
        return (f'"{self.suite}"'.encode(),)

    @property
    def ubuntu_ecosystems(self) -> Tuple[str, ...]:
        rest = self.suite.split(":", 1)[1]  # 22.04:LTS or 24.10
        return (self.suite, f"Ubuntu:Pro:{rest}") if rest.endswith(":LTS") else (self.suite,)

    def _rhel(self) -> Tuple[str, str]:
        version = self.suite.rsplit(":", 1)[1]
        major, _, minor = version.partition(".")
        return major, minor

    def accepts(self, ecosystem: str) -> bool:
        if self.feed == "ubuntu":
            return ecosystem in self.ubuntu_ecosystems
        if self.feed == "openeuler":
            return ecosystem == self.suite
        major, minor = self._rhel()
        base = f"Red Hat:enterprise_linux:{major}"
        if ecosystem == base or ecosystem.startswith(base + "::"):
            return True
        exact = f"{base}.{minor}" if minor else None
        return exact is not None and (ecosystem == exact or ecosystem.startswith(exact + "::"))

    def compare(self, a: str, b: str) -> int:
        return dpkg_compare(a, b) if self.manager == "dpkg" else rpm_compare(a, b)


RHEL_LIKE = ("rhel", "centos", "rocky", "almalinux")


def release_of(info: Mapping[str, str]) -> Optional[Release]:
    """The release of an os-release(5) mapping, or None when no OSV feed covers it."""
    os_id = info.get("ID", "").lower()
    like = info.get("ID_LIKE", "").lower().split()
    version_id = info.get("VERSION_ID", "").strip()
    version = info.get("VERSION", "")
    if not re.fullmatch(r"\d+(?:\.\d+)*", version_id):
        return None
    if os_id == "ubuntu":
        lts = "LTS" in version.upper()
        return Release("ubuntu", "dpkg", f"Ubuntu:{version_id}:LTS" if lts else f"Ubuntu:{version_id}")
    if os_id == "openeuler":
        m = re.search(r"LTS(?:[-_ ]?SP(\d+))?", version, re.I)
        tag = ("-LTS" + (f"-SP{m.group(1)}" if m.group(1) else "")) if m else ""
        return Release("openeuler", "rpm", f"openEuler:{version_id}{tag}")
    if os_id in RHEL_LIKE or "rhel" in like:
        return Release("redhat", "rpm", f"Red Hat:enterprise_linux:{version_id}")
    return None


_SUITES = {
    "ubuntu": r"Ubuntu:\d+(?:\.\d+)*(?::LTS)?",
    "redhat": r"Red Hat:enterprise_linux:\d+(?:\.\d+)*",
    "openeuler": r"openEuler:\d+(?:\.\d+)*(?:-LTS(?:-SP\d+)?)?",
}


def release_from_suite(feed: str, suite: str) -> Release:
    """The release a report's facts name (for re-matching); OsvError if they name none."""
    if feed not in _SUITES or not re.fullmatch(_SUITES[feed], suite):
        raise OsvError(f"{suite!r} is not a release of the {feed} feed")
    return Release(feed, "dpkg" if feed == "ubuntu" else "rpm", suite)


# -- reading the archives -------------------------------------------------------------------------


def _too_large(path: Path, name: str) -> OsvError:
    return OsvError(f"{path}: member {name} is larger than {MAX_RECORD_BYTES // MiB} MiB; not an OSV record")


def _read_capped(fh: IO[bytes], path: Path, name: str) -> bytes:
    """A member's bytes, read in chunks (a single ``read(cap)`` would allocate the whole cap up front)."""
    parts: List[bytes] = []
    total = 0
    while True:
        chunk = fh.read(READ_CHUNK)
        if not chunk:
            return b"".join(parts)
        total += len(chunk)
        if total > MAX_RECORD_BYTES:
            raise _too_large(path, name)
        parts.append(chunk)


def _zip_members(path: Path) -> Iterator[Tuple[str, bytes]]:
    import zipfile
    import zlib

    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise OsvError(f"{path}: not a readable zip archive: {exc}") from None
    with zf:
        for info in zf.infolist():
            if info.is_dir() or not info.filename.endswith(".json"):
                continue
            if info.file_size > MAX_RECORD_BYTES:
                raise _too_large(path, info.filename)
            try:
                with zf.open(info) as fh:
                    data = _read_capped(fh, path, info.filename)
            except (zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError) as exc:
                raise OsvError(f"{path}: member {info.filename}: {exc}") from None
            yield info.filename, data


def _decompressed(path: Path, magic: bytes) -> IO[bytes]:
    """The file, through a decompressor whose reads return at most what is asked for.

    tarfile's own stream mode (``r|gz``) decompresses a fixed block of input at a time, which a highly
    compressible feed turns into tens of MB per read; these file objects bound the output instead.
    """
    import bz2
    import gzip
    import lzma

    if magic[:2] == b"\x1f\x8b":
        return cast(IO[bytes], gzip.GzipFile(path, "rb"))
    if magic[:6] == b"\xfd7zXZ\x00":
        return lzma.LZMAFile(path, "rb")
    if magic[:3] == b"BZh":
        return bz2.BZ2File(path, "rb")
    return path.open("rb")


def _tar_members(path: Path, magic: bytes) -> Iterator[Tuple[str, bytes]]:
    import lzma
    import tarfile
    import zlib

    where = "the first member's header"
    try:
        with _decompressed(path, magic) as raw, tarfile.open(fileobj=raw, mode="r|") as tf:  # members in order, none kept
            for member in tf:
                where = f"member {member.name}"
                if member.isfile() and member.name.endswith(".json"):
                    if member.size > MAX_RECORD_BYTES:
                        raise _too_large(path, member.name)
                    fh = tf.extractfile(member)
                    if fh is not None:
                        data = _read_capped(fh, path, member.name)
                        where = f"the header after member {member.name}"
                        yield member.name, data
                where = f"the header after member {member.name}"
    except (tarfile.TarError, lzma.LZMAError, zlib.error, OSError, EOFError) as exc:
        raise OsvError(f"{path}: {where}: {exc or type(exc).__name__}") from None


def iter_members(path: Path) -> Iterator[Tuple[str, bytes]]:
    """(member name, bytes) of every ``.json`` member, one at a time: a zip, or a tar (plain, gzip, xz, bzip2)."""
    try:
        with path.open("rb") as fh:
            magic = fh.read(8)
    except OSError as exc:
        raise OsvError(f"{path}: {exc.strerror or exc}") from None
    return _zip_members(path) if magic[:2] == b"PK" else _tar_members(path, magic)


# -- what a record says about the host -------------------------------------------------------------

_NAME = re.compile(rb'"(?:name|binary_name)"\s*:\s*"([^"\\]+)"')
_RPM_FILE = re.compile(rb'"([A-Za-z0-9_.+-]+)-[^"/\s-]+-[^"/\s-]+\.[A-Za-z0-9_]+\.rpm"')


class Prefilter:
    """Decides from a member's bytes whether it can concern the host (most cannot, and are never decoded):
    it must name one of the release's ecosystems and one of the installed packages (as a package or binary
    name, or, for openEuler, as the name of a binary RPM file)."""

    def __init__(self, release: Release, wanted: AbstractSet[str]) -> None:
        self.markers = release.markers
        self.rpm_files = release.feed == "openeuler"
        self.wanted = frozenset(w.encode("utf-8") for w in wanted)

    def __call__(self, data: bytes) -> bool:
        if not any(m in data for m in self.markers):
            return False
        if not self.wanted.isdisjoint(_NAME.findall(data)):
            return True
        return self.rpm_files and not self.wanted.isdisjoint(_RPM_FILE.findall(data))


Events = Tuple[Tuple[str, str], ...]


@dataclass(frozen=True)
class Entry:
    """One ``affected`` entry of one record that applies to the host's release."""

    record: str
    cves: Tuple[str, ...]
    package: str  # the entry's package name (source for Ubuntu/openEuler, binary for Red Hat)
    binaries: FrozenSet[str]  # binary packages the entry lists (empty: only ``package``)
    ecosystem: str
    ranges: Tuple[Events, ...]
    rating: str  # the distribution's own rating, as it writes it ("" when none)
    cvss: Optional[str]  # CVSS v3 base score computed from the record's vector
    advisory: Optional[str]
    published: Optional[str]  # YYYY-MM-DD


@dataclass(frozen=True)
class Notice:
    """An Ubuntu Security Notice: its id and date."""

    id: str
    date: str


@dataclass
class OsvIndex:
    entries: List[Entry] = field(default_factory=list)
    notices: Dict[Tuple[str, str], Notice] = field(default_factory=dict)  # (source package, fixed version) -> USN
    records: int = 0  # records decoded (after the prefilter)


def _cves(record: Mapping[str, Any]) -> Tuple[str, ...]:
    ids = [str(record.get("id") or "")] + [str(a) for a in (record.get("aliases") or [])]
    ids += [str(u) for u in (record.get("upstream") or [])]
    return tuple(sorted({i for i in ids if re.fullmatch(r"CVE-\d{4}-\d{4,}", i)}))


_CVSS3_WEIGHTS: Dict[str, Dict[str, float]] = {
    "AV": {"N": 0.85, "A": 0.62, "L": 0.55, "P": 0.2},
    "AC": {"L": 0.77, "H": 0.44},
    "UI": {"N": 0.85, "R": 0.62},
    "C": {"H": 0.56, "L": 0.22, "N": 0.0},
    "I": {"H": 0.56, "L": 0.22, "N": 0.0},
    "A": {"H": 0.56, "L": 0.22, "N": 0.0},
}
_PR = {"U": {"N": 0.85, "L": 0.62, "H": 0.27}, "C": {"N": 0.85, "L": 0.68, "H": 0.5}}


def _roundup(value: float) -> float:
    """CVSS 3.1's Roundup: the smallest one-decimal number not below ``value`` (free of float noise)."""
    whole = round(value * 100000)
    return whole / 100000.0 if whole % 10000 == 0 else (math.floor(whole / 10000) + 1) / 10.0


def cvss3_base(vector: str) -> Optional[str]:
    """The base score of a CVSS 3.x vector (``CVSS:3.1/AV:N/...``) as one-decimal text, or None if it is not one."""
    parts = vector.split("/")
    if not parts or not parts[0].startswith("CVSS:3"):
        return None
    metrics = dict(p.split(":", 1) for p in parts[1:] if ":" in p)
    try:
        scope = metrics["S"]
        w = {k: _CVSS3_WEIGHTS[k][metrics[k]] for k in _CVSS3_WEIGHTS}
        pr = _PR[scope][metrics["PR"]]
    except KeyError:
        return None
    iss = 1 - (1 - w["C"]) * (1 - w["I"]) * (1 - w["A"])
    impact = 6.42 * iss if scope == "U" else 7.52 * (iss - 0.029) - 3.25 * (iss - 0.02) ** 15
    exploitability = 8.22 * w["AV"] * w["AC"] * pr * w["UI"]
    if impact <= 0:
        return "0.0"
    total = impact + exploitability if scope == "U" else 1.08 * (impact + exploitability)
    return f"{_roundup(min(total, 10.0)):.1f}"


def _severity(record: Mapping[str, Any], feed: str) -> Tuple[str, Optional[str]]:
    """(the distribution's rating, the highest CVSS v3 base score) of a record."""
    rating = ""
    scores: List[str] = []
    for s in record.get("severity") or []:
        if not isinstance(s, dict):
            continue
        kind, score = str(s.get("type") or ""), str(s.get("score") or "")
        if kind == "CVSS_V3":
            base = cvss3_base(score)
            if base is not None:
                scores.append(base)
        elif kind == "Ubuntu":
            rating = score
    if feed == "openeuler":
        db = record.get("database_specific")
        if isinstance(db, dict) and isinstance(db.get("severity"), str):
            rating = db["severity"]
    elif feed == "redhat":
        m = re.match(r"(Critical|Important|Moderate|Low):", str(record.get("summary") or ""))
        rating = m.group(1) if m else ""
    return rating, max(scores, key=float) if scores else None


def _openeuler_advisory(record: Mapping[str, Any]) -> str:
    for ref in record.get("references") or []:
        m = re.search(r"[?&]id=(openEuler-SA-\d{4}-\d+)", str((ref or {}).get("url") or ""))
        if m and (ref or {}).get("type") == "ADVISORY":
            return m.group(1)
    return re.sub(r"^OESA-", "openEuler-SA-", str(record["id"]))


def _binaries(affected: Mapping[str, Any], feed: str) -> FrozenSet[str]:
    spec = affected.get("ecosystem_specific")
    if not isinstance(spec, dict):
        return frozenset()
    out: Set[str] = set()
    if feed == "ubuntu":
        for b in spec.get("binaries") or []:
            if isinstance(b, dict) and isinstance(b.get("binary_name"), str):
                out.add(b["binary_name"])
    elif feed == "openeuler":
        for arch, files in spec.items():
            if arch == "src" or not isinstance(files, list):
                continue
            for f in files:
                m = re.fullmatch(r"(.+)-[^-]+-[^-]+\.[A-Za-z0-9_]+\.rpm", str(f))
                if m:
                    out.add(m.group(1))
    return frozenset(out)


def _ranges(affected: Mapping[str, Any]) -> Tuple[Events, ...]:
    out: List[Events] = []
    for r in affected.get("ranges") or []:
        if not isinstance(r, dict) or r.get("type") != "ECOSYSTEM":
            continue
        events = tuple(
            (str(k), str(v))
            for ev in (r.get("events") or [])
            if isinstance(ev, dict)
            for k, v in ev.items()
            if k in ("introduced", "fixed", "last_affected", "limit") and isinstance(v, str)
        )
        if events:
            out.append(events)
    return tuple(out)


def _date(record: Mapping[str, Any]) -> Optional[str]:
    value = record.get("published")
    return value[:10] if isinstance(value, str) and re.match(r"\d{4}-\d{2}-\d{2}", value) else None


def read_record(index: OsvIndex, record: Mapping[str, Any], release: Release, wanted: AbstractSet[str]) -> None:
    """Add what ``record`` says about the host's release and installed packages to ``index``."""
    rid = record.get("id")
    if not isinstance(rid, str) or record.get("withdrawn"):
        return
    affected = [a for a in (record.get("affected") or []) if isinstance(a, dict) and isinstance(a.get("package"), dict)]
    if release.feed == "ubuntu" and rid.startswith("USN-"):
        date = _date(record) or ""
        for a in affected:
            pkg = a["package"]
            named = str(pkg.get("name")) in wanted or not _binaries(a, release.feed).isdisjoint(wanted)
            if release.accepts(str(pkg.get("ecosystem"))) and named:
                for events in _ranges(a):
                    for kind, version in events:
                        if kind == "fixed":
                            key = (str(pkg["name"]), version)
                            if key not in index.notices or date < index.notices[key].date:
                                index.notices[key] = Notice(rid, date)
        return
    if release.feed == "ubuntu" and not rid.startswith("UBUNTU-CVE-"):
        return  # Livepatch notices (LSN-...) patch running kernels, not packages
    cves = _cves(record)
    if not cves:
        return
    rating, cvss = _severity(record, release.feed)
    advisory = rid if release.feed == "redhat" else _openeuler_advisory(record) if release.feed == "openeuler" else None
    for a in affected:
        pkg = a["package"]
        ecosystem, name = str(pkg.get("ecosystem") or ""), str(pkg.get("name") or "")
        if not release.accepts(ecosystem):
            continue
        binaries = _binaries(a, release.feed)
        if name not in wanted and binaries.isdisjoint(wanted):
            continue
        ranges = _ranges(a)
        if ranges:
            index.entries.append(Entry(rid, cves, name, binaries, ecosystem, ranges, rating, cvss, advisory, _date(record)))


def osv_index(path: Path, release: Release, wanted: AbstractSet[str]) -> OsvIndex:
    """The entries of the feed at ``path`` for ``release`` and the ``wanted`` package names, streamed."""
    index = OsvIndex()
    keep = Prefilter(release, wanted)
    for name, data in iter_members(path):
        if not keep(data):
            continue
        try:
            record = json.loads(data)
        except (ValueError, UnicodeDecodeError) as exc:
            raise OsvError(f"{path}: member {name}: not valid JSON: {exc}") from None
        if not isinstance(record, dict):
            raise OsvError(f"{path}: member {name}: not an OSV record (a JSON object)")
        index.records += 1
        read_record(index, record, release, wanted)
    return index


# -- the matching rule ----------------------------------------------------------------------------

AFFECTED, FIXED, UNAFFECTED = "affected", "fixed", "unaffected"


def evaluate(version: str, events: Events, cmp: Callable[[str, str], int]) -> Tuple[str, Optional[str]]:
    """Whether ``version`` is in an ECOSYSTEM range: (AFFECTED, its fix or None), (FIXED, the fix it is at or after),
    or (UNAFFECTED, None), by the OSV schema's evaluation (events in version order, ``introduced: 0`` first)."""

    def order(a: Tuple[str, str], b: Tuple[str, str]) -> int:
        za, zb = a == ("introduced", "0"), b == ("introduced", "0")
        if za or zb:
            return 0 if za and zb else -1 if za else 1
        return cmp(a[1], b[1])

    inside = False
    fixed_below: Optional[str] = None
    for kind, value in sorted(events, key=cmp_to_key(order)):
        if kind == "introduced":
            if value != "0" and cmp(version, value) < 0:
                break
            inside = True
        elif kind == "fixed":
            if cmp(version, value) < 0:
                if inside:
                    return AFFECTED, value
                break
            inside, fixed_below = False, value
        elif kind == "last_affected":
            if cmp(version, value) <= 0:
                if inside:
                    return AFFECTED, None
                break
            inside = False
        elif kind == "limit" and cmp(version, value) >= 0:
            inside = False
    if inside:
        return AFFECTED, None
    return (FIXED, fixed_below) if fixed_below is not None else (UNAFFECTED, None)


_RATING = {
    "critical": "critical",
    "important": "high",
    "high": "high",
    "moderate": "medium",
    "medium": "medium",
    "low": "low",
    "negligible": "low",
}


def severity_of(rating: str, cvss: Optional[str]) -> str:
    """From the CVSS base score where the record gives one (as for Debian), else from the distribution's rating."""
    return severity("", cvss) if cvss is not None else _RATING.get(rating.strip().lower(), "unknown")


@dataclass(frozen=True)
class _State:
    status: str
    fixed: Optional[str]
    entry: Entry
    version: str  # the version compared (the source's, when the entry names the source)


def _states(p: Installed, entries: Sequence[Entry], release: Release) -> Dict[str, List[_State]]:
    """{CVE: the verdict of each entry about ``p``}."""
    out: Dict[str, List[_State]] = {}
    for e in entries:
        by_source = e.package in (p.source, p.binary)
        if not by_source and p.binary not in e.binaries:
            continue
        version = p.source_version if e.package == p.source else p.version
        for events in e.ranges:
            status, fixed = evaluate(version, events, release.compare)
            if status == UNAFFECTED:
                continue
            for cve in e.cves:
                out.setdefault(cve, []).append(_State(status, fixed, e, version))
    return out


def _group_name(names: Sequence[str]) -> str:
    """The name a group of Red Hat binaries (one advisory, one fixed build) is reported under: the shortest,
    which is the source's name when that binary is installed (polkit for polkit-libs)."""
    return min(names, key=lambda n: (len(n), n))


def _days(later: str, earlier: Optional[str]) -> Optional[int]:
    import datetime as dt

    if not earlier:
        return None
    try:
        return (dt.date.fromisoformat(later[:10]) - dt.date.fromisoformat(earlier[:10])).days
    except ValueError:
        return None


@dataclass(frozen=True)
class OsvResult:
    matches: List[MatchFacts]
    unfixed: int


def match_osv(
    packages: Sequence[Installed],
    index: OsvIndex,
    release: Release,
    kev: Mapping[str, KevEntry],
    services: Mapping[str, ServiceFacts],
    today: str,
) -> OsvResult:
    """Open matches (installed before the release's own fixed version, and not at or after any other fix for the
    same CVE in the release) and the number of (CVE, package) pairs affected with no fix published yet."""
    by_name: Dict[str, List[Entry]] = {}
    for e in index.entries:
        for n in {e.package} | set(e.binaries):
            by_name.setdefault(n, []).append(e)
    groups: Dict[Tuple[str, str, str, str, str], List[str]] = {}
    unfixed: Set[Tuple[str, str]] = set()
    chosen: Dict[Tuple[str, str, str, str, str], _State] = {}

    def by_fix(a: _State, b: _State) -> int:
        return release.compare(str(a.fixed), str(b.fixed))

    for p in packages:
        candidates = {id(e): e for n in {p.binary, p.source} for e in by_name.get(n, ())}
        for cve, states in _states(p, list(candidates.values()), release).items():
            if any(s.status == FIXED for s in states):
                continue  # at or after a fix of the release: a later build carries it
            fixes = [s for s in states if s.fixed is not None]
            if not fixes:
                unfixed.add((cve, states[0].entry.package))
                continue
            first = min(fixes, key=cmp_to_key(by_fix))  # the first fix: the fix age counts from it
            source = first.entry.package if release.feed != "redhat" else ""
            key = (cve, source, first.version, str(first.fixed), first.entry.advisory or first.entry.record)
            groups.setdefault(key, []).append(p.binary)
            chosen.setdefault(key, first)
    out: List[MatchFacts] = []
    for key, binaries in sorted(groups.items()):
        cve, source, version, fixed, _ = key
        st = chosen[key]
        e = st.entry
        name = source or _group_name(binaries)
        notice = index.notices.get((e.package, fixed)) if release.feed == "ubuntu" else None
        advisory = notice.id if notice else e.advisory
        date = notice.date if notice else (e.published if release.feed != "ubuntu" else None)
        k = kev.get(cve)
        out.append(
            {
                "cve": cve,
                "source": name,
                "packages": sorted(set(binaries)),
                "installed": version,
                "fixed": fixed,
                "advisory": advisory,
                "fix_date": date,
                "fix_age_days": _days(today, date),
                "urgency": e.rating or "not rated",
                "cvss": e.cvss,
                "severity": severity_of(e.rating, e.cvss),
                "kev": {"date_added": k.date_added, "due_date": k.due_date, "ransomware": k.ransomware} if k else None,
                "epss": None,
                "service": _service_of(sorted(set(binaries)), services),
            }
        )
    out.sort(key=lambda m: (m["kev"] is None, SEVERITIES.index(m["severity"]), m["source"], m["cve"]))
    return OsvResult(out, len(unfixed))


def wanted_names(packages: Sequence[Installed]) -> Set[str]:
    return {p.binary for p in packages} | {p.source for p in packages}
