"""Benchmark: verifying one signed report with the full recheck, in-process and as a command.

    .venv/bin/python bench/bench_verify.py [--runs 21]

The report is a signed assessment of this machine (server profile), made
once with a throwaway key. ``in-process`` times ``verify_bytes`` (envelope
form, signature, statement, typed report, catalogue rules rerun over the
embedded evidence, every derived section rebuilt and compared, the default
policy) the way an intake service calls it; ``command`` times
``riskagent verify`` as a whole process, start-up included.
"""

from __future__ import annotations

import argparse
import compileall
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import List

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    for pkg in ("agent", "checks", "collectors", "questionnaires", "report"):
        compileall.compile_dir(str(ROOT / pkg), quiet=1)

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from agent.pipeline import assess
    from agent.settings import Settings
    from report.signing import key_id, sign_report
    from report.trust import TrustedKey
    from report.verification import Outcome, verify_bytes

    key = Ed25519PrivateKey.generate()
    report = assess(Settings(sign=False))
    envelope = sign_report(report, key)
    trusted = {key_id(key.public_key()): TrustedKey(key_id(key.public_key()), key.public_key(), None, "bench key")}
    first = verify_bytes(envelope, trusted)
    assert first.outcome in (Outcome.VALID, Outcome.POLICY_FAILED), first.reason
    times: List[float] = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        verify_bytes(envelope, trusted)
        times.append(time.perf_counter() - t0)
    print(
        f"verify in-process (full recheck)   median {statistics.median(times) * 1000:8.1f} ms   max {max(times) * 1000:8.1f} ms"
        f"   envelope {len(envelope) / 1024:.0f} KiB, {len(report.findings)} findings   runs {args.runs}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        env_path = Path(tmp) / "report.dsse.json"
        env_path.write_bytes(envelope)
        pub = Path(tmp) / "k.pub"
        pub.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
        sys.path.insert(0, str(ROOT / "bench"))
        from bench_scan import measure, summary

        exe = Path(sys.executable).with_name("riskagent")
        argv = [str(exe) if exe.exists() else sys.executable, *([] if exe.exists() else ["-m", "agent.cli"]), "verify", str(env_path), "--key", str(pub)]
        runs = [measure(argv) for _ in range(min(args.runs, 11))]
        summary("riskagent verify (command)", runs)


if __name__ == "__main__":
    main()
