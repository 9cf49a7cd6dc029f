"""``same_canonical``: the verifier's test that the rebuilt report encodes as the signed one, without encoding it.

It may say "not shown" where the bytes agree (the verifier then compares the bytes), never "the same"
where they differ: every case below checks the claim against ``canonical_record`` itself.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar, Dict, Mapping, Tuple

import pytest

from checks.model import Finding, Status
from collectors.strictjson import json_field
from report.canonical import canonical_record, same_canonical
from report.model import Report
from report.rederive import rederive
from tests.hosts import complete_report


@pytest.fixture(scope="module")
def signed() -> Report:
    """A report as a verifier reads it: parsed back from its JSON."""
    return Report.from_json(complete_report("debian-weak", target_name="vm", mode="live").as_json)


@pytest.fixture(scope="module")
def rebuilt(signed: Report) -> Report:
    return rederive(signed)


def _holds(a: Any, b: Any) -> bool:
    """``same_canonical(a, b)``, checked to be sound against the bytes."""
    claim = same_canonical(a, b)
    if claim:
        assert canonical_record(a) == canonical_record(b)
    return claim


@pytest.mark.parametrize("host", ["debian-weak", "debian-hardened"])
def test_a_genuine_report_and_its_rebuild_are_shown_the_same_without_encoding(host: str) -> None:
    signed = Report.from_json(complete_report(host, target_name="vm", mode="live").as_json)
    again = rederive(signed)
    assert again.evidence is signed.evidence  # shared, so never walked
    assert _holds(signed, again)


def _with_observed(report: Report, index: int, observed: Mapping[Any, Any]) -> Report:
    findings = list(report.findings)
    findings[index] = replace(findings[index], observed=dict(observed))
    return replace(report, findings=tuple(findings))


def _observed_index(report: Report) -> int:
    return next(i for i, f in enumerate(report.findings) if f.observed)


def test_true_where_one_is_written_is_a_difference(signed: Report, rebuilt: Report) -> None:
    i = _observed_index(rebuilt)
    a = _with_observed(rebuilt, i, {"n": 1})
    b = _with_observed(rebuilt, i, {"n": True})
    assert not _holds(a, b)
    assert canonical_record(a) != canonical_record(b)


def test_a_changed_string_deep_in_the_evidence_is_a_difference(signed: Report) -> None:
    e = next(e for e in signed.evidence if e.facts)
    key = sorted(e.facts)[0]
    evidence = tuple(replace(x, facts={**x.facts, key: "changed"}) if x is e else x for x in signed.evidence)
    assert not _holds(signed, replace(signed, evidence=evidence))


def test_key_order_of_a_plain_object_does_not_matter(rebuilt: Report) -> None:
    summary = rebuilt.summary
    flipped = replace(summary, by_status=dict(reversed(list(summary.by_status.items()))))
    assert list(flipped.by_status) != list(summary.by_status)
    assert _holds(rebuilt, replace(rebuilt, summary=flipped))


def test_forms_with_the_same_bytes_may_be_left_to_the_bytes(rebuilt: Report) -> None:
    i = _observed_index(rebuilt)
    listed = _with_observed(rebuilt, i, {"ports": [22, 80], "status": "pass"})
    assert not _holds(listed, _with_observed(rebuilt, i, {"ports": (22, 80), "status": "pass"}))
    assert not _holds(listed, _with_observed(rebuilt, i, {"ports": [22, 80], "status": Status.PASS}))
    assert canonical_record(listed) == canonical_record(_with_observed(rebuilt, i, {"ports": (22, 80), "status": Status.PASS}))


def test_a_key_that_is_not_a_string_is_left_to_the_bytes(rebuilt: Report) -> None:
    i = _observed_index(rebuilt)
    assert not _holds(_with_observed(rebuilt, i, {"1": "a"}), _with_observed(rebuilt, i, {1: "a"}))
    assert not _holds(_with_observed(rebuilt, i, {"True": "a"}), _with_observed(rebuilt, i, {True: "a"}))


def test_reason_parameters_in_another_order_are_compared_by_what_each_finding_writes(rebuilt: Report) -> None:
    f = next(f for f in rebuilt.findings if f.reason_params and len(f.reason_params) > 1)
    assert f.reason_params is not None
    flipped = replace(f, reason_params=dict(reversed(list(f.reason_params.items()))))
    assert _holds(f, flipped)
    assert not _holds(f, replace(flipped, reason="another reason"))


# ------------------------------------------------------------------------------------------ records whose fill reads key order


@dataclass(frozen=True)
class _Tagged:
    """A record whose elided label follows from the order of its tags, as a fill may."""

    __json_elided__: ClassVar[Tuple[str, ...]] = ("label",)

    tags: Dict[str, int]
    label: str = field(default="", metadata=json_field())

    @classmethod
    def __json_fill__(cls, written: Mapping[str, Any]) -> Dict[str, Any]:
        return {"label": ",".join(written["tags"])}


@dataclass(frozen=True)
class _Grouped:
    """The same, the order read below a list and a mapping."""

    __json_elided__: ClassVar[Tuple[str, ...]] = ("label",)

    groups: Tuple[Dict[str, Dict[str, int]], ...]
    label: str = ""

    @classmethod
    def __json_fill__(cls, written: Mapping[str, Any]) -> Dict[str, Any]:
        return {"label": ",".join(k for g in written["groups"] for inner in g.values() for k in inner)}


@dataclass(frozen=True)
class _First:
    """A record with a derived key that follows from the order of a mapping."""

    __json_derived__: ClassVar[Tuple[str, ...]] = ("first",)

    values: Dict[str, int]

    @property
    def first(self) -> str:
        return next(iter(self.values), "")


def test_where_a_fill_reads_the_order_of_keys_the_order_counts() -> None:
    a = _Tagged({"x": 1, "y": 2}, "x,y")  # label elided: it is what the fill gives
    b = _Tagged({"y": 2, "x": 1}, "x,y")  # label written: the fill gives "y,x"
    assert canonical_record(a) != canonical_record(b)
    assert not _holds(a, b)
    assert not _holds([a], [b])
    assert _holds(_Tagged({"x": 1, "y": 2}, "x,y"), a)


def test_the_order_counts_all_the_way_down_what_a_fill_reads() -> None:
    a = _Grouped(({"g": {"x": 1, "y": 2}},), "x,y")
    b = _Grouped(({"g": {"y": 2, "x": 1}},), "x,y")
    assert canonical_record(a) != canonical_record(b)
    assert not _holds(a, b)
    assert _holds(a, _Grouped(({"g": {"x": 1, "y": 2}},), "x,y"))


def test_where_a_derived_key_reads_the_order_of_keys_the_order_counts() -> None:
    a, b = _First({"x": 1, "y": 2}), _First({"y": 2, "x": 1})
    assert canonical_record(a) != canonical_record(b)
    assert not _holds(a, b)


def test_a_record_of_another_type_is_never_the_same() -> None:
    @dataclass(frozen=True)
    class Other:
        tags: Dict[str, int]
        label: str

    assert not _holds(_Tagged({"x": 1}, "x"), Other({"x": 1}, "x"))
    assert dataclasses.is_dataclass(Other)


def test_findings_are_compared_field_by_field(rebuilt: Report) -> None:
    f: Finding = rebuilt.findings[0]
    assert _holds(f, replace(f))
    assert not _holds(f, replace(f, status=Status.ERROR if f.status is not Status.ERROR else Status.PASS))
