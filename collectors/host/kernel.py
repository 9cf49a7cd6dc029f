"""Kernel parameters, kernel modules, boot loader and mandatory access control.

The sysctl collector keeps two views: the runtime value in ``/proc/sys`` and
the value the boot-time configuration would set again. A hardening setting
that lives only at runtime is lost at the next reboot, so both matter.
"""

from __future__ import annotations

import fnmatch
import re
from typing import Dict, List, Optional, Tuple, TypedDict

from collectors.context import OFFLINE_ROOT, HostReader, runtime_only
from collectors.evidence import CollectError
from collectors.facts import CollectedFacts, FactsKey
from collectors.host.services import enabled_at_boot
from collectors.registry import collector

# -- facts shapes --------------------------------------------------------------


class SysctlKeyFacts(TypedDict):
    """One key: the runtime value and what the boot-time configuration sets (None: unset or absent)."""

    runtime: Optional[str]
    persisted: Optional[str]
    persisted_in: Optional[str]


class SysctlFacts(CollectedFacts):
    keys: Dict[str, SysctlKeyFacts]  # every key of SYSCTL_KEYS, in that order
    unavailable: List[str]  # keys without a /proc/sys entry
    proc_sys: bool  # /proc/sys exists: False on an offline tree, where no runtime value can be read at all
    ipv6: bool  # /proc/sys/net/ipv6 exists (meaningful only with proc_sys)
    config_files: List[str]
    warnings: List[str]


class ModuleFacts(TypedDict):
    install_disabled: bool  # the first matching ``install`` line runs /bin/false or /bin/true
    install_command: Optional[str]  # that line's command (e.g. "/bin/true"); None when no install line matches
    blacklisted: bool
    loaded: Optional[bool]  # None: /proc/modules is not readable


class KernelModulesFacts(CollectedFacts):
    modules: Dict[str, ModuleFacts]  # every module of WATCHED_MODULES
    proc_modules: bool
    config_files: List[str]


class SecureBootFacts(TypedDict):
    secure_boot: Optional[bool]  # None: unknown
    secure_boot_detail: str
    mokutil: bool  # mokutil ran


class GrubFacts(TypedDict, total=False):
    """None of these without a grub.cfg; only ``grub_error`` when it is unreadable."""

    grub_error: str
    superusers_set: bool
    password_set: bool
    password_hashed: bool
    plaintext_password: bool
    user_cfg: bool  # user.cfg exists beside grub.cfg


class BootFacts(CollectedFacts, SecureBootFacts, GrubFacts):
    grub_cfg: Optional[str]  # None: no GRUB configuration found
    efi: bool


class SelinuxFacts(TypedDict):
    status: Optional[str]  # "enabled" / "disabled"
    mode: Optional[str]  # "enforcing" / "permissive"
    config_mode: Optional[str]
    policy: Optional[str]
    source: Optional[str]  # "sestatus", "selinuxfs", "config"; None: no trace of SELinux


class AppArmorProfiles(TypedDict, total=False):
    """Set only when AppArmor is enabled: the loaded profiles per mode, if they could be read."""

    profiles_readable: bool
    profiles_error: Optional[str]
    profiles: Optional[Dict[str, int]]  # {"enforce": 7, "complain": 2}


class AppArmorFacts(AppArmorProfiles):
    enabled: Optional[bool]
    aa_status_enabled: Optional[bool]
    source: Optional[str]  # "sysfs", "aa-status"; None: unknown


class MacFacts(CollectedFacts):
    selinux: SelinuxFacts
    apparmor: AppArmorFacts


SYSCTL = FactsKey[SysctlFacts]("host.sysctl", SysctlFacts)
KERNEL_MODULES = FactsKey[KernelModulesFacts]("host.kernel_modules", KernelModulesFacts)
BOOT = FactsKey[BootFacts]("host.boot", BootFacts)
MAC = FactsKey[MacFacts]("host.mac", MacFacts)

# -- sysctl --------------------------------------------------------------------

