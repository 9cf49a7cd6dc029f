"""The Ansible role (ansible/site.yml, ansible/roles/riskagent) rolls riskagent out to two hosts and back.

The hosts are this machine twice: ``localhost`` (``ansible_connection=local``) and ``loop``, reached
over ssh through a second sshd on a loopback port. Each has its own prefix, key, configuration,
state and schedule directory under the test's temporary directory, so they never collide and the
machine's /opt, /etc and cron are left alone. localhost installs the controller's wheel, takes its
key passphrase from a variable and gets a cron entry; loop installs from a package index (a PEP 503
directory of the same wheel and its dependencies, as an offline mirror would serve them), generates
its passphrase and gets a systemd service and timer (written, not enabled: no systemd runs here).

The playbook runs twice (the second run changes nothing), then with ``--tags assess`` while the
insurer's intake (``riskagent serve``) listens on loopback with the trust store the role filled:
each host's run is submitted, and the fetched envelope verifies with the fetched public key.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest

from tests.ansible import loopback_sshd
from tests.servers.certs import ca_and_leaf
from tests.servers.mosquitto import free_port

REPO = Path(__file__).resolve().parents[2]
ANSIBLE = REPO / "ansible"
BIN = Path(sys.executable).parent
RISKAGENT = BIN / "riskagent"
ORG_ID = "91310000MA1K000006"  # a valid 统一社会信用代码 (check character included)
APPLICANT = "acme"
HOSTS = ("localhost", "loop")
RECAP = re.compile(
    r"^(?P<host>\S+)\s+:\s+ok=(?P<ok>\d+)\s+changed=(?P<changed>\d+)\s+unreachable=(?P<unreachable>\d+)\s+"
    r"failed=(?P<failed>\d+)\s+skipped=(?P<skipped>\d+)\s+rescued=(?P<rescued>\d+)\s+ignored=(?P<ignored>\d+)",
    re.MULTILINE,
)

pytestmark = pytest.mark.needs_root


# ------------------------------------------------------------------------------------------ helpers


@dataclass(frozen=True)
class Run:
    """One ansible-playbook run: its output and the PLAY RECAP per host."""

    args: List[str]
    returncode: int
    output: str
    recap: Dict[str, Dict[str, int]]
    seconds: float

    def tail(self) -> str:
        return self.output[-6000:]


def recap_of(output: str) -> Dict[str, Dict[str, int]]:
    """The PLAY RECAP counters of each host."""
    _, sep, tail = output.rpartition("PLAY RECAP")
    assert sep, f"no PLAY RECAP in the output:\n{output[-4000:]}"
    return {m["host"]: {k: int(v) for k, v in m.groupdict().items() if k != "host"} for m in RECAP.finditer(tail)}


def test_recap_parser_reads_every_host_and_counter() -> None:
    out = (
        "TASK [x] ***\nok: [loop]\n\nPLAY RECAP *********\n"
        "localhost                  : ok=26   changed=15   unreachable=0    failed=0    skipped=5    rescued=0    ignored=0   \n"
        "loop                       : ok=3    changed=0    unreachable=1    failed=2    skipped=0    rescued=1    ignored=4\n"
    )
    assert recap_of(out) == {
        "localhost": {"ok": 26, "changed": 15, "unreachable": 0, "failed": 0, "skipped": 5, "rescued": 0, "ignored": 0},
        "loop": {"ok": 3, "changed": 0, "unreachable": 1, "failed": 2, "skipped": 0, "rescued": 1, "ignored": 4},
    }


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


@dataclass(frozen=True)
class Host:
    """Where the role puts one host's files (all under the test's temporary directory)."""

    name: str
    root: Path

    @property
    def prefix(self) -> Path:
        return self.root / "opt"

    @property
    def config_dir(self) -> Path:
        return self.root / "etc"

    @property
    def state_dir(self) -> Path:
        return self.root / "state"

    @property
    def schedule_dir(self) -> Path:
        return self.root / "schedule"

    def vars(self) -> Dict[str, Any]:
        return {
            "riskagent_prefix": str(self.prefix),
            "riskagent_config_dir": str(self.config_dir),
            "riskagent_state_dir": str(self.state_dir),
            "riskagent_cron_dir": str(self.schedule_dir),
            "riskagent_systemd_dir": str(self.schedule_dir),
        }


@dataclass
class Fleet:
    """The controller's side of the rollout, and what each stage left on the hosts."""

    work: Path
    hosts: Dict[str, Host]
    controller: Path
    trust_store: Path
    wheel: Path
    intake_url: str
    intake_ca: Path
    token: str
    runs: Dict[str, Run] = field(default_factory=dict)
    key_digests: Dict[str, Dict[str, str]] = field(default_factory=dict)
    intake_reports: List[Dict[str, Any]] = field(default_factory=list)


