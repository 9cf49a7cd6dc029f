"""Telematics backend exposure (PROTOCOLS.md §3.2): data stores without authentication, OTA paths.

Judged from ``telematics.backends`` (Redis, Elasticsearch, Kafka) and
``telematics.ota``. A service nobody listens on is NOT_APPLICABLE for its
check; a service that could not be judged is ERROR, never PASS.
"""

from __future__ import annotations

from typing import Any, Dict, FrozenSet, List, Literal, Tuple

from checks.messages import message
from checks.model import CheckLevel, CoverageLine, InsurerDomain, Severity, Text, Verdict
from checks.registry import EvidenceView, Params, check
from collectors.net.backends_facts import BACKENDS, ELASTICSEARCH, KAFKA, OTA, REDIS, OtaFacts, OtaPathFacts, ServiceState
from collectors.profile import Profile

PROFILES = (Profile.TELEMATICS,)
_NOAUTH_MLPS = ("L3-CES1-01", "L3-CES1-18", "L3-ABS1-05")
_NOAUTH_DOMAINS = (InsurerDomain.EXPOSURE, InsurerDomain.IDENTITY_MFA, InsurerDomain.HARDENING)
_NOAUTH_COVERAGE = (CoverageLine.DATA_BREACH_LIABILITY, CoverageLine.CYBER_EXTORTION, CoverageLine.DATA_ASSET_REPLACEMENT)


_SAFE_STATES: FrozenSet[ServiceState] = frozenset({"auth_required", "protected_mode"})
_OBSERVED_KEYS: Tuple[
    Literal["port", "state", "reply", "status", "redis_version", "version", "broker_count", "topic_count"], ...
] = ("port", "state", "reply", "status", "redis_version", "version", "broker_count", "topic_count")


# {service} is the product name (Redis, Elasticsearch, Kafka), {state} the collector's state, {detail} its error text.
SERVICE_NOT_PROBED = message(
    "NET-TSP/not-probed",
    en="{service} was not probed (not in option backend_ports)",
    zh="未探测 {service}（不在选项 backend_ports 中）",
)
SERVICE_OPEN = message(
    "NET-TSP/open",
    en="{service} answered a read-only request without any credentials",
    zh="{service} 在未提供任何凭据的情况下响应了只读请求",
)
SERVICE_REFUSED = message(
    "NET-TSP/refused",
    en="{service} refused the unauthenticated request ({state})",
    zh="{service} 拒绝了未经认证的请求（{state}）",
)
SERVICE_CLOSED = message(
    "NET-TSP/closed", en="nothing listens on the {service} port {port}", zh="{service} 端口 {port} 上没有服务监听"
)
SERVICE_UNJUDGED = message("NET-TSP/unjudged", en="{service} could not be judged: {detail}", zh="无法判断 {service}：{detail}")
SERVICE_UNCLEAR = message(
    "NET-TSP/unclear",
    en="{service} gave an answer that neither proves nor rules out open access ({state})",
    zh="{service} 的应答既不能证明也不能排除可未经认证访问（{state}）",
)


def _service(ev: EvidenceView, name: str, label: str) -> Verdict:
    s = ev.facts(BACKENDS)["services"].get(name)
    if s is None:
        return Verdict.na(SERVICE_NOT_PROBED(service=label))
    observed: Dict[str, Any] = {k: s[k] for k in _OBSERVED_KEYS if k in s}
    state = s["state"]
    if state == "open":
        return Verdict.fail(SERVICE_OPEN(service=label), **observed)
    if state in _SAFE_STATES:
        return Verdict.ok(SERVICE_REFUSED(service=label, state=state), **observed)
    if state == "closed":
        return Verdict.na(SERVICE_CLOSED(service=label, port=s["port"]), **observed)
    if state == "error":
        return Verdict.error(SERVICE_UNJUDGED(service=label, detail=s.get("reason")), **observed)
    return Verdict.error(SERVICE_UNCLEAR(service=label, state=state), **observed)


NEEDS_BACKENDS = (BACKENDS,)


