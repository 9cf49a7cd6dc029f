"""Coverage-guided fuzz target (atheris/libFuzzer) for the OpenSSH parsers in collectors/host/sshd.py.

    .venv/bin/python bench/fuzz_sshd.py -max_total_time=60 -artifact_prefix=/tmp/x/ [more libFuzzer options]

Run bounded by ``scripts/fuzz.sh --atheris SECONDS``; not part of the test suite.
Each input is split into up to five files (sshd_config, two sshd_config.d
drop-ins, two more Include targets) and an ``sshd -T`` output; the target parses
the config tree with Include and Match (the collector's own reader callbacks,
in memory), its effective and reduced forms, every Match block, and the
``sshd -T`` text. Contract: no exception escapes, and Include loops and fan-out
stay within MAX_INCLUDE_EXPANSIONS reads. A crash writes its input under
``-artifact_prefix`` (the script points it outside the repository).
atheris is optional (``.venv/bin/pip install atheris``); without it this
exits with status 2 and scripts/fuzz.sh falls back to the hypothesis long profile.
"""

from __future__ import annotations

import fnmatch
import importlib
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PATHS = (
    "/etc/ssh/sshd_config",
    "/etc/ssh/sshd_config.d/a.conf",
    "/etc/ssh/sshd_config.d/b.conf",
    "/etc/ssh/inc1",
    "/etc/ssh/inc2",
)
SEPARATOR = b"\n\x00\n"  # between the files of one input: NUL never appears in a config sshd would read


def split_input(data: bytes) -> Dict[str, str]:
    """The files of one input (decoded as the host reader decodes them) and the ``sshd -T`` output under ``-T``."""
    parts = data.split(SEPARATOR)
    files = {path: part.decode("utf-8", "replace") for path, part in zip(PATHS, parts)}
    files["-T"] = parts[len(PATHS)].decode("utf-8", "replace") if len(parts) > len(PATHS) else ""
    return files


def check_one(data: bytes) -> None:
    """Parse one input; raise AssertionError when the contract does not hold (other exceptions are crashes)."""
    from collectors.host import sshd

    files = split_input(data)
    reads: List[str] = []

    def read(path: str) -> Optional[str]:
        reads.append(path)
        return files.get(path) if path in PATHS else None

    def glob(pattern: str) -> List[str]:
        return sorted(p for p in PATHS if fnmatch.fnmatchcase(p, pattern))

    tree = sshd.parse_sshd_config_tree(read, glob)
    if len(reads) > sshd.MAX_INCLUDE_EXPANSIONS:
        raise AssertionError(f"{len(reads)} reads: Include expansion is not bounded")
    sshd.reduce_config(tree.effective(), fill_unset=True)
    for block in tree.match_blocks:
        block.to_json()
    sshd.reduce_config(sshd.parse_sshd_t(files["-T"]), fill_unset=True)


SEEDS = (
    b"Port 22\nPermitRootLogin no\nInclude /etc/ssh/sshd_config.d/*.conf\nMatch User alice\n  PasswordAuthentication yes\n",
    b"Include inc*\nLoginGraceTime 1h30m\nMaxStartups 10:30:60\n" + SEPARATOR + b"Ciphers +aes128-ctr\n" + SEPARATOR + b"Match all\n",
    b"Include sshd_config\n" + SEPARATOR * 5 + b"permitrootlogin without-password\nlogingracetime 120\nport 22\n",
)


def main(argv: List[str]) -> int:
    try:
        atheris: Any = importlib.import_module("atheris")
    except ImportError:
        print("atheris is not installed (.venv/bin/pip install atheris); use scripts/fuzz.sh, which falls back to hypothesis", file=sys.stderr)
        return 2
    with atheris.instrument_imports(include=["collectors.host.sshd"]):
        from collectors.host import sshd  # noqa: F401  (instrumented for coverage)

    def one_input(data: bytes) -> None:
        check_one(data)

    args = with_seeded_corpus(argv, SEEDS, "riskagent-fuzz-sshd-")
    atheris.Setup(args, one_input)
    atheris.Fuzz()
    return 0


def with_seeded_corpus(argv: List[str], seeds: Sequence[bytes], prefix: str) -> List[str]:
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
        for i, seed in enumerate(seeds):
            (corpus / f"seed{i}").write_bytes(seed)
    return args


if __name__ == "__main__":
    sys.exit(main(sys.argv))
