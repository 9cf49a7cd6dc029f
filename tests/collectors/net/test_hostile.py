"""Every probe against hostile loopback servers: each ends by its deadline, with a reason naming the endpoint.

The servers (``tests.servers.hostile``) trickle, stall a TLS handshake, redirect
for ever, send 64 MiB of headers or a gzip bomb, put terminal escapes in every
recorded header, or speak the wrong protocol. Timeouts are short: ``TIMEOUT``
per operation, ``BUDGET`` per collector run (``NetContext.budget``).
"""

from __future__ import annotations

import contextlib
import json
import socket
import ssl
import threading
import time
import tracemalloc
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence

import pytest

from collectors.budget import Budget
from collectors.evidence import ErrorReason, Evidence, EvidenceStatus, ProbeSource
from collectors.net.http_client import MAX_HEAD_BYTES, HttpClientError, request
from collectors.net.registry import NetContext, all_net_collectors, run_net_collector
from collectors.net.scope import parse_scope
from collectors.net.web import MAX_REDIRECTS
from tests.servers import certs, hostile
from tests.servers.hostile import HOSTILE, SECRET, HostileServer

TIMEOUT = 1.0  # each operation
BUDGET = 2.5  # each collector run
SLACK = 0.5  # scheduling, evidence building


def run(
    name: str,
    target: str,
    *,
    options: Optional[Mapping[str, Any]] = None,
    timeout: float = TIMEOUT,
    budget: float = BUDGET,
    progress: Optional[Callable[[str], None]] = None,
) -> Evidence:
    scope = parse_scope([target])
    ctx = NetContext(scope, False, timeout_s=timeout, options=dict(options or {}), progress=progress, budget=Budget(budget))
    return run_net_collector(all_net_collectors()[name], ctx, scope.targets[0])


def timed(fn: Callable[[], Evidence]) -> tuple[Evidence, float]:
    started = time.monotonic()
    ev = fn()
    return ev, time.monotonic() - started


def allow(address: str) -> None:
    return None


def facts_text(ev: Evidence) -> str:
    return json.dumps(ev.to_json())


# --------------------------------------------------------------------------- trickle on every probed port


# What each service starts to say, one byte every 0.2 s: a plausible beginning that never completes.
TRICKLES = {
    "modbus": b"\x00\x01\x00\x00\x00\x20\x01\x2b\x0e",
    "s7": b"\x03\x00\x00\x16\x11\xd0\x00\x00",
    "enip": b"\x63\x00\x40\x00" + b"\x00" * 24,
    "opcua": b"ACKF\x1c\x00\x00\x00\x00\x00",
    "redis": b"+PONG-but-never-ending",
    "elasticsearch": b"HTTP/1.1 200 OK\r\nX-Slow: zzzz",
    "kafka": b"\x00\x00\x01\x00\x00\x00\x00\x01",
}


def _trickle_all(names: Sequence[str]) -> Dict[str, HostileServer]:
    return {n: HostileServer(hostile.trickle(TRICKLES[n], interval=0.2)) for n in names}


@pytest.mark.parametrize(
    ("collector", "scheme", "behaviour", "stalled"),
    [
        ("web.http", "http", hostile.trickle(), "reading the status line"),
        ("web.http", "https", hostile.tls_trickle(), "in the TLS handshake"),
        ("telematics.ota", "http", hostile.trickle(), "reading the status line"),
        ("tls.endpoint", "https", hostile.tls_trickle(), "the TLS handshake (probe)"),
        ("tls.endpoint", "https", hostile.tls_never_finishes(), "the TLS handshake (probe)"),
        ("web.http", "https", hostile.tls_never_finishes(), "in the TLS handshake"),
    ],
    ids=["web-http", "web-https", "ota", "tls-trickle", "tls-never-finishes", "web-tls-never-finishes"],
)
def test_trickling_url_is_a_timeout_naming_the_endpoint(collector: str, scheme: str, behaviour: hostile.Behaviour, stalled: str) -> None:
    with HostileServer(behaviour) as srv:
        ev, elapsed = timed(lambda: run(collector, srv.url(scheme)))
    assert elapsed < TIMEOUT + SLACK, elapsed
    assert ev.status is EvidenceStatus.ERROR and ev.error_reason is ErrorReason.TIMEOUT, ev.reason
    assert f"127.0.0.1:{srv.port}" in (ev.reason or "") and stalled in (ev.reason or ""), ev.reason
    assert "deadline" in (ev.reason or "")


