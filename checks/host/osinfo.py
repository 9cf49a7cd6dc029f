"""Operating-system identity checks."""

from __future__ import annotations

from checks.model import CoverageLine, InsurerDomain, Severity, Text, Verdict
from checks.registry import EvidenceView, Params, check
from collectors.host.osinfo import OS


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
)
def os_supported(ev: EvidenceView, p: Params) -> Verdict:
    os_facts = ev.facts(OS)
    name = os_facts["pretty_name"] or os_facts["id"]
    if not os_facts["eol_known"]:
        return Verdict.manual(f"no end-of-life date known for {name}; confirm support status with the vendor", os=name)
    if os_facts["end_of_life"]:
        return Verdict.fail(f"{name} left security support on {os_facts['eol_date']}", os=name, eol_date=os_facts["eol_date"])
    return Verdict.ok(f"{name} is supported until {os_facts['eol_date']}", os=name, eol_date=os_facts["eol_date"])
