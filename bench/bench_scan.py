"""Benchmark: `riskagent --help` start-up, and `scan --profile server` wall time and peak RSS.

Runs each command several times in a fresh process and reports the median
wall time and the largest peak resident set size (from wait4's rusage).

    .venv/bin/python bench/bench_scan.py [--runs 5] [--replay tests/fixtures/hosts/debian-weak]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Tuple

ROOT = Path(__file__).resolve().parent.parent


def _riskagent() -> List[str]:
    exe = Path(sys.executable).with_name("riskagent")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "agent.cli"]


def measure(argv: List[str]) -> Tuple[float, int]:
    """Wall seconds and peak RSS in KiB of one run of argv."""
    t0 = time.perf_counter()
    pid = os.fork()
    if pid == 0:  # child
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        try:
            os.execv(argv[0], argv)  # noqa: S606 - argv is built above, not user input
        finally:
            os._exit(127)
    _pid, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) not in (0, 3):
        raise SystemExit(f"{' '.join(argv)} failed with {status}")
    return wall, int(usage.ru_maxrss)


def bench(name: str, argv: List[str], runs: int) -> Dict[str, float]:
    walls, rss = [], []
    for _ in range(runs):
        w, r = measure(argv)
        walls.append(w)
        rss.append(r)
    result = {"median_s": statistics.median(walls), "max_s": max(walls), "peak_rss_mib": max(rss) / 1024}
    print(
        f"{name:<28} median {result['median_s'] * 1000:7.1f} ms   max {result['max_s'] * 1000:7.1f} ms   peak RSS {result['peak_rss_mib']:5.1f} MiB"
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--replay", default=str(ROOT / "tests" / "fixtures" / "hosts" / "debian-weak"))
    args = parser.parse_args()
    ra = _riskagent()
    out = tempfile.mkdtemp(prefix="riskagent-bench-")
    try:
        bench("riskagent --help", [*ra, "--help"], args.runs)
        bench("scan (this machine)", [*ra, "scan", "--profile", "server", "--no-sign", "-q", "--out", out], args.runs)
        bench("scan (fixture host)", [*ra, "scan", "--no-sign", "-q", "--out", out, "--replay", args.replay], args.runs)
    finally:
        shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
