"""Listening sockets and the host firewall.

Sockets come from the process view (psutil live). The firewall is read from
whichever front end is installed (nftables, iptables, ufw, firewalld); in
netfilter a drop in any input hook is final, so inbound default deny holds
when any one of them shows it, and a port is open only where every input
filter lets it in (``input_filters``: the openings are an intersection, not
a union of every tool's accepts). When the nft command is not available, the
ruleset file nftables.service loads at boot is judged instead, and the facts
say so (``configured_only``): a command that cannot be run is not a firewall
that is not installed. In an offline root (no command runs there) every
front end is judged from what its unit loads at boot: the nftables ruleset
file, the saved iptables rules, ufw's configuration and rules, firewalld's
zones, each counted only when its unit is enabled. Forwarding rules are
recorded only coarsely, for the later industrial-network (ICS) work.
"""

from __future__ import annotations

import ipaddress
import posixpath
import re
from typing import Any, Dict, List, Literal, Mapping, Optional, Tuple, TypedDict, cast

from collectors.context import OFFLINE_ROOT, HostReader, ListeningSocket, runtime_only
from collectors.evidence import CollectError, ErrorReason, NotApplicable
from collectors.facts import CollectedFacts, FactsKey
from collectors.host.services import enabled_at_boot
from collectors.registry import collector
from collectors.runner import CommandResult

# -- facts shapes --------------------------------------------------------------------

Scope = Literal["wildcard", "loopback", "specific"]


class SocketFacts(TypedDict):
    """One listening socket; ``pid``, ``process`` and ``user`` are None when the owner is not visible."""

    proto: str  # tcp, tcp6, udp, udp6
    address: str
    port: int
    pid: Optional[int]
    process: Optional[str]
    user: Optional[str]
    scope: Scope


class _ListeningBase(CollectedFacts):
    sockets: List[SocketFacts]
    count: int
    attribution_complete: bool
    unattributed: int
    privileged: bool


class ListeningFacts(_ListeningBase, total=False):
    """host.listening; ``attribution_note`` only when some socket has no visible owner."""

    attribution_note: str


class _RuleBase(TypedDict):
    ports: List[int]  # empty: every port
    source: Optional[str]  # None: any source address
    proto: str


class AcceptRule(_RuleBase, total=False):
    """An opening an input (or forward) rule makes; the optional keys appear only where they apply."""

    ct_state: List[str]  # the rule's connection-state match (nftables, iptables)
    unconditional: bool  # the rule lets in everything that reaches it
    zone: str  # firewalld zone
    service: str  # firewalld service the opening comes from
    ports_unknown: bool  # a firewalld service whose definition was not found: ``ports`` says nothing


class Jump(TypedDict):
    """A jump from an input chain to another chain, whose rules are not analysed."""

    table: str
    chain: str
    target: str


class ForwardFacts(TypedDict):
    """Coarse forward-filter summary (nftables, iptables)."""

    chain_present: bool
    default_deny: bool
    watched_ports_allowed: List[int]  # subset of FORWARD_WATCH_PORTS
    analysis: str


class NftChain(TypedDict):
    """An nftables input or forward base chain."""

    family: str
    table: str
    name: str
    hook: str  # input or forward
    policy: str
    rules: int
    default_deny: bool
    accepts: List[AcceptRule]
    jumps: List[str]


class NftRuleset(TypedDict):
    """:func:`parse_nft`: table count and input/forward base chains."""

    tables: int
    chains: List[NftChain]


class _NftSummary(TypedDict):
    active: bool
    input_jumps: List[Jump]
    default_deny_v4: bool
    default_deny_v6: bool
    input_accepts: List[AcceptRule]
    forward: ForwardFacts


class IptablesRuleset(TypedDict):
    """:func:`parse_iptables`: policies, INPUT/FORWARD rules as argv lists, user chains, recognised lines."""

    policies: Dict[str, str]
    rules: Dict[str, List[List[str]]]
    user_chains: List[str]
    recognised: int


class _IptSummary(TypedDict):
    active: bool
    default_deny: bool
    input_policy: Optional[str]
    input_rules: int
    input_accepts: List[AcceptRule]
    input_jumps: List[Jump]
    forward: ForwardFacts


class UfwStatus(TypedDict):
    """:func:`parse_ufw`; ``status`` None when there is no ``Status:`` line."""

    status: Optional[str]
    default_incoming: Optional[str]
    input_accepts: List[AcceptRule]


class _ZoneBase(TypedDict):
    zone: str
    target: Optional[str]  # lower case
    interfaces: List[str]
    sources: List[str]
    services: List[str]
    ports: List[str]
    forward: Optional[str]
    masquerade: Optional[str]
    input_accepts: List[AcceptRule]


class FirewalldZone(_ZoneBase):
    """A firewalld zone traffic can land in."""

    default: bool
    source_only: bool  # bound to sources only: restricts who reaches it
    denies_by_default: bool


class _ZoneBlock(TypedDict):
    flags: List[str]
    fields: Dict[str, str]
    rich: List[str]


class JudgedFirewalld(TypedDict):
    """:func:`judge_firewalld`."""

    default_zone: str
    judged_zones: List[FirewalldZone]
    zones_accepting_all: List[str]
    input_accepts: List[AcceptRule]
    default_deny: bool


class _ProbeStatus(TypedDict):
    installed: bool


class ProbeStatus(_ProbeStatus, total=False):
    """Every installed front end; a problem key means its ruleset keys are partly or wholly absent."""

    permission_denied: bool
    malformed: str
    error: str


class NftablesBackend(ProbeStatus, total=False):
    firewalld_table: str  # only while firewalld runs: its table is judged by zone
    ruleset_file: str  # only when nft was not available: the ruleset judged is the boot-time file
    unit_enabled: bool  # with ruleset_file: whether nftables.service loads it at boot
    note: str
    tables: int
    chains: List[NftChain]
    active: bool
    input_jumps: List[Jump]
    default_deny_v4: bool
    default_deny_v6: bool
    input_accepts: List[AcceptRule]
    forward: ForwardFacts


class IptablesBackend(ProbeStatus, total=False):
    """iptables or ip6tables; with no legacy table loaded only active, default_deny, legacy_tables_loaded and note."""

    ruleset_file: str  # offline root: the saved ruleset its unit restores at boot
    unit_enabled: bool  # with ruleset_file: whether that unit is enabled
    active: bool
    default_deny: bool
    legacy_tables_loaded: bool
    note: str
    input_policy: Optional[str]
    input_rules: int
    input_accepts: List[AcceptRule]
    input_jumps: List[Jump]
    forward: ForwardFacts


class UfwBackend(ProbeStatus, total=False):
    ruleset_file: str  # offline root: ufw's configuration judged instead of ``ufw status``
    unit_enabled: bool
    note: str
    active: bool
    default_incoming: Optional[str]
    default_deny: bool
    input_accepts: List[AcceptRule]


class FirewalldBackend(ProbeStatus, total=False):
    """firewalld; the default zone's own settings (zone ... masquerade) stay at the top."""

    ruleset_file: str  # offline root: the default zone's definition judged instead of firewall-cmd
    unit_enabled: bool
    note: str
    active: bool
    state: str
    default_deny: bool
    zone: str
    target: Optional[str]
    interfaces: List[str]
    sources: List[str]
    services: List[str]
    ports: List[str]
    forward: Optional[str]
    masquerade: Optional[str]
    unknown_services: List[str]
    default_zone: str
    judged_zones: List[FirewalldZone]
    zones_accepting_all: List[str]
    input_accepts: List[AcceptRule]


class FirewallBackends(TypedDict, total=False):
    """The installed front ends, in probe order."""

    nftables: NftablesBackend
    iptables: IptablesBackend
    ip6tables: IptablesBackend
    ufw: UfwBackend
    firewalld: FirewalldBackend


class InputAccept(AcceptRule):
    via: str  # the front end


class InputFilter(TypedDict):
    """One input filter a packet has to pass (an nftables input chain, iptables INPUT, a ufw or firewalld ruleset).

    netfilter runs every input hook: a packet reaches a service only when every
    filter of its family lets it through, so the openings of the host are the
    intersection over the filters, not the union.
    """

    via: str  # the front end
    name: str  # chain or ruleset
    families: List[str]  # "v4", "v6"
    default_deny: bool
    accepts: List[AcceptRule]  # its own openings, plus those of front ends its jumps lead to


