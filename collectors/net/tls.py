"""TLS posture of an https endpoint: protocols, weak suites, certificate, chain.

Everything is judged from handshakes made with Python's ``ssl`` (the system
OpenSSL) and the leaf certificate parsed with ``cryptography``. A protocol
or cipher class the local OpenSSL cannot offer is recorded as "untestable",
never as refused: absence of a test is not a clean result. Weak cipher
classes that OpenSSL 3 no longer compiles in (RC4, DES, 3DES, EXPORT) are
probed with a hand-built ClientHello that only reads the ServerHello, so no
weak crypto has to exist locally. The size of a DHE group is read the same
way: a hello offering only DHE suites, read up to the ServerKeyExchange.
Every raw exchange runs under one deadline and a byte cap, so a server that
trickles or floods cannot hold the probe.

Extra trust anchors for the chain check (a private CA) come from the probe
option ``ca_files`` (``scan --ca-file``): PEM files added to the system store.

The facts shape, the key ``TLS_ENDPOINT`` and the protocol version names live
in :mod:`collectors.net.tls_facts`, which the checks import without this
module; the ``ssl.TLSVersion`` table here is held to those names at import.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import os
import socket
import ssl
import struct
import warnings
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Literal, Mapping, Optional, Sequence, Tuple

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, padding, rsa
from cryptography.x509.oid import NameOID

from collectors.evidence import CollectError, ErrorReason, NotApplicable
from collectors.net import netio
from collectors.net.registry import NetProbe, net_collector
from collectors.net.scope import Target
from collectors.net.tls_facts import (
    CBC_CLASS,
    LEGACY_VERSIONS,
    MEDIUM_CLASS_NAMES,
    MODERN_VERSIONS,
    STATIC_RSA_CLASS,
    TLS_ENDPOINT,
    CaFileFacts,
    CertificateFacts,
    ChainFacts,
    CipherClassFacts,
    DhFacts,
    KeyFacts,
    NegotiatedFacts,
    TlsEndpointFacts,
    VersionFacts,
)

CA_FILES_OPTION = "ca_files"  # NetContext.options key: paths of PEM files of extra trust anchors
MAX_CA_FILE_BYTES = 4 * 1024 * 1024

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
_NOT_WEAK = "!eNULL:!aNULL:!RC4:!DES:!3DES:!EXPORT:!PSK:!SRP"
# Not broken, but below Mozilla's intermediate configuration: CBC-mode suites (a MAC digest, so no
# AEAD) and static RSA key exchange (no forward secrecy). Same layout as WEAK_CLASSES; the raw-hello
# code points are used only where the local OpenSSL cannot offer the class.
MEDIUM_CLASSES: Dict[str, Tuple[str, Tuple[int, ...]]] = {
    CBC_CLASS: (
        f"SHA1:SHA256:SHA384:{_NOT_WEAK}",
        (0xC013, 0xC014, 0xC009, 0xC00A, 0xC027, 0xC028, 0xC023, 0xC024, 0x0033, 0x0039, 0x0067, 0x006B, 0x002F, 0x0035, 0x003C, 0x003D),
    ),
    STATIC_RSA_CLASS: (f"kRSA:{_NOT_WEAK}", (0x009C, 0x009D, 0x002F, 0x0035, 0x003C, 0x003D, 0x0041, 0x0084, 0x00BA, 0x00C0)),
}
if tuple(MEDIUM_CLASSES) != MEDIUM_CLASS_NAMES:  # pragma: no cover - a guard against a future edit
    raise RuntimeError(f"MEDIUM_CLASSES {tuple(MEDIUM_CLASSES)} differ from tls_facts {MEDIUM_CLASS_NAMES}")
# Finite-field DHE suites (RSA and DSS authenticated, AEAD and CBC): a hello offering only these makes
# the server show its DH group in the ServerKeyExchange.
DHE_SUITES: Tuple[int, ...] = (
    0x009E, 0x009F, 0xCCAA, 0x00A2, 0x00A3, 0x0033, 0x0039, 0x0067, 0x006B, 0x0032, 0x0038, 0x0040, 0x006A,
    0x0045, 0x0088, 0x00BE, 0x00C4, 0x0016, 0x0013,
)  # fmt: skip
MAX_HANDSHAKE_BYTES = 64 * 1024  # what a raw hello reads at most (a server certificate chain fits)

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
    """One endpoint: address chosen once among those the scope approved, every handshake within its deadline, one at a time.

    Each handshake (Python ``ssl`` or a raw hello) is bounded as a whole by the earlier of
    ``timeout_s`` and the collector's deadline. After ``MAX_STALLS`` handshakes in a row ran into
    their deadline, or once the collector's deadline has passed, the remaining ones are not
    attempted: a server that stalls every handshake costs two timeouts, not fifteen.
    """

    MAX_STALLS = 2

    def __init__(self, probe: NetProbe, target: Target) -> None:
        self.probe = probe
        self.host = target.host
        self.port = int(target.port or 443)
        self.sni: Optional[str] = None if _is_ip(target.host) else target.host
        self.timeout = probe.ctx.timeout_s
        self.endpoint = f"{target.host}:{self.port}"
        self.stalls = 0
        self.address = self._pick_address(target)

    def _pick_address(self, target: Target) -> str:
        addresses = self.probe.addresses(target.host)
        last: Optional[OSError] = None
        for addr in addresses:
            self.probe.require_in_scope(addr)
            step = self.probe.step()
            try:
                netio.connect(addr, self.port, step).close()
                return addr
            except TimeoutError:
                self.probe.record(self.endpoint, "tcp", "timeout")
                raise CollectError(ErrorReason.TIMEOUT, step.stalled(self.endpoint, "connecting (no TCP answer)")) from None
            except OSError as exc:
                last = exc
        self.probe.record(self.endpoint, "tcp", str(last))
        raise CollectError(ErrorReason.NOT_FOUND, f"{self.endpoint}: cannot connect ({last})")

    def _step(self, what: str) -> netio.Deadline:
        """The deadline of the next handshake; _Timeout when none may be attempted any more."""
        if self.stalls >= self.MAX_STALLS:
            raise _Timeout(f"{self.endpoint}: {what} not attempted: {self.stalls} handshakes in a row stalled until their deadline")
        step = self.probe.step()
        if step.left() <= 0:
            raise _Timeout(f"{self.endpoint}: {what} not attempted: time budget exceeded (the collector's deadline)")
        return step

    def _socket(self, step: netio.Deadline, what: str) -> socket.socket:
        self.probe.require_in_scope(self.address)
        try:
            return netio.connect(self.address, self.port, step)
        except TimeoutError:
            self.stalls += 1
            raise _Timeout(step.stalled(self.endpoint, f"connecting for {what} (no TCP answer)")) from None

    def handshake(self, ctx: ssl.SSLContext, label: str) -> Tuple[Optional[str], Optional[Tuple[str, str, int]], bytes]:
        """(protocol, cipher, leaf DER) of one handshake; raises ssl errors, _Local or _Timeout."""
        what = f"the TLS handshake ({label})"
        step = self._step(what)
        sock = self._socket(step, what)
        try:
            with netio.tls_handshake(sock, ctx, self.sni, step) as tls:
                out = (tls.version(), tls.cipher(), tls.getpeercert(binary_form=True) or b"")
            self.stalls = 0
            self.probe.record(self.endpoint, f"tls:{label}")
            return out
        except TimeoutError:
            self.stalls += 1
            self.probe.record(self.endpoint, f"tls:{label}", "timeout")
            raise _Timeout(step.stalled(self.endpoint, what)) from None
        except ssl.SSLError as exc:
            self.probe.record(self.endpoint, f"tls:{label}", _reason(exc).lower())
            if any(k in _reason(exc) for k in _LOCAL_LIMITS) and "ALERT" not in _reason(exc):
                raise _Local(f"local OpenSSL: {_reason(exc).lower()}") from None
            self.stalls = 0  # the server answered (with a refusal)
            raise
        except OSError as exc:
            self.stalls = 0
            self.probe.record(self.endpoint, f"tls:{label}", str(exc))
            raise
        finally:
            sock.close()

    def raw_hello(self, suites: Sequence[int]) -> Tuple[Literal["accepted", "refused", "error"], Optional[int], str]:
        """Offer ``suites`` in a TLS 1.2 ClientHello; ("accepted", suite) or ("refused"/"error", reason)."""
        out = self._raw(suites, "tls:raw-hello", want_kex=False)
        return out.status, out.suite, out.reason

    def dh_group(self) -> DhFacts:
        """Offer only DHE suites and read the server's flight up to its ServerKeyExchange: the group's size."""
        out = self._raw(DHE_SUITES, "tls:raw-hello:dhe", want_kex=True)
        facts: DhFacts = {"status": out.status, "method": "raw-hello"}
        if out.suite is not None:
            facts["suite"] = f"0x{out.suite:04X}"
        if out.protocol:
            facts["protocol"] = out.protocol
        if out.status == "accepted":
            if out.dh_bits is None:
                return {**facts, "status": "error", "reason": out.reason or "no DH group in the ServerKeyExchange"}
            facts["bits"] = out.dh_bits
        elif out.reason:
            facts["reason"] = out.reason
        return facts

    def _raw(self, suites: Sequence[int], label: str, want_kex: bool) -> _RawResult:
        """One hand-built hello, the reply read under one deadline and byte cap; never raises for the peer's sake."""
        what = "the server's reply to a raw ClientHello"
        try:
            step = self._step(what)
            sock = self._socket(step, what)
        except _Timeout as exc:
            return _RawResult("error", reason=str(exc))
        except OSError as exc:
            return _RawResult("error", reason=f"cannot connect: {exc}")
        error: Optional[str] = None
        try:
            netio.sendall(sock, _client_hello(suites, self.sni), step)
            result = _read_flight(_Records(lambda n: netio.recv(sock, n, step)), suites, want_kex)
            self.stalls = 0
        except TimeoutError:
            self.stalls += 1
            result = _RawResult("error", reason=step.stalled(self.endpoint, f"reading {what} (no complete answer)"))
        except (ConnectionResetError, BrokenPipeError):
            result = _RawResult("refused", reason="connection reset")
        except OSError as exc:
            result = _RawResult("error", reason=str(exc))
        finally:
            sock.close()
        if result.status == "error":
            error = result.reason
        self.probe.record(self.endpoint, label, error)
        return result


