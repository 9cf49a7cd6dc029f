"""Read-only identification of industrial protocols on one host (PROTOCOLS.md §2).

Each protocol gets one identity exchange over one connection, one protocol at
a time, so a fragile PLC never sees parallel sessions. Every packet to the
device goes through one pacer: at least ``min_interval_ms`` between any two
packets (TCP connects included) and at most ``MAX_PACKETS[protocol]``
application messages per protocol. Only the requests listed in
``SENT_REQUESTS`` are ever built; there is no code path that writes, controls
or starts anything (no Modbus FC 5/6/15/16/22/23, no S7 job/PLC control, no
ENIP SendRRData, no OPC UA Write/Call/session, no BACnet WriteProperty).

Per protocol the facts say: port, state, identity fields, packets_sent,
elapsed_ms and, when not identified, a reason. States:

- ``identified``: the identity request was answered (fields in ``identity``);
- ``closed``: the port refused the connection (normal, not an error);
- ``no_answer``: connect or reply timed out;
- ``not_this_protocol``: a different service answered (a printable text banner);
- ``error``: garbage, an early close, or a protocol-level refusal, with the reason.

Options read from ``NetContext.options``:

- ``ics_ports``: {"modbus": 502, "s7": 102, "enip": 44818, "opcua": 4840, "bacnet": 47808} (BACnet is UDP);
  keys given replace the defaults, and their results say ``declared``: a declared port that is closed or
  speaks another protocol is a finding about the declaration, not an absent protocol;
- ``ics_protocols``: list of protocols to probe (default: all five, in the order above; each once);
- ``modbus_unit``: Modbus unit id (default 1); no unit-id sweep is ever made;
- ``min_interval_ms``: minimum gap between two packets sent to the device (default 200).

Frames: Modbus and the EtherNet/IP request are built with scapy contrib layers
(imported lazily); S7comm, OPC UA binary and BACnet/IP have no scapy layer and
are built by hand from the byte layouts in PROTOCOLS.md §2.1-§2.5.

The facts shape and the key ``ICS_IDENTIFY`` live in :mod:`collectors.net.ics_facts`,
which the checks import without this module.
"""

from __future__ import annotations

import re
import struct
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, FrozenSet, List, Literal, Mapping, Optional, Sequence, Tuple, Union, cast

from collectors.evidence import CollectError, ErrorReason
from collectors.net import netio
from collectors.net.ics_facts import (
    ICS_IDENTIFY,
    BacnetIdentityFacts,
    BacnetPropertyName,
    EnipIdentityFacts,
    IcsFacts,
    IcsIdentityFacts,
    IcsProtocolsFacts,
    IcsResultFacts,
    IcsState,
    ModbusIdentityFacts,
    ModbusObjectName,
    OpcuaEndpointFacts,
    OpcuaIdentityFacts,
    S7IdentityFacts,
    S7SzlName,
)
from collectors.net.netio import Deadline
from collectors.net.pacing import Pacer
from collectors.net.registry import NetProbe, net_collector
from collectors.net.scope import Target

PROTOCOLS: Tuple[str, ...] = ("modbus", "s7", "enip", "opcua", "bacnet")
DEFAULT_PORTS: Dict[str, int] = {"modbus": 502, "s7": 102, "enip": 44818, "opcua": 4840, "bacnet": 47808}
DEFAULT_MIN_INTERVAL_MS = 200
MODBUS_MAX_REQUESTS = 3  # first Read Device ID plus at most two "more follows"

# Upper bound of application messages sent per protocol (connects are paced but not counted).
MAX_PACKETS: Dict[str, int] = {
    "modbus": MODBUS_MAX_REQUESTS,
    "s7": 4,  # COTP CR, Setup Communication, SZL 0x0011, SZL 0x001C
    "enip": 1,  # List Identity
    "opcua": 4,  # HEL, OPN, MSG GetEndpoints, CLO
    "bacnet": 3,  # ReadProperty vendor-name, model-name, firmware-revision
}

# Every request this module can send, by protocol: the do-no-harm allow-list (tested).
SENT_REQUESTS: Dict[str, FrozenSet[str]] = {
    "modbus": frozenset({"fc 0x2b/0x0e read device identification"}),
    "s7": frozenset({"cotp connect request", "s7 setup communication", "s7 userdata read szl"}),
    "enip": frozenset({"list identity 0x0063"}),
    "opcua": frozenset({"HEL", "OPN issue (SecurityPolicy#None)", "GetEndpoints", "CLO"}),
    "bacnet": frozenset({"confirmed readproperty"}),
}
MODBUS_FUNCTION_CODES: FrozenSet[int] = frozenset({0x2B})  # with MEI type 0x0E only
S7_ROSCTR_SENT: FrozenSet[int] = frozenset({0x01, 0x07})  # job: Setup Communication only; userdata: read SZL only
S7_USERDATA_SUBFUNCTIONS: FrozenSet[Tuple[int, int]] = frozenset({(0x44, 0x01)})  # (CPU functions request, read SZL)
ENIP_COMMANDS: FrozenSet[int] = frozenset({0x0063})
OPCUA_SERVICE_NODE_IDS: FrozenSet[int] = frozenset({446, 428, 452})  # OpenSecureChannel, GetEndpoints, CloseSecureChannel
BACNET_SERVICES: FrozenSet[int] = frozenset({0x0C})  # ReadProperty

