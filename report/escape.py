"""The one output-sanitising layer: every string riskagent writes for a person goes through here.

A report is full of data that other people control: a target's host name,
header values and certificate names from scanned servers, the reasons a check
gives (which quote what it read), an insurer's questionnaire, the owners and
steps of a plan. Each view must show such data as text and nothing else:

* terminal (``visible``, used by ``report.terminal``): characters a terminal acts
  on or does not show (C0 controls except newline and tab, DEL, C1 controls,
  Unicode format characters such as bidi overrides, zero-width characters and
  tags, line and paragraph separators, lone surrogates) become a visible
  ``\\uXXXX``;
* HTML (``html_finalize``, the templates' finalizer; Jinja's autoescape does the
  rest): the same characters made visible, so a bidi override cannot reverse
  what an underwriter reads;
* Markdown (``md``, ``md_cell``, ``md_code``, ``md_fence``): no raw HTML, no
  entity, no link, image or autolink, no emphasis, code span, heading, list or
  quote that the data did not come with as plain text; one line per value, so a
  table row keeps its columns;
* CSV (``csv_cell``): no cell a spreadsheet reads as a formula (leading
  ``= + - @``, their full-width forms, tab, carriage return or newline).

Every function takes any value (``str()`` of it) and is idempotent in what it
makes safe: applying it twice never makes the output active.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from markupsafe import Markup

_CANDIDATE = re.compile(r"[^\x20-\x7e\n\t]")
_BACKTICKS = re.compile(r"`+")
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def _escape_hidden(m: re.Match[str]) -> str:
    ch = m.group(0)
    if ch in "\n\t" or unicodedata.category(ch) not in _HIDDEN_CATEGORIES:
        return ch
    code = ord(ch)
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def visible(value: Any) -> str:
    """``value`` as text with every control, format, separator and surrogate character shown as ``\\uXXXX``.

    Newlines and tabs are kept. Printable text (Chinese included) is unchanged.
    """
    text = value if isinstance(value, str) else str(value)
    if text.isprintable():  # no Cc/Cf/Cs/Zl/Zp character at all (nor other non-printables): nothing to show
        return text
    return _CANDIDATE.sub(_escape_hidden, text)


# ------------------------------------------------------------------------------------------ HTML


def html_finalize(value: Any) -> Any:
    """The Jinja ``finalize`` of every template: text made visible before autoescaping.

    Markup (already escaped by a filter such as ``join``) stays Markup, so it is not escaped twice;
    non-text values (numbers, None) pass unchanged for Jinja to print.
    """
    if isinstance(value, str):
        out = visible(value)
        # Already escaped, and visible() adds only ASCII letters, digits and backslashes: still safe markup.
        return Markup(out) if isinstance(value, Markup) else out  # noqa: S704
    return value


# ------------------------------------------------------------------------------------------ Markdown

# Everything that ends a line, or that a Markdown reader could treat as one.
_LINE_BREAKS = re.compile(r"[\r\n\t\v\f\x1c-\x1e\x85\u2028\u2029]+")
# Always escaped: HTML (as entities), inline syntax (emphasis, code, links, images, strikethrough,
# table pipes, math), and characters that start block syntax or an extended autolink.
_MD_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_MD_INLINE = re.compile(r"[&<>\\`*_\[\]|~#!$@]")
# GFM turns bare http://, https://, ftp:// and www. into links: break the pattern the autolinker looks for.
_MD_AUTOLINK = re.compile(r"(?i)(?<=[a-z])(:)(?=//)|(?<![a-z0-9])(www)(\.)")
# At the start of a value (which may start a line, a list item or a cell): list, heading, setext and
# ordered-list markers.
_MD_LEADING = re.compile(r"^([-+=])|^([0-9]{1,9})([.)])")


def _md_inline_char(m: re.Match[str]) -> str:
    ch = m.group(0)
    return _MD_ENTITIES.get(ch) or "\\" + ch


def _md_autolink(m: re.Match[str]) -> str:
    if m.group(1):
        return "\\:"
    return f"{m.group(2)}\\."


def _md_leading(m: re.Match[str]) -> str:
    if m.group(1):
        return "\\" + m.group(1)
    return f"{m.group(2)}\\{m.group(3)}"


def one_line(value: Any) -> str:
    """Visible text on one line: line breaks and tabs become one space."""
    return visible(_LINE_BREAKS.sub(" ", value if isinstance(value, str) else str(value)))


def _md_inline(value: Any) -> str:
    text = _MD_INLINE.sub(_md_inline_char, one_line(value))
    return _MD_AUTOLINK.sub(_md_autolink, text).strip(" ")


def md(value: Any) -> str:
    """``value`` as inert Markdown text for a paragraph, heading, list item or table cell.

    The reader sees the characters the value holds; nothing in it becomes HTML, a link, an image,
    emphasis, a code span, a heading, a list, a quote or a new table column.
    """
    return _MD_LEADING.sub(_md_leading, _md_inline(value))


def md_cell(value: Any) -> str:
    """A value for one Markdown table cell: as ``md`` (pipes escaped, so the row keeps its columns), except
    that a leading ``-``, ``+`` or ``1.`` stays as it is: a table cell holds inline text only, never a list."""
    return _md_inline(value)


def md_code(value: Any, *, table: bool = False) -> str:
    """``value`` as an inline code span, fence included: shown literally, whatever it holds.

    Inside a code span nothing is interpreted, so only the fence must outlast the value's own
    backticks. In a table cell (``table=True``) pipes are escaped too: GFM splits cells before it
    looks for code spans.
    """
    text = one_line(value)
    if table:
        text = text.replace("|", "\\|")
    if not text:
        return ""
    longest = max((len(run) for run in _BACKTICKS.findall(text)), default=0) if "`" in text else 0
    fence = "`" * (longest + 1)
    pad = " " if text[0] in "` " or text[-1] in "` " else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def md_code_cell(value: Any) -> str:
    return md_code(value, table=True)


def md_fence(value: Any, info: str = "text") -> str:
    """``value`` (several lines) as a fenced code block, fences included: each line shown literally.

    The fence is longer than any run of backticks in the value, so no line of it can close the block.
    """
    text = visible(value).replace("\t", "    ")
    longest = max((len(run) for run in _BACKTICKS.findall(text)), default=0) if "`" in text else 0
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{text}\n{fence}"


# ------------------------------------------------------------------------------------------ CSV

# A cell that starts with one of these is a formula (or DDE call) in Excel, LibreOffice or Sheets;
# tab, carriage return and newline are skipped by some of them before they look.
_CSV_FORMULA = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")


def csv_cell(value: Any) -> str:
    """A value for one CSV cell: never read as a formula, and never more than one cell.

    Tabs and newlines are legal inside a quoted cell (the csv module quotes a cell holding a newline);
    a carriage return is not quoted by it and would end the row in some readers, so it is shown as
    ``\\u000d`` like every other control character.
    """
    raw = value if isinstance(value, str) else str(value)
    text = visible(raw.replace("\r\n", "\n"))
    return "'" + text if raw[:1] in _CSV_FORMULA or text[:1] in _CSV_FORMULA else text
