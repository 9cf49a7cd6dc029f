"""Applicant profile: the example loads; every kind of bad file names its line and field; the schema agrees."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
import socket
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple, Union

import jsonschema
import pytest

from collectors.strictjson import to_json
from questionnaires.applicant import (
    MAX_DEPTH,
    MAX_PROFILE_BYTES,
    SCHEMA_PATH,
    Industry,
    ItOperation,
    MlpsConclusion,
    ProfileError,
    RevenueBand,
    StaffBand,
    credit_code_problem,
    field_labels,
    load_profile,
    option_labels,
)
from questionnaires.jsonpos import field_name

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "docs" / "examples" / "applicant.json"
TODAY = dt.date(2026, 12, 5)
SCHEMA: Dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))

# GB 32100-2015 §4.3 as the standard prints it: the weights of positions 1-17 and the 31 characters in value order.
GB32100_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
GB32100_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def gb32100_valid(code: object) -> bool:
    """An implementation of the check character independent of the loader's, for the schema's format."""
    if not isinstance(code, str):
        return True  # formats apply to strings only
    if len(code) != 18 or any(c not in GB32100_CHARS for c in code):
        return False
    remainder = sum(GB32100_CHARS.index(c) * w for c, w in zip(code, GB32100_WEIGHTS)) % 31
    return code[17] == GB32100_CHARS[(31 - remainder) % 31]


FORMATS = jsonschema.FormatChecker()
FORMATS.checks("gb32100-credit-code")(gb32100_valid)


def schema_accepts(data: Union[bytes, Any]) -> bool:
    """What a JSON Schema 2020-12 validator (with the formats checked) says of a file or a parsed document."""
    if isinstance(data, bytes):
        try:
            data = json.loads(data)
        except ValueError:  # not UTF-8, or not JSON: no document to validate
            return False
    return bool(jsonschema.Draft202012Validator(SCHEMA, format_checker=FORMATS).is_valid(data))


def loader_accepts(data: bytes, tmp_path: Path) -> Tuple[bool, str]:
    path = tmp_path / "applicant.json"
    path.write_bytes(data)
    try:
        load_profile(path, today=TODAY)
    except ProfileError as exc:
        return False, str(exc)
    return True, ""


def example_text() -> str:
    return EXAMPLE.read_text(encoding="utf-8")


def line_of(text: str, needle: str) -> int:
    index = text.index(needle)
    return text.count("\n", 0, index) + 1


# ---------------------------------------------------------------------------------------------- the example


def test_example_loads_and_writes_back_to_the_same_document() -> None:
    profile = load_profile(EXAMPLE, today=TODAY)
    assert profile.enterprise.credit_code == "91330106MA2CWK7T29" and profile.enterprise.industry is Industry.INDUSTRIAL_INTERNET
    assert [s.name for s in profile.assets.servers] == ["db-prod-01", "web-legacy-02", "mes-gw-03"]
    assert profile.coverage.line_ids[0] == "business_interruption" and profile.coverage.lines[0].deductible_cny == 50000
    assert profile.mlps.conclusion is MlpsConclusion.GOOD and profile.mlps.level == 3
    assert to_json(profile) == json.loads(example_text())  # the typed form is the file, nothing added or lost


def test_schema_is_valid_2020_12_and_accepts_the_example() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema_accepts(json.loads(example_text()))


def test_example_declares_the_recorded_hosts_by_name_and_machine_id() -> None:
    """So that applying over the recorded hosts' reports matches every declared server."""
    from tests.hosts import host_evidence

    profile = load_profile(EXAMPLE, today=TODAY)
    for server, host in zip(profile.assets.servers, ("debian-hardened", "debian-weak", "openeuler-server")):
        identity = next(e for e in host_evidence(host) if e.collector == "host.identity")
        assert server.name == identity.target
        assert f"machine:{identity.facts['machine_app_id']}" in server.identifiers


def test_loading_needs_no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("network access")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    assert load_profile(EXAMPLE).enterprise.name


# ---------------------------------------------------------------------------------------------- bad files


def _replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def _deep(text: str) -> str:
    return _replace_once(text, '"name": "杭州云栈示例工业互联网科技有限公司"', '"name": ' + "[" * 40 + "]" * 40)


