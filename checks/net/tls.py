"""TLS posture checks of an https endpoint (PROTOCOLS.md §4.4), judged from ``tls.endpoint``.

A protocol or cipher class the agent could not test is never counted as
refused: it turns the verdict into MANUAL, stating what was not tested.

Severities follow Mozilla's server-side TLS guidance: what even its "old"
configuration drops or what is broken outright (NULL, EXPORT, RC4, DES,
SSL-era protocols) is HIGH; what "intermediate", the recommended
configuration for general servers, leaves out but "old" still allows for
ancient clients (CBC-mode suites, static RSA key exchange, DH groups under
2048 bits) is MEDIUM.
"""

from __future__ import annotations

from typing import Dict, List, Mapping, NamedTuple, Sequence, Tuple, Union

from checks.messages import Template, message
from checks.model import CheckLevel, CoverageLine, InsurerDomain, Reason, Severity, Text, Verdict
from checks.registry import EvidenceView, Params, check
from collectors.net.tls_facts import (
    CBC_CLASS,
    LEGACY_VERSIONS,
    MODERN_VERSIONS,
    STATIC_RSA_CLASS,
    TLS_ENDPOINT,
    CertificateFacts,
    CipherClassFacts,
    TlsEndpointFacts,
    VersionFacts,
)
from collectors.profile import Profile

NEEDS = (TLS_ENDPOINT,)
PROFILES = (Profile.WEBSITE, Profile.SERVER)
_MLPS = ("L3-CNS1-06", "L3-CNS1-07", "L3-CES1-27")
_TRANSIT = (InsurerDomain.ENCRYPTION_TRANSIT, InsurerDomain.EXPOSURE)
_BREACH = (CoverageLine.DATA_BREACH_LIABILITY, CoverageLine.INCIDENT_RESPONSE)


def _facts(ev: EvidenceView) -> TlsEndpointFacts:
    return ev.facts(TLS_ENDPOINT)


def _cert(ev: EvidenceView) -> CertificateFacts:
    return _facts(ev)["certificate"]


class _Split(NamedTuple):
    accepted: List[str]
    refused: List[str]
    untested: List[str]  # every name not judged, with why: "<name> (<reason>)" or "<name> (not probed)"
    failed: List[str]  # "<name> (<the collector's reason or status>)": probed, but the probe could not tell
    unprobed: List[str]  # names without a result


def _split(results: Mapping[str, Union[VersionFacts, CipherClassFacts]], names: Sequence[str]) -> _Split:
    """Accepted, refused and untested among ``names``; a name without a result was not probed."""
    out = _Split([], [], [], [], [])
    for name in names:
        r = results.get(name)
        if r is None:
            out.untested.append(f"{name} (not probed)")
            out.unprobed.append(name)
        elif r["status"] == "accepted":
            out.accepted.append(name)
        elif r["status"] == "refused":
            out.refused.append(name)
        else:
            out.untested.append(f"{name} ({r.get('reason', r['status'])})")
            out.failed.append(out.untested[-1])
    return out


UNTESTED = message("TLS/untested", en="could not test: {untested}", zh="无法测试：{untested}")
UNPROBED = message("TLS/not-probed", en="could not test: not probed: {unprobed}", zh="无法测试：未探测 {unprobed}")
UNTESTED_UNPROBED = message(
    "TLS/untested-not-probed",
    en="could not test: {untested}; not probed: {unprobed}",
    zh="无法测试：{untested}；未探测 {unprobed}",
)


def _untested(split: _Split) -> Reason:
    """Why some of the names could not be judged (the probes' reasons are the collector's, shown as data)."""
    failed = "; ".join(split.failed)
    if not split.unprobed:
        return UNTESTED(untested=failed)
    if not split.failed:
        return UNPROBED(unprobed=split.unprobed)
    return UNTESTED_UNPROBED(untested=failed, unprobed=split.unprobed)


