"""MQTT broker exposure of a telematics backend (PROTOCOLS.md §3.1), read-only.

Collector ``mqtt.broker`` asks each configured MQTT port whether an
anonymous client is let in: one MQTT 3.1.1 CONNECT with a random client id,
clean session, no user name or password. If the broker accepts, it
subscribes once (QoS 0) to ``#`` and, separately, to ``$SYS/#`` for a
bounded window and keeps TOPIC NAMES only: payloads are read off the socket
and dropped unseen, since they carry VINs and positions. On the TLS port it
also records the protocol, the leaf certificate and whether the chain is
trusted (system store plus the ``ca_files`` option, ``scan --ca-file``).

Do-no-harm rules, enforced in code and asserted by the tests:

* only CONNECT, SUBSCRIBE and DISCONNECT are ever sent (``SENT_PACKET_TYPES``;
  ``_send`` refuses anything else, PUBLISH above all);
* one connection at a time, and at least ``MIN_INTERVAL_MS`` between two
  packets (or connection attempts) sent to the device;
* at most ``MAX_PACKETS_PER_CONNECTION`` MQTT packets per connection and at
  most ``MAX_CONNECTIONS`` connections per run (plain, TLS, TLS trust check);
* a deadline on every read; a garbage, closed or silent port becomes a
  CollectError with a reason, never a hang.

Outgoing frames are built with ``scapy.contrib.mqtt`` (imported lazily: it
costs ~0.4 s). Incoming frames are parsed by hand, down to the fixed header,
the CONNACK/SUBACK codes and a PUBLISH topic, so no payload is ever decoded.

Options read from ``NetContext.options``:

* ``mqtt_ports``: ``{"mqtt": 1883, "mqtts": 8883}``; "mqtt" is plain TCP,
  "mqtts" is TLS; a port set to None or 0 is skipped.
* ``mqtt_listen_ms``: how long the wildcard subscription listens (1500).
* ``mqtt_max_topics``: distinct topic names kept at most (200).

The facts shape and the key ``MQTT_BROKER`` live in :mod:`collectors.net.mqtt_facts`,
which the checks import without this module.
"""

from __future__ import annotations

import ipaddress
import secrets
import socket
import ssl
import time
import warnings
from typing import Any, Callable, Dict, List, Literal, Mapping, Optional, Set, Tuple, TypedDict, cast

from collectors.evidence import CollectError, ErrorReason, NotApplicable
from collectors.net import netio
from collectors.net.mqtt_facts import (
    MQTT_BROKER,
    ListenEnd,
    MqttChainFacts,
    MqttFacts,
    MqttListenFacts,
    MqttPortFacts,
    MqttPortState,
    MqttSubscriptionFacts,
    MqttTlsFacts,
)
from collectors.net.netio import Deadline
from collectors.net.pacing import Pacer
from collectors.net.registry import NetProbe, net_collector
from collectors.net.scope import Target
from collectors.net.tls import ExtraTrust, certificate_facts, extra_trust, same_verification_everywhere

DEFAULT_PORTS: Dict[str, int] = {"mqtt": 1883, "mqtts": 8883}
TLS_PORT_NAMES = ("mqtts",)
DEFAULT_LISTEN_MS = 1500
MAX_LISTEN_MS = 10000
DEFAULT_MAX_TOPICS = 200
MAX_MESSAGES = 5000  # PUBLISH frames read at most while listening, whatever their topics
MAX_FRAME_BYTES = 1 << 20  # larger frames are skipped unread (a PUBLISH topic is read first)
MIN_INTERVAL_MS = 50
KEEPALIVE_S = 10

CONNECT, CONNACK, PUBLISH, SUBSCRIBE, SUBACK, DISCONNECT = 1, 2, 3, 8, 9, 14
PACKET_NAMES = {CONNECT: "CONNECT", SUBSCRIBE: "SUBSCRIBE", DISCONNECT: "DISCONNECT"}
# Every MQTT packet type this module may ever send. PUBLISH is never one of them.
SENT_PACKET_TYPES = frozenset({CONNECT, SUBSCRIBE, DISCONNECT})
MAX_PACKETS_PER_CONNECTION = 4  # CONNECT, SUBSCRIBE #, SUBSCRIBE $SYS/#, DISCONNECT
MAX_CONNECTIONS = 3  # plain, TLS, TLS trust check
if PUBLISH in SENT_PACKET_TYPES:  # pragma: no cover - a guard against a future edit
    raise RuntimeError("the MQTT probe must never send PUBLISH")

