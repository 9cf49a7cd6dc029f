"""Installed Debian packages against the distribution's own fixed versions, with KEV, EPSS and exposure.

Why the distribution's fixed version and not upstream ranges: Debian backports
fixes into its stable versions (apache2 2.4.38-3+deb10u7 carries fixes of
upstream 2.4.51). The tracker names the first version *of that suite* that is
fixed, and dpkg's ordering of ``installed < fixed`` is then exact; an
upstream range would report every backported fix as open.

The tracker keys on *source* packages; dpkg's ``Source:`` field maps each
binary to its source (and source version, when they differ). Known gaps,
said rather than guessed: signed kernel images name ``linux-signed-*`` as
their source, which the tracker does not list; a library that a daemon links
(libssl behind sshd) is not counted as backing that daemon's service.

Which package backs a listening service: the owning package of the
listening process's executable from dpkg's file lists
(``/var/lib/dpkg/info/<pkg>.list``) where readable, otherwise the
documented table :data:`DAEMON_PACKAGES` of common daemons.

Reachable from outside: a socket bound to a globally routable address; a
wildcard socket when the host has such an address (on an interface, or as the
bind address of another socket); never a loopback or private bind. When the
host's addresses are unknown a wildcard socket's reach is unknown (None), not no.
"""

from __future__ import annotations

import fnmatch
import ipaddress
import re
from dataclasses import dataclass
from typing import Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Set, Tuple

from collectors.host.debversion import compare
from collectors.vuln.facts import SEVERITIES, CountsFacts, MatchFacts, ServiceFacts
from collectors.vuln.feeddata import Advisory, EpssScores, Issue, KevEntry

# -- installed packages -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Installed:
    binary: str
    version: str
    source: str
    source_version: str


def parse_dpkg_sources(text: str) -> Dict[str, str]:
    """{binary: ``Source:`` value} of installed packages whose stanza names a source (``src`` or ``src (version)``)."""
    out: Dict[str, str] = {}
    for stanza in re.split(r"\n\s*\n", text):
        name = re.search(r"^Package:\s*(\S+)", stanza, re.M)
        source = re.search(r"^Source:\s*(.+?)\s*$", stanza, re.M)
        status = re.search(r"^Status:\s*(.+?)\s*$", stanza, re.M)
        if name and source and status and status.group(1).split()[-1:] == ["installed"]:
            if source.group(1) != name.group(1):
                out[name.group(1)] = source.group(1)
    return out


def installed_packages(installed: Mapping[str, str], sources: Mapping[str, str]) -> List[Installed]:
    out: List[Installed] = []
    for name, version in installed.items():
        binary = name.split(":", 1)[0]
        src = sources.get(binary) or sources.get(name) or binary
        m = re.match(r"^(\S+)\s*\((\S+)\)$", src)
        source, source_version = (m.group(1), m.group(2)) if m else (src, version)
        out.append(Installed(binary, version, source, source_version))
    return out


# -- services ---------------------------------------------------------------------------------------

# Process name -> binary packages that ship it, Debian/Ubuntu and RPM names (a name ending in "*" is a prefix).
# Used only where the executable's owner cannot be read from dpkg's file lists (always on RPM hosts).
DAEMON_PACKAGES: Dict[str, Tuple[str, ...]] = {
    "sshd": ("openssh-server",),
    "nginx": ("nginx", "nginx-core", "nginx-light", "nginx-full", "nginx-extras"),
    "apache2": ("apache2", "apache2-bin"),
    "httpd": ("apache2", "apache2-bin", "httpd"),
    "master": ("postfix",),
    "postfix": ("postfix",),
    "exim4": ("exim4-daemon-light", "exim4-daemon-heavy"),
    "named": ("bind9", "bind"),
    "mysqld": ("mariadb-server-core", "mariadb-server", "mysql-server-core-*", "default-mysql-server", "mysql-server"),
    "mariadbd": ("mariadb-server-core", "mariadb-server"),
    "postgres": ("postgresql-*",),
    "redis-server": ("redis-server", "redis"),
    "vsftpd": ("vsftpd",),
    "proftpd": ("proftpd-core", "proftpd-basic"),
    "dovecot": ("dovecot-core", "dovecot"),
    "slapd": ("slapd",),
    "squid": ("squid",),
    "haproxy": ("haproxy",),
    "memcached": ("memcached",),
    "smbd": ("samba",),
    "rpcbind": ("rpcbind",),
    "cupsd": ("cups-daemon", "cups"),
    "avahi-daemon": ("avahi-daemon",),
    "dnsmasq": ("dnsmasq-base", "dnsmasq"),
    "ntpd": ("ntp", "ntpsec"),
    "chronyd": ("chrony",),
    "openvpn": ("openvpn",),
    "tomcat": ("tomcat9", "tomcat10", "tomcat"),
}


def _named(process: str, installed: Iterable[str]) -> List[str]:
    names = ("php*-fpm",) if process.startswith("php-fpm") else DAEMON_PACKAGES.get(process, ())
    return [pkg for pkg in installed if any(fnmatch.fnmatchcase(pkg, n) for n in names)]


def _is_global(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)
    return bool((mapped or ip).is_global)


def _wildcard(address: str) -> bool:
    return address in ("0.0.0.0", "::", "*", "")  # noqa: S104 - classifying, not binding


@dataclass(frozen=True)
class Socket:
    proto: str
    address: str
    port: int
    pid: Optional[int]
    process: Optional[str]


def public_addresses(sockets: Sequence[Socket], interfaces: Optional[Mapping[str, Sequence[str]]]) -> Optional[bool]:
    """Whether the host has a globally routable address: True, False, or None when its addresses are unknown."""
    seen = [s.address for s in sockets if not _wildcard(s.address)]
    seen += [a for addrs in (interfaces or {}).values() for a in addrs]
    if any(_is_global(a) for a in seen):
        return True
    return False if interfaces else None


