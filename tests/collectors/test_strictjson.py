"""The strict decoder's quick paths (plain values taken as they are) refuse exactly what the full checks refuse,
at the same path."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional, Tuple

import pytest

from collectors.strictjson import JsonShapeError, check_plain, from_json, json_field


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
