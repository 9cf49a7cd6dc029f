"""Terminal-safe text: data cannot drive the reader's terminal."""

from __future__ import annotations

import json
import unicodedata

import pytest

from report.terminal import safe, safe_line


@pytest.mark.parametrize(
    "hostile",
    [
        "\x1b[2J\x1b[HOK report.dsse.json",  # clear the screen, print a fake OK
        "\x9b31m",  # C1 CSI
        "name\rOK",  # carriage return overwrites the line
        "evil\u202egnp.exe",  # right-to-left override
        "\x07\x08\x7f",
        "a\u2028b",
        "web\u200b-01",  # zero-width space: looks like web-01
        "\ufeffBOM\u00adsoft",
        "tag\U000e0041",
        "lone \ud800 surrogate",
    ],
)
def test_terminal_active_characters_are_escaped(hostile: str) -> None:
    out = safe(hostile)
    assert out.isascii() or all(unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Zl", "Zp") for ch in out if ch not in "\n\t")
    assert "\\u" in out or "\\U" in out
    out.encode("utf-8")  # always printable


def test_newlines_and_tabs_are_kept_in_text_but_not_inside_a_line() -> None:
    assert safe("a\n\tb") == "a\n\tb"
    assert safe_line("a\nb") == "a\\nb"
    assert safe_line("x" * 500).endswith("…") and len(safe_line("x" * 500)) == 200
    assert safe("中文 report") == "中文 report"


def test_escaped_json_is_still_the_same_json() -> None:
    value = {"target": "evil\u009b\u202ename", "n": 1}
    text = json.dumps(value, ensure_ascii=False)
    assert json.loads(safe(text)) == value
