"""Text that is safe to print on a terminal.

Strings from an envelope, a report or a scanned server are data, and data
must not drive the reader's terminal: an escape sequence in a target name or
a key id could repaint the screen into a fake ``OK``. Every character that a
terminal may act on (C0 controls except newline and tab, DEL, C1 controls,
bidirectional overrides, line and paragraph separators) is shown as a visible
``\\uXXXX`` escape instead. In JSON output those characters can only occur
inside strings, where the same escape is valid JSON, so the one function
serves text and JSON alike.
"""

from __future__ import annotations

import re

_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escape(m: re.Match[str]) -> str:
    return f"\\u{ord(m.group(0)):04x}"


def safe(text: str) -> str:
    """``text`` with every terminal-active character escaped (newlines and tabs kept)."""
    return _UNSAFE.sub(_escape, text)


def safe_line(text: str) -> str:
    """``text`` made safe and kept on one line (newlines escaped too): for values inside a line."""
    return safe(text).replace("\n", "\\n").replace("\t", " ")
