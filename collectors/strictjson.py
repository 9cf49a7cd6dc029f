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
* ``omit_empty``: the key is left out when the value is an empty array or
  object (and, when absent, decodes as the empty value of the field's type);
* ``name``: the JSON key when it differs from the attribute name.

A class may carry a constant tag, ``__json_tag__ = ("kind", "file")``: it is
written as a key, required when decoding, and tells the members of a union
apart. A class may also list read-only properties in ``__json_derived__``: they are
written like fields, and when decoding the key must be present and equal to
the value the decoded object computes (a report cannot claim a layer that its
MLPS unit does not have).

A class may leave out of its JSON what follows from the rest of it (a finding's
title follows from its check id and the catalogue). ``__json_filled__`` lists
fields that are never written: a key of that name is refused, so a document
cannot carry its own version of them. ``__json_elided__`` lists fields written
only where they differ from what follows. The classmethod ``__json_fill__``
gives both: from the decoded written fields (and derived keys), never the
elided ones, it returns the value of every filled field and of the elided
fields it can give. A ValueError it raises is a decoding error at the object's
path (and, when encoding, means that every elided field is written). An elided
key that holds exactly what would be filled in is refused, so every object has
one JSON form.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import enum
import functools
import operator
import sys
import typing
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple, Type, TypeVar, Union

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


def json_field(*, omit_none: bool = False, omit_empty: bool = False, name: Optional[str] = None) -> Dict[str, Any]:
    """Metadata for ``dataclasses.field(metadata=...)``."""
    meta: Dict[str, Any] = {"omit_none": omit_none, "omit_empty": omit_empty}
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
    if _is_plain(value, depth):
        return value  # the common case, told without building a path for every value
    return _check_plain(value, path, depth)


def _is_plain(value: Any, depth: int) -> bool:
    """Whether ``_check_plain`` accepts ``value``: the same rules, no paths, no messages."""
    if depth > MAX_DEPTH:
        return False
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return True
    # Scalar members are told here, without a call each (most values are scalars); a container at the depth
    # limit may hold nothing, as a member one level deeper would be refused.
    if kind is dict:
        if depth >= MAX_DEPTH:
            return not value
        for k, v in value.items():
            if type(k) is not str:
                return False
            t = type(v)
            if not (t is str or t is int or t is bool or v is None or _is_plain(v, depth + 1)):
                return False
        return True
    if kind is list or kind is tuple:
        if depth >= MAX_DEPTH:
            return not value
        for v in value:
            t = type(v)
            if not (t is str or t is int or t is bool or v is None or _is_plain(v, depth + 1)):
                return False
        return True
    return False  # a subclass or anything else: the full check decides (and names it)


def _check_plain(value: Any, path: str = "$", depth: int = 0) -> Any:
    if depth > MAX_DEPTH:
        raise JsonShapeError(path, f"nested deeper than {MAX_DEPTH} levels")
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str):
                raise JsonShapeError(path, f"object key {_short(k)} is not a string")
            _check_plain(v, f"{path}.{k}", depth + 1)
        return value
    if isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            _check_plain(v, f"{path}[{i}]", depth + 1)
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


def fields_from_json(cls: type, value: Mapping[str, Any], attrs: Sequence[str]) -> Dict[str, Any]:
    """Fields ``attrs`` of dataclass ``cls`` decoded from its JSON object ``value`` as they are when the whole
    object is decoded (same checks, same paths, absent optional fields alike), without reading the others.

    Only for fields that do not depend on the others (not elided: those are filled from the rest).
    """
    plans = _field_plans(cls)
    out: Dict[str, Any] = {}
    for attr in attrs:
        plan = plans.get(attr)
        if plan is None or plan.elided:
            raise TypeError(f"strictjson: {cls.__name__} has no independently written field {attr!r}")
        if plan.key in value:
            out[attr] = from_json(plan.tp, value[plan.key], f"$.{plan.key}")
        elif plan.required:
            raise JsonShapeError(f"$.{plan.key}", f"missing field of {cls.__name__}")
        else:
            out[attr] = None if plan.omit_none else _empty(plan.tp)
    return out


