"""Fuzzing the package parsers: dpkg status, ``rpm -qa`` output, apt indexes, dnf metadata, version ordering.

Covered: ``parse_dpkg_status``, ``parse_rpm_qa``, the Debian and RPM version
comparisons (``compare``, ``rpm_compare``; antisymmetric and reflexive on any
input), ``parse_packages_index`` (apt Packages indexes fed in chunks),
``parse_repomd`` and ``parse_updateinfo`` (dnf/yum metadata, streamed through
expat with DTDs refused), and the ``host.packages`` collector on an in-memory
host (dpkg with apt security indexes and their Release dates, or rpm with cached
repomd/updateinfo, plain and gzip) and over a fixture tree.
"""

from __future__ import annotations

import gzip
from typing import Dict, Tuple

from hypothesis import example, given
from hypothesis import strategies as st

from collectors.evidence import CollectError, ErrorReason
from collectors.host.debversion import compare, rpm_compare
from collectors.host.packages import parse_dpkg_status, parse_packages_index, parse_repomd, parse_rpm_qa, parse_updateinfo
from collectors.runner import CommandResult
from tests.collectors.host.test_fuzz_common import (
    COLLECTOR_EXAMPLES,
    NUMBER,
    MemoryHost,
    Tree,
    assert_sound,
    collect_in_memory,
    command,
    fuzz_tree,
    joined,
    lines,
    noise,
    run_on_tree,
    seeded,
    seeded_text,
    text_for,
    word,
)
from tests.fuzzing import fuzz

VERSIONS = (
    "1.1.1n-0+deb10u3", "1:2.3-4", "10.3+deb10u13", "1.0~rc1", "1.0^git1", "2:1.0", "0", "", "-", ":", "1:", "a:b", "²:1",
    "1.1.1wa-2.oe2203sp3", "5.10.0-182.0.0.95.oe2203sp3", "1.0-1~bpo", "1.0~~", "1..0", "~", "^", "a", "1a", "٣.1", "9" * 30,
)  # fmt: skip
VERSION = st.one_of(word(*VERSIONS), NUMBER, st.text("0123456789.:-~^+abz", max_size=20), noise(12))
NAMES = ("openssl", "libssl1.1", "linux-image-6.1.0-18-amd64", "unattended-upgrades", "kernel", "gpg-pubkey", "dnf-automatic", "x:amd64")
STATUS = ("install ok installed", "hold ok installed", "deinstall ok config-files", "install ok", "installed", "", "a b installed c")
DPKG_LINE = st.one_of(
    seeded("/var/lib/dpkg/status"),
    st.builds(lambda k, v: f"{k}: {v}", word("Package", "Status", "Version", "Description", "package", " Package"), word(*NAMES, *STATUS, *VERSIONS)),
    word(" continuation", "\t.", "Package:", ":", "Version:"),
)
DPKG = st.one_of(text_for(DPKG_LINE), seeded_text("/var/lib/dpkg/status"))
RPM_LINE = st.one_of(seeded("commands/rpm_-qa_--qf_-NAME-VERSION---RELEASE-n.out"), joined([word(*NAMES), VERSION]))
RPM = st.one_of(text_for(RPM_LINE), seeded_text("commands/rpm_-qa_--qf_-NAME-VERSION---RELEASE-n.out"))
INDEX_LINE = st.one_of(
    seeded("/var/lib/apt/lists/*_Packages"),
    st.builds(lambda k, v: f"{k}:{v}", word("Package", "Version", "Filename", "package"), st.one_of(word(*NAMES), VERSION).map(lambda v: " " + v)),
)
INDEX = text_for(INDEX_LINE)

REPOMD = (
    '<?xml version="1.0"?>\n<repomd xmlns="http://linux.duke.edu/metadata/repo">\n  <revision>{rev}</revision>\n'
    '  <data type="{type}">\n    <location href="{href}"/>\n    <timestamp>{stamp}</timestamp>\n  </data>\n</repomd>\n'
)
UPDATEINFO = (
    '<updates>\n  <update type="{type}">\n    <id>{id}</id>\n    <pkglist><collection>\n'
    '      <package name="{name}" arch="{arch}" version="{version}" release="{release}" epoch="{epoch}"/>\n'
    "    </collection></pkglist>\n  </update>\n</updates>\n"
)
XML_TRAPS = (
    '<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>', "<a><b></a>", "<", "", "\x00", "<a xmlns:p='u'><p:b/></a>", "<?xml version='2.0'?><a/>",
    "<a>" * 50 + "</a>" * 50, "<a><![CDATA[x]]></a>", "<a>&#0;</a>", "\ufeff<a/>",
)  # fmt: skip


@st.composite
def repomd(draw: st.DrawFn) -> bytes:
    text = REPOMD.format(
        rev=draw(st.one_of(NUMBER, word("1794964360", "²²²²²²²²²²"))),
        type=draw(word("updateinfo", "primary")),
        href=draw(word("repodata/x-updateinfo.xml.gz", "repodata/x-updateinfo.xml", "../../../etc/passwd", "/abs.xml", "x.zst", "")),
        stamp=draw(st.one_of(NUMBER, word("1794964360.5", "1.2.3", "."))),
    )
    return draw(st.one_of(st.just(text), st.sampled_from(XML_TRAPS), st.just(text[: draw(st.integers(0, len(text)))]))).encode("utf-8", "surrogatepass")


