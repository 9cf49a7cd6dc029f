"""The rectification plan: a task per failed check, owners and due dates from the settings, four exports."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from typing import Any, Dict, Set

import pytest

from agent.pipeline import plan_for
from checks.model import InsurerDomain, Text
from collectors.strictjson import to_json
from report.model import Report
from report.plan import DEFAULT_SLA_DAYS, Plan, build_plan, split_steps
from report.plan_export import plan_csv, plan_html, plan_json, plan_markdown
from tests.factories import make_finding
from tests.hosts import fixture_report

SETTINGS = {
    "owners": {"backup": "Li Lei (ops)", "identity_mfa": "Han Meimei (IAM)", "logging": "Wang Fang (SOC)"},
    "default_owner": "IT security team",
    "sla_days": {"critical": 3},
}
TODAY = "2026-03-01"


@pytest.fixture(scope="module")
def weak() -> Report:
    return fixture_report("debian-weak")


def plan_of(report: Report, settings: Any, today: str = TODAY) -> Plan:
    """The plan of a report; ``settings`` as a configuration file gives it (None, or even not an object)."""
    return plan_for(report, settings, today)


def as_dict(plan: Plan) -> Dict[str, Any]:
    data: Dict[str, Any] = to_json(plan)
    return data


def _walk_types(value: Any) -> Set[type]:
    if isinstance(value, dict):
        return set().union(*(_walk_types(v) for v in value.values()), {dict})
    if isinstance(value, list):
        return set().union(*(_walk_types(v) for v in value), {list})
    return {type(value)}


def test_every_failed_check_has_a_task_with_owner_and_due_date(weak: Report) -> None:
    plan = as_dict(plan_of(weak, SETTINGS))
    failed = {f.check_id for f in weak.failed()}
    assert failed, "the weak host must fail some checks"
    assert {t["check_id"] for t in plan["tasks"]} == failed
    assert plan["summary"]["tasks"] == len(failed)
    for t in plan["tasks"]:
        assert t["id"] == "T-" + t["check_id"]
        assert t["owner"] and t["owner"] != "unassigned"
        assert t["due"] >= TODAY
        assert t["verify_with"] == [{"check_id": t["check_id"], "target": None, "status": "pass"}]
        assert t["steps"]["zh"] and t["steps"]["en"]
        assert t["objective"]["en"].startswith("Ensure that ")
    backup = next(t for t in plan["tasks"] if "backup" in t["insurer_domains"])
    assert backup["owner"] == "Li Lei (ops)" and backup["owner_basis"] == "domain:backup"
    assert float not in _walk_types(plan)


def test_due_dates_follow_the_sla_and_tasks_are_ordered(weak: Report) -> None:
    plan = as_dict(plan_of(weak, SETTINGS))
    crit = [t for t in plan["tasks"] if t["severity"] == "critical"]
    assert crit and all(t["due"] == "2026-03-04" and t["sla_days"] == 3 for t in crit)
    medium = next(t for t in plan["tasks"] if t["severity"] == "medium")
    assert medium["sla_days"] == DEFAULT_SLA_DAYS["medium"] == 90
    assert medium["due"] == "2026-05-30"
    dues = [t["due"] for t in plan["tasks"]]
    assert dues == sorted(dues)
    assert plan["tasks"][0]["severity"] == "critical"


def test_no_owner_mapping_means_unassigned(weak: Report) -> None:
    plan = plan_of(weak, None)
    data = as_dict(plan)
    assert {t["owner"] for t in data["tasks"]} == {"unassigned"}
    assert data["summary"]["unassigned"] == data["summary"]["tasks"]
    assert "未指定" in plan_markdown(plan, "zh")


def test_the_same_check_on_several_targets_is_one_task() -> None:
    base = replace(
        make_finding(
            "NET-TLS-001",
            "fail",
            severity="high",
            units=("L3-CNS1-06",),
            domains=(InsurerDomain.ENCRYPTION_TRANSIT,),
            coverage=(),
            reason="TLS 1.0 offered",
        ),
        title=Text(zh="TLS 版本安全", en="TLS version is safe"),
        remediation=Text(zh="禁用 TLS 1.0。启用 TLS 1.2。", en="Disable TLS 1.0. Enable TLS 1.2; restart the server."),
    )
    findings = [replace(base, target="https://a.example.test"), replace(base, target="https://b.example.test")]
    plan = as_dict(
        build_plan(
            findings,
            {"owners": {"encryption_transit": "Zhang Wei"}},
            TODAY,
            report_id="r",
            target_name="web",
            target_kind="website",
            assessed_at="2026-01-01T00:00:00Z",
        )
    )
    assert len(plan["tasks"]) == 1
    task = plan["tasks"][0]
    assert [v["target"] for v in task["verify_with"]] == ["https://a.example.test", "https://b.example.test"]
    assert task["owner"] == "Zhang Wei"
    assert task["steps"]["en"] == ["Disable TLS 1.0.", "Enable TLS 1.2.", "Restart the server."]
    assert task["steps"]["zh"] == ["禁用 TLS 1.0。", "启用 TLS 1.2。"]


@pytest.mark.parametrize(
    ("settings", "field"),
    [
        ({"owner": {}}, "unknown setting"),
        ({"owners": ["a"]}, "plan.owners"),
        ({"owners": {"no_such_domain": "x"}}, "plan.owners"),
        ({"owners": {"backup": ""}}, "plan.owners.backup"),
        ({"sla_days": {"critical": -1}}, "plan.sla_days.critical"),
        ({"sla_days": {"critical": 1.5}}, "plan.sla_days.critical"),
        ({"sla_days": {"urgent": 1}}, "plan.sla_days"),
        ({"default_owner": 3}, "plan.default_owner"),
        ([], "plan"),
    ],
)
def test_bad_settings_name_the_field(weak: Report, settings: Any, field: str) -> None:
    with pytest.raises(ValueError, match=field.replace(".", r"\.")):
        plan_of(weak, settings)


def test_bad_today_is_rejected(weak: Report) -> None:
    with pytest.raises(ValueError, match="today"):
        plan_of(weak, {}, "01/03/2026")


def test_split_steps_keeps_abbreviations_together() -> None:
    text = "Schedule backups (e.g. a restic timer) to a separate server. Test restores regularly"
    assert split_steps(text, "en") == ["Schedule backups (e.g. a restic timer) to a separate server.", "Test restores regularly."]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_exports_speak_the_language(weak: Report, lang: str) -> None:
    plan = plan_of(weak, SETTINGS)
    first = plan.tasks[0]
    md, html = plan_markdown(plan, lang), plan_html(plan, lang)
    word = "整改方案" if lang == "zh" else "Rectification plan"
    for text in (md, html):
        assert word in text and first.id in text and first.due in text
    assert first.objective.get(lang).replace("'", "&#39;") in html
    rows = list(csv.reader(io.StringIO(plan_csv(plan, lang).lstrip("\ufeff"))))
    assert len(rows) == 1 + len(plan.tasks)
    assert rows[1][0] == first.id
    assert json.loads(plan_json(plan)) == to_json(plan)


def test_html_is_escaped_and_csv_is_formula_safe(weak: Report) -> None:
    plan = plan_of(weak, {"default_owner": '=HYPERLINK("x")<script>'})
    html = plan_html(plan, "en")
    assert "<script>" not in html and "&lt;script&gt;" in html
    data = plan_csv(plan, "en")
    assert data.startswith("\ufeff")
    owners = [r[3] for r in csv.reader(io.StringIO(data.lstrip("\ufeff")))][1:]
    assert owners and all(o.startswith("'=") for o in owners)
    assert "&lt;script" in plan_markdown(plan, "en")


def test_a_clean_report_has_an_empty_plan() -> None:
    report = fixture_report("debian-hardened")
    plan = plan_of(report, SETTINGS)
    assert as_dict(plan)["tasks"] == [] and plan.summary.tasks == 0
    assert "nothing to rectify" in plan_markdown(plan, "en") and "nothing to rectify" in plan_html(plan, "en")
