"""Text that is safe to print on a terminal.

Strings from an envelope, a report or a scanned server are data, and data
must not drive the reader's terminal: an escape sequence in a target name or
a key id could repaint the screen into a fake ``OK``, a bidirectional
override could reverse what is read, and an invisible character could make
``web-01`` and ``web\\u200b-01`` look alike. Every character a terminal acts
on or does not show (C0 controls except newline and tab, DEL, C1 controls,
Unicode format characters such as bidi overrides, zero-width characters and
tags, line and paragraph separators, and lone surrogates, which cannot even
be encoded) is shown as a visible ``\\uXXXX`` escape instead. In JSON output
those characters can only occur inside strings, where the same escape is
valid JSON, so the one function serves text and JSON alike.
"""

from __future__ import annotations

import re
import unicodedata

_CANDIDATE = re.compile(r"[^\x20-\x7e\n\t]")
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
MAX_FIELD = 200  # a value longer than this is cut where it stands inside a line


def _escape(m: re.Match[str]) -> str:
    ch = m.group(0)
    if ch in "\n\t" or unicodedata.category(ch) not in _HIDDEN_CATEGORIES:
        return ch
    code = ord(ch)
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def safe(text: str) -> str:
    """``text`` with every terminal-active or invisible character escaped (newlines and tabs kept)."""
    return _CANDIDATE.sub(_escape, text)


def safe_line(text: str, limit: int = MAX_FIELD) -> str:
    """``text`` made safe, kept on one line (newlines and tabs escaped) and cut to ``limit`` characters."""
    out = safe(text).replace("\n", "\\n").replace("\t", "\\t")
    return out if len(out) <= limit else out[: limit - 1] + "…"
