"""Canonical JSON bytes and a strict parser.

Reports carry no floats (integers and strings only), so sorted keys, no
whitespace and UTF-8 give one byte form per document. The strict parser
rejects what a second parser might read differently (duplicate keys,
NaN/Infinity, floats, lone surrogates) and what would exhaust the reader
(integers longer than any report holds, nesting deeper than any report has):
every such input is a :class:`CanonicalError`, never a crash.
"""

from __future__ import annotations

import json
from typing import Any, Callable, Dict, List, Optional, Tuple

import orjson

MAX_INT_DIGITS = 20  # reports hold counts, ports, uids and epoch seconds: 20 digits is ample
MAX_NESTING = 200  # the deepest report is far shallower; deeper input is refused, not recursed into


class CanonicalError(ValueError):
    """The data cannot be put into, or did not come in, canonical form. ``line`` is set for syntax errors."""

    def __init__(self, message: str, line: Optional[int] = None, detail: Optional[str] = None) -> None:
        super().__init__(message)
        self.line = line
        self.detail = detail or message


def _reject_floats(obj: Any, path: str = "$") -> None:
    if isinstance(obj, bool) or obj is None or isinstance(obj, (int, str)):
        return
    if isinstance(obj, float):
        raise CanonicalError(f"floating-point number at {path}: reports use integers or strings")
    if isinstance(obj, dict):
        for k, v in obj.items():
            if not isinstance(k, str):
                raise CanonicalError(f"non-string key at {path}")
            _reject_floats(v, f"{path}.{k}")
        return
    if isinstance(obj, (list, tuple)):
        for i, v in enumerate(obj):
            _reject_floats(v, f"{path}[{i}]")
        return
    raise CanonicalError(f"unsupported type {type(obj).__name__} at {path}")


def canonical_bytes(obj: Any) -> bytes:
    """Deterministic UTF-8 JSON: sorted keys, no whitespace, no floats."""
    _reject_floats(obj)
    return dumps_canonical(obj)


