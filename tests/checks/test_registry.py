"""The check catalogue is complete, unique, and every check can pass and fail."""

from __future__ import annotations

from collections import defaultdict
from typing import Dict, Set

from checks.model import Status
from checks.registry import all_checks
from collectors.registry import all_collectors
from tests.hosts import FIXTURE_HOSTS, host_findings

MIN_SERVER_CHECKS = 60


def test_ids_unique_and_metadata_complete() -> None:
    from collectors.net.registry import all_net_collectors

    registry = all_checks()
    collectors = {**all_collectors(), **all_net_collectors()}
    for cid, rc in registry.items():
        assert cid == rc.meta.id
        for need in rc.meta.needs:
            assert need in collectors, f"{cid} needs unknown collector {need}"
        assert rc.meta.title.zh != rc.meta.title.en


def test_catalogue_size() -> None:
    server = [c for c in all_checks().values() if "server" in c.meta.profiles and c.meta.level == "host"]
    assert len(server) >= MIN_SERVER_CHECKS, f"only {len(server)} server checks"


def test_every_check_has_a_passing_and_a_failing_fixture() -> None:
    seen: Dict[str, Set[Status]] = defaultdict(set)
    for host in FIXTURE_HOSTS:
        for f in host_findings(host):
            seen[f.meta.id].add(f.status)
    # Endpoint-level checks (ports, web, TLS) are proven against real servers in tests/checks/net.
    missing = {
        cid: sorted(s.value for s in seen[cid])
        for cid, rc in all_checks().items()
        if rc.meta.level == "host" and not {Status.PASS, Status.FAIL} <= seen[cid]
    }
    assert not missing, f"checks without both a pass and a fail fixture: {missing}"


def test_no_fixture_check_errors_when_privileged() -> None:
    errors = {host: [(f.meta.id, f.reason) for f in host_findings(host) if f.status is Status.ERROR] for host in FIXTURE_HOSTS}
    assert not any(errors.values()), errors