LEGACY_ACCEPTED = message("TLS-PROTO-001/accepted", en="accepts {versions}", zh="接受 {versions}")
LEGACY_REFUSED = message("TLS-PROTO-001/refused", en="TLS 1.0 and 1.1 refused", zh="拒绝 TLS 1.0 和 1.1")


@check(
    id="TLS-PROTO-001",
    title=Text(zh="HTTPS 端点不接受 TLS 1.0/1.1 旧协议", en="HTTPS endpoint refuses legacy TLS 1.0/1.1"),
    remediation=Text(
        zh="仅启用 TLS 1.2 和 1.3。nginx：ssl_protocols TLSv1.2 TLSv1.3;  Apache：SSLProtocol -all +TLSv1.2 +TLSv1.3",
        en="Enable only TLS 1.2 and 1.3. nginx: ssl_protocols TLSv1.2 TLSv1.3;  Apache: SSLProtocol -all +TLSv1.2 +TLSv1.3",
    ),
    severity=Severity.HIGH,
    mlps=("L3-CNS1-06", "L3-CNS1-07", "L3-CES1-27"),
    domains=_TRANSIT,
    coverage=_BREACH,
    needs=NEEDS,
    profiles=PROFILES,
    level=CheckLevel.ENDPOINT,
    basis="TLS 1.0/1.1 are deprecated protocols with known weaknesses (8.1.2.2, 8.1.4.8 a).",
)
def legacy_protocols(ev: EvidenceView, p: Params) -> Verdict:
    split = _split(_facts(ev)["protocols"], LEGACY_VERSIONS)
    if split.accepted:
        return Verdict.fail(LEGACY_ACCEPTED(versions=split.accepted), accepted=split.accepted)
    if split.untested:
        return Verdict.manual(_untested(split), refused=split.refused, untested=split.untested)
    return Verdict.ok(LEGACY_REFUSED(), refused=split.refused)


MODERN_SUPPORTED = message("TLS-PROTO-002/supported", en="supports {versions}", zh="支持 {versions}")
MODERN_MISSING = message(
    "TLS-PROTO-002/missing", en="neither TLS 1.2 nor TLS 1.3 is accepted", zh="TLS 1.2 和 TLS 1.3 均不被接受"
)


@check(
    id="TLS-PROTO-002",
    title=Text(zh="HTTPS 端点支持 TLS 1.2 或 1.3", en="HTTPS endpoint supports TLS 1.2 or TLS 1.3"),
    remediation=Text(
        zh="升级 TLS 库并启用 TLS 1.2/1.3。nginx：ssl_protocols TLSv1.2 TLSv1.3;",
        en="Upgrade the TLS library and enable TLS 1.2/1.3. nginx: ssl_protocols TLSv1.2 TLSv1.3;",
    ),
    severity=Severity.MEDIUM,
    mlps=("L3-CNS1-06", "L3-CNS1-07", "L3-CES1-27"),
    domains=_TRANSIT,
    coverage=(CoverageLine.DATA_BREACH_LIABILITY, CoverageLine.BUSINESS_INTERRUPTION),
    needs=NEEDS,
    profiles=PROFILES,
    level=CheckLevel.ENDPOINT,
    basis="Without TLS 1.2 or 1.3 no current protocol protects the channel (8.1.2.2, 8.1.4.8 a).",
)
def modern_protocols(ev: EvidenceView, p: Params) -> Verdict:
    split = _split(_facts(ev)["protocols"], MODERN_VERSIONS)
    if split.accepted:
        return Verdict.ok(MODERN_SUPPORTED(versions=split.accepted), accepted=split.accepted)
    if split.untested:
        return Verdict.manual(_untested(split), refused=split.refused, untested=split.untested)
    return Verdict.fail(MODERN_MISSING(), refused=split.refused)


NO_PROTECTION = ("NULL", "aNULL", "EXPORT")  # no encryption, no server authentication, or export-grade keys
BROKEN_CIPHERS = ("RC4", "DES", "3DES")


