"""Telematics backend services reachable without authentication (PROTOCOLS.md §3.2), read-only.

Collector ``telematics.backends`` (host targets) asks, one service at a time:

* Redis: ``PING`` then, on ``+PONG``, ``INFO server``. ``+PONG`` means open
  (only ``redis_version`` is kept from INFO); ``-NOAUTH``/``-WRONGPASS`` mean
  a password is required; ``-DENIED`` is protected mode refusing a remote
  client without a password.
* Elasticsearch: ``GET /`` through ``collectors.net.http_client`` (hard
  deadline). 200 with ``cluster_name`` and ``version.number`` = open (the
  version is kept); 401/403 = authentication required.
* Kafka: one ApiVersions v0 request; if answered, one Metadata v0 request
  with an EMPTY topic list (v0: all topics; never a named topic, which could
  auto-create it). Brokers in the answer = unauthenticated access; only the
  broker count and the topic COUNT are kept. A broker that requires SASL
  answers ApiVersions and closes on Metadata: that is "auth_required".

Collector ``telematics.ota`` (URL targets) GETs a fixed list of firmware
paths at the URL's origin and keeps, per path, the status and a directory
listing marker name; no bodies, no file names.

Do-no-harm: at most ``MAX_REQUESTS_PER_SERVICE`` requests per service, one
connection at a time, ``MIN_INTERVAL_MS`` between two packets to the device
(shared :class:`collectors.net.pacing.Pacer`), every read under a deadline. A
garbage, closed or silent service becomes state "error" with a reason; when
no service answered at all the collector raises CollectError.

Options read from ``NetContext.options``:

* ``backend_ports``: ``{"redis": 6379, "elasticsearch": 9200, "kafka": 9092}``;
  a service set to None or 0 is skipped.
* ``elasticsearch_scheme``: "http" (default) or "https".

The facts shapes, the keys ``BACKENDS`` and ``OTA`` and the service names live
in :mod:`collectors.net.backends_facts`, which the checks import without this module.
"""

from __future__ import annotations

import re
import struct
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from collectors.evidence import CollectError, ErrorReason, NotApplicable
from collectors.net import netio
from collectors.net.backends_facts import (
    BACKENDS,
    ELASTICSEARCH,
    KAFKA,
    OTA,
    REDIS,
    BackendsFacts,
    OtaFacts,
    OtaPathFacts,
    ServiceFacts,
    ServiceReplyFacts,
)
from collectors.net.http_client import HttpClientError, HttpResponse, request
from collectors.net.mqtt import MIN_INTERVAL_MS
from collectors.net.netio import Deadline
from collectors.net.pacing import Pacer
from collectors.net.registry import NetProbe, net_collector
from collectors.net.scope import Target
from collectors.net.web import listing_marker

DEFAULT_PORTS: Dict[str, int] = {REDIS: 6379, ELASTICSEARCH: 9200, KAFKA: 9092}
MAX_REQUESTS_PER_SERVICE = 2
MAX_REPLY_BYTES = 1 << 20
OTA_PATHS: Tuple[str, ...] = ("/ota/", "/firmware/", "/update/", "/updates/", "/fota/")
OTA_BODY_LIMIT = 16 * 1024
CLIENT_ID = b"riskagent"
_VERSION = re.compile(r"^[0-9][0-9A-Za-z.+_-]{0,31}$")


