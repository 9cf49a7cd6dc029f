"""LNX-AUD / LNX-LOG / LNX-TIME: exact statuses per fixture host, privileged and not."""

from __future__ import annotations

import pytest

from checks.model import Status
from tests.hosts import status_of

P, F, M = Status.PASS, Status.FAIL, Status.MANUAL

EXPECTED = {
    #               hardened, weak, openeuler
    "LNX-AUD-001": (P, F, P),
    "LNX-AUD-002": (P, F, F),
    "LNX-AUD-003": (P, F, P),
    "LNX-AUD-004": (P, F, F),
    "LNX-LOG-001": (P, F, P),
    "LNX-LOG-002": (P, F, F),
    "LNX-LOG-003": (P, F, F),
    "LNX-TIME-001": (P, F, P),
}
HOSTS = ("debian-hardened", "debian-weak", "openeuler-server")


@pytest.mark.parametrize("check_id", sorted(EXPECTED))
def test_fixture_statuses(check_id: str) -> None:
    got = tuple(status_of(h, check_id) for h in HOSTS)
    assert got == EXPECTED[check_id]


@pytest.mark.parametrize("host", ["debian-hardened", "openeuler-server"])
@pytest.mark.parametrize("check_id", ["LNX-AUD-001", "LNX-AUD-002", "LNX-AUD-003", "LNX-AUD-004"])
def test_unprivileged_audit_is_manual_never_pass(host: str, check_id: str) -> None:
    assert status_of(host, check_id, privileged=False) in (Status.MANUAL, Status.ERROR)
    assert status_of(host, check_id, privileged=False) is M
