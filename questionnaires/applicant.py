"""The applicant profile (投保企业信息) and the coverage it requests: ``applicant.json``, loaded and validated.

An insurance application starts from what the enterprise declares about itself
(the pilot notice's 附件 4: basic information, security management, the
coverage and risk scenarios it wants). The file is data with a schema,
``applicant.schema.json`` next to this module: the loader checks a file
against that schema (the subset of JSON Schema 2020-12 the schema uses), then
against the rules a schema cannot state (the credit code's check character,
limits against deductibles, declared servers against the server count, ...;
the schema's ``$comment`` lists them). The schema also holds every field's
zh/en label, which errors name and the application's rendering shows.

Whatever the bytes, loading ends in an ``ApplicantProfile`` or a
``ProfileError`` naming the file, the line and the field: the file is capped
in size and nesting, numbers are whole, text is UTF-8 without control
characters. Nothing here reads the network.
"""

from __future__ import annotations

import datetime as _dt
import functools
import ipaddress
import json
import re
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Literal, Mapping, Optional, Sequence, Tuple

from checks.model import Text
from collectors.strictjson import JsonShapeError, TextEnum, from_json, json_field
from questionnaires.industry import Industry
from questionnaires.jsonpos import JsonPosError, PathKey, field_name, line_of_offset, loads_with_lines

SCHEMA_PATH = Path(__file__).with_name("applicant.schema.json")
FORMAT = "riskagent-applicant/1"
MAX_PROFILE_BYTES = 8 * 1024 * 1024  # 10,000 declared servers with two identifiers each take about 2 MiB written with indentation
MAX_DEPTH = 10  # the deepest field (assets.servers[i].identifiers[j]) is 4 levels down

# The credit code's characters and their values (GB 32100-2015 表 1: digits, then capitals without I O S V Z).
CREDIT_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_HOSTNAME = re.compile(r"([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?", re.ASCII)


class ProfileError(ValueError):
    """An applicant file is not usable; the message names the file, the line and the field."""


# ---------------------------------------------------------------------------------------------- the profile


class RevenueBand(TextEnum):
    UNDER_10M = "under_10m"
    FROM_10M_TO_100M = "10m_to_100m"
    FROM_100M_TO_1B = "100m_to_1b"
    FROM_1B_TO_10B = "1b_to_10b"
    FROM_10B = "10b_and_over"


class StaffBand(TextEnum):
    UNDER_50 = "under_50"
    FROM_50_TO_299 = "50_to_299"
    FROM_300_TO_999 = "300_to_999"
    FROM_1000_TO_4999 = "1000_to_4999"
    FROM_5000 = "5000_and_over"


class ItOperation(TextEnum):
    IN_HOUSE = "in_house"
    OUTSOURCED = "outsourced"
    CLOUD = "cloud"


class MlpsConclusion(TextEnum):
    """等级测评结论."""

    EXCELLENT = "优"
    GOOD = "良"
    FAIR = "中"
    POOR = "差"


@dataclass(frozen=True)
class Enterprise:
    name: str
    credit_code: str
    industry: Industry
    revenue_band: RevenueBand
    staff_band: StaffBand
    servers: int
    endpoints: int
    it_operations: Tuple[ItOperation, ...]
    industry_detail: Optional[str] = field(default=None, metadata=json_field(omit_none=True))


@dataclass(frozen=True)
class DeclaredServer:
    """A server the application covers; a host report is about it when its target's name or identifiers match."""

    name: str
    identifiers: Tuple[str, ...] = field(default=(), metadata=json_field(omit_empty=True))
    role: Optional[str] = field(default=None, metadata=json_field(omit_none=True))


@dataclass(frozen=True)
class DeclaredAssets:
    servers: Tuple[DeclaredServer, ...]
    websites: Tuple[str, ...]
    domains: Tuple[str, ...]
    ip_ranges: Tuple[str, ...]


@dataclass(frozen=True)
class SecurityOfficer:
    name: str
    role: str
    phone: Optional[str] = field(default=None, metadata=json_field(omit_none=True))
    email: Optional[str] = field(default=None, metadata=json_field(omit_none=True))


@dataclass(frozen=True)
class SecurityManagement:
    officer: SecurityOfficer
    annual_spend_cny: int
    headcount: int


