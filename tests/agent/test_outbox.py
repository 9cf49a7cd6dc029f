"""The outbox: reports are queued on disk before anything is sent and leave the queue only on a 2xx; an intake
that is down, restarting or overloaded keeps them (with backoff), one that refuses a report for good sets it
aside with its answer, and TLS is always verified. A real HTTPS server on loopback plays the intake."""

from __future__ import annotations

import http.server
import json
import os
import socket
import ssl
import stat
import subprocess
import sys
import threading
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Tuple

import pytest

from agent.errors import AgentError, UsageError
from agent.outbox import Outbox, SubmitSettings, parse_submit, submit_report
from tests.servers.certs import ca_and_leaf


class Intake:
    """An HTTPS server whose answers are scripted: each POST takes the next (status, body); then 201."""

    def __init__(self, directory: Path) -> None:
        self.pair = ca_and_leaf(directory / "tls")
        self.script: List[Tuple[int, Dict[str, object]]] = []
        self.received: List[Tuple[Optional[str], bytes]] = []
        intake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                intake.received.append((self.headers.get("Authorization"), body))
                status, answer = intake.script.pop(0) if intake.script else (201, {"id": len(intake.received), "result": "valid"})
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(str(self.pair.cert), str(self.pair.key))
        self.server.socket = ctx.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"https://localhost:{self.port}/api/v1/reports"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture()
def intake(tmp_path: Path) -> Iterator[Intake]:
    server = Intake(tmp_path)
    yield server
    server.stop()


def _token(tmp_path: Path, mode: int = 0o600) -> Path:
    path = tmp_path / "token"
    path.write_text("t0ken-for-tests\n")
    path.chmod(mode)
    return path


def _settings(intake: Intake, tmp_path: Path) -> SubmitSettings:
    assert intake.pair.ca_cert is not None
    return SubmitSettings(intake.url, intake.pair.ca_cert, _token(tmp_path), 5.0)


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0
        self.sleeps: List[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, s: float) -> None:
        self.sleeps.append(s)


def test_a_report_is_queued_privately_then_sent_with_the_token(intake: Intake, tmp_path: Path) -> None:
    result = submit_report(tmp_path / "state", b'{"payload":"x"}\n', _settings(intake, tmp_path))
    assert [s.answer["result"] for s in result.sent] == ["valid"] and not result.queued
    assert intake.received == [("Bearer t0ken-for-tests", b'{"payload":"x"}\n')]
    assert Outbox(tmp_path / "state").pending() == []


def test_the_queue_file_is_private_and_the_same_report_is_queued_once(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "state")
    a = box.enqueue(b"one")
    assert box.enqueue(b"one") == a and len(box.pending()) == 1
    assert stat.S_IMODE(a.stat().st_mode) == 0o600 and stat.S_IMODE(box.dir.stat().st_mode) == 0o700


def test_an_intake_that_is_down_keeps_the_reports_and_backs_off(intake: Intake, tmp_path: Path) -> None:
    settings = _settings(intake, tmp_path)
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        dead = SubmitSettings(f"https://localhost:{s.getsockname()[1]}/api/v1/reports", settings.ca_file, settings.token_file, 2.0)
    clock = Clock()
    box = Outbox(tmp_path / "state", clock=clock, sleep=clock.sleep)
    box.enqueue(b"first")
    box.enqueue(b"second")
    down = box.flush(dead)
    assert len(down.queued) == 2 and "did not answer" in (down.problem or "") and clock.sleeps == [1.0, 3.0]
    assert down.next_attempt == clock.now + 60
    again = box.flush(dead)
    assert again.skipped and len(again.queued) == 2  # not due yet: no request at all
    clock.now += 61
    assert box.flush(dead).next_attempt == clock.now + 120  # doubling
    # After a restart of the agent (a new Outbox over the same directory), the intake is back: both go, oldest first.
    clock.now += 121
    back = Outbox(tmp_path / "state", clock=clock, sleep=clock.sleep).flush(settings)
    assert [s.name for s in back.sent] == [p for p in sorted(s.name for s in back.sent)] and len(back.sent) == 2
    assert [b for _, b in intake.received] == [b"first", b"second"]


def test_a_restarting_intake_is_retried_within_the_flush(intake: Intake, tmp_path: Path) -> None:
    intake.script = [(503, {"error": "starting"}), (201, {"id": 7, "result": "valid"})]
    clock = Clock()
    box = Outbox(tmp_path / "state", clock=clock, sleep=clock.sleep)
    box.enqueue(b"report")
    result = box.flush(_settings(intake, tmp_path))
    assert [s.answer["id"] for s in result.sent] == [7] and clock.sleeps == [1.0]


def test_a_report_refused_for_good_is_set_aside_with_the_answer(intake: Intake, tmp_path: Path) -> None:
    intake.script = [(422, {"reason": "not a DSSE envelope"})]
    box = Outbox(tmp_path / "state")
    box.enqueue(b"garbage")
    box.enqueue(b"good")
    result = box.flush(_settings(intake, tmp_path))
    assert [why for _, why in result.refused] == ["HTTP 422: not a DSSE envelope"] and len(result.sent) == 1
    assert box.pending() == [] and len(box.refused()) == 1
    answer = json.loads(next((box.dir / "refused").glob("*.answer.json")).read_text())
    assert answer["answer"]["reason"] == "not a DSSE envelope"


