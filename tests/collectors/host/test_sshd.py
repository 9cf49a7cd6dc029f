"""host.sshd: sshd -T parsing, the file fallback proven against the real daemon, failure modes."""

from __future__ import annotations

import glob as _glob
import json
import os
import subprocess
from pathlib import Path
from typing import List, Optional

import pytest

from collectors.context import HostContext, RecordedProcessView
from collectors.evidence import ErrorReason, EvidenceStatus
from collectors.host.sshd import (
    DEFAULTS,
    convtime,
    overlay,
    parse_sshd_config_tree,
    parse_sshd_t,
    tokenize,
)
from collectors.registry import all_collectors, run_collector
from collectors.runner import RecordedRunner
from tests.hosts import evidence_map, host_context

SSHD = "/usr/sbin/sshd"

# Keywords the LNX-SSH checks read.
CHECKED_KEYS = (
    "permitrootlogin",
    "passwordauthentication",
    "permitemptypasswords",
    "maxauthtries",
    "clientaliveinterval",
    "clientalivecountmax",
    "ignorerhosts",
    "hostbasedauthentication",
    "permituserenvironment",
    "x11forwarding",
    "allowtcpforwarding",
    "disableforwarding",
    "logingracetime",
    "loglevel",
    "ciphers",
    "macs",
    "kexalgorithms",
    "maxsessions",
    "maxstartups",
    "allowusers",
    "allowgroups",
    "authenticationmethods",
    "kbdinteractiveauthentication",
    "usepam",
    "pubkeyauthentication",
    "gssapiauthentication",
    "banner",
)


def _read(path: str) -> Optional[str]:
    p = Path(path)
    return p.read_text() if p.is_file() else None


def _glob_sorted(pattern: str) -> List[str]:
    return sorted(_glob.glob(pattern))


def _run_sshd(args: List[str]) -> str:
    assert os.path.exists(SSHD), "openssh-server must be installed: these tests prove the parser against the real sshd"
    try:
        os.makedirs("/run/sshd", exist_ok=True)
    except PermissionError:
        pass  # sshd -T will say so below if it needs the directory
    proc = subprocess.run([SSHD, "-T", *args], capture_output=True, text=True, timeout=20, check=False)
    assert proc.returncode == 0, f"sshd -T failed: {proc.stderr}"
    return proc.stdout


@pytest.fixture(scope="module")
def real_tree(tmp_path_factory: pytest.TempPathFactory):
    """A main config, two drop-ins (one ending in a Match block) and Match blocks, plus a host key."""
    d = tmp_path_factory.mktemp("sshd")
    conf_d = d / "conf.d"
    conf_d.mkdir()
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(d / "hostkey")], check=True)
    (conf_d / "10-first.conf").write_text(
        "# drop-ins are read first, so their values win\n"
        "PasswordAuthentication no\n"
        "MaxAuthTries 3\n"
        "permitrootlogin No\n"
        "AllowUsers alice bob@10.0.0.0/8\n"
        "ChallengeResponseAuthentication no\n"
        "LoginGraceTime 1m30s\n"
    )
    (conf_d / "20-second.conf").write_text(
        "MaxAuthTries 5\n"
        'LogLevel "verbose"\n'
        "Ciphers -*cbc,3des*\n"
        "MACs +hmac-md5\n"
        "KexAlgorithms ^diffie-hellman-group14-sha1\n"
        "Match User nobody-here\n"
        "\tPermitRootLogin yes\n"
    )
    main = d / "sshd_config"
    main.write_text(
        f"Include {conf_d}/*.conf\n"
        "# the Match block at the end of 20-second.conf must not swallow these\n"
        "MaxSessions 4\n"
        "PasswordAuthentication yes\n"
        "MaxAuthTries 2\n"
        "AllowUsers carol\n"
        "AllowGroups admins\n"
        "ClientAliveInterval 5m\n"
        "ClientAliveCountMax 2\n"
        "X11Forwarding=yes\n"
        "AllowTcpForwarding local\n"
        "MaxStartups 20\n"
        "UsePAM yes\n"
        "PermitUserEnvironment LANG,TZ\n"
        "AuthenticationMethods publickey\n"
        'this line has an "unterminated quote\n'
        "\n"
        "Match Address 10.0.0.0/8\n"
        "\tPasswordAuthentication yes\n"
        "\tPermitRootLogin yes\n"
        "\tAuthenticationMethods publickey,password\n"
        "Match all\n"
        "\tMaxStartups 10:30:60\n"
        "\tBanner /etc/issue.net\n"
    )
    # the unparseable line must not crash us; sshd itself would reject it, so give it a clean copy
    sshd_main = d / "sshd_config.for_sshd"
    sshd_main.write_text("\n".join(ln for ln in main.read_text().splitlines() if "unterminated" not in ln) + "\n")
    return d, main, sshd_main


