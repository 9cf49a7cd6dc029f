"""Receive one envelope: verify it as ``riskagent verify`` does, store it whatever the result, place it in the portfolio.

The order matters for cost and for honesty:

1. the same bytes from the same applicant again are the same record (by
   sha256), answered from the database without verifying twice;
2. verification (signatures, the full recheck against the embedded evidence,
   the insurer's policy) runs outside any transaction: it is the expensive
   part and touches no table;
3. one short write transaction stores the envelope unchanged with its result,
   and, for an accepted report, moves its asset's latest/previous pointers and
   raises the alerts the change calls for.

A report that fails is stored too, with its reasons, for the applicant to read
(``GET /api/v1/reports/<id>``); only an accepted one enters the portfolio. An
applicant registered with a 统一社会信用代码 must sign with a key of that
organisation: a genuine report signed by someone else is not theirs.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session

from agent.intake.alerts import AlertCandidate, ReportState, distinct, report_alerts
from agent.intake.config import IntakeConfig
from agent.intake.db import Database
from agent.intake.models import Alert, AlertKind, Applicant, Asset, PlanTask, ReportHardFail, ReportRecord, Status
from agent.intake.once import receive_once
from checks.model import Text
from report.verification import Outcome, Verification, verify_bytes

# The tables themselves, for statements that need none of the ORM's bookkeeping: run on the session's connection
# (its transaction), they skip the ORM's compile and flush steps: about a seventh of storing a report's processor time.
_REPORTS = cast(sa.Table, ReportRecord.__table__)
_HARD_FAILS = cast(sa.Table, ReportHardFail.__table__)
_TASKS = cast(sa.Table, PlanTask.__table__)
_ALERTS = cast(sa.Table, Alert.__table__)

# Each statement is built once, its values bound at execution: building them per report (the row's thirty values
# coerced and a cache key made from them each time) took about a quarter of the worker's time for storing it.
_FIND = (
    sa.select(ReportRecord)
    .options(sa.orm.defer(ReportRecord.envelope))
    .where(ReportRecord.applicant_id == sa.bindparam("applicant_id"), ReportRecord.envelope_sha256 == sa.bindparam("sha256"))
)
_INSERT_REPORT = sa.insert(_REPORTS).returning(_REPORTS.c.id)
_INSERT_HARD_FAILS = sa.insert(_HARD_FAILS)
_INSERT_TASKS = sa.insert(_TASKS)
_LOCK_ASSET = (
    sa.select(Asset).where(Asset.applicant_id == sa.bindparam("applicant_id"), Asset.name == sa.bindparam("name")).with_for_update()
)
_LATEST_ROW = sa.select(_REPORTS.c.started_at, _REPORTS.c.findings, _REPORTS.c.score, _REPORTS.c.grade).where(
    _REPORTS.c.id == sa.bindparam("report_id")
)
_LATEST_HARD_FAILS = sa.select(_HARD_FAILS.c.item, _HARD_FAILS.c.state).where(_HARD_FAILS.c.report_id == sa.bindparam("report_id"))
# A missed check-in is answered by any report of the asset, and an applicant-wide one (no asset) by any report.
_RESOLVE_CHECKINS = (
    sa.update(_ALERTS)
    .where(
        _ALERTS.c.kind == AlertKind.MISSED_CHECKIN,
        _ALERTS.c.applicant_id == sa.bindparam("for_applicant"),
        _ALERTS.c.resolved_at.is_(None),
        sa.or_(_ALERTS.c.asset_id == sa.bindparam("for_asset"), _ALERTS.c.asset_id.is_(None)),
    )
    .values(resolved_at=sa.bindparam("at"))
)


@dataclass(frozen=True)
class TaskFields:
    task_id: str
    kind: str
    ref: str
    target: Optional[str]
    severity: str
    owner: str
    due: dt.date
    checks: Tuple[str, ...]


@dataclass(frozen=True)
class Extracted:
    """What the intake keeps of a verification, beside the envelope itself."""

    outcome: str
    reason: Optional[str]
    problems: Tuple[str, ...]
    policy: Tuple[Dict[str, Any], ...]
    signers: Tuple[Dict[str, Any], ...]
    verified_at: dt.datetime
    genuine: bool  # the report is what its signers signed and follows from its evidence (valid or policy_failed)
    reason_zh: Optional[str] = None
    problems_zh: Tuple[str, ...] = ()
    report_uuid: Optional[str] = None
    subject: Optional[str] = None
    kind: Optional[str] = None
    profile: Optional[str] = None
    mode: Optional[str] = None
    started_at: Optional[dt.datetime] = None
    tool_version: Optional[str] = None
    previous_digest: Optional[str] = None
    score: Optional[int] = None
    grade: Optional[str] = None
    binding_blocked: Optional[bool] = None
    recommendation: Optional[str] = None
    hard_fails: Mapping[str, str] = field(default_factory=dict)
    findings: Mapping[str, str] = field(default_factory=dict)
    tasks: Tuple[TaskFields, ...] = ()


def _utc(text: str) -> dt.datetime:
    from report.trust import parse_time

    return parse_time(text)


def extract(v: Verification) -> Extracted:
    """The fields of a verification the portfolio reads; a report's content only when it is genuine."""
    signers = tuple(
        {
            "keyid": s.keyid,
            "label": s.key.label,
            "role": s.key.role.value if s.key.role is not None else None,
            "organisation_id": s.key.entry.organisation_id if s.key.entry is not None else None,
            "valid_until": s.key.entry.valid_until if s.key.entry is not None else None,
        }
        for s in v.signatures
        if s.counted and s.key is not None
    )
    base = Extracted(
        outcome=v.outcome.value,
        reason=v.reason or None,
        problems=v.problems,
        policy=tuple({"rule": r.rule, "ok": r.ok, "detail": r.detail, "detail_zh": r.detail_in("zh")} for r in v.policy),
        signers=signers,
        verified_at=_utc(v.verified_at),
        genuine=v.report is not None and v.outcome in (Outcome.VALID, Outcome.POLICY_FAILED),
        reason_zh=v.reason_in("zh") or None,
        problems_zh=v.problems_in("zh"),
    )
    r = v.report
    if r is None or not base.genuine:
        return base
    from report.decision import decide
    from report.policy import asset_names

    uw = r.underwriting
    tasks = {
        t.id: TaskFields(t.id, t.kind.value, t.ref, t.target, t.severity.value, t.owner, dt.date.fromisoformat(t.due), tuple(t.checks))
        for t in (r.plan.tasks if r.plan is not None else ())
    }
    return dataclasses.replace(
        base,
        report_uuid=r.report_id,
        subject=asset_names(r)[0],
        kind=r.target.kind,
        profile=r.profile.value,
        mode=r.run.mode,
        started_at=_utc(r.run.started_at),
        tool_version=r.tool.version,
        previous_digest=r.previous_report,
        score=uw.insurer.score if uw is not None else None,
        grade=uw.insurer.grade if uw is not None else None,
        binding_blocked=uw.hard_fail.binding_blocked if uw is not None else None,
        recommendation=decide(r).recommendation.value,
        hard_fails={e.id: e.state for e in uw.hard_fail.entries} if uw is not None else {},
        findings={(f"{f.check_id}@{f.target}" if f.target else f.check_id): f.status.value for f in r.findings},
        tasks=tuple(tasks.values()),
    )


