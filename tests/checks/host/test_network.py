"""Network and firewall checks on the fixture hosts and edge cases."""

from __future__ import annotations

from typing import Any, Dict, List

import pytest

from checks.catalogue import all_checks
from checks.model import Status
from checks.registry import EvidenceView, evaluate_one
from collectors.evidence import Evidence, EvidenceStatus
from tests.hosts import host_findings, status_of

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
    fw = _fw(installed=["nftables"], none_installed=False, active=["nftables"], default_deny_inbound=True)
    ok = _run("LNX-NET-001", host_listening={"sockets": [_sock(6379, "127.0.0.1", "loopback")]}, host_firewall=fw)
    assert ok.status is P
    bad = _run("LNX-NET-001", host_listening={"sockets": [_sock(5901, "::", proto="tcp6")]}, host_firewall=fw)
    assert bad.status is F and bad.observed["listening"][0]["port"] == 5901


def test_high_risk_port_check_never_passes_without_the_firewall_evidence_it_declares() -> None:
    listening = Evidence("host.listening", "t", EvidenceStatus.OK, {"sockets": [_sock(6379, "127.0.0.1", "loopback")]})
    fw = Evidence("host.firewall", "t", EvidenceStatus.ERROR, {}, reason="nftables: reading the ruleset requires root")
    v = evaluate_one(all_checks()["LNX-NET-001"], EvidenceView([listening, fw]))
    assert v.status is Status.MANUAL and "requires root" in (v.reason or "")


def _filter(default_deny: bool, accepts: List[Dict[str, Any]], families: Any = ("v4", "v6")) -> Dict[str, Any]:
    return {"via": "nftables", "name": "inet filter input", "families": list(families), "default_deny": default_deny, "accepts": accepts}


def test_public_bind_is_exposed_unless_the_firewall_blocks_it() -> None:
    public = {"sockets": [_sock(3306, "58.215.30.17", "specific")]}
    private = {"sockets": [_sock(3306, "10.20.0.5", "specific")]}
    inactive = _fw(installed=["iptables"], none_installed=False, input_filters=[_filter(False, [])])
    blocked = _fw(installed=["nftables"], none_installed=False, default_deny_inbound=True, input_filters=[_filter(True, [])])
    opened = _fw(default_deny_inbound=True, input_filters=[_filter(True, [{"ports": [3306], "source": None, "proto": "tcp"}])])
    assert _run("LNX-NET-001", host_listening=public, host_firewall=inactive).status is F
    assert _run("LNX-NET-001", host_listening=public, host_firewall=opened).status is F
    v = _run("LNX-NET-001", host_listening=public, host_firewall=blocked)
    assert v.status is P and v.observed["blocked_by_firewall"][0]["port"] == 3306
    assert _run("LNX-NET-001", host_listening=private, host_firewall=inactive).status is P
    # without readable firewall evidence a public bind counts as exposed
    listening = Evidence("host.listening", "t", EvidenceStatus.OK, public)
    err = Evidence("host.firewall", "t", EvidenceStatus.ERROR, {}, reason="requires root")
    assert evaluate_one(all_checks()["LNX-NET-001"], EvidenceView([listening, err])).status is F


def test_recorded_public_binds_with_the_firewall_inactive_fail() -> None:
    """debian-weak with its high-risk services bound to its public address (58.215.30.17) instead of 0.0.0.0."""
    for privileged in (True, False):
        f = next(f for f in host_findings("debian-weak-public-bind", privileged) if f.check_id == "LNX-NET-001")
        assert f.status is F, (privileged, f.reason)
        assert "58.215.30.17" in (f.reason or "")
        assert {h["port"] for h in f.observed["listening"]} >= {23, 111, 3306, 6379}


def test_syslog_udp_514_is_not_rsh() -> None:
    svc: Dict[str, Any] = {"enabled": []}
    sup: Dict[str, Any] = {"superserver": []}
    udp = _run("LNX-NET-002", host_listening={"sockets": [_sock(514, proto="udp")]}, host_services=svc, host_superserver=sup)
    assert udp.status is P
    tcp = _run("LNX-NET-002", host_listening={"sockets": [_sock(514)]}, host_services=svc, host_superserver=sup)
    assert tcp.status is F
    # enabled units read from the unit directories because systemctl failed: not a pass
    broken = {"enabled": [], "systemctl_error": "systemctl list-unit-files --no-legend --no-pager --plain: exit code 1"}
    v = _run("LNX-NET-002", host_listening={"sockets": [_sock(514, proto="udp")]}, host_services=broken, host_superserver=sup)
    assert v.status is E and "exit code 1" in (v.reason or "")


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


def _finding(host: str, check_id: str, privileged: bool = True) -> Any:
    return next(f for f in host_findings(host, privileged) if f.check_id == check_id)


def test_offline_tree_firewall_is_judged_from_its_ruleset_file() -> None:
    """debian-hardened as an offline tree: nft cannot run, but nftables.conf (policy drop) is loaded by the enabled unit."""
    for privileged in (True, False):
        f = _finding("debian-hardened-offline", "LNX-FW-001", privileged)
        assert f.status is P, f.reason
        assert "judged from /etc/nftables.conf" in (f.reason or "") and "nft was not available" in (f.reason or "")
        assert f.observed["judged_from_configuration"] == ["nftables"]


