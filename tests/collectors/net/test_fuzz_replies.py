"""Property-based tests of every network reply parser: random and structured garbage never crashes one.

Each parser is fed random bytes and mutations of well-formed replies (bytes
flipped, inserted, cut, lengths changed). The only exception allowed out is
the module's own error type, and it must carry a reason; a parsed result
must be plain data of the declared shape. Profiles: ``tests.fuzzing`` (CI:
500 derandomized examples per parser; ``RISKAGENT_FUZZ=long``: 100,000).
Every crash the fuzzing found is kept as an ``@example``.

Parsers covered (the count is asserted below, so a new one is added here):
HTTP head, HTTP response (framing, chunked, gzip/deflate), web header facts,
server URLs (redaction), TLS server flight (raw hello), TLS certificate,
MQTT CONNACK, MQTT SUBACK/PUBLISH stream, Modbus, S7comm, EtherNet/IP,
OPC UA, BACnet, Redis, Kafka, Elasticsearch, progress-line sanitiser.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import struct
import zlib
from typing import Any, List, Sequence

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.x509.oid import NameOID
from hypothesis import example, given
from hypothesis import strategies as st

from collectors.facts import check_shape
from collectors.net import backends, ics, mqtt, web
from collectors.net.backends import _Fail
from collectors.net.http_client import MAX_HEAD_BYTES, HttpClientError, HttpResponse, parse_head, parse_response
from collectors.net.ics import IcsReplyError
from collectors.net.mqtt import _PortError
from collectors.net.mqtt_facts import MqttListenFacts
from collectors.net.safetext import safe_line
from collectors.net.tls import certificate_facts, parse_flight
from collectors.net.tls_facts import CertificateFacts
from collectors.net.urls import public_url
from collectors.net.web_facts import CookieFacts, DisclosureFacts, HeadersFacts, PlainHttpFacts
from tests.fuzzing import fuzz
from tests.servers import backends as backend_servers
from tests.servers import ics as ics_servers

PARSERS = (
    "http head",
    "http response",
    "web header facts",
    "server urls",
    "tls server flight",
    "tls certificate",
    "mqtt connack",
    "mqtt listen",
    "modbus",
    "s7",
    "enip",
    "opcua",
    "bacnet",
    "redis",
    "kafka",
    "elasticsearch",
    "progress lines",
)


def test_every_parser_is_listed() -> None:
    """The module docstring and this list name the same parsers; the report quotes the count."""
    assert len(PARSERS) == 17
    tests = [name for name in globals() if name.startswith("test_fuzz_")]
    assert len(tests) == len(PARSERS), tests


# ----------------------------------------------------------------------------- strategies


@st.composite
def mutated(draw: st.DrawFn, seeds: Sequence[bytes]) -> bytes:
    """A well-formed reply with up to six edits: a byte changed, bytes inserted or deleted, a cut."""
    data = bytearray(draw(st.sampled_from(list(seeds))))
    for _ in range(draw(st.integers(0, 6))):
        op = draw(st.integers(0, 4))
        at = draw(st.integers(0, len(data)))
        if op == 0 and data:
            data[min(at, len(data) - 1)] = draw(st.integers(0, 255))
        elif op == 1:
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif op == 2:
            del data[at : at + draw(st.integers(1, 8))]
        elif op == 3:
            del data[at:]
        elif data:  # a length-ish field set to an extreme
            data[min(at, len(data) - 1)] = draw(st.sampled_from([0x00, 0x01, 0x7F, 0x80, 0xFF]))
    return bytes(data)


def replies(seeds: Sequence[bytes]) -> st.SearchStrategy[bytes]:
    return st.one_of(st.binary(max_size=512), mutated(seeds))


def pieces(data: bytes, size: int) -> List[bytes]:
    """``data`` as a stream hands it out, ``size`` bytes at a time."""
    return [data[i : i + size] for i in range(0, len(data), size)] or [b""]


def json_safe(value: Any) -> None:
    json.dumps(value)


# ----------------------------------------------------------------------------- HTTP

HTTP_SEEDS = (
    b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 13\r\n\r\n<html></html>",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;x=y\r\n world\r\n0\r\n\r\n",
    b"HTTP/1.0 302 Found\r\nLocation: /next?sid=1#f\r\nSet-Cookie: sid=abc; Secure; HttpOnly; SameSite=Lax\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 33\r\n\r\n" + gzip.compress(b"Index of /files/"),
    b"HTTP/1.1 200 OK\r\nContent-Encoding: deflate\r\n\r\n" + zlib.compress(b"<title>phpinfo()</title>"),
    b"HTTP/1.1 200 OK\r\nStrict-Transport-Security: max-age=31536000; includeSubDomains\r\n"
    b"Content-Security-Policy: default-src 'self'; frame-ancestors 'none'\r\nX-Frame-Options: DENY\r\n"
    b"Server: nginx/1.22.1\r\n X-Folded: yes\r\n\r\n",
)


@given(st.one_of(st.binary(max_size=300), mutated([s.split(b"\r\n\r\n", 1)[0] for s in HTTP_SEEDS])))
@example(b"HTTP/1.1 200 OK\r\nX: \xb2")
@example(b"HTTP/1.1 200 OK\r\n\x00: x")
@example(b"HTTP/1.1 200 OK\r\nX: " + b"a" * MAX_HEAD_BYTES)
@fuzz
def test_fuzz_http_head(head: bytes) -> None:
    try:
        status, reason, headers = parse_head(head)
    except HttpClientError as exc:
        assert exc.message
        return
    assert 100 <= status <= 999 and isinstance(reason, str)
    assert all(isinstance(n, str) and isinstance(v, str) for n, v in headers)


@given(replies(HTTP_SEEDS), st.sampled_from(["GET", "HEAD"]), st.sampled_from([16, 1024, 65536]))
@example(b"HTTP/1.1 200 OK\r\nContent-Length: \xb2\r\n\r\nabc", "GET", 1024)  # "²".isdigit() is True, int("²") fails
@example(b"HTTP/1.1 200 OK\r\nContent-Length: " + b"9" * 5000 + b"\r\n\r\n", "GET", 1024)  # int() of 5,000 digits
@example(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n", "GET", 1024)  # negative chunk
@example(b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n\r\n" + gzip.compress(b"\0" * (1 << 20)), "GET", 16)  # a bomb
@fuzz
def test_fuzz_http_response(raw: bytes, method: str, limit: int) -> None:
    try:
        resp = parse_response(raw, method=method, body_limit=limit)
    except HttpClientError as exc:
        assert exc.message and exc.kind
        return
    assert len(resp.body) <= limit
    assert resp.body_error is None or resp.body == b""


_HOSTILE_VALUES = (
    "\x1b[2K\x1b]0;pwned\x07",
    "<script>alert(1)</script>",
    "[a](javascript:alert(1))",
    "a|b|c",
    "max-age=" + "9" * 5000,
    "max-age=\xb2",
    "http://[::1",
    "//evil.example/x?sid=1",
    "http://user:pw@127.0.0.1:1/x;jsessionid=1?sid=2#t",
)
_HEADER_NAMES = (
    "Location",
    "Set-Cookie",
    "X-Frame-Options",
    "Referrer-Policy",
    "Server",
    "X-Powered-By",
    "X-AspNet-Version",
    "X-Content-Type-Options",
    "Strict-Transport-Security",
    "Content-Security-Policy",
    "Content-Length",
    "Content-Type",
    "Access-Control-Allow-Origin",
)
header_value = st.one_of(st.sampled_from(_HOSTILE_VALUES), st.text(max_size=80), st.text(alphabet="0123456789;=,* \x00\xb2", max_size=40))


@given(st.lists(st.tuples(st.sampled_from(_HEADER_NAMES), header_value), max_size=12), st.integers(100, 599), st.binary(max_size=64))
@example([("Strict-Transport-Security", "max-age=\xb2")], 200, b"")  # isdigit() then int(): ValueError
@example([("Strict-Transport-Security", "max-age=" + "9" * 5000)], 200, b"")  # more digits than int() takes
@example([("Content-Length", "\xb2\xb3")], 200, b"PK\x03\x04")
@example([("Location", "http://[::1")], 302, b"")  # urljoin/urlsplit raise ValueError
@fuzz
def test_fuzz_web_header_facts(headers: List[Any], status: int, body: bytes) -> None:
    resp = HttpResponse(status, "X", tuple(headers), body, False, 1)
    for scheme in ("http", "https"):
        check_shape(web._headers(resp, scheme), HeadersFacts)
    for cookie in web._cookies([resp]):
        check_shape(cookie, CookieFacts)
    check_shape(web._disclosure([resp]), DisclosureFacts)
    plain = web._classify_plain(resp, "http://127.0.0.1/", "127.0.0.1", "port 80")
    check_shape(plain, PlainHttpFacts)
    if plain["location"] is not None:
        assert "?" not in plain["location"] and "#" not in plain["location"]
    web.listing_marker(resp)
    for path, kind in web.SENSITIVE_PATHS:
        web.exposure_marker(kind, path, resp)
    location = resp.header("Location")
    if location is not None:
        joined = web._join("http://127.0.0.1/a?b", location)
        if joined is not None:
            web._split(joined)


@given(st.one_of(st.text(max_size=120), st.sampled_from(_HOSTILE_VALUES), st.from_regex(r"https?://[a-z@:.]{0,20}/[a-z;=/]{0,20}\?[a-z=&]{0,20}(#.*)?", fullmatch=True)))
@example("http://[::1/x?sid=1")
@example("http://user:secret@host/p;jsessionid=abc?sid=1#frag")
@fuzz
def test_fuzz_server_urls(url: str) -> None:
    out = public_url(url)
    assert "?" not in out and "#" not in out and ";" not in out.split("//", 1)[-1].split("/", 1)[-1]
    assert "secret" not in out and len(out) <= 512


# ----------------------------------------------------------------------------- TLS


def _record(kind: int, body: bytes) -> bytes:
    return bytes([kind, 3, 3]) + struct.pack("!H", len(body)) + body


def _handshake(kind: int, body: bytes) -> bytes:
    return bytes([kind]) + len(body).to_bytes(3, "big") + body


_SERVER_HELLO = _handshake(2, b"\x03\x03" + b"\x11" * 32 + b"\x00" + b"\x00\x33" + b"\x00")
_SKE = _handshake(12, struct.pack("!H", 256) + b"\xff" * 256 + struct.pack("!H", 1) + b"\x02")
TLS_SEEDS = (
    _record(0x16, _SERVER_HELLO),
    _record(0x16, _SERVER_HELLO + _handshake(11, b"\x00\x00\x00") + _SKE),
    _record(0x16, _SERVER_HELLO) + _record(0x16, _SKE[:100]) + _record(0x16, _SKE[100:]),
    _record(0x15, b"\x02\x28"),
    b"\x16\x03\x03\x40\x00" + b"\x02" * 10,
)


@given(replies(TLS_SEEDS), st.booleans())
@fuzz
def test_fuzz_tls_server_flight(data: bytes, want_kex: bool) -> None:
    status, suite, reason, _protocol, _bits = parse_flight(data, (0x0033, 0x000A), want_kex)
    assert status in ("accepted", "refused", "error")
    assert status == "accepted" or reason
    assert suite is None or 0 <= suite <= 0xFFFF


def _certificate() -> bytes:
    """The same DER every run (Ed25519 signatures are deterministic), so the derandomized search is too."""
    key = ed25519.Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "fuzz.example")])
    start = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(7)
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=3650))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("fuzz.example"), x509.DNSName("*.fuzz.example")]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.UnrecognizedExtension(x509.ObjectIdentifier("1.2.3.4"), b"\x05\x00"), critical=False)
        .add_extension(x509.UnrecognizedExtension(x509.ObjectIdentifier("1.2.3.5"), b"\x05\x00"), critical=False)
    )
    return cert.sign(key, None).public_bytes(serialization.Encoding.DER)


CERT_DER = _certificate()
_ED25519 = bytes.fromhex("06032b6570")
_SPKI_OID_AT = CERT_DER.find(_ED25519, CERT_DER.find(_ED25519) + 1)  # the key's algorithm, not the signature's
UNKNOWN_KEY_DER = CERT_DER[:_SPKI_OID_AT] + bytes.fromhex("06032b657f") + CERT_DER[_SPKI_OID_AT + 5 :]
DUPLICATE_EXTENSION_DER = CERT_DER.replace(bytes.fromhex("06032a0305"), bytes.fromhex("06032a0304"))
INVALID_VERSION_DER = CERT_DER.replace(bytes.fromhex("a003020102"), bytes.fromhex("a003020105"), 1)


@given(st.one_of(st.binary(max_size=200), mutated([CERT_DER])), st.sampled_from(["fuzz.example", "a.fuzz.example", "127.0.0.1"]))
@example(UNKNOWN_KEY_DER, "fuzz.example")  # public_key(): UnsupportedAlgorithm escaped as a collector bug
@example(DUPLICATE_EXTENSION_DER, "fuzz.example")  # .extensions: DuplicateExtension is not a ValueError
@example(INVALID_VERSION_DER, "fuzz.example")  # load: InvalidVersion is not a ValueError
@fuzz
@example(der=b"0\x82\x01<0\x81\xef\xa0\x03\x02\x01\x02\x02\x01\x070\x05\x06\x03+ep0\x171\x150\x13\x06\x03U\x04\x03\x0c\x0cfuzz.example0\x1e\x17\r260101000000Z\x17\r351230000000Z0\x171\x150\x13\x06\x03U\x04\x03\x03\x0cfuzz.example0*0\x05\x06\x03+ep\x03!\x00\x03\xa1\x07\xbf\xf3\xce\x10\xbe\x1dp\xdd\x18\xe7K\xc0\x99g\xe4\xd60\x9b\xa5\r_\x1d\xdc\x86d\x12U1\xb8\xa3`0^0'\x06\x03U\x1d\x11\x04 0\x1e\x82\x0cfuzz.example\x82\x0e*.fuzz.example0\x1d\x06\x03U\x1d\x0e\x04\x16\x04\x14\xfd\x81\xa6\xdbd\xd6\xfa\xf7\xf7\x02\xc0yq\xa8,%\xc1\xdc<\x900\t\x06\x03*\x03\x04\x04\x02\x05\x000\t\x06\x03*\x03\x05\x04\x02\x05\x000\x05\x06\x03+ep\x03A\x00\xdf:\xb8\x9b\xd1\xb5J\xba_v3\xf3\xde\x80\xb9\xb0\xfb\x07\x0f\xc0\xe6\x80\x92\xb3\x0b\xbf\x12;W~\x1f\x12\xd0&>\x9b\xb3\xdf\x15$\x19\x12\x96\x1b\xc9;\x8a\xb7AL j\xb7\x03\x11\xb63\x15_x\xdcY\xd8\x02", host="fuzz.example")  # a CN encoded as a BIT STRING (the long run's find)
def test_fuzz_tls_certificate(der: bytes, host: str) -> None:
    try:
        facts = certificate_facts(der, host)
    except ValueError:  # the documented error: the collector reports an unparsable certificate
        return
    check_shape(facts, CertificateFacts)


# ----------------------------------------------------------------------------- MQTT

MQTT_CONNACK_SEEDS = (b"\x20\x02\x00\x00", b"\x20\x02\x01\x05", b"\x20\x03\x00\x00\x00")
MQTT_STREAM_SEEDS = (
    b"\x90\x03\x00\x01\x00\x90\x03\x00\x02\x80" + b"\x30\x07\x00\x03abcXY" + b"\x30\x0a\x00\x08$SYS/up1",
    b"\x30\x05\x00\x40abc",
    b"\xd0\x00\x30\x80\x80\x80\x80\x01",
)


@given(replies(MQTT_CONNACK_SEEDS))
@fuzz
def test_fuzz_mqtt_connack(data: bytes) -> None:
    try:
        code = mqtt.parse_connack(data)
    except _PortError as exc:
        assert exc.message and exc.reason
        return
    assert 0 <= code <= 255


@given(replies(MQTT_STREAM_SEEDS), st.integers(1, 5))
@fuzz
def test_fuzz_mqtt_listen(data: bytes, max_topics: int) -> None:
    try:
        facts = mqtt.parse_listen(data, max_topics)
    except _PortError as exc:
        assert exc.message
        return
    check_shape(facts, MqttListenFacts)
    assert facts["topic_count"] + facts["sys_topic_count"] <= max_topics
    assert all(t.isprintable() for t in facts["topics"] + facts["sys_topics"])


# ----------------------------------------------------------------------------- industrial protocols


def _identify(proto: str, chunks: Sequence[bytes]) -> None:
    try:
        identity = ics.parse_replies(proto, chunks)
    except IcsReplyError as exc:
        assert str(exc)
        return
    json_safe(identity)


def _modbus_reply(tid: int, objects: Sequence[bytes], more: int = 0, nxt: int = 0) -> bytes:
    pdu = bytes([0x2B, 0x0E, 0x01, 0x81, more, nxt, len(objects)])
    pdu += b"".join(bytes([i, len(o)]) + o for i, o in enumerate(objects))
    return struct.pack(">HHHB", tid, 0, len(pdu) + 1, 1) + pdu


MODBUS_SEEDS = (
    _modbus_reply(1, [b"AcmeCorp", b"PLC-9000", b"1.2.3"]),
    _modbus_reply(1, [b"Acme"], 0xFF, 3) + _modbus_reply(2, [b"x", b"y", b"z", b"Name"]),
    struct.pack(">HHHB", 1, 0, 3, 1) + b"\xab\x02",
)


@given(replies(MODBUS_SEEDS), st.integers(1, 64))
@fuzz
def test_fuzz_modbus(data: bytes, size: int) -> None:
    _identify("modbus", pieces(data, size))


S7_SEEDS = (
    ics_servers._tpkt(bytes.fromhex("11d00014000100c0010ac1020100c2020102"))
    + ics_servers._tpkt(b"\x02\xf0\x80" + struct.pack(">BBHHHHBB", 0x32, 0x03, 0, 1, 8, 0, 0, 0) + bytes.fromhex("f0000001000100f0"))
    + ics_servers._szl(0x0011)
    + ics_servers._szl(0x001C),
)


@given(replies(S7_SEEDS), st.integers(1, 256))
@fuzz
def test_fuzz_s7(data: bytes, size: int) -> None:
    _identify("s7", pieces(data, size))


def _enip_reply() -> bytes:
    name = b"1756-EN2T/D"
    sockaddr = struct.pack(">HH4s8s", 2, 44818, bytes([127, 0, 0, 1]), b"\0" * 8)
    item = struct.pack("<H", 1) + sockaddr + struct.pack("<HHHBBHI", 1, 12, 166, 11, 2, 0x30, 0xC0FFEE) + bytes([len(name)]) + name + b"\x03"
    data = struct.pack("<HHH", 1, 0x0C, len(item)) + item
    return struct.pack("<HHII", 0x63, len(data), 0, 0) + b"\0" * 12 + data


@given(replies((_enip_reply(),)), st.integers(1, 64))
@fuzz
def test_fuzz_enip(data: bytes, size: int) -> None:
    _identify("enip", pieces(data, size))


def _opcua_replies(diagnostic: bytes = b"\x00") -> bytes:
    s, rh = ics_servers._s, ics_servers._response_header
    ack = b"ACKF" + struct.pack("<I", 28) + struct.pack("<IIIII", 0, 65536, 65536, 0, 0)
    opn_payload = (
        struct.pack("<I", 7)
        + s("http://opcfoundation.org/UA/SecurityPolicy#None")
        + struct.pack("<ii", -1, -1)
        + struct.pack("<II", 1, 1)
        + struct.pack("<BBH", 1, 0, 449)
        + struct.pack("<qII", 0, 1, 0)
        + diagnostic
        + struct.pack("<i", -1)
        + b"\x00\x00\x00"
        + struct.pack("<IIIqI", 0, 7, 1, 0, 3600000)
        + struct.pack("<i", 0)
    )
    opn = b"OPNF" + struct.pack("<I", 8 + len(opn_payload)) + opn_payload
    eps = b"".join(ics_servers._endpoint("opc.tcp://127.0.0.1:4840", *e) for e in ics_servers.INSECURE_ENDPOINTS)
    msg_payload = struct.pack("<II", 7, 1) + struct.pack("<II", 2, 2) + struct.pack("<BBH", 1, 0, 431) + rh(2) + struct.pack("<i", 2) + eps
    msg = b"MSGF" + struct.pack("<I", 8 + len(msg_payload)) + msg_payload
    return ack + opn + msg


OPCUA_SEEDS = (_opcua_replies(), _opcua_replies(b"\x40" * 40 + b"\x00"), b"ERRF" + struct.pack("<I", 16) + struct.pack("<I", 0x80010000) + struct.pack("<i", 2) + b"no")


@given(replies(OPCUA_SEEDS), st.integers(1, 512))
@example(_opcua_replies(b"\x40" * 5000 + b"\x00"), 512)  # DiagnosticInfo nested 5,000 deep: RecursionError
@fuzz
def test_fuzz_opcua(data: bytes, size: int) -> None:
    _identify("opcua", pieces(data, size))


def _bacnet_ack(invoke: int, prop: int, value: bytes) -> bytes:
    apdu = bytes([0x30, invoke, 0x0C, 0x0C]) + struct.pack(">I", (8 << 22) | 4194303) + bytes([0x19, prop, 0x3E, 0x75, len(value) + 1, 0])
    apdu += value + b"\x3f"
    npdu = b"\x01\x00"
    return b"\x81\x0a" + struct.pack(">H", 4 + len(npdu) + len(apdu)) + npdu + apdu


BACNET_SEEDS = (_bacnet_ack(1, 0x79, b"Acme"), _bacnet_ack(2, 0x46, b"ABC-1000"), _bacnet_ack(3, 0x2C, b"4.2.1"))


@given(st.lists(replies(BACNET_SEEDS), min_size=1, max_size=3))
@example([b"\x81\x0a\x00\x0b\x01\x00\x30\x01\x0c\x3e\x75"])  # extended length with no length octet: IndexError
@fuzz
def test_fuzz_bacnet(datagrams: List[bytes]) -> None:
    _identify("bacnet", datagrams)


# ----------------------------------------------------------------------------- backends


def _service(name: str, chunks: Sequence[bytes]) -> None:
    try:
        facts = backends.parse_service(name, chunks)
    except _Fail as exc:
        assert exc.message and exc.reason
        return
    json_safe(facts)
    assert facts["state"] in ("open", "auth_required", "protected_mode", "other")


REDIS_SEEDS = (
    b"+PONG\r\n$49\r\n# Server\r\nredis_version:5.0.7\r\nredis_mode:standalone\r\n\r\n",
    b"-NOAUTH Authentication required.\r\n",
    b"-DENIED Redis is running in protected mode\r\n",
)


@given(replies(REDIS_SEEDS), st.integers(1, 64))
@fuzz
def test_fuzz_redis(data: bytes, size: int) -> None:
    _service("redis", pieces(data, size))


def _kafka_frame(correlation: int, body: bytes) -> bytes:
    reply = struct.pack(">i", correlation) + body
    return struct.pack(">i", len(reply)) + reply


KAFKA_SEEDS = (
    _kafka_frame(1, backend_servers._api_versions()) + _kafka_frame(2, backend_servers._metadata(backend_servers.KAFKA_TOPICS)),
    _kafka_frame(1, backend_servers._api_versions()),
)


@given(replies(KAFKA_SEEDS), st.integers(1, 128))
@fuzz
def test_fuzz_kafka(data: bytes, size: int) -> None:
    _service("kafka", pieces(data, size))


ES_SEEDS = (
    b'{"name":"n1","cluster_name":"c","version":{"number":"7.10.2"}}',
    b'{"error":"unauthorized"}',
    b'{"cluster_name":1,"version":[1]}',
)


@given(replies(ES_SEEDS), st.sampled_from([200, 401, 403, 500]))
@fuzz
def test_fuzz_elasticsearch(body: bytes, status: int) -> None:
    facts = backends.elasticsearch_reply(HttpResponse(status, "X", (), body, False, 1))
    json_safe(facts)
    assert facts["state"] in ("open", "auth_required", "other")


# ----------------------------------------------------------------------------- progress lines


@given(st.text(max_size=300))
@example("\x1b[2K\x1b]0;pwned\x07\u202e\u200b\ud800\n\t")
@fuzz
def test_fuzz_progress_lines(text: str) -> None:
    """The collectors' own sanitiser follows report.terminal.safe_line exactly (collectors may not import report)."""
    from report.terminal import safe_line as report_safe_line

    out = safe_line(text)
    assert out == report_safe_line(text)
    assert not any(c in out for c in "\x1b\x07\n\r\x9b")

