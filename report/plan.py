"""The rectification plan (整改方案): one task per failed check, with owner and due date.

MLPS closes the loop 评估 → 整改方案 → 整改 → 测评; the plan is the middle step.
A task names the check ids (and targets) whose passing result closes it, so
the next assessment, compared with ``riskagent diff``, shows what was done.

The plan is built from the report alone plus a small settings object (the
config file's ``"plan"`` object), so it is pure and repeatable: integers and
strings only, like the report.

Settings (all optional)::

    {"owners": {"backup": "Li Lei (ops)", "identity_mfa": "Han Meimei"},
     "default_owner": "IT security team",
     "sla_days": {"critical": 7, "high": 30, "medium": 90, "low": 180, "info": 365}}

``owners`` maps insurer domains (see ``checks.model.InsurerDomain``) to people;
a task goes to the owner of the first of its check's domains that has one,
else to ``default_owner``, else to ``"unassigned"``. ``sla_days`` overrides the
default days-to-fix per severity (the defaults below); due = ``today`` + days.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from checks.model import SEVERITIES, Finding, InsurerDomain, Severity, Status, Text

PLAN_VERSION = "1"
# Days to fix per severity unless the settings say otherwise. A critical
# failure is usually also a hard-fail for binding, so a week; the rest follow
# common patch-SLA practice (30/90/180 days).
DEFAULT_SLA_DAYS: Dict[str, int] = {"critical": 7, "high": 30, "medium": 90, "low": 180, "info": 365}
UNASSIGNED = "unassigned"
SETTINGS_KEYS = ("owners", "default_owner", "sla_days")


@dataclass(frozen=True)
class PlanSettings:
    """Who owns which insurer domain, and days to fix per severity (the configuration's ``plan`` object)."""

    sla_days: Dict[str, int]
    default_owner: Optional[str]
    owners: Dict[str, str]


@dataclass(frozen=True)
class PlanTarget:
    name: Optional[str]
    kind: Optional[str]


@dataclass(frozen=True)
class PlanSummary:
    tasks: int
    high_risk: int
    by_severity: Dict[str, int]
    by_owner: Dict[str, int]
    unassigned: int


@dataclass(frozen=True)
class Steps:
    """A task's steps in both languages."""

    zh: Tuple[str, ...]
    en: Tuple[str, ...]

    def get(self, lang: str) -> Tuple[str, ...]:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class TaskTarget:
    target: Optional[str]  # None: the assessed host itself
    name: Optional[str]


@dataclass(frozen=True)
class TaskReason:
    target: Optional[str]
    reason: Optional[str]


@dataclass(frozen=True)
class VerifyWith:
    """The result that closes a task: this check on this target passes."""

    check_id: str
    target: Optional[str]
    status: Status


@dataclass(frozen=True)
class Task:
    """One rectification task (整改任务)."""

    id: str
    check_id: str
    title: Text
    objective: Text
    steps: Steps
    owner: str
    owner_basis: str
    severity: Severity
    sla_days: int
    due: str
    high_risk_case: Optional[str]
    mlps: Tuple[str, ...]
    insurer_domains: Tuple[InsurerDomain, ...]
    coverage_lines: Tuple[str, ...]
    targets: Tuple[TaskTarget, ...]
    reasons: Tuple[TaskReason, ...]
    verify_with: Tuple[VerifyWith, ...]


@dataclass(frozen=True)
class Plan:
    """The rectification plan (整改方案) of one report."""

    plan_version: str
    report_id: Optional[str]
    target: PlanTarget
    assessed_at: Optional[str]
    today: str
    settings: PlanSettings
    summary: PlanSummary
    tasks: Tuple[Task, ...]


def validate_settings(settings: Optional[Mapping[str, Any]]) -> PlanSettings:
    """Check the plan settings and fill in defaults; ValueError names the bad field."""
    if settings is None:
        settings = {}
    if isinstance(settings, PlanSettings):
        return settings
    if not isinstance(settings, Mapping):
        raise ValueError("plan: expected an object")
    unknown = sorted(set(settings) - set(SETTINGS_KEYS))
    if unknown:
        raise ValueError(f"plan: unknown setting(s) {', '.join(unknown)}; known: {', '.join(SETTINGS_KEYS)}")
    owners = settings.get("owners", {})
    if not isinstance(owners, Mapping):
        raise ValueError("plan.owners: expected an object mapping insurer domains to people")
    domains = [d.value for d in InsurerDomain]
    for domain, person in owners.items():
        if domain not in domains:
            raise ValueError(f"plan.owners: unknown insurer domain {domain!r}; known: {', '.join(domains)}")
        if not isinstance(person, str) or not person.strip():
            raise ValueError(f"plan.owners.{domain}: expected a non-empty string (the person responsible)")
    default_owner = settings.get("default_owner")
    if default_owner is not None and (not isinstance(default_owner, str) or not default_owner.strip()):
        raise ValueError("plan.default_owner: expected a non-empty string")
    sla = settings.get("sla_days", {})
    if not isinstance(sla, Mapping):
        raise ValueError("plan.sla_days: expected an object mapping severities to days")
    days = dict(DEFAULT_SLA_DAYS)
    for sev, value in sla.items():
        if sev not in DEFAULT_SLA_DAYS:
            raise ValueError(f"plan.sla_days: unknown severity {sev!r}; known: {', '.join(SEVERITIES)}")
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"plan.sla_days.{sev}: expected a whole number of days, got {value!r}")
        if value < 0:
            raise ValueError(f"plan.sla_days.{sev}: days cannot be negative ({value})")
        days[sev] = value
    return PlanSettings(
        sla_days=days,
        default_owner=default_owner.strip() if isinstance(default_owner, str) else None,
        owners={str(k): str(v).strip() for k, v in owners.items()},
    )


