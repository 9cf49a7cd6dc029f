"""The signed forensic snapshot: its manifest, the Statement that signs it, verifying a snapshot directory, its summary.

A snapshot directory holds ``snapshot.dsse.json`` (a DSSE envelope around
an in-toto Statement of :data:`SNAPSHOT_PREDICATE`), the artefacts stored
by their sha256 under ``artefacts/`` and the summary ``snapshot.md`` (an
artefact too). The predicate is the manifest: host identity, tool version,
mode, times, budgets and what they cut, and for every artefact its name,
file, size, sha256, media type, collection time, sources, gaps and cuts.
Its subjects are the host (with the manifest's digest) and every artefact
by its sha256, so the signature covers every byte of the directory
(chain of custody).

The manifest is for machines first: artefacts in name order, every list
sorted, stable keys, times in UTC. ``claim`` compares two snapshots, or a
snapshot with a report's evidence, artefact by artefact and item by item.

:func:`verify_snapshot` re-hashes every artefact and checks the signature,
the signer's trust store entry (validity window, targets) and the directory
itself: an artefact changed, missing, replaced by a link, or a file the
manifest does not list is named.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import stat as _stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from collectors.digest import sha256_hex
from collectors.strictjson import JSON, JsonShapeError, TextEnum, from_json, json_field, to_json
from report.application import Problem, Severity, _signatures, file_digest, outcome_of, statement
from report.canonical import CanonicalError, canonical_bytes, strict_loads
from report.signing import STATEMENT_TYPE, VerificationError
from report.trust import TrustedKey, matches, parse_time, window_problem

SNAPSHOT_PREDICATE = "urn:riskagent:predicate:snapshot:v1"
MANIFEST_FORMAT = 1
ENVELOPE_NAME = "snapshot.dsse.json"
SUMMARY_NAME = "snapshot.md"
SUMMARY_ARTEFACT = "summary"
ARTEFACTS_DIR = "artefacts"
MAX_MANIFEST_VALUES = 2_000_000
_SHA256 = re.compile(r"[0-9a-f]{64}", re.ASCII)
_NAME = re.compile(r"[a-z0-9_]+(?:/[a-z0-9_.]+)*", re.ASCII)


class SnapshotMode(TextEnum):
    LIVE = "live"  # this machine, as it runs
    REPLAY = "replay"  # a recorded host (tests, demonstrations)
    OFFLINE_ROOT = "offline-root"  # a mounted image: nothing at run time exists


@dataclass(frozen=True)
class Gap:
    """A path (or command) that could not be read, and why."""

    path: str
    reason: str


@dataclass(frozen=True)
class ArtefactRecord:
    """One artefact as the manifest signs it."""

    name: str  # stable key, e.g. "persistence/cron"
    file: str  # where it lies in the snapshot directory: artefacts/<sha256>, or snapshot.md
    sha256: str
    size: int
    media_type: str
    collected_at: str
    sources: Tuple[str, ...]
    entries: int
    redactions: int  # secrets replaced or lines withheld in copied text
    gaps: Tuple[Gap, ...] = field(default=(), metadata=json_field(omit_empty=True))
    cut: Tuple[str, ...] = field(default=(), metadata=json_field(omit_empty=True))


@dataclass(frozen=True)
class HostIdentity:
    name: str  # the name reports give the host (their subject is host:NAME)
    hostname: Optional[str]
    machine_app_id: Optional[str]  # as host.identity records it: never the raw machine id
    boot_id: Optional[str]
    kernel: Optional[str]
    os: Optional[str]
    boot_time: Optional[str]


@dataclass(frozen=True)
class Budget:
    time_s: int
    max_bytes: int
    used_ms: int
    used_bytes: int


@dataclass(frozen=True)
class AccessTimes:
    """How files were opened: with O_NOATIME (access times untouched) or, where the kernel refused it, without."""

    noatime_opens: int
    plain_opens: int


@dataclass(frozen=True)
class SnapshotManifest:
    format: int
    snapshot_id: str
    tool_version: str
    mode: SnapshotMode
    host: HostIdentity
    started_at: str
    finished_at: str
    privileged: bool
    keyid: str
    budget: Budget
    access_times: AccessTimes
    artefacts: Tuple[ArtefactRecord, ...]  # in name order
    cut: Tuple[str, ...]  # whole stages not run or stopped, artefacts left out for size

    def artefact(self, name: str) -> Optional[ArtefactRecord]:
        return next((a for a in self.artefacts if a.name == name), None)

    @property
    def subject(self) -> str:
        return f"host:{self.host.name}"

    @property
    def identifiers(self) -> Tuple[str, ...]:
        return (f"machine:{self.host.machine_app_id}",) if self.host.machine_app_id else ()


def artefact_file(sha256: str) -> str:
    return f"{ARTEFACTS_DIR}/{sha256}"


# ------------------------------------------------------------------------------------------ the statement


def subjects(predicate_json: Mapping[str, JSON], manifest: SnapshotManifest) -> List[Tuple[str, str]]:
    """The host with the manifest's digest, then every artefact by its sha256."""
    return [(manifest.subject, sha256_hex(canonical_bytes(dict(predicate_json))))] + [
        (f"artefact:{a.name}", a.sha256) for a in manifest.artefacts
    ]


