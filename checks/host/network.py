"""Exposure checks: listening sockets and the host firewall."""

from __future__ import annotations

from typing import Any, Dict, List, Sequence

from checks.model import CoverageLine, InsurerDomain, Severity, Text, Verdict
from checks.portlists import HIGH_RISK_PORTS, PLAINTEXT_PORTS
from checks.registry import EvidenceView, Params, check
from collectors.host.network import FIREWALL, LISTENING, FirewallFacts, SocketFacts
from collectors.host.services import SERVICES

ADMIN_PORTS = (22, 23, 3389, 5900, 5901, 5985, 5986, 9090, 10000)


def _exposed(sockets: Sequence[SocketFacts], include_specific: bool = False) -> List[SocketFacts]:
    scopes = ("wildcard", "specific") if include_specific else ("wildcard",)
    return [s for s in sockets if s["scope"] in scopes]


def _brief(s: SocketFacts) -> Dict[str, Any]:
    return {
        "port": s["port"],
        "proto": s["proto"],
        "address": s["address"],
        "process": s["process"],
        "user": s["user"],
    }


@check(
    id="LNX-NET-001",
    title=Text(
        zh="高危端口（数据库、远程桌面、文件共享、Telnet 等）未在所有网络接口上监听",
        en="High-risk ports (databases, remote desktop, file sharing, telnet ...) are not listening on all interfaces",
    ),
    remediation=Text(
        zh="让服务只监听 127.0.0.1 或内网地址（如 MySQL 的 bind-address=127.0.0.1、Redis 的 bind 127.0.0.1），停用不需要的服务（systemctl disable --now <服务>），并在主机防火墙中拒绝这些端口的外部访问。",
        en="Bind the service to 127.0.0.1 or an internal address (e.g. MySQL bind-address=127.0.0.1, Redis 'bind 127.0.0.1'), disable services you do not need (systemctl disable --now <unit>), and block the ports in the host firewall.",
    ),
    severity=Severity.CRITICAL,
    mlps=("L3-CES1-18",),
    domains=(InsurerDomain.EXPOSURE,),
    coverage=(CoverageLine.DATA_BREACH_LIABILITY, CoverageLine.CYBER_EXTORTION, CoverageLine.BUSINESS_INTERRUPTION),
    needs=(LISTENING,),
    high_risk_case="6.4.3.1",
    params={"high_risk_ports": sorted(HIGH_RISK_PORTS)},
)
def high_risk_ports(ev: EvidenceView, p: Params) -> Verdict:
    facts = ev.facts(LISTENING)
    ports = {int(x) for x in p["high_risk_ports"]}
    hits = [_brief(s) for s in _exposed(facts["sockets"]) if s["port"] in ports]
    if hits:
        names = sorted({f"{h['port']}/{HIGH_RISK_PORTS.get(int(h['port']), '?')}" for h in hits})
        return Verdict.fail(f"high-risk ports listening on all interfaces: {', '.join(names)}", listening=hits)
    return Verdict.ok("no high-risk port listens on a wildcard address", checked_ports=len(ports))


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
    mlps=("L3-CES1-03", "L3-CES1-27"),
    domains=(InsurerDomain.ENCRYPTION_TRANSIT, InsurerDomain.EXPOSURE),
    coverage=(CoverageLine.DATA_BREACH_LIABILITY, CoverageLine.CYBER_EXTORTION),
    needs=(LISTENING, SERVICES),
    high_risk_case="6.4.1.2",
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
)
def plaintext_protocols(ev: EvidenceView, p: Params) -> Verdict:
    sockets = ev.facts(LISTENING)["sockets"]
    services = ev.facts(SERVICES)
    ports = {int(x) for x in p["plaintext_ports"]}
    listening = [_brief(s) for s in sockets if s["port"] in ports and s["scope"] != "loopback"]
    # udp/514 is syslog, not rsh
    listening = [s for s in listening if not (s["port"] == 514 and str(s["proto"]).startswith("udp"))]
    units = sorted(set(p["plaintext_units"]) & set(services["enabled"]))
    names = set(p["plaintext_superserver_services"])
    supers = sorted(f"{e['service']} ({e['source']})" for e in services["superserver"] if e["enabled"] and e["service"] in names)
    if listening or units or supers:
        return Verdict.fail(
            "plaintext remote-access protocols are enabled",
            listening=listening,
            enabled_units=units,
            superserver_entries=supers,
        )
    return Verdict.ok("no telnet, r-services, FTP or TFTP server listening or enabled")


