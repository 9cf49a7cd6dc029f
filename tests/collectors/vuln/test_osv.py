"""Ubuntu, openEuler and Red Hat hosts matched against OSV records, streamed from the stored archives."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import tarfile
import time
import tracemalloc
import zipfile
from pathlib import Path
from typing import Any, Dict, Iterable, Optional, Tuple

import pytest

from collectors.catalogue import all_collectors
from collectors.context import HostContext, load_fixture_context
from collectors.evidence import Evidence, EvidenceStatus
from collectors.facts import check_shape
from collectors.host.debversion import compare, rpm_compare
from collectors.registry import run_collector
from collectors.vuln import osv
from collectors.vuln.collector import rematch
from collectors.vuln.facts import VULN, MatchFacts
from tests.hosts import HOSTS_DIR, host_context

FIXTURES = Path(__file__).parents[2] / "fixtures" / "feeds"
RECORDS = FIXTURES / "osv"
OPENEULER = "openeuler-server"
RPM_QA = "commands/rpm_-qa_--qf_-NAME-VERSION---RELEASE-n.out"
ARCHIVES: Dict[str, Tuple[str, Tuple[Tuple[str, str], ...]]] = {
    "ubuntu": (
        "ubuntu-osv.tar.xz",
        (
            ("osv/cve/2023/UBUNTU-CVE-2023-0286.json", "ubuntu/UBUNTU-CVE-2023-0286.json"),
            ("osv/cve/2024/UBUNTU-CVE-2024-3094.json", "ubuntu/UBUNTU-CVE-2024-3094.json"),
            ("osv/usn/USN-5844-1.json", "ubuntu/USN-5844-1.json"),
        ),
    ),
    "openeuler": (
        "openeuler-osv.zip",
        (("OESA-2023-1092.json", "openeuler/OESA-2023-1092.json"), ("OESA-2024-0001.json", "openeuler/OESA-2024-0001.json")),
    ),
    "redhat": ("redhat-osv.zip", (("RHSA-2022:0267.json", "redhat/RHSA-2022-0267.json"),)),
}


def _pack(path: Path, members: Iterable[Tuple[str, bytes]]) -> None:
    if path.name.endswith(".zip"):
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in members:
                zf.writestr(name, data)
        return
    mode = "w:xz" if path.name.endswith(".xz") else "w:gz" if path.name.endswith(".gz") else "w"
    with tarfile.open(path, mode) as tf:  # type: ignore[call-overload]
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))


def _feeds(tmp_path: Path, feed: str) -> Path:
    """A feed directory holding ``feed``'s archive built from the fixture records, KEV and EPSS."""
    feeds_dir = tmp_path / "feeds"
    feeds_dir.mkdir(parents=True, exist_ok=True)
    file, members = ARCHIVES[feed]
    _pack(feeds_dir / file, [(name, (RECORDS / rel).read_bytes()) for name, rel in members])
    shutil.copy(FIXTURES / "kev.json", feeds_dir / "kev.json")  # the real catalogue cut to six entries, CVE-2021-4034 among them
    shutil.copy(FIXTURES / "match" / "epss.csv.gz", feeds_dir / "epss.csv.gz")
    return feeds_dir


def _collect(ctx: HostContext, feeds_dir: Path) -> Evidence:
    setattr(ctx, "options", {"feeds_dir": str(feeds_dir)})  # noqa: B010 - as the agent's settings pass it
    return run_collector(all_collectors()[VULN.name], ctx)


def _match(ev: Evidence, cve: str) -> Optional[MatchFacts]:
    assert ev.status is EvidenceStatus.OK, ev.reason
    return next((m for m in ev.facts["matches"] if m["cve"] == cve), None)


def _copy(tmp_path: Path, host: str) -> Path:
    shutil.copytree(HOSTS_DIR / host, tmp_path / host, symlinks=True)
    return tmp_path / host


