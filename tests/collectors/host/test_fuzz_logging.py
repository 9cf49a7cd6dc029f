"""Fuzzing the audit, syslog and time-synchronisation parsers (log retention: ``test_fuzz_logrotate.py``).

Covered: ``parse_audit_rules`` (audit.rules and ``auditctl -l``), ``parse_auditctl_status``
(``auditctl -s``), ``parse_rsyslog_forwarding`` (legacy ``@host`` and action(omfwd)),
``syslog_ng_targets`` (destinations, log paths, inline destinations, unbalanced braces),
``parse_chrony_tracking``, and the ``host.audit``/``host.syslog``/``host.timesync``
collectors on an in-memory host (rules.d, auditctl, rsyslog.d, syslog-ng conf.d,
journal-upload, chrony sourcedir, ntp.conf, timesyncd, timedatectl) and over a fixture tree.
"""

from __future__ import annotations

from typing import Dict, Tuple

from hypothesis import example, given
from hypothesis import strategies as st

from collectors.host.logging import (
    parse_audit_rules,
    parse_auditctl_status,
    parse_chrony_tracking,
    parse_rsyslog_forwarding,
    syslog_ng_targets,
)
from collectors.runner import CommandResult
from tests.collectors.host.test_fuzz_common import (
    COLLECTOR_EXAMPLES,
    NUMBER,
    MemoryHost,
    Tree,
    assert_sound,
    collect_in_memory,
    file_bytes,
    fuzz_tree,
    joined,
    lines,
    run_many_on_tree,
    seeded,
    seeded_text,
    text_for,
    word,
)
from tests.fuzzing import fuzz

AUDIT_RULE = st.one_of(
    seeded("/etc/audit/rules.d/*", "/etc/audit/audit.rules", "commands/auditctl_-l.out"),
    joined(
        [
            word("-w", "-a", "-A", "-e", "-D", "-b", "-a always,exit", "-a never,task", "-a exit,never", "No rules"),
            word("/etc/passwd", "/etc/sudoers.d/", "/usr/bin/su", "-F arch=b64", "-S execve", "-S adjtimex,settimeofday", "-F path=/etc/shadow"),
            word("-p wa", "-p x", "-p", "-F perm=wa", "-Fdir=/etc", "-k identity", "'unterminated", '"a b"'),
            st.one_of(NUMBER, word("2", "1", "0", "²")),
        ]
    ),
    NUMBER.map(lambda n: f"-e {n}"),
)
AUDIT_RULES = st.one_of(text_for(AUDIT_RULE), seeded_text("/etc/audit/rules.d/*"))
AUDITCTL_S = text_for(
    st.one_of(seeded("commands/auditctl_-s.out"), joined([word("enabled", "pid", "failure", "lost", "backlog", "x"), st.one_of(NUMBER, word("2", "²", "-1"))]))
)
RSYSLOG_LINE = st.one_of(
    seeded("/etc/rsyslog.conf", "/etc/rsyslog.d/*"),
    st.builds(
        lambda sel, at, host, port: f"{sel} {at}{host}{port}",
        word("*.*", "auth,authpriv.*", "kern.!=info", "*.* -"),
        word("@", "@@", "@(o)", "@@(z9)"),
        word("loghost", "[2001:db8::1]", "10.0.0.1", "user:pw@h", "h.example"),
        st.one_of(st.just(""), NUMBER.map(lambda n: f":{n}"), word(";RSYSLOG_ForwardFormat")),
    ),
    st.builds(
        lambda t, target, port, extra: f'action(type="{t}" target="{target}" port="{port}" {extra})',
        word("omfwd", "omrelp", "OMFWD", "omfile"),
        word("loghost", "", "u:p@h"),
        st.one_of(NUMBER, word("514", "²", "")),
        word('protocol="tcp"', 'StreamDriver="gtls"', 'streamdrivermode="1"', "(", ")", '"'),
    ),
    word("action(", ")", '*.* action(type="omfwd"', "# x", "$ActionQueueType LinkedList"),
)
NG_LINE = st.one_of(
    word("destination d_net {", "destination d_net{", "log {", "source s {", "};", "}", "{", "destination(d_net);", "destination { tcp(\"h\"); };"),
    st.builds(
        lambda drv, host, port: f"{drv}({host} {port} transport(\"tls\"));",
        word("network", "syslog", "tcp", "udp6", "tcp6", "file"),
        word('"loghost"', "'h'", "10.0.0.1", "ip(0.0.0.0)", '"', ""),
        st.one_of(NUMBER.map(lambda n: f'port("{n}")'), NUMBER.map(lambda n: f"port({n})"), word("port(", "")),
    ),
)
CHRONY_LINE = st.one_of(
    seeded("/etc/chrony/chrony.conf", "/etc/chrony.conf"),
    joined([word("server", "pool", "peer", "sourcedir", "  server"), word("ntp.example", "/run/chrony-dhcp", "run/chrony", "/etc/chrony/sources.d", "/", "")]),
)
TRACKING = text_for(st.one_of(seeded("commands/chronyc_-n_tracking.out"), word("Leap status : Normal", "Leap status: Not synchronised", "Leap status :", "Leap status")))
TIMEDATECTL = text_for(st.one_of(seeded("commands/timedatectl_show.out"), word("NTPSynchronized=yes", "NTPSynchronized=", "NTP=no", "=", "x")))


