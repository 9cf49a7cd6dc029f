"""Fuzzing the PAM parsers: pam.d stacks, their includes, and the pwquality/faillock/pwhistory files.

Covered: ``parse_pam_file`` (continuations, ``[...]`` controls and args, ``@include``),
``parse_kv_conf``, ``expand_auth_stack`` (the auth stack with its includes followed), and the ``host.pam`` collector on an in-memory host (the password
and auth stacks, ``include``/``substack``/``@include`` chains with loops and
fan-out, pwquality.conf.d, faillock.conf, pwhistory.conf, /etc/pam.d/su) and over
a fixture tree. The sshd PAM stack is fuzzed in ``test_fuzz_sshd.py``.
"""

from __future__ import annotations

from typing import Dict

from hypothesis import example, given
from hypothesis import strategies as st

from collectors.evidence import CollectError, ErrorReason
from collectors.host.accounts import MAX_PAM_EXPANSIONS, PAM_STACKS, expand_auth_stack, parse_kv_conf, parse_pam_file
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
    run_on_tree,
    seeded,
    seeded_text,
    text_for,
    word,
)
from tests.fuzzing import fuzz

TYPES = ("auth", "-auth", "account", "password", "-password", "session", "PASSWORD", "@include", "@includex", "Auth")
CONTROLS = (
    "required", "requisite", "sufficient", "optional", "include", "substack", "[success=1 default=ignore]",
    "[default=die]", "[success=² default=bad]", "[success=3", "[", "]", "[success=ok new_authtok_reqd=ok ignore=ignore default=bad]",
)  # fmt: skip
MODULES = (
    "pam_unix.so", "pam_pwquality.so", "pam_cracklib.so", "pam_passwdqc.so", "pam_faillock.so", "pam_tally2.so", "pam_tally.so",
    "pam_pwhistory.so", "pam_wheel.so", "/lib/security/pam_unix.so", "common-auth", "system-auth", "password-auth",
    "/etc/pam.d/common-auth", "su", "pam_deny.so", "../pam.d/common-password",
)  # fmt: skip
ARGS = (
    "minlen=14", "minlen=", "minlen", "dcredit=-1", "ucredit=-1", "lcredit=1", "ocredit=-9999999999999999999", "minclass=4",
    "retry=3", "enforce_for_root", "deny=5", "deny=0", "deny=-1", "unlock_time=900", "even_deny_root", "preauth", "authfail",
    "authsucc", "remember=24", "remember=²", "sha512", "yescrypt", "nullok", "use_authtok", "group=wheel", "use_uid", "trust",
    "[default=1]", "[minlen=12 deny=3]", "=", "a=b=c",
)  # fmt: skip
PAM_LINE = st.one_of(
    seeded("/etc/pam.d/*"),
    joined([word(*TYPES), word(*CONTROLS), word(*MODULES), word(*ARGS), word(*ARGS), word(*ARGS)]),
    NUMBER.map(lambda n: f"password requisite pam_pwquality.so minlen={n} dcredit={n}"),
    NUMBER.map(lambda n: f"auth required pam_faillock.so authfail deny={n} unlock_time={n}"),
)
PAM = st.one_of(text_for(PAM_LINE), seeded_text("/etc/pam.d/*"))
KV_LINE = st.one_of(
    seeded("/etc/security/pwquality.conf", "/etc/security/faillock.conf"),
    joined([word("minlen", "dcredit", "minclass", "deny", "unlock_time", "even_deny_root", "remember", "dictcheck"), NUMBER]),
)
KV = text_for(KV_LINE)

PAM_FILES = (*PAM_STACKS, "/etc/pam.d/su", "/etc/pam.d/system-auth-local", "/etc/pam.d/pam_unix.so")
CONF_FILES = (
    "/etc/security/pwquality.conf",
    "/etc/security/pwquality.conf.d/10-a.conf",
    "/etc/security/faillock.conf",
    "/etc/security/pwhistory.conf",
)


# -- pure parsers ------------------------------------------------------------------------------


@given(PAM)
@example("auth [success=1 default=ignore\\\n pam_unix.so] nullok\n")  # a bracket over a continuation
@example("[\n@include\n-\n")
@fuzz
def test_pam_file(text: str) -> None:
    rules = parse_pam_file(text)
    n_lines = len(text.splitlines())
    for r in rules:
        assert 1 <= r["line"] <= max(n_lines, 1)
        assert r["type"] == "@include" or (r["type"] == r["type"].lower() and not r["type"].startswith("-"))
        assert r["type"] == "@include" or "/" not in r["module"]
        assert all(isinstance(k, str) and isinstance(v, (str, bool)) for k, v in r["args"].items())


