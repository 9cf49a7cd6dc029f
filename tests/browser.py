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