# -- pure parsers ------------------------------------------------------------------------------


@given(AUDIT_RULES, AUDITCTL_S)
@example("-e ²\n", "enabled ²\npid " + "9" * 5000 + "\n")  # digits str.isdigit() accepts and int() refuses
@example("-e " + "2" * 5000 + "\n-w '/etc/passwd\n", "")
@fuzz
def test_audit_rules_and_status(rules: str, status: str) -> None:
    parsed = parse_audit_rules(rules)
    assert 0 <= parsed["suppressing_rules"] <= parsed["rule_count"]
    assert parsed["immutable"] == (parsed["enabled_flag"] == 2)
    assert set(parsed["identity_watches"]) == set(sorted(parsed["identity_watches"]))
    values = parse_auditctl_status(status)
    assert set(values) == {"enabled", "pid", "failure", "lost", "backlog"}
    assert all(v is None or v >= 0 for v in values.values())


@given(text_for(RSYSLOG_LINE))
@example("*.* @@loghost:" + "9" * 5000 + "\n")
@example('*.* action(type="omfwd" target="h" port="²")\n')
@example('action(type="omfwd" target="@" port="0" protocol="tcp")\n')  # the campaign's find: a target that is only a user part
@fuzz
def test_rsyslog(text: str) -> None:
    for t in parse_rsyslog_forwarding(text, "/etc/rsyslog.conf"):
        assert t["host"] and "@" not in t["host"]
        assert t["port"] is None or 0 <= t["port"]


@given(st.lists(lines(NG_LINE, max_lines=6), min_size=1, max_size=2))
@example(['destination d { tcp("h" port(' + "9" * 5000 + ")); };\nlog { destination(d); };\n"])
@example(["log { destination { network('h' port(\"1\")); }; };\ndestination d { tcp(\"x\")"])  # unbalanced
@example(['destination d { tcp("u@" port(1)); };\nlog { destination(d); };\n'])  # a host that is only a user part
@fuzz
def test_syslog_ng(texts: list) -> None:  # type: ignore[type-arg]
    targets = syslog_ng_targets([(f"/etc/syslog-ng/conf.d/{i}.conf", t) for i, t in enumerate(texts)])
    for t in targets:
        assert t["daemon"] == "syslog-ng" and t["host"]


@given(TRACKING)
@fuzz
def test_chrony_tracking(text: str) -> None:
    synced = parse_chrony_tracking(text)
    assert synced is None or ("Leap status" in text and isinstance(synced, bool))