_MAX_REPLY = 65536
MAX_DIAGNOSTIC_DEPTH = 16


class _AnyResult(IcsResultFacts, total=False):
    """One protocol's result while it is assessed, with the identity of whichever protocol it is."""

    identity: IcsIdentityFacts


class IcsReplyError(Exception):
    """A protocol could not be identified; the subclass says how (the one error type the exchanges raise)."""


class _Refused(IcsReplyError):
    """The port refused the connection."""


class _Silent(IcsReplyError):
    """Connect or reply timed out."""


class _Bad(IcsReplyError):
    """The peer answered with something unusable (garbage, early close, refusal)."""


class _Foreign(IcsReplyError):
    """A different service answered."""


@dataclass
class _Link:
    """One connection of one protocol: paces and counts what is sent, bounds what is read.

    Every reply must be complete within ``timeout`` of being awaited and before ``overall``
    (the collector's deadline), however the device paces its bytes.
    """

    proto: str
    address: str
    port: int
    timeout: float
    pacer: Pacer
    udp: bool = False
    overall: Optional[float] = None  # monotonic deadline of the whole collector
    sent: int = 0
    sock: Optional[netio.Wire] = None
    buf: bytes = b""
    trace: List[str] = field(default_factory=list)

    @property
    def endpoint(self) -> str:
        return f"{self.address}:{self.port}"

    def _step(self) -> Deadline:
        return Deadline.within(self.timeout, self.overall)

    def open(self) -> None:
        with self.pacer.sending():
            self._connect()

    def _connect(self) -> None:
        step = self._step()
        if step.left() <= 0:
            raise _Silent(f"{self.endpoint}: not probed: time budget exceeded (the collector's deadline)")
        try:
            self.sock = netio.connect(self.address, self.port, step, udp=self.udp)
        except ConnectionRefusedError:
            raise _Refused("connection refused") from None
        except TimeoutError:
            raise _Silent(step.stalled(self.endpoint, "connecting (no TCP answer)")) from None
        except OSError as exc:
            raise _Bad(f"cannot connect: {exc.strerror or exc}") from None

    def send(self, data: bytes) -> None:
        if self.sent >= MAX_PACKETS[self.proto]:  # a bug, never a network condition
            raise RuntimeError(f"{self.proto}: packet budget of {MAX_PACKETS[self.proto]} exhausted")
        with self.pacer.sending():
            self._send_now(data)

    def _send_now(self, data: bytes) -> None:
        assert self.sock is not None
        self.sent += 1
        step = self._step()
        try:
            self.sock.settimeout(step.remaining())
            self.sock.sendall(data)
        except TimeoutError:
            raise _Silent(step.stalled(self.endpoint, "sending the request")) from None
        except ConnectionRefusedError:
            raise _Refused("port unreachable") from None
        except (ConnectionResetError, BrokenPipeError):
            raise _Bad("connection closed by the peer (reset) before the request was sent") from None
        except OSError as exc:
            raise _Bad(f"send failed: {exc.strerror or exc}") from None

    def _more(self, what: str, step: Deadline) -> bytes:
        assert self.sock is not None
        try:
            self.sock.settimeout(step.remaining())
            chunk = self.sock.recv(_MAX_REPLY)
        except TimeoutError:
            if self.buf:
                raise _Bad(step.stalled(self.endpoint, f"reading {what} (truncated: {len(self.buf)} bytes, then silence)")) from None
            raise _Silent(step.stalled(self.endpoint, f"waiting for {what} (no reply)")) from None
        except ConnectionRefusedError:
            raise _Refused("port unreachable (ICMP)") from None
        except (ConnectionResetError, BrokenPipeError):
            raise _Bad(f"connection closed by the peer (reset) while waiting for {what}") from None
        except OSError as exc:
            raise _Bad(f"connection error while waiting for {what}: {exc.strerror or exc}") from None
        if not chunk:
            raise _Bad(
                f"connection closed by the peer {'after ' + str(len(self.buf)) + ' bytes' if self.buf else 'without replying'} ({what})"
            )
        return chunk

    def read(self, n: int, what: str) -> bytes:
        """Exactly ``n`` bytes of a TCP stream, complete within one deadline however they trickle in."""
        step = self._step()
        while len(self.buf) < n:
            self.buf += self._more(what, step)
            if len(self.buf) > _MAX_REPLY:
                raise _Bad(f"oversized {what}")
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def datagram(self, what: str) -> bytes:
        return self._more(what, self._step())

    def close(self) -> None:
        if self.sock is not None:
            try:
                self.sock.close()
            finally:
                self.sock = None


