"""Real TLS servers on 127.0.0.1 for the TLS probe tests, with certificates made on the spot.

Each server is a thread with an accept loop on an ephemeral port; it completes
handshakes (and answers any bytes with a tiny HTTP response) until stopped.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
import subprocess
import threading
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional, Tuple, TypeVar

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID


@dataclass(frozen=True)
class Pem:
    cert: Path
    key: Path


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def make_cert(
    directory: Path,
    label: str,
    cn: str = "localhost",
    *,
    sans: Tuple[str, ...] = ("localhost", "127.0.0.1"),
    issuer: Optional[Tuple[x509.Certificate, rsa.RSAPrivateKey]] = None,
    rsa_bits: int = 2048,
    ec_curve: Optional[ec.EllipticCurve] = None,
    sha1: bool = False,
    days: Tuple[int, int] = (-1, 365),
    ca: bool = False,
) -> Tuple[Pem, x509.Certificate, object]:
    """A certificate (self-signed unless ``issuer``) written as PEM files under ``directory``."""
    key: object = ec.generate_private_key(ec_curve) if ec_curve else rsa.generate_private_key(65537, rsa_bits)
    pub = key.public_key()  # type: ignore[attr-defined]
    names: List[x509.GeneralName] = []
    for s in sans:
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(s)))
        except ValueError:
            names.append(x509.DNSName(s))
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(cn))
        .issuer_name(issuer[0].subject if issuer else _name(cn))
        .public_key(pub)
        .serial_number(x509.random_serial_number())
        .not_valid_before(_now() + dt.timedelta(days=days[0]))
        .not_valid_after(_now() + dt.timedelta(days=days[1]))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if names:
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    # Key identifiers, as RFC 5280 wants them (strict X.509 verification refuses a chain without them).
    builder = builder.add_extension(x509.SubjectKeyIdentifier.from_public_key(pub), critical=False)
    if issuer is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer[1].public_key()), critical=False
        )
    if ca:
        builder = builder.add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
    pem = Pem(directory / f"{label}.crt", directory / f"{label}.key")
    pem.key.write_bytes(
        key.private_bytes(  # type: ignore[attr-defined]
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    if sha1:
        cert = _sign_sha1(directory, label, key, names, cn, issuer)
    else:
        cert = builder.sign(issuer[1] if issuer else key, hashes.SHA256())  # type: ignore[arg-type]
    pem.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return pem, cert, key


def _sign_sha1(
    directory: Path,
    label: str,
    key: object,
    names: List[x509.GeneralName],
    cn: str,
    issuer: Optional[Tuple[x509.Certificate, rsa.RSAPrivateKey]],
) -> x509.Certificate:
    """cryptography refuses to sign with SHA-1, so the openssl CLI signs the request instead."""
    if issuer is None:
        raise ValueError("SHA-1 test certificates are issued by the test CA")
    csr = x509.CertificateSigningRequestBuilder().subject_name(_name(cn))
    if names:
        csr = csr.add_extension(x509.SubjectAlternativeName(names), critical=False)
    req = directory / f"{label}.csr"
    req.write_bytes(csr.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM))  # type: ignore[arg-type]
    ca_crt, ca_key = directory / f"{label}-issuer.crt", directory / f"{label}-issuer.key"
    ca_crt.write_bytes(issuer[0].public_bytes(serialization.Encoding.PEM))
    ca_key.write_bytes(
        issuer[1].private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    out = directory / f"{label}.crt"
    subprocess.run(
        [
            "openssl",
            "x509",
            "-req",
            "-in",
            str(req),
            "-CA",
            str(ca_crt),
            "-CAkey",
            str(ca_key),
            "-sha1",
            "-days",
            "365",
            "-set_serial",
            "4242",
            "-copy_extensions",
            "copy",
            "-out",
            str(out),
        ],
        check=True,
        capture_output=True,
    )
    return x509.load_pem_x509_certificate(out.read_bytes())


@dataclass(frozen=True)
class CertSet:
    """Every certificate the tests serve; ``ca`` signs ``good`` and ``expired`` and ``wrong_host``."""

    ca: Pem
    good: Pem
    expired: Pem
    self_signed: Pem
    weak: Pem  # RSA-1024 signed with SHA-1 by the CA
    wrong_host: Pem
    ec256: Pem


def make_certs(directory: Path) -> CertSet:
    directory.mkdir(parents=True, exist_ok=True)
    ca_pem, ca_cert, ca_key = make_cert(directory, "ca", "riskagent test CA", sans=(), ca=True, days=(-1, 3650))
    issuer = (ca_cert, ca_key)
    return CertSet(
        ca=ca_pem,
        good=make_cert(directory, "good", issuer=issuer)[0],  # type: ignore[arg-type]
        expired=make_cert(directory, "expired", issuer=issuer, days=(-60, -2))[0],  # type: ignore[arg-type]
        self_signed=make_cert(directory, "self", days=(-1, 365))[0],
        weak=make_cert(directory, "weak", issuer=issuer, rsa_bits=1024, sha1=True)[0],  # type: ignore[arg-type]
        wrong_host=make_cert(directory, "wrong", "other.example", sans=("other.example",), issuer=issuer)[0],  # type: ignore[arg-type]
        ec256=make_cert(directory, "ec", issuer=issuer, ec_curve=ec.SECP256R1())[0],  # type: ignore[arg-type]
    )


S = TypeVar("S", bound="_Server")


class _Server:
    """An accept loop on 127.0.0.1 run in a daemon thread."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port: int = self.sock.getsockname()[1]
        self._stop = threading.Event()
        self._held: List[socket.socket] = []
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def url(self, host: str = "localhost") -> str:
        return f"https://{host}:{self.port}/"

    def __enter__(self: S) -> S:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)
        for s in self._held:
            s.close()
        self.sock.close()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            conn.settimeout(2)
            try:
                self.serve(conn)
            except (OSError, ssl.SSLError):
                pass

    def serve(self, conn: socket.socket) -> None:
        raise NotImplementedError


