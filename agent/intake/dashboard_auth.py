"""Dashboard logins: sessions in ``web_sessions``, CSRF tokens, roles, and the failed-login limit.

Why it is built this way:

* the cookie holds a random 256-bit secret; the table holds its sha256, so a
  database leak hands out no working session (as with API tokens);
* a session ends after ``IDLE_S`` without a request and ``ABSOLUTE_S`` after
  the login whatever happens; the idle clock is moved at most once a minute,
  so reading pages does not write a row per request;
* every state-changing form carries the session's CSRF token in a hidden
  field, compared with ``hmac.compare_digest``; the login form, which has no
  session yet, carries a random value that must equal a short-lived cookie
  (double submit), so no one else's page can log a browser in;
* failed logins are counted per user name and per client address in
  ``login_failures`` (every server process sees the same counts); past the
  limit the password is not even checked, so argon2's cost cannot be used to
  load the server either. A successful login clears its user name's count.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import math
import secrets
from dataclasses import dataclass
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from agent.intake.db import Database
from agent.intake.models import LoginFailures, Role, User, WebSession

IDLE_S = 30 * 60
ABSOLUTE_S = 12 * 3600
TOUCH_EVERY_S = 60
FAILURE_WINDOW_S = 15 * 60
USER_FAILURES = 5  # per user name per window
ADDRESS_FAILURES = 20  # per client address per window

RANK = {Role.VIEWER: 0, Role.UNDERWRITER: 1, Role.ADMIN: 2}

# A valid argon2id hash of a random password: checking an unknown user name costs what checking a known one does.
_DUMMY_HASH: Optional[str] = None


@dataclass(frozen=True)
class Staff:
    """The member of staff behind a request."""

    user_id: int
    username: str
    display_name: str
    role: Role
    session_id: int
    csrf_token: str

    def may(self, role: Role) -> bool:
        """Whether this member's role is ``role`` or above it (viewer < underwriter < admin)."""
        return RANK[self.role] >= RANK[role]


def secret_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("ascii", "replace")).hexdigest()


def same(expected: str, given: Optional[str]) -> bool:
    """Constant-time equality of two tokens; a missing or empty one never matches."""
    if not given or not expected:
        return False
    return hmac.compare_digest(expected.encode("ascii", "replace"), given.encode("ascii", "replace"))


def new_secret() -> str:
    return secrets.token_urlsafe(32)


# ------------------------------------------------------------------------------------------ the failed-login limit


@dataclass(frozen=True)
class Limited:
    retry_after_s: int


def _failure_keys(username: str, address: str) -> tuple[tuple[str, int], ...]:
    return ((f"user:{username[:150]}", USER_FAILURES), (f"addr:{address[:150]}", ADDRESS_FAILURES))


def login_limited(session: Session, username: str, address: str, now: dt.datetime) -> Optional[Limited]:
    """Whether this user name or address has used up its failed logins in the current window."""
    worst = 0
    for key, limit in _failure_keys(username, address):
        row = session.get(LoginFailures, key)
        if row is None:
            continue
        age = (now - row.window_start).total_seconds()
        if 0 <= age < FAILURE_WINDOW_S and row.count >= limit:
            worst = max(worst, max(1, math.ceil(FAILURE_WINDOW_S - age)))
    return Limited(worst) if worst else None


def count_failure(session: Session, username: str, address: str, now: dt.datetime) -> None:
    for key, _ in _failure_keys(username, address):
        row = session.get(LoginFailures, key, with_for_update=True)
        if row is None:
            session.add(LoginFailures(key=key, window_start=now, count=1))
            continue
        age = (now - row.window_start).total_seconds()
        if age < 0 or age >= FAILURE_WINDOW_S:
            row.window_start, row.count = now, 1
        else:
            row.count += 1


def clear_failures(session: Session, username: str) -> None:
    session.execute(sa.delete(LoginFailures).where(LoginFailures.key == f"user:{username[:150]}"))


# ------------------------------------------------------------------------------------------ login and sessions


