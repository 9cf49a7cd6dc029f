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


def host_collectors_for(profile: Profile) -> List[str]:
    """Host collectors a scan of ``profile`` runs: all but those only checks of other profiles read."""
    from collectors.catalogue import all_collectors

    wanted = {n for rc in checks_for_profile(profile) for n in rc.meta.needs}
    used = {n for rc in all_checks().values() for n in rc.meta.needs}
    return sorted(n for n in all_collectors() if n in wanted or n not in used)


def net_collectors_for(profile: Profile) -> List[str]:
    """Network collectors a scan of ``profile`` runs against its targets."""
    from collectors.net.profiles import NET_COLLECTOR_PROFILES

    return sorted(n for n, profiles in NET_COLLECTOR_PROFILES.items() if profile in profiles)


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


# ------------------------------------------------------------------------------------------ identity

# What decides a report's findings and derived sections: a change to any of these changes the rules a
# report was judged by, so it changes the catalogue digest (and, through the lock test, its version).
RULE_SOURCES = (
    "checks",
    "questionnaires/consistency.py",
    "questionnaires/engine.py",
    "questionnaires/model.py",
    "questionnaires/default.json",
    "report/artefact_values.py",
    "report/artefacts.py",
    "report/assemble.py",
    "report/high_risk.py",
    "report/mlps_view.py",
    "report/model.py",
    "report/plan.py",
    "report/provenance.py",
    "report/profile_view.py",
    "report/redact.py",
    "report/scanner_view.py",
    "report/underwriting.py",
)
LOCK_MODULE = "checks/catalogue_lock.py"


def compute_digest() -> str:
    """sha256 over every check's metadata and the sources of the rules (see ``RULE_SOURCES``).

    Computed by the lock test and the lock tool, not at run time: a report states the locked
    ``CATALOGUE_VERSION`` and ``CATALOGUE_DIGEST``.
    """
    import hashlib
    import json
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    h = hashlib.sha256()
    meta = [rc.meta.to_json() for rc in all_checks().values()]
    h.update(json.dumps(meta, sort_keys=True, ensure_ascii=False).encode("utf-8"))
    files = []
    for entry in RULE_SOURCES:
        path = root / entry
        files += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    for path in files:
        rel = path.relative_to(root).as_posix()
        if rel == LOCK_MODULE:
            continue
        h.update(b"\0" + rel.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()
