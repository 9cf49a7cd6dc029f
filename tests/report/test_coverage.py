"""Requested-coverage view: the lines and scenarios an applicant asks for, scored on recorded hosts."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any, Dict, List, Sequence, Tuple, Union

import pytest

from checks.model import CoverageLine, InsurerDomain
from collectors.profile import Profile
from collectors.strictjson import from_json, to_json
from questionnaires.applicant import CoverageRequest, RequestedLine, load_profile
from questionnaires.industry import Industry
from report.coverage import (
    NO_RESULT,
    NOT_ASSESSABLE,
    NOT_RUN,
    CoverageView,
    RequestedLineScore,
    RequestedScenarioScore,
    bearing_checks,
    coverage_view,
    line_member,
    notice_scenarios,
)
from report.underwriting import WEIGHTS_PATH, LineSpec, ScenarioSpec, load_weights
from tests.factories import make_finding
from tests.hosts import HOST_PARAMS, complete_report, fixture_report

REPO = Path(__file__).resolve().parents[2]
Scored = Union[RequestedLineScore, RequestedScenarioScore]
EXAMPLE = REPO / "docs" / "examples" / "applicant.json"


def request(lines: Sequence[str], scenarios: Sequence[str] = ()) -> CoverageRequest:
    return CoverageRequest(tuple(RequestedLine(line, 1_000_000) for line in lines), tuple(scenarios))


def example_request() -> CoverageRequest:
    return load_profile(EXAMPLE).coverage


def test_recorded_hosts_score_the_requested_lines_only_in_the_order_asked() -> None:
    requested = example_request()
    for host in ("debian-weak", "debian-hardened"):
        view = coverage_view(fixture_report(host), requested)
        assert [x.id for x in view.lines] == list(requested.line_ids)
        assert [x.id for x in view.scenarios] == list(requested.scenarios)
        assert view.reports == 1 and view.aggregate_limit_cny == 10_000_000
        shown = {x.id for x in view.lines} | {x.id for x in view.scenarios}
        for unrequested in ("cyber_extortion", "public_relations", "direct_physical_loss", "platform_outage", "ransomware"):
            assert unrequested not in shown
        bi = view.lines[0]
        assert bi.limit_cny == 5_000_000 and bi.deductible_cny == 50_000 and bi.kind == "property"
        assert bi.state == "scored" and bi.score is not None and bi.score.grade is not None


def test_weak_host_grades_worse_than_hardened_on_every_scored_line() -> None:
    requested = example_request()
    weak = coverage_view(fixture_report("debian-weak"), requested)
    hardened = coverage_view(fixture_report("debian-hardened"), requested)
    order = load_weights().grades_best_first
    compared = 0
    pairs: List[Tuple[Scored, Scored]] = [*zip(weak.lines, hardened.lines), *zip(weak.scenarios, hardened.scenarios)]
    for w, h in pairs:
        if w.state == "scored" and h.state == "scored":
            assert w.score is not None and h.score is not None
            assert w.score.score is not None and h.score.score is not None
            assert w.score.score < h.score.score and order.index(w.score.grade or "") >= order.index(h.score.grade or ""), w.id
            assert w.failed and not h.failed, w.id
            compared += 1
    assert compared >= 8
    bi = weak.lines[0]
    assert bi.score is not None and bi.score.grade == "F" and "LNX-BAK-001" in bi.failed


def test_an_open_hard_fail_among_a_line_findings_makes_it_f() -> None:
    """As in the insurer view: a line whose failing finding is an open hard fail (no backup job) grades F."""
    passes = [make_finding(f"T-OK-{i:03d}", "pass", severity="high", coverage=(CoverageLine.BUSINESS_INTERRUPTION,)) for i in range(20)]
    no_backup = make_finding("LNX-BAK-001", "fail", severity="low", domains=(InsurerDomain.BACKUP,), coverage=(CoverageLine.BUSINESS_INTERRUPTION,))
    bi = coverage_view([*passes, no_backup], request(["business_interruption"])).lines[0]
    assert bi.score is not None and bi.score.score == 99 and bi.score.grade == "F" and bi.score.grade_capped_by == ("hard_fail",)
    clean = coverage_view(passes, request(["business_interruption"])).lines[0]
    assert clean.score is not None and clean.score.grade == "A"


def test_a_line_no_check_bears_on_is_not_assessable_not_clean() -> None:
    view = coverage_view(fixture_report("debian-hardened"), example_request())
    media = next(x for x in view.lines if x.id == "media_liability")
    assert media.state == "not_assessable" and media.score is None and media.reason == NOT_ASSESSABLE
    assert media.limit_cny == 1_000_000 and media.kind == "liability"
    assert view.not_assessable == ("media_liability",)
    assert all(x.state == "scored" for x in view.lines if x.id != "media_liability")


def test_only_media_and_product_liability_are_beyond_the_tool() -> None:
    """Which lines no check bears on is a deliberate mapping (weights.json): a change to it shows here."""
    weights = load_weights()
    lines = [*weights.coverage_lines, *weights.application_lines]
    unassessable = sorted(s.id for s in lines if not bearing_checks(line_member(s)))
    assert unassessable == ["media_liability", "product_professional_liability"]


def test_scenario_of_another_profile_is_not_assessed_then_scored_on_that_profile() -> None:
    requested = request(["business_interruption"], ["ics_stoppage", "production_line_stoppage"])
    server = coverage_view(fixture_report("openeuler-server"), requested)
    ics, line = server.scenarios
    assert ics.state == "not_assessed" and ics.reason == NOT_RUN and ics.score is None
    assert line.state == "scored"  # segmentation and endpoint checks of the server bear on it
    gateway = complete_report("ics-gateway", profile=Profile.ICS_GATEWAY, params=HOST_PARAMS["ics-gateway"])
    ics_on_gateway = coverage_view(gateway, requested).scenarios[0]
    assert ics_on_gateway.state == "scored" and ics_on_gateway.score is not None
    assert {c for c in ics_on_gateway.failed} <= {f.check_id for f in gateway.findings if f.check_id.startswith(("LNX-ICS", "NET-ICS"))}


def test_requested_report_lines_score_as_the_signed_insurer_view() -> None:
    """The four notice lines that every report scores get the very score the signed report carries."""
    for host in ("debian-weak", "debian-hardened", "openeuler-server"):
        report = fixture_report(host)
        assert report.underwriting is not None
        signed = {g.id: g for g in report.underwriting.insurer.coverage_lines}
        view = coverage_view(report, request(["business_interruption", "data_asset_replacement", "incident_response", "data_breach_liability"]))
        for line in view.lines:
            assert line.score is not None
            fields = {f.name for f in dataclasses.fields(line.score)}
            assert {k: getattr(line.score, k) for k in fields} == {k: getattr(signed[line.id], k) for k in fields}, (host, line.id)
        signed_scen = {g.id: g for g in report.underwriting.insurer.scenarios}
        for scen in coverage_view(report, request(["incident_response"], ["ransomware", "data_leak"])).scenarios:
            assert scen.score is not None and scen.score.score == signed_scen[scen.id].score


def test_reports_keep_their_five_lines_and_scenarios() -> None:
    """The application's lines and scenarios never enter a signed report's insurer view."""
    report = fixture_report("debian-hardened")
    assert report.underwriting is not None
    insurer = report.underwriting.insurer
    assert [g.id for g in insurer.coverage_lines] == [c.value for c in CoverageLine]
    assert [g.id for g in insurer.scenarios] == ["ransomware", "data_leak", "service_interruption", "ics_stoppage", "vehicle_data_leak"]
    assert '"application' not in report.canonical.decode()


def test_synthetic_line_score_counts_declared_coverage_and_domains() -> None:
    """legal_costs: the findings declaring data-breach liability, or with a logging, audit or time domain."""
    findings = [
        make_finding("T-LOG-001", "pass", severity="low", domains=(InsurerDomain.LOGGING,), coverage=()),
        make_finding("T-DBL-001", "fail", severity="medium", domains=(InsurerDomain.HARDENING,), coverage=(CoverageLine.DATA_BREACH_LIABILITY,)),
        make_finding("T-OTH-001", "fail", severity="critical", domains=(InsurerDomain.HARDENING,), coverage=(CoverageLine.BUSINESS_INTERRUPTION,)),
    ]
    view = coverage_view(findings, request(["legal_costs", "business_interruption"]))
    legal, bi = view.lines
    assert legal.score is not None and legal.score.score == 25 and legal.score.assessed == 2  # 100 * 1 / (1 + 3)
    assert legal.failed == ("T-DBL-001",)
    assert bi.score is not None and bi.score.score == 0 and bi.failed == ("T-OTH-001",)
    assert view.reports == 0


def test_checks_that_ran_without_a_result_leave_the_line_not_assessed() -> None:
    findings = [make_finding("T-BAK-001", "manual", domains=(InsurerDomain.BACKUP,), coverage=())]
    scen = coverage_view(findings, request(["incident_response"], ["management_data_damage"])).scenarios[0]
    assert scen.state == "not_assessed" and scen.reason == NO_RESULT and scen.score is None
    line = coverage_view([], request(["incident_response"])).lines[0]
    assert line.state == "not_assessed" and line.reason == NOT_RUN


def test_several_reports_are_scored_together() -> None:
    weak, hardened = fixture_report("debian-weak"), fixture_report("debian-hardened")
    requested = request(["data_breach_liability"], ["data_encrypted"])
    both = coverage_view([weak, hardened], requested)
    one = [coverage_view(r, requested) for r in (weak, hardened)]
    assert both.reports == 2
    for pick in (lambda v: v.lines[0].score, lambda v: v.scenarios[0].score):
        total, parts = pick(both), [pick(v) for v in one]
        assert total is not None and parts[0] is not None and parts[1] is not None
        assert total.passed == parts[0].passed + parts[1].passed and total.failed == parts[0].failed + parts[1].failed
        assert total.grade == "F"  # the weak host's open hard fails stay open in the whole
    with pytest.raises(TypeError):
        coverage_view([weak, *weak.findings], requested)  # type: ignore[arg-type]


def test_unknown_or_unrequestable_ids_are_refused_naming_the_field() -> None:
    with pytest.raises(ValueError, match=r"coverage\.lines\[1\]\.line: 'space_debris' is not a known coverage line"):
        coverage_view([], request(["legal_costs", "space_debris"]))
    with pytest.raises(ValueError, match=r"coverage\.lines\[0\]\.line: 'cyber_extortion' is not a line an application can request"):
        coverage_view([], request(["cyber_extortion"]))
    with pytest.raises(ValueError, match=r"coverage\.scenarios\[0\]: 'meteor'"):
        coverage_view([], request(["legal_costs"], ["meteor"]))


def test_view_is_integral_json_and_reads_back() -> None:
    view = coverage_view(fixture_report("debian-weak"), example_request())
    data: Dict[str, Any] = to_json(view)
    text = json.dumps(data, ensure_ascii=False)
    assert "." not in "".join(str(v) for v in _leaves(data) if isinstance(v, (int, float)) and not isinstance(v, bool))
    assert from_json(CoverageView, json.loads(text)) == view
    assert data["lines"][-1]["reason"]["zh"].startswith("本工具没有检查项涉及此项")


def _leaves(value: Any) -> Sequence[Any]:
    if isinstance(value, dict):
        return [x for v in value.values() for x in _leaves(v)]
    if isinstance(value, list):
        return [x for v in value for x in _leaves(v)]
    return [value]


def test_notice_scenarios_by_sector() -> None:
    assert notice_scenarios(Industry.TELECOM_INTERNET) == ("platform_outage", "data_tampering")
    assert set(notice_scenarios(Industry.INDUSTRIAL_INTERNET)) == {
        "ics_stoppage",
        "production_line_stoppage",
        "data_encrypted",
        "office_system_outage",
        "management_data_damage",
    }
    assert set(notice_scenarios(Industry.CONNECTED_VEHICLES)) == {"production_line_stoppage", "data_leak", "vehicle_data_leak"}
    for sector in (Industry.HEALTHCARE, Industry.FINANCE, Industry.ENERGY, Industry.OTHER):
        assert set(notice_scenarios(sector)) == {"component_failure", "service_interruption", "data_leak"}


def test_application_mappings_name_real_checks_and_explain_themselves() -> None:
    from checks.catalogue import all_checks

    known = set(all_checks())
    weights = load_weights()
    raw = json.loads(WEIGHTS_PATH.read_text(encoding="utf-8"))
    specs: List[Union[LineSpec, ScenarioSpec]] = [*weights.application_lines, *weights.application_scenarios]
    for spec in specs:
        for prefix in spec.check_prefixes:
            assert any(c == prefix or c.startswith(prefix + "-") for c in known), (spec.id, prefix)
        assert spec.comment, f"{spec.id}: the mapping needs its reason in _comment"
    for scen in weights.application_scenarios:
        assert scen.sectors and scen.notice is not None, scen.id
    assert weights.application_version and any("application_lines" in line for line in raw["_comment"])


@pytest.mark.parametrize(
    "edit,message",
    [
        (lambda w: w["coverage_lines"][0].update(domains=["backup"]), r"coverage_lines\[0\] \(business_interruption\).*application_lines"),
        (lambda w: w["application_lines"][0].update(domains=["telepathy"]), r"application_lines\[0\] \(direct_physical_loss\)\.domains: unknown insurer domain 'telepathy'"),
        (lambda w: w["application_lines"][1].update(coverage=["ransom"]), r"application_lines\[1\] \(hardware_improvement\)\.coverage: unknown coverage line"),
        (lambda w: w["application_lines"][1].pop("kind"), r"application_lines\[1\] \(hardware_improvement\): an application line needs its kind"),
        (lambda w: w["application_lines"][2].update(id="business_interruption"), r"application_lines\[2\] \(business_interruption\): a second line"),
        (lambda w: w["application_scenarios"][0].update(sectors=["mining"]), r"application_scenarios\[0\] \(platform_outage\)\.sectors: unknown industry 'mining'"),
        (lambda w: w["application_scenarios"][1].update(id="ransomware"), r"a second scenario"),
    ],
)
def test_bad_mappings_are_refused_with_the_field(tmp_path: Path, edit: Any, message: str) -> None:
    data = json.loads(WEIGHTS_PATH.read_text(encoding="utf-8"))
    edit(data)
    path = tmp_path / "weights.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        load_weights(path)


def test_view_needs_no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    report = fixture_report("debian-hardened")

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("network access")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    assert coverage_view(report, example_request()).lines
