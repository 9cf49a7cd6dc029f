"""Socket operations that end by a deadline, for every probe.

A per-read timeout does not bound an exchange: a server that sends one byte
just before each read would time out holds the client for ever. Here every
operation is given a :class:`Deadline` (a point in time, not a duration) and
each socket call gets only the time left until it. A deadline is the earlier
of the operation's own allowance (``NetContext.timeout_s``) and the
collector's overall deadline (``NetProbe.deadline``, from its time budget),
and it knows which of the two it is, so the reason of an overrun says either
"did not finish within 5 s" or "time budget exceeded".

Connections go to IP addresses only: a name would be resolved again here,
and a resolver that answers differently the second time (DNS rebinding)
would send the probe somewhere the scope check never approved. Names reach
the server only as the HTTP Host header and the TLS SNI.
"""

from __future__ import annotations

import ipaddress
import select
import socket
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, List, Optional, Protocol, Sequence

if TYPE_CHECKING:  # ssl is loaded by the probes that speak TLS, not by the registry that imports this module
    import ssl


@dataclass(frozen=True)
class Deadline:
    """When one operation must be over; ``budget``: the collector's overall deadline is what ends it."""

    at: float  # time.monotonic() value
    seconds: float  # the allowance this deadline was made from (for reasons)
    budget: bool = False

    @staticmethod
    def within(seconds: float, overall: Optional[float]) -> Deadline:
        """``seconds`` from now, or the ``overall`` deadline if that comes first."""
        own = time.monotonic() + seconds
        if overall is not None and overall <= own:
            return Deadline(overall, seconds, True)
        return Deadline(own, seconds)

    def left(self) -> float:
        return self.at - time.monotonic()

    def remaining(self) -> float:
        """Seconds left; TimeoutError when there are none."""
        left = self.at - time.monotonic()
        if left <= 0:
            raise TimeoutError("deadline passed")
        return left

    def stalled(self, endpoint: str, what: str) -> str:
        """The reason an operation that ran into this deadline gives: the endpoint and what stalled."""
        if self.budget:
            return f"{endpoint}: time budget exceeded while {what} (the collector's deadline)"
        return f"{endpoint}: {what} did not finish within the deadline of {self.seconds:g} s"


def is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def connect(address: str, port: int, deadline: Deadline, *, udp: bool = False) -> socket.socket:
    """A socket connected to ``address`` (an IP address, never a name) before the deadline.

    Raises ConnectionRefusedError, TimeoutError or another OSError; ValueError for a name (a bug:
    the caller must pass an address the scope approved).
    """
    ip = ipaddress.ip_address(address)  # ValueError for a name: nothing is ever resolved here
    family = socket.AF_INET6 if ip.version == 6 else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_DGRAM if udp else socket.SOCK_STREAM)
    try:
        sock.settimeout(deadline.remaining())
        sock.connect((str(ip), port))
    except BaseException:
        sock.close()
        raise
    return sock


def recv(sock: socket.socket, n: int, deadline: Deadline) -> bytes:
    """At most ``n`` bytes, waiting no longer than the deadline (TimeoutError); b"" at end of stream."""
    sock.settimeout(deadline.remaining())
    return sock.recv(n)


def sendall(sock: socket.socket, data: bytes, deadline: Deadline) -> None:
    sock.settimeout(deadline.remaining())
    sock.sendall(data)


def tls_handshake(sock: socket.socket, ctx: ssl.SSLContext, server_hostname: Optional[str], deadline: Deadline) -> ssl.SSLSocket:
    """A TLS client handshake that is over by the deadline as a whole, however the server paces its bytes.

    Non-blocking: each step of the handshake waits in ``select`` for the time left, so a server
    that trickles one byte at a time cannot stretch it. Raises TimeoutError at the deadline,
    ssl.SSLError or OSError otherwise; the returned socket is blocking with the time left as its timeout.
    """
    import ssl

    tls = ctx.wrap_socket(sock, server_hostname=server_hostname, do_handshake_on_connect=False)
    try:
        tls.settimeout(0.0)
        while True:
            try:
                tls.do_handshake()
                break
            except ssl.SSLWantReadError:
                readable, _, _ = select.select([tls], [], [], deadline.remaining())
                if not readable and deadline.left() <= 0:
                    raise TimeoutError("TLS handshake deadline passed") from None
            except ssl.SSLWantWriteError:
                _, writable, _ = select.select([], [tls], [], deadline.remaining())
                if not writable and deadline.left() <= 0:
                    raise TimeoutError("TLS handshake deadline passed") from None
        tls.settimeout(max(deadline.left(), 0.001))
    except BaseException:
        tls.close()
        raise
    return tls


class Wire(Protocol):
    """What a probe reads from and writes to: a socket, or recorded bytes (:class:`Replay`)."""

    def settimeout(self, value: Optional[float]) -> None: ...

    def recv(self, bufsize: int) -> bytes: ...

    def sendall(self, data: bytes) -> None: ...

    def close(self) -> None: ...


class Replay:
    """Replies a server sent, played back as a socket hands them out; what is sent goes nowhere.

    Each chunk is what one ``recv`` returns at most (a datagram, or a piece of a stream). After the
    last chunk the stream ends: with ``silent_end`` the peer falls silent (TimeoutError, as a UDP
    service that stopped answering), otherwise it closes (b"").
    """

    def __init__(self, chunks: Sequence[bytes], silent_end: bool = False) -> None:
        self.chunks = [c for c in chunks if c]
        self.silent_end = silent_end
        self.sent: List[bytes] = []

    def settimeout(self, value: Optional[float]) -> None:
        pass

    def recv(self, bufsize: int) -> bytes:
        if not self.chunks:
            if self.silent_end:
                raise TimeoutError("replay: no more replies")
            return b""
        chunk = self.chunks[0]
        out, rest = chunk[:bufsize], chunk[bufsize:]
        if rest:
            self.chunks[0] = rest
        else:
            self.chunks.pop(0)
        return out

    def sendall(self, data: bytes) -> None:
        self.sent.append(bytes(data))

    def close(self) -> None:
        pass