def _gbk(text: str) -> bytes:
    data = text.encode("utf-8")
    name = "杭州云栈".encode()
    return data.replace(name, "杭州云栈".encode("gbk"), 1)


# (case, edit of the example text (or its bytes), the text on the line the error must name, the field it must name)
BadCase = Tuple[str, Callable[[str], Union[str, bytes]], str, str]
BAD_FILES: List[BadCase] = [
    (
        "credit code check character",
        lambda t: _replace_once(t, '"91330106MA2CWK7T29"', '"91330106MA2CWK7T20"'),
        '"credit_code"',
        "enterprise.credit_code (统一社会信用代码 / Unified social credit code)",
    ),
    ("credit code letter O", lambda t: _replace_once(t, '"91330106MA2CWK7T29"', '"91330106MA2CWO7T29"'), '"credit_code"', "enterprise.credit_code"),
    ("unknown industry", lambda t: _replace_once(t, '"industrial_internet"', '"mining"'), '"industry": "mining"', "enterprise.industry (行业 / Industry)"),
    (
        "negative limit",
        lambda t: _replace_once(t, '"limit_cny": 500000}', '"limit_cny": -500000}'),
        '"limit_cny": -500000',
        "coverage.lines[2].limit_cny (责任限额（元） / Limit (CNY))",
    ),
    (
        "float amount",
        lambda t: _replace_once(t, '"limit_cny": 300000}', '"limit_cny": 300000.50}'),
        '"limit_cny": 300000.50',
        "coverage.lines[4].limit_cny",
    ),
    (
        "unknown coverage line",
        lambda t: _replace_once(t, '"line": "media_liability"', '"line": "space_debris"'),
        '"space_debris"',
        "coverage.lines[6].line (责任 / Line)",
    ),
    (
        "cyber extortion is not a notice line",
        lambda t: _replace_once(t, '"line": "media_liability"', '"line": "cyber_extortion"'),
        '"cyber_extortion"',
        "coverage.lines[6].line",
    ),
    ("unknown scenario", lambda t: _replace_once(t, '"data_encrypted"', '"alien_invasion"'), '"alien_invasion"', "coverage.scenarios[2]"),
    ("deep nesting", _deep, '"name": [[[[', "enterprise.name[0][0]"),
    ("not UTF-8", _gbk, '"name": "', "enterprise.name"),
    ("unknown field", lambda t: _replace_once(t, '"headcount": 3', '"headcount": 3, "budget": 1'), '"budget"', "security.budget"),
    ("missing field", lambda t: _replace_once(t, '"staff_band": "300_to_999",\n', ""), '"enterprise": {', "enterprise (企业基本信息 / Enterprise): missing required field 'staff_band'"),
    ("conclusion without its date", lambda t: _replace_once(t, ', "assessed_on": "2026-06-18"', ""), '"mlps"', "mlps.conclusion"),
    ("not a calendar date", lambda t: _replace_once(t, '"2026-06-18"', '"2026-02-30"'), '"2026-02-30"', "mlps.assessed_on"),
    ("level 5", lambda t: _replace_once(t, '"level": 3', '"level": 5'), '"level": 5', "mlps.level (定级备案级别 / Filed protection level)"),
    ("officer without contact", lambda t: _replace_once(t, ', "phone": "0571-00000000", "email": "security@yunzhan.example"', ""), '"officer"', "security.officer"),
    ("boolean count", lambda t: _replace_once(t, '"servers": 48', '"servers": true'), '"servers": true', "enterprise.servers"),
    ("bad identifier", lambda t: _replace_once(t, '"ip:198.51.100.21"', '"mac:00:11:22:33:44:55"'), '"mac:', "assets.servers[1].identifiers[1]"),
    ("empty operations", lambda t: _replace_once(t, '["in_house", "cloud"]', "[]"), '"it_operations"', "enterprise.it_operations"),
    ("name with a tab", lambda t: _replace_once(t, '"王晓东"', '"王晓东\\t"'), '"王晓东', "security.officer.name"),
    ("wrong format", lambda t: _replace_once(t, '"riskagent-applicant/1"', '"riskagent-questionnaire/1"'), '"format"', "format (文件格式 / File format)"),
]


