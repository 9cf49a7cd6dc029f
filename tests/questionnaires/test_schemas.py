"""The questionnaire and answers files have JSON Schemas: the files in use pass them, every kind of bad file is
refused by both the schema and the loader (which names its line and field), and the loaders never accept what
the schemas refuse."""

from __future__ import annotations

import copy
import functools
import json
import random
import re
import unicodedata
from pathlib import Path
from typing import Any, Callable, Dict, FrozenSet, Iterator, List, Optional, Set, Tuple, Union

import jsonschema
import pytest

from agent import answers as answers_module
from agent.answers import load_answers, save_answers
from agent.errors import UsageError
from questionnaires import loader
from questionnaires.jsonpos import JsonPosError, PathKey, field_name, loads_with_lines
from questionnaires.loader import DEFAULT_QUESTIONNAIRE, QuestionnaireError, load_questionnaire, parse_questionnaire
from questionnaires.model import YES_NO_VALUES, Aggregate, AnswerType, Questionnaire, Scope

REPO = Path(__file__).resolve().parents[2]
Q_SCHEMA_PATH = REPO / "questionnaires" / "questionnaire.schema.json"
A_SCHEMA_PATH = REPO / "questionnaires" / "answers.schema.json"
EXAMPLE_ANSWERS = REPO / "docs" / "examples" / "answers.json"
Q_SCHEMA: Dict[str, Any] = json.loads(Q_SCHEMA_PATH.read_text(encoding="utf-8"))
A_SCHEMA: Dict[str, Any] = json.loads(A_SCHEMA_PATH.read_text(encoding="utf-8"))
Q_VALIDATOR = jsonschema.Draft202012Validator(Q_SCHEMA)
A_VALIDATOR = jsonschema.Draft202012Validator(A_SCHEMA)
Doc = Dict[str, Any]
_NAMED = re.compile(r": line (\d+): (.+?): ")


@functools.lru_cache(maxsize=1)
def known() -> Tuple[FrozenSet[str], FrozenSet[str]]:
    from checks.catalogue import all_checks
    from collectors.catalogue import all_collectors

    return frozenset(all_checks()), frozenset(all_collectors())


def default() -> Questionnaire:
    return load_questionnaire()


def q_loader(text: str) -> Tuple[bool, str]:
    """What the questionnaire loader says of a file, with this build's checks and collectors."""
    checks, collectors = known()
    try:
        parse_questionnaire(text, "q.json", set(checks), set(collectors))
    except QuestionnaireError as exc:
        return False, str(exc)
    return True, ""


def a_loader(text: str, tmp_path: Path) -> Tuple[bool, str]:
    """What the answers loader says of a file of answers to the built-in questionnaire."""
    path = tmp_path / "answers.json"
    path.write_text(text, encoding="utf-8")
    try:
        load_answers(path, default())
    except UsageError as exc:
        return False, exc.message.replace(str(path), "answers.json")
    return True, ""


def accepts(validator: jsonschema.Draft202012Validator, text: str) -> bool:
    """What a JSON Schema 2020-12 validator says of a file (text that is not JSON is no document: refused)."""
    try:
        doc = json.loads(text)
    except ValueError:
        return False
    return bool(validator.is_valid(doc))


def default_doc() -> Doc:
    data: Doc = json.loads(DEFAULT_QUESTIONNAIRE.read_text(encoding="utf-8"))
    return data


def dump(doc: Any) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=2)


Where = Union[str, Tuple[str, str]]


def line_of(text: str, where: Where) -> int:
    """The line of a text that occurs once, or (question id, text) of its first occurrence in that question."""
    if isinstance(where, tuple):
        anchor = f'"id": "{where[0]}"'
        assert text.count(anchor) == 1, anchor
        return text.count("\n", 0, text.index(where[1], text.index(anchor))) + 1
    assert text.count(where) == 1, where
    return text.count("\n", 0, text.index(where)) + 1


def _parent(name: str) -> Optional[str]:
    if name == "(top level)":
        return None
    cut = max(name.rfind("."), name.rfind("["))
    return name[:cut] if cut > 0 else "(top level)"


def assert_named_line_is_the_fields(text: str, message: str) -> str:
    """The loader's message names a line and a field, and the line is where that field (or the object lacking it) is."""
    named = _NAMED.search(message)
    assert named is not None, message
    line, shown = int(named.group(1)), named.group(2)
    try:
        _, lines = loads_with_lines(text)
    except JsonPosError as exc:
        assert exc.line == line, message
        return shown
    by_name = {(field_name(p) or "(top level)"): n for p, n in lines.items()}
    probe: Optional[str] = shown
    while probe is not None and probe not in by_name:
        probe = _parent(probe)
    assert probe is not None and by_name[probe] == line, f"{message} (the field is on line {by_name.get(probe or '')})"
    return shown


# ---------------------------------------------------------------------------------------------- the files in use


def test_schemas_are_valid_2020_12() -> None:
    for schema in (Q_SCHEMA, A_SCHEMA):
        jsonschema.Draft202012Validator.check_schema(schema)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_the_builtin_questionnaire_passes_its_schema() -> None:
    errors = [f"{e.json_path}: {e.message[:120]}" for e in Q_VALIDATOR.iter_errors(default_doc())]
    assert errors == []


def test_the_questionnaires_the_tests_build_pass_the_schema() -> None:
    from tests.questionnaires.test_engine import QUESTIONNAIRE
    from tests.questionnaires.test_scope import ORG

    for questionnaire in (QUESTIONNAIRE, ORG):
        assert Q_VALIDATOR.is_valid(questionnaire.raw), questionnaire.source


