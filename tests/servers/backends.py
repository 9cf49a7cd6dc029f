"""Telematics backend services for the probe tests, on 127.0.0.1 ephemeral ports.

* :func:`start_redis`: the real /usr/bin/redis-server, no persistence, with or
  without ``--requirepass``; ``MONITOR``-free, so commands are counted with
  ``INFO commandstats`` afterwards (:func:`redis_command_counts`).
* :func:`elasticsearch`: a fake Elasticsearch root document (``http.server``
  JSON), open (200) or secured (401), for ``tcp.serve``-like use.
* :func:`kafka`: a fake Kafka broker answering ApiVersions v0 and Metadata v0
  with canned bytes ("open"), or closing on Metadata as a SASL-only listener
  does ("sasl"); it records every request it got.
* :func:`start_http`: a directory served by ``http.server`` (plain or TLS);
  :func:`ota_tree` lays out a listable /firmware/ and an index-protected /ota/.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import shutil
import socket
import ssl
import struct
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

from tests.servers import certs
from tests.servers.mosquitto import free_port

REDIS = "/usr/bin/redis-server"
REDIS_PASSWORD = "redis-test-pass"


@dataclass
class Redis:
    port: int
    password: Optional[str]


@contextlib.contextmanager
def start_redis(tmp_path: Path, password: Optional[str] = None) -> Iterator[Redis]:
    """A real redis-server on 127.0.0.1, stopped on exit."""
    assert Path(REDIS).exists(), f"{REDIS} is missing (scripts/test.sh installs redis-server)"
    port = free_port()
    workdir = tmp_path / f"redis-{port}"
    workdir.mkdir(parents=True)
    argv = [REDIS, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(workdir)]
    if password:
        argv += ["--requirepass", password]
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 5
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start on {port}")
            time.sleep(0.05)
        yield Redis(port, password)
    finally:
        proc.terminate()
        proc.wait(5)


def redis_command_counts(r: Redis) -> Dict[str, int]:
    """Calls per command since start, from ``INFO commandstats`` (the test's own call included)."""
    argv = [shutil.which("redis-cli") or "redis-cli", "-p", str(r.port)]
    if r.password:
        argv += ["--no-auth-warning", "-a", r.password]
    out = subprocess.run([*argv, "INFO", "commandstats"], capture_output=True, text=True, timeout=10, check=True).stdout
    counts: Dict[str, int] = {}
    for line in out.splitlines():
        if line.startswith("cmdstat_"):
            name, _, rest = line[len("cmdstat_") :].partition(":")
            counts[name] = int(rest.split("calls=", 1)[1].split(",", 1)[0])
    return counts


# -- fake Elasticsearch ---------------------------------------------------------------------

ES_ROOT = {
    "name": "es-node-1",
    "cluster_name": "tsp-telemetry",
    "cluster_uuid": "c1u2u3i4d5",
    "version": {"number": "7.10.2", "build_flavor": "default"},
    "tagline": "You Know, for Search",
}


def elasticsearch(secured: bool):
    """A ``tcp.serve`` handler: the ES root document, or 401 with a Basic challenge."""

    def handle(conn: socket.socket) -> None:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(4096)
            if not chunk:
                return
            data += chunk
        if secured:
            body = json.dumps({"error": {"type": "security_exception"}, "status": 401}).encode()
            head = 'HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm="security"\r\n'
        else:
            body = json.dumps(ES_ROOT).encode()
            head = "HTTP/1.1 200 OK\r\n"
        head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        conn.sendall(head.encode() + body)

    return handle


# -- fake Kafka -------------------------------------------------------------------------------


@dataclass
class KafkaLog:
    """(monotonic time, api_key, api_version, body) of every request received."""

    requests: List[Tuple[float, int, int, bytes]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _kstr(s: str) -> bytes:
    return struct.pack(">h", len(s)) + s.encode()


def _api_versions() -> bytes:
    apis = [(0, 0, 8), (1, 0, 11), (3, 0, 9), (18, 0, 3), (17, 0, 1)]
    return struct.pack(">hi", 0, len(apis)) + b"".join(struct.pack(">hhh", *a) for a in apis)


def _metadata(topics: Tuple[str, ...]) -> bytes:
    out = struct.pack(">i", 2)
    for node in (1, 2):
        out += struct.pack(">i", node) + _kstr(f"kafka-{node}.tsp.internal") + struct.pack(">i", 9092)
    out += struct.pack(">i", len(topics))
    for t in topics:
        out += struct.pack(">h", 0) + _kstr(t) + struct.pack(">i", 1)
        out += struct.pack(">hii", 0, 0, 1) + struct.pack(">ii", 1, 1) + struct.pack(">ii", 1, 1)
    return out


KAFKA_TOPICS = ("vehicle.telemetry", "vehicle.location", "ota.events")


def kafka(log: KafkaLog, mode: str = "open"):
    """A ``tcp.serve`` handler: ApiVersions and Metadata v0 answered ("open") or closed on Metadata ("sasl")."""

    def handle(conn: socket.socket) -> None:
        buf = b""
        while True:
            chunk = conn.recv(4096)
            if not chunk:
                return
            buf += chunk
            while len(buf) >= 4 and len(buf) >= 4 + struct.unpack(">i", buf[:4])[0]:
                size = struct.unpack(">i", buf[:4])[0]
                frame, buf = buf[4 : 4 + size], buf[4 + size :]
                key, version, corr = struct.unpack(">hhi", frame[:8])
                cid_len = struct.unpack(">h", frame[8:10])[0]
                with log.lock:
                    log.requests.append((time.monotonic(), key, version, frame[10 + max(cid_len, 0) :]))
                if key == 18:
                    body = _api_versions()
                elif key == 3 and mode == "open":
                    body = _metadata(KAFKA_TOPICS)
                else:
                    return  # SASL-only listener: anything but ApiVersions/SaslHandshake ends the connection
                reply = struct.pack(">i", corr) + body
                conn.sendall(struct.pack(">i", len(reply)) + reply)

    return handle


# -- OTA web server ------------------------------------------------------------------------------


def ota_tree(root: Path, listable: bool = True) -> Path:
    """/firmware/ (a directory listing when ``listable``) and /ota/ with an index page."""
    (root / "firmware").mkdir(parents=True, exist_ok=True)
    (root / "firmware" / "tbox-v1.2.3.bin").write_bytes(b"\x7fELF-not-really")
    (root / "firmware" / "tbox-v1.2.4.bin").write_bytes(b"\x7fELF-not-really")
    if not listable:
        (root / "firmware" / "index.html").write_text("<html><body>firmware service</body></html>")
    (root / "ota").mkdir(exist_ok=True)
    (root / "ota" / "index.html").write_text("<html><body>OTA manifest service</body></html>")
    return root


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def start_http(docroot: Path, tls: Optional[certs.CertPair] = None) -> Iterator[int]:
    """``http.server`` over ``docroot`` on a free port, plain or TLS; yields the port."""
    handler = functools.partial(_Quiet, directory=str(docroot))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    if tls is not None:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(str(tls.cert), str(tls.key))
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()
