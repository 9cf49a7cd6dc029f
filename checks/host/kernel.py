"""Kernel and network parameters, kernel modules, boot loader, mandatory access control.

Sysctl checks judge the runtime value (what protects the host now), or the
configured value, saying so, where there is no /proc/sys at all (an offline
tree); LNX-KRN-010 separately judges whether the runtime value survives a
reboot, and cannot pass without one.
In a container the boot loader, module and persistence checks are not
applicable: they belong to the container host, which is out of scope.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

from checks.messages import Template, message
from checks.model import CoverageLine, InsurerDomain, Severity, Text, Verdict
from checks.registry import EvidenceView, Params, check
from collectors.host.kernel import (
    AA_ENFORCING_MODES,
    ACCEPT_REDIRECTS_ALL,
    ACCEPT_REDIRECTS_DEFAULT,
    ACCEPT_SOURCE_ROUTE_ALL,
    ACCEPT_SOURCE_ROUTE_DEFAULT,
    BOOT,
    DMESG_RESTRICT,
    FS_MODULES,
    ICMP_ECHO_IGNORE_BROADCASTS,
    ICMP_IGNORE_BOGUS_ERROR_RESPONSES,
    IP_FORWARD,
    IPV6_ACCEPT_REDIRECTS,
    IPV6_FORWARDING,
    KERNEL_MODULES,
    KPTR_RESTRICT,
    LOG_MARTIANS_ALL,
    LOG_MARTIANS_DEFAULT,
    MAC,
    NET_MODULES,
    PTRACE_SCOPE,
    RANDOMIZE_VA_SPACE,
    RP_FILTER_ALL,
    RP_FILTER_DEFAULT,
    SECURE_REDIRECTS_ALL,
    SECURE_REDIRECTS_DEFAULT,
    SEND_REDIRECTS_ALL,
    SEND_REDIRECTS_DEFAULT,
    SUID_DUMPABLE,
    SYSCTL,
    TCP_SYNCOOKIES,
    USB_STORAGE,
    AppArmorFacts,
    SysctlKeyFacts,
)
from collectors.host.osinfo import OS
from collectors.strictjson import JSON

_HARD = (InsurerDomain.HARDENING,)
_SYSCTL = (SYSCTL,)


def container_of(ev: EvidenceView) -> Optional[str]:
    """The container technology the target runs in, if any."""
    os_facts = ev.optional(OS)
    return str(os_facts["container"]) if os_facts and os_facts["container"] else None


IN_CONTAINER = message(
    "LNX-KRN/in-container",
    en="target is a {container} container; the kernel and boot chain belong to its host",
    zh="目标是 {container} 容器；内核与引导链属于其宿主机",
)


def offline_root(ev: EvidenceView) -> bool:
    """A root file system assessed offline (scan --root): nothing of it runs, so run-time state does not apply."""
    os_facts = ev.optional(OS)
    return bool(os_facts and os_facts.get("offline_root"))


def _na_in_container(ev: EvidenceView) -> Optional[Verdict]:
    c = container_of(ev)
    if c:
        return Verdict.na(IN_CONTAINER(container=c), container=c)
    return None


# Keys with no effect when the kernel lacks that feature (no Yama: ptrace is unrestricted).
_ABSENT_MEANS_UNPROTECTED = {PTRACE_SCOPE}


SYSCTL_UNSET_OFFLINE = message(
    "LNX-KRN/sysctl-unset-offline",
    en="{key}: no runtime value (no /proc/sys: the kernel could not be asked) and the sysctl configuration does not set it",
    zh="{key}：没有运行时值（没有 /proc/sys，无法询问内核），sysctl 配置中也未设置",
)
SYSCTL_UNAVAILABLE = message("LNX-KRN/sysctl-unavailable", en="{key} is not available in /proc/sys", zh="/proc/sys 中没有 {key}")

_OFFLINE_EN = " (judged from the sysctl configuration: no runtime value could be read)"
_OFFLINE_ZH = "（无法读取运行时值，依据 sysctl 配置判断）"


@dataclass(frozen=True)
class SysctlMessages:
    """The reasons of one sysctl check (``judge_sysctl``)."""

    wrong: Template  # settings, want
    wrong_configured: Template  # the same, judged from the configuration
    ok: Template
    ok_configured: Template
    absent: Optional[Template] = None  # keys, want: a key whose absence leaves the host unprotected


def sysctl_messages(check_id: str, en: str, zh: str, absent: Optional[Template] = None) -> SysctlMessages:
    """Declare the messages of sysctl check ``check_id``: ``en`` starts its English reasons, ``zh`` names the settings."""
    return SysctlMessages(
        wrong=message(
            f"{check_id}/not-set", en=f"{en}: {{settings}} (want {{want}})", zh=f"{zh}不符合要求：{{settings}}（应为 {{want}}）"
        ),
        wrong_configured=message(
            f"{check_id}/not-set-configured",
            en=f"{en}: {{settings}} (want {{want}}){_OFFLINE_EN}",
            zh=f"{zh}不符合要求：{{settings}}（应为 {{want}}）{_OFFLINE_ZH}",
        ),
        ok=message(f"{check_id}/set", en=f"{en}: all set", zh=f"{zh}均符合要求"),
        ok_configured=message(f"{check_id}/set-configured", en=f"{en}: all set{_OFFLINE_EN}", zh=f"{zh}均符合要求{_OFFLINE_ZH}"),
        absent=absent,
    )


def _wanted(expected: Mapping[str, Sequence[str]], keys: Sequence[str]) -> JSON:
    """The allowed values of ``keys``: one alternative ("1/2") when they share it, else one per key."""
    allowed = {"/".join(expected[k]) for k in keys}
    if len(allowed) == 1:
        return allowed.pop()
    return [f"{k}={'/'.join(expected[k])}" for k in keys]


def judge_sysctl(ev: EvidenceView, expected: Mapping[str, Sequence[str]], msgs: SysctlMessages) -> Verdict:
    """Compare runtime values with the allowed ones; list every offending key.

    Without /proc/sys at all (an offline tree: no running kernel to ask), the
    value the boot-time configuration sets is judged instead, and the finding
    says so; a key neither readable nor configured is an error, never a guess.
    """
    facts = ev.facts(SYSCTL)
    keys = facts["keys"]
    offline = not facts.get("proc_sys", True)  # evidence from before proc_sys was recorded had /proc/sys
    bad: Dict[str, Optional[str]] = {}
    seen: Dict[str, str] = {}
    configured: Dict[str, Optional[str]] = {}
    for key, allowed in expected.items():
        entry = keys.get(key)
        value = entry["runtime"] if entry is not None else None
        if value is None and offline:
            value = entry["persisted"] if entry is not None else None
            if value is None:
                return Verdict.error(SYSCTL_UNSET_OFFLINE(key=key))
            configured[key] = entry["persisted_in"] if entry is not None else None
        elif value is None:
            if key.startswith("net.ipv6.") and not facts["ipv6"]:
                continue  # IPv6 disabled in the running kernel: nothing to harden
            if key in _ABSENT_MEANS_UNPROTECTED:
                bad[key] = None  # the running kernel has no Yama: ptrace is unrestricted
                continue
            return Verdict.error(SYSCTL_UNAVAILABLE(key=key))
        seen[key] = value
        if value not in allowed:
            bad[key] = value
    basis: Dict[str, JSON] = {}
    if configured:
        basis = {"basis": "configuration (no runtime value: /proc/sys is absent)", "configured_in": dict(configured)}
    absent = [k for k, v in bad.items() if v is None]
    if absent:
        if msgs.absent is None:
            raise ValueError(f"no message for absent {', '.join(absent)}")
        return Verdict.fail(msgs.absent(keys=absent, want=_wanted(expected, absent)), offending=bad, **basis)
    if bad:
        settings = [f"{k}={v}" for k, v in bad.items()]
        wrong = msgs.wrong_configured if configured else msgs.wrong
        return Verdict.fail(wrong(settings=settings, want=_wanted(expected, list(bad))), offending=bad, **basis)
    return Verdict.ok(msgs.ok_configured() if configured else msgs.ok(), values=seen, **basis)


def _persist_hint(keys: Sequence[str], value: str) -> Tuple[str, str]:
    lines = "; ".join(f"{k} = {value}" for k in keys)
    return (
        f"在 /etc/sysctl.d/60-hardening.conf 中写入：{lines}，然后执行 sysctl --system。",
        f"Put in /etc/sysctl.d/60-hardening.conf: {lines}; then run sysctl --system",
    )


# The keys each check judges, in the order its findings list them.
_KERNEL_INFO = (KPTR_RESTRICT, DMESG_RESTRICT)
_FORWARDING = (IP_FORWARD, IPV6_FORWARDING)
_REDIRECTS = (
    ACCEPT_REDIRECTS_ALL,
    ACCEPT_REDIRECTS_DEFAULT,
    SECURE_REDIRECTS_ALL,
    SECURE_REDIRECTS_DEFAULT,
    SEND_REDIRECTS_ALL,
    SEND_REDIRECTS_DEFAULT,
    IPV6_ACCEPT_REDIRECTS,
)
_SOURCE_ROUTE = (ACCEPT_SOURCE_ROUTE_ALL, ACCEPT_SOURCE_ROUTE_DEFAULT)
_RP_FILTER = (RP_FILTER_ALL, RP_FILTER_DEFAULT)
_NETWORK_MISC = (
    TCP_SYNCOOKIES,
    LOG_MARTIANS_ALL,
    LOG_MARTIANS_DEFAULT,
    ICMP_ECHO_IGNORE_BROADCASTS,
    ICMP_IGNORE_BOGUS_ERROR_RESPONSES,
)


_ASLR_MSGS = sysctl_messages("LNX-KRN-001", "ASLR", "ASLR 设置")


@check(
    id="LNX-KRN-001",
    title=Text(zh="已启用完全地址空间布局随机化（ASLR）", en="Full address-space layout randomisation (ASLR) is enabled"),
    remediation=Text(*_persist_hint((RANDOMIZE_VA_SPACE,), "2")),
    severity=Severity.MEDIUM,
    mlps=("L3-CES1-23",),
    domains=_HARD,
    needs=_SYSCTL,
    basis="ASLR makes exploitation of memory bugs harder; no clause names it, the nearest is the defence against malicious code (8.1.4.5 a). Supporting evidence.",
)
def aslr(ev: EvidenceView, p: Params) -> Verdict:
    """Without full ASLR memory-corruption exploits need no address leak."""
    return judge_sysctl(ev, {RANDOMIZE_VA_SPACE: ("2",)}, _ASLR_MSGS)


_SUID_DUMPS_MSGS = sysctl_messages("LNX-KRN-002", "setuid core dumps", "setuid 程序核心转储设置")


@check(
    id="LNX-KRN-002",
    title=Text(zh="禁止 setuid 程序产生核心转储", en="Set-uid programs cannot dump core"),
    remediation=Text(*_persist_hint((SUID_DUMPABLE,), "0")),
    severity=Severity.MEDIUM,
    mlps=("L3-CES1-32",),
    domains=_HARD,
    coverage=(CoverageLine.DATA_BREACH_LIABILITY,),
    needs=_SYSCTL,
    basis="Core dumps of set-uid programs can write memory that held credentials to disk (8.1.4.10 a).",
)
def suid_dumpable(ev: EvidenceView, p: Params) -> Verdict:
    """Core files of privileged programs can hold password hashes and keys."""
    return judge_sysctl(ev, {SUID_DUMPABLE: ("0",)}, _SUID_DUMPS_MSGS)


_PTRACE_MSGS = sysctl_messages(
    "LNX-KRN-003",
    "ptrace restriction",
    "ptrace 限制设置",
    absent=message(
        "LNX-KRN-003/no-yama",
        en="ptrace restriction: {keys}=absent (want {want})",
        zh="ptrace 限制未生效：运行中的内核没有 {keys}（未启用 Yama，ptrace 不受限制；应为 {want}）",
    ),
)


@check(
    id="LNX-KRN-003",
    title=Text(zh="ptrace 调试受 Yama 限制（ptrace_scope ≥ 1）", en="ptrace is restricted by Yama (ptrace_scope >= 1)"),
    remediation=Text(*_persist_hint((PTRACE_SCOPE,), "1")),
    severity=Severity.LOW,
    mlps=("L3-CES1-10",),
    domains=_HARD,
    needs=_SYSCTL,
    basis="Yama's ptrace_scope is process-level access control between subjects (8.1.4.2 f).",
)
def ptrace_scope(ev: EvidenceView, p: Params) -> Verdict:
    """Unrestricted ptrace lets any compromised process read its siblings' memory."""
    return judge_sysctl(ev, {PTRACE_SCOPE: ("1", "2", "3")}, _PTRACE_MSGS)


