"""The verifier's one-comparison path: a genuine payload is the Statement its own declarations rebuild.

It may only ever accept what the full reading accepts: every case either is accepted with the very report the
full reading gives, or is left (None) to the full reading, which names the difference as it always has.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any, Callable, Dict

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from checks.model import Status
from report.canonical import canonical_bytes, quick_loads
from report.envelope import MAX_REPORT_VALUES, load_statement, parse_envelope, read_statement
from report.model import Report
from report.rederive import Declarations, declarations_from_json, rederived_statement
from report.signing import sign_report, statement_bytes
from report.verification import Outcome, verify_bytes
from tests.hosts import complete_report, edited, trusted_for

NOW = dt.datetime(2026, 1, 2, tzinfo=dt.timezone.utc)
JSON = Dict[str, Any]


@pytest.fixture(scope="module")
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def _payload(report: Report, key: Ed25519PrivateKey) -> bytes:
    return parse_envelope(sign_report(report, key)).payload


@pytest.mark.parametrize(
    ("host", "extra"),
    [
        ("debian-weak", {}),
        ("debian-hardened", {}),
        ("debian-weak", {"previous_report": "ab" * 32, "challenge": "nonce-from-the-insurer", "mode": "replay"}),
    ],
)
def test_a_genuine_report_is_accepted_in_one_comparison_as_the_full_reading_reads_it(
    key: Ed25519PrivateKey, host: str, extra: Dict[str, Any]
) -> None:
    payload = _payload(complete_report(host, target_name="vm", **{"mode": "live", **extra}), key)
    statement = load_statement(payload)
    fast = rederived_statement(payload, statement)
    assert fast is not None
    full = read_statement(payload, load_statement(payload))
    assert fast.canonical == full.canonical == canonical_bytes(statement["predicate"])
    assert statement_bytes(fast) == payload
    assert fast.findings == full.findings and fast.plan == full.plan and fast.underwriting == full.underwriting


def test_declarations_read_from_json_are_those_of_the_typed_report(key: Ed25519PrivateKey) -> None:
    payload = _payload(complete_report("debian-weak", target_name="vm", mode="live"), key)
    predicate = load_statement(payload)["predicate"]
    assert declarations_from_json(predicate) == Declarations.of(Report.from_json(predicate))


def test_verify_gives_the_report_the_full_reading_gives(key: Ed25519PrivateKey) -> None:
    envelope = sign_report(complete_report("debian-weak", target_name="vm", mode="live"), key)
    v = verify_bytes(envelope, trusted_for(key), now=NOW)
    assert v.outcome in (Outcome.VALID, Outcome.POLICY_FAILED)
    assert v.report is not None
    payload = parse_envelope(envelope).payload
    assert v.report.canonical == read_statement(payload).canonical


def _flip_first_failure(data: JSON) -> None:
    finding = next(f for f in data["findings"] if f["status"] == Status.FAIL.value)
    finding["status"] = Status.PASS.value


def _drop_evidence_item(data: JSON) -> None:
    data["evidence"].pop()


def _level_as_text(data: JSON) -> None:
    data["underwriting"]["mlps"]["level"] = "3"


def _level_as_bool(data: JSON) -> None:
    data["underwriting"]["mlps"]["level"] = True


def _no_evidence_key(data: JSON) -> None:
    del data["evidence"]


def _foreign_collector(data: JSON) -> None:
    data["evidence"][0]["collector"] = "net.modbus"


def _unreadable_plan_settings(data: JSON) -> None:
    data["plan_settings"] = {"owners": "everyone"}


def _sla_a_scan_refuses(data: JSON) -> None:
    data["plan_settings"]["sla_days"] = {"critical": -5}


@pytest.mark.parametrize(
    "edit",
    [_flip_first_failure, _drop_evidence_item, _level_as_text, _level_as_bool, _no_evidence_key, _foreign_collector,
     _unreadable_plan_settings, _sla_a_scan_refuses],
)  # fmt: skip
def test_anything_but_the_rebuilt_statement_is_left_to_the_full_reading(key: Ed25519PrivateKey, edit: Callable[[JSON], None]) -> None:
    """Each edit, signed with the report's own key, is not accepted here, and the verifier still rejects it."""
    from collectors.digest import sha256_hex
    from report.signing import PREDICATE_TYPE, STATEMENT_TYPE, sign_payload

    genuine = complete_report("debian-weak", target_name="vm", mode="live")
    data = copy.deepcopy(genuine.as_json)
    edit(data)
    body = canonical_bytes(data)
    subject = [{"digest": {"sha256": sha256_hex(body)}, "name": f"{genuine.target.kind}:{genuine.target.name}"}]
    payload = canonical_bytes({"_type": STATEMENT_TYPE, "predicate": data, "predicateType": PREDICATE_TYPE, "subject": subject})
    assert rederived_statement(payload, quick_loads(payload, MAX_REPORT_VALUES)) is None
    v = verify_bytes(sign_payload(payload, key), trusted_for(key), now=NOW)
    assert v.outcome is Outcome.INVALID, v.problems
    assert v.problems