# {classes} are cipher-suite class names (NULL, aNULL, EXPORT, RC4, DES, 3DES).
WEAK_NOT_PROBED = message("TLS-CIPH/weak-not-probed", en="none of {classes} was probed", zh="{classes} 均未探测")
WEAK_ACCEPTED = message("TLS-CIPH/weak-accepted", en="accepts {classes} suites", zh="接受 {classes} 密码套件")
WEAK_REFUSED = message("TLS-CIPH/weak-refused", en="{classes} suites refused", zh="拒绝 {classes} 密码套件")


def _weak(ev: EvidenceView, classes: Tuple[str, ...]) -> Verdict:
    results = {c: r for c, r in _facts(ev)["weak_ciphers"].items() if c in classes}
    if not results:
        return Verdict.manual(WEAK_NOT_PROBED(classes=classes))
    split = _split(results, sorted(results))
    if split.accepted:
        chosen = {c: results[c].get("cipher") for c in split.accepted}
        return Verdict.fail(WEAK_ACCEPTED(classes=split.accepted), accepted=chosen)
    if split.untested:
        return Verdict.manual(_untested(split), refused=split.refused, untested=split.untested)
    return Verdict.ok(WEAK_REFUSED(classes=sorted(results)), refused=split.refused)


@check(
    id="TLS-CIPH-001",
    title=Text(
        zh="HTTPS 端点不接受无加密、无认证或出口级密码套件（NULL/匿名/EXPORT）",
        en="HTTPS endpoint refuses suites without encryption, without authentication or of export grade (NULL/anonymous/EXPORT)",
    ),
    remediation=Text(
        zh="只保留前向保密的 AEAD 套件。nginx：ssl_ciphers ECDHE+AESGCM:ECDHE+CHACHA20;  Apache：SSLCipherSuite ECDHE+AESGCM:ECDHE+CHACHA20",
        en="Keep only forward-secret AEAD suites. nginx: ssl_ciphers ECDHE+AESGCM:ECDHE+CHACHA20;  Apache: SSLCipherSuite ECDHE+AESGCM:ECDHE+CHACHA20",
    ),
    severity=Severity.CRITICAL,
    mlps=("L3-CNS1-06", "L3-CNS1-07", "L3-CES1-27"),
    high_risk_case="6.2.2.1",
    domains=_TRANSIT,
    coverage=_BREACH,
    needs=NEEDS,
    profiles=PROFILES,
    level=CheckLevel.ENDPOINT,
    basis="NULL suites do not encrypt, anonymous suites let anyone in the middle read, export suites are broken in minutes: the channel has no real encryption (8.1.2.2 b, case 6.2.2.1).",
)
def no_unprotected_ciphers(ev: EvidenceView, p: Params) -> Verdict:
    return _weak(ev, NO_PROTECTION)


@check(
    id="TLS-CIPH-005",
    title=Text(
        zh="HTTPS 端点不接受已被攻破的 RC4/DES/3DES 密码套件",
        en="HTTPS endpoint refuses the broken RC4, DES and 3DES cipher suites",
    ),
    remediation=Text(
        zh="从 ssl_ciphers / SSLCipherSuite 中去掉 RC4、DES 和 3DES（只保留 ECDHE+AESGCM:ECDHE+CHACHA20），然后重载服务。",
        en="Remove RC4, DES and 3DES from ssl_ciphers / SSLCipherSuite (keep ECDHE+AESGCM:ECDHE+CHACHA20), then reload the server.",
    ),
    severity=Severity.HIGH,
    mlps=("L3-CNS1-06", "L3-CNS1-07", "L3-CES1-27"),
    domains=_TRANSIT,
    coverage=_BREACH,
    needs=NEEDS,
    profiles=PROFILES,
    level=CheckLevel.ENDPOINT,
    basis="RC4, single DES and 3DES encrypt, but weakly enough to be broken in practice (8.1.2.2 b, 8.1.4.8 a); weak encryption is not the 'no encryption' of case 6.2.2.1.",
)
def no_broken_ciphers(ev: EvidenceView, p: Params) -> Verdict:
    return _weak(ev, BROKEN_CIPHERS)


