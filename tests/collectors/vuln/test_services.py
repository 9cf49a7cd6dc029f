"""Service versions seen from outside: which are reliable enough to match, and the matching itself."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Dict, List

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from collectors.host.debversion import compare
from collectors.vuln.services import (
    DEBIAN_SUITES,
    Identity,
    Matched,
    NotMatched,
    Reason,
    identify,
    identify_banner,
    match_identities,
)
from tests.fuzzing import fuzz

FEEDS = Path(__file__).parents[2] / "fixtures" / "feeds" / "services"
ALL_FEEDS = {"debian", "kev", "epss", "dsa", "dla"}
TODAY = "2026-01-10"


# -- what is reliable ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("marker", "suite"), [("deb10u2", "buster"), ("deb11u3", "bullseye"), ("deb12u10", "bookworm"), ("deb13u1", "trixie")]
)
def test_a_debian_revision_with_its_stable_update_marker_names_package_version_and_suite(marker: str, suite: str) -> None:
    got = identify_banner(f"SSH-2.0-OpenSSH_7.9p1 Debian-10+{marker}\r\n")
    assert got == Identity("debian", suite, "openssh", "openssh-server", f"1:7.9p1-10+{marker}", f"Debian 10+{marker}")


def test_nmap_reports_the_same_identity_as_the_banner() -> None:
    # nmap-service-probes: match ssh m|^SSH-([\d.]+)-OpenSSH_([\w._-]+)[ -]{1,2}Debian[ -_]([^\r\n]+)\r?\n| p/OpenSSH/ v/$2 Debian $3/
    assert identify("OpenSSH", "7.9p1 Debian 10+deb10u2", "protocol 2.0") == identify_banner("SSH-2.0-OpenSSH_7.9p1 Debian-10+deb10u2")


def test_the_epoch_the_banner_omits_is_what_makes_the_comparison_right() -> None:
    got = identify_banner("SSH-2.0-OpenSSH_7.9p1 Debian-10+deb10u2")
    assert isinstance(got, Identity)
    assert compare(got.version, "1:7.9p1-10+deb10u3") < 0 and compare(got.version, "1:7.9p1-10+deb10u2") == 0
    assert compare("7.9p1-10+deb10u2", "1:7.9p1-10+deb10u1") < 0  # without it, even an older fix would look open


def test_the_real_sshd_states_the_version_dpkg_installed() -> None:
    """The rule on this machine's own openssh-server: the banner of the real sshd (inetd mode, no socket) gives
    exactly the package version dpkg records, epoch included."""
    sshd, keygen = Path("/usr/sbin/sshd"), shutil.which("ssh-keygen")
    query = subprocess.run(["dpkg-query", "-W", "-f=${Version} ${Source}", "openssh-server"], capture_output=True, text=True)
    if not sshd.exists() or keygen is None or query.returncode != 0:
        pytest.skip("needs Debian's openssh-server (scripts/test.sh installs it)")
    version, source = query.stdout.split()
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        key = Path(tmp) / "host_key"
        subprocess.run([keygen, "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
        done = subprocess.run(
            [str(sshd), "-i", "-f", "/dev/null", "-h", str(key), "-o", "PidFile=none"], stdin=subprocess.DEVNULL, capture_output=True, timeout=10
        )
    banner = done.stdout.split(b"\n", 1)[0].decode("ascii")
    assert banner.startswith("SSH-2.0-OpenSSH_"), (banner, done.stderr[-300:])
    got = identify_banner(banner)
    if "+deb" not in version:
        assert isinstance(got, NotMatched) and got.reason is Reason.NO_SUITE  # a release as first shipped, or testing
        return
    assert isinstance(got, Identity), got
    assert (got.source, got.version) == (source, version)


@pytest.mark.parametrize(
    ("product", "version", "reason"),
    [
        ("Apache httpd", "2.4.38", Reason.UPSTREAM_ONLY),  # extrainfo "(Debian)" names the distribution, not the revision
        ("nginx", "1.14.2", Reason.UPSTREAM_ONLY),
        ("OpenSSH", "9.2p1", Reason.UPSTREAM_ONLY),  # DebianBanner no
        ("OpenSSH", "8.9p1 Ubuntu 3ubuntu0.6", Reason.NO_SUITE),  # Ubuntu's revision does not name its release
        ("OpenSSH", "5.3p1 Debian 3ubuntu7", Reason.NO_SUITE),  # old Ubuntu banners said Debian
        ("OpenSSH", "9.2p1 Debian 2", Reason.NO_SUITE),  # bookworm as released, or testing at the time: cannot tell
        ("OpenSSH", "8.4p1 Debian 5~bpo10+1", Reason.NO_SUITE),  # a backport
        ("OpenSSH", "7.4p1 Debian 10+deb6u1", Reason.NO_SUITE),  # a release number this agent does not know
        ("OpenSSH", "7.9p1 Raspbian 10+deb10u2+rpt1", Reason.OTHER_DISTRIBUTION),
        ("OpenSSH", "5.1p1 Debian 6.maemo3", Reason.OTHER_DISTRIBUTION),
        ("OpenSSH", "7.9p1 Debian 10+deb10u2;rm", Reason.NO_SUITE),  # not a Debian revision at all
        ("vsftpd", "", Reason.NO_VERSION),
        ("", "", Reason.UNKNOWN_PRODUCT),
    ],
)
def test_everything_else_is_not_matched_with_its_reason(product: str, version: str, reason: Reason) -> None:
    got = identify(product, version, "(Debian)")
    assert isinstance(got, NotMatched) and got.reason is reason, got
    assert got.detail


@pytest.mark.parametrize(
    ("banner", "reason"),
    [
        ("SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.6\r\n", Reason.NO_SUITE),
        ("SSH-2.0-OpenSSH_9.6\r\n", Reason.UPSTREAM_ONLY),
        ("SSH-2.0-dropbear_2020.81\r\n", Reason.UPSTREAM_ONLY),
        ("220 ProFTPD 1.3.5 Server (Debian) [127.0.0.1]\r\n", Reason.UNKNOWN_PRODUCT),
    ],
)
def test_banners_without_a_package_revision_are_not_matched(banner: str, reason: Reason) -> None:
    got = identify_banner(banner)
    assert isinstance(got, NotMatched) and got.reason is reason, got


SEEDS = (
    "SSH-2.0-OpenSSH_7.9p1 Debian-10+deb10u2\r\n",
    "SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.6\r\n",
    "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3",
    "SSH-1.99-OpenSSH_5.3p1 Debian-3ubuntu7\r\n",
)


@st.composite
def _edited(draw: st.DrawFn) -> str:
    text = list(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(0, 5))):
        at = draw(st.integers(0, len(text)))
        if draw(st.booleans()) or not text:
            text[at:at] = draw(st.text(max_size=4))
        else:
            del text[at : at + draw(st.integers(1, 4))]
    return "".join(text)


@fuzz
@given(st.one_of(st.text(max_size=80), _edited()), st.text(max_size=40))
@example("SSH-2.0-OpenSSH_7.9p1 Debian-10+deb99u1", "7.9p1 Debian 10+deb99u1")
def test_fuzz_service_versions(banner: str, version: str) -> None:
    """Whatever a service sends, the parsers answer an identity of the documented form or a reason; never raise."""
    for got in (identify_banner(banner), identify("OpenSSH", version, banner[:20]), identify(banner[:20], version)):
        if isinstance(got, NotMatched):
            assert isinstance(got.reason, Reason) and got.detail
            continue
        assert got.distribution == "debian" and got.suite in DEBIAN_SUITES.values() and got.source == "openssh"
        assert got.version.startswith("1:") and got.version.endswith("-" + got.stated.split(" ", 1)[1])
        assert compare(got.version, got.version) == 0


# -- matching ---------------------------------------------------------------------------------------


def _ident(version: str) -> Identity:
    got = identify("OpenSSH", version)
    assert isinstance(got, Identity), got
    return got


def test_a_version_before_the_suites_fix_is_open_with_advisory_and_epss() -> None:
    ident = _ident("7.9p1 Debian 10+deb10u2")
    out, epss_date = match_identities(FEEDS, [ident], ALL_FEEDS, TODAY)
    got = out[ident]
    assert isinstance(got, Matched)
    rows = {m["cve"]: m for m in got.matches}
    assert sorted(rows) == ["CVE-2023-38408", "CVE-2023-48795", "CVE-2023-51385"]
    terrapin = rows["CVE-2023-48795"]
    assert (terrapin["source"], terrapin["packages"], terrapin["installed"], terrapin["fixed"]) == (
        "openssh",
        ["openssh-server"],
        "1:7.9p1-10+deb10u2",
        "1:7.9p1-10+deb10u4",
    )
    assert (terrapin["advisory"], terrapin["fix_date"], terrapin["fix_age_days"]) == ("DLA-3694-1", "2023-12-25", 747)
    assert terrapin["epss"] == {"score": "0.55102", "percentile": "0.97804"} and epss_date == "2025-08-25T12:55:00Z"
    assert rows["CVE-2023-38408"]["advisory"] is None  # no DLA for it in the extract
    assert all(m["kev"] is None and m["severity"] == "unknown" and m["service"] is None for m in got.matches)


def test_the_fixed_version_and_a_later_one_are_clean() -> None:
    fixed, later = _ident("7.9p1 Debian 10+deb10u4"), _ident("7.9p1 Debian 10+deb10u5")
    out, _ = match_identities(FEEDS, [fixed, later], ALL_FEEDS, TODAY)
    assert out[fixed] == Matched([], 0) and out[later] == Matched([], 0)


def test_between_two_fixes_only_the_later_one_is_open() -> None:
    ident = _ident("7.9p1 Debian 10+deb10u3")
    out, _ = match_identities(FEEDS, [ident], ALL_FEEDS, TODAY)
    got = out[ident]
    assert isinstance(got, Matched) and sorted(m["cve"] for m in got.matches) == ["CVE-2023-48795", "CVE-2023-51385"]


def test_the_suite_decides_which_fixed_version_applies() -> None:
    bookworm = _ident("9.2p1 Debian 2+deb12u2")
    bullseye = _ident("8.4p1 Debian 5+deb11u3")
    out, _ = match_identities(FEEDS, [bookworm, bullseye], ALL_FEEDS, TODAY)
    got = out[bookworm]
    assert isinstance(got, Matched) and [(m["cve"], m["fixed"], m["advisory"]) for m in got.matches] == [
        ("CVE-2024-6387", "1:9.2p1-2+deb12u3", "DSA-5724-1")
    ]
    # bullseye: CVE-2024-6387 never affected it ("0"), CVE-2023-51385 is open there without a fix
    assert out[bullseye] == Matched([], 1)


def test_a_suite_the_feed_holds_no_data_for_is_not_assessed_rather_than_clean() -> None:
    trixie = _ident("10.0p1 Debian 7+deb13u1")
    out, _ = match_identities(FEEDS, [trixie], ALL_FEEDS, TODAY)
    got = out[trixie]
    assert isinstance(got, NotMatched) and got.reason is Reason.NOT_IN_FEED and "trixie" in got.detail


def test_a_source_the_feed_does_not_list_is_not_assessed(tmp_path: Path) -> None:
    feeds = tmp_path / "feeds"
    shutil.copytree(FEEDS, feeds)
    data = json.loads((feeds / "debian.json").read_text())
    del data["openssh"]
    (feeds / "debian.json").write_text(json.dumps(data))
    ident = _ident("7.9p1 Debian 10+deb10u2")
    out, _ = match_identities(feeds, [ident], ALL_FEEDS, TODAY)
    got = out[ident]
    assert isinstance(got, NotMatched) and got.reason is Reason.NOT_IN_FEED and "no entry for source package openssh" in got.detail


def test_kev_membership_and_due_date_join_by_cve(tmp_path: Path) -> None:
    """No OpenSSH CVE is in the real catalogue (2025-08-25); this test adds one to a copy, in the catalogue's own
    field layout, to show the join. The entry is the test's, not CISA's."""
    feeds = tmp_path / "feeds"
    shutil.copytree(FEEDS, feeds)
    kev = json.loads((feeds / "kev.json").read_text())
    entry: Dict[str, object] = dict(kev["vulnerabilities"][0])
    entry.update(cveID="CVE-2023-38408", dateAdded="2026-01-05", dueDate="2026-01-26", knownRansomwareCampaignUse="Unknown")
    kev["vulnerabilities"].append(entry)
    (feeds / "kev.json").write_text(json.dumps(kev))
    ident = _ident("7.9p1 Debian 10+deb10u2")
    out, _ = match_identities(feeds, [ident], ALL_FEEDS, TODAY)
    got = out[ident]
    assert isinstance(got, Matched)
    kev_rows: List[str] = [m["cve"] for m in got.matches if m["kev"]]
    assert kev_rows == ["CVE-2023-38408"]
    assert got.matches[0]["kev"] == {"date_added": "2026-01-05", "due_date": "2026-01-26", "ransomware": "Unknown"}  # KEV first


def test_without_kev_and_epss_feeds_the_matches_say_none() -> None:
    ident = _ident("7.9p1 Debian 10+deb10u2")
    out, epss_date = match_identities(FEEDS, [ident], {"debian"}, TODAY)
    got = out[ident]
    assert isinstance(got, Matched) and got.matches and all(m["kev"] is None and m["epss"] is None for m in got.matches)
    assert epss_date is None


def test_nothing_to_match_reads_no_feed(tmp_path: Path) -> None:
    assert match_identities(tmp_path / "absent", [], ALL_FEEDS, TODAY) == ({}, None)
