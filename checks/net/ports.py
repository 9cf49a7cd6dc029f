"""Exposure seen from outside: what nmap found open on a host or network target.

Services are judged by port number AND by what nmap's version detection
says is listening, so a database moved to an odd port is still a database.
A scan that gave up on some host never yields PASS (it yields ERROR unless a
failure was already found on the hosts that did answer). A PASS says which
UDP ports were scanned, or that UDP was not assessed and why: it never
speaks for UDP services (TFTP, NetBIOS) it did not look at.
"""

from __future__ import annotations

import re
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

from checks.messages import Template, message
from checks.model import CheckLevel, CoverageLine, InsurerDomain, Reason, Severity, Text, Verdict
from checks.portlists import HIGH_RISK_PORTS, PLAINTEXT_PORTS
from checks.registry import EvidenceView, Params, check
from collectors.net.ports_facts import PORTS, OpenPortFacts, PortsFacts
from collectors.profile import Profile

NEEDS = (PORTS,)
PROFILES = (Profile.WEBSITE, Profile.SERVER)

# nmap service names for the same services (nmap-services / nmap-service-probes spelling).
HIGH_RISK_SERVICES = (
    "ftp",
    "telnet",
    "tftp",
    "rpcbind",
    "msrpc",
    "netbios-ssn",
    "microsoft-ds",
    "exec",
    "login",
    "shell",
    "rsync",
    "ms-sql-s",
    "oracle-tns",
    "nfs",
    "docker",
    "mysql",
    "ms-wbt-server",
    "postgresql",
    "redis",
    "memcached",
    "mongodb",
    "mongod",
    "vnc",
    "elasticsearch",
)
# Substrings of nmap product names that identify the same services behind generic names (e.g. "http").
HIGH_RISK_PRODUCTS = (
    "elasticsearch rest api",
    "redis",
    "memcached",
    "mongodb",
    "mysql",
    "mariadb",
    "postgresql",
    "microsoft sql server",
    "oracle tns",
    "docker remote api",
    "samba smbd",
)

# Remote administration or file transfer whose credentials and session travel in clear text.
PLAINTEXT_SERVICES = ("telnet", "ftp", "tftp", "exec", "login", "shell", "vnc", "x11")
# Web management consoles: a plaintext problem when served over http without TLS.
ADMIN_CONSOLE_PRODUCTS = (
    "webmin",
    "miniserv",
    "cockpit",
    "jenkins",
    "rabbitmq management",
    "kibana",
    "portainer",
    "phpmyadmin",
    "kubernetes",
    "docker remote api",
)
UNIDENTIFIED = ("", "unknown", "tcpwrapped")

# Management planes: whoever reaches them controls the system.
MANAGEMENT_PORTS: Dict[int, str] = {
    2375: "docker-api",
    2376: "docker-api-tls",
    2379: "etcd",
    5601: "kibana",
    6443: "kubernetes-api",
    9090: "cockpit/prometheus",
    9200: "elasticsearch",
    10000: "webmin",
    10250: "kubelet",
    15672: "rabbitmq-management",
}
MANAGEMENT_SERVICES = ("docker", "kubernetes", "etcd")
MANAGEMENT_PRODUCTS = (*ADMIN_CONSOLE_PRODUCTS, "elasticsearch rest api", "etcd", "consul", "grafana")

