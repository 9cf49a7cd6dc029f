"""TLS posture of an https endpoint: protocols, weak suites, certificate, chain.

Everything is judged from handshakes made with Python's ``ssl`` (the system
OpenSSL) and the leaf certificate parsed with ``cryptography``. A protocol
or cipher class the local OpenSSL cannot offer is recorded as "untestable",
never as refused: absence of a test is not a clean result. Weak cipher
classes that OpenSSL 3 no longer compiles in (RC4, DES, 3DES, EXPORT) are
probed with a hand-built ClientHello that only reads the ServerHello, so no
weak crypto has to exist locally.

The environment variable ``RISKAGENT_EXTRA_CA`` may name a PEM file of extra
trust anchors (a private CA) added to the system store for the chain check.

The facts shape, the key ``TLS_ENDPOINT`` and the protocol version names live
in :mod:`collectors.net.tls_facts`, which the checks import without this
module; the ``ssl.TLSVersion`` table here is held to those names at import.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import socket
import ssl
import struct
import warnings
from typing import Dict, List, Literal, Optional, Sequence, Tuple

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.x509.oid import NameOID

from collectors.evidence import CollectError, ErrorReason, NotApplicable
from collectors.net.registry import NetProbe, net_collector
from collectors.net.scope import Target
from collectors.net.tls_facts import (
    LEGACY_VERSIONS,
    MODERN_VERSIONS,
    TLS_ENDPOINT,
    CertificateFacts,
    ChainFacts,
    CipherClassFacts,
    KeyFacts,
    NegotiatedFacts,
    TlsEndpointFacts,
    VersionFacts,
)

EXTRA_CA_ENV = "RISKAGENT_EXTRA_CA"

VERSIONS: Tuple[Tuple[str, ssl.TLSVersion], ...] = (
    ("TLSv1", ssl.TLSVersion.TLSv1),
    ("TLSv1.1", ssl.TLSVersion.TLSv1_1),
    ("TLSv1.2", ssl.TLSVersion.TLSv1_2),
    ("TLSv1.3", ssl.TLSVersion.TLSv1_3),
)
# The facts name the versions without ssl (tls_facts.LEGACY_VERSIONS / MODERN_VERSIONS, which the
# checks judge); this table must split the same way, so a disagreement stops the import.
_SPLIT = (
    tuple(name for name, v in VERSIONS if v < ssl.TLSVersion.TLSv1_2),
    tuple(name for name, v in VERSIONS if v >= ssl.TLSVersion.TLSv1_2),
)
if _SPLIT != (LEGACY_VERSIONS, MODERN_VERSIONS):  # pragma: no cover - a guard against a future edit
    raise RuntimeError(f"VERSIONS splits as {_SPLIT}, tls_facts says {(LEGACY_VERSIONS, MODERN_VERSIONS)}")

# class -> (OpenSSL cipher string, IANA code points for the raw ClientHello fallback)
WEAK_CLASSES: Dict[str, Tuple[str, Tuple[int, ...]]] = {
    "NULL": ("eNULL", (0x0001, 0x0002, 0x003B, 0xC006, 0xC010)),
    "aNULL": ("aNULL", (0x0018, 0x0034, 0x003A, 0x006C, 0x006D, 0xC018, 0xC019)),
    "EXPORT": ("EXPORT", (0x0003, 0x0006, 0x0008, 0x000E, 0x0011, 0x0014)),
    "RC4": ("RC4", (0x0004, 0x0005, 0xC007, 0xC011)),
    "DES": ("DES:!3DES", (0x0009, 0x000C, 0x0012, 0x0015)),
    "3DES": ("3DES", (0x000A, 0x000D, 0x0013, 0x0016, 0xC008, 0xC012)),
}
# Acceptable but dated: CBC suites with a SHA-1 MAC (recorded, not judged weak).
MEDIUM_CLASSES: Dict[str, str] = {"CBC-SHA1": "SHA1:!eNULL:!aNULL:!RC4:!DES:!3DES:!EXPORT"}

_LOCAL_LIMITS = ("NO_PROTOCOLS_AVAILABLE", "NO_CIPHERS_AVAILABLE", "NO_CIPHER_MATCH", "UNSUPPORTED_PROTOCOL_VERSION")


class _Local(Exception):
    """The local OpenSSL cannot make this handshake at all."""


class _Timeout(Exception):
    """The endpoint did not answer within the deadline."""


def _permissive(lo: ssl.TLSVersion, hi: ssl.TLSVersion, ciphers: str = "ALL") -> ssl.SSLContext:
    """A client context that offers whatever is asked (SECLEVEL=0) and verifies nothing: it only observes."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            ctx.minimum_version = lo
            ctx.maximum_version = hi
        ctx.set_ciphers(f"{ciphers}:@SECLEVEL=0")
    except (ValueError, ssl.SSLError) as exc:
        raise _Local(str(exc)) from None
    return ctx