def test_trickling_mqtt_broker_is_a_timeout() -> None:
    with HostileServer(hostile.trickle(b"\x20\x02\x00\x00", interval=0.4)) as plain:
        ev, elapsed = timed(lambda: run("mqtt.broker", "127.0.0.1", options={"mqtt_ports": {"mqtt": plain.port, "mqtts": None}}))
    assert elapsed < TIMEOUT + SLACK
    assert ev.status is EvidenceStatus.ERROR and ev.error_reason is ErrorReason.TIMEOUT, ev.reason
    assert f"127.0.0.1:{plain.port}" in (ev.reason or "") and "CONNACK" in (ev.reason or "")


def test_trickling_mqtts_handshake_is_a_timeout() -> None:
    with HostileServer(hostile.tls_trickle()) as tls:
        ev, elapsed = timed(lambda: run("mqtt.broker", "127.0.0.1", options={"mqtt_ports": {"mqtt": None, "mqtts": tls.port}}))
    assert elapsed < TIMEOUT + SLACK
    assert ev.status is EvidenceStatus.ERROR and ev.error_reason is ErrorReason.TIMEOUT, ev.reason
    assert f"127.0.0.1:{tls.port}: in the TLS handshake" in (ev.reason or "")


def test_trickling_industrial_ports_end_with_the_collector_budget() -> None:
    """Four protocols, each trickling: one timeout each would be 4 s; the collector's budget ends it at 2.5 s."""
    servers = _trickle_all(("modbus", "s7", "enip", "opcua"))
    ports = {n: s.port for n, s in servers.items()}
    try:
        options = {"ics_ports": ports, "ics_protocols": list(ports), "min_interval_ms": 10}
        ev, elapsed = timed(lambda: run("ics.identify", "127.0.0.1", options=options))
    finally:
        for s in servers.values():
            s.stop()
    assert elapsed < BUDGET + SLACK, elapsed
    assert ev.status is EvidenceStatus.ERROR, ev.reason
    reason = ev.reason or ""
    for proto, port in ports.items():
        assert f"{proto} {port}: 127.0.0.1:{port}" in reason, reason
    assert "time budget exceeded" in reason


def test_trickling_backends_end_with_the_collector_budget() -> None:
    servers = _trickle_all(("redis", "elasticsearch", "kafka"))
    ports = {n: s.port for n, s in servers.items()}
    try:
        ev, elapsed = timed(lambda: run("telematics.backends", "127.0.0.1", options={"backend_ports": ports}))
    finally:
        for s in servers.values():
            s.stop()
    assert elapsed < BUDGET + SLACK, elapsed
    assert ev.status is EvidenceStatus.ERROR and ev.error_reason is ErrorReason.TIMEOUT, ev.reason
    reason = ev.reason or ""
    assert f"127.0.0.1:{ports['redis']}" in reason and "time budget exceeded" in reason


