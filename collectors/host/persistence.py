"""Persistence baseline: cron jobs, SSH authorized keys, ld.so.preload and rc.local, as evidence only.

No check judges these facts. They are in every report so that a claim can
tell, against a post-incident snapshot (``riskagent snapshot``), which cron
job, authorized key or boot hook was added after the assessment: without a
baseline an intruder's entry and the administrator's look alike.

Secrets stay out: a cron command is recorded by its sha256 only (commands
carry passwords and tokens), a key by its type and SHA256 fingerprint as
``ssh-keygen -l`` prints it, with whether it has options (never the options,
``command="..."`` may hold a password) and its comment (public by nature).
The parsing follows the snapshot's (``collectors.snapshot.persistence`` and
``.keys``) so both sides of a comparison name an item alike; it is repeated
here rather than imported because this collector runs in every scan and the
snapshot modules cost ten times its own import time.

A few small files: the cron tables, the scripts of ``/etc/cron.{hourly,...}``
by hash, each account's ``authorized_keys`` (the files ``AuthorizedKeysFile``
names), and the two boot hooks.
"""

from __future__ import annotations

import binascii
import re
from typing import Dict, List, Optional, Tuple, TypedDict

from collectors.context import HostReader
from collectors.digest import sha256, sha256_hex
from collectors.evidence import CollectError
from collectors.facts import CollectedFacts, FactsKey
from collectors.registry import collector

CRON_SYSTEM_TABLES = ("/etc/crontab",)
CRON_SYSTEM_DIRS = ("/etc/cron.d",)  # tables with a user field
CRON_USER_DIRS = ("/var/spool/cron/crontabs", "/var/spool/cron")  # Debian; RHEL keeps the tables in /var/spool/cron
CRON_SCRIPT_DIRS = ("/etc/cron.hourly", "/etc/cron.daily", "/etc/cron.weekly", "/etc/cron.monthly", "/etc/cron.yearly")
BOOT_FILES = ("/etc/ld.so.preload", "/etc/rc.local", "/etc/rc.d/rc.local")
SSHD_CONFIG = "/etc/ssh/sshd_config"
DEFAULT_KEY_FILES = (".ssh/authorized_keys", ".ssh/authorized_keys2")
MAX_KEY_LINES = 10_000
MAX_INCLUDE_DEPTH = 4

_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\s*=")
_KEY_TYPE = re.compile(r"^(?:ssh-|ecdsa-|sk-)[A-Za-z0-9@._-]{2,80}$")
_BASE64 = re.compile(r"^[A-Za-z0-9+/]+={0,2}$")
_SSHD_LINE = re.compile(r"^([A-Za-z]+)(?:\s*=\s*|\s+)(.*)$")


class CronFile(TypedDict):
    """A cron table or a script of a cron.{hourly,...} directory; sha256 None when it could not be read."""

    path: str
    kind: str  # "table" or "script"
    sha256: Optional[str]


class CronEntry(TypedDict):
    """One job: never the command, only its sha256 (of the text after the schedule and user fields)."""

    file: str
    line: int
    schedule: str
    user: Optional[str]  # the user field of /etc/crontab and /etc/cron.d; a user's own table: its owner (the file name)
    command_sha256: str


class KeyFile(TypedDict):
    user: str
    path: str
    sha256: str


class AuthorizedKey(TypedDict):
    user: str
    file: str
    line: int
    type: str
    fingerprint: str  # SHA256:<base64>, as ssh-keygen -l prints it
    options: bool  # the line has options (from=, command=, ...); they are not recorded
    comment: Optional[str]


class BootFile(TypedDict):
    path: str
    sha256: Optional[str]  # None: absent (or unreadable: see ``unreadable``)


class Malformed(TypedDict):
    file: str
    line: int  # 0: the whole file (binary content)


class Unreadable(TypedDict):
    path: str
    reason: str


class PersistenceFacts(CollectedFacts):
    """host.persistence: the baseline a post-incident snapshot is compared with (no check reads it)."""

    cron_files: List[CronFile]
    cron_entries: List[CronEntry]
    key_file_patterns: List[str]  # AuthorizedKeysFile (sshd's default when not set)
    key_files: List[KeyFile]
    authorized_keys: List[AuthorizedKey]
    boot_files: List[BootFile]
    malformed: List[Malformed]  # cron and authorized_keys lines that could not be parsed
    unreadable: List[Unreadable]


PERSISTENCE = FactsKey[PersistenceFacts]("host.persistence", PersistenceFacts)


# ------------------------------------------------------------------------------------------ parsing


