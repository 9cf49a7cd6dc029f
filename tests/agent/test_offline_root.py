"""``scan --root PATH``: a mounted root file system assessed offline, end to end (settings, report, banner, verify).

The full command runs over the session's bootstrapped Debian image (tests/collectors/host/test_offline_root_image.py)
and, fast, over the recorded debian-hardened tree made a real file system; the refusals need no image.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Optional

import pytest

from agent.errors import UsageError
from agent.pipeline import assess, host_context, run_mode
from agent.settings import Settings, load_settings
from collectors.context import HostMode
from report.model import Report
from report.render import offline_root_not_applicable, render_html, render_markdown, terminal_summary
from tests.collectors.host.test_offline_root_fixture import RUNTIME_ONLY, materialise
from tests.collectors.host.test_offline_root_image import HARDENED, HARDENED_LINKS, debian_minbase, image

RISKAGENT = [sys.executable, "-m", "agent.cli"]
PASS = "fixture passphrase"


def run(args: List[str], env: Optional[Dict[str, str]] = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "RISKAGENT_KEY_PASSPHRASE": PASS, **(env or {})}
    return subprocess.run([*RISKAGENT, *args], capture_output=True, text=True, env=full_env, stdin=subprocess.DEVNULL)


# -- settings -------------------------------------------------------------------------------------------------


def test_root_is_refused_unless_it_is_a_root_file_system(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    (tmp_path / "noetc").mkdir()
    cases = {Path("/"): "this machine's own root file system", tmp_path / "file": "is not a directory", tmp_path / "noetc": "no etc/ directory"}
    for path, why in cases.items():
        with pytest.raises(UsageError) as exc:
            load_settings(root=path)
        assert exc.value.message.startswith("--root: ") and why in exc.value.message


def test_root_from_the_configuration_file_is_taken_from_its_directory(tmp_path: Path) -> None:
    (tmp_path / "img" / "etc").mkdir(parents=True)
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"root": "img"}))
    assert load_settings(config).root == tmp_path / "img"
    config.write_text(json.dumps({"root": "missing"}))
    with pytest.raises(UsageError, match=r"config.json: line 1: root: .*missing is not a directory"):
        load_settings(config)


def test_root_does_not_mix_with_a_replay_live_targets_or_a_hostless_profile(tmp_path: Path) -> None:
    (tmp_path / "etc").mkdir()
    with pytest.raises(UsageError, match="cannot be assessed together"):
        load_settings(root=tmp_path, replay=tmp_path)
    with pytest.raises(UsageError, match="probed live"):
        load_settings(root=tmp_path, targets=("192.0.2.1",))
    with pytest.raises(UsageError, match="assesses no host"):
        load_settings(root=tmp_path, profile="website", targets=("https://example.invalid/",))


def test_the_pipeline_builds_an_offline_root_context_and_says_so(tmp_path: Path) -> None:
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "hostname").write_text("seized-01\n")
    settings = load_settings(root=tmp_path)
    ctx = host_context(settings)
    assert ctx.mode is HostMode.OFFLINE_ROOT and ctx.target == "seized-01"
    assert run_mode(settings) == "offline-root" and run_mode(Settings()) == "live"


# -- the report of a recorded tree (fast) ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def fixture_report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    root = materialise("debian-hardened", tmp_path_factory.mktemp("offline-report"))
    return assess(Settings(root=root, sign=False))


def test_the_report_declares_offline_root(fixture_report: Report) -> None:
    assert fixture_report.run.mode == "offline-root"
    assert fixture_report.target.name == "db-prod-01"
    assert json.loads(fixture_report.canonical)["run"]["mode"] == "offline-root"


def test_the_banner_names_the_mode_and_the_checks_not_applicable_for_it(fixture_report: Report) -> None:
    ids = offline_root_not_applicable(fixture_report)
    assert set(RUNTIME_ONLY) <= set(ids)
    for lang, name in (("zh", "离线镜像评估"), ("en", "Offline root file system")):
        for page in (render_html(fixture_report, lang), render_markdown(fixture_report, lang)):
            assert name in page and "offline-root" in page and ", ".join(ids) in page
            assert "回放数据" not in page and "recorded host data" not in page  # it is not a replay
    summary = terminal_summary(fixture_report, "zh")
    assert "离线镜像评估 (offline-root)：依据文件判断，未运行任何命令" in summary and ids[0] in summary


# -- scan --root over the bootstrapped Debian image, then verify ------------------------------------------------


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("offline-scan")
    root = image(debian_minbase(tmp_path_factory), d / "image", HARDENED, HARDENED_LINKS)
    assert run(["keys", "generate", "--key", str(d / "k.key")]).returncode == 0
    res = run(["scan", "--root", str(root), "--key", str(d / "k.key"), "--out", str(d / "out"), "--lang", "en"])
    assert res.returncode == 0, res.stderr
    (d / "summary.txt").write_text(res.stdout)
    return d


def test_scan_root_writes_a_signed_offline_root_report_of_the_image(scanned: Path) -> None:
    report = json.loads((scanned / "out" / "report.json").read_text())
    assert report["run"]["mode"] == "offline-root" and report["target"]["name"] == "img-hardened"
    commands = [s for e in report["evidence"] for s in e.get("sources", []) if s.get("kind") == "command"]
    assert commands == []  # no command was run, and none is claimed
    summary = (scanned / "summary.txt").read_text()
    assert "offline root file system (offline-root): judged from files, no command run" in summary


def test_scan_root_banners_say_offline_root(scanned: Path) -> None:
    for name in ("report.html", "report.md"):
        page = (scanned / "out" / name).read_text()
        assert "Offline root file system (offline-root)" in page and "LNX-PRC-001" in page


def test_verify_prints_the_mode(scanned: Path) -> None:
    res = run(["verify", str(scanned / "out" / "report.dsse.json"), "--key", str(scanned / "k.pub"), "--lang", "en"])
    assert res.returncode == 0, res.stdout + res.stderr
    assert res.stdout.startswith("VALID ")
    assert "offline-root" in res.stdout and "Mode: offline-root (offline root file system): judged from files, no command run" in res.stdout
    zh = run(["verify", str(scanned / "out" / "report.dsse.json"), "--key", str(scanned / "k.pub"), "--lang", "zh"])
    assert "评估方式：offline-root（离线镜像评估）" in zh.stdout
    strict = run(["verify", str(scanned / "out" / "report.dsse.json"), "--key", str(scanned / "k.pub"), "--require-live"])
    assert strict.returncode == 4  # genuine, but not a live assessment


def test_scan_refuses_a_root_that_is_not_a_root_file_system(tmp_path: Path) -> None:
    res = run(["scan", "--root", str(tmp_path), "--no-sign", "--out", str(tmp_path / "out")])
    assert res.returncode == 2 and "does not look like a root file system: it has no etc/ directory" in res.stderr
    res = run(["scan", "--root", "/", "--no-sign", "--out", str(tmp_path / "out")])
    assert res.returncode == 2 and "this machine's own root file system" in res.stderr
