# ruff: noqa: S108  - /tmp and /dev/shm are paths on the assessed host, inspected, never written
"""File permissions, mount options, world-writable paths and login banners."""

from __future__ import annotations

import itertools
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

from checks.messages import Template, message
from checks.model import CoverageLine, InsurerDomain, Severity, Status, Text, Verdict
from checks.registry import EvidenceView, Params, check
from collectors.host.files import (
    BANNER,
    CRON_DIRS,
    CRONTAB,
    DEV_SHM,
    FILE_PERMS,
    GROUP,
    GROUP_BACKUP,
    GRUB_CFG_PATHS,
    GSHADOW,
    GSHADOW_BACKUP,
    MOUNTS,
    PASSWD,
    PASSWD_BACKUP,
    PRE_LOGIN_BANNERS,
    SHADOW,
    SHADOW_BACKUP,
    TMP,
    VAR_LOG,
    WORLD_WRITABLE,
    BannerFileFacts,
    PathFacts,
    WalkFacts,
)
from collectors.strictjson import JSON

# Debian's fixed "shadow" group (base-passwd); RHEL-family systems have none.
SHADOW_GID_DEFAULT = [0, 42]


def _entry(ev: EvidenceView, path: str) -> PathFacts:
    return ev.facts(FILE_PERMS)["files"].get(path, {"exists": None, "error": "not collected"})


# What can be wrong with a path's owner and mode: (en, zh) of each part, in this order.
_PERM_PARTS: Dict[str, Tuple[str, str]] = {
    "mode": ("mode {mode} grants more than {max_mode}", "权限 {mode} 超出 {max_mode}"),
    "owner": ("owner uid {uid} is not root", "属主 uid {uid} 不是 root"),
    "group": ("group gid {gid} is not one of {gids}", "属组 gid {gid} 不在 {gids} 之内"),
}
# The problems of one or more paths that have the same ones: "/etc/shadow: mode 0644 grants more than 0640".
PERMS: Dict[Tuple[str, ...], Template] = {
    parts: message(
        f"LNX-FS/perms-{'-'.join(parts)}",
        en="{paths}: " + ", ".join(_PERM_PARTS[x][0] for x in parts),
        zh="{paths}：" + "，".join(_PERM_PARTS[x][1] for x in parts),
    )
    for n in range(1, len(_PERM_PARTS) + 1)
    for parts in itertools.combinations(_PERM_PARTS, n)
}
# Paths with different problems: each with what is wrong about it, "/etc/crontab 0644", "/etc/cron.d 0755 uid=1000".
_WRONG = {"mode": "{mode}", "owner": "uid={uid}", "group": "gid={gid}"}
PERMS_SEVERAL = message(
    "LNX-FS/perms-several", en="mode, owner or group not as required: {files}", zh="以下路径的权限、属主或属组不符合要求：{files}"
)
CANNOT_STAT = message("LNX-FS/cannot-stat", en="cannot stat {path}: {detail}", zh="无法获取 {path} 的文件状态：{detail}")
MISSING = message("LNX-FS/missing", en="{path} does not exist", zh="{path} 不存在")
NONE_EXIST = message("LNX-FS/none-exist", en="none of the paths exist", zh="所列路径均不存在")
PERMS_OK = message("LNX-FS/perms-ok", en="owner and mode are restrictive enough", zh="属主与权限均符合要求")

PermProblems = Dict[str, Dict[str, JSON]]  # part of _PERM_PARTS -> its parameters


def perm_problems(entry: PathFacts, max_mode: int, gids: Optional[Sequence[int]] = (0,)) -> PermProblems:
    """What is wrong with a path's owner and mode; empty when it is fine."""
    problems: PermProblems = {}
    mode = int(entry["mode"], 8)
    extra = mode & ~max_mode & 0o7777
    if extra:
        problems["mode"] = {"mode": entry["mode"], "max_mode": f"{max_mode:04o}"}
    if entry.get("uid") != 0:
        problems["owner"] = {"uid": entry.get("uid")}
    if gids is not None and entry.get("gid") not in gids:
        problems["group"] = {"gid": entry.get("gid"), "gids": str(list(gids))}
    return problems


