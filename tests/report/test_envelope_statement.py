"""Reading the signed statement: one encoding of the typed report decides a genuine payload, and each way a
payload can differ from what riskagent writes is still named, in the order the checks were always made."""

from __future__ import annotations

import copy
from typing import Any, Callable, Dict

import pytest

from collectors.digest import sha256_hex
from report.canonical import canonical_bytes
from report.envelope import load_statement, read_statement
from report.model import Report
from report.signing import PREDICATE_TYPE, STATEMENT_TYPE, VerificationError, statement_bytes
from tests.hosts import fixture_report

JSON = Dict[str, Any]


@pytest.fixture(scope="module")
def report() -> Report:
    return fixture_report("debian-weak")


def _payload(report: Report, edit: Callable[[JSON], None] = lambda d: None, *, layout: Callable[[JSON], bytes] = canonical_bytes) -> bytes:
    """The statement of ``report`` edited at the JSON level, its subject digest that of the edited predicate."""
    data = copy.deepcopy(report.as_json)
    edit(data)
    subject = {"name": f"{data['target']['kind']}:{data['target']['name']}", "digest": {"sha256": sha256_hex(canonical_bytes(data))}}
    return layout({"_type": STATEMENT_TYPE, "predicate": data, "predicateType": PREDICATE_TYPE, "subject": [subject]})


def _spaced(statement: JSON) -> bytes:
    import json

    return json.dumps(statement, sort_keys=True, ensure_ascii=False).encode()  # ", " and ": ": not the canonical form


def _error_as_null(data: JSON) -> None:
    """A source's ``error`` written as null: read as absent, so written back without it."""
    source = next(s for e in data["evidence"] for s in e["sources"] if "error" not in s)
    source["error"] = None


def test_a_genuine_statement_is_read_and_its_report_encodes_to_the_signed_bytes(report: Report) -> None:
    payload = statement_bytes(report)
    again = read_statement(payload)
    assert again == report
    assert again.canonical == report.canonical
    assert again.canonical in payload


def test_the_parsed_statement_can_be_handed_in(report: Report) -> None:
    payload = statement_bytes(report)
    assert read_statement(payload, load_statement(payload)) == report


def test_a_statement_not_in_canonical_form_is_named(report: Report) -> None:
    with pytest.raises(VerificationError, match="the signed statement is not in the canonical form riskagent writes"):
        read_statement(_payload(report, layout=_spaced))


def test_a_field_in_a_form_riskagent_never_writes_is_named(report: Report) -> None:
    with pytest.raises(VerificationError, match="it does not re-encode to the bytes that were signed"):
        read_statement(_payload(report, _error_as_null))


def test_the_first_check_that_fails_is_the_one_named(report: Report) -> None:
    """Both not canonical and holding a null riskagent never writes: the re-encoding is named, as it always was."""
    with pytest.raises(VerificationError, match="it does not re-encode"):
        read_statement(_payload(report, _error_as_null, layout=_spaced))


def test_a_wrong_subject_digest_is_named_before_the_layout(report: Report) -> None:
    def wrong_digest(statement: JSON) -> bytes:
        statement["subject"][0]["digest"]["sha256"] = "0" * 64
        return _spaced(statement)

    with pytest.raises(VerificationError, match="subject's digest does not match"):
        read_statement(_payload(report, layout=wrong_digest))


def test_a_string_canonical_json_cannot_encode_is_named(report: Report) -> None:
    payload = _payload(report).replace(b'"redactions":', b'"previous_report":"\\ud800","redactions":', 1)
    payload = payload.replace(b'"previous_report":null,', b"", 1)
    with pytest.raises(VerificationError, match=r"malformed report: a string holds a lone surrogate \(U\+D800\)"):
        read_statement(payload)


def test_a_malformed_payload_is_named_when_loaded(report: Report) -> None:
    with pytest.raises(VerificationError, match="malformed statement: signed statement is not valid JSON"):
        load_statement(statement_bytes(report)[:-1])