def cron_jobs(path: str, text: str, table_user: Optional[str]) -> Tuple[List[CronEntry], List[Malformed]]:
    """The jobs of one cron table. ``table_user`` None: a system table, whose lines name the user."""
    entries: List[CronEntry] = []
    bad: List[Malformed] = []
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#") or _ASSIGNMENT.match(line):
            continue
        sched_len = 1 if line.startswith("@") else 5
        want = sched_len + (1 if table_user is None else 0)
        parts = line.split(None, want)
        if len(parts) <= want:
            bad.append({"file": path, "line": n})
            continue
        user = parts[sched_len] if table_user is None else table_user
        command = parts[-1]
        entries.append(
            {
                "file": path,
                "line": n,
                "schedule": " ".join(parts[:sched_len]),
                "user": user,
                "command_sha256": sha256_hex(command.encode("utf-8", "surrogateescape")),
            }
        )
    return entries, bad


def fingerprint(blob: bytes) -> str:
    """OpenSSH's SHA256 fingerprint of a public key blob."""
    h = sha256()
    h.update(blob)
    return "SHA256:" + binascii.b2a_base64(h.digest(), newline=False).decode("ascii").rstrip("=")


def _split_first(line: str) -> Tuple[str, str]:
    """The first field (double quotes keep blanks inside it, as sshd reads options) and the rest."""
    quoted = False
    i = 0
    while i < len(line):
        ch = line[i]
        if ch == "\\" and quoted:
            i += 2
            continue
        if ch == '"':
            quoted = not quoted
        elif ch in " \t" and not quoted:
            break
        i += 1
    return line[:i], line[i:].strip()


def _blob_type(blob: bytes) -> Optional[str]:
    if len(blob) < 4:
        return None
    n = int.from_bytes(blob[:4], "big")
    if n > 100 or len(blob) < 4 + n:
        return None
    return blob[4 : 4 + n].decode("ascii", "replace")


