"""Known vulnerabilities of the services a scan reached (``net.vulns``): KEV, then other high and critical ones.

The collector matched only the versions a service states reliably (its
distribution package revision and release, ``collectors.vuln.services``)
and recorded every other open port as seen and not matched, with the
reason. So a check here passes only when every service seen was matched and
none has what it looks for; one unmatched service makes it ``manual``, never
a pass. Without feeds nothing was matched: ``manual`` too, saying so, and
never ``not_applicable``, which would count 高风险 6.4.3.2 as judged and clear
the KEV hard-fail item (``report/high_risk.py``, ``report/underwriting.py``).
"""

from __future__ import annotations

from typing import Callable, Dict, List, Optional, Sequence, Tuple, Union

from checks.host.vulns import upgrade_command
from checks.messages import message
from checks.model import CheckLevel, CoverageLine, InsurerDomain, Severity, Text, Verdict
from checks.registry import EvidenceView, Params, check
from collectors.evidence import EvidenceStatus
from collectors.net.vulns_facts import NET_VULNS, NetVulnFacts, SeenServiceFacts
from collectors.profile import Profile
from collectors.strictjson import JSON
from collectors.vuln.facts import MatchFacts

PROFILES = (Profile.WEBSITE, Profile.SERVER)
MAX_LISTED = 20

NO_FEEDS = message(
    "NET-VUL/no-feeds",
    en="no vulnerability feeds were given (--feeds DIR): the service versions seen were not matched, which is not a clean result",
    zh="未提供漏洞数据（--feeds DIR）：未比对所见服务版本，不代表没有漏洞",
)
NOT_ASSESSED = message(
    "NET-VUL/not-assessed",
    en="the service versions seen were not matched against vulnerability data: {detail}",
    zh="未将所见服务版本与漏洞数据比对：{detail}",
)
INCOMPLETE = message(
    "NET-VUL/incomplete",
    en="the port scan gave up on {hosts}: their services are unknown",
    zh="端口扫描未能完成以下主机：{hosts}，其服务未知",
)
NOT_MATCHED = message(
    "NET-VUL/not-matched",
    en="{count} of {seen} service(s) seen could not be matched reliably ({services}): only a version that states the "
    "distribution's package revision and release is matched, because distributions backport fixes without changing the upstream version",
    zh="所见 {seen} 个服务中有 {count} 个无法可靠比对（{services}）：只有注明发行版软件包修订号及其发行版本的版本才比对，"
    "因为发行版会在不改变上游版本号的情况下向后移植修复",
)
NOTHING_OPEN = message(
    "NET-VUL/no-open-port",
    en="the port scan found no open port: no service to match",
    zh="端口扫描未发现开放端口，没有需要比对的服务",
)
KEV_OPEN = message(
    "NET-VUL-001/kev",
    en="{count} known-exploited (CISA KEV) vulnerabilit(ies) in services reachable from the scanner: {cves} ({services})",
    zh="从扫描位置可访问的服务中存在 {count} 个已被在野利用（CISA KEV 收录）的漏洞：{cves}（{services}）",
)
NO_KEV_FEED = message(
    "NET-VUL-001/no-kev-feed",
    en="the CISA KEV catalogue is missing from the feeds: known exploitation cannot be told",
    zh="漏洞数据中缺少 CISA KEV 目录：无法判断漏洞是否已被在野利用",
)
NO_KEV = message(
    "NET-VUL-001/none",
    en="every service version seen ({count}) was matched against the distribution's security data; none has a KEV vulnerability",
    zh="所见的 {count} 个服务版本均已与发行版安全数据比对，均无 CISA KEV 收录的漏洞",
)
SEVERE_OPEN = message(
    "NET-VUL-002/open",
    en="{count} high or critical vulnerabilit(ies) with a fix available are open in services reachable from the scanner: {cves} ({services})",
    zh="从扫描位置可访问的服务中有 {count} 个已有修复版本的高危或严重漏洞未修补：{cves}（{services}）",
)
SEVERITY_UNKNOWN = message(
    "NET-VUL-002/severity-unknown",
    en="{count} vulnerabilit(ies) with a fix available are open whose severity the feed does not give: {cves} ({services})",
    zh="有 {count} 个已有修复版本的漏洞未修补，漏洞数据未给出其严重程度：{cves}（{services}）",
)
NO_SEVERE = message(
    "NET-VUL-002/none",
    en="every service version seen ({count}) was matched; no high or critical vulnerability with a fix available is open",
    zh="所见的 {count} 个服务版本均已比对，没有已有修复版本却未修补的高危或严重漏洞",
)

