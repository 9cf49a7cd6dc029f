"""Services, processes and remote-support tools.

Which units are enabled (and, where systemd is running, active), what the
legacy super-servers (inetd, xinetd) start, a reduced process table, and
which remote-desktop or tunnelling tools are installed or running.
Command lines are never recorded: they may carry passwords or tokens.
"""

from __future__ import annotations

import re
from typing import Dict, List, Optional, Tuple, TypedDict, Union

from collectors.context import HostReader, ProcessInfo, process_order, runtime_only
from collectors.evidence import CollectError, ErrorReason, NotApplicable
from collectors.facts import CollectedFacts, FactsKey
from collectors.registry import collector
from collectors.runner import CommandResult

# -- facts shapes --------------------------------------------------------------


class XinetdService(TypedDict):
    """One ``service`` block of an xinetd file; ``server`` is the program's base name."""

    service: str
    enabled: bool
    server: Optional[str]


class InetdService(TypedDict):
    """One active inetd.conf line; ``server`` is the daemon behind tcpd, if wrapped."""

    service: str
    proto: str
    user: str
    server: str
    enabled: bool


class XinetdEntry(XinetdService):
    source: str  # the file it came from


class InetdEntry(InetdService):
    source: str


SuperserverEntry = Union[XinetdEntry, InetdEntry]


class SkippedFile(TypedDict):
    """An xinetd.d entry that is not text configuration."""

    path: str
    reason: str  # "directory" or why it could not be read as text


class _ServicesNotes(TypedDict, total=False):
    unparsed_lines: int  # systemctl list-unit-files was read
    systemctl_error: str  # it failed (exit status and message): enabled units come from *.wants symlinks


class ServicesFacts(CollectedFacts, _ServicesNotes):
    """host.services: which systemd units are enabled or masked (systemctl list-unit-files, or the unit directories)."""

    systemd_units_known: bool
    enabled: List[str]
    masked: List[str]


class UnitActivityFacts(CollectedFacts):
    """host.unit_activity: which units systemd runs now (systemctl list-units); a failed listing is an error."""

    systemd_running: bool
    active_known: bool  # False only where systemd is not the running init: nothing runs under it
    active: List[str]
    failed: List[str]


class _SuperserverNotes(TypedDict, total=False):
    superserver_skipped: List[SkippedFile]  # only when some were skipped


class SuperserverFacts(CollectedFacts, _SuperserverNotes):
    """host.superserver: what inetd and xinetd start (their configuration files)."""

    superserver: List[SuperserverEntry]


class ProcessFacts(TypedDict):
    """A process, reduced: never its command line. ``ppid`` and ``started`` are None where not recorded."""

    pid: int
    name: str
    user: Optional[str]
    exe: Optional[str]
    ppid: Optional[int]
    started: Optional[int]  # epoch seconds


class ProcessesFacts(CollectedFacts):
    count: int
    processes: List[ProcessFacts]  # by pid, then start time, name, user, exe (one order for one snapshot)
    unknown_user: int
    privileged: bool


class ToolFinding(TypedDict):
    """A remote-access or tunnelling tool seen by process name, unit name or install path."""

    tool: str
    running: bool
    processes: List[str]
    users: List[str]  # empty unless running
    units: List[str]
    paths: List[str]


class RemoteAccessFacts(CollectedFacts):
    remote_tools: List[ToolFinding]
    tunnel_tools: List[ToolFinding]
    processes_observed: bool  # False: no process table (an offline tree): only units and install paths were looked at


NO_RUNNING_SYSTEM = "the process table is empty: no running system was observed (an offline tree or a disk image)"

SERVICES = FactsKey[ServicesFacts]("host.services", ServicesFacts)
UNIT_ACTIVITY = FactsKey[UnitActivityFacts]("host.unit_activity", UnitActivityFacts)
SUPERSERVER = FactsKey[SuperserverFacts]("host.superserver", SuperserverFacts)
PROCESSES = FactsKey[ProcessesFacts]("host.processes", ProcessesFacts)
REMOTE_ACCESS = FactsKey[RemoteAccessFacts]("host.remote_access", RemoteAccessFacts)

LIST_UNIT_FILES = ["systemctl", "list-unit-files", "--no-legend", "--no-pager", "--plain"]
LIST_UNITS = ["systemctl", "list-units", "--no-legend", "--no-pager", "--plain", "--all"]

