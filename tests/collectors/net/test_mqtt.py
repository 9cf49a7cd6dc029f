"""mqtt.broker against a real mosquitto, a frame-recording fake and broken servers.

The probe must never PUBLISH: the broker log and a parallel subscriber prove it.
"""

from __future__ import annotations

import itertools
import socket
import time
from pathlib import Path
from typing import Any, Dict, Optional

import pytest

from collectors.evidence import ErrorReason, Evidence, EvidenceStatus
from collectors.net import mqtt
from collectors.net.netio import Deadline
from collectors.net.pacing import Pacer
from collectors.net.registry import NetContext, all_net_collectors, run_net_collector
from collectors.net.scope import parse_scope
from tests.servers import certs, tcp
from tests.servers.mosquitto import RETAINED_TOPICS, Recording, recording_broker, start_mosquitto

TIMEOUT_S = 1.0


def _run(ports: Dict[str, Optional[int]], listen_ms: int = 300, **extra: Any) -> Evidence:
    scope = parse_scope(["127.0.0.1"])
    options = {"mqtt_ports": ports, "mqtt_listen_ms": listen_ms, **extra}
    ctx = NetContext(scope, privileged=False, timeout_s=TIMEOUT_S, options=options)
    return run_net_collector(all_net_collectors()["mqtt.broker"], ctx, scope.targets[0])


def test_registered_for_telematics_hosts_only() -> None:
    c = all_net_collectors()["mqtt.broker"]
    assert c.kinds == ("host",) and c.profiles == ("telematics",)
    assert mqtt.PUBLISH not in mqtt.SENT_PACKET_TYPES


def test_anonymous_broker_is_seen_and_nothing_is_published(tmp_path: Path) -> None:
    pair = certs.self_signed(tmp_path / "certs")
    with start_mosquitto(tmp_path, anonymous=True, password=True, tls=pair) as broker:
        broker.publish_retained()
        with broker.watch(tmp_path) as watched:
            ev = _run({"mqtt": broker.ports["anonymous"], "mqtts": broker.ports["tls"]})
        received = broker.received_from("riskagent-")
        log = broker.log.read_text()
    assert ev.status is EvidenceStatus.OK, ev.reason
    f = ev.facts
    assert f["anonymous_accepted"] is True
    assert f["ports"]["mqtt"]["state"] == "accepted" and f["ports"]["mqtt"]["return_code"] == 0, repr(f["ports"]["mqtt"])
    assert f["ports"]["mqtts"]["state"] == "accepted"
    tls = f["ports"]["mqtts"]["tls"]
    assert tls["offered"] and tls["protocol"].startswith("TLS") and tls["certificate"]["self_signed"]
    assert tls["chain"]["status"] == "invalid"
    sub = f["subscription"]
    assert sub["port"] == "mqtt" and sub["wildcard_granted"] is True
    assert set(RETAINED_TOPICS) <= set(sub["topics"]) and sub["sys_topic_count"] > 0
    assert "payload-secret" not in repr(f)  # topic names only, never payloads
    # Nothing published: not in the broker log, not seen by a parallel subscriber.
    types = [t for t, _ in received]
    assert types and set(types) <= {"CONNECT", "SUBSCRIBE", "DISCONNECT"}, types
    assert "PUBLISH" not in types and "Received PUBLISH from riskagent-" not in log
    assert watched.read_text() == ""
    # Bounded: two connections with MQTT, at most 4 packets each; plus one TLS trust check.
    assert len(types) <= 2 * mqtt.MAX_PACKETS_PER_CONNECTION
    assert types.count("SUBSCRIBE") == 2 and f["connections"] == 3
    assert sum(f["packets_sent"].values()) == len(types) == 6


def test_password_protected_broker_refuses(tmp_path: Path) -> None:
    with start_mosquitto(tmp_path, anonymous=False, password=True) as broker:
        ev = _run({"mqtt": broker.ports["password"], "mqtts": None})
        log = broker.log.read_text()
    assert ev.status is EvidenceStatus.OK, ev.reason
    port = ev.facts["ports"]["mqtt"]
    assert port["state"] == "refused" and port["return_code"] == 5
    assert ev.facts["anonymous_accepted"] is False and ev.facts["subscription"] is None
    assert ev.facts["packets_sent"] == {"CONNECT": 1}
    assert "Received PUBLISH" not in log and "Received SUBSCRIBE" not in log


