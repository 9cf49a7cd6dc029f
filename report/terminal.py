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

from report.escape import visible

MAX_FIELD = 200  # a value longer than this is cut where it stands inside a line


def safe(text: str) -> str:
    """``text`` with every terminal-active or invisible character escaped (newlines and tabs kept).

    The characters are those of ``report.escape.visible``, the one layer every renderer shares.
    """
    return visible(text)


def safe_line(text: str, limit: int = MAX_FIELD) -> str:
    """``text`` made safe, kept on one line (newlines and tabs escaped) and cut to ``limit`` characters."""
    out = safe(text).replace("\n", "\\n").replace("\t", "\\t")
    return out if len(out) <= limit else out[: limit - 1] + "…"