def test_file_parser_agrees_with_real_sshd(real_tree) -> None:
    d, main, sshd_main = real_tree
    tree = parse_sshd_config_tree(_read, _glob_sorted, str(main))
    assert tree.files == [str(main), str(d / "conf.d/10-first.conf"), str(d / "conf.d/20-second.conf")]
    assert any("unterminated quote" in w for w in tree.warnings)
    ours = tree.effective()
    real = parse_sshd_t(_run_sshd(["-f", str(sshd_main), "-h", str(d / "hostkey")]))
    mismatches = {k: (ours.get(k), real.get(k)) for k in CHECKED_KEYS if ours.get(k) != real.get(k)}
    assert not mismatches, mismatches
    # the behaviours this proves:
    assert ours["passwordauthentication"] == "no"  # drop-in precedes the main file
    assert ours["maxauthtries"] == "3"  # first value wins, also across drop-ins
    assert ours["maxsessions"] == "4"  # a Match block ends with the file it is in
    assert ours["allowusers"] == ["alice", "bob@10.0.0.0/8", "carol"]  # accumulates
    assert ours["maxstartups"] == "10:30:60"  # MaxStartups is last-value-wins; `Match all` counts as global
    assert ours["banner"] == "/etc/issue.net"  # `Match all` counts as global
    assert ours["kbdinteractiveauthentication"] == "no"  # alias


def test_match_block_override_agrees_with_real_sshd(real_tree) -> None:
    d, main, sshd_main = real_tree
    tree = parse_sshd_config_tree(_read, _glob_sorted, str(main))
    blocks = {b.to_json()["criteria"]: b for b in tree.match_blocks}
    assert set(blocks) == {"user nobody-here", "address 10.0.0.0/8"}
    addr = blocks["address 10.0.0.0/8"]
    assert addr.settings == {
        "passwordauthentication": "yes",
        "permitrootlogin": "yes",
        "authenticationmethods": "publickey,password",
    }
    assert addr.file == str(main)
    real = parse_sshd_t(_run_sshd(["-f", str(sshd_main), "-h", str(d / "hostkey"), "-C", "user=x,host=y,addr=10.1.2.3"]))
    assert real["passwordauthentication"] == "yes"
    assert real["permitrootlogin"] == "yes"
    ours = overlay(tree.effective(), addr.settings)
    mismatches = {k: (ours.get(k), real.get(k)) for k in CHECKED_KEYS if ours.get(k) != real.get(k)}
    assert not mismatches, mismatches


def test_parse_sshd_t_normalises() -> None:
    cfg = parse_sshd_t("permitrootlogin without-password\nallowusers a\nallowusers b\nport 22\nport 2222\nloglevel INFO\n")
    assert cfg["permitrootlogin"] == "prohibit-password"
    assert cfg["allowusers"] == ["a", "b"]
    assert cfg["port"] == ["22", "2222"]
    assert cfg["denyusers"] == []


def test_tokenize_and_time() -> None:
    assert tokenize('Banner "/etc/my banner" # comment') == ["Banner", "/etc/my banner"]
    assert tokenize('Banner "open') is None
    assert convtime("1h30m") == 5400
    assert convtime("2m") == 120
    assert convtime("90") == 90
    assert convtime("x") is None


def test_include_relative_to_etc_ssh_and_inside_match() -> None:
    files = {
        "/etc/ssh/sshd_config": "Include conf/*.conf\nMatch Group ops\nInclude /etc/ssh/ops.conf\nMatch User x\nX11Forwarding yes\n",
        "/etc/ssh/conf/a.conf": "PermitRootLogin no\n",
        "/etc/ssh/ops.conf": "AllowTcpForwarding yes\n",
    }
    tree = parse_sshd_config_tree(files.get, lambda pat: sorted(p for p in files if _glob_match(p, pat)), "/etc/ssh/sshd_config")
    assert tree.settings["permitrootlogin"] == "no"
    assert "allowtcpforwarding" not in tree.settings
    assert [b.settings for b in tree.match_blocks] == [{"allowtcpforwarding": "yes"}, {"x11forwarding": "yes"}]
    assert tree.effective()["x11forwarding"] == DEFAULTS["x11forwarding"]