def _reason(exc: BaseException) -> str:
    return str(getattr(exc, "reason", None) or exc.__class__.__name__).upper()


class _Conn:
    """One endpoint: address chosen once, every handshake within the deadline, one at a time."""

    def __init__(self, probe: NetProbe, target: Target) -> None:
        self.probe = probe
        self.host = target.host
        self.port = int(target.port or 443)
        self.sni: Optional[str] = None if _is_ip(target.host) else target.host
        self.timeout = probe.ctx.timeout_s
        self.endpoint = f"{target.host}:{self.port}"
        self.address = self._pick_address(target)

    def _pick_address(self, target: Target) -> str:
        addresses = list(target.addresses) or [target.host]
        last: Optional[OSError] = None
        for addr in addresses:
            self.probe.require_in_scope(addr)
            try:
                with socket.create_connection((addr, self.port), timeout=self.timeout):
                    return addr
            except TimeoutError:
                self.probe.record(self.endpoint, "tcp", "timeout")
                raise CollectError(ErrorReason.TIMEOUT, f"{self.endpoint}: no TCP answer within {self.timeout:g} s") from None
            except OSError as exc:
                last = exc
        self.probe.record(self.endpoint, "tcp", str(last))
        raise CollectError(ErrorReason.NOT_FOUND, f"{self.endpoint}: cannot connect ({last})")

    def _socket(self) -> socket.socket:
        self.probe.require_in_scope(self.address)
        try:
            return socket.create_connection((self.address, self.port), timeout=self.timeout)
        except TimeoutError:
            raise _Timeout(f"no TCP answer within {self.timeout:g} s") from None

    def handshake(self, ctx: ssl.SSLContext, label: str) -> Tuple[Optional[str], Optional[Tuple[str, str, int]], bytes]:
        """(protocol, cipher, leaf DER) of one handshake; raises ssl errors, _Local or _Timeout."""
        sock = self._socket()
        try:
            with ctx.wrap_socket(sock, server_hostname=self.sni) as tls:
                out = (tls.version(), tls.cipher(), tls.getpeercert(binary_form=True) or b"")
            self.probe.record(self.endpoint, f"tls:{label}")
            return out
        except TimeoutError:
            self.probe.record(self.endpoint, f"tls:{label}", "timeout")
            raise _Timeout(f"no TLS answer within {self.timeout:g} s") from None
        except ssl.SSLError as exc:
            self.probe.record(self.endpoint, f"tls:{label}", _reason(exc).lower())
            if any(k in _reason(exc) for k in _LOCAL_LIMITS) and "ALERT" not in _reason(exc):
                raise _Local(f"local OpenSSL: {_reason(exc).lower()}") from None
            raise
        except OSError as exc:
            self.probe.record(self.endpoint, f"tls:{label}", str(exc))
            raise
        finally:
            sock.close()

    def raw_hello(self, suites: Sequence[int]) -> Tuple[Literal["accepted", "refused", "error"], Optional[int], str]:
        """Offer ``suites`` in a TLS 1.2 ClientHello; ("accepted", suite) or ("refused"/"error", reason)."""
        try:
            sock = self._socket()
        except _Timeout as exc:
            return "error", None, str(exc)
        try:
            sock.sendall(_client_hello(suites, self.sni))
            head = _recv_exact(sock, 5)
            if len(head) < 5:
                return "refused", None, "connection closed without a ServerHello"
            kind, length = head[0], struct.unpack("!H", head[3:5])[0]
            body = _recv_exact(sock, min(length, 16384))
            if kind == 0x15:
                return "refused", None, f"alert {body[1] if len(body) > 1 else '?'}"
            if kind != 0x16 or len(body) < 41 or body[0] != 0x02:
                return "error", None, "unexpected reply to a ClientHello"
            sid_len = body[38]
            if len(body) < 41 + sid_len:
                return "error", None, "truncated ServerHello"
            suite = struct.unpack("!H", body[39 + sid_len : 41 + sid_len])[0]
            if suite not in suites:
                return "error", None, f"server chose suite 0x{suite:04X} that was not offered"
            return "accepted", suite, ""
        except TimeoutError:
            return "error", None, f"no answer within {self.timeout:g} s"
        except (ConnectionResetError, BrokenPipeError):
            return "refused", None, "connection reset"
        except OSError as exc:
            return "error", None, str(exc)
        finally:
            self.probe.record(self.endpoint, "tls:raw-hello")
            sock.close()


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            break
        buf += chunk
    return buf


