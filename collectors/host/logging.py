"""Logging and audit evidence: auditd, syslog/journald, log retention, time sync.

Each concern is its own collector so that an unreadable audit configuration
(root-only on most distributions) does not hide the syslog or time facts.
Nothing here stores log content or credentials: forwarding targets are reduced
to host, port and protocol.
"""

from __future__ import annotations

import re
import shlex
from typing import Any, Dict, List, Optional, Tuple

from collectors.context import HostReader
from collectors.evidence import CollectError, ErrorReason, Facts
from collectors.registry import collector

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

IDENTITY_FILES = ("/etc/passwd", "/etc/shadow", "/etc/group", "/etc/gshadow", "/etc/sudoers", "/etc/security/opasswd")
TIME_SYSCALLS = ("adjtimex", "settimeofday", "clock_settime", "stime")
LOGIN_FILES = ("/var/log/lastlog", "/var/log/wtmp", "/var/log/btmp", "/var/run/faillock", "/var/log/faillog", "/run/faillock")
_AUDITD_KEYS = (
    "max_log_file_action",
    "space_left_action",
    "admin_space_left_action",
    "disk_full_action",
    "disk_error_action",
    "num_logs",
    "max_log_file",
)


def parse_auditd_conf(text: str) -> Dict[str, Any]:
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
        if key in ("num_logs", "max_log_file"):
            out[key] = int(value) if value.isdigit() else None
        else:
            out[key] = value.lower()
    return out


def _rule_paths(tokens: List[str]) -> List[str]:
    paths: List[str] = []
    for i, tok in enumerate(tokens):
        if tok == "-w" and i + 1 < len(tokens):
            paths.append(tokens[i + 1])
        elif tok == "-F" and i + 1 < len(tokens):
            field = tokens[i + 1]
            if field.startswith(("path=", "dir=")):
                paths.append(field.split("=", 1)[1].rstrip("/"))
        elif tok.startswith("-F") and tok[2:].startswith(("path=", "dir=")):
            paths.append(tok[2:].split("=", 1)[1])
    return paths


def _rule_syscalls(tokens: List[str]) -> List[str]:
    calls: List[str] = []
    for i, tok in enumerate(tokens):
        if tok == "-S" and i + 1 < len(tokens):
            calls.extend(tokens[i + 1].split(","))
    return calls


