"""The ``host.vulns`` host collector: installed packages matched against the stored feeds.

Which feed, by ``/etc/os-release``: Debian (``ID=debian``) against the Debian
Security Tracker; Ubuntu against Canonical's OSV records; openEuler against
openEuler's; RHEL and its rebuilds (``ID`` rhel, centos, rocky, almalinux, or
``rhel`` in ``ID_LIKE``) against Red Hat's (:mod:`collectors.vuln.osv`). The
package list is dpkg's status database, or ``rpm -qa`` as ``host.packages``
reads it. The feeds live on the machine running the agent (``riskagent feeds
update``), named by the host context's option ``feeds_dir``;
``feeds_max_age_days`` (default 7) says when a feed is stale. The evidence
records each feed used (id, sha256, date) so a verifier holding the same
files can re-derive the matches (:func:`rematch`). Only open matches and
counts are kept: no descriptions, no unaffected packages.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Sequence, Tuple

from collectors.context import HostReader
from collectors.evidence import CollectError, ErrorReason, Evidence, EvidenceStatus, FileSource, NotApplicable
from collectors.host.osinfo import parse_os_release
from collectors.host.packages import PACKAGES, installed_packages, parse_dpkg_status
from collectors.registry import collector
from collectors.vuln.facts import VULN, FeedFacts, MatchFacts, ServiceFacts, VulnFacts

if TYPE_CHECKING:
    from collectors.vuln import osv
    from collectors.vuln.feeddata import EpssScores
    from collectors.vuln.match import Installed

# The feed parsers and the matcher are imported where they are used: a scan without feeds never loads them.

NO_FEEDS = "no vulnerability feeds configured (riskagent feeds update)"
ADVISORY_LISTS = ("dsa.list", "dla.list")  # the security tracker's data/DSA/list and data/DLA/list
DIST_FEEDS = ("debian", "ubuntu", "redhat", "openeuler")  # one of them per host, by its distribution
COVERED = "Debian, Ubuntu, openEuler and RHEL (with CentOS, Rocky Linux and AlmaLinux)"


def _options(host: HostReader) -> Mapping[str, Any]:
    return host.ctx.options


def _sha256(path: Path) -> str:
    from collectors.digest import sha256  # the builtin hash, not hashlib's OpenSSL (a host scan never loads it)

    h = sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    digest: str = h.hexdigest()
    return digest


def _age(date: Optional[str], now: int) -> Optional[int]:
    if not date:
        return None
    try:
        when = dt.datetime.strptime(date[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=dt.timezone.utc)
    except ValueError:
        return None
    return max(0, int((now - when.timestamp()) // 86400))


def feed_inventory(
    feeds_dir: Path, now: int, max_age_days: int, dist: str = "debian"
) -> Tuple[List[FeedFacts], List[str], List[str]]:
    """The feeds present (id, file, sha256, date, age), the missing ones and the stale ones, for a host matched
    against the distribution feed ``dist``."""
    from collectors.vuln import feeds as feedstore

    try:
        manifest = feedstore.read_manifest(feeds_dir)
    except feedstore.FeedError as exc:
        raise CollectError(ErrorReason.MALFORMED, str(exc)) from None
    present: List[FeedFacts] = []
    missing: List[str] = []
    for feed_id in (dist, "kev", "epss"):
        path = feedstore.feed_path(feeds_dir, feed_id)
        if not path.is_file():
            missing.append(feed_id)
            continue
        entry = manifest.feeds.get(feed_id)
        digest = _sha256(path)
        if entry is not None and entry.sha256 != digest:
            raise CollectError(
                ErrorReason.MALFORMED,
                f"{path}: sha256 {digest[:12]} differs from the manifest's {entry.sha256[:12]}; run riskagent feeds update",
            )
        date = entry.date if entry is not None else None
        present.append({"id": feed_id, "file": path.name, "sha256": digest, "fetched_at": date, "age_days": _age(date, now)})
    for name in ADVISORY_LISTS if dist == "debian" else ():
        path = feeds_dir / name
        if path.is_file():
            present.append(
                {"id": name.split(".")[0], "file": name, "sha256": _sha256(path), "fetched_at": None, "age_days": None}
            )
    stale = [f["id"] for f in present if f["age_days"] is not None and f["age_days"] > max_age_days]
    return present, missing, stale


def _os_release(host: HostReader) -> Dict[str, str]:
    text = host.read_text("/etc/os-release") or host.read_text("/usr/lib/os-release") or ""
    return parse_os_release(text)


def _dpkg_lists(host: HostReader, binaries: List[str]) -> Dict[str, str]:
    """{path: package} from dpkg's file lists of ``binaries`` (those with a match only: a host has thousands)."""
    out: Dict[str, str] = {}
    for pkg in binaries:
        for path in host.glob(f"/var/lib/dpkg/info/{pkg}.list") + host.glob(f"/var/lib/dpkg/info/{pkg}:*.list"):
            try:
                text = host.read_text(path) or ""
            except CollectError:
                continue
            for line in text.splitlines():
                out[line.strip()] = pkg
    return out


