"""The intake's first schema: applicants, assets, tokens, reports with hard fails and plan tasks, users, sessions, alerts.

Revision ID: 0001
Revises:
Create Date: 2026-12-05
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _time(name: str, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, sa.DateTime(), nullable=nullable)


def _enum(name: str, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, sa.String(24), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "applicants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("organisation_id", sa.String(18), nullable=True),
        _time("created_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_applicants")),
        sa.UniqueConstraint("name", name=op.f("uq_applicants_name")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(100), nullable=False),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        _enum("role"),
        _time("created_at"),
        _time("disabled_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("secret_sha256", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        _time("created_at"),
        _time("last_seen_at"),
        _time("expires_at"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_web_sessions_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_sessions")),
        sa.UniqueConstraint("secret_sha256", name=op.f("uq_web_sessions_secret_sha256")),
    )
    op.create_index(op.f("ix_web_sessions_user_id"), "web_sessions", ["user_id"])
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        _enum("kind"),
        sa.Column("token_sha256", sa.String(64), nullable=False),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("applicant_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        _time("created_at"),
        _time("revoked_at", nullable=True),
        _time("last_used_at", nullable=True),
        _time("window_start", nullable=True),
        sa.Column("window_count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["applicant_id"], ["applicants.id"], name=op.f("fk_api_tokens_applicant_id_applicants"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_api_tokens_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_sha256", name=op.f("uq_api_tokens_token_sha256")),
    )
    op.create_index(op.f("ix_api_tokens_applicant_id"), "api_tokens", ["applicant_id"])
    op.create_index(op.f("ix_api_tokens_user_id"), "api_tokens", ["user_id"])
    # assets and reports point at each other: the assets' pointers to reports are added after both exist.
    op.create_table(
        "assets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("applicant_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        _time("first_seen"),
        _time("last_checkin"),
        sa.Column("latest_report_id", sa.Integer(), nullable=True),
        sa.Column("previous_report_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["applicant_id"], ["applicants.id"], name=op.f("fk_assets_applicant_id_applicants"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assets")),
        sa.UniqueConstraint("applicant_id", "name", name="uq_assets_applicant_name"),
    )
    op.create_index(op.f("ix_assets_applicant_id"), "assets", ["applicant_id"])
    op.create_table(
        "reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("applicant_id", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=True),
        sa.Column("token_id", sa.Integer(), nullable=True),
        sa.Column("envelope_sha256", sa.String(64), nullable=False),
        sa.Column("envelope", sa.LargeBinary(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        _time("received_at"),
        _enum("status"),
        sa.Column("outcome", sa.String(24), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.Column("policy", sa.JSON(), nullable=False),
        sa.Column("signers", sa.JSON(), nullable=False),
        _time("verified_at"),
        sa.Column("report_uuid", sa.String(64), nullable=True),
        sa.Column("subject", sa.Text(), nullable=True),
        sa.Column("profile", sa.String(24), nullable=True),
        sa.Column("mode", sa.String(12), nullable=True),
        _time("started_at", nullable=True),
        sa.Column("tool_version", sa.String(40), nullable=True),
        sa.Column("previous_digest", sa.String(64), nullable=True),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("grade", sa.String(4), nullable=True),
        sa.Column("binding_blocked", sa.Boolean(), nullable=True),
        sa.Column("recommendation", sa.String(24), nullable=True),
        sa.Column("open_hard_fails", sa.Integer(), nullable=False),
        sa.Column("unconfirmed_hard_fails", sa.Integer(), nullable=False),
        sa.Column("task_count", sa.Integer(), nullable=False),
        sa.Column("findings", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["applicant_id"], ["applicants.id"], name=op.f("fk_reports_applicant_id_applicants"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["asset_id"], ["assets.id"], name=op.f("fk_reports_asset_id_assets"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["token_id"], ["api_tokens.id"], name=op.f("fk_reports_token_id_api_tokens"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports")),
        sa.UniqueConstraint("applicant_id", "envelope_sha256", name="uq_reports_applicant_envelope"),
    )
    op.create_index("ix_reports_applicant_received", "reports", ["applicant_id", "received_at"])
    op.create_index("ix_reports_asset_started", "reports", ["asset_id", "started_at"])
    op.create_index(op.f("ix_reports_report_uuid"), "reports", ["report_uuid"])
    with op.batch_alter_table("assets") as batch:  # SQLite rebuilds the table; PostgreSQL alters it
        batch.create_foreign_key("fk_assets_latest", "reports", ["latest_report_id"], ["id"])
        batch.create_foreign_key("fk_assets_previous", "reports", ["previous_report_id"], ["id"])
    op.create_table(
        "report_hard_fails",
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("item", sa.String(80), nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.ForeignKeyConstraint(["report_id"], ["reports.id"], name=op.f("fk_report_hard_fails_report_id_reports"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("report_id", "item", name=op.f("pk_report_hard_fails")),
    )
    op.create_table(
        "plan_tasks",
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("ref", sa.Text(), nullable=False),
        sa.Column("target", sa.Text(), nullable=True),
        sa.Column("severity", sa.String(12), nullable=False),
        sa.Column("owner", sa.Text(), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("checks", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["report_id"], ["reports.id"], name=op.f("fk_plan_tasks_report_id_reports"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("report_id", "task_id", name=op.f("pk_plan_tasks")),
    )
    op.create_index("ix_plan_tasks_report_due", "plan_tasks", ["report_id", "due"])
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        _enum("kind"),
        sa.Column("dedup_key", sa.String(300), nullable=False),
        sa.Column("applicant_id", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=True),
        sa.Column("report_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        _time("raised_at"),
        _time("resolved_at", nullable=True),
        _time("acknowledged_at", nullable=True),
        sa.Column("acknowledged_by", sa.Integer(), nullable=True),
        _time("delivered_at", nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _time("next_attempt_at", nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["applicant_id"], ["applicants.id"], name=op.f("fk_alerts_applicant_id_applicants"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["asset_id"], ["assets.id"], name=op.f("fk_alerts_asset_id_assets"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["report_id"], ["reports.id"], name=op.f("fk_alerts_report_id_reports"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["acknowledged_by"], ["users.id"], name=op.f("fk_alerts_acknowledged_by_users"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
        sa.UniqueConstraint("dedup_key", name=op.f("uq_alerts_dedup_key")),
    )
    op.create_index(op.f("ix_alerts_applicant_id"), "alerts", ["applicant_id"])
    op.create_index("ix_alerts_delivery", "alerts", ["delivered_at", "next_attempt_at"])


def downgrade() -> None:
    for table in ("alerts", "plan_tasks", "report_hard_fails"):
        op.drop_table(table)
    with op.batch_alter_table("assets") as batch:
        batch.drop_constraint("fk_assets_latest", type_="foreignkey")
        batch.drop_constraint("fk_assets_previous", type_="foreignkey")
    for table in ("reports", "assets", "api_tokens", "web_sessions", "users", "applicants"):
        op.drop_table(table)