# The keys collected. Checks name a key only through these constants.
RANDOMIZE_VA_SPACE = "kernel.randomize_va_space"
SUID_DUMPABLE = "fs.suid_dumpable"
PTRACE_SCOPE = "kernel.yama.ptrace_scope"
KPTR_RESTRICT = "kernel.kptr_restrict"
DMESG_RESTRICT = "kernel.dmesg_restrict"
IP_FORWARD = "net.ipv4.ip_forward"
IPV6_FORWARDING = "net.ipv6.conf.all.forwarding"
ACCEPT_REDIRECTS_ALL = "net.ipv4.conf.all.accept_redirects"
ACCEPT_REDIRECTS_DEFAULT = "net.ipv4.conf.default.accept_redirects"
SECURE_REDIRECTS_ALL = "net.ipv4.conf.all.secure_redirects"
SECURE_REDIRECTS_DEFAULT = "net.ipv4.conf.default.secure_redirects"
SEND_REDIRECTS_ALL = "net.ipv4.conf.all.send_redirects"
SEND_REDIRECTS_DEFAULT = "net.ipv4.conf.default.send_redirects"
ACCEPT_SOURCE_ROUTE_ALL = "net.ipv4.conf.all.accept_source_route"
ACCEPT_SOURCE_ROUTE_DEFAULT = "net.ipv4.conf.default.accept_source_route"
RP_FILTER_ALL = "net.ipv4.conf.all.rp_filter"
RP_FILTER_DEFAULT = "net.ipv4.conf.default.rp_filter"
LOG_MARTIANS_ALL = "net.ipv4.conf.all.log_martians"
LOG_MARTIANS_DEFAULT = "net.ipv4.conf.default.log_martians"
IPV6_ACCEPT_REDIRECTS = "net.ipv6.conf.all.accept_redirects"
TCP_SYNCOOKIES = "net.ipv4.tcp_syncookies"
ICMP_ECHO_IGNORE_BROADCASTS = "net.ipv4.icmp_echo_ignore_broadcasts"
ICMP_IGNORE_BOGUS_ERROR_RESPONSES = "net.ipv4.icmp_ignore_bogus_error_responses"

SYSCTL_KEYS: Tuple[str, ...] = (
    RANDOMIZE_VA_SPACE,
    SUID_DUMPABLE,
    PTRACE_SCOPE,
    KPTR_RESTRICT,
    DMESG_RESTRICT,
    IP_FORWARD,
    IPV6_FORWARDING,
    ACCEPT_REDIRECTS_ALL,
    ACCEPT_REDIRECTS_DEFAULT,
    SECURE_REDIRECTS_ALL,
    SECURE_REDIRECTS_DEFAULT,
    SEND_REDIRECTS_ALL,
    SEND_REDIRECTS_DEFAULT,
    ACCEPT_SOURCE_ROUTE_ALL,
    ACCEPT_SOURCE_ROUTE_DEFAULT,
    RP_FILTER_ALL,
    RP_FILTER_DEFAULT,
    LOG_MARTIANS_ALL,
    LOG_MARTIANS_DEFAULT,
    IPV6_ACCEPT_REDIRECTS,
    TCP_SYNCOOKIES,
    ICMP_ECHO_IGNORE_BROADCASTS,
    ICMP_IGNORE_BOGUS_ERROR_RESPONSES,
)

# systemd-sysctl(8) / sysctl --system search path, highest priority first: a
# file name found in an earlier directory hides the same name in later ones.
SYSCTL_DIRS: Tuple[str, ...] = ("/etc/sysctl.d", "/run/sysctl.d", "/usr/local/lib/sysctl.d", "/usr/lib/sysctl.d", "/lib/sysctl.d")
SYSCTL_CONF = "/etc/sysctl.conf"


_SWAP_SEPARATORS = str.maketrans("./", "/.")


def normalize_key(key: str) -> str:
    """sysctl.d(5): when the first separator is a slash, slashes and dots swap."""
    key = key.strip()
    first = re.search(r"[./]", key)
    if first and first.group(0) == "/":
        key = key.translate(_SWAP_SEPARATORS)
    return key


