"""Service, process and remote-access checks on the fixture hosts and edge cases."""

from __future__ import annotations

from typing import Any, Dict

import pytest

from checks.catalogue import all_checks
from checks.model import Status
from checks.registry import EvidenceView, evaluate_one
from collectors.evidence import Evidence, EvidenceStatus
from tests.hosts import status_of

P, F, M = Status.PASS, Status.FAIL, Status.MANUAL

EXPECTED = {
    # id: (debian-hardened, debian-weak, openeuler-server)
    "LNX-SVC-001": (P, F, P),
    "LNX-SVC-002": (P, F, P),
    "LNX-SVC-003": (P, F, P),
    "LNX-PRC-001": (P, F, P),
    "LNX-PRC-002": (P, F, P),
    "LNX-RMT-001": (P, F, P),
    "LNX-RMT-002": (P, F, P),
}
HOSTS = ("debian-hardened", "debian-weak", "openeuler-server")


@pytest.mark.parametrize("check_id", sorted(EXPECTED))
def test_fixture_statuses(check_id: str) -> None:
    assert tuple(status_of(h, check_id) for h in HOSTS) == EXPECTED[check_id]


@pytest.mark.parametrize("check_id", sorted(EXPECTED))
def test_unprivileged_replay_same_result(check_id: str) -> None:
    # these checks read the process table and unit lists, which need no root
    assert tuple(status_of(h, check_id, privileged=False) for h in HOSTS) == EXPECTED[check_id]


def _run(check_id: str, **facts: Dict[str, Any]) -> Any:
    ev = [Evidence(name.replace("_", "."), "t", EvidenceStatus.OK, f) for name, f in facts.items()]
    return evaluate_one(all_checks()[check_id], EvidenceView(ev))


def _proc(pid: int, name: str, user: Any) -> Dict[str, Any]:
    return {"pid": pid, "name": name, "user": user, "exe": None}


def test_privilege_separating_web_server_is_fine_but_all_root_is_not() -> None:
    split = {"processes": [_proc(1, "nginx", "root"), _proc(2, "nginx", "www-data")]}
    assert _run("LNX-PRC-001", host_processes=split).status is P
    all_root = {"processes": [_proc(1, "nginx", "root"), _proc(2, "nginx", "root")]}
    assert _run("LNX-PRC-001", host_processes=all_root).status is F


def test_unknown_process_owner_is_manual() -> None:
    v = _run("LNX-PRC-001", host_processes={"processes": [_proc(1, "mongod", None)]})
    assert v.status is M and v.observed["unknown_user"] == ["mongod"]


def test_unattributed_sockets_make_listener_check_manual_not_pass() -> None:
    socks = [
        {"proto": "tcp", "address": "0.0.0.0", "port": 9000, "pid": None, "process": None, "user": None, "scope": "wildcard"}
    ]
    v = _run("LNX-PRC-002", host_listening={"sockets": socks, "attribution_complete": False})
    assert v.status is M and v.observed["unattributed_ports"] == [9000]


def test_unknown_unit_state_is_manual() -> None:
    v = _run("LNX-SVC-001", host_services={"enabled": [], "active": [], "systemd_units_known": False})
    assert v.status is M


def test_binary_xinetd_file_is_manual_not_pass() -> None:
    facts: Dict[str, Any] = {"superserver": [], "superserver_skipped": [{"path": "/etc/xinetd.d/blob", "reason": "binary"}]}
    ev = EvidenceView([Evidence("host.services", "t", EvidenceStatus.OK, facts)])
    v = evaluate_one(all_checks()["LNX-SVC-002"], ev)
    assert v.status is Status.MANUAL and v.observed["files"] == ["/etc/xinetd.d/blob"]
    facts["superserver_skipped"] = [{"path": "/etc/xinetd.d/archive", "reason": "directory"}]
    assert evaluate_one(all_checks()["LNX-SVC-002"], ev).status is Status.PASS
