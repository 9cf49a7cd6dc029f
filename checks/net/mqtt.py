"""MQTT broker posture of a telematics backend (PROTOCOLS.md §3.1), judged from ``mqtt.broker``.

A port that could not be judged (state "error") never lets a check PASS:
the verdict is ERROR unless a failure was already found elsewhere.
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Tuple

from checks.messages import message
from checks.model import CheckLevel, CoverageLine, InsurerDomain, Severity, Text, Verdict
from checks.registry import EvidenceView, Params, check
from collectors.net.mqtt_facts import MQTT_BROKER, MqttPortFacts, MqttPortState
from collectors.profile import Profile

NEEDS = (MQTT_BROKER,)
PROFILES = (Profile.TELEMATICS,)
MAX_TOPICS_SHOWN = 20


def _ports(ev: EvidenceView) -> Dict[str, MqttPortFacts]:
    return ev.facts(MQTT_BROKER)["ports"]


def _errors(ports: Mapping[str, MqttPortFacts]) -> List[str]:
    """``name port: reason`` of each port that could not be judged (the reason is the collector's, shown as data)."""
    return [f"{n} {p['port']}: {p.get('reason')}" for n, p in ports.items() if p["state"] == "error"]


PORTS_UNJUDGED = message(
    "NET-MQTT/ports-unjudged", en="some MQTT ports could not be judged: {errors}", zh="部分 MQTT 端口无法判断：{errors}"
)


def _port_list(ports: Mapping[str, MqttPortFacts], states: Tuple[MqttPortState, ...]) -> List[Dict[str, Any]]:
    return [
        {"name": n, "port": p["port"], "transport": p["transport"], "return_code": p.get("return_code")}
        for n, p in ports.items()
        if p["state"] in states
    ]


def _tls_offered(port: MqttPortFacts) -> bool:
    tls = port.get("tls")
    return tls is not None and tls["offered"]


ANONYMOUS_ACCEPTED = message(
    "NET-MQTT-001/anonymous-accepted",
    en="the broker returned CONNACK 0 to a CONNECT without user name or password",
    zh="代理对不带用户名和口令的 CONNECT 返回了 CONNACK 0，接受匿名连接",
)
CONNACK_UNINFORMATIVE = message(
    "NET-MQTT-001/connack-uninformative",
    en="the broker answered with a CONNACK code that says nothing about authentication",
    zh="代理返回的 CONNACK 代码无法说明是否要求认证",
)
ANONYMOUS_REFUSED = message(
    "NET-MQTT-001/anonymous-refused",
    en="every MQTT port refused the anonymous CONNECT (code 4 or 5)",
    zh="所有 MQTT 端口均拒绝了匿名 CONNECT（返回码 4 或 5）",
)


@check(
    id="NET-MQTT-001",
    title=Text(zh="MQTT 代理拒绝匿名连接", en="MQTT broker refuses anonymous connections"),
    remediation=Text(
        zh=(
            "关闭匿名接入并为每台车辆/设备配置独立凭据或客户端证书。mosquitto：每个 listener 下设置 allow_anonymous false，"
            "并配置 password_file 或 require_certificate true；EMQX：关闭 allow_anonymous 并启用认证器。"
        ),
        en=(
            "Disable anonymous access and give every vehicle/device its own credentials or client certificate. "
            "mosquitto: allow_anonymous false under each listener, plus password_file or require_certificate true; "
            "EMQX: turn allow_anonymous off and enable an authenticator."
        ),
    ),
    severity=Severity.CRITICAL,
    mlps=("L3-ABS4-01", "L3-CES4-04", "L3-CES1-01"),
    high_risk_case="9.2.1.1",
    domains=(InsurerDomain.IDENTITY_MFA, InsurerDomain.EXPOSURE),
    coverage=(CoverageLine.DATA_BREACH_LIABILITY, CoverageLine.BUSINESS_INTERRUPTION),
    needs=NEEDS,
    profiles=PROFILES,
    level=CheckLevel.ENDPOINT,
    basis="A broker that accepts anonymous clients lets unauthorised nodes join (8.4.2.1 a, case 9.2.1.1, no mitigation).",
)
def anonymous_connect(ev: EvidenceView, p: Params) -> Verdict:
    ports = _ports(ev)
    accepted = _port_list(ports, ("accepted",))
    if accepted:
        return Verdict.fail(ANONYMOUS_ACCEPTED(), accepted=accepted)
    errors = _errors(ports)
    if errors:
        return Verdict.error(PORTS_UNJUDGED(errors="; ".join(errors)))
    refused = _port_list(ports, ("refused",))
    other = _port_list(ports, ("other",))
    if other or not refused:
        return Verdict.error(CONNACK_UNINFORMATIVE(), other=other)
    return Verdict.ok(ANONYMOUS_REFUSED(), refused=refused)


NO_SUBSCRIPTION_RESULT = message(
    "NET-MQTT-002/no-subscription-result",
    en="anonymous access was accepted but no subscription result was recorded",
    zh="匿名连接被接受，但未记录订阅结果",
)
SUBSCRIPTION_FAILED = message(
    "NET-MQTT-002/subscription-failed",
    en="anonymous access was accepted but no subscription result was recorded: {errors}",
    zh="匿名连接被接受，但未记录订阅结果：{errors}",
)
SUBSCRIBE_REFUSED_ANONYMOUS = message(
    "NET-MQTT-002/anonymous-refused",
    en="anonymous clients are refused, so they cannot subscribe to any topic",
    zh="代理拒绝匿名客户端，匿名客户端无法订阅任何主题",
)
TOPICS_SEEN = message(
    "NET-MQTT-002/topics-seen",
    en="an anonymous subscription to # received messages on business topics",
    zh="匿名订阅 # 收到了业务主题的消息",
)
WILDCARD_REFUSED = message(
    "NET-MQTT-002/wildcard-refused",
    en="the broker refused the anonymous # subscription (SUBACK 0x80)",
    zh="代理拒绝了匿名的 # 订阅（SUBACK 0x80）",
)
NO_TOPICS_SEEN = message(
    "NET-MQTT-002/no-topics-seen",
    en="no business topic was seen on the anonymous # subscription within the listen window",
    zh="在监听时间窗口内，匿名的 # 订阅未收到任何业务主题的消息",
)


@check(
    id="NET-MQTT-002",
    title=Text(zh="MQTT 通配符订阅无法读取业务主题", en="MQTT wildcard subscription does not reveal business topics"),
    remediation=Text(
        zh=(
            "为主题配置 ACL，设备只能订阅/发布自己的主题，禁止 # 和 +/ 通配订阅。mosquitto：acl_file 中按 user 或 pattern（%u/%c）授权；"
            "同时关闭匿名接入。"
        ),
        en=(
            "Add topic ACLs so a device may only use its own topics and no client may subscribe to # or +/ wildcards. "
            "mosquitto: acl_file with per-user or pattern (%u/%c) rules; also disable anonymous access."
        ),
    ),
    severity=Severity.HIGH,
    mlps=("L3-CES1-10", "L3-CES1-05"),
    domains=(InsurerDomain.EXPOSURE, InsurerDomain.IDENTITY_MFA),
    coverage=(CoverageLine.DATA_BREACH_LIABILITY,),
    needs=NEEDS,
    params={"max_topics_shown": MAX_TOPICS_SHOWN},
    profiles=PROFILES,
    level=CheckLevel.ENDPOINT,
    basis="Wildcard subscriptions that reveal every topic show no topic-level access control (8.1.4.2 a, f).",
)
def wildcard_topics(ev: EvidenceView, p: Params) -> Verdict:
    facts = ev.facts(MQTT_BROKER)
    ports = facts["ports"]
    sub = facts["subscription"]
    if sub is None:
        if facts["anonymous_accepted"]:
            broke = [f"{n} {q['port']}: {q['subscription_error']}" for n, q in ports.items() if "subscription_error" in q]
            if broke:
                return Verdict.error(SUBSCRIPTION_FAILED(errors="; ".join(broke)))
            return Verdict.error(NO_SUBSCRIPTION_RESULT())
        errors = _errors(ports)
        if errors:
            return Verdict.error(PORTS_UNJUDGED(errors="; ".join(errors)))
        return Verdict.ok(SUBSCRIBE_REFUSED_ANONYMOUS())
    shown = int(p.get("max_topics_shown", MAX_TOPICS_SHOWN))
    topics = list(sub["topics"])
    observed = {
        "topic_count": sub["topic_count"],
        "topics": topics[:shown],
        "sys_topic_count": sub["sys_topic_count"],
        "wildcard_granted": sub["wildcard_granted"],
        "listened_ms": sub["listened_ms"],
        "truncated": sub["truncated"],
    }
    if topics:
        return Verdict.fail(TOPICS_SEEN(), **observed)
    if sub["wildcard_granted"] is False:
        return Verdict.ok(WILDCARD_REFUSED(), **observed)
    return Verdict.ok(NO_TOPICS_SEEN(), **observed)


PLAINTEXT_BESIDE_TLS = message(
    "NET-MQTT-003/plaintext-beside-tls",
    en="an MQTT broker answers in plain text; TLS is offered too, but the plaintext listener still answers",
    zh="MQTT 代理以明文应答；虽然也提供 TLS，但明文监听仍在应答",
)
PLAINTEXT_ONLY = message(
    "NET-MQTT-003/plaintext-only",
    en="an MQTT broker answers in plain text; no TLS listener answered",
    zh="MQTT 代理以明文应答；没有 TLS 监听应答",
)
NO_LISTENER_JUDGED = message(
    "NET-MQTT-003/no-listener-judged",
    en="neither a plaintext nor a TLS MQTT listener could be judged",
    zh="明文和 TLS 的 MQTT 监听均无法判断",
)
TLS_ONLY = message("NET-MQTT-003/tls-only", en="MQTT is reachable only over TLS", zh="MQTT 仅能通过 TLS 访问")


@check(
    id="NET-MQTT-003",
    title=Text(zh="MQTT 仅通过 TLS 提供服务（无明文监听）", en="MQTT is served only over TLS (no plaintext listener)"),
    remediation=Text(
        zh=(
            "只对外提供 MQTT over TLS（8883），关闭明文 1883 监听或仅绑定到本机。mosquitto：listener 8883 并配置 certfile/keyfile，"
            "删除明文 listener 1883（或改为 listener 1883 127.0.0.1）。"
        ),
        en=(
            "Offer MQTT only over TLS (8883) and close the plaintext 1883 listener or bind it to localhost. "
            "mosquitto: listener 8883 with certfile/keyfile, and remove listener 1883 (or make it listener 1883 127.0.0.1)."
        ),
    ),
    severity=Severity.HIGH,
    mlps=("L3-CES1-27", "L3-CNS1-07", "L3-CES1-25"),
    high_risk_case="6.4.5.1",
    domains=(InsurerDomain.ENCRYPTION_TRANSIT, InsurerDomain.EXPOSURE),
    coverage=(CoverageLine.DATA_BREACH_LIABILITY,),
    needs=NEEDS,
    profiles=PROFILES,
    level=CheckLevel.ENDPOINT,
    basis="MQTT in clear text carries credentials and business data unencrypted (8.1.4.8 a, case 6.4.5.1).",
)
def plaintext(ev: EvidenceView, p: Params) -> Verdict:
    ports = _ports(ev)
    plain = _port_list({n: q for n, q in ports.items() if q["transport"] == "tcp"}, ("accepted", "refused", "other"))
    tls_offered = [n for n, q in ports.items() if q["transport"] == "tls" and _tls_offered(q)]
    if plain:
        why = PLAINTEXT_BESIDE_TLS() if tls_offered else PLAINTEXT_ONLY()
        return Verdict.fail(why, plaintext=plain, tls_ports=tls_offered)
    errors = _errors(ports)
    if errors:
        return Verdict.error(PORTS_UNJUDGED(errors="; ".join(errors)))
    if not tls_offered:
        return Verdict.error(NO_LISTENER_JUDGED())
    return Verdict.ok(TLS_ONLY(), tls_ports=tls_offered)


CERT_REJECTED = message(
    "NET-MQTT-004/rejected",
    en="the MQTT TLS certificate would not be accepted by a verifying client",
    zh="校验证书的客户端不会接受该 MQTT TLS 证书",
)
CERT_PORTS_UNJUDGED = message(
    "NET-MQTT-004/ports-unjudged",
    en="the MQTT TLS certificate could not be judged: {errors}",
    zh="无法判断 MQTT TLS 证书：{errors}",
)
CERT_CHAIN_UNJUDGED = message(
    "NET-MQTT-004/chain-unjudged",
    en="the MQTT TLS certificate could not be judged: {name} {port}: certificate or chain not judged ({detail})",
    zh="无法判断 MQTT TLS 证书：未能判断 {name} {port} 的证书或证书链（{detail}）",
)
CERT_CHAINS_UNJUDGED = message(
    "NET-MQTT-004/chains-unjudged",
    en="the MQTT TLS certificate could not be judged: certificate or chain not judged on {ports}",
    zh="无法判断 MQTT TLS 证书：未能判断 {ports} 的证书或证书链",
)
CERT_UNJUDGED = message(
    "NET-MQTT-004/unjudged",
    en="the MQTT TLS certificate could not be judged: {errors}; certificate or chain not judged on {ports}",
    zh="无法判断 MQTT TLS 证书：{errors}；未能判断 {ports} 的证书或证书链",
)
NO_TLS_LISTENER = message("NET-MQTT-004/no-tls-listener", en="no MQTT TLS listener answered", zh="没有 MQTT TLS 监听应答")
CERT_TRUSTED = message(
    "NET-MQTT-004/trusted",
    en="the MQTT TLS certificate chains to a trusted CA and is within its validity",
    zh="MQTT TLS 证书链可追溯至受信任的 CA，且在有效期内",
)


@check(
    id="NET-MQTT-004",
    title=Text(zh="MQTT TLS 证书受信任且在有效期内", en="MQTT TLS certificate is trusted and within its validity"),
    remediation=Text(
        zh=(
            "为 MQTT TLS 监听部署由受信任 CA 签发、在有效期内且与主机名匹配的证书，并设置到期前自动续期。"
            "mosquitto：certfile 指向含完整链的证书，cafile 指向签发 CA。"
        ),
        en=(
            "Give the MQTT TLS listener a certificate from a trusted CA, within its validity and matching the host name, "
            "with automatic renewal before expiry. mosquitto: certfile with the full chain, cafile with the issuing CA."
        ),
    ),
    severity=Severity.MEDIUM,
    mlps=("L3-CNS1-06", "L3-CNS1-07"),
    domains=(InsurerDomain.ENCRYPTION_TRANSIT,),
    coverage=(CoverageLine.DATA_BREACH_LIABILITY,),
    needs=NEEDS,
    profiles=PROFILES,
    level=CheckLevel.ENDPOINT,
    basis="An untrusted or expired certificate leaves the TLS channel open to interception (8.1.2.2 a, b).",
)
def certificate(ev: EvidenceView, p: Params) -> Verdict:
    ports = _ports(ev)
    tls_ports = {n: q for n, q in ports.items() if q["transport"] == "tls"}
    judged: List[Dict[str, Any]] = []
    bad: List[Dict[str, Any]] = []
    unknown: List[str] = []  # ports that could not be judged: name port: the collector's reason
    unjudged: List[Tuple[str, int, Any]] = []  # ports that answered TLS without a certificate and chain to judge: name, port, why
    for name, q in tls_ports.items():
        tls = q.get("tls")
        if tls is None or not tls["offered"]:
            if q["state"] == "error":
                unknown.append(f"{name} {q['port']}: {q.get('reason')}")
            continue
        cert = tls.get("certificate")
        chain = tls.get("chain")
        if not cert or chain is None or chain["status"] not in ("valid", "invalid"):
            why = chain.get("reason") if chain is not None else None
            unjudged.append((name, q["port"], why))
            continue
        problems = []
        if chain["status"] == "invalid":
            problems.append(f"untrusted chain: {chain.get('reason')}")
        if cert["days_to_expiry"] < 0:
            problems.append(f"expired {cert['not_after']}")
        if cert["not_yet_valid"]:
            problems.append(f"not valid before {cert['not_before']}")
        row = {
            "port": q["port"],
            "subject_cn": cert["subject_cn"],
            "issuer": cert["issuer"],
            "not_after": cert["not_after"],
            "days_to_expiry": cert["days_to_expiry"],
            "hostname_match": cert["hostname_match"],
            "problems": problems,
        }
        judged.append(row)
        if problems:
            bad.append(row)
    if bad:
        return Verdict.fail(CERT_REJECTED(), certificates=bad)
    ports_why = "; ".join(f"{name} {port} ({why})" for name, port, why in unjudged)
    if unknown and unjudged:
        return Verdict.error(CERT_UNJUDGED(errors="; ".join(unknown), ports=ports_why))
    if unknown:
        return Verdict.error(CERT_PORTS_UNJUDGED(errors="; ".join(unknown)))
    if len(unjudged) == 1:
        name, port, why = unjudged[0]
        return Verdict.error(CERT_CHAIN_UNJUDGED(name=name, port=port, detail=why))
    if unjudged:
        return Verdict.error(CERT_CHAINS_UNJUDGED(ports=ports_why))
    if not judged:
        return Verdict.na(NO_TLS_LISTENER())
    return Verdict.ok(CERT_TRUSTED(), certificates=judged)
