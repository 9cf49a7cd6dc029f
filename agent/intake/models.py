"""The intake's tables (SQLAlchemy 2, typed), the same on SQLite and PostgreSQL.

What each table is for:

* ``applicants``: an insured enterprise, with its check-in schedule;
* ``assets``: a host or website of an applicant, named as reports name it
  (``host:web-01``), pointing at its latest and previous accepted reports so
  the portfolio is one join, not a search through history;
* ``api_tokens``: per-applicant (or per-staff-member) API tokens, stored as
  sha256 (a token is 256 random bits: a slow hash adds nothing), with the
  rate-limit window;
* ``reports``: every envelope received, byte for byte, with its verification
  result and the fields the portfolio reads; a rejected one is kept with its
  reasons;
* ``report_hard_fails`` and ``plan_tasks``: the hard-fail states and the open
  rectification tasks of each report, queryable across the portfolio;
* ``users`` and ``web_sessions``: insurer staff (viewer, underwriter, admin;
  argon2 password hashes) and their login sessions with a CSRF token, for the
  dashboard;
* ``alerts``: missed check-in, new hard fail, regression, expiring key, each
  once (``dedup_key``), with its webhook delivery state.
* ``notes`` and ``login_failures`` (revision 0003): underwriters' notes on an
  applicant, and failed dashboard logins per window (the login rate limit).
* ``application_records`` (revision 0004): every application package received
  (its archive byte for byte), with its verification result; a rejected one is
  kept with its reasons.
* ``reason_zh`` and ``problems_zh`` of ``reports`` and ``application_records``
  (revision 0005): the reasons in Chinese beside the English ones, for the
  dashboard, the API and the exports.

Times are stored as naive UTC and read back as aware UTC (``UtcDateTime``), so
both databases give the same values.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any, Dict, List, Optional, Type

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class UtcDateTime(sa.types.TypeDecorator[dt.datetime]):
    """An aware UTC datetime, stored without a zone (SQLite has none) and read back as UTC."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: Optional[dt.datetime], dialect: sa.Dialect) -> Optional[dt.datetime]:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("a naive datetime was given; the intake stores UTC times only")
        return value.astimezone(dt.timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: Optional[dt.datetime], dialect: sa.Dialect) -> Optional[dt.datetime]:
        return value.replace(tzinfo=dt.timezone.utc) if value is not None else None


def _enum(cls: Type[enum.Enum]) -> sa.Enum:
    """An enum stored as its value in a short string column (no database enum type to migrate)."""
    return sa.Enum(cls, native_enum=False, length=24, values_callable=lambda e: [m.value for m in e], validate_strings=True)


class Role(str, enum.Enum):
    """What a member of the insurer's staff may do on the dashboard."""

    VIEWER = "viewer"  # reads the portfolio, applicants, reports and alerts
    UNDERWRITER = "underwriter"  # also acknowledges alerts and exports
    ADMIN = "admin"  # also manages users, applicants and tokens


class Status(str, enum.Enum):
    """Whether the intake accepted a received envelope (only accepted reports enter the portfolio)."""

    ACCEPTED = "accepted"  # verified: valid and within the insurer's policy
    REJECTED = "rejected"  # invalid, unsupported, outside the policy, or not the applicant's


class AlertKind(str, enum.Enum):
    MISSED_CHECKIN = "missed_checkin"
    NEW_HARD_FAIL = "new_hard_fail"
    REGRESSION = "regression"
    KEY_EXPIRING = "key_expiring"


class TokenKind(str, enum.Enum):
    APPLICANT = "applicant"  # pushes the applicant's reports and reads their records
    STAFF = "staff"  # an underwriting system reading the exports, with its user's role


# Named constraints, so migrations (and SQLite's batch mode, which rebuilds tables) can refer to them.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING)
    type_annotation_map = {dt.datetime: UtcDateTime(), Dict[str, Any]: sa.JSON(), List[Any]: sa.JSON()}


