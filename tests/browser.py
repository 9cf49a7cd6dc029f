"""Headless Chromium for the tests of what people read: load a page, get the DOM after scripts ran."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    assert found, "headless Chromium is needed (scripts/test.sh installs the chromium package)"
    return found


def rendered_dom(page: Path, timeout: float = 60.0) -> str:
    """The DOM of ``page`` as Chromium builds it (scripts run, then serialised), with no network access."""
    argv = [
        chromium(),
        "--headless=new",
        "--no-sandbox",  # tests run as root in a container
        "--disable-gpu",
        "--no-first-run",
        "--disable-extensions",
        "--proxy-server=127.0.0.1:9",  # any network fetch fails fast: reports must be self-contained
        "--virtual-time-budget=2000",
        "--dump-dom",
        page.resolve().as_uri(),
    ]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


MEASURE_ATTRIBUTE = "data-measured"


def measured(page: Path, script: str, *, width: int = 1280, height: int = 900, timeout: float = 60.0) -> object:
    """Run ``script`` (a JS expression giving a JSON-able value) in ``page`` laid out at width × height.

    A copy of the page beside it gets the script at the end of its body; Chromium lays it out in a
    window of that size, the script stores its result as JSON on ``<body>``, and the DOM is dumped.
    """
    import html
    import json
    import re

    source = page.read_text(encoding="utf-8")
    probe = (
        "<script>window.addEventListener('load',()=>{document.body.setAttribute("
        f"'{MEASURE_ATTRIBUTE}',JSON.stringify(({script})));}});</script>"
    )
    copy = page.with_name(page.stem + ".measure.html")
    copy.write_text(source.replace("</body>", probe + "</body>"), encoding="utf-8")
    argv = [
        chromium(),
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-extensions",
        "--hide-scrollbars",
        "--proxy-server=127.0.0.1:9",
        f"--window-size={width},{height}",
        "--virtual-time-budget=2000",
        "--dump-dom",
        copy.resolve().as_uri(),
    ]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    found = re.search(MEASURE_ATTRIBUTE + r'="([^"]*)"', done.stdout)
    assert found, "the measuring script did not run"
    return json.loads(html.unescape(found.group(1)))


def print_to_pdf(page: Path, pdf: Path, timeout: float = 90.0) -> Path:
    """Print ``page`` to ``pdf`` as a person would (print media, the page's own @page size, no browser header)."""
    argv = [
        chromium(),
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-extensions",
        "--proxy-server=127.0.0.1:9",
        "--no-pdf-header-footer",
        f"--print-to-pdf={pdf}",
        page.resolve().as_uri(),
    ]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)
    assert done.returncode == 0 and pdf.exists(), done.stderr[-2000:]
    return pdf
