"""End to end over HTTPS on loopback: ``riskagent serve`` (gunicorn, TLS from a test CA) on SQLite and PostgreSQL.

The service, its database, tokens and staff are set up with the real commands
(``serve db upgrade``, ``serve token add``, ``serve user add``, ``serve token
staff``); requests go through ``requests`` with the test CA, as an agent's
would.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, List, Tuple

import pytest
import requests

from agent.intake import migrate
from tests.agent.intake.conftest import ACME, BETA, Site
from tests.agent.intake.postgres import Cluster
from tests.servers.certs import ca_and_leaf

RISKAGENT = [sys.executable, "-m", "agent.cli"]
RATE_LIMIT = 15


def cli(*args: str, env: Dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*RISKAGENT, *args], capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL, env={**os.environ, **(env or {})}, timeout=120)


@dataclass
class Service:
    base: str
    ca: Path
    tokens: Dict[str, str]
    db_url: str
    log: Path

    def post(self, data: bytes, token: str) -> requests.Response:
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/vnd.dsse.envelope+json"}
        return requests.post(f"{self.base}/api/v1/reports", data=data, headers=headers, verify=str(self.ca), timeout=60)

    def get(self, path: str, token: str | None, **params: str) -> requests.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return requests.get(f"{self.base}{path}", headers=headers, params=params, verify=str(self.ca), timeout=60)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _token(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 1 and lines[0].startswith("ra_"), result.stdout  # printed once, alone on stdout
    assert "shown once" in result.stderr
    return lines[0]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def service(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, site: Site) -> Iterator[Service]:
    d = tmp_path_factory.mktemp(f"serve-{request.param}")
    if request.param == "sqlite":
        url = f"sqlite:///{d / 'intake.db'}"
    else:
        cluster: Cluster = request.getfixturevalue("pg_cluster")
        url = cluster.create_database(f"e{uuid.uuid4().hex[:12]}")
    upgraded = cli("serve", "db", "upgrade", "--db", url)
    assert upgraded.returncode == 0 and f"database schema: empty -> {migrate.head()}" in upgraded.stdout, upgraded.stderr
    tokens = {
        "acme": _token(cli("serve", "token", "add", "acme", "--org-id", ACME, "--name", "Acme Ltd", "--db", url)),
        "beta": _token(cli("serve", "token", "add", "beta", "--org-id", BETA, "--db", url)),
        "ratey": _token(cli("serve", "token", "add", "ratey", "--db", url)),
    }
    added = cli("serve", "user", "add", "ana", "--role", "viewer", "--db", url, env={"RISKAGENT_PASSWORD": "correct horse battery"})
    assert added.returncode == 0, added.stderr
    tokens["staff"] = _token(cli("serve", "token", "staff", "ana", "--db", url))
    # The default connection handling (one connection at a time per process, with a deadline on each read and
    # write); the dashboard's browser test and the applications' test serve with threads (--threads 2).
    with serving(d, url, site, "--workers", "2", "--rate-limit", str(RATE_LIMIT), "--max-size", "1") as (base, ca, log):
        yield Service(base, ca, tokens, url, log)


@contextlib.contextmanager
def serving(d: Path, url: str, site: Site, *options: str) -> Iterator[Tuple[str, Path, Path]]:
    """``riskagent serve`` on a free loopback port until the block ends: (its base URL, the CA, its log)."""
    pair = ca_and_leaf(d / "tls")
    assert pair.ca_cert is not None
    port = _free_port()
    log = d / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [*RISKAGENT, "serve", "--db", url, "--trust", str(site.trust_path), "--cert", str(pair.cert), "--key", str(pair.key),
             "--listen", f"127.0.0.1:{port}", *options, "--monitor-every", "0", "--quiet"],
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
    base = f"https://localhost:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{base}/healthz", verify=str(pair.ca_cert), timeout=60).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert proc.poll() is None, log.read_text(errors="replace")
            assert time.monotonic() < deadline, log.read_text(errors="replace")
            time.sleep(0.2)
        yield base, pair.ca_cert, log
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)


def test_a_valid_report_is_verified_stored_and_readable_by_its_applicant(service: Service, site: Site) -> None:
    data = site.envelopes["acme-web-1"]
    reply = service.post(data, service.tokens["acme"])
    assert reply.status_code == 201, reply.text
    body = reply.json()
    assert body["status"] == "accepted" and body["result"] == "valid" and body["duplicate"] is False
    assert body["report"]["subject"] == "host:web-01" and body["signers"][0]["organisation_id"] == ACME
    assert body["message"]["zh"] == "报告已通过核验并受理"
    again = service.get(f"/api/v1/reports/{body['id']}", service.tokens["acme"])
    assert again.status_code == 200 and again.json()["envelope_sha256"] == body["envelope_sha256"]
    raw = service.get(f"/api/v1/reports/{body['id']}/envelope", service.tokens["acme"])
    assert raw.status_code == 200 and raw.content == data  # stored byte for byte
    assert service.get(f"/api/v1/reports/{body['id']}", service.tokens["beta"]).status_code == 404  # another applicant's


def test_the_same_bytes_twice_are_one_record(service: Service, site: Site) -> None:
    first = service.post(site.envelopes["beta-db-1"], service.tokens["beta"])
    second = service.post(site.envelopes["beta-db-1"], service.tokens["beta"])
    assert first.status_code == 201 and second.status_code == 200, (first.text, second.text)
    assert second.json()["id"] == first.json()["id"] and second.json()["duplicate"] is True
    listed = service.get("/api/v1/reports", service.tokens["beta"]).json()["reports"]
    assert [r["id"] for r in listed].count(first.json()["id"]) == 1


def test_a_forged_report_is_rejected_with_its_reason_and_kept_for_the_applicant(service: Service, site: Site) -> None:
    reply = service.post(site.envelopes["acme-forged"], service.tokens["acme"])
    assert reply.status_code == 201, reply.text
    body = reply.json()
    assert body["status"] == "rejected" and body["accepted"] is False and body["result"] == "invalid"
    assert "missing from the report (the evidence gives fail)" in body["reason"]
    assert "报告中缺少这项结果（证据给出的是 fail）" in body["reason_zh"] and len(body["problems_zh"]) == len(body["problems"])
    shown = service.get(f"/api/v1/reports/{body['id']}", service.tokens["acme"]).json()
    assert shown["status"] == "rejected" and shown["reason"] == body["reason"] and shown["problems"]


def test_tokens_are_required_and_checked(service: Service, site: Site) -> None:
    data = site.envelopes["acme-web-2"]
    assert service.post(data, "ra_" + "A" * 43).status_code == 401
    missing = requests.post(f"{service.base}/api/v1/reports", data=data, verify=str(service.ca), timeout=30)
    assert missing.status_code == 401 and missing.json()["error"] == "unauthorised" and missing.json()["message"]["zh"]
    assert service.post(data, service.tokens["staff"]).status_code == 403  # staff tokens do not submit
    assert service.get("/api/v1/portfolio", service.tokens["acme"]).status_code == 403  # applicants do not export


def test_an_oversize_body_is_refused_before_it_is_read(service: Service) -> None:
    reply = service.post(b"{" + b" " * (1024 * 1024), service.tokens["acme"])
    assert reply.status_code == 413 and reply.json()["error"] == "too_large"


def test_the_rate_limit_per_token(service: Service) -> None:
    token = service.tokens["ratey"]
    statuses = [service.get("/api/v1/reports", token).status_code for _ in range(RATE_LIMIT)]
    assert statuses == [200] * RATE_LIMIT
    refused = service.get("/api/v1/reports", token)
    assert refused.status_code == 429 and 1 <= int(refused.headers["Retry-After"]) <= 60
    assert service.get("/api/v1/reports", service.tokens["beta"]).status_code == 200  # other tokens unaffected


def test_exports_of_the_portfolio_and_of_one_applicant(service: Service, site: Site) -> None:
    for name in ("acme-web-1", "acme-forged"):  # the same bytes as other tests send: one record each, whatever ran first
        assert service.post(site.envelopes[name], service.tokens["acme"]).status_code in (200, 201)
    staff = service.tokens["staff"]
    portfolio = service.get("/api/v1/portfolio", staff).json()
    acme = next(a for a in portfolio["applicants"] if a["applicant"] == "acme")
    assert acme["display_name"] == "Acme Ltd" and acme["assets"] == 1 and acme["grade"] is not None
    as_csv = service.get("/api/v1/portfolio", staff, format="csv", lang="zh")
    assert as_csv.headers["Content-Type"].startswith("text/csv")
    rows: List[List[str]] = list(csv.reader(io.StringIO(as_csv.text)))
    assert rows[0][0] == "投保企业标识" and {r[0] for r in rows[1:]} >= {"acme", "beta", "ratey"}
    one = service.get("/api/v1/applicants/acme", staff).json()
    assert one["applicant"]["applicant"] == "acme" and {r["status"] for r in one["reports"]} == {"accepted", "rejected"}
    tasks = service.get("/api/v1/applicants/acme", staff, format="csv", table="tasks")
    assert tasks.status_code == 200 and tasks.text.splitlines()[0].startswith("Asset,Task,")
    assert service.get("/api/v1/applicants/nobody", staff).status_code == 404
    assert service.get("/api/v1/portfolio", staff, sort="nonsense").status_code == 400


def test_only_https_is_served(service: Service) -> None:
    with pytest.raises(requests.ConnectionError):
        requests.get(service.base.replace("https://", "http://") + "/healthz", timeout=10)


IO_TIMEOUT_S = 2


@pytest.mark.parametrize("stall", ["before the TLS handshake", "in the middle of a request body"])
def test_a_stalled_client_holds_a_process_only_until_its_read_deadline(tmp_path: Path, site: Site, stall: str) -> None:
    """One server process and a client that connects and then sends nothing more: the process gives up on it after
    --io-timeout and serves the next client (without the deadline it would wait for gunicorn's 120 s worker timeout)."""
    url = f"sqlite:///{tmp_path / 'intake.db'}"
    assert cli("serve", "db", "upgrade", "--db", url).returncode == 0
    with serving(tmp_path, url, site, "--workers", "1", "--io-timeout", str(IO_TIMEOUT_S)) as (base, ca, log):
        port = int(base.rsplit(":", 1)[1])
        raw = socket.create_connection(("127.0.0.1", port), timeout=30)
        try:
            if stall != "before the TLS handshake":
                raw = ssl.create_default_context(cafile=str(ca)).wrap_socket(raw, server_hostname="localhost")
                raw.sendall(b"POST /api/v1/reports HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100000\r\n\r\n{\"payload")
            time.sleep(0.3)  # the one process is now reading from the stalled client
            t0 = time.monotonic()
            reply = requests.get(f"{base}/healthz", verify=str(ca), timeout=IO_TIMEOUT_S * 10)
            waited = time.monotonic() - t0
        finally:
            raw.close()
        assert reply.status_code == 200
        assert IO_TIMEOUT_S * 0.5 <= waited < IO_TIMEOUT_S * 5, waited  # it waited for the deadline, and no longer
        logged = log.read_text(errors="replace")
    # no traceback: a hostile client must not fill the log with them. A stall in the headers (or the handshake) is one
    # line; one in the body is the request's 400 (werkzeug takes it for a disconnection), in the access log.
    assert "Traceback" not in logged, logged
    stalled_line = "a client sent no data within the read deadline (--io-timeout 2 s); connection closed"
    assert logged.count(stalled_line) == (1 if stall == "before the TLS handshake" else 0), logged
    assert "Control socket" not in logged  # nothing of the server written into the home directory


@pytest.mark.filterwarnings("ignore:ssl.TLSVersion.TLSv1_1 is deprecated:DeprecationWarning")
def test_tls_1_1_is_refused_on_every_connection_and_1_2_served(service: Service) -> None:
    """The process's TLS context is made once (see the next test): the minimum version holds for each connection."""
    port = int(service.base.rsplit(":", 1)[1])
    for _ in range(2):
        old = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        old.load_verify_locations(str(service.ca))
        old.minimum_version = old.maximum_version = ssl.TLSVersion.TLSv1_1
        old.set_ciphers("ALL:@SECLEVEL=0")
        with socket.create_connection(("127.0.0.1", port), timeout=30) as raw, pytest.raises(ssl.SSLError):
            old.wrap_socket(raw, server_hostname="localhost")
        current = ssl.create_default_context(cafile=str(service.ca))
        current.maximum_version = ssl.TLSVersion.TLSv1_2
        with socket.create_connection(("127.0.0.1", port), timeout=30) as raw, current.wrap_socket(raw, server_hostname="localhost") as tls:
            assert tls.version() == "TLSv1.2"


def test_the_tls_context_is_made_once_per_process_and_again_when_the_certificate_changes(tmp_path: Path) -> None:
    from types import SimpleNamespace

    from agent.intake.server import _tls12_or_newer

    first = ca_and_leaf(tmp_path / "one")
    config = SimpleNamespace(certfile=str(first.cert), keyfile=str(first.key))
    made: List[ssl.SSLContext] = []

    def factory() -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(config.certfile, config.keyfile)
        made.append(context)
        return context

    a, b = _tls12_or_newer(config, factory), _tls12_or_newer(config, factory)
    assert a is b and len(made) == 1 and a.minimum_version is ssl.TLSVersion.TLSv1_2
    second = ca_and_leaf(tmp_path / "two")  # the certificate renewed in place: same paths, new files
    Path(config.certfile).write_bytes(second.cert.read_bytes() + b"\n")
    Path(config.keyfile).write_bytes(second.key.read_bytes())
    c = _tls12_or_newer(config, factory)
    assert c is not a and len(made) == 2 and c.minimum_version is ssl.TLSVersion.TLSv1_2
