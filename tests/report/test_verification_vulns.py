"""``verify --feeds``: the vulnerability verdicts re-derived from the embedded package list with the verifier's
own feeds, a report whose matches do not follow from the feeds it names is invalid, and without the same
feeds the result says they were not re-derived and why."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from agent.pipeline import assess
from agent.settings import Settings
from collectors.digest import sha256_hex
from report.model import Report
from report.signing import sign_report
from report.verification import Outcome, verify_bytes
from tests.hosts import HOSTS_DIR, edited, trusted_for

FEEDS = Path(__file__).parents[1] / "fixtures" / "feeds" / "match"
HOST = HOSTS_DIR / "debian-weak-public-bind-apache2-deb10u6"


@pytest.fixture(scope="module")
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def rejudged(report: Report) -> Report:
    """``report`` with its findings and every view judged again from its (edited) evidence, as a forger with
    the tool would make it."""
    from checks.catalogue import evaluate
    from questionnaires.loader import load_questionnaire
    from report.assemble import complete
    from report.model import build_report

    core = build_report(
        profile=report.profile,
        target_name=report.target.name,
        run=report.run,
        evidence=report.evidence,
        findings=evaluate(list(report.evidence), report.profile, None),
        scope=report.provenance.scope,
    )
    return complete(core, load_questionnaire(None), {}, {})


def _report(feeds: Path) -> Report:
    return assess(Settings(replay=HOST, sign=False, feeds_dir=feeds))


@pytest.fixture(scope="module")
def matched() -> Report:
    report = _report(FEEDS)
    vulns = next(e for e in report.evidence if e.collector == "host.vulns")
    assert vulns.facts["matches"], "the fixture host must have open matches"
    return report


def test_the_same_feeds_rederive_the_matches(matched: Report, key: Ed25519PrivateKey) -> None:
    v = verify_bytes(sign_report(matched, key), trusted_for(key), feeds_dir=FEEDS)
    assert v.outcome is Outcome.VALID, v.problems
    assert v.vulnerabilities_rederived and "re-derived" in v.vulnerabilities
    assert v.vulnerabilities_zh.startswith("已用相同漏洞库从内嵌软件包清单重新推导漏洞匹配（")
    assert v.to_json()["vulnerabilities"]["rederived"] is True
    assert v.to_json()["vulnerabilities"]["statement_zh"] == v.vulnerabilities_zh


def test_without_feeds_the_result_says_the_matches_were_not_rederived(matched: Report, key: Ed25519PrivateKey) -> None:
    v = verify_bytes(sign_report(matched, key), trusted_for(key))
    assert v.outcome is Outcome.VALID
    assert not v.vulnerabilities_rederived and "no feeds were given" in v.vulnerabilities
    assert v.vulnerabilities_zh == "漏洞判定未重新推导：没有给出漏洞库（verify --feeds DIR）"


def test_other_feeds_say_which_feed_differs(matched: Report, key: Ed25519PrivateKey, tmp_path: Path) -> None:
    other = tmp_path / "feeds"
    shutil.copytree(FEEDS, other)
    (other / "kev.json").write_text(json.dumps({"vulnerabilities": []}))
    v = verify_bytes(sign_report(matched, key), trusted_for(key), feeds_dir=other)
    assert v.outcome is Outcome.VALID
    assert not v.vulnerabilities_rederived and "feed kev" in v.vulnerabilities
    assert "的漏洞库 kev" in v.vulnerabilities_zh and "feed kev" not in v.vulnerabilities_zh


def test_matches_made_with_other_feeds_but_naming_these_are_invalid(key: Ed25519PrivateKey, tmp_path: Path) -> None:
    # The applicant matches against a tracker with one CVE removed (so one open vulnerability fewer, with its
    # findings consistent), then claims the genuine tracker's digest: the checks follow from the evidence, the
    # matches do not follow from the feed the report names.
    thinned = tmp_path / "thinned"
    shutil.copytree(FEEDS, thinned)
    tracker = json.loads((FEEDS / "debian.json").read_text())
    full = _report(FEEDS)
    dropped = next(e for e in full.evidence if e.collector == "host.vulns").facts["matches"][0]["cve"]
    for entries in tracker.values():
        entries.pop(dropped, None)
    (thinned / "debian.json").write_text(json.dumps(tracker))
    report = _report(thinned)
    genuine = sha256_hex((FEEDS / "debian.json").read_bytes())

    def claim_genuine_feed(data: Dict[str, Any]) -> None:
        for ev in data["evidence"]:
            if ev["collector"] == "host.vulns":
                for feed in ev["facts"]["feeds"]:
                    if feed["id"] == "debian":
                        feed["sha256"] = genuine

    forged = rejudged(edited(report, claim_genuine_feed))
    plain = verify_bytes(sign_report(forged, key), trusted_for(key))
    assert plain.outcome is Outcome.VALID, plain.problems  # nothing but the feeds gives it away
    v = verify_bytes(sign_report(forged, key), trusted_for(key), feeds_dir=FEEDS)
    assert v.outcome is Outcome.INVALID
    assert any("do not follow from the feeds" in p and dropped in p for p in v.problems), v.problems


def test_the_cli_prints_the_statement_in_both_languages(matched: Report, key: Ed25519PrivateKey, tmp_path: Path) -> None:
    from cryptography.hazmat.primitives import serialization

    env = tmp_path / "report.dsse.json"
    env.write_bytes(sign_report(matched, key))
    pub = tmp_path / "k.pub"
    pub.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    for lang, words in (("zh", "已用相同漏洞库"), ("en", "re-derived from the embedded package list")):
        res = subprocess.run(
            [sys.executable, "-m", "agent.cli", "verify", str(env), "--key", str(pub), "--feeds", str(FEEDS), "--lang", lang],
            capture_output=True,
            text=True,
            check=False,
        )
        assert res.returncode == 0, res.stdout + res.stderr
        assert words in res.stdout