def _medium(ev: EvidenceView, cls: str, say: Mapping[str, Template]) -> Verdict:
    """FAIL when the endpoint accepts the cipher class ``cls`` offered alone; MANUAL when it was not tested."""
    result = _facts(ev)["medium_ciphers"].get(cls)
    if result is None:
        return Verdict.manual(say["not-probed"]())
    seen = {"method": result.get("method"), "protocol": result.get("protocol")}
    if result["status"] == "accepted":
        return Verdict.fail(say["accepted"](cipher=result.get("cipher")), cipher=result.get("cipher"), **seen)
    if result["status"] == "refused":
        return Verdict.ok(say["refused"](), reason_refused=result.get("reason"))
    return Verdict.manual(say["untested"](detail=result.get("reason", result["status"])), status=result["status"])


# The messages of _medium, by outcome: {cipher} is the suite the server chose, {detail} the collector's reason.
CBC_MESSAGES: Dict[str, Template] = {
    "not-probed": message("TLS-CIPH-002/not-probed", en="CBC-mode suites were not probed", zh="未探测 CBC 模式密码套件"),
    "accepted": message(
        "TLS-CIPH-002/accepted", en="accepts CBC-mode suites (chose {cipher})", zh="接受 CBC 模式密码套件（选用了 {cipher}）"
    ),
    "refused": message(
        "TLS-CIPH-002/refused", en="CBC-mode suites offered alone were refused", zh="仅提供 CBC 模式密码套件时，连接被拒绝"
    ),
    "untested": message(
        "TLS-CIPH-002/untested", en="could not test CBC-mode suites: {detail}", zh="无法测试 CBC 模式密码套件：{detail}"
    ),
}


@check(
    id="TLS-CIPH-002",
    title=Text(
        zh="HTTPS 端点只接受 AEAD 密码套件（不接受 CBC 模式）", en="HTTPS endpoint accepts only AEAD cipher suites (no CBC mode)"
    ),
    remediation=Text(
        zh="按 Mozilla intermediate 配置只保留 AES-GCM 与 ChaCha20-Poly1305。nginx：ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305;  Apache：SSLCipherSuite 同上",
        en="Keep only AES-GCM and ChaCha20-Poly1305, as in Mozilla's intermediate configuration. nginx: ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305;  Apache: the same list in SSLCipherSuite",
    ),
    severity=Severity.MEDIUM,
    mlps=("L3-CNS1-06", "L3-CNS1-07", "L3-CES1-27"),
    domains=_TRANSIT,
    coverage=_BREACH,
    needs=NEEDS,
    profiles=PROFILES,
    level=CheckLevel.ENDPOINT,
    basis="CBC-mode suites (MAC-then-encrypt, padding oracles such as Lucky13) weaken the cryptographic integrity and confidentiality of data in transit (8.1.2.2 a/b, 8.1.4.8 a); Mozilla keeps them only for its old configuration.",
)
def cbc_ciphers(ev: EvidenceView, p: Params) -> Verdict:
    return _medium(ev, CBC_CLASS, CBC_MESSAGES)


STATIC_RSA_MESSAGES: Dict[str, Template] = {
    "not-probed": message(
        "TLS-CIPH-003/not-probed",
        en="static-RSA key exchange suites were not probed",
        zh="未探测静态 RSA 密钥交换密码套件",
    ),
    "accepted": message(
        "TLS-CIPH-003/accepted",
        en="accepts static-RSA key exchange suites (chose {cipher})",
        zh="接受静态 RSA 密钥交换密码套件（选用了 {cipher}）",
    ),
    "refused": message(
        "TLS-CIPH-003/refused",
        en="static-RSA key exchange suites offered alone were refused",
        zh="仅提供静态 RSA 密钥交换密码套件时，连接被拒绝",
    ),
    "untested": message(
        "TLS-CIPH-003/untested",
        en="could not test static-RSA key exchange suites: {detail}",
        zh="无法测试静态 RSA 密钥交换密码套件：{detail}",
    ),
}


