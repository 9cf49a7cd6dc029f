"""DSSE signing and verification: every tampering is caught, with a clear reason."""

from __future__ import annotations

import base64
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from collectors.profile import Profile
from report.canonical import canonical_bytes
from report.model import RunInfo, build_report
from report.signing import (
    PAYLOAD_TYPE,
    PREDICATE_TYPE,
    STATEMENT_TYPE,
    VerificationError,
    envelope_bytes,
    key_id,
    pae,
    report_digest,
    sign_payload,
    sign_report,
    statement_bytes,
    subject_name,
    verify_envelope,
)
from tests.hosts import edited

# A small report (no evidence, no findings): the byte-by-byte test verifies one envelope per byte.
REPORT = build_report(
    profile=Profile.SERVER,
    target_name="h",
    run=RunInfo("2026-01-01T00:00:00Z", "2026-01-01T00:00:01Z", 1000, 0, "root", True, "replay"),
    evidence=(),
    findings=(),
    report_id="r-1",
)


@pytest.fixture(scope="module")
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def trusted(k: Ed25519PrivateKey) -> dict:
    return {key_id(k.public_key()): k.public_key()}


def test_pae_matches_the_dsse_test_vector() -> None:
    assert pae("http://example.com/HelloWorld", b"hello world") == b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"


def test_round_trip_returns_the_signed_report(key: Ed25519PrivateKey) -> None:
    env = sign_report(REPORT, key)
    verified = verify_envelope(env, trusted(key))
    assert verified.report == REPORT
    assert verified.keyid == key_id(key.public_key())


def test_every_single_byte_change_is_rejected(key: Ed25519PrivateKey) -> None:
    env = sign_report(REPORT, key)
    keys = trusted(key)
    accepted = []
    for i in range(len(env)):
        for delta in (1, 0x20):
            mutated = bytearray(env)
            mutated[i] = (mutated[i] + delta) % 256
            try:
                verify_envelope(bytes(mutated), keys)
            except VerificationError:
                continue
            accepted.append((i, delta))
    assert not accepted, f"tampered envelopes accepted at byte offsets {accepted[:10]}"


def test_signed_by_another_key_is_an_unknown_key(key: Ed25519PrivateKey) -> None:
    other = Ed25519PrivateKey.generate()
    env = sign_report(REPORT, other)
    with pytest.raises(VerificationError, match="unknown key"):
        verify_envelope(env, trusted(key))


def test_forged_keyid_is_a_bad_signature(key: Ed25519PrivateKey) -> None:
    other = Ed25519PrivateKey.generate()
    env = json.loads(sign_report(REPORT, other))
    env["signatures"][0]["keyid"] = key_id(key.public_key())
    with pytest.raises(VerificationError, match="bad signature"):
        verify_envelope(canonical_bytes(env) + b"\n", trusted(key))


def test_duplicate_json_key_is_rejected(key: Ed25519PrivateKey) -> None:
    env = sign_report(REPORT, key)
    dup = env.replace(b'{"payload":', b'{"payload":"eA==","payload":', 1)
    with pytest.raises(VerificationError, match="duplicate JSON key"):
        verify_envelope(dup, trusted(key))


def test_duplicate_key_inside_the_signed_payload_is_rejected(key: Ed25519PrivateKey) -> None:
    payload = b'{"_type":"https://in-toto.io/Statement/v1","predicate":{"a":1,"a":2}}'
    sig = key.sign(pae(PAYLOAD_TYPE, payload))
    env = envelope_bytes(payload, [{"keyid": key_id(key.public_key()), "sig": base64.b64encode(sig).decode()}])
    with pytest.raises(VerificationError, match="duplicate JSON key"):
        verify_envelope(env, trusted(key))


def test_wrong_payload_type_is_rejected_even_when_signed(key: Ed25519PrivateKey) -> None:
    payload = statement_bytes(REPORT)
    sig = key.sign(pae("application/json", payload))
    env = {
        "payload": base64.b64encode(payload).decode(),
        "payloadType": "application/json",
        "signatures": [{"keyid": key_id(key.public_key()), "sig": base64.b64encode(sig).decode()}],
    }
    with pytest.raises(VerificationError, match="wrong payload type"):
        verify_envelope(canonical_bytes(env) + b"\n", trusted(key))


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"", "not valid JSON"),
        (b"\xff\xfe garbage", "not valid UTF-8"),
        (b"[]\n", "not a JSON object"),
        (b'{"payload":"x","payloadType":"t"}\n', "missing fields"),
        (b'{"payload":"x","payloadType":"t","signatures":[]}\n', "non-empty list"),
        (b'{"payload":"!!","payloadType":"t","signatures":[{"keyid":"k","sig":"AA=="}]}\n', "base64"),
    ],
)
def test_malformed_envelopes_give_a_reason(key: Ed25519PrivateKey, data: bytes, reason: str) -> None:
    with pytest.raises(VerificationError, match=reason):
        verify_envelope(data, trusted(key))


def test_subject_digest_must_match_the_predicate(key: Ed25519PrivateKey) -> None:
    stmt = {
        "_type": STATEMENT_TYPE,
        "subject": [{"name": subject_name(REPORT), "digest": {"sha256": report_digest(REPORT)}}],
        "predicateType": PREDICATE_TYPE,
        "predicate": edited(REPORT, lambda d: d.update(redactions=4)).as_json,
    }
    env = sign_payload(canonical_bytes(stmt), key)
    with pytest.raises(VerificationError, match="subject digest"):
        verify_envelope(env, trusted(key))


def test_envelope_and_report_bytes_are_the_canonical_forms() -> None:
    """Both are written piecewise for memory; they must equal the canonical JSON built whole."""
    import base64 as b64

    from collectors.strictjson import to_json
    from report.canonical import canonical_bytes
    from report.signing import PAYLOAD_TYPE, envelope_bytes
    from tests.hosts import assess_host

    report = assess_host("debian-weak")
    assert report.canonical == canonical_bytes(to_json(report))
    sigs = [{"keyid": "ab" * 32, "sig": "c2ln"}]
    whole = {"payload": b64.b64encode(report.canonical).decode(), "payloadType": PAYLOAD_TYPE, "signatures": sigs}
    assert envelope_bytes(report.canonical, sigs) == canonical_bytes(whole) + b"\n"
