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


# ------------------------------------------------------------------------------------------ scope and flow fields


def _line_of(text: str, needle: str) -> int:
    return next(i for i, t in enumerate(text.splitlines(), 1) if needle in t)


@pytest.mark.parametrize(
    "extra, needle, where",
    [
        ({"scope": "galaxy"}, '"galaxy"', "questions[0].scope: must be \"host\" or \"organisation\""),
        ({"aggregate": "any"}, '"aggregate"', "questions[0].aggregate: only an organisation yes_no question says how"),
        ({"scope": "organisation", "aggregate": "most"}, '"most"', "questions[0].aggregate: must be \"every\""),
        ({"values": ["yes", "maybe"]}, '"values"', "questions[0].values: expected \"yes\", \"no\""),
        ({"min": 1}, '"min"', "questions[0].min: only a number question has bounds"),
        ({"past": True}, '"past"', "questions[0].past: true on a date question"),
        ({"ask_if": {"question": "B", "equals": "yes"}}, '"question": "B"', "questions[0].ask_if.question: 'B' is not a question asked before this one"),
        ({"percent_yes_of": "A"}, '"percent_yes_of"', "questions[0].percent_yes_of: only an organisation number question"),
        ({"scpoe": "host"}, '"scpoe"', "questions[0].scpoe: unknown question field 'scpoe'"),
    ],
)
def test_scope_and_flow_fields_are_checked_with_line_and_field(extra: dict, needle: str, where: str) -> None:  # type: ignore[type-arg]
    text = make([q("A", "yes_no", {"attest": True}, **extra), q("B", "yes_no", {"attest": True})])
    msg = error_of(text)
    assert msg.startswith(f"insurer.json: line {_line_of(text, needle)}: sections[0].") and where in msg, msg


def test_a_question_without_a_scope_is_refused_naming_it() -> None:
    data = json.loads(make([q("A", "yes_no", {"attest": True})]))
    del data["sections"][0]["questions"][0]["scope"]
    text = json.dumps(data, indent=2)
    msg = error_of(text)
    assert f"line {_line_of(text, chr(34) + 'A' + chr(34)) - 1}: sections[0].questions[0]: missing required field 'scope'" in msg


@pytest.mark.parametrize(
    "cond, where",
    [
        ({"question": "A", "equals": "perhaps"}, "questions[1].ask_if.equals: expected answers of A: yes, no"),
        ({"question": "A"}, "questions[1].ask_if: expected {\"question\""),
        ({"question": "N", "equals": "1"}, "questions[1].ask_if.question: N is a number question"),
    ],
)
def test_ask_if_names_an_earlier_question_and_its_answers(cond: dict, where: str) -> None:  # type: ignore[type-arg]
    first = q("A", "yes_no", {"attest": True}, values=["yes", "no"]) if cond["question"] == "A" else q("N", "number", {"attest": True})
    text = make([first, q("B", "text", {"attest": True}, ask_if=cond)])
    assert where in error_of(text)


def test_bounds_and_percentages_must_make_sense() -> None:
    text = make([q("N", "number", {"attest": True}, min=5, max=1)])
    assert "questions[0].max: 1 is less than min 5" in error_of(text)
    text = make([q("P", "number", {"attest": True}, scope="organisation", percent_yes_of="T"), q("T", "text", {"attest": True})])
    assert "questions[0].percent_yes_of: 'T' is not an organisation yes_no question" in error_of(text)


def test_the_default_questionnaire_declares_its_flow() -> None:
    questionnaire = load_questionnaire()
    pa05 = questionnaire.question("PA-05")
    assert pa05.ask_if is not None and pa05.ask_if.question == "PA-04"
