"""Report diff: a before/after header and the old plan's progress first; the weak host's configuration tasks are
closed by the hardened host; each category on synthetic findings."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Dict, List, Optional, Sequence

import pytest

from checks.model import Finding, Text
from collectors.profile import Profile
from collectors.strictjson import to_json
from questionnaires.model import Basis
from report.diff import CATEGORIES, diff_markdown, diff_reports, diff_text, task_progress
from report.model import Report, RunInfo, build_report
from report.plan import TaskKind, plan_of_report
from report.signing import report_digest
from report.underwriting import Underwriting, underwriting_view
from tests.factories import make_finding
from tests.hosts import complete_report, fixture_report

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


def _hardened_later(weak: Report, started_at: str = "2026-02-01T00:00:00Z") -> Report:
    """The weak host assessed again after rectification (the hardened recording, as that host, a month later)."""
    return complete_report("debian-hardened", target_name=weak.target.name, started_at=started_at)


def test_hardening_closes_every_configuration_task_of_the_weak_hosts_plan() -> None:
    weak = fixture_report("debian-weak")
    hardened = _hardened_later(weak)
    plan = plan_of_report(weak, {"default_owner": "ops"}, "2026-01-01")
    result = diff_reports(weak, hardened)
    diff: Dict[str, Any] = to_json(result)
    closed = {(c["check_id"], c["target"]) for c in diff["closed"]}
    states = {t.id: t.state for t in result.tasks.tasks}
    assert set(states) == {t.id for t in plan.tasks}
    for task in plan.tasks:
        if task.kind is TaskKind.ARTEFACT:
            assert all((c, task.target) in closed for c in task.checks), task.id
            assert states[task.id] == "closed", task.id
    # The incident-response plan and drill were never answered: still open, and past their 7-day deadline.
    assert states["T-HF-no-ir-plan"] == states["T-HF-no-ir-drill"] == "overdue"
    assert diff["tasks"]["counts"]["closed"] == sum(1 for t in plan.tasks if t.kind is TaskKind.ARTEFACT)
    assert diff["counts"]["closed"] == len(weak.failed())
    assert diff["counts"]["regressed"] == diff["counts"]["new"] == diff["counts"]["persisting"] == 0
    assert diff["failed_by_severity"]["critical"]["new"] == 0
    assert diff["failed_by_severity"]["critical"]["delta"] < 0


def test_the_header_says_where_the_target_stands_before_and_after() -> None:
    weak = fixture_report("debian-weak")
    result = diff_reports(weak, _hardened_later(weak))
    d: Dict[str, Any] = to_json(result)
    assert list(d)[:2] == ["header", "tasks"]
    before, after = d["header"]["before"], d["header"]["after"]
    assert before["binding"] == "blocked" and before["hard_fail"]["open"] > 0 and before["open_high_risk"] > 0
    assert after["binding"] == "unconfirmed" and after["hard_fail"]["open"] == 0 and after["open_high_risk"] == 0
    assert before["mlps_hint"] == "差" and after["mlps_hint"] is None
    assert (before["grade"], after["grade"]) == ("F", d["score"]["new_grade"]) and after["score"] > before["score"]
    for lang, words in (
        ("en", ["Hard-fail items", "Open MLPS high-risk cases", "Risk score · rating", "MLPS conclusion hint", "Plan tasks"]),
        ("zh", ["核保否决项", "未整改的高风险项", "风险评分 · 评级", "等保结论提示", "整改任务"]),
    ):
        lines = diff_text(result, lang).splitlines()
        assert [line.strip().startswith(w) for line, w in zip(lines[1:6], words)] == [True] * 5, lines[:6]
        assert "->" in lines[1] and ("binding blocked" in lines[1] or "存在核保否决项" in lines[1])
    md = diff_markdown(result, "en").splitlines()
    assert md[0].startswith("# Assessment comparison") and md[4] == "| | before | after |"
    assert md[6].startswith("| Hard-fail items |") and any(line.startswith("## Plan tasks") for line in md[8:14])


def test_task_progress_counts_overdue_against_the_new_reports_start() -> None:
    weak = fixture_report("debian-weak")
    early = task_progress(weak, _hardened_later(weak, "2026-01-05T00:00:00Z"))  # before the 7-day deadlines
    late = task_progress(weak, _hardened_later(weak, "2026-12-01T00:00:00Z"))  # after every deadline
    assert early.as_of == "2026-01-05" and early.counts["overdue"] == 0 and early.counts["open"] > 0
    assert late.counts["open"] == 0 and late.counts["overdue"] == early.counts["open"]
    assert late.counts["closed"] == early.counts["closed"]


def test_an_answer_closes_a_hard_fail_task() -> None:
    weak = fixture_report("debian-weak")
    later = _hardened_later(weak)
    assert later.questionnaire is not None
    answers = tuple(replace(a, basis=Basis.ATTESTED, value="yes") if a.question == "IR-01" else a for a in later.questionnaire.answers)
    answered = replace(later, questionnaire=replace(later.questionnaire, answers=answers))
    states = {t.id: t.state for t in task_progress(weak, answered).tasks}
    assert states["T-HF-no-ir-plan"] == "closed" and states["T-HF-no-ir-drill"] == "overdue"


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
    assert list(d["counts"]) == list(CATEGORIES) == ["closed", "new", "regressed", "persisting", "dropped", "could_not_assess"]

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
    order = [text.index(f"    {w}") for w in ("closed ", "new ", "regressed ", "persisting ")]
    assert order == sorted(order)
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
    weak = fixture_report("debian-weak")
    hardened = _same_machine(weak, fixture_report("debian-hardened"))
    # Report cores: no underwriting view carried.
    s = to_json(diff_reports(replace(weak, underwriting=None), replace(hardened, underwriting=None)).score)
    assert isinstance(s["delta"], int) and s["delta"] > 0


def test_chain_link_is_reported() -> None:
    old = _report([_finding("A-001", "fail")])
    new = _report([_finding("A-001", "pass")], previous_report=report_digest(old))
    assert diff_reports(old, new).new_names_old_as_previous is True
    other = replace(new, previous_report=None)
    assert diff_reports(old, other).new_names_old_as_previous is False
