"""Service hygiene, least privilege of services, remote-support tools."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Set, Tuple

from checks.messages import message
from checks.model import CoverageLine, InsurerDomain, Severity, Text, Verdict
from checks.registry import EvidenceView, Params, check
from collectors.host.network import LISTENING
from collectors.host.services import (
    PROCESSES,
    REMOTE_ACCESS,
    SERVICES,
    SUPERSERVER,
    UNIT_ACTIVITY,
    ProcessFacts,
    ServicesFacts,
)

UNNEEDED_SERVICES = [
    "avahi-daemon.service",
    "avahi-daemon.socket",
    "cups.service",
    "cups.socket",
    "cups-browsed.service",
    "rpcbind.service",
    "rpcbind.socket",
    "snmpd.service",
    "nfs-server.service",
    "nfs-kernel-server.service",
    "smb.service",
    "smbd.service",
    "nmbd.service",
    "vsftpd.service",
    "xinetd.service",
    "openbsd-inetd.service",
    "inetutils-inetd.service",
    "ypserv.service",
    "slapd.service",
    "dovecot.service",
    "squid.service",
    "bluetooth.service",
    "isc-dhcp-server.service",
    "dhcpd.service",
    "named.service",
    "bind9.service",
    "telnet.socket",
    "tftp.socket",
    "rsyncd.service",
    "rsync.service",
]

# Process names of databases, caches, message brokers and application servers.
DB_MIDDLEWARE = [
    "mysqld",
    "mariadbd",
    "postgres",
    "postmaster",
    "redis-server",
    "mongod",
    "mongos",
    "memcached",
    "oracle",
    "tnslsnr",
    "sqlservr",
    "java",
    "elasticsearch",
    "beam.smp",
    "rabbitmq-server",
    "mosquitto",
    "emqx",
    "influxd",
    "clickhouse-server",
    "etcd",
    "dmserver",
    "kingbase",
    "gaussdb",
    "gunicorn",
    "uwsgi",
    "php-fpm",
    "node",
]
# Servers whose master process legitimately stays root and hands work to unprivileged children.
PRIVSEP_SERVERS = ["nginx", "apache2", "httpd", "php-fpm", "postfix", "master"]
ROOT_LISTENERS_ALLOWED = [
    "sshd",
    "systemd",
    "systemd-resolve",
    "systemd-network",
    "nginx",
    "apache2",
    "httpd",
    "master",
    "dhclient",
    "chronyd",
    "ntpd",
    "rpcbind",
    "cupsd",
    "cups-browsed",
    "dnsmasq",
    "sendmail",
    "exim4",
    "NetworkManager",
]


def _proc_rows(ev: EvidenceView) -> List[ProcessFacts]:
    return list(ev.facts(PROCESSES)["processes"])


UNNEEDED_FOUND = message(
    "LNX-SVC-001/found",
    en="{count} unneeded network service unit(s) enabled or running",
    zh="{count} 个不需要的网络服务单元已启用或正在运行",
)
UNIT_STATE_UNKNOWN = message(
    "LNX-SVC-001/state-unknown",
    en="systemd unit state could not be determined; review running services manually",
    zh="无法确定 systemd 单元状态；请人工核查正在运行的服务",
)
SYSTEMCTL_FAILED = message(
    "LNX-SVC-001/systemctl-failed",
    en="none of the listed services is enabled, but systemctl failed, so the unit state is incomplete: {failures}",
    zh="所列服务均未启用，但 systemctl 执行失败，单元状态不完整：{failures}",
)
NO_UNNEEDED = message(
    "LNX-SVC-001/none",
    en="none of the listed unneeded network services is enabled or running",
    zh="所列不需要的网络服务均未启用或运行",
)


@check(
    id="LNX-SVC-001",
    title=Text(
        zh="不需要的网络服务（avahi、cups、rpcbind、snmpd、nfs、FTP、inetd 等）已停用",
        en="Unneeded network daemons (avahi, cups, rpcbind, snmpd, nfs, FTP, inetd ...) are disabled",
    ),
    remediation=Text(
        zh="停用并屏蔽不需要的服务，例如：systemctl disable --now avahi-daemon.service avahi-daemon.socket cups.service cups.socket rpcbind.service rpcbind.socket && systemctl mask rpcbind.service；不需要的软件包直接卸载。",
        en="Disable and mask what is not needed, e.g. 'systemctl disable --now avahi-daemon.service avahi-daemon.socket cups.service cups.socket rpcbind.service rpcbind.socket && systemctl mask rpcbind.service'; remove unused packages.",
    ),
    severity=Severity.MEDIUM,
    mlps=("L3-CES1-18",),
    domains=(InsurerDomain.EXPOSURE, InsurerDomain.HARDENING),
    coverage=(CoverageLine.DATA_BREACH_LIABILITY,),
    needs=(SERVICES, UNIT_ACTIVITY),
    params={"unneeded_services": UNNEEDED_SERVICES},
    basis="Unneeded network daemons are the unneeded services 8.1.4.4 b asks to close.",
)
def unneeded_services(ev: EvidenceView, p: Params) -> Verdict:
    """A pass needs both halves: what is enabled, and (where systemd runs) what is running now.

    A failed ``systemctl`` is never read as "nothing": the verdict is an error
    that quotes the command's exit status.
    """
    facts = ev.facts(SERVICES)
    activity = ev.optional(UNIT_ACTIVITY)
    unneeded = set(p["unneeded_services"])
    enabled = sorted(unneeded & set(facts["enabled"]))
    active = sorted(unneeded & set(activity["active"])) if activity and activity["active_known"] else []
    found = sorted(set(enabled) | set(active))
    if found:
        return Verdict.fail(UNNEEDED_FOUND(count=len(found)), units=found)
    if not facts["systemd_units_known"]:
        return Verdict.manual(UNIT_STATE_UNKNOWN())
    failed = [facts["systemctl_error"]] if "systemctl_error" in facts else []
    if activity is None:
        act = ev.get(UNIT_ACTIVITY)
        # the collector's own account of the failure; its name where it left none
        failed.append(act.reason if act is not None and act.reason else UNIT_ACTIVITY.name)
    if failed:
        return Verdict.error(SYSTEMCTL_FAILED(failures=failed), commands_failed=failed)
    return Verdict.ok(NO_UNNEEDED())


UNITS_INCOMPLETE = message(
    "LNX-SVC/units-incomplete",
    en="{detail}; enabled units were read from the unit directories instead, so this is not confirmed",
    zh="{detail}；已改为从单元目录读取已启用的单元，结果无法确认",
)


def units_incomplete(facts: ServicesFacts) -> Optional[Verdict]:
    """Error when the enabled units come from the unit directories because systemctl list-unit-files failed."""
    if "systemctl_error" in facts:
        return Verdict.error(UNITS_INCOMPLETE(detail=facts["systemctl_error"]), commands_failed=[facts["systemctl_error"]])
    return None


SUPERSERVER_ENABLED = message(
    "LNX-SVC-002/enabled", en="{count} inetd/xinetd service(s) enabled", zh="{count} 个 inetd/xinetd 服务已启用"
)
SUPERSERVER_ODD_FILES = message(
    "LNX-SVC-002/unreadable-files",
    en="xinetd.d holds files that are not text configuration; review them",
    zh="xinetd.d 中有非文本配置文件，请人工核查",
)
NO_SUPERSERVER = message("LNX-SVC-002/none", en="no inetd/xinetd service is enabled", zh="没有已启用的 inetd/xinetd 服务")


@check(
    id="LNX-SVC-002",
    title=Text(
        zh="未使用 inetd/xinetd 超级服务器启动网络服务",
        en="No network service is started by the inetd/xinetd super-server",
    ),
    remediation=Text(
        zh="注释 /etc/inetd.conf 中的服务行、在 /etc/xinetd.d/<服务> 中设置 'disable = yes'，然后卸载超级服务器（apt purge openbsd-inetd / dnf remove xinetd）。",
        en="Comment out the service lines in /etc/inetd.conf, set 'disable = yes' in /etc/xinetd.d/<service>, then remove the super-server (apt purge openbsd-inetd / dnf remove xinetd).",
    ),
    severity=Severity.MEDIUM,
    mlps=("L3-CES1-18",),
    domains=(InsurerDomain.EXPOSURE, InsurerDomain.HARDENING),
    coverage=(CoverageLine.DATA_BREACH_LIABILITY,),
    needs=(SUPERSERVER,),
    basis="inetd/xinetd services are legacy services a server does not need (8.1.4.4 b).",
)
def no_superserver(ev: EvidenceView, p: Params) -> Verdict:
    facts = ev.facts(SUPERSERVER)
    entries = [e for e in facts["superserver"] if e["enabled"]]
    if entries:
        listed = sorted(f"{e['service']} -> {e['server']} ({e['source']})" for e in entries)
        return Verdict.fail(SUPERSERVER_ENABLED(count=len(entries)), services=listed)
    skipped = [s["path"] for s in facts.get("superserver_skipped", []) if s["reason"] != "directory"]
    if skipped:
        # xinetd rejects such files too, but a human should see what they are
        return Verdict.manual(SUPERSERVER_ODD_FILES(), files=skipped[:20])
    return Verdict.ok(NO_SUPERSERVER())


DESKTOP_RUNNING = message("LNX-SVC-003/running", en="a graphical desktop is installed and running", zh="已安装并运行图形桌面")
NO_DESKTOP = message(
    "LNX-SVC-003/none",
    en="no display manager enabled and no display server running",
    zh="没有启用显示管理器，也没有运行显示服务",
)


@check(
    id="LNX-SVC-003",
    title=Text(
        zh="服务器未运行图形桌面/显示服务（最小安装）",
        en="No graphical desktop or display server runs on the server (minimal installation)",
    ),
    remediation=Text(
        zh="服务器切换到多用户模式并停用显示管理器：systemctl set-default multi-user.target && systemctl disable --now display-manager.service；卸载桌面软件包。",
        en="Boot servers to multi-user mode and disable the display manager: 'systemctl set-default multi-user.target && systemctl disable --now display-manager.service'; remove desktop packages.",
    ),
    severity=Severity.LOW,
    mlps=("L3-CES1-17",),
    domains=(InsurerDomain.HARDENING,),
    needs=(SERVICES, PROCESSES),
    params={
        "display_units": ["gdm.service", "gdm3.service", "lightdm.service", "sddm.service", "lxdm.service", "xdm.service"],
        "display_processes": ["Xorg", "X", "Xwayland", "gnome-shell", "plasmashell", "lightdm", "gdm", "gdm3", "sddm"],
    },
    basis="A desktop on a server is installed software it does not need: minimal installation (8.1.4.4 a).",
)
def no_desktop(ev: EvidenceView, p: Params) -> Verdict:
    facts = ev.facts(SERVICES)
    units = sorted(set(p["display_units"]) & set(facts["enabled"]))
    names = set(p["display_processes"])
    procs = sorted({r["name"] for r in _proc_rows(ev) if r["name"] in names})
    if units or procs:
        return Verdict.fail(DESKTOP_RUNNING(), units=units, processes=procs)
    return units_incomplete(facts) or Verdict.ok(NO_DESKTOP())


def _by_name(rows: List[ProcessFacts]) -> Dict[str, List[ProcessFacts]]:
    out: Dict[str, List[ProcessFacts]] = {}
    for r in rows:
        out.setdefault(r["name"], []).append(r)
    return out


def _row_key(r: ProcessFacts) -> Tuple[int, int, str, str]:
    started = r.get("started")
    return (r["pid"], started if started is not None else -1, r["user"] or "", r["exe"] or "")


def _parent_in_group(r: ProcessFacts, group: Dict[int, List[ProcessFacts]]) -> Optional[bool]:
    """Whether ``r`` was forked by a process of the same server (a worker); None when not recorded.

    A parent that started after its supposed child is an unrelated process that
    reused the pid, not the parent.
    """
    ppid = r.get("ppid")
    if ppid is None:
        return None
    for parent in group.get(ppid, []):
        started, parent_started = r.get("started"), parent.get("started")
        if started is None or parent_started is None or parent_started <= started:
            return True
    return False


_MASTER_OR_WORKER = "only a root instance is visible and parent pids were not recorded: master or lone worker cannot be told"


def _privsep_root(rows: List[ProcessFacts]) -> Tuple[List[ProcessFacts], Optional[str]]:
    """Root processes of a privilege-separating server that are not its master, or (rows, why) when undecidable.

    The master keeps root by design; its workers must not. With parent pids the
    snapshot says which is which whatever workers happen to exist at the moment
    it is read (servers recycle and spawn workers on demand). Without them the
    old rule applies: fine once some instance dropped root.
    """
    group: Dict[int, List[ProcessFacts]] = {}
    for r in rows:
        group.setdefault(r["pid"], []).append(r)
    roles = [_parent_in_group(r, group) for r in rows]
    root = [r for r in rows if r["user"] == "root"]
    if all(role is not None for role in roles):
        return [r for r, worker in zip(rows, roles) if worker and r["user"] == "root"], None
    if len(root) < len(rows):
        return [], None
    if len(root) == 1:
        return [], _MASTER_OR_WORKER
    return root, None


DB_AS_ROOT = message(
    "LNX-PRC-001/as-root",
    en="{count} database/middleware process name(s) run as root",
    zh="{count} 种数据库/中间件进程以 root 身份运行",
)
DB_OWNER_UNKNOWN = message(
    "LNX-PRC-001/owner-unknown",
    en="the owner of some database/middleware processes is not visible; re-run as root",
    zh="部分数据库/中间件进程的属主不可见；请以 root 身份重新运行",
)
WORKERS_UNDECIDED = message(
    "LNX-PRC-001/workers-undecided",
    en="cannot tell whether these servers' workers run as root: {servers}: " + _MASTER_OR_WORKER,
    zh="无法判断以下服务的工作进程是否以 root 运行：{servers}（只看到 root 实例且未记录父进程号，无法区分主进程与单独的工作进程）",
)
NO_DB_AS_ROOT = message(
    "LNX-PRC-001/none", en="no database or middleware process runs as root", zh="没有以 root 身份运行的数据库或中间件进程"
)


@check(
    id="LNX-PRC-001",
    title=Text(
        zh="数据库与中间件进程不以 root（超级管理员）身份运行",
        en="Database and middleware processes do not run as root (the OS super-administrator)",
    ),
    remediation=Text(
        zh="为每个数据库/中间件使用专用低权限账户运行，例如在 systemd 单元中设置 User=mysql / User=redis（systemctl edit <服务>），修正数据目录属主（chown -R mysql:mysql /var/lib/mysql）后重启服务。",
        en="Run each database/middleware under its own unprivileged account, e.g. 'User=mysql' / 'User=redis' in the systemd unit (systemctl edit <unit>), fix data directory ownership (chown -R mysql:mysql /var/lib/mysql) and restart.",
    ),
    severity=Severity.CRITICAL,
    mlps=("L3-CES1-09", "L3-CES1-08"),
    high_risk_case="6.4.2.2",
    domains=(InsurerDomain.PRIVILEGED_ACCESS,),
    coverage=(CoverageLine.DATA_BREACH_LIABILITY, CoverageLine.CYBER_EXTORTION),
    needs=(PROCESSES,),
    params={"db_middleware_processes": DB_MIDDLEWARE, "privsep_servers": PRIVSEP_SERVERS},
    basis="A database or middleware process running as root is item (3) of case 6.4.2.2 under 8.1.4.2 e.",
)
def db_not_root(ev: EvidenceView, p: Params) -> Verdict:
    """Judged per process name over one snapshot, in one order: the verdict never depends on the
    order the table was read in, on which short-lived workers existed at that instant, or on pid reuse."""
    groups = _by_name(sorted(_proc_rows(ev), key=_row_key))
    watched: Set[str] = set(p["db_middleware_processes"])
    privsep: Set[str] = set(p["privsep_servers"])
    as_root: List[Dict[str, Any]] = []
    unknown: List[str] = []
    undecided: List[str] = []
    undecided_names: List[str] = []
    seen: List[str] = []
    for name, rows in sorted(groups.items()):
        if name not in watched and name not in privsep:
            continue
        seen.append(name)
        if any(not r["user"] for r in rows):
            unknown.append(name)
            continue
        if name in privsep:
            root_rows, why = _privsep_root(rows)
            if why:
                undecided.append(f"{name}: {why}")
                undecided_names.append(name)
        else:
            root_rows = [r for r in rows if r["user"] == "root"]
        if root_rows:
            exes = sorted({str(r["exe"]) for r in root_rows if r["exe"]})
            as_root.append({"name": name, "pids": sorted(r["pid"] for r in root_rows)[:10], "exe": exes[0] if exes else None})
    if as_root:
        return Verdict.fail(DB_AS_ROOT(count=len(as_root)), processes=as_root, unknown_user=unknown)
    if unknown:
        return Verdict.manual(DB_OWNER_UNKNOWN(), unknown_user=unknown)
    if undecided:
        return Verdict.manual(WORKERS_UNDECIDED(servers=undecided_names), undecided=undecided, checked=seen)
    return Verdict.ok(NO_DB_AS_ROOT(), checked=seen)


LISTENERS_AS_ROOT = message(
    "LNX-PRC-002/as-root", en="{count} network listener(s) run as root", zh="{count} 个网络监听以 root 身份运行"
)
LISTENER_OWNER_NOTE = message(
    "LNX-PRC-002/owner-unknown-note",
    en="cannot tell which user runs the listener(s) on port(s) {ports}: {detail}",
    zh="无法判断端口 {ports} 上的监听由哪个用户运行：{detail}",
)
LISTENER_OWNER_UNKNOWN = message(
    "LNX-PRC-002/owner-unknown",
    en="cannot tell which user runs the listener(s) on port(s) {ports}: their owning process is not visible",
    zh="无法判断端口 {ports} 上的监听由哪个用户运行：所属进程不可见",
)
NO_LISTENER_AS_ROOT = message(
    "LNX-PRC-002/none", en="no non-exempt network listener runs as root", zh="除豁免服务外，没有以 root 身份运行的网络监听"
)


@check(
    id="LNX-PRC-002",
    title=Text(
        zh="对外监听的网络服务不以 root 身份运行（特权分离的服务除外）",
        en="Network services listening on non-loopback addresses do not run as root (privilege-separating daemons excepted)",
    ),
    remediation=Text(
        zh="让服务以专用账户运行（systemd 单元中 User=/Group=，或服务自身的 user 配置项），需要低端口时使用 AmbientCapabilities=CAP_NET_BIND_SERVICE 而不是 root。",
        en="Run the service under a dedicated account (User=/Group= in the systemd unit or the daemon's own 'user' option); for low ports use AmbientCapabilities=CAP_NET_BIND_SERVICE instead of root.",
    ),
    severity=Severity.HIGH,
    mlps=("L3-CES1-09", "L3-CES1-08"),
    domains=(InsurerDomain.PRIVILEGED_ACCESS, InsurerDomain.EXPOSURE),
    coverage=(CoverageLine.DATA_BREACH_LIABILITY,),
    needs=(LISTENING,),
    params={"allowed_root_listeners": ROOT_LISTENERS_ALLOWED},
    basis="Network services that keep root rights break least privilege (8.1.4.2 d, e).",
)
def listeners_not_root(ev: EvidenceView, p: Params) -> Verdict:
    facts = ev.facts(LISTENING)
    allowed = set(p["allowed_root_listeners"])
    exposed = [s for s in facts["sockets"] if s["scope"] != "loopback"]
    unknown = sorted({s["port"] for s in exposed if not s["process"] or not s["user"]})
    bad = sorted({f"{s['process']}:{s['port']}" for s in exposed if s["user"] == "root" and s["process"] not in allowed})
    if bad:
        return Verdict.fail(LISTENERS_AS_ROOT(count=len(bad)), listeners=bad, unattributed_ports=unknown)
    if unknown:
        note = facts.get("attribution_note")
        why = LISTENER_OWNER_NOTE(ports=unknown, detail=note) if note else LISTENER_OWNER_UNKNOWN(ports=unknown)
        return Verdict.manual(why, unattributed_ports=unknown)
    return Verdict.ok(NO_LISTENER_AS_ROOT(), listeners=len(exposed))


REMOTE_CONTROL_FOUND = message("LNX-RMT-001/found", en="remote-control software found: {tools}", zh="发现远程控制软件：{tools}")
REMOTE_CONTROL_NO_PROCESS_TABLE = message(
    "LNX-RMT-001/no-process-table",
    en="no known remote-control software in the unit files or install paths, but no process table was observed "
    "(an offline tree): a tool run from elsewhere would not show",
    zh="单元文件与安装路径中没有已知的远程控制软件，但未观察到进程表（离线目录树）：从其他位置运行的工具无法发现",
)
NO_REMOTE_CONTROL = message(
    "LNX-RMT-001/none",
    en="no known remote-control software found (processes, units, install paths)",
    zh="未发现已知的远程控制软件（进程、单元、安装路径）",
)


@check(
    id="LNX-RMT-001",
    title=Text(
        zh="未安装或运行第三方远程控制软件（TeamViewer、AnyDesk、ToDesk、向日葵、RustDesk、VNC 等）",
        en="No third-party remote-control software (TeamViewer, AnyDesk, ToDesk, Sunlogin, RustDesk, VNC ...) is installed or running",
    ),
    remediation=Text(
        zh="卸载远程控制软件（如 apt purge teamviewer / 删除 /usr/local/sunlogin 并停用 runsunloginclient.service），远程运维统一经堡垒机或 VPN + SSH，第三方访问需审批并限时开放。",
        en="Uninstall remote-control tools (e.g. 'apt purge teamviewer'; remove /usr/local/sunlogin and disable runsunloginclient.service); route remote administration through a bastion host or VPN + SSH, with approved, time-limited third-party access.",
    ),
    severity=Severity.HIGH,
    mlps=("L3-CES1-19", "L3-ABS1-03"),
    domains=(InsurerDomain.THIRD_PARTY_ACCESS,),
    coverage=(CoverageLine.CYBER_EXTORTION, CoverageLine.DATA_BREACH_LIABILITY),
    needs=(REMOTE_ACCESS,),
    basis="Remote-control software opens an unrestricted management channel relayed through a vendor cloud (8.1.4.4 c) and an unauthorised outbound connection (8.1.3.1 c).",
)
def no_remote_tools(ev: EvidenceView, p: Params) -> Verdict:
    facts = ev.facts(REMOTE_ACCESS)
    tools = facts["remote_tools"]
    if tools:
        names = [t["tool"] for t in tools]
        return Verdict.fail(REMOTE_CONTROL_FOUND(tools=names), tools=list(tools))
    if not facts.get("processes_observed", True):
        return Verdict.manual(REMOTE_CONTROL_NO_PROCESS_TABLE())
    return Verdict.ok(NO_REMOTE_CONTROL())


TUNNEL_FOUND = message("LNX-RMT-002/found", en="tunnelling software found: {tools}", zh="发现内网穿透/隧道软件：{tools}")
TUNNEL_NO_PROCESS_TABLE = message(
    "LNX-RMT-002/no-process-table",
    en="no known tunnelling software in the unit files or install paths, but no process table was observed "
    "(an offline tree): a tool run from elsewhere would not show",
    zh="单元文件与安装路径中没有已知的隧道软件，但未观察到进程表（离线目录树）：从其他位置运行的工具无法发现",
)
NO_TUNNEL = message("LNX-RMT-002/none", en="no known tunnelling software found", zh="未发现已知的隧道软件")


@check(
    id="LNX-RMT-002",
    title=Text(
        zh="未安装或运行绕过边界的内网穿透/反向隧道工具（frp、ngrok 等）",
        en="No reverse-tunnel tool (frp, ngrok ...) that bypasses the perimeter is installed or running",
    ),
    remediation=Text(
        zh="停用并删除隧道程序（systemctl disable --now frpc.service，删除 /usr/local/bin/frpc 与 /etc/frp），对外发布服务经边界防火墙/反向代理统一审批。",
        en="Stop and remove the tunnel (systemctl disable --now frpc.service; delete /usr/local/bin/frpc and /etc/frp); publish services only through the approved perimeter firewall or reverse proxy.",
    ),
    severity=Severity.HIGH,
    mlps=("L3-ABS1-01", "L3-ABS1-03", "L3-CES1-19"),
    domains=(InsurerDomain.THIRD_PARTY_ACCESS, InsurerDomain.EXPOSURE),
    coverage=(CoverageLine.CYBER_EXTORTION, CoverageLine.DATA_BREACH_LIABILITY),
    needs=(REMOTE_ACCESS,),
    basis="A reverse tunnel is a path across the boundary no boundary device controls (8.1.3.1 a, c) and an unrestricted way in for administration (8.1.4.4 c).",
)
def no_tunnels(ev: EvidenceView, p: Params) -> Verdict:
    facts = ev.facts(REMOTE_ACCESS)
    tools = facts["tunnel_tools"]
    if tools:
        names = [t["tool"] for t in tools]
        return Verdict.fail(TUNNEL_FOUND(tools=names), tools=list(tools))
    if not facts.get("processes_observed", True):
        return Verdict.manual(TUNNEL_NO_PROCESS_TABLE())
    return Verdict.ok(NO_TUNNEL())
