"""Evidence records: what a collector saw, with where it saw it.

Evidence is facts only. Judging is the job of ``checks``. Every record names
its sources (files with their sha256, commands with exit code and output
digest) so an insurer can tell how a fact was obtained.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import ClassVar, Dict, Mapping, Optional, Tuple, Union

from collectors.strictjson import JSON, TextEnum, from_json, json_field, to_json

Facts = Dict[str, JSON]


class EvidenceStatus(TextEnum):
    """Outcome of one collector run."""

    OK = "ok"
    ERROR = "error"
    NOT_APPLICABLE = "not_applicable"


class ErrorReason(TextEnum):
    """Why evidence could not be collected."""

    PERMISSION_DENIED = "permission_denied"
    NOT_FOUND = "not_found"
    TIMEOUT = "timeout"
    TOOL_MISSING = "tool_missing"
    MALFORMED = "malformed"
    UNSUPPORTED = "unsupported"
    BUG = "bug"


@dataclass(frozen=True)
class FileSource:
    """A file that was read (or attempted)."""

    __json_tag__: ClassVar[Tuple[str, str]] = ("kind", "file")
    kind: ClassVar[str] = "file"
    path: str
    sha256: Optional[str] = field(default=None, metadata=json_field(omit_none=True))
    error: Optional[str] = field(default=None, metadata=json_field(omit_none=True))


@dataclass(frozen=True)
class CommandSource:
    """A read-only command that was run (or attempted)."""

    __json_tag__: ClassVar[Tuple[str, str]] = ("kind", "command")
    kind: ClassVar[str] = "command"
    argv: Tuple[str, ...]
    exit_code: Optional[int] = field(default=None, metadata=json_field(omit_none=True))
    sha256: Optional[str] = field(default=None, metadata=json_field(omit_none=True))
    error: Optional[str] = field(default=None, metadata=json_field(omit_none=True))


@dataclass(frozen=True)
class ApiSource:
    """A system API that was queried (psutil, os.stat ...)."""

    __json_tag__: ClassVar[Tuple[str, str]] = ("kind", "api")
    kind: ClassVar[str] = "api"
    api: str
    error: Optional[str] = field(default=None, metadata=json_field(omit_none=True))


@dataclass(frozen=True)
class ProbeSource:
    """A network exchange with an in-scope endpoint."""

    __json_tag__: ClassVar[Tuple[str, str]] = ("kind", "probe")
    kind: ClassVar[str] = "probe"
    endpoint: str  # host:port or URL
    protocol: str  # tcp, http, tls, nmap ...
    error: Optional[str] = field(default=None, metadata=json_field(omit_none=True))


Source = Union[FileSource, CommandSource, ApiSource, ProbeSource]


def utc_now() -> str:
    """Current UTC time, second precision, RFC 3339."""
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class Evidence:
    """One collector's result: facts plus provenance."""

    collector: str
    target: str
    status: EvidenceStatus
    facts: Mapping[str, JSON] = field(default_factory=dict)
    sources: Tuple[Source, ...] = ()
    reason: Optional[str] = None
    error_reason: Optional[ErrorReason] = None
    method: Optional[str] = None
    collected_at: str = field(default_factory=utc_now)

    @property
    def is_host(self) -> bool:
        """Host evidence (``host.*``), as opposed to a network target's."""
        return self.collector.startswith(HOST_PREFIX)

    def to_json(self) -> Dict[str, JSON]:
        data: Dict[str, JSON] = to_json(self)
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, JSON]) -> Evidence:
        """Rebuild evidence embedded in a report; a malformed record raises :class:`JsonShapeError`."""
        return from_json(cls, data)


HOST_PREFIX = "host."


class CollectError(Exception):
    """Raised inside a collector when its evidence cannot be obtained."""

    def __init__(self, reason: ErrorReason, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


class NotApplicable(Exception):
    """Raised inside a collector when the concern does not exist on the target."""
