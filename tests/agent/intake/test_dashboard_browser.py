"""The dashboard in headless Chromium, against ``riskagent serve`` on loopback with TLS, on SQLite and PostgreSQL.

A person's path through it: log in, open the portfolio, filter by grade F,
open an applicant, see the history chart and the overdue tasks; a viewer
cannot reach the admin pages; a form sent without its CSRF token is refused.

Chromium is driven over the DevTools protocol on a pipe
(``--remote-debugging-pipe``: JSON messages ended by a NUL byte on file
descriptors 3 and 4), so no driver or package beyond the ``chromium`` Debian
package is needed. It trusts exactly the server's key
(``--ignore-certificate-errors-spki-list``), and every request it makes is
recorded: the pages must load nothing from anywhere but the service.
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import json
import os
import select
import shutil
import ssl
import subprocess
import tempfile
import time
from typing import Any, Dict, Iterator, List, Optional
from urllib.parse import urlsplit

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from tests.agent.intake.conftest import ACME, BETA, Site, fresh_database
from tests.agent.intake.test_server import Service, _token, cli, serving
from tests.browser import chromium

PASSWORD = "correct horse battery"


class DevTools:
    """One headless Chromium and one page, over the DevTools protocol on a pipe."""

    def __init__(self, spki: str, timeout: float = 30.0) -> None:
        self.profile = tempfile.mkdtemp(prefix="chromium-")
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()
        # The browser reads commands on fd 3 and writes on fd 4: our ends go above the low numbers first, and bash
        # (dash takes one-digit descriptors only) puts them in place for the exec.
        a, b = fcntl.fcntl(to_browser_r, fcntl.F_DUPFD, 10), fcntl.fcntl(from_browser_w, fcntl.F_DUPFD, 10)
        os.close(to_browser_r)
        os.close(from_browser_w)
        argv = [
            chromium(),
            "--headless=new",
            "--no-sandbox",  # tests run as root in a container
            "--disable-gpu",
            "--no-first-run",
            "--disable-extensions",
            "--remote-debugging-pipe",
            f"--user-data-dir={self.profile}",
            f"--ignore-certificate-errors-spki-list={spki}",
            "--proxy-server=127.0.0.1:9",  # anything but loopback fails fast
            "about:blank",
        ]
        self.proc = subprocess.Popen(
            ["bash", "-c", f'exec "$0" "$@" 3<&{a} 4>&{b} {a}<&- {b}>&-', *argv],
            pass_fds=(a, b),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        os.close(a)
        os.close(b)
        self.timeout = timeout
        self._buffer = b""
        self._next_id = 0
        self._events: List[Dict[str, Any]] = []
        self.requests: List[str] = []
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Network", "Runtime"):
            self.call(f"{domain}.enable", session=True)

    # ---------------------------------------------------------------------------------- the protocol

    def _read(self, deadline: float) -> Dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("Chromium did not answer in time")
            ready, _, _ = select.select([self._from_browser], [], [], left)
            if ready:
                chunk = os.read(self._from_browser, 1 << 20)
                if not chunk:
                    raise RuntimeError("Chromium closed the pipe")
                self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        data: Dict[str, Any] = json.loads(message)
        if data.get("method") == "Network.requestWillBeSent":
            self.requests.append(data["params"]["request"]["url"])
        return data

    def call(self, method: str, session: bool = False, **params: Any) -> Dict[str, Any]:
        self._next_id += 1
        message: Dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = self.session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + self.timeout
        while True:
            data = self._read(deadline)
            if data.get("id") == self._next_id:
                if "error" in data:
                    raise RuntimeError(f"{method}: {data['error']}")
                result: Dict[str, Any] = data.get("result", {})
                return result
            if "method" in data:
                self._events.append(data)

    def _wait_event(self, method: str) -> Dict[str, Any]:
        deadline = time.monotonic() + self.timeout
        while True:
            for i, event in enumerate(self._events):
                if event["method"] == method:
                    del self._events[: i + 1]
                    return event
            self._events.clear()
            data = self._read(deadline)
            if "method" in data:
                self._events.append(data)

    # ---------------------------------------------------------------------------------- what a test does

    def evaluate(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", session=True, expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def open(self, url: str) -> None:
        self._events.clear()
        self.call("Page.navigate", session=True, url=url)
        self._wait_event("Page.loadEventFired")

    def act(self, expression: str) -> None:
        """Run ``expression`` (a click or a submit) and wait for the page it leads to."""
        self._events.clear()
        self.evaluate(expression)
        self._wait_event("Page.loadEventFired")

    def text(self, selector: str = "body") -> str:
        return str(self.evaluate(f"(document.querySelector({json.dumps(selector)}) || {{innerText: ''}}).innerText"))

    @property
    def path(self) -> str:
        url = urlsplit(str(self.evaluate("location.href")))
        return url.path + (f"?{url.query}" if url.query else "")

    def close(self) -> None:
        try:
            self.call("Browser.close")
        except (RuntimeError, TimeoutError, OSError):
            pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, 9)
            self.proc.wait(10)
        os.close(self._to_browser)
        os.close(self._from_browser)
        shutil.rmtree(self.profile, ignore_errors=True)


def _spki(base: str) -> str:
    """base64(sha256(SubjectPublicKeyInfo)) of the server's certificate, as Chromium's trust-this-key flag takes it."""
    host = urlsplit(base)
    pem = ssl.get_server_certificate((host.hostname or "localhost", host.port or 443))
    key = x509.load_pem_x509_certificate(pem.encode()).public_key()
    der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(hashlib.sha256(der).digest()).decode()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def filled(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, site: Site) -> Iterator[Service]:
    """``riskagent serve`` set up with its own commands, holding acme's two reports (F, overdue tasks) and beta's.

    Staff: ``ana`` (viewer) and ``uli`` (underwriter). Built like the API tests' service, from their helpers.
    """
    d = tmp_path_factory.mktemp(f"dashboard-{request.param}")
    url = fresh_database(request.param, d, request)
    assert cli("serve", "db", "upgrade", "--db", url).returncode == 0
    tokens = {
        "acme": _token(cli("serve", "token", "add", "acme", "--org-id", ACME, "--name", "Acme Ltd", "--db", url)),
        "beta": _token(cli("serve", "token", "add", "beta", "--org-id", BETA, "--name", "Beta Co", "--db", url)),
    }
    for user, role in (("ana", "viewer"), ("uli", "underwriter")):
        added = cli("serve", "user", "add", user, "--role", role, "--db", url, env={"RISKAGENT_PASSWORD": PASSWORD})
        assert added.returncode == 0, added.stderr
    with serving(d, url, site, "--workers", "2", "--threads", "2") as (base, ca, log):
        svc = Service(base, ca, tokens, url, log)
        for name, token in (("acme-web-1", "acme"), ("acme-web-2", "acme"), ("beta-db-1", "beta")):
            reply = svc.post(site.envelopes[name], tokens[token])
            assert reply.status_code == 201 and reply.json()["accepted"], reply.text
        yield svc


@pytest.fixture
def browser(filled: Service) -> Iterator[DevTools]:
    b = DevTools(_spki(filled.base))
    try:
        yield b
    finally:
        b.close()


def _log_in(b: DevTools, base: str, user: str, then: Optional[str] = None) -> None:
    b.open(base + (then or "/portfolio"))
    assert b.path.startswith("/login"), b.path  # not logged in: sent to the login page, with the way back
    b.evaluate(f"document.querySelector('#username').value = {json.dumps(user)}")
    b.evaluate(f"document.querySelector('#password').value = {json.dumps(PASSWORD)}")
    b.act("document.querySelector('#login-submit').click()")


def test_an_underwriter_finds_the_grade_f_applicant_and_its_overdue_tasks(browser: DevTools, filled: Service) -> None:
    b, base = browser, filled.base
    _log_in(b, base, "uli")
    assert b.path == "/portfolio" and "承保组合" in b.text("h1"), b.text()
    rows = b.evaluate("[...document.querySelectorAll('#portfolio tbody tr[data-applicant]')].map(r => r.dataset.applicant)")
    assert {"acme", "beta"} <= set(rows)
    # filter by grade F, as a person would: tick the box, press the button
    b.evaluate("document.querySelector('#grade-F').checked = true")
    b.act("document.querySelector('#apply-filters').click()")
    assert "grade=F" in b.path
    graded = b.evaluate("[...document.querySelectorAll('#portfolio tbody tr[data-applicant]')].map(r => [r.dataset.applicant, r.dataset.grade])")
    assert graded and {g for _, g in graded} == {"F"} and "acme" in {a for a, _ in graded}
    b.act("[...document.querySelectorAll('a.applicant')].find(a => a.closest('tr').dataset.applicant === 'acme').click()")
    assert b.path == "/applicants/acme" and b.text("#applicant-name") == "Acme Ltd"
    chart = b.evaluate(
        "(() => { const s = document.querySelector('#history-chart'); const r = s.getBoundingClientRect();"
        " return {w: r.width, h: r.height, dots: s.querySelectorAll('circle').length, lines: s.querySelectorAll('polyline').length,"
        " bars: s.querySelectorAll('rect.hf-bar').length}; })()"
    )
    assert chart["w"] > 300 and chart["h"] > 100 and chart["dots"] >= 2 and chart["lines"] >= 1 and chart["bars"] >= 1  # drawn, laid out
    overdue = b.evaluate("[...document.querySelectorAll('#tasks tr.overdue')].map(r => r.innerText)")
    assert overdue and all("已逾期" in row for row in overdue)
    colour = b.evaluate("getComputedStyle(document.querySelector('#tasks tr.overdue td')).backgroundColor")
    assert colour not in ("rgba(0, 0, 0, 0)", "transparent")  # the stylesheet, served by the app, marks them
    own = urlsplit(base)
    strangers = [u for u in b.requests if urlsplit(u).netloc != own.netloc and not u.startswith(("about:", "data:"))]
    assert strangers == []  # no CDN, no font service: everything from the intake itself


def test_a_viewer_cannot_reach_the_admin_pages(browser: DevTools, filled: Service) -> None:
    b, base = browser, filled.base
    _log_in(b, base, "ana", then="/admin/users")
    assert b.path == "/admin/users"  # back where the login was asked for, and refused there
    assert b.text("h1").startswith("403") and "无权" in b.text("#error-message")
    for path in ("/admin/tokens", "/admin/settings"):
        b.open(base + path)
        assert b.text("h1").startswith("403"), path
    b.open(base + "/portfolio")
    assert b.evaluate("document.querySelector('a[href=\"/admin/users\"]')") is None  # not even offered


def test_a_form_without_its_csrf_token_is_refused(browser: DevTools, filled: Service) -> None:
    b, base = browser, filled.base
    _log_in(b, base, "uli", then="/alerts")
    forms = b.evaluate("document.querySelectorAll('form[action$=\"/ack\"]').length")
    assert forms >= 1  # acme's new hard fail and regression
    action = b.evaluate("document.querySelector('form[action$=\"/ack\"]').getAttribute('action')")
    b.act("(() => { const f = document.querySelector('form[action$=\"/ack\"]'); f.querySelector('[name=csrf_token]').remove(); f.submit(); })()")
    assert b.text("h1").startswith("403") and "CSRF" in b.text("#error-message")
    b.open(base + "/alerts")
    assert b.evaluate(f"!!document.querySelector('form[action=\"{action}\"]')")  # still not acknowledged
    b.act(f"document.querySelector('form[action=\"{action}\"] button').click()")  # the real form, token and all
    assert b.path == "/alerts" and not b.evaluate(f"!!document.querySelector('form[action=\"{action}\"]')")
