"""A minimal HTTP/1.1 client with a hard deadline per request.

``requests``/``urllib3`` only bound each socket read, so a server trickling
one byte a second holds them for ever. Here every socket operation gets the
time left until one overall deadline, the response head and body are capped,
and every failure is a :class:`HttpClientError` with a reason a report can
show. Redirects are never followed: the caller decides, after checking the
scope. Certificates are not verified (the TLS collector judges them) but SNI
is sent so the right virtual host answers.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import ssl
import time
import warnings
from dataclasses import dataclass
from typing import Callable, List, Optional, Sequence, Tuple

from collectors.evidence import CollectError, ErrorReason

MAX_HEAD_BYTES = 64 * 1024
MAX_HEADERS = 200
DEFAULT_BODY_LIMIT = 64 * 1024
USER_AGENT = "riskagent-posture-probe/1.0"
_STATUS_LINE = re.compile(rb"^HTTP/1\.[01] (\d{3})(?: ([^\r\n]*))?$")
_TOKEN = re.compile(rb"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")


class HttpClientError(Exception):
    """A request that did not produce a usable HTTP response; ``kind`` says why."""

    REFUSED = "connection_refused"
    CONNECT_TIMEOUT = "connect_timeout"
    DEADLINE = "deadline_exceeded"
    NETWORK = "network_error"
    TLS = "tls_handshake_failed"
    CLOSED = "connection_closed"
    BAD_STATUS = "bad_status_line"
    BAD_HEADER = "bad_header"
    HEAD_TOO_LONG = "headers_too_long"
    TOO_MANY_HEADERS = "too_many_headers"
    BAD_BODY = "bad_body"

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message

    @property
    def error_reason(self) -> ErrorReason:
        if self.kind in (self.CONNECT_TIMEOUT, self.DEADLINE):
            return ErrorReason.TIMEOUT
        if self.kind == self.REFUSED:
            return ErrorReason.NOT_FOUND
        if self.kind == self.NETWORK:
            return ErrorReason.UNSUPPORTED
        return ErrorReason.MALFORMED

    def to_collect_error(self) -> CollectError:
        return CollectError(self.error_reason, self.message)


@dataclass(frozen=True)
class HttpResponse:
    """Status, headers in order (duplicates kept) and the first bytes of the body."""

    status: int
    reason: str
    headers: Tuple[Tuple[str, str], ...]
    body: bytes
    body_truncated: bool
    elapsed_ms: int

    def header(self, name: str) -> Optional[str]:
        """The last value of header ``name`` (case-insensitive), or None."""
        found = self.header_all(name)
        return found[-1] if found else None

    def header_all(self, name: str) -> List[str]:
        low = name.lower()
        return [v for n, v in self.headers if n.lower() == low]


Guard = Callable[[str], None]


class _Conn:
    """A socket plus the request's deadline; every read is bounded by the time left."""

    def __init__(self, sock: socket.socket, deadline: float, endpoint: str) -> None:
        self.sock = sock
        self.deadline = deadline
        self.endpoint = endpoint
        self.buf = b""

    def remaining(self) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise HttpClientError(HttpClientError.DEADLINE, f"{self.endpoint}: no complete response within the deadline")
        return left

    def fill(self) -> bool:
        """Read more bytes into the buffer; False at end of stream."""
        self.sock.settimeout(self.remaining())
        try:
            data = self.sock.recv(16384)
        except TimeoutError:
            raise HttpClientError(
                HttpClientError.DEADLINE, f"{self.endpoint}: no complete response within the deadline"
            ) from None
        except ConnectionResetError:
            return False  # a reset is the server giving up on us, like a close
        except ssl.SSLError as exc:
            raise HttpClientError(HttpClientError.TLS, f"{self.endpoint}: TLS error while reading: {exc.reason or exc}") from None
        except OSError as exc:
            raise HttpClientError(HttpClientError.NETWORK, f"{self.endpoint}: read failed: {exc.strerror or exc}") from None
        if not data:
            return False
        self.buf += data
        return True

    def take(self, n: int) -> bytes:
        out, self.buf = self.buf[:n], self.buf[n:]
        return out


def _connect(host: str, port: int, deadline: float, endpoint: str) -> socket.socket:
    left = deadline - time.monotonic()
    if left <= 0:
        raise HttpClientError(HttpClientError.DEADLINE, f"{endpoint}: deadline passed before connecting")
    try:
        return socket.create_connection((host, port), timeout=left)
    except ConnectionRefusedError:
        raise HttpClientError(HttpClientError.REFUSED, f"{endpoint}: connection refused (nothing listening)") from None
    except TimeoutError:
        raise HttpClientError(HttpClientError.CONNECT_TIMEOUT, f"{endpoint}: connect timed out after {left:.1f} s") from None
    except socket.gaierror as exc:
        raise HttpClientError(HttpClientError.NETWORK, f"{endpoint}: cannot resolve {host} ({exc.strerror})") from None
    except OSError as exc:
        raise HttpClientError(HttpClientError.NETWORK, f"{endpoint}: connect failed: {exc.strerror or exc}") from None


