"""Fuzzing the firewall parsers: nftables, iptables, ufw and firewalld output, and the nftables ruleset file.

Covered: ``parse_nft`` with its summary (tables, base chains, verdict maps, ct
state, jumps), ``parse_iptables`` (``iptables -S``) with its summary, ``parse_ufw``
(``ufw status verbose``), the firewalld parsers (``--list-all``,
``--list-all-zones``, ``--get-active-zones``) with ``judge_firewalld``, and the
``host.firewall`` collector on an in-memory host (every front end's command,
exit code and stderr; /proc/net tables; the boot-time nftables.conf with
``include``) and over a fixture tree.
"""

from __future__ import annotations

from typing import Dict, Tuple

from hypothesis import example, given
from hypothesis import strategies as st

from collectors.host import network as net
from collectors.runner import CommandResult
from tests.collectors.host.test_fuzz_common import (
    COLLECTOR_EXAMPLES,
    NUMBER,
    Command,
    MemoryHost,
    Tree,
    assert_sound,
    collect_in_memory,
    command,
    fuzz_tree,
    joined,
    lines,
    noise,
    run_on_tree,
    seeded,
    seeded_text,
    text_for,
    word,
)
from tests.fuzzing import fuzz

PORT = st.one_of(NUMBER, word("22", "80", "443", "1000-1002", "1:65535", "0", "65536", "99999-1", "{ 80, 443 }", "{", "}"))
NFT_LINE = st.one_of(
    seeded("commands/nft_list_ruleset.out"),
    st.builds(lambda f, n: f"table {f} {n} {{", word("inet", "ip", "ip6", "arp", "bridge", "netdev"), word("filter", "firewalld", "x")),
    st.builds(lambda n: f"chain {n} {{", word("input", "forward", "INPUT", "ufw-x", "")),
    st.builds(
        lambda h, p: f"type filter hook {h} priority filter; policy {p};",
        word("input", "forward", "output", "prerouting"),
        word("drop", "accept", "reject", ""),
    ),
    joined(
        [
            word("ip saddr 10.0.0.0/8", "ip6 saddr ::1", "iif \"lo\"", "iifname lo", "meta l4proto ipv6-icmp", ""),
            st.one_of(PORT.map(lambda p: f"tcp dport {p}"), word("udp dport", "th dport", "")),
            word("ct state established,related", "ct state new", "ct state != established", "ct state vmap { established : accept, new : drop }", "ct state { new }", "ct state"),
            word("counter packets 1 bytes 2", 'log prefix "x "', 'comment "y"', "jump ufw-input", "goto x", ""),
            word("accept", "drop", "reject", "reject with icmpx type admin-prohibited", "jump", "queue"),
        ]
    ),
    word("}", "}}", "{", "#"),
)
NFT = st.one_of(text_for(NFT_LINE), seeded_text("commands/nft_list_ruleset.out"))
IPT_LINE = st.one_of(
    seeded("commands/iptables_-S.out", "commands/ip6tables_-S.out"),
    st.builds(lambda c, p: f"-P {c} {p}", word("INPUT", "FORWARD", "OUTPUT"), word("DROP", "ACCEPT", "drop", "")),
    joined(
        [
            word("-A", "-N", "-I", "-P"),
            word("INPUT", "FORWARD", "ufw-before-input", "INPUT_direct", "IN_public", ""),
            word("-s 10.0.0.0/8", "-i lo", "! -i lo", "-p tcp", "-p icmp", "-p", "-s", ""),
            word("-m state --state RELATED,ESTABLISHED", "-m conntrack ! --ctstate NEW", "--ctstate", "-m comment --comment x", ""),
            st.one_of(PORT.map(lambda p: f"--dport {p}"), word("--dports 80,443", "-m multiport --dports 1:3", "")),
            word("-j ACCEPT", "-j DROP", "-j REJECT --reject-with icmp-port-unreachable", "-g ufw-x", "-j ufw-before-input", "-j", ""),
        ]
    ),
)
IPT = text_for(IPT_LINE)
UFW_LINE = st.one_of(
    word("Status: active", "Status: inactive", "status:", "Status:"),
    word("Default: deny (incoming), allow (outgoing), disabled (routed)", "Default: reject (incoming)", "Default:", "Default: (incoming)"),
    word("Logging: on (low)", "New profiles: skip", "To Action From", "-- ------ ----"),
    st.builds(
        lambda to, v6, act, src: f"{to}{v6} {act} {src}",
        st.one_of(PORT.map(lambda p: f"{p}/tcp"), word("Anywhere", "22", "OpenSSH", "80,443/tcp")),
        word(" (v6)", ""),
        word("ALLOW IN", "ALLOW", "DENY IN", "LIMIT IN", "REJECT", "ALLOW OUT"),
        word("Anywhere", "Anywhere (v6)", "192.168.1.0/24", ""),
    ),
)
UFW = text_for(UFW_LINE)
ZONE_FIELDS = ("target", "interfaces", "sources", "services", "ports", "forward", "masquerade", "rich rules", "icmp-blocks", "Target")
ZONE_VALUES = (
    "default", "ACCEPT", "%%REJECT%%", "DROP", "eth0", "10.0.0.0/8", "ssh http", "unknown-svc ssh", "22/tcp 1000-1002/udp", "yes",
    'rule family="ipv4" source address="10.0.0.1" port port="22" protocol="tcp" accept',
    'rule source NOT address="1.2.3.4" service name="ssh" accept', 'rule service name="x" drop', "",
)  # fmt: skip
FWD_LINE = st.one_of(
    seeded("commands/firewall-cmd_--list-all-zones.out"),
    word("public (active)", "public (default, active)", "trusted", "block", "dmz (", " ", "(x)"),
    st.builds(lambda k, v: f"  {k}: {v}", word(*ZONE_FIELDS), word(*ZONE_VALUES)),
    word(*ZONE_VALUES).map(lambda v: "\t" + v),
)
FWD_ZONES = st.one_of(text_for(FWD_LINE), seeded_text("commands/firewall-cmd_--list-all-zones.out"))
ACTIVE_LINE = st.one_of(word("public", "trusted", "internal", "x y"), st.builds(lambda k, v: f"  {k}: {v}", word("interfaces", "sources", "x"), word("eth0 eth1", "10.0.0.0/8", "")))
ACTIVE = text_for(ACTIVE_LINE)
ZONE_NAME = word("public", "trusted", "block", "dmz", "", "public\n", "a b", "x" * 300)