class InputJump(Jump):
    via: str
    explained_by: Optional[str]  # the front end whose own report covers the target chain


class FirewallFacts(CollectedFacts):
    """host.firewall: the verdict over all readable front ends, and each front end's own report."""

    installed: List[str]
    none_installed: bool
    active: List[str]
    default_deny_inbound: bool
    default_deny_inbound_v6: bool
    input_accepts: List[InputAccept]
    input_filters: List[InputFilter]
    input_jumps: List[InputJump]
    unresolved_jumps: List[InputJump]
    unreadable: List[str]
    configured_only: List[str]  # front ends judged from their boot-time configuration, not their running state
    installed_traces: List[str]  # firewall programs, ruleset files and units found on disk
    backends: FirewallBackends


LISTENING = FactsKey[ListeningFacts]("host.listening", ListeningFacts)
FIREWALL = FactsKey[FirewallFacts]("host.firewall", FirewallFacts)

# -- listening sockets ---------------------------------------------------------------


def address_scope(address: str) -> Scope:
    """``wildcard`` (all interfaces), ``loopback`` or ``specific``."""
    addr = address.split("%", 1)[0]
    if addr in ("0.0.0.0", "::", "*", ""):  # noqa: S104 - classifying, not binding
        return "wildcard"
    try:
        ip = ipaddress.ip_address(addr)
    except ValueError:
        return "specific"
    mapped = getattr(ip, "ipv4_mapped", None)
    if mapped is not None:
        ip = mapped
    if ip.is_loopback:
        return "loopback"
    if ip.is_unspecified:
        return "wildcard"
    return "specific"


def address_is_public(address: str) -> bool:
    """Whether a specific bind address is globally routable (not private, loopback, link-local or reserved)."""
    addr = address.split("%", 1)[0]
    try:
        ip = ipaddress.ip_address(addr)
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)
    if mapped is not None:
        ip = mapped
    return bool(ip.is_global)


def _socket_row(s: ListeningSocket) -> SocketFacts:
    return {
        "proto": s.proto,
        "address": s.address,
        "port": int(s.port),
        "pid": s.pid,
        "process": s.process,
        "user": s.user,
        "scope": address_scope(s.address),
    }


@collector(LISTENING, "Listening TCP and bound UDP sockets with owning process and user")
def collect_listening(host: HostReader) -> ListeningFacts:
    if host.offline_root:
        raise NotApplicable(runtime_only("the socket table"))
    rows: Dict[Tuple[str, str, int, Optional[int]], SocketFacts] = {}
    for s in host.listening():
        row = _socket_row(s)
        rows[(row["proto"], row["address"], row["port"], row["pid"])] = row
    if not rows and not host.processes():
        # no socket and no process: nothing running was observed, which is not "nothing listens"
        raise CollectError(ErrorReason.NOT_FOUND, "no socket table: no running system was observed (an offline tree or a disk image)")
    sockets = sorted(rows.values(), key=lambda r: (r["port"], r["proto"], r["address"]))
    unattributed = [r for r in sockets if r["pid"] is None or not r["process"]]
    facts: ListeningFacts = {
        "_method": "socket table",
        "sockets": sockets,
        "count": len(sockets),
        "attribution_complete": not unattributed,
        "unattributed": len(unattributed),
        "privileged": host.ctx.privileged,
    }
    if unattributed:
        facts["attribution_note"] = f"{len(unattributed)} socket(s) have no visible owning process; " + (
            "they belong to a process outside this PID namespace (container host, sandbox) or to the kernel"
            if host.ctx.privileged
            else "without root the owners of other users' sockets are not visible"
        )
    return facts


# -- firewall: shared helpers ---------------------------------------------------

NFT = ["nft", "list", "ruleset"]
IPT = ["iptables", "-S"]
IP6T = ["ip6tables", "-S"]
UFW = ["ufw", "status", "verbose"]
FWD_STATE = ["firewall-cmd", "--state"]
FWD_DEFAULT = ["firewall-cmd", "--get-default-zone"]
FWD_ACTIVE = ["firewall-cmd", "--get-active-zones"]
FWD_ZONES = ["firewall-cmd", "--list-all-zones"]
IPT_NAMES = {"iptables": "/proc/net/ip_tables_names", "ip6tables": "/proc/net/ip6_tables_names"}

# Ports whose crossing of a forwarding firewall matters for later ICS zoning work.
FORWARD_WATCH_PORTS = (20, 21, 23, 25, 80, 110, 143, 443, 465, 513, 514, 587, 993, 995, 8080)

_PERM_RE = re.compile(
    r"permission denied|operation not permitted|must be root|need to be root|requires root|not authorized|authorization failed",
    re.I,
)


def _denied(res: CommandResult) -> bool:
    return res.exit_code not in (0, None) and bool(_PERM_RE.search(res.stderr + " " + res.stdout))


def _ports(spec: str) -> List[int]:
    """``22``, ``{ 80, 443 }``, ``22,80``, ``1000-1002``/``1000:1002`` -> ports (ranges capped)."""
    out: List[int] = []
    for tok in re.split(r"[\s,{}]+", spec):
        m = re.fullmatch(r"(\d{1,5})(?:[-:](\d{1,5}))?", tok)
        if not m:
            continue
        lo = int(m.group(1))
        hi = int(m.group(2)) if m.group(2) else lo
        if hi - lo > 1024:
            hi = lo + 1024
        out.extend(p for p in range(lo, hi + 1) if 0 < p < 65536)
    return out


def _rule(ports: List[int], source: Optional[str], proto: str = "any") -> AcceptRule:
    return {"ports": ports, "source": source, "proto": proto}


# -- nftables ------------------------------------------------------------------

_NFT_TABLE = re.compile(r"^table\s+(\w+)\s+(\S+)\s*\{")
_NFT_CHAIN = re.compile(r"^chain\s+(\S+)\s*\{")
_NFT_HOOK = re.compile(r"type\s+\w+\s+hook\s+(\w+)")
_NFT_POLICY = re.compile(r"policy\s+(\w+)")
_NFT_NOISE = re.compile(r'\bcounter(\s+packets\s+\d+\s+bytes\s+\d+)?|\blog(\s+prefix\s+"[^"]*")?(\s+level\s+\w+)?')
_NFT_DPORT = re.compile(r"\b(?:tcp|udp|th)\s+dport\s+(\{[^}]*\}|\S+)")
_NFT_SADDR = re.compile(r"\bip6?\s+saddr\s+(\{[^}]*\}|\S+)")
_NFT_PASSIVE = re.compile(r'\biif(?:name)?\s+"?lo"?|\bicmp|\bl4proto\s+ipv6-icmp|\bnexthdr\s+ipv6-icmp')
_NFT_CT_STATE = re.compile(r"\bct\s+state\s+(!=\s*)?(vmap\s+)?(\{[^}]*\}|\S+)")
_NFT_JUMP = re.compile(r"\b(jump|goto)\s+([A-Za-z0-9_.-]+)")
_NFT_COMMENT = re.compile(r'\bcomment\s+"[^"]*"')
# Connection states that only let replies to already accepted traffic through.
_REPLY_STATES = frozenset({"established", "related"})


def _is_terminal_deny(rule: str) -> bool:
    stripped = _NFT_NOISE.sub(" ", rule).strip()
    return stripped in ("drop", "reject") or stripped.startswith("reject with")


# nftables table family -> the IP versions its chains see.
NFT_FAMILIES: Dict[str, Tuple[str, ...]] = {"ip": ("v4",), "ip6": ("v6",), "inet": ("v4", "v6")}


def _families(family: str) -> Tuple[str, ...]:
    return NFT_FAMILIES.get(family, ())


def _nft_accept_states(rule: str) -> Optional[List[str]]:
    """States a ``ct state`` match lets through to ``accept`` (None: no ct state match).

    A vmap lists its own verdict per state; ``!=`` inverts the set, so it is
    treated as matching new connections too.
    """
    m = _NFT_CT_STATE.search(rule)
    if not m:
        return None
    body = m.group(3).strip("{} ")
    if m.group(2):  # vmap { established : accept, new : drop, ... }
        states = []
        for item in body.split(","):
            key, _, verdict = item.partition(":")
            if verdict.strip() == "accept":
                states.append(key.strip())
        return states
    states = [t for t in re.split(r"[\s,]+", body) if t]
    return ["new", *states] if m.group(1) else states


