"""Underwriting view: insurer score and grade, hard-fail list, MLPS rollups, integer-only output."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

import pytest

from checks.model import CoverageLine, Finding, InsurerDomain, Status
from collectors.strictjson import to_json
from questionnaires.model import Basis, answers_summary
from report.model import Report
from report.underwriting import WEIGHTS_PATH, load_weights, underwriting_view
from tests.factories import make_finding
from tests.hosts import FIXTURE_HOSTS, edited, fixture_report

STARTED = "2026-01-01T00:00:00Z"


def finding(
    cid: str,
    status: str,
    severity: str = "low",
    units: Sequence[str] = (),
    case: Optional[str] = None,
    domains: Sequence[str] = (),
    lines: Sequence[str] = (),
    target: Optional[str] = None,
) -> Finding:
    return make_finding(
        cid,
        status,
        severity=severity,
        units=units,
        high_risk_case=case,
        domains=tuple(InsurerDomain(d) for d in domains),
        coverage=tuple(CoverageLine(c) for c in lines),
        target=target,
    )


def synthetic(findings: Sequence[Finding]) -> Dict[str, Any]:
    """The underwriting view (as JSON) of a run that started on STARTED, without a questionnaire."""
    data: Dict[str, Any] = to_json(underwriting_view(findings, None, STARTED))
    return data


def view_of(report: Report) -> Dict[str, Any]:
    """The underwriting view (as JSON) of a report, with the questionnaire it carries."""
    data: Dict[str, Any] = to_json(underwriting_view(report.findings, report.questionnaire, report.run.started_at))
    return data


def with_answers(report: Report, **values: str) -> Report:
    """Attach the derived questionnaire and attest the given question ids (IR_01="yes" -> IR-01)."""
    from agent.pipeline import answer_questionnaire
    from agent.settings import Settings

    questionnaire = answer_questionnaire(Settings(), report)
    answers = tuple(
        replace(a, basis=Basis.ATTESTED, value=values[a.question.replace("-", "_")])
        if a.question.replace("-", "_") in values
        else a
        for a in questionnaire.answers
    )
    return replace(report, questionnaire=replace(questionnaire, answers=answers, summary=answers_summary(answers)))


def walk(value: Any) -> List[Any]:
    if isinstance(value, dict):
        assert all(isinstance(k, str) for k in value)
        return [x for v in value.values() for x in walk(v)]
    if isinstance(value, list):
        return [x for v in value for x in walk(v)]
    return [value]


def entry(view: Dict[str, Any], hid: str) -> Dict[str, Any]:
    return next(e for e in view["hard_fail"]["entries"] if e["id"] == hid)


def test_weak_host_is_f_with_hard_fails_open() -> None:
    view = view_of(fixture_report("debian-weak"))
    insurer = view["insurer"]
    assert insurer["grade"] == "F" and insurer["score"] < 20 and insurer["binding_blocked"]
    assert view["hard_fail"]["binding_blocked"]
    for hid in ("no_mfa_remote_admin", "exposed_high_risk_ports", "no_backup", "weak_passwords", "db_as_root"):
        assert entry(view, hid)["state"] == "open"
    assert view["hard_fail"]["entries"][0]["state"] == "open"  # open entries first
    assert view["mlps"]["conclusion_hint"] == "差" and view["mlps"]["high_risk_open"]


def test_hardened_host_is_a_with_every_hard_fail_clear() -> None:
    report = with_answers(fixture_report("debian-hardened"), IR_01="yes", IR_02="2025-06-30", PW_05="no")
    view = view_of(report)
    assert view["insurer"]["grade"] == "A" and view["insurer"]["score"] == 100
    # Every item is clear but the exploitable-vulnerability one: the recorded host was assessed without
    # vulnerability feeds, so LNX-VUL-001 needs review and that item cannot be confirmed.
    states = {e["id"]: e["state"] for e in view["hard_fail"]["entries"]}
    assert states.pop("internet_exploitable_vuln") == "unknown"
    assert set(states.values()) == {"clear"}
    assert not view["hard_fail"]["binding_blocked"] and view["hard_fail"]["binding_unconfirmed"]
    assert view["mlps"]["conclusion_hint"] is None and view["mlps"]["high_risk_open"] == []
    assert underwriting_view(report.findings, report.questionnaire, report.run.started_at).mlps.conclusion_note.zh
    assert "conclusion_note" not in view["mlps"]  # a static text: a report's JSON leaves it out, reading fills it in


def test_unanswered_questionnaire_leaves_binding_unconfirmed() -> None:
    view = view_of(fixture_report("debian-hardened"))
    assert entry(view, "no_ir_plan")["state"] == "unknown"
    assert entry(view, "no_ir_plan")["evidence"] == [{"question": "IR-01", "basis": "unknown", "value": None}]
    assert view["hard_fail"]["binding_unconfirmed"] and not view["hard_fail"]["binding_blocked"]


def test_no_empty_password_does_not_clear_the_weak_password_hard_fail() -> None:
    """Host evidence can show empty passwords, never the absence of weak or shared ones: a person must say so."""
    hardened = fixture_report("debian-hardened")
    assert next(f for f in hardened.findings if f.check_id == "LNX-ACC-002").status.value == "pass"
    assert entry(view_of(hardened), "weak_passwords")["state"] == "unknown"
    assert entry(view_of(with_answers(hardened, PW_05="no")), "weak_passwords")["state"] == "clear"
    assert entry(view_of(with_answers(hardened, PW_05="yes")), "weak_passwords")["state"] == "open"


def test_ir_plan_attested_no_opens_the_hard_fail() -> None:
    report = with_answers(fixture_report("debian-hardened"), IR_01="no", IR_02="2025-06-30")
    view = view_of(report)
    ir = entry(view, "no_ir_plan")
    assert ir["state"] == "open" and ir["evidence"] == [{"question": "IR-01", "basis": "attested", "value": "no"}]
    assert view["hard_fail"]["binding_blocked"] and view["insurer"]["grade"] == "F"
    assert view["insurer"]["score"] == 100 and "hard_fail" in view["insurer"]["grade_capped_by"]


def test_ir_drill_older_than_a_year_is_open() -> None:
    report = with_answers(fixture_report("debian-hardened"), IR_01="yes", IR_02="2024-10-01")
    drill = entry(view_of(report), "no_ir_drill")
    assert drill["state"] == "open" and drill["evidence"][0]["age_days"] > 366


def test_one_critical_failure_costs_more_than_ten_low_ones() -> None:
    base = [finding("C-1", "pass", "critical")] + [finding(f"L-{i}", "pass", "low") for i in range(10)]
    one_critical = list(base)
    one_critical[0] = replace(one_critical[0], status=Status.FAIL)
    ten_low = [base[0]] + [replace(f, status=Status.FAIL) for f in base[1:]]
    crit = synthetic(one_critical)["insurer"]
    low = synthetic(ten_low)["insurer"]
    assert crit["score"] < low["score"]
    assert crit["failed"] == 1 and low["failed"] == 10
    assert crit["grade"] == "F" and low["grade"] == "A"


def test_not_assessed_findings_are_out_of_the_ratio_but_cap_the_grade() -> None:
    findings = [finding("A-1", "pass", "high"), finding("A-2", "manual", "critical"), finding("A-3", "error", "high")]
    insurer = synthetic(findings)["insurer"]
    assert insurer["score"] == 100 and insurer["assessed"] == 1 and insurer["not_assessed"] == 2
    assert insurer["grade"] == "E" and insurer["grade_capped_by"] == ["not_assessed"]


def test_scenario_without_assessed_findings_is_null_not_100() -> None:
    view = view_of(fixture_report("debian-hardened"))
    vehicle = next(s for s in view["insurer"]["scenarios"] if s["id"] == "vehicle_data_leak")
    assert vehicle["score"] is None and vehicle["grade"] is None and vehicle["assessed"] == 0
    only_manual = synthetic([finding("NET-MQTT-001", "manual", "critical")])
    vehicle = next(s for s in only_manual["insurer"]["scenarios"] if s["id"] == "vehicle_data_leak")
    assert vehicle["score"] is None and vehicle["grade"] is None and vehicle["not_assessed"] == 1
    empty = synthetic([])["insurer"]
    assert empty["score"] is None and empty["grade"] is None


def test_scenarios_and_lines_select_by_domain_prefix_and_line() -> None:
    findings = [
        finding("NET-ICS-001", "fail", "high", lines=["business_interruption"]),
        finding("LNX-BAK-001", "pass", "critical", domains=["backup"], lines=["business_interruption"]),
    ]
    insurer = synthetic(findings)["insurer"]
    by_id = {s["id"]: s for s in insurer["scenarios"]}
    assert by_id["ics_stoppage"]["assessed"] == 1 and by_id["ics_stoppage"]["score"] == 0
    assert by_id["ransomware"]["assessed"] == 1 and by_id["ransomware"]["score"] == 100
    line = next(c for c in insurer["coverage_lines"] if c["id"] == "business_interruption")
    assert line["assessed"] == 2 and line["score"] == 100 * 100 // 110 and line["score_bp"] == 10000 * 100 // 110


def test_mlps_unit_results() -> None:
    findings = [
        finding("U1-A", "pass", units=["L3-CES1-01"]),
        finding("U1-B", "not_applicable", units=["L3-CES1-01"]),
        finding("U2-A", "pass", units=["L3-CES1-02"]),
        finding("U2-B", "fail", units=["L3-CES1-02"]),
        finding("U3-A", "fail", units=["L3-CES1-05"], case="6.4.2.1"),
        finding("U4-A", "not_applicable", units=["L3-ABS1-05"]),
        finding("U5-A", "manual", units=["L3-CNS1-06"]),
        finding("U5-B", "error", units=["L3-CNS1-06"]),
    ]
    mlps = synthetic(findings)["mlps"]
    units = {u["unit"]: u for u in mlps["units"]}
    labels = {u.unit: u.label.zh for u in underwriting_view(findings, None, STARTED).mlps.units}
    assert units["L3-CES1-01"]["result"] == "compliant" and labels["L3-CES1-01"] == "符合"
    assert units["L3-CES1-02"]["result"] == "partial" and labels["L3-CES1-02"] == "部分符合"
    assert units["L3-CES1-05"]["result"] == "non_compliant" and labels["L3-CES1-05"] == "不符合"
    assert units["L3-ABS1-05"]["result"] == "not_applicable" and labels["L3-ABS1-05"] == "不适用"
    assert units["L3-CNS1-06"]["result"] == "not_assessed" and labels["L3-CNS1-06"] == "未评估"
    assert mlps["units"][0]["unit"] == "L3-CES1-05"  # the unit with an open high-risk case comes first
    assert mlps["high_risk_open"] == [
        {"case": "6.4.2.1", "check_id": "U3-A", "target": None, "severity": "low", "units": ["L3-CES1-05"], "state": "open", "mitigated_by": []}
    ]
    assert mlps["conclusion_hint"] == "差"


def test_mlps_pass_next_to_unassessed_is_compliant_but_incomplete() -> None:
    mlps = synthetic([finding("A", "pass", units=["L3-CES1-01"]), finding("B", "manual", units=["L3-CES1-01"])])["mlps"]
    unit = mlps["units"][0]
    assert unit["result"] == "compliant" and unit["complete"] is False


def test_mlps_control_point_and_layer_rollups() -> None:
    findings = [
        finding("A", "pass", units=["L3-CES1-01"]),
        finding("B", "fail", units=["L3-CES1-02"]),
        finding("C", "pass", units=["L3-CES1-05"]),
        finding("D", "not_applicable", units=["L3-ABS1-05"]),
    ]
    mlps = synthetic(findings)["mlps"]
    points = {p["control_point"]: p for p in mlps["control_points"]}
    assert points["8.1.4.1"]["result"] == "partial" and points["8.1.4.1"]["units"] == ["L3-CES1-01", "L3-CES1-02"]
    typed = underwriting_view(findings, None, STARTED).mlps
    names = {p.control_point: p.name for p in typed.control_points}
    assert points["8.1.4.1"]["name"] == {"zh": "身份鉴别", "en": "Identification and authentication"} == to_json(names["8.1.4.1"])
    assert points["8.1.4.2"]["result"] == "compliant"
    assert points["8.1.3.2"]["result"] == "not_applicable"
    layers = {layer["layer"]: layer for layer in mlps["layers"]}
    assert layers["CES"]["result"] == "partial" and layers["CES"]["control_points"] == ["8.1.4.1", "8.1.4.2"]
    assert layers["CES"]["counts"]["partial"] == 1 and layers["CES"]["counts"]["compliant"] == 1
    layer_names = {layer.layer: layer.name for layer in typed.layers}
    assert layers["ABS"]["result"] == "not_applicable" and "name" not in layers["ABS"]  # a static text: left out of the JSON
    assert layer_names["ABS"] is not None and layer_names["ABS"].zh == "安全区域边界"
    all_fail = synthetic([finding("B", "fail", units=["L3-CES1-02"])])["mlps"]
    assert all_fail["control_points"][0]["result"] == "non_compliant" and all_fail["layers"][0]["result"] == "non_compliant"


@pytest.mark.parametrize("host", FIXTURE_HOSTS)
def test_output_has_no_floats_and_is_deterministic(host: str) -> None:
    report = with_answers(fixture_report(host), IR_01="yes", IR_02="2025-06-30")
    view = view_of(report)
    leaves = walk(view)
    assert not [x for x in leaves if isinstance(x, float)]
    assert all(x is None or isinstance(x, (str, int, bool)) for x in leaves)
    copied = edited(report, lambda d: None)  # a deep copy of the report, through its JSON form
    assert json.dumps(view, sort_keys=True) == json.dumps(view_of(copied), sort_keys=True)


def test_hard_fail_and_scenario_check_ids_exist() -> None:
    from checks.catalogue import all_checks

    known = set(all_checks())
    weights = load_weights()
    for spec in weights.hard_fail:
        assert set(spec.checks) <= known, spec.id
    for scen in weights.scenarios:
        for prefix in scen.check_prefixes:
            assert any(c == prefix or c.startswith(prefix + "-") for c in known), prefix
    assert json.loads(WEIGHTS_PATH.read_text(encoding="utf-8"))["_comment"]


def _weights_file(tmp_path: Path, edit: Any) -> Path:
    """A copy of the packaged weights.json changed by ``edit``."""
    data = json.loads(WEIGHTS_PATH.read_text(encoding="utf-8"))
    edit(data)
    path = tmp_path / "weights.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_bad_weights_are_refused_with_the_field_name(tmp_path: Path) -> None:
    path = _weights_file(tmp_path, lambda w: w.update(severity_weights=dict(w["severity_weights"], high=10.5)))
    with pytest.raises(ValueError, match=r"severity_weights\.high"):
        load_weights(path)
    path = _weights_file(tmp_path, lambda w: w.update(grade_bands=[]))
    with pytest.raises(ValueError, match="grade_bands"):
        load_weights(path)