class _Fail(Exception):
    """A service could not be judged; ``reason`` goes into the facts."""

    def __init__(self, reason: ErrorReason, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


class _Conn:
    """One TCP connection, paced and counted; every reply complete within one deadline."""

    def __init__(self, endpoint: str, sock: Optional[netio.Wire], pacer: Pacer, timeout_s: float, overall: Optional[float]) -> None:
        self.endpoint = endpoint
        self.sock = sock
        self.pacer = pacer
        self.timeout_s = timeout_s
        self.overall = overall
        self.deadline = Deadline.within(timeout_s, overall)
        self.buf = b""
        self.requests = 0

    @classmethod
    def open(cls, probe: NetProbe, pacer: Pacer, host: str, port: int, protocol: str) -> _Conn:
        """Connect to the address the scope approved for ``host``; ``sock`` is None when nothing listens."""
        endpoint = f"{host}:{port}"
        address = probe.addresses(host)[0]
        probe.require_in_scope(address)
        step = probe.step()
        if step.left() <= 0:
            raise _Fail(ErrorReason.TIMEOUT, f"{endpoint}: not probed: time budget exceeded (the collector's deadline)")
        sock: Optional[netio.Wire]
        try:
            with pacer.sending():
                step = probe.step()  # counted from the end of the pacing wait
                sock = netio.connect(address, port, step)
        except TimeoutError:
            probe.record(endpoint, protocol, "connect timeout")
            if step.budget:
                raise _Fail(ErrorReason.TIMEOUT, step.stalled(endpoint, "connecting")) from None
            sock = None
        except ConnectionRefusedError:
            probe.record(endpoint, protocol, "connection refused")
            sock = None
        except OSError as exc:
            probe.record(endpoint, protocol, f"connect failed: {exc.strerror or exc}")
            raise _Fail(ErrorReason.UNSUPPORTED, f"{endpoint}: connect failed: {exc.strerror or exc}") from None
        return cls(endpoint, sock, pacer, probe.ctx.timeout_s, probe.deadline)

    def send(self, data: bytes) -> None:
        if self.requests >= MAX_REQUESTS_PER_SERVICE:
            raise RuntimeError("request budget of one service exceeded")
        assert self.sock is not None
        try:
            with self.pacer.sending():
                self.requests += 1
                self.deadline = Deadline.within(self.timeout_s, self.overall)  # each reply gets its own deadline
                self.sock.settimeout(self.deadline.remaining())
                self.sock.sendall(data)
        except TimeoutError:
            raise _Fail(ErrorReason.TIMEOUT, self.deadline.stalled(self.endpoint, "sending the request")) from None
        except OSError as exc:
            raise _Fail(ErrorReason.UNSUPPORTED, f"{self.endpoint}: send failed: {exc}") from None

    def fill(self) -> bool:
        """More bytes into the buffer; False when the peer closed."""
        assert self.sock is not None
        try:
            self.sock.settimeout(self.deadline.remaining())
            data = self.sock.recv(65536)
        except TimeoutError:
            what = f"reading the reply ({len(self.buf)} bytes so far)" if self.buf else "waiting for a reply (no complete reply)"
            raise _Fail(ErrorReason.TIMEOUT, self.deadline.stalled(self.endpoint, what)) from None
        except ConnectionResetError:
            return False
        except OSError as exc:
            raise _Fail(ErrorReason.UNSUPPORTED, f"{self.endpoint}: read failed: {exc}") from None
        if not data:
            return False
        self.buf += data
        if len(self.buf) > MAX_REPLY_BYTES:
            raise _Fail(ErrorReason.MALFORMED, f"{self.endpoint}: reply larger than {MAX_REPLY_BYTES} bytes")
        return True

    def closed_error(self, what: str) -> _Fail:
        return _Fail(ErrorReason.UNSUPPORTED, f"{self.endpoint}: connection closed before {what}")

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()


# -- Redis -------------------------------------------------------------------------------


def _redis_line(conn: _Conn, what: str) -> bytes:
    while b"\r\n" not in conn.buf:
        if len(conn.buf) > 4096 or (conn.buf and conn.buf[:1] not in b"+-:$*"):
            break
        if not conn.fill():
            raise conn.closed_error(what)
    if conn.buf[:1] not in (b"+", b"-", b":", b"$", b"*") or b"\r\n" not in conn.buf:
        raise _Fail(ErrorReason.MALFORMED, f"{conn.endpoint}: reply to {what} is not Redis protocol ({conn.buf[:16]!r})")
    line, _, conn.buf = conn.buf.partition(b"\r\n")
    return line


def _resp(*args: bytes) -> bytes:
    return b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args)