def _env(work: Path) -> Dict[str, str]:
    """ansible-playbook confined to the test's directory: its home, temporary files and configuration."""
    home = work / "ansible-home"
    home.mkdir(exist_ok=True)
    config = work / "ansible.cfg"
    config.write_text("[defaults]\n", encoding="ascii")
    env = dict(os.environ)
    env.update(
        ANSIBLE_CONFIG=str(config),
        ANSIBLE_HOME=str(home),
        ANSIBLE_LOCAL_TEMP=str(work / "ansible-local"),
        ANSIBLE_REMOTE_TEMP=str(work / "ansible-remote"),
        # A unix socket path must stay short: a directory of its own right under the session directory.
        ANSIBLE_SSH_CONTROL_PATH_DIR=tempfile.mkdtemp(prefix="cp"),
        ANSIBLE_RETRY_FILES_ENABLED="false",
        ANSIBLE_PIPELINING="true",  # one ssh command per task (README recommends it for fleets too)
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_FORCE_COLOR="0",
        ANSIBLE_STDOUT_CALLBACK="default",
        ANSIBLE_ROLES_PATH=str(ANSIBLE / "roles"),
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
    )
    return env


def playbook(fleet: Fleet, inventory: Path, *extra: str) -> Run:
    args = [str(BIN / "ansible-playbook"), "-i", str(inventory), str(ANSIBLE / "site.yml"), *extra]
    started = time.monotonic()
    proc = subprocess.run(
        args, cwd=fleet.work, env=_env(fleet.work), capture_output=True, text=True, timeout=900, check=False
    )
    output = proc.stdout + proc.stderr
    return Run(args, proc.returncode, output, recap_of(output), time.monotonic() - started)


# ------------------------------------------------------------------------------------------ fixtures