@dataclass(frozen=True)
class LoginResult:
    secret: Optional[str] = None  # the new session's cookie value
    limited: Optional[Limited] = None


def _check_password(stored: Optional[str], password: str) -> bool:
    from agent.intake.passwords import verify_password

    global _DUMMY_HASH
    if stored is None:
        if _DUMMY_HASH is None:
            from agent.intake.passwords import hash_password

            _DUMMY_HASH = hash_password(secrets.token_urlsafe(24))
        verify_password(_DUMMY_HASH, password)
        return False
    return verify_password(stored, password)


def log_in(db: Database, username: str, password: str, address: str, now: dt.datetime) -> LoginResult:
    """A new session for ``username`` when the password is right and the limit allows; else why not.

    The password is checked outside any transaction (argon2 takes tens of milliseconds and must not
    hold SQLite's write lock); the failure is then counted, or the session stored, in a short one.
    """
    from agent.intake.passwords import hash_password, needs_rehash

    with db.read() as session:
        limited = login_limited(session, username, address, now)
        if limited is not None:
            return LoginResult(limited=limited)
        user = session.scalars(sa.select(User).where(User.username == username)).first()
        active = user is not None and user.disabled_at is None
        stored = user.password_hash if user is not None and active else None
    if not _check_password(stored, password) or user is None:
        for attempt in range(3):
            try:
                with db.write() as session:
                    count_failure(session, username, address, now)
                break
            except IntegrityError:  # another process counted the first failure of this window at the same moment
                if attempt == 2:
                    raise
        return LoginResult()
    secret = new_secret()
    rehashed = hash_password(password) if needs_rehash(user.password_hash) else None
    with db.write() as session:
        clear_failures(session, username)
        if rehashed is not None:
            session.execute(sa.update(User).where(User.id == user.id).values(password_hash=rehashed))
        session.add(
            WebSession(
                secret_sha256=secret_digest(secret),
                user_id=user.id,
                csrf_token=secrets.token_urlsafe(32),
                created_at=now,
                last_seen_at=now,
                expires_at=now + dt.timedelta(seconds=ABSOLUTE_S),
            )
        )
    return LoginResult(secret=secret)


def current(db: Database, secret: Optional[str], now: dt.datetime, idle_s: int = IDLE_S) -> Optional[Staff]:
    """The staff member whose live session the cookie ``secret`` opens, or None (no, expired or disabled)."""
    if not secret or len(secret) > 100:
        return None
    with db.read() as session:
        row = session.execute(
            sa.select(WebSession, User)
            .join(User, User.id == WebSession.user_id)
            .where(WebSession.secret_sha256 == secret_digest(secret))
        ).first()
    if row is None:
        return None
    web, user = row
    idle = (now - web.last_seen_at).total_seconds()
    if user.disabled_at is not None or now >= web.expires_at or idle >= idle_s:
        end_session(db, secret)
        return None
    if idle >= TOUCH_EVERY_S:
        with db.write() as session:
            session.execute(sa.update(WebSession).where(WebSession.id == web.id).values(last_seen_at=now))
    return Staff(user.id, user.username, user.display_name, user.role, web.id, web.csrf_token)


def end_session(db: Database, secret: str) -> None:
    with db.write() as session:
        session.execute(sa.delete(WebSession).where(WebSession.secret_sha256 == secret_digest(secret)))


def end_sessions_of(session: Session, user_id: int) -> None:
    """Log a user out everywhere (their account was disabled or their role changed)."""
    session.execute(sa.delete(WebSession).where(WebSession.user_id == user_id))


def purge_expired(db: Database, now: dt.datetime, idle_s: int = IDLE_S) -> None:
    """Drop sessions past their end and failure windows long over (at each login: the tables stay small)."""
    with db.write() as session:
        session.execute(
            sa.delete(WebSession).where(sa.or_(WebSession.expires_at <= now, WebSession.last_seen_at <= now - dt.timedelta(seconds=idle_s)))
        )
        session.execute(sa.delete(LoginFailures).where(LoginFailures.window_start <= now - dt.timedelta(seconds=FAILURE_WINDOW_S)))