_BANNER = re.compile(rb"[\x20-\x7e\t\r\n]{4,}")


def _foreign_or_bad(data: bytes, expected: str) -> Exception:
    """Text first (an HTTP status line, an SSH banner) means another service; anything else is garbage.

    Only the printable start of the text is quoted: whatever control bytes follow stay out of the reason.
    """
    m = _BANNER.match(data[:32])
    if m is not None:
        text = m.group(0).decode("ascii").strip()[:24]
        return _Foreign(f"a different service answered ({text!r}), not {expected}")
    return _Bad(f"reply is not {expected} (first bytes {data[:8].hex()})")


def _text(raw: bytes) -> str:
    return raw.split(b"\0", 1)[0].decode("latin-1", "replace").strip()


# ---------------------------------------------------------------- Modbus/TCP

_MODBUS_OBJECTS: Dict[int, ModbusObjectName] = {
    0: "vendor",
    1: "product_code",
    2: "revision",
    3: "vendor_url",
    4: "product_name",
    5: "model_name",
    6: "user_application_name",
}


def _modbus(link: _Link, opts: Mapping[str, Any]) -> ModbusIdentityFacts:
    """FC 0x2B/0x0E read code 01 from object 0 to one unit, following "more follows" a bounded number of times."""
    from scapy.contrib.modbus import ModbusADURequest, ModbusPDU2B0EReadDeviceIdentificationRequest

    unit = int(opts.get("modbus_unit", 1))
    if not 0 <= unit <= 255:
        raise _Bad(f"modbus_unit {unit} is not a unit id (0-255)")
    identity: ModbusIdentityFacts = {"unit": unit}
    next_obj = 0
    for tid in range(1, MODBUS_MAX_REQUESTS + 1):
        req = ModbusADURequest(transId=tid, unitId=unit) / ModbusPDU2B0EReadDeviceIdentificationRequest(
            readCode=1, objectId=next_obj
        )
        link.send(bytes(req))
        head = link.read(7, "Modbus MBAP header")
        r_tid, proto, length, _unit = struct.unpack(">HHHB", head)
        if proto != 0 or not 2 <= length <= 254:
            raise _foreign_or_bad(head + link.buf, "Modbus/TCP")
        pdu = link.read(length - 1, "Modbus PDU")
        if r_tid != tid:
            raise _Bad(f"reply transaction id {r_tid} does not match request {tid}")
        fc = pdu[0]
        if fc == 0x2B | 0x80:
            code = pdu[1] if len(pdu) > 1 else -1
            identity["exception_code"] = code
            identity["note"] = f"device answered with exception code {code}"
            return identity
        if fc != 0x2B or len(pdu) < 7 or pdu[1] != 0x0E:
            raise _Bad(f"unexpected Modbus reply (function 0x{fc:02x})")
        identity["conformity_level"] = pdu[3]
        more, nxt, count = pdu[4], pdu[5], pdu[6]
        pos = 7
        for _ in range(count):
            if pos + 2 > len(pdu) or pos + 2 + pdu[pos + 1] > len(pdu):
                raise _Bad("Read Device Identification reply is truncated")
            oid, olen = pdu[pos], pdu[pos + 1]
            value = pdu[pos + 2 : pos + 2 + olen].decode("latin-1", "replace")
            name = _MODBUS_OBJECTS.get(oid)
            if name is None:
                identity.setdefault("other_objects", {})[f"0x{oid:02x}"] = value
            else:
                identity[name] = value
            pos += 2 + olen
        if more != 0xFF or nxt <= next_obj:
            return identity
        next_obj = nxt
    identity["truncated"] = f"stopped after {MODBUS_MAX_REQUESTS} requests although more objects follow"
    return identity


# ---------------------------------------------------------------- S7comm

# PROTOCOLS.md §2.3: COTP CR, src TSAP 0x0100 -> dst TSAP 0x0102 (rack 0 slot 2), TPDU size 1024.
S7_COTP_CR = bytes.fromhex("0300001611e00000001400c1020100c2020102c0010a")
# S7 job (ROSCTR 1) Setup Communication: max AmQ 1/1, PDU length 480.
S7_SETUP = bytes.fromhex("0300001902f08032010000000100080000f0000001000101e0")


def s7_szl_request(szl_id: int, index: int, pdu_ref: int) -> bytes:
    """S7 userdata (ROSCTR 7), CPU functions request (0x44), subfunction 01 read SZL."""
    params = bytes.fromhex("0001120411440100")
    data = b"\xff\x09" + struct.pack(">HHH", 4, szl_id, index)
    header = struct.pack(">BBHHHH", 0x32, 0x07, 0, pdu_ref, len(params), len(data))
    body = b"\x02\xf0\x80" + header + params + data
    return struct.pack(">BBH", 3, 0, 4 + len(body)) + body


