"""Explicit registry of host collectors, and the guarded loop that runs every collector.

A host collector is a plain function ``(HostReader) -> facts`` registered
under a :class:`~collectors.facts.FactsKey` (``host.sshd``). It may raise
:class:`CollectError` or :class:`NotApplicable`; anything else is a bug and
is reported as such. One failing collector never stops the run. Network
collectors (``collectors.net.registry``) run through the same
:func:`run_guarded`.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from typing import Any, Callable, Dict, Mapping, Optional, Sequence, TypeVar, Union, overload

from collectors.context import HostContext, HostReader
from collectors.evidence import (
    CollectError,
    ErrorReason,
    Evidence,
    EvidenceStatus,
    NotApplicable,
    Source,
    utc_now,
)
from collectors.facts import FactsKey

F = TypeVar("F", bound=Mapping[str, Any])
CollectorFn = Callable[[HostReader], Mapping[str, Any]]


@dataclass(frozen=True)
class Collector:
    """A registered host collector."""

    name: str
    fn: CollectorFn
    description: str
    shape: Any = Any  # the TypedDict its facts follow (collectors.facts.check_shape)
    slow: bool = False  # waits on a slow command: started first, so the wait overlaps the rest


_REGISTRY: Dict[str, Collector] = {}


@overload
def collector(key: FactsKey[F], description: str, *, slow: bool = False) -> Callable[[Callable[[HostReader], F]], Callable[[HostReader], F]]: ...


@overload
def collector(key: str, description: str, *, slow: bool = False) -> Callable[[CollectorFn], CollectorFn]: ...


def collector(key: Union[FactsKey[Any], str], description: str, *, slow: bool = False) -> Callable[[Any], Any]:
    """Register ``fn`` as the collector of ``key``; it must return the facts shape the key declares."""
    name = key if isinstance(key, str) else key.name
    shape = Any if isinstance(key, str) else key.shape

    def deco(fn: CollectorFn) -> CollectorFn:
        if name in _REGISTRY:
            raise ValueError(f"collector {name} registered twice")
        _REGISTRY[name] = Collector(name, fn, description, shape, slow)
        return fn

    return deco


def registered() -> Dict[str, Collector]:
    """The host collectors registered so far (``collectors.catalogue`` imports every module first)."""
    return dict(_REGISTRY)


def run_guarded(name: str, target: str, call: Callable[[], Mapping[str, Any]], sources: Callable[[], Sequence[Source]]) -> Evidence:
    """Run one collector call and turn every outcome, failures included, into an evidence record."""
    started = utc_now()
    status = EvidenceStatus.OK
    facts: Dict[str, Any] = {}
    reason: Optional[str] = None
    error_reason: Optional[ErrorReason] = None
    try:
        facts = dict(call())
    except NotApplicable as exc:
        status, reason = EvidenceStatus.NOT_APPLICABLE, str(exc)
    except CollectError as exc:
        status, reason, error_reason = EvidenceStatus.ERROR, exc.message, exc.reason
    except Exception as exc:  # a bug in one collector must not end the run
        status, error_reason = EvidenceStatus.ERROR, ErrorReason.BUG
        last = traceback.extract_tb(exc.__traceback__)[-1]
        reason = f"internal error in collector {name}: {type(exc).__name__}: {exc} ({last.filename.rsplit('/', 1)[-1]}:{last.lineno})"
    method = facts.pop("_method", None)
    return Evidence(
        collector=name,
        target=target,
        status=status,
        facts=facts,
        sources=tuple(sources()),
        reason=reason,
        error_reason=error_reason,
        method=method if isinstance(method, str) else None,
        collected_at=started,
    )


def run_collector(c: Collector, ctx: HostContext) -> Evidence:
    """Run one host collector with its own provenance log."""
    reader = HostReader(ctx)
    return run_guarded(c.name, ctx.target, lambda: c.fn(reader), lambda: reader.sources)
