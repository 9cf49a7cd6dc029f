"""Fuzzing the remaining host parsers: kernel modules, boot, MAC, mounts, banners, os-release, systemd, inetd/xinetd, md5sums.

Covered: ``parse_modprobe`` with ``matching_install`` (modprobe.d), ``grub_password``
(grub.cfg, user.cfg), ``parse_sb_state`` (mokutil), ``parse_sestatus``,
``parse_aa_profiles``, ``parse_mounts`` (/proc/self/mounts with octal escapes),
``banner_facts`` (issue, issue.net, motd), ``parse_os_release`` with the support
lifecycle, ``parse_unit_files``/``parse_units`` (systemctl), ``parse_xinetd``,
``parse_inetd``, ``parse_md5sums`` (dpkg), and the matching collectors over a
fixture tree (kernel modules, boot, MAC, mounts, banner, os, services, unit
activity, superserver).
"""

from __future__ import annotations

from typing import Tuple

from hypothesis import example, given
from hypothesis import strategies as st

from collectors.evidence import CollectError, ErrorReason
from collectors.host.files import banner_facts, parse_mounts
from collectors.host.ics import parse_md5sums
from collectors.host.kernel import (
    WATCHED_MODULES,
    grub_password,
    matching_install,
    parse_aa_profiles,
    parse_modprobe,
    parse_sb_state,
    parse_sestatus,
)
from collectors.host.osinfo import eol_date, family_of, lifecycle, parse_os_release, support_facts
from collectors.host.services import LIST_UNIT_FILES, LIST_UNITS, parse_inetd, parse_unit_files, parse_units, parse_xinetd
from tests.collectors.host.test_fuzz_common import (
    Command,
    Tree,
    assert_sound,
    command,
    file_bytes,
    fuzz_tree,
    joined,
    noise,
    run_many_on_tree,
    seeded,
    seeded_text,
    text_for,
    word,
)
from tests.fuzzing import fuzz

MODPROBE_LINE = st.one_of(
    seeded("/etc/modprobe.d/*"),
    joined([word("install", "blacklist", "options", "alias"), word(*WATCHED_MODULES, "usb-storage", "*", "[a-z]*", "hfs[-+]", "usb_stor?ge"), word("/bin/true", "/bin/false", "false", "/usr/bin/true", "modprobe --ignore-install x", "")]),
)
BOOT_LINE = st.one_of(
    seeded("/boot/grub/grub.cfg", "/boot/grub2/grub.cfg", "/boot/grub2/user.cfg", "commands/mokutil_--sb-state.out", "commands/mokutil_--sb-state.err"),
    word("set superusers=\"root\"", "password_pbkdf2 root grub.pbkdf2.sha512.10000.AB", "password root plain", "GRUB2_PASSWORD=grub.pbkdf2.x", "set superusers="),
    word("SecureBoot enabled", "SecureBoot disabled", "SecureBoot validation is disabled in shim", "Platform is in Setup Mode", "EFI variables are not supported on this system"),
)
MAC_LINE = st.one_of(
    seeded("commands/sestatus.out", "/etc/selinux/config"),
    joined([word("SELinux status", "Current mode", "Mode from config file", "Loaded policy name"), word(":", "", "::"), word("enabled", "enforcing", "permissive", "targeted", "")]),
    st.builds(lambda n, m: f"{n} ({m})", word("/usr/sbin/cupsd", "docker-default", "a (b)", ""), word("enforce", "complain", "kill", "unconfined", "")),
)
KERNEL_TEXT = st.one_of(text_for(st.one_of(MODPROBE_LINE, BOOT_LINE, MAC_LINE)), seeded_text("/etc/modprobe.d/*", "/boot/grub/grub.cfg"))
MOUNT_LINE = st.one_of(
    seeded("/proc/self/mounts"),
    joined([word("/dev/sda1", "tmpfs", "none", "a\\040b", "\\777", "\\"), word("/tmp", "/", "/dev/shm", "/var/tmp", "rel", "/a\\040b", "/\\134"), word("ext4", "tmpfs"), word("rw,nosuid,nodev,noexec", "ro", ""), word("0 0", "")]),
)
BANNER_LINE = st.one_of(seeded("/etc/issue", "/etc/issue.net", "/etc/motd"), word("\\S", "\\r \\m", "Debian GNU/Linux 12 \\n \\l", "Authorized use only", "WARNING", "ubuntu", "openEuler"))
OS_RELEASE_LINE = st.one_of(
    seeded("/etc/os-release", "/usr/lib/os-release"),
    st.builds(lambda k, v: f"{k}={v}", word("ID", "VERSION_ID", "ID_LIKE", "NAME", "PRETTY_NAME"), word('"debian"', "ubuntu", "'rhel fedora'", '"12"', '"22.03"', '"unterminated', "7.9", "", '""', "\\")),
)
UNITS_LINE = st.one_of(
    seeded("commands/systemctl_list-unit-files_--no-legend_--no-pager_--plain.out", "commands/systemctl_list-units_--no-legend_--no-pager_--plain_--all.out"),
    joined([word("●", "*", "ssh.service", "a/b.service", "x.timer", "getty@tty1.service", "x" * 300 + ".service"), word("enabled", "disabled", "masked", "loaded", "static"), word("active", "failed"), word("running", "dead")]),
)
INETD_LINE = st.one_of(
    seeded("/etc/inetd.conf", "/etc/xinetd.d/*"),
    joined([word("telnet", "service telnet", "ftp"), word("stream", "{", "disable = no", "disable = yes", "server = /usr/sbin/in.telnetd", "server ="), word("tcp"), word("nowait"), word("root"), word("/usr/sbin/tcpd", "/usr/sbin/in.telnetd", "tcpd", ""), word("in.telnetd", "")]),
)
MD5_LINE = st.one_of(seeded("/var/lib/dpkg/info/*.md5sums"), st.builds(lambda d, sep, p: d + sep + p, word("d41d8cd98f00b204e9800998ecf8427e", "D41D8CD98F00B204E9800998ECF8427E", "xyz"), word("  ", " *", " ", "\t"), word("usr/bin/x", "/etc/x", "", " ")))


