"""Hostile servers on loopback: they lie, stall, trickle, flood and send escape sequences.

``HostileServer(behaviour)`` listens on an ephemeral port of a loopback
address (127.0.0.1 unless told otherwise) and runs ``behaviour(conn, stop)``
for every connection in a daemon thread; it counts connections, keeps the
first bytes of each request, and knows how many connections are still open.
Every behaviour stops when the server stops or the client goes away.

Behaviours:

* :func:`trickle`: optionally reads the request, then sends a payload one byte
  every ``interval`` seconds, for ever (cycling), so no per-read timeout fires.
* :func:`tls_trickle`: answers a ClientHello with a record header announcing
  16 KiB (``16 03 03 40 00``), then one byte every ``interval``.
* :func:`tls_never_finishes`: answers a ClientHello with a real ServerHello for
  one of the offered suites, then a Certificate record that never completes.
* :func:`endless_redirects`: 302 for ever, each to a new path with a secret
  session id in the query, the fragment and the path parameters.
* :func:`huge_headers`: a status line, then 64 MiB of one header.
* :func:`gzip_bomb`: ``Content-Encoding: gzip`` over 64 MiB of zeros (64 KiB on
  the wire); :func:`gzip_page` a small gzip'd directory listing.
* :func:`escape_headers`: every header the web probes record, each carrying
  ``ESC[2K``, an OSC title ``ESC]0;pwned BEL``, ``<script>``, a Markdown
  ``javascript:`` link and ``|``.
* :func:`wrong_protocol`: whatever is asked, an SSH banner, an HTTP error page
  or binary noise (a wrong protocol on the probed port).
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import socket
import ssl
import struct
import threading
from types import TracebackType
from typing import Any, Callable, List, Optional, Type

Behaviour = Callable[[Any, threading.Event], None]  # the connection: recv, sendall, settimeout

HOSTILE = "\x1b[2K\x1b]0;pwned\x07<script>alert(1)</script>[a](javascript:alert(1))|x|"
SECRET = "s3cr3t-session-4242"
# Every header the web probes read, and what goes into the facts from it.
RECORDED_HEADERS = (
    "Server",
    "X-Powered-By",
    "X-AspNet-Version",
    "X-AspNetMvc-Version",
    "X-Frame-Options",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Content-Security-Policy",
    "Strict-Transport-Security",
    "Access-Control-Allow-Origin",
)


class HostileServer:
    """A TCP listener on ``address`` running ``behaviour`` for every connection."""

    def __init__(self, behaviour: Behaviour, address: str = "127.0.0.1", port: int = 0) -> None:
        self.behaviour = behaviour
        self.stopping = threading.Event()
        self.connections = 0
        self.open = 0
        self.requests: List[bytes] = []
        self._lock = threading.Lock()
        self._conns: List[socket.socket] = []
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        self._listener = socket.socket(family, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind((address, port))
        self._listener.listen(32)
        self._listener.settimeout(0.1)
        self.address = address
        self.port = int(self._listener.getsockname()[1])
        self._thread = threading.Thread(target=self._accept_loop, daemon=True)
        self._thread.start()

    def url(self, scheme: str = "http", host: Optional[str] = None) -> str:
        return f"{scheme}://{host or self.address}:{self.port}/"

    def _accept_loop(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                self.connections += 1
                self.open += 1
                self._conns.append(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        conn.settimeout(5)
        try:
            self.behaviour(_Recording(conn, self), self.stopping)
        except (OSError, ssl.SSLError):
            pass
        finally:
            with contextlib.suppress(OSError):
                conn.close()
            with self._lock:
                self.open -= 1

    def stop(self) -> None:
        self.stopping.set()
        with contextlib.suppress(OSError):
            self._listener.close()
        with self._lock:
            for conn in self._conns:
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
                with contextlib.suppress(OSError):
                    conn.close()
        self._thread.join(2)

    def __enter__(self) -> HostileServer:
        return self

    def __exit__(self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException], tb: Optional[TracebackType]) -> None:
        self.stop()


class _Recording:
    """The accepted socket, keeping the first bytes a client sends for the test to look at."""

    def __init__(self, conn: socket.socket, server: HostileServer) -> None:
        self._conn = conn
        self._server = server
        self._kept = False

    def recv(self, bufsize: int) -> bytes:
        data = self._conn.recv(bufsize)
        if data and not self._kept:
            self._kept = True
            with self._server._lock:
                self._server.requests.append(data[:4096])
        return data

    def sendall(self, data: bytes) -> None:
        self._conn.sendall(data)

    def settimeout(self, value: Optional[float]) -> None:
        self._conn.settimeout(value)


def read_request(conn: Any, limit: int = 65536) -> bytes:
    """An HTTP request head (or whatever arrives first, for a protocol that is not HTTP)."""
    data = b""
    while b"\r\n\r\n" not in data and len(data) < limit:
        try:
            chunk = conn.recv(4096)
        except TimeoutError:
            break
        if not chunk:
            break
        data += chunk
        if not data.startswith((b"GET ", b"HEAD ")):
            break  # a TLS hello, an MQTT CONNECT, a PLC frame: one read is the request
    return data


def _drip(conn: Any, stop: threading.Event, payload: bytes, interval: float) -> None:
    i = 0
    while not stop.wait(interval):
        conn.sendall(payload[i % len(payload) : i % len(payload) + 1])
        i += 1


def trickle(payload: bytes = b"HTTP/1.1 200 OK\r\nX-Slow: " + b"z" * 64, interval: float = 0.2, read_first: bool = True) -> Behaviour:
    """One byte every ``interval`` seconds, for ever (the payload cycles)."""

    def behave(conn: Any, stop: threading.Event) -> None:
        if read_first:
            read_request(conn)
        _drip(conn, stop, payload, interval)

    return behave


def tls_trickle(interval: float = 0.2) -> Behaviour:
    """``16 03 03 40 00`` (a handshake record of 16 KiB) after the ClientHello, then one byte every ``interval``."""

    def behave(conn: Any, stop: threading.Event) -> None:
        read_request(conn)
        conn.sendall(b"\x16\x03\x03\x40\x00")
        _drip(conn, stop, b"\x02", interval)

    return behave


def _offered_suites(hello: bytes) -> List[int]:
    """Cipher suites of a ClientHello (record header included); [] if it is not one."""
    try:
        pos = 5 + 4 + 2 + 32
        pos += 1 + hello[pos]
        n = struct.unpack("!H", hello[pos : pos + 2])[0]
        return [struct.unpack("!H", hello[pos + 2 + i : pos + 4 + i])[0] for i in range(0, n, 2)]
    except (IndexError, struct.error):
        return []


def tls_never_finishes(interval: float = 0.2) -> Behaviour:
    """A real ServerHello for an offered TLS 1.2 suite, then a Certificate record that never completes."""

    def behave(conn: Any, stop: threading.Event) -> None:
        hello = read_request(conn)
        suites = [s for s in _offered_suites(hello) if s >> 8 not in (0x13,) and s not in (0x00FF, 0x5600) and s & 0x0F0F != 0x0A0A]
        if not suites:
            stop.wait(30)
            return
        renegotiation_info = b"\xff\x01\x00\x01\x00"  # OpenSSL insists on secure renegotiation
        body = b"\x03\x03" + b"\x42" * 32 + b"\x00" + struct.pack("!H", suites[0]) + b"\x00"
        body += struct.pack("!H", len(renegotiation_info)) + renegotiation_info
        server_hello = b"\x02" + len(body).to_bytes(3, "big") + body
        conn.sendall(b"\x16\x03\x03" + struct.pack("!H", len(server_hello)) + server_hello)
        conn.sendall(b"\x16\x03\x03\x40\x00\x0b\x00\x3f\xfc")  # a 16 KiB Certificate record, never more than this
        _drip(conn, stop, b"\x00", interval)

    return behave


def _http(status: str, headers: List[tuple[str, str]], body: bytes = b"") -> bytes:
    lines = [f"HTTP/1.1 {status}", *[f"{n}: {v}" for n, v in headers], f"Content-Length: {len(body)}", "Connection: close"]
    return "\r\n".join(lines).encode("latin-1") + b"\r\n\r\n" + body


def endless_redirects() -> Behaviour:
    """302 for ever: /r/1 -> /r/2 ..., every Location with a secret in the query, fragment, path parameters and user info."""

    def behave(conn: Any, stop: threading.Event) -> None:
        request = read_request(conn)
        parts = request.split(b" ", 2)
        path = parts[1].decode("latin-1") if len(parts) > 1 else "/"
        n = int(path.rsplit("/", 1)[-1].split("?", 1)[0]) + 1 if path.startswith("/r/") and path[3:].split("?")[0].isdigit() else 1
        host = next((ln.split(b":", 1)[1].strip() for ln in request.split(b"\r\n") if ln.lower().startswith(b"host:")), b"127.0.0.1")
        if n % 2:
            location = f"/r/{n}?sid={SECRET}&n={n}#token={SECRET}"
        else:
            location = f"http://user:{SECRET}@{host.decode('latin-1')}/r/{n};jsessionid={SECRET}?sid={SECRET}"
        conn.sendall(_http("302 Found", [("Location", location), ("Set-Cookie", f"sid={SECRET}; Path=/")]))

    return behave


def huge_headers(total: int = 64 * 1024 * 1024) -> Behaviour:
    """A valid status line, then one header of ``total`` bytes, sent as fast as the client reads it."""

    def behave(conn: Any, stop: threading.Event) -> None:
        read_request(conn)
        conn.sendall(b"HTTP/1.1 200 OK\r\nX-Huge: ")
        chunk = b"a" * 65536
        sent = 0
        while sent < total and not stop.is_set():
            conn.sendall(chunk)
            sent += len(chunk)
        conn.sendall(b"\r\n\r\n")

    return behave


@functools.lru_cache(maxsize=1)
def bomb_body(size: int = 64 * 1024 * 1024) -> bytes:
    """``size`` zero bytes, gzip'd (about 64 KiB for 64 MiB)."""
    out = gzip.compress(b"\0" * size, compresslevel=9, mtime=0)
    return out


