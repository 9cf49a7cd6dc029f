"""Exports for underwriting systems: the portfolio and one applicant, as CSV and as JSON.

JSON keys and CSV column ids are stable English identifiers; the CSV header
row is in the language asked for (zh or en). Every text cell goes through
``report.escape.csv_cell``, so an applicant name or a task owner such as
``=HYPERLINK(...)`` is text in a spreadsheet, never a formula. Times are UTC
(RFC 3339, ``Z``), dates ISO.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
from typing import Any, Dict, List, Mapping, Sequence, Tuple

from agent.intake.alerts import iso
from agent.intake.portfolio import ApplicantView, PortfolioRow
from checks.model import Text

Columns = Tuple[Tuple[str, Text], ...]

PORTFOLIO_COLUMNS: Columns = (
    ("applicant", Text(zh="投保企业标识", en="Applicant")),
    ("display_name", Text(zh="企业名称", en="Name")),
    ("organisation_id", Text(zh="统一社会信用代码", en="Unified social credit code")),
    ("assets", Text(zh="资产数", en="Assets")),
    ("grade", Text(zh="风险评级", en="Rating")),
    ("score", Text(zh="风险评分", en="Risk score")),
    ("score_delta", Text(zh="评分变化", en="Score change")),
    ("open_hard_fails", Text(zh="核保否决项：存在", en="Hard-fail items present")),
    ("open_tasks", Text(zh="未完成整改任务", en="Open rectification tasks")),
    ("overdue_tasks", Text(zh="逾期整改任务", en="Overdue rectification tasks")),
    ("last_checkin", Text(zh="最近报送时间", en="Last check-in")),
    ("stalest_checkin", Text(zh="最久未报送资产的报送时间", en="Stalest asset's check-in")),
    ("open_alerts", Text(zh="未关闭告警", en="Open alerts")),
    ("latest_report_id", Text(zh="最新报告记录号", en="Latest report record")),
)

TABLES: Dict[str, Columns] = {
    "reports": (
        ("record_id", Text(zh="记录号", en="Record")),
        ("received_at", Text(zh="接收时间", en="Received")),
        ("started_at", Text(zh="评估时间", en="Assessed")),
        ("subject", Text(zh="评估对象", en="Asset")),
        ("status", Text(zh="受理结果", en="Status")),
        ("outcome", Text(zh="核验结果", en="Verification")),
        ("reason", Text(zh="原因", en="Reason")),
        ("score", Text(zh="风险评分", en="Risk score")),
        ("grade", Text(zh="风险评级", en="Rating")),
        ("open_hard_fails", Text(zh="核保否决项：存在", en="Hard-fail items present")),
        ("report_uuid", Text(zh="报告编号", en="Report id")),
    ),
    "tasks": (
        ("asset", Text(zh="资产", en="Asset")),
        ("task_id", Text(zh="任务编号", en="Task")),
        ("kind", Text(zh="类型", en="Kind")),
        ("ref", Text(zh="整改对象", en="Changes")),
        ("target", Text(zh="目标", en="Target")),
        ("severity", Text(zh="严重程度", en="Severity")),
        ("owner", Text(zh="负责人", en="Owner")),
        ("due", Text(zh="截止日期", en="Due")),
        ("overdue", Text(zh="已逾期", en="Overdue")),
    ),
    "assets": (
        ("name", Text(zh="资产", en="Asset")),
        ("kind", Text(zh="类型", en="Kind")),
        ("first_seen", Text(zh="首次报送", en="First seen")),
        ("last_checkin", Text(zh="最近报送时间", en="Last check-in")),
        ("score", Text(zh="风险评分", en="Risk score")),
        ("grade", Text(zh="风险评级", en="Rating")),
        ("open_hard_fails", Text(zh="核保否决项：存在", en="Hard-fail items present")),
        ("latest_report_id", Text(zh="最新报告记录号", en="Latest report record")),
    ),
    "alerts": (
        ("alert_id", Text(zh="告警编号", en="Alert")),
        ("kind", Text(zh="类型", en="Kind")),
        ("asset", Text(zh="资产", en="Asset")),
        ("raised_at", Text(zh="产生时间", en="Raised")),
        ("resolved_at", Text(zh="关闭时间", en="Resolved")),
        ("delivered_at", Text(zh="推送时间", en="Delivered")),
    ),
}


def plain(value: Any) -> Any:
    """A value as JSON has it: times in UTC with Z, dates ISO, the rest unchanged."""
    if isinstance(value, dt.datetime):
        return iso(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _record(obj: Any) -> Dict[str, Any]:
    return {f.name: plain(getattr(obj, f.name)) for f in dataclasses.fields(obj) if not f.name.startswith("_")}


def _cell(value: Any) -> str:
    from report.escape import csv_cell

    value = plain(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)  # a number: -5 is a score change, not a formula
    return csv_cell(value)


def to_csv(rows: Sequence[Mapping[str, Any]], columns: Columns, lang: str) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([_cell(title.get(lang)) for _, title in columns])
    zh = lang == "zh"
    for row in rows:
        # A column with a Chinese twin (reason, reason_zh) gives the twin in a Chinese export, when there is one.
        writer.writerow([_cell((zh and row.get(f"{key}_zh")) or row.get(key)) for key, _ in columns])
    return buf.getvalue()


def portfolio_json(rows: Sequence[PortfolioRow], generated_at: dt.datetime) -> Dict[str, Any]:
    return {"generated_at": iso(generated_at), "applicants": [_record(r) for r in rows]}


def portfolio_csv(rows: Sequence[PortfolioRow], lang: str) -> str:
    return to_csv([_record(r) for r in rows], PORTFOLIO_COLUMNS, lang)


def _tables(view: ApplicantView) -> Dict[str, List[Dict[str, Any]]]:
    return {
        "assets": [_record(a) for a in view.assets],
        "reports": [_record(h) for h in view.history],
        "tasks": [_record(t) for t in view.tasks],
        "hard_fails": [_record(h) for h in view.hard_fails],
        "alerts": [_record(a) for a in view.alerts],
    }


def applicant_json(view: ApplicantView, generated_at: dt.datetime) -> Dict[str, Any]:
    return {"generated_at": iso(generated_at), "applicant": _record(view.summary), **_tables(view)}


def applicant_csv(view: ApplicantView, table: str, lang: str) -> str:
    """One table of the applicant (reports, tasks, assets or alerts) as CSV."""
    if table not in TABLES:
        raise ValueError(f"table is one of {', '.join(TABLES)}")
    return to_csv(_tables(view)[table], TABLES[table], lang)
