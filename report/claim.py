"""The claim report (保后 溯源取证、定责定损): what the verified history says about the insured's systems
at the time of an incident, and what changed afterwards.

It states facts with their evidence and leaves liability to the adjuster:

* the last verified assessment before the incident and its age;
* the state of each warranty (核保否决项) in *that* report — never in a later report or in the
  post-incident snapshot, where a warranty may have been repaired after the fact;
* the rectification tasks open at that time, with the date each was first found (the earliest
  report of the unbroken run of reports in which its checks failed), its due date counted from
  then, and whether it was overdue at the incident;
* gaps in the history: chain problems (a missing, edited or forked report) and intervals longer
  than the expected schedule, including the time from the last report to the incident;
* what changed between that assessment and a post-incident snapshot (``report.claim_changes``);
* one timeline merging all of it.

Every report was verified (signature and full recheck) before it is used here; reports that did
not verify are listed with the reason and never used as evidence.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from checks.model import Status, Text
from collectors.strictjson import JSON, to_json

CLAIM_PREDICATE = "urn:riskagent:predicate:claim:v1"
# 2: notes, gap details and timeline texts are bilingual ({"zh", "en"}); format 1 had English strings there.
# 3: an excluded file's reason is bilingual too.
CLAIM_FORMAT = 3
DEFAULT_MAX_INTERVAL_S = 2 * 86400  # a daily schedule plus a day of grace


def parse_utc(text: str, what: str = "time") -> dt.datetime:
    """An ISO 8601 time with a zone (Z or ±hh:mm), as UTC. Naive times are refused: an incident time without a
    zone is eight hours ambiguous in this market."""
    try:
        value = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{what} {text[:60]!r} is not an ISO 8601 time (e.g. 2026-11-30T03:00:00+08:00)") from None
    if value.tzinfo is None:
        raise ValueError(f"{what} {text[:60]!r} has no time zone: add Z (UTC) or +08:00 (Beijing time)")
    return value.astimezone(dt.timezone.utc)


def utc_text(value: dt.datetime) -> str:
    return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class ReportRef:
    """A verified report the claim rests on."""

    report_id: str
    digest: str
    started_at: str
    file: str
    score: Optional[str]
    failed: int


@dataclass(frozen=True)
class Basis:
    """The last verified assessment before the incident."""

    report: ReportRef
    age_hours: int  # from the start of that assessment to the incident


@dataclass(frozen=True)
class Warranty:
    """One hard-fail item (核保否决项) as the basis report states it."""

    id: str
    label: Text
    state: str  # open, mitigable, unknown, clear (report.underwriting.HardFailEntry)
    checks: Tuple[str, ...]
    failing: Tuple[str, ...]  # the checks that failed in the basis report


@dataclass(frozen=True)
class OpenTask:
    """A rectification task open at the incident."""

    id: str
    ref: str
    severity: str
    checks: Tuple[str, ...]
    questions: Tuple[str, ...]
    first_found: str  # date of the earliest report of the unbroken run in which its checks failed
    sla_days: int
    due: str
    overdue_days: int  # > 0: overdue at the incident by that many days


@dataclass(frozen=True)
class Gap:
    kind: str  # chain problem kind (gap, edited, fork, ...), "interval" or "since_last"
    start: Optional[str]
    end: Optional[str]
    detail: Text  # a chain problem: what it is in both languages, then the history check's own (English) diagnostic


@dataclass(frozen=True)
class Change:
    """Something different after the basis assessment, with the evidence on both sides."""

    kind: str  # uid0_account, account, persistence, authorized_key, modified_binary, listening
    subject: str
    before: Optional[str]
    after: Optional[str]
    evidence: str  # where it was seen: an artefact name and sha256, or the report evidence
    at: Optional[str] = None  # when, where the evidence dates it (a file's mtime)


@dataclass(frozen=True)
class Event:
    at: str
    kind: str  # report, gap, incident, snapshot, change, unverified
    text: Text


@dataclass(frozen=True)
class Excluded:
    file: str
    reason: Text  # why it did not verify


@dataclass(frozen=True)
class Claim:
    """The whole claim report (the signed predicate)."""

    format: int
    claim_id: str
    target: str
    incident_at: str
    prepared_at: str
    basis: Optional[Basis]
    warranties: Tuple[Warranty, ...]
    tasks: Tuple[OpenTask, ...]
    gaps: Tuple[Gap, ...]
    changes: Tuple[Change, ...]
    snapshot: Optional[Mapping[str, JSON]]  # id, digest, collected_at of the post-incident snapshot
    reports: Tuple[ReportRef, ...]  # every verified report of the target, oldest first
    excluded: Tuple[Excluded, ...]  # files that did not verify: not used
    timeline: Tuple[Event, ...]
    notes: Tuple[Text, ...]

    def as_json(self) -> Dict[str, Any]:
        data: Dict[str, Any] = to_json(self)
        return data

    @property
    def overdue(self) -> Tuple[OpenTask, ...]:
        return tuple(t for t in self.tasks if t.overdue_days > 0)


# ------------------------------------------------------------------------------------------ building


def _ref(entry: Any) -> ReportRef:
    return ReportRef(entry.report_id, entry.digest, entry.started_at, str(entry.path), entry.score, entry.failed)


def _statuses(report: Any) -> Dict[str, Status]:
    return {f.check_id: f.status for f in report.findings if f.target is None}


def _first_found(task: Any, before: Sequence[Any]) -> str:
    """The start date of the unbroken run of reports (newest backwards) in which one of the task's checks failed."""
    first = before[-1]
    for entry in reversed(before):
        if entry.report is None:
            break  # another catalogue: its findings cannot be read here, so the run cannot be followed through it
        statuses = _statuses(entry.report)
        if not any(statuses.get(c) is Status.FAIL for c in task.checks):
            break
        first = entry
    return str(first.started_at)[:10]


