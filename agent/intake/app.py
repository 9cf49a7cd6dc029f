"""The Flask application of the intake (the dashboard will register its blueprint beside the API's)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Tuple

import sqlalchemy as sa
from flask import Flask, Response, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from agent.intake.auth import Refused
from agent.intake.config import IntakeConfig
from agent.intake.db import Database


@dataclass(frozen=True)
class Intake:
    """What a request handler needs: the settings and the database (``app.extensions["riskagent_intake"]``)."""

    config: IntakeConfig
    db: Database


DRAIN_CHUNK = 64 * 1024


def _drain(limit: int) -> None:
    """Read and drop what is left of the request body (at most ``limit`` bytes).

    A server that answers before reading the body and then closes the connection makes the
    kernel reset it, and the client sees the reset instead of the answer (a 401 or 413 then
    reads as a network error, which an agent's outbox would retry for ever).
    """
    stream = request.environ.get("wsgi.input")
    length = request.content_length
    if stream is None or not length:
        return
    left = min(length, limit)
    try:
        while left > 0:
            chunk = stream.read(min(DRAIN_CHUNK, left))
            if not chunk:
                break
            left -= len(chunk)
    except OSError:
        pass


def _error(status: int, code: str, zh: str, en: str, retry_after_s: int = 0) -> Tuple[Response, int]:
    _drain(current_app.config["MAX_CONTENT_LENGTH"] or 0)
    reply = jsonify({"error": code, "message": {"zh": zh, "en": en}})
    if retry_after_s:
        reply.headers["Retry-After"] = str(retry_after_s)
    return reply, status


_ZH = {400: "请求无效", 404: "未找到", 405: "不支持该请求方法", 500: "服务内部错误"}


def create_app(config: IntakeConfig, db: Optional[Database] = None) -> Flask:
    """The WSGI application; ``db`` defaults to a new engine on ``config.db_url`` (one per server process)."""
    app = Flask("agent.intake")
    app.config["MAX_CONTENT_LENGTH"] = config.max_bytes
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.extensions["riskagent_intake"] = Intake(config, db or Database.open(config.db_url, pool_pre_ping=True))

    from agent.intake.api import blueprint
    from agent.intake.dashboard import blueprint as dashboard

    app.register_blueprint(blueprint)
    app.register_blueprint(dashboard)

    @app.get("/healthz")
    def healthz() -> Response:
        return jsonify({"ok": True})

    @app.errorhandler(Refused)
    def refused(exc: Refused) -> Tuple[Response, int]:
        return _error(exc.status, exc.code, exc.message.zh, exc.message.en, exc.retry_after_s)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Tuple[Response, int]:
        status = exc.code or 500
        if status == 413:
            limit = config.max_bytes
            return _error(413, "too_large", f"请求体超过大小上限（{limit} 字节）", f"the request body exceeds the limit of {limit} bytes")
        return _error(status, exc.name.lower().replace(" ", "_"), _ZH.get(status, exc.name), exc.description or exc.name)

    @app.errorhandler(sa.exc.OperationalError)
    def database_down(exc: sa.exc.OperationalError) -> Tuple[Response, int]:
        app.logger.error("database: %s", exc.orig)
        return _error(503, "database_unavailable", "数据库暂不可用，请稍后重试", "the database is not available; retry later", 30)

    @app.errorhandler(Exception)
    def internal(exc: Exception) -> Tuple[Response, int]:
        app.logger.exception("internal error")
        return _error(500, "internal_error", "服务内部错误，已记录日志；请稍后重试", "internal error (logged); retry later")

    return app
