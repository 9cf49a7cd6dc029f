"""The check registry: the catalogue's one metadata factory, evidence views, and judging one check.

Each check module registers its checks with :func:`check`; ``checks.catalogue``
imports every module and is where the whole catalogue is read. No I/O happens
here: a check reads only the evidence it is given.
"""

from __future__ import annotations

import traceback
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, TypeVar, Union, overload

from checks.messages import message
from checks.mlps import refs
from checks.model import (
    CheckLevel,
    CheckMeta,
    CoverageLine,
    Finding,
    InsurerDomain,
    Severity,
    Status,
    Text,
    Verdict,
)
from collectors.evidence import Evidence, EvidenceStatus
from collectors.facts import FactsKey
from collectors.profile import Profile
from collectors.strictjson import JSON

Params = Mapping[str, Any]
CheckFn = Callable[["EvidenceView", Params], Verdict]
F = TypeVar("F", bound=Mapping[str, Any])


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


# The detail of these messages is the collector's own account (English, from the system): shown as data.
UNAVAILABLE_EVIDENCE = message(
    "check/evidence-unavailable", en="evidence unavailable: {detail}", zh="无法取得所需证据（{collector}）：{detail}"
)
NOT_APPLICABLE_EVIDENCE = message("check/evidence-not-applicable", en="{detail}", zh="所需证据不适用于本对象（{collector}）：{detail}")
CHECK_BUG = message("check/internal-error", en="internal error in check {check}: {detail}", zh="检查项 {check} 内部错误：{detail}")


def _name(key: Union[FactsKey[Any], str]) -> str:
    return key if isinstance(key, str) else key.name


class EvidenceView:
    """Read-only access to an evidence bundle, by collector."""

    def __init__(self, evidence: Iterable[Evidence]) -> None:
        self._by_name: Dict[str, Evidence] = {e.collector: e for e in evidence}

    @overload
    def facts(self, key: FactsKey[F]) -> F: ...

    @overload
    def facts(self, key: str) -> Mapping[str, Any]: ...

    def facts(self, key: Union[FactsKey[Any], str]) -> Any:
        """Facts of ``key``; raises when that evidence is missing or failed."""
        name = _name(key)
        ev = self._by_name.get(name)
        if ev is None:
            raise EvidenceUnavailable(name, f"evidence {name} was not collected")
        if ev.status is EvidenceStatus.NOT_APPLICABLE:
            raise EvidenceNotApplicable(name, ev.reason or f"{name} does not apply to this host")
        if ev.status is not EvidenceStatus.OK:
            raise EvidenceUnavailable(name, f"{name}: {ev.reason or 'collection failed'}")
        return ev.facts

    @overload
    def optional(self, key: FactsKey[F]) -> Optional[F]: ...

    @overload
    def optional(self, key: str) -> Optional[Mapping[str, Any]]: ...

    def optional(self, key: Union[FactsKey[Any], str]) -> Any:
        """Facts of ``key`` if collected successfully, else ``None``."""
        ev = self._by_name.get(_name(key))
        if ev is None or ev.status is not EvidenceStatus.OK:
            return None
        return ev.facts

    def get(self, key: Union[FactsKey[Any], str]) -> Optional[Evidence]:
        return self._by_name.get(_name(key))

    def only(self, names: Iterable[str]) -> EvidenceView:
        """The part of this view a check declared it reads: a check never sees evidence it did not declare."""
        view = EvidenceView(())
        view._by_name = {n: self._by_name[n] for n in names if n in self._by_name}  # a check's few names, not every collector
        return view


class RegisteredCheck:
    """A check function with its metadata."""

    def __init__(self, meta: CheckMeta, fn: CheckFn) -> None:
        self.meta = meta
        self.fn = fn


_REGISTRY: Dict[str, RegisteredCheck] = {}


