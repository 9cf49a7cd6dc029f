"""The dashboard through Flask's test client, on SQLite and PostgreSQL: every page, every role rule, CSRF, sessions.

One portfolio per database (module scope): acme (a hardened report, then a weak
one: regression, new hard fails, overdue tasks, and a forged report kept as
rejected), beta (one report), and an applicant whose names and report target
are hostile markup and escape sequences. Tests that change something change
their own rows. The browser tests are in ``test_dashboard_browser.py``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
import uuid
from dataclasses import dataclass, field
from typing import Any, Dict, Iterator, Optional
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from agent.intake import monitor
from agent.intake.app import create_app
from agent.intake.config import IntakeConfig
from agent.intake.dashboard_auth import USER_FAILURES, secret_digest
from agent.intake.dashboard_web import LANG_COOKIE, LOGIN_COOKIE, SESSION_COOKIE
from agent.intake.db import Database
from agent.intake.ingest import receive
from agent.intake.models import Alert, AlertKind, ApiToken, Note, User, WebSession
from agent.intake.registry import add_applicant_token, add_user
from report.policy import Policy
from report.signing import sign_report
from tests.agent.intake.conftest import ACME, BETA, NOW, Clock, Site, fresh_database
from tests.hosts import complete_report

PASSWORD = "correct horse battery"
HOSTILE_HANDLE = 'evil"><img src=x onerror=alert(1)>'
HOSTILE_NAME = '<script>alert("name")</script>\x1b[31m\u202eevil'
HOSTILE_TARGET = "<script>alert(1)</script>\x1b[2J"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Dash:
    """A filled intake database, and apps over it with their own clocks."""

    db: Database
    config: IntakeConfig
    ids: Dict[str, int] = field(default_factory=dict)
    records: Dict[str, int] = field(default_factory=dict)

    def app(self, now: dt.datetime = NOW + dt.timedelta(days=1), **changes: Any) -> Flask:
        config = dataclasses.replace(self.config, clock=Clock(now), **changes)
        app = create_app(config, self.db)
        app.testing = True
        return app

    def client(self, user: Optional[str] = None, app: Optional[Flask] = None) -> FlaskClient:
        c = (app or self.app()).test_client()
        c.environ_base.update({"wsgi.url_scheme": "https", "HTTP_HOST": "localhost"})
        if user is not None:
            reply = login(c, user)
            assert reply.status_code == 303, reply.text
        return c


def login(c: FlaskClient, username: str, password: str = PASSWORD) -> Any:
    page = c.get("/login")
    found = TOKEN.search(page.text)
    assert found, page.text
    return c.post("/login", data={"username": username, "password": password, "csrf_token": found.group(1)})


def csrf(c: FlaskClient, path: str = "/portfolio") -> str:
    found = TOKEN.search(c.get(path).text)
    assert found
    return found.group(1)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def dash(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, site: Site) -> Iterator[Dash]:
    from agent.intake import migrate

    url = fresh_database(request.param, tmp_path_factory.mktemp("dash"), request)
    db = Database.open(url)
    migrate.upgrade(db.engine)
    clock = Clock()
    config = IntakeConfig(db_url=url, trusted=site.trusted, policy=Policy(), max_bytes=8 << 20, clock=clock)
    d = Dash(db, config)
    registered = NOW - dt.timedelta(days=40)
    add_applicant_token(db, "acme", "Acme Ltd", ACME, now=registered)
    add_applicant_token(db, "beta", "Beta Co", BETA, now=registered)
    add_applicant_token(db, HOSTILE_HANDLE, HOSTILE_NAME, None, now=registered)
    add_applicant_token(db, "quiet", "Quiet Ltd", None, now=registered)  # never reports: a missed check-in
    with db.read() as session:
        from agent.intake.models import Applicant

        d.ids = {a.name: a.id for a in session.scalars(sa.select(Applicant))}
    hostile = complete_report("debian-weak", target_name=HOSTILE_TARGET, started_at="2026-11-03T00:00:00Z", report_id=str(uuid.uuid4()))
    steps = [
        ("acme-web-1", "acme", site.envelopes["acme-web-1"]),
        ("acme-web-2", "acme", site.envelopes["acme-web-2"]),
        ("acme-forged", "acme", site.envelopes["acme-forged"]),
        ("beta-db-1", "beta", site.envelopes["beta-db-1"]),
        ("hostile", HOSTILE_HANDLE, sign_report(hostile, site.beta)),
    ]
    for key, applicant, data in steps:
        record, _ = receive(db, config, d.ids[applicant], None, data)
        d.records[key] = record.id
        clock.advance(hours=12)
    monitor.evaluate(db, config, NOW + dt.timedelta(days=1))  # quiet's missed check-in
    for name, role in (("vera", "viewer"), ("uwe", "underwriter"), ("ada", "admin")):
        add_user(db, name, name.title(), role, PASSWORD)
    try:
        yield d
    finally:
        db.dispose()


def _alert(d: Dash, kind: AlertKind, applicant: str = "acme") -> Alert:
    with d.db.read() as session:
        return session.scalars(sa.select(Alert).where(Alert.kind == kind, Alert.applicant_id == d.ids[applicant])).one()


# ------------------------------------------------------------------------------------------ login and sessions


def test_login_sets_a_hardened_session_and_logout_ends_it(dash: Dash) -> None:
    c = dash.client()
    page = c.get("/login")
    assert page.status_code == 200 and "登录" in page.text
    login_cookie = page.headers["Set-Cookie"]
    assert login_cookie.startswith(LOGIN_COOKIE + "=") and all(flag in login_cookie for flag in ("Secure", "HttpOnly", "SameSite=Strict"))
    reply = login(c, "vera")
    assert reply.status_code == 303 and reply.headers["Location"] == "/portfolio"
    cookie = next(h for h in reply.headers.getlist("Set-Cookie") if h.startswith(SESSION_COOKIE + "="))
    assert all(flag in cookie for flag in ("Secure", "HttpOnly", "SameSite=Strict", "Path=/"))
    secret = cookie.split(";")[0].split("=", 1)[1]
    with dash.db.read() as session:
        stored = session.scalars(sa.select(WebSession).where(WebSession.secret_sha256 == secret_digest(secret))).one()
        assert secret not in {stored.secret_sha256, stored.csrf_token}  # the table never holds the cookie's value
    assert c.get("/portfolio").status_code == 200
    assert c.post("/logout", data={"csrf_token": csrf(c)}).status_code == 303
    with dash.db.read() as session:
        assert session.get(WebSession, stored.id) is None
    assert c.get("/portfolio").headers["Location"] == "/login?next=/portfolio"


def test_a_wrong_password_and_an_unknown_user_read_the_same(dash: Dash) -> None:
    c = dash.client()
    wrong, unknown = login(c, "uwe", "not the password"), login(c, "nobody-at-all", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    assert "用户名或口令错误" in wrong.text and "用户名或口令错误" in unknown.text
    assert SESSION_COOKIE not in "".join(wrong.headers.getlist("Set-Cookie"))


def test_failed_logins_are_limited_per_user_name(dash: Dash) -> None:
    add_user(dash.db, "lim", "Lim", "viewer", PASSWORD)
    app = dash.app()
    c = dash.client(app=app)
    for _ in range(USER_FAILURES):
        assert login(c, "lim", "guessing wrong").status_code == 401
    refused = login(c, "lim")  # the right password, but the limit is reached: not even checked
    assert refused.status_code == 429 and 0 < int(refused.headers["Retry-After"]) <= 15 * 60 and "登录失败次数过多" in refused.text
    assert login(dash.client(app=app), "vera").status_code == 303  # another user is not affected
    later = dash.app(now=NOW + dt.timedelta(days=1, minutes=16))
    assert login(dash.client(app=later), "lim").status_code == 303  # the window has passed


def test_failed_logins_are_limited_per_address(dash: Dash) -> None:
    app = dash.app(now=NOW + dt.timedelta(days=3))
    c = dash.client(app=app)
    c.environ_base["REMOTE_ADDR"] = "192.0.2.77"
    for i in range(20):
        assert login(c, f"guess-{i}", "x").status_code == 401
    assert login(c, "vera").status_code == 429
    other = dash.client(app=app)
    other.environ_base["REMOTE_ADDR"] = "192.0.2.78"
    assert login(other, "vera").status_code == 303


def test_an_idle_session_ends_and_so_does_an_old_one(dash: Dash) -> None:
    start = NOW + dt.timedelta(days=5)
    clock = Clock(start)
    app = create_app(dataclasses.replace(dash.config, clock=clock), dash.db)
    c = dash.client("vera", app=app)
    clock.advance(minutes=29)
    assert c.get("/portfolio").status_code == 200  # used within the idle time: still open, and moved on
    clock.advance(minutes=29)
    assert c.get("/portfolio").status_code == 200
    clock.advance(minutes=31)
    assert c.get("/portfolio").headers["Location"].startswith("/login")  # idle too long
    c = dash.client("vera", app=app)
    for _ in range(25):  # active all the time, yet 12 hours after the login it ends
        clock.advance(minutes=29)
        c.get("/alerts")
    assert c.get("/portfolio").headers["Location"].startswith("/login")


def test_a_disabled_user_cannot_log_in_and_loses_their_sessions(dash: Dash) -> None:
    add_user(dash.db, "gone", "Gone", "viewer", PASSWORD)
    c = dash.client("gone")
    admin = dash.client("ada")
    with dash.db.read() as session:
        uid = session.scalars(sa.select(User.id).where(User.username == "gone")).one()
    assert admin.post(f"/admin/users/{uid}/disable", data={"csrf_token": csrf(admin)}).status_code == 303
    assert c.get("/portfolio").headers["Location"].startswith("/login")
    assert login(dash.client(), "gone").status_code == 401


# ------------------------------------------------------------------------------------------ CSRF and roles


PAGES = ("/portfolio", "/applicants/acme", "/alerts", "/admin/users", "/admin/tokens", "/admin/settings")


def test_every_page_needs_a_login(dash: Dash) -> None:
    c = dash.client()
    for path in (*PAGES, f"/reports/{dash.records['acme-web-1']}", f"/reports/{dash.records['acme-web-1']}/view"):
        reply = c.get(path)
        assert reply.status_code == 303 and reply.headers["Location"].startswith("/login?next="), path
    assert c.get("/static/dashboard.css").status_code == 200  # the stylesheet is public and served by the app


def test_a_post_without_the_csrf_token_is_refused(dash: Dash) -> None:
    alert = _alert(dash, AlertKind.REGRESSION)
    uwe = dash.client("uwe")
    for data in ({}, {"csrf_token": ""}, {"csrf_token": "x" * 43}, {"csrf_token": csrf(dash.client("vera"))}):  # none, empty, made up, another session's
        reply = uwe.post(f"/alerts/{alert.id}/ack", data=data)
        assert reply.status_code == 403 and "CSRF" in reply.text
    assert _alert(dash, AlertKind.REGRESSION).acknowledged_at is None
    foreign = uwe.post(f"/alerts/{alert.id}/ack", data={"csrf_token": csrf(uwe)}, headers={"Origin": "https://evil.example"})
    assert foreign.status_code == 403
    assert dash.client().post("/logout").status_code == 403  # no session: no token can be right
    # the login form: its token must match the login cookie (no one else's page can log a browser in)
    fresh = dash.client()
    assert fresh.post("/login", data={"username": "vera", "password": PASSWORD}).status_code == 403
    fresh.get("/login")
    assert fresh.post("/login", data={"username": "vera", "password": PASSWORD, "csrf_token": "x" * 43}).status_code == 403


def test_a_viewer_reads_but_changes_nothing(dash: Dash) -> None:
    vera = dash.client("vera")
    for path in ("/portfolio", "/applicants/acme", "/alerts", f"/reports/{dash.records['acme-web-2']}"):
        assert vera.get(path).status_code == 200, path
    for path in ("/admin/users", "/admin/tokens", "/admin/settings", "/admin"):
        reply = vera.get(path)
        assert reply.status_code == 403 and "无权" in reply.text, path
    token = csrf(vera)
    alert = _alert(dash, AlertKind.NEW_HARD_FAIL)
    assert vera.post(f"/alerts/{alert.id}/ack", data={"csrf_token": token}).status_code == 403
    assert vera.post("/applicants/acme/notes", data={"csrf_token": token, "body": "mine"}).status_code == 403
    assert vera.post("/admin/users", data={"csrf_token": token, "username": "x", "role": "admin", "password": PASSWORD}).status_code == 403
    assert _alert(dash, AlertKind.NEW_HARD_FAIL).acknowledged_at is None
    page = vera.get("/applicants/acme").text
    assert "/ack" not in page and "note-form" not in page  # no form a viewer cannot use
    assert "/admin/users" not in vera.get("/portfolio").text


def test_an_underwriter_acknowledges_alerts_and_writes_notes(dash: Dash) -> None:
    uwe = dash.client("uwe")
    alert = _alert(dash, AlertKind.NEW_HARD_FAIL)
    reply = uwe.post(f"/alerts/{alert.id}/ack", data={"csrf_token": csrf(uwe), "next": "https://evil.example/"})
    assert reply.status_code == 303 and reply.headers["Location"] == "/alerts"  # never sent to another site
    acked = _alert(dash, AlertKind.NEW_HARD_FAIL)
    assert acked.acknowledged_at == NOW + dt.timedelta(days=1) and acked.acknowledged_by is not None
    assert "Uwe 于" in uwe.get("/alerts").text
    assert uwe.post("/applicants/acme/notes", data={"csrf_token": csrf(uwe), "body": "回访：备份方案 12 月底前完成"}).status_code == 303
    assert "回访：备份方案 12 月底前完成" in uwe.get("/applicants/acme").text
    assert uwe.post("/applicants/acme/notes", data={"csrf_token": csrf(uwe), "body": "  "}).status_code == 400
    assert uwe.post("/applicants/nobody/notes", data={"csrf_token": csrf(uwe), "body": "x"}).status_code == 404
    assert uwe.get("/admin/settings").status_code == 403
    with dash.db.read() as session:
        assert (session.scalar(sa.select(sa.func.count()).select_from(Note)) or 0) >= 1


def test_an_admin_manages_users_tokens_and_schedules(dash: Dash) -> None:
    ada = dash.client("ada")
    for path in ("/admin/users", "/admin/tokens", "/admin/settings"):
        assert ada.get(path).status_code == 200, path
    added = ada.post("/admin/users", data={"csrf_token": csrf(ada), "username": "nina", "display_name": "Nina", "role": "underwriter", "password": PASSWORD})
    assert added.status_code == 303 and "nina" in ada.get(added.headers["Location"]).text
    short = ada.post("/admin/users", data={"csrf_token": csrf(ada), "username": "short", "role": "viewer", "password": "short"})
    assert short.status_code == 400 and "at least 12 characters" in short.text
    with dash.db.read() as session:
        nina = session.scalars(sa.select(User).where(User.username == "nina")).one()
        me = session.scalars(sa.select(User).where(User.username == "ada")).one()
    assert ada.post(f"/admin/users/{nina.id}/role", data={"csrf_token": csrf(ada), "role": "viewer"}).status_code == 303
    assert ada.post(f"/admin/users/{me.id}/disable", data={"csrf_token": csrf(ada)}).status_code == 400  # not oneself
    made = ada.post("/admin/tokens", data={"csrf_token": csrf(ada), "kind": "applicant", "owner": "gamma", "display_name": "Gamma", "organisation_id": ""})
    token = re.search(r'id="new-token">(ra_[A-Za-z0-9_-]{43})<', made.text)
    assert made.status_code == 201 and token and made.headers["Cache-Control"] == "no-store"
    assert token.group(1) not in ada.get("/admin/tokens").text  # shown once only
    with dash.db.read() as session:
        row = session.scalars(sa.select(ApiToken).where(ApiToken.prefix == token.group(1)[:10])).one()
    assert ada.post(f"/admin/tokens/{row.id}/revoke", data={"csrf_token": csrf(ada)}).status_code == 303
    with dash.db.read() as session:
        assert session.get(ApiToken, row.id).revoked_at is not None  # type: ignore[union-attr]
    saved = ada.post("/admin/settings/schedule", data={"csrf_token": csrf(ada), "applicant": "beta", "interval": "12h", "grace": "2h"})
    assert saved.status_code == 303 and "12 小时" in ada.get("/admin/settings").text
    assert ada.post("/admin/settings/schedule", data={"csrf_token": csrf(ada), "applicant": "beta", "interval": "soon"}).status_code == 400


# ------------------------------------------------------------------------------------------ the pages


def _rows(page: str) -> list[tuple[str, str]]:
    """(applicant, grade) of each row of the portfolio table, as the page writes them (escaped)."""
    return [(m.group(1), m.group(2)) for m in re.finditer(r'<tr data-applicant="([^"]*)" data-grade="([^"]*)"', page)]


def test_the_portfolio_filters_sorts_and_pages(dash: Dash) -> None:
    vera = dash.client("vera")
    everyone = vera.get("/portfolio")
    assert everyone.status_code == 200 and "承保组合" in everyone.text
    names = [a for a, _ in _rows(everyone.text)]
    assert sorted(names) == names and {"acme", "beta", "quiet"} <= set(names)  # other tests may add applicants
    graded_f = _rows(vera.get("/portfolio?grade=F").text)
    assert {a for a, _ in graded_f} == {"acme", "beta", 'evil&#34;&gt;&lt;img src=x onerror=alert(1)&gt;'} and {g for _, g in graded_f} == {"F"}
    assert "quiet" in [a for a, _ in _rows(vera.get("/portfolio?grade=-").text)]
    assert "acme" in {a for a, _ in _rows(vera.get("/portfolio?hard_fail=1").text)}
    assert "quiet" not in {a for a, _ in _rows(vera.get("/portfolio?overdue=1").text)}
    assert [a for a, _ in _rows(vera.get("/portfolio?missed=1").text)] == ["quiet"]
    assert [a for a, _ in _rows(vera.get("/portfolio?q=beta").text)] == ["beta"]
    by_name_desc = [a for a, _ in _rows(vera.get("/portfolio?sort=applicant&desc=1").text)]
    assert by_name_desc == sorted(names, reverse=True)
    by_score = vera.get("/portfolio?sort=score&desc=1").text
    assert 'aria-sort="descending"' in by_score
    first, second = vera.get("/portfolio?per_page=25&page=1").text, vera.get("/portfolio?sort=applicant&page=2&per_page=25").text
    assert _rows(first) and "第 1 / 1 页" in first and _rows(second) == _rows(first)  # a page past the end shows the last
    assert vera.get("/portfolio?sort=nonsense&page=x&per_page=-1&grade=Z").status_code == 200  # nonsense falls back to defaults
    acme_row = re.search(r'<tr data-applicant="acme".*?</tr>', everyone.text, re.S)
    assert acme_row and "<svg class=\"spark\"" in acme_row.group(0) and "<polyline" in acme_row.group(0)  # the trend of two reports
    assert re.search(r'class="num bad">\d+ / \d+</td>', acme_row.group(0))  # overdue tasks marked


def test_the_applicant_page(dash: Dash) -> None:
    uwe = dash.client("uwe")
    page = uwe.get("/applicants/acme")
    assert page.status_code == 200
    text = page.text
    assert 'id="history-chart"' in text and text.count("<circle") >= 2 and "<polyline" in text and 'class="hf-bar"' in text
    assert "host:web-01" in text and "Acme Ltd" in text and ACME in text
    tasks = re.search(r'<section id="tasks">.*?</section>', text, re.S)
    assert tasks and 'class="overdue"' in tasks.group(0) and "已逾期" in tasks.group(0)
    drift = re.search(r'<section id="drift">.*?</section>', text, re.S)
    assert drift and "新增核保否决项" in drift.group(0) and 'class="regressed"' in drift.group(0) and "未通过" in drift.group(0)
    rejected = re.search(r'<section id="rejected">.*?</section>', text, re.S)
    assert rejected and "报告中缺少这项结果" in rejected.group(0) and f"#{dash.records['acme-forged']}" in rejected.group(0)
    assert "missing from the report" not in rejected.group(0)  # the reason in the page's language
    assert "回退" in text and "核保否决项" in text
    assert uwe.get("/applicants/nobody").status_code == 404
    beta = uwe.get("/applicants/beta").text
    assert "只有一份已受理报告" in beta
    in_english = re.search(r'<section id="rejected">.*?</section>', uwe.get("/applicants/acme?lang=en").text, re.S)
    assert in_english and "missing from the report" in in_english.group(0)


def test_the_report_page_verifies_again_when_shown(dash: Dash, site: Site) -> None:
    vera = dash.client("vera")
    rid = dash.records["acme-web-2"]
    page = vera.get(f"/reports/{rid}")
    assert page.status_code == 200 and 'id="open-report"' in page.text and "有效" in page.text
    document = vera.get(f"/reports/{rid}/view")
    assert document.status_code == 200 and "style-src 'unsafe-inline'" in document.headers["Content-Security-Policy"]
    assert "script-src" not in document.headers["Content-Security-Policy"]  # default-src 'none': no script
    assert "<html" in document.text and "web-01" in document.text and "已验证" in document.text  # the verification header
    forged = vera.get(f"/reports/{dash.records['acme-forged']}")
    assert forged.status_code == 200 and 'id="no-longer-verifies"' in forged.text and "open-report" not in forged.text
    assert vera.get(f"/reports/{dash.records['acme-forged']}/view").status_code == 409
    # the insurer has since removed acme's key from the trust store: the stored report no longer verifies
    without_acme = {k: v for k, v in site.trusted.items() if v.entry is None or v.entry.organisation_id != ACME}
    later = dash.client("vera", app=dash.app(trusted=without_acme))
    gone = later.get(f"/reports/{rid}")
    assert 'id="no-longer-verifies"' in gone.text and "open-report" not in gone.text
    refused = later.get(f"/reports/{rid}/view")
    assert refused.status_code == 409 and "<h1>" in refused.text and "无法通过核验" in refused.text
    assert vera.get("/reports/999999").status_code == 404


def test_a_stored_envelope_downloads_byte_for_byte(dash: Dash, site: Site) -> None:
    """The forged one too: the insurer keeps what was sent, and can hand it to riskagent verify or a claim."""
    vera = dash.client("vera")  # a viewer
    for name in ("acme-web-2", "acme-forged"):
        rid = dash.records[name]
        assert f'href="/reports/{rid}/envelope"' in vera.get(f"/reports/{rid}").text
        got = vera.get(f"/reports/{rid}/envelope")
        assert got.status_code == 200 and got.data == site.envelopes[name]
        assert got.headers["Content-Disposition"] == f'attachment; filename="record-{rid}.dsse.json"'
        assert got.headers["X-Content-Sha256"] == hashlib.sha256(site.envelopes[name]).hexdigest()
    assert vera.get("/reports/999999/envelope").status_code == 404
    anonymous = dash.client().get(f"/reports/{dash.records['acme-web-2']}/envelope")
    assert anonymous.status_code in (302, 303) and "/login" in anonymous.headers["Location"]


def test_the_alerts_page_and_the_webhook_status(dash: Dash) -> None:
    vera = dash.client("vera")
    page = vera.get("/alerts").text
    for kind in ("未按时报送", "新增核保否决项", "回退"):
        assert kind in page
    assert "Quiet Ltd" in page and "未配置 webhook" in page
    with dash.db.write() as session:
        alert = session.scalars(sa.select(Alert).where(Alert.applicant_id == dash.ids["quiet"])).one()
        alert.attempts, alert.last_error = 2, "HTTP 503"
    hooked = dash.client("vera", app=dash.app(webhook_url="https://user:secret@hooks.example/riskagent?key=abc"))
    status = re.search(r'<section id="webhook">.*?</section>', hooked.get("/alerts").text, re.S)
    assert status and "https://hooks.example/riskagent" in status.group(0) and "HTTP 503" in status.group(0)
    assert "secret" not in status.group(0) and "key=abc" not in status.group(0)  # credentials in the URL are not shown
    hidden = vera.get("/alerts?acknowledged=0").text
    acked = _alert(dash, AlertKind.NEW_HARD_FAIL)
    if acked.acknowledged_at is not None:
        assert f'id="alert-{acked.id}"' not in hidden


def test_hostile_values_from_reports_are_inert(dash: Dash) -> None:
    uwe = dash.client("uwe")
    quoted = "/applicants/" + quote(HOSTILE_HANDLE, safe="")
    pages = {
        "portfolio": uwe.get("/portfolio").text,
        "applicant": uwe.get(quoted).text,
        "alerts": uwe.get("/alerts").text,
        "report": uwe.get(f"/reports/{dash.records['hostile']}").text,
    }
    assert "&lt;script&gt;alert(&#34;name&#34;)&lt;/script&gt;" in pages["portfolio"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages["applicant"]  # the report's target, as the asset's name
    for name, text in pages.items():
        assert "<script" not in text and "<img" not in text and "onerror=alert(1)>" not in text, name
        assert "\x1b" not in text and "\u202e" not in text, name  # escape sequences and bidi overrides shown, not acted on
    assert "\\u001b[31m\\u202eevil" in pages["portfolio"] and "\\u001b[2J" in pages["applicant"]
    for text in pages.values():
        assert text.count("<svg") == text.count("</svg>")  # no value closed an element early


def test_language_switch_and_security_headers(dash: Dash) -> None:
    c = dash.client("vera")
    zh = c.get("/portfolio")
    assert '<html lang="zh-CN">' in zh.text and "风险评级" in zh.text and 'href="/portfolio?lang=en"' in zh.text
    en = c.get("/portfolio?lang=en")
    assert '<html lang="en">' in en.text and "Rating" in en.text and "风险评级" not in en.text
    assert LANG_COOKIE + "=en" in en.headers["Set-Cookie"]
    assert "Rating" in c.get("/applicants/acme").text  # the choice sticks
    headers = zh.headers
    assert "script-src" not in headers["Content-Security-Policy"] and "default-src 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY" and headers["X-Content-Type-Options"] == "nosniff" and headers["Cache-Control"] == "no-store"
    assert headers["Referrer-Policy"] == "same-origin"  # "no-referrer" would send "Origin: null" with our own forms
    assert not re.search(r'(src|href)="(https?:)?//', zh.text)  # nothing from another site


def test_the_api_still_answers_json(dash: Dash) -> None:
    c = dash.client()
    assert c.get("/healthz").json == {"ok": True}
    assert c.get("/api/v1/portfolio").status_code == 401  # the API keeps its tokens; a dashboard session is not one


def test_revision_0003_adds_the_dashboard_tables_to_a_database_in_use(empty_db_url: str) -> None:
    from agent.intake import migrate
    from agent.intake.db import make_engine

    engine = make_engine(empty_db_url)
    try:
        migrate.upgrade(engine, "0002")
        with engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO applicants (name, display_name, created_at) VALUES ('acme', 'Acme Ltd', :t)"), {"t": dt.datetime(2026, 1, 1)})
        assert not {"notes", "login_failures"} & set(sa.inspect(engine).get_table_names())
        migrate.upgrade(engine, "0003")
        assert {"notes", "login_failures"} <= set(sa.inspect(engine).get_table_names())
        with engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO notes (applicant_id, body, created_at) SELECT id, 'kept', :t FROM applicants"), {"t": dt.datetime(2026, 1, 2)})
            assert conn.execute(sa.text("SELECT count(*) FROM applicants")).scalar() == 1
        migrate.downgrade(engine, "0002")
        assert not {"notes", "login_failures"} & set(sa.inspect(engine).get_table_names())
        with engine.begin() as conn:
            assert conn.execute(sa.text("SELECT name FROM applicants")).scalar() == "acme"
    finally:
        engine.dispose()