@functools.cache
def _field_plans(cls: type) -> Mapping[str, _FieldPlan]:
    return {p.attr: p for p in _plan(cls)}


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

    _EXPECTED[decode] = kind
    return decode


_EXPECTED: Dict[Decoder, type] = {}  # decoders that accept exactly one plain type, as is: str, int, bool, null


def _decode_any(value: Any, path: str) -> Any:
    return check_plain(value, path)


def _build_decoder(tp: Any) -> Decoder:
    if tp is Any:
        return _decode_any
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
    tagged: Dict[str, Decoder] = {}  # each tag's decoder, looked up once (not a type's hash per value)

    def decode(value: Any, path: str) -> Any:
        found = value.get(tag) if tag is not None and isinstance(value, dict) else None
        if isinstance(found, str) and found in by_tag:
            dec = tagged.get(found)
            if dec is None:
                dec = tagged[found] = _decoder(by_tag[found])
            return dec(value, path)
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
    plain = _EXPECTED.get(item)  # items kept as they are when each has this type (an array of strings, say)
    any_items = item is _decode_any

    def decode(value: Any, path: str) -> Any:
        if not isinstance(value, list):
            raise JsonShapeError(path, f"expected an array, got {_type_name(value)}")
        if plain is not None and all(type(v) is plain for v in value):
            return make(value)
        # Plain JSON items: told in one walk, each item's depth counted from itself as check_plain counts it.
        if any_items and _is_plain(value, -1):
            return make(value)
        return make([item(v, f"{path}[{i}]") for i, v in enumerate(value)])

    return decode


def _mapping_decoder(args: Tuple[Any, ...]) -> Decoder:
    if args and args[0] is not str:
        raise TypeError("strictjson: mapping keys must be str")
    item = _decoder(args[1]) if args else _decoder(Any)
    any_items = item is _decode_any

    def decode(value: Any, path: str) -> Any:
        if not isinstance(value, dict):
            raise JsonShapeError(path, f"expected an object, got {_type_name(value)}")
        # Plain JSON values (a collector's facts): told in one walk without a path each, each value's depth
        # counted from itself as check_plain counts it; anything else is decoded value by value and named.
        if any_items and _is_plain(value, -1):
            return dict(value)
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
    omit_empty: bool = False
    elided: bool = False


def _plan(cls: Any) -> List[_FieldPlan]:
    """The fields a class's JSON may hold (its filled fields are not among them)."""
    hints = _hints(cls)
    filled, elided = _left_out(cls)
    plans: List[_FieldPlan] = []
    for f in dataclasses.fields(cls):
        if not f.init or f.name in filled:
            continue
        meta: Mapping[str, Any] = f.metadata or {}
        omit_none = bool(meta.get("omit_none", False))
        omit_empty = bool(meta.get("omit_empty", False))
        plans.append(
            _FieldPlan(
                attr=f.name,
                key=meta.get("name", f.name),
                tp=hints[f.name],
                required=not (omit_none or omit_empty or f.name in elided),
                omit_none=omit_none,
                omit_empty=omit_empty,
                elided=f.name in elided,
            )
        )
    return plans


def _left_out(cls: Any) -> Tuple[Tuple[str, ...], Tuple[str, ...]]:
    """``__json_filled__`` and ``__json_elided__`` of a class (empty for most)."""
    filled: Tuple[str, ...] = tuple(getattr(cls, "__json_filled__", ()))
    elided: Tuple[str, ...] = tuple(getattr(cls, "__json_elided__", ()))
    if (filled or elided) and not callable(getattr(cls, "__json_fill__", None)):
        raise TypeError(f"strictjson: {cls.__name__} leaves fields out of its JSON but has no __json_fill__")
    return filled, elided


def _fill(cls: Any, basis: Dict[str, Any]) -> Dict[str, Any]:
    given: Dict[str, Any] = dict(cls.__json_fill__(basis))
    return given


def _empty(tp: Any) -> Any:
    """The empty value of an array or object type (for ``omit_empty`` fields): a new one each time."""
    return _empty_maker(tp)()


