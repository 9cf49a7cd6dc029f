"""Industrial-control gateway facts: interfaces, industrial listeners, package integrity.

One collector, three sections. Each section catches its own collection
errors and records them as ``{"error": ...}`` so that, say, an unreadable
``md5sums`` file does not hide which industrial ports are open.

Integrity is verified against dpkg's ``/var/lib/dpkg/info/<pkg>.md5sums``
for a bounded set of packages (base system tools an attacker would replace,
plus anything that looks like industrial software). The work is capped
(files, bytes, wall time) so the agent never loads a fragile gateway; a
capped run is reported as truncated and must never be read as clean.
On RPM hosts ``rpm -V`` would be needed, which is too slow to run here, so
integrity is reported as unsupported.
"""

from __future__ import annotations

import ipaddress
import re
import time
from typing import Dict, List, Literal, Optional, Tuple, TypedDict, Union, final

from collectors.context import HostReader, ListeningSocket, runtime_only
from collectors.digest import md5_hex
from collectors.evidence import CollectError, ErrorReason
from collectors.facts import CollectedFacts, FactsKey
from collectors.host.network import Scope
from collectors.registry import collector

# -- facts shapes --------------------------------------------------------------


class _InterfacesBase(TypedDict):
    interfaces: Dict[str, List[str]]  # interface -> bare addresses
    known: bool


class InterfacesSection(_InterfacesBase, total=False):
    """Network interfaces; on ``error`` the map is empty."""

    error: str


class IndustrialListener(TypedDict):
    """A socket listening on an industrial port, with the interfaces it is reachable on."""

    port: int
    protocol: str  # INDUSTRIAL_SERVICES name
    proto: str
    address: str
    scope: Scope
    interfaces: List[str]
    process: Optional[str]


# The section forms below are final (closed, as check_shape reads every shape), so mypy
# tells them apart by ``"error" in section`` and by ``supported``.


@final
class SectionError(TypedDict):
    """A section whose collection failed."""

    error: str


class SetAsideListener(TypedDict):
    """A socket on an industrial port number that is not that industrial service, and why."""

    port: int
    proto: str
    address: str
    process: Optional[str]
    reason: str


@final
class IndustrialListeners(TypedDict):
    """The industrial listeners found."""

    listeners: List[IndustrialListener]
    ports: List[int]  # the industrial ports looked for
    set_aside: List[SetAsideListener]  # on an industrial port number, but another protocol or program


IndustrialSection = Union[SectionError, IndustrialListeners]


class FileFinding(TypedDict):
    path: str
    package: str


class HashLimits(TypedDict):
    files: int
    bytes: int
    milliseconds: int


class _DpkgIntegrityBase(TypedDict):
    supported: Literal[True]
    method: str
    packages: List[str]
    files_listed: int
    files_checked: int
    mismatches: List[FileFinding]
    missing: List[FileFinding]
    unreadable: int
    not_checked: int
    truncated: bool
    limits: HashLimits


@final
class DpkgIntegrity(_DpkgIntegrityBase, total=False):
    """Files of the selected packages checked against dpkg's md5sums, within the caps."""

    limit_hit: Optional[str]  # only when truncated: files, bytes or time


@final
class IntegrityUnsupported(TypedDict):
    """Integrity cannot be verified here; ``method`` None: no package database found."""

    supported: Literal[False]
    method: Optional[str]
    reason: str


IntegritySection = Union[SectionError, DpkgIntegrity, IntegrityUnsupported]


class IcsGatewayFacts(CollectedFacts):
    """host.ics_gateway: each section records its own collection error."""

    interfaces: InterfacesSection
    industrial: IndustrialSection
    integrity: IntegritySection


ICS_GATEWAY = FactsKey[IcsGatewayFacts]("host.ics_gateway", IcsGatewayFacts)