_BASIS = (
    "L3-CES1-21 (8.1.4.4 e) asks that known vulnerabilities be found and patched promptly; a service that states its "
    "distribution package version older than the distribution's fixed version carries a known, unpatched vulnerability."
)
_REMEDIATION = Text(
    zh="在该服务所在主机上把结果中列出的软件包升级到发行版的修复版本（结果的 command 字段给出升级命令），然后重启服务；"
    "无法立即升级的，限制该服务的访问来源并记录补偿措施。对“无法可靠比对”的服务，用 riskagent 评估该主机本身（按已安装软件包比对）。",
    en="On the host behind the service, upgrade the packages the finding lists to the distribution's fixed versions (the "
    "finding's command field gives the command), then restart the service; where an upgrade must wait, restrict who can "
    "reach the service and record it. For services that could not be matched reliably, assess that host itself with "
    "riskagent (installed packages are matched there).",
)
_COVERAGE = (CoverageLine.CYBER_EXTORTION, CoverageLine.DATA_BREACH_LIABILITY, CoverageLine.BUSINESS_INTERRUPTION)


def _facts(ev: EvidenceView) -> Union[NetVulnFacts, Verdict]:
    """The matched services, or the ``manual`` verdict saying why there are none."""
    got = ev.get(NET_VULNS)
    if got is None:
        return Verdict.manual(NOT_ASSESSED(detail="net.vulns was not collected"))
    if got.status is EvidenceStatus.NOT_APPLICABLE:
        return Verdict.manual(NO_FEEDS())
    if got.status is not EvidenceStatus.OK:
        return Verdict.manual(NOT_ASSESSED(detail=got.reason or str(got.status.value)))
    return ev.facts(NET_VULNS)


def _where(s: SeenServiceFacts) -> str:
    what = " ".join(p for p in (s["product"], s["version"]) if p) or s["service"] or "?"
    return f"{s['address']}:{s['port']}/{s['proto']} {what}"


def _listed(names: Sequence[str]) -> str:
    unique = list(dict.fromkeys(names))
    return "; ".join(unique[:MAX_LISTED]) + (f" (+{len(unique) - MAX_LISTED})" if len(unique) > MAX_LISTED else "")


def _hits(facts: NetVulnFacts, keep: Callable[[MatchFacts], bool]) -> List[Tuple[SeenServiceFacts, MatchFacts]]:
    return [(s, m) for s in facts["services"] for m in s["matches"] if keep(m)]


def _row(s: SeenServiceFacts, m: MatchFacts) -> Dict[str, JSON]:
    row: Dict[str, JSON] = {
        "endpoint": f"{s['address']}:{s['port']}/{s['proto']}",
        "cve": m["cve"],
        "source": m["source"],
        "packages": list(m["packages"]),
        "installed": m["installed"],
        "fixed": m["fixed"],
        "advisory": m["advisory"],
        "severity": m["severity"],
    }
    if m["kev"]:
        row["kev_due_date"] = m["kev"]["due_date"]
    if m["epss"]:
        row["epss"] = m["epss"]["score"]
        row["epss_percentile"] = m["epss"]["percentile"]
    return row


def _seen_row(s: SeenServiceFacts) -> Dict[str, JSON]:
    row: Dict[str, JSON] = {"endpoint": f"{s['address']}:{s['port']}/{s['proto']}", "product": s["product"], "version": s["version"]}
    if s["identity"] is not None:
        row["package"] = s["identity"]["package"]
        row["package_version"] = s["identity"]["version"]
        row["suite"] = s["identity"]["suite"]
    if s["not_matched"] is not None:
        row["not_matched"] = s["not_matched"]
        row["detail"] = s["detail"]
    return row


def _observed(facts: NetVulnFacts, hits: Sequence[Tuple[SeenServiceFacts, MatchFacts]]) -> Dict[str, JSON]:
    out: Dict[str, JSON] = {
        "matches": [_row(s, m) for s, m in hits[:MAX_LISTED]],
        "count": len(hits),
        "services": [_seen_row(s) for s in facts["services"][:MAX_LISTED]],
        "seen": facts["counts"]["seen"],
        "matched": facts["counts"]["matched"],
    }
    if hits:
        out["command"] = upgrade_command([m for _, m in hits])  # only Debian revisions are matched: apt
    return out


