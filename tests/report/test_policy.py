"""Verification policies: the file format, flags added to it, and every rule named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from report.policy import Policy, PolicyError, load_policy, merge, parse_duration
from report.trust import Role


def test_durations() -> None:
    assert parse_duration("30d", "x") == 30 * 86400
    assert parse_duration("12h", "x") == 12 * 3600
    assert parse_duration("2w", "x") == 14 * 86400
    with pytest.raises(PolicyError, match="--max-age: '30 days' is not a duration"):
        parse_duration("30 days", "--max-age")


def test_a_policy_file(tmp_path: Path) -> None:
    path = tmp_path / "policy.json"
    path.write_text(
        json.dumps(
            {
                "max_age": "30d",
                "require_live": True,
                "require_roles": ["assessor"],
                "allow_overrides": ["LNX-PWD-001.max_days", "NET-PRT-003.*"],
                "questionnaire_sha256": "ab" * 32,
                "subjects": "host:web-*",
                "profiles": ["server", "website"],
            }
        )
    )
    p = load_policy(path)
    assert p.max_age_s == 30 * 86400 and p.require_live and p.require_roles == (Role.ASSESSOR,)
    assert p.allow_overrides == ("LNX-PWD-001.max_days", "NET-PRT-003.*") and p.subjects == ("host:web-*",)
    added = merge(p, require_roles=(Role.APPLICANT,), challenge="n-12345678", require_live=False)
    assert added.require_roles == (Role.ASSESSOR, Role.APPLICANT) and added.challenge == "n-12345678" and added.require_live


@pytest.mark.parametrize(
    "data, message",
    [
        ({"max_age": "forever"}, "max_age: 'forever' is not a duration"),
        ({"require_live": "yes"}, "require_live: expected true or false"),
        ({"require_roles": ["underwriter"]}, "'underwriter' is not one of applicant, assessor, insurer"),
        ({"allow_overrides": ["max_days"]}, "'max_days' is not CHECK-ID.param"),
        ({"questionnaire_sha256": "abc"}, "'abc' is not a sha256 hex digest"),
        ({"maxage": "30d"}, "unknown key 'maxage'"),
        ([], "a policy is a JSON object"),
    ],
)
def test_bad_policies_name_the_key(tmp_path: Path, data: object, message: str) -> None:
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(data))
    with pytest.raises(PolicyError) as exc:
        load_policy(path)
    assert message in str(exc.value) and str(path) in str(exc.value)


def test_an_unreadable_policy_is_named(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="cannot read policy"):
        load_policy(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{,}")
    with pytest.raises(PolicyError, match="line 1"):
        load_policy(bad)


def test_the_default_policy_adds_nothing() -> None:
    assert Policy() == merge(Policy())
