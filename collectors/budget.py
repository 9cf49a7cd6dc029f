"""Time budgets: no collector, no target and no scan runs longer than it was given.

Every read a collector makes has its own deadline, but a hostile or broken
system can still stall one (a server that trickles a byte at a time, a file
system that hangs). So each collector runs in a daemon thread and is given a
budget from the moment it starts; one that overruns is abandoned, recorded as
evidence with status ``error`` ("time budget exceeded"), and the run goes on.
A scan may also have an overall deadline: what has not started by then is
recorded as not run, what is running is abandoned. An abandoned thread holds
no lock the run needs, and being a daemon it cannot keep the process alive.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Callable, List, Optional, Sequence, Tuple

from collectors.evidence import ErrorReason, Evidence, EvidenceStatus, utc_now

# The words every reason of a job or probe that ran out of its time budget contains (renderers list those).
BUDGET_EXCEEDED = "time budget exceeded"
DEFAULT_COLLECTOR_S = 60.0  # a host collector (commands inside it have their own, shorter timeouts)
DEFAULT_TARGET_S = 120.0  # one network collector against one target


@dataclass(frozen=True)
class Budget:
    """How long one job may run, and the monotonic deadline of the whole run (None: no overall limit)."""

    job_s: float
    deadline: Optional[float] = None

    def left(self) -> Optional[float]:
        return None if self.deadline is None else self.deadline - time.monotonic()


@dataclass(frozen=True)
class Job:
    name: str
    target: str
    call: Callable[[], Evidence]


def overrun(job: Job, why: str) -> Evidence:
    """The evidence of a job that did not finish in time (or never started)."""
    return Evidence(
        collector=job.name,
        target=job.target,
        status=EvidenceStatus.ERROR,
        facts={},
        sources=(),
        reason=why,
        error_reason=ErrorReason.TIMEOUT,
        collected_at=utc_now(),
    )


class _Running:
    def __init__(self, index: int, job: Job, done: threading.Condition) -> None:
        self.index = index
        self.job = job
        self.started = time.monotonic()
        self.result: Optional[Evidence] = None
        self.finished = False
        self._done = done
        self.thread = threading.Thread(target=self._run, name=f"riskagent {job.name}", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            result = self.job.call()
        except BaseException as exc:  # the call already turns failures into evidence; this is the last guard
            result = overrun(self.job, f"the collector stopped unexpectedly: {type(exc).__name__}")
        with self._done:
            self.result = result
            self.finished = True
            self._done.notify_all()


def run_jobs(jobs: Sequence[Job], budget: Budget, workers: int = 1) -> List[Evidence]:
    """Run ``jobs``, at most ``workers`` at a time, each within ``budget``; results in the order of ``jobs``."""
    pending = list(jobs)
    order = {id(j): i for i, j in enumerate(jobs)}
    results: List[Optional[Evidence]] = [None] * len(jobs)
    for job, evidence in run_job_stream(lambda: pending.pop(0) if pending else None, budget, workers):
        results[order[id(job)]] = evidence
    return [r if r is not None else overrun(jobs[i], "not run") for i, r in enumerate(results)]


def run_job_stream(take: Callable[[], Optional[Job]], budget: Budget, workers: int = 1) -> List[Tuple[Job, Evidence]]:
    """Run the jobs ``take`` hands out (None: no more), at most ``workers`` at a time, each within ``budget``.

    ``take`` is asked only when a worker is free, so several processes can share one stream of jobs
    (``agent.host_collection``): whoever is free takes the next. Results in the order they finished.
    """
    results: List[Tuple[Job, Evidence]] = []
    done = threading.Condition()
    running: List[_Running] = []
    exhausted = False
    with done:
        while True:
            now = time.monotonic()
            scan_over = budget.deadline is not None and now >= budget.deadline
            while not exhausted and len(running) < workers and not scan_over:
                job = take()
                if job is None:
                    exhausted = True
                else:
                    running.append(_Running(len(results) + len(running), job, done))
            if scan_over and not exhausted:
                while (job := take()) is not None:
                    results.append((job, overrun(job, "not run: the scan's time budget was spent before it started")))
                exhausted = True
            for r in list(running):
                if r.finished:
                    assert r.result is not None
                    results.append((r.job, r.result))
                    running.remove(r)
                elif now - r.started >= budget.job_s:
                    results.append((r.job, overrun(r.job, f"time budget exceeded: abandoned after {budget.job_s:g} s")))
                    running.remove(r)
                elif scan_over:
                    results.append((r.job, overrun(r.job, "time budget exceeded: the scan's overall budget ran out")))
                    running.remove(r)
            if not running and exhausted:
                break
            if running and not any(r.finished for r in running):
                wake = min(r.started + budget.job_s for r in running)
                if budget.deadline is not None:
                    wake = min(wake, budget.deadline)
                done.wait(timeout=max(0.0, wake - time.monotonic()) + 0.001)
    return results