@dataclass(frozen=True)
class MlpsStatus:
    """The filed protection level (1-4) and, when there was one, the latest 等级测评's conclusion and date."""

    level: int
    conclusion: Optional[MlpsConclusion] = field(default=None, metadata=json_field(omit_none=True))
    assessed_on: Optional[str] = field(default=None, metadata=json_field(omit_none=True))


@dataclass(frozen=True)
class RequestedLine:
    """A coverage line (an id of report/weights.json) with its limit and deductible, in whole yuan."""

    line: str
    limit_cny: int
    deductible_cny: Optional[int] = field(default=None, metadata=json_field(omit_none=True))


@dataclass(frozen=True)
class CoverageRequest:
    """The lines (in the order written) and scenarios the applicant asks cover for."""

    lines: Tuple[RequestedLine, ...]
    scenarios: Tuple[str, ...]
    aggregate_limit_cny: Optional[int] = field(default=None, metadata=json_field(omit_none=True))

    @property
    def line_ids(self) -> Tuple[str, ...]:
        return tuple(r.line for r in self.lines)


@dataclass(frozen=True)
class ApplicantProfile:
    """One ``applicant.json``. Its JSON form (``collectors.strictjson.to_json``) is the file's content."""

    format: Literal["riskagent-applicant/1"]
    enterprise: Enterprise
    assets: DeclaredAssets
    security: SecurityManagement
    mlps: MlpsStatus
    coverage: CoverageRequest


# ---------------------------------------------------------------------------------------------- the schema