UNIT_DIRS = ("/etc/systemd/system", "/lib/systemd/system", "/usr/lib/systemd/system")
_UNIT_SUFFIXES = (
    ".service",
    ".socket",
    ".target",
    ".timer",
    ".mount",
    ".automount",
    ".path",
    ".slice",
    ".scope",
    ".swap",
    ".device",
)
_UNIT_STATES = {
    "enabled",
    "enabled-runtime",
    "disabled",
    "static",
    "masked",
    "masked-runtime",
    "alias",
    "indirect",
    "generated",
    "transient",
    "linked",
    "linked-runtime",
    "bad",
}


def _is_unit_name(name: str) -> bool:
    return name.endswith(_UNIT_SUFFIXES) and "/" not in name and len(name) < 256


def parse_unit_files(text: str) -> Tuple[Dict[str, str], int]:
    """``systemctl list-unit-files --plain`` -> ({unit: state}, unparsed line count)."""
    units: Dict[str, str] = {}
    bad = 0
    for line in text.splitlines():
        parts = line.split()
        if not parts:
            continue
        if len(parts) >= 2 and _is_unit_name(parts[0]) and parts[1] in _UNIT_STATES:
            units[parts[0]] = parts[1]
        elif "unit files listed" not in line:
            bad += 1
    return units, bad


def parse_units(text: str) -> Tuple[Dict[str, Dict[str, str]], int]:
    """``systemctl list-units --plain --all`` -> ({unit: {load, active, sub}}, unparsed lines)."""
    units: Dict[str, Dict[str, str]] = {}
    bad = 0
    for line in text.splitlines():
        parts = line.split()
        if not parts:
            continue
        if parts[0] in ("●", "*") and len(parts) > 1:  # failed units are flagged with a bullet
            parts = parts[1:]
        if len(parts) >= 4 and _is_unit_name(parts[0]):
            units[parts[0]] = {"load": parts[1], "active": parts[2], "sub": parts[3]}
        else:
            bad += 1
    return units, bad


# Where enablement lives (links in *.wants/*.requires/*.upholds), with the state it gives, and the
# unit search path in systemd's order of precedence (the first directory holding a name wins).
UNIT_CONFIG_DIRS: Tuple[Tuple[str, str], ...] = (("/etc/systemd/system", "enabled"), ("/run/systemd/system", "enabled-runtime"))
UNIT_SEARCH_PATH: Tuple[str, ...] = (
    "/etc/systemd/system",
    "/run/systemd/system",
    "/usr/local/lib/systemd/system",
    "/usr/lib/systemd/system",
    "/lib/systemd/system",
)


def systemd_running(host: HostReader) -> bool:
    """Whether systemd is the running init: what sd_booted(3) tests, its runtime unit directory.

    Never in an offline root: nothing runs it, whatever a copied /run holds.
    """
    return not host.offline_root and host.is_dir("/run/systemd/system")


def _template_of(name: str) -> str:
    """``getty@tty1.service`` -> ``getty@.service``; other names unchanged."""
    prefix, at, rest = name.partition("@")
    if not at or rest.startswith("."):
        return name
    return f"{prefix}@{name[name.rindex('.'):]}"


def unit_states_from_files(host: HostReader) -> Tuple[List[str], List[str]]:
    """(enabled, masked) unit files, read from the unit directories as ``systemctl list-unit-files`` reads them.

    Enabled: the target of a link in a ``.wants``/``.requires``/``.upholds`` directory of /etc or /run
    (an instance enables its template). Masked: the first file of that name on the search path is a
    link to /dev/null.
    """
    enabled = set()
    for directory, _state in UNIT_CONFIG_DIRS:
        for kind in ("wants", "requires", "upholds"):
            for link in host.glob(f"{directory}/*.{kind}/*"):
                name = link.rsplit("/", 1)[-1]
                if _is_unit_name(name):
                    enabled.add(_template_of(name))
    masked = set()
    seen = set()
    for directory in UNIT_SEARCH_PATH:
        for name in host.listdir(directory):
            if not _is_unit_name(name) or name in seen:
                continue
            seen.add(name)
            if host.readlink(f"{directory}/{name}") == "/dev/null":
                masked.add(name)
    return sorted(enabled), sorted(masked)


# SysV init's start links, for the runlevels a server boots into (systemd's sysv-generator turns them
# into units started at boot when no native unit has the script's name).
SYSV_RC_DIRS: Tuple[str, ...] = ("/etc/rcS.d", "/etc/rc2.d", "/etc/rc3.d", "/etc/rc4.d", "/etc/rc5.d")
_SYSV_START = re.compile(r"S\d{2}(.+)")


