"""Strict conversion between frozen dataclasses and plain JSON values.

Every document riskagent signs or reads (evidence, findings, the report and
its sections) is a tree of frozen dataclasses. This module turns such a tree
into plain JSON (dicts, lists, strings, integers, booleans, None: no floats)
and back, refusing anything that does not fit the declared types: unknown
keys, missing fields, wrong types and floats are errors that name the JSON
path (``$.findings[3].status``). A hostile document therefore fails at the
parser, with a reason, before any code reads it.

It lives at the bottom of the package order (``collectors``) so that every
layer can describe its records with it. Decoders and encoders are compiled
once per type and cached.

Field options, through ``dataclasses.field(metadata=json_field(...))``:

* ``omit_none``: the key is left out when the value is None (and may be
  absent when decoding);
* ``name``: the JSON key when it differs from the attribute name.

A class may carry a constant tag, ``__json_tag__ = ("kind", "file")``: it is
written as a key, required when decoding, and tells the members of a union
apart. A class may also list read-only properties in ``__json_derived__``: they are
written like fields, and when decoding the key must be present and equal to
the value the decoded object computes (a report cannot claim a layer that its
MLPS unit does not have).
"""

from __future__ import annotations

import collections.abc
import dataclasses
import enum
import sys
import typing
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple, Type, TypeVar, Union

JSON = Any
"""A plain JSON value: dict with string keys, list, str, int, bool or None (never a float)."""

T = TypeVar("T")
Decoder = Callable[[Any, str], Any]
Encoder = Callable[[Any], Any]

MAX_DEPTH = 200  # nesting deeper than this is refused (hostile documents)


class TextEnum(str, enum.Enum):
    """A string-valued enum that prints as its value (in f-strings, templates and messages alike)."""

    def __str__(self) -> str:
        return str(self.value)

    def __format__(self, spec: str) -> str:
        return format(str(self.value), spec)


