"""The alert evaluator as plain functions, and the periodic pass over a database with a clock that moves."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import sqlalchemy as sa

from agent.intake import monitor
from agent.intake.alerts import (
    CheckinState,
    ReportState,
    SignerState,
    expiring_keys,
    missed_checkins,
    new_hard_fails,
    regressed_checks,
    report_alerts,
)
from agent.intake.config import IntakeConfig
from agent.intake.ingest import receive
from agent.intake.models import Alert, AlertKind
from agent.intake.registry import set_schedule
from report.policy import Policy
from tests.agent.intake.conftest import ACME, NOW, Clock, Site, applicants, trust_entry

T0 = dt.datetime(2026, 12, 1, tzinfo=dt.timezone.utc)


def _state(last: dt.datetime, interval: int = 86400, grace: int = 3600) -> CheckinState:
    return CheckinState(1, "acme", 7, "host:web-01", last, interval, grace)


def test_missed_checkin_is_raised_only_after_the_interval_plus_the_grace() -> None:
    s = _state(T0)
    assert missed_checkins([s], T0 + dt.timedelta(days=1)) == []
    assert missed_checkins([s], T0 + dt.timedelta(days=1, hours=1)) == []  # exactly at the end of the grace: not yet
    [alert] = missed_checkins([s], T0 + dt.timedelta(days=1, hours=1, seconds=1))
    assert alert.kind is AlertKind.MISSED_CHECKIN and alert.asset_id == 7
    assert alert.detail["due"] == "2026-12-02T00:00:00Z" and alert.detail["overdue_s"] == 3601
    # the same gap gives the same key (raised once); the next gap another
    assert missed_checkins([s], T0 + dt.timedelta(days=5))[0].dedup_key == alert.dedup_key
    later = _state(T0 + dt.timedelta(days=3))
    assert missed_checkins([later], T0 + dt.timedelta(days=5))[0].dedup_key != alert.dedup_key


def _report(record_id: int, hard_fails: dict[str, str], findings: dict[str, str], score: int, grade: str) -> ReportState:
    return ReportState(record_id, hard_fails, findings, score, grade)


def test_new_hard_fail_and_regression_between_two_reports() -> None:
    before = _report(1, {"no_backup": "clear", "no_mfa": "open", "weak_passwords": "unknown"}, {"A": "pass", "B": "fail", "C": "error"}, 80, "B")
    after = _report(2, {"no_backup": "open", "no_mfa": "open", "weak_passwords": "open"}, {"A": "fail", "B": "fail", "C": "fail", "D": "fail"}, 40, "D")
    assert new_hard_fails(before, after) == ("no_backup", "weak_passwords")
    assert new_hard_fails(None, after) == ()  # the first report is the baseline
    assert regressed_checks(before, after) == ("A",)  # C could not be assessed before; D is new: neither regressed
    kinds = {a.kind: a for a in report_alerts(1, "acme", 7, "host:web-01", before, after)}
    assert set(kinds) == {AlertKind.NEW_HARD_FAIL, AlertKind.REGRESSION}
    assert kinds[AlertKind.REGRESSION].detail["grade"] == ["B", "D"]
    better = _report(3, {"no_backup": "clear"}, {"A": "pass"}, 90, "A")
    assert report_alerts(1, "acme", 7, "host:web-01", before, better) == []
    assert report_alerts(1, "acme", 7, "host:web-01", None, after) == []


def test_a_worse_grade_alone_is_a_regression() -> None:
    before = _report(1, {}, {"A": "pass"}, 80, "B")
    after = _report(2, {}, {"A": "pass"}, 60, "C")
    [alert] = report_alerts(1, "acme", 7, "host:web-01", before, after)
    assert alert.kind is AlertKind.REGRESSION and alert.detail["regressed_checks"] == []


def test_a_key_is_flagged_within_the_warning_period_once() -> None:
    until = T0 + dt.timedelta(days=20)
    signer = SignerState(1, "acme", "ab" * 32, "Acme Ltd (applicant)", until)
    assert expiring_keys([signer], T0, warn_days=10) == []
    [alert] = expiring_keys([signer, signer], T0, warn_days=30)
    assert alert.detail["days_left"] == 20 and alert.detail["expired"] is False
    [gone] = expiring_keys([signer], until + dt.timedelta(days=1), warn_days=30)
    assert gone.detail["expired"] is True and gone.dedup_key == alert.dedup_key


# ------------------------------------------------------------------------------------------ over a database


def test_missed_checkin_after_the_configured_grace_then_resolved_by_a_report(db: Any, config: Any, site: Site, clock: Clock) -> None:
    [acme] = applicants(db, ("acme", ACME))
    clock.now = NOW
    receive(db, config, acme, None, site.envelopes["acme-web-1"])
    set_schedule(db, "acme", 12 * 3600, 2 * 3600)
    clock.advance(hours=14)
    assert monitor.evaluate(db, config) == []  # due 12 h after, grace 2 h: exactly at the end of the grace
    clock.advance(minutes=1)
    [raised] = monitor.evaluate(db, config)
    assert raised.kind is AlertKind.MISSED_CHECKIN and raised.detail["asset"] == "host:web-01"
    clock.advance(hours=5)
    assert monitor.evaluate(db, config) == []  # the same gap: raised once
    receive(db, config, acme, None, site.envelopes["acme-web-2"])
    with db.read() as session:
        missed = session.scalars(sa.select(Alert).where(Alert.kind == AlertKind.MISSED_CHECKIN)).one()
        assert missed.resolved_at == clock.now


def test_an_applicant_that_never_reports_is_missed_from_its_registration(db: Any, config: Any) -> None:
    applicants(db, ("quiet", None))  # registered 40 days before NOW
    [raised] = monitor.evaluate(db, config, NOW)
    assert raised.kind is AlertKind.MISSED_CHECKIN and raised.asset_id is None and raised.detail["asset"] is None


def test_expiring_key_reads_the_trust_store_the_service_has_now(db: Any, config: Any, site: Site, tmp_path: Any) -> None:
    from report.trust import load_trust_store

    [acme] = applicants(db, ("acme", ACME))
    receive(db, config, acme, None, site.envelopes["acme-web-1"])
    assert [a for a in monitor.evaluate(db, config, NOW) if a.kind is AlertKind.KEY_EXPIRING] == []
    renewed = tmp_path / "trust.json"
    renewed.write_text(json.dumps({"riskagent_trust_store": 1, "signers": [trust_entry(site.acme, "Acme Ltd", ACME, valid_until="2026-12-20")]}))
    soon = IntakeConfig(db_url=config.db_url, trusted=load_trust_store(renewed), policy=Policy(), max_bytes=config.max_bytes, clock=config.clock)
    [alert] = [a for a in monitor.evaluate(db, soon, NOW) if a.kind is AlertKind.KEY_EXPIRING]
    assert alert.detail["valid_until"] == "2026-12-20T00:00:00Z" and alert.detail["days_left"] == 14
