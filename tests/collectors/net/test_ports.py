"""net.ports against real nmap and real listeners on 127.0.0.1 (ephemeral ports)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

import collectors.net.ports as ports_mod
from collectors.evidence import ErrorReason, EvidenceStatus
from collectors.net.registry import NetContext, all_net_collectors, run_net_collector
from collectors.net.scope import ScopeError, parse_scope, parse_target
from tests.servers import tcp

ROOT = Path(__file__).resolve().parents[3]
ROOT_USER = os.geteuid() == 0


def _nmap_present() -> None:
    assert shutil.which("nmap"), "nmap is not installed (scripts/test.sh installs it): these tests need the real binary"


def _free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def _run(ports: str, privileged: bool = ROOT_USER, target: str = "127.0.0.1", scope_targets=("127.0.0.1",), progress=None):
    _nmap_present()
    scope = parse_scope(list(scope_targets))
    ctx = NetContext(scope, privileged=privileged, ports=ports, progress=progress)
    return run_net_collector(all_net_collectors()["net.ports"], ctx, parse_target(target))


def test_services_and_versions_are_identified() -> None:
    closed = _free_port()
    said: list = []
    with tcp.serve(tcp.OLD_OPENSSH, tcp.VSFTPD_234, tcp.LINUX_TELNETD, tcp.VNC_38, tcp.MYSQL_56) as ports:
        ev = _run(tcp.port_spec([*ports, closed]), progress=said.append)
    assert ev.status is EvidenceStatus.OK, ev.reason
    f = ev.facts
    assert f["scan_type"] == ("syn" if ROOT_USER else "connect")
    assert f["arguments"][0] == ("-sS" if ROOT_USER else "-sT")
    assert {"-Pn", "-n", "-sV"} <= set(f["arguments"])
    (host,) = f["hosts"]
    assert host["address"] == "127.0.0.1" and f["open_ports"] == 5
    assert host["state_counts"] == {"closed": 1, "open": 5}
    seen = {p["port"]: p for p in host["open_ports"]}
    ssh, ftp, telnet, vnc, mysql = (seen[p] for p in ports)
    assert (ssh["service"], ssh["product"], ssh["version"]) == ("ssh", "OpenSSH", "7.2p2 Ubuntu 4ubuntu2.10")
    assert "cpe:/a:openbsd:openssh:7.2p2" in ssh["cpes"]
    assert (ftp["service"], ftp["product"], ftp["version"]) == ("ftp", "vsftpd", "2.3.4")
    assert (telnet["service"], telnet["product"]) == ("telnet", "Linux telnetd")
    assert (vnc["service"], vnc["product"], vnc["extrainfo"]) == ("vnc", "VNC", "protocol 3.8")
    assert (mysql["service"], mysql["product"], mysql["version"]) == ("mysql", "MySQL", "5.6.51")
    assert all(p["proto"] == "tcp" and p["tunnel"] == "" for p in host["open_ports"])
    # provenance, progress, method; the raw XML stays out of the facts
    assert [(s.endpoint, s.protocol, s.error) for s in ev.sources] == [("127.0.0.1", "nmap", None)]
    assert said[0].startswith("nmap: 127.0.0.1 ports ") and said[-1].startswith("nmap: 127.0.0.1 done, 5 open port(s)")
    assert ev.method and "service detection" in ev.method
    text = json.dumps(ev.to_json())
    assert "<nmaprun" not in text and "<?xml" not in text
    assert all(not isinstance(v, float) for v in f.values())


def test_unprivileged_run_uses_a_connect_scan() -> None:
    with tcp.serve(tcp.MODERN_OPENSSH) as ports:
        ev = _run(tcp.port_spec(ports), privileged=False)
    assert ev.status is EvidenceStatus.OK, ev.reason
    assert ev.facts["scan_type"] == "connect" and ev.facts["arguments"][0] == "-sT" and ev.facts["privileged"] is False
    (port,) = ev.facts["hosts"][0]["open_ports"]
    assert (port["port"], port["service"], port["product"]) == (ports[0], "ssh", "OpenSSH")
    assert port["version"].startswith("9.2p1")


def test_no_open_port_is_a_valid_result() -> None:
    ev = _run(str(_free_port()))
    assert ev.status is EvidenceStatus.OK, ev.reason
    assert ev.facts["open_ports"] == 0 and ev.facts["hosts"][0]["state_counts"] == {"closed": 1}


def test_host_timeout_is_an_error_not_an_empty_result(monkeypatch) -> None:
    monkeypatch.setattr(ports_mod, "HOST_TIMEOUT_S", 1)
    with tcp.serve(tcp._drain) as ports:  # accepts, never speaks: version detection waits on it
        ev = _run(tcp.port_spec(ports))
    assert ev.status is EvidenceStatus.ERROR and ev.error_reason is ErrorReason.TIMEOUT
    assert "127.0.0.1" in (ev.reason or "") and "host timeout" in (ev.reason or "")


def test_out_of_scope_host_is_not_scanned() -> None:
    ev = _run("22", target="127.0.0.2", scope_targets=("127.0.0.1",))
    assert ev.status is EvidenceStatus.ERROR and "outside the declared scope" in (ev.reason or "")
    assert not ev.sources  # nmap never ran


def test_missing_nmap_is_reported_as_tool_missing(monkeypatch) -> None:
    import nmap

    real_init = nmap.PortScanner.__init__

    def init_without_nmap(self):
        real_init(self, nmap_search_path=("/nonexistent/nmap",))

    monkeypatch.setattr(nmap.PortScanner, "__init__", init_without_nmap)
    ev = _run("22")
    assert ev.status is EvidenceStatus.ERROR and ev.error_reason is ErrorReason.TOOL_MISSING
    assert ev.reason == "nmap is not installed: apt-get install nmap"


def test_nmap_is_not_imported_at_module_import() -> None:
    code = "import sys, collectors.net.ports, collectors.net.registry; print('nmap' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


@pytest.mark.parametrize("raw", ["-oN x", "127.0.0.1 --script foo", "--script=http-brute", "127.0.0.1 -oN x"])
def test_option_injection_is_refused_before_nmap_runs(raw: str, tmp_path: Path) -> None:
    with pytest.raises(ScopeError):
        parse_target(raw)
    # Through the command line, with a decoy nmap first on PATH that would leave a mark if run.
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    mark = tmp_path / "nmap-ran"
    (fake_bin / "nmap").write_text(f"#!/bin/sh\ntouch {mark}\n")
    (fake_bin / "nmap").chmod(0o755)
    env = dict(os.environ, PATH=f"{fake_bin}:{os.environ.get('PATH', '')}", PYTHONPATH=str(ROOT))
    exe = Path(sys.executable).with_name("riskagent")
    argv = [str(exe)] if exe.exists() else [sys.executable, "-m", "agent.cli"]
    done = subprocess.run(
        [*argv, "scan", "--profile", "website", "--target", raw, "--no-sign", "-q", "--out", str(tmp_path / "out")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    assert not mark.exists() and not (tmp_path / "x").exists()
    assert not (tmp_path / "out" / "report.json").exists()


def test_ics_gateway_leaves_industrial_ports_to_the_read_only_probe() -> None:
    """nmap's service detection never touches a PLC port in the ics-gateway profile, even when asked to scan it."""
    from collectors.profile import Profile
    from tests.servers.ics import ModbusServer

    with ModbusServer() as plc, tcp.serve(tcp.OLD_OPENSSH) as (ssh_port,):
        scope = parse_scope(["127.0.0.1"])
        ctx = NetContext(
            scope,
            privileged=os.geteuid() == 0,
            ports=f"{plc.port},{ssh_port}",
            options={"ics_ports": {"modbus": plc.port}},
            profile=Profile.ICS_GATEWAY,
        )
        ev = run_net_collector(all_net_collectors()["net.ports"], ctx, scope.targets[0])
        frames = list(plc.recorder.frames)
    assert ev.status is EvidenceStatus.OK, ev.reason
    assert ev.facts["left_to_probes"][str(plc.port)] == "ics.identify (modbus)"
    assert "--exclude-ports" in ev.facts["arguments"]
    found = {p["port"] for h in ev.facts["hosts"] for p in h["open_ports"]}
    assert ssh_port in found and plc.port not in found
    assert frames == []  # not one byte reached the PLC


