"""NET-TSP checks judged on real redis-server, fake Elasticsearch/Kafka and real http.server OTA trees."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Iterator

import pytest

from checks.catalogue import all_checks, evaluate
from checks.model import Status
from collectors.evidence import Evidence, EvidenceStatus
from collectors.net.registry import NetContext, all_net_collectors, run_net_collector
from collectors.net.scope import parse_scope
from collectors.profile import Profile
from tests.servers import backends as srv
from tests.servers import certs, tcp

SERVICE_IDS = ("NET-TSP-001", "NET-TSP-002", "NET-TSP-003")
OTA_IDS = ("NET-TSP-004", "NET-TSP-005")


def _collect(name: str, target: str, **options: Any) -> Evidence:
    scope = parse_scope([target])
    ctx = NetContext(scope, privileged=False, timeout_s=1.0, options=options)
    ev = run_net_collector(all_net_collectors()[name], ctx, scope.targets[0])
    assert ev.status is EvidenceStatus.OK, ev.reason
    return ev


def _findings(ev: Evidence, ids: tuple) -> Dict[str, Any]:
    found = {f.check_id: f for f in evaluate([ev], Profile.TELEMATICS) if f.check_id in ids}
    assert sorted(found) == list(ids)
    return found


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dict[str, Dict[str, Any]]]:
    """Findings for an open backend and a secured one."""
    tmp = tmp_path_factory.mktemp("backends")
    out: Dict[str, Dict[str, Any]] = {}
    for label, password in (("open", None), ("secured", srv.REDIS_PASSWORD)):
        secured = password is not None
        with (
            srv.start_redis(tmp, password) as redis,
            tcp.serve(srv.elasticsearch(secured), srv.kafka(srv.KafkaLog(), "sasl" if secured else "open")) as (es, kafka),
        ):
            ev = _collect(
                "telematics.backends", "127.0.0.1", backend_ports={"redis": redis.port, "elasticsearch": es, "kafka": kafka}
            )
        out[label] = _findings(ev, SERVICE_IDS)
    yield out


def test_metadata() -> None:
    checks = all_checks()
    for cid in SERVICE_IDS + OTA_IDS:
        meta = checks[cid].meta
        assert meta.level == "endpoint" and meta.profiles == ("telematics",)
    for cid in SERVICE_IDS:
        assert checks[cid].meta.severity.value == "critical" and checks[cid].meta.high_risk_case == "6.4.1.1"  # no authentication
    assert {checks[cid].meta.severity.value for cid in OTA_IDS} == {"high"}


def test_open_services_fail(services: Dict[str, Dict[str, Any]]) -> None:
    found = services["open"]
    assert {cid: f.status for cid, f in found.items()} == {cid: Status.FAIL for cid in SERVICE_IDS}
    assert found["NET-TSP-001"].observed["redis_version"]
    assert found["NET-TSP-002"].observed["version"] == "7.10.2"
    assert found["NET-TSP-003"].observed["broker_count"] == 2 and found["NET-TSP-003"].observed["topic_count"] == 3


def test_secured_services_pass(services: Dict[str, Dict[str, Any]]) -> None:
    found = services["secured"]
    assert {cid: f.status for cid, f in found.items()} == {cid: Status.PASS for cid in SERVICE_IDS}, {
        cid: f.reason for cid, f in found.items()
    }


def test_absent_service_is_not_applicable_and_broken_one_is_error(tmp_path: Path) -> None:
    with srv.start_redis(tmp_path) as redis, tcp.serve(tcp.banner(b"garbage\r\n")) as (bad,):
        (closed,) = tcp.closed_ports()
        ev = _collect(
            "telematics.backends", "127.0.0.1", backend_ports={"redis": redis.port, "elasticsearch": closed, "kafka": bad}
        )
    found = _findings(ev, SERVICE_IDS)
    assert found["NET-TSP-001"].status is Status.FAIL
    assert found["NET-TSP-002"].status is Status.NOT_APPLICABLE
    assert found["NET-TSP-003"].status is Status.ERROR


def test_plain_http_listable_firmware_fails(tmp_path: Path) -> None:
    with srv.start_http(srv.ota_tree(tmp_path / "www")) as port:
        found = _findings(_collect("telematics.ota", f"http://127.0.0.1:{port}/"), OTA_IDS)
    assert found["NET-TSP-004"].status is Status.FAIL and found["NET-TSP-004"].observed["served"] == ["/ota/", "/firmware/"]
    assert found["NET-TSP-005"].status is Status.FAIL
    assert found["NET-TSP-005"].observed["listable"] == {"/firmware/": "python-directory-listing"}


def test_https_unlisted_firmware_passes(tmp_path: Path) -> None:
    pair = certs.self_signed(tmp_path / "c")
    with srv.start_http(srv.ota_tree(tmp_path / "www", listable=False), tls=pair) as port:
        found = _findings(_collect("telematics.ota", f"https://127.0.0.1:{port}/"), OTA_IDS)
    assert {cid: f.status for cid, f in found.items()} == {cid: Status.PASS for cid in OTA_IDS}, {
        cid: f.reason for cid, f in found.items()
    }


def test_failed_evidence_never_passes() -> None:
    evs = [
        Evidence("telematics.backends", "127.0.0.1", EvidenceStatus.ERROR, {}, (), "127.0.0.1:6379: no reply"),
        Evidence("telematics.ota", "http://127.0.0.1:1/", EvidenceStatus.ERROR, {}, (), "timeout"),
    ]
    found = [f for f in evaluate(evs, Profile.TELEMATICS) if f.check_id.startswith("NET-TSP-")]
    assert len(found) == 5 and all(f.status is Status.ERROR for f in found)
