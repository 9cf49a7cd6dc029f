"""Report diff: the weak host's plan is closed by the hardened host; each category on synthetic findings."""

from __future__ import annotations

import copy
from typing import Any, Dict, List, Optional

import pytest

from report.diff import CATEGORIES, diff_reports, diff_text
from report.plan import build_plan
from report.signing import report_digest
from tests.report.test_model import fixture_report


def _finding(check_id: str, status: str, target: Optional[str] = None, severity: str = "high") -> Dict[str, Any]:
    return {
        "check_id": check_id,
        "target": target,
        "status": status,
        "severity": severity,
        "title": {"zh": f"检查 {check_id}", "en": f"Check {check_id}"},
        "high_risk_case": None,
        "reason": None,
    }


def _report(findings: List[Dict[str, Any]], name: str = "h1", **extra: Any) -> Dict[str, Any]:
    return {
        "report_id": f"r-{len(findings)}",
        "target": {"name": name, "kind": "host"},
        "run": {"started_at": "2026-01-01T00:00:00Z"},
        "findings": findings,
        **extra,
    }


def test_hardening_closes_every_task_of_the_weak_hosts_plan() -> None:
    weak = fixture_report("debian-weak")
    hardened = fixture_report("debian-hardened")
    hardened["target"]["name"] = weak["target"]["name"]  # the same machine, assessed again after rectification
    plan = build_plan(weak, {"default_owner": "ops"}, "2026-03-01")
    diff = diff_reports(weak, hardened)
    closed = {(c["check_id"], c["target"]) for c in diff["closed"]}
    for task in plan["tasks"]:
        for v in task["verify_with"]:
            assert (v["check_id"], v["target"]) in closed, task["id"]
    assert diff["counts"]["closed"] == len(plan["tasks"])
    assert diff["counts"]["regressed"] == diff["counts"]["new"] == diff["counts"]["persisting"] == 0
    assert diff["failed_by_severity"]["critical"]["new"] == 0
    assert diff["failed_by_severity"]["critical"]["delta"] < 0


def test_each_category_on_synthetic_findings() -> None:
    old = _report(
        [
            _finding("A-001", "fail"),  # -> pass: closed
            _finding("A-002", "pass"),  # -> fail: regressed
            _finding("A-003", "not_applicable"),  # -> fail: new
            _finding("A-004", "fail", "10.0.0.1"),  # -> fail: persisting
            _finding("A-004", "pass", "10.0.0.2"),  # same check, other target: regressed
            _finding("A-005", "pass"),  # -> error: could not assess
            _finding("A-006", "fail"),  # absent now: dropped
            _finding("A-007", "manual"),  # -> fail: new (it was never shown fine)
            _finding("A-008", "pass"),  # unchanged: not listed
            _finding("A-009", "fail"),  # -> error: could not assess
        ]
    )
    new = _report(
        [
            _finding("A-001", "pass"),
            _finding("A-002", "fail"),
            _finding("A-003", "fail"),
            _finding("A-004", "fail", "10.0.0.1"),
            _finding("A-004", "fail", "10.0.0.2"),
            _finding("A-005", "error"),
            _finding("A-007", "fail"),
            _finding("A-008", "pass"),
            _finding("A-009", "error"),
            _finding("A-010", "fail", "https://x.example.test"),  # absent before: new
        ]
    )
    d = diff_reports(old, new)

    def keys(cat: str) -> List[Any]:
        return [(x["check_id"], x["target"]) for x in d[cat]]

    assert keys("closed") == [("A-001", None)]
    assert keys("regressed") == [("A-002", None), ("A-004", "10.0.0.2")]
    assert keys("new") == [("A-003", None), ("A-007", None), ("A-010", "https://x.example.test")]
    assert keys("persisting") == [("A-004", "10.0.0.1")]
    assert keys("dropped") == [("A-006", None)]
    assert keys("could_not_assess") == [("A-005", None), ("A-009", None)]
    assert d["counts"] == {c: len(d[c]) for c in CATEGORIES}
    assert d["could_not_assess"][0]["old_status"] == "pass" and d["could_not_assess"][0]["new_status"] == "error"
    text = diff_text(d)
    assert "regressed" in text and "A-002" in text
    assert "退化" in diff_text(d, "zh")


def test_different_targets_are_refused_unless_forced() -> None:
    old, new = _report([], "alpha"), _report([], "beta")
    with pytest.raises(ValueError, match=r"'alpha'.*'beta'"):
        diff_reports(old, new)
    assert diff_reports(old, new, force=True)["forced"] is True


def test_score_deltas_from_the_underwriting_view() -> None:
    old = _report([], underwriting={"insurer": {"score": 40, "grade": "D"}})
    new = _report([], underwriting={"insurer": {"score": 71, "grade": "B"}})
    s = diff_reports(old, new)["score"]
    assert s == {"old": 40, "new": 71, "delta": 31, "old_grade": "D", "new_grade": "B"}


def test_score_is_null_when_a_report_has_none() -> None:
    old = _report([], underwriting={"insurer": {"score": 40, "grade": "D"}})
    new = _report([], underwriting={"mlps": {}})
    s = diff_reports(old, new)["score"]
    assert s["old"] == 40 and s["new"] is None and s["delta"] is None


def test_score_is_computed_when_the_reports_do_not_carry_it() -> None:
    pytest.importorskip("report.underwriting")
    weak = fixture_report("debian-weak")
    hardened = fixture_report("debian-hardened")
    hardened["target"]["name"] = weak["target"]["name"]
    s = diff_reports(weak, hardened)["score"]
    assert isinstance(s["delta"], int) and s["delta"] > 0


def test_chain_link_is_reported() -> None:
    old = _report([_finding("A-001", "fail")])
    new = _report([_finding("A-001", "pass")], previous_report=report_digest(old))
    assert diff_reports(old, new)["new_names_old_as_previous"] is True
    other = copy.deepcopy(new)
    other["previous_report"] = None
    assert diff_reports(old, other)["new_names_old_as_previous"] is False
