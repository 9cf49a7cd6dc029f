"""Re-judging a report's embedded evidence, as an insurer's verifier does.

A valid signature proves who wrote the report; re-running the checks over the
evidence it carries proves the findings follow from that evidence with this
version of the catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, List, Mapping

from checks.registry import EvidenceView, all_checks, evaluate_one
from collectors.evidence import Evidence


@dataclass(frozen=True)
class Mismatch:
    check_id: str
    reported: str
    recomputed: str


@dataclass(frozen=True)
class RecheckResult:
    checked: int
    unknown_checks: List[str]
    mismatches: List[Mismatch]


def recheck(report: Mapping[str, Any]) -> RecheckResult:
    """Recompute every finding from the embedded evidence and compare statuses."""
    view = EvidenceView([Evidence.from_json(e) for e in report.get("evidence", [])])
    registry = all_checks()
    unknown: List[str] = []
    mismatches: List[Mismatch] = []
    checked = 0
    for f in report.get("findings", []):
        rc = registry.get(f["check_id"])
        if rc is None:
            unknown.append(f["check_id"])
            continue
        again = evaluate_one(rc, view, f.get("params") or {})
        checked += 1
        if again.status.value != f["status"]:
            mismatches.append(Mismatch(f["check_id"], f["status"], again.status.value))
    return RecheckResult(checked, unknown, mismatches)