def _perms_reason(bad: Mapping[str, PermProblems], stats: Mapping[str, PathFacts]) -> Verdict:
    """The failure: the problems in words where every bad path has the same ones, else each path's mode and owner."""
    observed = {
        path: [_PERM_PARTS[part][0].format(**params) for part, params in problems.items()] for path, problems in bad.items()
    }
    modes = {path: stats[path]["mode"] for path in stats}
    first = next(iter(bad.values()))
    if all(other == first for other in bad.values()):
        params = {k: v for part in first.values() for k, v in part.items()}
        return Verdict.fail(PERMS[tuple(first)](paths=list(bad), **params), modes=modes, problems=observed)
    files = [" ".join([path, *(_WRONG[part].format(**stats[path]) for part in problems)]) for path, problems in bad.items()]
    return Verdict.fail(PERMS_SEVERAL(files=files), modes=modes, problems=observed)


def _judge_files(
    ev: EvidenceView, wanted: Mapping[str, int], gids: Optional[Sequence[int]], *, required: Sequence[str] = ()
) -> Verdict:
    """Shared logic: every present path must fit its maximum mode and owner; ``required`` ones must exist."""
    seen: Dict[str, PathFacts] = {}
    bad: Dict[str, PermProblems] = {}
    for path, max_mode in wanted.items():
        entry = _entry(ev, path)
        if entry.get("error"):
            return Verdict.error(CANNOT_STAT(path=path, detail=entry["error"]))
        if not entry["exists"]:
            if path in required:
                return Verdict.error(MISSING(path=path))
            continue
        seen[path] = entry
        problems = perm_problems(entry, max_mode, gids)
        if problems:
            bad[path] = problems
    if not seen:
        return Verdict.na(NONE_EXIST(), paths=list(wanted))
    if bad:
        return _perms_reason(bad, seen)
    return Verdict.ok(PERMS_OK(), modes={path: entry["mode"] for path, entry in seen.items()})


_PERM_MLPS = ("L3-CES1-08", "L3-CES1-09")


@check(
    id="LNX-FS-001",
    title=Text(
        zh="/etc/passwd、/etc/group 及其备份文件权限为 0644 或更严格，属主为 root",
        en="/etc/passwd, /etc/group and their backups are mode 0644 or stricter and owned by root",
    ),
    remediation=Text(
        zh="执行 chown root:root /etc/passwd /etc/group /etc/passwd- /etc/group- && chmod 0644 /etc/passwd /etc/group /etc/passwd- /etc/group-。",
        en="Run: chown root:root /etc/passwd /etc/group /etc/passwd- /etc/group- && chmod 0644 /etc/passwd /etc/group /etc/passwd- /etc/group-",
    ),
    severity=Severity.MEDIUM,
    mlps=("L3-CES1-09", "L3-CES1-10"),
    domains=(InsurerDomain.HARDENING, InsurerDomain.PRIVILEGED_ACCESS),
    coverage=(CoverageLine.DATA_BREACH_LIABILITY,),
    needs=(FILE_PERMS,),
    basis="Modes of passwd and group are subject-to-object access rules at file granularity (8.1.4.2 e, f).",
)
def passwd_perms(ev: EvidenceView, p: Params) -> Verdict:
    files = {PASSWD: 0o644, GROUP: 0o644, PASSWD_BACKUP: 0o644, GROUP_BACKUP: 0o644}
    return _judge_files(ev, files, (0,), required=(PASSWD, GROUP))


