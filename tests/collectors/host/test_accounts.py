"""Parsing of passwd, shadow, group, login.defs, PAM, sudoers and shell files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict

import pytest

from collectors.catalogue import all_collectors
from collectors.context import HostContext, RecordedProcessView
from collectors.evidence import CollectError, ErrorReason, Evidence, EvidenceStatus
from collectors.host import accounts as acc
from collectors.registry import run_collector
from collectors.runner import RecordedRunner
from tests.hosts import FIXTURE_HOSTS, HOSTS_DIR, evidence_map, host_context


def _ctx(root: Path, files: Dict[str, str]) -> HostContext:
    for path, text in files.items():
        target = root / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    return HostContext(
        root=root, runner=RecordedRunner(root / "commands"), processes=RecordedProcessView({}), target="t", privileged=True
    )


def _run(name: str, ctx: HostContext) -> Evidence:
    return run_collector(all_collectors()[name], ctx)


def test_truncated_passwd_is_an_error_naming_the_line(tmp_path: Path) -> None:
    ctx = _ctx(tmp_path, {"/etc/passwd": "root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000:Al"})
    ev = _run("host.passwd", ctx)
    assert ev.status is EvidenceStatus.ERROR
    assert ev.error_reason is ErrorReason.MALFORMED
    assert ev.reason == "/etc/passwd: line 2: expected 7 fields, found 5"


def test_non_numeric_uid_is_malformed() -> None:
    with pytest.raises(CollectError) as exc:
        acc.parse_passwd("root:x:zero:0:root:/root:/bin/bash\n")
    assert "line 1" in exc.value.message and exc.value.reason is ErrorReason.MALFORMED


def test_garbage_shadow_and_group_are_errors_not_crashes(tmp_path: Path) -> None:
    ctx = _ctx(
        tmp_path, {"/etc/shadow": "root\n", "/etc/group": "\x00\x01binary", "/etc/passwd": "root:x:0:0::/root:/bin/bash\n"}
    )
    shadow = _run("host.shadow", ctx)
    group = _run("host.group", ctx)
    assert shadow.status is EvidenceStatus.ERROR and shadow.reason and "/etc/shadow: line 1" in shadow.reason
    assert group.status is EvidenceStatus.ERROR and group.reason and "/etc/group" in group.reason
    assert group.error_reason is ErrorReason.MALFORMED


def test_missing_shadow_is_an_error(tmp_path: Path) -> None:
    ev = _run("host.shadow", _ctx(tmp_path, {"/etc/passwd": "root:x:0:0::/root:/bin/bash\n"}))
    assert ev.status is EvidenceStatus.ERROR and ev.error_reason is ErrorReason.NOT_FOUND


@pytest.mark.parametrize(
    "field,scheme,locked",
    [
        ("", "none", False),
        ("*", "locked", True),
        ("!", "locked", True),
        ("!!", "locked", True),
        ("$y$j9T$salt$hash", "yescrypt", False),
        ("!$6$salt$hash", "sha512", True),
        ("$5$salt$hash", "sha256", False),
        ("$1$salt$hash", "md5", False),
        ("abcdefghijklm", "des", False),
        ("$2b$10$xyz", "bcrypt", False),
        ("garbage-value", "unknown", False),
    ],
)
def test_hash_scheme(field: str, scheme: str, locked: bool) -> None:
    assert acc.hash_scheme(field) == (scheme, locked)


def test_shadow_facts_keep_no_hash() -> None:
    entries = acc.parse_shadow("alice:$6$SECRETSALT$SECRETHASH:19000:1:90:7:::\n")
    assert entries == [
        {
            "user": "alice",
            "hash_scheme": "sha512",
            "empty": False,
            "locked": False,
            "last_change": 19000,
            "min_days": 1,
            "max_days": 90,
            "warn_days": 7,
        }
    ]
    assert "SECRET" not in json.dumps(entries)


def test_login_defs_comments_and_values() -> None:
    text = (
        "# PASS_MAX_DAYS 1\n   # indented comment\nPASS_MAX_DAYS\t90\nENCRYPT_METHOD SHA512\nUMASK\t\t027\nMAIL_DIR /var/mail\n"
    )
    parsed = acc.parse_login_defs(text)
    assert parsed["PASS_MAX_DAYS"] == "90"
    assert parsed["UMASK"] == "027"
    assert "#" not in "".join(parsed)


def test_pam_line_parsing_keeps_bracket_controls() -> None:
    rules = acc.parse_pam_file(
        "# comment\n"
        "auth [success=1 default=ignore] pam_unix.so nullok\n"
        "-password optional /lib/security/pam_gnome_keyring.so\n"
        "password requisite pam_pwquality.so retry=3 minlen=12 \\\n  dcredit=-1 enforce_for_root\n"
        "@include common-auth\n"
        "garbage\n"
    )
    assert rules[0]["control"] == "[success=1 default=ignore]" and rules[0]["args"] == {"nullok": True}
    assert rules[1]["type"] == "password" and rules[1]["module"] == "pam_gnome_keyring.so"
    assert rules[2]["args"] == {"retry": "3", "minlen": "12", "dcredit": "-1", "enforce_for_root": True}
    assert rules[3]["type"] == "@include"
    assert len(rules) == 4


def test_pwquality_args_override_config_files(tmp_path: Path) -> None:
    ctx = _ctx(
        tmp_path,
        {
            "/etc/pam.d/common-password": "password requisite pam_pwquality.so minlen=12\npassword required pam_unix.so sha512\n",
            "/etc/security/pwquality.conf": "minlen = 9\nminclass = 2\n",
            "/etc/security/pwquality.conf.d/10.conf": "minlen = 20\nminclass = 4\n",
            "/etc/pam.d/common-auth": "auth required pam_tally2.so deny=4 unlock_time=60\n",
        },
    )
    facts = _run("host.pam", ctx).facts
    # conf.d first, then pwquality.conf on top, then module args on top.
    assert facts["quality"]["settings"]["minclass"] == 2
    assert facts["quality"]["min_length"] == 12
    lockout = {k: facts["lockout"][k] for k in ("module", "deny", "unlock_time", "even_deny_root", "records_failures")}
    assert lockout == {"module": "pam_tally2.so", "deny": 4, "unlock_time": 60, "even_deny_root": False, "records_failures": True}
    assert facts["unix"]["hash"] == "sha512"


DEBIAN_COMMON_AUTH = """\
# here are the per-package modules (the "Primary" block)
auth\trequired\t\t\tpam_faillock.so preauth
auth\t[success=1 default=ignore]\tpam_unix.so nullok
auth\t[default=die]\t\t\tpam_faillock.so authfail
# here's the fallback if no module succeeds
auth\trequisite\t\t\tpam_deny.so
auth\trequired\t\t\tpam_permit.so
auth\toptional\t\t\tpam_cap.so
"""
RHEL_SYSTEM_AUTH = """\
#%PAM-1.0
# Generated by authselect
auth        required      pam_env.so
auth        required      pam_faildelay.so delay=2000000
auth        required      pam_faillock.so preauth silent deny=4
auth        sufficient    pam_unix.so nullok
auth        [default=die] pam_faillock.so authfail deny=4
auth        required      pam_deny.so

