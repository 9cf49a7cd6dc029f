"""A file timeline of the system's programs and configuration: path, times, size, mode, owner, sha256.

``mtime`` and ``ctime`` in nanoseconds (a timestamp forged with ``touch``
still leaves ctime, and often a zero fraction), and the sha256 of every
regular file, so a replaced program shows as a changed digest against an
earlier snapshot and as a package mismatch. Files are hashed with md5 too,
in the same read, so the package check that follows reuses them. The walk
never follows links (``/bin`` on a merged-/usr system is listed as the link
it is) and stops at its entry and time limits, saying where.
"""

from __future__ import annotations

from typing import Any, Dict, Iterator, List

from collectors.evidence import CollectError
from collectors.snapshot.model import Artefact, clean
from collectors.snapshot.session import Session

TIMELINE_ROOTS = (
    "/bin",
    "/sbin",
    "/usr/bin",
    "/usr/sbin",
    "/usr/local/bin",
    "/usr/local/sbin",
    "/usr/lib/systemd",
    "/etc",
)


def timeline(s: Session) -> Iterator[Artefact]:
    b = s.builder("timeline/files")
    r = s.reader
    rows: List[Dict[str, Any]] = []
    hashed = 0
    stopped = None
    for top in TIMELINE_ROOTS:
        b.source(top)
        try:
            meta = r.meta(top)
        except CollectError as exc:
            b.gap(top, exc.message)
            continue
        if meta is None:
            continue
        if meta.kind != "dir":
            entry: Dict[str, Any] = {"path": top, **meta.record()}
            if meta.kind == "symlink":
                entry["target"] = clean(r.link_target(top) or "")
            rows.append(entry)
            continue
        for path, st in r.walk(top, b.gap):
            if len(rows) >= s.limits.timeline_entries:
                stopped = f"the timeline stopped at {s.limits.timeline_entries} entries, in {top}"
                break
            m = r.meta_of(path, st)
            row: Dict[str, Any] = {"path": clean(path), **m.record()}
            if m.kind == "symlink":
                target = r.link_target(path)
                row["target"] = clean(target) if target is not None else None
            elif m.kind == "file":
                if r.expired():
                    row["sha256"] = None
                    b.limit("later files listed without sha256: the time budget was spent")
                else:
                    try:
                        d = r.digest(path, md5=True, max_bytes=s.limits.hash_bytes)
                        row["sha256"] = d.sha256 if d is not None else None
                        hashed += 1
                    except CollectError as exc:
                        row["sha256"] = None
                        b.gap(path, exc.message)
            rows.append(row)
        if stopped:
            b.limit(stopped)
            break
    rows.sort(key=lambda e: e["path"])
    doc = {"roots": list(TIMELINE_ROOTS), "files": rows, "hashed": hashed, "complete": stopped is None and not b.cut}
    yield b.json(doc, len(rows))