class Applicant(Base):
    __tablename__ = "applicants"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)  # the insurer's handle for the applicant
    display_name: Mapped[str] = mapped_column(sa.String(200))
    organisation_id: Mapped[Optional[str]] = mapped_column(sa.String(18))  # 统一社会信用代码: reports must be signed by it
    created_at: Mapped[dt.datetime]
    # Revision 0002: the applicant's schedule; None takes the service's defaults.
    checkin_interval_s: Mapped[Optional[int]] = mapped_column(sa.Integer)
    checkin_grace_s: Mapped[Optional[int]] = mapped_column(sa.Integer)

    assets: Mapped[List[Asset]] = relationship(back_populates="applicant", order_by="Asset.name")


class Asset(Base):
    __tablename__ = "assets"
    __table_args__ = (sa.UniqueConstraint("applicant_id", "name", name="uq_assets_applicant_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    applicant_id: Mapped[int] = mapped_column(sa.ForeignKey("applicants.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.Text)  # host:NAME or website:URL, as report.policy.asset_names gives it
    kind: Mapped[str] = mapped_column(sa.String(20))
    first_seen: Mapped[dt.datetime]
    last_checkin: Mapped[dt.datetime]  # received time of the latest accepted report
    latest_report_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("reports.id", use_alter=True, name="fk_assets_latest"))
    previous_report_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("reports.id", use_alter=True, name="fk_assets_previous"))

    applicant: Mapped[Applicant] = relationship(back_populates="assets")
    latest: Mapped[Optional[ReportRecord]] = relationship(foreign_keys=[latest_report_id])
    previous: Mapped[Optional[ReportRecord]] = relationship(foreign_keys=[previous_report_id])


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(100), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(200))
    password_hash: Mapped[str] = mapped_column(sa.String(200))  # argon2id, PHC string
    role: Mapped[Role] = mapped_column(_enum(Role))
    created_at: Mapped[dt.datetime]
    disabled_at: Mapped[Optional[dt.datetime]]