def _tls_then_trickle(pair: certs.CertPair) -> hostile.Behaviour:
    """The first connection gets a real handshake; every later one a trickle."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(pair.cert, pair.key)
    seen = {"n": 0}
    lock = threading.Lock()
    trickle = hostile.tls_trickle()

    def behave(conn: Any, stop: threading.Event) -> None:
        if not conn._conn.recv(1, socket.MSG_PEEK):
            return  # a bare connect (the probe choosing its address), not a handshake
        with lock:
            seen["n"] += 1
            first = seen["n"] == 1
        if not first:
            trickle(conn, stop)
            return
        with ctx.wrap_socket(conn._conn, server_side=True) as tls:
            tls.recv(1)

    return behave


def test_tls_probe_stops_after_its_handshakes_stall(tmp_path: Path) -> None:
    """Fifteen handshakes against a server that stalls all but the first: two timeouts, not fifteen."""
    pair = certs.self_signed(tmp_path)
    with HostileServer(_tls_then_trickle(pair)) as srv:
        ev, elapsed = timed(lambda: run("tls.endpoint", srv.url("https"), budget=10.0))
    assert elapsed < 2 * TIMEOUT + SLACK, elapsed
    assert ev.status is EvidenceStatus.OK, ev.reason
    f = ev.facts
    entries = [f["negotiated"], *f["protocols"].values(), *f["weak_ciphers"].values(), *f["medium_ciphers"].values(), f["dh"], f["chain"]]
    reasons = [str(e.get("reason") or e.get("error") or "") for e in entries]
    stalled = [r for r in reasons if "did not finish within the deadline" in r]
    skipped = [r for r in reasons if "not attempted" in r]
    assert len(stalled) == 2 and stalled[0].startswith(f"127.0.0.1:{srv.port}: the TLS handshake (default)"), reasons
    assert all(r.startswith(f"127.0.0.1:{srv.port}: ") for r in skipped) and len(skipped) >= 10, reasons
    assert f["chain"]["status"] == "error" and "not attempted" in f["chain"]["reason"]
    assert srv.connections <= 4  # the pick, the first handshake, two stalls


def test_tls_probe_ends_with_its_budget(tmp_path: Path) -> None:
    """The same server with a budget shorter than two timeouts: the budget ends the run, and says so."""
    pair = certs.self_signed(tmp_path)
    with HostileServer(_tls_then_trickle(pair)) as srv:
        ev, elapsed = timed(lambda: run("tls.endpoint", srv.url("https"), budget=1.5))
    assert elapsed < 1.5 + SLACK, elapsed
    assert ev.status is EvidenceStatus.OK, ev.reason
    assert f"127.0.0.1:{srv.port}: time budget exceeded while the TLS handshake" in facts_text(ev)


def test_raw_hello_reads_end_by_the_deadline() -> None:
    """``16 03 03 40 00`` then a byte every 0.2 s: the hand-built ClientHello's read ends at the deadline."""
    from collectors.net.registry import NetProbe
    from collectors.net.tls import WEAK_CLASSES, _Conn

    with HostileServer(hostile.tls_trickle()) as srv:
        scope = parse_scope([srv.url("https")])
        conn = _Conn(NetProbe(NetContext(scope, False, timeout_s=TIMEOUT)), scope.targets[0])
        started = time.monotonic()
        status, suite, reason = conn.raw_hello(WEAK_CLASSES["RC4"][1])
        elapsed = time.monotonic() - started
    assert (status, suite) == ("error", None)
    assert f"127.0.0.1:{srv.port}" in reason and "raw ClientHello" in reason and "deadline" in reason
    assert elapsed < TIMEOUT + 0.3


# --------------------------------------------------------------------------- HTTP: redirects, size, encodings


def test_endless_redirects_end_with_a_reason_and_keep_no_secret() -> None:
    said: List[str] = []
    with HostileServer(hostile.endless_redirects()) as srv:
        ev, elapsed = timed(lambda: run("web.http", srv.url(), progress=said.append))
    assert elapsed < 2.0
    assert ev.status is EvidenceStatus.OK, ev.reason
    final = ev.facts["final"]
    assert final["state"] == "too_many_redirects"
    assert srv.url() in final["error"] and f"more than {MAX_REDIRECTS} redirects" in final["error"]
    hops = ev.facts["redirects"]
    assert len(hops) == MAX_REDIRECTS + 1 and all(h["in_scope"] for h in hops)
    assert [h["followed"] for h in hops] == [True] * MAX_REDIRECTS + [False]
    assert hops[1]["to"] == f"http://127.0.0.1:{srv.port}/r/2"  # user info, ;jsessionid, query and fragment dropped
    everything = facts_text(ev) + "\n".join(said)
    assert SECRET not in everything and "sid=" not in everything


