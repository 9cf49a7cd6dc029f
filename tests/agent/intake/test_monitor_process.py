"""The monitor process ``riskagent serve`` starts beside its workers: a missed check-in reaches the webhook, and it stops with the server."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import psutil

from tests.agent.intake.conftest import Site
from tests.agent.intake.test_server import RISKAGENT, _free_port, cli
from tests.agent.intake.test_webhook import Receiver
from tests.servers.certs import ca_and_leaf


def test_serve_raises_and_delivers_a_missed_checkin_then_stops_everything(tmp_path: Path, site: Site) -> None:
    url = f"sqlite:///{tmp_path / 'intake.db'}"
    assert cli("serve", "db", "upgrade", "--db", url).returncode == 0
    assert cli("serve", "token", "add", "quiet", "--db", url).returncode == 0
    pair = ca_and_leaf(tmp_path / "tls")
    receiver = Receiver()
    receiver.statuses = [500]  # the first delivery fails: the monitor retries it
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [*RISKAGENT, "serve", "--db", url, "--trust", str(site.trust_path), "--cert", str(pair.cert), "--key", str(pair.key),
             "--listen", f"127.0.0.1:{_free_port()}", "--workers", "1", "--checkin-interval", "1s", "--checkin-grace", "1s",
             "--monitor-every", "1", "--webhook", receiver.url, "--quiet"],
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 90
        from agent.intake import webhook

        first_retry = webhook.FIRST_BACKOFF_S
        while len(receiver.received) < 1:
            assert proc.poll() is None and time.monotonic() < deadline, log.read_text(errors="replace")
            time.sleep(0.2)
        _, body = receiver.received[0]
        alert = json.loads(body)
        assert alert["kind"] == "missed_checkin" and alert["applicant"] == "quiet" and alert["detail"]["grace_s"] == 1
        assert first_retry > 1  # the retry is scheduled, not immediate: only one request so far
        time.sleep(2.5)
        assert len(receiver.received) == 1
        children = psutil.Process(proc.pid).children(recursive=True)
        assert len(children) >= 2  # the gunicorn worker and the monitor
        proc.send_signal(signal.SIGTERM)  # to the server alone: it stops its workers and the monitor
        proc.wait(30)
        time.sleep(0.5)
        assert [c.pid for c in children if c.is_running() and c.status() != psutil.STATUS_ZOMBIE] == []
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # whatever is left of the group, if anything
        except ProcessLookupError:
            pass
        proc.wait(30)
        receiver.close()