@pytest.mark.parametrize("case,edit,line_text,field", BAD_FILES, ids=[c[0] for c in BAD_FILES])
def test_bad_file_names_line_and_field_and_the_schema_refuses_it_too(
    case: str, edit: Callable[[str], Union[str, bytes]], line_text: str, field: str, tmp_path: Path
) -> None:
    text = example_text()
    changed = edit(text)
    data = changed if isinstance(changed, bytes) else changed.encode("utf-8")
    ok, message = loader_accepts(data, tmp_path)
    assert not ok, case
    shown = data.decode("utf-8", "replace")
    expected_line = line_of(shown, line_text)
    assert message.startswith(f"{tmp_path / 'applicant.json'}: line {expected_line}: "), message
    assert field in message, message
    assert not schema_accepts(data), f"{case}: the schema accepts what the loader refuses"


def test_messages_say_what_to_do() -> None:
    text = example_text()
    for edit, fragment in (
        (lambda t: _replace_once(t, '"91330106MA2CWK7T29"', '"91330106MA2CWK7T20"'), "GB 32100-2015 gives '9'"),
        (lambda t: _replace_once(t, '"industrial_internet"', '"mining"'), "telecom_internet (电信和互联网)"),
        (lambda t: _replace_once(t, '"limit_cny": 500000}', '"limit_cny": 500000.0}'), "use a whole number"),
        (lambda t: _replace_once(t, '"line": "media_liability"', '"line": "space"'), "product_professional_liability"),
    ):
        with pytest.raises(ProfileError, match=re.escape(fragment)):
            from questionnaires.applicant import parse_profile

            parse_profile(edit(text), "a.json", today=TODAY)


# Rules a schema cannot state: the schema accepts these files, the loader refuses them, naming line and field.
LOADER_ONLY: List[BadCase] = [
    # JSON Schema's integer admits 1.2e6 and 5.0, and a parser keeps the last of two equal keys: the loader refuses both.
    ("amount with an exponent", lambda t: _replace_once(t, '"annual_spend_cny": 1200000', '"annual_spend_cny": 1.2e6'), '"annual_spend_cny"', "security.annual_spend_cny"),
    ("amount with a zero fraction", lambda t: _replace_once(t, '"limit_cny": 500000}', '"limit_cny": 500000.0}'), '"limit_cny": 500000.0}', "coverage.lines[2].limit_cny"),
    ("duplicate key", lambda t: _replace_once(t, '"headcount": 3', '"headcount": 3, "headcount": 4'), '"headcount": 3', "security"),
    (
        "deductible above the limit",
        lambda t: _replace_once(t, '"deductible_cny": 20000', '"deductible_cny": 2000001'),
        '"deductible_cny": 2000001',
        "coverage.lines[1].deductible_cny",
    ),
    ("line limit above the aggregate", lambda t: _replace_once(t, '"aggregate_limit_cny": 10000000', '"aggregate_limit_cny": 4000000'), '"limit_cny": 5000000', "coverage.lines[0].limit_cny"),
    ("line requested twice", lambda t: _replace_once(t, '"line": "media_liability"', '"line": "legal_costs"'), '"line": "legal_costs", "limit_cny": 1000000', "coverage.lines[6].line"),
    ("more servers declared than there are", lambda t: _replace_once(t, '"servers": 48', '"servers": 2'), '"servers": [', "assets.servers"),
    ("server declared twice", lambda t: _replace_once(t, '"name": "mes-gw-03"', '"name": "db-prod-01"'), '"name": "db-prod-01", "identifiers": ["machine:6d9f', "assets.servers[2].name"),
    (
        "identifier of two servers",
        lambda t: _replace_once(t, "machine:6d9f9c908aea4142bb500ed81abd0702", "machine:afb757d12b5d494e80ae68ed50059825"),
        '"mes-gw-03"',
        "assets.servers[2].identifiers[0]",
    ),
    ("ip identifier not as a report writes it", lambda t: _replace_once(t, '"ip:198.51.100.21"', '"ip:2001:0db8::21"'), "ip:2001:0db8::21", "write it as 'ip:2001:db8::21'"),
    ("network with host bits", lambda t: _replace_once(t, '"198.51.100.16/28"', '"198.51.100.17/28"'), '"ip_ranges"', "assets.ip_ranges[0]"),
    ("assessment in the future", lambda t: _replace_once(t, '"2026-06-18"', '"2027-01-04"'), '"2027-01-04"', "mlps.assessed_on"),
    ("website host", lambda t: _replace_once(t, "https://www.yunzhan.example/", "https://www_yunzhan.example/"), "www_yunzhan", "assets.websites[0]"),
]


