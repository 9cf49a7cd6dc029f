"""A small JSON parser that remembers where every value starts, with limits a hostile file cannot pass.

Questionnaire, answers and configuration files are written by people
(insurers, assessors, administrators). An error must name the file, the line
and the field, which the standard library's parser cannot do once parsing has
succeeded. Files are small, so a plain recursive-descent parser is fast
enough. Whatever the text, the parser ends in a value or a ``JsonPosError``
with a line, a column and (where there is one) the field: nesting is capped
(``max_depth``, far below Python's recursion limit), integers are capped in
digits (a report carries at most 20), numbers are ASCII JSON numbers only,
and floating-point numbers, which no signed report can hold, are refused with
their field unless ``allow_floats``.
"""

from __future__ import annotations

import json
import re
from typing import Any, Dict, List, Tuple, Union

PathKey = Tuple[Union[str, int], ...]

_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
_SURROGATE = re.compile("[\ud800-\udfff]")
MAX_DEPTH = 64  # the deepest questionnaire rule nests about ten levels
MAX_INT_DIGITS = 20  # as report.canonical: a signed report holds no longer integer


def field_name(path: PathKey) -> str:
    """``sections[0].questions[2].id``: a path as a person reads it."""
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out if len(out) <= 120 else out[:119] + "…"


class JsonPosError(ValueError):
    """Syntax error or refused value, with a line, a column and the field it is in (``path``, () at the top)."""

    def __init__(self, message: str, line: int, column: int, path: PathKey = ()) -> None:
        where = f" ({field_name(path)})" if path else ""
        super().__init__(f"line {line} column {column}{where}: {message}")
        self.line = line
        self.column = column
        self.message = message
        self.path = path


def line_of_offset(data: bytes, offset: int) -> int:
    """The line (1-based) of a byte offset: for an encoding error, before the text exists."""
    return data.count(b"\n", 0, offset) + 1


class _Parser:
    def __init__(self, text: str, max_depth: int, max_int_digits: int, allow_floats: bool) -> None:
        self.text = text
        self.lines: Dict[PathKey, int] = {}
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.max_depth = max_depth
        self.max_int_digits = max_int_digits
        self.allow_floats = allow_floats

    def line_col(self, pos: int) -> Tuple[int, int]:
        lo, hi = 0, len(self._line_starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self._line_starts[mid] <= pos:
                lo = mid
            else:
                hi = mid - 1
        return lo + 1, pos - self._line_starts[lo] + 1

    def fail(self, message: str, pos: int, path: PathKey = ()) -> JsonPosError:
        line, col = self.line_col(pos)
        return JsonPosError(message, line, col, path)

    def skip(self, pos: int) -> int:
        m = _WS.match(self.text, pos)
        return m.end() if m else pos

    def value(self, pos: int, path: PathKey) -> Tuple[Any, int]:
        pos = self.skip(pos)
        self.lines[path] = self.line_col(pos)[0]
        if pos >= len(self.text):
            raise self.fail("unexpected end of file", pos)
        ch = self.text[pos]
        if ch in "{[":
            depth = len(path) + 1
            if depth > self.max_depth:
                raise self.fail(f"nested deeper than {self.max_depth} levels", pos, path)
            return self.obj(pos + 1, path) if ch == "{" else self.arr(pos + 1, path)
        if ch == '"':
            return self.string(pos, path)
        for literal, val in (("true", True), ("false", False), ("null", None)):
            if self.text.startswith(literal, pos):
                return val, pos + len(literal)
        m = _NUMBER.match(self.text, pos)
        if m:
            num = m.group(0)
            if any(c in num for c in ".eE"):
                if not self.allow_floats:
                    raise self.fail(f"{num[:40]}: a number with a fraction or exponent; use a whole number (integer)", pos, path)
                if len(num) > 100:
                    raise self.fail(f"a number of {len(num)} characters", pos, path)
                return float(num), m.end()
            digits = len(num.lstrip("-"))
            if digits > self.max_int_digits:
                raise self.fail(f"an integer of {digits} digits (at most {self.max_int_digits} are allowed)", pos, path)
            return int(num), m.end()
        raise self.fail(f"unexpected character {ch!r}", pos, path)

    def string(self, pos: int, path: PathKey = ()) -> Tuple[str, int]:
        try:
            text, end = json.decoder.scanstring(self.text, pos + 1)  # type: ignore[attr-defined]
        except json.JSONDecodeError as exc:
            raise self.fail(exc.msg, exc.pos, path) from None
        surrogate = _SURROGATE.search(text)
        if surrogate:  # a \ud800 escape: text that UTF-8, and so a signed report, cannot hold
            raise self.fail(f"a lone surrogate \\u{ord(surrogate.group(0)):04x} in a string", pos, path)
        return str(text), int(end)

    def obj(self, pos: int, path: PathKey) -> Tuple[Dict[str, Any], int]:
        out: Dict[str, Any] = {}
        pos = self.skip(pos)
        if self.text.startswith("}", pos):
            return out, pos + 1
        while True:
            pos = self.skip(pos)
            if not self.text.startswith('"', pos):
                raise self.fail("expected a quoted field name", pos, path)
            key_pos = pos
            key, pos = self.string(pos, path)
            if key in out:
                raise self.fail(f"duplicate field {key!r}", key_pos, path)
            pos = self.skip(pos)
            if not self.text.startswith(":", pos):
                raise self.fail("expected ':' after a field name", pos, (*path, key))
            out[key], pos = self.value(pos + 1, (*path, key))
            key_path: PathKey = (*path, key)
            self.lines[key_path] = self.line_col(key_pos)[0]
            pos = self.skip(pos)
            if self.text.startswith(",", pos):
                pos += 1
                continue
            if self.text.startswith("}", pos):
                return out, pos + 1
            raise self.fail("expected ',' or '}'", pos, path)

    def arr(self, pos: int, path: PathKey) -> Tuple[List[Any], int]:
        out: List[Any] = []
        pos = self.skip(pos)
        if self.text.startswith("]", pos):
            return out, pos + 1
        while True:
            item, pos = self.value(pos, (*path, len(out)))
            out.append(item)
            pos = self.skip(pos)
            if self.text.startswith(",", pos):
                pos += 1
                continue
            if self.text.startswith("]", pos):
                return out, pos + 1
            raise self.fail("expected ',' or ']'", pos, path)


def loads_with_lines(
    text: str, *, max_depth: int = MAX_DEPTH, max_int_digits: int = MAX_INT_DIGITS, allow_floats: bool = False
) -> Tuple[Any, Dict[PathKey, int]]:
    """Parse JSON text; return the value and the line of every path in it.

    Raises only ``JsonPosError``, whatever the text.
    """
    parser = _Parser(text, max_depth, max_int_digits, allow_floats)
    value, pos = parser.value(0, ())
    pos = parser.skip(pos)
    if pos != len(text):
        raise parser.fail("extra data after the JSON value", pos)
    return value, parser.lines
