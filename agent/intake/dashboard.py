"""The insurer's dashboard (``/``): log in, the portfolio, an applicant, a report, the alerts; admin pages beside them.

Who may do what (``dashboard_web.needs``): a viewer reads every page but the
admin ones; an underwriter also acknowledges alerts and writes notes; an
admin also manages users, tokens and applicants' schedules
(``dashboard_admin``). Every form that changes something is a POST with the
session's CSRF token; every change is followed by a redirect (303), so a
reload never repeats it.

``blueprint`` is what ``app.create_app`` registers.
"""

from __future__ import annotations

import functools
from typing import Any, Dict, Optional, Tuple

from flask import Response, abort, g, request, url_for

from agent.intake import dashboard_admin  # noqa: F401  - its routes join the blueprint
from agent.intake.dashboard_auth import LoginResult, end_session, log_in, new_secret, purge_expired
from agent.intake.dashboard_text import (
    ALERT_KINDS,
    HARD_FAIL_STATES,
    OUTCOMES,
    RECORD_STATUSES,
    ROLES,
    SEVERITIES,
    STATUSES,
    alert_summary,
    value_of,
)
from agent.intake.dashboard_views import (
    GRADE_CHOICES,
    NOTE_LIMIT,
    PER_PAGE,
    acknowledge,
    add_note,
    alerts_page,
    applicant_page,
    parse_portfolio_query,
    portfolio_page,
)
from agent.intake.dashboard_web import (
    LOGIN_COOKIE,
    SESSION_COOKIE,
    Denied,
    blueprint,
    clear_session_cookie,
    intake,
    lang,
    needs,
    render,
    safe_next,
    see_other,
    set_session_cookie,
    staff,
    t,
)
from agent.intake.models import ApplicationRecord, ReportRecord, Role
from checks.model import Text

__all__ = ["blueprint"]


def _labels() -> Dict[str, Any]:
    """Translations of stored values, for the templates."""
    L = lang()
    return {
        "status_of": lambda v: value_of(STATUSES, v, L) if v is not None else "-",
        "hf_state": lambda v: value_of(HARD_FAIL_STATES, v, L),
        "alert_kind": lambda v: value_of(ALERT_KINDS, v, L),
        "role_name": lambda v: value_of(ROLES, v, L),
        "record_status": lambda v: value_of(RECORD_STATUSES, v, L),
        "outcome_name": lambda v: value_of(OUTCOMES, v, L),
        "severity_name": lambda v: value_of(SEVERITIES, v, L),
        "item_label": _item_label,
        "check_title": _check_title,
        "alert_text": lambda kind, detail: alert_summary(kind, detail, L, _item_label),
    }


@functools.lru_cache(maxsize=1)
def _item_labels() -> Dict[str, Text]:
    from report.underwriting import load_weights

    return {spec.id: spec.label for spec in load_weights().hard_fail}


@functools.lru_cache(maxsize=1)
def _check_titles() -> Dict[str, Text]:
    from checks.catalogue import all_checks

    return {check_id: rc.meta.title for check_id, rc in all_checks().items()}


def _item_label(item: str) -> str:
    """A hard-fail item's name (核保否决项), or its id when this version does not know it."""
    found = _item_labels().get(item)
    return found.get(lang()) if found is not None else item


def _check_title(check_id: str) -> str:
    found = _check_titles().get(check_id)
    return found.get(lang()) if found is not None else ""


# ------------------------------------------------------------------------------------------ login


def _login_form(status: int = 200, message: Optional[str] = None) -> Response:
    token = new_secret()
    response = render("login.html", status=status, login_token=token, message=message, next=safe_next(request.values.get("next")) or "")
    response.set_cookie(LOGIN_COOKIE, token, max_age=3600, secure=True, httponly=True, samesite="Strict", path="/")
    return response


@blueprint.get("/login")
def login() -> Response:
    if g.staff is not None:
        return see_other(safe_next(request.args.get("next")) or url_for("dashboard.portfolio_view"))
    return _login_form()