def _openeuler(tmp_path: Path, openssl: str) -> HostContext:
    """The recorded openEuler host with openssl and openssl-libs at ``openssl`` (the rpm -qa recording rewritten)."""
    root = _copy(tmp_path, OPENEULER)
    qa = root / RPM_QA
    qa.write_text(qa.read_text().replace("1.1.1wa-2.oe2203sp3", openssl))
    return load_fixture_context(root)


# -- openEuler ----------------------------------------------------------------------------------------


def test_an_openeuler_package_older_than_the_fix_is_a_match_naming_cve_versions_and_advisory(tmp_path: Path) -> None:
    ev = _collect(host_context(OPENEULER), _feeds(tmp_path, "openeuler"))
    check_shape(ev.facts, VULN.shape)
    m = _match(ev, "CVE-2024-0727")
    assert m is not None
    assert (m["source"], m["packages"], m["installed"], m["fixed"]) == (
        "openssl",
        ["openssl", "openssl-libs"],  # openssl-libs through the record's binary RPM list
        "1.1.1wa-2.oe2203sp3",
        "1.1.1wa-3.oe2203sp3",
    )
    assert (m["advisory"], m["fix_date"], m["fix_age_days"]) == ("openEuler-SA-2024-0001", "2024-02-09", 1015)
    assert (m["urgency"], m["cvss"], m["severity"]) == ("Medium", "5.5", "medium")
    assert m["epss"] is None and m["kev"] is None and m["service"] is None
    assert (ev.facts["manager"], ev.facts["suite"]) == ("rpm", "openEuler:22.03-LTS-SP3")
    assert [f["id"] for f in ev.facts["feeds"]] == ["openeuler", "kev", "epss"]
    assert any(getattr(s, "path", "").endswith("openeuler-osv.zip") for s in ev.sources)


def test_the_fixed_build_gives_no_match(tmp_path: Path) -> None:
    ev = _collect(_openeuler(tmp_path, "1.1.1wa-3.oe2203sp3"), _feeds(tmp_path, "openeuler"))
    assert _match(ev, "CVE-2024-0727") is None and ev.facts["counts"]["open"] == 0


def test_a_newer_release_specific_revision_gives_no_match(tmp_path: Path) -> None:
    """A later openEuler build of the same upstream version carries the fix: no match, whatever upstream did."""
    ev = _collect(_openeuler(tmp_path, "1.1.1wa-4.oe2203sp3"), _feeds(tmp_path, "openeuler"))
    assert ev.facts["matches"] == []


def test_a_record_for_another_release_does_not_apply(tmp_path: Path) -> None:
    installed = "1.1.1m-17.oe2203sp3"
    # OESA-2023-1092 fixes 22.03-LTS (not SP3) in 1.1.1m-18.oe2203: by version alone this build would be open.
    assert rpm_compare(installed, "1.1.1m-18.oe2203") < 0
    ev = _collect(_openeuler(tmp_path, installed), _feeds(tmp_path, "openeuler"))
    assert {m["cve"] for m in ev.facts["matches"]} == {"CVE-2024-0727"}  # only the SP3 record


def test_without_the_distribution_feed_the_evidence_is_an_error_naming_it(tmp_path: Path) -> None:
    feeds_dir = _feeds(tmp_path, "ubuntu")  # KEV, EPSS and the Ubuntu feed, no openEuler one
    ev = _collect(host_context(OPENEULER), feeds_dir)
    assert ev.status is EvidenceStatus.ERROR and "openEuler OSV" in (ev.reason or "")


# -- Ubuntu -------------------------------------------------------------------------------------------

UBUNTU_RELEASE = (
    'PRETTY_NAME="Ubuntu 22.04.3 LTS"\nNAME="Ubuntu"\nVERSION_ID="22.04"\nVERSION="22.04.3 LTS (Jammy Jellyfish)"\n'
    "VERSION_CODENAME=jammy\nID=ubuntu\nID_LIKE=debian\nUBUNTU_CODENAME=jammy\n"
)


