"""Industrial protocol exposure, judged per target from ``ics.identify`` (PROTOCOLS.md §2.6).

A protocol whose probe ended in ``error`` or ``no_answer`` was not assessed:
unless another protocol already proves the finding, the verdict is ERROR,
never PASS. ``closed`` and ``not_this_protocol`` mean the protocol is not
offered on that port, which clears a default port; a port the user declared
for the protocol (``--probe-port modbus=1502``) that is closed or speaks
something else means the declaration is wrong, so it is ERROR too: the
device the user meant was not assessed.
"""

from __future__ import annotations

from typing import Dict, List, Literal, Mapping, Optional, Tuple

from checks.model import CheckLevel, CoverageLine, InsurerDomain, Severity, Text, Verdict
from checks.registry import EvidenceView, Params, check
from collectors.net.ics_facts import ICS_IDENTIFY, IcsProtocolsFacts, IcsResultFacts, IcsState
from collectors.profile import Profile

NEEDS = (ICS_IDENTIFY,)
PROFILES = (Profile.ICS_GATEWAY,)
Fieldbus = Literal["modbus", "s7", "enip", "bacnet"]
FIELDBUS: Tuple[Fieldbus, ...] = ("modbus", "s7", "enip", "bacnet")  # no authentication in the protocol itself
_UNASSESSED: Tuple[IcsState, ...] = ("error", "no_answer")
_ABSENT: Tuple[IcsState, ...] = ("closed", "not_this_protocol")
# Identity fields that tell an attacker which advisories apply, per protocol, in one order:
# vendor, vendor_id, product_code, product_name, model_name, model, module, module_type, revision,
# firmware, serial, serial_number, system_name, plant_id.
_MODBUS_DISCLOSING: Tuple[Literal["vendor", "product_code", "product_name", "model_name", "revision"], ...] = (
    "vendor",
    "product_code",
    "product_name",
    "model_name",
    "revision",
)
_S7_DISCLOSING: Tuple[Literal["module", "module_type", "firmware", "serial_number", "system_name", "plant_id"], ...] = (
    "module",
    "module_type",
    "firmware",
    "serial_number",
    "system_name",
    "plant_id",
)
_ENIP_DISCLOSING: Tuple[Literal["vendor_id", "product_code", "product_name", "revision", "serial"], ...] = (
    "vendor_id",
    "product_code",
    "product_name",
    "revision",
    "serial",
)
_BACNET_DISCLOSING: Tuple[Literal["vendor", "model", "firmware"], ...] = ("vendor", "model", "firmware")


def _protocols(ev: EvidenceView) -> IcsProtocolsFacts:
    return ev.facts(ICS_IDENTIFY)["protocols"]


def _fieldbus(protocols: IcsProtocolsFacts) -> Dict[str, IcsResultFacts]:
    """The fieldbus protocols that were probed, in FIELDBUS order."""
    return {name: protocols[name] for name in FIELDBUS if name in protocols}


def _declared_absent(r: IcsResultFacts) -> bool:
    return bool(r.get("declared")) and r["state"] in _ABSENT


def _why_not(name: str, r: IcsResultFacts) -> str:
    if _declared_absent(r):
        what = "is closed" if r["state"] == "closed" else "does not speak the protocol"
        return f"declared {name} port {r['port']} {what} ({r.get('reason')})"
    return f"{name} port {r['port']}: {r['state']} ({r.get('reason')})"


def _unassessed(results: Mapping[str, IcsResultFacts]) -> List[str]:
    """Why each protocol that was not assessed was not: a failed probe, or a declared port without the protocol."""
    return [_why_not(p, r) for p, r in results.items() if r["state"] in _UNASSESSED or _declared_absent(r)]