_KERNEL_INFO_MSGS = sysctl_messages("LNX-KRN-004", "kernel information restrictions", "内核信息访问限制设置")


@check(
    id="LNX-KRN-004",
    title=Text(zh="内核指针与内核日志对普通用户隐藏", en="Kernel pointers and the kernel log are hidden from unprivileged users"),
    remediation=Text(*_persist_hint(_KERNEL_INFO, "1")),
    severity=Severity.LOW,
    mlps=("L3-CES1-09",),
    domains=_HARD,
    needs=_SYSCTL,
    basis="Hiding kernel pointers and the kernel log from unprivileged users is an access rule on system information (8.1.4.2 e). Supporting evidence.",
)
def kernel_info_leaks(ev: EvidenceView, p: Params) -> Verdict:
    return judge_sysctl(ev, {KPTR_RESTRICT: ("1", "2"), DMESG_RESTRICT: ("1",)}, _KERNEL_INFO_MSGS)


_FORWARDING_MSGS = sysctl_messages("LNX-KRN-005", "IP forwarding", "IP 转发设置")
ROUTER = message(
    "LNX-KRN-005/router",
    en="declared a router or gateway (parameter is_router): forwarding is its job",
    zh="已声明为路由器或网关（参数 is_router），转发是其本职功能",
)


