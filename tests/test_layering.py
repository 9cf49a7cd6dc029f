"""One direction of flow: collectors -> checks -> questionnaires -> report -> agent."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ORDER = ["collectors", "checks", "questionnaires", "report", "agent"]


@pytest.mark.parametrize("package", ORDER)
def test_packages_import_only_those_above_them(package: str) -> None:
    forbidden = set(ORDER[ORDER.index(package) + 1 :])
    offences = []
    for path in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            offences += [f"{path.relative_to(ROOT)} imports {n}" for n in names if n.split(".")[0] in forbidden]
    assert not offences


def test_collectors_never_write() -> None:
    """Collectors open files read-only and run commands only through the runner."""
    bad = []
    for path in (ROOT / "collectors").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for needle in (
            'open(real, "w',
            "write_text(",
            "write_bytes(",
            "os.remove(",
            "os.unlink(",
            "shutil.rm",
            "shutil.copy",
            "shutil.move",
            "os.chmod(",
        ):
            if needle in text:
                bad.append(f"{path.relative_to(ROOT)}: {needle}")
        if "subprocess" in text and path.name != "runner.py":
            bad.append(f"{path.relative_to(ROOT)}: subprocess outside the runner")
    assert not bad
