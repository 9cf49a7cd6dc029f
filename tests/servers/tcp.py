"""Small TCP servers on 127.0.0.1 that look like real services to a scanner.

Each server is a handler ``fn(conn)`` run in its own thread per connection.
Banner services greet first (SSH, FTP, telnet, VNC, MySQL); the others wait
for a request (HTTP, Redis). ``serve(...)`` starts one listener per handler
on an ephemeral port and yields the ports in the same order.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from typing import Callable, Iterator, List, Optional, Sequence, Tuple

from tests.servers import stamps

Handler = Callable[[socket.socket], None]

IO_TIMEOUT_S = 3.0


def _drain(conn: socket.socket) -> None:
    """Read and ignore input until the client leaves (or goes quiet)."""
    with contextlib.suppress(OSError):
        while conn.recv(4096):
            pass


def banner(text: bytes) -> Handler:
    """A service that greets with ``text`` and then ignores what it is sent."""

    def handle(conn: socket.socket) -> None:
        conn.sendall(text)
        _drain(conn)

    return handle


def http(
    server: Optional[str] = "Apache/2.2.15 (CentOS)",
    headers: Sequence[Tuple[str, str]] = (),
    body: bytes = b"<html><body>ok</body></html>\n",
    status: str = "200 OK",
) -> Handler:
    """An HTTP/1.0 responder: one canned reply to whatever request arrives."""

    def handle(conn: socket.socket) -> None:
        data = b""
        with contextlib.suppress(OSError):
            while b"\r\n\r\n" not in data and len(data) < 65536:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                data += chunk
        if not data:
            return
        lines = [f"HTTP/1.0 {status}"]
        if server is not None:
            lines.append(f"Server: {server}")
        lines += [f"{k}: {v}" for k, v in headers]
        lines += [f"Content-Length: {len(body)}", "Connection: close"]
        with contextlib.suppress(OSError):
            conn.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)

    return handle


def _resp_commands(buf: bytes) -> Tuple[List[List[bytes]], bytes]:
    """Split complete Redis commands (RESP arrays or inline lines) off ``buf``."""
    out: List[List[bytes]] = []
    while buf:
        if buf.startswith(b"*"):
            head, sep, rest = buf.partition(b"\r\n")
            if not sep:
                break
            args: List[bytes] = []
            for _ in range(int(head[1:] or b"0")):
                size_line, sep, rest = rest.partition(b"\r\n")
                if not sep or len(rest) < int(size_line[1:]) + 2:
                    return out, buf
                n = int(size_line[1:])
                args.append(rest[:n])
                rest = rest[n + 2 :]
            out.append(args)
            buf = rest
        else:
            line, sep, rest = buf.partition(b"\n")
            if not sep:
                break
            words = line.strip().split()
            if words:
                out.append(words)
            buf = rest
    return out, buf


def redis(version: str = "5.0.7") -> Handler:
    """A Redis server without authentication: answers PING, INFO and GET like the real one."""
    info = (
        f"# Server\r\nredis_version:{version}\r\nredis_mode:standalone\r\nos:Linux 5.4.0 x86_64\r\ntcp_port:6379\r\n"
    ).encode()

    def handle(conn: socket.socket) -> None:
        buf = b""
        with contextlib.suppress(OSError):
            while True:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                commands, buf = _resp_commands(buf + chunk)
                for args in commands:
                    name = args[0].decode("latin-1").lower()
                    if name == "ping":
                        reply = b"+PONG\r\n"
                    elif name == "info":
                        reply = b"$%d\r\n%s\r\n" % (len(info), info)
                    elif name == "get" and len(args) != 2:
                        reply = b"-ERR wrong number of arguments for 'get' command\r\n"
                    elif name == "get":
                        reply = b"$-1\r\n"
                    else:
                        reply = b"-ERR unknown command '%s'\r\n" % args[0][:64]
                    conn.sendall(reply)

    return handle


def mysql(version: str = "5.6.51") -> Handler:
    """A MySQL server that sends its protocol-10 greeting (the version is in it)."""
    payload = (
        b"\x0a"
        + version.encode()
        + b"\0"
        + struct.pack("<I", 7)
        + b"abcdefgh\0"
        + struct.pack("<H", 0xF7FF)
        + b"\x21"
        + struct.pack("<H", 2)
        + struct.pack("<H", 0x807F)
        + b"\x15"
        + b"\0" * 10
        + b"ijklmnopqrst\0"
        + b"mysql_native_password\0"
    )
    greeting = struct.pack("<I", len(payload))[:3] + b"\0" + payload
    return banner(greeting)


# Ready-made services, as nmap -sV recognises them.
OLD_OPENSSH = banner(b"SSH-2.0-OpenSSH_7.2p2 Ubuntu-4ubuntu2.10\r\n")
MODERN_OPENSSH = banner(b"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n")
VSFTPD_234 = banner(b"220 (vsFTPd 2.3.4)\r\n")
LINUX_TELNETD = banner(b"\xff\xfd\x18\xff\xfd \xff\xfd#\xff\xfd'")
VNC_38 = banner(b"RFB 003.008\n")
REDIS_5 = redis("5.0.7")
MYSQL_56 = mysql("5.6.51")
APACHE_22 = http("Apache/2.2.15 (CentOS)")
WEBMIN = http("MiniServ/1.890", body=b"<h1>Error - Document follows</h1>\n")
POSTFIX_SMTP = banner(b"220 mail.example.test ESMTP Postfix (Ubuntu)\r\n")
DOVECOT_IMAP = banner(
    b"* OK [CAPABILITY IMAP4rev1 LITERAL+ SASL-IR LOGIN-REFERRALS ID ENABLE IDLE STARTTLS AUTH=PLAIN] Dovecot (Ubuntu) ready.\r\n"
)
PROFTPD = banner(b"220 ProFTPD 1.3.5 Server (Debian) [127.0.0.1]\r\n")
EXIM_SMTP = banner(b"220 mx.example.test ESMTP Exim 4.92 Mon, 23 Nov 2026 09:00:00 +0000\r\n")
# nmap knows only a lower bound for this one: "pyftpdlib 1.0.0 or later".
PYFTPDLIB = banner(b"220 pyftpdlib based ftpd ready.\r\n")


def mqtt_broken_after_connack(conn: socket.socket) -> None:
    """An MQTT broker that lets anyone in (CONNACK 0) and then answers the SUBSCRIBE with a broken PUBLISH.

    The PUBLISH claims a topic longer than its own frame, which a careful client must refuse.
    """
    with contextlib.suppress(OSError):
        if not conn.recv(4096):
            return
        conn.sendall(b"\x20\x02\x00\x00")  # CONNACK, session present 0, return code 0
        if not conn.recv(4096):
            return
        conn.sendall(b"\x30\x05\x00\x40abc")  # PUBLISH, remaining 5, topic length 64 > 3 bytes left
        _drain(conn)


def _serve_one(listener: socket.socket, handler: Handler, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            conn, _addr = listener.accept()
        except OSError:
            return
        conn.settimeout(IO_TIMEOUT_S)

        def run(c: socket.socket = conn) -> None:
            try:
                handler(c)
            except OSError:
                pass
            finally:
                c.close()

        threading.Thread(target=run, daemon=True).start()


@contextlib.contextmanager
def serve(*handlers: Handler) -> Iterator[List[int]]:
    """Listen on 127.0.0.1 ephemeral ports, one per handler; yields the ports in order."""
    stop = threading.Event()
    listeners: List[socket.socket] = []
    try:
        for handler in handlers:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            stamps.enable(s)  # for handlers that record when each frame arrived
            s.bind(("127.0.0.1", 0))
            s.listen(64)
            listeners.append(s)
            threading.Thread(target=_serve_one, args=(s, handler, stop), daemon=True).start()
        yield [s.getsockname()[1] for s in listeners]
    finally:
        stop.set()
        for s in listeners:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()


def port_spec(ports: Sequence[int]) -> str:
    """The nmap -p list for ``ports``."""
    return ",".join(str(p) for p in ports)


def closed_ports(count: int = 1) -> List[int]:
    """Loopback ports that were just free and have nothing listening on them."""
    out: List[int] = []
    for _ in range(count):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            out.append(s.getsockname()[1])
    return out