@check(
    id="LNX-KRN-005",
    title=Text(zh="非路由主机关闭 IP 转发", en="IP forwarding is off on a host that is not a router"),
    remediation=Text(*_persist_hint(_FORWARDING, "0")),
    severity=Severity.MEDIUM,
    mlps=("L3-ABS1-01", "L3-CES1-18"),
    domains=(InsurerDomain.SEGMENTATION, InsurerDomain.HARDENING),
    needs=_SYSCTL,
    params={"is_router": False},
    basis="Forwarding on a host that is not a router creates an uncontrolled path across zones (8.1.3.1 a) and is a function the host does not need (8.1.4.4 b).",
)
def ip_forward(ev: EvidenceView, p: Params) -> Verdict:
    """A forwarding server silently bridges network segments around the firewall."""
    if p["is_router"]:
        return Verdict.na(ROUTER())
    return judge_sysctl(ev, {k: ("0",) for k in _FORWARDING}, _FORWARDING_MSGS)


_REDIRECTS_MSGS = sysctl_messages("LNX-KRN-006", "ICMP redirects", "ICMP 重定向设置")


@check(
    id="LNX-KRN-006",
    title=Text(zh="不接受也不发送 ICMP 重定向", en="ICMP redirects are neither accepted nor sent"),
    remediation=Text(*_persist_hint(_REDIRECTS, "0")),
    severity=Severity.LOW,
    mlps=("L3-CES1-18",),
    domains=(InsurerDomain.HARDENING, InsurerDomain.SEGMENTATION),
    needs=_SYSCTL,
    basis="ICMP redirects are a network function a server does not need (8.1.4.4 b). Supporting evidence.",
)
def icmp_redirects(ev: EvidenceView, p: Params) -> Verdict:
    """Forged redirects reroute a host's traffic through an attacker (man in the middle)."""
    return judge_sysctl(ev, {k: ("0",) for k in _REDIRECTS}, _REDIRECTS_MSGS)


_SOURCE_ROUTE_MSGS = sysctl_messages("LNX-KRN-007", "source routing", "源路由设置")


