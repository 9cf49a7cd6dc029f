"""Replayed as a non-root user, nothing that rests on unreadable evidence passes."""

from __future__ import annotations

import pytest

from checks.model import Status
from collectors.evidence import ErrorReason, EvidenceStatus
from tests.hosts import FIXTURE_HOSTS, evidence_map, host_findings


@pytest.mark.parametrize("host", FIXTURE_HOSTS)
def test_unreadable_evidence_never_passes(host: str) -> None:
    evidence = evidence_map(host, privileged=False)
    denied = {
        name
        for name, e in evidence.items()
        if e.status is EvidenceStatus.ERROR and e.error_reason is ErrorReason.PERMISSION_DENIED
    }
    assert denied, "an unprivileged replay should hit root-only evidence"
    # A check's first declared evidence is the one it rests on; others may only refine it
    # (IP forwarding off settles the IT/OT forwarding question without reading the firewall).
    for f in host_findings(host, privileged=False):
        if f.evidence[0] in denied:
            assert f.status in (Status.ERROR, Status.MANUAL, Status.NOT_APPLICABLE), (f.check_id, f.status, f.reason)
            assert f.reason, f.check_id


@pytest.mark.parametrize("host", FIXTURE_HOSTS)
def test_unprivileged_replay_is_never_better_than_root(host: str) -> None:
    root = {f.check_id: f.status for f in host_findings(host)}
    for f in host_findings(host, privileged=False):
        if f.status is Status.PASS:
            assert root[f.check_id] is Status.PASS, f"{f.check_id} passes only without root"