def _tls_context() -> ssl.SSLContext:
    """Unverified, but willing to talk to old servers so their headers can still be read."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            ctx.minimum_version = ssl.TLSVersion.TLSv1
            ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
        except (ValueError, ssl.SSLError):  # a local OpenSSL without legacy support: keep its defaults
            pass
    ctx.set_alpn_protocols(["http/1.1"])
    return ctx


def _wrap_tls(sock: socket.socket, host: str, deadline: float, endpoint: str) -> socket.socket:
    is_ip = True
    try:
        ipaddress.ip_address(host)
    except ValueError:
        is_ip = False
    tls = _tls_context().wrap_socket(sock, server_hostname=None if is_ip else host, do_handshake_on_connect=False)
    left = deadline - time.monotonic()
    if left <= 0:
        raise HttpClientError(HttpClientError.DEADLINE, f"{endpoint}: deadline passed before the TLS handshake")
    tls.settimeout(left)
    try:
        tls.do_handshake()
    except TimeoutError:
        raise HttpClientError(HttpClientError.DEADLINE, f"{endpoint}: TLS handshake did not finish within the deadline") from None
    except ssl.SSLError as exc:
        raise HttpClientError(
            HttpClientError.TLS, f"{endpoint}: TLS handshake failed ({exc.reason or exc}); is this port speaking TLS?"
        ) from None
    except OSError as exc:
        raise HttpClientError(
            HttpClientError.TLS, f"{endpoint}: connection lost during the TLS handshake ({exc.strerror or exc})"
        ) from None
    return tls


def _read_head(conn: _Conn) -> Tuple[int, str, List[Tuple[str, str]]]:
    while b"\r\n\r\n" not in conn.buf and b"\n\n" not in conn.buf:
        _early_status_check(conn)
        if len(conn.buf) > MAX_HEAD_BYTES:
            break
        if conn.buf.count(b"\n") > MAX_HEADERS + 1:
            raise HttpClientError(HttpClientError.TOO_MANY_HEADERS, f"{conn.endpoint}: more than {MAX_HEADERS} header lines")
        if not conn.fill():
            what = "before sending a status line" if not conn.buf else "in the middle of the response headers"
            raise HttpClientError(HttpClientError.CLOSED, f"{conn.endpoint}: server closed the connection {what}")
    end = conn.buf.find(b"\r\n\r\n")
    sep = 4
    if end < 0 or (0 <= conn.buf.find(b"\n\n") < end):
        end, sep = conn.buf.find(b"\n\n"), 2
    if end < 0 or end > MAX_HEAD_BYTES:
        first = conn.buf.split(b"\n", 1)[0]
        if not _STATUS_LINE.match(first.rstrip(b"\r")):
            raise HttpClientError(HttpClientError.BAD_STATUS, f"{conn.endpoint}: reply is not HTTP (status line {_show(first)})")
        raise HttpClientError(HttpClientError.HEAD_TOO_LONG, f"{conn.endpoint}: response headers exceed {MAX_HEAD_BYTES} bytes")
    head = conn.take(end + sep)[:end]
    lines = [line.rstrip(b"\r") for line in head.split(b"\n")]
    m = _STATUS_LINE.match(lines[0])
    if not m:
        raise HttpClientError(HttpClientError.BAD_STATUS, f"{conn.endpoint}: reply is not HTTP (status line {_show(lines[0])})")
    if len(lines) - 1 > MAX_HEADERS:
        raise HttpClientError(HttpClientError.TOO_MANY_HEADERS, f"{conn.endpoint}: more than {MAX_HEADERS} header lines")
    headers: List[Tuple[str, str]] = []
    for raw in lines[1:]:
        if raw[:1] in (b" ", b"\t") and headers:  # obsolete line folding
            prev_name, prev_value = headers[-1]
            headers[-1] = (prev_name, f"{prev_value} {raw.strip().decode('latin-1')}")
            continue
        name, colon, value = raw.partition(b":")
        if not colon or not _TOKEN.match(name):
            raise HttpClientError(HttpClientError.BAD_HEADER, f"{conn.endpoint}: malformed header line {_show(raw)}")
        headers.append((name.decode("ascii"), value.strip().decode("latin-1")))
    return int(m.group(1)), (m.group(2) or b"").decode("latin-1"), headers


def _early_status_check(conn: _Conn) -> None:
    """Fail at once on a reply that is visibly not HTTP, instead of waiting for the deadline."""
    start = conn.buf[:5]
    first = conn.buf.split(b"\n", 1)[0].rstrip(b"\r")
    if start and not b"HTTP/".startswith(start):
        raise HttpClientError(HttpClientError.BAD_STATUS, f"{conn.endpoint}: reply is not HTTP (status line {_show(first)})")
    if b"\n" in conn.buf:
        if not _STATUS_LINE.match(first):
            raise HttpClientError(HttpClientError.BAD_STATUS, f"{conn.endpoint}: reply is not HTTP (status line {_show(first)})")


def _show(raw: bytes) -> str:
    return repr(raw[:60])


def _read_exact(conn: _Conn, n: int) -> Tuple[bytes, bool]:
    """Up to n bytes; the flag says whether the stream ended early."""
    while len(conn.buf) < n:
        if not conn.fill():
            return conn.take(n), True
    return conn.take(n), False


def _read_chunked(conn: _Conn, limit: int) -> Tuple[bytes, bool]:
    body = b""
    while len(body) < limit:
        while b"\n" not in conn.buf:
            if len(conn.buf) > 1024 or not conn.fill():
                raise HttpClientError(HttpClientError.BAD_BODY, f"{conn.endpoint}: malformed chunked body")
        line, _, conn.buf = conn.buf.partition(b"\n")
        size_text = line.split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            raise HttpClientError(HttpClientError.BAD_BODY, f"{conn.endpoint}: bad chunk size {_show(line)}") from None
        if size == 0:
            return body, False
        want = min(size, limit - len(body))
        data, short = _read_exact(conn, want)
        body += data
        if short:
            raise HttpClientError(HttpClientError.BAD_BODY, f"{conn.endpoint}: chunked body ended early")
        if want < size:
            return body, True
        _read_exact(conn, 2)  # CRLF after the chunk
    return body, True


def _read_body(conn: _Conn, method: str, status: int, headers: Sequence[Tuple[str, str]], limit: int) -> Tuple[bytes, bool]:
    if method == "HEAD" or status < 200 or status in (204, 304):
        return b"", False
    names = {n.lower(): v for n, v in headers}
    if "chunked" in names.get("transfer-encoding", "").lower():
        return _read_chunked(conn, limit)
    length = names.get("content-length", "").strip()
    if length.isdigit():
        n = int(length)
        data, short = _read_exact(conn, min(n, limit))
        if short:
            raise HttpClientError(HttpClientError.BAD_BODY, f"{conn.endpoint}: body shorter than its Content-Length")
        return data, n > limit
    while len(conn.buf) < limit:  # delimited by close
        if not conn.fill():
            return conn.take(limit), False
    return conn.take(limit), True


def request(
    guard: Guard,
    scheme: str,
    host: str,
    port: int,
    path: str = "/",
    *,
    method: str = "GET",
    headers: Sequence[Tuple[str, str]] = (),
    timeout_s: float = 5.0,
    body_limit: int = DEFAULT_BODY_LIMIT,
) -> HttpResponse:
    """One request, no redirects, finished or failed within ``timeout_s`` overall.

    ``guard(host)`` runs before connecting (the scope check) and may raise.
    """
    if scheme not in ("http", "https"):
        raise ValueError(f"unsupported scheme {scheme!r}")
    if method not in ("GET", "HEAD"):
        raise ValueError(f"unsupported method {method!r}")
    if not path.startswith("/") or any(c in path for c in "\r\n \t"):
        raise ValueError(f"bad request path {path!r}")
    guard(host)
    started = time.monotonic()
    deadline = started + timeout_s
    hostport = f"[{host}]" if ":" in host else host
    default = 443 if scheme == "https" else 80
    authority = hostport if port == default else f"{hostport}:{port}"
    endpoint = f"{scheme}://{authority}{path}"
    sock = _connect(host, port, deadline, endpoint)
    try:
        if scheme == "https":
            sock = _wrap_tls(sock, host, deadline, endpoint)
        lines = [
            f"{method} {path} HTTP/1.1",
            f"Host: {authority}",
            f"User-Agent: {USER_AGENT}",
            "Accept: */*",
            "Connection: close",
        ]
        lines += [f"{n}: {v}" for n, v in headers]
        payload = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        conn = _Conn(sock, deadline, endpoint)
        sock.settimeout(conn.remaining())
        try:
            sock.sendall(payload)
        except TimeoutError:
            raise HttpClientError(
                HttpClientError.DEADLINE, f"{endpoint}: could not send the request within the deadline"
            ) from None
        except OSError as exc:
            raise HttpClientError(HttpClientError.NETWORK, f"{endpoint}: send failed: {exc.strerror or exc}") from None
        status, reason, resp_headers = _read_head(conn)
        body, truncated = _read_body(conn, method, status, resp_headers, body_limit)
    finally:
        try:
            sock.close()
        except OSError:
            pass
    elapsed = int((time.monotonic() - started) * 1000)
    return HttpResponse(status, reason, tuple(resp_headers), body, truncated, elapsed)
