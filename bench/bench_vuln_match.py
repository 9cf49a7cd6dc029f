"""Benchmark: matching 2,000 installed packages against a full-size Debian Security Tracker feed.

    .venv/bin/python bench/bench_vuln_match.py --generate /tmp/vulnbench     # once: ~70 MB feed
    farm-bench -- .venv/bin/python bench/bench_vuln_match.py --match /tmp/vulnbench

The real tracker JSON cannot be downloaded here, so ``--generate`` writes one
of the same size and shape from the fixture format
(``tests/fixtures/feeds/match/debian.json``): 35,000 source packages, five
suites per issue, ~4 issues per package on average with a long tail (one
package with 12,000 issues, like ``linux``), descriptions of tracker length;
the real KEV catalogue (``tests/fixtures/kev``) and an EPSS file of 280,000
rows. The installed list is 2,000 binaries whose sources all have tracker
entries (the worst case: on a real host most have none).

``--match`` runs exactly what the collector runs after reading the host
(``collectors.vuln.collector.derive``): stream the tracker for the host's
suite and packages, KEV, advisory lists, EPSS for the matched CVEs, and the
version comparison, then prints the counts and its own wall time.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SUITES = ("buster", "bullseye", "bookworm", "trixie", "sid")
PACKAGES = 35_000
INSTALLED = 2_000
WORDS = "a flaw was found in the handling of crafted input which allows a remote attacker to cause a denial of service or execute code".split()


def _entry(rng: random.Random, n: int) -> dict:  # type: ignore[type-arg]
    releases = {}
    for suite in SUITES:
        state = rng.random()
        if state < 0.7:
            rel = {
                "status": "resolved",
                "repositories": {suite: f"{n % 9 + 1}.{n % 17}-{n % 5 + 1}"},
                "fixed_version": f"{n % 9 + 1}.{n % 17}-{n % 5 + 1}+deb{n % 3 + 10}u{n % 4 + 1}",
                "urgency": rng.choice(("not yet assigned", "low", "medium", "high", "unimportant")),
            }
        elif state < 0.9:
            rel = {
                "status": "open",
                "repositories": {suite: f"{n % 9 + 1}.{n % 17}-1"},
                "urgency": "unimportant",
                "nodsa": "Minor issue",
            }
        else:
            rel = {"status": "resolved", "repositories": {suite: "1.0-1"}, "fixed_version": "0", "urgency": "not yet assigned"}
        releases[suite] = rel
    return {
        "description": " ".join(rng.choice(WORDS) for _ in range(rng.randint(20, 45))),
        "scope": rng.choice(("local", "remote")),
        "releases": releases,
    }


def generate(out: Path) -> None:
    rng = random.Random(20261120)  # noqa: S311 - a reproducible synthetic feed, not a secret
    out.mkdir(parents=True, exist_ok=True)
    names = ["linux"] + [f"pkg{i:05d}" for i in range(1, PACKAGES)]
    cve = 0
    with (out / "debian.json").open("w") as fh:
        fh.write("{")
        for i, name in enumerate(names):
            count = 12_000 if name == "linux" else max(1, int(rng.paretovariate(1.6)))
            issues = {}
            for _ in range(count):
                cve += 1
                issues[f"CVE-{2000 + cve % 25}-{cve:06d}"] = _entry(rng, cve)
            fh.write(("" if i == 0 else ", ") + json.dumps(name) + ": " + json.dumps(issues, sort_keys=True))
        fh.write("}")
    shutil.copy(ROOT / "tests/fixtures/kev/known_exploited_vulnerabilities.json", out / "kev.json")
    with gzip.open(out / "epss.csv.gz", "wt") as gz:
        gz.write("#model_version:v2025.03.14,score_date:2025-08-25T12:55:00Z\ncve,epss,percentile\n")
        for n in range(1, 280_001):
            gz.write(f"CVE-{2000 + n % 25}-{n:06d},{rng.random() / 10:.5f},{rng.random():.5f}\n")
    installed = {name: f"{n % 9 + 1}.{n % 17}-1" for n, name in enumerate(rng.sample(names, INSTALLED))}
    installed["linux-image-amd64"] = "6.1.0-1"
    (out / "installed.json").write_text(json.dumps({"installed": installed, "sources": {"linux-image-amd64": "linux (6.1.0-1)"}}))
    print(f"{out}/debian.json: {(out / 'debian.json').stat().st_size / 1e6:.1f} MB, {PACKAGES} packages, {cve} issues")


def match(out: Path) -> None:
    from collectors.vuln.collector import derive

    data = json.loads((out / "installed.json").read_text())
    started = time.perf_counter()
    facts = derive(out, "bookworm", data["installed"], data["sources"], {"debian", "kev", "epss"}, "2026-11-20")
    took = time.perf_counter() - started
    print(
        f"{facts['packages']} packages, {facts['counts']['open']} open, {facts['counts']['unfixed']} unfixed; derive {took:.3f} s"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--generate", type=Path)
    ap.add_argument("--match", type=Path)
    args = ap.parse_args()
    if args.generate:
        generate(args.generate)
    if args.match:
        match(args.match)


if __name__ == "__main__":
    main()