def _tpkt(link: _Link, what: str) -> bytes:
    head = link.read(4, what)
    if head[0] != 3 or head[1] != 0:
        raise _foreign_or_bad(head + link.buf, "S7comm (TPKT)")
    length = struct.unpack(">H", head[2:4])[0]
    if length < 7:
        raise _Bad(f"TPKT length {length} too short in {what}")
    return link.read(length - 4, what)


def _s7_payload(link: _Link, what: str) -> bytes:
    """COTP DT data of one TPKT frame: the S7 PDU."""
    cotp = _tpkt(link, what)
    if len(cotp) < 3 or cotp[1] != 0xF0:
        raise _Bad(f"{what}: not a COTP data frame")
    s7 = cotp[1 + cotp[0] :]
    if not s7 or s7[0] != 0x32:
        raise _Bad(f"{what}: no S7comm header (protocol id 0x32)")
    return s7


_SZL_1C: Dict[int, S7SzlName] = {
    1: "system_name",
    2: "module_name",
    3: "plant_id",
    4: "copyright",
    5: "serial_number",
    7: "module_type",
}


def _szl_records(s7: bytes) -> Tuple[int, List[bytes]]:
    if len(s7) < 10 or s7[1] != 0x07:
        raise _Bad("SZL reply is not S7 userdata")
    plen, dlen = struct.unpack(">HH", s7[6:10])
    data = s7[10 + plen : 10 + plen + dlen]
    if len(data) < 4 or data[0] != 0xFF:
        code = data[0] if data else -1
        raise _Bad(f"SZL read refused (return code 0x{code & 0xFF:02x})")
    if len(data) < 12:
        raise _Bad("SZL reply is truncated")
    szl_id, _idx, rec_len, count = struct.unpack(">HHHH", data[4:12])
    recs = [data[12 + i * rec_len : 12 + (i + 1) * rec_len] for i in range(count)]
    return szl_id, [r for r in recs if len(r) == rec_len and rec_len >= 2]


def _s7(link: _Link, opts: Mapping[str, Any]) -> S7IdentityFacts:
    link.send(S7_COTP_CR)
    cotp = _tpkt(link, "COTP connect confirm")
    if len(cotp) < 2 or cotp[1] & 0xF0 != 0xD0:
        raise _Bad(f"COTP connection not confirmed (PDU type 0x{cotp[1] if len(cotp) > 1 else 0:02x})")
    link.send(S7_SETUP)
    s7 = _s7_payload(link, "S7 Setup Communication reply")
    if len(s7) < 12 or s7[1] != 0x03:
        raise _Bad("S7 Setup Communication was not acknowledged")
    if s7[10] or s7[11]:
        raise _Bad(f"S7 Setup Communication refused (error class 0x{s7[10]:02x} code 0x{s7[11]:02x})")
    identity: S7IdentityFacts = {}
    if len(s7) >= 20:
        identity["pdu_length"] = struct.unpack(">H", s7[18:20])[0]
    link.send(s7_szl_request(0x0011, 1, 2))
    _id, recs = _szl_records(_s7_payload(link, "SZL 0x0011 reply"))
    for r in recs:
        idx = struct.unpack(">H", r[:2])[0]
        if idx == 1:
            identity["module"] = _text(r[2:22])
        elif idx == 6:
            identity["hardware"] = _text(r[2:22])
        elif idx == 7 and len(r) >= 3:
            identity["firmware"] = "V" + ".".join(str(b) for b in r[-3:])
    link.send(s7_szl_request(0x001C, 1, 3))
    _id, recs = _szl_records(_s7_payload(link, "SZL 0x001C reply"))
    for r in recs:
        name = _SZL_1C.get(struct.unpack(">H", r[:2])[0])
        if name:
            identity[name] = _text(r[2:])
    return identity


# ---------------------------------------------------------------- EtherNet/IP


def _enip(link: _Link, opts: Mapping[str, Any]) -> EnipIdentityFacts:
    """One List Identity (0x0063) over TCP; parses the CIP Identity item (type 0x0C)."""
    from scapy.contrib.enipTCP import ENIPTCP

    link.send(bytes(ENIPTCP(commandId=0x0063, length=0, session=0, status=0, senderContext=0xD1BEDEC1, options=0)))
    head = link.read(24, "List Identity reply header")
    cmd, length, _session, status = struct.unpack("<HHII", head[:12])
    if cmd != 0x0063 or length > 4096:
        raise _foreign_or_bad(head + link.buf, "EtherNet/IP")
    if status:
        raise _Bad(f"List Identity refused (encapsulation status 0x{status:x})")
    body = link.read(length, "List Identity reply")
    if len(body) < 2:
        raise _Bad("List Identity reply has no items")
    count, pos = struct.unpack("<H", body[:2])[0], 2
    for _ in range(count):
        if pos + 4 > len(body):
            break
        itype, ilen = struct.unpack("<HH", body[pos : pos + 4])
        item = body[pos + 4 : pos + 4 + ilen]
        pos += 4 + ilen
        if itype != 0x0C:
            continue
        if len(item) < 33:
            raise _Bad("CIP Identity item is truncated")
        vendor, dtype, pcode, major, minor, dev_status, serial = struct.unpack("<HHHBBHI", item[18:32])
        nlen = item[32]
        name = item[33 : 33 + nlen].decode("latin-1", "replace")
        out: EnipIdentityFacts = {
            "vendor_id": vendor,
            "device_type": dtype,
            "product_code": pcode,
            "revision": f"{major}.{minor}",
            "status": dev_status,
            "serial": f"0x{serial:08x}",
            "product_name": name,
        }
        if len(item) > 33 + nlen:
            out["state"] = item[33 + nlen]
        return out
    raise _Bad("List Identity reply holds no CIP Identity item")


