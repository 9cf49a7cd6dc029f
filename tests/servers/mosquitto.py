"""A real mosquitto broker for the MQTT probe tests, plus a frame-recording fake.

``with start_mosquitto(tmp_path, tls=pair) as b:`` runs /usr/sbin/mosquitto
with a config file under ``tmp_path`` and up to three listeners on free
127.0.0.1 ports (PROTOCOLS.md §3.1):

* ``b.ports["anonymous"]``: plain, ``allow_anonymous true`` (the exposure);
* ``b.ports["password"]``: plain, ``allow_anonymous false`` and a password
  file made with ``mosquitto_passwd -b -c``;
* ``b.ports["tls"]``: TLS with ``pair`` (a :class:`certs.CertPair`), and
  ``tls_anonymous`` deciding whether anonymous clients get in.

``log_type all`` writes every packet the broker receives to ``b.log``, so a
test can list what a client id sent (:meth:`Broker.received_from`).
:meth:`Broker.watch` runs ``mosquitto_sub -t '#' -R`` beside the probe to
prove nothing new was published.

:func:`recording_broker` is a Python fake for ``tests.servers.tcp.serve``: it
answers CONNECT and SUBSCRIBE, floods many PUBLISH topics, and timestamps
every frame it receives, so rate and packet bounds can be asserted exactly.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Optional, Sequence, Tuple

from tests.servers import certs, stamps

MOSQUITTO = "/usr/sbin/mosquitto"
USER, PASSWORD = "fleet", "fleet-pass-1"
RETAINED_TOPICS = ("fleet/LTEST000000000001/telemetry", "fleet/LTEST000000000002/location", "ota/status")
_RECEIVED = re.compile(r"Received (\w+) from (\S+)")
_NEW_CLIENT = re.compile(r"New client connected from \S+ as (\S+)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_port(port: int, proc: subprocess.Popen[bytes], log: Path, timeout_s: float = 5.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"mosquitto exited with {proc.returncode}: {log.read_text(errors='replace')[-2000:]}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return
        time.sleep(0.05)
    raise RuntimeError(f"mosquitto did not listen on {port} within {timeout_s} s")


@dataclass
class Broker:
    """A running mosquitto: its listener ports by profile and its log file."""

    ports: Dict[str, int]
    log: Path
    ca_cert: Optional[Path] = None
    _subs: List[Tuple[subprocess.Popen[bytes], Path]] = field(default_factory=list)

    def publish_retained(self, topics: Sequence[str] = RETAINED_TOPICS) -> None:
        """Retained messages from the test itself, so a wildcard subscriber sees topic names."""
        port = self.ports.get("anonymous") or self.ports["password"]
        auth = [] if "anonymous" in self.ports else ["-u", USER, "-P", PASSWORD]
        for topic in topics:
            subprocess.run(
                [
                    "mosquitto_pub",
                    "-h",
                    "127.0.0.1",
                    "-p",
                    str(port),
                    "-r",
                    "-q",
                    "1",
                    "-t",
                    topic,
                    "-m",
                    "payload-secret",
                    *auth,
                ],
                check=True,
                timeout=10,
                capture_output=True,
            )

    def received_from(self, client_prefix: str) -> List[Tuple[str, str]]:
        """(packet type, client id) the broker logged as received from clients whose id starts with the prefix."""
        out: List[Tuple[str, str]] = []
        for line in self.log.read_text(errors="replace").splitlines():
            m = _NEW_CLIENT.search(line)
            if m and m.group(1).startswith(client_prefix):
                out.append(("CONNECT", m.group(1)))
                continue
            m = _RECEIVED.search(line)
            if m and m.group(2).startswith(client_prefix):
                out.append((m.group(1), m.group(2)))
        return out

    @contextlib.contextmanager
    def watch(self, directory: Path) -> Iterator[Path]:
        """A ``mosquitto_sub -t '#' -v -R`` running beside the probe; yields its output file."""
        port = self.ports.get("anonymous") or self.ports["password"]
        auth = [] if "anonymous" in self.ports else ["-u", USER, "-P", PASSWORD]
        out = directory / f"sub-{port}.txt"
        with out.open("wb") as fh:
            proc = subprocess.Popen(
                ["mosquitto_sub", "-h", "127.0.0.1", "-p", str(port), "-t", "#", "-t", "$SYS/riskagent/#", "-v", "-R", *auth],
                stdout=fh,
                stderr=subprocess.STDOUT,
            )
        try:
            time.sleep(0.3)  # let it subscribe before the probe runs
            yield out
        finally:
            time.sleep(0.2)
            proc.terminate()
            proc.wait(5)


@contextlib.contextmanager
def start_mosquitto(
    tmp_path: Path,
    anonymous: bool = True,
    password: bool = False,
    tls: Optional[certs.CertPair] = None,
    tls_anonymous: bool = True,
) -> Iterator[Broker]:
    """Run mosquitto in the foreground with the chosen listeners; stopped on exit."""
    assert Path(MOSQUITTO).exists(), f"{MOSQUITTO} is missing (scripts/test.sh installs mosquitto)"
    assert shutil.which("mosquitto_passwd"), "mosquitto_passwd is missing (mosquitto-clients)"
    base = tmp_path / "mosquitto"
    base.mkdir(parents=True, exist_ok=True)
    log = base / "mosquitto.log"
    lines = ["per_listener_settings true", "persistence false", f"log_dest file {log}", "log_type all", "user root"]
    ports: Dict[str, int] = {}
    if anonymous:
        ports["anonymous"] = free_port()
        lines += [f"listener {ports['anonymous']} 127.0.0.1", "allow_anonymous true"]
    if password:
        pw = base / "passwd"
        subprocess.run(["mosquitto_passwd", "-b", "-c", str(pw), USER, PASSWORD], check=True, capture_output=True, timeout=10)
        ports["password"] = free_port()
        lines += [f"listener {ports['password']} 127.0.0.1", "allow_anonymous false", f"password_file {pw}"]
    if tls is not None:
        ports["tls"] = free_port()
        lines += [f"listener {ports['tls']} 127.0.0.1", f"allow_anonymous {'true' if tls_anonymous else 'false'}"]
        lines += [f"certfile {tls.cert}", f"keyfile {tls.key}"]
        if not tls_anonymous:
            pw = base / "passwd"
            if not pw.exists():
                subprocess.run(["mosquitto_passwd", "-b", "-c", str(pw), USER, PASSWORD], check=True, capture_output=True)
            lines.append(f"password_file {pw}")
    conf = base / "mosquitto.conf"
    conf.write_text("\n".join(lines) + "\n")
    proc = subprocess.Popen([MOSQUITTO, "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for port in ports.values():
            _wait_port(port, proc, log)
        yield Broker(ports, log, tls.ca_cert if tls is not None else None)
    finally:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


# -- a frame-recording fake broker ----------------------------------------------------


@dataclass
class Recording:
    """Frames a fake broker received: (kernel receive time on the monotonic clock, packet type), plus connections."""

    frames: List[Tuple[float, int]] = field(default_factory=list)
    connections: List[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _publish(topic: str, payload: bytes) -> bytes:
    body = len(topic).to_bytes(2, "big") + topic.encode() + payload
    return bytes([0x30]) + _remaining(len(body)) + body


def _remaining(n: int) -> bytes:
    out = b""
    while True:
        digit, n = n % 128, n // 128
        out += bytes([digit | (0x80 if n else 0)])
        if not n:
            return out


def recording_broker(rec: Recording, connack: int = 0, flood: int = 500) -> Callable[[socket.socket], None]:
    """A handler for ``tcp.serve``: records frames, answers CONNECT/SUBSCRIBE, floods ``flood`` topics."""

    def handle(conn: socket.socket) -> None:
        with rec.lock:
            rec.connections.append(time.monotonic())
        buf = b""
        at = time.monotonic()
        while True:
            try:
                chunk, chunk_at = stamps.recv(conn, 4096)
            except OSError:
                return
            if not chunk:
                return
            if not buf:  # a frame is stamped when its first byte arrived
                at = chunk_at
            buf += chunk
            while len(buf) >= 2:
                length, shift, i = 0, 0, 1
                while i < len(buf):
                    length |= (buf[i] & 0x7F) << shift
                    shift += 7
                    i += 1
                    if not buf[i - 1] & 0x80:
                        break
                if len(buf) < i + length:
                    break
                first, body, buf = buf[0], buf[i : i + length], buf[i + length :]
                ptype = first >> 4
                with rec.lock:
                    rec.frames.append((at, ptype))
                if buf:  # the next frame came in the same segment
                    at = chunk_at
                if ptype == 1:
                    conn.sendall(bytes([0x20, 2, 0, connack]))
                elif ptype == 8:
                    conn.sendall(bytes([0x90, 3]) + body[:2] + b"\x00")
                    if body[:2] == b"\x00\x01":
                        conn.sendall(b"".join(_publish(f"veh/{n:05d}/gps", b"x" * 40) for n in range(flood)))
                elif ptype == 14:
                    return

    return handle