class WebSession(Base):
    """A dashboard login: the cookie holds the session secret, the table its sha256."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    secret_sha256: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[dt.datetime]
    last_seen_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime]

    user: Mapped[User] = relationship()


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[TokenKind] = mapped_column(_enum(TokenKind))
    token_sha256: Mapped[str] = mapped_column(sa.String(64), unique=True)
    prefix: Mapped[str] = mapped_column(sa.String(16))  # the first characters, to tell tokens apart in listings
    applicant_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("applicants.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime]
    revoked_at: Mapped[Optional[dt.datetime]]
    last_used_at: Mapped[Optional[dt.datetime]]
    window_start: Mapped[Optional[dt.datetime]]  # rate limit: the current fixed window and its count
    window_count: Mapped[int] = mapped_column(sa.Integer, default=0)

    applicant: Mapped[Optional[Applicant]] = relationship()
    user: Mapped[Optional[User]] = relationship()


class ReportRecord(Base):
    """One envelope as received, its verification result, and what the portfolio reads of it."""

    __tablename__ = "reports"
    __table_args__ = (
        sa.UniqueConstraint("applicant_id", "envelope_sha256", name="uq_reports_applicant_envelope"),
        sa.Index("ix_reports_applicant_received", "applicant_id", "received_at"),
        sa.Index("ix_reports_asset_started", "asset_id", "started_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    applicant_id: Mapped[int] = mapped_column(sa.ForeignKey("applicants.id", ondelete="CASCADE"))
    asset_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("assets.id", ondelete="SET NULL"))  # accepted reports only
    token_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("api_tokens.id", ondelete="SET NULL"))
    envelope_sha256: Mapped[str] = mapped_column(sa.String(64))
    envelope: Mapped[bytes] = mapped_column(sa.LargeBinary)  # exactly as received: any record can be verified again
    size: Mapped[int] = mapped_column(sa.Integer)
    received_at: Mapped[dt.datetime]
    # The verification (report.verification.Verification) and the intake's own rules
    status: Mapped[Status] = mapped_column(_enum(Status))
    outcome: Mapped[str] = mapped_column(sa.String(24))  # valid, policy_failed, invalid, unsupported
    reason: Mapped[Optional[str]] = mapped_column(sa.Text)  # English, as the verifier and the API give it
    problems: Mapped[List[Any]]
    policy: Mapped[List[Any]]  # [{"rule", "ok", "detail", "detail_zh"}]
    signers: Mapped[List[Any]]  # [{"keyid", "label", "role", "organisation_id", "valid_until"}]
    verified_at: Mapped[dt.datetime]
    # What the signed report says (None when it could not be read)
    report_uuid: Mapped[Optional[str]] = mapped_column(sa.String(64), index=True)
    subject: Mapped[Optional[str]] = mapped_column(sa.Text)
    profile: Mapped[Optional[str]] = mapped_column(sa.String(24))
    mode: Mapped[Optional[str]] = mapped_column(sa.String(12))
    started_at: Mapped[Optional[dt.datetime]]
    tool_version: Mapped[Optional[str]] = mapped_column(sa.String(40))
    previous_digest: Mapped[Optional[str]] = mapped_column(sa.String(64))
    score: Mapped[Optional[int]] = mapped_column(sa.Integer)
    grade: Mapped[Optional[str]] = mapped_column(sa.String(4))
    binding_blocked: Mapped[Optional[bool]]
    recommendation: Mapped[Optional[str]] = mapped_column(sa.String(24))
    open_hard_fails: Mapped[int] = mapped_column(sa.Integer, default=0)
    unconfirmed_hard_fails: Mapped[int] = mapped_column(sa.Integer, default=0)
    task_count: Mapped[int] = mapped_column(sa.Integer, default=0)  # its plan's tasks (the open ones at this report)
    findings: Mapped[Dict[str, Any]]  # {"check_id" or "check_id@target": status}: what regression compares
    # Revision 0005: the reason and problems in Chinese, one for one (None on records stored before it)
    reason_zh: Mapped[Optional[str]] = mapped_column(sa.Text)
    problems_zh: Mapped[Optional[List[Any]]] = mapped_column(sa.JSON)

    applicant: Mapped[Applicant] = relationship()
    asset: Mapped[Optional[Asset]] = relationship(foreign_keys=[asset_id])
    hard_fails: Mapped[List[ReportHardFail]] = relationship(cascade="all, delete-orphan", order_by="ReportHardFail.item")
    tasks: Mapped[List[PlanTask]] = relationship(cascade="all, delete-orphan", order_by="PlanTask.due")


class ReportHardFail(Base):
    __tablename__ = "report_hard_fails"

    report_id: Mapped[int] = mapped_column(sa.ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True)
    item: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    state: Mapped[str] = mapped_column(sa.String(12))  # open, mitigable, unknown, clear


class PlanTask(Base):
    """A rectification task of a report's plan (its plan lists what is open at that report)."""

    __tablename__ = "plan_tasks"
    __table_args__ = (sa.Index("ix_plan_tasks_report_due", "report_id", "due"),)

    report_id: Mapped[int] = mapped_column(sa.ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True)
    task_id: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(12))
    ref: Mapped[str] = mapped_column(sa.Text)
    target: Mapped[Optional[str]] = mapped_column(sa.Text)
    severity: Mapped[str] = mapped_column(sa.String(12))
    owner: Mapped[str] = mapped_column(sa.Text)
    due: Mapped[dt.date] = mapped_column(sa.Date)
    checks: Mapped[List[Any]]


