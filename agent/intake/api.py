"""The intake's HTTP API (``/api/v1``), JSON in and out.

For agents (a per-applicant token):

* ``POST /api/v1/reports``: the body is the DSSE envelope's bytes, exactly as
  ``scan`` wrote them. 201 with the new record, or 200 with the existing one
  when the same bytes came before; either way the body says whether the
  report was accepted (``status``), and if not, why (``reason``, ``problems``).
  The HTTP status says the intake has the envelope; 4xx and 5xx say it does
  not (401 token, 413 too large, 429 rate limit: retry after ``Retry-After``).
* ``GET /api/v1/reports`` and ``GET /api/v1/reports/<id>``: the applicant's
  own records, rejected ones included, with their reasons;
  ``GET /api/v1/reports/<id>/envelope``: the stored bytes.
* ``POST /api/v1/applications``: the body is an application package as one
  plain tar (``agent.package_archive.pack``); answered like a report, from the
  package unpacked privately and verified as ``riskagent verify DIR`` does. An
  archive that does not unpack is stored as rejected with the reason.
  ``GET /api/v1/applications``, ``GET /api/v1/applications/<id>`` and
  ``GET /api/v1/applications/<id>/archive`` mirror the report endpoints.

For underwriting systems (a staff token, any role): ``GET /api/v1/portfolio``,
``GET /api/v1/applicants/<name>`` and ``GET /api/v1/alerts``, as JSON or
(``?format=csv``) CSV; any record by id.
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Tuple, TypeVar

import sqlalchemy as sa
from flask import Blueprint, Response, current_app, jsonify, request

from agent.intake.alerts import iso
from agent.intake.auth import Caller, Refused, authenticate
from agent.intake.models import Alert, ApplicationRecord, ReportRecord, Status, TokenKind
from checks.model import Text

blueprint = Blueprint("api", __name__, url_prefix="/api/v1")

ACCEPTED = Text(zh="报告已通过核验并受理", en="verified and accepted")
REJECTED = Text(zh="报告未被受理：已留存，原因见 reason", en="not accepted: stored with the reason (see reason)")
TOO_LARGE = Text(zh="请求体超过大小上限（{limit} 字节）", en="the request body exceeds the limit of {limit} bytes")
EMPTY = Text(zh="请求体为空：请发送签名报告（DSSE 信封）的原始字节", en="empty body: send the signed report's DSSE envelope bytes")
EMPTY_APPLICATION = Text(
    zh="请求体为空：请发送投保申请包的归档（riskagent submit-application 打包的 tar 文件）",
    en="empty body: send the application package's archive (the tar that riskagent submit-application packs)",
)
APPLICATION_ACCEPTED = Text(zh="投保申请已通过核验并受理", en="application verified and accepted")
APPLICATION_REJECTED = Text(zh="投保申请未被受理：已留存，原因见 reason", en="application not accepted: stored with the reason (see reason)")
APPLICANT_SUBMITS = Text(zh="只有投保企业的令牌可以提交投保申请", en="only an applicant's token submits applications")
NOT_FOUND = Text(zh="没有该记录，或该记录不属于此令牌", en="no such record, or not one this token may read")
STAFF_ONLY = Text(zh="此接口仅限保险公司员工令牌", en="this endpoint takes an insurer staff token")
AGENT_ONLY = Text(zh="只有投保企业的令牌可以提交报告", en="only an applicant's token submits reports")
APPLICANT_ONLY = Text(zh="此接口仅限投保企业的令牌", en="this endpoint takes an applicant's token")
BAD_QUERY = Text(zh="查询参数无效：{detail}", en="bad query parameter: {detail}")


def _intake() -> Any:
    return current_app.extensions["riskagent_intake"]


def _caller() -> Caller:
    it = _intake()
    return authenticate(it.db, it.config, request.headers.get("Authorization"), it.config.clock())


def _staff() -> Caller:
    c = _caller()
    if c.kind is not TokenKind.STAFF:
        raise Refused(403, "forbidden", STAFF_ONLY)
    return c


def _format(text: Text, **values: object) -> Text:
    return Text(zh=text.zh.format(**values), en=text.en.format(**values))


def answer(record: ReportRecord, duplicate: bool) -> Dict[str, Any]:
    """A stored record as the API tells it, the same for a new and a repeated submission."""
    accepted = record.status is Status.ACCEPTED
    report: Optional[Dict[str, Any]] = None
    if record.report_uuid is not None:
        report = {
            "report_id": record.report_uuid,
            "subject": record.subject,
            "profile": record.profile,
            "mode": record.mode,
            "started_at": iso(record.started_at) if record.started_at is not None else None,
            "score": record.score,
            "grade": record.grade,
            "binding_blocked": record.binding_blocked,
            "recommendation": record.recommendation,
            "open_hard_fails": record.open_hard_fails,
            "unconfirmed_hard_fails": record.unconfirmed_hard_fails,
        }
    message = ACCEPTED if accepted else REJECTED
    return {
        "id": record.id,
        "status": record.status.value,
        "accepted": accepted,
        "result": record.outcome,
        "reason": record.reason,
        "reason_zh": record.reason_zh,
        "problems": record.problems,
        "problems_zh": record.problems_zh,
        "policy": record.policy,
        "signers": record.signers,
        "envelope_sha256": record.envelope_sha256,
        "size": record.size,
        "received_at": iso(record.received_at),
        "verified_at": iso(record.verified_at),
        "duplicate": duplicate,
        "report": report,
        "message": {"zh": message.zh, "en": message.en},
    }


def _read_body(limit: int, empty: Text = EMPTY) -> bytes:
    length = request.content_length
    if length is not None and length > limit:
        raise Refused(413, "too_large", _format(TOO_LARGE, limit=limit))
    data = request.stream.read(limit + 1)
    if len(data) > limit:
        raise Refused(413, "too_large", _format(TOO_LARGE, limit=limit))
    if not data:
        raise Refused(400, "empty", empty)
    return data


@blueprint.post("/reports")
def submit_report() -> Tuple[Response, int]:
    from agent.intake.ingest import receive

    it = _intake()
    c = _caller()
    if c.kind is not TokenKind.APPLICANT or c.applicant_id is None:
        raise Refused(403, "forbidden", AGENT_ONLY)
    data = _read_body(it.config.max_bytes)
    record, created = receive(it.db, it.config, c.applicant_id, c.token_id, data)
    return jsonify(answer(record, duplicate=not created)), 201 if created else 200


R = TypeVar("R", ReportRecord, ApplicationRecord)


def _own(c: Caller, record: Optional[R]) -> R:
    if record is None or (c.kind is TokenKind.APPLICANT and record.applicant_id != c.applicant_id):
        raise Refused(404, "not_found", NOT_FOUND)
    return record


@blueprint.get("/reports")
def list_reports() -> Response:
    c = _caller()
    if c.kind is not TokenKind.APPLICANT:
        raise Refused(403, "forbidden", APPLICANT_ONLY)
    with _intake().db.read() as session:
        records = session.scalars(
            sa.select(ReportRecord)
            .options(sa.orm.defer(ReportRecord.envelope))
            .where(ReportRecord.applicant_id == c.applicant_id)
            .order_by(ReportRecord.received_at.desc(), ReportRecord.id.desc())
            .limit(_int_arg("limit", 100, 1, 1000))
        ).all()
        return jsonify({"reports": [answer(r, duplicate=False) for r in records]})


@blueprint.get("/reports/<int:record_id>")
def get_report(record_id: int) -> Response:
    c = _caller()
    with _intake().db.read() as session:
        record = _own(c, session.get(ReportRecord, record_id, options=[sa.orm.defer(ReportRecord.envelope)]))
        return jsonify(answer(record, duplicate=False))


@blueprint.get("/reports/<int:record_id>/envelope")
def get_envelope(record_id: int) -> Response:
    c = _caller()
    with _intake().db.read() as session:
        record = _own(c, session.get(ReportRecord, record_id))
        return Response(record.envelope, mimetype="application/json", headers={"X-Envelope-Sha256": record.envelope_sha256})


# ------------------------------------------------------------------------------------------ applications


def application_answer(record: ApplicationRecord, duplicate: bool) -> Dict[str, Any]:
    """A stored application as the API tells it, in the shape of a report's answer."""
    accepted = record.status is Status.ACCEPTED
    application: Optional[Dict[str, Any]] = None
    if record.application_id is not None:
        application = {
            "application_id": record.application_id,
            "organisation_id": record.organisation_id,
            "organisation_name": record.organisation_name,
            "assets": record.assets,
        }
    message = APPLICATION_ACCEPTED if accepted else APPLICATION_REJECTED
    return {
        "id": record.id,
        "status": record.status.value,
        "accepted": accepted,
        "result": record.outcome,
        "reason": record.reason,
        "reason_zh": record.reason_zh,
        "problems": record.problems,
        "problems_zh": record.problems_zh,
        "signers": record.signers,
        "archive_sha256": record.archive_sha256,
        "size": record.size,
        "received_at": iso(record.received_at),
        "verified_at": iso(record.verified_at),
        "duplicate": duplicate,
        "application": application,
        "message": {"zh": message.zh, "en": message.en},
    }