# -- pure parsers ------------------------------------------------------------------------------


@given(NFT)
@example("table inet filter {\nchain input {\ntype filter hook input priority 0; policy drop;\ntcp dport 1-99999 accept\n}\n}\n")
@example("table inet filter {\nchain input {\ntype filter hook input priority 0;\nct state vmap { : accept, new }\n")
@fuzz
def test_nft(text: str) -> None:
    parsed = net.parse_nft(text)
    assert parsed["tables"] <= len(text.splitlines())
    for chain in parsed["chains"]:
        assert chain["hook"] in ("input", "forward")
        for a in chain["accepts"]:
            assert all(0 < p < 65536 for p in a["ports"])
    summary = net._nft_summary(parsed)
    assert summary["active"] == (parsed["tables"] > 0 and bool(parsed["chains"]))


@given(IPT)
@example("-P INPUT DROP\n-A INPUT -p tcp --dport 0:99999 -j ACCEPT\n-A INPUT -j\n-A\n")
@fuzz
def test_iptables(text: str) -> None:
    parsed = net.parse_iptables(text)
    assert parsed["recognised"] <= len(text.splitlines())
    summary = net._ipt_summary(parsed)
    if parsed["policies"].get("INPUT") == "DROP" and not any(a.get("unconditional") for a in summary["input_accepts"]):
        assert summary["default_deny"]


@given(UFW)
@fuzz
def test_ufw(text: str) -> None:
    parsed = net.parse_ufw(text)
    assert parsed["status"] is None or parsed["status"] == parsed["status"].lower()
    assert all(all(0 < p < 65536 for p in a["ports"]) for a in parsed["input_accepts"])


@given(FWD_ZONES, ACTIVE, ZONE_NAME)
@example("public\n  target: default\n  rich rules: \n\trule accept\n", "public\n  interfaces: eth0\n", "public")
@example("  target: ACCEPT\n", "  sources: x\n", "")  # fields before any zone header
@fuzz
def test_firewalld(zones_text: str, active_text: str, default: str) -> None:
    single = net.parse_firewalld(zones_text)
    assert single["zone"] is None or single["zone"]
    zones = net.parse_firewalld_zones(zones_text)
    active = net.parse_active_zones(active_text)
    judged = net.judge_firewalld(zones, default, active)
    names = [z["zone"] for z in judged["judged_zones"]]
    assert set(names) <= set(zones) and set(judged["zones_accepting_all"]) <= set(names)
    assert judged["default_deny"] == (bool(names) and not judged["zones_accepting_all"])


# -- the collector in memory and on a tree ---------------------------------------------------------