def test_rate_and_topic_bounds_on_a_flooding_broker() -> None:
    rec = Recording()
    with tcp.serve(recording_broker(rec, flood=500)) as (port,):
        ev = _run({"mqtt": port, "mqtts": None}, listen_ms=1000, mqtt_max_topics=50)
        time.sleep(0.1)
    assert ev.status is EvidenceStatus.OK, ev.reason
    sub = ev.facts["subscription"]
    assert sub["topic_count"] == 50 and sub["truncated"] is True and sub["ended"] == "topic_limit"
    types = [t for _, t in rec.frames]
    assert types == [mqtt.CONNECT, mqtt.SUBSCRIBE, mqtt.SUBSCRIBE, mqtt.DISCONNECT]
    assert len(rec.connections) == 1
    times = [t for t, _ in rec.frames]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    # Paced: the fake stamps each packet with the kernel's receive time, so a busy machine's late thread
    # does not shorten a gap; loopback delivery adds well under the 2 ms allowed.
    interval = mqtt.MIN_INTERVAL_MS / 1000
    assert min(gaps) >= interval - 0.002, gaps


def _silent(conn: socket.socket) -> None:
    time.sleep(TIMEOUT_S + 1.5)


def _close(conn: socket.socket) -> None:
    conn.close()


@pytest.mark.parametrize(
    ("handler", "reason", "text"),
    [
        (tcp.banner(b"HTTP/1.1 400 Bad Request\r\n\r\n"), ErrorReason.MALFORMED, "not an MQTT CONNACK"),
        (tcp.banner(b"\x20\x02"), ErrorReason.TIMEOUT, "no CONNACK"),
        (_close, ErrorReason.UNSUPPORTED, "without a CONNACK"),
        (_silent, ErrorReason.TIMEOUT, "no CONNACK"),
    ],
)
def test_broken_brokers_are_errors_within_the_timeout(handler: Any, reason: ErrorReason, text: str) -> None:
    with tcp.serve(handler) as (port,):
        started = time.monotonic()
        ev = _run({"mqtt": port, "mqtts": None})
        elapsed = time.monotonic() - started
    assert ev.status is EvidenceStatus.ERROR and ev.error_reason is reason, (ev.reason, ev.error_reason)
    assert text in (ev.reason or "")
    assert elapsed < TIMEOUT_S + 1.0


def test_plain_listener_on_the_tls_port_is_an_error(tmp_path: Path) -> None:
    with start_mosquitto(tmp_path, anonymous=True) as broker:
        ev = _run({"mqtt": None, "mqtts": broker.ports["anonymous"]})
    assert ev.status is EvidenceStatus.ERROR and "TLS handshake failed" in (ev.reason or "")


def test_nothing_listening_is_not_applicable() -> None:
    with tcp.serve(tcp.banner(b"")) as (port,):
        pass  # the port is closed again
    ev = _run({"mqtt": port, "mqtts": None})
    assert ev.status is EvidenceStatus.NOT_APPLICABLE, ev.reason


def test_publish_can_never_be_sent() -> None:
    a, b = socket.socketpair()
    try:
        session = mqtt._Session(mqtt._Stream(a, "test"), Pacer(0), "riskagent-x", {})
        with pytest.raises(RuntimeError, match="read-only"):
            session._send(bytes([0x30, 0x05, 0x00, 0x01, 0x74, 0x68, 0x69]), lambda: Deadline.within(1.0, None))
        a.setblocking(False)
        b.setblocking(False)
        with pytest.raises(BlockingIOError):
            b.recv(16)
    finally:
        a.close()
        b.close()


def test_the_pacing_wait_is_not_counted_against_the_brokers_time() -> None:
    """A step's deadline starts when the CONNECT can go out: one taken before a 0.4 s pacing wait would expire in it."""
    mqtt._frames()  # scapy imported already, so the whole wait below is the pacer's
    a, b = socket.socketpair()
    try:
        pacer = Pacer(0.4)
        with pacer.sending():
            pass  # a packet has just gone to this device
        session = mqtt._Session(mqtt._Stream(a, "test"), pacer, "riskagent-x", {})
        b.sendall(bytes([mqtt.CONNACK << 4, 2, 0, 0]))  # the broker's CONNACK, already waiting
        started = time.monotonic()
        assert session.connect(lambda: Deadline.within(0.2, None)) == 0
        assert time.monotonic() - started >= 0.39
        assert b.recv(64)[0] >> 4 == mqtt.CONNECT
    finally:
        a.close()
        b.close()


def test_out_of_scope_host_is_refused() -> None:
    scope = parse_scope(["127.0.0.1"])
    other = parse_scope(["127.0.0.2"]).targets[0]
    ctx = NetContext(scope, privileged=False, timeout_s=TIMEOUT_S, options={"mqtt_ports": {"mqtt": 1}})
    ev = run_net_collector(all_net_collectors()["mqtt.broker"], ctx, other)
    assert ev.status is EvidenceStatus.ERROR and "outside the declared scope" in (ev.reason or "")
