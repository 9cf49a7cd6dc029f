"""Reports of the fixture hosts validate against the committed schema and render in both languages."""

from __future__ import annotations

import jsonschema
import pytest

from report.model import RunInfo, build_report
from report.render import render_html, render_markdown, terminal_summary
from report.schema import report_schema
from tests.hosts import FIXTURE_HOSTS, host_evidence, host_findings


def fixture_report(host: str) -> dict:
    run = RunInfo("server", host, "2026-01-01T00:00:00Z", "2026-01-01T00:00:01Z", 1000, 0, "root", True, "replay")
    return build_report(run, host_evidence(host), host_findings(host))


@pytest.mark.parametrize("host", FIXTURE_HOSTS)
def test_report_validates_against_schema(host: str) -> None:
    jsonschema.validate(fixture_report(host), report_schema())


def test_schema_rejects_unknown_fields_and_bad_status() -> None:
    report = fixture_report("debian-weak")
    report["surprise"] = 1
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(report, report_schema())
    report = fixture_report("debian-weak")
    report["findings"][0]["status"] = "ok"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(report, report_schema())


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_renderers_speak_the_language(lang: str) -> None:
    report = fixture_report("debian-weak")
    html = render_html(report, lang)
    md = render_markdown(report, lang)
    first = report["findings"][0]
    assert first["title"][lang] in html
    assert first["title"][lang] in md
    word = "网络安全风险评估报告" if lang == "zh" else "Cyber-risk assessment report"
    assert word in html and word in md and word in terminal_summary(report, lang)


def test_failed_findings_come_first_and_summary_counts_them() -> None:
    report = fixture_report("debian-weak")
    statuses = [f["status"] for f in report["findings"]]
    assert statuses[0] == "fail"
    assert report["summary"]["by_status"]["fail"] == statuses.count("fail")
    assert sum(report["summary"]["failed_by_severity"].values()) == statuses.count("fail")


def test_html_escapes_evidence() -> None:
    report = fixture_report("debian-weak")
    report["findings"][0]["reason"] = "<script>alert(1)</script>"
    assert "<script>alert(1)</script>" not in render_html(report, "en")


def test_recheck_confirms_findings_and_catches_a_forged_status() -> None:
    from report.recheck import recheck

    report = fixture_report("debian-weak")
    clean = recheck(report)
    assert clean.checked == len(report["findings"]) and not clean.mismatches
    forged = next(f for f in report["findings"] if f["status"] == "fail")
    forged["status"] = "pass"
    result = recheck(report)
    assert [m.check_id for m in result.mismatches] == [forged["check_id"], "summary"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_report_views_include_the_questionnaire(lang: str) -> None:
    from agent.scan import answer_questionnaire

    report = fixture_report("debian-weak")
    report["questionnaire"] = answer_questionnaire(report, None, None)
    jsonschema.validate(report, report_schema())
    first = report["questionnaire"]["definition"]["sections"][0]["questions"][0]["text"][lang]
    assert first in render_html(report, lang) and first in render_markdown(report, lang)
    assert ("问卷" if lang == "zh" else "Questionnaire") in terminal_summary(report, lang)


def test_scanner_view_groups_endpoint_failures_worst_first() -> None:
    from report.scanner_view import build_scanner_view

    def f(cid: str, sev: str, status: str, target: str) -> dict:
        return {
            "check_id": cid,
            "severity": sev,
            "status": status,
            "target": target,
            "title": {"zh": "t", "en": "t"},
            "high_risk_case": None,
        }

    view = build_scanner_view(
        [
            f("LNX-OS-001", "high", "fail", None),
            f("WEB-HDR-001", "low", "fail", "https://a/"),
            f("NET-PRT-001", "critical", "fail", "10.0.0.1"),
            f("TLS-PRO-001", "high", "pass", "https://a/"),
            f("TLS-CRT-001", "high", "error", "https://a/"),
        ]
    )
    assert view is not None
    assert [t["target"] for t in view["targets"]] == ["10.0.0.1", "https://a/"]
    assert view["targets"][1]["could_not_assess"] == 1 and view["critical_exposures"] == [
        {"check_id": "NET-PRT-001", "high_risk_case": None}
    ]
    assert build_scanner_view([f("LNX-OS-001", "high", "fail", None)]) is None


def test_recheck_catches_an_edited_summary() -> None:
    from report.recheck import recheck

    report = fixture_report("debian-weak")
    assert not recheck(report).mismatches
    report["summary"]["by_status"]["fail"] -= 1
    assert [m.check_id for m in recheck(report).mismatches] == ["summary"]


def test_profile_view_only_for_sector_profiles() -> None:
    from report.profile_view import build_profile_view

    findings = [
        {
            "check_id": "NET-ICS-001",
            "status": "fail",
            "severity": "high",
            "target": "10.0.0.9",
            "title": {"zh": "t", "en": "t"},
            "observed": {},
        },
        {
            "check_id": "LNX-ICS-001",
            "status": "pass",
            "severity": "critical",
            "target": None,
            "title": {"zh": "t", "en": "t"},
            "observed": {},
        },
        {
            "check_id": "LNX-OS-001",
            "status": "fail",
            "severity": "high",
            "target": None,
            "title": {"zh": "t", "en": "t"},
            "observed": {},
        },
    ]
    view = build_profile_view("ics-gateway", findings)
    assert view is not None and [i["check_id"] for i in view["items"]] == ["NET-ICS-001", "LNX-ICS-001"] and view["failed"] == 1
    assert build_profile_view("server", findings) is None
    assert build_profile_view("telematics", findings)["items"] == []


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_views_show_the_underwriting_view(lang: str) -> None:
    from report.model import finish_report

    report = finish_report(fixture_report("debian-weak"))
    jsonschema.validate(report, report_schema())
    word = "承保视图" if lang == "zh" else "Underwriting view"
    assert word in render_html(report, lang) and word in render_markdown(report, lang)
    assert ("保险风险评分" if lang == "zh" else "Insurer score") in terminal_summary(report, lang)
