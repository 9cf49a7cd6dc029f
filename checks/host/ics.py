"""Checks for Linux-based industrial-control gateways (profile ``ics-gateway``).

These cover the agent-checkable part of the MLPS ICS extension (GB/T 22239
8.5): no e-mail/web/telnet/rlogin/FTP crossing the IT/OT boundary, industrial
services reachable only from the OT side, removable media disabled, no
remote-control tools, and untampered system and industrial software.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, Set, Tuple

from checks.host.kernel import judge_modules, module_messages
from checks.messages import message
from checks.model import CoverageLine, InsurerDomain, Severity, Text, Verdict
from checks.registry import EvidenceView, Params, check
from collectors.host.ics import ICS_GATEWAY, IndustrialListener
from collectors.host.kernel import IP_FORWARD, IPV6_FORWARDING, KERNEL_MODULES, SYSCTL, USB_STORAGE, SysctlFacts
from collectors.host.network import (
    FIREWALL,
    FORWARD_WATCH_PORTS,
    NFT_FAMILIES,
    AcceptRule,
    FirewallFacts,
    IptablesBackend,
    NftablesBackend,
)
from collectors.host.osinfo import OS
from collectors.host.services import REMOTE_ACCESS
from collectors.profile import Profile

PROFILES = (Profile.ICS_GATEWAY,)

# Protocols MLPS 8.5.3.1 a forbids across the ICS boundary, by port.
FORBIDDEN_PORTS: Dict[int, str] = {
    25: "smtp",
    110: "pop3",
    143: "imap",
    465: "smtps",
    587: "submission",
    993: "imaps",
    995: "pop3s",
    80: "http",
    443: "https",
    8080: "http-alt",
    23: "telnet",
    21: "ftp",
    513: "rlogin",
    514: "rsh",
}
# Ports host.firewall reports in iptables' coarse forward summary.
IPT_VISIBLE_PORTS = frozenset(FORWARD_WATCH_PORTS)
ALL = frozenset(FORBIDDEN_PORTS)


# -- LNX-ICS-001: forwarding across the boundary ------------------------------


def _runtime(sysctl: SysctlFacts, key: str) -> Optional[str]:
    k = sysctl["keys"].get(key)
    return k["runtime"] if k is not None else None


def _runtime_on(sysctl: SysctlFacts, key: str) -> bool:
    return _runtime(sysctl, key) == "1"


def _forwarding_keys(sysctl: SysctlFacts) -> List[str]:
    """The forwarding switches that exist: IPv6's only when the running kernel has IPv6."""
    if sysctl.get("proc_sys", True) and not sysctl.get("ipv6", True):
        return [IP_FORWARD]
    return [IP_FORWARD, IPV6_FORWARDING]


def forwarding_families(sysctl: SysctlFacts) -> List[str]:
    on = []
    if _runtime_on(sysctl, IP_FORWARD):
        on.append("v4")
    if _runtime_on(sysctl, IPV6_FORWARDING):
        on.append("v6")
    return on


def _accepted(accepts: Sequence[AcceptRule]) -> Set[int]:
    if any(not a["ports"] for a in accepts):
        return set(ALL)
    return {p for a in accepts for p in a["ports"] if p in ALL}


def _nft_filters(backend: NftablesBackend, family: str) -> List[Tuple[Set[int], Set[int]]]:
    """(allowed, unknown) forbidden ports per nftables forward chain of ``family``."""
    out: List[Tuple[Set[int], Set[int]]] = []
    for c in backend.get("chains", []):
        if c["hook"] != "forward" or family not in NFT_FAMILIES.get(c["family"], ()):
            continue
        allowed = _accepted(c["accepts"]) if c["default_deny"] else set(ALL)
        out.append((allowed, set()))
    return out


