"""What the dashboard's pages show, read from the database: plain data for the templates, no HTML here.

The portfolio page reuses ``portfolio.portfolio`` (three queries for the whole
portfolio) and adds, for the page's rows only, the score trend (the last
``TREND_REPORTS`` accepted reports of each asset, one windowed query), and for
every applicant whether its check-in is late (its schedule or the service's,
from the stalest asset's last report). The applicant page reuses
``portfolio.applicant_view`` and adds the drift between each asset's last two
reports, the charts, the notes and the application packages received.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field, replace
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

import sqlalchemy as sa
from sqlalchemy.orm import Session

from agent.intake.alerts import GRADES, ReportState, new_hard_fails
from agent.intake.config import IntakeConfig
from agent.intake.dashboard_charts import Chart, Point, history_chart, sparkline
from agent.intake.models import (
    Alert,
    AlertKind,
    Applicant,
    ApplicationRecord,
    Asset,
    Note,
    ReportHardFail,
    ReportRecord,
    Status,
    User,
)
from agent.intake.portfolio import SORT_KEYS, ApplicantView, PortfolioRow, applicant_view, portfolio

TREND_REPORTS = 10
PER_PAGE = (25, 50, 100, 200)
DEFAULT_PER_PAGE = 50
GRADE_CHOICES = (*GRADES, "-")  # "-": no rating yet
ALERT_LIMIT = 1000
NOTE_LIMIT = 4000
APPLICATION_LIMIT = 100


# ------------------------------------------------------------------------------------------ the portfolio page


@dataclass(frozen=True)
class PortfolioQuery:
    """The portfolio page's filters, sort and page, as its URL gives them (already validated)."""

    grades: Tuple[str, ...] = ()
    hard_fail: bool = False
    overdue: bool = False
    missed: bool = False
    q: str = ""
    sort: str = "applicant"
    desc: bool = False
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE

    def params(self, **changes: Any) -> List[Tuple[str, str]]:
        """The URL query of this view with ``changes`` (page back to 1 unless the change is the page)."""
        q = replace(self, **changes) if changes else self
        if changes and "page" not in changes:
            q = replace(q, page=1)
        out: List[Tuple[str, str]] = [("grade", g) for g in q.grades]
        out += [(name, "1") for name in ("hard_fail", "overdue", "missed") if getattr(q, name)]
        if q.q:
            out.append(("q", q.q))
        if q.sort != "applicant" or q.desc:
            out += [("sort", q.sort), ("desc", "1" if q.desc else "0")]
        if q.page != 1:
            out.append(("page", str(q.page)))
        if q.per_page != DEFAULT_PER_PAGE:
            out.append(("per_page", str(q.per_page)))
        return out


def parse_portfolio_query(args: Mapping[str, Any], getlist: Any) -> PortfolioQuery:
    """A query from request arguments; anything not understood falls back to its default (a page, never an error)."""

    def flag(name: str) -> bool:
        return str(args.get(name, "")) in ("1", "on", "true")

    def number(name: str, default: int, lo: int, hi: int) -> int:
        raw = str(args.get(name, ""))
        return min(hi, max(lo, int(raw))) if raw.isascii() and raw.isdigit() and len(raw) < 9 else default

    grades = tuple(g for g in GRADE_CHOICES if g in {str(x).upper() for x in getlist("grade")})
    sort = str(args.get("sort", "applicant"))
    per_page = number("per_page", DEFAULT_PER_PAGE, 1, max(PER_PAGE))
    return PortfolioQuery(
        grades=grades,
        hard_fail=flag("hard_fail"),
        overdue=flag("overdue"),
        missed=flag("missed"),
        q=str(args.get("q", ""))[:200].strip(),
        sort=sort if sort in SORT_KEYS else "applicant",
        desc=flag("desc"),
        page=number("page", 1, 1, 10**6),
        per_page=per_page if per_page in PER_PAGE else DEFAULT_PER_PAGE,
    )


@dataclass(frozen=True)
class PortfolioLine:
    row: PortfolioRow
    missed: bool  # no report within the schedule interval plus grace
    trend: Chart


@dataclass(frozen=True)
class PortfolioPage:
    query: PortfolioQuery
    lines: Tuple[PortfolioLine, ...]
    total: int  # rows after the filters
    applicants: int  # the whole portfolio
    pages: int
    grade_counts: Tuple[Tuple[str, int], ...]  # the whole portfolio, A..F and "-"