def parse_sysctl_conf(text: str) -> Tuple[List[Tuple[str, str]], List[str], List[str]]:
    """Assignments in file order, ignored line numbers, and keys excluded from globs.

    A bare ``-key`` line (systemd >= 247) keeps a glob such as
    ``net.ipv4.conf.*.rp_filter`` from touching that key.
    """
    out: List[Tuple[str, str]] = []
    ignored: List[str] = []
    excluded: List[str] = []
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        if "=" not in line:
            if line.startswith("-") and len(line.split()) == 1:
                excluded.append(normalize_key(line[1:]))
            else:
                ignored.append(str(n))
            continue
        key, _, value = line.partition("=")
        key = normalize_key(key.lstrip("-"))
        if not key:
            ignored.append(str(n))
            continue
        out.append((key, " ".join(value.split())))
    return out, ignored, excluded


def config_files(host: HostReader, dirs: Tuple[str, ...], suffix: str = ".conf") -> List[str]:
    """The files a systemd-style ``*.d`` search path applies, in application order.

    Files are ordered by name across all directories; for equal names the
    earliest directory wins; a symlink to /dev/null masks the name.
    """
    chosen: Dict[str, str] = {}
    for d in dirs:
        for path in host.glob(d + "/*" + suffix):
            name = path.rsplit("/", 1)[1]
            chosen.setdefault(name, path)
    return [chosen[n] for n in sorted(chosen) if host.readlink(chosen[n]) != "/dev/null"]


def persisted_sysctl(host: HostReader) -> Tuple[Dict[str, Dict[str, str]], List[str], List[str]]:
    """Values the boot-time configuration sets for our keys: {key: {value, file}}."""
    files = config_files(host, SYSCTL_DIRS)
    texts: List[Tuple[str, str]] = []
    for path in files:
        text = host.read_text(path)
        if text is not None:  # a /dev/null mask resolves to nothing in a recorded tree
            texts.append((path, text))
    # /etc/sysctl.conf is applied last (procps) unless a sysctl.d entry already is
    # that file (Debian and RHEL ship 99-sysctl.conf -> ../sysctl.conf). Recorded
    # trees resolve symlinks on read, so identical content counts as linked too.
    conf = host.read_text(SYSCTL_CONF)
    linked = any((host.readlink(f) or "").rsplit("/", 1)[-1] == "sysctl.conf" for f in files)
    if conf is not None and not linked and not any(text == conf for _, text in texts):
        texts.append((SYSCTL_CONF, conf))
    parsed: List[Tuple[str, List[Tuple[str, str]]]] = []
    excluded: List[str] = []
    used: List[str] = []
    warnings: List[str] = []
    for path, text in texts:
        used.append(path)
        pairs, ignored, exclusions = parse_sysctl_conf(text)
        parsed.append((path, pairs))
        excluded.extend(exclusions)
        if ignored:
            warnings.append(f"{path}: ignored line(s) {', '.join(ignored[:10])} without '='")
    return resolve_sysctl(parsed, excluded), used, warnings


def resolve_sysctl(parsed: List[Tuple[str, List[Tuple[str, str]]]], excluded: List[str]) -> Dict[str, Dict[str, str]]:
    """Apply assignments the way systemd-sysctl does.

    An explicit key set in any file beats every glob ("Not setting ...
    (explicit setting exists)"), whatever the file order; among globs (and
    among explicit assignments of one key) the later assignment wins.
    """
    explicit: Dict[str, Dict[str, str]] = {}
    globs: List[Tuple[str, str, str]] = []
    for path, pairs in parsed:
        for key, value in pairs:
            if any(c in key for c in "*?["):
                globs.append((key, value, path))
            else:
                explicit[key] = {"value": value, "file": path}
    values = {k: v for k, v in explicit.items() if k in SYSCTL_KEYS}
    for pattern, value, path in globs:
        for target in fnmatch.filter(SYSCTL_KEYS, pattern):
            if target not in excluded and target not in explicit:
                values[target] = {"value": value, "file": path}
    return values


def runtime_sysctl(host: HostReader, key: str) -> Optional[str]:
    text = host.read_text("/proc/sys/" + key.replace(".", "/"))
    return None if text is None else " ".join(text.split())