@check(
    id="TLS-CIPH-003",
    title=Text(
        zh="HTTPS 端点只使用具备前向保密的密钥交换（不接受静态 RSA）",
        en="HTTPS endpoint uses only forward-secret key exchange (no static RSA)",
    ),
    remediation=Text(
        zh="删除以 RSA 直接交换密钥的套件（AES128-SHA、AES256-GCM-SHA384 等），只保留 ECDHE（或 2048 位以上 DHE）。nginx：ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305;",
        en="Remove the suites that exchange keys with RSA directly (AES128-SHA, AES256-GCM-SHA384 ...) and keep only ECDHE (or DHE of 2048 bits or more). nginx: ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305;",
    ),
    severity=Severity.MEDIUM,
    mlps=("L3-CNS1-06", "L3-CNS1-07", "L3-CES1-27"),
    domains=_TRANSIT,
    coverage=_BREACH,
    needs=NEEDS,
    profiles=PROFILES,
    level=CheckLevel.ENDPOINT,
    basis="Static RSA key exchange has no forward secrecy: a leaked server key decrypts recorded traffic, so confidentiality in transit (8.1.2.2 b, 8.1.4.8 a) rests on one key; Mozilla keeps it only for its old configuration.",
)
def static_rsa(ev: EvidenceView, p: Params) -> Verdict:
    return _medium(ev, STATIC_RSA_CLASS, STATIC_RSA_MESSAGES)


MIN_DH_BITS = 2048  # Mozilla intermediate: ffdhe2048 or larger; NIST SP 800-57: 2048-bit FFC for 112-bit security
DH_UNUSED = message(
    "TLS-CIPH-004/no-dhe",
    en="no DHE suite is accepted, so no finite-field DH group is used",
    zh="不接受任何 DHE 密码套件，因此不使用有限域 DH 参数组",
)
DH_UNREAD = message("TLS-CIPH-004/unread", en="the DH group could not be read: {detail}", zh="无法读取 DH 参数组：{detail}")
DH_SMALL = message(
    "TLS-CIPH-004/small",
    en="DHE uses a {bits}-bit group (below {minimum})",
    zh="DHE 使用 {bits} 位参数组（低于 {minimum} 位）",
)
DH_LARGE = message("TLS-CIPH-004/large", en="DHE uses a {bits}-bit group", zh="DHE 使用 {bits} 位参数组")


@check(
    id="TLS-CIPH-004",
    title=Text(
        zh="DHE 密钥交换使用不少于 2048 位的 DH 参数", en="DHE key exchange uses Diffie-Hellman groups of at least 2048 bits"
    ),
    remediation=Text(
        zh="使用 RFC 7919 的 ffdhe2048（或更大）参数，或只保留 ECDHE。nginx：下载 https://ssl-config.mozilla.org/ffdhe2048.txt 并设置 ssl_dhparam /etc/nginx/ffdhe2048.pem;  Apache：SSLOpenSSLConfCmd DHParameters /etc/ssl/ffdhe2048.pem",
        en="Use the RFC 7919 ffdhe2048 group (or larger), or keep only ECDHE. nginx: fetch https://ssl-config.mozilla.org/ffdhe2048.txt and set ssl_dhparam /etc/nginx/ffdhe2048.pem;  Apache: SSLOpenSSLConfCmd DHParameters /etc/ssl/ffdhe2048.pem",
    ),
    severity=Severity.MEDIUM,
    mlps=("L3-CNS1-06", "L3-CNS1-07", "L3-CES1-27"),
    domains=_TRANSIT,
    coverage=_BREACH,
    needs=NEEDS,
    profiles=PROFILES,
    level=CheckLevel.ENDPOINT,
    basis="A DHE group under 2048 bits (Logjam-class precomputation) weakens the key exchange behind integrity and confidentiality in transit (8.1.2.2 a/b, 8.1.4.8 a); Mozilla intermediate asks for ffdhe2048 or larger.",
)
def dh_group_size(ev: EvidenceView, p: Params) -> Verdict:
    dh = _facts(ev)["dh"]
    seen = {"suite": dh.get("suite"), "protocol": dh.get("protocol")}
    if dh["status"] == "refused":
        return Verdict.ok(DH_UNUSED(), reason_refused=dh.get("reason"))
    if dh["status"] != "accepted" or "bits" not in dh:
        return Verdict.error(DH_UNREAD(detail=dh.get("reason", dh["status"])), **seen)
    bits = dh["bits"]
    if bits < MIN_DH_BITS:
        return Verdict.fail(DH_SMALL(bits=bits, minimum=MIN_DH_BITS), bits=bits, **seen)
    return Verdict.ok(DH_LARGE(bits=bits), bits=bits, **seen)


