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
from typing import Any, Dict, List

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from agent.claim import make_claim
from report.claim import CLAIM_FORMAT, parse_utc
from report.claim_render import claim_markdown
from report.i18n import SEVERITY
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
    reason = claim.excluded[0].reason  # why, in both languages
    assert "INVALID: " in reason.en and "：无效：" in reason.zh and "INVALID" not in reason.zh
    zh, en = claim_markdown(claim, "zh"), claim_markdown(claim, "en")
    assert reason.zh.split("：无效：", 1)[1] in zh and reason.en.split("INVALID: ", 1)[1] in en
    assert claim.basis is not None and claim.basis.report.report_id.endswith("0001")


def test_no_report_before_the_incident_is_said(history: Dict[str, Path], key: Ed25519PrivateKey) -> None:
    claim = _claim(history, key, ["r3"])
    assert claim.basis is None and not claim.warranties and not claim.tasks
    assert any("no verified assessment" in n.en for n in claim.notes)


def test_the_markdown_in_both_languages(history: Dict[str, Path], key: Ed25519PrivateKey) -> None:
    claim = _claim(history, key, ["r1", "r2", "r3"])
    zh, en = claim_markdown(claim, "zh"), claim_markdown(claim, "en")
    assert "理赔事实报告" in zh and "核保否决项在事故时的状态" in zh and "2026-11-01 03:00" in zh  # Beijing time
    assert "Claim report" in en and "the liability decision and the loss adjustment are the adjuster's" in en and "2026-10-31 19:00" in en
    assert claim.tasks
    for task in claim.tasks:  # the severity in the reader's language
        zh_row = next(line for line in zh.splitlines() if line.startswith(f"| {task.id} |"))
        en_row = next(line for line in en.splitlines() if line.startswith(f"| {task.id} |"))
        assert f"| {SEVERITY[task.severity]['zh']} |" in zh_row and f"| {task.severity} |" in en_row


def test_the_cli_writes_a_signed_claim(history: Dict[str, Path], key: Ed25519PrivateKey, tmp_path: Path) -> None:
    from agent.keys import generate_key

    generate_key(tmp_path / "adjuster.key", b"fixture passphrase")
    pub = tmp_path / "applicant.pub"
    pub.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    env = {**os.environ, "RISKAGENT_KEY_PASSPHRASE": "fixture passphrase"}
    base = [sys.executable, "-m", "agent.cli", "claim", str(history["r1"]), str(history["r2"]), str(history["r3"]), "--signer-key", str(pub)]
    res = subprocess.run([*base, "--incident", INCIDENT, "--key", str(tmp_path / "adjuster.key"), "--out", str(tmp_path / "claim")], env=env, capture_output=True, text=True, check=False)
    assert res.returncode == 0, res.stderr
    assert "其中逾期：" in res.stdout  # the summary in the default language
    data = json.loads((tmp_path / "claim" / "claim.json").read_text())
    assert data["basis"]["report"]["report_id"].endswith("0002")
    envelope = json.loads((tmp_path / "claim" / "claim.dsse.json").read_text())
    import base64

    statement = json.loads(base64.b64decode(envelope["payload"]))
    assert statement["predicateType"] == "urn:riskagent:predicate:claim:v1" and statement["predicate"] == data
    assert "理赔事实报告" in (tmp_path / "claim" / "claim.md").read_text()
    naive = subprocess.run([*base, "--incident", "2026-11-01T03:00:00", "--key", str(tmp_path / "adjuster.key"), "--out", str(tmp_path / "c2")], env=env, capture_output=True, text=True, check=False)
    assert naive.returncode == 2 and "no time zone" in naive.stderr and not (tmp_path / "c2").exists()


# -- the claim's own texts in both languages ------------------------------------------------------------------


def test_notes_gaps_and_the_timeline_are_in_the_claims_language(history: Dict[str, Path], key: Ed25519PrivateKey) -> None:
    """A zh claim shows the zh sentence of each note, gap and timeline entry and not the English one; an en claim the
    English one. The recorded history gives an interval gap (1 to 10 October), the time since the last report, a
    missing report (r2 withheld) and, before the first report, no basis."""
    claim = _claim(history, key, ["r1", "r2", "r3"])
    zh, en = claim_markdown(claim, "zh"), claim_markdown(claim, "en")
    assert "- 连续 9.0 天没有经验证的评估报告（2026-10-01 08:00:00（北京时间） → " in zh and "no verified report for" not in zh
    assert "- no verified report for 9.0 days (2026-10-01 00:00:00 UTC → " in en and "没有经验证的评估报告" not in en
    assert "最后一份经验证的评估报告早于事故 21.8 天" in zh and "days older than the incident" not in zh
    assert "the last verified report is 21.8 days older than the incident" in en
    assert " · 事故 · 事故发生" in zh and " · incident · incident" in en and "· incident" not in zh
    r2 = "00000000-0000-4000-8000-000000000002"
    assert f" · 评估报告 · 评估报告 {r2}（未通过检查 " in zh and f"report {r2} (" not in zh
    assert f" · report · report {r2} (" in en and "failed checks, score" in en

    missing = _claim(history, key, ["r1", "r3"])
    (gap,) = [g for g in missing.gaps if g.kind == "gap"]
    assert gap.detail.zh.startswith("报告缺失（") and "。验证工具原文：shop-web: gap between" in gap.detail.zh
    assert gap.detail.en.startswith("missing report (or the previous report was edited after its successor named it): shop-web: gap between")
    assert "报告缺失" in claim_markdown(missing, "zh") and "报告缺失" not in claim_markdown(missing, "en")

    early = _claim(history, key, ["r3"])
    zh, en = claim_markdown(early, "zh"), claim_markdown(early, "en")
    assert "## 说明" in zh and "- 事故前没有该对象经验证的评估报告" in zh and "no verified assessment" not in zh
    assert "- no verified assessment of this target was made before the incident" in en and "事故前没有该对象" not in en
    # r3 names r2, which is not given: the history check's note, in both languages too
    assert "- shop-web：评估历史从 " in zh and "chain starts at" not in zh and "- shop-web: chain starts at " in en


