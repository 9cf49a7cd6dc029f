"""The assessment report: the JSON document that is the source of truth.

HTML, Markdown and the terminal summary are views of it; the signed envelope
wraps its canonical bytes. Bump ``SCHEMA_VERSION`` (and the committed schema)
on any incompatible change.
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Sequence

from checks.model import Finding, Layer, Severity, Status
from collectors.evidence import Evidence
from report.profile_view import build_profile_view
from report.redact import redact
from report.scanner_view import build_scanner_view

SCHEMA_VERSION = "1.0"
TOOL_NAME = "riskagent"


def tool_version() -> str:
    try:
        from importlib.metadata import version

        return version("riskagent")
    except Exception:
        return "0+unknown"


@dataclass(frozen=True)
class RunInfo:
    """How and where the assessment ran."""

    profile: str
    target: str
    started_at: str
    finished_at: str
    duration_ms: int
    uid: int
    user: str
    privileged: bool
    mode: str  # "live" or "replay"


def summarise(findings: Sequence[Mapping[str, Any]]) -> Dict[str, Any]:
    """Counts by status, failures by severity, statuses by MLPS layer, open high-risk cases.

    Works on the findings as they appear in the report, so a verifier can
    recompute it from the signed findings.
    """
    by_status = Counter(f["status"] for f in findings)
    failed_by_sev = Counter(f["severity"] for f in findings if f["status"] == Status.FAIL.value)
    by_layer: Dict[str, Counter] = defaultdict(Counter)
    for f in findings:
        for layer in sorted({m["layer"] for m in f["mlps"]}):
            by_layer[layer][f["status"]] += 1
    high_risk = sorted(
        {(f["high_risk_case"], f["check_id"]) for f in findings if f["status"] == Status.FAIL.value and f["high_risk_case"]},
    )
    return {
        "total": len(findings),
        "by_status": {s.value: by_status.get(s.value, 0) for s in Status},
        "failed_by_severity": {s.value: failed_by_sev.get(s.value, 0) for s in Severity},
        "by_layer": {
            layer.value: {s.value: by_layer[layer.value].get(s.value, 0) for s in Status}
            for layer in Layer
            if layer.value in by_layer
        },
        "open_high_risk": [{"case": case, "check_id": cid} for case, cid in high_risk],
    }


def _target_facts(evidence: Sequence[Evidence], fallback: str, profile: str) -> Dict[str, Any]:
    os_ev = next((e for e in evidence if e.collector == "host.os"), None)
    facts: Mapping[str, Any] = os_ev.facts if os_ev is not None else {}
    endpoints: List[str] = []
    for e in evidence:
        if not e.collector.startswith("host.") and e.target not in endpoints:
            endpoints.append(e.target)
    return {
        "name": fallback,
        "kind": "website" if profile == "website" else "host",
        "endpoints": endpoints,
        "os": facts.get("pretty_name"),
        "os_family": facts.get("family"),
        "kernel": facts.get("kernel"),
        "container": facts.get("container"),
        "vm": facts.get("vm"),
    }


def _finding_order(f: Finding) -> Any:
    status_rank = {Status.FAIL: 0, Status.ERROR: 1, Status.MANUAL: 2, Status.PASS: 3, Status.NOT_APPLICABLE: 4}
    return (status_rank[f.status], -f.meta.severity.rank, f.meta.id)


def build_report(
    run: RunInfo,
    evidence: Sequence[Evidence],
    findings: Sequence[Finding],
    previous_digest: Optional[str] = None,
) -> Dict[str, Any]:
    """Assemble the report document (secrets scrubbed, no floats)."""
    evidence_json, redacted_e = redact([e.to_json() for e in evidence])
    findings_json, redacted_f = redact([f.to_json() for f in sorted(findings, key=_finding_order)])
    return {
        "schema_version": SCHEMA_VERSION,
        "report_id": str(uuid.uuid4()),
        "tool": {"name": TOOL_NAME, "version": tool_version()},
        "profile": run.profile,
        "target": _target_facts(evidence, run.target, run.profile),
        "run": {
            "started_at": run.started_at,
            "finished_at": run.finished_at,
            "duration_ms": run.duration_ms,
            "uid": run.uid,
            "user": run.user,
            "privileged": run.privileged,
            "mode": run.mode,
        },
        "previous_report": previous_digest,
        "summary": summarise(findings_json),
        "findings": findings_json,
        "evidence": evidence_json,
        "redactions": redacted_e + redacted_f,
        "questionnaire": None,
        "scanner_view": build_scanner_view(findings_json),
        "profile_view": build_profile_view(run.profile, findings_json),
        "underwriting": None,  # needs the answered questionnaire: see finish_report
        "plan": None,
    }


def finish_report(report: Dict[str, Any]) -> Dict[str, Any]:
    """Add the parts that read the whole report (scores read questionnaire answers)."""
    from report.underwriting import underwriting_view

    report["underwriting"] = underwriting_view(report)
    return report


def failed(report: Mapping[str, Any]) -> List[Mapping[str, Any]]:
    return [f for f in report["findings"] if f["status"] == Status.FAIL.value]
