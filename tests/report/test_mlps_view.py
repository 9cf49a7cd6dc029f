"""The 测评 view: every unit of the level's set, its requirement, result and record, at level 3 and level 2.

The unit sets are held to the standard's structure (how many lettered requirements each GB/T 22239-2019
control point has at levels 2 and 3), the recorded weak host to what it really gives, and a copy of it
without its OpenSSH server, assessed as an industrial gateway, to all five results.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
from collections import Counter
from pathlib import Path
from typing import Dict, List, Tuple

import pytest
from click.testing import CliRunner

from agent.errors import UsageError
from agent.settings import load_settings
from checks.high_risk import CASES
from checks.mlps import UNITS, units_at
from checks.model import Status
from collectors.profile import Profile
from report.i18n import Labels
from report.mlps_view import AssessorView, assessor_view, observed_items
from report.model import Report
from report.rederive import recheck
from report.templating import render_template
from report.underwriting import case_min_level
from tests.checks.test_reasons_localised import ENGLISH_RUN
from tests.hosts import HOSTS_DIR, assess_host, edited, fixture_report
from tests.report.test_escape import HOSTILE_NAME, HOSTILE_TEXT, PAYLOADS, assert_inert_markdown

RESULTS = ("compliant", "partial", "non_compliant", "not_applicable", "not_assessed")

# GB/T 22239-2019: lettered requirements per control point of the four layers' general requirements.
LEVEL3_POINTS = {
    "8.1.2.1": 5, "8.1.2.2": 2, "8.1.2.3": 1,
    "8.1.3.1": 4, "8.1.3.2": 5, "8.1.3.3": 4, "8.1.3.4": 2, "8.1.3.5": 4, "8.1.3.6": 1,
    "8.1.4.1": 4, "8.1.4.2": 7, "8.1.4.3": 4, "8.1.4.4": 6, "8.1.4.5": 1, "8.1.4.6": 1, "8.1.4.7": 2, "8.1.4.8": 2,
    "8.1.4.9": 3, "8.1.4.10": 2, "8.1.4.11": 2,
    "8.1.5.1": 2, "8.1.5.2": 2, "8.1.5.3": 2, "8.1.5.4": 6,
}  # fmt: skip
LEVEL2_POINTS = {
    "7.1.2.1": 2, "7.1.2.2": 1, "7.1.2.3": 1,
    "7.1.3.1": 1, "7.1.3.2": 4, "7.1.3.3": 1, "7.1.3.4": 1, "7.1.3.5": 3, "7.1.3.6": 1,
    "7.1.4.1": 3, "7.1.4.2": 4, "7.1.4.3": 3, "7.1.4.4": 5, "7.1.4.5": 1, "7.1.4.6": 1, "7.1.4.7": 1, "7.1.4.8": 2,
    "7.1.4.9": 1, "7.1.4.10": 2,
    "7.1.5.1": 2, "7.1.5.2": 2,
}  # fmt: skip


def units_of(view: AssessorView) -> List[Tuple[str, str, str]]:
    """(unit, clause, result) of every unit the view lists, in its order."""
    return [(u.unit, u.clause, u.result) for layer in view.layers for p in layer.points for u in p.units]


def view(report: Report, lang: str = "zh") -> AssessorView:
    v = assessor_view(report, lang)
    assert v is not None
    return v


def partial(name: str, report: Report, lang: str) -> str:
    return render_template(name, r=report, L=Labels(lang), lang=lang)


@pytest.fixture(scope="module")
def weak() -> Report:
    return fixture_report("debian-weak")


@pytest.fixture(scope="module")
def weak_level2() -> Report:
    return assess_host("debian-weak", level=2)


@pytest.fixture(scope="module")
def gateway_without_ssh(tmp_path_factory: pytest.TempPathFactory) -> Report:
    """debian-weak with its OpenSSH server removed, assessed as an industrial gateway (the ICS host checks pass on it)."""
    host = tmp_path_factory.mktemp("hosts") / "debian-weak-no-sshd"
    shutil.copytree(HOSTS_DIR / "debian-weak", host, symlinks=True)
    shutil.rmtree(host / "root" / "etc" / "ssh")
    assert not (host / "root" / "usr" / "sbin" / "sshd").exists()
    return assess_host(str(host), profile=Profile.ICS_GATEWAY)


# ------------------------------------------------------------------------------------------ the unit sets


def _points(clauses: List[str]) -> Dict[str, int]:
    return dict(Counter(c.split(" ")[0] for c in clauses))


@pytest.mark.parametrize(("level", "points"), [(3, LEVEL3_POINTS), (2, LEVEL2_POINTS)])
def test_the_unit_set_has_the_standards_control_points_and_letters(level: int, points: Dict[str, int]) -> None:
    units = units_at(level)
    assert _points([u.clause for u in units]) == points
    for point, n in points.items():
        letters = [u.clause.split(" ")[1] for u in units if u.point_clause == point]
        assert letters == list("abcdefg"[:n]), f"{point}: {letters}"
    assert all(u.requirement.zh and u.requirement.en and u.point.zh for u in units)


def test_level2_ids_are_numbered_in_clause_order_within_each_layer() -> None:
    by_group: Dict[str, List[str]] = {}
    for u in units_at(2, (1, 4, 5)):
        by_group.setdefault(u.unit.split("-")[1], []).append(u.unit)
    for group, ids in by_group.items():
        assert ids == [f"L2-{group}-{i:02d}" for i in range(1, len(ids) + 1)], group
    assert len(units_at(2)) == sum(LEVEL2_POINTS.values()) == 42


def test_a_unit_has_a_level2_form_exactly_when_its_levels_say_so() -> None:
    for unit in UNITS.values():
        assert (2 in unit.levels) == (unit.l2 is not None), unit.unit
        assert 3 in unit.levels, unit.unit
        if unit.l2 is not None:
            assert unit.l2.clause.startswith("7.") and unit.l2.clause.split(".")[1] == unit.clause.split(".")[1], unit.unit
            assert (unit.l2.wording == "level3_reused") == (unit.extension != 1), unit.unit  # extensions: level-2 text not checked


def test_every_case_states_the_level_it_applies_from() -> None:
    for case in CASES.values():
        assert ("二级" in case.applies.zh) != ("三级" in case.applies.zh), case.id
        assert case_min_level(case.id) == (2 if "二级" in case.applies.zh else 3)


# ------------------------------------------------------------------------------------------ level 3 on the weak host


def test_level3_lists_every_general_unit_of_the_four_layers(weak: Report) -> None:
    v = view(weak)
    listed = units_of(v)
    assert [u for u, _, _ in listed] == [u.unit for u in units_at(3)]
    assert _points([c for _, c, _ in listed]) == LEVEL3_POINTS
    assert [layer.layer for layer in v.layers] == ["CNS", "ABS", "CES", "SMC"]
    assert [sum(layer.counts.values()) for layer in v.layers] == [8, 20, 34, 12]
    mlps = weak.underwriting.mlps if weak.underwriting else None
    assert mlps is not None and mlps.level == 3
    # The signed view accounts for the same set: units with findings plus the units no finding speaks to.
    assert sorted([u.unit for u in mlps.units] + list(mlps.units_not_assessed)) == sorted(u for u, _, _ in listed)


def test_the_weak_host_gives_only_non_compliant_and_not_assessed_and_why(weak: Report) -> None:
    """No check passes on debian-weak, so no unit can be 符合 or 部分符合; its one not-applicable finding sits on a unit
    that failed checks also speak to, so no unit is 不适用 either (see the gateway copy below for all five)."""
    v = view(weak)
    assert {r for _, _, r in units_of(v)} == {"non_compliant", "not_assessed"}
    assert weak.summary.by_status["pass"] == 0
    failed_units = {m.unit for f in weak.findings if f.status is Status.FAIL for m in f.mlps}
    na_units = {m.unit for f in weak.findings if f.status is Status.NOT_APPLICABLE for m in f.mlps}
    assert na_units and na_units <= failed_units
    assert v.counts["not_assessed"] == 41 and v.counts["non_compliant"] == 33


def test_not_assessed_units_say_why(weak: Report) -> None:
    rows = {u.unit: u for layer in view(weak, "en").layers for p in layer.points for u in p.units}
    for row in rows.values():
        assert (row.result == "not_assessed") == (row.why_not_assessed is not None), row.unit
        assert bool(row.records) == (row.unit not in weak.underwriting.mlps.units_not_assessed), row.unit  # type: ignore[union-attr]
    assert rows["L3-CNS1-01"].why_not_assessed is not None and "network devices" in rows["L3-CNS1-01"].why_not_assessed.en
    assert rows["L3-SMC1-01"].would_assess == ()
    # A unit only network checks speak to: they did not run, and the view names them.
    assert rows["L3-CNS1-07"].why_not_assessed is not None and "--target" in rows["L3-CNS1-07"].why_not_assessed.en
    assert "TLS-PROTO-001" in rows["L3-CNS1-07"].would_assess


def test_records_say_what_was_observed_and_from_which_evidence(weak: Report) -> None:
    rows = {u.unit: u for layer in view(weak).layers for p in layer.points for u in p.units}
    unit = rows["L3-CES1-01"]
    assert unit.result == "non_compliant" and unit.high_risk == ("6.4.1.1",)
    acc = next(r for r in unit.records if r.check_id == "LNX-ACC-002")
    assert acc.status == "fail" and acc.evidence and all(e.startswith("host.") for e in acc.evidence)
    assert acc.observed == ('accounts=["guest","tmpuser"]',)
    assert acc.reason and "guest" in acc.reason and "没有口令" in acc.reason
    checks = {f.check_id for f in weak.findings if any(m.unit == "L3-CES1-01" for m in f.mlps)}
    assert {r.check_id for r in unit.records} == checks


def test_a_unit_whose_checks_reach_no_verdict_is_not_assessed_with_its_record() -> None:
    """Run without root, the firewall checks cannot read the rules: 8.1.3.2 a is 未评估, and the record says why."""
    report = assess_host("debian-weak", replay_privileged=False)
    rows = {u.unit: u for layer in view(report, "en").layers for p in layer.points for u in p.units}
    unit = rows["L3-ABS1-05"]
    assert unit.result == "not_assessed" and unit.why_not_assessed is not None and "could not reach a verdict" in unit.why_not_assessed.en
    assert {r.status for r in unit.records} == {"error"} and all(r.reason for r in unit.records)
    incomplete = [u for u in rows.values() if not u.complete and u.result not in ("not_assessed",)]
    assert incomplete and all(any(r.status in ("error", "manual") for r in u.records) for u in incomplete)


def test_observed_values_are_short() -> None:
    items = observed_items({f"k{i}": "x" * 500 for i in range(9)})
    assert len(items) == 7 and items[-1] == "…(+3)"
    assert all(len(i) <= 160 for i in items)


def test_open_cases_carry_their_titles_and_the_conclusion_hint(weak: Report) -> None:
    v = view(weak)
    assert v.conclusion_hint == "差"
    assert {c.case for c in v.cases} == {f.high_risk_case for f in weak.findings if f.status is Status.FAIL and f.high_risk_case}
    for c in v.cases:
        assert c.title == CASES[c.case].title and c.check_title.zh and c.units
    assert v.cases_above_level == ()


# ------------------------------------------------------------------------------------------ all five results


def test_every_result_on_the_weak_host_without_ssh_as_a_gateway(gateway_without_ssh: Report) -> None:
    v = view(gateway_without_ssh)
    rows = {u: r for u, _, r in units_of(v)}
    assert set(rows.values()) == set(RESULTS)
    # Without an SSH server the units only SSH checks speak to on a host are not applicable, and the record says why.
    na = sorted(u for u, r in rows.items() if r == "not_applicable")
    assert na == ["L3-CES1-04", "L3-CES1-25", "L3-CNS1-06"]
    unit = next(u for layer in v.layers for p in layer.points for u in p.units if u.unit == "L3-CES1-04")
    assert {r.status for r in unit.records} == {"not_applicable"}
    assert all("host.sshd" in r.evidence and r.reason and "host.sshd" in r.reason for r in unit.records)
    # The ICS extension joins the gateway's view; the partly compliant unit has a passing and a failing check.
    assert any(u.startswith("L3-CNS5-") for u in rows)
    partly = next(u for layer in v.layers for p in layer.points for u in p.units if u.result == "partial")
    assert {"pass", "fail"} <= {r.status for r in partly.records}


@pytest.mark.parametrize("name", ["_mlps.md.j2", "_mlps.html.j2"])
def test_the_rendered_view_shows_partly_compliant_and_every_unit(gateway_without_ssh: Report, name: str) -> None:
    for lang, partly, score in (("zh", "部分符合", "综合得分"), ("en", "Partly compliant", "composite score")):
        text = partial(name, gateway_without_ssh, lang)
        assert partly in text and score in text
        for unit, clause, _ in units_of(view(gateway_without_ssh, lang)):
            assert unit in text and clause.split(" ")[0].split(".")[-1] in text
    zh = partial(name, gateway_without_ssh, "zh")
    for label in ("符合", "部分符合", "不符合", "不适用", "未评估", "结果记录", "本工具不评估此项"):
        assert label in zh


# ------------------------------------------------------------------------------------------ level 2


def test_level2_gives_exactly_the_level2_set(weak_level2: Report) -> None:
    v = view(weak_level2)
    listed = units_of(v)
    assert v.level == 2 and weak_level2.underwriting is not None and weak_level2.underwriting.mlps.level == 2
    assert [u for u, _, _ in listed] == [u.unit for u in units_at(2)]
    assert _points([c for _, c, _ in listed]) == LEVEL2_POINTS
    assert all(u.startswith("L2-") and c.startswith("7.1.") for u, c, _ in listed)
    mlps = weak_level2.underwriting.mlps
    assert sorted([u.unit for u in mlps.units] + list(mlps.units_not_assessed)) == sorted(u for u, _, _ in listed)
    assert all(u.unit.startswith("L2-") and u.clause.startswith("7.") for u in mlps.units)


def test_level2_reads_each_finding_at_the_level2_form_of_its_unit(weak: Report, weak_level2: Report) -> None:
    rows3 = {u.l3: u for layer in view(weak).layers for p in layer.points for u in p.units}
    rows2 = {u.l3: u for layer in view(weak_level2).layers for p in layer.points for u in p.units}
    malware = rows2["L3-CES1-23"]
    assert malware.unit == "L2-CES1-16" and malware.clause == "7.1.4.5 a" and malware.wording == "level2"
    assert malware.requirement.zh.startswith("安装防恶意代码软件")
    assert [r.check_id for r in malware.records] == [r.check_id for r in rows3["L3-CES1-23"].records]
    assert "L3-CES1-04" not in rows2 and "L3-CES1-27" not in rows2  # two-factor and encryption: level 3 only


def test_level2_counts_only_the_cases_that_apply_at_level2(weak: Report, weak_level2: Report) -> None:
    v2 = view(weak_level2)
    assert {c.case for c in v2.cases} == {c.case for c in view(weak).cases if case_min_level(c.case) == 2}
    assert set(v2.cases_above_level) == {c.case for c in view(weak).cases if case_min_level(c.case) == 3}
    assert "6.4.6.1" in v2.cases_above_level  # backups: the guide applies it from level 3, though 8.1.4.9 a exists at level 2
    assert all(u.startswith("L2-") for c in v2.cases for u in c.units)
    assert v2.conclusion_hint == "差"  # 6.4.1.1 (empty passwords) applies from level 2


def test_the_level_is_a_flag_and_a_config_key(tmp_path: Path) -> None:
    assert load_settings().level == 3
    assert load_settings(level="2").level == 2
    config = tmp_path / "config.json"
    config.write_text('{"level": 2}', encoding="utf-8")
    assert load_settings(config).level == 2
    assert load_settings(config, level="3").level == 3  # the flag wins
    for bad in ("4", "二"):
        with pytest.raises(UsageError, match="--level: the MLPS protection level is 2 or 3"):
            load_settings(level=bad)
    config.write_text('{"level": "2"}', encoding="utf-8")
    with pytest.raises(UsageError, match="level: the MLPS protection level is 2 or 3"):
        load_settings(config)


def test_scan_writes_a_level2_report(tmp_path: Path) -> None:
    from agent.cli import main

    res = CliRunner().invoke(
        main,
        ["scan", "--replay", str(HOSTS_DIR / "debian-weak"), "--level", "2", "--no-sign", "--format", "json", "--format", "md", "--out", str(tmp_path), "-q"],
    )
    assert res.exit_code == 0, res.output
    import json

    data = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert data["underwriting"]["mlps"]["level"] == 2
    assert all(u["unit"].startswith("L2-") for u in data["underwriting"]["mlps"]["units"])


def test_a_verifier_recomputes_at_the_signed_level(weak_level2: Report) -> None:
    assert recheck(weak_level2) == []

    def as_level3(data: Dict[str, object]) -> None:
        data["underwriting"]["mlps"]["level"] = 3  # type: ignore[index]

    found = [str(d) for d in recheck(edited(weak_level2, as_level3))]
    assert found and found[0].startswith("underwriting: $.underwriting.mlps")


# ------------------------------------------------------------------------------------------ rendering


def _outside_code_md(text: str) -> str:
    return re.sub(r"`[^`]*`", " ", text)


def _outside_code_html(text: str) -> str:
    text = re.sub(r"<code[^>]*>.*?</code>|<td class=\"mono\">.*?</td>|<span class=\"[^\"]*mono[^\"]*\">.*?</span>", " ", text, flags=re.S)
    return re.sub(r"<[^>]+>", " ", text)


@pytest.mark.parametrize("level", [3, 2])
def test_the_zh_view_of_the_weak_host_holds_no_english_sentence_outside_code(weak: Report, weak_level2: Report, level: int) -> None:
    report = weak if level == 3 else weak_level2
    for name, outside in (("_mlps.md.j2", _outside_code_md), ("_mlps.html.j2", _outside_code_html)):
        text = outside(partial(name, report, "zh"))
        found = ENGLISH_RUN.findall(text)
        assert not found, f"level {level} {name}: {found[:5]}"


def test_the_views_own_zh_texts_hold_no_english_sentence() -> None:
    """What the view itself says (requirements, control points, reasons, labels, notes); a finding's reason is its check's
    (tests/checks/test_reasons_localised.py)."""
    from report import mlps_view
    from report.i18n import _LABELS
    from report.underwriting import CONCLUSION_NOTE

    texts = [t for u in UNITS.values() for t in (u.requirement.zh, u.point.zh)]
    texts += [x.zh for u in UNITS.values() if u.l2 is not None for x in (u.l2.requirement, u.l2.point) if x is not None]
    texts += [t.zh for t in (*mlps_view.NO_CHECK.values(), mlps_view.NO_CHECK_EXTENSION, mlps_view.NOT_RUN, mlps_view.NO_VERDICT, CONCLUSION_NOTE)]
    texts += [v["zh"] for k, v in _LABELS.items() if k.startswith("mlps_")]
    found = [t for t in texts if ENGLISH_RUN.search(t)]
    assert not found, found


def _hostile(report: Report) -> Report:
    """``report`` with findings that carry attacker-controlled titles, reasons, targets and observed values."""
    findings = tuple(
        dataclasses.replace(
            f,
            title=dataclasses.replace(f.title, zh=f.title.zh + " " + PAYLOADS[i % 4], en=f.title.en + " " + PAYLOADS[i % 4]),
            reason=PAYLOADS[(i + 1) % 4],
            reason_id=None,
            reason_params=None,
            target=HOSTILE_NAME if i % 7 == 0 else f.target,
            observed={"value": HOSTILE_TEXT, "`fence`": "``` |"},
        )
        for i, f in enumerate(report.findings)
    )
    return dataclasses.replace(report, findings=findings)


def test_the_markdown_view_keeps_hostile_data_inert(weak: Report) -> None:
    hostile = _hostile(weak)
    for lang in ("zh", "en"):
        markdown = partial("_mlps.md.j2", hostile, lang)
        assert_inert_markdown(markdown)
        assert "&lt;script&gt;alert('cookie')&lt;/script&gt;" in markdown
        html = partial("_mlps.html.j2", hostile, lang)
        assert "<script>alert" not in html and "<img src=x" not in html and "\\u202eexe.txt" in html


def test_the_partials_are_precompiled_and_included_from_the_compiled_templates(weak: Report, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from report import templating

    assert {"_mlps.html.j2", "_mlps.md.j2"} <= set(templating.NAMES) and "_mlps.md.j2" in templating.MARKDOWN
    assert all(templating._fresh().values()), "run: .venv/bin/python -m report.templating"
    context = {"r": weak, "L": Labels("zh"), "lang": "zh"}
    for name in ("_mlps.md.j2", "_mlps.html.j2"):
        autoescape = name not in templating.MARKDOWN
        included = templating._compiled_env(autoescape).from_string('{% include "' + name + '" %}').render(**context)
        assert included == templating._source_env(autoescape).get_template(name).render(**context)
    # A stale partial sends the templates that may include it to their sources.
    stale = tmp_path / "manifest.json"
    stale.write_text(templating.MANIFEST.read_text(encoding="utf-8").replace(templating._source_digest("_mlps.md.j2"), "0" * 64), encoding="utf-8")
    monkeypatch.setattr(templating, "MANIFEST", stale)
    templating._fresh.cache_clear()
    try:
        assert templating.environment("report.md.j2") is templating._source_env(False)
        assert templating.environment("report.html.j2") is templating._source_env(True)
    finally:
        templating._fresh.cache_clear()
