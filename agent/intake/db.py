"""Engines and sessions for the intake database, chosen by URL (``sqlite:///PATH`` or ``postgresql://...``).

Queries are SQLAlchemy expressions, the same for both databases; only the
connection set-up differs, here. PostgreSQL: no JIT, which costs the
dashboard's queries more than it saves; and large values (the envelopes)
compressed with LZ4 where the server has it, which stores a report in less
room than the default (pglz) for about a third of the server's time per
report (:func:`_postgresql_setup`). SQLite gets WAL (readers never wait for the
writer), a busy timeout, foreign keys, and ``BEGIN IMMEDIATE`` for write
transactions: with several server processes, a transaction that read and then
writes must hold the write lock from its start, or SQLite refuses its write
when another process committed in between. PostgreSQL locks the rows it
updates (``with_for_update``), which SQLite ignores.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any, Iterator

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_MS = 30_000


def normalise_url(url: str) -> str:
    """``postgresql://`` means psycopg 3 (the driver this package installs), not psycopg2."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def make_engine(url: str, **kwargs: Any) -> sa.Engine:
    url = normalise_url(url)
    if url.startswith("postgresql"):
        # PostgreSQL's JIT compiles the portfolio query for longer (about 0.5 s) than the query runs.
        kwargs.setdefault("connect_args", {}).setdefault("options", "-c jit=off")
    engine = sa.create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        _sqlite_setup(engine)
    elif engine.dialect.name == "postgresql":
        _postgresql_setup(engine)
    return engine


def _postgresql_setup(engine: sa.Engine) -> None:
    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, record: Any) -> None:
        # A session setting, so a server without LZ4 (built without it, or before PostgreSQL 14) refuses it
        # here and keeps its default, instead of refusing the connection as a connect option would.
        try:
            dbapi_conn.execute("SET default_toast_compression = 'lz4'")
            dbapi_conn.commit()
        except Exception:  # the driver's error for an unknown setting or value: the default compression stays
            dbapi_conn.rollback()


def _sqlite_setup(engine: sa.Engine) -> None:
    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, record: Any) -> None:
        dbapi_conn.isolation_level = None  # transactions are begun below, not by the driver
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("intake_write") else "BEGIN")


@dataclass(frozen=True)
class Database:
    """One engine, with a session factory for reads and one for writes."""

    engine: sa.Engine
    reader: sessionmaker[Session]
    writer: sessionmaker[Session]

    @classmethod
    def open(cls, url: str, **kwargs: Any) -> Database:
        engine = make_engine(url, **kwargs)
        write_engine = engine.execution_options(intake_write=True)
        return cls(engine, sessionmaker(engine, expire_on_commit=False), sessionmaker(write_engine, expire_on_commit=False))

    @contextlib.contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction: committed at the end, rolled back on any exception."""
        with self.writer.begin() as session:
            yield session

    @contextlib.contextmanager
    def read(self) -> Iterator[Session]:
        with self.reader() as session:
            yield session

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def dispose(self) -> None:
        self.engine.dispose()
