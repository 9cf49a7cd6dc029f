"""Recording this machine and replaying the recording gives the live findings."""

from __future__ import annotations

from pathlib import Path

import pytest

from checks.catalogue import evaluate
from collectors.catalogue import collect
from collectors.context import HostContext, LiveProcessView, load_fixture_context
from collectors.runner import SystemRunner
from tests.tools.record_host import record

pytestmark = pytest.mark.live


def test_replay_of_a_recording_matches_the_live_host(tmp_path: Path) -> None:
    record(tmp_path / "host")
    live = {f.check_id: f.status for f in evaluate(collect(HostContext(Path("/"), SystemRunner(), LiveProcessView(), "h", True)))}
    replay = {f.check_id: f.status for f in evaluate(collect(load_fixture_context(tmp_path / "host")))}
    # Listening sockets and processes may change between the two runs.
    volatile = {"LNX-NET-001", "LNX-NET-003", "LNX-PRC-001", "LNX-PRC-002"}
    diff = {k: (live[k].value, replay[k].value) for k in live if live[k] != replay[k] and k not in volatile}
    assert not diff
    # Text files only: binaries copied for the package-integrity check hold such strings as constants.
    texts = [p.read_bytes() for p in (tmp_path / "host").rglob("*") if p.is_file()]
    assert not any(b"PRIVATE KEY-----" in t for t in texts if b"\0" not in t)


def test_credentials_in_recorded_files_are_replaced_by_a_stand_in() -> None:
    from tests.tools.record_host import STAND_IN, _scrub_credentials

    out = _scrub_credentials(b"0 2 * * * root mysqldump -uroot -pS3cretPass db > /tmp/x\nPATH=/usr/bin\n").decode()
    assert "S3cretPass" not in out and STAND_IN in out and "PATH=/usr/bin" in out
    assert _scrub_credentials(b"\xff\xfe binary") == b"\xff\xfe binary"