# ---------------------------------------------------------------- OPC UA binary (hand-built, OPC 10000-6)

OPCUA_POLICY_NONE = "http://opcfoundation.org/UA/SecurityPolicy#None"
_SECURITY_MODES = {1: "None", 2: "Sign", 3: "SignAndEncrypt"}
_TOKEN_TYPES = {0: "Anonymous", 1: "UserName", 2: "Certificate", 3: "IssuedToken"}


def _ua_string(s: Optional[str]) -> bytes:
    if s is None:
        return struct.pack("<i", -1)
    raw = s.encode("utf-8")
    return struct.pack("<i", len(raw)) + raw


def _ua_request_header(handle: int) -> bytes:
    """RequestHeader: null auth token, timestamp, handle, no diagnostics, no audit id, 5 s hint, no extra header."""
    ticks = int((time.time() + 11644473600) * 10_000_000)  # DateTime: 100 ns since 1601-01-01
    return b"\x00\x00" + struct.pack("<qII", ticks, handle, 0) + _ua_string(None) + struct.pack("<I", 5000) + b"\x00\x00\x00"


def _ua_node(num: int) -> bytes:
    return struct.pack("<BBH", 1, 0, num)  # four-byte NodeId, namespace 0


def _ua_frame(kind: bytes, body: bytes) -> bytes:
    return kind + b"F" + struct.pack("<I", 8 + len(body)) + body


def opcua_hello(url: str) -> bytes:
    return _ua_frame(b"HEL", struct.pack("<IIIII", 0, 65536, 65536, 0, 0) + _ua_string(url))


def opcua_open() -> bytes:
    body = (
        struct.pack("<I", 0)
        + _ua_string(OPCUA_POLICY_NONE)
        + struct.pack("<ii", -1, -1)  # no sender certificate, no receiver thumbprint
        + struct.pack("<II", 1, 1)  # sequence number, request id
        + _ua_node(446)
        + _ua_request_header(1)
        + struct.pack("<IiiiI", 0, 0, 1, 0, 3_600_000)  # version, Issue, SecurityMode None, empty nonce, lifetime
    )
    return _ua_frame(b"OPN", body)


def opcua_get_endpoints(channel: int, token: int, url: str) -> bytes:
    body = struct.pack("<IIII", channel, token, 2, 2) + _ua_node(428) + _ua_request_header(2) + _ua_string(url)
    return _ua_frame(b"MSG", body + struct.pack("<ii", 0, 0))  # no locale ids, no profile uris


def opcua_close(channel: int, token: int) -> bytes:
    return _ua_frame(b"CLO", struct.pack("<IIII", channel, token, 3, 3) + _ua_node(452) + _ua_request_header(3))


class _UaReader:
    """Cursor over an OPC UA binary body; any overrun is a malformed reply."""

    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def take(self, n: int) -> bytes:
        if n < 0 or self.pos + n > len(self.data):
            raise _Bad("OPC UA message is truncated or malformed")
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out

    def u8(self) -> int:
        return self.take(1)[0]

    def u32(self) -> int:
        return int(struct.unpack("<I", self.take(4))[0])

    def i32(self) -> int:
        return int(struct.unpack("<i", self.take(4))[0])

    def string(self) -> Optional[str]:
        n = self.i32()
        return None if n < 0 else self.take(n).decode("utf-8", "replace")

    def bytestring(self) -> None:
        n = self.i32()
        if n > 0:
            self.take(n)

    def strings(self) -> List[Optional[str]]:
        n = self.i32()
        return [self.string() for _ in range(max(n, 0))]

    def node_id(self) -> int:
        enc = self.u8() & 0x3F
        if enc == 0:
            return self.u8()
        if enc == 1:
            self.u8()
            return int(struct.unpack("<H", self.take(2))[0])
        if enc == 2:
            self.take(2)
            return self.u32()
        raise _Bad(f"unexpected OPC UA NodeId encoding {enc}")

    def diagnostic(self, depth: int = 0) -> None:
        """A DiagnosticInfo; an inner one nests at most ``MAX_DIAGNOSTIC_DEPTH`` deep (a server could nest it for ever)."""
        if depth > MAX_DIAGNOSTIC_DEPTH:
            raise _Bad(f"OPC UA diagnostic info nested more than {MAX_DIAGNOSTIC_DEPTH} deep")
        mask = self.u8()
        for bit in (0x01, 0x02, 0x04, 0x08):
            if mask & bit:
                self.i32()
        if mask & 0x10:
            self.string()
        if mask & 0x20:
            self.u32()
        if mask & 0x40:
            self.diagnostic(depth + 1)

    def extension_object(self) -> None:
        self.node_id()
        if self.u8() in (1, 2):
            self.bytestring()

    def localized_text(self) -> Optional[str]:
        mask = self.u8()
        if mask & 1:
            self.string()
        return self.string() if mask & 2 else None

    def response_header(self) -> int:
        self.take(8 + 4)  # timestamp, request handle
        status = self.u32()
        self.diagnostic()
        self.strings()
        self.extension_object()
        return status


