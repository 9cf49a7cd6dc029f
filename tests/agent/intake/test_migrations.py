"""Migrations on SQLite and PostgreSQL: an empty database to the newest schema, and one at the previous revision with data."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from agent.intake import migrate
from agent.intake.db import Database, make_engine
from agent.intake.models import Applicant, Base


def test_an_empty_database_is_brought_to_the_models_schema(empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    try:
        assert migrate.current(engine) is None
        migrate.upgrade(engine)
        assert migrate.current(engine) == migrate.head() == migrate.revisions()[-1]
        with engine.connect() as conn:
            differences = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
        assert differences == []  # the migrations make exactly the tables the models declare
        migrate.upgrade(engine)  # again: nothing to do
        assert migrate.current(engine) == migrate.head()
    finally:
        engine.dispose()


def test_a_database_at_the_previous_revision_keeps_its_data(empty_db_url: str) -> None:
    assert len(migrate.revisions()) >= 2
    engine = make_engine(empty_db_url)
    try:
        migrate.upgrade(engine, "0001")  # before the schedule columns (0002); 0002 -> 0003 keeps data too (test_dashboard)
        created = dt.datetime(2026, 1, 1)
        with engine.begin() as conn:
            conn.execute(
                sa.text("INSERT INTO applicants (name, display_name, organisation_id, created_at) VALUES ('acme', 'Acme Ltd', NULL, :t)"),
                {"t": created},
            )
            with pytest.raises(sa.exc.DBAPIError):  # the previous schema has no schedule columns
                with conn.begin_nested():
                    conn.execute(sa.text("SELECT checkin_interval_s FROM applicants"))
        migrate.upgrade(engine)
        assert migrate.current(engine) == migrate.head()
    finally:
        engine.dispose()
    db = Database.open(empty_db_url)
    try:
        with db.write() as session:
            acme = session.scalars(sa.select(Applicant)).one()
            assert (acme.name, acme.display_name, acme.checkin_interval_s) == ("acme", "Acme Ltd", None)
            assert acme.created_at == created.replace(tzinfo=dt.timezone.utc)
            acme.checkin_interval_s = 3600
        with db.read() as session:
            assert session.scalars(sa.select(Applicant.checkin_interval_s)).one() == 3600
    finally:
        db.dispose()


def test_downgrade_to_nothing_and_up_again(empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    try:
        migrate.upgrade(engine)
        migrate.downgrade(engine, "base")
        assert migrate.current(engine) is None
        assert "reports" not in sa.inspect(engine).get_table_names()
        migrate.upgrade(engine)
        assert {"applicants", "assets", "reports", "plan_tasks", "users", "web_sessions", "alerts"} <= set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()
