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
from typing import Any, Dict, List, Mapping, Optional

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
FINGERPRINT = "riskagentFinding/v1"
LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
# GitHub code scanning reads this as CVSS-like: >= 9 critical, >= 7 high, >= 4 medium, else low.
SECURITY_SEVERITY = {"critical": "9.0", "high": "7.0", "medium": "5.0", "low": "3.0", "info": "0.0"}
REVIEW = ("error", "manual")


def fingerprint(check_id: str, target: str) -> str:
    """Stable identity of a finding across runs: sha256 of check id and target."""
    return hashlib.sha256(f"{check_id}\x00{target}".encode()).hexdigest()


def _rule(f: Mapping[str, Any]) -> Dict[str, Any]:
    title, remediation = f["title"], f["remediation"]
    units = [m["unit"] for m in f.get("mlps", [])]
    tags = ["security", *[f"mlps:{u}" for u in units], *f.get("insurer_domains", [])]
    if f.get("high_risk_case"):
        tags.append(f"mlps-high-risk:{f['high_risk_case']}")
    return {
        "id": f["check_id"],
        "name": f["check_id"].replace("-", ""),
        "shortDescription": {"text": title["en"]},
        "fullDescription": {"text": f"{title['en']} ({title['zh']})"},
        "help": {"text": remediation["en"], "markdown": f"{remediation['en']}\n\n{remediation['zh']}"},
        "defaultConfiguration": {"level": LEVEL.get(f["severity"], "warning")},
        "properties": {
            "severity": f["severity"],
            "security-severity": SECURITY_SEVERITY.get(f["severity"], "5.0"),
            "mlps": [dict(m) for m in f.get("mlps", [])],
            "mlps_units": units,
            "high_risk_case": f.get("high_risk_case"),
            "insurer_domains": list(f.get("insurer_domains", [])),
            "coverage_lines": list(f.get("coverage_lines", [])),
            "title_zh": title["zh"],
            "remediation_zh": remediation["zh"],
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


def _result(f: Mapping[str, Any], rule_index: int, host: str) -> Dict[str, Any]:
    target = f.get("target")
    reason = f.get("reason")
    text = f["title"]["en"] + (f": {reason}" if reason else "")
    failed = f["status"] == "fail"
    return {
        "ruleId": f["check_id"],
        "ruleIndex": rule_index,
        "kind": "fail" if failed else "review",
        "level": LEVEL.get(f["severity"], "warning") if failed else "none",
        "message": {"text": text},
        "locations": _locations(target, host),
        "partialFingerprints": {FINGERPRINT: fingerprint(f["check_id"], target if target is not None else f"host:{host}")},
        "properties": {
            "status": f["status"],
            "observed": dict(f.get("observed") or {}),
            "target": target if target is not None else host,
            "evidence": list(f.get("evidence", [])),
        },
    }


def to_sarif(report: Mapping[str, Any], include_review: bool = True) -> Dict[str, Any]:
    """The report's findings as a SARIF 2.1.0 log (a plain dict, ready for json.dumps)."""
    host = str((report.get("target") or {}).get("name") or "unknown")
    tool = report.get("tool") or {}
    rules: List[Dict[str, Any]] = []
    index: Dict[str, int] = {}
    results: List[Dict[str, Any]] = []
    wanted = ("fail", *REVIEW) if include_review else ("fail",)
    for f in report.get("findings", []):
        if f["check_id"] not in index:
            index[f["check_id"]] = len(rules)
            rules.append(_rule(f))
        if f["status"] in wanted:
            results.append(_result(f, index[f["check_id"]], host))
    run_info = report.get("run") or {}
    invocation: Dict[str, Any] = {"executionSuccessful": True}
    if run_info.get("started_at"):
        invocation["startTimeUtc"] = run_info["started_at"]
    if run_info.get("finished_at"):
        invocation["endTimeUtc"] = run_info["finished_at"]
    driver: Dict[str, Any] = {
        "name": str(tool.get("name") or "riskagent"),
        "version": str(tool.get("version") or "0+unknown"),
        "rules": rules,
    }
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {"driver": driver},
                "automationDetails": {"id": f"riskagent/{report.get('profile', 'server')}/{host}/"},
                "invocations": [invocation],
                "results": results,
                "properties": {
                    "report_id": report.get("report_id"),
                    "profile": report.get("profile"),
                    "target": dict(report.get("target") or {}),
                },
            }
        ],
    }