CERT_NOT_YET_VALID = message(
    "TLS-CERT-001/not-yet-valid", en="not valid before {not_before}", zh="证书尚未生效（生效时间 {not_before}）"
)
CERT_EXPIRED = message("TLS-CERT-001/expired", en="expired on {not_after}", zh="证书已于 {not_after} 过期")
CERT_EXPIRING = message(
    "TLS-CERT-001/expiring",
    en="expires in {days} days (threshold {warn_days})",
    zh="证书将在 {days} 天后过期（阈值 {warn_days} 天）",
)
CERT_VALID = message("TLS-CERT-001/valid", en="valid for {days} more days", zh="证书还有 {days} 天有效期")


@check(
    id="TLS-CERT-001",
    title=Text(zh="证书在有效期内且不会很快过期", en="Certificate is valid and not about to expire"),
    remediation=Text(
        zh="续期证书并自动化续期（如 certbot/acme.sh 定时任务），然后 nginx -s reload",
        en="Renew the certificate and automate renewal (e.g. a certbot/acme.sh timer), then nginx -s reload",
    ),
    severity=Severity.HIGH,
    mlps=("L3-CNS1-06", "L3-CNS1-07", "L3-CES1-27"),
    domains=_TRANSIT,
    coverage=(CoverageLine.BUSINESS_INTERRUPTION, CoverageLine.DATA_BREACH_LIABILITY),
    needs=NEEDS,
    params={"warn_days": 30},
    profiles=PROFILES,
    level=CheckLevel.ENDPOINT,
    basis="An expired or not-yet-valid certificate breaks the authenticated channel that integrity and confidentiality in transit rest on (8.1.2.2, 8.1.4.8 a).",
)
def expiry(ev: EvidenceView, p: Params) -> Verdict:
    cert = _cert(ev)
    days = cert["days_to_expiry"]
    seen = {"not_after": cert["not_after"], "days_to_expiry": days}
    if cert["not_yet_valid"]:
        return Verdict.fail(CERT_NOT_YET_VALID(not_before=cert["not_before"]), **seen)
    if days < 0:
        return Verdict.fail(CERT_EXPIRED(not_after=cert["not_after"]), **seen)
    if days < int(p["warn_days"]):
        return Verdict.fail(CERT_EXPIRING(days=days, warn_days=p["warn_days"]), **seen)
    return Verdict.ok(CERT_VALID(days=days), **seen)


KEY_UNKNOWN = message("TLS-CERT-002/unknown-type", en="unknown key type {kind}", zh="无法识别的密钥类型 {kind}")
KEY_WEAK = message("TLS-CERT-002/weak", en="{kind} {bits} bits", zh="{kind} 密钥仅 {bits} 位，强度不足")
KEY_STRONG = message("TLS-CERT-002/strong", en="{kind} {bits} bits", zh="{kind} 密钥 {bits} 位")


