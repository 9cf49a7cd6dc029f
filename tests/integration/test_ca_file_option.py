"""``scan --ca-file`` (config key ``ca_files``): documented, validated before the scan, used by the TLS checks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict

import pytest

from agent.errors import UsageError
from agent.settings import load_settings
from tests.servers import certs
from tests.servers.nginx import start_nginx

ROOT = Path(__file__).resolve().parents[2]


def cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "agent.cli", *args],
        cwd=tmp_path,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_help_documents_the_option(tmp_path: Path) -> None:
    out = cli(tmp_path, "scan", "--help").stdout
    assert "--ca-file" in out and "PEM" in out


def test_a_file_that_is_not_pem_certificates_is_a_usage_error_naming_it(tmp_path: Path) -> None:
    pair = certs.self_signed(tmp_path / "c")
    garbage = tmp_path / "notes.txt"
    garbage.write_text("not a certificate\n")
    for bad, words in ((garbage, "not a file of PEM certificates"), (pair.key, "it holds PRIVATE KEY"), (tmp_path / "nope.pem", "cannot read")):
        done = cli(tmp_path, "scan", "--profile", "website", "--target", "https://127.0.0.1:1/", "--ca-file", str(bad), "--no-sign", "-q")
        assert done.returncode == 2, done.stderr
        assert f"--ca-file {bad}" in done.stderr and words in done.stderr, done.stderr
        assert not (tmp_path / "out").exists()


def test_config_key_is_a_list_relative_to_the_file(tmp_path: Path) -> None:
    pair = certs.self_signed(tmp_path / "conf" / "tls")
    config = tmp_path / "conf" / "config.json"
    config.write_text(json.dumps({"ca_files": ["tls/self_signed.crt"]}))
    settings = load_settings(config)
    assert settings.ca_files == (pair.cert,)
    assert settings.probe_options["ca_files"] == (str(pair.cert),)
    config.write_text(json.dumps({"ca_files": "tls/self_signed.crt"}))
    with pytest.raises(UsageError, match="ca_files: expected a list of PEM certificate files"):
        load_settings(config)
    config.write_text(json.dumps({"ca_files": ["tls/self_signed.key"]}))
    with pytest.raises(UsageError, match=r"ca_files tls/self_signed.key|self_signed\.key: not a file of PEM"):
        load_settings(config)
    assert load_settings(config, ca_files=(pair.cert,)).ca_files == (pair.cert,)  # the flag wins


def test_scan_trusts_the_private_ca_it_is_given(tmp_path: Path) -> None:
    with start_nginx(tmp_path, "hardened") as srv:
        assert srv.ca_cert is not None
        url = f"https://localhost:{srv.https_port}/"
        base = ["scan", "--profile", "website", "--target", url, "--no-sign", "-q", "--lang", "en", "--format", "json"]
        trusted = cli(tmp_path, *base, "--out", "trusted", "--ca-file", str(srv.ca_cert))
        untrusted = cli(tmp_path, *base, "--out", "untrusted")
    assert trusted.returncode == 0 and untrusted.returncode == 0, (trusted.stderr, untrusted.stderr)

    def finding(out: str) -> Dict[str, Any]:
        report = json.loads((tmp_path / out / "report.json").read_text())
        return next(f for f in report["findings"] if f["check_id"] == "TLS-CERT-005")

    assert finding("trusted")["status"] == "pass" and finding("untrusted")["status"] == "fail"
    trusted_tls = {f["check_id"]: f["status"] for f in json.loads((tmp_path / "trusted" / "report.json").read_text())["findings"] if f["check_id"].startswith("TLS-")}
    assert set(trusted_tls.values()) == {"pass"}, trusted_tls  # the hardened site passes every TLS check
    report = json.loads((tmp_path / "trusted" / "report.json").read_text())
    chain = next(e for e in report["evidence"] if e["collector"] == "tls.endpoint")["facts"]["chain"]
    assert [c["path"] for c in chain["ca_files"]] == [str(srv.ca_cert)] and chain["store"] == "system + 1 CA file(s)"
