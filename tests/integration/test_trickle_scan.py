"""A whole scan against loopback servers that trickle on every probed port ends within its budget.

Each server answers one byte every 0.2 s, for ever, so no per-read timeout
fires: only the overall deadlines stop the probes. The scan (host replayed,
network part live) must end within ``--time-budget`` plus 2 s, write its
report, and name every endpoint that ran out of time: in the terminal, in
report.md and in report.html, from the evidence in report.json.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, Iterator, List

import pytest

from collectors.evidence import Evidence
from report.timeouts import out_of_time
from tests.hosts import HOSTS_DIR
from tests.servers.hostile import HostileServer, tls_trickle, trickle

ROOT = Path(__file__).resolve().parents[2]
BUDGET_S = 6.0
ICS = ("modbus", "s7", "enip", "opcua")


@pytest.fixture
def trickling() -> Iterator[Dict[str, HostileServer]]:
    servers = {name: HostileServer(trickle(read_first=False)) for name in ICS}
    servers["web"] = HostileServer(trickle())
    servers["tls"] = HostileServer(tls_trickle())
    try:
        yield servers
    finally:
        for s in servers.values():
            s.stop()


def test_trickling_everywhere_ends_within_the_budget_and_names_what_ran_out(tmp_path: Path, trickling: Dict[str, HostileServer]) -> None:
    ports = {name: s.port for name, s in trickling.items()}
    web, tls = f"http://127.0.0.1:{ports['web']}/", f"https://127.0.0.1:{ports['tls']}/"
    args: List[str] = ["scan", "--profile", "ics-gateway", "--replay", str(HOSTS_DIR / "debian-hardened")]
    args += ["--target", "127.0.0.1", "--target", web, "--target", tls, "--ports", ",".join(str(ports[n]) for n in ICS)]
    for name in ICS:
        args += ["--probe-port", f"{name}={ports[name]}"]
    args += ["--time-budget", f"{BUDGET_S:g}", "--no-sign", "--lang", "en", "--format", "json", "--format", "md", "--format", "html"]
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "agent.cli", *args],
        cwd=tmp_path,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        capture_output=True,
        text=True,
        timeout=60,
    )
    elapsed = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    assert elapsed <= BUDGET_S + 2.0, f"the scan took {elapsed:.1f} s with a budget of {BUDGET_S:g} s"

    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    evidence = [Evidence.from_json(e) for e in report["evidence"]]
    late = out_of_time(evidence)
    assert late, "trickling servers everywhere, yet nothing ran out of time"
    named = {t.endpoint for t in late}

    # Every trickling endpoint is either judged from what it sent, or named as out of time.
    ics = next(e for e in evidence if e.collector == "ics.identify")
    protocols = ics.facts.get("protocols", {}) if ics.facts else {}
    for name in ICS:
        state = protocols.get(name, {}).get("state")
        endpoint = f"127.0.0.1:{ports[name]}"
        assert state in ("not_this_protocol", "closed") or endpoint in named, (name, state, named)
    for url, port in ((web, ports["web"]), (tls, ports["tls"])):
        assert url in named or f"127.0.0.1:{port}" in named, (url, named)

    markdown = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "Ran out of time" in done.stdout and "Ran out of time" in markdown and "Ran out of time" in html
    for endpoint in named:
        assert endpoint in done.stdout and endpoint in html, endpoint
        assert endpoint.replace(":", "\\:") in markdown or endpoint in markdown, endpoint
