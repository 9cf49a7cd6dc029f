"""LNX-SSH-*: exact statuses on the fixture hosts, and edge cases on hand-made evidence."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, Dict, Optional

import pytest

from checks.catalogue import all_checks
from checks.model import Status
from checks.registry import EvidenceView, evaluate_one
from collectors.catalogue import all_collectors
from collectors.context import HostContext, RecordedProcessView
from collectors.evidence import ErrorReason, Evidence, EvidenceStatus
from collectors.host.sshd import DEFAULTS
from collectors.registry import run_collector
from collectors.runner import RecordedRunner
from tests.hosts import evidence_map, status_of, statuses

P, F = Status.PASS, Status.FAIL

EXPECTED: Dict[str, Dict[str, Status]] = {
    #              hardened  weak  openeuler
    "LNX-SSH-001": {"debian-hardened": P, "debian-weak": F, "openeuler-server": P},
    "LNX-SSH-002": {"debian-hardened": P, "debian-weak": F, "openeuler-server": F},
    "LNX-SSH-003": {"debian-hardened": P, "debian-weak": F, "openeuler-server": P},
    "LNX-SSH-004": {"debian-hardened": P, "debian-weak": F, "openeuler-server": P},
    "LNX-SSH-005": {"debian-hardened": P, "debian-weak": F, "openeuler-server": F},
    "LNX-SSH-006": {"debian-hardened": P, "debian-weak": F, "openeuler-server": P},
    "LNX-SSH-007": {"debian-hardened": P, "debian-weak": F, "openeuler-server": P},
    "LNX-SSH-008": {"debian-hardened": P, "debian-weak": F, "openeuler-server": P},
    "LNX-SSH-009": {"debian-hardened": P, "debian-weak": F, "openeuler-server": P},
    "LNX-SSH-010": {"debian-hardened": P, "debian-weak": F, "openeuler-server": P},
    "LNX-SSH-011": {"debian-hardened": P, "debian-weak": F, "openeuler-server": P},
    "LNX-SSH-012": {"debian-hardened": P, "debian-weak": F, "openeuler-server": P},
    "LNX-SSH-013": {"debian-hardened": P, "debian-weak": F, "openeuler-server": P},
    "LNX-SSH-014": {"debian-hardened": P, "debian-weak": F, "openeuler-server": P},
    "LNX-SSH-015": {"debian-hardened": P, "debian-weak": F, "openeuler-server": F},
    "LNX-SSH-016": {"debian-hardened": P, "debian-weak": F, "openeuler-server": P},
    "LNX-SSH-017": {"debian-hardened": P, "debian-weak": F, "openeuler-server": P},
    "LNX-SSH-018": {"debian-hardened": P, "debian-weak": F, "openeuler-server": F},
    "LNX-SSH-019": {"debian-hardened": P, "debian-weak": F, "openeuler-server": F},
}


@pytest.mark.parametrize("check_id", sorted(EXPECTED))
@pytest.mark.parametrize("host", ["debian-hardened", "debian-weak", "openeuler-server"])
def test_fixture_status(host: str, check_id: str) -> None:
    assert status_of(host, check_id) is EXPECTED[check_id][host]


def test_unprivileged_replay_is_error_never_pass() -> None:
    got = statuses("openeuler-server", privileged=False)
    assert {got[cid] for cid in EXPECTED} == {Status.ERROR}


def test_metadata() -> None:
    reg = all_checks()
    assert reg["LNX-SSH-019"].meta.high_risk_case == "6.4.1.3"
    assert reg["LNX-SSH-019"].meta.severity.value == "critical"
    assert reg["LNX-SSH-002"].meta.severity.value in ("high", "critical")
    assert "L3-CES1-19" in [m.unit for m in reg["LNX-SSH-018"].meta.mlps]
    assert all(reg[c].meta.needs == ("host.sshd",) for c in EXPECTED)


# -- hand-made evidence -----------------------------------------------------------------
def _facts(**cfg: Any) -> Dict[str, Any]:
    config = copy.deepcopy(DEFAULTS)
    config.update(cfg)
    return {
        "config": config,
        "match_blocks": [],
        "config_file_stats": [{"path": "/etc/ssh/sshd_config", "mode": "0600", "uid": 0, "gid": 0}],
        "host_keys": [{"path": "/etc/ssh/ssh_host_ed25519_key", "mode": "0600", "uid": 0, "gid": 0, "group": "root"}],
        "pam": {"present": True, "mfa_modules": [], "error": None},
    }


def _run(check_id: str, facts: Dict[str, Any], params: Optional[Dict[str, Any]] = None):
    ev = Evidence(collector="host.sshd", target="t", status=EvidenceStatus.OK, facts=facts)
    return evaluate_one(all_checks()[check_id], EvidenceView([ev]), params)


def test_match_block_reenabling_passwords_fails_and_names_it() -> None:
    facts = _facts(passwordauthentication="no", kbdinteractiveauthentication="no")
    assert _run("LNX-SSH-002", facts).status is P
    facts["match_blocks"] = [
        {
            "criteria": "address 10.0.0.0/8",
            "conditions": [["address", "10.0.0.0/8"]],
            "file": "/etc/ssh/sshd_config",
            "line": 40,
            "settings": {"passwordauthentication": "yes"},
            "never_matches": False,
        }
    ]
    f = _run("LNX-SSH-002", facts)
    assert f.status is F
    assert "address 10.0.0.0/8" in (f.reason or "")
    assert "global" not in (f.reason or "")


def test_keyboard_interactive_via_pam_is_a_password() -> None:
    facts = _facts(passwordauthentication="no", kbdinteractiveauthentication="yes", usepam="yes")
    assert _run("LNX-SSH-002", facts).status is F
    facts["config"]["usepam"] = "no"  # no PAM: keyboard-interactive has no back end
    assert _run("LNX-SSH-002", facts).status is P


def test_mfa_paths() -> None:
    # default config: key alone or password alone
    f = _run("LNX-SSH-019", _facts())
    assert f.status is F and "password-only" in (f.reason or "")
    # key-only: still a single factor
    f = _run("LNX-SSH-019", _facts(passwordauthentication="no", kbdinteractiveauthentication="no"))
    assert f.status is F and "single-factor" in (f.reason or "")
    # key then password
    facts = _facts(authenticationmethods="publickey,password")
    assert _run("LNX-SSH-019", facts).status is P
    # an unusable alternative list does not count
    facts = _facts(authenticationmethods="publickey,password password", passwordauthentication="yes")
    assert _run("LNX-SSH-019", facts).status is F
    # keyboard-interactive backed by an OTP PAM module
    facts = _facts(passwordauthentication="no", pubkeyauthentication="no", usepam="yes")
    facts["pam"]["mfa_modules"] = ["pam_google_authenticator"]
    facts["pam"]["otp_enforced"] = ["pam_google_authenticator"]
    f = _run("LNX-SSH-019", facts)
    assert f.status is P
    assert f.observed["pam_otp_modules"] == ["pam_google_authenticator"]


def test_root_login_param() -> None:
    facts = _facts(permitrootlogin="prohibit-password")
    assert _run("LNX-SSH-001", facts).status is F
    assert _run("LNX-SSH-001", facts, {"permit_root_login_allowed": ["no", "without-password"]}).status is P


def test_idle_timeout_count_zero_means_never() -> None:
    assert _run("LNX-SSH-005", _facts(clientaliveinterval="300", clientalivecountmax="3")).status is P
    assert _run("LNX-SSH-005", _facts(clientaliveinterval="300", clientalivecountmax="0")).status is F
    assert _run("LNX-SSH-005", _facts(clientaliveinterval="600", clientalivecountmax="1")).status is F


def test_thresholds_are_parameters() -> None:
    facts = _facts(maxauthtries="6", logingracetime="120")
    assert _run("LNX-SSH-004", facts).status is F
    assert _run("LNX-SSH-004", facts, {"max_auth_tries": 6}).status is P
    assert _run("LNX-SSH-010", facts).status is F
    assert _run("LNX-SSH-010", facts, {"login_grace_time_max": 120}).status is P
    assert _run("LNX-SSH-010", _facts(logingracetime="0"), {"login_grace_time_max": 120}).status is F


def test_default_algorithms() -> None:
    facts = _facts()  # OpenSSH 9.x defaults
    assert _run("LNX-SSH-012", facts).status is P
    assert _run("LNX-SSH-014", facts).status is P
    f = _run("LNX-SSH-013", facts)
    assert f.status is F and "hmac-sha1" in (f.reason or "")


def test_forwarding_disable_forwarding_wins() -> None:
    assert _run("LNX-SSH-009", _facts(disableforwarding="yes", x11forwarding="yes")).status is P
    assert _run("LNX-SSH-009", _facts(allowtcpforwarding="local", x11forwarding="no")).status is F


def test_host_keys_rhel_ssh_keys_group_and_missing() -> None:
    facts = _facts()
    facts["host_keys"] = [{"path": "/etc/ssh/ssh_host_rsa_key", "mode": "0640", "uid": 0, "gid": 995, "group": "ssh_keys"}]
    assert _run("LNX-SSH-017", facts).status is P
    facts["host_keys"][0]["group"] = "users"
    assert _run("LNX-SSH-017", facts).status is F
    facts["host_keys"] = []
    assert _run("LNX-SSH-017", facts).status is Status.MANUAL


def test_access_restricted_by_match_address() -> None:
    facts = _facts()
    assert _run("LNX-SSH-018", facts).status is F
    facts["match_blocks"] = [
        {
            "criteria": "address !10.0.0.0/8,*",
            "conditions": [["address", "!10.0.0.0/8,*"]],
            "file": "/etc/ssh/sshd_config",
            "line": 3,
            "settings": {"denyusers": ["*"]},
            "never_matches": False,
        }
    ]
    assert _run("LNX-SSH-018", facts).status is P


def test_errors_and_not_applicable_propagate() -> None:
    err = Evidence(
        "host.sshd",
        "t",
        EvidenceStatus.ERROR,
        reason="cannot read /etc/ssh/sshd_config",
        error_reason=ErrorReason.PERMISSION_DENIED,
    )
    na = Evidence("host.sshd", "t", EvidenceStatus.NOT_APPLICABLE, reason="OpenSSH server is not installed")
    for cid in EXPECTED:
        assert evaluate_one(all_checks()[cid], EvidenceView([err])).status is Status.ERROR
        assert evaluate_one(all_checks()[cid], EvidenceView([na])).status is Status.NOT_APPLICABLE


def test_weak_fixture_reports_the_match_block() -> None:
    assert evidence_map("debian-weak")["host.sshd"].method == "files"
    from tests.hosts import host_findings

    f = next(x for x in host_findings("debian-weak") if x.check_id == "LNX-SSH-002")
    assert "Match address 10.0.0.0/8" in (f.reason or "")


# -- review fixes ---------------------------------------------------------------------
def _tmp_host_statuses(tmp_path: Path, files: Dict[str, str]) -> Dict[str, Status]:
    for rel, text in files.items():
        target = tmp_path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    (tmp_path / "commands").mkdir(exist_ok=True)
    ctx = HostContext(
        root=tmp_path,
        runner=RecordedRunner(tmp_path / "commands"),
        processes=RecordedProcessView({}),
        target="t",
        privileged=True,
    )
    view = EvidenceView([run_collector(all_collectors()["host.sshd"], ctx)])
    return {cid: evaluate_one(all_checks()[cid], view).status for cid in EXPECTED}


OTP_SSHD_CONFIG = "UsePAM yes\nKbdInteractiveAuthentication yes\nPubkeyAuthentication no\nPasswordAuthentication no\n"
COMMON_AUTH = "auth [success=1 default=ignore] pam_unix.so nullok\nauth requisite pam_deny.so\nauth required pam_permit.so\n"


@pytest.mark.parametrize(
    "otp_line, want",
    [
        ("auth optional pam_google_authenticator.so nullok", Status.MANUAL),  # the review's reproduction
        ("auth required pam_google_authenticator.so nullok", Status.MANUAL),
        ("auth sufficient pam_google_authenticator.so", Status.MANUAL),
        ("auth required pam_google_authenticator.so", Status.PASS),
    ],
)
def test_otp_module_counts_only_when_enforced(tmp_path: Path, otp_line: str, want: Status) -> None:
    got = _tmp_host_statuses(
        tmp_path,
        {
            "etc/ssh/sshd_config": OTP_SSHD_CONFIG,
            "etc/pam.d/sshd": f"@include common-auth\n{otp_line}\n",
            "etc/pam.d/common-auth": COMMON_AUTH,
        },
    )
    assert (got["LNX-SSH-002"], got["LNX-SSH-019"]) == (want, want)


def test_doubtful_otp_reason_names_the_problem() -> None:
    facts = _facts(passwordauthentication="no", pubkeyauthentication="no", usepam="yes")
    facts["pam"]["otp_not_enforced"] = [{"module": "pam_oath", "why": "pam_oath (/etc/pam.d/sshd: auth optional): x"}]
    f = _run("LNX-SSH-019", facts)
    assert f.status is Status.MANUAL and "pam_oath" in (f.reason or "")
    # a doubt about OTP does not rescue a plain PasswordAuthentication yes
    facts["config"]["passwordauthentication"] = "yes"
    assert _run("LNX-SSH-002", facts).status is F


def test_match_from_included_file_is_judged(tmp_path: Path) -> None:
    """The review's reproduction: a Match in a file Included from a Match block re-enables passwords and root."""
    got = _tmp_host_statuses(
        tmp_path,
        {
            "etc/ssh/sshd_config": "PermitRootLogin no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n"
            "Match Address 10.0.0.0/8\nInclude lan.conf\n",
            "etc/ssh/lan.conf": "Match User *\nPasswordAuthentication yes\nPermitRootLogin yes\n",
        },
    )
    assert got["LNX-SSH-001"] is F
    assert got["LNX-SSH-002"] is F


