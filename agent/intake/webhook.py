"""Alerts to the insurer's systems: an HTTPS POST per alert, retried with backoff until it is taken.

Each alert is delivered at least once: the attempt count and the next attempt
time are in the alert's row, so a restart resumes where it stopped, and a
receiver that is down gets the alert later (30 s, 1 min, 2 min ... at most an
hour apart, ``MAX_ATTEMPTS`` tries). The body is JSON; with a secret, the
``X-Riskagent-Signature: sha256=<hex>`` header is the HMAC-SHA256 of the body,
so the receiver can tell the intake's alerts from anyone else's. TLS
verification is always on (``--webhook-ca`` for a private CA). The receiver
sees ``id`` and deduplicates by it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from typing import Any, Dict, Optional

import requests
import sqlalchemy as sa

from agent.intake.alerts import iso
from agent.intake.config import IntakeConfig
from agent.intake.db import Database
from agent.intake.models import Alert

MAX_ATTEMPTS = 12
FIRST_BACKOFF_S = 30
MAX_BACKOFF_S = 3600
TIMEOUT_S = 10
BATCH = 100


def backoff(attempts: int) -> dt.timedelta:
    """The wait before the next try after ``attempts`` failed ones."""
    return dt.timedelta(seconds=min(MAX_BACKOFF_S, FIRST_BACKOFF_S * 2 ** max(0, attempts - 1)))


def payload(alert: Alert) -> Dict[str, Any]:
    return {
        "id": alert.id,
        "kind": alert.kind.value,
        "applicant": alert.applicant.name,
        "asset": alert.asset.name if alert.asset is not None else None,
        "report_id": alert.report_id,
        "raised_at": iso(alert.raised_at),
        "resolved_at": iso(alert.resolved_at) if alert.resolved_at is not None else None,
        "detail": alert.detail,
    }


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def _post(http: requests.Session, config: IntakeConfig, body: bytes) -> Optional[str]:
    """None when the receiver took it (2xx), else why not."""
    assert config.webhook_url is not None
    headers = {"Content-Type": "application/json", "User-Agent": "riskagent-intake"}
    if config.webhook_secret:
        headers["X-Riskagent-Signature"] = signature(config.webhook_secret, body)
    try:
        reply = http.post(
            config.webhook_url,
            data=body,
            headers=headers,
            timeout=TIMEOUT_S,
            verify=str(config.webhook_ca) if config.webhook_ca else True,
            allow_redirects=False,
        )
    except requests.RequestException as exc:
        return f"{type(exc).__name__}: {exc}"[:500]
    if 200 <= reply.status_code < 300:
        return None
    return f"HTTP {reply.status_code}"


def deliver_pending(db: Database, config: IntakeConfig, now: Optional[dt.datetime] = None, http: Optional[requests.Session] = None) -> int:
    """Try every alert that is due; the number delivered. Nothing happens without a webhook URL.

    The requests are made outside any transaction (a slow receiver must not hold the database's write
    lock); each result is written in its own short transaction.
    """
    if not config.webhook_url:
        return 0
    at = now or config.clock()
    client = http or requests.Session()
    with db.read() as session:
        due = session.scalars(
            sa.select(Alert)
            .where(Alert.delivered_at.is_(None), Alert.next_attempt_at.is_not(None), Alert.next_attempt_at <= at)
            .order_by(Alert.id)
            .limit(BATCH)
        ).all()
        bodies = [(a.id, json.dumps(payload(a), ensure_ascii=False, sort_keys=True).encode("utf-8")) for a in due]
    delivered = 0
    for alert_id, body in bodies:
        problem = _post(client, config, body)
        with db.write() as session:
            alert = session.get(Alert, alert_id)
            if alert is None:
                continue
            alert.attempts += 1
            if problem is None:
                alert.delivered_at = at
                alert.next_attempt_at = None
                alert.last_error = None
                delivered += 1
            else:
                alert.last_error = problem
                alert.next_attempt_at = at + backoff(alert.attempts) if alert.attempts < MAX_ATTEMPTS else None
    return delivered
