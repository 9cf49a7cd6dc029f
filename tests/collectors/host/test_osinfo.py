"""Distribution recognition: Debian family, RHEL family including openEuler and Kylin."""

from __future__ import annotations

import pytest

from collectors.host.osinfo import eol_date, family_of, parse_os_release
from tests.hosts import evidence_map

OS_RELEASES = {
    "ubuntu": ('NAME="Ubuntu"\nVERSION_ID="22.04"\nID=ubuntu\nID_LIKE=debian\n', "debian", "2027-04-30"),
    "rocky": ('NAME="Rocky Linux"\nVERSION_ID="9.4"\nID="rocky"\nID_LIKE="rhel centos fedora"\n', "rhel", "2032-05-31"),
    "openeuler": ('NAME="openEuler"\nVERSION="22.03 (LTS-SP3)"\nID="openEuler"\nVERSION_ID="22.03"\n', "rhel", "2028-03-31"),
    "kylin": ('NAME="Kylin Linux Advanced Server"\nVERSION="V10 (Lance)"\nID="kylin"\nVERSION_ID="V10"\n', "rhel", "2030-12-31"),
    "centos7": ('NAME="CentOS Linux"\nVERSION_ID="7"\nID="centos"\nID_LIKE="rhel fedora"\n', "rhel", "2024-06-30"),
    "debian": ('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nVERSION_ID="12"\nID=debian\n', "debian", "2028-06-30"),
}


@pytest.mark.parametrize("name", sorted(OS_RELEASES))
def test_families_and_end_of_life(name: str) -> None:
    text, family, eol = OS_RELEASES[name]
    rel = parse_os_release(text)
    os_id = rel["ID"].lower()
    assert family_of(os_id, rel.get("ID_LIKE", "")) == family
    assert eol_date(os_id, rel["VERSION_ID"]) == eol


def test_fixture_hosts_are_recognised() -> None:
    assert evidence_map("debian-hardened")["host.os"].facts["family"] == "debian"
    weak = evidence_map("debian-weak")["host.os"].facts
    assert weak["end_of_life"] is True and weak["eol_date"] == "2024-06-30"
    oe = evidence_map("openeuler-server")["host.os"].facts
    assert oe["family"] == "rhel" and oe["id"] == "openeuler" and oe["end_of_life"] is False


def test_garbage_os_release_does_not_crash() -> None:
    rel = parse_os_release('ID="unterminated\nVERSION_ID=\x00\n=\nnoequals\n')
    assert rel["ID"] == "unterminated"


def test_debian_12_carries_both_support_dates() -> None:
    """Regular security support ends 2026-06-10; Debian LTS runs to 2028-06-30 (the end of all free support)."""
    from collectors.host.osinfo import lifecycle, support_facts

    life = lifecycle("debian", "12")
    assert life is not None and (life.regular_end, life.extended_end, life.extended_free) == ("2026-06-10", "2028-06-30", True)
    assert eol_date("debian", "12") == "2028-06-30"
    assert support_facts(life, "2026-06-10")["support_phase"] == "regular"
    assert support_facts(life, "2026-06-11")["support_phase"] == "lts"
    assert support_facts(life, "2028-07-01")["support_phase"] == "unsupported"
    # Ubuntu's ESM needs a paid subscription: free support ends with standard support
    focal = lifecycle("ubuntu", "20.04")
    assert focal is not None and eol_date("ubuntu", "20.04") == focal.regular_end == "2025-05-31"
    assert support_facts(focal, "2026-01-01")["support_phase"] == "paid_extended"
    assert support_facts(lifecycle("openeuler", "22.03"), "2026-01-01")["extended_support_end"] is None


def test_recorded_debian_12_is_in_its_lts_phase() -> None:
    facts = evidence_map("debian-hardened")["host.os"].facts
    assert facts["checked_on"] == "2026-11-20"
    assert (facts["regular_support_end"], facts["extended_support_end"], facts["support_phase"]) == ("2026-06-10", "2028-06-30", "lts")