@functools.lru_cache(maxsize=1)
def schema() -> Mapping[str, Any]:
    """applicant.schema.json (packaged with this module)."""
    data: Mapping[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return data


def _resolve(node: Mapping[str, Any]) -> Mapping[str, Any]:
    """A schema node with its local ``$ref`` merged in (the node's own keywords win, as 2020-12 applies both)."""
    ref = node.get("$ref")
    if not isinstance(ref, str):
        return node
    target: Any = schema()
    for part in ref.removeprefix("#/").split("/"):
        target = target[part]
    return {**_resolve(target), **{k: v for k, v in node.items() if k != "$ref"}}


def _text(raw: Mapping[str, str]) -> Text:
    return Text(zh=raw["zh"], en=raw["en"])


def _walk_fields(node: Mapping[str, Any], prefix: str, out: Dict[str, Mapping[str, Any]]) -> None:
    node = _resolve(node)
    if prefix:
        out[prefix] = node
    for name, sub in (node.get("properties") or {}).items():
        _walk_fields(sub, f"{prefix}.{name}" if prefix else name, out)
    items = node.get("items")
    if isinstance(items, dict):
        _walk_fields(items, f"{prefix}[]", out)


@functools.lru_cache(maxsize=1)
def _fields() -> Dict[str, Mapping[str, Any]]:
    out: Dict[str, Mapping[str, Any]] = {}
    _walk_fields(schema(), "", out)
    return out


def field_labels() -> Dict[str, Text]:
    """Every field's label by its path (``enterprise.credit_code``, ``assets.servers[].name``), in schema order."""
    return {path: _text(node["x-label"]) for path, node in _fields().items() if "x-label" in node}


def option_labels(path: str) -> Dict[str, Text]:
    """The labels of an enumerated field's values (``enterprise.industry``, ``coverage.lines[].line``), in order."""
    node = _fields().get(path, {})
    node = _resolve(node.get("items", {})) if "enum" not in node and isinstance(node.get("items"), dict) else node
    labels = node.get("x-enum-labels", {})
    return {value: _text(labels[value]) for value in node.get("enum", ()) if value in labels}


def _label_at(path: PathKey) -> Optional[Text]:
    """The label of the field at ``path`` (an array item: its array's), or None for a field the schema lacks."""
    node: Mapping[str, Any] = _resolve(schema())
    label: Optional[Mapping[str, str]] = None
    for step in path:
        if isinstance(step, int):
            items = node.get("items")
            if not isinstance(items, dict):
                return None
            node = _resolve(items)
        else:
            sub = (node.get("properties") or {}).get(step)
            if sub is None:
                return None
            node = _resolve(sub)
            label = None
        label = node.get("x-label", label)
    return _text(label) if label else None


# ---------------------------------------------------------------------------------------------- rules


def credit_code_problem(code: str) -> Optional[str]:
    """Why ``code`` is not a unified social credit code (GB 32100-2015), or None when it is one.

    The check character is 31 minus the weighted sum of the first 17 characters' values modulo 31
    (weights 3^i mod 31), with 31 written as 0.
    """
    if len(code) != 18:
        return f"has {len(code)} characters; a unified social credit code has 18"
    bad = next((c for c in code if c not in CREDIT_CODE_CHARS), None)
    if bad is not None:
        hint = " (capital letters only)" if bad.upper() in CREDIT_CODE_CHARS else " (the code uses no I, O, S, V or Z)"
        return f"character {bad!r} cannot occur in a unified social credit code{hint}"
    if not code[2:8].isdigit():
        return "characters 3 to 8 are the administrative division code: six digits"
    total = sum(CREDIT_CODE_CHARS.index(c) * w for c, w in zip(code[:17], _CREDIT_WEIGHTS))
    expected = CREDIT_CODE_CHARS[(31 - total % 31) % 31]
    if code[17] != expected:
        return f"check character is {code[17]!r}, but GB 32100-2015 gives {expected!r} for the first 17 characters: a typing error?"
    return None


def _date_problem(value: str) -> Optional[str]:
    try:
        _dt.date.fromisoformat(value)
    except ValueError:
        return "is not a calendar date (YYYY-MM-DD)"
    return None


# The formats the schema names; a JSON Schema validator checks them when they are registered with it.
FORMATS: Dict[str, Callable[[str], Optional[str]]] = {"gb32100-credit-code": credit_code_problem, "date": _date_problem}


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


class _Validator:
    """The subset of JSON Schema 2020-12 that applicant.schema.json uses, with errors that name line and field."""

    def __init__(self, source: str, lines: Mapping[PathKey, int]) -> None:
        self.source = source
        self.lines = lines

    def error(self, path: PathKey, message: str) -> ProfileError:
        line = self.lines.get(path)
        probe = path
        while line is None and probe:
            probe = probe[:-1]
            line = self.lines.get(probe)
        label = _label_at(path)
        named = f"{field_name(path) or '(top level)'}" + (f" ({label.zh} / {label.en})" if label else "")
        return ProfileError(f"{self.source}: line {line or 1}: {named}: {message}")

    def check(self, value: Any, raw_node: Mapping[str, Any], path: PathKey) -> None:
        node = _resolve(raw_node)
        if "const" in node and value != node["const"]:
            raise self.error(path, f"expected {json.dumps(node['const'])} (is this an applicant file?)")
        expected = node.get("type")
        found = _json_type(value)
        if expected is not None and found != expected:
            raise self.error(path, f"expected {_A[expected]}, found {_A[found]}")
        if "enum" in node and value not in node["enum"]:
            labels = node.get("x-enum-labels", {})
            allowed = ", ".join(f"{v} ({labels[v]['zh']})" if v in labels else str(v) for v in node["enum"])
            raise self.error(path, f"unknown value {_short(value)}; use one of {allowed}")
        if isinstance(value, dict):
            self.check_object(value, node, path)
        elif isinstance(value, list):
            self.check_array(value, node, path)
        elif isinstance(value, str):
            self.check_string(value, node, path)
        elif isinstance(value, int) and not isinstance(value, bool):
            if "minimum" in node and value < node["minimum"]:
                raise self.error(path, f"must be at least {node['minimum']}, found {value}")
            if "maximum" in node and value > node["maximum"]:
                raise self.error(path, f"must be at most {node['maximum']}, found {value}")

    def check_object(self, value: Mapping[str, Any], node: Mapping[str, Any], path: PathKey) -> None:
        props: Mapping[str, Any] = node.get("properties") or {}
        if node.get("additionalProperties") is False:
            unknown = [k for k in value if k not in props]
            if unknown:
                raise self.error((*path, unknown[0]), f"unknown field {unknown[0]!r}; fields here: {', '.join(props)}")
        for key in node.get("required", ()):
            if key not in value:
                raise self.error(path, f"missing required field {key!r}")
        for key, needs in (node.get("dependentRequired") or {}).items():
            missing = [k for k in needs if k not in value]
            if key in value and missing:
                raise self.error((*path, key), f"given without {missing[0]!r}: give both or neither")
        alternatives = node.get("anyOf")
        if alternatives and not any(all(k in value for k in alt.get("required", ())) for alt in alternatives):
            keys = " or ".join(repr(k) for alt in alternatives for k in alt.get("required", ()))
            raise self.error(path, f"give at least one of {keys}")
        for key, sub in value.items():
            if key in props:
                self.check(sub, props[key], (*path, key))

    def check_array(self, value: Sequence[Any], node: Mapping[str, Any], path: PathKey) -> None:
        if len(value) < node.get("minItems", 0):
            raise self.error(path, f"needs at least {node['minItems']} item(s)")
        if "maxItems" in node and len(value) > node["maxItems"]:
            raise self.error(path, f"has {len(value)} items; at most {node['maxItems']} are allowed")
        items = node.get("items")
        for i, item in enumerate(value):
            if isinstance(items, dict):
                self.check(item, items, (*path, i))
        if node.get("uniqueItems"):
            seen: Dict[str, int] = {}
            for i, item in enumerate(value):
                key = json.dumps(item, sort_keys=True)
                if key in seen:
                    raise self.error((*path, i), f"repeats item {seen[key]} ({_short(item)})")
                seen[key] = i

    def check_string(self, value: str, node: Mapping[str, Any], path: PathKey) -> None:
        if _CONTROL.search(value):
            raise self.error(path, "contains a control character (a line break, tab or the like)")
        if len(value) < node.get("minLength", 0):
            raise self.error(path, "is empty")
        if "maxLength" in node and len(value) > node["maxLength"]:
            raise self.error(path, f"has {len(value)} characters; at most {node['maxLength']} are allowed")
        fmt = FORMATS.get(node.get("format", ""))
        problem = fmt(value) if fmt is not None else None
        if problem is None and "pattern" in node and not re.search(node["pattern"], value):
            problem = f"is not of the expected form: {node['description']}" if "description" in node else "is not of the expected form"
            if node.get("minLength") and value.strip() != value:
                problem = "starts or ends with white space"
        if problem is not None:
            raise self.error(path, f"{_short(value)} {problem}")


_A = {
    "object": "an object",
    "array": "an array",
    "string": "a string",
    "integer": "a whole number",
    "number": "a number with a fraction",
    "boolean": "true or false",
    "null": "null",
}


def _short(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return f"{_json_type(value)} of {len(value)}"
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def _semantic(data: Mapping[str, Any], v: _Validator, today: _dt.date) -> None:
    """The rules the schema cannot state (its ``$comment`` lists them)."""
    enterprise, assets, cov, mlps = data["enterprise"], data["assets"], data["coverage"], data["mlps"]
    seen_lines: Dict[str, int] = {}
    aggregate = cov.get("aggregate_limit_cny")
    for i, line in enumerate(cov["lines"]):
        where: PathKey = ("coverage", "lines", i)
        if line["line"] in seen_lines:
            raise v.error((*where, "line"), f"{line['line']!r} is already requested in coverage.lines[{seen_lines[line['line']]}]")
        seen_lines[line["line"]] = i
        if line.get("deductible_cny", 0) > line["limit_cny"]:
            raise v.error((*where, "deductible_cny"), f"{line['deductible_cny']} is larger than the limit {line['limit_cny']}")
        if aggregate is not None and line["limit_cny"] > aggregate:
            raise v.error((*where, "limit_cny"), f"{line['limit_cny']} is larger than the aggregate limit {aggregate}")
    servers = assets["servers"]
    if len(servers) > enterprise["servers"]:
        raise v.error(("assets", "servers"), f"{len(servers)} servers are declared, but enterprise.servers says {enterprise['servers']}")
    names: Dict[str, int] = {}
    owners: Dict[str, int] = {}
    for i, server in enumerate(servers):
        if server["name"] in names:
            raise v.error(("assets", "servers", i, "name"), f"{server['name']!r} is already declared as assets.servers[{names[server['name']]}]")
        names[server["name"]] = i
        for j, ident in enumerate(server.get("identifiers", ())):
            where = ("assets", "servers", i, "identifiers", j)
            if ident in owners:
                raise v.error(where, f"{ident!r} also identifies assets.servers[{owners[ident]}]: a report could not tell them apart")
            owners[ident] = i
            if ident.startswith("ip:"):
                _ip_identifier(ident, where, v)
    for i, url in enumerate(assets["websites"]):
        _website(url, ("assets", "websites", i), v)
    for i, net in enumerate(assets["ip_ranges"]):
        try:
            ipaddress.ip_network(net, strict=True)
        except ValueError as exc:
            raise v.error(("assets", "ip_ranges", i), f"{net!r} is not an address or network: {exc}") from None
    when = mlps.get("assessed_on")
    if when is not None and _dt.date.fromisoformat(when) > today:
        raise v.error(("mlps", "assessed_on"), f"{when} is after today ({today.isoformat()}): give the date of the latest assessment done")


def _ip_identifier(ident: str, where: PathKey, v: _Validator) -> None:
    try:
        canonical = str(ipaddress.ip_address(ident[3:]))
    except ValueError:
        raise v.error(where, f"{ident!r} holds no IP address") from None
    if canonical != ident[3:]:
        raise v.error(where, f"write it as 'ip:{canonical}', the form a report carries")


def _website(url: str, where: PathKey, v: _Validator) -> None:
    try:
        parts = urllib.parse.urlsplit(url)
        host, _port = parts.hostname, parts.port
    except ValueError as exc:
        raise v.error(where, f"{url!r} is not a URL: {exc}") from None
    if not host:
        raise v.error(where, f"{url!r} names no host")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        if not _HOSTNAME.fullmatch(host) or len(host) > 253:
            raise v.error(where, f"{host!r} is not a host name (an internationalised name in its xn-- form)") from None


# ---------------------------------------------------------------------------------------------- loading


def _refuse_duplicates(pairs: List[Tuple[str, Any]]) -> Dict[str, Any]:
    out: Dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key {key!r}")
        out[key] = value
    return out


def _refuse(text: str) -> Any:
    raise ValueError(f"not a whole number: {text[:40]}")


def _validate(data: Any, v: _Validator, today: _dt.date) -> ApplicantProfile:
    v.check(data, schema(), ())
    _semantic(data, v, today)
    try:
        return from_json(ApplicantProfile, data)
    except JsonShapeError as exc:  # the schema and the dataclasses disagree: a bug here, still reported as a file error
        raise ProfileError(f"{v.source}: {exc}") from None


def parse_profile(text: str, source: str, *, today: Optional[_dt.date] = None) -> ApplicantProfile:
    """Parse and validate applicant JSON text; ``today`` (default: the local date) bounds the assessment date.

    The standard parser reads a good file; a file that fails is read again by the position-aware parser so the
    error names its line. Floating-point numbers, duplicate keys, lone surrogates and nesting deeper than
    ``MAX_DEPTH`` are refused by both.
    """
    today = today or _dt.date.today()
    text = text.removeprefix("\ufeff")  # a byte-order mark, as some editors write
    try:
        data = json.loads(text, object_pairs_hook=_refuse_duplicates, parse_float=_refuse, parse_constant=_refuse)
        return _validate(data, _Validator(source, {}), today)
    except (ValueError, RecursionError):
        pass
    try:
        data, lines = loads_with_lines(text, max_depth=MAX_DEPTH)
    except JsonPosError as exc:
        refused = any(k in exc.message for k in ("fraction or exponent", "digits (at most", "surrogate", "nested deeper", "duplicate field"))
        what = exc.message if refused else f"not valid JSON: {exc.message}"  # valid JSON that no applicant file holds, or not JSON
        raise _Validator(source, {exc.path: exc.line}).error(exc.path, f"{what} (column {exc.column})") from None
    return _validate(data, _Validator(source, lines), today)


def _bad_byte_field(data: bytes, offset: int) -> PathKey:
    """The field a byte that is not UTF-8 stands in, found by parsing the text with the byte kept as a surrogate."""
    try:
        loads_with_lines(data.decode("utf-8", "surrogateescape").removeprefix("\ufeff"), max_depth=MAX_DEPTH)
    except JsonPosError as exc:
        if exc.line == line_of_offset(data, offset) and ("surrogate" in exc.message or "unexpected character" in exc.message):
            return exc.path
    return ()


def load_profile(path: Path, *, today: Optional[_dt.date] = None) -> ApplicantProfile:
    """Load an applicant file; ProfileError names the file, the line and the field of the first problem."""
    try:
        with Path(path).open("rb") as fh:
            data = fh.read(MAX_PROFILE_BYTES + 1)
    except OSError as exc:
        raise ProfileError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if len(data) > MAX_PROFILE_BYTES:
        raise ProfileError(f"{path}: larger than {MAX_PROFILE_BYTES // (1024 * 1024)} MiB; is this an applicant file?")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        where = _bad_byte_field(data, exc.start)
        line = line_of_offset(data, exc.start)
        raise _Validator(str(path), {where: line}).error(where, f"not UTF-8 text (byte {exc.start}); save the file as UTF-8") from None
    return parse_profile(text, str(path), today=today)
