"""Kernel, module, MAC and boot checks on the fixture hosts, parameters, containers, edge cases."""

from __future__ import annotations

from typing import Any, Dict, Mapping, Optional

import pytest

from checks.catalogue import all_checks
from checks.host.kernel import sysctl_drift
from checks.model import Status
from checks.registry import EvidenceView, evaluate_one
from collectors.evidence import Evidence, EvidenceStatus
from tests.hosts import evidence_map, status_of

P, F, NA, M = Status.PASS, Status.FAIL, Status.NOT_APPLICABLE, Status.MANUAL

# check id -> (debian-hardened, debian-weak, openeuler-server)
EXPECTED: Dict[str, tuple] = {
    "LNX-KRN-001": (P, F, P),
    "LNX-KRN-002": (P, F, P),
    "LNX-KRN-003": (P, F, F),
    "LNX-KRN-004": (P, F, F),
    "LNX-KRN-005": (P, F, P),
    "LNX-KRN-006": (P, F, P),
    "LNX-KRN-007": (P, F, P),
    "LNX-KRN-008": (P, F, P),
    "LNX-KRN-009": (P, F, F),
    "LNX-KRN-010": (P, F, P),
    "LNX-KRN-011": (P, F, P),
    "LNX-KRN-012": (P, F, F),
    "LNX-KRN-013": (P, F, F),
    "LNX-MAC-001": (P, F, P),
    "LNX-BOOT-001": (P, F, P),
    "LNX-BOOT-002": (P, F, F),
}
HOSTS = ("debian-hardened", "debian-weak", "openeuler-server")


@pytest.mark.parametrize("check_id", sorted(EXPECTED))
def test_fixture_statuses(check_id: str) -> None:
    got = tuple(status_of(h, check_id) for h in HOSTS)
    assert got == EXPECTED[check_id]


def _ev(name: str, facts: Mapping[str, Any]) -> Evidence:
    return Evidence(collector=name, target="t", status=EvidenceStatus.OK, facts=dict(facts))


def _run(check_id: str, *evidence: Evidence, params: Optional[Mapping[str, Any]] = None) -> Any:
    return evaluate_one(all_checks()[check_id], EvidenceView(evidence), params)


def _host(name: str, collector: str) -> Evidence:
    return evidence_map(name)[collector]


def _sysctl(values: Mapping[str, Optional[str]], ipv6: bool = True) -> Evidence:
    keys = {k: {"runtime": v, "persisted": None, "persisted_in": None} for k, v in values.items()}
    return _ev("host.sysctl", {"keys": keys, "ipv6": ipv6})


def test_router_parameter_makes_forwarding_not_applicable() -> None:
    ev = _host("debian-weak", "host.sysctl")
    assert _run("LNX-KRN-005", ev).status is F
    assert _run("LNX-KRN-005", ev, params={"is_router": True}).status is NA


def test_offending_keys_listed() -> None:
    f = _run("LNX-KRN-006", _host("debian-weak", "host.sysctl"))
    assert f.observed["offending"]["net.ipv4.conf.all.send_redirects"] == "1"
    assert len(f.observed["offending"]) == 7


def test_loose_rp_filter_accepted_unless_strict() -> None:
    ev = _sysctl({"net.ipv4.conf.all.rp_filter": "2", "net.ipv4.conf.default.rp_filter": "2"})
    assert _run("LNX-KRN-008", ev).status is P
    assert _run("LNX-KRN-008", ev, params={"strict_rp_filter": True}).status is F


def test_ipv6_disabled_skips_ipv6_keys_and_missing_yama_fails() -> None:
    ev = _sysctl({"net.ipv4.ip_forward": "0", "net.ipv6.conf.all.forwarding": None}, ipv6=False)
    assert _run("LNX-KRN-005", ev).status is P
    f = _run("LNX-KRN-003", _sysctl({"kernel.yama.ptrace_scope": None}))
    assert f.status is F and f.observed["offending"] == {"kernel.yama.ptrace_scope": None}
    # a key that must exist but does not: cannot judge
    assert _run("LNX-KRN-001", _sysctl({"kernel.randomize_va_space": None})).status is Status.ERROR


