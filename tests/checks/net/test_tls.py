"""Every TLS check PASSes and FAILs against real TLS servers on 127.0.0.1."""

from __future__ import annotations

import ssl
from typing import Any, Dict, Mapping, Optional

import pytest

from checks.catalogue import all_checks
from checks.model import Status
from checks.registry import EvidenceView, evaluate_one
from collectors.evidence import Evidence, EvidenceStatus
from collectors.net.tls import EXTRA_CA_ENV
from tests.collectors.net.test_tls import probe_tls
from tests.servers.tls_servers import CertSet, Pem, TLSServer, make_certs

TLS_IDS = (
    "TLS-CERT-001",
    "TLS-CERT-002",
    "TLS-CERT-003",
    "TLS-CERT-004",
    "TLS-CERT-005",
    "TLS-CIPH-001",
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


def statuses(pem: Pem, params: Optional[Mapping[str, Mapping[str, Any]]] = None, **server: Any) -> Dict[str, Status]:
    with TLSServer(pem, **server) as srv:
        ev = probe_tls(srv.url())
    assert ev.status is EvidenceStatus.OK, ev.reason
    return judge(ev, params)


def test_ids_registered() -> None:
    mine = sorted(c for c in all_checks() if c.startswith("TLS-"))
    assert tuple(mine) == TLS_IDS
    for cid in mine:
        meta = all_checks()[cid].meta
        assert meta.level == "endpoint" and meta.profiles == ("website", "server") and meta.needs == ("tls.endpoint",)


def test_good_server_passes_everything(certs: CertSet, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(EXTRA_CA_ENV, str(certs.ca.cert))
    assert statuses(certs.good) == {cid: Status.PASS for cid in TLS_IDS}


def test_legacy_server_fails_protocols_ciphers_key_and_signature(certs: CertSet, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(EXTRA_CA_ENV, str(certs.ca.cert))
    got = statuses(certs.weak, lo=ssl.TLSVersion.TLSv1, hi=ssl.TLSVersion.TLSv1_1, ciphers="ALL:eNULL:@SECLEVEL=0")
    assert got == {
        "TLS-PROTO-001": Status.FAIL,
        "TLS-PROTO-002": Status.FAIL,
        "TLS-CIPH-001": Status.FAIL,
        "TLS-CERT-001": Status.PASS,
        "TLS-CERT-002": Status.FAIL,
        "TLS-CERT-003": Status.FAIL,
        "TLS-CERT-004": Status.PASS,
        "TLS-CERT-005": Status.PASS,  # CA-signed: trust is judged apart from key and hash strength
    }


def test_weak_ciphers_on_modern_protocols_fail(certs: CertSet) -> None:
    got = statuses(certs.ec256, ciphers="ALL:@SECLEVEL=0")
    assert got["TLS-CIPH-001"] is Status.FAIL and got["TLS-PROTO-001"] is Status.PASS


def test_expired_certificate_fails(certs: CertSet, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(EXTRA_CA_ENV, str(certs.ca.cert))
    got = statuses(certs.expired)
    assert got["TLS-CERT-001"] is Status.FAIL and got["TLS-CERT-005"] is Status.FAIL  # OpenSSL: certificate has expired


def test_expiring_within_threshold_fails(certs: CertSet) -> None:
    assert statuses(certs.good, {"TLS-CERT-001": {"warn_days": 400}})["TLS-CERT-001"] is Status.FAIL


def test_wrong_host_fails(certs: CertSet, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(EXTRA_CA_ENV, str(certs.ca.cert))
    got = statuses(certs.wrong_host)
    assert got["TLS-CERT-004"] is Status.FAIL and got["TLS-CERT-005"] is Status.PASS


def test_self_signed_and_untrusted_fail(certs: CertSet, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(EXTRA_CA_ENV, str(certs.ca.cert))
    assert statuses(certs.self_signed)["TLS-CERT-005"] is Status.FAIL
    monkeypatch.delenv(EXTRA_CA_ENV)
    assert statuses(certs.good)["TLS-CERT-005"] is Status.FAIL


def _with(ev: Evidence, **facts: Any) -> Evidence:
    return Evidence(ev.collector, ev.target, ev.status, {**ev.facts, **facts}, ev.sources)


def test_untestable_is_manual_never_pass(certs: CertSet) -> None:
    with TLSServer(certs.good) as srv:
        ev = probe_tls(srv.url())
    protocols = dict(ev.facts["protocols"])
    protocols["TLSv1"] = {"status": "untestable", "reason": "the local OpenSSL cannot offer TLSv1"}
    weak = dict(ev.facts["weak_ciphers"])
    weak["RC4"] = {"status": "untestable", "reason": "no RC4 locally"}
    got = judge(_with(ev, protocols=protocols, weak_ciphers=weak))
    assert got["TLS-PROTO-001"] is Status.MANUAL and got["TLS-CIPH-001"] is Status.MANUAL


def test_failed_collection_is_error() -> None:
    ev = Evidence("tls.endpoint", "https://127.0.0.1:1/", EvidenceStatus.ERROR, {}, (), "cannot connect")
    assert set(judge(ev).values()) == {Status.ERROR}
