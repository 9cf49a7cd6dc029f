"""The version and digest a report states are the rules this code judges by."""

from __future__ import annotations

import dataclasses

import pytest

from checks.catalogue import all_checks, compute_digest
from checks.catalogue_lock import CATALOGUE_DIGEST, CATALOGUE_VERSION


def test_the_locked_digest_is_the_digest_of_these_rules() -> None:
    assert compute_digest() == CATALOGUE_DIGEST, (
        f"the rules changed since catalogue {CATALOGUE_VERSION} was locked: "
        "run `.venv/bin/python -m tests.tools.lock_catalogue` (it bumps the version) and commit checks/catalogue_lock.py"
    )


def test_the_digest_changes_with_a_check_parameter(monkeypatch: pytest.MonkeyPatch) -> None:
    rc = all_checks()["LNX-PWD-001"]
    before = compute_digest()
    monkeypatch.setattr(rc, "meta", dataclasses.replace(rc.meta, params={"max_days": 9999}))
    assert compute_digest() != before