@blueprint.post("/applications")
def submit_application() -> Tuple[Response, int]:
    from agent.intake.applications import receive_application

    it = _intake()
    c = _caller()
    if c.kind is not TokenKind.APPLICANT or c.applicant_id is None:
        raise Refused(403, "forbidden", APPLICANT_SUBMITS)
    data = _read_body(it.config.max_bytes, EMPTY_APPLICATION)
    record, created = receive_application(it.db, it.config, c.applicant_id, c.token_id, data)
    return jsonify(application_answer(record, duplicate=not created)), 201 if created else 200


@blueprint.get("/applications")
def list_applications() -> Response:
    c = _caller()
    if c.kind is not TokenKind.APPLICANT:
        raise Refused(403, "forbidden", APPLICANT_ONLY)
    with _intake().db.read() as session:
        records = session.scalars(
            sa.select(ApplicationRecord)
            .options(sa.orm.defer(ApplicationRecord.archive))
            .where(ApplicationRecord.applicant_id == c.applicant_id)
            .order_by(ApplicationRecord.received_at.desc(), ApplicationRecord.id.desc())
            .limit(_int_arg("limit", 100, 1, 1000))
        ).all()
        return jsonify({"applications": [application_answer(r, duplicate=False) for r in records]})


@blueprint.get("/applications/<int:record_id>")
def get_application(record_id: int) -> Response:
    c = _caller()
    with _intake().db.read() as session:
        record = _own(c, session.get(ApplicationRecord, record_id, options=[sa.orm.defer(ApplicationRecord.archive)]))
        return jsonify(application_answer(record, duplicate=False))


