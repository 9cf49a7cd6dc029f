"""A minimal HTTP/1.1 client with a hard deadline per request.

``requests``/``urllib3`` only bound each socket read, so a server trickling
one byte a second holds them for ever. Here every socket operation gets the
time left until one overall deadline (the request's own, or the collector's
if that comes first), the TLS handshake included; the response head is
capped at ``MAX_HEAD_BYTES`` and ``MAX_HEADERS`` lines, the body at the
caller's limit, and a gzip or deflate body is inflated only up to that limit
(a gzip bomb costs nothing). Every failure is a :class:`HttpClientError`
whose message names the endpoint and what stalled or broke.

Connections go to an address the scope approved (``address``); the host name
travels only in the Host header and the TLS SNI. Redirects are never
followed: the caller decides, after checking the scope. Certificates are not
verified here (the TLS collector judges them against the host name) but SNI
is sent so the right virtual host answers. A query string never appears in a
message: the endpoint is named by scheme, host, port and path.

:func:`parse_head` and :func:`parse_response` parse bytes without a socket;
they raise nothing but :class:`HttpClientError`.
"""

from __future__ import annotations

import re
import socket
import ssl
import time
import warnings
import zlib
from dataclasses import dataclass
from typing import Callable, List, Optional, Sequence, Tuple

from collectors.evidence import CollectError, ErrorReason
from collectors.net import netio
from collectors.net.netio import Deadline
from collectors.net.urls import public_path

