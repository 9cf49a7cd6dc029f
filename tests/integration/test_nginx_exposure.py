"""Acceptance: weak and hardened real nginx on loopback, through the public scan API.

The findings of every TLS and WEB check must differ exactly as the configurations do:
the weak site, its dated-TLS variants (CBC only, static RSA only, DHE over a 1024-bit
group) with their self-signed SHA-1 certificate trusted through ``ca_files``, the
hardened site with its private CA given the same way, and a host-form target whose
web servers only the port scan knows of.
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Sequence, Tuple

from agent.pipeline import assess
from agent.settings import Settings
from checks.catalogue import all_checks
from collectors.profile import Profile
from report.model import Report
from tests.servers.nginx import NginxServer, start_nginx

TLS_IDS = tuple(cid for cid in all_checks() if cid.startswith("TLS-"))
WEB_IDS = tuple(cid for cid in all_checks() if cid.startswith("WEB-"))
P, F, NA = "pass", "fail", "not_applicable"


def https(srv: NginxServer) -> str:
    return f"https://localhost:{srv.https_port}/"  # the certificates name localhost


def http(srv: NginxServer) -> str:
    return f"http://localhost:{srv.http_port}/"


def run(targets: Sequence[str], ca_files: Sequence[Path] = (), ports: str | None = None) -> Report:
    return assess(Settings(profile=Profile.WEBSITE, targets=tuple(targets), ca_files=tuple(ca_files), ports=ports, sign=False))


def statuses(report: Report) -> Dict[Tuple[str, str], str]:
    return {(str(f.target), f.check_id): f.status.value for f in report.findings if f.check_id[:4] in ("TLS-", "WEB-")}


def scan(urls: List[str], ca_files: Sequence[Path] = ()) -> Dict[Tuple[str, str], str]:
    return statuses(run(urls, ca_files))


def web(target: str, status: str, **exceptions: str) -> Dict[Tuple[str, str], str]:
    """Every WEB check on ``target`` has ``status`` unless named in ``exceptions``."""
    return {(target, cid): exceptions.get(cid.replace("-", "_"), status) for cid in WEB_IDS}


def expect(target: str, status: str = P, **statuses: str) -> Dict[Tuple[str, str], str]:
    """Every TLS check on ``target`` has ``status`` unless named."""
    return {(target, cid): statuses.get(cid.replace("-", "_"), status) for cid in TLS_IDS}


def na(target: str) -> Dict[Tuple[str, str], str]:
    return {(target, cid): NA for cid in TLS_IDS}


def test_catalogue_under_test() -> None:
    assert len(WEB_IDS) >= 14, WEB_IDS  # checks/net/web.py is registered
    assert {"TLS-CIPH-002", "TLS-CIPH-003", "TLS-CIPH-004"} <= set(TLS_IDS)


def test_weak_nginx(tmp_path: Path) -> None:
    with start_nginx(tmp_path / "a", "weak") as expired, start_nginx(tmp_path / "b", "weak", cert="rsa1024_sha1") as weak:
        got = scan([https(expired), http(expired), https(weak)])
    legacy = {"TLS_PROTO_001": F, "TLS_CIPH_002": F, "TLS_CERT_005": F}  # TLS 1.0-1.2 with OpenSSL's DEFAULT suites
    want = {
        # self-signed P-256 certificate that expired 30 days ago: no RSA key, so no static RSA
        **expect(https(expired), **legacy, TLS_CERT_001=F),
        # self-signed RSA-1024 / SHA-1 certificate, currently valid; DEFAULT includes RSA key exchange
        **expect(https(weak), **legacy, TLS_CIPH_003=F, TLS_CERT_002=F, TLS_CERT_003=F),
        **na(http(expired)),
        # an https URL is judged on every plain-HTTP port of its host the scan knows: both sites are on
        # localhost, and the first one's plain port serves content
        **web(https(expired), F),
        **web(https(weak), F),
        **web(http(expired), F),
    }
    assert got == want


def test_weak_tls_variants_fail_their_checks(tmp_path: Path) -> None:
    """CBC-only, static-RSA-only and DH-1024 sites, each certificate (self-signed, SHA-1) trusted as its own CA."""
    with (
        start_nginx(tmp_path / "cbc", "weak", tls="cbc") as cbc,
        start_nginx(tmp_path / "rsa", "weak", tls="static_rsa") as rsa,
        start_nginx(tmp_path / "dh", "weak", tls="dh1024") as dh,
    ):
        got = scan([https(cbc), https(rsa), https(dh)], ca_files=[cbc.cert, rsa.cert, dh.cert])
    tls = {(t, c): s for (t, c), s in got.items() if c.startswith("TLS-")}
    weak_cert = {"TLS_CERT_002": F, "TLS_CERT_003": F, "TLS_CERT_005": F}  # RSA-1024, SHA-1, self-signed though trusted
    assert tls == {
        **expect(https(cbc), **weak_cert, TLS_PROTO_001=F, TLS_CIPH_002=F),  # ECDHE-CBC suites exist in TLS 1.0 too
        **expect(https(rsa), **weak_cert, TLS_CIPH_003=F),  # RSA-GCM only: TLS 1.2 only
        **expect(https(dh), **weak_cert, TLS_CIPH_004=F),  # DHE-GCM over RFC 2409 group 2
    }


def test_hardened_nginx(tmp_path: Path) -> None:
    with start_nginx(tmp_path, "hardened") as srv:
        assert srv.ca_cert is not None
        got = scan([https(srv), http(srv)], ca_files=[srv.ca_cert])
    assert got == {**expect(https(srv)), **na(http(srv)), **web(https(srv), P), **web(http(srv), P)}


def test_host_target_assesses_the_web_servers_its_port_scan_finds(tmp_path: Path) -> None:
    """--target 127.0.0.1 --ports HTTP,HTTPS: each web server found becomes a URL target, and the report verifies."""
    from report.rederive import recheck

    with start_nginx(tmp_path, "weak", cert="rsa1024_sha1") as srv:
        report = run(["127.0.0.1"], ports=f"{srv.http_port},{srv.https_port}")
    plain, tls = f"http://127.0.0.1:{srv.http_port}/", f"https://127.0.0.1:{srv.https_port}/"
    declared, *found = report.provenance.scope.targets  # found in port order
    assert declared == "127.0.0.1" and sorted(found) == sorted([plain, tls])
    got = statuses(report)
    assert got[(tls, "TLS-CERT-002")] == F and got[(tls, "TLS-PROTO-001")] == F
    assert got[(plain, "WEB-EXP-002")] == F and got[(tls, "WEB-EXP-002")] == F
    assert got[(tls, "WEB-HTTPS-001")] == F  # the plain port the scan found serves the site
    ports = next(e for e in report.evidence if e.collector == "net.ports")
    assert {w["url"] for w in ports.facts["web_endpoints"]} == {plain, tls}
    assert recheck(report) == []