def snapshot_payload(manifest: SnapshotManifest) -> bytes:
    raw = to_json(manifest)
    return statement(SNAPSHOT_PREDICATE, raw, subjects(raw, manifest))


def manifest_problem(m: SnapshotManifest) -> Optional[str]:
    """What makes a decoded manifest one riskagent never writes (None if nothing)."""
    if m.format != MANIFEST_FORMAT:
        return f"manifest format {m.format}; this riskagent reads format {MANIFEST_FORMAT}"
    names = [a.name for a in m.artefacts]
    if names != sorted(names) or len(set(names)) != len(names):
        return "the artefacts are not listed once each, in name order"
    for a in m.artefacts:
        if not _NAME.fullmatch(a.name) or not _SHA256.fullmatch(a.sha256):
            return f"artefact {a.name[:80]!r} has a malformed name or sha256"
        expected = SUMMARY_NAME if a.name == SUMMARY_ARTEFACT else artefact_file(a.sha256)
        if a.file != expected:
            return f"artefact {a.name} lies at {a.file[:80]!r}, not at {expected}"
    return None


def read_manifest(payload: bytes) -> SnapshotManifest:
    """The manifest a verified payload carries, in the one canonical form riskagent writes."""
    try:
        data = strict_loads(payload, "signed snapshot", MAX_MANIFEST_VALUES)
    except CanonicalError as exc:
        raise VerificationError(f"malformed snapshot: {exc}") from None
    if not isinstance(data, dict) or data.get("_type") != STATEMENT_TYPE:
        raise VerificationError("the signed payload is not an in-toto Statement v1")
    if data.get("predicateType") != SNAPSHOT_PREDICATE:
        raise VerificationError(f"this is not a snapshot: its predicate type is {str(data.get('predicateType'))[:80]!r}")
    try:
        manifest = from_json(SnapshotManifest, data.get("predicate"), "$.predicate")
    except JsonShapeError as exc:
        raise VerificationError(f"malformed snapshot manifest: {exc}") from None
    problem = manifest_problem(manifest)
    if problem:
        raise VerificationError(f"malformed snapshot manifest: {problem}")
    if snapshot_payload(manifest) != payload:
        raise VerificationError("the snapshot statement is not in the canonical form riskagent writes (edited after signing?)")
    return manifest


# ------------------------------------------------------------------------------------------ verifying a directory


@dataclass(frozen=True)
class ArtefactCheck:
    name: str
    file: str
    ok: bool
    detail: str


@dataclass(frozen=True)
class SnapshotVerification:
    source: str
    outcome: Any  # report.verification.Outcome
    problems: Tuple[Problem, ...]
    manifest: Optional[SnapshotManifest]
    signer: Optional[TrustedKey]
    artefacts: Tuple[ArtefactCheck, ...]
    verified_at: str

    @property
    def exit_code(self) -> int:
        from report.verification import EXIT_CODES

        return int(EXIT_CODES[self.outcome])

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> Dict[str, Any]:
        m = self.manifest
        return {
            "source": self.source,
            "kind": "snapshot",
            "result": str(self.outcome),
            "valid": self.ok,
            "reason": self.problems[0].text if self.problems else None,
            "problems": [{"severity": str(p.severity), "text": p.text} for p in self.problems],
            "verified_at": self.verified_at,
            "signer": None if self.signer is None else {"keyid": self.signer.keyid, "label": self.signer.label},
            "snapshot": None
            if m is None
            else {
                "snapshot_id": m.snapshot_id,
                "host": to_json(m.host),
                "mode": str(m.mode),
                "started_at": m.started_at,
                "finished_at": m.finished_at,
                "artefacts": len(m.artefacts),
                "cut": list(m.cut),
            },
            "artefacts": [to_json(a) for a in self.artefacts],
        }