def organisation_problem(
    applicant: Applicant, genuine: bool, signers: Sequence[Mapping[str, Any]], what: str = "report"
) -> Optional[Text]:
    """Why a genuine report (or application: ``what``) is not this applicant's: none of its trusted signers belongs
    to the applicant's organisation."""
    if applicant.organisation_id is None or not genuine:
        return None
    if any(s.get("organisation_id") == applicant.organisation_id for s in signers):
        return None
    labels = ", ".join(str(s["label"]) for s in signers)
    what_zh = "投保申请" if what == "application" else "报告"
    org = applicant.organisation_id
    return Text(
        zh=f"受理：该{what_zh}由 {labels or '无受信任密钥'} 签名；投保方 {applicant.name} 登记的组织为 {org}，只接收该组织密钥签名的{what_zh}",
        en=f"intake: the {what} is signed by {labels or 'no trusted key'}; applicant {applicant.name} is registered as organisation "
        f"{org} and sends only {what}s signed by a key of that organisation",
    )


def find(session: Session, applicant_id: int, sha256: str) -> Optional[ReportRecord]:
    return session.scalars(_FIND, {"applicant_id": applicant_id, "sha256": sha256}).first()


def receive(db: Database, config: IntakeConfig, applicant_id: int, token_id: Optional[int], data: bytes) -> Tuple[ReportRecord, bool]:
    """Store ``data`` for the applicant; the record and whether it is new (False: the same bytes came before)."""
    sha256 = hashlib.sha256(data).hexdigest()
    now = config.clock()

    def judge() -> Extracted:
        return extract(verify_bytes(data, config.trusted, config.policy, source=f"upload {sha256[:16]}", now=now, max_bytes=config.max_bytes))

    return receive_once(
        db,
        lambda session: find(session, applicant_id, sha256),
        judge,
        lambda session, fields: _store(session, applicant_id, token_id, data, sha256, fields, now),
    )


