"""The rate bound of the network probes that talk to one device (ICS, MQTT, telematics backends).

At least ``interval_s`` passes between the end of one send (or connect) and the start of the
next. The interval is counted from when a send was over, not from when it was allowed: a send the
scheduler held up after its wait would otherwise shorten the gap the device sees.
"""

from __future__ import annotations

import contextlib
import time
from typing import Iterator


class Pacer:
    """Paces the packets and connections sent to one device; counts both for the facts."""

    def __init__(self, interval_s: float) -> None:
        self.interval_s = interval_s
        self._last = 0.0
        self.count = 0  # sends and connects paced
        self.connections = 0  # kept by the probe that opens them

    @contextlib.contextmanager
    def sending(self) -> Iterator[None]:
        """Wait out the interval, send (the body), and count the next interval from when the send was over."""
        gap = self._last + self.interval_s - time.monotonic()
        if gap > 0:
            time.sleep(gap)
        self.count += 1
        try:
            yield
        finally:
            self._last = time.monotonic()