def _check_artefact(directory: Path, a: ArtefactRecord) -> ArtefactCheck:
    path = directory / a.file
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return ArtefactCheck(a.name, a.file, False, f"missing: {a.file} is not in the snapshot directory")
    except OSError as exc:
        return ArtefactCheck(a.name, a.file, False, f"cannot read {a.file}: {exc.strerror or exc}")
    if not _stat.S_ISREG(st.st_mode):
        return ArtefactCheck(a.name, a.file, False, f"{a.file} is not a regular file (a link or a directory took its place)")
    try:
        size, digest = file_digest(path)
    except OSError as exc:
        return ArtefactCheck(a.name, a.file, False, f"cannot read {a.file}: {exc.strerror or exc}")
    if digest != a.sha256:
        return ArtefactCheck(
            a.name, a.file, False, f"tampered: {a.file} has sha256 {digest[:16]}…, the signed manifest says {a.sha256[:16]}…"
        )
    if size != a.size:
        return ArtefactCheck(a.name, a.file, False, f"{a.file} is {size} bytes, the signed manifest says {a.size}")
    return ArtefactCheck(a.name, a.file, True, f"{size} bytes, sha256 {digest[:16]}…")


def _extra_files(directory: Path, listed: Sequence[str]) -> List[str]:
    """Files and directories in the snapshot directory that the manifest does not account for."""
    expected = {ENVELOPE_NAME, *listed}
    extra: List[str] = []
    for top, dirs, files in os.walk(directory):
        rel = os.path.relpath(top, directory)
        for name in sorted(dirs):
            relpath = name if rel == "." else f"{rel}/{name}"
            if relpath != ARTEFACTS_DIR:
                extra.append(relpath + "/")
        dirs[:] = [d for d in dirs if (d if rel == "." else f"{rel}/{d}") == ARTEFACTS_DIR]
        for name in sorted(files):
            relpath = name if rel == "." else f"{rel}/{name}"
            if relpath not in expected:
                extra.append(relpath)
    return sorted(extra)


def verify_snapshot(
    directory: Path, trusted: Mapping[str, TrustedKey], *, now: Optional[dt.datetime] = None, max_bytes: Optional[int] = None
) -> SnapshotVerification:
    """Verify a snapshot directory; never raises for what the directory holds."""
    from report.envelope import DEFAULT_MAX_BYTES, check_signatures, parse_envelope, read_bounded

    at = (now or dt.datetime.now(dt.timezone.utc)).astimezone(dt.timezone.utc)
    stamp = at.strftime("%Y-%m-%dT%H:%M:%SZ")
    envelope = directory / ENVELOPE_NAME

    def invalid(text: str, manifest: Optional[SnapshotManifest] = None, signer: Optional[TrustedKey] = None) -> SnapshotVerification:
        return SnapshotVerification(str(directory), outcome_of([Problem(Severity.INVALID, text)]), (Problem(Severity.INVALID, text),), manifest, signer, (), stamp)

    if not directory.is_dir() or not envelope.is_file():
        return invalid(f"no snapshot at {directory} (expected a directory holding {ENVELOPE_NAME})")
    try:
        env = parse_envelope(read_bounded(envelope, max_bytes or DEFAULT_MAX_BYTES))
    except VerificationError as exc:
        return invalid(f"{ENVELOPE_NAME}: {exc}")
    signer, problems = _signatures(check_signatures(env, trusted), ENVELOPE_NAME)
    if signer is None and not problems:
        problems.append(Problem(Severity.INVALID, f"{ENVELOPE_NAME}: no signature by a trusted key"))
    if problems:
        return SnapshotVerification(str(directory), outcome_of(problems), tuple(problems), None, None, (), stamp)
    try:
        manifest = read_manifest(env.payload)
    except VerificationError as exc:
        return invalid(f"{ENVELOPE_NAME}: {exc}", None, signer)
    assert signer is not None
    if manifest.keyid != signer.keyid:
        problems.append(Problem(Severity.INVALID, f"the manifest names key {manifest.keyid[:16]} but is signed by key {signer.keyid[:16]}"))
    checks = tuple(_check_artefact(directory, a) for a in manifest.artefacts)
    problems += [Problem(Severity.INVALID, f"artefact {c.name}: {c.detail}") for c in checks if not c.ok]
    for extra in _extra_files(directory, [a.file for a in manifest.artefacts]):
        problems.append(Problem(Severity.INVALID, f"extra file: {extra} is not listed in the signed manifest"))
    problems += _identity_problems(signer, manifest, at)
    return SnapshotVerification(str(directory), outcome_of(problems), tuple(problems), manifest, signer, checks, stamp)


