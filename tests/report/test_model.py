"""The typed report: strict parsing with JSON paths, the generated schema, and the renderers."""

from __future__ import annotations

import json

import jsonschema
import pytest

from checks.model import CoverageLine, Finding, InsurerDomain, MlpsRef, Severity, Status, Text
from collectors.profile import Profile
from collectors.strictjson import JsonShapeError
from report.model import Report
from report.render import render_html, render_markdown, terminal_summary
from report.schema import generate, render, report_schema
from tests.hosts import FIXTURE_HOSTS, assess_host, edited, fixture_report


@pytest.mark.parametrize("host", FIXTURE_HOSTS)
def test_report_validates_against_schema_and_round_trips(host: str) -> None:
    report = assess_host(host)
    jsonschema.validate(report.as_json, report_schema())
    again = Report.from_json(json.loads(report.canonical))
    assert again == report and again.canonical == report.canonical


def test_committed_schema_is_the_one_the_model_gives() -> None:
    """Regenerate with: python -m report.schema"""
    assert report_schema() == generate()
    from report.schema import SCHEMA_FILE

    assert SCHEMA_FILE.read_text(encoding="utf-8") == render()


def test_schema_rejects_unknown_fields_and_bad_status() -> None:
    data = dict(fixture_report("debian-weak").as_json)
    data["surprise"] = 1
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, report_schema())
    data = json.loads(fixture_report("debian-weak").canonical)
    data["findings"][0]["status"] = "ok"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, report_schema())


def _message_text(finding: dict) -> str:
    from checks.model import Reason

    return Reason(finding["reason_id"], finding["reason_params"]).text("en")


@pytest.mark.parametrize(
    ("edit", "path", "words"),
    [
        (lambda d: d.update(surprise=1), "$.surprise", "unknown key"),
        (lambda d: d["findings"][2].update(status="passs"), "$.findings[2].status", "expected one of pass, fail"),
        (lambda d: d["findings"][0].pop("status"), "$.findings[0].status", "missing field"),
        (lambda d: d["findings"][0].update(severity="info"), "$.findings[0].severity", "is not written in a Finding"),
        (lambda d: d["findings"][0].update(title={"zh": "好", "en": "fine"}), "$.findings[0].title", "is not written"),
        (lambda d: d["findings"][0].update(check_id="LNX-XXX-999"), "$.findings[0]", "no check 'LNX-XXX-999' in this riskagent's catalogue"),
        (lambda d: d["findings"][0].update(reason=_message_text(d["findings"][0])), "$.findings[0].reason", "holds what the other fields give"),
        (lambda d: d["run"].update(duration_ms="1000"), "$.run.duration_ms", "expected an integer, got string"),
        (lambda d: d["run"].update(privileged=1), "$.run.privileged", "expected true or false"),
        (lambda d: d["evidence"][1]["sources"].append({"kind": "rumour"}), "$.evidence[1].sources[", "kind"),
        (lambda d: d["plan_settings"]["sla_days"].pop("info"), "$.plan_settings", "the other fields give"),
        (lambda d: d["findings"][0]["observed"].update(ratio=0.5), "$.findings[0].observed.ratio", "fraction"),
        (lambda d: d["underwriting"]["insurer"].update(score=[100]), "$.underwriting.insurer.score", "expected an integer"),
        (lambda d: d.update(plan={"tasks": []}), "$.plan", "is not written in a Report"),
        (lambda d: d["plan_settings"]["sla_days"].update(high=-1), "$", "the plan cannot be rebuilt"),
        (lambda d: d["questionnaire"].update(sha256="0" * 64), "$.questionnaire", "not built into this riskagent"),
        (lambda d: d["questionnaire"].update(definition={}), "$.questionnaire.definition", "unknown key"),
        (lambda d: d["questionnaire"]["answers"][1]["cited_evidence"][0].update(sources=[]), "$.questionnaire.answers[1]", "unknown key"),
        (lambda d: d["questionnaire"]["answers"][0].update(basis="guessed"), "$.questionnaire.answers[0].basis", "expected one of"),
    ],
)
def test_parsing_names_the_json_path_of_the_problem(edit, path: str, words: str) -> None:
    data = json.loads(assess_host("debian-weak").canonical)
    edit(data)
    with pytest.raises(JsonShapeError) as exc:
        Report.from_json(data)
    assert str(exc.value).startswith(path), str(exc.value)
    assert words in str(exc.value)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_renderers_speak_the_language(lang: str) -> None:
    report = fixture_report("debian-weak")
    html = render_html(report, lang)
    md = render_markdown(report, lang)
    first = report.findings[0]
    assert first.title.get(lang) in html
    assert first.title.get(lang) in md
    word = "网络安全风险评估报告" if lang == "zh" else "Cyber-risk assessment report"
    assert word in html and word in md and word in terminal_summary(report, lang)
    assert "Status.FAIL" not in html and "Severity." not in md  # enums print as their values