# nmap product (lower case) -> (oldest version still supported, why). Basis as of 2025: upstream
# end of life AND no mainstream (non-paid) distribution support left for anything older.
EOL_MINIMUM: Dict[str, Tuple[str, str]] = {
    "openssh": (
        "8.0",
        "upstream supports only current releases; RHEL 8 (8.0p1) is the oldest supported distribution build; RHEL 7 (7.4) ended 2024-06, Ubuntu 18.04 (7.6) 2023-05",
    ),
    "apache httpd": ("2.4", "Apache httpd 2.2 reached end of life in 2017-12 (last release 2.2.34)"),
    "nginx": (
        "1.18",
        "upstream supports only the current stable/mainline; 1.18 is the oldest shipped by a supported distribution (Ubuntu 22.04, Debian 11)",
    ),
    "microsoft iis httpd": (
        "10.0",
        "IIS 7.5/8.0/8.5 ship with Windows Server 2008 R2/2012/2012 R2, out of support since 2020-01 and 2023-10",
    ),
    "php": ("8.1", "PHP 8.0 reached end of life on 2023-11-26 (7.4 on 2022-11-28)"),
    "openssl": ("1.1.1", "OpenSSL 1.0.2 reached end of life on 2019-12-31"),
    "mysql": ("8.0", "MySQL 5.6 reached end of life in 2021-02, 5.7 in 2023-10"),
    "mariadb": ("10.5", "MariaDB 10.4 reached end of life in 2024-06 (10.3 in 2023-05)"),
    "postgresql db": ("13", "PostgreSQL 12 reached end of life on 2024-11-21"),
    "redis key-value store": ("6.0", "Redis supports only the latest releases; 5.x has had no fixes since 2021"),
    "vsftpd": ("3.0", "vsftpd 2.x has had no release since 2011 (2.3.4 shipped with a backdoor)"),
    "proftpd": ("1.3.6", "ProFTPD 1.3.5 is unmaintained (mod_copy CVE-2015-3306)"),
    "exim smtpd": (
        "4.94",
        "Exim before 4.92 is remotely exploitable (CVE-2019-10149) and older than any supported distribution build",
    ),
    "apache tomcat": ("9.0", "Apache Tomcat 8.5 reached end of life on 2024-03-31"),
}
# Components nmap reports inside extrainfo, e.g. "(Ubuntu) PHP/7.4.3 OpenSSL/1.0.2k".
_COMPONENT = re.compile(r"\b(PHP|OpenSSL)/(\d[\w.]*)", re.IGNORECASE)
_VERSION = re.compile(r"^(\d+(?:\.\d+)*)")
_MARIADB = re.compile(r"(?:^5\.5\.5-)?(\d+\.\d+(?:\.\d+)?)-MariaDB", re.IGNORECASE)


def _open_ports(ev: EvidenceView) -> Tuple[PortsFacts, Iterator[Tuple[str, OpenPortFacts]]]:
    facts = ev.facts(PORTS)

    def walk() -> Iterator[Tuple[str, OpenPortFacts]]:
        for host in facts["hosts"]:
            for port in host["open_ports"]:
                yield host["address"], port

    return facts, walk()


def _brief(address: str, port: OpenPortFacts, **extra: Any) -> Dict[str, Any]:
    out: Dict[str, Any] = {
        "address": address,
        "port": port["port"],
        "proto": port["proto"],
        "service": ("ssl/" if port["tunnel"] == "ssl" else "") + port["service"],
        "product": port["product"],
        "version": port["version"],
    }
    out.update(extra)
    return out


def _text(port: OpenPortFacts) -> str:
    return f"{port['product']} {port['extrainfo']}".lower()


def _has_any(haystack: str, needles: Sequence[str]) -> Optional[str]:
    for n in needles:
        if n.lower() in haystack:
            return n
    return None


