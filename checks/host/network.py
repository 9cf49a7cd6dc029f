"""Exposure checks: listening sockets and the host firewall."""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Sequence, Set, Tuple, cast

from checks.host.services import units_incomplete
from checks.messages import Template, message
from checks.model import CoverageLine, InsurerDomain, Reason, Severity, Text, Verdict
from checks.portlists import HIGH_RISK_PORTS, PLAINTEXT_PORTS
from checks.registry import EvidenceView, Params, check
from collectors.host.network import (
    FIREWALL,
    LISTENING,
    AcceptRule,
    FirewallFacts,
    InputFilter,
    SocketFacts,
    address_is_public,
)
from collectors.host.services import SERVICES, SUPERSERVER

ADMIN_PORTS = (22, 23, 3389, 5900, 5901, 5985, 5986, 9090, 10000)


def _exposed(sockets: Sequence[SocketFacts], include_specific: bool = False) -> List[SocketFacts]:
    scopes = ("wildcard", "specific") if include_specific else ("wildcard",)
    return [s for s in sockets if s["scope"] in scopes]


def _families_of(s: SocketFacts) -> List[str]:
    """The IP versions a socket receives: an IPv6 wildcard socket usually takes IPv4 too (dual stack)."""
    if not s["proto"].endswith("6"):
        return ["v4"]
    if s["scope"] == "wildcard":
        return ["v4", "v6"]
    return ["v4"] if s["address"].startswith("::ffff:") else ["v6"]


def input_filters(fw: FirewallFacts) -> List[InputFilter]:
    """The firewall's input filters; evidence recorded before they were kept counts as one filter of all openings."""
    raw: Mapping[str, Any] = fw
    recorded: Optional[List[InputFilter]] = raw.get("input_filters")
    if recorded is not None:
        return list(recorded)
    accepts = [cast(AcceptRule, {k: v for k, v in a.items() if k != "via"}) for a in fw.get("input_accepts", [])]
    legacy: InputFilter = {
        "via": "+".join(fw["active"]) or "firewall",
        "name": "all",
        "families": ["v4"],
        "default_deny": fw["default_deny_inbound"],
        "accepts": accepts,
    }
    return [legacy]


def _admits_from_anywhere(f: InputFilter, port: int) -> Optional[bool]:
    """Whether one filter lets new connections to ``port`` in from any source; None when it cannot be told."""
    if not f["default_deny"]:
        return True  # a filter that accepts by default: its explicit drops are not modelled
    unknown = False
    for a in f["accepts"]:
        if a["source"]:
            continue
        if a.get("ports_unknown"):
            unknown = True
        elif not a["ports"] or port in a["ports"]:
            return True
    return None if unknown else False


def open_to_anyone(fw: FirewallFacts, port: int, families: Sequence[str]) -> Optional[bool]:
    """Whether the host firewall lets anyone reach ``port``: some family in which every input filter admits it.

    A packet must pass every input filter of its family (netfilter runs every
    hook); a family without a default-deny filter lets everything in. None when
    a filter's openings are not known (a firewalld service without a definition).
    """
    undecided = False
    for fam in families:
        filters = [f for f in input_filters(fw) if fam in f["families"]]
        if not any(f["default_deny"] for f in filters):
            return True
        verdicts = [_admits_from_anywhere(f, port) for f in filters]
        if all(v is True for v in verdicts):
            return True
        if not any(v is False for v in verdicts):
            undecided = True
    return None if undecided else False


def _brief(s: SocketFacts) -> Dict[str, Any]:
    return {
        "port": s["port"],
        "proto": s["proto"],
        "address": s["address"],
        "process": s["process"],
        "user": s["user"],
    }


