"""Packages and patching, security software, and backup jobs.

Backup jobs come from cron tables and systemd timers. Their command lines
routinely carry database passwords and API tokens, so this module reduces each
job to (tool, schedule, file) the moment it has recognised it; the command text
never leaves the parsing functions.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Mapping, Optional, Tuple

from collectors.context import HostReader
from collectors.evidence import CollectError, ErrorReason, Facts
from collectors.host.logging import dir_readable, parse_ini_section
from collectors.registry import collector

MAX_LISTED = 50

# --------------------------------------------------------------------------
# host.packages
# --------------------------------------------------------------------------


def parse_dpkg_status(text: str, path: str = "/var/lib/dpkg/status") -> Dict[str, str]:
    """{name: version} of packages whose Status is ``install ok installed``."""
    out: Dict[str, str] = {}
    stanzas = [s for s in re.split(r"\n\s*\n", text) if s.strip()]
    for stanza in stanzas:
        fields: Dict[str, str] = {}
        for line in stanza.splitlines():
            if line[:1] in (" ", "\t") or ":" not in line:
                continue
            key, _, value = line.partition(":")
            fields[key.strip()] = value.strip()
        name, status, version = fields.get("Package"), fields.get("Status"), fields.get("Version")
        if name and version and status == "install ok installed":
            out[name] = version
    if stanzas and not out and not any("Package:" in s for s in stanzas):
        raise CollectError(ErrorReason.MALFORMED, f"{path}: no 'Package:' stanza found; not a dpkg status database")
    return out


def parse_rpm_qa(text: str) -> Dict[str, str]:
    out: Dict[str, str] = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 2 and not parts[0].startswith("gpg-pubkey"):
            out[parts[0]] = parts[1]
    return out


def parse_dnf_security(text: str) -> Tuple[List[str], List[str]]:
    """(advisory ids, package names) from ``dnf updateinfo list security``."""
    advisories: List[str] = []
    names: List[str] = []
    for line in text.splitlines():
        parts = line.split()
        severity = parts[1].lower() if len(parts) == 3 else ""
        if "/" not in severity and not severity.startswith(("important", "critical", "moderate", "low")):
            continue
        if parts[0] not in advisories:
            advisories.append(parts[0])
        m = re.match(r"^(.+?)-(?:\d+:)?[^-]+-[^-]+$", parts[2])
        name = m.group(1) if m else parts[2]
        if name not in names:
            names.append(name)
    return advisories, names


def _apt_auto_updates(host: HostReader, installed: Mapping[str, str]) -> Dict[str, Any]:
    values: Dict[str, str] = {}
    for path in host.glob("/etc/apt/apt.conf.d/*"):
        try:
            text = host.read_text(path) or ""
        except CollectError:
            continue
        for key, val in re.findall(r"^\s*(APT::Periodic::[\w-]+)\s+\"([^\"]*)\"\s*;", text, re.M):
            values[key] = val
    enabled = "unattended-upgrades" in installed and values.get("APT::Periodic::Unattended-Upgrade", "0") not in ("0", "")
    return {"mechanism": "unattended-upgrades", "enabled": enabled, "package_installed": "unattended-upgrades" in installed}


def _dnf_auto_updates(host: HostReader, installed: Mapping[str, str]) -> Dict[str, Any]:
    try:
        text = host.read_text("/etc/dnf/automatic.conf")
    except CollectError:
        text = None
    commands = parse_ini_section(text, "commands") if text else {}
    apply = commands.get("apply_updates", "no").lower() in ("yes", "true", "1", "on")
    timer = bool(host.glob("/etc/systemd/system/timers.target.wants/dnf-automatic*.timer"))
    return {
        "mechanism": "dnf-automatic",
        "enabled": "dnf-automatic" in installed and apply and timer,
        "apply_updates": apply,
        "upgrade_type": commands.get("upgrade_type", "default"),
        "timer_enabled": timer,
        "package_installed": "dnf-automatic" in installed,
    }


_SECURITY_LISTS = "/var/lib/apt/lists/*security*_Packages*"
_DECOMPRESS = {".gz": "gzip", ".xz": "lzma", ".bz2": "bz2"}
MAX_LIST_BYTES = 64 * 1024 * 1024


def _read_package_list(host: HostReader, path: str) -> Optional[str]:
    """A Packages index as text; apt keeps them plain, gzip/xz/bz2 or lz4-compressed."""
    suffix = "." + path.rsplit(".", 1)[-1] if "." in path.rsplit("/", 1)[-1] else ""
    if suffix in ("", ".Packages") or path.endswith("_Packages"):
        return host.read_text(path)
    if suffix == ".lz4":
        # No lz4 in the standard library; apt's own helper decompresses read-only.
        res = host.run(["apt-helper", "cat-file", path])
        if res.error is not None or res.exit_code != 0:
            raise CollectError(ErrorReason.TOOL_MISSING, f"cannot decompress {path}: {res.error or res.stderr.strip()}")
        return res.stdout
    module = _DECOMPRESS.get(suffix)
    if module is None:
        return None
    import importlib

    data = host.read_bytes(path)
    if data is None:
        return None
    try:
        raw = importlib.import_module(module).decompress(data)
    except Exception as exc:  # each module raises its own error type
        raise CollectError(ErrorReason.MALFORMED, f"{path}: cannot decompress: {exc}") from exc
    return bytes(raw[:MAX_LIST_BYTES]).decode("utf-8", "replace")


def parse_packages_index(text: str) -> Dict[str, str]:
    """{package: newest version} from a Packages index."""
    from collectors.host.debversion import compare

    out: Dict[str, str] = {}
    name = version = None
    for line in [*text.splitlines(), ""]:
        if not line.strip():
            if name and version and (name not in out or compare(version, out[name]) > 0):
                out[name] = version
            name = version = None
        elif line.startswith("Package:"):
            name = line.split(":", 1)[1].strip()
        elif line.startswith("Version:"):
            version = line.split(":", 1)[1].strip()
    return out


def _lists_age_days(host: HostReader, lists: List[str]) -> Optional[int]:
    """Age of the security index by its Release file's Date, else the file time."""
    import email.utils

    newest: Optional[int] = None
    for path in lists:
        release = path.rsplit("_", 3)[0] + "_InRelease"
        stamp: Optional[int] = None
        text = host.read_text(release) if host.exists(release) else None
        m = re.search(r"^Date:\s*(.+)$", text or "", re.M)
        if m:
            try:
                stamp = int(email.utils.parsedate_to_datetime(m.group(1).strip()).timestamp())
            except (TypeError, ValueError):
                stamp = None
        if stamp is None:
            st = host.stat(path)
            stamp = st.mtime if st is not None and st.mtime else None
        if stamp is not None and (newest is None or stamp > newest):
            newest = stamp
    return None if newest is None else max(0, (host.now() - newest) // 86400)


def _security_updates_apt(host: HostReader, installed: Mapping[str, str]) -> Dict[str, Any]:
    """Installed packages older than the version in a security index.

    Reading apt's security indexes directly and comparing versions with
    dpkg's rules gives what ``apt-get -s upgrade`` would take from a
    security origin, without building apt's whole cache (seconds on hosts
    that keep no package cache).
    """
    from collectors.host.debversion import compare

    lists = [p for p in host.glob(_SECURITY_LISTS) if not p.endswith(".diff_Index")]
    if not lists:
        return {
            "available": False,
            "reason": "no security package index in /var/lib/apt/lists (no security repository configured, or apt update never ran)",
        }
    newest: Dict[str, str] = {}
    for path in lists:
        text = _read_package_list(host, path)
        for name, version in parse_packages_index(text or "").items():
            if name not in newest or compare(version, newest[name]) > 0:
                newest[name] = version
    pending = sorted(
        name
        for name, version in installed.items()
        if name.split(":")[0] in newest and compare(version, newest[name.split(":")[0]]) < 0
    )
    return {
        "available": True,
        "count": len(pending),
        "packages": pending[:MAX_LISTED],
        "lists": lists,
        "lists_age_days": _lists_age_days(host, lists),
        "basis": "security package indexes in /var/lib/apt/lists compared with dpkg status",
    }


def _security_updates_dnf(host: HostReader) -> Dict[str, Any]:
    res = host.run(["dnf", "-C", "-q", "updateinfo", "list", "security", "--available"])
    if res.missing:
        res = host.run(["yum", "-C", "-q", "updateinfo", "list", "security"])
    if res.error is not None or res.exit_code != 0:
        return {"available": False, "reason": res.error or f"dnf exited {res.exit_code}"}
    advisories, names = parse_dnf_security(res.stdout)
    if res.stdout.strip() and not advisories:
        return {"available": False, "reason": "dnf updateinfo output not understood"}
    return {
        "available": True,
        "count": len(names),
        "advisories": advisories[:MAX_LISTED],
        "packages": names[:MAX_LISTED],
        "basis": "dnf updateinfo list security (cached metadata)",
    }


def _kernels(host: HostReader, installed: Mapping[str, str]) -> Dict[str, Any]:
    running = (host.read_text("/proc/sys/kernel/osrelease") or "").strip() or None
    images = sorted(n[len("linux-image-") :] for n in installed if re.match(r"linux-image-\d", n))
    return {"running": running, "installed_images": images[-5:]}


@collector("host.packages", "Installed packages, pending security updates and automatic update configuration")
def collect_packages(host: HostReader) -> Facts:
    status = host.read_text("/var/lib/dpkg/status")
    if status is not None:
        installed = parse_dpkg_status(status)
        return {
            "_method": "dpkg status",
            "manager": "dpkg",
            "installed": installed,
            "count": len(installed),
            "security_updates": _security_updates_apt(host, installed),
            "auto_updates": _apt_auto_updates(host, installed),
            "kernel": _kernels(host, installed),
        }
    res = host.run(["rpm", "-qa", "--qf", "%{NAME} %{VERSION}-%{RELEASE}\\n"])
    if res.missing:
        raise CollectError(ErrorReason.UNSUPPORTED, "neither /var/lib/dpkg/status nor rpm is available")
    if res.error is not None or res.exit_code != 0:
        raise CollectError(ErrorReason.MALFORMED, f"rpm -qa failed: {res.error or res.stderr.strip() or res.exit_code}")
    installed = parse_rpm_qa(res.stdout)
    if not installed:
        raise CollectError(ErrorReason.MALFORMED, "rpm -qa: no 'name version-release' lines in the output")
    return {
        "_method": "rpm -qa",
        "manager": "rpm",
        "installed": installed,
        "count": len(installed),
        "security_updates": _security_updates_dnf(host),
        "auto_updates": _dnf_auto_updates(host, installed),
        "kernel": {"running": (host.read_text("/proc/sys/kernel/osrelease") or "").strip() or None},
    }


# --------------------------------------------------------------------------
# host.security_software
# --------------------------------------------------------------------------

# name, kind, packages, paths, unit names, process names.
# The Chinese products are heuristics: their install paths and process names
# come from vendor deployment guides and field reports, not from a spec.
PRODUCTS: Tuple[Tuple[str, str, Tuple[str, ...], Tuple[str, ...], Tuple[str, ...], Tuple[str, ...]], ...] = (
    (
        "ClamAV",
        "av",
        ("clamav", "clamav-daemon", "clamd"),
        ("/etc/clamav/freshclam.conf", "/etc/freshclam.conf"),
        ("clamav-daemon.service", "clamd@.service", "clamav-freshclam.service"),
        ("clamd", "freshclam"),
    ),
    (
        "Wazuh agent",
        "hids",
        ("wazuh-agent",),
        ("/var/ossec/etc/ossec.conf",),
        ("wazuh-agent.service",),
        ("wazuh-agentd", "wazuh-modulesd"),
    ),
    (
        "OSSEC HIDS",
        "hids",
        ("ossec-hids", "ossec-hids-agent"),
        ("/var/ossec/bin/ossec-agentd",),
        ("ossec.service",),
        ("ossec-agentd",),
    ),
    (
        "CrowdStrike Falcon",
        "edr",
        ("falcon-sensor",),
        ("/opt/CrowdStrike/falconctl",),
        ("falcon-sensor.service",),
        ("falcon-sensor",),
    ),
    (
        "SentinelOne",
        "edr",
        ("sentinelagent", "SentinelAgent"),
        ("/opt/sentinelone/bin/sentinelctl",),
        ("sentinelone.service",),
        ("sentinelone-agent", "s1-agent"),
    ),
    ("Microsoft Defender for Endpoint", "edr", ("mdatp",), ("/opt/microsoft/mdatp",), ("mdatp.service",), ("wdavdaemon",)),
    ("Trend Micro Deep Security", "edr", ("ds_agent",), ("/opt/ds_agent",), ("ds_agent.service",), ("ds_agent",)),
    (
        "Sophos",
        "edr",
        ("sophos-spl", "savdi"),
        ("/opt/sophos-spl", "/opt/sophos-av"),
        ("sophos-spl.service",),
        ("sophos_threat_detector",),
    ),
    ("ESET", "av", ("efs", "eea"), ("/opt/eset",), ("efs.service", "eea.service"), ("oaeventd",)),
    (
        "Qi-AnXin TianQing (奇安信天擎)",
        "edr",
        ("qaxsafe",),
        ("/opt/qaxsafe", "/usr/local/qaxsafe"),
        ("qaxsafed.service",),
        ("qaxsafed",),
    ),
    (
        "Sangfor EDR (深信服EDR)",
        "edr",
        (),
        ("/sangfor/edr/agent", "/usr/local/sangfor/edr"),
        ("edr_agent.service",),
        ("edr_agent", "edr_monitor"),
    ),
    (
        "360 Enterprise Security (360)",
        "av",
        (),
        ("/opt/360safe", "/opt/360sd", "/opt/apps/com.360.safe"),
        (),
        ("360sd", "360safe"),
    ),
    ("Huorong (火绒)", "av", (), ("/usr/local/huorong", "/opt/apps/cn.huorong.esm"), ("huorong.service",), ("hrsecd",)),
    ("AIDE", "fim", ("aide",), ("/etc/aide/aide.conf", "/etc/aide.conf"), (), ()),
    ("Tripwire", "fim", ("tripwire",), ("/etc/tripwire/twcfg.txt",), (), ()),
    (
        "Elastic Agent",
        "edr",
        ("elastic-agent",),
        ("/opt/Elastic/Agent",),
        ("elastic-agent.service",),
        ("elastic-agent", "elastic-endpoint"),
    ),
    ("osquery", "hids", ("osquery",), ("/opt/osquery", "/etc/osquery/osquery.conf"), ("osqueryd.service",), ("osqueryd",)),
)

UNIT_DIRS = ("/etc/systemd/system", "/usr/lib/systemd/system", "/lib/systemd/system")
CLAMAV_DBS = ("/var/lib/clamav/daily.cld", "/var/lib/clamav/daily.cvd")
AIDE_DBS = ("/var/lib/aide/aide.db", "/var/lib/aide/aide.db.gz")


def _stat_path(host: HostReader, path: str) -> Tuple[Optional[Any], Optional[str]]:
    try:
        return host.stat(path), None
    except CollectError as exc:
        return None, exc.message


def _clamav_signatures(host: HostReader) -> Dict[str, Any]:
    for path in CLAMAV_DBS:
        st, why = _stat_path(host, path)
        if why is not None:
            return {"database": path, "age_days": None, "reason": why}
        if st is not None:
            age = max(0, (host.now() - st.mtime) // 86400) if st.mtime else None
            return {"database": path, "age_days": age, "mtime": st.mtime}
    return {"database": None, "age_days": None, "reason": "no daily.cld/daily.cvd in /var/lib/clamav"}


def _aide_database(host: HostReader) -> Dict[str, Any]:
    for path in AIDE_DBS:
        st, why = _stat_path(host, path)
        if why is not None:
            return {"present": None, "reason": why}
        if st is not None:
            return {"present": True, "path": path}
    return {"present": False}


def _installed_packages(host: HostReader) -> Dict[str, str]:
    try:
        text = host.read_text("/var/lib/dpkg/status")
        if text is not None:
            return parse_dpkg_status(text)
    except CollectError:
        return {}
    res = host.run(["rpm", "-qa", "--qf", "%{NAME} %{VERSION}-%{RELEASE}\\n"])
    return parse_rpm_qa(res.stdout) if res.error is None and res.exit_code == 0 else {}


@collector("host.security_software", "Anti-malware, EDR, HIDS and file-integrity software present on the host")
def collect_security_software(host: HostReader) -> Facts:
    installed = _installed_packages(host)
    try:
        procs = {p.name for p in host.processes()}
    except CollectError:
        procs = set()
    found: List[Dict[str, Any]] = []
    for name, kind, pkgs, paths, units, pnames in PRODUCTS:
        evidence: List[str] = []
        evidence += [f"package {p}" for p in pkgs if p in installed]
        evidence += [f"path {p}" for p in paths if host.exists(p)]
        evidence += [f"unit {u}" for u in units if any(host.exists(f"{d}/{u}") for d in UNIT_DIRS)]
        evidence += [f"process {p}" for p in pnames if p in procs]
        if not evidence:
            continue
        entry: Dict[str, Any] = {
            "name": name,
            "kind": kind,
            "evidence": evidence,
            "running": any(p in procs for p in pnames) if procs else None,
        }
        if name == "ClamAV":
            entry["signatures"] = _clamav_signatures(host)
        if name == "AIDE":
            entry["database"] = _aide_database(host)
        found.append(entry)
    return {
        "_method": "packages+files+processes",
        "products": found,
        "kinds": sorted({p["kind"] for p in found}),
        "process_table_seen": bool(procs),
    }


# --------------------------------------------------------------------------
# host.backup
# --------------------------------------------------------------------------

BACKUP_TOOLS = (
    "restic",
    "borg",
    "borgmatic",
    "rsnapshot",
    "duplicity",
    "duplicati",
    "bacula-fd",
    "bareos-fd",
    "amanda",
    "amdump",
    "mysqldump",
    "mysqlpump",
    "mariadb-dump",
    "mariabackup",
    "xtrabackup",
    "pg_dump",
    "pg_dumpall",
    "pg_basebackup",
    "pgbackrest",
    "mongodump",
    "veeamconfig",
    "AnyBackup",
    "DBackup",
    "rman",
    "expdp",
)
# Consumer net-disk clients and services (DOMAIN §9 6.4.6.1: high risk).
NETDISK_TOOLS = (
    "bypy",
    "baidupcs",
    "BaiduPCS-Go",
    "baidupcs-go",
    "aliyunpan",
    "aliyundrive",
    "115",
    "onedrive",
    "dropbox_uploader",
    "megacmd",
    "mega-put",
)
NETDISK_DOMAINS = (
    "pan.baidu.com",
    "pcs.baidu.com",
    "aliyundrive.com",
    "alipan.com",
    "115.com",
    "weiyun.com",
    "dropbox.com",
    "onedrive.live.com",
    "mega.nz",
)
CONSUMER_REMOTES = (
    "baidu",
    "aliyun",
    "alipan",
    "115",
    "onedrive",
    "gdrive",
    "googledrive",
    "dropbox",
    "mega",
    "pcloud",
    "jianguoyun",
)

_CRON_MACROS = {
    "@hourly": "hourly",
    "@daily": "daily",
    "@midnight": "daily",
    "@weekly": "weekly",
    "@monthly": "monthly",
    "@yearly": "yearly",
    "@annually": "yearly",
    "@reboot": "reboot",
}
FREQ_DAYS = {"hourly": 0, "daily": 1, "weekly": 7, "monthly": 30, "yearly": 365}


def _dow_count(dow: str) -> int:
    count = 0
    for part in dow.split(","):
        a, _, b = part.partition("-")
        if b and a.isdigit() and b.isdigit():
            count += max(1, int(b) - int(a) + 1)
        elif part.startswith("*/") and part[2:].isdigit():
            count += max(1, 7 // max(1, int(part[2:])))
        else:
            count += 1
    return count


def cron_frequency(minute: str, hour: str, dom: str, month: str, dow: str) -> str:
    """How often a five-field cron schedule fires: hourly/daily/weekly/monthly/yearly.

    "hourly" means more often than daily; a schedule on several weekdays counts
    as daily. Good enough to compare against a weekly minimum.
    """
    if hour == "*" or hour.startswith("*/"):
        return "hourly"
    if month != "*" and dom != "*" and not dom.startswith("*/"):
        return "yearly" if not re.search(r"[,/-]", month) else "monthly"
    if dom.startswith("*/") and dow == "*":
        step = dom[2:]
        if not step.isdigit():
            return "unknown"
        return "daily" if int(step) <= 1 else ("weekly" if int(step) <= 7 else "monthly")
    if dom != "*" and dow == "*":
        return "monthly"
    if dow != "*":
        return "weekly" if _dow_count(dow) <= 1 else "daily"
    return "daily"


def _tools_in(command: str) -> List[str]:
    low = command.lower()
    tools = [t for t in BACKUP_TOOLS if re.search(r"(?<![\w-])" + re.escape(t.lower()) + r"(?![\w-])", low)]
    if not tools and re.search(r"\b(tar|rsync)\b", low) and re.search(r"backup|/bak\b|\.bak\b", low):
        tools.append("tar" if re.search(r"\btar\b", low) else "rsync")
    return tools


def _netdisk_in(command: str) -> Optional[str]:
    low = command.lower()
    for t in NETDISK_TOOLS:
        if re.search(r"(?<![\w./-])" + re.escape(t.lower()) + r"(?![\w-])", low):
            return t
    for d in NETDISK_DOMAINS:
        if d in low:
            return d
    for remote in re.findall(r"\brclone\s+(?:copy|sync|move)\s+\S+\s+([\w-]+):", low):
        if any(c in remote for c in CONSUMER_REMOTES):
            return f"rclone remote {remote}"
    return None


def _classify(command: str, schedule: str, path: str, jobs: List[Dict[str, Any]], netdisk: List[Dict[str, Any]]) -> None:
    """Record what a command does, never the command itself."""
    nd = _netdisk_in(command)
    if nd:
        netdisk.append({"service": nd, "schedule": schedule, "file": path})
    for tool in _tools_in(command):
        jobs.append({"tool": tool, "schedule": schedule, "file": path})


def parse_crontab(text: str, path: str, has_user: bool, jobs: List[Dict[str, Any]], netdisk: List[Dict[str, Any]]) -> None:
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or re.match(r"^[A-Za-z_][A-Za-z0-9_]*\s*=", line):
            continue
        parts = line.split(None, 6 if has_user else 5)
        if parts[0].startswith("@"):
            schedule = _CRON_MACROS.get(parts[0], "unknown")
            command_at = 2 if has_user else 1
            command = " ".join(line.split(None, command_at)[command_at:])
        else:
            if len(parts) < (7 if has_user else 6):
                continue
            schedule = cron_frequency(*parts[:5])
            command = parts[-1]
        _classify(command, schedule, path, jobs, netdisk)


def calendar_frequency(spec: str) -> str:
    """Rough frequency of a systemd OnCalendar= expression."""
    s = spec.strip().lower()
    if s in ("hourly", "daily", "weekly", "monthly", "yearly", "annually"):
        return "yearly" if s == "annually" else s
    if s in ("quarterly", "semiannually"):
        return "yearly"
    if re.match(r"^(mon|tue|wed|thu|fri|sat|sun)\w*(,|\.\.)", s):
        return "daily" if ".." in s or s.count(",") >= 6 else "weekly"
    if re.match(r"^(mon|tue|wed|thu|fri|sat|sun)\w*\s", s):
        return "weekly"
    m = re.match(r"^(?:\S+\s+)?([\d*]+)-([\d*]+)-([\d*/,]+)\s+([\d*/,]+):", s)
    if m:
        if m.group(3) != "*" and "/" not in m.group(3):
            return "monthly" if m.group(2) == "*" else "yearly"
        return "hourly" if m.group(4).startswith("*") else "daily"
    m = re.match(r"^([\d*/,]+):([\d*/,]+)(:\d+)?$", s)
    if m:
        return "hourly" if m.group(1).startswith("*") or "," in m.group(1) else "daily"
    return "unknown"


def _timers(host: HostReader, jobs: List[Dict[str, Any]], netdisk: List[Dict[str, Any]]) -> None:
    for timer in host.glob("/etc/systemd/system/*.timer"):
        try:
            ttext = host.read_text(timer) or ""
        except CollectError:
            continue
        tsec = parse_ini_section(ttext, "Timer")
        unit = tsec.get("Unit") or timer.rsplit("/", 1)[-1][: -len(".timer")] + ".service"
        schedule = calendar_frequency(tsec["OnCalendar"]) if "OnCalendar" in tsec else "unknown"
        try:
            stext = host.read_text("/etc/systemd/system/" + unit) or ""
        except CollectError:
            stext = ""
        command = parse_ini_section(stext, "Service").get("ExecStart", "")
        before = len(jobs)
        _classify(command, schedule, timer, jobs, netdisk)
        if len(jobs) == before and "backup" in unit.lower():
            jobs.append({"tool": "unrecognised (unit named backup)", "schedule": schedule, "file": timer})


def _cron_dirs(host: HostReader, jobs: List[Dict[str, Any]], netdisk: List[Dict[str, Any]]) -> None:
    for period in ("hourly", "daily", "weekly", "monthly"):
        for script in host.glob(f"/etc/cron.{period}/*"):
            try:
                text = host.read_text(script) or ""
            except CollectError:
                continue
            body = "\n".join(ln for ln in text.splitlines() if not ln.strip().startswith("#"))
            _classify(body, period, script, jobs, netdisk)


def _user_crontabs(host: HostReader, jobs: List[Dict[str, Any]], netdisk: List[Dict[str, Any]]) -> Tuple[bool, List[str]]:
    """Read per-user crontabs; (all readable, unreadable locations)."""
    unreadable: List[str] = []
    for spool in ("/var/spool/cron/crontabs", "/var/spool/cron"):
        if not host.is_dir(spool):
            continue
        if not dir_readable(host, spool):
            unreadable.append(spool)
            continue
        for path in host.glob(spool + "/*"):
            if host.is_dir(path):
                continue
            try:
                text = host.read_text(path) or ""
            except CollectError:
                unreadable.append(path)
                continue
            parse_crontab(text, path, False, jobs, netdisk)
    return not unreadable, unreadable


@collector("host.backup", "Scheduled backup jobs (cron, systemd timers) reduced to tool, schedule and file")
def collect_backup(host: HostReader) -> Facts:
    jobs: List[Dict[str, Any]] = []
    netdisk: List[Dict[str, Any]] = []
    unreadable: List[str] = []
    for path in ["/etc/crontab", *host.glob("/etc/cron.d/*")]:
        try:
            text = host.read_text(path)
        except CollectError as exc:
            if exc.reason is ErrorReason.MALFORMED:
                raise
            unreadable.append(path)
            continue
        if text is not None:
            parse_crontab(text, path, True, jobs, netdisk)
    _cron_dirs(host, jobs, netdisk)
    _timers(host, jobs, netdisk)
    complete, missing = _user_crontabs(host, jobs, netdisk)
    unreadable += missing
    order = ["hourly", "daily", "weekly", "monthly", "yearly"]
    known = [j["schedule"] for j in jobs if j.get("schedule") in order]
    return {
        "_method": "files",
        "jobs": jobs,
        # The most frequent schedule among the jobs found: what a backup-frequency question asks.
        "most_frequent_schedule": min(known, key=order.index) if known else None,
        "netdisk_uploads": netdisk,
        "complete": complete and not unreadable,
        "unreadable": unreadable,
    }