class Alert(Base):
    __tablename__ = "alerts"
    __table_args__ = (sa.Index("ix_alerts_delivery", "delivered_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[AlertKind] = mapped_column(_enum(AlertKind))
    dedup_key: Mapped[str] = mapped_column(sa.String(300), unique=True)  # one alert per event, however often evaluated
    applicant_id: Mapped[int] = mapped_column(sa.ForeignKey("applicants.id", ondelete="CASCADE"), index=True)
    asset_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("assets.id", ondelete="SET NULL"))
    report_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("reports.id", ondelete="SET NULL"))
    detail: Mapped[Dict[str, Any]]
    raised_at: Mapped[dt.datetime]
    resolved_at: Mapped[Optional[dt.datetime]]
    acknowledged_at: Mapped[Optional[dt.datetime]]
    acknowledged_by: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    # webhook delivery
    delivered_at: Mapped[Optional[dt.datetime]]
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0)
    next_attempt_at: Mapped[Optional[dt.datetime]]
    last_error: Mapped[Optional[str]] = mapped_column(sa.Text)

    applicant: Mapped[Applicant] = relationship()
    asset: Mapped[Optional[Asset]] = relationship()


# ------------------------------------------------------------------------------------------ revision 0003: the dashboard


class Note(Base):
    """An underwriter's note on an applicant (the dashboard's applicant page), kept with its author and time."""

    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    applicant_id: Mapped[int] = mapped_column(sa.ForeignKey("applicants.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[dt.datetime]

    user: Mapped[Optional[User]] = relationship()


class LoginFailures(Base):
    """Failed dashboard logins in the current window, per user name and per client address.

    In the database, not in a worker's memory, so every server process counts the same failures.
    """

    __tablename__ = "login_failures"

    key: Mapped[str] = mapped_column(sa.String(200), primary_key=True)  # "user:NAME" or "addr:IP"
    window_start: Mapped[dt.datetime]
    count: Mapped[int] = mapped_column(sa.Integer)


# ------------------------------------------------------------------------------------------ revision 0004: applications


class ApplicationRecord(Base):
    """One application package as received (the archive, byte for byte) and its verification result.

    What the signed application says (id, organisation, assets) is kept only when it is genuine.
    """

    __tablename__ = "application_records"
    __table_args__ = (
        sa.UniqueConstraint("applicant_id", "archive_sha256", name="uq_application_records_applicant_archive"),
        sa.Index("ix_application_records_applicant_received", "applicant_id", "received_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    applicant_id: Mapped[int] = mapped_column(sa.ForeignKey("applicants.id", ondelete="CASCADE"))
    token_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("api_tokens.id", ondelete="SET NULL"))
    archive_sha256: Mapped[str] = mapped_column(sa.String(64))
    archive: Mapped[bytes] = mapped_column(sa.LargeBinary)  # exactly as received: it can be unpacked and verified again
    size: Mapped[int] = mapped_column(sa.Integer)
    received_at: Mapped[dt.datetime]
    status: Mapped[Status] = mapped_column(_enum(Status))
    outcome: Mapped[str] = mapped_column(sa.String(24))  # valid, policy_failed, invalid, unsupported
    reason: Mapped[Optional[str]] = mapped_column(sa.Text)
    problems: Mapped[List[Any]]
    signers: Mapped[List[Any]]  # [{"keyid", "label", "role", "organisation_id", "valid_until"}], as reports keep them
    verified_at: Mapped[dt.datetime]
    # What the signed application says (None when it is not genuine)
    application_id: Mapped[Optional[str]] = mapped_column(sa.String(64), index=True)
    organisation_id: Mapped[Optional[str]] = mapped_column(sa.String(18))
    organisation_name: Mapped[Optional[str]] = mapped_column(sa.Text)
    assets: Mapped[List[Any]]  # [{"asset", "subject", "report_id"}]: each declared asset an embedded report covers
    # Revision 0005: the reason and problems in Chinese, one for one (None on records stored before it)
    reason_zh: Mapped[Optional[str]] = mapped_column(sa.Text)
    problems_zh: Mapped[Optional[List[Any]]] = mapped_column(sa.JSON)

    applicant: Mapped[Applicant] = relationship()
