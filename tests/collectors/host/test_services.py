"""host.services, host.processes, host.remote_access."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Dict, Optional

from collectors.catalogue import all_collectors
from collectors.context import HostContext, RecordedProcessView
from collectors.evidence import ErrorReason, Evidence, EvidenceStatus
from collectors.host.services import parse_inetd, parse_unit_files, parse_units, parse_xinetd
from collectors.registry import run_collector
from collectors.runner import RecordedRunner, recording_name
from tests.hosts import HOSTS_DIR, evidence_map

LIST_UNIT_FILES = "systemctl list-unit-files --no-legend --no-pager --plain"
LIST_UNITS = "systemctl list-units --no-legend --no-pager --plain --all"


def _ctx(tmp_path: Path, commands: Dict[str, Any], system: Optional[Dict[str, Any]] = None) -> HostContext:
    cmd_dir = tmp_path / "commands"
    cmd_dir.mkdir(exist_ok=True)
    for argv, out in commands.items():
        base = cmd_dir / recording_name(argv.split())
        if isinstance(out, tuple):
            out, rc, err = out
            base.with_name(base.name + ".rc").write_text(str(rc))
            base.with_name(base.name + ".err").write_text(err)
        base.with_name(base.name + ".out").write_text(out)
    (tmp_path / "root").mkdir(exist_ok=True)
    return HostContext(tmp_path / "root", RecordedRunner(cmd_dir), RecordedProcessView(system or {}), "t", True)


def _collect(name: str, ctx: HostContext) -> Evidence:
    return run_collector(all_collectors()[name], ctx)


def test_parse_unit_files_real_format() -> None:
    text = (HOSTS_DIR / "debian-hardened" / "commands" / (recording_name(LIST_UNIT_FILES.split()) + ".out")).read_text()
    units, bad = parse_unit_files(text)
    assert bad == 0
    assert units["ssh.service"] == "enabled" and units["sshd.service"] == "alias"
    assert units["rpcbind.service"] == "masked"
    # systemd < 245 printed two columns and a footer
    old, bad = parse_unit_files("UNIT FILE STATE\ncron.service enabled\n\n1 unit files listed.\n")
    assert old == {"cron.service": "enabled"} and bad == 1


def test_parse_units_with_failed_bullet() -> None:
    units, bad = parse_units("● kdump.service loaded failed failed Crash recovery\nsshd.service loaded active running OpenSSH\n")
    assert units["kdump.service"]["active"] == "failed" and units["sshd.service"]["sub"] == "running" and bad == 0


def test_parse_xinetd_and_inetd() -> None:
    x = (
        "service telnet\n{\n\tflags = REUSE\n\tserver = /usr/sbin/in.telnetd\n\tdisable = no\n}\n"
        "service tftp\n{\n\tserver = /usr/sbin/in.tftpd\n\tdisable = yes\n}\nservice rsync\n{\n\tserver = /usr/bin/rsync\n}\n"
    )
    entries = parse_xinetd(x)
    assert [(e["service"], e["enabled"], e["server"]) for e in entries] == [
        ("telnet", True, "in.telnetd"),
        ("tftp", False, "in.tftpd"),
        ("rsync", True, "rsync"),
    ]
    inetd = parse_inetd(
        "#telnet stream tcp nowait root /usr/sbin/tcpd /usr/sbin/in.telnetd\n"
        "ftp stream tcp nowait root /usr/sbin/tcpd /usr/sbin/in.ftpd -l\nbroken line\n"
    )
    assert inetd == [{"service": "ftp", "proto": "tcp", "user": "root", "server": "in.ftpd", "enabled": True}]


def test_fixture_services() -> None:
    weak = evidence_map("debian-weak")["host.services"]
    assert weak.method == "systemctl list-unit-files"
    assert "vsftpd.service" in weak.facts["enabled"]
    activity = evidence_map("debian-weak")["host.unit_activity"]
    assert activity.method == "systemctl list-units" and "redis-server.service" in activity.facts["active"]
    superserver = evidence_map("debian-weak")["host.superserver"].facts["superserver"]
    assert [e["service"] for e in superserver] == ["telnet"] and superserver[0]["server"] == "in.telnetd"
    assert evidence_map("openeuler-server")["host.unit_activity"].facts["failed"] == ["kdump.service"]
    assert "rpcbind.service" not in evidence_map("openeuler-server")["host.services"].facts["enabled"]


def _booted(ctx: HostContext) -> HostContext:
    """Mark the tree as a host whose running init is systemd (sd_booted looks for this directory)."""
    (ctx.root / "run/systemd/system").mkdir(parents=True, exist_ok=True)
    return ctx


def test_without_systemd_running_unit_states_come_from_the_unit_directories(tmp_path: Path) -> None:
    """A container, an image or another init: no systemctl is run, the unit directories say what is enabled."""
    ctx = _ctx(tmp_path, {})
    root = ctx.root
    wants = root / "etc/systemd/system/multi-user.target.wants"
    wants.mkdir(parents=True)
    os.symlink("/lib/systemd/system/cups.service", wants / "cups.service")
    getty = root / "etc/systemd/system/getty.target.wants"
    getty.mkdir(parents=True)
    os.symlink("/lib/systemd/system/getty@.service", getty / "getty@tty1.service")  # an instance enables its template
    lib = root / "lib/systemd/system"
    lib.mkdir(parents=True)
    os.symlink("/dev/null", lib / "cryptdisks.service")  # a vendor mask
    os.symlink("/dev/null", root / "etc/systemd/system/rpcbind.service")  # masked by the admin
    (lib / "rpcbind.service").write_text("[Unit]\n")  # shadowed by the mask in /etc
    ev = _collect("host.services", ctx)
    assert ev.status is EvidenceStatus.OK, ev.reason
    assert ev.method == "files: unit directories (systemd is not the running init)"
    assert ev.facts["enabled"] == ["cups.service", "getty@.service"]
    assert ev.facts["masked"] == ["cryptdisks.service", "rpcbind.service"]
    assert not any(getattr(s, "argv", None) for s in ev.sources)  # systemctl was not run
    activity = _collect("host.unit_activity", ctx)
    assert activity.status is EvidenceStatus.OK and activity.facts["active_known"] is False
    assert not any(getattr(s, "argv", None) for s in activity.sources)


def test_systemctl_failing_on_a_systemd_host_falls_back_to_the_files(tmp_path: Path) -> None:
    msg = "Failed to connect to bus: Host is down\n"
    ctx = _booted(_ctx(tmp_path, {LIST_UNIT_FILES: ("", 1, msg), LIST_UNITS: ("", 1, msg)}))
    wants = ctx.root / "etc/systemd/system/multi-user.target.wants"
    wants.mkdir(parents=True)
    os.symlink("/lib/systemd/system/cups.service", wants / "cups.service")
    ev = _collect("host.services", ctx)
    assert ev.status is EvidenceStatus.OK
    assert ev.method == "files: unit directories"
    assert ev.facts["enabled"] == ["cups.service"]
    assert ev.facts["systemctl_error"] == (
        "systemctl list-unit-files --no-legend --no-pager --plain: exit code 1: Failed to connect to bus: Host is down"
    )
    assert _collect("host.unit_activity", ctx).status is EvidenceStatus.ERROR


def test_unit_directories_agree_with_systemctl_on_this_machine() -> None:
    """The file reading gives what systemctl list-unit-files gives, on the machine the tests run on."""
    import shutil
    import subprocess

    from collectors.context import HostReader, LiveProcessView
    from collectors.host.services import unit_states_from_files
    from collectors.runner import SystemRunner

    systemctl = shutil.which("systemctl")
    assert systemctl, "the test machine has systemd's systemctl (Debian installs it)"
    out = subprocess.run([systemctl, "list-unit-files", "--no-legend", "--no-pager", "--plain"], capture_output=True, text=True, check=True)
    units, _bad = parse_unit_files(out.stdout)
    want_enabled = sorted(u for u, s in units.items() if s in ("enabled", "enabled-runtime"))
    want_masked = sorted(u for u, s in units.items() if s.startswith("masked"))
    reader = HostReader(HostContext(Path("/"), SystemRunner(), LiveProcessView(), "t", True))
    enabled, masked = unit_states_from_files(reader)
    assert (enabled, masked) == (want_enabled, want_masked)
    assert want_enabled  # a machine with nothing enabled would prove nothing


def test_garbage_unit_list_is_malformed(tmp_path: Path) -> None:
    ev = _collect("host.services", _booted(_ctx(tmp_path, {LIST_UNIT_FILES: os.urandom(500).decode("latin-1") + "\n"})))
    assert ev.status is EvidenceStatus.ERROR and ev.error_reason is ErrorReason.MALFORMED
    assert "list-unit-files" in (ev.reason or "")


def test_binary_xinetd_file_is_noted_naming_file(tmp_path: Path) -> None:
    ctx = _ctx(tmp_path, {})
    d = tmp_path / "root/etc/xinetd.d"
    d.mkdir(parents=True)
    (d / "telnet").write_bytes(b"service telnet\x00\x00\xff")
    ev = _collect("host.superserver", ctx)
    assert ev.status is EvidenceStatus.OK
    assert "/etc/xinetd.d/telnet" in ev.facts["superserver_skipped"][0]["reason"]


def test_processes_are_reduced() -> None:
    ev = evidence_map("debian-weak")["host.processes"]
    row = next(p for p in ev.facts["processes"] if p["name"] == "mysqld")
    assert set(row) == {"pid", "name", "user", "exe", "ppid", "started"} and row["user"] == "root"
    assert row["ppid"] is None and row["started"] is None  # the recording predates parent pids


def test_process_table_order_does_not_depend_on_the_read_order(tmp_path: Path) -> None:
    """One snapshot, one order: a pid seen twice (reused while the table was read) is ordered by start time."""
    procs = [
        {"pid": 9, "name": "nginx", "user": "www-data", "ppid": 7, "started": 200},
        {"pid": 7, "name": "nginx", "user": "root", "ppid": 1, "started": 100},
        {"pid": 9, "name": "nginx", "user": "root", "ppid": 1, "started": 50},
    ]
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a = _collect("host.processes", _ctx(tmp_path / "a", {}, {"processes": procs})).facts["processes"]
    b = _collect("host.processes", _ctx(tmp_path / "b", {}, {"processes": list(reversed(procs))})).facts["processes"]
    assert a == b and [(r["pid"], r["started"]) for r in a] == [(7, 100), (9, 50), (9, 200)]


def test_empty_process_table_is_not_observed(tmp_path: Path) -> None:
    """No process at all (an offline tree): the table was not observed; never "nothing runs"."""
    ev = _collect("host.processes", _ctx(tmp_path, {}, {}))
    assert ev.status is EvidenceStatus.ERROR and ev.error_reason is ErrorReason.NOT_FOUND
    offline = evidence_map("debian-hardened-offline")
    assert offline["host.processes"].status is EvidenceStatus.ERROR
    assert offline["host.listening"].status is EvidenceStatus.ERROR
    assert offline["host.remote_access"].facts["processes_observed"] is False


def test_own_spawned_commands_are_left_out_of_the_live_table() -> None:
    from collectors.context import ProcessInfo, without_own_tree

    procs = [
        ProcessInfo(1, "systemd", "root", ppid=0),
        ProcessInfo(50, "python3", "root", ppid=1),
        ProcessInfo(51, "sshd", "root", ppid=50),  # sshd -T spawned by the agent
        ProcessInfo(52, "nft", "root", ppid=51),
        ProcessInfo(60, "sshd", "root", ppid=1),
    ]
    assert [p.pid for p in without_own_tree(procs, 50)] == [1, 50, 60]


def test_list_units_failure_is_recorded(tmp_path: Path) -> None:
    msg = "Failed to connect to bus: No such file or directory\n"
    units = "cups.service enabled\n"
    ctx = _ctx(tmp_path, {LIST_UNIT_FILES: units, LIST_UNITS: ("", 1, msg)})
    (tmp_path / "root/run/systemd/system").mkdir(parents=True)
    ev = _collect("host.unit_activity", ctx)
    assert ev.status is EvidenceStatus.ERROR
    assert ev.reason == (
        "systemctl list-units --no-legend --no-pager --plain --all: exit code 1: Failed to connect to bus: No such file or directory"
    )
    assert [(s.argv[1], s.exit_code) for s in ev.sources if hasattr(s, "argv")] == [("list-units", 1)]
    assert _collect("host.services", ctx).facts["enabled"] == ["cups.service"]


def test_remote_access_fixture_and_paths(tmp_path: Path) -> None:
    weak = evidence_map("debian-weak")["host.remote_access"].facts
    tv = next(t for t in weak["remote_tools"] if t["tool"] == "TeamViewer")
    assert tv["running"] and tv["units"] == ["teamviewerd.service"] and tv["paths"] == ["/opt/teamviewer"]
    assert [t["tool"] for t in weak["tunnel_tools"]] == ["frp client"]
    assert evidence_map("debian-hardened")["host.remote_access"].facts["remote_tools"] == []
    # installed but not running: found by install path alone
    ctx = _ctx(tmp_path, {}, {"processes": [{"pid": 5, "name": "Xvnc", "user": "alice"}]})
    (tmp_path / "root/opt/todesk").mkdir(parents=True)
    found = {t["tool"]: t for t in _collect("host.remote_access", ctx).facts["remote_tools"]}
    assert found["ToDesk"]["running"] is False and found["ToDesk"]["paths"] == ["/opt/todesk"]
    assert found["VNC server"]["processes"] == ["Xvnc"]


def test_xinetd_subdirectory_and_binary_file_do_not_break_services(tmp_path: Path) -> None:
    ctx = _ctx(tmp_path, {})
    xd = tmp_path / "root" / "etc" / "xinetd.d"
    (xd / "archive").mkdir(parents=True)
    (xd / "archive" / "old").write_text("service ftp\n{\n\tdisable = no\n}\n")
    (xd / "blob").write_bytes(b"\x7fELF\x00\x00binary")
    (xd / "telnet").write_text("service telnet\n{\n\tdisable = no\n\tserver = /usr/sbin/in.telnetd\n}\n")
    ev = _collect("host.superserver", ctx)
    assert ev.status is EvidenceStatus.OK
    assert [(e["service"], e["enabled"]) for e in ev.facts["superserver"]] == [("telnet", True)]
    skipped = {s["path"]: s["reason"] for s in ev.facts["superserver_skipped"]}
    assert skipped["/etc/xinetd.d/archive"] == "directory" and "binary" in skipped["/etc/xinetd.d/blob"]
