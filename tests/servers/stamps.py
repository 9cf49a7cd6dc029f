"""Kernel receive stamps for the recording fakes (Linux ``SO_TIMESTAMPNS``).

A pacing test asks when the device received each frame. A fake that reads
``time.monotonic()`` after ``recv`` returns answers when the GIL let its thread
run, which on a loaded test run is 10 ms or more late, and a late stamp shortens
the next gap. The kernel stamps each segment as it arrives; set the option on a
listening socket and every accepted socket inherits it.
"""

from __future__ import annotations

import socket
import struct
import time
from typing import Sequence, Tuple

SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)  # Python does not export it; 35 on Linux
STAMP_SPACE = socket.CMSG_SPACE(16)

Ancillary = Sequence[Tuple[int, int, bytes]]


def enable(sock: socket.socket) -> None:
    sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)


def received_at(ancillary: Ancillary) -> float:
    """The segment's kernel stamp on the monotonic clock; the read time if the kernel gave none."""
    for level, kind, data in ancillary:
        if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and len(data) >= 16:
            seconds, nanos = struct.unpack("qq", data[:16])
            return float(seconds + nanos / 1e9 - (time.time() - time.monotonic()))
    return time.monotonic()


def recv(conn: socket.socket, size: int) -> Tuple[bytes, float]:
    """Up to ``size`` bytes and when the kernel received the segment they start in."""
    data, ancillary, _, _ = conn.recvmsg(size, STAMP_SPACE)
    return data, received_at(ancillary)
