"""The assessor's questionnaire session, answers files, exports, and the signed report."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import List

import pytest

from tests.hosts import HOSTS_DIR
from tests.questionnaires.test_engine import make, q

RISKAGENT = [sys.executable, "-m", "agent.cli"]
WEAK = str(HOSTS_DIR / "debian-weak")


def run(args: List[str], stdin: str = "", **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*RISKAGENT, *args],
        input=stdin,
        capture_output=True,
        text=True,
        env={**os.environ, "RISKAGENT_KEY_PASSPHRASE": "fixture passphrase", **env},
    )


@pytest.fixture()
def qfile(tmp_path: Path) -> Path:
    path = tmp_path / "insurer.json"
    path.write_text(
        make(
            [
                q("MFA", "yes_no", {"checks": ["LNX-SSH-019"]}),
                q("PLAN", "yes_no", {"attest": True}),
                q("STAFF", "number", {"attest": True}),
                q(
                    "LEVEL",
                    "enum",
                    {"attest": True},
                    options=[
                        {"value": "2", "label": {"zh": "二级", "en": "Level 2"}},
                        {"value": "3", "label": {"zh": "三级", "en": "Level 3"}},
                    ],
                ),
                q("DRILL", "date", {"attest": True}),
                q("VENDORS", "list", {"attest": True}),
            ]
        ),
        encoding="utf-8",
    )
    return path


def answer(qfile: Path, tmp_path: Path, stdin: str, *extra: str) -> subprocess.CompletedProcess:
    return run(
        [
            "questionnaire",
            "answer",
            "--questionnaire",
            str(qfile),
            "--replay",
            WEAK,
            "--answers",
            str(tmp_path / "answers.json"),
            "--out",
            str(tmp_path / "out"),
            "--lang",
            "en",
            *extra,
        ],
        stdin,
    )


def saved(tmp_path: Path) -> dict:
    return {a["question"]: a for a in json.loads((tmp_path / "answers.json").read_text())["answers"]}


def test_interactive_session_records_attestations(qfile: Path, tmp_path: Path) -> None:
    res = answer(
        qfile, tmp_path, "y\nabc\n42\n2\n2026-10-01\nAcme IT, Beta Cloud\n", "--interactive", "--by", "Zhang San, IT manager"
    )
    assert res.returncode == 0, res.stderr
    got = saved(tmp_path)
    assert {k: v["value"] for k, v in got.items()} == {
        "PLAN": "yes",
        "STAFF": 42,
        "LEVEL": "3",
        "DRILL": "2026-10-01",
        "VENDORS": ["Acme IT", "Beta Cloud"],
    }
    assert got["PLAN"]["by"] == "Zhang San, IT manager"
    assert "please enter: a whole number" in res.stdout  # "abc" was refused and asked again
    assert "MFA" not in got  # derived from evidence, never asked
    exported = json.loads((tmp_path / "out" / "questionnaire.json").read_text())
    assert exported["summary"]["attested"] == 5


def test_interrupted_session_keeps_every_answer_and_resumes(qfile: Path, tmp_path: Path) -> None:
    first = answer(qfile, tmp_path, "n\n7\n", "--interactive", "--by", "Li Si")  # input ends half way
    assert first.returncode == 0, first.stderr
    assert {k: v["value"] for k, v in saved(tmp_path).items()} == {"PLAN": "no", "STAFF": 7}
    second = answer(qfile, tmp_path, "3\n\n\n", "--interactive", "--by", "Li Si")
    assert "[1/3] LEVEL" in second.stdout  # resumes at the first unanswered question
    assert {k: v["value"] for k, v in saved(tmp_path).items()} == {"PLAN": "no", "STAFF": 7, "LEVEL": "3"}


def test_attested_mfa_contradicted_by_sshd_is_a_conflict(qfile: Path, tmp_path: Path) -> None:
    (tmp_path / "answers.json").write_text(
        json.dumps({"format": "riskagent-answers/1", "answers": [{"question": "MFA", "value": "yes", "by": "Wang Wu"}]})
    )
    res = answer(qfile, tmp_path, "")
    assert res.returncode == 0, res.stderr
    assert "CONFLICT MFA" in res.stdout and "conflicts 1" in res.stdout


def test_exports_csv_and_html(qfile: Path, tmp_path: Path) -> None:
    assert answer(qfile, tmp_path, "", "--lang", "zh").returncode == 0
    text = (tmp_path / "out" / "questionnaire.csv").read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["id"] for r in rows] == ["MFA", "PLAN", "STAFF", "LEVEL", "DRILL", "VENDORS"]
    assert rows[0]["answer"] == "否" and rows[0]["basis"] == "证据推导" and "LNX-SSH-019=fail" in rows[0]["evidence"]
    html = (tmp_path / "out" / "questionnaire.html").read_text(encoding="utf-8")
    assert "问卷" in html and "证据推导" in html


def test_bad_answers_file_names_line_and_field(qfile: Path, tmp_path: Path) -> None:
    (tmp_path / "answers.json").write_text(
        '{"format": "riskagent-answers/1",\n "answers": [\n  {"question": "STAFF",\n   "value": "lots", "by": "x"}]}\n'
    )
    res = answer(qfile, tmp_path, "")
    assert res.returncode == 2
    assert "answers.json: line 4: answers[0].value: STAFF: expected a whole number" in res.stderr


def test_bad_questionnaire_file_exits_2_with_location(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(make([q("A", "yes_no", {"checks": ["LNX-NOPE-001"]})]))
    res = run(["scan", "--replay", WEAK, "--no-sign", "--out", str(tmp_path / "o"), "--questionnaire", str(bad)])
    assert res.returncode == 2 and "bad.json: line" in res.stderr and "unknown check id" in res.stderr


def test_signed_report_carries_the_questionnaire_and_verify_covers_it(qfile: Path, tmp_path: Path) -> None:
    from agent.keys import generate_key, load_private_key
    from report.model import Report
    from report.signing import sign_report

    info = generate_key(tmp_path / "k.key", b"fixture passphrase")
    (tmp_path / "answers.json").write_text(
        json.dumps({"format": "riskagent-answers/1", "answers": [{"question": "PLAN", "value": "yes", "by": "Li Si"}]})
    )
    res = run(
        [
            "scan",
            "--replay",
            WEAK,
            "--key",
            str(info.private_path),
            "--out",
            str(tmp_path / "o"),
            "--questionnaire",
            str(qfile),
            "--answers",
            str(tmp_path / "answers.json"),
        ]
    )
    assert res.returncode == 0, res.stderr
    report = json.loads((tmp_path / "o" / "report.json").read_text())
    answers = {a["question"]: a for a in report["questionnaire"]["answers"]}
    assert answers["MFA"]["basis"] == "derived" and answers["PLAN"]["basis"] == "attested"
    envelope = str(tmp_path / "o" / "report.dsse.json")
    # Not the built-in questionnaire: the default policy refuses it, the insurer's own copy accepts it.
    res = run(["verify", envelope, "--key", str(info.public_path), "--lang", "en"])
    assert res.returncode == 4 and "is not the built-in questionnaire" in res.stdout
    res = run(["verify", envelope, "--key", str(info.public_path), "--questionnaire", str(qfile)])
    assert res.returncode == 0, res.stdout
    # A re-signed report whose derived answer was edited no longer follows from its evidence.
    answers["MFA"]["value"] = "yes"
    forged = tmp_path / "forged.dsse.json"
    forged.write_bytes(sign_report(Report.from_json(report), load_private_key(info.private_path, b"fixture passphrase")))
    res = run(["verify", str(forged), "--key", str(info.public_path), "--questionnaire", str(qfile)])
    assert res.returncode == 1 and "does not follow from its evidence: questionnaire: $.questionnaire.answers" in res.stdout


def test_interactive_hints_are_in_the_session_language(qfile: Path, tmp_path: Path) -> None:
    res = answer(qfile, tmp_path, "y\nabc\n42\n", "--interactive", "--by", "张三", "--lang", "zh")
    assert res.returncode == 0, res.stderr
    assert "请输入：整数（只用数字 0-9，最多 18 位）" in res.stdout
    assert "whole number" not in res.stdout
