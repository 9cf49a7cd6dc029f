"""Service, process and remote-access checks on the fixture hosts and edge cases."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

import pytest

from checks.catalogue import all_checks
from checks.model import Status
from checks.registry import EvidenceView, evaluate_one
from collectors.evidence import Evidence, EvidenceStatus
from tests.hosts import evidence_map, status_of

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
    v = _run("LNX-SVC-001", host_services={"enabled": [], "systemd_units_known": False})
    assert v.status is M


def test_binary_xinetd_file_is_manual_not_pass() -> None:
    facts: Dict[str, Any] = {"superserver": [], "superserver_skipped": [{"path": "/etc/xinetd.d/blob", "reason": "binary"}]}
    ev = EvidenceView([Evidence("host.superserver", "t", EvidenceStatus.OK, facts)])
    v = evaluate_one(all_checks()["LNX-SVC-002"], ev)
    assert v.status is Status.MANUAL and v.observed["files"] == ["/etc/xinetd.d/blob"]
    facts["superserver_skipped"] = [{"path": "/etc/xinetd.d/archive", "reason": "directory"}]
    assert evaluate_one(all_checks()["LNX-SVC-002"], ev).status is Status.PASS


def _finding(host: str, check_id: str, privileged: bool = True) -> Any:
    from tests.hosts import host_findings

    return next(f for f in host_findings(host, privileged) if f.check_id == check_id)


def test_unit_check_is_error_when_list_units_failed() -> None:
    """debian-hardened whose `systemctl list-units` failed (no bus): enabled units alone do not make a pass."""
    for privileged in (True, False):
        f = _finding("debian-hardened-list-units-failed", "LNX-SVC-001", privileged)
        assert f.status is Status.ERROR, f.reason
        assert "exit code 1" in (f.reason or "") and "Failed to connect to bus" in (f.reason or "")
    assert status_of("debian-hardened", "LNX-SVC-001") is P


def _prc(rows: List[Dict[str, Any]]) -> Any:
    facts = {"processes": rows, "count": len(rows), "unknown_user": 0, "privileged": True}
    return evaluate_one(all_checks()["LNX-PRC-001"], EvidenceView([Evidence("host.processes", "t", EvidenceStatus.OK, facts)]))


def _verdict(f: Any) -> Tuple[Status, Optional[str], Dict[str, Any]]:
    return f.status, f.reason, dict(f.observed)


def test_db_process_check_is_deterministic_on_one_snapshot() -> None:
    """debian-hardened with parent pids recorded: the verdict depends on the snapshot, not on how it was read.

    Order, the workers a server happened to have at that instant (they recycle), and a pid reused while the
    table was read must not flip it.
    """
    rows = [dict(r) for r in evidence_map("debian-hardened-ppid")["host.processes"].facts["processes"]]
    base = _verdict(_prc(rows))
    assert base[0] is P
    assert _verdict(_prc(list(reversed(rows)))) == base
    assert _verdict(_prc(rows[5:] + rows[:5])) == base
    # the nginx workers were being recycled when the table was read: only the master (root, by design) is there
    recycling = [r for r in rows if not (r["name"] == "nginx" and r["user"] == "www-data")]
    assert _verdict(_prc(recycling))[0] is P
    # a pid reused while reading: a root "nginx" that claims the master as parent but started before it is not its worker
    master = next(r for r in rows if r["name"] == "nginx" and r["user"] == "root")
    stale = {**master, "pid": 999, "ppid": master["pid"], "started": master["started"] - 60}
    assert _verdict(_prc([*rows, stale]))[0] is P
    # a worker of that master really running as root fails, whatever the order
    root_worker = {**master, "pid": 998, "ppid": master["pid"], "started": master["started"] + 5}
    for order in ([*rows, root_worker], [root_worker, *reversed(rows)]):
        f = _prc(order)
        assert f.status is F and f.observed["processes"] == [{"name": "nginx", "pids": [998], "exe": "/usr/sbin/nginx"}]


def test_lone_root_server_without_parent_pids_is_manual() -> None:
    assert _prc([_proc(1, "nginx", "root")]).status is M
    assert status_of("debian-hardened", "LNX-PRC-001") is P  # recorded without parent pids: a worker dropped root
