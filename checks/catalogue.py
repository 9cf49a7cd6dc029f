"""The whole check catalogue, and judging an evidence bundle with it.

Importing this module imports every check module (the registry is explicit:
one import per module in ``checks/host/__init__.py`` and ``checks/net/__init__.py``).
"""

from __future__ import annotations

from typing import Dict, List, Mapping, Optional, Sequence

import checks.host
import checks.net  # noqa: F401  - the imports fill the registry
from checks.model import CheckLevel, Finding
from checks.registry import EvidenceView, Params, RegisteredCheck, evaluate_one, evidence_groups, registered
from collectors.evidence import Evidence
from collectors.profile import Profile


def all_checks() -> Dict[str, RegisteredCheck]:
    """Every registered check, by id, sorted."""
    checks = registered()
    return {k: checks[k] for k in sorted(checks)}


def checks_for_profile(profile: Profile) -> List[RegisteredCheck]:
    members = set(profile.members)
    return [c for c in all_checks().values() if members & set(c.meta.profiles)]


def evaluate(
    evidence: Sequence[Evidence],
    profile: Profile = Profile.SERVER,
    params: Optional[Mapping[str, Params]] = None,
) -> List[Finding]:
    """Judge an evidence bundle: host checks once, endpoint checks per network target.

    An endpoint check is judged for a target only where some evidence it
    needs was collected for that target (a TLS check says nothing about a
    plain-HTTP URL that no TLS probe ran against).
    """
    params = params or {}
    checks = checks_for_profile(profile)
    findings: List[Finding] = []
    for target, group in evidence_groups(evidence):
        view = EvidenceView(group)
        if target is None:
            if group or profile.assesses_host:
                findings += [evaluate_one(rc, view, params.get(rc.meta.id)) for rc in checks if rc.meta.level is CheckLevel.HOST]
            continue
        names = {e.collector for e in group}
        for rc in checks:
            if rc.meta.level is CheckLevel.ENDPOINT and names & set(rc.meta.needs):
                findings.append(evaluate_one(rc, view, params.get(rc.meta.id), target))
    return findings
