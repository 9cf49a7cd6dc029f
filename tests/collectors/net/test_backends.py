"""telematics.backends and telematics.ota against real redis-server, fake ES/Kafka and http.server."""

from __future__ import annotations

import socket
import time
from pathlib import Path
from typing import Any, Dict, Optional

import pytest

from collectors.evidence import ErrorReason, Evidence, EvidenceStatus
from collectors.net import backends
from collectors.net.registry import NetContext, all_net_collectors, run_net_collector
from collectors.net.scope import parse_scope
from tests.servers import backends as srv
from tests.servers import certs, tcp

TIMEOUT_S = 1.0


def _run(ports: Dict[str, Optional[int]]) -> Evidence:
    scope = parse_scope(["127.0.0.1"])
    ctx = NetContext(scope, privileged=False, timeout_s=TIMEOUT_S, options={"backend_ports": ports})
    return run_net_collector(all_net_collectors()["telematics.backends"], ctx, scope.targets[0])


def _ota(url: str) -> Evidence:
    scope = parse_scope([url])
    ctx = NetContext(scope, privileged=False, timeout_s=TIMEOUT_S)
    return run_net_collector(all_net_collectors()["telematics.ota"], ctx, scope.targets[0])


def test_registration() -> None:
    reg = all_net_collectors()
    assert reg["telematics.backends"].kinds == ("host",) and reg["telematics.backends"].profiles == ("telematics",)
    assert reg["telematics.ota"].kinds == ("url",) and reg["telematics.ota"].profiles == ("telematics",)


def test_open_services_are_seen_with_bounded_read_only_requests(tmp_path: Path) -> None:
    log = srv.KafkaLog()
    with srv.start_redis(tmp_path) as redis, tcp.serve(srv.elasticsearch(False), srv.kafka(log)) as (es, kafka):
        ev = _run({"redis": redis.port, "elasticsearch": es, "kafka": kafka})
        counts = srv.redis_command_counts(redis)
    assert ev.status is EvidenceStatus.OK, ev.reason
    s = ev.facts["services"]
    assert s["redis"]["state"] == "open" and s["redis"]["redis_version"]
    assert s["elasticsearch"] == {"port": es, "status": 200, "state": "open", "version": "7.10.2"}
    assert s["kafka"]["state"] == "open" and s["kafka"]["broker_count"] == 2 and s["kafka"]["topic_count"] == 3
    assert ev.facts["unauthenticated"] == ["elasticsearch", "kafka", "redis"]
    assert "tsp-telemetry" not in repr(ev.facts) and "vehicle.telemetry" not in repr(ev.facts)  # counts only
    # Redis: exactly one PING and one INFO from the probe (plus the test's own INFO), nothing else.
    assert counts.get("ping") == 1 and set(counts) <= {"ping", "info"}, counts
    # Kafka: ApiVersions v0 then Metadata v0 with an empty topic list, paced.
    assert [(k, v, b) for _, k, v, b in log.requests] == [(18, 0, b""), (3, 0, b"\x00\x00\x00\x00")]
    assert log.requests[1][0] - log.requests[0][0] >= backends.MIN_INTERVAL_MS / 1000 - 0.005
    assert s["redis"]["requests"] <= backends.MAX_REQUESTS_PER_SERVICE and s["kafka"]["requests"] <= 2


def test_secured_services_require_auth(tmp_path: Path) -> None:
    log = srv.KafkaLog()
    with (
        srv.start_redis(tmp_path, srv.REDIS_PASSWORD) as redis,
        tcp.serve(srv.elasticsearch(True), srv.kafka(log, "sasl")) as (
            es,
            kafka,
        ),
    ):
        ev = _run({"redis": redis.port, "elasticsearch": es, "kafka": kafka})
        counts = srv.redis_command_counts(redis)
    assert ev.status is EvidenceStatus.OK, ev.reason
    s = ev.facts["services"]
    assert s["redis"]["state"] == "auth_required" and s["redis"]["reply"] == "NOAUTH" and s["redis"]["requests"] == 1
    assert s["elasticsearch"]["state"] == "auth_required" and s["elasticsearch"]["status"] == 401
    assert s["kafka"]["state"] == "auth_required"
    assert ev.facts["unauthenticated"] == []
    assert not counts.get("info"), counts  # INFO is never sent once PING was refused


def _silent(conn: socket.socket) -> None:
    time.sleep(TIMEOUT_S + 1.5)


def _close(conn: socket.socket) -> None:
    conn.close()


@pytest.mark.parametrize(
    ("service", "handler", "reason"),
    [
        ("redis", tcp.banner(b"SSH-2.0-OpenSSH_9.2\r\n"), ErrorReason.MALFORMED),
        ("redis", _close, ErrorReason.UNSUPPORTED),
        ("redis", _silent, ErrorReason.TIMEOUT),
        ("kafka", tcp.banner(b"\xff\xff\xff\xff garbage"), ErrorReason.MALFORMED),
        ("kafka", _silent, ErrorReason.TIMEOUT),
        ("elasticsearch", tcp.banner(b"\x00\x01garbage\r\n"), ErrorReason.MALFORMED),
    ],
)
def test_broken_services_are_errors_within_the_timeout(service: str, handler: Any, reason: ErrorReason) -> None:
    with tcp.serve(handler) as (port,):
        started = time.monotonic()
        ev = _run({service: port})
        elapsed = time.monotonic() - started
    assert ev.status is EvidenceStatus.ERROR and ev.error_reason is reason, (ev.reason, ev.error_reason)
    assert elapsed < TIMEOUT_S + 1.0


def test_nothing_listening_is_not_applicable() -> None:
    a, b = tcp.closed_ports(2)
    ev = _run({"redis": a, "kafka": b})
    assert ev.status is EvidenceStatus.NOT_APPLICABLE, ev.reason


def test_ota_paths_over_plain_http(tmp_path: Path) -> None:
    with srv.start_http(srv.ota_tree(tmp_path / "www")) as port:
        ev = _ota(f"http://127.0.0.1:{port}/")
    assert ev.status is EvidenceStatus.OK, ev.reason
    f = ev.facts
    assert f["plain_http"] is True and f["served"] == ["/ota/", "/firmware/"] and f["listable"] == ["/firmware/"]
    assert set(f["paths"]) == set(backends.OTA_PATHS) and f["paths"]["/fota/"]["status"] == 404
    assert "tbox-v1.2.3.bin" not in repr(f)  # markers only, never the listed names


def test_ota_over_https_without_listing(tmp_path: Path) -> None:
    pair = certs.self_signed(tmp_path / "c")
    with srv.start_http(srv.ota_tree(tmp_path / "www", listable=False), tls=pair) as port:
        ev = _ota(f"https://127.0.0.1:{port}/")
    assert ev.status is EvidenceStatus.OK, ev.reason
    assert ev.facts["plain_http"] is False and ev.facts["listable"] == [] and "/firmware/" in ev.facts["served"]


def test_ota_unreachable_is_an_error() -> None:
    with tcp.serve(_silent) as (port,):
        started = time.monotonic()
        ev = _ota(f"http://127.0.0.1:{port}/")
    assert ev.status is EvidenceStatus.ERROR and ev.error_reason is ErrorReason.TIMEOUT
    assert time.monotonic() - started < len(backends.OTA_PATHS) * (TIMEOUT_S + 0.5)
