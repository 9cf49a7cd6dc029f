"""Registry and runner of network collectors (ports, web, TLS ...).

A network collector is ``(probe: NetProbe, target: Target) -> Facts`` for the
target kinds it declares. It talks only to addresses inside the scope; the
probe object logs every exchange as provenance and refuses anything else.

The runner probes host and network targets first. A web server their port
scan finds (``net.ports`` facts ``web_endpoints``) becomes a URL target of
its own, so the web and TLS checks judge it instead of the report being
silent about it; then every URL target is probed, knowing which ports of its
host were scanned and which plain-HTTP endpoints the run found there.

A collector that judges what another one found (``net.vulns`` reads the
service versions of ``net.ports``) declares it in ``reads``: it runs after
the others against the same target and finds their evidence in ``ctx.earlier``.
"""

from __future__ import annotations

import importlib
import re
import time
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple, TypeVar

from collectors.budget import DEFAULT_TARGET_S, Budget, Job, run_jobs
from collectors.evidence import CollectError, ErrorReason, Evidence, EvidenceStatus, ProbeSource, Source
from collectors.facts import FactsKey
from collectors.net.netio import Deadline
from collectors.net.profiles import ALL_PROFILES, NET_COLLECTOR_PROFILES
from collectors.net.safetext import safe_line
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
    "collectors.net.vulns",
)


class SafeProgress:
    """A progress sink that only ever sees terminal-safe lines (server bytes are data, never escape sequences)."""

    def __init__(self, sink: Callable[[str], None]) -> None:
        self.sink = sink

    def __call__(self, message: str) -> None:
        self.sink(safe_line(message))


@dataclass(frozen=True)
class NetContext:
    """Settings shared by every probe of one assessment.

    ``progress`` is wrapped on construction so that every message, the runner's included, passes
    :func:`collectors.net.safetext.safe_line` before it reaches a terminal.
    """

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
    # The evidence of this target collected earlier in this run, by collector: what a collector with ``reads`` sees.
    earlier: Mapping[str, Evidence] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.progress is not None and not isinstance(self.progress, SafeProgress):
            object.__setattr__(self, "progress", SafeProgress(self.progress))


def _margin(job_s: float) -> float:
    """How long before its budget runs out a collector stops by itself, to report what stalled."""
    return min(1.0, max(0.25, 0.02 * job_s))


def probe_deadline(budget: Budget, now: Optional[float] = None) -> float:
    """The monotonic time by which one collector run must be done: its own budget, or the scan's, whichever ends first.

    A little before the runner would abandon it (``collectors.budget.run_jobs``), so the collector
    ends on its own, says which endpoint stalled in what, and leaves no thread probing behind.
    """
    start = time.monotonic() if now is None else now
    at = start + budget.job_s - _margin(budget.job_s)
    if budget.deadline is not None:
        at = min(at, budget.deadline - _margin(budget.job_s))
    return at


@dataclass
class NetProbe:
    """One collector run against one target: scope guard, approved addresses, deadline and provenance log."""

    ctx: NetContext
    sources: List[Source] = field(default_factory=list)
    deadline: Optional[float] = None  # monotonic; None: from ctx.budget, counted from now

    def __post_init__(self) -> None:
        if self.deadline is None:
            self.deadline = probe_deadline(self.ctx.budget)

    def require_in_scope(self, host: str) -> None:
        if not self.ctx.scope.allows(host):
            raise CollectError(ErrorReason.UNSUPPORTED, f"{host} is outside the declared scope; not probed")

    def addresses(self, host: str) -> Tuple[str, ...]:
        """The addresses a connection to ``host`` may go to: those the scope approved, resolved once.

        A probe connects to one of these and sends ``host`` only as the Host header and TLS SNI;
        nothing resolves the name again (a rebinding resolver could answer differently).
        """
        self.require_in_scope(host)
        approved = self.ctx.scope.approved(host)
        if not approved:
            raise CollectError(ErrorReason.NOT_FOUND, f"{host}: no address of it was approved when the scope was read; not probed")
        return approved

    def left(self) -> float:
        """Seconds until the collector's deadline (negative once it has passed)."""
        assert self.deadline is not None
        return self.deadline - time.monotonic()

    def step(self, seconds: Optional[float] = None) -> Deadline:
        """The deadline of one operation: ``seconds`` (default ``ctx.timeout_s``) within the collector's deadline."""
        return Deadline.within(self.ctx.timeout_s if seconds is None else seconds, self.deadline)

    def out_of_time(self, endpoint: str, what: str) -> CollectError:
        """The error of a collector whose deadline passed before ``what`` at ``endpoint``."""
        return CollectError(ErrorReason.TIMEOUT, f"{endpoint}: time budget exceeded before {what} (the collector's deadline)")

    def record(self, endpoint: str, protocol: str, error: Optional[str] = None) -> None:
        self.sources.append(ProbeSource(endpoint, protocol, error))

    def say(self, message: str) -> None:
        if self.ctx.progress is not None:
            self.ctx.progress(safe_line(message))


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
    reads: Tuple[str, ...] = ()  # collectors whose evidence of the same target it reads: it runs after them


_REGISTRY: Dict[str, NetCollector] = {}


def net_collector(
    key: FactsKey[F], description: str, kinds: Sequence[str], reads: Sequence[str] = ()
) -> Callable[[Callable[[NetProbe, Target], F]], Callable[[NetProbe, Target], F]]:
    """Register a network collector of ``key`` for the given target kinds (its profiles: ``collectors.net.profiles``);
    ``reads``: the collectors whose evidence of the same target it reads (``NetContext.earlier``)."""
    name = key.name
    profiles = NET_COLLECTOR_PROFILES[name]

    def deco(fn: Callable[[NetProbe, Target], F]) -> Callable[[NetProbe, Target], F]:
        if name in _REGISTRY:
            raise ValueError(f"collector {name} registered twice")
        _REGISTRY[name] = NetCollector(name, fn, description, tuple(kinds), tuple(profiles), key.shape, tuple(reads))
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
        chosen = [c for c in wanted if target.kind in c.kinds]

        def jobs(cs: Sequence[NetCollector], job_ctx: NetContext) -> List[Job]:
            return [Job(c.name, target.endpoint, lambda c=c: run_net_collector(c, job_ctx, target)) for c in cs]  # type: ignore[misc]

        results = run_jobs(jobs([c for c in chosen if not c.reads], run_ctx), run_ctx.budget)
        readers = [c for c in chosen if c.reads]
        if readers:  # after the others, seeing what they collected
            results += run_jobs(jobs(readers, replace(run_ctx, earlier={e.collector: e for e in results})), run_ctx.budget)
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
