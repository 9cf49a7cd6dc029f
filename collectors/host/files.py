"""File ownership and modes, mount options, world-writable paths, login banners.

Each collector covers one concern, so an unreadable ``/proc/self/mounts``
does not hide the permission facts and the other way round. Only modes,
owners and flags are kept; never file contents.
"""

from __future__ import annotations

import re
import time
from typing import Dict, List, Optional, Tuple, TypedDict

from collectors.context import FileStat, HostReader, runtime_only
from collectors.evidence import CollectError, ErrorReason, NotApplicable
from collectors.facts import CollectedFacts, FactsKey
from collectors.registry import collector

# -- facts shapes --------------------------------------------------------------


class _PathExists(TypedDict):
    exists: Optional[bool]  # None: the path could not be stat'ed (``error`` says why)


class PathFacts(_PathExists, total=False):
    """One path's owner and mode; just ``exists`` when it is absent (and ``error`` when it cannot be stat'ed)."""

    mode: str  # four octal digits, e.g. "0640"
    uid: int
    gid: int
    is_dir: bool
    error: str


class FilePermsFacts(CollectedFacts):
    files: Dict[str, PathFacts]  # every one of CRITICAL_FILES, by path
    grub_cfg: Optional[str]  # the first of GRUB_CFG_PATHS that exists


class MountEntryFacts(TypedDict):
    """One line of the mount table."""

    device: str
    mountpoint: str
    fstype: str
    options: List[str]


class MountFacts(TypedDict):
    device: str
    fstype: str
    options: List[str]


class MountsFacts(CollectedFacts):
    mounts: Dict[str, MountFacts]  # the mounted ones of WATCHED_MOUNTS, by mount point
    count: int
    source: str


class TempDirFacts(PathFacts, total=False):
    world_writable: bool  # both absent when the directory does not exist
    sticky: bool


class WalkFacts(TypedDict):
    roots: List[str]
    scanned: int
    truncated: bool
    skipped_count: int
    skipped: List[str]
    world_writable_files: List[str]
    world_writable_file_count: int
    world_writable_dirs_without_sticky: List[str]
    world_writable_dir_count: int


class WorldWritableFacts(CollectedFacts):
    temp_dirs: Dict[str, TempDirFacts]  # every one of STICKY_DIRS, by path
    walk: WalkFacts


class _BannerPresent(TypedDict):
    present: bool


class BannerFileFacts(_BannerPresent, total=False):
    """Flags about one banner file; just ``present`` when the file does not exist."""

    empty: bool
    os_escapes: List[str]
    os_names: List[str]
    has_warning: bool


class BannerFacts(CollectedFacts):
    files: Dict[str, BannerFileFacts]  # every one of BANNER_FILES, by path


FILE_PERMS = FactsKey[FilePermsFacts]("host.file_perms", FilePermsFacts)
MOUNTS = FactsKey[MountsFacts]("host.mounts", MountsFacts)
WORLD_WRITABLE = FactsKey[WorldWritableFacts]("host.world_writable", WorldWritableFacts)
BANNER = FactsKey[BannerFacts]("host.banner", BannerFacts)

# -- the paths looked at; checks import these names, never spell the paths ------

PASSWD = "/etc/passwd"  # noqa: S105 - a path, not a password
SHADOW = "/etc/shadow"
GROUP = "/etc/group"
GSHADOW = "/etc/gshadow"
# Backups written by shadow-utils: same secrets, often forgotten.
PASSWD_BACKUP = PASSWD + "-"
SHADOW_BACKUP = SHADOW + "-"
GROUP_BACKUP = GROUP + "-"
GSHADOW_BACKUP = GSHADOW + "-"
SUDOERS = "/etc/sudoers"
CRONTAB = "/etc/crontab"
CRON_DIRS: Tuple[str, ...] = ("/etc/cron.hourly", "/etc/cron.daily", "/etc/cron.weekly", "/etc/cron.monthly", "/etc/cron.d")
GRUB_CFG_PATHS: Tuple[str, ...] = ("/boot/grub/grub.cfg", "/boot/grub2/grub.cfg")
VAR_LOG = "/var/log"

CRITICAL_FILES: Tuple[str, ...] = (
    PASSWD,
    SHADOW,
    GROUP,
    GSHADOW,
    PASSWD_BACKUP,
    SHADOW_BACKUP,
    GROUP_BACKUP,
    GSHADOW_BACKUP,
    SUDOERS,
    CRONTAB,
    *CRON_DIRS,
    *GRUB_CFG_PATHS,
    VAR_LOG,
)