@check(
    id="LNX-FS-002",
    title=Text(
        zh="/etc/shadow 及其备份权限为 0640 或更严格，属主为 root",
        en="/etc/shadow and its backup are mode 0640 or stricter and owned by root",
    ),
    remediation=Text(
        zh="Debian/Ubuntu：chown root:shadow /etc/shadow /etc/shadow- && chmod 0640 /etc/shadow /etc/shadow-；RHEL/openEuler：chown root:root /etc/shadow /etc/shadow- && chmod 0000 /etc/shadow /etc/shadow-。",
        en="Debian/Ubuntu: chown root:shadow /etc/shadow /etc/shadow- && chmod 0640 /etc/shadow /etc/shadow-; RHEL/openEuler: chown root:root /etc/shadow /etc/shadow- && chmod 0000 /etc/shadow /etc/shadow-",
    ),
    severity=Severity.HIGH,
    mlps=("L3-CES1-09", "L3-CES1-28"),
    domains=(InsurerDomain.PRIVILEGED_ACCESS, InsurerDomain.HARDENING),
    coverage=(CoverageLine.DATA_BREACH_LIABILITY, CoverageLine.CYBER_EXTORTION),
    needs=(FILE_PERMS,),
    params={"shadow_gids": SHADOW_GID_DEFAULT},
    basis="shadow's mode is an access rule (8.1.4.2 e) that keeps stored authentication data confidential (8.1.4.8 b).",
)
def shadow_perms(ev: EvidenceView, p: Params) -> Verdict:
    """A readable shadow file hands every password hash to offline cracking."""
    files = {SHADOW: 0o640, SHADOW_BACKUP: 0o640}
    return _judge_files(ev, files, list(p["shadow_gids"]), required=(SHADOW,))


NO_GSHADOW = message("LNX-FS-003/no-gshadow", en="no /etc/gshadow on this system", zh="本系统没有 /etc/gshadow")


@check(
    id="LNX-FS-003",
    title=Text(
        zh="/etc/gshadow 及其备份权限为 0640 或更严格，属主为 root",
        en="/etc/gshadow and its backup are mode 0640 or stricter and owned by root",
    ),
    remediation=Text(
        zh="Debian/Ubuntu：chown root:shadow /etc/gshadow /etc/gshadow- && chmod 0640 /etc/gshadow /etc/gshadow-；RHEL/openEuler：chown root:root 并 chmod 0000。",
        en="Debian/Ubuntu: chown root:shadow /etc/gshadow /etc/gshadow- && chmod 0640 /etc/gshadow /etc/gshadow-; RHEL/openEuler: chown root:root and chmod 0000",
    ),
    severity=Severity.MEDIUM,
    mlps=("L3-CES1-09", "L3-CES1-28"),
    domains=(InsurerDomain.HARDENING,),
    needs=(FILE_PERMS,),
    params={"shadow_gids": SHADOW_GID_DEFAULT},
    basis="As LNX-FS-002, for group passwords in gshadow.",
)
def gshadow_perms(ev: EvidenceView, p: Params) -> Verdict:
    """gshadow holds group password hashes and group administrator lists."""
    verdict = _judge_files(ev, {GSHADOW: 0o640, GSHADOW_BACKUP: 0o640}, list(p["shadow_gids"]))
    if verdict.status is Status.NOT_APPLICABLE:
        return Verdict.na(NO_GSHADOW())
    return verdict


CRON_PATHS: Dict[str, int] = {CRONTAB: 0o600, **{d: 0o700 for d in CRON_DIRS}}
NO_CRON = message("LNX-FS-004/no-cron", en="no system cron files: cron is not installed", zh="没有系统 cron 文件：未安装 cron")


@check(
    id="LNX-FS-004",
    title=Text(zh="cron 配置文件和目录仅 root 可访问", en="Cron configuration files and directories are accessible to root only"),
    remediation=Text(
        zh="执行 chown root:root /etc/crontab /etc/cron.{hourly,daily,weekly,monthly,d} && chmod 0600 /etc/crontab && chmod 0700 /etc/cron.{hourly,daily,weekly,monthly,d}。",
        en="Run: chown root:root /etc/crontab /etc/cron.{hourly,daily,weekly,monthly,d} && chmod 0600 /etc/crontab && chmod 0700 /etc/cron.{hourly,daily,weekly,monthly,d}",
    ),
    severity=Severity.LOW,
    mlps=("L3-CES1-09", "L3-CES1-10"),
    domains=(InsurerDomain.HARDENING,),
    needs=(FILE_PERMS,),
    basis="Who may edit cron is an access rule on the files that run code as root (8.1.4.2 e, f).",
)
def cron_perms(ev: EvidenceView, p: Params) -> Verdict:
    """World-readable cron files tell an intruder what runs as root and when."""
    verdict = _judge_files(ev, CRON_PATHS, (0,))
    if verdict.status is Status.NOT_APPLICABLE:
        return Verdict.na(NO_CRON())
    return verdict


