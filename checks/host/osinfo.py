"""Operating-system identity checks."""

from __future__ import annotations

from typing import Dict

from checks.model import CoverageLine, InsurerDomain, Severity, Text, Verdict
from checks.registry import EvidenceView, Params, check
from collectors.host.osinfo import OS
from collectors.strictjson import JSON


@check(
    id="LNX-OS-001",
    title=Text(
        zh="操作系统版本仍在厂商安全支持期内",
        en="Operating system release is still under vendor security support",
    ),
    remediation=Text(
        zh="将系统升级到仍受安全支持的发行版本（例如 Debian 12、Ubuntu 24.04、RHEL/Rocky 9、openEuler 24.03 LTS），或购买延长支持服务。",
        en="Upgrade to a release that still receives security updates (e.g. Debian 12, Ubuntu 24.04, RHEL/Rocky 9, openEuler 24.03 LTS), or buy extended support.",
    ),
    severity=Severity.HIGH,
    mlps=("L3-CES1-21",),
    domains=(InsurerDomain.PATCHING,),
    coverage=(CoverageLine.BUSINESS_INTERRUPTION, CoverageLine.DATA_BREACH_LIABILITY),
    needs=(OS,),
    basis="An OS past its security support can no longer be patched (8.1.4.4 e); an indicator for case 6.4.3.2, not proof of it.",
)
def os_supported(ev: EvidenceView, p: Params) -> Verdict:
    """Pass while free security support lasts (regular, then a free LTS phase); the verdict names the phase.

    A release in its LTS phase still gets security fixes, but fewer and later
    than under regular support: the underwriter is told which applies and until when.
    """
    os_facts = ev.facts(OS)
    name = os_facts["pretty_name"] or os_facts["id"]
    if not os_facts["eol_known"]:
        return Verdict.manual(f"no end-of-life date known for {name}; confirm support status with the vendor", os=name)
    regular = os_facts.get("regular_support_end")
    extended = os_facts.get("extended_support_end")
    label = os_facts.get("extended_support") or "LTS/extended support"
    phase = os_facts.get("support_phase")
    observed: Dict[str, JSON] = {
        "os": name,
        "eol_date": os_facts["eol_date"],
        "support_phase": phase,
        "regular_support_end": regular,
        "extended_support_end": extended,
        "extended_support": os_facts.get("extended_support"),
        "checked_on": os_facts["checked_on"],
    }
    if extended is None:
        later = "the support table has no LTS/extended-support data for this release"
    elif os_facts.get("extended_support_free"):
        later = f"then {label} until {extended}"
    else:
        later = f"after that only {label} until {extended}"
    if os_facts["end_of_life"]:
        if phase == "paid_extended":
            return Verdict.fail(
                f"{name} left free security support on {os_facts['eol_date']}; security fixes continue only with {label} until {extended}",
                **observed,
            )
        if extended is None:
            history = "the support table has no LTS/extended-support data for this release"
        else:
            history = f"regular security support ended {regular}, {label} ended {extended}"
        return Verdict.fail(f"{name} left security support on {os_facts['eol_date']} ({history})", **observed)
    if phase == "lts":
        return Verdict.ok(
            f"{name} is in its LTS phase: regular security support ended on {regular}; {label} provides security fixes "
            f"until {extended}",
            **observed,
        )
    return Verdict.ok(f"{name} receives regular security support until {regular} ({later})", **observed)
