"""Report history: each report names its predecessor, so a set of reports is a verifiable chain.

The agent keeps a small JSON index in its state directory: per target, the
digest and path of the latest signed report (what the next scan names in
``previous_report``) and a log of every report recorded. The log is what lets
``check_chain`` tell an edited report from a missing one: the signed reports
only carry the predecessor's digest, and a digest alone cannot say which file
it used to be.

Chain rules (``check_chain``), per target, reports ordered by ``run.started_at``:

* invalid  -- the envelope does not verify; named with the reason, left out of the chain.
* gap      -- a report (other than the oldest given) names a predecessor digest that no
  given report has: a report in between is missing.
* edited   -- as a gap, but a given report has the report id that the predecessor digest
  was recorded under (history index), or two reports share a report id with different
  digests: that file's content changed after its successor named it.
* fork     -- two reports name the same predecessor.
* duplicate -- two files hold the very same report.
* unlinked -- a report names no predecessor although older reports of the target are given.
* order    -- a report names a predecessor that started later than itself.
* foreign  -- a report names a report of another target as its predecessor.

The oldest report given may name a predecessor that is not given (older reports
rotated away); that is noted, not a problem.
"""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Mapping, Optional, Sequence, Set, Tuple

from agent.files import atomic_write
from collectors.digest import sha256_hex

if TYPE_CHECKING:
    from report.model import Report
    from report.trust import TrustedKey

STATE_DIR_ENV = "RISKAGENT_STATE_DIR"
INDEX_NAME = "history.json"
INDEX_VERSION = 1
LOG_LIMIT = 5000  # entries kept per target; years of daily runs


def default_state_dir() -> Path:
    """$RISKAGENT_STATE_DIR, else /var/lib/riskagent for root, else the user's XDG state dir."""
    env = os.environ.get(STATE_DIR_ENV)
    if env:
        return Path(env)
    if os.geteuid() == 0:
        return Path("/var/lib/riskagent")
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "riskagent"


def _index_path(state_dir: Path) -> Path:
    return state_dir / INDEX_NAME


MAX_INDEX_BYTES = 64 * 1024 * 1024  # LOG_LIMIT entries per target, a few hundred bytes each


def load_index(state_dir: Path) -> Dict[str, Any]:
    """The index, or an empty one; a corrupt index is an error (never silently reset).

    The index is opened without following a link and must be a regular file (``agent.files.open_regular``).
    """
    from agent.errors import AgentError
    from agent.files import open_regular
    from report.canonical import CanonicalError, strict_loads

    path = _index_path(state_dir)
    try:
        fd = open_regular(path, os.O_RDONLY, what="history index")
    except FileNotFoundError:
        return {"version": INDEX_VERSION, "targets": {}}
    except OSError as exc:
        raise AgentError(f"cannot read the history index {path}: {exc.strerror or exc}", "move it aside to start a new chain") from None
    try:
        with os.fdopen(fd, "rb") as fh:
            raw = fh.read(MAX_INDEX_BYTES + 1)
        if len(raw) > MAX_INDEX_BYTES:
            raise CanonicalError(f"larger than {MAX_INDEX_BYTES // (1024 * 1024)} MiB")
        data = strict_loads(raw, str(path))
    except (OSError, CanonicalError) as exc:
        raise AgentError(f"cannot read the history index {path}: {exc}", "move it aside to start a new chain") from None
    if not isinstance(data, dict) or not isinstance(data.get("targets"), dict):
        raise AgentError(f"{path} is not a riskagent history index", "move it aside to start a new chain")
    return data


def previous_digest(state_dir: Path, target_name: str) -> Optional[str]:
    """Digest of the latest signed report recorded for this target (for ``previous_report``)."""
    entry = latest(state_dir, target_name)
    return entry.get("digest") if entry else None


def latest(state_dir: Path, target_name: str) -> Optional[Dict[str, Any]]:
    """The index entry of the latest report for this target: digest, path, report_id, started_at."""
    target = load_index(state_dir)["targets"].get(target_name)
    if not isinstance(target, dict) or not isinstance(target.get("latest"), dict):
        return None
    return dict(target["latest"])