def _ua_message(link: _Link, expected: bytes, what: str) -> bytes:
    """One OPC UA message (chunks joined, at most 16); ERR becomes an error with the server's reason."""
    parts: List[bytes] = []
    for _ in range(16):
        head = link.read(8, what)
        kind, final, size = head[:3], head[3:4], struct.unpack("<I", head[4:8])[0]
        if kind not in (b"ACK", b"ERR", b"OPN", b"MSG", b"CLO") or final not in (b"F", b"C", b"A") or not 8 <= size <= 1 << 24:
            raise _foreign_or_bad(head + link.buf, "OPC UA binary")
        body = link.read(size - 8, what)
        if kind == b"ERR":
            r = _UaReader(body)
            code = r.u32()
            raise _Bad(f"server sent ERR 0x{code:08x} ({r.string() or 'no reason'}) in reply to {what}")
        if kind != expected:
            raise _Bad(f"expected {expected.decode()} in reply to {what}, got {kind.decode()}")
        if final == b"A":
            raise _Bad(f"server aborted the {what} reply")
        parts.append(body)
        if final == b"F":
            return parts[0] if len(parts) == 1 else parts[0] + b"".join(p[8:] for p in parts[1:])
    raise _Bad(f"{what}: too many chunks")


def _opcua(link: _Link, opts: Mapping[str, Any]) -> OpcuaIdentityFacts:
    """HEL/ACK, OPN with SecurityPolicy#None, GetEndpoints, CLO: discovery only, never a session."""
    url = f"opc.tcp://{link.address if ':' not in link.address else '[' + link.address + ']'}:{link.port}"
    link.send(opcua_hello(url))
    ack = _UaReader(_ua_message(link, b"ACK", "HEL"))
    identity: OpcuaIdentityFacts = {
        "protocol_version": ack.u32(),
        "receive_buffer_size": ack.u32(),
        "send_buffer_size": ack.u32(),
        "max_message_size": ack.u32(),
    }
    link.send(opcua_open())
    opn = _UaReader(_ua_message(link, b"OPN", "OpenSecureChannel"))
    channel = opn.u32()
    policy = opn.string()
    opn.bytestring()
    opn.bytestring()
    opn.take(8)
    if opn.node_id() != 449:
        identity["get_endpoints"] = "channel with SecurityPolicy#None refused (service fault)"
        return identity
    status = opn.response_header()
    if status & 0x80000000:
        identity["get_endpoints"] = f"channel with SecurityPolicy#None refused (status 0x{status:08x})"
        return identity
    opn.u32()
    token_channel, token = opn.u32(), opn.u32()
    identity["none_channel_opened"] = policy == OPCUA_POLICY_NONE
    link.send(opcua_get_endpoints(token_channel or channel, token, url))
    msg = _UaReader(_ua_message(link, b"MSG", "GetEndpoints"))
    msg.take(16)  # channel, token, sequence number, request id
    if msg.node_id() != 431:
        raise _Bad("GetEndpoints answered with a service fault")
    status = msg.response_header()
    if status & 0x80000000:
        raise _Bad(f"GetEndpoints failed with status 0x{status:08x}")
    endpoints: List[OpcuaEndpointFacts] = []
    for _ in range(min(max(msg.i32(), 0), 64)):
        ep_url = msg.string()
        application_uri = msg.string()
        product_uri = msg.string()
        application_name = msg.localized_text()
        msg.i32()
        msg.string()
        msg.string()
        msg.strings()
        msg.bytestring()
        mode = msg.i32()
        security_mode = _SECURITY_MODES.get(mode, f"unknown ({mode})")
        security_policy = (msg.string() or "").rsplit("#", 1)[-1]
        tokens = []
        for _t in range(max(msg.i32(), 0)):
            msg.string()
            ttype = msg.i32()
            msg.string()
            msg.string()
            msg.string()
            tokens.append(_TOKEN_TYPES.get(ttype, f"unknown ({ttype})"))
        msg.string()
        endpoints.append(
            {
                "url": ep_url,
                "application_uri": application_uri,
                "product_uri": product_uri,
                "application_name": application_name,
                "security_mode": security_mode,
                "security_policy": security_policy,
                "user_token_types": tokens,
                "security_level": msg.u8(),
            }
        )
    identity["endpoints"] = endpoints
    identity["security_modes"] = sorted({e["security_mode"] for e in endpoints})
    identity["security_policies"] = sorted({e["security_policy"] for e in endpoints})
    identity["anonymous_accepted"] = any("Anonymous" in e["user_token_types"] for e in endpoints)
    link.send(opcua_close(token_channel or channel, token))
    return identity