def _ubuntu(tmp_path: Path, openssl: str) -> HostContext:
    """A recorded Debian host turned into Ubuntu 22.04: os-release rewritten, OpenSSL 3 and liblzma5 in dpkg's status."""
    root = _copy(tmp_path, "debian-weak")
    (root / "root/etc/os-release").write_text(UBUNTU_RELEASE)
    status = root / "root/var/lib/dpkg/status"
    text = status.read_text().replace("Package: libssl1.1\n", "Package: libssl3\n")
    text = text.replace("Version: 1.1.1n-0+deb10u3", f"Version: {openssl}")
    text += "\nPackage: liblzma5\nStatus: install ok installed\nArchitecture: amd64\nSource: xz-utils\nVersion: 5.2.5-2\n"
    status.write_text(text)
    return load_fixture_context(root)


def test_an_ubuntu_host_is_matched_against_canonicals_records(tmp_path: Path) -> None:
    ev = _collect(_ubuntu(tmp_path, "3.0.2-0ubuntu1.7"), _feeds(tmp_path, "ubuntu"))
    check_shape(ev.facts, VULN.shape)
    m = _match(ev, "CVE-2023-0286")
    assert m is not None
    assert (m["source"], m["packages"], m["installed"], m["fixed"]) == (
        "openssl",
        ["libssl3", "openssl"],  # libssl3 through ecosystem_specific.binaries (the status names no Source)
        "3.0.2-0ubuntu1.7",
        "3.0.2-0ubuntu1.8",
    )
    assert (m["advisory"], m["fix_date"]) == ("USN-5844-1", "2023-02-07")  # the USN record that shipped that build
    assert (m["urgency"], m["cvss"], m["severity"]) == ("high", "7.4", "high")
    assert m["epss"] is None
    assert (ev.facts["manager"], ev.facts["suite"]) == ("dpkg", "Ubuntu:22.04:LTS")
    # Canonical withdrew UBUNTU-CVE-2024-3094: liblzma5 5.2.5-2 is before its "fix" and still gives nothing.
    assert _match(ev, "CVE-2024-3094") is None


def test_an_ubuntu_backport_is_not_reported_open(tmp_path: Path) -> None:
    """OpenSSL fixed CVE-2023-0286 upstream in 3.0.8; Ubuntu backported it into 3.0.2-0ubuntu1.8."""
    assert compare("3.0.2", "3.0.8") < 0  # an upstream range would call every jammy build vulnerable
    for version in ("3.0.2-0ubuntu1.8", "3.0.2-0ubuntu1.10"):
        ev = _collect(_ubuntu(tmp_path / version, version), _feeds(tmp_path / version, "ubuntu"))
        assert _match(ev, "CVE-2023-0286") is None, version


# -- Red Hat and rebuilds -----------------------------------------------------------------------------


def _rhel(tmp_path: Path, release: str) -> HostContext:
    """The recorded RPM host as a RHEL-family host with polkit before the PwnKit fix."""
    root = _copy(tmp_path, OPENEULER)
    (root / "root/etc/os-release").write_text(release)
    qa = root / RPM_QA
    qa.write_text(qa.read_text() + "polkit 0.115-12.el8\npolkit-libs 0.115-12.el8\n")
    return load_fixture_context(root)


RHEL_85 = 'NAME="Red Hat Enterprise Linux"\nVERSION="8.5 (Ootpa)"\nID="rhel"\nID_LIKE="fedora"\nVERSION_ID="8.5"\n'
ROCKY_85 = 'NAME="Rocky Linux"\nVERSION="8.5 (Green Obsidian)"\nID="rocky"\nID_LIKE="rhel centos fedora"\nVERSION_ID="8.5"\n'


