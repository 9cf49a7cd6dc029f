"""Migrations on SQLite and PostgreSQL: an empty database to the newest schema, and one at the previous revision with data."""

from __future__ import annotations

import datetime as dt
from typing import Any

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


def test_revision_0004_adds_application_records_to_a_database_in_use(empty_db_url: str) -> None:
    from agent.intake.models import ApplicationRecord, Status

    engine = make_engine(empty_db_url)
    try:
        migrate.upgrade(engine, "0003")
        with engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO applicants (name, display_name, created_at) VALUES ('acme', 'Acme Ltd', :t)"), {"t": dt.datetime(2026, 1, 1)})
            conn.execute(sa.text("INSERT INTO notes (applicant_id, body, created_at) SELECT id, 'kept', :t FROM applicants"), {"t": dt.datetime(2026, 1, 2)})
        assert "application_records" not in sa.inspect(engine).get_table_names()
        migrate.upgrade(engine)
        assert migrate.current(engine) == migrate.head() and "0004" in migrate.revisions()
        assert "application_records" in sa.inspect(engine).get_table_names()
    finally:
        engine.dispose()
    db = Database.open(empty_db_url)
    at = dt.datetime(2026, 1, 3, tzinfo=dt.timezone.utc)
    try:
        with db.write() as session:
            acme = session.scalars(sa.select(Applicant)).one()
            record = ApplicationRecord(
                applicant_id=acme.id, archive_sha256="0" * 64, archive=b"tar", size=3, received_at=at, status=Status.REJECTED,
                outcome="invalid", reason="why", problems=["why"], signers=[], verified_at=at, assets=[],
            )  # fmt: skip
            session.add(record)
        with db.read() as session:
            stored = session.scalars(sa.select(ApplicationRecord)).one()
            assert (stored.applicant.name, stored.archive, stored.status, stored.received_at) == ("acme", b"tar", Status.REJECTED, at)
        with pytest.raises(sa.exc.IntegrityError), db.write() as session:  # one record per applicant and archive
            session.add(ApplicationRecord(
                applicant_id=stored.applicant_id, archive_sha256="0" * 64, archive=b"tar", size=3, received_at=at, status=Status.REJECTED,
                outcome="invalid", problems=[], signers=[], verified_at=at, assets=[],
            ))  # fmt: skip
    finally:
        db.dispose()
    engine = make_engine(empty_db_url)
    try:
        migrate.downgrade(engine, "0003")
        assert "application_records" not in sa.inspect(engine).get_table_names()
        with engine.begin() as conn:
            assert conn.execute(sa.text("SELECT body FROM notes")).scalar() == "kept"
    finally:
        engine.dispose()


def test_revision_0005_adds_chinese_reasons_and_keeps_the_reports_stored_before(empty_db_url: str, config: Any, site: Any) -> None:
    """A report stored, the columns dropped (0004) and added again: the record stays, its Chinese reason is NULL and the
    dashboard falls back to the English one; a report received after the upgrade has both."""
    from agent.intake.ingest import receive
    from agent.intake.models import ReportRecord
    from agent.intake.portfolio import applicant_view
    from tests.agent.intake.conftest import ACME, applicants

    db = Database.open(empty_db_url)
    try:
        [acme] = applicants(db, ("acme", ACME))
        receive(db, config, acme, None, site.envelopes["acme-forged"])
    finally:
        db.dispose()
    engine = make_engine(empty_db_url)
    try:
        migrate.downgrade(engine, "0004")
        for table in ("reports", "application_records"):
            assert "reason_zh" not in {c["name"] for c in sa.inspect(engine).get_columns(table)}
        migrate.upgrade(engine)
        assert migrate.current(engine) == migrate.head() == "0005"
    finally:
        engine.dispose()
    db = Database.open(empty_db_url)
    try:
        with db.read() as session:
            before = session.scalars(sa.select(ReportRecord)).one()
            assert before.reason_zh is None and before.problems_zh is None and "missing from the report" in (before.reason or "")
            view = applicant_view(session, "acme", dt.date(2026, 12, 5))
            assert view is not None and view.history[0].reason_in("zh") == before.reason
        after, created = receive(db, config, acme, None, site.envelopes["acme-wrong-key"])
        assert created and after.reason_zh is not None and after.reason_zh.startswith("没有受信任密钥的签名")
    finally:
        db.dispose()
