"""Test certificates for the TLS and web probes, made on the fly with ``cryptography``.

Each helper writes a PEM certificate and key into a directory and returns
their paths. ECDSA P-256 is used wherever the key type does not matter,
because generating it is instant; the weak variant is deliberately
RSA-1024 signed with SHA-1 so the TLS checks have something to fail on.
"""

from __future__ import annotations

import base64
import datetime as _dt
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Union

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

PrivateKey = Union[ec.EllipticCurvePrivateKey, rsa.RSAPrivateKey]
HOSTNAME = "localhost"


@dataclass(frozen=True)
class CertPair:
    """A certificate and its key on disk; ``ca_cert`` is set when a private CA issued it."""

    cert: Path
    key: Path
    ca_cert: Optional[Path] = None


def _now() -> _dt.datetime:
    return _dt.datetime.now(_dt.timezone.utc)


def _name(cn: str) -> x509.Name:
    return x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, cn), x509.NameAttribute(NameOID.ORGANIZATION_NAME, "riskagent tests")]
    )


def _write(directory: Path, stem: str, cert: x509.Certificate, key: PrivateKey) -> CertPair:
    directory.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = directory / f"{stem}.crt", directory / f"{stem}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    key_path.chmod(0o600)
    return CertPair(cert_path, key_path)


def _leaf_builder(
    subject: str, issuer: x509.Name, key: PrivateKey, not_before: _dt.datetime, not_after: _dt.datetime
) -> x509.CertificateBuilder:
    return (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(subject)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
    )


def self_signed(directory: Path, hostname: str = HOSTNAME, days: int = 365) -> CertPair:
    """A currently valid self-signed ECDSA P-256 / SHA-256 certificate (untrusted, otherwise sound)."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = _now()
    cert = _leaf_builder(hostname, _name(hostname), key, now - _dt.timedelta(days=1), now + _dt.timedelta(days=days)).sign(
        key, hashes.SHA256()
    )
    return _write(directory, "self_signed", cert, key)


def expired(directory: Path, hostname: str = HOSTNAME) -> CertPair:
    """A self-signed certificate that expired 30 days ago (valid for one year before that)."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = _now()
    cert = _leaf_builder(hostname, _name(hostname), key, now - _dt.timedelta(days=395), now - _dt.timedelta(days=30)).sign(
        key, hashes.SHA256()
    )
    return _write(directory, "expired", cert, key)


def rsa1024_sha1(directory: Path, hostname: str = HOSTNAME) -> CertPair:
    """A self-signed, currently valid certificate with an RSA-1024 key and a SHA-1 signature.

    ``cryptography`` refuses to sign with SHA-1, so the openssl command line
    makes this one. nginx on OpenSSL 3 loads it only with
    ``ssl_ciphers ...:@SECLEVEL=0``.
    """
    directory.mkdir(parents=True, exist_ok=True)
    pair = CertPair(directory / "rsa1024_sha1.crt", directory / "rsa1024_sha1.key")
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:1024",
            "-sha1",
            "-nodes",
            "-days",
            "365",
            "-subj",
            f"/CN={hostname}/O=riskagent tests",
            "-addext",
            f"subjectAltName=DNS:{hostname}",
            "-keyout",
            str(pair.key),
            "-out",
            str(pair.cert),
        ],
        check=True,
        capture_output=True,
        timeout=30,
    )
    return pair


# RFC 2409 (IKE) group 2, the 1024-bit MODP group: the kind of DH parameters old servers still serve.
_MODP_1024 = int(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381FFFFFFFFFFFFFFFF",
    16,
)
# RFC 3526 group 14, the 2048-bit MODP group (the size Mozilla's intermediate configuration asks for).
_MODP_2048 = int(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
    "15728E5A8AACAA68FFFFFFFFFFFFFFFF",
    16,
)


def _der_int(n: int) -> bytes:
    body = n.to_bytes(n.bit_length() // 8 + 1, "big")
    return b"\x02" + _der_len(len(body)) + body


def _der_len(n: int) -> bytes:
    if n < 128:
        return bytes([n])
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


def dh_params(directory: Path, bits: int) -> Path:
    """A PEM file of well-known DH parameters (PKCS#3) of 1024 or 2048 bits, written without generating any."""
    prime = {1024: _MODP_1024, 2048: _MODP_2048}[bits]
    body = _der_int(prime) + _der_int(2)
    der = b"\x30" + _der_len(len(body)) + body
    b64 = base64.encodebytes(der).decode("ascii")
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"dh{bits}.pem"
    path.write_text(f"-----BEGIN DH PARAMETERS-----\n{b64}-----END DH PARAMETERS-----\n")
    return path


def ca_and_leaf(directory: Path, hostname: str = HOSTNAME, days: int = 365) -> CertPair:
    """A private CA (ECDSA P-256) and a leaf for ``hostname`` it signed, valid ``days`` days, SHA-256.

    Trust ``ca_cert`` in the client to get a fully verified chain.
    """
    ca_key = ec.generate_private_key(ec.SECP256R1())
    now = _now()
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "riskagent test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _dt.timedelta(days=1))
        .not_valid_after(now + _dt.timedelta(days=days + 30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        _leaf_builder(hostname, ca_name, key, now - _dt.timedelta(days=1), now + _dt.timedelta(days=days))
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )
    ca_pair = _write(directory, "ca", ca, ca_key)
    pair = _write(directory, "leaf", leaf, key)
    return CertPair(pair.cert, pair.key, ca_pair.cert)
