"""Bad questionnaire files get an error naming file, line and field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from questionnaires.loader import QuestionnaireError, load_questionnaire, parse_questionnaire
from tests.questionnaires.test_engine import make, q


def error_of(text: str, checks=None) -> str:
    with pytest.raises(QuestionnaireError) as exc:
        parse_questionnaire(text, "insurer.json", checks or {"LNX-SSH-002"}, {"host.sshd"})
    return str(exc.value)


def test_unknown_type_names_line_and_field() -> None:
    text = make([q("A", "yes_no", {"attest": True}), q("B", "maybe", {"attest": True})])
    msg = error_of(text)
    line = next(i for i, t in enumerate(text.splitlines(), 1) if '"maybe"' in t)
    assert msg.startswith(f"insurer.json: line {line}: sections[0].questions[1].type: unknown answer type 'maybe'")


def test_unknown_check_id_names_line_and_field() -> None:
    text = make([q("A", "yes_no", {"checks": ["LNX-SSH-002", "LNX-NOPE-001"]})])
    msg = error_of(text)
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "LNX-NOPE-001" in t)
    assert f"line {line}: sections[0].questions[0].rule.checks[1]: unknown check id 'LNX-NOPE-001'" in msg


@pytest.mark.parametrize(
    "mutate, where",
    [
        (lambda d: d["sections"][0]["questions"][0].pop("text"), "sections[0].questions[0]: missing required field 'text'"),
        (lambda d: d["sections"][0]["questions"][0]["text"].pop("zh"), "questions[0].text: needs a non-empty 'zh' text"),
        (lambda d: d["sections"][0]["questions"][0]["rule"].update({"bogus": 1}), "rule.bogus: unknown rule field 'bogus'"),
        (
            lambda d: d["sections"][0]["questions"].append(dict(d["sections"][0]["questions"][0])),
            "questions[1].id: duplicate question id 'A'",
        ),
        (lambda d: d.update({"format": "something-else"}), "format: expected"),
        (
            lambda d: d["sections"][0]["questions"][0].update({"type": "number"}),
            "rule: a 'checks' rule answers yes_no questions only",
        ),
    ],
)
def test_field_errors(mutate, where: str) -> None:
    data = json.loads(make([q("A", "yes_no", {"checks": ["LNX-SSH-002"]})]))
    mutate(data)
    assert where in error_of(json.dumps(data, indent=2))


def test_json_syntax_error_has_line() -> None:
    text = make([q("A", "yes_no", {"attest": True})]).replace('"type": "yes_no",', '"type": "yes_no",,', 1)
    assert "line" in error_of(text) and "not valid JSON" in error_of(text)


def test_duplicate_key_is_an_error() -> None:
    text = make([q("A", "yes_no", {"attest": True})]).replace('"type": "yes_no"', '"type": "yes_no", "type": "text"', 1)
    assert "duplicate field 'type'" in error_of(text)


def test_wrong_file_kind_and_unreadable_files(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    report.write_text('{"schema_version": "1.0", "findings": []}')
    with pytest.raises(QuestionnaireError, match="is this a questionnaire file"):
        load_questionnaire(report)
    with pytest.raises(QuestionnaireError, match="cannot read"):
        load_questionnaire(tmp_path / "missing.json")
    binary = tmp_path / "bin.json"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(QuestionnaireError, match="not UTF-8"):
        load_questionnaire(binary)


def test_management_questions_cite_clauses() -> None:
    questionnaire = load_questionnaire()
    ir = questionnaire.question("IR-01")
    assert ir.mlps_clauses == ("8.1.10.13",)
    data = json.loads(make([q("A", "yes_no", {"attest": True}, mlps_clauses=["cheese"])]))
    assert "mlps_clauses: expected a list of GB/T 22239 clause numbers" in error_of(json.dumps(data, indent=2))
