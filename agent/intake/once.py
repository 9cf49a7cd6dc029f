"""Idempotent intake of one body: what reports and applications share.

The same bytes from the same applicant are one record (their sha256 is a
unique key), so a resend is answered from the database without being judged
twice; the judgement (verification, the expensive part) runs outside any
transaction; one short write transaction stores the result. When another
process stored the same bytes in between, the unique key refuses the second
write and the stored record is the answer.
"""

from __future__ import annotations

from typing import Callable, Optional, Tuple, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from agent.intake.db import Database

WRITE_ATTEMPTS = 3

Record = TypeVar("Record")
Judged = TypeVar("Judged")


def receive_once(
    db: Database,
    find: Callable[[Session], Optional[Record]],
    judge: Callable[[], Judged],
    store: Callable[[Session, Judged], Record],
) -> Tuple[Record, bool]:
    """The record for a body and whether it is new: ``find`` looks for the same bytes, ``judge`` verifies them,
    ``store`` writes the record (within the write transaction)."""
    with db.read() as session:
        existing = find(session)
        if existing is not None:
            return existing, False
    judged = judge()
    for attempt in range(WRITE_ATTEMPTS):
        try:
            with db.write() as session:
                record = store(session, judged)
            return record, True
        except IntegrityError:
            # The same bytes stored by another process first (the unique key says so), or, for a report, the same
            # asset created first: the stored record answers, or the write is tried again.
            with db.read() as session:
                existing = find(session)
            if existing is not None:
                return existing, False
            if attempt == WRITE_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")