def _fw_tree(tmp_path: Any, files: Dict[str, str], links: Dict[str, str]) -> Evidence:
    import os

    from collectors.catalogue import all_collectors
    from collectors.context import HostContext, RecordedProcessView
    from collectors.registry import run_collector
    from collectors.runner import RecordedRunner

    root = tmp_path / "root"
    (root / "proc" / "net").mkdir(parents=True)
    for path, text in files.items():
        (root / path.lstrip("/")).parent.mkdir(parents=True, exist_ok=True)
        (root / path.lstrip("/")).write_text(text)
    for path, target in links.items():
        (root / path.lstrip("/")).parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, root / path.lstrip("/"))
    ctx = HostContext(root, RecordedRunner(tmp_path / "commands"), RecordedProcessView({}), "t", True)
    return run_collector(all_collectors()["host.firewall"], ctx)


NFT_CONF = 'table inet filter {\n\tchain input {\n\t\ttype filter hook input priority 0; policy drop;\n\t\ttcp dport 22 accept\n\t}\n}\n'
WANTS = "/etc/systemd/system/multi-user.target.wants/nftables.service"


def test_ruleset_file_counts_only_when_its_unit_loads_it(tmp_path: Any) -> None:
    fw = _fw_tree(tmp_path, {"/etc/nftables.conf": NFT_CONF}, {})
    v = evaluate_one(all_checks()["LNX-FW-001"], EvidenceView([fw]))
    assert v.status is F and "nftables.service is not enabled" in (v.reason or "")


def test_ruleset_file_includes_are_followed(tmp_path: Any) -> None:
    files = {"/etc/sysconfig/nftables.conf": 'include "/etc/nftables/main.nft"\n', "/etc/nftables/main.nft": NFT_CONF}
    fw = _fw_tree(tmp_path, files, {WANTS: "/usr/lib/systemd/system/nftables.service"})
    assert fw.facts["default_deny_inbound"] is True and fw.facts["configured_only"] == ["nftables"]
    assert evaluate_one(all_checks()["LNX-FW-001"], EvidenceView([fw])).status is P


def test_firewall_program_present_but_unreadable_is_manual_not_absent(tmp_path: Any) -> None:
    fw = _fw_tree(tmp_path, {"/usr/sbin/ufw": "#!/usr/bin/python3\n"}, {})
    assert fw.facts["none_installed"] is False and fw.facts["installed_traces"] == ["/usr/sbin/ufw"]
    assert evaluate_one(all_checks()["LNX-FW-001"], EvidenceView([fw])).status is Status.MANUAL
    nothing = _fw_tree(tmp_path / "empty", {}, {})
    v = evaluate_one(all_checks()["LNX-FW-001"], EvidenceView([nothing]))
    assert v.status is F and "no host firewall found" in (v.reason or "")


def test_admin_ports_judged_by_the_filter_in_force_not_every_tool() -> None:
    """A left-over legacy iptables table that accepts ssh does not open it: nftables still drops it (netfilter runs both)."""
    assert status_of("debian-hardened-legacy-iptables-accept", "LNX-FW-003") is P
    f = _finding("debian-hardened-legacy-iptables-accept", "LNX-FW-003")
    assert f.observed["filters"] == ["nftables: inet filter input", "iptables: filter INPUT"]
    # both filters admitting ssh from anywhere does open it
    listening = {"sockets": [_sock(22)]}
    both = _fw(
        default_deny_inbound=True,
        input_filters=[
            _filter(True, [{"ports": [22], "source": None, "proto": "tcp"}], ("v4",)),
            _filter(False, [{"ports": [22], "source": None, "proto": "tcp"}], ("v4",)),
        ],
    )
    assert _run("LNX-FW-003", host_firewall=both, host_listening=listening).status is F
    one = _fw(
        default_deny_inbound=True,
        input_filters=[_filter(True, [{"ports": [22], "source": "10.0.0.0/8", "proto": "tcp"}], ("v4",)), _filter(False, [], ("v4",))],
    )
    assert _run("LNX-FW-003", host_firewall=one, host_listening=listening).status is P


def test_custom_firewalld_service_opening_ssh_fails() -> None:
    """openeuler-server with ssh opened through a custom service (corp-ssh.xml, port 22) instead of the stock one."""
    f = _finding("openeuler-server-custom-ssh-service", "LNX-FW-003")
    assert f.status is F and f.observed["unrestricted_ports"] == [22]


def test_firewalld_service_without_a_definition_is_manual() -> None:
    unknown = {"ports": [], "source": None, "proto": "any", "service": "mystery", "ports_unknown": True}
    fw = _fw(default_deny_inbound=True, input_filters=[_filter(True, [unknown])])
    v = _run("LNX-FW-003", host_firewall=fw, host_listening={"sockets": [_sock(22)]})
    assert v.status is Status.MANUAL and v.observed["unknown_services"] == ["mystery"]