COMMANDS: Dict[Tuple[str, ...], st.SearchStrategy[str]] = {
    tuple(net.NFT): NFT,
    tuple(net.IPT): IPT,
    tuple(net.IP6T): IPT,
    tuple(net.UFW): UFW,
    tuple(net.FWD_STATE): word("running", "not running", "running\n", ""),
    tuple(net.FWD_DEFAULT): ZONE_NAME,
    tuple(net.FWD_ACTIVE): ACTIVE,
    tuple(net.FWD_ZONES): FWD_ZONES,
}
STDERR = st.one_of(st.just(""), word("Permission denied", "Operation not permitted (you must be root)", "modprobe: FATAL"), noise(40))
NFT_CONF_LINE = st.one_of(NFT_LINE, word('include "/etc/nftables.d/*.nft"', 'include "x.nft"', 'include "/etc/nftables.conf"', 'include ""', "include"))
NFT_CONFS = ("/etc/nftables.conf", "/etc/sysconfig/nftables.conf", "/etc/nftables.d/a.nft", "/etc/x.nft")


def _result(argv: Tuple[str, ...], stdout: str, stderr: str, rc: object) -> CommandResult:
    if rc == "timeout":
        return CommandResult(argv, None, "", error="timed out after 10 s", timed_out=True)
    assert isinstance(rc, int)
    return CommandResult(argv, rc, stdout, stderr)


@st.composite
def firewall_host(draw: st.DrawFn) -> MemoryHost:
    results: Dict[Tuple[str, ...], CommandResult] = {}
    for argv in draw(st.lists(st.sampled_from(list(COMMANDS)), max_size=6, unique=True)):
        rc = draw(st.sampled_from([0, 0, 0, 0, 1, 2, 3, 4, 127, "timeout"]))
        results[argv] = _result(argv, draw(COMMANDS[argv]), draw(STDERR) if rc != 0 else "", rc)
    files: Dict[str, str] = {}
    for path in draw(st.lists(st.sampled_from(NFT_CONFS), max_size=2, unique=True)):
        files[path] = draw(lines(NFT_CONF_LINE, max_lines=6, long=False))
    for path in draw(st.lists(st.sampled_from(list(net.IPT_NAMES.values())), max_size=2, unique=True)):
        files[path] = draw(word("filter", "", "filter\nnat"))
    for path in draw(st.lists(st.sampled_from(["/etc/systemd/system/multi-user.target.wants/nftables.service", "/usr/sbin/ufw", "/etc/firewalld/services/x.xml"]), max_size=2)):
        files[path] = draw(word('<service><port port="22" protocol="tcp"/><include service="x"/></service>', ""))
    return MemoryHost(files, dirs=["/proc/net"] if draw(st.booleans()) else [], commands=results)


def _host(files: Dict[str, str], commands: Dict[Tuple[str, ...], str]) -> MemoryHost:
    return MemoryHost(files, commands={argv: CommandResult(argv, 0, out) for argv, out in commands.items()})


@given(firewall_host())
@example(_host({"/etc/nftables.conf": 'include "/etc/nftables.conf"\ninclude "*"\n'}, {}))  # an include loop, a relative glob
@example(_host({}, {tuple(net.FWD_STATE): "running", tuple(net.FWD_DEFAULT): "public", tuple(net.FWD_ZONES): "public\n  target: default\n"}))
@example(_host({"/proc/net/ip_tables_names": "filter"}, {tuple(net.IPT): "-P INPUT DROP\n-A INPUT -j ufw-x\n", tuple(net.UFW): "Status: active\n"}))
@fuzz_tree(COLLECTOR_EXAMPLES)
def test_firewall_collector(host: MemoryHost) -> None:
    facts = collect_in_memory("host.firewall", host)
    if facts is None:
        return
    assert set(facts["active"]) <= set(facts["installed"])
    assert all(j in facts["input_jumps"] for j in facts["unresolved_jumps"])
    assert facts["default_deny_inbound"] or not any(f["default_deny"] and "v4" in f["families"] for f in facts["input_filters"] if f["via"] != "nftables")


@st.composite
def firewall_tree(draw: st.DrawFn) -> Tree:
    tree = Tree()
    for argv in draw(st.lists(st.sampled_from(list(COMMANDS)), max_size=5, unique=True)):
        tree.commands[argv] = draw(st.one_of(command(COMMANDS[argv]), st.builds(Command, COMMANDS[argv], STDERR, st.sampled_from([0, 1, 4]))))
    for path in draw(st.lists(st.sampled_from(NFT_CONFS), max_size=2, unique=True)):
        tree.files[path] = draw(lines(NFT_CONF_LINE, max_lines=6, long=False))
    if draw(st.booleans()):
        tree.files["/proc/net/ip_tables_names"] = draw(word("filter", ""))
    return tree


@given(firewall_tree(), st.booleans())
@example(Tree(files={"/etc/nftables.conf": 'include "/etc/nftables.conf"\ninclude "*"\n'}), True)
@fuzz_tree()
def test_firewall_collector_on_a_fuzzed_tree(tree: Tree, privileged: bool) -> None:
    assert_sound(run_on_tree("host.firewall", tree, privileged))
