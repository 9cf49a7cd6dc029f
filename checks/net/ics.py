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

from checks.messages import message
from checks.model import CheckLevel, CoverageLine, InsurerDomain, Reason, Severity, Text, Verdict
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


# {protocol} is the probe's name (modbus, s7, enip, bacnet), {state} its state, {detail} the collector's reason;
# {unassessed} lists the probes that failed, "<protocol> port <port>: <state> (<reason>)", joined by "; ".
UNASSESSED = message("NET-ICS/unassessed", en="could not assess: {unassessed}", zh="无法评估：{unassessed}")
DECLARED_CLOSED = message(
    "NET-ICS/declared-closed",
    en="could not assess: declared {protocol} port {port} is closed ({detail})",
    zh="无法评估：声明的 {protocol} 端口 {port} 未开放（{detail}）",
)
DECLARED_OTHER = message(
    "NET-ICS/declared-other-protocol",
    en="could not assess: declared {protocol} port {port} does not speak the protocol ({detail})",
    zh="无法评估：声明的 {protocol} 端口 {port} 上运行的不是该协议（{detail}）",
)
UNASSESSED_DECLARED_CLOSED = message(
    "NET-ICS/unassessed-declared-closed",
    en="could not assess: {unassessed}; declared {protocol} port {port} is closed ({detail})",
    zh="无法评估：{unassessed}；声明的 {protocol} 端口 {port} 未开放（{detail}）",
)
UNASSESSED_DECLARED_OTHER = message(
    "NET-ICS/unassessed-declared-other-protocol",
    en="could not assess: {unassessed}; declared {protocol} port {port} does not speak the protocol ({detail})",
    zh="无法评估：{unassessed}；声明的 {protocol} 端口 {port} 上运行的不是该协议（{detail}）",
)
UNASSESSED_DECLARED = message(
    "NET-ICS/unassessed-declared-ports",
    en="could not assess: {unassessed}; declared ports that are closed or do not speak the protocol: {declared}",
    zh="无法评估：{unassessed}；其中声明的端口未开放或运行的不是该协议：{declared}",
)
NO_FIELDBUS_PROBED = message(
    "NET-ICS/no-fieldbus-probed",
    en="no fieldbus protocol (Modbus, S7, EtherNet/IP, BACnet) was probed",
    zh="未探测任何现场总线协议（Modbus、S7、EtherNet/IP、BACnet）",
)


def _unassessed_reason(results: Mapping[str, IcsResultFacts]) -> Reason:
    """The reason for _unassessed(results): the probes that failed, then the declared port without its protocol."""
    failed = "; ".join(_why_not(p, r) for p, r in results.items() if r["state"] in _UNASSESSED)
    declared = [(p, r) for p, r in results.items() if _declared_absent(r)]
    if not declared:
        return UNASSESSED(unassessed=failed)
    if len(declared) == 1:
        name, r = declared[0]
        closed = r["state"] == "closed"
        if failed:
            template = UNASSESSED_DECLARED_CLOSED if closed else UNASSESSED_DECLARED_OTHER
            return template(unassessed=failed, protocol=name, port=r["port"], detail=r.get("reason"))
        template = DECLARED_CLOSED if closed else DECLARED_OTHER
        return template(protocol=name, port=r["port"], detail=r.get("reason"))
    listed = [(p, r) for p, r in results.items() if r["state"] in _UNASSESSED or _declared_absent(r)]
    return UNASSESSED_DECLARED(
        unassessed="; ".join(f"{p} port {r['port']}: {r['state']} ({r.get('reason')})" for p, r in listed),
        declared=[f"{p} port {r['port']}" for p, r in declared],
    )


FIELDBUS_ANSWERED = message(
    "NET-ICS-001/answered",
    en="answered identity requests without authentication: {answered}",
    zh="以下协议未经认证即响应了设备识别请求：{answered}",
)
FIELDBUS_SILENT = message("NET-ICS-001/none-answered", en="no fieldbus protocol answered", zh="没有现场总线协议应答")


