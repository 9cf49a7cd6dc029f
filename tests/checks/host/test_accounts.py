"""Account, password-policy and sudo checks on the fixture hosts and edge cases."""

from __future__ import annotations

from typing import Any, Dict

import pytest

from checks.catalogue import all_checks
from checks.model import Status
from checks.registry import EvidenceView, evaluate_one
from collectors.evidence import Evidence, EvidenceStatus
from tests.hosts import status_of

P, F, E, M = Status.PASS, Status.FAIL, Status.ERROR, Status.MANUAL

# check id -> (debian-hardened, debian-weak, openeuler-server)
EXPECTED = {
    "LNX-ACC-001": (P, F, P),
    "LNX-ACC-002": (P, F, P),
    "LNX-ACC-003": (P, F, P),
    "LNX-ACC-004": (P, F, P),
    "LNX-ACC-005": (P, F, P),
    "LNX-ACC-006": (P, F, P),
    "LNX-ACC-007": (P, F, P),
    "LNX-ACC-008": (P, F, P),
    "LNX-ACC-009": (P, F, P),
    "LNX-ACC-010": (P, F, F),
    "LNX-PWD-001": (P, F, F),
    "LNX-PWD-002": (P, F, F),
    "LNX-PWD-003": (P, F, P),
    "LNX-PWD-004": (P, F, P),
    "LNX-PWD-005": (P, F, P),
    "LNX-PWD-006": (P, F, P),
    "LNX-PWD-007": (P, F, P),
    "LNX-PWD-008": (P, F, P),
    "LNX-PWD-009": (P, F, P),
    "LNX-SUDO-001": (P, F, P),
    "LNX-SUDO-002": (P, F, F),
    "LNX-SUDO-003": (P, F, F),
    "LNX-SUDO-004": (P, F, F),
    "LNX-SUDO-005": (P, F, P),
}
HOSTS = ("debian-hardened", "debian-weak", "openeuler-server")
SHADOW_CHECKS = ("LNX-ACC-002", "LNX-PWD-008")
SUDOERS_CHECKS = ("LNX-SUDO-001", "LNX-SUDO-002", "LNX-SUDO-003")


@pytest.mark.parametrize("check_id", sorted(EXPECTED))
@pytest.mark.parametrize("index", range(3))
def test_fixture_status(check_id: str, index: int) -> None:
    assert status_of(HOSTS[index], check_id) is EXPECTED[check_id][index]


@pytest.mark.parametrize("check_id", SHADOW_CHECKS + SUDOERS_CHECKS)
def test_unprivileged_shadow_and_sudoers_checks_error(check_id: str) -> None:
    assert status_of("debian-hardened", check_id, privileged=False) is E


def test_root_only_checks_are_flagged() -> None:
    checks = all_checks()
    for cid in SHADOW_CHECKS + SUDOERS_CHECKS:
        assert checks[cid].meta.needs_root, cid
    assert checks["LNX-ACC-002"].meta.high_risk_case == "6.4.1.1"
    assert checks["LNX-PWD-005"].meta.high_risk_case is None  # a policy shows weak passwords are allowed, not that one exists


def _ev(name: str, facts: Dict[str, Any], status: EvidenceStatus = EvidenceStatus.OK) -> Evidence:
    return Evidence(
        collector=name, target="t", status=status, facts=facts, reason=None if status is EvidenceStatus.OK else "broken"
    )


def _run(check_id: str, *evidence: Evidence, **params: Any) -> Status:
    return evaluate_one(all_checks()[check_id], EvidenceView(evidence), params or None).status


def test_malformed_passwd_gives_error_not_pass() -> None:
    assert _run("LNX-ACC-001", _ev("host.passwd", {}, EvidenceStatus.ERROR)) is E


def test_min_length_param_and_unenforced_stack() -> None:
    pam = {"quality": {"module": None}, "unix": {"present": False}}
    assert _run("LNX-PWD-005", _ev("host.pam", pam)) is F
    pam = {"quality": {"module": "pam_pwquality.so", "min_length": 8, "settings": {}}, "unix": {"present": True, "minlen": 6}}
    assert _run("LNX-PWD-004", _ev("host.pam", pam)) is P
    assert _run("LNX-PWD-004", _ev("host.pam", pam), min_length=12) is F


def test_tmout_param_and_readonly() -> None:
    env = _ev("host.shell_env", {"tmout": [{"file": "/etc/profile", "line": 1, "value": 1800, "readonly": True}]})
    assert _run("LNX-ACC-010", env) is F
    assert _run("LNX-ACC-010", env, max_seconds=3600) is P
    env = _ev("host.shell_env", {"tmout": [{"file": "/etc/profile", "line": 1, "value": 600, "readonly": False}]})
    assert _run("LNX-ACC-010", env) is F
    assert _run("LNX-ACC-010", env, require_readonly=False) is P