MAX_HEAD_BYTES = 64 * 1024
MAX_HEADERS = 200
DEFAULT_BODY_LIMIT = 64 * 1024
MIN_ENCODED_READ = 64 * 1024  # compressed bytes read at most, when more than the body limit
USER_AGENT = "riskagent-posture-probe/1.0"
_STATUS_LINE = re.compile(rb"^HTTP/1\.[01] (\d{3})(?: ([^\r\n]*))?$")
_TOKEN = re.compile(rb"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
_DIGITS = re.compile(r"[0-9]{1,18}")
_CHUNK_SIZE = re.compile(rb"[0-9A-Fa-f]{1,15}")
_ENCODINGS = {"gzip": 31, "x-gzip": 31, "deflate": 15}  # zlib wbits; raw deflate is tried after zlib-wrapped


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
    """Status, headers in order (duplicates kept) and the first bytes of the (decoded) body."""

    status: int
    reason: str
    headers: Tuple[Tuple[str, str], ...]
    body: bytes
    body_truncated: bool
    elapsed_ms: int
    encoding: str = "identity"  # the Content-Encoding that was undone (gzip, deflate), or identity
    body_error: Optional[str] = None  # a body that could not be decoded is empty, and this says why

    def header(self, name: str) -> Optional[str]:
        """The last value of header ``name`` (case-insensitive), or None."""
        found = self.header_all(name)
        return found[-1] if found else None

    def header_all(self, name: str) -> List[str]:
        low = name.lower()
        return [v for n, v in self.headers if n.lower() == low]


Guard = Callable[[str], None]


class _Reader:
    """A byte buffer filled from somewhere; ``fill`` returns False at end of stream."""

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint
        self.buf = b""
        self.stage = "status line"  # what is being read, for the reason of a stall

    def fill(self) -> bool:
        raise NotImplementedError

    def take(self, n: int) -> bytes:
        out, self.buf = self.buf[:n], self.buf[n:]
        return out


class _Conn(_Reader):
    """A socket plus the request's deadline; every read waits only for the time left."""

    def __init__(self, sock: socket.socket, deadline: Deadline, endpoint: str) -> None:
        super().__init__(endpoint)
        self.sock = sock
        self.deadline = deadline

    def stalled(self) -> HttpClientError:
        return HttpClientError(HttpClientError.DEADLINE, self.deadline.stalled(self.endpoint, f"reading the {self.stage}"))

    def fill(self) -> bool:
        try:
            data = netio.recv(self.sock, 16384, self.deadline)
        except TimeoutError:
            raise self.stalled() from None
        except ConnectionResetError:
            return False  # a reset is the server giving up on us, like a close
        except ssl.SSLError as exc:
            raise HttpClientError(HttpClientError.TLS, f"{self.endpoint}: TLS error while reading the {self.stage}: {exc.reason or exc}") from None
        except OSError as exc:
            raise HttpClientError(HttpClientError.NETWORK, f"{self.endpoint}: read failed: {exc.strerror or exc}") from None
        if not data:
            return False
        self.buf += data
        return True


class _Bytes(_Reader):
    """A response already in memory, handed out in pieces as a socket would."""

    def __init__(self, data: bytes, endpoint: str, piece: int = 16384) -> None:
        super().__init__(endpoint)
        self.data = data
        self.pos = 0
        self.piece = piece

    def fill(self) -> bool:
        if self.pos >= len(self.data):
            return False
        self.buf += self.data[self.pos : self.pos + self.piece]
        self.pos += self.piece
        return True


def _connect(address: str, port: int, deadline: Deadline, endpoint: str) -> socket.socket:
    if deadline.left() <= 0:
        raise HttpClientError(HttpClientError.DEADLINE, deadline.stalled(endpoint, "waiting to connect"))
    try:
        return netio.connect(address, port, deadline)
    except ConnectionRefusedError:
        raise HttpClientError(HttpClientError.REFUSED, f"{endpoint}: connection refused (nothing listening)") from None
    except TimeoutError:
        kind = HttpClientError.DEADLINE if deadline.budget else HttpClientError.CONNECT_TIMEOUT
        raise HttpClientError(kind, deadline.stalled(endpoint, "connecting")) from None
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


def _wrap_tls(sock: socket.socket, host: str, deadline: Deadline, endpoint: str) -> socket.socket:
    if deadline.left() <= 0:
        raise HttpClientError(HttpClientError.DEADLINE, deadline.stalled(endpoint, "waiting for the TLS handshake"))
    try:
        return netio.tls_handshake(sock, _tls_context(), None if netio.is_ip(host) else host, deadline)
    except TimeoutError:
        raise HttpClientError(HttpClientError.DEADLINE, deadline.stalled(endpoint, "in the TLS handshake")) from None
    except ssl.SSLError as exc:
        raise HttpClientError(
            HttpClientError.TLS, f"{endpoint}: TLS handshake failed ({exc.reason or exc}); is this port speaking TLS?"
        ) from None
    except OSError as exc:
        raise HttpClientError(
            HttpClientError.TLS, f"{endpoint}: connection lost during the TLS handshake ({exc.strerror or exc})"
        ) from None


def parse_head(head: bytes, endpoint: str = "response") -> Tuple[int, str, List[Tuple[str, str]]]:
    """Status, reason phrase and headers of a response head (without the blank line that ends it)."""
    if len(head) > MAX_HEAD_BYTES:
        raise HttpClientError(HttpClientError.HEAD_TOO_LONG, f"{endpoint}: response headers exceed {MAX_HEAD_BYTES} bytes")
    lines = [line.rstrip(b"\r") for line in head.split(b"\n")]
    m = _STATUS_LINE.match(lines[0])
    if not m:
        raise HttpClientError(HttpClientError.BAD_STATUS, f"{endpoint}: reply is not HTTP (status line {_show(lines[0])})")
    if len(lines) - 1 > MAX_HEADERS:
        raise HttpClientError(HttpClientError.TOO_MANY_HEADERS, f"{endpoint}: more than {MAX_HEADERS} header lines")
    headers: List[Tuple[str, str]] = []
    for raw in lines[1:]:
        if raw[:1] in (b" ", b"\t") and headers:  # obsolete line folding
            prev_name, prev_value = headers[-1]
            headers[-1] = (prev_name, f"{prev_value} {raw.strip().decode('latin-1')}")
            continue
        name, colon, value = raw.partition(b":")
        if not colon or not _TOKEN.match(name):
            raise HttpClientError(HttpClientError.BAD_HEADER, f"{endpoint}: malformed header line {_show(raw)}")
        headers.append((name.decode("ascii"), value.strip().decode("latin-1")))
    return int(m.group(1)), (m.group(2) or b"").decode("latin-1"), headers


def _read_head(conn: _Reader) -> Tuple[int, str, List[Tuple[str, str]]]:
    conn.stage = "status line"
    while b"\r\n\r\n" not in conn.buf and b"\n\n" not in conn.buf:
        _early_status_check(conn)
        if b"\n" in conn.buf:
            conn.stage = "response headers"
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
    return parse_head(head, conn.endpoint)


def _early_status_check(conn: _Reader) -> None:
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


def _read_exact(conn: _Reader, n: int) -> Tuple[bytes, bool]:
    """Up to n bytes; the flag says whether the stream ended early."""
    while len(conn.buf) < n:
        if not conn.fill():
            return conn.take(n), True
    return conn.take(n), False


def _read_chunked(conn: _Reader, limit: int) -> Tuple[bytes, bool]:
    body = b""
    while len(body) < limit:
        while b"\n" not in conn.buf:
            if len(conn.buf) > 1024 or not conn.fill():
                raise HttpClientError(HttpClientError.BAD_BODY, f"{conn.endpoint}: malformed chunked body")
        line, _, conn.buf = conn.buf.partition(b"\n")
        size_text = line.split(b";", 1)[0].strip()
        if not _CHUNK_SIZE.fullmatch(size_text):
            raise HttpClientError(HttpClientError.BAD_BODY, f"{conn.endpoint}: bad chunk size {_show(line)}")
        size = int(size_text, 16)
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


def _content_length(headers: Sequence[Tuple[str, str]]) -> Optional[int]:
    """The Content-Length, when there is one plain decimal value (several that agree count as one)."""
    values = {v.strip() for n, v in headers if n.lower() == "content-length"}
    if len(values) != 1:
        return None
    (value,) = values
    return int(value) if _DIGITS.fullmatch(value) else None


def _read_body(conn: _Reader, method: str, status: int, headers: Sequence[Tuple[str, str]], limit: int) -> Tuple[bytes, bool]:
    conn.stage = "response body"
    if method == "HEAD" or status < 200 or status in (204, 304):
        return b"", False
    coding = ",".join(v for n, v in headers if n.lower() == "transfer-encoding").lower()
    if "chunked" in coding:
        return _read_chunked(conn, limit)
    length = _content_length(headers)
    if length is not None:
        data, short = _read_exact(conn, min(length, limit))
        if short:
            raise HttpClientError(HttpClientError.BAD_BODY, f"{conn.endpoint}: body shorter than its Content-Length")
        return data, length > limit
    while len(conn.buf) < limit:  # delimited by close
        if not conn.fill():
            return conn.take(limit), False
    return conn.take(limit), True


def _content_encoding(headers: Sequence[Tuple[str, str]]) -> str:
    values = [v.strip().lower() for n, v in headers if n.lower() == "content-encoding" and v.strip()]
    return ",".join(values) or "identity"


def decode_body(raw: bytes, raw_truncated: bool, encoding: str, limit: int) -> Tuple[bytes, bool, Optional[str]]:
    """Undo a gzip or deflate Content-Encoding, never producing more than ``limit`` bytes.

    (body, truncated, error): a body in an unknown or broken encoding is empty and ``error`` says why.
    """
    if encoding in ("identity", ""):
        return raw[:limit], raw_truncated or len(raw) > limit, None
    wbits = _ENCODINGS.get(encoding)
    if wbits is None:
        return b"", raw_truncated, f"body in an encoding the probe does not decode ({encoding[:40]!r})"
    for bits in (wbits, -15) if encoding == "deflate" else (wbits,):
        inflater = zlib.decompressobj(bits)
        try:
            out = inflater.decompress(raw, limit)
        except zlib.error:
            continue
        more = bool(inflater.unconsumed_tail) or raw_truncated
        return out, more or (not inflater.eof and len(out) >= limit), None
    return b"", raw_truncated, f"{encoding} body could not be decoded"


def _finish(conn: _Reader, method: str, body_limit: int, started: float) -> HttpResponse:
    status, reason, headers = _read_head(conn)
    encoding = _content_encoding(headers)
    read_limit = body_limit if encoding == "identity" else max(body_limit, MIN_ENCODED_READ)
    raw, raw_truncated = _read_body(conn, method, status, headers, read_limit)
    body, truncated, error = decode_body(raw, raw_truncated, encoding, body_limit)
    elapsed = int((time.monotonic() - started) * 1000)
    return HttpResponse(status, reason, tuple(headers), body, truncated, elapsed, encoding, error)


def parse_response(data: bytes, *, method: str = "GET", body_limit: int = DEFAULT_BODY_LIMIT, endpoint: str = "response") -> HttpResponse:
    """A whole response from bytes (the stream ends where ``data`` ends), read as :func:`request` reads one."""
    return _finish(_Bytes(data, endpoint), method, body_limit, time.monotonic())


def request(
    guard: Guard,
    scheme: str,
    host: str,
    port: int,
    path: str = "/",
    *,
    address: Optional[str] = None,
    method: str = "GET",
    headers: Sequence[Tuple[str, str]] = (),
    timeout_s: float = 5.0,
    body_limit: int = DEFAULT_BODY_LIMIT,
    deadline: Optional[float] = None,
) -> HttpResponse:
    """One request, no redirects, finished or failed within ``timeout_s`` (and by ``deadline``, monotonic) overall.

    The connection goes to ``address`` (default: ``host``, which must then be an IP address);
    ``host`` is sent as the Host header and the TLS SNI. ``guard(address)`` runs before connecting
    (the scope check) and may raise.
    """
    if scheme not in ("http", "https"):
        raise ValueError(f"unsupported scheme {scheme!r}")
    if method not in ("GET", "HEAD"):
        raise ValueError(f"unsupported method {method!r}")
    if not path.startswith("/") or any(c in path for c in "\r\n \t"):
        raise ValueError(f"bad request path {path!r}")
    target = host if address is None else address
    if not netio.is_ip(target):
        raise ValueError(f"{target!r} is not an address: requests go to an address the scope approved, never to a name")
    guard(target)
    started = time.monotonic()
    limit = Deadline.within(timeout_s, deadline)
    hostport = f"[{host}]" if ":" in host else host
    default = 443 if scheme == "https" else 80
    authority = hostport if port == default else f"{hostport}:{port}"
    endpoint = f"{scheme}://{authority}{public_path(path)}"
    sock = _connect(target, port, limit, endpoint)
    try:
        if scheme == "https":
            sock = _wrap_tls(sock, host, limit, endpoint)
        lines = [
            f"{method} {path} HTTP/1.1",
            f"Host: {authority}",
            f"User-Agent: {USER_AGENT}",
            "Accept: */*",
            "Connection: close",
        ]
        lines += [f"{n}: {v}" for n, v in headers]
        payload = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        conn = _Conn(sock, limit, endpoint)
        try:
            netio.sendall(sock, payload, limit)
        except TimeoutError:
            raise HttpClientError(HttpClientError.DEADLINE, limit.stalled(endpoint, "sending the request")) from None
        except OSError as exc:
            raise HttpClientError(HttpClientError.NETWORK, f"{endpoint}: send failed: {exc.strerror or exc}") from None
        return _finish(conn, method, body_limit, started)
    finally:
        try:
            sock.close()
        except OSError:
            pass
