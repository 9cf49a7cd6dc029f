"""Loading and validating questionnaire files; every error names file, line and field."""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Set, Tuple

from checks.model import Text
from questionnaires.jsonpos import MAX_DEPTH, MAX_INT_DIGITS, JsonPosError, PathKey, field_name, line_of_offset, loads_with_lines
from questionnaires.model import YES_NO_VALUES, Aggregate, AnswerType, AskIf, Option, Question, Questionnaire, Scope, Section

DEFAULT_QUESTIONNAIRE = Path(__file__).with_name("default.json")
MAX_QUESTIONNAIRE_BYTES = 4 * 1024 * 1024  # the built-in questionnaire is under 100 KiB

# Patterns match the whole value (fullmatch), in ASCII only.
_CLAUSE = re.compile(r"[789](\.[0-9]+)+( [a-g])?", re.ASCII)
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}", re.ASCII)
# An evidence path: dot-separated keys and list indexes, printable ASCII (an index is ASCII digits only).
_FACT_PATH = re.compile(r"[A-Za-z0-9_:@/+-]+(\.[A-Za-z0-9_:@/+-]+)*", re.ASCII)
_RULE_KEYS = {"checks", "yes_if", "only", "fact", "path", "as", "map", "when", "first", "attest", "note"}
# The fields each kind of rule has ("note" is the author's remark, on any rule): another kind's field would be ignored.
_KIND_KEYS = {
    "checks": {"checks", "yes_if", "only", "note"},
    "fact": {"fact", "path", "as", "map", "when", "note"},
    "first": {"first", "note"},
    "attest": {"attest", "note"},
}
_AS = {"value", "count", "bool", "nonempty", "keys", "empty"}
_QUESTION_KEYS = {
    "id", "text", "help", "type", "options", "mlps", "mlps_clauses", "domain", "risk_element", "rule",
    "scope", "aggregate", "percent_yes_of", "ask_if", "values", "min", "max", "past",
}  # fmt: skip
_SECTION_KEYS = {"id", "title", "questions"}
_TOP_KEYS = {"format", "id", "version", "title", "sections"}
_TEXT_KEYS = {"zh", "en"}
_OPTION_KEYS = {"value", "label"}
_WHEN_KEYS = {"path", "equals"}
# An escaped or raw UTF-16 surrogate: the standard parser keeps a lone one, which UTF-8 (and a signed report) cannot hold.
_SURROGATE_IN_TEXT = re.compile(r"\\u[dD][89a-fA-F]|[\ud800-\udfff]")


class QuestionnaireError(ValueError):
    """A questionnaire file is not usable; the message says where and why."""


def _field(path: PathKey) -> str:
    return field_name(path) or "(top level)"


