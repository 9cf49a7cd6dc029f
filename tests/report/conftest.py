"""Fixtures the verification tests share: a throwaway signing key and a genuine live report of a recorded host."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from report.model import Report
from tests.hosts import complete_report


@pytest.fixture(scope="module")
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture(scope="module")
def genuine() -> Report:
    """debian-weak assessed live (server profile) as host ``vm``."""
    return complete_report("debian-weak", target_name="vm", mode="live")
