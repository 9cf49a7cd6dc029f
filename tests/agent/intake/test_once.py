"""``receive_once``: the same bytes are one record, also when another process stores them while these are judged."""

from __future__ import annotations

from typing import Any, List, Optional

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from agent.intake.models import Applicant
from agent.intake.once import WRITE_ATTEMPTS, receive_once
from tests.agent.intake.conftest import NOW


def _find(name: str) -> Any:
    def find(session: Session) -> Optional[Applicant]:
        return session.scalars(sa.select(Applicant).where(Applicant.name == name)).first()

    return find


def _store(name: str) -> Any:
    def store(session: Session, display: str) -> Applicant:
        row = Applicant(name=name, display_name=display, created_at=NOW)
        session.add(row)
        session.flush()
        return row

    return store


def test_new_bytes_are_judged_once_and_stored(db: Any) -> None:
    judged: List[str] = []
    record, created = receive_once(db, _find("acme"), lambda: judged.append("x") or "Acme", _store("acme"))
    assert created and record.display_name == "Acme" and judged == ["x"]
    again, created_again = receive_once(db, _find("acme"), lambda: judged.append("y") or "Other", _store("acme"))
    assert not created_again and again.id == record.id and judged == ["x"]  # found first: not judged again


def test_a_record_stored_by_another_process_meanwhile_is_the_answer(db: Any) -> None:
    """The unique key refuses the second write; the record the other process stored is returned, not an error."""

    def judge_while_another_stores() -> str:
        with db.write() as other:
            other.add(Applicant(name="acme", display_name="stored first", created_at=NOW))
        return "stored second"

    record, created = receive_once(db, _find("acme"), judge_while_another_stores, _store("acme"))
    assert not created and record.display_name == "stored first"
    with db.read() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Applicant)) == 1


def test_a_write_that_keeps_failing_is_raised_after_the_attempts(db: Any) -> None:
    attempts: List[int] = []

    def failing(session: Session, _: str) -> Applicant:
        attempts.append(1)
        raise IntegrityError("INSERT", {}, Exception("another unique key"))

    with pytest.raises(IntegrityError):
        receive_once(db, _find("nobody"), lambda: "x", failing)
    assert len(attempts) == WRITE_ATTEMPTS