# Each path as "<path>: <why>", the why being the collector's account of the stat.
GRUB_UNKNOWN = message(
    "LNX-FS-005/unknown",
    en="cannot tell whether a GRUB configuration exists: {paths}",
    zh="无法确定是否存在 GRUB 配置：{paths}",
)
NO_GRUB = message(
    "LNX-FS-005/no-grub",
    en="no GRUB configuration found (other boot loader or a container)",
    zh="未找到 GRUB 配置（使用其他引导程序，或为容器）",
)


@check(
    id="LNX-FS-005",
    title=Text(zh="GRUB 配置文件 grub.cfg 权限为 0600 或更严格", en="GRUB configuration grub.cfg is mode 0600 or stricter"),
    remediation=Text(
        zh="执行 chown root:root <grub.cfg> && chmod 0600 <grub.cfg>（Debian：/boot/grub/grub.cfg；RHEL/openEuler：/boot/grub2/grub.cfg）；Debian 上 update-grub 会重置权限，需在 /etc/grub.d 之后重新设置或使用 dpkg-statoverride。",
        en="Run: chown root:root <grub.cfg> && chmod 0600 <grub.cfg> (Debian: /boot/grub/grub.cfg; RHEL/openEuler: /boot/grub2/grub.cfg); on Debian update-grub rewrites the mode, so reapply it after each update",
    ),
    severity=Severity.LOW,
    mlps=("L3-CES1-09",),
    domains=(InsurerDomain.INTEGRITY_BOOT, InsurerDomain.HARDENING),
    needs=(FILE_PERMS,),
    basis="grub.cfg holds the boot-password hash and boot options: an access rule on a sensitive object (8.1.4.2 e), not trusted verification.",
)
def grub_cfg_perms(ev: EvidenceView, p: Params) -> Verdict:
    """ "Not found" needs every candidate path to have been looked at: an unprivileged scan of a RHEL
    host cannot stat /boot/grub2/grub.cfg when /boot/grub2 is 0700, which proves nothing about GRUB."""
    facts = ev.facts(FILE_PERMS)
    grub = facts["grub_cfg"]
    if not grub:
        unknown: Dict[str, Optional[str]] = {}  # path -> the collector's error, if it gave one
        for path in GRUB_CFG_PATHS:
            entry = facts["files"].get(path)
            if entry is None:
                unknown[path] = None  # not collected
            elif entry["exists"] is not False:
                unknown[path] = str(entry["error"]) if entry.get("error") else None
        if unknown:
            paths = [f"{p}: {why}" if why else p for p, why in unknown.items()]
            return Verdict.error(GRUB_UNKNOWN(paths=paths), unreadable=sorted(unknown))
        return Verdict.na(NO_GRUB())
    return _judge_files(ev, {grub: 0o600}, (0,), required=(grub,))


# -- mounts --------------------------------------------------------------------

SAFE_OPTIONS = ["nodev", "nosuid", "noexec"]

# Shared by LNX-FS-006 and LNX-FS-007.
NOT_SEPARATE = message(
    "LNX-FS/not-separate-mount", en="{mountpoint} is not a separate filesystem", zh="{mountpoint} 不是独立的文件系统"
)
MOUNT_MISSING_OPTIONS = message(
    "LNX-FS/mount-options-missing",
    en="{mountpoint} is mounted without {missing}",
    zh="{mountpoint} 挂载时缺少 {missing} 选项",
)
MOUNT_OK = message(
    "LNX-FS/mount-ok",
    en="{mountpoint} is a separate {fstype} mount with {options}",
    zh="{mountpoint} 为独立的 {fstype} 挂载，带有 {options} 选项",
)


