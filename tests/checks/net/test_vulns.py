"""NET-VUL checks: pass only when every service seen was matched reliably and nothing they look for is open.

The evidence files (``evidence/NET-VUL-00*.json``) come from real scans of
loopback banners against ``tests/fixtures/feeds/services``, shrunk; in the
fail cases one value was changed: CVE-2023-38408 in KEV (no OpenSSH CVE is
in the real catalogue of 2025-08-25) and the tracker's urgency of
CVE-2023-48795 set to high. The end-to-end tests at the bottom scan real
listeners with nmap.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
from pathlib import Path
from typing import Any, Dict, List

import pytest

from checks.catalogue import all_checks, evaluate
from checks.model import CheckLevel, Finding, Severity, Status, Verdict
from checks.registry import EvidenceView, evaluate_one
from collectors.evidence import Evidence, EvidenceStatus
from collectors.net.registry import NetContext, collect_network
from collectors.net.scope import parse_scope
from collectors.net.vulns import NO_FEEDS
from collectors.profile import Profile
from tests.checks.evidence import TESTS
from tests.servers import tcp

IDS = ("NET-VUL-001", "NET-VUL-002")
FEEDS = Path(__file__).parents[2] / "fixtures" / "feeds" / "services"
TARGET = "127.0.0.1"


def _facts(name: str) -> Dict[str, Any]:
    data = json.loads((TESTS / "net" / "evidence" / f"{name}.json").read_text(encoding="utf-8"))
    return copy.deepcopy(data["evidence"]["net.vulns"])


def _judge(facts: Dict[str, Any], status: EvidenceStatus = EvidenceStatus.OK, reason: str = "") -> Dict[str, Finding]:
    ev = Evidence("net.vulns", TARGET, status, facts if status is EvidenceStatus.OK else {}, (), reason or None)
    checks = all_checks()
    return {cid: evaluate_one(checks[cid], EvidenceView([ev]), None, TARGET) for cid in IDS}


def _seen(port: int, product: str, version: str, reason: str, detail: str) -> Dict[str, Any]:
    return {
        "address": TARGET, "port": port, "proto": "tcp", "service": "http", "product": product, "version": version,
        "extrainfo": "(Debian)", "identity": None, "not_matched": reason, "detail": detail, "matches": [], "unfixed": 0,
    }  # fmt: skip


def _with_unmatched(facts: Dict[str, Any]) -> Dict[str, Any]:
    facts["services"].append(_seen(80, "nginx", "1.14.2", "upstream_only", "nginx 1.14.2: only the upstream version is stated"))
    facts["counts"].update(seen=2, not_matched=1)
    return facts


def test_metadata() -> None:
    checks = all_checks()
    kev, severe = checks["NET-VUL-001"].meta, checks["NET-VUL-002"].meta
    assert (kev.severity, kev.high_risk_case, kev.level) == (Severity.CRITICAL, "6.4.3.2", CheckLevel.ENDPOINT)
    assert (severe.severity, severe.high_risk_case, severe.level) == (Severity.HIGH, None, CheckLevel.ENDPOINT)
    for meta in (kev, severe):
        assert meta.needs == ("net.vulns",) and [m.unit for m in meta.mlps] == ["L3-CES1-21"]
        assert meta.profiles == (Profile.WEBSITE, Profile.SERVER)
        assert meta.title.zh != meta.title.en and meta.remediation.zh != meta.remediation.en


def test_all_matched_and_nothing_open_passes_both() -> None:
    found = _judge(_facts("NET-VUL-001.pass"))
    assert {cid: f.status for cid, f in found.items()} == {"NET-VUL-001": Status.PASS, "NET-VUL-002": Status.PASS}
    f = found["NET-VUL-001"]
    assert f.reason_id == "NET-VUL-001/none" and f.observed["seen"] == 1 and f.observed["matched"] == 1
    assert f.observed["services"] == [
        {"endpoint": "127.0.0.1:22/tcp", "product": "OpenSSH", "version": "7.9p1 Debian 10+deb10u4",
         "package": "openssh-server", "package_version": "1:7.9p1-10+deb10u4", "suite": "buster"}
    ]  # fmt: skip
    assert "所见的 1 个服务版本均已与发行版安全数据比对" in (f.reason_in("zh") or "")


def test_a_kev_cve_fails_001_with_cve_versions_due_date_and_command() -> None:
    found = _judge(_facts("NET-VUL-001.fail"))
    f = found["NET-VUL-001"]
    assert f.status is Status.FAIL and f.reason_id == "NET-VUL-001/kev"
    (row,) = f.observed["matches"]
    assert row == {
        "endpoint": "127.0.0.1:22/tcp", "cve": "CVE-2023-38408", "source": "openssh", "packages": ["openssh-server"],
        "installed": "1:7.9p1-10+deb10u2", "fixed": "1:7.9p1-10+deb10u3", "advisory": None, "severity": "unknown",
        "kev_due_date": "2026-01-26",
    }  # fmt: skip
    assert f.observed["command"] == "apt-get update && apt-get install --only-upgrade openssh-server"
    assert "CVE-2023-38408" in (f.reason_in("en") or "") and "CISA KEV 收录" in (f.reason_in("zh") or "")
    # the KEV one is 001's; 002 looks at the others, and the only other thing open is nothing here
    assert found["NET-VUL-002"].status is Status.PASS


def test_an_open_high_cve_with_a_fix_fails_002_only() -> None:
    found = _judge(_facts("NET-VUL-002.fail"))
    assert found["NET-VUL-001"].status is Status.PASS
    f = found["NET-VUL-002"]
    assert f.status is Status.FAIL and f.reason_id == "NET-VUL-002/open"
    assert [r["cve"] for r in f.observed["matches"]] == ["CVE-2023-48795"]
    assert "高危或严重漏洞未修补" in (f.reason_in("zh") or "")


def test_a_version_that_could_not_be_matched_makes_both_manual_never_pass() -> None:
    found = _judge(_with_unmatched(_facts("NET-VUL-001.pass")))
    for f in found.values():
        assert f.status is Status.MANUAL and f.reason_id == "NET-VUL/not-matched", f
        assert "127.0.0.1:80/tcp nginx 1.14.2" in (f.reason_in("en") or "")
        assert "无法可靠比对" in (f.reason_in("zh") or "")
        assert {"endpoint": "127.0.0.1:80/tcp", "product": "nginx", "version": "1.14.2", "not_matched": "upstream_only",
                "detail": "nginx 1.14.2: only the upstream version is stated"} in f.observed["services"]  # fmt: skip


def test_a_failure_found_elsewhere_still_fails_when_some_versions_were_not_matched() -> None:
    found = _judge(_with_unmatched(_facts("NET-VUL-001.fail")))
    assert found["NET-VUL-001"].status is Status.FAIL


def test_an_open_cve_of_unknown_severity_leaves_002_manual() -> None:
    facts = _facts("NET-VUL-002.fail")
    for m in facts["services"][0]["matches"]:
        m["urgency"], m["severity"] = "not yet assigned", "unknown"
    found = _judge(facts)
    assert found["NET-VUL-001"].status is Status.PASS
    f = found["NET-VUL-002"]
    assert f.status is Status.MANUAL and f.reason_id == "NET-VUL-002/severity-unknown"
    assert f.observed["matches"] and f.observed["command"]
    # with a service that was not matched as well, the open CVEs are still the ones named; the service is listed
    f = _judge(_with_unmatched(facts))["NET-VUL-002"]
    assert f.status is Status.MANUAL and f.reason_id == "NET-VUL-002/severity-unknown"
    assert [r["cve"] for r in f.observed["matches"]] == ["CVE-2023-48795"]
    assert any(s.get("not_matched") == "upstream_only" for s in f.observed["services"])


def test_without_the_kev_feed_001_cannot_pass() -> None:
    facts = _facts("NET-VUL-001.pass")
    facts["missing_feeds"] = ["kev"]
    facts["feeds"] = [x for x in facts["feeds"] if x["id"] != "kev"]
    found = _judge(facts)
    assert found["NET-VUL-001"].status is Status.MANUAL and found["NET-VUL-001"].reason_id == "NET-VUL-001/no-kev-feed"
    assert found["NET-VUL-002"].status is Status.PASS


def test_hosts_the_scan_gave_up_on_leave_both_manual() -> None:
    facts = _facts("NET-VUL-001.pass")
    facts["incomplete"] = ["127.0.0.2"]
    for f in _judge(facts).values():
        assert f.status is Status.MANUAL and f.reason_id == "NET-VUL/incomplete"


def test_no_open_port_passes() -> None:
    facts = _facts("NET-VUL-001.pass")
    facts["services"] = []
    facts["counts"].update(seen=0, matched=0)
    for f in _judge(facts).values():
        assert f.status is Status.PASS and f.reason_id == "NET-VUL/no-open-port"


def test_without_feeds_both_are_manual_and_6_4_3_2_stays_not_assessed() -> None:
    """Not ``not_applicable``: the report counts an N/A finding as a judged 高风险 case and a clear hard-fail item."""
    from report.high_risk import not_assessed

    found = _judge({}, EvidenceStatus.NOT_APPLICABLE, NO_FEEDS)
    for f in found.values():
        assert f.status is Status.MANUAL and f.reason_id == "NET-VUL/no-feeds"
        assert "--feeds DIR" in (f.reason_in("zh") or "") and "not a clean result" in (f.reason_in("en") or "")
    assert "6.4.3.2" in not_assessed(Profile.WEBSITE, list(found.values()))
    na = Finding.of(all_checks()["NET-VUL-001"].meta, Verdict.na("no feeds"), {}, TARGET)
    assert "6.4.3.2" not in not_assessed(Profile.WEBSITE, [na])  # what N/A would have claimed


def test_a_failed_collection_is_manual_with_its_reason() -> None:
    for f in _judge({}, EvidenceStatus.ERROR, "no port scan of 127.0.0.1 ran before this one").values():
        assert f.status is Status.MANUAL and f.reason_id == "NET-VUL/not-assessed"
        assert "no port scan" in (f.reason_in("en") or "")


# -- end to end: nmap, net.vulns, the checks ----------------------------------------------------------


def _scan_and_judge(feeds: Path, *handlers: Any) -> Dict[str, Finding]:
    assert shutil.which("nmap"), "nmap is not installed (scripts/test.sh installs it)"
    with tcp.serve(*handlers) as ports:
        ctx = NetContext(parse_scope([TARGET]), privileged=os.geteuid() == 0, ports=tcp.port_spec(ports), options={"feeds_dir": str(feeds)})
        evidence = collect_network(ctx, names=["net.ports", "net.vulns"])
    findings: List[Finding] = evaluate(evidence, Profile.SERVER)
    return {f.check_id: f for f in findings if f.check_id in IDS and f.target == TARGET}


@pytest.fixture()
def kev_feeds(tmp_path: Path) -> Path:
    """The fixture feeds with CVE-2023-38408 added to a copy of the KEV catalogue (the test's entry, not CISA's)."""
    feeds = tmp_path / "feeds"
    shutil.copytree(FEEDS, feeds)
    kev = json.loads((feeds / "kev.json").read_text())
    entry = dict(kev["vulnerabilities"][0])
    entry.update(cveID="CVE-2023-38408", dateAdded="2026-01-05", dueDate="2026-01-26")
    kev["vulnerabilities"].append(entry)
    (feeds / "kev.json").write_text(json.dumps(kev))
    return feeds


def test_a_scanned_debian_sshd_with_a_kev_cve_fails_001(kev_feeds: Path) -> None:
    found = _scan_and_judge(kev_feeds, tcp.banner(b"SSH-2.0-OpenSSH_7.9p1 Debian-10+deb10u2\r\n"))
    assert found["NET-VUL-001"].status is Status.FAIL, found["NET-VUL-001"].reason
    assert [r["cve"] for r in found["NET-VUL-001"].observed["matches"]] == ["CVE-2023-38408"]
    # Terrapin and CVE-2023-51385 are open too, of a severity the tracker does not give: 002 cannot pass
    assert found["NET-VUL-002"].status is Status.MANUAL and found["NET-VUL-002"].reason_id == "NET-VUL-002/severity-unknown"


def test_a_scanned_ubuntu_sshd_is_not_matched() -> None:
    found = _scan_and_judge(FEEDS, tcp.OLD_OPENSSH)
    for f in found.values():
        assert f.status is Status.MANUAL and f.reason_id == "NET-VUL/not-matched", f.reason