# What a PASS adds to the check's own statement, so that it never reads as covering UDP it did not scan:
# how many open ports were seen and what was scanned of UDP ({udp_reason} is the collector's why not).
_SCAN_NOTES: Dict[str, Tuple[str, str]] = {
    "tcp-only": (
        "{open_ports} open port(s) seen; TCP only; UDP not assessed: {udp_reason}",
        "发现 {open_ports} 个开放端口；仅扫描了 TCP，未评估 UDP：{udp_reason}",
    ),
    "no-udp-scan": (
        "{open_ports} open port(s) seen; TCP only; UDP not assessed: no UDP scan",
        "发现 {open_ports} 个开放端口；仅扫描了 TCP，未进行 UDP 扫描",
    ),
    "udp": (
        "{open_ports} open port(s) seen; TCP and UDP {udp_ports}",
        "发现 {open_ports} 个开放端口；已扫描 TCP 及 UDP {udp_ports}",
    ),
    "udp-no-reply": (
        "{open_ports} open port(s) seen; TCP and UDP {udp_ports}; no reply (open|filtered) from {no_reply}",
        "发现 {open_ports} 个开放端口；已扫描 TCP 及 UDP {udp_ports}；{no_reply} 无应答（open|filtered）",
    ),
}


def _pass_messages(check_id: str, *, en: str, zh: str) -> Dict[str, Template]:
    """The PASS messages of one check: its statement (en, zh) followed by each of the scan notes."""
    return {
        note: message(f"{check_id}/pass-{note}", en=f"{en} ({note_en})", zh=f"{zh}（{note_zh}）")
        for note, (note_en, note_zh) in _SCAN_NOTES.items()
    }


def _scan_note(facts: PortsFacts) -> Tuple[str, Dict[str, Any]]:
    """Which scan note applies, and its parameters."""
    udp = facts["udp"]
    if not udp["scanned"]:
        return ("tcp-only", {"udp_reason": udp["reason"]}) if "reason" in udp else ("no-udp-scan", {})
    silent = udp.get("no_reply") or []
    if silent:
        return "udp-no-reply", {"udp_ports": udp["ports"], "no_reply": silent[:5]}
    return "udp", {"udp_ports": udp["ports"]}


SCAN_INCOMPLETE = message(
    "NET-PRT/scan-incomplete", en="scan incomplete: nmap gave up on {hosts}", zh="扫描不完整：nmap 放弃了对 {hosts} 的扫描"
)


def _verdict(
    facts: PortsFacts, hits: List[Dict[str, Any]], fail_reason: Reason, passed: Dict[str, Template], **observed: Any
) -> Verdict:
    """FAIL on hits; ERROR when part of the scan is missing; PASS otherwise, saying what was scanned."""
    incomplete = list(facts["timed_out_hosts"])
    if hits:
        return Verdict.fail(fail_reason, exposed=hits, incomplete_hosts=incomplete, **observed)
    if incomplete:
        return Verdict.error(SCAN_INCOMPLETE(hosts=incomplete[:5]), incomplete_hosts=incomplete)
    total = facts["open_ports"]
    note, params = _scan_note(facts)
    return Verdict.ok(
        passed[note](open_ports=total, **params),
        open_ports=total,
        scanned_ports=facts["ports"],
        udp=dict(facts["udp"]),
        **observed,
    )


HIGH_RISK_EXPOSED = message(
    "NET-PRT-001/exposed", en="high-risk services reachable: {services}", zh="可从外部访问高危服务：{services}"
)
HIGH_RISK_PASSED = _pass_messages("NET-PRT-001", en="no high-risk port or service is open", zh="未发现开放的高危端口或服务")