@check(
    id="NET-TSP-001",
    title=Text(zh="Redis 须经认证才能访问", en="Redis requires authentication"),
    remediation=Text(
        zh=(
            "启用认证并禁止外部直连：redis.conf 中设置 requirepass <强口令>（Redis 6+ 使用 ACL：user default off），"
            "bind 127.0.0.1 或内网地址，protected-mode yes，并用防火墙限制 6379 的来源。"
        ),
        en=(
            "Require authentication and keep Redis off untrusted networks: requirepass <strong password> in redis.conf "
            "(Redis 6+: ACLs, user default off), bind 127.0.0.1 or an internal address, protected-mode yes, "
            "and restrict port 6379 by firewall."
        ),
    ),
    severity=Severity.CRITICAL,
    mlps=("L3-CES1-01", "L3-CES1-18", "L3-ABS1-05"),
    high_risk_case="6.4.1.1",
    domains=_NOAUTH_DOMAINS,
    coverage=_NOAUTH_COVERAGE,
    needs=NEEDS_BACKENDS,
    profiles=PROFILES,
    level=CheckLevel.ENDPOINT,
    basis="Redis that answers without authentication is 'no authentication' (8.1.4.1 a, case 6.4.1.1 item 1).",
)
def redis_open(ev: EvidenceView, p: Params) -> Verdict:
    return _service(ev, REDIS, "Redis")


@check(
    id="NET-TSP-002",
    title=Text(zh="Elasticsearch 须经认证才能访问", en="Elasticsearch requires authentication"),
    remediation=Text(
        zh=(
            "启用安全功能：elasticsearch.yml 中设置 xpack.security.enabled: true 与 xpack.security.http.ssl.enabled: true，"
            "为各应用创建最小权限账户，并用防火墙限制 9200 的来源。"
        ),
        en=(
            "Turn security on: xpack.security.enabled: true and xpack.security.http.ssl.enabled: true in elasticsearch.yml, "
            "create least-privilege users per application, and restrict port 9200 by firewall."
        ),
    ),
    severity=Severity.CRITICAL,
    mlps=("L3-CES1-01", "L3-CES1-18", "L3-ABS1-05"),
    high_risk_case="6.4.1.1",
    domains=_NOAUTH_DOMAINS,
    coverage=_NOAUTH_COVERAGE,
    needs=NEEDS_BACKENDS,
    profiles=PROFILES,
    level=CheckLevel.ENDPOINT,
    basis="Elasticsearch that answers without authentication is the 'no authentication' of case 6.4.1.1 item 1 (8.1.4.1 a).",
)
def elasticsearch_open(ev: EvidenceView, p: Params) -> Verdict:
    return _service(ev, ELASTICSEARCH, "Elasticsearch")


@check(
    id="NET-TSP-003",
    title=Text(zh="Kafka 须经认证才能读取集群元数据", en="Kafka requires authentication"),
    remediation=Text(
        zh=(
            "对外监听只使用 SASL_SSL：server.properties 中 listeners=SASL_SSL://:9093、sasl.enabled.mechanisms=SCRAM-SHA-512，"
            "配置 authorizer.class.name 与 ACL（allow.everyone.if.no.acl.found=false），关闭 PLAINTEXT 监听。"
        ),
        en=(
            "Expose only SASL_SSL listeners: listeners=SASL_SSL://:9093 and sasl.enabled.mechanisms=SCRAM-SHA-512 in "
            "server.properties, set authorizer.class.name with ACLs (allow.everyone.if.no.acl.found=false), "
            "and remove the PLAINTEXT listener."
        ),
    ),
    severity=Severity.CRITICAL,
    mlps=("L3-CES1-01", "L3-CES1-18", "L3-ABS1-05"),
    high_risk_case="6.4.1.1",
    domains=_NOAUTH_DOMAINS,
    coverage=_NOAUTH_COVERAGE,
    needs=NEEDS_BACKENDS,
    profiles=PROFILES,
    level=CheckLevel.ENDPOINT,
    basis="Kafka that accepts clients without authentication is the 'no authentication' of case 6.4.1.1 item 1 (8.1.4.1 a).",
)
def kafka_open(ev: EvidenceView, p: Params) -> Verdict:
    return _service(ev, KAFKA, "Kafka")


NEEDS_OTA = (OTA,)


OTA_UNFETCHED = message(
    "NET-TSP/ota-unfetched", en="some firmware paths could not be fetched: {errors}", zh="部分固件路径无法获取：{errors}"
)


def _ota(ev: EvidenceView) -> Tuple[OtaFacts, Dict[str, OtaPathFacts], List[str]]:
    facts = ev.facts(OTA)
    paths = facts["paths"]
    errors = [f"{path}: {e.get('error')}" for path, e in paths.items() if "error" in e]
    return facts, paths, errors


