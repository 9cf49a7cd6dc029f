"""LNX-VUL-*: known vulnerabilities judged from the recorded hosts matched against the fixture feeds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List

from checks.catalogue import all_checks
from checks.model import Finding, Status
from checks.registry import EvidenceView, evaluate_one
from collectors.catalogue import all_collectors
from collectors.context import HostContext, RecordedProcessView
from collectors.evidence import Evidence
from collectors.registry import run_collector
from report.underwriting import hard_fail_view, load_weights
from tests.hosts import HOSTS_DIR, host_context

FEEDS = Path(__file__).parents[2] / "fixtures" / "feeds" / "match"
VULNERABLE = "debian-weak-public-bind-apache2-deb10u6"
IDS = ("LNX-VUL-001", "LNX-VUL-002", "LNX-VUL-003", "LNX-VUL-004")


def _findings(ctx: HostContext, feeds: bool = True) -> Dict[str, Finding]:
    setattr(ctx, "options", {"feeds_dir": str(FEEDS)} if feeds else {})  # noqa: B010
    ev: List[Evidence] = [run_collector(all_collectors()["host.vulns"], ctx)]
    checks = all_checks()
    return {i: evaluate_one(checks[i], EvidenceView(ev)) for i in IDS}


def test_a_kev_vulnerability_behind_an_exposed_service_is_the_6432_hard_fail() -> None:
    found = _findings(host_context(VULNERABLE))
    f = found["LNX-VUL-001"]
    assert f.status is Status.FAIL and f.severity.value == "critical" and f.high_risk_case == "6.4.3.2"
    row = f.observed["matches"][0]
    assert row["cve"] == "CVE-2021-40438" and row["advisory"] == "DSA-4982-1" and row["kev_due_date"] == "2021-12-15"
    assert f.observed["command"] == "apt-get update && apt-get install --only-upgrade apache2"
    assert found["LNX-VUL-002"].status is Status.PASS  # the exposed one is LNX-VUL-001's, not counted twice
    view = hard_fail_view(list(found.values()), None, "2026-11-20T03:00:00Z", load_weights())
    entry = next(e for e in view.entries if e.id == "internet_exploitable_vuln")
    assert entry.state == "open" and view.binding_blocked


def test_the_same_package_without_a_listening_service_is_high_not_a_hard_fail() -> None:
    ctx = host_context(VULNERABLE)
    system = json.loads((HOSTS_DIR / VULNERABLE / "system.json").read_text())
    system["listening"] = [s for s in system["listening"] if s["process"] != "apache2"]
    ctx.processes = RecordedProcessView(system)
    found = _findings(ctx)
    assert found["LNX-VUL-001"].status is Status.PASS
    f = found["LNX-VUL-002"]
    assert f.status is Status.FAIL and f.severity.value == "high" and f.high_risk_case is None
    view = hard_fail_view(list(found.values()), None, "2026-11-20T03:00:00Z", load_weights())
    assert next(e for e in view.entries if e.id == "internet_exploitable_vuln").state == "clear"


def test_the_recorded_host_at_the_fixed_version_passes_the_kev_checks() -> None:
    found = _findings(host_context("debian-weak"))
    assert found["LNX-VUL-001"].status is Status.PASS and found["LNX-VUL-002"].status is Status.PASS
    assert found["LNX-VUL-004"].status is Status.MANUAL  # fixture feeds have no manifest: their age is unknown


def test_without_feeds_every_check_is_manual_and_6432_stays_unconfirmed() -> None:
    found = _findings(host_context(VULNERABLE), feeds=False)
    for i in IDS:
        assert found[i].status is Status.MANUAL, i
        assert "riskagent feeds update" in (found[i].reason_in("en") or "")
    assert "漏洞" in (found["LNX-VUL-001"].reason_in("zh") or "")
    view = hard_fail_view(list(found.values()), None, "2026-11-20T03:00:00Z", load_weights())
    assert next(e for e in view.entries if e.id == "internet_exploitable_vuln").state == "unknown"


def test_a_kev_match_behind_a_service_of_unknown_reach_is_manual() -> None:
    ctx = host_context(VULNERABLE)
    system = json.loads((HOSTS_DIR / VULNERABLE / "system.json").read_text())
    system["listening"] = [s for s in system["listening"] if s["process"] == "apache2"]  # only the wildcard socket
    ctx.processes = RecordedProcessView(system)
    assert _findings(ctx)["LNX-VUL-001"].status is Status.MANUAL


def test_the_upgrade_command_is_the_host_package_managers_and_names_only_the_packages() -> None:
    from checks.host.vulns import upgrade_command

    matches: Any = [{"packages": ["apache2", "apache2-bin"]}, {"packages": ["apache2"]}, {"packages": ["openssl"]}]
    assert upgrade_command(matches) == "apt-get update && apt-get install --only-upgrade apache2 apache2-bin openssl"
    assert upgrade_command(matches, "rpm") == "dnf upgrade --refresh apache2 apache2-bin openssl"
