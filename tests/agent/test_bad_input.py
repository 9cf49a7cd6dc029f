"""Malformed host input gives error findings with reasons, never a crash, never a pass."""

from __future__ import annotations

import shutil
from pathlib import Path

from agent import pipeline
from agent.settings import Settings
from tests.hosts import HOSTS_DIR


def test_garbage_configs_become_errors_with_reasons(tmp_path: Path) -> None:
    host = tmp_path / "host"
    shutil.copytree(HOSTS_DIR / "debian-weak", host, symlinks=True)
    root = host / "root"
    (root / "etc" / "ssh" / "sshd_config").write_bytes(b"\x00\xff\xfeGARBAGE\x00" * 64)
    passwd = (root / "etc" / "passwd").read_text()
    (root / "etc" / "passwd").write_text(passwd[: len(passwd) // 2].rsplit(":", 2)[0])  # cut mid-line
    (root / "proc" / "self" / "mounts").write_bytes(bytes(range(256)))
    login_defs = root / "etc" / "login.defs"
    login_defs.unlink()
    login_defs.mkdir()  # a directory where a file should be: unreadable as a file
    result = pipeline.run(Settings(replay=host, sign=False), None, tmp_path / "out")
    evidence = {e["collector"]: e for e in result.report.as_json["evidence"]}
    for name, path in (
        ("host.sshd", "/etc/ssh/sshd_config"),
        ("host.passwd", "/etc/passwd"),
        ("host.mounts", "/proc/self/mounts"),
        ("host.login_defs", "/etc/login.defs"),
    ):
        assert evidence[name]["status"] == "error", name
        assert path in evidence[name]["reason"], (name, evidence[name]["reason"])
        assert evidence[name]["error_reason"] != "bug", evidence[name]["reason"]
    for f in result.report.findings:
        if {"host.sshd", "host.passwd", "host.mounts", "host.login_defs"} & set(f.evidence):
            if f.status.value == "pass":
                # Only checks with other, intact evidence may still pass.
                assert not {"host.sshd", "host.passwd"} & set(f.evidence), f.check_id
    assert (tmp_path / "out" / "report.json").exists()
