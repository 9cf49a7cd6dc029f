from __future__ import annotations

import dataclasses
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from report.canonical import (
    CanonicalError,
    _dumps_canonical_stdlib,
    canonical_bytes,
    canonical_record,
    canonical_record_quick,
    dumps_canonical,
    quick_loads,
    strict_loads,
)
from tests.fuzzing import fuzz
from tests.hosts import HOSTS_DIR


def test_canonical_bytes_are_sorted_and_compact() -> None:
    assert canonical_bytes({"b": 1, "a": ["é", True, None]}) == '{"a":["é",true,null],"b":1}'.encode()


@pytest.mark.parametrize("bad", [{"x": 1.5}, {"x": float("nan")}, {1: "a"}, {"x": object()}])
def test_canonical_bytes_refuse_ambiguous_values(bad: object) -> None:
    with pytest.raises(CanonicalError):
        canonical_bytes(bad)


@pytest.mark.parametrize(
    "raw, reason",
    [(b'{"a":1,"a":1}', "duplicate"), (b'{"a":NaN}', "NaN"), (b'{"a":1.0}', "floating"), (b"\xc3(", "UTF-8"), (b"{", "JSON")],
)
def test_strict_loads_rejects(raw: bytes, reason: str) -> None:
    with pytest.raises(CanonicalError, match=reason):
        strict_loads(raw)


# ------------------------------------------------------------------------------------------ orjson and the standard library


def test_orjson_writes_what_the_standard_library_writes_for_every_code_point() -> None:
    """Every character outside the surrogates, as string content and as keys (sorted by code point alike)."""
    chars = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    for start in range(0, len(chars), 8192):
        chunk = "".join(chars[start : start + 8192])
        tree = {"text": chunk, "reversed": [chunk[::-1]], "keys": {c: i for i, c in enumerate(chunk[::97])}}
        assert dumps_canonical(tree) == _dumps_canonical_stdlib(tree), hex(start)
    keys = {c: 0 for c in chars[::13]}
    assert dumps_canonical(keys) == _dumps_canonical_stdlib(keys)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**63), max_value=2**64 - 1) | st.text(),
    lambda inner: st.lists(inner, max_size=6) | st.dictionaries(st.text(), inner, max_size=6),
    max_leaves=40,
)


@fuzz
@given(_JSON)
def test_orjson_and_the_standard_library_agree_on_any_tree(tree: object) -> None:
    assert dumps_canonical(tree) == _dumps_canonical_stdlib(tree)


@pytest.mark.parametrize("tree", [{"n": 2**64}, {"n": -(2**63) - 1}, [[[[1]]]] * 2, {"deep": json.loads("[" * 300 + "]" * 300)}])
def test_what_orjson_cannot_write_the_standard_library_writes(tree: object) -> None:
    """Integers beyond 64 bits and nesting deeper than orjson goes: the same bytes, written the slower way."""
    assert dumps_canonical(tree) == _dumps_canonical_stdlib(tree) == json.dumps(tree, sort_keys=True, separators=(",", ":")).encode()


def test_a_lone_surrogate_is_still_named() -> None:
    with pytest.raises(CanonicalError, match="lone surrogate"):
        dumps_canonical({"x": "a\ud800b"})


def test_a_record_holding_a_float_is_still_refused() -> None:
    from tests.hosts import complete_report

    report = complete_report("debian-weak", target_name="vm", mode="live")
    evidence = dataclasses.replace(report.evidence[0], facts={"ratio": 0.5})
    with pytest.raises(TypeError, match="floats are not allowed"):
        canonical_record(dataclasses.replace(report, evidence=(evidence, *report.evidence[1:])))


@pytest.mark.parametrize("host", sorted(p.name for p in HOSTS_DIR.iterdir() if p.is_dir()))
def test_the_quick_record_encoding_gives_the_strict_bytes_for_every_recorded_host(host: str) -> None:
    from tests.hosts import complete_report

    report = complete_report(host, target_name="vm", mode="live")
    assert canonical_record_quick(report) == canonical_record(report) == report.canonical


def test_the_quick_record_encoding_falls_back_where_orjson_cannot_write() -> None:
    from tests.hosts import complete_report

    report = complete_report("debian-weak", target_name="vm", mode="live")
    evidence = dataclasses.replace(report.evidence[0], facts={"inode": 2**70, "name": "x"})
    big = dataclasses.replace(report, evidence=(evidence, *report.evidence[1:]))
    assert canonical_record_quick(big) == canonical_record(big)
    assert b'"inode":1180591620717411303424' in canonical_record(big)


def test_quick_loads_reads_json_and_gives_up_on_anything_else() -> None:
    assert quick_loads(b'{"a":[1,"x"]}', 10) == {"a": [1, "x"]}
    assert quick_loads(b'{"a":', 10) is None
    assert quick_loads(b"\xc3(", 10) is None
    assert quick_loads(b"[" + b",".join([b"1"] * 20) + b"]", 10) is None  # more values than allowed: not parsed at all
