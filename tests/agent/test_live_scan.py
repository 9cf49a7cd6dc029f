"""A real scan of the machine the tests run on, as root and as an unprivileged user."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Dict

import jsonschema
import pytest

from agent import pipeline
from agent.settings import Settings
from checks.catalogue import all_checks
from collectors.profile import Profile
from report.model import Report
from report.schema import report_schema

pytestmark = pytest.mark.live

NOBODY = 65534


def _scan(out: Path) -> Dict[str, Any]:
    settings = Settings(profile=Profile.SERVER, sign=False)
    outcome = pipeline.run(settings, None, out)
    return dict(outcome.report.as_json)


def _scan_as_nobody(out: Path) -> Dict[str, Any]:
    """Fork, drop to nobody, scan. Modules are already imported by the parent."""
    out.mkdir(parents=True, exist_ok=True)
    os.chown(out, NOBODY, NOBODY)  # the scan writes only into a directory of its own user (agent.files)
    os.chmod(out, 0o700)
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            _scan(out)
            code = 0
        except BaseException:
            import traceback

            traceback.print_exc()
        finally:
            os._exit(code)
    _pid, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, "unprivileged scan failed"
    return json.loads((out / "report.json").read_text())


@pytest.fixture(scope="module")
def root_report(tmp_path_factory: pytest.TempPathFactory) -> Dict[str, Any]:
    if os.geteuid() != 0:
        pytest.fail("the live scan tests run as root (CI does); run scripts/test.sh with sudo")
    return _scan(tmp_path_factory.mktemp("live-root"))


def test_live_scan_completes_and_validates(root_report: Dict[str, Any]) -> None:
    jsonschema.validate(root_report, report_schema())
    assert root_report["run"]["privileged"] is True
    assert root_report["summary"]["total"] == len(
        [c for c in all_checks().values() if Profile.SERVER in c.meta.profiles and c.meta.level == "host"]
    )
    bugs = [f for f in Report.from_json(root_report).findings if f.reason and "internal error" in f.reason]
    assert not bugs, bugs
    ev_bugs = [e for e in root_report["evidence"] if e["error_reason"] == "bug"]
    assert not ev_bugs, ev_bugs


def test_unprivileged_scan_never_passes_what_needs_root(root_report: Dict[str, Any]) -> None:
    # pytest's own temporary directories sit under a root-only parent.
    out = Path(tempfile.mkdtemp(prefix="riskagent-nobody-"))
    try:
        report = _scan_as_nobody(out)
    finally:
        shutil.rmtree(out, ignore_errors=True)
    assert report["run"]["privileged"] is False
    jsonschema.validate(report, report_schema())
    findings = Report.from_json(report).findings
    root_only_evidence = {e["collector"] for e in report["evidence"] if e["error_reason"] == "permission_denied"}
    # Whatever rests on evidence we could not read is error/manual, never pass.
    # A check's first declared evidence is the one it rests on; a failure may still follow from other readable
    # evidence (login.defs alone can show an unlimited password age), but nothing passes past unread evidence.
    for f in findings:
        if f.evidence[0] in root_only_evidence:
            assert f.status.value in ("error", "manual", "not_applicable"), (f.check_id, f.status, f.reason)
        if set(f.evidence) & root_only_evidence:
            assert f.status.value != "pass", (f.check_id, f.reason)
    # And the shadow file in particular was unreadable here.
    assert "host.shadow" in root_only_evidence
    assert all(f.status.value != "pass" for f in findings if "host.shadow" in f.evidence)