# -- pure parsers ------------------------------------------------------------------------------


@given(KERNEL_TEXT, st.one_of(st.none(), KERNEL_TEXT))
@example("install usb-storage /bin/true\ninstall [ /bin/false\n", None)
@fuzz
def test_kernel_boot_and_mac_outputs(text: str, user_cfg: object) -> None:
    installs, blacklist = parse_modprobe(text)
    assert all("-" not in b for b in blacklist)
    for name in WATCHED_MODULES:
        found = matching_install(installs, name)
        assert found is None or found[0] in ("noop", "other")
    grub = grub_password(text, user_cfg)  # type: ignore[arg-type]
    assert not grub["password_set"] or grub["password_hashed"] or grub["plaintext_password"]
    assert not grub["superusers_set"] or grub["password_set"]
    state, detail = parse_sb_state(text)
    assert state in (None, True, False) and detail
    assert all(k == k.strip().lower() for k in parse_sestatus(text))
    assert all(n > 0 for n in parse_aa_profiles(text).values())


@given(text_for(MOUNT_LINE))
@example("/dev/sda1 /a\\777b ext4 rw 0 0\n")  # an octal escape past one byte
@fuzz
def test_mounts(text: str) -> None:
    try:
        entries = parse_mounts(text, "/proc/self/mounts")
    except CollectError as exc:
        assert exc.reason is ErrorReason.MALFORMED and "/proc/self/mounts: line " in exc.message
        return
    assert all(e["fstype"] and e["options"] for e in entries)


@given(text_for(BANNER_LINE), word("debian", "ubuntu", "", "(", "rhel"))
@fuzz
def test_banner(text: str, os_id: str) -> None:
    facts = banner_facts(text, os_id)
    assert facts["present"] and facts["empty"] == (not text.strip())