def test_sysctl_drift_detects_both_kinds() -> None:
    drift, runtime_only = sysctl_drift(
        {
            "kernel.randomize_va_space": {"runtime": "2", "persisted": "1", "persisted_in": "/etc/sysctl.conf"},
            "net.ipv4.ip_forward": {"runtime": "1", "persisted": None},
            "net.ipv4.conf.all.accept_redirects": {"runtime": "1", "persisted": None},  # kernel default
            "kernel.dmesg_restrict": {"runtime": "1", "persisted": None},  # default depends on the build
        }
    )
    assert drift == {"kernel.randomize_va_space": {"runtime": "2", "persisted": "1", "file": "/etc/sysctl.conf"}}
    assert runtime_only == {"net.ipv4.ip_forward": "1"}


def test_container_makes_boot_and_module_checks_not_applicable() -> None:
    os_ev = _ev("host.os", {"container": "docker"})
    for cid, collector in (
        ("LNX-BOOT-001", "host.boot"),
        ("LNX-BOOT-002", "host.boot"),
        ("LNX-KRN-011", "host.kernel_modules"),
        ("LNX-KRN-012", "host.kernel_modules"),
        ("LNX-KRN-010", "host.sysctl"),
    ):
        f = _run(cid, os_ev, _host("debian-weak", collector))
        assert f.status is NA, cid
    # runtime sysctl values still matter in a container: they are judged
    assert _run("LNX-KRN-001", os_ev, _host("debian-weak", "host.sysctl")).status is F


def test_usb_blacklist_alone_passes_but_loaded_module_fails() -> None:
    mods = {"usb_storage": {"install_disabled": False, "blacklisted": True, "loaded": True}}
    f = _run("LNX-KRN-011", _ev("host.kernel_modules", {"modules": mods}))
    assert f.status is F and f.observed["loaded"] == ["usb_storage"]
    mods["usb_storage"]["loaded"] = False
    assert _run("LNX-KRN-011", _ev("host.kernel_modules", {"modules": mods})).status is P


def test_module_list_is_a_parameter() -> None:
    ev = _host("openeuler-server", "host.kernel_modules")
    assert _run("LNX-KRN-012", ev, params={"modules": []}).status is P


def test_selinux_permissive_fails() -> None:
    mac = {"selinux": {"status": "enabled", "mode": "permissive"}, "apparmor": {"enabled": None}}
    f = _run("LNX-MAC-001", _ev("host.mac", mac))
    assert f.status is F and "permissive" in (f.reason or "")


def _aa(**kw: Any) -> Evidence:
    aa: Dict[str, Any] = {"enabled": True, "profiles_readable": True, "profiles_error": None, "profiles": {}}
    aa.update(kw)
    return _ev("host.mac", {"selinux": {"status": None}, "apparmor": aa})


def test_apparmor_needs_an_enforced_profile() -> None:
    # Debian 10+ turns the LSM on by default even with no profile loaded
    assert _run("LNX-MAC-001", _aa()).status is F
    assert _run("LNX-MAC-001", _aa(profiles={"complain": 3})).status is F
    assert _run("LNX-MAC-001", _aa(profiles={"enforce": 1, "complain": 3})).status is P
    unreadable = _aa(profiles_readable=False, profiles=None, profiles_error="Permission denied")
    assert _run("LNX-MAC-001", unreadable).status is M
    assert status_of("debian-hardened", "LNX-MAC-001", privileged=False) is M


def test_boot_edge_cases() -> None:
    assert _run("LNX-BOOT-001", _ev("host.boot", {"grub_cfg": None})).status is M
    plain = {"grub_cfg": "/boot/grub/grub.cfg", "password_set": True, "plaintext_password": True}
    assert _run("LNX-BOOT-001", _ev("host.boot", plain)).status is F
    assert (
        _run("LNX-BOOT-002", _ev("host.boot", {"secure_boot": None, "secure_boot_detail": "mokutil is not installed"})).status
        is M
    )


