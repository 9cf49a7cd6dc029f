"""ICS gateway checks: exact statuses on the fixture hosts, and edge cases on synthetic evidence."""

from __future__ import annotations

import functools
from typing import Any, Dict, Mapping, Optional, Tuple

import pytest

import checks.host.ics as ics
import collectors.host.ics  # noqa: F401  - registers host.ics_gateway until the lead lists it
from checks.catalogue import all_checks, evaluate
from checks.model import Status
from checks.registry import EvidenceView, evaluate_one
from collectors.catalogue import collect
from collectors.context import load_fixture_context
from collectors.evidence import Evidence, EvidenceStatus
from collectors.profile import Profile
from tests.hosts import HOSTS_DIR

IDS = ("LNX-ICS-001", "LNX-ICS-002", "LNX-ICS-003", "LNX-ICS-004", "LNX-ICS-005")
OT = {"LNX-ICS-002": {"ot_interfaces": ["eth1"]}}
P, F, M, E = Status.PASS, Status.FAIL, Status.MANUAL, Status.ERROR


@functools.cache
def _evidence(host: str, privileged: bool) -> Tuple[Evidence, ...]:
    return tuple(collect(load_fixture_context(HOSTS_DIR / host, privileged=privileged)))


def _statuses(host: str, params: Optional[Mapping[str, Any]] = None, privileged: bool = True) -> Dict[str, Status]:
    found = evaluate(list(_evidence(host, privileged)), profile=Profile.ICS_GATEWAY, params=params)
    return {f.check_id: f.status for f in found if f.check_id in IDS}


EXPECTED = {
    ("ics-gateway", True): (F, F, F, F, F),
    ("ics-gateway", False): (F, F, F, F, F),
    ("ics-gateway-hardened", True): (P, P, P, P, P),
    ("ics-gateway-hardened", False): (P, M, P, P, P),
    ("debian-hardened", False): (P, P, P, P, M),
    ("debian-weak", False): (F, P, F, F, M),
    ("openeuler-server", False): (P, P, P, P, M),
}


@pytest.mark.parametrize(("host", "with_ot"), sorted(EXPECTED))
def test_fixture_statuses(host: str, with_ot: bool) -> None:
    got = _statuses(host, OT if with_ot else None)
    assert tuple(got[i] for i in IDS) == EXPECTED[(host, with_ot)]


def test_every_check_passes_somewhere_and_fails_elsewhere() -> None:
    gw, ok = _statuses("ics-gateway", OT), _statuses("ics-gateway-hardened", OT)
    for cid in IDS:
        assert gw[cid] is F and ok[cid] is P, cid


def test_unprivileged_replay_never_passes_integrity_on_unreadable_files() -> None:
    got = _statuses("ics-gateway-hardened", OT, privileged=False)
    assert got["LNX-ICS-005"] is M
    assert got["LNX-ICS-001"] is E  # nft ruleset needs root: an error, never a pass
    assert _statuses("ics-gateway", OT, privileged=False)["LNX-ICS-005"] is F  # a found mismatch still fails


def test_profiles_and_metadata() -> None:
    registered = all_checks()
    for cid in IDS:
        meta = registered[cid].meta
        assert meta.profiles == ("ics-gateway",) and meta.level == "host"
    assert registered["LNX-ICS-002"].meta.params == {"ot_interfaces": []}
    assert not set(IDS) & {f.check_id for f in evaluate(list(_evidence("ics-gateway", True)))}  # not in "server"


# -- synthetic evidence --------------------------------------------------------


def _ev(name: str, facts: Mapping[str, Any]) -> Evidence:
    return Evidence(collector=name, target="t", status=EvidenceStatus.OK, facts=dict(facts), sources=())


def _run(cid: str, *evs: Evidence, params: Optional[Mapping[str, Any]] = None) -> Tuple[Status, Optional[str]]:
    f = evaluate_one(all_checks()[cid], EvidenceView(evs), params)
    return f.status, f.reason


def _sysctl(v4: str = "1") -> Evidence:
    return _ev(
        "host.sysctl", {"keys": {"net.ipv4.ip_forward": {"runtime": v4}, "net.ipv6.conf.all.forwarding": {"runtime": "0"}}}
    )


def _ipt(default_deny: bool, watched: Any) -> Evidence:
    fwd = {"chain_present": True, "default_deny": default_deny, "watched_ports_allowed": watched}
    return _ev("host.firewall", {"backends": {"iptables": {"installed": True, "active": True, "forward": fwd}}})


def test_forwarding_iptables_summary() -> None:
    assert _run("LNX-ICS-001", _sysctl(), _ipt(False, []))[0] is F
    status, reason = _run("LNX-ICS-001", _sysctl(), _ipt(True, [80]))
    assert status is F and "80/http" in str(reason) and "443" not in str(reason)
    # The iptables summary watches every port the boundary rule names, so a drop policy settles it.
    assert _run("LNX-ICS-001", _sysctl(), _ipt(True, []))[0] is P
    assert _run("LNX-ICS-001", _sysctl("0"), _ipt(False, []))[0] is P