def test_the_example_answers_load_pass_the_schema_and_are_what_the_tool_writes(tmp_path: Path) -> None:
    text = EXAMPLE_ANSWERS.read_text(encoding="utf-8")
    assert accepts(A_VALIDATOR, text)
    attestations = load_answers(EXAMPLE_ANSWERS, default())
    assert {a.question for a in attestations.values()} >= {"ID-01", "ID-04", "EP-03", "PT-06", "PT-07", "DT-02"}
    assert attestations["EP-03"].value is None and attestations["EP-03"].note  # a note without a value
    written = tmp_path / "answers.json"
    save_answers(written, default(), attestations)
    assert json.loads(written.read_text(encoding="utf-8")) == json.loads(text)  # the same document, nothing added or lost


def test_answers_files_the_tests_and_the_tool_write_pass_the_schema(tmp_path: Path) -> None:
    from questionnaires.model import Attestation
    from tests.report.test_application import answers_file

    assert A_VALIDATOR.is_valid(answers_file(("ID-01", "yes"), ("PT-07", "2026-03-01"), ("ID-04", 80)))
    assert A_VALIDATOR.is_valid({"format": "riskagent-answers/1", "answers": [{"question": "MFA", "value": "yes", "by": "Wang Wu"}]})
    assert A_VALIDATOR.is_valid({"format": "riskagent-answers/1", "answers": [{"question": "EP-03", "note": "fleet: 奇安信天擎", "by": "Li Si"}]})
    written = tmp_path / "answers.json"
    save_answers(written, default(), {"DT-02": Attestation("DT-02", ["客户信息"], "张三", "2026-11-20T08:00:00Z", "多行\n说明")})
    assert accepts(A_VALIDATOR, written.read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------------------------- bad questionnaires


def question(doc: Doc, qid: str) -> Doc:
    found: Doc = next(q for s in doc["sections"] for q in s["questions"] if q["id"] == qid)
    return found


def _set(qid: str, **fields: Any) -> Callable[[Doc], None]:
    return lambda d: question(d, qid).update(fields)


def _rule(qid: str, **fields: Any) -> Callable[[Doc], None]:
    return lambda d: question(d, qid)["rule"].update(fields)


def _drop_en(d: Doc) -> None:
    del question(d, "PA-04")["text"]["en"]


# (case, edit of the built-in questionnaire, the text on the line the error must name, the field it must name)
QCase = Tuple[str, Callable[[Doc], None], Where, str]
BAD_QUESTIONNAIRES: List[QCase] = [
    ("unknown question field", _set("PA-04", weight=3), '"weight": 3', "sections[1].questions[3].weight: unknown question field 'weight'"),
    ("unknown top-level field", lambda d: d.update(publisher="ACME"), '"publisher"', "publisher: unknown questionnaire field"),
    ("unknown section field", lambda d: d["sections"][0].update(order=1), '"order": 1', "sections[0].order: unknown section field"),
    ("text in a third language", lambda d: question(d, "PA-04")["text"].update(ja="特権"), '"ja"', "sections[1].questions[3].text.ja: unknown text field"),
    ("missing text.en", _drop_en, '"text": {\n            "zh": "是否部署了特权访问管理工具', "sections[1].questions[3].text: needs a non-empty 'en' text"),
    ("blank text.zh", lambda d: question(d, "PA-05")["help"].update(zh="  "), '"zh": "  "', "sections[1].questions[4].help.zh: needs a non-empty 'zh' text"),
    ("bad scope", _set("PA-04", scope="company"), '"company"', 'sections[1].questions[3].scope: must be "host" or "organisation"'),
    ("missing scope", lambda d: question(d, "PA-04").pop("scope"), '{\n          "id": "PA-04"', "sections[1].questions[3]: missing required field 'scope'"),
    ("unknown answer type", _set("PA-04", type="maybe"), '"maybe"', "sections[1].questions[3].type: unknown answer type 'maybe'"),
    ("wrong type for min", _set("ID-04", min="0"), '"min": "0"', "sections[0].questions[3].min: expected a whole number"),
    ("float where an integer is needed", _set("ID-04", max=99.5), '"max": 99.5', "sections[0].questions[3].max: not valid JSON: 99.5: a number with a fraction"),
    ("bounds on a yes_no question", _set("PA-04", min=0), ("PA-04", '"min": 0'), "sections[1].questions[3].min: only a number question has bounds"),
    ("past on a number question", _set("ID-04", past=True), ("ID-04", '"past": true'), "sections[0].questions[3].past: true on a date question"),
    ("past not a boolean", _set("PT-07", past="yes"), '"past": "yes"', "past: true on a date question"),
    ("ask_if without an answer", _set("PA-05", ask_if={"question": "PA-04"}), ("PA-05", '"ask_if"'), "sections[1].questions[4].ask_if: expected"),
    (
        "ask_if with equals and in",
        lambda d: question(d, "PA-05")["ask_if"].update(equals="yes"),
        ("PA-05", '"ask_if"'),
        "sections[1].questions[4].ask_if: expected",
    ),
    ("ask_if with no answers", lambda d: question(d, "PA-05")["ask_if"].update({"in": []}), '"in": []', "sections[1].questions[4].ask_if.in: expected answers of PA-04"),
    ("ask_if naming no question id", lambda d: question(d, "PA-05")["ask_if"].update(question="PA 04"), '"PA 04"', "ask_if.question: 'PA 04' is not a question"),
    ("values without no", _set("PA-04", values=["yes", "partial"]), ("PA-04", '"values"'), 'sections[1].questions[3].values: expected "yes", "no"'),
    ("values twice", _set("PA-04", values=["yes", "no", "yes"]), ("PA-04", '"values"'), "sections[1].questions[3].values"),
    ("values on an enum question", _set("PT-06", values=["yes", "no"]), ("PT-06", '"values"'), "values: only a yes_no question narrows"),
    ("options on a yes_no question", _set("PA-04", options=[]), '"options": []', "sections[1].questions[3].options: only an enum question lists options"),
    ("enum without options", lambda d: question(d, "PT-06").pop("options"), '{\n          "id": "PT-06"', "missing required field 'options'"),
    ("enum with no options", _set("PT-06", options=[]), '"options": []', "options: an enum question needs options"),
    ("option without a label", lambda d: question(d, "PT-06")["options"][0].pop("label"), ("PT-06", '{\n              "value": "daily"'), "options[0]: missing required field 'label'"),
    ("unknown option field", lambda d: question(d, "PT-06")["options"][0].update(score=5), '"score": 5', "options[0].score: unknown option field"),
    ("aggregate on a host question", _set("PW-02", aggregate="any"), ("PW-02", '"aggregate"'), "aggregate: only an organisation yes_no question"),
    ("unknown aggregate", _set("PW-05", aggregate="most"), '"most"', 'aggregate: must be "every"'),
    ("percent_yes_of on a host question", _set("PW-02", percent_yes_of="EP-01"), ("PW-02", '"percent_yes_of"'), "percent_yes_of: only an organisation number question"),
    ("domain not text", _set("PA-04", domain=7), '"domain": 7', "sections[1].questions[3].domain: expected text"),
    ("question id with a space", _set("PA-04", id="PA 04"), '"PA 04"', "sections[1].questions[3].id: invalid question id"),
    ("mlps clause not a clause", _set("PA-05", mlps_clauses=["8.1.4.2a"]), ("PA-05", '"mlps_clauses"'), "mlps_clauses: expected a list of GB/T 22239 clause numbers"),
    ("mlps unit not text", _set("PA-04", mlps=[3]), ("PA-04", '"mlps": ['), "sections[1].questions[3].mlps: expected a list of MLPS unit ids"),
    ("rule with two kinds", _rule("PA-04", checks=["LNX-SSH-002"]), ("PA-04", '"rule"'), "sections[1].questions[3].rule: a rule has exactly one of"),
    ("rule with another kind's field", _rule("PA-04", yes_if="any_fail"), ("PA-04", '"yes_if"'), "rule.yes_if: 'yes_if' is no field of a 'attest' rule"),
    ("attest false", _rule("PA-04", attest=False), '"attest": false', "rule.attest: must be true"),
    ("unknown yes_if", _rule("ID-02", yes_if="most_pass"), '"most_pass"', "rule.yes_if: must be 'all_pass' or 'any_fail'"),
    ("checks rule on a number question", lambda d: question(d, "ID-04").update(rule={"checks": ["LNX-SSH-002"]}), ("ID-04", '"rule"'), "rule: a 'checks' rule answers yes_no questions only"),
    ("no checks listed", _rule("ID-02", checks=[]), '"checks": []', "rule.checks: list at least one check id"),
    ("fact path with a space", _rule("TP-01", path="remote tools"), '"remote tools"', "rule.path: expected a path of ASCII keys"),
    ("unknown as", _rule("TP-01", **{"as": "sum"}), '"sum"', "rule.as: must be one of"),
    ("as a list", _rule("TP-01", **{"as": ["count"]}), '"as": [', "rule.as: must be one of"),
    ("when with another field", lambda d: question(d, "PT-01")["rule"]["when"].update(negate=True), '"negate"', "rule.when.negate: unknown condition field"),
    ("map not an object", _rule("TP-01", map=["yes"]), '"map": [', "rule.map: expected an object"),
    ("rule note not text", _rule("PA-04", note=1), '"note": 1', "rule.note: expected text"),
    ("sub-rule not an object", lambda d: question(d, "PW-02")["rule"]["first"].append("attest"), ("PW-02", '"attest"'), "rule.first[2]: expected an object"),
    ("wrong format", lambda d: d.update(format="riskagent-answers/1"), '"format"', "format: expected \"format\": \"riskagent-questionnaire/1\""),
    ("no questions", lambda d: d.update(sections=[{"id": "s", "title": {"zh": "节", "en": "Section"}, "questions": []}]), '"sections"', "sections: the questionnaire has no questions"),
]


@pytest.mark.parametrize("case,edit,line_text,field", BAD_QUESTIONNAIRES, ids=[c[0] for c in BAD_QUESTIONNAIRES])
def test_bad_questionnaire_is_refused_by_schema_and_loader_naming_line_and_field(case: str, edit: Callable[[Doc], None], line_text: Where, field: str) -> None:
    doc = default_doc()
    edit(doc)
    text = dump(doc)
    ok, message = q_loader(text)
    assert not ok, case
    assert message.startswith(f"q.json: line {line_of(text, line_text)}: "), message
    assert field in message, message
    assert_named_line_is_the_fields(text, message)
    assert not accepts(Q_VALIDATOR, text), f"{case}: the schema accepts what the loader refuses"


def _replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def _deep_rule(d: Doc) -> None:
    rule: Doc = {"attest": True}
    for _ in range(30):
        rule = {"first": [rule]}
    question(d, "PA-04")["rule"] = rule


# Rules a schema cannot state: the schema accepts these files, the loader refuses them, naming line and field.
# (case, edit, where the error is, a swap of text the edit made unique, for what a parsed document cannot hold, field)
LCase = Tuple[str, Callable[[Doc], None], Where, Optional[Tuple[str, str]], str]
LOADER_ONLY_QUESTIONNAIRES: List[LCase] = [
    ("duplicate question id", _set("PA-05", id="X-DUP"), '"X-DUP"', ('"X-DUP"', '"PA-04"'), "sections[1].questions[4].id: duplicate question id 'PA-04'"),
    ("unknown check id", _rule("ID-02", checks=["LNX-SSH-999"]), '"LNX-SSH-999"', None, "sections[0].questions[1].rule.checks[0]: unknown check id 'LNX-SSH-999'"),
    ("unknown collector", _rule("TP-01", fact="host.teamviewer"), '"host.teamviewer"', None, "rule.fact: unknown evidence 'host.teamviewer'"),
    (
        "ask_if to a later question",
        lambda d: question(d, "OT-02")["ask_if"].update(question="OT-05"),
        ("OT-02", '"question": "OT-05"'),
        None,
        "ask_if.question: 'OT-05' is not a question asked before this one",
    ),
    (
        "ask_if answer the question does not allow",
        lambda d: question(d, "DT-05")["ask_if"].update(equals="partial"),
        ("DT-05", '"equals": "partial"'),
        None,
        "ask_if.equals: expected answers of DT-04: yes, no",
    ),
    (
        "ask_if to a text question",
        lambda d: question(d, "HI-02")["ask_if"].update(question="PA-05"),
        ("HI-02", '"question": "PA-05"'),
        None,
        "ask_if.question: PA-05 is a text question",
    ),
    ("percent of a number question", _set("EP-08", percent_yes_of="EP-09"), ("EP-08", '"percent_yes_of"'), None, "percent_yes_of: 'EP-09' is not an organisation yes_no question"),
    ("min above max", _set("ID-04", min=101), ("ID-04", '"max"'), None, "sections[0].questions[3].max: 100 is less than min 101"),
    ("integer with a zero fraction", _set("EP-08", min=987654), '"min": 987654', ('"min": 987654', '"min": 0.0'), "min: not valid JSON: 0.0: a number with a fraction or exponent"),
    ("integer with an exponent", _set("EP-08", min=987654), '"min": 987654', ('"min": 987654', '"min": 0e0'), "min: not valid JSON: 0e0: a number with a fraction or exponent"),
    (
        "integer of 21 digits",
        _rule("PT-01", when={"path": "security_updates.available", "equals": 987654}),
        "987654",
        ("987654", "100000000000000000000"),
        "rule.when.equals: not valid JSON: an integer of 21 digits",
    ),
    (
        "duplicate key",
        _set("PA-04", domain="X-DUP"),
        '"X-DUP"',
        ('"domain": "X-DUP"', '"domain": "privileged_access", "domain": "x"'),
        "sections[1].questions[3]: not valid JSON: duplicate field 'domain'",
    ),
    ("lone surrogate", lambda d: d["sections"][1]["title"].update(zh="X-SURR"), '"X-SURR"', ('"X-SURR"', '"特权\\ud800"'), "sections[1].title.zh: not valid JSON: a lone surrogate"),
]


@pytest.mark.parametrize("case,edit,where,swap,field", LOADER_ONLY_QUESTIONNAIRES, ids=[c[0] for c in LOADER_ONLY_QUESTIONNAIRES])
def test_questionnaire_rules_beyond_the_schema_name_line_and_field(
    case: str, edit: Callable[[Doc], None], where: Where, swap: Optional[Tuple[str, str]], field: str
) -> None:
    doc = default_doc()
    edit(doc)
    text = dump(doc)
    line = line_of(text, where)
    if swap is not None:
        text = _replace_once(text, *swap)
    ok, message = q_loader(text)
    assert not ok, case
    assert message.startswith(f"q.json: line {line}: "), message
    assert field in message, message
    assert accepts(Q_VALIDATOR, text), f"{case}: the schema refuses it, so it is no rule of the loader alone"


def test_nesting_beyond_the_parsers_limit_is_refused_even_when_the_file_is_otherwise_good() -> None:
    """The standard parser reads 90 levels; the loader still refuses past 64, as it does in a file with an error."""
    doc = default_doc()
    _deep_rule(doc)
    text = dump(doc)
    assert accepts(Q_VALIDATOR, text)
    ok, message = q_loader(text)
    assert not ok and "nested deeper than 64 levels" in message, message
    assert_named_line_is_the_fields(text, message)


def test_the_questionnaire_schema_comment_lists_the_loader_only_rules() -> None:
    comment = Q_SCHEMA["$comment"]
    for phrase in ("unique", "catalogue", "ask_if.question", "asked before", "percent_yes_of", "min is not larger than max", "fraction", "20 digits", "duplicate keys", "surrogate", "4 MiB", "64 levels"):
        assert phrase in comment, phrase


# ---------------------------------------------------------------------------------------------- bad answers files


TCase = Tuple[str, Callable[[str], str], str, str]


def example_answers() -> str:
    return EXAMPLE_ANSWERS.read_text(encoding="utf-8")


BAD_ANSWERS: List[TCase] = [
    ("unknown answer field", lambda t: _replace_once(t, '"value": "monthly",', '"vaule": "monthly",'), '"vaule"', "answers[5].vaule: unknown field 'vaule'"),
    ("unknown top-level field", lambda t: _replace_once(t, '"format": "riskagent-answers/1",', '"format": "riskagent-answers/1", "signed": true,'), '"signed"', "signed: unknown field"),
    ("wrong format", lambda t: _replace_once(t, '"riskagent-answers/1"', '"riskagent-questionnaire/1"'), '"format"', 'format: expected "format": "riskagent-answers/1"'),
    ("answers not a list", lambda t: t[: t.index('"answers": [')] + '"answers": {}\n}\n', '"answers": {}', "answers: expected a list of answers"),
    ("entry not an object", lambda t: _replace_once(t, '"answers": [\n', '"answers": [\n    "ID-01 yes",\n'), '"ID-01 yes"', "answers[0]: expected an object"),
    ("boolean value", lambda t: _replace_once(t, '"value": "no"', '"value": false'), '"value": false', "answers[8].value: HI-01: expected one of yes, no"),
    ("object value", lambda t: _replace_once(t, '"value": 80', '"value": {"percent": 80}'), '"percent"', "answers[1].value: ID-04: expected a whole number"),
    ("float where an integer is needed", lambda t: _replace_once(t, '"value": 80', '"value": 80.5'), '"value": 80.5', "answers[1].value: not valid JSON: 80.5: a number with a fraction"),
    ("list of numbers", lambda t: _replace_once(t, '"value": ["客户个人信息 / customer personal information", "交易记录 / transaction records"]', '"value": [1, 2]'), '"value": [1, 2]', "answers[7].value: DT-02: expected a list of strings"),
    ("question not text", lambda t: _replace_once(t, '"question": "HI-01"', '"question": 1'), '"question": 1', "answers[8].question: no question 1"),
    ("question id with a space", lambda t: _replace_once(t, '"question": "HI-01"', '"question": "HI 01"'), '"HI 01"', "answers[8].question: no question 'HI 01'"),
    ("missing question", lambda t: _replace_once(t, '\n      "question": "HI-01",', ""), '{\n      "value": "no"', "answers[8].question: no question None"),
    ("blank by", lambda t: _replace_once(t, '"by": "张三（IT 经理）",\n      "at": "2025-11-20T08:01:00Z"', '"by": " ",\n      "at": "2025-11-20T08:01:00Z"'), '"by": " "', "answers[1].by: who attests this answer"),
    ("escape sequence in by", lambda t: _replace_once(t, '"by": "张三（IT 经理）",\n      "at": "2025-11-20T08:01:00Z"', '"by": "张三\\u001b[2K（IT 经理）",\n      "at": "2025-11-20T08:01:00Z"'), '"by": "张三\\u001b', "answers[1].by: a name and role on one line"),
    ("at not a time", lambda t: _replace_once(t, '"at": "2025-11-20T08:01:00Z"', '"at": "yesterday"'), '"at": "yesterday"', "answers[1].at: expected the UTC time"),
    ("at with a zone", lambda t: _replace_once(t, '"at": "2025-11-20T08:01:00Z"', '"at": "2025-11-20T16:01:00+08:00"'), '"at": "2025-11-20T16:01:00+08:00"', "answers[1].at: expected the UTC time"),
    ("missing by", lambda t: _replace_once(t, '"by": "张三（IT 经理）",\n      "at": "2025-11-20T08:01:00Z",\n', '"at": "2025-11-20T08:01:00Z",\n'), '{\n      "question": "ID-04"', "answers[1]"),
    ("at not text", lambda t: _replace_once(t, '"at": "2025-11-20T09:03:00Z"', '"at": 20251120'), '"at": 20251120', "answers[8].at: expected the UTC time it was attested"),
    ("note with a terminal escape", lambda t: _replace_once(t, "由第三方测评机构实施", "由第三方\\u001b[2J测评机构实施"), "\\u001b", "answers[6].note: PT-07: the note holds control or invisible formatting characters"),
    ("note with a bidi override", lambda t: _replace_once(t, "由第三方测评机构实施", "由第三方\\u202e测评机构实施"), "\\u202e", "answers[6].note: PT-07: the note holds control"),
    ("note too long", lambda t: _replace_once(t, "由第三方测评机构实施", "长" * 4001), '"note": "长长', "answers[6].note: PT-07: expected text of at most 4000 characters"),
    ("note not text", lambda t: _replace_once(t, '"note": "由第三方测评机构实施 / performed by a third-party testing organisation"', '"note": ["由第三方测评机构实施"]'), '"note": [', "answers[6].note: PT-07: expected text"),
    ("blank note and no value", lambda t: _replace_once(t, '"note": "全部服务器统一部署同一款 EDR，本机检测到的产品即为该产品 / the same EDR is deployed on every server"', '"note": "  "'), '"value": null', "answers[4].value: EP-03: give a value, or a note"),
    ("no value and no note", lambda t: _replace_once(t, '"value": null,\n      "by": "张三（IT 经理）",\n      "at": "2025-11-20T08:03:00Z",\n      "note": "全部服务器统一部署同一款 EDR，本机检测到的产品即为该产品 / the same EDR is deployed on every server"', '"by": "张三（IT 经理）",\n      "at": "2025-11-20T08:03:00Z"'), '{\n      "question": "EP-03"', "answers[4]: EP-03: give a value, or a note"),
    ("questionnaire not text", lambda t: _replace_once(t, '"riskagent-default@1.2.0"', "12"), '"questionnaire"', "questionnaire: answers are for 12"),
]


@pytest.mark.parametrize("case,edit,line_text,field", BAD_ANSWERS, ids=[c[0] for c in BAD_ANSWERS])
def test_bad_answers_file_is_refused_by_schema_and_loader_naming_line_and_field(case: str, edit: Callable[[str], str], line_text: str, field: str, tmp_path: Path) -> None:
    text = edit(example_answers())
    ok, message = a_loader(text, tmp_path)
    assert not ok, case
    assert message.startswith(f"answers.json: line {line_of(text, line_text)}: "), message
    assert field in message, message
    assert_named_line_is_the_fields(text, message)
    assert not accepts(A_VALIDATOR, text), f"{case}: the schema accepts what the loader refuses"


LOADER_ONLY_ANSWERS: List[TCase] = [
    ("no such question", lambda t: _replace_once(t, '"question": "HI-01"', '"question": "HI-99"'), '"HI-99"', "answers[8].question: no question 'HI-99' in riskagent-default@1.2.0"),
    ("not an allowed yes_no answer", lambda t: _replace_once(t, '"value": "no"', '"value": "not_applicable"'), '"not_applicable"', "answers[8].value: HI-01: expected one of yes, no"),
    ("not an option", lambda t: _replace_once(t, '"value": "monthly"', '"value": "hourly"'), '"hourly"', "answers[5].value: PT-06: expected one of daily, weekly"),
    ("number above max", lambda t: _replace_once(t, '"value": 80', '"value": 101'), '"value": 101', "answers[1].value: ID-04: expected a whole number at least 0 and at most 100"),
    ("text for a number", lambda t: _replace_once(t, '"value": 80', '"value": "80"'), '"value": "80"', "answers[1].value: ID-04: expected a whole number"),
    ("integer with a zero fraction", lambda t: _replace_once(t, '"value": 80', '"value": 80.0'), '"value": 80.0', "answers[1].value: not valid JSON: 80.0: a number with a fraction"),
    ("date in the future", lambda t: _replace_once(t, '"2025-09-10"', '"2999-01-01"'), '"2999-01-01"', "answers[6].value: PT-07: 2999-01-01 is after today"),
    ("date after the day it was attested", lambda t: _replace_once(t, '"2025-09-10"', '"2025-11-22"'), '"2025-11-22"', "answers[6].value: PT-07: 2025-11-22 is after the day it was attested (2025-11-20)"),
    ("not a calendar date", lambda t: _replace_once(t, '"2025-09-10"', '"2025-02-30"'), '"2025-02-30"', "answers[6].value: PT-07: expected a date YYYY-MM-DD"),
    ("answers for another questionnaire", lambda t: _replace_once(t, '"riskagent-default@1.2.0"', '"acme-insurer@3"'), '"questionnaire"', "questionnaire: answers are for 'acme-insurer@3'"),
    ("duplicate key", lambda t: _replace_once(t, '"value": 80,', '"value": 80, "value": 90,'), '"value": 80, "value"', "answers[1]: not valid JSON: duplicate field 'value'"),
    ("lone surrogate", lambda t: _replace_once(t, "由第三方测评机构实施", "由第三方\\udc00测评机构实施"), "\\udc00", "answers[6].note: not valid JSON: a lone surrogate"),
]


@pytest.mark.parametrize("case,edit,line_text,field", LOADER_ONLY_ANSWERS, ids=[c[0] for c in LOADER_ONLY_ANSWERS])
def test_answers_rules_beyond_the_schema_name_line_and_field(case: str, edit: Callable[[str], str], line_text: str, field: str, tmp_path: Path) -> None:
    text = edit(example_answers())
    ok, message = a_loader(text, tmp_path)
    assert not ok, case
    assert message.startswith(f"answers.json: line {line_of(text, line_text)}: "), message
    assert field in message, message
    assert accepts(A_VALIDATOR, text), f"{case}: the schema refuses it, so it is no rule of the loader alone"


def test_the_answers_schema_comment_lists_the_loader_only_rules() -> None:
    comment = A_SCHEMA["$comment"]
    for phrase in ("starts with that questionnaire's id", "one of its questions", "options", "min and max", "YYYY-MM-DD", "not after today", "a day after the date in at", "fraction", "duplicate keys", "surrogate", "4 MiB", "no answers"):
        assert phrase in comment, phrase


# ---------------------------------------------------------------------------------------------- agreement sweeps


_DELETE = object()
_ADD = object()  # an unknown field added to an object


def _nodes(value: Any, path: PathKey = ()) -> Iterator[Tuple[PathKey, Any]]:
    yield path, value
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _nodes(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _nodes(v, (*path, i))


def _mutated(doc: Any, path: PathKey, change: Any) -> Any:
    out = copy.deepcopy(doc)
    if change is _ADD:
        target = out
        for step in path:
            target = target[step]
        target["zz_extra"] = 1
        return out
    target = out
    for step in path[:-1]:
        target = target[step]
    if change is _DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = change
    return out


def _mutations(doc: Any, replacements: List[Any]) -> List[Tuple[PathKey, Any]]:
    out: List[Tuple[PathKey, Any]] = []
    for path, value in _nodes(doc):
        if isinstance(value, dict):
            out.append((path, _ADD))
        if not path:
            continue
        out += [(path, r) for r in replacements]
        if isinstance(path[-1], str):
            out.append((path, _DELETE))
    return out


def _related(shown: str, path: PathKey, owner_depth: int) -> bool:
    """Whether the field the loader names is the one changed, holds it, lies in it, or is another field of the same
    question (answer) where fields constrain each other, or a reference to it from another question."""
    changed = field_name(path)
    if shown == "(top level)":
        return len(path) <= 1
    if changed.startswith(shown) or shown.startswith(changed):
        return True
    owner = field_name(path[:owner_depth])
    if len(path) >= owner_depth and shown.startswith(owner):
        return True
    return ".ask_if" in shown or shown.endswith(".percent_yes_of")


def _sweep(
    doc: Any, replacements: List[Any], count: int, seed: int, owner_depth: int, validator: jsonschema.Draft202012Validator, load: Callable[[str], Tuple[bool, str]]
) -> Dict[str, int]:
    everything = _mutations(doc, replacements)
    chosen = [m for m in everything if m[1] is _ADD or m[1] is _DELETE]
    chosen += random.Random(seed).sample([m for m in everything if m[1] is not _ADD and m[1] is not _DELETE], count - len(chosen))
    tally = {"both accept": 0, "both refuse": 0, "loader alone refuses": 0}
    for path, change in chosen:
        text = dump(_mutated(doc, path, change))
        ok, message = load(text)
        schema_ok = accepts(validator, text)
        what = f"{field_name(path) or '(top level)'} {'deleted' if change is _DELETE else 'given a field' if change is _ADD else f'= {change!r}'[:60]}"
        assert ok <= schema_ok, f"{what}: the loader accepts what the schema refuses"
        if not ok:
            shown = assert_named_line_is_the_fields(text, message)
            if not schema_ok:
                assert _related(shown, path, owner_depth), f"{what}: {message}"
        if change is _DELETE or change is _ADD:
            assert ok == schema_ok, f"{what}: loader {ok}, schema {schema_ok}: {message}"
        tally["both accept" if ok else "both refuse" if not schema_ok else "loader alone refuses"] += 1
    return tally


SWEPT_QUESTIONS = ("ID-04", "PA-04", "PA-05", "PW-02", "PW-05", "EP-01", "EP-08", "PT-01", "PT-03", "PT-06", "PT-07", "TP-01", "DT-02")


def compact_questionnaire() -> Doc:
    """The built-in questionnaire cut to questions that use every field and every kind of rule, so a sweep is quick."""
    doc = default_doc()
    for section in doc["sections"]:
        section["questions"] = [q for q in section["questions"] if q["id"] in SWEPT_QUESTIONS]
        for q in section["questions"]:
            if q["id"] != "PA-04":
                q.pop("help", None)
            q["mlps"] = q["mlps"][:1]
    doc["sections"] = [s for s in doc["sections"] if s["questions"]]
    question(doc, "PW-02")["rule"]["note"] = "pam_pwquality first, then pam_unix"
    question(doc, "PT-06")["options"] = question(doc, "PT-06")["options"][:2]
    return doc


Q_REPLACEMENTS: List[Any] = [
    None, True, False, -1, 0, 1, 101, 2.5, 10**21, "", " ", "x", "x\n", "yes", "organisation", "number", "enum", "any", "value",
    "8.1.10", "EP-01", "A" * 65, [], ["x"], ["yes", "no"], {}, {"zh": "中", "en": "E"}, {"attest": True}, "\u202e",
]  # fmt: skip


def test_compact_questionnaire_uses_every_field() -> None:
    doc = compact_questionnaire()
    questions = [q for s in doc["sections"] for q in s["questions"]]
    assert {k for q in questions for k in q} == loader._QUESTION_KEYS
    rule_keys = {k for path, node in _nodes(doc) if "rule" in path and isinstance(node, dict) and path[-1] != "map" for k in node}
    assert loader._RULE_KEYS <= rule_keys
    assert {q["type"] for q in questions} == {t.value for t in AnswerType}
    assert q_loader(dump(doc)) == (True, "") and Q_VALIDATOR.is_valid(doc)


def test_questionnaire_loader_never_accepts_what_the_schema_refuses() -> None:
    """Fields of the compact questionnaire replaced by each of a set of values (a fixed sample), deleted, or joined by
    an unknown field: where the schema says no, the loader says no, naming the line and a field the change touched
    (or one that refers to it); a deleted or added field is refused by both or by neither."""
    tally = _sweep(compact_questionnaire(), Q_REPLACEMENTS, 500, 14, 4, Q_VALIDATOR, q_loader)
    assert sum(tally.values()) == 500 and tally["both accept"] > 50 and tally["both refuse"] > 300 and tally["loader alone refuses"], tally


A_REPLACEMENTS: List[Any] = [
    None, True, -1, 0, 5, 2.5, 10**21, "", " ", "x", "x\n", "yes", "PA-04", "2999-01-01", "2025-01-01", "riskagent-default",
    "\u001b[2J", "\u200b", "长" * 4001, [], ["x"], [1], {}, {"zh": "中"},
]  # fmt: skip


def test_answers_loader_never_accepts_what_the_schema_refuses(tmp_path: Path) -> None:
    """The same sweep over the example answers file, loaded against the built-in questionnaire."""
    tally = _sweep(json.loads(example_answers()), A_REPLACEMENTS, 400, 14, 2, A_VALIDATOR, lambda text: a_loader(text, tmp_path))
    assert sum(tally.values()) == 400 and tally["both accept"] > 50 and tally["both refuse"] > 200 and tally["loader alone refuses"], tally


# ---------------------------------------------------------------------------------------------- the schemas document the fields


def _documented(node: Any, path: str) -> Iterator[Tuple[str, Dict[str, Any]]]:
    """Every property and definition of a schema, by a readable path."""
    if not isinstance(node, dict):
        return
    for name, sub in (node.get("properties") or {}).items():
        if "$ref" in sub and set(sub) == {"$ref"}:  # a plain reference: documented where it points
            continue
        yield f"{path}.{name}", sub
        yield from _documented(sub, f"{path}.{name}")
    for name, sub in (node.get("$defs") or {}).items():
        yield f"$defs.{name}", sub
        yield from _documented(sub, f"$defs.{name}")


_CJK = re.compile("[\u4e00-\u9fff]")


@pytest.mark.parametrize("schema", [Q_SCHEMA, A_SCHEMA], ids=["questionnaire", "answers"])
def test_every_field_has_a_zh_and_en_title_and_description(schema: Dict[str, Any]) -> None:
    fields = [("(top level)", schema), *_documented(schema, "")]
    assert len(fields) > 8
    for path, node in fields:
        for key in ("title", "description"):
            text = node.get(key, "")
            zh, _, en = text.partition("/ ")
            assert _CJK.search(zh) and re.search("[A-Za-z]{3}", en), f"{path}: {key} {text!r} is not 中文 / English"


def test_the_schemas_name_the_fields_and_values_the_loaders_know() -> None:
    props = Q_SCHEMA["properties"]
    defs = Q_SCHEMA["$defs"]
    assert set(props) == loader._TOP_KEYS and set(Q_SCHEMA["required"]) == loader._TOP_KEYS
    assert set(defs["section"]["properties"]) == loader._SECTION_KEYS
    assert set(defs["question"]["properties"]) == loader._QUESTION_KEYS
    assert set(defs["text"]["properties"]) == loader._TEXT_KEYS
    assert set(defs["option"]["properties"]) == loader._OPTION_KEYS
    assert set(defs["fact_rule"]["properties"]["when"]["properties"]) == loader._WHEN_KEYS
    for kind, keys in loader._KIND_KEYS.items():
        assert set(defs[f"{kind}_rule"]["properties"]) == keys, kind
    assert set().union(*loader._KIND_KEYS.values()) == loader._RULE_KEYS
    question_props = defs["question"]["properties"]
    assert question_props["type"]["enum"] == [t.value for t in AnswerType]
    assert question_props["scope"]["enum"] == [s.value for s in Scope]
    assert question_props["aggregate"]["enum"] == [a.value for a in Aggregate]
    assert question_props["values"]["items"]["enum"] == list(YES_NO_VALUES)
    assert set(defs["fact_rule"]["properties"]["as"]["enum"]) == loader._AS
    assert set(A_SCHEMA["properties"]) == set(answers_module._FILE_KEYS)
    assert set(A_SCHEMA["$defs"]["attestation"]["properties"]) == set(answers_module._ENTRY_KEYS)
    assert A_SCHEMA["$defs"]["attestation"]["properties"]["note"]["maxLength"] == answers_module.MAX_NOTE_CHARS


def _class_chars(pattern: str) -> Set[int]:
    body = re.fullmatch(r"\^\[\^(.*)\]\*\$", pattern, re.DOTALL)
    assert body is not None, pattern
    chars: Set[int] = set()
    text, i = body.group(1), 0
    while i < len(text):
        if i + 2 < len(text) and text[i + 1] == "-":
            chars.update(range(ord(text[i]), ord(text[i + 2]) + 1))
            i += 3
        else:
            chars.add(ord(text[i]))
            i += 1
    return chars


def test_the_note_pattern_forbids_what_the_loader_calls_hidden() -> None:
    """Every character the note pattern forbids the loader refuses; the loader refuses a few more only where this
    Python's Unicode is newer than the pattern's (13.0)."""
    forbidden = _class_chars(A_SCHEMA["$defs"]["attestation"]["properties"]["note"]["pattern"])
    hidden = {c for c in range(0x110000) if answers_module._hidden(chr(c))}
    assert forbidden <= hidden
    assert {*range(0x20), 0x7F, 0x200B, 0x200E, 0x202E, 0x2066, 0xFEFF} - {0x0A, 0x09} <= forbidden
    newer = hidden - forbidden
    assert len(newer) <= 16 and all(unicodedata.category(chr(c)) == "Cf" for c in newer), sorted(map(hex, newer))
    if unicodedata.unidata_version == "13.0.0":
        assert not newer


def test_the_loader_fixes_hold() -> None:
    """What the schemas brought to light: each was accepted, or crashed the loader, before."""
    doc = default_doc()
    _rule("TP-01", **{"as": {}})(doc)  # was a TypeError (an unhashable value looked up in a set)
    assert "rule.as: must be one of" in q_loader(dump(doc))[1]
    doc = default_doc()
    _set("PA-04", values=[["yes"], "no"])(doc)  # was a TypeError too
    assert "values: expected" in q_loader(dump(doc))[1]
    doc = default_doc()
    question(doc, "PA-04")["text"]["zh"] = "特权\ud800"  # was accepted, then the report's sha256 of the definition crashed
    for text in (json.dumps(doc), json.dumps(doc, ensure_ascii=False)):  # escaped, and as a report's embedded copy is read
        ok, message = parse_ok(text)
        assert not ok and "sections[1].questions[3].text.zh: not valid JSON: a lone surrogate" in message, message
    question(doc, "PA-04")["text"]["zh"] = "特权\U0001f512"  # a character beyond the BMP, escaped as a surrogate pair, is fine
    assert parse_ok(json.dumps(doc)) == (True, "")


def parse_ok(text: str) -> Tuple[bool, str]:
    try:
        parse_questionnaire(text, "q.json")
    except QuestionnaireError as exc:
        return False, str(exc)
    return True, ""


def test_answers_question_must_be_text_even_where_an_id_looks_like_a_number(tmp_path: Path) -> None:
    """A question id may be all digits; the answers file still names it as text, not as a number."""
    from tests.questionnaires.test_engine import make, q

    numeric = parse_questionnaire(make([q("5", "yes_no", {"attest": True})]), "n.json")
    path = tmp_path / "answers.json"
    path.write_text('{"format": "riskagent-answers/1", "answers": [\n {"question": 5, "value": "yes", "by": "Li"}]}', encoding="utf-8")
    with pytest.raises(UsageError, match=r"line 2: answers\[0\]\.question: no question 5"):
        load_answers(path, numeric)
    path.write_text('{"format": "riskagent-answers/1", "answers": [\n {"question": "5", "value": "yes", "by": "Li"}]}', encoding="utf-8")
    assert load_answers(path, numeric)["5"].value == "yes"

