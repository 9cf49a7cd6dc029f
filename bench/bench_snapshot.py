"""Benchmark: ``riskagent snapshot`` of this machine, as a whole command: wall time, peak memory, what was cut.

    sudo .venv/bin/python bench/bench_snapshot.py [--runs 3] [--time-budget 60] [--stages]

Each run writes a snapshot with a throwaway key into a temporary directory, measures the command's wall
time and its own peak resident memory (``wait4``), and reads the signed manifest back for the time the
collection itself took, the artefact bytes and anything the budgets cut. ``--stages`` also times each
stage in-process (their sum is the collection without start-up, signing and writing). The targets are the
default budget (60 s) and 100 MiB of memory; run it as root, as a real snapshot is.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Iterator, List, Tuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PASS = "bench passphrase"  # noqa: S105 - a throwaway key made for the run


def one_run(tmp: Path, key: Path, budget: int) -> Tuple[float, int, dict]:  # type: ignore[type-arg]
    out = tmp / f"snap-{time.monotonic_ns()}"
    env = {**os.environ, "RISKAGENT_KEY_PASSPHRASE": PASS, "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "agent.cli", "snapshot", "--out", str(out), "--key", str(key), "--time-budget", str(budget), "--lang", "en"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
        cwd=ROOT,
    )
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        err = proc.stderr.read().decode() if proc.stderr else ""
        raise SystemExit(f"riskagent snapshot failed: {err}")
    if proc.stderr:
        proc.stderr.close()
    envelope = json.loads((out / "snapshot.dsse.json").read_text())
    manifest = json.loads(base64.b64decode(envelope["payload"]))["predicate"]
    return wall, usage.ru_maxrss, manifest


def stage_times(budget: int) -> Iterator[Tuple[str, float]]:
    from agent.snapshot import live_context
    from collectors.snapshot import collect
    from collectors.snapshot.model import Artefact
    from collectors.snapshot.session import Limits, Session
    from report.redact import redact_text

    for stage in collect.STAGES:
        started = time.perf_counter()

        def sink(_a: Artefact) -> None:
            return None

        def only(s: Session, stage: collect.Stage = stage) -> Iterator[Artefact]:
            yield from stage.run(s)

        collect.take(live_context(), redact_text, sink, Limits(time_s=budget), stages=(collect.Stage(stage.name, stage.share, only),))
        yield stage.name, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--time-budget", type=int, default=60)
    parser.add_argument("--stages", action="store_true", help="also time each stage on its own, in-process")
    args = parser.parse_args()
    if os.geteuid() != 0:
        print("note: not root; other users' processes and files are gaps, and the figures are not those of a real snapshot")
    from agent.keys import generate_key

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        os.chmod(tmp, 0o700)
        key = generate_key(tmp / "keys" / "signing.key", PASS.encode()).private_path
        walls: List[float] = []
        peaks: List[int] = []
        for i in range(args.runs):
            wall, peak, m = one_run(tmp, key, args.time_budget)
            walls.append(wall)
            peaks.append(peak)
            cuts = list(m["cut"]) + [f"{a['name']}: {c}" for a in m["artefacts"] for c in a.get("cut", [])]
            print(
                f"run {i + 1}: wall {wall:6.1f} s   collection {m['budget']['used_ms'] / 1000:6.1f} s of {m['budget']['time_s']} s"
                f"   peak RSS {peak / 1024:6.1f} MiB   artefacts {len(m['artefacts'])}, {m['budget']['used_bytes'] / 1048576:.1f} MiB"
                f"   O_NOATIME opens {m['access_times']['noatime_opens']}, refused {m['access_times']['plain_opens']}"
                f"   cut: {len(cuts)}"
            )
            for c in cuts:
                print(f"        cut: {c}")
        print(
            f"snapshot of this machine   wall median {statistics.median(walls):6.1f} s   max {max(walls):6.1f} s"
            f"   peak RSS max {max(peaks) / 1024:6.1f} MiB   runs {args.runs}   (targets: {args.time_budget} s, 100 MiB)"
        )
    if args.stages:
        for name, seconds in stage_times(args.time_budget):
            print(f"  stage {name:30} {seconds:7.2f} s")


if __name__ == "__main__":
    main()
