"""Misbehaving HTTP servers on 127.0.0.1, one mode each, for the client's failure paths.

``with BrokenHttpServer("trickle") as srv: srv.port`` — every connection is
served in its own daemon thread until the server stops.

Modes:
  ok              a valid response: two Set-Cookie headers and a chunked body
  bad_status      replies with a line that is not an HTTP status line
  endless_headers a valid status line, then header lines for ever
  long_header     one 100 KiB header line
  trickle         a response one byte per second, never finishing
  silent          reads the request and never answers
  close           closes the connection at once
  plain_on_tls    plain HTTP on a port the client will speak TLS to
  redirect        302 to ``location`` for every path (off-scope redirect tests)
  slow_paths      answers "/" normally, stays silent for every other path
"""

from __future__ import annotations

import socket
import threading
from types import TracebackType
from typing import List, Optional, Type

MODES = (
    "ok",
    "bad_status",
    "endless_headers",
    "long_header",
    "trickle",
    "silent",
    "close",
    "plain_on_tls",
    "redirect",
    "slow_paths",
)
OK_BODY = b"hello from the ok server\n" * 8


class BrokenHttpServer:
    """A threaded TCP server that misbehaves in one chosen way."""

    def __init__(self, mode: str, location: str = "http://10.255.255.1/", trickle_interval: float = 1.0) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}")
        self.mode = mode
        self.location = location
        self.trickle_interval = trickle_interval
        self.stopping = threading.Event()
        self.accepted = 0
        self._conns: List[socket.socket] = []
        self._lock = threading.Lock()
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(16)
        self._listener.settimeout(0.2)  # so the accept loop notices stop()
        self.port = int(self._listener.getsockname()[1])
        self._thread = threading.Thread(target=self._accept_loop, daemon=True)
        self._thread.start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def _accept_loop(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.settimeout(10)
            with self._lock:
                self.accepted += 1
                self._conns.append(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _read_request(self, conn: socket.socket) -> bytes:
        conn.settimeout(5)
        data = b""
        while b"\r\n\r\n" not in data and len(data) < 65536:
            chunk = conn.recv(4096)
            if not chunk:
                break
            data += chunk
            if self.mode == "plain_on_tls" and data:
                break  # a TLS ClientHello has no blank line
        return data

    def _serve(self, conn: socket.socket) -> None:
        try:
            self._handle(conn)
        except OSError:
            pass
        finally:
            try:
                conn.close()
            except OSError:
                pass

    def _handle(self, conn: socket.socket) -> None:
        mode = self.mode
        if mode == "close":
            return
        request = self._read_request(conn)
        if mode == "ok":
            chunks = b"".join(
                b"%x\r\n%s\r\n" % (len(OK_BODY[i : i + 50]), OK_BODY[i : i + 50]) for i in range(0, len(OK_BODY), 50)
            )
            conn.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nSet-Cookie: a=1; Secure\r\nSet-Cookie: b=2; HttpOnly\r\n"
                b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + chunks + b"0\r\n\r\n"
            )
        elif mode == "bad_status":
            conn.sendall(b"HELLO THERE\r\nnot http at all\r\n\r\n")
            self.stopping.wait(5)
        elif mode == "endless_headers":
            conn.sendall(b"HTTP/1.1 200 OK\r\n")
            i = 0
            while not self.stopping.is_set():
                conn.sendall(b"X-Filler-%d: %s\r\n" % (i, b"a" * 32))
                i += 1
        elif mode == "long_header":
            conn.sendall(b"HTTP/1.1 200 OK\r\nX-Huge: " + b"a" * (100 * 1024) + b"\r\n\r\n")
            self.stopping.wait(5)
        elif mode == "trickle":
            payload = b"HTTP/1.1 200 OK\r\n" + b"X-Slow: " + b"z" * 10000
            for byte in payload:
                if self.stopping.wait(self.trickle_interval):
                    return
                conn.sendall(bytes([byte]))
        elif mode == "silent":
            self.stopping.wait(30)
        elif mode == "plain_on_tls":
            conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
        elif mode == "redirect":
            loc = self.location.encode("ascii")
            conn.sendall(b"HTTP/1.1 302 Found\r\nLocation: " + loc + b"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        elif mode == "slow_paths":
            if request.startswith(b"GET / "):
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 13\r\n\r\n<html></html>")
            else:
                self.stopping.wait(30)

    def stop(self) -> None:
        self.stopping.set()
        try:
            self._listener.close()
        except OSError:
            pass
        with self._lock:
            for conn in self._conns:
                try:
                    conn.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                try:
                    conn.close()
                except OSError:
                    pass

    def __enter__(self) -> BrokenHttpServer:
        return self

    def __exit__(
        self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException], tb: Optional[TracebackType]
    ) -> None:
        self.stop()
