"""NET-PRT checks judged on real nmap scans of real listeners on 127.0.0.1.

Ports are ephemeral, so every FAIL here comes from what nmap's version
detection identified (service name / product), not from port numbers.
"""

from __future__ import annotations

import os
import shutil
from typing import Dict, List

import pytest

from checks.catalogue import all_checks, evaluate
from checks.model import Status
from checks.registry import EvidenceView, evaluate_one
from collectors.evidence import ErrorReason, Evidence, EvidenceStatus
from collectors.net.registry import NetContext, all_net_collectors, run_net_collector
from collectors.net.scope import parse_scope
from collectors.profile import Profile
from tests.servers import tcp

IDS = ("NET-PRT-001", "NET-PRT-002", "NET-PRT-003", "NET-PRT-004")


def _scan(*handlers) -> tuple:
    assert shutil.which("nmap"), "nmap is not installed (scripts/test.sh installs it)"
    scope = parse_scope(["127.0.0.1"])
    with tcp.serve(*handlers) as ports:
        ctx = NetContext(scope, privileged=os.geteuid() == 0, ports=tcp.port_spec(ports))
        ev = run_net_collector(all_net_collectors()["net.ports"], ctx, scope.targets[0])
    assert ev.status is EvidenceStatus.OK, ev.reason
    return ev, ports


@pytest.fixture(scope="module")
def risky():
    """Old SSH, vsftpd 2.3.4, telnet, VNC, Redis, MySQL 5.6, Apache 2.2, Webmin: one scan (~6 s, silent services)."""
    servers = {
        "ssh": tcp.OLD_OPENSSH,
        "ftp": tcp.VSFTPD_234,
        "telnet": tcp.LINUX_TELNETD,
        "vnc": tcp.VNC_38,
        "redis": tcp.REDIS_5,
        "mysql": tcp.MYSQL_56,
        "apache": tcp.APACHE_22,
        "webmin": tcp.WEBMIN,
    }
    ev, ports = _scan(*servers.values())
    return ev, dict(zip(servers, ports))


@pytest.fixture(scope="module")
def modern():
    """Only a current OpenSSH."""
    return _scan(tcp.MODERN_OPENSSH)


def _findings(ev: Evidence) -> Dict[str, object]:
    found = {f.check_id: f for f in evaluate([ev], Profile.WEBSITE) if f.check_id.startswith("NET-PRT-")}
    assert sorted(found) == list(IDS)
    assert all(f.target == "127.0.0.1" for f in found.values())
    return found


def _ports(finding) -> List[int]:
    return sorted(h["port"] for h in finding.observed["exposed"])


def test_checks_are_endpoint_checks_of_both_profiles() -> None:
    checks = all_checks()
    for cid in IDS:
        meta = checks[cid].meta
        assert meta.level == "endpoint" and meta.needs == ("net.ports",) and set(meta.profiles) == {"website", "server"}
    assert checks["NET-PRT-001"].meta.high_risk_case == "6.4.3.1"
    assert checks["NET-PRT-002"].meta.high_risk_case == "6.4.1.2"


def test_modern_ssh_only_passes_everything(modern) -> None:
    ev = modern[0]
    found = _findings(ev)
    for cid in IDS:
        assert found[cid].status is Status.PASS, (cid, found[cid].reason)
    supported = found["NET-PRT-003"].observed["supported"]
    assert [(s["software"], s["software_version"]) for s in supported] == [("openssh", "9.2p1 Debian 2+deb12u3")]


def test_high_risk_services_fail_by_service_name(risky) -> None:
    ev, port = risky
    f = _findings(ev)["NET-PRT-001"]
    assert f.status is Status.FAIL
    assert _ports(f) == sorted([port["ftp"], port["telnet"], port["vnc"], port["redis"], port["mysql"]])
    by_port = {h["port"]: h for h in f.observed["exposed"]}
    assert by_port[port["redis"]]["service"] == "redis" and by_port[port["redis"]]["matched"] == "service redis"
    assert by_port[port["mysql"]]["product"] == "MySQL"


def test_plaintext_admin_protocols_fail(risky) -> None:
    ev, port = risky
    f = _findings(ev)["NET-PRT-002"]
    assert f.status is Status.FAIL
    assert _ports(f) == sorted([port["ftp"], port["telnet"], port["vnc"], port["webmin"]])
    by_port = {h["port"]: h for h in f.observed["exposed"]}
    assert by_port[port["webmin"]]["matched"].endswith("console over plain http")


def test_end_of_life_software_fails(risky) -> None:
    ev, port = risky
    f = _findings(ev)["NET-PRT-003"]
    assert f.status is Status.FAIL
    hits = {(h["port"], h["software"], h["software_version"]) for h in f.observed["exposed"]}
    assert hits == {
        (port["ssh"], "openssh", "7.2p2 Ubuntu 4ubuntu2.10"),
        (port["ftp"], "vsftpd", "2.3.4"),
        (port["mysql"], "mysql", "5.6.51"),
        (port["apache"], "apache httpd", "2.2.15"),
    }
    assert all(h["basis"] for h in f.observed["exposed"])


def test_management_interfaces_fail(risky) -> None:
    ev, port = risky
    f = _findings(ev)["NET-PRT-004"]
    assert f.status is Status.FAIL
    assert _ports(f) == [port["webmin"]]
    assert f.observed["exposed"][0]["product"] == "MiniServ"


