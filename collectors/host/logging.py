"""Logging and audit evidence: auditd, syslog/journald, log retention, time sync.

Each concern is its own collector so that an unreadable audit configuration
(root-only on most distributions) does not hide the syslog or time facts.
Nothing here stores log content or credentials: forwarding targets are reduced
to host, port and protocol.
"""

from __future__ import annotations

import fnmatch
import re
import shlex
from typing import Any, Dict, List, Literal, Optional, Tuple, TypedDict, cast

from collectors.context import OFFLINE_ROOT, HostReader, runtime_only
from collectors.evidence import CollectError, ErrorReason
from collectors.facts import CollectedFacts, FactsKey
from collectors.host.services import systemd_running
from collectors.registry import collector

# --------------------------------------------------------------------------
# facts shapes
# --------------------------------------------------------------------------


class AuditdConfigFacts(TypedDict, total=False):
    """The settings of _AUDITD_KEYS that auditd.conf sets; actions lower-cased."""

    max_log_file_action: str
    space_left_action: str
    admin_space_left_action: str
    disk_full_action: str
    disk_error_action: str
    num_logs: Optional[int]  # None: not a number
    max_log_file: Optional[int]


class AuditRulesFacts(TypedDict):
    """What a set of audit rules covers (``parse_audit_rules``)."""

    rule_count: int
    suppressing_rules: int
    immutable: bool
    enabled_flag: Optional[int]
    identity_watches: List[str]
    execve_rules: bool
    privileged_command_rules: bool
    time_change_rules: bool
    login_rules: bool


class _AuditRuntimeAvailable(TypedDict):
    available: bool


class AuditRuntimeFacts(_AuditRuntimeAvailable, total=False):
    """``auditctl -s`` and ``-l``: ``reason`` alone when unavailable, every other key when available."""

    reason: str
    enabled: int
    pid: Optional[int]
    failure: Optional[int]
    lost: Optional[int]
    backlog: Optional[int]
    rules: Optional[AuditRulesFacts]  # None: ``auditctl -l`` failed


class _AuditBase(CollectedFacts):
    installed: bool
    config: Optional[AuditdConfigFacts]
    rules: Optional[AuditRulesFacts]  # the configured rules (files), not the loaded ones
    runtime: AuditRuntimeFacts


class AuditFacts(_AuditBase, total=False):
    """The three keys below are absent when auditd is not installed."""

    config_error: Optional[str]
    rules_source: Optional[str]
    rules_error: Optional[str]


class _RemoteTargetBase(TypedDict):
    daemon: str
    host: str
    port: Optional[int]
    protocol: str
    file: str


class RemoteTargetFacts(_RemoteTargetBase, total=False):
    tls: bool  # rsyslog action() targets only


class JournaldFacts(TypedDict):
    systemd_running: bool  # systemd is the running init (/run/systemd/system), so journald runs
    journald_installed: bool  # systemd-journald's binary or journald.conf is on disk
    storage: str
    journal_dir: bool
    persistent: bool
    max_retention_sec: Optional[int]
    forward_to_syslog: bool
    upload_host: Optional[str]
    disk_usage: Optional[str]


class SyslogFacts(CollectedFacts):
    daemons: List[str]
    journald: JournaldFacts
    remote_targets: List[RemoteTargetFacts]
    unreadable: List[str]


class LogRetentionEntryFacts(TypedDict):
    """How long one log is kept: exact ``days``, or bounds, or ``indefinite``."""

    log: str
    key: Optional[str]  # the KEY_GROUPS group(s) it stands for ("auth", "system", "audit", "auth+system"); None if none
    days: Optional[int]
    at_least: Optional[int]
    at_most: Optional[int]
    indefinite: bool
    basis: str


class LogRetentionFacts(CollectedFacts):
    logs: List[LogRetentionEntryFacts]
    min_days: Optional[int]
    unknown_key_logs: List[str]
    missing_key_logs: List[str]
    notes: List[str]
    logrotate_present: bool


class TimeDaemonFacts(TypedDict):
    daemon: str
    config: str
    servers: List[str]


class TimesyncFacts(CollectedFacts):
    daemons: List[TimeDaemonFacts]
    configured: bool
    synchronised: Optional[bool]
    sync_basis: Optional[str]


AUDIT = FactsKey[AuditFacts]("host.audit", AuditFacts)
SYSLOG = FactsKey[SyslogFacts]("host.syslog", SyslogFacts)
LOG_RETENTION = FactsKey[LogRetentionFacts]("host.log_retention", LogRetentionFacts)
TIMESYNC = FactsKey[TimesyncFacts]("host.timesync", TimesyncFacts)

# --------------------------------------------------------------------------
# helpers shared by the collectors of this module
# --------------------------------------------------------------------------


def _try_read(host: HostReader, path: str) -> Tuple[Optional[str], Optional[str]]:
    """(text, None) or (None, reason) when the file exists but cannot be read."""
    try:
        return host.read_text(path), None
    except CollectError as exc:
        return None, exc.message


def dir_readable(host: HostReader, path: str) -> bool:
    """Whether a directory's entries can be listed by us (recorded modes honoured)."""
    st = host.stat(path) if host.exists(path) else None
    if st is not None and not host.ctx.live and not host.ctx.privileged and st.uid == 0 and not st.mode & 0o004:
        return False
    try:
        host.listdir(path)
    except CollectError:
        return False
    return True


