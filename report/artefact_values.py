"""Current and target values of the settings a fix changes, read from a failed finding.

Each extractor turns one check's ``observed`` values (what the assessment saw) and ``params`` (its
thresholds) into :class:`report.artefacts.Setting` lines: ``PermitRootLogin yes -> no``,
``kernel.randomize_va_space 1 -> 2``, ``PASS_MAX_DAYS 99999 -> <= 90``. Targets follow the parameters
the report declares, so an insurer's stricter threshold shows up in the plan. Extractors read the
observed values defensively (a missing or odd value gives fewer lines, never an error), and a check
without one gets a single line naming its requirement.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple

from checks.model import Finding
from collectors.strictjson import JSON
from report.artefacts import LABELS, Setting

STRONG_CIPHERS = "chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-gcm@openssh.com,aes256-ctr,aes192-ctr,aes128-ctr"
STRONG_MACS = "hmac-sha2-512-etm@openssh.com,hmac-sha2-256-etm@openssh.com,umac-128-etm@openssh.com,hmac-sha2-512,hmac-sha2-256"
STRONG_KEX = (
    "sntrup761x25519-sha512@openssh.com,curve25519-sha256,curve25519-sha256@libssh.org,diffie-hellman-group16-sha512,"
    "diffie-hellman-group18-sha512,diffie-hellman-group-exchange-sha256"
)

# sysctl keys by their last component -> the hardened value (the values the checks' remediation gives).
SYSCTL_TARGETS: Dict[str, str] = {
    "randomize_va_space": "2",
    "suid_dumpable": "0",
    "ptrace_scope": "1",
    "kptr_restrict": "1",
    "dmesg_restrict": "1",
    "ip_forward": "0",
    "forwarding": "0",
    "accept_redirects": "0",
    "secure_redirects": "0",
    "send_redirects": "0",
    "accept_source_route": "0",
    "rp_filter": "1",
    "tcp_syncookies": "1",
    "log_martians": "1",
    "icmp_echo_ignore_broadcasts": "1",
    "icmp_ignore_bogus_error_responses": "1",
}

_RANGE = re.compile(r"^(\d+)\.\.(\d+)$")


def satisfies(current: Optional[str], target: str) -> bool:
    """Whether a literal current value already meets a target ('≤ n', '≥ n', 'a..b', 'a|b' or a literal)."""
    if current is None or target.startswith("#"):
        return False
    cur = current.strip()
    if target[:2] in ("≤ ", "≥ "):
        bound = target[2:].split()[0]
        if not (cur.isdigit() and bound.isdigit()):
            return False
        return int(cur) <= int(bound) if target[0] == "≤" else int(cur) >= int(bound)
    m = _RANGE.match(target)
    if m:
        return cur.isdigit() and int(m.group(1)) <= int(cur) <= int(m.group(2))
    return cur.lower() in {t.strip().lower() for t in target.split("|")}


def _s(value: Any) -> Optional[str]:
    """A scalar observed value as text; None for missing, lists joined."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value) if value else None
    return str(value)


def _list(value: Any) -> List[Any]:
    return list(value) if isinstance(value, (list, tuple)) else []


