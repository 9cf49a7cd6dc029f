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

The RPM case (``--generate-rpm DIR``, then ``--match-rpm DIR``): an openEuler
OSV zip of OSV.dev's layout generated from the fixture record
(``tests/fixtures/feeds/osv/openeuler/OESA-2024-0001.json``): 16,000
advisories over 6,000 source packages, each for three releases with its binary
RPMs per architecture and a bulletin-length description (21 MB zip, 85 MB
unpacked); 2,000 installed binaries of an openEuler 22.03-LTS-SP3 host, all
from sources with advisories (the worst case), matched by
``collectors.vuln.collector.derive_osv`` (stream the zip, decode only the
records naming the release and an installed package, rpmvercmp), with the peak
resident memory of the process. Measured 2026-12-05 on the 2-CPU machine
(``farm-bench -n 5``, whole process): median 1.45 s CPU, 2.2 s wall, peak
37 MiB; derive_osv alone 1.3-2.0 s.
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


RPM_RELEASES = ("openEuler:20.03-LTS-SP4", "openEuler:22.03-LTS-SP3", "openEuler:24.03-LTS")
RPM_SOURCES = 6_000
RPM_RECORDS = 16_000
RPM_SUFFIX = {"openEuler:20.03-LTS-SP4": "oe2003sp4", "openEuler:22.03-LTS-SP3": "oe2203sp3", "openEuler:24.03-LTS": "oe2403"}


def _rpm_binaries(source: str, n: int) -> list:  # type: ignore[type-arg]
    return [source] + [f"{source}-{s}" for s in ("libs", "devel", "help", "tools", "debuginfo")[: n - 1]]


def generate_rpm(out: Path) -> None:
    import zipfile

    rng = random.Random(20261121)  # noqa: S311 - a reproducible synthetic feed, not a secret
    out.mkdir(parents=True, exist_ok=True)
    template = json.loads((ROOT / "tests/fixtures/feeds/osv/openeuler/OESA-2024-0001.json").read_text())
    sources = [f"src{i:05d}" for i in range(RPM_SOURCES)]
    with zipfile.ZipFile(out / "openeuler-osv.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        for n in range(RPM_RECORDS):
            source = sources[n % RPM_SOURCES]
            nbin = 2 + n % 5
            record = dict(template)
            record["id"] = f"OESA-{2020 + n % 6}-{1001 + n}"
            record["upstream"] = [f"CVE-{2000 + n % 25}-{n:06d}", f"CVE-{2000 + n % 25}-{n + 500000:06d}"]
            record["details"] = " ".join(rng.choice(WORDS) for _ in range(rng.randint(200, 400)))
            record["database_specific"] = {"severity": rng.choice(("Low", "Medium", "High", "Critical"))}
            record["references"] = [
                {"type": "ADVISORY", "url": f"https://www.openeuler.org/en/security/safety-bulletin/detail.html?id=openEuler-SA-{record['id'][5:]}"}
            ]
            affected = []
            for eco in RPM_RELEASES:
                fixed = f"{n % 9 + 1}.{n % 17}-{n // RPM_SOURCES + 2}.{RPM_SUFFIX[eco]}"
                spec = {
                    arch: [f"{b}-{fixed}.{arch}.rpm" for b in _rpm_binaries(source, nbin)] for arch in ("x86_64", "aarch64")
                }
                spec["src"] = [f"{source}-{fixed}.src.rpm"]
                affected.append(
                    {
                        "package": {"name": source, "ecosystem": eco, "purl": f"pkg:rpm/openEuler/{source}&distro={eco}"},
                        "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": fixed}]}],
                        "ecosystem_specific": spec,
                    }
                )
            record["affected"] = affected
            zf.writestr(f"{record['id']}.json", json.dumps(record, indent=2))
    installed: dict = {}  # type: ignore[type-arg]
    for source in rng.sample(sources, INSTALLED // 2):
        n = sources.index(source)
        for b in _rpm_binaries(source, 2):
            installed[b] = f"{n % 9 + 1}.{n % 17}-{1 + n % 3}.oe2203sp3"
    (out / "installed-rpm.json").write_text(json.dumps(installed))
    shutil.copy(ROOT / "tests/fixtures/kev/known_exploited_vulnerabilities.json", out / "kev.json")
    size = (out / "openeuler-osv.zip").stat().st_size
    with zipfile.ZipFile(out / "openeuler-osv.zip") as zf:
        unpacked = sum(i.file_size for i in zf.infolist())
    print(f"{out}/openeuler-osv.zip: {size / 1e6:.1f} MB ({unpacked / 1e6:.0f} MB unpacked), {RPM_RECORDS} records")


def match_rpm(out: Path) -> None:
    import resource

    from collectors.vuln.collector import derive_osv

    installed = json.loads((out / "installed-rpm.json").read_text())
    started = time.perf_counter()
    facts = derive_osv(out, "openeuler", "openEuler:22.03-LTS-SP3", installed, {}, {"openeuler", "kev"}, "2026-11-20")
    took = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{facts['packages']} rpm packages, {facts['counts']['open']} open, {facts['counts']['unfixed']} unfixed; "
        f"derive_osv {took:.3f} s, peak RSS {peak:.0f} MiB"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--generate", type=Path)
    ap.add_argument("--match", type=Path)
    ap.add_argument("--generate-rpm", type=Path)
    ap.add_argument("--match-rpm", type=Path)
    args = ap.parse_args()
    if args.generate:
        generate(args.generate)
    if args.match:
        match(args.match)
    if args.generate_rpm:
        generate_rpm(args.generate_rpm)
    if args.match_rpm:
        match_rpm(args.match_rpm)


if __name__ == "__main__":
    main()