# --------------------------------------------------------------------------
# host.audit
# --------------------------------------------------------------------------

# The account and sudo databases themselves: what an identity audit rule must watch at the least.
CORE_IDENTITY_FILES: Tuple[str, ...] = ("/etc/passwd", "/etc/shadow", "/etc/group", "/etc/sudoers")
IDENTITY_FILES: Tuple[str, ...] = (*CORE_IDENTITY_FILES, "/etc/gshadow", "/etc/security/opasswd")
TIME_SYSCALLS = ("adjtimex", "settimeofday", "clock_settime", "stime")
LOGIN_FILES = ("/var/log/lastlog", "/var/log/wtmp", "/var/log/btmp", "/var/run/faillock", "/var/log/faillog", "/run/faillock")
# What auditd does as its disk fills up (auditd.conf(5)).
AUDITD_DISK_ACTIONS: Tuple[Literal["space_left_action", "admin_space_left_action", "disk_full_action"], ...] = (
    "space_left_action",
    "admin_space_left_action",
    "disk_full_action",
)
AUDITD_DEFAULT_MAX_LOG_FILE_ACTION = "rotate"  # when auditd.conf does not set max_log_file_action
# The values auditd.conf(5) allows for max_log_file_action (lower-cased); single and halt are not among them.
AUDITD_MAX_LOG_FILE_ACTIONS: Tuple[str, ...] = ("ignore", "syslog", "suspend", "rotate", "keep_logs")
_AUDITD_NUMBERS = ("num_logs", "max_log_file")
_AUDITD_KEYS = ("max_log_file_action", *AUDITD_DISK_ACTIONS, "disk_error_action", *_AUDITD_NUMBERS)


def _is_number(value: str, max_digits: int = 18) -> bool:
    """ASCII digits that fit a C long: ``str.isdigit`` also accepts '²', which ``int`` refuses, and any length."""
    return value.isascii() and value.isdigit() and len(value) <= max_digits


def parse_auditd_conf(text: str) -> AuditdConfigFacts:
    """The retention and overflow settings of auditd.conf (``key = value``)."""
    out: Dict[str, Any] = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if "=" not in line:
            continue
        key, _, value = line.partition("=")
        key, value = key.strip().lower(), value.strip()
        if key not in _AUDITD_KEYS:
            continue
        if key in _AUDITD_NUMBERS:
            out[key] = int(value) if _is_number(value) else None
        else:
            out[key] = value.lower()
    return cast(AuditdConfigFacts, out)


def _rule_fields(tokens: List[str]) -> List[str]:
    """The ``-F name=value`` fields of a rule (``-F x`` and ``-Fx`` spellings)."""
    fields: List[str] = []
    for i, tok in enumerate(tokens):
        if tok == "-F" and i + 1 < len(tokens):
            fields.append(tokens[i + 1])
        elif tok.startswith("-F") and len(tok) > 2:
            fields.append(tok[2:])
    return fields


def _option(tokens: List[str], flag: str) -> Optional[str]:
    for i, tok in enumerate(tokens):
        if tok == flag and i + 1 < len(tokens):
            return tokens[i + 1]
    return None


def _rule_syscalls(tokens: List[str]) -> List[str]:
    calls: List[str] = []
    for i, tok in enumerate(tokens):
        if tok == "-S" and i + 1 < len(tokens):
            calls.extend(tokens[i + 1].split(","))
    return calls


def _watched_paths(tokens: List[str]) -> Tuple[List[str], str]:
    """(paths, permissions) a rule watches; permissions as auditctl(8) letters r/w/x/a.

    ``-w`` without ``-p`` watches everything (rwxa).  A syscall rule on
    ``-F path=``/``-F dir=`` uses its ``perm=`` field; without one it covers
    every access only when it is not narrowed to some syscalls (``-S all``
    or no ``-S`` at all), otherwise its reach is unknown and it is not counted.
    """
    if tokens[0] == "-w":
        path = _option(tokens, "-w")
        return ([path.rstrip("/") or "/"] if path else []), (_option(tokens, "-p") or "rwxa")
    fields = _rule_fields(tokens)
    paths = [f.split("=", 1)[1].rstrip("/") for f in fields if f.startswith(("path=", "dir="))]
    perms = [f.split("=", 1)[1] for f in fields if f.startswith("perm=")]
    if perms:
        return paths, perms[-1]
    calls = _rule_syscalls(tokens)
    return paths, ("rwxa" if not calls or "all" in calls else "")


def _suppresses(tokens: List[str]) -> bool:
    """Whether an ``-a``/``-A`` rule has the ``never`` action (it suppresses events)."""
    if tokens[0] not in ("-a", "-A"):
        return False
    spec = _option(tokens, tokens[0]) or ""
    return "never" in [part.strip().lower() for part in spec.split(",")]