_HIGH_RISK_EN = "high-risk ports exposed "
EXPOSED_ALL = message(
    "LNX-NET-001/exposed-all-interfaces",
    en=_HIGH_RISK_EN + "on all interfaces: {ports}",
    zh="高危端口在所有网络接口上开放：{ports}",
)
EXPOSED_PUBLIC = message(
    "LNX-NET-001/exposed-public",
    en=_HIGH_RISK_EN + "on public address(es) {addresses} the firewall does not block: {ports}",
    zh="高危端口在防火墙未阻断的公网地址 {addresses} 上开放：{ports}",
)
EXPOSED_BOTH = message(
    "LNX-NET-001/exposed-all-interfaces-and-public",
    en=_HIGH_RISK_EN + "on all interfaces and on public address(es) {addresses} the firewall does not block: {ports}",
    zh="高危端口在所有网络接口以及防火墙未阻断的公网地址 {addresses} 上开放：{ports}",
)
PUBLIC_UNDECIDED = message(
    "LNX-NET-001/undecided",
    en="high-risk ports listen on a public address and the firewall's openings for them are not known; review the rules",
    zh="高危端口在公网地址上监听，且无法确定防火墙是否对其放行；请核查防火墙规则",
)
_NOT_EXPOSED_EN = "no high-risk port listens on a wildcard or public address; the host firewall evidence could not be read "
_NOT_EXPOSED_ZH = "没有高危端口在通配地址或公网地址上监听；但无法读取主机防火墙证据"
FIREWALL_UNREADABLE = message(
    "LNX-NET-001/firewall-unreadable",
    en=_NOT_EXPOSED_EN + "({detail}), so this is not confirmed: re-run as root",
    zh=_NOT_EXPOSED_ZH + "（{detail}），结果无法确认：请以 root 身份重新运行",
)
FIREWALL_NOT_COLLECTED = message(
    "LNX-NET-001/firewall-not-collected",
    en=_NOT_EXPOSED_EN + "(not collected), so this is not confirmed: re-run as root",
    zh="没有高危端口在通配地址或公网地址上监听；但未采集主机防火墙证据，结果无法确认：请以 root 身份重新运行",
)
NOT_EXPOSED = message(
    "LNX-NET-001/not-exposed",
    en="no high-risk port listens on a wildcard address or on a public address the firewall leaves open",
    zh="没有高危端口在通配地址或防火墙放行的公网地址上监听",
)


@check(
    id="LNX-NET-001",
    title=Text(
        zh="高危端口（数据库、远程桌面、文件共享、Telnet 等）未在所有网络接口或公网地址上对外开放",
        en="High-risk ports (databases, remote desktop, file sharing, telnet ...) are not exposed on all interfaces or a public address",
    ),
    remediation=Text(
        zh="让服务只监听 127.0.0.1 或内网地址（如 MySQL 的 bind-address=127.0.0.1、Redis 的 bind 127.0.0.1），停用不需要的服务（systemctl disable --now <服务>），并在主机防火墙中拒绝这些端口的外部访问。",
        en="Bind the service to 127.0.0.1 or an internal address (e.g. MySQL bind-address=127.0.0.1, Redis 'bind 127.0.0.1'), disable services you do not need (systemctl disable --now <unit>), and block the ports in the host firewall.",
    ),
    severity=Severity.CRITICAL,
    mlps=("L3-CES1-18",),
    high_risk_case="6.4.3.1",
    domains=(InsurerDomain.EXPOSURE,),
    coverage=(CoverageLine.DATA_BREACH_LIABILITY, CoverageLine.CYBER_EXTORTION, CoverageLine.BUSINESS_INTERRUPTION),
    needs=(LISTENING, FIREWALL),
    params={"high_risk_ports": sorted(HIGH_RISK_PORTS)},
    basis="High-risk ports reachable from the network, with no firewall blocking them, are case 6.4.3.1 under 8.1.4.4 b.",
)
def high_risk_ports(ev: EvidenceView, p: Params) -> Verdict:
    """A wildcard bind is exposed whatever the firewall says (one rule change away from the internet).

    A bind to a specific public (globally routable) address is exposed unless
    the host firewall evidence shows the port blocked for the address family it
    listens on; without readable firewall evidence it counts as exposed, and the
    finding says so.
    """
    facts = ev.facts(LISTENING)
    fw = ev.optional(FIREWALL)
    fw_ev = ev.get(FIREWALL)
    fw_reason = None if fw is not None else (fw_ev.reason if fw_ev is not None else None)
    fw_problem = None if fw is not None else fw_reason or "not collected"
    ports = {int(x) for x in p["high_risk_ports"]}
    risky = [s for s in facts["sockets"] if s["port"] in ports]
    hits = [_brief(s) for s in _exposed(risky)]
    public: List[Dict[str, Any]] = []
    blocked: List[Dict[str, Any]] = []
    undecided: List[Dict[str, Any]] = []
    for s in risky:
        if s["scope"] != "specific" or not address_is_public(s["address"]):
            continue
        reach = True if fw is None else open_to_anyone(fw, s["port"], _families_of(s))
        row = _brief(s)
        if reach is False:
            blocked.append(row)
        elif reach is None:
            undecided.append(row)
        else:
            public.append(row)
    firewall_note = (
        f"host firewall evidence unavailable ({fw_problem}): a public bind counts as exposed"
        if fw is None
        else "public binds judged against the host firewall's input filters"
    )
    observed: Dict[str, Any] = {"firewall": firewall_note, "blocked_by_firewall": blocked}
    if hits or public:
        names = sorted({f"{h['port']}/{HIGH_RISK_PORTS.get(int(h['port']), '?')}" for h in hits + public})
        addresses = sorted({str(h["address"]) for h in public})
        if hits and public:
            reason = EXPOSED_BOTH(addresses=addresses, ports=names)
        elif hits:
            reason = EXPOSED_ALL(ports=names)
        else:
            reason = EXPOSED_PUBLIC(addresses=addresses, ports=names)
        return Verdict.fail(reason, listening=hits + public, **observed)
    if undecided:
        return Verdict.manual(PUBLIC_UNDECIDED(), listening=undecided, **observed)
    if fw is None:
        # Nothing risky is bound to a wildcard or public address, but the firewall evidence this check
        # declares could not be read: not a pass (could-not-assess is never pass).
        unread = FIREWALL_UNREADABLE(detail=fw_reason) if fw_reason else FIREWALL_NOT_COLLECTED()
        return Verdict.manual(unread, checked_ports=len(ports), **observed)
    return Verdict.ok(NOT_EXPOSED(), checked_ports=len(ports), **observed)


