from __future__ import annotations

import pytest

from report.canonical import CanonicalError, canonical_bytes, strict_loads


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
