"""One output-sanitising layer: data from scanned servers, targets, questionnaires and plans stays inert text
in every view (Markdown, HTML, CSV), and Markdown tables keep their columns.

The reports here carry the payloads an attacker controls in practice: a ``Location`` header with terminal
escape sequences, ``Set-Cookie`` / ``X-Frame-Options`` / ``Referrer-Policy`` values with HTML, links, images,
autolinks and pipes, a hostile target name, and remediation text with Markdown block syntax.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from pathlib import Path
from typing import Any, Dict, List

import pytest

from collectors.strictjson import JSON
from questionnaires.engine import Bundle, answer_all, answered
from questionnaires.loader import load_questionnaire
from questionnaires.model import Attestation
from report import escape
from report.model import Report
from report.plan import build_plan
from report.plan_export import plan_csv, plan_markdown
from report.questionnaire_export import to_csv
from report.render import render_html, render_markdown
from tests.hosts import complete_report, edited

TEMPLATES = Path(__file__).resolve().parents[2] / "report" / "templates"

LOCATION = "https://shop.example/\x1b[2K\x1b]0;pwned\x07\x1b[1;32mOK\x1b[0m"
COOKIE = "sid=1; <script>alert('cookie')</script> [click](javascript:alert(1)) | extra | column"
XFO = "![logo](https://evil.example/x.png) <https://evil.example/auto> <img src=x onerror=alert(1)>"
REFERRER = "no-referrer\n\n# Injected heading\n\n| a | b |\n|---|---|\n- list **bold** `code` www.evil.example mail@evil.example"
PAYLOADS = (LOCATION, COOKIE, XFO, REFERRER)
HOSTILE_NAME = "web-01 <b>x</b> [home](https://evil.example) |col| \x1b]8;;https://evil.example\x07link\x1b]8;;\x07 \u202eexe.txt"
HOSTILE_TEXT = "1. - > # " + " ".join(PAYLOADS)


def _hostile_report() -> Report:
    """A real report (a recorded host) whose evidence, findings, remediation and questionnaire carry the payloads.

    Titles and remediation come from the catalogue and the built-in questionnaire is referenced, so a report's
    JSON cannot carry those payloads; they are put in the typed report, as another catalogue or an embedded
    questionnaire would bring them.
    """
    import copy
    import dataclasses

    from checks.model import Text
    from questionnaires.model import AnsweredQuestionnaire, builtin_definition
    from report.assemble import plan_of

    report = complete_report("debian-weak", target_name=HOSTILE_NAME)

    def edit(data: Dict[str, Any]) -> None:
        for i, f in enumerate(data["findings"]):
            f.pop("reason_id")
            f.pop("reason_params")
            f["reason"] = PAYLOADS[i % len(PAYLOADS)] + " | " + PAYLOADS[(i + 1) % len(PAYLOADS)]
            if i % 7 == 0:
                f["target"] = HOSTILE_NAME
        headers = {"location": LOCATION, "set-cookie": COOKIE, "x-frame-options": XFO, "referrer-policy": REFERRER}
        data["evidence"][0]["reason"] = " ".join(headers.values())
        data["target"]["identifiers"] = [f"ip:{HOSTILE_NAME}"]

    report = edited(report, edit)
    findings = tuple(
        dataclasses.replace(
            f,
            remediation=Text(HOSTILE_TEXT, HOSTILE_TEXT),
            title=Text(f.title.zh + " " + PAYLOADS[i % len(PAYLOADS)], f.title.en + " " + PAYLOADS[i % len(PAYLOADS)]),
        )
        for i, f in enumerate(report.findings)
    )
    definition = copy.deepcopy(dict(builtin_definition()))
    definition["title"] = {"zh": HOSTILE_TEXT, "en": HOSTILE_TEXT}
    definition["sections"][0]["questions"][0]["text"] = {"zh": HOSTILE_TEXT, "en": HOSTILE_TEXT}
    assert report.questionnaire is not None and report.plan is not None
    questionnaire = AnsweredQuestionnaire.of(definition, report.questionnaire.answers)
    report = dataclasses.replace(report, findings=findings, questionnaire=questionnaire)
    return dataclasses.replace(report, plan=plan_of(report, {}))


@pytest.fixture(scope="module")
def hostile() -> Report:
    return _hostile_report()


# ------------------------------------------------------------------------------------------ a Markdown reader's view


def _outside_code(line: str) -> str:
    """The line without its code spans (their content is shown literally by every Markdown reader)."""
    out, i = [], 0
    while i < len(line):
        if line[i] == "\\" and i + 1 < len(line):
            out.append(line[i : i + 2])
            i += 2
            continue
        if line[i] == "`":
            run = re.match(r"`+", line[i:])
            assert run is not None
            fence = run.group(0)
            end = line.find(fence, i + len(fence))
            while end != -1 and (line[end + len(fence) : end + len(fence) + 1] == "`" or line[end - 1 : end] == "`"):
                end = line.find(fence, end + 1)
            if end == -1:
                out.append(fence)
                i += len(fence)
                continue
            out.append("CODE")
            i = end + len(fence)
            continue
        out.append(line[i])
        i += 1
    return "".join(out)


def _unescaped(text: str) -> str:
    """``text`` with every backslash-escaped character removed (what is left is what the reader interprets)."""
    return re.sub(r"\\[!-/:-@\[-`{-~]", "", text)


def _cells(row: str) -> int:
    """Cells in a GFM table row: pipes that are not escaped separate them."""
    inner = row.strip()
    inner = inner[1:] if inner.startswith("|") else inner
    inner = inner[:-1] if inner.endswith("|") and not inner.endswith("\\|") else inner
    return len(re.split(r"(?<!\\)\|", inner))


def _prose_lines(markdown: str) -> List[str]:
    """The lines outside fenced code blocks."""
    lines, fence = [], None
    for line in markdown.splitlines():
        m = re.match(r"(`{3,})", line)
        if fence is None and m:
            fence = m.group(1)
            continue
        if fence is not None:
            if line.strip() == fence:
                fence = None
            continue
        lines.append(line)
    assert fence is None, "a fenced block is never closed"
    return lines


def assert_inert_markdown(markdown: str) -> None:
    """No raw control or invisible character, no HTML, link, image or autolink, and tables that keep their columns."""
    hidden = [ch for ch in markdown if ch != "\n" and unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp")]
    assert not hidden, f"raw control characters: {sorted(set(map(ascii, hidden)))}"
    table_width = None
    for line in _prose_lines(markdown):
        active = _unescaped(_outside_code(line))
        assert "<" not in active, f"raw HTML or autolink: {line}"
        assert "[" not in active and "]" not in active, f"link or image syntax: {line}"
        assert not re.search(r"(?i)\b(?:https?|ftp)://|\bwww\.", active), f"bare URL a reader would link: {line}"
        assert not re.search(r"&(?!amp;|lt;|gt;)[A-Za-z#]", active), f"an entity from the data: {line}"
        if line.startswith("|"):
            width = _cells(_outside_code(line))
            if table_width is None:
                table_width = width
            assert width == table_width, f"a row with {width} cells in a table of {table_width}: {line}"
        else:
            table_width = None
            assert not re.match(r"\s*(#+ Injected|- list|\|---)", line), f"data started a line: {line}"


def test_report_markdown_keeps_hostile_data_inert(hostile: Report) -> None:
    for lang in ("en", "zh"):
        markdown = render_markdown(hostile, lang)
        assert_inert_markdown(markdown)
        # Every payload is still there for the reader, as text: escaped, not dropped.
        assert "\\\\u001b\\[2K\\\\u001b\\]0;pwned\\\\u0007" in markdown  # shown as \\u001b[2K...
        assert "&lt;script&gt;alert('cookie')&lt;/script&gt;" in markdown
        assert "\\[click\\](javascript:alert(1))" in markdown
        assert "\\\\u202eexe.txt" in markdown


def test_report_markdown_rows_keep_their_columns(hostile: Report) -> None:
    markdown = render_markdown(hostile, "en")
    rows = [line for line in markdown.splitlines() if line.startswith("| `LNX-")]
    assert len(rows) == len(hostile.findings)
    assert all(_cells(_outside_code(r)) == 5 for r in rows)


def test_markdown_reader_sees_no_link_image_or_html(hostile: Report) -> None:
    """The same report through a real CommonMark/GFM reader (markdown-it-py), with linkify on."""
    import markdown_it
    html = markdown_it.MarkdownIt("gfm-like").render(render_markdown(hostile, "en"))
    assert "<a " not in html and "<img" not in html and "<script" not in html and "<b>" not in html
    for table in re.findall(r"<table>(.*?)</table>", html, re.S):
        widths = {len(re.findall(r"<t[dh][ >]", row)) for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)}
        assert len(widths) == 1, widths


def test_report_html_is_autoescaped_and_shows_control_characters(hostile: Report) -> None:
    page = render_html(hostile, "en")
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&#39;cookie&#39;)&lt;/script&gt;" in page
    hidden = [ch for ch in page if ch not in "\n\t" and unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp")]
    assert not hidden, sorted(set(map(ascii, hidden)))
    assert "\\u001b]0;pwned\\u0007" in page and "\\u202eexe.txt" in page


MARKDOWN_TEMPLATES = sorted(p.name for p in TEMPLATES.glob("*.md.j2"))


def test_the_markdown_partials_are_checked_too() -> None:
    assert "report.md.j2" in MARKDOWN_TEMPLATES and "_mlps.md.j2" in MARKDOWN_TEMPLATES


@pytest.mark.parametrize("name", MARKDOWN_TEMPLATES)
def test_every_data_expression_of_the_markdown_template_is_escaped(name: str) -> None:
    """A new ``{{ ... }}`` in report.md.j2 or a Markdown partial (``_*.md.j2``) must end in an escaping filter, or be a label."""
    source = (TEMPLATES / name).read_text(encoding="utf-8")
    expressions = re.findall(r"\{\{(.*?)\}\}", source, re.S)
    assert expressions
    label = re.compile(r"(L(\[|\.(status|severity|layer)\()|D\()")
    escaped = re.compile(r"\|\s*(md|cell|code|code_cell|fence(\(.*\))?)\s*$")
    raw = [e.strip() for e in expressions if not label.match(e.strip()) and not escaped.search(e.strip())]
    assert not raw, f"unescaped data in {name}: {raw}"


# ------------------------------------------------------------------------------------------ plan and questionnaire


def _hostile_plan(hostile: Report) -> Any:
    settings: Dict[str, JSON] = {"owners": {"identity_mfa": "=HYPERLINK(\"http://evil.example\")"}, "default_owner": "@SUM(1+1)*cmd|' /C calc'!A0"}
    return build_plan(
        hostile.findings,
        settings,
        "2026-01-02",
        report_id=hostile.report_id,
        target_name=HOSTILE_NAME,
        target_kind=hostile.target.kind,
        assessed_at=hostile.run.started_at,
    )


def test_plan_markdown_keeps_hostile_data_inert(hostile: Report) -> None:
    markdown = plan_markdown(_hostile_plan(hostile), "en")
    assert_inert_markdown(markdown)
    assert "\\[home\\](https\\://evil.example)" in markdown


def test_plan_csv_cells_are_never_formulas(hostile: Report) -> None:
    text = plan_csv(_hostile_plan(hostile), "en")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    cells = [c for row in rows[1:] for c in row]
    assert cells and not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r", "\n")]
    assert any(c.startswith("'=HYPERLINK") for c in cells) and any(c.startswith("'@SUM") for c in cells)


@pytest.mark.parametrize("value", ["\t=1+1", "\r=1+1", "\n=1+1", "=cmd|' /C calc'!A0", "+1", "-1", "@SUM(A1)", "\uff1d1+1"])
def test_questionnaire_csv_neutralises_formula_prefixes(value: str) -> None:
    questionnaire = load_questionnaire(None)
    report = complete_report("debian-weak")
    attest = {q.id: Attestation(q.id, None, value, value, value) for q in questionnaire.questions[:3]}
    answers = answer_all(questionnaire, Bundle(report.findings, report.evidence), attest)
    rows = list(csv.DictReader(io.StringIO(to_csv(answered(questionnaire, answers), "en").lstrip("\ufeff"))))
    by = [r["attested_by"] for r in rows if r["attested_by"]]
    assert by, "the attestations are in the file"
    for row in rows:
        for cell in row.values():
            assert cell[:1] not in ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d"), (value, row)
    assert all(cell.startswith("'") for cell in by)


# ------------------------------------------------------------------------------------------ the functions themselves


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("<script>x</script>", "&lt;script&gt;x&lt;/script&gt;"),
        ("[a](javascript:x)", "\\[a\\](javascript:x)"),
        ("![i](u)", "\\!\\[i\\](u)"),
        ("a|b\nc", "a\\|b c"),
        ("- item", "\\- item"),
        ("12. item", "12\\. item"),
        ("*em* _u_ `c` ~s~", "\\*em\\* \\_u\\_ \\`c\\` \\~s\\~"),
        ("see https://x.example or www.x.example", "see https\\://x.example or www\\.x.example"),
        ("a\x1bb\u200bc", "a\\\\u001bb\\\\u200bc"),
        ("&lt;", "&amp;lt;"),
        ("中文：安全", "中文：安全"),
    ],
)
def test_md(value: str, expected: str) -> None:
    assert escape.md(value) == expected


def test_md_code_and_fence_cannot_be_closed_by_their_content() -> None:
    assert escape.md_code("a`b") == "``a`b``"
    assert escape.md_code("`x`") == "`` `x` ``"
    assert escape.md_code("a|b", table=True) == "`a\\|b`"
    block = escape.md_fence("line\n```\n````evil")
    assert block.startswith("`````text\n") and block.endswith("\n`````")


def test_csv_cell() -> None:
    assert escape.csv_cell("=1+1") == "'=1+1"
    assert escape.csv_cell("\t=1") == "'\t=1"
    assert escape.csv_cell("\r=1") == "'\\u000d=1"  # a lone CR would end the row in some readers: shown instead
    assert escape.csv_cell("a\x1bb") == "a\\u001bb"
    assert escape.csv_cell("plain, text") == "plain, text"
