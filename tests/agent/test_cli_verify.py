"""The insurer's commands end to end: keys identity, trust add, scan --challenge, verify with a policy, cosign, render."""

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
USCC = "91440300708461136T"


def run(args: List[str], env: Optional[Dict[str, str]] = None) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "RISKAGENT_KEY_PASSPHRASE": PASS, **(env or {})}
    return subprocess.run([*RISKAGENT, *args], capture_output=True, text=True, env=full, stdin=subprocess.DEVNULL, check=False)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An applicant and an assessor with keys, an insurer's trust store with both, a challenged signed scan."""
    d = tmp_path_factory.mktemp("insurer")
    for who in ("applicant", "assessor"):
        assert run(["keys", "generate", "--key", str(d / f"{who}.key")]).returncode == 0
    ident = run(["keys", "identity", "--key", str(d / "applicant.pub"), "--name", "Acme Ltd", "--role", "applicant", "--org-id", USCC, "--target", "host:web-legacy-02"])
    assert ident.returncode == 0, ident.stderr
    (d / "applicant.entry.json").write_text(ident.stdout)
    ident = run(["keys", "identity", "--key", str(d / "assessor.pub"), "--name", "Li Si", "--role", "assessor", "--certificate", "CISP-2024-0001", "--target", "*"])
    assert ident.returncode == 0, ident.stderr
    (d / "assessor.entry.json").write_text(ident.stdout)
    for who in ("applicant", "assessor"):
        res = run(["trust", "add", str(d / f"{who}.entry.json"), "--store", str(d / "trust.json")])
        assert res.returncode == 0, res.stderr
    nonce = run(["challenge"]).stdout.strip()
    (d / "nonce").write_text(nonce)
    scan = run(["scan", "--replay", str(HOSTS_DIR / "debian-weak"), "--key", str(d / "applicant.key"), "--out", str(d / "out"), "--challenge", nonce, "-q"])
    assert scan.returncode == 0, scan.stderr
    return d


def test_identity_entries_and_the_trust_store(site: Path) -> None:
    entry = json.loads((site / "applicant.entry.json").read_text())
    assert entry["role"] == "applicant" and entry["organisation_id"] == USCC and entry["targets"] == ["host:web-legacy-02"]
    assert entry["valid_from"] < entry["valid_until"]
    listing = run(["trust", "list", str(site / "trust.json")])
    assert listing.returncode == 0 and f"Acme Ltd (applicant, {USCC})" in listing.stdout and "Li Si (assessor, CISP-2024-0001)" in listing.stdout


def test_identity_refuses_a_mistyped_credit_code(site: Path) -> None:
    res = run(["keys", "identity", "--key", str(site / "applicant.pub"), "--name", "Acme", "--role", "applicant", "--org-id", USCC[:-1] + "U"])
    assert res.returncode == 2 and "fails its check character" in res.stderr


def test_verify_prints_the_identity_and_the_provenance(site: Path) -> None:
    nonce = (site / "nonce").read_text()
    env = str(site / "out" / "report.dsse.json")
    res = run(["verify", env, "--trust", str(site / "trust.json"), "--challenge", nonce, "--lang", "en"])
    assert res.returncode == 0, res.stdout
    assert "verified  key " in res.stdout and f"Acme Ltd (applicant, {USCC})" in res.stdout
    assert "replay (not a live assessment)" in res.stdout and f"Challenge: {nonce}" in res.stdout
    as_json = json.loads(run(["verify", env, "--trust", str(site / "trust.json"), "--json"]).stdout)
    assert as_json["result"] == "valid" and as_json["signatures"][0]["signer"]["name"] == "Acme Ltd"
    assert as_json["report"]["mode"] == "replay" and as_json["report"]["challenge"] == nonce


def test_the_policy_has_its_own_exit_status(site: Path, tmp_path: Path) -> None:
    env = str(site / "out" / "report.dsse.json")
    trust = ["--trust", str(site / "trust.json")]
    live = run(["verify", env, *trust, "--require-live", "--lang", "en"])
    assert live.returncode == 4 and "FAIL mode: mode replay: not a live assessment of the host" in live.stdout
    wrong = run(["verify", env, *trust, "--challenge", "not-the-nonce-0000", "--json"])
    assert wrong.returncode == 4 and json.loads(wrong.stdout)["reason"] == "policy: challenge: carries a different challenge"
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({"require_roles": ["assessor"], "max_age": "3650d"}))
    assessor = run(["verify", env, *trust, "--policy", str(policy), "--json"])
    assert assessor.returncode == 4 and json.loads(assessor.stdout)["reason"] == "policy: roles: no signature by a trusted assessor"