def test_precompiled_templates_are_fresh_and_render_like_the_sources() -> None:
    """Regenerate with: python -m report.templating"""
    from report import templating

    assert all(templating._fresh().values()), templating._fresh()
    from report.render import _context

    report = assess_host("debian-weak")
    ctx = _context(report, "zh", (True, ["VALID  report.dsse.json"]))
    for name in ("report.html.j2", "report.md.j2"):
        autoescape = name not in templating.MARKDOWN
        compiled = templating._compiled_env(autoescape).get_template(name).render(**ctx)
        source = templating._source_env(autoescape).get_template(name).render(**ctx)
        assert compiled == source


def test_failed_findings_come_first_and_summary_counts_them() -> None:
    report = fixture_report("debian-weak")
    statuses = [f.status for f in report.findings]
    assert statuses[0] is Status.FAIL
    assert report.summary.by_status["fail"] == statuses.count(Status.FAIL)
    assert sum(report.summary.failed_by_severity.values()) == statuses.count(Status.FAIL)


def _plain_reason(finding: dict, text: str) -> None:
    finding.pop("reason_id")
    finding.pop("reason_params")
    finding["reason"] = text


def test_html_escapes_evidence() -> None:
    report = edited(fixture_report("debian-weak"), lambda d: _plain_reason(d["findings"][0], "<script>alert(1)</script>"))
    assert report.findings[0].reason_in("en") == "<script>alert(1)</script>"
    assert "<script>alert(1)</script>" not in render_html(report, "en")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_report_views_include_the_questionnaire(lang: str) -> None:
    report = assess_host("debian-weak")
    assert report.questionnaire is not None
    jsonschema.validate(report.as_json, report_schema())
    first = report.questionnaire.definition["sections"][0]["questions"][0]["text"][lang]
    assert first in render_html(report, lang) and first in render_markdown(report, lang)
    assert ("问卷" if lang == "zh" else "Questionnaire") in terminal_summary(report, lang)


def _finding(cid: str, sev: str, status: str, target: object) -> Finding:
    return Finding(
        check_id=cid,
        title=Text("t", "t"),
        remediation=Text("r", "r"),
        severity=Severity(sev),
        mlps=(MlpsRef("L3-CES1-17", "8.1.4.4 a"),),
        high_risk_case=None,
        insurer_domains=(InsurerDomain.HARDENING,),
        coverage_lines=(CoverageLine.INCIDENT_RESPONSE,),
        needs_root=False,
        status=Status(status),
        observed={},
        reason=None,
        evidence=("x",),
        params={},
        target=target,  # type: ignore[arg-type]
    )


def test_scanner_view_groups_endpoint_failures_worst_first() -> None:
    from report.scanner_view import build_scanner_view

    view = build_scanner_view(
        [
            _finding("LNX-OS-001", "high", "fail", None),
            _finding("WEB-HDR-001", "low", "fail", "https://a/"),
            _finding("NET-PRT-001", "critical", "fail", "10.0.0.1"),
            _finding("TLS-PRO-001", "high", "pass", "https://a/"),
            _finding("TLS-CRT-001", "high", "error", "https://a/"),
        ]
    )
    assert view is not None
    assert [t.target for t in view.targets] == ["10.0.0.1", "https://a/"]
    assert view.targets[1].could_not_assess == 1
    assert [(c.check_id, c.high_risk_case) for c in view.critical_exposures] == [("NET-PRT-001", None)]
    assert build_scanner_view([_finding("LNX-OS-001", "high", "fail", None)]) is None


def test_profile_view_only_for_sector_profiles() -> None:
    from report.profile_view import build_profile_view

    findings = [
        _finding("NET-ICS-001", "high", "fail", "10.0.0.9"),
        _finding("LNX-ICS-001", "critical", "pass", None),
        _finding("LNX-OS-001", "high", "fail", None),
    ]
    view = build_profile_view(Profile.ICS_GATEWAY, findings)
    assert view is not None and [i.check_id for i in view.items] == ["NET-ICS-001", "LNX-ICS-001"] and view.failed == 1
    assert build_profile_view(Profile.SERVER, findings) is None
    telematics = build_profile_view(Profile.TELEMATICS, findings)
    assert telematics is not None and telematics.items == ()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_views_show_the_underwriting_view(lang: str) -> None:
    report = assess_host("debian-weak")
    jsonschema.validate(report.as_json, report_schema())
    word = "核保视图" if lang == "zh" else "Underwriting view"
    assert word in render_html(report, lang) and word in render_markdown(report, lang)
    assert ("风险评分" if lang == "zh" else "Risk score") in terminal_summary(report, lang)


def test_signed_statement_is_the_canonical_statement() -> None:
    """The statement is spliced around the report's own bytes; it must equal the canonical form built whole."""
    from report.canonical import canonical_bytes
    from report.signing import PREDICATE_TYPE, STATEMENT_TYPE, report_digest, statement_bytes, subject_name

    report = assess_host("debian-hardened")
    whole = {
        "_type": STATEMENT_TYPE,
        "subject": [{"name": subject_name(report), "digest": {"sha256": report_digest(report)}}],
        "predicateType": PREDICATE_TYPE,
        "predicate": report.as_json,
    }
    assert statement_bytes(report) == canonical_bytes(whole)
