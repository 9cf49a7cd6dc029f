"""plan, diff and export commands: files written, both envelopes verified first, clear errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, List, Tuple

import click
import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from agent.cli_underwriting import diff_cmd, export_cmd, plan_cmd
from report.model import Report
from report.signing import sign_report
from tests.hosts import complete_report, fixture_report


def _invoke(cmd: click.Command, args: List[str]) -> Any:
    return CliRunner().invoke(cmd, args, catch_exceptions=False)


def _sign(report: Report, key: Ed25519PrivateKey, path: Path) -> Path:
    path.write_bytes(sign_report(report, key))
    return path


@pytest.fixture(scope="module")
def signed(tmp_path_factory: pytest.TempPathFactory) -> Tuple[Path, Path, Path, Path]:
    """The weak host, then the hardened host assessed as the same target; both signed; the public key."""
    d = tmp_path_factory.mktemp("uw")
    key = Ed25519PrivateKey.generate()
    pub = d / "k.pub"
    pub.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    weak = fixture_report("debian-weak")
    hardened = complete_report("debian-hardened", target_name=weak.target.name, started_at="2026-02-01T00:00:00Z")
    plain = d / "report.json"
    plain.write_bytes(weak.canonical + b"\n")  # report.json as the scan writes it
    return _sign(weak, key, d / "old.dsse.json"), _sign(hardened, key, d / "new.dsse.json"), pub, plain


def test_plan_writes_four_files_with_owners_from_the_config(signed: Tuple[Path, ...], tmp_path: Path) -> None:
    old, _, pub, plain = signed
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"params": {}, "plan": {"owners": {"backup": "Li Lei"}, "default_owner": "Ops"}}))
    res = _invoke(
        plan_cmd,
        [str(old), "--key", str(pub), "--config", str(config), "--out", str(tmp_path / "o"), "--lang", "en", "--today", "2026-03-01"],
    )
    assert res.exit_code == 0, res.output
    assert "UNVERIFIED" not in (tmp_path / "o" / "plan.md").read_text(encoding="utf-8")
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == ["plan.csv", "plan.html", "plan.json", "plan.md"]
    plan = json.loads((tmp_path / "o" / "plan.json").read_text(encoding="utf-8"))
    weak = json.loads(plain.read_text(encoding="utf-8"))
    fixes = [t for t in plan["tasks"] if t["kind"] in ("artefact", "check")]
    assert sorted(c for t in fixes for c in t["checks"]) == sorted(f["check_id"] for f in weak["findings"] if f["status"] == "fail")
    assert len({t["ref"] for t in fixes}) == len(fixes)  # one task per artefact
    assert {"hard_fail", "measure"} <= {t["kind"] for t in plan["tasks"]}
    assert {t["owner"] for t in plan["tasks"]} == {"Li Lei", "Ops"}
    sshd = next(t for t in plan["tasks"] if t["ref"] == "sshd")
    assert {"name": "PermitRootLogin", "current": "yes", "target": "no", "ref": "LNX-SSH-001"} in sshd["settings"]
    assert sshd["text"]["verification"][0].startswith("Re-assess LNX-SSH-001")
    md = (tmp_path / "o" / "plan.md").read_text(encoding="utf-8")
    assert "Rectification plan" in md and "systemctl reload ssh" in md and "dnf " not in md


def test_plan_reports_a_bad_setting_with_the_file_and_field(signed: Tuple[Path, ...], tmp_path: Path) -> None:
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"plan": {"sla_days": {"high": -3}}}))
    res = CliRunner().invoke(plan_cmd, [str(signed[0]), "--key", str(signed[2]), "--config", str(config), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2
    assert "riskagent: error:" in res.output and "plan.sla_days.high" in res.output and str(config) in res.output


def test_diff_shows_the_weak_hosts_tasks_closed(signed: Tuple[Path, ...]) -> None:
    old, new, pub, plain = signed
    res = _invoke(diff_cmd, [str(old), str(new), "--key", str(pub), "--json"])
    assert res.exit_code == 0, res.output
    diff = json.loads(res.output)
    assert list(diff)[:2] == ["header", "tasks"]
    assert diff["header"]["before"]["binding"] == "blocked" and diff["header"]["after"]["hard_fail"]["open"] == 0
    assert diff["tasks"]["counts"]["closed"] > 0 and diff["tasks"]["as_of"] == "2026-02-01"
    failed = {f["check_id"] for f in json.loads(plain.read_text(encoding="utf-8"))["findings"] if f["status"] == "fail"}
    assert {c["check_id"] for c in diff["closed"]} == failed
    assert diff["counts"]["regressed"] == diff["counts"]["new"] == diff["counts"]["persisting"] == 0
    assert _invoke(diff_cmd, [str(old), str(new), "--key", str(pub), "--format", "json"]).output == res.output
    text = _invoke(diff_cmd, [str(old), str(new), "--key", str(pub), "--lang", "en"])
    assert text.exit_code == 0 and f"closed {len(failed)}" in text.output
    md = _invoke(diff_cmd, [str(old), str(new), "--key", str(pub), "--lang", "zh", "--format", "md"])
    assert md.exit_code == 0 and md.output.startswith("# 评估对比") and "| 核保否决项 |" in md.output


def test_diff_refuses_a_tampered_report_naming_the_file(signed: Tuple[Path, ...], tmp_path: Path) -> None:
    old, new, pub, _ = signed
    data = new.read_bytes()
    i = len(data) // 2
    bad = tmp_path / "tampered.dsse.json"
    bad.write_bytes(data[:i] + bytes([data[i] ^ 0x01]) + data[i + 1 :])
    res = CliRunner().invoke(diff_cmd, [str(old), str(bad), "--key", str(pub)])
    assert res.exit_code == 1
    assert "riskagent: error:" in res.output and "tampered.dsse.json does not verify" in res.output
    res = CliRunner().invoke(diff_cmd, [str(bad), str(new), "--key", str(pub)])
    assert res.exit_code == 1 and "tampered.dsse.json" in res.output


def test_diff_refuses_an_unsigned_report_and_other_keys(signed: Tuple[Path, ...], tmp_path: Path) -> None:
    old, _, pub, plain = signed
    res = CliRunner().invoke(diff_cmd, [str(plain), str(old), "--key", str(pub)])
    assert res.exit_code == 2 and "report.json is not a signed report" in res.output and "--unverified" in res.output
    key = Ed25519PrivateKey.generate()
    other_pub = tmp_path / "other.pub"
    other_pub.write_bytes(
        key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    res = CliRunner().invoke(diff_cmd, [str(old), str(old), "--key", str(other_pub)])
    assert res.exit_code == 1 and "no signature by a trusted key" in res.output


def test_diff_of_different_targets_needs_force(tmp_path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    pub = tmp_path / "k.pub"
    pub.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    a = _sign(fixture_report("debian-weak"), key, tmp_path / "a.dsse.json")
    b = _sign(fixture_report("debian-hardened"), key, tmp_path / "b.dsse.json")
    res = CliRunner().invoke(diff_cmd, [str(a), str(b), "--key", str(pub)])
    assert res.exit_code == 2 and "'web-legacy-02'" in res.output and "'db-prod-01'" in res.output
    res = CliRunner().invoke(diff_cmd, [str(a), str(b), "--key", str(pub), "--force", "--json"])
    assert res.exit_code == 0 and json.loads(res.output)["forced"] is True


def test_export_sarif_to_a_file_and_stdout(signed: Tuple[Path, ...], tmp_path: Path) -> None:
    old, _, pub, plain = signed
    out = tmp_path / "r.sarif"
    res = _invoke(export_cmd, [str(old), "--key", str(pub), "--format", "sarif", "--out", str(out)])
    assert res.exit_code == 0, res.output
    sarif = json.loads(out.read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0" and sarif["runs"][0]["results"] and "properties" not in sarif
    unverified = CliRunner().invoke(export_cmd, [str(plain), "--unverified"])
    assert unverified.exit_code == 0
    assert unverified.stderr.startswith("UNVERIFIED")
    log = json.loads(unverified.stdout)
    assert next(iter(log)) == "properties" and log["properties"]["riskagent:unverified"].startswith("UNVERIFIED")
    assert log["runs"][0]["results"] == sarif["runs"][0]["results"]


def test_export_of_a_tampered_envelope_writes_nothing(signed: Tuple[Path, ...], tmp_path: Path) -> None:
    old, _, pub, _ = signed
    data = json.loads(old.read_bytes())
    data["signatures"][0]["sig"] = "A" + data["signatures"][0]["sig"][1:]
    bad = tmp_path / "bad.dsse.json"
    bad.write_text(json.dumps(data, separators=(",", ":"), sort_keys=True) + "\n")
    out = tmp_path / "r.sarif"
    res = CliRunner().invoke(export_cmd, [str(bad), "--key", str(pub), "--out", str(out)])
    assert res.exit_code == 1 and "bad.dsse.json does not verify" in res.output and not out.exists()


def test_plan_from_an_unsigned_report_says_so_first(signed: Tuple[Path, ...], tmp_path: Path) -> None:
    plain = signed[3]
    res = _invoke(plan_cmd, [str(plain), "--unverified", "--out", str(tmp_path / "o"), "--lang", "en"])
    assert res.exit_code == 0, res.output
    for name in ("plan.md", "plan.csv", "plan.html"):
        first = (tmp_path / "o" / name).read_text(encoding="utf-8").splitlines()[0]
        assert "UNVERIFIED" in first, name
    plan = json.loads((tmp_path / "o" / "plan.json").read_text(encoding="utf-8"))
    assert next(iter(plan)) == "unverified"


def test_export_rejects_a_file_that_is_not_a_report(tmp_path: Path) -> None:
    p = tmp_path / "x.json"
    p.write_text("[1, 2]")
    res = CliRunner().invoke(export_cmd, [str(p), "--unverified"])
    assert res.exit_code == 2 and "not a riskagent report" in res.output


def test_diff_command_runs_as_a_process(signed: Tuple[Path, ...]) -> None:
    old, new, pub, _ = signed
    code = "from agent.cli_underwriting import diff_cmd; diff_cmd(prog_name='riskagent diff')"
    res = subprocess.run(
        [sys.executable, "-c", code, str(old), str(new), "--key", str(pub), "--lang", "en"],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    # The header first (hard fails, open high-risk cases, score and grade, MLPS hint: before -> after), then the plan's progress.
    assert lines[0].startswith("web-legacy-02: ") and " -> " in lines[0]
    heads = ["Hard-fail items", "Open MLPS high-risk cases", "Risk score · rating", "MLPS conclusion hint", "Plan tasks"]
    assert [line.strip().split("  ")[0].split(" (")[0] for line in lines[1:6]] == heads, lines[:6]
    assert "binding blocked" in lines[1] and "-> binding unconfirmed" in lines[1]
    assert "0 · F ->" in lines[3]
    assert "closed" in lines[5] and "overdue" in lines[5]
    assert "Findings: closed" in res.stdout
