"""Time budgets: an overrunning collector is abandoned and recorded, the others and the run go on."""

from __future__ import annotations

import threading
import time

from collectors.budget import Budget, Job, run_jobs
from collectors.evidence import ErrorReason, Evidence, EvidenceStatus


def _ok(name: str) -> Evidence:
    return Evidence(name, "t", EvidenceStatus.OK, {"x": 1})


def test_a_stuck_job_is_abandoned_and_the_rest_finish() -> None:
    release = threading.Event()

    def stuck() -> Evidence:
        release.wait(30)
        return _ok("host.stuck")

    t0 = time.monotonic()
    out = run_jobs([Job("host.stuck", "t", stuck), Job("host.a", "t", lambda: _ok("host.a"))], Budget(0.5), workers=2)
    took = time.monotonic() - t0
    release.set()
    assert took < 3
    assert out[0].status is EvidenceStatus.ERROR and out[0].error_reason is ErrorReason.TIMEOUT
    assert out[0].reason == "time budget exceeded: abandoned after 0.5 s"
    assert out[1].status is EvidenceStatus.OK


def test_the_scan_deadline_stops_what_has_not_started() -> None:
    def slow() -> Evidence:
        time.sleep(0.4)
        return _ok("host.slow")

    jobs = [Job(f"host.j{i}", "t", slow) for i in range(6)]
    out = run_jobs(jobs, Budget(10, deadline=time.monotonic() + 0.9), workers=1)
    assert [e.status for e in out[:2]] == [EvidenceStatus.OK, EvidenceStatus.OK]
    assert all(e.error_reason is ErrorReason.TIMEOUT for e in out[3:])
    assert out[-1].reason is not None and out[-1].reason.startswith("not run: the scan's time budget")


def test_results_keep_the_order_of_the_jobs() -> None:
    def later(name: str, delay: float) -> Job:
        return Job(name, "t", lambda: (time.sleep(delay), _ok(name))[1])

    out = run_jobs([later("host.a", 0.2), later("host.b", 0.0), later("host.c", 0.1)], Budget(5), workers=3)
    assert [e.collector for e in out] == ["host.a", "host.b", "host.c"]