def test_a_refused_token_keeps_the_report_and_says_so(intake: Intake, tmp_path: Path) -> None:
    intake.script = [(401, {"error": "unknown token"})] * 3
    clock = Clock()
    box = Outbox(tmp_path / "state", clock=clock, sleep=clock.sleep)
    box.enqueue(b"report")
    result = box.flush(_settings(intake, tmp_path))
    assert result.queued and "refused the token" in (result.problem or "") and "unknown token" in (result.problem or "")


def test_an_untrusted_certificate_is_never_sent_to(intake: Intake, tmp_path: Path) -> None:
    clock = Clock()
    box = Outbox(tmp_path / "state", clock=clock, sleep=clock.sleep)
    box.enqueue(b"report")
    result = box.flush(SubmitSettings(intake.url, None, _token(tmp_path), 5.0))  # the system store does not know the test CA
    assert result.queued and "TLS verification" in (result.problem or "") and intake.received == []


def test_a_token_file_others_can_read_is_refused(intake: Intake, tmp_path: Path) -> None:
    box = Outbox(tmp_path / "state")
    box.enqueue(b"report")
    settings = _settings(intake, tmp_path)
    settings.token_file.chmod(0o644)  # type: ignore[union-attr]
    with pytest.raises(AgentError, match="too open"):
        box.flush(settings)
    assert len(box.pending()) == 1 and intake.received == []


@pytest.mark.parametrize(
    "value, words",
    [
        ("http://intake.example/api", "not an https URL"),
        ("https://user:pw@intake.example/api", "token_file"),
        ({"url": "https://i.example/", "proxy": "x"}, "unknown setting"),
        ({"url": "https://i.example/", "timeout_s": 0}, "timeout_s"),
        ("https://i.example/a b", "not an https URL"),
    ],
)
def test_bad_submit_settings_are_named(value: object, words: str) -> None:
    with pytest.raises(UsageError, match=words):
        parse_submit(value, "config.json: submit", Path("."))


def test_scan_submit_sends_the_signed_report_and_keeps_it_on_disk(intake: Intake, tmp_path: Path) -> None:
    from tests.hosts import HOSTS_DIR

    env = {**os.environ, "RISKAGENT_KEY_PASSPHRASE": "fixture passphrase"}
    cli = [sys.executable, "-m", "agent.cli"]
    assert subprocess.run([*cli, "keys", "generate", "--key", str(tmp_path / "k.key")], env=env, capture_output=True, check=False).returncode == 0
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"submit": {"url": intake.url, "ca_file": str(intake.pair.ca_cert), "token_file": str(_token(tmp_path))}}))
    res = subprocess.run(
        [*cli, "scan", "--config", str(config), "--replay", str(HOSTS_DIR / "debian-hardened"), "--key", str(tmp_path / "k.key"),
         "--out", str(tmp_path / "out"), "--state-dir", str(tmp_path / "state"), "-q"],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert "sent " in res.stdout and "intake record 1" in res.stdout
    assert intake.received[0][1] == (tmp_path / "out" / "report.dsse.json").read_bytes()
    unsigned = subprocess.run(
        [*cli, "scan", "--config", str(config), "--replay", str(HOSTS_DIR / "debian-hardened"), "--no-sign", "--out", str(tmp_path / "o2"), "-q"],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert unsigned.returncode == 2 and "signed reports only" in unsigned.stderr and not (tmp_path / "o2").exists()


def test_scheduled_runs_lose_nothing_while_the_intake_is_down(intake: Intake, tmp_path: Path) -> None:
    from agent import schedule
    from agent.keys import generate_key
    from agent.settings import load_settings
    from tests.hosts import HOSTS_DIR

    generate_key(tmp_path / "k.key", b"fixture passphrase")
    pw = tmp_path / "pw"
    pw.write_text("fixture passphrase\n")
    pw.chmod(0o600)
    assert intake.pair.ca_cert is not None
    submit = {"url": intake.url, "ca_file": str(intake.pair.ca_cert), "token_file": str(_token(tmp_path))}
    config = {
        "key": str(tmp_path / "k.key"),
        "passphrase_file": str(pw),
        "replay": str(HOSTS_DIR / "debian-hardened"),
        "out_dir": str(tmp_path / "reports"),
        "state_dir": str(tmp_path / "state"),
        "submit": submit,
    }
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    logged: List[str] = []
    intake.script = [(503, {"error": "down for maintenance"})] * 3  # the first run: every attempt fails
    assert schedule.run_scheduled(load_settings(path), renice=0, log=logged.append) == 0
    assert any("1 report(s) queued for the intake" in line and "503" in line for line in logged), logged
    assert len(Outbox(tmp_path / "state").pending()) == 1
    assert schedule.run_scheduled(load_settings(path), renice=0, log=logged.append) == 0  # the next night: both go
    assert Outbox(tmp_path / "state").pending() == []
    delivered = [body for _, body in intake.received if body]
    assert len(set(delivered)) == 2 and all(b.startswith(b'{"payload":') for b in delivered)
