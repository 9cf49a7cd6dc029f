"""web.http against real nginx (weak and hardened) and against misbehaving servers."""

from __future__ import annotations

import json
import socket
import time
from typing import Any, Dict, Iterator, List, Mapping, Sequence, Tuple

import pytest

import collectors.net.http_client as http_client
from collectors.evidence import ErrorReason, Evidence, EvidenceStatus, ProbeSource
from collectors.net.registry import NetContext, all_net_collectors, run_net_collector
from collectors.net.scope import parse_scope
from collectors.net.web import SENSITIVE_PATHS
from tests.servers.broken_http import BrokenHttpServer
from tests.servers.nginx import COOKIE_VALUE, NginxServer, start_nginx


def web_evidence(url: str, timeout: float = 2.0, also: Sequence[str] = (), port_scans: Mapping[str, str] = {}) -> Evidence:
    """Run web.http on ``url`` with a scope of that URL and the targets ``also`` (scanned as in the same run)."""
    scope = parse_scope([url, *also])
    ctx = NetContext(scope, privileged=False, timeout_s=timeout, port_scans=dict(port_scans))
    return run_net_collector(all_net_collectors()["web.http"], ctx, scope.targets[0])


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tuple[NginxServer, NginxServer]]:
    base = tmp_path_factory.mktemp("web")
    with start_nginx(base, "weak") as weak, start_nginx(base, "hardened") as hardened:
        yield weak, hardened


@pytest.fixture(scope="module")
def weak_https(servers: Tuple[NginxServer, NginxServer]) -> Evidence:
    return web_evidence(servers[0].base_url_https)


@pytest.fixture(scope="module")
def hardened_http(servers: Tuple[NginxServer, NginxServer]) -> Evidence:
    return web_evidence(servers[1].base_url_http)


def test_weak_site_facts(weak_https: Evidence) -> None:
    assert weak_https.status is EvidenceStatus.OK, weak_https.reason
    f: Dict[str, Any] = dict(weak_https.facts)
    assert f["final"]["state"] == "ok" and f["final"]["status"] == 200
    h = f["headers"]
    assert h["hsts"] == {"present": False, "over_https": True}
    assert h["csp"]["present"] is False
    assert h["x_frame_options"] is None and h["x_content_type_options"] is None and h["referrer_policy"] is None
    assert f["cookies"] == [{"name": "sessionid", "secure": False, "httponly": False, "samesite": None, "session_like": True}]
    assert f["cors"]["allow_origin"] == "reflected" and f["cors"]["allow_credentials"] is True
    assert f["disclosure"]["server"] == "nginx/1.22.1" and f["disclosure"]["server_version"] is True
    assert f["directory_listing"]["found"] == [{"path": "/files/", "marker": "index-of-title"}]
    found = {x["path"]: x["marker"] for x in f["exposed"]["found"]}
    assert found == {
        "/.git/HEAD": "git-ref",
        "/.env": "key-value-lines",
        "/backup.zip": "zip-magic",
        "/db.sql": "sql-dump-statements",
        "/server-status": "nginx-stub-status",
        "/actuator": "actuator-links-json",
        "/actuator/env": "actuator-env-json",
        "/phpinfo.php": "phpinfo-title",
    }
    assert f["exposed"]["errors"] == [] and len(f["exposed"]["probed"]) == len(SENSITIVE_PATHS)


def test_facts_never_hold_secrets_or_content(weak_https: Evidence) -> None:
    text = json.dumps(weak_https.to_json())
    for secret in (COOKIE_VALUE, "dummy", "DB_PASSWORD", "refs/heads/main", "CREATE TABLE", 'propertySources":['):
        assert secret not in text


def test_hardened_site_follows_in_scope_redirect(hardened_http: Evidence, servers: Tuple[NginxServer, NginxServer]) -> None:
    assert hardened_http.status is EvidenceStatus.OK, hardened_http.reason
    f = hardened_http.facts
    https_url = servers[1].base_url_https
    assert f["redirects"] == [
        {"from": servers[1].base_url_http, "status": 301, "to": https_url, "in_scope": True, "followed": True}
    ]
    assert f["final"] == {"url": https_url, "scheme": "https", "status": 200, "state": "ok", "error": None}
    (plain,) = f["plain_http"]
    assert plain["state"] == "redirects_to_https" and plain["same_host"] is True and plain["source"] == "target"
    assert f["ports_scanned"] is None
    h = f["headers"]
    assert h["hsts"]["max_age"] == 31536000 and h["hsts"]["include_subdomains"] and h["hsts"]["valid"]
    assert h["csp"]["present"] and not h["csp"]["unsafe_inline"] and h["csp"]["frame_ancestors"] == "'none'"
    assert f["cookies"] == [{"name": "sessionid", "secure": True, "httponly": True, "samesite": "Strict", "session_like": True}]
    assert f["cors"]["allow_origin"] is None
    assert f["disclosure"]["server"] == "nginx" and not f["disclosure"]["server_version"]
    # The hardened site answers 200 with its index for unknown paths: nothing may be flagged on status alone.
    assert f["directory_listing"]["found"] == [] and f["exposed"]["found"] == []
    assert f["exposed"]["errors"] == []
    endpoints = [s.endpoint for s in hardened_http.sources if isinstance(s, ProbeSource)]
    assert endpoints[0] == servers[1].base_url_http and https_url + "backup.zip" in endpoints