@st.composite
def updateinfo(draw: st.DrawFn) -> bytes:
    text = UPDATEINFO.format(
        type=draw(word("security", "bugfix")),
        id=draw(word("openEuler-SA-2024-1234", "")),
        name=draw(word(*NAMES, "")),
        arch=draw(word("x86_64", "src", "noarch")),
        version=draw(VERSION),
        release=draw(VERSION),
        epoch=draw(word("0", "1", "", "²")),
    )
    return draw(st.one_of(st.just(text), st.sampled_from(XML_TRAPS))).encode("utf-8", "surrogatepass")


# -- pure parsers ------------------------------------------------------------------------------


@given(DPKG)
@example("Package: a\nStatus: install ok installed\nVersion: 1\n\n\nPackage:\nVersion: 2\n")
@example("garbage\n\nmore garbage\n")
@fuzz
def test_dpkg_status(text: str) -> None:
    try:
        installed = parse_dpkg_status(text)
    except CollectError as exc:
        assert exc.reason is ErrorReason.MALFORMED and "Package:" in exc.message
        return
    assert all(name and version and name == name.strip() for name, version in installed.items())


@given(RPM)
@example("kernel ²:1-1\nkernel 1:1-1\n")  # a digit str.isdigit() accepts and int() refuses, as an epoch
@example("kernel " + "9" * 5000 + ":1-1\nkernel 1-1\n")
@fuzz
def test_rpm_qa(text: str) -> None:
    installed = parse_rpm_qa(text)
    assert not any(name.startswith("gpg-pubkey") for name in installed)
    assert all(len(f"{n} {v}".split()) == 2 for n, v in installed.items())


@given(VERSION, VERSION)
@example("²:1", "1")
@example("1:" + "9" * 5000, "1:1")
@example("1." + "9" * 5000, "1.1")
@example("1٣", "1")
@fuzz
def test_version_ordering(a: str, b: str) -> None:
    for cmp in (compare, rpm_compare):
        ab, ba = cmp(a, b), cmp(b, a)
        assert ab in (-1, 0, 1) and ab == -ba, (cmp.__name__, ab, ba)
        assert cmp(a, a) == 0


@given(INDEX, st.one_of(st.none(), st.sets(word(*NAMES), max_size=3)), st.integers(1, 64))
@example("Package: a\nVersion: ²:1\nPackage: a\nVersion: 1\n", None, 7)
@fuzz
def test_packages_index(text: str, wanted: object, chunk: int) -> None:
    whole = parse_packages_index(text, wanted)  # type: ignore[arg-type]
    from collectors.host.packages import _IndexScanner

    scanner = _IndexScanner(wanted)  # type: ignore[arg-type]
    data = text.encode("utf-8")
    for start in range(0, len(data), chunk):
        scanner.feed(data[start : start + chunk])
    assert scanner.close() == whole  # chunking never changes the result
    assert wanted is None or set(whole) <= set(wanted)  # type: ignore[call-overload]


@given(repomd(), updateinfo(), st.integers(1, 64))
@example(b"<repomd><revision>\xc2\xb2\xc2\xb2\xc2\xb2\xc2\xb2\xc2\xb2\xc2\xb2\xc2\xb2\xc2\xb2\xc2\xb2\xc2\xb2</revision></repomd>", b"", 1)
@example(b"<repomd><data><timestamp>" + b"9" * 5000 + b"</timestamp></data></repomd>", b"", 5)
@example(XML_TRAPS[0].encode(), XML_TRAPS[0].encode(), 3)
@fuzz
def test_dnf_metadata(repomd_xml: bytes, updateinfo_xml: bytes, chunk: int) -> None:
    try:
        href, stamp = parse_repomd(repomd_xml, "/var/cache/dnf/x/repodata/repomd.xml")
        assert href is None or isinstance(href, str)
        assert stamp is None or stamp >= 0
    except CollectError as exc:
        assert exc.reason is ErrorReason.MALFORMED and exc.message
    chunks = [updateinfo_xml[i : i + chunk] for i in range(0, len(updateinfo_xml), chunk)]
    try:
        entries = parse_updateinfo(chunks, "/var/cache/dnf/x/repodata/u.xml")
    except CollectError as exc:
        assert exc.reason is ErrorReason.MALFORMED and exc.message
        return
    assert all(len(e) == 3 and e[1] for e in entries)


# -- the collector in memory and on a tree ---------------------------------------------------------

RPM_QA = ("rpm", "-qa", "--qf", "%{NAME} %{VERSION}-%{RELEASE}\\n")
SECURITY_LIST = "/var/lib/apt/lists/deb.debian.org_debian-security_dists_bookworm-security_main_binary-amd64_Packages"
RELEASE_LINE = st.one_of(
    seeded("/var/lib/apt/lists/*_InRelease"),
    word("Date: Sat, 21 Nov 2026 00:53:02 UTC", "Date: ", "Date: Sat, 99 Nov 2026 99:99:99 UTC", "Date: Mon, 01 Jan 99999 00:00:00 +9999", "Date: 0"),
    NUMBER.map(lambda n: f"Date: Sat, 21 Nov {n} 00:53:02 UTC"),
)
DNF_DIR = "/var/cache/dnf/update-1/repodata"


