"""Packages and patching, security software, and backup jobs.

Backup jobs come from cron tables and systemd timers. Their command lines
routinely carry database passwords and API tokens, so this module reduces each
job to (tool, schedule, file) the moment it has recognised it; the command text
never leaves the parsing functions.
"""

from __future__ import annotations

import functools
import io
import lzma
import re
from dataclasses import dataclass
from typing import (
    IO,
    AbstractSet,
    Any,
    Dict,
    FrozenSet,
    Iterable,
    Iterator,
    List,
    Literal,
    Mapping,
    Optional,
    Set,
    Tuple,
    TypedDict,
)

from collectors.context import OFFLINE_ROOT, HostReader
from collectors.evidence import CollectError, ErrorReason, NotApplicable
from collectors.facts import CollectedFacts, FactsKey
from collectors.host.logging import dir_readable, parse_ini_section
from collectors.registry import collector

# --------------------------------------------------------------------------
# facts shapes
# --------------------------------------------------------------------------


class _SecurityUpdatesAvailable(TypedDict):
    available: bool


class SecurityUpdatesFacts(_SecurityUpdatesAvailable, total=False):
    """Pending security updates: ``reason`` alone when unavailable; ``advisories``/``unread`` from dnf metadata only."""

    reason: str
    count: int
    advisories: List[str]
    packages: List[str]
    lists: List[str]
    lists_age_days: Optional[int]
    basis: str
    unread: List[str]


class _AutoUpdatesBase(TypedDict):
    mechanism: str  # "unattended-upgrades" or "dnf-automatic"
    enabled: bool
    package_installed: bool


class AutoUpdatesFacts(_AutoUpdatesBase, total=False):
    """The three keys below are dnf-automatic's only."""

    apply_updates: bool
    upgrade_type: str
    timer_enabled: bool


class _KernelRunning(TypedDict):
    running: Optional[str]


class KernelFacts(_KernelRunning, total=False):
    installed_images: List[str]  # dpkg hosts only


class PackagesFacts(CollectedFacts):
    manager: str  # "dpkg" or "rpm"
    installed: Dict[str, str]  # version by package name
    count: int
    security_updates: SecurityUpdatesFacts
    auto_updates: AutoUpdatesFacts
    kernel: KernelFacts


ProductKind = Literal["av", "edr", "hids", "fim"]


class _ClamavSignaturesBase(TypedDict):
    database: Optional[str]
    age_days: Optional[int]


class ClamavSignaturesFacts(_ClamavSignaturesBase, total=False):
    reason: str  # why the age is unknown
    mtime: int


class _FimDatabaseBase(TypedDict):
    present: Optional[bool]  # None: could not be told


class FimDatabaseFacts(_FimDatabaseBase, total=False):
    """The baseline database of a file-integrity tool (AIDE's aide.db, Tripwire's <host>.twd)."""

    reason: str
    path: str


class _ProductBase(TypedDict):
    name: str
    kind: ProductKind
    evidence: List[str]
    running: Optional[bool]  # None: the process table could not be read
    has_process: bool


class ProductFacts(_ProductBase, total=False):
    signatures: ClamavSignaturesFacts  # ClamAV only
    database: FimDatabaseFacts  # file-integrity tools (AIDE, Tripwire) only


class LeftoverFacts(TypedDict):
    """Files of a product that is not deployed (e.g. configuration left by ``apt remove``)."""

    name: str
    kind: ProductKind
    evidence: List[str]


class SecuritySoftwareFacts(CollectedFacts):
    products: List[ProductFacts]
    kinds: List[ProductKind]
    leftovers: List[LeftoverFacts]
    process_table_seen: bool


# Where a backup copy ends up. Only the first two are off this host under the operator's control;
# "netdisk" is a consumer net-disk (DOMAIN §9, high-risk case 6.4.6.1); "unknown" could not be told.
BackupDestination = Literal["separate_host", "object_store", "netdisk", "same_host", "unknown"]
OFF_HOST: Tuple[BackupDestination, ...] = ("separate_host", "object_store")


class LastSuccessFacts(TypedDict):
    """When a job last produced a copy, from a record the tool keeps on this host."""

    age_days: int
    basis: str  # what the age was read from, e.g. "newest file in /data/backup"


class _BackupJobBase(TypedDict):
    tool: str
    schedule: str  # a FREQ_DAYS key, "reboot" or "unknown"
    file: str  # the cron table, periodic script or timer that schedules it
    destination: BackupDestination


class BackupJobFacts(_BackupJobBase, total=False):
    target: str  # where the copy goes, never with credentials: a host, an object store, a local path
    via: str  # the script the schedule runs, when the job was found inside it
    last_success: LastSuccessFacts


class _NetdiskUploadBase(TypedDict):
    service: str
    schedule: str
    file: str


class NetdiskUploadFacts(_NetdiskUploadBase, total=False):
    via: str  # the script the schedule runs, when the upload was found inside it


class BackupFacts(CollectedFacts):
    jobs: List[BackupJobFacts]
    # The most frequent schedule among the jobs (what the questionnaire's BK-02 reads; net-disk uploads are not in it).
    most_frequent_schedule: Optional[str]
    netdisk_uploads: List[NetdiskUploadFacts]
    complete: bool
    unreadable: List[str]


PACKAGES = FactsKey[PackagesFacts]("host.packages", PackagesFacts)
SECURITY_SOFTWARE = FactsKey[SecuritySoftwareFacts]("host.security_software", SecuritySoftwareFacts)
BACKUP = FactsKey[BackupFacts]("host.backup", BackupFacts)

MAX_LISTED = 50

# --------------------------------------------------------------------------
# host.packages
# --------------------------------------------------------------------------


def parse_dpkg_status(text: str, path: str = "/var/lib/dpkg/status") -> Dict[str, str]:
    """{name: version} of installed packages.

    The Status field is ``want flag state``; a held package reads ``hold ok
    installed`` and one marked for removal ``deinstall ok installed`` -- both
    are on disk until dpkg acts, so only the state word counts.
    """
    out: Dict[str, str] = {}
    stanzas = [s for s in re.split(r"\n\s*\n", text) if s.strip()]
    for stanza in stanzas:
        fields: Dict[str, str] = {}
        for line in stanza.splitlines():
            if line[:1] in (" ", "\t") or ":" not in line:
                continue
            key, _, value = line.partition(":")
            fields[key.strip()] = value.strip()
        name, status, version = fields.get("Package"), fields.get("Status"), fields.get("Version")
        words = (status or "").split()
        if name and version and len(words) == 3 and words[2] == "installed":
            out[name] = version
    if stanzas and not out and not any("Package:" in s for s in stanzas):
        raise CollectError(ErrorReason.MALFORMED, f"{path}: no 'Package:' stanza found; not a dpkg status database")
    return out


def parse_rpm_qa(text: str) -> Dict[str, str]:
    """{name: [epoch:]version-release}; the newest one of a multi-installed name (kernel)."""
    from collectors.host.debversion import rpm_compare

    out: Dict[str, str] = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 2 and not parts[0].startswith("gpg-pubkey"):
            if parts[0] not in out or rpm_compare(parts[1], out[parts[0]]) > 0:
                out[parts[0]] = parts[1]
    return out


def _apt_auto_updates(host: HostReader, installed: Mapping[str, str]) -> AutoUpdatesFacts:
    values: Dict[str, str] = {}
    for path in host.glob("/etc/apt/apt.conf.d/*"):
        try:
            text = host.read_text(path) or ""
        except CollectError:
            continue
        for key, val in re.findall(r"^\s*(APT::Periodic::[\w-]+)\s+\"([^\"]*)\"\s*;", text, re.M):
            values[key] = val
    enabled = "unattended-upgrades" in installed and values.get("APT::Periodic::Unattended-Upgrade", "0") not in ("0", "")
    return {"mechanism": "unattended-upgrades", "enabled": enabled, "package_installed": "unattended-upgrades" in installed}


def _dnf_auto_updates(host: HostReader, installed: Mapping[str, str]) -> AutoUpdatesFacts:
    try:
        text = host.read_text("/etc/dnf/automatic.conf")
    except CollectError:
        text = None
    commands = parse_ini_section(text, "commands") if text else {}
    apply = commands.get("apply_updates", "no").lower() in ("yes", "true", "1", "on")
    timer = bool(host.glob("/etc/systemd/system/timers.target.wants/dnf-automatic*.timer"))
    return {
        "mechanism": "dnf-automatic",
        "enabled": "dnf-automatic" in installed and apply and timer,
        "apply_updates": apply,
        "upgrade_type": commands.get("upgrade_type", "default"),
        "timer_enabled": timer,
        "package_installed": "dnf-automatic" in installed,
    }


_SECURITY_LISTS = "/var/lib/apt/lists/*security*_Packages*"
_DECOMPRESS = {".gz": "gzip", ".xz": "lzma", ".bz2": "bz2"}


def _open_compressed(host: HostReader, path: str) -> Optional[IO[bytes]]:
    """A decompressing stream over a gzip/xz/bz2 file.

    The caller parses it incrementally, so an index that inflates past any
    memory cap is still read whole rather than cut short.
    """
    suffix = "." + path.rsplit(".", 1)[-1]
    module = _DECOMPRESS.get(suffix)
    if module is None:
        return None
    data = host.read_bytes(path)
    if data is None:
        return None
    import bz2
    import gzip
    import lzma

    stream: IO[bytes]
    if module == "gzip":
        stream = gzip.GzipFile(fileobj=io.BytesIO(data))  # type: ignore[assignment]  # a binary file object
    elif module == "lzma":
        stream = lzma.LZMAFile(io.BytesIO(data))
    else:
        stream = bz2.BZ2File(io.BytesIO(data))
    return stream


# What a damaged gzip/bz2 stream raises (OSError, EOFError) and a damaged xz one (LZMAError, not an OSError).
_STREAM_ERRORS = (OSError, EOFError, ValueError, lzma.LZMAError)


class _IndexScanner:
    """The newest Version of each wanted Package in a Packages index, fed in chunks of bytes.

    Only the two fields that matter are looked at, by the regex engine rather than a Python loop
    over every line (a security index has tens of thousands), and never the whole index at once:
    a stanza's Version counts for the Package line before it; a stanza without a Version is ignored.
    """

    _FIELD = re.compile(rb"^(Package|Version):[ \t]*(\S*)", re.M)

    def __init__(self, wanted: Optional[AbstractSet[str]] = None) -> None:
        self.wanted = wanted
        self.newest: Dict[str, str] = {}
        self._name: Optional[str] = None
        self._tail = b""

    def feed(self, chunk: bytes) -> None:
        data = self._tail + chunk
        cut = data.rfind(b"\n") + 1
        self._tail = data[cut:]
        self._scan(data[:cut])

    def close(self) -> Dict[str, str]:
        self._scan(self._tail + b"\n")
        self._tail = b""
        return self.newest

    def _scan(self, data: bytes) -> None:
        from collectors.host.debversion import compare

        for m in self._FIELD.finditer(data):
            value = m.group(2).decode("utf-8", "replace")
            if m.group(1) == b"Package":
                self._name = value
                continue
            name, self._name = self._name, None
            if not name or not value or (self.wanted is not None and name not in self.wanted):
                continue
            if name not in self.newest or compare(value, self.newest[name]) > 0:
                self.newest[name] = value


def parse_packages_index(text: str, wanted: Optional[AbstractSet[str]] = None) -> Dict[str, str]:
    """{package: newest version} from the text of a Packages index, for the ``wanted`` names (all by default)."""
    scanner = _IndexScanner(wanted)
    scanner.feed(text.encode("utf-8"))
    return scanner.close()


