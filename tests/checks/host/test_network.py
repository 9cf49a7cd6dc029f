"""Network and firewall checks on the fixture hosts and edge cases."""

from __future__ import annotations

from typing import Any, Dict, List

import pytest

from checks.catalogue import all_checks
from checks.model import Status
from checks.registry import EvidenceView, evaluate_one
from collectors.evidence import Evidence, EvidenceStatus
from tests.hosts import status_of

P, F, N, E = Status.PASS, Status.FAIL, Status.NOT_APPLICABLE, Status.ERROR

EXPECTED = {
    # id: (debian-hardened, debian-weak, openeuler-server)
    "LNX-NET-001": (P, F, P),
    "LNX-NET-002": (P, F, P),
    "LNX-NET-003": (P, F, P),
    "LNX-FW-001": (P, F, P),
    "LNX-FW-002": (P, F, P),
    "LNX-FW-003": (P, F, F),
}
HOSTS = ("debian-hardened", "debian-weak", "openeuler-server")


@pytest.mark.parametrize("check_id", sorted(EXPECTED))
def test_fixture_statuses(check_id: str) -> None:
    assert tuple(status_of(h, check_id) for h in HOSTS) == EXPECTED[check_id]


@pytest.mark.parametrize("check_id", ["LNX-FW-001", "LNX-FW-002", "LNX-FW-003"])
def test_unprivileged_firewall_checks_are_errors(check_id: str) -> None:
    assert status_of("debian-hardened", check_id, privileged=False) is E
    assert status_of("debian-weak", check_id, privileged=False) is E


def _run(check_id: str, **facts: Dict[str, Any]) -> Any:
    ev = [Evidence(name.replace("_", "."), "t", EvidenceStatus.OK, f) for name, f in facts.items()]
    return evaluate_one(all_checks()[check_id], EvidenceView(ev))


def _sock(port: int, address: str = "0.0.0.0", scope: str = "wildcard", proto: str = "tcp") -> Dict[str, Any]:
    return {"proto": proto, "address": address, "port": port, "pid": 1, "process": "x", "user": "root", "scope": scope}


def test_high_risk_port_on_loopback_passes_and_wildcard_fails() -> None:
    ok = _run("LNX-NET-001", host_listening={"sockets": [_sock(6379, "127.0.0.1", "loopback")]})
    assert ok.status is P
    bad = _run("LNX-NET-001", host_listening={"sockets": [_sock(5901, "::", proto="tcp6")]})
    assert bad.status is F and bad.observed["listening"][0]["port"] == 5901


def test_syslog_udp_514_is_not_rsh() -> None:
    svc: Dict[str, Any] = {"enabled": [], "superserver": []}
    assert _run("LNX-NET-002", host_listening={"sockets": [_sock(514, proto="udp")]}, host_services=svc).status is P
    assert _run("LNX-NET-002", host_listening={"sockets": [_sock(514)]}, host_services=svc).status is F


def _fw(**kw: Any) -> Dict[str, Any]:
    base: Dict[str, Any] = {
        "installed": [],
        "none_installed": True,
        "active": [],
        "default_deny_inbound": False,
        "default_deny_inbound_v6": False,
        "input_accepts": [],
    }
    base.update(kw)
    return base


def test_no_firewall_installed_is_fail() -> None:
    v = _run("LNX-FW-001", host_firewall=_fw())
    assert v.status is F and "no host firewall" in (v.reason or "")


def test_firewall_missing_evidence_is_error_not_pass() -> None:
    ev = Evidence("host.firewall", "t", EvidenceStatus.ERROR, {}, reason="nft: requires root")
    assert evaluate_one(all_checks()["LNX-FW-001"], EvidenceView([ev])).status is E


def test_ipv6_not_applicable_without_ipv6_listeners() -> None:
    v = _run("LNX-FW-002", host_firewall=_fw(), host_listening={"sockets": [_sock(22)]})
    assert v.status is N


def test_admin_source_rules() -> None:
    listening = {"sockets": [_sock(22)]}
    restricted: List[Dict[str, Any]] = [{"ports": [22], "source": "10.0.0.0/8"}]
    ok = _run("LNX-FW-003", host_firewall=_fw(default_deny_inbound=True, input_accepts=restricted), host_listening=listening)
    assert ok.status is P
    open_all = [*restricted, {"ports": [], "source": None}]
    bad = _run("LNX-FW-003", host_firewall=_fw(default_deny_inbound=True, input_accepts=open_all), host_listening=listening)
    assert bad.status is F and bad.observed["unrestricted_ports"] == [22]
    none = _run("LNX-FW-003", host_firewall=_fw(), host_listening={"sockets": [_sock(22, "127.0.0.1", "loopback")]})
    assert none.status is N


def _fw_from(tmp_path: Any, commands: Dict[str, str]) -> Evidence:
    from collectors.catalogue import all_collectors
    from collectors.context import HostContext, RecordedProcessView
    from collectors.registry import run_collector
    from collectors.runner import RecordedRunner, recording_name

    (tmp_path / "commands").mkdir()
    for argv, out in commands.items():
        (tmp_path / "commands" / (recording_name(argv.split()) + ".out")).write_text(out)
    (tmp_path / "root" / "proc" / "net").mkdir(parents=True)
    (tmp_path / "root" / "proc" / "net" / "ip_tables_names").write_text("filter\n")
    ctx = HostContext(tmp_path / "root", RecordedRunner(tmp_path / "commands"), RecordedProcessView({}), "t", True)
    return run_collector(all_collectors()["host.firewall"], ctx)


def test_rhel_state_new_rules_fail_admin_source(tmp_path: Any) -> None:
    ipt = (
        "-P INPUT DROP\n-A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT\n"
        "-A INPUT -p tcp -m state --state NEW -m tcp --dport 22 -j ACCEPT\n"
        "-A INPUT -p tcp -m state --state NEW -m tcp --dport 3389 -j ACCEPT\n"
    )
    fw = _fw_from(tmp_path, {"iptables -S": ipt})
    ev = EvidenceView([fw, Evidence("host.listening", "t", EvidenceStatus.OK, {"sockets": [_sock(22), _sock(3389)]})])
    v = evaluate_one(all_checks()["LNX-FW-003"], ev)
    assert v.status is F and v.observed["unrestricted_ports"] == [22, 3389]


def test_unfollowed_jumps_make_admin_source_manual() -> None:
    listening = {"sockets": [_sock(22)]}
    jumps = [{"via": "iptables", "chain": "INPUT", "target": "SSH-IN", "explained_by": None}]
    fw = _fw(default_deny_inbound=True, input_accepts=[{"ports": [22], "source": "10.0.0.0/8"}], unresolved_jumps=jumps)
    v = _run("LNX-FW-003", host_firewall=fw, host_listening=listening)
    assert v.status is Status.MANUAL and v.observed["chains"] == ["SSH-IN"]
    fw["input_accepts"].append({"ports": [22], "source": None})
    assert _run("LNX-FW-003", host_firewall=fw, host_listening=listening).status is F
