"""host.audit / host.syslog / host.log_retention / host.timesync: real formats, fixtures, garbage."""

from __future__ import annotations

from pathlib import Path
from typing import Dict

import pytest

from collectors.catalogue import all_collectors
from collectors.context import HostContext, RecordedProcessView
from collectors.evidence import Evidence, EvidenceStatus
from collectors.host.logging import (
    parse_audit_rules,
    parse_auditctl_status,
    parse_auditd_conf,
    parse_chrony_tracking,
    parse_rsyslog_forwarding,
    parse_timespan,
    retention_days,
    retention_estimate,
    syslog_ng_targets,
)
from collectors.registry import run_collector
from collectors.runner import RecordedRunner
from tests.hosts import evidence_map


def _ctx(root: Path, privileged: bool = True) -> HostContext:
    return HostContext(
        root=root / "root",
        runner=RecordedRunner(root / "commands", privileged=privileged),
        processes=RecordedProcessView({}),
        target="t",
        privileged=privileged,
    )


def _write(root: Path, files: Dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def _run(name: str, root: Path, privileged: bool = True) -> Evidence:
    return run_collector(all_collectors()[name], _ctx(root, privileged))


# -- audit ---------------------------------------------------------------------


def test_audit_rules_coverage() -> None:
    facts = parse_audit_rules(
        "-D\n-b 8192\n-w /etc/passwd -p wa -k identity\n"
        "-a always,exit -F arch=b64 -S adjtimex,settimeofday -k time-change\n"
        "-a always,exit -F path=/usr/bin/sudo -F perm=x -F auid>=1000 -k priv\n-e 2\n"
    )
    assert facts["rule_count"] == 3
    assert facts["immutable"] is True
    assert facts["identity_watches"] == ["/etc/passwd"]
    assert facts["time_change_rules"] and facts["privileged_command_rules"]
    assert parse_audit_rules("No rules\n")["rule_count"] == 0
    assert parse_audit_rules("-e 1\n")["immutable"] is False


def test_auditctl_status_and_garbage() -> None:
    assert parse_auditctl_status("enabled 2\nfailure 1\npid 612\n")["enabled"] == 2
    garbage = parse_auditctl_status("\x01\x02 ??? enabled\nenabled two\n")
    assert garbage["enabled"] is None and garbage["pid"] is None


def test_auditd_conf() -> None:
    conf = parse_auditd_conf("num_logs = 5\nmax_log_file_action = ROTATE # comment\nmax_log_file = big\n")
    assert conf == {"num_logs": 5, "max_log_file_action": "rotate", "max_log_file": None}


def test_fixture_audit() -> None:
    hard = evidence_map("debian-hardened")["host.audit"].facts
    assert hard["runtime"]["enabled"] == 2 and hard["rules"]["immutable"] is True
    assert evidence_map("debian-weak")["host.audit"].facts["installed"] is False
    oe = evidence_map("openeuler-server")["host.audit"].facts
    assert oe["runtime"]["enabled"] == 1 and oe["config"]["max_log_file_action"] == "rotate"


def test_audit_unprivileged_is_unavailable_not_error() -> None:
    ev = evidence_map("debian-hardened", privileged=False)["host.audit"]
    assert ev.status is EvidenceStatus.OK
    assert ev.facts["runtime"]["available"] is False
    assert "not permitted" in ev.facts["runtime"]["reason"].lower() or "refused" in ev.facts["runtime"]["reason"]
    assert ev.facts["config"] is None and ev.facts["rules"] is None


def test_garbage_auditctl_does_not_crash(tmp_path: Path) -> None:
    _write(tmp_path, {"root/etc/audit/auditd.conf": "num_logs = 5\n", "commands/auditctl_-s.out": "\x7fELF garbage\n"})
    ev = _run("host.audit", tmp_path)
    assert ev.status is EvidenceStatus.OK
    assert ev.facts["runtime"]["available"] is False


def test_binary_auditd_conf_is_reported_not_crash(tmp_path: Path) -> None:
    _write(tmp_path, {"root/etc/audit/auditd.conf": "x"})
    (tmp_path / "root/etc/audit/auditd.conf").write_bytes(b"\x00\x01\x02")
    ev = _run("host.audit", tmp_path)
    assert ev.status is EvidenceStatus.OK
    assert "/etc/audit/auditd.conf" in ev.facts["config_error"]


# -- syslog ----------------------------------------------------------------------


def test_rsyslog_forwarding_formats() -> None:
    t = parse_rsyslog_forwarding("*.* @@logs.example.internal:6514\nauth.* @10.0.0.1\n#*.* @@off:1\n", "/f")
    assert [(x["host"], x["port"], x["protocol"]) for x in t] == [
        ("logs.example.internal", 6514, "tcp"),
        ("10.0.0.1", 514, "udp"),
    ]
    t = parse_rsyslog_forwarding('action(type="omfwd"\n target="10.20.0.5" port="10514" protocol="tcp")\n', "/f")
    assert t[0]["host"] == "10.20.0.5" and t[0]["port"] == 10514
    assert parse_rsyslog_forwarding("*.* -/var/log/syslog\n", "/f") == []


def test_fixture_syslog() -> None:
    hard = evidence_map("debian-hardened")["host.syslog"].facts
    assert hard["remote_targets"][0]["host"] == "logs.example.internal"
    assert hard["journald"]["persistent"] is True
    weak = evidence_map("debian-weak")["host.syslog"].facts
    assert weak["remote_targets"] == [] and weak["journald"]["persistent"] is False
    assert evidence_map("openeuler-server")["host.syslog"].facts["remote_targets"][0]["host"] == "10.20.0.5"


def test_timespan() -> None:
    assert parse_timespan("6month") == 6 * 2629800
    assert parse_timespan("180d") == 180 * 86400
    assert parse_timespan("3600") == 3600
    assert parse_timespan("soon") is None


# -- retention ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("settings", "days"),
    [
        ({"period": "weekly", "rotate": 52}, 364),
        ({"period": "weekly", "rotate": 4}, 28),
        ({"period": "daily", "rotate": 7}, 7),
        ({"period": "monthly", "rotate": 12}, 360),
        ({"period": "yearly", "rotate": 1}, 365),
        ({"period": "daily", "rotate": 400, "maxage": 200}, 200),
        ({"period": "weekly"}, 0),
        ({"rotate": 10}, None),
        ({"period": "daily", "rotate": -1}, None),
    ],
)
def test_retention_arithmetic(settings: Dict[str, object], days: object) -> None:
    assert retention_days(dict(settings))[0] == days


