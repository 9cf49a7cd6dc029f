"""Fixture hosts (file trees, recorded command outputs and process tables in the real formats), and helpers to assess them."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Mapping, Optional, Tuple

from checks.catalogue import evaluate
from checks.model import Finding, Status
from collectors.catalogue import collect
from collectors.context import HostContext, load_fixture_context
from collectors.evidence import Evidence
from collectors.profile import Profile

if TYPE_CHECKING:
    from report.model import Report

HOSTS_DIR = Path(__file__).parent / "fixtures" / "hosts"
FIXTURE_HOSTS: Tuple[str, ...] = ("debian-hardened", "debian-weak", "openeuler-server", "ics-gateway", "ics-gateway-hardened")
# Fixture hosts are judged with the widest host profile (the server checks plus the gateway checks).
FIXTURE_PROFILE = Profile.ICS_GATEWAY
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
        if f.check_id == check_id:
            return f.status
    raise KeyError(check_id)


def statuses(name: str, privileged: bool = True) -> Dict[str, Status]:
    return {f.check_id: f.status for f in host_findings(name, privileged)}


def findings_with(name: str, status: Status) -> List[str]:
    return sorted(f.check_id for f in host_findings(name) if f.status is status)


def assess_host(name: str, **settings: Any) -> Report:
    """The full typed report (questionnaire, scores, plan) of a recorded host, as ``scan --replay`` makes it."""
    from agent.pipeline import assess
    from agent.settings import Settings

    host = Path(name) if "/" in name else HOSTS_DIR / name
    return assess(Settings(replay=host, sign=False, **settings))


def complete_report(
    name: str,
    *,
    target_name: Optional[str] = None,
    started_at: str = "2026-01-01T00:00:00Z",
    previous_report: Optional[str] = None,
    report_id: str = "00000000-0000-4000-8000-000000000000",
    profile: Profile = Profile.SERVER,
    params: Optional[Mapping[str, Mapping[str, Any]]] = None,
    challenge: Optional[str] = None,
    mode: str = "replay",
) -> Report:
    """A whole report of a recorded host (findings for ``profile``, built-in questionnaire, scores and plan),
    with a fixed run record: what ``scan --replay`` writes, made reproducible for tests.

    ``target_name`` renames the host (its evidence included), as if it had been recorded under that name;
    by default the report is about the recorded host name. ``profile`` other than server keeps only the
    evidence a scan of that profile collects.
    """
    import dataclasses
    import datetime as dt

    from questionnaires.loader import load_questionnaire
    from report.assemble import complete
    from report.model import RunInfo, build_report

    end = (dt.datetime.fromisoformat(started_at[:-1]) + dt.timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    run = RunInfo(started_at, end, 1000, 0, "root", True, mode)  # type: ignore[arg-type]
    evidence = host_evidence(name)
    # As a scan of that host would have collected it: about the host by its name, during the run when live.
    host = target_name or evidence[0].target
    from checks.catalogue import host_collectors_for

    wanted = set(host_collectors_for(profile))
    evidence = tuple(
        dataclasses.replace(e, target=host, collected_at=started_at if mode == "live" else e.collected_at)
        for e in evidence
        if e.collector in wanted
    )
    core = build_report(
        profile=profile,
        target_name=host,
        run=run,
        evidence=evidence,
        findings=evaluate(list(evidence), profile, params),
        previous_report=previous_report,
        report_id=report_id,
        challenge=challenge,
    )
    return complete(core, load_questionnaire(None), {}, {})


@functools.cache
def fixture_report(name: str) -> Report:
    """The whole report of a recorded host, server profile, with a fixed run record and report id."""
    return complete_report(name)


def edited(report: Report, edit: Callable[[Dict[str, Any]], None]) -> Report:
    """A copy of ``report`` changed at the JSON level, as a forger would change it, parsed back."""
    import copy

    from report.model import Report

    data = copy.deepcopy(report.as_json)
    edit(data)
    return Report.from_json(data)


def trusted_for(*keys: Any) -> Dict[str, Any]:
    """Trusted keys (no identity) for private keys a test signs with, as ``verify --key`` builds them."""
    from report.signing import key_id
    from report.trust import TrustedKey

    return {key_id(k.public_key()): TrustedKey(key_id(k.public_key()), k.public_key(), None, "test key") for k in keys}