def socket_exposed(address: str, host_public: Optional[bool]) -> Optional[bool]:
    if _wildcard(address):
        return host_public
    return _is_global(address)


def services_by_package(
    sockets: Sequence[Socket],
    exe_of: Mapping[int, str],
    installed: Sequence[str],
    owner_of_exe: Callable[[str], Optional[str]],
    interfaces: Optional[Mapping[str, Sequence[str]]] = None,
) -> Dict[str, ServiceFacts]:
    """{binary package: the listening service it backs}, merged over its sockets."""
    host_public = public_addresses(sockets, interfaces)
    out: Dict[str, ServiceFacts] = {}
    for s in sockets:
        if s.address.startswith("127.") or s.address in ("::1",):
            continue
        exe = exe_of.get(s.pid) if s.pid is not None else None
        owner = owner_of_exe(exe) if exe else None
        packages = [owner] if owner else _named(s.process or "", installed)
        exposed = socket_exposed(s.address, host_public)
        for pkg in packages:
            row = out.setdefault(pkg, {"process": s.process or "", "ports": [], "exposed": False})
            if s.port not in row["ports"]:
                row["ports"].append(s.port)
            if exposed is True or row["exposed"] is True:
                row["exposed"] = True
            elif exposed is None:
                row["exposed"] = None
    for row in out.values():
        row["ports"].sort()
    return out


# -- matching ---------------------------------------------------------------------------------------

_URGENCY = {"high": "high", "medium": "medium", "low": "low", "unimportant": "low"}


def severity(urgency: str, cvss: Optional[str]) -> str:
    """Severity from CVSS where present (9.0+ critical), else the tracker's urgency (``**`` marks a guess)."""
    if cvss is not None:
        score = float(cvss)
        return "critical" if score >= 9.0 else "high" if score >= 7.0 else "medium" if score >= 4.0 else "low"
    return _URGENCY.get(urgency.rstrip("*").strip(), "unknown")


@dataclass(frozen=True)
class MatchResult:
    matches: List[MatchFacts]
    unfixed: int


def _days(later: str, earlier: str) -> Optional[int]:
    import datetime as dt

    try:
        return (dt.date.fromisoformat(later[:10]) - dt.date.fromisoformat(earlier[:10])).days
    except ValueError:
        return None


def match(
    packages: Sequence[Installed],
    issues: Mapping[str, Sequence[Issue]],
    kev: Mapping[str, KevEntry],
    epss: Optional[EpssScores],
    advisories: Mapping[Tuple[str, str], Advisory],
    services: Mapping[str, ServiceFacts],
    today: str,
) -> MatchResult:
    """Open matches (installed < the suite's fixed version) and the number of unfixed issues (no fix in the suite)."""
    groups: Dict[Tuple[str, str], List[str]] = {}
    for p in packages:
        groups.setdefault((p.source, p.source_version), []).append(p.binary)
    out: List[MatchFacts] = []
    unfixed = 0
    for (source, version), binaries in sorted(groups.items()):
        for issue in issues.get(source, ()):
            if issue.fixed is None:
                if issue.status == "open":
                    unfixed += 1
                continue
            if compare(version, issue.fixed) >= 0:
                continue
            adv = advisories.get((source, issue.fixed))
            k = kev.get(issue.cve)
            e = epss.scores.get(issue.cve) if epss else None
            svc = _service_of(sorted(binaries), services)
            fix_age = _days(today, adv.date) if adv else None
            out.append(
                {
                    "cve": issue.cve,
                    "source": source,
                    "packages": sorted(binaries),
                    "installed": version,
                    "fixed": issue.fixed,
                    "advisory": adv.id if adv else None,
                    "fix_date": adv.date if adv else None,
                    "fix_age_days": fix_age,
                    "urgency": issue.urgency,
                    "cvss": None,
                    "severity": severity(issue.urgency, None),
                    "kev": {"date_added": k.date_added, "due_date": k.due_date, "ransomware": k.ransomware} if k else None,
                    "epss": {"score": e.score, "percentile": e.percentile} if e else None,
                    "service": svc,
                }
            )
    out.sort(key=lambda m: (m["kev"] is None, SEVERITIES.index(m["severity"]), m["source"], m["cve"]))
    return MatchResult(out, unfixed)


def _service_of(binaries: Sequence[str], services: Mapping[str, ServiceFacts]) -> Optional[ServiceFacts]:
    rows = [services[b] for b in binaries if b in services]
    if not rows:
        return None
    exposed: Optional[bool] = (
        True if any(r["exposed"] is True for r in rows) else None if any(r["exposed"] is None for r in rows) else False
    )
    ports = sorted({p for r in rows for p in r["ports"]})
    return {"process": rows[0]["process"], "ports": ports, "exposed": exposed}


def counts(matches: Sequence[MatchFacts], unfixed: int) -> CountsFacts:
    by = {s: 0 for s in SEVERITIES}
    for m in matches:
        by[m["severity"]] += 1
    ages = [m["fix_age_days"] for m in matches if m["fix_age_days"] is not None]
    return {
        "open": len(matches),
        "unfixed": unfixed,
        "kev": sum(1 for m in matches if m["kev"]),
        "kev_exposed": sum(1 for m in matches if m["kev"] and m["service"] and m["service"]["exposed"] is True),
        "by_severity": by,
        "oldest_fix_age_days": max(ages) if ages else None,
    }


def related_sources(packages: Sequence[Installed]) -> Set[str]:
    return {p.source for p in packages}
