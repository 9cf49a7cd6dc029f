"""Industrial test servers on 127.0.0.1 ephemeral ports for the ICS probe tests.

- ``ModbusServer``: a real pymodbus 3.16 TCP server with a device identity; its
  packet tracer records every request frame (function code, unit id, time).
- ``S7Server``, ``EnipServer``, ``OpcUaServer``, ``BacnetServer``: minimal fakes
  that answer the identity exchange with canned but well-formed bytes and record
  every frame they receive (kind, time).
- ``GARBAGE`` / ``CLOSE`` / ``SILENT`` TCP behaviours and ``UdpServer`` variants
  for the failure cases (random bytes, early close, no reply).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Dict, Iterator, List, Optional, Sequence, Tuple

from tests.servers import stamps

GARBAGE_BYTES = bytes.fromhex("deadbeef") * 16  # fails every framing check: not TPKT, not MBAP, not ENIP, not UA


@dataclass
class Frame:
    """One request as the server received it."""

    at: float  # time.monotonic(); for the TCP fakes, when the kernel received the frame's first byte
    kind: str  # e.g. "fc=0x2b", "cotp-cr", "HEL"
    unit: Optional[int] = None
    raw: bytes = b""


@dataclass
class Recorder:
    frames: List[Frame] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, frame: Frame) -> None:
        with self.lock:
            self.frames.append(frame)

    def gaps_ms(self) -> List[float]:
        times = [f.at for f in self.frames]
        return [(b - a) * 1000 for a, b in itertools.pairwise(times)]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# ---------------------------------------------------------------- real pymodbus server


class ModbusServer:
    """pymodbus ModbusTcpServer (identity AcmeCorp / PLC-9000 / 1.2.3) in a thread, recording requests."""

    def __init__(self, vendor: str = "AcmeCorp", product: str = "PLC-9000", revision: str = "1.2.3") -> None:
        self.info = {"VendorName": vendor, "ProductCode": product, "MajorMinorRevision": revision}
        self.port = _free_port()
        self.recorder = Recorder()
        self._buf = b""
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._server: Optional[object] = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _trace(self, sending: bool, data: bytes) -> bytes:
        if not sending:
            self._buf += data
            while len(self._buf) >= 8:
                length = struct.unpack(">H", self._buf[4:6])[0]
                if len(self._buf) < 6 + length:
                    break
                frame, self._buf = self._buf[: 6 + length], self._buf[6 + length :]
                self.recorder.add(Frame(time.monotonic(), f"fc=0x{frame[7]:02x}", frame[6], frame))
        return data

    def _run(self) -> None:
        from pymodbus import ModbusDeviceIdentification
        from pymodbus.server import ModbusTcpServer
        from pymodbus.simulator import DataType, SimData, SimDevice

        async def main() -> None:
            ident = ModbusDeviceIdentification(info_name=self.info)  # type: ignore[no-untyped-call]
            dev = SimDevice(id=1, simdata=[SimData(0, count=10, values=0, datatype=DataType.REGISTERS)])
            srv = ModbusTcpServer(dev, identity=ident, address=("127.0.0.1", self.port), trace_packet=self._trace)
            self._server = srv
            task = asyncio.ensure_future(srv.serve_forever())
            for _ in range(100):  # wait until it listens
                with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), 0.1):
                    break
                await asyncio.sleep(0.02)
            self._ready.set()
            await task

        self._loop = asyncio.new_event_loop()
        with contextlib.suppress(asyncio.CancelledError, RuntimeError):
            self._loop.run_until_complete(main())

    def __enter__(self) -> ModbusServer:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("pymodbus server did not start")
        # the readiness probe connected once without sending anything: no frame recorded
        self.recorder.frames.clear()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._loop is not None and self._server is not None:
            fut = asyncio.run_coroutine_threadsafe(self._server.shutdown(), self._loop)  # type: ignore[attr-defined]
            with contextlib.suppress(Exception):
                fut.result(5)
        self._thread.join(5)


# ---------------------------------------------------------------- threaded TCP fakes

Handler = Callable[[socket.socket, Recorder], None]


class TcpServer:
    """Accept loop on an ephemeral port; each connection served by ``handler`` in its own thread."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.recorder = Recorder()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        stamps.enable(self.sock)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port: int = self.sock.getsockname()[1]
        self.connections = 0
        self._held: List[socket.socket] = []
        self._stop = threading.Event()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            conn.settimeout(5)
            self._held.append(conn)

            def run(c: socket.socket = conn) -> None:
                with contextlib.suppress(OSError):
                    self.handler(c, self.recorder)

            threading.Thread(target=run, daemon=True).start()

    def __enter__(self) -> TcpServer:
        threading.Thread(target=self._loop, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()
        for c in self._held:
            with contextlib.suppress(OSError):
                c.close()


def _read_stamped(conn: socket.socket, n: int) -> Optional[Tuple[bytes, float]]:
    """``n`` bytes and when their first byte arrived (the read time if the kernel gave no stamp)."""
    buf = b""
    at: Optional[float] = None
    while len(buf) < n:
        chunk, chunk_at = stamps.recv(conn, n - len(buf))
        if not chunk:
            return None
        if at is None:
            at = chunk_at
        buf += chunk
    return buf, at if at is not None else time.monotonic()


def _read(conn: socket.socket, n: int) -> Optional[bytes]:
    got = _read_stamped(conn, n)
    return None if got is None else got[0]


def garbage(conn: socket.socket, rec: Recorder) -> None:
    """Random-looking bytes as soon as the client connects."""
    conn.sendall(GARBAGE_BYTES)
    while conn.recv(4096):
        rec.add(Frame(time.monotonic(), "any"))


def close_at_once(conn: socket.socket, rec: Recorder) -> None:
    conn.close()


def silent(conn: socket.socket, rec: Recorder) -> None:
    """Accepts, reads, never answers (the connection stays open until the client leaves)."""
    while conn.recv(4096):
        rec.add(Frame(time.monotonic(), "any"))


# S7comm -------------------------------------------------------------------

S7_MODULE = "6ES7 315-2EH14-0AB0"
S7_SERIAL = "S C-X4U421302009"
S7_SYSTEM = "SIMATIC 300(Line-3)"


def _tpkt(payload: bytes) -> bytes:
    return struct.pack(">BBH", 3, 0, 4 + len(payload)) + payload


def _szl(szl_id: int) -> bytes:
    if szl_id == 0x0011:
        recs = [
            struct.pack(">H", 1) + S7_MODULE.encode().ljust(20, b" ") + b"\x00\xc0\x00\x04\x00\x01",
            struct.pack(">H", 6) + S7_MODULE.encode().ljust(20, b" ") + b"\x00\xc0\x00\x04\x00\x01",
            struct.pack(">H", 7) + b" ".ljust(20, b" ") + b"\x00\xc0\x56\x03\x02\x06",
        ]
    else:
        texts = {1: S7_SYSTEM, 2: "CPU 315-2 PN/DP", 5: S7_SERIAL, 7: "CPU 315-2 PN/DP"}
        recs = [struct.pack(">H", i) + t.encode().ljust(32, b"\x00") for i, t in texts.items()]
    rec_len = len(recs[0])
    data = b"\xff\x09" + struct.pack(">HHHHH", 8 + rec_len * len(recs), szl_id, 1, rec_len, len(recs)) + b"".join(recs)
    params = bytes.fromhex("000112081284010100000000")
    header = struct.pack(">BBHHHH", 0x32, 0x07, 0, 0, len(params), len(data))
    return _tpkt(b"\x02\xf0\x80" + header + params + data)


def s7(conn: socket.socket, rec: Recorder) -> None:
    """COTP CC, Setup Communication ack (PDU 240), SZL 0x0011/0x001C with canned records."""
    while True:
        stamped = _read_stamped(conn, 4)
        if stamped is None:
            return
        head, now = stamped
        body = _read(conn, struct.unpack(">H", head[2:4])[0] - 4) or b""
        if len(body) > 1 and body[1] == 0xE0:
            rec.add(Frame(now, "cotp-cr", raw=head + body))
            conn.sendall(_tpkt(bytes.fromhex("11d00014000100c0010ac1020100c2020102")))
            continue
        s7pdu = body[3:]
        if len(s7pdu) > 1 and s7pdu[1] == 0x01:
            rec.add(Frame(now, f"s7-job-0x{s7pdu[10]:02x}", raw=head + body))
            ack = struct.pack(">BBHHHHBB", 0x32, 0x03, 0, 1, 8, 0, 0, 0) + bytes.fromhex("f0000001000100f0")
            conn.sendall(_tpkt(b"\x02\xf0\x80" + ack))
        elif len(s7pdu) > 1 and s7pdu[1] == 0x07:
            plen = struct.unpack(">H", s7pdu[6:8])[0]
            szl_id = struct.unpack(">H", s7pdu[10 + plen + 4 : 10 + plen + 6])[0]
            rec.add(Frame(now, f"s7-userdata-0x{s7pdu[15]:02x}-0x{s7pdu[16]:02x}-szl-0x{szl_id:04x}", raw=head + body))
            conn.sendall(_szl(szl_id))
        else:
            rec.add(Frame(now, "s7-other", raw=head + body))
            return


# EtherNet/IP -------------------------------------------------------------------

ENIP_NAME = "1756-EN2T/D"


def enip(conn: socket.socket, rec: Recorder) -> None:
    """Answers List Identity with a CIP Identity item (vendor 1 Rockwell, type 12, product 166, rev 11.2)."""
    while True:
        stamped = _read_stamped(conn, 24)
        if stamped is None:
            return
        head, at = stamped
        cmd, length = struct.unpack("<HH", head[:4])
        _read(conn, length)
        rec.add(Frame(at, f"enip-0x{cmd:04x}", raw=head))
        if cmd != 0x63:
            return
        name = ENIP_NAME.encode()
        sockaddr = struct.pack(">HH4s8s", 2, 44818, socket.inet_aton("127.0.0.1"), b"\0" * 8)
        item = struct.pack("<H", 1) + sockaddr + struct.pack("<HHHBBHI", 1, 12, 166, 11, 2, 0x0030, 0x00C0FFEE)
        item += bytes([len(name)]) + name + b"\x03"
        data = struct.pack("<HHH", 1, 0x0C, len(item)) + item
        conn.sendall(struct.pack("<HHII", 0x63, len(data), 0, 0) + head[12:24] + data)


# OPC UA -------------------------------------------------------------------


def _s(text: Optional[str]) -> bytes:
    if text is None:
        return struct.pack("<i", -1)
    raw = text.encode()
    return struct.pack("<i", len(raw)) + raw


def _response_header(handle: int) -> bytes:
    return struct.pack("<qII", 0, handle, 0) + b"\x00" + struct.pack("<i", -1) + b"\x00\x00\x00"


Endpoint = Tuple[int, str, Sequence[int]]  # (security mode, policy suffix, token types)
INSECURE_ENDPOINTS: Tuple[Endpoint, ...] = ((1, "None", (0,)), (3, "Basic256Sha256", (0, 1)))
SECURE_ENDPOINTS: Tuple[Endpoint, ...] = ((3, "Basic256Sha256", (1, 2)),)


def _endpoint(url: str, mode: int, policy: str, tokens: Sequence[int]) -> bytes:
    out = _s(url) + _s("urn:acme:plc9000") + _s("urn:acme:ua-sdk") + b"\x02" + _s("Acme UA Server")
    out += struct.pack("<i", 0) + _s(None) + _s(None) + struct.pack("<i", 1) + _s(url)
    out += struct.pack("<i", -1) + struct.pack("<i", mode) + _s("http://opcfoundation.org/UA/SecurityPolicy#" + policy)
    out += struct.pack("<i", len(tokens))
    for i, t in enumerate(tokens):
        out += _s(f"token{i}") + struct.pack("<i", t) + _s(None) + _s(None) + _s(None)
    return out + _s("http://opcfoundation.org/UA-Profile/Transport/uatcp-uasc-uabinary") + bytes([mode])


def opcua(endpoints: Sequence[Endpoint] = INSECURE_ENDPOINTS) -> Handler:
    """HEL->ACK, OPN->OPN (channel 7, token 1), MSG GetEndpoints->endpoints, CLO->close."""

    def handle(conn: socket.socket, rec: Recorder) -> None:
        url = "opc.tcp://127.0.0.1:4840"
        while True:
            stamped = _read_stamped(conn, 8)
            if stamped is None:
                return
            head, at = stamped
            kind = head[:3].decode("latin-1")
            body = _read(conn, struct.unpack("<I", head[4:8])[0] - 8) or b""
            rec.add(Frame(at, kind, raw=head + body))
            if kind == "HEL":
                reply = b"ACK" + b"F" + struct.pack("<I", 28) + struct.pack("<IIIII", 0, 65536, 65536, 0, 0)
            elif kind == "OPN":
                policy_len = struct.unpack("<i", body[4:8])[0]
                seq = body[8 + policy_len + 8 : 8 + policy_len + 16]
                payload = (
                    struct.pack("<I", 7)
                    + _s("http://opcfoundation.org/UA/SecurityPolicy#None")
                    + struct.pack("<ii", -1, -1)
                    + seq
                    + struct.pack("<BBH", 1, 0, 449)
                    + _response_header(1)
                    + struct.pack("<IIIqI", 0, 7, 1, 0, 3600000)
                    + struct.pack("<i", 0)
                )
                reply = b"OPNF" + struct.pack("<I", 8 + len(payload)) + payload
            elif kind == "MSG":
                eps = b"".join(_endpoint(url, *e) for e in endpoints)
                payload = (
                    struct.pack("<II", 7, 1)
                    + body[8:16]
                    + struct.pack("<BBH", 1, 0, 431)
                    + _response_header(2)
                    + struct.pack("<i", len(endpoints))
                    + eps
                )
                reply = b"MSGF" + struct.pack("<I", 8 + len(payload)) + payload
            else:
                return
            conn.sendall(reply)

    return handle


# ---------------------------------------------------------------- UDP (BACnet)


class UdpServer:
    """A UDP socket on an ephemeral port; ``mode`` is "bacnet", "garbage" or "silent"."""

    def __init__(self, mode: str = "bacnet") -> None:
        self.mode = mode
        self.recorder = Recorder()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        stamps.enable(self.sock)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.1)
        self.port: int = self.sock.getsockname()[1]
        self._stop = threading.Event()
        self.values: Dict[int, str] = {0x79: "Acme Building Controls", 0x46: "ABC-1000", 0x2C: "4.2.1"}

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                data, ancillary, _, peer = self.sock.recvmsg(2048, stamps.STAMP_SPACE)
            except TimeoutError:
                continue
            except OSError:
                return
            service = data[9] if len(data) > 9 else -1
            prop = data[-1] if len(data) > 12 else -1
            at = stamps.received_at(ancillary)
            self.recorder.add(Frame(at, f"bacnet-service-0x{service:02x}-prop-0x{prop:02x}", raw=data))
            if self.mode == "garbage":
                self.sock.sendto(GARBAGE_BYTES, peer)
            elif self.mode == "bacnet":
                value = self.values[prop].encode()
                apdu = bytes([0x30, data[8], 0x0C, 0x0C]) + data[11:15] + bytes([0x19, prop, 0x3E, 0x75, len(value) + 1, 0])
                apdu += value + b"\x3f"
                npdu = b"\x01\x00"
                self.sock.sendto(b"\x81\x0a" + struct.pack(">H", 4 + len(npdu) + len(apdu)) + npdu + apdu, peer)

    def __enter__(self) -> UdpServer:
        threading.Thread(target=self._loop, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self.sock.close()


def closed_udp_port() -> int:
    """A UDP port with nobody listening (the kernel answers ICMP port unreachable)."""
    return _free_port()


def closed_tcp_port() -> int:
    return _free_port()


@contextlib.contextmanager
def tcp(handler: Handler) -> Iterator[TcpServer]:
    with TcpServer(handler) as srv:
        yield srv