def _ext(kind: int, data: bytes) -> bytes:
    return struct.pack("!HH", kind, len(data)) + data


def _client_hello(suites: Sequence[int], sni: Optional[str]) -> bytes:
    """A minimal TLS 1.2 ClientHello offering only ``suites`` (plus the renegotiation SCSV)."""
    codes = [*suites, 0x00FF]
    exts = b""
    if sni:
        name = sni.encode("ascii", "replace")
        exts += _ext(0x0000, struct.pack("!HBH", len(name) + 3, 0, len(name)) + name)
    groups = (0x001D, 0x0017, 0x0018)
    exts += _ext(0x000A, struct.pack("!H", 2 * len(groups)) + b"".join(struct.pack("!H", g) for g in groups))
    exts += _ext(0x000B, b"\x01\x00")
    sigs = (0x0401, 0x0501, 0x0601, 0x0201, 0x0403, 0x0503, 0x0203, 0x0804, 0x0202)
    exts += _ext(0x000D, struct.pack("!H", 2 * len(sigs)) + b"".join(struct.pack("!H", s) for s in sigs))
    body = b"\x03\x03" + os.urandom(32) + b"\x00"
    body += struct.pack("!H", 2 * len(codes)) + b"".join(struct.pack("!H", c) for c in codes)
    body += b"\x01\x00" + struct.pack("!H", len(exts)) + exts
    hs = b"\x01" + struct.pack("!I", len(body))[1:] + body
    return b"\x16\x03\x01" + struct.pack("!H", len(hs)) + hs


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _handshake_error(conn: _Conn, exc: BaseException) -> CollectError:
    """Turn the first handshake's failure into an error that says what the port is."""
    r = _reason(exc)
    if isinstance(exc, _Timeout):
        return CollectError(ErrorReason.TIMEOUT, f"{conn.endpoint}: TLS handshake timed out ({exc})")
    if "WRONG_VERSION_NUMBER" in r or "HTTP_REQUEST" in r or "PACKET_LENGTH_TOO_LONG" in r:
        return CollectError(
            ErrorReason.MALFORMED,
            f"{conn.endpoint}: TLS handshake failed: {r.lower().replace('_', ' ')} (the port does not speak TLS)",
        )
    if isinstance(exc, _Local):
        return CollectError(ErrorReason.UNSUPPORTED, f"{conn.endpoint}: {exc}")
    if isinstance(exc, (ssl.SSLEOFError, ConnectionResetError)) or "EOF" in r:
        return CollectError(ErrorReason.MALFORMED, f"{conn.endpoint}: TLS handshake failed: the peer closed the connection")
    return CollectError(ErrorReason.MALFORMED, f"{conn.endpoint}: TLS handshake failed: {r.lower().replace('_', ' ')}")


def _refusal(exc: BaseException) -> str:
    if isinstance(exc, (ConnectionResetError, ssl.SSLEOFError)):
        return "connection closed"
    return _reason(exc).lower()


def _probe_versions(conn: _Conn) -> Dict[str, VersionFacts]:
    out: Dict[str, VersionFacts] = {}
    for name, version in VERSIONS:
        try:
            proto, cipher, _ = conn.handshake(_permissive(version, version), name)
            out[name] = {"status": "accepted", "cipher": cipher[0] if cipher else None, "negotiated": proto}
        except _Local as exc:
            out[name] = {"status": "untestable", "reason": f"the local OpenSSL cannot offer {name}: {exc}"}
        except _Timeout as exc:
            out[name] = {"status": "error", "reason": str(exc)}
        except (ssl.SSLError, OSError) as exc:
            out[name] = {"status": "refused", "reason": _refusal(exc)}
    return out


