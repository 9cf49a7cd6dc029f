"""高风险 cases in a report: open, may be downgraded (with the mitigating checks named), or not assessed."""

from __future__ import annotations

from checks.model import Finding
from collectors.profile import Profile
from report.high_risk import failed_cases, not_assessed
from report.model import summarise
from report.underwriting import hard_fail_view, load_weights, mlps_view
from tests.factories import make_finding


def _edr(status: str, target: str | None = None) -> Finding:
    return make_finding("LNX-EDR-001", status, high_risk_case="6.4.4.1", units=("L3-CES1-23",), target=target, severity="critical")


def test_a_failed_case_with_no_mitigation_in_the_evidence_is_open() -> None:
    [(f, state, by)] = failed_cases([_edr("fail")])
    assert (f.check_id, state, by) == ("LNX-EDR-001", "open", ())


def test_a_mitigation_shown_by_passing_host_checks_makes_it_mitigable() -> None:
    usb_off = make_finding("LNX-KRN-011", "pass", units=("L3-CES1-23",))
    [(_, state, by)] = failed_cases([_edr("fail"), usb_off])
    assert state == "mitigable" and by == ("LNX-KRN-011",)
    summary = summarise([_edr("fail"), usb_off], Profile.SERVER)
    [ref] = summary.open_high_risk
    assert ref.state == "mitigable" and ref.mitigated_by == ("LNX-KRN-011",)
    view = mlps_view([_edr("fail"), usb_off])
    assert view.high_risk_open[0].state == "mitigable" and view.conclusion_hint is None  # the assessor decides, not the tool


def test_a_mitigation_needing_two_checks_needs_both() -> None:
    prc = make_finding("LNX-PRC-001", "fail", high_risk_case="6.4.2.2", units=("L3-CES1-09",))
    restricted = make_finding("LNX-FW-003", "pass", units=("L3-CES1-19",))
    audited = make_finding("LNX-AUD-001", "pass", units=("L3-CES1-12",))
    assert failed_cases([prc, restricted])[0][1] == "open"
    assert failed_cases([prc, restricted, audited])[0][1:] == ("mitigable", ("LNX-FW-003", "LNX-AUD-001"))


def test_a_case_the_guide_allows_no_mitigation_for_stays_open() -> None:
    logs = make_finding("LNX-LOG-003", "fail", high_risk_case="6.5.1.2", units=("L3-SMC1-10",))
    everything = [make_finding(c, "pass") for c in ("LNX-FW-003", "LNX-SSH-018", "LNX-EDR-001", "LNX-AUD-001")]
    assert failed_cases([logs, *everything])[0][1] == "open"


def test_a_network_finding_is_not_mitigated_by_this_hosts_configuration() -> None:
    remote = make_finding("NET-TSP-001", "fail", high_risk_case="6.4.1.1", units=("L3-CES1-01",), target="10.0.0.9:6379")
    assert failed_cases([remote, make_finding("LNX-SSH-019", "pass")])[0][1] == "open"


def test_a_mitigable_hard_fail_leaves_binding_unconfirmed_not_blocked() -> None:
    findings = [_edr("fail"), make_finding("LNX-EDR-002", "pass"), make_finding("LNX-KRN-011", "pass")]
    view = hard_fail_view(findings, None, "2026-01-01T00:00:00Z", load_weights())
    entry = next(e for e in view.entries if e.id == "no_av_edr")
    assert entry.state == "mitigable"
    assert not view.binding_blocked and view.binding_unconfirmed
    evidence = next(e for e in entry.evidence if getattr(e, "check_id", None) == "LNX-EDR-001")
    assert evidence.mitigated_by == ("LNX-KRN-011",)  # type: ignore[union-attr]


def test_cases_no_finding_judged_are_listed_as_not_assessed() -> None:
    missing = not_assessed(Profile.SERVER, [_edr("pass")])
    assert "6.4.3.2" in missing and "6.4.4.1" not in missing
    assert "10.3.1.1" not in missing  # an ICS case does not apply to a server
    assert "10.3.1.1" in not_assessed(Profile.ICS_GATEWAY, [])
    assert "6.4.4.1" in not_assessed(Profile.SERVER, [_edr("error")])  # could not assess is not assessed


def test_the_recorded_ics_gateway_has_its_boundary_cases_open() -> None:
    """LNX-ICS-001 is critical: its failure is case 10.3.1.1, open, not a finding without a case."""
    from tests.hosts import complete_report

    report = complete_report("ics-gateway", profile=Profile.ICS_GATEWAY, params={"LNX-ICS-002": {"ot_interfaces": ["eth1"]}})
    cases = {(c.case, c.check_id): c.state for c in report.summary.open_high_risk}
    assert cases[("10.3.1.1", "LNX-ICS-001")] == "open"
    assert "6.4.3.2" in report.summary.high_risk_not_assessed  # exploitable vulnerabilities: no check assesses them yet