def _ipt_filter(backend: IptablesBackend) -> List[Tuple[Set[int], Set[int]]]:
    """iptables' coarse forward summary: ports outside its watch list stay unjudged under a drop policy."""
    fwd = backend.get("forward")
    if fwd is None:
        return []  # no legacy tables loaded, or the front end was not readable
    watched = set(fwd["watched_ports_allowed"])
    if not fwd["default_deny"] or watched >= IPT_VISIBLE_PORTS:
        return [(set(ALL), set())]
    return [(watched & ALL, set(ALL - IPT_VISIBLE_PORTS))]


def forward_exposure(firewall: FirewallFacts, family: str) -> Tuple[Set[int], Set[int], List[str]]:
    """Forbidden ports a forwarded packet of ``family`` gets through, ports not judged, filters seen.

    In netfilter every forward hook must accept a packet, so the open set is
    the intersection over all forward filters; no filter means all open.
    """
    backends = firewall["backends"]
    filters: List[Tuple[Set[int], Set[int]]] = []
    seen: List[str] = []
    unjudged: Set[int] = set()
    for name in backends:  # in probe order
        if name == "nftables":
            found = _nft_filters(backends["nftables"], family)
        elif name == "iptables" and family == "v4":
            found = _ipt_filter(backends["iptables"])
        elif name == "ip6tables" and family == "v6":
            found = _ipt_filter(backends["ip6tables"])
        elif (name == "firewalld" and backends["firewalld"].get("active")) or (name == "ufw" and backends["ufw"].get("active")):
            seen.append(name)
            unjudged = set(ALL)  # forward policy of these front ends is not in the evidence
            continue
        else:
            continue
        if found:
            seen.append(name)
            filters.extend(found)
    allowed = set(ALL)
    unknown: Set[int] = set()
    for a, u in filters:
        allowed &= a | u
        unknown |= u
    unknown = (unknown & allowed) | (unjudged & allowed)
    return allowed - unknown, unknown, seen


def _named(ports: Set[int]) -> List[str]:
    return [f"{p}/{FORBIDDEN_PORTS[p]}" for p in sorted(ports)]


FORWARDING_UNREADABLE = message(
    "LNX-ICS-001/forwarding-unreadable",
    en="the runtime forwarding state could not be read ({keys} not in /proc/sys)",
    zh="无法读取运行时转发状态（/proc/sys 中没有 {keys}）",
)
FIREWALL_UNREADABLE = message(
    "LNX-ICS-001/firewall-unreadable",
    en="IP forwarding is off at runtime, but the firewall evidence could not be read ({detail}); confirm the forward policy as root",
    zh="运行时 IP 转发已关闭，但无法读取防火墙证据（{detail}）；请以 root 身份核实转发策略",
)
FIREWALL_NOT_COLLECTED = message(
    "LNX-ICS-001/firewall-not-collected",
    en="IP forwarding is off at runtime, but the firewall evidence could not be read (not collected); "
    "confirm the forward policy as root",
    zh="运行时 IP 转发已关闭，但未采集防火墙证据；请以 root 身份核实转发策略",
)
FORWARDING_OFF = message(
    "LNX-ICS-001/forwarding-off",
    en="IP forwarding is off: the gateway routes nothing across the boundary",
    zh="IP 转发已关闭：网关不跨边界转发任何流量",
)
FORWARDED = message(
    "LNX-ICS-001/forwarded",
    en="forwarding is on ({families}) and the forward filter lets through: {ports}",
    zh="转发已开启（{families}），且转发过滤放行：{ports}",
)
FORWARD_UNJUDGED = message(
    "LNX-ICS-001/unjudged",
    en="forwarding is on; the firewall evidence cannot show whether {ports} may cross; review the forward rules",
    zh="转发已开启；防火墙证据无法表明 {ports} 能否跨越边界，请核查转发规则",
)
FORWARD_FILTERED = message(
    "LNX-ICS-001/filtered",
    en="forwarding is on but the forward filter blocks mail, web, telnet, rlogin and FTP",
    zh="转发已开启，但转发过滤阻断了邮件、Web、Telnet、Rlogin 与 FTP",
)