@pytest.fixture(scope="session")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """ansible/build-wheel.sh's wheel, and a PEP 503 index of it and its dependencies (built once)."""
    out = tmp_path_factory.mktemp("wheelhouse")
    built = subprocess.run(
        [str(ANSIBLE / "build-wheel.sh"), str(out / "dist")],
        env={**os.environ, "PYTHON": sys.executable},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert built.returncode == 0, built.stderr[-4000:]
    wheel = Path(built.stdout.strip().splitlines()[-1])
    assert wheel.parent == out / "dist" and wheel.name.startswith("riskagent-") and wheel.suffix == ".whl", built.stdout
    files = out / "files"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--disable-pip-version-check", "--wheel-dir", str(files), str(wheel)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    simple = out / "simple"
    for whl in sorted(files.glob("*.whl")):
        project = re.sub(r"[-_.]+", "-", whl.name.split("-")[0]).lower()
        (simple / project).mkdir(parents=True, exist_ok=True)
        with (simple / project / "index.html").open("a", encoding="utf-8") as fh:
            fh.write(f'<a href="{whl.as_uri()}#sha256={sha256(whl)}">{whl.name}</a>\n')
    return wheel


@pytest.fixture(scope="session")
def sshd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[loopback_sshd.LoopbackSshd]:
    if os.geteuid() != 0:
        pytest.skip("the second sshd runs as root and Ansible logs in to it as root (run the tests as root, as CI does)")
    yield from loopback_sshd.start(tmp_path_factory.mktemp("sshd"))


def _inventory(fleet: Fleet, sshd: loopback_sshd.LoopbackSshd, wheel: Path) -> Path:
    """localhost (local connection) and loop (ssh to the second sshd), each with its own directories, both
    submitting to the intake."""
    local, loop = fleet.hosts["localhost"], fleet.hosts["loop"]
    index = wheel.parent.parent / "simple"
    common: Dict[str, Any] = {
        "ansible_become": False,  # the tests run as root; the machine has no sudo
        # The system's Python, as on a managed host (discovery may pick a version manager's shim instead).
        "ansible_python_interpreter": "/usr/bin/python3",
        "riskagent_identity_name": "Acme Manufacturing Co.",
        "riskagent_identity_org_id": ORG_ID,
        "riskagent_controller_dir": str(fleet.controller),
        "riskagent_trust_store": str(fleet.trust_store),
        "riskagent_controller_command": str(RISKAGENT),
        "riskagent_lang": "en",
        "riskagent_config_extra": {"schedule": {"retention": 5}, "budgets": {"scan_s": 600}},
    }
    hosts: Dict[str, Dict[str, Any]] = {
        "localhost": {
            **local.vars(),
            "ansible_connection": "local",
            "riskagent_wheel": str(wheel),
            "riskagent_pip_args": ["--index-url", index.as_uri()],  # the dependencies, without the network
            "riskagent_key_passphrase": "correct horse battery staple",
            "riskagent_schedule_kind": "cron",
            "riskagent_schedule_at": "04:05",
        },
        "loop": {
            **loop.vars(),
            "ansible_host": "127.0.0.1",
            "ansible_port": sshd.port,
            "ansible_user": "root",
            "ansible_ssh_private_key_file": str(sshd.client_key),
            "ansible_ssh_common_args": " ".join(sshd.ssh_args()),
            "riskagent_index_url": index.as_uri(),
            "riskagent_version": wheel.name.split("-")[1],
            "riskagent_schedule_kind": "systemd",
            "riskagent_schedule_calendar": "Mon..Fri *-*-* 02:30:00",
            "riskagent_systemd_enable": False,
        },
    }
    for name, host in fleet.hosts.items():
        hosts[name].update(
            riskagent_submit_url=fleet.intake_url,
            riskagent_submit_ca_src=str(fleet.intake_ca),
            riskagent_submit_ca_file=str(host.config_dir / "intake-ca.pem"),
            riskagent_submit_token=fleet.token,
        )
    path = fleet.work / "inventory.yml"
    path.write_text(json.dumps({"all": {"children": {"riskagent": {"hosts": hosts, "vars": common}}}}, indent=2))
    return path


def _key_digests(fleet: Fleet) -> Dict[str, str]:
    return {name: sha256(h.config_dir / "signing.key") + sha256(h.config_dir / "passphrase") for name, h in fleet.hosts.items()}


class Intake:
    """``riskagent serve`` on loopback with SQLite, TLS from a private CA, and one applicant token."""

    def __init__(self, work: Path) -> None:
        self.work = work
        self.db = f"sqlite:///{work / 'intake.db'}"
        self.tls = ca_and_leaf(work / "tls", "localhost")
        assert self.tls.ca_cert is not None
        self.ca = self.tls.ca_cert
        self.port = free_port()
        self.url = f"https://localhost:{self.port}/api/v1/reports"
        self.home = work / "home"  # gunicorn keeps a control socket under $HOME
        self.home.mkdir()
        self.env = {**os.environ, "HOME": str(self.home)}
        self._cli("serve", "db", "upgrade", "--db", self.db)
        self.token = self._cli("serve", "token", "add", APPLICANT, "--db", self.db, "--org-id", ORG_ID).strip()
        self.proc: subprocess.Popen[bytes] | None = None

    def _cli(self, *args: str) -> str:
        done = subprocess.run([str(RISKAGENT), *args], env=self.env, capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, f"riskagent {' '.join(args)}: {done.stderr}"
        return done.stdout

    def start(self, trust_store: Path) -> None:
        log = (self.work / "serve.log").open("wb")
        self.proc = subprocess.Popen(
            [str(RISKAGENT), "serve", "--db", self.db, "--trust", str(trust_store), "--cert", str(self.tls.cert),
             "--key", str(self.tls.key), "--listen", f"127.0.0.1:{self.port}", "--workers", "1", "--monitor-every", "0"],
            env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        log.close()
        import requests

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, (self.work / "serve.log").read_text(errors="replace")[-3000:]
            try:
                if requests.get(f"https://localhost:{self.port}/healthz", verify=str(self.ca), timeout=2).ok:
                    return
            except requests.RequestException:
                time.sleep(0.2)
        raise AssertionError("the intake did not start: " + (self.work / "serve.log").read_text(errors="replace")[-3000:])

    def reports(self) -> List[Dict[str, Any]]:
        import requests

        answer = requests.get(self.url, headers={"Authorization": f"Bearer {self.token}"}, verify=str(self.ca), timeout=10)
        assert answer.status_code == 200, answer.text
        reports: List[Dict[str, Any]] = answer.json()["reports"]
        return reports

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, 15)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, 9)
                self.proc.wait()


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory, sshd: loopback_sshd.LoopbackSshd, wheelhouse: Path) -> Iterator[Fleet]:
    """Roll out (twice), then assess on demand with the intake listening; every stage's results kept."""
    work = tmp_path_factory.mktemp("fleet")
    intake = Intake(work / "intake")
    fleet = Fleet(
        work=work,
        hosts={name: Host(name, work / "hosts" / name) for name in HOSTS},
        controller=work / "controller",
        trust_store=work / "controller" / "trust.json",
        wheel=wheelhouse,
        intake_url=intake.url,
        intake_ca=intake.ca,
        token=intake.token,
    )
    inventory = _inventory(fleet, sshd, wheelhouse)
    try:
        for stage in ("first", "second"):
            fleet.runs[stage] = playbook(fleet, inventory)
            assert fleet.runs[stage].returncode == 0, fleet.runs[stage].tail()
            fleet.key_digests[stage] = _key_digests(fleet)
        intake.start(fleet.trust_store)  # the trust store holds the identities the first run enrolled
        fleet.runs["assess"] = playbook(fleet, inventory, "--tags", "assess")
        assert fleet.runs["assess"].returncode == 0, fleet.runs["assess"].tail()
        fleet.intake_reports = intake.reports()
        print("ansible-playbook seconds:", {stage: round(run.seconds, 1) for stage, run in fleet.runs.items()})
        yield fleet
    finally:
        intake.stop()


