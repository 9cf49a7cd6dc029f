"""Fuzzing the log-retention parsers: logrotate (with include), journald.conf and auditd.conf.

Covered: ``parse_logrotate`` (blocks, scripts, globals, ``include`` of files and
directories, relative and looping includes) with ``retention_estimate``,
``parse_auditd_conf``, ``parse_ini_section`` with ``parse_timespan``
(journald MaxRetentionSec), and the ``host.log_retention`` collector on an
in-memory host and over a fixture tree.
"""

from __future__ import annotations

from typing import Any, Dict

from hypothesis import example, given
from hypothesis import strategies as st

from collectors.host.logging import (
    MAX_LOGROTATE_FILES,
    parse_auditd_conf,
    parse_ini_section,
    parse_logrotate,
    parse_timespan,
    retention_estimate,
)
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
    noise,
    run_on_tree,
    seeded,
    text_for,
    word,
)
from tests.fuzzing import fuzz

DIRECTIVES = (
    "daily", "weekly", "monthly", "yearly", "hourly", "WEEKLY", "rotate", "maxage", "size", "maxsize", "minsize", "compress",
    "missingok", "include", "postrotate", "endscript", "prerotate", "sharedscripts", "create 0640 root adm", "}", "{",
)  # fmt: skip
ARGS = (
    "4", "-1", "--5", "-", "0", "²", "100k", "1G", "/etc/logrotate.d", "logrotate.d", "/etc/logrotate.d/", "/etc", "/nonexistent",
    "/etc/logrotate.conf", "../etc/logrotate.d", "/var/log/syslog", "", "/etc/logrotate.d/rsyslog",
)  # fmt: skip
LOGS = ("/var/log/syslog", "/var/log/auth.log", "/var/log/*.log", '"/var/log/messages"', "/var/log/secure", "/var/log/[", "*")
LOGROTATE_LINE = st.one_of(
    seeded("/etc/logrotate.conf", "/etc/logrotate.d/*"),
    joined([word(*DIRECTIVES), st.one_of(word(*ARGS), NUMBER)]),
    st.lists(word(*LOGS), min_size=1, max_size=3).map(lambda logs: " ".join(logs) + " {"),
    word(*LOGS),
)
LOGROTATE = text_for(LOGROTATE_LINE)
LOGROTATE_PATHS = (
    "/etc/logrotate.conf",
    "/etc/logrotate.d/rsyslog",
    "/etc/logrotate.d/app",
    "/etc/logrotate.d/.hidden",
    "/etc/logrotate.d/x.dpkg-old",
)
AUDITD_LINE = st.one_of(
    seeded("/etc/audit/auditd.conf"),
    joined(
        [
            word("max_log_file_action", "num_logs", "max_log_file", "space_left_action", "disk_full_action", "NUM_LOGS"),
            st.sampled_from(["=", " = ", " "]),
            st.one_of(NUMBER, word("keep_logs", "rotate", "ROTATE", "ignore", "halt", "single")),
        ]
    ),
)
JOURNALD_LINE = st.one_of(
    seeded("/etc/systemd/journald.conf"),
    word("[Journal]", "[Upload]", "[", "]", "[Journal"),
    st.builds(
        lambda k, v: f"{k}={v}",
        word("Storage", "MaxRetentionSec", "ForwardToSyslog", "URL"),
        st.one_of(NUMBER, word("persistent", "auto", "volatile", "1y 2w", "6month", "180d", "1 2 3", "5x", "²d", "https://u:p@h/x")),
    ),
)
TIMESPAN = st.one_of(NUMBER, word("6month", "180d", "1y 2w", "1h30min", "0", "5 weeks", "²", "1x", "٣d", " "), noise(20))


# -- pure parsers ------------------------------------------------------------------------------


INHERITED = st.fixed_dictionaries(
    {},
    optional={
        "period": st.sampled_from(["daily", "weekly", "monthly", "yearly", "hourly"]),
        "rotate": st.one_of(st.none(), st.integers(-2, 400)),
        "maxage": st.integers(0, 4000),
        "size": st.just("100k"),
    },
)


@given(LOGROTATE, INHERITED)
@example("rotate ²\n", {})  # a digit str.isdigit() accepts and int() refuses
@example("rotate --5\nmaxage ٣\n", {})
@example("/var/log/syslog {\nrotate " + "9" * 5000 + "\nmaxage " + "9" * 5000 + "\n}\n", {})
@example("include logrotate.d\ninclude ../x\n", {})  # relative include targets
@fuzz
def test_logrotate_file(text: str, inherited: Dict[str, Any]) -> None:
    host = MemoryHost({"/etc/logrotate.conf": text, "/etc/logrotate.d/rsyslog": "/var/log/syslog {\nrotate 7\ndaily\n}\n"})
    out: Dict[str, Dict[str, Any]] = {}
    try:
        settings = parse_logrotate(host.reader(), "/etc/logrotate.conf", inherited, out)
    except Exception as exc:
        from collectors.evidence import CollectError

        assert isinstance(exc, CollectError) and exc.message, exc
        return
    for pattern, block in [("(globals)", settings), *out.items()]:
        assert pattern
        est = retention_estimate(block)
        assert est["days"] is None or est["days"] >= 0 or block.get("rotate", 0) < 0 or (block.get("maxage") or 0) < 0
        assert isinstance(est["basis"], str)


