"""Another DSSE implementation (securesystemslib) verifies our envelopes, co-signatures included."""

from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from securesystemslib.dsse import Envelope
from securesystemslib.exceptions import VerificationError as SslibVerificationError
from securesystemslib.signer import SSlibKey

from report.envelope import SignatureStatus, check_signatures, parse_envelope
from report.signing import PAYLOAD_TYPE, Signer, key_id, pae, sign_report
from tests.hosts import fixture_report, trusted_for


def _sslib_key(key: Ed25519PrivateKey) -> SSlibKey:
    return SSlibKey.from_crypto(key.public_key(), keyid=key_id(key.public_key()))


@pytest.fixture(scope="module")
def cosigned() -> tuple[bytes, Ed25519PrivateKey, Ed25519PrivateKey]:
    applicant, assessor = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    env = parse_envelope(sign_report(fixture_report("debian-weak"), applicant))
    return Signer(assessor).cosign(env.payload, env.signature_dicts()), applicant, assessor


def test_securesystemslib_verifies_both_signatures(cosigned: tuple[bytes, Ed25519PrivateKey, Ed25519PrivateKey]) -> None:
    data, applicant, assessor = cosigned
    theirs = Envelope.from_dict(json.loads(data))
    assert theirs.payload_type == PAYLOAD_TYPE
    verified = theirs.verify([_sslib_key(applicant), _sslib_key(assessor)], 2)
    assert set(verified) == {key_id(applicant.public_key()), key_id(assessor.public_key())}
    ours = check_signatures(parse_envelope(data), trusted_for(applicant, assessor))
    assert [c.status for c in ours] == [SignatureStatus.VERIFIED, SignatureStatus.VERIFIED]
    assert theirs.pae() == pae(PAYLOAD_TYPE, parse_envelope(data).payload)


def test_securesystemslib_refuses_what_we_refuse(cosigned: tuple[bytes, Ed25519PrivateKey, Ed25519PrivateKey]) -> None:
    data, applicant, assessor = cosigned
    tampered = json.loads(data)
    tampered["signatures"][1]["sig"] = tampered["signatures"][0]["sig"]
    with pytest.raises(SslibVerificationError):
        Envelope.from_dict(tampered).verify([_sslib_key(applicant), _sslib_key(assessor)], 2)