@check(
    id="NET-PRT-001",
    title=Text(
        zh="从外部不可访问高危端口（远程桌面、文件共享、数据库、缓存、Docker API 等）",
        en="High-risk ports (remote desktop, file sharing, databases, caches, Docker API ...) are not reachable from outside",
    ),
    remediation=Text(
        zh="在边界防火墙/安全组中拒绝这些端口的入站访问（如 iptables -A INPUT -p tcp --dport 6379 -j DROP），并让服务只监听 127.0.0.1 或内网地址（Redis: bind 127.0.0.1 并设置 requirepass；MySQL: bind-address=127.0.0.1）；确需远程访问时经 VPN 或堡垒机。",
        en="Drop inbound traffic to these ports at the boundary firewall / security group (e.g. iptables -A INPUT -p tcp --dport 6379 -j DROP) and bind the services to 127.0.0.1 or an internal address (Redis: 'bind 127.0.0.1' plus requirepass; MySQL: bind-address=127.0.0.1); reach them through a VPN or bastion host when remote access is needed.",
    ),
    severity=Severity.CRITICAL,
    mlps=("L3-CES1-18", "L3-ABS1-05"),
    high_risk_case="6.4.3.1",
    domains=(InsurerDomain.EXPOSURE,),
    coverage=(CoverageLine.DATA_BREACH_LIABILITY, CoverageLine.CYBER_EXTORTION, CoverageLine.BUSINESS_INTERRUPTION),
    needs=NEEDS,
    params={
        "high_risk_ports": sorted(HIGH_RISK_PORTS),
        "high_risk_services": list(HIGH_RISK_SERVICES),
        "high_risk_products": list(HIGH_RISK_PRODUCTS),
    },
    profiles=PROFILES,
    level=CheckLevel.ENDPOINT,
    basis="High-risk ports answering an outside scan are remotely reachable: case 6.4.3.1 (8.1.4.4 b).",
)
def high_risk_ports(ev: EvidenceView, p: Params) -> Verdict:
    facts, ports = _open_ports(ev)
    numbers = {int(x) for x in p["high_risk_ports"]}
    services = {str(s).lower() for s in p["high_risk_services"]}
    hits: List[Dict[str, Any]] = []
    for address, port in ports:
        service = port["service"].lower()
        if port["port"] in numbers:
            why = f"port {port['port']} ({HIGH_RISK_PORTS.get(port['port'], 'listed')})"
        elif service in services:
            why = f"service {service}"
        else:
            product = _has_any(_text(port), p["high_risk_products"])
            if product is None:
                continue
            why = f"product {product}"
        hits.append(_brief(address, port, matched=why))
    names = sorted({f"{h['port']}/{h['service'] or '?'}" for h in hits})
    return _verdict(facts, hits, HIGH_RISK_EXPOSED(services=names), HIGH_RISK_PASSED)


PLAINTEXT_EXPOSED = message(
    "NET-PRT-002/exposed",
    en="plaintext administration reachable: {services}",
    zh="可从外部访问明文远程管理服务：{services}",
)
PLAINTEXT_PASSED = _pass_messages(
    "NET-PRT-002", en="no plaintext administration protocol is open", zh="未发现开放的明文远程管理协议"
)


