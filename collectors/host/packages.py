"""Packages and patching, security software, and backup jobs.

Backup jobs come from cron tables and systemd timers. Their command lines
routinely carry database passwords and API tokens, so this module reduces each
job to (tool, schedule, file) the moment it has recognised it; the command text
never leaves the parsing functions.
"""

from __future__ import annotations

import io
import re
from typing import IO, AbstractSet, Any, Dict, Iterable, Iterator, List, Literal, Mapping, Optional, Set, Tuple, TypedDict

from collectors.context import HostReader
from collectors.evidence import CollectError, ErrorReason
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


class _AideDatabaseBase(TypedDict):
    present: Optional[bool]  # None: could not be told


class AideDatabaseFacts(_AideDatabaseBase, total=False):
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
    database: AideDatabaseFacts  # AIDE only


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


class BackupJobFacts(TypedDict):
    tool: str
    schedule: str  # a FREQ_DAYS key, "reboot" or "unknown"
    file: str


class NetdiskUploadFacts(TypedDict):
    service: str
    schedule: str
    file: str


class BackupFacts(CollectedFacts):
    jobs: List[BackupJobFacts]
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


_STREAM_ERRORS = (OSError, EOFError, ValueError)  # gzip/lzma/bz2 errors derive from these


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


def _lists_age_days(host: HostReader, lists: List[str]) -> Optional[int]:
    """Age of the security index by its Release file's Date, else the file time."""
    import email.utils

    newest: Optional[int] = None
    for path in lists:
        release = path.rsplit("_", 3)[0] + "_InRelease"
        stamp: Optional[int] = None
        text = host.read_text(release) if host.exists(release) else None
        m = re.search(r"^Date:\s*(.+)$", text or "", re.M)
        if m:
            try:
                stamp = int(email.utils.parsedate_to_datetime(m.group(1).strip()).timestamp())
            except (TypeError, ValueError):
                stamp = None
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
    images = sorted(n[len("linux-image-") :] for n in installed if re.match(r"linux-image-\d", n))
    return {"running": running, "installed_images": images[-5:]}


def _read_installed(host: HostReader) -> Tuple[Literal["dpkg", "rpm"], Dict[str, str]]:
    status = host.read_text("/var/lib/dpkg/status")
    if status is not None:
        return "dpkg", parse_dpkg_status(status)
    res = host.run(["rpm", "-qa", "--qf", "%{NAME} %{VERSION}-%{RELEASE}\\n"])
    if res.missing:
        raise CollectError(ErrorReason.UNSUPPORTED, "neither /var/lib/dpkg/status nor rpm is available")
    if res.error is not None or res.exit_code != 0:
        raise CollectError(ErrorReason.MALFORMED, f"rpm -qa failed: {res.error or res.stderr.strip() or res.exit_code}")
    installed = parse_rpm_qa(res.stdout)
    if not installed:
        raise CollectError(ErrorReason.MALFORMED, "rpm -qa: no 'name version-release' lines in the output")
    return "rpm", installed


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


def _aide_database(host: HostReader) -> AideDatabaseFacts:
    for path in AIDE_DBS:
        st, why = _stat_path(host, path)
        if why is not None:
            return {"present": None, "reason": why}
        if st is not None:
            return {"present": True, "path": path}
    return {"present": False}


@collector(SECURITY_SOFTWARE, "Anti-malware, EDR, HIDS and file-integrity software present on the host")
def collect_security_software(host: HostReader) -> SecuritySoftwareFacts:
    try:
        installed = installed_packages(host)[1]
    except CollectError:
        installed = {}
    try:
        procs = {p.name for p in host.processes()}
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
        found.append(entry)
    return {
        "_method": "packages+files+processes",
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
    "mega.nz",
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
)

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


def cron_values(field: str, lo: int, hi: int) -> Optional[Set[int]]:
    """The set of values a cron field selects (None if it cannot be read)."""
    out: Set[int] = set()
    for part in field.lower().split(","):
        rng, _, step_s = part.partition("/")
        if step_s and not step_s.isdigit():
            return None
        step = int(step_s) if step_s else 1
        if rng == "*":
            a, b = lo, hi
        else:
            first, _, last = rng.partition("-")
            ends = [str(_CRON_NAMES[x]) if x in _CRON_NAMES else x for x in (first, last or first)]
            if not all(e.isdigit() for e in ends):
                return None
            a, b = int(ends[0]), int(ends[1]) if (last or not step_s) else hi
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


def _segment_tools(segment: str) -> List[str]:
    low = segment.lower()
    words = low.split()
    if not words:
        return []
    base = words[0].rsplit("/", 1)[-1]
    if base == "rm" or (base == "find" and re.search(r"\s-delete\b|-exec\s+(\S*/)?rm\b", low)):
        return []
    tools = [t for t in BACKUP_TOOLS if re.search(r"(?<![\w-])" + re.escape(t.lower()) + r"(?![\w-])", low)]
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