def _store(session: Session, applicant_id: int, token_id: Optional[int], data: bytes, sha256: str, f: Extracted, now: dt.datetime) -> ReportRecord:
    applicant = session.get(Applicant, applicant_id)
    if applicant is None:
        raise LookupError(f"no applicant {applicant_id}")
    intake_problem = organisation_problem(applicant, f.genuine, f.signers)
    accepted = f.outcome == Outcome.VALID.value and intake_problem is None
    problems = [*([intake_problem.en] if intake_problem else []), *f.problems]
    problems_zh = [*([intake_problem.zh] if intake_problem else []), *f.problems_zh]
    # An accepted report's asset first (locked), so the record is written with it in one statement.
    asset, previous = _asset_of(session, applicant, f, now) if accepted else (None, None)
    values: Dict[str, Any] = dict(
        applicant_id=applicant_id,
        asset_id=asset.id if asset is not None else None,
        token_id=token_id,
        envelope_sha256=sha256,
        envelope=data,
        size=len(data),
        received_at=now,
        status=Status.ACCEPTED if accepted else Status.REJECTED,
        outcome=f.outcome,
        reason=intake_problem.en if intake_problem else f.reason,
        problems=problems,
        reason_zh=intake_problem.zh if intake_problem else f.reason_zh,
        problems_zh=problems_zh,
        policy=list(f.policy),
        signers=list(f.signers),
        verified_at=f.verified_at,
        report_uuid=f.report_uuid,
        subject=f.subject,
        profile=f.profile,
        mode=f.mode,
        started_at=f.started_at,
        tool_version=f.tool_version,
        previous_digest=f.previous_digest,
        score=f.score,
        grade=f.grade,
        binding_blocked=f.binding_blocked,
        recommendation=f.recommendation,
        open_hard_fails=sum(1 for s in f.hard_fails.values() if s == "open"),
        unconfirmed_hard_fails=sum(1 for s in f.hard_fails.values() if s in ("unknown", "mitigable")),
        task_count=len(f.tasks) if accepted else 0,
        findings=dict(f.findings) if accepted else {},
    )
    # Rows written with the tables' own inserts (one statement each, one executemany for the many rows of one
    # shape), not through the ORM's unit of work: the record returned is built from the very values written.
    conn = session.connection()
    record_id = conn.execute(_INSERT_REPORT, values).scalar_one()
    record = ReportRecord(id=record_id, **values)
    if f.hard_fails:
        conn.execute(_INSERT_HARD_FAILS, [{"report_id": record_id, "item": i, "state": st} for i, st in sorted(f.hard_fails.items())])
    if accepted and f.tasks:
        conn.execute(
            _INSERT_TASKS,
            [
                {"report_id": record_id, "task_id": t.task_id, "kind": t.kind, "ref": t.ref, "target": t.target, "severity": t.severity, "owner": t.owner, "due": t.due, "checks": list(t.checks)}
                for t in f.tasks
            ],
        )
    if asset is not None:
        add_alerts(session, _place(session, record, asset, previous, applicant, f, now), now)
    return record


