"""Known vulnerabilities at a glance, for the underwriting section: per host and per scanned target, the open
vulnerabilities with a fix by severity, the known-exploited ones (and those behind exposed services), the oldest
fix not installed, and the service versions that could not be matched reliably.

Computed from the evidence the report carries at every rendering, never stored: the signed facts are the
evidence's counts (``host.vulns``, ``net.vulns``), which ``verify`` rechecks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, List, Mapping, Optional

from collectors.evidence import EvidenceStatus

SEVERITIES = ("critical", "high", "medium", "low", "unknown")


@dataclass(frozen=True)
class VulnRow:
    where: str  # the host, or a scanned target
    kind: str  # "packages" (installed packages) or "services" (versions seen by the port scan)
    open: int
    by_severity: Mapping[str, int]
    kev: int
    kev_exposed: Optional[int]  # packages: KEV behind a service reachable from outside; services: None
    oldest_fix_age_days: Optional[int]
    not_matched: Optional[int]  # services: versions seen that could not be matched reliably


def vuln_rows(report: Any) -> List[VulnRow]:
    """One row per host or target whose vulnerability matching ran (none: no feeds, or it failed)."""
    rows: List[VulnRow] = []
    for e in report.evidence:
        if e.status is not EvidenceStatus.OK:
            continue
        counts: Mapping[str, Any] = e.facts.get("counts") or {}
        severities = {s: int((counts.get("by_severity") or {}).get(s, 0)) for s in SEVERITIES}
        if e.collector == "host.vulns":
            kev, exposed = int(counts.get("kev", 0)), int(counts.get("kev_exposed", 0))
            rows.append(VulnRow(e.target, "packages", int(counts.get("open", 0)), severities, kev, exposed, counts.get("oldest_fix_age_days"), None))
        elif e.collector == "net.vulns":
            kev, unmatched = int(counts.get("kev", 0)), int(counts.get("not_matched", 0))
            rows.append(VulnRow(e.target, "services", int(counts.get("open", 0)), severities, kev, None, None, unmatched))
    return rows