# (port, transport) -> protocol name, for industrial and OT-messaging services. The transport is part of
# the protocol: EtherNet/IP explicit messaging is TCP 44818 and its implicit (I/O) messaging UDP 2222 (ODVA),
# so a TCP listener on 2222 (often a second sshd) is not EtherNet/IP.
INDUSTRIAL_SERVICES: Dict[Tuple[int, str], str] = {
    (502, "tcp"): "Modbus/TCP",
    (102, "tcp"): "S7comm (ISO-TSAP)",
    (44818, "tcp"): "EtherNet/IP (explicit messaging)",
    (44818, "udp"): "EtherNet/IP (encapsulation, UDP)",
    (2222, "udp"): "EtherNet/IP (I/O)",
    (4840, "tcp"): "OPC UA",
    (47808, "udp"): "BACnet/IP",
    (20000, "tcp"): "DNP3",
    (20000, "udp"): "DNP3",
    (2404, "tcp"): "IEC 60870-5-104",
    (1911, "tcp"): "Niagara Fox",
    (4911, "tcp"): "Niagara Fox (TLS)",
    (1883, "tcp"): "MQTT",
    (8883, "tcp"): "MQTT over TLS",
}
# The port numbers looked at, whatever the transport.
INDUSTRIAL_PORTS: Dict[int, str] = {}
for (_port, _proto), _name in sorted(INDUSTRIAL_SERVICES.items()):
    INDUSTRIAL_PORTS.setdefault(_port, _name)
# Programs that speak only their own, non-industrial protocol on whatever port they are given (an sshd on
# 2222 or 502 is SSH, not EtherNet/IP or Modbus). Proxies (nginx stream, haproxy) are not listed: they may
# well be forwarding the industrial protocol itself.
NON_INDUSTRIAL_PROCESSES = frozenset({"sshd", "sshd-session", "sshd-auth", "dropbear"})

# Packages whose files an intruder on a gateway would most like to replace.
BASE_PACKAGES: Tuple[str, ...] = (
    "openssh-server",
    "sudo",
    "systemd",
    "login",
    "passwd",
    "coreutils",
    "util-linux",
    "iptables",
    "nftables",
    "libc-bin",
)
INDUSTRIAL_PACKAGE_RE = re.compile(r"codesys|modbus|opcua|plc|scada|hmi", re.I)

DPKG_INFO = "/var/lib/dpkg/info"
# Any of these marks an RPM-family host (recorded fixtures may lack the rpm database itself).
RPM_MARKERS = (
    "/var/lib/rpm",
    "/usr/lib/sysimage/rpm",
    "/etc/redhat-release",
    "/etc/openEuler-release",
    "/etc/dnf",
    "/etc/yum.repos.d",
)
MAX_FILES = 2000
MAX_BYTES = 64 * 1024 * 1024
MAX_SECONDS = 0.7
_MD5_LINE = re.compile(r"^([0-9a-fA-F]{32}) [ *](.+)$")


# -- interfaces and listeners ------------------------------------------------


def _plain(address: str) -> str:
    """``fe80::1%eth0`` / ``10.0.0.1/24`` -> the bare address."""
    return address.split("%", 1)[0].split("/", 1)[0]


def _scope(address: str) -> Scope:
    addr = _plain(address)
    if addr in ("", "*", "0.0.0.0", "::"):  # noqa: S104 - classifying, not binding
        return "wildcard"
    try:
        ip = ipaddress.ip_address(addr)
    except ValueError:
        return "specific"
    mapped = getattr(ip, "ipv4_mapped", None)
    if mapped is not None:
        ip = mapped
    if ip.is_loopback:
        return "loopback"
    return "wildcard" if ip.is_unspecified else "specific"


def interfaces_of(address: str, interfaces: Dict[str, List[str]]) -> List[str]:
    """Interfaces that own ``address`` (by exact address match)."""
    addr = _plain(address)
    if addr.startswith("::ffff:"):
        addr = addr[len("::ffff:") :]
    return sorted(name for name, addrs in interfaces.items() if addr in {_plain(a) for a in addrs})


def _transport(proto: str) -> str:
    """``tcp6`` -> ``tcp``."""
    return "udp" if proto.startswith("udp") else "tcp"


