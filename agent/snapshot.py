"""``riskagent snapshot``: collect, store by hash, sign the manifest, and put the directory in place at once.

The collection (``collectors.snapshot``) hands each artefact over as soon as
it is complete. Each goes through the report's redaction pass once more (the
last line of defence, as for reports), is hashed, and is written by its
sha256 into a private temporary directory beside the output, unless it
would take the artefacts over the size budget, in which case it is left out
and the manifest says so. The summary is rendered, the manifest signed, and
only then is the temporary directory renamed to the output: a snapshot
directory is complete and signed, or absent.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import uuid
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, List, Mapping, Optional, Tuple

from agent.errors import AgentError, UsageError

if TYPE_CHECKING:
    from collectors.context import HostContext
    from collectors.snapshot.model import Artefact
    from collectors.snapshot.session import Limits
    from report.signing import Signer
    from report.snapshot import ArtefactRecord, SnapshotManifest, SnapshotVerification
    from report.trust import TrustedKey

_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


@dataclass(frozen=True)
class Written:
    out_dir: Path
    manifest: SnapshotManifest
    envelope: bytes


def live_context() -> HostContext:
    """This machine, as ``scan`` sees it (the same host name, so a snapshot and a report name one host alike)."""
    import socket

    from collectors.context import HostContext, LiveProcessView
    from collectors.runner import SystemRunner, is_root

    return HostContext(Path("/"), SystemRunner(), LiveProcessView(), socket.gethostname(), is_root())


def root_context(root: Path) -> HostContext:
    """A mounted root file system (``--root``), refused as ``scan --root`` refuses it: not a directory, this
    machine's own ``/``, no ``etc/``. Nothing is run and nothing at run time is looked at (offline-root)."""
    from collectors.context import offline_root_context, offline_root_problem

    problem = offline_root_problem(root)
    if problem is not None:
        raise UsageError(f"--root: {problem}", "give the directory where the image's root file system is mounted or unpacked")
    return offline_root_context(root)


def _final_pass(artefact: Artefact) -> Tuple[bytes, int]:
    """The artefact's bytes after the report's redaction pass (JSON value by value, so it stays JSON)."""
    import json

    from collectors.snapshot.model import JSON_TYPE, json_bytes
    from report.redact import redact_text, redact_tree

    text = artefact.content.decode("utf-8")
    if artefact.media_type == JSON_TYPE:
        doc, n = redact_tree(json.loads(text))
        return (json_bytes(doc), n) if n else (artefact.content, 0)
    cleaned, n = redact_text(text)
    return (cleaned.encode("utf-8"), n) if n else (artefact.content, 0)


class _Store:
    """Artefacts by sha256 in the temporary directory, within the size budget."""

    def __init__(self, root: Path, max_bytes: int) -> None:
        self.root = root
        self.max_bytes = max_bytes
        self.used = 0
        self.records: List[ArtefactRecord] = []
        self.cut: List[str] = []

    def put(self, artefact: Artefact) -> None:
        from collectors.digest import sha256_hex
        from report.snapshot import ArtefactRecord, Gap, artefact_file

        if any(r.name == artefact.name for r in self.records):
            self.cut.append(f"{artefact.name}: a second artefact of this name was left out (a collector bug)")
            return
        content, more = _final_pass(artefact)
        digest = sha256_hex(content)
        if self.used + len(content) > self.max_bytes:
            self.cut.append(
                f"{artefact.name}: left out: its {len(content)} bytes would take the artefacts over the size budget "
                f"(--max-mib, {self.max_bytes} bytes); its sha256 was {digest}"
            )
            return
        name = artefact_file(digest)
        self._write(self.root / name, content)
        self.used += len(content)
        self.records.append(
            ArtefactRecord(
                name=artefact.name,
                file=name,
                sha256=digest,
                size=len(content),
                media_type=artefact.media_type,
                collected_at=artefact.collected_at,
                sources=artefact.sources,
                entries=artefact.entries,
                redactions=artefact.redactions + more,
                gaps=tuple(Gap(g.path, g.reason) for g in artefact.gaps),
                cut=artefact.cut,
            )
        )

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        if path.exists():
            return  # the same bytes, stored once
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_NOFOLLOW | _O_CLOEXEC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())


def _check_out(out_dir: Path) -> None:
    """The output must not exist yet, or be an empty directory, in a directory no other user controls (``agent.files``)."""
    from agent.files import check_parent

    if os.path.lexists(out_dir):
        if out_dir.is_symlink() or not out_dir.is_dir():
            raise UsageError(f"--out {out_dir} exists and is not a directory", "choose a new directory: a snapshot is never written over anything")
        if any(out_dir.iterdir()):
            raise UsageError(f"--out {out_dir} is not empty", "choose a new directory: a snapshot is never written over another")
    check_parent(out_dir, "snapshot directory")


