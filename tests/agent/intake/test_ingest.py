"""Receiving envelopes, on SQLite and PostgreSQL: verified, stored as received, placed, alerted; never dropped."""

from __future__ import annotations

import hashlib
from typing import Any

import sqlalchemy as sa

from agent.intake.ingest import receive
from agent.intake.models import Alert, AlertKind, Asset, ReportRecord, Status
from tests.agent.intake.conftest import ACME, BETA, Clock, Site, applicants


def test_a_valid_report_is_stored_unchanged_with_what_the_portfolio_reads(db: Any, config: Any, site: Site) -> None:
    [acme] = applicants(db, ("acme", ACME))
    data = site.envelopes["acme-web-2"]
    record, created = receive(db, config, acme, None, data)
    assert created and record.status is Status.ACCEPTED and record.outcome == "valid", record.problems
    with db.read() as session:
        stored = session.get(ReportRecord, record.id)
        assert stored is not None
        assert stored.envelope == data and stored.envelope_sha256 == hashlib.sha256(data).hexdigest()
        assert stored.subject == "host:web-01" and stored.grade == "F" and stored.score == 0
        assert stored.open_hard_fails == 8 and stored.binding_blocked is True and stored.recommendation == "decline_or_defer"
        assert stored.signers[0]["organisation_id"] == ACME and stored.signers[0]["label"].startswith("Acme Ltd")
        assert {h.item: h.state for h in stored.hard_fails}["no_backup"] == "open"
        assert len(stored.tasks) > 10 and all(t.due.isoformat() >= "2026-11-02" for t in stored.tasks)
        asset = session.scalars(sa.select(Asset)).one()
        assert asset.name == "host:web-01" and asset.latest_report_id == record.id and asset.previous_report_id is None


def test_the_same_bytes_twice_are_one_record(db: Any, config: Any, site: Site) -> None:
    [acme] = applicants(db, ("acme", ACME))
    first, created = receive(db, config, acme, None, site.envelopes["acme-web-1"])
    again, created_again = receive(db, config, acme, None, site.envelopes["acme-web-1"])
    assert created and not created_again and again.id == first.id
    with db.read() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(ReportRecord)) == 1


def test_a_dropped_finding_is_rejected_with_its_reason_and_kept(db: Any, config: Any, site: Site) -> None:
    [acme] = applicants(db, ("acme", ACME))
    record, created = receive(db, config, acme, None, site.envelopes["acme-forged"])
    assert created and record.status is Status.REJECTED and record.outcome == "invalid"
    assert record.reason is not None and "missing from the report (the evidence gives fail)" in record.reason
    assert record.reason_zh is not None and "报告中缺少这项结果（证据给出的是 fail）" in record.reason_zh
    assert record.problems_zh is not None and len(record.problems_zh) == len(record.problems) > 0
    with db.read() as session:
        stored = session.get(ReportRecord, record.id)
        assert stored is not None and stored.envelope == site.envelopes["acme-forged"]
        assert stored.grade is None and stored.asset_id is None  # a forged report's claims are not kept as facts
        assert session.scalar(sa.select(sa.func.count()).select_from(Asset)) == 0


def test_an_untrusted_key_and_another_organisations_key_are_rejected(db: Any, config: Any, site: Site) -> None:
    acme, beta = applicants(db, ("acme", ACME), ("beta", BETA))
    stranger, _ = receive(db, config, acme, None, site.envelopes["acme-wrong-key"])
    assert stranger.status is Status.REJECTED and stranger.outcome == "invalid"
    assert stranger.reason is not None and "no signature by a trusted key" in stranger.reason
    # genuine, by a trusted key, but beta's key pushing with acme's token: not acme's report
    other, _ = receive(db, config, acme, None, site.envelopes["beta-db-1"])
    assert other.status is Status.REJECTED and other.outcome == "valid"
    assert other.reason is not None and f"registered as organisation {ACME}" in other.reason and "Beta Co" in other.reason
    assert other.reason_zh is not None and f"登记的组织为 {ACME}" in other.reason_zh and other.problems_zh == [other.reason_zh]
    # the same bytes pushed by their owner are a record of beta's, accepted
    own, created = receive(db, config, beta, None, site.envelopes["beta-db-1"])
    assert created and own.status is Status.ACCEPTED and own.id != other.id


def test_a_newer_report_moves_the_asset_and_raises_regression_and_new_hard_fail(db: Any, config: Any, site: Site, clock: Clock) -> None:
    [acme] = applicants(db, ("acme", ACME))
    first, _ = receive(db, config, acme, None, site.envelopes["acme-web-1"])
    clock.advance(days=1)
    second, _ = receive(db, config, acme, None, site.envelopes["acme-web-2"])
    with db.read() as session:
        asset = session.scalars(sa.select(Asset)).one()
        assert (asset.latest_report_id, asset.previous_report_id) == (second.id, first.id)
        alerts = {a.kind: a for a in session.scalars(sa.select(Alert))}
    assert set(alerts) == {AlertKind.NEW_HARD_FAIL, AlertKind.REGRESSION}
    assert "no_mfa_remote_admin" in alerts[AlertKind.NEW_HARD_FAIL].detail["items"]
    regression = alerts[AlertKind.REGRESSION].detail
    assert regression["grade"][1] == "F" and regression["grade"][0] != "F" and regression["regressed_checks"]
    assert all(a.next_attempt_at == clock.now for a in alerts.values())  # due for delivery at once


def test_an_older_report_arriving_late_is_history_only(db: Any, config: Any, site: Site) -> None:
    [acme] = applicants(db, ("acme", ACME))
    newer, _ = receive(db, config, acme, None, site.envelopes["acme-web-2"])
    older, _ = receive(db, config, acme, None, site.envelopes["acme-web-1"])
    with db.read() as session:
        asset = session.scalars(sa.select(Asset)).one()
        assert older.status is Status.ACCEPTED and older.asset_id == asset.id
        assert asset.latest_report_id == newer.id and asset.previous_report_id is None
        assert session.scalar(sa.select(sa.func.count()).select_from(Alert)) == 0
