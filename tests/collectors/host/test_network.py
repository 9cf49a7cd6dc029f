"""host.listening and host.firewall: parsers, fixture hosts, garbage, privilege, live sockets."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path
from typing import Any, Dict, Optional

import pytest

from collectors.context import HostContext, LiveProcessView, RecordedProcessView
from collectors.evidence import ErrorReason, Evidence, EvidenceStatus
from collectors.host.network import address_scope, parse_firewalld, parse_iptables, parse_nft, parse_ufw
from collectors.registry import all_collectors, run_collector
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
    text = (HOSTS_DIR / "openeuler-server" / "commands" / "firewall-cmd_--list-all.out").read_text()
    parsed = parse_firewalld(text)
    assert parsed["zone"] == "public" and parsed["target"] == "default"
    assert parsed["services"] == ["dhcpv6-client", "ssh"] and parsed["ports"] == ["8080/tcp"]
    rich = text.replace(
        "  rich rules: \n", '  rich rules: \n\trule family="ipv4" source address="10.1.0.0/16" service name="ssh" accept\n'
    )
    assert {"ports": [22], "source": "10.1.0.0/16", "proto": "any"} in parse_firewalld(rich)["input_accepts"]


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
