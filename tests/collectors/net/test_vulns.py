"""net.vulns after a real nmap scan of loopback services that greet like real ones, against the fixture feeds."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional

from collectors.evidence import ErrorReason, Evidence, EvidenceStatus, FileSource
from collectors.facts import check_shape
from collectors.net.registry import NetContext, all_net_collectors, collect_network, run_net_collector
from collectors.net.scope import parse_scope
from collectors.net.vulns import NO_FEEDS
from collectors.net.vulns_facts import NET_VULNS, SeenServiceFacts
from tests.servers import tcp

FEEDS = Path(__file__).parents[2] / "fixtures" / "feeds" / "services"
ROOT_USER = os.geteuid() == 0
BUSTER_SSH = tcp.banner(b"SSH-2.0-OpenSSH_7.9p1 Debian-10+deb10u2\r\n")  # Debian's package-versioning patch
BOOKWORM_SSH_FIXED = tcp.MODERN_OPENSSH  # SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3: the CVE-2024-6387 fix itself
UBUNTU_SSH = tcp.OLD_OPENSSH  # SSH-2.0-OpenSSH_7.2p2 Ubuntu-4ubuntu2.10
APACHE = tcp.http("Apache/2.4.38 (Debian)")


def _scan(ports: List[int], options: Optional[Mapping[str, Any]] = None) -> Dict[str, Evidence]:
    assert shutil.which("nmap"), "nmap is not installed (scripts/test.sh installs it): these tests need the real binary"
    ctx = NetContext(
        parse_scope(["127.0.0.1"]),
        privileged=ROOT_USER,
        ports=tcp.port_spec(ports),
        options={"feeds_dir": str(FEEDS)} if options is None else options,
    )
    return {e.collector: e for e in collect_network(ctx, names=["net.vulns", "net.ports"])}


def _row(rows: List[SeenServiceFacts], port: int) -> SeenServiceFacts:
    return next(r for r in rows if r["port"] == port)


def test_a_debian_banner_is_matched_and_every_other_port_is_recorded_with_its_reason() -> None:
    with tcp.serve(BUSTER_SSH, BOOKWORM_SSH_FIXED, UBUNTU_SSH, APACHE) as ports:
        got = _scan(ports)
    assert got["net.ports"].status is EvidenceStatus.OK, got["net.ports"].reason
    ev = got["net.vulns"]
    assert ev.status is EvidenceStatus.OK, ev.reason
    check_shape(dict(ev.facts), NET_VULNS.shape)
    f = ev.facts
    rows = f["services"]
    assert sorted(r["port"] for r in rows) == sorted(ports)  # nothing seen is dropped
    buster, bookworm, ubuntu, apache = (_row(rows, p) for p in ports)

    assert (buster["product"], buster["version"]) == ("OpenSSH", "7.9p1 Debian 10+deb10u2")  # as nmap reported it
    assert buster["identity"] == {
        "distribution": "debian",
        "suite": "buster",
        "source": "openssh",
        "package": "openssh-server",
        "version": "1:7.9p1-10+deb10u2",
        "stated": "Debian 10+deb10u2",
    }
    assert buster["not_matched"] is None
    by_cve = {m["cve"]: m for m in buster["matches"]}
    assert sorted(by_cve) == ["CVE-2023-38408", "CVE-2023-48795", "CVE-2023-51385"]
    terrapin = by_cve["CVE-2023-48795"]
    assert (terrapin["installed"], terrapin["fixed"], terrapin["advisory"]) == ("1:7.9p1-10+deb10u2", "1:7.9p1-10+deb10u4", "DLA-3694-1")
    assert terrapin["kev"] is None and terrapin["epss"] == {"score": "0.55102", "percentile": "0.97804"}

    assert bookworm["identity"] is not None and bookworm["identity"]["version"] == "1:9.2p1-2+deb12u3"
    assert bookworm["matches"] == [] and bookworm["not_matched"] is None  # the fixed version: matched, clean

    assert ubuntu["identity"] is None and ubuntu["not_matched"] == "no_suite" and ubuntu["matches"] == []
    assert (apache["product"], apache["not_matched"]) == ("Apache httpd", "upstream_only")

    assert f["counts"] == {
        "seen": 4,
        "matched": 2,
        "not_matched": 2,
        "open": 3,
        "kev": 0,
        "by_severity": {"critical": 0, "high": 0, "medium": 0, "low": 0, "unknown": 3},
    }
    assert f["epss_date"] == "2025-08-25T12:55:00Z" and f["incomplete"] == [] and f["scanned"] == "127.0.0.1"
    assert {x["id"] for x in f["feeds"]} == {"debian", "kev", "epss", "dsa", "dla"} and f["missing_feeds"] == []
    files = {Path(s.path).name for s in ev.sources if isinstance(s, FileSource)}
    assert files == {"debian.json", "kev.json", "epss.csv.gz", "dsa.list", "dla.list"}
    assert ev.method and "Debian package revision" in ev.method


def test_the_runner_gives_the_port_scan_to_net_vulns_whatever_order_it_is_asked_in() -> None:
    with tcp.serve(BUSTER_SSH) as ports:
        got = _scan(ports)
    assert [r["port"] for r in got["net.vulns"].facts["services"]] == ports


def test_without_feeds_nothing_is_matched_and_the_evidence_says_why() -> None:
    ctx = NetContext(parse_scope(["127.0.0.1"]), privileged=False, options={})
    ev = run_net_collector(all_net_collectors()[NET_VULNS.name], ctx, ctx.scope.targets[0])
    assert ev.status is EvidenceStatus.NOT_APPLICABLE and ev.reason == NO_FEEDS


def _ports_evidence(status: EvidenceStatus = EvidenceStatus.OK, reason: Optional[str] = None) -> Evidence:
    facts = {"scanned": "127.0.0.1", "timed_out_hosts": [], "hosts": []} if status is EvidenceStatus.OK else {}
    return Evidence("net.ports", "127.0.0.1", status, facts, (), reason)


def _alone(earlier: Mapping[str, Evidence], feeds: Path = FEEDS) -> Evidence:
    ctx = NetContext(parse_scope(["127.0.0.1"]), privileged=False, options={"feeds_dir": str(feeds)}, earlier=dict(earlier))
    return run_net_collector(all_net_collectors()[NET_VULNS.name], ctx, ctx.scope.targets[0])


def test_without_a_port_scan_before_it_there_is_nothing_to_match() -> None:
    ev = _alone({})
    assert ev.status is EvidenceStatus.ERROR and ev.error_reason is ErrorReason.NOT_FOUND
    assert ev.reason and "no port scan of 127.0.0.1 ran before" in ev.reason


def test_a_failed_port_scan_is_named() -> None:
    ev = _alone({"net.ports": _ports_evidence(EvidenceStatus.ERROR, "nmap is not installed: apt-get install nmap")})
    assert ev.status is EvidenceStatus.ERROR and ev.reason and "nmap is not installed" in ev.reason


def test_a_scan_with_no_open_port_gives_an_empty_list_and_a_missing_tracker_feed_is_an_error(tmp_path: Path) -> None:
    ev = _alone({"net.ports": _ports_evidence()})
    assert ev.status is EvidenceStatus.OK and ev.facts["services"] == [] and ev.facts["counts"]["seen"] == 0
    feeds = tmp_path / "feeds"
    shutil.copytree(FEEDS, feeds)
    (feeds / "debian.json").unlink()
    ev = _alone({"net.ports": _ports_evidence()}, feeds)
    assert ev.status is EvidenceStatus.ERROR and ev.reason and "no Debian Security Tracker feed" in ev.reason


def test_hosts_the_scan_gave_up_on_are_carried_over() -> None:
    scan = _ports_evidence()
    scan = Evidence(scan.collector, scan.target, scan.status, {**scan.facts, "timed_out_hosts": ["127.0.0.2"]})
    ev = _alone({"net.ports": scan})
    assert ev.status is EvidenceStatus.OK and ev.facts["incomplete"] == ["127.0.0.2"]


def test_verify_rederives_service_matches_from_the_embedded_port_scan(tmp_path: Path) -> None:
    import dataclasses
    import json

    from collectors.net.vulns import rematch_services

    with tcp.serve(BUSTER_SSH, APACHE) as ports:
        got = _scan(ports)
    evidence = [got["net.ports"], got["net.vulns"]]
    same = rematch_services(evidence, FEEDS)
    assert same is not None and same.rederived, same
    # A forger drops the open CVEs of the SSH port from net.vulns (and would re-judge the checks to match).
    facts = json.loads(json.dumps(got["net.vulns"].facts))
    for row in facts["services"]:
        row["matches"] = []
    thinned = dataclasses.replace(got["net.vulns"], facts=facts)
    forged = rematch_services([got["net.ports"], thinned], FEEDS)
    assert forged is not None and not forged.rederived and any("open by the feeds, not in the report" in d for d in forged.differences)
    other = tmp_path / "feeds"
    shutil.copytree(FEEDS, other)
    (other / "kev.json").write_text(json.dumps({"vulnerabilities": []}))
    elsewhere = rematch_services(evidence, other)
    assert elsewhere is not None and not elsewhere.rederived and "feed kev" in elsewhere.statement and not elsewhere.differences
    assert rematch_services([got["net.ports"]], FEEDS) is None