def classify_listener(s: ListeningSocket) -> Tuple[Optional[str], Optional[str]]:
    """(industrial protocol, None) or (None, why it is not one) for a socket on an industrial port number."""
    port, transport = int(s.port), _transport(s.proto)
    protocol = INDUSTRIAL_SERVICES.get((port, transport))
    if protocol is None:
        others = sorted(name for (p, t), name in INDUSTRIAL_SERVICES.items() if p == port)
        return None, f"{transport.upper()} {port} is not an industrial service port ({'; '.join(others)} use another transport)"
    if s.process and s.process in NON_INDUSTRIAL_PROCESSES:
        return None, f"{s.process} speaks its own protocol, not {protocol}"
    return protocol, None


def industrial_listeners(
    sockets: List[ListeningSocket], interfaces: Dict[str, List[str]], set_aside: Optional[List[SetAsideListener]] = None
) -> List[IndustrialListener]:
    """Listening sockets of industrial services, with the interfaces they are reachable on.

    A socket is an industrial service when its transport and port are one
    (``INDUSTRIAL_SERVICES``) and its owner is not a program known to speak
    something else; the others go to ``set_aside`` with the reason.
    """
    rows: List[IndustrialListener] = []
    seen = set()
    for s in sockets:
        port = int(s.port)
        if port not in INDUSTRIAL_PORTS:
            continue
        key = (s.proto, s.address, port)
        if key in seen:
            continue
        seen.add(key)
        protocol, why = classify_listener(s)
        if protocol is None:
            if set_aside is not None:
                set_aside.append({"port": port, "proto": s.proto, "address": s.address, "process": s.process, "reason": str(why)})
            continue
        scope = _scope(s.address)
        if scope == "wildcard":
            bound = sorted(interfaces)
        elif scope == "loopback":
            bound = ["lo"] if "lo" in interfaces else []
        else:
            bound = interfaces_of(s.address, interfaces)
        rows.append(
            {
                "port": port,
                "protocol": protocol,
                "proto": s.proto,
                "address": s.address,
                "scope": scope,
                "interfaces": bound,
                "process": s.process,
            }
        )
    return sorted(rows, key=lambda r: (r["port"], r["proto"], r["address"]))


def _network(host: HostReader) -> Tuple[InterfacesSection, IndustrialSection]:
    if host.offline_root:
        no_ifaces, no_sockets = runtime_only("the network interface list"), runtime_only("the socket table")
        return {"error": no_ifaces, "interfaces": {}, "known": False}, {"error": no_sockets}
    try:
        raw = host.interfaces()
        interfaces = {str(k): sorted({_plain(a) for a in v}) for k, v in raw.items()}
        iface_facts: InterfacesSection = {"interfaces": interfaces, "known": bool(interfaces)}
    except CollectError as exc:
        return {"error": exc.message, "interfaces": {}, "known": False}, {"error": exc.message}
    try:
        sockets = host.listening()
        if not sockets and not host.processes():
            return iface_facts, {"error": "no socket table: no running system was observed (an offline tree or a disk image)"}
    except CollectError as exc:
        return iface_facts, {"error": exc.message}
    set_aside: List[SetAsideListener] = []
    listeners = industrial_listeners(sockets, interfaces, set_aside)
    set_aside.sort(key=lambda r: (r["port"], r["proto"], r["address"]))
    return iface_facts, {"listeners": listeners, "ports": sorted(INDUSTRIAL_PORTS), "set_aside": set_aside}


# -- package integrity -------------------------------------------------------


def parse_md5sums(text: str, path: str) -> List[Tuple[str, str]]:
    """``<md5>  <path relative to />`` lines -> (digest, absolute path)."""
    out: List[Tuple[str, str]] = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        m = _MD5_LINE.match(line.rstrip("\n"))
        if not m:
            raise CollectError(ErrorReason.MALFORMED, f"{path}: line {n}: not '<md5>  <path>'")
        out.append((m.group(1).lower(), "/" + m.group(2).lstrip("/")))
    return out


def selected_md5sums(host: HostReader) -> List[Tuple[str, str]]:
    """(package, md5sums path) for the base packages and industrial-looking ones."""
    out: List[Tuple[str, str]] = []
    for path in host.glob(DPKG_INFO + "/*.md5sums"):
        name = path.rsplit("/", 1)[-1][: -len(".md5sums")]
        pkg = name.split(":", 1)[0]
        if pkg in BASE_PACKAGES or INDUSTRIAL_PACKAGE_RE.search(pkg):
            out.append((pkg, path))
    return out


