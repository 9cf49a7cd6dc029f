"""The portfolio and applicant queries, and their CSV and JSON exports (formulas neutralised), on both databases."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

from agent.intake.exports import applicant_csv, applicant_json, portfolio_csv, portfolio_json
from agent.intake.ingest import receive
from agent.intake.portfolio import applicant_view, portfolio
from agent.intake.registry import add_applicant_token
from tests.agent.intake.conftest import ACME, BETA, NOW, Clock, Site, applicants

TODAY = dt.date(2026, 12, 5)


def _fill(db: Any, config: Any, site: Site, clock: Clock) -> None:
    acme, beta = applicants(db, ("acme", ACME), ("beta", BETA))
    add_applicant_token(db, "=HYPERLINK(\"evil.example\",\"y\")", "@SUM(1+1)", None)
    receive(db, config, acme, None, site.envelopes["acme-web-1"])
    clock.advance(days=1)
    receive(db, config, acme, None, site.envelopes["acme-web-2"])
    receive(db, config, acme, None, site.envelopes["acme-forged"])
    receive(db, config, beta, None, site.envelopes["beta-db-1"])


def test_the_portfolio_rows(db: Any, config: Any, site: Site, clock: Clock) -> None:
    _fill(db, config, site, clock)
    with db.read() as session:
        rows = {r.applicant: r for r in portfolio(session, TODAY)}
        acme, beta = rows["acme"], rows["beta"]
        assert (acme.assets, acme.grade, acme.score, acme.open_hard_fails) == (1, "F", 0, 8)
        assert acme.score_delta is not None and acme.score_delta < 0  # worse than the report before
        assert acme.last_checkin == NOW + dt.timedelta(days=1) and acme.open_alerts == 2
        assert 0 < acme.overdue_tasks < acme.open_tasks  # critical tasks were due 7 days after 2026-11-02
        assert beta.grade is not None and beta.score_delta is None and beta.assets == 1
        assert rows['=HYPERLINK("evil.example","y")'].assets == 0 and rows['=HYPERLINK("evil.example","y")'].grade is None
        assert [r.applicant for r in portfolio(session, TODAY, grades=["F"])] == ["acme", "beta"]  # both recorded hosts rate F
        assert portfolio(session, TODAY, grades=["A", "B"]) == []
        assert [r.applicant for r in portfolio(session, TODAY, search="bet")] == ["beta"]
        by_grade = [r.applicant for r in portfolio(session, TODAY, sort="grade", descending=True)]
        assert by_grade[0] == '=HYPERLINK("evil.example","y")' and by_grade[1] == "acme"  # no grade sorts as worst, then F
        # a day before every task was due: nothing overdue
        assert next(r for r in portfolio(session, dt.date(2026, 11, 2)) if r.applicant == "acme").overdue_tasks == 0


def test_the_applicant_view_and_its_exports(db: Any, config: Any, site: Site, clock: Clock) -> None:
    _fill(db, config, site, clock)
    with db.read() as session:
        view = applicant_view(session, "acme", TODAY)
        assert view is not None and applicant_view(session, "nobody", TODAY) is None
    assert [h.status for h in view.history] == ["rejected", "accepted", "accepted"]  # newest first, the forgery kept
    assert "missing from the report" in (view.history[0].reason or "")
    assert [a.name for a in view.assets] == ["host:web-01"] and view.assets[0].grade == "F"
    assert view.tasks and all(t.asset == "host:web-01" for t in view.tasks)
    assert any(t.overdue for t in view.tasks) and [t.due for t in view.tasks] == sorted(t.due for t in view.tasks)
    assert {h.item for h in view.hard_fails if h.state == "open"} >= {"no_backup", "no_mfa_remote_admin"}
    data = json.loads(json.dumps(applicant_json(view, NOW)))
    assert data["applicant"]["grade"] == "F" and data["reports"][0]["status"] == "rejected"
    assert data["tasks"][0]["due"] == view.tasks[0].due.isoformat() and data["generated_at"] == "2026-12-05T12:00:00Z"
    rows = list(csv.reader(io.StringIO(applicant_csv(view, "tasks", "zh"))))
    assert rows[0][:3] == ["资产", "任务编号", "类型"] and len(rows) == len(view.tasks) + 1
    reports = list(csv.DictReader(io.StringIO(applicant_csv(view, "reports", "en"))))
    assert reports[0]["Status"] == "rejected" and reports[1]["Rating"] == "F"
    assert "missing from the report" in reports[0]["Reason"] and reports[1]["Reason"] == ""
    # the Chinese export gives the reason in Chinese; the JSON export carries both
    zh_reports = list(csv.DictReader(io.StringIO(applicant_csv(view, "reports", "zh"))))
    assert "报告中缺少这项结果" in zh_reports[0]["原因"] and "missing from the report" not in zh_reports[0]["原因"]
    assert "报告中缺少这项结果" in data["reports"][0]["reason_zh"] and "missing from the report" in data["reports"][0]["reason"]


def test_csv_cells_are_never_formulas(db: Any, config: Any, site: Site, clock: Clock) -> None:
    _fill(db, config, site, clock)
    with db.read() as session:
        rows = portfolio(session, TODAY)
    text = portfolio_csv(rows, "en")
    table = list(csv.DictReader(io.StringIO(text)))
    evil = next(r for r in table if "HYPERLINK" in r["Applicant"])
    assert evil["Applicant"] == "'=HYPERLINK(\"evil.example\",\"y\")" and evil["Name"] == "'@SUM(1+1)"
    acme = next(r for r in table if r["Applicant"] == "acme")
    assert int(acme["Score change"]) < 0  # a negative number stays a number
    assert [(key, cell) for row in table for key, cell in row.items() if key != "Score change" and cell[:1] != "" and cell[:1] in "=+-@"] == []
    assert next(csv.reader(io.StringIO(portfolio_csv(rows, "zh"))))[:3] == ["投保企业标识", "企业名称", "统一社会信用代码"]
    exported = portfolio_json(rows, NOW)
    assert {a["applicant"] for a in exported["applicants"]} == {"acme", "beta", '=HYPERLINK("evil.example","y")'}  # JSON keeps the text as it is
