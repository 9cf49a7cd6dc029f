"""Scheduled mode: schedule files in their directories, and the locked, niced, rotating scheduled run."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any, Dict, List

import pytest
from click.testing import CliRunner

from agent import history, schedule
from agent.cli import main
from agent.cli_history import run_scheduled_cmd, schedule_cmd
from agent.errors import UsageError
from agent.keys import PASSPHRASE_ENV, generate_key, public_path_for
from agent.settings import load_settings
from checks.model import Severity
from report.model import Report
from tests.factories import make_finding
from tests.hosts import HOSTS_DIR, fixture_report

REPO = Path(__file__).resolve().parents[2]
PASSPHRASE = b"scheduled-passphrase"


# ---------------------------------------------------------------- schedule files


def test_cron_install_show_remove(tmp_path: Path) -> None:
    runner = CliRunner()
    base = ["--kind", "cron", "--cron-dir", str(tmp_path)]
    args = [*base, "--at", "3:17", "--command", "/usr/local/bin/riskagent", "--config", "/etc/riskagent/config.json"]
    first = runner.invoke(schedule_cmd, ["install", *args])
    assert first.exit_code == 0, first.output
    entry = tmp_path / "riskagent"
    text = entry.read_text()
    assert text.startswith(schedule.MARKER + "\n")
    assert "17 3 * * * root /usr/local/bin/riskagent run-scheduled --config /etc/riskagent/config.json\n" in text
    assert "CRON_TZ" not in text and text.endswith("\n")
    assert entry.stat().st_mode & 0o777 == 0o644
    again = runner.invoke(schedule_cmd, ["install", *args])
    assert again.exit_code == 0 and f"unchanged {entry}" in again.output
    shown = runner.invoke(schedule_cmd, ["show", *base])
    assert "17 3 * * * root" in shown.output and "(riskagent)" in shown.output
    gone = runner.invoke(schedule_cmd, ["remove", *base])
    assert gone.exit_code == 0 and f"removed {entry}" in gone.output and not entry.exists()
    assert "no schedule installed" in runner.invoke(schedule_cmd, ["show", *base]).output


def test_cron_calendar_is_validated(tmp_path: Path) -> None:
    runner = CliRunner()
    base = ["install", "--kind", "cron", "--cron-dir", str(tmp_path), "--command", "/usr/bin/riskagent"]
    ok = runner.invoke(schedule_cmd, [*base, "--calendar", "0 2 * * mon-fri"])
    assert ok.exit_code == 0, ok.output
    assert "0 2 * * mon-fri root /usr/bin/riskagent run-scheduled" in (tmp_path / "riskagent").read_text()
    for bad in ("61 2 * * *", "0 2 * *", "0 2 * * funday", "*/0 * * * *"):
        res = runner.invoke(schedule_cmd, [*base, "--calendar", bad])
        assert res.exit_code == 2 and "riskagent: error: --calendar" in res.output, bad
    res = runner.invoke(schedule_cmd, [*base, "--at", "24:00"])
    assert res.exit_code == 2 and "HH:MM" in res.output
    res = runner.invoke(schedule_cmd, [*base, "--config", "relative/config.json"])
    assert res.exit_code == 2 and "absolute path" in res.output


def test_systemd_install_show_remove(tmp_path: Path) -> None:
    runner = CliRunner()
    base = ["--kind", "systemd", "--systemd-dir", str(tmp_path)]
    res = runner.invoke(schedule_cmd, ["install", *base, "--command", "/opt/ra/bin/riskagent", "--at", "04:05"])
    assert res.exit_code == 0, res.output
    service = (tmp_path / "riskagent.service").read_text()
    timer = (tmp_path / "riskagent.timer").read_text()
    assert "ExecStart=/opt/ra/bin/riskagent run-scheduled --config /etc/riskagent/config.json\n" in service
    for line in ("Type=oneshot", "Nice=10", "IOSchedulingClass=idle"):
        assert f"\n{line}\n" in service
    for line in ("OnCalendar=*-*-* 04:05:00", "Persistent=true", "Unit=riskagent.service", "WantedBy=timers.target"):
        assert f"\n{line}\n" in timer
    assert "systemctl daemon-reload" in res.output
    bad = runner.invoke(schedule_cmd, ["install", *base, "--command", "/opt/ra/bin/riskagent", "--calendar", "every day; rm"])
    assert bad.exit_code == 2 and "OnCalendar" in bad.output
    both = runner.invoke(schedule_cmd, ["install", *base, "--command", "/x/riskagent", "--calendar", "daily", "--at", "01:00"])
    assert both.exit_code == 2
    res = runner.invoke(schedule_cmd, ["remove", *base])
    assert res.exit_code == 0 and not list(tmp_path.iterdir())


def test_foreign_files_are_never_overwritten_or_removed(tmp_path: Path) -> None:
    runner = CliRunner()
    foreign = tmp_path / "riskagent.timer"
    foreign.write_text("[Timer]\nOnCalendar=hourly\n")
    base = ["--kind", "systemd", "--systemd-dir", str(tmp_path)]
    res = runner.invoke(schedule_cmd, ["install", *base, "--command", "/usr/bin/riskagent"])
    assert res.exit_code == 1 and "was not written by riskagent; refusing to overwrite it" in res.output
    assert foreign.read_text() == "[Timer]\nOnCalendar=hourly\n"
    assert not (tmp_path / "riskagent.service").exists()  # nothing half-installed
    assert "NOT written by riskagent" in runner.invoke(schedule_cmd, ["show", *base]).output
    res = runner.invoke(schedule_cmd, ["remove", *base])
    assert "not written by riskagent, kept" in res.output and foreign.exists()


# ---------------------------------------------------------------- the scheduled run


def _host_as(src: str, dest: Path, hostname: str) -> Path:
    """A copy of a fixture host recorded under another host name (same target across runs)."""
    shutil.copytree(HOSTS_DIR / src, dest, symlinks=True)
    system = json.loads((dest / "system.json").read_text())
    system["hostname"] = hostname
    (dest / "system.json").write_text(json.dumps(system))
    return dest


@pytest.fixture(scope="module")
def hosts(tmp_path_factory: pytest.TempPathFactory) -> Dict[str, Path]:
    base = tmp_path_factory.mktemp("hosts")
    return {name: _host_as(name, base / name, "acme-web") for name in ("debian-hardened", "debian-weak")}


@pytest.fixture(scope="module")
def signing_key(tmp_path_factory: pytest.TempPathFactory) -> Dict[str, Path]:
    base = tmp_path_factory.mktemp("key")
    info = generate_key(base / "signing.key", PASSPHRASE)
    pw = base / "passphrase"
    pw.write_bytes(PASSPHRASE + b"\n")
    pw.chmod(0o600)
    return {"key": info.private_path, "pub": public_path_for(info.private_path), "passphrase_file": pw}


def _config(tmp: Path, keys: Dict[str, Path], replay: Path, **schedule_settings: Any) -> Dict[str, Any]:
    return {
        "profile": "server",
        "lang": "en",
        "key": str(keys["key"]),
        "passphrase_file": str(keys["passphrase_file"]),
        "replay": str(replay),
        "out_dir": str(tmp / "reports"),
        "state_dir": str(tmp / "state"),
        "schedule": schedule_settings,
    }


def _scheduled(tmp: Path, config: Dict[str, Any]) -> int:
    """One scheduled run from a configuration file holding ``config``, as cron starts it."""
    path = tmp / "config.json"
    path.write_text(json.dumps(config))
    return schedule.run_scheduled(load_settings(path), renice=0)


def _runs(tmp: Path) -> List[Path]:
    return sorted(p for p in (tmp / "reports").iterdir() if schedule.RUN_DIR_RE.match(p.name))


@pytest.fixture(autouse=True)
def _no_env_passphrase(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PASSPHRASE_ENV, raising=False)


WORKER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    import agent.pipeline
    from agent.cli_history import run_scheduled_cmd

    real = agent.pipeline.assess

    def slow_assess(*args, **kw):
        time.sleep(1.5)  # keep the lock long enough for the other run to meet it
        return real(*args, **kw)

    agent.pipeline.assess = slow_assess
    barrier = Path(sys.argv[1])
    while not barrier.exists():
        time.sleep(0.005)
    run_scheduled_cmd(sys.argv[2:])
    """
)