PLAINTEXT_ENABLED = message(
    "LNX-NET-002/enabled", en="plaintext remote-access protocols are enabled", zh="已启用明文远程访问协议"
)
NO_PLAINTEXT = message(
    "LNX-NET-002/none",
    en="no telnet, r-services, FTP or TFTP server listening or enabled",
    zh="没有监听或启用的 Telnet、r 系列服务、FTP 或 TFTP 服务",
)


@check(
    id="LNX-NET-002",
    title=Text(
        zh="未启用明文远程管理/传输协议（Telnet、rsh/rlogin/rexec、FTP、TFTP）",
        en="No plaintext remote-administration or transfer protocol (telnet, rsh/rlogin/rexec, FTP, TFTP) is enabled",
    ),
    remediation=Text(
        zh="卸载或停用明文服务（apt purge telnetd rsh-server vsftpd tftpd-hpa / dnf remove telnet-server rsh-server vsftpd tftp-server），注释 /etc/inetd.conf 与 /etc/xinetd.d/* 中的相应条目；远程管理改用 SSH，文件传输改用 SFTP/SCP。",
        en="Remove or disable the plaintext servers (apt purge telnetd rsh-server vsftpd tftpd-hpa / dnf remove telnet-server rsh-server vsftpd tftp-server) and comment out their entries in /etc/inetd.conf and /etc/xinetd.d/*; use SSH for administration and SFTP/SCP for file transfer.",
    ),
    severity=Severity.CRITICAL,
    mlps=("L3-CES1-03", "L3-CES1-27", "L3-CES1-18"),
    high_risk_case="6.4.1.2",
    domains=(InsurerDomain.ENCRYPTION_TRANSIT, InsurerDomain.EXPOSURE),
    coverage=(CoverageLine.DATA_BREACH_LIABILITY, CoverageLine.CYBER_EXTORTION),
    needs=(LISTENING, SERVICES, SUPERSERVER),
    params={
        "plaintext_ports": sorted(PLAINTEXT_PORTS),
        "plaintext_units": [
            "telnet.socket",
            "telnetd.service",
            "rsh.socket",
            "rlogin.socket",
            "rexec.socket",
            "vsftpd.service",
            "proftpd.service",
            "pure-ftpd.service",
            "tftp.socket",
            "tftp.service",
            "tftpd-hpa.service",
        ],
        "plaintext_superserver_services": ["telnet", "shell", "login", "exec", "ftp", "tftp", "rsh", "rlogin", "rexec"],
    },
    basis="Telnet, rsh, rlogin and FTP send credentials in clear during remote administration (8.1.4.1 c, case 6.4.1.2).",
)
def plaintext_protocols(ev: EvidenceView, p: Params) -> Verdict:
    sockets = ev.facts(LISTENING)["sockets"]
    services = ev.facts(SERVICES)
    superserver = ev.facts(SUPERSERVER)["superserver"]
    ports = {int(x) for x in p["plaintext_ports"]}
    listening = [_brief(s) for s in sockets if s["port"] in ports and s["scope"] != "loopback"]
    # udp/514 is syslog, not rsh
    listening = [s for s in listening if not (s["port"] == 514 and str(s["proto"]).startswith("udp"))]
    units = sorted(set(p["plaintext_units"]) & set(services["enabled"]))
    names = set(p["plaintext_superserver_services"])
    supers = sorted(f"{e['service']} ({e['source']})" for e in superserver if e["enabled"] and e["service"] in names)
    if listening or units or supers:
        return Verdict.fail(
            PLAINTEXT_ENABLED(),
            listening=listening,
            enabled_units=units,
            superserver_entries=supers,
        )
    return units_incomplete(services) or Verdict.ok(NO_PLAINTEXT())


