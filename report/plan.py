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
from typing import Any, Dict, List, Mapping, Optional, Sequence

PLAN_VERSION = "1"
SEVERITIES = ("critical", "high", "medium", "low", "info")
SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}  # 0 = worst
# Days to fix per severity unless the settings say otherwise. A critical
# failure is usually also a hard-fail for binding, so a week; the rest follow
# common patch-SLA practice (30/90/180 days).
DEFAULT_SLA_DAYS: Dict[str, int] = {"critical": 7, "high": 30, "medium": 90, "low": 180, "info": 365}
UNASSIGNED = "unassigned"
SETTINGS_KEYS = ("owners", "default_owner", "sla_days")


def _insurer_domains() -> Optional[List[str]]:
    try:
        from checks.model import InsurerDomain
    except ImportError:  # pragma: no cover - the catalogue is part of the package
        return None
    return [d.value for d in InsurerDomain]


def validate_settings(settings: Optional[Mapping[str, Any]]) -> Dict[str, Any]:
    """Check the plan settings and fill in defaults; ValueError names the bad field."""
    if settings is None:
        settings = {}
    if not isinstance(settings, Mapping):
        raise ValueError("plan: expected an object")
    unknown = sorted(set(settings) - set(SETTINGS_KEYS))
    if unknown:
        raise ValueError(f"plan: unknown setting(s) {', '.join(unknown)}; known: {', '.join(SETTINGS_KEYS)}")
    owners = settings.get("owners", {})
    if not isinstance(owners, Mapping):
        raise ValueError("plan.owners: expected an object mapping insurer domains to people")
    domains = _insurer_domains()
    for domain, person in owners.items():
        if domains is not None and domain not in domains:
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
    return {
        "owners": {str(k): str(v).strip() for k, v in owners.items()},
        "default_owner": default_owner.strip() if isinstance(default_owner, str) else None,
        "sla_days": days,
    }


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


def objective(title: Mapping[str, str]) -> Dict[str, str]:
    """The check title turned into a goal: the state the task brings about."""
    en = title.get("en", "")
    # Lower-case the first letter unless it starts an acronym ("SSH ...").
    if len(en) > 1 and en[0].isupper() and not en[1].isupper():
        en = en[0].lower() + en[1:]
    zh = title.get("zh", "")
    return {"zh": f"确保{' ' if zh[:1].isascii() else ''}{zh}", "en": f"Ensure that {en}" if en else ""}


def _owner(domains: Sequence[str], settings: Mapping[str, Any]) -> Dict[str, Optional[str]]:
    for d in domains:
        person = settings["owners"].get(d)
        if person:
            return {"owner": person, "owner_basis": f"domain:{d}"}
    if settings["default_owner"]:
        return {"owner": settings["default_owner"], "owner_basis": "default"}
    return {"owner": UNASSIGNED, "owner_basis": "none"}


def _units(findings: Sequence[Mapping[str, Any]]) -> List[str]:
    units: List[str] = []
    for f in findings:
        for m in f.get("mlps", []):
            if m["unit"] not in units:
                units.append(m["unit"])
    return units


def build_plan(report: Mapping[str, Any], settings: Optional[Mapping[str, Any]], today: str) -> Dict[str, Any]:
    """The rectification plan for a report's failed checks, due dates counted from ``today``."""
    cfg = validate_settings(settings)
    day = _parse_day(today)
    target = report.get("target") or {}
    host_name = target.get("name")
    by_check: Dict[str, List[Mapping[str, Any]]] = {}
    for f in report.get("findings", []):
        if f.get("status") == "fail":
            by_check.setdefault(f["check_id"], []).append(f)
    tasks: List[Dict[str, Any]] = []
    for cid, group in by_check.items():
        first = group[0]
        severity = first["severity"]
        days = cfg["sla_days"][severity]
        targets = []
        for f in group:
            if f.get("target") not in targets:
                targets.append(f.get("target"))
        tasks.append(
            {
                "id": f"T-{cid}",
                "check_id": cid,
                "title": dict(first["title"]),
                "objective": objective(first["title"]),
                "steps": {lang: split_steps(first["remediation"].get(lang, ""), lang) for lang in ("zh", "en")},
                **_owner(first.get("insurer_domains", []), cfg),
                "severity": severity,
                "sla_days": days,
                "due": (day + datetime.timedelta(days=days)).isoformat(),
                "high_risk_case": first.get("high_risk_case"),
                "mlps": _units(group),
                "insurer_domains": list(first.get("insurer_domains", [])),
                "coverage_lines": list(first.get("coverage_lines", [])),
                # None is the assessed host itself; otherwise a network target.
                "targets": [{"target": t, "name": t if t is not None else host_name} for t in targets],
                "reasons": [{"target": f.get("target"), "reason": f.get("reason")} for f in group],
                "verify_with": [{"check_id": cid, "target": t, "status": "pass"} for t in targets],
            }
        )
    tasks.sort(key=lambda t: (t["due"], SEVERITY_RANK.get(t["severity"], len(SEVERITIES)), t["id"]))
    by_sev = {s: sum(1 for t in tasks if t["severity"] == s) for s in SEVERITIES}
    by_owner: Dict[str, int] = {}
    for t in tasks:
        by_owner[t["owner"]] = by_owner.get(t["owner"], 0) + 1
    return {
        "plan_version": PLAN_VERSION,
        "report_id": report.get("report_id"),
        "target": {"name": host_name, "kind": target.get("kind")},
        "assessed_at": (report.get("run") or {}).get("started_at"),
        "today": day.isoformat(),
        "settings": {"sla_days": cfg["sla_days"], "default_owner": cfg["default_owner"], "owners": cfg["owners"]},
        "summary": {
            "tasks": len(tasks),
            "high_risk": sum(1 for t in tasks if t["high_risk_case"]),
            "by_severity": by_sev,
            "by_owner": dict(sorted(by_owner.items())),
            "unassigned": by_owner.get(UNASSIGNED, 0),
        },
        "tasks": tasks,
    }
