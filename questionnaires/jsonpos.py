"""A small JSON parser that remembers where every value starts.

Questionnaire files are written by people (insurers, assessors). An error
must name the file, the line and the field, which the standard library's
parser cannot do once parsing has succeeded. Files are small, so a plain
recursive-descent parser is fast enough.
"""

from __future__ import annotations

import json
import re
from typing import Any, Dict, List, Tuple, Union

PathKey = Tuple[Union[str, int], ...]

_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?")


class JsonPosError(ValueError):
    """Syntax error with a line and column."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(f"line {line} column {column}: {message}")
        self.line = line
        self.column = column
        self.message = message


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.lines: Dict[PathKey, int] = {}
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def line_col(self, pos: int) -> Tuple[int, int]:
        lo, hi = 0, len(self._line_starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self._line_starts[mid] <= pos:
                lo = mid
            else:
                hi = mid - 1
        return lo + 1, pos - self._line_starts[lo] + 1

    def fail(self, message: str, pos: int) -> JsonPosError:
        line, col = self.line_col(pos)
        return JsonPosError(message, line, col)

    def skip(self, pos: int) -> int:
        m = _WS.match(self.text, pos)
        return m.end() if m else pos

    def value(self, pos: int, path: PathKey) -> Tuple[Any, int]:
        pos = self.skip(pos)
        self.lines[path] = self.line_col(pos)[0]
        if pos >= len(self.text):
            raise self.fail("unexpected end of file", pos)
        ch = self.text[pos]
        if ch == "{":
            return self.obj(pos + 1, path)
        if ch == "[":
            return self.arr(pos + 1, path)
        if ch == '"':
            return self.string(pos)
        for literal, val in (("true", True), ("false", False), ("null", None)):
            if self.text.startswith(literal, pos):
                return val, pos + len(literal)
        m = _NUMBER.match(self.text, pos)
        if m:
            num = m.group(0)
            return (float(num) if any(c in num for c in ".eE") else int(num)), m.end()
        raise self.fail(f"unexpected character {ch!r}", pos)

    def string(self, pos: int) -> Tuple[str, int]:
        try:
            text, end = json.decoder.scanstring(self.text, pos + 1)  # type: ignore[attr-defined]
            return str(text), int(end)
        except json.JSONDecodeError as exc:
            raise self.fail(exc.msg, exc.pos) from None

    def obj(self, pos: int, path: PathKey) -> Tuple[Dict[str, Any], int]:
        out: Dict[str, Any] = {}
        pos = self.skip(pos)
        if self.text.startswith("}", pos):
            return out, pos + 1
        while True:
            pos = self.skip(pos)
            if not self.text.startswith('"', pos):
                raise self.fail("expected a quoted field name", pos)
            key_pos = pos
            key, pos = self.string(pos)
            if key in out:
                raise self.fail(f"duplicate field {key!r}", key_pos)
            pos = self.skip(pos)
            if not self.text.startswith(":", pos):
                raise self.fail("expected ':' after a field name", pos)
            out[key], pos = self.value(pos + 1, (*path, key))
            key_path: PathKey = (*path, key)
            self.lines[key_path] = self.line_col(key_pos)[0]
            pos = self.skip(pos)
            if self.text.startswith(",", pos):
                pos += 1
                continue
            if self.text.startswith("}", pos):
                return out, pos + 1
            raise self.fail("expected ',' or '}'", pos)

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
            raise self.fail("expected ',' or ']'", pos)


def loads_with_lines(text: str) -> Tuple[Any, Dict[PathKey, int]]:
    """Parse JSON text; return the value and the line of every path in it."""
    parser = _Parser(text)
    value, pos = parser.value(0, ())
    pos = parser.skip(pos)
    if pos != len(text):
        raise parser.fail("extra data after the JSON value", pos)
    return value, parser.lines
