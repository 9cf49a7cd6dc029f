"""DSSE signing: the PAE, the one canonical envelope form, and co-signatures."""

from __future__ import annotations

import base64
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from report.canonical import canonical_bytes
from report.envelope import SignatureStatus, check_signatures, parse_envelope, read_statement
from report.signing import PAYLOAD_TYPE, Signer, envelope_bytes, key_id, pae, sign_report
from tests.hosts import assess_host, fixture_report, trusted_for


@pytest.fixture(scope="module")
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def test_pae_matches_the_dsse_test_vector() -> None:
    assert pae("http://example.com/HelloWorld", b"hello world") == b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"


def test_a_signed_report_reads_back_as_the_same_report(key: Ed25519PrivateKey) -> None:
    report = fixture_report("debian-weak")
    env = parse_envelope(sign_report(report, key))
    [check] = check_signatures(env, trusted_for(key))
    assert check.status is SignatureStatus.VERIFIED and check.keyid == key_id(key.public_key())
    assert read_statement(env.payload) == report


def test_a_cosignature_is_appended_and_each_signature_verifies_on_its_own(key: Ed25519PrivateKey) -> None:
    assessor = Ed25519PrivateKey.generate()
    env = parse_envelope(sign_report(fixture_report("debian-weak"), key))
    cosigned = parse_envelope(Signer(assessor).cosign(env.payload, env.signature_dicts()))
    assert cosigned.payload == env.payload
    assert [k for k, _ in cosigned.signatures] == [key_id(key.public_key()), key_id(assessor.public_key())]
    only_applicant = check_signatures(cosigned, trusted_for(key))
    assert [c.status for c in only_applicant] == [SignatureStatus.VERIFIED, SignatureStatus.UNTRUSTED]
    both = check_signatures(cosigned, trusted_for(key, assessor))
    assert [c.status for c in both] == [SignatureStatus.VERIFIED, SignatureStatus.VERIFIED]


def test_envelope_and_report_bytes_are_the_canonical_forms() -> None:
    """Both are written piecewise for memory; they must equal the canonical JSON built whole."""
    from collectors.strictjson import to_json

    report = assess_host("debian-weak")
    assert report.canonical == canonical_bytes(to_json(report))
    sigs = [{"keyid": "ab" * 32, "sig": "c2ln"}]
    whole = {"payload": base64.b64encode(report.canonical).decode(), "payloadType": PAYLOAD_TYPE, "signatures": sigs}
    assert envelope_bytes(report.canonical, sigs) == canonical_bytes(whole) + b"\n"


def test_the_statement_has_one_subject_naming_the_asset(key: Ed25519PrivateKey) -> None:
    report = fixture_report("debian-weak")
    env = json.loads(sign_report(report, key))
    statement = json.loads(base64.b64decode(env["payload"]))
    assert [s["name"] for s in statement["subject"]] == ["host:web-legacy-02"]
