"""The strict decoder's quick paths (plain values taken as they are) refuse exactly what the full checks refuse,
at the same path."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Optional, Tuple

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collectors.strictjson import MAX_DEPTH, JsonShapeError, _check_plain, _is_plain, check_plain, from_json, json_field


@dataclass(frozen=True)
class Item:
    name: str
    count: int
    tags: Tuple[str, ...]
    extra: Any = None
    note: Optional[str] = None
    more: Tuple[str, ...] = field(default=(), metadata=json_field(omit_empty=True))


@pytest.mark.parametrize(
    ("value", "path"),
    [
        ({"a": [1, {"b": 1.5}]}, "$.a[1].b"),
        ({"a": [1, 2, float("nan")]}, "$.a[2]"),
        ({1: "x"}, "$"),
        ({"a": {"b": object()}}, "$.a.b"),
        ([[[[]]], {"deep": 0, "t": ("a", True, None)}], None),  # plain: accepted as it is
    ],
)
def test_check_plain_names_the_first_bad_value(value: Any, path: Optional[str]) -> None:
    if path is None:
        assert check_plain(value) is value
        return
    with pytest.raises(JsonShapeError) as caught:
        check_plain(value)
    assert caught.value.path == path


def test_check_plain_refuses_nesting_beyond_its_depth() -> None:
    deep: Any = "x"
    for _ in range(205):
        deep = [deep]
    with pytest.raises(JsonShapeError, match="nested deeper"):
        check_plain(deep)


def _refused_by_full_check(value: Any) -> bool:
    try:
        _check_plain(value)
    except JsonShapeError:
        return True
    return False


def _nested(leaf: Any, levels: int, as_object: bool) -> Any:
    for _ in range(levels):
        leaf = {"k": leaf} if as_object else [leaf]
    return leaf


@pytest.mark.parametrize("as_object", [False, True])
@pytest.mark.parametrize("leaf", ["x", 0, None, [], {}])
@pytest.mark.parametrize("levels", [MAX_DEPTH - 1, MAX_DEPTH, MAX_DEPTH + 1])
def test_the_quick_plain_test_stops_at_the_same_depth_as_the_full_check(leaf: Any, levels: int, as_object: bool) -> None:
    """A scalar member is taken without a call of its own, and still counts one level deeper."""
    value = _nested(leaf, levels, as_object)
    assert _is_plain(value, 0) is not _refused_by_full_check(value)


@settings(max_examples=300, deadline=None)
@given(
    st.recursive(
        st.one_of(st.text(max_size=3), st.integers(), st.booleans(), st.none(), st.floats(allow_nan=False), st.just(object())),
        lambda inner: st.one_of(
            st.lists(inner, max_size=3),
            st.lists(inner, max_size=3).map(tuple),
            st.dictionaries(st.one_of(st.text(max_size=2), st.integers(0, 2)), inner, max_size=3),
        ),
        max_leaves=15,
    )
)
def test_the_quick_plain_test_accepts_exactly_what_the_full_check_accepts(value: Any) -> None:
    assert _is_plain(value, 0) is not _refused_by_full_check(value)


def test_plain_fields_and_arrays_are_taken_as_they_are_and_checked_all_the_same() -> None:
    good = {"name": "n", "count": 3, "tags": ["a", "b"], "extra": {"k": [1, "v"]}, "note": None}
    item = from_json(Item, good)
    assert item == Item("n", 3, ("a", "b"), {"k": [1, "v"]}, None, ())
    assert item.tags == ("a", "b") and type(item.tags) is tuple  # an array of strings becomes the declared tuple
    for bad, path in (
        ({**good, "tags": ["a", 2]}, "$.tags[1]"),
        ({**good, "count": True}, "$.count"),
        ({**good, "count": "3"}, "$.count"),
        ({**good, "name": None}, "$.name"),
        ({**good, "extra": {"k": 0.5}}, "$.extra.k"),
        ({**good, "more": []}, None),
    ):
        if path is None:
            assert from_json(Item, bad).more == ()
            continue
        with pytest.raises(JsonShapeError) as caught:
            from_json(Item, bad)
        assert caught.value.path == path, bad


@dataclass(frozen=True)
class Facts:
    facts: Mapping[str, Any]
    values: Tuple[Any, ...] = ()


@pytest.mark.parametrize(
    ("data", "path"),
    [
        ({"facts": {"a": {"b": [1, 1.5]}}}, "$.facts.a.b[1]"),
        ({"facts": {"a": 1}, "values": ["x", {"y": 2.0}]}, "$.values[1].y"),
        ({"facts": {"deep": _nested("x", MAX_DEPTH + 1, True)}}, None),
        ({"facts": {"ok": _nested("x", MAX_DEPTH, False)}, "values": [_nested(0, MAX_DEPTH, True)]}, "accepted"),
        ({"facts": {"a": [1, {"b": None}], "c": "d"}, "values": [True, None, []]}, "accepted"),
    ],
)
def test_objects_and_arrays_of_plain_values_are_taken_whole_and_refused_at_the_same_path(data: Any, path: Optional[str]) -> None:
    if path == "accepted":
        got = from_json(Facts, data)
        assert got.facts == data["facts"] and list(got.values) == data.get("values", [])
        return
    with pytest.raises(JsonShapeError) as caught:
        from_json(Facts, data)
    if path is not None:
        assert caught.value.path == path
    else:
        assert "nested deeper" in str(caught.value)


_SCALARS = st.one_of(st.sampled_from(["a", "b"]), st.integers(0, 1), st.booleans(), st.none())
_VALUES = st.recursive(_SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=2), st.dictionaries(st.sampled_from("xy"), inner, max_size=2)), max_leaves=6)


@settings(max_examples=400, deadline=None)
@given(_VALUES, _VALUES)
def test_the_quick_likeness_of_an_elided_field_is_the_strict_one(a: Any, b: Any) -> None:
    """``true`` is not ``1`` inside an object either; a value and itself are alike."""
    from collectors.strictjson import _alike, same_json

    assert _alike(a, b) == (a == b and same_json(a, b))
    assert _alike(a, a)


def test_objects_whose_members_differ_only_in_type_are_not_alike() -> None:
    from collectors.strictjson import _alike

    assert not _alike({"x": True, "y": "a"}, {"x": 1, "y": "a"})
    assert not _alike({"x": 1}, {"y": 1})
    assert _alike({"x": 1, "y": [True]}, {"y": [True], "x": 1})
