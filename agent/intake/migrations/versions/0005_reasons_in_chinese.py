"""A received report's or application's reason and problems in Chinese, beside the English ones.

Records stored before this revision keep NULL: the dashboard shows their English reason.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


TABLES = ("reports", "application_records")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("reason_zh", sa.Text(), nullable=True))
            batch.add_column(sa.Column("problems_zh", sa.JSON(), nullable=True))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("problems_zh")
            batch.drop_column("reason_zh")
