"""The admin pages (``/admin/...``): staff, API tokens, settings. Admins only; every change a CSRF-checked POST.

The changes are the ones the ``riskagent serve user|token|applicant``
commands make, through the same ``registry`` functions (one set of rules for
names, passwords and tokens). A new token is shown once, on the answer to the
POST that made it, and never again (``Cache-Control: no-store``, as every
dashboard page). Disabling a user or changing their role ends their sessions.
"""

from __future__ import annotations

import re
from typing import Optional

import sqlalchemy as sa
from flask import Response, abort, request, url_for

from agent.intake.dashboard_auth import end_sessions_of
from agent.intake.dashboard_text import ROLES, value_of
from agent.intake.dashboard_web import Denied, blueprint, intake, lang, needs, render, see_other, staff, t
from agent.intake.models import ApiToken, Applicant, Role, TokenKind, User

DONE = ("user_added", "saved")  # messages a redirect may name (?done=...); nothing else is shown


def _done() -> Optional[str]:
    key = request.args.get("done")
    return t(key, name=request.args.get("name", "")[:100]) if key in DONE else None


def _role_name(value: str) -> str:
    return value_of(ROLES, value, lang())


# ------------------------------------------------------------------------------------------ users


def _users_page(status: int = 200, error: Optional[str] = None) -> Response:
    with intake().db.read() as session:
        users = session.scalars(sa.select(User).order_by(User.username)).all()
    return render("admin_users.html", status=status, active="users", users=users, roles=[r.value for r in Role], role_name=_role_name, error=error, done=_done())


@blueprint.get("/admin")
@needs(Role.ADMIN)
def admin() -> Response:
    return see_other(url_for("dashboard.admin_users"))


@blueprint.get("/admin/users")
@needs(Role.ADMIN)
def admin_users() -> Response:
    return _users_page()


@blueprint.post("/admin/users")
@needs(Role.ADMIN)
def admin_user_add() -> Response:
    from agent.intake.registry import RegistryError, add_user

    it = intake()
    username = request.form.get("username", "").strip()
    role = request.form.get("role", "")
    if role not in {r.value for r in Role}:
        return _users_page(400, f"role: {role!r}")
    try:
        add_user(it.db, username, request.form.get("display_name", "").strip() or username, role, request.form.get("password", ""), it.config.clock())
    except RegistryError as exc:
        return _users_page(400, str(exc))
    return see_other(url_for("dashboard.admin_users", done="user_added", name=username))


def _change_user(user_id: int, change: str, role: Optional[str] = None) -> Response:
    it = intake()
    if user_id == staff().user_id and change in ("disable", "role"):
        raise Denied(t("self_disable"), 400)  # an admin cannot lock themselves out
    with it.db.write() as session:
        user = session.get(User, user_id, with_for_update=True)
        if user is None:
            abort(404)
        if change == "disable":
            user.disabled_at = it.config.clock()
            end_sessions_of(session, user.id)
        elif change == "enable":
            user.disabled_at = None
        else:
            if role not in {r.value for r in Role}:
                raise Denied(f"role: {role!r}", 400)
            user.role = Role(role)
            end_sessions_of(session, user.id)
    return see_other(url_for("dashboard.admin_users", done="saved"))


@blueprint.post("/admin/users/<int:user_id>/disable")
@needs(Role.ADMIN)
def admin_user_disable(user_id: int) -> Response:
    return _change_user(user_id, "disable")


@blueprint.post("/admin/users/<int:user_id>/enable")
@needs(Role.ADMIN)
def admin_user_enable(user_id: int) -> Response:
    return _change_user(user_id, "enable")


@blueprint.post("/admin/users/<int:user_id>/role")
@needs(Role.ADMIN)
def admin_user_role(user_id: int) -> Response:
    return _change_user(user_id, "role", request.form.get("role", ""))


# ------------------------------------------------------------------------------------------ tokens


def _tokens_page(status: int = 200, error: Optional[str] = None, new_token: Optional[str] = None) -> Response:
    with intake().db.read() as session:
        rows = session.execute(
            sa.select(ApiToken, Applicant.name, User.username)
            .outerjoin(Applicant, Applicant.id == ApiToken.applicant_id)
            .outerjoin(User, User.id == ApiToken.user_id)
            .order_by(ApiToken.id.desc())
        ).all()
    return render("admin_tokens.html", status=status, active="tokens", rows=rows, error=error, new_token=new_token, done=_done())


@blueprint.get("/admin/tokens")
@needs(Role.ADMIN)
def admin_tokens() -> Response:
    return _tokens_page()


@blueprint.post("/admin/tokens")
@needs(Role.ADMIN)
def admin_token_add() -> Response:
    from agent.intake.registry import RegistryError, add_applicant_token, add_staff_token

    it = intake()
    kind = request.form.get("kind", "")
    owner = request.form.get("owner", "").strip()
    now = it.config.clock()
    try:
        if kind == TokenKind.APPLICANT.value:
            org = request.form.get("organisation_id", "").strip() or None
            display = request.form.get("display_name", "").strip() or None
            token = add_applicant_token(it.db, owner, display, org, now)
        elif kind == TokenKind.STAFF.value:
            token = add_staff_token(it.db, owner, now)
        else:
            return _tokens_page(400, f"kind: {kind!r}")
    except RegistryError as exc:
        return _tokens_page(400, str(exc))
    return _tokens_page(201, new_token=token)


@blueprint.post("/admin/tokens/<int:token_id>/revoke")
@needs(Role.ADMIN)
def admin_token_revoke(token_id: int) -> Response:
    it = intake()
    with it.db.write() as session:
        token = session.get(ApiToken, token_id, with_for_update=True)
        if token is None:
            abort(404)
        if token.revoked_at is None:
            token.revoked_at = it.config.clock()
    return see_other(url_for("dashboard.admin_tokens", done="saved"))


# ------------------------------------------------------------------------------------------ settings


def _settings_page(status: int = 200, error: Optional[str] = None) -> Response:
    it = intake()
    with it.db.read() as session:
        schedules = session.execute(
            sa.select(Applicant.name, Applicant.checkin_interval_s, Applicant.checkin_grace_s)
            .where(sa.or_(Applicant.checkin_interval_s.is_not(None), Applicant.checkin_grace_s.is_not(None)))
            .order_by(Applicant.name)
        ).all()
    trusted = sorted(it.config.trusted.values(), key=lambda k: k.label)
    return render(
        "admin_settings.html",
        active="settings",
        status=status,
        config=it.config,
        database=re.sub(r"://([^:/@]+):[^@/]*@", r"://\1:***@", it.config.db_url),  # no database password on a page
        trusted=trusted,
        schedules=schedules,
        error=error,
        done=_done(),
    )


@blueprint.get("/admin/settings")
@needs(Role.ADMIN)
def admin_settings() -> Response:
    return _settings_page()


@blueprint.post("/admin/settings/schedule")
@needs(Role.ADMIN)
def admin_schedule() -> Response:
    from agent.intake.registry import RegistryError, set_schedule
    from report.policy import PolicyError, parse_duration

    it = intake()
    name = request.form.get("applicant", "").strip()
    try:
        interval = request.form.get("interval", "").strip()
        grace = request.form.get("grace", "").strip()
        set_schedule(
            it.db,
            name,
            parse_duration(interval, t("interval")) if interval else None,
            parse_duration(grace, t("grace")) if grace else None,
        )
    except (RegistryError, PolicyError) as exc:
        return _settings_page(400, str(exc))
    return see_other(url_for("dashboard.admin_settings", done="saved"))