@check(
    id="LNX-ICS-001",
    title=Text(
        zh="工控网关不转发邮件、Web、Telnet、Rlogin、FTP 等通用网络服务（IT/OT 边界）",
        en="The ICS gateway does not forward e-mail, web, telnet, rlogin or FTP traffic across the IT/OT boundary",
    ),
    remediation=Text(
        zh="不需要路由时关闭转发（/etc/sysctl.d/60-ics.conf 写入 net.ipv4.ip_forward = 0 后 sysctl --system）；"
        "需要转发时将 FORWARD 默认策略设为丢弃（nft：chain forward { type filter hook forward priority filter; policy drop; }，"
        "或 iptables -P FORWARD DROP），只放行经审批的工业协议端口与地址对。",
        en="If the gateway need not route, turn forwarding off (net.ipv4.ip_forward = 0 in /etc/sysctl.d/60-ics.conf, then "
        "sysctl --system); otherwise set the forward policy to drop (nft: 'policy drop;' in the forward chain, or "
        "'iptables -P FORWARD DROP') and accept only the approved industrial ports between named address pairs.",
    ),
    severity=Severity.CRITICAL,
    mlps=("L3-ABS5-01", "L3-CNS5-01"),
    high_risk_case="10.3.1.1",
    domains=(InsurerDomain.SEGMENTATION, InsurerDomain.EXPOSURE),
    coverage=(CoverageLine.BUSINESS_INTERRUPTION, CoverageLine.CYBER_EXTORTION),
    needs=(SYSCTL, FIREWALL),
    needs_root=True,
    profiles=PROFILES,
    basis="Forwarding e-mail, web, telnet, rlogin or FTP between IT and OT is exactly what 8.5.3.1 a forbids; case 10.3.1.1 allows no mitigation.",
)
def boundary_forwarding(ev: EvidenceView, p: Params) -> Verdict:
    """Mail, web and clear-text login protocols are how IT-side malware reaches control networks."""
    sysctl = ev.facts(SYSCTL)
    families = forwarding_families(sysctl)
    unread = [k for k in _forwarding_keys(sysctl) if _runtime(sysctl, k) is None]
    if unread and not families:
        return Verdict.error(FORWARDING_UNREADABLE(keys=unread), unread=unread)
    if not families:
        fw_ev = ev.get(FIREWALL)
        if ev.optional(FIREWALL) is None:
            # Forwarding off settles the question, but this check also reads the firewall, which failed:
            # the finding says what is known instead of passing on half of its evidence.
            why = FIREWALL_UNREADABLE(detail=fw_ev.reason) if fw_ev is not None else FIREWALL_NOT_COLLECTED()
            return Verdict.manual(why, forwarding=[])
        return Verdict.ok(FORWARDING_OFF(), forwarding=[])
    firewall = ev.facts(FIREWALL)
    open_ports: Set[int] = set()
    unknown: Set[int] = set()
    filters: List[str] = []
    for fam in families:
        o, u, seen = forward_exposure(firewall, fam)
        open_ports |= o
        unknown |= u - o
        filters += [s for s in seen if s not in filters]
    observed = {"forwarding": families, "filters": filters}
    if open_ports:
        return Verdict.fail(
            FORWARDED(families="/".join(families), ports=_named(open_ports)),
            forwarded_ports=sorted(open_ports),
            **observed,
        )
    if unknown:
        return Verdict.manual(FORWARD_UNJUDGED(ports=_named(unknown)), unjudged_ports=sorted(unknown), **observed)
    return Verdict.ok(FORWARD_FILTERED(), **observed)


# -- LNX-ICS-002: industrial services reachable from the IT side ---------------


def _exposure(listener: IndustrialListener, ot: Set[str], ifaces: Dict[str, List[str]]) -> Optional[List[str]]:
    """Non-OT interfaces a listener is reachable on; None when undecidable."""
    if listener["scope"] == "loopback":
        return []
    external = [n for n in ifaces if n != "lo"]
    bound = [n for n in listener["interfaces"] if n != "lo"]
    if listener["scope"] == "wildcard":
        if ot:
            return sorted(n for n in external if n not in ot)
        return sorted(external) if len(external) >= 2 else None
    if not bound:
        return None
    if ot:
        return sorted(n for n in bound if n not in ot)
    return None


