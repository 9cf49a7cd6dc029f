"""Matching installed Debian packages against the tracker's fixed versions, KEV, EPSS and exposure."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path
from typing import Any, Dict, Optional

import pytest

from collectors.catalogue import all_collectors
from collectors.context import HostContext, RecordedProcessView
from collectors.evidence import Evidence, EvidenceStatus
from collectors.facts import check_shape
from collectors.host.debversion import compare
from collectors.registry import run_collector
from collectors.vuln import feeds as feedstore
from collectors.vuln.collector import NO_FEEDS, derive, rematch
from collectors.vuln.facts import VULN, MatchFacts
from collectors.vuln.feeddata import debian_index, epss_index, parse_advisory_list
from collectors.vuln.match import Socket, services_by_package
from tests.hosts import HOSTS_DIR, host_context

FEEDS = Path(__file__).parents[2] / "fixtures" / "feeds" / "match"
VULNERABLE = "debian-weak-public-bind-apache2-deb10u6"


def _collect(ctx: HostContext, feeds_dir: Optional[Path] = FEEDS, **options: Any) -> Evidence:
    # HostContext has no options field yet: the agent's settings pass feeds_dir (see the report to the lead).
    setattr(ctx, "options", {"feeds_dir": str(feeds_dir), **options} if feeds_dir else {})  # noqa: B010
    return run_collector(all_collectors()[VULN.name], ctx)


def _match(ev: Evidence, cve: str) -> Optional[MatchFacts]:
    return next((m for m in ev.facts["matches"] if m["cve"] == cve), None)


def _with_version(tmp_path: Path, version: str, host: str = VULNERABLE) -> HostContext:
    """The recorded host with apache2 at ``version`` (the dpkg status database rewritten in a copy)."""
    shutil.copytree(HOSTS_DIR / host, tmp_path / host, symlinks=True)
    status = tmp_path / host / "root/var/lib/dpkg/status"
    status.write_text(status.read_text().replace("Version: 2.4.38-3+deb10u6", f"Version: {version}"))
    from collectors.context import load_fixture_context

    return load_fixture_context(tmp_path / host)


def test_a_version_before_the_suites_fix_is_a_finding_naming_cve_versions_and_dsa() -> None:
    ev = _collect(host_context(VULNERABLE))
    assert ev.status is EvidenceStatus.OK, ev.reason
    check_shape(ev.facts, VULN.shape)
    m = _match(ev, "CVE-2021-40438")
    assert m is not None
    assert (m["source"], m["packages"], m["installed"], m["fixed"]) == (
        "apache2",
        ["apache2"],
        "2.4.38-3+deb10u6",
        "2.4.38-3+deb10u7",
    )
    assert m["advisory"] == "DSA-4982-1" and m["fix_date"] == "2021-10-04"
    assert m["kev"] == {"date_added": "2021-12-01", "due_date": "2021-12-15", "ransomware": "Unknown"}
    assert m["epss"] == {"score": "0.94342", "percentile": "0.99943"}
    assert m["service"] == {"process": "apache2", "ports": [80], "exposed": True}
    assert ev.facts["suite"] == "buster"


def test_the_fixed_version_gives_no_finding(tmp_path: Path) -> None:
    ev = _collect(_with_version(tmp_path, "2.4.38-3+deb10u7"))
    assert _match(ev, "CVE-2021-40438") is None
    assert _match(ev, "CVE-2021-44790") is not None  # fixed only in deb10u8


def test_a_backported_fix_is_not_reported_open(tmp_path: Path) -> None:
    """Upstream fixed CVE-2021-40438 in 2.4.49; Debian backported the fix into 2.4.38 with revision 3+deb10u7.

    The installed upstream version (2.4.38) is older than upstream's fix, the Debian revision is newer than
    the suite's fix: no finding, because the comparison is against the suite's own fixed version.
    """
    installed = "2.4.38-3+deb10u8"
    assert compare("2.4.38", "2.4.49") < 0  # an upstream range would call this vulnerable
    ev = _collect(_with_version(tmp_path, installed))
    assert ev.facts["matches"] == []
    assert ev.facts["counts"]["open"] == 0


def test_the_recorded_host_at_its_recorded_version_has_no_open_match() -> None:
    ev = _collect(host_context("debian-weak"))
    assert ev.status is EvidenceStatus.OK and ev.facts["matches"] == []
    assert ev.facts["counts"]["unfixed"] == 1  # openssl CVE-2007-6755, open without a fix


def test_a_suite_that_was_never_affected_is_not_matched() -> None:
    issues = debian_index(FEEDS / "debian.json", "buster", {"apache2"})
    fixed = {i.cve: i.fixed for i in issues["apache2"]}
    assert "CVE-2021-41773" not in fixed  # fixed_version "0": buster never had the code
    assert fixed["CVE-2021-40438"] == "2.4.38-3+deb10u7"


def test_without_feeds_the_evidence_is_not_applicable_with_the_reason() -> None:
    ev = _collect(host_context("debian-weak"), None)
    assert ev.status is EvidenceStatus.NOT_APPLICABLE and ev.reason == NO_FEEDS


def test_a_feed_directory_without_the_debian_feed_is_an_error(tmp_path: Path) -> None:
    ev = _collect(host_context("debian-weak"), tmp_path)
    assert ev.status is EvidenceStatus.ERROR and "Debian Security Tracker" in (ev.reason or "")


def _manifest(feeds_dir: Path, fetched: str) -> None:
    manifest = feedstore.EMPTY_MANIFEST
    for feed_id in ("debian", "kev", "epss"):
        path = feedstore.feed_path(feeds_dir, feed_id)
        import hashlib

        data = path.read_bytes()
        entry = feedstore.FeedEntry(
            feed_id, feedstore.spec(feed_id).url, path.name, hashlib.sha256(data).hexdigest(), len(data), fetched, None
        )
        manifest = manifest.with_entry(entry)
    feedstore.manifest_path(feeds_dir).write_bytes(manifest.encode())


def test_feeds_are_recorded_and_stale_ones_listed(tmp_path: Path) -> None:
    feeds_dir = tmp_path / "feeds"
    shutil.copytree(FEEDS, feeds_dir)
    _manifest(feeds_dir, "2026-11-01T00:00:00Z")  # the host was recorded 2026-11-20
    ev = _collect(host_context("debian-weak"), feeds_dir, feeds_max_age_days=14)
    feeds: Dict[str, Any] = {f["id"]: f for f in ev.facts["feeds"]}
    assert feeds["debian"]["fetched_at"] == "2026-11-01T00:00:00Z" and feeds["debian"]["age_days"] == 19
    assert len(feeds["kev"]["sha256"]) == 64
    assert ev.facts["stale_feeds"] == ["debian", "kev", "epss"] and ev.facts["max_age_days"] == 14
    assert any(getattr(s, "path", "").endswith("debian.json") for s in ev.sources)
    fresh = _collect(host_context("debian-weak"), feeds_dir, feeds_max_age_days=30)
    assert fresh.facts["stale_feeds"] == []


def test_a_feed_that_differs_from_its_manifest_is_refused(tmp_path: Path) -> None:
    feeds_dir = tmp_path / "feeds"
    shutil.copytree(FEEDS, feeds_dir)
    _manifest(feeds_dir, "2026-11-19T00:00:00Z")
    (feeds_dir / "kev.json").write_text(json.dumps({"vulnerabilities": []}))
    ev = _collect(host_context("debian-weak"), feeds_dir)
    assert ev.status is EvidenceStatus.ERROR and "differs from the manifest" in (ev.reason or "")


def test_binary_packages_are_matched_through_their_source(tmp_path: Path) -> None:
    installed = {"libssl1.1": "1.0.1e-2", "apache2-bin": "2.4.38-3+deb10u6"}
    sources = {"libssl1.1": "openssl", "apache2-bin": "apache2"}
    facts = derive(FEEDS, "buster", installed, sources, {"debian", "kev"}, "2026-11-20")
    got = {(m["cve"], m["source"], tuple(m["packages"])) for m in facts["matches"]}
    assert ("CVE-2014-0160", "openssl", ("libssl1.1",)) in got
    assert ("CVE-2021-40438", "apache2", ("apache2-bin",)) in got


def test_a_source_version_in_parentheses_is_the_version_compared() -> None:
    facts = derive(FEEDS, "buster", {"libssl1.1": "9.9"}, {"libssl1.1": "openssl (1.0.1e-2)"}, {"debian"}, "2026-11-20")
    assert [m["installed"] for m in facts["matches"]] == ["1.0.1e-2"]


@pytest.mark.parametrize(
    ("address", "interfaces", "exposed"),
    [
        ("58.215.30.17", None, True),
        ("10.0.0.5", None, False),
        ("0.0.0.0", {"eth0": ["10.0.0.5"]}, False),
        ("0.0.0.0", {"eth0": ["203.0.113.0", "58.215.30.17"]}, True),
        ("::", None, None),  # a wildcard socket on a host whose addresses are unknown
    ],
)
def test_reach_from_outside(address: str, interfaces: Optional[Dict[str, list]], exposed: Optional[bool]) -> None:  # type: ignore[type-arg]
    svc = services_by_package(
        [Socket("tcp", address, 443, 10, "nginx")], {10: "/usr/sbin/nginx"}, ["nginx-core"], lambda exe: None, interfaces
    )
    assert svc["nginx-core"]["exposed"] is exposed


def test_a_loopback_service_backs_nothing() -> None:
    assert services_by_package([Socket("tcp", "127.0.0.1", 6379, 1, "redis-server")], {}, ["redis-server"], lambda e: None) == {}


def test_the_owner_from_dpkg_file_lists_wins_over_the_name_table() -> None:
    svc = services_by_package(
        [Socket("tcp", "0.0.0.0", 22, 7, "sshd")],
        {7: "/usr/sbin/sshd"},
        ["openssh-server"],
        lambda e: "my-sshd",
        {"e": ["1.1.1.1"]},
    )
    assert set(svc) == {"my-sshd"}


def test_the_same_package_without_a_listening_service_backs_none(tmp_path: Path) -> None:
    ctx = host_context(VULNERABLE)
    system = json.loads((HOSTS_DIR / VULNERABLE / "system.json").read_text())
    system["listening"] = [s for s in system["listening"] if s["process"] != "apache2"]
    ctx.processes = RecordedProcessView(system)
    m = _match(_collect(ctx), "CVE-2021-40438")
    assert m is not None and m["kev"] is not None and m["service"] is None


def test_advisory_list_parsing() -> None:
    advs = parse_advisory_list((FEEDS / "dsa.list").read_text())
    adv = next(a for a in advs if a.id == "DSA-4982-1")
    assert adv.date == "2021-10-04" and "CVE-2021-40438" in adv.cves and ("buster", "apache2", "2.4.38-3+deb10u7") in adv.fixed


def test_epss_reads_only_the_wanted_scores(tmp_path: Path) -> None:
    scores = epss_index(FEEDS / "epss.csv.gz", {"CVE-2021-40438", "CVE-1999-0001"})
    assert set(scores.scores) == {"CVE-2021-40438"} and scores.score_date == "2025-08-25T12:55:00Z"


def test_streaming_finds_entries_across_chunk_boundaries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import collectors.vuln.feeddata as feeddata

    monkeypatch.setattr(feeddata, "CHUNK", 97)  # far smaller than one entry
    whole = debian_index(FEEDS / "debian.json", "buster", {"apache2", "openssl", "rsyslog"})
    assert {k: len(v) for k, v in whole.items()} == {"apache2": 3, "openssl": 2, "rsyslog": 0}
    gz = tmp_path / "debian.json"
    gz.write_bytes(gzip.compress((FEEDS / "debian.json").read_bytes()))
    assert debian_index(gz, "buster", {"apache2"}).keys() == {"apache2"}


# -- rematch ----------------------------------------------------------------------------------------


def _evidence() -> list:  # type: ignore[type-arg]
    ctx = host_context(VULNERABLE)
    vuln = _collect(ctx)
    pkgs = run_collector(all_collectors()["host.packages"], host_context(VULNERABLE))
    return [vuln, pkgs]


def test_rematch_with_the_same_feeds_rederives_the_matches() -> None:
    result = rematch(_evidence(), FEEDS)
    assert result.rederived, result


def test_rematch_names_a_changed_match(tmp_path: Path) -> None:
    vuln, pkgs = _evidence()
    facts = json.loads(json.dumps(vuln.facts))
    facts["matches"][0]["fixed"] = "2.4.38-3+deb10u9"
    edited = Evidence(vuln.collector, vuln.target, vuln.status, facts, vuln.sources, collected_at=vuln.collected_at)
    result = rematch([edited, pkgs], FEEDS)
    assert not result.rederived and any("fixed reported" in d for d in result.differences)


def test_rematch_with_other_feeds_says_why_it_did_not_rederive(tmp_path: Path) -> None:
    other = tmp_path / "feeds"
    shutil.copytree(FEEDS, other)
    (other / "kev.json").write_text(json.dumps({"vulnerabilities": []}))
    result = rematch(_evidence(), other)
    assert not result.rederived and "not re-derived" in result.statement and "feed kev" in result.statement
