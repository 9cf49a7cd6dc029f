"""The deadline-bounded HTTP client against real nginx and against misbehaving servers."""

from __future__ import annotations

import time
from typing import Iterator

import pytest

from collectors.evidence import CollectError, ErrorReason
from collectors.net.http_client import MAX_HEADERS, HttpClientError, request
from tests.servers.broken_http import OK_BODY, BrokenHttpServer
from tests.servers.nginx import NginxServer, free_port, start_nginx


def _allow(host: str) -> None:
    return None


@pytest.fixture(scope="module")
def weak(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NginxServer]:
    with start_nginx(tmp_path_factory.mktemp("client"), "weak") as srv:
        yield srv


def test_get_over_https_against_nginx_keeps_headers_and_body(weak: NginxServer) -> None:
    resp = request(_allow, "https", "127.0.0.1", weak.https_port, "/", timeout_s=3)
    assert resp.status == 200 and resp.reason == "OK"
    assert resp.header("server") == "nginx/1.22.1"
    assert resp.body.startswith(b"<!doctype html>")
    assert not resp.body_truncated


def test_head_has_no_body_and_chunked_listing_is_decoded(weak: NginxServer) -> None:
    head = request(_allow, "http", "127.0.0.1", weak.http_port, "/", method="HEAD", timeout_s=3)
    assert head.status == 200 and head.body == b""
    listing = request(_allow, "http", "127.0.0.1", weak.http_port, "/files/", timeout_s=3)
    assert listing.header("Transfer-Encoding") == "chunked"
    assert b"Index of /files/" in listing.body and b"notes.txt" in listing.body and listing.body.rstrip().endswith(b"</html>")


def test_body_is_capped(weak: NginxServer) -> None:
    resp = request(_allow, "http", "127.0.0.1", weak.http_port, "/backup.zip", timeout_s=3, body_limit=16)
    assert len(resp.body) == 16 and resp.body_truncated


def test_duplicate_headers_and_chunked_body_from_python_server() -> None:
    with BrokenHttpServer("ok") as srv:
        resp = request(_allow, "http", "127.0.0.1", srv.port, "/", timeout_s=3)
    assert resp.header_all("Set-Cookie") == ["a=1; Secure", "b=2; HttpOnly"]
    assert resp.body == OK_BODY


def test_guard_runs_before_any_connection() -> None:
    def deny(host: str) -> None:
        raise CollectError(ErrorReason.UNSUPPORTED, f"{host} is outside the declared scope; not probed")

    with BrokenHttpServer("ok") as srv:
        with pytest.raises(CollectError, match="outside the declared scope"):
            request(deny, "http", "127.0.0.1", srv.port, "/", timeout_s=1)
        time.sleep(0.3)
        assert srv.accepted == 0


@pytest.mark.parametrize(
    ("mode", "scheme", "timeout", "kind", "words"),
    [
        ("bad_status", "http", 2.0, HttpClientError.BAD_STATUS, "not HTTP"),
        ("endless_headers", "http", 2.0, HttpClientError.TOO_MANY_HEADERS, f"more than {MAX_HEADERS} header"),
        ("long_header", "http", 2.0, HttpClientError.HEAD_TOO_LONG, "exceed"),
        ("trickle", "http", 2.0, HttpClientError.DEADLINE, "deadline"),
        ("silent", "http", 1.0, HttpClientError.DEADLINE, "deadline"),
        ("close", "http", 2.0, HttpClientError.CLOSED, "closed the connection before sending a status line"),
        ("plain_on_tls", "https", 2.0, HttpClientError.TLS, "TLS handshake failed"),
    ],
)
def test_misbehaving_server_gives_typed_error_within_deadline(
    mode: str, scheme: str, timeout: float, kind: str, words: str
) -> None:
    with BrokenHttpServer(mode) as srv:
        started = time.monotonic()
        with pytest.raises(HttpClientError) as info:
            request(_allow, scheme, "127.0.0.1", srv.port, "/", timeout_s=timeout)
        elapsed = time.monotonic() - started
    assert elapsed < timeout + 1
    assert info.value.kind == kind, info.value.message
    assert words in info.value.message
    assert f"127.0.0.1:{srv.port}" in info.value.message


def test_trickle_is_cut_by_the_overall_deadline_not_per_read() -> None:
    """One byte every 0.2 s never trips a per-read timeout of 1 s; the overall deadline still ends it."""
    with BrokenHttpServer("trickle", trickle_interval=0.2) as srv:
        started = time.monotonic()
        with pytest.raises(HttpClientError) as info:
            request(_allow, "http", "127.0.0.1", srv.port, "/", timeout_s=1.0)
        assert time.monotonic() - started < 2.0
    assert info.value.error_reason is ErrorReason.TIMEOUT


def test_refused_port() -> None:
    port = free_port()
    with pytest.raises(HttpClientError) as info:
        request(_allow, "http", "127.0.0.1", port, "/", timeout_s=1)
    assert info.value.kind == HttpClientError.REFUSED
    assert info.value.to_collect_error().reason is ErrorReason.NOT_FOUND


def test_request_refuses_unsafe_input() -> None:
    with pytest.raises(ValueError):
        request(_allow, "ftp", "127.0.0.1", 21, "/")
    with pytest.raises(ValueError):
        request(_allow, "http", "127.0.0.1", 80, "/x\r\nInjected: 1")
    with pytest.raises(ValueError):
        request(_allow, "http", "127.0.0.1", 80, "/", method="POST")