LISTENERS_OFFLINE_ROOT = message("LNX-ICS-002/offline-root", en="{detail}", zh="离线镜像评估（offline-root）：{detail}")
LISTENERS_UNAVAILABLE = message(
    "LNX-ICS-002/listeners-unavailable",
    en="industrial listeners unavailable: {detail}",
    zh="无法取得工业协议监听信息：{detail}",
)
UNKNOWN_INTERFACES = message(
    "LNX-ICS-002/unknown-interfaces",
    en="ot_interfaces names unknown interface(s): {interfaces}",
    zh="参数 ot_interfaces 中有不存在的接口：{interfaces}",
)
EXPOSED = message(
    "LNX-ICS-002/exposed",
    en="{count} industrial listener(s) reachable on non-OT interfaces: {listeners}",
    zh="{count} 个工业协议监听可从非 OT 侧接口访问：{listeners}",
)
UNDECIDED = message(
    "LNX-ICS-002/undecided",
    en="cannot tell which side {listeners} face; declare the OT-side interfaces with the ot_interfaces parameter",
    zh="无法判断 {listeners} 面向哪一侧；请用参数 ot_interfaces 声明 OT 侧接口",
)
NO_INDUSTRIAL = message("LNX-ICS-002/none-listening", en="no industrial protocol port is listening", zh="没有工业协议端口在监听")
OT_SIDE_ONLY = message(
    "LNX-ICS-002/ot-side-only",
    en="{count} industrial listener(s), all on loopback or OT-side interfaces",
    zh="{count} 个工业协议监听，全部位于回环或 OT 侧接口",
)


