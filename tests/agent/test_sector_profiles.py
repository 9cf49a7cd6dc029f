"""The telematics and ICS gateway profiles end to end through the command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.servers.mosquitto import start_mosquitto

RISKAGENT = [sys.executable, "-m", "agent.cli"]


def scan(tmp_path: Path, *args: str) -> dict:
    out = tmp_path / "out"
    res = subprocess.run(
        [*RISKAGENT, "scan", "--no-sign", "-q", "--out", str(out), "--lang", "en", *args],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=120,
    )
    assert res.returncode == 0, res.stderr
    return json.loads((out / "report.json").read_text())


def test_telematics_profile_flags_an_anonymous_broker(tmp_path: Path) -> None:
    with start_mosquitto(tmp_path, anonymous=True) as broker:
        broker.publish_retained()
        report = scan(
            tmp_path,
            "--profile",
            "telematics",
            "--target",
            "127.0.0.1",
            "--probe-port",
            f"mqtt={broker.ports['anonymous']}",
            "--probe-port",
            "mqtts=1",
            "--probe-port",
            "redis=1",
            "--probe-port",
            "elasticsearch=1",
            "--probe-port",
            "kafka=1",
        )
    statuses = {(f["check_id"], f["target"]): f["status"] for f in report["findings"]}
    assert statuses[("NET-MQTT-001", "127.0.0.1")] == "fail"
    assert report["profile_view"]["profile"] == "telematics" and report["profile_view"]["failed"] >= 1
    assert any(f["check_id"].startswith("LNX-") for f in report["findings"])  # the host is assessed too


def test_ics_gateway_profile_runs_the_gateway_checks_on_this_machine(tmp_path: Path) -> None:
    report = scan(tmp_path, "--profile", "ics-gateway")
    ids = {f["check_id"] for f in report["findings"]}
    assert {"LNX-ICS-001", "LNX-ICS-005"} <= ids and "LNX-OS-001" in ids
    assert report["profile_view"]["profile"] == "ics-gateway"