def _mount_verdict(ev: EvidenceView, mountpoint: str, required: Sequence[str], missing_status: str) -> Verdict:
    mounts = ev.facts(MOUNTS)["mounts"]
    entry = mounts.get(mountpoint)
    if entry is None:
        if missing_status == "na":
            return Verdict.na(NOT_SEPARATE(mountpoint=mountpoint))
        return Verdict.fail(NOT_SEPARATE(mountpoint=mountpoint), mounted=False, missing_options=list(required))
    missing = [o for o in required if o not in entry["options"]]
    observed = {"mounted": True, "fstype": entry["fstype"], "options": [o for o in entry["options"] if o in SAFE_OPTIONS]}
    if missing:
        return Verdict.fail(MOUNT_MISSING_OPTIONS(mountpoint=mountpoint, missing=missing), missing_options=missing, **observed)
    return Verdict.ok(MOUNT_OK(mountpoint=mountpoint, fstype=entry["fstype"], options=list(required)), **observed)


@check(
    id="LNX-FS-006",
    title=Text(
        zh="/tmp 为独立分区或 tmpfs，并带 nodev、nosuid、noexec 挂载选项",
        en="/tmp is a separate partition or tmpfs mounted nodev, nosuid, noexec",
    ),
    remediation=Text(
        zh="启用 tmp.mount（systemctl enable --now tmp.mount）或在 /etc/fstab 中加入：tmpfs /tmp tmpfs defaults,rw,nosuid,nodev,noexec,relatime,size=2G 0 0，然后 mount -o remount /tmp。",
        en="Enable tmp.mount (systemctl enable --now tmp.mount) or add to /etc/fstab: tmpfs /tmp tmpfs defaults,rw,nosuid,nodev,noexec,relatime,size=2G 0 0, then mount -o remount /tmp",
    ),
    severity=Severity.MEDIUM,
    mlps=("L3-CES1-09", "L3-CES1-23"),
    domains=(InsurerDomain.HARDENING,),
    needs=(MOUNTS,),
    params={"required_options": SAFE_OPTIONS},
    basis="nodev/nosuid/noexec on /tmp limit set-uid and device abuse and keep dropped payloads from running (8.1.4.2 e, 8.1.4.5 a).",
)
def tmp_mount(ev: EvidenceView, p: Params) -> Verdict:
    """Exploit droppers favour /tmp; noexec and nosuid there break many of them."""
    return _mount_verdict(ev, TMP, list(p["required_options"]), "fail")


@check(
    id="LNX-FS-007",
    title=Text(zh="/dev/shm 挂载时带 nodev、nosuid、noexec 选项", en="/dev/shm is mounted nodev, nosuid, noexec"),
    remediation=Text(
        zh="在 /etc/fstab 中加入：tmpfs /dev/shm tmpfs defaults,rw,nosuid,nodev,noexec,relatime 0 0，然后 mount -o remount /dev/shm。",
        en="Add to /etc/fstab: tmpfs /dev/shm tmpfs defaults,rw,nosuid,nodev,noexec,relatime 0 0, then mount -o remount /dev/shm",
    ),
    severity=Severity.LOW,
    mlps=("L3-CES1-09", "L3-CES1-23"),
    domains=(InsurerDomain.HARDENING,),
    needs=(MOUNTS,),
    basis="As LNX-FS-006 for /tmp: nodev, nosuid and noexec on /dev/shm stop set-uid abuse and payloads run from shared memory (8.1.4.2 e, 8.1.4.5 a).",
)
def shm_mount(ev: EvidenceView, p: Params) -> Verdict:
    return _mount_verdict(ev, DEV_SHM, SAFE_OPTIONS, "na")


# -- world-writable ------------------------------------------------------------

# Shared by LNX-FS-008 and LNX-FS-009.
SCAN_TRUNCATED = message(
    "LNX-FS/scan-truncated",
    en="the bounded scan stopped early; re-check by hand with find",
    zh="有界扫描提前停止，需用 find 人工核查",
)
SCAN_SKIPPED = message(
    "LNX-FS/scan-skipped",
    en="the scan could not read {count} path(s); re-check them by hand with find as root",
    zh="扫描无法读取 {count} 个路径，需以 root 身份用 find 人工核查",
)