def _warranties(report: Any) -> Tuple[Warranty, ...]:
    if report.underwriting is None:
        return ()
    statuses = _statuses(report)
    out = []
    for e in report.underwriting.hard_fail.entries:
        failing = tuple(c for c in e.checks if statuses.get(c) is Status.FAIL)
        out.append(Warranty(e.id, e.label, e.state, tuple(e.checks), failing))
    return tuple(out)


def _tasks(report: Any, before: Sequence[Any], plan_settings: Mapping[str, JSON], incident: dt.datetime) -> Tuple[OpenTask, ...]:
    from report.plan import plan_of_report

    plan = plan_of_report(report, plan_settings, report.run.started_at[:10])
    out = []
    for t in plan.tasks:
        first = _first_found(t, before) if t.checks else report.run.started_at[:10]
        due = dt.date.fromisoformat(first) + dt.timedelta(days=t.sla_days)
        overdue = (incident.date() - due).days
        out.append(
            OpenTask(t.id, t.ref, t.severity.value, tuple(t.checks), tuple(t.questions), first, t.sla_days, due.isoformat(), max(0, overdue))
        )
    return tuple(sorted(out, key=lambda t: (-t.overdue_days, t.due, t.id)))


# What each kind of chain problem (agent.history.Problem.kind) means, said before the history check's own diagnostic
# (English, naming files and digests), which is kept verbatim: it is what an investigator looks up.
CHAIN_PROBLEMS: Dict[str, Text] = {
    "gap": Text(zh="报告缺失（或前一份报告在被后续报告引用后遭改动）", en="missing report (or the previous report was edited after its successor named it)"),
    "edited": Text(zh="报告被改动：同一份报告存在内容不同的副本", en="edited report: one report exists with different contents"),
    "fork": Text(zh="分叉：多份报告声明同一份前序报告", en="fork: several reports name the same predecessor"),
    "duplicate": Text(zh="重复：两个文件是同一份报告", en="duplicate: two files hold the same report"),
    "unlinked": Text(zh="链条重新开始：报告未声明前序报告，但已提供更早的报告", en="chain restarted: a report names no predecessor although older reports are given"),
    "order": Text(zh="顺序错乱：报告声明的前序报告开始得更晚", en="out of order: a report names a predecessor that started later"),
    "foreign": Text(zh="链接到其他对象：报告声明的前序报告属于另一评估对象", en="foreign link: a report names a report of another target as its predecessor"),
}

# The changes a snapshot comparison lists (report.claim_changes), as the claim names them.
CHANGE_KINDS: Dict[str, Text] = {
    "uid0_account": Text(zh="新增 UID 0 账户", en="New UID 0 account"),
    "account": Text(zh="新增账户", en="New account"),
    "persistence": Text(zh="新增持久化项", en="New persistence entry"),
    "authorized_key": Text(zh="新增 SSH 授权密钥（authorized_keys）", en="New SSH authorized key"),
    "modified_binary": Text(zh="被修改的系统程序", en="Modified system binary"),
    "listening": Text(zh="新增监听端口", en="New listening port"),
}


def chain_problem_text(kind: str, message: str) -> Text:
    """A chain problem in the claim: its kind in both languages, then the history check's diagnostic verbatim."""
    what = CHAIN_PROBLEMS.get(kind, Text(zh=f"评估历史问题（{kind}）", en=f"history problem ({kind})"))
    return Text(zh=f"{what.zh}。验证工具原文：{message}", en=f"{what.en}: {message}")


def _gaps(chain: Sequence[Any], problems: Sequence[Any], incident: dt.datetime, max_interval_s: int) -> Tuple[Gap, ...]:
    out = [Gap(p.kind, None, None, chain_problem_text(p.kind, p.message)) for p in problems]
    before = [e for e in chain if parse_utc(e.started_at) <= incident]
    for a, b in itertools.pairwise(before):
        seconds = (parse_utc(b.started_at) - parse_utc(a.started_at)).total_seconds()
        if seconds > max_interval_s:
            days = f"{seconds / 86400:.1f}"
            out.append(Gap("interval", a.started_at, b.started_at, Text(zh=f"连续 {days} 天没有经验证的评估报告", en=f"no verified report for {days} days")))
    if before:
        seconds = (incident - parse_utc(before[-1].started_at)).total_seconds()
        if seconds > max_interval_s:
            days = f"{seconds / 86400:.1f}"
            detail = Text(zh=f"最后一份经验证的评估报告早于事故 {days} 天", en=f"the last verified report is {days} days older than the incident")
            out.append(Gap("since_last", before[-1].started_at, utc_text(incident), detail))
    return tuple(out)