# ------------------------------------------------------------------------------------------ install, key, schedule


def test_first_run_installs_keys_and_schedules_both_hosts(fleet: Fleet) -> None:
    recap = fleet.runs["first"].recap
    assert set(recap) == set(HOSTS), fleet.runs["first"].tail()
    for name in HOSTS:
        assert recap[name]["failed"] == 0 and recap[name]["unreachable"] == 0, fleet.runs["first"].tail()
        assert recap[name]["changed"] > 0, recap
    version = fleet.wheel.name.split("-")[1]
    for host in fleet.hosts.values():
        shown = subprocess.run([str(host.prefix / "bin" / "riskagent"), "--version"], capture_output=True, text=True, check=True)
        assert shown.stdout.strip().endswith(version), (host.name, shown.stdout)


def test_second_run_changes_nothing(fleet: Fleet) -> None:
    run = fleet.runs["second"]
    assert {name: (c["changed"], c["failed"], c["unreachable"]) for name, c in run.recap.items()} == {
        name: (0, 0, 0) for name in HOSTS
    }, run.tail()
    assert fleet.key_digests["second"] == fleet.key_digests["first"]  # the key and its passphrase were kept


def test_keys_are_private_and_their_identities_are_on_the_controller(fleet: Fleet) -> None:
    from report.trust import load_trust_store

    keyids = set()
    for name, host in fleet.hosts.items():
        assert mode(host.config_dir) == 0o700
        assert mode(host.config_dir / "signing.key") == 0o600
        assert mode(host.config_dir / "passphrase") == 0o600
        fetched = fleet.controller / "identities" / name
        assert (fetched / "signing.pub").read_bytes() == (host.config_dir / "signing.pub").read_bytes()
        identity = json.loads((fetched / "identity.json").read_text(encoding="utf-8"))
        assert identity["role"] == "applicant" and identity["organisation_id"] == ORG_ID
        assert identity["name"] == "Acme Manufacturing Co."
        keyids.add(identity["keyid"])
    # The passphrase of localhost came from the variable; loop's was generated on the host.
    assert (fleet.hosts["localhost"].config_dir / "passphrase").read_text() == "correct horse battery staple"
    assert len((fleet.hosts["loop"].config_dir / "passphrase").read_text().strip()) >= 32
    assert len(keyids) == 2
    store = load_trust_store(fleet.trust_store)
    assert set(store) == keyids  # both enrolled, once each (the second run added nothing)


def test_configuration_names_the_intake(fleet: Fleet) -> None:
    from agent.settings import load_settings

    for host in fleet.hosts.values():
        config = host.config_dir / "config.json"
        assert mode(config) == 0o600
        assert json.loads(config.read_text(encoding="utf-8")) == {
            "profile": "server",
            "lang": "en",
            "key": str(host.config_dir / "signing.key"),
            "passphrase_file": str(host.config_dir / "passphrase"),
            "state_dir": str(host.state_dir),
            "schedule": {"retention": 5},
            "budgets": {"scan_s": 600},
            "submit": {
                "url": fleet.intake_url,
                "ca_file": str(host.config_dir / "intake-ca.pem"),
                "token_file": str(host.config_dir / "intake.token"),
            },
        }
        token = host.config_dir / "intake.token"
        assert mode(token) == 0o600 and token.read_text() == fleet.token + "\n"
        assert (host.config_dir / "intake-ca.pem").read_bytes() == fleet.intake_ca.read_bytes()
        settings = load_settings(config)  # what a scheduled run reads
        assert settings.submit is not None and settings.submit.url == fleet.intake_url


