"""Every WEB check passes on the hardened nginx and fails on the weak one (real servers, real probes)."""

from __future__ import annotations

from typing import Any, Dict, Iterator, Mapping

import pytest

from checks.catalogue import all_checks, evaluate
from checks.model import Severity, Status
from checks.registry import EvidenceView, evaluate_one
from collectors.evidence import Evidence, EvidenceStatus
from collectors.profile import Profile
from tests.collectors.net.test_web import web_evidence
from tests.servers.broken_http import BrokenHttpServer
from tests.servers.nginx import start_nginx

HEADER_CHECKS = (
    "WEB-HSTS-001",
    "WEB-CSP-001",
    "WEB-FRAME-001",
    "WEB-MIME-001",
    "WEB-REF-001",
    "WEB-COOK-001",
    "WEB-CORS-001",
)
PATH_CHECKS = ("WEB-DIR-001", "WEB-EXP-001", "WEB-EXP-002", "WEB-EXP-003", "WEB-EXP-004")
# Judged on the https URL of each site.
HTTPS_JUDGED = (*HEADER_CHECKS, "WEB-VER-001", *PATH_CHECKS)
# Judged on the plain-http URL of each site (for the https URL it needs the site's plain port in the scope).
HTTP_JUDGED = ("WEB-HTTPS-001",)
ALL_WEB = (*HTTPS_JUDGED, *HTTP_JUDGED)


@pytest.fixture(scope="module")
def evidence(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dict[str, Evidence]]:
    base = tmp_path_factory.mktemp("webchecks")
    with start_nginx(base, "weak") as weak, start_nginx(base, "hardened") as hardened:
        out = {
            "weak_https": web_evidence(weak.base_url_https),
            "weak_http": web_evidence(weak.base_url_http),
            "hardened_https": web_evidence(hardened.base_url_https),
            "hardened_http": web_evidence(hardened.base_url_http),
            # the same https URLs in a scan that also has the site's plain-HTTP port
            "weak_https_with_http": web_evidence(weak.base_url_https, also=[weak.base_url_http]),
            "hardened_https_with_http": web_evidence(hardened.base_url_https, also=[hardened.base_url_http]),
            # http:// to the TLS port: nginx's 400 for every request
            "weak_wrong_scheme": web_evidence(f"http://127.0.0.1:{weak.https_port}/"),
            "hardened_wrong_scheme": web_evidence(f"http://127.0.0.1:{hardened.https_port}/"),
        }
    for name, ev in out.items():
        assert ev.status is EvidenceStatus.OK, f"{name}: {ev.reason}"
    yield out


def _run(check_id: str, ev: Evidence) -> Any:
    return evaluate_one(all_checks()[check_id], EvidenceView([ev]), target=ev.target)


def test_every_web_check_is_covered_here() -> None:
    registered = {cid for cid in all_checks() if cid.startswith("WEB-")}
    assert registered == set(ALL_WEB)
    for cid in registered:
        meta = all_checks()[cid].meta
        assert meta.level == "endpoint" and meta.profiles == ("website", "server") and meta.needs == ("web.http",)


@pytest.mark.parametrize("check_id", HTTPS_JUDGED)
def test_fails_on_weak_https(check_id: str, evidence: Mapping[str, Evidence]) -> None:
    finding = _run(check_id, evidence["weak_https"])
    assert finding.status is Status.FAIL, finding.reason


@pytest.mark.parametrize("check_id", HTTPS_JUDGED)
def test_passes_on_hardened_https(check_id: str, evidence: Mapping[str, Evidence]) -> None:
    finding = _run(check_id, evidence["hardened_https"])
    assert finding.status is Status.PASS, finding.reason


@pytest.mark.parametrize("check_id", (*HTTP_JUDGED, *HEADER_CHECKS, *PATH_CHECKS))
def test_hardened_http_url_is_judged_after_its_redirect(check_id: str, evidence: Mapping[str, Evidence]) -> None:
    finding = _run(check_id, evidence["hardened_http"])
    assert finding.status is Status.PASS, finding.reason


@pytest.mark.parametrize("check_id", (*HTTP_JUDGED, "WEB-HSTS-001", "WEB-COOK-001", "WEB-CORS-001"))
def test_fails_on_weak_http(check_id: str, evidence: Mapping[str, Evidence]) -> None:
    finding = _run(check_id, evidence["weak_http"])
    assert finding.status is Status.FAIL, finding.reason


