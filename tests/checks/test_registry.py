"""The registry is complete and unique, and the recorded hosts give no errors (per-check cases: test_catalogue.py)."""

from __future__ import annotations

from checks.catalogue import all_checks
from checks.model import Status
from collectors.catalogue import all_collectors
from collectors.profile import Profile
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
    server = [c for c in all_checks().values() if Profile.SERVER in c.meta.profiles and c.meta.level == "host"]
    assert len(server) >= MIN_SERVER_CHECKS, f"only {len(server)} server checks"


def test_no_fixture_check_errors_when_privileged() -> None:
    errors = {host: [(f.check_id, f.reason) for f in host_findings(host) if f.status is Status.ERROR] for host in FIXTURE_HOSTS}
    assert not any(errors.values()), errors