def _nft_rule_accepts(rule: str) -> Optional[AcceptRule]:
    """The opening an input rule makes, or None when it opens nothing new."""
    states = _nft_accept_states(rule)
    vmap_accept = states is not None and "vmap" in rule and bool(states)
    if not (re.search(r"\baccept\b", rule) or vmap_accept) or _NFT_PASSIVE.search(rule):
        return None
    if states is not None and set(states) <= _REPLY_STATES:
        return None
    d = _NFT_DPORT.search(rule)
    s = _NFT_SADDR.search(rule)
    out = _rule(_ports(d.group(1)) if d else [], s.group(1) if s else None)
    rest = _NFT_COMMENT.sub(" ", _NFT_NOISE.sub(" ", _NFT_CT_STATE.sub(" ", rule))).split()
    if states is not None:
        out["ct_state"] = sorted(states)
    if rest == ["accept"] or (vmap_accept and not rest):
        out["unconditional"] = True  # e.g. a bare "ct state new accept": everything is let in
    return out


class _NftRawChain(TypedDict):
    family: str
    table: str
    name: str
    hook: Optional[str]  # None: a regular chain, reached only by jumps
    policy: str
    rules: List[str]


def parse_nft(text: str) -> NftRuleset:
    """Input/forward base chains of ``nft list ruleset`` with policy and accept rules.

    Jumps to other chains are recorded, not followed: what the target chain
    accepts depends on the jump's own match, which is not modelled here.
    """
    chains: List[_NftRawChain] = []
    family = ""
    table = ""
    chain: Optional[_NftRawChain] = None
    tables = 0
    for line in text.splitlines():
        line = line.strip()
        m = _NFT_TABLE.match(line)
        if m:
            family, table, tables, chain = m.group(1), m.group(2), tables + 1, None
            continue
        m = _NFT_CHAIN.match(line)
        if m and tables:
            chain = {"family": family, "table": table, "name": m.group(1), "hook": None, "policy": "accept", "rules": []}
            chains.append(chain)
            continue
        if chain is None or not line or line.startswith("#"):
            continue
        if line == "}":
            chain = None
            continue
        h = _NFT_HOOK.search(line)
        if h:
            chain["hook"] = h.group(1)
            p = _NFT_POLICY.search(line)
            if p:
                chain["policy"] = p.group(1)
            continue
        chain["rules"].append(line)
    result: NftRuleset = {"tables": tables, "chains": []}
    for c in chains:
        hook = c["hook"]
        if hook not in ("input", "forward"):
            continue
        last = c["rules"][-1] if c["rules"] else ""
        accepts = [a for a in (_nft_rule_accepts(r) for r in c["rules"]) if a is not None]
        open_all = any(a.get("unconditional") for a in accepts)
        deny = (c["policy"] == "drop" or _is_terminal_deny(last)) and not open_all
        jumps = sorted({j.group(2) for r in c["rules"] for j in _NFT_JUMP.finditer(r)})
        result["chains"].append(
            {
                "family": c["family"],
                "table": c["table"],
                "name": c["name"],
                "hook": hook,
                "policy": c["policy"],
                "rules": len(c["rules"]),
                "default_deny": deny,
                "accepts": accepts,
                "jumps": jumps,
            }
        )
    return result


def _nft_summary(parsed: NftRuleset) -> _NftSummary:
    inputs = [c for c in parsed["chains"] if c["hook"] == "input"]
    forwards = [c for c in parsed["chains"] if c["hook"] == "forward"]
    deny = {fam: any(c["default_deny"] for c in inputs if fam in _families(c["family"])) for fam in ("v4", "v6")}
    accepts = [a for c in inputs for a in c["accepts"]]
    fwd_open = [a for c in forwards for a in c["accepts"]]
    jumps: List[Jump] = [
        {"table": f"{c['family']} {c['table']}", "chain": c["name"], "target": j} for c in inputs for j in c["jumps"]
    ]
    return {
        "active": parsed["tables"] > 0 and bool(parsed["chains"]),
        "input_jumps": jumps,
        "default_deny_v4": deny["v4"],
        "default_deny_v6": deny["v6"],
        "input_accepts": accepts,
        "forward": _forward(
            bool(forwards) and all(c["default_deny"] for c in forwards) if forwards else False,
            fwd_open,
            has_chain=bool(forwards),
        ),
    }


def _forward(deny: bool, accepts: List[AcceptRule], has_chain: bool = True) -> ForwardFacts:
    open_all = any(not a["ports"] for a in accepts)
    watched = sorted({p for a in accepts for p in a["ports"] if p in FORWARD_WATCH_PORTS})
    return {
        "chain_present": has_chain,
        "default_deny": deny,
        "watched_ports_allowed": list(FORWARD_WATCH_PORTS) if (not deny or open_all) else watched,
        "analysis": "coarse (for later ICS zoning work)",
    }


# -- iptables ------------------------------------------------------------------


def parse_iptables(text: str) -> IptablesRuleset:
    """``iptables -S`` (filter table): policies, user chains and INPUT/FORWARD rules."""
    policies: Dict[str, str] = {}
    rules: Dict[str, List[List[str]]] = {"INPUT": [], "FORWARD": []}
    user_chains: List[str] = []
    recognised = 0
    for line in text.splitlines():
        parts = line.split()
        if not parts or parts[0].startswith("#"):
            continue
        if parts[0] == "-P" and len(parts) == 3:
            policies[parts[1]] = parts[2].upper()
            recognised += 1
        elif parts[0] == "-A" and len(parts) >= 2:
            recognised += 1
            if parts[1] in rules:
                rules[parts[1]].append(parts[2:])
        elif parts[0] == "-N":
            recognised += 1
            if len(parts) >= 2:
                user_chains.append(parts[1])
    return {"policies": policies, "rules": rules, "user_chains": user_chains, "recognised": recognised}


def _opt(parts: List[str], *names: str) -> Optional[str]:
    for i, tok in enumerate(parts[:-1]):
        if tok in names:
            return parts[i + 1]
    return None


def _ipt_states(rule: List[str]) -> Optional[List[str]]:
    """States of a ``-m state --state`` / ``-m conntrack --ctstate`` match; a negated one counts as NEW."""
    for i, tok in enumerate(rule[:-1]):
        if tok in ("--state", "--ctstate"):
            states = [s.lower() for s in rule[i + 1].split(",") if s]
            negated = i > 0 and rule[i - 1] == "!"
            return ["new", *states] if negated else states
    return None


# Matches that do not narrow which new connections a rule lets in.
_IPT_NEUTRAL = {"-m": 1, "--state": 1, "--ctstate": 1, "--comment": 1, "-j": 1}


def _ipt_unconditional(rule: List[str]) -> bool:
    i, rest = 0, []
    while i < len(rule):
        if rule[i] in _IPT_NEUTRAL:
            i += 1 + _IPT_NEUTRAL[rule[i]]
            continue
        rest.append(rule[i])
        i += 1
    return not rest


def _ipt_accepts(rules: List[List[str]]) -> List[AcceptRule]:
    out: List[AcceptRule] = []
    for r in rules:
        if _opt(r, "-j") != "ACCEPT":
            continue
        if _opt(r, "-i") == "lo" or _opt(r, "-p") in ("icmp", "ipv6-icmp", "icmpv6"):
            continue
        states = _ipt_states(r)
        if states is not None and set(states) <= _REPLY_STATES:
            continue  # replies to connections accepted elsewhere
        dport = _opt(r, "--dport", "--dports", "--destination-port", "--destination-ports")
        row = _rule(_ports(dport) if dport else [], _opt(r, "-s", "--source"), _opt(r, "-p") or "any")
        if states is not None:
            row["ct_state"] = sorted(states)
        if _ipt_unconditional(r):
            row["unconditional"] = True
        out.append(row)
    return out


