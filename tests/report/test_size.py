"""A server scan writes a report.json of at most 150 KB, and verifying it still recomputes all of it.

The report writes what the run found and decided, once: no check metadata per finding (it comes from the
catalogue the report names), no built-in questionnaire definition (referenced by sha256), cited evidence
as references into the evidence section, no plan tasks (rebuilt from the findings and the plan settings),
no static labels. Reading the report fills those in; the recheck rebuilds the whole report from its
evidence and compares it, and the canonical bytes must be the signed ones.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from checks.catalogue import all_checks
from collectors.digest import sha256_hex
from questionnaires.model import builtin_definition
from report.canonical import canonical_bytes, strict_loads
from report.model import Report
from report.rederive import recheck
from report.signing import PREDICATE_TYPE, STATEMENT_TYPE, sign_payload, sign_report
from report.verification import Outcome, Verification, verify_bytes
from tests.hosts import FIXTURE_HOSTS, assess_host, trusted_for

LIMIT = 150 * 1024
REPO = Path(__file__).resolve().parents[2]
KEY = Ed25519PrivateKey.generate()


def written_report_json(report: Report, out: Path) -> bytes:
    """report.json as a scan writes it."""
    from agent.pipeline import write
    from agent.settings import Format, Lang

    write(report, None, out, [Format.JSON], Lang.EN)
    return (out / "report.json").read_bytes()


def assert_compact_and_complete(data: bytes) -> Report:
    """The file is the canonical compact form, names no catalogue text, and is rebuilt exactly from its evidence."""
    assert len(data) <= LIMIT, f"report.json is {len(data)} bytes, more than {LIMIT}: {sizes(data)}"
    assert data.endswith(b"\n") and data.count(b"\n") == 1
    raw = strict_loads(data)
    assert canonical_bytes(raw) + b"\n" == data  # sorted keys, no whitespace: nothing else to strip
    report = Report.from_json(raw)
    assert report.canonical + b"\n" == data
    assert recheck(report) == []
    text = data.decode("utf-8")
    for f in report.findings:  # what the catalogue says is read from the catalogue, not from the report
        assert f.title.en and f.title.en not in text and f.remediation.zh not in text, f.check_id
    assert report.questionnaire is not None and report.questionnaire.builtin
    assert json.dumps(builtin_definition()["title"]["zh"], ensure_ascii=False) not in text
    assert report.plan is not None and '"tasks"' not in text
    return report


def sizes(data: bytes) -> Dict[str, int]:
    """Bytes of each top-level key's canonical value, largest first."""
    raw: Dict[str, Any] = json.loads(data)
    by_key = {k: len(canonical_bytes(v)) for k, v in raw.items()}
    return dict(sorted(by_key.items(), key=lambda kv: -kv[1]))


@pytest.mark.parametrize("host", FIXTURE_HOSTS)
def test_a_replayed_server_scan_writes_at_most_150_kb_and_rechecks(host: str, tmp_path: Path) -> None:
    report = assess_host(host)
    assert report.profile.value == "server" and report.plan is not None and report.questionnaire is not None
    again = assert_compact_and_complete(written_report_json(report, tmp_path))
    assert again == report


@pytest.mark.live
def test_a_live_server_scan_writes_at_most_150_kb_and_rechecks(tmp_path: Path) -> None:
    out = tmp_path / "out"
    res = subprocess.run(
        [sys.executable, "-m", "agent.cli", "scan", "--no-sign", "--profile", "server", "--format", "json", "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=REPO,
        stdin=subprocess.DEVNULL,
        timeout=600,
    )
    assert res.returncode in (0, 3), res.stderr[-2000:]
    report = assert_compact_and_complete((out / "report.json").read_bytes())
    assert report.run.mode == "live"


# ------------------------------------------------------------------------------------------ verifying the compact form


@pytest.fixture(scope="module")
def weak() -> Report:
    return assess_host("debian-weak")


def _verify_edited(report: Report, edit: Any) -> Verification:
    """``report`` edited at the JSON level by the party it describes and signed with its key."""
    data = json.loads(report.canonical)
    edit(data)
    statement = {
        "_type": STATEMENT_TYPE,
        "subject": [{"name": f"{data['target']['kind']}:{data['target']['name']}", "digest": {"sha256": sha256_hex(canonical_bytes(data))}}],
        "predicateType": PREDICATE_TYPE,
        "predicate": data,
    }
    return verify_bytes(sign_payload(canonical_bytes(statement), KEY), trusted_for(KEY))


def test_the_compact_report_verifies(weak: Report) -> None:
    v = verify_bytes(sign_report(weak, KEY), trusted_for(KEY))
    assert v.outcome is Outcome.VALID and v.report == weak, v.problems


@pytest.mark.parametrize("field, value", [("severity", "info"), ("title", {"zh": "无问题", "en": "No problem"})])
def test_a_forged_title_or_severity_cannot_be_carried(weak: Report, field: str, value: Any) -> None:
    index = next(i for i, f in enumerate(weak.findings) if f.severity.value == "critical")
    v = _verify_edited(weak, lambda d: d["findings"][index].update({field: value}))
    assert v.outcome is Outcome.INVALID and v.report is None
    assert f"$.findings[{index}].{field}: is not written in a Finding" in v.reason, v.reason
    assert all_checks()[weak.findings[index].check_id].meta.severity.value == "critical"


def test_a_forged_answer_still_fails_the_recompute(weak: Report) -> None:
    assert weak.questionnaire is not None
    index = next(i for i, a in enumerate(weak.questionnaire.answers) if a.basis.value == "derived" and a.value == "no")
    v = _verify_edited(weak, lambda d: d["questionnaire"]["answers"][index].update(value="yes"))
    assert v.outcome is Outcome.INVALID
    assert f"questionnaire: $.questionnaire.answers[{index}].value" in v.reason, v.reason


def test_a_forged_citation_still_fails_the_recompute(weak: Report) -> None:
    assert weak.questionnaire is not None
    index = next(i for i, a in enumerate(weak.questionnaire.answers) if a.cited_evidence)
    v = _verify_edited(weak, lambda d: d["questionnaire"]["answers"][index]["cited_evidence"][0].update(collector="host.os"))
    assert v.outcome is Outcome.INVALID
    assert f"$.questionnaire.answers[{index}].cited_evidence" in v.reason, v.reason