def gzip_bomb(size: int = 64 * 1024 * 1024) -> Behaviour:
    """``size`` zero bytes in a gzip body (built once, here, not while a client is served)."""
    reply = _http("200 OK", [("Content-Type", "text/html"), ("Content-Encoding", "gzip")], bomb_body(size))

    def behave(conn: Any, stop: threading.Event) -> None:
        read_request(conn)
        conn.sendall(reply)

    return behave


LISTING_PAGE = b"<html><head><title>Index of /files/</title></head><body><h1>Index of /files/</h1></body></html>"


def gzip_page() -> Behaviour:
    """A directory listing, gzip'd: the probe must see through the encoding to find it."""

    def behave(conn: Any, stop: threading.Event) -> None:
        read_request(conn)
        conn.sendall(_http("200 OK", [("Content-Type", "text/html"), ("Content-Encoding", "gzip")], gzip.compress(LISTING_PAGE, mtime=0)))

    return behave


def escape_headers(status: str = "200 OK", location: Optional[str] = None) -> Behaviour:
    """Every recorded header carrying terminal escapes, HTML and Markdown; ``location`` for a redirect."""

    def behave(conn: Any, stop: threading.Event) -> None:
        read_request(conn)
        headers = [(name, HOSTILE) for name in RECORDED_HEADERS]
        headers.append(("Set-Cookie", f"{HOSTILE}=1; Secure; SameSite={HOSTILE}"))
        if location is not None:
            headers.append(("Location", location))
        conn.sendall(_http(status, headers, b"<html>" + HOSTILE.encode("latin-1") + b"</html>"))

    return behave


WRONG = {
    "ssh": b"SSH-2.0-OpenSSH_9.2p1 \x1b[2K\x1b]0;pwned\x07\r\n",
    "http": b"HTTP/1.1 400 Bad Request\r\nServer: \x1b]0;pwned\x07\r\nContent-Length: 0\r\n\r\n",
    "noise": bytes(range(256)) * 4,
}


def wrong_protocol(kind: str = "http") -> Behaviour:
    """A service speaking something else: ``ssh`` greets first, ``http`` and ``noise`` answer any request."""

    def behave(conn: Any, stop: threading.Event) -> None:
        if kind == "ssh":
            conn.sendall(WRONG["ssh"])
            read_request(conn)
            stop.wait(2)
            return
        read_request(conn)
        conn.sendall(WRONG[kind])
        stop.wait(1)

    return behave


def same_port_on(address: str, port: int, behaviour: Behaviour) -> HostileServer:
    """A second server on the same port number of another loopback address (to catch a connection going there)."""
    return HostileServer(behaviour, address, port)