@check(
    id="NET-ICS-001",
    title=Text(
        zh="工业协议（Modbus/S7/EtherNet/IP/BACnet）无需认证即可访问并识别设备",
        en="Industrial protocol (Modbus/S7/EtherNet/IP/BACnet) reachable and answering identity requests without authentication",
    ),
    remediation=Text(
        zh=(
            "工业协议端口只允许工程站/SCADA 地址访问：在工控边界防火墙或网关上对 502/102/44818/47808 设置白名单"
            "（如 iptables -A INPUT -p tcp --dport 502 -s <SCADA 地址> -j ACCEPT; iptables -A INPUT -p tcp --dport 502 -j DROP），"
            "企业网与工控网之间采用单向隔离。"
        ),
        en=(
            "Allow industrial ports only from the engineering station/SCADA: allow-list 502/102/44818/47808 on the ICS boundary "
            "firewall or gateway (e.g. iptables -A INPUT -p tcp --dport 502 -s <SCADA address> -j ACCEPT; "
            "iptables -A INPUT -p tcp --dport 502 -j DROP) and isolate the ICS zone from the enterprise network one-way."
        ),
    ),
    severity=Severity.HIGH,
    mlps=("L3-CNS5-01", "L3-CES5-01"),
    domains=(InsurerDomain.EXPOSURE, InsurerDomain.SEGMENTATION),
    coverage=(CoverageLine.BUSINESS_INTERRUPTION,),
    needs=NEEDS,
    profiles=PROFILES,
    level=CheckLevel.ENDPOINT,
    basis="An industrial protocol answering without authentication shows the control device lacks authentication (8.5.4.1 a); reachable from outside the ICS it also shows no isolation (8.5.2.1 a). The scan's vantage point decides whether case 10.2.1.1 applies.",
)
def fieldbus_exposed(ev: EvidenceView, p: Params) -> Verdict:
    results = _fieldbus(_protocols(ev))
    if not results:
        return Verdict.manual("no fieldbus protocol (Modbus, S7, EtherNet/IP, BACnet) was probed")
    answered = {name: r["port"] for name, r in results.items() if r["state"] == "identified"}
    if answered:
        listed = ", ".join(f"{name} {port}" for name, port in answered.items())
        return Verdict.fail(f"answered identity requests without authentication: {listed}", answered=answered)
    bad = _unassessed(results)
    if bad:
        return Verdict.error(f"could not assess: {'; '.join(bad)}", unassessed=bad)
    return Verdict.ok("no fieldbus protocol answered", states={n: r["state"] for n, r in results.items()})


@check(
    id="NET-ICS-002",
    title=Text(
        zh="OPC UA 提供无安全模式（SecurityMode None）端点或接受匿名登录",
        en="OPC UA offers an endpoint with SecurityMode None or accepts anonymous users",
    ),
    remediation=Text(
        zh=(
            "在 OPC UA 服务器配置中删除 None 安全策略，只保留 SignAndEncrypt（Basic256Sha256 或更新），并禁用 Anonymous 用户令牌，"
            "改用用户名/证书认证。"
        ),
        en=(
            "In the OPC UA server configuration remove the None security policy, keep only SignAndEncrypt "
            "(Basic256Sha256 or newer), and disable the Anonymous user token in favour of user name or certificate tokens."
        ),
    ),
    severity=Severity.HIGH,
    mlps=("L3-CNS5-04", "L3-CES5-01", "L3-CES1-27"),
    domains=(InsurerDomain.ENCRYPTION_TRANSIT, InsurerDomain.EXPOSURE),
    coverage=(CoverageLine.BUSINESS_INTERRUPTION, CoverageLine.DATA_BREACH_LIABILITY),
    needs=NEEDS,
    profiles=PROFILES,
    level=CheckLevel.ENDPOINT,
    basis="OPC UA with SecurityMode None or anonymous users carries control data without authentication or encryption (8.5.2.2 a, 8.5.4.1 a).",
)
def opcua_insecure(ev: EvidenceView, p: Params) -> Verdict:
    protocols = _protocols(ev)
    if "opcua" not in protocols:
        return Verdict.manual("OPC UA was not probed")
    r = protocols["opcua"]
    state = r["state"]
    if state in _UNASSESSED:
        return Verdict.error(f"could not assess OPC UA on port {r['port']}: {state} ({r.get('reason')})")
    if _declared_absent(r):
        return Verdict.error(f"could not assess OPC UA: {_why_not('opcua', r)}")
    if state in _ABSENT:
        return Verdict.na(f"no OPC UA server on port {r['port']} ({state})")
    identity = r.get("identity")
    if identity is None or "endpoints" not in identity:
        why = identity.get("get_endpoints", "unknown") if identity is not None else "unknown"
        return Verdict.manual(f"OPC UA answered but endpoints were not listed: {why}")
    endpoints = identity["endpoints"]
    if not endpoints:
        return Verdict.manual("OPC UA GetEndpoints returned no endpoint")
    none_eps = [e["url"] for e in endpoints if e["security_mode"] == "None"]
    anon_eps = [e["url"] for e in endpoints if "Anonymous" in e["user_token_types"]]
    observed = {"security_modes": identity.get("security_modes"), "security_policies": identity.get("security_policies")}
    if none_eps or anon_eps:
        parts = (["SecurityMode None"] if none_eps else []) + (["anonymous user tokens"] if anon_eps else [])
        return Verdict.fail(f"offers {' and '.join(parts)}", none_endpoints=none_eps, anonymous_endpoints=anon_eps, **observed)
    return Verdict.ok("every endpoint signs or encrypts and requires an identified user", **observed)