def test_logrotate_global_and_include(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "root/etc/logrotate.conf": "monthly\nrotate 6\ninclude /etc/logrotate.d\n",
            "root/etc/logrotate.d/rsyslog": "/var/log/syslog\n/var/log/auth.log\n{\n  missingok\n  postrotate\n    rotate 99\n  endscript\n}\n",
            "root/etc/logrotate.d/other": '"/var/log/messages" {\n  daily\n  rotate 3\n}\n',
        },
    )
    facts = _run("host.log_retention", tmp_path).facts
    by_log = {x["log"]: x["days"] for x in facts["logs"]}
    assert by_log == {"/var/log/syslog": 180, "/var/log/auth.log": 180, "/var/log/messages": 3}
    assert facts["min_days"] == 3


def test_logrotate_unterminated_block_names_file(tmp_path: Path) -> None:
    _write(tmp_path, {"root/etc/logrotate.conf": "weekly\n/var/log/syslog {\n rotate 4\n"})
    ev = _run("host.log_retention", tmp_path)
    assert ev.status is EvidenceStatus.ERROR
    assert "/etc/logrotate.conf" in (ev.reason or "")


def test_fixture_retention() -> None:
    assert evidence_map("debian-hardened")["host.log_retention"].facts["min_days"] == 364
    assert evidence_map("debian-weak")["host.log_retention"].facts["min_days"] == 7
    assert evidence_map("openeuler-server")["host.log_retention"].facts["min_days"] == 28


# -- time --------------------------------------------------------------------


def test_chrony_tracking() -> None:
    assert parse_chrony_tracking("Leap status     : Normal\n") is True
    assert parse_chrony_tracking("Leap status     : Not synchronised\n") is False
    assert parse_chrony_tracking("garbage") is None


def test_fixture_timesync() -> None:
    hard = evidence_map("debian-hardened")["host.timesync"].facts
    assert hard["synchronised"] is True and hard["configured"] is True
    weak = evidence_map("debian-weak")["host.timesync"].facts
    assert weak["synchronised"] is False and weak["configured"] is False


def test_journald_retention_is_only_an_upper_bound(tmp_path: Path) -> None:
    """MaxRetentionSec caps age but SystemMaxUse may delete sooner: never reported as days kept."""
    _write(tmp_path, {"root/etc/systemd/journald.conf": "[Journal]\nStorage=persistent\nMaxRetentionSec=1year\n"})
    facts = _run("host.log_retention", tmp_path).facts
    (journal,) = facts["logs"]
    assert journal["log"] == "systemd journal" and journal["days"] is None and journal["at_most"] == 365
    assert facts["min_days"] is None
    assert facts["unknown_key_logs"] == ["systemd journal"] and facts["missing_key_logs"] == []


# -- regressions (review findings) ---------------------------------------------


def test_audit_never_rules_and_read_watches_are_not_coverage() -> None:
    facts = parse_audit_rules(
        "-a never,exit -S execve\n"
        "-a exit,never -F path=/etc/passwd -F perm=wa\n"
        "-w /etc/shadow -p r -k shadow-read\n"
        "-w /etc/group -p w\n"
    )
    assert facts["execve_rules"] is False and facts["privileged_command_rules"] is False
    assert facts["identity_watches"] == []
    assert facts["rule_count"] == 4 and facts["suppressing_rules"] == 2