@blueprint.post("/login")
def login_submit() -> Response:
    it = intake()
    now = it.config.clock()
    username = request.form.get("username", "").strip()[:100]
    password = request.form.get("password", "")[:1000]
    result: LoginResult = log_in(it.db, username, password, request.remote_addr or "-", now)
    if result.limited is not None:
        minutes = max(1, (result.limited.retry_after_s + 59) // 60)
        response = _login_form(429, t("login_limited", minutes=minutes))
        response.headers["Retry-After"] = str(result.limited.retry_after_s)
        return response
    if result.secret is None:
        return _login_form(401, t("login_failed"))
    purge_expired(it.db, now)
    response = see_other(safe_next(request.form.get("next")) or url_for("dashboard.portfolio_view"))
    set_session_cookie(response, result.secret)
    response.delete_cookie(LOGIN_COOKIE, secure=True, httponly=True, samesite="Strict", path="/")
    return response


@blueprint.post("/logout")
def logout() -> Response:
    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        end_session(intake().db, secret)
    response = see_other(url_for("dashboard.login"))
    clear_session_cookie(response)
    return response


# ------------------------------------------------------------------------------------------ pages


@blueprint.get("/")
def home() -> Response:
    return see_other(url_for("dashboard.portfolio_view"))


@blueprint.get("/portfolio")
def portfolio_view() -> Response:
    it = intake()
    query = parse_portfolio_query(request.args, request.args.getlist)
    with it.db.read() as session:
        page = portfolio_page(session, it.config, it.config.clock(), query)

    def link(**changes: Any) -> str:
        return url_for("dashboard.portfolio_view") + _query(page.query.params(**changes))

    def sort_link(column: str) -> str:
        desc = not page.query.desc if page.query.sort == column else column in ("grade", "open_hard_fails", "overdue_tasks")
        return link(sort=column, desc=desc)

    return render("portfolio.html", active="portfolio", page=page, link=link, sort_link=sort_link, grades=GRADE_CHOICES, per_page_choices=PER_PAGE, **_labels())


def _query(params: Any) -> str:
    from urllib.parse import urlencode

    return ("?" + urlencode(params)) if params else ""


@blueprint.get("/applicants/<name>")
def applicant(name: str) -> Response:
    it = intake()
    with it.db.read() as session:
        page = applicant_page(session, it.config, it.config.clock(), name, t("score"), t("open_hard_fails"))
    if page is None:
        abort(404)
    return render("applicant.html", p=page, v=page.view, today=it.config.clock().date(), note_limit=NOTE_LIMIT, **_labels())


@blueprint.post("/applicants/<name>/notes")
@needs(Role.UNDERWRITER)
def note(name: str) -> Response:
    it = intake()
    body = request.form.get("body", "").strip()
    if not body or len(body) > NOTE_LIMIT:
        raise Denied(t("note_empty", limit=NOTE_LIMIT), 400)
    with it.db.write() as session:
        if not add_note(session, name, staff().user_id, body, it.config.clock()):
            abort(404)
    return see_other(url_for("dashboard.applicant", name=name) + "#notes")


def _record(record_id: int) -> ReportRecord:
    with intake().db.read() as session:
        record = session.get(ReportRecord, record_id)
        if record is None:
            abort(404)
        _ = record.applicant.name  # loaded while the session is open
        return record


def _verify(record: ReportRecord) -> Tuple[Any, list[str]]:
    """The stored envelope verified again, now, with the service's current trust store and policy."""
    from report.verification import verify_bytes
    from report.verify_text import verification_lines

    it = intake()
    config = it.config
    v = verify_bytes(record.envelope, config.trusted, config.policy, source=f"record {record.id} ({record.envelope_sha256[:16]})", now=config.clock(), max_bytes=config.max_bytes)
    return v, verification_lines(v, lang())


def _renderable(v: Any) -> bool:
    from report.verification import Outcome

    return v.report is not None and v.outcome in (Outcome.VALID, Outcome.POLICY_FAILED)


@blueprint.get("/reports/<int:record_id>")
def report(record_id: int) -> Response:
    record = _record(record_id)
    v, lines = _verify(record)
    return render("report.html", r=record, v=v, lines=lines, renderable=_renderable(v), **_labels())


@blueprint.get("/reports/<int:record_id>/envelope")
def report_envelope(record_id: int) -> Response:
    """The envelope byte for byte as received: to verify it elsewhere, or to keep it with a claim."""
    record = _record(record_id)
    return _download(record.envelope, f"record-{record.id}.dsse.json", "application/json", record.envelope_sha256)


@blueprint.get("/applications/<int:record_id>/archive")
def application_archive(record_id: int) -> Response:
    """An application package's archive byte for byte as received (``riskagent apply verify`` reads it unpacked)."""
    with intake().db.read() as session:
        record = session.get(ApplicationRecord, record_id)
        if record is None:
            abort(404)
        return _download(record.archive, f"application-{record.id}.tar", "application/x-tar", record.archive_sha256)


def _download(data: bytes, name: str, mimetype: str, sha256: str) -> Response:
    """Stored bytes as a file to save, never shown inline (they come from the applicant)."""
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["X-Content-Sha256"] = sha256
    return response


REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; frame-ancestors 'none'; base-uri 'none'"


@blueprint.get("/reports/<int:record_id>/view")
def report_document(record_id: int) -> Response:
    """The report as ``riskagent render`` writes it, with the verification result in its header; only if it verifies now."""
    from report.render import render_html

    record = _record(record_id)
    v, lines = _verify(record)
    if not _renderable(v):
        return render("report.html", status=409, r=record, v=v, lines=lines, renderable=False, **_labels())
    html = render_html(v.report, lang(), (v.ok, lines))
    response = Response(html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = REPORT_CSP  # the report's own inline style, nothing else
    return response


@blueprint.get("/alerts")
def alerts() -> Response:
    it = intake()
    show = request.args.get("acknowledged", "1") != "0"
    with it.db.read() as session:
        page = alerts_page(session, it.config, show)
    return render("alerts.html", active="alerts", page=page, **_labels())


@blueprint.post("/alerts/<int:alert_id>/ack")
@needs(Role.UNDERWRITER)
def acknowledge_alert(alert_id: int) -> Response:
    it = intake()
    with it.db.write() as session:
        if not acknowledge(session, alert_id, staff().user_id, it.config.clock()):
            abort(404)
    back = safe_next(request.form.get("next")) or url_for("dashboard.alerts")
    return see_other(back)
