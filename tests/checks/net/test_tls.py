"""Every TLS check PASSes and FAILs against real TLS servers on 127.0.0.1."""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import Any, Dict, Mapping, Optional, Sequence

import pytest

from checks.catalogue import all_checks
from checks.model import Severity, Status
from checks.registry import EvidenceView, evaluate_one
from collectors.evidence import Evidence, EvidenceStatus
from tests.collectors.net.test_tls import probe_tls
from tests.servers import certs as nginx_certs
from tests.servers.tls_servers import MODERN_CIPHERS, CertSet, Pem, TLSServer, make_certs

TLS_IDS = (
    "TLS-CERT-001",
    "TLS-CERT-002",
    "TLS-CERT-003",
    "TLS-CERT-004",
    "TLS-CERT-005",
    "TLS-CIPH-001",
    "TLS-CIPH-002",
    "TLS-CIPH-003",
    "TLS-CIPH-004",
    "TLS-CIPH-005",
    "TLS-PROTO-001",
    "TLS-PROTO-002",
)


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> CertSet:
    return make_certs(tmp_path_factory.mktemp("tls-check-certs"))


def judge(ev: Evidence, params: Optional[Mapping[str, Mapping[str, Any]]] = None) -> Dict[str, Status]:
    view = EvidenceView([ev])
    params = params or {}
    return {cid: evaluate_one(all_checks()[cid], view, params.get(cid)).status for cid in TLS_IDS}


def statuses(
    pem: Pem, params: Optional[Mapping[str, Mapping[str, Any]]] = None, ca_files: Sequence[Path] = (), **server: Any
) -> Dict[str, Status]:
    with TLSServer(pem, **server) as srv:
        ev = probe_tls(srv.url(), ca_files=ca_files)
    assert ev.status is EvidenceStatus.OK, ev.reason
    return judge(ev, params)


def test_ids_registered() -> None:
    mine = sorted(c for c in all_checks() if c.startswith("TLS-"))
    assert tuple(mine) == TLS_IDS
    for cid in mine:
        meta = all_checks()[cid].meta
        assert meta.level == "endpoint" and meta.profiles == ("website", "server") and meta.needs == ("tls.endpoint",)
        assert meta.title.zh and meta.title.en and meta.remediation.zh and meta.remediation.en


def test_severities_follow_mozilla_guidance() -> None:
    """Broken outright (even Mozilla "old" drops it) is HIGH; what only "old" keeps for ancient clients is MEDIUM."""
    sev = {cid: all_checks()[cid].meta.severity for cid in TLS_IDS}
    assert sev["TLS-CIPH-001"] is Severity.CRITICAL  # no encryption or no authentication at all
    assert sev["TLS-CIPH-005"] is Severity.HIGH and sev["TLS-PROTO-001"] is Severity.HIGH
    assert {sev["TLS-CIPH-002"], sev["TLS-CIPH-003"], sev["TLS-CIPH-004"]} == {Severity.MEDIUM}


def test_good_server_passes_everything(certs: CertSet) -> None:
    assert statuses(certs.good, ca_files=[certs.ca.cert], ciphers=MODERN_CIPHERS) == {cid: Status.PASS for cid in TLS_IDS}


def test_legacy_server_fails_protocols_ciphers_key_and_signature(certs: CertSet) -> None:
    got = statuses(
        certs.weak, ca_files=[certs.ca.cert], lo=ssl.TLSVersion.TLSv1, hi=ssl.TLSVersion.TLSv1_1, ciphers="ALL:eNULL:@SECLEVEL=0"
    )
    assert got == {
        "TLS-PROTO-001": Status.FAIL,
        "TLS-PROTO-002": Status.FAIL,
        "TLS-CIPH-001": Status.FAIL,
        "TLS-CIPH-005": Status.PASS,  # this OpenSSL build offers no RC4, DES or 3DES even at SECLEVEL=0
        "TLS-CIPH-002": Status.FAIL,  # ALL offers CBC suites
        "TLS-CIPH-003": Status.FAIL,  # and RSA key exchange
        "TLS-CIPH-004": Status.PASS,  # no DH parameters are loaded, so no DHE suite is accepted
        "TLS-CERT-001": Status.PASS,
        "TLS-CERT-002": Status.FAIL,
        "TLS-CERT-003": Status.FAIL,
        "TLS-CERT-004": Status.PASS,
        "TLS-CERT-005": Status.PASS,  # CA-signed: trust is judged apart from key and hash strength
    }


def test_weak_ciphers_on_modern_protocols_fail(certs: CertSet) -> None:
    got = statuses(certs.ec256, ciphers="ALL:@SECLEVEL=0")
    assert got["TLS-CIPH-001"] is Status.FAIL and got["TLS-PROTO-001"] is Status.PASS


