"""The trust store: entries checked on load, identities shown, windows and targets enforced by the policy."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Dict, List

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from report.policy import Policy
from report.signing import key_id, sign_report
from report.trust import Role, TrustError, covers, parse_trust_store, uscc_problem
from report.verification import Outcome, verify_bytes
from tests.hosts import complete_report

DEFAULT_POLICY = Policy()
NOW = dt.datetime(2026, 1, 2, tzinfo=dt.timezone.utc)
USCC = "91440300708461136T"  # a real, published unified social credit code (valid check character)


def _pem(key: Ed25519PrivateKey) -> str:
    return key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def entry(key: Ed25519PrivateKey, **over: Any) -> Dict[str, Any]:
    data: Dict[str, Any] = {
        "name": "Acme Ltd",
        "role": "applicant",
        "organisation_id": USCC,
        "public_key": _pem(key),
        "keyid": key_id(key.public_key()),
        "valid_from": "2025-06-01",
        "valid_until": "2026-06-01",
        "targets": ["host:vm", "machine:*"],
    }
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


def store(*entries: Dict[str, Any]) -> bytes:
    return json.dumps({"riskagent_trust_store": 1, "signers": list(entries)}).encode()


@pytest.fixture(scope="module")
def applicant() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture(scope="module")
def assessor() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def test_uscc_check_character() -> None:
    assert uscc_problem(USCC) is None
    assert "check character" in str(uscc_problem(USCC[:-1] + "U"))
    assert "18 characters" in str(uscc_problem("9144030070846113"))
    assert "never used" in str(uscc_problem("9144030070846113IT"))


@pytest.mark.parametrize(
    "over, message",
    [
        ({"keyid": "ab" * 32}, "is not the id of its public key"),
        ({"organisation_id": "91440300708461136U"}, "fails its check character"),
        ({"organisation_id": None}, "names the organisation's unified social credit code"),
        ({"role": "assessor", "organisation_id": None}, "certificate number"),
        ({"role": "underwriter"}, "$.signers[0].role: expected one of applicant, assessor, insurer"),
        ({"valid_from": "next year"}, "valid_from: 'next year' is not a date"),
        ({"valid_from": "2026-06-01", "valid_until": "2026-01-01"}, "is not before valid_until"),
        ({"targets": []}, "targets is empty"),
        ({"public_key": "-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----\n"}, "not a PEM public key"),
        ({"extra": 1}, "$.signers[0].extra: unknown key"),
    ],
)
def test_bad_entries_are_named(applicant: Ed25519PrivateKey, over: Dict[str, Any], message: str) -> None:
    with pytest.raises(TrustError) as exc:
        parse_trust_store(store(entry(applicant, **over)), "trust.json")
    assert message in str(exc.value) and "trust.json" in str(exc.value)


def test_one_identity_per_key(applicant: Ed25519PrivateKey) -> None:
    with pytest.raises(TrustError, match="listed twice"):
        parse_trust_store(store(entry(applicant), entry(applicant, name="Other")), "trust.json")


def test_target_patterns_are_case_insensitive_globs(applicant: Ed25519PrivateKey) -> None:
    e = parse_trust_store(store(entry(applicant, targets=["host:WEB-*"])), "t")[key_id(applicant.public_key())].entry
    assert e is not None and e.role is Role.APPLICANT
    assert covers(e, "host:web-01", []) and not covers(e, "host:db-01", ["ip:10.0.0.1"])


def test_identifier_patterns_narrow_and_never_widen() -> None:
    from report.trust import matches

    bound = ["host:web-*", "machine:8dfc*"]
    assert matches(bound, "host:web-01", ["machine:8dfc9844", "ip:10.0.0.5"])
    assert not matches(bound, "host:web-01", ["machine:aaaa"])  # the right name on another machine
    assert not matches(bound, "host:bank-core-01", ["machine:8dfc9844"])  # the right machine under another name
    assert not matches(["host:web-*", "ip:10.0.0.*"], "host:bank-core-01", ["ip:10.0.0.5"])  # a shared private address
    assert matches(["machine:8dfc*"], "host:anything", ["machine:8dfc9844"])
    assert matches(["*"], "website:https://shop.example/", [])


def _verify(report: Any, signers: List[Ed25519PrivateKey], trust: bytes, policy: Policy = DEFAULT_POLICY, now: dt.datetime = NOW) -> Any:
    data = sign_report(report, signers[0])
    if len(signers) > 1:
        from report.envelope import parse_envelope
        from report.signing import Signer

        env = parse_envelope(data)
        for extra in signers[1:]:
            data = Signer(extra).cosign(env.payload, env.signature_dicts())
            env = parse_envelope(data)
    return verify_bytes(data, parse_trust_store(trust, "trust.json"), policy, now=now)


def test_verify_names_the_signer_not_just_a_key_id(applicant: Ed25519PrivateKey) -> None:
    v = _verify(complete_report("debian-weak", target_name="vm"), [applicant], store(entry(applicant)))
    assert v.outcome is Outcome.VALID, v.reason
    assert v.signatures[0].key.label == f"Acme Ltd (applicant, {USCC})"


def test_a_key_outside_its_window_fails_the_policy(applicant: Ed25519PrivateKey) -> None:
    trust = store(entry(applicant, valid_until="2025-12-31"))
    v = _verify(complete_report("debian-weak", target_name="vm"), [applicant], trust)
    assert v.outcome is Outcome.POLICY_FAILED and v.exit_code == 4
    assert "was trusted only until 2025-12-31, before the report's time" in v.reason


def test_a_key_outside_its_targets_fails_the_policy(applicant: Ed25519PrivateKey) -> None:
    v = _verify(complete_report("debian-weak", target_name="bank-core-01"), [applicant], store(entry(applicant, targets=["host:vm"])))
    assert v.outcome is Outcome.POLICY_FAILED
    assert "may sign only for host:vm, not for host:bank-core-01" in v.reason


def test_a_key_bound_to_a_machine_id_covers_that_machine_only(applicant: Ed25519PrivateKey) -> None:
    report = complete_report("ics-gateway", target_name="renamed-host")
    machine = next(i for i in report.target.identifiers if i.startswith("machine:"))
    assert _verify(report, [applicant], store(entry(applicant, targets=[machine]))).outcome is Outcome.VALID
    other = complete_report("debian-weak", target_name="renamed-host")
    assert _verify(other, [applicant], store(entry(applicant, targets=[machine]))).outcome is Outcome.POLICY_FAILED


def test_a_required_role_counts_only_verified_trusted_signatures(applicant: Ed25519PrivateKey, assessor: Ed25519PrivateKey) -> None:
    report = complete_report("debian-weak", target_name="vm")
    trust = store(entry(applicant), entry(assessor, name="Li Si", role="assessor", organisation_id=None, certificate="CISP-2024-0001"))
    alone = _verify(report, [applicant], trust, Policy(require_roles=(Role.ASSESSOR,)))
    assert alone.outcome is Outcome.POLICY_FAILED and alone.reason == "policy: roles: no signature by a trusted assessor"
    cosigned = _verify(report, [applicant, assessor], trust, Policy(require_roles=(Role.ASSESSOR, Role.APPLICANT)))
    assert cosigned.outcome is Outcome.VALID, cosigned.reason
    assert [s.key.entry.role for s in cosigned.signatures] == [Role.APPLICANT, Role.ASSESSOR]
    untrusted_assessor = _verify(report, [applicant, assessor], store(entry(applicant)), Policy(require_roles=(Role.ASSESSOR,), ignore_untrusted_signatures=True))
    assert untrusted_assessor.outcome is Outcome.POLICY_FAILED