def parse_audit_rules(text: str) -> AuditRulesFacts:
    """Reduce audit rules (file syntax or ``auditctl -l`` output) to coverage facts.

    Only rules that record events count as coverage: ``never`` rules suppress
    auditing, and a watch on an identity file must include write (w) and
    attribute-change (a) permissions to catch its modification.
    """
    count = suppressing = 0
    enabled_flag: Optional[int] = None
    watched: List[str] = []
    execve = privileged = time_change = logins = False
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or line == "No rules":
            continue
        try:
            tokens = shlex.split(line)
        except ValueError:
            tokens = line.split()
        if not tokens or not tokens[0].startswith("-"):
            continue
        if tokens[0] == "-e" and len(tokens) > 1:
            enabled_flag = int(tokens[1]) if _is_number(tokens[1]) else enabled_flag
            continue
        if tokens[0] not in ("-w", "-a", "-A"):
            continue  # -D, -b, -f, --backlog_wait_time ... are control lines
        count += 1
        if _suppresses(tokens):
            suppressing += 1
            continue
        paths, perms = _watched_paths(tokens)
        calls = _rule_syscalls(tokens)
        writes = "w" in perms and "a" in perms
        if writes:
            watched.extend(p for p in paths if p in IDENTITY_FILES or p.startswith("/etc/sudoers"))
        if "execve" in calls:
            execve = True
        if "x" in perms and any(p.startswith(("/usr/bin/", "/usr/sbin/", "/bin/", "/sbin/")) for p in paths):
            privileged = True
        if any(c in TIME_SYSCALLS for c in calls) or ("/etc/localtime" in paths and "w" in perms):
            time_change = True
        if "w" in perms and any(p in LOGIN_FILES for p in paths):
            logins = True
    return {
        "rule_count": count,
        "suppressing_rules": suppressing,
        "immutable": enabled_flag == 2,
        "enabled_flag": enabled_flag,
        "identity_watches": sorted(set(watched)),
        "execve_rules": execve,
        "privileged_command_rules": privileged or execve,
        "time_change_rules": time_change,
        "login_rules": logins,
    }


def parse_auditctl_status(text: str) -> Dict[str, Optional[int]]:
    """``auditctl -s``: ``enabled 2`` / ``pid 612`` ... (garbage yields Nones)."""
    out: Dict[str, Optional[int]] = {"enabled": None, "pid": None, "failure": None, "lost": None, "backlog": None}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0] in out:
            out[parts[0]] = int(parts[1]) if _is_number(parts[1]) else None
    return out


def _configured_rules(host: HostReader) -> Tuple[Optional[str], Optional[str], Optional[str]]:
    """(rules text, basis, unreadable reason) from rules.d or audit.rules."""
    if host.is_dir("/etc/audit/rules.d") and dir_readable(host, "/etc/audit/rules.d"):
        files = host.glob("/etc/audit/rules.d/*.rules")
        if files:
            parts: List[str] = []
            for path in files:
                text, why = _try_read(host, path)
                if why is not None:
                    return None, None, why
                parts.append(text or "")
            return "\n".join(parts), "/etc/audit/rules.d/*.rules", None
    elif host.is_dir("/etc/audit/rules.d"):
        return None, None, "cannot list /etc/audit/rules.d: Permission denied"
    text, why = _try_read(host, "/etc/audit/audit.rules")
    if why is not None:
        return None, None, why
    return text, ("/etc/audit/audit.rules" if text is not None else None), None


def _audit_runtime(host: HostReader) -> AuditRuntimeFacts:
    if host.offline_root:
        return {"available": False, "reason": runtime_only("the audit daemon's state (auditctl -s)")}
    res = host.run(["auditctl", "-s"])
    if res.missing:
        return {"available": False, "reason": "auditctl is not installed"}
    if res.error is not None or res.exit_code != 0:
        why = (res.stderr or res.error or f"exit code {res.exit_code}").strip().splitlines()
        return {"available": False, "reason": f"auditctl -s refused or failed: {why[0] if why else 'no output'}"}
    status = parse_auditctl_status(res.stdout)
    enabled = status["enabled"]
    if enabled is None:
        return {"available": False, "reason": "auditctl -s output not understood (no 'enabled' line)"}
    rules = host.run(["auditctl", "-l"])
    return {
        "available": True,
        "enabled": enabled,
        "pid": status["pid"],
        "failure": status["failure"],
        "lost": status["lost"],
        "backlog": status["backlog"],
        "rules": parse_audit_rules(rules.stdout) if rules.error is None and rules.exit_code == 0 else None,
    }


@collector(AUDIT, "auditd installation, configuration, rules and runtime state")
def collect_audit(host: HostReader) -> AuditFacts:
    installed = host.exists("/etc/audit/auditd.conf") or host.exists("/sbin/auditd") or host.exists("/usr/sbin/auditd")
    runtime = _audit_runtime(host)
    if not installed and not runtime["available"]:
        return {"_method": "files", "installed": False, "config": None, "rules": None, "runtime": runtime}
    conf_text, conf_err = _try_read(host, "/etc/audit/auditd.conf")
    rules_text, basis, rules_err = _configured_rules(host)
    facts: AuditFacts = {
        "_method": "files+auditctl" if runtime["available"] else "files",
        "installed": True,
        "config": parse_auditd_conf(conf_text) if conf_text is not None else None,
        "config_error": conf_err,
        "rules": parse_audit_rules(rules_text) if rules_text is not None else None,
        "rules_source": basis,
        "rules_error": rules_err,
        "runtime": runtime,
    }
    return facts


# --------------------------------------------------------------------------
# host.syslog
# --------------------------------------------------------------------------