def test_two_runs_at_once_one_works_the_other_exits_75(
    tmp_path: Path, hosts: Dict[str, Path], signing_key: Dict[str, Path]
) -> None:
    config = tmp_path / "config.json"
    config.write_text(json.dumps(_config(tmp_path, signing_key, hosts["debian-weak"])))
    barrier = tmp_path / "go"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop(PASSPHRASE_ENV, None)
    cmd = [sys.executable, "-c", WORKER, str(barrier), "--config", str(config)]
    procs = [
        subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)
    ]
    time.sleep(1.0)  # both imported and waiting
    barrier.touch()
    outs = [p.communicate(timeout=120) for p in procs]
    codes = sorted(p.returncode for p in procs)
    assert codes == [0, 75], outs
    loser = outs[[p.returncode for p in procs].index(75)]
    winner = procs[[p.returncode for p in procs].index(0)]
    lock = tmp_path / "state" / "run.lock"
    assert f"riskagent: error: another scheduled riskagent run is in progress (lock {lock} held by pid {winner.pid})" in loser[1]
    runs = _runs(tmp_path)
    assert len(runs) == 1 and (runs[0] / "report.dsse.json").exists()
    assert history.previous_digest(tmp_path / "state", "acme-web") is not None


def test_retention_keeps_the_newest_runs_and_the_chain_links(
    tmp_path: Path, hosts: Dict[str, Path], signing_key: Dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    config = _config(tmp_path, signing_key, hosts["debian-weak"], retention=2)
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "notes").mkdir()  # not a run directory: never rotated
    for _ in range(3):
        assert _scheduled(tmp_path, config) == 0
    runs = _runs(tmp_path)
    assert len(runs) == 2 and (tmp_path / "reports" / "notes").is_dir()
    from report.trust import bare_key

    pub = bare_key(signing_key["pub"])
    result = history.check_chain(history.find_envelopes([tmp_path / "reports"]), {pub.keyid: pub})
    assert result.ok, result.problems
    chain = result.chains["acme-web"]
    assert len(chain) == 2 and chain[1].previous == chain[0].digest
    assert chain[0].previous is not None and "chain starts at" in result.notes[0]  # the rotated report is noted, not an error
    saved = json.loads((runs[-1] / "report.json").read_text())
    assert saved["previous_report"] == chain[0].digest  # report.json matches the signed report
    assert "removed 1 old run(s)" in capsys.readouterr().out


