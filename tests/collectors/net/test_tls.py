"""tls.endpoint against real TLS servers on 127.0.0.1 (certificates made by the test)."""

from __future__ import annotations

import ssl
import time
from pathlib import Path
from typing import Iterator

import pytest

from collectors.evidence import Evidence, EvidenceStatus
from collectors.net.registry import NetContext, NetProbe, all_net_collectors, run_net_collector
from collectors.net.scope import parse_scope
from collectors.net.tls import EXTRA_CA_ENV, WEAK_CLASSES, _Conn
from tests.servers.tls_servers import (
    CertSet,
    GarbageServer,
    PlainServer,
    SilentServer,
    TLSServer,
    Weak3DESServer,
    make_certs,
)

TIMEOUT = 1.0


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> CertSet:
    return make_certs(tmp_path_factory.mktemp("tls-certs"))


def probe_tls(url: str, timeout: float = TIMEOUT) -> Evidence:
    scope = parse_scope([url])
    return run_net_collector(all_net_collectors()["tls.endpoint"], NetContext(scope, False, timeout_s=timeout), scope.targets[0])


@pytest.fixture
def good(certs: CertSet) -> Iterator[TLSServer]:
    with TLSServer(certs.good) as srv:
        yield srv


def test_good_server_facts(good: TLSServer, certs: CertSet, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(EXTRA_CA_ENV, str(certs.ca.cert))
    ev = probe_tls(good.url())
    assert ev.status is EvidenceStatus.OK, ev.reason
    f = ev.facts
    assert {k: v["status"] for k, v in f["protocols"].items()} == {
        "TLSv1": "refused",
        "TLSv1.1": "refused",
        "TLSv1.2": "accepted",
        "TLSv1.3": "accepted",
    }
    assert all(v["status"] == "refused" for v in f["weak_ciphers"].values())
    assert f["negotiated"]["protocol"] == "TLSv1.3"
    cert = f["certificate"]
    assert cert["subject_cn"] == "localhost" and cert["san_dns"] == ["localhost"] and cert["san_ip"] == ["127.0.0.1"]
    assert cert["key"] == {"type": "RSA", "bits": 2048} and cert["signature_hash"] == "sha256"
    assert cert["self_signed"] is False and cert["hostname_match"] is True and 360 <= cert["days_to_expiry"] <= 365
    assert f["chain"]["status"] == "valid"
    assert all(isinstance(v, int) for v in (f["port"], cert["days_to_expiry"]))
    assert any(getattr(s, "protocol", None) == "tls:verify" for s in ev.sources)


def test_chain_without_extra_ca_is_untrusted(good: TLSServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(EXTRA_CA_ENV, raising=False)
    chain = probe_tls(good.url()).facts["chain"]
    assert chain["status"] == "invalid" and chain["verify_code"] == 20


def test_unreadable_extra_ca_is_a_chain_error(good: TLSServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(EXTRA_CA_ENV, str(tmp_path / "missing.pem"))
    chain = probe_tls(good.url()).facts["chain"]
    assert chain["status"] == "error" and EXTRA_CA_ENV in chain["reason"]


def test_legacy_weak_server(certs: CertSet) -> None:
    srv = TLSServer(certs.weak, lo=ssl.TLSVersion.TLSv1, hi=ssl.TLSVersion.TLSv1_1, ciphers="ALL:eNULL:@SECLEVEL=0")
    with srv:
        f = probe_tls(srv.url()).facts
    assert f["protocols"]["TLSv1"]["status"] == "accepted" and f["protocols"]["TLSv1.1"]["status"] == "accepted"
    assert f["protocols"]["TLSv1.2"]["status"] == "refused"
    assert f["weak_ciphers"]["NULL"]["status"] == "accepted" and "NULL" in f["weak_ciphers"]["NULL"]["cipher"]
    assert f["weak_ciphers"]["aNULL"]["status"] == "accepted"
    assert f["certificate"]["key"] == {"type": "RSA", "bits": 1024} and f["certificate"]["signature_hash"] == "sha1"
    assert "error" in f["negotiated"]  # a default client refuses TLS 1.1


def test_ec_self_signed_wrong_host_expired(certs: CertSet) -> None:
    for pem, key in ((certs.ec256, "ec"), (certs.self_signed, "self"), (certs.wrong_host, "wrong"), (certs.expired, "expired")):
        with TLSServer(pem) as srv:
            cert = probe_tls(srv.url()).facts["certificate"]
        if key == "ec":
            assert cert["key"] == {"type": "EC", "bits": 256, "curve": "secp256r1"}
        if key == "self":
            assert cert["self_signed"] is True and cert["issuer"] == cert["subject"]
        if key == "wrong":
            assert cert["hostname_match"] is False and cert["san_dns"] == ["other.example"]
        if key == "expired":
            assert cert["days_to_expiry"] < 0


def test_ip_url_matches_ip_san(good: TLSServer) -> None:
    assert probe_tls(good.url("127.0.0.1")).facts["certificate"]["hostname_match"] is True


def test_raw_hello_sees_a_3des_server() -> None:
    """The local OpenSSL cannot offer 3DES; the hand-built ClientHello still finds a server that picks it."""
    with Weak3DESServer() as srv:
        scope = parse_scope([srv.url()])
        conn = _Conn(NetProbe(NetContext(scope, False, timeout_s=TIMEOUT)), scope.targets[0])
        assert conn.raw_hello(WEAK_CLASSES["3DES"][1]) == ("accepted", 0x000A, "")
        assert conn.raw_hello(WEAK_CLASSES["RC4"][1])[0] == "refused"


def test_plain_text_port_is_an_error() -> None:
    with PlainServer() as srv:
        ev = probe_tls(srv.url())
    assert ev.status is EvidenceStatus.ERROR
    assert "wrong version number (the port does not speak TLS)" in (ev.reason or "")


def test_silent_server_times_out_within_the_deadline() -> None:
    with SilentServer() as srv:
        t0 = time.monotonic()
        ev = probe_tls(srv.url(), timeout=0.5)
    assert ev.status is EvidenceStatus.ERROR and ev.error_reason is not None and ev.error_reason.value == "timeout"
    assert time.monotonic() - t0 < 2


def test_garbage_is_an_error_not_a_crash() -> None:
    with GarbageServer() as srv:
        ev = probe_tls(srv.url())
    assert ev.status is EvidenceStatus.ERROR and ev.error_reason is not None and ev.error_reason.value == "malformed"


def test_http_url_is_not_applicable() -> None:
    ev = probe_tls("http://127.0.0.1:9/")
    assert ev.status is EvidenceStatus.NOT_APPLICABLE


def test_closed_port_is_an_error() -> None:
    with SilentServer() as srv:
        port = srv.port
    ev = probe_tls(f"https://127.0.0.1:{port}/")
    assert ev.status is EvidenceStatus.ERROR and "cannot connect" in (ev.reason or "")


def test_out_of_scope_address_is_refused(good: TLSServer) -> None:
    scope = parse_scope(["https://127.0.0.2:1/"])
    target = parse_scope([good.url()]).targets[0]
    ev = run_net_collector(all_net_collectors()["tls.endpoint"], NetContext(scope, False, timeout_s=TIMEOUT), target)
    assert ev.status is EvidenceStatus.ERROR and "outside the declared scope" in (ev.reason or "")
    assert ev.sources == ()