@dataclass(frozen=True)
class Schedule:
    interval_s: int
    grace_s: int
    own: bool  # the applicant's own, not the service's defaults


def schedule_of(applicant: Applicant, config: IntakeConfig) -> Schedule:
    own = applicant.checkin_interval_s is not None or applicant.checkin_grace_s is not None
    return Schedule(
        applicant.checkin_interval_s if applicant.checkin_interval_s is not None else config.checkin_interval_s,
        applicant.checkin_grace_s if applicant.checkin_grace_s is not None else config.checkin_grace_s,
        own,
    )


def late_applicants(session: Session, rows: Sequence[PortfolioRow], config: IntakeConfig, now: dt.datetime, *, every: bool = True) -> set[int]:
    """Those of ``rows`` whose stalest asset (or, with none, the registration) is older than interval plus grace.

    The same rule as the missed check-in alert (``alerts.missed_checkins``), computed here so the page
    is right whether or not the monitor has run yet. ``every=False`` asks only about ``rows`` (a page),
    not the whole table (a filter).
    """
    stalest = {r.applicant_id: r.stalest_checkin for r in rows}
    late: set[int] = set()
    query = sa.select(Applicant.id, Applicant.created_at, Applicant.checkin_interval_s, Applicant.checkin_grace_s)
    if not every:
        query = query.where(Applicant.id.in_(list(stalest)))
    for aid, created, interval, grace in session.execute(query):
        if aid not in stalest:
            continue
        since = stalest[aid] or created
        allowed = (interval if interval is not None else config.checkin_interval_s) + (grace if grace is not None else config.checkin_grace_s)
        if (now - since).total_seconds() > allowed:
            late.add(aid)
    return late


def trends(session: Session, applicant_ids: Sequence[int], limit: int = TREND_REPORTS) -> Dict[int, Dict[str, List[Point]]]:
    """The last ``limit`` accepted reports' scores of each asset of these applicants: {applicant: {asset: points}}."""
    if not applicant_ids:
        return {}
    ranked = (
        sa.select(
            ReportRecord.applicant_id,
            ReportRecord.subject,
            ReportRecord.started_at,
            ReportRecord.score,
            ReportRecord.open_hard_fails,
            ReportRecord.id,
            sa.func.row_number()
            .over(partition_by=ReportRecord.asset_id, order_by=(ReportRecord.started_at.desc(), ReportRecord.id.desc()))
            .label("n"),
        )
        .where(ReportRecord.applicant_id.in_(list(applicant_ids)), ReportRecord.status == Status.ACCEPTED, ReportRecord.asset_id.is_not(None))
        .subquery()
    )
    out: Dict[int, Dict[str, List[Point]]] = {}
    for aid, subject, started, score, hard_fails, rid, _ in session.execute(sa.select(ranked).where(ranked.c.n <= limit)):
        if started is None:
            continue
        out.setdefault(aid, {}).setdefault(subject or "?", []).append(Point(started, score, hard_fails or 0, rid))
    return out


def _matches(r: PortfolioRow, needle: str) -> bool:
    return needle in r.applicant.casefold() or needle in r.display_name.casefold() or needle in (r.organisation_id or "").casefold()


def portfolio_page(session: Session, config: IntakeConfig, now: dt.datetime, query: PortfolioQuery) -> PortfolioPage:
    rows = portfolio(session, now.date(), sort=query.sort, descending=query.desc)
    counts: Dict[str, int] = {g: 0 for g in GRADE_CHOICES}
    for r in rows:
        counts[r.grade if r.grade in counts else "-"] += 1
    late = late_applicants(session, rows, config, now) if query.missed else set()
    chosen = rows
    if query.grades:
        wanted = set(query.grades)
        chosen = [r for r in chosen if (r.grade if r.grade in GRADES else "-") in wanted]
    if query.hard_fail:
        chosen = [r for r in chosen if r.open_hard_fails > 0]
    if query.overdue:
        chosen = [r for r in chosen if r.overdue_tasks > 0]
    if query.missed:
        chosen = [r for r in chosen if r.applicant_id in late]
    if query.q:
        needle = query.q.casefold()
        chosen = [r for r in chosen if _matches(r, needle)]
    pages = max(1, math.ceil(len(chosen) / query.per_page))
    page = min(query.page, pages)
    shown = chosen[(page - 1) * query.per_page : page * query.per_page]
    series = trends(session, [r.applicant_id for r in shown])
    if not query.missed:
        late = late_applicants(session, shown, config, now, every=False)
    lines = tuple(PortfolioLine(r, r.applicant_id in late, sparkline(series.get(r.applicant_id, {}))) for r in shown)
    return PortfolioPage(replace(query, page=page), lines, len(chosen), len(rows), pages, tuple(counts.items()))


