"""DSSE v1 envelopes around in-toto Statement v1, signed with Ed25519.

The verifier follows the DSSE order: check the envelope's form, verify the
signature over PAE(payloadType, payload) with a key from the caller's trust
list, and only then parse the payload. The algorithm is fixed by the trusted
key (Ed25519), never read from the envelope.

riskagent envelopes are stricter than plain DSSE so that a signed report is
tamper-evident byte for byte: the envelope must be in the exact canonical form
the signer writes (no extra fields, canonical base64, keyid equal to the
signing key's id). Another producer's DSSE envelope is out of scope.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from typing import Any, Dict, Mapping, Optional, Sequence

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from collectors.strictjson import JsonShapeError
from report.canonical import CanonicalError, canonical_bytes, strict_loads
from report.model import Report

PAYLOAD_TYPE = "application/vnd.in-toto+json"
STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
PREDICATE_TYPE = "urn:riskagent:predicate:assessment:v1"


class VerificationError(Exception):
    """A signed report failed verification; the message says why."""


def pae(payload_type: str, body: bytes) -> bytes:
    """DSSE pre-authentication encoding (lengths in bytes)."""
    t = payload_type.encode("utf-8")
    return b"DSSEv1 %d %s %d %s" % (len(t), t, len(body), body)


def key_id(public_key: Ed25519PublicKey) -> str:
    """Key id: sha256 of the DER SubjectPublicKeyInfo, hex."""
    der = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(der).hexdigest()


def report_digest(report: Report) -> str:
    """sha256 of the report's canonical bytes: its content id."""
    return hashlib.sha256(report.canonical).hexdigest()


def subject_name(report: Report) -> str:
    """The in-toto subject of a report: ``kind:name`` of what it assesses."""
    return f"{report.target.kind}:{report.target.name}"


def statement_bytes(report: Report) -> bytes:
    """Canonical bytes of the in-toto Statement v1 whose predicate is the report.

    Written key by key in canonical (sorted) order around the report's own
    canonical bytes, so the report is serialised only once.
    """
    subject = [{"digest": {"sha256": report_digest(report)}, "name": subject_name(report)}]
    return b"".join(
        (
            b'{"_type":',
            canonical_bytes(STATEMENT_TYPE),
            b',"predicate":',
            report.canonical,
            b',"predicateType":',
            canonical_bytes(PREDICATE_TYPE),
            b',"subject":',
            canonical_bytes(subject),
            b"}",
        )
    )


def _b64(data: bytes) -> str:
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
    return envelope_bytes(payload, [{"keyid": key_id(private_key.public_key()), "sig": _b64(sig)}])


def sign_report(report: Report, private_key: Ed25519PrivateKey) -> bytes:
    """The signed envelope of a report."""
    return sign_payload(statement_bytes(report), private_key)


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


@dataclass(frozen=True)
class VerifiedReport:
    """What a successful verification yields: only verified bytes, parsed into the typed report."""

    keyid: str
    statement: Mapping[str, Any]
    report: Report
    payload: bytes


def _strict_b64(value: Any, field: str) -> bytes:
    if not isinstance(value, str):
        raise VerificationError(f"malformed envelope: {field} must be a base64 string")
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise VerificationError(f"malformed envelope: {field} is not valid base64 ({exc})") from exc
    if _b64(raw) != value:
        raise VerificationError(f"malformed envelope: {field} is not in canonical base64 form")
    return raw