def sysv_enabled(host: HostReader) -> List[str]:
    """Init scripts started at boot, as ``<script>.service``: S links in the rc directories whose script has no
    native unit of that name (a native unit's enablement is its own wants links)."""
    native = {n for d in UNIT_SEARCH_PATH for n in host.listdir(d)}
    found = set()
    for directory in SYSV_RC_DIRS:
        for name in host.listdir(directory):
            m = _SYSV_START.fullmatch(name)
            if not m:
                continue
            target = host.readlink(f"{directory}/{name}")
            script = target.rsplit("/", 1)[-1] if target else m.group(1)
            unit = f"{script.removesuffix('.sh')}.service"
            if _is_unit_name(unit) and unit not in native:
                found.add(unit)
    return sorted(found)


def enabled_at_boot(host: HostReader, unit: str) -> bool:
    """Whether a unit starts at boot, from the files alone: a link to it in a ``.wants``/``.requires``
    directory of /etc (systemctl enable), or a SysV start link to its init script (an image may boot either way)."""
    if host.glob(f"/etc/systemd/system/*.wants/{unit}") or host.glob(f"/etc/systemd/system/*.requires/{unit}"):
        return True
    script = unit.removesuffix(".service")
    return any(
        (host.readlink(f"{d}/{n}") or "").rsplit("/", 1)[-1] == script for d in SYSV_RC_DIRS for n in host.listdir(d) if _SYSV_START.fullmatch(n)
    )


_XINETD_SERVICE = re.compile(r"^\s*service\s+(\S+)")
_XINETD_ATTR = re.compile(r"^\s*(disable|server)\s*=\s*(\S*)")


def parse_xinetd(text: str) -> List[XinetdService]:
    """Services in one xinetd file; xinetd starts a service unless ``disable = yes``."""
    out: List[XinetdService] = []
    current: Optional[XinetdService] = None
    for line in text.splitlines():
        line = line.split("#", 1)[0]
        m = _XINETD_SERVICE.match(line)
        if m:
            current = {"service": m.group(1), "enabled": True, "server": None}
            out.append(current)
            continue
        a = _XINETD_ATTR.match(line)
        if a and current is not None:
            if a.group(1) == "disable":
                current["enabled"] = a.group(2).lower() != "yes"
            else:
                current["server"] = a.group(2).rsplit("/", 1)[-1] or None
    return out


def parse_inetd(text: str) -> List[InetdService]:
    """Active lines of inetd.conf: ``service socktype proto wait user server [args]``."""
    out: List[InetdService] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        if len(parts) < 6:
            continue
        server = parts[5].rsplit("/", 1)[-1]
        # tcpd wraps the real daemon, which is then the next word
        if server == "tcpd" and len(parts) > 6:
            server = parts[6].rsplit("/", 1)[-1]
        out.append({"service": parts[0], "proto": parts[2], "user": parts[4], "server": server, "enabled": True})
    return out


def _superservers(host: HostReader, skipped: List[SkippedFile]) -> List[SuperserverEntry]:
    """inetd/xinetd entries; xinetd.d files that are not text configuration go to ``skipped``.

    xinetd itself ignores subdirectories and rejects files it cannot parse, so
    one stray binary or directory must not hide the other services.
    """
    entries: List[SuperserverEntry] = []
    for path in host.glob("/etc/xinetd.d/*"):
        if path.endswith((".rpmsave", ".rpmnew", ".dpkg-old", ".dpkg-dist", "~")):
            continue
        st = host.stat(path)
        if st is not None and st.is_dir:
            skipped.append({"path": path, "reason": "directory"})
            continue
        try:
            text = host.read_text(path)
        except CollectError as exc:
            if exc.reason is not ErrorReason.MALFORMED:
                raise  # unreadable: an enabled telnet could hide there
            skipped.append({"path": path, "reason": str(exc.message)[:160]})
            continue
        for x in parse_xinetd(text or ""):
            xentry: XinetdEntry = {**x, "source": path}
            entries.append(xentry)
    inetd = host.read_text("/etc/inetd.conf")
    for i in parse_inetd(inetd or ""):
        ientry: InetdEntry = {**i, "source": "/etc/inetd.conf"}
        entries.append(ientry)
    return entries


def _command_failure(argv: List[str], res: CommandResult, empty: str) -> str:
    """``argv: exit code N: first stderr line`` (or the run error), for facts and reasons."""
    why = res.error or (f"exit code {res.exit_code}" if res.exit_code != 0 else empty)
    detail = res.stderr.strip().splitlines()[0] if res.stderr.strip() else ""
    return (f"{' '.join(argv)}: {why}" + (f": {detail}" if detail else ""))[:200]


