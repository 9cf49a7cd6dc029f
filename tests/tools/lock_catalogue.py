"""Re-lock the catalogue after changing its rules: new digest, next patch version.

    .venv/bin/python -m tests.tools.lock_catalogue
"""

from __future__ import annotations

import re
from pathlib import Path

from checks.catalogue import LOCK_MODULE, compute_digest
from checks.catalogue_lock import CATALOGUE_DIGEST, CATALOGUE_VERSION

ROOT = Path(__file__).resolve().parent.parent.parent


def next_version(version: str) -> str:
    major, minor, patch = (int(p) for p in version.split("."))
    return f"{major}.{minor}.{patch + 1}"


def main() -> None:
    digest = compute_digest()
    if digest == CATALOGUE_DIGEST:
        print(f"catalogue {CATALOGUE_VERSION} is locked and current ({digest[:16]})")
        return
    version = next_version(CATALOGUE_VERSION)
    path = ROOT / LOCK_MODULE
    text = path.read_text(encoding="utf-8")
    text = re.sub(r'CATALOGUE_VERSION = "[^"]*"', f'CATALOGUE_VERSION = "{version}"', text)
    text = re.sub(r'CATALOGUE_DIGEST = "[^"]*"', f'CATALOGUE_DIGEST = "{digest}"', text)
    path.write_text(text, encoding="utf-8")
    print(f"catalogue locked as {version} ({digest[:16]})")


if __name__ == "__main__":
    main()
