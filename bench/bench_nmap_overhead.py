"""Benchmark: what the net.ports collector costs on top of nmap itself.

Starts ten banner services on 127.0.0.1, then times (median of N runs each,
interleaved) the bare ``nmap -oX - 127.0.0.1 -p <ports> <same options>`` that
python-nmap runs, against the collector through riskagent's API
(``run_net_collector``): nmap -V probe, XML parsing, fact building. With
``--cli`` it also times a whole ``riskagent scan --profile website`` run.

    .venv/bin/python bench/bench_nmap_overhead.py [--runs 3] [--cli]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from collectors.net.ports import nmap_arguments  # noqa: E402
from collectors.net.registry import NetContext, all_net_collectors, run_net_collector  # noqa: E402
from collectors.net.scope import parse_scope  # noqa: E402
from tests.servers import tcp  # noqa: E402

TEN_SERVICES = (
    tcp.OLD_OPENSSH,
    tcp.MODERN_OPENSSH,
    tcp.VSFTPD_234,
    tcp.PROFTPD,
    tcp.LINUX_TELNETD,
    tcp.VNC_38,
    tcp.MYSQL_56,
    tcp.POSTFIX_SMTP,
    tcp.DOVECOT_IMAP,
    tcp.EXIM_SMTP,
)


def _bare(spec: str, privileged: bool) -> float:
    nmap = shutil.which("nmap")
    if nmap is None:
        raise SystemExit("nmap is not installed: apt-get install nmap")
    argv = [nmap, "-oX", "-", "127.0.0.1", "-p", spec, *nmap_arguments(privileged, ipv6=False)]
    t0 = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, check=False)
    wall = time.perf_counter() - t0
    if done.returncode != 0 or b"<nmaprun" not in done.stdout:
        raise SystemExit(f"bare nmap failed: {done.stderr.decode(errors='replace')[:300]}")
    return wall


def _collector(spec: str, privileged: bool, expect_open: int) -> float:
    scope = parse_scope(["127.0.0.1"])
    collector = all_net_collectors()["net.ports"]
    t0 = time.perf_counter()
    ev = run_net_collector(collector, NetContext(scope, privileged=privileged, ports=spec), scope.targets[0])
    wall = time.perf_counter() - t0
    if ev.status.value != "ok" or ev.facts.get("open_ports") != expect_open:
        raise SystemExit(f"collector failed: {ev.reason} ({ev.facts.get('open_ports')} open)")
    return wall


def _cli(spec: str) -> float:
    exe = Path(sys.executable).with_name("riskagent")
    base = [str(exe)] if exe.exists() else [sys.executable, "-m", "agent.cli"]
    with tempfile.TemporaryDirectory() as out:
        argv = [*base, "scan", "--profile", "website", "--target", "127.0.0.1", "--ports", spec, "--no-sign", "-q", "--out", out]
        t0 = time.perf_counter()
        done = subprocess.run(argv, capture_output=True, check=False)
        wall = time.perf_counter() - t0
    if done.returncode not in (0, 3):
        raise SystemExit(f"riskagent scan failed ({done.returncode}): {done.stderr.decode(errors='replace')[:300]}")
    return wall


def measure(runs: int = 3, cli: bool = False) -> Dict[str, float]:
    """Median wall seconds of bare nmap and of the collector (and the CLI) over ``runs`` interleaved runs."""
    privileged = os.geteuid() == 0
    walls: Dict[str, List[float]] = {"bare_nmap": [], "collector": []}
    if cli:
        walls["cli"] = []
    with tcp.serve(*TEN_SERVICES) as ports:
        spec = tcp.port_spec(ports)
        _bare(spec, privileged)  # warm the page cache (nmap-service-probes)
        for _ in range(runs):
            walls["bare_nmap"].append(_bare(spec, privileged))
            walls["collector"].append(_collector(spec, privileged, len(ports)))
            if cli:
                walls["cli"].append(_cli(spec))
    return {name: statistics.median(values) for name, values in walls.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--cli", action="store_true", help="also time a whole 'riskagent scan --profile website' run")
    args = ap.parse_args()
    result = measure(args.runs, args.cli)
    bare = result["bare_nmap"]
    for name, wall in result.items():
        extra = "" if name == "bare_nmap" else f"   overhead {(wall - bare) * 1000:+7.1f} ms ({(wall / bare - 1) * 100:+5.1f} %)"
        print(f"{name:<10} median {wall * 1000:8.1f} ms{extra}")


if __name__ == "__main__":
    main()