def _ipt_jumps(rules: List[List[str]], user_chains: List[str]) -> List[str]:
    targets = set()
    for r in rules:
        j = _opt(r, "-j")
        if j in user_chains:
            targets.add(str(j))
        g = _opt(r, "-g", "--goto")
        if g:
            targets.add(g)
    return sorted(targets)


def _ipt_terminal_deny(rules: List[List[str]]) -> bool:
    if not rules:
        return False
    last = rules[-1]
    target = _opt(last, "-j")
    matches = [t for t in last if t.startswith("-") and t not in ("-j", "--reject-with")]
    return target in ("DROP", "REJECT") and not matches


def _ipt_summary(parsed: IptablesRuleset) -> _IptSummary:
    pol = parsed["policies"]
    inp = parsed["rules"]["INPUT"]
    fwd = parsed["rules"]["FORWARD"]
    accepts = _ipt_accepts(inp)
    open_all = any(a.get("unconditional") for a in accepts)
    deny = (pol.get("INPUT") == "DROP" or _ipt_terminal_deny(inp)) and not open_all
    fwd_deny = pol.get("FORWARD") == "DROP" or _ipt_terminal_deny(fwd)
    user_chains = parsed.get("user_chains", [])
    return {
        "active": bool(inp) or pol.get("INPUT", "ACCEPT") != "ACCEPT",
        "default_deny": deny,
        "input_policy": pol.get("INPUT"),
        "input_rules": len(inp),
        "input_accepts": accepts,
        "input_jumps": [{"table": "filter", "chain": "INPUT", "target": t} for t in _ipt_jumps(inp, user_chains)],
        "forward": _forward(fwd_deny, _ipt_accepts(fwd)),
    }


# -- ufw -----------------------------------------------------------------------

_UFW_RULE = re.compile(r"^(\S+)\s+(?:\(v6\)\s+)?(ALLOW|DENY|REJECT|LIMIT)(?:\s+IN)?\s+(.+?)\s*$")


def parse_ufw(text: str) -> UfwStatus:
    """``ufw status verbose``: active flag, default incoming policy, allow rules."""
    status = None
    incoming = None
    accepts: List[AcceptRule] = []
    for line in text.splitlines():
        line = line.strip()
        if line.lower().startswith("status:"):
            status = line.split(":", 1)[1].strip().lower()
        elif line.lower().startswith("default:"):
            m = re.search(r"(\w+)\s*\(incoming\)", line)
            incoming = m.group(1).lower() if m else None
        else:
            m = _UFW_RULE.match(line)
            if m and m.group(2) in ("ALLOW", "LIMIT"):
                src = m.group(3).replace("(v6)", "").strip()
                ports = _ports(m.group(1).split("/")[0]) if m.group(1) != "Anywhere" else []
                accepts.append(_rule(ports, None if src.startswith("Anywhere") else src))
    return {"status": status, "default_incoming": incoming, "input_accepts": accepts}


# -- firewalld -------------------------------------------------------------------

# firewalld service name -> ports, for the services admins open most often.
FIREWALLD_SERVICES: Dict[str, List[int]] = {
    "ssh": [22],
    "http": [80],
    "https": [443],
    "telnet": [23],
    "ftp": [21],
    "tftp": [69],
    "mysql": [3306],
    "postgresql": [5432],
    "redis": [6379],
    "vnc-server": list(range(5900, 5904)),
    "rdp": [3389],
    "samba": [139, 445],
    "nfs": [2049],
    "rpc-bind": [111],
    "cockpit": [9090],
    "dhcpv6-client": [546],
    "mdns": [5353],
    "snmp": [161],
    "mongodb": [27017],
    "elasticsearch": [9200],
    "memcache": [11211],
    "samba-client": [137, 138],
    "dhcp": [67],
    "dns": [53],
}


_FWD_DENY_TARGETS = ("default", "%%reject%%", "reject", "drop")


def _firewalld_blocks(text: str) -> List[Tuple[str, List[str], Dict[str, str], List[str]]]:
    """Split ``--list-all``/``--list-all-zones`` output into (zone, header flags, fields, rich rules)."""
    blocks: List[Tuple[str, List[str], Dict[str, str], List[str]]] = []
    in_rich = False
    for raw in text.splitlines():
        if not raw.strip():
            continue
        if not raw.startswith((" ", "\t")):
            head = raw.strip()
            flags = re.findall(r"\w+", head[head.find("(") :]) if "(" in head else []
            blocks.append((head.split()[0], flags, {}, []))
            in_rich = False
            continue
        if not blocks:
            continue
        _, _, fields, rich = blocks[-1]
        line = raw.strip()
        key, sep, value = line.partition(":")
        if sep and re.fullmatch(r"[a-z0-9 -]+", key):
            fields[key] = value.strip()
            in_rich = key == "rich rules"
            if in_rich and value.strip():
                rich.append(value.strip())
        elif in_rich:
            rich.append(line)
    return blocks


ServicePorts = Mapping[str, List[int]]


def _service_rule(name: str, source: Optional[str], services: ServicePorts) -> AcceptRule:
    """The opening a firewalld service makes; a service without a known definition opens unknown ports."""
    ports = services.get(name)
    if ports is None:
        return {**_rule([], source), "service": name, "ports_unknown": True}
    return {**_rule(list(ports), source), "service": name}


def _rich_services(rich: List[str]) -> List[str]:
    return [m.group(1) for r in rich for m in re.finditer(r'service name="([^"]+)"', r)]


def _zone_accepts(
    fields: Dict[str, str], rich: List[str], src: Optional[str], services: ServicePorts = FIREWALLD_SERVICES
) -> List[AcceptRule]:
    """Openings of one zone; ``src`` is the zone's source restriction (None: anyone reaching it).

    ``services`` maps service names to their ports (the definitions read from the
    host, else the built-in table); a service missing there stays in the list
    with ``ports_unknown``: dropping it would hide what it opens.
    """
    accepts: List[AcceptRule] = []
    for svc in fields.get("services", "").split():
        accepts.append(_service_rule(svc, src, services))
    for p in fields.get("ports", "").split():
        accepts.append(_rule(_ports(p.split("/")[0]), src))
    for r in rich:
        if not re.search(r"\baccept\b", r):
            continue
        sm = re.search(r'source address="([^"]+)"', r)
        if sm and re.search(r"source\s+NOT\s+address", r, re.I):
            sm = None  # "everyone except ..." is not a restriction
        pm = re.search(r'port port="([^"]+)"', r)
        svm = re.search(r'service name="([^"]+)"', r)
        source = sm.group(1) if sm else src
        if pm:
            accepts.append(_rule(_ports(pm.group(1)), source))
        elif svm:
            accepts.append(_service_rule(svm.group(1), source, services))
        else:
            accepts.append(_rule([], source))
    return accepts


def _unknown_services(services: List[str], known: ServicePorts = FIREWALLD_SERVICES) -> List[str]:
    """firewalld services whose ports are not known (their openings cannot be judged)."""
    return [s for s in services if s not in known]


def _zone_facts(
    name: str, fields: Dict[str, str], rich: List[str], src: Optional[str], known: ServicePorts = FIREWALLD_SERVICES
) -> _ZoneBase:
    services = fields.get("services", "").split()
    target = fields.get("target", "").lower() or None
    accepts = _zone_accepts(fields, rich, src, known)
    if target == "accept":  # the trusted zone: everything that reaches the zone is let in
        accepts.insert(0, {**_rule([], src), "unconditional": src is None})
    for a in accepts:
        a["zone"] = name
    return {
        "zone": name,
        "target": target,
        "interfaces": fields.get("interfaces", "").split(),
        "sources": fields.get("sources", "").split(),
        "services": services,
        "ports": fields.get("ports", "").split(),
        "forward": fields.get("forward"),
        "masquerade": fields.get("masquerade"),
        "input_accepts": accepts,
    }


def parse_firewalld(text: str) -> Dict[str, Any]:
    """The first zone of ``firewall-cmd --list-all`` (the default zone), sources not applied."""
    blocks = _firewalld_blocks(text)
    name, _flags, fields, rich = blocks[0] if blocks else ("", [], {}, [])
    zone = _zone_facts(name, fields, rich, None)
    out: Dict[str, Any] = {**zone, "unknown_services": _unknown_services(zone["services"]), "recognised": "target" in fields}
    if not blocks:
        out["zone"] = None
    return out