@check(
    id="LNX-KRN-007",
    title=Text(zh="不接受源路由数据包", en="Source-routed packets are not accepted"),
    remediation=Text(*_persist_hint(_SOURCE_ROUTE, "0")),
    severity=Severity.MEDIUM,
    mlps=("L3-ABS1-01", "L3-CES1-18"),
    domains=(InsurerDomain.SEGMENTATION, InsurerDomain.HARDENING),
    needs=_SYSCTL,
    basis="Source routing lets a sender choose the path across the boundary (8.1.3.1 a); a server does not need it (8.1.4.4 b).",
)
def source_route(ev: EvidenceView, p: Params) -> Verdict:
    """Source routing lets a sender choose the path and slip past filtering."""
    return judge_sysctl(ev, {k: ("0",) for k in _SOURCE_ROUTE}, _SOURCE_ROUTE_MSGS)


_RP_FILTER_MSGS = sysctl_messages("LNX-KRN-008", "reverse-path filter", "反向路径过滤设置")


@check(
    id="LNX-KRN-008",
    title=Text(zh="启用反向路径过滤（rp_filter）", en="Reverse-path filtering (rp_filter) is enabled"),
    remediation=Text(*_persist_hint(_RP_FILTER, "1")),
    severity=Severity.LOW,
    mlps=("L3-CES1-18",),
    domains=(InsurerDomain.HARDENING, InsurerDomain.SEGMENTATION),
    needs=_SYSCTL,
    params={"strict_rp_filter": False},
    basis="Reverse-path filtering drops spoofed traffic; anti-spoofing hardening with no clause of its own (8.1.4.4 b). Supporting evidence.",
)
def rp_filter(ev: EvidenceView, p: Params) -> Verdict:
    """Drops spoofed source addresses.

    Loose mode (2) is accepted by default: it is systemd's default and the only
    workable mode on multi-homed hosts with asymmetric routes. Set
    ``strict_rp_filter`` to demand strict mode (1) as CIS does.
    """
    allowed = ("1",) if p["strict_rp_filter"] else ("1", "2")
    return judge_sysctl(ev, {k: allowed for k in _RP_FILTER}, _RP_FILTER_MSGS)


_NETWORK_MISC_MSGS = sysctl_messages("LNX-KRN-009", "network stack hardening", "网络协议栈加固设置")


@check(
    id="LNX-KRN-009",
    title=Text(
        zh="启用 SYN Cookie、记录异常源地址包并忽略广播与伪造的 ICMP",
        en="SYN cookies on, martian packets logged, broadcast and bogus ICMP ignored",
    ),
    remediation=Text(*_persist_hint(_NETWORK_MISC, "1")),
    severity=Severity.LOW,
    mlps=("L3-CES1-18",),
    domains=_HARD,
    needs=_SYSCTL,
    basis="SYN cookies, martian logging and ignored bogus ICMP harden the network stack (8.1.4.4 b). Supporting evidence.",
)
def network_misc(ev: EvidenceView, p: Params) -> Verdict:
    return judge_sysctl(ev, {k: ("1",) for k in _NETWORK_MISC}, _NETWORK_MISC_MSGS)


# Upstream kernel defaults, for keys whose default does not depend on the
# build configuration. A runtime value differing from these and set by no
# configuration file was changed by hand and disappears at reboot.
KERNEL_DEFAULTS: Dict[str, str] = {
    RANDOMIZE_VA_SPACE: "2",
    SUID_DUMPABLE: "0",
    KPTR_RESTRICT: "0",
    IP_FORWARD: "0",
    IPV6_FORWARDING: "0",
    ACCEPT_REDIRECTS_ALL: "1",
    ACCEPT_REDIRECTS_DEFAULT: "1",
    SECURE_REDIRECTS_ALL: "1",
    SECURE_REDIRECTS_DEFAULT: "1",
    SEND_REDIRECTS_ALL: "1",
    SEND_REDIRECTS_DEFAULT: "1",
    RP_FILTER_ALL: "0",
    RP_FILTER_DEFAULT: "0",
    LOG_MARTIANS_ALL: "0",
    LOG_MARTIANS_DEFAULT: "0",
    IPV6_ACCEPT_REDIRECTS: "1",
    TCP_SYNCOOKIES: "1",
    ICMP_ECHO_IGNORE_BROADCASTS: "1",
    ICMP_IGNORE_BOGUS_ERROR_RESPONSES: "1",
}


def sysctl_drift(keys: Mapping[str, SysctlKeyFacts]) -> Tuple[Dict[str, Dict[str, Optional[str]]], Dict[str, str]]:
    """(runtime differs from the configured value, runtime changed but never configured)."""
    drift: Dict[str, Dict[str, Optional[str]]] = {}
    unpersisted: Dict[str, str] = {}
    for key, v in keys.items():
        runtime, persisted = v["runtime"], v["persisted"]
        if runtime is None:
            continue
        if persisted is not None and persisted != runtime:
            drift[key] = {"runtime": runtime, "persisted": persisted, "file": v["persisted_in"]}
        elif persisted is None and key in KERNEL_DEFAULTS and runtime != KERNEL_DEFAULTS[key]:
            unpersisted[key] = runtime
    return drift, unpersisted


