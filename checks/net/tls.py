"""TLS posture checks of an https endpoint (PROTOCOLS.md §4.4), judged from ``tls.endpoint``.

A protocol or cipher class the agent could not test is never counted as
refused: it turns the verdict into MANUAL, stating what was not tested.
"""

from __future__ import annotations

from typing import List, Mapping, Sequence, Tuple, Union

from checks.model import CheckLevel, CoverageLine, InsurerDomain, Severity, Text, Verdict
from checks.registry import EvidenceView, Params, check
from collectors.net.tls_facts import (
    LEGACY_VERSIONS,
    MODERN_VERSIONS,
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


def _split(
    results: Mapping[str, Union[VersionFacts, CipherClassFacts]], names: Sequence[str]
) -> Tuple[List[str], List[str], List[str]]:
    """(accepted, refused, untested-with-reason) among ``names``; a name without a result was not probed."""
    accepted: List[str] = []
    refused: List[str] = []
    untested: List[str] = []
    for name in names:
        r = results.get(name)
        if r is None:
            untested.append(f"{name} (not probed)")
        elif r["status"] == "accepted":
            accepted.append(name)
        elif r["status"] == "refused":
            refused.append(name)
        else:
            untested.append(f"{name} ({r.get('reason', r['status'])})")
    return accepted, refused, untested


@check(
    id="TLS-PROTO-001",
    title=Text(zh="HTTPS 端点仍接受 TLS 1.0/1.1 旧协议", en="HTTPS endpoint still accepts legacy TLS 1.0/1.1"),
    remediation=Text(
        zh="仅启用 TLS 1.2 和 1.3。nginx：ssl_protocols TLSv1.2 TLSv1.3;  Apache：SSLProtocol -all +TLSv1.2 +TLSv1.3",
        en="Enable only TLS 1.2 and 1.3. nginx: ssl_protocols TLSv1.2 TLSv1.3;  Apache: SSLProtocol -all +TLSv1.2 +TLSv1.3",
    ),
    severity=Severity.HIGH,
    mlps=_MLPS,
    domains=_TRANSIT,
    coverage=_BREACH,
    needs=NEEDS,
    profiles=PROFILES,
    level=CheckLevel.ENDPOINT,
)
def legacy_protocols(ev: EvidenceView, p: Params) -> Verdict:
    accepted, refused, untested = _split(_facts(ev)["protocols"], LEGACY_VERSIONS)
    if accepted:
        return Verdict.fail(f"accepts {', '.join(accepted)}", accepted=accepted)
    if untested:
        return Verdict.manual(f"could not test: {'; '.join(untested)}", refused=refused, untested=untested)
    return Verdict.ok("TLS 1.0 and 1.1 refused", refused=refused)


@check(
    id="TLS-PROTO-002",
    title=Text(zh="HTTPS 端点不支持 TLS 1.2 或 1.3", en="HTTPS endpoint supports neither TLS 1.2 nor TLS 1.3"),
    remediation=Text(
        zh="升级 TLS 库并启用 TLS 1.2/1.3。nginx：ssl_protocols TLSv1.2 TLSv1.3;",
        en="Upgrade the TLS library and enable TLS 1.2/1.3. nginx: ssl_protocols TLSv1.2 TLSv1.3;",
    ),
    severity=Severity.MEDIUM,
    mlps=_MLPS,
    domains=_TRANSIT,
    coverage=(CoverageLine.DATA_BREACH_LIABILITY, CoverageLine.BUSINESS_INTERRUPTION),
    needs=NEEDS,
    profiles=PROFILES,
    level=CheckLevel.ENDPOINT,
)
def modern_protocols(ev: EvidenceView, p: Params) -> Verdict:
    accepted, refused, untested = _split(_facts(ev)["protocols"], MODERN_VERSIONS)
    if accepted:
        return Verdict.ok(f"supports {', '.join(accepted)}", accepted=accepted)
    if untested:
        return Verdict.manual(f"could not test: {'; '.join(untested)}", refused=refused, untested=untested)
    return Verdict.fail("neither TLS 1.2 nor TLS 1.3 is accepted", refused=refused)


@check(
    id="TLS-CIPH-001",
    title=Text(
        zh="HTTPS 端点接受弱密码套件（NULL/匿名/EXPORT/RC4/DES/3DES）",
        en="HTTPS endpoint accepts weak cipher suites (NULL/anonymous/EXPORT/RC4/DES/3DES)",
    ),
    remediation=Text(
        zh="只保留前向保密的 AEAD 套件。nginx：ssl_ciphers ECDHE+AESGCM:ECDHE+CHACHA20;  Apache：SSLCipherSuite ECDHE+AESGCM:ECDHE+CHACHA20",
        en="Keep only forward-secret AEAD suites. nginx: ssl_ciphers ECDHE+AESGCM:ECDHE+CHACHA20;  Apache: SSLCipherSuite ECDHE+AESGCM:ECDHE+CHACHA20",
    ),
    severity=Severity.HIGH,
    mlps=_MLPS,
    domains=_TRANSIT,
    coverage=_BREACH,
    needs=NEEDS,
    high_risk_case="6.2.2.1",
    profiles=PROFILES,
    level=CheckLevel.ENDPOINT,
)
def weak_ciphers(ev: EvidenceView, p: Params) -> Verdict:
    results = _facts(ev)["weak_ciphers"]
    if not results:
        return Verdict.manual("no weak cipher class was probed")
    accepted, refused, untested = _split(results, sorted(results))
    if accepted:
        chosen = {c: results[c].get("cipher") for c in accepted}
        return Verdict.fail(f"accepts {', '.join(accepted)} suites", accepted=chosen)
    if untested:
        return Verdict.manual(f"could not test: {'; '.join(untested)}", refused=refused, untested=untested)
    return Verdict.ok("every weak class refused", refused=refused)


@check(
    id="TLS-CERT-001",
    title=Text(zh="证书已过期、尚未生效或即将过期", en="Certificate expired, not yet valid, or about to expire"),
    remediation=Text(
        zh="续期证书并自动化续期（如 certbot/acme.sh 定时任务），然后 nginx -s reload",
        en="Renew the certificate and automate renewal (e.g. a certbot/acme.sh timer), then nginx -s reload",
    ),
    severity=Severity.HIGH,
    mlps=_MLPS,
    domains=_TRANSIT,
    coverage=(CoverageLine.BUSINESS_INTERRUPTION, CoverageLine.DATA_BREACH_LIABILITY),
    needs=NEEDS,
    params={"warn_days": 30},
    profiles=PROFILES,
    level=CheckLevel.ENDPOINT,
)
def expiry(ev: EvidenceView, p: Params) -> Verdict:
    cert = _cert(ev)
    days = cert["days_to_expiry"]
    seen = {"not_after": cert["not_after"], "days_to_expiry": days}
    if cert["not_yet_valid"]:
        return Verdict.fail(f"not valid before {cert['not_before']}", **seen)
    if days < 0:
        return Verdict.fail(f"expired on {cert['not_after']}", **seen)
    if days < int(p["warn_days"]):
        return Verdict.fail(f"expires in {days} days (threshold {p['warn_days']})", **seen)
    return Verdict.ok(f"valid for {days} more days", **seen)


@check(
    id="TLS-CERT-002",
    title=Text(
        zh="证书公钥强度不足（RSA < 2048 位或 EC < 256 位）", en="Certificate key too weak (RSA < 2048 bits or EC < 256 bits)"
    ),
    remediation=Text(
        zh="重新生成至少 RSA 2048 位或 ECDSA P-256 密钥并重新签发证书：openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 ...",
        en="Generate a new key of at least RSA 2048 or ECDSA P-256 and reissue the certificate: openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 ...",
    ),
    severity=Severity.MEDIUM,
    mlps=_MLPS,
    domains=_TRANSIT,
    coverage=_BREACH,
    needs=NEEDS,
    params={"min_rsa_bits": 2048, "min_ec_bits": 256},
    profiles=PROFILES,
    level=CheckLevel.ENDPOINT,
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
        return Verdict.manual(f"unknown key type {kind}", key=dict(key))
    if not ok:
        return Verdict.fail(f"{kind} {bits} bits", key=dict(key))
    return Verdict.ok(f"{kind} {bits} bits", key=dict(key))


@check(
    id="TLS-CERT-003",
    title=Text(zh="证书使用弱签名算法（SHA-1/MD5）", en="Certificate signed with a weak hash (SHA-1/MD5)"),
    remediation=Text(
        zh="向 CA 申请使用 SHA-256 或更强签名算法的证书并替换部署",
        en="Have the CA reissue the certificate with SHA-256 or stronger and deploy it",
    ),
    severity=Severity.MEDIUM,
    mlps=_MLPS,
    domains=_TRANSIT,
    coverage=_BREACH,
    needs=NEEDS,
    profiles=PROFILES,
    level=CheckLevel.ENDPOINT,
)
def signature_hash(ev: EvidenceView, p: Params) -> Verdict:
    cert = _cert(ev)
    algo = (cert["signature_hash"] or "").lower()
    seen = {"signature_algorithm": cert["signature_algorithm"]}
    if algo in ("md5", "sha1", "md2", "md4"):
        return Verdict.fail(f"signed with {algo}", **seen)
    if not algo and not cert["signature_algorithm"].lower().startswith("ed"):
        return Verdict.manual("signature hash not recognised", **seen)
    return Verdict.ok(f"signed with {algo or cert['signature_algorithm']}", **seen)


@check(
    id="TLS-CERT-004",
    title=Text(zh="证书与访问的主机名不匹配", en="Certificate does not match the host name"),
    remediation=Text(
        zh="签发包含该主机名（subjectAltName DNS/IP）的证书，并在 nginx 对应 server 块配置 ssl_certificate",
        en="Issue a certificate whose subjectAltName covers the host name and set it with ssl_certificate in the matching nginx server block",
    ),
    severity=Severity.HIGH,
    mlps=_MLPS,
    domains=_TRANSIT,
    coverage=_BREACH,
    needs=NEEDS,
    profiles=PROFILES,
    level=CheckLevel.ENDPOINT,
)
def hostname(ev: EvidenceView, p: Params) -> Verdict:
    facts = _facts(ev)
    cert = _cert(ev)
    seen = {"host": facts["host"], "san_dns": cert["san_dns"], "san_ip": cert["san_ip"], "cn": cert["subject_cn"]}
    if cert["hostname_match"]:
        return Verdict.ok("the certificate names the host", **seen)
    return Verdict.fail(f"{facts['host']} is not among the certificate's names", **seen)


@check(
    id="TLS-CERT-005",
    title=Text(zh="证书自签名或证书链不受信任", en="Certificate is self-signed or its chain is not trusted"),
    remediation=Text(
        zh="使用受信任 CA 签发的证书并配置完整链（nginx：ssl_certificate 指向 fullchain.pem）",
        en="Use a certificate from a trusted CA and serve the full chain (nginx: ssl_certificate pointing at fullchain.pem)",
    ),
    severity=Severity.HIGH,
    mlps=_MLPS,
    domains=_TRANSIT,
    coverage=_BREACH,
    needs=NEEDS,
    profiles=PROFILES,
    level=CheckLevel.ENDPOINT,
)
def chain(ev: EvidenceView, p: Params) -> Verdict:
    info = _facts(ev)["chain"]
    cert = _cert(ev)
    seen = {"self_signed": cert["self_signed"], "store": info["store"], "issuer": cert["issuer"]}
    status = info["status"]
    if status == "valid" and not cert["self_signed"]:
        return Verdict.ok("chain verifies against the trust store", **seen)
    if status == "valid":
        return Verdict.fail("self-signed certificate explicitly trusted", **seen)
    if status == "invalid":
        why = "self-signed" if cert["self_signed"] else str(info.get("reason"))
        return Verdict.fail(f"{why} (verify: {info.get('reason')})", **seen)
    return Verdict.error(f"chain could not be verified: {info.get('reason')}", **seen)