def _parse_envelope(data: bytes) -> Dict[str, Any]:
    try:
        env = strict_loads(data, "envelope")
    except CanonicalError as exc:
        raise VerificationError(f"malformed envelope: {exc}") from exc
    if not isinstance(env, dict):
        raise VerificationError("malformed envelope: top level is not a JSON object")
    expected = {"payload", "payloadType", "signatures"}
    if set(env) != expected:
        extra = sorted(set(env) - expected)
        missing = sorted(expected - set(env))
        raise VerificationError(f"malformed envelope: missing fields {missing}, unexpected fields {extra}")
    sigs = env["signatures"]
    if not isinstance(sigs, list) or not sigs:
        raise VerificationError("malformed envelope: signatures must be a non-empty list")
    for i, s in enumerate(sigs):
        if not isinstance(s, dict) or set(s) != {"keyid", "sig"} or not all(isinstance(v, str) for v in s.values()):
            raise VerificationError(f"malformed envelope: signature {i} must have exactly string fields keyid and sig")
    if not isinstance(env["payloadType"], str):
        raise VerificationError("malformed envelope: payloadType must be a string")
    try:
        canonical = canonical_bytes(env) + b"\n"
    except CanonicalError as exc:
        raise VerificationError(f"malformed envelope: {exc}") from exc
    if canonical != data:
        raise VerificationError("envelope bytes are not in the canonical form riskagent writes (edited after signing?)")
    return env


def verify_envelope(data: bytes, trusted: Mapping[str, Ed25519PublicKey]) -> VerifiedReport:
    """Verify ``data`` against trusted keys (keyid -> key); raise with the reason."""
    if not trusted:
        raise VerificationError("no trusted public key given")
    env = _parse_envelope(data)
    payload = _strict_b64(env["payload"], "payload")
    message = pae(env["payloadType"], payload)
    verified_by: Optional[str] = None
    unknown = []
    for i, s in enumerate(env["signatures"]):
        sig = _strict_b64(s["sig"], f"signatures[{i}].sig")
        key = trusted.get(s["keyid"])
        if key is None:
            unknown.append(s["keyid"])
            continue
        try:
            key.verify(sig, message)
        except InvalidSignature:
            raise VerificationError(f"bad signature: signature {i} does not verify with trusted key {s['keyid'][:16]}") from None
        verified_by = s["keyid"]
    if verified_by is None:
        ids = ", ".join(k[:16] for k in unknown)
        raise VerificationError(f"unknown key: the report is signed by key id {ids}, which is not among the trusted keys")
    if env["payloadType"] != PAYLOAD_TYPE:
        raise VerificationError(f"wrong payload type {env['payloadType']!r}; expected {PAYLOAD_TYPE!r}")
    try:
        statement = strict_loads(payload, "signed statement")
    except CanonicalError as exc:
        raise VerificationError(f"malformed statement: {exc}") from exc
    if not isinstance(statement, dict) or statement.get("_type") != STATEMENT_TYPE:
        raise VerificationError(f"signed payload is not an in-toto Statement v1 ({STATEMENT_TYPE})")
    if statement.get("predicateType") != PREDICATE_TYPE:
        raise VerificationError(f"wrong predicate type {statement.get('predicateType')!r}; expected {PREDICATE_TYPE!r}")
    predicate = statement.get("predicate")
    if not isinstance(predicate, dict):
        raise VerificationError("signed statement has no report predicate")
    try:
        report = Report.from_json(predicate)
    except JsonShapeError as exc:
        raise VerificationError(f"malformed report: {exc}") from None
    try:
        signed_bytes = canonical_bytes(predicate)
    except CanonicalError as exc:
        raise VerificationError(f"malformed report: {exc}") from None
    if report.canonical != signed_bytes:
        raise VerificationError("malformed report: it does not re-encode to the bytes that were signed (a field in a form riskagent never writes)")
    subjects = statement.get("subject")
    digest = report_digest(report)
    if not isinstance(subjects, list) or not any(
        isinstance(s, dict) and isinstance(s.get("digest"), dict) and s["digest"].get("sha256") == digest for s in subjects
    ):
        raise VerificationError("statement subject digest does not match the report it carries")
    return VerifiedReport(verified_by, statement, report, payload)


def load_public_key(pem: bytes, source: str) -> Ed25519PublicKey:
    """Parse a trusted public key (PEM SubjectPublicKeyInfo); only Ed25519 is accepted."""
    try:
        key = serialization.load_pem_public_key(pem)
    except ValueError as exc:
        raise VerificationError(f"{source}: not a PEM public key ({exc})") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise VerificationError(f"{source}: only Ed25519 public keys are accepted, found {type(key).__name__}")
    return key