def _identity_problems(signer: TrustedKey, manifest: SnapshotManifest, now: dt.datetime) -> List[Problem]:
    """What the trust store says against this key signing a snapshot of this host (a bare key: nothing)."""
    entry = signer.entry
    if entry is None:
        return []
    out: List[Problem] = []
    try:
        taken = parse_time(manifest.finished_at)
    except ValueError:
        return [Problem(Severity.INVALID, f"the snapshot's time {manifest.finished_at[:40]!r} is not a UTC time")]
    for moment, what in ((taken, "the snapshot's time"), (now, "now")):
        why = window_problem(entry, moment, what)
        if why:
            out.append(Problem(Severity.POLICY, why))
    if not matches(entry.targets, manifest.subject, manifest.identifiers):
        out.append(Problem(Severity.POLICY, f"{entry.label} may sign only for {', '.join(entry.targets)}, not for {manifest.subject}"))
    return out


# ------------------------------------------------------------------------------------------ words

_T: Dict[str, Tuple[str, str]] = {
    "title": ("取证快照", "Forensic snapshot"),
    "valid": ("有效", "VALID"),
    "invalid": ("无效", "INVALID"),
    "policy_failed": ("签名真实，但不符合信任策略", "GENUINE, BUT OUTSIDE THE TRUST POLICY"),
    "unsupported": ("不支持", "UNSUPPORTED"),
    "problems": ("问题", "problems"),
    "host": ("主机", "host"),
    "mode": ("模式", "mode"),
    "taken": ("采集时间", "taken"),
    "signed_by": ("签名者", "signed by"),
    "artefacts": ("证据项", "artefacts"),
    "privileged": ("以 root 运行", "run as root"),
    "unprivileged": ("未以 root 运行：部分内容无法读取", "run without root: some of the host could not be read"),
    "budget": ("预算", "budget"),
    "atime": ("访问时间", "access times"),
    "atime_text": (
        "{n} 次以 O_NOATIME 打开（访问时间未改变），{m} 次内核拒绝 O_NOATIME",
        "{n} opens with O_NOATIME (access times unchanged), {m} where the kernel refused O_NOATIME",
    ),
    "budget_text": ("用时 {used} / {time} 秒，证据 {bytes} / {max} MiB", "{used} of {time} s, {bytes} of {max} MiB of artefacts"),
    "gaps": ("无法读取", "Could not be read"),
    "cuts": ("因预算未采集", "Left out by a budget"),
    "cuts_offline": ("因预算或离线镜像未采集", "Left out by a budget or by offline-root"),
    "none": ("无", "none"),
    "offline_root": (
        "离线镜像（offline-root）：依据镜像中的文件采集，未运行任何命令；仅存在于运行中系统的状态（进程、网络连接、登录会话、已加载的内核模块）未采集",
        "Offline root file system (offline-root): collected from the image's files, no command run; run-time state "
        "(processes, sockets, sessions, loaded kernel modules) exists only on a running system and was not collected",
    ),
    "col": ("| 证据项 | 条目 | 字节 | sha256 | 脱敏 | 无法读取 |", "| artefact | entries | bytes | sha256 | redacted | unreadable |"),
    "intro": (
        "本快照只读采集；签名清单（snapshot.dsse.json）逐项记录每个证据项的 sha256，`riskagent snapshot verify` 可复核。私钥、口令散列和令牌只记录路径与 sha256。",
        "This snapshot was collected read-only; the signed manifest (snapshot.dsse.json) lists the sha256 of every artefact, "
        "and `riskagent snapshot verify` checks them. Private keys, password hashes and tokens are recorded by path and sha256 only.",
    ),
}


def _t(key: str, lang: str) -> str:
    zh, en = _T[key]
    return zh if lang == "zh" else en


