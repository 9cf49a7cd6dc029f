"""Report diff: the weak host's plan is closed by the hardened host; each category on synthetic findings."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Dict, List, Optional, Sequence

import pytest

from agent.pipeline import plan_for
from checks.model import Finding, Text
from collectors.profile import Profile
from collectors.strictjson import to_json
from report.diff import CATEGORIES, diff_reports, diff_text
from report.model import Report, RunInfo, build_report
from report.signing import report_digest
from report.underwriting import Underwriting, underwriting_view
from tests.factories import make_finding
from tests.hosts import fixture_report

STARTED = "2026-01-01T00:00:00Z"


def _finding(check_id: str, status: str, target: Optional[str] = None, severity: str = "high") -> Finding:
    return replace(
        make_finding(check_id, status, target=target, severity=severity),
        title=Text(zh=f"检查 {check_id}", en=f"Check {check_id}"),
    )


def _report(
    findings: Sequence[Finding],
    name: str = "h1",
    underwriting: Optional[Underwriting] = None,
    previous_report: Optional[str] = None,
) -> Report:
    run = RunInfo(STARTED, "2026-01-01T00:00:01Z", 1000, 0, "root", True, "replay")
    report = build_report(
        profile=Profile.SERVER,
        target_name=name,
        run=run,
        evidence=(),
        findings=findings,
        previous_report=previous_report,
        report_id=f"r-{len(findings)}",
    )
    return replace(report, underwriting=underwriting)


def _underwriting(score: Optional[int], grade: Optional[str]) -> Underwriting:
    """An underwriting view whose insurer score and grade are the given ones."""
    view = underwriting_view([], None, STARTED)
    return replace(view, insurer=replace(view.insurer, score=score, grade=grade))


def _same_machine(weak: Report, hardened: Report) -> Report:
    """The hardened report as if of the weak host: the same machine, assessed again after rectification."""
    return replace(hardened, target=replace(hardened.target, name=weak.target.name))


def test_hardening_closes_every_task_of_the_weak_hosts_plan() -> None:
    weak = fixture_report("debian-weak")
    hardened = _same_machine(weak, fixture_report("debian-hardened"))
    plan = plan_for(weak, {"default_owner": "ops"}, "2026-03-01")
    diff: Dict[str, Any] = to_json(diff_reports(weak, hardened))
    closed = {(c["check_id"], c["target"]) for c in diff["closed"]}
    for task in plan.tasks:
        for v in task.verify_with:
            assert (v.check_id, v.target) in closed, task.id
    assert diff["counts"]["closed"] == len(plan.tasks)
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
    diff = diff_reports(old, new)
    d: Dict[str, Any] = to_json(diff)

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
    text = diff_text(diff, "en")
    assert "regressed" in text and "A-002" in text
    assert "回退" in diff_text(diff)  # zh is the default, as in every command


def test_different_targets_are_refused_unless_forced() -> None:
    old, new = _report([], "alpha"), _report([], "beta")
    with pytest.raises(ValueError, match=r"'alpha'.*'beta'"):
        diff_reports(old, new)
    assert diff_reports(old, new, force=True).forced is True


def test_score_deltas_from_the_underwriting_view() -> None:
    old = _report([], underwriting=_underwriting(40, "D"))
    new = _report([], underwriting=_underwriting(71, "B"))
    s = to_json(diff_reports(old, new).score)
    assert s == {"old": 40, "new": 71, "delta": 31, "old_grade": "D", "new_grade": "B"}


def test_score_is_null_when_a_report_has_none() -> None:
    old = _report([], underwriting=_underwriting(40, "D"))
    new = _report([], underwriting=underwriting_view([], None, STARTED))  # a view without an insurer score
    s = to_json(diff_reports(old, new).score)
    assert s["old"] == 40 and s["new"] is None and s["delta"] is None


def test_score_is_computed_when_the_reports_do_not_carry_it() -> None:
    pytest.importorskip("report.underwriting")
    weak = fixture_report("debian-weak")
    hardened = _same_machine(weak, fixture_report("debian-hardened"))  # report cores: no underwriting view carried
    s = to_json(diff_reports(weak, hardened).score)
    assert isinstance(s["delta"], int) and s["delta"] > 0


def test_chain_link_is_reported() -> None:
    old = _report([_finding("A-001", "fail")])
    new = _report([_finding("A-001", "pass")], previous_report=report_digest(old))
    assert diff_reports(old, new).new_names_old_as_previous is True
    other = replace(new, previous_report=None)
    assert diff_reports(old, other).new_names_old_as_previous is False
