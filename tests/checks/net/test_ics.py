"""Every NET-ICS check PASSes and FAILs against real servers on 127.0.0.1 (pymodbus and protocol fakes)."""

from __future__ import annotations

from typing import Any, Dict, Iterator, Mapping

import pytest

from checks.catalogue import all_checks, evaluate
from checks.model import Severity, Status
from checks.registry import EvidenceView, evaluate_one
from collectors.evidence import Evidence
from collectors.net import ics as ics_collector
from collectors.profile import Profile
from tests.collectors.net.test_ics import identify
from tests.servers import ics as srv

ICS_IDS = ("NET-ICS-001", "NET-ICS-002", "NET-ICS-003")


def judge(ev: Evidence) -> Dict[str, Status]:
    view = EvidenceView([ev])
    return {cid: evaluate_one(all_checks()[cid], view).status for cid in ICS_IDS}


def observed(ev: Evidence, cid: str) -> Mapping[str, Any]:
    return evaluate_one(all_checks()[cid], EvidenceView([ev])).observed


@pytest.fixture(scope="module")
def modbus() -> Iterator[srv.ModbusServer]:
    with srv.ModbusServer() as server:
        yield server


def test_ids_registered() -> None:
    mine = tuple(sorted(c for c in all_checks() if c.startswith("NET-ICS-")))
    assert mine == ICS_IDS
    for cid in mine:
        meta = all_checks()[cid].meta
        assert meta.level == "endpoint" and meta.profiles == ("ics-gateway",) and meta.needs == ("ics.identify",)
    assert all_checks()["NET-ICS-001"].meta.severity is Severity.HIGH
    assert all_checks()["NET-ICS-002"].meta.severity is Severity.HIGH
    assert {m.unit for m in all_checks()["NET-ICS-001"].meta.mlps} == {"L3-CNS5-01", "L3-CES5-01"}


def test_exposed_modbus_and_insecure_opcua_fail(modbus: srv.ModbusServer) -> None:
    with srv.tcp(srv.opcua(srv.INSECURE_ENDPOINTS)) as ua:
        ev = identify({"modbus": modbus.port, "opcua": ua.port})
    assert judge(ev) == {cid: Status.FAIL for cid in ICS_IDS}
    assert observed(ev, "NET-ICS-001")["answered"] == {"modbus": modbus.port}
    disclosed = observed(ev, "NET-ICS-003")["identities"]
    assert disclosed["modbus"] == {"vendor": "AcmeCorp", "product_code": "PLC-9000", "revision": "1.2.3"}
    assert observed(ev, "NET-ICS-002")["none_endpoints"] == ["opc.tcp://127.0.0.1:4840"]


def test_s7_enip_bacnet_fail_exposure() -> None:
    with srv.tcp(srv.s7) as s7, srv.tcp(srv.enip) as e, srv.UdpServer("bacnet") as b:
        ev = identify({"s7": s7.port, "enip": e.port, "bacnet": b.port})
    got = judge(ev)
    assert got["NET-ICS-001"] is Status.FAIL and got["NET-ICS-003"] is Status.FAIL
    assert set(observed(ev, "NET-ICS-003")["identities"]) == {"s7", "enip", "bacnet"}


def _http(conn: Any, rec: srv.Recorder) -> None:
    conn.recv(100)
    conn.sendall(b"HTTP/1.0 400 Bad Request\r\n\r\n")


def test_nothing_industrial_on_the_standard_ports_passes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Closed ports and a web server on the Modbus port, none of them declared: no exposure, no identity."""
    with srv.tcp(_http) as web, srv.tcp(srv.opcua(srv.SECURE_ENDPOINTS)) as ua:
        standard = {
            "modbus": web.port,
            "s7": srv.closed_tcp_port(),
            "enip": srv.closed_tcp_port(),
            "bacnet": srv.closed_udp_port(),
            "opcua": ua.port,
        }
        monkeypatch.setattr(ics_collector, "DEFAULT_PORTS", standard)  # the well-known ports, here ones the test owns
        ev = identify({})
    assert not any(r["declared"] for r in ev.facts["protocols"].values())
    assert judge(ev) == {cid: Status.PASS for cid in ICS_IDS}
    monkeypatch.setattr(ics_collector, "DEFAULT_PORTS", {p: srv.closed_tcp_port() for p in ("modbus", "s7", "enip", "opcua")})
    ev_closed = identify({}, ics_protocols=["modbus", "s7", "enip", "opcua"])
    assert judge(ev_closed) == {"NET-ICS-001": Status.PASS, "NET-ICS-002": Status.NOT_APPLICABLE, "NET-ICS-003": Status.PASS}


def test_declared_port_without_the_protocol_is_an_error() -> None:
    """--probe-port modbus=N where N is closed or answers HTTP: the device meant was not assessed."""
    with srv.tcp(_http) as web:
        ev = identify({"modbus": web.port})
    got = {cid: evaluate_one(all_checks()[cid], EvidenceView([ev])) for cid in ("NET-ICS-001", "NET-ICS-003")}
    for finding in got.values():
        assert finding.status is Status.ERROR
        assert f"declared modbus port {web.port} does not speak the protocol" in (finding.reason or "")
    closed = srv.closed_tcp_port()
    ev = identify({"modbus": closed, "opcua": srv.closed_tcp_port()})
    assert judge(ev) == {cid: Status.ERROR for cid in ICS_IDS}
    assert f"declared modbus port {closed} is closed" in (evaluate_one(all_checks()["NET-ICS-001"], EvidenceView([ev])).reason or "")


def test_unassessed_protocols_are_errors_not_passes() -> None:
    with srv.tcp(srv.garbage) as g, srv.tcp(srv.silent) as s:
        ev = identify({"modbus": g.port, "opcua": s.port, "s7": srv.closed_tcp_port()})
    assert judge(ev) == {cid: Status.ERROR for cid in ICS_IDS}
    with srv.tcp(srv.close_at_once) as c:
        ev = identify({"enip": c.port, "opcua": srv.closed_tcp_port()})
    assert judge(ev) == {cid: Status.ERROR for cid in ICS_IDS}


def test_whole_evaluation_for_ics_profile(modbus: srv.ModbusServer) -> None:
    ev = identify({"modbus": modbus.port})
    findings = [f for f in evaluate([ev], Profile.ICS_GATEWAY) if f.check_id in ICS_IDS]
    assert {f.check_id: f.status for f in findings} == {
        "NET-ICS-001": Status.FAIL,
        "NET-ICS-002": Status.MANUAL,  # OPC UA was not probed in this run
        "NET-ICS-003": Status.FAIL,
    }
    assert all(f.target == "127.0.0.1" for f in findings)