def parse_audit_rules(text: str) -> Dict[str, Any]:
    """Reduce audit rules (file syntax or ``auditctl -l`` output) to coverage facts."""
    count = 0
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
            enabled_flag = int(tokens[1]) if tokens[1].isdigit() else enabled_flag
            continue
        if tokens[0] not in ("-w", "-a", "-A"):
            continue  # -D, -b, -f, --backlog_wait_time ... are control lines
        count += 1
        paths = _rule_paths(tokens)
        calls = _rule_syscalls(tokens)
        watched.extend(p for p in paths if p in IDENTITY_FILES or p.startswith("/etc/sudoers"))
        if "execve" in calls:
            execve = True
        if any("perm=x" in t for t in tokens) and any(
            p.startswith(("/usr/bin/", "/usr/sbin/", "/bin/", "/sbin/")) for p in paths
        ):
            privileged = True
        if any(c in TIME_SYSCALLS for c in calls) or "/etc/localtime" in paths:
            time_change = True
        if any(p in LOGIN_FILES for p in paths):
            logins = True
    return {
        "rule_count": count,
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
            out[parts[0]] = int(parts[1]) if parts[1].isdigit() else None
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


def _audit_runtime(host: HostReader) -> Dict[str, Any]:
    res = host.run(["auditctl", "-s"])
    if res.missing:
        return {"available": False, "reason": "auditctl is not installed"}
    if res.error is not None or res.exit_code != 0:
        why = (res.stderr or res.error or f"exit code {res.exit_code}").strip().splitlines()
        return {"available": False, "reason": f"auditctl -s refused or failed: {why[0] if why else 'no output'}"}
    status = parse_auditctl_status(res.stdout)
    if status["enabled"] is None:
        return {"available": False, "reason": "auditctl -s output not understood (no 'enabled' line)"}
    out: Dict[str, Any] = {"available": True, **status}
    rules = host.run(["auditctl", "-l"])
    if rules.error is None and rules.exit_code == 0:
        out["rules"] = parse_audit_rules(rules.stdout)
    else:
        out["rules"] = None
    return out


@collector("host.audit", "auditd installation, configuration, rules and runtime state")
def collect_audit(host: HostReader) -> Facts:
    installed = host.exists("/etc/audit/auditd.conf") or host.exists("/sbin/auditd") or host.exists("/usr/sbin/auditd")
    runtime = _audit_runtime(host)
    if not installed and not runtime.get("available"):
        return {"_method": "files", "installed": False, "config": None, "rules": None, "runtime": runtime}
    conf_text, conf_err = _try_read(host, "/etc/audit/auditd.conf")
    rules_text, basis, rules_err = _configured_rules(host)
    facts: Facts = {
        "_method": "files+auditctl" if runtime.get("available") else "files",
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

_RSYSLOG_LEGACY = re.compile(r"^\s*[^#\s][^\s]*\s+(?:-\s*)?(@@?)(?:\([^)]*\))?\[?([A-Za-z0-9_.:-]+?)\]?(?::(\d+))?(?:;\S+)?\s*$")
_OMFWD = re.compile(r"type\s*=\s*\"(omfwd|omrelp)\"", re.I)
_PARAM = re.compile(r"(\w+)\s*=\s*\"([^\"]*)\"")


def _strip_userinfo(target: str) -> str:
    """Drop any ``user:pass@`` part: only the host is evidence."""
    return target.rsplit("@", 1)[-1]


def parse_rsyslog_forwarding(text: str, path: str) -> List[Dict[str, Any]]:
    """Remote targets in an rsyslog file: legacy ``@host``/``@@host`` and action(omfwd/omrelp)."""
    targets: List[Dict[str, Any]] = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            continue
        m = _RSYSLOG_LEGACY.match(line)
        if m:
            proto = "tcp" if m.group(1) == "@@" else "udp"
            port = int(m.group(3)) if m.group(3) else 514
            targets.append(
                {"daemon": "rsyslog", "host": _strip_userinfo(m.group(2)), "port": port, "protocol": proto, "file": path}
            )
    # action(...) may span lines: join the file and scan each action() block
    flat = " ".join(ln.split("#", 1)[0] for ln in text.splitlines())
    for block in re.findall(r"action\s*\(([^)]*)\)", flat, re.I):
        kind = _OMFWD.search(block)
        if not kind:
            continue
        params = {k.lower(): v for k, v in _PARAM.findall(block)}
        host_value = params.get("target")
        if not host_value:
            continue
        proto = "relp" if kind.group(1).lower() == "omrelp" else params.get("protocol", "udp").lower()
        port_text = params.get("port", "514")
        targets.append(
            {
                "daemon": "rsyslog",
                "host": _strip_userinfo(host_value),
                "port": int(port_text) if port_text.isdigit() else None,
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
    if value.isdigit():
        return int(value)
    total = 0
    for num, unit in re.findall(r"(\d+)\s*([A-Za-z]*)", value):
        factor = _TIME_UNITS.get(unit.lower() or "s")
        if factor is None:
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


def _journald_facts(host: HostReader) -> Dict[str, Any]:
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
    usage = host.run(["journalctl", "--disk-usage"])
    usage_text = None
    if usage.error is None and usage.exit_code == 0:
        m = re.search(r"take up ([0-9.]+[KMGTP]?B?)|take ([0-9.]+[KMGTP]?B?)", usage.stdout)
        usage_text = (m.group(1) or m.group(2)) if m else None
    return {
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


def _syslog_ng_targets(text: str, path: str) -> List[Dict[str, Any]]:
    out: List[Dict[str, Any]] = []
    for kind, target in re.findall(r"\b(network|syslog|tcp|udp)\s*\(\s*\"?([A-Za-z0-9_.:-]+)\"?", text):
        out.append({"daemon": "syslog-ng", "host": target, "port": None, "protocol": kind, "file": path})
    return out


@collector("host.syslog", "Syslog daemons, remote log forwarding and journald persistence")
def collect_syslog(host: HostReader) -> Facts:
    targets: List[Dict[str, Any]] = []
    unreadable: List[str] = []
    rsyslog_files = _rsyslog_files(host)
    for path in rsyslog_files:
        text, why = _try_read(host, path)
        if why is not None:
            unreadable.append(path)
        elif text:
            targets += parse_rsyslog_forwarding(text, path)
    ng_files = ([p for p in ["/etc/syslog-ng/syslog-ng.conf"] if host.exists(p)]) + host.glob("/etc/syslog-ng/conf.d/*.conf")
    for path in ng_files:
        text, why = _try_read(host, path)
        if why is not None:
            unreadable.append(path)
        elif text:
            targets += _syslog_ng_targets(text, path)
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
    daemons = []
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


def _apply_directive(settings: Dict[str, Any], words: List[str]) -> None:
    word = words[0].lower()
    if word in PERIOD_DAYS or word == "hourly":
        settings["period"] = word
    elif word == "rotate" and len(words) > 1:
        settings["rotate"] = int(words[1]) if words[1].lstrip("-").isdigit() else None
    elif word == "maxage" and len(words) > 1 and words[1].isdigit():
        settings["maxage"] = int(words[1])
    elif word == "size" and len(words) > 1:
        settings["size_only"] = True


def parse_logrotate(
    host: HostReader, path: str, inherited: Dict[str, Any], out: Dict[str, Dict[str, Any]], depth: int = 0
) -> Dict[str, Any]:
    """Walk a logrotate file (following ``include``); fill ``out`` with per-log settings.

    Returns the global settings as they stand at the end of the file, since
    logrotate applies top-level directives to every later block.
    """
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
                out[log] = {**block, "file": path}
            block = None
            continue
        if block is None and words[0] == "include" and len(words) > 1 and depth < 3:
            target = words[1]
            included = host.glob(target.rstrip("/") + "/*") if host.is_dir(target) else [target]
            for inc in included:
                if not inc.rsplit("/", 1)[-1].startswith(".") and not inc.endswith((".dpkg-old", ".rpmsave", "~")):
                    parse_logrotate(host, inc, settings, out, depth + 1)
            continue
        _apply_directive(block if block is not None else settings, words)
    if block is not None:
        raise CollectError(ErrorReason.MALFORMED, f"{path}: line {len(lines)}: unterminated '{{' block")
    return settings


def retention_days(settings: Dict[str, Any]) -> Tuple[Optional[int], str]:
    """(days, basis) from logrotate settings; None when it depends on size alone."""
    period = settings.get("period")
    rotate = settings.get("rotate")
    if rotate is None:
        rotate = 0
    if period is None:
        return None, "no rotation period (size-based or default): retention unknown"
    if rotate < 0:
        days = None
        basis = "rotate -1 keeps old logs indefinitely"
    elif period == "hourly":
        days = rotate // 24
        basis = f"hourly x rotate {rotate}"
    else:
        days = rotate * PERIOD_DAYS[period]
        basis = f"{period} x rotate {rotate}"
    maxage = settings.get("maxage")
    if maxage is not None and (days is None or maxage < days):
        days = maxage
        basis += f", capped by maxage {maxage}"
    if days is None:
        return None, basis
    if settings.get("size_only"):
        basis += " (size limit may rotate sooner)"
    return days, basis


@collector("host.log_retention", "Effective local retention of the key security logs, in days")
def collect_log_retention(host: HostReader) -> Facts:
    per_log: Dict[str, Dict[str, Any]] = {}
    if host.exists("/etc/logrotate.conf"):
        parse_logrotate(host, "/etc/logrotate.conf", {}, per_log)
    logs: List[Dict[str, Any]] = []
    for log in KEY_LOGS:
        if log not in per_log:
            continue
        days, basis = retention_days(per_log[log])
        logs.append({"log": log, "days": days, "basis": f"logrotate {per_log[log]['file']}: {basis}"})
    journald = _journald_facts(host)
    if journald["persistent"]:
        sec = journald["max_retention_sec"]
        logs.append(
            {
                "log": "systemd journal",
                "days": sec // 86400 if sec else None,
                "basis": "journald MaxRetentionSec" if sec else "journald persistent, limited by size only: retention unknown",
            }
        )
    if host.exists("/etc/audit/auditd.conf"):
        logs.append(
            {
                "log": "/var/log/audit/audit.log",
                "days": None,
                "basis": "auditd rotates by size (num_logs x max_log_file): retention in days unknown",
            }
        )
    known = [entry["days"] for entry in logs if entry["days"] is not None]
    return {
        "_method": "files",
        "logs": logs,
        "min_days": min(known) if known else None,
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


@collector("host.timesync", "Time synchronisation daemon, its servers and whether the clock is synchronised")
def collect_timesync(host: HostReader) -> Facts:
    daemons: List[Dict[str, Any]] = []
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
    basis = None
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