@check(
    id="TLS-CERT-002",
    title=Text(
        zh="证书公钥强度足够（RSA ≥ 2048 位，EC ≥ 256 位）",
        en="Certificate key is strong enough (RSA >= 2048 bits, EC >= 256 bits)",
    ),
    remediation=Text(
        zh="重新生成至少 RSA 2048 位或 ECDSA P-256 密钥并重新签发证书：openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 ...",
        en="Generate a new key of at least RSA 2048 or ECDSA P-256 and reissue the certificate: openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 ...",
    ),
    severity=Severity.MEDIUM,
    mlps=("L3-CNS1-06", "L3-CNS1-07", "L3-CES1-27"),
    domains=_TRANSIT,
    coverage=_BREACH,
    needs=NEEDS,
    params={"min_rsa_bits": 2048, "min_ec_bits": 256},
    profiles=PROFILES,
    level=CheckLevel.ENDPOINT,
    basis="A weak certificate key weakens the channel's authentication (8.1.2.2, 8.1.4.8 a).",
)
def key_strength(ev: EvidenceView, p: Params) -> Verdict:
    key = _cert(ev)["key"]
    kind, bits = key["type"], key["bits"]
    if kind in ("RSA", "DSA"):
        ok = isinstance(bits, int) and bits >= int(p["min_rsa_bits"])
    elif kind == "EC":
        ok = isinstance(bits, int) and bits >= int(p["min_ec_bits"])
    elif kind in ("Ed25519", "Ed448"):
        ok = True
    else:
        return Verdict.manual(KEY_UNKNOWN(kind=kind), key=dict(key))
    if not ok:
        return Verdict.fail(KEY_WEAK(kind=kind, bits=bits), key=dict(key))
    return Verdict.ok(KEY_STRONG(kind=kind, bits=bits), key=dict(key))


SIGNED_WEAK = message("TLS-CERT-003/weak", en="signed with {algorithm}", zh="证书使用弱哈希算法 {algorithm} 签名")
SIGNATURE_UNKNOWN = message("TLS-CERT-003/unrecognised", en="signature hash not recognised", zh="无法识别证书签名所用的哈希算法")
SIGNED_STRONG = message("TLS-CERT-003/strong", en="signed with {algorithm}", zh="证书使用 {algorithm} 签名")


@check(
    id="TLS-CERT-003",
    title=Text(zh="证书未使用弱签名算法（SHA-1/MD5）", en="Certificate is not signed with a weak hash (SHA-1/MD5)"),
    remediation=Text(
        zh="向 CA 申请使用 SHA-256 或更强签名算法的证书并替换部署",
        en="Have the CA reissue the certificate with SHA-256 or stronger and deploy it",
    ),
    severity=Severity.MEDIUM,
    mlps=("L3-CNS1-06", "L3-CNS1-07", "L3-CES1-27"),
    domains=_TRANSIT,
    coverage=_BREACH,
    needs=NEEDS,
    profiles=PROFILES,
    level=CheckLevel.ENDPOINT,
    basis="A SHA-1 or MD5 signature can be forged (8.1.2.2, 8.1.4.8 a).",
)
def signature_hash(ev: EvidenceView, p: Params) -> Verdict:
    cert = _cert(ev)
    algo = (cert["signature_hash"] or "").lower()
    seen = {"signature_algorithm": cert["signature_algorithm"]}
    if algo in ("md5", "sha1", "md2", "md4"):
        return Verdict.fail(SIGNED_WEAK(algorithm=algo), **seen)
    if not algo and not cert["signature_algorithm"].lower().startswith("ed"):
        return Verdict.manual(SIGNATURE_UNKNOWN(), **seen)
    return Verdict.ok(SIGNED_STRONG(algorithm=algo or cert["signature_algorithm"]), **seen)


HOST_NAMED = message("TLS-CERT-004/named", en="the certificate names the host", zh="证书中包含所访问的主机名")
HOST_NOT_NAMED = message(
    "TLS-CERT-004/not-named", en="{host} is not among the certificate's names", zh="{host} 不在证书列出的名称中"
)


