"""The command line end to end: keys, scan of a recorded host, verify, catalogue."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Optional

import pytest

from tests.hosts import HOSTS_DIR

RISKAGENT = [sys.executable, "-m", "agent.cli"]
PASS = "fixture passphrase"


def run(args: List[str], env: Optional[Dict[str, str]] = None, **kw) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "RISKAGENT_KEY_PASSPHRASE": PASS, **(env or {})}
    return subprocess.run([*RISKAGENT, *args], capture_output=True, text=True, env=full_env, stdin=subprocess.DEVNULL, **kw)


@pytest.fixture(scope="module")
def signed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("signed")
    assert run(["keys", "generate", "--key", str(d / "k.key")]).returncode == 0
    res = run(
        ["scan", "--replay", str(HOSTS_DIR / "debian-weak"), "--key", str(d / "k.key"), "--out", str(d / "out"), "--lang", "en"]
    )
    assert res.returncode == 0, res.stderr
    return d


def test_scan_writes_all_four_files(signed: Path) -> None:
    names = sorted(p.name for p in (signed / "out").iterdir())
    assert names == ["report.dsse.json", "report.html", "report.json", "report.md"]


def test_verify_accepts_the_signed_report(signed: Path) -> None:
    res = run(["verify", str(signed / "out" / "report.dsse.json"), "--key", str(signed / "k.pub"), "--lang", "en"])
    assert res.returncode == 0, res.stdout
    assert res.stdout.startswith("VALID ")
    assert "replay (not a live assessment)" in res.stdout


def test_verify_rejects_an_edited_report_with_the_reason(signed: Path, tmp_path: Path) -> None:
    data = (signed / "out" / "report.dsse.json").read_bytes()
    bad = tmp_path / "bad.json"
    i = len(data) // 2
    bad.write_bytes(data[:i] + bytes([data[i] ^ 0x01]) + data[i + 1 :])
    res = run(["verify", str(bad), "--key", str(signed / "k.pub"), "--lang", "en"])
    assert res.returncode == 1
    assert res.stdout.startswith("INVALID ")


def test_verify_rejects_another_key(signed: Path, tmp_path: Path) -> None:
    assert run(["keys", "generate", "--key", str(tmp_path / "other.key")]).returncode == 0
    res = run(["verify", str(signed / "out" / "report.dsse.json"), "--key", str(tmp_path / "other.pub"), "--lang", "en"])
    assert res.returncode == 1
    assert "no signature by a trusted key" in res.stdout


def test_plain_report_equals_the_signed_predicate(signed: Path) -> None:
    import base64

    env = json.loads((signed / "out" / "report.dsse.json").read_text())
    stmt = json.loads(base64.b64decode(env["payload"]))
    assert stmt["predicate"] == json.loads((signed / "out" / "report.json").read_text())


def test_scan_without_key_says_what_to_do(tmp_path: Path) -> None:
    res = run(["scan", "--replay", str(HOSTS_DIR / "debian-weak"), "--key", str(tmp_path / "none.key"), "--out", str(tmp_path)])
    assert res.returncode == 1
    assert "no signing key" in res.stderr and "riskagent keys generate" in res.stderr


def test_wrong_passphrase_is_refused_before_scanning(signed: Path, tmp_path: Path) -> None:
    res = run(
        ["scan", "--replay", str(HOSTS_DIR / "debian-weak"), "--key", str(signed / "k.key"), "--out", str(tmp_path)],
        env={"RISKAGENT_KEY_PASSPHRASE": "not the passphrase"},
    )
    assert res.returncode == 1
    assert "wrong passphrase" in res.stderr


def test_fail_on_exits_3_when_severe_checks_fail(tmp_path: Path) -> None:
    res = run(
        ["scan", "--replay", str(HOSTS_DIR / "debian-weak"), "--no-sign", "-q", "--out", str(tmp_path), "--fail-on", "high"]
    )
    assert res.returncode == 3


def test_bad_config_names_file_and_line(tmp_path: Path) -> None:
    cfg = tmp_path / "params.json"
    cfg.write_text('{"params": {\n  "LNX-OS-001": {,}\n}}\n')
    res = run(["scan", "--replay", str(HOSTS_DIR / "debian-weak"), "--no-sign", "--out", str(tmp_path), "--config", str(cfg)])
    assert res.returncode == 2
    assert f"{cfg}: line 2" in res.stderr


def test_config_with_unknown_check_is_refused(tmp_path: Path) -> None:
    cfg = tmp_path / "params.json"
    cfg.write_text('{"params": {"LNX-NOPE-001": {}}}')
    res = run(["scan", "--replay", str(HOSTS_DIR / "debian-weak"), "--no-sign", "--out", str(tmp_path), "--config", str(cfg)])
    assert res.returncode == 2
    assert "unknown check id" in res.stderr


def test_checks_list_json_is_the_catalogue() -> None:
    res = run(["checks", "list", "--format", "json"])
    assert res.returncode == 0
    catalogue = json.loads(res.stdout)
    ids = [c["id"] for c in catalogue]
    assert len(ids) == len(set(ids)) >= 60
    assert all(c["title"]["zh"] and c["title"]["en"] and c["mlps"] for c in catalogue)


def test_verify_rechecks_findings_against_embedded_evidence(signed: Path, tmp_path: Path) -> None:
    """A correctly signed report whose findings contradict its own evidence is refused."""
    from agent.keys import load_private_key
    from report.model import Report
    from report.signing import sign_report

    data = json.loads((signed / "out" / "report.json").read_text())
    forged = next(f for f in data["findings"] if f["status"] == "fail")
    forged["status"] = "pass"
    key = load_private_key(signed / "k.key", PASS.encode())
    env = tmp_path / "forged.dsse.json"
    env.write_bytes(sign_report(Report.from_json(data), key))
    res = run(["verify", str(env), "--key", str(signed / "k.pub"), "--lang", "en"])
    assert res.returncode == 1
    assert f"does not follow from its evidence: finding {forged['check_id']}: reported pass, but the evidence gives fail" in res.stdout


def test_scans_with_a_state_dir_form_a_verifiable_chain(signed: Path, tmp_path: Path) -> None:
    from report.signing import report_digest

    state = tmp_path / "state"
    outs = []
    for i in range(3):
        out = tmp_path / f"run{i}"
        res = run(
            [
                "scan",
                "--replay",
                str(HOSTS_DIR / "debian-weak"),
                "--key",
                str(signed / "k.key"),
                "--out",
                str(out),
                "-q",
                "--state-dir",
                str(state),
            ]
        )
        assert res.returncode == 0, res.stderr
        outs.append(out)
    from report.model import Report

    reports = [Report.from_json(json.loads((o / "report.json").read_text())) for o in outs]
    assert reports[0].previous_report is None
    assert reports[1].previous_report == report_digest(reports[0])
    assert reports[2].previous_report == report_digest(reports[1])
    envelopes = [str(o / "report.dsse.json") for o in outs]
    assert run(["history", *envelopes, "--key", str(signed / "k.pub")]).returncode == 0
    broken = run(["history", envelopes[0], envelopes[2], "--key", str(signed / "k.pub")])
    assert broken.returncode != 0 and "run2" in (broken.stdout + broken.stderr)
