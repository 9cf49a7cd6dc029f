"""NET-MQTT checks judged on real mosquitto brokers: one exposed, one locked down."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Iterator, Optional, Sequence

import pytest

from checks.catalogue import all_checks, evaluate
from checks.model import Status
from collectors.evidence import Evidence, EvidenceStatus
from collectors.net.registry import NetContext, all_net_collectors, run_net_collector
from collectors.net.scope import parse_scope
from collectors.profile import Profile
from tests.servers import certs, tcp
from tests.servers.mosquitto import RETAINED_TOPICS, start_mosquitto

IDS = ("NET-MQTT-001", "NET-MQTT-002", "NET-MQTT-003", "NET-MQTT-004")


def _run(ports: Dict[str, Optional[int]], ca_files: Sequence[Path] = ()) -> Evidence:
    scope = parse_scope(["127.0.0.1"])
    options: Dict[str, Any] = {"mqtt_ports": ports, "mqtt_listen_ms": 300}
    if ca_files:
        options["ca_files"] = [str(p) for p in ca_files]
    ctx = NetContext(scope, privileged=False, timeout_s=1.0, options=options)
    ev = run_net_collector(all_net_collectors()["mqtt.broker"], ctx, scope.targets[0])
    assert ev.status is EvidenceStatus.OK, ev.reason
    return ev


def _findings(ev: Evidence) -> Dict[str, Any]:
    found = {f.check_id: f for f in evaluate([ev], Profile.TELEMATICS) if f.check_id.startswith("NET-MQTT-")}
    assert sorted(found) == list(IDS)
    return found


@pytest.fixture(scope="module")
def exposed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dict[str, Any]]:
    """Anonymous plaintext listener plus anonymous TLS with a self-signed certificate."""
    tmp = tmp_path_factory.mktemp("exposed")
    with start_mosquitto(tmp, anonymous=True, tls=certs.self_signed(tmp / "certs")) as broker:
        broker.publish_retained()
        yield _findings(_run({"mqtt": broker.ports["anonymous"], "mqtts": broker.ports["tls"]}))


@pytest.fixture(scope="module")
def locked(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dict[str, Any]]:
    """TLS only, a certificate from a trusted (private) CA, passwords required."""
    tmp = tmp_path_factory.mktemp("locked")
    pair = certs.ca_and_leaf(tmp / "certs")
    assert pair.ca_cert is not None
    with start_mosquitto(tmp, anonymous=False, password=True, tls=pair, tls_anonymous=False) as broker:
        broker.publish_retained()
        yield _findings(_run({"mqtt": None, "mqtts": broker.ports["tls"]}, ca_files=[pair.ca_cert]))


def test_metadata() -> None:
    checks = all_checks()
    for cid in IDS:
        meta = checks[cid].meta
        assert meta.level == "endpoint" and meta.profiles == ("telematics",) and meta.needs == ("mqtt.broker",)
    assert checks["NET-MQTT-001"].meta.severity.value == "critical"
    assert checks["NET-MQTT-003"].meta.high_risk_case == "6.4.5.1"  # the service's own protocol is clear text
    assert checks["NET-MQTT-001"].meta.high_risk_case == "9.2.1.1"  # unauthorised nodes can join


def test_exposed_broker_fails_every_check(exposed: Dict[str, Any]) -> None:
    assert {cid: f.status for cid, f in exposed.items()} == {cid: Status.FAIL for cid in IDS}
    assert {p["name"] for p in exposed["NET-MQTT-001"].observed["accepted"]} == {"mqtt", "mqtts"}
    topics = exposed["NET-MQTT-002"].observed
    assert topics["topic_count"] == len(RETAINED_TOPICS) and set(topics["topics"]) == set(RETAINED_TOPICS)
    assert exposed["NET-MQTT-003"].observed["plaintext"][0]["name"] == "mqtt"
    assert "untrusted chain" in exposed["NET-MQTT-004"].observed["certificates"][0]["problems"][0]


def test_locked_broker_passes_every_check(locked: Dict[str, Any]) -> None:
    assert {cid: f.status for cid, f in locked.items()} == {cid: Status.PASS for cid in IDS}, {
        cid: f.reason for cid, f in locked.items()
    }


def test_password_on_plaintext_passes_auth_but_fails_transport(tmp_path: Path) -> None:
    with start_mosquitto(tmp_path, anonymous=False, password=True) as broker:
        found = _findings(_run({"mqtt": broker.ports["password"], "mqtts": None}))
    assert found["NET-MQTT-001"].status is Status.PASS
    assert found["NET-MQTT-002"].status is Status.PASS
    assert found["NET-MQTT-003"].status is Status.FAIL
    assert found["NET-MQTT-004"].status is Status.NOT_APPLICABLE


def test_expired_certificate_fails(tmp_path: Path) -> None:
    with start_mosquitto(tmp_path, anonymous=False, tls=certs.expired(tmp_path / "c"), tls_anonymous=False) as broker:
        found = _findings(_run({"mqtt": None, "mqtts": broker.ports["tls"]}))
    problems = found["NET-MQTT-004"].observed["certificates"][0]["problems"]
    assert found["NET-MQTT-004"].status is Status.FAIL and any(p.startswith("expired") for p in problems)


def test_failed_evidence_never_passes() -> None:
    ev = Evidence("mqtt.broker", "127.0.0.1", EvidenceStatus.ERROR, {}, (), "127.0.0.1:1883: no CONNACK within 1.0 s")
    found = {f.check_id: f for f in evaluate([ev], Profile.TELEMATICS) if f.check_id.startswith("NET-MQTT-")}
    assert found and all(f.status is Status.ERROR for f in found.values())


def test_broken_subscription_after_anonymous_connack_still_fails_anonymous_access() -> None:
    """CONNACK 0 answers the access question; a malformed PUBLISH afterwards must not turn it into "error"."""
    with tcp.serve(tcp.mqtt_broken_after_connack) as (port,):
        ev = _run({"mqtt": port, "mqtts": None})
    state = ev.facts["ports"]["mqtt"]
    assert state["state"] == "accepted" and "PUBLISH topic longer than its frame" in state["subscription_error"]
    found = _findings(ev)
    assert found["NET-MQTT-001"].status is Status.FAIL
    assert found["NET-MQTT-002"].status is Status.ERROR and "PUBLISH topic longer" in (found["NET-MQTT-002"].reason or "")