def _incomplete_walk(walk: WalkFacts) -> Optional[Verdict]:
    """A walk that stopped early or could not enter some paths cannot vouch for a clean result."""
    skipped = walk.get("skipped_count", 0)  # .get: a walk without the skip fields counts as complete
    if walk["truncated"]:
        return Verdict.manual(SCAN_TRUNCATED(), scanned=walk["scanned"], skipped=skipped)
    if skipped:
        return Verdict.manual(
            SCAN_SKIPPED(count=skipped),
            scanned=walk["scanned"],
            skipped=list(walk.get("skipped", [])),
        )
    return None


NO_STICKY = message(
    "LNX-FS-008/no-sticky",
    en="world-writable without sticky bit: {directories}",
    zh="以下全局可写目录未设置粘滞位：{directories}",
)
STICKY_OK = message("LNX-FS-008/ok", en="world-writable directories carry the sticky bit", zh="全局可写目录均设置了粘滞位")


@check(
    id="LNX-FS-008",
    title=Text(zh="所有全局可写目录均设置了粘滞位", en="Every world-writable directory has the sticky bit set"),
    remediation=Text(
        zh="执行 chmod +t /tmp /var/tmp（以及报告中列出的其他目录），并检查是谁去掉了粘滞位。",
        en="Run: chmod +t /tmp /var/tmp (and any other listed directory), and find out what removed the bit",
    ),
    severity=Severity.MEDIUM,
    mlps=("L3-CES1-09", "L3-CES1-10"),
    domains=(InsurerDomain.HARDENING,),
    needs=(WORLD_WRITABLE,),
    basis="The sticky bit is the access rule that stops users deleting each other's files in shared directories (8.1.4.2 e, f).",
)
def sticky_bit(ev: EvidenceView, p: Params) -> Verdict:
    """Without the sticky bit any user can delete or replace other users' temp files."""
    facts = ev.facts(WORLD_WRITABLE)
    bad = sorted(
        path for path, e in facts["temp_dirs"].items() if e["exists"] and e.get("world_writable") and not e.get("sticky")
    )
    bad += list(facts["walk"]["world_writable_dirs_without_sticky"])
    checked = sorted(path for path, e in facts["temp_dirs"].items() if e["exists"])
    if bad:
        return Verdict.fail(NO_STICKY(directories=bad), directories=bad)
    incomplete = _incomplete_walk(facts["walk"])
    if incomplete:
        return incomplete
    return Verdict.ok(STICKY_OK(), checked=checked)


WORLD_WRITABLE_FILES = message(
    "LNX-FS-009/found",
    en="{count} world-writable file(s) under {roots}",
    zh="{roots} 下有 {count} 个全局可写文件",
)
NO_WORLD_WRITABLE_FILES = message(
    "LNX-FS-009/ok", en="no world-writable files among {scanned} entries", zh="在 {scanned} 个条目中未发现全局可写文件"
)


@check(
    id="LNX-FS-009",
    title=Text(
        zh="系统配置与本地程序目录中没有全局可写文件",
        en="No world-writable files in system configuration and local program directories",
    ),
    remediation=Text(
        zh="对报告列出的文件执行 chmod o-w <文件>，并查明来源；可用 find /etc /usr/local -xdev -type f -perm -0002 复查。",
        en="Run chmod o-w <file> on each listed file and find out how it happened; re-check with: find /etc /usr/local -xdev -type f -perm -0002",
    ),
    severity=Severity.HIGH,
    mlps=("L3-CES1-09", "L3-CES1-10"),
    domains=(InsurerDomain.HARDENING, InsurerDomain.PRIVILEGED_ACCESS),
    coverage=(CoverageLine.DATA_BREACH_LIABILITY,),
    needs=(WORLD_WRITABLE,),
    basis="World-writable system files let any user change what others run (8.1.4.2 e, f).",
)
def world_writable_files(ev: EvidenceView, p: Params) -> Verdict:
    """Any local user can rewrite a world-writable file under /etc: a direct path to root."""
    walk = ev.facts(WORLD_WRITABLE)["walk"]
    if walk["world_writable_file_count"]:
        return Verdict.fail(
            WORLD_WRITABLE_FILES(count=walk["world_writable_file_count"], roots=list(walk["roots"])),
            files=walk["world_writable_files"],
            count=walk["world_writable_file_count"],
        )
    incomplete = _incomplete_walk(walk)
    if incomplete:
        return incomplete
    return Verdict.ok(NO_WORLD_WRITABLE_FILES(scanned=walk["scanned"]), scanned=walk["scanned"], roots=walk["roots"])


