"""Connection set-up per database (``agent.intake.db``)."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from agent.intake.db import Database, make_engine
from agent.intake.ingest import receive
from tests.agent.intake.conftest import Clock, Site, applicants
from tests.agent.intake.postgres import Cluster


def test_envelopes_are_stored_lz4_compressed_on_postgresql(pg_cluster: Cluster, site: Site, tmp_path: Path) -> None:
    """Smaller than the default pglz and cheaper for the server; read back byte for byte."""
    from agent.intake import migrate
    from agent.intake.config import IntakeConfig
    from report.policy import Policy

    url = pg_cluster.create_database("lz4check")
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    db = Database.open(url)
    try:
        (acme,) = applicants(db, ("acme", None))
        config = IntakeConfig(db_url=url, trusted=site.trusted, policy=Policy(), max_bytes=8 << 20, clock=Clock())
        record, _ = receive(db, config, acme, None, site.envelopes["acme-web-1"])
        with db.engine.connect() as conn:
            method, stored, size = conn.execute(
                sa.text("SELECT pg_column_compression(envelope), pg_column_size(envelope), octet_length(envelope) FROM reports WHERE id = :id"),
                {"id": record.id},
            ).one()
            assert conn.exec_driver_sql("SHOW default_toast_compression").scalar() == "lz4"
        assert method == "lz4" and stored < size
        with db.read() as session:
            assert session.scalar(sa.text("SELECT envelope FROM reports WHERE id = :id"), {"id": record.id}) == site.envelopes["acme-web-1"]
    finally:
        db.dispose()