def _present(fields: Mapping[str, object]) -> Dict[str, object]:
    return {k: v for k, v in fields.items() if v not in (None, "")}


def _disclosed(protocols: IcsProtocolsFacts) -> Dict[str, Dict[str, object]]:
    """Disclosing identity fields of each fieldbus protocol that was identified (FIELDBUS order); empty ones left out."""
    found: Dict[str, Dict[str, object]] = {}
    if "modbus" in protocols and protocols["modbus"]["state"] == "identified":
        m = protocols["modbus"].get("identity")
        found["modbus"] = _present({k: m[k] for k in _MODBUS_DISCLOSING if k in m}) if m is not None else {}
    if "s7" in protocols and protocols["s7"]["state"] == "identified":
        s = protocols["s7"].get("identity")
        found["s7"] = _present({k: s[k] for k in _S7_DISCLOSING if k in s}) if s is not None else {}
    if "enip" in protocols and protocols["enip"]["state"] == "identified":
        e = protocols["enip"].get("identity")
        found["enip"] = _present({k: e[k] for k in _ENIP_DISCLOSING if k in e}) if e is not None else {}
    if "bacnet" in protocols and protocols["bacnet"]["state"] == "identified":
        b = protocols["bacnet"].get("identity")
        found["bacnet"] = _present({k: b[k] for k in _BACNET_DISCLOSING if k in b}) if b is not None else {}
    return {name: fields for name, fields in found.items() if fields}


@check(
    id="NET-ICS-003",
    title=Text(zh="工控设备对外披露厂商、型号或固件版本", en="Industrial device discloses vendor, model or firmware version"),
    remediation=Text(
        zh=(
            "在设备或网关上关闭设备标识服务（如 Modbus 功能码 43/14、S7 SZL 读、EtherNet/IP List Identity）的外部访问，"
            "仅允许工程站访问；对照 CISA ICS 公告核对披露的固件版本并升级。"
        ),
        en=(
            "Block identity services (Modbus FC 43/14, S7 SZL reads, EtherNet/IP List Identity) from everything but the "
            "engineering station on the device or gateway, and check the disclosed firmware against CISA ICS advisories."
        ),
    ),
    severity=Severity.LOW,
    mlps=("L3-CES5-02",),
    domains=(InsurerDomain.EXPOSURE, InsurerDomain.PATCHING),
    coverage=(CoverageLine.BUSINESS_INTERRUPTION,),
    needs=NEEDS,
    profiles=PROFILES,
    level=CheckLevel.ENDPOINT,
    basis="Disclosed model and firmware help attackers find unpatched devices; related to firmware updates (8.5.4.1 b). Supporting evidence.",
)
def identity_disclosed(ev: EvidenceView, p: Params) -> Verdict:
    # OPC UA is left out: GetEndpoints (and the product URI it carries) is mandatory discovery, NET-ICS-002 judges it.
    protocols = _protocols(ev)
    results = _fieldbus(protocols)
    if not results:
        return Verdict.manual("no fieldbus protocol (Modbus, S7, EtherNet/IP, BACnet) was probed")
    disclosed = _disclosed(protocols)
    if disclosed:
        return Verdict.fail(f"identity disclosed by {', '.join(sorted(disclosed))}", identities=disclosed)
    bad = _unassessed(results)
    if bad:
        return Verdict.error(f"could not assess: {'; '.join(bad)}", unassessed=bad)
    answered: Optional[List[str]] = [n for n, r in results.items() if r["state"] == "identified"]
    return Verdict.ok("no device identity disclosed", answered_without_identity=answered)