def test_a_statement_in_another_form_is_left_to_the_full_reading(key: Ed25519PrivateKey) -> None:
    """The same report with a second subject: the rebuilt Statement has one, so the bytes differ."""
    from report.signing import sign_payload

    payload = _payload(complete_report("debian-weak", target_name="vm", mode="live"), key)
    statement = load_statement(payload)
    statement["subject"] = statement["subject"] * 2
    other = canonical_bytes(statement)
    assert rederived_statement(other, load_statement(other)) is None
    v = verify_bytes(sign_payload(other, key), trusted_for(key), now=NOW)
    assert v.outcome is Outcome.INVALID and "exactly one subject" in " ".join(v.problems)


def test_a_typed_edit_of_a_derived_section_is_rejected_by_name(key: Ed25519PrivateKey) -> None:
    genuine = complete_report("debian-weak", target_name="vm", mode="live")
    forged = edited(genuine, lambda d: d["summary"].update(total=d["summary"]["total"] + 1))
    payload = _payload(forged, key)
    assert rederived_statement(payload, load_statement(payload)) is None
    v = verify_bytes(sign_report(forged, key), trusted_for(key), now=NOW)
    assert v.outcome is Outcome.INVALID
    assert any("summary" in p for p in v.problems), v.problems


def _duplicate_key(payload: bytes) -> bytes:
    return payload.replace(b'"profile":"server"', b'"profile":"server","profile":"server"', 1)


def _float(payload: bytes) -> bytes:
    return payload.replace(b'"redactions":0', b'"redactions":0.0', 1)


def _whitespace(payload: bytes) -> bytes:
    return payload.replace(b'"profile":"server"', b'"profile": "server"', 1)


def _nested_deep(payload: bytes) -> bytes:
    return payload.replace(b'"redactions":0', b'"redactions":' + b"[" * 2000 + b"]" * 2000, 1)


@pytest.mark.parametrize(
    ("edit", "named"),
    [(_duplicate_key, "duplicate JSON key"), (_float, "floating-point"), (_whitespace, "canonical"), (_nested_deep, "nested deeper")],
)
def test_what_the_quick_parse_reads_loosely_is_refused_by_the_strict_one(key: Ed25519PrivateKey, edit: Callable[[bytes], bytes], named: str) -> None:
    """The one comparison parses with orjson, which keeps a duplicate key's last value and reads floats. Such a
    payload, signed, is never the canonical bytes of the rebuilt report, so the strict reading judges it, as before."""
    from report.signing import sign_payload

    genuine = _payload(complete_report("debian-weak", target_name="vm", mode="live"), key)
    payload = edit(genuine)
    assert payload != genuine
    assert rederived_statement(payload, quick_loads(payload, MAX_REPORT_VALUES)) is None
    v = verify_bytes(sign_payload(payload, key), trusted_for(key), now=NOW)
    assert v.outcome is Outcome.INVALID
    assert named in " ".join(v.problems), v.problems