def check(
    meta: Optional[CheckMeta] = None,
    *,
    id: Optional[str] = None,
    title: Optional[Text] = None,
    remediation: Optional[Text] = None,
    severity: Optional[Severity] = None,
    mlps: Sequence[str] = (),
    domains: Sequence[InsurerDomain] = (),
    needs: Sequence[Union[FactsKey[Any], str]] = (),
    coverage: Sequence[CoverageLine] = (),
    high_risk_case: Optional[str] = None,
    params: Optional[Mapping[str, JSON]] = None,
    needs_root: bool = False,
    profiles: Sequence[Profile] = (Profile.SERVER,),
    level: CheckLevel = CheckLevel.HOST,
    basis: str = "",
) -> Callable[[CheckFn], CheckFn]:
    """Register the decorated function as the check ``id``; ids are unique for ever.

    ``mlps`` names GB/T 28448 test units (clause and levels come from
    ``checks.mlps``) and ``basis`` says why: which requirement the check's
    evidence speaks to (``docs/mlps-mapping.md`` is generated from it);
    ``needs`` names the collectors whose facts the check reads, by their
    :class:`FactsKey`.
    """
    if meta is None:
        if id is None or title is None or remediation is None or severity is None:
            raise TypeError("check() needs id, title, remediation and severity")
        meta = CheckMeta(
            id=id,
            title=title,
            remediation=remediation,
            severity=severity,
            mlps=refs(*mlps),
            domains=tuple(domains),
            needs=tuple(_name(n) for n in needs),
            coverage=tuple(coverage),
            high_risk_case=high_risk_case,
            params=dict(params or {}),
            needs_root=needs_root,
            profiles=tuple(profiles),
            level=level,
            basis=basis,
        )
    registered = meta

    def deco(fn: CheckFn) -> CheckFn:
        if registered.id in _REGISTRY:
            raise ValueError(f"check id {registered.id} registered twice")
        _REGISTRY[registered.id] = RegisteredCheck(registered, fn)
        return fn

    return deco


def registered() -> Dict[str, RegisteredCheck]:
    """The checks registered so far (``checks.catalogue.all_checks`` imports every check module first)."""
    return dict(_REGISTRY)


def evaluate_one(rc: RegisteredCheck, view: EvidenceView, overrides: Optional[Params] = None, target: Optional[str] = None) -> Finding:
    """Run one check; evidence problems and bugs become ERROR/N/A, never PASS."""
    params: Dict[str, Any] = dict(rc.meta.params)
    if overrides:
        params.update(overrides)
    try:
        verdict = rc.fn(view.only(rc.meta.needs), params)
        if not isinstance(verdict, Verdict):
            raise TypeError(f"check returned {type(verdict).__name__}, not Verdict")
    except EvidenceNotApplicable as exc:
        verdict = Verdict(Status.NOT_APPLICABLE, {}, NOT_APPLICABLE_EVIDENCE(collector=exc.collector, detail=exc.reason))
    except EvidenceUnavailable as exc:
        verdict = Verdict(Status.ERROR, {}, UNAVAILABLE_EVIDENCE(collector=exc.collector, detail=exc.reason))
    except Exception as exc:  # a bug in one check must not end the run
        last = traceback.extract_tb(exc.__traceback__)[-1]
        where = f"{type(exc).__name__}: {exc} ({last.filename.rsplit('/', 1)[-1]}:{last.lineno})"
        verdict = Verdict(Status.ERROR, {}, CHECK_BUG(check=rc.meta.id, detail=where))
    return Finding.of(rc.meta, verdict, params, target)


def network_targets(evidence: Sequence[Evidence]) -> List[str]:
    """Network targets present in an evidence bundle, in first-seen order."""
    return list(dict.fromkeys(e.target for e in evidence if not e.is_host))


def evidence_groups(evidence: Sequence[Evidence]) -> List[Tuple[Optional[str], List[Evidence]]]:
    """The evidence split by what it is about: (None, host evidence), then (target, that target's evidence).

    One pass over the evidence: a report may carry thousands of network targets.
    """
    host: List[Evidence] = []
    by_target: Dict[str, List[Evidence]] = {}
    for e in evidence:
        if e.is_host:
            host.append(e)
        else:
            by_target.setdefault(e.target, []).append(e)
    return [(None, host), *by_target.items()]