def test_huge_headers_are_refused_after_64_kib() -> None:
    with HostileServer(hostile.huge_headers()) as srv:
        started = time.monotonic()
        with pytest.raises(HttpClientError) as info:
            request(allow, "http", "127.0.0.1", srv.port, "/", timeout_s=TIMEOUT)
        assert time.monotonic() - started < TIMEOUT
        ev = run("web.http", srv.url())
    assert info.value.kind == HttpClientError.HEAD_TOO_LONG and f"exceed {MAX_HEAD_BYTES} bytes" in info.value.message
    assert ev.status is EvidenceStatus.ERROR and ev.error_reason is ErrorReason.MALFORMED
    assert f"127.0.0.1:{srv.port}" in (ev.reason or "")


def test_gzip_bomb_is_inflated_only_up_to_the_body_limit() -> None:
    with HostileServer(hostile.gzip_bomb()) as srv:  # the bomb is built before measuring
        tracemalloc.start()
        try:
            resp = request(allow, "http", "127.0.0.1", srv.port, "/", timeout_s=TIMEOUT, body_limit=4096)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        ev = run("web.http", srv.url())
    assert resp.encoding == "gzip" and resp.body == b"\0" * 4096 and resp.body_truncated
    assert peak < 2 * 1024 * 1024, peak  # 64 MiB on inflation; at most the compressed read and the limit
    assert ev.status is EvidenceStatus.OK, ev.reason


def test_gzip_listing_is_seen_through_its_encoding() -> None:
    with HostileServer(hostile.gzip_page()) as srv:
        resp = request(allow, "http", "127.0.0.1", srv.port, "/files/", timeout_s=TIMEOUT)
        ev = run("web.http", srv.url(), budget=3.0, timeout=0.5)
    assert resp.body == hostile.LISTING_PAGE and not resp.body_truncated
    assert ev.status is EvidenceStatus.OK, ev.reason
    assert {"path": "/", "marker": "index-of-title"} in ev.facts["directory_listing"]["found"]


# --------------------------------------------------------------------------- escape sequences are data


def test_escape_sequences_in_every_recorded_header_reach_the_facts_as_data() -> None:
    said: List[str] = []
    with HostileServer(hostile.escape_headers()) as srv:
        ev = run("web.http", srv.url(), progress=said.append, budget=4.0, timeout=0.5)
    assert ev.status is EvidenceStatus.OK, ev.reason
    f = ev.facts
    h, d = f["headers"], f["disclosure"]
    for value in (h["x_frame_options"], h["x_content_type_options"], h["referrer_policy"], d["server"], d["x_powered_by"]):
        assert value == HOSTILE
    assert d["x_aspnet_version"] == HOSTILE and d["x_aspnetmvc_version"] == HOSTILE
    assert f["cookies"][0]["name"] == HOSTILE.split(";")[0] and f["cookies"][0]["samesite"] == "invalid"
    assert h["hsts"]["present"] and h["hsts"]["max_age"] is None and not h["hsts"]["valid"]
    assert h["csp"]["present"] and not h["csp"]["script_restricted"]
    assert f["cors"]["allow_origin"] == "fixed"
    assert all("\x1b" not in line and "\x07" not in line for line in said), said


def test_escape_sequences_in_a_redirect_never_reach_the_terminal() -> None:
    said: List[str] = []
    location = f"http://10.255.255.1/{HOSTILE}?sid={SECRET}"
    with HostileServer(hostile.escape_headers("302 Found", location)) as srv:
        ev = run("web.http", srv.url(), progress=said.append, budget=4.0, timeout=0.5)
    assert ev.status is EvidenceStatus.OK, ev.reason
    (hop,) = ev.facts["redirects"]
    assert hop["in_scope"] is False and hop["to"].startswith("http://10.255.255.1/")
    assert SECRET not in facts_text(ev)
    shown = [line for line in said if "outside the scope" in line]
    assert shown and all("\x1b" not in line and "\x07" not in line and SECRET not in line for line in said)
    assert "\\u001b" in shown[0]  # escaped, not dropped: the reader sees that something was there


