"""``questionnaire sign``, ``apply`` and ``apply verify`` end to end, as an applicant and an insurer run them.

Keys come from ``keys generate`` and the insurer's trust store from ``keys identity`` and ``trust add``;
the three host reports are recorded hosts under their own names and machine ids, signed with the
applicant's key. The rendering is read in headless Chromium, without network access, and printed to A4.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Optional

import pytest

from tests.browser import print_to_pdf, rendered_dom
from tests.report.test_application import USCC, answers_file, host_report, profile

RISKAGENT = [sys.executable, "-m", "agent.cli"]
PASS = "fixture passphrase"
ROOT = Path(__file__).resolve().parents[2]


def run(args: List[str], cwd: Optional[Path] = None, env: Optional[Dict[str, str]] = None) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "RISKAGENT_KEY_PASSPHRASE": PASS, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run(
        [*RISKAGENT, *args], capture_output=True, text=True, env=full, cwd=cwd, stdin=subprocess.DEVNULL, check=False
    )


def ok(res: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert res.returncode == 0, res.stdout + res.stderr
    return res


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An applicant with a key, an attester (张三, IT 经理) with hers, the insurer's trust store, three signed
    host reports, the profile declaring the three servers, a signed attestation and the built package."""
    from agent.keys import load_private_key
    from report.signing import Signer

    d = tmp_path_factory.mktemp("apply")
    for who in ("applicant", "attester", "stranger"):
        ok(run(["keys", "generate", "--key", str(d / f"{who}.key")]))
    ok_app = ok(
        run(
            [
                "keys",
                "identity",
                "--key",
                str(d / "applicant.pub"),
                "--name",
                "杭州云栈示例工业互联网科技有限公司",
                "--role",
                "applicant",
                "--org-id",
                USCC,
                "--target",
                "host:web-*",
                "--valid-from",
                "2026-01-01",
            ]
        )
    )
    (d / "applicant.entry.json").write_text(ok_app.stdout, encoding="utf-8")
    ok_att = ok(
        run(
            [
                "keys",
                "identity",
                "--key",
                str(d / "attester.pub"),
                "--name",
                "张三",
                "--role",
                "applicant",
                "--org-id",
                USCC,
                "--target",
                f"org:{USCC}",
                "--valid-from",
                "2026-01-01",
            ]
        )
    )
    (d / "attester.entry.json").write_text(ok_att.stdout, encoding="utf-8")
    for who in ("applicant", "attester"):
        ok(run(["trust", "add", str(d / f"{who}.entry.json"), "--store", str(d / "trust.json")]))
    signer = Signer(load_private_key(d / "applicant.key", PASS.encode()))
    for i in (1, 2, 3, 9):
        report = host_report("debian-hardened", f"web-0{i}", f"{i:032x}")
        folder = d / ("reports" if i != 9 else "extra") / report.target.name
        folder.mkdir(parents=True)
        (folder / "report.dsse.json").write_bytes(signer.sign(report))
    (d / "applicant.json").write_text(
        json.dumps(profile(["web-01", "web-02", "web-03"]), ensure_ascii=False, indent=2), encoding="utf-8"
    )
    answers = answers_file(("ID-01", "yes"), ("IR-01", "yes"))
    (d / "answers.json").write_text(json.dumps(answers, ensure_ascii=False, indent=2), encoding="utf-8")
    (d / "网络安全管理制度.pdf").write_bytes(b"%PDF-1.7 policies " + bytes(range(256)))
    (d / "应急预案.pdf").write_bytes(b"%PDF-1.7 response plan " + bytes(range(256)) * 2)
    ok(sign(d, "attester"))
    ok(apply(d, d / "pkg"))
    return d


def sign(d: Path, key: str, *extra: str) -> subprocess.CompletedProcess[str]:
    """``questionnaire sign`` as 张三 with ``key``; the declaration accepted unless ``extra`` options are given."""
    options = list(extra) or ["--accept-declaration"]
    return run(
        [
            "questionnaire",
            "sign",
            "--answers",
            str(d / "answers.json"),
            "--key",
            str(d / f"{key}.key"),
            "--name",
            "张三",
            "--role",
            "IT 经理",
            "--org-id",
            USCC,
            "--out",
            str(d / f"{key}.attestation.dsse.json"),
            *options,
        ]
    )