@given(st.one_of(KV, seeded_text("/etc/security/pwquality.conf", "/etc/security/faillock.conf")))
@fuzz
def test_kv_conf(text: str) -> None:
    conf = parse_kv_conf(text)
    assert all("#" not in k and k == k.strip() for k in conf)
    assert all(v is True or (isinstance(v, str) and v == v.strip()) for v in conf.values())


INCLUDE_LINE = st.one_of(
    st.builds(lambda t: f"@include {t}", word("common-auth", "l1", "l2", "/etc/pam.d/l1", "../pam.d/l2", "", "/", "/etc")),
    st.builds(lambda c, t: f"auth {c} {t}", word("include", "substack", "required"), word("l1", "l2", "common-auth", "pam_faillock.so")),
    PAM_LINE,
)
INCLUDE_PATHS = ("/etc/pam.d/common-auth", "/etc/pam.d/l1", "/etc/pam.d/l2")


@given(st.lists(lines(INCLUDE_LINE, max_lines=6, long=False), min_size=1, max_size=3))
@example(["@include l1\n" * 10, "@include l2\n" * 10, "@include l1\n" * 10 + "auth required pam_faillock.so authfail\n"])
@example(["auth substack common-auth\n@include /etc/pam.d/common-auth\n"])
@fuzz
def test_pam_includes(texts: list) -> None:  # type: ignore[type-arg]
    host = MemoryHost(dict(zip(INCLUDE_PATHS, texts)))
    try:
        rules = expand_auth_stack(host.reader(), INCLUDE_PATHS[0])
    except CollectError as exc:  # an include fan-out past the bound, or an include the reader refuses (a name too long)
        assert exc.reason is ErrorReason.MALFORMED and exc.message
        assert "PAM files included" not in exc.message or len(host.reads) == MAX_PAM_EXPANSIONS
        return
    assert len(host.reads) <= MAX_PAM_EXPANSIONS
    assert all(r["type"] == "auth" for r in rules)


@st.composite
def pam_host(draw: st.DrawFn) -> MemoryHost:
    files: Dict[str, str] = {}
    for path in draw(st.lists(st.sampled_from(PAM_FILES), min_size=1, max_size=4, unique=True)):
        files[path] = draw(lines(PAM_LINE, max_lines=5, long=False))
    for path in draw(st.lists(st.sampled_from(CONF_FILES), max_size=2, unique=True)):
        files[path] = draw(lines(KV_LINE, max_lines=4, long=False))
    return MemoryHost(files)


@given(pam_host())
@example(MemoryHost({"/etc/pam.d/common-auth": "auth include common-auth\n@include /etc/pam.d/common-auth\n"}))  # a loop
@example(
    MemoryHost(  # 10 @include lines of the next file on each of 8 levels: 10**8 expansions without a bound
        {"/etc/pam.d/common-auth": "@include l1\n" * 10}
        | {f"/etc/pam.d/l{i}": f"@include l{i + 1}\n" * 10 + "auth required pam_faillock.so authfail\n" for i in range(1, 9)}
    )
)
@example(MemoryHost({"/etc/pam.d/common-password": "password requisite pam_pwquality.so minlen=" + "9" * 5000 + "\n"}))
@example(MemoryHost({"/etc/pam.d/common-auth": "auth required pam_faillock.so authfail deny=²\n", "/etc/pam.d/su": "auth required pam_wheel.so group=\n"}))
@example(MemoryHost({"/etc/pam.d/common-auth": "@include\nauth substack /\nauth include ..\n"}))
@fuzz_tree(COLLECTOR_EXAMPLES)
def test_pam_collector(host: MemoryHost) -> None:
    facts = collect_in_memory("host.pam", host)
    assert len(host.reads) <= 3 * (MAX_PAM_EXPANSIONS + 1) + 20, len(host.reads)  # three auth stacks
    if facts is None:
        return
    assert facts["stacks"] and set(facts["stacks"]) <= set(PAM_STACKS)
    lockout = facts["lockout"]
    assert lockout["records_failures"] == (not lockout["unprotected_stacks"]) or lockout["module"] is None
    quality = facts["quality"]
    assert quality["min_length"] is None or isinstance(quality["min_length"], int)


# -- the collector ---------------------------------------------------------------------------------


@st.composite
def pam_tree(draw: st.DrawFn) -> Tree:
    tree = Tree()
    for path in PAM_FILES:
        if draw(st.integers(0, 2)):
            tree.files[path] = draw(file_bytes(PAM_LINE))
    for path in CONF_FILES:
        if draw(st.booleans()):
            tree.files[path] = draw(file_bytes(KV_LINE))
    return tree


@given(pam_tree(), st.booleans())
@example(Tree(files={"/etc/pam.d/common-auth": "auth include /etc\nauth substack ../../etc/pam.d/common-auth\n"}), True)
@fuzz_tree()
def test_pam_collector_on_a_fuzzed_tree(tree: Tree, privileged: bool) -> None:
    assert_sound(run_on_tree("host.pam", tree, privileged))