@dataclass(frozen=True)
class _RawResult:
    status: Literal["accepted", "refused", "error"]
    suite: Optional[int] = None
    reason: str = ""
    protocol: Optional[str] = None
    dh_bits: Optional[int] = None


class _Records:
    """TLS records read through ``recv`` (which bounds the time), at most MAX_HANDSHAKE_BYTES in all."""

    def __init__(self, recv: Callable[[int], bytes]) -> None:
        self.recv = recv
        self.read = 0
        self.handshake = b""  # handshake bytes not yet taken as messages

    def _exact(self, n: int) -> Optional[bytes]:
        """``n`` bytes, or None when the peer closed first; TimeoutError from ``recv`` at the deadline."""
        buf = b""
        while len(buf) < n:
            chunk = self.recv(n - len(buf))
            if not chunk:
                return None
            buf += chunk
        self.read += n
        if self.read > MAX_HANDSHAKE_BYTES:
            raise _Malformed(f"more than {MAX_HANDSHAKE_BYTES} bytes before the server's key exchange")
        return buf

    def record(self) -> Optional[Tuple[int, bytes]]:
        """(content type, fragment) of the next record, or None at end of stream."""
        head = self._exact(5)
        if head is None:
            return None
        length = struct.unpack("!H", head[3:5])[0]
        if head[1] != 0x03 or length > 16384 + 2048:
            raise _Malformed("the reply is not a TLS record")
        body = self._exact(length)
        if body is None:
            return None
        return head[0], body

    def message(self) -> Tuple[int, bytes]:
        """The next handshake message (type, body); _Closed at end of stream, _Alerted on an alert."""
        while len(self.handshake) < 4 or len(self.handshake) < 4 + int.from_bytes(self.handshake[1:4], "big"):
            rec = self.record()
            if rec is None:
                raise _Closed()
            kind, body = rec
            if kind == 0x15:
                raise _Alerted(body[1] if len(body) > 1 else -1)
            if kind != 0x16:
                raise _Malformed(f"unexpected record type {kind} in the server's hello flight")
            self.handshake += body
        size = int.from_bytes(self.handshake[1:4], "big")
        kind, body = self.handshake[0], self.handshake[4 : 4 + size]
        self.handshake = self.handshake[4 + size :]
        return kind, body


