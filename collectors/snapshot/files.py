"""One file as a snapshot records it: metadata, sha256, and its text when it may be copied.

The record has the same keys for every file, so two snapshots compare path
by path: ``type``, ``mode``, ``uid``, ``gid``, ``size``, ``mtime_ns``,
``ctime_ns``, ``sha256`` (regular files), ``target`` (links), ``text`` (the
copy, cleaned) or ``withheld`` (why there is no copy), and ``redactions``.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Set, Tuple

from collectors.evidence import CollectError
from collectors.host.credentials import Syntax
from collectors.snapshot.model import Builder, clean
from collectors.snapshot.secrets import copy_text, secret_reason
from collectors.snapshot.session import Session

FileRecord = Dict[str, Any]


class Copier:
    """Copies the files of one artefact, within its text budget."""

    def __init__(self, s: Session, b: Builder) -> None:
        self.s = s
        self.b = b
        self.copied = 0
        self.records: List[FileRecord] = []
        self.tops: Set[Tuple[int, int]] = set()  # directories walked, by device and inode

    def add(self, path: str, *, copy: bool = True, syntax: Syntax = "conf", missing_ok: bool = True) -> Optional[FileRecord]:
        """Record ``path`` (None, and nothing recorded, when it does not exist and ``missing_ok``)."""
        rec = record(self.s, self.b, path, copy=copy and self.copied < self.s.limits.artefact_text_bytes, syntax=syntax)
        if rec is None:
            if not missing_ok:
                self.records.append({"path": clean(path), "type": "missing"})
            return None
        if copy and not {"text", "withheld", "error"} & set(rec) and rec.get("type") == "file":
            rec["withheld"] = f"the copy limit of this artefact ({self.s.limits.artefact_text_bytes >> 20} MiB) was reached"
            self.b.limit(f"copies stopped at {self.s.limits.artefact_text_bytes >> 20} MiB of text; later files by sha256 only")
        self.copied += len(rec.get("text", ""))
        self.records.append(rec)
        return rec

    def sorted(self) -> List[FileRecord]:
        seen: Dict[str, FileRecord] = {}
        for rec in self.records:
            seen.setdefault(rec["path"], rec)
        return [seen[p] for p in sorted(seen)]


def record(s: Session, b: Builder, path: str, *, copy: bool = True, syntax: Syntax = "conf") -> Optional[FileRecord]:
    """The record of one path; None if it does not exist. What cannot be read is a gap and an ``error`` key."""
    r = s.reader
    try:
        meta = r.meta(path)
    except CollectError as exc:
        b.gap(path, exc.message)
        return {"path": clean(path), "type": "unknown", "error": exc.message}
    if meta is None:
        return None
    b.source(path)
    rec: FileRecord = {"path": clean(path), **meta.record()}
    if meta.kind == "symlink":
        target = r.link_target(path)
        rec["target"] = clean(target) if target is not None else None
        return rec
    if meta.kind != "file":
        return rec
    secret = secret_reason(path)
    try:
        got = r.read(path, s.limits.copy_bytes if copy and secret is None else 0)
    except CollectError as exc:
        b.gap(path, exc.message)
        rec["error"] = exc.message
        return rec
    if got is None:
        return None
    rec["sha256"] = got.sha256
    if secret is None:
        secret = secret_reason(path, got.data[:65536])
    if secret is not None:
        rec["withheld"] = secret
    elif not copy:
        pass
    elif got.truncated:
        rec["withheld"] = f"larger than {s.limits.copy_bytes >> 10} KiB: recorded by sha256 only"
    else:
        text, count, why = copy_text(got.data, s.scrub, syntax)
        if text is None:
            rec["withheld"] = why
        else:
            rec["text"] = text
            if count:
                rec["redactions"] = count
                b.redactions += count
    return rec