@collector(SYSCTL, "Kernel and network parameters: runtime (/proc/sys) and persisted (sysctl.d)")
def collect_sysctl(host: HostReader) -> SysctlFacts:
    """In an offline root there is no running kernel to ask: only the configuration (proc_sys is False)."""
    persisted, used, warnings = persisted_sysctl(host)
    keys: Dict[str, SysctlKeyFacts] = {}
    unavailable: List[str] = []
    for key in SYSCTL_KEYS:
        runtime = None if host.offline_root else runtime_sysctl(host, key)
        if runtime is None:
            unavailable.append(key)
        p = persisted.get(key)
        keys[key] = {"runtime": runtime, "persisted": p["value"] if p else None, "persisted_in": p["file"] if p else None}
    return {
        "keys": keys,
        "unavailable": unavailable,
        "proc_sys": not host.offline_root and host.is_dir("/proc/sys"),
        "ipv6": not host.offline_root and host.is_dir("/proc/sys/net/ipv6"),
        "config_files": used,
        "warnings": warnings,
        "_method": f"files: sysctl configuration only ({OFFLINE_ROOT}: no running kernel)" if host.offline_root else "files",
    }


# -- kernel modules ------------------------------------------------------------

# The modules examined, in modprobe's underscore spelling; checks name them only through these.
USB_STORAGE = "usb_storage"
FS_MODULES: Tuple[str, ...] = ("cramfs", "freevxfs", "hfs", "hfsplus", "jffs2", "udf")  # rarely used filesystems
NET_MODULES: Tuple[str, ...] = ("dccp", "sctp", "rds", "tipc")  # uncommon network protocols
WATCHED_MODULES: Tuple[str, ...] = (USB_STORAGE, *FS_MODULES, *NET_MODULES)
# kmod's search path, highest priority first: a file name in an earlier
# directory hides the same name in later ones; files then apply in name order.
MODPROBE_DIRS: Tuple[str, ...] = (
    "/etc/modprobe.d",
    "/run/modprobe.d",
    "/usr/local/lib/modprobe.d",
    "/lib/modprobe.d",
    "/usr/lib/modprobe.d",
)
_NOOP_INSTALL = re.compile(r"^(/usr)?/bin/(false|true)$|^/bin/(false|true)$|^(false|true)$")


def module_name(name: str) -> str:
    """modprobe treats dashes and underscores in module names alike."""
    return name.strip().replace("-", "_")


def _underscores(pattern: str) -> str:
    """kmod's underscores(): dashes become underscores except inside ``[...]``."""
    out: List[str] = []
    in_bracket = False
    for ch in pattern.strip():
        if ch == "[":
            in_bracket = True
        elif ch == "]":
            in_bracket = False
        out.append("_" if ch == "-" and not in_bracket else ch)
    return "".join(out)


def _logical_lines(text: str) -> List[str]:
    """Lines with backslash continuations joined, as kmod reads them."""
    out: List[str] = []
    buf = ""
    for raw in text.splitlines():
        if raw.endswith("\\"):
            buf += raw[:-1] + " "
            continue
        out.append(buf + raw)
        buf = ""
    if buf:
        out.append(buf)
    return out


def parse_modprobe(text: str) -> Tuple[List[Tuple[str, str, str]], List[str]]:
    """``install <pattern> <cmd>`` lines in file order as (pattern, noop/other, cmd), and ``blacklist`` names."""
    installs: List[Tuple[str, str, str]] = []
    blacklist: List[str] = []
    for raw in _logical_lines(text):
        # The install command runs through /bin/sh, so a trailing "# ..." is a comment there too.
        line = raw.split("#", 1)[0].strip()
        parts = line.split()
        if len(parts) >= 3 and parts[0] == "install":
            cmd = " ".join(parts[2:])
            installs.append((_underscores(parts[1]), "noop" if _NOOP_INSTALL.match(cmd) else "other", cmd))
        elif len(parts) == 2 and parts[0] == "blacklist":
            blacklist.append(module_name(parts[1]))
    return installs, blacklist


def matching_install(installs: List[Tuple[str, str, str]], name: str) -> Optional[Tuple[str, str]]:
    """(noop/other, command) of the FIRST install line whose pattern matches (fnmatch), in config order: the one kmod runs."""
    for pattern, kind, cmd in installs:
        if fnmatch.fnmatchcase(name, pattern):
            return kind, cmd
    return None