_RSYSLOG_LEGACY = re.compile(
    r"^\s*[A-Za-z*][A-Za-z0-9*,;.!=<>]*\.[A-Za-z0-9*!=<>]+\s+(?:-\s*)?(@@?)(?:\([^)]*\))?\[?([A-Za-z0-9_.:-]+?)\]?(?::(\d+))?(?:;\S+)?\s*$"
)
_OMFWD = re.compile(r"type\s*=\s*\"(omfwd|omrelp)\"", re.I)
_PARAM = re.compile(r"([\w.]+)\s*=\s*\"([^\"]*)\"")


def strip_comment(line: str) -> str:
    """``line`` without a ``#`` comment; a ``#`` inside single or double quotes is kept."""
    quote = ""
    for i, ch in enumerate(line):
        if quote:
            if ch == "\\":
                continue
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch == "#":
            return line[:i]
    return line


def _port(text: str) -> Optional[int]:
    """A port number written in a configuration; None for anything else (a digit like '²', 5,000 digits, 70000)."""
    return int(text) if _is_number(text, 5) and int(text) <= 65535 else None


def _strip_userinfo(target: str) -> str:
    """Drop any ``user:pass@`` part: only the host is evidence."""
    return target.rsplit("@", 1)[-1]


def parse_rsyslog_forwarding(text: str, path: str) -> List[RemoteTargetFacts]:
    """Remote targets in an rsyslog file: legacy ``@host``/``@@host`` and action(omfwd/omrelp).

    Comments are removed first; ``$Action...`` directives (queue settings and
    the like) are not selector lines and never match the legacy form.
    """
    targets: List[RemoteTargetFacts] = []
    lines = [strip_comment(line) for line in text.splitlines()]
    for line in lines:
        m = _RSYSLOG_LEGACY.match(line)
        if m:
            proto = "tcp" if m.group(1) == "@@" else "udp"
            port = _port(m.group(3)) if m.group(3) else 514
            targets.append(
                {"daemon": "rsyslog", "host": _strip_userinfo(m.group(2)), "port": port, "protocol": proto, "file": path}
            )
    # action(...) may span lines: join the file and scan each action() block
    flat = " ".join(lines)
    for block in re.findall(r"\baction\s*\(([^)]*)\)", flat, re.I):
        kind = _OMFWD.search(block)
        if not kind:
            continue
        params = {k.lower(): v for k, v in _PARAM.findall(block)}
        host_value = _strip_userinfo(params.get("target", ""))
        if not host_value:
            continue  # no target, or only a user part ("u@"): nothing is forwarded anywhere
        proto = "relp" if kind.group(1).lower() == "omrelp" else params.get("protocol", "udp").lower()
        port_text = params.get("port", "514")
        targets.append(
            {
                "daemon": "rsyslog",
                "host": host_value,
                "port": _port(port_text),
                "protocol": proto,
                "tls": params.get("streamdriver", "").lower().startswith(("gtls", "ossl"))
                or params.get("streamdrivermode") == "1",
                "file": path,
            }
        )
    return targets


def parse_ini_section(text: str, section: str) -> Dict[str, str]:
    """``Key=value`` pairs of one section of a systemd-style ini file (last wins)."""
    out: Dict[str, str] = {}
    current = ""
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1].strip()
            continue
        if current == section and "=" in line:
            key, _, value = line.partition("=")
            out[key.strip()] = value.strip()
    return out


_TIME_UNITS = {
    "s": 1,
    "sec": 1,
    "second": 1,
    "seconds": 1,
    "min": 60,
    "m": 60,
    "minute": 60,
    "minutes": 60,
    "h": 3600,
    "hr": 3600,
    "hour": 3600,
    "hours": 3600,
    "d": 86400,
    "day": 86400,
    "days": 86400,
    "w": 604800,
    "week": 604800,
    "weeks": 604800,
    "month": 2629800,
    "months": 2629800,
    "y": 31557600,
    "year": 31557600,
    "years": 31557600,
}


def parse_timespan(value: str) -> Optional[int]:
    """systemd time span (``6month``, ``180d``, ``1y 2w``, bare seconds) in seconds; None if unparsable."""
    value = value.strip()
    if not value:
        return None
    if _is_number(value):
        return int(value)
    total = 0
    for num, unit in re.findall(r"(\d+)\s*([A-Za-z]*)", value):
        factor = _TIME_UNITS.get(unit.lower() or "s")
        if factor is None or not _is_number(num):
            return None
        total += int(num) * factor
    return total or None


def journald_settings(host: HostReader) -> Dict[str, str]:
    """journald.conf with drop-ins applied in lexical order (last wins)."""
    settings: Dict[str, str] = {}
    paths = ["/etc/systemd/journald.conf"]
    paths += sorted(
        host.glob("/usr/lib/systemd/journald.conf.d/*.conf") + host.glob("/etc/systemd/journald.conf.d/*.conf"),
        key=lambda p: p.rsplit("/", 1)[-1],
    )
    for path in paths:
        text, _why = _try_read(host, path)
        if text:
            settings.update(parse_ini_section(text, "Journal"))
    return settings


JOURNALD_TRACES: Tuple[str, ...] = (
    "/lib/systemd/systemd-journald",
    "/usr/lib/systemd/systemd-journald",
    "/etc/systemd/journald.conf",
    "/usr/lib/systemd/journald.conf",
)


