"""One snapshot in progress: the reader, the redaction pass, the clock, the limits and the host's users.

The limits are the snapshot's budgets. The defaults fit a busy server on a
small machine: 60 s in all and 64 MiB of artefacts; the per-item caps keep
one hostile file (a 10 GiB log, a directory of a million entries) from
spending the budget of everything after it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Dict, List, Optional

from collectors.evidence import CollectError
from collectors.snapshot.model import Builder, Scrub
from collectors.snapshot.reader import SnapshotReader

DEFAULT_TIME_S = 60
DEFAULT_MAX_MIB = 64


@dataclass(frozen=True)
class Limits:
    """Budgets of one snapshot: the whole and each kind of item."""

    time_s: int = DEFAULT_TIME_S
    max_bytes: int = DEFAULT_MAX_MIB * 1024 * 1024  # all artefacts together
    copy_bytes: int = 256 * 1024  # one copied text file
    artefact_text_bytes: int = 8 * 1024 * 1024  # copied text in one artefact
    log_bytes: int = 2 * 1024 * 1024  # the window kept of one log
    log_lines: int = 10_000
    login_records: int = 1_000  # the last wtmp and btmp records
    timeline_entries: int = 200_000
    walk_entries: int = 1_000_000  # entries looked at by the set-id walk
    hash_bytes: int = 512 * 1024 * 1024  # one file hashed
    gaps_listed: int = 500  # per artefact; the rest are counted


@dataclass(frozen=True)
class User:
    """A passwd(5) entry, as far as a snapshot needs it."""

    name: str
    uid: int
    gid: int
    home: str
    shell: str


@dataclass
class Session:
    reader: SnapshotReader
    scrub: Scrub
    now: Callable[[], str]
    limits: Limits
    users: List[User]

    def builder(self, name: str) -> Builder:
        return Builder(name, self.now, max_gaps=self.limits.gaps_listed)

    def user_name(self, uid: Optional[int]) -> Optional[str]:
        if uid is None:
            return None
        return self._names().get(uid)

    def _names(self) -> Dict[int, str]:
        names: Dict[int, str] = {}
        for u in self.users:
            names.setdefault(u.uid, u.name)
        return names

    def homes(self) -> List[User]:
        """Users with a home directory worth looking in (one entry per directory, the first user named)."""
        seen: Dict[str, User] = {}
        for u in self.users:
            if u.home.startswith("/") and u.home not in ("/", "/nonexistent", "/dev/null") and u.home not in seen:
                seen[u.home] = u
        return [seen[h] for h in sorted(seen)]


def parse_users(text: str) -> List[User]:
    """passwd(5) entries; a malformed line is skipped here (the accounts artefact names it), never fatal."""
    users: List[User] = []
    for raw in text.splitlines():
        fields = raw.strip().split(":")
        if len(fields) != 7 or not fields[0] or fields[0][0] in "#+-":
            continue
        try:
            users.append(User(fields[0], int(fields[2]), int(fields[3]), fields[5], fields[6]))
        except ValueError:
            continue
    return users


def read_users(reader: SnapshotReader, b: Optional[Builder] = None) -> List[User]:
    try:
        got = reader.read("/etc/passwd", 4 * 1024 * 1024)
    except CollectError as exc:
        if b is not None:
            b.gap("/etc/passwd", exc.message)
        return []
    return parse_users(got.data.decode("utf-8", "replace")) if got is not None else []