class _Budget:
    """Files, bytes and wall time left for hashing."""

    def __init__(self, max_files: int, max_bytes: int, max_seconds: float) -> None:
        self.files_left = max_files
        self.bytes_left = max_bytes
        self.deadline = time.monotonic() + max_seconds
        self.limit_hit: Optional[str] = None

    def allows(self, size: int) -> bool:
        if self.files_left <= 0:
            self.limit_hit = "files"
        elif size > self.bytes_left:
            self.limit_hit = "bytes"
        elif time.monotonic() > self.deadline:
            self.limit_hit = "time"
        return self.limit_hit is None

    def spend(self, size: int) -> None:
        self.files_left -= 1
        self.bytes_left -= size


def _verify_file(host: HostReader, pkg: str, digest: str, path: str, budget: _Budget, out: DpkgIntegrity) -> bool:
    """Hash one file; returns False once the budget is exhausted."""
    st = host.stat(path)
    if st is None:
        out["missing"].append({"path": path, "package": pkg})
        return True
    if not budget.allows(st.size):
        return False
    try:
        data = host.read_bytes(path)
    except CollectError:
        out["unreadable"] += 1
        budget.spend(0)
        return True
    if data is None:
        out["missing"].append({"path": path, "package": pkg})
        return True
    budget.spend(len(data))
    out["files_checked"] += 1
    if md5_hex(data) != digest:  # dpkg records md5: integrity, not security
        out["mismatches"].append({"path": path, "package": pkg})
    return True


def verify_dpkg(
    host: HostReader, max_files: int = MAX_FILES, max_bytes: int = MAX_BYTES, max_seconds: float = MAX_SECONDS
) -> DpkgIntegrity:
    """Compare selected packages' files with dpkg's recorded md5 digests, within the caps."""
    out: DpkgIntegrity = {
        "supported": True,
        "method": "dpkg md5sums",
        "packages": [],
        "files_listed": 0,
        "files_checked": 0,
        "mismatches": [],
        "missing": [],
        "unreadable": 0,
        "not_checked": 0,
        "truncated": False,
        "limits": {"files": max_files, "bytes": max_bytes, "milliseconds": int(max_seconds * 1000)},
    }
    budget = _Budget(max_files, max_bytes, max_seconds)
    entries: List[Tuple[str, str, str]] = []
    for pkg, path in selected_md5sums(host):
        text = host.read_text(path)
        if text is None:
            continue
        out["packages"].append(pkg)
        entries.extend((pkg, digest, fpath) for digest, fpath in parse_md5sums(text, path))
    out["files_listed"] = len(entries)
    for i, (pkg, digest, fpath) in enumerate(entries):
        if not _verify_file(host, pkg, digest, fpath, budget, out):
            out["truncated"] = True
            out["limit_hit"] = budget.limit_hit
            out["not_checked"] = len(entries) - i
            break
    out["packages"] = sorted(set(out["packages"]))
    return out


def _integrity(host: HostReader) -> IntegritySection:
    try:
        if host.is_dir(DPKG_INFO):
            return verify_dpkg(host)
        if any(host.exists(d) for d in RPM_MARKERS):
            return {"supported": False, "method": "rpm", "reason": "not supported without rpm -V (too slow to run here)"}
        if host.exists("/var/lib/dpkg/status"):
            return {"supported": False, "method": "dpkg", "reason": f"dpkg host without {DPKG_INFO}: no md5sums lists"}
        return {"supported": False, "method": None, "reason": "no dpkg or rpm package database found"}
    except CollectError as exc:
        return {"error": exc.message}


@collector(ICS_GATEWAY, "ICS gateway: interfaces, industrial listeners, package file integrity")
def collect_ics_gateway(host: HostReader) -> IcsGatewayFacts:
    iface, listeners = _network(host)
    return {
        "_method": "interfaces, socket table, dpkg md5sums",
        "interfaces": iface,
        "industrial": listeners,
        "integrity": _integrity(host),
    }