@check(
    id="LNX-FS-010",
    title=Text(zh="/var/log 属主为 root 且权限不宽于 0755", en="/var/log is owned by root and no more permissive than 0755"),
    remediation=Text(
        zh="执行 chown root:root /var/log && chmod 0755 /var/log（CIS 建议 0750 时可用 chmod 0750 /var/log）。",
        en="Run: chown root:root /var/log && chmod 0755 /var/log (or 0750 where the CIS level applies)",
    ),
    severity=Severity.MEDIUM,
    mlps=("L3-CES1-14",),
    domains=(InsurerDomain.LOGGING, InsurerDomain.AUDIT_INTEGRITY),
    coverage=(CoverageLine.INCIDENT_RESPONSE,),
    needs=(FILE_PERMS,),
    params={"max_mode": "0755"},
    basis="Ownership and mode of /var/log protect audit records from change (8.1.4.3 c).",
)
def var_log_perms(ev: EvidenceView, p: Params) -> Verdict:
    """A writable log directory lets an intruder delete or forge the trail."""
    # Group ownership varies (syslog, adm on Ubuntu), so only the owner is fixed.
    return _judge_files(ev, {VAR_LOG: int(str(p["max_mode"]), 8)}, None, required=(VAR_LOG,))


# -- banners -------------------------------------------------------------------


def _present(files: Mapping[str, BannerFileFacts], path: str) -> bool:
    f = files.get(path)
    return f is not None and f["present"]


# The leaks as the collector names them, by file: "/etc/issue: debian, gnu/linux; /etc/issue.net: \\r".
BANNER_LEAKS = message(
    "LNX-BNR-001/leaks", en="banner reveals OS details: {leaks}", zh="登录前提示信息泄露了操作系统信息：{leaks}"
)
BANNER_OK = message("LNX-BNR-001/ok", en="banners carry no OS details", zh="登录前提示信息不含操作系统信息")


@check(
    id="LNX-BNR-001",
    title=Text(zh="登录前提示信息不泄露操作系统版本", en="Pre-login banners do not reveal the operating system or version"),
    remediation=Text(
        zh="将 /etc/issue 与 /etc/issue.net 改写为不含 \\r \\s \\v \\m 转义符和发行版名称的警示语，例如：echo 'Authorized users only. All activity may be monitored and reported.' > /etc/issue.net",
        en="Rewrite /etc/issue and /etc/issue.net without the \\r \\s \\v \\m escapes or distribution names, e.g.: echo 'Authorized users only. All activity may be monitored and reported.' > /etc/issue.net",
    ),
    severity=Severity.LOW,
    mlps=("L3-CES1-21",),
    domains=(InsurerDomain.EXPOSURE, InsurerDomain.HARDENING),
    needs=(BANNER,),
    basis="No clause asks to hide versions; a banner naming the OS only helps match known vulnerabilities (8.1.4.4 e). Supporting evidence.",
)
def banner_no_os_info(ev: EvidenceView, p: Params) -> Verdict:
    """Version strings in a banner save an attacker a fingerprinting step."""
    files = ev.facts(BANNER)["files"]
    leaks: Dict[str, List[str]] = {}
    for path in PRE_LOGIN_BANNERS:
        f = files.get(path)
        if f is not None and f["present"]:
            found = list(f.get("os_escapes", [])) + list(f.get("os_names", []))
            if found:
                leaks[path] = found
    if leaks:
        # One string, not a list: each file's own list is joined by ", " already.
        shown = "; ".join(f"{k}: {', '.join(v)}" for k, v in leaks.items())
        return Verdict.fail(BANNER_LEAKS(leaks=shown), leaks=leaks)
    present = [k for k in PRE_LOGIN_BANNERS if _present(files, k)]
    return Verdict.ok(BANNER_OK(), banners=present)