@functools.cache
def _empty_maker(tp: Any) -> Callable[[], Any]:
    origin = typing.get_origin(tp)
    if origin is Union:
        rest = [a for a in typing.get_args(tp) if a is not type(None)]
        origin = typing.get_origin(rest[0]) if len(rest) == 1 else None
    if origin is tuple:
        return tuple
    if origin is list:
        return list
    if origin in (dict, collections.abc.Mapping):
        return dict
    raise TypeError(f"strictjson: omit_empty needs an array or object type, not {tp!r}")


def _is_empty(value: Any) -> bool:
    return isinstance(value, (tuple, list, dict, collections.abc.Mapping)) and len(value) == 0


def same_json(a: Any, b: Any) -> bool:
    """Whether two values have the same JSON form (``true`` and ``1`` differ)."""
    return _strict_equal(to_json(a), to_json(b))


def _strict_equal(a: Any, b: Any) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_strict_equal(v, b[k]) for k, v in a.items())
    if isinstance(a, list):
        return len(a) == len(b) and all(_strict_equal(x, y) for x, y in zip(a, b))
    return bool(a == b)


def _derived_types(cls: Any) -> Dict[str, Any]:
    module = vars(sys.modules[cls.__module__])
    return {d: typing.get_type_hints(getattr(cls, d).fget, module).get("return", Any) for d in getattr(cls, "__json_derived__", ())}


def _dataclass_decoder(cls: Any) -> Decoder:
    plans = _plan(cls)
    derived: Tuple[str, ...] = tuple(getattr(cls, "__json_derived__", ()))
    tag: Optional[Tuple[str, str]] = getattr(cls, "__json_tag__", None)
    keys = {p.key for p in plans} | set(derived) | ({tag[0]} if tag else set())
    filled, elided = _left_out(cls)
    filled_keys = {str(f.metadata.get("name", f.name)) for f in dataclasses.fields(cls) if f.name in filled}
    fills = bool(filled or elided)
    name = cls.__name__
    decoders: List[Tuple[_FieldPlan, Optional[Decoder]]] = [(p, None) for p in plans]
    derived_decoders: Dict[str, Decoder] = {}

    def decode(value: Any, path: str) -> Any:
        if not isinstance(value, dict):
            raise JsonShapeError(path, f"expected an object ({name}), got {_type_name(value)}")
        unknown = [k for k in value if k not in keys]
        if unknown:
            if unknown[0] in filled_keys:
                raise JsonShapeError(f"{path}.{unknown[0]}", f"is not written in a {name}: it follows from the other fields")
            raise JsonShapeError(f"{path}.{unknown[0]}", f"unknown key (not a field of {name})")
        if tag is not None and value.get(tag[0]) != tag[1]:
            raise JsonShapeError(f"{path}.{tag[0]}", f"expected {tag[1]!r}, got {_short(value.get(tag[0]))}")
        kwargs: Dict[str, Any] = {}
        absent: List[_FieldPlan] = []  # elided fields not written: filled in below
        for i, (plan, dec) in enumerate(decoders):
            if plan.key not in value:
                if plan.required:
                    raise JsonShapeError(f"{path}.{plan.key}", f"missing field of {name}")
                if plan.elided:
                    absent.append(plan)
                else:
                    kwargs[plan.attr] = None if plan.omit_none else _empty(plan.tp)
                continue
            if dec is None:  # compiled on first use: allows recursive types
                dec = _decoder(plan.tp)
                decoders[i] = (plan, dec)
            field_value = value[plan.key]
            if type(field_value) is not _EXPECTED.get(dec):  # a plain value of the one type accepted is taken as is
                field_value = dec(field_value, f"{path}.{plan.key}")
            kwargs[plan.attr] = field_value
        for d in derived:
            if d not in value:
                raise JsonShapeError(f"{path}.{d}", f"missing field of {name}")
        given: Dict[str, Any] = {}
        if fills:
            basis = {p.attr: kwargs[p.attr] for p in plans if not p.elided}
            if not derived_decoders:
                derived_decoders.update({d: _decoder(t) for d, t in _derived_types(cls).items()})
            basis.update({d: derived_decoders[d](value[d], f"{path}.{d}") for d in derived})
            try:
                given = _fill(cls, basis)
            except (KeyError, ValueError) as exc:
                raise JsonShapeError(path, str(exc.args[0]) if exc.args else type(exc).__name__) from None
            for attr in filled:
                if attr not in given:
                    raise JsonShapeError(path, f"{name}: nothing gives its {attr}")
                kwargs[attr] = given[attr]
            for plan in plans:
                if plan.elided and plan.attr in kwargs and plan.attr in given and same_json(kwargs[plan.attr], given[plan.attr]):
                    raise JsonShapeError(f"{path}.{plan.key}", "holds what the other fields give: it is left out then")
        for plan in absent:
            if plan.attr in given:
                kwargs[plan.attr] = given[plan.attr]
            elif plan.omit_none:
                kwargs[plan.attr] = None
            elif plan.omit_empty:
                kwargs[plan.attr] = _empty(plan.tp)
            else:
                raise JsonShapeError(f"{path}.{plan.key}", f"missing field of {name}")
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
    kind = type(obj)
    if kind is str or kind is int or kind is bool or obj is None:  # most calls: tested by exact type first
        return obj
    if isinstance(obj, enum.Enum):
        return obj.value
    if obj is None or isinstance(obj, (str, bool, int)):
        return obj
    enc = _ENCODERS.get(kind)
    if enc is None:
        enc = _build_encoder(kind)
        _ENCODERS[kind] = enc
    return enc(obj)