@check(
    id="NET-ICS-001",
    title=Text(
        zh="工业协议（Modbus/S7/EtherNet/IP/BACnet）不响应未经认证的设备识别请求",
        en="No industrial protocol (Modbus/S7/EtherNet/IP/BACnet) answers identity requests without authentication",
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
        return Verdict.manual(NO_FIELDBUS_PROBED())
    answered = {name: r["port"] for name, r in results.items() if r["state"] == "identified"}
    if answered:
        listed = [f"{name} {port}" for name, port in answered.items()]
        return Verdict.fail(FIELDBUS_ANSWERED(answered=listed), answered=answered)
    bad = _unassessed(results)
    if bad:
        return Verdict.error(_unassessed_reason(results), unassessed=bad)
    return Verdict.ok(FIELDBUS_SILENT(), states={n: r["state"] for n, r in results.items()})


OPCUA_NOT_PROBED = message("NET-ICS-002/not-probed", en="OPC UA was not probed", zh="未探测 OPC UA")
OPCUA_UNASSESSED = message(
    "NET-ICS-002/unassessed",
    en="could not assess OPC UA on port {port}: {state} ({detail})",
    zh="无法评估端口 {port} 上的 OPC UA：{state}（{detail}）",
)
OPCUA_DECLARED_CLOSED = message(
    "NET-ICS-002/declared-closed",
    en="could not assess OPC UA: declared {protocol} port {port} is closed ({detail})",
    zh="无法评估 OPC UA：声明的 {protocol} 端口 {port} 未开放（{detail}）",
)
OPCUA_DECLARED_OTHER = message(
    "NET-ICS-002/declared-other-protocol",
    en="could not assess OPC UA: declared {protocol} port {port} does not speak the protocol ({detail})",
    zh="无法评估 OPC UA：声明的 {protocol} 端口 {port} 上运行的不是该协议（{detail}）",
)
OPCUA_ABSENT = message(
    "NET-ICS-002/absent", en="no OPC UA server on port {port} ({state})", zh="端口 {port} 上没有 OPC UA 服务（{state}）"
)
OPCUA_ENDPOINTS_UNLISTED = message(
    "NET-ICS-002/endpoints-unlisted",
    en="OPC UA answered but endpoints were not listed: {detail}",
    zh="OPC UA 有应答，但未能列出端点：{detail}",
)
OPCUA_ENDPOINTS_UNKNOWN = message(
    "NET-ICS-002/endpoints-unknown",
    en="OPC UA answered but endpoints were not listed: unknown",
    zh="OPC UA 有应答，但未能列出端点，原因不明",
)
OPCUA_NO_ENDPOINT = message(
    "NET-ICS-002/no-endpoint", en="OPC UA GetEndpoints returned no endpoint", zh="OPC UA GetEndpoints 未返回任何端点"
)
OPCUA_NONE_MODE = message("NET-ICS-002/security-none", en="offers SecurityMode None", zh="提供 SecurityMode None 端点")
OPCUA_ANONYMOUS = message("NET-ICS-002/anonymous", en="offers anonymous user tokens", zh="接受匿名用户令牌（Anonymous）")
OPCUA_NONE_AND_ANONYMOUS = message(
    "NET-ICS-002/security-none-and-anonymous",
    en="offers SecurityMode None and anonymous user tokens",
    zh="提供 SecurityMode None 端点，并接受匿名用户令牌（Anonymous）",
)
OPCUA_SECURE = message(
    "NET-ICS-002/secure",
    en="every endpoint signs or encrypts and requires an identified user",
    zh="所有端点均签名或加密，并要求可识别身份的用户",
)


@check(
    id="NET-ICS-002",
    title=Text(
        zh="OPC UA 不提供无安全模式（SecurityMode None）端点且不接受匿名登录",
        en="OPC UA offers no endpoint with SecurityMode None and refuses anonymous users",
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
        return Verdict.manual(OPCUA_NOT_PROBED())
    r = protocols["opcua"]
    state = r["state"]
    if state in _UNASSESSED:
        return Verdict.error(OPCUA_UNASSESSED(port=r["port"], state=state, detail=r.get("reason")))
    if _declared_absent(r):
        template = OPCUA_DECLARED_CLOSED if state == "closed" else OPCUA_DECLARED_OTHER
        return Verdict.error(template(protocol="opcua", port=r["port"], detail=r.get("reason")))
    if state in _ABSENT:
        return Verdict.na(OPCUA_ABSENT(port=r["port"], state=state))
    identity = r.get("identity")
    if identity is None or "endpoints" not in identity:
        why = identity.get("get_endpoints") if identity is not None else None
        return Verdict.manual(OPCUA_ENDPOINTS_UNKNOWN() if why is None else OPCUA_ENDPOINTS_UNLISTED(detail=why))
    endpoints = identity["endpoints"]
    if not endpoints:
        return Verdict.manual(OPCUA_NO_ENDPOINT())
    none_eps = [e["url"] for e in endpoints if e["security_mode"] == "None"]
    anon_eps = [e["url"] for e in endpoints if "Anonymous" in e["user_token_types"]]
    observed = {"security_modes": identity.get("security_modes"), "security_policies": identity.get("security_policies")}
    if none_eps or anon_eps:
        offers = OPCUA_NONE_AND_ANONYMOUS() if none_eps and anon_eps else OPCUA_NONE_MODE() if none_eps else OPCUA_ANONYMOUS()
        return Verdict.fail(offers, none_endpoints=none_eps, anonymous_endpoints=anon_eps, **observed)
    return Verdict.ok(OPCUA_SECURE(), **observed)


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


IDENTITY_DISCLOSED = message(
    "NET-ICS-003/disclosed", en="identity disclosed by {protocols}", zh="以下协议披露了设备标识：{protocols}"
)
IDENTITY_HIDDEN = message("NET-ICS-003/not-disclosed", en="no device identity disclosed", zh="未披露设备标识")


@check(
    id="NET-ICS-003",
    title=Text(
        zh="工控设备不对外披露厂商、型号或固件版本", en="Industrial device does not disclose vendor, model or firmware version"
    ),
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
        return Verdict.manual(NO_FIELDBUS_PROBED())
    disclosed = _disclosed(protocols)
    if disclosed:
        return Verdict.fail(IDENTITY_DISCLOSED(protocols=sorted(disclosed)), identities=disclosed)
    bad = _unassessed(results)
    if bad:
        return Verdict.error(_unassessed_reason(results), unassessed=bad)
    answered: Optional[List[str]] = [n for n, r in results.items() if r["state"] == "identified"]
    return Verdict.ok(IDENTITY_HIDDEN(), answered_without_identity=answered)
