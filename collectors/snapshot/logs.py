"""Recent authentication and system log windows, and the login records.

Of each text log the last lines are kept (at most ``log_lines`` lines and
``log_bytes`` bytes, starting at a line boundary), each line cleaned like
every copied text; the journal is read through ``journalctl`` when the
runner allows it (never in offline-root mode: it would read this machine's
journal). The binary login records are decoded: the last wtmp
entries (logins, logouts, reboots) and the last btmp entries (failed
logins). ``logs/index`` lists every log looked for, present or not, with
its size and times and how much of it the window holds.
"""

from __future__ import annotations

from typing import Any, Dict, Iterator, List, Optional, Tuple

from collectors.context import OFFLINE_ROOT
from collectors.evidence import CollectError
from collectors.runner import ALLOWED_COMMANDS
from collectors.snapshot.model import Artefact, Builder
from collectors.snapshot.secrets import scrub_line
from collectors.snapshot.session import Session
from collectors.snapshot.volatile import UTMP, parse_utmp

# (artefact name, path): authentication first, then the system logs.
TEXT_LOGS: Tuple[Tuple[str, str], ...] = (
    ("logs/auth.log", "/var/log/auth.log"),
    ("logs/secure", "/var/log/secure"),
    ("logs/audit.log", "/var/log/audit/audit.log"),
    ("logs/syslog", "/var/log/syslog"),
    ("logs/messages", "/var/log/messages"),
    ("logs/kern.log", "/var/log/kern.log"),
    ("logs/cron", "/var/log/cron"),
    ("logs/sudo.log", "/var/log/sudo.log"),
)
JOURNAL = ("journalctl", "--no-pager", "--quiet", "--utc", "--output=short-iso", "--since=-24h", "--lines=10000")
JOURNAL_DIRS = ("/var/log/journal", "/run/log/journal")
LOGIN_FILES = (("wtmp", "/var/log/wtmp"), ("btmp", "/var/log/btmp"))


def _window(s: Session, b: Builder, data: bytes) -> Tuple[str, int]:
    lines = data.decode("utf-8", "backslashreplace").splitlines()[-s.limits.log_lines :]
    kept = []
    for raw in lines:
        line, n = scrub_line(raw, s.scrub)
        b.redactions += n
        kept.append(line)
    return "\n".join(kept) + ("\n" if kept else ""), len(kept)


def text_logs(s: Session) -> Iterator[Artefact]:
    index: List[Dict[str, Any]] = []
    ib = s.builder("logs/index")
    for name, path in TEXT_LOGS:
        b = s.builder(name)
        entry: Dict[str, Any] = {"path": path, "artefact": None}
        try:
            got = s.reader.tail(path, s.limits.log_bytes)
        except CollectError as exc:
            ib.gap(path, exc.message)
            entry.update({"present": True, "error": exc.message})
            index.append(entry)
            continue
        if got is None:
            entry["present"] = False
            index.append(entry)
            continue
        data, meta, cut = got
        b.source(path)
        ib.source(path)
        text, lines = _window(s, b, data)
        if cut or lines >= s.limits.log_lines:
            b.limit(f"the last {lines} lines of {meta.size} bytes are kept")
        entry.update({"present": True, **meta.record(), "artefact": name, "window_lines": lines, "whole": not cut and lines < s.limits.log_lines})
        index.append(entry)
        yield b.text(text, lines)
    journal = _journal(s, ib)
    if journal is not None:
        art, entry = journal
        index.append(entry)
        if art is not None:
            yield art
    yield ib.json({"logs": sorted(index, key=lambda e: e["path"])}, len(index))


def _journal(s: Session, ib: Builder) -> Optional[Tuple[Optional[Artefact], Dict[str, Any]]]:
    present = False
    for d in JOURNAL_DIRS:
        try:
            present = present or bool(s.reader.names(d))
        except CollectError as exc:
            ib.gap(d, exc.message)
            present = True
    if not present:
        return None
    entry: Dict[str, Any] = {"path": "journal", "present": True, "artefact": None}
    if s.reader.offline_root:
        why = f"{OFFLINE_ROOT}: the journal was not read: only journalctl reads it, and no command is run over a root file system (it would read this machine's journal)"
        ib.gap("journal", why)
        entry["error"] = why
        return None, entry
    if JOURNAL not in ALLOWED_COMMANDS:
        why = "journalctl is not on the runner's read-only allow-list for this window; the journal was not read"
        ib.gap("journal", why)
        entry["error"] = why
        return None, entry
    b = s.builder("logs/journal")
    b.source(" ".join(JOURNAL))
    chunks: List[bytes] = []
    size = [0]

    def sink(chunk: bytes) -> None:
        if size[0] < s.limits.log_bytes:
            chunks.append(chunk[: s.limits.log_bytes - size[0]])
        size[0] += len(chunk)

    try:
        res = s.reader.stream(JOURNAL, sink, timeout=20.0)
    except CollectError as exc:
        ib.gap("journal", exc.message)
        entry["error"] = exc.message
        return None, entry
    if res.error is not None:
        ib.gap("journal", res.error)
        entry["error"] = res.error
        return None, entry
    text, lines = _window(s, b, b"".join(chunks))
    if size[0] > s.limits.log_bytes:
        b.limit(f"the journal window was cut at {s.limits.log_bytes} bytes")
    entry.update({"artefact": "logs/journal", "window_lines": lines, "whole": size[0] <= s.limits.log_bytes})
    return b.text(text, lines), entry


def logins(s: Session) -> Iterator[Artefact]:
    b = s.builder("logs/logins")
    doc: Dict[str, Any] = {}
    known = {u.name for u in s.users}
    total = 0
    for key, path in LOGIN_FILES:
        try:
            got = s.reader.read_records(path, UTMP.size, s.limits.login_records)
        except CollectError as exc:
            b.gap(path, exc.message)
            doc[key] = {"present": True, "error": exc.message, "records": []}
            continue
        if got is None:
            doc[key] = {"present": False, "records": []}
            continue
        raw, meta = got
        b.source(path)
        records = parse_utmp(raw)
        if key == "btmp":
            for rec in records:
                if rec["user"] and rec["user"] not in known:
                    # a failed login's "user name" is sometimes a password typed one field early
                    rec["user"] = "[not a local account]"
        whole = meta.size <= len(raw)
        doc[key] = {"present": True, **meta.record(), "records": records, "whole": whole}
        if not whole:
            b.limit(f"{path}: the last {len(records)} records are kept")
        total += len(records)
    yield b.json(doc, total)