def record(
    state_dir: Path,
    target_name: str,
    digest: str,
    envelope_path: Path,
    *,
    report_id: Optional[str] = None,
    started_at: Optional[str] = None,
) -> None:
    """Make this report the target's latest and append it to the log (atomic rewrite).

    Callers serialise writers (the scheduled run holds its lock); a manual scan
    racing a scheduled one can lose an entry, never corrupt the file. The state
    directory must be ours or root's and writable by nobody else: the index is
    never written into another user's directory.
    """
    from agent.files import ensure_dir

    ensure_dir(state_dir, "state directory")
    index = load_index(state_dir)
    entry = {
        "digest": digest,
        "path": str(Path(envelope_path).absolute()),
        "report_id": report_id,
        "started_at": started_at,
    }
    target = index["targets"].setdefault(target_name, {})
    log = [e for e in target.get("log", []) if isinstance(e, dict) and e.get("digest") != digest]
    log.append(entry)
    target["latest"] = entry
    target["log"] = log[-LOG_LIMIT:]
    index["version"] = INDEX_VERSION
    data = json.dumps(index, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    atomic_write(_index_path(state_dir), data.encode("utf-8"), 0o600)


def known_reports(state_dir: Path) -> Dict[str, Dict[str, Any]]:
    """digest -> log entry (report_id, path, ...) for every report the index recorded."""
    known: Dict[str, Dict[str, Any]] = {}
    for name, target in load_index(state_dir)["targets"].items():
        for e in target.get("log", []) if isinstance(target, dict) else []:
            if isinstance(e, dict) and isinstance(e.get("digest"), str):
                known[e["digest"]] = {**e, "target": name}
    return known


@dataclass(frozen=True)
class ChainEntry:
    """One verified report in a chain."""

    path: Path
    digest: str
    report_id: str
    target: str
    started_at: str
    previous: Optional[str]
    report: Optional[Report] = field(repr=False)  # None: signed by a trusted key, but of another catalogue or schema
    score: Optional[str] = None
    passed: int = 0
    failed: int = 0


@dataclass(frozen=True)
class Problem:
    kind: str  # invalid, gap, edited, fork, duplicate, unlinked, order, foreign
    target: Optional[str]
    files: Tuple[Path, ...]
    message: str
    message_zh: str = ""  # the same in Chinese, where the claim report quotes it (empty: as in English)


@dataclass
class ChainResult:
    chains: Dict[str, List[ChainEntry]] = field(default_factory=dict)
    problems: List[Problem] = field(default_factory=list)
    notes: List[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def find_envelopes(paths: Iterable[Path]) -> List[Path]:
    """Files as given; directories searched recursively for ``*.dsse.json``."""
    found: List[Path] = []
    for p in paths:
        if p.is_dir():
            found.extend(sorted(p.rglob("*.dsse.json")))
        else:
            found.append(p)
    return found


def _short(digest: Optional[str]) -> str:
    return (digest or "-")[:12]


def check_chain(
    envelope_paths: Sequence[Path],
    trusted_keys: Mapping[str, TrustedKey],
    known: Optional[Mapping[str, Mapping[str, Any]]] = None,
) -> ChainResult:
    """Verify every envelope and follow the ``previous_report`` links per target.

    ``known`` (from ``known_reports``) maps digests the agent recorded to their
    report ids; with it a changed report is named as edited rather than missing.
    """
    from report.envelope import read_bounded
    from report.signing import VerificationError, report_digest
    from report.terminal import safe_line
    from report.verification import Outcome, verify_bytes

    result = ChainResult()
    entries: List[ChainEntry] = []
    seen: Dict[str, ChainEntry] = {}
    for path in envelope_paths:
        try:
            data = read_bounded(path)
        except VerificationError as exc:
            result.problems.append(Problem("invalid", None, (path,), f"{path}: INVALID: {exc}", f"{path}：无效：{exc.zh}"))
            continue
        verified = verify_bytes(data, trusted_keys, source=str(path))
        if verified.outcome is Outcome.UNSUPPORTED and verified.envelope is not None:
            # A report of an older catalogue or schema: its signature holds, its findings cannot be
            # rechecked by this build; the chain still links through it.
            header = signed_header(verified.envelope.payload)
            if header is None:
                result.problems.append(
                    Problem("invalid", None, (path,), f"{path}: INVALID: no readable report header", f"{path}：无效：没有可读的报告头")
                )
                continue
            result.notes.append(f"{path}: signature verified, findings not rechecked: {safe_line(verified.reason)}")
            entry = dataclasses.replace(header, path=path)
        elif verified.report is None or verified.outcome is Outcome.INVALID:
            result.problems.append(
                Problem(
                    "invalid", None, (path,), f"{path}: INVALID: {safe_line(verified.reason)}", f"{path}：无效：{safe_line(verified.reason_in('zh'))}"
                )
            )
            continue
        else:
            rep = verified.report
            passed, failed = status_counts(rep)
            entry = ChainEntry(
                path=path,
                digest=report_digest(rep),
                report_id=rep.report_id,
                target=rep.target.name,
                started_at=rep.run.started_at,
                previous=rep.previous_report,
                report=rep,
                score=report_score(rep),
                passed=passed,
                failed=failed,
            )
        if entry.digest in seen:
            first = seen[entry.digest]
            result.problems.append(
                Problem(
                    "duplicate",
                    entry.target,
                    (first.path, path),
                    f"{first.path} and {path} hold the same report {entry.report_id}",
                )
            )
            continue
        seen[entry.digest] = entry
        entries.append(entry)

    by_target: Dict[str, List[ChainEntry]] = {}
    for e in entries:
        by_target.setdefault(e.target, []).append(e)
    for chain in by_target.values():
        depth = _link_depths(chain)
        chain.sort(key=lambda e: (e.started_at, depth[e.digest], str(e.path)))
    result.chains = dict(sorted(by_target.items()))
    for name, chain in result.chains.items():
        _check_target(name, chain, seen, known or {}, result)
    return result


def _link_depths(chain: List[ChainEntry]) -> Dict[str, int]:
    """How many given predecessors each report links back to: orders reports started in the same second."""
    by_digest = {e.digest: e for e in chain}
    depths: Dict[str, int] = {}
    for e in chain:
        walk: List[str] = []
        cur: Optional[ChainEntry] = e
        while cur is not None and cur.digest not in depths and cur.digest not in walk:
            walk.append(cur.digest)
            cur = by_digest.get(cur.previous) if cur.previous else None
        base = depths.get(cur.digest, 0) + 1 if cur is not None and cur.digest in depths else 0
        for i, d in enumerate(reversed(walk)):
            depths[d] = base + i
    return depths


def _check_target(
    name: str,
    chain: List[ChainEntry],
    by_digest: Mapping[str, ChainEntry],
    known: Mapping[str, Mapping[str, Any]],
    result: ChainResult,
) -> None:
    by_id: Dict[str, List[ChainEntry]] = {}
    for e in chain:
        by_id.setdefault(e.report_id, []).append(e)
    named = {e.previous for e in chain if e.previous}
    edited_reported: Set[Path] = set()
    # Same report id, different content: the copy no successor names was changed.
    for rid, same in by_id.items():
        if len(same) > 1:
            suspects = [e for e in same if e.digest not in named] or same
            edited_reported.update(e.path for e in suspects)
            result.problems.append(
                Problem(
                    "edited",
                    name,
                    tuple(e.path for e in same),
                    f"{name}: report {rid} exists with different contents in "
                    + ", ".join(str(e.path) for e in same)
                    + "; edited: "
                    + ", ".join(str(e.path) for e in suspects),
                )
            )
    successors: Dict[str, List[ChainEntry]] = {}
    for i, e in enumerate(chain):
        if e.previous is None:
            if i > 0:
                result.problems.append(
                    Problem(
                        "unlinked",
                        name,
                        (e.path,),
                        f"{name}: {e.path} names no predecessor although older reports are given (chain restarted)",
                    )
                )
            continue
        successors.setdefault(e.previous, []).append(e)
        pred = by_digest.get(e.previous)
        if pred is not None:
            if pred.target != name:
                result.problems.append(
                    Problem(
                        "foreign", name, (e.path, pred.path), f"{name}: {e.path} names {pred.path}, a report of {pred.target}"
                    )
                )
            elif pred.started_at > e.started_at:
                result.problems.append(
                    Problem("order", name, (e.path, pred.path), f"{name}: {e.path} names {pred.path}, which started later")
                )
            continue
        if i == 0:
            result.notes.append(f"{name}: chain starts at {e.path}; its predecessor {_short(e.previous)} is not given")
            continue
        rec = known.get(e.previous)
        same_id = by_id.get(str(rec.get("report_id"))) if rec else None
        if same_id:
            changed = [s for s in same_id if s.path not in edited_reported]
            edited_reported.update(s.path for s in same_id)
            if changed:
                result.problems.append(
                    Problem(
                        "edited",
                        name,
                        (*(s.path for s in changed), e.path),
                        f"{name}: {', '.join(str(s.path) for s in changed)} (report {rec['report_id'] if rec else ''}) "
                        f"was edited: {e.path} names its digest {_short(e.previous)}, the file's content is now "
                        f"{', '.join(_short(s.digest) for s in changed)}",
                    )
                )
            continue
        before = chain[i - 1]
        where = f", recorded at {rec.get('path')}" if rec and rec.get("path") else ""
        result.problems.append(
            Problem(
                "gap",
                name,
                (before.path, e.path),
                f"{name}: gap between {before.path} and {e.path}: {e.path} names predecessor {_short(e.previous)}"
                f"{where}, which is not among the files (a report is missing, or {before.path} was edited after "
                f"{e.path} named it)",
            )
        )
    for digest, succ in successors.items():
        if len(succ) > 1:
            result.problems.append(
                Problem(
                    "fork",
                    name,
                    tuple(s.path for s in succ),
                    f"{name}: fork: {', '.join(str(s.path) for s in succ)} all name predecessor {_short(digest)}",
                )
            )


def report_score(report: Report) -> Optional[str]:
    """The insurer score and grade ("72 (C)"), when the report has an underwriting view."""
    if report.underwriting is None:
        return None
    ins = report.underwriting.insurer
    if ins.score is None and ins.grade is None:
        return None
    return f"{ins.score if ins.score is not None else '?'}" + (f" ({ins.grade})" if ins.grade else "")


def signed_header(payload: bytes) -> Optional[ChainEntry]:
    """The chain fields of a signed statement this build cannot read as a report (another catalogue or schema).

    Only plain fields whose meaning has not changed between versions are read: ids, times, the
    previous report's digest, counts by status and the score. The digest is that of the predicate's
    canonical bytes, as for any report.
    """
    from report.canonical import CanonicalError, canonical_bytes, strict_loads
    from report.envelope import MAX_REPORT_VALUES

    try:
        statement = strict_loads(payload, "signed statement", MAX_REPORT_VALUES)
        predicate = statement["predicate"]
        run, target, summary = predicate["run"], predicate["target"], predicate.get("summary") or {}
        fields = (predicate["report_id"], target["name"], run["started_at"])
        if not all(isinstance(f, str) for f in fields):
            return None
        previous = predicate.get("previous_report")
        by_status = summary.get("by_status") or {}
        insurer = (predicate.get("underwriting") or {}).get("insurer") or {}
        score, grade = insurer.get("score"), insurer.get("grade")
        shown = None
        if isinstance(score, int) or isinstance(grade, str):
            shown = f"{score if isinstance(score, int) else '?'}" + (f" ({grade})" if isinstance(grade, str) else "")
        digest = sha256_hex(canonical_bytes(predicate))
        subjects = statement["subject"]
        if not (isinstance(subjects, list) and len(subjects) == 1 and subjects[0]["digest"]["sha256"] == digest):
            return None  # the signed subject must be this very predicate, as for any report
        return ChainEntry(
            path=Path("-"),
            digest=digest,
            report_id=fields[0],
            target=fields[1],
            started_at=fields[2],
            previous=previous if isinstance(previous, str) else None,
            report=None,
            score=shown,
            passed=by_status.get("pass", 0) if isinstance(by_status.get("pass"), int) else 0,
            failed=by_status.get("fail", 0) if isinstance(by_status.get("fail"), int) else 0,
        )
    except (CanonicalError, KeyError, TypeError, AttributeError):
        return None


def status_counts(report: Report) -> Tuple[int, int]:
    """(passed, failed) findings."""
    return report.summary.by_status.get("pass", 0), report.summary.by_status.get("fail", 0)


def format_chain(result: ChainResult) -> str:
    """Human listing: per target, one line per report, then the problems."""
    lines: List[str] = []
    for name, chain in result.chains.items():
        lines.append(f"{name}: {len(chain)} report(s)")
        for e in chain:
            passed, failed, score = e.passed, e.failed, e.score
            link = "start" if e.previous is None else f"<- {_short(e.previous)}"
            lines.append(
                f"  {e.started_at or '?':<20}  {e.report_id}  {_short(e.digest)}  {link:<15}"
                + (f"  score {score}" if score else "")
                + f"  pass {passed} fail {failed}  {e.path}"
            )
    for note in result.notes:
        lines.append(f"note: {note}")
    for p in result.problems:
        lines.append(f"PROBLEM [{p.kind}] {p.message}")
    lines.append("chain OK" if result.ok else f"{len(result.problems)} problem(s) found")
    return "\n".join(lines)


def chain_json(result: ChainResult) -> Dict[str, Any]:
    return {
        "ok": result.ok,
        "targets": {
            name: [
                {
                    "path": str(e.path),
                    "report_id": e.report_id,
                    "started_at": e.started_at,
                    "digest": e.digest,
                    "previous_report": e.previous,
                    "score": e.score,
                    "pass": e.passed,
                    "fail": e.failed,
                    "rechecked": e.report is not None,
                }
                for e in chain
            ]
            for name, chain in result.chains.items()
        },
        "problems": [
            {"kind": p.kind, "target": p.target, "files": [str(f) for f in p.files], "message": p.message}
            for p in result.problems
        ],
        "notes": list(result.notes),
    }