def _block(criteria: str, settings: Dict[str, Any]) -> Dict[str, Any]:
    kind, _, value = criteria.partition(" ")
    return {
        "criteria": criteria,
        "conditions": [[kind, value]],
        "file": "/etc/ssh/sshd_config",
        "line": 9,
        "settings": settings,
        "never_matches": False,
    }


def test_access_restriction_needs_real_narrowing() -> None:
    assert _run("LNX-SSH-018", _facts(allowusers=["*"])).status is F
    assert _run("LNX-SSH-018", _facts(allowgroups=["*"], allowusers=["*@*"])).status is F
    assert _run("LNX-SSH-018", _facts(allowusers=["*@10.0.0.0/8"])).status is P  # source-address pinning
    assert _run("LNX-SSH-018", _facts(allowusers=["*", "alice"])).status is P
    # Deny-only blocks for a positive address list leave every other source open: a person must look
    facts = _facts()
    facts["match_blocks"] = [_block("address 10.0.0.0/8", {"denyusers": ["root"]})]
    f = _run("LNX-SSH-018", facts)
    assert f.status is Status.MANUAL and "Match address 10.0.0.0/8" in str(f.observed)
    facts["match_blocks"] = [_block("address 10.0.0.0/8", {"denyusers": ["*"]})]
    assert _run("LNX-SSH-018", facts).status is Status.MANUAL
    # everything except the management network: nobody / only named users
    facts["match_blocks"] = [_block("address !10.0.0.0/8,*", {"allowusers": ["admin"]})]
    assert _run("LNX-SSH-018", facts).status is P
    facts["match_blocks"] = [_block("address !10.0.0.0/8,*", {"denyusers": ["root"]})]
    assert _run("LNX-SSH-018", facts).status is Status.MANUAL
    facts["match_blocks"] = [_block("address !10.0.0.0/8,*", {"permitrootlogin": "no"})]
    assert _run("LNX-SSH-018", facts).status is F


def test_config_mode_limit_0000_is_strictest_not_default() -> None:
    """max_mode "0000" is a real limit (nothing may be granted), not a missing one falling back to 0600."""
    sshd = evidence_map("debian-hardened")["host.sshd"]
    rc = all_checks()["LNX-SSH-016"]
    assert evaluate_one(rc, EvidenceView([sshd])).status is Status.PASS  # 0600 files meet the default
    strict = evaluate_one(rc, EvidenceView([sshd]), {"max_mode": "0000"})
    assert strict.status is Status.FAIL and "/etc/ssh/sshd_config 0600" in (strict.reason or "")
    assert evaluate_one(rc, EvidenceView([sshd]), {"max_mode": "rw-------"}).status is Status.ERROR