def test_every_progress_line_is_sanitised() -> None:
    said: List[str] = []
    ctx = NetContext(parse_scope(["127.0.0.1"]), False, progress=said.append)
    assert ctx.progress is not None
    ctx.progress("web: \x1b]0;pwned\x07 \u202eevil\nnext")
    assert said == ["web: \\u001b]0;pwned\\u0007 \\u202eevil\\nnext"]


# --------------------------------------------------------------------------- a wrong protocol on every probed port


@pytest.mark.parametrize(
    ("collector", "scheme", "kind", "words", "reason"),
    [
        ("web.http", "http", "ssh", "reply is not HTTP", ErrorReason.MALFORMED),
        ("web.http", "https", "http", "TLS handshake failed", ErrorReason.MALFORMED),
        ("tls.endpoint", "https", "http", "does not speak TLS", ErrorReason.MALFORMED),
        ("tls.endpoint", "https", "noise", "TLS handshake failed", ErrorReason.MALFORMED),
        ("telematics.ota", "http", "noise", "reply is not HTTP", ErrorReason.MALFORMED),
    ],
)
def test_wrong_protocol_on_a_url_port(collector: str, scheme: str, kind: str, words: str, reason: ErrorReason) -> None:
    with HostileServer(hostile.wrong_protocol(kind)) as srv:
        ev, elapsed = timed(lambda: run(collector, srv.url(scheme)))
    assert elapsed < TIMEOUT + SLACK
    assert ev.status is EvidenceStatus.ERROR and ev.error_reason is reason, ev.reason
    assert words in (ev.reason or "") and f"127.0.0.1:{srv.port}" in (ev.reason or "")


def test_wrong_protocol_on_every_host_port() -> None:
    """MQTT, the industrial protocols and the backends each meet an HTTP server or an SSH banner."""
    servers: Dict[str, HostileServer] = {
        name: HostileServer(hostile.wrong_protocol(kind))
        for name, kind in (
            ("mqtt", "http"),
            ("mqtts", "http"),
            ("modbus", "http"),
            ("s7", "ssh"),
            ("enip", "http"),
            ("opcua", "ssh"),
            ("redis", "http"),
            ("elasticsearch", "ssh"),
            ("kafka", "http"),
        )
    }
    try:
        port = {n: s.port for n, s in servers.items()}
        mqtt_ev, t_mqtt = timed(lambda: run("mqtt.broker", "127.0.0.1", options={"mqtt_ports": {"mqtt": port["mqtt"], "mqtts": port["mqtts"]}}))
        ics_ports = {p: port[p] for p in ("modbus", "s7", "enip", "opcua")}
        ics_ev, t_ics = timed(
            lambda: run("ics.identify", "127.0.0.1", options={"ics_ports": ics_ports, "ics_protocols": list(ics_ports), "min_interval_ms": 10})
        )
        backend_ports = {p: port[p] for p in ("redis", "elasticsearch", "kafka")}
        be_ev, t_be = timed(lambda: run("telematics.backends", "127.0.0.1", options={"backend_ports": backend_ports}))
    finally:
        for s in servers.values():
            s.stop()
    assert max(t_mqtt, t_ics, t_be) < TIMEOUT + SLACK, (t_mqtt, t_ics, t_be)
    assert mqtt_ev.status is EvidenceStatus.ERROR, mqtt_ev.reason
    assert f"127.0.0.1:{port['mqtt']}: reply is not an MQTT CONNACK" in (mqtt_ev.reason or "")
    assert f"127.0.0.1:{port['mqtts']}: TLS handshake failed" in (mqtt_ev.reason or "")
    assert ics_ev.status is EvidenceStatus.OK, ics_ev.reason
    states = {p: r["state"] for p, r in ics_ev.facts["protocols"].items()}
    assert set(states.values()) == {"not_this_protocol"}, ics_ev.facts["protocols"]
    assert all("\x1b" not in r["reason"] for r in ics_ev.facts["protocols"].values())
    assert be_ev.status is EvidenceStatus.ERROR, be_ev.reason
    services = be_ev.reason or ""
    assert f"127.0.0.1:{port['redis']}: reply to PING is not Redis protocol" in services
    assert "reply is not HTTP" in services and f"127.0.0.1:{port['kafka']}" in services


