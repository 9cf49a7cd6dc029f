"""Alerts posted to a loopback receiver: signed with the HMAC, retried with backoff when the receiver fails."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import http.server
import json
import threading
from typing import Any, Iterator, List, Tuple

import pytest
import sqlalchemy as sa

from agent.intake import monitor
from agent.intake.models import Alert
from agent.intake.webhook import FIRST_BACKOFF_S, MAX_ATTEMPTS, backoff, deliver_pending
from tests.agent.intake.conftest import NOW, Clock, applicants

SECRET = "webhook secret for tests"


class Receiver:
    """A loopback HTTP server that answers the statuses it is given, in turn (then 200), and keeps what it got."""

    def __init__(self) -> None:
        self.statuses: List[int] = []
        self.received: List[Tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers), body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    try:
        yield r
    finally:
        r.close()


def test_backoff_doubles_and_is_capped() -> None:
    assert [backoff(n).total_seconds() for n in (1, 2, 3)] == [FIRST_BACKOFF_S, 2 * FIRST_BACKOFF_S, 4 * FIRST_BACKOFF_S]
    assert backoff(50).total_seconds() == 3600


def test_an_alert_is_retried_until_the_receiver_takes_it(db: Any, config: Any, clock: Clock, receiver: Receiver) -> None:
    applicants(db, ("quiet", None))
    hooked = dataclasses.replace(config, webhook_url=receiver.url, webhook_secret=SECRET)
    [alert] = monitor.evaluate(db, hooked, NOW)
    receiver.statuses = [503]
    clock.now = NOW
    assert deliver_pending(db, hooked) == 0
    with db.read() as session:
        row = session.get(Alert, alert.id)
        assert row is not None and row.attempts == 1 and row.last_error == "HTTP 503" and row.delivered_at is None
        assert row.next_attempt_at == NOW + backoff(1)
    clock.advance(seconds=FIRST_BACKOFF_S - 1)
    assert deliver_pending(db, hooked) == 0 and len(receiver.received) == 1  # not due yet: nothing sent
    clock.advance(seconds=1)
    assert deliver_pending(db, hooked) == 1
    assert deliver_pending(db, hooked) == 0  # delivered once
    assert len(receiver.received) == 2
    headers, body = receiver.received[-1]
    assert headers["X-Riskagent-Signature"] == "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    sent = json.loads(body)
    assert sent["id"] == alert.id and sent["kind"] == "missed_checkin" and sent["applicant"] == "quiet"
    with db.read() as session:
        row = session.get(Alert, alert.id)
        assert row is not None and row.delivered_at == clock.now and row.attempts == 2 and row.last_error is None


def test_a_receiver_that_never_answers_is_given_up_after_the_last_attempt(db: Any, config: Any, clock: Clock) -> None:
    applicants(db, ("quiet", None))
    closed = dataclasses.replace(config, webhook_url="http://127.0.0.1:9/hook")  # discard port: connection refused
    [alert] = monitor.evaluate(db, closed, NOW)
    clock.now = NOW
    for _ in range(MAX_ATTEMPTS):
        deliver_pending(db, closed)
        clock.advance(hours=2)
    with db.read() as session:
        row = session.get(Alert, alert.id)
        assert row is not None and row.attempts == MAX_ATTEMPTS and row.next_attempt_at is None and row.delivered_at is None
        assert row.last_error is not None and "ConnectionError" in row.last_error
        assert session.scalar(sa.select(sa.func.count()).select_from(Alert).where(Alert.next_attempt_at.is_not(None))) == 0
