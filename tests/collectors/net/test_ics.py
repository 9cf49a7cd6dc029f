"""ics.identify against a real pymodbus server and byte-level fakes on 127.0.0.1 ephemeral ports."""

from __future__ import annotations

import itertools
import time
from typing import Any, Dict, Iterator, Mapping, Optional

import pytest

from collectors.evidence import ErrorReason, Evidence, EvidenceStatus
from collectors.net import ics
from collectors.net.registry import NetContext, all_net_collectors, run_net_collector
from collectors.net.scope import parse_scope
from tests.servers import ics as srv

TIMEOUT = 0.6
FAST_MS = 10
JITTER_MS = 2  # loopback delivery; the kernel stamps on receipt, not when a thread wakes


def identify(ports: Mapping[str, int], timeout: float = TIMEOUT, interval_ms: int = FAST_MS, **opts: Any) -> Evidence:
    """Run the collector on 127.0.0.1 with only the given protocols, mapped to the given ports."""
    scope = parse_scope(["127.0.0.1"])
    options: Dict[str, Any] = {"ics_ports": dict(ports), "ics_protocols": list(ports), "min_interval_ms": interval_ms}
    options.update(opts)
    ctx = NetContext(scope, False, timeout_s=timeout, options=options)
    return run_net_collector(all_net_collectors()["ics.identify"], ctx, scope.targets[0])


def proto(ev: Evidence, name: str) -> Mapping[str, Any]:
    assert ev.status is EvidenceStatus.OK, ev.reason
    result: Mapping[str, Any] = ev.facts["protocols"][name]
    return result


@pytest.fixture(scope="module")
def modbus() -> Iterator[srv.ModbusServer]:
    with srv.ModbusServer() as server:
        yield server


def test_registered_for_ics_profile_only() -> None:
    c = all_net_collectors()["ics.identify"]
    assert c.kinds == ("host",) and c.profiles == ("ics-gateway",)


def test_only_read_requests_can_be_sent() -> None:
    """The do-no-harm allow-list: nothing writes, controls or opens a session."""
    write_fcs = {0x05, 0x06, 0x0F, 0x10, 0x16, 0x17}
    assert ics.MODBUS_FUNCTION_CODES == {0x2B} and not ics.MODBUS_FUNCTION_CODES & write_fcs
    assert ics.ENIP_COMMANDS == {0x0063}  # no SendRRData (0x006F) / SendUnitData (0x0070)
    assert ics.BACNET_SERVICES == {0x0C}  # ReadProperty only, no WriteProperty (0x0F)
    assert ics.OPCUA_SERVICE_NODE_IDS == {446, 428, 452}  # no CreateSession (461), Write (673), Call (712)
    assert ics.S7_USERDATA_SUBFUNCTIONS == {(0x44, 0x01)}
    # the frames the module builds carry exactly those codes
    assert ics.S7_SETUP[17] == 0xF0 and ics.S7_SETUP[8] == 0x01  # job = Setup Communication, nothing else
    szl = ics.s7_szl_request(0x11, 1, 2)
    assert szl[8] == 0x07 and (szl[22], szl[23]) == (0x44, 0x01)
    for prop, _ in ics.BACNET_PROPERTIES:
        frame = ics.bacnet_read_property(prop, 1)
        assert frame[9] in ics.BACNET_SERVICES and frame[6] == 0x00  # confirmed request, ReadProperty
    ua = [ics.opcua_open(), ics.opcua_get_endpoints(7, 1, "opc.tcp://h:1"), ics.opcua_close(7, 1)]
    offsets = [8 + 4 + 4 + len(ics.OPCUA_POLICY_NONE) + 8 + 8, 24, 24]
    assert {int.from_bytes(f[o + 2 : o + 4], "little") for f, o in zip(ua, offsets)} == ics.OPCUA_SERVICE_NODE_IDS
    assert set(ics.MAX_PACKETS) == set(ics.PROTOCOLS) == set(ics.SENT_REQUESTS)


def test_modbus_identity_from_pymodbus(modbus: srv.ModbusServer) -> None:
    modbus.recorder.frames.clear()
    ev = identify({"modbus": modbus.port})
    m = proto(ev, "modbus")
    assert m["state"] == "identified", m
    assert m["identity"]["vendor"] == "AcmeCorp"
    assert m["identity"]["product_code"] == "PLC-9000"
    assert m["identity"]["revision"] == "1.2.3"
    assert m["packets_sent"] == 1 and ev.facts["identified"] == ["modbus"]
    frames = modbus.recorder.frames
    assert [f.kind for f in frames] == ["fc=0x2b"]  # only FC 43, no write code ever reached the server
    assert frames[0].unit == 1 and frames[0].raw[8] == 0x0E  # MEI 14 to unit 1, no unit sweep
    assert any(s.endpoint == f"127.0.0.1:{modbus.port}" and s.protocol == "modbus" for s in ev.sources)


