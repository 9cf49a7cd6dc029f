"""Explicit registry of host collectors, and the loop that runs them.

A collector is a plain function ``(HostReader) -> Facts`` registered under a
stable dotted name (``host.sshd``). It may raise :class:`CollectError` or
:class:`NotApplicable`; anything else is a bug and is reported as such. One
failing collector never stops the run.
"""

from __future__ import annotations

import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Callable, Dict, Iterable, List, Optional, Tuple

from collectors.context import HostContext, HostReader
from collectors.evidence import (
    CollectError,
    ErrorReason,
    Evidence,
    EvidenceStatus,
    Facts,
    NotApplicable,
    utc_now,
)

CollectorFn = Callable[[HostReader], Facts]


@dataclass(frozen=True)
class Collector:
    """A registered collector."""

    name: str
    fn: CollectorFn
    description: str


_REGISTRY: Dict[str, Collector] = {}


def collector(name: str, description: str) -> Callable[[CollectorFn], CollectorFn]:
    """Register ``fn`` as the collector called ``name``."""

    def deco(fn: CollectorFn) -> CollectorFn:
        if name in _REGISTRY:
            raise ValueError(f"collector {name} registered twice")
        _REGISTRY[name] = Collector(name, fn, description)
        return fn

    return deco


def all_collectors() -> Dict[str, Collector]:
    """Every registered host collector, by name."""
    import collectors.host  # noqa: F401  - the import fills the registry

    return dict(_REGISTRY)


def run_collector(c: Collector, ctx: HostContext) -> Evidence:
    """Run one collector, turning every failure into an ``error`` record."""
    reader = HostReader(ctx)
    started = utc_now()
    status = EvidenceStatus.OK
    facts: Facts = {}
    reason: Optional[str] = None
    error_reason: Optional[ErrorReason] = None
    try:
        facts = c.fn(reader)
    except NotApplicable as exc:
        status, reason = EvidenceStatus.NOT_APPLICABLE, str(exc)
    except CollectError as exc:
        status, reason, error_reason = EvidenceStatus.ERROR, exc.message, exc.reason
    except Exception as exc:  # a bug in a collector must not end the run
        status, error_reason = EvidenceStatus.ERROR, ErrorReason.BUG
        last = traceback.extract_tb(exc.__traceback__)[-1]
        reason = f"internal error in collector {c.name}: {type(exc).__name__}: {exc} ({last.filename.rsplit('/', 1)[-1]}:{last.lineno})"
    method = facts.pop("_method", None) if isinstance(facts, dict) else None
    return Evidence(
        collector=c.name,
        target=ctx.target,
        status=status,
        facts=facts,
        sources=tuple(reader.sources),
        reason=reason,
        error_reason=error_reason,
        method=method,
        collected_at=started,
    )


def collect(ctx: HostContext, names: Optional[Iterable[str]] = None, workers: int = 8) -> List[Evidence]:
    """Run the named collectors (all by default), concurrently, in name order."""
    registry = all_collectors()
    wanted: Tuple[str, ...] = tuple(sorted(names if names is not None else registry))
    unknown = [n for n in wanted if n not in registry]
    if unknown:
        raise KeyError(f"unknown collector(s): {', '.join(unknown)}")
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda n: run_collector(registry[n], ctx), wanted))
