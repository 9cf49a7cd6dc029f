"""Benchmark: start-up, a full server assessment paired with Lynis, and the probe profiles against loopback.

    sudo .venv/bin/python bench/bench_scan.py [--runs 7] [--lynis-runs 3] [--no-lynis]

Every figure is a whole process, timed from fork to exit with its peak
resident memory from wait4(2), reported as median and max over the runs:

* ``riskagent --help``;
* ``riskagent scan --profile server`` of this machine, signed, all four
  formats, interleaved run by run with ``lynis audit system --quick``
  (installed with apt-get when missing), and the per-pair ratio;
* ``scan --profile ics-gateway`` and ``--profile telematics`` against one
  loopback host that runs a Modbus server and an MQTT broker.

A source checkout installed in editable mode is byte-compiled first, as
``pip install .`` does for an installed agent, so that the figures do not
include compiling Python sources on every start.
"""

from __future__ import annotations

import argparse
import compileall
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("agent", "checks", "collectors", "questionnaires", "report")
PASSPHRASE = "bench-passphrase-not-secret"  # noqa: S105 - a throwaway key made for the benchmark


@dataclass(frozen=True)
class Run:
    wall_s: float
    peak_mib: float
    code: int


def _riskagent() -> List[str]:
    exe = Path(sys.executable).with_name("riskagent")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "agent.cli"]


def measure(argv: Sequence[str], env: Optional[Dict[str, str]] = None) -> Run:
    """Wall seconds and peak RSS of one run of ``argv`` (output discarded)."""
    t0 = time.perf_counter()
    pid = os.fork()
    if pid == 0:  # child
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        try:
            os.execve(argv[0], list(argv), env if env is not None else dict(os.environ))  # noqa: S606 - argv built here
        finally:
            os._exit(127)
    _pid, status, usage = os.wait4(pid, 0)
    return Run(time.perf_counter() - t0, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status))


def summary(name: str, runs: Sequence[Run]) -> Tuple[float, float]:
    walls = [r.wall_s for r in runs]
    peak = max(r.peak_mib for r in runs)
    bad = sorted({r.code for r in runs if r.code not in (0, 3)})
    print(
        f"{name:<34} median {statistics.median(walls) * 1000:8.1f} ms   max {max(walls) * 1000:8.1f} ms   "
        f"peak RSS {peak:5.1f} MiB   runs {len(runs)}" + (f"   EXIT CODES {bad}" if bad else "")
    )
    return statistics.median(walls), peak


def byte_compile() -> None:
    """Compile the project's sources once, as a wheel install does (a no-op when already compiled)."""
    for package in PACKAGES:
        compileall.compile_dir(str(ROOT / package), quiet=1)


def ensure_lynis() -> Optional[str]:
    found = shutil.which("lynis") or ("/usr/sbin/lynis" if Path("/usr/sbin/lynis").exists() else None)
    if found or os.geteuid() != 0 or not shutil.which("apt-get"):
        return found
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "install", "-y", "-qq", "lynis"], env=env, check=False, capture_output=True)
    return shutil.which("lynis") or ("/usr/sbin/lynis" if Path("/usr/sbin/lynis").exists() else None)


def make_key(tmp: Path, ra: List[str]) -> Path:
    key = tmp / "bench.key"
    env = {**os.environ, "RISKAGENT_KEY_PASSPHRASE": PASSPHRASE}
    subprocess.run([*ra, "keys", "generate", "--key", str(key)], env=env, check=True, capture_output=True)
    return key


def bench_server(ra: List[str], key: Path, out: Path, runs: int, lynis: Optional[str], lynis_runs: int) -> None:
    env = {**os.environ, "RISKAGENT_KEY_PASSPHRASE": PASSPHRASE}
    scan = [*ra, "scan", "--profile", "server", "-q", "--key", str(key), "--out", str(out)]
    measure(scan, env)  # warm-up: page cache
    if lynis is None:
        summary("scan --profile server (signed)", [measure(scan, env) for _ in range(runs)])
        print("lynis not available: no paired ratio")
        return
    lyn = [lynis, "audit", "system", "--quick", "--no-colors", "--logfile", str(out / "lynis.log"), "--report-file", str(out / "lynis.dat")]
    ours: List[Run] = []
    theirs: List[Run] = []
    ratios: List[float] = []
    for i in range(max(runs, lynis_runs)):
        a = measure(scan, env)
        ours.append(a)
        if i < lynis_runs:
            b = measure(lyn)
            theirs.append(b)
            ratios.append(b.wall_s / a.wall_s)
    summary("scan --profile server (signed)", ours)
    summary("lynis audit system --quick", theirs)
    print(f"{'paired speed-up (lynis / riskagent)':<34} median {statistics.median(ratios):8.1f}x   min {min(ratios):.1f}x   pairs {len(ratios)}")


def bench_probe_profiles(ra: List[str], out: Path, runs: int) -> None:
    sys.path.insert(0, str(ROOT))
    from tests.servers.ics import ModbusServer
    from tests.servers.mosquitto import start_mosquitto

    with ExitStack() as stack:
        modbus = stack.enter_context(ModbusServer())
        broker = stack.enter_context(start_mosquitto(out / "mqtt", anonymous=True))
        common = [*ra, "scan", "--no-sign", "-q", "--out", str(out), "--target", "127.0.0.1"]
        ics = [*common, "--profile", "ics-gateway", "--probe-port", f"modbus={modbus.port}"]
        tele = [*common, "--profile", "telematics", "--probe-port", f"mqtt={broker.ports['anonymous']}"]
        summary("scan --profile ics-gateway (lo)", [measure(ics) for _ in range(runs)])
        summary("scan --profile telematics (lo)", [measure(tele) for _ in range(runs)])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--lynis-runs", type=int, default=3)
    ap.add_argument("--no-lynis", action="store_true")
    ap.add_argument("--no-probes", action="store_true", help="skip the ics-gateway and telematics runs")
    args = ap.parse_args()
    if os.geteuid() != 0:
        print("note: not root; the server figures are for an unprivileged scan", file=sys.stderr)
    byte_compile()
    ra = _riskagent()
    lynis = None if args.no_lynis else ensure_lynis()
    print(f"{time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, Python {sys.version.split()[0]}, {' '.join(ra[-1:])}")
    with tempfile.TemporaryDirectory(prefix="riskagent-bench-") as tmp:
        base = Path(tmp)
        summary("riskagent --help", [measure([*ra, "--help"]) for _ in range(max(args.runs, 10))])
        key = make_key(base, ra)
        bench_server(ra, key, base / "out", args.runs, lynis, args.lynis_runs)
        if not args.no_probes:
            bench_probe_profiles(ra, base, args.runs)


if __name__ == "__main__":
    main()
