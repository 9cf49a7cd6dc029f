"""The decision box's rules, on recorded hosts and on reports changed one fact at a time."""

from __future__ import annotations

import dataclasses

from report.decision import Recommendation, decide
from report.model import Report
from report.presentation import observed_rows, tech_segments, when
from report.render import terminal_summary
from tests.hosts import fixture_report


def test_weak_host_is_declined_by_rule_r1_naming_the_hard_fails_present() -> None:
    d = decide(fixture_report("debian-weak"))
    assert d.recommendation is Recommendation.DECLINE_OR_DEFER and d.rule == "R1"
    assert d.hard_fail_present and d.grade == "F"
    assert any("MFA" in h.en for h in d.hard_fail_present)


def test_hardened_host_with_unconfirmed_items_is_conditional_with_each_condition() -> None:
    report = fixture_report("debian-hardened")
    d = decide(report)
    assert d.recommendation is Recommendation.CONDITIONAL and d.rule == "R2"
    assert not d.hard_fail_present and d.hard_fail_unconfirmed
    assert len([c for c in d.conditions if c.en.startswith("Confirm the hard-fail item")]) == len(d.hard_fail_unconfirmed)
    assert any("Complete the questionnaire" in c.en for c in d.conditions)
    assert d.questions is not None and d.answered is not None and d.answered < d.questions


def _all_clear(report: Report) -> Report:
    """The hardened host with every hard-fail item confirmed clear and the questionnaire complete."""
    uw = report.underwriting
    assert uw is not None and report.questionnaire is not None
    entries = tuple(dataclasses.replace(e, state="clear") for e in uw.hard_fail.entries)
    hard_fail = dataclasses.replace(uw.hard_fail, entries=entries, binding_unconfirmed=False, binding_blocked=False)
    q = report.questionnaire
    summary = dataclasses.replace(q.summary, attested=q.summary.attested + q.summary.unknown, unknown=0)
    return dataclasses.replace(
        report,
        underwriting=dataclasses.replace(uw, hard_fail=hard_fail),
        questionnaire=dataclasses.replace(q, summary=summary),
    )


def test_all_clear_and_complete_is_accepted_by_rule_r3() -> None:
    d = decide(_all_clear(fixture_report("debian-hardened")))
    assert d.recommendation is Recommendation.ACCEPT and d.rule == "R3" and not d.conditions


def test_a_capped_rating_says_why_and_what_the_score_alone_gives() -> None:
    report = _all_clear(fixture_report("debian-hardened"))
    uw = report.underwriting
    assert uw is not None
    capped = dataclasses.replace(uw, insurer=dataclasses.replace(uw.insurer, grade="C", grade_capped_by=("not_assessed",)))
    d = decide(dataclasses.replace(report, underwriting=capped))
    assert d.recommendation is Recommendation.CONDITIONAL
    assert d.grade == "C" and d.grade_by_score == "A"
    assert [c.en for c in d.cap_reasons] == ["too many checks could not be assessed, so the rating is capped"]
    assert any("re-assess" in c.en for c in d.conditions)


def test_scope_names_what_was_not_assessed() -> None:
    d = decide(fixture_report("debian-hardened"))
    missing = " | ".join(a.en for a in d.not_assessed)
    assert "Outside-in scan" in missing and "Vulnerability matching" in missing and "questionnaire answer(s) missing" in missing


def test_terminal_summary_starts_with_the_decision() -> None:
    lines = terminal_summary(fixture_report("debian-weak"), "zh").splitlines()
    assert lines[1].strip().startswith("核保意见: 建议拒保或暂缓承保")
    assert "风险评分 · 评级: 0/100 · 评级 F" in lines[2]


def test_times_are_shown_in_the_readers_zone() -> None:
    assert when("2026-12-05T16:30:00Z", "zh") == "2026-12-06 00:30:00（北京时间）"
    assert when("2026-12-05T16:30:00Z", "en") == "2026-12-05 16:30:00 UTC"
    assert when("not a time", "en") == "not a time" and when(None, "zh") == "—"


def test_observed_values_become_rows_not_json() -> None:
    rows = observed_rows({"config": {"permitrootlogin": "yes", "ciphers": ["aes128-ctr", "3des-cbc"]}, "ok": False}, "zh")
    assert rows == [("config.ciphers", "aes128-ctr、3des-cbc"), ("config.permitrootlogin", "yes"), ("ok", "否")]
    assert observed_rows({"users": [{"name": "a"}, {"name": "b"}]}, "en") == [("users[1].name", "a"), ("users[2].name", "b")]


def test_commands_in_chinese_text_are_code_and_prose_is_not() -> None:
    parts = tech_segments("然后执行 systemctl reload sshd；检查 Match 块", "zh")
    assert ("systemctl reload sshd", True) in parts and ("；检查 Match 块", False) in parts
    assert tech_segments("systemd unit names", "zh") == (("systemd unit names", False),)
    assert tech_segments("then systemctl reload sshd", "en") == (("then systemctl reload sshd", False),)


def test_a_case_that_applies_only_from_level_three_is_no_condition_at_level_two() -> None:
    """6.4.1.3 (remote administration without a second factor) is 三级及以上: a 二级 system is not held to it."""
    from report.rederive import Declarations, rederive
    from report.underwriting import case_min_level

    level3 = fixture_report("debian-weak")
    level2 = rederive(dataclasses.replace(Declarations.of(level3), level=2))
    assert level2.underwriting is not None and level2.underwriting.mlps.level == 2
    listed3 = {t.en for t in decide(level3).open_high_risk}
    listed2 = {t.en for t in decide(level2).open_high_risk}
    three_only = {h.case for h in level3.summary.open_high_risk if case_min_level(h.case) == 3}
    assert three_only and any(c in t for c in three_only for t in listed3)
    assert not any(c in t for c in three_only for t in listed2)
    assert listed2 and listed2 < listed3  # the cases that apply at 二级 stay
    conditions2 = " ".join(c.en for c in decide(level2).conditions)
    assert not any(f"case {c}" in conditions2 for c in three_only)