class JsonShapeError(ValueError):
    """A JSON value does not have the declared shape; ``path`` says where."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


def json_field(*, omit_none: bool = False, name: Optional[str] = None) -> Dict[str, Any]:
    """Metadata for ``dataclasses.field(metadata=...)``."""
    meta: Dict[str, Any] = {"omit_none": omit_none}
    if name is not None:
        meta["name"] = name
    return meta


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number with a fraction"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _short(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return f"{_type_name(value)} of {len(value)}"  # never repr() a hostile tree: it may be nested too deep to print
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


# ------------------------------------------------------------------------------------------ plain JSON


def check_plain(value: Any, path: str = "$", depth: int = 0) -> Any:
    """Refuse anything that is not plain JSON without floats; return the value unchanged."""
    if depth > MAX_DEPTH:
        raise JsonShapeError(path, f"nested deeper than {MAX_DEPTH} levels")
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str):
                raise JsonShapeError(path, f"object key {_short(k)} is not a string")
            check_plain(v, f"{path}.{k}", depth + 1)
        return value
    if isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            check_plain(v, f"{path}[{i}]", depth + 1)
        return value
    raise JsonShapeError(path, f"expected a JSON value, got {_type_name(value)}")


# ------------------------------------------------------------------------------------------ decoding


_DECODERS: Dict[Any, Decoder] = {}
_ENCODERS: Dict[Any, Encoder] = {}


def from_json(tp: Type[T], data: Any, path: str = "$") -> T:
    """Decode ``data`` as ``tp``; raises :class:`JsonShapeError` naming the path of the first problem."""
    try:
        result: T = _decoder(tp)(data, path)
    except RecursionError:
        raise JsonShapeError(path, f"nested deeper than this reader allows (at most {MAX_DEPTH} levels)") from None
    return result


def _decoder(tp: Any) -> Decoder:
    found = _DECODERS.get(tp)
    if found is None:
        found = _build_decoder(tp)
        _DECODERS[tp] = found
    return found


def _expect(kind: type, name: str) -> Decoder:
    def decode(value: Any, path: str) -> Any:
        if type(value) is not kind:
            raise JsonShapeError(path, f"expected {name}, got {_type_name(value)}")
        return value

    return decode


def _build_decoder(tp: Any) -> Decoder:
    if tp is Any:
        return lambda value, path: check_plain(value, path)
    if tp is str:
        return _expect(str, "a string")
    if tp is bool:
        return _expect(bool, "true or false")
    if tp is int:
        return _expect(int, "an integer")
    if tp is type(None):
        return _expect(type(None), "null")
    supertype = getattr(tp, "__supertype__", None)  # NewType
    if supertype is not None:
        return _decoder(supertype)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return _enum_decoder(tp)
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        return _dataclass_decoder(tp)
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is typing.Literal:
        return _literal_decoder(args)
    if origin is Union:
        return _union_decoder(args)
    if origin in (list, tuple, collections.abc.Sequence):
        return _sequence_decoder(origin, args)
    if origin in (dict, collections.abc.Mapping):
        return _mapping_decoder(args)
    raise TypeError(f"strictjson: no decoder for {tp!r}")


def _enum_decoder(tp: Type[enum.Enum]) -> Decoder:
    by_value = {m.value: m for m in tp}
    allowed = ", ".join(str(v) for v in by_value)

    def decode(value: Any, path: str) -> Any:
        if not isinstance(value, str) or value not in by_value:
            raise JsonShapeError(path, f"expected one of {allowed}, got {_short(value)}")
        return by_value[value]

    return decode


def _literal_decoder(args: Tuple[Any, ...]) -> Decoder:
    allowed = ", ".join(_short(a) for a in args)

    def decode(value: Any, path: str) -> Any:
        for a in args:
            if value == a and type(value) is type(a):
                return value
        raise JsonShapeError(path, f"expected {allowed}, got {_short(value)}")

    return decode


def _union_decoder(args: Tuple[Any, ...]) -> Decoder:
    optional = type(None) in args
    rest = tuple(a for a in args if a is not type(None))
    inner: Decoder = _decoder(rest[0]) if len(rest) == 1 else _alternatives_decoder(rest)

    if not optional:
        return inner

    def decode(value: Any, path: str) -> Any:
        if value is None:
            return None
        return inner(value, path)

    return decode


def _alternatives_decoder(options: Tuple[Any, ...]) -> Decoder:
    """Union of several types: dataclasses told apart by a shared Literal field, else the first that fits."""
    tag, by_tag = _discriminator(options)
    decoders = [(o, _decoder(o)) for o in options]

    def decode(value: Any, path: str) -> Any:
        found = value.get(tag) if tag is not None and isinstance(value, dict) else None
        if isinstance(found, str) and found in by_tag:
            return _decoder(by_tag[found])(value, path)
        if tag is not None:
            allowed = ", ".join(repr(t) for t in by_tag)
            raise JsonShapeError(f"{path}.{tag}", f"expected one of {allowed}, got {_short(value.get(tag) if isinstance(value, dict) else value)}")
        problems: List[str] = []
        for _o, dec in decoders:
            try:
                return dec(value, path)
            except JsonShapeError as exc:
                problems.append(str(exc))
        raise JsonShapeError(path, "fits none of the allowed forms: " + " | ".join(problems))

    return decode


def _discriminator(options: Tuple[Any, ...]) -> Tuple[Optional[str], Dict[str, Any]]:
    """The tag key and tag-to-class map when every option carries a distinct ``__json_tag__``."""
    tags: List[Tuple[str, str]] = [t for t in (getattr(o, "__json_tag__", None) for o in options) if t is not None]
    if len(tags) != len(options) or len({k for k, _ in tags}) != 1 or len({v for _, v in tags}) != len(options):
        return None, {}
    return tags[0][0], {value: o for (_, value), o in zip(tags, options)}


def _sequence_decoder(origin: Any, args: Tuple[Any, ...]) -> Decoder:
    if origin is tuple and not (len(args) == 2 and args[1] is Ellipsis):
        raise TypeError("strictjson: only homogeneous Tuple[X, ...] is supported")
    item = _decoder(args[0]) if args else _decoder(Any)
    make: Callable[[List[Any]], Any] = list if origin is list else tuple

    def decode(value: Any, path: str) -> Any:
        if not isinstance(value, list):
            raise JsonShapeError(path, f"expected an array, got {_type_name(value)}")
        return make([item(v, f"{path}[{i}]") for i, v in enumerate(value)])

    return decode


def _mapping_decoder(args: Tuple[Any, ...]) -> Decoder:
    if args and args[0] is not str:
        raise TypeError("strictjson: mapping keys must be str")
    item = _decoder(args[1]) if args else _decoder(Any)

    def decode(value: Any, path: str) -> Any:
        if not isinstance(value, dict):
            raise JsonShapeError(path, f"expected an object, got {_type_name(value)}")
        return {k: item(v, f"{path}.{k}") for k, v in value.items()}

    return decode


def _hints(cls: Any) -> Dict[str, Any]:
    module = sys.modules.get(cls.__module__)
    return typing.get_type_hints(cls, vars(module) if module else None)


@dataclasses.dataclass(frozen=True)
class _FieldPlan:
    attr: str
    key: str
    tp: Any
    required: bool
    omit_none: bool


def _plan(cls: Any) -> List[_FieldPlan]:
    hints = _hints(cls)
    plans: List[_FieldPlan] = []
    for f in dataclasses.fields(cls):
        if not f.init:
            continue
        meta: Mapping[str, Any] = f.metadata or {}
        plans.append(
            _FieldPlan(
                attr=f.name,
                key=meta.get("name", f.name),
                tp=hints[f.name],
                required=not meta.get("omit_none", False),
                omit_none=bool(meta.get("omit_none", False)),
            )
        )
    return plans


def _dataclass_decoder(cls: Any) -> Decoder:
    plans = _plan(cls)
    derived: Tuple[str, ...] = tuple(getattr(cls, "__json_derived__", ()))
    tag: Optional[Tuple[str, str]] = getattr(cls, "__json_tag__", None)
    keys = {p.key for p in plans} | set(derived) | ({tag[0]} if tag else set())
    name = cls.__name__
    decoders: List[Tuple[_FieldPlan, Optional[Decoder]]] = [(p, None) for p in plans]

    def decode(value: Any, path: str) -> Any:
        if not isinstance(value, dict):
            raise JsonShapeError(path, f"expected an object ({name}), got {_type_name(value)}")
        unknown = [k for k in value if k not in keys]
        if unknown:
            raise JsonShapeError(f"{path}.{unknown[0]}", f"unknown key (not a field of {name})")
        if tag is not None and value.get(tag[0]) != tag[1]:
            raise JsonShapeError(f"{path}.{tag[0]}", f"expected {tag[1]!r}, got {_short(value.get(tag[0]))}")
        kwargs: Dict[str, Any] = {}
        for i, (plan, dec) in enumerate(decoders):
            if plan.key not in value:
                if plan.required:
                    raise JsonShapeError(f"{path}.{plan.key}", f"missing field of {name}")
                kwargs[plan.attr] = None
                continue
            if dec is None:  # compiled on first use: allows recursive types
                dec = _decoder(plan.tp)
                decoders[i] = (plan, dec)
            kwargs[plan.attr] = dec(value[plan.key], f"{path}.{plan.key}")
        for d in derived:
            if d not in value:
                raise JsonShapeError(f"{path}.{d}", f"missing field of {name}")
        try:
            obj = cls(**kwargs)
        except (TypeError, ValueError) as exc:
            raise JsonShapeError(path, f"invalid {name}: {exc}") from None
        for d in derived:
            expected = to_json(getattr(obj, d))
            if value[d] != expected or type(value[d]) is not type(expected):
                raise JsonShapeError(f"{path}.{d}", f"is {_short(value[d])}, but the other fields give {_short(expected)}")
        return obj

    return decode


# ------------------------------------------------------------------------------------------ encoding


def to_json(obj: Any) -> JSON:
    """Plain JSON for a dataclass tree (enums as values, tuples as lists)."""
    if isinstance(obj, enum.Enum):
        return obj.value
    if obj is None or isinstance(obj, (str, bool, int)):
        return obj
    enc = _ENCODERS.get(type(obj))
    if enc is None:
        enc = _build_encoder(type(obj))
        _ENCODERS[type(obj)] = enc
    return enc(obj)


def json_items(obj: Any) -> List[Tuple[str, Any]]:
    """The (key, value) pairs ``to_json`` would write for a dataclass, values not yet converted."""
    out: List[Tuple[str, Any]] = []
    tag: Optional[Tuple[str, str]] = getattr(type(obj), "__json_tag__", None)
    if tag:
        out.append(tag)
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        if value is None and f.metadata.get("omit_none"):
            continue
        out.append((str(f.metadata.get("name", f.name)), value))
    out += [(d, getattr(obj, d)) for d in getattr(type(obj), "__json_derived__", ())]
    return out


def _build_encoder(cls: type) -> Encoder:
    if issubclass(cls, enum.Enum):
        return lambda obj: obj.value
    if dataclasses.is_dataclass(cls):
        fields = [(f.name, str(f.metadata.get("name", f.name)), bool(f.metadata.get("omit_none"))) for f in dataclasses.fields(cls)]
        derived: Tuple[str, ...] = tuple(getattr(cls, "__json_derived__", ()))
        tag: Optional[Tuple[str, str]] = getattr(cls, "__json_tag__", None)

        def encode(obj: Any) -> Any:
            out: Dict[str, Any] = {tag[0]: tag[1]} if tag else {}
            for attr, key, omit_none in fields:
                value = getattr(obj, attr)
                if value is None and omit_none:
                    continue
                out[key] = to_json(value)
            for d in derived:
                out[d] = to_json(getattr(obj, d))
            return out

        return encode
    if issubclass(cls, (list, tuple)):
        return lambda obj: [to_json(v) for v in obj]
    if issubclass(cls, dict) or issubclass(cls, Mapping):
        return lambda obj: {str(k): to_json(v) for k, v in obj.items()}
    if issubclass(cls, float):
        raise TypeError("strictjson: floats are not allowed in riskagent documents")
    raise TypeError(f"strictjson: cannot encode {cls.__name__}")


# ------------------------------------------------------------------------------------------ schema


def json_schema(tp: Any, defs: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    """A JSON Schema (2020-12) fragment for ``tp``; dataclasses go into ``defs`` by class name."""
    defs = {} if defs is None else defs
    if tp is Any:
        return {}
    if tp is str:
        return {"type": "string"}
    if tp is bool:
        return {"type": "boolean"}
    if tp is int:
        return {"type": "integer"}
    if tp is type(None):
        return {"type": "null"}
    supertype = getattr(tp, "__supertype__", None)
    if supertype is not None:
        return json_schema(supertype, defs)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return {"enum": [m.value for m in tp]}
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        name = tp.__name__
        if name not in defs:
            defs[name] = {}  # placeholder against recursion
            props: Dict[str, Any] = {}
            required: List[str] = []
            tag = getattr(tp, "__json_tag__", None)
            if tag:
                props[tag[0]] = {"const": tag[1]}
                required.append(tag[0])
            for p in _plan(tp):
                props[p.key] = json_schema(p.tp, defs)
                if p.required:
                    required.append(p.key)
            for d in getattr(tp, "__json_derived__", ()):
                prop = getattr(tp, d)
                returns = typing.get_type_hints(prop.fget, vars(sys.modules[tp.__module__])).get("return", Any)
                props[d] = json_schema(returns, defs)
                required.append(d)
            doc = (tp.__doc__ or "").strip().split("\n")[0]
            defs[name] = {
                "type": "object",
                **({"description": doc} if doc else {}),
                "additionalProperties": False,
                "required": sorted(required),
                "properties": dict(sorted(props.items())),
            }
        return {"$ref": f"#/$defs/{name}"}
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is typing.Literal:
        return {"enum": list(args)} if len(args) > 1 else {"const": args[0]}
    if origin is Union:
        return {"anyOf": [json_schema(a, defs) for a in args]}
    if origin in (list, tuple, collections.abc.Sequence):
        return {"type": "array", "items": json_schema(args[0], defs) if args else {}}
    if origin in (dict, collections.abc.Mapping):
        return {"type": "object", "additionalProperties": json_schema(args[1], defs) if args else {}}
    raise TypeError(f"strictjson: no schema for {tp!r}")