def json_items(obj: Any) -> List[Tuple[str, Any]]:
    """The (key, value) pairs ``to_json`` would write for a dataclass, values not yet converted."""
    return _items_of(type(obj))(obj)


_ITEMS: Dict[type, Callable[[Any], List[Tuple[str, Any]]]] = {}


def _items_of(cls: type) -> Callable[[Any], List[Tuple[str, Any]]]:
    """What a dataclass writes, compiled once per class: its tag, its fields less those left out, its derived keys."""
    found = _ITEMS.get(cls)
    if found is not None:
        return found
    filled, elided = _left_out(cls)
    fields = [
        (f.name, str(f.metadata.get("name", f.name)), bool(f.metadata.get("omit_none")), bool(f.metadata.get("omit_empty")))
        for f in dataclasses.fields(cls)
        if f.name not in filled
    ]
    plain = [f[0] for f in fields if f[0] not in elided]
    derived: Tuple[str, ...] = tuple(getattr(cls, "__json_derived__", ()))
    tag: Optional[Tuple[str, str]] = getattr(cls, "__json_tag__", None)

    def items(obj: Any) -> List[Tuple[str, Any]]:
        out: List[Tuple[str, Any]] = [tag] if tag else []
        given: Dict[str, Any] = {}
        if elided:
            basis = {attr: getattr(obj, attr) for attr in plain}
            basis.update({d: getattr(obj, d) for d in derived})
            try:
                given = _fill(cls, basis)
            except (KeyError, ValueError):
                given = {}  # nothing follows from these fields here: every elided field is written
        for attr, key, omit_none, omit_empty in fields:
            value = getattr(obj, attr)
            if (value is None and omit_none) or (omit_empty and _is_empty(value)):
                continue
            # Left out when it holds what the fill gives: strictly alike (true is not 1), so only values
            # that are at least loosely equal need the strict comparison.
            if attr in elided and attr in given and _alike(value, given[attr]):
                continue
            out.append((key, value))
        out += [(d, getattr(obj, d)) for d in derived]
        return out

    _ITEMS[cls] = items
    return items


def json_object(cls: type) -> Callable[[Any], Dict[str, Any]]:
    """For a dataclass: a function giving the JSON object ``to_json`` writes of an instance, its values not
    yet converted. Compiled once per class; for a class that writes every field as it is (most), the values
    are read in one C-level call (``operator.attrgetter``)."""
    found = _OBJECTS.get(cls)
    if found is None:
        found = _build_object(cls)
        _OBJECTS[cls] = found
    return found


_OBJECTS: Dict[type, Callable[[Any], Dict[str, Any]]] = {}