def _journald_facts(host: HostReader) -> JournaldFacts:
    s = journald_settings(host)
    storage = s.get("Storage", "auto").lower()
    journal_dir = host.is_dir("/var/log/journal")
    persistent = storage == "persistent" or (storage == "auto" and journal_dir)
    retention = parse_timespan(s["MaxRetentionSec"]) if s.get("MaxRetentionSec") else None
    upload_text, _ = _try_read(host, "/etc/systemd/journal-upload.conf")
    upload_url = parse_ini_section(upload_text, "Upload").get("URL") if upload_text else None
    upload_host = None
    if upload_url:
        upload_host = _strip_userinfo(re.sub(r"^\w+://", "", upload_url).split("/", 1)[0]) or None
    usage = None if host.offline_root else host.run(["journalctl", "--disk-usage"])  # offline root: nothing is run
    usage_text = None
    if usage is not None and usage.error is None and usage.exit_code == 0:
        m = re.search(r"take up ([0-9.]+[KMGTP]?B?)|take ([0-9.]+[KMGTP]?B?)", usage.stdout)
        usage_text = (m.group(1) or m.group(2)) if m else None
    return {
        "systemd_running": systemd_running(host),
        "journald_installed": any(host.exists(p) for p in JOURNALD_TRACES),
        "storage": storage,
        "journal_dir": journal_dir,
        "persistent": persistent,
        "max_retention_sec": retention,
        "forward_to_syslog": s.get("ForwardToSyslog", "yes").lower() in ("yes", "true", "1", "on"),
        "upload_host": upload_host,
        "disk_usage": usage_text,
    }


def _rsyslog_files(host: HostReader) -> List[str]:
    files = []
    if host.exists("/etc/rsyslog.conf"):
        files.append("/etc/rsyslog.conf")
    files += host.glob("/etc/rsyslog.d/*.conf")
    return files


def _balanced(text: str, start: int, opening: str, closing: str) -> int:
    """Index just past the bracket closing the one at ``start`` (quotes honoured; end of text if unbalanced)."""
    depth = 0
    quote = ""
    i = start
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch == opening:
            depth += 1
        elif ch == closing:
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return len(text)


_NG_DRIVER = re.compile(r"\b(network|syslog|tcp6?|udp6?)\s*\(")
_NG_FIRST_ARG = re.compile(r"""\s*(?:"([^"]+)"|'([^']+)'|([A-Za-z0-9_.:-]+)(?!\s*\())""")
_NG_PORT = re.compile(r"\bport\s*\(\s*\"?(\d+)\"?\s*\)")
_NG_TRANSPORT = re.compile(r"\btransport\s*\(\s*\"?(\w+)\"?\s*\)")


def _ng_driver_targets(body: str, path: str) -> List[RemoteTargetFacts]:
    """Network drivers in a destination body whose first argument is a host."""
    out: List[RemoteTargetFacts] = []
    for m in _NG_DRIVER.finditer(body):
        args = body[m.end() : _balanced(body, m.end() - 1, "(", ")") - 1]
        first = _NG_FIRST_ARG.match(args)
        host_value = _strip_userinfo((first and (first.group(1) or first.group(2) or first.group(3))) or "")
        if not host_value:
            continue  # only options, e.g. a source-style ip(...)/port(...) list, or a bare user part
        port = _NG_PORT.search(args)
        transport = _NG_TRANSPORT.search(args)
        kind = m.group(1)
        out.append(
            {
                "daemon": "syslog-ng",
                "host": host_value,
                "port": _port(port.group(1)) if port else None,
                "protocol": transport.group(1).lower() if transport else kind,
                "file": path,
            }
        )
    return out


def syslog_ng_targets(files: List[Tuple[str, str]]) -> List[RemoteTargetFacts]:
    """Remote targets of syslog-ng: network drivers of destinations used by a ``log`` path.

    Sources (``source s { udp(ip(...) port(514)); }``) and destinations that
    no ``log { ... destination(NAME) ... }`` statement uses do not forward
    anything. Definitions and log paths may be split over several files.
    """
    defined: Dict[str, Tuple[str, str]] = {}
    used: List[str] = []
    inline: List[Tuple[str, str]] = []
    for path, raw in files:
        text = "\n".join(strip_comment(line) for line in raw.splitlines())
        for m in re.finditer(r"\bdestination\s+([A-Za-z0-9_.-]+)\s*\{", text):
            end = _balanced(text, m.end() - 1, "{", "}")
            defined[m.group(1)] = (text[m.end() : end - 1], path)
        for m in re.finditer(r"\blog\s*\{", text):
            body = text[m.end() : _balanced(text, m.end() - 1, "{", "}") - 1]
            used += re.findall(r"\bdestination\s*\(\s*([A-Za-z0-9_.-]+)\s*\)", body)
            for d in re.finditer(r"\bdestination\s*\{", body):
                inline.append((body[d.end() : _balanced(body, d.end() - 1, "{", "}") - 1], path))
    out: List[RemoteTargetFacts] = []
    for name in dict.fromkeys(used):
        if name in defined:
            out += _ng_driver_targets(*defined[name])
    for body, path in inline:
        out += _ng_driver_targets(body, path)
    return out