def dumps_canonical(obj: Any) -> bytes:
    """The canonical encoding of a tree already known to hold no floats (strictjson.to_json refuses them).

    orjson writes it (a tenth of the time): sorted keys (by code point, as Python sorts them), no whitespace,
    UTF-8, and the same escapes as the standard library's encoder with ``ensure_ascii=False``: the two give the
    same bytes for every tree (``tests/report/test_canonical.py`` compares them on generated trees and on every
    code point). What orjson refuses (integers beyond 64 bits, lone surrogates, nesting deeper than 254 levels),
    the standard library's encoder writes or names.
    """
    try:
        return orjson.dumps(obj, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:
        return _dumps_canonical_stdlib(obj)


def _dumps_canonical_stdlib(obj: Any) -> bytes:
    try:
        return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")
    except UnicodeEncodeError as exc:
        raise CanonicalError(f"a string holds a lone surrogate (U+{ord(exc.object[exc.start]):04X}), which UTF-8 cannot encode") from None
    except RecursionError:
        raise CanonicalError(f"nested deeper than {MAX_NESTING} levels") from None


def canonical_record(obj: Any) -> bytes:
    """Canonical bytes of a typed record (a dataclass tree), built one field and one list item at a time.

    The same bytes as ``dumps_canonical(to_json(obj))``, without ever holding the JSON tree of the whole
    record: a report's evidence and findings are encoded item by item.
    """
    from collectors.strictjson import json_items, to_json

    parts: List[bytes] = []
    for key, value in sorted(json_items(obj), key=lambda item: item[0]):
        if isinstance(value, (list, tuple)):
            body = b"[" + b",".join(dumps_canonical(to_json(v)) for v in value) + b"]"
        else:
            body = dumps_canonical(to_json(value))
        parts.append(dumps_canonical(key) + b":" + body)
    return b"{" + b",".join(parts) + b"}"


_QUICK = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_DATETIME


def canonical_record_quick(obj: Any) -> bytes:
    """``canonical_record(obj)`` for a record that holds no float, written without converting it to a JSON
    tree first: orjson walks it and asks only for each dataclass's object (about half the time).

    It does not look for floats (orjson would write one), so it is only for a comparison with bytes that
    hold none: the verifier's, whose signed payload is either exactly these bytes or is read in full. Where
    orjson cannot write a value, the strict encoding gives the bytes (or names the problem).
    """
    try:
        return orjson.dumps(obj, default=_object_of, option=_QUICK)
    except orjson.JSONEncodeError:
        return canonical_record(obj)


def _object_of(obj: Any) -> Any:
    """What ``strictjson.to_json`` makes of a value orjson does not write itself (its values left to orjson)."""
    write = _WRITERS.get(type(obj))
    if write is None:
        write = _writer(type(obj))
        _WRITERS[type(obj)] = write
    return write(obj)


_WRITERS: Dict[type, Callable[[Any], Any]] = {}


def _writer(kind: type) -> Callable[[Any], Any]:
    import dataclasses
    from collections.abc import Mapping

    from collectors.strictjson import json_object

    if dataclasses.is_dataclass(kind):
        return json_object(kind)
    if issubclass(kind, (list, tuple)):
        return list
    if issubclass(kind, Mapping):
        return lambda obj: {str(k): v for k, v in obj.items()}

    def refuse(obj: Any) -> Any:
        raise TypeError(f"cannot encode {kind.__name__}")

    return refuse


def same_canonical(a: Any, b: Any) -> bool:
    """Whether ``canonical_record(a) == canonical_record(b)`` can be told without encoding either: a sufficient test.

    For a record and the one rebuilt from it, which share most of their objects (a verified report and the
    report its evidence gives share the evidence). What ``to_json`` writes of a record is its fields, its
    derived keys and those elided fields that differ from what its ``__json_fill__`` gives from the
    others. So two trees encode alike when they are the same object, or the same type (``true`` is not
    ``1``, a tuple not a list) and value all the way down, dict keys plain strings; and, where a record
    elides fields, the fields its fill reads are alike key order included (canonical JSON sorts every other
    object's keys), or else what the two records write is alike. False means only "not shown": the bytes decide.
    """
    try:
        return a is b or _same(a, b, False)
    except RecursionError:
        return False


def _same(a: Any, b: Any, ordered: bool) -> bool:
    """``same_canonical`` below the top; ``ordered``: a record's fill reads this value, so dict key order counts."""
    kind = type(a)
    if kind is not type(b):
        return False
    if kind is str or kind is int or kind is bool:
        return bool(a == b)
    if kind is tuple or kind is list:
        if len(a) != len(b):
            return False
        for x, y in zip(a, b):
            if x is not y and not _same(x, y, ordered):
                return False
        return True
    if kind is dict:
        if len(a) != len(b):
            return False
        if ordered:
            for (ka, va), (kb, vb) in zip(a.items(), b.items()):
                if type(ka) is not str or type(kb) is not str or ka != kb or (va is not vb and not _same(va, vb, True)):
                    return False
            return True
        for k, va in a.items():
            if type(k) is not str or k not in b:
                return False
            vb = b[k]
            if va is not vb and not _same(va, vb, False):
                return False
        return all(type(k) is str for k in b)
    plan = _record_plan(kind)
    if plan is None:
        return False  # enum members and None are singletons, told apart by identity; anything else is left to the bytes
    names, derived, fills = plan
    alike = True
    for name, read in names:
        va, vb = getattr(a, name), getattr(b, name)
        if va is not vb and not _same(va, vb, ordered or read):
            alike = False
            break
    if alike:
        for name in derived:
            va, vb = getattr(a, name), getattr(b, name)
            if va is not vb and not _same(va, vb, ordered or fills):
                alike = False
                break
    if alike or ordered or not fills:
        return alike
    # The fill's fields hold the same keys in another order: compare what each record writes.
    from collectors.strictjson import json_items

    mine, theirs = json_items(a), json_items(b)
    if len(mine) != len(theirs):
        return False
    return all(ka == kb and (va is vb or _same(va, vb, False)) for (ka, va), (kb, vb) in zip(mine, theirs))


_PLANS: Dict[type, Optional[Tuple[Tuple[Tuple[str, bool], ...], Tuple[str, ...], bool]]] = {}


def _record_plan(cls: type) -> Optional[Tuple[Tuple[Tuple[str, bool], ...], Tuple[str, ...], bool]]:
    """For a dataclass: (each written field with whether its fill reads it, its derived keys, whether it elides any field)."""
    found = _PLANS.get(cls, False)
    if found is not False:
        return found  # type: ignore[return-value]
    import dataclasses

    plan: Optional[Tuple[Tuple[Tuple[str, bool], ...], Tuple[str, ...], bool]] = None
    if dataclasses.is_dataclass(cls):
        elided = set(getattr(cls, "__json_elided__", ()))
        filled = set(getattr(cls, "__json_filled__", ()))
        # A filled field is never written (what it holds follows from the rest): not compared here.
        names = tuple((f.name, bool(elided) and f.name not in elided) for f in dataclasses.fields(cls) if f.name not in filled)
        plan = (names, tuple(getattr(cls, "__json_derived__", ())), bool(elided))
    _PLANS[cls] = plan
    return plan


def _no_duplicates(pairs: List[Tuple[str, Any]]) -> Dict[str, Any]:
    out: Dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise CanonicalError(f"duplicate JSON key {key!r}")
        out[key] = value
    return out


def _no_constant(name: str) -> Any:
    raise CanonicalError(f"non-standard JSON constant {name}")


def _no_float(text: str) -> Any:
    raise CanonicalError(f"floating-point number {text[:40]} (not allowed in reports)")


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise CanonicalError(f"an integer of {len(text)} digits (at most {MAX_INT_DIGITS} are allowed)")
    return int(text)


def quick_loads(data: bytes, max_values: int) -> Any:
    """The JSON value of ``data``, or None where it cannot be read quickly: for a caller that accepts the value
    only when ``data`` is byte for byte the canonical encoding of something it builds itself.

    Not strict (a duplicate key keeps its last value, a float is read as one): canonical bytes hold neither, so
    such data never equals what the caller builds. Bounded like :func:`strict_loads` by ``max_values``.
    """
    if data.count(b"[") + data.count(b"{") + data.count(b",") > max_values:
        return None
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return None


def strict_loads(data: bytes, what: str = "document", max_values: Optional[int] = None) -> Any:
    """Parse JSON, refusing duplicate keys, NaN/Infinity, floats and bad UTF-8.

    ``max_values`` bounds the number of arrays, objects and separators before parsing (a cheap count
    over the bytes, an upper bound on the values), so a small file of a million empty objects cannot
    become gigabytes of Python objects.
    """
    if max_values is not None:
        count = data.count(b"[") + data.count(b"{") + data.count(b",")
        if count > max_values:
            raise CanonicalError(f"{what} holds more than {max_values} JSON values; no report is that large")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CanonicalError(f"{what} is not valid UTF-8 (byte {exc.start})") from exc
    try:
        value = json.loads(
            text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant, parse_float=_no_float, parse_int=_bounded_int
        )
    except RecursionError:
        raise CanonicalError(f"{what} is nested deeper than this reader allows") from None
    except json.JSONDecodeError as exc:
        raise CanonicalError(
            f"{what} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
            exc.lineno,
            f"column {exc.colno}: not valid JSON: {exc.msg}",
        ) from exc
    except CanonicalError as exc:
        raise CanonicalError(f"{what}: {exc}") from None
    return value
