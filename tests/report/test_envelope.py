"""Reading envelopes: the form is checked before anything is trusted, every malformed input gives a reason."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from report.canonical import canonical_bytes
from report.envelope import MAX_SIGNATURES, check_signatures, parse_envelope, read_bounded, read_statement
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
)
from tests.hosts import edited, fixture_report, trusted_for


@pytest.fixture(scope="module")
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"", "not valid JSON"),
        (b"\xff\xfe garbage", "not valid UTF-8"),
        (b"[]\n", "not a JSON object"),
        (b'{"payload":"x","payloadType":"t"}\n', "missing fields"),
        (b'{"payload":"x","payloadType":"application/vnd.in-toto+json","signatures":[]}\n', "non-empty list"),
        (b'{"payload":"x","payloadType":"text/plain","signatures":[{"keyid":"k","sig":"AA=="}]}\n', "wrong payload type"),
        (b'{"payload":"!!","payloadType":"application/vnd.in-toto+json","signatures":[{"keyid":"' + b"a" * 64 + b'","sig":"AA=="}]}\n', "base64"),
        (b'{"payload":"","payloadType":"application/vnd.in-toto+json","signatures":[{"keyid":"k","sig":""}]}\n', "sha256 hex"),
        (b"[" * 100_000, "nested deeper"),
        (b'{"payload":' + b"1" * 5000 + b"}", "digits"),
        (b'{"payload":"\\ud800","payloadType":"application/vnd.in-toto+json","signatures":[{"keyid":"' + b"a" * 64 + b'","sig":""}]}\n', "surrogate"),
        (b'{"payload":1.5}', "floating-point"),
    ],
)
def test_malformed_envelopes_give_a_reason(data: bytes, reason: str) -> None:
    with pytest.raises(VerificationError, match=reason):
        parse_envelope(data)


def test_duplicate_json_key_is_rejected(key: Ed25519PrivateKey) -> None:
    env = sign_report(fixture_report("debian-weak"), key)
    dup = env.replace(b'{"payload":', b'{"payload":"eA==","payload":', 1)
    with pytest.raises(VerificationError, match="duplicate JSON key"):
        parse_envelope(dup)


def test_a_signature_duplicated_is_refused_by_position(key: Ed25519PrivateKey) -> None:
    env = json.loads(sign_report(fixture_report("debian-weak"), key))
    env["signatures"] = env["signatures"] * 3
    with pytest.raises(VerificationError, match="signatures 0 and 1 are both by key"):
        parse_envelope(canonical_bytes(env) + b"\n")


def test_twenty_thousand_copies_of_a_signature_are_refused_at_once(key: Ed25519PrivateKey) -> None:
    env = json.loads(sign_report(fixture_report("debian-weak"), key))
    env["signatures"] = env["signatures"] * 20_000
    with pytest.raises(VerificationError, match=f"at most {MAX_SIGNATURES}"):
        parse_envelope(canonical_bytes(env) + b"\n")


def test_a_forged_keyid_is_a_bad_signature(key: Ed25519PrivateKey) -> None:
    other = Ed25519PrivateKey.generate()
    env = json.loads(sign_report(fixture_report("debian-weak"), other))
    env["signatures"][0]["keyid"] = key_id(key.public_key())
    [check] = check_signatures(parse_envelope(canonical_bytes(env) + b"\n"), trusted_for(key))
    assert check.status.value == "bad"


def test_the_size_cap_is_applied_before_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.dsse.json"
    with big.open("wb") as fh:
        fh.truncate(3 * 1024 * 1024)
    with pytest.raises(VerificationError, match=r"over the 1\.0 MiB limit"):
        read_bounded(big, 1024 * 1024)


def test_a_duplicate_key_inside_the_signed_payload_is_rejected(key: Ed25519PrivateKey) -> None:
    payload = b'{"_type":"https://in-toto.io/Statement/v1","predicate":{"a":1,"a":2}}'
    with pytest.raises(VerificationError, match="duplicate JSON key"):
        read_statement(payload)


def _statement(report_json: dict, subject_name: str, digest: str) -> bytes:
    return canonical_bytes(
        {"_type": STATEMENT_TYPE, "subject": [{"name": subject_name, "digest": {"sha256": digest}}], "predicateType": PREDICATE_TYPE, "predicate": report_json}
    )


def test_the_subject_must_name_the_assessed_asset() -> None:
    report = fixture_report("debian-weak")
    payload = _statement(report.as_json, "host:bank-core-01", report_digest(report))
    with pytest.raises(VerificationError, match="subject names 'host:bank-core-01', but the report is about 'host:web-legacy-02'"):
        read_statement(payload)


def test_the_subject_digest_must_match_the_predicate() -> None:
    report = fixture_report("debian-weak")
    payload = _statement(edited(report, lambda d: d.update(redactions=4)).as_json, "host:web-legacy-02", report_digest(report))
    with pytest.raises(VerificationError, match="subject's digest"):
        read_statement(payload)


def test_a_report_of_another_schema_names_it() -> None:
    report = fixture_report("debian-weak")
    data = report.as_json
    data["schema_version"] = "1.0"
    with pytest.raises(VerificationError, match=r"schema '1\.0'"):
        read_statement(_statement(data, "host:web-legacy-02", report_digest(report)))


def test_a_malformed_report_names_the_json_path() -> None:
    report = fixture_report("debian-weak")
    data = report.as_json
    data["findings"][2]["status"] = "passed"
    with pytest.raises(VerificationError, match=r"\$\.findings\[2\]\.status"):
        read_statement(_statement(data, "host:web-legacy-02", report_digest(report)))


def test_the_signature_covers_the_payload_type(key: Ed25519PrivateKey) -> None:
    payload = b"{}"
    sig = key.sign(pae("application/json", payload))
    env = envelope_bytes(payload, [{"keyid": key_id(key.public_key()), "sig": _b64(sig)}])
    [check] = check_signatures(parse_envelope(env), trusted_for(key))
    assert check.status.value == "bad"


def test_sign_payload_writes_what_parse_envelope_reads(key: Ed25519PrivateKey) -> None:
    env = parse_envelope(sign_payload(b"{}", key))
    assert env.payload == b"{}" and env.payload_type == PAYLOAD_TYPE
