"""Known vulnerabilities of installed packages (``host.vulns``): KEV on exposed services, patch age, feed age.

The matching is in the collector; these checks judge its matches. Without
feeds nothing can be judged, so every check here is ``manual`` with the
reason (never ``not_applicable``, which would read as "assessed, does not
apply" and clear 高风险 6.4.3.2 and the KEV hard-fail item).
"""

from __future__ import annotations

from typing import Dict, Optional, Sequence, Union

from checks.messages import message
from checks.model import CoverageLine, InsurerDomain, Severity, Text, Verdict
from checks.registry import EvidenceView, Params, check
from collectors.evidence import EvidenceStatus
from collectors.strictjson import JSON
from collectors.vuln.facts import FEED_IDS, VULN, MatchFacts, VulnFacts

NOT_ASSESSED = message(
    "LNX-VUL/no-feeds",
    en="installed packages were not matched against vulnerability data: {detail}",
    zh="未将已安装软件包与漏洞数据比对：{detail}",
)
KEV_EXPOSED = message(
    "LNX-VUL-001/kev-exposed",
    en="{count} known-exploited (CISA KEV) vulnerabilit(ies) in packages behind services reachable from outside: {cves}",
    zh="{count} 个已被在野利用（CISA KEV 收录）的漏洞位于对外可达服务所用的软件包中：{cves}",
)
KEV_REACH_UNKNOWN = message(
    "LNX-VUL-001/reach-unknown",
    en="{count} KEV vulnerabilit(ies) in packages behind listening services whose reach from outside is unknown: {cves}",
    zh="{count} 个 KEV 漏洞位于正在监听的服务所用的软件包中，无法判断该服务是否对外可达：{cves}",
)
KEV_SERVICES_UNKNOWN = message(
    "LNX-VUL-001/services-unknown",
    en="{count} KEV vulnerabilit(ies) present, and the listening services could not be read: {detail}",
    zh="存在 {count} 个 KEV 漏洞，且无法读取正在监听的服务：{detail}",
)
NO_KEV_EXPOSED = message(
    "LNX-VUL-001/none",
    en="no KEV vulnerability in a package behind a service reachable from outside",
    zh="对外可达服务所用的软件包中没有 KEV 收录的漏洞",
)
KEV_INTERNAL = message(
    "LNX-VUL-002/kev",
    en="{count} known-exploited (CISA KEV) vulnerabilit(ies) open in packages not behind an exposed service: {cves}",
    zh="{count} 个已被在野利用（CISA KEV 收录）的漏洞未修补（所在软件包不支撑对外可达的服务）：{cves}",
)
NO_KEV = message("LNX-VUL-002/none", en="no open KEV vulnerability", zh="没有未修补的 KEV 收录漏洞")
OVERDUE = message(
    "LNX-VUL-003/overdue",
    en="{count} high or critical vulnerabilit(ies) have had a fix available for more than {days} days (oldest {oldest} days): {cves}",
    zh="{count} 个高危或严重漏洞的修复版本已发布超过 {days} 天仍未安装（最久 {oldest} 天）：{cves}",
)
AGE_UNKNOWN = message(
    "LNX-VUL-003/age-unknown",
    en="{count} high or critical vulnerabilit(ies) are open but the date of their fix is unknown (no advisory date in the feeds: "
    "DSA/DLA lists for Debian, USN records for Ubuntu): {cves}",
    zh="{count} 个高危或严重漏洞未修补，但无法确定修复版本的发布日期（漏洞数据中没有安全公告日期：Debian 的 DSA/DLA 列表、Ubuntu 的 USN 记录）：{cves}",
)
WITHIN_SLA = message(
    "LNX-VUL-003/ok",
    en="no high or critical vulnerability has had a fix available for more than {days} days",
    zh="没有修复版本已发布超过 {days} 天仍未安装的高危或严重漏洞",
)
STALE = message(
    "LNX-VUL-004/stale",
    en="vulnerability feeds older than {days} days: {feeds}",
    zh="漏洞数据超过 {days} 天未更新：{feeds}",
)
MISSING = message(
    "LNX-VUL-004/missing",
    en="vulnerability feeds missing: {feeds}",
    zh="缺少漏洞数据：{feeds}",
)
UNDATED = message(
    "LNX-VUL-004/undated",
    en="the age of these vulnerability feeds is unknown (not in the feed manifest): {feeds}",
    zh="无法确定以下漏洞数据的更新时间（不在数据清单中）：{feeds}",
)
FRESH = message(
    "LNX-VUL-004/fresh",
    en="the vulnerability feeds used are at most {days} days old",
    zh="所用漏洞数据均在 {days} 天内更新",
)