def _index_versions(host: HostReader, path: str, wanted: AbstractSet[str]) -> Dict[str, str]:
    """{package: newest version} of one Packages index; apt keeps them plain, gzip/xz/bz2 or lz4-compressed."""
    scanner = _IndexScanner(wanted)
    name = path.rsplit("/", 1)[-1]
    suffix = "." + name.rsplit(".", 1)[-1] if "." in name else ""
    if suffix == "" or name.endswith("_Packages"):
        scanner.feed(host.read_bytes(path) or b"")
        return scanner.close()
    if suffix == ".lz4":
        # No lz4 in the standard library; apt's own helper decompresses read-only, streamed through the scanner.
        res = host.stream(["apt-helper", "cat-file", path], scanner.feed)
        if res.error is not None or res.exit_code != 0:
            raise CollectError(ErrorReason.TOOL_MISSING, f"cannot decompress {path}: {res.error or res.stderr.strip()}")
        return scanner.close()
    stream = _open_compressed(host, path)
    if stream is None:
        return {}
    try:
        with stream:
            for chunk in iter(lambda: stream.read(65536), b""):
                scanner.feed(chunk)
    except _STREAM_ERRORS as exc:
        raise CollectError(ErrorReason.MALFORMED, f"{path}: cannot decompress: {exc}") from exc
    return scanner.close()


_RELEASE_DATE = re.compile(
    r"^Date:[ \t]*(?:[A-Za-z]{3},[ \t]*)?(\d{1,2})[ \t]+([A-Za-z]{3})[ \t]+(\d{4})[ \t]+(\d{1,2}):(\d{2})(?::(\d{2}))?"
    r"[ \t]*(UTC|GMT|Z|[+-]\d{4})?[ \t]*$",
    re.M,
)
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def release_date(text: str) -> Optional[int]:
    """The Unix time of a Release file's ``Date:`` (RFC 1123, as apt writes and reads it); None if there is
    none or it is not a real date. (email.utils parses more, but importing it costs more than this file.)"""
    import calendar

    m = _RELEASE_DATE.search(text)
    if m is None or m.group(2).lower() not in _MONTHS:
        return None
    day, year, hour, minute, second = int(m.group(1)), int(m.group(3)), int(m.group(4)), int(m.group(5)), int(m.group(6) or 0)
    month = _MONTHS.index(m.group(2).lower()) + 1
    if not (1 <= day <= calendar.monthrange(year, month)[1] and hour < 24 and minute < 60 and second < 61) or year < 1970:
        return None
    zone = m.group(7) or "UTC"
    offset = 0 if zone[0] not in "+-" else (1 if zone[0] == "+" else -1) * (int(zone[1:3]) * 3600 + int(zone[3:5]) * 60)
    return calendar.timegm((year, month, day, hour, minute, second, 0, 0, 0)) - offset