def test_unprivileged_grub_is_error_but_secure_boot_still_judged() -> None:
    assert status_of("debian-hardened", "LNX-BOOT-001", privileged=False) is Status.ERROR
    assert status_of("debian-hardened", "LNX-BOOT-002", privileged=False) is P


def _finding(host: str, check_id: str, privileged: bool = True) -> Any:
    from tests.hosts import host_findings

    return next(f for f in host_findings(host, privileged) if f.check_id == check_id)


SYSCTL_CHECKS = [f"LNX-KRN-00{i}" for i in range(1, 10)]


@pytest.mark.parametrize("check_id", SYSCTL_CHECKS)
def test_offline_tree_sysctl_checks_judge_the_configured_value_and_say_so(check_id: str) -> None:
    """debian-hardened as an offline tree: no /proc/sys, the values are in /etc/sysctl.d/99-hardening.conf."""
    f = _finding("debian-hardened-offline", check_id)
    assert f.status is P, f.reason
    assert "judged from the sysctl configuration" in (f.reason or "")
    assert f.observed["basis"].startswith("configuration") and f.observed["configured_in"]


def test_offline_ptrace_scope_comes_from_the_configuration_not_absent() -> None:
    f = _finding("debian-hardened-offline", "LNX-KRN-003")
    assert f.status is P and "absent" not in (f.reason or "")
    assert f.observed["configured_in"] == {"kernel.yama.ptrace_scope": "/etc/sysctl.d/99-hardening.conf"}
    # a running kernel without Yama still means unrestricted ptrace
    live = _ev("host.sysctl", {"keys": {"kernel.yama.ptrace_scope": {"runtime": None, "persisted": "1", "persisted_in": "/x"}}, "ipv6": True, "proc_sys": True})
    assert _run("LNX-KRN-003", live).status is F


def test_offline_unconfigured_key_is_an_error_not_a_guess() -> None:
    keys = {"kernel.randomize_va_space": {"runtime": None, "persisted": None, "persisted_in": None}}
    v = _run("LNX-KRN-001", _ev("host.sysctl", {"keys": keys, "ipv6": False, "proc_sys": False}))
    assert v.status is Status.ERROR and "does not set it" in (v.reason or "")


def test_persistence_check_never_passes_without_a_runtime_value() -> None:
    f = _finding("debian-hardened-offline", "LNX-KRN-010")
    assert f.status is Status.ERROR and "no runtime kernel parameter could be read" in (f.reason or "")
    assert status_of("debian-hardened", "LNX-KRN-010") is P


def test_module_checks_are_manual_when_loaded_modules_cannot_be_read() -> None:
    for cid in ("LNX-KRN-011", "LNX-KRN-012", "LNX-KRN-013"):
        f = _finding("debian-hardened-offline", cid)
        assert f.status is M and "/proc/modules unavailable" in (f.reason or ""), cid


def test_secure_boot_with_shim_validation_disabled_fails() -> None:
    f = _finding("debian-hardened-shim-validation-disabled", "LNX-BOOT-002")
    assert f.status is F and "validation is disabled in shim" in (f.reason or "")


def test_apparmor_kill_mode_profiles_enforce() -> None:
    """debian-hardened with its profiles in AppArmor 4's kill mode (enforce, and kill on violation)."""
    f = _finding("debian-hardened-apparmor-kill", "LNX-MAC-001")
    assert f.status is P and f.observed["profiles"] == {"kill": 7}
    assert _run("LNX-MAC-001", _aa(profiles={"complain": 3, "unconfined": 1})).status is F


def test_disabled_by_names_the_install_command_used() -> None:
    f = _finding("debian-hardened-modprobe-bin-true", "LNX-KRN-011")
    assert f.status is P and f.observed["disabled_by"] == {"usb_storage": "install /bin/true"}
    assert _finding("debian-hardened", "LNX-KRN-011").observed["disabled_by"] == {"usb_storage": "install /bin/false"}
