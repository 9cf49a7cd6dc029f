"""LNX-OS-001 on the recorded hosts: the verdict names the support phase it rests on."""

from __future__ import annotations

from typing import Any

from checks.catalogue import all_checks
from checks.model import Status
from checks.registry import EvidenceView, evaluate_one
from collectors.evidence import Evidence, EvidenceStatus
from tests.hosts import evidence_map, host_findings


def _finding(host: str) -> Any:
    return next(f for f in host_findings(host) if f.check_id == "LNX-OS-001")


def test_debian_12_after_june_2026_passes_in_its_lts_phase_not_regular_support() -> None:
    """debian-hardened (Debian 12) recorded on 2026-11-20: regular support ended 2026-06-10, Debian LTS runs to 2028-06-30."""
    f = _finding("debian-hardened")
    assert f.status is Status.PASS
    assert "LTS phase" in (f.reason or "") and "2026-06-10" in (f.reason or "") and "2028-06-30" in (f.reason or "")
    assert "supported until 2028-06-30" not in (f.reason or "")
    assert f.observed["support_phase"] == "lts" and f.observed["regular_support_end"] == "2026-06-10"


def test_debian_12_before_june_2026_is_under_regular_support() -> None:
    facts = dict(evidence_map("debian-hardened")["host.os"].facts)
    facts.update(checked_on="2025-01-01", support_phase="regular")
    f = evaluate_one(all_checks()["LNX-OS-001"], EvidenceView([Evidence("host.os", "t", EvidenceStatus.OK, facts)]))
    assert f.status is Status.PASS
    assert f.reason == "Debian GNU/Linux 12 (bookworm) receives regular security support until 2026-06-10 (then Debian LTS until 2028-06-30)"


def test_release_without_lts_data_says_so() -> None:
    f = _finding("openeuler-server")
    assert f.status is Status.PASS and "no LTS/extended-support data" in (f.reason or "")


def test_end_of_life_still_fails() -> None:
    f = _finding("debian-weak")
    assert f.status is Status.FAIL and "2024-06-30" in (f.reason or "")


def test_paid_extended_support_is_not_free_support() -> None:
    facts = dict(evidence_map("debian-hardened")["host.os"].facts)
    facts.update(
        id="ubuntu",
        version_id="20.04",
        pretty_name="Ubuntu 20.04.6 LTS",
        eol_date="2025-05-31",
        end_of_life=True,
        regular_support_end="2025-05-31",
        extended_support_end="2030-04-30",
        extended_support="Ubuntu Pro (ESM), paid subscription",
        extended_support_free=False,
        support_phase="paid_extended",
    )
    f = evaluate_one(all_checks()["LNX-OS-001"], EvidenceView([Evidence("host.os", "t", EvidenceStatus.OK, facts)]))
    assert f.status is Status.FAIL and "only with Ubuntu Pro (ESM), paid subscription until 2030-04-30" in (f.reason or "")