def _unjudged(facts: NetVulnFacts) -> Optional[Verdict]:
    """``manual`` when some service seen could not be judged: the scan gave up on a host, or a version was not matched."""
    if facts["incomplete"]:
        return Verdict.manual(INCOMPLETE(hosts=", ".join(facts["incomplete"])), **_observed(facts, []))
    unmatched = [s for s in facts["services"] if s["not_matched"] is not None]
    if unmatched:
        return Verdict.manual(
            NOT_MATCHED(count=len(unmatched), seen=len(facts["services"]), services=_listed([_where(s) for s in unmatched])),
            **_observed(facts, []),
        )
    return None


def _cves(hits: Sequence[Tuple[SeenServiceFacts, MatchFacts]]) -> Tuple[str, str]:
    return _listed(sorted({m["cve"] for _, m in hits})), _listed([_where(s) for s, _ in hits])


@check(
    id="NET-VUL-001",
    title=Text(
        zh="从扫描位置可访问的服务不存在已被在野利用（CISA KEV）的漏洞",
        en="No service reachable from the scanner has a known-exploited (CISA KEV) vulnerability",
    ),
    remediation=_REMEDIATION,
    severity=Severity.CRITICAL,
    mlps=("L3-CES1-21",),
    domains=(InsurerDomain.PATCHING, InsurerDomain.EXPOSURE),
    coverage=_COVERAGE,
    needs=(NET_VULNS,),
    high_risk_case="6.4.3.2",
    profiles=PROFILES,
    level=CheckLevel.ENDPOINT,
    basis=_BASIS + " A KEV vulnerability is exploited in the wild; on a service reachable over the network it is the "
    "exploitable high-risk vulnerability of case 6.4.3.2, which the guide does not let internet-facing systems mitigate.",
)
def kev_reachable(ev: EvidenceView, p: Params) -> Verdict:
    facts = _facts(ev)
    if isinstance(facts, Verdict):
        return facts
    kev = _hits(facts, lambda m: m["kev"] is not None)
    if kev:
        cves, services = _cves(kev)
        return Verdict.fail(KEV_OPEN(count=len({m["cve"] for _, m in kev}), cves=cves, services=services), **_observed(facts, kev))
    if "kev" in facts["missing_feeds"]:
        return Verdict.manual(NO_KEV_FEED(), **_observed(facts, []))
    unjudged = _unjudged(facts)
    if unjudged is not None:
        return unjudged
    if not facts["services"]:
        return Verdict.ok(NOTHING_OPEN(), **_observed(facts, []))
    return Verdict.ok(NO_KEV(count=len(facts["services"])), **_observed(facts, []))


@check(
    id="NET-VUL-002",
    title=Text(
        zh="从扫描位置可访问的服务不存在已有修复版本却未修补的高危或严重漏洞",
        en="No service reachable from the scanner has an open high or critical vulnerability that has a fix",
    ),
    remediation=_REMEDIATION,
    severity=Severity.HIGH,
    mlps=("L3-CES1-21",),
    domains=(InsurerDomain.PATCHING, InsurerDomain.EXPOSURE),
    coverage=_COVERAGE,
    needs=(NET_VULNS,),
    profiles=PROFILES,
    level=CheckLevel.ENDPOINT,
    basis=_BASIS + " High and critical vulnerabilities that are not KEV entries (those are NET-VUL-001) are still the ones "
    "an attacker reaching the service tries first; a fix exists, so leaving them open is a patching failure.",
)
def severe_reachable(ev: EvidenceView, p: Params) -> Verdict:
    facts = _facts(ev)
    if isinstance(facts, Verdict):
        return facts
    severe = _hits(facts, lambda m: m["kev"] is None and m["severity"] in ("critical", "high"))
    if severe:
        cves, services = _cves(severe)
        return Verdict.fail(
            SEVERE_OPEN(count=len({m["cve"] for _, m in severe}), cves=cves, services=services), **_observed(facts, severe)
        )
    unknown = _hits(facts, lambda m: m["kev"] is None and m["severity"] == "unknown")
    if unknown:  # named before unmatched services: these are open, only their severity is not known
        cves, services = _cves(unknown)
        return Verdict.manual(
            SEVERITY_UNKNOWN(count=len({m["cve"] for _, m in unknown}), cves=cves, services=services), **_observed(facts, unknown)
        )
    unjudged = _unjudged(facts)
    if unjudged is not None:
        return unjudged
    if not facts["services"]:
        return Verdict.ok(NOTHING_OPEN(), **_observed(facts, []))
    return Verdict.ok(NO_SEVERE(count=len(facts["services"])), **_observed(facts, []))
