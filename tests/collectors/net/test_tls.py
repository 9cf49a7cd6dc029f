"""tls.endpoint against real TLS servers on 127.0.0.1 (certificates made by the test)."""

from __future__ import annotations

import datetime as dt
import ssl
import time
from pathlib import Path
from typing import Iterator, Sequence

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from collectors.evidence import Evidence, EvidenceStatus
from collectors.net.registry import NetContext, NetProbe, all_net_collectors, run_net_collector
from collectors.net.scope import parse_scope
from collectors.net.tls import MEDIUM_CLASSES, WEAK_CLASSES, _Conn, self_signed
from tests.servers import certs as nginx_certs
from tests.servers.tls_servers import (
    MODERN_CIPHERS,
    CertSet,
    GarbageServer,
    Pem,
    PlainServer,
    SilentServer,
    TLSServer,
    TrickleServer,
    Weak3DESServer,
    make_certs,
)

TIMEOUT = 1.0


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> CertSet:
    return make_certs(tmp_path_factory.mktemp("tls-certs"))


def probe_tls(url: str, timeout: float = TIMEOUT, ca_files: Sequence[Path] = ()) -> Evidence:
    scope = parse_scope([url])
    options = {"ca_files": [str(p) for p in ca_files]} if ca_files else {}
    ctx = NetContext(scope, False, timeout_s=timeout, options=options)
    return run_net_collector(all_net_collectors()["tls.endpoint"], ctx, scope.targets[0])


def _conn(url: str) -> _Conn:
    scope = parse_scope([url])
    return _Conn(NetProbe(NetContext(scope, False, timeout_s=TIMEOUT)), scope.targets[0])


@pytest.fixture
def good(certs: CertSet) -> Iterator[TLSServer]:
    with TLSServer(certs.good, ciphers=MODERN_CIPHERS) as srv:
        yield srv


def test_good_server_facts(good: TLSServer, certs: CertSet) -> None:
    ev = probe_tls(good.url(), ca_files=[certs.ca.cert])
    assert ev.status is EvidenceStatus.OK, ev.reason
    f = ev.facts
    assert {k: v["status"] for k, v in f["protocols"].items()} == {
        "TLSv1": "refused",
        "TLSv1.1": "refused",
        "TLSv1.2": "accepted",
        "TLSv1.3": "accepted",
    }
    assert all(v["status"] == "refused" for v in f["weak_ciphers"].values())
    assert {k: v["status"] for k, v in f["medium_ciphers"].items()} == {"CBC": "refused", "static-RSA": "refused"}
    assert f["dh"]["status"] == "refused"
    assert f["negotiated"]["protocol"] == "TLSv1.3"
    cert = f["certificate"]
    assert cert["subject_cn"] == "localhost" and cert["san_dns"] == ["localhost"] and cert["san_ip"] == ["127.0.0.1"]
    assert cert["key"] == {"type": "RSA", "bits": 2048} and cert["signature_hash"] == "sha256"
    assert cert["self_signed"] is False and cert["hostname_match"] is True and 360 <= cert["days_to_expiry"] <= 365
    assert cert["self_signed_basis"] == "the issuer differs from the subject"
    chain = f["chain"]
    assert chain["status"] == "valid" and chain["store"] == "system + 1 CA file(s)"
    assert [(c["path"], c["certificates"]) for c in chain["ca_files"]] == [(str(certs.ca.cert), 1)]
    assert len(chain["ca_files"][0]["sha256"]) == 64
    assert all(isinstance(v, int) for v in (f["port"], cert["days_to_expiry"]))
    assert any(getattr(s, "protocol", None) == "tls:verify" for s in ev.sources)


def test_chain_without_extra_ca_is_untrusted(good: TLSServer) -> None:
    chain = probe_tls(good.url()).facts["chain"]
    assert chain["status"] == "invalid" and chain["verify_code"] == 20 and chain["ca_files"] == []


def test_unreadable_or_non_pem_ca_file_is_a_chain_error(good: TLSServer, certs: CertSet, tmp_path: Path) -> None:
    missing = tmp_path / "missing.pem"
    chain = probe_tls(good.url(), ca_files=[missing]).facts["chain"]
    assert chain["status"] == "error" and str(missing) in chain["reason"]
    chain = probe_tls(good.url(), ca_files=[certs.ca.key]).facts["chain"]
    assert chain["status"] == "error" and "is not PEM certificates" in chain["reason"]


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