class _Validator:
    def __init__(
        self, source: str, lines: Mapping[PathKey, int], known_checks: Optional[Set[str]], known_collectors: Optional[Set[str]]
    ) -> None:
        self.source = source
        self.lines = lines
        self.known_checks = known_checks
        self.known_collectors = known_collectors

    def error(self, path: PathKey, message: str) -> QuestionnaireError:
        line = self.lines.get(path)
        probe = path
        while line is None and probe:
            probe = probe[:-1]
            line = self.lines.get(probe)
        return QuestionnaireError(f"{self.source}: line {line or 1}: {_field(path)}: {message}")

    def need(self, obj: Mapping[str, Any], key: str, path: PathKey, kind: type) -> Any:
        if key not in obj:
            raise self.error(path, f"missing required field {key!r}")
        value = obj[key]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise self.error((*path, key), f"expected {kind.__name__}, found {type(value).__name__}")
        return value

    def text(self, obj: Mapping[str, Any], key: str, path: PathKey) -> Text:
        t = self.need(obj, key, path, dict)
        _unknown_keys(self, t, (*path, key), _TEXT_KEYS, "text")
        for lang in ("zh", "en"):
            v = t.get(lang)
            if not isinstance(v, str) or not v.strip():
                raise self.error((*path, key, lang) if lang in t else (*path, key), f"needs a non-empty {lang!r} text")
        return Text(zh=t["zh"], en=t["en"])

    def rule(self, rule: Any, path: PathKey, qtype: AnswerType) -> None:
        if not isinstance(rule, dict):
            raise self.error(path, "expected an object")
        unknown = sorted(set(rule) - _RULE_KEYS)
        if unknown:
            raise self.error((*path, unknown[0]), f"unknown rule field {unknown[0]!r}")
        kinds = [k for k in ("checks", "fact", "first", "attest") if k in rule]
        if len(kinds) != 1:
            raise self.error(path, "a rule has exactly one of 'checks', 'fact', 'first' or 'attest'")
        kind = kinds[0]
        other = sorted(set(rule) - _KIND_KEYS[kind])
        if other:
            raise self.error((*path, other[0]), f"{other[0]!r} is no field of a {kind!r} rule, which has {', '.join(sorted(_KIND_KEYS[kind]))}")
        if "note" in rule and not isinstance(rule["note"], str):
            raise self.error((*path, "note"), "expected text: a remark for the questionnaire's readers")
        if kind == "checks":
            ids = self.need(rule, "checks", path, list)
            if not ids:
                raise self.error((*path, "checks"), "list at least one check id")
            for i, cid in enumerate(ids):
                if not isinstance(cid, str):
                    raise self.error((*path, "checks", i), "check ids are strings")
                if self.known_checks is not None and cid not in self.known_checks:
                    raise self.error((*path, "checks", i), f"unknown check id {cid!r}")
            if rule.get("yes_if", "all_pass") not in ("all_pass", "any_fail"):
                raise self.error((*path, "yes_if"), "must be 'all_pass' or 'any_fail'")
            if "only" in rule and rule["only"] not in ("yes", "no"):
                raise self.error((*path, "only"), "must be 'yes' or 'no': the one answer the checks may give")
            if qtype is not AnswerType.YES_NO:
                raise self.error(path, "a 'checks' rule answers yes_no questions only")
        elif kind == "fact":
            name = self.need(rule, "fact", path, str)
            if self.known_collectors is not None and name not in self.known_collectors:
                raise self.error((*path, "fact"), f"unknown evidence {name!r}")
            if not _FACT_PATH.fullmatch(self.need(rule, "path", path, str)):
                raise self.error((*path, "path"), "expected a path of ASCII keys and indexes separated by dots, e.g. products.0.name")
            if not isinstance(rule.get("as", "value"), str) or rule.get("as", "value") not in _AS:
                raise self.error((*path, "as"), f"must be one of {', '.join(sorted(_AS))}")
            if "map" in rule and not isinstance(rule["map"], dict):
                raise self.error((*path, "map"), "expected an object mapping found values to answers")
            if "when" in rule:
                when = rule["when"]
                if not isinstance(when, dict) or "path" not in when or "equals" not in when:
                    raise self.error((*path, "when"), 'expected {"path": ..., "equals": ...}')
                _unknown_keys(self, when, (*path, "when"), _WHEN_KEYS, "condition")
                if not isinstance(when["path"], str) or not _FACT_PATH.fullmatch(when["path"]):
                    raise self.error((*path, "when", "path"), "expected a path of ASCII keys and indexes separated by dots")
        elif kind == "first":
            rules = self.need(rule, "first", path, list)
            for i, sub in enumerate(rules):
                self.rule(sub, (*path, "first", i), qtype)
        elif rule["attest"] is not True:
            raise self.error((*path, "attest"), "must be true")


def parse_questionnaire(
    text: str,
    source: str,
    known_checks: Optional[Set[str]] = None,
    known_collectors: Optional[Set[str]] = None,
) -> Questionnaire:
    """Parse and validate questionnaire JSON text.

    The standard parser reads a good file quickly; only a file that fails is read again by the
    position-aware parser, so that the error names its line. Both refuse what a signed report cannot
    carry (floating-point numbers, integers longer than 20 digits, lone surrogates) and nesting
    deeper than any questionnaire needs: whatever the text, the result is a questionnaire or a
    QuestionnaireError, never a crash.
    """
    try:
        if _SURROGATE_IN_TEXT.search(text):
            raise ValueError("a surrogate: the position-aware parser says whether it is a lone one")
        data = json.loads(
            text,
            object_pairs_hook=_refuse_duplicates,
            parse_constant=_refuse_constant,
            parse_float=_refuse_float,
            parse_int=_bounded_int,
        )
        if _too_deep(data, 1):
            raise ValueError("nested too deep")
        return _validate(data, _Validator(source, {}, known_checks, known_collectors))
    except (ValueError, QuestionnaireError, RecursionError):
        pass
    try:
        data, lines = loads_with_lines(text)
    except JsonPosError as exc:
        where = f": {field_name(exc.path)}" if exc.path else ""
        raise QuestionnaireError(f"{source}: line {exc.line}{where}: not valid JSON: {exc.message} (column {exc.column})") from None
    return _validate(data, _Validator(source, lines, known_checks, known_collectors))


