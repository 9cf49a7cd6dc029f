"""Small typed records for unit tests: a finding or an evidence record with only the parts a test cares about."""

from __future__ import annotations

from typing import Any, Mapping, Optional, Sequence

from checks.model import CoverageLine, Finding, InsurerDomain, MlpsRef, Severity, Status, Text
from collectors.evidence import Evidence, EvidenceStatus, FileSource


def make_finding(
    check_id: str,
    status: str = "pass",
    *,
    target: Optional[str] = None,
    evidence: Sequence[str] = ("host.sshd",),
    severity: str = "medium",
    title: str = "t",
    high_risk_case: Optional[str] = None,
    units: Sequence[str] = ("L3-CES1-17",),
    domains: Sequence[InsurerDomain] = (InsurerDomain.HARDENING,),
    coverage: Sequence[CoverageLine] = (CoverageLine.INCIDENT_RESPONSE,),
    reason: Optional[str] = None,
    observed: Optional[Mapping[str, Any]] = None,
) -> Finding:
    from checks.mlps import ref

    return Finding(
        check_id=check_id,
        title=Text(title, title),
        remediation=Text("修复", "fix it"),
        severity=Severity(severity),
        mlps=tuple(ref(u) if not isinstance(u, MlpsRef) else u for u in units),
        high_risk_case=high_risk_case,
        insurer_domains=tuple(domains),
        coverage_lines=tuple(coverage),
        needs_root=False,
        status=Status(status),
        observed=dict(observed or {}),
        reason=reason,
        evidence=tuple(evidence),
        params={},
        target=target,
    )


def make_evidence(
    collector: str, facts: Mapping[str, Any], status: str = "ok", *, target: str = "t", path: str = "/etc/x", reason: Optional[str] = None
) -> Evidence:
    return Evidence(
        collector=collector,
        target=target,
        status=EvidenceStatus(status),
        facts=dict(facts),
        sources=(FileSource(path, "a" * 64),),
        reason=reason,
    )
