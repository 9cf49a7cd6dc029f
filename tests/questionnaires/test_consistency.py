"""Every consistency rule, with a conflicting and a consistent attestation, on recorded hosts."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Mapping, Tuple

import pytest

from collectors.profile import Profile
from questionnaires.consistency import RULES
from questionnaires.engine import Bundle, answer_all
from questionnaires.loader import load_questionnaire
from questionnaires.model import Answer, Attestation, Basis
from report.model import Report
from tests.hosts import HOST_PARAMS, complete_report, fixture_report

BY = "Zhang San, IT manager"
AT = "2026-11-20T08:00:00Z"
Values = Mapping[str, object]


FEEDS = Path(__file__).parents[1] / "fixtures" / "feeds" / "match"
WITH_FEEDS = "feeds:debian-weak-public-bind-apache2-deb10u6"  # a recorded host scanned with the match fixture feeds


@functools.cache
def report(host: str) -> Report:
    if host.startswith("feeds:"):
        from agent.pipeline import assess
        from agent.settings import Settings
        from tests.hosts import HOSTS_DIR

        return assess(Settings(replay=HOSTS_DIR / host.split(":", 1)[1], sign=False, feeds_dir=FEEDS))
    if host.startswith("ics-"):
        return complete_report(host, profile=Profile.ICS_GATEWAY, params=HOST_PARAMS[host])
    return fixture_report(host)


def answers(host: str, values: Values) -> Dict[str, Answer]:
    attestations = {qid: Attestation(qid, v, BY, AT) for qid, v in values.items()}
    return {a.question: a for a in answer_all(load_questionnaire(), Bundle.from_report(report(host)), attestations)}


@dataclass(frozen=True)
class Case:
    """Attestations that a rule finds in conflict on ``host``, the answer it lands on and words naming the other side,
    and attestations (on ``consistent_host``) that it accepts."""

    host: str
    conflicting: Values
    lands_on: Tuple[str, ...]
    names: Tuple[str, ...]
    consistent_host: str
    consistent: Values


CASES: Dict[str, Case] = {
    # The issue's example: 奇安信天擎 installed, signatures 0 days old, on a host with no anti-malware at all.
    "anti_malware_vs_evidence": Case(
        "debian-weak", {"EP-03": "奇安信天擎", "EP-05": 0, "EP-08": 100}, ("EP-03", "EP-05", "EP-08"), ("LNX-EDR-001 on web-legacy-02",),
        "debian-hardened", {"EP-08": 100, "EP-09": 100},
    ),
    "offline_backup_vs_no_job": Case(
        "debian-hardened-no-backup", {"BK-04": "yes"}, ("BK-04",), ("LNX-BAK-001 on db-prod-01",), "debian-hardened", {"BK-04": "yes"}
    ),
    "mfa_coverage_vs_hosts": Case(
        "debian-weak", {"ID-04": 100, "ID-06": 100}, ("ID-04", "ID-06"), ("LNX-SSH-019 on web-legacy-02",), "debian-weak", {"ID-04": 60}
    ),
    "mfa_answer_vs_percentage": Case(
        "debian-hardened", {"ID-01": "yes", "ID-05": 80}, ("ID-01",), ("ID-05", "80%"), "debian-hardened", {"ID-01": "yes", "ID-05": 100}
    ),
    "edr_answer_vs_percentage": Case(
        "debian-hardened", {"EP-01": "yes", "EP-08": 50}, ("EP-01",), ("EP-08", "50%"), "debian-hardened", {"EP-01": "yes", "EP-08": 100}
    ),
    "vendor_access_vs_remote_tools": Case(
        "debian-weak", {"TP-02": "yes"}, ("TP-02",), ("LNX-RMT-001 on web-legacy-02", "LNX-RMT-002 on web-legacy-02"),
        "debian-hardened", {"TP-02": "yes"},
    ),
    "no_industrial_vs_evidence": Case(
        "ics-gateway", {"OT-01": "no"}, ("OT-01",), ("LNX-ICS-002 on",), "ics-gateway", {"OT-01": "yes"}
    ),
    "incidents_vs_count": Case("debian-hardened", {"HI-01": "no", "HI-04": 3}, ("HI-01",), ("HI-04", "3 incident"), "debian-hardened", {"HI-01": "yes", "HI-04": 3}),
    "answered_but_not_asked": Case(
        "debian-hardened", {"PA-04": "no", "PA-05": "JumpServer"}, ("PA-05",), ("PA-04 is 'no'",), "debian-hardened", {"PA-04": "yes", "PA-05": "JumpServer"}
    ),
    "mlps_filing_vs_test": Case(
        "debian-hardened", {"ML-01": "none", "ML-03": "good", "ML-02": "2025-06-01"}, ("ML-03", "ML-02"), ("ML-01", "not filed"),
        "debian-hardened", {"ML-01": "level3", "ML-03": "good", "ML-02": "2025-06-01"},
    ),
    # The host has an advisory released 1,873 days before its (recorded) scan and one KEV CVE behind exposed Apache.
    "patch_sla_vs_oldest_fix": Case(WITH_FEEDS, {"PT-09": 30}, ("PT-09",), ("PT-13", "1873 days"), WITH_FEEDS, {"PT-09": 3000}),
    "kev_count_vs_evidence": Case(WITH_FEEDS, {"PT-08": 0}, ("PT-08",), ("PT-12", "1 known-exploited vulnerability"), WITH_FEEDS, {"PT-08": 1}),
    "drill_without_plan": Case(
        "debian-hardened", {"IR-01": "no", "IR-02": "2025-06-01"}, ("IR-02",), ("IR-01",), "debian-hardened", {"IR-01": "yes", "IR-02": "2025-06-01"}
    ),
}  # fmt: skip


def test_every_rule_has_a_case() -> None:
    assert set(CASES) == {r.name for r in RULES}
    assert all(r.summary.zh and r.summary.en for r in RULES)


@pytest.mark.parametrize("rule", sorted(CASES))
def test_the_rule_finds_the_conflict_naming_both_sides(rule: str) -> None:
    case = CASES[rule]
    got = answers(case.host, case.conflicting)
    for qid in case.lands_on:
        a = got[qid]
        found = [c for c in a.conflicts if c.rule == rule]
        assert found, (rule, qid, a.conflicts)
        assert a.conflict and found[0].message.en in a.conflict  # one line, as the CLI and exports show it
        for msg in (found[0].message.en, found[0].message.zh):
            assert qid in msg and BY in msg, msg  # the attested side
            other = re.findall(r"\b[A-Z]{2,3}(?:-[A-Z]+)?-\d{2,3}\b", " ".join(case.names))
            assert other and all(x in msg for x in other), msg  # the other side, by question or check id
        assert all(n in found[0].message.en for n in case.names), found[0].message.en
        assert a.basis is Basis.ATTESTED and a.value == case.conflicting[qid]  # the answer stands, flagged


@pytest.mark.parametrize("rule", sorted(CASES))
def test_a_consistent_attestation_is_not_a_conflict(rule: str) -> None:
    case = CASES[rule]
    got = answers(case.consistent_host, case.consistent)
    assert not [(a.question, c.rule) for a in got.values() for c in a.conflicts if c.rule == rule]
    for qid in case.consistent:
        assert got[qid].basis is Basis.ATTESTED, (qid, got[qid].reason)


def test_the_issues_example_now_has_two_conflicts_on_a_host_without_anti_malware() -> None:
    got = answers("debian-weak", {"EP-03": "奇安信天擎", "EP-05": 0})
    assert sum(1 for a in got.values() if a.conflict) == 2
    assert "web-legacy-02 的 LNX-EDR-001 未通过" in got["EP-03"].conflicts[0].message.zh


def test_a_rule_whose_questions_are_not_asked_does_nothing() -> None:
    from questionnaires.consistency import apply_rules
    from questionnaires.loader import parse_questionnaire
    from tests.questionnaires.test_engine import make, q

    small = parse_questionnaire(make([q("X", "yes_no", {"attest": True})]), "t.json")
    answer = Answer("X", Basis.ATTESTED, "yes", "attested", attestation=Attestation("X", "yes", BY, AT))
    assert apply_rules(small, [answer], {"h": {"LNX-EDR-001": "fail", "LNX-BAK-001": "fail"}}) == [answer]


def test_an_endpoint_finding_is_named_by_its_target_not_the_host() -> None:
    from tests.factories import make_evidence, make_finding

    findings = [make_finding("NET-ICS-001", "fail", target="10.20.0.5", evidence=("ics.identify",)), make_finding("LNX-EDR-001", "pass")]
    bundle = Bundle(findings, [make_evidence("host.sshd", {}, target="gw-01")])
    assert bundle.statuses() == {"10.20.0.5": {"NET-ICS-001": "fail"}, "gw-01": {"LNX-EDR-001": "pass"}}
    got = {a.question: a for a in answer_all(load_questionnaire(), bundle, {"OT-01": Attestation("OT-01", "no", BY, AT)})}
    assert "NET-ICS-001 on 10.20.0.5" in (got["OT-01"].conflict or "")