class _Malformed(Exception):
    """The server's reply breaks the TLS framing."""


class _Closed(Exception):
    """The server closed the connection."""


class _Alerted(Exception):
    def __init__(self, code: int) -> None:
        super().__init__(f"alert {code}")
        self.code = code


_WIRE_VERSIONS = {0x0301: "TLSv1", 0x0302: "TLSv1.1", 0x0303: "TLSv1.2", 0x0304: "TLSv1.3"}
_SERVER_HELLO, _SERVER_KEY_EXCHANGE, _SERVER_HELLO_DONE = 2, 12, 14  # handshake message types


def parse_flight(data: bytes, suites: Sequence[int], want_kex: bool = False) -> Tuple[str, Optional[int], str, Optional[str], Optional[int]]:
    """(status, suite, reason, protocol, DH bits) of a server's reply to a raw hello, from bytes (no socket).

    The same reading as a live raw hello: the stream ends where ``data`` ends. Never raises.
    """
    pos = 0

    def recv(n: int) -> bytes:
        nonlocal pos
        chunk = data[pos : pos + n]
        pos += len(chunk)
        return chunk

    r = _read_flight(_Records(recv), suites, want_kex)
    return r.status, r.suite, r.reason, r.protocol, r.dh_bits


def _read_flight(records: _Records, suites: Sequence[int], want_kex: bool) -> _RawResult:
    """The ServerHello (and, with ``want_kex``, the DH prime of the ServerKeyExchange) of one raw hello."""
    try:
        kind, hello = records.message()
    except _Alerted as exc:
        return _RawResult("refused", reason=str(exc))
    except _Closed:
        return _RawResult("refused", reason="connection closed without a ServerHello")
    except _Malformed as exc:
        return _RawResult("error", reason=str(exc))
    if kind != _SERVER_HELLO or len(hello) < 35 or len(hello) < 38 + hello[34]:
        return _RawResult("error", reason="unexpected reply to a ClientHello")
    version = struct.unpack("!H", hello[0:2])[0]
    sid_len = hello[34]
    suite = struct.unpack("!H", hello[35 + sid_len : 37 + sid_len])[0]
    protocol = _WIRE_VERSIONS.get(version, f"0x{version:04X}")
    if suite not in suites:
        return _RawResult("error", reason=f"server chose suite 0x{suite:04X} that was not offered", protocol=protocol)
    if not want_kex:
        return _RawResult("accepted", suite, protocol=protocol)
    for _ in range(8):  # Certificate, CertificateStatus ... then ServerKeyExchange
        try:
            kind, body = records.message()
        except _Alerted as exc:
            return _RawResult("accepted", suite, f"{exc} before the ServerKeyExchange", protocol)
        except _Closed:
            return _RawResult("accepted", suite, "connection closed before the ServerKeyExchange", protocol)
        except _Malformed as exc:
            return _RawResult("error", suite, str(exc), protocol)
        if kind == _SERVER_KEY_EXCHANGE:
            if len(body) < 2 or len(body) < 2 + struct.unpack("!H", body[:2])[0]:
                return _RawResult("error", suite, "truncated ServerKeyExchange", protocol)
            prime = body[2 : 2 + struct.unpack("!H", body[:2])[0]]
            return _RawResult("accepted", suite, "", protocol, int.from_bytes(prime, "big").bit_length())
        if kind == _SERVER_HELLO_DONE:
            return _RawResult("accepted", suite, "ServerHelloDone without a ServerKeyExchange for a DHE suite", protocol)
    return _RawResult("error", suite, "no ServerKeyExchange among the server's first messages", protocol)


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
        return CollectError(ErrorReason.TIMEOUT, str(exc))
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
    if isinstance(exc, (_Timeout, _Local)):
        return str(exc)
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


