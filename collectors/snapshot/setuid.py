"""Set-user-ID and set-group-ID files under the system directories and where anyone can write.

A set-id copy of a shell in ``/var/tmp`` or a new set-id binary in
``/usr/local/bin`` is a way back to root. The walk stays on each
directory's own file system, never follows links, and stops at its entry
and time limits (what it did not reach is said).
"""

from __future__ import annotations

from typing import Any, Dict, Iterator, List

from collectors.evidence import CollectError
from collectors.snapshot.model import Artefact, clean
from collectors.snapshot.session import Session

SETID_ROOTS = (
    "/usr",
    "/bin",
    "/sbin",
    "/lib",
    "/lib32",
    "/lib64",
    "/libx32",
    "/opt",
    "/etc",
    "/boot",
    "/srv",
    "/var",
    "/tmp",  # noqa: S108 - looked at, never written: anyone can drop a set-id file here
    "/dev/shm",  # noqa: S108
)


def setuid(s: Session) -> Iterator[Artefact]:
    b = s.builder("persistence/setuid")
    r = s.reader
    found: List[Dict[str, Any]] = []
    looked = 0
    complete = True
    for top in SETID_ROOTS:
        b.source(top)
        for path, st in r.walk(top, b.gap):
            looked += 1
            if looked > s.limits.walk_entries:
                b.limit(f"the walk stopped after {s.limits.walk_entries} entries; {top} and what follows were not all looked at")
                complete = False
                break
            if looked % 512 == 0 and r.expired():
                b.limit(f"the walk stopped at {clean(path)}: the time budget was spent")
                complete = False
                break
            meta = r.meta_of(path, st)
            if not meta.setid:
                continue
            entry: Dict[str, Any] = {"path": clean(path), **meta.record()}
            entry["setuid"] = bool(meta.mode & 0o4000)
            entry["setgid"] = bool(meta.mode & 0o2000)
            entry["owner"] = s.user_name(meta.uid)
            try:
                d = r.digest(path, max_bytes=s.limits.hash_bytes)
                entry["sha256"] = d.sha256 if d is not None else None
            except CollectError as exc:
                entry["sha256"] = None
                b.gap(path, exc.message)
            found.append(entry)
        if not complete:
            break
    found.sort(key=lambda e: e["path"])
    yield b.json({"files": found, "roots": list(SETID_ROOTS), "entries_looked_at": looked, "complete": complete}, len(found))
