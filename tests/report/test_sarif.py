"""SARIF 2.1.0 export validates against the OASIS schema, has no floats, and is stable across runs."""

from __future__ import annotations

import json
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any, Dict

import jsonschema
import pytest

from checks.model import Severity, Status
from collectors.profile import Profile
from report.model import Report
from report.sarif import fingerprint, to_sarif
from tests.hosts import FIXTURE_HOSTS, edited, fixture_report


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft4Validator:
    text = (Path(__file__).parents[1] / "fixtures" / "schemas" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8")
    schema = json.loads(text)
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema)


def _no_floats(value: Any, path: str = "$") -> None:
    assert not isinstance(value, float), f"float at {path}"
    if isinstance(value, dict):
        for k, v in value.items():
            _no_floats(v, f"{path}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _no_floats(v, f"{path}[{i}]")


def endpoint_report() -> Report:
    """A website report: endpoint findings on a URL and on a bare address, one of them unassessable."""
    report = fixture_report("debian-weak")
    base = next(f for f in report.findings if f.status is Status.FAIL)
    return replace(
        report,
        profile=Profile.WEBSITE,
        target=replace(report.target, name="shop.example.test", kind="website"),
        findings=(
            replace(base, check_id="NET-TLS-001", target="https://shop.example.test/"),
            replace(base, check_id="NET-TLS-001", target="https://api.example.test/"),
            replace(base, check_id="NET-PORT-001", target="192.0.2.10", severity=Severity.MEDIUM),
            replace(base, check_id="NET-HDR-001", target="https://shop.example.test/", status=Status.ERROR),
            replace(base, check_id="NET-HDR-002", target="https://shop.example.test/", status=Status.PASS),
        ),
    )


def another_run(report: Report) -> Report:
    """The same host assessed again: a new report id, run times and evidence timestamps."""

    def edit(data: Dict[str, Any]) -> None:
        data["report_id"] = str(uuid.uuid4())
        data["run"].update(started_at="2026-02-01T00:00:00Z", finished_at="2026-02-01T00:00:01Z")
        for e in data["evidence"]:
            e["collected_at"] = "2026-02-01T00:00:00Z"

    return edited(report, edit)


@pytest.mark.parametrize("host", FIXTURE_HOSTS)
def test_fixture_host_reports_validate(validator: jsonschema.Draft4Validator, host: str) -> None:
    report = fixture_report(host)
    sarif = to_sarif(report)
    errors = sorted(validator.iter_errors(sarif), key=str)
    assert not errors, errors[0].message
    _no_floats(sarif)
    json.dumps(sarif, allow_nan=False)
    run = sarif["runs"][0]
    failed = report.failed()
    assert len([r for r in run["results"] if r["kind"] == "fail"]) == len(failed)
    assert {r["id"] for r in run["tool"]["driver"]["rules"]} == {f.check_id for f in report.findings}


def test_endpoint_report_validates_and_locates_findings(validator: jsonschema.Draft4Validator) -> None:
    sarif = to_sarif(endpoint_report())
    errors = sorted(validator.iter_errors(sarif), key=str)
    assert not errors, errors[0].message
    _no_floats(sarif)
    results = sarif["runs"][0]["results"]
    assert len(results) == 4  # three failures and one review; the pass is left out
    url = results[0]["locations"][0]
    assert url["physicalLocation"]["artifactLocation"]["uri"] == "https://shop.example.test/"
    bare = next(r for r in results if r["ruleId"] == "NET-PORT-001")
    assert "physicalLocation" not in bare["locations"][0]
    assert bare["locations"][0]["logicalLocations"][0]["name"] == "192.0.2.10"
    assert bare["level"] == "warning"
    review = next(r for r in results if r["ruleId"] == "NET-HDR-001")
    assert review["kind"] == "review" and review["level"] == "none"
    assert len(to_sarif(endpoint_report(), include_review=False)["runs"][0]["results"]) == 3


def test_rules_carry_severity_mlps_and_domains() -> None:
    sarif = to_sarif(fixture_report("debian-weak"))
    driver = sarif["runs"][0]["tool"]["driver"]
    assert driver["name"] == "riskagent" and driver["version"]
    rule = next(r for r in driver["rules"] if r["id"] == "LNX-ACC-002")
    props = rule["properties"]
    assert props["severity"] == "critical" and props["security-severity"] == "9.0"
    assert "L3-CES1-01" in props["mlps_units"] and props["insurer_domains"] == ["identity_mfa"]
    assert rule["defaultConfiguration"]["level"] == "error"
    assert rule["shortDescription"]["text"] == "No account has an empty password"
    assert rule["help"]["text"].startswith("Set a password")
    host_result = next(r for r in sarif["runs"][0]["results"] if r["ruleId"] == "LNX-ACC-002")
    assert host_result["locations"][0]["logicalLocations"][0] == {
        "name": "web-legacy-02",
        "fullyQualifiedName": "host:web-legacy-02",
        "kind": "host",
    }


def test_fingerprints_are_stable_across_runs_and_distinct_per_target() -> None:
    a = to_sarif(fixture_report("debian-weak"))
    b = to_sarif(another_run(fixture_report("debian-weak")))  # a new report id and evidence timestamps
    fa = [r["partialFingerprints"] for r in a["runs"][0]["results"]]
    fb = [r["partialFingerprints"] for r in b["runs"][0]["results"]]
    assert fa == fb
    assert fingerprint("X-1", "https://a/") != fingerprint("X-1", "https://b/")
    endpoint = to_sarif(endpoint_report())["runs"][0]["results"]
    assert len({json.dumps(r["partialFingerprints"]) for r in endpoint}) == len(endpoint)