def test_cosign_then_the_assessor_role_is_met(site: Path, tmp_path: Path) -> None:
    env = site / "out" / "report.dsse.json"
    cosigned = tmp_path / "cosigned.dsse.json"
    res = run(["cosign", str(env), "--key", str(site / "assessor.key"), "--trust", str(site / "trust.json"), "--out", str(cosigned)])
    assert res.returncode == 0, res.stderr
    assert "as signature 1" in res.stdout
    v = run(["verify", str(cosigned), "--trust", str(site / "trust.json"), "--require-role", "assessor", "--require-role", "applicant", "--json"])
    data = json.loads(v.stdout)
    assert v.returncode == 0, data["reason"]
    assert [s["signer"]["role"] for s in data["signatures"]] == ["applicant", "assessor"]
    again = run(["cosign", str(cosigned), "--key", str(site / "assessor.key"), "--trust", str(site / "trust.json"), "--out", str(tmp_path / "x.json")])
    assert again.returncode == 2 and "already signed by this key" in again.stderr


def test_cosign_refuses_a_report_that_does_not_verify(site: Path, tmp_path: Path) -> None:
    data = (site / "out" / "report.dsse.json").read_bytes()
    bad = tmp_path / "bad.dsse.json"
    bad.write_bytes(data.replace(b'"payload":"ey', b'"payload":"ez', 1))
    res = run(["cosign", str(bad), "--key", str(site / "assessor.key"), "--trust", str(site / "trust.json")])
    assert res.returncode == 1 and "does not verify; not co-signed" in res.stderr
    assert bad.read_bytes() == data.replace(b'"payload":"ey', b'"payload":"ez', 1)


def test_render_writes_only_verified_reports_with_the_result_in_the_header(site: Path, tmp_path: Path) -> None:
    env = str(site / "out" / "report.dsse.json")
    out = tmp_path / "verified.html"
    res = run(["render", env, "--trust", str(site / "trust.json"), "--format", "html", "--out", str(out), "--lang", "en"])
    assert res.returncode == 0, res.stderr
    html = out.read_text(encoding="utf-8")
    assert 'id="verification"' in html and "VALID" in html and "Acme Ltd" in html
    assert "Not a live assessment" in html  # the replay banner
    md = tmp_path / "verified.md"
    assert run(["render", env, "--trust", str(site / "trust.json"), "--format", "md", "--out", str(md), "--require-live"]).returncode == 4
    assert "不符合核验策略" in md.read_text(encoding="utf-8")
    bad = tmp_path / "bad.dsse.json"
    bad.write_bytes((site / "out" / "report.dsse.json").read_bytes().replace(b'"payload":"ey', b'"payload":"ez', 1))
    res = run(["render", str(bad), "--trust", str(site / "trust.json"), "--out", str(tmp_path / "bad.html")])
    assert res.returncode == 1 and not (tmp_path / "bad.html").exists()


def test_verify_without_any_trusted_key_is_a_usage_error(site: Path) -> None:
    res = run(["verify", str(site / "out" / "report.dsse.json"), "--json"])
    assert res.returncode == 2 and json.loads(res.stdout)["result"] == "usage_error"


def test_several_envelopes_give_one_result_each_and_the_worst_status(site: Path, tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.dsse.json"
    garbage.write_bytes(b"\x1b[2J\x1b[H OK \xff")
    res = run(["verify", str(site / "out" / "report.dsse.json"), str(garbage), "--trust", str(site / "trust.json"), "--json"])
    lines = [json.loads(line) for line in res.stdout.splitlines()]
    assert [r["result"] for r in lines] == ["valid", "invalid"] and res.returncode == 1


def test_hostile_names_cannot_drive_the_terminal(site: Path, tmp_path: Path) -> None:
    hostile = tmp_path / "\x1b[2J\x1b[32mOK"
    hostile.write_bytes(b"{}")
    res = run(["verify", str(hostile), "--trust", str(site / "trust.json")])
    assert res.returncode == 1 and "\x1b" not in res.stdout and "\\u001b[2J" in res.stdout
