"""Benchmark: verifying one signed report with the full recheck, in-process and as a command.

    .venv/bin/python bench/bench_verify.py [--runs 41] [--host debian-weak] [--no-live] [--no-command]

Two reports, each signed once with a throwaway key: a report of the recorded
host ``--host`` (server profile, the fixture the forgery suite signs) and a
report of this machine (server profile; ``--no-live`` skips it). For each,
``in-process`` times ``verify_bytes`` (envelope form, signature, statement,
typed report, catalogue rules rerun over the embedded evidence, every derived
section rebuilt and compared, the default policy) the way an intake worker
calls it, many reports in one process: the processor time per verification
(what bounds reports/s on a loaded machine) and the wall time, median and
minimum of ``--runs``, then the median split by step. ``forged`` times the
same report with one finding's status changed and re-signed, which the
recheck rejects (the path that names every difference). ``command`` times
``riskagent verify`` as a whole process, start-up included.

Processor time per verification on this 2-processor machine, the code before and after issue #16's
speed-up run alternately under the same load (other work beside it, load average about 5):

    before   debian-weak  median 50-53 ms (55 ms at a lighter load);  this machine 52 ms
    after    debian-weak  median 34-36 ms;                           this machine 34-38 ms

Then a genuine report judged in one comparison (its declarations read from the signed JSON, the report rebuilt
and its Statement compared byte for byte with the payload; ``report.rederive.rederived_statement``), clean
strings remembered across scrubs: debian-weak 37.8 -> 22.7-24.9 ms on a quiet machine. A forged report costs
that attempt plus the full reading that names its differences (about 51-58 ms).

Then orjson: it parses the payload for that comparison and writes the rebuilt report without a JSON tree in
between (``canonical_record_quick``): the same build alternated with the one before, 26.5-28.7 -> 21.9-22.5 ms;
on a quieter machine 18-20 ms. ``steps`` follows that path.

Then catalogue 1.0.29 (rendered messages and clause keys remembered, evidence views made from a check's own
names, the redaction walk remembering plain keys) and quicker plain-JSON decoding and elided-field comparison,
alternated with the build before: 23.6-25.8 -> 19.7-23.3 ms while the machine ran about a third slower than
usual (declarations 3.2 -> 2.7 ms, rebuild 16.5 -> 13.5 ms), 16.9-18.8 -> 15.3-16.1 ms at its usual speed
(the rebuild alone 9.7-10.7 -> 7.6-8.6 ms).
"""

from __future__ import annotations

import argparse
import compileall
import dataclasses
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Tuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

NOW = dt.datetime(2026, 1, 2, tzinfo=dt.timezone.utc)


def _times(fn: Callable[[], Any], runs: int) -> Tuple[List[float], List[float]]:
    """(processor seconds, wall seconds) of each of ``runs`` calls, after one warm-up call."""
    fn()
    cpu: List[float] = []
    wall: List[float] = []
    for _ in range(runs):
        c0, t0 = time.process_time(), time.perf_counter()
        fn()
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - t0)
    return cpu, wall


def _ms(values: List[float]) -> str:
    return f"median {statistics.median(values) * 1000:6.1f} ms  min {min(values) * 1000:6.1f} ms"