def test_forwarding_without_any_filter_or_with_firewalld() -> None:
    assert _run("LNX-ICS-001", _sysctl(), _ev("host.firewall", {"backends": {}}))[0] is F
    fwd = _ev("host.firewall", {"backends": {"firewalld": {"installed": True, "active": True}}})
    assert _run("LNX-ICS-001", _sysctl(), fwd)[0] is M


def test_nft_drop_in_one_table_blocks_open_chain_in_another() -> None:
    chains = [
        {"family": "ip", "hook": "forward", "default_deny": False, "accepts": []},
        {"family": "inet", "hook": "forward", "default_deny": True, "accepts": [{"ports": [4840]}]},
    ]
    fw = _ev("host.firewall", {"backends": {"nftables": {"installed": True, "chains": chains}}})
    assert _run("LNX-ICS-001", _sysctl(), fw)[0] is P
    chains[1]["accepts"] = [{"ports": [4840, 21]}]
    assert _run("LNX-ICS-001", _sysctl(), fw) == (F, "forwarding is on (v4) and the forward filter lets through: 21/ftp")


def _gw(listeners: Any, ifaces: Optional[Dict[str, Any]] = None, integrity: Optional[Dict[str, Any]] = None) -> Evidence:
    return _ev(
        "host.ics_gateway",
        {
            "interfaces": {"interfaces": ifaces if ifaces is not None else {"lo": [], "eth0": [], "eth1": []}},
            "industrial": {"listeners": listeners},
            "integrity": integrity or {},
        },
    )


def _l(scope: str, interfaces: Any, address: str = "x") -> Dict[str, Any]:
    return {"port": 502, "protocol": "Modbus/TCP", "address": address, "scope": scope, "interfaces": interfaces}


def test_industrial_port_decisions() -> None:
    assert _run("LNX-ICS-002", _gw([]))[0] is P
    assert _run("LNX-ICS-002", _gw([_l("loopback", ["lo"])]))[0] is P
    assert _run("LNX-ICS-002", _gw([_l("specific", ["eth0"])]))[0] is M
    assert _run("LNX-ICS-002", _gw([_l("specific", ["eth0"])]), params={"ot_interfaces": ["eth1"]})[0] is F
    one_nic: Dict[str, Any] = {"lo": [], "eth0": []}
    assert _run("LNX-ICS-002", _gw([_l("wildcard", ["eth0", "lo"])], one_nic))[0] is M
    assert _run("LNX-ICS-002", _gw([_l("wildcard", ["eth0", "lo"])], one_nic), params={"ot_interfaces": ["eth0"]})[0] is P
    assert _run("LNX-ICS-002", _gw([]), params={"ot_interfaces": ["eth9"]})[0] is E
    assert _run("LNX-ICS-002", _ev("host.ics_gateway", {"industrial": {"error": "x"}, "interfaces": {}}))[0] is E


def test_integrity_decisions() -> None:
    base = {"supported": True, "packages": ["sudo"], "files_checked": 5, "mismatches": [], "missing": []}
    assert _run("LNX-ICS-005", _gw([], integrity=base))[0] is P
    assert _run("LNX-ICS-005", _gw([], integrity={**base, "truncated": True, "limit_hit": "files", "not_checked": 9}))[0] is M
    missing = {**base, "missing": [{"path": "/usr/bin/sudo", "package": "sudo"}]}
    assert _run("LNX-ICS-005", _gw([], integrity=missing))[0] is F
    assert _run("LNX-ICS-005", _gw([], integrity={"supported": False, "reason": "r"}))[0] is M
    status, reason = _run("LNX-ICS-005", _gw([], integrity={"error": "/var/lib/dpkg/info/sudo.md5sums: line 1: bad"}))
    assert status is E and "sudo.md5sums" in str(reason)
    assert _run("LNX-ICS-005", _gw([], integrity={**base, "packages": []}))[0] is M


def test_remote_tools_include_tunnels() -> None:
    ra = _ev("host.remote_access", {"remote_tools": [], "tunnel_tools": [{"tool": "frp client"}]})
    assert _run("LNX-ICS-004", ra) == (F, "remote-access software on the ICS gateway: frp client")
    assert ics.FORBIDDEN_PORTS[513] == "rlogin"


def test_sshd_on_tcp_2222_is_not_an_industrial_listener() -> None:
    """ics-gateway-hardened with a second sshd on TCP 0.0.0.0:2222: SSH, not EtherNet/IP I/O (UDP 2222)."""
    for privileged in (True, False):
        found = evaluate(list(_evidence("ics-gateway-hardened-sshd-2222", privileged)), profile=Profile.ICS_GATEWAY, params=OT)
        f = next(f for f in found if f.check_id == "LNX-ICS-002")
        assert f.status is P, f.reason
        assert f.observed["not_industrial"] == [
            "tcp 0.0.0.0:2222 (sshd): TCP 2222 is not an industrial service port (EtherNet/IP (I/O) use another transport)"
        ]


def test_udp_2222_from_an_industrial_program_on_the_it_side_fails() -> None:
    listener = {
        "port": 2222,
        "protocol": "EtherNet/IP (I/O)",
        "proto": "udp",
        "address": "0.0.0.0",
        "scope": "wildcard",
        "interfaces": ["eth0", "eth1", "lo"],
        "process": "opener",
    }
    assert _run("LNX-ICS-002", _gw([listener]), params={"ot_interfaces": ["eth1"]})[0] is F