def parse_firewalld_zones(text: str) -> Dict[str, _ZoneBlock]:
    """``firewall-cmd --list-all-zones``: zone -> raw fields, rich rules and header flags."""
    return {name: {"flags": flags, "fields": fields, "rich": rich} for name, flags, fields, rich in _firewalld_blocks(text)}


def parse_active_zones(text: str) -> Dict[str, Dict[str, List[str]]]:
    """``firewall-cmd --get-active-zones``: zone -> interfaces and sources bound at runtime."""
    out: Dict[str, Dict[str, List[str]]] = {}
    current: Optional[Dict[str, List[str]]] = None
    for raw in text.splitlines():
        if not raw.strip():
            continue
        if not raw.startswith((" ", "\t")):
            current = out.setdefault(raw.split()[0], {"interfaces": [], "sources": []})
            continue
        key, sep, value = raw.strip().partition(":")
        if sep and current is not None and key in ("interfaces", "sources"):
            current[key].extend(value.split())
    return out


def judge_firewalld(
    zones: Dict[str, _ZoneBlock],
    default_zone: str,
    active: Dict[str, Dict[str, List[str]]],
    services: ServicePorts = FIREWALLD_SERVICES,
) -> JudgedFirewalld:
    """Every zone traffic can land in: the default zone and every zone with interfaces or sources.

    Sources restrict a zone only when it is not the default zone and has no
    interfaces: unbound interfaces fall into the default zone whatever its
    sources say, and an interface binding admits anyone on that interface.
    """
    judged: List[FirewalldZone] = []
    for name, z in zones.items():
        fields = dict(z["fields"])
        bound = active.get(name, {"interfaces": [], "sources": []})
        ifaces = sorted(set(fields.get("interfaces", "").split()) | set(bound["interfaces"]))
        sources = sorted(set(fields.get("sources", "").split()) | set(bound["sources"]))
        if name != default_zone and not ifaces and not sources:
            continue
        fields["interfaces"], fields["sources"] = " ".join(ifaces), " ".join(sources)
        source_only = name != default_zone and not ifaces
        zone = _zone_facts(name, fields, z["rich"], ",".join(sources) if source_only else None, services)
        judged.append(
            {
                **zone,
                "default": name == default_zone,
                "source_only": source_only,
                "denies_by_default": zone["target"] in _FWD_DENY_TARGETS,
            }
        )
    open_zones = [z["zone"] for z in judged if not z["source_only"] and not z["denies_by_default"]]
    return {
        "default_zone": default_zone,
        "judged_zones": judged,
        "zones_accepting_all": open_zones,
        "input_accepts": [a for z in judged for a in z["input_accepts"]],
        "default_deny": bool(judged) and not open_zones,
    }


# -- firewall: offline root --------------------------------------------------------

# The saved rulesets the boot-time units restore: Debian's netfilter-persistent, the RHEL family's iptables services.
IPT_SAVED: Dict[str, Tuple[Tuple[str, str], ...]] = {
    "iptables": (("/etc/iptables/rules.v4", "netfilter-persistent.service"), ("/etc/sysconfig/iptables", "iptables.service")),
    "ip6tables": (("/etc/iptables/rules.v6", "netfilter-persistent.service"), ("/etc/sysconfig/ip6tables", "ip6tables.service")),
}
UFW_CONF = "/etc/ufw/ufw.conf"
UFW_DEFAULTS = "/etc/default/ufw"
UFW_USER_RULES = ("/etc/ufw/user.rules", "/etc/ufw/user6.rules")
FIREWALLD_CONF = "/etc/firewalld/firewalld.conf"
# Zone definitions; /etc overrides the shipped one of the same name.
FIREWALLD_ZONE_DIRS: Tuple[str, ...] = ("/etc/firewalld/zones", "/usr/lib/firewalld/zones")


def iptables_save_rules(text: str) -> str:
    """The filter table of an ``iptables-save`` file as ``iptables -S`` prints it (policies, chains, rules)."""
    out: List[str] = []
    table: Optional[str] = None
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("*"):
            table = line[1:].strip()
        elif table != "filter" or not line or line.startswith("#") or line == "COMMIT":
            continue
        elif line.startswith(":"):
            parts = line[1:].split()
            if len(parts) >= 2:
                out.append(f"-N {parts[0]}" if parts[1] == "-" else f"-P {parts[0]} {parts[1]}")
        elif line.startswith("-A "):
            out.append(line)
    return "\n".join(out)


def _ipt_from_file(host: HostReader, probe: _Probe, name: str) -> None:
    """Offline root: the saved ruleset its unit restores at boot; its rules count only when that unit is enabled."""
    for path, unit in IPT_SAVED[name]:
        if not host.exists(path):
            continue
        probe.installed = True
        try:
            text = host.read_text(path) or ""
        except CollectError as exc:
            probe.error = f"{path} could not be read: {exc.message}"
            return
        content = [ln for ln in text.splitlines() if ln.strip() and not ln.strip().startswith("#")]
        if content and not any(ln.strip().startswith("*") for ln in content):
            probe.malformed = f"{path}: line {_first_garbage_line(text)}: no '*table' line: not an iptables-save file"
            return
        enabled = enabled_at_boot(host, unit)
        facts: Dict[str, Any] = {
            "ruleset_file": path,
            "unit_enabled": enabled,
            "note": f"{OFFLINE_ROOT}: judged from {path}"
            + (f", which the enabled {unit} restores at boot" if enabled else f"; {unit} is not enabled, so nothing restores it"),
        }
        if enabled:
            facts.update(_ipt_summary(parse_iptables(iptables_save_rules(text))))
        else:
            facts.update(active=False, default_deny=False)
        probe.facts = facts
        return
    if any(host.exists(d + name) for d in ("/usr/sbin/", "/sbin/")):
        probe.installed = True
        saved = ", ".join(p for p, _ in IPT_SAVED[name])
        probe.facts = {
            "active": False,
            "default_deny": False,
            "note": f"{OFFLINE_ROOT}: {name} is installed but there is no saved ruleset ({saved}): nothing loads rules at boot",
        }


_UFW_POLICY = {"drop": "deny", "reject": "reject", "accept": "allow"}
_UFW_ANYWHERE = ("0.0.0.0/0", "::/0")


def _shell_value(text: str, key: str) -> Optional[str]:
    """``KEY=value`` (quotes removed) of a shell-style configuration file; the last assignment wins."""
    found = None
    for m in re.finditer(rf"^\s*{key}\s*=\s*(\S*)", text, re.M):
        found = m.group(1).strip("\"'")
    return found


def parse_ufw_tuples(text: str) -> List[AcceptRule]:
    """Inbound allow/limit rules from the ``### tuple ###`` lines ufw keeps in user.rules (what ``ufw status`` lists).

    A tuple is ``action proto dport dst sport src [dapp sapp] direction``.
    """
    accepts: List[AcceptRule] = []
    for m in re.finditer(r"^### tuple ### (.+)$", text, re.M):
        parts = m.group(1).split()
        if len(parts) < 7 or not parts[-1].startswith("in") or parts[0].split("-", 1)[0] not in ("allow", "limit"):
            continue
        proto, dport, src = parts[1], parts[2], parts[5]
        accepts.append(_rule([] if dport == "any" else _ports(dport), None if src in _UFW_ANYWHERE else src, proto))
    return accepts


def _ufw_from_files(host: HostReader, probe: _Probe) -> None:
    """Offline root: ufw loads its rules at boot when ufw.conf says ENABLED=yes and ufw.service is enabled."""
    conf = host.read_text(UFW_CONF)
    if conf is None and not host.exists("/usr/sbin/ufw"):
        return
    probe.installed = True
    enabled_conf = (_shell_value(conf or "", "ENABLED") or "no").lower() == "yes"
    unit = enabled_at_boot(host, "ufw.service")
    policy = _shell_value(host.read_text(UFW_DEFAULTS) or "", "DEFAULT_INPUT_POLICY")
    incoming = _UFW_POLICY.get((policy or "").lower())
    active = enabled_conf and unit
    accepts = [a for path in UFW_USER_RULES for a in parse_ufw_tuples(host.read_text(path) or "")] if active else []
    why = "ENABLED=yes in ufw.conf and ufw.service enabled" if active else (
        "ENABLED is not yes in ufw.conf" if not enabled_conf else "ufw.service is not enabled"
    )
    probe.facts = {
        "ruleset_file": UFW_CONF,
        "unit_enabled": unit,
        "note": f"{OFFLINE_ROOT}: judged from {UFW_CONF}, {UFW_DEFAULTS} and {', '.join(UFW_USER_RULES)} ({why})",
        "active": active,
        "default_incoming": incoming,
        "default_deny": active and incoming in ("deny", "reject"),
        "input_accepts": accepts,
    }