def apply(
    d: Path, out: Path, *, reports: str = "reports", attestation: str = "attester", lang: str = "zh"
) -> subprocess.CompletedProcess[str]:
    return run(
        [
            "apply",
            "--profile-file",
            str(d / "applicant.json"),
            "--reports",
            str(d / reports),
            "--answers",
            str(d / "answers.json"),
            "--attestation",
            str(d / f"{attestation}.attestation.dsse.json"),
            "--attach",
            str(d / "网络安全管理制度.pdf"),
            "--attach",
            str(d / "应急预案.pdf"),
            "--key",
            str(d / "applicant.key"),
            "--trust",
            str(d / "trust.json"),
            "--out",
            str(out),
            "--accept-declaration",
            "--lang",
            lang,
        ]
    )


def test_signing_needs_the_declaration_accepted(site: Path) -> None:
    res = sign(site, "attester", "--lang", "en")
    assert res.returncode == 2 and "the declaration above must be accepted before signing" in res.stderr
    assert "Declaration of truthfulness: I confirm" in res.stdout


def test_the_attestation_names_the_attester_and_the_declaration(site: Path) -> None:
    import base64

    env = json.loads((site / "attester.attestation.dsse.json").read_text())
    pred = json.loads(base64.b64decode(env["payload"]))["predicate"]
    assert (
        pred["attester"]["name"] == "张三"
        and pred["attester"]["title"] == "IT 经理"
        and pred["attester"]["organisation_id"] == USCC
    )
    assert pred["declaration"]["id"] == "riskagent:declaration:truthfulness:1" and pred["answers"]["name"] == "answers.json"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", pred["signed_at"])


def test_apply_writes_a_private_package_that_verifies(site: Path) -> None:
    pkg = site / "pkg"
    assert sorted(p.name for p in pkg.iterdir()) == ["application.dsse.json", "application.html", "attachments"]
    assert sorted(p.name for p in (pkg / "attachments").iterdir()) == ["应急预案.pdf", "网络安全管理制度.pdf"]
    for path in (pkg, pkg / "attachments", *pkg.iterdir(), *(pkg / "attachments").iterdir()):
        assert path.stat().st_mode & 0o077 == 0, path
    res = run(["apply", "verify", str(pkg), "--trust", str(site / "trust.json"), "--lang", "en"])
    assert res.returncode == 0, res.stdout
    assert res.stdout.startswith("VALID") and f"杭州云栈示例工业互联网科技有限公司 ({USCC})" in res.stdout
    assert (
        "[VALID] host:web-02 -> web-02" in res.stdout
        and "[ok] 张三 (IT 经理)" in res.stdout
        and "[ok] 应急预案.pdf" in res.stdout
    )
    as_json = json.loads(
        ok(run(["apply", "verify", str(pkg / "application.dsse.json"), "--trust", str(site / "trust.json"), "--json"])).stdout
    )
    assert as_json["result"] == "valid" and as_json["signer"]["name"] == "杭州云栈示例工业互联网科技有限公司"
    assert [a["attester"]["name"] for a in as_json["attestations"]] == ["张三"]


def test_id_02_is_yes_for_the_organisation_citing_the_three_reports(site: Path) -> None:
    import base64

    env = json.loads((site / "pkg" / "application.dsse.json").read_text())
    pred = json.loads(base64.b64decode(env["payload"]))["predicate"]
    answers = {a["question"]: a for a in pred["questionnaire"]["answers"]}
    id02 = answers["ID-02"]
    assert (id02["basis"], id02["value"]) == ("derived", "yes")
    assert [a["report"] for a in id02["coverage"]["assets"]] == [r["report_sha256"] for r in pred["reports"]]
    assert (answers["ID-01"]["basis"], answers["ID-01"]["value"]) == ("attested", "yes")


def test_one_changed_attachment_byte_is_reported_by_file_name(site: Path, tmp_path: Path) -> None:
    pkg = shutil.copytree(site / "pkg", tmp_path / "pkg")
    target = pkg / "attachments" / "应急预案.pdf"
    data = bytearray(target.read_bytes())
    data[-1] ^= 0xFF
    target.write_bytes(bytes(data))
    res = run(["apply", "verify", str(pkg), "--trust", str(site / "trust.json"), "--lang", "en"])
    assert res.returncode == 1 and res.stdout.startswith("INVALID")
    assert "attachment 应急预案.pdf: changed after signing" in res.stdout and "[FAIL] 应急预案.pdf" in res.stdout
    assert "[ok] 网络安全管理制度.pdf" in res.stdout
    # `verify` takes a package too (the directory or its envelope), with the same result and exit status.
    for given in (pkg, pkg / "application.dsse.json"):
        plain = run(["verify", str(given), "--trust", str(site / "trust.json"), "--lang", "en"])
        assert plain.returncode == 1 and "attachment 应急预案.pdf: changed after signing" in plain.stdout
    clean = run(["verify", str(site / "pkg"), "--trust", str(site / "trust.json"), "--lang", "en"])
    assert clean.returncode == 0 and clean.stdout.startswith("VALID"), clean.stdout


