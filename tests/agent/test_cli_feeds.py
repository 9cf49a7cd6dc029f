"""riskagent feeds update / show / export / import, through the command line, against a loopback server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator, List

import pytest
from click.testing import CliRunner, Result

from agent.cli import main
from tests.agent.test_feeds import FIXTURES, FeedServer, good_bodies


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FeedServer]:
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    with FeedServer() as srv:
        for feed_id, body in good_bodies().items():
            srv.serve(feed_id, "ok", body)
        yield srv


def run(args: List[str]) -> Result:
    return CliRunner().invoke(main, args, catch_exceptions=False)


def test_update_show_export_import(server: FeedServer, tmp_path: Path) -> None:
    d = tmp_path / "feeds"
    res = run(["feeds", "update", "--feeds", str(d), "--base-url", server.base_url, "--only", "kev", "--only", "epss", "--lang", "en"])
    assert res.exit_code == 0, res.output
    assert "updated kev:" in res.output and "dated 2025-08-25T17:04:19Z" in res.output
    assert "2 feed(s) updated, 0 failed" in res.output
    assert sorted(p.name for p in d.iterdir()) == [".lock", "epss.csv.gz", "kev.json", "manifest.json"]

    res = run(["feeds", "show", "--feeds", str(d), "--json"])
    shown = json.loads(res.output)
    rows = {r["id"]: r for r in shown["feeds"]}
    assert rows["kev"]["present"] and rows["kev"]["age_days"] > 7  # the snapshot's own date, 2025-08-25
    assert rows["debian"]["present"] is False and rows["debian"]["age_days"] is None
    assert sorted(shown["stale"]) == ["epss", "kev"]

    res = run(["feeds", "show", "--feeds", str(d), "--lang", "zh"])
    assert res.exit_code == 0
    assert "缺失" in res.output and "超过 7 天未更新" in res.output
    kev_line = next(line for line in res.output.splitlines() if line.startswith("kev "))
    assert "2025-08-25T17:04:19Z" in kev_line

    bundle = tmp_path / "feeds.tar"
    res = run(["feeds", "export", "--feeds", str(d), "--out", str(bundle), "--lang", "en"])
    assert res.exit_code == 0 and "exported 2 feed(s)" in res.output
    gw = tmp_path / "gateway"
    res = run(["feeds", "import", str(bundle), "--feeds", str(gw)])
    assert res.exit_code == 0 and "已导入 2 个漏洞库" in res.output
    assert (gw / "kev.json").read_bytes() == (d / "kev.json").read_bytes()


def test_update_reports_a_corrupt_feed_and_exits_1(server: FeedServer, tmp_path: Path) -> None:
    server.serve("debian", "ok", (FIXTURES / "debian.truncated.json").read_bytes())
    d = tmp_path / "feeds"
    res = run(["feeds", "update", "--feeds", str(d), "--base-url", server.base_url, "--only", "debian", "--only", "kev", "--json"])
    assert res.exit_code == 1
    out = json.loads(res.output)
    assert [u["id"] for u in out["updated"]] == ["kev"]
    assert out["failed"][0]["id"] == "debian"
    assert out["failed"][0]["url"].endswith("/tracker/data/json")
    assert "not valid JSON" in out["failed"][0]["reason"]
    res = run(["feeds", "update", "--feeds", str(d), "--base-url", server.base_url, "--only", "debian"])
    assert "未更新 debian（保留原有副本）" in res.output


def test_unknown_feed_and_bad_bundle_are_clear_errors(tmp_path: Path) -> None:
    res = run(["feeds", "update", "--feeds", str(tmp_path / "f"), "--only", "nvd"])
    assert res.exit_code == 2 and "unknown feed 'nvd'" in res.output
    junk = tmp_path / "junk.tar"
    junk.write_bytes(b"not a tar")
    res = run(["feeds", "import", str(junk), "--feeds", str(tmp_path / "f")])
    assert res.exit_code == 1 and "not a readable tar archive" in res.output
    res = run(["feeds", "export", "--feeds", str(tmp_path / "empty"), "--out", str(tmp_path / "o.tar")])
    assert res.exit_code == 2 and "no feeds in" in res.output
