"""Coverage-guided fuzz target (atheris/libFuzzer) for the signed-report reader: report/envelope.py.

    .venv/bin/python bench/fuzz_envelope.py -max_total_time=60 -artifact_prefix=/tmp/x/ [more libFuzzer options]
    .venv/bin/python bench/fuzz_envelope.py --hypothesis 100000     (without atheris: hypothesis examples)

Run bounded by ``scripts/fuzz.sh --atheris SECONDS``; not part of the test suite.
The first byte of an input picks the entry point: even, the envelope bytes go
through ``parse_envelope``, ``check_signatures`` (against one trusted key) and
``read_statement`` of the payload; odd, the rest is read as a signed payload by
``read_statement`` directly (so mutations reach the statement and report
readers without first breaking the envelope's base64). Seeds: a genuine signed
envelope of a recorded host's report (made at start-up with a throwaway key),
its statement, and small hand-made ones. Contract: every input ends in a result
or in ``VerificationError`` with a reason, never in another exception (the
module's own promise). A crash writes its input under ``-artifact_prefix``.
atheris is optional (``.venv/bin/pip install atheris``); without it this exits
with status 2 and scripts/fuzz.sh falls back to ``--hypothesis N`` (mutations of
the same seeds and random bytes, 100,000 examples as the long profile).
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any, Dict, List, Sequence

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RECORDED_HOST = ROOT / "tests" / "fixtures" / "hosts" / "debian-weak"


KEYS: Dict[str, Any] = {}  # filled by load_keys(), after atheris has instrumented the report modules


def load_keys() -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from report.signing import key_id
    from report.trust import TrustedKey

    key = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))  # a fixed throwaway key: runs are repeatable
    KEYS["key"] = key
    KEYS["trusted"] = {key_id(key.public_key()): TrustedKey(key_id(key.public_key()), key.public_key(), None, "fuzz")}


def check_one(data: bytes) -> None:
    """Read one input; only VerificationError with a message may escape (raised as AssertionError if without one)."""
    from report.envelope import check_signatures, parse_envelope, read_statement
    from report.signing import VerificationError

    try:
        if not data or data[0] % 2 == 0:
            env = parse_envelope(data[1:])
            check_signatures(env, KEYS["trusted"])
            read_statement(env.payload)
        else:
            read_statement(data[1:])
    except VerificationError as exc:
        if not str(exc):
            raise AssertionError("VerificationError without a reason") from exc


def seeds() -> List[bytes]:
    """A genuine envelope and statement of a recorded host's report, and small hand-made inputs."""
    from agent.pipeline import assess
    from agent.settings import Settings
    from report.signing import PAYLOAD_TYPE, envelope_bytes, sign_report, statement_bytes

    report = assess(Settings(replay=RECORDED_HOST, sign=False))
    small = b'{"_type":"https://in-toto.io/Statement/v1","predicate":{},"predicateType":"x","subject":[]}'
    return [
        b"\x00" + sign_report(report, KEYS["key"]),
        b"\x01" + statement_bytes(report),
        b"\x00" + envelope_bytes(small, [{"keyid": "0" * 64, "sig": "AAAA"}]),
        b"\x01" + small,
        b'\x00{"payload":"","payloadType":"' + PAYLOAD_TYPE.encode() + b'","signatures":[]}\n',
    ]


def with_seeded_corpus(argv: List[str], corpus_seeds: Sequence[bytes], prefix: str) -> List[str]:
    """libFuzzer's arguments with a corpus directory (the first one given, else a new temporary one) holding the seeds."""
    import tempfile

    args = list(argv)
    dirs = [a for a in args[1:] if not a.startswith("-")]
    if not dirs:
        dirs = [tempfile.mkdtemp(prefix=prefix)]
        args.append(dirs[0])
        print(f"corpus directory: {dirs[0]}", file=sys.stderr)
    corpus = Path(dirs[0])
    corpus.mkdir(parents=True, exist_ok=True)
    if not any(corpus.iterdir()):
        for i, seed in enumerate(corpus_seeds):
            (corpus / f"seed{i}").write_bytes(seed)
    return args


def hypothesis_run(examples: int) -> int:
    """The fallback without atheris: ``examples`` hypothesis examples (random bytes, and the seeds cut, spliced and flipped)."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    load_keys()
    initial = seeds()

    @st.composite
    def mutated(draw: st.DrawFn) -> bytes:
        data = bytearray(draw(st.sampled_from(initial)))
        for _ in range(draw(st.integers(1, 4))):
            i = draw(st.integers(0, len(data)))
            op = draw(st.integers(0, 3))
            if op == 0:
                del data[i : i + draw(st.integers(1, 64))]
            elif op == 1:
                data[i:i] = draw(st.binary(min_size=1, max_size=16))
            elif op == 2 and i < len(data):
                data[i] ^= 1 << draw(st.integers(0, 7))
            else:
                data = data[:i]
        return bytes(data)

    @settings(max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(st.one_of(st.binary(max_size=512), mutated()))
    def run(data: bytes) -> None:
        check_one(data)

    run()
    print(f"{examples} hypothesis examples: no failure")
    return 0


def main(argv: List[str]) -> int:
    if len(argv) > 2 and argv[1] == "--hypothesis":
        return hypothesis_run(int(argv[2]))
    try:
        atheris: Any = importlib.import_module("atheris")
    except ImportError:
        print("atheris is not installed (.venv/bin/pip install atheris); use scripts/fuzz.sh, which falls back to hypothesis", file=sys.stderr)
        return 2
    with atheris.instrument_imports(include=["report.envelope", "report.canonical", "report.model", "collectors.strictjson"]):
        import report.envelope  # noqa: F401  (instrumented for coverage)
    load_keys()
    initial = seeds()

    def one_input(data: bytes) -> None:
        check_one(data)

    args = with_seeded_corpus(argv, initial, "riskagent-fuzz-envelope-")
    if not any(a.startswith("-max_len=") for a in args):
        args.append(f"-max_len={max(len(s) for s in initial) + 1024}")
    atheris.Setup(args, one_input)
    atheris.Fuzz()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