@pytest.mark.parametrize("release", [RHEL_85, ROCKY_85])
def test_a_rhel_family_host_is_matched_against_red_hats_records_with_kev(tmp_path: Path, release: str) -> None:
    ev = _collect(_rhel(tmp_path, release), _feeds(tmp_path, "redhat"))
    check_shape(ev.facts, VULN.shape)
    m = _match(ev, "CVE-2021-4034")
    assert m is not None
    assert (m["source"], m["packages"], m["installed"], m["fixed"]) == (
        "polkit",
        ["polkit", "polkit-libs"],
        "0.115-12.el8",
        "0:0.115-13.el8_5.1",
    )
    assert (m["advisory"], m["fix_date"], m["urgency"], m["cvss"], m["severity"]) == (
        "RHSA-2022:0267",
        "2022-01-25",
        "Important",
        "7.8",
        "high",
    )
    assert m["kev"] == {"date_added": "2022-06-27", "due_date": "2022-07-18", "ransomware": "Unknown"}
    assert (ev.facts["manager"], ev.facts["suite"]) == ("rpm", "Red Hat:enterprise_linux:8.5")


def test_a_rhel_9_host_is_not_matched_against_a_rhel_8_advisory(tmp_path: Path) -> None:
    ev = _collect(_rhel(tmp_path, RHEL_85.replace("8.5", "9.2")), _feeds(tmp_path, "redhat"))
    assert ev.facts["matches"] == []


def test_a_distribution_no_feed_covers_is_not_applicable(tmp_path: Path) -> None:
    root = _copy(tmp_path, OPENEULER)
    (root / "root/etc/os-release").write_text('NAME="Arch Linux"\nID=arch\n')
    ev = _collect(load_fixture_context(root), _feeds(tmp_path, "openeuler"))
    assert ev.status is EvidenceStatus.NOT_APPLICABLE and "this host is arch" in (ev.reason or "")


# -- releases, ranges, scores ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("info", "suite"),
    [
        ({"ID": "ubuntu", "VERSION_ID": "22.04", "VERSION": "22.04.3 LTS (Jammy Jellyfish)"}, "Ubuntu:22.04:LTS"),
        ({"ID": "ubuntu", "VERSION_ID": "24.10", "VERSION": "24.10 (Oracular Oriole)"}, "Ubuntu:24.10"),
        ({"ID": "openEuler", "VERSION_ID": "22.03", "VERSION": "22.03 (LTS-SP3)"}, "openEuler:22.03-LTS-SP3"),
        ({"ID": "openEuler", "VERSION_ID": "24.03", "VERSION": "24.03 (LTS)"}, "openEuler:24.03-LTS"),
        ({"ID": "almalinux", "VERSION_ID": "9.4", "ID_LIKE": "rhel centos fedora"}, "Red Hat:enterprise_linux:9.4"),
        ({"ID": "ol", "VERSION_ID": "9.4", "ID_LIKE": "fedora"}, None),
    ],
)
def test_the_release_of_os_release(info: Dict[str, str], suite: Optional[str]) -> None:
    release = osv.release_of(info)
    assert (release.suite if release else None) == suite


def test_the_ecosystems_a_release_accepts() -> None:
    rhel = osv.release_of({"ID": "rhel", "VERSION_ID": "9.4"})
    assert rhel is not None
    assert rhel.accepts("Red Hat:enterprise_linux:9::baseos") and rhel.accepts("Red Hat:enterprise_linux:9::appstream")
    assert not rhel.accepts("Red Hat:rhel_eus:9.4::baseos") and not rhel.accepts("Red Hat:enterprise_linux:8::baseos")
    rhel10 = osv.release_of({"ID": "rhel", "VERSION_ID": "10.1"})
    assert (
        rhel10 is not None
        and rhel10.accepts("Red Hat:enterprise_linux:10.1")
        and not rhel10.accepts("Red Hat:enterprise_linux:10.0")
    )
    jammy = osv.release_of({"ID": "ubuntu", "VERSION_ID": "22.04", "VERSION": "22.04 LTS"})
    assert jammy is not None and jammy.accepts("Ubuntu:Pro:22.04:LTS") and not jammy.accepts("Ubuntu:Pro:FIPS:22.04:LTS")
    sp1 = osv.release_of({"ID": "openEuler", "VERSION_ID": "22.03", "VERSION": "22.03 (LTS-SP1)"})
    assert sp1 is not None and not sp1.accepts("openEuler:22.03-LTS") and not sp1.accepts("openEuler:22.03-LTS-SP3")