def _netdisk_in(command: str) -> Optional[str]:
    low = command.lower()
    for t in NETDISK_TOOLS:
        if re.search(r"(?<![\w./-])" + re.escape(t.lower()) + r"(?![\w-])", low):
            return t
    for d in NETDISK_DOMAINS:
        if d in low:
            return d
    for remote in re.findall(r"\brclone\s+(?:copy|sync|move)\s+\S+\s+([\w-]+):", low):
        if any(c in remote for c in CONSUMER_REMOTES):
            return f"rclone remote {remote}"
    return None


def _classify(command: str, schedule: str, path: str, jobs: List[BackupJobFacts], netdisk: List[NetdiskUploadFacts]) -> None:
    """Record what a command does, never the command itself."""
    nd = _netdisk_in(command)
    if nd:
        netdisk.append({"service": nd, "schedule": schedule, "file": path})
    for tool in _tools_in(command):
        jobs.append({"tool": tool, "schedule": schedule, "file": path})


def parse_crontab(text: str, path: str, has_user: bool, jobs: List[BackupJobFacts], netdisk: List[NetdiskUploadFacts]) -> None:
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or re.match(r"^[A-Za-z_][A-Za-z0-9_]*\s*=", line):
            continue
        parts = line.split(None, 6 if has_user else 5)
        if parts[0].startswith("@"):
            schedule = _CRON_MACROS.get(parts[0], "unknown")
            command_at = 2 if has_user else 1
            command = " ".join(line.split(None, command_at)[command_at:])
        else:
            if len(parts) < (7 if has_user else 6):
                continue
            schedule = cron_frequency(*parts[:5])
            command = parts[-1]
        _classify(command, schedule, path, jobs, netdisk)


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


def _timers(host: HostReader, jobs: List[BackupJobFacts], netdisk: List[NetdiskUploadFacts]) -> None:
    for timer in host.glob("/etc/systemd/system/*.timer"):
        try:
            ttext = host.read_text(timer) or ""
        except CollectError:
            continue
        tsec = parse_ini_section(ttext, "Timer")
        unit = tsec.get("Unit") or timer.rsplit("/", 1)[-1][: -len(".timer")] + ".service"
        schedule = calendar_frequency(tsec["OnCalendar"]) if "OnCalendar" in tsec else "unknown"
        try:
            stext = host.read_text("/etc/systemd/system/" + unit) or ""
        except CollectError:
            stext = ""
        command = parse_ini_section(stext, "Service").get("ExecStart", "")
        before = len(jobs)
        _classify(command, schedule, timer, jobs, netdisk)
        if len(jobs) == before and "backup" in unit.lower():
            jobs.append({"tool": "unrecognised (unit named backup)", "schedule": schedule, "file": timer})


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


def _cron_dirs(host: HostReader, debian: bool, jobs: List[BackupJobFacts], netdisk: List[NetdiskUploadFacts]) -> None:
    for period in ("hourly", "daily", "weekly", "monthly"):
        for script in host.glob(f"/etc/cron.{period}/*"):
            if not _cron_file_runs(host, script, debian, needs_exec=True):
                continue
            try:
                text = host.read_text(script) or ""
            except CollectError:
                continue
            body = "\n".join(ln for ln in text.splitlines() if not ln.strip().startswith("#"))
            _classify(body, period, script, jobs, netdisk)


def _user_crontabs(host: HostReader, jobs: List[BackupJobFacts], netdisk: List[NetdiskUploadFacts]) -> Tuple[bool, List[str]]:
    """Read per-user crontabs; (all readable, unreadable locations)."""
    unreadable: List[str] = []
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
            parse_crontab(text, path, False, jobs, netdisk)
    return not unreadable, unreadable


@collector(BACKUP, "Scheduled backup jobs (cron, systemd timers) reduced to tool, schedule and file")
def collect_backup(host: HostReader) -> BackupFacts:
    jobs: List[BackupJobFacts] = []
    netdisk: List[NetdiskUploadFacts] = []
    unreadable: List[str] = []
    debian = host.exists("/var/lib/dpkg/status")
    cron_d = [p for p in host.glob("/etc/cron.d/*") if _cron_file_runs(host, p, debian, needs_exec=False)]
    for path in ["/etc/crontab", *cron_d]:
        try:
            text = host.read_text(path)
        except CollectError as exc:
            if exc.reason is ErrorReason.MALFORMED:
                raise
            unreadable.append(path)
            continue
        if text is not None:
            parse_crontab(text, path, True, jobs, netdisk)
    _cron_dirs(host, debian, jobs, netdisk)
    _timers(host, jobs, netdisk)
    complete, missing = _user_crontabs(host, jobs, netdisk)
    unreadable += missing
    order = ["hourly", "daily", "weekly", "monthly", "yearly"]
    known = [j["schedule"] for j in jobs if j["schedule"] in order]
    return {
        "_method": "files",
        "jobs": jobs,
        # The most frequent schedule among the jobs found: what a backup-frequency question asks.
        "most_frequent_schedule": min(known, key=order.index) if known else None,
        "netdisk_uploads": netdisk,
        "complete": complete and not unreadable,
        "unreadable": unreadable,
    }
