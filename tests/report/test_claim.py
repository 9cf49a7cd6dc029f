"""The claim report from a verified history: the basis is the last verified report before the incident, warranties
and tasks are as that report states them (a later repair does not count), tasks are due from when they were
first found, gaps are listed, and reports that do not verify are named and never used."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Dict, List

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from agent.claim import make_claim
from report.claim import parse_utc
from report.claim_render import claim_markdown
from report.model import Report
from report.signing import report_digest, sign_report
from tests.hosts import complete_report, trusted_for

INCIDENT = "2026-11-01T03:00:00+08:00"  # 2026-10-31T19:00:00Z


@pytest.fixture(scope="module")
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory, key: Ed25519PrivateKey) -> Dict[str, Path]:
    """Three signed, chained reports of one host: weak on 1 and 10 October, hardened on 20 November (after the
    incident), and a copy of the second with a finding's status changed after signing."""
    d = tmp_path_factory.mktemp("history")
    plan = [("r1", "debian-weak", "2026-10-01T00:00:00Z"), ("r2", "debian-weak", "2026-10-10T00:00:00Z"), ("r3", "debian-hardened", "2026-11-20T00:00:00Z")]
    previous = None
    out: Dict[str, Path] = {}
    reports: List[Report] = []
    for i, (name, host, started) in enumerate(plan):
        r = complete_report(host, target_name="shop-web", started_at=started, previous_report=previous, report_id=f"00000000-0000-4000-8000-00000000000{i + 1}", mode="live")
        reports.append(r)
        path = d / f"{name}.dsse.json"
        path.write_bytes(sign_report(r, key))
        previous = report_digest(r)
        out[name] = path
    forged = d / "forged.dsse.json"
    env = json.loads(out["r2"].read_bytes())
    import base64

    payload = base64.b64decode(env["payload"]).replace(b'"status":"fail"', b'"status":"pass"', 1)
    env["payload"] = base64.b64encode(payload).decode()
    forged.write_text(json.dumps(env))
    out["forged"] = forged
    return out


def _claim(history: Dict[str, Path], key: Ed25519PrivateKey, names: List[str]):  # type: ignore[no-untyped-def]
    return make_claim([history[n] for n in names], trusted_for(key), parse_utc(INCIDENT), now=dt.datetime(2026, 12, 1, tzinfo=dt.timezone.utc))


def test_the_basis_is_the_last_verified_report_before_the_incident(history: Dict[str, Path], key: Ed25519PrivateKey) -> None:
    claim = _claim(history, key, ["r1", "r2", "r3"])
    assert claim.basis is not None and claim.basis.report.report_id.endswith("0002")
    assert claim.basis.age_hours == 21 * 24 + 19
    assert claim.incident_at == "2026-10-31T19:00:00Z" and claim.target == "shop-web"


def test_warranties_are_those_of_the_basis_even_when_repaired_afterwards(history: Dict[str, Path], key: Ed25519PrivateKey) -> None:
    claim = _claim(history, key, ["r1", "r2", "r3"])
    present = {w.id for w in claim.warranties if w.state in ("open", "mitigable")}
    assert present, "the weak host breaks warranties"
    later = complete_report("debian-hardened", target_name="shop-web")
    assert later.underwriting is not None
    repaired = {e.id for e in later.underwriting.hard_fail.entries if e.state == "clear"}
    assert present & repaired, "some of them were repaired in the report after the incident, and still count as broken"
    assert all(w.failing for w in claim.warranties if w.state == "open")


def test_tasks_are_due_from_when_first_found_and_overdue_at_the_incident(history: Dict[str, Path], key: Ed25519PrivateKey) -> None:
    claim = _claim(history, key, ["r1", "r2", "r3"])
    critical = [t for t in claim.tasks if t.severity == "critical" and t.checks]
    assert critical
    t = critical[0]
    assert t.first_found == "2026-10-01", "failing since the first report, not since the basis"
    assert t.due == (dt.date(2026, 10, 1) + dt.timedelta(days=t.sla_days)).isoformat()
    assert t.overdue_days == (dt.date(2026, 10, 31) - dt.date.fromisoformat(t.due)).days > 0
    assert claim.overdue and claim.tasks[0].overdue_days >= claim.tasks[-1].overdue_days


