"""The dashboard's web layer: the blueprint, its templates, who is asking, CSRF, roles and the response headers.

Every page is rendered by one Jinja2 environment of our own (not Flask's), with
autoescaping on for every template and ``report.escape.html_finalize`` as the
finalizer: every value, most of which come from reports that applicants wrote,
is text, and characters that hide or reorder text (controls, bidi overrides)
are shown as ``\\uXXXX``. The pages run no script, and the Content-Security-Policy
(``default-src 'none'``) allows nothing but the app's own stylesheet.

Before each request: the language (``?lang=`` then the cookie, zh by
default), the staff member (``dashboard_auth.current``), and for a POST the
CSRF token; a page that needs a login sends a browser there.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Optional, TypeVar, cast
from urllib.parse import urlencode

import jinja2
from flask import Blueprint, Response, current_app, g, redirect, request, url_for
from werkzeug.exceptions import HTTPException

from agent.intake.dashboard_auth import IDLE_S, Staff, current, same
from agent.intake.dashboard_text import LANGS, ROLES, duration, pick_lang, text, value_of
from agent.intake.models import Role

if TYPE_CHECKING:
    from agent.intake.app import Intake

TEMPLATES = Path(__file__).with_name("templates")
SESSION_COOKIE = "__Host-riskagent-session"
LOGIN_COOKIE = "__Host-riskagent-login"  # the login form's double-submit token
LANG_COOKIE = "riskagent-lang"
CSRF_FIELD = "csrf_token"
PUBLIC = frozenset({"dashboard.login", "dashboard.login_submit"})

CSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

blueprint = Blueprint("dashboard", __name__)

F = TypeVar("F", bound=Callable[..., Any])


@functools.lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    from report.escape import html_finalize

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,  # every template, whatever its name
        finalize=html_finalize,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.globals["url_for"] = url_for
    return env


def intake() -> Intake:
    return cast("Intake", current_app.extensions["riskagent_intake"])


def see_other(url: str) -> Response:
    """A redirect after a form or to a login (303: the browser follows with a GET)."""
    return cast(Response, redirect(url, 303))  # flask.redirect makes the app's response class


def lang() -> str:
    return cast(str, g.get("lang", "zh"))


def staff() -> Staff:
    who = g.get("staff")
    assert who is not None, "a page that needs a login ran without one"
    return cast(Staff, who)


def t(key: str, **values: object) -> str:
    return text(key, lang(), **values)


def lang_url(to: str) -> str:
    """This page in the other language: the same path and query with ``lang`` changed."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    return request.path + "?" + urlencode([*args, ("lang", to)])


def when(value: Any, with_time: bool = True) -> str:
    """A UTC time as people read it in the tables (the page says UTC once)."""
    if value is None:
        return "-"
    return str(value.strftime("%Y-%m-%d %H:%M" if with_time else "%Y-%m-%d"))


def render(name: str, status: int = 200, active: str = "", **context: Any) -> Response:
    who = g.get("staff")
    body = environment().get_template(name).render(
        active=active,
        role_of=lambda v: value_of(ROLES, v, lang()),
        lang=lang(),
        t=t,
        staff=who,
        Role=Role,
        other_lang="en" if lang() == "zh" else "zh",
        lang_url=lang_url,
        when=when,
        duration=lambda s: duration(s, lang()),
        csrf=who.csrf_token if who is not None else "",
        **context,
    )
    return Response(body, status=status, mimetype="text/html")


def error_page(status: int, message: str) -> Response:
    return render("error.html", status=status, status_code=status, message=message)


class Denied(Exception):
    """A request the dashboard refuses with a page (403 by default)."""

    def __init__(self, message: str, status: int = 403) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def needs(role: Role) -> Callable[[F], F]:
    """A view only this role and those above it may use (viewer < underwriter < admin)."""

    def wrap(fn: F) -> F:
        @functools.wraps(fn)
        def inner(*args: Any, **kwargs: Any) -> Any:
            if not staff().may(role):
                raise Denied(t("forbidden_role", role=value_of(ROLES, staff().role.value, lang())))
            return fn(*args, **kwargs)

        return cast(F, inner)

    return wrap


def safe_next(value: Optional[str]) -> Optional[str]:
    """A path on this site to return to after a login or a form; anything else (another site, a scheme) is dropped."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value or len(value) > 2000:
        return None
    if not value.isascii() or not value.isprintable() or " " in value:
        return None
    return value


# ------------------------------------------------------------------------------------------ request hooks


@blueprint.before_request
def _before() -> Optional[Response]:
    asked = request.args.get("lang")
    g.lang = pick_lang(asked if asked in LANGS else request.cookies.get(LANG_COOKIE))
    it = intake()
    g.staff = current(it.db, request.cookies.get(SESSION_COOKIE), it.config.clock(), current_app.config.get("DASHBOARD_IDLE_S", IDLE_S))
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        origin = request.headers.get("Origin")
        if origin is not None and origin != request.host_url.rstrip("/"):
            raise Denied(t("csrf_refused"))
        if request.endpoint == "dashboard.login_submit":
            if not same(request.cookies.get(LOGIN_COOKIE, ""), request.form.get(CSRF_FIELD)):
                raise Denied(t("csrf_refused"))
            return None
        if g.staff is None or not same(g.staff.csrf_token, request.form.get(CSRF_FIELD)):
            raise Denied(t("csrf_refused"))
        return None
    if g.staff is None and request.endpoint not in PUBLIC:
        target = request.full_path.rstrip("?")
        return see_other(url_for("dashboard.login", next=target))
    return None


@blueprint.after_request
def _headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"  # "no-referrer" would make a browser send "Origin: null" with our own forms
    response.headers["Cache-Control"] = "no-store"
    asked = request.args.get("lang")
    if asked in LANGS and asked != request.cookies.get(LANG_COOKIE):
        response.set_cookie(LANG_COOKIE, asked, max_age=365 * 86400, secure=True, httponly=True, samesite="Strict")
    return response


@blueprint.errorhandler(Denied)
def _denied(exc: Denied) -> Response:
    return error_page(exc.status, exc.message)


@blueprint.errorhandler(HTTPException)
def _http_error(exc: HTTPException) -> Response:
    status = exc.code or 500
    message = t("not_found") if status == 404 else f"{exc.name}"
    return error_page(status, message)


def set_session_cookie(response: Response, secret: str) -> None:
    response.set_cookie(SESSION_COOKIE, secret, secure=True, httponly=True, samesite="Strict", path="/")


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, secure=True, httponly=True, samesite="Strict", path="/")
