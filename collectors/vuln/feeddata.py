"""The stored feeds, parsed into the small indexes matching needs.

The Debian Security Tracker's JSON is 60-80 MB; loading it whole into Python
objects takes seconds and several hundred MiB. Matching needs only the
source packages installed on the host and only the host's suite, so the file
is streamed in chunks: each package's entry is located by its first key
(a ``CVE-`` or ``TEMP-`` id, which only package-level values start with) and
decoded only when that package is wanted. KEV is small; EPSS is read line by
line for the CVEs that matched only.

Formats (as published):

- ``debian.json``: ``{source: {CVE: {description, scope, debianbug,
  releases: {suite: {status, fixed_version, urgency, repositories, nodsa?}}}}}``
  (https://security-tracker.debian.org/tracker/data/json). It names no
  DSA/DLA; those come from the tracker's ``data/DSA/list`` and
  ``data/DLA/list`` (``dsa.list``/``dla.list`` in the feed directory), which
  also date each fix.
- ``kev.json``: CISA KEV catalogue (``vulnerabilities[]`` with ``cveID``,
  ``dateAdded``, ``dueDate``, ``knownRansomwareCampaignUse``).
- ``epss.csv.gz``: FIRST EPSS, a ``#model_version:...,score_date:...`` line,
  then ``cve,epss,percentile``.
"""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import IO, AbstractSet, Any, Dict, Iterable, List, Mapping, Optional, Tuple

CHUNK = 4 * 1024 * 1024
# The opening of a package-level value: an object whose first key is an issue id.
_FIRST_ISSUE = re.compile(rb'\{\s*"(?:CVE|TEMP)-')


@dataclass(frozen=True)
class Issue:
    """One tracker issue of one source package in one suite."""

    cve: str
    fixed: Optional[str]  # None: no fixed version in this suite (open, unfixed)
    status: str  # resolved, open, undetermined
    urgency: str  # the tracker's: unimportant, low, medium, high, not yet assigned, end-of-life
    scope: Optional[str]  # local / remote, where the tracker says
    nodsa: bool = False  # the security team decided no advisory (minor issue)


@dataclass(frozen=True)
class Advisory:
    """A DSA or DLA: its id, date (ISO), and the CVEs and fixed versions it names per suite."""

    id: str
    date: str
    cves: Tuple[str, ...]
    fixed: Tuple[Tuple[str, str, str], ...]  # (suite, source, version)


@dataclass(frozen=True)
class KevEntry:
    cve: str
    date_added: str
    due_date: str
    ransomware: str  # "Known" or "Unknown"


@dataclass(frozen=True)
class Epss:
    score: str  # decimal text as published
    percentile: str


def _open(path: Path) -> IO[bytes]:
    raw = path.open("rb")
    if raw.peek(2)[:2] == b"\x1f\x8b":
        return gzip.GzipFile(fileobj=raw)  # type: ignore[return-value]
    return raw


def _issues(entry: Mapping[str, Any], suite: str) -> List[Issue]:
    out: List[Issue] = []
    for cve, data in entry.items():
        if not isinstance(data, dict):
            continue
        rel = (data.get("releases") or {}).get(suite)
        if not isinstance(rel, dict):
            continue
        status = str(rel.get("status") or "")
        fixed = rel.get("fixed_version")
        if status == "resolved" and isinstance(fixed, str) and fixed == "0":
            continue  # "0": never affected in this suite
        out.append(
            Issue(
                cve=cve,
                fixed=fixed if status == "resolved" and isinstance(fixed, str) and fixed else None,
                status=status,
                urgency=str(rel.get("urgency") or "not yet assigned"),
                scope=data.get("scope") if isinstance(data.get("scope"), str) else None,
                nodsa=bool(rel.get("nodsa")),
            )
        )
    return out


def _package_starts(buf: bytes) -> List[Tuple[int, int, bytes]]:
    """(key start, value start, key) of each package entry in ``buf``.

    An issue id as the first key of an object happens only at package level: in descriptions a quote is
    escaped (``{\\"CVE-``), and the keys of ``releases`` and ``repositories`` are suite names. Searching for
    that brace and stepping back to the key is far cheaper than matching every quoted string.
    """
    out: List[Tuple[int, int, bytes]] = []
    for m in _FIRST_ISSUE.finditer(buf):
        brace = m.start()
        close = buf.rfind(b'"', 0, brace)
        opening = buf.rfind(b'"', 0, close)
        if opening < 0:
            continue
        out.append((opening, brace, buf[opening + 1 : close]))
    return out


