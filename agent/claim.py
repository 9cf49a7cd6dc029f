"""``riskagent claim``: the claim report from a target's verified history and a post-incident snapshot.

Reads, verifies, builds, signs and writes; the content is ``report.claim``. Reports that do not verify
are listed and never used; the snapshot is verified (signature and every artefact's hash) before any
of it is compared.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, List, Mapping, Optional, Protocol, Sequence

from agent.errors import AgentError, UsageError
from checks.model import Text
from report.claim import Change, Claim, Excluded, build_claim, claim_payload
from report.trust import TrustedKey

CLAIM_FILES = ("claim.json", "claim.dsse.json", "claim.md")


@dataclass(frozen=True)
class SnapshotInput:
    """A verified post-incident snapshot: its reference in the claim, what changed against the basis report, and
    what could not be compared (notes: a difference seen only because one side could not read something)."""

    ref: Mapping[str, Any]
    changes: Sequence[Change]
    notes: Sequence[Text] = ()


class SnapshotComparison(Protocol):
    """What a snapshot reader returns: a SnapshotInput, or ``report.claim_changes.SnapshotChanges`` (report
    does not import agent, so it cannot build a SnapshotInput)."""

    @property
    def ref(self) -> Mapping[str, Any]: ...
    @property
    def changes(self) -> Sequence[Change]: ...
    @property
    def notes(self) -> Sequence[Text]: ...


# The comparison of a snapshot with a report, given the basis report and the snapshot directory (set by the
# snapshot comparison module when it is present).
SnapshotReader = Callable[[Path, Mapping[str, TrustedKey], Any], SnapshotComparison]


def make_claim(
    history: Sequence[Path],
    trusted: Mapping[str, TrustedKey],
    incident: dt.datetime,
    *,
    target: Optional[str] = None,
    plan_settings: Optional[Mapping[str, Any]] = None,
    max_interval_s: int = 2 * 86400,
    snapshot_dir: Optional[Path] = None,
    read_snapshot: Optional[SnapshotReader] = None,
    now: Optional[dt.datetime] = None,
) -> Claim:
    """Verify the history, choose the target, compare the snapshot and build the claim (nothing written)."""
    from agent.history import check_chain, find_envelopes

    paths = find_envelopes(history)
    if not paths:
        raise UsageError("no signed report found in " + ", ".join(str(p) for p in history), "give report envelopes (*.dsse.json) or directories holding them")
    result = check_chain(paths, trusted)
    excluded = [
        Excluded(str(p.files[0]) if p.files else "-", Text(zh=p.message_zh or p.message, en=p.message)) for p in result.problems if p.kind == "invalid"
    ]
    if not result.chains:
        raise AgentError("none of the reports verified: there is no history to make a claim from", "; ".join(x.reason.en for x in excluded[:3]))
    if target is None:
        if len(result.chains) > 1:
            raise UsageError(f"the history holds several targets ({', '.join(sorted(result.chains))})", "choose one with --target")
        target = next(iter(result.chains))
    if target not in result.chains:
        raise UsageError(f"no verified report of target {target!r}", f"targets in the history: {', '.join(sorted(result.chains))}")
    chain = result.chains[target]
    problems = [p for p in result.problems if p.kind != "invalid" and p.target == target]
    snapshot_ref: Optional[Mapping[str, Any]] = None
    changes: Sequence[Change] = ()
    notes: List[Text] = history_notes(chain, result.notes)
    if snapshot_dir is not None:
        if read_snapshot is None:
            raise UsageError("this build cannot compare snapshots", "make the claim without --snapshot")
        from report.claim_changes import SnapshotRejected

        basis = [e for e in chain if e.report is not None and _utc(e.started_at) <= incident]
        try:
            snap = read_snapshot(snapshot_dir, trusted, basis[-1].report if basis else None)
        except SnapshotRejected as exc:
            raise AgentError(exc.message, exc.hint) from None
        snapshot_ref, changes = snap.ref, snap.changes
        notes += list(snap.notes)
    return build_claim(
        claim_id=str(uuid.uuid4()),
        target=target,
        chain=chain,
        problems=problems,
        excluded=excluded,
        incident=incident,
        prepared_at=now or dt.datetime.now(dt.timezone.utc),
        plan_settings=plan_settings or {},
        max_interval_s=max_interval_s,
        snapshot=snapshot_ref,
        changes=changes,
        notes=notes,
    )


def history_notes(chain: Sequence[Any], said: Sequence[str]) -> List[Text]:
    """What the history check noted about this target's chain (``ChainResult.notes``), in both languages; notes about
    other targets are not the claim's. The two notes ``agent.history.check_chain`` makes are said in zh with the
    files, digests and the verifier's reason verbatim; any other keeps its English after a zh prefix, never dropped."""
    if not chain:
        return []
    target = chain[0].target
    mine = [n for n in said if n.startswith(f"{target}: ") or any(n.startswith(f"{e.path}: ") for e in chain)]
    return [_history_note(n, chain) for n in mine]


def _history_note(note: str, chain: Sequence[Any]) -> Text:
    first = chain[0]
    if first.previous is not None:
        prev = str(first.previous)[:12]
        if note == f"{first.target}: chain starts at {first.path}; its predecessor {prev} is not given":
            return Text(zh=f"{first.target}：评估历史从 {first.path} 开始，其前序报告 {prev} 未提供", en=note)
    for e in chain:
        prefix = f"{e.path}: signature verified, findings not rechecked: "
        if note.startswith(prefix):
            return Text(zh=f"{e.path}：签名已验证，但本版本无法复核其检查结果（验证工具原文：{note[len(prefix) :]}）", en=note)
    return Text(zh=f"评估历史说明（验证工具原文）：{note}", en=note)


def _utc(text: str) -> dt.datetime:
    from report.claim import parse_utc

    return parse_utc(text)


def write_claim(claim: Claim, signer: Any, out_dir: Path, lang: str) -> List[Path]:
    """claim.json, the signed claim.dsse.json and claim.md, all or nothing, private to the owner."""
    import json

    from agent.files import atomic_write_all, ensure_dir, file_mode
    from report.claim_render import claim_markdown

    payload = claim_payload(claim)
    envelope = signer.cosign(payload, [])
    items = [
        (out_dir / "claim.json", json.dumps(claim.as_json(), ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8") + b"\n"),
        (out_dir / "claim.dsse.json", envelope),
        (out_dir / "claim.md", claim_markdown(claim, lang).encode("utf-8")),
    ]
    ensure_dir(out_dir, "output directory")
    try:
        return atomic_write_all(items, file_mode(None))
    except OSError as exc:
        raise AgentError(f"cannot write {exc.filename or out_dir}: {exc.strerror or exc}", "nothing was written") from None