@collector(SYSLOG, "Syslog daemons, remote log forwarding and journald persistence")
def collect_syslog(host: HostReader) -> SyslogFacts:
    targets: List[RemoteTargetFacts] = []
    unreadable: List[str] = []
    rsyslog_files = _rsyslog_files(host)
    for path in rsyslog_files:
        text, why = _try_read(host, path)
        if why is not None:
            unreadable.append(path)
        elif text:
            targets += parse_rsyslog_forwarding(text, path)
    ng_files = ([p for p in ["/etc/syslog-ng/syslog-ng.conf"] if host.exists(p)]) + host.glob("/etc/syslog-ng/conf.d/*.conf")
    ng_texts: List[Tuple[str, str]] = []
    for path in ng_files:
        text, why = _try_read(host, path)
        if why is not None:
            unreadable.append(path)
        elif text:
            ng_texts.append((path, text))
    targets += syslog_ng_targets(ng_texts)
    journald = _journald_facts(host)
    if journald["upload_host"]:
        targets.append(
            {
                "daemon": "systemd-journal-upload",
                "host": journald["upload_host"],
                "port": None,
                "protocol": "https",
                "file": "/etc/systemd/journal-upload.conf",
            }
        )
    daemons: List[str] = []
    if rsyslog_files:
        daemons.append("rsyslog")
    if ng_files:
        daemons.append("syslog-ng")
    return {
        "_method": "files",
        "daemons": daemons,
        "journald": journald,
        "remote_targets": targets,
        "unreadable": unreadable,
    }


# --------------------------------------------------------------------------
# host.log_retention
# --------------------------------------------------------------------------

PERIOD_DAYS = {"daily": 1, "weekly": 7, "monthly": 30, "yearly": 365}
KEY_LOGS = ("/var/log/syslog", "/var/log/messages", "/var/log/auth.log", "/var/log/secure")
KEY_GROUPS = {
    "/var/log/syslog": "system",
    "/var/log/messages": "system",
    "/var/log/auth.log": "auth",
    "/var/log/secure": "auth",
}
AUDIT_LOG = "/var/log/audit/audit.log"
# max_log_file_action values with which auditd never deletes an old audit log
_AUDIT_KEEPS = ("keep_logs", "ignore", "syslog", "suspend", "single", "halt")


MAX_LOGROTATE_FILES = 256  # files read in one walk: includes of a directory from inside it fan out within the depth limit


def _apply_directive(settings: Dict[str, Any], words: List[str]) -> None:
    word = words[0].lower()
    if word in PERIOD_DAYS or word == "hourly":
        settings["period"] = word
    elif word == "rotate" and len(words) > 1:
        count = words[1][1:] if words[1].startswith("-") else words[1]
        settings["rotate"] = int(words[1]) if _is_number(count, 9) else None
    elif word == "maxage" and len(words) > 1 and _is_number(words[1], 9):
        settings["maxage"] = int(words[1])
    elif word in ("size", "maxsize", "minsize") and len(words) > 1:
        settings[word] = words[1]


def parse_logrotate(
    host: HostReader,
    path: str,
    inherited: Dict[str, Any],
    out: Dict[str, Dict[str, Any]],
    depth: int = 0,
    budget: Optional[List[int]] = None,
) -> Dict[str, Any]:
    """Walk a logrotate file (following ``include``); fill ``out`` with per-pattern settings.

    ``out`` maps each log path or glob pattern to its block's settings, in
    the order logrotate reads them. Returns the global settings as they stand
    at the end of the file, since logrotate applies top-level directives to
    every later block. ``budget`` counts the files read in the whole walk:
    past MAX_LOGROTATE_FILES (an include fan-out) it is an error.
    """
    budget = [0] if budget is None else budget
    budget[0] += 1
    if budget[0] > MAX_LOGROTATE_FILES:
        raise CollectError(ErrorReason.MALFORMED, f"{path}: more than {MAX_LOGROTATE_FILES} logrotate files included (an include fan-out)")
    text, why = _try_read(host, path)
    if why is not None:
        raise CollectError(ErrorReason.PERMISSION_DENIED, why)
    settings = dict(inherited)
    block: Optional[Dict[str, Any]] = None
    block_logs: List[str] = []
    pending: List[str] = []
    in_script = False
    lines = (text or "").splitlines()
    for raw in lines:
        line = raw.split("#", 1)[0].strip() if not in_script else raw.strip()
        if in_script:
            if line == "endscript":
                in_script = False
            continue
        if not line:
            continue
        words = line.split()
        if words[0] in ("postrotate", "prerotate", "firstaction", "lastaction", "preremove"):
            in_script = True
            continue
        if block is None and line.endswith("{"):
            block = dict(settings)
            block_logs = pending + [w.strip('"') for w in line[:-1].split() if w.strip('"').startswith("/")]
            pending = []
            continue
        if block is None and line.startswith(("/", '"/')):
            pending += [w.strip('"') for w in words]
            continue
        if block is not None and line.startswith("}"):
            for log in block_logs:
                out.setdefault(log, {**block, "file": path})  # logrotate keeps the first entry for a file
            block = None
            continue
        if block is None and words[0] == "include" and len(words) > 1 and depth < 3:
            target = words[1]
            if not target.startswith("/"):
                continue  # relative to logrotate's working directory, which is not known here
            included = host.glob(target.rstrip("/") + "/*") if host.is_dir(target) else [target]
            for inc in included:
                if not inc.rsplit("/", 1)[-1].startswith(".") and not inc.endswith((".dpkg-old", ".rpmsave", "~")):
                    parse_logrotate(host, inc, settings, out, depth + 1, budget)
            continue
        _apply_directive(block if block is not None else settings, words)
    if block is not None:
        raise CollectError(ErrorReason.MALFORMED, f"{path}: line {len(lines)}: unterminated '{{' block")
    return settings


