"""The contract between a collector and the checks that read it.

A collector's name and the shape of its facts are one object, a
:class:`FactsKey`, defined once beside the collector::

    class SysctlFacts(CollectedFacts):
        keys: Dict[str, SysctlKeyFacts]

    SYSCTL = FactsKey[SysctlFacts]("host.sysctl", SysctlFacts)

The collector registers under that key and returns that shape; a check asks
for ``ev.facts(SYSCTL)`` and gets a ``SysctlFacts``, so mypy holds both ends
to the same keys and a check can never read a key the collector does not
write. Lists of things a collector reads (sysctl keys, watched paths) are
exported from the collector module for the checks to import, never copied.
Network collectors keep their shapes in ``collectors/net/<name>_facts.py``,
so that the checks import them without loading any probe code.
"""

from __future__ import annotations

import collections.abc
import typing
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, Mapping, TypedDict, TypeVar, Union

F_co = TypeVar("F_co", bound=Mapping[str, Any], covariant=True)  # a key of a narrower shape is a key of a wider one


class CollectedFacts(TypedDict, total=False):
    """Base of every facts shape. ``_method`` says how the facts were read; the runner moves it into the evidence."""

    _method: str


@dataclass(frozen=True)
class FactsKey(Generic[F_co]):
    """A collector's name, typed with the shape of the facts it returns.

    ``shape`` is the same TypedDict at run time, so facts can be checked against it
    (``check_shape``): the tests do it for every collector on every recorded host.
    """

    name: str
    shape: Any = field(default=Any, compare=False)

    def __str__(self) -> str:
        return self.name


class ShapeError(ValueError):
    """Facts that do not have the shape their collector declares; the message starts with the path."""


def check_shape(value: Any, shape: Any, path: str = "$") -> None:
    """Raise :class:`ShapeError` unless ``value`` has the declared ``shape``.

    TypedDicts are closed: a key the shape does not declare is an error, as is a missing required key.
    ``Any`` accepts any JSON value.
    """
    if shape is Any or shape is object:
        return
    origin = typing.get_origin(shape)
    args = typing.get_args(shape)
    if _is_typeddict(shape):
        if not isinstance(value, dict):
            raise ShapeError(f"{path}: expected an object ({shape.__name__}), got {type(value).__name__}")
        hints = typing.get_type_hints(shape)
        for key in value:
            if key not in hints:
                raise ShapeError(f"{path}.{key}: not a key of {shape.__name__}")
        for key in shape.__required_keys__:
            if key not in value:
                raise ShapeError(f"{path}.{key}: missing key of {shape.__name__}")
        for key, item in value.items():
            check_shape(item, hints[key], f"{path}.{key}")
        return
    if origin is Union:
        problems = []
        for option in args:
            try:
                check_shape(value, option, path)
                return
            except ShapeError as exc:
                problems.append(str(exc))
        raise ShapeError(f"{path}: fits none of {', '.join(_name(a) for a in args)} ({problems[0]})")
    if origin is Literal:
        if value not in args:
            raise ShapeError(f"{path}: expected one of {args!r}, got {value!r}")
        return
    if origin in (list, tuple, collections.abc.Sequence):
        if not isinstance(value, (list, tuple)):
            raise ShapeError(f"{path}: expected a list, got {type(value).__name__}")
        item = args[0] if args else Any
        for i, v in enumerate(value):
            check_shape(v, item, f"{path}[{i}]")
        return
    if origin in (dict, collections.abc.Mapping):
        if not isinstance(value, dict):
            raise ShapeError(f"{path}: expected an object, got {type(value).__name__}")
        item = args[1] if args else Any
        for k, v in value.items():
            check_shape(v, item, f"{path}.{k}")
        return
    if shape is type(None):
        if value is not None:
            raise ShapeError(f"{path}: expected null, got {type(value).__name__}")
        return
    if shape is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ShapeError(f"{path}: expected an integer, got {type(value).__name__}")
        return
    if shape in (str, bool):
        if not isinstance(value, shape):
            raise ShapeError(f"{path}: expected {shape.__name__}, got {type(value).__name__}")
        return
    raise TypeError(f"check_shape: unsupported shape {shape!r} at {path}")


def _is_typeddict(shape: Any) -> bool:
    return isinstance(shape, type) and issubclass(shape, dict) and hasattr(shape, "__required_keys__")


def _name(shape: Any) -> str:
    return getattr(shape, "__name__", None) or repr(shape)