def _probe_ciphers(conn: _Conn, classes: Mapping[str, Tuple[str, Tuple[int, ...]]]) -> Dict[str, CipherClassFacts]:
    """Each class offered alone (TLS 1.0-1.2); a raw hello of its code points where the local OpenSSL cannot offer it."""
    out: Dict[str, CipherClassFacts] = {}
    raw = {cls: v[1] for cls, v in classes.items()}
    for cls, (spec, _) in classes.items():
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
    try:
        key = cert.public_key()
    except (UnsupportedAlgorithm, ValueError):  # a key type (OID) cryptography does not know, or a broken key
        return {"type": "unsupported", "bits": None}
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


def _key_identifiers(cert: x509.Certificate) -> Tuple[Optional[bytes], Optional[bytes]]:
    """(subject key identifier, authority key identifier) where the certificate carries them."""
    try:
        ski: Optional[bytes] = cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
    except (x509.ExtensionNotFound, ValueError):
        ski = None
    try:
        aki: Optional[bytes] = cert.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value.key_identifier
    except (x509.ExtensionNotFound, ValueError):
        aki = None
    return ski, aki


def _verify_own_signature(cert: x509.Certificate) -> None:
    """Check the signature with the certificate's own key, whatever the hash (SHA-1 and MD5 included).

    ``verify_directly_issued_by`` refuses SHA-1 signatures outright; verifying the TBS bytes with
    the public key does not judge the hash, it only asks whether this key made this signature.
    Raises InvalidSignature, or UnsupportedAlgorithm/ValueError/TypeError when it cannot tell.
    """
    key = cert.public_key()
    sig, tbs = cert.signature, cert.tbs_certificate_bytes
    if isinstance(key, (ed25519.Ed25519PublicKey, ed448.Ed448PublicKey)):
        key.verify(sig, tbs)
        return
    algo = cert.signature_hash_algorithm
    if algo is None:
        raise UnsupportedAlgorithm("no hash algorithm for this signature")
    if isinstance(key, rsa.RSAPublicKey):
        pad = cert.signature_algorithm_parameters
        if not isinstance(pad, (padding.PKCS1v15, padding.PSS)):
            raise UnsupportedAlgorithm(f"RSA signature parameters {pad!r}")
        key.verify(sig, tbs, pad, algo)
    elif isinstance(key, ec.EllipticCurvePublicKey):
        key.verify(sig, tbs, ec.ECDSA(algo))
    elif isinstance(key, dsa.DSAPublicKey):
        key.verify(sig, tbs, algo)
    else:
        raise UnsupportedAlgorithm(f"{type(key).__name__} keys")