def _entry(days: Optional[int], basis: str, **extra: Any) -> Dict[str, Any]:
    """A retention estimate: exact ``days``, or bounds ``at_least``/``at_most``, or ``indefinite``."""
    out: Dict[str, Any] = {"days": days, "at_least": None, "at_most": None, "indefinite": False, "basis": basis}
    out.update(extra)
    return out


def retention_estimate(settings: Dict[str, Any]) -> Dict[str, Any]:
    """How long logrotate keeps old copies of a log, from its effective settings.

    Per logrotate(8): ``rotate N`` keeps N old copies (``-1``: never removed),
    ``maxage`` removes copies older than N days, ``size`` rotates on size
    alone, ``maxsize`` may rotate before the period ends (so rotate x period
    is only an upper bound) and ``minsize`` may delay it (a lower bound).
    """
    period = settings.get("period")
    rotate = settings.get("rotate")
    rotate = 0 if rotate is None else rotate
    maxage = settings.get("maxage")
    if rotate < 0:
        if maxage is not None:
            return _entry(maxage, f"rotate -1 capped by maxage {maxage}")
        return _entry(None, "rotate -1: old logs are never removed", indefinite=True)
    if settings.get("size"):
        basis = f"size-driven rotation (size {settings['size']}): days kept unknown"
        return _entry(None, basis + (f", at most maxage {maxage}" if maxage is not None else ""), at_most=maxage)
    if period is None:
        return _entry(None, "no rotation period: retention unknown", at_most=maxage)
    days = rotate // 24 if period == "hourly" else rotate * PERIOD_DAYS[period]
    basis = f"{period} x rotate {rotate}"
    if maxage is not None and maxage < days:
        days, basis = maxage, basis + f", capped by maxage {maxage}"
    if settings.get("maxsize"):
        return _entry(None, f"size-driven rotation (maxsize {settings['maxsize']}): at most {days} days", at_most=days)
    if settings.get("minsize") and not (maxage is not None and maxage <= days):
        return _entry(None, f"minsize {settings['minsize']} may delay rotation: at least {days} days", at_least=days)
    return _entry(days, basis)


def retention_days(settings: Dict[str, Any]) -> Tuple[Optional[int], str]:
    """(days, basis) from logrotate settings; None when not exactly known."""
    est = retention_estimate(settings)
    return est["days"], est["basis"]


def _match_block(host: HostReader, log: str, per_log: Dict[str, Dict[str, Any]]) -> Tuple[Optional[str], List[str]]:
    """(first pattern covering ``log``, every pattern covering it).

    An exact path counts as written; a glob only expands to files that exist,
    as logrotate's glob(3) does. logrotate reports a file matched by two
    blocks as a duplicate and keeps the first one.
    """
    matches = []
    for pattern in per_log:
        if pattern == log:
            matches.append(pattern)
        elif any(c in pattern for c in "*?[") and fnmatch.fnmatchcase(log, pattern) and host.exists(log):
            matches.append(pattern)
    return (matches[0] if matches else None), matches


