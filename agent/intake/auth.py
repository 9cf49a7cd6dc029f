"""Who is calling the API: a bearer token looked up by its sha256, counted against its rate limit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Optional, cast

import sqlalchemy as sa

from agent.intake.config import IntakeConfig
from agent.intake.db import Database
from agent.intake.models import ApiToken, Applicant, Role, TokenKind, User
from agent.intake.ratelimit import count_request
from agent.intake.tokens import bearer, digest
from checks.model import Text


@dataclass(frozen=True)
class Caller:
    token_id: int
    kind: TokenKind
    applicant_id: Optional[int]
    applicant: Optional[str]
    role: Optional[Role]  # a staff token's user's role


class Refused(Exception):
    """A request the API answers with an error status; ``message`` is for the person reading the reply."""

    def __init__(self, status: int, code: str, message: Text, retry_after_s: int = 0) -> None:
        super().__init__(message.en)
        self.status = status
        self.code = code
        self.message = message
        self.retry_after_s = retry_after_s


_TOKENS = cast(sa.Table, ApiToken.__table__)
_APPLICANTS = cast(sa.Table, Applicant.__table__)
_USERS = cast(sa.Table, User.__table__)

# Built once, bound at execution (every request passes here): the token, its applicant's name and its user's role in
# one statement, locking only the token's row; then its rate window.
_TOKEN_OF_DIGEST = (
    sa.select(
        _TOKENS.c.id,
        _TOKENS.c.kind,
        _TOKENS.c.applicant_id,
        _TOKENS.c.revoked_at,
        _TOKENS.c.window_start,
        _TOKENS.c.window_count,
        _APPLICANTS.c.name.label("applicant"),
        _USERS.c.id.label("user_id"),
        _USERS.c.role,
        _USERS.c.disabled_at,
    )
    .select_from(_TOKENS.outerjoin(_APPLICANTS, _APPLICANTS.c.id == _TOKENS.c.applicant_id).outerjoin(_USERS, _USERS.c.id == _TOKENS.c.user_id))
    .where(_TOKENS.c.token_sha256 == sa.bindparam("token_sha256"))
    .with_for_update(of=_TOKENS)
)
_COUNT_REQUEST = (
    sa.update(_TOKENS)
    .where(_TOKENS.c.id == sa.bindparam("token_id"))
    .values(window_start=sa.bindparam("start"), window_count=sa.bindparam("count"), last_used_at=sa.bindparam("now"))
)

UNAUTHORISED = Text(
    zh="缺少有效的 API 令牌（Authorization: Bearer <令牌>），或令牌已吊销",
    en="no valid API token (Authorization: Bearer <token>), or the token was revoked",
)


def authenticate(db: Database, config: IntakeConfig, header: Optional[str], now: dt.datetime) -> Caller:
    """The caller of a request with this ``Authorization`` header; raises ``Refused`` (401, 429)."""
    token = bearer(header)
    if token is None:
        raise Refused(401, "unauthorised", UNAUTHORISED)
    with db.write() as session:
        # The table's own statements, not the ORM's unit of work.
        row = session.execute(_TOKEN_OF_DIGEST, {"token_sha256": digest(token)}).first()
        if row is None or row.revoked_at is not None or (row.user_id is not None and row.disabled_at is not None):
            raise Refused(401, "unauthorised", UNAUTHORISED)
        window = count_request(now, row.window_start, row.window_count, config.rate_limit, config.rate_window_s)
        session.execute(_COUNT_REQUEST, {"token_id": row.id, "start": window.start, "count": window.count, "now": now})
        caller = Caller(row.id, row.kind, row.applicant_id, row.applicant, row.role if row.user_id is not None else None)
    if not window.allowed:
        raise Refused(
            429,
            "rate_limited",
            Text(
                zh=f"请求过于频繁：每个令牌每 {config.rate_window_s} 秒最多 {config.rate_limit} 次，请 {window.retry_after_s} 秒后重试",
                en=f"too many requests: at most {config.rate_limit} per {config.rate_window_s} s per token; retry in {window.retry_after_s} s",
            ),
            window.retry_after_s,
        )
    return caller