def _dict(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _param(f: Finding, name: str, default: Any) -> Any:
    value = f.params.get(name, default)
    return default if value is None else value


Ctx = str  # the OS family: "debian", "rhel", or "" when unknown
Extractor = Callable[[Finding, Ctx], List[Setting]]

# sshd: check -> (observed keyword, keyword as written, target from params)
_SSHD: Dict[str, Tuple[Tuple[str, str, Callable[[Finding], str]], ...]] = {
    "LNX-SSH-001": (
        (
            "permitrootlogin",
            "PermitRootLogin",
            lambda f: "|".join(str(v) for v in _list(_param(f, "permit_root_login_allowed", ["no"]))) or "no",
        ),
    ),
    "LNX-SSH-002": (
        ("passwordauthentication", "PasswordAuthentication", lambda f: "no"),
        ("kbdinteractiveauthentication", "KbdInteractiveAuthentication", lambda f: "no"),
    ),
    "LNX-SSH-003": (("permitemptypasswords", "PermitEmptyPasswords", lambda f: "no"),),
    "LNX-SSH-004": (("maxauthtries", "MaxAuthTries", lambda f: f"≤ {_param(f, 'max_auth_tries', 4)}"),),
    "LNX-SSH-005": (
        ("clientaliveinterval", "ClientAliveInterval", lambda f: f"1..{_param(f, 'client_alive_interval_max', 300)}"),
        ("clientalivecountmax", "ClientAliveCountMax", lambda f: f"1..{_param(f, 'client_alive_count_max', 3)}"),
    ),
    "LNX-SSH-006": (("ignorerhosts", "IgnoreRhosts", lambda f: "yes"),),
    "LNX-SSH-007": (("hostbasedauthentication", "HostbasedAuthentication", lambda f: "no"),),
    "LNX-SSH-008": (("permituserenvironment", "PermitUserEnvironment", lambda f: "no"),),
    "LNX-SSH-009": (
        ("x11forwarding", "X11Forwarding", lambda f: "no"),
        ("allowtcpforwarding", "AllowTcpForwarding", lambda f: "no"),
    ),
    "LNX-SSH-010": (("logingracetime", "LoginGraceTime", lambda f: f"≤ {_param(f, 'login_grace_time_max', 60)}"),),
    "LNX-SSH-011": (
        (
            "loglevel",
            "LogLevel",
            lambda f: "|".join(str(v) for v in _list(_param(f, "log_levels_allowed", ["INFO", "VERBOSE"]))) or "VERBOSE",
        ),
    ),
    "LNX-SSH-012": (("ciphers", "Ciphers", lambda f: STRONG_CIPHERS),),
    "LNX-SSH-013": (("macs", "MACs", lambda f: STRONG_MACS),),
    "LNX-SSH-014": (("kexalgorithms", "KexAlgorithms", lambda f: STRONG_KEX),),
    "LNX-SSH-015": (
        ("maxsessions", "MaxSessions", lambda f: f"≤ {_param(f, 'max_sessions', 10)}"),
        (
            "maxstartups",
            "MaxStartups",
            lambda f: f"{_param(f, 'max_startups_begin', 10)}:30:{_param(f, 'max_startups_full', 60)}",
        ),
    ),
    "LNX-SSH-019": (("authenticationmethods", "AuthenticationMethods", lambda f: "publickey,keyboard-interactive"),),
}
_MATCH_VALUE = re.compile(r"\((\w+) ([^()]+)\)\s*$")


def _sshd(f: Finding, family: Ctx) -> List[Setting]:
    specs = _SSHD.get(f.check_id, ())
    out: List[Setting] = []
    for key, name, target_of in specs:
        current, target = _s(f.observed.get(key)), target_of(f)
        if key in f.observed and not satisfies(current, target):
            out.append(Setting(f.check_id, name, current, target))
    # A Match block that undoes the global value: "Match address 10.0.0.0/8 (/etc/ssh/sshd_config:131): ... (Keyword value)".
    for problem in _list(f.observed.get("problems")):
        text = str(problem)
        if not text.startswith("Match ") or "): " not in text or not specs:
            continue
        scope, _, detail = text.partition("): ")
        m = _MATCH_VALUE.search(detail)
        spec = next((s for s in specs if m and s[1].lower() == m.group(1).lower()), specs[0])
        current = m.group(2) if m and spec[1].lower() == m.group(1).lower() else detail
        out.append(Setting(f.check_id, f"{spec[1]} [{scope})]", current, spec[2](f)))
    if f.check_id == "LNX-SSH-019" and not _list(f.observed.get("pam_otp_modules")):
        out.append(Setting(f.check_id, "#pam_otp_module", "#none", "pam_google_authenticator.so|pam_radius_auth.so"))
    return out


def _mode_files(target: str) -> Extractor:
    """'path mode' strings (sshd files and host keys) -> path: mode -> target, for those not at the target."""

    def extract(f: Finding, family: Ctx) -> List[Setting]:
        key = "files" if "files" in f.observed else "keys"
        out = []
        for item in _list(f.observed.get(key)):
            path, _, mode = str(item).rpartition(" ")
            if path and mode != target.split()[0]:
                out.append(Setting(f.check_id, path, mode, target))
        return out

    return extract


def _sysctl(f: Finding, family: Ctx) -> List[Setting]:
    out = [
        Setting(f.check_id, str(k), _s(v), SYSCTL_TARGETS.get(str(k).rsplit(".", 1)[-1], "#pass"))
        for k, v in _dict(f.observed.get("offending")).items()
    ]
    for k, v in _dict(f.observed.get("drift")).items():
        out.append(Setting(f.check_id, str(k), _s(_dict(v).get("runtime")), "#persist"))
    for k, v in _dict(f.observed.get("runtime_only")).items():
        out.append(Setting(f.check_id, str(k), _s(v), "#persist"))
    return out


def _modules(f: Finding, family: Ctx) -> List[Setting]:
    loaded = {str(m) for m in _list(f.observed.get("loaded"))}
    return [
        Setting(f.check_id, str(m), "#loaded" if str(m) in loaded else "#not_disabled", "#disabled")
        for m in _list(f.observed.get("not_disabled"))
    ]


def _value(key: str, name: str, target: Callable[[Finding, Ctx], str]) -> Extractor:
    def extract(f: Finding, family: Ctx) -> List[Setting]:
        return [Setting(f.check_id, name, _s(f.observed.get(key)), target(f, family))]

    return extract


def _items(key: str, name: str, target: str = "#none", *, each: bool = False, current: str = "") -> Extractor:
    """A list of things present now (accounts, files, units) that should be gone: one setting, or one per item."""

    def extract(f: Finding, family: Ctx) -> List[Setting]:
        items = [_item_text(i) for i in _list(f.observed.get(key))]
        if not items:
            return []
        if each:
            return [Setting(f.check_id, i, current or "#present", target) for i in items]
        return [Setting(f.check_id, name, ", ".join(items), target)]

    return extract


def _item_text(item: Any) -> str:
    if isinstance(item, Mapping):
        for key in ("tool", "name", "listener", "log", "path", "file", "service"):
            if key in item:
                return str(item[key])
    return str(item)


def _perms(target: Callable[[Finding, str, Ctx], str]) -> Extractor:
    """Paths whose mode or owner is wrong: path -> current mode -> target."""

    def extract(f: Finding, family: Ctx) -> List[Setting]:
        modes = _dict(f.observed.get("modes"))
        return [
            Setting(f.check_id, str(p), _s(modes.get(p)), target(f, str(p), family)) for p in _dict(f.observed.get("problems"))
        ]

    return extract


def _shadow_mode(f: Finding, path: str, family: Ctx) -> str:
    return "0000 root:root" if family == "rhel" else "0640 root:shadow"


def _cron_mode(f: Finding, path: str, family: Ctx) -> str:
    return "0600 root:root" if path == "/etc/crontab" else "0700 root:root"


def _fixed(mode: str) -> Callable[[Finding, str, Ctx], str]:
    return lambda f, p, family: mode


def _mount(path: str) -> Extractor:
    def extract(f: Finding, family: Ctx) -> List[Setting]:
        required = ",".join(str(o) for o in _list(_param(f, "required_options", ["nodev", "nosuid", "noexec"])))
        if f.observed.get("mounted") is False:
            return [Setting(f.check_id, path, "#not_mounted", f"tmpfs {required}")]
        return [Setting(f.check_id, path, _s(f.observed.get("options")), required)]

    return extract


def _dups(key: str, name: str) -> Callable[[Finding], List[Setting]]:
    def extract(f: Finding) -> List[Setting]:
        dups = _dict(f.observed.get(key))
        if not dups:
            return []
        return [Setting(f.check_id, name, "; ".join(f"{k}: {_s(v)}" for k, v in dups.items()), "#none")]

    return extract


def _acc_004(f: Finding, family: Ctx) -> List[Setting]:
    return _dups("duplicate_uids", "#duplicate_uids")(f) + _items("duplicate_names", "#duplicate_user_names")(f, family)


def _acc_005(f: Finding, family: Ctx) -> List[Setting]:
    return _dups("duplicate_gids", "#duplicate_gids")(f) + _items("duplicate_names", "#duplicate_group_names")(f, family)


def _acc_006(f: Finding, family: Ctx) -> List[Setting]:
    shell = "/sbin/nologin" if family == "rhel" else "/usr/sbin/nologin"
    return [Setting(f.check_id, str(a), "#login_shell", shell) for a in _list(f.observed.get("accounts"))]


def _acc_007(f: Finding, family: Ctx) -> List[Setting]:
    out = []
    for p in _list(f.observed.get("problems")):
        d = _dict(p)
        where = f"{d.get('file')}:{d.get('line')}" if d.get("line") is not None else str(d.get("file"))
        out.append(Setting(f.check_id, f"PATH ({where})", _s(d.get("issue")), "#no_relative_path"))
    return out


def _acc_009(f: Finding, family: Ctx) -> List[Setting]:
    umask = str(_param(f, "umask", "027"))
    out = []
    for s in _list(f.observed.get("settings")):
        d = _dict(s)
        where = f"{d.get('file')}:{d.get('line')}" if d.get("line") is not None else str(d.get("file"))
        out.append(
            Setting(f.check_id, "UMASK" if d.get("file") == "/etc/login.defs" else f"umask ({where})", _s(d.get("value")), umask)
        )
    return out


def _acc_010(f: Finding, family: Ctx) -> List[Setting]:
    limit = _param(f, "max_seconds", 900)
    entries = [_dict(t) for t in _list(f.observed.get("tmout"))]
    if not entries:
        return [Setting(f.check_id, "TMOUT (/etc/profile.d/tmout.sh)", None, f"≤ {limit}, readonly")]
    return [
        Setting(
            f.check_id,
            f"TMOUT ({e.get('file')})",
            f"{e.get('value')}{', readonly' if e.get('readonly') else ''}",
            f"≤ {limit}, readonly",
        )
        for e in entries
    ]


def _sudo_001(f: Finding, family: Ctx) -> List[Setting]:
    out = _items("nopasswd_all", "NOPASSWD: ALL")(f, family)
    out += _items("authenticate_disabled", "Defaults !authenticate")(f, family)
    return out


def _sudo_003(f: Finding, family: Ctx) -> List[Setting]:
    return [Setting(f.check_id, "Defaults logfile", _s(f.observed.get("logfile")), "/var/log/sudo.log")]


def _sudo_004(f: Finding, family: Ctx) -> List[Setting]:
    present = _dict(f.observed.get("su_wheel")).get("present")
    line = "auth required pam_wheel.so use_uid" + (" group=sudo" if family == "debian" else "")
    return [Setting(f.check_id, "pam_wheel.so (/etc/pam.d/su)", "#present" if present else None, line)]


def _sudo_005(f: Finding, family: Ctx) -> List[Setting]:
    admins = _list(f.observed.get("admins"))
    return [Setting(f.check_id, "#admin_accounts", ", ".join(str(a) for a in admins) if admins else "#none", "#personal_admins")]


def _pwd_min_length(f: Finding, family: Ctx) -> List[Setting]:
    want = _param(f, "min_length", 8)
    return [Setting(f.check_id, "minlen (pwquality.conf)", _s(f.observed.get("min_length")), f"≥ {want}")]


def _pwd_classes(f: Finding, family: Ctx) -> List[Setting]:
    return [Setting(f.check_id, "minclass (pwquality.conf)", _s(f.observed.get("classes")), f"≥ {_param(f, 'min_classes', 3)}")]


def _pwd_lockout(f: Finding, family: Ctx) -> List[Setting]:
    current = _s(f.observed.get("deny")) if f.observed.get("module") else None
    return [
        Setting(f.check_id, "deny (faillock.conf)", current, f"1..{_param(f, 'max_deny', 5)}"),
        Setting(f.check_id, "unlock_time (faillock.conf)", None, "900"),
    ]


def _pwd_008(f: Finding, family: Ctx) -> List[Setting]:
    out = [Setting(f.check_id, "ENCRYPT_METHOD", _s(f.observed.get("encrypt_method")), "YESCRYPT|SHA512")]
    if f.observed.get("pam_unix_hash") is not None:
        out.append(Setting(f.check_id, "pam_unix.so", _s(f.observed.get("pam_unix_hash")), "yescrypt|sha512"))
    out += _items("weak_hash_accounts", "#weak_hash_accounts")(f, family)
    return [s for s in out if not satisfies(s.current, s.target)]


def _aud_001(f: Finding, family: Ctx) -> List[Setting]:
    if f.observed.get("installed") is False:
        current = "#not_installed"
    elif f.observed.get("running") is False:
        current = "#stopped"
    else:
        current = "#no_rules"
    return [Setting(f.check_id, "auditd", current, "#running_with_rules")]


def _aud_002(f: Finding, family: Ctx) -> List[Setting]:
    current = "#not_installed" if f.observed.get("installed") is False else _s(f.observed.get("enabled"))
    return [Setting(f.check_id, "-e (audit rules lock)", current, "2")]


def _aud_003(f: Finding, family: Ctx) -> List[Setting]:
    if f.observed.get("installed") is False:
        return [Setting(f.check_id, "#audit_watches_missing", "#not_installed", "#none")]
    missing = _list(f.observed.get("missing"))
    return [Setting(f.check_id, "#audit_watches_missing", ", ".join(str(m) for m in missing) if missing else None, "#none")]


def _aud_004(f: Finding, family: Ctx) -> List[Setting]:
    if f.observed.get("installed") is False:
        return [Setting(f.check_id, "max_log_file_action", "#not_installed", "keep_logs")]
    accepted = "|".join(str(a) for a in _list(_param(f, "accepted_max_log_file_actions", ["keep_logs"])))
    out = [Setting(f.check_id, "max_log_file_action", _s(f.observed.get("max_log_file_action")), accepted)]
    out += _items("ignored", "#actions_set_to_ignore")(f, family)
    return [s for s in out if not satisfies(s.current, s.target)]


def _fw_default(key: str, name: str) -> Extractor:
    def extract(f: Finding, family: Ctx) -> List[Setting]:
        active = _list(f.observed.get("active"))
        return [Setting(f.check_id, name, "#accept" if active and f.observed.get(key) is False else "#inactive", "#deny")]

    return extract


def _fw_003(f: Finding, family: Ctx) -> List[Setting]:
    ports = _list(f.observed.get("unrestricted_ports")) or _list(f.observed.get("admin_ports"))
    return [Setting(f.check_id, f"{p}/tcp", "#any_source", "#admin_sources") for p in ports]


def _net_001(f: Finding, family: Ctx) -> List[Setting]:
    out: Dict[str, Setting] = {}
    for entry in _list(f.observed.get("listening")):
        d = _dict(entry)
        name = f"{d.get('port')}/{d.get('process')}"
        address = str(d.get("address"))
        if name in out:
            seen = (out[name].current or "").split(", ")
            if address not in seen:
                out[name] = replace_current(out[name], f"{out[name].current}, {address}")
        else:
            out[name] = Setting(f.check_id, name, address, "#internal_only")
    return list(out.values())


def replace_current(s: Setting, current: str) -> Setting:
    return Setting(s.ref, s.name, current, s.target)


def _net_002(f: Finding, family: Ctx) -> List[Setting]:
    units = [Setting(f.check_id, str(u), "#enabled", "#removed") for u in _list(f.observed.get("enabled_units"))]
    entries = [Setting(f.check_id, str(e), "#enabled", "#removed") for e in _list(f.observed.get("superserver_entries"))]
    if units or entries:
        return units + entries
    return [
        Setting(f.check_id, f"{_dict(e).get('port')}/{_dict(e).get('process')}", "#running", "#removed")
        for e in _list(f.observed.get("listening"))
    ]


def _net_003(f: Finding, family: Ctx) -> List[Setting]:
    ports = _list(f.observed.get("ports"))
    return [
        Setting(
            f.check_id,
            "#exposed_port_count",
            f"{len(ports)} ({', '.join(str(p) for p in ports)})",
            f"≤ {_param(f, 'max_exposed_ports', 5)}",
        )
    ]


def _svc_003(f: Finding, family: Ctx) -> List[Setting]:
    units = [Setting(f.check_id, str(u), "#running", "#disabled") for u in _list(f.observed.get("units"))]
    return units or [Setting(f.check_id, str(p), "#running", "#stopped") for p in _list(f.observed.get("processes"))]


def _ics_002(f: Finding, family: Ctx) -> List[Setting]:
    return [
        Setting(
            f.check_id, _item_text(e), ", ".join(str(i) for i in _list(_dict(e).get("non_ot_interfaces"))) or None, "#ot_only"
        )
        for e in _list(f.observed.get("exposed"))
    ]


def _tools(f: Finding, family: Ctx) -> List[Setting]:
    out = []
    for t in _list(f.observed.get("tools")):
        d = _dict(t)
        running = d.get("running") if d else None
        out.append(Setting(f.check_id, _item_text(t), "#running" if running else "#installed", "#removed"))
    return out


def _pkg_001(f: Finding, family: Ctx) -> List[Setting]:
    packages = _list(f.observed.get("packages"))
    out = [
        Setting(
            f.check_id, "#pending_security_updates", ", ".join(str(p) for p in packages) or _s(f.observed.get("count")), "#none"
        )
    ]
    age, limit = f.observed.get("index_age_days"), _param(f, "max_index_age_days", 30)
    if isinstance(age, int) and isinstance(limit, int) and age > limit:
        out.append(Setting(f.check_id, "#package_index_age", str(age), f"≤ {limit}"))
    return out


def _vul(f: Finding, family: Ctx) -> List[Setting]:
    """The fixes grouped per source package (its binaries, CVEs, installed → fixed), then the one upgrade command."""
    by_source: Dict[str, List[Mapping[str, Any]]] = {}
    for m in _list(f.observed.get("matches")):
        row = _dict(m)
        by_source.setdefault(str(row.get("source") or "?"), []).append(row)
    out: List[Setting] = []
    for source, rows in sorted(by_source.items()):
        binaries = sorted({str(b) for r in rows for b in _list(r.get("packages"))}) or [source]
        cves = sorted({str(r.get("cve")) for r in rows})
        fixed = max((str(r.get("fixed")) for r in rows), key=_version_key)
        name = f"{', '.join(binaries)} ({', '.join(cves)})"
        out.append(Setting(f.check_id, name, _s(rows[0].get("installed")), f"≥ {fixed}"))
    command = _s(f.observed.get("command"))
    if command:
        out.append(Setting(f.check_id, "#upgrade_command", "#not_run", command))
    return out


def _version_key(version: str) -> Any:
    """Sort key of fixed versions: the highest one a package must reach closes every CVE listed with it."""
    from functools import cmp_to_key

    from collectors.host.debversion import compare

    return cmp_to_key(compare)(version)


def _pkg_002(f: Finding, family: Ctx) -> List[Setting]:
    name = _s(f.observed.get("mechanism")) or ("dnf-automatic" if family == "rhel" else "unattended-upgrades")
    current = "#not_installed" if f.observed.get("package_installed") is False else "#disabled"
    return [Setting(f.check_id, name, current, "#enabled")]


def _ics_005(f: Finding, family: Ctx) -> List[Setting]:
    return [
        Setting(f.check_id, f"{_dict(m).get('path')} ({_dict(m).get('package')})", "#modified", "#reinstalled")
        for m in _list(f.observed.get("mismatches"))
    ] + [Setting(f.check_id, str(m), "#removed", "#reinstalled") for m in _list(f.observed.get("missing"))]


def _os_001(f: Finding, family: Ctx) -> List[Setting]:
    os_name, eol = _s(f.observed.get("os")), _s(f.observed.get("eol_date"))
    return [Setting(f.check_id, "#os_release", f"{os_name} (EOL {eol})" if eol else os_name, "#supported_release")]


def _bak_001(f: Finding, family: Ctx) -> List[Setting]:
    jobs = [_dict(j) for j in _list(f.observed.get("jobs"))]
    if not jobs:
        return [Setting(f.check_id, "#backup_job", "#none", "#offsite")]
    return [
        Setting(
            f.check_id,
            "#backup_job",
            "; ".join(f"{j.get('tool')} -> {j.get('target') or j.get('destination')}" for j in jobs),
            "#offsite",
        )
    ]


def _bak_002(f: Finding, family: Ctx) -> List[Setting]:
    word = _s(f.observed.get("most_frequent"))
    current = f"#{word}" if f"#{word}" in LABELS else word
    return [Setting(f.check_id, "#backup_interval", current, f"#days:≤ {_param(f, 'max_interval_days', 7)}")]


def _bak_003(f: Finding, family: Ctx) -> List[Setting]:
    return [
        Setting(f.check_id, f"{_dict(u).get('service')} ({_dict(u).get('file')})", "#netdisk_upload", "#removed")
        for u in _list(f.observed.get("uploads"))
    ]


def _log_003(f: Finding, family: Ctx) -> List[Setting]:
    want = _param(f, "min_days", 180)
    out = [
        Setting(f.check_id, _item_text(s), f"#days:{_dict(s).get('days')}", f"#days:≥ {want}")
        for s in _list(f.observed.get("short"))
    ]
    out += [Setting(f.check_id, str(u), "#undetermined", f"#days:≥ {want}") for u in _list(f.observed.get("unknown"))]
    return out


def _time_001(f: Finding, family: Ctx) -> List[Setting]:
    return [
        Setting(f.check_id, "#time_sync", "#not_synchronised" if _list(f.observed.get("daemons")) else "#none", "#synchronised")
    ]


def _edr_001(f: Finding, family: Ctx) -> List[Setting]:
    products = _list(f.observed.get("products"))
    if not products:
        return [Setting(f.check_id, "#anti_malware", "#none", "#deployed")]
    return [
        Setting(f.check_id, _item_text(p), "#running" if _dict(p).get("running") else "#stopped", "#deployed") for p in products
    ]


def _edr_002(f: Finding, family: Ctx) -> List[Setting]:
    limit = _param(f, "max_age_days", 30)
    return [
        Setting(f.check_id, f"{k} (freshclam)", f"#days:{v}", f"#days:≤ {limit}")
        for k, v in _dict(f.observed.get("ages")).items()
    ]


def _edr_003(f: Finding, family: Ctx) -> List[Setting]:
    products = _list(f.observed.get("products"))
    if not products:
        return [Setting(f.check_id, "#fim", "#none", "#baseline")]
    return [Setting(f.check_id, _item_text(p), "#no_baseline", "#baseline") for p in products]


def _mac_001(f: Finding, family: Ctx) -> List[Setting]:
    if family == "rhel":
        return [Setting(f.check_id, "SELinux", _s(f.observed.get("selinux")) or "#disabled", "#enforcing")]
    return [Setting(f.check_id, "AppArmor", "#inactive" if not f.observed.get("apparmor") else "#enabled", "#enforcing")]


def _bnr_001(f: Finding, family: Ctx) -> List[Setting]:
    return [Setting(f.check_id, str(k), _s(v), "#no_os_details") for k, v in _dict(f.observed.get("leaks")).items()]


EXTRACTORS: Dict[str, Extractor] = {
    **{cid: _sshd for cid in _SSHD},
    "LNX-SSH-016": _mode_files("0600 root:root"),
    "LNX-SSH-017": _mode_files("0600 root:root"),
    "LNX-SSH-018": lambda f, family: [Setting(f.check_id, "AllowUsers/AllowGroups", None, "#named_users")],
    **{f"LNX-KRN-{n:03d}": _sysctl for n in range(1, 11)},
    "LNX-KRN-011": _modules,
    "LNX-KRN-012": _modules,
    "LNX-KRN-013": _modules,
    "LNX-ICS-003": _modules,
    "LNX-PWD-001": _value("pass_max_days", "PASS_MAX_DAYS", lambda f, fam: f"≤ {_param(f, 'max_days', 90)}"),
    "LNX-PWD-002": _value("pass_min_days", "PASS_MIN_DAYS", lambda f, fam: f"≥ {_param(f, 'min_days', 1)}"),
    "LNX-PWD-003": _value("pass_warn_age", "PASS_WARN_AGE", lambda f, fam: f"≥ {_param(f, 'warn_days', 7)}"),
    "LNX-PWD-004": _pwd_min_length,
    "LNX-PWD-005": _pwd_min_length,
    "LNX-PWD-006": _pwd_classes,
    "LNX-PWD-007": _pwd_lockout,
    "LNX-PWD-008": _pwd_008,
    "LNX-PWD-009": _value("remember", "remember (pam_pwhistory)", lambda f, fam: f"≥ {_param(f, 'remember', 5)}"),
    "LNX-ACC-001": lambda f, family: [Setting(f.check_id, "#uid0_accounts", _s(f.observed.get("uid0")), "root")],
    "LNX-ACC-002": _items("accounts", "#empty_password_accounts"),
    "LNX-ACC-003": _items("accounts", "#unshadowed_accounts"),
    "LNX-ACC-004": _acc_004,
    "LNX-ACC-005": _acc_005,
    "LNX-ACC-006": _acc_006,
    "LNX-ACC-007": _acc_007,
    "LNX-ACC-008": _items("files", "", "#removed", each=True),
    "LNX-ACC-009": _acc_009,
    "LNX-ACC-010": _acc_010,
    "LNX-SUDO-001": _sudo_001,
    "LNX-SUDO-002": lambda f, family: [Setting(f.check_id, "Defaults use_pty", None, "use_pty")],
    "LNX-SUDO-003": _sudo_003,
    "LNX-SUDO-004": _sudo_004,
    "LNX-SUDO-005": _sudo_005,
    "LNX-AUD-001": _aud_001,
    "LNX-AUD-002": _aud_002,
    "LNX-AUD-003": _aud_003,
    "LNX-AUD-004": _aud_004,
    "LNX-FS-001": _perms(_fixed("0644 root:root")),
    "LNX-FS-002": _perms(_shadow_mode),
    "LNX-FS-003": _perms(_shadow_mode),
    "LNX-FS-004": _perms(_cron_mode),
    "LNX-FS-005": _perms(_fixed("0600 root:root")),
    "LNX-FS-008": _items("directories", "", "1777 (+t)", each=True, current="#no_sticky"),
    "LNX-FS-009": _items("files", "", "o-w", each=True, current="#world_writable"),
    "LNX-FS-010": _perms(lambda f, p, fam: f"{_param(f, 'max_mode', '0755')} root:root"),
    "LNX-FS-006": _mount("/tmp"),  # noqa: S108 - a mount point named in the plan, never used
    "LNX-FS-007": _mount("/dev/shm"),  # noqa: S108
    "LNX-FW-001": _fw_default("default_deny_inbound", "#inbound_default_v4"),
    "LNX-FW-002": _fw_default("default_deny_inbound_v6", "#inbound_default_v6"),
    "LNX-FW-003": _fw_003,
    "LNX-ICS-001": _items("forwarded_ports", "#forwarded_ports"),
    "LNX-NET-001": _net_001,
    "LNX-NET-002": _net_002,
    "LNX-NET-003": _net_003,
    "LNX-SVC-001": _items("units", "", "#disabled_masked", each=True, current="#enabled"),
    "LNX-SVC-002": _items("services", "", "#removed", each=True, current="#enabled"),
    "LNX-SVC-003": _svc_003,
    "LNX-ICS-002": _ics_002,
    "LNX-PRC-001": _items("processes", "", "#dedicated_user", each=True, current="root"),
    "LNX-PRC-002": _items("listeners", "", "#dedicated_user", each=True, current="root"),
    "LNX-RMT-001": _tools,
    "LNX-RMT-002": _tools,
    "LNX-ICS-004": _tools,
    "LNX-PKG-001": _pkg_001,
    "LNX-PKG-002": _pkg_002,
    "LNX-VUL-001": _vul,
    "LNX-VUL-002": _vul,
    "LNX-VUL-003": _vul,
    "NET-VUL-001": _vul,
    "NET-VUL-002": _vul,
    "LNX-ICS-005": _ics_005,
    "LNX-OS-001": _os_001,
    "LNX-BAK-001": _bak_001,
    "LNX-BAK-002": _bak_002,
    "LNX-BAK-003": _bak_003,
    "LNX-LOG-001": lambda f, family: [Setting(f.check_id, "#remote_log_forwarding", "#none", "#log_server")],
    "LNX-LOG-002": _value("storage", "Storage (journald.conf)", lambda f, fam: "persistent"),
    "LNX-LOG-003": _log_003,
    "LNX-TIME-001": _time_001,
    "LNX-EDR-001": _edr_001,
    "LNX-EDR-002": _edr_002,
    "LNX-EDR-003": _edr_003,
    "LNX-MAC-001": _mac_001,
    "LNX-BOOT-001": lambda f, family: [Setting(f.check_id, "#grub_password", None, "#password_set")],
    "LNX-BOOT-002": lambda f, family: [Setting(f.check_id, "Secure Boot", _s(f.observed.get("detail")), "#enabled")],
    "LNX-BNR-001": _bnr_001,
    "LNX-CRED-001": _items("findings", "", "#credential_file", each=True, current="#cleartext"),
}

MAX_VALUE = 160  # characters of an observed value kept in a setting; the finding keeps the whole of it


def _clip(value: Optional[str]) -> Optional[str]:
    return value if value is None or len(value) <= MAX_VALUE else value[: MAX_VALUE - 1] + "…"


def _summary(observed: Mapping[str, JSON]) -> Optional[str]:
    """A short 'key=value' rendering of a finding's observed values, for checks without an extractor."""
    parts = []
    for key, value in observed.items():
        if isinstance(value, (str, int, bool)) or value is None:
            parts.append(f"{key}={_s(value) if value is not None else 'null'}")
        elif isinstance(value, (list, tuple)) and all(isinstance(v, (str, int)) for v in value):
            parts.append(f"{key}={_s(value) or '[]'}")
    return "; ".join(parts) or None


def settings_of(finding: Finding, family: Optional[str]) -> Tuple[Setting, ...]:
    """The values a fix of this failed finding changes, current -> target (at least one)."""
    extract = EXTRACTORS.get(finding.check_id)
    found = extract(finding, family or "") if extract is not None else []
    if not found:
        found = [Setting(finding.check_id, finding.check_id, _summary(finding.observed) or f"#{finding.status.value}", "#pass")]
    return tuple(s if s.current is None or len(s.current) <= MAX_VALUE else Setting(s.ref, s.name, _clip(s.current), s.target) for s in found)