# -- the collectors in memory and on a tree --------------------------------------------------------

LOGGING_COLLECTORS = ("host.audit", "host.syslog", "host.timesync")
CONF_FILES = {
    "/etc/audit/rules.d/50-x.rules": AUDIT_RULE,
    "/etc/audit/audit.rules": AUDIT_RULE,
    "/etc/rsyslog.conf": RSYSLOG_LINE,
    "/etc/rsyslog.d/50-fwd.conf": RSYSLOG_LINE,
    "/etc/syslog-ng/syslog-ng.conf": NG_LINE,
    "/etc/chrony/chrony.conf": CHRONY_LINE,
    "/etc/chrony.conf": CHRONY_LINE,
    "/etc/chrony/sources.d/x.sources": CHRONY_LINE,
    "/etc/ntp.conf": CHRONY_LINE,
    "/etc/systemd/timesyncd.conf": word("[Time]\nNTP=a b\n", "[Time]", "NTP="),
    "/etc/systemd/journal-upload.conf": word("[Upload]\nURL=https://u:p@logs.example:19532/x\n", "[Upload]\nURL=\n", "URL=x"),
}
COMMANDS = {
    ("auditctl", "-s"): AUDITCTL_S,
    ("auditctl", "-l"): AUDIT_RULES,
    ("chronyc", "-n", "tracking"): TRACKING,
    ("timedatectl", "show"): TIMEDATECTL,
    ("journalctl", "--disk-usage"): word("Archived and active journals take up 48.0M in the file system.", "take up", ""),
}


@st.composite
def logging_host(draw: st.DrawFn) -> MemoryHost:
    files: Dict[str, str] = {}
    for path in draw(st.lists(st.sampled_from(list(CONF_FILES)), min_size=1, max_size=4, unique=True)):
        files[path] = draw(lines(CONF_FILES[path], max_lines=5, long=False))
    if draw(st.booleans()):
        files["/etc/audit/auditd.conf"] = "max_log_file_action = keep_logs\n"
    results: Dict[Tuple[str, ...], CommandResult] = {}
    for argv in draw(st.lists(st.sampled_from(list(COMMANDS)), max_size=4, unique=True)):
        rc = draw(st.sampled_from([0, 0, 0, 1]))
        results[argv] = CommandResult(argv, rc, draw(COMMANDS[argv]), "" if rc == 0 else "Operation not permitted")
    return MemoryHost(files, dirs=["/etc/audit/rules.d"] if draw(st.booleans()) else [], commands=results)


@given(logging_host())
@example(MemoryHost({"/etc/chrony/chrony.conf": "sourcedir run/chrony-dhcp\n"}))  # a relative sourcedir
@example(MemoryHost({"/etc/rsyslog.conf": "*.* @h:" + "9" * 5000 + "\n"}, commands={("auditctl", "-s"): CommandResult(("auditctl", "-s"), 0, "enabled ²\n")}))
@fuzz_tree(COLLECTOR_EXAMPLES)
def test_logging_collectors(host: MemoryHost) -> None:
    for name in LOGGING_COLLECTORS:
        collect_in_memory(name, host)


@st.composite
def logging_tree(draw: st.DrawFn) -> Tree:
    tree = Tree()
    for path in draw(st.lists(st.sampled_from(list(CONF_FILES)), min_size=1, max_size=4, unique=True)):
        tree.files[path] = draw(file_bytes(CONF_FILES[path]))
    return tree


@given(logging_tree(), st.booleans())
@example(Tree(files={"/etc/chrony/chrony.conf": "sourcedir run/chrony-dhcp\n"}), True)
@fuzz_tree()
def test_logging_collectors_on_a_fuzzed_tree(tree: Tree, privileged: bool) -> None:
    for ev in run_many_on_tree(LOGGING_COLLECTORS, tree, privileged):
        assert_sound(ev)