# ---------------------------------------------------------------- BACnet/IP (UDP unicast, hand-built)

BACNET_PROPERTIES: Tuple[Tuple[int, BacnetPropertyName], ...] = ((0x79, "vendor"), (0x46, "model"), (0x2C, "firmware"))


def bacnet_read_property(prop: int, invoke_id: int) -> bytes:
    """BVLC Original-Unicast, NPDU expecting reply, confirmed ReadProperty of Device 4194303 (wildcard)."""
    apdu = bytes([0x00, 0x05, invoke_id, 0x0C, 0x0C]) + struct.pack(">I", (8 << 22) | 4194303) + bytes([0x19, prop])
    npdu = b"\x01\x04"
    return b"\x81\x0a" + struct.pack(">H", 4 + len(npdu) + len(apdu)) + npdu + apdu


def _bacnet_value(data: bytes, invoke_id: int) -> Optional[str]:
    if len(data) < 6 or data[0] != 0x81 or data[1] not in (0x0A, 0x0B, 0x04):
        raise _foreign_or_bad(data, "BACnet/IP")
    pos = 4 + (6 if data[1] == 0x04 else 0)
    if pos + 2 > len(data) or data[pos] != 0x01:
        raise _Bad("BACnet NPDU version is not 1")
    ctrl = data[pos + 1]
    pos += 2
    if ctrl & 0x20:
        pos += 3 + data[pos + 2] if pos + 2 < len(data) else 0
    if ctrl & 0x08:
        pos += 3 + data[pos + 2] if pos + 2 < len(data) else 0
    if ctrl & 0x20:
        pos += 1
    if ctrl & 0x80 or pos + 3 > len(data):
        raise _Bad("BACnet reply carries no application data")
    apdu = data[pos:]
    kind = apdu[0] >> 4
    if apdu[1] != invoke_id:
        raise _Bad(f"BACnet reply invoke id {apdu[1]} does not match {invoke_id}")
    if kind == 5:
        return None  # Error PDU: property unknown or unreadable
    if kind in (6, 7):
        raise _Bad(f"BACnet request {'rejected' if kind == 6 else 'aborted'} (reason {apdu[2] if len(apdu) > 2 else -1})")
    if kind != 3 or len(apdu) < 3 or apdu[2] != 0x0C:
        raise _Bad(f"unexpected BACnet APDU type {kind}")
    pos = 3
    if apdu[pos : pos + 1] == b"\x0c":  # context 0: object identifier
        pos += 5
    while pos < len(apdu) and apdu[pos] & 0xF8 in (0x18, 0x28):  # context 1 property id, context 2 array index
        pos += 1 + (apdu[pos] & 0x07)
    open_tag = pos
    if open_tag + 2 > len(apdu) or apdu[open_tag] != 0x3E:
        raise _Bad("BACnet ReadProperty ack has no value")
    tag = apdu[open_tag + 1]
    vpos, length = open_tag + 2, tag & 0x07
    if length == 5:
        if vpos >= len(apdu):
            raise _Bad("BACnet ReadProperty ack is truncated")
        length, vpos = apdu[vpos], vpos + 1
    value = apdu[vpos : vpos + length]
    if tag >> 4 == 7 and value:  # character string: first octet is the character set
        return value[1:].decode("utf-8" if value[0] == 0 else "latin-1", "replace")
    return value.hex()


def _bacnet(link: _Link, opts: Mapping[str, Any]) -> BacnetIdentityFacts:
    identity: BacnetIdentityFacts = {}
    for invoke_id, (prop, name) in enumerate(BACNET_PROPERTIES, 1):
        link.send(bacnet_read_property(prop, invoke_id))
        try:
            value = _bacnet_value(link.datagram(f"ReadProperty {name}"), invoke_id)
        except _Silent:
            if identity:
                continue
            raise
        if value is not None:
            identity[name] = value
    return identity


# ---------------------------------------------------------------- driver

_PROBES: Dict[str, Callable[[_Link, Mapping[str, Any]], IcsIdentityFacts]] = {
    "modbus": _modbus,
    "s7": _s7,
    "enip": _enip,
    "opcua": _opcua,
    "bacnet": _bacnet,
}