RUNTIME_OFFLINE_ROOT = message(
    "LNX-KRN-010/offline-root",
    en="offline-root: runtime kernel parameters exist only on a running system; the configured values are judged by LNX-KRN-001 to LNX-KRN-009",
    zh="离线镜像评估（offline-root）：运行时内核参数仅存在于运行中的系统；配置值由 LNX-KRN-001 至 LNX-KRN-009 判断",
)
NO_RUNTIME = message(
    "LNX-KRN-010/no-runtime",
    en="no runtime kernel parameter could be read, so runtime and configuration cannot be compared",
    zh="无法读取任何运行时内核参数，无法比较运行值与配置",
)
NO_RUNTIME_OFFLINE = message(
    "LNX-KRN-010/no-runtime-offline",
    en="no runtime kernel parameter could be read (no /proc/sys: an offline tree), so runtime and configuration cannot be compared",
    zh="无法读取任何运行时内核参数（没有 /proc/sys：离线目录树），无法比较运行值与配置",
)
DRIFT = message(
    "LNX-KRN-010/drift",
    en="runtime {runtime} but configured {configured}",
    zh="运行值为 {runtime}，但配置为 {configured}",
)
RUNTIME_ONLY = message(
    "LNX-KRN-010/runtime-only",
    en="{runtime_only} set at runtime only",
    zh="{runtime_only} 仅在运行时设置，重启后失效",
)
DRIFT_AND_RUNTIME_ONLY = message(
    "LNX-KRN-010/drift-and-runtime-only",
    en="runtime {runtime} but configured {configured}; {runtime_only} set at runtime only",
    zh="运行值为 {runtime}，但配置为 {configured}；{runtime_only} 仅在运行时设置，重启后失效",
)
CONSISTENT = message(
    "LNX-KRN-010/consistent",
    en="runtime values agree with the boot-time configuration",
    zh="运行时值与启动时配置一致",
)


@check(
    id="LNX-KRN-010",
    title=Text(zh="运行时内核参数与持久化配置一致", en="Runtime kernel parameters match the persisted configuration"),
    remediation=Text(
        zh="把需要的值写入 /etc/sysctl.d/*.conf（或删除与运行值冲突的旧设置），再执行 sysctl --system 使两者一致。",
        en="Write the intended values into /etc/sysctl.d/*.conf (or remove the stale conflicting lines) and run sysctl --system so runtime and configuration agree",
    ),
    severity=Severity.LOW,
    mlps=("L3-CES1-18",),
    domains=_HARD,
    needs=(SYSCTL, OS),
    basis="Runtime values that drift from the persisted configuration lose the hardening above on reboot; same units as the parameters.",
)
def sysctl_persistence(ev: EvidenceView, p: Params) -> Verdict:
    """A value set only at runtime, or overridden since boot, is not what the next boot gives."""
    na = _na_in_container(ev)
    if na:
        return na
    facts = ev.facts(SYSCTL)
    if offline_root(ev):
        return Verdict.na(RUNTIME_OFFLINE_ROOT(), configured=sorted(k for k, v in facts["keys"].items() if v["persisted"] is not None))
    read = [k for k, v in facts["keys"].items() if v["runtime"] is not None]
    if not facts.get("proc_sys", True) or not read:
        return Verdict.error(
            NO_RUNTIME_OFFLINE() if not facts.get("proc_sys", True) else NO_RUNTIME(),
            configured=sorted(k for k, v in facts["keys"].items() if v["persisted"] is not None),
        )
    drift, unpersisted = sysctl_drift(facts["keys"])
    runtime = [f"{k}={v['runtime']}" for k, v in drift.items()]
    configured = [f"{k}={v['persisted']}" for k, v in drift.items()]
    runtime_only = [f"{k}={v}" for k, v in unpersisted.items()]
    if drift and unpersisted:
        reason = DRIFT_AND_RUNTIME_ONLY(runtime=runtime, configured=configured, runtime_only=runtime_only)
    elif drift:
        reason = DRIFT(runtime=runtime, configured=configured)
    elif unpersisted:
        reason = RUNTIME_ONLY(runtime_only=runtime_only)
    else:
        return Verdict.ok(CONSISTENT(), compared=len(read))
    return Verdict.fail(reason, drift=drift, runtime_only=unpersisted)


# -- kernel modules ------------------------------------------------------------


MODULE_NOT_EXAMINED = message(
    "LNX-KRN/module-not-examined",
    en="module {module} was not examined by the collector",
    zh="采集器未检查模块 {module}",
)


@dataclass(frozen=True)
class ModuleMessages:
    """The reasons of one kernel-module check (``judge_modules``)."""

    not_disabled: Template  # not_disabled
    loaded: Template  # loaded
    not_disabled_and_loaded: Template  # not_disabled, loaded
    load_unknown: Template  # modules
    disabled: Template


def module_messages(check_id: str, en: str, zh: str) -> ModuleMessages:
    """Declare the messages of module check ``check_id``: ``en`` starts its English reasons, ``zh`` names the modules."""
    return ModuleMessages(
        not_disabled=message(
            f"{check_id}/not-disabled",
            en=f"{en}: not disabled in modprobe.d: {{not_disabled}}",
            zh=f"{zh}未在 modprobe.d 中禁用：{{not_disabled}}",
        ),
        loaded=message(f"{check_id}/loaded", en=f"{en}: currently loaded: {{loaded}}", zh=f"{zh}当前已加载：{{loaded}}"),
        not_disabled_and_loaded=message(
            f"{check_id}/not-disabled-and-loaded",
            en=f"{en}: not disabled in modprobe.d: {{not_disabled}}; currently loaded: {{loaded}}",
            zh=f"{zh}未在 modprobe.d 中禁用：{{not_disabled}}；当前已加载：{{loaded}}",
        ),
        load_unknown=message(
            f"{check_id}/load-state-unknown",
            en=f"{en}: disabled in modprobe.d, but whether {{modules}} is loaded now could not be read "
            "(/proc/modules unavailable); check with lsmod",
            zh=f"{zh}已在 modprobe.d 中禁用，但无法读取 {{modules}} 当前是否已加载（/proc/modules 不可用），请用 lsmod 核实",
        ),
        disabled=message(f"{check_id}/disabled", en=f"{en}: disabled and not loaded", zh=f"{zh}已禁用且未加载"),
    )