@collector(SERVICES, "Enabled and masked systemd units", slow=True)
def collect_services(host: HostReader) -> ServicesFacts:
    notes: _ServicesNotes = {}
    if host.offline_root:
        # A root file system that is not running: enablement is what its unit directories and rc links say.
        enabled, masked = unit_states_from_files(host)
        enabled = sorted(set(enabled) | set(sysv_enabled(host)))
        method = "files: unit directories and SysV rc links (offline-root)"
        known = bool(enabled or masked) or any(host.is_dir(d) for d in UNIT_SEARCH_PATH + SYSV_RC_DIRS)
    elif not systemd_running(host):
        # An image, a container or a host with another init: systemctl would only read these same
        # directories, slowly.
        enabled, masked = unit_states_from_files(host)
        method = "files: unit directories (systemd is not the running init)"
        known = bool(enabled or masked) or any(host.is_dir(d) for d in UNIT_SEARCH_PATH)
    else:
        res = host.run(LIST_UNIT_FILES)
        unit_files: Dict[str, str] = {}
        if res.error is None and res.exit_code == 0 and res.stdout.strip():
            unit_files, bad = parse_unit_files(res.stdout)
            if not unit_files:
                raise CollectError(
                    ErrorReason.MALFORMED, f"{' '.join(LIST_UNIT_FILES)}: line 1: no '<unit> <state>' lines in the output"
                )
            notes["unparsed_lines"] = bad
            enabled = sorted(u for u, s in unit_files.items() if s in ("enabled", "enabled-runtime"))
            masked = sorted(u for u, s in unit_files.items() if s.startswith("masked"))
            method = "systemctl list-unit-files"
        else:
            enabled, masked = unit_states_from_files(host)
            method = "files: unit directories"
            notes["systemctl_error"] = _command_failure(LIST_UNIT_FILES, res, "empty output")
        known = bool(unit_files) or bool(enabled)
    return {**notes, "_method": method, "systemd_units_known": known, "enabled": enabled, "masked": masked}


@collector(UNIT_ACTIVITY, "systemd units running now (systemctl list-units)")
def collect_unit_activity(host: HostReader) -> UnitActivityFacts:
    """A listing that fails is an error with its exit status: "nothing is active" is never inferred from it.

    In an offline root nothing runs (no init, no unit): what is enabled to start is host.services.
    """
    if not systemd_running(host):
        return {
            "_method": runtime_only("unit activity") if host.offline_root else "none: systemd is not the running init",
            "systemd_running": False,
            "active_known": False,
            "active": [],
            "failed": [],
        }
    res = host.run(LIST_UNITS)
    units: Dict[str, Dict[str, str]] = {}
    if res.error is None and res.exit_code == 0 and res.stdout.strip():
        units, _bad = parse_units(res.stdout)
    if not units:
        reason = ErrorReason.TOOL_MISSING if res.missing else ErrorReason.TIMEOUT if res.timed_out else ErrorReason.MALFORMED
        raise CollectError(reason, _command_failure(LIST_UNITS, res, "no unit lines in the output"))
    return {
        "_method": "systemctl list-units",
        "systemd_running": True,
        "active_known": True,
        "active": sorted(u for u, st in units.items() if st["active"] in ("active", "activating", "reloading")),
        "failed": sorted(u for u, st in units.items() if st["active"] == "failed"),
    }


@collector(SUPERSERVER, "Services started by the inetd/xinetd super-servers")
def collect_superserver(host: HostReader) -> SuperserverFacts:
    skipped: List[SkippedFile] = []
    entries = _superservers(host, skipped)
    facts: SuperserverFacts = {"_method": "files", "superserver": entries}
    if skipped:
        facts["superserver_skipped"] = skipped
    return facts


# -- processes -----------------------------------------------------------------


def _reduce(p: ProcessInfo) -> ProcessFacts:
    return {"pid": p.pid, "name": p.name, "user": p.user, "exe": p.exe, "ppid": p.ppid, "started": p.started}