@given(st.one_of(text_for(AUDITD_LINE)))
@example("num_logs = ²\nmax_log_file = " + "9" * 5000 + "\n")
@fuzz
def test_auditd_conf(text: str) -> None:
    conf = parse_auditd_conf(text)
    for key in ("num_logs", "max_log_file"):
        if key in conf:
            value = conf[key]  # type: ignore[literal-required]
            assert value is None or (isinstance(value, int) and value >= 0)


@given(text_for(JOURNALD_LINE), TIMESPAN)
@example("[Journal]\nMaxRetentionSec=" + "9" * 5000 + "\n", "²")
@example("[Journal]\nMaxRetentionSec=1" + "0" * 4400 + "d\n", "1" + "0" * 4400 + "d")
@fuzz
def test_journald_conf(text: str, span: str) -> None:
    section = parse_ini_section(text, "Journal")
    assert all(k == k.strip() and v == v.strip() for k, v in section.items())
    for value in (span, section.get("MaxRetentionSec", "")):
        seconds = parse_timespan(value)
        assert seconds is None or (isinstance(seconds, int) and seconds >= 0)


@st.composite
def retention_host(draw: st.DrawFn) -> MemoryHost:
    files: Dict[str, str] = {}
    for path in draw(st.lists(st.sampled_from(LOGROTATE_PATHS), min_size=1, max_size=3, unique=True)):
        files[path] = draw(lines(LOGROTATE_LINE, max_lines=6, long=False))
    if draw(st.booleans()):
        files["/etc/audit/auditd.conf"] = draw(lines(AUDITD_LINE, max_lines=3, long=False))
    if draw(st.booleans()):
        files["/etc/systemd/journald.conf"] = draw(lines(JOURNALD_LINE, max_lines=3, long=False))
    for log in draw(st.lists(st.sampled_from(["/var/log/syslog", "/var/log/auth.log", "/var/log/secure"]), max_size=2)):
        files[log] = ""
    dirs = ["/var/log/journal"] if draw(st.booleans()) else []
    return MemoryHost(files, dirs=[*dirs, "/etc/logrotate.d"])


@given(retention_host())
@example(MemoryHost({"/etc/logrotate.conf": "include /etc/logrotate.d\n"} | {f"/etc/logrotate.d/f{i}": "include /etc/logrotate.d\n" for i in range(12)}))
@example(MemoryHost({"/etc/logrotate.conf": "include logrotate.d\n"}))
@example(MemoryHost({"/etc/logrotate.conf": "/var/log/syslog {\nrotate ²\n}\n", "/etc/audit/auditd.conf": "num_logs = ²\n"}))
@example(MemoryHost({"/etc/systemd/journald.conf": "[Journal]\nStorage=persistent\nMaxRetentionSec=" + "9" * 5000 + "\n"}))
@fuzz_tree(COLLECTOR_EXAMPLES)
def test_log_retention_collector(host: MemoryHost) -> None:
    facts = collect_in_memory("host.log_retention", host)
    # include fan-out (files in a directory that include the directory) is bounded
    assert len(host.reads) <= MAX_LOGROTATE_FILES + 50, len(host.reads)
    if facts is None:
        return
    known = [e["days"] for e in facts["logs"] if e["key"] and e["days"] is not None]
    assert facts["min_days"] == (min(known) if known else None)
    assert set(facts["missing_key_logs"]) <= {"auth", "system"}


@st.composite
def retention_tree(draw: st.DrawFn) -> Tree:
    tree = Tree(dirs=["/etc/logrotate.d"])
    for path in draw(st.lists(st.sampled_from(LOGROTATE_PATHS), min_size=1, max_size=3, unique=True)):
        tree.files[path] = draw(file_bytes(LOGROTATE_LINE))
    if draw(st.booleans()):
        tree.files["/etc/audit/auditd.conf"] = draw(file_bytes(AUDITD_LINE))
    if draw(st.booleans()):
        tree.files["/etc/systemd/journald.conf"] = draw(file_bytes(JOURNALD_LINE))
    if draw(st.booleans()):
        tree.files["/var/log/syslog"] = ""
    return tree


@given(retention_tree(), st.booleans())
@example(Tree(files={"/etc/logrotate.conf": "include logrotate.d\n"}), True)
@fuzz_tree()
def test_log_retention_collector_on_a_fuzzed_tree(tree: Tree, privileged: bool) -> None:
    assert_sound(run_on_tree("host.log_retention", tree, privileged))
