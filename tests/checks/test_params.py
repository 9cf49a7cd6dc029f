"""Check parameters: every one has a stricter direction; overrides are classified and validated against the default."""

from __future__ import annotations

from typing import Any

import pytest

from checks.catalogue import all_checks
from checks.params import DIRECTIONS, effect, overrides_of, value_problem


def test_every_parameter_declares_its_stricter_direction() -> None:
    missing = sorted({f"{cid}.{name}" for cid, rc in all_checks().items() for name in rc.meta.params if name not in DIRECTIONS})
    assert not missing, f"declare these in checks/params.py DIRECTIONS: {missing}"


def test_no_direction_is_declared_for_a_parameter_no_check_has() -> None:
    used = {name for rc in all_checks().values() for name in rc.meta.params}
    assert not set(DIRECTIONS) - used


@pytest.mark.parametrize(
    "name, default, value, expected",
    [
        ("max_pending", 0, 100000, "weakens"),
        ("max_pending", 5, 0, "tightens"),
        ("min_length", 8, 12, "tightens"),
        ("min_length", 8, 6, "weakens"),
        ("permit_root_login_allowed", ["no"], ["no", "yes"], "weakens"),
        ("permit_root_login_allowed", ["no", "prohibit-password"], ["no"], "tightens"),
        ("high_risk_ports", [21, 23], [21], "weakens"),
        ("high_risk_ports", [21, 23], [21, 23, 25], "tightens"),
        ("high_risk_ports", [21, 23], [23, 21], "neutral"),
        ("require_readonly", True, False, "weakens"),
        ("is_router", False, True, "weakens"),
        ("strict_rp_filter", False, True, "tightens"),
        ("max_mode", "0755", "0777", "weakens"),
        ("max_mode", "0755", "0750", "tightens"),
        ("umask", "027", "022", "weakens"),
        ("umask", "027", "077", "tightens"),
        ("eol_minimum", {"openssh": "8.0"}, {"openssh": "7.4"}, "weakens"),
        ("eol_minimum", {"openssh": "8.0"}, {}, "weakens"),
        ("eol_minimum", {"openssh": "8.0"}, {"openssh": "9.0", "nginx": "1.20"}, "tightens"),
        ("max_topics_shown", 20, 200, "neutral"),
        ("no_such_parameter", 1, 2, "weakens"),
    ],
)
def test_override_effects(name: str, default: Any, value: Any, expected: str) -> None:
    assert effect(name, default, value) == expected


@pytest.mark.parametrize(
    "name, default, value, message",
    [
        ("max_pending", 0, "100", "expected an integer"),
        ("max_pending", 0, True, "expected an integer"),
        ("max_pending", 0, -1, ">= 0"),
        ("high_risk_ports", [21], ["ftp"], "a list of integers"),
        ("max_mode", "0755", "rwxr-xr-x", "octal mode"),
        ("eol_minimum", {"openssh": "8.0"}, {"openssh": 8}, "version strings"),
    ],
)
def test_values_of_the_wrong_kind_are_named(name: str, default: Any, value: Any, message: str) -> None:
    problem = value_problem(name, default, value)
    assert problem is not None and message in problem


def test_overrides_are_the_values_that_differ() -> None:
    assert overrides_of({"a": 1, "b": [1]}, {"a": 1, "b": [2]}) == {"b": [2]}
