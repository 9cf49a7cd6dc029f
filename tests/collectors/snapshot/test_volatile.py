"""Volatile state from a recorded /proc tree (tests/fixtures/snapshot/proc-host) and from this machine's own /proc."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path
from typing import Any, Dict, List

import pytest

from collectors.context import load_fixture_context
from collectors.snapshot import volatile
from collectors.snapshot.collect import Stage, take
from collectors.snapshot.model import Artefact
from collectors.snapshot.session import Limits
from report.redact import redact_text

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "snapshot" / "proc-host"


def run_stage(name: str, run: Any, fixture: Path = FIXTURE) -> Dict[str, Any]:
    got: List[Artefact] = []
    take(load_fixture_context(fixture), redact_text, got.append, Limits(time_s=30), stages=(Stage(name, 1.0, run),))
    (art,) = [a for a in got if a.name == name]
    doc: Dict[str, Any] = json.loads(art.content)
    doc["_artefact"] = art
    return doc


def test_processes_carry_parent_user_start_and_executable_digest() -> None:
    from collectors.digest import sha256_hex

    doc = run_stage("volatile/processes", volatile.processes)
    by_pid = {p["pid"]: p for p in doc["processes"]}
    assert sorted(by_pid) == [1, 2, 601, 810, 4242, 5150]
    sshd = by_pid[601]
    assert (sshd["ppid"], sshd["user"], sshd["exe"], sshd["started_at"]) == (1, "root", "/usr/sbin/sshd", "2026-01-01T00:00:09Z")
    assert sshd["exe_sha256"] == sha256_hex((FIXTURE / "root" / "usr" / "sbin" / "sshd").read_bytes())
    assert by_pid[810]["user"] == "www-data" and by_pid[2]["kernel_thread"] and "exe" not in by_pid[2]


def test_a_process_whose_executable_was_deleted_is_marked_and_its_name_survives_parentheses() -> None:
    doc = run_stage("volatile/processes", volatile.processes)
    implant = next(p for p in doc["processes"] if p["pid"] == 4242)
    assert implant["name"] == "kworker/u8:3 (x)" and implant["deleted"] is True and implant["exe"] == "/var/tmp/.x"


def test_a_password_on_a_command_line_is_redacted() -> None:
    doc = run_stage("volatile/processes", volatile.processes)
    dump = next(p for p in doc["processes"] if p["pid"] == 5150)
    assert dump["cmdline"] == "mysqldump -uroot -p[redacted] --all-databases" and dump["redactions"] == 1
    assert "PlantedCmdPassw0rd" not in doc["_artefact"].content.decode()


def test_sockets_listening_and_established_with_their_processes() -> None:
    doc = run_stage("volatile/sockets", volatile.sockets)
    rows = {(s["proto"], s["state"], s["local_address"], s["local_port"]): s for s in doc["sockets"]}
    assert set(rows) == {
        ("tcp", "listen", "0.0.0.0", 22),
        ("tcp", "listen", "0.0.0.0", 80),
        ("tcp", "established", "10.0.0.5", 51514),
        ("tcp6", "listen", "::", 22),
        ("udp", "bound", "0.0.0.0", 68),
    }  # the TIME_WAIT row is not kept
    c2 = rows[("tcp", "established", "10.0.0.5", 51514)]
    assert (c2["remote_address"], c2["remote_port"], c2["pids"], c2["processes"]) == ("203.0.113.9", 4444, [4242], ["kworker/u8:3 (x)"])
    assert rows[("tcp", "listen", "0.0.0.0", 80)]["user"] == "www-data"
    assert all("inode" not in s for s in doc["sockets"])  # inodes change every boot: nothing to compare


def test_ipv6_addresses_are_decoded_from_their_little_endian_words() -> None:
    line = (
        "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
        "   0: 00000000000000000000000001000000:1F90 0000000000000000FFFF00000100007F:A1B2 01 00000000:00000000 00:00000000 00000000  1000        0 777 1\n"
    )
    (row,) = volatile.parse_proc_net(line, "tcp6")
    assert (row["local_address"], row["local_port"], row["remote_address"], row["remote_port"]) == ("::1", 8080, "::ffff:127.0.0.1", 41394)


def _utmp(kind: int, pid: int, line: str, user: str, host: str, when: int, addr: bytes = b"") -> bytes:
    return volatile.UTMP.pack(kind, 0, pid, line.encode(), b"ts/0", user.encode(), host.encode(), 0, 0, 0, when, 0, addr.ljust(16, b"\0"), b"")


def test_utmp_records_are_decoded_and_a_cut_record_is_ignored() -> None:
    data = _utmp(2, 0, "~", "reboot", "6.1.0", 1767225600) + _utmp(
        7, 3001, "pts/0", "root", "203.0.113.9", 1767233469, socket.inet_aton("203.0.113.9")
    )
    records = volatile.parse_utmp(data + data[:100])
    assert [(r["type"], r["user"], r["line"], r["at"], r["address"]) for r in records] == [
        ("boot_time", "reboot", "~", "2026-01-01T00:00:00Z", None),
        ("user", "root", "pts/0", "2026-01-01T02:11:09Z", "203.0.113.9"),
    ]
    assert volatile.UTMP.size == 384


def test_kernel_modules_with_their_taint() -> None:
    doc = run_stage("volatile/kernel_modules", volatile.modules)
    mods = {m["name"]: m for m in doc["modules"]}
    assert mods["diamorphine"]["taint"] == "OE" and mods["mbcache"]["used_by"] == ["ext4"] and doc["kernel_tainted"] == 12288


def test_a_recorded_host_without_a_proc_tree_falls_back_to_its_recorded_table() -> None:
    from tests.hosts import HOSTS_DIR

    doc = run_stage("volatile/processes", volatile.processes, HOSTS_DIR / "debian-hardened")
    assert doc["method"] == "recorded" and any(p["name"] == "sshd" and p["pid"] == 601 for p in doc["processes"])
    socks = run_stage("volatile/sockets", volatile.sockets, HOSTS_DIR / "debian-hardened")
    assert socks["method"] == "recorded" and any(s["local_port"] == 5432 for s in socks["sockets"])


@pytest.mark.live
def test_this_machine_lists_this_test_as_a_process_with_its_interpreter_hashed() -> None:
    """The live /proc: this very process is in the table with the sha256 of the interpreter that runs it."""
    import socket as _s

    from collectors.context import HostContext, LiveProcessView
    from collectors.digest import sha256_hex
    from collectors.runner import SystemRunner

    got: List[Artefact] = []
    listener = _s.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    try:
        ctx = HostContext(Path("/"), SystemRunner(), LiveProcessView(), "live", os.geteuid() == 0)
        take(ctx, redact_text, got.append, Limits(time_s=30), stages=(Stage("p", 1.0, volatile.processes), Stage("s", 1.0, volatile.sockets)))
        port = listener.getsockname()[1]
    finally:
        listener.close()
    procs = json.loads(got[0].content)["processes"]
    me = next(p for p in procs if p["pid"] == os.getpid())
    assert me["exe"] == os.path.realpath(f"/proc/{os.getpid()}/exe")
    assert me["exe_sha256"] == sha256_hex(Path(me["exe"]).read_bytes())
    socks = json.loads(got[1].content)["sockets"]
    mine = [s for s in socks if s["local_port"] == port and s["state"] == "listen"]
    assert mine and mine[0]["pids"] == [os.getpid()]
