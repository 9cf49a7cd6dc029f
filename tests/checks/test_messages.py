"""Rendering a message: the parameters' types decide what shows, whatever was rendered before."""

from __future__ import annotations

from checks import messages
from checks.messages import message, render

FLAG = message("test/messages-flag", en="flag is {value}", zh="标志为 {value}")


def test_true_and_one_render_apart_though_equal_as_keys() -> None:
    for _ in range(2):  # the second time from what the first remembered
        assert render(FLAG.id, {"value": True}, "en") == "flag is yes"
        assert render(FLAG.id, {"value": 1}, "en") == "flag is 1"
        assert render(FLAG.id, {"value": True}, "zh") == "标志为 是"
        assert render(FLAG.id, {"value": None}, "en") == "flag is none"


def test_lists_and_unknown_ids_are_rendered_each_time() -> None:
    before = len(messages._RENDERED)
    assert render(FLAG.id, {"value": ["a", "b"]}, "en") == "flag is a, b"
    assert render("test/messages-unknown", {"value": 2}, "en") == "test/messages-unknown (value=2)"
    assert len(messages._RENDERED) == before


def test_the_memory_of_renderings_is_bounded() -> None:
    for i in range(messages._MAX_RENDERED + 10):
        assert render(FLAG.id, {"value": f"v{i}"}, "en") == f"flag is v{i}"
    assert 0 < len(messages._RENDERED) <= messages._MAX_RENDERED
