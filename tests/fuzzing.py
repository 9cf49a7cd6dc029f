"""Hypothesis profiles shared by every property-based test.

* ``ci`` (the default): at least 500 examples per parser, derandomized, so the
  suite is reproducible and stays within its time.
* ``long``: 100,000 examples per parser with fresh randomness, for a fuzzing
  campaign: ``RISKAGENT_FUZZ=long .venv/bin/python -m pytest -q -m fuzz`` (or
  ``scripts/fuzz.sh``).

Use ``@fuzz`` on a test (it applies the active profile and marks the test
``fuzz``), or ``examples(n)`` for a test that needs a different count in CI.
"""

from __future__ import annotations

import os
from typing import Any, Callable, TypeVar

import pytest
from hypothesis import HealthCheck, settings

CI_EXAMPLES = 500
LONG_EXAMPLES = 100_000
_SUPPRESS = (HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much, HealthCheck.large_base_example)

settings.register_profile("ci", max_examples=CI_EXAMPLES, derandomize=True, deadline=None, database=None, suppress_health_check=_SUPPRESS)
settings.register_profile("long", max_examples=LONG_EXAMPLES, derandomize=False, deadline=None, database=None, suppress_health_check=_SUPPRESS)
PROFILE = os.environ.get("RISKAGENT_FUZZ", "ci")
if PROFILE not in ("ci", "long"):
    raise RuntimeError(f"RISKAGENT_FUZZ={PROFILE!r}: expected ci or long")

F = TypeVar("F", bound=Callable[..., Any])


def fuzz(fn: F) -> F:
    """The active profile (ci or long) on a property-based test, and the ``fuzz`` marker."""
    marked: F = pytest.mark.fuzz(settings.get_profile(PROFILE)(fn))
    return marked


def examples(n: int) -> int:
    """``n`` examples in CI, the long profile's count in a campaign."""
    return LONG_EXAMPLES if PROFILE == "long" else n