@check(
    id="TLS-CERT-004",
    title=Text(zh="证书与访问的主机名匹配", en="Certificate matches the host name"),
    remediation=Text(
        zh="签发包含该主机名（subjectAltName DNS/IP）的证书，并在 nginx 对应 server 块配置 ssl_certificate",
        en="Issue a certificate whose subjectAltName covers the host name and set it with ssl_certificate in the matching nginx server block",
    ),
    severity=Severity.HIGH,
    mlps=("L3-CNS1-06", "L3-CNS1-07", "L3-CES1-27"),
    domains=_TRANSIT,
    coverage=_BREACH,
    needs=NEEDS,
    profiles=PROFILES,
    level=CheckLevel.ENDPOINT,
    basis="A certificate for another name lets clients be trained to accept interception (8.1.2.2, 8.1.4.8 a).",
)
def hostname(ev: EvidenceView, p: Params) -> Verdict:
    facts = _facts(ev)
    cert = _cert(ev)
    seen = {"host": facts["host"], "san_dns": cert["san_dns"], "san_ip": cert["san_ip"], "cn": cert["subject_cn"]}
    if cert["hostname_match"]:
        return Verdict.ok(HOST_NAMED(), **seen)
    return Verdict.fail(HOST_NOT_NAMED(host=facts["host"]), **seen)


CHAIN_TRUSTED = message("TLS-CERT-005/trusted", en="chain verifies against the trust store", zh="证书链可通过信任库验证")
SELF_SIGNED_TRUSTED = message(
    "TLS-CERT-005/self-signed-trusted",
    en="self-signed certificate explicitly trusted",
    zh="自签名证书被显式加入了信任库",
)
SELF_SIGNED_UNKNOWN = message(
    "TLS-CERT-005/self-signed-unknown",
    en="the chain verifies, but whether the certificate is self-signed is unknown: {detail}",
    zh="证书链验证通过，但无法确定证书是否自签名：{detail}",
)
SELF_SIGNED = message("TLS-CERT-005/self-signed", en="self-signed (verify: {detail})", zh="证书为自签名（验证结果：{detail}）")
CHAIN_UNTRUSTED = message("TLS-CERT-005/untrusted", en="{detail} (verify: {detail})", zh="证书链不受信任（验证结果：{detail}）")
CHAIN_UNVERIFIED = message("TLS-CERT-005/unverified", en="chain could not be verified: {detail}", zh="无法验证证书链：{detail}")


@check(
    id="TLS-CERT-005",
    title=Text(
        zh="证书由受信任的 CA 签发（非自签名）且证书链可信", en="Certificate chains to a trusted CA and is not self-signed"
    ),
    remediation=Text(
        zh="使用受信任 CA 签发的证书并配置完整链（nginx：ssl_certificate 指向 fullchain.pem）",
        en="Use a certificate from a trusted CA and serve the full chain (nginx: ssl_certificate pointing at fullchain.pem)",
    ),
    severity=Severity.HIGH,
    mlps=("L3-CNS1-06", "L3-CNS1-07", "L3-CES1-27"),
    domains=_TRANSIT,
    coverage=_BREACH,
    needs=NEEDS,
    profiles=PROFILES,
    level=CheckLevel.ENDPOINT,
    basis="An untrusted chain gives clients no way to tell the server from an interceptor (8.1.2.2, 8.1.4.8 a).",
)
def chain(ev: EvidenceView, p: Params) -> Verdict:
    info = _facts(ev)["chain"]
    cert = _cert(ev)
    own = cert["self_signed"]
    seen = {
        "self_signed": own,
        "self_signed_basis": cert.get("self_signed_basis"),
        "store": info["store"],
        "issuer": cert["issuer"],
    }
    status = info["status"]
    if status == "valid" and own is False:
        return Verdict.ok(CHAIN_TRUSTED(), **seen)
    if status == "valid" and own:
        return Verdict.fail(SELF_SIGNED_TRUSTED(), **seen)
    if status == "valid":
        return Verdict.manual(SELF_SIGNED_UNKNOWN(detail=cert.get("self_signed_basis")), **seen)
    if status == "invalid":
        why = SELF_SIGNED if own else CHAIN_UNTRUSTED
        return Verdict.fail(why(detail=info.get("reason")), **seen)
    return Verdict.error(CHAIN_UNVERIFIED(detail=info.get("reason")), **seen)