@pytest.mark.parametrize("case,edit,line_text,field", LOADER_ONLY, ids=[c[0] for c in LOADER_ONLY])
def test_rules_beyond_the_schema_name_line_and_field(case: str, edit: Callable[[str], Union[str, bytes]], line_text: str, field: str, tmp_path: Path) -> None:
    changed = edit(example_text())
    data = changed if isinstance(changed, bytes) else changed.encode("utf-8")
    ok, message = loader_accepts(data, tmp_path)
    assert not ok, case
    assert f": line {line_of(data.decode('utf-8'), line_text)}: " in message and field in message, message
    assert schema_accepts(data), f"{case}: the schema refuses it, so it is no rule of the loader alone"


def test_the_schema_comment_lists_the_loader_only_rules() -> None:
    comment = SCHEMA["$comment"]
    for phrase in ("check character", "at most once", "deductible", "aggregate_limit_cny", "enterprise.servers", "unique", "ip_ranges", "not after", "fraction"):
        assert phrase in comment, phrase


def test_nothing_after_the_value_and_no_value_at_all(tmp_path: Path) -> None:
    after = example_text().count("\n") + 2
    for data, line in (((example_text() + "\n{}").encode(), after), (b"", 1), (b"\xef\xbb\xbf" + example_text().encode(), 0)):
        ok, message = loader_accepts(data, tmp_path)
        if line == 0:
            assert ok, message  # a byte-order mark, as Windows editors write, is not an error
        else:
            assert not ok and f": line {line}: " in message, message


def test_size_cap(tmp_path: Path) -> None:
    data = example_text().encode() + b" " * MAX_PROFILE_BYTES
    ok, message = loader_accepts(data, tmp_path)
    assert not ok and "larger than 8 MiB" in message
    assert MAX_DEPTH >= 5  # the deepest legitimate field is 4 levels down


# ---------------------------------------------------------------------------------------------- agreement sweep


