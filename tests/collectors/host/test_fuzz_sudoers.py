"""Fuzzing the sudoers parser: user specifications, Defaults, aliases, and include trees.

Covered: ``parse_user_spec`` (one rule line), ``parse_sudoers_tree`` through the
``host.sudoers`` collector on an in-memory host (``#include``/``@include``,
``#includedir``/``@includedir``, relative targets, include loops and fan-out,
Defaults with scopes and negations, User_Alias/Cmnd_Alias, ``#0`` uids), and
the collector over a fixture tree.
"""

from __future__ import annotations

from typing import Dict

from hypothesis import example, given
from hypothesis import strategies as st

from collectors.host.accounts import MAX_SUDOERS_FILES, parse_user_spec
from tests.collectors.host.test_fuzz_common import (
    MemoryHost,
    Tree,
    assert_sound,
    collect_in_memory,
    file_bytes,
    fuzz_tree,
    joined,
    noise,
    run_on_tree,
    seeded,
    seeded_text,
    text_for,
    word,
)
from tests.fuzzing import fuzz

PRINCIPALS = ("root", "%sudo", "%wheel", "alice", "#0", "#1000", "ADMINS", "%#27", "+netgrp", "ALL", "alice, bob", "!bob")
HOSTS = ("ALL", "db01", "localhost", "10.0.0.0/8", "ALL, !db01", "SERVERS")
RUNAS = ("(ALL)", "(ALL:ALL)", "(root)", "(ALL : ALL)", "(", ")", "(:wheel)", "()")
TAGS = ("NOPASSWD:", "PASSWD:", "NOEXEC:", "SETENV:", "LOG_OUTPUT:", "NOPASSWD: SETENV:", "NOPASSWD:NOEXEC:", "MAIL:", "NOPASSWD")
OPTIONS = ("CWD=/tmp", "TIMEOUT=5m", 'CHROOT="/srv x"', "ROLE=r", "NOTBEFORE=20250101", "=", "A=")
COMMANDS = (
    "ALL", "!ALL", "/usr/bin/systemctl restart app", "/bin/sh", "DEPLOY", "!/usr/bin/su", "/usr/bin/vi /etc/x\\, y",
    "sudoedit /etc/hosts", "/bin/ls ''", "/bin/echo a\\:b", "ALL, /bin/x", "/usr/bin/a : db01 = ALL", "(root) ALL",
    "^/usr/bin/.*$", "/usr/bin/ls\\",
)  # fmt: skip
RULE = st.builds(
    lambda who, host, runas, opt, tag, cmd, more: f"{who} {host} = {runas} {opt} {tag} {cmd}{more}",
    word(*PRINCIPALS),
    word(*HOSTS),
    word(*RUNAS, ""),
    word(*OPTIONS, ""),
    word(*TAGS, ""),
    word(*COMMANDS),
    st.one_of(st.just(""), word(*COMMANDS).map(lambda c: ", " + c), word(*HOSTS).map(lambda h: f" : {h} = ALL")),
)
DEFAULTS_OPTIONS = (
    "use_pty", "!use_pty", "!!use_pty", "log_output", "!log_output", "log_input", "logfile=/var/log/sudo.log", 'logfile="/x y"',
    "logfile", "!logfile", "!authenticate", "env_reset", 'secure_path="/usr/bin:/bin"', "env_keep += \"A B\"", "use_pty+",
    "!", "=", ",", "log_output, !use_pty", "iolog_dir=/var/log/sudo-io",
)  # fmt: skip
DEFAULTS = st.builds(
    lambda head, scope, opts: f"Defaults{head}{scope} {opts}",
    st.sampled_from(["", "", ":", "@", "!", ">", ": ", "::"]),
    word(*PRINCIPALS, *HOSTS, "/bin/ls", ""),
    st.lists(word(*DEFAULTS_OPTIONS), min_size=1, max_size=3).map(", ".join),
)
ALIAS = joined(
    [
        word("User_Alias", "Cmnd_Alias", "Cmd_Alias", "Host_Alias", "Runas_Alias", "User_alias"),
        word("ADMINS = alice, bob", "DEPLOY = ALL", "A = /bin/a : B = ALL", "X", "= ALL", "Y = ", "ADMINS=%wheel"),
    ]
)
INCLUDE_TARGETS = (
    "/etc/sudoers.d", "sudoers.d", "/etc/sudoers", "/etc/sudoers.d/10-logging", "10-logging", "../sudoers", '"/etc/sudoers.d"',
    "/etc/sudoers.d/", "/nonexistent", "/etc", ".", "/etc/sudoers.d/README", "/etc/sudoers.d/a b",
)  # fmt: skip
INCLUDE = st.builds(
    lambda d, t: f"{d} {t}",
    st.sampled_from(["#include", "@include", "#includedir", "@includedir", "#include\t", "#includedir  "]),
    word(*INCLUDE_TARGETS),
)
LINE = st.one_of(seeded("/etc/sudoers", "/etc/sudoers.d/*"), RULE, RULE, DEFAULTS, ALIAS, INCLUDE)
SUDOERS = st.one_of(text_for(LINE), text_for(LINE), seeded_text("/etc/sudoers", "/etc/sudoers.d/*"))
PATHS = ("/etc/sudoers", "/etc/sudoers.d/10-logging", "/etc/sudoers.d/README", "/etc/sudoers.d/zz", "/etc/sudoers.d/x.conf")


