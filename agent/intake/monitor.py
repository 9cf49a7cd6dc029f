"""In-term monitoring (保中监测): the periodic alerts and their delivery, one pass at a time.

``evaluate`` reads check-in times and signing keys from the database, asks the
evaluator (``agent.intake.alerts``) which alerts they call for, and stores the
new ones; ``run`` repeats that and the webhook delivery every interval in one
process beside the web workers (``riskagent serve`` starts it), and
``riskagent serve alerts run --once`` is the same pass for cron. Alerts that a
new report raises (new hard fail, regression) are stored when it arrives.
"""

from __future__ import annotations

import datetime as dt
import signal
import sys
import threading
from typing import Any, List, Optional

import sqlalchemy as sa

from agent.intake.alerts import CheckinState, SignerState, expiring_keys, missed_checkins
from agent.intake.config import IntakeConfig
from agent.intake.db import Database
from agent.intake.ingest import add_alerts
from agent.intake.models import Alert, Applicant, Asset, ReportRecord


def checkin_states(db: Database, config: IntakeConfig) -> List[CheckinState]:
    """Every asset's last check-in, and for an applicant with no asset yet, its registration time."""
    out: List[CheckinState] = []
    with db.read() as session:
        rows = session.execute(
            sa.select(Applicant.id, Applicant.name, Applicant.created_at, Applicant.checkin_interval_s, Applicant.checkin_grace_s, Asset.id, Asset.name, Asset.last_checkin)
            .outerjoin(Asset, Asset.applicant_id == Applicant.id)
            .order_by(Applicant.id, Asset.id)
        ).all()
    for applicant_id, name, created, interval, grace, asset_id, asset, last in rows:
        out.append(
            CheckinState(
                applicant_id,
                name,
                asset_id,
                asset,
                last if last is not None else created,
                interval if interval is not None else config.checkin_interval_s,
                grace if grace is not None else config.checkin_grace_s,
            )
        )
    return out


def signer_states(db: Database, config: IntakeConfig) -> List[SignerState]:
    """The keys that signed each asset's latest report, with the window the trust store gives them now."""
    from report.trust import parse_time

    out: List[SignerState] = []
    with db.read() as session:
        rows = session.execute(
            sa.select(Applicant.id, Applicant.name, ReportRecord.signers)
            .join(Asset, Asset.applicant_id == Applicant.id)
            .join(ReportRecord, ReportRecord.id == Asset.latest_report_id)
        ).all()
    for applicant_id, name, signers in rows:
        for s in signers:
            key = config.trusted.get(str(s.get("keyid")))
            until: Optional[str] = key.entry.valid_until if key is not None and key.entry is not None else s.get("valid_until")
            if until:
                out.append(SignerState(applicant_id, name, str(s["keyid"]), str(s.get("label")), parse_time(until)))
    return out


def evaluate(db: Database, config: IntakeConfig, now: Optional[dt.datetime] = None) -> List[Alert]:
    """One evaluation of the periodic alerts; the alerts it raised (none raised twice)."""
    at = now or config.clock()
    candidates = missed_checkins(checkin_states(db, config), at) + expiring_keys(signer_states(db, config), at, config.key_warn_days)
    with db.write() as session:
        return add_alerts(session, candidates, at)


def run(config: IntakeConfig, every_s: float, stop: Optional[threading.Event] = None) -> None:
    """Evaluate and deliver every ``every_s`` seconds until stopped (SIGTERM, or ``stop`` set)."""
    from agent.intake.webhook import deliver_pending

    done = stop or threading.Event()

    def _stop(signum: int, frame: Any) -> None:
        done.set()

    if stop is None:
        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
    db = Database.open(config.db_url)
    try:
        while not done.is_set():
            try:
                evaluate(db, config)
                if config.webhook_url:
                    deliver_pending(db, config)
            except Exception as exc:  # the database down, a bad row: say so and try again next round, never stop monitoring
                print(f"riskagent serve: monitor: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
            done.wait(every_s)
    finally:
        db.dispose()