@check(
    id="LNX-ICS-002",
    title=Text(
        zh="工业协议服务（Modbus、S7、EtherNet/IP、OPC UA、BACnet、DNP3、IEC 104、Fox、MQTT）仅在 OT 侧接口监听",
        en="Industrial protocol services (Modbus, S7, EtherNet/IP, OPC UA, BACnet, DNP3, IEC-104, Fox, MQTT) listen only on OT-side interfaces",
    ),
    remediation=Text(
        zh="把工业服务绑定到 OT 侧地址（如 mbusd -A 192.168.100.1、OPC UA 服务器 endpoint 使用 OT 地址），不要绑定 0.0.0.0/::；"
        '并在防火墙 input 链中只允许 OT 网段访问这些端口（nft：iifname "eth1" tcp dport 502 accept）。'
        "用参数 ot_interfaces 声明 OT 侧接口名。",
        en="Bind industrial services to the OT-side address (e.g. 'mbusd -A 192.168.100.1', an OPC UA endpoint URL on the "
        "OT address), never 0.0.0.0/::, and accept these ports only from the OT interface in the input chain "
        '(nft: iifname "eth1" tcp dport 502 accept). Declare the OT-side interfaces with the ot_interfaces parameter.',
    ),
    severity=Severity.CRITICAL,
    mlps=("L3-CNS5-01", "L3-CNS5-02"),
    high_risk_case="10.2.1.1",
    domains=(InsurerDomain.SEGMENTATION, InsurerDomain.EXPOSURE),
    coverage=(CoverageLine.BUSINESS_INTERRUPTION, CoverageLine.CYBER_EXTORTION),
    needs=(ICS_GATEWAY,),
    params={"ot_interfaces": []},
    profiles=PROFILES,
    basis="An industrial service reachable on the IT-side interface means the ICS is not isolated from the enterprise (8.5.2.1 a, case 10.2.1.1 item 2).",
)
def industrial_ports_it_side(ev: EvidenceView, p: Params) -> Verdict:
    """Industrial protocols have no authentication: whoever reaches the port can write to the process.

    A wildcard bind on a host with two or more network interfaces is judged
    exposed even without ``ot_interfaces``: a gateway always has an IT side.
    What counts as an industrial service is decided by the collector from the
    transport as well as the port (EtherNet/IP I/O is UDP 2222, explicit
    messaging TCP 44818) and from the program (an sshd on TCP 2222 is SSH);
    the sockets set aside are listed with the reason.
    """
    facts = ev.facts(ICS_GATEWAY)
    listeners_part = facts["industrial"]
    iface_part = facts["interfaces"]
    if "error" in listeners_part:
        if str(listeners_part["error"]).startswith("offline-root:"):  # an image: no socket exists to judge
            return Verdict.na(LISTENERS_OFFLINE_ROOT(detail=listeners_part["error"]))
        return Verdict.error(LISTENERS_UNAVAILABLE(detail=listeners_part["error"]))
    listeners = listeners_part["listeners"]
    ifaces = iface_part["interfaces"]
    ot = {str(n) for n in p.get("ot_interfaces") or []}
    if ot - set(ifaces) and ifaces:
        return Verdict.error(UNKNOWN_INTERFACES(interfaces=sorted(ot - set(ifaces))))
    exposed: List[Dict[str, Any]] = []
    undecided: List[str] = []
    for row in listeners:
        bad = _exposure(row, ot, ifaces)
        label = f"{row['protocol']} {row['address']}:{row['port']}"
        if bad is None:
            undecided.append(label)
        elif bad:
            exposed.append({"listener": label, "process": row.get("process"), "non_ot_interfaces": bad})
    set_aside = [
        f"{r['proto']} {r['address']}:{r['port']} ({r['process'] or 'owner unknown'}): {r['reason']}"
        for r in listeners_part.get("set_aside", [])
    ]
    observed: Dict[str, Any] = {"ot_interfaces": sorted(ot), "interfaces": sorted(ifaces)}
    if set_aside:
        observed["not_industrial"] = set_aside
    if exposed:
        return Verdict.fail(
            EXPOSED(count=len(exposed), listeners=[f"{e['listener']} ({'/'.join(e['non_ot_interfaces'])})" for e in exposed]),
            exposed=exposed,
            **observed,
        )
    if undecided:
        return Verdict.manual(UNDECIDED(listeners=undecided), undecided=undecided, **observed)
    if not listeners:
        return Verdict.ok(NO_INDUSTRIAL(), **observed)
    return Verdict.ok(OT_SIDE_ONLY(count=len(listeners)), **observed)


# -- LNX-ICS-003: removable media ------------------------------------------------


_USB_MSGS = module_messages("LNX-ICS-003", "USB storage on the ICS gateway", "工控网关的 USB 存储驱动")


@check(
    id="LNX-ICS-003",
    title=Text(
        zh="工控网关禁用 USB 存储设备（usb-storage 驱动不可加载）",
        en="USB mass storage is disabled on the ICS gateway (usb-storage cannot load)",
    ),
    remediation=Text(
        zh="在 /etc/modprobe.d/ics-usb.conf 写入 install usb-storage /bin/false 和 blacklist usb-storage，执行 modprobe -r usb-storage；"
        "确需保留的 USB 接口须登记并采用 USBGuard 等白名单监控。",
        en="Write 'install usb-storage /bin/false' and 'blacklist usb-storage' to /etc/modprobe.d/ics-usb.conf and run "
        "'modprobe -r usb-storage'; any USB port that must stay in use is registered and controlled by an allow-list (e.g. USBGuard).",
    ),
    severity=Severity.HIGH,
    mlps=("L3-CES5-03",),
    domains=(InsurerDomain.ENDPOINT_PROTECTION, InsurerDomain.HARDENING),
    coverage=(CoverageLine.BUSINESS_INTERRUPTION, CoverageLine.DATA_BREACH_LIABILITY),
    needs=(KERNEL_MODULES, OS),
    profiles=PROFILES,
    basis="A USB mass-storage driver that cannot load disables the USB interface for storage (8.5.4.1 c).",
)
def ics_usb_storage(ev: EvidenceView, p: Params) -> Verdict:
    """USB sticks are the classic way malware crosses an air gap into control networks (Stuxnet)."""
    return judge_modules(ev, [USB_STORAGE], _USB_MSGS)