_XML_TOKEN = re.compile(r"<(/?)([A-Za-z][\w.-]*)\b([^>]*?)(/?)>")
_XML_ATTRS = re.compile(r"""([\w.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def _attrs(raw: str) -> Dict[str, str]:
    return {m.group(1): m.group(2) if m.group(2) is not None else m.group(3) for m in _XML_ATTRS.finditer(raw)}


def parse_firewalld_zone_xml(text: str) -> _ZoneBlock:
    """A firewalld zone file as the fields ``firewall-cmd --list-all-zones`` prints for it (rich rules as text).

    A scan of the tags, not an XML parser: the file comes from the image, and no entity is ever expanded.
    """
    text = re.sub(r"<!--.*?-->", " ", text, flags=re.S)
    fields: Dict[str, List[str]] = {"services": [], "ports": [], "interfaces": [], "sources": []}
    target = "default"
    forward = masquerade = "no"
    rich: List[str] = []
    rule: Optional[List[str]] = None
    for m in _XML_TOKEN.finditer(text):
        closing, tag, attrs = m.group(1), m.group(2), _attrs(m.group(3))
        if tag == "rule":
            if closing:
                if rule is not None:
                    rich.append(" ".join(rule))
                rule = None
            else:
                rule = ["rule"] + ([f'family="{attrs["family"]}"'] if "family" in attrs else [])
                if m.group(4):  # <rule/>: empty
                    rich.append(" ".join(rule))
                    rule = None
            continue
        if closing:
            continue
        if rule is not None:
            if tag == "source" and "address" in attrs:
                invert = attrs.get("invert", "").lower() in ("true", "yes", "1")
                rule.append(f'source {"NOT " if invert else ""}address="{attrs["address"]}"')
            elif tag == "service" and "name" in attrs:
                rule.append(f'service name="{attrs["name"]}"')
            elif tag == "port" and "port" in attrs:
                rule.append(f'port port="{attrs["port"]}" protocol="{attrs.get("protocol", "tcp")}"')
            elif tag in ("accept", "reject", "drop", "mark"):
                rule.append(tag)
        elif tag == "zone":
            target = attrs.get("target", target) or "default"
        elif tag == "service" and "name" in attrs:
            fields["services"].append(attrs["name"])
        elif tag == "port" and "port" in attrs:
            fields["ports"].append(f'{attrs["port"]}/{attrs.get("protocol", "tcp")}')
        elif tag == "interface" and "name" in attrs:
            fields["interfaces"].append(attrs["name"])
        elif tag == "source" and "address" in attrs:
            fields["sources"].append(attrs["address"])
        elif tag == "forward":
            forward = "yes"
        elif tag == "masquerade":
            masquerade = "yes"
    out = {k: " ".join(v) for k, v in fields.items()}
    return {"flags": [], "fields": {"target": target, **out, "forward": forward, "masquerade": masquerade}, "rich": rich}


def _firewalld_from_files(host: HostReader, probe: _Probe) -> None:
    """Offline root: firewalld's configured zones, when firewalld.service is enabled (no runtime binding applies)."""
    zone_files: Dict[str, str] = {}
    for d in reversed(FIREWALLD_ZONE_DIRS):
        for path in host.glob(d + "/*.xml"):
            zone_files[path.rsplit("/", 1)[-1][: -len(".xml")]] = path
    conf = host.read_text(FIREWALLD_CONF)
    if conf is None and not zone_files and not host.exists("/usr/sbin/firewalld"):
        return
    probe.installed = True
    enabled = enabled_at_boot(host, "firewalld.service")
    default_zone = _shell_value(conf or "", "DefaultZone") or "public"
    base: Dict[str, Any] = {"unit_enabled": enabled, "state": "not running (offline-root)"}
    if not enabled:
        probe.facts = {
            **base,
            "active": False,
            "default_deny": False,
            "note": f"{OFFLINE_ROOT}: firewalld.service is not enabled, so its zones are not loaded at boot",
        }
        return
    if not re.fullmatch(r"[A-Za-z0-9_+.-]+", default_zone) or default_zone not in zone_files:
        probe.malformed = f"{FIREWALLD_CONF}: DefaultZone={default_zone[:40]}, but no such zone in {', '.join(FIREWALLD_ZONE_DIRS)}"
        return
    zones: Dict[str, _ZoneBlock] = {}
    for name, path in sorted(zone_files.items()):
        try:
            zones[name] = parse_firewalld_zone_xml(host.read_text(path) or "")
        except CollectError as exc:
            probe.error = f"{path} could not be read: {exc.message}"
            return
    names = [n for z in zones.values() for n in z["fields"].get("services", "").split()]
    names += [n for z in zones.values() for n in _rich_services(z["rich"])]
    known = firewalld_service_ports(host, names)
    judged = judge_firewalld(zones, default_zone, {}, known)
    default = next(z for z in judged["judged_zones"] if z["default"])
    probe.facts = {
        **base,
        "ruleset_file": zone_files[default_zone],
        "note": f"{OFFLINE_ROOT}: judged from the zone files ({zone_files[default_zone]} is the default zone), "
        "which the enabled firewalld.service loads at boot",
        "active": True,
        "zone": default["zone"],
        "target": default["target"],
        "interfaces": default["interfaces"],
        "sources": default["sources"],
        "services": default["services"],
        "ports": default["ports"],
        "forward": default["forward"],
        "masquerade": default["masquerade"],
        "unknown_services": sorted({s for z in judged["judged_zones"] for s in _unknown_services(z["services"], known)}),
        **judged,
    }


# -- firewall collector ----------------------------------------------------------


class _Probe:
    """Outcome for one firewall front end; ``to_json`` gives its entry in :class:`FirewallBackends`."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.installed = False
        self.denied = False
        self.malformed: Optional[str] = None
        self.error: Optional[str] = None
        self.facts: Dict[str, Any] = {}

    def to_json(self) -> Dict[str, Any]:
        out: Dict[str, Any] = {"installed": self.installed, **self.facts}
        if self.denied:
            out["permission_denied"] = True
        if self.malformed:
            out["malformed"] = self.malformed
        if self.error:
            out["error"] = self.error
        return out


def _run(host: HostReader, probe: _Probe, argv: List[str]) -> Optional[CommandResult]:
    res = host.run(argv)
    if res.missing:
        return None
    probe.installed = True
    if _denied(res):
        probe.denied = True
        return None
    if res.error is not None:
        probe.error = f"{' '.join(argv)}: {res.error}"
        return None
    return res


def _first_garbage_line(text: str) -> int:
    for n, line in enumerate(text.splitlines(), 1):
        if line.strip():
            return n
    return 1


# The ruleset nftables.service loads at boot (Debian; RHEL family), and the unit that loads it.
NFT_RULESET_FILES: Tuple[str, ...] = ("/etc/nftables.conf", "/etc/sysconfig/nftables.conf")
_NFT_INCLUDE = re.compile(r'^\s*include\s+"([^"]+)"', re.M)
_MAX_NFT_INCLUDES = 64


def _nft_file_text(host: HostReader, path: str, seen: List[str]) -> str:
    """A ruleset file with its ``include`` statements expanded (globs in name order)."""
    text = host.read_text(path) or ""
    seen.append(path)

    def expand(m: re.Match[str]) -> str:
        target = m.group(1)
        if not target.startswith("/"):
            target = posixpath.join(posixpath.dirname(path), target)
        parts = []
        for inc in host.glob(target) if any(c in target for c in "*?[") else [target]:
            if inc not in seen and len(seen) < _MAX_NFT_INCLUDES:
                parts.append(_nft_file_text(host, inc, seen))
        return "\n".join(parts)

    return _NFT_INCLUDE.sub(expand, text)


def unit_enabled_in_files(host: HostReader, unit: str) -> bool:
    """Whether a unit is enabled: a link to it in a ``.wants``/``.requires`` directory of /etc (systemctl enable)."""
    return bool(host.glob(f"/etc/systemd/system/*.wants/{unit}") or host.glob(f"/etc/systemd/system/*.requires/{unit}"))


def _nft_from_file(host: HostReader, probe: _Probe) -> None:
    """nft is not available: judge the ruleset file nftables.service would load, and say so.

    Its rules count only when the unit is enabled; otherwise nothing loads them at boot.
    """
    path = next((f for f in NFT_RULESET_FILES if host.exists(f)), None)
    if path is None:
        return
    try:
        text = _nft_file_text(host, path, [])
    except CollectError as exc:
        probe.installed = True
        probe.error = f"nft is not available and {path} could not be read: {exc.message}"
        return
    probe.installed = True
    parsed = parse_nft(text)
    enabled = enabled_at_boot(host, "nftables.service") if host.offline_root else unit_enabled_in_files(host, "nftables.service")
    summary = _nft_summary(parsed)
    if not enabled:
        summary = {**summary, "active": False, "default_deny_v4": False, "default_deny_v6": False}
    probe.facts.update(
        {
            "ruleset_file": path,
            "unit_enabled": enabled,
            "note": (f"{OFFLINE_ROOT}: judged from {path}" if host.offline_root else f"nft was not available: judged from {path}")
            + (", which the enabled nftables.service loads at boot" if enabled else "; nftables.service is not enabled, so nothing loads it"),
            "tables": parsed["tables"],
            "chains": parsed["chains"],
            **summary,
        }
    )


def _probe_nft(host: HostReader, skip_firewalld: bool = False) -> _Probe:
    """``nft list ruleset``; with firewalld running, its own table is judged by zone instead.

    When the nft command is not available, the boot-time ruleset file is judged
    instead (``ruleset_file``): a command that cannot be run says nothing about
    whether nftables is installed.
    """
    probe = _Probe("nftables")
    if host.offline_root:
        _nft_from_file(host, probe)
        return probe
    res = _run(host, probe, NFT)
    if res is None:
        if not probe.installed:
            _nft_from_file(host, probe)
        return probe
    if res.exit_code != 0:
        probe.error = f"nft list ruleset: exit code {res.exit_code}: {res.stderr.strip()[:160]}"
        return probe
    parsed = parse_nft(res.stdout)
    if res.stdout.strip() and parsed["tables"] == 0:
        probe.malformed = f"nft list ruleset: line {_first_garbage_line(res.stdout)}: no 'table' definition found"
        return probe
    if skip_firewalld:
        parsed = {**parsed, "chains": [c for c in parsed["chains"] if c["table"] != "firewalld"]}
        probe.facts["firewalld_table"] = "judged from firewalld zones"
    probe.facts.update({"tables": parsed["tables"], "chains": parsed["chains"], **_nft_summary(parsed)})
    return probe


def _legacy_tables_loaded(host: HostReader, name: str) -> Optional[bool]:
    """Whether the legacy x_tables module has tables (None: cannot tell without root).

    Running legacy ``iptables -S`` as root makes the kernel load ip_tables and
    iptable_filter when they are absent, which would change the assessed host.
    On iptables-nft hosts the list is empty and the rules show in ``nft``.
    """
    try:
        text = host.read_text(IPT_NAMES[name])
    except CollectError as exc:
        if exc.reason is ErrorReason.PERMISSION_DENIED:
            return None  # not root: the command cannot load modules either
        raise
    if text is None and not host.is_dir("/proc/net"):
        return None  # no /proc at all (an offline tree): nothing is known about the kernel's tables
    return bool(text and text.strip())


def _probe_ipt(host: HostReader, argv: List[str], name: str) -> _Probe:
    probe = _Probe(name)
    if host.offline_root:
        _ipt_from_file(host, probe, name)
        return probe
    if _legacy_tables_loaded(host, name) is False:
        probe.installed = any(host.exists(d + name) for d in ("/usr/sbin/", "/sbin/"))
        probe.facts = {
            "active": False,
            "default_deny": False,
            "legacy_tables_loaded": False,
            "note": f"{IPT_NAMES[name]} lists no table: legacy {name} holds no rules; not run, to avoid loading the module",
        }
        return probe
    res = _run(host, probe, argv)
    if res is None:
        return probe
    if res.exit_code != 0:
        probe.error = f"{' '.join(argv)}: exit code {res.exit_code}: {res.stderr.strip()[:160]}"
        return probe
    parsed = parse_iptables(res.stdout)
    if res.stdout.strip() and parsed["recognised"] == 0:
        probe.malformed = f"{' '.join(argv)}: line {_first_garbage_line(res.stdout)}: no -P/-A/-N lines found"
        return probe
    probe.facts.update(_ipt_summary(parsed))
    return probe


def _probe_ufw(host: HostReader) -> _Probe:
    probe = _Probe("ufw")
    if host.offline_root:
        _ufw_from_files(host, probe)
        return probe
    res = _run(host, probe, UFW)
    if res is None:
        return probe
    parsed = parse_ufw(res.stdout)
    if parsed["status"] is None:
        probe.malformed = f"ufw status verbose: line {_first_garbage_line(res.stdout)}: no 'Status:' line"
        return probe
    active = parsed["status"] == "active"
    probe.facts = {
        "active": active,
        "default_incoming": parsed["default_incoming"],
        "default_deny": active and parsed["default_incoming"] in ("deny", "reject"),
        "input_accepts": parsed["input_accepts"],
    }
    return probe


# Where firewalld keeps service definitions; /etc overrides the shipped ones of the same name.
FIREWALLD_SERVICE_DIRS: Tuple[str, ...] = ("/etc/firewalld/services", "/usr/lib/firewalld/services")
_XML_PORT = re.compile(r"<port\b[^>]*\bport=\"([^\"]+)\"")
_XML_INCLUDE = re.compile(r"<include\b[^>]*\bservice=\"([^\"]+)\"")


def firewalld_service_ports(host: HostReader, names: List[str]) -> Dict[str, List[int]]:
    """Ports of firewalld services from their XML definitions on the host, else from FIREWALLD_SERVICES.

    A name found nowhere is left out: its openings are unknown, never "none".
    """
    out: Dict[str, List[int]] = {}

    def resolve(name: str, depth: int) -> Optional[List[int]]:
        if not re.fullmatch(r"[A-Za-z0-9_.+-]+", name) or depth > 4:
            return None
        for d in FIREWALLD_SERVICE_DIRS:
            try:
                text = host.read_text(f"{d}/{name}.xml")
            except CollectError:
                text = None
            if text is None:
                continue
            ports = [p for m in _XML_PORT.finditer(text) for p in _ports(m.group(1))]
            for inc in _XML_INCLUDE.finditer(text):
                ports += resolve(inc.group(1), depth + 1) or []
            return sorted(set(ports))
        known = FIREWALLD_SERVICES.get(name)
        return list(known) if known is not None else None

    for name in sorted(set(names)):
        ports = resolve(name, 0)
        if ports is not None:
            out[name] = ports
    return out


def _probe_firewalld(host: HostReader) -> _Probe:
    probe = _Probe("firewalld")
    if host.offline_root:
        _firewalld_from_files(host, probe)
        return probe
    res = _run(host, probe, FWD_STATE)
    if res is None:
        return probe
    running = res.exit_code == 0 and res.stdout.strip() == "running"
    probe.facts = {"active": running, "state": (res.stdout.strip() or res.stderr.strip())[:40]}
    if not running:
        probe.facts["default_deny"] = False
        return probe
    outputs: List[str] = []
    for argv in (FWD_DEFAULT, FWD_ACTIVE, FWD_ZONES):
        res = _run(host, probe, argv)
        if res is None:
            return probe
        # --get-active-zones exits non-zero when no zone is bound to anything
        if res.exit_code != 0 and argv is not FWD_ACTIVE:
            probe.error = f"{' '.join(argv)}: exit code {res.exit_code}: {res.stderr.strip()[:160]}"
            return probe
        outputs.append(res.stdout if res.exit_code == 0 else "")
    default_zone = outputs[0].strip()
    zones = parse_firewalld_zones(outputs[2])
    if not re.fullmatch(r"[A-Za-z0-9_+.-]+", default_zone):
        probe.malformed = "firewall-cmd --get-default-zone: line 1: not a zone name"
        return probe
    if default_zone not in zones or "target" not in zones[default_zone]["fields"]:
        probe.malformed = (
            f"firewall-cmd --list-all-zones: line {_first_garbage_line(outputs[2])}: "
            f"no zone block with a 'target:' line for the default zone {default_zone}"
        )
        return probe
    names = [n for z in zones.values() for n in z["fields"].get("services", "").split()]
    names += [n for z in zones.values() for n in _rich_services(z["rich"])]
    known = firewalld_service_ports(host, names)
    judged = judge_firewalld(zones, default_zone, parse_active_zones(outputs[1]), known)
    default = next(z for z in judged["judged_zones"] if z["default"])
    # the default zone's own settings stay at the top for readers of the old facts
    probe.facts.update(
        zone=default["zone"],
        target=default["target"],
        interfaces=default["interfaces"],
        sources=default["sources"],
        services=default["services"],
        ports=default["ports"],
        forward=default["forward"],
        masquerade=default["masquerade"],
        unknown_services=sorted({s for z in judged["judged_zones"] for s in _unknown_services(z["services"], known)}),
    )
    probe.facts.update(judged)
    return probe


def _deny_v4_v6(p: _Probe) -> Tuple[bool, bool]:
    f = p.facts
    if p.name == "nftables":
        return bool(f.get("default_deny_v4")), bool(f.get("default_deny_v6"))
    if p.name == "iptables":
        return bool(f.get("default_deny")), False
    if p.name == "ip6tables":
        return False, bool(f.get("default_deny"))
    deny = bool(f.get("active")) and bool(f.get("default_deny"))
    return deny, deny


# iptables chains that firewalld (iptables backend) creates and judges by zone.
_FIREWALLD_CHAIN = re.compile(r"^(INPUT_direct|INPUT_ZONES(_SOURCE)?|IN_\S+)$")


def _jump_owner(target: str, usable: List[_Probe], fwd_running: bool) -> Optional[str]:
    """The front end whose own report already covers a jump's target chain, if any."""
    ufw_active = any(p.name == "ufw" and p.facts.get("active") for p in usable)
    if ufw_active and target.startswith("ufw"):
        return "ufw"
    if fwd_running and _FIREWALLD_CHAIN.match(target):
        return "firewalld"
    return None


# Files that show a firewall front end is installed or configured, whether or not its command can be run.
FIREWALL_TRACES: Tuple[str, ...] = (
    "/usr/sbin/nft",
    "/sbin/nft",
    "/usr/sbin/iptables",
    "/sbin/iptables",
    "/usr/sbin/ufw",
    "/usr/bin/firewall-cmd",
    *NFT_RULESET_FILES,
    "/etc/ufw/ufw.conf",
    "/etc/firewalld/firewalld.conf",
    "/etc/iptables/rules.v4",
    "/etc/sysconfig/iptables",
)
FIREWALL_UNITS: Tuple[str, ...] = ("nftables.service", "ufw.service", "firewalld.service", "netfilter-persistent.service", "iptables.service")


def _installed_traces(host: HostReader) -> List[str]:
    found = [p for p in FIREWALL_TRACES if host.exists(p)]
    found += [f"{u} (enabled)" for u in FIREWALL_UNITS if unit_enabled_in_files(host, u)]
    return found


def _input_filters(usable: List[_Probe], fwd_running: bool) -> List[InputFilter]:
    """Every input filter of the readable front ends, with the openings of front ends their jumps lead to."""
    accepts_of: Dict[str, List[AcceptRule]] = {p.name: list(p.facts.get("input_accepts", [])) for p in usable}

    def borrowed(targets: List[str]) -> List[AcceptRule]:
        owners = sorted({o for t in targets if (o := _jump_owner(t, usable, fwd_running)) is not None})
        return [a for o in owners for a in accepts_of.get(o, [])]

    out: List[InputFilter] = []
    for p in usable:
        f = p.facts
        if p.name == "nftables":
            chains: List[NftChain] = f.get("chains", [])
            for c in chains:
                if c["hook"] != "input" or (f.get("ruleset_file") and not f.get("unit_enabled")):
                    continue
                out.append(
                    {
                        "via": p.name,
                        "name": f"{c['family']} {c['table']} {c['name']}",
                        "families": list(_families(c["family"])),
                        "default_deny": c["default_deny"],
                        "accepts": c["accepts"] + borrowed(c["jumps"]),
                    }
                )
        elif p.name in ("iptables", "ip6tables"):
            if "input_policy" not in f:
                continue  # no legacy table loaded: no filter
            jumps: List[Jump] = f.get("input_jumps", [])
            out.append(
                {
                    "via": p.name,
                    "name": "filter INPUT",
                    "families": ["v4"] if p.name == "iptables" else ["v6"],
                    "default_deny": bool(f.get("default_deny")),
                    "accepts": accepts_of[p.name] + borrowed([j["target"] for j in jumps]),
                }
            )
        elif f.get("active"):  # ufw, firewalld: one ruleset for both families
            out.append(
                {
                    "via": p.name,
                    "name": "zones" if p.name == "firewalld" else "ruleset",
                    "families": ["v4", "v6"],
                    "default_deny": bool(f.get("default_deny")),
                    "accepts": accepts_of[p.name],
                }
            )
    return out


@collector(FIREWALL, "Host firewall in use, active state and default inbound policy")
def collect_firewall(host: HostReader) -> FirewallFacts:
    fwd = _probe_firewalld(host)
    fwd_running = bool(fwd.facts.get("active")) and not (fwd.denied or fwd.malformed or fwd.error)
    probes = [
        _probe_nft(host, skip_firewalld=fwd_running),
        _probe_ipt(host, IPT, "iptables"),
        _probe_ipt(host, IP6T, "ip6tables"),
        _probe_ufw(host),
        fwd,
    ]
    usable = [p for p in probes if p.installed and not p.denied and not p.malformed and not p.error]
    deny_v4 = any(_deny_v4_v6(p)[0] for p in usable)
    deny_v6 = any(_deny_v4_v6(p)[1] for p in usable)
    installed = [p.name for p in probes if p.installed]
    blocked = [p for p in probes if p.denied or p.malformed or p.error]
    if blocked and not deny_v4:
        # An unread front end might be the one that denies: never guess "no firewall".
        first = blocked[0]
        if first.denied:
            raise CollectError(
                ErrorReason.PERMISSION_DENIED,
                f"{', '.join(p.name for p in blocked if p.denied)}: reading the ruleset requires root",
            )
        raise CollectError(ErrorReason.MALFORMED, first.malformed or first.error or "unreadable firewall state")
    traces = _installed_traces(host)
    inputs: List[InputAccept] = []
    jumps: List[InputJump] = []
    for p in usable:
        accepts: List[AcceptRule] = p.facts.get("input_accepts", [])
        for a in accepts:
            inputs.append({**a, "via": p.name})
        probe_jumps: List[Jump] = p.facts.get("input_jumps", [])
        for j in probe_jumps:
            jumps.append({**j, "via": p.name, "explained_by": _jump_owner(j["target"], usable, fwd_running)})
    return {
        "_method": "+".join(p.name for p in usable) or "none installed",
        "installed": installed,
        "none_installed": not installed and not traces,
        "active": [p.name for p in usable if p.facts.get("active")],
        "default_deny_inbound": deny_v4,
        "default_deny_inbound_v6": deny_v6,
        "input_accepts": inputs,
        "input_filters": _input_filters(usable, fwd_running),
        "input_jumps": jumps,
        "unresolved_jumps": [j for j in jumps if not j["explained_by"]],
        "unreadable": [p.name for p in blocked],
        # offline root: every front end is judged from its boot-time configuration (its note says how)
        "configured_only": [p.name for p in usable if p.facts.get("ruleset_file") or host.offline_root],
        "installed_traces": traces,
        # each front end's entry is built untyped in its _Probe; its shape is the FirewallBackends key of that name
        "backends": cast(FirewallBackends, {p.name: p.to_json() for p in probes if p.installed}),
    }