def self_signed(cert: x509.Certificate) -> Tuple[Optional[bool], str]:
    """Whether the certificate is signed by its own key, and on what basis; None when that cannot be told.

    Self-signed means: issuer equals subject and the signature verifies with the certificate's own
    key. Names that differ, or an authority key identifier naming another key, settle it as "no"
    without any cryptography; a signature that cannot be checked is not taken as "no".
    """
    if cert.issuer != cert.subject:
        return False, "the issuer differs from the subject"
    ski, aki = _key_identifiers(cert)
    if ski is not None and aki is not None and ski != aki:
        return False, "issuer equals subject, but the authority key identifier names another key"
    try:
        _verify_own_signature(cert)
    except InvalidSignature:
        return False, "issuer equals subject, but the certificate's own key did not make its signature"
    except (UnsupportedAlgorithm, ValueError, TypeError) as exc:
        algo = getattr(cert.signature_algorithm_oid, "_name", cert.signature_algorithm_oid.dotted_string)
        if ski is not None and ski == aki:
            return True, f"issuer equals subject and the authority key identifier is its own ({algo} signature not checked: {exc})"
        return None, f"issuer equals subject; the {algo} signature could not be checked ({exc})"
    return True, "issuer equals subject and the signature verifies with the certificate's own key"


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


# What cryptography raises for a certificate it cannot read besides ValueError (none of them is one).
# cryptography raises TypeError for a name attribute of a type its OID does not allow (a CN as a BIT
# STRING, found by the long fuzzing run): for a server's certificate that is unreadable, not a bug here.
_UNREADABLE = (x509.DuplicateExtension, x509.UnsupportedGeneralNameType, x509.InvalidVersion, UnsupportedAlgorithm, TypeError)


def certificate_facts(der: bytes, host: str, now: Optional[dt.datetime] = None) -> CertificateFacts:
    """Leaf certificate facts (no private material); ``now`` for tests.

    A certificate that cannot be read raises ValueError, and nothing else: cryptography's own
    errors for duplicate extensions, unknown name types and invalid versions are not ValueErrors.
    """
    try:
        return _certificate_facts(der, host, now)
    except _UNREADABLE as exc:
        raise ValueError(f"{type(exc).__name__}: {exc}") from None


def _certificate_facts(der: bytes, host: str, now: Optional[dt.datetime]) -> CertificateFacts:
    cert = x509.load_der_x509_certificate(der)
    now = now or dt.datetime.now(dt.timezone.utc)
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        dns = [str(n) for n in san.get_values_for_type(x509.DNSName)]
        ips = [str(a) for a in san.get_values_for_type(x509.IPAddress)]
    except x509.ExtensionNotFound:
        dns, ips = [], []
    cn = _name_attr(cert.subject, NameOID.COMMON_NAME)
    try:
        algo = cert.signature_hash_algorithm
    except UnsupportedAlgorithm:  # MD2, MD4 ...: named by signature_algorithm below
        algo = None
    not_after, not_before = cert.not_valid_after_utc, cert.not_valid_before_utc
    own, basis = self_signed(cert)
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
        "self_signed": own,
        "self_signed_basis": basis,
        "hostname_match": _hostname_match(host, dns, ips, cn),
        "sha256": cert.fingerprint(hashes.SHA256()).hex(),
    }