@given(st.one_of(text_for(OS_RELEASE_LINE), seeded_text("/etc/os-release")), word("2026-01-01", "1999-12-31", "9999-12-31", ""))
@example('ID="unterminated\nVERSION_ID=\\\n', "2026-01-01")
@fuzz
def test_os_release(text: str, today: str) -> None:
    rel = parse_os_release(text)
    os_id, version = rel.get("ID", "").lower(), rel.get("VERSION_ID", "")
    assert family_of(os_id, rel.get("ID_LIKE", "")) in ("rhel", "debian", "unknown")
    eol = eol_date(os_id, version)
    assert eol is None or len(eol) == 10
    support_facts(lifecycle(os_id, version), today)


@given(text_for(UNITS_LINE))
@fuzz
def test_systemctl_outputs(text: str) -> None:
    files, bad_files = parse_unit_files(text)
    units, bad_units = parse_units(text)
    n = len([line for line in text.splitlines() if line.split()])
    assert len(files) + bad_files <= n and len(units) + bad_units <= n
    assert all("/" not in u for u in (*files, *units))


@given(text_for(INETD_LINE))
@fuzz
def test_superserver_files(text: str) -> None:
    for s in parse_xinetd(text):
        assert s["service"] and (s["server"] is None or "/" not in s["server"])
    for s in parse_inetd(text):
        assert "/" not in s["server"] and s["enabled"]


@given(text_for(MD5_LINE))
@fuzz
def test_md5sums(text: str) -> None:
    try:
        sums = parse_md5sums(text, "/var/lib/dpkg/info/x.md5sums")
    except CollectError as exc:
        assert exc.reason is ErrorReason.MALFORMED and exc.message
        return
    assert all(len(d) == 32 and d == d.lower() and p.startswith("/") for d, p in sums)


# -- the collectors on a tree ------------------------------------------------------------------

MISC_COLLECTORS = (
    "host.kernel_modules", "host.boot", "host.mac", "host.mounts", "host.banner", "host.os", "host.services",
    "host.unit_activity", "host.superserver",
)  # fmt: skip
FILES = {
    "/etc/modprobe.d/x.conf": MODPROBE_LINE,
    "/proc/modules": word("usb_storage 81920 0 - Live 0x0", "cramfs 1 0", ""),
    "/boot/grub/grub.cfg": BOOT_LINE,
    "/boot/grub/user.cfg": BOOT_LINE,
    "/etc/selinux/config": MAC_LINE,
    "/sys/module/apparmor/parameters/enabled": word("Y", "N", ""),
    "/sys/kernel/security/apparmor/profiles": MAC_LINE,
    "/proc/self/mounts": MOUNT_LINE,
    "/etc/issue": BANNER_LINE,
    "/etc/issue.net": BANNER_LINE,
    "/etc/os-release": OS_RELEASE_LINE,
    "/etc/inetd.conf": INETD_LINE,
    "/etc/xinetd.d/telnet": INETD_LINE,
}
COMMANDS: dict = {  # type: ignore[type-arg]
    ("mokutil", "--sb-state"): BOOT_LINE,
    ("sestatus",): MAC_LINE,
    ("aa-status", "--enabled"): word("", "Yes"),
    tuple(LIST_UNIT_FILES): UNITS_LINE,
    tuple(LIST_UNITS): UNITS_LINE,
}


@st.composite
def misc_tree(draw: st.DrawFn) -> Tree:
    tree = Tree(dirs=["/run/systemd/system"] if draw(st.booleans()) else [])
    for path in draw(st.lists(st.sampled_from(list(FILES)), min_size=1, max_size=5, unique=True)):
        tree.files[path] = draw(file_bytes(FILES[path]))
    argv: Tuple[str, ...]
    for argv in draw(st.lists(st.sampled_from(list(COMMANDS)), max_size=3, unique=True)):
        tree.commands[argv] = draw(st.one_of(command(text_for(COMMANDS[argv])), st.builds(Command, text_for(COMMANDS[argv]), noise(30), st.just(1))))
    return tree


@given(misc_tree(), st.booleans())
@example(Tree(files={"/proc/self/mounts": "/dev/sda1 /a\\777b ext4 rw 0 0\n", "/etc/os-release": 'ID="x\n'}), True)
@fuzz_tree()
def test_misc_collectors_on_a_fuzzed_tree(tree: Tree, privileged: bool) -> None:
    for ev in run_many_on_tree(MISC_COLLECTORS, tree, privileged):
        assert_sound(ev)