# ------------------------------------------------------------------------------------------ the applicant page


@dataclass(frozen=True)
class CheckChange:
    key: str  # check id, or check id@target
    check_id: str
    target: Optional[str]
    before: Optional[str]  # status in the previous report (None: not judged there)
    after: Optional[str]
    direction: str  # regressed, improved, changed


@dataclass(frozen=True)
class AssetDrift:
    asset: str
    previous_id: Optional[int]
    latest_id: Optional[int]
    previous_at: Optional[dt.datetime]
    latest_at: Optional[dt.datetime]
    score: Tuple[Optional[int], Optional[int]]
    grade: Tuple[Optional[str], Optional[str]]
    changes: Tuple[CheckChange, ...] = ()
    new_hard_fails: Tuple[str, ...] = ()
    cleared_hard_fails: Tuple[str, ...] = ()

    @property
    def comparable(self) -> bool:
        return self.previous_id is not None and self.latest_id is not None

    @property
    def unchanged(self) -> bool:
        return not self.changes and not self.new_hard_fails and not self.cleared_hard_fails and self.score[0] == self.score[1]


def _direction(before: Optional[str], after: Optional[str]) -> str:
    if after == "fail" and before == "pass":
        return "regressed"  # what the regression alert calls a regression (alerts.regressed_checks)
    if before == "fail" and after == "pass":
        return "improved"
    return "changed"


def check_changes(previous: Mapping[str, str], latest: Mapping[str, str]) -> Tuple[CheckChange, ...]:
    """Checks whose status differs between two reports' findings, regressions first."""
    out = []
    for key in sorted(set(previous) | set(latest)):
        before, after = previous.get(key), latest.get(key)
        if before == after:
            continue
        check_id, _, target = key.partition("@")
        out.append(CheckChange(key, check_id, target or None, before, after, _direction(before, after)))
    order = {"regressed": 0, "changed": 1, "improved": 2}
    return tuple(sorted(out, key=lambda c: (order[c.direction], c.key)))


def drift(session: Session, applicant_id: int) -> Tuple[AssetDrift, ...]:
    """For each asset of the applicant, what changed between its previous and its latest accepted report."""
    out: List[AssetDrift] = []
    assets = session.scalars(sa.select(Asset).where(Asset.applicant_id == applicant_id).order_by(Asset.name)).all()
    ids = [i for a in assets for i in (a.latest_report_id, a.previous_report_id) if i is not None]
    records = {
        r.id: r
        for r in session.scalars(
            sa.select(ReportRecord)
            .options(sa.orm.load_only(ReportRecord.id, ReportRecord.findings, ReportRecord.score, ReportRecord.grade, ReportRecord.started_at))
            .where(ReportRecord.id.in_(ids))
        )
    }
    hard: Dict[int, Dict[str, str]] = {}
    for rid, item, state in session.execute(sa.select(ReportHardFail.report_id, ReportHardFail.item, ReportHardFail.state).where(ReportHardFail.report_id.in_(ids))):
        hard.setdefault(rid, {})[item] = state
    for a in assets:
        latest = records.get(a.latest_report_id) if a.latest_report_id is not None else None
        previous = records.get(a.previous_report_id) if a.previous_report_id is not None else None
        base = AssetDrift(
            a.name,
            previous.id if previous else None,
            latest.id if latest else None,
            previous.started_at if previous else None,
            latest.started_at if latest else None,
            (previous.score if previous else None, latest.score if latest else None),
            (previous.grade if previous else None, latest.grade if latest else None),
        )
        if latest is None or previous is None:
            out.append(base)
            continue
        before = ReportState(previous.id, hard.get(previous.id, {}), dict(previous.findings), previous.score, previous.grade)
        after = ReportState(latest.id, hard.get(latest.id, {}), dict(latest.findings), latest.score, latest.grade)
        cleared = tuple(sorted(i for i, s in before.hard_fails.items() if s == "open" and after.hard_fails.get(i) != "open"))
        out.append(replace(base, changes=check_changes(before.findings, after.findings), new_hard_fails=new_hard_fails(before, after), cleared_hard_fails=cleared))
    return tuple(out)