def _services(host: HostReader, candidates: List[str], installed: List[str]) -> Tuple[Dict[str, ServiceFacts], Optional[str]]:
    from collectors.vuln.match import Socket, services_by_package

    try:
        sockets = [Socket(s.proto, s.address, int(s.port), s.pid, s.process) for s in host.listening()]
        exe_of = {p.pid: p.exe for p in host.processes() if p.exe}
    except CollectError as exc:
        return {}, f"listening services unknown: {exc.message}"
    try:
        interfaces: Optional[Dict[str, List[str]]] = host.interfaces() or None
    except CollectError:
        interfaces = None
    owners = _dpkg_lists(host, candidates)

    def owner(exe: str) -> Optional[str]:
        alt = exe[4:] if exe.startswith("/usr/") else "/usr" + exe
        return owners.get(exe) or owners.get(alt)

    return services_by_package(sockets, exe_of, installed, owner, interfaces), None


def collect_matches(host: HostReader, feeds_dir: Path, max_age_days: int) -> VulnFacts:
    info = _os_release(host)
    os_id = info.get("ID", "")
    if os_id == "debian":
        return _collect_debian(host, feeds_dir, max_age_days, info.get("VERSION_CODENAME", ""))
    from collectors.vuln import osv

    release = osv.release_of(info)
    if release is None:
        raise NotApplicable(f"vulnerability matching covers {COVERED}; this host is {os_id or 'unknown'}")
    return _collect_osv(host, feeds_dir, max_age_days, release)


def _collect_debian(host: HostReader, feeds_dir: Path, max_age_days: int, suite: str) -> VulnFacts:
    from collectors.vuln.match import parse_dpkg_sources

    if not suite:
        raise CollectError(ErrorReason.MALFORMED, "/etc/os-release names no VERSION_CODENAME: the Debian suite is unknown")
    now = host.now()
    present, missing, stale = feed_inventory(feeds_dir, now, max_age_days)
    if "debian" in missing:
        raise CollectError(ErrorReason.NOT_FOUND, f"no Debian Security Tracker feed in {feeds_dir} (riskagent feeds update)")
    host.sources.extend(FileSource(str(feeds_dir / f["file"]), f["sha256"]) for f in present)
    status = host.read_text("/var/lib/dpkg/status", required=True) or ""
    installed = parse_dpkg_status(status)
    sources = parse_dpkg_sources(status)
    facts = derive(feeds_dir, suite, installed, sources, {f["id"] for f in present}, today=_today(now))
    svc, reason = _services(host, sorted({b for m in facts["matches"] for b in m["packages"]}), sorted(installed))
    if svc:
        facts = derive(feeds_dir, suite, installed, sources, {f["id"] for f in present}, today=_today(now), services=svc)
    return _finish(facts, present, missing, stale, max_age_days, reason)


def _finish(
    facts: VulnFacts, present: List[FeedFacts], missing: List[str], stale: List[str], max_age_days: int, reason: Optional[str]
) -> VulnFacts:
    facts["feeds"], facts["missing_feeds"], facts["stale_feeds"], facts["max_age_days"] = present, missing, stale, max_age_days
    if reason:
        facts["services_reason"] = reason
    return facts