account     required      pam_faillock.so
account     required      pam_unix.so
"""
FAILLOCK_CONF = "# deny = 3\ndeny = 5\nunlock_time = 900\n"


def _lockout(tmp_path: Path, files: Dict[str, str]) -> Dict[str, Any]:
    facts = _run("host.pam", _ctx(tmp_path, files)).facts
    assert facts is not None
    lockout: Dict[str, Any] = facts["lockout"]
    return lockout


def _drop_authfail(text: str) -> str:
    return "".join(line for line in text.splitlines(True) if "authfail" not in line)


def test_debian_faillock_stack_records_failures(tmp_path: Path) -> None:
    lockout = _lockout(tmp_path, {"/etc/pam.d/common-auth": DEBIAN_COMMON_AUTH, "/etc/security/faillock.conf": FAILLOCK_CONF})
    assert lockout["module"] == "pam_faillock.so" and lockout["records_failures"] is True
    assert lockout["modes"] == ["authfail", "preauth"]
    assert (lockout["deny"], lockout["unlock_time"]) == (5, 900)


def test_rhel_faillock_stack_args_override_conf(tmp_path: Path) -> None:
    lockout = _lockout(tmp_path, {"/etc/pam.d/system-auth": RHEL_SYSTEM_AUTH, "/etc/security/faillock.conf": FAILLOCK_CONF})
    assert lockout["records_failures"] is True and lockout["deny"] == 4


@pytest.mark.parametrize(
    "path, text",
    [("/etc/pam.d/common-auth", DEBIAN_COMMON_AUTH), ("/etc/pam.d/system-auth", RHEL_SYSTEM_AUTH)],
)
def test_faillock_preauth_only_records_nothing(tmp_path: Path, path: str, text: str) -> None:
    lockout = _lockout(tmp_path, {path: _drop_authfail(text), "/etc/security/faillock.conf": FAILLOCK_CONF})
    assert lockout["module"] == "pam_faillock.so"
    assert lockout["modes"] == ["preauth"]
    assert lockout["records_failures"] is False and lockout["unprotected_stacks"] == [path]


def test_faillock_line_without_mode_acts_as_preauth(tmp_path: Path) -> None:
    # pam_faillock's default action is PREAUTH: such a line never writes the tally.
    text = "auth required pam_faillock.so deny=3\nauth sufficient pam_unix.so\nauth required pam_deny.so\n"
    lockout = _lockout(tmp_path, {"/etc/pam.d/system-auth": text})
    assert lockout["modes"] == ["preauth"] and lockout["records_failures"] is False
    assert acc.faillock_mode({"preauth": True, "authfail": True}) == "authfail"  # last mode word wins


def test_lockout_follows_includes_and_weakest_stack_decides(tmp_path: Path) -> None:
    files = {
        "/etc/pam.d/system-auth": RHEL_SYSTEM_AUTH,
        # password-auth (sshd) only reaches faillock through an included file with preauth only.
        "/etc/pam.d/password-auth": "auth substack sshd-faillock\nauth sufficient pam_unix.so\n",
        "/etc/pam.d/sshd-faillock": "auth required pam_faillock.so preauth\n",
    }
    lockout = _lockout(tmp_path, files)
    assert lockout["unprotected_stacks"] == ["/etc/pam.d/password-auth"]
    files["/etc/pam.d/sshd-faillock"] += "auth [default=die] pam_faillock.so authfail deny=8\n"
    lockout = _lockout(tmp_path, files)
    assert lockout["unprotected_stacks"] == [] and lockout["deny"] == 8
    # Debian-style @include with a cycle does not loop.
    lockout = _lockout(tmp_path, {"/etc/pam.d/common-auth": "@include common-auth\n" + DEBIAN_COMMON_AUTH})
    assert lockout["records_failures"] is True


def test_tally2_only_in_account_is_no_lockout(tmp_path: Path) -> None:
    lockout = _lockout(
        tmp_path,
        {
            "/etc/pam.d/common-auth": DEBIAN_COMMON_AUTH.replace("pam_faillock.so", "pam_permit.so"),
            "/etc/pam.d/common-account": "account required pam_tally2.so deny=3\n",
        },
    )
    assert lockout["module"] is None
    lockout = _lockout(tmp_path, {"/etc/pam.d/common-auth": "auth required pam_tally2.so onerr=fail\n"})
    assert lockout["module"] == "pam_tally2.so" and lockout["deny"] is None


def test_positive_credits_shorten_effective_length() -> None:
    rules = acc.parse_pam_file("password requisite pam_pwquality.so minlen=10 dcredit=1 ucredit=1\n")
    assert acc._quality({}, rules)["min_length"] == 8


def test_no_pam_stack_is_an_error(tmp_path: Path) -> None:
    ev = _run("host.pam", _ctx(tmp_path, {"/etc/pam.d/other": "auth required pam_deny.so\n"}))
    assert ev.status is EvidenceStatus.ERROR and ev.reason and "PAM" in ev.reason


def test_sudoers_includes_aliases_and_defaults(tmp_path: Path) -> None:
    ctx = _ctx(
        tmp_path,
        {
            "/etc/sudoers": "Defaults\tuse_pty\nroot ALL=(ALL:ALL) ALL\n#0 ALL=(ALL) ALL\n@includedir /etc/sudoers.d\n#include extra\n",
            "/etc/extra": "User_Alias OPS = carol, dave\nOPS ALL=(root) NOPASSWD: /usr/bin/ls, PASSWD: ALL\n",
            "/etc/sudoers.d/app": "Cmnd_Alias EVERYTHING = ALL\nbot ALL=(ALL) NOPASSWD: EVERYTHING\nDefaults:bot !authenticate\n",
            "/etc/sudoers.d/skip.conf": "mallory ALL=(ALL) NOPASSWD: ALL\n",
            "/etc/sudoers.d/old~": "eve ALL=(ALL) NOPASSWD: ALL\n",
        },
    )
    facts = _run("host.sudoers", ctx).facts
    assert facts["files"] == ["/etc/sudoers", "/etc/sudoers.d/app", "/etc/extra"]
    assert facts["nopasswd_all_principals"] == ["bot"]
    assert facts["non_admin_all_principals"] == ["#0", "bot", "carol", "dave"]
    assert facts["nopasswd_rule_count"] == 2
    assert facts["use_pty"] is True
    assert facts["authenticate_disabled"] == ["Defaults:bot"]


@pytest.mark.parametrize(
    "line",
    [
        "bob ALL=(root) /usr/bin/ls : db01 = (ALL) NOPASSWD: ALL",
        "bob ALL=(ALL) ROLE=unconfined_r TYPE=unconfined_t NOPASSWD: ALL",
        "bob ALL=(ALL) CWD=* NOPASSWD: ALL",
        "bob ALL=(ALL) TIMEOUT=5m NOTBEFORE=20240101000000Z NOTAFTER=20991231000000Z CHROOT=/ NOPASSWD: ALL",
        "bob ALL=(ALL) NOPASSWD: /usr/bin/ls, (root) ALL",  # the tag carries over to later commands
        "bob ALL = ADMIN : db01 = NOPASSWD: ALL",  # an alias before ':' still splits the sections
    ],
)
def test_sudoers_nopasswd_all_variants(line: str) -> None:
    rule = acc.parse_user_spec(line, {"ADMIN": ["/usr/bin/ls"]})
    assert rule is not None and rule["principals"] == ["bob"]
    assert rule["nopasswd_all"] is True


@pytest.mark.parametrize(
    "line",
    [
        "bob ALL=(ALL) NOPASSWD: /usr/bin/systemctl restart nginx",
        "bob ALL=(ALL) NOPASSWD: /usr/bin/ls : db01 = ALL",  # tags do not cross into the next host section
        "bob ALL=(ALL) NOPASSWD: /usr/bin/ls, PASSWD: ALL",
        "bob ALL=(ALL:ALL) NOPASSWD: /usr/bin/printf a\\:b = c",
    ],
)
def test_sudoers_nopasswd_without_all(line: str) -> None:
    rule = acc.parse_user_spec(line, {})
    assert rule is not None and rule["nopasswd"] is True
    assert rule["nopasswd_all"] is False


def test_sudoers_missing_is_not_applicable(tmp_path: Path) -> None:
    ev = _run("host.sudoers", _ctx(tmp_path, {"/etc/passwd": "root:x:0:0::/root:/bin/bash\n"}))
    assert ev.status is EvidenceStatus.NOT_APPLICABLE


def test_shell_scan_tmout_readonly_and_umask() -> None:
    found = acc.scan_shell_file("/etc/profile", "# TMOUT=0\nexport TMOUT=300\nreadonly TMOUT\nif true; then umask 0077; fi\n")
    assert found["tmout"] == [{"file": "/etc/profile", "line": 2, "value": 300, "readonly": True}]
    assert found["umask"] == [{"file": "/etc/profile", "line": 4, "value": "077"}]
    assert acc.scan_shell_file("/x", "declare -r TMOUT=600\n")["tmout"][0]["readonly"] is True


@pytest.mark.parametrize(
    "value,issues",
    [
        ("/usr/sbin:/usr/bin", []),
        ("$PATH:.", ["'.' entry"]),
        ("/usr/bin::/bin", ["empty entry"]),
        ("bin:/usr/bin", ["relative entry bin"]),
        ("$PATH:$HOME/bin", []),
    ],
)
def test_path_problems(value: str, issues: list) -> None:
    assert acc.path_problems(value) == issues


def test_trust_files_found_through_passwd_homes(tmp_path: Path) -> None:
    ctx = _ctx(
        tmp_path,
        {
            "/etc/passwd": "root:x:0:0::/root:/bin/bash\nann:x:1000:1000::/home/ann:/bin/bash\n",
            "/home/ann/.netrc": "dummy\n",
            "/etc/hosts.equiv": "+\n",
        },
    )
    facts = _run("host.shell_env", ctx).facts
    assert [f["path"] for f in facts["trust_files"]["found"]] == ["/etc/hosts.equiv", "/home/ann/.netrc"]


@pytest.mark.parametrize("host", FIXTURE_HOSTS)
def test_fixture_collectors_ok(host: str) -> None:
    evs = evidence_map(host)
    for name in ("host.passwd", "host.shadow", "host.group", "host.login_defs", "host.pam", "host.sudoers", "host.shell_env"):
        assert evs[name].status is EvidenceStatus.OK, (name, evs[name].reason)


def test_no_shadow_hash_appears_in_evidence() -> None:
    for host in FIXTURE_HOSTS:
        hashes = []
        for line in (HOSTS_DIR / host / "root/etc/shadow").read_text().splitlines():
            field = line.split(":")[1]
            if len(field) > 2:
                hashes += [field, field.lstrip("!").split("$")[-1]]
        assert hashes
        blob = json.dumps([e.to_json() for e in evidence_map(host).values()])
        for h in hashes:
            assert h not in blob, (host, h)


def test_unprivileged_replay_cannot_read_shadow_or_sudoers() -> None:
    ctx = host_context("debian-hardened", privileged=False)
    shadow = _run("host.shadow", ctx)
    sudoers = _run("host.sudoers", ctx)
    assert shadow.status is EvidenceStatus.ERROR and shadow.error_reason is ErrorReason.PERMISSION_DENIED
    assert sudoers.status is EvidenceStatus.ERROR and sudoers.error_reason is ErrorReason.PERMISSION_DENIED
    assert _run("host.passwd", ctx).status is EvidenceStatus.OK


def test_weak_host_records_world_readable_shadow() -> None:
    stat = json.loads((HOSTS_DIR / "debian-weak/stat/accounts.json").read_text())
    assert stat["/etc/shadow"]["mode"] == "0644"
    assert json.loads((HOSTS_DIR / "openeuler-server/stat/accounts.json").read_text())["/etc/shadow"]["mode"] == "0000"


def test_truncated_passwd_finding_is_error_with_reason(tmp_path: Path) -> None:
    from checks.catalogue import all_checks
    from checks.model import Status
    from checks.registry import EvidenceView, evaluate_one

    ctx = _ctx(tmp_path, {"/etc/passwd": "root:x:0:0:root:/root:/bin/bash\ntoor:x:0"})
    finding = evaluate_one(all_checks()["LNX-ACC-001"], EvidenceView([_run("host.passwd", ctx)]))
    assert finding.status is Status.ERROR
    assert finding.reason and "/etc/passwd: line 2: expected 7 fields, found 3" in finding.reason


@pytest.mark.parametrize(
    ("lines", "use_pty", "logfile", "log_output", "scoped"),
    [
        ("Defaults log_output\nDefaults !log_output\n", False, None, False, []),
        ("Defaults logfile=/var/log/sudo.log\nDefaults !logfile\n", False, None, False, []),
        ("Defaults !use_pty\nDefaults use_pty\n", True, None, False, []),
        ("Defaults:deploy log_output\n", False, None, False, ["Defaults:deploy log_output"]),
        ("Defaults log_output\nDefaults:deploy !log_output\n", False, None, False, ["Defaults:deploy !log_output"]),
        ("Defaults use_pty, logfile=\"/var/log/sudo.log\"\nDefaults@db01 !use_pty\n", False, "/var/log/sudo.log", False, ["Defaults@db01 !use_pty"]),
        ("Defaults!/usr/bin/sudoreplay !log_output\nDefaults log_output\n", False, None, False, ["Defaults!/usr/bin/sudoreplay !log_output"]),
        ("Defaults   log_output , use_pty\n", True, None, True, []),
    ],
)
def test_sudoers_defaults_negation_and_scope(
    tmp_path: Path, lines: str, use_pty: bool, logfile: Any, log_output: bool, scoped: Any
) -> None:
    facts = _run("host.sudoers", _ctx(tmp_path, {"/etc/sudoers": "root ALL=(ALL:ALL) ALL\n" + lines})).facts
    assert (facts["use_pty"], facts["logfile"], facts["log_output"], facts["scoped_defaults"]) == (use_pty, logfile, log_output, scoped)


def test_nis_compat_entries_are_not_damaged_passwd(tmp_path: Path) -> None:
    passwd = "root:x:0:0:root:/root:/bin/bash\n-guest\n+@sysadmins\n+::::::\n+\n"
    facts = _run("host.shell_env", _ctx(tmp_path, {"/etc/passwd": passwd})).facts
    assert facts["trust_files"]["passwd_damaged"] is False
    assert evidence_map("debian-hardened-nis-compat")["host.shell_env"].facts["trust_files"]["passwd_damaged"] is False


def test_password_stacks_are_judged_apart() -> None:
    facts = evidence_map("openeuler-server-minlen-system-auth-only")["host.pam"].facts
    stacks = facts["password_stacks"]
    assert {p: s["min_length"] for p, s in stacks.items()} == {"/etc/pam.d/system-auth": 14, "/etc/pam.d/password-auth": 8}
    assert facts["weakest_password_stack"] == "/etc/pam.d/password-auth" and facts["quality"]["min_length"] == 8
    debian = evidence_map("debian-hardened")["host.pam"].facts
    assert list(debian["password_stacks"]) == ["/etc/pam.d/common-password"]