@check(
    id="NET-PRT-002",
    title=Text(
        zh="从外部不可访问明文远程管理协议（Telnet、rsh/rlogin/rexec、FTP、TFTP、未加密 VNC、HTTP 管理控制台）",
        en="No plaintext remote-administration protocol (telnet, rsh/rlogin/rexec, FTP, TFTP, unencrypted VNC, HTTP admin console) is reachable",
    ),
    remediation=Text(
        zh="停用明文服务（systemctl disable --now telnet.socket vsftpd），远程管理改用 SSH，文件传输改用 SFTP；VNC 只经 SSH 隧道访问（vncserver -localhost yes）；Web 管理控制台只通过 HTTPS 提供（nginx: listen 443 ssl; 并 return 301 https://$host$request_uri;），且只对管理网段开放。",
        en="Disable the plaintext services (systemctl disable --now telnet.socket vsftpd); administer over SSH and transfer files with SFTP; reach VNC only through an SSH tunnel (vncserver -localhost yes); serve web admin consoles over HTTPS only (nginx: 'listen 443 ssl;' and 'return 301 https://$host$request_uri;') and only to the management network.",
    ),
    severity=Severity.CRITICAL,
    mlps=("L3-CES1-03", "L3-CES1-27"),
    high_risk_case="6.4.1.2",
    domains=(InsurerDomain.ENCRYPTION_TRANSIT, InsurerDomain.EXPOSURE),
    coverage=(CoverageLine.DATA_BREACH_LIABILITY, CoverageLine.CYBER_EXTORTION),
    needs=NEEDS,
    params={
        "plaintext_services": list(PLAINTEXT_SERVICES),
        "plaintext_ports": sorted(PLAINTEXT_PORTS),
        "admin_console_products": list(ADMIN_CONSOLE_PRODUCTS),
    },
    profiles=PROFILES,
    level=CheckLevel.ENDPOINT,
    basis="A reachable cleartext administration protocol exposes credentials in transit (8.1.4.1 c, case 6.4.1.2).",
)
def plaintext_admin(ev: EvidenceView, p: Params) -> Verdict:
    facts, ports = _open_ports(ev)
    services = {str(s).lower() for s in p["plaintext_services"]}
    numbers = {int(x) for x in p["plaintext_ports"]}
    hits: List[Dict[str, Any]] = []
    for address, port in ports:
        if port["tunnel"] == "ssl":
            continue  # wrapped in TLS (ssl/vnc, ftps ...)
        service = port["service"].lower()
        if service in services:
            why = f"service {service}"
        elif port["port"] in numbers and service in UNIDENTIFIED:
            why = f"port {port['port']} ({PLAINTEXT_PORTS.get(port['port'], 'listed')})"
        elif service.startswith("http") and service != "https":
            console = _has_any(_text(port), p["admin_console_products"])
            if console is None:
                continue
            why = f"{console} console over plain http"
        else:
            continue
        hits.append(_brief(address, port, matched=why))
    names = sorted({f"{h['port']}/{h['service'] or '?'}" for h in hits})
    return _verdict(facts, hits, PLAINTEXT_EXPOSED(services=names), PLAINTEXT_PASSED)


def _version_tuple(text: str) -> Optional[Tuple[int, ...]]:
    m = _VERSION.match(text.strip())
    return tuple(int(x) for x in m.group(1).split(".")) if m else None


_OR_LATER = re.compile(r"^\s*(\S+)\s+or\s+(?:later|newer|higher)\b", re.IGNORECASE)


def _bounds(version: str) -> Tuple[str, Optional[str]]:
    """(lowest, highest) version nmap's string allows: "9.6.0 or later" is (9.6.0, None); "2.0.8 - 3.0.3" a range."""
    later = _OR_LATER.match(version)
    if later:
        return later.group(1), None
    low, sep, high = version.partition(" - ")
    return (low.strip(), high.strip() or None) if sep else (version, version)


def _identified(port: OpenPortFacts) -> List[Tuple[str, str]]:
    """(product key, version) pairs nmap identified on one port."""
    product = port["product"].lower()
    version = port["version"]
    out: List[Tuple[str, str]] = []
    mariadb = _MARIADB.search(version)
    if mariadb:
        out.append(("mariadb", mariadb.group(1)))
    elif product and version:
        out.append((product, version))
    for name, ver in _COMPONENT.findall(port["extrainfo"]):
        out.append((name.lower(), ver))
    return out


def _below(version: str, minimum: str) -> Optional[bool]:
    have, need = _version_tuple(version), _version_tuple(minimum)
    if have is None or need is None:
        return None
    width = max(len(have), len(need))
    return have + (0,) * (width - len(have)) < need + (0,) * (width - len(need))


def _older(version: str, minimum: str) -> Optional[bool]:
    """True when every version nmap's string allows is below ``minimum``, False when none is, else None.

    nmap often knows only a lower bound ("9.6.0 or later") or a range ("2.0.8 - 3.0.3"); a bound below
    the minimum says nothing about the version running, so it is not end of life, only unknown.
    """
    low, high = _bounds(version)
    if _below(low, minimum) is False:
        return False
    if high is not None and _below(high, minimum):
        return True
    return None