@collector(PROCESSES, "Running processes reduced to name, user and executable (never command lines)")
def collect_processes(host: HostReader) -> ProcessesFacts:
    if host.offline_root:
        raise NotApplicable(runtime_only("the process table"))
    procs = sorted(host.processes(), key=process_order)
    if not procs:
        # A running system always has processes (this agent among them): an empty table was not observed.
        raise CollectError(ErrorReason.NOT_FOUND, NO_RUNNING_SYSTEM)
    rows = [_reduce(p) for p in procs]
    unknown_user = sum(1 for r in rows if not r["user"])
    return {
        "_method": "process table",
        "count": len(rows),
        "processes": rows,
        "unknown_user": unknown_user,
        "privileged": host.ctx.privileged,
    }


# -- remote-support tools -------------------------------------------------------

# tool -> (process names, unit-name fragments, install paths). Names are lower case.
REMOTE_TOOLS: Dict[str, Tuple[Tuple[str, ...], Tuple[str, ...], Tuple[str, ...]]] = {
    "TeamViewer": (("teamviewerd", "teamviewer"), ("teamviewerd",), ("/opt/teamviewer",)),
    "AnyDesk": (("anydesk",), ("anydesk",), ("/usr/share/anydesk", "/usr/libexec/anydesk", "/opt/anydesk")),
    "ToDesk": (("todesk", "todeskd", "todesk_service"), ("todesk",), ("/opt/todesk",)),
    "Sunlogin": (
        ("sunloginclient", "sunlogin", "oray_rundaemon", "orayremoteservice"),
        ("sunlogin", "oray"),
        ("/usr/local/sunlogin", "/opt/apps/com.oray.sunlogin.client"),
    ),
    "RustDesk": (("rustdesk",), ("rustdesk",), ("/usr/share/rustdesk", "/usr/lib/rustdesk")),
    "VNC server": (
        ("x11vnc", "vncserver", "xvnc", "xtigervnc", "xvnc-core", "vino-server", "x0vncserver", "wayvnc"),
        ("x11vnc", "vncserver", "xvnc"),
        (),
    ),
    "Chrome Remote Desktop": (
        ("chrome-remote-desktop-host", "remoting_host", "chrome-remote-de"),
        ("chrome-remote-desktop",),
        ("/opt/google/chrome-remote-desktop",),
    ),
}
TUNNEL_TOOLS: Dict[str, Tuple[Tuple[str, ...], Tuple[str, ...], Tuple[str, ...]]] = {
    "frp client": (("frpc",), ("frpc",), ("/usr/local/frp", "/opt/frp", "/etc/frp/frpc.ini", "/etc/frp/frpc.toml")),
    "frp server": (("frps",), ("frps",), ("/etc/frp/frps.ini", "/etc/frp/frps.toml")),
    "ngrok": (("ngrok",), ("ngrok",), ("/usr/local/bin/ngrok", "/usr/bin/ngrok", "/snap/bin/ngrok")),
}


def _unit_names(host: HostReader) -> List[str]:
    names = set()
    for d in UNIT_DIRS:
        for path in host.glob(d + "/*") + host.glob(d + "/*.wants/*"):
            names.add(path.rsplit("/", 1)[-1].lower())
    return sorted(n for n in names if _is_unit_name(n))


def _detect(
    table: Dict[str, Tuple[Tuple[str, ...], Tuple[str, ...], Tuple[str, ...]]],
    procs: List[ProcessInfo],
    units: List[str],
    host: HostReader,
) -> List[ToolFinding]:
    found: List[ToolFinding] = []
    for tool, (pnames, ufrags, paths) in table.items():
        running = sorted({p.name for p in procs if p.name.lower() in pnames})
        users = sorted({p.user or "?" for p in procs if p.name.lower() in pnames})
        unit_hits = sorted(u for u in units if any(f in u for f in ufrags))
        path_hits = [pth for pth in paths if host.exists(pth)]
        if running or unit_hits or path_hits:
            found.append(
                {
                    "tool": tool,
                    "running": bool(running),
                    "processes": running,
                    "users": users if running else [],
                    "units": unit_hits,
                    "paths": path_hits,
                }
            )
    return found


@collector(REMOTE_ACCESS, "Remote-desktop and tunnelling tools installed or running")
def collect_remote_access(host: HostReader) -> RemoteAccessFacts:
    procs = [] if host.offline_root else host.processes()
    units = _unit_names(host)
    if host.offline_root:
        method = "systemd unit names, install paths (offline-root: no process table)"
    else:
        method = "process names, systemd unit names, install paths" if procs else "systemd unit names, install paths"
    return {
        "_method": method,
        "remote_tools": _detect(REMOTE_TOOLS, procs, units, host),
        "tunnel_tools": _detect(TUNNEL_TOOLS, procs, units, host),
        "processes_observed": bool(procs),
    }
