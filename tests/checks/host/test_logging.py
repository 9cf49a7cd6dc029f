"""LNX-AUD / LNX-LOG / LNX-TIME: exact statuses per fixture host, privileged and not."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Dict

import pytest

from checks.host.logging import audit_identity_watches, log_retention, remote_logging
from checks.model import Reason, Status, Verdict
from checks.registry import EvidenceView, Params
from collectors.catalogue import all_collectors
from collectors.context import HostContext, RecordedProcessView
from collectors.registry import run_collector
from collectors.runner import RecordedRunner
from tests.hosts import status_of

P, F, M = Status.PASS, Status.FAIL, Status.MANUAL

EXPECTED = {
    #               hardened, weak, openeuler
    "LNX-AUD-001": (P, F, P),
    "LNX-AUD-002": (P, F, F),
    "LNX-AUD-003": (P, F, P),
    "LNX-AUD-004": (P, F, F),
    "LNX-LOG-001": (P, F, P),
    "LNX-LOG-002": (P, F, F),
    "LNX-LOG-003": (P, F, F),
    "LNX-TIME-001": (P, F, P),
}
HOSTS = ("debian-hardened", "debian-weak", "openeuler-server")


@pytest.mark.parametrize("check_id", sorted(EXPECTED))
def test_fixture_statuses(check_id: str) -> None:
    got = tuple(status_of(h, check_id) for h in HOSTS)
    assert got == EXPECTED[check_id]


@pytest.mark.parametrize("host", ["debian-hardened", "openeuler-server"])
@pytest.mark.parametrize("check_id", ["LNX-AUD-001", "LNX-AUD-002", "LNX-AUD-003", "LNX-AUD-004"])
def test_unprivileged_audit_is_manual_never_pass(host: str, check_id: str) -> None:
    assert status_of(host, check_id, privileged=False) in (Status.MANUAL, Status.ERROR)
    assert status_of(host, check_id, privileged=False) is M


# -- regressions (review findings): run the real collector on a tmp host, then the check --

_LOGROTATE_GOOD = "weekly\nrotate 4\n/var/log/syslog /var/log/auth.log {\n weekly\n rotate 52\n}\n"


def _verdict(tmp_path: Path, files: Dict[str, str], collector: str, fn: Callable[[EvidenceView, Params], Verdict]) -> Verdict:
    for rel, text in files.items():
        path = tmp_path / "root" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    ctx = HostContext(
        root=tmp_path / "root",
        runner=RecordedRunner(tmp_path / "commands"),
        processes=RecordedProcessView({}),
        target="t",
        privileged=True,
    )
    ev = run_collector(all_collectors()[collector], ctx)
    return fn(EvidenceView([ev]), CHECKS[fn])


CHECKS: Dict[Any, Dict[str, Any]] = {log_retention: {"min_days": 180}, remote_logging: {}, audit_identity_watches: {}}


@pytest.mark.parametrize(
    ("files", "status"),
    [
        ({"etc/logrotate.conf": _LOGROTATE_GOOD}, P),
        # audit log rotated by size: its retention is unknown, so no PASS
        ({"etc/logrotate.conf": _LOGROTATE_GOOD, "etc/audit/auditd.conf": "max_log_file_action = ROTATE\n"}, M),
        ({"etc/logrotate.conf": _LOGROTATE_GOOD, "etc/audit/auditd.conf": "max_log_file_action = keep_logs\n"}, P),
        # size-driven rotation of the system log: unknown, not 200 days
        ({"etc/logrotate.conf": "/var/log/syslog /var/log/auth.log {\n daily\n rotate 200\n maxsize 10M\n}\n"}, M),
        # only the auth log has a policy: the system log is missing
        ({"etc/logrotate.conf": "/var/log/auth.log {\n weekly\n rotate 52\n}\n"}, M),
        # a known short log fails even when others are unknown
        ({"etc/logrotate.conf": "/var/log/syslog {\n daily\n rotate 7\n}\n/var/log/auth.log {\n size 10M\n}\n"}, F),
        # journald alone never proves the retention ...
        ({"etc/systemd/journald.conf": "[Journal]\nStorage=persistent\nMaxRetentionSec=1year\n"}, M),
        # ... but an upper bound below the threshold proves a shortfall
        ({"etc/systemd/journald.conf": "[Journal]\nStorage=persistent\nMaxRetentionSec=1month\n"}, F),
    ],
)
def test_log_retention_decision(tmp_path: Path, files: Dict[str, str], status: Status) -> None:
    assert _verdict(tmp_path, files, "host.log_retention", log_retention).status is status


def test_log_retention_glob_block_is_not_silently_missing(tmp_path: Path) -> None:
    files = {
        "etc/logrotate.conf": _LOGROTATE_GOOD.replace("/var/log/auth.log ", "") + "/var/log/*.log {\n daily\n rotate 7\n}\n",
        "var/log/auth.log": "",
    }
    verdict = _verdict(tmp_path, files, "host.log_retention", log_retention)
    assert verdict.status is F and isinstance(verdict.reason, Reason) and "/var/log/auth.log" in verdict.reason.text("en")


def test_syslog_ng_source_and_comment_are_not_forwarding(tmp_path: Path) -> None:
    conf = (
        'source s_net { udp(ip("0.0.0.0") port(514)); tcp(port(601)); };\n'
        '# destination d_remote { network("10.1.1.1" port(514)); };\n'
        "log { source(s_net); destination(d_file); };\n"
    )
    assert _verdict(tmp_path, {"etc/syslog-ng/syslog-ng.conf": conf}, "host.syslog", remote_logging).status is F


def test_suppressing_audit_rules_are_not_identity_coverage(tmp_path: Path) -> None:
    rules = (
        "-a never,exit -F path=/etc/passwd -F perm=wa\n-w /etc/shadow -p r\n-w /etc/group -p wa\n"
        "-w /etc/sudoers -p wa\n-a always,exit -F arch=b64 -S adjtimex -k time-change\n"
    )
    files = {"etc/audit/auditd.conf": "num_logs = 5\n", "etc/audit/rules.d/50.rules": rules}
    verdict = _verdict(tmp_path, files, "host.audit", audit_identity_watches)
    assert verdict.status is F
    assert verdict.observed["missing_watches"] == ["/etc/passwd", "/etc/shadow"]


def _finding(host: str, check_id: str, privileged: bool = True) -> Any:
    from tests.hosts import host_findings

    return next(f for f in host_findings(host, privileged) if f.check_id == check_id)


def test_single_is_not_a_max_log_file_action() -> None:
    """debian-hardened with max_log_file_action = single: valid for disk_full_action, not here (auditd.conf(5))."""
    f = _finding("debian-hardened-auditd-max-log-single", "LNX-AUD-004")
    assert f.status is F and "not a valid value" in (f.reason or "")
    assert status_of("debian-hardened", "LNX-AUD-004") is P
    from checks.catalogue import all_checks

    assert all_checks()["LNX-AUD-004"].meta.params["accepted_max_log_file_actions"] == ["keep_logs", "suspend"]


def test_journal_check_on_a_host_without_systemd_is_not_applicable() -> None:
    """debian-weak without systemd (sysvinit, no journald): there is no journal to keep in memory."""
    for privileged in (True, False):
        f = _finding("debian-weak-no-systemd", "LNX-LOG-002", privileged)
        assert f.status is Status.NOT_APPLICABLE and "systemd is not the running init" in (f.reason or "")
    assert status_of("debian-weak", "LNX-LOG-002") is F


def test_journal_check_without_a_running_systemd_judges_the_configuration() -> None:
    """The offline debian-hardened tree: journald is installed but not running; its configuration is persistent."""
    f = _finding("debian-hardened-offline", "LNX-LOG-002")
    assert f.status is P and "judged from journald.conf" in (f.reason or "")
