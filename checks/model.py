"""Check metadata, verdicts and findings.

A check is a pure function over evidence and parameters. Its metadata sits
beside it: ids are stable and never reused, titles and remediation come in
zh-CN and en, and every check is mapped to MLPS units and insurer domains.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Dict, Mapping, Optional, Tuple


class Status(str, Enum):
    """Result of one check. Could-not-assess is ERROR or MANUAL, never PASS."""

    PASS = "pass"  # noqa: S105 - a status, not a password
    FAIL = "fail"
    NOT_APPLICABLE = "not_applicable"
    ERROR = "error"
    MANUAL = "manual"


class Severity(str, Enum):
    """How bad a failure is; discriminating on purpose (not everything is medium)."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {Severity.CRITICAL: 4, Severity.HIGH: 3, Severity.MEDIUM: 2, Severity.LOW: 1, Severity.INFO: 0}


class Layer(str, Enum):
    """MLPS technical layers (GB/T 22239-2019 8.1.x)."""

    CNS = "CNS"  # 安全通信网络
    ABS = "ABS"  # 安全区域边界
    CES = "CES"  # 安全计算环境
    SMC = "SMC"  # 安全管理中心

    @property
    def zh(self) -> str:
        return {"CNS": "安全通信网络", "ABS": "安全区域边界", "CES": "安全计算环境", "SMC": "安全管理中心"}[self.value]

    @property
    def en(self) -> str:
        return {
            "CNS": "Communication network",
            "ABS": "Area boundary",
            "CES": "Computing environment",
            "SMC": "Security management centre",
        }[self.value]


class InsurerDomain(str, Enum):
    """The underwriting domains carrier questionnaires converge on."""

    IDENTITY_MFA = "identity_mfa"
    PRIVILEGED_ACCESS = "privileged_access"
    ENDPOINT_PROTECTION = "endpoint_protection"
    PATCHING = "patching"
    EXPOSURE = "exposure"
    SEGMENTATION = "segmentation"
    ENCRYPTION_TRANSIT = "encryption_transit"
    ENCRYPTION_REST = "encryption_at_rest"
    BACKUP = "backup"
    LOGGING = "logging"
    AUDIT_INTEGRITY = "audit_integrity"
    TIME_SYNC = "time_sync"
    INTEGRITY_BOOT = "integrity_boot"
    THIRD_PARTY_ACCESS = "third_party_access"
    HARDENING = "hardening"


class CoverageLine(str, Enum):
    """Insurance coverage lines a failure puts at risk."""

    BUSINESS_INTERRUPTION = "business_interruption"
    DATA_ASSET_REPLACEMENT = "data_asset_replacement"
    INCIDENT_RESPONSE = "incident_response"
    DATA_BREACH_LIABILITY = "data_breach_liability"
    CYBER_EXTORTION = "cyber_extortion"


_UNIT_RE = re.compile(r"^L[234]-(PES|CNS|ABS|CES|SMC)[1-5]-\d{2}$")
_CLAUSE_RE = re.compile(r"^[789]\.\d+\.\d+(\.\d+)?( [a-g])?$")
_ID_RE = re.compile(r"^(LNX|NET|WEB|TLS)-[A-Z]{2,5}-\d{3}$")


@dataclass(frozen=True)
class MlpsRef:
    """An MLPS 2.0 test unit (GB/T 28448) with its clause (GB/T 22239)."""

    unit: str  # e.g. "L3-CES1-18"
    clause: str  # e.g. "8.1.4.4 b"
    levels: Tuple[int, ...] = (2, 3)

    def __post_init__(self) -> None:
        if not _UNIT_RE.match(self.unit):
            raise ValueError(f"bad MLPS unit id {self.unit!r}")
        if not _CLAUSE_RE.match(self.clause):
            raise ValueError(f"bad MLPS clause {self.clause!r}")

    @property
    def layer(self) -> Layer:
        return Layer(self.unit.split("-")[1][:3])


