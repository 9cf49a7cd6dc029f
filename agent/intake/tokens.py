"""API tokens: made here, shown once, stored as their sha256.

A token is 32 random bytes (``ra_`` + URL-safe base64): guessing one is out of
reach, so a fast hash is enough to keep a database leak from handing out
working tokens, and lookup is one indexed equality. Passwords, which people
choose, get argon2 instead (``agent.intake.passwords``).
"""

from __future__ import annotations

import hashlib
import re
import secrets

PREFIX = "ra_"
_SHAPE = re.compile(r"ra_[A-Za-z0-9_-]{43}", re.ASCII)


def new_token() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def well_formed(token: str) -> bool:
    """Whether ``token`` has the shape of one of ours (anything else is refused before the database is asked)."""
    return _SHAPE.fullmatch(token) is not None


def bearer(header: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, or None."""
    if not header:
        return None
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    value = value.strip()
    return value if well_formed(value) else None