TMP = "/tmp"  # noqa: S108 - inspected, not written
VAR_TMP = "/var/tmp"  # noqa: S108 - inspected, not written
DEV_SHM = "/dev/shm"  # noqa: S108 - inspected, not written

# Mount points whose options the checks judge. Others are only counted.
WATCHED_MOUNTS: Tuple[str, ...] = ("/", "/boot", TMP, "/var", VAR_TMP, VAR_LOG, "/var/log/audit", "/home", DEV_SHM)

STICKY_DIRS: Tuple[str, ...] = (TMP, VAR_TMP, DEV_SHM)

# The bounded walk: system configuration and locally installed programs.
WALK_ROOTS: Tuple[str, ...] = ("/etc", "/usr/local/bin", "/usr/local/sbin")
WALK_MAX_ENTRIES = 20000
WALK_MAX_DEPTH = 6
WALK_MAX_SECONDS = 1
WALK_MAX_LISTED = 50


def stat_entry(st: Optional[FileStat]) -> PathFacts:
    """A stat result reduced to JSON facts; absent paths are facts too."""
    if st is None:
        return {"exists": False}
    return {"exists": True, "mode": format(st.mode, "04o"), "uid": st.uid, "gid": st.gid, "is_dir": st.is_dir}


@collector(FILE_PERMS, "Ownership and modes of account, cron, boot-loader and log paths")
def collect_file_perms(host: HostReader) -> FilePermsFacts:
    files: Dict[str, PathFacts] = {}
    for path in CRITICAL_FILES:
        try:
            files[path] = stat_entry(host.stat(path))
        except CollectError as exc:
            files[path] = {"exists": None, "error": exc.message}
    grub = next((p for p in GRUB_CFG_PATHS if files[p].get("exists")), None)
    return {"files": files, "grub_cfg": grub, "_method": "stat"}


# -- mounts --------------------------------------------------------------------

_OCTAL_ESCAPE = re.compile(r"\\([0-7]{3})")


def unescape_mount_field(field: str) -> str:
    """Undo the octal escapes the kernel uses for spaces, tabs and backslashes."""
    return _OCTAL_ESCAPE.sub(lambda m: chr(int(m.group(1), 8)), field)


def parse_mounts(text: str, source: str) -> List[MountEntryFacts]:
    """Parse ``/proc/self/mounts`` (fstab format). Malformed lines raise, naming the file."""
    out: List[MountEntryFacts] = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        parts = line.split()
        if len(parts) < 4 or not parts[1].startswith("/"):
            raise CollectError(ErrorReason.MALFORMED, f"{source}: line {n}: not a mount entry (device mountpoint type options)")
        out.append(
            {
                "device": unescape_mount_field(parts[0]),
                "mountpoint": unescape_mount_field(parts[1]),
                "fstype": parts[2],
                "options": parts[3].split(","),
            }
        )
    return out


@collector(MOUNTS, "Mounted filesystems and the options of /tmp, /var, /home, /dev/shm and friends")
def collect_mounts(host: HostReader) -> MountsFacts:
    if host.offline_root:
        # What is mounted, with which options, is decided at boot (fstab, systemd's own mounts such as /dev/shm).
        raise NotApplicable(runtime_only("the mount table"))
    source = "/proc/self/mounts"
    text = host.read_text(source)
    if text is None:
        source = "/proc/mounts"
        text = host.read_text(source)
    if text is None:
        raise CollectError(ErrorReason.NOT_FOUND, "neither /proc/self/mounts nor /proc/mounts exists (procfs not mounted?)")
    entries = parse_mounts(text, source)
    if not entries:
        raise CollectError(ErrorReason.MALFORMED, f"{source}: no mount entries")
    watched: Dict[str, MountFacts] = {}
    for entry in entries:  # a later mount on the same point hides the earlier one
        mp = entry["mountpoint"]
        if mp in WATCHED_MOUNTS:
            watched[mp] = {"device": entry["device"], "fstype": entry["fstype"], "options": entry["options"]}
    return {"mounts": watched, "count": len(entries), "source": source, "_method": "files"}


# -- world-writable ------------------------------------------------------------


