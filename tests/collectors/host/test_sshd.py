"""host.sshd: sshd -T parsing, the file fallback proven against the real daemon, failure modes."""

from __future__ import annotations

import glob as _glob
import json
import os
import subprocess
from pathlib import Path
from typing import List, Optional

import pytest

from collectors.catalogue import all_collectors
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
from collectors.registry import run_collector
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
    assert "command not available" in f["sshd_t_unusable_reason"]
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


# -- review fixes ---------------------------------------------------------------------
DEBIAN_COMMON_AUTH = (
    b"auth\t[success=1 default=ignore]\tpam_unix.so nullok\nauth\trequisite\t\t\tpam_deny.so\nauth\trequired\t\t\tpam_permit.so\n"
)


def _pam(tmp_path: Path, sshd: str, **others: str) -> dict:
    _write(tmp_path, "etc/ssh/sshd_config", b"UsePAM yes\n")
    _write(tmp_path, "etc/pam.d/sshd", sshd.encode())
    _write(tmp_path, "etc/pam.d/common-auth", DEBIAN_COMMON_AUTH)
    for name, text in others.items():
        _write(tmp_path, f"etc/pam.d/{name.replace('_', '-')}", text.encode())
    ev = run_collector(all_collectors()["host.sshd"], _tmp_host(tmp_path))
    assert ev.status is EvidenceStatus.OK, ev.reason
    return ev.facts["pam"]


@pytest.mark.parametrize(
    "sshd, enforced",
    [
        ("@include common-auth\nauth required pam_google_authenticator.so\n", True),
        ("@include common-auth\nauth requisite pam_oath.so usersfile=/etc/users.oath\n", True),
        ("@include common-auth\nauth [success=ok default=die] pam_google_authenticator.so\n", True),
        ("auth substack system-remote\nauth required pam_google_authenticator.so\n", True),  # done ends the substack only
        ("@include common-auth\nauth optional pam_google_authenticator.so nullok\n", False),  # the review's case
        ("@include common-auth\nauth optional pam_google_authenticator.so\n", False),
        ("@include common-auth\nauth sufficient pam_google_authenticator.so\n", False),
        ("@include common-auth\nauth required pam_google_authenticator.so nullok\n", False),
        ("@include common-auth\n-auth required pam_google_authenticator.so\n", False),
        ("auth sufficient pam_unix.so\nauth required pam_google_authenticator.so\n", False),
        ("auth [success=done default=ignore] pam_unix.so\nauth required pam_google_authenticator.so\n", False),
        ("auth [success=2 default=ignore] pam_unix.so\nauth requisite pam_deny.so\nauth required pam_duo.so\n", False),
        ("auth include system-remote\nauth required pam_google_authenticator.so\n", False),  # include: done ends all
    ],
)
def test_pam_otp_counts_only_when_enforced(tmp_path: Path, sshd: str, enforced: bool) -> None:
    pam = _pam(tmp_path, sshd, system_remote="auth [success=done default=ignore] pam_unix.so\nauth requisite pam_deny.so\n")
    assert pam["mfa_modules"]  # seen either way
    assert bool(pam["otp_enforced"]) is enforced, pam
    assert bool(pam["otp_not_enforced"]) is not enforced
    assert "usersfile" in json.dumps(pam) or "/etc/users.oath" not in json.dumps(pam)  # option values dropped


def test_pam_include_loop_is_bounded(tmp_path: Path) -> None:
    pam = _pam(tmp_path, "auth include sshd\n@include common-auth\nauth required pam_u2f.so\n")
    assert pam["otp_enforced"] == ["pam_u2f"]


def test_hardened_fixture_otp_is_enforced() -> None:
    pam = evidence_map("debian-hardened")["host.sshd"].facts["pam"]
    assert pam["otp_enforced"] == ["pam_google_authenticator"]
    assert pam["otp_not_enforced"] == []


def test_match_inside_file_included_from_match_applies_like_real_sshd(tmp_path: Path) -> None:
    """The review's case: sshd applies a Match of an included file when the outer Match matched."""
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(tmp_path / "hk")], check=True)
    (tmp_path / "lan.conf").write_text("Match User *\nPasswordAuthentication yes\nPermitRootLogin yes\n")
    main = tmp_path / "sshd_config"
    main.write_text(f"PasswordAuthentication no\nPermitRootLogin no\nMatch Address 10.0.0.0/8\nInclude {tmp_path}/lan.conf\n")
    base = ["-f", str(main), "-h", str(tmp_path / "hk"), "-C"]
    inside = parse_sshd_t(_run_sshd([*base, "user=x,host=y,addr=10.1.1.1"]))
    outside = parse_sshd_t(_run_sshd([*base, "user=x,host=y,addr=192.0.2.1"]))
    assert (inside["passwordauthentication"], inside["permitrootlogin"]) == ("yes", "yes")
    assert outside["passwordauthentication"] == "no"

    tree = parse_sshd_config_tree(_read, _glob_sorted, str(main))
    outer, blk = tree.match_blocks
    assert outer.settings == {} and blk.never_matches is False
    assert blk.criteria == [["address", "10.0.0.0/8"], ["user", "*"]]  # both must match
    ours = overlay(tree.effective(), blk.settings)
    assert {k: ours[k] for k in ("passwordauthentication", "permitrootlogin")} == {
        k: inside[k] for k in ("passwordauthentication", "permitrootlogin")
    }


