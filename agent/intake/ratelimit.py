"""Per-token rate limit: a fixed window kept in the token's row, so every server process counts alike.

A fixed window lets at most twice the limit through around a window's edge;
for an intake whose clients send one report a day that is plenty, and it
costs one row update per request instead of a table of request times.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Optional


@dataclass(frozen=True)
class Window:
    start: dt.datetime
    count: int
    allowed: bool
    retry_after_s: int  # 0 when allowed


def count_request(now: dt.datetime, start: Optional[dt.datetime], count: int, limit: int, window_s: int) -> Window:
    """The window after one more request at ``now``, and whether that request is within the limit."""
    if start is None or now < start or (now - start).total_seconds() >= window_s:
        start, count = now, 0
    count += 1
    if count <= limit:
        return Window(start, count, True, 0)
    left = window_s - (now - start).total_seconds()
    return Window(start, count, False, max(1, math.ceil(left)))