def _refuse_duplicates(pairs: List[Tuple[str, Any]]) -> Dict[str, Any]:
    out: Dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key {key!r}")
        out[key] = value
    return out


def _too_deep(value: Any, depth: int) -> bool:
    """Whether ``value`` (at ``depth``) nests more containers than the position-aware parser admits."""
    if not isinstance(value, (dict, list)):
        return False
    if depth > MAX_DEPTH:
        return True
    return any(_too_deep(x, depth + 1) for x in (value.values() if isinstance(value, dict) else value))


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _refuse_float(text: str) -> Any:
    raise ValueError(f"floating-point number {text[:40]}")


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise ValueError("integer too long")
    return int(text)


def _validate(data: Any, v: _Validator) -> Questionnaire:
    if not isinstance(data, dict):
        raise v.error((), "a questionnaire file is a JSON object")
    if data.get("format") != "riskagent-questionnaire/1":
        raise v.error(("format",), 'expected "format": "riskagent-questionnaire/1" (is this a questionnaire file?)')
    _unknown_keys(v, data, (), _TOP_KEYS, "questionnaire")
    qid = v.need(data, "id", (), str)
    version = v.need(data, "version", (), str)
    title = v.text(data, "title", ())
    sections: List[Section] = []
    questions: List[Question] = []
    seen: Dict[str, PathKey] = {}
    for si, sec in enumerate(v.need(data, "sections", (), list)):
        spath: PathKey = ("sections", si)
        if not isinstance(sec, dict):
            raise v.error(spath, "expected an object")
        _unknown_keys(v, sec, spath, _SECTION_KEYS, "section")
        sid = v.need(sec, "id", spath, str)
        sections.append(Section(sid, v.text(sec, "title", spath)))
        for qi, q in enumerate(v.need(sec, "questions", spath, list)):
            qpath: PathKey = (*spath, "questions", qi)
            if not isinstance(q, dict):
                raise v.error(qpath, "expected an object")
            _unknown_keys(v, q, qpath, _QUESTION_KEYS, "question")
            question_id = v.need(q, "id", qpath, str)
            if not _ID.fullmatch(question_id):
                raise v.error((*qpath, "id"), f"invalid question id {question_id!r}")
            if question_id in seen:
                raise v.error((*qpath, "id"), f"duplicate question id {question_id!r}")
            seen[question_id] = qpath
            type_name = v.need(q, "type", qpath, str)
            try:
                qtype = AnswerType(type_name)
            except ValueError:
                raise v.error(
                    (*qpath, "type"), f"unknown answer type {type_name!r}; use one of {', '.join(t.value for t in AnswerType)}"
                ) from None
            options: Tuple[Option, ...] = ()
            if qtype is AnswerType.ENUM:
                raw_opts = v.need(q, "options", qpath, list)
                if not raw_opts:
                    raise v.error((*qpath, "options"), "an enum question needs options")
                opts = []
                for oi, o in enumerate(raw_opts):
                    opath: PathKey = (*qpath, "options", oi)
                    if not isinstance(o, dict):
                        raise v.error(opath, 'expected {"value": ..., "label": {"zh": ..., "en": ...}}')
                    _unknown_keys(v, o, opath, _OPTION_KEYS, "option")
                    opts.append(Option(v.need(o, "value", opath, str), v.text(o, "label", opath)))
                options = tuple(opts)
            elif "options" in q:
                raise v.error((*qpath, "options"), "only an enum question lists options (a yes_no question narrows its answers with 'values')")
            for key in ("domain", "risk_element"):
                if key in q and not isinstance(q[key], str):
                    raise v.error((*qpath, key), "expected text")
            mlps = q.get("mlps", [])
            if not isinstance(mlps, list) or not all(isinstance(m, str) for m in mlps):
                raise v.error((*qpath, "mlps"), "expected a list of MLPS unit ids")
            clauses = q.get("mlps_clauses", [])
            if not isinstance(clauses, list) or not all(isinstance(c, str) and _CLAUSE.fullmatch(c) for c in clauses):
                raise v.error((*qpath, "mlps_clauses"), 'expected a list of GB/T 22239 clause numbers such as "8.1.10.13"')
            v.rule(v.need(q, "rule", qpath, dict), (*qpath, "rule"), qtype)
            scope = _scope(v, q, qpath)
            values = _yes_no_values(v, q, qpath, qtype)
            minimum, maximum = _bounds(v, q, qpath, qtype)
            questions.append(
                Question(
                    id=question_id,
                    section=sid,
                    text=v.text(q, "text", qpath),
                    type=qtype,
                    rule=q["rule"],
                    mlps=tuple(mlps),
                    mlps_clauses=tuple(clauses),
                    domain=q.get("domain"),
                    risk_element=q.get("risk_element"),
                    options=options,
                    help=v.text(q, "help", qpath) if "help" in q else None,
                    scope=scope,
                    aggregate=_aggregate(v, q, qpath, qtype, scope),
                    percent_yes_of=_percent_of(v, q, qpath, qtype, scope),
                    ask_if=_ask_if(v, q, qpath, {x.id: x for x in questions}),
                    values=values,
                    minimum=minimum,
                    maximum=maximum,
                    past=_past(v, q, qpath, qtype),
                )
            )
    if not questions:
        raise v.error(("sections",), "the questionnaire has no questions")
    by_id = {x.id: x for x in questions}
    for x in questions:
        if x.percent_yes_of is not None:
            ref = by_id.get(x.percent_yes_of)
            if ref is None or ref.type is not AnswerType.YES_NO or not ref.organisation:
                raise v.error((*seen[x.id], "percent_yes_of"), f"{x.percent_yes_of!r} is not an organisation yes_no question of this questionnaire")
    return Questionnaire(qid, version, title, tuple(sections), tuple(questions), v.source, data)


