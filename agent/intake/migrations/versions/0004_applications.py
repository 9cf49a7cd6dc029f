"""Application packages received: the archive as received, the verification result, what a genuine application says.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "application_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("applicant_id", sa.Integer(), nullable=False),
        sa.Column("token_id", sa.Integer(), nullable=True),
        sa.Column("archive_sha256", sa.String(64), nullable=False),
        sa.Column("archive", sa.LargeBinary(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("outcome", sa.String(24), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.Column("signers", sa.JSON(), nullable=False),
        sa.Column("verified_at", sa.DateTime(), nullable=False),
        sa.Column("application_id", sa.String(64), nullable=True),
        sa.Column("organisation_id", sa.String(18), nullable=True),
        sa.Column("organisation_name", sa.Text(), nullable=True),
        sa.Column("assets", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["applicant_id"], ["applicants.id"], name=op.f("fk_application_records_applicant_id_applicants"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["token_id"], ["api_tokens.id"], name=op.f("fk_application_records_token_id_api_tokens"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application_records")),
        sa.UniqueConstraint("applicant_id", "archive_sha256", name="uq_application_records_applicant_archive"),
    )
    op.create_index("ix_application_records_applicant_received", "application_records", ["applicant_id", "received_at"])
    op.create_index(op.f("ix_application_records_application_id"), "application_records", ["application_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_application_records_application_id"), table_name="application_records")
    op.drop_index("ix_application_records_applicant_received", table_name="application_records")
    op.drop_table("application_records")