def test_udp_not_scanned_without_root_or_with_an_explicit_list() -> None:
    """No UDP scan without root, nor when --ports lists TCP ports: the facts say so and why."""
    closed = str(_free_port())
    ev = _run(closed, privileged=False)
    assert ev.status is EvidenceStatus.OK, ev.reason
    assert ev.facts["udp"] == {"scanned": False, "ports": "", "reason": ports_mod.udp_plan(_ctx(closed, False))[1]}
    assert "needs root" in ev.facts["udp"]["reason"] and "-sU" not in ev.facts["arguments"]
    assert ports_mod.udp_plan(_ctx(closed, True)) == ("", "an explicit port list (--ports) is scanned over TCP only")
    assert ports_mod.udp_plan(_ctx(None, True)) == (ports_mod.UDP_PORTS, None)  # the default set: TFTP, NetBIOS


def _ctx(ports, privileged: bool, **options) -> NetContext:
    return NetContext(parse_scope(["127.0.0.1"]), privileged=privileged, ports=ports, options=options)


@pytest.mark.skipif(not ROOT_USER, reason="nmap -sU needs root")
def test_udp_ports_are_scanned_as_root() -> None:
    from tests.servers import udp

    _nmap_present()
    closed_tcp = _free_port()
    with udp.serve() as port:
        ctx = _ctx(str(closed_tcp), True, udp_ports=str(port))
        ev = run_net_collector(all_net_collectors()["net.ports"], ctx, parse_target("127.0.0.1"))
    assert ev.status is EvidenceStatus.OK, ev.reason
    assert "-sU" in ev.facts["arguments"] and ev.facts["udp"] == {"scanned": True, "ports": str(port), "no_reply": []}
    (host,) = ev.facts["hosts"]
    assert [(p["port"], p["proto"]) for p in host["open_ports"]] == [(port, "udp")]