def _unknown_keys(v: _Validator, obj: Mapping[str, Any], path: PathKey, known: Set[str], what: str) -> None:
    unknown = sorted(set(obj) - known)
    if unknown:
        raise v.error((*path, unknown[0]), f"unknown {what} field {unknown[0]!r}; a {what} has {', '.join(sorted(known))}")


def _scope(v: _Validator, q: Mapping[str, Any], path: PathKey) -> Scope:
    """Every question says what it is about: the assessed host, or the organisation (its other assets, policies, people)."""
    if "scope" not in q:
        raise v.error(path, 'missing required field \'scope\': "host" (about the assessed host) or "organisation" (about the whole organisation)')
    try:
        return Scope(q["scope"])
    except (ValueError, TypeError):
        raise v.error((*path, "scope"), 'must be "host" or "organisation"') from None


def _aggregate(v: _Validator, q: Mapping[str, Any], path: PathKey, qtype: AnswerType, scope: Scope) -> Aggregate:
    if "aggregate" not in q:
        return Aggregate.EVERY
    if scope is not Scope.ORGANISATION or qtype is not AnswerType.YES_NO:
        raise v.error((*path, "aggregate"), "only an organisation yes_no question says how its assets' answers combine")
    try:
        return Aggregate(q["aggregate"])
    except (ValueError, TypeError):
        raise v.error((*path, "aggregate"), 'must be "every" (one asset\'s no is the organisation\'s no) or "any" (one asset\'s yes is its yes)') from None


def _percent_of(v: _Validator, q: Mapping[str, Any], path: PathKey, qtype: AnswerType, scope: Scope) -> Optional[str]:
    if "percent_yes_of" not in q:
        return None
    ref = q["percent_yes_of"]
    if scope is not Scope.ORGANISATION or qtype is not AnswerType.NUMBER:
        raise v.error((*path, "percent_yes_of"), "only an organisation number question is a percentage of assets")
    if not isinstance(ref, str) or not _ID.fullmatch(ref):
        raise v.error((*path, "percent_yes_of"), "expected a question id")
    return ref


def _ask_if(v: _Validator, q: Mapping[str, Any], path: PathKey, earlier: Mapping[str, Question]) -> Optional[AskIf]:
    """``{"question": "PA-04", "equals": "yes"}`` or ``{"question": ..., "in": [...]}``: an earlier question and answers of it."""
    if "ask_if" not in q:
        return None
    cond = q["ask_if"]
    where: PathKey = (*path, "ask_if")
    if not isinstance(cond, dict) or set(cond) - {"question", "equals", "in"} or "question" not in cond or len(set(cond) & {"equals", "in"}) != 1:
        raise v.error(where, 'expected {"question": "<an earlier question id>", "equals": "<answer>"} (or "in": [answers])')
    ref = earlier.get(cond["question"]) if isinstance(cond["question"], str) else None
    if ref is None:
        raise v.error((*where, "question"), f"{str(cond['question'])[:40]!r} is not a question asked before this one")
    if ref.type not in (AnswerType.YES_NO, AnswerType.ENUM):
        raise v.error((*where, "question"), f"{ref.id} is a {ref.type} question; a condition needs a yes_no or enum answer")
    values = [cond["equals"]] if "equals" in cond else cond["in"]
    key = "equals" if "equals" in cond else "in"
    if not isinstance(values, list) or not values or not all(isinstance(x, str) and x in ref.allowed_values() for x in values):
        raise v.error((*where, key), f"expected answers of {ref.id}: {', '.join(ref.allowed_values())}")
    return AskIf(ref.id, tuple(values))