def test_audit_watch_forms_that_count() -> None:
    facts = parse_audit_rules(
        "-w /etc/passwd\n"  # no -p: rwxa
        "-a always,exit -F path=/etc/shadow -F perm=wa -k identity\n"
        "-a always,exit -S all -F path=/etc/group -k identity\n"  # auditctl -l form: every syscall
        "-a always,exit -S open -F path=/etc/sudoers\n"  # narrowed to one syscall: not counted
    )
    assert facts["identity_watches"] == ["/etc/group", "/etc/passwd", "/etc/shadow"]


def test_rsyslog_comments_and_action_directives_ignored() -> None:
    text = (
        "$ActionQueueType LinkedList\n$ActionQueueFileName fwdRule1\n$ActionResumeRetryCount -1\n"
        "$ActionQueueSaveOnShutdown on\n#*.* @@old.example:514\n  # *.* @10.9.9.9\n"
        '# action(type="omfwd" target="10.8.8.8")\n'
        "*.* @@logs.example.internal:6514   # TLS via stunnel\n"
    )
    t = parse_rsyslog_forwarding(text, "/f")
    assert [(x["host"], x["port"]) for x in t] == [("logs.example.internal", 6514)]


_NG_NOISE = """source s_net { udp(ip("0.0.0.0") port(514)); tcp(port(601)); };
# destination d_old { network("10.1.1.1" port(514)); };
destination d_unused { network("10.9.9.9"); };
log { source(s_net); destination(d_local); };
"""


def test_syslog_ng_sources_comments_and_unused_destinations_are_not_forwarding() -> None:
    assert syslog_ng_targets([("/etc/syslog-ng/syslog-ng.conf", _NG_NOISE)]) == []


def test_syslog_ng_used_destinations_across_files(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "root/etc/syslog-ng/syslog-ng.conf": _NG_NOISE,
            "root/etc/syslog-ng/conf.d/remote.conf": (
                'destination d_remote { network("logs.example.internal" port(6514) transport("tls")); };\n'
                "log { source(s_src); destination(d_remote); };\n"
                'log { source(s_src); destination { udp("192.0.2.7" port(514)); }; };\n'
            ),
        },
    )
    facts = _run("host.syslog", tmp_path).facts
    got = [(t["host"], t["port"], t["protocol"]) for t in facts["remote_targets"]]
    assert got == [("logs.example.internal", 6514, "tls"), ("192.0.2.7", 514, "udp")]


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"period": "daily", "rotate": 200, "maxsize": "10M"}, (None, None, 200)),
        ({"period": "weekly", "rotate": 26, "size": "10M"}, (None, None, None)),
        ({"period": "weekly", "rotate": 26, "size": "10M", "maxage": 90}, (None, None, 90)),
        ({"period": "weekly", "rotate": 26, "minsize": "1M"}, (None, 182, None)),
        ({"period": "weekly", "rotate": 26}, (182, None, None)),
    ],
)
def test_size_driven_rotation_is_not_rotate_times_period(settings: Dict[str, object], expected: object) -> None:
    est = retention_estimate(dict(settings))
    assert (est["days"], est["at_least"], est["at_most"]) == expected
    if "size" in settings or "maxsize" in settings:
        assert "size-driven rotation" in est["basis"]


def test_size_directive_parsed_from_logrotate(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {"root/etc/logrotate.conf": "/var/log/syslog /var/log/auth.log {\n daily\n rotate 200\n maxsize 10M\n}\n"},
    )
    facts = _run("host.log_retention", tmp_path).facts
    assert [(x["log"], x["days"], x["at_most"]) for x in facts["logs"]] == [
        ("/var/log/syslog", None, 200),
        ("/var/log/auth.log", None, 200),
    ]
    assert facts["min_days"] is None and facts["unknown_key_logs"] == ["/var/log/syslog", "/var/log/auth.log"]


def test_glob_blocks_cover_existing_key_logs_first_match_wins(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "root/etc/logrotate.conf": "weekly\nrotate 4\ninclude /etc/logrotate.d\n",
            "root/etc/logrotate.d/a-all": "/var/log/*.log {\n daily\n rotate 7\n}\n",
            "root/etc/logrotate.d/b-auth": "/var/log/auth.log {\n weekly\n rotate 52\n}\n",
            "root/var/log/auth.log": "",
        },
    )
    facts = _run("host.log_retention", tmp_path).facts
    (auth,) = [x for x in facts["logs"] if x["log"] == "/var/log/auth.log"]
    assert auth["days"] == 7 and "/var/log/*.log" in auth["basis"]
    assert facts["notes"] and "/var/log/auth.log" in facts["notes"][0]
    # the glob does not invent /var/log/secure, which does not exist on this host
    assert [x["log"] for x in facts["logs"]] == ["/var/log/auth.log"]
    assert facts["missing_key_logs"] == ["system"]
