"""What an underwriter sees, in a real browser: the decision first, nothing cut, nothing left in English.

On the weak and the hardened recorded hosts, in zh and in en, laid out by
headless Chromium at 1280 × 900: the decision box, the rating and every
hard-fail item that is present lie within the first 900 px; nothing
overflows sideways; the zh page holds no English sentence outside code,
paths and ids. Printed to PDF (A4): every page is numbered, and no table row
of the findings is cut across two pages.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any, Dict, List

import pytest

from checks.model import Status
from report.model import Report
from report.render import render_html
from tests.browser import measured, print_to_pdf
from tests.hosts import fixture_report

WIDTH, HEIGHT = 1280, 900
CASES = [(host, lang) for host in ("debian-weak", "debian-hardened") for lang in ("zh", "en")]

# Three Latin words in a row that are not code: an English sentence (or the start of one).
ENGLISH_RUN = r"[A-Za-z]{2,}(?: [a-z]{2,}){2,}"
LAYOUT = f"""(() => {{
  const box = (el) => {{ const r = el.getBoundingClientRect(); return [r.top + scrollY, r.bottom + scrollY]; }};
  const prose = document.body.cloneNode(true);
  prose.querySelectorAll('code,pre,.mono,script,style').forEach(e => e.remove());
  return {{
    decision: box(document.getElementById('decision')),
    grade: box(document.getElementById('grade')),
    present: [...document.querySelectorAll('#decision .hf-present')].map(e => [e.textContent, ...box(e)]),
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
    english: prose.textContent.match(/{ENGLISH_RUN}/g) || [],
  }};
}})()"""


@pytest.fixture(scope="module", params=CASES, ids=[f"{h}-{lang}" for h, lang in CASES])
def layout(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Dict[str, Any]:
    host, lang = request.param
    report = fixture_report(host)
    page = tmp_path_factory.mktemp("decision") / "report.html"
    page.write_text(render_html(report, lang), encoding="utf-8")
    result = measured(page, LAYOUT, width=WIDTH, height=HEIGHT)
    assert isinstance(result, dict)
    return {**result, "host": host, "lang": lang, "report": report}


def test_decision_box_rating_and_present_hard_fails_are_above_the_fold(layout: Dict[str, Any]) -> None:
    _top, bottom = layout["decision"]
    assert bottom <= HEIGHT, f"the decision box ends at {bottom:.0f} px"
    assert layout["grade"][1] <= HEIGHT
    report: Report = layout["report"]
    assert report.underwriting is not None
    present = [e for e in report.underwriting.hard_fail.entries if e.state == "open"]
    assert len(layout["present"]) == len(present)
    assert all(b <= HEIGHT for _, _, b in layout["present"]), layout["present"]
    if layout["host"] == "debian-weak":
        assert present, "the weak host has hard-fail items present"


def test_nothing_overflows_sideways(layout: Dict[str, Any]) -> None:
    assert layout["scrollWidth"] <= layout["clientWidth"] == WIDTH


def test_the_chinese_report_holds_no_english_sentence(layout: Dict[str, Any]) -> None:
    if layout["lang"] != "zh":
        # The same count on the English page proves the measure finds sentences at all.
        assert len(layout["english"]) > 100
        return
    assert layout["english"] == [], layout["english"]


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> List[str]:
    from pypdf import PdfReader

    report = fixture_report("debian-weak")
    folder = tmp_path_factory.mktemp("print")
    page = folder / "report.html"
    page.write_text(render_html(report, "zh"), encoding="utf-8")
    reader = PdfReader(str(print_to_pdf(page, folder / "report.pdf")))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842), "not A4"
    return [p.extract_text() for p in reader.pages]


def _letters(text: str) -> str:
    """Letters, digits and CJK only: text extraction from a PDF keeps those, not spacing or punctuation."""
    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", text))  # NFKC: the PDF's "ﬁ" ligature is "fi"


def test_every_printed_page_is_numbered(printed: List[str]) -> None:
    total = len(printed)
    assert total > 3
    for number, text in enumerate(printed, 1):
        assert re.search(rf"(^|\n){number} / {total}(\n|$)", text), f"page {number} has no page number"


def test_no_finding_row_is_cut_across_pages(printed: List[str]) -> None:
    """A failed finding's row ends with its remediation: the row's first words and last words share a page."""
    report = fixture_report("debian-weak")
    pages = [_letters(text) for text in printed]
    cut = []
    for f in report.findings:
        if f.status is not Status.FAIL:
            continue
        head = _letters(f.check_id + f.title.zh)[:20]
        tail = _letters(f.remediation.zh)[-10:]
        heads = [i for i, text in enumerate(pages) if head in text]
        tails = [i for i, text in enumerate(pages) if tail in text]
        assert heads and tails, (f.check_id, head, tail)
        if not set(heads) & set(tails):
            cut.append(f"{f.check_id}: starts on page {heads[0] + 1}, ends on page {tails[-1] + 1}")
    assert not cut, cut