CONNACK_CODES = {
    0: "accepted",
    1: "unacceptable protocol version",
    2: "identifier rejected",
    3: "server unavailable",
    4: "bad user name or password",
    5: "not authorised",
}


class _PortDraft(TypedDict, total=False):
    """MqttPortFacts while it is being filled in."""

    port: int
    transport: Literal["tcp", "tls"]
    state: MqttPortState
    tls: MqttTlsFacts
    return_code: int
    return_text: str
    error_reason: str
    reason: str
    subscription_error: str


class _PortError(Exception):
    """One port could not be judged; ``reason`` goes into the facts."""

    def __init__(self, reason: ErrorReason, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


class _Stream:
    """A socket with a byte buffer; every read waits only for the time left until its deadline."""

    def __init__(self, sock: netio.Wire, endpoint: str) -> None:
        self.sock = sock
        self.endpoint = endpoint
        self.buf = b""

    def _fill(self, deadline: Deadline) -> bool:
        self.sock.settimeout(deadline.remaining())
        try:
            data = self.sock.recv(65536)
        except ConnectionResetError:
            return False
        if not data:
            return False
        self.buf += data
        return True

    def read(self, n: int, deadline: Deadline) -> Optional[bytes]:
        """Exactly ``n`` bytes, or None if the peer closed first; TimeoutError at the deadline."""
        while len(self.buf) < n:
            if not self._fill(deadline):
                return None
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def skip(self, n: int, deadline: Deadline) -> bool:
        """Drop ``n`` bytes unseen; False if the peer closed first."""
        while n > 0:
            if not self.buf and not self._fill(deadline):
                return False
            take = min(n, len(self.buf))
            self.buf = self.buf[take:]
            n -= take
        return True


def _read_frame_head(stream: _Stream, deadline: Deadline) -> Optional[Tuple[int, int]]:
    """(first byte, remaining length) of the next frame, or None at end of stream."""
    first = stream.read(1, deadline)
    if first is None:
        return None
    length, shift = 0, 0
    for _ in range(4):
        b = stream.read(1, deadline)
        if b is None:
            return None
        length |= (b[0] & 0x7F) << shift
        if not b[0] & 0x80:
            return first[0], length
        shift += 7
    raise _PortError(ErrorReason.MALFORMED, f"{stream.endpoint}: malformed MQTT remaining-length field")


def _frames() -> Any:
    """scapy's MQTT layer, imported on first use (it is slow to import)."""
    from scapy.contrib import mqtt

    return mqtt


class _Session:
    """One MQTT connection: the send side enforces the packet-type and rate rules."""

    def __init__(self, stream: _Stream, pacer: Pacer, client_id: str, sent: Dict[str, int]) -> None:
        self.stream = stream
        self.pacer = pacer
        self.client_id = client_id
        self.sent = sent
        self.packets = 0

    def _send(self, frame: bytes, deadline_of: Callable[[], Deadline]) -> Deadline:
        """Send one frame (a type on the allow-list), paced; the deadline it was sent by.

        ``deadline_of`` is asked after the pacing wait, so neither the wait nor building the
        frame (scapy's first import can take a second on a loaded host) eats the broker's time.
        """
        ptype = frame[0] >> 4
        if ptype not in SENT_PACKET_TYPES:
            raise RuntimeError(f"refusing to send MQTT packet type {ptype}: the probe is read-only")
        if self.packets >= MAX_PACKETS_PER_CONNECTION:
            raise RuntimeError("MQTT packet budget of one connection exceeded")
        name = PACKET_NAMES[ptype]
        with self.pacer.sending():
            deadline = deadline_of()
            try:
                self.stream.sock.settimeout(deadline.remaining())
                self.stream.sock.sendall(frame)
            except TimeoutError:
                raise _PortError(ErrorReason.TIMEOUT, deadline.stalled(self.stream.endpoint, f"sending the {name}")) from None
        self.packets += 1
        self.sent[name] = self.sent.get(name, 0) + 1
        return deadline

    def connect(self, step_of: Callable[[], Deadline]) -> int:
        """Send an anonymous CONNECT; the CONNACK return code, read by the same step's deadline."""
        m = _frames()
        frame = bytes(
            m.MQTT()
            / m.MQTTConnect(
                protoname=b"MQTT",
                protolevel=4,
                cleansess=1,
                usernameflag=0,
                passwordflag=0,
                klive=KEEPALIVE_S,
                clientId=self.client_id.encode(),
            )
        )
        return _read_connack(self.stream, self._send(frame, step_of))

    def subscribe_and_listen(self, window: Deadline, max_topics: int) -> MqttListenFacts:
        """Subscribe to # and $SYS/# (QoS 0), keep topic names seen until the ``window`` closes."""
        m = _frames()
        for pid, topic in ((1, b"#"), (2, b"$SYS/#")):
            self._send(bytes(m.MQTT(QOS=1) / m.MQTTSubscribe(msgid=pid, topics=[m.MQTTTopicQOS(topic=topic, QOS=0)])), lambda: window)
        return _listen(self.stream, window, max_topics)

    def disconnect(self, step_of: Callable[[], Deadline]) -> None:
        try:
            self._send(bytes(_frames().MQTT(type=DISCONNECT)), step_of)
        except (OSError, _PortError):  # a timeout included: the broker is left to notice on its own
            pass


def _read_connack(stream: _Stream, step: Deadline) -> int:
    """The return code of the CONNACK the broker sends next; _PortError for anything else."""
    ep = stream.endpoint
    try:
        head = _read_frame_head(stream, step)
        if head is None:
            raise _PortError(
                ErrorReason.UNSUPPORTED,
                f"{ep}: connection closed without a CONNACK (not an MQTT broker, or it drops this client)",
            )
        first, length = head
        if first != CONNACK << 4 or length < 2 or length > 64:
            raise _PortError(ErrorReason.MALFORMED, f"{ep}: reply is not an MQTT CONNACK (first byte 0x{first:02x})")
        body = stream.read(length, step)
    except TimeoutError:
        raise _PortError(ErrorReason.TIMEOUT, step.stalled(ep, "waiting for the CONNACK (no CONNACK)")) from None
    if body is None:
        raise _PortError(ErrorReason.MALFORMED, f"{ep}: connection closed in the middle of the CONNACK")
    return body[1]


def _listen(stream: _Stream, deadline: Deadline, max_topics: int) -> MqttListenFacts:
    """SUBACK codes and topic names of what the broker sends until ``deadline``; payloads are skipped unread."""
    started = time.monotonic()
    granted: Dict[int, Optional[int]] = {1: None, 2: None}
    topics: List[str] = []
    sys_topics: List[str] = []
    seen: Set[str] = set()
    messages = 0
    truncated = False
    ended: ListenEnd = "window"
    try:
        while True:
            head = _read_frame_head(stream, deadline)
            if head is None:
                ended = "closed"
                break
            first, length = head
            ptype = first >> 4
            if ptype == SUBACK and 3 <= length <= 64:
                body = stream.read(length, deadline)
                if body is None:
                    ended = "closed"
                    break
                pid = int.from_bytes(body[:2], "big")
                if pid in granted:
                    granted[pid] = body[2]
            elif ptype == PUBLISH and length >= 2:
                messages += 1
                raw_len = stream.read(2, deadline)
                if raw_len is None:
                    ended = "closed"
                    break
                tlen = int.from_bytes(raw_len, "big")
                if tlen + 2 > length:
                    raise _PortError(ErrorReason.MALFORMED, f"{stream.endpoint}: PUBLISH topic longer than its frame")
                raw_topic = stream.read(tlen, deadline)
                if raw_topic is None or not stream.skip(length - 2 - tlen, deadline):
                    ended = "closed"
                    break
                name = _topic_name(raw_topic)
                if name not in seen:
                    if len(seen) >= max_topics:
                        truncated = True
                        ended = "topic_limit"
                        break
                    seen.add(name)
                    (sys_topics if name.startswith("$SYS") else topics).append(name)
                if messages >= MAX_MESSAGES:
                    truncated, ended = True, "message_limit"
                    break
            elif length > MAX_FRAME_BYTES or not stream.skip(length, deadline):
                ended = "closed"
                break
    except TimeoutError:
        pass
    return {
        "wildcard_granted": _granted(granted[1]),
        "sys_granted": _granted(granted[2]),
        "topic_count": len(topics),
        "topics": sorted(topics),
        "sys_topic_count": len(sys_topics),
        "sys_topics": sorted(sys_topics),
        "messages": messages,
        "truncated": truncated,
        "ended": ended,
        "listened_ms": int((time.monotonic() - started) * 1000),
    }


def _granted(code: Optional[int]) -> Optional[bool]:
    """SUBACK code: 0-2 granted, 0x80 refused, None = no SUBACK seen."""
    if code is None:
        return None
    return code in (0, 1, 2)


def _topic_name(raw: bytes) -> str:
    """A printable, bounded topic name (topic names are data; nothing else is kept)."""
    text = raw.decode("utf-8", errors="replace")
    text = "".join(c if c.isprintable() else "?" for c in text)
    return text[:200]


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _options(probe: NetProbe) -> Tuple[Dict[str, int], float, int]:
    opts = probe.ctx.options
    raw = opts.get("mqtt_ports", DEFAULT_PORTS)
    if not isinstance(raw, Mapping):
        raise CollectError(ErrorReason.UNSUPPORTED, "option mqtt_ports must map names (mqtt, mqtts) to port numbers")
    ports: Dict[str, int] = {}
    for name, port in raw.items():
        if name not in DEFAULT_PORTS:
            raise CollectError(ErrorReason.UNSUPPORTED, f"option mqtt_ports: unknown name {name!r} (use mqtt or mqtts)")
        if port in (None, 0):
            continue
        if not isinstance(port, int) or isinstance(port, bool) or not 0 < port < 65536:
            raise CollectError(ErrorReason.UNSUPPORTED, f"option mqtt_ports: {name}={port!r} is not a port number")
        ports[name] = port
    listen_ms = opts.get("mqtt_listen_ms", DEFAULT_LISTEN_MS)
    max_topics = opts.get("mqtt_max_topics", DEFAULT_MAX_TOPICS)
    if not isinstance(listen_ms, int) or not 0 < listen_ms <= MAX_LISTEN_MS:
        raise CollectError(ErrorReason.UNSUPPORTED, f"option mqtt_listen_ms must be 1..{MAX_LISTEN_MS}")
    if not isinstance(max_topics, int) or not 0 < max_topics <= 10000:
        raise CollectError(ErrorReason.UNSUPPORTED, "option mqtt_max_topics must be 1..10000")
    return ports, listen_ms / 1000, max_topics


def _open(probe: NetProbe, pacer: Pacer, host: str, port: int, protocol: str) -> Optional[socket.socket]:
    """A TCP connection to the address the scope approved for ``host``; None when nothing listens or the port is filtered."""
    address = probe.addresses(host)[0]
    probe.require_in_scope(address)
    if pacer.connections >= MAX_CONNECTIONS:
        raise RuntimeError("connection budget of the MQTT probe exceeded")
    endpoint = f"{host}:{port}"
    step = probe.step()
    if step.left() <= 0:
        probe.record(endpoint, protocol, "time budget exceeded")
        raise _PortError(ErrorReason.TIMEOUT, f"{endpoint}: not probed: time budget exceeded (the collector's deadline)")
    pacer.connections += 1
    try:
        with pacer.sending():
            step = probe.step()  # counted from the end of the pacing wait
            return netio.connect(address, port, step)
    except ConnectionRefusedError:
        probe.record(endpoint, protocol, "connection refused")
        return None
    except TimeoutError:
        probe.record(endpoint, protocol, "connect timeout")
        if step.budget:
            raise _PortError(ErrorReason.TIMEOUT, step.stalled(endpoint, "connecting")) from None
        return None
    except OSError as exc:
        probe.record(endpoint, protocol, f"connect failed: {exc.strerror or exc}")
        raise CollectError(ErrorReason.UNSUPPORTED, f"{endpoint}: connect failed: {exc.strerror or exc}") from None


def _unverified() -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def _trusted(trust: ExtraTrust) -> ssl.SSLContext:
    ctx = ssl.create_default_context()
    ctx.check_hostname = False  # the hostname is judged from the certificate facts
    same_verification_everywhere(ctx)
    trust.apply(ctx)
    return ctx


def _handshake(sock: socket.socket, ctx: ssl.SSLContext, host: str, step: Deadline) -> ssl.SSLSocket:
    """The whole handshake by the deadline; the host name goes only into the SNI."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return netio.tls_handshake(sock, ctx, None if _is_ip(host) else host, step)


def _tls_port(probe: NetProbe, pacer: Pacer, host: str, port: int, out: _PortDraft) -> Optional[_Stream]:
    """TLS handshake (unverified) and certificate facts; the stream for MQTT, or None."""
    endpoint = f"{host}:{port}"
    sock = _open(probe, pacer, host, port, "mqtts")
    if sock is None:
        out["state"] = "closed"
        return None
    step = probe.step()
    try:
        tls = _handshake(sock, _unverified(), host, step)
    except TimeoutError:
        sock.close()
        probe.record(endpoint, "tls", "handshake timeout")
        raise _PortError(ErrorReason.TIMEOUT, step.stalled(endpoint, "in the TLS handshake")) from None
    except (ssl.SSLError, OSError) as exc:
        sock.close()
        probe.record(endpoint, "tls", f"handshake failed: {exc}")
        out["tls"] = {"offered": False}
        raise _PortError(
            ErrorReason.MALFORMED, f"{endpoint}: TLS handshake failed ({getattr(exc, 'reason', None) or exc}); no TLS here?"
        ) from None
    probe.record(endpoint, "tls")
    der = tls.getpeercert(binary_form=True)
    cipher = tls.cipher()
    tls_facts: MqttTlsFacts = {"offered": True, "protocol": tls.version(), "cipher": cipher[0] if cipher else None}
    try:
        tls_facts["certificate"] = certificate_facts(der, host) if der else None
    except ValueError as exc:
        tls_facts["certificate"] = None
        tls_facts["certificate_error"] = f"unparsable certificate ({exc})"
    out["tls"] = tls_facts
    return _Stream(tls, endpoint)


def _chain(probe: NetProbe, pacer: Pacer, host: str, port: int) -> MqttChainFacts:
    """A second handshake with system trust (plus the ``ca_files`` anchors): is the chain trusted?"""
    endpoint = f"{host}:{port}"
    trust = extra_trust(probe.ctx.options)
    if trust.error is not None:
        return {"status": "error", "reason": trust.error}
    try:
        ctx = _trusted(trust)
    except ssl.SSLError as exc:
        return {"status": "error", "reason": f"cannot load the CA files: {exc}"}
    store = trust.store
    try:
        sock = _open(probe, pacer, host, port, "tls:verify")
    except _PortError as exc:
        return {"store": store, "status": "error", "reason": exc.message}
    if sock is None:
        return {"store": store, "status": "error", "reason": "port closed on the second handshake"}
    step = probe.step()
    try:
        _handshake(sock, ctx, host, step).close()
        probe.record(endpoint, "tls:verify")
        return {"store": store, "status": "valid"}
    except ssl.SSLCertVerificationError as exc:
        probe.record(endpoint, "tls:verify")
        return {"store": store, "status": "invalid", "reason": str(exc.verify_message)}
    except TimeoutError:
        probe.record(endpoint, "tls:verify", "handshake timeout")
        return {"store": store, "status": "error", "reason": step.stalled(endpoint, "in the verifying TLS handshake")}
    except (ssl.SSLError, OSError) as exc:
        probe.record(endpoint, "tls:verify", str(exc))
        return {"store": store, "status": "error", "reason": f"verifying handshake failed: {exc}"}
    finally:
        sock.close()


def parse_connack(data: bytes) -> int:
    """The CONNACK return code in a broker's reply bytes (no socket); _PortError for anything else."""
    return _read_connack(_Stream(netio.Replay([data[i : i + 4096] for i in range(0, len(data), 4096)]), "reply"), Deadline.within(60.0, None))


def parse_listen(data: bytes, max_topics: int = DEFAULT_MAX_TOPICS) -> MqttListenFacts:
    """What a broker's bytes after the SUBSCRIBEs say (SUBACKs, topic names); _PortError for a broken frame."""
    return _listen(_Stream(netio.Replay([data[i : i + 4096] for i in range(0, len(data), 4096)]), "reply"), Deadline.within(60.0, None), max_topics)


@net_collector(
    MQTT_BROKER,
    "MQTT broker: anonymous CONNECT, wildcard topic names (never payloads), TLS and its certificate",
    kinds=("host",),
)
def collect_mqtt(probe: NetProbe, target: Target) -> MqttFacts:
    """Each configured MQTT port, one connection at a time; never PUBLISH."""
    probe.require_in_scope(target.host)
    ports, listen_s, max_topics = _options(probe)
    if not ports:
        raise NotApplicable("no MQTT ports configured (option mqtt_ports)")
    host = target.host
    pacer = Pacer(MIN_INTERVAL_MS / 1000)
    client_id = f"riskagent-{secrets.token_hex(6)}"
    sent: Dict[str, int] = {}
    results: Dict[str, _PortDraft] = {}
    subscription: Optional[MqttSubscriptionFacts] = None
    for name, port in ports.items():
        is_tls = name in TLS_PORT_NAMES
        endpoint = f"{host}:{port}"
        out: _PortDraft = {"port": port, "transport": "tls" if is_tls else "tcp"}
        results[name] = out
        probe.say(f"MQTT {endpoint} ({out['transport']})")
        stream: Optional[_Stream] = None
        try:
            if is_tls:
                stream = _tls_port(probe, pacer, host, port, out)
            else:
                sock = _open(probe, pacer, host, port, "mqtt")
                stream = _Stream(sock, endpoint) if sock is not None else None
                if sock is None:
                    out["state"] = "closed"
            if stream is None:
                continue
            session = _Session(stream, pacer, client_id, sent)
            try:
                code = session.connect(probe.step)
                out["return_code"] = code
                out["return_text"] = CONNACK_CODES.get(code, "unknown")
                out["state"] = "accepted" if code == 0 else "refused" if code in (4, 5) else "other"
                probe.record(endpoint, "mqtts" if is_tls else "mqtt")
                if code == 0 and subscription is None:
                    # The CONNACK already answered the question of access: a broken subscription
                    # afterwards is recorded beside it and never turns "accepted" into "error".
                    try:
                        window = Deadline.within(listen_s, probe.deadline)
                        subscription = {**session.subscribe_and_listen(window, max_topics), "port": name}
                    except _PortError as exc:
                        out["subscription_error"] = exc.message
                        probe.record(endpoint, "mqtt:subscribe", exc.message)
                    except OSError as exc:
                        out["subscription_error"] = f"{endpoint}: connection failed while subscribed: {exc}"
                        probe.record(endpoint, "mqtt:subscribe", str(exc))
                if code == 0:
                    session.disconnect(lambda: probe.step(1.0))
            except OSError as exc:
                raise _PortError(ErrorReason.UNSUPPORTED, f"{endpoint}: connection failed: {exc}") from None
            finally:
                stream.sock.close()
        except _PortError as exc:
            out.update({"state": "error", "error_reason": exc.reason.value, "reason": exc.message})
            probe.record(endpoint, "mqtts" if is_tls else "mqtt", exc.message)
        tls = out.get("tls")
        if is_tls and tls is not None and tls["offered"]:
            tls["chain"] = _chain(probe, pacer, host, port)
    answered = [r for r in results.values() if r.get("state") in ("accepted", "refused", "other")]
    errors = [r for r in results.values() if r.get("state") == "error"]
    if not answered and errors:
        raise CollectError(ErrorReason(errors[0]["error_reason"]), "; ".join(r["reason"] for r in errors))
    if not answered:
        listed = ", ".join(f"{n} {r['port']}" for n, r in results.items())
        raise NotApplicable(f"no MQTT broker listening on {host} ({listed})")
    return {
        "host": host,
        "ports": cast(Dict[str, MqttPortFacts], results),  # every port now has its port, transport and state
        "anonymous_accepted": any(r.get("state") == "accepted" for r in results.values()),
        "subscription": subscription,
        "packets_sent": sent,
        "connections": pacer.connections,
        "limits": {
            "min_interval_ms": MIN_INTERVAL_MS,
            "max_packets_per_connection": MAX_PACKETS_PER_CONNECTION,
            "listen_ms": int(listen_s * 1000),
            "max_topics": max_topics,
        },
        "_method": "mqtt-3.1.1-anonymous-connect",
    }