def _collect_osv(host: HostReader, feeds_dir: Path, max_age_days: int, release: osv.Release) -> VulnFacts:
    from collectors.vuln.match import parse_dpkg_sources
    from collectors.vuln.osv import FEED_TITLES

    now = host.now()
    present, missing, stale = feed_inventory(feeds_dir, now, max_age_days, release.feed)
    if release.feed in missing:
        raise CollectError(ErrorReason.NOT_FOUND, f"no {FEED_TITLES[release.feed]} feed in {feeds_dir} (riskagent feeds update)")
    host.sources.extend(FileSource(str(feeds_dir / f["file"]), f["sha256"]) for f in present)
    sources: Dict[str, str] = {}
    if release.manager == "dpkg":
        status = host.read_text("/var/lib/dpkg/status", required=True) or ""
        installed = parse_dpkg_status(status)
        sources = parse_dpkg_sources(status)
    else:
        manager, installed = installed_packages(host)  # what host.packages reads (rpm -qa), read once per assessment
        if manager != "rpm":
            raise CollectError(ErrorReason.MALFORMED, f"{release.suite} host with a dpkg package database, not rpm")
    ids = {f["id"] for f in present}
    facts = derive_osv(feeds_dir, release.feed, release.suite, installed, sources, ids, _today(now))
    svc, reason = _services(host, sorted({b for m in facts["matches"] for b in m["packages"]}), sorted(installed))
    if svc:  # set on the matches as derive_osv would, without streaming the feed a second time
        from collectors.vuln.match import _service_of, counts

        for m in facts["matches"]:
            m["service"] = _service_of(m["packages"], svc)
        facts["counts"] = counts(facts["matches"], facts["counts"]["unfixed"])
    return _finish(facts, present, missing, stale, max_age_days, reason)


def _today(now: int) -> str:
    return dt.datetime.fromtimestamp(now, dt.timezone.utc).date().isoformat()


def derive(
    feeds_dir: Path,
    suite: str,
    installed: Mapping[str, str],
    sources: Mapping[str, str],
    feed_ids: Any,
    today: str,
    services: Optional[Mapping[str, ServiceFacts]] = None,
) -> VulnFacts:
    """The matches of a package list against the feeds in ``feeds_dir`` (shared by the collector and ``rematch``)."""
    from collectors.vuln import feeds as feedstore
    from collectors.vuln.feeddata import advisory_index, debian_index, kev_index
    from collectors.vuln.match import installed_packages, match

    packages: List[Installed] = installed_packages(installed, sources)
    issues = debian_index(feedstore.feed_path(feeds_dir, "debian"), suite, {p.source for p in packages})
    kev = kev_index(feedstore.feed_path(feeds_dir, "kev")) if "kev" in feed_ids else {}
    advisories = advisory_index(
        [(feeds_dir / n).read_text(encoding="utf-8", errors="replace") for n in ADVISORY_LISTS if (feeds_dir / n).is_file()],
        suite,
    )
    result = match(packages, issues, kev, None, advisories, services or {}, today)
    epss = _join_epss(feeds_dir, feed_ids, result.matches)
    return _facts("Debian Security Tracker JSON", "dpkg", suite, installed, sources, result.matches, result.unfixed, epss)


def _facts(
    method: str,
    manager: str,
    suite: str,
    installed: Mapping[str, str],
    sources: Mapping[str, str],
    matches: List[MatchFacts],
    unfixed: int,
    epss: Optional[EpssScores],
) -> VulnFacts:
    """The facts of one matching (the feed inventory is filled in by the caller that has it)."""
    from collectors.vuln import feeds as feedstore
    from collectors.vuln.match import counts

    facts: VulnFacts = {
        "_method": method,
        "manager": manager,
        "suite": suite,
        "feeds": [],
        "missing_feeds": [],
        "stale_feeds": [],
        "max_age_days": feedstore.DEFAULT_MAX_AGE_DAYS,
        "packages": len(installed),
        "sources": {b: s for b, s in sorted(sources.items()) if b in installed or any(k.split(":")[0] == b for k in installed)},
        "matches": matches,
        "counts": counts(matches, unfixed),
    }
    if epss is not None and epss.score_date:
        facts["epss_date"] = epss.score_date
    return facts