def _yes_no_values(v: _Validator, q: Mapping[str, Any], path: PathKey, qtype: AnswerType) -> Tuple[str, ...]:
    if "values" not in q:
        return ()
    values = q["values"]
    if qtype is not AnswerType.YES_NO:
        raise v.error((*path, "values"), "only a yes_no question narrows its answers with 'values' (an enum lists options)")
    if not isinstance(values, list) or not all(isinstance(x, str) for x in values) or not {"yes", "no"} <= set(values) or not set(values) <= set(YES_NO_VALUES) or len(set(values)) != len(values):
        raise v.error((*path, "values"), f"expected \"yes\", \"no\" and any of {', '.join(YES_NO_VALUES[2:])}, each once")
    return tuple(x for x in YES_NO_VALUES if x in values)


def _bounds(v: _Validator, q: Mapping[str, Any], path: PathKey, qtype: AnswerType) -> Tuple[Optional[int], Optional[int]]:
    out: List[Optional[int]] = []
    for key in ("min", "max"):
        if key not in q:
            out.append(None)
            continue
        if qtype is not AnswerType.NUMBER:
            raise v.error((*path, key), "only a number question has bounds")
        bound = q[key]
        if not isinstance(bound, int) or isinstance(bound, bool):
            raise v.error((*path, key), "expected a whole number")
        out.append(bound)
    if out[0] is not None and out[1] is not None and out[0] > out[1]:
        raise v.error((*path, "max"), f"{out[1]} is less than min {out[0]}")
    return out[0], out[1]


def _past(v: _Validator, q: Mapping[str, Any], path: PathKey, qtype: AnswerType) -> bool:
    if "past" not in q:
        return False
    if qtype is not AnswerType.DATE or not isinstance(q["past"], bool):
        raise v.error((*path, "past"), "true on a date question about something that has happened (no date after today is accepted)")
    return bool(q["past"])


def load_questionnaire(path: Optional[Path] = None, *, validate_refs: bool = True) -> Questionnaire:
    """Load a questionnaire file (the default one if ``path`` is None)."""
    if path is None and validate_refs:
        return _default_questionnaire()
    return _load(path or DEFAULT_QUESTIONNAIRE, validate_refs)


@functools.lru_cache(maxsize=1)
def _default_questionnaire() -> Questionnaire:
    # The packaged questionnaire never changes while a process runs: parse it once.
    return _load(DEFAULT_QUESTIONNAIRE, True)


def read_text_file(path: Path, max_bytes: int, what: str) -> str:
    """A small UTF-8 text file people write (questionnaire, answers); ValueError-free: errors are
    QuestionnaireErrors naming the file (and the line of a bad byte)."""
    try:
        with path.open("rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise QuestionnaireError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise QuestionnaireError(f"{path}: larger than {max_bytes // (1024 * 1024)} MiB; is this {what}?")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise QuestionnaireError(f"{path}: line {line_of_offset(data, exc.start)}: not UTF-8 text (byte {exc.start})") from None


def _load(path: Path, validate_refs: bool) -> Questionnaire:
    text = read_text_file(path, MAX_QUESTIONNAIRE_BYTES, "a questionnaire file")
    known_checks = known_collectors = None
    if validate_refs:
        from checks.catalogue import all_checks
        from collectors.catalogue import all_collectors

        known_checks = set(all_checks())
        known_collectors = set(all_collectors())
    return parse_questionnaire(text, str(path), known_checks, known_collectors)


def questionnaire_from_json(data: Mapping[str, Any], source: str) -> Questionnaire:
    """Rebuild a questionnaire embedded in a report (references not re-validated)."""
    return parse_questionnaire(json.dumps(data, ensure_ascii=False), source)