NO_BASIS = Text(zh="事故前没有该对象经验证的评估报告", en="no verified assessment of this target was made before the incident")
OTHER_CATALOGUE = Text(
    zh="事故前最新的一份评估报告由其他检查规则版本生成：其签名有效，但其检查结果未被采用",
    en="the newest report before the incident was made with another rule catalogue: its signature holds, its findings are not used",
)


def _report_event(e: Any) -> Event:
    score = e.score or "-"
    return Event(e.started_at, "report", Text(zh=f"评估报告 {e.report_id}（未通过检查 {e.failed} 项，评分 {score}）", en=f"report {e.report_id} ({e.failed} failed checks, score {score})"))


def _snapshot_event(snapshot: Mapping[str, JSON]) -> Event:
    ident = snapshot.get("id", "")
    mode = snapshot.get("mode") if snapshot.get("mode") and snapshot.get("mode") != "live" else None
    return Event(
        str(snapshot.get("collected_at") or ""),
        "snapshot",
        Text(zh=f"事故后快照 {ident}" + (f"（{mode}）" if mode else ""), en=f"post-incident snapshot {ident}" + (f" ({mode})" if mode else "")),
    )


def _change_event(c: Change, at: str) -> Event:
    what = CHANGE_KINDS.get(c.kind, Text(zh=c.kind, en=c.kind))
    return Event(at, "change", Text(zh=f"{what.zh}：{c.subject}", en=f"{what.en}: {c.subject}"))


def build_claim(
    *,
    claim_id: str,
    target: str,
    chain: Sequence[Any],
    problems: Sequence[Any],
    excluded: Sequence[Excluded],
    incident: dt.datetime,
    prepared_at: dt.datetime,
    plan_settings: Mapping[str, JSON],
    max_interval_s: int = DEFAULT_MAX_INTERVAL_S,
    snapshot: Optional[Mapping[str, JSON]] = None,
    changes: Sequence[Change] = (),
    notes: Sequence[Text] = (),
) -> Claim:
    """The claim from one target's verified chain (``agent.history.check_chain``), oldest first."""
    before = [e for e in chain if parse_utc(e.started_at) <= incident]
    usable = [e for e in before if e.report is not None]
    basis_entry = usable[-1] if usable else None
    basis = None
    warranties: Tuple[Warranty, ...] = ()
    tasks: Tuple[OpenTask, ...] = ()
    all_notes = list(notes)
    if basis_entry is not None:
        age = int((incident - parse_utc(basis_entry.started_at)).total_seconds() // 3600)
        basis = Basis(_ref(basis_entry), age)
        warranties = _warranties(basis_entry.report)
        tasks = _tasks(basis_entry.report, before[: before.index(basis_entry) + 1], plan_settings, incident)
    else:
        all_notes.append(NO_BASIS)
    if before and before[-1] is not basis_entry:
        all_notes.append(OTHER_CATALOGUE)
    gaps = _gaps(chain, problems, incident, max_interval_s)
    events: List[Event] = [_report_event(e) for e in chain]
    events.append(Event(utc_text(incident), "incident", Text(zh="事故发生", en="incident")))
    events += [Event(g.start or utc_text(incident), "gap", g.detail) for g in gaps if g.kind in ("interval", "since_last")]
    if snapshot is not None:
        events.append(_snapshot_event(snapshot))
    events += [_change_event(c, c.at) for c in changes if c.at]
    return Claim(
        format=CLAIM_FORMAT,
        claim_id=claim_id,
        target=target,
        incident_at=utc_text(incident),
        prepared_at=utc_text(prepared_at),
        basis=basis,
        warranties=warranties,
        tasks=tasks,
        gaps=gaps,
        changes=tuple(changes),
        snapshot=snapshot,
        reports=tuple(_ref(e) for e in chain),
        excluded=tuple(excluded),
        timeline=tuple(sorted(events, key=lambda e: (e.at, e.kind))),
        notes=tuple(all_notes),
    )


# ------------------------------------------------------------------------------------------ signing


def claim_payload(claim: Claim) -> bytes:
    """The canonical in-toto Statement of the claim, about the basis report and the snapshot it rests on."""
    from collectors.digest import sha256_hex
    from report.application import statement
    from report.canonical import canonical_bytes

    predicate = claim.as_json()
    subjects = [(f"claim:{claim.target}", sha256_hex(canonical_bytes(predicate)))]
    if claim.basis is not None:
        subjects.append((f"report:{claim.basis.report.report_id}", claim.basis.report.digest))
    return statement(CLAIM_PREDICATE, predicate, subjects)