# -- LNX-ICS-004: remote-control tools ---------------------------------------------


REMOTE_TOOLS = message(
    "LNX-ICS-004/found", en="remote-access software on the ICS gateway: {tools}", zh="工控网关上有远程访问软件：{tools}"
)
REMOTE_NO_PROCESS_TABLE = message(
    "LNX-ICS-004/no-process-table",
    en="no known remote-control or tunnelling software in the unit files or install paths, but no process table "
    "was observed (an offline tree)",
    zh="单元文件与安装路径中没有已知的远程控制或隧道软件，但未观察到进程表（离线目录树）",
)
NO_REMOTE_TOOLS = message(
    "LNX-ICS-004/none", en="no known remote-control or tunnelling software found", zh="未发现已知的远程控制或隧道软件"
)


@check(
    id="LNX-ICS-004",
    title=Text(
        zh="工控网关上无第三方远程控制或内网穿透工具",
        en="No third-party remote-control or tunnelling tool on the ICS gateway",
    ),
    remediation=Text(
        zh="卸载远程控制与隧道软件（如 apt purge anydesk teamviewer；systemctl disable --now frpc.service 并删除 /etc/frp）；"
        "厂商远程维护改为经审批、限时开放的 VPN + 堡垒机，会话全程审计。",
        en="Remove remote-control and tunnel software (e.g. 'apt purge anydesk teamviewer'; 'systemctl disable --now frpc.service' "
        "and delete /etc/frp); vendor remote maintenance goes through an approved, time-limited VPN and bastion host with recorded sessions.",
    ),
    severity=Severity.CRITICAL,
    mlps=("L3-ABS1-01", "L3-ABS5-01", "L3-CES1-19"),
    domains=(InsurerDomain.THIRD_PARTY_ACCESS, InsurerDomain.SEGMENTATION),
    coverage=(CoverageLine.CYBER_EXTORTION, CoverageLine.BUSINESS_INTERRUPTION),
    needs=(REMOTE_ACCESS,),
    profiles=PROFILES,
    basis="Remote-control or tunnelling tools open a path across the boundary that no boundary device controls (8.1.3.1 a, 8.5.3.1 a) and bypass the admin-terminal restriction (8.1.4.4 c).",
)
def ics_remote_tools(ev: EvidenceView, p: Params) -> Verdict:
    """A remote-desktop tool on a gateway is an unaudited path from the internet into the control network."""
    facts = ev.facts(REMOTE_ACCESS)
    tools = [t["tool"] for t in facts["remote_tools"] + facts["tunnel_tools"]]
    if tools:
        return Verdict.fail(REMOTE_TOOLS(tools=tools), tools=tools)
    if not facts.get("processes_observed", True):
        return Verdict.manual(REMOTE_NO_PROCESS_TABLE())
    return Verdict.ok(NO_REMOTE_TOOLS())


# -- LNX-ICS-005: package and firmware integrity -----------------------------------


INTEGRITY_UNAVAILABLE = message(
    "LNX-ICS-005/unavailable", en="package integrity unavailable: {detail}", zh="无法取得软件包完整性信息：{detail}"
)
INTEGRITY_UNSUPPORTED = message(
    "LNX-ICS-005/not-verified", en="package integrity not verified: {detail}", zh="未校验软件包完整性：{detail}"
)
CHANGED = message("LNX-ICS-005/changed", en="changed: {changed}", zh="文件已被改动：{changed}")
MISSING = message("LNX-ICS-005/missing", en="missing: {missing}", zh="文件缺失：{missing}")
CHANGED_AND_MISSING = message(
    "LNX-ICS-005/changed-and-missing",
    en="changed: {changed}; missing: {missing}",
    zh="文件已被改动：{changed}；文件缺失：{missing}",
)
TRUNCATED = message(
    "LNX-ICS-005/truncated",
    en="checking stopped at the {limit} limit; {count} file(s) not verified",
    zh="校验因达到 {limit} 上限而停止；{count} 个文件未校验",
)
UNREADABLE = message(
    "LNX-ICS-005/unreadable",
    en="{count} file(s) could not be read (run as root)",
    zh="{count} 个文件无法读取（请以 root 身份运行）",
)
NO_MD5SUMS = message(
    "LNX-ICS-005/no-md5sums",
    en="no package in the verified set has a dpkg md5sums list",
    zh="待校验的软件包均没有 dpkg md5sums 清单",
)
INTACT = message(
    "LNX-ICS-005/intact",
    en="{files} file(s) of {packages} package(s) match dpkg's checksums",
    zh="{packages} 个软件包的 {files} 个文件与 dpkg 记录的校验值一致",
)