def _firewall_summary(fw: FirewallFacts) -> Dict[str, Any]:
    out: Dict[str, Any] = {
        "installed": fw["installed"],
        "active": fw["active"],
        "default_deny_inbound": fw["default_deny_inbound"],
        "default_deny_inbound_v6": fw["default_deny_inbound_v6"],
    }
    if fw.get("configured_only"):
        out["judged_from_configuration"] = fw["configured_only"]
    return out


def _basis(fw: FirewallFacts) -> List[str]:
    """The collector's notes on front ends judged from their boot-time configuration instead of their running rules."""
    notes = []
    backends: Dict[str, Any] = dict(fw.get("backends", {}))
    for name in fw.get("configured_only", []):
        note = backends.get(name, {}).get("note")
        notes.append(str(note) if note else name)
    return notes


def _on_basis(plain: Template, configured: Template, fw: FirewallFacts, **params: Any) -> Reason:
    """``plain``, or ``configured`` (which adds the notes as ``basis``) when a front end was judged from its configuration."""
    notes = _basis(fw)
    return configured(basis=notes, **params) if notes else plain(**params)


def _basis_pair(id: str, en: str, zh: str) -> Tuple[Template, Template]:
    """A reason and its variant for a firewall judged (in part) from its configuration, the collector's notes appended."""
    return (
        message(id, en=en, zh=zh),
        message(f"{id}-configured", en=f"{en} ({{basis}})", zh=f"{zh}（{{basis}}）"),
    )


NO_FIREWALL = message(
    "LNX-FW-001/none",
    en="no host firewall found: none of nft, iptables, ufw or firewall-cmd is available, and no firewall program, "
    "ruleset file or enabled firewall unit is on disk",
    zh="未发现主机防火墙：nft、iptables、ufw、firewall-cmd 均不可用，磁盘上也没有防火墙程序、规则集文件或已启用的防火墙单元",
)
DENY_V4, DENY_V4_CONFIGURED = _basis_pair(
    "LNX-FW-001/deny", en="inbound IPv4 traffic is denied by default", zh="入站 IPv4 流量默认拒绝"
)
FIREWALL_UNRUNNABLE = message(
    "LNX-FW-001/unreadable",
    en="firewall software is present ({traces}) but none of its commands could be run "
    "and no ruleset file could be judged; check the running ruleset as root",
    zh="存在防火墙软件（{traces}），但其命令均无法运行，也没有可判断的规则集文件；请以 root 身份核查运行中的规则集",
)
INACTIVE, INACTIVE_CONFIGURED = _basis_pair(
    "LNX-FW-001/inactive",
    en="a firewall is installed but no filtering rules are active",
    zh="已安装防火墙，但没有生效的过滤规则",
)
ACCEPT_V4, ACCEPT_V4_CONFIGURED = _basis_pair(
    "LNX-FW-001/accept",
    en="the firewall is active but inbound traffic is accepted by default",
    zh="防火墙已启用，但入站流量默认放行",
)