# {software} items are "<product> <version> (port <n>)", as nmap names them.
EOL_ONLY_BOUND = message(
    "NET-PRT-003/only-bound",
    en=(
        "nmap gives only a bound for {software}, which does not tell whether the version is supported; "
        "check the versions on the hosts"
    ),
    zh="nmap 对 {software} 只给出了版本范围，无法判断版本是否仍受支持；请在主机上核实版本",
)
EOL_NO_VERSION = message(
    "NET-PRT-003/no-version",
    en="nmap identified no software version on the open ports; check the versions on the hosts",
    zh="nmap 未能识别开放端口上的软件版本；请在主机上核实版本",
)
EOL_EXPOSED = message(
    "NET-PRT-003/exposed", en="end-of-life software exposed: {software}", zh="对外暴露了已停止维护的软件：{software}"
)
EOL_PASSED = _pass_messages("NET-PRT-003", en="no end-of-life software version identified", zh="未识别出已停止维护的软件版本")


@check(
    id="NET-PRT-003",
    title=Text(
        zh="对外服务未使用已停止维护（EOL）的软件版本",
        en="Exposed services do not run end-of-life software versions",
    ),
    remediation=Text(
        zh="把服务升级到仍受支持的版本（如 OpenSSH ≥ 8.0、Apache httpd 2.4、PHP ≥ 8.1、MySQL ≥ 8.0、Redis ≥ 6），或迁移到仍在维护期的发行版（apt full-upgrade / dnf upgrade）；升级前先在边界限制访问；并在 Web 服务器中隐藏版本号（nginx: server_tokens off; Apache: ServerTokens Prod）。",
        en="Upgrade to a supported release (e.g. OpenSSH >= 8.0, Apache httpd 2.4, PHP >= 8.1, MySQL >= 8.0, Redis >= 6) or move to a distribution still in support (apt full-upgrade / dnf upgrade); restrict access at the boundary until then, and stop advertising versions (nginx: 'server_tokens off;', Apache: 'ServerTokens Prod').",
    ),
    severity=Severity.HIGH,
    mlps=("L3-CES1-21",),
    domains=(InsurerDomain.PATCHING,),
    coverage=(CoverageLine.DATA_BREACH_LIABILITY, CoverageLine.CYBER_EXTORTION),
    needs=NEEDS,
    params={"eol_minimum": {k: v[0] for k, v in EOL_MINIMUM.items()}},
    profiles=PROFILES,
    level=CheckLevel.ENDPOINT,
    basis="End-of-life software on an exposed service cannot be patched (8.1.4.4 e); an indicator for case 6.4.3.2, not proof.",
)
def end_of_life_software(ev: EvidenceView, p: Params) -> Verdict:
    facts, ports = _open_ports(ev)
    table = {str(k).lower(): str(v) for k, v in p["eol_minimum"].items()}
    hits: List[Dict[str, Any]] = []
    checked: List[Dict[str, Any]] = []
    unversioned: List[Dict[str, Any]] = []
    undecided: List[Dict[str, Any]] = []  # nmap gave a bound or range that straddles the minimum
    seen_open = False
    for address, port in ports:
        seen_open = True
        pairs = _identified(port)
        if not pairs:
            unversioned.append(_brief(address, port))
        for name, version in pairs:
            minimum = table.get(name)
            if minimum is None:
                continue
            older = _older(version, minimum)
            item = _brief(address, port, software=name, software_version=version, minimum_supported=minimum)
            if older:
                basis = EOL_MINIMUM.get(name, ("", "minimum set by configuration"))[1]
                hits.append(dict(item, basis=basis))
            elif older is False:
                checked.append(item)
            elif _version_tuple(_bounds(version)[0]) is not None:  # a readable bound, not garbage
                undecided.append(item)
    if not hits and undecided:
        names = sorted({f"{u['software']} {u['software_version']} (port {u['port']})" for u in undecided})
        return Verdict.manual(
            EOL_ONLY_BOUND(software=names),
            undecided=undecided,
            supported=checked,
            unversioned=unversioned,
        )
    if not hits and seen_open and not checked and unversioned:
        return Verdict.manual(
            EOL_NO_VERSION(),
            unversioned=unversioned,
        )
    names = sorted({f"{h['software']} {h['software_version']} (port {h['port']})" for h in hits})
    return _verdict(
        facts,
        hits,
        EOL_EXPOSED(software=names),
        EOL_PASSED,
        supported=checked,
        unversioned=unversioned,
    )