def _leaves(value: Any, path: Tuple[Union[str, int], ...] = ()) -> Iterator[Tuple[Union[str, int], ...]]:
    yield path
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _leaves(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _leaves(v, (*path, i))


def _set(doc: Any, path: Tuple[Union[str, int], ...], value: Any) -> Any:
    out = copy.deepcopy(doc)
    target = out
    for step in path[:-1]:
        target = target[step]
    if value is _DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return out


_DELETE = object()
REPLACEMENTS: List[Any] = [None, True, -1, 0, 1, 10**13, "", " x", "x", "A" * 300, [], {}, ["x"], "2026-13-01", "telecom_internet"]


def test_loader_never_accepts_what_the_schema_refuses(tmp_path: Path) -> None:
    """Every field of the example replaced by each of a set of values, or deleted: where the schema says no, the
    loader says no, naming the field changed (or, for a deletion, the object that lacks it or the field that needs
    it); where the loader says yes, so does the schema; a deletion is refused by both or by neither."""
    doc = json.loads(example_text())
    checked = 0
    for path in _leaves(doc):
        if not path:
            continue
        for value in [*REPLACEMENTS, _DELETE] if isinstance(path[-1], str) else REPLACEMENTS:
            changed = _set(doc, path, value)
            data = json.dumps(changed, ensure_ascii=False, indent=1).encode()
            ok, message = loader_accepts(data, tmp_path)
            schema_ok = schema_accepts(changed)
            checked += 1
            if ok:
                assert schema_ok, f"{field_name(path)} = {value!r}: the loader accepts what the schema refuses"
            if not schema_ok:
                assert not ok
                named = re.search(r": line \d+: (\S+)", message)
                assert named is not None, message
                shown = named.group(1)
                if shown == "(top":  # a top-level field deleted: the document lacks it
                    assert len(path) == 1 and value is _DELETE, message
                elif value is _DELETE:  # the object that lacks the field, or the field that needs it
                    assert shown.startswith(field_name(path[:-1])), (path, message)
                else:
                    assert field_name(path).startswith(shown) or shown.startswith(field_name(path)), (path, message)
            if value is _DELETE:
                assert ok == schema_ok, f"deleting {field_name(path)}: loader {ok}, schema {schema_ok}: {message}"
    assert checked > 500


# ---------------------------------------------------------------------------------------------- labels and enums


def _properties(node: Dict[str, Any], path: str = "") -> Iterator[Tuple[str, Dict[str, Any]]]:
    for name, sub in (node.get("properties") or {}).items():
        here = f"{path}.{name}" if path else name
        yield here, sub
        yield from _properties(sub, here)
        items = sub.get("items")
        if isinstance(items, dict):
            yield from _properties(items, here + "[]")


def test_every_field_and_every_value_has_a_zh_and_en_label() -> None:
    labels = field_labels()
    fields = list(_properties(SCHEMA))
    assert len(fields) > 35
    for path, node in fields:
        label = node.get("x-label")
        assert label and label["zh"].strip() and label["en"].strip(), path
        assert labels[path].zh == label["zh"], path
        enum = node.get("enum") or (node.get("items") or {}).get("enum")
        if enum:
            options = option_labels(path)
            assert list(options) == list(enum), path
            assert all(t.zh.strip() and t.en.strip() for t in options.values()), path


def test_python_enums_are_the_schema_enums() -> None:
    props = SCHEMA["properties"]
    enterprise = props["enterprise"]["properties"]
    assert [e.value for e in Industry] == enterprise["industry"]["enum"]
    assert [e.value for e in RevenueBand] == enterprise["revenue_band"]["enum"]
    assert [e.value for e in StaffBand] == enterprise["staff_band"]["enum"]
    assert [e.value for e in ItOperation] == enterprise["it_operations"]["items"]["enum"]
    assert [e.value for e in MlpsConclusion] == props["mlps"]["properties"]["conclusion"]["enum"]


def test_requestable_lines_and_scenarios_are_those_of_weights_json() -> None:
    """The schema's line and scenario values and labels are report/weights.json's, in the notice's order."""
    from report.underwriting import load_weights

    weights = load_weights()
    lines = {s.id: s for s in (*weights.coverage_lines, *weights.application_lines) if s.kind is not None}
    scenarios = {s.id: s for s in (*weights.scenarios, *weights.application_scenarios)}
    line_options = option_labels("coverage.lines[].line")
    assert set(line_options) == set(lines) and len(line_options) == 12
    assert {k: (v.zh, v.en) for k, v in line_options.items()} == {k: (s.label.zh, s.label.en) for k, s in lines.items()}
    kinds = [lines[k].kind for k in line_options]
    assert kinds == ["property"] * 7 + ["liability"] * 5  # §二: the property lines, then the liability lines
    scenario_options = option_labels("coverage.scenarios")
    assert set(scenario_options) == set(scenarios)
    assert {k: (v.zh, v.en) for k, v in scenario_options.items()} == {k: (s.label.zh, s.label.en) for k, s in scenarios.items()}


# ---------------------------------------------------------------------------------------------- the credit code


def _with_check(first17: str) -> str:
    total = sum(GB32100_CHARS.index(c) * w for c, w in zip(first17, GB32100_WEIGHTS))
    return first17 + GB32100_CHARS[(31 - total % 31) % 31]


@pytest.mark.parametrize("first17", ["91330106MA2CWK7T2", "12100000400000624", "51110000500000000", "Y1440300MA5F00000", "93440300MA5GH3JK0"])
def test_credit_code_check_character(first17: str) -> None:
    code = _with_check(first17)
    assert credit_code_problem(code) is None and gb32100_valid(code)
    for other in GB32100_CHARS:
        if other != code[17]:
            wrong = code[:17] + other
            problem: Optional[str] = credit_code_problem(wrong)
            assert problem is not None and "check character" in problem and not gb32100_valid(wrong)


def test_credit_code_shape() -> None:
    assert "18" in (credit_code_problem("9133010") or "")
    assert "capital letters" in (credit_code_problem("91330106ma2cwk7t29") or "")
    assert "no I, O, S, V or Z" in (credit_code_problem("91330106MA2CWK7TI9") or "")
    assert "six digits" in (credit_code_problem(_with_check("91A30106MA2CWK7T2")) or "")
