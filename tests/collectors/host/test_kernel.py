"""host.sysctl / host.kernel_modules / host.boot / host.mac: precedence, formats, fixtures, garbage."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Dict, Mapping, Union

from collectors.catalogue import all_collectors
from collectors.context import HostContext, RecordedProcessView
from collectors.evidence import ErrorReason, Evidence, EvidenceStatus
from collectors.host.kernel import (
    grub_password,
    normalize_key,
    parse_aa_profiles,
    parse_modprobe,
    parse_sestatus,
    parse_sysctl_conf,
)
from collectors.registry import run_collector
from collectors.runner import RecordedRunner
from tests.hosts import evidence_map

KEY = "net.ipv4.conf.all.rp_filter"


def _run(name: str, tmp: Path, files: Mapping[str, Union[str, bytes]], privileged: bool = True) -> Evidence:
    for rel, data in files.items():
        base = tmp if rel.startswith("commands/") else tmp / "root"
        path = base / rel.lstrip("/")
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data)
    (tmp / "root").mkdir(exist_ok=True)
    ctx = HostContext(
        root=tmp / "root",
        runner=RecordedRunner(tmp / "commands", privileged=privileged),
        processes=RecordedProcessView({}),
        target="t",
        privileged=privileged,
    )
    return run_collector(all_collectors()[name], ctx)


def _persisted(ev: Evidence, key: str = KEY) -> Dict[str, object]:
    return dict(ev.facts["keys"][key])


# -- sysctl parsing and precedence -----------------------------------------------


def test_parse_sysctl_conf_formats() -> None:
    pairs, ignored, excluded = parse_sysctl_conf(
        "# comment\n; also comment\nkernel.randomize_va_space = 2\n-net.ipv4.conf.all.rp_filter\n"
        "net/ipv4/conf/eth0.100/rp_filter=1\n-fs.suid_dumpable=0\nnonsense line\n"
    )
    assert pairs == [("kernel.randomize_va_space", "2"), ("net.ipv4.conf.eth0/100.rp_filter", "1"), ("fs.suid_dumpable", "0")]
    assert excluded == ["net.ipv4.conf.all.rp_filter"]
    assert ignored == ["7"]
    assert normalize_key("kernel.yama.ptrace_scope") == "kernel.yama.ptrace_scope"


def test_later_file_name_wins_and_etc_hides_usr_lib(tmp_path: Path) -> None:
    ev = _run(
        "host.sysctl",
        tmp_path,
        {
            "/usr/lib/sysctl.d/10-base.conf": f"{KEY} = 2\n",
            "/etc/sysctl.d/10-base.conf": "# local copy drops the vendor line\n",
            "/usr/lib/sysctl.d/50-vendor.conf": "fs.suid_dumpable = 2\n",
            "/etc/sysctl.d/60-site.conf": "fs.suid_dumpable = 0\n",
            "/run/sysctl.d/70-run.conf": "kernel.randomize_va_space = 1\n",
        },
    )
    assert _persisted(ev)["persisted"] is None  # /usr/lib/sysctl.d/10-base.conf is hidden
    assert _persisted(ev, "fs.suid_dumpable") == {"runtime": None, "persisted": "0", "persisted_in": "/etc/sysctl.d/60-site.conf"}
    assert _persisted(ev, "kernel.randomize_va_space")["persisted"] == "1"


def test_sysctl_conf_applies_last_unless_linked(tmp_path: Path) -> None:
    ev = _run("host.sysctl", tmp_path / "a", {"/etc/sysctl.conf": f"{KEY}=0\n", "/etc/sysctl.d/99-zz.conf": f"{KEY}=1\n"})
    assert _persisted(ev)["persisted_in"] == "/etc/sysctl.conf"
    root = tmp_path / "b" / "root"
    (root / "etc" / "sysctl.d").mkdir(parents=True)
    (root / "etc" / "sysctl.conf").write_text(f"{KEY}=0\n")
    os.symlink("../sysctl.conf", root / "etc" / "sysctl.d" / "50-sysctl.conf")
    ev = _run("host.sysctl", tmp_path / "b", {"/etc/sysctl.d/99-zz.conf": f"{KEY}=1\n"})
    assert _persisted(ev) == {"runtime": None, "persisted": "1", "persisted_in": "/etc/sysctl.d/99-zz.conf"}
    assert "/etc/sysctl.conf" not in ev.facts["config_files"]


def test_dev_null_symlink_masks_vendor_file(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "etc" / "sysctl.d").mkdir(parents=True)
    os.symlink("/dev/null", root / "etc" / "sysctl.d" / "50-default.conf")
    ev = _run("host.sysctl", tmp_path, {"/usr/lib/sysctl.d/50-default.conf": f"{KEY}=2\n"})
    assert _persisted(ev)["persisted"] is None


def test_glob_keys_and_exclusions(tmp_path: Path) -> None:
    text = "net.ipv4.conf.default.rp_filter = 2\nnet.ipv4.conf.*.rp_filter = 2\n-net.ipv4.conf.all.rp_filter\n"
    ev = _run("host.sysctl", tmp_path, {"/usr/lib/sysctl.d/50-default.conf": text})
    assert _persisted(ev)["persisted"] is None
    assert _persisted(ev, "net.ipv4.conf.default.rp_filter")["persisted"] == "2"


def test_explicit_setting_beats_a_later_glob(tmp_path: Path) -> None:
    key = "net.ipv4.conf.all.send_redirects"
    ev = _run(
        "host.sysctl",
        tmp_path,
        {"/etc/sysctl.d/10-x.conf": f"{key}=1\n", "/etc/sysctl.d/90-y.conf": "net.ipv4.conf.*.send_redirects=0\n"},
    )
    assert _persisted(ev, key) == {"runtime": None, "persisted": "1", "persisted_in": "/etc/sysctl.d/10-x.conf"}
    # keys without an explicit assignment still take the glob
    assert _persisted(ev, "net.ipv4.conf.default.send_redirects")["persisted"] == "0"


def test_runtime_values_and_unavailable_keys(tmp_path: Path) -> None:
    ev = _run("host.sysctl", tmp_path, {"/proc/sys/net/ipv4/conf/all/rp_filter": "1\n"})
    assert _persisted(ev)["runtime"] == "1"
    assert "kernel.yama.ptrace_scope" in ev.facts["unavailable"]
    assert ev.facts["ipv6"] is False


def test_binary_sysctl_conf_is_an_error_naming_the_file(tmp_path: Path) -> None:
    ev = _run("host.sysctl", tmp_path, {"/etc/sysctl.d/60-x.conf": b"\x7fELF\x02\x01\x00\x00garbage"})
    assert ev.status is EvidenceStatus.ERROR and ev.error_reason is ErrorReason.MALFORMED
    assert "/etc/sysctl.d/60-x.conf" in (ev.reason or "")


def test_sysctl_fixture_hosts() -> None:
    eul = evidence_map("openeuler-server")["host.sysctl"].facts["keys"]
    # 50-default.conf says 2, the later 99-sysctl.conf (-> /etc/sysctl.conf) says 1
    assert eul["net.ipv4.conf.default.rp_filter"] == {
        "runtime": "1",
        "persisted": "1",
        "persisted_in": "/etc/sysctl.d/99-sysctl.conf",
    }
    assert eul["kernel.yama.ptrace_scope"]["persisted_in"] == "/usr/lib/sysctl.d/10-default-yama-scope.conf"
    weak = evidence_map("debian-weak")["host.sysctl"].facts["keys"]
    assert weak["net.ipv4.ip_forward"] == {"runtime": "1", "persisted": None, "persisted_in": None}
    assert weak["fs.suid_dumpable"]["persisted_in"] == "/usr/lib/sysctl.d/50-coredump.conf"


# -- modules -------------------------------------------------------------------


def test_parse_modprobe() -> None:
    installs, blacklist = parse_modprobe(
        "install usb-storage /bin/false  # no sticks\ninstall cramfs /usr/bin/true\ninstall sctp /sbin/modprobe --ignore-install sctp\n"
        "blacklist hfs\nblacklist\n"
    )
    assert installs == [
        ("usb_storage", "noop", "/bin/false"),
        ("cramfs", "noop", "/usr/bin/true"),
        ("sctp", "other", "/sbin/modprobe --ignore-install sctp"),
    ]
    assert blacklist == ["hfs"]


def test_module_fixture_hosts() -> None:
    hard = evidence_map("debian-hardened")["host.kernel_modules"].facts["modules"]
    assert hard["usb_storage"] == {"install_disabled": True, "install_command": "/bin/false", "blacklisted": True, "loaded": False}
    weak = evidence_map("debian-weak")["host.kernel_modules"].facts["modules"]
    assert weak["usb_storage"] == {"install_disabled": False, "install_command": None, "blacklisted": False, "loaded": True}
    eul = evidence_map("openeuler-server")["host.kernel_modules"].facts["modules"]
    assert eul["usb_storage"] == {"install_disabled": False, "install_command": None, "blacklisted": True, "loaded": False}


def test_no_proc_modules_means_unknown(tmp_path: Path) -> None:
    ev = _run("host.kernel_modules", tmp_path, {"/etc/modprobe.d/x.conf": "blacklist udf\n"})
    assert ev.facts["proc_modules"] is False
    assert ev.facts["modules"]["udf"] == {"install_disabled": False, "install_command": None, "blacklisted": True, "loaded": None}


def _usb(ev: Evidence) -> Dict[str, object]:
    return dict(ev.facts["modules"]["usb_storage"])


def test_first_matching_install_wins(tmp_path: Path) -> None:
    early = "install usb_storage /sbin/modprobe --ignore-install usb_storage\n"
    late = "install usb-storage /bin/false\n"
    across = _run("host.kernel_modules", tmp_path / "a", {"/etc/modprobe.d/10-a.conf": early, "/etc/modprobe.d/20-b.conf": late})
    assert _usb(across)["install_disabled"] is False
    within = _run("host.kernel_modules", tmp_path / "b", {"/etc/modprobe.d/x.conf": early + late})
    assert _usb(within)["install_disabled"] is False
    reverse = _run("host.kernel_modules", tmp_path / "c", {"/etc/modprobe.d/x.conf": late + early})
    assert _usb(reverse)["install_disabled"] is True


def test_install_order_merges_dirs_by_name_and_supports_patterns(tmp_path: Path) -> None:
    ev = _run(
        "host.kernel_modules",
        tmp_path / "a",
        {
            # /lib/modprobe.d/00-vendor.conf sorts before /etc/modprobe.d/50-site.conf, so it applies first
            "/lib/modprobe.d/00-vendor.conf": "install usb-stor* /sbin/modprobe --ignore-install usb_storage\n",
            "/etc/modprobe.d/50-site.conf": "install usb_storage /bin/true\ninstall cramfs /bin/true\n",
            # a same-named /etc file hides the /usr/lib one entirely
            "/usr/lib/modprobe.d/40-x.conf": "install udf /sbin/modprobe --ignore-install udf\n",
            "/etc/modprobe.d/40-x.conf": "install udf /bin/false\n",
        },
    )
    mods = ev.facts["modules"]
    assert mods["usb_storage"]["install_disabled"] is False
    assert mods["cramfs"]["install_disabled"] is True
    assert mods["udf"]["install_disabled"] is True
    pattern = _run("host.kernel_modules", tmp_path / "b", {"/etc/modprobe.d/x.conf": "install usb?stor* /bin/false\n"})
    assert _usb(pattern)["install_disabled"] is True


# -- boot ----------------------------------------------------------------------

RHEL_USERS = (
    'if [ -f ${prefix}/user.cfg ]; then\n  source ${prefix}/user.cfg\n  if [ -n "${GRUB2_PASSWORD}" ]; then\n'
    '    set superusers="root"\n    export superusers\n    password_pbkdf2 root ${GRUB2_PASSWORD}\n  fi\nfi\n'
)


def test_grub_password_variants() -> None:
    assert grub_password(RHEL_USERS, None)["password_set"] is False
    assert grub_password(RHEL_USERS, "GRUB2_PASSWORD=grub.pbkdf2.sha512.10000.AA.BB\n")["password_set"] is True
    plain = grub_password('set superusers="admin"\npassword admin secret\n', None)
    assert plain["password_set"] is True and plain["plaintext_password"] is True
    assert grub_password("password_pbkdf2 admin grub.pbkdf2.sha512.1.A.B\n", None)["password_set"] is False  # no superuser


def test_boot_fixture_hosts_never_store_the_hash() -> None:
    for host, sb in (("debian-hardened", True), ("debian-weak", False), ("openeuler-server", False)):
        facts = evidence_map(host)["host.boot"].facts
        assert facts["secure_boot"] is sb
        assert "pbkdf2." not in json.dumps(facts) and "FIXTURE" not in json.dumps(facts)
    assert evidence_map("openeuler-server")["host.boot"].facts["password_set"] is True
    assert evidence_map("debian-weak")["host.boot"].facts["password_set"] is False


def test_unreadable_grub_keeps_secure_boot() -> None:
    ev = evidence_map("debian-hardened", privileged=False)["host.boot"]
    assert ev.status is EvidenceStatus.OK
    assert "Permission denied" in ev.facts["grub_error"] and ev.facts["secure_boot"] is True


# -- MAC -----------------------------------------------------------------------


def test_parse_sestatus_and_fixtures() -> None:
    st = parse_sestatus("SELinux status:                 enabled\nCurrent mode:                   permissive\n")
    assert st == {"selinux status": "enabled", "current mode": "permissive"}
    eul = evidence_map("openeuler-server")["host.mac"].facts
    assert eul["selinux"]["mode"] == "enforcing" and eul["selinux"]["config_mode"] == "enforcing"
    assert evidence_map("debian-hardened")["host.mac"].facts["apparmor"]["enabled"] is True
    assert evidence_map("debian-weak")["host.mac"].facts["apparmor"]["enabled"] is False


def test_selinux_config_only(tmp_path: Path) -> None:
    ev = _run("host.mac", tmp_path, {"/etc/selinux/config": "SELINUX=permissive\nSELINUXTYPE=targeted\n"})
    assert ev.facts["selinux"]["config_mode"] == "permissive" and ev.facts["selinux"]["source"] == "config"


def test_aa_status_refused_when_unprivileged() -> None:
    aa = evidence_map("debian-hardened", privileged=False)["host.mac"].facts["apparmor"]
    assert aa["aa_status_enabled"] is None and aa["enabled"] is True  # sysfs still answers


def test_apparmor_profiles_are_counted_by_mode() -> None:
    text = "/usr/sbin/chronyd (enforce)\nnvidia_modprobe//kmod (enforce)\nman filter (complain)\ngarbage\n"
    assert parse_aa_profiles(text) == {"enforce": 2, "complain": 1}
    aa = evidence_map("debian-hardened")["host.mac"].facts["apparmor"]
    assert aa["profiles_readable"] is True and aa["profiles"] == {"enforce": 7}
    weak = evidence_map("debian-weak")["host.mac"].facts["apparmor"]
    assert "profiles" not in weak  # the LSM is off: nothing to list


def test_apparmor_profiles_root_only(tmp_path: Path) -> None:
    aa = evidence_map("debian-hardened", privileged=False)["host.mac"].facts["apparmor"]
    assert aa["profiles_readable"] is False and "Permission denied" in str(aa["profiles_error"])
    ev = _run("host.mac", tmp_path, {"/sys/module/apparmor/parameters/enabled": "Y\n"})
    assert ev.facts["apparmor"]["enabled"] is True and ev.facts["apparmor"]["profiles_readable"] is False


def test_sb_state_lines_are_read_whole() -> None:
    """'SecureBoot validation is disabled in shim' is not 'enabled', whatever precedes it."""
    from collectors.host.kernel import parse_sb_state

    assert parse_sb_state("SecureBoot enabled\n") == (True, "SecureBoot enabled")
    assert parse_sb_state("SecureBoot disabled\n")[0] is False
    assert parse_sb_state("SecureBoot enabled\nSecureBoot validation is disabled in shim\n")[0] is False
    assert parse_sb_state("SecureBoot validation is disabled in shim\n")[0] is False
    assert parse_sb_state("SecureBoot disabled\nPlatform is in Setup Mode\n")[0] is False
    assert parse_sb_state("EFI variables are not supported on this system\n")[0] is False
    assert parse_sb_state("garbage\n")[0] is None


def test_shim_validation_disabled_is_not_secure_boot() -> None:
    """debian-hardened whose shim does not validate (mokutil prints both lines)."""
    boot = evidence_map("debian-hardened-shim-validation-disabled")["host.boot"].facts
    assert boot["secure_boot"] is False and "validation is disabled" in boot["secure_boot_detail"]
    assert evidence_map("debian-hardened")["host.boot"].facts["secure_boot"] is True


def test_offline_tree_has_no_runtime_sysctl_but_keeps_the_configuration() -> None:
    facts = evidence_map("debian-hardened-offline")["host.sysctl"].facts
    assert facts["proc_sys"] is False and set(facts["unavailable"]) == set(facts["keys"])
    assert facts["keys"]["kernel.yama.ptrace_scope"] == {
        "runtime": None,
        "persisted": "1",
        "persisted_in": "/etc/sysctl.d/99-hardening.conf",
    }
    assert evidence_map("debian-hardened")["host.sysctl"].facts["proc_sys"] is True
