"""Alembic's environment for the intake: runs on the connection ``agent.intake.migrate`` hands it."""

from __future__ import annotations

from alembic import context

from agent.intake.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only agent.intake.migrate runs these migrations
    raise RuntimeError("run the intake migrations with `riskagent serve db upgrade --db URL`")
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
