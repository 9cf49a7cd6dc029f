"""The assessor's questionnaire session, answers files, exports, and the signed report."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, List

import pytest

from tests.hosts import HOSTS_DIR

if TYPE_CHECKING:
    from questionnaires.model import Question
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
    # Each value is followed by its note (Enter skips it).
    typed = "y\n\nabc\n42\ncounted from the HR roster\n2\n\n2026-10-01\n\nAcme IT, Beta Cloud\n\n"
    res = answer(qfile, tmp_path, typed, "--interactive", "--by", "Zhang San, IT manager")
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
    assert got["STAFF"]["note"] == "counted from the HR roster" and got["PLAN"]["note"] is None
    assert res.stdout.count("note (Enter to skip)") == 5
    assert "please enter: a whole number" in res.stdout  # "abc" was refused and asked again
    assert "MFA" not in got  # derived from evidence, never asked
    exported = json.loads((tmp_path / "out" / "questionnaire.json").read_text())
    assert exported["summary"]["attested"] == 5


def test_interrupted_session_keeps_every_answer_and_resumes(qfile: Path, tmp_path: Path) -> None:
    first = answer(qfile, tmp_path, "n\n\n7\n", "--interactive", "--by", "Li Si")  # input ends at STAFF's note
    assert first.returncode == 0, first.stderr
    assert {k: v["value"] for k, v in saved(tmp_path).items()} == {"PLAN": "no", "STAFF": 7}
    second = answer(qfile, tmp_path, "3\n\n\n\n", "--interactive", "--by", "Li Si")
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
    assert res.returncode == 1 and "与其内嵌证据推导的结果不符：问卷：$.questionnaire.answers" in res.stdout  # Chinese by default
    en = run(["verify", str(forged), "--key", str(info.public_path), "--questionnaire", str(qfile), "--lang", "en"])
    assert en.returncode == 1 and "does not follow from its evidence: questionnaire: $.questionnaire.answers" in en.stdout


def test_interactive_hints_are_in_the_session_language(qfile: Path, tmp_path: Path) -> None:
    res = answer(qfile, tmp_path, "y\n\nabc\n42\n", "--interactive", "--by", "张三", "--lang", "zh")
    assert res.returncode == 0, res.stderr
    assert "请输入：整数（只用数字 0-9，最多 18 位）" in res.stdout
    assert "whole number" not in res.stdout


# ------------------------------------------------------------------------------------------ the built-in questionnaire's flow

HARDENED = str(HOSTS_DIR / "debian-hardened")


def _placeholder(question: Question) -> object:
    """Some valid answer of the question's type."""
    from questionnaires.model import AnswerType

    if question.type is AnswerType.NUMBER:
        return question.minimum or 0
    if question.type is AnswerType.DATE:
        return "2025-01-01"
    if question.type is AnswerType.LIST:
        return ["x"]
    if question.type is AnswerType.TEXT:
        return "x"
    return question.allowed_values()[0]


def answered_before(path: Path, qid: str) -> None:
    """An answers file with every built-in question before ``qid`` answered, so a session starts there."""
    from questionnaires.loader import load_questionnaire

    entries = []
    for question in load_questionnaire().questions:
        if question.id == qid:
            break
        entries.append({"question": question.id, "value": _placeholder(question), "by": "Li Si", "at": "2026-01-05T00:00:00Z"})
    path.write_text(json.dumps({"format": "riskagent-answers/1", "answers": entries}), encoding="utf-8")


def builtin_session(tmp_path: Path, stdin: str, *extra: str) -> subprocess.CompletedProcess:
    args = ["questionnaire", "answer", "--replay", HARDENED, "--answers", str(tmp_path / "answers.json"), "--out", str(tmp_path / "out")]
    return run([*args, "--interactive", "--by", "Li Si, CISO", *extra], stdin)


def test_the_session_skips_the_vendor_question_after_no_bastion(tmp_path: Path) -> None:
    answered_before(tmp_path / "answers.json", "PA-04")
    res = builtin_session(tmp_path, "n\nno budget this year\n", "--lang", "en")
    assert res.returncode == 0, res.stderr
    assert "] PA-04: " in res.stdout and "PA-05: skipped (PA-04 is no)" in res.stdout
    assert "] PA-05: Vendor" not in res.stdout  # never asked
    got = saved(tmp_path)
    assert got["PA-04"]["value"] == "no" and got["PA-04"]["note"] == "no budget this year" and "PA-05" not in got
    exported = json.loads((tmp_path / "out" / "questionnaire.json").read_text())
    pa05 = next(a for a in exported["answers"] if a["question"] == "PA-05")
    assert pa05["skipped_by"] == "PA-04" and exported["summary"]["skipped"] >= 1


def test_the_session_asks_for_the_vendor_after_yes(tmp_path: Path) -> None:
    answered_before(tmp_path / "answers.json", "PA-04")
    res = builtin_session(tmp_path, "y\n\nJumpServer v3\n\n", "--lang", "en")
    assert res.returncode == 0, res.stderr
    assert saved(tmp_path)["PA-05"]["value"] == "JumpServer v3"


def test_the_session_refuses_a_pentest_dated_in_the_future_and_stores_the_note(tmp_path: Path) -> None:
    answered_before(tmp_path / "answers.json", "PT-07")
    res = builtin_session(tmp_path, "2999-01-01\n2025-05-20\nexternal test by 某某安全\n", "--lang", "zh")
    assert res.returncode == 0, res.stderr
    assert "请输入：不晚于今天" in res.stdout and "说明（回车跳过）" in res.stdout
    got = saved(tmp_path)["PT-07"]
    assert (got["value"], got["note"]) == ("2025-05-20", "external test by 某某安全")