def test_schedules_are_riskagents_own_files(fleet: Fleet) -> None:
    from agent import schedule

    local, loop = fleet.hosts["localhost"], fleet.hosts["loop"]
    cron = schedule.cron_file(local.prefix / "bin" / "riskagent", local.config_dir / "config.json", at="04:05", calendar=None)
    assert sorted(p.name for p in local.schedule_dir.iterdir()) == [schedule.CRON_NAME]
    assert (local.schedule_dir / schedule.CRON_NAME).read_text() == cron.content
    units = schedule.systemd_files(loop.prefix / "bin" / "riskagent", loop.config_dir / "config.json", at=None, calendar="Mon..Fri *-*-* 02:30:00")
    assert sorted(p.name for p in loop.schedule_dir.iterdir()) == sorted(str(u.path) for u in units)
    for unit in units:
        assert (loop.schedule_dir / unit.path).read_text() == unit.content


def test_an_existing_key_is_kept_and_its_passphrase_never_guessed(fleet: Fleet) -> None:
    """A key made before the role came (and no passphrase file): the role stops rather than pair it with a new
    passphrase, and with the right passphrase it adopts the key as it is."""
    existing = fleet.work / "existing-key"
    existing.mkdir(mode=0o700)
    subprocess.run(
        [str(RISKAGENT), "keys", "generate", "--key", str(existing / "signing.key")],
        env={**os.environ, "RISKAGENT_KEY_PASSPHRASE": "the old passphrase"},
        capture_output=True,
        check=True,
    )
    before = sha256(existing / "signing.key")
    inventory = fleet.work / "inventory.yml"
    where = {"riskagent_config_dir": str(existing), "riskagent_controller_dir": str(fleet.work / "adopted"), "riskagent_trust_store": ""}
    refused = playbook(fleet, inventory, "--limit", "localhost", "--tags", "key", "-e", json.dumps({**where, "riskagent_key_passphrase": ""}))
    assert refused.returncode != 0 and refused.recap["localhost"]["failed"] == 1, refused.tail()
    assert "a new passphrase would not open it" in refused.output
    assert not (existing / "passphrase").exists() and sha256(existing / "signing.key") == before

    adopted = playbook(fleet, inventory, "--limit", "localhost", "--tags", "key", "-e", json.dumps({**where, "riskagent_key_passphrase": "the old passphrase"}))
    assert adopted.returncode == 0, adopted.tail()
    assert sha256(existing / "signing.key") == before
    assert (existing / "passphrase").read_text() == "the old passphrase"
    assert (fleet.work / "adopted" / "identities" / "localhost" / "signing.pub").read_bytes() == (existing / "signing.pub").read_bytes()


# ------------------------------------------------------------------------------------------ on demand


def _fetched(fleet: Fleet, name: str) -> Path:
    runs = sorted((fleet.controller / "reports" / name).iterdir())
    assert len(runs) == 1, runs
    return runs[0]


def test_assess_tag_fetches_reports_that_verify_with_the_fetched_key(fleet: Fleet) -> None:
    run = fleet.runs["assess"]
    for name in HOSTS:
        assert run.recap[name]["failed"] == 0 and run.recap[name]["changed"] > 0, run.tail()
        fetched = _fetched(fleet, name)
        assert sorted(p.name for p in fetched.iterdir()) == ["report.dsse.json", "report.html"]
        on_host = fleet.hosts[name].state_dir / "reports" / fetched.name / "report.dsse.json"
        assert sha256(fetched / "report.dsse.json") == sha256(on_host)
        for trust in (["--key", str(fleet.controller / "identities" / name / "signing.pub")], ["--trust", str(fleet.trust_store)]):
            verified = subprocess.run(
                [str(RISKAGENT), "verify", str(fetched / "report.dsse.json"), *trust], capture_output=True, text=True, check=False
            )
            assert verified.returncode in (0, 4), verified.stdout + verified.stderr


def test_assess_tag_submits_each_report_to_the_intake(fleet: Fleet) -> None:
    sent = {r["envelope_sha256"]: r for r in fleet.intake_reports}
    for name in HOSTS:
        digest = sha256(_fetched(fleet, name) / "report.dsse.json")
        assert digest in sent, (name, fleet.intake_reports)
        assert sent[digest]["accepted"], sent[digest]
    assert len(fleet.intake_reports) == 2
    assert "intake record" in fleet.runs["assess"].output  # the role shows what the intake answered


def test_assess_is_not_part_of_a_normal_run(fleet: Fleet) -> None:
    for stage in ("first", "second"):
        assert "Assess now" not in fleet.runs[stage].output
    for host in fleet.hosts.values():
        assert [p.name for p in (host.state_dir / "reports").iterdir()] == [_fetched(fleet, host.name).name]
