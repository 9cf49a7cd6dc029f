"""Registry and runner of network collectors (ports, web, TLS ...).

A network collector is ``(probe: NetProbe, target: Target) -> Facts`` for the
target kinds it declares. It talks only to addresses inside the scope; the
probe object logs every exchange as provenance and refuses anything else.

The runner probes host and network targets first. A web server their port
scan finds (``net.ports`` facts ``web_endpoints``) becomes a URL target of
its own, so the web and TLS checks judge it instead of the report being
silent about it; then every URL target is probed, knowing which ports of its
host were scanned and which plain-HTTP endpoints the run found there.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple, TypeVar

from collectors.budget import DEFAULT_TARGET_S, Budget, Job, run_jobs
from collectors.evidence import CollectError, ErrorReason, Evidence, EvidenceStatus, ProbeSource, Source
from collectors.facts import FactsKey
from collectors.net.profiles import ALL_PROFILES, NET_COLLECTOR_PROFILES
from collectors.net.scope import Scope, ScopeError, Target, parse_target
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
    # Address -> TCP ports a port scan of it covered in this run (filled in before URL targets are probed).
    port_scans: Mapping[str, str] = field(default_factory=dict)
    # Each network collector against one target, and the scan's overall deadline (collectors.budget).
    budget: Budget = field(default_factory=lambda: Budget(DEFAULT_TARGET_S))


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


MAX_DISCOVERED_WEB = 32  # web servers found by port scans that one run assesses as URL targets of their own


def _discoveries(ctx: NetContext, evidence: Sequence[Evidence]) -> Tuple[Dict[str, str], List[Target]]:
    """From the port scans: address -> TCP ports scanned, and the web servers found, as new URL targets.

    A web server already covered by a URL target (same scheme, port and address) is not added again.
    """
    scans: Dict[str, str] = {}
    found: List[Target] = []
    known = {(t.scheme, t.port, a) for t in ctx.scope.targets if t.kind == "url" for a in (*t.addresses, t.host)}
    for e in evidence:
        if e.collector != "net.ports" or e.status is not EvidenceStatus.OK:
            continue
        for host in e.facts.get("hosts", []):
            scans.setdefault(str(host["address"]), str(e.facts.get("ports", "")))
        for web in e.facts.get("web_endpoints", []):
            key = (web["scheme"], int(web["port"]), web["address"])
            if key in known:
                continue
            known.add(key)
            try:
                target = parse_target(web["url"], allow_public=ctx.scope.allow_public, resolve=False)
            except ScopeError:
                continue
            found.append(Target(target.kind, target.text, target.host, (web["address"],), target.port, target.scheme, e.target))
    return scans, found


def collect_network(ctx: NetContext, names: Optional[Sequence[str]] = None, profile: Profile = Profile.SERVER) -> List[Evidence]:
    """Run every applicable network collector on every target, one target at a time.

    Host and network targets go first; web servers their scans found join the scope as URL
    targets (at most ``MAX_DISCOVERED_WEB``); then every URL target is probed.
    """
    registry = all_net_collectors()
    wanted = [registry[n] for n in (names or sorted(registry)) if names or profile in registry[n].profiles]
    out: List[Evidence] = []
    hosts = [t for t in ctx.scope.targets if t.kind != "url"]
    done = 0

    def run(target: Target, run_ctx: NetContext, total: int) -> None:
        nonlocal done
        done += 1
        if run_ctx.progress is not None:
            run_ctx.progress(f"[{done}/{total}] {target.endpoint}")
        jobs = [
            Job(c.name, target.endpoint, lambda c=c: run_net_collector(c, run_ctx, target))  # type: ignore[misc]
            for c in wanted
            if target.kind in c.kinds
        ]
        results = run_jobs(jobs, run_ctx.budget)
        for e in results:
            if e.error_reason is ErrorReason.TIMEOUT and e.reason and e.reason.startswith(("time budget", "not run")) and run_ctx.progress:
                run_ctx.progress(f"{target.endpoint}: {e.collector}: {e.reason}")
        out.extend(results)

    for target in hosts:
        run(target, ctx, len(ctx.scope.targets))
    scans, found = _discoveries(ctx, out)
    if any("url" in c.kinds for c in wanted):
        for target in found[:MAX_DISCOVERED_WEB]:
            ctx.scope.add_discovered(target)
            if ctx.progress is not None:
                ctx.progress(f"{target.found_by}: web server found at {target.endpoint}; assessing it as a target")
        skipped = found[MAX_DISCOVERED_WEB:]
        for target in skipped:  # the scan of these hosts cannot vouch for their plain-HTTP side any more
            for address in target.addresses:
                scans.pop(address, None)
        if skipped and ctx.progress is not None:
            listed = ", ".join(t.endpoint for t in skipped[:5])
            ctx.progress(f"{len(skipped)} more web server(s) found ({listed} ...) are not assessed; declare them as targets")
    url_ctx = replace(ctx, port_scans=scans)
    for target in [t for t in ctx.scope.targets if t.kind == "url"]:
        run(target, url_ctx, len(ctx.scope.targets))
    return out