def test_the_session_shows_what_this_host_says_about_an_organisation_question(tmp_path: Path) -> None:
    answered_before(tmp_path / "answers.json", "ID-02")
    res = builtin_session(tmp_path, "", "--lang", "zh")  # input ends at once: nothing is saved
    assert "] ID-02: " in res.stdout and "证据：本机 db-prod-01：是；其他资产：未知" in res.stdout


def test_an_interrupted_builtin_session_resumes_after_the_skip(tmp_path: Path) -> None:
    answered_before(tmp_path / "answers.json", "PA-04")
    first = builtin_session(tmp_path, "n\n", "--lang", "en")  # ends at PA-04's note: PA-04 is saved
    assert first.returncode == 0 and saved(tmp_path)["PA-04"]["value"] == "no"
    second = builtin_session(tmp_path, "", "--lang", "en")
    assert "] PA-04: " not in second.stdout and "] PA-05: Vendor" not in second.stdout
    assert "[1/" in second.stdout  # resumes at the first question still open


# ------------------------------------------------------------------------------------------ the answers file


def write_answers(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "answers.json"
    path.write_text(text, encoding="utf-8")
    return path


def load(path: Path) -> dict:
    from agent.answers import load_answers
    from questionnaires.loader import load_questionnaire

    return load_answers(path, load_questionnaire())


def test_a_future_date_in_the_answers_file_names_line_and_field(tmp_path: Path) -> None:
    from agent.errors import UsageError

    path = write_answers(
        tmp_path,
        '{"format": "riskagent-answers/1",\n "answers": [\n  {"question": "PT-07",\n   "value": "2999-01-01", "by": "Li Si"}]}\n',
    )
    with pytest.raises(UsageError) as exc:
        load(path)
    assert exc.value.message.startswith(f"{path}: line 4: answers[0].value: PT-07: 2999-01-01 is after today (")


def test_a_date_after_the_day_it_was_attested_is_refused(tmp_path: Path) -> None:
    from agent.errors import UsageError

    entry = {"question": "IR-02", "value": "2026-03-10", "by": "Li Si", "at": "2026-03-01T09:00:00Z"}
    path = write_answers(tmp_path, json.dumps({"format": "riskagent-answers/1", "answers": [entry]}))
    with pytest.raises(UsageError, match=r"answers\[0\]\.value: IR-02: 2026-03-10 is after the day it was attested \(2026-03-01\)"):
        load(path)


def test_notes_are_text_and_a_note_alone_needs_no_value(tmp_path: Path) -> None:
    from agent.errors import UsageError

    ok = write_answers(tmp_path, json.dumps({"format": "riskagent-answers/1", "answers": [{"question": "EP-03", "note": "fleet: 奇安信天擎", "by": "Li Si"}]}))
    got = load(ok)["EP-03"]
    assert got.value is None and got.note == "fleet: 奇安信天擎"
    bad = write_answers(tmp_path, '{"format": "riskagent-answers/1", "answers": [\n {"question": "PA-04", "value": "no",\n  "note": 5, "by": "Li Si"}]}')
    with pytest.raises(UsageError, match=r"line 3: answers\[0\]\.note: PA-04: expected text"):
        load(bad)
    escape = write_answers(tmp_path, '{"format": "riskagent-answers/1", "answers": [\n {"question": "PA-04", "value": "no",\n  "note": "ok\\u001b[2J", "by": "Li Si"}]}')
    with pytest.raises(UsageError, match=r"line 3: answers\[0\]\.note: PA-04: the note holds control"):
        load(escape)
    empty = write_answers(tmp_path, '{"format": "riskagent-answers/1", "answers": [\n {"question": "PA-04", "by": "Li Si"}]}')
    with pytest.raises(UsageError, match=r"line 2: answers\[0\]: PA-04: give a value, or a note"):
        load(empty)


def test_answers_out_of_range_or_outside_the_questions_answers_are_refused(tmp_path: Path) -> None:
    from agent.errors import UsageError

    for entry, message in (
        ({"question": "ID-04", "value": 120, "by": "Li Si"}, "ID-04: expected a whole number at least 0 and at most 100"),
        ({"question": "HI-01", "value": "partial", "by": "Li Si"}, "HI-01: expected one of yes, no"),
    ):
        path = write_answers(tmp_path, json.dumps({"format": "riskagent-answers/1", "answers": [entry]}))
        with pytest.raises(UsageError, match=message):
            load(path)


def test_answers_to_an_earlier_version_of_the_questionnaire_still_load(tmp_path: Path) -> None:
    from agent.errors import UsageError

    entry = {"question": "ML-01", "value": "level3", "by": "Li Si"}
    older = write_answers(tmp_path, json.dumps({"format": "riskagent-answers/1", "questionnaire": "riskagent-default@1.1.0", "answers": [entry]}))
    assert load(older)["ML-01"].value == "level3"
    other = write_answers(tmp_path, json.dumps({"format": "riskagent-answers/1", "questionnaire": "acme-insurer@3", "answers": [entry]}))
    with pytest.raises(UsageError, match="answers are for 'acme-insurer@3'"):
        load(other)