def debian_index(path: Path, suite: str, wanted: AbstractSet[str]) -> Dict[str, List[Issue]]:
    """{source package: issues in ``suite``} for the ``wanted`` source packages, streamed from the tracker JSON."""
    out: Dict[str, List[Issue]] = {}
    decoder = json.JSONDecoder()
    keys = {w.encode("utf-8") for w in wanted}
    with _open(path) as fh:
        buf = b""
        eof = False
        while not eof:
            chunk = fh.read(CHUNK)
            eof = not chunk
            buf += chunk
            starts = _package_starts(buf)
            # The last entry may still be incomplete unless the file has ended.
            complete = starts if eof else starts[:-1]
            for i, (_start, brace, key) in enumerate(complete):
                if key not in keys:
                    continue
                stop = starts[i + 1][0] if i + 1 < len(starts) else len(buf)
                value, _ = decoder.raw_decode(buf[brace:stop].decode("utf-8", "replace"))
                if isinstance(value, dict):
                    out[key.decode("utf-8", "replace")] = _issues(value, suite)
            if not eof:
                buf = buf[starts[-1][0] :] if starts else buf
    return out


_DSA_HEAD = re.compile(r"^\[(\d{1,2}) (\w{3}) (\d{4})\] (D[SL]A-\d+(?:-\d+)?) ")
_DSA_CVES = re.compile(r"^\s+\{([^}]*)\}")
_DSA_FIX = re.compile(r"^\s+\[(\w+)\] - (\S+) (\S+)")
_MONTHS = {m: i for i, m in enumerate(("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1)}


def parse_advisory_list(text: str) -> List[Advisory]:
    """The security tracker's ``data/DSA/list`` or ``data/DLA/list``."""
    out: List[Advisory] = []
    current: Optional[Tuple[str, str]] = None
    cves: List[str] = []
    fixed: List[Tuple[str, str, str]] = []

    def close() -> None:
        if current is not None:
            out.append(Advisory(current[0], current[1], tuple(cves), tuple(fixed)))

    for line in text.splitlines():
        head = _DSA_HEAD.match(line)
        if head:
            close()
            day, mon, year, adv = head.groups()
            current = (adv, f"{year}-{_MONTHS.get(mon, 1):02d}-{int(day):02d}")
            cves, fixed = [], []
            continue
        m = _DSA_CVES.match(line)
        if m and current is not None:
            cves.extend(c for c in m.group(1).split() if c.startswith("CVE-"))
            continue
        m = _DSA_FIX.match(line)
        if m and current is not None:
            fixed.append((m.group(1), m.group(2), m.group(3)))
    close()
    return out


def advisory_index(texts: Iterable[str], suite: str) -> Dict[Tuple[str, str], Advisory]:
    """{(source, fixed version): advisory} of ``suite``: the advisory that shipped that fixed version."""
    out: Dict[Tuple[str, str], Advisory] = {}
    for text in texts:
        for adv in parse_advisory_list(text):
            for s, source, version in adv.fixed:
                if s == suite:
                    out.setdefault((source, version), adv)
    return out


def kev_index(path: Path) -> Dict[str, KevEntry]:
    data = json.loads(path.read_bytes())
    out: Dict[str, KevEntry] = {}
    for v in data.get("vulnerabilities") or []:
        cve = v.get("cveID")
        if isinstance(cve, str):
            out[cve] = KevEntry(
                cve,
                str(v.get("dateAdded") or ""),
                str(v.get("dueDate") or ""),
                str(v.get("knownRansomwareCampaignUse") or "Unknown"),
            )
    return out


@dataclass(frozen=True)
class EpssScores:
    scores: Dict[str, Epss]
    score_date: Optional[str]
    model_version: Optional[str]


def epss_index(path: Path, wanted: AbstractSet[str]) -> EpssScores:
    """Scores of the ``wanted`` CVEs only (the file holds ~280,000)."""
    scores: Dict[str, Epss] = {}
    date = model = None
    keys = {w.encode("ascii", "replace") for w in wanted}
    with _open(path) as fh:
        data = fh.read()
    for raw in data.split(b"\n"):
        if raw[:1] == b"#":
            for part in raw[1:].decode("utf-8", "replace").strip().split(","):
                k, _, v = part.partition(":")
                if k == "score_date":
                    date = v
                elif k == "model_version":
                    model = v
            continue
        cut = raw.find(b",")
        if raw[:cut] in keys:
            score, _, pct = raw[cut + 1 :].decode("ascii", "replace").strip().partition(",")
            try:
                float(score), float(pct)
            except ValueError:
                continue
            scores[raw[:cut].decode("ascii")] = Epss(score.strip(), pct.strip())
    return EpssScores(scores, date, model)
