"""Check metadata, verdicts and findings.

A check is a pure function over evidence and parameters. Its metadata sits
beside it: ids are stable and never reused, titles and remediation come in
zh-CN and en, and every check is mapped to MLPS units and insurer domains.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, ClassVar, Dict, Mapping, Optional, Tuple, Union

from collectors.profile import Profile
from collectors.strictjson import JSON, TextEnum, json_field, to_json


class Status(TextEnum):
    """Result of one check. Could-not-assess is ERROR or MANUAL, never PASS."""

    PASS = "pass"  # noqa: S105 - a status, not a password
    FAIL = "fail"
    NOT_APPLICABLE = "not_applicable"
    ERROR = "error"
    MANUAL = "manual"


class Severity(TextEnum):
    """How bad a failure is; discriminating on purpose (not everything is medium).

    Members are declared worst first: that order is the one severity order of the project.
    """

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        """4 for critical down to 0 for info: larger is worse."""
        return _SEVERITY_RANK[self]

    def at_least(self, threshold: Severity) -> bool:
        """Whether this severity is ``threshold`` or worse."""
        return self.rank >= threshold.rank


_SEVERITY_RANK = {s: 4 - i for i, s in enumerate(Severity)}
SEVERITIES: Tuple[str, ...] = tuple(s.value for s in Severity)


class Layer(TextEnum):
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


class InsurerDomain(TextEnum):
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


class CoverageLine(TextEnum):
    """Insurance coverage lines a failure puts at risk."""

    BUSINESS_INTERRUPTION = "business_interruption"
    DATA_ASSET_REPLACEMENT = "data_asset_replacement"
    INCIDENT_RESPONSE = "incident_response"
    DATA_BREACH_LIABILITY = "data_breach_liability"
    CYBER_EXTORTION = "cyber_extortion"


_UNIT_RE = re.compile(r"^L[234]-(PES|CNS|ABS|CES|SMC)[1-5]-\d{2}$")
_LAYER_OF_UNIT: Dict[str, Layer] = {}  # unit id -> its layer (enum lookups are slow; findings ask often)
_CLAUSE_RE = re.compile(r"^[789]\.\d+\.\d+(\.\d+)?( [a-g])?$")
_ID_RE = re.compile(r"^(LNX|NET|WEB|TLS)-[A-Z]{2,5}-\d{3}$")


class CheckLevel(TextEnum):
    """What a check is judged over."""

    HOST = "host"  # once, over the assessed host's evidence
    ENDPOINT = "endpoint"  # once per network target


@dataclass(frozen=True)
class MlpsRef:
    """An MLPS 2.0 test unit (GB/T 28448) with its clause (GB/T 22239)."""

    __json_derived__: ClassVar[Tuple[str, ...]] = ("layer",)
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
        layer = _LAYER_OF_UNIT.get(self.unit)
        if layer is None:
            layer = _LAYER_OF_UNIT[self.unit] = Layer(self.unit.split("-")[1][:3])
        return layer


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
    """Everything known about a check before it runs. Built by ``checks.registry.check``."""

    id: str
    title: Text
    remediation: Text
    severity: Severity
    mlps: Tuple[MlpsRef, ...]
    domains: Tuple[InsurerDomain, ...]
    needs: Tuple[str, ...]  # collector names
    coverage: Tuple[CoverageLine, ...] = ()
    high_risk_case: Optional[str] = None  # 高风险判定指引 case, e.g. "6.4.3.1"
    params: Mapping[str, JSON] = field(default_factory=dict)
    needs_root: bool = False
    profiles: Tuple[Profile, ...] = (Profile.SERVER,)
    level: CheckLevel = CheckLevel.HOST
    basis: str = ""  # why these MLPS units (and case): the requirement the check evidences

    def __post_init__(self) -> None:
        if not _ID_RE.match(self.id):
            raise ValueError(f"bad check id {self.id!r}")
        if not self.mlps:
            raise ValueError(f"{self.id}: at least one MLPS unit is required")
        if not self.domains:
            raise ValueError(f"{self.id}: at least one insurer domain is required")
        if not self.needs:
            raise ValueError(f"{self.id}: the evidence it needs must be declared")
        for t in (self.title, self.remediation):
            if not t.zh.strip() or not t.en.strip():
                raise ValueError(f"{self.id}: titles and remediation need zh and en")

    @property
    def family(self) -> str:
        """``LNX-SSH`` for ``LNX-SSH-001``: a family lives in one module."""
        return self.id.rsplit("-", 1)[0]

    def to_json(self) -> Dict[str, JSON]:
        return {
            "id": self.id,
            "title": self.title.to_json(),
            "remediation": self.remediation.to_json(),
            "severity": self.severity.value,
            "mlps": [to_json(m) for m in self.mlps],
            "high_risk_case": self.high_risk_case,
            "insurer_domains": [d.value for d in self.domains],
            "coverage_lines": [c.value for c in self.coverage],
            "needs": list(self.needs),
            "needs_root": self.needs_root,
            "params": dict(self.params),
            "profiles": [p.value for p in self.profiles],
            "level": self.level.value,
            "basis": self.basis,
        }


@dataclass(frozen=True)
class Reason:
    """Why a verdict is what it is: a message id (``checks.messages``) and the values that fill it."""

    id: str
    params: Mapping[str, JSON] = field(default_factory=dict)

    def text(self, lang: str) -> str:
        from checks.messages import render

        return render(self.id, self.params, lang)


Why = Union[str, Reason]  # a plain str is English only; checks give a Reason


@dataclass(frozen=True)
class Verdict:
    """What a check function returns: a status, what it observed, and why."""

    status: Status
    observed: Mapping[str, JSON] = field(default_factory=dict)
    reason: Optional[Why] = None

    @classmethod
    def ok(cls, reason: Optional[Why] = None, **observed: JSON) -> Verdict:
        return cls(Status.PASS, observed, reason)

    @classmethod
    def fail(cls, reason: Optional[Why] = None, **observed: JSON) -> Verdict:
        return cls(Status.FAIL, observed, reason)

    @classmethod
    def na(cls, reason: Why, **observed: JSON) -> Verdict:
        return cls(Status.NOT_APPLICABLE, observed, reason)

    @classmethod
    def manual(cls, reason: Why, **observed: JSON) -> Verdict:
        return cls(Status.MANUAL, observed, reason)

    @classmethod
    def error(cls, reason: Why, **observed: JSON) -> Verdict:
        return cls(Status.ERROR, observed, reason)


@dataclass(frozen=True)
class Finding:
    """A check's verdict with the metadata a reader needs, as it stands in the report.

    Its JSON holds what the run decided (check id, target, status, reason, what was observed, the
    parameters where they differ from the defaults). The check's metadata (title, remediation,
    severity, MLPS units, domains, coverage lines, evidence names) is never written: reading a finding
    fills it in from this build's catalogue, so a report cannot carry a title or severity of its own.
    The English ``reason`` is written only where it is not the text of its message.
    """

    __json_filled__: ClassVar[Tuple[str, ...]] = (
        "title",
        "remediation",
        "severity",
        "mlps",
        "high_risk_case",
        "insurer_domains",
        "coverage_lines",
        "needs_root",
        "evidence",
    )
    __json_elided__: ClassVar[Tuple[str, ...]] = ("reason", "observed", "params")

    check_id: str
    title: Text
    remediation: Text
    severity: Severity
    mlps: Tuple[MlpsRef, ...]
    high_risk_case: Optional[str]
    insurer_domains: Tuple[InsurerDomain, ...]
    coverage_lines: Tuple[CoverageLine, ...]
    needs_root: bool
    status: Status
    observed: Mapping[str, JSON]
    reason: Optional[str]
    evidence: Tuple[str, ...]  # the collectors it read
    params: Mapping[str, JSON]
    target: Optional[str] = None  # the network target, for endpoint-level checks; None for the host
    # The reason as a message (checks.messages): renderers show it in the report's language; ``reason`` is its English.
    reason_id: Optional[str] = field(default=None, metadata=json_field(omit_none=True))
    reason_params: Optional[Mapping[str, JSON]] = field(default=None, metadata=json_field(omit_none=True))

    @classmethod
    def of(cls, meta: CheckMeta, verdict: Verdict, params: Mapping[str, JSON], target: Optional[str] = None) -> Finding:
        return cls(
            check_id=meta.id,
            title=meta.title,
            remediation=meta.remediation,
            severity=meta.severity,
            mlps=meta.mlps,
            high_risk_case=meta.high_risk_case,
            insurer_domains=meta.domains,
            coverage_lines=meta.coverage,
            needs_root=meta.needs_root,
            status=verdict.status,
            observed=dict(verdict.observed),
            reason=verdict.reason.text("en") if isinstance(verdict.reason, Reason) else verdict.reason,
            evidence=meta.needs,
            params=dict(params),
            target=target,
            reason_id=verdict.reason.id if isinstance(verdict.reason, Reason) else None,
            reason_params=dict(verdict.reason.params) if isinstance(verdict.reason, Reason) else None,
        )

    @classmethod
    def __json_fill__(cls, written: Mapping[str, Any]) -> Dict[str, Any]:
        """The check's metadata from this build's catalogue, its default parameters, and the reason its message gives."""
        meta = _catalogue_meta(written["check_id"])
        out: Dict[str, Any] = {
            "title": meta.title,
            "remediation": meta.remediation,
            "severity": meta.severity,
            "mlps": meta.mlps,
            "high_risk_case": meta.high_risk_case,
            "insurer_domains": meta.domains,
            "coverage_lines": meta.coverage,
            "needs_root": meta.needs_root,
            "evidence": meta.needs,
            "observed": {},
            "params": dict(meta.params),
        }
        if written["reason_id"] is not None:
            try:
                out["reason"] = Reason(written["reason_id"], written["reason_params"] or {}).text("en")
            except (LookupError, TypeError, ValueError, AttributeError):
                pass  # parameters its message cannot show: the reason is written (and a reader without it refuses the finding)
        return out

    @classmethod
    def from_json(cls, data: Any) -> Finding:
        """A finding as a report writes it, its metadata filled in from this build's catalogue."""
        from collectors.strictjson import from_json

        return from_json(cls, data)

    def reason_in(self, lang: str) -> Optional[str]:
        """The reason in ``lang``: from its message where there is one, else the English text."""
        if self.reason_id is not None:
            return Reason(self.reason_id, self.reason_params or {}).text(lang)
        return self.reason

    @property
    def key(self) -> Tuple[str, Optional[str]]:
        """A finding's identity across reports: (check id, target)."""
        return self.check_id, self.target

    def to_json(self) -> Dict[str, JSON]:
        data: Dict[str, JSON] = to_json(self)
        return data


def _catalogue_meta(check_id: str) -> CheckMeta:
    """A check's metadata in this build's catalogue; ValueError for an id it does not have."""
    import checks.catalogue  # noqa: F401  - the import fills the registry
    from checks.catalogue_lock import CATALOGUE_VERSION
    from checks.registry import registered

    rc = registered().get(check_id)
    if rc is None:
        raise ValueError(f"no check {check_id[:40]!r} in this riskagent's catalogue {CATALOGUE_VERSION}")
    return rc.meta
