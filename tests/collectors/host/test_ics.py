"""host.ics_gateway: interface mapping, industrial listeners, dpkg md5 verification and its caps."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Dict, List, Optional

import collectors.host.ics as ics
from collectors.catalogue import all_collectors
from collectors.context import HostContext, HostReader, ListeningSocket, RecordedProcessView, load_fixture_context
from collectors.evidence import EvidenceStatus
from collectors.registry import run_collector
from collectors.runner import RecordedRunner
from tests.hosts import HOSTS_DIR, evidence_map


def _facts(host: str, privileged: bool = True) -> Dict[str, Any]:
    ev = run_collector(all_collectors()["host.ics_gateway"], load_fixture_context(HOSTS_DIR / host, privileged=privileged))
    assert ev.status is EvidenceStatus.OK, ev.reason
    return dict(ev.facts)


def _ctx(root: Path, system: Optional[Dict[str, Any]] = None, privileged: bool = True) -> HostContext:
    return HostContext(
        root=root,
        runner=RecordedRunner(root / "commands"),
        processes=RecordedProcessView(system or {}),
        target="t",
        privileged=privileged,
    )


def _package(root: Path, name: str, files: Dict[str, bytes], tamper: Optional[str] = None) -> None:
    info = root / "var/lib/dpkg/info"
    info.mkdir(parents=True, exist_ok=True)
    lines = []
    for path, data in files.items():
        lines.append(f"{hashlib.md5(data).hexdigest()}  {path.lstrip('/')}\n")
        f = root / path.lstrip("/")
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_bytes(data + (b"x" if path == tamper else b""))
    (info / f"{name}.md5sums").write_text("".join(lines))


def test_fixture_gateway_interfaces_and_wildcard_modbus() -> None:
    facts = _facts("ics-gateway")
    assert facts["interfaces"]["interfaces"]["eth1"] == ["192.168.100.1", "fe80::5054:ff:fe12:3406"]
    listeners = facts["industrial"]["listeners"]
    modbus = [r for r in listeners if r["port"] == 502]
    assert modbus == [
        {
            "port": 502,
            "protocol": "Modbus/TCP",
            "proto": "tcp",
            "address": "0.0.0.0",
            "scope": "wildcard",
            "interfaces": ["eth0", "eth1", "lo"],
            "process": "mbusd",
        }
    ]
    mqtt = [r for r in listeners if r["port"] == 1883]
    assert mqtt[0]["scope"] == "loopback" and mqtt[0]["interfaces"] == ["lo"]
    assert all(r["port"] in ics.INDUSTRIAL_PORTS for r in listeners)  # sshd 22, anydesk 7070 left out


def test_fixture_hardened_gateway_binds_modbus_to_ot_address() -> None:
    modbus = [r for r in _facts("ics-gateway-hardened")["industrial"]["listeners"] if r["port"] == 502]
    assert modbus[0]["scope"] == "specific" and modbus[0]["interfaces"] == ["eth1"]


def test_md5_mismatch_found_in_fixture() -> None:
    integ = _facts("ics-gateway")["integrity"]
    assert integ["packages"] == ["libmodbus5"]  # from libmodbus5:amd64.md5sums (multi-arch name)
    assert integ["mismatches"] == [{"path": "/usr/lib/x86_64-linux-gnu/libmodbus.so.5.1.0", "package": "libmodbus5"}]
    assert integ["files_checked"] == 3 and not integ["truncated"] and integ["missing"] == []


def test_unprivileged_replay_counts_unreadable_file() -> None:
    integ = _facts("ics-gateway-hardened", privileged=False)["integrity"]
    assert integ["unreadable"] == 1 and integ["files_checked"] == 2 and integ["mismatches"] == []


def test_hosts_without_md5sums_are_unsupported() -> None:
    assert _facts("openeuler-server")["integrity"]["reason"].startswith("not supported without rpm -V")
    assert _facts("debian-hardened")["integrity"]["supported"] is False


def test_file_cap_truncates(tmp_path: Path) -> None:
    _package(tmp_path, "sudo", {f"/usr/bin/f{i}": b"%d" % i for i in range(5)})
    out = ics.verify_dpkg(HostReader(_ctx(tmp_path)), max_files=3)
    assert out["truncated"] and out["limit_hit"] == "files"
    assert out["files_checked"] == 3 and out["not_checked"] == 2


def test_byte_and_time_caps(tmp_path: Path) -> None:
    _package(tmp_path, "coreutils", {"/usr/bin/a": b"a" * 100, "/usr/bin/b": b"b" * 100})
    by_bytes = ics.verify_dpkg(HostReader(_ctx(tmp_path)), max_bytes=150)
    assert by_bytes["limit_hit"] == "bytes" and by_bytes["files_checked"] == 1
    by_time = ics.verify_dpkg(HostReader(_ctx(tmp_path)), max_seconds=-1.0)
    assert by_time["limit_hit"] == "time" and by_time["files_checked"] == 0 and by_time["not_checked"] == 2


def test_package_selection_and_missing_files(tmp_path: Path) -> None:
    _package(tmp_path, "openssh-server", {"/usr/sbin/sshd": b"sshd"}, tamper="/usr/sbin/sshd")
    _package(tmp_path, "codesys-runtime:armhf", {"/opt/codesys/bin/codesyscontrol.bin": b"plc"})
    _package(tmp_path, "bash", {"/bin/bash": b"bash"}, tamper="/bin/bash")  # not in the verified set
    (tmp_path / "opt/codesys/bin/codesyscontrol.bin").unlink()
    out = ics.verify_dpkg(HostReader(_ctx(tmp_path)))
    assert out["packages"] == ["codesys-runtime", "openssh-server"]
    assert out["mismatches"] == [{"path": "/usr/sbin/sshd", "package": "openssh-server"}]
    assert out["missing"] == [{"path": "/opt/codesys/bin/codesyscontrol.bin", "package": "codesys-runtime"}]


def test_garbage_md5sums_is_a_section_error_naming_the_file(tmp_path: Path) -> None:
    info = tmp_path / "var/lib/dpkg/info"
    info.mkdir(parents=True)
    (info / "sudo.md5sums").write_bytes(b"\x00\xffnot a digest line\n")
    ev = run_collector(all_collectors()["host.ics_gateway"], _ctx(tmp_path))
    assert ev.status is EvidenceStatus.OK
    err = ev.facts["integrity"]["error"]
    assert "/var/lib/dpkg/info/sudo.md5sums" in err


def test_garbage_line_reports_line_number() -> None:
    try:
        ics.parse_md5sums("d41d8cd98f00b204e9800998ecf8427e  usr/bin/x\nbogus\n", "/p.md5sums")
    except ics.CollectError as exc:
        assert exc.message == "/p.md5sums: line 2: not '<md5>  <path>'"
    else:
        raise AssertionError("no error")


def test_listener_mapping_edge_cases() -> None:
    ifaces: Dict[str, List[str]] = {"lo": ["127.0.0.1"], "eth0": ["10.0.0.2"], "eth1": ["192.168.1.1"]}
    socks = [
        ListeningSocket("tcp6", "::ffff:192.168.1.1", 4840, 1, "opcua"),
        ListeningSocket("udp", "10.0.0.2", 47808, 2, "bacnet"),
        ListeningSocket("tcp", "172.16.0.9", 102, 3, "s7"),
        ListeningSocket("tcp", "10.0.0.2", 22, 4, "sshd"),
    ]
    rows = {r["port"]: r for r in ics.industrial_listeners(socks, ifaces)}
    assert set(rows) == {102, 4840, 47808}
    assert rows[4840]["interfaces"] == ["eth1"]
    assert rows[47808]["interfaces"] == ["eth0"]
    assert rows[102]["interfaces"] == []  # address on no known interface


def test_interfaces_unavailable_is_recorded_not_fatal(tmp_path: Path) -> None:
    class Broken(RecordedProcessView):
        def interfaces(self) -> Dict[str, List[str]]:
            raise OSError("no netlink")

    ctx = _ctx(tmp_path)
    ctx.processes = Broken({})
    ev = run_collector(all_collectors()["host.ics_gateway"], ctx)
    assert ev.status is EvidenceStatus.OK
    assert "no netlink" in ev.facts["interfaces"]["error"]
    assert json.dumps(ev.facts)  # plain JSON


def test_industrial_services_are_judged_by_transport_and_program() -> None:
    """EtherNet/IP I/O is UDP 2222; a TCP listener there (a second sshd) is SSH, and sshd on 502 is not Modbus."""
    ifaces: Dict[str, List[str]] = {"lo": ["127.0.0.1"], "eth0": ["10.0.0.2"], "eth1": ["192.168.1.1"]}
    socks = [
        ListeningSocket("tcp", "0.0.0.0", 2222, 1, "sshd"),
        ListeningSocket("udp", "192.168.1.1", 2222, 2, "opener"),
        ListeningSocket("tcp", "192.168.1.1", 44818, 2, "opener"),
        ListeningSocket("tcp", "0.0.0.0", 502, 3, "sshd"),
        ListeningSocket("tcp", "0.0.0.0", 47808, 4, None),  # BACnet/IP is UDP
    ]
    aside: List[Any] = []
    rows = ics.industrial_listeners(socks, ifaces, aside)
    assert [(r["port"], r["proto"], r["protocol"]) for r in rows] == [
        (2222, "udp", "EtherNet/IP (I/O)"),
        (44818, "tcp", "EtherNet/IP (explicit messaging)"),
    ]
    reasons = {(r["port"], r["proto"]): r["reason"] for r in aside}
    assert reasons[(2222, "tcp")].startswith("TCP 2222 is not an industrial service port")
    assert reasons[(502, "tcp")] == "sshd speaks its own protocol, not Modbus/TCP"
    assert (47808, "tcp") in reasons


def test_recorded_gateway_with_sshd_on_2222() -> None:
    facts = evidence_map("ics-gateway-hardened-sshd-2222")["host.ics_gateway"].facts["industrial"]
    assert [r["port"] for r in facts["listeners"]] == [502, 1883]
    assert [(r["port"], r["process"]) for r in facts["set_aside"]] == [(2222, "sshd")]