_BASIS = (
    "L3-CES1-21 (8.1.4.4 e) asks that known vulnerabilities be found and patched promptly after testing; "
    "installed package versions older than the distribution's fixed version are known, unpatched vulnerabilities."
)
_REMEDIATION = Text(
    zh="升级结果中列出的软件包到发行版的修复版本（结果的 command 字段给出本机的升级命令），然后重启相关服务；"
    "无法立即升级的，限制该服务的对外访问并记录补偿措施。",
    en="Upgrade the packages the finding lists to the distribution's fixed versions (the finding's command field gives the "
    "command for this host), then restart the affected services; where an upgrade must wait, restrict the service's exposure and record it.",
)
_COVERAGE = (CoverageLine.CYBER_EXTORTION, CoverageLine.DATA_BREACH_LIABILITY, CoverageLine.BUSINESS_INTERRUPTION)
MAX_LISTED = 20


def _facts(ev: EvidenceView) -> Union[VulnFacts, Verdict]:
    """The matches, or the ``manual`` verdict saying why there are none."""
    got = ev.get(VULN)
    if got is None:
        return Verdict.manual(NOT_ASSESSED(detail="host.vulns was not collected"))
    if got.status is not EvidenceStatus.OK:
        return Verdict.manual(NOT_ASSESSED(detail=got.reason or str(got.status.value)))
    return ev.facts(VULN)


def _cves(matches: Sequence[MatchFacts]) -> str:
    names = sorted({m["cve"] for m in matches})
    return ", ".join(names[:MAX_LISTED]) + (f" (+{len(names) - MAX_LISTED})" if len(names) > MAX_LISTED else "")