def judge_modules(ev: EvidenceView, names: Sequence[str], msgs: ModuleMessages) -> Verdict:
    na = _na_in_container(ev)
    if na:
        return na
    modules = ev.facts(KERNEL_MODULES)["modules"]
    enabled: List[str] = []
    loaded: List[str] = []
    unknown: List[str] = []
    how: Dict[str, str] = {}
    for raw in names:
        name = raw.replace("-", "_")
        m = modules.get(name)
        if m is None:
            return Verdict.error(MODULE_NOT_EXAMINED(module=name))
        if m["loaded"]:
            loaded.append(name)
        elif m["loaded"] is None:
            unknown.append(name)
        if m["install_disabled"]:
            how[name] = f"install {m.get('install_command') or '/bin/false'}"
        elif m["blacklisted"]:
            how[name] = "blacklist"
        else:
            enabled.append(name)
    if enabled or loaded:
        if enabled and loaded:
            reason = msgs.not_disabled_and_loaded(not_disabled=enabled, loaded=loaded)
        elif enabled:
            reason = msgs.not_disabled(not_disabled=enabled)
        else:
            reason = msgs.loaded(loaded=loaded)
        return Verdict.fail(reason, not_disabled=enabled, loaded=loaded, disabled_by=how)
    if unknown:
        return Verdict.manual(msgs.load_unknown(modules=unknown), disabled_by=how, loaded_unknown=unknown)
    return Verdict.ok(msgs.disabled(), disabled_by=how)


def _modprobe_fix(mods: str) -> Tuple[str, str]:
    return (
        f"为每个模块（{mods}）在 /etc/modprobe.d/hardening.conf 中写入 install <模块> /bin/false 与 blacklist <模块>，已加载的执行 modprobe -r <模块>。",
        f"For each module ({mods}) add 'install <module> /bin/false' and 'blacklist <module>' to /etc/modprobe.d/hardening.conf; unload loaded ones with modprobe -r <module>",
    )


_USB_STORAGE_MSGS = module_messages("LNX-KRN-011", "USB storage", "USB 存储驱动")


@check(
    id="LNX-KRN-011",
    title=Text(zh="禁用 USB 存储设备驱动（usb-storage）", en="The USB mass-storage driver (usb-storage) is disabled"),
    remediation=Text(*_modprobe_fix("usb-storage")),
    severity=Severity.MEDIUM,
    mlps=("L3-CES1-23",),
    domains=(InsurerDomain.ENDPOINT_PROTECTION, InsurerDomain.HARDENING),
    coverage=(CoverageLine.DATA_BREACH_LIABILITY,),
    needs=(KERNEL_MODULES, OS),
    basis="Disabling USB storage is the removable-media control the guide accepts as a malware mitigation on Linux (8.1.4.5 a, case 6.4.4.1).",
)
def usb_storage(ev: EvidenceView, p: Params) -> Verdict:
    """USB sticks carry malware in and data out; blocking them is a Linux anti-malware mitigation.

    ``blacklist`` alone is accepted (it stops automatic loading when a stick is
    plugged in); ``install usb-storage /bin/false`` is stronger and preferred.
    """
    return judge_modules(ev, [USB_STORAGE], _USB_STORAGE_MSGS)


_FS_MODULES_MSGS = module_messages("LNX-KRN-012", "unused filesystem modules", "不使用的文件系统模块")


@check(
    id="LNX-KRN-012",
    title=Text(zh="禁用不使用的文件系统内核模块", en="Unused filesystem kernel modules are disabled"),
    remediation=Text(*_modprobe_fix(", ".join(FS_MODULES))),
    severity=Severity.LOW,
    mlps=("L3-CES1-18",),
    domains=_HARD,
    needs=(KERNEL_MODULES, OS),
    params={"modules": list(FS_MODULES)},
    basis="Disabled filesystem modules turn off functions the host does not need (8.1.4.4 b); the software stays installed, so this is not 8.1.4.4 a.",
)
def fs_modules(ev: EvidenceView, p: Params) -> Verdict:
    """Rarely used filesystem drivers are attack surface reached by mounting a crafted image."""
    return judge_modules(ev, list(p["modules"]), _FS_MODULES_MSGS)


_NET_MODULES_MSGS = module_messages("LNX-KRN-013", "uncommon network protocols", "不常用的网络协议模块")