def test_gaps_and_the_timeline(history: Dict[str, Path], key: Ed25519PrivateKey) -> None:
    claim = _claim(history, key, ["r1", "r2", "r3"])
    kinds = {g.kind for g in claim.gaps}
    assert kinds == {"interval", "since_last"}
    kinds_in_order = [e.kind for e in claim.timeline if e.kind in ("report", "incident")]
    assert kinds_in_order == ["report", "report", "incident", "report"], kinds_in_order
    ats = [e.at for e in claim.timeline]
    assert ats == sorted(ats)
    missing = _claim(history, key, ["r1", "r3"])  # r2 withheld: r3 names a predecessor nobody holds
    assert any(g.kind not in ("interval", "since_last") for g in missing.gaps), missing.gaps


def test_a_report_that_does_not_verify_is_named_and_never_used(history: Dict[str, Path], key: Ed25519PrivateKey) -> None:
    claim = _claim(history, key, ["r1", "forged", "r3"])
    assert [Path(x.file).name for x in claim.excluded] == ["forged.dsse.json"]
    assert claim.basis is not None and claim.basis.report.report_id.endswith("0001")


def test_no_report_before_the_incident_is_said(history: Dict[str, Path], key: Ed25519PrivateKey) -> None:
    claim = _claim(history, key, ["r3"])
    assert claim.basis is None and not claim.warranties and not claim.tasks
    assert any("no verified assessment" in n for n in claim.notes)


def test_the_markdown_in_both_languages(history: Dict[str, Path], key: Ed25519PrivateKey) -> None:
    claim = _claim(history, key, ["r1", "r2", "r3"])
    zh, en = claim_markdown(claim, "zh"), claim_markdown(claim, "en")
    assert "理赔事实报告" in zh and "核保否决项在事故时的状态" in zh and "2026-11-01 03:00" in zh  # Beijing time
    assert "Claim report" in en and "the liability decision and the loss adjustment are the adjuster's" in en and "2026-10-31 19:00" in en


def test_the_cli_writes_a_signed_claim(history: Dict[str, Path], key: Ed25519PrivateKey, tmp_path: Path) -> None:
    from agent.keys import generate_key

    generate_key(tmp_path / "adjuster.key", b"fixture passphrase")
    pub = tmp_path / "applicant.pub"
    pub.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    env = {**os.environ, "RISKAGENT_KEY_PASSPHRASE": "fixture passphrase"}
    base = [sys.executable, "-m", "agent.cli", "claim", str(history["r1"]), str(history["r2"]), str(history["r3"]), "--signer-key", str(pub)]
    res = subprocess.run([*base, "--incident", INCIDENT, "--key", str(tmp_path / "adjuster.key"), "--out", str(tmp_path / "claim")], env=env, capture_output=True, text=True, check=False)
    assert res.returncode == 0, res.stderr
    assert "overdue:" in res.stdout
    data = json.loads((tmp_path / "claim" / "claim.json").read_text())
    assert data["basis"]["report"]["report_id"].endswith("0002")
    envelope = json.loads((tmp_path / "claim" / "claim.dsse.json").read_text())
    import base64

    statement = json.loads(base64.b64decode(envelope["payload"]))
    assert statement["predicateType"] == "urn:riskagent:predicate:claim:v1" and statement["predicate"] == data
    assert "理赔事实报告" in (tmp_path / "claim" / "claim.md").read_text()
    naive = subprocess.run([*base, "--incident", "2026-11-01T03:00:00", "--key", str(tmp_path / "adjuster.key"), "--out", str(tmp_path / "c2")], env=env, capture_output=True, text=True, check=False)
    assert naive.returncode == 2 and "no time zone" in naive.stderr and not (tmp_path / "c2").exists()
