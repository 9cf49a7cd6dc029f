"""Registry and runner of network collectors (ports, web, TLS ...).

A network collector is ``(probe: NetProbe, target: Target) -> Facts`` for the
target kinds it declares. It talks only to addresses inside the scope; the
probe object logs every exchange as provenance and refuses anything else.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple, TypeVar

from collectors.evidence import CollectError, ErrorReason, Evidence, ProbeSource, Source
from collectors.facts import FactsKey
from collectors.net.profiles import ALL_PROFILES, NET_COLLECTOR_PROFILES
from collectors.net.scope import Scope, Target
from collectors.profile import Profile
from collectors.registry import run_guarded

# Probe modules, in run order; imported on first use (they are not needed for --help).
PROBE_MODULES: Tuple[str, ...] = (
    "collectors.net.ports",
    "collectors.net.web",
    "collectors.net.tls",
    "collectors.net.ics",
    "collectors.net.mqtt",
    "collectors.net.backends",
)


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
    profile: Profile = Profile.SERVER  # which probes run, and so which ports a protocol probe reads itself


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


NetCollectorFn = Callable[[NetProbe, Target], Mapping[str, Any]]

F = TypeVar("F", bound=Mapping[str, Any])
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
    profiles: Tuple[Profile, ...] = ALL_PROFILES  # industrial and telematics probes run only where asked for
    shape: Any = Any  # the TypedDict its facts follow (collectors.facts.check_shape)


_REGISTRY: Dict[str, NetCollector] = {}


def net_collector(
    key: FactsKey[F], description: str, kinds: Sequence[str]
) -> Callable[[Callable[[NetProbe, Target], F]], Callable[[NetProbe, Target], F]]:
    """Register a network collector of ``key`` for the given target kinds (its profiles: ``collectors.net.profiles``)."""
    name = key.name
    profiles = NET_COLLECTOR_PROFILES[name]

    def deco(fn: Callable[[NetProbe, Target], F]) -> Callable[[NetProbe, Target], F]:
        if name in _REGISTRY:
            raise ValueError(f"collector {name} registered twice")
        _REGISTRY[name] = NetCollector(name, fn, description, tuple(kinds), tuple(profiles), key.shape)
        return fn

    return deco


def all_net_collectors() -> Dict[str, NetCollector]:
    """Every registered network collector (imports the probe modules on first use)."""
    for module in PROBE_MODULES:
        importlib.import_module(module)
    return dict(_REGISTRY)


def run_net_collector(c: NetCollector, ctx: NetContext, target: Target) -> Evidence:
    """Run one network collector against one target with its own scope guard and provenance log."""
    probe = NetProbe(ctx)
    return run_guarded(c.name, target.endpoint, lambda: c.fn(probe, target), lambda: probe.sources)


def collect_network(ctx: NetContext, names: Optional[Sequence[str]] = None, profile: Profile = Profile.SERVER) -> List[Evidence]:
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