@check(
    id="LNX-ICS-005",
    title=Text(
        zh="系统关键软件与工业软件包文件完整（与包管理器记录的校验值一致）",
        en="Files of key system and industrial packages match the package manager's recorded checksums",
    ),
    remediation=Text(
        zh="核实被改动的文件来源（dpkg -V <包名>），从可信介质重新安装（apt install --reinstall <包名>），"
        "并排查入侵；上线或更新前对固件/软件包做恶意代码检测。",
        en="Investigate each changed file ('dpkg -V <package>'), reinstall the package from a trusted source "
        "('apt install --reinstall <package>') and look for an intrusion; scan firmware and packages for malware before deployment or update.",
    ),
    severity=Severity.HIGH,
    mlps=("L3-CES1-26", "L3-CES1-24"),
    domains=(InsurerDomain.INTEGRITY_BOOT, InsurerDomain.ENDPOINT_PROTECTION),
    coverage=(CoverageLine.BUSINESS_INTERRUPTION, CoverageLine.INCIDENT_RESPONSE),
    needs=(ICS_GATEWAY,),
    needs_root=True,
    profiles=PROFILES,
    basis="Files matching the package manager's checksums show integrity of installed programs (8.1.4.7 b), a partial form of trusted verification (8.1.4.6 a).",
)
def package_integrity(ev: EvidenceView, p: Params) -> Verdict:
    """A replaced sshd, sudo or PLC runtime is how intruders persist; an incomplete check is never a pass."""
    integ = ev.facts(ICS_GATEWAY)["integrity"]
    if "error" in integ:
        return Verdict.error(INTEGRITY_UNAVAILABLE(detail=integ["error"]))
    if not integ["supported"]:
        return Verdict.manual(INTEGRITY_UNSUPPORTED(detail=integ["reason"]), method=integ.get("method"))
    mismatches = list(integ["mismatches"])
    missing = list(integ["missing"])
    counts: Dict[str, Any] = {
        "packages": list(integ["packages"]),
        "files_checked": integ["files_checked"],
        "unreadable": integ.get("unreadable", 0),
        "not_checked": integ.get("not_checked", 0),
    }
    if mismatches or missing:
        changed = [f"{m['path']} ({m['package']})" for m in mismatches[:10]]
        gone = [f"{m['path']} ({m['package']})" for m in missing[:10]]
        if changed and gone:
            reason = CHANGED_AND_MISSING(changed=changed, missing=gone)
        elif changed:
            reason = CHANGED(changed=changed)
        else:
            reason = MISSING(missing=gone)
        return Verdict.fail(reason, mismatches=mismatches[:50], missing=missing[:50], **counts)
    if integ.get("truncated"):
        return Verdict.manual(TRUNCATED(limit=integ.get("limit_hit"), count=counts["not_checked"]), **counts)
    if counts["unreadable"]:
        return Verdict.manual(UNREADABLE(count=counts["unreadable"]), **counts)
    if not counts["packages"]:
        return Verdict.manual(NO_MD5SUMS(), **counts)
    return Verdict.ok(INTACT(files=counts["files_checked"], packages=len(counts["packages"])), **counts)