def parse_keys(text: str) -> List[Tuple[int, Optional[Tuple[str, str, bool, Optional[str]]]]]:
    """(line, (type, fingerprint, has options, comment)) for each key line; (line, None) for a malformed one."""
    out: List[Tuple[int, Optional[Tuple[str, str, bool, Optional[str]]]]] = []
    for n, raw in enumerate(text.splitlines()[:MAX_KEY_LINES], 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        first, rest = _split_first(line)
        options = False
        if not _KEY_TYPE.match(first):
            options = True
            first, rest = _split_first(rest)
        parts = rest.split(None, 1)
        blob = b""
        if parts and _BASE64.match(parts[0]):
            try:
                blob = binascii.a2b_base64(parts[0])
            except binascii.Error:
                blob = b""
        if not _KEY_TYPE.match(first) or not blob or _blob_type(blob) != first:
            out.append((n, None))
            continue
        out.append((n, (first, fingerprint(blob), options, parts[1] if len(parts) > 1 else None)))
    return out


def _sshd_key_files(host: HostReader, path: str, depth: int, found: List[str], unreadable: List[Unreadable]) -> bool:
    """Follow sshd_config in order, Include in place, until the first AuthorizedKeysFile (True) or a Match block."""
    try:
        text = host.read_text(path)
    except CollectError as exc:
        unreadable.append({"path": path, "reason": exc.message})
        return False
    for raw in (text or "").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        m = _SSHD_LINE.match(line)
        if m is None:
            continue
        low, value = m.group(1).lower(), m.group(2)
        if low == "match":
            return False  # what follows applies to some connections only; sshd's global value stands
        if low == "include" and depth < MAX_INCLUDE_DEPTH:
            for pattern in value.split():
                full = pattern if pattern.startswith("/") else f"/etc/ssh/{pattern}"
                for inc in host.glob(full):
                    if _sshd_key_files(host, inc, depth + 1, found, unreadable):
                        return True
        elif low == "authorizedkeysfile":
            found.extend(value.split())
            return True
    return False


def _key_paths(home: str, name: str, uid: int, patterns: List[str]) -> List[str]:
    out = []
    for pattern in patterns:
        if pattern.lower() == "none":
            continue
        p = pattern.replace("%%", "\x00").replace("%h", home).replace("%u", name).replace("%U", str(uid)).replace("\x00", "%")
        out.append(p if p.startswith("/") else f"{home.rstrip('/')}/{p}")
    return out


def _users(host: HostReader, unreadable: List[Unreadable]) -> List[Tuple[str, int, str]]:
    try:
        text = host.read_text("/etc/passwd")
    except CollectError as exc:
        unreadable.append({"path": "/etc/passwd", "reason": exc.message})
        return []
    users = []
    for raw in (text or "").splitlines():
        fields = raw.strip().split(":")
        if len(fields) != 7 or not fields[0] or fields[0][0] in "#+-" or not fields[2].isdigit():
            continue
        users.append((fields[0], int(fields[2]), fields[5]))
    return sorted(users)


# ------------------------------------------------------------------------------------------ collecting


class _Collect:
    def __init__(self, host: HostReader) -> None:
        self.host = host
        self.unreadable: List[Unreadable] = []
        self.malformed: List[Malformed] = []

    def read(self, path: str) -> Tuple[Optional[bytes], bool]:
        """(content, False), (None, False) when absent, (None, True) when it could not be read (listed)."""
        try:
            return self.host.read_bytes(path), False
        except CollectError as exc:
            self.unreadable.append({"path": path, "reason": exc.message})
            return None, True

    def files_in(self, directory: str) -> List[str]:
        """Regular files directly in ``directory`` (links and subdirectories are not what cron runs)."""
        try:
            names = self.host.listdir(directory)
        except CollectError as exc:
            self.unreadable.append({"path": directory, "reason": exc.message})
            return []
        out = []
        for name in names:
            path = f"{directory}/{name}"
            try:
                st = self.host.stat(path)
            except CollectError as exc:
                self.unreadable.append({"path": path, "reason": exc.message})
                continue
            if st is not None and not st.is_dir and not st.is_symlink:
                out.append(path)
        return out

    def cron(self) -> Tuple[List[CronFile], List[CronEntry]]:
        tables: List[Tuple[str, Optional[str]]] = [(p, None) for p in CRON_SYSTEM_TABLES]
        tables += [(p, None) for d in CRON_SYSTEM_DIRS for p in self.files_in(d)]
        tables += [(p, p.rsplit("/", 1)[1]) for d in CRON_USER_DIRS for p in self.files_in(d)]
        files: List[CronFile] = []
        entries: List[CronEntry] = []
        for path, owner in tables:
            data, failed = self.read(path)
            if data is None:
                if failed:
                    files.append({"path": path, "kind": "table", "sha256": None})
                continue
            files.append({"path": path, "kind": "table", "sha256": sha256_hex(data)})
            if b"\x00" in data:
                self.malformed.append({"file": path, "line": 0})  # binary: cron would not read it as a table either
                continue
            jobs, bad = cron_jobs(path, data.decode("utf-8", "backslashreplace"), owner)
            entries += jobs
            self.malformed += bad
        for d in CRON_SCRIPT_DIRS:
            for path in self.files_in(d):
                data, _ = self.read(path)
                files.append({"path": path, "kind": "script", "sha256": None if data is None else sha256_hex(data)})
        files.sort(key=lambda f: f["path"])
        entries.sort(key=lambda e: (e["file"], e["line"]))
        return files, entries

    def keys(self) -> Tuple[List[str], List[KeyFile], List[AuthorizedKey]]:
        patterns: List[str] = []
        if not _sshd_key_files(self.host, SSHD_CONFIG, 0, patterns, self.unreadable):
            patterns = list(DEFAULT_KEY_FILES)
        texts: Dict[str, Optional[bytes]] = {}
        files: List[KeyFile] = []
        keys: List[AuthorizedKey] = []
        for name, uid, home in _users(self.host, self.unreadable):
            if not home.startswith("/"):
                continue
            for path in dict.fromkeys(_key_paths(home, name, uid, patterns)):
                if path not in texts:
                    texts[path] = self.read(path)[0]
                data = texts[path]
                if data is None:
                    continue
                files.append({"user": name, "path": path, "sha256": sha256_hex(data)})
                for line, key in parse_keys(data.decode("utf-8", "backslashreplace")):
                    if key is None:
                        if not any(m["file"] == path and m["line"] == line for m in self.malformed):
                            self.malformed.append({"file": path, "line": line})
                        continue
                    kind, fp, options, comment = key
                    keys.append({"user": name, "file": path, "line": line, "type": kind, "fingerprint": fp, "options": options, "comment": comment})
        files.sort(key=lambda f: (f["user"], f["path"]))
        keys.sort(key=lambda k: (k["user"], k["file"], k["line"]))
        return patterns, files, keys


@collector(PERSISTENCE, "Persistence baseline for a later snapshot: cron jobs (by hash), SSH authorized keys (by fingerprint), ld.so.preload, rc.local")
def collect_persistence(host: HostReader) -> PersistenceFacts:
    c = _Collect(host)
    cron_files, cron_entries = c.cron()
    patterns, key_files, keys = c.keys()
    boot: List[BootFile] = []
    for path in BOOT_FILES:
        data, _ = c.read(path)
        boot.append({"path": path, "sha256": None if data is None else sha256_hex(data)})
    unique = {(u["path"], u["reason"]): u for u in c.unreadable}
    return {
        "_method": "files",
        "cron_files": cron_files,
        "cron_entries": cron_entries,
        "key_file_patterns": patterns,
        "key_files": key_files,
        "authorized_keys": keys,
        "boot_files": boot,
        "malformed": sorted(c.malformed, key=lambda m: (m["file"], m["line"])),
        "unreadable": [unique[k] for k in sorted(unique)],
    }
