"""Known vulnerabilities of the services a port scan saw, matched only where the stated version is reliable.

Reads the same target's ``net.ports`` evidence of this run (it runs after the
port scan: ``reads`` in :mod:`collectors.net.registry`), sends nothing itself,
and matches every open port's product and version with
:mod:`collectors.vuln.services`: a version is matched only when the service
states its distribution package revision and release (Debian's OpenSSH
banner); every other port is recorded as seen and not matched, with the
reason. The feeds are the host collector's (``feeds_dir`` and
``feeds_max_age_days`` in ``NetContext.options``, set from ``--feeds``);
without them there is nothing to match against and the evidence says so.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

from collectors.evidence import CollectError, ErrorReason, Evidence, EvidenceStatus, FileSource, NotApplicable
from collectors.net.ports_facts import PORTS
from collectors.net.registry import NetProbe, net_collector
from collectors.net.scope import Target
from collectors.net.vulns_facts import NET_VULNS, IdentityFacts, NetVulnCountsFacts, NetVulnFacts, SeenServiceFacts
from collectors.vuln.facts import SEVERITIES

if TYPE_CHECKING:
    from collectors.vuln.collector import Rematch

NO_FEEDS = "no vulnerability feeds configured (riskagent feeds update, then --feeds DIR): service versions were not matched"


def _identity(i: Any) -> IdentityFacts:
    return {
        "distribution": i.distribution,
        "suite": i.suite,
        "source": i.source,
        "package": i.binary,
        "version": i.version,
        "stated": i.stated,
    }


def seen_services(
    ports_facts: Mapping[str, Any], feeds_dir: Path, feed_ids: Any, today: str
) -> Tuple[List[SeenServiceFacts], Optional[str]]:
    """Every open port of a ``net.ports`` result, with its identity and matches or why it was not matched; and
    the EPSS score date when a match was scored."""
    from collectors.vuln.services import Identity, Matched, NotMatched, identify, match_identities

    rows: List[Dict[str, Any]] = []
    parsed: List[Union[Identity, NotMatched]] = []
    for host in ports_facts.get("hosts") or []:
        for port in host.get("open_ports") or []:
            rows.append(
                {
                    "address": str(host.get("address", "")),
                    "port": int(port["port"]),
                    "proto": str(port.get("proto", "tcp")),
                    "service": str(port.get("service") or ""),
                    "product": str(port.get("product") or ""),
                    "version": str(port.get("version") or ""),
                    "extrainfo": str(port.get("extrainfo") or ""),
                }
            )
            parsed.append(identify(rows[-1]["product"], rows[-1]["version"], rows[-1]["extrainfo"]))
    outcomes, epss_date = match_identities(feeds_dir, [p for p in parsed if isinstance(p, Identity)], feed_ids, today)
    out: List[SeenServiceFacts] = []
    for row, p in zip(rows, parsed):
        outcome = outcomes.get(p) if isinstance(p, Identity) else p
        seen: SeenServiceFacts = {
            "address": row["address"],
            "port": row["port"],
            "proto": row["proto"],
            "service": row["service"],
            "product": row["product"],
            "version": row["version"],
            "extrainfo": row["extrainfo"],
            "identity": None,
            "not_matched": None,
            "detail": None,
            "matches": [],
            "unfixed": 0,
        }
        if isinstance(outcome, Matched) and isinstance(p, Identity):
            seen["identity"] = _identity(p)
            seen["matches"] = list(outcome.matches)
            seen["unfixed"] = outcome.unfixed
        elif isinstance(outcome, NotMatched):
            if isinstance(p, Identity):
                seen["identity"] = _identity(p)
            seen["not_matched"] = outcome.reason.value
            seen["detail"] = outcome.detail
        out.append(seen)
    return out, epss_date


def counts(services: List[SeenServiceFacts]) -> NetVulnCountsFacts:
    matches = [m for s in services for m in s["matches"]]
    by = {s: 0 for s in SEVERITIES}
    for m in matches:
        by[m["severity"]] += 1
    matched = sum(1 for s in services if s["not_matched"] is None)
    return {
        "seen": len(services),
        "matched": matched,
        "not_matched": len(services) - matched,
        "open": len(matches),
        "kev": sum(1 for m in matches if m["kev"]),
        "by_severity": by,
    }


@net_collector(
    NET_VULNS,
    "Known vulnerabilities of the services the port scan saw, where the service states its distribution package "
    "(Debian Security Tracker, CISA KEV, FIRST EPSS)",
    kinds=("host", "network"),
    reads=(PORTS.name,),
)
def collect_service_vulns(probe: NetProbe, target: Target) -> NetVulnFacts:
    opts = probe.ctx.options
    feeds_dir = opts.get("feeds_dir")
    if not feeds_dir:
        raise NotApplicable(NO_FEEDS)
    scan = probe.ctx.earlier.get(PORTS.name)
    if scan is None:
        raise CollectError(ErrorReason.NOT_FOUND, f"no port scan of {target.endpoint} ran before this one: no service versions to match")
    if scan.status is not EvidenceStatus.OK:
        raise CollectError(
            ErrorReason.NOT_FOUND, f"the port scan of {target.endpoint} gave no result ({scan.reason or scan.status.value}): no service versions to match"
        )
    from collectors.vuln.collector import feed_inventory
    from collectors.vuln.feeds import DEFAULT_MAX_AGE_DAYS

    path = Path(str(feeds_dir))
    max_age = int(opts.get("feeds_max_age_days") or DEFAULT_MAX_AGE_DAYS)
    now = int(time.time())
    present, missing, stale = feed_inventory(path, now, max_age, "debian")
    if "debian" in missing:
        raise CollectError(ErrorReason.NOT_FOUND, f"no Debian Security Tracker feed in {path} (riskagent feeds update)")
    probe.sources.extend(FileSource(str(path / f["file"]), f["sha256"]) for f in present)
    today = dt.datetime.fromtimestamp(now, dt.timezone.utc).date().isoformat()
    services, epss_date = seen_services(scan.facts, path, {f["id"] for f in present}, today)
    facts: NetVulnFacts = {
        "_method": "service versions from the port scan, matched where the service states its Debian package revision",
        "feeds": present,
        "missing_feeds": missing,
        "stale_feeds": stale,
        "max_age_days": max_age,
        "scanned": str(scan.facts.get("scanned", target.endpoint)),
        "incomplete": [str(h) for h in scan.facts.get("timed_out_hosts") or []],
        "services": services,
        "counts": counts(services),
    }
    if epss_date:
        facts["epss_date"] = epss_date
    probe.say(
        f"net.vulns: {target.endpoint}: {facts['counts']['matched']} of {facts['counts']['seen']} service version(s) matched, "
        f"{facts['counts']['open']} open vulnerabilit(ies)"
    )
    return facts


def rematch_services(evidence: Sequence[Evidence], feeds_dir: Path) -> Optional[Rematch]:
    """``verify --feeds`` for service versions: each target's matches re-derived from the port scan the report
    carries (not from the rows of ``net.vulns``, which a forger could thin out), when ``feeds_dir`` holds the
    feeds it used. None when the report holds no service matching."""
    from collectors.vuln.collector import Rematch, feed_inventory

    done = [e for e in evidence if e.collector == NET_VULNS.name and e.status is EvidenceStatus.OK]
    if not done:
        return None
    try:
        mine = {f["id"]: f["sha256"] for f in feed_inventory(feeds_dir, 0, 1 << 30, "debian")[0]}
    except CollectError as exc:
        return Rematch(False, f"service vulnerability verdicts were not re-derived: {exc.message}", statement_zh=f"服务漏洞判定未重新推导：{exc.message}")
    differences: List[str] = []
    total = 0
    for ev in done:
        facts: Mapping[str, Any] = ev.facts
        used = {f["id"]: f["sha256"] for f in facts.get("feeds", [])}
        differ = sorted(i for i in used if mine.get(i) != used[i])
        if differ:
            return Rematch(
                False,
                f"service vulnerability verdicts were not re-derived: feed {differ[0]} sha256 {used[differ[0]][:12]} is not in {feeds_dir}",
                statement_zh=f"服务漏洞判定未重新推导：{feeds_dir} 中没有 sha256 为 {used[differ[0]][:12]} 的漏洞库 {differ[0]}",
            )
        scan = next((e for e in evidence if e.collector == PORTS.name and e.target == ev.target and e.status is EvidenceStatus.OK), None)
        if scan is None:
            differences.append(f"{ev.target}: service matches without the port scan they come from")
            continue
        again, _ = seen_services(scan.facts, feeds_dir, set(used), ev.collected_at[:10])
        signed = {(s["address"], s["port"], s["proto"]): s for s in facts.get("services", [])}
        now = {(s["address"], s["port"], s["proto"]): s for s in again}
        total += sum(len(s["matches"]) for s in again)
        for key in sorted(set(signed) | set(now)):
            where = f"{ev.target} {key[0]}:{key[1]}/{key[2]}"
            a, b = signed.get(key), now.get(key)
            if a is None or b is None:
                differences.append(f"{where}: {'missing from the report' if a is None else 'not in the port scan'}")
                continue
            if a.get("identity") != b.get("identity") or a.get("not_matched") != b.get("not_matched"):
                differences.append(f"{where}: reported {a.get('identity') or a.get('not_matched')!r}, the scan gives {b.get('identity') or b.get('not_matched')!r}")
            mine_m = {m["cve"]: m for m in b["matches"]}
            theirs = {m["cve"]: m for m in a.get("matches", [])}
            for cve in sorted(set(mine_m) | set(theirs)):
                x, y = theirs.get(cve), mine_m.get(cve)
                if x is None or y is None:
                    differences.append(f"{where} {cve}: {'open by the feeds, not in the report' if x is None else 'in the report, not open by the feeds'}")
                    continue
                for field_ in ("installed", "fixed", "advisory", "kev", "epss", "severity"):
                    if x.get(field_) != y.get(field_):
                        differences.append(f"{where} {cve}: {field_} reported {x.get(field_)!r}, the feeds give {y.get(field_)!r}")
    if differences:
        return Rematch(False, "service vulnerability matches differ from the feeds", tuple(differences), "服务漏洞匹配结果与漏洞库推导的不同")
    return Rematch(
        True,
        f"service vulnerability matches re-derived from the embedded port scans against the same feeds ({total} open)",
        statement_zh=f"已用相同漏洞库从内嵌端口扫描结果重新推导服务漏洞匹配（{total} 个未修复）",
    )