@check(
    id="LNX-FW-001",
    title=Text(
        zh="主机防火墙已启用且入站默认拒绝",
        en="Host firewall is active with a default-deny inbound policy",
    ),
    remediation=Text(
        zh="启用主机防火墙并将入站默认策略设为拒绝，仅放行需要的端口：nftables 在 input 链中写 'policy drop;'（systemctl enable --now nftables）；或 ufw default deny incoming && ufw enable；或 firewall-cmd --set-default-zone=public（目标 default/DROP）。",
        en="Enable a host firewall whose inbound default is deny and allow only needed ports: nftables 'policy drop;' on the input chain (systemctl enable --now nftables), or 'ufw default deny incoming && ufw enable', or firewalld with a default zone whose target is default/DROP.",
    ),
    severity=Severity.HIGH,
    mlps=("L3-ABS1-05", "L3-CES1-18"),
    domains=(InsurerDomain.SEGMENTATION, InsurerDomain.EXPOSURE),
    coverage=(CoverageLine.DATA_BREACH_LIABILITY, CoverageLine.BUSINESS_INTERRUPTION),
    needs=(FIREWALL,),
    needs_root=True,
    basis="A default-deny inbound policy is deny-by-default access control (8.1.3.2 a) and closes ports no service needs (8.1.4.4 b). It says nothing about rule-set minimality (8.1.3.2 b).",
)
def firewall_default_deny(ev: EvidenceView, p: Params) -> Verdict:
    fw = ev.facts(FIREWALL)
    obs = _firewall_summary(fw)
    if fw["none_installed"]:
        return Verdict.fail(NO_FIREWALL(), **obs)
    if fw["default_deny_inbound"]:
        return Verdict.ok(_on_basis(DENY_V4, DENY_V4_CONFIGURED, fw), **obs)
    if not fw["installed"]:
        traces = list(fw.get("installed_traces", []))
        return Verdict.manual(FIREWALL_UNRUNNABLE(traces=traces), installed_traces=traces, **obs)
    if not fw["active"]:
        return Verdict.fail(_on_basis(INACTIVE, INACTIVE_CONFIGURED, fw), **obs)
    return Verdict.fail(_on_basis(ACCEPT_V4, ACCEPT_V4_CONFIGURED, fw), **obs)


DENY_V6, DENY_V6_CONFIGURED = _basis_pair(
    "LNX-FW-002/deny", en="inbound IPv6 traffic is denied by default", zh="入站 IPv6 流量默认拒绝"
)
NO_V6_LISTENERS = message(
    "LNX-FW-002/no-ipv6-listeners", en="no service listens on an IPv6 address", zh="没有服务在 IPv6 地址上监听"
)
ACCEPT_V6 = message(
    "LNX-FW-002/accept",
    en="services listen on IPv6 but inbound IPv6 is not denied by default",
    zh="有服务在 IPv6 上监听，但入站 IPv6 流量未默认拒绝",
)


@check(
    id="LNX-FW-002",
    title=Text(
        zh="IPv6 入站流量同样默认拒绝",
        en="Inbound IPv6 traffic is also denied by default",
    ),
    remediation=Text(
        zh="为 IPv6 设置同样的默认拒绝策略：使用 nftables 的 inet 表（同时覆盖 IPv4/IPv6），或 ip6tables -P INPUT DROP 并持久化（ip6tables-save > /etc/iptables/rules.v6）；若不用 IPv6 可在 sysctl 中关闭。",
        en="Apply the same default deny to IPv6: use an nftables 'inet' table (covers IPv4 and IPv6), or 'ip6tables -P INPUT DROP' made persistent (ip6tables-save > /etc/iptables/rules.v6); disable IPv6 via sysctl if it is not used.",
    ),
    severity=Severity.MEDIUM,
    mlps=("L3-ABS1-05", "L3-CES1-18"),
    domains=(InsurerDomain.SEGMENTATION, InsurerDomain.EXPOSURE),
    coverage=(CoverageLine.DATA_BREACH_LIABILITY,),
    needs=(FIREWALL, LISTENING),
    needs_root=True,
    basis="As LNX-FW-001 for IPv4: a default-deny IPv6 inbound policy is deny-by-default access control (8.1.3.2 a) for the other address family.",
)
def firewall_ipv6(ev: EvidenceView, p: Params) -> Verdict:
    fw = ev.facts(FIREWALL)
    sockets = ev.facts(LISTENING)["sockets"]
    v6 = [s for s in sockets if s["proto"].endswith("6") and s["scope"] != "loopback"]
    obs = _firewall_summary(fw)
    if fw["default_deny_inbound_v6"]:
        return Verdict.ok(_on_basis(DENY_V6, DENY_V6_CONFIGURED, fw), **obs)
    if not v6:
        return Verdict.na(NO_V6_LISTENERS(), **obs)
    return Verdict.fail(
        ACCEPT_V6(),
        ipv6_listening=sorted({s["port"] for s in v6}),
        **obs,
    )


