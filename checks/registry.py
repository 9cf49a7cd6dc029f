"""Explicit check registry and the pure evaluation loop.

``checks/__init__.py`` imports every check module; each module registers its
checks with :func:`check`. No I/O happens here: evaluation reads only the
evidence it is given.
"""

from __future__ import annotations

import traceback
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from checks.model import CheckMeta, Finding, Status, Verdict
from collectors.evidence import Evidence, EvidenceStatus

Params = Mapping[str, Any]
CheckFn = Callable[["EvidenceView", Params], Verdict]


class EvidenceUnavailable(Exception):
    """The evidence a check needs could not be collected."""

    def __init__(self, collector: str, reason: str) -> None:
        super().__init__(reason)
        self.collector = collector
        self.reason = reason


class EvidenceNotApplicable(Exception):
    """The evidence a check needs does not apply to this target."""

    def __init__(self, collector: str, reason: str) -> None:
        super().__init__(reason)
        self.collector = collector
        self.reason = reason


class EvidenceView:
    """Read-only access to an evidence bundle, by collector name."""

    def __init__(self, evidence: Iterable[Evidence]) -> None:
        self._by_name: Dict[str, Evidence] = {e.collector: e for e in evidence}

    def facts(self, name: str) -> Mapping[str, Any]:
        """Facts of ``name``; raises when that evidence is missing or failed."""
        ev = self._by_name.get(name)
        if ev is None:
            raise EvidenceUnavailable(name, f"evidence {name} was not collected")
        if ev.status is EvidenceStatus.NOT_APPLICABLE:
            raise EvidenceNotApplicable(name, ev.reason or f"{name} does not apply to this host")
        if ev.status is not EvidenceStatus.OK:
            raise EvidenceUnavailable(name, f"{name}: {ev.reason or 'collection failed'}")
        return ev.facts

    def optional(self, name: str) -> Optional[Mapping[str, Any]]:
        """Facts of ``name`` if collected successfully, else ``None``."""
        ev = self._by_name.get(name)
        if ev is None or ev.status is not EvidenceStatus.OK:
            return None
        return ev.facts

    def get(self, name: str) -> Optional[Evidence]:
        return self._by_name.get(name)


_REGISTRY: Dict[str, RegisteredCheck] = {}


class RegisteredCheck:
    """A check function with its metadata."""

    def __init__(self, meta: CheckMeta, fn: CheckFn) -> None:
        self.meta = meta
        self.fn = fn


def check(meta: CheckMeta) -> Callable[[CheckFn], CheckFn]:
    """Register ``fn`` under ``meta.id``; ids are unique for ever."""

    def deco(fn: CheckFn) -> CheckFn:
        if meta.id in _REGISTRY:
            raise ValueError(f"check id {meta.id} registered twice")
        _REGISTRY[meta.id] = RegisteredCheck(meta, fn)
        return fn

    return deco


def all_checks() -> Dict[str, RegisteredCheck]:
    """Every registered check, by id, sorted."""
    import checks.host
    import checks.net  # noqa: F401

    return {k: _REGISTRY[k] for k in sorted(_REGISTRY)}


# What each profile assesses: an ICS gateway or a telematics backend is a server too.
PROFILE_MEMBERS: Dict[str, Tuple[str, ...]] = {
    "server": ("server",),
    "website": ("website",),
    "ics-gateway": ("server", "ics-gateway"),
    "telematics": ("server", "telematics"),
}


def checks_for_profile(profile: str) -> List[RegisteredCheck]:
    members = set(PROFILE_MEMBERS.get(profile, (profile,)))
    return [c for c in all_checks().values() if members & set(c.meta.profiles)]


def evaluate_one(
    rc: RegisteredCheck, view: EvidenceView, overrides: Optional[Params] = None, target: Optional[str] = None
) -> Finding:
    """Run one check; evidence problems and bugs become ERROR/N/A, never PASS."""
    params: Dict[str, Any] = dict(rc.meta.params)
    if overrides:
        params.update(overrides)
    try:
        verdict = rc.fn(view, params)
        if not isinstance(verdict, Verdict):
            raise TypeError(f"check returned {type(verdict).__name__}, not Verdict")
    except EvidenceNotApplicable as exc:
        verdict = Verdict(Status.NOT_APPLICABLE, {}, exc.reason)
    except EvidenceUnavailable as exc:
        verdict = Verdict(Status.ERROR, {}, f"evidence unavailable: {exc.reason}")
    except Exception as exc:  # a bug in one check must not end the run
        last = traceback.extract_tb(exc.__traceback__)[-1]
        verdict = Verdict(
            Status.ERROR,
            {},
            f"internal error in check {rc.meta.id}: {type(exc).__name__}: {exc} "
            f"({last.filename.rsplit('/', 1)[-1]}:{last.lineno})",
        )
    return Finding(rc.meta, verdict.status, dict(verdict.observed), verdict.reason, rc.meta.needs, params, target)


def network_targets(evidence: Sequence[Evidence]) -> List[str]:
    """Network targets present in an evidence bundle, in first-seen order."""
    seen: List[str] = []
    for e in evidence:
        if not e.collector.startswith("host.") and e.target not in seen:
            seen.append(e.target)
    return seen


def evaluate(
    evidence: Sequence[Evidence],
    profile: str = "server",
    params: Optional[Mapping[str, Params]] = None,
) -> List[Finding]:
    """Judge an evidence bundle: host checks once, endpoint checks per network target.

    An endpoint check is judged for a target only where some evidence it
    needs was collected for that target (a TLS check says nothing about a
    plain-HTTP URL that no TLS probe ran against).
    """
    params = params or {}
    checks = checks_for_profile(profile)
    host_evidence = [e for e in evidence if e.collector.startswith("host.")]
    findings: List[Finding] = []
    if host_evidence or profile != "website":
        view = EvidenceView(host_evidence)
        findings += [evaluate_one(rc, view, params.get(rc.meta.id)) for rc in checks if rc.meta.level == "host"]
    for target in network_targets(evidence):
        mine = [e for e in evidence if e.target == target and not e.collector.startswith("host.")]
        view = EvidenceView(mine)
        names = {e.collector for e in mine}
        for rc in checks:
            if rc.meta.level == "endpoint" and names & set(rc.meta.needs):
                findings.append(evaluate_one(rc, view, params.get(rc.meta.id), target))
    return findings