def _lists_age_days(host: HostReader, lists: List[str]) -> Optional[int]:
    """Age of the security index by its Release file's Date, else the file time."""
    newest: Optional[int] = None
    for path in lists:
        release = path.rsplit("_", 3)[0] + "_InRelease"
        text = host.read_text(release) if host.exists(release) else None
        stamp = release_date(text) if text else None
        if stamp is None:
            st = host.stat(path)
            stamp = st.mtime if st is not None and st.mtime else None
        if stamp is not None and (newest is None or stamp > newest):
            newest = stamp
    return None if newest is None else max(0, (host.now() - newest) // 86400)


def _security_updates_apt(host: HostReader, installed: Mapping[str, str]) -> SecurityUpdatesFacts:
    """Installed packages older than the version in a security index.

    Reading apt's security indexes directly and comparing versions with
    dpkg's rules gives what ``apt-get -s upgrade`` would take from a
    security origin, without building apt's whole cache (seconds on hosts
    that keep no package cache).
    """
    from collectors.host.debversion import compare

    lists = [p for p in host.glob(_SECURITY_LISTS) if not p.endswith(".diff_Index")]
    if not lists:
        return {
            "available": False,
            "reason": "no security package index in /var/lib/apt/lists (no security repository configured, or apt update never ran)",
        }
    if host.offline_root and any(p.endswith(".lz4") for p in lists):
        return {
            "available": False,
            "reason": f"{OFFLINE_ROOT}: the security package indexes are lz4-compressed, and only apt-helper "
            "decompresses them, which is not run from the image",
        }
    newest: Dict[str, str] = {}
    wanted = {name.split(":")[0] for name in installed}
    for path in lists:
        for name, version in _index_versions(host, path, wanted).items():
            if name not in newest or compare(version, newest[name]) > 0:
                newest[name] = version
    pending = sorted(
        name
        for name, version in installed.items()
        if name.split(":")[0] in newest and compare(version, newest[name.split(":")[0]]) < 0
    )
    return {
        "available": True,
        "count": len(pending),
        "packages": pending[:MAX_LISTED],
        "lists": lists,
        "lists_age_days": _lists_age_days(host, lists),
        "basis": "security package indexes in /var/lib/apt/lists compared with dpkg status",
    }


# dnf keeps <cachedir>/<repoid>-<hash>/repodata/repomd.xml; yum <cachedir>/<arch>/<ver>/<repo>/repomd.xml.
_REPOMD_GLOBS = ("/var/cache/dnf/*/repodata/repomd.xml", "/var/cache/yum/*/*/*/repomd.xml")


class _XmlWalker:
    """Stream XML through expat, refusing DTDs and entity declarations.

    The metadata comes from the assessed host, so entity-expansion tricks
    must not get a chance; no stdlib tree parser offers that switch.
    """

    def __init__(self, path: str) -> None:
        import xml.parsers.expat

        self.path = path
        self.stack: List[Tuple[str, Dict[str, str]]] = []
        self.text: List[str] = []
        self.parser = xml.parsers.expat.ParserCreate()
        self.parser.StartDoctypeDeclHandler = self._refuse
        self.parser.EntityDeclHandler = self._refuse
        self.parser.StartElementHandler = self._start
        self.parser.EndElementHandler = self._end
        self.parser.CharacterDataHandler = self.text.append

    def _refuse(self, *args: Any) -> None:
        raise CollectError(ErrorReason.MALFORMED, f"{self.path}: DTD or entity declaration refused")

    def _start(self, tag: str, attrs: Dict[str, str]) -> None:
        self.stack.append((tag.rsplit("}", 1)[-1].rsplit(" ", 1)[-1], attrs))
        self.text.clear()

    def _end(self, tag: str) -> None:
        name, attrs = self.stack.pop()
        self.element(name, attrs, "".join(self.text).strip())
        self.text.clear()

    def element(self, name: str, attrs: Dict[str, str], text: str) -> None:
        """Called at each closing tag (overridden)."""

    def feed(self, chunks: Iterable[bytes]) -> None:
        import xml.parsers.expat

        try:
            for chunk in chunks:
                self.parser.Parse(chunk, False)
            self.parser.Parse(b"", True)
        except (xml.parsers.expat.ExpatError, *_STREAM_ERRORS) as exc:
            raise CollectError(ErrorReason.MALFORMED, f"{self.path}: cannot parse: {exc}") from exc


class _RepomdWalker(_XmlWalker):
    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.href: Optional[str] = None
        self.stamps: List[int] = []

    def element(self, name: str, attrs: Dict[str, str], text: str) -> None:
        parent = self.stack[-1] if self.stack else ("", {})
        if name == "revision" and text.isdigit() and len(text) == 10:  # createrepo writes a Unix time here
            self.stamps.append(int(text))
        elif name == "timestamp" and text.split(".")[0].isdigit():
            self.stamps.append(int(text.split(".")[0]))
        elif name == "location" and parent[0] == "data" and parent[1].get("type") == "updateinfo":
            self.href = attrs.get("href")


def parse_repomd(data: bytes, path: str) -> Tuple[Optional[str], Optional[int]]:
    """(updateinfo href, newest metadata timestamp) from a repomd.xml."""
    walker = _RepomdWalker(path)
    walker.feed([data])
    return walker.href, (max(walker.stamps) if walker.stamps else None)


class _UpdateinfoWalker(_XmlWalker):
    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.out: List[Tuple[str, str, str]] = []
        self.current_id = ""
        self.packages: List[Tuple[str, str]] = []

    def element(self, name: str, attrs: Dict[str, str], text: str) -> None:
        if name == "id" and self.stack and self.stack[-1][0] == "update":
            self.current_id = text
        elif name == "package" and attrs.get("name") and attrs.get("arch") != "src":
            evr = f"{attrs.get('epoch') or '0'}:{attrs.get('version', '')}-{attrs.get('release', '')}"
            self.packages.append((attrs["name"], evr))
        elif name == "update":
            if attrs.get("type") == "security":
                self.out += [(self.current_id, n, evr) for n, evr in self.packages]
            self.current_id, self.packages = "", []


def parse_updateinfo(chunks: Iterable[bytes], path: str) -> List[Tuple[str, str, str]]:
    """(advisory id, package name, epoch:version-release) of each binary package in a security advisory.

    Parsed incrementally: openEuler's updateinfo inflates to tens of MiB.
    """
    walker = _UpdateinfoWalker(path)
    walker.feed(chunks)
    return walker.out


def _chunks(stream: IO[bytes]) -> Iterator[bytes]:
    return iter(lambda: stream.read(1 << 20), b"")


def _updateinfo_path(host: HostReader, repomd: str, href: str) -> Optional[str]:
    repo_dir = repomd.rsplit("/", 2)[0] if repomd.endswith("/repodata/repomd.xml") else repomd.rsplit("/", 1)[0]
    for candidate in (f"{repo_dir}/{href.lstrip('/')}", f"{repo_dir}/{href.rsplit('/', 1)[-1]}"):
        if host.exists(candidate):
            return candidate
    return None


def _repo_advisories(host: HostReader, repomd: str) -> Tuple[Optional[List[Tuple[str, str, str]]], Optional[int], Optional[str]]:
    """(advisory packages or None if the repo publishes none, metadata time, why unreadable)."""
    href, stamp = parse_repomd(host.read_bytes(repomd) or b"", repomd)
    if stamp is None:
        st = host.stat(repomd)
        stamp = st.mtime if st is not None and st.mtime else None
    if not href:
        return None, stamp, None
    path = _updateinfo_path(host, repomd, href)
    if path is None:
        return None, stamp, f"{href} is listed in {repomd} but not in the cache"
    if path.endswith(".zst"):
        return None, stamp, f"{path}: zstd-compressed; Python's standard library cannot decompress it"
    if path.endswith(".xml"):
        data = host.read_bytes(path)
        stream: Optional[IO[bytes]] = io.BytesIO(data) if data is not None else None
    else:
        stream = _open_compressed(host, path)
    if stream is None:
        return None, stamp, f"{path}: unknown compression"
    with stream:
        return parse_updateinfo(_chunks(stream), path), stamp, None


def _security_updates_dnf(host: HostReader, installed: Mapping[str, str]) -> SecurityUpdatesFacts:
    """Installed packages older than a package named in a cached security advisory.

    Reads the repository metadata dnf/yum cached instead of running them:
    dnf run as root writes its logs and takes locks even with -C, which
    would change the host being assessed.
    """
    from collectors.host.debversion import rpm_compare

    repomds = [p for g in _REPOMD_GLOBS for p in host.glob(g)]
    advisories: List[str] = []
    pending: Set[str] = set()
    stamps: List[int] = []
    unread: List[str] = []
    with_updateinfo: List[str] = []
    for repomd in repomds:
        entries, stamp, why = _repo_advisories(host, repomd)
        if why:
            unread.append(why)
        if stamp is not None:
            stamps.append(stamp)
        if entries is None:
            continue
        with_updateinfo.append(repomd)
        for adv, name, evr in entries:
            if name in installed and rpm_compare(installed[name], evr) < 0:
                pending.add(name)
                if adv not in advisories:
                    advisories.append(adv)
    if not with_updateinfo or (unread and not pending):
        reason = "; ".join(unread) or (
            "no cached repository metadata with security advisories (updateinfo) in /var/cache/dnf or /var/cache/yum: "
            "the repositories publish none (e.g. CentOS 7/Stream) or the cache was never built (dnf makecache)"
        )
        return {"available": False, "reason": reason}
    names = sorted(pending)
    facts: SecurityUpdatesFacts = {
        "available": True,
        "count": len(names),
        "advisories": sorted(advisories)[:MAX_LISTED],
        "packages": names[:MAX_LISTED],
        "lists": with_updateinfo,
        "lists_age_days": None if not stamps else max(0, (host.now() - max(stamps)) // 86400),
        "basis": "security advisories in the cached dnf/yum updateinfo compared with rpm -qa",
    }
    if unread:
        facts["unread"] = unread
    return facts


def _kernels(host: HostReader, installed: Mapping[str, str]) -> KernelFacts:
    running = (host.read_text("/proc/sys/kernel/osrelease") or "").strip() or None
    images = sorted(n[len("linux-image-") :] for n in installed if n.startswith("linux-image-") and n[12:13].isdecimal())
    return {"running": running, "installed_images": images[-5:]}


def _read_installed(host: HostReader) -> Tuple[Literal["dpkg", "rpm"], Dict[str, str]]:
    status = host.read_text("/var/lib/dpkg/status")
    if status is not None:
        return "dpkg", parse_dpkg_status(status)
    if host.offline_root:
        rpmdb = next((d for d in RPM_DB_DIRS if host.is_dir(d)), None)
        if rpmdb is not None:
            raise NotApplicable(f"{OFFLINE_ROOT}: the rpm database ({rpmdb}) is read only by rpm, which is not run from the image")
        raise CollectError(ErrorReason.NOT_FOUND, "neither a dpkg status database nor an rpm database is in the image")
    res = host.run(["rpm", "-qa", "--qf", "%{NAME} %{VERSION}-%{RELEASE}\\n"])
    if res.missing:
        raise CollectError(ErrorReason.UNSUPPORTED, "neither /var/lib/dpkg/status nor rpm is available")
    if res.error is not None or res.exit_code != 0:
        raise CollectError(ErrorReason.MALFORMED, f"rpm -qa failed: {res.error or res.stderr.strip() or res.exit_code}")
    installed = parse_rpm_qa(res.stdout)
    if not installed:
        raise CollectError(ErrorReason.MALFORMED, "rpm -qa: no 'name version-release' lines in the output")
    return "rpm", installed


# Where rpm keeps its database (RHEL 9 and openEuler moved it under /usr).
RPM_DB_DIRS: Tuple[str, ...] = ("/var/lib/rpm", "/usr/lib/sysimage/rpm")


def installed_packages(host: HostReader) -> Tuple[Literal["dpkg", "rpm"], Dict[str, str]]:
    """(package manager, {package: version}), read once per assessment for every collector that asks."""
    return host.shared("installed-packages", _read_installed)


@collector(PACKAGES, "Installed packages, pending security updates and automatic update configuration", slow=True)
def collect_packages(host: HostReader) -> PackagesFacts:
    manager, installed = installed_packages(host)
    if manager == "dpkg":
        return {
            "_method": "dpkg status",
            "manager": "dpkg",
            "installed": installed,
            "count": len(installed),
            "security_updates": _security_updates_apt(host, installed),
            "auto_updates": _apt_auto_updates(host, installed),
            "kernel": _kernels(host, installed),
        }
    return {
        "_method": "rpm -qa",
        "manager": "rpm",
        "installed": installed,
        "count": len(installed),
        "security_updates": _security_updates_dnf(host, installed),
        "auto_updates": _dnf_auto_updates(host, installed),
        "kernel": {"running": (host.read_text("/proc/sys/kernel/osrelease") or "").strip() or None},
    }


# --------------------------------------------------------------------------
# host.security_software
# --------------------------------------------------------------------------

# name, kind, packages, paths, unit names, process names.
# The Chinese products are heuristics: their install paths and process names
# come from vendor deployment guides and field reports, not from a spec.
PRODUCTS: Tuple[Tuple[str, ProductKind, Tuple[str, ...], Tuple[str, ...], Tuple[str, ...], Tuple[str, ...]], ...] = (
    (
        "ClamAV",
        "av",
        ("clamav", "clamav-daemon", "clamd"),
        ("/etc/clamav/freshclam.conf", "/etc/freshclam.conf"),
        ("clamav-daemon.service", "clamd@.service", "clamav-freshclam.service"),
        ("clamd", "freshclam"),
    ),
    (
        "Wazuh agent",
        "hids",
        ("wazuh-agent",),
        ("/var/ossec/etc/ossec.conf",),
        ("wazuh-agent.service",),
        ("wazuh-agentd", "wazuh-modulesd"),
    ),
    (
        "OSSEC HIDS",
        "hids",
        ("ossec-hids", "ossec-hids-agent"),
        ("/var/ossec/bin/ossec-agentd",),
        ("ossec.service",),
        ("ossec-agentd",),
    ),
    (
        "CrowdStrike Falcon",
        "edr",
        ("falcon-sensor",),
        ("/opt/CrowdStrike/falconctl",),
        ("falcon-sensor.service",),
        ("falcon-sensor",),
    ),
    (
        "SentinelOne",
        "edr",
        ("sentinelagent", "SentinelAgent"),
        ("/opt/sentinelone/bin/sentinelctl",),
        ("sentinelone.service",),
        ("sentinelone-agent", "s1-agent"),
    ),
    ("Microsoft Defender for Endpoint", "edr", ("mdatp",), ("/opt/microsoft/mdatp",), ("mdatp.service",), ("wdavdaemon",)),
    ("Trend Micro Deep Security", "edr", ("ds_agent",), ("/opt/ds_agent",), ("ds_agent.service",), ("ds_agent",)),
    (
        "Sophos",
        "edr",
        ("sophos-spl", "savdi"),
        ("/opt/sophos-spl", "/opt/sophos-av"),
        ("sophos-spl.service",),
        ("sophos_threat_detector",),
    ),
    ("ESET", "av", ("efs", "eea"), ("/opt/eset",), ("efs.service", "eea.service"), ("oaeventd",)),
    (
        "Qi-AnXin TianQing (奇安信天擎)",
        "edr",
        ("qaxsafe",),
        ("/opt/qaxsafe", "/usr/local/qaxsafe"),
        ("qaxsafed.service",),
        ("qaxsafed",),
    ),
    (
        "Sangfor EDR (深信服EDR)",
        "edr",
        (),
        ("/sangfor/edr/agent", "/usr/local/sangfor/edr"),
        ("edr_agent.service",),
        ("edr_agent", "edr_monitor"),
    ),
    (
        "360 Enterprise Security (360)",
        "av",
        (),
        ("/opt/360safe", "/opt/360sd", "/opt/apps/com.360.safe"),
        (),
        ("360sd", "360safe"),
    ),
    ("Huorong (火绒)", "av", (), ("/usr/local/huorong", "/opt/apps/cn.huorong.esm"), ("huorong.service",), ("hrsecd",)),
    ("AIDE", "fim", ("aide",), ("/etc/aide/aide.conf", "/etc/aide.conf"), (), ()),
    ("Tripwire", "fim", ("tripwire",), ("/etc/tripwire/twcfg.txt",), (), ()),
    (
        "Elastic Agent",
        "edr",
        ("elastic-agent",),
        ("/opt/Elastic/Agent",),
        ("elastic-agent.service",),
        ("elastic-agent", "elastic-endpoint"),
    ),
    ("osquery", "hids", ("osquery",), ("/opt/osquery", "/etc/osquery/osquery.conf"), ("osqueryd.service",), ("osqueryd",)),
)

UNIT_DIRS = ("/etc/systemd/system", "/usr/lib/systemd/system", "/lib/systemd/system")
CLAMAV_DBS = ("/var/lib/clamav/daily.cld", "/var/lib/clamav/daily.cvd")
AIDE_DBS = ("/var/lib/aide/aide.db", "/var/lib/aide/aide.db.gz")
TRIPWIRE_CFG = "/etc/tripwire/twcfg.txt"
TRIPWIRE_DB_DIR = "/var/lib/tripwire"


def _stat_path(host: HostReader, path: str) -> Tuple[Optional[Any], Optional[str]]:
    try:
        return host.stat(path), None
    except CollectError as exc:
        return None, exc.message


def _clamav_signatures(host: HostReader) -> ClamavSignaturesFacts:
    for path in CLAMAV_DBS:
        st, why = _stat_path(host, path)
        if why is not None:
            return {"database": path, "age_days": None, "reason": why}
        if st is not None:
            age = max(0, (host.now() - st.mtime) // 86400) if st.mtime else None
            return {"database": path, "age_days": age, "mtime": st.mtime}
    return {"database": None, "age_days": None, "reason": "no daily.cld/daily.cvd in /var/lib/clamav"}


def _aide_database(host: HostReader) -> FimDatabaseFacts:
    for path in AIDE_DBS:
        st, why = _stat_path(host, path)
        if why is not None:
            return {"present": None, "reason": why}
        if st is not None:
            return {"present": True, "path": path}
    return {"present": False}


def _tripwire_database(host: HostReader) -> FimDatabaseFacts:
    """Tripwire's database: DBFILE of twcfg.txt (``$(HOSTNAME)`` expanded), else any ``*.twd`` where it keeps them.

    Without a database (``tripwire --init`` never ran) every integrity check has nothing to compare with.
    """
    try:
        cfg = host.read_text(TRIPWIRE_CFG)
    except CollectError as exc:
        return {"present": None, "reason": exc.message}
    configured: Optional[str] = None
    for line in (cfg or "").splitlines():
        m = re.match(r"^\s*DBFILE\s*=\s*(\S+)", line)
        if m:
            configured = m.group(1)
    if configured and configured.startswith("/"):
        if "$(HOSTNAME)" in configured:
            try:
                hostname = (host.read_text("/etc/hostname") or "").strip()
            except CollectError:
                hostname = ""
            configured = configured.replace("$(HOSTNAME)", hostname) if hostname else None
    else:
        configured = None
    if configured is not None:
        st, why = _stat_path(host, configured)
        if why is not None:
            return {"present": None, "reason": why, "path": configured}
        if st is not None:
            return {"present": True, "path": configured}
    directory = configured.rsplit("/", 1)[0] if configured else TRIPWIRE_DB_DIR
    if host.is_dir(directory) and not dir_readable(host, directory):
        return {"present": None, "reason": f"cannot list {directory}", "path": directory}
    found = host.glob(f"{directory}/*.twd")
    if found:
        return {"present": True, "path": found[0]}
    return {"present": False, "path": configured or f"{TRIPWIRE_DB_DIR}/*.twd"}


@collector(SECURITY_SOFTWARE, "Anti-malware, EDR, HIDS and file-integrity software present on the host")
def collect_security_software(host: HostReader) -> SecuritySoftwareFacts:
    try:
        installed = installed_packages(host)[1]
    except (CollectError, NotApplicable):  # NotApplicable: an offline root with an rpm database
        installed = {}
    try:
        procs = set() if host.offline_root else {p.name for p in host.processes()}
    except CollectError:
        procs = set()
    found: List[ProductFacts] = []
    leftovers: List[LeftoverFacts] = []
    for name, kind, pkgs, paths, units, pnames in PRODUCTS:
        deployed: List[str] = []
        deployed += [f"package {p}" for p in pkgs if p in installed]
        deployed += [f"unit {u}" for u in units if any(host.exists(f"{d}/{u}") for d in UNIT_DIRS)]
        deployed += [f"process {p}" for p in pnames if p in procs]
        traces = [f"path {p}" for p in paths if host.exists(p)]
        if not deployed:
            # Configuration survives 'apt remove' (e.g. /etc/clamav/freshclam.conf): not a deployment.
            if traces:
                leftovers.append({"name": name, "kind": kind, "evidence": traces})
            continue
        entry: ProductFacts = {
            "name": name,
            "kind": kind,
            "evidence": deployed + traces,
            "running": any(p in procs for p in pnames) if procs else None,
            "has_process": bool(pnames),
        }
        if name == "ClamAV":
            entry["signatures"] = _clamav_signatures(host)
        if name == "AIDE":
            entry["database"] = _aide_database(host)
        if name == "Tripwire":
            entry["database"] = _tripwire_database(host)
        found.append(entry)
    return {
        "_method": f"packages+files ({OFFLINE_ROOT}: no process table)" if host.offline_root else "packages+files+processes",
        "products": found,
        "kinds": sorted({p["kind"] for p in found}),
        "leftovers": leftovers,
        "process_table_seen": bool(procs),
    }


# --------------------------------------------------------------------------
# host.backup
# --------------------------------------------------------------------------

BACKUP_TOOLS = (
    "restic",
    "borg",
    "borgmatic",
    "rsnapshot",
    "duplicity",
    "duplicati",
    "bacula-fd",
    "bareos-fd",
    "amanda",
    "amdump",
    "mysqldump",
    "mysqlpump",
    "mariadb-dump",
    "mariabackup",
    "xtrabackup",
    "pg_dump",
    "pg_dumpall",
    "pg_basebackup",
    "pgbackrest",
    "mongodump",
    "veeamconfig",
    "AnyBackup",
    "DBackup",
    "rman",
    "expdp",
)
# Consumer net-disk clients and services (DOMAIN §9 6.4.6.1: high risk).
NETDISK_TOOLS = (
    "bypy",
    "baidupcs",
    "BaiduPCS-Go",
    "baidupcs-go",
    "aliyunpan",
    "aliyundrive",
    "115",
    "onedrive",
    "dropbox_uploader",
    "megacmd",
    "mega-put",
)
NETDISK_DOMAINS = (
    "pan.baidu.com",
    "pcs.baidu.com",
    "aliyundrive.com",
    "alipan.com",
    "115.com",
    "weiyun.com",
    "dropbox.com",
    "onedrive.live.com",
    "api.onedrive.com",
    "dropboxapi.com",
    "mega.nz",
    "pcloud.com",
    "drive.google.com",
    "jianguoyun.com",
    "cloud.189.cn",
    "caiyun.139.com",
    "yun.139.com",
    "123pan.com",
    "pan.quark.cn",
)
CONSUMER_REMOTES = (
    "baidu",
    "aliyun",
    "alipan",
    "115",
    "onedrive",
    "gdrive",
    "googledrive",
    "dropbox",
    "mega",
    "pcloud",
    "jianguoyun",
    "bdpan",
    "wangpan",
    "netdisk",
    "quark",
    "tianyi",
    "pikpak",
)
# rclone backend types (the ``type =`` of a remote in rclone.conf) by where they put the data.
RCLONE_CONSUMER_TYPES = frozenset(
    {
        "drive",
        "onedrive",
        "dropbox",
        "mega",
        "pcloud",
        "box",
        "yandex",
        "jottacloud",
        "koofr",
        "pikpak",
        "putio",
        "premiumizeme",
        "hidrive",
        "mailru",
        "opendrive",
        "fichier",
        "uptobox",
        "gphotos",
        "protondrive",
        "iclouddrive",
        "linkbox",
        "pixeldrain",
        "ulozto",
        "115",
    }
)
RCLONE_OBJECT_TYPES = frozenset(
    {"s3", "b2", "azureblob", "azurefiles", "gcs", "swift", "oos", "qingstor", "storj", "sia", "netstorage"}
)
RCLONE_HOST_TYPES = frozenset({"sftp", "ftp", "smb", "webdav", "hdfs", "http", "seafile", "filefabric", "sharefile", "zoho"})
RCLONE_WRAPPERS = frozenset({"alias", "crypt", "chunker", "compress", "hasher", "cache"})
# Where rclone looks for its configuration (rclone config file), per user and system-wide.
RCLONE_CONFIGS = (
    "/root/.config/rclone/rclone.conf",
    "/root/.rclone.conf",
    "/home/*/.config/rclone/rclone.conf",
    "/etc/rclone/rclone.conf",
    "/etc/rclone.conf",
)
# Filesystems whose data lives on another machine.
NETWORK_FS = frozenset(
    {
        "nfs",
        "nfs4",
        "cifs",
        "smb3",
        "smbfs",
        "fuse.sshfs",
        "sshfs",
        "glusterfs",
        "fuse.glusterfs",
        "ceph",
        "fuse.ceph",
        "lustre",
        "gpfs",
        "9p",
    }
)
OBJECT_FS = frozenset(
    {"fuse.s3fs", "fuse.ossfs", "fuse.cosfs", "fuse.goofys", "fuse.geesefs", "fuse.juicefs", "fuse.mountpoint-s3"}
)
# Enterprise backup agents: the copy goes to the product's storage server, never to this host.
AGENT_TOOLS = frozenset({"bacula-fd", "bareos-fd", "amanda", "amdump", "AnyBackup", "DBackup"})

_CRON_MACROS = {
    "@hourly": "hourly",
    "@daily": "daily",
    "@midnight": "daily",
    "@weekly": "weekly",
    "@monthly": "monthly",
    "@yearly": "yearly",
    "@annually": "yearly",
    "@reboot": "reboot",
}
# The schedules a job can have besides "reboot" and "unknown", most frequent first, with their period in days.
FREQ_DAYS: Dict[str, int] = {"hourly": 0, "daily": 1, "weekly": 7, "monthly": 30, "yearly": 365}


_CRON_NAMES = {
    m: i + 1 for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"))
}
_CRON_NAMES.update({d: i for i, d in enumerate(("sun", "mon", "tue", "wed", "thu", "fri", "sat"))})


def _cron_number(text: str) -> bool:
    """A number as cron reads one: ASCII digits (``str.isdigit`` also takes '²', which ``int`` refuses), a few of them."""
    return text.isascii() and text.isdigit() and len(text) <= 4


def cron_values(field: str, lo: int, hi: int) -> Optional[Set[int]]:
    """The set of values a cron field selects (None if it cannot be read, as cron refuses a value out of range)."""
    out: Set[int] = set()
    for part in field.lower().split(","):
        rng, _, step_s = part.partition("/")
        if step_s and not _cron_number(step_s):
            return None
        step = int(step_s) if step_s else 1
        if rng == "*":
            a, b = lo, hi
        else:
            first, _, last = rng.partition("-")
            ends = [str(_CRON_NAMES[x]) if x in _CRON_NAMES else x for x in (first, last or first)]
            if not all(_cron_number(e) for e in ends):
                return None
            a, b = int(ends[0]), int(ends[1]) if (last or not step_s) else hi
            if not (lo <= a <= hi and lo <= b <= hi):
                return None
        out.update(7 if hi == 7 and v == 7 else v for v in range(a, b + 1, max(1, step)))
    return {0 if hi == 7 and v == 7 else v for v in out}


def _max_gap(values: Set[int], period: int) -> int:
    """Longest wait between selected values on a cycle of ``period``."""
    ordered = sorted(values)
    return max(((ordered[(i + 1) % len(ordered)] - v - 1) % period) + 1 for i, v in enumerate(ordered))


def cron_frequency(minute: str, hour: str, dom: str, month: str, dow: str) -> str:
    """How often a five-field cron schedule fires: hourly/daily/weekly/monthly/yearly.

    Judged by its longest gap, coarsest field first: ``0 * 1 * *`` runs every
    hour but only on the 1st, so it is monthly. "hourly" means more often than
    daily; a schedule on several weekdays counts as daily. Good enough to
    compare against a weekly minimum.
    """
    months = cron_values(month, 1, 12)
    days = cron_values(dom, 1, 31)
    weekdays = cron_values(dow, 0, 7)
    hours = cron_values(hour, 0, 23)
    if months is None or days is None or weekdays is None or hours is None or not (months and days and weekdays and hours):
        return "unknown"
    if len(months) < 12:
        return "yearly" if len(months) == 1 else "monthly"
    # cron runs when either day field matches if both are restricted
    day_freqs = []
    if dom != "*" or dow == "*":
        gap = _max_gap(days, 31)
        day_freqs.append("daily" if gap <= 1 else "weekly" if gap <= 7 else "monthly")
    if dow != "*":
        day_freqs.append("weekly" if len(weekdays) <= 1 else "daily")
    day_freq = min(day_freqs, key=list(FREQ_DAYS).index)
    if day_freq != "daily":
        return day_freq
    return "hourly" if len(hours) > 1 else "daily"


# Commands that only remove old copies; a job made of nothing else is housekeeping, not a backup.
_NON_CREATING = {
    "restic": ("forget", "prune", "check", "unlock", "snapshots", "init", "stats", "list"),
    "borg": ("prune", "compact", "check", "list", "delete", "info", "init"),
}


def _segments(command: str) -> List[str]:
    return [seg.strip() for seg in re.split(r"&&|\|\||[;|\n]", command) if seg.strip()]


def _tar_creates(words: List[str]) -> bool:
    """tar in create mode: -c / --create, or an old-style bundle like ``czf``."""
    for w in words[1:]:
        if w in ("--create", "-c") or re.match(r"^-[A-Za-z]*c[A-Za-z]*$", w):
            return True
    return len(words) > 1 and re.match(r"^[A-Za-z]*c[A-Za-z]*$", words[1]) is not None


_BACKUP_TOOL_RE = re.compile(r"(?<![\w-])(" + "|".join(re.escape(t.lower()) for t in sorted(BACKUP_TOOLS, key=len, reverse=True)) + r")(?![\w-])")
_NETDISK_TOOL_RE = re.compile(r"(?<![\w./-])(" + "|".join(re.escape(t.lower()) for t in sorted(NETDISK_TOOLS, key=len, reverse=True)) + r")(?![\w-])")


def _segment_tools(segment: str) -> List[str]:
    low = segment.lower()
    words = low.split()
    if not words:
        return []
    base = words[0].rsplit("/", 1)[-1]
    if base == "rm" or (base == "find" and re.search(r"\s-delete\b|-exec\s+(\S*/)?rm\b", low)):
        return []
    found = set(_BACKUP_TOOL_RE.findall(low))
    tools = [t for t in BACKUP_TOOLS if t.lower() in found]
    tools = [t for t in tools if not (t in _NON_CREATING and set(words) & set(_NON_CREATING[t]))]
    cased = segment.split()  # tar's -C (change directory) is not -c (create)
    for i, w in enumerate(words):
        name = w.rsplit("/", 1)[-1]
        if name == "tar" and _tar_creates(cased[i:]) and "tar" not in tools:
            tools.append("tar")
        if name == "rsync" and re.search(r"backup|/bak\b|\.bak\b", low) and "rsync" not in tools:
            tools.append("rsync")
    return tools


def _tools_in(command: str) -> List[str]:
    """Backup tools a command line runs in a creating mode (not cleanup or pruning)."""
    tools: List[str] = []
    for seg in _segments(command):
        tools += [t for t in _segment_tools(seg) if t not in tools]
    if any(t not in ("tar", "rsync") for t in tools):
        return [t for t in tools if t not in ("tar", "rsync")] or tools
    if tools and not re.search(r"backup|/bak\b|\.bak\b", command.lower()):
        return []
    return tools


def calendar_frequency(spec: str) -> str:
    """Rough frequency of a systemd OnCalendar= expression."""
    s = spec.strip().lower()
    if s in ("hourly", "daily", "weekly", "monthly", "yearly", "annually"):
        return "yearly" if s == "annually" else s
    if s in ("quarterly", "semiannually"):
        return "yearly"
    if re.match(r"^(mon|tue|wed|thu|fri|sat|sun)\w*(,|\.\.)", s):
        return "daily" if ".." in s or s.count(",") >= 6 else "weekly"
    if re.match(r"^(mon|tue|wed|thu|fri|sat|sun)\w*\s", s):
        return "weekly"
    m = re.match(r"^(?:\S+\s+)?([\d*]+)-([\d*]+)-([\d*/,]+)\s+([\d*/,]+):", s)
    if m:
        if m.group(3) != "*" and "/" not in m.group(3):
            return "monthly" if m.group(2) == "*" else "yearly"
        return "hourly" if m.group(4).startswith("*") else "daily"
    m = re.match(r"^([\d*/,]+):([\d*/,]+)(:\d+)?$", s)
    if m:
        return "hourly" if m.group(1).startswith("*") or "," in m.group(1) else "daily"
    return "unknown"


# -- shell text --------------------------------------------------------------------------------

MAX_SCRIPTS = 32  # scripts followed from cron lines and timer units, per collector run
MAX_SCRIPT_BYTES = 256 * 1024  # a larger "script" is not one an administrator wrote by hand
MAX_SCRIPT_DEPTH = 2  # the script a cron line runs, and the scripts that one runs
MAX_SOURCED_BYTES = 64 * 1024  # environment files a script sources or a unit names
MAX_DIR_ENTRIES = 500  # entries looked at in a backup directory for the newest copy

_ASSIGNMENT = re.compile(r"^\s*(?:export\s+|readonly\s+|local\s+|declare\s+(?:-\w+\s+)*)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$")
_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)")
_REDIRECT = re.compile(r"(?<![\d&>])>>?\s*(\"[^\"]*\"|'[^']*'|[^\s;|&<>]+)")
# Words that only run the next word: skipped (with their options) to reach the program a line runs.
_WRAPPERS = frozenset(
    {
        "nice",
        "ionice",
        "nohup",
        "setsid",
        "chronic",
        "cronic",
        "exec",
        "command",
        "time",
        "stdbuf",
        "env",
        "sudo",
        "runuser",
        "flock",
        "timeout",
        "systemd-cat",
        "systemd-inhibit",
        "taskset",
        "chrt",
        "caffeinate",
        "unbuffer",
        "lckdo",
        "run-one",
    }
)
# Wrappers that take one positional argument before the command (flock's lock file, timeout's duration, chrt's priority).
_WRAPPER_POSITIONAL = frozenset({"flock", "timeout", "lckdo", "taskset", "chrt"})
# Options of each wrapper that take a value as the next word (any other option stands alone: flock -n).
_WRAPPER_VALUE_OPTIONS: Dict[str, FrozenSet[str]] = {
    "nice": frozenset({"-n", "--adjustment"}),
    "ionice": frozenset({"-c", "-n", "-p", "--class", "--classdata"}),
    "timeout": frozenset({"-s", "-k", "--signal", "--kill-after"}),
    "sudo": frozenset({"-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U", "--user", "--group"}),
    "runuser": frozenset({"-u", "-g", "-G", "--user", "--group"}),
    "env": frozenset({"-u", "-C", "--unset", "--chdir"}),
    "flock": frozenset({"-w", "-E", "--timeout", "--conflict-exit-code"}),
    "systemd-cat": frozenset({"-t", "-p", "--identifier", "--priority"}),
    "stdbuf": frozenset({"-i", "-o", "-e"}),
}
_SHELLS = frozenset({"sh", "bash", "dash", "zsh", "ksh", "ash", "busybox"})
_INTERPRETERS = frozenset({"python", "python2", "python3", "perl"})
_SKIP_WORDS = frozenset({"{", "}", "(", ")", "!", "then", "do", "else", "elif", "if", "while", "until", "time"})
_NOT_SCRIPTS = ("/proc/", "/sys/", "/dev/")
# Helpers a distribution package installs (dpkg's own database backup, e2scrub, man-db): not an administrator's jobs.
VENDOR_DIRS = ("/usr/lib/", "/usr/libexec/", "/lib/", "/usr/share/")
# Timers a distribution enables for its own housekeeping, whatever their names say.
SYSTEM_TIMERS = frozenset({"dpkg-db-backup.timer"})


def _unquote(value: str) -> str:
    """A shell or ini value without its quotes; an unquoted one up to the first blank."""
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    if value.startswith(('"', "'")):
        end = value.find(value[0], 1)
        return value[1:end] if end > 0 else value[1:]
    return value.split()[0] if value.split() else ""


def shell_assignments(text: str) -> Dict[str, str]:
    """``NAME=value`` lines of a script or environment file (``export``/``declare`` allowed); comments skipped."""
    out: Dict[str, str] = {}
    for line in text.splitlines():
        if line.lstrip().startswith("#"):
            continue
        m = _ASSIGNMENT.match(line)
        if m:
            out[m.group(1)] = _unquote(m.group(2))
    return out


def expand_vars(text: str, env: Mapping[str, str]) -> str:
    """``$NAME``/``${NAME}``/``${NAME:-default}`` replaced where the value is known, left alone otherwise."""

    def sub(m: re.Match[str]) -> str:
        name = m.group(1) or m.group(3)
        if name in env:
            return env[name]
        if m.group(2) is not None:
            return m.group(2)
        return m.group(0)

    return _VAR.sub(sub, text) if "$" in text else text


_STATEMENT_SEP = re.compile(r"&&|\|\||;|\n")
_PIPE = re.compile(r"(?<!\|)\|(?!\|)")
_LEADING_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


def statements(command: str) -> List[str]:
    """The statements of a command line or script: split at ``&&``, ``||``, ``;`` and newlines (pipes kept)."""
    return [s.strip() for s in _STATEMENT_SEP.split(command) if s.strip()]


def stages(statement: str) -> List[str]:
    """The stages of a pipeline."""
    return [s.strip() for s in _PIPE.split(statement) if s.strip()]


def shell_words(text: str) -> List[str]:
    """Words of one pipeline stage, quotes removed; plain blanks when the quoting is broken."""
    if not any(c in text for c in "'\"\\"):
        return text.split()  # what shlex gives for text without quotes or escapes, at a fraction of the cost
    return list(_quoted_words(text))


@functools.lru_cache(maxsize=2048)
def _quoted_words(text: str) -> Tuple[str, ...]:
    """shlex's words, once per distinct stage: scripts are read by several passes (tools, scripts, net-disks)."""
    import shlex

    try:
        return tuple(shlex.split(text, posix=True))
    except ValueError:
        return tuple(text.split())


def _program(words: List[str]) -> Tuple[int, List[str]]:
    """(index of the program a stage runs, the words) past leading assignments, wrappers and shell keywords."""
    i = 0
    while i < len(words):
        w = words[i]
        base = w.rsplit("/", 1)[-1]
        if w in _SKIP_WORDS or _LEADING_ASSIGNMENT.match(w):
            i += 1
            continue
        if base in _WRAPPERS:
            i += 1
            takes_value = _WRAPPER_VALUE_OPTIONS.get(base, frozenset())
            while i < len(words) and words[i].startswith("-"):
                i += 2 if words[i] in takes_value else 1
            while i < len(words) and re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", words[i]):
                i += 1
            if base in _WRAPPER_POSITIONAL:
                i += 1
            continue
        return i, words
    return len(words), words


def invoked_scripts(command: str, env: Optional[Mapping[str, str]] = None) -> List[str]:
    """Absolute paths of the scripts a command runs: ``/usr/local/bin/backup.sh``, ``bash /root/job``, ``sh -c '...'``.

    Helpers under the distribution's own directories (VENDOR_DIRS) are not followed.

    ``cd DIR`` before a relative ``./script`` is followed; anything else relative is not (cron's working
    directory is not known here). Paths are candidates: the caller reads only regular files that are scripts.
    """
    out: List[str] = []
    cwd: Optional[str] = None
    for stmt in statements(expand_vars(command, env or {})):
        for stage in stages(stmt):
            i, words = _program(shell_words(stage))
            if i >= len(words):
                continue
            prog = words[i]
            base = prog.rsplit("/", 1)[-1]
            if base == "cd" and i + 1 < len(words):
                cwd = words[i + 1] if words[i + 1].startswith("/") else None
                continue
            if base in ("run-parts", "test", "[", "echo", "printf"):
                continue
            if base in _SHELLS or re.match(r"^python[0-9.]*$", base) or base in _INTERPRETERS:
                rest = words[i + 1 :]
                for j, w in enumerate(rest):
                    if w == "-c" or (w.startswith("-") and not w.startswith("--") and w.endswith("c") and base in _SHELLS):
                        if j + 1 < len(rest):
                            out += invoked_scripts(rest[j + 1], env)
                        break
                    if not w.startswith("-"):
                        prog = w
                        break
                else:
                    continue
                if prog.startswith("-") or prog == words[i]:
                    continue
            if prog.startswith("./") and cwd:
                prog = f"{cwd.rstrip('/')}/{prog[2:]}"
            if prog.startswith("/") and not prog.startswith(_NOT_SCRIPTS + VENDOR_DIRS) and "$" not in prog and prog not in out:
                out.append(prog)
    return out


def read_script(host: HostReader, path: str) -> Tuple[Optional[str], Optional[str]]:
    """(text, None) of a script a schedule runs; (None, why) when it cannot be read; (None, None) when it is no script.

    Only regular files up to MAX_SCRIPT_BYTES that start with ``#!`` or hold plain text are scripts;
    a binary (``/usr/bin/mysqldump``) is never parsed.
    """
    try:
        st = host.stat(path)
    except CollectError as exc:
        return None, exc.message
    if st is None or st.is_dir or (st.size and st.size > MAX_SCRIPT_BYTES):
        return None, None
    if st.is_symlink:
        target = host.readlink(path)
        if target is None:
            return None, None
    try:
        data = host.read_bytes(path)
    except CollectError as exc:
        if exc.reason is ErrorReason.PERMISSION_DENIED:
            return None, exc.message
        return None, None
    if data is None or len(data) > MAX_SCRIPT_BYTES or b"\x00" in data[:4096]:
        return None, None
    return data.decode("utf-8", "replace"), None


def uncommented(text: str) -> str:
    """A script's text without its comment lines (a ``#!`` line included)."""
    return "\n".join(ln for ln in text.splitlines() if not ln.strip().startswith("#"))


# -- what cron and systemd run ---------------------------------------------------------------------


@dataclass(frozen=True)
class ScheduledCommand:
    """A command something runs on a schedule: a cron line, a periodic script's body, or a timer's service."""

    file: str  # the cron table, periodic script or timer
    line: int  # 1-based line of the command in ``file``; 0 for a whole script or unit
    schedule: str
    user: str  # who runs it: "root" unless the table or the unit says otherwise
    command: str
    env: Tuple[Tuple[str, str], ...] = ()


@dataclass(frozen=True)
class CronSources:
    """Every cron table and periodic script that would run, read once per assessment for every collector that asks."""

    tables: Tuple[Tuple[str, str], ...]  # (path, text): cron tables and periodic scripts
    commands: Tuple[ScheduledCommand, ...]
    unreadable: Tuple[str, ...]


def cron_commands(text: str, path: str, has_user: bool, user: str = "root") -> List[ScheduledCommand]:
    """The commands of one cron table with their schedule, user and the ``NAME=value`` lines above them."""
    out: List[ScheduledCommand] = []
    env: Dict[str, str] = {}
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        m = re.match(r"^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$", line)
        if m:
            env[m.group(1)] = _unquote(m.group(2))
            continue
        if line.startswith("@"):
            words = line.split(None, 2 if has_user else 1)
            if len(words) < (3 if has_user else 2):
                continue
            schedule = _CRON_MACROS.get(words[0], "unknown")
            owner = words[1] if has_user else user
            command = words[-1]
        else:
            parts = line.split(None, 6 if has_user else 5)
            if len(parts) < (7 if has_user else 6):
                continue
            schedule = cron_frequency(*parts[:5])
            owner = parts[5] if has_user else user
            command = parts[-1]
        out.append(ScheduledCommand(path, n, schedule, owner, command, tuple(sorted(env.items()))))
    return out


_RUN_PARTS_NAME = re.compile(r"^[A-Za-z0-9_-]+$")
_CRONIE_SKIPPED = ("~", ",", ".rpmsave", ".rpmorig", ".rpmnew", ".swp", ".cfsaved")


def _cron_file_runs(host: HostReader, path: str, debian: bool, needs_exec: bool) -> bool:
    """Whether cron/run-parts would run this file at all.

    Debian's run-parts (and Debian's cron for /etc/cron.d) skip names with
    characters outside [A-Za-z0-9_-] -- ``backup.sh`` never runs; cronie
    skips editor and package-manager leftovers. run-parts also skips files
    without the executable bit.
    """
    name = path.rsplit("/", 1)[-1]
    if debian and not _RUN_PARTS_NAME.match(name):
        return False
    if not debian and (name.startswith(".") or name.endswith(_CRONIE_SKIPPED)):
        return False
    if needs_exec:
        try:
            st = host.stat(path)
        except CollectError:
            return True  # cannot tell; count it rather than hide a job
        if st is not None and not st.mode & 0o111:
            return False
    return True


def _read_cron_sources(host: HostReader) -> CronSources:
    tables: List[Tuple[str, str]] = []
    commands: List[ScheduledCommand] = []
    unreadable: List[str] = []
    debian = host.exists("/var/lib/dpkg/status")
    system = ["/etc/crontab"]
    if host.is_dir("/etc/cron.d") and not dir_readable(host, "/etc/cron.d"):
        unreadable.append("/etc/cron.d")
    else:
        system += [p for p in host.glob("/etc/cron.d/*") if _cron_file_runs(host, p, debian, needs_exec=False)]
    for path in system:
        try:
            text = host.read_text(path)
        except CollectError as exc:
            if exc.reason is ErrorReason.MALFORMED:
                raise
            unreadable.append(path)
            continue
        if text is not None:
            tables.append((path, text))
            commands += cron_commands(text, path, True)
    for period in ("hourly", "daily", "weekly", "monthly"):
        directory = f"/etc/cron.{period}"
        if host.is_dir(directory) and not dir_readable(host, directory):
            unreadable.append(directory)
            continue
        for script in host.glob(f"{directory}/*"):
            if host.is_dir(script) or not _cron_file_runs(host, script, debian, needs_exec=True):
                continue
            text, why = read_script(host, script)
            if why is not None:
                unreadable.append(script)
            if text is None:
                continue
            tables.append((script, text))
            commands.append(ScheduledCommand(script, 0, period, "root", uncommented(text)))
    for spool in ("/var/spool/cron/crontabs", "/var/spool/cron"):
        if not host.is_dir(spool):
            continue
        if not dir_readable(host, spool):
            unreadable.append(spool)
            continue
        for path in host.glob(spool + "/*"):
            if host.is_dir(path):
                continue
            try:
                text = host.read_text(path) or ""
            except CollectError:
                unreadable.append(path)
                continue
            tables.append((path, text))
            commands += cron_commands(text, path, False, user=path.rsplit("/", 1)[-1])
    return CronSources(tuple(tables), tuple(commands), tuple(unreadable))


def cron_sources(host: HostReader) -> CronSources:
    """Every cron table and periodic script, read once per assessment (host.backup and host.credentials both ask)."""
    return host.shared("cron-sources", _read_cron_sources)


@dataclass(frozen=True)
class UnitService:
    """What a systemd service runs: its ExecStart lines, environment and user, from the unit and its drop-ins."""

    file: str
    execs: Tuple[str, ...]
    env: Tuple[Tuple[str, str], ...]
    user: str


def unit_files(host: HostReader, unit: str) -> List[str]:
    """The file of a unit (first of the unit directories that has it) and its drop-ins in /etc."""
    main = next((f"{d}/{unit}" for d in UNIT_DIRS if host.exists(f"{d}/{unit}")), None)
    return ([main] if main else []) + host.glob(f"/etc/systemd/system/{unit}.d/*.conf")


def read_env_file(host: HostReader, path: str) -> Dict[str, str]:
    """``NAME=value`` pairs of an environment file (systemd EnvironmentFile=, a sourced file); empty if unreadable."""
    try:
        st = host.stat(path)
        if st is None or st.is_dir or (st.size and st.size > MAX_SOURCED_BYTES):
            return {}
        text = host.read_text(path)
    except CollectError:
        return {}
    return shell_assignments(text or "")


def unit_service(host: HostReader, unit: str) -> Optional[UnitService]:
    """A service's ExecStart lines (prefixes such as ``-`` or ``!`` removed), Environment= and EnvironmentFile= values, User=."""
    files = unit_files(host, unit)
    if not files:
        return None
    execs: List[str] = []
    env: Dict[str, str] = {}
    user = "root"
    for path in files:
        try:
            text = host.read_text(path) or ""
        except CollectError:
            continue
        section = ""
        for raw in text.splitlines():
            line = raw.strip()
            if not line or line.startswith(("#", ";")):
                continue
            if line.startswith("[") and line.endswith("]"):
                section = line[1:-1].strip()
                continue
            if section != "Service" or "=" not in line:
                continue
            key, _, value = line.partition("=")
            key, value = key.strip(), value.strip()
            if key in ("ExecStart", "ExecStartPre", "ExecStartPost"):
                if value:
                    execs.append(value.lstrip("-@:+!"))
                elif key == "ExecStart":
                    execs = [e for e in execs if False]  # an empty ExecStart= resets the list
            elif key == "Environment":
                for word in shell_words(value):
                    name, eq, val = word.partition("=")
                    if eq:
                        env[name] = val
            elif key == "EnvironmentFile":
                env.update(read_env_file(host, value.lstrip("-")))
            elif key == "User" and value:
                user = value
    return UnitService(files[0], tuple(execs), tuple(sorted(env.items())), user)


def _timer_files(host: HostReader) -> List[str]:
    """Timers defined in /etc/systemd/system and timers enabled there (links into the package unit directories)."""
    seen: Dict[str, str] = {}
    for path in host.glob("/etc/systemd/system/*.timer") + host.glob("/etc/systemd/system/timers.target.wants/*.timer"):
        if path.rsplit("/", 1)[-1] not in SYSTEM_TIMERS:
            seen.setdefault(path.rsplit("/", 1)[-1], path)
    return list(seen.values())


def timer_commands(host: HostReader) -> List[ScheduledCommand]:
    """The commands systemd timers start, with the timer's schedule and the service's environment and user."""
    out: List[ScheduledCommand] = []
    for timer in _timer_files(host):
        try:
            ttext = host.read_text(timer) or ""
        except CollectError:
            continue
        tsec = parse_ini_section(ttext, "Timer")
        name = timer.rsplit("/", 1)[-1][: -len(".timer")]
        unit = tsec.get("Unit") or name + ".service"
        schedule = calendar_frequency(tsec["OnCalendar"]) if "OnCalendar" in tsec else "unknown"
        service = unit_service(host, unit)
        if service is None:
            out.append(ScheduledCommand(timer, 0, schedule, "root", ""))
            continue
        out.append(ScheduledCommand(timer, 0, schedule, service.user, "\n".join(service.execs), service.env))
    return out


# -- where a copy goes -------------------------------------------------------------------------------

Destination = Tuple[BackupDestination, str]  # (kind, target: where, without credentials)
_RANK: Dict[str, int] = {"separate_host": 0, "object_store": 1, "netdisk": 2, "same_host": 3, "unknown": 4}
_HOST_SPEC = re.compile(r"^(?:[^/@\s]+@)?(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9][A-Za-z0-9._-]*):(?!//)")
# Option values of tools whose output file or directory is named by an option.
_OUTPUT_OPTIONS: Dict[str, Tuple[Tuple[str, ...], Tuple[str, ...]]] = {
    "mysqldump": (("-r",), ("--result-file",)),
    "mysqlpump": (("-r",), ("--result-file",)),
    "mariadb-dump": (("-r",), ("--result-file",)),
    "pg_dump": (("-f",), ("--file",)),
    "pg_dumpall": (("-f",), ("--file",)),
    "pg_basebackup": (("-D",), ("--pgdata",)),
    "mongodump": (("-o",), ("--out", "--archive")),
    "xtrabackup": ((), ("--target-dir", "--backup-dir")),
    "mariabackup": ((), ("--target-dir", "--backup-dir")),
    "tar": (("-f",), ("--file",)),
}
_OBJECT_CLIS: Dict[str, str] = {
    "s3cmd": "s3",
    "ossutil": "oss",
    "ossutil64": "oss",
    "coscmd": "cos",
    "coscli": "cos",
    "obsutil": "obs",
    "qshell": "qiniu",
    "mc": "s3 (mc)",
    "gsutil": "gcs",
    "azcopy": "azure blob",
    "b2": "b2",
    "swift": "swift",
}
_DUPLICITY_CONSUMER = (
    "onedrive",
    "dropbox",
    "mega",
    "megav2",
    "megav3",
    "pydrive",
    "gdrive",
    "gdocs",
    "box",
    "pcloud",
    "jottacloud",
)
_DUPLICITY_OBJECT = ("s3", "s3+http", "boto3+s3", "gs", "b2", "azure", "swift", "cf+http", "cos", "oss")


def _opt(words: List[str], shorts: Tuple[str, ...], longs: Tuple[str, ...]) -> Optional[str]:
    """The value of an option: ``-r X``, ``-rX``, ``--repo X`` or ``--repo=X`` (last one wins)."""
    value: Optional[str] = None
    for i, w in enumerate(words):
        nxt = words[i + 1] if i + 1 < len(words) else None
        if w in shorts or w in longs:
            value = nxt
        elif any(w.startswith(lo + "=") for lo in longs):
            value = w.split("=", 1)[1]
        elif any(w.startswith(sh) and len(w) > len(sh) and not w.startswith("--") for sh in shorts):
            value = w[2:]
    return value


def _positionals(words: List[str]) -> List[str]:
    return [w for w in words if not w.startswith("-")]


def _host_of_url(url: str) -> str:
    from urllib.parse import urlsplit

    try:
        return urlsplit(url).hostname or "?"
    except ValueError:
        return "?"


def _netdisk_domain(text: str) -> Optional[str]:
    low = text.lower()
    return next((d for d in NETDISK_DOMAINS if d in low), None)


class _Backups:
    """Backup jobs and net-disk uploads found in scheduled commands, with where each copy goes.

    Command text is looked at here and never leaves: a job is reduced to (tool, schedule, file,
    destination, target), and a target names a host, an object store or a path, never userinfo.
    """

    def __init__(self, host: HostReader) -> None:
        self.host = host
        self.jobs: List[BackupJobFacts] = []
        self.netdisk: List[NetdiskUploadFacts] = []
        self.unreadable: List[str] = []
        self.scripts_left = MAX_SCRIPTS
        self._mounts: Optional[List[Tuple[str, str, str]]] = None
        self._mounts_read = False
        self._rclone: Optional[Dict[str, Dict[str, str]]] = None
        self._rclone_unreadable: List[str] = []
        self._homes: Optional[Dict[str, str]] = None

    # -- entry points ----------------------------------------------------------------------------

    def add(
        self,
        command: str,
        schedule: str,
        file: str,
        user: str,
        env: Dict[str, str],
        via: Optional[str] = None,
        depth: int = 0,
    ) -> None:
        """Record what a command does (and the scripts it runs, MAX_SCRIPT_DEPTH deep), never the command itself."""
        jobs, netdisk = self.jobs, self.netdisk
        env = {**env, **shell_assignments(command)}
        env.update(self._sourced(command, env))
        nd = self._netdisk_in(command, env)
        if nd:
            self._add_netdisk(netdisk, nd, schedule, file, via)
        for tool in _tools_in(command):
            dests: List[Destination] = []
            for stmt in statements(command):
                if any(tool in _segment_tools(stage) for stage in stages(stmt)):
                    for d in self._destinations(tool, stmt, command, env, user):
                        if d not in dests:
                            dests.append(d)
            for kind, target in dests or [("unknown", "")]:
                job: BackupJobFacts = {"tool": tool, "schedule": schedule, "file": file, "destination": kind}
                if target:
                    job["target"] = target
                if via:
                    job["via"] = via
                last = self._last_success(tool, command, env, user, kind, target)
                if last is not None:
                    job["last_success"] = last
                if job not in jobs:
                    jobs.append(job)
                if kind == "netdisk":
                    self._add_netdisk(netdisk, target, schedule, file, via)
        if depth >= MAX_SCRIPT_DEPTH:
            return
        for script in invoked_scripts(command, env):
            if self.scripts_left <= 0:
                break
            if script.rsplit("/", 1)[-1] in BACKUP_TOOLS + NETDISK_TOOLS + ("rclone", "curl", "rsync", "tar"):
                continue
            text, why = read_script(self.host, script)
            if why is not None:
                self.unreadable.append(script)
            if text is None:
                continue
            self.scripts_left -= 1
            self.add(uncommented(text), schedule, file, user, env, via=script, depth=depth + 1)

    @staticmethod
    def _add_netdisk(netdisk: List[NetdiskUploadFacts], service: str, schedule: str, file: str, via: Optional[str]) -> None:
        entry: NetdiskUploadFacts = {"service": service, "schedule": schedule, "file": file}
        if via:
            entry["via"] = via
        if entry not in netdisk:
            netdisk.append(entry)

    def _sourced(self, command: str, env: Dict[str, str]) -> Dict[str, str]:
        """Assignments of the environment files a script sources (``. /etc/restic.env``, ``source ...``)."""
        out: Dict[str, str] = {}
        for m in re.finditer(r"(?m)^\s*(?:\.|source)\s+(\S+)", command):
            path = _unquote(expand_vars(m.group(1), env))
            if path.startswith("/") and not path.startswith(_NOT_SCRIPTS):
                out.update(read_env_file(self.host, path))
        return out

    # -- net-disks ---------------------------------------------------------------------------------

    def _netdisk_in(self, command: str, env: Mapping[str, str]) -> Optional[str]:
        low = command.lower()
        hits = set(_NETDISK_TOOL_RE.findall(low))
        for t in NETDISK_TOOLS:
            if t.lower() in hits:
                return t
        domain = _netdisk_domain(low)
        if domain:
            return domain
        if "rclone" not in low and "$" not in low:
            return None
        for stmt in statements(expand_vars(command, env)):
            for stage in stages(stmt):
                i, words = _program(shell_words(stage))
                if i < len(words) and words[i].rsplit("/", 1)[-1] == "rclone":
                    dest = self._rclone_transfer(words[i + 1 :])
                    if dest is not None and dest[0] == "netdisk":
                        return dest[1]
        return None

    # -- destinations ------------------------------------------------------------------------------

    def _destinations(self, tool: str, stmt: str, command: str, env: Mapping[str, str], user: str) -> List[Destination]:
        stmt = expand_vars(stmt, env)
        stage = next((s for s in stages(stmt) if tool in _segment_tools(s)), stmt)
        i, words = _program(shell_words(stage))
        words = words[i:]
        found: List[Destination] = []
        if tool == "restic":
            repo = _opt(words, ("-r",), ("--repo",)) or env.get("RESTIC_REPOSITORY")
            repo_file = _opt(words, (), ("--repository-file",)) or env.get("RESTIC_REPOSITORY_FILE")
            if not repo and repo_file:
                repo = self._first_line(repo_file)
            if repo:
                found.append(self._restic_repo(repo))
        elif tool == "borg":
            repo = next((w.split("::", 1)[0] for w in words if "::" in w), None)
            if not repo:
                repo = _opt(words, ("-r",), ("--repo",)) or env.get("BORG_REPO")
            if repo:
                found.append(self._borg_repo(repo))
        elif tool == "borgmatic":
            found += [self._borg_repo(r) for r in self._borgmatic_repos(_opt(words, ("-c",), ("--config",)))]
        elif tool == "rsnapshot":
            root = self._config_value(_opt(words, ("-c",), ()) or "/etc/rsnapshot.conf", r"^snapshot_root\s+(\S+)")
            if root:
                found.append(self._local(root))
        elif tool == "duplicity":
            urls = [w for w in words if "://" in w]
            if urls:
                found.append(self._url(urls[-1], _DUPLICITY_CONSUMER, _DUPLICITY_OBJECT))
        elif tool == "rsync":
            pos = _positionals(words[1:])
            if len(pos) >= 2:
                found.append(self._path_or_host(pos[-1], "rsync"))
        elif tool == "pgbackrest":
            found += self._pgbackrest()
        elif tool in AGENT_TOOLS:
            found.append(("separate_host", f"{tool} storage server"))
        else:
            out = self._output(tool, words, stmt)
            if out:
                found.append(self._local(out))
        # A copy made here and then shipped off (rsync, scp, an object-store client) leaves the host; one
        # uploaded to a net-disk goes there too, and the local copy stays where it is.
        if not any(k in OFF_HOST for k, _t in found):
            shipped = self._transfer(command, env)
            if shipped is not None:
                dropped = ("same_host", "unknown") if shipped[0] in OFF_HOST else ("unknown",)
                found = [shipped] + [d for d in found if d[0] not in dropped and d != shipped]
        return found

    def _output(self, tool: str, words: List[str], stmt: str) -> Optional[str]:
        """Where a dump tool writes: its output option, tar's archive, else the statement's last redirect."""
        out: Optional[str] = None
        shorts, longs = _OUTPUT_OPTIONS.get(tool, ((), ()))
        if shorts or longs:
            out = _opt(words, shorts, longs)
        if (
            tool == "tar"
            and out is None
            and len(words) > 2
            and re.match(r"^-?[A-Za-z]*f[A-Za-z]*$", words[1])
            and not words[1].startswith("--")
        ):
            out = words[2]
        if out is None or out == "-":
            targets = [_unquote(m.group(1)) for m in _REDIRECT.finditer(stmt)]
            targets = [t for t in targets if not t.startswith("/dev/")]
            out = targets[-1] if targets else None
        return out if out and out != "-" else None

    def _transfer(self, command: str, env: Mapping[str, str]) -> Optional[Destination]:
        """Where a command ships data: the first transfer off this host, else the first upload to a net-disk."""
        netdisk: Optional[Destination] = None
        for stmt in statements(expand_vars(command, env)):
            for n, stage in enumerate(stages(stmt)):
                i, words = _program(shell_words(stage))
                if i >= len(words):
                    continue
                prog, args = words[i].rsplit("/", 1)[-1], words[i + 1 :]
                pos = _positionals(args)
                dest: Optional[Destination] = None
                if prog == "rsync" and len(pos) >= 2:
                    dest = self._path_or_host(pos[-1], "rsync")
                elif prog in ("scp", "sftp") and pos:
                    m = _HOST_SPEC.match(pos[-1])
                    dest = ("separate_host", f"{prog} {m.group(1)}") if m else None
                elif prog == "ssh" and n > 0 and pos:
                    dest = ("separate_host", f"ssh {pos[0].rsplit('@', 1)[-1]}")
                elif prog == "rclone":
                    dest = self._rclone_transfer(args)
                elif prog == "aws" and len(pos) >= 2 and pos[0] == "s3":
                    bucket = next((p for p in pos if p.startswith("s3://")), None)
                    dest = ("object_store", f"s3 bucket {bucket.split('/')[2]}") if bucket else None
                elif prog in _OBJECT_CLIS and any(
                    p in ("put", "sync", "cp", "mirror", "upload", "upload-file", "copy", "fput") for p in pos[:2]
                ):
                    dest = ("object_store", _OBJECT_CLIS[prog])
                elif prog == "curl" and any(
                    a in ("-T", "--upload-file", "-F", "--form")
                    or a.startswith(("-T", "--upload-file=", "--form="))
                    or (a.startswith(("--data-binary", "-d")) and "@" in a)
                    for a in args
                ):
                    url = next((a for a in args if re.match(r"^(https?|ftps?|sftp|scp)://", a)), None)
                    domain = _netdisk_domain(url or "")
                    if domain:
                        dest = ("netdisk", domain)
                    elif url:
                        dest = ("separate_host", f"{url.split(':', 1)[0]} upload to {_host_of_url(url)}")
                elif prog in ("lftp", "ncftpput", "smbclient") and pos:
                    url = next((p for p in pos if "://" in p), None)
                    where = _host_of_url(url) if url else pos[0].lstrip("/").split("/")[0]
                    dest = ("separate_host", f"{prog} {where}")
                if dest is not None and dest[0] in OFF_HOST:
                    return dest
                if dest is not None and dest[0] == "netdisk" and netdisk is None:
                    netdisk = dest
        return netdisk

    def _path_or_host(self, spec: str, tool: str) -> Destination:
        if spec.startswith("rsync://"):
            return "separate_host", f"{tool} {_host_of_url(spec)}"
        m = _HOST_SPEC.match(spec)
        if m and not spec.startswith("/"):
            return "separate_host", f"{tool} {m.group(1)}"
        return self._local(spec)

    def _restic_repo(self, repo: str) -> Destination:
        if repo.startswith("rclone:"):
            return self._rclone_remote(repo[len("rclone:") :].split(":", 1)[0], depth=0)
        scheme, _, rest = repo.partition(":")
        if scheme == "sftp":
            if rest.startswith("//"):
                return "separate_host", f"sftp {_host_of_url(repo)}"
            m = _HOST_SPEC.match(rest)
            return "separate_host", f"sftp {m.group(1) if m else '?'}"
        if scheme == "rest":
            return "separate_host", f"rest server {_host_of_url(rest)}"
        if scheme in ("s3", "b2", "azure", "gs", "swift"):
            where = _host_of_url(rest) if "://" in rest else rest.split("/", 1)[0]
            return "object_store", f"{scheme} {where}".strip()
        if scheme == "local":
            return self._local(rest)
        if repo.startswith("/") or not rest:
            return self._local(repo)
        return "unknown", f"restic repository of type {scheme}"

    def _borg_repo(self, repo: str) -> Destination:
        if repo.startswith("ssh://"):
            return "separate_host", f"ssh {_host_of_url(repo)}"
        m = _HOST_SPEC.match(repo)
        if m and not repo.startswith("/"):
            return "separate_host", f"ssh {m.group(1)}"
        return self._local(repo)

    def _url(self, url: str, consumer: Tuple[str, ...], objects: Tuple[str, ...]) -> Destination:
        scheme = url.split("://", 1)[0].lower()
        if scheme == "file":
            return self._local(url.split("://", 1)[1])
        if scheme in consumer or _netdisk_domain(url):
            return "netdisk", f"{scheme} net-disk"
        if scheme in objects:
            return "object_store", f"{scheme} {_host_of_url(url)}"
        return "separate_host", f"{scheme} {_host_of_url(url)}"

    # -- rclone ------------------------------------------------------------------------------------

    def _rclone_transfer(self, args: List[str]) -> Optional[Destination]:
        """Where ``rclone copy|sync|move|copyto|moveto|rcat SRC DEST`` sends data, when DEST is a remote."""
        pos = _positionals(args)
        if not pos or pos[0] not in ("copy", "sync", "move", "copyto", "moveto", "rcat", "bisync"):
            return None
        dest = pos[-1]
        m = re.match(r"^(:?[\w.@ -]+?(?:,[^:]*)?):", dest)
        if m is None or len(pos) < 2 or dest.startswith("/"):
            return None
        return self._rclone_remote(m.group(1), depth=0)

    def _rclone_conf(self) -> Dict[str, Dict[str, str]]:
        """{remote: {type, url host, wrapped remote}} of every rclone.conf readable; never any credential."""
        if self._rclone is not None:
            return self._rclone
        self._rclone = {}
        paths = [p for pattern in RCLONE_CONFIGS for p in self.host.glob(pattern)]
        for path in paths:
            try:
                text = self.host.read_text(path) or ""
            except CollectError:
                self._rclone_unreadable.append(path)
                continue
            if text.lstrip().startswith("RCLONE_ENCRYPT_V0"):
                self._rclone_unreadable.append(f"{path} (encrypted)")
                continue
            section: Optional[Dict[str, str]] = None
            for raw in text.splitlines():
                line = raw.strip()
                if line.startswith("[") and line.endswith("]"):
                    section = self._rclone.setdefault(line[1:-1].strip(), {})
                elif section is not None and "=" in line and not line.startswith(("#", ";")):
                    key, _, value = line.partition("=")
                    key, value = key.strip().lower(), value.strip()
                    if key == "type":
                        section["type"] = value.lower()
                    elif key == "url":
                        section["host"] = _host_of_url(value)
                    elif key in ("remote", "upstreams"):
                        section["remote"] = value.split()[0] if value.split() else ""
        return self._rclone

    def _rclone_remote(self, name: str, depth: int) -> Destination:
        label = f"rclone remote {name.lstrip(':').split(',')[0]}"
        if name.startswith(":"):  # on-the-fly backend, ":s3,provider=...:bucket"
            rtype: Optional[str] = name[1:].split(",", 1)[0].lower()
            section: Dict[str, str] = {"type": rtype or ""}
        else:
            section = self._rclone_conf().get(name, {})
            rtype = section.get("type")
        if rtype:
            label = f"{label} ({rtype})"
            if rtype in RCLONE_CONSUMER_TYPES:
                return "netdisk", label
            if rtype in RCLONE_OBJECT_TYPES:
                return "object_store", label
            if rtype in RCLONE_HOST_TYPES:
                domain = _netdisk_domain(section.get("host", ""))
                return ("netdisk", f"{label} at {domain}") if domain else ("separate_host", label)
            if rtype == "local":
                return "same_host", label
            inner = section.get("remote", "")
            if rtype in RCLONE_WRAPPERS | {"union", "combine"} and inner and depth < 3:
                if ":" in inner and not inner.startswith("/"):
                    kind, where = self._rclone_remote(inner.split(":", 1)[0], depth + 1)
                    return kind, f"{label} over {where}"
                return self._local(inner)
            return "unknown", label
        if any(c in name.lower() for c in CONSUMER_REMOTES):
            return "netdisk", label
        self.unreadable += [p for p in self._rclone_unreadable if p not in self.unreadable]
        return "unknown", f"{label} (type not found in any readable rclone.conf)"

    # -- local paths and mounts --------------------------------------------------------------------

    def _mount_table(self) -> Optional[List[Tuple[str, str, str]]]:
        """(mountpoint, fstype, device) of every mount, longest mountpoint first; None if unreadable."""
        if self._mounts_read:
            return self._mounts
        self._mounts_read = True
        from collectors.host.files import unescape_mount_field

        for source in ("/proc/self/mounts", "/proc/mounts"):
            try:
                text = self.host.read_text(source)
            except CollectError:
                continue
            if text is None:
                continue
            rows = []
            for line in text.splitlines():
                parts = line.split()
                if len(parts) >= 3 and parts[1].startswith("/"):
                    rows.append((unescape_mount_field(parts[1]), parts[2], unescape_mount_field(parts[0])))
            self._mounts = sorted(rows, key=lambda r: len(r[0]), reverse=True)
            break
        return self._mounts

    def _fstab_type(self, mountpoint: str) -> Optional[Tuple[str, str]]:
        """(fstype, device) /etc/fstab gives a mount point (an automount shows as autofs until used)."""
        try:
            text = self.host.read_text("/etc/fstab") or ""
        except CollectError:
            return None
        for line in text.splitlines():
            parts = line.split()
            if len(parts) >= 3 and not parts[0].startswith("#") and parts[1] == mountpoint:
                return parts[2], parts[0]
        return None

    def _local(self, path: str) -> Destination:
        """A path on this host: same host unless the mount table puts it on a network or object-store filesystem."""
        directory = _literal_dir(path)
        if not directory.startswith("/"):
            return "same_host", f"{directory} (relative to the job's working directory)"
        mounts = self._mount_table()
        if mounts is None:
            return "unknown", f"{directory} (mount table unreadable: a network mount cannot be ruled out)"
        for mountpoint, fstype, device in mounts:
            if directory == mountpoint or directory.startswith(mountpoint.rstrip("/") + "/"):
                if fstype == "autofs":
                    real = self._fstab_type(mountpoint)
                    if real is not None:
                        fstype, device = real
                if fstype in NETWORK_FS:
                    server = device.lstrip("/").split("/")[0].split(":")[0].rsplit("@", 1)[-1]
                    return "separate_host", f"{directory} ({fstype} mount of {server})"
                if fstype in OBJECT_FS:
                    return "object_store", f"{directory} ({fstype} mount)"
                if fstype == "fuse.rclone":
                    kind, where = self._rclone_remote(device.split(":", 1)[0], depth=0)
                    return kind, f"{directory} ({where}, mounted)"
                return "same_host", f"{directory} (on {mountpoint}, {fstype})"
        return "same_host", directory

    # -- configuration files of backup tools -------------------------------------------------------

    def _first_line(self, path: str) -> Optional[str]:
        if not path.startswith("/"):
            return None
        try:
            text = self.host.read_text(path) or ""
        except CollectError:
            return None
        return next((ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")), None)

    def _config_value(self, path: str, pattern: str) -> Optional[str]:
        if not path.startswith("/"):
            return None
        try:
            text = self.host.read_text(path) or ""
        except CollectError:
            return None
        m = re.search(pattern, text, re.M)
        return m.group(1) if m else None

    def _borgmatic_repos(self, config: Optional[str]) -> List[str]:
        """Repository paths of borgmatic configuration (``repositories:`` list, old and new form)."""
        paths = [config] if config else []
        for pattern in ("/etc/borgmatic/config.yaml", "/etc/borgmatic.d/*.yaml", "/root/.config/borgmatic/config.yaml"):
            paths += self.host.glob(pattern) if not config else []
        repos: List[str] = []
        for path in paths:
            try:
                text = self.host.read_text(path) or ""
            except CollectError:
                continue
            indent: Optional[int] = None
            for line in text.splitlines():
                if not line.strip() or line.strip().startswith("#"):
                    continue
                depth = len(line) - len(line.lstrip())
                if re.match(r"^\s*repositories:\s*$", line):
                    indent = depth
                    continue
                if indent is None:
                    continue
                m = re.match(r"^\s*-\s*(?:path:\s*)?(\S+)\s*$", line)
                if m and depth >= indent:
                    repos.append(_unquote(m.group(1)))
                elif depth <= indent and not line.lstrip().startswith("-"):
                    indent = None
        return repos

    def _pgbackrest(self) -> List[Destination]:
        """pgBackRest repositories: repoN-host or a cloud repoN-type leave the host; a posix repo is a local path."""
        conf: Dict[str, str] = {}
        for path in ("/etc/pgbackrest/pgbackrest.conf", "/etc/pgbackrest.conf"):
            try:
                text = self.host.read_text(path)
            except CollectError:
                continue
            for line in (text or "").splitlines():
                m = re.match(r"^\s*(repo\d+-(?:type|host|path|sftp-host))\s*=\s*(\S+)", line)
                if m:
                    conf[m.group(1)] = m.group(2)
        out: List[Destination] = []
        for n in sorted({k.split("-", 1)[0] for k in conf} or {"repo1"}):
            rtype = conf.get(f"{n}-type", "posix")
            if conf.get(f"{n}-host") or rtype in ("sftp", "cifs"):
                out.append(("separate_host", f"pgbackrest {n} on {conf.get(f'{n}-host') or conf.get(f'{n}-sftp-host') or rtype}"))
            elif rtype in ("s3", "gcs", "azure"):
                out.append(("object_store", f"pgbackrest {n} ({rtype})"))
            else:
                out.append(self._local(conf.get(f"{n}-path", "/var/lib/pgbackrest")))
        return out

    # -- last success --------------------------------------------------------------------------------

    def _home(self, user: str) -> str:
        if user == "root":
            return "/root"
        if self._homes is None:
            self._homes = {}
            try:
                text = self.host.read_text("/etc/passwd") or ""
            except CollectError:
                text = ""
            for line in text.splitlines():
                parts = line.split(":")
                if len(parts) >= 7:
                    self._homes[parts[0]] = parts[5]
        return self._homes.get(user, f"/home/{user}")

    def _age(self, mtime: int) -> int:
        return max(0, (self.host.now() - mtime) // 86400)

    def _newest_in(self, directory: str) -> Optional[int]:
        """mtime of the newest regular file directly in ``directory`` (MAX_DIR_ENTRIES looked at)."""
        try:
            names = self.host.listdir(directory)[:MAX_DIR_ENTRIES]
        except CollectError:
            return None
        newest: Optional[int] = None
        for name in names:
            try:
                st = self.host.stat(f"{directory.rstrip('/')}/{name}")
            except CollectError:
                continue
            if st is not None and not st.is_dir and not st.is_symlink and st.mtime and (newest is None or st.mtime > newest):
                newest = st.mtime
        return newest

    def _last_success(
        self, tool: str, command: str, env: Mapping[str, str], user: str, kind: str, target: str
    ) -> Optional[LastSuccessFacts]:
        """When the job last made a copy, where the tool leaves a record of it on this host."""
        if tool == "restic" and "--no-cache" not in command:
            home = self._home(user)
            cache = env.get("RESTIC_CACHE_DIR") or (
                env["XDG_CACHE_HOME"] + "/restic" if "XDG_CACHE_HOME" in env else f"{home}/.cache/restic"
            )
            m = re.search(r"--cache-dir[= ]\s*(\S+)", command)
            cache = _unquote(m.group(1)) if m else cache
            repos = [p for p in self.host.glob(f"{cache}/*/snapshots") if self.host.is_dir(p)]
            if len(repos) == 1:
                newest = self._newest_in(repos[0])
                if newest is not None:
                    return {"age_days": self._age(newest), "basis": f"newest snapshot in the restic cache {repos[0]}"}
            return None
        if tool in ("borg", "borgmatic"):
            stamps = self.host.glob(f"{self._home(user)}/.config/borg/security/*/manifest-timestamp")
            if len(stamps) == 1:
                import datetime as _dt

                try:
                    raw = (self.host.read_text(stamps[0]) or "").strip()
                    when = _dt.datetime.fromisoformat(raw[:26]).replace(tzinfo=_dt.timezone.utc)
                except (CollectError, ValueError):
                    return None
                return {"age_days": self._age(int(when.timestamp())), "basis": f"borg manifest timestamp {stamps[0]}"}
            return None
        if kind == "same_host" and target.startswith("/"):
            directory = target.split(" (", 1)[0]
            newest = self._newest_in(directory)
            if newest is not None:
                return {"age_days": self._age(newest), "basis": f"newest file in {directory}"}
        return None


def _literal_dir(path: str) -> str:
    """The directory a path names, up to its first expansion: ``/data/backup/db-$(date +%F).gz`` is ``/data/backup``."""
    cut = min([i for i in (path.find("$"), path.find("`"), path.find("*"), path.find("{")) if i >= 0] or [len(path)])
    literal = path[:cut]
    if cut < len(path) or re.search(r"\.[A-Za-z0-9]{1,5}$", literal.rsplit("/", 1)[-1]):
        literal = literal.rsplit("/", 1)[0] if "/" in literal else literal
    return literal.rstrip("/") or "/"


@collector(
    BACKUP, "Scheduled backup jobs (cron, the scripts cron runs, systemd timers): tool, schedule, destination, last success"
)
def collect_backup(host: HostReader) -> BackupFacts:
    found = _Backups(host)
    cron = cron_sources(host)
    for cmd in cron.commands:
        found.add(cmd.command, cmd.schedule, cmd.file, cmd.user, dict(cmd.env))
    for cmd in timer_commands(host):
        before = len(found.jobs)
        found.add(cmd.command, cmd.schedule, cmd.file, cmd.user, dict(cmd.env))
        if len(found.jobs) == before and "backup" in cmd.file.rsplit("/", 1)[-1].lower():
            found.jobs.append(
                {"tool": "unrecognised (unit named backup)", "schedule": cmd.schedule, "file": cmd.file, "destination": "unknown"}
            )
    unreadable = list(cron.unreadable) + [p for p in found.unreadable if p not in cron.unreadable]
    order = ["hourly", "daily", "weekly", "monthly", "yearly"]
    # Net-disk uploads are backups too (poor ones, judged by LNX-BAK-003): the frequency counts them, as BAK-002 does.
    known = [j["schedule"] for j in (*found.jobs, *found.netdisk) if j.get("schedule") in order]
    return {
        "_method": "files",
        "jobs": found.jobs,
        "most_frequent_schedule": min(known, key=order.index) if known else None,
        "netdisk_uploads": found.netdisk,
        "complete": not unreadable,
        "unreadable": unreadable,
    }
