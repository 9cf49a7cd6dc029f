"""What a snapshot stage hands on: artefacts with their sources, gaps and cuts, as bytes ready to hash.

An artefact is facts, not prose: JSON with stable keys and lists sorted by
their key (a path, a pid, a port), so two snapshots, or a snapshot and a
report's evidence, can be compared item by item. Text that a host wrote
(a log window) is kept as text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Set, Tuple

JSON_TYPE = "application/json"
TEXT_TYPE = "text/plain; charset=utf-8"

# The redaction pass the agent hands in (report.redact.redact_text): text in, (scrubbed text, replacements) out.
Scrub = Callable[[str], Tuple[str, int]]


@dataclass(frozen=True)
class Gap:
    """Something that could not be read, and why (``permission denied``, ``time budget spent``)."""

    path: str
    reason: str


@dataclass(frozen=True)
class Artefact:
    """One collected artefact: its stable name, its bytes and how they came to be."""

    name: str  # a stable key: "volatile/processes", "persistence/cron"
    media_type: str
    content: bytes
    sources: Tuple[str, ...]  # files, directories, commands and /proc areas read
    collected_at: str  # UTC, when the artefact was complete
    gaps: Tuple[Gap, ...] = ()
    cut: Tuple[str, ...] = ()  # what a size, count or time limit left out
    redactions: int = 0  # secrets replaced or lines withheld in copied text
    entries: int = 0  # items in the artefact (processes, files, lines)


def clean(text: str) -> str:
    """A name from the file system as UTF-8 text: bytes that are not UTF-8 (surrogate escapes) become ``\\xNN``.

    File names are bytes on Linux; an attacker's file may be named with anything.
    """
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def json_bytes(doc: Any) -> bytes:
    """Deterministic JSON (sorted keys, UTF-8, one trailing newline): the same facts always give the same bytes."""
    text = json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    try:
        return text.encode("utf-8") + b"\n"
    except UnicodeEncodeError:  # a host name that slipped past clean(): cleaned here rather than lost
        return json_bytes(_cleaned(doc))


def _cleaned(value: Any) -> Any:
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, dict):
        return {clean(str(k)): _cleaned(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_cleaned(v) for v in value]
    return value


@dataclass
class Builder:
    """Collects one artefact's gaps, sources and cuts while a stage runs."""

    name: str
    now: Callable[[], str]
    max_gaps: int = 500
    gaps: List[Gap] = field(default_factory=list)
    more_gaps: int = 0
    sources: Set[str] = field(default_factory=set)
    cut: List[str] = field(default_factory=list)
    redactions: int = 0

    def gap(self, path: str, reason: str) -> None:
        if len(self.gaps) < self.max_gaps:
            self.gaps.append(Gap(clean(path), reason))
        else:
            self.more_gaps += 1

    def source(self, what: str) -> None:
        self.sources.add(clean(what))

    def limit(self, what: str) -> None:
        if what not in self.cut:
            self.cut.append(what)

    def json(self, doc: Dict[str, Any], entries: int) -> Artefact:
        return self._done(JSON_TYPE, json_bytes(doc), entries)

    def text(self, text: str, entries: int) -> Artefact:
        return self._done(TEXT_TYPE, text.encode("utf-8"), entries)

    def _done(self, media_type: str, content: bytes, entries: int) -> Artefact:
        gaps = tuple(sorted(set(self.gaps), key=lambda g: (g.path, g.reason)))
        cut = list(self.cut)
        if self.more_gaps:
            cut.append(f"{self.more_gaps} more unreadable paths not listed (at most {self.max_gaps} are)")
        return Artefact(
            self.name, media_type, content, tuple(sorted(self.sources)), self.now(), gaps, tuple(cut), self.redactions, entries
        )


def mode_text(mode: Optional[int]) -> Optional[str]:
    """Permission and set-id bits as four octal digits (``4755``), or None."""
    return None if mode is None else format(mode & 0o7777, "04o")