def _check_outside(out_dir: Path, root: Path) -> None:
    """A snapshot of an image is never written into the image: it would change what it preserves."""
    where = Path(os.path.realpath(out_dir.parent)) / out_dir.name
    image = Path(os.path.realpath(root))
    if where == image or image in where.parents:
        raise UsageError(f"--out {out_dir} is inside the image (--root {root})", "write the snapshot outside the image: a snapshot never changes what it preserves")


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def take_snapshot(
    ctx: HostContext,
    signer: Signer,
    out_dir: Path,
    *,
    limits: Optional[Limits] = None,
    lang: str = "zh",
) -> Written:
    """Collect ``ctx`` into a signed snapshot directory at ``out_dir`` (which must not exist, or be empty)."""
    from collectors.digest import sha256_hex
    from collectors.snapshot.collect import take
    from collectors.snapshot.session import Limits
    from report.redact import redact_text
    from report.snapshot import (
        ARTEFACTS_DIR,
        ENVELOPE_NAME,
        MANIFEST_FORMAT,
        SUMMARY_ARTEFACT,
        SUMMARY_NAME,
        AccessTimes,
        ArtefactRecord,
        Budget,
        HostIdentity,
        SnapshotManifest,
        SnapshotMode,
        render_summary,
        snapshot_payload,
    )
    from report.version import VERSION

    limits = limits or Limits()
    out_dir = Path(os.path.abspath(out_dir))
    _check_out(out_dir)
    if ctx.offline_root:
        _check_outside(out_dir, ctx.root)
    tmp = out_dir.parent / f".{out_dir.name}.snapshot.{os.getpid()}.{os.urandom(6).hex()}"
    try:
        os.mkdir(tmp, 0o700)
        os.mkdir(tmp / ARTEFACTS_DIR, 0o700)
        store = _Store(tmp, limits.max_bytes)
        outcome = take(ctx, redact_text, store.put, limits)
        # the host context says how it looks at the host where it can (live, replay, offline-root)
        mode = SnapshotMode(str(getattr(ctx, "mode", SnapshotMode.LIVE if ctx.live else SnapshotMode.REPLAY)))
        manifest = SnapshotManifest(
            format=MANIFEST_FORMAT,
            snapshot_id=str(uuid.uuid4()),
            tool_version=VERSION,
            mode=mode,
            host=HostIdentity(**outcome.host),
            started_at=outcome.started_at,
            finished_at=outcome.finished_at,
            privileged=outcome.privileged,
            keyid=signer.keyid,
            budget=Budget(limits.time_s, limits.max_bytes, outcome.elapsed_ms, store.used),
            access_times=AccessTimes(outcome.noatime_used, outcome.noatime_refused),
            artefacts=tuple(sorted(store.records, key=lambda a: a.name)),
            cut=tuple(outcome.stage_cuts) + tuple(store.cut),
        )
        summary = render_summary(manifest, lang).encode("utf-8")
        _Store._write(tmp / SUMMARY_NAME, summary)
        record = ArtefactRecord(
            name=SUMMARY_ARTEFACT,
            file=SUMMARY_NAME,
            sha256=sha256_hex(summary),
            size=len(summary),
            media_type="text/markdown; charset=utf-8",
            collected_at=outcome.finished_at,
            sources=(),
            entries=len(manifest.artefacts),
            redactions=0,
        )
        manifest = replace(
            manifest,
            artefacts=tuple(sorted((*manifest.artefacts, record), key=lambda a: a.name)),
            budget=replace(manifest.budget, used_bytes=store.used + len(summary)),
        )
        envelope = signer.cosign(snapshot_payload(manifest), [])
        _Store._write(tmp / ENVELOPE_NAME, envelope)
        _fsync_dir(tmp / ARTEFACTS_DIR)
        _fsync_dir(tmp)
        os.rename(tmp, out_dir)  # replaces an empty directory; refuses a non-empty one
        _fsync_dir(out_dir.parent)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise AgentError(f"cannot write the snapshot to {out_dir}: {exc.strerror or exc}", "nothing was written") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return Written(out_dir, manifest, envelope)


def verify_directory(directory: Path, trusted: Mapping[str, TrustedKey], now: Optional[dt.datetime] = None) -> SnapshotVerification:
    from report.snapshot import verify_snapshot

    return verify_snapshot(directory, trusted, now=now)


def result_lines(w: Written, lang: str) -> List[str]:
    """What ``snapshot`` prints when it is done."""
    m = w.manifest
    zh = lang == "zh"
    gaps = sum(len(a.gaps) for a in m.artefacts)
    lines = [
        (
            f"已写入取证快照 {w.out_dir}：{len(m.artefacts)} 个证据项，{m.budget.used_bytes / 1048576:.1f} MiB，"
            f"用时 {m.budget.used_ms / 1000:.1f} 秒（预算 {m.budget.time_s} 秒），签名密钥 {m.keyid[:16]}"
            if zh
            else f"wrote snapshot {w.out_dir}: {len(m.artefacts)} artefacts, {m.budget.used_bytes / 1048576:.1f} MiB, "
            f"{m.budget.used_ms / 1000:.1f} s of a {m.budget.time_s} s budget, signed with key {m.keyid[:16]}"
        )
    ]
    if gaps:
        lines.append(f"  {gaps} 处无法读取（见 snapshot.md）" if zh else f"  {gaps} paths could not be read (see snapshot.md)")
    if m.mode == "offline-root":
        lines.append(
            "  离线镜像（offline-root）：依据镜像中的文件采集，未运行任何命令；进程、网络连接、登录会话和内核模块仅存在于运行中的系统，未采集"
            if zh
            else "  offline-root: collected from the image's files, no command run; processes, sockets, sessions and kernel "
            "modules exist only on a running system and were not collected"
        )
    cuts: List[Any] = list(m.cut) + [f"{a.name}: {c}" for a in m.artefacts for c in a.cut]
    for c in cuts:
        lines.append(f"  {'未采集' if zh else 'cut'}: {c}")
    if not m.privileged and m.mode == "offline-root":
        lines.append("  注意：未以 root 运行，镜像中仅 root 可读的文件无法读取" if zh else "  note: not run as root; files of the image that only root may read could not be read")
    elif not m.privileged:
        lines.append(
            "  注意：未以 root 运行，其他用户的进程、文件和日志无法读取"
            if zh
            else "  note: not run as root; other users' processes, files and logs could not be read"
        )
    return lines
