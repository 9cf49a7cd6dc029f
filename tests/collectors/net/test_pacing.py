"""The probes' shared rate bound (ICS, MQTT, telematics backends)."""

from __future__ import annotations

import time

from collectors.net.pacing import Pacer


def test_the_interval_counts_from_when_a_send_was_over() -> None:
    """A send the scheduler holds up (here 50 ms) must not shorten the gap the device sees before the next one."""
    pacer = Pacer(0.1)
    with pacer.sending():
        time.sleep(0.05)
        over = time.monotonic()  # the held-up send is over
    with pacer.sending():
        started = time.monotonic()
    assert started - over >= 0.1
    assert pacer.count == 2


def test_the_first_send_does_not_wait_and_a_failed_send_still_counts() -> None:
    pacer = Pacer(10.0)
    started = time.monotonic()
    try:
        with pacer.sending():
            raise OSError("refused")
    except OSError:
        pass
    assert time.monotonic() - started < 1.0  # nothing was sent before
    assert pacer._last >= started  # the next waits the interval from the failed attempt