def install_command(installs: List[Tuple[str, str, str]], name: str) -> Optional[str]:
    """noop/other for the install line kmod runs for ``name``; None when none matches."""
    match = matching_install(installs, name)
    return match[0] if match else None


def loaded_modules(host: HostReader) -> Optional[List[str]]:
    text = host.read_text("/proc/modules")
    if text is None:
        return None
    return sorted({module_name(line.split()[0]) for line in text.splitlines() if line.strip()})


@collector(KERNEL_MODULES, "Risky kernel modules: disabled in modprobe.d, currently loaded")
def collect_kernel_modules(host: HostReader) -> KernelModulesFacts:
    installs: List[Tuple[str, str, str]] = []
    blacklisted: Dict[str, bool] = {}
    files = config_files(host, MODPROBE_DIRS)
    for path in files:
        text = host.read_text(path)
        if text is None:
            continue
        inst, bl = parse_modprobe(text)
        installs.extend(inst)  # config order: the first match is the one modprobe runs
        for name in bl:
            blacklisted[name] = True
    loaded = None if host.offline_root else loaded_modules(host)  # offline root: no kernel, nothing loaded to read
    modules: Dict[str, ModuleFacts] = {}
    for name in WATCHED_MODULES:
        match = matching_install(installs, name)
        modules[name] = {
            "install_disabled": match is not None and match[0] == "noop",
            "install_command": match[1] if match else None,
            "blacklisted": blacklisted.get(name, False),
            "loaded": None if loaded is None else name in loaded,
        }
    return {"modules": modules, "proc_modules": loaded is not None, "config_files": files, "_method": "files"}


# -- boot loader ---------------------------------------------------------------

GRUB_CFGS: Tuple[str, ...] = ("/boot/grub/grub.cfg", "/boot/grub2/grub.cfg")
_PBKDF2_LINE = re.compile(r"^\s*password_pbkdf2\s+\S+\s+grub\.pbkdf2\.", re.M)
_PLAIN_LINE = re.compile(r"^\s*password\s+\S+\s+\S+", re.M)
_SUPERUSERS = re.compile(r"^\s*set\s+superusers\s*=\s*[\"']?([^\"'\s]+)", re.M)
_USER_CFG_PW = re.compile(r"^\s*GRUB2_PASSWORD\s*=\s*grub\.pbkdf2\.", re.M)


def grub_password(grub_cfg: str, user_cfg: Optional[str]) -> GrubFacts:
    """Booleans only: is a superuser set, is a password (hashed or not) defined."""
    pbkdf2 = bool(_PBKDF2_LINE.search(grub_cfg))
    plain = bool(_PLAIN_LINE.search(grub_cfg))
    user_cfg_pw = bool(user_cfg and _USER_CFG_PW.search(user_cfg))
    superusers = bool(_SUPERUSERS.search(grub_cfg))
    # RHEL-family grub.cfg always sets superusers inside "if [ -n GRUB2_PASSWORD ]",
    # so that line only counts when user.cfg really defines a password.
    via_user_cfg = user_cfg_pw and "GRUB2_PASSWORD" in grub_cfg
    return {
        "superusers_set": superusers and (pbkdf2 or plain or via_user_cfg),
        "password_set": (superusers and (pbkdf2 or plain)) or via_user_cfg,
        "password_hashed": pbkdf2 or via_user_cfg,
        "plaintext_password": plain,
    }


def parse_sb_state(text: str) -> Tuple[Optional[bool], str]:
    """(Secure Boot enforced, detail) from ``mokutil --sb-state`` output; None when not understood.

    Lines are read whole: "SecureBoot validation is disabled in shim" means the
    firmware has Secure Boot on but shim boots unsigned code (MokSBState), so the
    boot chain is not verified, and it must never be taken for "enabled".
    """
    lines = [line.strip().lower() for line in text.splitlines() if line.strip()]
    if any("validation is disabled" in line for line in lines):
        return False, "SecureBoot validation is disabled in shim: unsigned boot code is accepted"
    if any(line.startswith("setup mode") or "in setup mode" in line for line in lines):
        return False, "the platform is in Setup Mode: Secure Boot is not enforced"
    if "secureboot disabled" in lines:
        return False, "SecureBoot disabled"
    if "secureboot enabled" in lines:
        return True, "SecureBoot enabled"
    if any("not supported" in line or "doesn't support" in line for line in lines):
        return False, "EFI variables not supported (legacy BIOS boot)"
    return None, "unrecognised mokutil output"