def _real_sshd_failure(config: str, tmp_path: Path, hostkey: bool = True) -> subprocess.CompletedProcess:
    cfg = tmp_path / "real.conf"
    cfg.write_text(config)
    args = [SSHD, "-T", "-f", str(cfg)]
    if hostkey:
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(tmp_path / "hk")], check=True)
        args += ["-h", str(tmp_path / "hk")]
    else:
        args += ["-h", str(tmp_path / "no-such-key")]
    os.makedirs("/run/sshd", exist_ok=True)
    return subprocess.run(args, capture_output=True, text=True, timeout=20, check=False)


def _record_sshd_t(tmp_path: Path, proc: subprocess.CompletedProcess) -> None:
    _write(tmp_path, "commands/sshd_-T.out", proc.stdout.encode())
    _write(tmp_path, "commands/sshd_-T.err", proc.stderr.encode())
    _write(tmp_path, "commands/sshd_-T.rc", f"{proc.returncode}\n".encode())


# Recorded from OpenSSH 9.2 (`sshd -T -f typo.conf`) so the test also runs where sshd is absent.
RECORDED_TYPO_STDERR = (
    "typo.conf: line 1: Bad configuration option: PasswordAuthenticaton\ntypo.conf: terminating, 1 bad configuration options\n"
)


@pytest.mark.parametrize("source", ["recorded", "live"])
def test_sshd_t_rejecting_the_config_is_an_error_not_a_fallback(tmp_path: Path, source: str) -> None:
    typo = "PasswordAuthenticaton no\nPermitRootLogin no\n"
    _write(tmp_path / "host", "etc/ssh/sshd_config", typo.encode())
    if source == "live":
        proc = _real_sshd_failure(typo, tmp_path)
    else:
        proc = subprocess.CompletedProcess([], 255, "", RECORDED_TYPO_STDERR)
    assert proc.returncode == 255 and "Bad configuration option: PasswordAuthenticaton" in proc.stderr
    _record_sshd_t(tmp_path / "host", proc)
    ev = run_collector(all_collectors()["host.sshd"], _tmp_host(tmp_path / "host"))
    assert ev.status is EvidenceStatus.ERROR
    assert ev.error_reason is ErrorReason.MALFORMED
    assert "sshd -T rejects the configuration" in (ev.reason or "")
    assert "Bad configuration option: PasswordAuthenticaton" in (ev.reason or "")


@pytest.mark.parametrize(
    "config", ["PasswordAuthentication maybe\n", "Match User x\nPort 2222\n"], ids=["bad-argument", "bad-in-match"]
)
def test_other_real_rejections_are_errors(tmp_path: Path, config: str) -> None:
    proc = _real_sshd_failure(config, tmp_path)
    assert proc.returncode == 255, proc.stderr
    _write(tmp_path / "host", "etc/ssh/sshd_config", config.encode())
    _record_sshd_t(tmp_path / "host", proc)
    ev = run_collector(all_collectors()["host.sshd"], _tmp_host(tmp_path / "host"))
    assert ev.error_reason is ErrorReason.MALFORMED, ev.reason


def test_sshd_t_without_host_keys_falls_back(tmp_path: Path) -> None:
    """`sshd -T` could not run (no readable host key): real stderr, file parsing is used."""
    proc = _real_sshd_failure("PermitRootLogin no\n", tmp_path, hostkey=False)
    assert proc.returncode != 0 and "no hostkeys available" in proc.stderr
    _write(tmp_path / "host", "etc/ssh/sshd_config", b"PermitRootLogin no\n")
    _record_sshd_t(tmp_path / "host", proc)
    ev = run_collector(all_collectors()["host.sshd"], _tmp_host(tmp_path / "host"))
    assert ev.status is EvidenceStatus.OK and ev.method == "files"
    assert "Unable to load host key" in ev.facts["sshd_t_unusable_reason"]


SECRET_CONFIG = (
    "SetEnv DB_PASSWORD=hunter2\n"
    "AuthorizedKeysCommand /usr/local/bin/keys --token s3cr3t\n"
    "AuthorizedKeysCommandUser nobody\n"
    "AuthorizedPrincipalsCommand /usr/local/bin/principals --key pr1nc1pal\n"
    "AuthorizedPrincipalsCommandUser nobody\n"
    "PermitRootLogin no\n"
    "Match User deploy\n"
    "\tForceCommand /usr/local/bin/deploy --api-key f0rc3d\n"
    "\tSetEnv API_TOKEN=m4tch3d\n"
)


@pytest.mark.parametrize("method", ["files", "sshd -T"])
def test_secrets_never_reach_evidence(tmp_path: Path, method: str) -> None:
    _write(tmp_path / "host", "etc/ssh/sshd_config", SECRET_CONFIG.encode())
    if method == "sshd -T":
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(tmp_path / "hk")], check=True)
        out = _run_sshd(["-f", str(tmp_path / "host/etc/ssh/sshd_config"), "-h", str(tmp_path / "hk")])
        assert "hunter2" in out and "s3cr3t" in out  # the raw dump does carry them
        _write(tmp_path / "host", "commands/sshd_-T.out", out.encode())
    ev = run_collector(all_collectors()["host.sshd"], _tmp_host(tmp_path / "host"))
    assert ev.status is EvidenceStatus.OK and ev.method == method
    text = json.dumps(ev.to_json())
    for secret in ("hunter2", "s3cr3t", "pr1nc1pal", "f0rc3d", "m4tch3d", "DB_PASSWORD", "API_TOKEN"):
        assert secret not in text, secret
    cfg = ev.facts["config"]
    assert cfg["setenv"] == "set" and cfg["authorizedkeyscommand"] == "set" and cfg["forcecommand"] == "not set"
    assert cfg["permitrootlogin"] == "no"
    (blk,) = ev.facts["match_blocks"]
    assert blk["settings"] == {"forcecommand": "set", "setenv": "set"}
