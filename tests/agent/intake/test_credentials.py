"""Tokens, staff passwords and the rate-limit window, as plain functions."""

from __future__ import annotations

import datetime as dt

import pytest

from agent.intake.passwords import PasswordError, hash_password, needs_rehash, verify_password
from agent.intake.ratelimit import count_request
from agent.intake.tokens import bearer, digest, new_token, well_formed

T0 = dt.datetime(2026, 12, 5, tzinfo=dt.timezone.utc)


def test_tokens_are_random_well_formed_and_read_from_the_bearer_header_only() -> None:
    a, b = new_token(), new_token()
    assert a != b and well_formed(a) and len(digest(a)) == 64 and digest(a) != digest(b)
    assert bearer(f"Bearer {a}") == a and bearer(f"bearer  {a} ") == a
    assert bearer(f"Basic {a}") is None and bearer(None) is None and bearer("Bearer ra_short") is None
    assert bearer(f"Bearer {a}x") is None and bearer("Bearer " + "ra_" + "é" * 43) is None


def test_passwords_are_argon2id_and_checked_without_raising() -> None:
    stored = hash_password("correct horse battery")
    assert stored.startswith("$argon2id$") and "correct horse" not in stored
    assert verify_password(stored, "correct horse battery") and not verify_password(stored, "correct horse batterY")
    assert not verify_password("not a hash", "correct horse battery") and not needs_rehash(stored)
    with pytest.raises(PasswordError):
        hash_password("short")


def test_the_rate_window() -> None:
    w = count_request(T0, None, 0, 2, 60)
    assert (w.start, w.count, w.allowed) == (T0, 1, True)
    w = count_request(T0 + dt.timedelta(seconds=10), w.start, w.count, 2, 60)
    assert w.allowed and w.count == 2
    w = count_request(T0 + dt.timedelta(seconds=20), w.start, w.count, 2, 60)
    assert not w.allowed and w.retry_after_s == 40
    fresh = count_request(T0 + dt.timedelta(seconds=60), w.start, w.count, 2, 60)
    assert fresh.allowed and fresh.count == 1 and fresh.start == T0 + dt.timedelta(seconds=60)
    back = count_request(T0 - dt.timedelta(seconds=5), T0, 2, 2, 60)  # the clock went back: a new window
    assert back.allowed and back.count == 1
