"""Offline-root mode on a recorded host's file tree: no command, no process view, files only (fast; default suite).

``debian-hardened/root`` is copied into a temporary directory with its recorded modes (and owners, as root)
applied, so it is a root file system like a mounted disk image: the reader sees real modes, never the
recording's. The tree keeps the /proc, /sys and /run the recorder captured: offline-root must ignore them.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
from pathlib import Path
from typing import Callable, Dict, List, Mapping, Sequence

import pytest

from checks.catalogue import evaluate
from checks.model import Finding, Status
from collectors.catalogue import all_collectors, collect
from collectors.context import (
    HostContext,
    HostMode,
    HostReader,
    offline_root_context,
    offline_root_problem,
)
from collectors.evidence import CollectError, CommandSource, ErrorReason, Evidence, EvidenceStatus
from collectors.facts import check_shape
from collectors.profile import Profile
from collectors.runner import OFFLINE_ROOT_REFUSAL, CommandNotAllowed, CommandResult, OfflineRootRunner
from tests.hosts import HOSTS_DIR

# Checks that judge only what exists while the host runs (processes, sockets, mounts): not applicable offline.
RUNTIME_ONLY = (
    "LNX-FS-006",
    "LNX-FS-007",
    "LNX-FW-002",
    "LNX-FW-003",
    "LNX-NET-001",
    "LNX-NET-002",
    "LNX-NET-003",
    "LNX-PRC-001",
    "LNX-PRC-002",
    "LNX-SVC-003",
    "LNX-KRN-010",
    "LNX-BOOT-002",
)
# Run-time-only checks whose verdict comes from the check's own code, which does not know the offline-root mode
# yet (checks/ is not part of this change): error or manual today, never pass. Remove an id once its check
# returns not_applicable in offline-root mode; the tests then hold it to that.
PENDING_CHECK_CHANGE = {
    "LNX-ICS-001": "runtime forwarding state: error (its check does not read host.os, where offline-root is said)",
}


class NoCommands:
    """A runner that fails the test if anything asks it to run a command."""

    def __init__(self) -> None:
        self.asked: List[Sequence[str]] = []

    def run(self, argv: Sequence[str], timeout: float = 10.0) -> CommandResult:
        self.asked.append(list(argv))
        pytest.fail(f"a command was run in offline-root mode: {' '.join(argv)}")

    def stream(self, argv: Sequence[str], sink: Callable[[bytes], None], timeout: float = 10.0) -> CommandResult:
        return self.run(argv, timeout)


def materialise(name: str, dest: Path) -> Path:
    """A recorded host's tree as a real root file system: the recorded modes (and, as root, owners) applied."""
    host = HOSTS_DIR / name
    root = dest / name
    shutil.copytree(host / "root", root, symlinks=True)
    for stat_file in sorted((host / "stat").glob("*.json")):
        for path, st in json.loads(stat_file.read_text()).items():
            real = root / path.lstrip("/")
            if not real.exists() or real.is_symlink():
                continue
            os.chmod(real, int(st["mode"], 8))
            if os.geteuid() == 0:
                os.chown(real, int(st.get("uid", 0)), int(st.get("gid", 0)))
    return root


def offline(root: Path) -> HostContext:
    return dataclasses.replace(offline_root_context(root), runner=NoCommands())