def test_failure_details_name_what_was_seen(evidence: Mapping[str, Evidence]) -> None:
    weak = evidence["weak_https"]
    assert _run("WEB-VER-001", weak).observed["headers"] == {"Server": "nginx/1.22.1"}
    assert _run("WEB-EXP-001", weak).observed["found"] == [{"path": "/.git/HEAD", "marker": "git-ref"}]
    assert [x["path"] for x in _run("WEB-EXP-003", weak).observed["found"]] == ["/backup.zip", "/db.sql"]
    assert "sessionid: no Secure" in _run("WEB-COOK-001", weak).reason
    assert "echoes any Origin" in _run("WEB-CORS-001", weak).reason
    assert "plain HTTP serves content" in _run("WEB-HTTPS-001", evidence["weak_http"]).reason


def test_exposure_severity_discriminates() -> None:
    sev = {cid: all_checks()[cid].meta.severity for cid in ALL_WEB}
    assert sev["WEB-EXP-002"] is Severity.CRITICAL and sev["WEB-EXP-003"] is Severity.CRITICAL
    assert sev["WEB-EXP-001"] is Severity.HIGH and sev["WEB-CORS-001"] is Severity.HIGH
    assert sev["WEB-MIME-001"] is Severity.LOW and sev["WEB-VER-001"] is Severity.LOW


def test_off_scope_final_page_is_manual_never_pass() -> None:
    with BrokenHttpServer("redirect", location="http://10.255.255.1/") as srv:
        ev = web_evidence(srv.base_url, timeout=1.0)
    for cid in HEADER_CHECKS:
        finding = _run(cid, ev)
        assert finding.status is Status.MANUAL, (cid, finding.reason)
        assert "outside the declared scope" in (finding.reason or "")


def test_unchecked_paths_are_errors_never_pass() -> None:
    with BrokenHttpServer("slow_paths") as srv:
        ev = web_evidence(srv.base_url, timeout=0.5)
    for cid in PATH_CHECKS:
        assert _run(cid, ev).status is Status.ERROR, cid


def test_failed_collection_is_error_for_every_web_check() -> None:
    with BrokenHttpServer("close") as srv:
        ev = web_evidence(srv.base_url, timeout=1.0)
    assert ev.status is EvidenceStatus.ERROR
    findings = [f for f in evaluate([ev], Profile.WEBSITE) if f.check_id.startswith("WEB-")]
    assert {f.check_id for f in findings} == set(ALL_WEB)
    assert all(f.status is Status.ERROR for f in findings)


def test_https_target_is_judged_on_every_plain_http_endpoint_of_its_host(evidence: Mapping[str, Evidence]) -> None:
    """Port 80 refuses, but the same scan serves the weak site over plain HTTP on another port."""
    weak = _run("WEB-HTTPS-001", evidence["weak_https_with_http"])
    assert weak.status is Status.FAIL and "plain HTTP serves content" in (weak.reason or "")
    assert any(e["source"] == "declared target" and e["state"] == "no_redirect" for e in weak.observed["endpoints"])
    hardened = _run("WEB-HTTPS-001", evidence["hardened_https_with_http"])
    assert hardened.status is Status.PASS and "redirects to HTTPS" in (hardened.reason or "")


def test_https_target_alone_is_not_assessed_for_plain_http(evidence: Mapping[str, Evidence]) -> None:
    """Only port 80 was asked and it refused: that proves nothing about the host's other ports."""
    for name in ("weak_https", "hardened_https"):
        finding = _run("WEB-HTTPS-001", evidence[name])
        assert finding.status is Status.MANUAL and "not assessed" in (finding.reason or ""), (name, finding.reason)


def test_https_target_after_a_port_scan_that_found_no_plain_http_passes(evidence: Mapping[str, Evidence]) -> None:
    ev = evidence["hardened_https"]
    scanned = Evidence(ev.collector, ev.target, ev.status, dict(ev.facts, ports_scanned="22,443"), ev.sources)
    finding = _run("WEB-HTTPS-001", scanned)
    assert finding.status is Status.PASS and "port scan of this host (TCP 22,443)" in (finding.reason or "")


def test_wrong_scheme_error_pages_make_web_checks_error(evidence: Mapping[str, Evidence]) -> None:
    """Every response is nginx's 400: no check passes on what it did not see; a leaked version still fails."""
    hardened = {cid: _run(cid, evidence["hardened_wrong_scheme"]) for cid in ALL_WEB}
    assert {cid: f.status for cid, f in hardened.items()} == {cid: Status.ERROR for cid in ALL_WEB}
    assert all("use an https:// URL" in (f.reason or "") for f in hardened.values()), {c: f.reason for c, f in hardened.items()}
    weak = {cid: _run(cid, evidence["weak_wrong_scheme"]).status for cid in ALL_WEB}
    assert weak == {cid: Status.FAIL if cid == "WEB-VER-001" else Status.ERROR for cid in ALL_WEB}