def _join_epss(feeds_dir: Path, feed_ids: Any, matches: List[MatchFacts]) -> Optional[EpssScores]:
    """EPSS scores of the matched CVEs, set on the matches (the file is read only when there are matches)."""
    from collectors.vuln import feeds as feedstore
    from collectors.vuln.feeddata import epss_index

    if "epss" not in feed_ids or not matches:
        return None
    epss = epss_index(feedstore.feed_path(feeds_dir, "epss"), {m["cve"] for m in matches})
    for m in matches:
        e = epss.scores.get(m["cve"])
        m["epss"] = {"score": e.score, "percentile": e.percentile} if e else None
    return epss


def derive_osv(
    feeds_dir: Path,
    feed: str,
    suite: str,
    installed: Mapping[str, str],
    sources: Mapping[str, str],
    feed_ids: Any,
    today: str,
    services: Optional[Mapping[str, ServiceFacts]] = None,
) -> VulnFacts:
    """The matches of a package list against an OSV feed (``ubuntu``, ``redhat``, ``openeuler``) for the release
    ``suite`` names (shared by the collector and ``rematch``). A feed that cannot be read is a CollectError
    naming the file and the member."""
    from collectors.vuln import feeds as feedstore
    from collectors.vuln import osv
    from collectors.vuln.feeddata import kev_index
    from collectors.vuln.match import installed_packages

    packages = installed_packages(installed, sources)
    try:
        release = osv.release_from_suite(feed, suite)
        index = osv.osv_index(feedstore.feed_path(feeds_dir, feed), release, osv.wanted_names(packages))
    except osv.OsvError as exc:
        raise CollectError(ErrorReason.MALFORMED, str(exc)) from None
    kev = kev_index(feedstore.feed_path(feeds_dir, "kev")) if "kev" in feed_ids else {}
    result = osv.match_osv(packages, index, release, kev, services or {}, today)
    epss = _join_epss(feeds_dir, feed_ids, result.matches)
    method = f"{osv.FEED_TITLES[feed]} records against the {release.manager} package list"
    return _facts(method, release.manager, suite, installed, sources, result.matches, result.unfixed, epss)


@collector(
    VULN,
    "Installed packages against the distribution's vulnerability data (Debian Security Tracker; Ubuntu, Red Hat and "
    "openEuler OSV records), CISA KEV and FIRST EPSS feeds, with the services they back",
)
def collect_vulns(host: HostReader) -> VulnFacts:
    opts = _options(host)
    feeds_dir = opts.get("feeds_dir")
    if not feeds_dir:
        raise NotApplicable(NO_FEEDS)
    from collectors.vuln.feeds import DEFAULT_MAX_AGE_DAYS

    max_age = int(opts.get("feeds_max_age_days") or DEFAULT_MAX_AGE_DAYS)
    return collect_matches(host, Path(str(feeds_dir)), max_age)


# -- recheck --------------------------------------------------------------------------------------


NOT_REDERIVED = "vulnerability verdicts were not re-derived"
NOT_REDERIVED_ZH = "漏洞判定未重新推导"


@dataclass(frozen=True)
class Rematch:
    """What ``verify --feeds`` can say about the vulnerability verdicts."""

    rederived: bool
    statement: str
    differences: Tuple[str, ...] = ()  # English, as the feeds' and the report's fields name them
    statement_zh: str = ""  # the statement in Chinese (empty: as in English)