def _glob_match(path: str, pattern: str) -> bool:
    import fnmatch

    return fnmatch.fnmatch(path, pattern)


# -- fixture hosts ------------------------------------------------------------------
def test_hardened_uses_sshd_t_and_still_records_match_blocks() -> None:
    ev = evidence_map("debian-hardened")["host.sshd"]
    assert ev.status is EvidenceStatus.OK
    assert ev.method == "sshd -T"
    f = ev.facts
    assert f["fallback"] is False
    assert f["config"]["permitrootlogin"] == "no"
    assert f["config_files"] == ["/etc/ssh/sshd_config", "/etc/ssh/sshd_config.d/50-hardening.conf"]
    assert [b["criteria"] for b in f["match_blocks"]] == ["group sftponly"]
    assert {k["path"]: k["mode"] for k in f["host_keys"]} == {
        "/etc/ssh/ssh_host_ecdsa_key": "0600",
        "/etc/ssh/ssh_host_ed25519_key": "0600",
        "/etc/ssh/ssh_host_rsa_key": "0600",
    }
    assert f["sshd_config_stat"]["mode"] == "0600"


def test_weak_host_falls_back_to_files_with_drop_in_precedence() -> None:
    ev = evidence_map("debian-weak")["host.sshd"]
    assert ev.status is EvidenceStatus.OK
    assert ev.method == "files"
    f = ev.facts
    assert f["fallback"] is True
    assert "not installed" in f["sshd_t_unusable_reason"]
    assert f["config"]["passwordauthentication"] == "no"  # 10-cloud-init.conf beats the main file
    assert f["config"]["maxauthtries"] == "10"  # 60-local.conf beats the main file's 3
    assert f["config"]["permitrootlogin"] == "yes"
    assert f["config"]["loglevel"] == "SILENT"  # sshd -T spells QUIET this way
    assert "aes128-cbc" in f["config"]["ciphers"]
    block = next(b for b in f["match_blocks"] if b["criteria"] == "address 10.0.0.0/8")
    assert block["settings"] == {"passwordauthentication": "yes"}
    assert {k["path"]: k["mode"] for k in f["host_keys"]}["/etc/ssh/ssh_host_ecdsa_key"] == "0644"


def test_host_key_contents_never_in_facts() -> None:
    for host in ("debian-hardened", "debian-weak", "openeuler-server"):
        text = json.dumps(evidence_map(host)["host.sshd"].to_json())
        assert "dummy fixture" not in text


def test_unprivileged_replay_of_root_only_config_is_an_error() -> None:
    ctx = host_context("openeuler-server", privileged=False)
    ev = run_collector(all_collectors()["host.sshd"], ctx)
    assert ev.status is EvidenceStatus.ERROR
    assert ev.error_reason is ErrorReason.PERMISSION_DENIED
    assert "/etc/ssh/sshd_config" in (ev.reason or "")


# -- tmp hosts ----------------------------------------------------------------------
def _tmp_host(tmp_path: Path) -> HostContext:
    (tmp_path / "commands").mkdir(exist_ok=True)
    return HostContext(
        root=tmp_path,
        runner=RecordedRunner(tmp_path / "commands"),
        processes=RecordedProcessView({}),
        target="t",
        privileged=True,
    )


def _write(tmp_path: Path, rel: str, data: bytes) -> None:
    p = tmp_path / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(data)


def test_binary_garbage_is_an_error_naming_the_file(tmp_path: Path) -> None:
    _write(tmp_path, "etc/ssh/sshd_config", b"PermitRootLogin no\n\x00\x01\x02\xff garbage\n")
    ev = run_collector(all_collectors()["host.sshd"], _tmp_host(tmp_path))
    assert ev.status is EvidenceStatus.ERROR
    assert ev.error_reason is ErrorReason.MALFORMED
    assert "/etc/ssh/sshd_config" in (ev.reason or "")


def test_garbage_in_a_drop_in_names_the_drop_in(tmp_path: Path) -> None:
    _write(tmp_path, "etc/ssh/sshd_config", b"Include /etc/ssh/sshd_config.d/*.conf\n")
    _write(tmp_path, "etc/ssh/sshd_config.d/bad.conf", b"\x00\x00\x00")
    ev = run_collector(all_collectors()["host.sshd"], _tmp_host(tmp_path))
    assert ev.status is EvidenceStatus.ERROR
    assert "/etc/ssh/sshd_config.d/bad.conf" in (ev.reason or "")


