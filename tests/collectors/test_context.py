"""The host reader: provenance, containment in recorded trees, refusals."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from collectors.context import FileStat, HostContext, HostReader, RecordedProcessView
from collectors.evidence import CollectError, ErrorReason
from collectors.runner import CommandNotAllowed, RecordedRunner, SystemRunner, recording_name
from collectors.strictjson import to_json


def ctx_for(root: Path, privileged: bool = True, **kw) -> HostContext:
    return HostContext(
        root, RecordedRunner(root / "commands", privileged=privileged), RecordedProcessView({}), "t", privileged, **kw
    )


def test_reads_are_logged_with_sha256(tmp_path: Path) -> None:
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "hostname").write_text("h\n")
    reader = HostReader(ctx_for(tmp_path))
    assert reader.read_text("/etc/hostname") == "h\n"
    assert reader.read_text("/etc/missing") is None
    src = to_json(reader.sources[0])
    assert src["path"] == "/etc/hostname" and len(src["sha256"]) == 64


def test_absolute_symlinks_stay_inside_the_recorded_tree(tmp_path: Path) -> None:
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "passwd").write_text("fixture:x:0:0::/:/bin/sh\n")
    os.symlink("/etc/passwd", tmp_path / "etc" / "link")
    os.symlink("../../../../../../etc/passwd", tmp_path / "etc" / "dotdot")
    reader = HostReader(ctx_for(tmp_path))
    assert reader.read_text("/etc/link") == "fixture:x:0:0::/:/bin/sh\n"
    assert reader.read_text("/etc/dotdot") == "fixture:x:0:0::/:/bin/sh\n"


def test_binary_content_is_malformed_with_the_path(tmp_path: Path) -> None:
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "x.conf").write_bytes(b"\x00\x01garbage")
    with pytest.raises(CollectError) as exc:
        HostReader(ctx_for(tmp_path)).read_text("/etc/x.conf")
    assert exc.value.reason is ErrorReason.MALFORMED and "/etc/x.conf" in exc.value.message


def test_unprivileged_replay_honours_recorded_modes(tmp_path: Path) -> None:
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "shadow").write_text("root:*:1::::::\n")
    ctx = ctx_for(tmp_path, privileged=False, stat_overrides={"/etc/shadow": FileStat(0o640, 0, 42)})
    with pytest.raises(CollectError) as exc:
        HostReader(ctx).read_text("/etc/shadow")
    assert exc.value.reason is ErrorReason.PERMISSION_DENIED


def test_unreadable_file_on_a_real_filesystem(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        # root reads everything; simulate with a directory in place of a file.
        (tmp_path / "etc" / "x.conf").mkdir(parents=True)
    else:
        (tmp_path / "etc").mkdir()
        (tmp_path / "etc" / "x.conf").write_text("x")
        os.chmod(tmp_path / "etc" / "x.conf", 0)
    with pytest.raises(CollectError) as exc:
        HostReader(ctx_for(tmp_path)).read_text("/etc/x.conf")
    assert "/etc/x.conf" in exc.value.message


def test_commands_outside_the_allow_list_are_refused(tmp_path: Path) -> None:
    with pytest.raises(CommandNotAllowed):
        SystemRunner().run(["rm", "-rf", "/"])
    with pytest.raises(CommandNotAllowed):
        RecordedRunner(tmp_path).run(["sshd", "-T", "-f", "/tmp/x"])


def test_recorded_runner_replays_and_treats_missing_as_not_installed(tmp_path: Path) -> None:
    (tmp_path / f"{recording_name(['auditctl', '-s'])}.out").write_text("enabled 2\n")
    runner = RecordedRunner(tmp_path)
    assert runner.run(["auditctl", "-s"]).stdout == "enabled 2\n"
    assert runner.run(["auditctl", "-l"]).missing
    refused = RecordedRunner(tmp_path, privileged=False).run(["auditctl", "-s"])
    assert refused.exit_code == 1 and "requires root" in refused.stderr


def test_live_runner_reports_missing_tools_and_timeouts() -> None:
    res = SystemRunner().run(["mokutil", "--sb-state"], timeout=5)
    assert res.missing or res.exit_code is not None


@pytest.mark.parametrize(
    "path", ["/etc/shadow", "/var/lib/apt/lists/../../../../etc/shadow", "/var/lib/apt/lists/x y", "/var/lib/apt/lists/$(id)"]
)
def test_path_commands_are_confined_to_their_directory(path: str) -> None:
    with pytest.raises(CommandNotAllowed):
        SystemRunner().run(["apt-helper", "cat-file", path])


def test_readlink_and_stat_see_the_link_itself_in_a_recorded_tree(tmp_path: Path) -> None:
    (tmp_path / "etc" / "sysctl.d").mkdir(parents=True)
    (tmp_path / "etc" / "sysctl.conf").write_text("x=1\n")
    os.symlink("../sysctl.conf", tmp_path / "etc" / "sysctl.d" / "99-sysctl.conf")
    reader = HostReader(ctx_for(tmp_path))
    assert reader.readlink("/etc/sysctl.d/99-sysctl.conf") == "../sysctl.conf"
    st = reader.stat("/etc/sysctl.d/99-sysctl.conf")
    assert st is not None and st.is_symlink
    assert reader.read_text("/etc/sysctl.d/99-sysctl.conf") == "x=1\n"


def test_a_fifo_where_a_file_should_be_does_not_hang(tmp_path: Path) -> None:
    (tmp_path / "etc").mkdir()
    os.mkfifo(tmp_path / "etc" / "trap.conf")
    with pytest.raises(CollectError, match="not a regular file"):
        HostReader(ctx_for(tmp_path)).read_text("/etc/trap.conf")


def test_truncated_command_output_is_never_parsed(tmp_path: Path) -> None:
    from collectors.runner import CommandResult

    class Huge:
        def run(self, argv, timeout=10.0):
            return CommandResult(tuple(argv), 0, "partial", truncated=True)

    ctx = HostContext(tmp_path, Huge(), RecordedProcessView({}), "t", True)
    reader = HostReader(ctx)
    with pytest.raises(CollectError, match="not parsed"):
        reader.run(["nft", "list", "ruleset"])
    assert "not parsed" in (to_json(reader.sources[0]).get("error") or "")