@st.composite
def packages_host(draw: st.DrawFn) -> MemoryHost:
    files: Dict[str, object] = {}
    commands: Dict[Tuple[str, ...], CommandResult] = {}
    if draw(st.booleans()):
        files["/var/lib/dpkg/status"] = draw(lines(DPKG_LINE, max_lines=8, long=False))
        if draw(st.booleans()):
            index = draw(lines(INDEX_LINE, max_lines=6, long=False))
            kind = draw(st.sampled_from(["", ".gz", ".xz", ".lz4", ".gz"]))
            data = index.encode("utf-8", "surrogatepass")
            files[SECURITY_LIST + kind] = gzip.compress(data) if kind == ".gz" and draw(st.booleans()) else data
            files[SECURITY_LIST.rsplit("_", 3)[0] + "_InRelease"] = draw(lines(RELEASE_LINE, max_lines=3, long=False))
        if draw(st.booleans()):
            files["/etc/apt/apt.conf.d/20auto-upgrades"] = draw(word('APT::Periodic::Unattended-Upgrade "1";', 'APT::Periodic::Unattended-Upgrade "0";', "APT::"))
    else:
        rc = draw(st.sampled_from([0, 0, 0, 1]))
        if draw(st.integers(0, 5)):
            commands[RPM_QA] = CommandResult(RPM_QA, rc, draw(lines(RPM_LINE, max_lines=8, long=False)), "" if rc == 0 else "rpmdb: error")
        if draw(st.booleans()):
            files[DNF_DIR + "/repomd.xml"] = draw(repomd())
            data = draw(updateinfo())
            files[DNF_DIR + "/x-updateinfo.xml.gz"] = gzip.compress(data) if draw(st.booleans()) else data
            files[DNF_DIR + "/x-updateinfo.xml"] = data
        if draw(st.booleans()):
            files["/etc/dnf/automatic.conf"] = draw(word("[commands]\napply_updates = yes\n", "[commands", "apply_updates"))
    if draw(st.booleans()):
        files["/proc/sys/kernel/osrelease"] = draw(word("6.1.0-18-amd64\n", "", " "))
    return MemoryHost(files)  # type: ignore[arg-type]


@given(packages_host())
@example(MemoryHost({"/var/lib/dpkg/status": "Package: a\nStatus: install ok installed\nVersion: ²:1\n", SECURITY_LIST: "Package: a\nVersion: 1\n"}))
@example(MemoryHost({DNF_DIR + "/repomd.xml": b"<repomd><revision>\xc2\xb2\xc2\xb2\xc2\xb2\xc2\xb2\xc2\xb2\xc2\xb2\xc2\xb2\xc2\xb2\xc2\xb2\xc2\xb2</revision></repomd>"}, commands={RPM_QA: CommandResult(RPM_QA, 0, "a 1-1\n")}))
@example(MemoryHost({SECURITY_LIST + ".gz": b"\x1f\x8b\x08garbage", "/var/lib/dpkg/status": "Package: a\nStatus: install ok installed\nVersion: 1\n"}))
@example(MemoryHost({SECURITY_LIST + ".xz": b"not xz", "/var/lib/dpkg/status": "Package: a\nStatus: install ok installed\nVersion: 1\n"}))  # LZMAError
@fuzz_tree(COLLECTOR_EXAMPLES)
def test_packages_collector(host: MemoryHost) -> None:
    facts = collect_in_memory("host.packages", host)
    if facts is None:
        return
    assert facts["count"] == len(facts["installed"])
    assert facts["count"] or facts["manager"] == "dpkg"  # an empty rpm -qa is an error, an empty dpkg database is not
    updates = facts["security_updates"]
    if updates["available"]:
        assert updates["count"] >= len(updates["packages"]) and set(updates["packages"]) <= set(facts["installed"])


@st.composite
def packages_tree(draw: st.DrawFn) -> Tree:
    tree = Tree()
    if draw(st.booleans()):
        tree.files["/var/lib/dpkg/status"] = draw(lines(DPKG_LINE, max_lines=8, long=False))
        if draw(st.booleans()):
            tree.files[SECURITY_LIST] = draw(lines(INDEX_LINE, max_lines=6, long=False))
    else:
        tree.commands[RPM_QA] = draw(command(lines(RPM_LINE, max_lines=8, long=False)))
        if draw(st.booleans()):
            tree.files[DNF_DIR + "/repomd.xml"] = draw(repomd())
            tree.files[DNF_DIR + "/x-updateinfo.xml"] = draw(updateinfo())
    return tree


@given(packages_tree(), st.booleans())
@fuzz_tree()
def test_packages_collector_on_a_fuzzed_tree(tree: Tree, privileged: bool) -> None:
    assert_sound(run_on_tree("host.packages", tree, privileged))