@blueprint.get("/applications/<int:record_id>/archive")
def get_archive(record_id: int) -> Response:
    c = _caller()
    with _intake().db.read() as session:
        record = _own(c, session.get(ApplicationRecord, record_id))
        return Response(record.archive, mimetype="application/x-tar", headers={"X-Archive-Sha256": record.archive_sha256})


# ------------------------------------------------------------------------------------------ exports


def _int_arg(name: str, default: int, lo: int, hi: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    if not raw.isascii() or not raw.isdigit() or not lo <= int(raw) <= hi:
        raise Refused(400, "bad_query", _format(BAD_QUERY, detail=f"{name} is a whole number {lo}-{hi}"))
    return int(raw)


def _choice(name: str, choices: Tuple[str, ...], default: str) -> str:
    value = request.args.get(name, default)
    if value not in choices:
        raise Refused(400, "bad_query", _format(BAD_QUERY, detail=f"{name} is one of {', '.join(choices)}"))
    return value


def _csv(text: str, name: str) -> Response:
    return Response(text, mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})


@blueprint.get("/portfolio")
def export_portfolio() -> Response:
    from agent.intake.exports import portfolio_csv, portfolio_json
    from agent.intake.portfolio import SORT_KEYS, portfolio

    _staff()
    it = _intake()
    now = it.config.clock()
    fmt = _choice("format", ("json", "csv"), "json")
    lang = _choice("lang", ("zh", "en"), "en")
    sort = _choice("sort", SORT_KEYS, "applicant")
    grades = tuple(g for g in request.args.getlist("grade") if g)
    with it.db.read() as session:
        rows = portfolio(session, now.date(), grades=grades, search=request.args.get("q"), sort=sort, descending=request.args.get("desc") == "1")
    return _csv(portfolio_csv(rows, lang), "portfolio") if fmt == "csv" else jsonify(portfolio_json(rows, now))


@blueprint.get("/applicants/<name>")
def export_applicant(name: str) -> Response:
    from agent.intake.exports import TABLES, applicant_csv, applicant_json
    from agent.intake.portfolio import applicant_view

    _staff()
    it = _intake()
    now = it.config.clock()
    fmt = _choice("format", ("json", "csv"), "json")
    lang = _choice("lang", ("zh", "en"), "en")
    table = _choice("table", tuple(TABLES), "reports")
    with it.db.read() as session:
        view = applicant_view(session, name, now.date())
    if view is None:
        raise Refused(404, "not_found", Text(zh=f"没有投保企业 {name}", en=f"no applicant {name}"))
    return _csv(applicant_csv(view, table, lang), f"{name}-{table}") if fmt == "csv" else jsonify(applicant_json(view, now))


@blueprint.get("/alerts")
def export_alerts() -> Response:
    from agent.intake.exports import TABLES, plain, to_csv

    _staff()
    it = _intake()
    fmt = _choice("format", ("json", "csv"), "json")
    lang = _choice("lang", ("zh", "en"), "en")
    open_only = request.args.get("open", "1") == "1"
    with it.db.read() as session:
        query = sa.select(Alert).order_by(Alert.raised_at.desc(), Alert.id.desc()).limit(_int_arg("limit", 1000, 1, 100000))
        if open_only:
            query = query.where(Alert.resolved_at.is_(None))
        rows = [
            {
                "alert_id": a.id,
                "kind": a.kind.value,
                "applicant": a.applicant.name,
                "asset": a.asset.name if a.asset is not None else None,
                "raised_at": plain(a.raised_at),
                "resolved_at": plain(a.resolved_at),
                "delivered_at": plain(a.delivered_at),
                "detail": a.detail,
            }
            for a in session.scalars(query)
        ]
    if fmt == "csv":
        columns = (("applicant", Text(zh="投保企业标识", en="Applicant")), *TABLES["alerts"])
        return _csv(to_csv(rows, columns, lang), "alerts")
    return jsonify({"generated_at": iso(it.config.clock()), "alerts": rows})