def _redis(conn: _Conn) -> ServiceReplyFacts:
    conn.send(_resp(b"PING"))
    line = _redis_line(conn, "PING")
    text = line.decode("latin-1")[:120]
    upper = text.upper()
    if line.startswith(b"-"):
        if upper.startswith(("-NOAUTH", "-WRONGPASS")) or "AUTH" in upper:
            return {"state": "auth_required", "reply": text.split(" ", 1)[0][1:]}
        if upper.startswith("-DENIED"):
            return {"state": "protected_mode", "reply": "DENIED"}
        return {"state": "other", "reply": text.split(" ", 1)[0][1:]}
    if line != b"+PONG":
        raise _Fail(ErrorReason.MALFORMED, f"{conn.endpoint}: unexpected reply to PING ({line[:32]!r})")
    out: ServiceReplyFacts = {"state": "open", "redis_version": None}
    conn.send(_resp(b"INFO", b"server"))
    head = _redis_line(conn, "INFO")
    if head.startswith(b"$") and head[1:].isdigit():
        size = int(head[1:])
        while len(conn.buf) < size + 2:
            if not conn.fill():
                raise conn.closed_error("the end of the INFO reply")
        for raw in conn.buf[:size].split(b"\r\n"):
            if raw.startswith(b"redis_version:"):
                version = raw.split(b":", 1)[1].decode("latin-1").strip()
                out["redis_version"] = version if _VERSION.match(version) else None
    return out


# -- Kafka -------------------------------------------------------------------------------


def _kafka_request(api_key: int, correlation: int, body: bytes) -> bytes:
    payload = struct.pack(">hhih", api_key, 0, correlation, len(CLIENT_ID)) + CLIENT_ID + body
    return struct.pack(">i", len(payload)) + payload


def _kafka_reply(conn: _Conn, correlation: int, what: str) -> Optional[bytes]:
    """The reply body after the correlation id; None when the broker closed instead of answering."""
    while len(conn.buf) < 4:
        if not conn.fill():
            return None
    (size,) = struct.unpack(">i", conn.buf[:4])
    if not 4 <= size <= MAX_REPLY_BYTES:
        raise _Fail(ErrorReason.MALFORMED, f"{conn.endpoint}: reply to {what} is not Kafka protocol (size {size})")
    while len(conn.buf) < 4 + size:
        if not conn.fill():
            raise conn.closed_error(f"the end of the {what} reply")
    frame, conn.buf = conn.buf[4 : 4 + size], conn.buf[4 + size :]
    if struct.unpack(">i", frame[:4])[0] != correlation:
        raise _Fail(ErrorReason.MALFORMED, f"{conn.endpoint}: {what} reply has the wrong correlation id")
    return frame[4:]


class _Reader:
    """Bounds-checked big-endian reads over a Kafka reply."""

    def __init__(self, data: bytes, endpoint: str) -> None:
        self.data, self.pos, self.endpoint = data, 0, endpoint

    def take(self, fmt: str) -> int:
        size = struct.calcsize(fmt)
        if self.pos + size > len(self.data):
            raise _Fail(ErrorReason.MALFORMED, f"{self.endpoint}: truncated Kafka reply")
        (value,) = struct.unpack_from(fmt, self.data, self.pos)
        self.pos += size
        return int(value)

    def skip(self, fmt: str) -> None:
        size = struct.calcsize(fmt)
        if self.pos + size > len(self.data):
            raise _Fail(ErrorReason.MALFORMED, f"{self.endpoint}: truncated Kafka reply")
        self.pos += size

    def string(self) -> None:
        n = self.take(">h")
        if n > 0:
            self.pos += n
            if self.pos > len(self.data):
                raise _Fail(ErrorReason.MALFORMED, f"{self.endpoint}: truncated Kafka reply")

    def count(self) -> int:
        n = self.take(">i")
        if n < -1 or n > 100000:
            raise _Fail(ErrorReason.MALFORMED, f"{self.endpoint}: implausible Kafka array length {n}")
        return max(n, 0)


def _kafka(conn: _Conn) -> ServiceReplyFacts:
    conn.send(_kafka_request(18, 1, b""))
    body = _kafka_reply(conn, 1, "ApiVersions")
    if body is None:
        raise conn.closed_error("answering ApiVersions")
    r = _Reader(body, conn.endpoint)
    error = r.take(">h")
    apis = r.count()
    for _ in range(apis):
        r.skip(">hhh")
    conn.send(_kafka_request(3, 2, struct.pack(">i", 0)))  # v0, empty list: all topics, none named
    meta = _kafka_reply(conn, 2, "Metadata")
    if meta is None:
        return {"api_versions_error": error, "api_count": apis, "state": "auth_required", "reply": "closed on Metadata"}
    r = _Reader(meta, conn.endpoint)
    brokers = r.count()
    for _ in range(brokers):
        r.skip(">i")
        r.string()
        r.skip(">i")
    topics = r.count()
    for _ in range(topics):
        r.skip(">h")
        r.string()
        for _ in range(r.count()):
            r.skip(">hii")
            for _ in range(r.count()):
                r.skip(">i")
            for _ in range(r.count()):
                r.skip(">i")
    return {
        "api_versions_error": error,
        "api_count": apis,
        "state": "open" if brokers else "other",
        "broker_count": brokers,
        "topic_count": topics,
    }