@pytest.mark.parametrize("statement", [None, [], {"predicate": None}, {"predicate": []}, {"predicate": {"evidence": 1}}])
def test_garbage_is_never_accepted_and_never_raises(statement: Any) -> None:
    assert rederived_statement(b"{}", statement) is None


@pytest.mark.parametrize("level", [1, 4, 0])
def test_a_level_no_scan_judges_at_is_not_read_as_a_declaration(key: Ed25519PrivateKey, level: int) -> None:
    predicate = load_statement(_payload(complete_report("debian-weak", target_name="vm", mode="live"), key))["predicate"]
    predicate["underwriting"]["mlps"]["level"] = level
    assert declarations_from_json(predicate) is None


# ------------------------------------------------------------------------------------------ differential


def _leaves(node: Any, path: tuple = ()) -> list:
    """Every (path, value) of a JSON tree whose value is a string, integer, boolean or null."""
    if isinstance(node, dict):
        return [leaf for k, v in node.items() for leaf in _leaves(v, (*path, k))]
    if isinstance(node, list):
        return [leaf for i, v in enumerate(node) for leaf in _leaves(v, (*path, i))]
    return [(path, node)]


def _other(value: Any, draw: Any) -> Any:
    from hypothesis import strategies as st

    if isinstance(value, bool):
        return draw(st.sampled_from([not value, 1 if value else 0, None]))
    if isinstance(value, int):
        return draw(st.sampled_from([value + 1, value - 1, str(value), True, None]))
    if isinstance(value, str):
        return draw(st.sampled_from([value + " ", value.upper(), "", "pass", "fail", "na", value[:-1] or "x", None]))
    return draw(st.sampled_from(["", 0, False]))


@pytest.fixture(scope="module")
def genuine_json() -> JSON:
    return complete_report("debian-weak", target_name="vm", mode="live").as_json


def test_the_one_comparison_never_accepts_what_the_full_reading_refuses(key: Ed25519PrivateKey, genuine_json: JSON) -> None:
    """One leaf anywhere in the report changed, dropped or given a sibling key, and signed as it is: the one-comparison path either leaves it to the
    full reading, or accepts it with the very report the full reading accepts (an edit that changes nothing)."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from collectors.digest import sha256_hex
    from report.rederive import recheck
    from report.signing import PREDICATE_TYPE, STATEMENT_TYPE, VerificationError
    from tests.fuzzing import examples

    leaves = _leaves(genuine_json)

    @settings(max_examples=examples(40), deadline=None, derandomize=True, database=None)
    @given(st.data())
    def check(data: Any) -> None:
        path, value = data.draw(st.sampled_from(leaves))
        edited = copy.deepcopy(genuine_json)
        node = edited
        for step in path[:-1]:
            node = node[step]
        how = data.draw(st.sampled_from(["change", "change", "drop", "add"]))
        if how == "drop" and isinstance(node, dict):
            del node[path[-1]]
        elif how == "add" and isinstance(node, dict):
            node[f"{path[-1]}_extra"] = value
        else:
            node[path[-1]] = _other(value, data.draw)
        body = canonical_bytes(edited)
        subject = [{"digest": {"sha256": sha256_hex(body)}, "name": "host:vm"}]
        payload = canonical_bytes({"_type": STATEMENT_TYPE, "predicate": edited, "predicateType": PREDICATE_TYPE, "subject": subject})
        fast = rederived_statement(payload, quick_loads(payload, MAX_REPORT_VALUES))  # the verifier's own parse
        if fast is None:
            return
        try:
            full = read_statement(payload, load_statement(payload))
        except VerificationError as exc:
            raise AssertionError(f"accepted in one comparison, refused when read in full: {path} -> {exc}") from None
        assert recheck(full) == [], path
        assert full.canonical == fast.canonical

    check()