@check(
    id="LNX-KRN-013",
    title=Text(
        zh="禁用不常用的网络协议模块（DCCP、SCTP、RDS、TIPC）",
        en="Uncommon network protocol modules (DCCP, SCTP, RDS, TIPC) are disabled",
    ),
    remediation=Text(*_modprobe_fix(", ".join(NET_MODULES))),
    severity=Severity.MEDIUM,
    mlps=("L3-CES1-18",),
    domains=_HARD,
    needs=(KERNEL_MODULES, OS),
    params={"modules": list(NET_MODULES)},
    basis="Disabled rare protocol modules close network functions the host does not need (8.1.4.4 b).",
)
def net_modules(ev: EvidenceView, p: Params) -> Verdict:
    """Any user can autoload these by opening a socket; several had local root exploits."""
    return judge_modules(ev, list(p["modules"]), _NET_MODULES_MSGS)


# -- mandatory access control --------------------------------------------------


APPARMOR_PROFILES_UNREADABLE = message(
    "LNX-MAC-001/apparmor-profiles-unreadable",
    en="AppArmor is enabled but its loaded profiles could not be read ({detail}); "
    "run aa-status as root and confirm profiles are in enforce mode",
    zh="AppArmor 已启用，但无法读取已加载的配置文件（{detail}）；请以 root 执行 aa-status，确认配置文件处于 enforce 模式",
)
APPARMOR_ENFORCING = message(
    "LNX-MAC-001/apparmor-enforcing",
    en="AppArmor is enabled with {count} profile(s) in an enforcing mode ({modes})",
    zh="AppArmor 已启用，{count} 个配置文件处于强制模式（{modes}）",
)
APPARMOR_NO_ENFORCE = message(
    "LNX-MAC-001/apparmor-no-enforce",
    en="AppArmor is enabled but no profile is in enforce mode",
    zh="AppArmor 已启用，但没有处于 enforce 模式的配置文件",
)
SELINUX_ENFORCING = message("LNX-MAC-001/selinux-enforcing", en="SELinux is enforcing", zh="SELinux 处于强制模式（enforcing）")
SELINUX_NOT_ENFORCING = message(
    "LNX-MAC-001/selinux-not-enforcing",
    en="SELinux is {mode}, not enforcing",
    zh="SELinux 处于 {mode} 模式，而非强制模式（enforcing）",
)
NO_MAC = message(
    "LNX-MAC-001/none",
    en="neither SELinux (enforcing) nor AppArmor is active",
    zh="SELinux（强制模式）与 AppArmor 均未生效",
)


def _apparmor_verdict(aa: AppArmorFacts) -> Verdict:
    """The AppArmor LSM is on by default on Debian 10+; only enforced profiles confine anything."""
    profiles = aa.get("profiles")
    if not aa.get("profiles_readable") or not isinstance(profiles, dict):
        return Verdict.manual(APPARMOR_PROFILES_UNREADABLE(detail=aa.get("profiles_error")), apparmor=True)
    enforce = sum(int(profiles.get(mode, 0)) for mode in AA_ENFORCING_MODES)
    if enforce:
        return Verdict.ok(APPARMOR_ENFORCING(count=enforce, modes="/".join(AA_ENFORCING_MODES)), apparmor=True, profiles=profiles)
    return Verdict.fail(APPARMOR_NO_ENFORCE(), apparmor=True, profiles=profiles)


@check(
    id="LNX-MAC-001",
    title=Text(
        zh="强制访问控制已生效（SELinux 强制模式，或 AppArmor 有处于 enforce 模式的配置文件）",
        en="Mandatory access control is active (SELinux enforcing, or AppArmor with profiles in enforce mode)",
    ),
    remediation=Text(
        zh="RHEL/openEuler：在 /etc/selinux/config 中设置 SELINUX=enforcing，执行 setenforce 1；Debian/Ubuntu：apt install apparmor apparmor-utils，确保内核参数未含 apparmor=0，systemctl enable --now apparmor，并用 aa-enforce /etc/apparmor.d/<配置文件> 将配置文件切换到 enforce 模式（aa-status 确认）。",
        en="RHEL/openEuler: set SELINUX=enforcing in /etc/selinux/config and run setenforce 1; Debian/Ubuntu: apt install apparmor apparmor-utils, make sure the kernel command line has no apparmor=0, systemctl enable --now apparmor, and put profiles in enforce mode with aa-enforce /etc/apparmor.d/<profile> (confirm with aa-status)",
    ),
    severity=Severity.MEDIUM,
    mlps=("L3-CES1-11",),
    domains=(InsurerDomain.HARDENING, InsurerDomain.PRIVILEGED_ACCESS),
    needs=(MAC,),
    basis="SELinux enforcing labels subjects and objects (8.1.4.2 g); AppArmor is path-based, so it is partial evidence.",
)
def mac_enforcing(ev: EvidenceView, p: Params) -> Verdict:
    facts = ev.facts(MAC)
    se, aa = facts["selinux"], facts["apparmor"]
    if se["status"] == "enabled" and se["mode"] == "enforcing":
        return Verdict.ok(SELINUX_ENFORCING(), selinux=se["mode"], policy=se["policy"], config_mode=se["config_mode"])
    if aa["enabled"]:
        return _apparmor_verdict(aa)
    if se["status"] == "enabled":
        return Verdict.fail(SELINUX_NOT_ENFORCING(mode=se["mode"]), selinux=se["mode"], apparmor=aa["enabled"])
    return Verdict.fail(
        NO_MAC(),
        selinux=se["status"] or se["config_mode"],
        apparmor=aa["enabled"],
    )


# -- boot ----------------------------------------------------------------------