def _journal_entry(host: HostReader) -> Optional[Dict[str, Any]]:
    """The persistent journal as a log store; None if the journal is volatile.

    MaxRetentionSec only bounds the age from above: SystemMaxUse (by default
    10% of the file system, at most 4 GiB) removes older entries first, so
    the journal alone never proves how many days it keeps.
    """
    journald = _journald_facts(host)
    if not journald["persistent"]:
        return None
    sec = journald["max_retention_sec"]
    if sec:
        basis = "journald MaxRetentionSec is an upper bound; SystemMaxUse may delete sooner"
        return _entry(None, basis, log="systemd journal", key=None, at_most=sec // 86400)
    return _entry(None, "journald persistent, limited by disk usage only: retention unknown", log="systemd journal", key=None)


def _audit_entry(host: HostReader) -> Dict[str, Any]:
    text, why = _try_read(host, "/etc/audit/auditd.conf")
    if text is None:
        return _entry(None, f"auditd.conf unreadable ({why}): retention unknown", log=AUDIT_LOG, key="audit")
    action = parse_auditd_conf(text).get("max_log_file_action", AUDITD_DEFAULT_MAX_LOG_FILE_ACTION)
    if action in _AUDIT_KEEPS:
        return _entry(
            None, f"auditd max_log_file_action={action} never removes old logs", log=AUDIT_LOG, key="audit", indefinite=True
        )
    return _entry(
        None,
        f"auditd max_log_file_action={action} rotates by size (num_logs x max_log_file): days unknown",
        log=AUDIT_LOG,
        key="audit",
    )


@collector(LOG_RETENTION, "Effective local retention of the key security logs, in days")
def collect_log_retention(host: HostReader) -> LogRetentionFacts:
    """Retention of the key security logs: authentication, system and audit.

    ``min_days`` is the shortest exactly known retention among the key logs;
    ``unknown_key_logs`` lists key logs whose retention is not exactly known
    (they may still carry bounds) and ``missing_key_logs`` the kinds with no
    rotation policy found at all. The journal stands in for the auth and
    system logs only where no log file policy covers them.
    """
    per_log: Dict[str, Dict[str, Any]] = {}
    if host.exists("/etc/logrotate.conf"):
        parse_logrotate(host, "/etc/logrotate.conf", {}, per_log)
    logs: List[Dict[str, Any]] = []
    notes: List[str] = []
    for log in KEY_LOGS:
        pattern, matches = _match_block(host, log, per_log)
        if pattern is None:
            continue
        if len(matches) > 1:
            notes.append(f"{log} is matched by several logrotate entries ({', '.join(matches)}); the first applies")
        est = retention_estimate(per_log[pattern])
        where = per_log[pattern]["file"] + ("" if pattern == log else f" ({pattern})")
        est.update({"log": log, "key": KEY_GROUPS[log], "basis": f"logrotate {where}: {est['basis']}"})
        logs.append(est)
    covered = {entry["key"] for entry in logs}
    journal = _journal_entry(host)
    if journal is not None:
        stands_in = [g for g in ("auth", "system") if g not in covered]
        if stands_in:
            journal["key"] = "+".join(stands_in)
            covered.update(stands_in)
        logs.append(journal)
    if host.exists("/etc/audit/auditd.conf"):
        logs.append(_audit_entry(host))
        covered.add("audit")
    key_logs = [entry for entry in logs if entry["key"]]
    known = [entry["days"] for entry in key_logs if entry["days"] is not None]
    return {
        "_method": "files",
        "logs": [
            {
                "log": e["log"],
                "key": e["key"],
                "days": e["days"],
                "at_least": e["at_least"],
                "at_most": e["at_most"],
                "indefinite": e["indefinite"],
                "basis": e["basis"],
            }
            for e in logs
        ],
        "min_days": min(known) if known else None,
        "unknown_key_logs": [e["log"] for e in key_logs if e["days"] is None and not e["indefinite"]],
        "missing_key_logs": [g for g in ("auth", "system") if g not in covered],
        "notes": notes,
        "logrotate_present": host.exists("/etc/logrotate.conf"),
    }


# --------------------------------------------------------------------------
# host.timesync
# --------------------------------------------------------------------------


def _chrony_sources(host: HostReader) -> Tuple[Optional[str], List[str]]:
    for conf in ("/etc/chrony.conf", "/etc/chrony/chrony.conf"):
        text, _why = _try_read(host, conf)
        if text is None:
            continue
        servers = re.findall(r"^\s*(?:server|pool|peer)\s+(\S+)", text, re.M)
        for sdir in re.findall(r"^\s*sourcedir\s+(\S+)", text, re.M):
            if not sdir.startswith("/"):
                continue  # relative to chronyd's working directory, which is not known here
            for src in host.glob(sdir.rstrip("/") + "/*.sources"):
                stext, _ = _try_read(host, src)
                servers += re.findall(r"^\s*(?:server|pool|peer)\s+(\S+)", stext or "", re.M)
        return conf, servers
    return None, []


def parse_chrony_tracking(text: str) -> Optional[bool]:
    m = re.search(r"^Leap status\s*:\s*(.+)$", text, re.M)
    if not m:
        return None
    return m.group(1).strip().lower() != "not synchronised"


@collector(TIMESYNC, "Time synchronisation daemon, its servers and whether the clock is synchronised")
def collect_timesync(host: HostReader) -> TimesyncFacts:
    daemons: List[TimeDaemonFacts] = []
    conf, servers = _chrony_sources(host)
    if conf:
        daemons.append({"daemon": "chronyd", "config": conf, "servers": servers})
    ntp_text, _ = _try_read(host, "/etc/ntp.conf")
    if ntp_text is not None:
        daemons.append(
            {
                "daemon": "ntpd",
                "config": "/etc/ntp.conf",
                "servers": re.findall(r"^\s*(?:server|pool|peer)\s+(\S+)", ntp_text, re.M),
            }
        )
    ts_text, _ = _try_read(host, "/etc/systemd/timesyncd.conf")
    if ts_text is not None:
        ts = parse_ini_section(ts_text, "Time")
        servers_ts = (ts.get("NTP", "") + " " + ts.get("FallbackNTP", "")).split()
        daemons.append({"daemon": "systemd-timesyncd", "config": "/etc/systemd/timesyncd.conf", "servers": servers_ts})
    synced: Optional[bool] = None
    basis: Optional[str] = None
    if host.offline_root:
        # Whether the clock is synchronised is run-time state: the configured daemons are all an image has.
        return {
            "_method": f"files ({OFFLINE_ROOT}: no synchronisation state)",
            "daemons": daemons,
            "configured": any(d["servers"] for d in daemons),
            "synchronised": None,
            "sync_basis": None,
        }
    tracking = host.run(["chronyc", "-n", "tracking"])
    if tracking.error is None and tracking.exit_code == 0:
        synced = parse_chrony_tracking(tracking.stdout)
        basis = "chronyc -n tracking" if synced is not None else None
    if synced is None:
        tdc = host.run(["timedatectl", "show"])
        if tdc.error is None and tdc.exit_code == 0:
            props = dict(line.split("=", 1) for line in tdc.stdout.splitlines() if "=" in line)
            if "NTPSynchronized" in props:
                synced = props["NTPSynchronized"].strip() == "yes"
                basis = "timedatectl show"
    return {
        "_method": basis or "files",
        "daemons": daemons,
        "configured": any(d["servers"] for d in daemons),
        "synchronised": synced,
        "sync_basis": basis,
    }