def test_modbus_unit_option_is_honoured(modbus: srv.ModbusServer) -> None:
    modbus.recorder.frames.clear()
    proto(identify({"modbus": modbus.port}, modbus_unit=7), "modbus")
    assert [(f.kind, f.unit) for f in modbus.recorder.frames] == [("fc=0x2b", 7)]


def test_rate_bound_and_packet_count_across_protocols(modbus: srv.ModbusServer) -> None:
    """Default 200 ms: every frame the device receives is at least 200 ms after the previous one."""
    modbus.recorder.frames.clear()
    with srv.tcp(srv.s7) as s7, srv.tcp(srv.opcua()) as ua:
        ports = {"modbus": modbus.port, "s7": s7.port, "opcua": ua.port}
        ev = identify(ports, interval_ms=ics.DEFAULT_MIN_INTERVAL_MS)
        assert ev.facts["identified"] == ["modbus", "opcua", "s7"]
        recorders = (modbus.recorder, s7.recorder, ua.recorder)
        deadline = time.monotonic() + 2
        while sum(len(r.frames) for r in recorders) < 9 and time.monotonic() < deadline:
            time.sleep(0.01)  # the last frame (CLO) may still be in flight
        frames = sorted((f for r in recorders for f in r.frames), key=lambda f: f.at)
        assert s7.connections == 1 and ua.connections == 1  # one connection per protocol
    kinds = [f.kind for f in frames]
    assert kinds == [
        "fc=0x2b",
        "cotp-cr",
        "s7-job-0xf0",
        "s7-userdata-0x44-0x01-szl-0x0011",
        "s7-userdata-0x44-0x01-szl-0x001c",
        "HEL",
        "OPN",
        "MSG",
        "CLO",
    ]
    gaps = [(b.at - a.at) * 1000 for a, b in itertools.pairwise(frames)]
    # the fakes stamp frames with the kernel's receive time. pymodbus's tracer stamps in its own
    # thread, but its frame comes first and the next is two intervals later (the S7 connect is paced too)
    assert min(gaps) >= ics.DEFAULT_MIN_INTERVAL_MS - JITTER_MS, gaps
    assert ev.facts["protocols"]["s7"]["packets_sent"] == 4 <= ics.MAX_PACKETS["s7"]
    assert ev.facts["protocols"]["opcua"]["packets_sent"] == 4 <= ics.MAX_PACKETS["opcua"]
    assert ev.facts["min_interval_ms"] == ics.DEFAULT_MIN_INTERVAL_MS


def test_s7_identity() -> None:
    with srv.tcp(srv.s7) as s7:
        ident = proto(identify({"s7": s7.port}), "s7")["identity"]
    assert ident["module"] == srv.S7_MODULE and ident["firmware"] == "V3.2.6"
    assert ident["serial_number"] == srv.S7_SERIAL and ident["system_name"] == srv.S7_SYSTEM
    assert ident["pdu_length"] == 240


def test_enip_list_identity() -> None:
    with srv.tcp(srv.enip) as e:
        r = proto(identify({"enip": e.port}), "enip")
        assert [f.kind for f in e.recorder.frames] == ["enip-0x0063"]
    assert r["state"] == "identified" and r["packets_sent"] == 1
    assert r["identity"] == {
        "vendor_id": 1,
        "device_type": 12,
        "product_code": 166,
        "revision": "11.2",
        "status": 0x30,
        "serial": "0x00c0ffee",
        "product_name": srv.ENIP_NAME,
        "state": 3,
    }


def test_opcua_endpoints() -> None:
    with srv.tcp(srv.opcua()) as ua:
        r = proto(identify({"opcua": ua.port}), "opcua")
    ident = r["identity"]
    assert ident["protocol_version"] == 0 and ident["receive_buffer_size"] == 65536
    assert ident["security_modes"] == ["None", "SignAndEncrypt"]
    assert ident["security_policies"] == ["Basic256Sha256", "None"]
    assert ident["anonymous_accepted"] is True
    assert ident["endpoints"][1]["user_token_types"] == ["Anonymous", "UserName"]


def test_bacnet_read_property_unicast() -> None:
    with srv.UdpServer("bacnet") as b:
        r = proto(identify({"bacnet": b.port}), "bacnet")
        kinds = [f.kind for f in b.recorder.frames]
    assert r["state"] == "identified" and r["transport"] == "udp"
    assert r["identity"] == {"vendor": "Acme Building Controls", "model": "ABC-1000", "firmware": "4.2.1"}
    assert kinds == ["bacnet-service-0x0c-prop-0x79", "bacnet-service-0x0c-prop-0x46", "bacnet-service-0x0c-prop-0x2c"]