def same_verification_everywhere(ctx: ssl.SSLContext) -> None:
    """Strict RFC 5280 chain checks, as Python 3.13 and later do by default, on every Python we run on."""
    ctx.verify_flags |= ssl.VERIFY_X509_STRICT | ssl.VERIFY_X509_PARTIAL_CHAIN


@dataclass(frozen=True)
class ExtraTrust:
    """The extra trust anchors of a run: the PEM text to load, what was read, or why it could not be."""

    cadata: str
    files: List[CaFileFacts]
    error: Optional[str] = None

    @property
    def store(self) -> str:
        return "system" + (f" + {len(self.files)} CA file(s)" if self.files else "")

    def apply(self, ctx: ssl.SSLContext) -> None:
        if self.cadata:
            ctx.load_verify_locations(cadata=self.cadata)


def extra_trust(options: Mapping[str, Any]) -> ExtraTrust:
    """Read the ``ca_files`` option: each file's certificates, sha256 and count; an unusable file is an error.

    ``scan --ca-file`` validates the files before the run; this read is the one the chain check uses,
    so the evidence names exactly the bytes that were trusted.
    """
    paths = [str(p) for p in (options.get(CA_FILES_OPTION) or ())]
    texts: List[str] = []
    files: List[CaFileFacts] = []
    for path in paths:
        try:
            with open(path, "rb") as fh:
                data = fh.read(MAX_CA_FILE_BYTES + 1)
        except OSError as exc:
            return ExtraTrust("", files, f"cannot read CA file {path}: {exc.strerror or exc}")
        try:
            if len(data) > MAX_CA_FILE_BYTES:
                raise ValueError(f"larger than {MAX_CA_FILE_BYTES // (1024 * 1024)} MiB")
            certs = x509.load_pem_x509_certificates(data)
        except ValueError as exc:
            return ExtraTrust("", files, f"CA file {path} is not PEM certificates ({exc})")
        texts.append(data.decode("ascii", "replace"))
        files.append({"path": path, "sha256": hashlib.sha256(data).hexdigest(), "certificates": len(certs)})
    return ExtraTrust("\n".join(texts), files)


def _chain(conn: _Conn) -> ChainFacts:
    """Validate the served chain against the system store plus the ``ca_files`` anchors; hostname is judged apart."""
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    same_verification_everywhere(ctx)
    trust = extra_trust(conn.probe.ctx.options)
    if trust.error is not None:
        return {"ca_files": trust.files, "store": trust.store, "status": "error", "reason": trust.error}
    try:
        trust.apply(ctx)
    except ssl.SSLError as exc:
        return {"ca_files": trust.files, "store": trust.store, "status": "error", "reason": f"cannot load the CA files: {exc}"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        # Trust only: key size and signature strength are separate checks, old protocols too.
        ctx.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
        ctx.set_ciphers("ALL:@SECLEVEL=0")
    try:
        conn.handshake(ctx, "verify")
    except ssl.SSLCertVerificationError as exc:
        return {
            "ca_files": trust.files,
            "store": trust.store,
            "status": "invalid",
            "verify_code": exc.verify_code,
            "reason": str(exc.verify_message),
        }
    except _Timeout as exc:
        return {"ca_files": trust.files, "store": trust.store, "status": "error", "reason": str(exc)}
    except (_Local, ssl.SSLError, OSError) as exc:
        return {"ca_files": trust.files, "store": trust.store, "status": "error", "reason": f"verifying handshake failed: {_refusal(exc)}"}
    return {"ca_files": trust.files, "store": trust.store, "status": "valid"}


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
    return {
        "host": target.host,
        "port": conn.port,
        "address": conn.address,
        "openssl": ssl.OPENSSL_VERSION,
        "protocols": _probe_versions(conn),
        "weak_ciphers": _probe_ciphers(conn, WEAK_CLASSES),
        "medium_ciphers": _probe_ciphers(conn, MEDIUM_CLASSES),
        "dh": conn.dh_group(),
        "negotiated": negotiated,
        "certificate": cert,
        "chain": _chain(conn),
        "_method": "python ssl handshakes + cryptography.x509",
    }