OTA_HTTPS = message("NET-TSP-004/https", en="the OTA origin is HTTPS", zh="OTA 源站使用 HTTPS")
OTA_PLAIN_SERVED = message(
    "NET-TSP-004/plain-http-served",
    en="firmware/update paths answer 200 over plain HTTP",
    zh="固件/升级路径通过明文 HTTP 返回 200",
)
OTA_NOTHING_SERVED = message(
    "NET-TSP-004/nothing-served",
    en="no firmware/update path is served at this plain-HTTP origin",
    zh="该明文 HTTP 源站未提供任何固件/升级路径",
)


@check(
    id="NET-TSP-004",
    title=Text(zh="OTA/固件更新仅通过 HTTPS 提供", en="OTA/firmware updates are served only over HTTPS"),
    remediation=Text(
        zh=(
            "固件与升级包只通过 HTTPS（TLS 1.2+，车端校验服务器证书）分发，HTTP 仅 301 跳转到 HTTPS，并对升级包签名、车端验签"
            "（GB 44496-2024）。nginx：server { listen 80; return 301 https://$host$request_uri; }"
        ),
        en=(
            "Serve firmware and update packages only over HTTPS (TLS 1.2+, server certificate verified by the vehicle), "
            "let HTTP only redirect, and sign packages with signature checks on the vehicle (GB 44496-2024). "
            "nginx: server { listen 80; return 301 https://$host$request_uri; }"
        ),
    ),
    severity=Severity.HIGH,
    mlps=("L3-CES1-25", "L3-CNS1-06"),
    domains=(InsurerDomain.ENCRYPTION_TRANSIT, InsurerDomain.INTEGRITY_BOOT),
    coverage=(CoverageLine.BUSINESS_INTERRUPTION, CoverageLine.DATA_BREACH_LIABILITY),
    needs=NEEDS_OTA,
    profiles=PROFILES,
    level=CheckLevel.ENDPOINT,
    basis="Firmware over plain HTTP can be altered in transit: an integrity problem (8.1.4.7 a, 8.1.2.2 a).",
)
def ota_plain_http(ev: EvidenceView, p: Params) -> Verdict:
    facts, paths, errors = _ota(ev)
    served = [path for path, e in paths.items() if e.get("status") in (200, 206)]
    if facts["scheme"] == "https":
        if errors:
            return Verdict.error(OTA_UNFETCHED(errors="; ".join(errors)))
        return Verdict.ok(OTA_HTTPS(), origin=facts["origin"], served=served)
    if served:
        return Verdict.fail(OTA_PLAIN_SERVED(), origin=facts["origin"], served=served)
    if errors:
        return Verdict.error(OTA_UNFETCHED(errors="; ".join(errors)))
    return Verdict.na(OTA_NOTHING_SERVED(), origin=facts["origin"])


OTA_LISTED = message(
    "NET-TSP-005/listed", en="firmware/update paths return a directory listing", zh="固件/升级路径返回了目录列表"
)
OTA_NOT_LISTED = message(
    "NET-TSP-005/not-listed",
    en="no firmware/update path returns a directory listing",
    zh="没有固件/升级路径返回目录列表",
)


@check(
    id="NET-TSP-005",
    title=Text(zh="OTA/固件目录不可被列出", en="OTA/firmware directory listing is disabled"),
    remediation=Text(
        zh=(
            "关闭固件目录的目录浏览，固件下载使用带时效的签名 URL 并鉴权。nginx：autoindex off;  Apache：Options -Indexes；"
            "对象存储：撤销匿名 List 权限。"
        ),
        en=(
            "Turn directory listing off on firmware paths and hand out firmware only through authenticated, expiring signed URLs. "
            "nginx: autoindex off;  Apache: Options -Indexes; object storage: revoke anonymous List permission."
        ),
    ),
    severity=Severity.HIGH,
    mlps=("L3-CES1-09", "L3-CES1-18"),
    domains=(InsurerDomain.EXPOSURE, InsurerDomain.HARDENING),
    coverage=(CoverageLine.DATA_BREACH_LIABILITY,),
    needs=NEEDS_OTA,
    profiles=PROFILES,
    level=CheckLevel.ENDPOINT,
    basis="A browsable firmware directory is an access-rule defect (8.1.4.2 e) and an unneeded function (8.1.4.4 b).",
)
def ota_listing(ev: EvidenceView, p: Params) -> Verdict:
    facts, paths, errors = _ota(ev)
    listable = {path: e.get("listing") for path, e in paths.items() if e.get("listing")}
    if listable:
        return Verdict.fail(OTA_LISTED(), origin=facts["origin"], listable=listable)
    if errors:
        return Verdict.error(OTA_UNFETCHED(errors="; ".join(errors)))
    return Verdict.ok(OTA_NOT_LISTED(), origin=facts["origin"])