@pytest.mark.parametrize(
    ("version", "events", "expected"),
    [
        ("1.0-1", (("introduced", "0"), ("fixed", "1.0-2")), ("affected", "1.0-2")),
        ("1.0-2", (("introduced", "0"), ("fixed", "1.0-2")), ("fixed", "1.0-2")),
        ("0.9-1", (("introduced", "1.0-1"), ("fixed", "1.0-2")), ("unaffected", None)),
        ("2.0-1", (("introduced", "0"),), ("affected", None)),
        ("1.5-1", (("fixed", "2.0-1"), ("introduced", "0"), ("fixed", "1.0-2"), ("introduced", "1.5-0")), ("affected", "2.0-1")),
        ("1.2-1", (("introduced", "0"), ("fixed", "1.0-2"), ("introduced", "1.5-0"), ("fixed", "2.0-1")), ("fixed", "1.0-2")),
        ("1.1-1", (("introduced", "0"), ("last_affected", "1.1-1")), ("affected", None)),
        ("1.2-1", (("introduced", "0"), ("last_affected", "1.1-1")), ("unaffected", None)),
    ],
)
def test_ecosystem_range_evaluation(version: str, events: osv.Events, expected: Tuple[str, Optional[str]]) -> None:
    assert osv.evaluate(version, events, rpm_compare) == expected


@pytest.mark.parametrize(
    ("vector", "score"),
    [
        ("CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:H", "7.4"),  # CVE-2023-0286 as NVD scores it
        ("CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", "7.8"),  # CVE-2021-4034
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", "10.0"),  # CVE-2024-3094
        ("CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:N/I:N/A:H", "4.9"),  # CVE-2022-4203
        ("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", "0.0"),
        ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", None),
        ("CVSS:3.1/AV:X/AC:L", None),
    ],
)
def test_cvss3_base_score(vector: str, score: Optional[str]) -> None:
    assert osv.cvss3_base(vector) == score


# -- broken and large feeds -----------------------------------------------------------------------------