def _row(m: MatchFacts) -> Dict[str, JSON]:
    row: Dict[str, JSON] = {
        "cve": m["cve"],
        "packages": list(m["packages"]),
        "source": m["source"],
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
    if m["service"]:
        row["service"] = {
            "process": m["service"]["process"],
            "ports": list(m["service"]["ports"]),
            "exposed": m["service"]["exposed"],
        }
    if m["fix_age_days"] is not None:
        row["fix_age_days"] = m["fix_age_days"]
    return row


def upgrade_command(matches: Sequence[MatchFacts], manager: str = "dpkg") -> str:
    """One command of the host's package manager that upgrades the packages of ``matches`` and nothing else
    (the plan groups the fixes per package under it)."""
    packages = " ".join(sorted({p for m in matches for p in m["packages"]}))
    if manager == "rpm":
        return f"dnf upgrade --refresh {packages}"
    return f"apt-get update && apt-get install --only-upgrade {packages}"


def _observed(matches: Sequence[MatchFacts], facts: VulnFacts) -> Dict[str, JSON]:
    out: Dict[str, JSON] = {"matches": [_row(m) for m in matches[:MAX_LISTED]], "count": len(matches), "suite": facts["suite"]}
    if matches:
        out["command"] = upgrade_command(matches, str(facts.get("manager") or "dpkg"))
    return out


def _exposed(m: MatchFacts) -> Optional[bool]:
    svc = m["service"]
    return svc["exposed"] if svc else False


@check(
    id="LNX-VUL-001",
    title=Text(
        zh="对外可达服务所用的软件包中不存在已被在野利用（CISA KEV）的漏洞",
        en="No known-exploited (CISA KEV) vulnerability in a package behind a service reachable from outside",
    ),
    remediation=_REMEDIATION,
    severity=Severity.CRITICAL,
    mlps=("L3-CES1-21",),
    domains=(InsurerDomain.PATCHING, InsurerDomain.EXPOSURE),
    coverage=_COVERAGE,
    needs=(VULN,),
    high_risk_case="6.4.3.2",
    basis=_BASIS
    + " A KEV vulnerability is exploited in the wild, and on a service reachable from outside it is the internet-facing "
    "exploitable high-risk vulnerability of case 6.4.3.2, for which the guide allows no mitigation.",
)
def kev_exposed(ev: EvidenceView, p: Params) -> Verdict:
    facts = _facts(ev)
    if isinstance(facts, Verdict):
        return facts
    kev = [m for m in facts["matches"] if m["kev"]]
    exposed = [m for m in kev if _exposed(m) is True]
    if exposed:
        return Verdict.fail(KEV_EXPOSED(count=len(exposed), cves=_cves(exposed)), **_observed(exposed, facts))
    unknown = [m for m in kev if m["service"] and m["service"]["exposed"] is None]
    if unknown:
        return Verdict.manual(KEV_REACH_UNKNOWN(count=len(unknown), cves=_cves(unknown)), **_observed(unknown, facts))
    if kev and facts.get("services_reason"):
        return Verdict.manual(KEV_SERVICES_UNKNOWN(count=len(kev), detail=facts.get("services_reason")), **_observed(kev, facts))
    return Verdict.ok(NO_KEV_EXPOSED(), **_observed([], facts))


@check(
    id="LNX-VUL-002",
    title=Text(
        zh="不存在未修补的已被在野利用（CISA KEV）漏洞", en="No known-exploited (CISA KEV) vulnerability is left unpatched"
    ),
    remediation=_REMEDIATION,
    severity=Severity.HIGH,
    mlps=("L3-CES1-21",),
    domains=(InsurerDomain.PATCHING,),
    coverage=_COVERAGE,
    needs=(VULN,),
    basis=_BASIS + " A KEV vulnerability not behind an exposed service is still exploited in the wild (by a local user, "
    "through a client, or from inside the network).",
)
def kev_internal(ev: EvidenceView, p: Params) -> Verdict:
    facts = _facts(ev)
    if isinstance(facts, Verdict):
        return facts
    kev = [m for m in facts["matches"] if m["kev"] and _exposed(m) is False]
    if kev:
        return Verdict.fail(KEV_INTERNAL(count=len(kev), cves=_cves(kev)), **_observed(kev, facts))
    return Verdict.ok(NO_KEV(), **_observed([], facts))


@check(
    id="LNX-VUL-003",
    title=Text(
        zh="高危和严重漏洞在修复版本发布后的规定期限内完成修补",
        en="High and critical vulnerabilities are patched within the patch deadline after their fix is released",
    ),
    remediation=_REMEDIATION,
    severity=Severity.HIGH,
    mlps=("L3-CES1-21",),
    domains=(InsurerDomain.PATCHING,),
    coverage=_COVERAGE,
    needs=(VULN,),
    # The patch SLA: days a high or critical fix may stay uninstalled after the distribution released it.
    params={"max_fix_age_days": 30},
    basis=_BASIS + " 'Promptly' is the patch deadline (max_fix_age_days) counted from the DSA/DLA that released the fix.",
)
def fix_age(ev: EvidenceView, p: Params) -> Verdict:
    facts = _facts(ev)
    if isinstance(facts, Verdict):
        return facts
    days = int(p["max_fix_age_days"])
    severe = [m for m in facts["matches"] if m["severity"] in ("critical", "high")]
    overdue = [m for m in severe if m["fix_age_days"] is not None and m["fix_age_days"] > days]
    if overdue:
        oldest = max(m["fix_age_days"] or 0 for m in overdue)
        return Verdict.fail(
            OVERDUE(count=len(overdue), days=days, oldest=oldest, cves=_cves(overdue)), **_observed(overdue, facts)
        )
    unknown = [m for m in severe if m["fix_age_days"] is None]
    if unknown:
        return Verdict.manual(AGE_UNKNOWN(count=len(unknown), cves=_cves(unknown)), **_observed(unknown, facts))
    return Verdict.ok(WITHIN_SLA(days=days), **_observed([], facts))


@check(
    id="LNX-VUL-004",
    title=Text(
        zh="漏洞比对所用的漏洞数据齐全且及时更新", en="The vulnerability data used for matching is complete and up to date"
    ),
    remediation=Text(
        zh="在可访问互联网的机器上执行 riskagent feeds update（离线网关用导出/导入的数据包），并在配置中设置 feeds_dir，然后重新评估。",
        en="Run riskagent feeds update on a machine with internet access (export and import a bundle for air-gapped gateways), "
        "set feeds_dir in the configuration, then re-assess.",
    ),
    severity=Severity.MEDIUM,
    mlps=("L3-CES1-21",),
    domains=(InsurerDomain.PATCHING,),
    needs=(VULN,),
    basis="L3-CES1-21 (8.1.4.4 e): finding known vulnerabilities needs current vulnerability data; a stale feed misses the newest ones.",
)
def feeds_fresh(ev: EvidenceView, p: Params) -> Verdict:
    facts = _facts(ev)
    if isinstance(facts, Verdict):
        return facts
    days = facts["max_age_days"]
    observed: Dict[str, JSON] = {
        "feeds": [
            {"id": f["id"], "sha256": f["sha256"], "date": f["fetched_at"], "age_days": f["age_days"]} for f in facts["feeds"]
        ]
    }
    if facts["stale_feeds"]:
        return Verdict.fail(STALE(days=days, feeds=", ".join(facts["stale_feeds"])), **observed)
    if facts["missing_feeds"]:
        return Verdict.manual(MISSING(feeds=", ".join(facts["missing_feeds"])), **observed)
    undated = [f["id"] for f in facts["feeds"] if f["id"] in FEED_IDS and f["age_days"] is None]
    if undated:
        return Verdict.manual(UNDATED(feeds=", ".join(undated)), **observed)
    return Verdict.ok(FRESH(days=days), **observed)