def _probe_ciphers(conn: _Conn, classes: Dict[str, str], raw: Dict[str, Tuple[int, ...]]) -> Dict[str, CipherClassFacts]:
    out: Dict[str, CipherClassFacts] = {}
    for cls, spec in classes.items():
        try:
            ctx = _permissive(ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_2, spec)
            proto, cipher, _ = conn.handshake(ctx, f"ciphers:{cls}")
            out[cls] = {"status": "accepted", "method": "openssl", "cipher": cipher[0] if cipher else None, "protocol": proto}
        except _Local as exc:
            if cls in raw:
                status, suite, why = conn.raw_hello(raw[cls])
                entry: CipherClassFacts = {"status": status, "method": "raw-hello"}
                if suite is not None:
                    entry["cipher"] = f"0x{suite:04X}"
                if why:
                    entry["reason"] = why
                out[cls] = entry
            else:
                out[cls] = {"status": "untestable", "reason": f"the local OpenSSL cannot offer {cls} suites: {exc}"}
        except _Timeout as exc:
            out[cls] = {"status": "error", "method": "openssl", "reason": str(exc)}
        except (ssl.SSLError, OSError) as exc:
            out[cls] = {"status": "refused", "method": "openssl", "reason": _refusal(exc)}
    return out


def _name_attr(name: x509.Name, oid: x509.ObjectIdentifier) -> Optional[str]:
    attrs = name.get_attributes_for_oid(oid)
    return str(attrs[0].value) if attrs else None


def _key_facts(cert: x509.Certificate) -> KeyFacts:
    key = cert.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        return {"type": "RSA", "bits": key.key_size}
    if isinstance(key, ec.EllipticCurvePublicKey):
        return {"type": "EC", "bits": key.curve.key_size, "curve": key.curve.name}
    if isinstance(key, dsa.DSAPublicKey):
        return {"type": "DSA", "bits": key.key_size}
    if isinstance(key, ed25519.Ed25519PublicKey):
        return {"type": "Ed25519", "bits": 256}
    if isinstance(key, ed448.Ed448PublicKey):
        return {"type": "Ed448", "bits": 456}
    return {"type": type(key).__name__, "bits": None}


def _self_signed(cert: x509.Certificate) -> bool:
    if cert.issuer != cert.subject:
        return False
    try:
        cert.verify_directly_issued_by(cert)
    except (InvalidSignature, UnsupportedAlgorithm, ValueError, TypeError):
        return False
    return True


def _dns_match(pattern: str, host: str) -> bool:
    pattern, host = pattern.lower().rstrip("."), host.lower().rstrip(".")
    if pattern.startswith("*."):
        head, _, rest = host.partition(".")
        return bool(head) and rest == pattern[2:] and "." in rest
    return pattern == host


def _hostname_match(host: str, dns: List[str], ips: List[str], cn: Optional[str]) -> bool:
    if _is_ip(host):
        want = ipaddress.ip_address(host)
        if dns or ips:
            return any(ipaddress.ip_address(i) == want for i in ips)
        return cn is not None and _is_ip(cn) and ipaddress.ip_address(cn) == want
    if dns or ips:
        return any(_dns_match(p, host) for p in dns)
    return cn is not None and _dns_match(cn, host)


def certificate_facts(der: bytes, host: str, now: Optional[dt.datetime] = None) -> CertificateFacts:
    """Leaf certificate facts (no private material); ``now`` for tests."""
    cert = x509.load_der_x509_certificate(der)
    now = now or dt.datetime.now(dt.timezone.utc)
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        dns = [str(n) for n in san.get_values_for_type(x509.DNSName)]
        ips = [str(a) for a in san.get_values_for_type(x509.IPAddress)]
    except x509.ExtensionNotFound:
        dns, ips = [], []
    cn = _name_attr(cert.subject, NameOID.COMMON_NAME)
    algo = cert.signature_hash_algorithm
    not_after, not_before = cert.not_valid_after_utc, cert.not_valid_before_utc
    return {
        "subject_cn": cn,
        "subject": cert.subject.rfc4514_string(),
        "issuer": cert.issuer.rfc4514_string(),
        "san_dns": dns,
        "san_ip": ips,
        "not_before": not_before.isoformat().replace("+00:00", "Z"),
        "not_after": not_after.isoformat().replace("+00:00", "Z"),
        "days_to_expiry": (not_after - now).days,
        "not_yet_valid": now < not_before,
        "key": _key_facts(cert),
        "signature_hash": algo.name if isinstance(algo, hashes.HashAlgorithm) else None,
        "signature_algorithm": getattr(cert.signature_algorithm_oid, "_name", cert.signature_algorithm_oid.dotted_string),
        "self_signed": _self_signed(cert),
        "hostname_match": _hostname_match(host, dns, ips, cn),
        "sha256": cert.fingerprint(hashes.SHA256()).hex(),
    }