GRUB_UNREADABLE = message("LNX-BOOT-001/grub-unreadable", en="{detail}", zh="无法读取 GRUB 配置：{detail}")
NO_GRUB = message(
    "LNX-BOOT-001/no-grub",
    en="no GRUB configuration found; check the boot loader (systemd-boot, extlinux, UKI) by hand",
    zh="未找到 GRUB 配置；请人工核查所用引导加载程序（systemd-boot、extlinux、UKI）",
)
GRUB_PLAINTEXT = message("LNX-BOOT-001/plaintext", en="GRUB password is stored in plain text", zh="GRUB 口令以明文保存")
GRUB_PBKDF2 = message(
    "LNX-BOOT-001/pbkdf2", en="GRUB superuser with a PBKDF2 password is configured", zh="已配置 GRUB 超级用户及 PBKDF2 口令散列"
)
GRUB_NO_PASSWORD = message("LNX-BOOT-001/no-password", en="no GRUB password is configured", zh="未配置 GRUB 口令")


@check(
    id="LNX-BOOT-001",
    title=Text(zh="GRUB 引导加载程序设置了口令", en="The GRUB boot loader is password protected"),
    remediation=Text(
        zh='Debian：grub-mkpasswd-pbkdf2 生成口令散列，在 /etc/grub.d/40_custom 中加入 set superusers="admin" 与 password_pbkdf2 admin <散列>，执行 update-grub；RHEL/openEuler：执行 grub2-setpassword。',
        en="Debian: create a hash with grub-mkpasswd-pbkdf2, add 'set superusers=\"admin\"' and 'password_pbkdf2 admin <hash>' to /etc/grub.d/40_custom, run update-grub; RHEL/openEuler: run grub2-setpassword",
    ),
    severity=Severity.LOW,
    mlps=("L3-CES1-01", "L3-CES1-09"),
    domains=(InsurerDomain.INTEGRITY_BOOT,),
    coverage=(CoverageLine.BUSINESS_INTERRUPTION,),
    needs=(BOOT, OS),
    basis="A boot-loader password stops a console user from bypassing authentication by editing the boot line (8.1.4.1 a, 8.1.4.2 e).",
)
def grub_password(ev: EvidenceView, p: Params) -> Verdict:
    """Without it anyone at the console can boot into single-user mode as root."""
    na = _na_in_container(ev)
    if na:
        return na
    boot = ev.facts(BOOT)
    if boot.get("grub_error"):
        return Verdict.error(GRUB_UNREADABLE(detail=str(boot["grub_error"])))
    if not boot["grub_cfg"]:
        return Verdict.manual(NO_GRUB())
    if boot.get("password_set"):
        if boot.get("plaintext_password"):
            return Verdict.fail(GRUB_PLAINTEXT(), grub_cfg=boot["grub_cfg"], hashed=False)
        return Verdict.ok(GRUB_PBKDF2(), grub_cfg=boot["grub_cfg"], hashed=True)
    return Verdict.fail(GRUB_NO_PASSWORD(), grub_cfg=boot["grub_cfg"])


SECURE_BOOT_OFFLINE_ROOT = message(
    "LNX-BOOT-002/offline-root",
    en="offline-root: the Secure Boot state belongs to the firmware of a running machine; a root file system has none",
    zh="离线镜像评估（offline-root）：Secure Boot 状态属于运行中机器的固件，根文件系统中没有",
)
SECURE_BOOT_UNKNOWN = message(
    "LNX-BOOT-002/state-unknown",
    en="Secure Boot state unknown ({detail}); check the firmware settings",
    zh="无法确定 Secure Boot 状态（{detail}）；请检查固件设置",
)
SECURE_BOOT_ON = message("LNX-BOOT-002/enabled", en="Secure Boot is enabled", zh="已启用 Secure Boot")
SECURE_BOOT_OFF = message("LNX-BOOT-002/disabled", en="{detail}", zh="Secure Boot 未生效：{detail}")


@check(
    id="LNX-BOOT-002",
    title=Text(zh="已启用 UEFI 安全启动（Secure Boot）", en="UEFI Secure Boot is enabled"),
    remediation=Text(
        zh="在固件（BIOS/UEFI）设置中以 UEFI 模式启动并开启 Secure Boot；使用发行版签名的 shim/GRUB 与内核，执行 mokutil --sb-state 确认。",
        en="Boot in UEFI mode and turn Secure Boot on in the firmware settings, using the distribution's signed shim/GRUB and kernel; confirm with mokutil --sb-state",
    ),
    severity=Severity.LOW,
    mlps=("L3-CES1-24",),
    domains=(InsurerDomain.INTEGRITY_BOOT,),
    needs=(BOOT, OS),
    basis="Secure Boot is the static boot-chain part of trusted verification (8.1.4.6 a); the dynamic part needs a trusted-computing product.",
)
def secure_boot(ev: EvidenceView, p: Params) -> Verdict:
    """Secure Boot is the root of trust that keeps boot-kits out of the boot chain."""
    na = _na_in_container(ev)
    if na:
        return na
    boot = ev.facts(BOOT)
    state = boot["secure_boot"]
    if state is None and offline_root(ev):
        return Verdict.na(SECURE_BOOT_OFFLINE_ROOT())
    if state is None:
        return Verdict.manual(SECURE_BOOT_UNKNOWN(detail=boot["secure_boot_detail"]), efi=boot.get("efi"))
    if state:
        return Verdict.ok(SECURE_BOOT_ON())
    return Verdict.fail(SECURE_BOOT_OFF(detail=str(boot["secure_boot_detail"])), detail=boot["secure_boot_detail"])