@dataclass(frozen=True)
class Text:
    """A user-facing string in both languages."""

    zh: str
    en: str

    def get(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en

    def to_json(self) -> Dict[str, str]:
        return {"zh": self.zh, "en": self.en}


@dataclass(frozen=True)
class CheckMeta:
    """Everything known about a check before it runs."""

    id: str
    title: Text
    remediation: Text
    severity: Severity
    mlps: Tuple[MlpsRef, ...]
    domains: Tuple[InsurerDomain, ...]
    needs: Tuple[str, ...]  # collector names
    coverage: Tuple[CoverageLine, ...] = ()
    high_risk_case: Optional[str] = None  # 高风险判定指引 case, e.g. "6.4.3.1"
    params: Mapping[str, Any] = field(default_factory=dict)
    needs_root: bool = False
    profiles: Tuple[str, ...] = ("server",)
    # "host": judged once over the host's evidence; "endpoint": once per network target.
    level: str = "host"

    def __post_init__(self) -> None:
        if not _ID_RE.match(self.id):
            raise ValueError(f"bad check id {self.id!r}")
        if not self.mlps:
            raise ValueError(f"{self.id}: at least one MLPS unit is required")
        if not self.domains:
            raise ValueError(f"{self.id}: at least one insurer domain is required")
        if not self.needs:
            raise ValueError(f"{self.id}: the evidence it needs must be declared")
        if self.level not in ("host", "endpoint"):
            raise ValueError(f"{self.id}: level must be 'host' or 'endpoint'")
        for t in (self.title, self.remediation):
            if not t.zh.strip() or not t.en.strip():
                raise ValueError(f"{self.id}: titles and remediation need zh and en")

    def to_json(self) -> Dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title.to_json(),
            "remediation": self.remediation.to_json(),
            "severity": self.severity.value,
            "mlps": [{"unit": m.unit, "clause": m.clause, "levels": list(m.levels), "layer": m.layer.value} for m in self.mlps],
            "high_risk_case": self.high_risk_case,
            "insurer_domains": [d.value for d in self.domains],
            "coverage_lines": [c.value for c in self.coverage],
            "needs": list(self.needs),
            "needs_root": self.needs_root,
            "params": dict(self.params),
            "profiles": list(self.profiles),
            "level": self.level,
        }


@dataclass(frozen=True)
class Verdict:
    """What a check function returns: a status, what it observed, and why."""

    status: Status
    observed: Mapping[str, Any] = field(default_factory=dict)
    reason: Optional[str] = None  # short English explanation (data-like, shown in both languages)

    @classmethod
    def ok(cls, reason: Optional[str] = None, **observed: Any) -> Verdict:
        return cls(Status.PASS, observed, reason)

    @classmethod
    def fail(cls, reason: Optional[str] = None, **observed: Any) -> Verdict:
        return cls(Status.FAIL, observed, reason)

    @classmethod
    def na(cls, reason: str, **observed: Any) -> Verdict:
        return cls(Status.NOT_APPLICABLE, observed, reason)

    @classmethod
    def manual(cls, reason: str, **observed: Any) -> Verdict:
        return cls(Status.MANUAL, observed, reason)

    @classmethod
    def error(cls, reason: str, **observed: Any) -> Verdict:
        return cls(Status.ERROR, observed, reason)


@dataclass(frozen=True)
class Finding:
    """A check's verdict bound to its metadata and the evidence it read."""

    meta: CheckMeta
    status: Status
    observed: Mapping[str, Any]
    reason: Optional[str]
    evidence: Tuple[str, ...]
    params: Mapping[str, Any]
    target: Optional[str] = None  # the network target, for endpoint-level checks

    def to_json(self) -> Dict[str, Any]:
        out = self.meta.to_json()
        out.pop("needs")
        out.pop("params")
        out.pop("profiles")
        out.pop("level")
        out.update(
            {
                "check_id": out.pop("id"),
                "status": self.status.value,
                "observed": dict(self.observed),
                "reason": self.reason,
                "evidence": list(self.evidence),
                "params": dict(self.params),
                "target": self.target,
            }
        )
        return out
