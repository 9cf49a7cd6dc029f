"""Known vulnerabilities in the underwriting section: counts from the evidence per host and target, in both
languages, and a plain statement when no feeds were given (never an empty table that reads as "none")."""

from __future__ import annotations

from pathlib import Path

from agent.pipeline import assess
from agent.settings import Settings
from report.render import render_bytes
from report.vuln_view import vuln_rows
from tests.hosts import HOSTS_DIR, fixture_report

FEEDS = Path(__file__).parents[1] / "fixtures" / "feeds" / "match"


def test_host_counts_with_kev_exposed_and_the_oldest_fix() -> None:
    report = assess(Settings(replay=HOSTS_DIR / "debian-weak-public-bind-apache2-deb10u6", sign=False, feeds_dir=FEEDS))
    [row] = vuln_rows(report)
    assert (row.kind, row.open, row.kev, row.kev_exposed) == ("packages", 2, 1, 1) and row.oldest_fix_age_days == 1873
    md_zh, md_en = render_bytes(report, "zh", True).decode(), render_bytes(report, "en", True).decode()
    assert "| web-legacy-02 (已安装软件包) | 2 | 0/0/0/0/2 | 1 | 1 | 1873 | — |" in md_zh
    assert "### Known vulnerabilities" in md_en and "(installed packages) | 2 |" in md_en
    html = render_bytes(report, "en", False).decode()
    assert "<h3>Known vulnerabilities</h3>" in html and 'class="st-fail">1</td>' in html


def test_without_feeds_the_section_says_they_were_not_assessed() -> None:
    report = fixture_report("debian-weak")
    assert vuln_rows(report) == []
    assert "未做漏洞比对：评估时没有配置漏洞库" in render_bytes(report, "zh", True).decode()
    assert "known vulnerabilities were not assessed" in render_bytes(report, "en", False).decode()