def test_umask_stricter_values_pass() -> None:
    defs = _ev("host.login_defs", {"umask_octal": "077"})
    assert _run("LNX-ACC-009", defs, _ev("host.shell_env", {"umask": [{"file": "/etc/bashrc", "line": 3, "value": "027"}]})) is P
    assert _run("LNX-ACC-009", defs, _ev("host.shell_env", {"umask": [{"file": "/etc/bashrc", "line": 3, "value": "002"}]})) is F


def test_trust_files_unreadable_home_is_error() -> None:
    env = _ev("host.shell_env", {"trust_files": {"found": [], "unreadable_homes": ["/home/x"], "passwd_damaged": False}})
    assert _run("LNX-ACC-008", env) is E


def test_max_age_checks_existing_accounts() -> None:
    defs = _ev("host.login_defs", {"values": {"PASS_MAX_DAYS": 90}})
    shadow = _ev("host.shadow", {"entries": [{"user": "old", "locked": False, "empty": False, "max_days": 99999}]})
    assert _run("LNX-PWD-001", defs, shadow) is F
    assert _run("LNX-PWD-001", defs, shadow, max_days=100000) is P


def test_max_age_without_shadow_is_manual_unless_login_defs_fails() -> None:
    shadow_error = _ev("host.shadow", {}, EvidenceStatus.ERROR)
    assert _run("LNX-PWD-001", _ev("host.login_defs", {"values": {"PASS_MAX_DAYS": 90}}), shadow_error) is M
    assert _run("LNX-PWD-001", _ev("host.login_defs", {"values": {"PASS_MAX_DAYS": 99999}}), shadow_error) is F
    assert status_of("debian-hardened", "LNX-PWD-001", privileged=False) is M


def test_lockout_preauth_only_fails() -> None:
    lockout = {
        "module": "pam_faillock.so",
        "deny": 3,
        "modes": ["preauth"],
        "records_failures": False,
        "unprotected_stacks": ["/etc/pam.d/common-auth"],
    }
    assert _run("LNX-PWD-007", _ev("host.pam", {"lockout": lockout})) is F
    lockout.update(modes=["authfail", "preauth"], records_failures=True, unprotected_stacks=[])
    assert _run("LNX-PWD-007", _ev("host.pam", {"lockout": lockout})) is P


def _finding(host: str, check_id: str, privileged: bool = True, params: Any = None) -> Any:
    from checks.catalogue import evaluate
    from tests.hosts import FIXTURE_PROFILE, host_evidence, host_findings

    if params is None:
        return next(f for f in host_findings(host, privileged) if f.check_id == check_id)
    found = evaluate(list(host_evidence(host, privileged)), FIXTURE_PROFILE, {check_id: params})
    return next(f for f in found if f.check_id == check_id)


def test_nis_compat_lines_are_not_damage() -> None:
    """debian-hardened whose /etc/passwd ends with NIS compat entries (-guest, +@sysadmins, +)."""
    for privileged in (True, False):
        f = _finding("debian-hardened-nis-compat", "LNX-ACC-008", privileged)
        assert f.status is P, f.reason


def test_password_length_is_judged_on_the_weakest_stack() -> None:
    """openeuler-server with minlen=14 on system-auth's pam_pwquality only: password-auth still accepts 8."""
    f = _finding("openeuler-server-minlen-system-auth-only", "LNX-PWD-004", params={"min_length": 14})
    assert f.status is F, f.reason
    assert f.observed["stack"] == "/etc/pam.d/password-auth"
    assert f.observed["stacks"] == {"/etc/pam.d/password-auth": 8, "/etc/pam.d/system-auth": 14}
    # the recorded host (pwquality.conf minlen = 8, both stacks alike) meets the default threshold
    both = _finding("openeuler-server", "LNX-PWD-004", params={"min_length": 8})
    assert both.status is P


def test_sudo_logging_scoped_to_one_user_is_not_sudo_logging() -> None:
    """debian-weak with `Defaults:svc-deploy log_output` only: one user's sessions are recorded, nobody else's."""
    f = _finding("debian-weak-sudo-scoped-log-output", "LNX-SUDO-003")
    assert f.status is F and f.observed["scoped_defaults"] == ["Defaults:svc-deploy log_output"]


def test_sudo_logging_negated_later_is_off() -> None:
    """debian-hardened with a later drop-in `Defaults !logfile` / `Defaults !log_output`."""
    f = _finding("debian-hardened-sudo-log-negated", "LNX-SUDO-003")
    assert f.status is F and f.observed["logfile"] is None and f.observed["log_output"] is False
    assert status_of("debian-hardened", "LNX-SUDO-003") is P