def _latest(session: Session, report_id: int) -> Tuple[Optional[dt.datetime], ReportState]:
    """When the asset's latest report was made, and what alerts compare of it: its columns and hard fails only
    (not its envelope, which is most of a row)."""
    conn = session.connection()
    row = conn.execute(_LATEST_ROW, {"report_id": report_id}).one()
    hard_fails = conn.execute(_LATEST_HARD_FAILS, {"report_id": report_id}).all()
    return row.started_at, ReportState(report_id, {item: state for item, state in hard_fails}, dict(row.findings), row.score, row.grade)


def _asset_of(session: Session, applicant: Applicant, f: Extracted, now: dt.datetime) -> Tuple[Asset, Optional[Tuple[Optional[dt.datetime], ReportState]]]:
    """The asset a genuine report is about, locked until the transaction ends (created at its first report), and
    when its latest report was made with what alerts compare of it (None: it has none yet)."""
    assert f.subject is not None
    asset = session.scalars(_LOCK_ASSET, {"applicant_id": applicant.id, "name": f.subject}).first()
    if asset is None:
        asset = Asset(applicant_id=applicant.id, name=f.subject, kind=f.kind or "host", first_seen=now, last_checkin=now)
        session.add(asset)
        session.flush()
    return asset, (_latest(session, asset.latest_report_id) if asset.latest_report_id is not None else None)


def _place(
    session: Session,
    record: ReportRecord,
    asset: Asset,
    latest: Optional[Tuple[Optional[dt.datetime], ReportState]],
    applicant: Applicant,
    f: Extracted,
    now: dt.datetime,
) -> List[AlertCandidate]:
    """Make ``record`` its asset's latest report unless a newer one is there already; the alerts that follow."""
    assert record.started_at is not None
    if latest is not None and latest[0] is not None and record.started_at < latest[0]:
        return []  # an older report that arrived late (an outbox resending): history, not the asset's state
    asset.previous_report_id, asset.latest_report_id = asset.latest_report_id, record.id
    asset.last_checkin = max(asset.last_checkin, now)
    session.connection().execute(_RESOLVE_CHECKINS, {"for_applicant": applicant.id, "for_asset": asset.id, "at": now})
    current = ReportState(record.id, dict(f.hard_fails), dict(record.findings), record.score, record.grade)
    return report_alerts(applicant.id, applicant.name, asset.id, asset.name, latest[1] if latest is not None else None, current)


def add_alerts(session: Session, candidates: List[AlertCandidate], now: dt.datetime) -> List[Alert]:
    """Store the candidates not raised before (by their key); the new alerts, due for delivery now."""
    if not candidates:
        return []
    known = session.scalars(sa.select(Alert.dedup_key).where(Alert.dedup_key.in_([c.dedup_key for c in candidates])))
    new = [
        Alert(
            kind=c.kind,
            dedup_key=c.dedup_key,
            applicant_id=c.applicant_id,
            asset_id=c.asset_id,
            report_id=c.report_id,
            detail=c.detail,
            raised_at=now,
            attempts=0,
            next_attempt_at=now,
        )
        for c in distinct(candidates, known)
    ]
    session.add_all(new)
    session.flush()
    return new
