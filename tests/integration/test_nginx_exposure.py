"""Acceptance: a weak and a hardened real nginx on loopback, through the public scan API.

The findings of every TLS and WEB check must differ exactly as the two configurations do.
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Tuple

import pytest

from agent.pipeline import assess
from agent.settings import Settings
from checks.catalogue import all_checks
from collectors.net.tls import EXTRA_CA_ENV
from collectors.profile import Profile
from tests.servers.nginx import NginxServer, start_nginx

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
WEB_IDS = tuple(cid for cid in all_checks() if cid.startswith("WEB-"))
P, F, NA = "pass", "fail", "not_applicable"


def https(srv: NginxServer) -> str:
    return f"https://localhost:{srv.https_port}/"  # the certificates name localhost


def http(srv: NginxServer) -> str:
    return f"http://localhost:{srv.http_port}/"


def scan(tmp_path: Path, urls: List[str]) -> Dict[Tuple[str, str], str]:
    report = assess(Settings(profile=Profile.WEBSITE, targets=tuple(urls), sign=False))
    return {(str(f.target), f.check_id): f.status.value for f in report.findings if f.check_id[:4] in ("TLS-", "WEB-")}


def web(target: str, status: str, **exceptions: str) -> Dict[Tuple[str, str], str]:
    """Every WEB check on ``target`` has ``status`` unless named in ``exceptions``."""
    return {(target, cid): exceptions.get(cid.replace("-", "_"), status) for cid in WEB_IDS}


def expect(target: str, **statuses: str) -> Dict[Tuple[str, str], str]:
    return {(target, cid): statuses[cid.replace("-", "_")] for cid in TLS_IDS}


def na(target: str) -> Dict[Tuple[str, str], str]:
    return {(target, cid): NA for cid in TLS_IDS}


def test_weak_nginx(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert len(WEB_IDS) >= 14, WEB_IDS  # checks/net/web.py is registered
    monkeypatch.delenv(EXTRA_CA_ENV, raising=False)
    with start_nginx(tmp_path / "a", "weak") as expired, start_nginx(tmp_path / "b", "weak", cert="rsa1024_sha1") as weak:
        got = scan(tmp_path, [https(expired), http(expired), https(weak)])
    legacy = {"TLS_PROTO_001": F, "TLS_PROTO_002": P, "TLS_CIPH_001": P, "TLS_CERT_004": P, "TLS_CERT_005": F}
    want = {
        # self-signed P-256 certificate that expired 30 days ago, TLS 1.0-1.2
        **expect(https(expired), **legacy, TLS_CERT_001=F, TLS_CERT_002=P, TLS_CERT_003=P),
        # self-signed RSA-1024 / SHA-1 certificate, currently valid
        **expect(https(weak), **legacy, TLS_CERT_001=P, TLS_CERT_002=F, TLS_CERT_003=F),
        **na(http(expired)),
        # every web weakness shows on both schemes; the https URL alone cannot know of the plain port
        **web(https(expired), F, WEB_HTTPS_001=P),
        **web(https(weak), F, WEB_HTTPS_001=P),
        **web(http(expired), F),
    }
    assert got == want


def test_hardened_nginx(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with start_nginx(tmp_path, "hardened") as srv:
        assert srv.ca_cert is not None
        monkeypatch.setenv(EXTRA_CA_ENV, str(srv.ca_cert))
        got = scan(tmp_path, [https(srv), http(srv)])
    assert got == {**{(https(srv), cid): P for cid in TLS_IDS}, **na(http(srv)), **web(https(srv), P), **web(http(srv), P)}
