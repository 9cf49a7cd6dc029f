"""Registry and runner of network collectors (ports, web, TLS ...).

A network collector is ``(probe: NetProbe, target: Target) -> Facts`` for the
target kinds it declares. It talks only to addresses inside the scope; the
probe object logs every exchange as provenance and refuses anything else.
"""

from __future__ import annotations

import importlib
import re
import traceback
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from collectors.evidence import (
    CollectError,
    ErrorReason,
    Evidence,
    EvidenceStatus,
    Facts,
    NotApplicable,
    ProbeSource,
    Source,
    utc_now,
)
from collectors.net.scope import Scope, Target

# Probe modules, in run order; imported on first use (they are not needed for --help).
PROBE_MODULES: Tuple[str, ...] = (
    "collectors.net.ports",
    "collectors.net.web",
    "collectors.net.tls",
    "collectors.net.ics",
    "collectors.net.mqtt",
    "collectors.net.backends",
)
ALL_PROFILES: Tuple[str, ...] = ("server", "website", "ics-gateway", "telematics")


@dataclass(frozen=True)
class NetContext:
    """Settings shared by every probe of one assessment."""

    scope: Scope
    privileged: bool
    timeout_s: float = 5.0
    progress: Optional[Callable[[str], None]] = None
    ports: Optional[str] = None  # nmap port spec, validated by parse_ports; None = the collector's default set
    # Probe settings by name, e.g. {"ics_ports": {"modbus": 1502}, "modbus_unit": 1}; each probe documents its keys.
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class NetProbe:
    """One collector run against one target: scope guard and provenance log."""

    ctx: NetContext
    sources: List[Source] = field(default_factory=list)

    def require_in_scope(self, host: str) -> None:
        if not self.ctx.scope.allows(host):
            raise CollectError(ErrorReason.UNSUPPORTED, f"{host} is outside the declared scope; not probed")

    def record(self, endpoint: str, protocol: str, error: Optional[str] = None) -> None:
        self.sources.append(ProbeSource(endpoint, protocol, error))

    def say(self, message: str) -> None:
        if self.ctx.progress is not None:
            self.ctx.progress(message)


NetCollectorFn = Callable[[NetProbe, Target], Facts]

_PORT_SPEC = re.compile(r"^\d{1,5}(-\d{1,5})?(,\d{1,5}(-\d{1,5})?)*$")


def parse_ports(spec: str) -> str:
    """Validate a port list such as ``22,80,443,8000-8100``; it is passed to nmap as -p."""
    spec = spec.replace(" ", "")
    if not _PORT_SPEC.match(spec):
        raise ValueError(f"{spec!r}: ports are numbers and ranges separated by commas, e.g. 22,80,8000-8100")
    for part in spec.split(","):
        lo, _, hi = part.partition("-")
        if not 0 < int(lo) <= 65535 or (hi and not int(lo) <= int(hi) <= 65535):
            raise ValueError(f"{part}: ports run from 1 to 65535")
    return spec


@dataclass(frozen=True)
class NetCollector:
    name: str
    fn: NetCollectorFn
    description: str
    kinds: Tuple[str, ...]
    profiles: Tuple[str, ...] = ALL_PROFILES  # industrial and telematics probes run only where asked for


_REGISTRY: Dict[str, NetCollector] = {}


def net_collector(
    name: str, description: str, kinds: Sequence[str], profiles: Sequence[str] = ALL_PROFILES
) -> Callable[[NetCollectorFn], NetCollectorFn]:
    """Register a network collector for the given target kinds and profiles."""

    def deco(fn: NetCollectorFn) -> NetCollectorFn:
        if name in _REGISTRY:
            raise ValueError(f"collector {name} registered twice")
        _REGISTRY[name] = NetCollector(name, fn, description, tuple(kinds), tuple(profiles))
        return fn

    return deco


def all_net_collectors() -> Dict[str, NetCollector]:
    """Every registered network collector (imports the probe modules on first use)."""
    for module in PROBE_MODULES:
        importlib.import_module(module)
    return dict(_REGISTRY)


def run_net_collector(c: NetCollector, ctx: NetContext, target: Target) -> Evidence:
    probe = NetProbe(ctx)
    started = utc_now()
    status, facts = EvidenceStatus.OK, {}
    reason: Optional[str] = None
    error_reason: Optional[ErrorReason] = None
    try:
        facts = c.fn(probe, target)
    except NotApplicable as exc:
        status, reason = EvidenceStatus.NOT_APPLICABLE, str(exc)
    except CollectError as exc:
        status, reason, error_reason = EvidenceStatus.ERROR, exc.message, exc.reason
    except Exception as exc:  # a bug in one probe must not end the run
        last = traceback.extract_tb(exc.__traceback__)[-1]
        status, error_reason = EvidenceStatus.ERROR, ErrorReason.BUG
        reason = f"internal error in collector {c.name}: {type(exc).__name__}: {exc} ({last.filename.rsplit('/', 1)[-1]}:{last.lineno})"
    method = facts.pop("_method", None) if isinstance(facts, dict) else None
    return Evidence(c.name, target.endpoint, status, facts, tuple(probe.sources), reason, error_reason, method, started)


def collect_network(ctx: NetContext, names: Optional[Sequence[str]] = None, profile: str = "server") -> List[Evidence]:
    """Run every applicable network collector on every target, one target at a time."""
    registry = all_net_collectors()
    wanted = [registry[n] for n in (names or sorted(registry)) if names or profile in registry[n].profiles]
    out: List[Evidence] = []
    for i, target in enumerate(ctx.scope.targets, 1):
        if ctx.progress is not None:
            ctx.progress(f"[{i}/{len(ctx.scope.targets)}] {target.endpoint}")
        for c in wanted:
            if target.kind in c.kinds:
                out.append(run_net_collector(c, ctx, target))
    return out
