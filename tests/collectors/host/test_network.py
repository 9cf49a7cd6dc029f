"""host.listening and host.firewall: parsers, fixture hosts, garbage, privilege, live sockets."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path
from typing import Any, Dict, Optional

import pytest

from collectors.catalogue import all_collectors
from collectors.context import HostContext, LiveProcessView, RecordedProcessView
from collectors.evidence import ErrorReason, Evidence, EvidenceStatus
from collectors.host.network import (
    address_scope,
    parse_active_zones,
    parse_firewalld,
    parse_firewalld_zones,
    parse_iptables,
    parse_nft,
    parse_ufw,
)
from collectors.registry import run_collector
from collectors.runner import RecordedRunner, SystemRunner, recording_name
from tests.hosts import HOSTS_DIR, evidence_map


def _ctx(tmp_path: Path, commands: Dict[str, str], system: Optional[Dict[str, Any]] = None) -> HostContext:
    cmd_dir = tmp_path / "commands"
    cmd_dir.mkdir(exist_ok=True)
    for argv, out in commands.items():
        (cmd_dir / (recording_name(argv.split()) + ".out")).write_text(out)
    (tmp_path / "root").mkdir(exist_ok=True)
    return HostContext(
        root=tmp_path / "root",
        runner=RecordedRunner(cmd_dir),
        processes=RecordedProcessView(system or {}),
        target="t",
        privileged=True,
    )


def _legacy_loaded(tmp_path: Path) -> None:
    """/proc/net/ip_tables_names as on a host whose legacy filter table is loaded."""
    (tmp_path / "root" / "proc" / "net").mkdir(parents=True, exist_ok=True)
    (tmp_path / "root" / "proc" / "net" / "ip_tables_names").write_text("filter\n")


def _collect(name: str, ctx: HostContext) -> Evidence:
    return run_collector(all_collectors()[name], ctx)


NFT_SAMPLE = (HOSTS_DIR / "debian-hardened" / "commands" / "nft_list_ruleset.out").read_text()


def test_parse_nft_real_ruleset() -> None:
    parsed = parse_nft(NFT_SAMPLE)
    assert parsed["tables"] == 1
    inp = next(c for c in parsed["chains"] if c["hook"] == "input")
    assert inp["policy"] == "drop" and inp["default_deny"] and inp["family"] == "inet"
    # loopback, conntrack and ICMP accepts are not counted as openings
    assert inp["accepts"] == [
        {"ports": [22], "source": "10.20.0.0/16", "proto": "any"},
        {"ports": [80, 443], "source": None, "proto": "any"},
    ]


def test_parse_nft_final_drop_rule_and_ip_family() -> None:
    text = (
        "table ip filter {\n\tchain INPUT {\n\t\ttype filter hook input priority filter; policy accept;\n"
        "\t\ttcp dport 22 accept\n\t\tcounter packets 10 bytes 600 drop\n\t}\n}\n"
    )
    chain = parse_nft(text)["chains"][0]
    assert chain["policy"] == "accept" and chain["default_deny"] is True
    accept_only = text.replace("\t\tcounter packets 10 bytes 600 drop\n", "")
    assert parse_nft(accept_only)["chains"][0]["default_deny"] is False


def test_parse_iptables() -> None:
    text = (
        "-P INPUT ACCEPT\n-P FORWARD DROP\n-P OUTPUT ACCEPT\n-A INPUT -i lo -j ACCEPT\n"
        "-A INPUT -s 10.0.0.0/8 -p tcp -m tcp --dport 22 -j ACCEPT\n-A INPUT -j REJECT --reject-with icmp-host-prohibited\n"
    )
    parsed = parse_iptables(text)
    assert parsed["policies"] == {"INPUT": "ACCEPT", "FORWARD": "DROP", "OUTPUT": "ACCEPT"}
    assert len(parsed["rules"]["INPUT"]) == 3
    from collectors.host.network import _ipt_summary

    s = _ipt_summary(parsed)
    assert s["default_deny"] is True and s["active"] is True
    assert s["input_accepts"] == [{"ports": [22], "source": "10.0.0.0/8", "proto": "tcp"}]
    assert s["forward"]["default_deny"] is True and s["forward"]["watched_ports_allowed"] == []


def test_parse_ufw() -> None:
    text = (
        "Status: active\nLogging: on (low)\nDefault: deny (incoming), allow (outgoing), disabled (routed)\n"
        "New profiles: skip\n\nTo                         Action      From\n--                         ------      ----\n"
        "22/tcp                     ALLOW IN    192.168.1.0/24\n443/tcp                    ALLOW IN    Anywhere\n"
        "443/tcp (v6)               ALLOW IN    Anywhere (v6)\n"
    )
    parsed = parse_ufw(text)
    assert parsed["status"] == "active" and parsed["default_incoming"] == "deny"
    assert {"ports": [22], "source": "192.168.1.0/24", "proto": "any"} in parsed["input_accepts"]
    assert {"ports": [443], "source": None, "proto": "any"} in parsed["input_accepts"]
    assert parse_ufw("Status: inactive\n")["status"] == "inactive"


def test_parse_firewalld_real_output() -> None:
    text = (HOSTS_DIR / "openeuler-server" / "commands" / "firewall-cmd_--list-all-zones.out").read_text()
    zones = parse_firewalld_zones(text)
    assert {"block", "drop", "public", "trusted", "internal"} <= set(zones)
    assert zones["public"]["flags"] == ["default", "active"] and zones["trusted"]["fields"]["target"] == "ACCEPT"
    public = text[text.index("public (default") :].split("\n\n")[0] + "\n"
    parsed = parse_firewalld(public)
    assert parsed["zone"] == "public" and parsed["target"] == "default"
    assert parsed["services"] == ["dhcpv6-client", "ssh"] and parsed["ports"] == ["8080/tcp"]
    rich = public.replace(
        "  rich rules: \n", '  rich rules: \n\trule family="ipv4" source address="10.1.0.0/16" service name="ssh" accept\n'
    )
    assert {"ports": [22], "source": "10.1.0.0/16", "proto": "any", "service": "ssh", "zone": "public"} in parse_firewalld(
        rich
    )["input_accepts"]
    active = parse_active_zones((HOSTS_DIR / "openeuler-server" / "commands" / "firewall-cmd_--get-active-zones.out").read_text())
    assert active == {
        "internal": {"interfaces": [], "sources": ["10.8.0.0/16"]},
        "public": {"interfaces": ["ens33"], "sources": []},
    }
    assert parse_active_zones("public (default)\n  interfaces: eth0\n")["public"]["interfaces"] == ["eth0"]


@pytest.mark.parametrize(
    "addr,scope",
    [
        ("0.0.0.0", "wildcard"),
        ("::", "wildcard"),
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),
        ("10.1.2.3", "specific"),
        ("fe80::1%eth0", "specific"),
    ],
)
def test_address_scope(addr: str, scope: str) -> None:
    assert address_scope(addr) == scope


def test_fixture_firewalls() -> None:
    hard = evidence_map("debian-hardened")["host.firewall"]
    assert hard.status is EvidenceStatus.OK and hard.method == "nftables"
    assert hard.facts["default_deny_inbound"] is True and hard.facts["default_deny_inbound_v6"] is True
    weak = evidence_map("debian-weak")["host.firewall"].facts
    assert weak["installed"] == ["iptables", "ip6tables"] and weak["active"] == []
    assert weak["default_deny_inbound"] is False
    assert weak["backends"]["iptables"]["forward"]["default_deny"] is False
    oe = evidence_map("openeuler-server")["host.firewall"].facts
    assert oe["backends"]["firewalld"]["target"] == "default" and oe["default_deny_inbound"] is True


def test_unprivileged_firewall_is_permission_error() -> None:
    for host in ("debian-hardened", "debian-weak"):
        ev = evidence_map(host, privileged=False)["host.firewall"]
        assert ev.status is EvidenceStatus.ERROR
        assert ev.error_reason is ErrorReason.PERMISSION_DENIED
        assert "root" in (ev.reason or "")


def test_no_firewall_installed(tmp_path: Path) -> None:
    ev = _collect("host.firewall", _ctx(tmp_path, {}))
    assert ev.status is EvidenceStatus.OK
    assert ev.facts["none_installed"] is True and ev.facts["default_deny_inbound"] is False


def test_garbage_nft_output_is_malformed_error(tmp_path: Path) -> None:
    garbage = os.urandom(2048).decode("latin-1")
    ev = _collect("host.firewall", _ctx(tmp_path, {"nft list ruleset": garbage}))
    assert ev.status is EvidenceStatus.ERROR and ev.error_reason is ErrorReason.MALFORMED
    assert "nft list ruleset" in (ev.reason or "")


def test_garbage_nft_with_working_deny_elsewhere(tmp_path: Path) -> None:
    ctx = _ctx(tmp_path, {"nft list ruleset": "\x01\x02junk\n", "iptables -S": "-P INPUT DROP\n"})
    _legacy_loaded(tmp_path)
    ev = _collect("host.firewall", ctx)
    assert ev.status is EvidenceStatus.OK and ev.facts["default_deny_inbound"] is True
    assert ev.facts["unreadable"] == ["nftables"]


def test_listening_facts_and_unattributed(tmp_path: Path) -> None:
    system = {
        "listening": [
            {"proto": "tcp", "address": "0.0.0.0", "port": 22, "pid": 10, "process": "sshd", "user": "root"},
            {"proto": "tcp", "address": "0.0.0.0", "port": 22, "pid": 10, "process": "sshd", "user": "root"},
            {"proto": "tcp6", "address": "::", "port": 8080, "pid": None, "process": None, "user": None},
        ]
    }
    ev = _collect("host.listening", _ctx(tmp_path, {}, system))
    assert ev.facts["count"] == 2  # duplicates folded
    assert ev.facts["attribution_complete"] is False and ev.facts["unattributed"] == 1
    assert "PID namespace" in ev.facts["attribution_note"]  # privileged: not a lack of root
    assert [s["scope"] for s in ev.facts["sockets"]] == ["wildcard", "wildcard"]


def test_fixture_listening_scopes() -> None:
    socks = evidence_map("debian-hardened")["host.listening"].facts["sockets"]
    pg = [s for s in socks if s["port"] == 5432]
    assert {s["scope"] for s in pg} == {"loopback"} and pg[0]["user"] == "postgres"
    json.dumps(socks)  # plain JSON


@pytest.mark.live
def test_live_listener_is_found() -> None:
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        srv.bind(("127.0.0.1", 0))
        srv.listen(1)
        port = srv.getsockname()[1]
        ctx = HostContext(root=Path("/"), runner=SystemRunner(), processes=LiveProcessView(), target="live", privileged=False)
        ev = _collect("host.listening", ctx)
        assert ev.status is EvidenceStatus.OK
        import psutil

        me = psutil.Process().name()
        mine = [s for s in ev.facts["sockets"] if s["port"] == port]
        assert mine and mine[0]["process"] == me and mine[0]["pid"] == os.getpid()
        assert mine[0]["scope"] == "loopback"
    finally:
        srv.close()


# -- regressions: connection-state accepts, jumps, firewalld zones, legacy iptables ----------

RHEL_IPTABLES = (
    "-P INPUT DROP\n-P FORWARD DROP\n-P OUTPUT ACCEPT\n"
    "-A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT\n-A INPUT -i lo -j ACCEPT\n"
    "-A INPUT -p tcp -m state --state NEW -m tcp --dport 22 -j ACCEPT\n"
    "-A INPUT -p tcp -m conntrack --ctstate NEW -m tcp --dport 3389 -j ACCEPT\n"
)


def test_iptables_state_new_rules_are_openings() -> None:
    from collectors.host.network import _ipt_summary

    s = _ipt_summary(parse_iptables(RHEL_IPTABLES))
    assert s["default_deny"] is True
    assert [(a["ports"], a["source"], a["ct_state"]) for a in s["input_accepts"]] == [
        ([22], None, ["new"]),
        ([3389], None, ["new"]),
    ]
    bare = _ipt_summary(parse_iptables("-P INPUT DROP\n-A INPUT -m conntrack --ctstate NEW,ESTABLISHED -j ACCEPT\n"))
    assert bare["input_accepts"][0]["unconditional"] is True and bare["default_deny"] is False


def test_nft_ct_state_new_rules_are_openings() -> None:
    head = "table inet filter {\n\tchain input {\n\t\ttype filter hook input priority filter; policy drop;\n"
    rules = (
        "\t\tct state { established, related } accept\n\t\tct state vmap { invalid : drop, established : accept, related : accept }\n"
        "\t\ttcp dport 22 ct state new accept\n\t}\n}\n"
    )
    chain = parse_nft(head + rules)["chains"][0]
    assert chain["default_deny"] is True
    assert chain["accepts"] == [{"ports": [22], "source": None, "proto": "any", "ct_state": ["new"]}]
    bare = parse_nft(head + "\t\tct state new counter packets 3 bytes 180 accept\n\t}\n}\n")["chains"][0]
    assert bare["accepts"][0]["ports"] == [] and bare["accepts"][0]["unconditional"] is True
    assert bare["default_deny"] is False
    vmap_new = parse_nft(head + "\t\tct state vmap { established : accept, new : accept }\n\t}\n}\n")["chains"][0]
    assert vmap_new["accepts"][0]["ports"] == [] and vmap_new["default_deny"] is False


def test_jumps_to_user_chains_are_recorded(tmp_path: Path) -> None:
    nft = (
        "table inet filter {\n\tchain input {\n\t\ttype filter hook input priority filter; policy drop;\n"
        '\t\tiifname "eth0" jump admin_in\n\t}\n\tchain admin_in {\n\t\ttcp dport 22 accept\n\t}\n}\n'
    )
    ipt = "-P INPUT DROP\n-N SSH-IN\n-A INPUT -p tcp -j SSH-IN\n-A INPUT -g OTHER\n"
    _legacy_loaded(tmp_path)
    ev = _collect("host.firewall", _ctx(tmp_path, {"nft list ruleset": nft, "iptables -S": ipt}))
    assert ev.status is EvidenceStatus.OK
    targets = [(j["via"], j["target"]) for j in ev.facts["unresolved_jumps"]]
    assert targets == [("nftables", "admin_in"), ("iptables", "OTHER"), ("iptables", "SSH-IN")]


def test_iptables_not_run_when_legacy_tables_not_loaded(tmp_path: Path) -> None:
    ctx = _ctx(tmp_path, {"iptables -S": RHEL_IPTABLES, "ip6tables -S": "-P INPUT DROP\n"})
    (tmp_path / "root" / "proc" / "net").mkdir(parents=True)
    (tmp_path / "root" / "proc" / "net" / "ip_tables_names").write_text("")  # iptables-nft host: empty
    (tmp_path / "root" / "usr" / "sbin").mkdir(parents=True)
    (tmp_path / "root" / "usr" / "sbin" / "iptables").write_text("")
    ev = _collect("host.firewall", ctx)
    assert ev.status is EvidenceStatus.OK
    assert not any("iptables" in getattr(s, "argv", ()) or "ip6tables" in getattr(s, "argv", ()) for s in ev.sources)
    ipt = ev.facts["backends"]["iptables"]
    assert ipt["legacy_tables_loaded"] is False and "ip_tables_names" in ipt["note"]
    assert ev.facts["installed"] == ["iptables"] and ev.facts["default_deny_inbound"] is False
    _legacy_loaded(tmp_path)
    assert _collect("host.firewall", ctx).facts["default_deny_inbound"] is True


def _firewalld_ctx(tmp_path: Path, default: str, active: str, zones: str) -> HostContext:
    return _ctx(
        tmp_path,
        {
            "firewall-cmd --state": "running\n",
            "firewall-cmd --get-default-zone": default + "\n",
            "firewall-cmd --get-active-zones": active,
            "firewall-cmd --list-all-zones": zones,
        },
    )


def _zone(header: str, target: str = "default", interfaces: str = "", sources: str = "", services: str = "") -> str:
    return (
        f"{header}\n  target: {target}\n  icmp-block-inversion: no\n  interfaces: {interfaces}\n  sources: {sources}\n"
        f"  services: {services}\n  ports: \n  protocols: \n  forward: yes\n  masquerade: no\n  forward-ports: \n"
        "  source-ports: \n  icmp-blocks: \n  rich rules: \n\n"
    )


def test_firewalld_interface_in_trusted_zone_accepts_everything(tmp_path: Path) -> None:
    zones = _zone("public (default, active)", interfaces="ens33", services="ssh") + _zone(
        "trusted (active)", "ACCEPT", interfaces="ens34"
    )
    active = "public\n  interfaces: ens33\ntrusted\n  interfaces: ens34\n"
    ev = _collect("host.firewall", _firewalld_ctx(tmp_path, "public", active, zones))
    assert ev.status is EvidenceStatus.OK
    assert ev.facts["default_deny_inbound"] is False
    assert ev.facts["backends"]["firewalld"]["zones_accepting_all"] == ["trusted"]
    assert {
        "ports": [],
        "source": None,
        "proto": "any",
        "unconditional": True,
        "zone": "trusted",
        "via": "firewalld",
    } in ev.facts["input_accepts"]


def test_firewalld_default_zone_sources_do_not_restrict(tmp_path: Path) -> None:
    zones = _zone("public (default, active)", interfaces="ens33", sources="10.0.0.0/8", services="ssh") + _zone(
        "internal (active)", sources="10.8.0.0/16", services="ssh"
    )
    zones += _zone("trusted (active)", "ACCEPT", sources="10.9.0.0/24")
    active = (
        "internal\n  sources: 10.8.0.0/16\npublic\n  interfaces: ens33\n  sources: 10.0.0.0/8\ntrusted\n  sources: 10.9.0.0/24\n"
    )
    ev = _collect("host.firewall", _firewalld_ctx(tmp_path, "public", active, zones))
    acc = {(a["zone"], a["source"]) for a in ev.facts["input_accepts"]}
    assert acc == {("public", None), ("internal", "10.8.0.0/16"), ("trusted", "10.9.0.0/24")}
    assert ev.facts["default_deny_inbound"] is True  # a source-only trusted zone admits only its sources


def test_firewalld_garbage_zones_is_malformed(tmp_path: Path) -> None:
    ev = _collect("host.firewall", _firewalld_ctx(tmp_path, "public", "", "\x00garbage\n"))
    assert ev.status is EvidenceStatus.ERROR and ev.error_reason is ErrorReason.MALFORMED
    assert "--list-all-zones" in (ev.reason or "")


def test_firewalld_services_resolve_from_their_definitions_and_unknown_ones_stay(tmp_path: Path) -> None:
    """A custom service's ports come from its XML; one defined nowhere stays as an opening of unknown ports, never dropped."""
    from collectors.context import HostReader
    from collectors.host.network import firewalld_service_ports, judge_firewalld

    root = tmp_path / "root"
    (root / "etc/firewalld/services").mkdir(parents=True)
    (root / "etc/firewalld/services/corp-ssh.xml").write_text(
        '<service><port protocol="tcp" port="22"/><port protocol="tcp" port="8000-8002"/></service>\n'
    )
    reader = HostReader(_ctx(tmp_path, {}))
    known = firewalld_service_ports(reader, ["corp-ssh", "ssh", "mystery"])
    assert known == {"corp-ssh": [22, 8000, 8001, 8002], "ssh": [22]}
    zones = parse_firewalld_zones("public (default, active)\n  target: default\n  interfaces: eth0\n  services: corp-ssh mystery\n")
    accepts = judge_firewalld(zones, "public", {}, known)["input_accepts"]
    assert {"ports": [22, 8000, 8001, 8002], "source": None, "proto": "any", "service": "corp-ssh", "zone": "public"} in accepts
    assert {"ports": [], "source": None, "proto": "any", "service": "mystery", "ports_unknown": True, "zone": "public"} in accepts


def test_address_is_public() -> None:
    from collectors.host.network import address_is_public

    assert address_is_public("58.215.30.17") and address_is_public("2001:4860::8888")
    assert not any(address_is_public(a) for a in ("10.1.2.3", "192.168.0.1", "172.16.0.1", "100.64.0.1", "fe80::1", "127.0.0.1"))
    assert address_is_public("::ffff:58.215.30.17") and not address_is_public("not-an-address")