def test_cbc_and_static_rsa_are_offered_alone(certs: CertSet) -> None:
    """Each class is asked for on its own: CBC with ECDHE is not static RSA, RSA-GCM is not CBC."""
    cases = {
        "ECDHE-RSA-AES128-SHA": {"CBC": "accepted", "static-RSA": "refused"},
        "AES128-GCM-SHA256": {"CBC": "refused", "static-RSA": "accepted"},
        "AES256-SHA256": {"CBC": "accepted", "static-RSA": "accepted"},
    }
    for ciphers, want in cases.items():
        with TLSServer(certs.good, hi=ssl.TLSVersion.TLSv1_2, ciphers=ciphers) as srv:
            medium = probe_tls(srv.url()).facts["medium_ciphers"]
        assert {k: v["status"] for k, v in medium.items()} == want, ciphers
        accepted = [v for v in medium.values() if v["status"] == "accepted"]
        assert all(v["cipher"] == ciphers and v["method"] == "openssl" for v in accepted)
    assert set(MEDIUM_CLASSES) == {"CBC", "static-RSA"}


@pytest.mark.parametrize("bits", [1024, 2048])
def test_dh_group_size_is_read_from_the_server_key_exchange(certs: CertSet, tmp_path: Path, bits: int) -> None:
    params = nginx_certs.dh_params(tmp_path, bits)
    with TLSServer(certs.good, ciphers="DHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0", dhparams=params) as srv:
        ev = probe_tls(srv.url())
    dh = ev.facts["dh"]
    assert dh == {"status": "accepted", "method": "raw-hello", "suite": "0x009E", "protocol": "TLSv1.2", "bits": bits}
    assert any(getattr(s, "protocol", None) == "tls:raw-hello:dhe" for s in ev.sources)


def test_sha1_self_signed_certificate_is_self_signed(tmp_path: Path) -> None:
    """cryptography refuses to verify SHA-1 signatures in verify_directly_issued_by; the probe must not read that as "not self-signed"."""
    pair = nginx_certs.rsa1024_sha1(tmp_path)
    with TLSServer(Pem(pair.cert, pair.key), ciphers="DEFAULT:@SECLEVEL=0") as srv:
        f = probe_tls(srv.url(), ca_files=[pair.cert]).facts
    cert = f["certificate"]
    assert cert["signature_hash"] == "sha1" and cert["self_signed"] is True
    assert "verifies with the certificate's own key" in cert["self_signed_basis"]
    assert f["chain"]["status"] == "valid"  # trusted directly through --ca-file


def _cert(subject_key: ec.EllipticCurvePrivateKey, signer: ec.EllipticCurvePrivateKey, *, aki_of: object = None) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "same name")])
    now = dt.datetime.now(dt.timezone.utc)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(subject_key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(subject_key.public_key()), critical=False)
    )
    if aki_of is not None:
        builder = builder.add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(aki_of), critical=False)  # type: ignore[arg-type]
    return builder.sign(signer, hashes.SHA256())


def test_self_issued_by_another_key_is_not_self_signed() -> None:
    mine, other = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    assert self_signed(_cert(mine, mine)) == (True, "issuer equals subject and the signature verifies with the certificate's own key")
    verdict, basis = self_signed(_cert(mine, other))
    assert verdict is False and "own key did not make its signature" in basis
    verdict, basis = self_signed(_cert(mine, other, aki_of=other.public_key()))
    assert verdict is False and "authority key identifier names another key" in basis


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
        conn = _conn(srv.url())
        assert conn.raw_hello(WEAK_CLASSES["3DES"][1]) == ("accepted", 0x000A, "")
        assert conn.raw_hello(WEAK_CLASSES["RC4"][1])[0] == "refused"
        assert conn.dh_group()["status"] == "refused"


def test_raw_hello_has_one_deadline_for_a_trickling_server() -> None:
    """A server that sends one byte at a time never completes a record: the raw read stops at the deadline."""
    with TrickleServer() as srv:
        conn = _conn(srv.url())
        started = time.monotonic()
        status, suite, reason = conn.raw_hello(WEAK_CLASSES["3DES"][1])
        elapsed = time.monotonic() - started
    assert (status, suite) == ("error", None) and "within" in reason
    assert elapsed < TIMEOUT + 0.5


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
