"""The alert evaluator: plain functions from states to the alerts they call for, no database, no clock.

Four kinds, each with a key that names the event, so evaluating again (every
minute, or in several processes) never raises it twice:

* missed check-in: an asset (or an applicant that never sent one) has no
  accepted report within its schedule interval plus the grace;
* new hard fail: a hard-fail item open in an asset's latest report that was
  not open in the report before it (an asset's first report is the baseline:
  what it shows is for underwriting, not monitoring);
* regression: between an asset's last two reports, a check that passed fails
  now, or the rating got worse;
* expiring key: a key that signed an asset's latest report leaves the trust
  store's validity window within the warning period (or has left it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from agent.intake.models import AlertKind

GRADES = ("A", "B", "C", "D", "E", "F")  # best first


@dataclass(frozen=True)
class AlertCandidate:
    kind: AlertKind
    dedup_key: str
    applicant_id: int
    asset_id: Optional[int]
    report_id: Optional[int]
    detail: Dict[str, Any] = field(default_factory=dict)


def iso(at: dt.datetime) -> str:
    return at.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# ------------------------------------------------------------------------------------------ missed check-in


@dataclass(frozen=True)
class CheckinState:
    """When an asset last checked in (for an applicant with no asset yet: when it was registered)."""

    applicant_id: int
    applicant: str
    asset_id: Optional[int]
    asset: Optional[str]
    last_checkin: dt.datetime
    interval_s: int
    grace_s: int


def missed_checkins(states: Iterable[CheckinState], now: dt.datetime) -> List[AlertCandidate]:
    """An alert for each state whose next report was due more than the grace ago.

    The report is due ``interval_s`` after the last one; the alert is raised once ``grace_s`` more has
    passed (strictly after), once per gap: a new report ends the gap, and the next gap is a new event.
    """
    out: List[AlertCandidate] = []
    for s in states:
        due = s.last_checkin + dt.timedelta(seconds=s.interval_s)
        late_from = due + dt.timedelta(seconds=s.grace_s)
        if now <= late_from:
            continue
        out.append(
            AlertCandidate(
                AlertKind.MISSED_CHECKIN,
                f"missed_checkin:{s.applicant_id}:{s.asset_id or '-'}:{iso(s.last_checkin)}",
                s.applicant_id,
                s.asset_id,
                None,
                {
                    "applicant": s.applicant,
                    "asset": s.asset,
                    "last_checkin": iso(s.last_checkin),
                    "due": iso(due),
                    "grace_s": s.grace_s,
                    "overdue_s": int((now - due).total_seconds()),
                },
            )
        )
    return out


# ------------------------------------------------------------------------------------------ between two reports


@dataclass(frozen=True)
class ReportState:
    """What the comparison of two reports of one asset reads."""

    record_id: int
    hard_fails: Mapping[str, str]  # item -> open, mitigable, unknown, clear
    findings: Mapping[str, str]  # check key -> status
    score: Optional[int]
    grade: Optional[str]


def new_hard_fails(previous: Optional[ReportState], latest: ReportState) -> Tuple[str, ...]:
    """Hard-fail items open in ``latest`` and not open in ``previous`` (none without a previous report)."""
    if previous is None:
        return ()
    return tuple(sorted(i for i, state in latest.hard_fails.items() if state == "open" and previous.hard_fails.get(i) != "open"))


def regressed_checks(previous: ReportState, latest: ReportState) -> Tuple[str, ...]:
    """Checks that passed in ``previous`` and fail in ``latest`` (report.diff's "regressed")."""
    return tuple(sorted(k for k, status in latest.findings.items() if status == "fail" and previous.findings.get(k) == "pass"))


def grade_worse(previous: Optional[str], latest: Optional[str]) -> bool:
    if previous not in GRADES or latest not in GRADES:
        return False
    return GRADES.index(latest) > GRADES.index(previous)


def report_alerts(applicant_id: int, applicant: str, asset_id: int, asset: str, previous: Optional[ReportState], latest: ReportState) -> List[AlertCandidate]:
    """The alerts a new latest report raises against the asset's previous one."""
    if previous is None:
        return []
    out: List[AlertCandidate] = []
    opened = new_hard_fails(previous, latest)
    base = {"applicant": applicant, "asset": asset, "previous_report": previous.record_id, "report": latest.record_id}
    if opened:
        out.append(
            AlertCandidate(
                AlertKind.NEW_HARD_FAIL,
                f"new_hard_fail:{asset_id}:{latest.record_id}",
                applicant_id,
                asset_id,
                latest.record_id,
                {**base, "items": list(opened)},
            )
        )
    regressed = regressed_checks(previous, latest)
    worse = grade_worse(previous.grade, latest.grade)
    if regressed or worse:
        out.append(
            AlertCandidate(
                AlertKind.REGRESSION,
                f"regression:{asset_id}:{latest.record_id}",
                applicant_id,
                asset_id,
                latest.record_id,
                {
                    **base,
                    "regressed_checks": list(regressed),
                    "score": [previous.score, latest.score],
                    "grade": [previous.grade, latest.grade],
                },
            )
        )
    return out


# ------------------------------------------------------------------------------------------ keys


@dataclass(frozen=True)
class SignerState:
    """A key that signed an applicant's latest accepted report, with its trust window's end."""

    applicant_id: int
    applicant: str
    keyid: str
    label: str
    valid_until: Optional[dt.datetime]


def expiring_keys(signers: Iterable[SignerState], now: dt.datetime, warn_days: int) -> List[AlertCandidate]:
    """An alert for each key whose trust ends within ``warn_days`` of ``now`` (or has ended)."""
    out: List[AlertCandidate] = []
    seen: set[Tuple[int, str]] = set()
    horizon = now + dt.timedelta(days=warn_days)
    for s in signers:
        if s.valid_until is None or s.valid_until > horizon or (s.applicant_id, s.keyid) in seen:
            continue
        seen.add((s.applicant_id, s.keyid))
        out.append(
            AlertCandidate(
                AlertKind.KEY_EXPIRING,
                f"key_expiring:{s.applicant_id}:{s.keyid}:{iso(s.valid_until)}",
                s.applicant_id,
                None,
                None,
                {
                    "applicant": s.applicant,
                    "keyid": s.keyid,
                    "signer": s.label,
                    "valid_until": iso(s.valid_until),
                    "expired": s.valid_until <= now,
                    "days_left": max(0, (s.valid_until - now).days),
                },
            )
        )
    return out


def distinct(candidates: Sequence[AlertCandidate], known: Iterable[str]) -> List[AlertCandidate]:
    """The candidates whose key is not among ``known`` (nor repeated in the list)."""
    seen = set(known)
    out: List[AlertCandidate] = []
    for c in candidates:
        if c.dedup_key not in seen:
            seen.add(c.dedup_key)
            out.append(c)
    return out