def _parse_day(today: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(today)
    except (TypeError, ValueError):
        raise ValueError(f"today: expected a date YYYY-MM-DD, got {today!r}") from None


_ZH_SPLIT = re.compile(r"(?<=[；。])")
# Sentence ends and semicolons, but not inside "e.g." / "i.e." / "etc." or a version number.
_EN_SPLIT = re.compile(r"(?<=;)\s+|(?<!e\.g)(?<!i\.e)(?<!etc)\.\s+(?=[A-Z(])")


def split_steps(text: str, lang: str) -> List[str]:
    """Remediation text as a list of steps: one per sentence or semicolon clause."""
    if not text:
        return []
    parts = _ZH_SPLIT.split(text) if lang == "zh" else _EN_SPLIT.split(text)
    steps = []
    for p in parts:
        p = p.strip().rstrip("；;").strip()
        if lang == "en" and p:
            p = p[0].upper() + p[1:]
            if not p.endswith((".", "!", "?", ")")):
                p += "."
        if p and p not in ("。", "."):
            steps.append(p)
    return steps or [text.strip()]


def objective(title: Text) -> Text:
    """The check title turned into a goal: the state the task brings about."""
    en = title.en
    # Lower-case the first letter unless it starts an acronym ("SSH ...").
    if len(en) > 1 and en[0].isupper() and not en[1].isupper():
        en = en[0].lower() + en[1:]
    zh = title.zh
    return Text(zh=f"确保{' ' if zh[:1].isascii() else ''}{zh}", en=f"Ensure that {en}" if en else "")


def _owner(domains: Sequence[InsurerDomain], settings: PlanSettings) -> Tuple[str, str]:
    for d in domains:
        person = settings.owners.get(d.value)
        if person:
            return person, f"domain:{d.value}"
    if settings.default_owner:
        return settings.default_owner, "default"
    return UNASSIGNED, "none"


def _units(findings: Sequence[Finding]) -> Tuple[str, ...]:
    units: List[str] = []
    for f in findings:
        for m in f.mlps:
            if m.unit not in units:
                units.append(m.unit)
    return tuple(units)


def build_plan(
    findings: Sequence[Finding],
    settings: Optional[Mapping[str, Any]],
    today: str,
    *,
    report_id: Optional[str] = None,
    target_name: Optional[str] = None,
    target_kind: Optional[str] = None,
    assessed_at: Optional[str] = None,
) -> Plan:
    """The rectification plan for the failed findings, due dates counted from ``today``."""
    cfg = validate_settings(settings)
    day = _parse_day(today)
    by_check: Dict[str, List[Finding]] = {}
    for f in findings:
        if f.status is Status.FAIL:
            by_check.setdefault(f.check_id, []).append(f)
    tasks: List[Task] = []
    for cid, group in by_check.items():
        first = group[0]
        days = cfg.sla_days[first.severity.value]
        targets: List[Optional[str]] = []
        for f in group:
            if f.target not in targets:
                targets.append(f.target)
        owner, basis = _owner(first.insurer_domains, cfg)
        tasks.append(
            Task(
                id=f"T-{cid}",
                check_id=cid,
                title=first.title,
                objective=objective(first.title),
                steps=Steps(tuple(split_steps(first.remediation.zh, "zh")), tuple(split_steps(first.remediation.en, "en"))),
                owner=owner,
                owner_basis=basis,
                severity=first.severity,
                sla_days=days,
                due=(day + datetime.timedelta(days=days)).isoformat(),
                high_risk_case=first.high_risk_case,
                mlps=_units(group),
                insurer_domains=first.insurer_domains,
                coverage_lines=tuple(c.value for c in first.coverage_lines),
                # None is the assessed host itself; otherwise a network target.
                targets=tuple(TaskTarget(t, t if t is not None else target_name) for t in targets),
                reasons=tuple(TaskReason(f.target, f.reason) for f in group),
                verify_with=tuple(VerifyWith(cid, t, Status.PASS) for t in targets),
            )
        )
    tasks.sort(key=lambda t: (t.due, -t.severity.rank, t.id))
    by_owner: Dict[str, int] = {}
    for t in tasks:
        by_owner[t.owner] = by_owner.get(t.owner, 0) + 1
    return Plan(
        plan_version=PLAN_VERSION,
        report_id=report_id,
        target=PlanTarget(target_name, target_kind),
        assessed_at=assessed_at,
        today=day.isoformat(),
        settings=cfg,
        summary=PlanSummary(
            tasks=len(tasks),
            high_risk=sum(1 for t in tasks if t.high_risk_case),
            by_severity={s.value: sum(1 for t in tasks if t.severity is s) for s in Severity},
            by_owner=dict(sorted(by_owner.items())),
            unassigned=by_owner.get(UNASSIGNED, 0),
        ),
        tasks=tuple(tasks),
    )