def _corrupt_crc(path: Path, member: str) -> None:
    """Flip one byte of ``member``'s compressed data in place (its CRC then fails)."""
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(member)
    data = bytearray(path.read_bytes())
    name_len, extra_len = (
        int.from_bytes(data[info.header_offset + 26 : info.header_offset + 28], "little"),
        int.from_bytes(data[info.header_offset + 28 : info.header_offset + 30], "little"),
    )
    start = info.header_offset + 30 + name_len + extra_len
    data[start + info.compress_size // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def test_a_corrupt_zip_member_is_an_error_naming_the_file_and_member(tmp_path: Path) -> None:
    feeds_dir = _feeds(tmp_path, "openeuler")
    _corrupt_crc(feeds_dir / "openeuler-osv.zip", "OESA-2024-0001.json")
    ev = _collect(host_context(OPENEULER), feeds_dir)
    assert ev.status is EvidenceStatus.ERROR
    assert "openeuler-osv.zip" in (ev.reason or "") and "member OESA-2024-0001.json" in (ev.reason or ""), ev.reason


def test_a_member_that_is_not_json_is_an_error_naming_it(tmp_path: Path) -> None:
    feeds_dir = _feeds(tmp_path, "openeuler")
    bad = (RECORDS / "openeuler/OESA-2024-0001.json").read_bytes()[:-40]  # cut short, still names the host's release
    _pack(feeds_dir / "openeuler-osv.zip", [("OESA-2024-0001.json", bad)])
    ev = _collect(host_context(OPENEULER), feeds_dir)
    assert ev.status is EvidenceStatus.ERROR and "member OESA-2024-0001.json: not valid JSON" in (ev.reason or ""), ev.reason


def test_a_truncated_tarball_is_an_error_naming_the_file_and_member(tmp_path: Path) -> None:
    feeds_dir = _feeds(tmp_path, "ubuntu")
    path = feeds_dir / "ubuntu-osv.tar.xz"
    _, members = ARCHIVES["ubuntu"]
    filler = [
        (f"osv/cve/2020/UBUNTU-CVE-2020-{i:04d}.json", json.dumps({"id": os.urandom(1500).hex()}).encode()) for i in range(200)
    ]
    _pack(path, [(name, (RECORDS / rel).read_bytes()) for name, rel in members] + filler)
    path.write_bytes(path.read_bytes()[: path.stat().st_size * 3 // 5])
    ev = _collect(_ubuntu(tmp_path, "3.0.2-0ubuntu1.7"), feeds_dir)
    assert ev.status is EvidenceStatus.ERROR
    assert re.search(
        r"ubuntu-osv\.tar\.xz: (the header after )?member osv/cve/2020/UBUNTU-CVE-2020-\d+\.json: ", ev.reason or ""
    ), ev.reason


def _large_members(count: int, pad: int) -> Iterable[Tuple[str, bytes]]:
    """``count`` records of ~``pad`` bytes from the fixture records: most for another release (never decoded),
    one in 50 for the host's (decoded, and matched)."""
    other = json.loads((RECORDS / "openeuler/OESA-2023-1092.json").read_text())
    mine = json.loads((RECORDS / "openeuler/OESA-2024-0001.json").read_text())
    for i in range(count):
        record = dict(mine if i % 50 == 0 else other)
        record["id"] = f"OESA-2099-{i:05d}"
        record["details"] = "x" * pad
        yield f"{record['id']}.json", json.dumps(record).encode()


@pytest.mark.parametrize("file", ["openeuler-osv.zip", "openeuler-osv.tar.gz"])
def test_memory_stays_bounded_on_a_large_feed(tmp_path: Path, file: str) -> None:
    count, pad = 1500, 64 * 1024  # ~100 MB unpacked
    path = tmp_path / file
    _pack(path, _large_members(count, pad))
    release = osv.release_of({"ID": "openEuler", "VERSION_ID": "22.03", "VERSION": "22.03 (LTS-SP3)"})
    assert release is not None
    started = time.perf_counter()
    tracemalloc.start()
    try:
        index = osv.osv_index(path, release, {"openssl", "openssl-libs"})
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    took = time.perf_counter() - started
    assert index.records == count // 50 and len(index.entries) == count // 50
    assert peak < 8 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB for {count * pad / 1e6:.0f} MB of records"
    assert took < 10, took


# -- rematch ----------------------------------------------------------------------------------------------


def _evidence(feeds_dir: Path) -> list:  # type: ignore[type-arg]
    vuln = _collect(host_context(OPENEULER), feeds_dir)
    pkgs = run_collector(all_collectors()["host.packages"], host_context(OPENEULER))
    return [vuln, pkgs]


def test_rematch_rederives_an_openeuler_host(tmp_path: Path) -> None:
    feeds_dir = _feeds(tmp_path, "openeuler")
    result = rematch(_evidence(feeds_dir), feeds_dir)
    assert result.rederived and "(1 open)" in result.statement, result


def test_rematch_names_a_changed_openeuler_match(tmp_path: Path) -> None:
    feeds_dir = _feeds(tmp_path, "openeuler")
    vuln, pkgs = _evidence(feeds_dir)
    facts: Dict[str, Any] = json.loads(json.dumps(vuln.facts))
    facts["matches"][0]["advisory"] = "openEuler-SA-2024-9999"
    edited = Evidence(vuln.collector, vuln.target, vuln.status, facts, vuln.sources, collected_at=vuln.collected_at)
    result = rematch([edited, pkgs], feeds_dir)
    assert not result.rederived and any("advisory reported" in d for d in result.differences)


def test_rematch_without_the_openeuler_feed_says_why(tmp_path: Path) -> None:
    evidence = _evidence(_feeds(tmp_path / "a", "openeuler"))
    result = rematch(evidence, _feeds(tmp_path / "b", "ubuntu"))
    assert not result.rederived and "feed openeuler" in result.statement, result


def test_only_the_entries_of_the_hosts_release_are_read() -> None:
    """OESA-2023-1092 speaks of 20.03-LTS-SP1 and 22.03-LTS: a 22.03-LTS host reads one entry, an SP3 host none."""
    record = json.loads((RECORDS / "openeuler/OESA-2023-1092.json").read_text())
    for version, entries in (("22.03 (LTS)", 1), ("22.03 (LTS-SP3)", 0)):
        release = osv.release_of({"ID": "openEuler", "VERSION_ID": "22.03", "VERSION": version})
        assert release is not None
        index = osv.OsvIndex()
        osv.read_record(index, record, release, {"openssl-libs"})
        assert [e.ecosystem for e in index.entries] == ["openEuler:22.03-LTS"] * entries
        assert all(e.binaries >= {"openssl", "openssl-libs", "openssl-perl"} for e in index.entries)


def test_a_usn_is_found_through_the_binaries_it_lists() -> None:
    """A host with libssl3 but no openssl binary (and no Source: line) still gets the USN that fixed openssl."""
    release = osv.release_of({"ID": "ubuntu", "VERSION_ID": "22.04", "VERSION": "22.04.3 LTS"})
    assert release is not None
    index = osv.OsvIndex()
    for rel in ("ubuntu/USN-5844-1.json", "ubuntu/UBUNTU-CVE-2023-0286.json"):
        osv.read_record(index, json.loads((RECORDS / rel).read_text()), release, {"libssl3"})
    assert index.notices == {("openssl", "3.0.2-0ubuntu1.8"): osv.Notice("USN-5844-1", "2023-02-07")}
    assert [(e.package, e.ecosystem) for e in index.entries] == [("openssl", "Ubuntu:22.04:LTS")]


def test_rematch_of_a_report_naming_no_release_says_so(tmp_path: Path) -> None:
    feeds_dir = _feeds(tmp_path, "openeuler")
    vuln, pkgs = _evidence(feeds_dir)
    facts: Dict[str, Any] = json.loads(json.dumps(vuln.facts))
    facts["suite"] = "openEuler"
    edited = Evidence(vuln.collector, vuln.target, vuln.status, facts, vuln.sources, collected_at=vuln.collected_at)
    result = rematch([edited, pkgs], feeds_dir)
    assert not result.rederived and "'openEuler' is not a release of the openeuler feed" in result.statement, result


def test_a_service_backed_by_a_matched_package_is_named(tmp_path: Path) -> None:
    """``openssl s_server`` listening on a public address: the match names the service and its reach."""
    ctx = _ubuntu(tmp_path, "3.0.2-0ubuntu1.7")
    root = tmp_path / "debian-weak"
    (root / "root/var/lib/dpkg/info").mkdir(parents=True, exist_ok=True)
    (root / "root/var/lib/dpkg/info/openssl.list").write_text("/usr/bin/openssl\n")
    system = json.loads((root / "system.json").read_text())
    system["processes"].append({"pid": 4242, "name": "openssl", "exe": "/usr/bin/openssl", "user": "root"})
    system["listening"].append({"proto": "tcp", "address": "58.215.30.17", "port": 4433, "pid": 4242, "process": "openssl"})
    (root / "system.json").write_text(json.dumps(system))
    ctx = load_fixture_context(root)
    ev = _collect(ctx, _feeds(tmp_path, "ubuntu"))
    m = _match(ev, "CVE-2023-0286")
    assert m is not None and m["service"] == {"process": "openssl", "ports": [4433], "exposed": True}
