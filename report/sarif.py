"""SARIF 2.1.0 export of a report's findings, for code-scanning dashboards and SIEMs.

One run; one rule per check in the report; one result per failed finding.
Findings that could not be assessed (error) or need a person (manual) are
exported as results of kind ``review`` with level ``none`` (SARIF requires
level none for any kind other than fail), so a dashboard shows them as open
questions rather than as defects. Passing and not-applicable findings are left
out; the signed report remains the full record.

The report pipeline has no JSON floats, and neither has this export: the
GitHub-style ``security-severity`` score is a string in a property bag.
"""

from __future__ import annotations

import hashlib
from typing import Any, Dict, List, Optional

from checks.model import Finding, Status
from collectors.strictjson import to_json
from report.model import Report

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
FINGERPRINT = "riskagentFinding/v1"
LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
# GitHub code scanning reads this as CVSS-like: >= 9 critical, >= 7 high, >= 4 medium, else low.
SECURITY_SEVERITY = {"critical": "9.0", "high": "7.0", "medium": "5.0", "low": "3.0", "info": "0.0"}
REVIEW = (Status.ERROR, Status.MANUAL)


def fingerprint(check_id: str, target: str) -> str:
    """Stable identity of a finding across runs: sha256 of check id and target."""
    return hashlib.sha256(f"{check_id}\x00{target}".encode()).hexdigest()


def _rule(f: Finding) -> Dict[str, Any]:
    title, remediation = f.title, f.remediation
    units = [m.unit for m in f.mlps]
    tags = ["security", *[f"mlps:{u}" for u in units], *[d.value for d in f.insurer_domains]]
    if f.high_risk_case:
        tags.append(f"mlps-high-risk:{f.high_risk_case}")
    return {
        "id": f.check_id,
        "name": f.check_id.replace("-", ""),
        "shortDescription": {"text": title.en},
        "fullDescription": {"text": f"{title.en} ({title.zh})"},
        "help": {"text": remediation.en, "markdown": f"{remediation.en}\n\n{remediation.zh}"},
        "defaultConfiguration": {"level": LEVEL.get(f.severity.value, "warning")},
        "properties": {
            "severity": f.severity.value,
            "security-severity": SECURITY_SEVERITY.get(f.severity.value, "5.0"),
            "mlps": [to_json(m) for m in f.mlps],
            "mlps_units": units,
            "high_risk_case": f.high_risk_case,
            "insurer_domains": [d.value for d in f.insurer_domains],
            "coverage_lines": [c.value for c in f.coverage_lines],
            "title_zh": title.zh,
            "remediation_zh": remediation.zh,
            "tags": tags,
        },
    }


def _locations(target: Optional[str], host: str) -> List[Dict[str, Any]]:
    if target is None:
        return [{"logicalLocations": [{"name": host, "fullyQualifiedName": f"host:{host}", "kind": "host"}]}]
    loc: Dict[str, Any] = {"logicalLocations": [{"name": target, "fullyQualifiedName": f"endpoint:{target}", "kind": "endpoint"}]}
    if "://" in target:
        loc["physicalLocation"] = {"artifactLocation": {"uri": target}}
    return [loc]


def _result(f: Finding, rule_index: int, host: str) -> Dict[str, Any]:
    text = f.title.en + (f": {f.reason}" if f.reason else "")
    failed = f.status is Status.FAIL
    return {
        "ruleId": f.check_id,
        "ruleIndex": rule_index,
        "kind": "fail" if failed else "review",
        "level": LEVEL.get(f.severity.value, "warning") if failed else "none",
        "message": {"text": text},
        "locations": _locations(f.target, host),
        "partialFingerprints": {FINGERPRINT: fingerprint(f.check_id, f.target if f.target is not None else f"host:{host}")},
        "properties": {
            "status": f.status.value,
            "observed": dict(f.observed),
            "target": f.target if f.target is not None else host,
            "evidence": list(f.evidence),
        },
    }


def to_sarif(report: Report, include_review: bool = True) -> Dict[str, Any]:
    """The report's findings as a SARIF 2.1.0 log (a plain dict, ready for json.dumps)."""
    host = report.target.name or "unknown"
    rules: List[Dict[str, Any]] = []
    index: Dict[str, int] = {}
    results: List[Dict[str, Any]] = []
    wanted = (Status.FAIL, *REVIEW) if include_review else (Status.FAIL,)
    for f in report.findings:
        if f.check_id not in index:
            index[f.check_id] = len(rules)
            rules.append(_rule(f))
        if f.status in wanted:
            results.append(_result(f, index[f.check_id], host))
    invocation: Dict[str, Any] = {"executionSuccessful": True}
    if report.run.started_at:
        invocation["startTimeUtc"] = report.run.started_at
    if report.run.finished_at:
        invocation["endTimeUtc"] = report.run.finished_at
    driver: Dict[str, Any] = {"name": report.tool.name, "version": report.tool.version, "rules": rules}
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {"driver": driver},
                "automationDetails": {"id": f"riskagent/{report.profile.value}/{host}/"},
                "invocations": [invocation],
                "results": results,
                "properties": {"report_id": report.report_id, "profile": report.profile.value, "target": to_json(report.target)},
            }
        ],
    }