def _build_object(cls: type) -> Callable[[Any], Dict[str, Any]]:
    pairs = _plain_pairs(cls)
    if pairs is None:
        filled, elided = _left_out(cls)
        if elided:  # what is written depends on what the fill gives
            items = _items_of(cls)
            return lambda obj: dict(items(obj))
        return _object_with_options(cls, filled)
    keys = tuple(key for _, key in pairs)
    if not keys:
        return lambda obj: {}
    if len(keys) == 1:
        only, attr = keys[0], pairs[0][0]
        return lambda obj: {only: getattr(obj, attr)}
    read = operator.attrgetter(*(attr for attr, _ in pairs))
    return lambda obj: dict(zip(keys, read(obj)))


def _object_with_options(cls: type, filled: Tuple[str, ...]) -> Callable[[Any], Dict[str, Any]]:
    """``json_object`` of a class with a tag, derived keys or fields left out when None or empty (none elided)."""
    specs = [
        (f.name, str(f.metadata.get("name", f.name)), bool(f.metadata.get("omit_none")), bool(f.metadata.get("omit_empty")))
        for f in dataclasses.fields(cls)
        if f.name not in filled
    ]
    derived: Tuple[str, ...] = tuple(getattr(cls, "__json_derived__", ()))
    tag: Optional[Tuple[str, str]] = getattr(cls, "__json_tag__", None)
    names = [attr for attr, _, _, _ in specs] + list(derived)
    read = operator.attrgetter(*names) if len(names) > 1 else (lambda obj: (getattr(obj, names[0]),)) if names else (lambda obj: ())
    keys = [(key, omit_none, omit_empty) for _, key, omit_none, omit_empty in specs] + [(d, False, False) for d in derived]

    def write(obj: Any) -> Dict[str, Any]:
        out: Dict[str, Any] = {tag[0]: tag[1]} if tag else {}
        for (key, omit_none, omit_empty), value in zip(keys, read(obj)):
            if (value is None and omit_none) or (omit_empty and _is_empty(value)):
                continue
            out[key] = value
        return out

    return write


def _plain_pairs(cls: type) -> Optional[Tuple[Tuple[str, str], ...]]:
    """(attribute, key) of every field when a dataclass writes each of them as it is: no tag, no derived or
    elided keys, nothing omitted; None otherwise."""
    filled, elided = _left_out(cls)
    fields = [f for f in dataclasses.fields(cls) if f.name not in filled]
    if elided or getattr(cls, "__json_derived__", ()) or getattr(cls, "__json_tag__", None):
        return None
    if any(f.metadata.get("omit_none") or f.metadata.get("omit_empty") for f in fields):
        return None
    return tuple((f.name, str(f.metadata.get("name", f.name))) for f in fields)


def _alike(a: Any, b: Any) -> bool:
    """``same_json(a, b)``, answered at once for the same object and for strings, integers and booleans of one type."""
    if a is b:
        return True
    kind = type(a)
    if kind is type(b):
        if kind is str or kind is int or kind is bool:
            return bool(a == b)
        if kind is dict and len(a) == len(b) and _alike_members(a, b):
            return True  # an object of the same keys whose values are each the same object or an alike scalar
    return bool(a == b) and same_json(a, b)


def _alike_members(a: Dict[Any, Any], b: Dict[Any, Any]) -> bool:
    """Whether every value of ``a`` is, under its key in ``b``, the same object or a string, integer or boolean of
    the same type and value (a sufficient test: False leaves it to ``same_json``)."""
    for k, v in a.items():
        w = b.get(k, _ABSENT)
        if v is w:
            continue
        t = type(v)
        if t is type(w) and (t is str or t is int or t is bool) and v == w:
            continue
        return False
    return True


_ABSENT = object()


def _build_encoder(cls: type) -> Encoder:
    if issubclass(cls, enum.Enum):
        return lambda obj: obj.value
    if dataclasses.is_dataclass(cls):
        pairs = _plain_pairs(cls)
        if pairs is not None:
            # Every field written as it is (most classes): what _items_of gives, without building the pairs first.

            def encode_plain(obj: Any) -> Any:
                return {key: to_json(getattr(obj, attr)) for attr, key in pairs}

            return encode_plain
        items = _items_of(cls)

        def encode(obj: Any) -> Any:
            return {key: to_json(value) for key, value in items(obj)}

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
            for d, returns in _derived_types(tp).items():
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