def _walk(host: HostReader) -> WalkFacts:
    """Bounded, no-symlink walk for world-writable files and non-sticky world-writable dirs."""
    deadline = time.monotonic() + WALK_MAX_SECONDS
    scanned = 0
    truncated = False
    files: List[str] = []
    dirs: List[str] = []
    # Paths the walk could not look into: a clean result is only as good as the coverage.
    skipped: List[str] = []
    stack: List[Tuple[str, int]] = [(r, 0) for r in reversed(WALK_ROOTS)]
    while stack:
        path, depth = stack.pop()
        if scanned >= WALK_MAX_ENTRIES or time.monotonic() > deadline:
            truncated = True
            break
        try:
            names = host.listdir(path)
        except CollectError:
            skipped.append(path)  # an unreadable directory is skipped, not fatal, but counted
            continue
        for name in reversed(names):
            child = path.rstrip("/") + "/" + name
            scanned += 1
            try:
                st = host.stat(child)
            except CollectError:
                skipped.append(child)
                continue
            if st is None or st.is_symlink:
                continue
            if st.is_dir:
                if st.mode & 0o002 and not st.mode & 0o1000:
                    dirs.append(child)
                if depth + 1 < WALK_MAX_DEPTH:
                    stack.append((child, depth + 1))
            elif st.mode & 0o002:
                files.append(child)
    return {
        "roots": list(WALK_ROOTS),
        "scanned": scanned,
        "truncated": truncated,
        "skipped_count": len(skipped),
        "skipped": skipped[:WALK_MAX_LISTED],
        "world_writable_files": sorted(files)[:WALK_MAX_LISTED],
        "world_writable_file_count": len(files),
        "world_writable_dirs_without_sticky": sorted(dirs)[:WALK_MAX_LISTED],
        "world_writable_dir_count": len(dirs),
    }


@collector(
    WORLD_WRITABLE, "Sticky bit on shared temp dirs and a bounded scan of /etc and /usr/local for world-writable files"
)
def collect_world_writable(host: HostReader) -> WorldWritableFacts:
    temp: Dict[str, TempDirFacts] = {}
    for path in STICKY_DIRS:
        st = host.stat(path)
        if st is None:
            temp[path] = {"exists": False}
        else:
            temp[path] = {**stat_entry(st), "world_writable": bool(st.mode & 0o002), "sticky": bool(st.mode & 0o1000)}
    return {"temp_dirs": temp, "walk": _walk(host), "_method": "stat"}


# -- login banners -------------------------------------------------------------

ISSUE = "/etc/issue"
ISSUE_NET = "/etc/issue.net"
# Shown before login, on the console and to network logins.
PRE_LOGIN_BANNERS: Tuple[str, ...] = (ISSUE, ISSUE_NET)
BANNER_FILES: Tuple[str, ...] = (*PRE_LOGIN_BANNERS, "/etc/motd")
# agetty escapes that print the OS name, release, version or machine type.
_OS_ESCAPES = re.compile(r"\\[rsvmS]")
_OS_NAMES = (
    "debian",
    "ubuntu",
    "centos",
    "red hat",
    "rhel",
    "rocky",
    "almalinux",
    "fedora",
    "openeuler",
    "kylin",
    "uos",
    "anolis",
    "suse",
    "gnu/linux",
)
_WARNING_WORDS = ("authori", "unauthori", "monitor", "prohibited", "授权", "禁止", "监控")


def banner_facts(text: str, os_id: str) -> BannerFileFacts:
    """Flags about a banner's content: whether it leaks the OS, whether it warns."""
    low = text.lower()
    names = [n for n in _OS_NAMES if re.search(r"(?<![a-z])" + re.escape(n) + r"(?![a-z])", low)]
    if os_id and os_id not in names and re.search(r"(?<![a-z])" + re.escape(os_id) + r"(?![a-z])", low):
        names.append(os_id)
    return {
        "present": True,
        "empty": not text.strip(),
        "os_escapes": sorted(set(_OS_ESCAPES.findall(text))),
        "os_names": names,
        "has_warning": any(w in low for w in _WARNING_WORDS),
    }


@collector(BANNER, "Pre-login banners: do they reveal the OS, do they warn")
def collect_banner(host: HostReader) -> BannerFacts:
    os_id = ""
    try:
        rel = host.read_text("/etc/os-release") or ""
    except CollectError:
        rel = ""
    m = re.search(r"^ID=\"?([A-Za-z0-9._-]+)", rel, re.M)
    if m:
        os_id = m.group(1).lower()
    files: Dict[str, BannerFileFacts] = {}
    for path in BANNER_FILES:
        text = host.read_text(path)
        files[path] = {"present": False} if text is None else banner_facts(text, os_id)
    return {"files": files, "_method": "files"}
