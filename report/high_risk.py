"""How each 高风险 case stands in one report: open, may be downgraded, or not assessed.

A failed finding that carries a case leaves it open. When the same host's
evidence shows one of the mitigations the guide allows for that case (every
check of one alternative passes), the case is "high risk, may be downgraded
at the assessor's discretion" and names those checks: it is neither reported
as plainly open nor silently closed. Mitigations are judged for host
findings only; what a network probe finds on another machine cannot be
mitigated by this host's configuration.
"""

from __future__ import annotations

from typing import AbstractSet, Collection, List, Literal, Optional, Sequence, Tuple

from checks.high_risk import CASES
from checks.model import Finding, Status
from collectors.profile import Profile

CaseState = Literal["open", "mitigable"]


def mitigation_of(f: Finding, passed_host_checks: Collection[str]) -> Optional[Tuple[str, ...]]:
    """The checks whose passing evidences a mitigation of ``f``'s case, or None."""
    case = CASES.get(f.high_risk_case or "")
    if case is None or case.mitigation is None or f.target is not None:
        return None
    passed: AbstractSet[str] = passed_host_checks if isinstance(passed_host_checks, (set, frozenset)) else set(passed_host_checks)
    for alternative in case.mitigation.evidence:
        if all(cid in passed for cid in alternative):
            return alternative
    return None


def failed_cases(findings: Sequence[Finding]) -> List[Tuple[Finding, CaseState, Tuple[str, ...]]]:
    """Every failed finding that carries a case, with its state and the mitigating checks (if any)."""
    passed = {f.check_id for f in findings if f.target is None and f.status is Status.PASS}
    out: List[Tuple[Finding, CaseState, Tuple[str, ...]]] = []
    for f in findings:
        if f.status is Status.FAIL and f.high_risk_case:
            by = mitigation_of(f, passed)
            out.append((f, "mitigable" if by else "open", by or ()))
    return out


def not_assessed(profile: Profile, findings: Sequence[Finding]) -> Tuple[str, ...]:
    """Cases that apply to the profile and that no finding of the report judged (pass, fail or not applicable)."""
    judged = {f.high_risk_case for f in findings if f.high_risk_case and f.status in (Status.PASS, Status.FAIL, Status.NOT_APPLICABLE)}
    return tuple(sorted((c.id for c in CASES.values() if profile in c.profiles and c.id not in judged), key=case_order))


def case_order(case_id: str) -> Tuple[int, ...]:
    return tuple(int(p) for p in case_id.split(".") if p.isdigit())
