"""TLS posture checks of an https endpoint (PROTOCOLS.md §4.4), judged from ``tls.endpoint``.

A protocol or cipher class the agent could not test is never counted as
refused: it turns the verdict into MANUAL, stating what was not tested.
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Tuple

from checks.mlps import refs
from checks.model import CheckMeta, CoverageLine, InsurerDomain, Severity, Text, Verdict
from checks.registry import EvidenceView, Params, check

NEEDS = ("tls.endpoint",)
_MLPS = refs("L3-CNS1-06", "L3-CNS1-07", "L3-CES1-27")
_TRANSIT = (InsurerDomain.ENCRYPTION_TRANSIT, InsurerDomain.EXPOSURE)
_BREACH = (CoverageLine.DATA_BREACH_LIABILITY, CoverageLine.INCIDENT_RESPONSE)


def _meta(
    area: str,
    num: int,
    title: Tuple[str, str],
    fix: Tuple[str, str],
    severity: Severity,
    coverage: Tuple[CoverageLine, ...] = _BREACH,
    params: Optional[Dict[str, Any]] = None,
    high_risk_case: Optional[str] = None,
) -> CheckMeta:
    return CheckMeta(
        id=f"TLS-{area}-{num:03d}",
        title=Text(zh=title[0], en=title[1]),
        remediation=Text(zh=fix[0], en=fix[1]),
        severity=severity,
        mlps=_MLPS,
        domains=_TRANSIT,
        coverage=coverage,
        needs=NEEDS,
        params=params or {},
        high_risk_case=high_risk_case,
        profiles=("website", "server"),
        level="endpoint",
    )


def _facts(ev: EvidenceView) -> Mapping[str, Any]:
    return ev.facts("tls.endpoint")


def _cert(ev: EvidenceView) -> Mapping[str, Any]:
    cert = _facts(ev).get("certificate")
    if not isinstance(cert, Mapping):
        raise ValueError("tls.endpoint has no certificate facts")
    return cert


def _split(results: Mapping[str, Any], names: List[str]) -> Tuple[List[str], List[str], List[str]]:
    """(accepted, refused, untested-with-reason) among ``names``."""
    accepted, refused, untested = [], [], []
    for name in names:
        r = results.get(name) or {"status": "untestable", "reason": "not probed"}
        if r.get("status") == "accepted":
            accepted.append(name)
        elif r.get("status") == "refused":
            refused.append(name)
        else:
            untested.append(f"{name} ({r.get('reason', r.get('status'))})")
    return accepted, refused, untested


@check(
    _meta(
        "PROTO",
        1,
        ("HTTPS 端点仍接受 TLS 1.0/1.1 旧协议", "HTTPS endpoint still accepts legacy TLS 1.0/1.1"),
        (
            "仅启用 TLS 1.2 和 1.3。nginx：ssl_protocols TLSv1.2 TLSv1.3;  Apache：SSLProtocol -all +TLSv1.2 +TLSv1.3",
            "Enable only TLS 1.2 and 1.3. nginx: ssl_protocols TLSv1.2 TLSv1.3;  Apache: SSLProtocol -all +TLSv1.2 +TLSv1.3",
        ),
        Severity.HIGH,
    )
)
def legacy_protocols(ev: EvidenceView, p: Params) -> Verdict:
    accepted, refused, untested = _split(_facts(ev).get("protocols") or {}, ["TLSv1", "TLSv1.1"])
    if accepted:
        return Verdict.fail(f"accepts {', '.join(accepted)}", accepted=accepted)
    if untested:
        return Verdict.manual(f"could not test: {'; '.join(untested)}", refused=refused, untested=untested)
    return Verdict.ok("TLS 1.0 and 1.1 refused", refused=refused)


@check(
    _meta(
        "PROTO",
        2,
        ("HTTPS 端点不支持 TLS 1.2 或 1.3", "HTTPS endpoint supports neither TLS 1.2 nor TLS 1.3"),
        (
            "升级 TLS 库并启用 TLS 1.2/1.3。nginx：ssl_protocols TLSv1.2 TLSv1.3;",
            "Upgrade the TLS library and enable TLS 1.2/1.3. nginx: ssl_protocols TLSv1.2 TLSv1.3;",
        ),
        Severity.MEDIUM,
        coverage=(CoverageLine.DATA_BREACH_LIABILITY, CoverageLine.BUSINESS_INTERRUPTION),
    )
)
def modern_protocols(ev: EvidenceView, p: Params) -> Verdict:
    accepted, refused, untested = _split(_facts(ev).get("protocols") or {}, ["TLSv1.2", "TLSv1.3"])
    if accepted:
        return Verdict.ok(f"supports {', '.join(accepted)}", accepted=accepted)
    if untested:
        return Verdict.manual(f"could not test: {'; '.join(untested)}", refused=refused, untested=untested)
    return Verdict.fail("neither TLS 1.2 nor TLS 1.3 is accepted", refused=refused)


@check(
    _meta(
        "CIPH",
        1,
        (
            "HTTPS 端点接受弱密码套件（NULL/匿名/EXPORT/RC4/DES/3DES）",
            "HTTPS endpoint accepts weak cipher suites (NULL/anonymous/EXPORT/RC4/DES/3DES)",
        ),
        (
            "只保留前向保密的 AEAD 套件。nginx：ssl_ciphers ECDHE+AESGCM:ECDHE+CHACHA20;  Apache：SSLCipherSuite ECDHE+AESGCM:ECDHE+CHACHA20",
            "Keep only forward-secret AEAD suites. nginx: ssl_ciphers ECDHE+AESGCM:ECDHE+CHACHA20;  Apache: SSLCipherSuite ECDHE+AESGCM:ECDHE+CHACHA20",
        ),
        Severity.HIGH,
        high_risk_case="6.2.2.1",
    )
)
def weak_ciphers(ev: EvidenceView, p: Params) -> Verdict:
    results: Mapping[str, Any] = _facts(ev).get("weak_ciphers") or {}
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
    _meta(
        "CERT",
        1,
        ("证书已过期、尚未生效或即将过期", "Certificate expired, not yet valid, or about to expire"),
        (
            "续期证书并自动化续期（如 certbot/acme.sh 定时任务），然后 nginx -s reload",
            "Renew the certificate and automate renewal (e.g. a certbot/acme.sh timer), then nginx -s reload",
        ),
        Severity.HIGH,
        coverage=(CoverageLine.BUSINESS_INTERRUPTION, CoverageLine.DATA_BREACH_LIABILITY),
        params={"warn_days": 30},
    )
)
def expiry(ev: EvidenceView, p: Params) -> Verdict:
    cert = _cert(ev)
    days = int(cert["days_to_expiry"])
    seen = {"not_after": cert.get("not_after"), "days_to_expiry": days}
    if cert.get("not_yet_valid"):
        return Verdict.fail(f"not valid before {cert.get('not_before')}", **seen)
    if days < 0:
        return Verdict.fail(f"expired on {cert.get('not_after')}", **seen)
    if days < int(p["warn_days"]):
        return Verdict.fail(f"expires in {days} days (threshold {p['warn_days']})", **seen)
    return Verdict.ok(f"valid for {days} more days", **seen)


@check(
    _meta(
        "CERT",
        2,
        ("证书公钥强度不足（RSA < 2048 位或 EC < 256 位）", "Certificate key too weak (RSA < 2048 bits or EC < 256 bits)"),
        (
            "重新生成至少 RSA 2048 位或 ECDSA P-256 密钥并重新签发证书：openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 ...",
            "Generate a new key of at least RSA 2048 or ECDSA P-256 and reissue the certificate: openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 ...",
        ),
        Severity.MEDIUM,
        params={"min_rsa_bits": 2048, "min_ec_bits": 256},
    )
)
def key_strength(ev: EvidenceView, p: Params) -> Verdict:
    key = _cert(ev).get("key") or {}
    kind, bits = key.get("type"), key.get("bits")
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
    _meta(
        "CERT",
        3,
        ("证书使用弱签名算法（SHA-1/MD5）", "Certificate signed with a weak hash (SHA-1/MD5)"),
        (
            "向 CA 申请使用 SHA-256 或更强签名算法的证书并替换部署",
            "Have the CA reissue the certificate with SHA-256 or stronger and deploy it",
        ),
        Severity.MEDIUM,
    )
)
def signature_hash(ev: EvidenceView, p: Params) -> Verdict:
    cert = _cert(ev)
    algo = str(cert.get("signature_hash") or "").lower()
    seen = {"signature_algorithm": cert.get("signature_algorithm")}
    if algo in ("md5", "sha1", "md2", "md4"):
        return Verdict.fail(f"signed with {algo}", **seen)
    if not algo and not str(cert.get("signature_algorithm", "")).lower().startswith("ed"):
        return Verdict.manual("signature hash not recognised", **seen)
    return Verdict.ok(f"signed with {algo or cert.get('signature_algorithm')}", **seen)


@check(
    _meta(
        "CERT",
        4,
        ("证书与访问的主机名不匹配", "Certificate does not match the host name"),
        (
            "签发包含该主机名（subjectAltName DNS/IP）的证书，并在 nginx 对应 server 块配置 ssl_certificate",
            "Issue a certificate whose subjectAltName covers the host name and set it with ssl_certificate in the matching nginx server block",
        ),
        Severity.HIGH,
    )
)
def hostname(ev: EvidenceView, p: Params) -> Verdict:
    facts = _facts(ev)
    cert = _cert(ev)
    seen = {"host": facts.get("host"), "san_dns": cert.get("san_dns"), "san_ip": cert.get("san_ip"), "cn": cert.get("subject_cn")}
    if cert.get("hostname_match") is True:
        return Verdict.ok("the certificate names the host", **seen)
    return Verdict.fail(f"{facts.get('host')} is not among the certificate's names", **seen)


@check(
    _meta(
        "CERT",
        5,
        ("证书自签名或证书链不受信任", "Certificate is self-signed or its chain is not trusted"),
        (
            "使用受信任 CA 签发的证书并配置完整链（nginx：ssl_certificate 指向 fullchain.pem）",
            "Use a certificate from a trusted CA and serve the full chain (nginx: ssl_certificate pointing at fullchain.pem)",
        ),
        Severity.HIGH,
    )
)
def chain(ev: EvidenceView, p: Params) -> Verdict:
    facts = _facts(ev)
    info: Mapping[str, Any] = facts.get("chain") or {}
    seen = {"self_signed": _cert(ev).get("self_signed"), "store": info.get("store"), "issuer": _cert(ev).get("issuer")}
    status = info.get("status")
    if status == "valid" and not _cert(ev).get("self_signed"):
        return Verdict.ok("chain verifies against the trust store", **seen)
    if status == "valid":
        return Verdict.fail("self-signed certificate explicitly trusted", **seen)
    if status == "invalid":
        why = "self-signed" if _cert(ev).get("self_signed") else str(info.get("reason"))
        return Verdict.fail(f"{why} (verify: {info.get('reason')})", **seen)
    return Verdict.error(f"chain could not be verified: {info.get('reason')}", **seen)
