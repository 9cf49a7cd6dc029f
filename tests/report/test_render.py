"""The human-readable report in a real browser: the verification header, the provenance banners, and hostile text kept inert."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from report.policy import Policy
from report.render import render_html, render_markdown
from report.signing import sign_report
from report.verification import verify_bytes
from report.verify_text import verification_lines
from tests.browser import rendered_dom
from tests.hosts import complete_report, trusted_for

HOSTILE = "<script>document.title='pwned'</script><img src=x onerror=\"document.title='pwned'\">"


@pytest.fixture(scope="module")
def verified_page(tmp_path_factory: pytest.TempPathFactory) -> str:
    key = Ed25519PrivateKey.generate()
    report = complete_report("debian-weak", target_name=HOSTILE, params={"LNX-PKG-001": {"max_pending": 100000}})
    v = verify_bytes(sign_report(report, key), trusted_for(key), Policy(), now=dt.datetime(2026, 1, 2, tzinfo=dt.timezone.utc))
    assert v.report is not None
    page = tmp_path_factory.mktemp("render") / "report.html"
    page.write_text(render_html(v.report, "en", (v.ok, verification_lines(v, "en"))), encoding="utf-8")
    return rendered_dom(page)


def test_the_verification_result_heads_the_page(verified_page: str) -> None:
    section = re.search(r'<section class="verify (verify-\w+)" id="verification">(.*?)</section>', verified_page, re.S)
    assert section is not None
    assert section.group(1) == "verify-bad"  # the weakening override fails the default policy
    assert "POLICY FAILED" in section.group(2) and "LNX-PKG-001 max_pending = 100000 weakens the check (default 0)" in section.group(2)


def test_banners_show_a_replay_and_the_override(verified_page: str) -> None:
    banners = re.findall(r'<p class="banner">(.*?)</p>', verified_page, re.S)
    assert any("Not a live assessment" in b for b in banners)
    assert any("Parameter override (weakens): LNX-PKG-001 max_pending = 100000 (default 0)" in b for b in banners)


def test_hostile_text_stays_text(verified_page: str) -> None:
    title = re.search(r"<title>(.*?)</title>", verified_page, re.S)
    assert title is not None and title.group(1).startswith("Cyber-risk assessment report · &lt;script&gt;")  # not 'pwned'
    assert "<img src=\"x\"" not in verified_page and "<script>document" not in verified_page


def test_markdown_carries_the_same_header_and_banners(tmp_path: Path) -> None:
    report = complete_report("debian-weak")
    md = render_markdown(report, "zh", (True, ["有效  report.dsse.json"]))
    assert "## 核验结果" in md and "有效  report.dsse.json" in md and "回放数据，非现场评估" in md
    plain = render_markdown(report, "en")
    assert "riskagent verify" in plain and "## Verification" not in plain


def test_the_streamed_page_is_the_rendered_page() -> None:
    from report.render import render_bytes

    report = complete_report("debian-weak")
    for lang in ("zh", "en"):
        assert render_bytes(report, lang, markdown=False) == render_html(report, lang).encode("utf-8")
        assert render_bytes(report, lang, markdown=True) == render_markdown(report, lang).encode("utf-8")