# -- Elasticsearch -------------------------------------------------------------------------


def _elasticsearch(probe: NetProbe, pacer: Pacer, host: str, port: int, scheme: str) -> ServiceReplyFacts:
    endpoint = f"{scheme}://{host}:{port}/"
    try:
        with pacer.sending():
            resp = request(
                probe.require_in_scope,
                scheme,
                host,
                port,
                "/",
                address=probe.addresses(host)[0],
                timeout_s=probe.ctx.timeout_s,
                deadline=probe.deadline,
            )
    except HttpClientError as exc:
        probe.record(endpoint, "http", exc.message)
        if exc.kind == HttpClientError.REFUSED or exc.kind == HttpClientError.CONNECT_TIMEOUT:
            return {"state": "closed"}
        raise _Fail(exc.error_reason, exc.message) from None
    probe.record(endpoint, "http")
    return elasticsearch_reply(resp)


def elasticsearch_reply(resp: HttpResponse) -> ServiceReplyFacts:
    """What an Elasticsearch answer to ``GET /`` says (no socket)."""
    if resp.status in (401, 403):
        return {"status": resp.status, "state": "auth_required"}
    doc = _json(resp)
    version = doc.get("version") if isinstance(doc, dict) else None
    number = version.get("number") if isinstance(version, dict) else None
    if resp.status == 200 and isinstance(doc, dict) and "cluster_name" in doc and isinstance(number, str):
        return {"status": resp.status, "state": "open", "version": number if _VERSION.match(number) else None}
    return {"status": resp.status, "state": "other"}