# --------------------------------------------------------------------------- provenance stays clean


def test_sources_of_a_redirect_chain_hold_no_query_strings() -> None:
    with HostileServer(hostile.endless_redirects()) as srv:
        ev = run("web.http", srv.url(), budget=3.0, timeout=0.5)
    endpoints = [s.endpoint for s in ev.sources if isinstance(s, ProbeSource)]
    assert endpoints and all("?" not in e and "#" not in e and ";" not in e for e in endpoints), endpoints



# --------------------------------------------------------------------------- nmap


def test_nmap_host_timeout_comes_from_the_collector_budget() -> None:
    """A port that accepts and never speaks holds nmap's version detection; the budget, not 120 s, ends it.

    nmap waits about 6 s on a silent port before its host timeout can act, so under a 3 s budget it is the
    process deadline that stops it; either way the reason says that the budget ran out.
    """
    from tests.servers import tcp

    with tcp.serve(tcp._drain) as ports:
        scope = parse_scope(["127.0.0.1"])
        ctx = NetContext(scope, privileged=False, ports=tcp.port_spec(ports), budget=Budget(3.0))
        ev, elapsed = timed(lambda: run_net_collector(all_net_collectors()["net.ports"], ctx, scope.targets[0]))
    assert elapsed < 3.0 + SLACK, elapsed
    assert ev.status is EvidenceStatus.ERROR and ev.error_reason is ErrorReason.TIMEOUT, ev.reason
    reason = ev.reason or ""
    assert "nmap gave up on 127.0.0.1 after its host timeout of" in reason or "nmap scan of 127.0.0.1 did not finish within" in reason
    assert "time budget exceeded" in reason


def test_a_hung_nmap_is_killed_at_the_collector_deadline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """An nmap that never ends (here a stand-in that sleeps) is killed when the budget runs out."""
    import os

    import nmap

    pid_file = tmp_path / "pid"
    fake = tmp_path / "nmap"
    fake.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = "-V" ]; then echo "Nmap version 7.93 ( https://nmap.org )"; exit 0; fi\n'
        f"echo $$ > {pid_file}\n"
        "exec sleep 30\n"
    )
    fake.chmod(0o755)
    real_init = nmap.PortScanner.__init__
    monkeypatch.setattr(nmap.PortScanner, "__init__", lambda self: real_init(self, nmap_search_path=(str(fake),)))
    scope = parse_scope(["127.0.0.1"])
    ctx = NetContext(scope, privileged=False, ports="9", budget=Budget(2.0))
    ev, elapsed = timed(lambda: run_net_collector(all_net_collectors()["net.ports"], ctx, scope.targets[0]))
    assert elapsed < 2.0 + SLACK, elapsed
    assert ev.status is EvidenceStatus.ERROR and ev.error_reason is ErrorReason.TIMEOUT, ev.reason
    assert "nmap scan of 127.0.0.1 did not finish within" in (ev.reason or "") and "time budget exceeded" in (ev.reason or "")
    pid = int(pid_file.read_text())
    stat = Path(f"/proc/{pid}/stat")

    def gone() -> bool:  # SIGKILL is delivered asynchronously: dead means a zombie or no process at all
        with contextlib.suppress(FileNotFoundError):
            return stat.read_text().split(") ", 1)[1].startswith(("Z", "X"))
        return True

    deadline = time.monotonic() + 2.0
    while not gone() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert gone(), "the stand-in nmap is still running"
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
