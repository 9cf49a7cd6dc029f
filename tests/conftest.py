"""Session-wide guard: no test leaves a file in the repository or outside its temporary directory.

Every temporary file of the session (``tempfile``, ``TMPDIR`` for the
programs the tests start, hypothesis's own storage) goes into one session
directory that is removed at the end. Before and after the session the
repository tree is listed; anything new or changed there fails the run, with
its path. Test sources never name a fixed temporary path
(tests/test_leftover_guard.py), so everything they write outside the tree
goes through ``tmp_path`` or ``tempfile``, which point into the session
directory. (The system temporary directory itself is not listed: other
programs on the machine write there too, so a listing would accuse the tests
of what they did not do.)
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Dict, List, Tuple

import pytest

REPO = Path(__file__).resolve().parent.parent
# Directories that tools other than the tests own: the environment, caches of the interpreter and linters.
NOT_WATCHED = frozenset({".git", ".venv", "__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache", "build"})

Snapshot = Dict[str, Tuple[int, int]]


def repository_files(root: Path = REPO) -> Snapshot:
    """Every file under ``root`` outside ``NOT_WATCHED``, with its size and modification time."""
    out: Snapshot = {}
    for top, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in NOT_WATCHED and not d.endswith(".egg-info")]
        for name in files:
            path = os.path.join(top, name)
            try:
                st = os.lstat(path)
            except FileNotFoundError:
                continue
            out[os.path.relpath(path, root)] = (st.st_size, st.st_mtime_ns)
    return out


def changed(before: Snapshot, after: Snapshot) -> List[str]:
    """Files that appeared, disappeared or changed between two snapshots."""
    return sorted(p for p in set(before) | set(after) if before.get(p) != after.get(p))


class _Guard:
    def __init__(self) -> None:
        self.repository = repository_files()
        self.session_tmp = Path(tempfile.mkdtemp(prefix="riskagent-tests-"))
        self.session_tmp.chmod(0o755)  # tests run programs as other users (nobody) below it
        os.environ["TMPDIR"] = str(self.session_tmp)
        tempfile.tempdir = str(self.session_tmp)
        from hypothesis.configuration import set_hypothesis_home_dir

        set_hypothesis_home_dir(self.session_tmp / "hypothesis")

    def leftovers(self) -> List[str]:
        return [f"repository: {p}" for p in changed(self.repository, repository_files())]

    def close(self) -> None:
        shutil.rmtree(self.session_tmp, ignore_errors=True)


_guard: _Guard | None = None


def pytest_configure(config: pytest.Config) -> None:
    global _guard
    if not hasattr(config, "workerinput"):
        _guard = _Guard()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _guard is None:
        return
    found = _guard.leftovers()
    _guard.close()
    if found and not session.config.getoption("collectonly"):
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        lines = ["tests left files behind (each test must write only under its tmp_path):", *found[:50]]
        if reporter is not None:
            reporter.write_line("\n".join(lines), red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