@dataclass(frozen=True)
class NoteView:
    note_id: int
    body: str
    author: Optional[str]
    created_at: dt.datetime


def notes(session: Session, applicant_id: int, limit: int = 200) -> Tuple[NoteView, ...]:
    rows = session.execute(
        sa.select(Note.id, Note.body, User.display_name, Note.created_at)
        .outerjoin(User, User.id == Note.user_id)
        .where(Note.applicant_id == applicant_id)
        .order_by(Note.created_at.desc(), Note.id.desc())
        .limit(limit)
    ).all()
    return tuple(NoteView(i, body, who, at) for i, body, who, at in rows)


@dataclass(frozen=True)
class ApplicationLine:
    """An application package received from the applicant, accepted or not, with why."""

    record_id: int
    received_at: dt.datetime
    status: str
    outcome: str
    reason: Optional[str]
    application_id: Optional[str]
    organisation_id: Optional[str]
    organisation_name: Optional[str]
    assets: Tuple[str, ...]  # the declared assets its reports cover
    reason_zh: Optional[str] = None  # None on records stored before revision 0005

    def reason_in(self, lang: str) -> Optional[str]:
        return self.reason_zh if lang == "zh" and self.reason_zh else self.reason


def applications(session: Session, applicant_id: int, limit: int = APPLICATION_LIMIT) -> Tuple[ApplicationLine, ...]:
    """The applicant's applications, newest first (the archives themselves are not read)."""
    rows = session.execute(
        sa.select(
            ApplicationRecord.id,
            ApplicationRecord.received_at,
            ApplicationRecord.status,
            ApplicationRecord.outcome,
            ApplicationRecord.reason,
            ApplicationRecord.application_id,
            ApplicationRecord.organisation_id,
            ApplicationRecord.organisation_name,
            ApplicationRecord.assets,
            ApplicationRecord.reason_zh,
        )
        .where(ApplicationRecord.applicant_id == applicant_id)
        .order_by(ApplicationRecord.received_at.desc(), ApplicationRecord.id.desc())
        .limit(limit)
    ).all()
    return tuple(
        ApplicationLine(
            rid, received, status.value, outcome, reason, app_id, org_id, org_name,
            tuple(dict.fromkeys(str(a.get("asset")) for a in assets if isinstance(a, dict))), reason_zh,
        )
        for rid, received, status, outcome, reason, app_id, org_id, org_name, assets, reason_zh in rows
    )  # fmt: skip


@dataclass(frozen=True)
class ApplicantPage:
    view: ApplicantView
    organisation_id: Optional[str]
    schedule: Schedule
    late: bool
    chart: Chart
    drift: Tuple[AssetDrift, ...]
    notes: Tuple[NoteView, ...]
    ack_by: Dict[int, str] = field(default_factory=dict)  # alert id -> who acknowledged it
    applications: Tuple[ApplicationLine, ...] = ()


def applicant_page(session: Session, config: IntakeConfig, now: dt.datetime, name: str, score_word: str, hard_fail_word: str) -> Optional[ApplicantPage]:
    view = applicant_view(session, name, now.date())
    if view is None:
        return None
    applicant = session.get(Applicant, view.summary.applicant_id)
    assert applicant is not None
    series: Dict[str, List[Point]] = {}
    for h in reversed(view.history):
        if h.status == Status.ACCEPTED.value and h.started_at is not None:
            series.setdefault(h.subject or "?", []).append(Point(h.started_at, h.score, h.open_hard_fails, h.record_id))
    schedule = schedule_of(applicant, config)
    since = view.summary.stalest_checkin or applicant.created_at
    late = (now - since).total_seconds() > schedule.interval_s + schedule.grace_s
    ack_ids = [a.alert_id for a in view.alerts if a.acknowledged_at is not None]
    ack_by = {
        aid: who
        for aid, who in session.execute(
            sa.select(Alert.id, User.display_name).join(User, User.id == Alert.acknowledged_by).where(Alert.id.in_(ack_ids))
        )
    }
    return ApplicantPage(
        view,
        applicant.organisation_id,
        schedule,
        late,
        history_chart(series, score_word, hard_fail_word),
        drift(session, applicant.id),
        notes(session, applicant.id),
        ack_by,
        applications(session, applicant.id),
    )


