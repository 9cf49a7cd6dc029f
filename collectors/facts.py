"""The contract between a collector and the checks that read it.

A collector's name and the shape of its facts are one object, a
:class:`FactsKey`, defined once beside the collector::

    class SysctlFacts(CollectedFacts):
        keys: Dict[str, SysctlKeyFacts]

    SYSCTL: FactsKey[SysctlFacts] = FactsKey("host.sysctl")

The collector registers under that key and returns that shape; a check asks
for ``ev.facts(SYSCTL)`` and gets a ``SysctlFacts``, so mypy holds both ends
to the same keys and a check can never read a key the collector does not
write. Lists of things a collector reads (sysctl keys, watched paths) are
exported from the collector module for the checks to import, never copied.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, Mapping, TypedDict, TypeVar

F = TypeVar("F", bound=Mapping[str, Any])


class CollectedFacts(TypedDict, total=False):
    """Base of every facts shape. ``_method`` says how the facts were read; the runner moves it into the evidence."""

    _method: str


@dataclass(frozen=True)
class FactsKey(Generic[F]):
    """A collector's name, typed with the shape of the facts it returns."""

    name: str

    def __str__(self) -> str:
        return self.name