def test_port_lists_and_eol_table_are_parameters(modern) -> None:
    ev, (ssh,) = modern
    checks, view = all_checks(), EvidenceView([ev])
    f = evaluate_one(checks["NET-PRT-001"], view, {"high_risk_ports": [ssh]})
    assert f.status is Status.FAIL and _ports(f) == [ssh] and f.observed["exposed"][0]["matched"].startswith("port ")
    f = evaluate_one(checks["NET-PRT-004"], view, {"management_ports": [ssh]})
    assert f.status is Status.FAIL and _ports(f) == [ssh]
    f = evaluate_one(checks["NET-PRT-003"], view, {"eol_minimum": {"openssh": "9.3"}})
    assert f.status is Status.FAIL and f.observed["exposed"][0]["minimum_supported"] == "9.3"


def test_failed_or_incomplete_scans_never_pass(modern) -> None:
    ev = modern[0]
    failed = Evidence("net.ports", "127.0.0.1", EvidenceStatus.ERROR, {}, (), "nmap timed out", ErrorReason.TIMEOUT)
    partial_facts = dict(ev.facts, timed_out_hosts=["127.0.0.9"])
    partial = Evidence("net.ports", "127.0.0.1", EvidenceStatus.OK, partial_facts)
    for bundle in (failed, partial):
        for f in _findings(bundle).values():
            assert f.status is Status.ERROR, (f.check_id, f.status)


def test_a_pass_says_udp_was_not_assessed(modern) -> None:
    """An explicit --ports list is scanned over TCP only: the PASS must not speak for TFTP or NetBIOS."""
    found = _findings(modern[0])
    for cid in ("NET-PRT-001", "NET-PRT-002"):
        f = found[cid]
        assert f.status is Status.PASS and "TCP only; UDP not assessed" in (f.reason or ""), f.reason
        assert f.observed["udp"]["scanned"] is False and f.observed["udp"]["reason"]


@pytest.mark.skipif(os.geteuid() != 0, reason="nmap -sU needs root")
def test_open_udp_service_is_judged_when_scanned() -> None:
    from tests.servers import udp

    scope = parse_scope(["127.0.0.1"])
    with udp.serve() as port:
        ctx = NetContext(scope, privileged=True, ports=tcp.port_spec(tcp.closed_ports()), options={"udp_ports": str(port)})
        ev = run_net_collector(all_net_collectors()["net.ports"], ctx, scope.targets[0])
    assert ev.status is EvidenceStatus.OK, ev.reason
    view = EvidenceView([ev])
    passed = evaluate_one(all_checks()["NET-PRT-001"], view)
    assert passed.status is Status.PASS and f"TCP and UDP {port}" in (passed.reason or "")
    failed = evaluate_one(all_checks()["NET-PRT-001"], view, {"high_risk_ports": [port]})
    assert failed.status is Status.FAIL
    assert [(h["port"], h["proto"]) for h in failed.observed["exposed"]] == [(port, "udp")]


def test_or_later_versions_are_lower_bounds() -> None:
    """nmap reads this banner as "pyftpdlib 1.0.0 or later": below a minimum of 1.5 it proves nothing."""
    ev, (ftp,) = _scan(tcp.PYFTPDLIB)
    (port,) = ev.facts["hosts"][0]["open_ports"]
    assert (port["product"], port["version"]) == ("pyftpdlib", "1.0.0 or later")
    check, view = all_checks()["NET-PRT-003"], EvidenceView([ev])
    undecided = evaluate_one(check, view, {"eol_minimum": {"pyftpdlib": "1.5.0"}})
    assert undecided.status is Status.MANUAL and "only a bound" in (undecided.reason or "")
    assert [u["port"] for u in undecided.observed["undecided"]] == [ftp]
    assert evaluate_one(check, view, {"eol_minimum": {"pyftpdlib": "0.9"}}).status is Status.PASS


@pytest.mark.parametrize(
    ("product", "version", "status"),
    [
        ("PostgreSQL DB", "9.6.0 or later", Status.MANUAL),  # was read as 9.6.0: a false end-of-life FAIL
        ("vsftpd", "2.0.8 or later", Status.MANUAL),
        ("PostgreSQL DB", "14.0 or later", Status.PASS),
        ("vsftpd", "2.0.8 - 2.3.5", Status.FAIL),  # a range entirely below the minimum
        ("vsftpd", "2.3.4", Status.FAIL),
    ],
)
def test_version_bounds_against_the_eol_table(modern, product: str, version: str, status: Status) -> None:
    ev = modern[0]
    host = dict(ev.facts["hosts"][0])
    host["open_ports"] = [dict(host["open_ports"][0], product=product, version=version, service="x", extrainfo="")]
    bundle = Evidence("net.ports", ev.target, EvidenceStatus.OK, dict(ev.facts, hosts=[host]))
    assert evaluate_one(all_checks()["NET-PRT-003"], EvidenceView([bundle])).status is status


def test_web_servers_among_the_open_ports_are_listed(risky) -> None:
    ev, port = risky
    urls = {w["url"] for w in ev.facts["web_endpoints"]}
    assert urls == {f"http://127.0.0.1:{port['apache']}/", f"http://127.0.0.1:{port['webmin']}/"}
