"""A UDP service on a 127.0.0.1 ephemeral port that answers every datagram, for nmap's UDP scan.

``with serve(reply) as port:`` answers each datagram with ``reply`` until the block ends. The default
reply is one nmap's version detection recognises from its first UDP probe (an opentracker error), so a
scan does not wait out every probe it would send to an unrecognised service (about 10 s).
"""

from __future__ import annotations

import contextlib
import socket
import threading
from typing import Iterator

RECOGNISED_REPLY = b"\x03\0\0\0\0\x01\x86\xa0Connection ID missmatch.\0"  # nmap: "opentracker UDP tracker"


@contextlib.contextmanager
def serve(reply: bytes = RECOGNISED_REPLY) -> Iterator[int]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(0.2)
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            try:
                _data, peer = sock.recvfrom(4096)
            except (TimeoutError, OSError):
                continue
            with contextlib.suppress(OSError):
                sock.sendto(reply, peer)

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield int(sock.getsockname()[1])
    finally:
        stop.set()
        thread.join(2)
        sock.close()