def steps(envelope: bytes, trusted: Mapping[str, Any], runs: int) -> Dict[str, float]:
    """Median processor ms of each step of ``verify_bytes`` for a genuine report, made one by one as it makes them
    (the one-comparison path of ``report.rederive.rederived_statement``)."""
    from report.canonical import canonical_record_quick, quick_loads
    from report.envelope import MAX_REPORT_VALUES, check_signatures, parse_envelope
    from report.policy import Policy, evaluate_policy
    from report.rederive import declaration_problems, declarations_from_json, rederive
    from report.signing import statement_bytes

    out: Dict[str, List[float]] = {}
    for _ in range(runs):
        c0 = time.process_time()
        env = parse_envelope(envelope)
        sigs = check_signatures(env, trusted)
        c1 = time.process_time()
        statement = quick_loads(env.payload, MAX_REPORT_VALUES)
        c2 = time.process_time()
        declarations = declarations_from_json(statement["predicate"])
        assert declarations is not None and not declaration_problems(declarations)
        c3 = time.process_time()
        again = rederive(declarations)
        c4 = time.process_time()
        assert statement_bytes(again, canonical_record_quick(again)) == env.payload
        c5 = time.process_time()
        evaluate_policy(again, [s.key for s in sigs if s.key is not None], Policy(), NOW)
        c6 = time.process_time()
        for name, spent in (
            ("envelope and signatures", c1 - c0),
            ("parse", c2 - c1),
            ("declarations", c3 - c2),
            ("rebuild (checks, views, answers, plan)", c4 - c3),
            ("encode and compare", c5 - c4),
            ("policy", c6 - c5),
        ):
            out.setdefault(name, []).append(spent)
    return {name: statistics.median(values) * 1000 for name, values in out.items()}


def forged_envelope(report: Any, key: Any) -> bytes:
    """``report`` with its first failed finding reported as passed, re-signed: genuine signature, forged content."""
    from checks.model import Status
    from report.signing import sign_report

    findings = list(report.findings)
    i = next(i for i, f in enumerate(findings) if f.status is Status.FAIL)
    findings[i] = dataclasses.replace(findings[i], status=Status.PASS)
    return sign_report(dataclasses.replace(report, findings=tuple(findings)), key)


def bench_one(label: str, report: Any, key: Any, trusted: Mapping[str, Any], runs: int) -> bytes:
    from report.signing import sign_report
    from report.verification import Outcome, verify_bytes

    envelope = sign_report(report, key)
    first = verify_bytes(envelope, trusted, now=NOW)
    assert first.outcome in (Outcome.VALID, Outcome.POLICY_FAILED), first.reason
    cpu, wall = _times(lambda: verify_bytes(envelope, trusted, now=NOW), runs)
    print(
        f"[{label}] verify in-process (full recheck)  processor {_ms(cpu)}   wall {_ms(wall)}"
        f"   {1000 / (statistics.median(cpu) * 1000):.0f} verifications/s per processor"
        f"   envelope {len(envelope) / 1024:.0f} KiB, {len(report.findings)} findings, runs {runs}",
        flush=True,
    )
    split = steps(envelope, trusted, runs)
    print(f"[{label}]   steps (median processor ms): " + ", ".join(f"{name} {ms:.1f}" for name, ms in split.items()), flush=True)
    forged = forged_envelope(report, key)
    rejected = verify_bytes(forged, trusted, now=NOW)
    assert rejected.outcome is Outcome.INVALID, rejected.outcome
    cpu, _ = _times(lambda: verify_bytes(forged, trusted, now=NOW), max(5, runs // 4))
    print(f"[{label}]   forged (one finding passed instead of failed, re-signed): rejected, processor {_ms(cpu)}", flush=True)
    return envelope


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=41)
    parser.add_argument("--host", default="debian-weak", help="The recorded host (tests/fixtures/hosts) of the first report.")
    parser.add_argument("--no-live", action="store_true", help="Skip the report of this machine.")
    parser.add_argument("--no-command", action="store_true", help="Skip timing riskagent verify as a command.")
    args = parser.parse_args()
    for pkg in ("agent", "checks", "collectors", "questionnaires", "report"):
        compileall.compile_dir(str(ROOT / pkg), quiet=1)

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from report.signing import key_id
    from report.trust import TrustedKey
    from tests.hosts import complete_report

    key = Ed25519PrivateKey.generate()
    trusted = {key_id(key.public_key()): TrustedKey(key_id(key.public_key()), key.public_key(), None, "bench key")}
    envelope = bench_one(args.host, complete_report(args.host, target_name="vm", mode="live"), key, trusted, args.runs)
    if not args.no_live:
        from agent.pipeline import assess
        from agent.settings import Settings

        envelope = bench_one("this machine", assess(Settings(sign=False)), key, trusted, args.runs)
    if args.no_command:
        return
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