def add_note(session: Session, name: str, user_id: int, body: str, now: dt.datetime) -> bool:
    """Store a note on the applicant ``name``; False for an unknown applicant."""
    applicant_id = session.scalars(sa.select(Applicant.id).where(Applicant.name == name)).first()
    if applicant_id is None:
        return False
    session.add(Note(applicant_id=applicant_id, user_id=user_id, body=body, created_at=now))
    return True


# ------------------------------------------------------------------------------------------ the alerts page


@dataclass(frozen=True)
class AlertLine:
    alert_id: int
    kind: str
    applicant: str
    display_name: str
    asset: Optional[str]
    raised_at: dt.datetime
    acknowledged_at: Optional[dt.datetime]
    acknowledged_by: Optional[str]
    delivered_at: Optional[dt.datetime]
    report_id: Optional[int]
    detail: Dict[str, Any]


@dataclass(frozen=True)
class WebhookStatus:
    url: Optional[str]
    delivered: int
    pending: int
    given_up: int
    last_delivered: Optional[dt.datetime]
    last_error: Optional[str]


@dataclass(frozen=True)
class AlertsPage:
    groups: Tuple[Tuple[str, Tuple[AlertLine, ...]], ...]  # kind, its open alerts (newest first)
    counts: Dict[str, int]  # open alerts per kind, acknowledged included
    show_acknowledged: bool
    limited: bool
    webhook: WebhookStatus


def _shown_url(url: Optional[str]) -> Optional[str]:
    """The webhook URL without credentials or query (either may hold a secret)."""
    if url is None:
        return None
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"[{host}]" if ":" in host else host
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def webhook_status(session: Session, config: IntakeConfig) -> WebhookStatus:
    delivered, pending, given_up = (
        session.scalar(sa.select(sa.func.count()).select_from(Alert).where(condition)) or 0
        for condition in (
            Alert.delivered_at.is_not(None),
            sa.and_(Alert.delivered_at.is_(None), Alert.next_attempt_at.is_not(None)),
            sa.and_(Alert.delivered_at.is_(None), Alert.next_attempt_at.is_(None)),
        )
    )
    last_delivered = session.scalar(sa.select(sa.func.max(Alert.delivered_at)))
    last_error = session.scalar(
        sa.select(Alert.last_error).where(Alert.delivered_at.is_(None), Alert.last_error.is_not(None)).order_by(Alert.id.desc()).limit(1)
    )
    return WebhookStatus(_shown_url(config.webhook_url), delivered, pending, given_up, last_delivered, last_error)


def alerts_page(session: Session, config: IntakeConfig, show_acknowledged: bool, limit: int = ALERT_LIMIT) -> AlertsPage:
    counts = {
        kind.value: int(n)
        for kind, n in session.execute(sa.select(Alert.kind, sa.func.count()).where(Alert.resolved_at.is_(None)).group_by(Alert.kind))
    }
    query = (
        sa.select(Alert, Applicant.name, Applicant.display_name, Asset.name, User.display_name)
        .join(Applicant, Applicant.id == Alert.applicant_id)
        .outerjoin(Asset, Asset.id == Alert.asset_id)
        .outerjoin(User, User.id == Alert.acknowledged_by)
        .where(Alert.resolved_at.is_(None))
        .order_by(Alert.raised_at.desc(), Alert.id.desc())
        .limit(limit + 1)
    )
    if not show_acknowledged:
        query = query.where(Alert.acknowledged_at.is_(None))
    rows = session.execute(query).all()
    by_kind: Dict[str, List[AlertLine]] = {k.value: [] for k in AlertKind}
    for alert, applicant, display, asset, who in rows[:limit]:
        by_kind[alert.kind.value].append(
            AlertLine(alert.id, alert.kind.value, applicant, display, asset, alert.raised_at, alert.acknowledged_at, who, alert.delivered_at, alert.report_id, dict(alert.detail))
        )
    groups = tuple((k, tuple(v)) for k, v in by_kind.items())
    return AlertsPage(groups, counts, show_acknowledged, len(rows) > limit, webhook_status(session, config))


def acknowledge(session: Session, alert_id: int, user_id: int, now: dt.datetime) -> bool:
    """Mark an alert acknowledged (once: the first acknowledgement stands); False for an unknown alert."""
    alert = session.get(Alert, alert_id, with_for_update=True)
    if alert is None:
        return False
    if alert.acknowledged_at is None:
        alert.acknowledged_at, alert.acknowledged_by = now, user_id
    return True