def test_off_scope_redirect_is_recorded_not_followed(monkeypatch: pytest.MonkeyPatch) -> None:
    connects: List[Tuple[str, int]] = []
    real = socket.create_connection

    def spy(address: Tuple[str, int], *args: Any, **kwargs: Any) -> socket.socket:
        connects.append(address)
        return real(address, *args, **kwargs)

    monkeypatch.setattr(http_client.socket, "create_connection", spy)
    with BrokenHttpServer("redirect", location="http://10.255.255.1/admin") as srv:
        started = time.monotonic()
        ev = web_evidence(srv.base_url, timeout=1.0)
        elapsed = time.monotonic() - started
    assert ev.status is EvidenceStatus.OK, ev.reason
    assert ev.facts["redirects"] == [
        {"from": srv.base_url, "status": 302, "to": "http://10.255.255.1/admin", "in_scope": False, "followed": False}
    ]
    assert ev.facts["final"]["state"] == "off_scope"
    assert all(host == "127.0.0.1" for host, _ in connects), connects
    assert not any("10.255.255.1" in s.endpoint for s in ev.sources if isinstance(s, ProbeSource))
    assert elapsed < 3


@pytest.mark.parametrize(
    ("mode", "scheme", "reason", "words"),
    [
        ("bad_status", "http", ErrorReason.MALFORMED, "not HTTP"),
        ("endless_headers", "http", ErrorReason.MALFORMED, "header lines"),
        ("trickle", "http", ErrorReason.TIMEOUT, "deadline"),
        ("close", "http", ErrorReason.MALFORMED, "closed the connection"),
        ("plain_on_tls", "https", ErrorReason.MALFORMED, "TLS handshake failed"),
    ],
)
def test_misbehaving_server_is_error_evidence_within_timeout(mode: str, scheme: str, reason: ErrorReason, words: str) -> None:
    timeout = 1.5
    with BrokenHttpServer(mode) as srv:
        started = time.monotonic()
        ev = web_evidence(f"{scheme}://127.0.0.1:{srv.port}/", timeout=timeout)
        elapsed = time.monotonic() - started
    assert elapsed < timeout + 1
    assert ev.status is EvidenceStatus.ERROR
    assert ev.error_reason is reason, ev.reason
    assert ev.reason is not None and words in ev.reason and str(srv.port) in ev.reason


def test_stalled_paths_are_errors_and_total_time_is_bounded() -> None:
    timeout = 0.5
    with BrokenHttpServer("slow_paths") as srv:
        started = time.monotonic()
        ev = web_evidence(srv.base_url, timeout=timeout)
        elapsed = time.monotonic() - started
    assert ev.status is EvidenceStatus.OK, ev.reason
    # CORS and two path probes time out; the remaining paths are not even requested.
    assert elapsed < timeout * 4 + 1
    exposed = ev.facts["exposed"]
    assert exposed["found"] == [] and len(exposed["errors"]) == len(SENSITIVE_PATHS)
    assert any("not requested" in e["error"] for e in exposed["errors"])


def test_https_target_asks_every_plain_http_endpoint_of_its_host(servers: Tuple[NginxServer, NginxServer]) -> None:
    """Port 80, then each http target of the same host (by name or address), asked with the https host name."""
    weak = servers[0]
    https_url = f"https://localhost:{weak.https_port}/"
    ev = web_evidence(https_url, also=[weak.base_url_http], port_scans={"127.0.0.1": "8080,8443"})
    assert ev.status is EvidenceStatus.OK, ev.reason
    plain = {p["source"]: p for p in ev.facts["plain_http"]}
    assert set(plain) == {"port 80", "declared target"}
    assert plain["port 80"]["url"] == "http://localhost/" and plain["port 80"]["state"] in ("not_listening", "unreachable")
    served = plain["declared target"]
    assert served["url"] == f"http://localhost:{weak.http_port}/" and served["state"] == "no_redirect" and served["status"] == 200
    assert ev.facts["ports_scanned"] == "8080,8443"


def test_wrong_scheme_is_an_error_page_not_a_site(servers: Tuple[NginxServer, NginxServer]) -> None:
    """http:// to an HTTPS port: nginx answers 400 to every request, which is not the site."""
    hardened = servers[1]
    ev = web_evidence(f"http://127.0.0.1:{hardened.https_port}/")
    assert ev.status is EvidenceStatus.OK, ev.reason
    final = ev.facts["final"]
    assert final["state"] == "error_page" and final["status"] == 400
    assert "every response had an error status (400)" in final["error"] and "use an https:// URL" in final["error"]
    assert ev.facts["exposed"]["found"] == [] and ev.facts["directory_listing"]["found"] == []
