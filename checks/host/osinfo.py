"""Operating-system identity checks."""

from __future__ import annotations

from typing import Dict

from checks.messages import message
from checks.model import CoverageLine, InsurerDomain, Severity, Text, Verdict
from checks.registry import EvidenceView, Params, check
from collectors.host.osinfo import OS
from collectors.strictjson import JSON

EOL_UNKNOWN = message(
    "LNX-OS-001/eol-unknown",
    en="no end-of-life date known for {os}; confirm support status with the vendor",
    zh="未掌握 {os} 的支持终止日期；请向厂商确认其支持状态",
)
PAID_EXTENDED_ONLY = message(
    "LNX-OS-001/paid-extended-only",
    en="{os} left free security support on {eol_date}; security fixes continue only with {label} until {extended_end}",
    zh="{os} 已于 {eol_date} 结束免费安全支持；此后只有 {label} 在 {extended_end} 前继续提供安全修复",
)
_NO_TABLE_EN = "the support table has no LTS/extended-support data for this release"
_NO_TABLE_ZH = "支持周期表中没有该版本的 LTS/延长支持数据"
ENDED_NO_DATA = message(
    "LNX-OS-001/ended-no-data",
    en="{os} left security support on {eol_date} (" + _NO_TABLE_EN + ")",
    zh="{os} 已于 {eol_date} 结束安全支持（" + _NO_TABLE_ZH + "）",
)
ENDED = message(
    "LNX-OS-001/ended",
    en="{os} left security support on {eol_date} (regular security support ended {regular_end}, {label} ended {extended_end})",
    zh="{os} 已于 {eol_date} 结束安全支持（常规安全支持于 {regular_end} 结束，{label} 于 {extended_end} 结束）",
)
LTS_PHASE = message(
    "LNX-OS-001/lts-phase",
    en="{os} is in its LTS phase: regular security support ended on {regular_end}; {label} provides security fixes "
    "until {extended_end}",
    zh="{os} 处于 LTS 阶段：常规安全支持已于 {regular_end} 结束；{label} 在 {extended_end} 前提供安全修复",
)
_REGULAR_EN = "{os} receives regular security support until {regular_end} "
_REGULAR_ZH = "{os} 在 {regular_end} 前享有常规安全支持"
REGULAR_NO_DATA = message(
    "LNX-OS-001/regular-no-data", en=_REGULAR_EN + "(" + _NO_TABLE_EN + ")", zh=_REGULAR_ZH + "（" + _NO_TABLE_ZH + "）"
)
REGULAR_THEN_FREE = message(
    "LNX-OS-001/regular-then-free",
    en=_REGULAR_EN + "(then {label} until {extended_end})",
    zh=_REGULAR_ZH + "（此后由 {label} 提供支持至 {extended_end}）",
)
REGULAR_THEN_PAID = message(
    "LNX-OS-001/regular-then-paid",
    en=_REGULAR_EN + "(after that only {label} until {extended_end})",
    zh=_REGULAR_ZH + "（此后只有 {label} 提供支持至 {extended_end}）",
)


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
        return Verdict.manual(EOL_UNKNOWN(os=name), os=name)
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
    eol = os_facts["eol_date"]
    if os_facts["end_of_life"]:
        if phase == "paid_extended":
            return Verdict.fail(PAID_EXTENDED_ONLY(os=name, eol_date=eol, label=label, extended_end=extended), **observed)
        if extended is None:
            return Verdict.fail(ENDED_NO_DATA(os=name, eol_date=eol), **observed)
        return Verdict.fail(ENDED(os=name, eol_date=eol, regular_end=regular, label=label, extended_end=extended), **observed)
    if phase == "lts":
        return Verdict.ok(LTS_PHASE(os=name, regular_end=regular, label=label, extended_end=extended), **observed)
    if extended is None:
        return Verdict.ok(REGULAR_NO_DATA(os=name, regular_end=regular), **observed)
    later = REGULAR_THEN_FREE if os_facts.get("extended_support_free") else REGULAR_THEN_PAID
    return Verdict.ok(later(os=name, regular_end=regular, label=label, extended_end=extended), **observed)