# -- pure parsers ------------------------------------------------------------------------------


@given(st.one_of(RULE, seeded("/etc/sudoers", "/etc/sudoers.d/*"), noise(120)), st.dictionaries(word("DEPLOY", "X"), st.lists(word("ALL"))))
@example("alice ALL = (ALL) NOPASSWD: ALL", {})
@example("svc ALL=(ALL) NOPASSWD: DEPLOY", {"DEPLOY": ["ALL"]})
@example("a b = \\", {})  # a trailing escape
@fuzz
def test_user_spec(line: str, aliases: Dict[str, list]) -> None:  # type: ignore[type-arg]
    spec = parse_user_spec(line, aliases)
    if spec is None:
        return
    assert all(p and "," not in p for p in spec["principals"])
    assert spec["command_count"] >= 0
    if spec["nopasswd_all"]:
        assert spec["nopasswd"] and spec["all_commands"]
    if spec["nopasswd"] or spec["all_commands"]:
        assert spec["command_count"] > 0


@st.composite
def sudoers_host(draw: st.DrawFn) -> MemoryHost:
    files: Dict[str, str] = {}
    for path in PATHS:
        if path == PATHS[0] or draw(st.booleans()):
            files[path] = draw(SUDOERS)
    return MemoryHost(files, dirs=["/etc/sudoers.d"])


@given(sudoers_host())
@example(MemoryHost({p: "#includedir /etc/sudoers.d\n@include /etc/sudoers\nroot ALL=(ALL) ALL\n" for p in PATHS}))  # fan-out
@example(MemoryHost({"/etc/sudoers": "#include sudoers\n"}))  # includes itself, relatively
@example(MemoryHost({"/etc/sudoers": "@include /etc\n@includedir /etc/passwd\n"}))  # a directory as a file and a file as a directory
@example(MemoryHost({"/etc/sudoers": "Defaults:alice !log_output\nDefaults log_output, use_pty\nDefaults !authenticate\n"}))
@example(
    MemoryHost(  # 4 files on each of 7 levels, each including the next level: 4**7 parses without a bound
        {"/etc/sudoers": "#includedir /etc/s1\n"}
        | {f"/etc/s{i}/f{j}": f"#includedir /etc/s{i + 1}\nroot ALL=(ALL) ALL\n" for i in range(1, 8) for j in range(4)}
    )
)
@fuzz
def test_sudoers_tree(host: MemoryHost) -> None:
    facts = collect_in_memory("host.sudoers", host)
    # Include loops and fan-out are bounded: the work is, whatever the files say.
    assert len(host.reads) <= 2 * MAX_SUDOERS_FILES, len(host.reads)
    if facts is None:
        return
    assert set(facts["files"]) <= set(host.files)
    assert facts["nopasswd_rule_count"] <= len(facts["rules"])
    assert set(facts["non_admin_all_principals"]) <= set(facts["all_principals"])


# -- the collector ---------------------------------------------------------------------------------


@st.composite
def sudoers_tree(draw: st.DrawFn) -> Tree:
    tree = Tree(dirs=["/etc/sudoers.d"])
    for path in PATHS:
        if draw(st.integers(0, 3)):
            tree.files[path] = draw(file_bytes(LINE))
    return tree


@given(sudoers_tree(), st.booleans())
@example(Tree(files={"/etc/sudoers": "#includedir /etc/sudoers.d\n", "/etc/sudoers.d/a": "#include /etc/sudoers\n"}), True)
@fuzz_tree()
def test_sudoers_collector_on_a_fuzzed_tree(tree: Tree, privileged: bool) -> None:
    assert_sound(run_on_tree("host.sudoers", tree, privileged))