NO_ADMIN_LISTENERS = message(
    "LNX-FW-003/no-admin-listeners",
    en="no remote-administration port listens on a non-loopback address",
    zh="没有远程管理端口在非回环地址上监听",
)
ADMIN_NO_DEFAULT_DENY = message(
    "LNX-FW-003/no-default-deny",
    en="admin ports are reachable from any address: inbound traffic is not denied by default",
    zh="管理端口可从任意地址访问：入站流量未默认拒绝",
)
UNRESTRICTED, UNRESTRICTED_CONFIGURED = _basis_pair(
    "LNX-FW-003/unrestricted",
    en="firewall accepts admin ports from any source address",
    zh="防火墙允许任意源地址访问管理端口",
)
UNKNOWN_SERVICES = message(
    "LNX-FW-003/unknown-services",
    en="the firewall opens service(s) {services} whose ports are not known (no definition found); "
    "they may open admin port(s) {ports} to anyone",
    zh="防火墙放行的服务 {services} 端口未知（未找到其定义），可能向任意来源开放管理端口 {ports}",
)
UNRESOLVED_JUMPS = message(
    "LNX-FW-003/unresolved-jumps",
    en="inbound rules jump to user-defined chains that were not analysed; review them for admin-port accepts",
    zh="入站规则跳转到未分析的自定义链；请核查其中是否放行管理端口",
)
RESTRICTED, RESTRICTED_CONFIGURED = _basis_pair(
    "LNX-FW-003/restricted",
    en="admin ports are only accepted from restricted source addresses",
    zh="管理端口仅允许受限的源地址访问",
)


