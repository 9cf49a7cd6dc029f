"""Serving the intake over HTTPS with gunicorn, and the monitor process beside it.

Why gunicorn: it terminates TLS itself (``certfile``/``keyfile``, with an
``ssl_context`` hook for the minimum version), so one command serves HTTPS
without a proxy in front; and it pre-forks worker processes. Verifying a report
is CPU-bound Python (the full recheck), so processes, one per core, are what
scale it. By default each process serves one connection at a time (gunicorn's
``sync`` worker): on two cores that verifies a fifth more reports per second
than threads within a process (``gthread``), whose poller thread takes the
interpreter lock from the verifying thread (``bench/bench_intake.py``).
Every read and write of a connection then has a deadline (``--io-timeout``), so
a client that stalls holds a process for at most that long, not until
gunicorn's worker timeout. ``--threads N`` (N > 1) chooses ``gthread``, with
keep-alive, for a dashboard many people use at once; it sets connections
aside that send nothing, but reads a started request without a deadline of
its own. waitress speaks no TLS and runs threads in one process, so it would
need a proxy and would verify one report at a time.

Each worker builds its own database engine after the fork (``load``), so no
connection is shared between processes.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, Optional, Tuple

from gunicorn import util  # type: ignore[import-untyped]
from gunicorn.app.base import BaseApplication  # type: ignore[import-untyped]
from gunicorn.workers.sync import SyncWorker  # type: ignore[import-untyped]

from agent.intake.config import IntakeConfig


@dataclass(frozen=True)
class Listen:
    bind: str  # host:port, [v6]:port
    cert: Path
    key: Path
    workers: int
    threads: int
    access_log: bool = True
    io_timeout_s: float = 30.0


def _tls12_or_newer(config: Any, default_factory: Callable[[], ssl.SSLContext]) -> ssl.SSLContext:
    """The TLS context of this process, made once and again only when the certificate or key file changes.

    gunicorn asks for a context for every connection, and its factory makes a new one each time (a new
    OpenSSL context, the certificate chain and the private key parsed again).
    """
    stamp = tuple(_file_stamp(path) for path in (config.certfile, config.keyfile))
    cached = _CONTEXT.get(stamp)
    if cached is None:
        cached = default_factory()
        cached.minimum_version = ssl.TLSVersion.TLSv1_2
        _CONTEXT.clear()
        _CONTEXT[stamp] = cached
    return cached


_CONTEXT: Dict[Tuple[Tuple[str, int, int], ...], ssl.SSLContext] = {}


def _file_stamp(path: str) -> Tuple[str, int, int]:
    st = os.stat(path)
    return path, st.st_mtime_ns, st.st_size


class DeadlineSyncWorker(SyncWorker):  # type: ignore[misc]
    """gunicorn's ``sync`` worker with a deadline on every read and write of a connection."""

    def init_process(self) -> None:
        self.log.error_log.addFilter(StalledClientLine(self.app.io_timeout_s))
        super().init_process()

    def accept(self, listener: Any) -> None:
        client, addr = listener.accept()
        client.settimeout(self.app.io_timeout_s)  # blocking, but each recv and send (the TLS handshake too) gives up then
        util.close_on_exec(client)
        self.handle(listener, client, addr)


class StalledClientLine(logging.Filter):
    """A client that ran into the read deadline, logged in one line instead of gunicorn's error with a traceback.

    gunicorn takes a timed-out read for a socket error ("Socket error processing request." and the traceback):
    every client that connects and stalls would write thirty lines to the log, so a hostile one could fill it.
    """

    def __init__(self, io_timeout_s: float) -> None:
        super().__init__()
        self.line = f"a client sent no data within the read deadline (--io-timeout {io_timeout_s:g} s); connection closed"

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], TimeoutError):
            record.msg, record.args, record.exc_info, record.exc_text = self.line, (), None, None
            record.levelno, record.levelname = logging.INFO, logging.getLevelName(logging.INFO)
        return True


class IntakeServer(BaseApplication):  # type: ignore[misc]
    """gunicorn, configured from code (no gunicorn.conf.py), serving ``agent.intake.app.create_app``."""

    def __init__(self, config: IntakeConfig, listen: Listen) -> None:
        self.intake_config = config
        self.io_timeout_s = listen.io_timeout_s
        self.options: Dict[str, Any] = {
            "bind": [listen.bind],
            "workers": listen.workers,
            "worker_class": DeadlineSyncWorker if listen.threads == 1 else "gthread",
            "threads": listen.threads,
            "certfile": str(listen.cert),
            "keyfile": str(listen.key),
            "ssl_context": _tls12_or_newer,
            "timeout": 120,
            "graceful_timeout": 20,
            "keepalive": 5,
            "proc_name": "riskagent-intake",
            "errorlog": "-",
            "accesslog": "-" if listen.access_log else None,
            "limit_request_line": 8190,
            "limit_request_fields": 100,
        }
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)
        if "control_socket_disable" in self.cfg.settings:  # gunicorn 25 and later: no socket in the user's home directory
            self.cfg.set("control_socket_disable", True)

    def load(self) -> Any:
        from agent.intake.app import create_app

        return create_app(self.intake_config)


def start_monitor(config: IntakeConfig, every_s: float) -> Optional[multiprocessing.process.BaseProcess]:
    """The monitor (periodic alerts and webhook delivery) in its own process; None when ``every_s`` is 0."""
    if every_s <= 0:
        return None
    from agent.intake import monitor

    process = multiprocessing.get_context("fork").Process(target=monitor.run, args=(config, every_s), name="riskagent-intake-monitor")
    process.start()
    return process


def serve(config: IntakeConfig, listen: Listen, monitor_every_s: float) -> None:
    """Run until stopped (SIGTERM or SIGINT); the monitor stops with the server."""
    process = start_monitor(config, monitor_every_s)
    try:
        IntakeServer(config, listen).run()
    finally:
        if process is not None:
            process.terminate()
            process.join(10)
