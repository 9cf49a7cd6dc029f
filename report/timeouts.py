"""What ran out of time: the endpoints and collectors a time budget cut short, for the report's readers.

Derived from the evidence alone (so a verifier re-derives it): a collector
whose evidence is a timeout, and every probe of an endpoint that recorded
that its budget ran out. A finding resting on one of them is "could not
assess"; this list tells the reader where to give the next scan more time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Sequence, Tuple

from collectors.budget import BUDGET_EXCEEDED
from collectors.evidence import ErrorReason, Evidence, ProbeSource


@dataclass(frozen=True)
class OutOfTime:
    collector: str
    endpoint: str  # host:port or URL; the evidence's target for a collector abandoned as a whole
    detail: str


def out_of_time(evidence: Sequence[Evidence]) -> Tuple[OutOfTime, ...]:
    """Each (collector, endpoint) a time budget cut short, in evidence order, with the first reason given."""
    found: Dict[Tuple[str, str], OutOfTime] = {}
    for ev in evidence:
        probes = [s for s in ev.sources if isinstance(s, ProbeSource) and s.error and BUDGET_EXCEEDED in s.error]
        for s in probes:
            found.setdefault((ev.collector, s.endpoint), OutOfTime(ev.collector, s.endpoint, s.error or ""))
        if ev.error_reason is ErrorReason.TIMEOUT and not probes:
            found.setdefault((ev.collector, ev.target), OutOfTime(ev.collector, ev.target, ev.reason or ""))
    return tuple(found.values())