def test_the_claim_json_keeps_both_languages(history: Dict[str, Path], key: Ed25519PrivateKey) -> None:
    data = _claim(history, key, ["r3"]).as_json()
    assert data["format"] == CLAIM_FORMAT == 3
    assert data["notes"][-1] == {"zh": "事故前没有该对象经验证的评估报告", "en": "no verified assessment of this target was made before the incident"}
    assert all(set(n) == {"zh", "en"} for n in data["notes"]) and all(set(g["detail"]) == {"zh", "en"} for g in data["gaps"])
    assert all(set(e["text"]) == {"zh", "en"} for e in data["timeline"])


# -- riskagent claim verify ---------------------------------------------------------------------------------------


def _cli(args: List[str]) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RISKAGENT_KEY_PASSPHRASE": "fixture passphrase"}
    return subprocess.run([sys.executable, "-m", "agent.cli", *args], env=env, capture_output=True, text=True, check=False)


@pytest.fixture(scope="module")
def made(history: Dict[str, Path], key: Ed25519PrivateKey, tmp_path_factory: pytest.TempPathFactory) -> Dict[str, Path]:
    """A claim made by the command (r3 alone: no basis, so it carries a note), the adjuster's public key, and the
    public key of the test key."""
    from agent.keys import generate_key

    d = tmp_path_factory.mktemp("made")
    generate_key(d / "adjuster.key", b"fixture passphrase")
    (d / "applicant.pub").write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    res = _cli(["claim", str(history["r3"]), "--signer-key", str(d / "applicant.pub"), "--incident", INCIDENT, "--key", str(d / "adjuster.key"), "--out", str(d / "claim"), "--lang", "en"])
    assert res.returncode == 0, res.stderr
    assert "  note: no verified assessment of this target was made before the incident" in res.stdout
    return {"claim": d / "claim", "adjuster": d / "adjuster.pub", "test_key": d / "applicant.pub"}


def test_claim_verify_prints_the_claim_in_the_language_and_json_keeps_both(made: Dict[str, Path]) -> None:
    zh = _cli(["claim", "verify", str(made["claim"]), "--key", str(made["adjuster"]), "--lang", "zh"])
    assert zh.returncode == 0, zh.stdout + zh.stderr
    assert zh.stdout.startswith("有效") and "  说明：事故前没有该对象经验证的评估报告" in zh.stdout and "no verified assessment" not in zh.stdout
    en = _cli(["claim", "verify", str(made["claim"] / "claim.dsse.json"), "--key", str(made["adjuster"]), "--lang", "en"])
    assert en.returncode == 0 and en.stdout.startswith("VALID") and "  note: no verified assessment of this target" in en.stdout
    as_json = _cli(["claim", "verify", str(made["claim"]), "--key", str(made["adjuster"]), "--json"])
    got = json.loads(as_json.stdout)
    assert as_json.returncode == 0 and got["result"] == "valid" and got["format"] == CLAIM_FORMAT
    assert {"zh": "事故前没有该对象经验证的评估报告", "en": "no verified assessment of this target was made before the incident"} in got["claim"]["notes"]
    stranger = _cli(["claim", "verify", str(made["claim"]), "--key", str(made["test_key"]), "--lang", "en"])
    assert stranger.returncode == 1 and "which is not in the trust store" in stranger.stdout


def test_an_edited_claim_json_is_named(made: Dict[str, Path], tmp_path: Path) -> None:
    import shutil

    from report.claim_verify import verify_claim
    from report.trust import bare_key

    copy = tmp_path / "claim"
    shutil.copytree(made["claim"], copy)
    data = json.loads((copy / "claim.json").read_text())
    data["notes"] = []
    (copy / "claim.json").write_text(json.dumps(data))
    trusted = {k.keyid: k for k in [bare_key(made["adjuster"])]}
    v = verify_claim(copy, trusted)
    assert v.exit_code == 1 and v.problems[0].text.startswith("claim.json differs from the signed claim"), v.problems
    assert verify_claim(made["claim"], trusted).exit_code == 0


