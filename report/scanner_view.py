"""The scanner view: what an insurer's outside-in rating scan is likely to see.

Coalition, At-Bay, Corvus and the rating vendors scan an applicant's
internet-facing assets for open high-risk ports, TLS and certificate
problems, missing web security headers and outdated server software. This
section regroups the endpoint findings the same way, worst first, so the
applicant sees and fixes them before the insurer's scan does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

from checks.model import Finding, Severity, Status, Text

# Rating-vendor categories each endpoint check feeds (by id prefix).
CATEGORIES: Dict[str, Text] = {
    "NET-": Text(zh="开放端口与服务", en="Open ports and services"),
    "TLS-": Text(zh="TLS 与证书", en="TLS and certificates"),
    "WEB-": Text(zh="Web 应用安全配置", en="Web application security"),
}


@dataclass(frozen=True)
class ScannerIssue:
    """A failed endpoint check as a rating scan would list it."""

    check_id: str
    severity: Severity
    category: str
    title: Text
    high_risk_case: Optional[str]


@dataclass(frozen=True)
class ScannerTarget:
    """One scanned endpoint: its issues worst first, and how much was checked."""

    target: str
    issues: Tuple[ScannerIssue, ...]
    checked: int
    could_not_assess: int
    worst: Optional[Severity]


@dataclass(frozen=True)
class CriticalExposure:
    check_id: str
    high_risk_case: Optional[str]


@dataclass(frozen=True)
class ScannerView:
    """Endpoint findings per target and category, worst target first."""

    targets: Tuple[ScannerTarget, ...]
    critical_exposures: Tuple[CriticalExposure, ...]
    categories: Dict[str, Text]


def _category(check_id: str) -> str:
    for prefix in CATEGORIES:
        if check_id.startswith(prefix):
            return prefix
    return "other"


def build_scanner_view(findings: Sequence[Finding]) -> Optional[ScannerView]:
    """Group endpoint findings per target and category; None when nothing was probed."""
    by_target: Dict[str, List[Finding]] = {}
    for f in findings:
        if f.target:
            by_target.setdefault(f.target, []).append(f)
    if not by_target:
        return None
    targets: List[ScannerTarget] = []
    for name, group in by_target.items():
        issues = sorted(
            (
                ScannerIssue(f.check_id, f.severity, _category(f.check_id), f.title, f.high_risk_case)
                for f in group
                if f.status is Status.FAIL
            ),
            key=lambda i: (-i.severity.rank, i.check_id),
        )
        targets.append(
            ScannerTarget(
                target=name,
                issues=tuple(issues),
                checked=len(group),
                could_not_assess=sum(1 for f in group if f.status in (Status.ERROR, Status.MANUAL)),
                worst=issues[0].severity if issues else None,
            )
        )
    targets.sort(key=lambda t: (-t.worst.rank if t.worst else 1, t.target))
    blocking = sorted(
        {(i.check_id, i.high_risk_case) for t in targets for i in t.issues if i.severity is Severity.CRITICAL},
        key=lambda x: (x[0], x[1] or ""),
    )
    return ScannerView(tuple(targets), tuple(CriticalExposure(c, h) for c, h in blocking), dict(CATEGORIES))