def test_a_report_of_an_undeclared_asset_is_refused(site: Path, tmp_path: Path) -> None:
    reports = shutil.copytree(site / "reports", site / "reports-plus")
    shutil.copytree(site / "extra" / "web-09", reports / "web-09")
    res = apply(site, tmp_path / "out", reports="reports-plus", lang="en")
    assert res.returncode == 1
    assert "is about host web-09 (machine:00000000000000000000000000000009), which is not a declared server" in res.stderr
    assert not (tmp_path / "out").exists()


def test_an_attestation_by_a_key_outside_the_trust_store_is_refused(site: Path, tmp_path: Path) -> None:
    ok(sign(site, "stranger"))
    res = apply(site, tmp_path / "out", attestation="stranger")
    assert res.returncode == 1 and "which is not in the trust store" in res.stderr
    assert not (tmp_path / "out").exists()


def test_verify_refuses_a_package_signed_by_a_key_the_insurer_does_not_hold(site: Path) -> None:
    res = run(["apply", "verify", str(site / "pkg"), "--signer-key", str(site / "stranger.pub")])
    assert res.returncode == 1 and "投保申请：签名密钥 " in res.stdout and "不在信任库中" in res.stdout  # Chinese by default
    en = run(["apply", "verify", str(site / "pkg"), "--signer-key", str(site / "stranger.pub"), "--lang", "en"])
    assert en.returncode == 1 and "which is not in the trust store" in en.stdout


def test_the_rendering_is_self_contained_and_in_the_notice_order(site: Path) -> None:
    page = site / "pkg" / "application.html"
    source = page.read_text(encoding="utf-8")
    assert not re.search(r"<(script|link|img|iframe)\b|url\(|@import", source), "the page loads nothing from outside"
    dom = rendered_dom(page)
    order = re.findall(r'<section id="([a-z]+)"', dom)
    assert order == ["applicant", "coverage", "questionnaire", "reports", "attachments", "declarations"]
    headings = re.findall(r"<h2>([^<]+)</h2>", dom)
    assert headings == ["一、投保人信息", "二、保障需求", "三、风险评估问卷", "四、安全评估报告", "五、证明材料", "六、声明"]
    id02 = re.search(r"<tr><td class=\"num\">ID-02</td>.*?</tr>", dom, re.S)
    assert id02 is not None and "<td>是</td>" in id02.group(0)
    assert all(f"web-0{i}：是（host:web-0{i}" in id02.group(0) for i in (1, 2, 3))
    assert "3 项申报资产均已评估" in id02.group(0)
    assert "真实性承诺：本人确认" in dom and "责任声明：本单位" in dom and "应急预案.pdf" in dom


def test_the_english_rendering_and_its_print_on_a4(site: Path, tmp_path: Path) -> None:
    from pypdf import PdfReader

    pkg = shutil.copytree(site / "pkg", tmp_path / "pkg")
    res = ok(run(["apply", "verify", str(pkg), "--trust", str(site / "trust.json"), "--render", "--lang", "en"]))
    assert f"wrote {pkg / 'application.html'}" in res.stdout
    assert ok(run(["apply", "verify", str(pkg), "--trust", str(site / "trust.json")])).returncode == 0  # either language verifies
    dom = rendered_dom(pkg / "application.html")
    assert re.findall(r"<h2>([^<]+)</h2>", dom) == [
        "1. Applicant",
        "2. Coverage requested",
        "3. Risk questionnaire",
        "4. Security assessment reports",
        "5. Supporting documents",
        "6. Declarations",
    ]
    reader = PdfReader(str(print_to_pdf(pkg / "application.html", tmp_path / "application.pdf")))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842), "not A4"
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Declaration of responsibility" in text and f"{len(reader.pages)} / {len(reader.pages)}" in text
