"""Evidence records: what a collector saw, with where it saw it.

Evidence is facts only. Judging is the job of ``checks``. Every record names
its sources (files with their sha256, commands with exit code and output
digest) so an insurer can tell how a fact was obtained.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Dict, Mapping, Optional, Tuple, Union

JSONValue = Any  # plain JSON: dict, list, str, int, bool, None (no floats)
Facts = Dict[str, JSONValue]


class EvidenceStatus(str, Enum):
    """Outcome of one collector run."""

    OK = "ok"
    ERROR = "error"
    NOT_APPLICABLE = "not_applicable"


class ErrorReason(str, Enum):
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

    path: str
    sha256: Optional[str] = None
    error: Optional[str] = None

    def to_json(self) -> Dict[str, JSONValue]:
        out: Dict[str, JSONValue] = {"kind": "file", "path": self.path}
        if self.sha256 is not None:
            out["sha256"] = self.sha256
        if self.error is not None:
            out["error"] = self.error
        return out


@dataclass(frozen=True)
class CommandSource:
    """A read-only command that was run (or attempted)."""

    argv: Tuple[str, ...]
    exit_code: Optional[int] = None
    sha256: Optional[str] = None
    error: Optional[str] = None

    def to_json(self) -> Dict[str, JSONValue]:
        out: Dict[str, JSONValue] = {"kind": "command", "argv": list(self.argv)}
        if self.exit_code is not None:
            out["exit_code"] = self.exit_code
        if self.sha256 is not None:
            out["sha256"] = self.sha256
        if self.error is not None:
            out["error"] = self.error
        return out


@dataclass(frozen=True)
class ApiSource:
    """A system API that was queried (psutil, os.stat ...)."""

    api: str
    error: Optional[str] = None

    def to_json(self) -> Dict[str, JSONValue]:
        out: Dict[str, JSONValue] = {"kind": "api", "api": self.api}
        if self.error is not None:
            out["error"] = self.error
        return out


@dataclass(frozen=True)
class ProbeSource:
    """A network exchange with an in-scope endpoint."""

    endpoint: str  # host:port or URL
    protocol: str  # tcp, http, tls, nmap ...
    error: Optional[str] = None

    def to_json(self) -> Dict[str, JSONValue]:
        out: Dict[str, JSONValue] = {"kind": "probe", "endpoint": self.endpoint, "protocol": self.protocol}
        if self.error is not None:
            out["error"] = self.error
        return out


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
    facts: Mapping[str, JSONValue] = field(default_factory=dict)
    sources: Tuple[Source, ...] = ()
    reason: Optional[str] = None
    error_reason: Optional[ErrorReason] = None
    method: Optional[str] = None
    collected_at: str = field(default_factory=utc_now)

    def to_json(self) -> Dict[str, JSONValue]:
        out: Dict[str, JSONValue] = {
            "collector": self.collector,
            "target": self.target,
            "status": self.status.value,
            "facts": dict(self.facts),
            "sources": [s.to_json() for s in self.sources],
            "collected_at": self.collected_at,
            "method": self.method,
            "reason": self.reason,
            "error_reason": self.error_reason.value if self.error_reason is not None else None,
        }
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, JSONValue]) -> Evidence:
        """Rebuild evidence embedded in a report (used when re-checking)."""
        sources: list = []
        for s in data.get("sources", []):
            kind = s.get("kind")
            if kind == "file":
                sources.append(FileSource(s["path"], s.get("sha256"), s.get("error")))
            elif kind == "command":
                sources.append(CommandSource(tuple(s["argv"]), s.get("exit_code"), s.get("sha256"), s.get("error")))
            elif kind == "probe":
                sources.append(ProbeSource(str(s["endpoint"]), str(s["protocol"]), s.get("error")))
            else:
                sources.append(ApiSource(str(s.get("api")), s.get("error")))
        er = data.get("error_reason")
        return cls(
            collector=str(data["collector"]),
            target=str(data["target"]),
            status=EvidenceStatus(data["status"]),
            facts=dict(data.get("facts", {})),
            sources=tuple(sources),
            reason=data.get("reason"),
            error_reason=ErrorReason(er) if er else None,
            method=data.get("method"),
            collected_at=str(data.get("collected_at", "")),
        )


class CollectError(Exception):
    """Raised inside a collector when its evidence cannot be obtained."""

    def __init__(self, reason: ErrorReason, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


class NotApplicable(Exception):
    """Raised inside a collector when the concern does not exist on the target."""
