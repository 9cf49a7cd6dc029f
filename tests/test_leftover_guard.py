"""The session guard of tests/conftest.py sees a file left behind in the tree; test sources name no fixed temporary path."""

from __future__ import annotations

import os
from pathlib import Path

from tests.conftest import changed, repository_files


def test_a_new_a_changed_and_a_removed_file_are_all_seen(tmp_path: Path) -> None:
    (tmp_path / "kept").write_text("a")
    (tmp_path / "edited").write_text("a")
    (tmp_path / "removed").write_text("a")
    (tmp_path / ".venv").mkdir()
    before = repository_files(tmp_path)
    (tmp_path / "edited").write_text("bb")
    (tmp_path / "removed").unlink()
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "new").write_text("a")
    (tmp_path / ".venv" / "ignored").write_text("a")
    assert changed(before, repository_files(tmp_path)) == ["edited", "removed", os.path.join("sub", "new")]


def test_no_test_names_a_fixed_temporary_path() -> None:
    """Tests write through tmp_path or tempfile (redirected into the session directory), never to /tmp/<name>."""
    import re

    root = Path(__file__).resolve().parent
    # Paths there are data, not files written: an argument recorded (test_context), paths inside the recorded
    # compromised host tree that the snapshot reads (its planted /var/tmp/.x and /var/tmp/.bash).
    data_only = {
        Path("collectors/test_context.py"),
        Path("collectors/snapshot/test_persistence.py"),
        Path("collectors/snapshot/test_reader.py"),
        Path("collectors/snapshot/test_volatile.py"),
    }
    fixed = re.compile(r"""["'](/tmp|/var/tmp|/dev/shm)/[^"']+["']""")
    found = [
        f"{path.relative_to(root)}: {m.group(0)}"
        for path in sorted(root.rglob("*.py"))
        if path.relative_to(root) not in data_only and path.name != "test_leftover_guard.py"
        for m in fixed.finditer(path.read_text(encoding="utf-8"))
    ]
    assert not found, found