def _firewall_summary(fw: FirewallFacts) -> Dict[str, Any]:
    return {
        "installed": fw["installed"],
        "active": fw["active"],
        "default_deny_inbound": fw["default_deny_inbound"],
        "default_deny_inbound_v6": fw["default_deny_inbound_v6"],
    }


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
    mlps=("L3-ABS1-05", "L3-ABS1-06"),
    domains=(InsurerDomain.SEGMENTATION, InsurerDomain.EXPOSURE),
    coverage=(CoverageLine.DATA_BREACH_LIABILITY, CoverageLine.BUSINESS_INTERRUPTION),
    needs=(FIREWALL,),
    needs_root=True,
)
def firewall_default_deny(ev: EvidenceView, p: Params) -> Verdict:
    fw = ev.facts(FIREWALL)
    obs = _firewall_summary(fw)
    if fw["none_installed"]:
        return Verdict.fail("no host firewall (nftables, iptables, ufw, firewalld) is installed", **obs)
    if fw["default_deny_inbound"]:
        return Verdict.ok("inbound IPv4 traffic is denied by default", **obs)
    if not fw["active"]:
        return Verdict.fail("a firewall is installed but no filtering rules are active", **obs)
    return Verdict.fail("the firewall is active but inbound traffic is accepted by default", **obs)


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
    mlps=("L3-ABS1-05",),
    domains=(InsurerDomain.SEGMENTATION, InsurerDomain.EXPOSURE),
    coverage=(CoverageLine.DATA_BREACH_LIABILITY,),
    needs=(FIREWALL, LISTENING),
    needs_root=True,
)
def firewall_ipv6(ev: EvidenceView, p: Params) -> Verdict:
    fw = ev.facts(FIREWALL)
    sockets = ev.facts(LISTENING)["sockets"]
    v6 = [s for s in sockets if s["proto"].endswith("6") and s["scope"] != "loopback"]
    obs = _firewall_summary(fw)
    if fw["default_deny_inbound_v6"]:
        return Verdict.ok("inbound IPv6 traffic is denied by default", **obs)
    if not v6:
        return Verdict.na("no service listens on an IPv6 address", **obs)
    return Verdict.fail(
        "services listen on IPv6 but inbound IPv6 is not denied by default",
        ipv6_listening=sorted({s["port"] for s in v6}),
        **obs,
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
)
def admin_source_restricted(ev: EvidenceView, p: Params) -> Verdict:
    fw = ev.facts(FIREWALL)
    sockets = ev.facts(LISTENING)["sockets"]
    admin = {int(x) for x in p["admin_ports"]}
    exposed = sorted({s["port"] for s in _exposed(sockets, include_specific=True) if s["port"] in admin})
    if not exposed:
        return Verdict.na("no remote-administration port listens on a non-loopback address")
    if not fw["default_deny_inbound"]:
        return Verdict.fail(
            "admin ports are reachable from any address: inbound traffic is not denied by default", admin_ports=exposed
        )
    open_to_all: List[int] = []
    for a in fw["input_accepts"]:
        if a["source"]:
            continue
        ports = a["ports"]
        if not ports:  # an accept rule without port or source opens everything
            open_to_all.extend(exposed)
        open_to_all.extend(x for x in ports if x in exposed)
    if open_to_all:
        return Verdict.fail("firewall accepts admin ports from any source address", unrestricted_ports=sorted(set(open_to_all)))
    jumps = fw.get("unresolved_jumps", [])
    if jumps:
        # rules in the jumped-to chains are not analysed: they may open the ports to anyone
        return Verdict.manual(
            "inbound rules jump to user-defined chains that were not analysed; review them for admin-port accepts",
            admin_ports=exposed,
            chains=sorted({j["target"] for j in jumps})[:20],
        )
    return Verdict.ok("admin ports are only accepted from restricted source addresses", admin_ports=exposed)


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
)
def exposed_service_count(ev: EvidenceView, p: Params) -> Verdict:
    sockets = ev.facts(LISTENING)["sockets"]
    ports = sorted({s["port"] for s in _exposed(sockets, include_specific=True)})
    limit = int(p["max_exposed_ports"])
    if len(ports) > limit:
        return Verdict.fail(f"{len(ports)} ports listen on non-loopback addresses (limit {limit})", ports=ports)
    return Verdict.ok(f"{len(ports)} port(s) listen on non-loopback addresses (limit {limit})", ports=ports)