def same_verification_everywhere(ctx: ssl.SSLContext) -> None:
    """Strict RFC 5280 chain checks, as Python 3.13 and later do by default, on every Python we run on."""
    ctx.verify_flags |= ssl.VERIFY_X509_STRICT | ssl.VERIFY_X509_PARTIAL_CHAIN


def _chain(conn: _Conn) -> ChainFacts:
    """Validate the served chain against the system store (plus RISKAGENT_EXTRA_CA); hostname is judged apart."""
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    same_verification_everywhere(ctx)
    extra = os.environ.get(EXTRA_CA_ENV) or None
    store = "system" + (" + extra CA" if extra else "")
    if extra:
        try:
            ctx.load_verify_locations(cafile=extra)
        except (OSError, ssl.SSLError) as exc:
            return {"extra_ca": extra, "store": store, "status": "error", "reason": f"cannot load {EXTRA_CA_ENV}={extra}: {exc}"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        # Trust only: key size and signature strength are separate checks, old protocols too.
        ctx.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
        ctx.set_ciphers("ALL:@SECLEVEL=0")
    try:
        conn.handshake(ctx, "verify")
    except ssl.SSLCertVerificationError as exc:
        return {
            "extra_ca": extra,
            "store": store,
            "status": "invalid",
            "verify_code": exc.verify_code,
            "reason": str(exc.verify_message),
        }
    except (_Local, _Timeout, ssl.SSLError, OSError) as exc:
        return {"extra_ca": extra, "store": store, "status": "error", "reason": f"verifying handshake failed: {_refusal(exc)}"}
    return {"extra_ca": extra, "store": store, "status": "valid"}


@net_collector(TLS_ENDPOINT, "TLS protocols, weak suites, certificate and chain of an https endpoint", kinds=("url",))
def collect_tls(probe: NetProbe, target: Target) -> TlsEndpointFacts:
    """One https endpoint; a port that does not speak TLS is an error, not a finding."""
    if target.scheme != "https":
        raise NotApplicable(f"{target.text} is not an https URL")
    probe.require_in_scope(target.host)
    conn = _Conn(probe, target)
    probe.say(f"TLS {conn.endpoint}")
    try:
        _, _, der = conn.handshake(_permissive(ssl.TLSVersion.MINIMUM_SUPPORTED, ssl.TLSVersion.MAXIMUM_SUPPORTED), "probe")
    except (_Local, _Timeout, ssl.SSLError, OSError) as exc:
        raise _handshake_error(conn, exc) from None
    if not der:
        raise CollectError(ErrorReason.MALFORMED, f"{conn.endpoint}: the server sent no certificate")
    try:
        cert = certificate_facts(der, target.host)
    except ValueError as exc:
        raise CollectError(ErrorReason.MALFORMED, f"{conn.endpoint}: unparsable certificate ({exc})") from None
    default = ssl.create_default_context()
    default.check_hostname = False
    default.verify_mode = ssl.CERT_NONE
    negotiated: NegotiatedFacts
    try:
        proto, cipher, _ = conn.handshake(default, "default")
        negotiated = {"protocol": proto, "cipher": cipher[0] if cipher else None, "bits": cipher[2] if cipher else None}
    except (_Local, _Timeout, ssl.SSLError, OSError) as exc:
        negotiated = {"error": _refusal(exc)}
    weak_raw = {k: v[1] for k, v in WEAK_CLASSES.items()}
    return {
        "host": target.host,
        "port": conn.port,
        "address": conn.address,
        "openssl": ssl.OPENSSL_VERSION,
        "protocols": _probe_versions(conn),
        "weak_ciphers": _probe_ciphers(conn, {k: v[0] for k, v in WEAK_CLASSES.items()}, weak_raw),
        "medium_ciphers": _probe_ciphers(conn, MEDIUM_CLASSES, {}),
        "negotiated": negotiated,
        "certificate": cert,
        "chain": _chain(conn),
        "_method": "python ssl handshakes + cryptography.x509",
    }
