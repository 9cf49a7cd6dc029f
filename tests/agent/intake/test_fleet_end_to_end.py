"""The whole loop on loopback: three agents (recorded hosts, each with its own key, token and state directory) push
their signed reports to a real ``riskagent serve``; the intake is stopped in the middle and one agent's report waits
in its outbox until the intake is back; a forged report is rejected with its reason and listed for its applicant; a
missed check-in raises an alert after the configured grace."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, Iterator, List

import pytest
import requests

from tests.agent.intake.conftest import uscc
from tests.hosts import HOSTS_DIR
from tests.servers.certs import ca_and_leaf

RISKAGENT = [sys.executable, "-m", "agent.cli"]
PASS = "fleet passphrase"
HOSTS = {"acme": "debian-hardened", "beta": "debian-weak", "gamma": "openeuler-server"}


def cli(*args: str, env: Dict[str, str] | None = None, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "RISKAGENT_KEY_PASSPHRASE": PASS, **(env or {})}
    return subprocess.run([*RISKAGENT, *args], capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL, env=full, timeout=timeout)


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


class Intake:
    def __init__(self, d: Path, trust: Path) -> None:
        self.d, self.trust = d, trust
        self.url = f"sqlite:///{d / 'intake.db'}"
        self.pair = ca_and_leaf(d / "tls")
        with __import__("socket").socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"https://localhost:{self.port}"

    def start(self) -> None:
        log = (self.d / "serve.log").open("ab")
        self.proc = subprocess.Popen(
            [*RISKAGENT, "serve", "--db", self.url, "--trust", str(self.trust), "--cert", str(self.pair.cert), "--key", str(self.pair.key),
             "--listen", f"127.0.0.1:{self.port}", "--workers", "1", "--monitor-every", "0", "--quiet"],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 90
        while True:
            try:
                if requests.get(f"{self.base}/healthz", verify=str(self.pair.ca_cert), timeout=5).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            assert self.proc.poll() is None and time.monotonic() < deadline, (self.d / "serve.log").read_text(errors="replace")
            time.sleep(0.2)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(30)
        self.proc = None


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dict[str, object]]:
    d = tmp_path_factory.mktemp("fleet")
    trust = d / "trust.json"
    agents: Dict[str, Dict[str, Path]] = {}
    orgs: Dict[str, str] = {}
    for i, name in enumerate(HOSTS):
        a = d / name
        a.mkdir()
        ok(cli("keys", "generate", "--key", str(a / "signing.key")))
        org = uscc(f"9144030070846{i:03d}A"[:17])
        entry = ok(cli("keys", "identity", "--key", str(a / "signing.pub"), "--name", f"{name} Ltd", "--role", "applicant", "--org-id", org, "--target", "*"))
        (a / "entry.json").write_text(entry)
        ok(cli("trust", "add", str(a / "entry.json"), "--store", str(trust)))
        agents[name] = {"dir": a}
        orgs[name] = org
    intake = Intake(d, trust)
    ok(cli("serve", "db", "upgrade", "--db", intake.url))
    for name, agent in agents.items():
        token = ok(cli("serve", "token", "add", name, "--org-id", orgs[name], "--db", intake.url)).strip()
        (agent["dir"] / "token").write_text(token + "\n")
        (agent["dir"] / "token").chmod(0o600)
        config = {"submit": {"url": f"{intake.base}/api/v1/reports", "ca_file": str(intake.pair.ca_cert), "token_file": str(agent["dir"] / "token")}}
        (agent["dir"] / "config.json").write_text(json.dumps(config))
    intake.start()
    try:
        yield {"intake": intake, "agents": agents, "dir": d}
    finally:
        intake.stop()


def scan(agent: Dict[str, Path], host: str) -> subprocess.CompletedProcess[str]:
    a = agent["dir"]
    return cli("scan", "--config", str(a / "config.json"), "--replay", str(HOSTS_DIR / host), "--key", str(a / "signing.key"),
               "--state-dir", str(a / "state"), "--out", str(a / "out"), "-q")  # fmt: skip


def records(intake: Intake, agent: Dict[str, Path]) -> List[Dict[str, object]]:
    token = (agent["dir"] / "token").read_text().strip()
    reply = requests.get(f"{intake.base}/api/v1/reports", headers={"Authorization": f"Bearer {token}"}, verify=str(intake.pair.ca_cert), timeout=30)
    assert reply.status_code == 200, reply.text
    body = reply.json()
    return list(body["reports"] if isinstance(body, dict) else body)


def test_three_agents_push_and_a_restart_in_the_middle_loses_nothing(fleet: Dict[str, object]) -> None:
    intake: Intake = fleet["intake"]  # type: ignore[assignment]
    agents: Dict[str, Dict[str, Path]] = fleet["agents"]  # type: ignore[assignment]
    first = scan(agents["acme"], HOSTS["acme"])
    assert first.returncode == 0 and "sent " in first.stdout, first.stdout + first.stderr
    intake.stop()  # the intake goes down
    while_down = scan(agents["beta"], HOSTS["beta"])
    assert while_down.returncode == 0, while_down.stderr  # the report is written locally whatever happens
    assert "queued for the intake" in while_down.stdout and (agents["beta"]["dir"] / "out" / "report.dsse.json").is_file()
    queued = list((agents["beta"]["dir"] / "state" / "outbox").glob("*.dsse.json"))
    assert len(queued) == 1
    intake.start()  # back: the outbox resends (here on demand; a scheduled run does it at its next run)
    flushed = cli("outbox", "flush", "--config", str(agents["beta"]["dir"] / "config.json"), "--state-dir", str(agents["beta"]["dir"] / "state"))
    assert flushed.returncode == 0 and "sent " in flushed.stdout, flushed.stdout + flushed.stderr
    assert not list((agents["beta"]["dir"] / "state" / "outbox").glob("*.dsse.json"))
    third = scan(agents["gamma"], HOSTS["gamma"])
    assert third.returncode == 0 and "sent " in third.stdout, third.stdout + third.stderr
    for name in HOSTS:
        got = records(intake, agents[name])
        assert len(got) == 1 and got[0]["status"] == "accepted", (name, got)
    # The delivered envelope is the one written locally, byte for byte.
    token = (agents["beta"]["dir"] / "token").read_text().strip()
    rid = records(intake, agents["beta"])[0]["id"]
    raw = requests.get(f"{intake.base}/api/v1/reports/{rid}/envelope", headers={"Authorization": f"Bearer {token}"}, verify=str(intake.pair.ca_cert), timeout=30)
    assert raw.content == (agents["beta"]["dir"] / "out" / "report.dsse.json").read_bytes()


def test_a_forged_report_is_rejected_with_its_reason_and_listed_for_its_applicant(fleet: Dict[str, object]) -> None:
    import base64

    intake: Intake = fleet["intake"]  # type: ignore[assignment]
    agents: Dict[str, Dict[str, Path]] = fleet["agents"]  # type: ignore[assignment]
    a = agents["beta"]  # the weak host: it has failed findings to drop
    if not (a["dir"] / "out" / "report.dsse.json").is_file():
        assert scan(a, HOSTS["beta"]).returncode == 0
    # The applicant drops its failed findings and re-signs with its own key (the DSSE signature is then valid).
    from agent.keys import load_signer
    from report.envelope import parse_envelope, read_statement

    env = parse_envelope((a["dir"] / "out" / "report.dsse.json").read_bytes())
    report = read_statement(env.payload)
    from tests.hosts import edited

    forged = edited(report, lambda data: data.update(findings=[f for f in data["findings"] if f["status"] != "fail"]))
    assert len(forged.findings) < len(report.findings)
    os.environ["RISKAGENT_KEY_PASSPHRASE"] = PASS
    try:
        envelope = load_signer(a["dir"] / "signing.key", None, None).sign(forged)
    finally:
        del os.environ["RISKAGENT_KEY_PASSPHRASE"]
    assert base64.b64decode(json.loads(envelope)["payload"])  # a well-formed, validly signed envelope
    token = (a["dir"] / "token").read_text().strip()
    reply = requests.post(f"{intake.base}/api/v1/reports", data=envelope, headers={"Authorization": f"Bearer {token}"}, verify=str(intake.pair.ca_cert), timeout=60)
    assert reply.status_code in (200, 201, 422), reply.text
    body = reply.json()
    assert body["status"] == "rejected" and "does not follow from its evidence" in json.dumps(body), body
    listed = [r for r in records(intake, a) if r["status"] == "rejected"]
    assert listed and "does not follow from its evidence" in json.dumps(listed[0])


def test_a_missed_checkin_raises_an_alert_after_the_grace(fleet: Dict[str, object]) -> None:
    intake: Intake = fleet["intake"]  # type: ignore[assignment]
    agents: Dict[str, Dict[str, Path]] = fleet["agents"]  # type: ignore[assignment]
    trust = str(fleet["dir"] / "trust.json")  # type: ignore[operator]
    for name in HOSTS:
        if not records(intake, agents[name]):
            assert scan(agents[name], HOSTS[name]).returncode == 0
    early = ok(cli("serve", "alerts", "run", "--db", intake.url, "--trust", trust, "--checkin-interval", "1h", "--checkin-grace", "1h"))
    assert early.startswith("raised 0 alert(s)"), early  # within interval + grace: nothing
    time.sleep(2.5)
    late = ok(cli("serve", "alerts", "run", "--db", intake.url, "--trust", trust, "--checkin-interval", "1s", "--checkin-grace", "1s"))
    assert late.startswith("raised ") and not late.startswith("raised 0 "), late