@pytest.fixture(scope="module")
def hardened(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return materialise("debian-hardened", tmp_path_factory.mktemp("offline-root"))


@pytest.fixture(scope="module")
def evidence(hardened: Path) -> Dict[str, Evidence]:
    ctx = offline(hardened)
    collected = collect(ctx)
    runner = ctx.runner
    assert isinstance(runner, NoCommands) and runner.asked == []
    return {e.collector: e for e in collected}


@pytest.fixture(scope="module")
def findings(evidence: Dict[str, Evidence]) -> Dict[str, Finding]:
    return {f.check_id: f for f in evaluate(list(evidence.values()), Profile.ICS_GATEWAY, None)}


# -- the context ---------------------------------------------------------------------------------------------


def test_the_context_is_offline_root_and_named_by_the_image(hardened: Path) -> None:
    ctx = offline_root_context(hardened)
    assert ctx.mode is HostMode.OFFLINE_ROOT and ctx.offline_root and not ctx.live
    assert ctx.target == "db-prod-01"  # the image's /etc/hostname, not this machine's
    assert isinstance(ctx.runner, OfflineRootRunner)


def test_a_root_without_a_usable_hostname_is_named_by_its_directory(tmp_path: Path) -> None:
    root = tmp_path / "seized-disk"
    (root / "etc").mkdir(parents=True)
    (root / "etc" / "hostname").write_text("not a host name; rm -rf /\n")
    assert offline_root_context(root).target == "seized-disk"


def test_what_is_not_a_root_file_system_is_refused(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    (tmp_path / "empty").mkdir()
    assert "this machine's own root file system" in (offline_root_problem(Path("/")) or "")
    assert "is not a directory" in (offline_root_problem(tmp_path / "file") or "")
    assert "is not a directory" in (offline_root_problem(tmp_path / "missing") or "")
    assert "no etc/ directory" in (offline_root_problem(tmp_path / "empty") or "")
    with pytest.raises(ValueError, match="no etc/"):
        offline_root_context(tmp_path / "empty")


def test_the_offline_runner_refuses_every_command_and_says_it_is_not_missing() -> None:
    res = OfflineRootRunner().run(["sshd", "-T"])
    assert res.error == OFFLINE_ROOT_REFUSAL and res.refused and not res.missing and res.exit_code is None
    assert OfflineRootRunner().stream(["nft", "list", "ruleset"], lambda b: None).refused
    with pytest.raises(CommandNotAllowed):
        OfflineRootRunner().run(["sh", "-c", "id"])


def test_runtime_trees_in_the_image_are_never_read(hardened: Path) -> None:
    """The recorder captured /proc and /sys; a handed-over tree may have them mounted: offline-root ignores both."""
    assert (hardened / "proc" / "sys").is_dir() and (hardened / "proc" / "modules").is_file()
    reader = HostReader(offline(hardened))
    assert reader.read_text("/proc/modules") is None
    assert not reader.exists("/proc/sys") and not reader.is_dir("/sys/module")
    assert reader.glob("/proc/*") == [] and reader.listdir("/proc") == [] and reader.stat("/proc/modules") is None
    with pytest.raises(CollectError) as exc:
        reader.read_text("/proc/modules", required=True)
    assert exc.value.reason is ErrorReason.NOT_FOUND and "offline-root" in exc.value.message


def test_a_link_chain_too_long_to_resolve_inside_the_image_does_not_lead_out_of_it(tmp_path: Path) -> None:
    secret = tmp_path / "outside" / "secret"
    secret.parent.mkdir()
    secret.write_text("this machine's secret\n")
    root = tmp_path / "image"
    (root / "etc").mkdir(parents=True)
    hops = 45
    for i in range(hops):
        os.symlink(f"/etc/l{i + 1}", root / "etc" / f"l{i}")
    os.symlink(str(secret), root / "etc" / f"l{hops}")
    reader = HostReader(offline_root_context(root))
    assert reader.read_text("/etc/l0") is None and reader.read_text(f"/etc/l{hops}") is None
    assert reader.is_dir("/etc") and not reader.is_dir("/etc/l0")


def test_there_is_no_process_socket_or_interface_view(hardened: Path) -> None:
    reader = HostReader(offline(hardened))
    for call in (reader.processes, reader.listening, reader.interfaces):
        with pytest.raises(CollectError) as exc:
            call()
        assert exc.value.reason is ErrorReason.UNSUPPORTED and exc.value.message.startswith("offline-root:")


# -- the collectors ----------------------------------------------------------------------------------------


def test_no_command_is_run_and_none_is_recorded(evidence: Dict[str, Evidence]) -> None:
    commands = [(e.collector, s) for e in evidence.values() for s in e.sources if isinstance(s, CommandSource)]
    assert commands == []


def test_no_collector_fails_on_the_files_of_a_complete_tree(evidence: Dict[str, Evidence]) -> None:
    failed = {n: e.reason for n, e in evidence.items() if e.status is EvidenceStatus.ERROR}
    assert failed == {}


def test_offline_root_evidence_follows_each_collectors_shape(evidence: Dict[str, Evidence]) -> None:
    shapes = all_collectors()
    for name, e in evidence.items():
        if e.status is EvidenceStatus.OK:
            check_shape(dict(e.facts), shapes[name].shape, name)
    assert evidence["host.os"].facts["offline_root"] is True


@pytest.mark.parametrize("collector", ["host.processes", "host.listening", "host.mounts"])
def test_runtime_collectors_are_not_applicable_with_the_offline_root_reason(evidence: Dict[str, Evidence], collector: str) -> None:
    e = evidence[collector]
    assert e.status is EvidenceStatus.NOT_APPLICABLE
    assert (e.reason or "").startswith("offline-root:") and "running system" in (e.reason or "")


def test_sysctl_comes_from_the_configuration_only(evidence: Dict[str, Evidence]) -> None:
    facts = evidence["host.sysctl"].facts
    keys: Mapping[str, Mapping[str, object]] = facts["keys"]
    assert facts["proc_sys"] is False  # the recorded /proc/sys in the tree is not this image's kernel
    assert all(v["runtime"] is None for v in keys.values())
    assert keys["kernel.randomize_va_space"]["persisted"] == "2"
    assert "/etc/sysctl.d/99-hardening.conf" in facts["config_files"]


def test_loaded_modules_are_unknown_not_guessed(evidence: Dict[str, Evidence]) -> None:
    facts = evidence["host.kernel_modules"].facts
    modules: Mapping[str, Mapping[str, object]] = facts["modules"]
    assert facts["proc_modules"] is False and all(m["loaded"] is None for m in modules.values())


def test_firewall_is_judged_from_the_ruleset_its_enabled_unit_loads(evidence: Dict[str, Evidence]) -> None:
    facts = evidence["host.firewall"].facts
    nft = facts["backends"]["nftables"]
    assert facts["default_deny_inbound"] is True and facts["configured_only"] == ["nftables"]
    assert nft["ruleset_file"] == "/etc/nftables.conf" and nft["unit_enabled"] is True
    assert nft["note"].startswith("offline-root: judged from /etc/nftables.conf")


def test_sshd_is_parsed_from_its_configuration_files(evidence: Dict[str, Evidence]) -> None:
    e = evidence["host.sshd"]
    assert e.status is EvidenceStatus.OK and e.method == "files"
    assert e.facts["fallback"] is True and str(e.facts["sshd_t_unusable_reason"]).startswith("offline-root:")


def test_services_come_from_unit_links_and_nothing_is_running(evidence: Dict[str, Evidence]) -> None:
    services, activity = evidence["host.services"].facts, evidence["host.unit_activity"].facts
    assert "nftables.service" in services["enabled"] and "ssh.service" in services["enabled"]
    # the recorded tree holds /run/systemd/system, but nothing runs an image
    assert activity["systemd_running"] is False and activity["active"] == []
    assert (evidence["host.unit_activity"].method or "").startswith("offline-root:")


def test_packages_come_from_the_dpkg_status_database(evidence: Dict[str, Evidence]) -> None:
    facts = evidence["host.packages"].facts
    assert facts["manager"] == "dpkg" and int(facts["count"]) > 10
    assert facts["kernel"]["running"] is None


# -- the checks ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("check_id", RUNTIME_ONLY)
def test_runtime_only_checks_are_not_applicable_for_that_reason(findings: Dict[str, Finding], check_id: str) -> None:
    f = findings[check_id]
    assert f.status is Status.NOT_APPLICABLE, f.reason
    assert "offline-root" in (f.reason or "")


@pytest.mark.parametrize("check_id", sorted(PENDING_CHECK_CHANGE))
def test_runtime_only_checks_the_checks_do_not_know_yet_never_pass(findings: Dict[str, Finding], check_id: str) -> None:
    assert findings[check_id].status is not Status.PASS


def test_no_check_whose_configuration_is_present_is_an_error(findings: Dict[str, Finding]) -> None:
    errors = {cid: f.reason for cid, f in findings.items() if f.status is Status.ERROR}
    assert set(errors) <= set(PENDING_CHECK_CHANGE), errors


def test_sysctl_and_firewall_checks_say_they_judged_the_configuration(findings: Dict[str, Finding]) -> None:
    for cid in ("LNX-KRN-001", "LNX-KRN-005", "LNX-KRN-009"):
        assert findings[cid].status is Status.PASS and "judged from the sysctl configuration" in (findings[cid].reason or "")
    fw = findings["LNX-FW-001"]
    assert fw.status is Status.PASS and "offline-root: judged from /etc/nftables.conf" in (fw.reason or "")


# -- firewall front ends from their files ------------------------------------------------------------------


def _tree(root: Path, files: Mapping[str, str], links: Mapping[str, str] = {}) -> Path:
    (root / "etc").mkdir(parents=True, exist_ok=True)
    for path, text in files.items():
        real = root / path.lstrip("/")
        real.parent.mkdir(parents=True, exist_ok=True)
        real.write_text(text)
    for path, target in links.items():
        real = root / path.lstrip("/")
        real.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, real)
    return root


def _firewall(root: Path) -> Evidence:
    e = {e.collector: e for e in collect(offline(root), ["host.firewall"])}["host.firewall"]
    assert e.status is EvidenceStatus.OK, e.reason
    check_shape(dict(e.facts), all_collectors()["host.firewall"].shape, "host.firewall")
    return e


WANTS = "/etc/systemd/system/multi-user.target.wants/"
RULES_V4 = """# Generated by iptables-save
*nat
:PREROUTING ACCEPT [0:0]
COMMIT
*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:ssh-in - [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT
COMMIT
"""


def test_saved_iptables_rules_count_when_netfilter_persistent_restores_them(tmp_path: Path) -> None:
    enabled = _firewall(_tree(tmp_path / "on", {"/etc/iptables/rules.v4": RULES_V4}, {WANTS + "netfilter-persistent.service": "/lib/systemd/system/netfilter-persistent.service"}))
    ipt = enabled.facts["backends"]["iptables"]
    assert enabled.facts["default_deny_inbound"] is True and ipt["input_policy"] == "DROP"
    assert [a["ports"] for a in ipt["input_accepts"]] == [[22]] and "iptables" in enabled.facts["configured_only"]
    disabled = _firewall(_tree(tmp_path / "off", {"/etc/iptables/rules.v4": RULES_V4}))
    assert disabled.facts["default_deny_inbound"] is False
    assert "not enabled, so nothing restores it" in disabled.facts["backends"]["iptables"]["note"]


UFW_USER_RULES = """*filter
:ufw-user-input - [0:0]
### RULES ###

### tuple ### allow tcp 22 0.0.0.0/0 any 0.0.0.0/0 in
-A ufw-user-input -p tcp --dport 22 -j ACCEPT

### tuple ### allow any 80,443 0.0.0.0/0 any 10.0.0.0/8 Nginx%20Full - in
-A ufw-user-input -p tcp -m multiport --dports 80,443 -s 10.0.0.0/8 -j ACCEPT

### tuple ### deny tcp 23 0.0.0.0/0 any 0.0.0.0/0 in
-A ufw-user-input -p tcp --dport 23 -j DROP

### END RULES ###
COMMIT
"""


def test_ufw_is_active_at_boot_only_when_enabled_in_its_conf_and_its_unit(tmp_path: Path) -> None:
    files = {"/etc/ufw/ufw.conf": "ENABLED=yes\nLOGLEVEL=low\n", "/etc/default/ufw": 'DEFAULT_INPUT_POLICY="DROP"\n', "/etc/ufw/user.rules": UFW_USER_RULES}
    on = _firewall(_tree(tmp_path / "on", files, {WANTS + "ufw.service": "/lib/systemd/system/ufw.service"}))
    ufw = on.facts["backends"]["ufw"]
    assert on.facts["default_deny_inbound"] is True and ufw["default_incoming"] == "deny"
    assert [(a["ports"], a["source"]) for a in ufw["input_accepts"]] == [([22], None), ([80, 443], "10.0.0.0/8")]
    off = _firewall(_tree(tmp_path / "off", {**files, "/etc/ufw/ufw.conf": "ENABLED=no\n"}, {WANTS + "ufw.service": "/lib/systemd/system/ufw.service"}))
    assert off.facts["default_deny_inbound"] is False and off.facts["active"] == []


PUBLIC_ZONE = """<?xml version="1.0" encoding="utf-8"?>
<zone>
  <short>Public</short>
  <!-- <service name="telnet"/> is commented out -->
  <service name="ssh"/>
  <service name="dhcpv6-client"/>
  <port protocol="tcp" port="8443"/>
  <rule family="ipv4">
    <source address="10.1.0.0/16"/>
    <service name="postgresql"/>
    <accept/>
  </rule>
</zone>
"""


def test_firewalld_zones_are_judged_from_their_files_when_the_unit_is_enabled(tmp_path: Path) -> None:
    files = {"/etc/firewalld/firewalld.conf": "DefaultZone=public\n", "/usr/lib/firewalld/zones/public.xml": PUBLIC_ZONE}
    link = {WANTS + "firewalld.service": "/usr/lib/systemd/system/firewalld.service"}
    on = _firewall(_tree(tmp_path / "on", files, link))
    fwd = on.facts["backends"]["firewalld"]
    assert on.facts["default_deny_inbound"] is True and fwd["zone"] == "public" and fwd["target"] == "default"
    assert fwd["services"] == ["ssh", "dhcpv6-client"] and fwd["ports"] == ["8443/tcp"]
    assert {"ports": [5432], "source": "10.1.0.0/16", "proto": "any", "service": "postgresql", "zone": "public"} in fwd["input_accepts"]
    trusted = {**files, "/etc/firewalld/zones/public.xml": '<zone target="ACCEPT"><service name="ssh"/></zone>'}
    opened = _firewall(_tree(tmp_path / "trusted", trusted, link))
    assert opened.facts["default_deny_inbound"] is False and opened.facts["backends"]["firewalld"]["zones_accepting_all"] == ["public"]
    off = _firewall(_tree(tmp_path / "off", files))
    assert off.facts["default_deny_inbound"] is False and "not enabled" in off.facts["backends"]["firewalld"]["note"]


# -- services, packages ---------------------------------------------------------------------------------------


def test_sysv_start_links_enable_init_scripts_without_a_native_unit(tmp_path: Path) -> None:
    root = _tree(
        tmp_path / "img",
        {"/etc/init.d/openbsd-inetd": "#!/bin/sh\n", "/etc/init.d/cron": "#!/bin/sh\n", "/lib/systemd/system/cron.service": "[Unit]\n"},
        {"/etc/rc2.d/S01openbsd-inetd": "../init.d/openbsd-inetd", "/etc/rc2.d/S01cron": "../init.d/cron", "/etc/rc0.d/K01halt": "../init.d/halt"},
    )
    facts = {e.collector: e for e in collect(offline(root), ["host.services"])}["host.services"].facts
    assert facts["enabled"] == ["openbsd-inetd.service"]  # cron has a native unit: its own links decide


def test_an_rpm_database_needs_rpm_so_packages_are_not_applicable(tmp_path: Path) -> None:
    root = _tree(tmp_path / "rhel", {"/var/lib/rpm/rpmdb.sqlite": "SQLite format 3\n"})
    got = {e.collector: e for e in collect(offline(root), ["host.packages", "host.security_software"])}
    assert got["host.packages"].status is EvidenceStatus.NOT_APPLICABLE
    assert (got["host.packages"].reason or "").startswith("offline-root: the rpm database (/var/lib/rpm)")
    assert got["host.security_software"].status is EvidenceStatus.OK