def parse_replies(proto: str, replies: Sequence[bytes], options: Mapping[str, Any] = {}) -> IcsIdentityFacts:
    """The identity a device's replies give, without a socket: the exchange of ``proto`` run against ``replies``.

    Each reply is what one read returns at most (one datagram for BACnet); after the last one a
    TCP device closes and a UDP device falls silent. Raises nothing but :class:`IcsReplyError`.
    """
    if proto not in _PROBES:
        raise ValueError(f"unknown protocol {proto!r}")
    udp = proto == "bacnet"
    link = _Link(proto, "127.0.0.1", DEFAULT_PORTS[proto], 60.0, Pacer(0.0), udp=udp)
    link.sock = netio.Replay(replies, silent_end=udp)
    return _PROBES[proto](link, options)


def _assess(probe: NetProbe, proto: str, address: str, port: int, pacer: Pacer, declared: bool) -> _AnyResult:
    probe.require_in_scope(address)
    endpoint = f"{address}:{port}"
    link = _Link(proto, address, port, probe.ctx.timeout_s, pacer, udp=proto == "bacnet", overall=probe.deadline)
    started = time.monotonic()
    transport: Literal["tcp", "udp"] = "udp" if link.udp else "tcp"
    outcome: Union[IcsIdentityFacts, Tuple[IcsState, str]]  # the identity, or (state, reason)
    error: Optional[str] = None
    try:
        if probe.left() <= 0:
            raise _Bad(f"{endpoint}: {proto} not probed: time budget exceeded (the collector's deadline)")
        link.open()
        outcome = _PROBES[proto](link, probe.ctx.options)
    except _Refused as exc:
        outcome = ("closed", str(exc))
    except _Silent as exc:
        outcome = ("no_answer", str(exc))
        error = str(exc)
    except _Foreign as exc:
        outcome = ("not_this_protocol", str(exc))
    except _Bad as exc:
        outcome = ("error", str(exc))
        error = str(exc)
    finally:
        link.close()
    elapsed_ms = int((time.monotonic() - started) * 1000)
    probe.record(endpoint, proto, error)
    if isinstance(outcome, tuple):
        state, reason = outcome
        return {
            "port": port,
            "transport": transport,
            "state": state,
            "reason": reason,
            "declared": declared,
            "packets_sent": link.sent,
            "elapsed_ms": elapsed_ms,
        }
    return {
        "port": port,
        "transport": transport,
        "identity": outcome,
        "state": "identified",
        "declared": declared,
        "packets_sent": link.sent,
        "elapsed_ms": elapsed_ms,
    }


def _options(probe: NetProbe) -> Tuple[List[str], Dict[str, int], FrozenSet[str], int]:
    opts = probe.ctx.options
    ports = dict(DEFAULT_PORTS)
    declared = dict(opts.get("ics_ports") or {})
    for name, value in declared.items():
        if name not in DEFAULT_PORTS or not 0 < int(value) <= 65535:
            raise CollectError(ErrorReason.UNSUPPORTED, f"ics_ports: {name}={value!r} is not a known protocol and port")
        ports[name] = int(value)
    wanted = list(dict.fromkeys(opts.get("ics_protocols") or PROTOCOLS))  # each protocol once, in the order given
    unknown = [p for p in wanted if p not in PROTOCOLS]
    if unknown:
        raise CollectError(
            ErrorReason.UNSUPPORTED, f"ics_protocols: unknown {', '.join(unknown)} (known: {', '.join(PROTOCOLS)})"
        )
    interval = int(opts.get("min_interval_ms", DEFAULT_MIN_INTERVAL_MS))
    if interval < 0:
        raise CollectError(ErrorReason.UNSUPPORTED, "min_interval_ms must not be negative")
    return wanted, ports, frozenset(declared), interval


@net_collector(
    ICS_IDENTIFY,
    "Read-only identity requests: Modbus, S7comm, EtherNet/IP, OPC UA, BACnet",
    kinds=("host",),
)
def ics_identify(probe: NetProbe, target: Target) -> IcsFacts:
    """One protocol at a time, one connection each, paced; per-protocol states so one bad port hides nothing."""
    wanted, ports, declared, interval = _options(probe)
    address = (list(target.addresses) or [target.host])[0]
    probe.require_in_scope(address)
    pacer = Pacer(interval / 1000.0)
    results: Dict[str, _AnyResult] = {}
    for proto in wanted:
        probe.say(f"ics: {proto} on {address}:{ports[proto]}")
        results[proto] = _assess(probe, proto, address, ports[proto], pacer, proto in declared)
    states = {p: r["state"] for p, r in results.items()}
    if results and all(s in ("error", "no_answer") for s in states.values()):
        reason = ErrorReason.TIMEOUT if all(s == "no_answer" for s in states.values()) else ErrorReason.MALFORMED
        detail = "; ".join(f"{p} {ports[p]}: {r['reason']}" for p, r in results.items())
        raise CollectError(reason, f"{address}: no industrial protocol could be assessed ({detail})")
    return {
        "address": address,
        "min_interval_ms": interval,
        "protocols": cast(IcsProtocolsFacts, results),  # keyed by protocol name; each identity is its protocol's
        "identified": sorted(p for p, s in states.items() if s == "identified"),
        "_method": "one read-only identity exchange per protocol, paced (PROTOCOLS.md §2)",
    }