MANAGEMENT_EXPOSED = message(
    "NET-PRT-004/exposed", en="management interfaces reachable: {interfaces}", zh="可从外部访问管理接口：{interfaces}"
)
MANAGEMENT_PASSED = _pass_messages("NET-PRT-004", en="no management interface is open", zh="未发现开放的管理接口")


@check(
    id="NET-PRT-004",
    title=Text(
        zh="从外部不可访问管理接口（Docker/Kubernetes API、Elasticsearch/Kibana、RabbitMQ、Webmin、Cockpit、Jenkins 等）",
        en="Management interfaces (Docker/Kubernetes API, Elasticsearch/Kibana, RabbitMQ, Webmin, Cockpit, Jenkins ...) are not reachable from outside",
    ),
    remediation=Text(
        zh="管理接口只监听 127.0.0.1 或管理网段（Docker: 删除 dockerd 的 -H tcp://0.0.0.0:2375；Webmin: /etc/webmin/miniserv.conf 中 bind=127.0.0.1；Elasticsearch: network.host: 127.0.0.1），在边界防火墙只放行堡垒机/VPN 地址，并启用认证与 TLS。",
        en="Bind management interfaces to 127.0.0.1 or the management network (Docker: drop '-H tcp://0.0.0.0:2375' from dockerd; Webmin: bind=127.0.0.1 in /etc/webmin/miniserv.conf; Elasticsearch: 'network.host: 127.0.0.1'), allow only bastion/VPN addresses at the boundary firewall, and require authentication and TLS.",
    ),
    severity=Severity.HIGH,
    mlps=("L3-CES1-19", "L3-SMC1-08", "L3-ABS1-05"),
    high_risk_case="6.5.1.1",
    domains=(InsurerDomain.EXPOSURE, InsurerDomain.PRIVILEGED_ACCESS),
    coverage=(CoverageLine.DATA_BREACH_LIABILITY, CoverageLine.CYBER_EXTORTION, CoverageLine.BUSINESS_INTERRUPTION),
    needs=NEEDS,
    params={
        "management_ports": sorted(MANAGEMENT_PORTS),
        "management_services": list(MANAGEMENT_SERVICES),
        "management_products": list(MANAGEMENT_PRODUCTS),
    },
    profiles=PROFILES,
    level=CheckLevel.ENDPOINT,
    basis="Management interfaces reachable from outside mean devices are managed without a secure path (8.1.5.4 b, case 6.5.1.1) or terminal restriction (8.1.4.4 c).",
)
def management_interfaces(ev: EvidenceView, p: Params) -> Verdict:
    facts, ports = _open_ports(ev)
    numbers = {int(x) for x in p["management_ports"]}
    services = {str(s).lower() for s in p["management_services"]}
    hits: List[Dict[str, Any]] = []
    for address, port in ports:
        service = port["service"].lower()
        product = _has_any(_text(port), p["management_products"])
        if product is not None:
            why = f"product {product}"
        elif service in services:
            why = f"service {service}"
        elif port["port"] in numbers:
            why = f"port {port['port']} ({MANAGEMENT_PORTS.get(port['port'], 'listed')})"
        else:
            continue
        hits.append(_brief(address, port, matched=why))
    names = sorted({f"{h['port']}/{h['product'] or h['service'] or '?'}" for h in hits})
    return _verdict(facts, hits, MANAGEMENT_EXPOSED(interfaces=names), MANAGEMENT_PASSED)