# Mozilla's intermediate TLS 1.2 suites: forward-secret ECDHE with AEAD only (TLS 1.3 suites are apart).
MODERN_CIPHERS = "ECDHE+AESGCM:ECDHE+CHACHA20"


class TLSServer(_Server):
    """Serves ``pem`` with the given protocol range and cipher string (and DH parameters for DHE suites)."""

    def __init__(
        self,
        pem: Pem,
        *,
        lo: ssl.TLSVersion = ssl.TLSVersion.TLSv1_2,
        hi: ssl.TLSVersion = ssl.TLSVersion.TLSv1_3,
        ciphers: str = "DEFAULT:@SECLEVEL=0",
        dhparams: Optional[Path] = None,
    ) -> None:
        super().__init__()
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            self.ctx.minimum_version = lo
            self.ctx.maximum_version = hi
        self.ctx.set_ciphers(ciphers)
        if dhparams is not None:
            self.ctx.load_dh_params(str(dhparams))
        self.ctx.load_cert_chain(pem.cert, pem.key)

    def serve(self, conn: socket.socket) -> None:
        with self.ctx.wrap_socket(conn, server_side=True) as tls:
            try:
                tls.recv(1024)
                tls.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
            except (OSError, ssl.SSLError):
                pass


class PlainServer(_Server):
    """Speaks plain text: answers anything with an HTTP 400, like a web server on a non-TLS port."""

    def serve(self, conn: socket.socket) -> None:
        with conn:
            conn.recv(4096)
            conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")


class SilentServer(_Server):
    """Accepts and never says a word (holds the connection open)."""

    def serve(self, conn: socket.socket) -> None:
        self._held.append(conn)


class GarbageServer(_Server):
    """Answers with bytes that look like a TLS record header but are nonsense."""

    def serve(self, conn: socket.socket) -> None:
        with conn:
            conn.recv(4096)
            conn.sendall(b"\x16\x03\x03\x00\x05\xff\xff\xff\xff\xff" + b"\x00" * 32)


class Weak3DESServer(_Server):
    """Replies to any ClientHello with a ServerHello choosing TLS_RSA_WITH_3DES_EDE_CBC_SHA (0x000A).

    The local OpenSSL can no longer serve 3DES, so this stands in for an old server to
    prove the raw-hello probe reports what a server chooses.
    """

    def serve(self, conn: socket.socket) -> None:
        with conn:
            data = conn.recv(8192)
            if not data.startswith(b"\x16"):
                return
            n = int.from_bytes(data[44:46], "big")
            suites = [data[46 + i : 48 + i] for i in range(0, n, 2)]
            if b"\x00\x0a" not in suites:
                conn.sendall(b"\x15\x03\x03\x00\x02\x02\x28")  # fatal handshake_failure
                return
            body = b"\x03\x03" + b"\x11" * 32 + b"\x00" + b"\x00\x0a" + b"\x00"
            hs = b"\x02" + len(body).to_bytes(3, "big") + body
            conn.sendall(b"\x16\x03\x03" + len(hs).to_bytes(2, "big") + hs)


class TrickleServer(_Server):
    """Answers a ClientHello with a TLS record header announcing 16 KiB, then one byte every 0.1 s: a stall."""

    def serve(self, conn: socket.socket) -> None:
        with conn:
            conn.recv(8192)
            conn.sendall(b"\x16\x03\x03\x40\x00")
            for _ in range(100):
                if self._stop.wait(0.1):
                    return
                conn.sendall(b"\x02")
