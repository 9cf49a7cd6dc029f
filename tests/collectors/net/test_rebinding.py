"""Probes connect only to the addresses the scope approved, whatever a resolver says later (DNS rebinding).

The scope reads ``rebind.test`` once and approves 127.0.0.1. After that, the
patched resolver answers 127.0.0.2 to every question, for names and address
literals alike. Each service listens on 127.0.0.1 and, on the same port
number, a decoy listens on 127.0.0.2: one connection to a decoy fails the
test. The name still reaches the servers, as the Host header and the TLS SNI.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
from pathlib import Path
from typing import Any, Dict, Iterator, List, Mapping, Optional, Tuple

import pytest

from collectors.evidence import Evidence, EvidenceStatus
from collectors.net.registry import NetContext, all_net_collectors, run_net_collector
from collectors.net.scope import parse_scope
from tests.servers import certs, hostile
from tests.servers.hostile import HostileServer

NAME = "rebind.test"
RIGHT, WRONG = "127.0.0.1", "127.0.0.2"


class Resolver:
    """``socket.getaddrinfo`` that answers 127.0.0.1 for the name once, and 127.0.0.2 to everything after."""

    def __init__(self) -> None:
        self.calls: List[str] = []

    def __call__(self, host: Any, port: Any, family: int = 0, type: int = 0, proto: int = 0, flags: int = 0) -> List[Any]:
        self.calls.append(str(host))
        address = RIGHT if len(self.calls) == 1 and host == NAME else WRONG
        numeric = int(port) if isinstance(port, (int, str)) and str(port).isdigit() else 0
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, numeric))]


def _pair(behaviour: hostile.Behaviour) -> Tuple[HostileServer, HostileServer]:
    """A server on 127.0.0.1 and a decoy on 127.0.0.2 with the same port number."""
    for _ in range(20):
        right = HostileServer(behaviour, RIGHT)
        try:
            return right, HostileServer(hostile.wrong_protocol("http"), WRONG, right.port)
        except OSError:
            right.stop()
    raise RuntimeError("no port free on both loopback addresses")


@contextlib.contextmanager
def pairs(**behaviours: hostile.Behaviour) -> Iterator[Dict[str, Tuple[HostileServer, HostileServer]]]:
    made: Dict[str, Tuple[HostileServer, HostileServer]] = {}
    try:
        for name, behaviour in behaviours.items():
            made[name] = _pair(behaviour)
        yield made
    finally:
        for right, decoy in made.values():
            right.stop()
            decoy.stop()


def _ok_page(conn: Any, stop: threading.Event) -> None:
    hostile.read_request(conn)
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 13\r\nConnection: close\r\n\r\n<html></html>")


def _tls_site(pair: certs.CertPair, sni: List[Optional[str]]) -> hostile.Behaviour:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(pair.cert, pair.key)

    def remember(sock: Any, name: Optional[str], _ctx: Any) -> None:
        sni.append(name)

    ctx.sni_callback = remember

    def behave(conn: Any, stop: threading.Event) -> None:
        if not conn._conn.recv(1, socket.MSG_PEEK):
            return
        with ctx.wrap_socket(conn._conn, server_side=True) as tls:
            tls.recv(4096)
            tls.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")

    return behave


def _connack_refused(conn: Any, stop: threading.Event) -> None:
    hostile.read_request(conn)
    conn.sendall(b"\x20\x02\x00\x05")  # CONNACK: not authorised
    stop.wait(1)


def _redis_noauth(conn: Any, stop: threading.Event) -> None:
    hostile.read_request(conn)
    conn.sendall(b"-NOAUTH Authentication required.\r\n")


def probe(monkeypatch: pytest.MonkeyPatch, collector: str, target: str, options: Optional[Mapping[str, Any]] = None) -> Evidence:
    """Read the scope through the lying resolver (first answer: 127.0.0.1), then run the collector with it still lying."""
    resolver = Resolver()
    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    scope = parse_scope([target])
    assert scope.targets[0].addresses == (RIGHT,) and resolver.calls == [NAME]
    ctx = NetContext(scope, False, timeout_s=1.0, options=dict(options or {}))
    return run_net_collector(all_net_collectors()[collector], ctx, scope.targets[0])


def test_every_probe_connects_only_to_the_approved_address(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    sni: List[Optional[str]] = []
    pair = certs.self_signed(tmp_path, NAME)
    behaviours = {
        "http": _ok_page,
        "https": _tls_site(pair, sni),
        "mqtt": _connack_refused,
        "redis": _redis_noauth,
        "modbus": hostile.wrong_protocol("http"),
    }
    with pairs(**behaviours) as s:
        port = {name: right.port for name, (right, _) in s.items()}
        evidence = {
            "web.http": probe(monkeypatch, "web.http", f"http://{NAME}:{port['http']}/"),
            "telematics.ota": probe(monkeypatch, "telematics.ota", f"http://{NAME}:{port['http']}/"),
            "tls.endpoint": probe(monkeypatch, "tls.endpoint", f"https://{NAME}:{port['https']}/"),
            "mqtt.broker": probe(monkeypatch, "mqtt.broker", NAME, {"mqtt_ports": {"mqtt": port["mqtt"], "mqtts": None}}),
            "telematics.backends": probe(monkeypatch, "telematics.backends", NAME, {"backend_ports": {"redis": port["redis"]}}),
            "ics.identify": probe(
                monkeypatch, "ics.identify", NAME, {"ics_ports": {"modbus": port["modbus"]}, "ics_protocols": ["modbus"], "min_interval_ms": 10}
            ),
        }
        decoys = {name: decoy.connections for name, (_, decoy) in s.items()}
        served = {name: right.connections for name, (right, _) in s.items()}
        http_requests = list(s["http"][0].requests)
    assert decoys == {name: 0 for name in behaviours}, decoys  # not one connection went where the scope never approved
    assert all(n > 0 for n in served.values()), served
    for name, ev in evidence.items():
        assert ev.status is EvidenceStatus.OK, (name, ev.reason)
    assert evidence["web.http"].facts["final"]["status"] == 200
    assert evidence["tls.endpoint"].facts["address"] == RIGHT
    assert evidence["tls.endpoint"].facts["certificate"]["hostname_match"] is True  # judged against the name
    assert evidence["mqtt.broker"].facts["ports"]["mqtt"]["state"] == "refused"
    assert evidence["telematics.backends"].facts["services"]["redis"]["state"] == "auth_required"
    assert evidence["ics.identify"].facts["protocols"]["modbus"]["state"] == "not_this_protocol"
    # The name travels as the Host header and the SNI, never as something to resolve again.
    assert http_requests and all(f"\r\nHost: {NAME}:{port['http']}\r\n".encode() in r for r in http_requests)
    assert sni and set(sni) == {NAME}


def test_a_name_the_scope_never_resolved_is_not_probed() -> None:
    """A name target read without resolution has no approved address: nothing connects."""
    from collectors.net.scope import Scope, parse_target

    target = parse_target(f"http://{NAME}:9/", resolve=False)
    ctx = NetContext(Scope((target,)), False, timeout_s=0.5)
    ev = run_net_collector(all_net_collectors()["web.http"], ctx, target)
    assert ev.status is EvidenceStatus.ERROR and "no address of it was approved" in (ev.reason or "")