def secure_boot(host: HostReader) -> SecureBootFacts:
    if host.offline_root:
        return {"secure_boot": None, "secure_boot_detail": runtime_only("the Secure Boot state (firmware)"), "mokutil": False}
    res = host.run(["mokutil", "--sb-state"])
    state: Optional[bool] = None
    if res.error is not None:
        detail = res.error
    else:
        state, detail = parse_sb_state(res.stdout + "\n" + res.stderr)
        if res.exit_code != 0 and state is not False:
            # a failed run proves nothing about Secure Boot, whatever it printed
            state, detail = None, f"mokutil --sb-state failed (exit code {res.exit_code}): {detail}"
    return {"secure_boot": state, "secure_boot_detail": detail, "mokutil": res.error is None}


@collector(BOOT, "Boot loader configuration (password protection) and Secure Boot state")
def collect_boot(host: HostReader) -> BootFacts:
    path = next((p for p in GRUB_CFGS if host.exists(p)), None)
    efi = host.is_dir("/sys/firmware/efi")
    grub: GrubFacts = {}
    if path is not None:
        try:  # grub.cfg is 0600 when hardened: unreadable without root, yet Secure Boot still counts
            text = host.read_text(path, required=True) or ""
            user_cfg = host.read_text(path.rsplit("/", 1)[0] + "/user.cfg")
        except CollectError as exc:
            grub = {"grub_error": exc.message}
        else:
            grub = grub_password(text, user_cfg)
            grub["user_cfg"] = user_cfg is not None
    sb = secure_boot(host)
    if sb["secure_boot"] is False and "legacy BIOS" in sb["secure_boot_detail"] and efi:
        sb = {**sb, "secure_boot": None, "secure_boot_detail": "mokutil reports no EFI variables, yet /sys/firmware/efi exists"}
    return {"grub_cfg": path, "efi": efi, **grub, **sb, "_method": "files+mokutil" if sb["mokutil"] else "files"}


# -- mandatory access control --------------------------------------------------


def parse_sestatus(text: str) -> Dict[str, str]:
    """``Key:   value`` lines of sestatus(8), keys lower-cased."""
    out: Dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep and value.strip():
            out[key.strip().lower()] = value.strip().lower()
    return out


def _selinux_offline(host: HostReader) -> SelinuxFacts:
    """Offline root: the mode /etc/selinux/config boots the image with (no kernel to ask)."""
    config = host.read_text("/etc/selinux/config")
    mode = re.search(r"^\s*SELINUX\s*=\s*(\w+)", config or "", re.M)
    policy = re.search(r"^\s*SELINUXTYPE\s*=\s*(\S+)", config or "", re.M)
    if config is None or mode is None:
        return {"status": None, "mode": None, "config_mode": None, "policy": None, "source": None if config is None else "config"}
    configured = mode.group(1).lower()
    return {
        "status": "enabled" if configured in ("enforcing", "permissive") else "disabled",
        "mode": configured if configured in ("enforcing", "permissive") else None,
        "config_mode": configured,
        "policy": policy.group(1) if policy else None,
        "source": f"config ({OFFLINE_ROOT}: the mode the image boots with)",
    }