def render_summary(manifest: SnapshotManifest, lang: str) -> str:
    """``snapshot.md``: the host, the budgets, every artefact, what could not be read and what was cut (zh or en)."""
    from report.escape import md, md_cell, md_code, md_code_cell

    m = manifest
    h = m.host
    lines = [f"# {_t('title', lang)}: {md(h.name)}", "", _t("intro", lang), ""]
    lines.append(f"- {_t('host', lang)}: {md(h.name)} ({md(h.os or '?')}, {md(h.kernel or '?')}), machine {md_code(h.machine_app_id or '?')}")
    lines.append(f"- {_t('mode', lang)}: {md_code(str(m.mode))}; {_t('privileged' if m.privileged else 'unprivileged', lang)}")
    if m.mode is SnapshotMode.OFFLINE_ROOT:
        lines.append(f"- {_t('offline_root', lang)}")
    lines.append(f"- {_t('taken', lang)}: {md(m.started_at)} – {md(m.finished_at)}; snapshot {md_code(m.snapshot_id)}, riskagent {md(m.tool_version)}")
    lines.append(f"- key: {md_code(m.keyid[:16])}")
    b = m.budget
    lines.append(
        f"- {_t('budget', lang)}: "
        + _t("budget_text", lang).format(used=f"{b.used_ms / 1000:.1f}", time=b.time_s, bytes=f"{b.used_bytes / 1048576:.1f}", max=b.max_bytes >> 20)
    )
    lines.append(f"- {_t('atime', lang)}: " + _t("atime_text", lang).format(n=m.access_times.noatime_opens, m=m.access_times.plain_opens))
    lines += ["", f"## {_t('artefacts', lang)}", "", _t("col", lang), "|---|---:|---:|---|---:|---:|"]
    for a in m.artefacts:
        lines.append(f"| {md_code_cell(a.name)} | {a.entries} | {a.size} | {md_code_cell(a.sha256[:16])} | {a.redactions} | {len(a.gaps)} |")
    gaps = [(a.name, g) for a in m.artefacts for g in a.gaps]
    lines += ["", f"## {_t('gaps', lang)}", ""]
    lines += [f"- {md_code(name)}: {md_code(g.path)}: {md_cell(g.reason)}" for name, g in gaps[:300]] or [f"- {_t('none', lang)}"]
    if len(gaps) > 300:
        lines.append(f"- … {len(gaps) - 300}")
    cuts = list(m.cut) + [f"{a.name}: {c}" for a in m.artefacts for c in a.cut]
    lines += ["", f"## {_t('cuts_offline' if m.mode is SnapshotMode.OFFLINE_ROOT else 'cuts', lang)}", ""]
    lines += [f"- {md(c)}" for c in cuts] or [f"- {_t('none', lang)}"]
    return "\n".join(lines) + "\n"


def verification_lines(v: SnapshotVerification, lang: str) -> List[str]:
    """A snapshot's verification in words (zh or en); every string from the directory made terminal-safe."""
    from report.terminal import safe_line as s

    lines = [f"{_t(str(v.outcome), lang)}  {s(v.source)}"]
    if v.problems:
        lines.append(f"  {_t('problems', lang)}:")
        lines += [f"    - {s(p.text)}" for p in v.problems[:40]]
        if len(v.problems) > 40:
            lines.append(f"    … {len(v.problems) - 40}")
    m = v.manifest
    if m is not None:
        who = s(v.signer.label) if v.signer is not None else "?"
        lines.append(f"  {_t('host', lang)}: {s(m.host.name)} ({s(m.host.os or '?')}), {_t('mode', lang)} {m.mode}, {_t('taken', lang)} {s(m.finished_at)}")
        if m.mode is SnapshotMode.OFFLINE_ROOT:
            lines.append(f"  {_t('offline_root', lang)}")
        lines.append(f"  {_t('signed_by', lang)}: {who}, key {m.keyid[:16]}")
        good = sum(1 for c in v.artefacts if c.ok)
        lines.append(f"  {_t('artefacts', lang)}: {good}/{len(m.artefacts)} ok")
        for c in v.artefacts:
            if not c.ok:
                lines.append(f"    [FAIL] {s(c.name)}: {s(c.detail)}")
        if m.cut:
            lines.append(f"  {_t('cuts_offline' if m.mode is SnapshotMode.OFFLINE_ROOT else 'cuts', lang)}:")
            lines += [f"    - {s(c)}" for c in m.cut]
    return lines