def _old_shape(data: Dict[str, Any], fmt: int) -> Dict[str, Any]:
    """The claim as format 1 wrote it: notes, gap details, timeline texts (and excluded files' reasons) were English strings."""
    return {
        **data,
        "format": fmt,
        "notes": [n["en"] for n in data["notes"]],
        "excluded": [{**x, "reason": x["reason"]["en"]} for x in data["excluded"]],
        "gaps": [{**g, "detail": g["detail"]["en"]} for g in data["gaps"]],
        "timeline": [{**e, "text": e["text"]["en"]} for e in data["timeline"]],
    }


def _signed_claim(predicate: Dict[str, Any], key: Ed25519PrivateKey, out: Path) -> Path:
    """A claim directory signed with ``key``, with the subjects ``report.claim.claim_payload`` gives."""
    from collectors.digest import sha256_hex
    from report.application import statement
    from report.canonical import canonical_bytes
    from report.claim import CLAIM_PREDICATE
    from report.signing import Signer

    subjects = [(f"claim:{predicate['target']}", sha256_hex(canonical_bytes(predicate)))]
    if predicate["basis"] is not None:
        subjects.append((f"report:{predicate['basis']['report']['report_id']}", predicate["basis"]["report"]["digest"]))
    out.mkdir()
    (out / "claim.dsse.json").write_bytes(Signer(key).cosign(statement(CLAIM_PREDICATE, predicate, subjects), []))
    (out / "claim.json").write_text(json.dumps(predicate, ensure_ascii=False))
    return out


def test_a_claim_of_format_1_is_refused_as_made_by_an_older_riskagent(made: Dict[str, Path], key: Ed25519PrivateKey, tmp_path: Path) -> None:
    data = json.loads((made["claim"] / "claim.json").read_text())
    old = _signed_claim(_old_shape(data, 1), key, tmp_path / "old")
    en = _cli(["claim", "verify", str(old), "--key", str(made["test_key"]), "--lang", "en"])
    assert en.returncode == 5, en.stdout + en.stderr
    assert en.stdout.startswith("UNSUPPORTED") and "this claim was made by an older riskagent (format 1)" in en.stdout
    assert "re-run riskagent claim to make it again" in en.stdout and "Traceback" not in en.stderr
    zh = _cli(["claim", "verify", str(old), "--key", str(made["test_key"]), "--lang", "zh"])
    assert zh.returncode == 5 and "由较早版本的 riskagent 生成（格式 1）" in zh.stdout and "重新运行 riskagent claim" in zh.stdout
    got = json.loads(_cli(["claim", "verify", str(old), "--key", str(made["test_key"]), "--json"]).stdout)
    assert got["result"] == "unsupported" and got["format"] == 1 and "older riskagent (format 1)" in got["reason"]
    # The same old shape calling itself the current format is malformed: the format, read first, is what gives the message.
    relabelled = _signed_claim(_old_shape(data, CLAIM_FORMAT), key, tmp_path / "relabelled")
    bad = _cli(["claim", "verify", str(relabelled), "--key", str(made["test_key"]), "--lang", "en"])
    assert bad.returncode == 1 and "malformed claim: $.predicate." in bad.stdout and "expected an object (Text), got string" in bad.stdout, bad.stdout


def test_a_report_of_another_catalogue_is_noted_in_both_languages(history: Dict[str, Path], key: Ed25519PrivateKey, tmp_path: Path) -> None:
    """r2 re-signed as a report of a catalogue this build does not know: its signature holds, its findings are not
    used (r1 is the basis), and the claim says so in zh and en, the verifier's reason kept verbatim."""
    import base64

    from collectors.digest import sha256_hex
    from report.canonical import canonical_bytes
    from report.signing import sign_payload

    statement = json.loads(base64.b64decode(json.loads(history["r2"].read_text())["payload"]))
    statement["predicate"]["provenance"]["catalogue"]["digest"] = "0" * 64
    statement["predicate"]["provenance"]["catalogue"]["version"] = "0.9.0"
    statement["subject"][0]["digest"]["sha256"] = sha256_hex(canonical_bytes(json.loads(canonical_bytes(statement["predicate"]))))
    other = tmp_path / "r2-other-catalogue.dsse.json"
    other.write_bytes(sign_payload(canonical_bytes(statement), key))
    claim = make_claim([history["r1"], other], trusted_for(key), parse_utc(INCIDENT), now=dt.datetime(2026, 12, 1, tzinfo=dt.timezone.utc))
    assert claim.basis is not None and claim.basis.report.report_id.endswith("0001")
    zh, en = claim_markdown(claim, "zh"), claim_markdown(claim, "en")
    assert "事故前最新的一份评估报告由其他检查规则版本生成：其签名有效，但其检查结果未被采用" in zh and "another rule catalogue" not in zh
    assert "its signature holds, its findings are not used" in en
    (rechecked,) = [n for n in claim.notes if str(other) in n.en]
    assert rechecked.en.startswith(f"{other}: signature verified, findings not rechecked: ")
    assert rechecked.zh.startswith(f"{other}：签名已验证，但本版本无法复核其检查结果（验证工具原文：") and "findings not rechecked" not in rechecked.zh