def rematch(evidence: Sequence[Evidence], feeds_dir: Path) -> Rematch:
    """Re-derive the matches from the embedded package list, when ``feeds_dir`` holds the same feeds (by sha256).

    The listening services are taken from the signed matches (they rest on the socket and process
    evidence, which the checks already re-judge); what is re-derived is which package versions are
    open against which feed entries, with KEV, EPSS and advisory data.
    """
    by_name = {e.collector: e for e in evidence}
    vuln, pkgs = by_name.get(VULN.name), by_name.get(PACKAGES.name)
    if vuln is None or vuln.status is not EvidenceStatus.OK:
        return Rematch(False, f"{NOT_REDERIVED}: the report holds no vulnerability matching", statement_zh=f"{NOT_REDERIVED_ZH}：报告中没有漏洞匹配")
    if pkgs is None or pkgs.status is not EvidenceStatus.OK:
        return Rematch(False, f"{NOT_REDERIVED}: the report holds no package list", statement_zh=f"{NOT_REDERIVED_ZH}：报告中没有软件包清单")
    facts: Mapping[str, Any] = vuln.facts
    used = {f["id"]: f["sha256"] for f in facts.get("feeds", [])}
    dist = next((i for i in DIST_FEEDS if i in used), "debian")
    try:
        mine = {f["id"]: f["sha256"] for f in feed_inventory(feeds_dir, 0, 1 << 30, dist)[0]}
    except CollectError as exc:
        return Rematch(False, f"{NOT_REDERIVED}: {exc.message}", statement_zh=f"{NOT_REDERIVED_ZH}：{exc.message}")
    differ = sorted(i for i in used if mine.get(i) != used[i])
    if differ:
        return Rematch(
            False,
            f"{NOT_REDERIVED}: "
            + "; ".join(
                f"feed {i} sha256 {used[i][:12]} is not in {feeds_dir}" + (f" (it holds {mine[i][:12]})" if i in mine else "")
                for i in differ
            ),
            statement_zh=f"{NOT_REDERIVED_ZH}："
            + "；".join(
                f"{feeds_dir} 中没有 sha256 为 {used[i][:12]} 的漏洞库 {i}" + (f"（其中的是 {mine[i][:12]}）" if i in mine else "")
                for i in differ
            ),
        )
    services: Dict[str, ServiceFacts] = {}
    for m in facts.get("matches", []):
        if m.get("service"):
            for b in m["packages"]:
                services[b] = m["service"]
    installed = {str(k): str(v) for k, v in dict(pkgs.facts.get("installed") or {}).items()}
    sources = dict(facts.get("sources") or {})
    try:
        if dist == "debian":
            again = derive(feeds_dir, str(facts["suite"]), installed, sources, set(used), vuln.collected_at[:10], services)
        else:
            again = derive_osv(
                feeds_dir, dist, str(facts["suite"]), installed, sources, set(used), vuln.collected_at[:10], services
            )
    except CollectError as exc:
        return Rematch(False, f"{NOT_REDERIVED}: {exc.message}", statement_zh=f"{NOT_REDERIVED_ZH}：{exc.message}")
    differences: List[str] = []
    signed = {(m["cve"], m["source"]): m for m in facts.get("matches", [])}
    now = {(m["cve"], m["source"]): m for m in again["matches"]}
    for key in sorted(set(signed) | set(now)):
        a, b = signed.get(key), now.get(key)
        if a is None:
            differences.append(f"{key[0]} ({key[1]}): open by the feeds, not in the report")
        elif b is None:
            differences.append(f"{key[0]} ({key[1]}): in the report, not open by the feeds")
        else:
            for field_ in ("installed", "fixed", "advisory", "kev", "epss", "severity"):
                if a.get(field_) != b.get(field_):
                    differences.append(
                        f"{key[0]} ({key[1]}): {field_} reported {a.get(field_)!r}, the feeds give {b.get(field_)!r}"
                    )
    if differences:
        return Rematch(False, "vulnerability matches differ from the feeds", tuple(differences), "漏洞匹配结果与漏洞库推导的不同")
    return Rematch(
        True,
        f"vulnerability matches re-derived from the embedded package list against the same feeds ({len(now)} open)",
        statement_zh=f"已用相同漏洞库从内嵌软件包清单重新推导漏洞匹配（{len(now)} 个未修复）",
    )
