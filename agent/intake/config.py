"""The intake's settings: one frozen value the app, the monitor and the command line share."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Mapping, Optional

if TYPE_CHECKING:
    from report.policy import Policy
    from report.trust import TrustedKey

DAY = 86400
DEFAULT_INTERVAL_S = DAY  # a scheduled run is daily unless configured otherwise (riskagent schedule install)
DEFAULT_GRACE_S = 6 * 3600
DEFAULT_RATE_LIMIT = 120  # requests per token per window
DEFAULT_RATE_WINDOW_S = 60
DEFAULT_KEY_WARN_DAYS = 30


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


@dataclass(frozen=True)
class IntakeConfig:
    """What the service verifies with, what it accepts, and when it alerts.

    ``clock`` is injectable so tests move time instead of sleeping.
    """

    db_url: str
    trusted: Mapping[str, TrustedKey]
    policy: Policy
    max_bytes: int
    rate_limit: int = DEFAULT_RATE_LIMIT
    rate_window_s: int = DEFAULT_RATE_WINDOW_S
    checkin_interval_s: int = DEFAULT_INTERVAL_S
    checkin_grace_s: int = DEFAULT_GRACE_S
    key_warn_days: int = DEFAULT_KEY_WARN_DAYS
    webhook_url: Optional[str] = None
    webhook_secret: Optional[str] = None
    webhook_ca: Optional[Path] = None
    clock: Callable[[], dt.datetime] = field(default=utc_now, compare=False)
