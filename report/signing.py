"""DSSE v1 envelopes around in-toto Statement v1, signed with Ed25519: the signing side.

A report is signed as the predicate of an in-toto Statement whose one subject
is the assessed asset (``host:NAME`` or ``website:...``) with the report's
sha256. The envelope is written in one canonical byte form (see
:func:`envelope_bytes`); a co-signer appends a signature over the same
pre-authentication encoding (:func:`add_signature`). Reading and verifying
envelopes is ``report.envelope``'s job.
"""

from __future__ import annotations

import base64
from typing import Mapping, Optional, Sequence

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from collectors.digest import sha256_hex
from report.canonical import canonical_bytes
from report.model import Report

PAYLOAD_TYPE = "application/vnd.in-toto+json"
STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
PREDICATE_TYPE = "urn:riskagent:predicate:assessment:v1"


class VerificationError(Exception):
    """A signed report failed verification; the message says why, in English (``str``) and in Chinese (``zh``).

    The English text is the one stored and exchanged (``--json``, the intake, claims); ``zh`` is what a
    Chinese-speaking reader is shown. Without one, the English text stands for both.
    """

    def __init__(self, message: str, zh: Optional[str] = None) -> None:
        super().__init__(message)
        self.zh = zh if zh is not None else message

    def text(self, lang: str) -> str:
        return self.zh if lang == "zh" else str(self)


def pae(payload_type: str, body: bytes) -> bytes:
    """DSSE pre-authentication encoding (lengths in bytes)."""
    t = payload_type.encode("utf-8")
    return b"DSSEv1 %d %s %d %s" % (len(t), t, len(body), body)


def key_id(public_key: Ed25519PublicKey) -> str:
    """Key id: sha256 of the DER SubjectPublicKeyInfo, hex."""
    der = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return sha256_hex(der)


def report_digest(report: Report, canonical: Optional[bytes] = None) -> str:
    """sha256 of the report's canonical bytes (``canonical`` when the caller has them): its content id."""
    return sha256_hex(report.canonical if canonical is None else canonical)


def subject_name(report: Report) -> str:
    """The in-toto subject of a report: ``kind:name`` of what it assesses."""
    return f"{report.target.kind}:{report.target.name}"


def statement_bytes(report: Report, canonical: Optional[bytes] = None) -> bytes:
    """Canonical bytes of the in-toto Statement v1 whose predicate is the report.

    Written key by key in canonical (sorted) order around the report's own
    canonical bytes (``canonical`` when the caller has them), so the report is serialised only once.
    """
    if canonical is None:
        canonical = report.canonical
    subject = [{"digest": {"sha256": report_digest(report, canonical)}, "name": subject_name(report)}]
    return b"".join(
        (
            b'{"_type":',
            canonical_bytes(STATEMENT_TYPE),
            b',"predicate":',
            canonical,
            b',"predicateType":',
            canonical_bytes(PREDICATE_TYPE),
            b',"subject":',
            canonical_bytes(subject),
            b"}",
        )
    )


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def envelope_bytes(payload: bytes, signatures: Sequence[Mapping[str, str]]) -> bytes:
    """The one byte form of an envelope (canonical JSON plus a newline).

    Written key by key in canonical order: the base64 payload needs no JSON escaping, so the
    (large) payload is copied once rather than through a JSON tree.
    """
    sigs = canonical_bytes([dict(s) for s in signatures])
    return b"".join((b'{"payload":"', base64.b64encode(payload), b'","payloadType":', canonical_bytes(PAYLOAD_TYPE), b',"signatures":', sigs, b"}\n"))


def sign_payload(payload: bytes, private_key: Ed25519PrivateKey) -> bytes:
    """Sign statement bytes; return the envelope bytes."""
    sig = private_key.sign(pae(PAYLOAD_TYPE, payload))
    return envelope_bytes(payload, [{"keyid": key_id(private_key.public_key()), "sig": b64(sig)}])


def sign_report(report: Report, private_key: Ed25519PrivateKey) -> bytes:
    """The signed envelope of a report."""
    return sign_payload(statement_bytes(report), private_key)


def add_signature(payload: bytes, signatures: Sequence[Mapping[str, str]], private_key: Ed25519PrivateKey) -> bytes:
    """The envelope with one more signature over the same payload (a co-signature), appended after the others."""
    sig = private_key.sign(pae(PAYLOAD_TYPE, payload))
    return envelope_bytes(payload, [*signatures, {"keyid": key_id(private_key.public_key()), "sig": b64(sig)}])


class Signer:
    """A loaded signing key."""

    def __init__(self, private_key: Ed25519PrivateKey) -> None:
        self._key = private_key
        self.keyid = key_id(private_key.public_key())

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self._key.public_key()

    def sign(self, report: Report) -> bytes:
        return sign_report(report, self._key)

    def cosign(self, payload: bytes, signatures: Sequence[Mapping[str, str]]) -> bytes:
        """The envelope of ``payload`` with this key's signature appended to ``signatures``."""
        return add_signature(payload, signatures, self._key)


def load_public_key(pem: bytes, source: str) -> Ed25519PublicKey:
    """Parse a trusted public key (PEM SubjectPublicKeyInfo); only Ed25519 is accepted."""
    try:
        key = serialization.load_pem_public_key(pem)
    except ValueError as exc:
        raise VerificationError(f"{source}: not a PEM public key ({exc})") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise VerificationError(f"{source}: only Ed25519 public keys are accepted, found {type(key).__name__}")
    return key
