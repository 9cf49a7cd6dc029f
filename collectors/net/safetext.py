"""Progress text that is safe to print on a terminal, without importing ``report``.

A probe's progress message can carry bytes a server chose: a redirect target,
a banner, a topic name. Collectors may not import ``report`` (the layering
runs one way), so this is the same rule as ``report.terminal.safe_line``,
kept here and held to it by a test: every character a terminal acts on or
does not show (C0 controls, DEL, C1 controls, Unicode format characters such
as bidi overrides, zero-width characters, line and paragraph separators, lone
surrogates) becomes a visible ``\\uXXXX`` escape, newlines and tabs included,
and the line is cut to ``limit`` characters.
"""

from __future__ import annotations

import re
import unicodedata

_CANDIDATE = re.compile(r"[^\x20-\x7e]")
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
MAX_LINE = 200


def _escape(m: re.Match[str]) -> str:
    ch = m.group(0)
    if ch == "\n":
        return "\\n"
    if ch == "\t":
        return "\\t"
    if unicodedata.category(ch) not in _HIDDEN_CATEGORIES:
        return ch
    code = ord(ch)
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def safe_line(text: str, limit: int = MAX_LINE) -> str:
    """``text`` on one line, every terminal-active or invisible character escaped, cut to ``limit`` characters."""
    out = _CANDIDATE.sub(_escape, text)
    return out if len(out) <= limit else out[: limit - 1] + "…"