def _selinux(host: HostReader) -> SelinuxFacts:
    if host.offline_root:
        return _selinux_offline(host)
    info: SelinuxFacts = {"status": None, "mode": None, "config_mode": None, "policy": None, "source": None}
    res = host.run(["sestatus"])
    if res.error is None and res.exit_code == 0 and res.stdout.strip():
        st = parse_sestatus(res.stdout)
        info["status"] = st.get("selinux status")
        info["mode"] = st.get("current mode")
        info["config_mode"] = st.get("mode from config file")
        info["policy"] = st.get("loaded policy name")
        info["source"] = "sestatus"
    config = host.read_text("/etc/selinux/config")
    if config is not None:
        m = re.search(r"^\s*SELINUX\s*=\s*(\w+)", config, re.M)
        if m and info["config_mode"] is None:
            info["config_mode"] = m.group(1).lower()
    if info["source"] is None:
        enforce = host.read_text("/sys/fs/selinux/enforce")
        if enforce is not None:
            info["status"] = "enabled"
            info["mode"] = "enforcing" if enforce.strip() == "1" else "permissive"
            info["source"] = "selinuxfs"
        elif config is not None:
            info["source"] = "config"
    return info


AA_PROFILES = "/sys/kernel/security/apparmor/profiles"
_AA_PROFILE_LINE = re.compile(r"^(.+) \((\w+)\)$")


# AppArmor profile modes that confine: 'kill' enforces like 'enforce' and kills the task on a violation.
AA_ENFORCING_MODES: Tuple[str, ...] = ("enforce", "kill")


def parse_aa_profiles(text: str) -> Dict[str, int]:
    """Count loaded AppArmor profiles per mode from ``<name> (<mode>)`` lines."""
    counts: Dict[str, int] = {}
    for line in text.splitlines():
        m = _AA_PROFILE_LINE.match(line.strip())
        if m:
            counts[m.group(2)] = counts.get(m.group(2), 0) + 1
    return counts


def _aa_profiles(host: HostReader) -> AppArmorProfiles:
    """Loaded profiles: the LSM flag alone says nothing about confinement.

    securityfs only lets root read the list, so an unprivileged scan records
    why it could not tell instead of guessing.
    """
    try:
        text = host.read_text(AA_PROFILES)
    except CollectError as exc:
        return {"profiles_readable": False, "profiles_error": exc.message, "profiles": None}
    if text is None:
        return {"profiles_readable": False, "profiles_error": f"{AA_PROFILES} does not exist", "profiles": None}
    return {"profiles_readable": True, "profiles_error": None, "profiles": parse_aa_profiles(text)}


def _apparmor_offline(host: HostReader) -> AppArmorFacts:
    """Offline root: AppArmor confines at boot when apparmor.service is enabled and profiles are installed;
    which profiles are loaded, and in which mode, only the running kernel shows."""
    profiles = [p for p in host.glob("/etc/apparmor.d/*") if (st := host.stat(p)) is not None and not st.is_dir]
    enabled = bool(profiles) and enabled_at_boot(host, "apparmor.service")
    info: AppArmorFacts = {"enabled": enabled, "aa_status_enabled": None, "source": f"files ({OFFLINE_ROOT})"}
    if enabled:
        info = {**info, "profiles_readable": False, "profiles_error": runtime_only("the list of loaded AppArmor profiles"), "profiles": None}
    return info


def _apparmor(host: HostReader) -> AppArmorFacts:
    if host.offline_root:
        return _apparmor_offline(host)
    enabled: Optional[bool] = None
    source: Optional[str] = None
    flag = host.read_text("/sys/module/apparmor/parameters/enabled")
    if flag is not None:
        enabled, source = flag.strip().upper() == "Y", "sysfs"
    # aa-status --enabled only reports the same kernel flag, not whether anything is confined.
    res = host.run(["aa-status", "--enabled"])
    aa_ok: Optional[bool] = None
    if res.error is None and res.exit_code is not None and "not permitted" not in res.stderr.lower():
        aa_ok = res.exit_code == 0
        if enabled is None:
            enabled, source = aa_ok, "aa-status"
    info: AppArmorFacts = {"enabled": enabled, "aa_status_enabled": aa_ok, "source": source}
    if enabled:
        info = {**info, **_aa_profiles(host)}
    return info


@collector(MAC, "Mandatory access control: SELinux mode, AppArmor state")
def collect_mac(host: HostReader) -> MacFacts:
    method = f"files ({OFFLINE_ROOT}: configuration only)" if host.offline_root else "sestatus/aa-status/files"
    return {"selinux": _selinux(host), "apparmor": _apparmor(host), "_method": method}
