"""The portfolio and one applicant, as the dashboard and the exports read them.

Three queries make the whole portfolio, whatever its size: applicants with
their assets' latest and previous accepted reports (pointers kept by
``ingest``, so no search through history), the open and overdue plan tasks of
those latest reports, and the open alerts. Filters and sorting are applied to
the rows in Python, where the dashboard's choices are easy to add.

An applicant with several assets is as good as its worst: the worst grade,
the lowest score, every open hard fail and task summed, and besides the most
recent check-in the stalest one (the asset that stopped reporting).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from agent.intake.alerts import GRADES
from agent.intake.models import Alert, Applicant, Asset, PlanTask, ReportHardFail, ReportRecord

SORT_KEYS = ("applicant", "grade", "score", "open_hard_fails", "overdue_tasks", "last_checkin", "score_delta")


@dataclass
class PortfolioRow:
    """One applicant in the portfolio list."""

    applicant_id: int
    applicant: str
    display_name: str
    organisation_id: Optional[str]
    assets: int = 0
    grade: Optional[str] = None  # the worst latest grade of its assets
    score: Optional[int] = None  # the lowest latest score
    score_delta: Optional[int] = None  # latest minus previous, summed over assets that have both
    open_hard_fails: int = 0
    open_tasks: int = 0
    overdue_tasks: int = 0
    last_checkin: Optional[dt.datetime] = None
    stalest_checkin: Optional[dt.datetime] = None
    open_alerts: int = 0
    latest_report_id: Optional[int] = None  # the most recently received of the assets' latest reports


def _worse(a: Optional[str], b: Optional[str]) -> Optional[str]:
    if a not in GRADES:
        return b
    if b not in GRADES:
        return a
    return a if GRADES.index(a) >= GRADES.index(b) else b


def portfolio(
    session: Session,
    today: dt.date,
    *,
    grades: Sequence[str] = (),
    search: Optional[str] = None,
    sort: str = "applicant",
    descending: bool = False,
) -> List[PortfolioRow]:
    """Every applicant (or those with one of ``grades``, or whose name holds ``search``), sorted by ``sort``."""
    if sort not in SORT_KEYS:
        raise ValueError(f"sort by one of {', '.join(SORT_KEYS)}")
    latest = aliased(ReportRecord)
    previous = aliased(ReportRecord)
    # Overdue tasks per asset, counted with the (report_id, due) index: cheaper than grouping every task of the portfolio.
    overdue = sa.select(sa.func.count()).where(PlanTask.report_id == Asset.latest_report_id, PlanTask.due < today).correlate(Asset).scalar_subquery()
    rows: Sequence[Any] = session.execute(
        sa.select(
            Applicant.id,
            Applicant.name,
            Applicant.display_name,
            Applicant.organisation_id,
            Asset.id,
            Asset.last_checkin,
            latest.id,
            latest.score,
            latest.grade,
            latest.open_hard_fails,
            previous.score,
            latest.task_count,
            overdue,
        )
        .outerjoin(Asset, Asset.applicant_id == Applicant.id)
        .outerjoin(latest, latest.id == Asset.latest_report_id)
        .outerjoin(previous, previous.id == Asset.previous_report_id)
    ).all()
    alerts: Dict[int, int] = {
        applicant_id: int(n)
        for applicant_id, n in session.execute(
            sa.select(Alert.applicant_id, sa.func.count()).where(Alert.resolved_at.is_(None)).group_by(Alert.applicant_id)
        ).all()
    }
    out: Dict[int, PortfolioRow] = {}
    for aid, name, display, org, asset_id, last_checkin, latest_id, score, grade, hard_fails, prev_score, n_tasks, n_overdue in rows:
        row = out.get(aid)
        if row is None:
            row = out[aid] = PortfolioRow(aid, name, display, org, open_alerts=alerts.get(aid, 0))
        if asset_id is None:
            continue
        row.assets += 1
        row.last_checkin = last_checkin if row.last_checkin is None else max(row.last_checkin, last_checkin)
        row.stalest_checkin = last_checkin if row.stalest_checkin is None else min(row.stalest_checkin, last_checkin)
        if latest_id is None:
            continue
        row.grade = _worse(row.grade, grade)
        row.score = score if row.score is None else (row.score if score is None else min(row.score, score))
        if score is not None and prev_score is not None:
            row.score_delta = (row.score_delta or 0) + score - prev_score
        row.open_hard_fails += hard_fails or 0
        row.open_tasks += n_tasks or 0
        row.overdue_tasks += n_overdue or 0
        row.latest_report_id = latest_id if row.latest_report_id is None else max(row.latest_report_id, latest_id)  # ids grow as reports arrive
    result = list(out.values())
    if grades:
        wanted = {g.upper() for g in grades}
        result = [r for r in result if (r.grade or "-") in wanted]
    if search:
        needle = search.casefold()
        result = [r for r in result if needle in r.applicant.casefold() or needle in r.display_name.casefold() or needle in (r.organisation_id or "").casefold()]
    result.sort(key=lambda r: r.applicant)
    result.sort(key=_sort_key(sort), reverse=descending)
    return result


def _sort_key(sort: str) -> Callable[[PortfolioRow], Tuple[object, ...]]:
    """The primary key of a sort (rows come sorted by name first, and Python's sort is stable either way round)."""

    def key(r: PortfolioRow) -> Tuple[object, ...]:
        if sort == "grade":
            return (GRADES.index(r.grade) if r.grade in GRADES else len(GRADES),)
        if sort == "last_checkin":
            return (r.stalest_checkin or dt.datetime.min.replace(tzinfo=dt.timezone.utc),)
        if sort == "applicant":
            return (r.applicant,)
        value = getattr(r, sort)
        return (value is None, value if value is not None else 0)

    return key


# ------------------------------------------------------------------------------------------ one applicant


@dataclass(frozen=True)
class AssetView:
    asset_id: int
    name: str
    kind: str
    first_seen: dt.datetime
    last_checkin: dt.datetime
    latest_report_id: Optional[int]
    score: Optional[int]
    grade: Optional[str]
    open_hard_fails: int


@dataclass(frozen=True)
class HistoryRow:
    """A received report, accepted or not: the applicant's page charts score and hard fails from these."""

    record_id: int
    received_at: dt.datetime
    started_at: Optional[dt.datetime]
    subject: Optional[str]
    status: str
    outcome: str
    reason: Optional[str]
    score: Optional[int]
    grade: Optional[str]
    open_hard_fails: int
    report_uuid: Optional[str]
    reason_zh: Optional[str] = None  # None on records stored before revision 0005

    def reason_in(self, lang: str) -> Optional[str]:
        return self.reason_zh if lang == "zh" and self.reason_zh else self.reason


@dataclass(frozen=True)
class TaskRow:
    asset: str
    task_id: str
    kind: str
    ref: str
    target: Optional[str]
    severity: str
    owner: str
    due: dt.date
    overdue: bool


@dataclass(frozen=True)
class HardFailRow:
    asset: str
    item: str
    state: str


@dataclass(frozen=True)
class AlertRow:
    alert_id: int
    kind: str
    asset: Optional[str]
    raised_at: dt.datetime
    resolved_at: Optional[dt.datetime]
    acknowledged_at: Optional[dt.datetime]
    delivered_at: Optional[dt.datetime]
    detail: Dict[str, object]


@dataclass(frozen=True)
class ApplicantView:
    summary: PortfolioRow
    assets: Tuple[AssetView, ...]
    history: Tuple[HistoryRow, ...]  # newest first
    tasks: Tuple[TaskRow, ...]  # of the assets' latest reports, earliest due first
    hard_fails: Tuple[HardFailRow, ...]  # of the assets' latest reports
    alerts: Tuple[AlertRow, ...]  # newest first


def applicant_view(session: Session, name: str, today: dt.date, history_limit: int = 500) -> Optional[ApplicantView]:
    """Everything the applicant page shows, or None for an unknown applicant."""
    applicant = session.scalars(sa.select(Applicant).where(Applicant.name == name)).first()
    if applicant is None:
        return None
    summary = next(r for r in portfolio(session, today) if r.applicant_id == applicant.id)
    latest = aliased(ReportRecord)
    asset_rows = session.execute(
        sa.select(Asset, latest.score, latest.grade, latest.open_hard_fails)
        .outerjoin(latest, latest.id == Asset.latest_report_id)
        .where(Asset.applicant_id == applicant.id)
        .order_by(Asset.name)
    ).all()
    assets = tuple(
        AssetView(a.id, a.name, a.kind, a.first_seen, a.last_checkin, a.latest_report_id, score, grade, hard_fails or 0)
        for a, score, grade, hard_fails in asset_rows
    )
    names = {a.latest_report_id: a.name for a in assets if a.latest_report_id is not None}
    history = tuple(
        HistoryRow(
            r.id, r.received_at, r.started_at, r.subject, r.status.value, r.outcome, r.reason, r.score, r.grade, r.open_hard_fails, r.report_uuid, r.reason_zh
        )
        for r in session.scalars(
            sa.select(ReportRecord)
            .options(sa.orm.load_only(*_HISTORY_COLUMNS))
            .where(ReportRecord.applicant_id == applicant.id)
            .order_by(ReportRecord.received_at.desc(), ReportRecord.id.desc())
            .limit(history_limit)
        )
    )
    tasks = tuple(
        TaskRow(names[t.report_id], t.task_id, t.kind, t.ref, t.target, t.severity, t.owner, t.due, t.due < today)
        for t in session.scalars(sa.select(PlanTask).where(PlanTask.report_id.in_(list(names))).order_by(PlanTask.due, PlanTask.task_id))
    )
    hard_fails = tuple(
        HardFailRow(names[h.report_id], h.item, h.state)
        for h in session.scalars(sa.select(ReportHardFail).where(ReportHardFail.report_id.in_(list(names))).order_by(ReportHardFail.item))
    )
    alerts = tuple(
        AlertRow(a.id, a.kind.value, a.asset.name if a.asset is not None else None, a.raised_at, a.resolved_at, a.acknowledged_at, a.delivered_at, a.detail)
        for a in session.scalars(sa.select(Alert).where(Alert.applicant_id == applicant.id).order_by(Alert.raised_at.desc(), Alert.id.desc()).limit(history_limit))
    )
    return ApplicantView(summary, assets, history, tasks, hard_fails, alerts)


_HISTORY_COLUMNS = (
    ReportRecord.id,
    ReportRecord.received_at,
    ReportRecord.started_at,
    ReportRecord.subject,
    ReportRecord.status,
    ReportRecord.outcome,
    ReportRecord.reason,
    ReportRecord.score,
    ReportRecord.grade,
    ReportRecord.open_hard_fails,
    ReportRecord.report_uuid,
    ReportRecord.reason_zh,
)