def test_unparseable_lines_do_not_crash(tmp_path: Path) -> None:
    _write(tmp_path, "etc/ssh/sshd_config", b'=\nPermitRootLogin\nBanner "x\nMatch\nMaxAuthTries 2\n\xff\xfe\n')
    ev = run_collector(all_collectors()["host.sshd"], _tmp_host(tmp_path))
    assert ev.status is EvidenceStatus.OK, ev.reason
    assert ev.facts["parse_warnings"]


def test_sshd_t_failure_is_recorded_and_files_used(tmp_path: Path) -> None:
    _write(tmp_path, "etc/ssh/sshd_config", b"PermitRootLogin no\n")
    _write(tmp_path, "commands/sshd_-T.out", b"")
    _write(tmp_path, "commands/sshd_-T.rc", b"255\n")
    _write(tmp_path, "commands/sshd_-T.err", b"Missing privilege separation directory: /run/sshd\n")
    ev = run_collector(all_collectors()["host.sshd"], _tmp_host(tmp_path))
    assert ev.status is EvidenceStatus.OK
    assert ev.method == "files"
    assert "privilege separation" in ev.facts["sshd_t_unusable_reason"]
    assert ev.facts["config"]["permitrootlogin"] == "no"
    assert ev.facts["config"]["maxauthtries"] == "6"  # OpenSSH default


def test_not_installed_is_not_applicable(tmp_path: Path) -> None:
    (tmp_path / "etc").mkdir()
    ev = run_collector(all_collectors()["host.sshd"], _tmp_host(tmp_path))
    assert ev.status is EvidenceStatus.NOT_APPLICABLE


def test_pam_otp_module_is_detected_through_includes(tmp_path: Path) -> None:
    _write(tmp_path, "etc/ssh/sshd_config", b"UsePAM yes\n")
    _write(tmp_path, "etc/pam.d/sshd", b"@include common-auth\nauth required pam_google_authenticator.so nullok\n")
    _write(tmp_path, "etc/pam.d/common-auth", b"auth [success=1 default=ignore] pam_unix.so nullok\nauth requisite pam_deny.so\n")
    ev = run_collector(all_collectors()["host.sshd"], _tmp_host(tmp_path))
    assert ev.facts["pam"]["mfa_modules"] == ["pam_google_authenticator"]
    assert "pam_unix" in ev.facts["pam"]["auth_modules"]


@pytest.mark.parametrize("host", ["debian-hardened", "openeuler-server"])
def test_recorded_sshd_t_matches_the_fixture_files(host: str) -> None:
    """The recordings were made by real sshd from these files; the file parser must agree with them."""
    from collectors.context import HostReader
    from tests.hosts import HOSTS_DIR

    reader = HostReader(host_context(host))
    tree = parse_sshd_config_tree(reader.read_text, reader.glob, "/etc/ssh/sshd_config")
    recorded = parse_sshd_t((HOSTS_DIR / host / "commands" / "sshd_-T.out").read_text())
    ours = tree.effective()
    mismatches = {k: (ours.get(k), recorded.get(k)) for k in CHECKED_KEYS if ours.get(k) != recorded.get(k)}
    assert not mismatches, mismatches


def test_weak_fixture_fallback_agrees_with_real_sshd(tmp_path: Path) -> None:
    """The weak host has no recording; real sshd on a copy of its files must agree with the fallback."""
    import shutil

    from tests.hosts import HOSTS_DIR

    etc = tmp_path / "ssh"
    shutil.copytree(HOSTS_DIR / "debian-weak" / "root" / "etc" / "ssh", etc)
    main = etc / "sshd_config"
    main.write_text(main.read_text().replace("Include sshd_config.d/", f"Include {etc}/sshd_config.d/"))
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(tmp_path / "hk")], check=True)
    real = parse_sshd_t(_run_sshd(["-f", str(main), "-h", str(tmp_path / "hk")]))
    ours = evidence_map("debian-weak")["host.sshd"].facts["config"]
    mismatches = {k: (ours.get(k), real.get(k)) for k in CHECKED_KEYS if ours.get(k) != real.get(k)}
    assert not mismatches, mismatches