def test_regressions_past_the_threshold_exit_4(
    tmp_path: Path, hosts: Dict[str, Path], signing_key: Dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    settings = {"max_new_failures": 0, "fail_on_severity": "high"}
    assert _scheduled(tmp_path, _config(tmp_path, signing_key, hosts["debian-hardened"], **settings)) == 0
    capsys.readouterr()
    code = _scheduled(tmp_path, _config(tmp_path, signing_key, hosts["debian-weak"], **settings))
    assert code == schedule.EXIT_REGRESSION
    err = capsys.readouterr().err
    assert "new failure(s) exceed schedule.max_new_failures = 0" in err and "new failure: " in err
    # A generous threshold lets the same change pass.
    lenient = {"max_new_failures": 1000, "fail_on_severity": "high"}
    assert _scheduled(tmp_path, _config(tmp_path, signing_key, hosts["debian-weak"], **lenient)) == 0


def test_regression_count_by_finding_identity() -> None:
    base = fixture_report("debian-hardened")

    def rep(*fails: Any) -> Report:
        findings = tuple(make_finding(c, "fail", target=t, severity=s) for c, t, s in fails)
        return dataclasses.replace(base, findings=findings)

    old = rep(("A", None, "high"), ("N", "10.0.0.1:80", "high"))
    new = rep(("A", None, "high"), ("N", "10.0.0.2:80", "high"), ("B", None, "low"), ("C", None, "critical"))
    assert [f.key for f in schedule.new_failures(old, new, Severity.HIGH)] == [("C", None), ("N", "10.0.0.2:80")]
    assert len(schedule.new_failures(old, new)) == 3


def test_missing_passphrase_is_a_clear_error(tmp_path: Path, hosts: Dict[str, Path], signing_key: Dict[str, Path]) -> None:
    config = _config(tmp_path, signing_key, hosts["debian-weak"])
    del config["passphrase_file"]
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    res = CliRunner().invoke(run_scheduled_cmd, ["--config", str(path)])
    assert res.exit_code == 2
    assert "riskagent: error: scheduled runs never prompt, and no key passphrase was given" in res.output
    assert not (tmp_path / "reports").exists()


@pytest.mark.parametrize(
    ("settings", "field"),
    [
        ({"retention": 0}, "schedule.retention"),
        ({"max_new_failures": "3"}, "schedule.max_new_failures"),
        ({"fail_on_severity": "severe"}, "schedule.fail_on_severity"),
        ({"keep": 3}, "unknown field(s) keep"),
    ],
)
def test_schedule_settings_are_validated(tmp_path: Path, settings: Dict[str, Any], field: str) -> None:
    path = tmp_path / "config.json"
    path.write_text(json.dumps({"schedule": settings}))
    with pytest.raises(UsageError) as exc:
        load_settings(path)
    assert str(path) in exc.value.message and field in exc.value.message


def test_scheduled_and_manual_runs_with_one_config_differ_only_in_run_metadata(
    tmp_path: Path, hosts: Dict[str, Path], signing_key: Dict[str, Path]
) -> None:
    """The same configuration file gives the same assessment, whoever starts it."""
    config = {
        **_config(tmp_path, signing_key, hosts["debian-weak"], retention=5),
        "params": {"LNX-LOG-003": {"min_days": 365}},
        "plan": {"owners": {"identity_mfa": "Han Meimei"}, "default_owner": "IT security team", "sla_days": {"critical": 3, "high": 14}},
        "answers": str(tmp_path / "answers.json"),
        "targets": [],
    }
    (tmp_path / "answers.json").write_text(
        json.dumps({"format": "riskagent-answers/1", "answers": [{"question": "IR-01", "value": "yes", "by": "Li Si, CISO", "at": "2026-11-20T08:00:00Z"}]})
    )
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    assert schedule.run_scheduled(load_settings(path), renice=0) == 0
    scheduled = json.loads(_runs(tmp_path)[0].joinpath("report.json").read_text())
    manual_out = tmp_path / "manual"
    res = CliRunner().invoke(main, ["scan", "--config", str(path), "--out", str(manual_out), "-q"])
    assert res.exit_code == 0, res.output
    manual = json.loads((manual_out / "report.json").read_text())

    # Run metadata: when, how long, which report id, and (the manual run came second) the chain link.
    for report in (scheduled, manual):
        for key in ("report_id", "previous_report"):
            report.pop(key)
        report.pop("run")
        for e in report["evidence"]:
            e.pop("collected_at")
    assert scheduled.keys() == manual.keys()
    for key in scheduled:
        assert scheduled[key] == manual[key], key
    # The plan is not stored but rebuilt from the report and its plan settings, the same for both runs.
    plan = Report.from_json(json.loads(_runs(tmp_path)[0].joinpath("report.json").read_text())).plan
    assert plan is not None
    tasks = plan.tasks
    assert any(t.owner == "Han Meimei" for t in tasks) and not any(t.owner == "unassigned" for t in tasks)
    critical = [t for t in tasks if t.severity.value == "critical"]
    assert critical and all(t.sla_days == 3 for t in critical)
    assert next(a for a in scheduled["questionnaire"]["answers"] if a["question"] == "IR-01")["basis"] == "attested"
    log = next(f for f in scheduled["findings"] if f["check_id"] == "LNX-LOG-003")
    assert log["params"]["min_days"] == 365
