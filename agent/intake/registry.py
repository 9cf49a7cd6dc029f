"""Applicants, staff and their tokens: what the ``serve token|user|applicant`` commands (and later the admin pages) change."""

from __future__ import annotations

import datetime as dt
from typing import List, Optional

import sqlalchemy as sa

from agent.intake.config import utc_now
from agent.intake.db import Database
from agent.intake.models import ApiToken, Applicant, Role, TokenKind, User
from agent.intake.tokens import digest, new_token


class RegistryError(ValueError):
    """A change that cannot be made; the message says why."""


def _name_problem(name: str, what: str) -> Optional[str]:
    from report.terminal import safe_line

    if not name.strip() or safe_line(name) != name or len(name) > 200 or name != name.strip() or "/" in name:
        return f"{what} {name!r}: use 1-200 visible characters, no slash, no leading or trailing space"
    return None


def add_applicant_token(
    db: Database, name: str, display_name: Optional[str] = None, organisation_id: Optional[str] = None, now: Optional[dt.datetime] = None
) -> str:
    """A new token for the applicant ``name``, registering the applicant first if it is new; the token (only now in clear)."""
    from report.trust import uscc_problem

    problem = _name_problem(name, "applicant")
    if problem:
        raise RegistryError(problem)
    if organisation_id is not None and uscc_problem(organisation_id):
        raise RegistryError(f"--org-id: {uscc_problem(organisation_id)}")
    at = now or utc_now()
    token = new_token()
    with db.write() as session:
        applicant = session.scalars(sa.select(Applicant).where(Applicant.name == name)).first()
        if applicant is None:
            applicant = Applicant(name=name, display_name=display_name or name, organisation_id=organisation_id, created_at=at)
            session.add(applicant)
            session.flush()
        else:
            if organisation_id is not None and applicant.organisation_id not in (None, organisation_id):
                raise RegistryError(f"applicant {name} is registered as organisation {applicant.organisation_id}, not {organisation_id}")
            applicant.organisation_id = organisation_id or applicant.organisation_id
            applicant.display_name = display_name or applicant.display_name
        session.add(ApiToken(kind=TokenKind.APPLICANT, token_sha256=digest(token), prefix=token[:10], applicant_id=applicant.id, created_at=at, window_count=0))
    return token


def add_user(db: Database, username: str, display_name: str, role: str, password: str, now: Optional[dt.datetime] = None) -> None:
    from agent.intake.passwords import PasswordError, hash_password

    problem = _name_problem(username, "user")
    if problem:
        raise RegistryError(problem)
    try:
        hashed = hash_password(password)
    except PasswordError as exc:
        raise RegistryError(str(exc)) from None
    with db.write() as session:
        if session.scalars(sa.select(User).where(User.username == username)).first() is not None:
            raise RegistryError(f"there is a user {username} already")
        session.add(User(username=username, display_name=display_name, password_hash=hashed, role=Role(role), created_at=now or utc_now()))


def add_staff_token(db: Database, username: str, now: Optional[dt.datetime] = None) -> str:
    token = new_token()
    with db.write() as session:
        user = session.scalars(sa.select(User).where(User.username == username)).first()
        if user is None or user.disabled_at is not None:
            raise RegistryError(f"no active user {username} (add one with: riskagent serve user add)")
        session.add(ApiToken(kind=TokenKind.STAFF, token_sha256=digest(token), prefix=token[:10], user_id=user.id, created_at=now or utc_now(), window_count=0))
    return token


def revoke_token(db: Database, prefix: str, now: Optional[dt.datetime] = None) -> None:
    with db.write() as session:
        found = session.scalars(sa.select(ApiToken).where(ApiToken.prefix == prefix, ApiToken.revoked_at.is_(None))).all()
        if len(found) != 1:
            raise RegistryError(f"{len(found)} active tokens start with {prefix!r}; give the prefix token list shows")
        found[0].revoked_at = now or utc_now()


def token_lines(db: Database) -> List[str]:
    out: List[str] = []
    with db.read() as session:
        for t in session.scalars(sa.select(ApiToken).order_by(ApiToken.id)):
            owner = f"applicant {t.applicant.name}" if t.applicant is not None else f"staff {t.user.username if t.user else '?'}"
            used = t.last_used_at.strftime("%Y-%m-%d %H:%M") if t.last_used_at else "never used"
            state = f"revoked {t.revoked_at:%Y-%m-%d}" if t.revoked_at else "active"
            out.append(f"{t.prefix}…  {owner}  created {t.created_at:%Y-%m-%d}  {used}  {state}")
    return out


def set_schedule(db: Database, name: str, interval_s: Optional[int], grace_s: Optional[int]) -> None:
    with db.write() as session:
        applicant = session.scalars(sa.select(Applicant).where(Applicant.name == name)).first()
        if applicant is None:
            raise RegistryError(f"no applicant {name}")
        applicant.checkin_interval_s, applicant.checkin_grace_s = interval_s, grace_s