def test_closed_ports_are_facts_not_errors() -> None:
    ports = {"modbus": srv.closed_tcp_port(), "s7": srv.closed_tcp_port(), "bacnet": srv.closed_udp_port()}
    ev = identify(ports)
    assert ev.status is EvidenceStatus.OK, ev.reason
    assert {p: r["state"] for p, r in ev.facts["protocols"].items()} == {p: "closed" for p in ports}
    assert ev.facts["identified"] == []


def test_declared_ports_are_marked_so(monkeypatch: pytest.MonkeyPatch) -> None:
    """A port given in ics_ports (--probe-port) is declared; one left at the protocol's default is not."""
    defaults = {**ics.DEFAULT_PORTS, "s7": srv.closed_tcp_port()}
    monkeypatch.setattr(ics, "DEFAULT_PORTS", defaults)  # the standard port, here an ephemeral one the test owns
    ev = identify({"modbus": srv.closed_tcp_port()}, ics_protocols=["modbus", "s7"])
    assert {p: r["declared"] for p, r in ev.facts["protocols"].items()} == {"modbus": True, "s7": False}


def test_each_protocol_is_probed_once(modbus: srv.ModbusServer) -> None:
    modbus.recorder.frames.clear()
    ev = identify({"modbus": modbus.port}, ics_protocols=["modbus", "modbus", "modbus"])
    assert list(ev.facts["protocols"]) == ["modbus"] and ev.facts["protocols"]["modbus"]["packets_sent"] == 1
    assert [f.kind for f in modbus.recorder.frames] == ["fc=0x2b"]
    assert sum(1 for s in ev.sources if getattr(s, "protocol", None) == "modbus") == 1


@pytest.mark.parametrize("name", ["modbus", "s7", "enip", "opcua"])
@pytest.mark.parametrize(
    "handler,state,words",
    [
        (srv.garbage, "error", "not"),
        (srv.close_at_once, "error", "closed"),
        (srv.silent, "no_answer", "no reply"),
    ],
    ids=["garbage", "close", "silent"],
)
def test_broken_servers_give_a_reason_in_time(name: str, handler: srv.Handler, state: str, words: str) -> None:
    closed = srv.closed_tcp_port()  # a second, closed protocol keeps the evidence OK so the per-protocol state is visible
    other = "s7" if name != "s7" else "modbus"
    with srv.tcp(handler) as bad:
        started = time.monotonic()
        ev = identify({name: bad.port, other: closed})
        elapsed = time.monotonic() - started
    r = proto(ev, name)
    assert r["state"] == state and words in r["reason"], r
    assert r["elapsed_ms"] <= TIMEOUT * 1000 + 400 and elapsed < TIMEOUT + 1.0
    assert r["packets_sent"] == 1  # nothing more is sent once the first exchange failed


def test_udp_garbage_and_silence() -> None:
    with srv.UdpServer("garbage") as g, srv.UdpServer("silent") as s:
        ev_g = identify({"bacnet": g.port, "modbus": srv.closed_tcp_port()})
        ev_s = identify({"bacnet": s.port, "modbus": srv.closed_tcp_port()})
    assert proto(ev_g, "bacnet")["state"] == "error" and "not BACnet" in proto(ev_g, "bacnet")["reason"]
    assert proto(ev_s, "bacnet")["state"] == "no_answer"


def test_nothing_assessable_is_a_collect_error() -> None:
    with srv.tcp(srv.garbage) as g, srv.tcp(srv.silent) as s:
        ev = identify({"modbus": g.port, "enip": s.port})
    assert ev.status is EvidenceStatus.ERROR and ev.error_reason is ErrorReason.MALFORMED
    assert "modbus" in (ev.reason or "") and "enip" in (ev.reason or "")


def test_banner_service_is_not_this_protocol() -> None:
    def http(conn: Any, rec: srv.Recorder) -> None:
        conn.recv(100)
        conn.sendall(b"HTTP/1.0 400 Bad Request\r\n\r\n")

    with srv.tcp(http) as h:
        r = proto(identify({"modbus": h.port}), "modbus")
    assert r["state"] == "not_this_protocol" and "HTTP/1.0" in r["reason"]


def test_out_of_scope_and_bad_options() -> None:
    scope = parse_scope(["127.0.0.1"])
    target = parse_scope(["127.0.0.2"]).targets[0]
    ctx = NetContext(scope, False, timeout_s=TIMEOUT, options={"ics_protocols": ["modbus"]})
    ev = run_net_collector(all_net_collectors()["ics.identify"], ctx, target)
    assert ev.status is EvidenceStatus.ERROR and "outside the declared scope" in (ev.reason or "")
    bad: Optional[Evidence] = identify({"modbus": 502}, ics_protocols=["dnp3"])
    assert bad.status is EvidenceStatus.ERROR and "dnp3" in (bad.reason or "")
