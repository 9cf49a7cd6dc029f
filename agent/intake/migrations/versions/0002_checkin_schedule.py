"""Each applicant's check-in schedule: interval and grace, None for the service's defaults.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("applicants") as batch:
        batch.add_column(sa.Column("checkin_interval_s", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("checkin_grace_s", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("applicants") as batch:
        batch.drop_column("checkin_grace_s")
        batch.drop_column("checkin_interval_s")