@check(
    id="LNX-FW-003",
    title=Text(
        zh="远程管理端口（SSH 等）的访问来源受地址范围限制",
        en="Remote-administration ports (SSH etc.) accept connections only from restricted source addresses",
    ),
    remediation=Text(
        zh="在主机防火墙中只允许运维网段访问管理端口，例如 nftables：ip saddr 10.0.0.0/8 tcp dport 22 accept；firewalld：firewall-cmd --permanent --remove-service=ssh 并添加 rich rule 'rule family=ipv4 source address=10.0.0.0/8 service name=ssh accept'。",
        en="Allow admin ports only from the operations network in the host firewall, e.g. nftables 'ip saddr 10.0.0.0/8 tcp dport 22 accept'; firewalld: remove the ssh service and add the rich rule 'rule family=ipv4 source address=10.0.0.0/8 service name=ssh accept'.",
    ),
    severity=Severity.MEDIUM,
    mlps=("L3-CES1-19",),
    domains=(InsurerDomain.EXPOSURE, InsurerDomain.PRIVILEGED_ACCESS),
    coverage=(CoverageLine.DATA_BREACH_LIABILITY, CoverageLine.CYBER_EXTORTION),
    needs=(FIREWALL, LISTENING),
    needs_root=True,
    params={"admin_ports": list(ADMIN_PORTS)},
    basis="Administration ports that accept only given source networks restrict management terminals by address (8.1.4.4 c).",
)
def admin_source_restricted(ev: EvidenceView, p: Params) -> Verdict:
    fw = ev.facts(FIREWALL)
    sockets = ev.facts(LISTENING)["sockets"]
    admin = {int(x) for x in p["admin_ports"]}
    listeners = [s for s in _exposed(sockets, include_specific=True) if s["port"] in admin]
    exposed = sorted({s["port"] for s in listeners})
    if not exposed:
        return Verdict.na(NO_ADMIN_LISTENERS())
    if not fw["default_deny_inbound"]:
        return Verdict.fail(ADMIN_NO_DEFAULT_DENY(), admin_ports=exposed)
    # Judge the filters in force: a port is open to anyone only when every input filter of its family admits it.
    # IPv6 is judged where it is filtered at all; an unfiltered IPv6 is LNX-FW-002's finding.
    judged = {"v4", "v6"} if fw["default_deny_inbound_v6"] else {"v4"}
    families: Dict[int, Set[str]] = {}
    for s in listeners:
        families.setdefault(s["port"], set()).update(set(_families_of(s)) & judged)
    open_to_all: List[int] = []
    unknown: List[int] = []
    for port in exposed:
        if not families[port]:
            continue  # listens on IPv6 only, which no filter covers: LNX-FW-002 reports it
        reach = open_to_anyone(fw, port, sorted(families[port]))
        if reach is True:
            open_to_all.append(port)
        elif reach is None:
            unknown.append(port)
    filters = [f"{f['via']}: {f['name']}" for f in input_filters(fw)]
    if open_to_all:
        return Verdict.fail(_on_basis(UNRESTRICTED, UNRESTRICTED_CONFIGURED, fw), unrestricted_ports=open_to_all, filters=filters)
    if unknown:
        services = sorted({str(a.get("service")) for f in input_filters(fw) for a in f["accepts"] if a.get("ports_unknown")})
        return Verdict.manual(
            UNKNOWN_SERVICES(services=services, ports=unknown),
            admin_ports=unknown,
            unknown_services=services,
        )
    jumps = fw.get("unresolved_jumps", [])
    if jumps:
        # rules in the jumped-to chains are not analysed: they may open the ports to anyone
        return Verdict.manual(
            UNRESOLVED_JUMPS(),
            admin_ports=exposed,
            chains=sorted({j["target"] for j in jumps})[:20],
        )
    return Verdict.ok(_on_basis(RESTRICTED, RESTRICTED_CONFIGURED, fw), admin_ports=exposed, filters=filters)


TOO_MANY = message(
    "LNX-NET-003/too-many",
    en="{count} ports listen on non-loopback addresses (limit {limit})",
    zh="{count} 个端口在非回环地址上监听（上限 {limit}）",
)
WITHIN_LIMIT = message(
    "LNX-NET-003/within-limit",
    en="{count} port(s) listen on non-loopback addresses (limit {limit})",
    zh="{count} 个端口在非回环地址上监听（上限 {limit}）",
)


@check(
    id="LNX-NET-003",
    title=Text(
        zh="对外监听的服务数量在合理范围内（攻击面）",
        en="The number of services listening on non-loopback addresses is small (attack surface)",
    ),
    remediation=Text(
        zh="逐一核对 'ss -lntup' 中监听在非回环地址上的服务，停用不需要的服务或将其绑定到 127.0.0.1。",
        en="Review every service 'ss -lntup' shows on a non-loopback address; disable what is not needed or bind it to 127.0.0.1.",
    ),
    severity=Severity.LOW,
    mlps=("L3-CES1-18",),
    domains=(InsurerDomain.EXPOSURE,),
    coverage=(CoverageLine.DATA_BREACH_LIABILITY,),
    needs=(LISTENING,),
    params={"max_exposed_ports": 5},
    basis="Few listening services means few open ports and services (8.1.4.4 b).",
)
def exposed_service_count(ev: EvidenceView, p: Params) -> Verdict:
    sockets = ev.facts(LISTENING)["sockets"]
    ports = sorted({s["port"] for s in _exposed(sockets, include_specific=True)})
    limit = int(p["max_exposed_ports"])
    if len(ports) > limit:
        return Verdict.fail(TOO_MANY(count=len(ports), limit=limit), ports=ports)
    return Verdict.ok(WITHIN_LIMIT(count=len(ports), limit=limit), ports=ports)
