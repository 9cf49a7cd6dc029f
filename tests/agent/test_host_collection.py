"""Host collection in forked children: the same evidence as in-process, every collector exactly once,
and a child that fails, dies or hangs costs its collectors (recorded as errors), never the scan."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import replace
from typing import Callable, List, Optional

import pytest

from agent.host_collection import HostCollection, child_count
from agent.pipeline import collect_host, start_host_collection
from agent.settings import Settings
from collectors.evidence import ErrorReason, Evidence, EvidenceStatus
from tests.hosts import HOSTS_DIR

Take = Callable[[], Optional[str]]
NAMES = tuple(f"host.c{i:02d}" for i in range(30))


def _drain(take: Take) -> List[Evidence]:
    """Take every name it can, recording which process took it."""
    out = []
    while (name := take()) is not None:
        out.append(Evidence(name, "t", EvidenceStatus.OK, {"pid": os.getpid()}))
        time.sleep(0.002)  # let the other children have some
    return out


def _comparable(evidence: List[Evidence]) -> List[Evidence]:
    return [replace(e, collected_at="") for e in evidence]


def test_every_collector_is_run_exactly_once_across_the_children() -> None:
    with HostCollection.start(_drain, NAMES, "t", None, children=3) as hc:
        out = hc.result()
    assert [e.collector for e in out] == sorted(NAMES)
    assert all(e.status is EvidenceStatus.OK for e in out)
    pids = {e.facts["pid"] for e in out}
    assert os.getpid() not in pids
    assert len(pids) > 1, "the children did not share the list"


def test_a_recorded_host_gives_the_same_evidence_as_collecting_in_process() -> None:
    settings = Settings(replay=HOSTS_DIR / "debian-weak", sign=False)
    host = start_host_collection(settings)
    assert host is not None
    try:
        forked = host.result()
    finally:
        host.close()
    from agent.pipeline import host_context

    here = collect_host(settings, host_context(settings))
    assert _comparable(forked) == _comparable(here)
    assert len(forked) > 20


def test_a_collection_that_raises_is_an_error_for_each_collector() -> None:
    def broken(take: Take) -> List[Evidence]:
        raise RuntimeError("disk on fire")

    with HostCollection.start(broken, NAMES[:3], "t", None, children=2) as hc:
        out = hc.result()
    assert [e.status for e in out] == [EvidenceStatus.ERROR] * 3
    assert all(e.error_reason is ErrorReason.BUG and "RuntimeError: disk on fire" in (e.reason or "") for e in out)


def test_a_child_that_dies_costs_only_the_collectors_it_took() -> None:
    parent = os.getpid()

    def dies_after_one(take: Take) -> List[Evidence]:
        first = take()
        if first == NAMES[0]:
            os._exit(9)  # killed mid-collection: nothing sent
        return [Evidence(first, "t", EvidenceStatus.OK, {}), *_drain(take)] if first else []

    with HostCollection.start(dies_after_one, NAMES[:6], "t", None, children=2) as hc:
        out = {e.collector: e for e in hc.result()}
    assert os.getpid() == parent
    assert out[NAMES[0]].status is EvidenceStatus.ERROR
    assert "ended before it sent its evidence" in (out[NAMES[0]].reason or "")
    assert all(out[n].status is EvidenceStatus.OK for n in NAMES[1:6])


def test_a_hung_collection_is_killed_with_what_it_started_at_the_deadline() -> None:
    marker = f"riskagent-test-{os.getpid()}-{time.monotonic_ns()}"

    def hangs(take: Take) -> List[Evidence]:
        while take() is not None:
            pass
        subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", marker])
        time.sleep(60)
        return []

    t0 = time.monotonic()
    hc = HostCollection.start(hangs, NAMES[:2], "t", time.monotonic() + 0.5, children=1)
    hc_grace = 0.5 + 5.0 + 3.0
    out = hc.result()
    assert time.monotonic() - t0 < hc_grace
    assert all(e.error_reason is ErrorReason.TIMEOUT for e in out)
    assert out[0].reason is not None and out[0].reason.startswith("time budget exceeded")
    deadline = time.monotonic() + 3
    while subprocess.run(["pgrep", "-f", marker], capture_output=True).returncode == 0:
        assert time.monotonic() < deadline, "a command the hung collection started outlived it"
        time.sleep(0.05)


def test_close_before_result_ends_the_children() -> None:
    def slow(take: Take) -> List[Evidence]:
        time.sleep(30)
        return []

    hc = HostCollection.start(slow, NAMES[:2], "t", None, children=2)
    pids = list(hc._children)
    hc.close()
    for pid in pids:
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)


def test_one_child_per_processor_at_most_four() -> None:
    assert 1 <= child_count() <= min(4, len(os.sched_getaffinity(0)))


def test_a_list_longer_than_one_atomic_write_is_refused() -> None:
    with pytest.raises(ValueError, match="atomic"):
        HostCollection.start(_drain, tuple(f"host.n{i}" for i in range(100)), "t", None)