def _json(resp: HttpResponse) -> Any:
    import json

    try:
        return json.loads(resp.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None


def parse_service(name: str, replies: Sequence[bytes]) -> ServiceReplyFacts:
    """What a Redis or Kafka service's replies say, without a socket; raises nothing but ``_Fail``.

    Each reply is what one read returns at most; after the last one the service closes.
    """
    conn = _Conn(f"{name}-reply", netio.Replay(replies), Pacer(0.0), 60.0, None)
    return {REDIS: _redis, KAFKA: _kafka}[name](conn)


def _ports(probe: NetProbe) -> Dict[str, int]:
    raw = probe.ctx.options.get("backend_ports", DEFAULT_PORTS)
    if not isinstance(raw, Mapping):
        raise CollectError(ErrorReason.UNSUPPORTED, "option backend_ports must map service names to port numbers")
    out: Dict[str, int] = {}
    for name, port in raw.items():
        if name not in DEFAULT_PORTS:
            raise CollectError(ErrorReason.UNSUPPORTED, f"option backend_ports: unknown service {name!r}")
        if port in (None, 0):
            continue
        if not isinstance(port, int) or isinstance(port, bool) or not 0 < port < 65536:
            raise CollectError(ErrorReason.UNSUPPORTED, f"option backend_ports: {name}={port!r} is not a port number")
        out[name] = port
    return out


@net_collector(
    BACKENDS,
    "Redis, Elasticsearch and Kafka of a telematics backend: reachable without authentication?",
    kinds=("host",),
)
def collect_backends(probe: NetProbe, target: Target) -> BackendsFacts:
    """Each configured service, one connection at a time, read-only requests only."""
    probe.require_in_scope(target.host)
    ports = _ports(probe)
    if not ports:
        raise NotApplicable("no backend services configured (option backend_ports)")
    scheme = probe.ctx.options.get("elasticsearch_scheme", "http")
    if scheme not in ("http", "https"):
        raise CollectError(ErrorReason.UNSUPPORTED, "option elasticsearch_scheme must be http or https")
    host = target.host
    pacer = Pacer(MIN_INTERVAL_MS / 1000)
    services: Dict[str, ServiceFacts] = {}
    socket_probes: Dict[str, Callable[[_Conn], ServiceReplyFacts]] = {REDIS: _redis, KAFKA: _kafka}
    for name, port in ports.items():
        probe.say(f"{name} {host}:{port}")
        out: ServiceFacts
        try:
            if name == ELASTICSEARCH:
                out = {"port": port, **_elasticsearch(probe, pacer, host, port, scheme)}
            else:
                conn = _Conn.open(probe, pacer, host, port, name)
                try:
                    if conn.sock is None:
                        out = {"port": port, "state": "closed"}
                    else:
                        out = {"port": port, **socket_probes[name](conn)}
                        out["requests"] = conn.requests
                        probe.record(conn.endpoint, name)
                finally:
                    conn.close()
        except _Fail as exc:
            out = {"port": port, "state": "error", "error_reason": exc.reason.value, "reason": exc.message}
            probe.record(f"{host}:{port}", name, exc.message)
        services[name] = out
    states = [s["state"] for s in services.values()]
    errors = [s for s in services.values() if s["state"] == "error"]
    if all(st in ("closed", "error") for st in states):
        if errors:
            raise CollectError(ErrorReason(errors[0]["error_reason"]), "; ".join(s["reason"] for s in errors))
        raise NotApplicable(f"none of {', '.join(f'{n} {p}' for n, p in ports.items())} is listening on {host}")
    return {
        "host": host,
        "services": services,
        "unauthenticated": sorted(n for n, s in services.items() if s["state"] == "open"),
        "connects_and_requests": pacer.count,
        "limits": {"min_interval_ms": MIN_INTERVAL_MS, "max_requests_per_service": MAX_REQUESTS_PER_SERVICE},
        "_method": "read-only-service-probe",
    }


# -- OTA / firmware paths --------------------------------------------------------------------


@net_collector(
    OTA,
    "OTA/firmware paths of a URL: served over plain HTTP? directory listing?",
    kinds=("url",),
)
def collect_ota(probe: NetProbe, target: Target) -> OtaFacts:
    """GET each fixed firmware path at the URL's origin; statuses and listing markers only."""
    scheme = target.scheme or "http"
    port = target.port or (443 if scheme == "https" else 80)
    host = target.host
    probe.require_in_scope(host)
    pacer = Pacer(MIN_INTERVAL_MS / 1000)
    paths: Dict[str, OtaPathFacts] = {}
    hostport = f"[{host}]" if ":" in host else host
    for path in OTA_PATHS:
        url = f"{scheme}://{hostport}:{port}{path}"
        try:
            with pacer.sending():
                resp = request(
                    probe.require_in_scope,
                    scheme,
                    host,
                    port,
                    path,
                    address=probe.addresses(host)[0],
                    timeout_s=probe.ctx.timeout_s,
                    body_limit=OTA_BODY_LIMIT,
                    deadline=probe.deadline,
                )
        except HttpClientError as exc:
            probe.record(url, "http", exc.message)
            paths[path] = {"error": exc.message, "error_reason": exc.error_reason.value}
            if exc.error_reason in (ErrorReason.TIMEOUT, ErrorReason.NOT_FOUND):
                break  # a silent or closed origin: the other paths would only wait out the same timeout
            continue
        probe.record(url, "http")
        entry: OtaPathFacts = {"status": resp.status, "listing": listing_marker(resp)}
        if resp.status in (301, 302, 303, 307, 308):
            location = resp.header("Location") or ""
            entry["redirect_https"] = location.lower().startswith("https://")
        paths[path] = entry
    for path in OTA_PATHS:
        paths.setdefault(path, {"error": "not probed after the origin stopped answering", "error_reason": "timeout"})
    answered = [p for p in paths.values() if "status" in p]
    if not answered:
        first = next(iter(paths.values()))
        raise CollectError(ErrorReason(first["error_reason"]), "; ".join(p["error"] for p in paths.values()))
    served: List[str] = [p for p, e in paths.items() if e.get("status") in (200, 206)]
    return {
        "origin": f"{scheme}://{hostport}:{port}",
        "scheme": scheme,
        "plain_http": scheme == "http",
        "paths": paths,
        "served": served,
        "listable": [p for p, e in paths.items() if e.get("listing")],
        "errors": [p for p, e in paths.items() if "error" in e],
        "_method": "http-get-fixed-paths",
    }
