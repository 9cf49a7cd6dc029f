"""Who is calling the API: a bearer token looked up by its sha256, counted against its rate limit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Optional

import sqlalchemy as sa

from agent.intake.config import IntakeConfig
from agent.intake.db import Database
from agent.intake.models import ApiToken, Role, TokenKind
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
        row = session.scalars(
            sa.select(ApiToken)
            .where(ApiToken.token_sha256 == digest(token))
            # the applicant or user named below in the same statement (locking only the token's row)
            .options(sa.orm.joinedload(ApiToken.applicant), sa.orm.joinedload(ApiToken.user))
            .with_for_update(of=ApiToken)
        ).first()
        if row is None or row.revoked_at is not None or (row.user is not None and row.user.disabled_at is not None):
            raise Refused(401, "unauthorised", UNAUTHORISED)
        window = count_request(now, row.window_start, row.window_count, config.rate_limit, config.rate_window_s)
        row.window_start, row.window_count, row.last_used_at = window.start, window.count, now
        caller = Caller(
            row.id,
            row.kind,
            row.applicant_id,
            row.applicant.name if row.applicant is not None else None,
            row.user.role if row.user is not None else None,
        )
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