@pytest.mark.parametrize(
    ("ciphers", "failed"),
    [
        ("ECDHE-RSA-AES128-SHA:ECDHE-RSA-AES256-SHA384", "TLS-CIPH-002"),
        ("AES128-GCM-SHA256:AES256-GCM-SHA384", "TLS-CIPH-003"),
        ("DHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0", "TLS-CIPH-004"),
    ],
)
def test_each_dated_class_fails_its_own_check(certs: CertSet, tmp_path: Path, ciphers: str, failed: str) -> None:
    dh = nginx_certs.dh_params(tmp_path, 1024) if failed == "TLS-CIPH-004" else None
    got = statuses(certs.good, ca_files=[certs.ca.cert], hi=ssl.TLSVersion.TLSv1_2, ciphers=ciphers, dhparams=dh)
    assert {cid for cid, st in got.items() if st is not Status.PASS} == {failed}, got
    assert got[failed] is Status.FAIL


def test_dhe_over_2048_bits_passes(certs: CertSet, tmp_path: Path) -> None:
    dh = nginx_certs.dh_params(tmp_path, 2048)
    got = statuses(certs.good, hi=ssl.TLSVersion.TLSv1_2, ciphers="DHE-RSA-AES128-GCM-SHA256", dhparams=dh)
    assert got["TLS-CIPH-004"] is Status.PASS


def test_expired_certificate_fails(certs: CertSet) -> None:
    got = statuses(certs.expired, ca_files=[certs.ca.cert])
    assert got["TLS-CERT-001"] is Status.FAIL and got["TLS-CERT-005"] is Status.FAIL  # OpenSSL: certificate has expired


def test_expiring_within_threshold_fails(certs: CertSet) -> None:
    assert statuses(certs.good, {"TLS-CERT-001": {"warn_days": 400}})["TLS-CERT-001"] is Status.FAIL


def test_wrong_host_fails(certs: CertSet) -> None:
    got = statuses(certs.wrong_host, ca_files=[certs.ca.cert])
    assert got["TLS-CERT-004"] is Status.FAIL and got["TLS-CERT-005"] is Status.PASS


def test_self_signed_and_untrusted_fail(certs: CertSet) -> None:
    assert statuses(certs.self_signed, ca_files=[certs.ca.cert])["TLS-CERT-005"] is Status.FAIL
    assert statuses(certs.good)["TLS-CERT-005"] is Status.FAIL


def test_trusted_sha1_self_signed_certificate_fails(tmp_path: Path) -> None:
    """The certificate itself given as a CA file: the chain verifies, but it is still self-signed."""
    pair = nginx_certs.rsa1024_sha1(tmp_path)
    with TLSServer(Pem(pair.cert, pair.key), ciphers="DEFAULT:@SECLEVEL=0") as srv:
        ev = probe_tls(srv.url(), ca_files=[pair.cert])
    finding = evaluate_one(all_checks()["TLS-CERT-005"], EvidenceView([ev]))
    assert finding.status is Status.FAIL and finding.reason == "self-signed certificate explicitly trusted"
    assert finding.observed["self_signed"] is True


def _with(ev: Evidence, **facts: Any) -> Evidence:
    return Evidence(ev.collector, ev.target, ev.status, {**ev.facts, **facts}, ev.sources)


def test_untestable_is_manual_never_pass(certs: CertSet) -> None:
    with TLSServer(certs.good, ciphers=MODERN_CIPHERS) as srv:
        ev = probe_tls(srv.url())
    protocols = dict(ev.facts["protocols"])
    protocols["TLSv1"] = {"status": "untestable", "reason": "the local OpenSSL cannot offer TLSv1"}
    weak = dict(ev.facts["weak_ciphers"])
    weak["RC4"] = {"status": "untestable", "reason": "no RC4 locally"}
    medium = {"CBC": {"status": "untestable", "reason": "no CBC locally"}, "static-RSA": {"status": "error", "reason": "timeout"}}
    got = judge(_with(ev, protocols=protocols, weak_ciphers=weak, medium_ciphers=medium, dh={"status": "error", "reason": "timeout"}))
    assert got["TLS-PROTO-001"] is Status.MANUAL and got["TLS-CIPH-005"] is Status.MANUAL
    assert got["TLS-CIPH-002"] is Status.MANUAL and got["TLS-CIPH-003"] is Status.MANUAL
    assert got["TLS-CIPH-004"] is Status.ERROR


def test_self_signed_unknown_with_a_valid_chain_is_manual(certs: CertSet) -> None:
    with TLSServer(certs.good, ciphers=MODERN_CIPHERS) as srv:
        ev = probe_tls(srv.url(), ca_files=[certs.ca.cert])
    cert = dict(ev.facts["certificate"], self_signed=None, self_signed_basis="issuer equals subject; the signature could not be checked")
    assert judge(_with(ev, certificate=cert))["TLS-CERT-005"] is Status.MANUAL


def test_failed_collection_is_error() -> None:
    ev = Evidence("tls.endpoint", "https://127.0.0.1:1/", EvidenceStatus.ERROR, {}, (), "cannot connect")
    assert set(judge(ev).values()) == {Status.ERROR}
