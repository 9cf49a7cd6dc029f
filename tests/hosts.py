"""Fixture hosts (file trees, recorded command outputs and process tables in the real formats), and helpers to assess them."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, Dict, List, Tuple

from checks.model import Finding, Status
from checks.registry import evaluate
from collectors.context import HostContext, load_fixture_context
from collectors.evidence import Evidence
from collectors.registry import collect

HOSTS_DIR = Path(__file__).parent / "fixtures" / "hosts"
FIXTURE_HOSTS: Tuple[str, ...] = ("debian-hardened", "debian-weak", "openeuler-server", "ics-gateway", "ics-gateway-hardened")
# Fixture hosts are judged with the widest host profile (the server checks plus the gateway checks).
FIXTURE_PROFILE = "ics-gateway"
# Deployment facts that a configuration would declare for these hosts.
HOST_PARAMS: Dict[str, Dict[str, Dict[str, Any]]] = {
    "ics-gateway": {"LNX-ICS-002": {"ot_interfaces": ["eth1"]}},
    "ics-gateway-hardened": {"LNX-ICS-002": {"ot_interfaces": ["eth1"]}},
}


def host_context(name: str, *, privileged: bool = True) -> HostContext:
    return load_fixture_context(HOSTS_DIR / name, privileged=privileged)


@functools.cache
def host_evidence(name: str, privileged: bool = True) -> Tuple[Evidence, ...]:
    return tuple(collect(host_context(name, privileged=privileged)))


def evidence_map(name: str, privileged: bool = True) -> Dict[str, Evidence]:
    return {e.collector: e for e in host_evidence(name, privileged)}


@functools.cache
def host_findings(name: str, privileged: bool = True) -> Tuple[Finding, ...]:
    return tuple(evaluate(list(host_evidence(name, privileged)), FIXTURE_PROFILE, HOST_PARAMS.get(name)))


def status_of(name: str, check_id: str, privileged: bool = True) -> Status:
    for f in host_findings(name, privileged):
        if f.meta.id == check_id:
            return f.status
    raise KeyError(check_id)


def statuses(name: str, privileged: bool = True) -> Dict[str, Status]:
    return {f.meta.id: f.status for f in host_findings(name, privileged)}


def findings_with(name: str, status: Status) -> List[str]:
    return sorted(f.meta.id for f in host_findings(name) if f.status is status)
