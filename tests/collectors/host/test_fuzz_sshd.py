"""Fuzzing the OpenSSH parsers: sshd_config with Include and Match, ``sshd -T`` output, the sshd PAM stack.

Covered: ``tokenize``, ``parse_match_criteria``, ``convtime``, ``normalize_value``,
``parse_sshd_t``, ``parse_sshd_config_tree`` (random Include/Match nesting, include
loops and fan-out), ``reduce_config``, and the ``host.sshd`` collector over a fixture
tree (config files, ``sshd -T`` stdout/stderr/exit code, PAM stack with
@include/substack and bracketed controls, /etc/group).
"""

from __future__ import annotations

from typing import Dict, List

from hypothesis import example, given
from hypothesis import strategies as st

from collectors.host.sshd import (
    DEFAULTS,
    MAX_INCLUDE_EXPANSIONS,
    canonical_key,
    convtime,
    normalize_value,
    parse_match_criteria,
    parse_sshd_config_tree,
    parse_sshd_t,
    reduce_config,
    tokenize,
)
from tests.collectors.host.test_fuzz_common import (
    NUMBER,
    Command,
    Tree,
    assert_sound,
    command,
    file_bytes,
    fuzz_tree,
    joined,
    mapping_reader,
    noise,
    run_on_tree,
    text_for,
    word,
)
from tests.fuzzing import fuzz

KEYWORDS = (
    "Port", "ListenAddress", "PermitRootLogin", "PasswordAuthentication", "LoginGraceTime", "ClientAliveInterval",
    "MaxStartups", "Ciphers", "MACs", "KexAlgorithms", "AllowUsers", "DenyGroups", "HostKey", "LogLevel",
    "PermitUserEnvironment", "Subsystem", "ChallengeResponseAuthentication", "SetEnv", "ForceCommand",
    "AuthorizedKeysCommand", "AllowTcpForwarding", "UsePAM", "AcceptEnv", "MaxAuthTries", "PubkeyAcceptedKeyTypes",
    "IPQoS", "Banner", "X11Forwarding", "permitrootlogin", "PORT",
)  # fmt: skip
VALUES = (
    "yes", "no", "YES", "without-password", "prohibit-password", "all", "2m", "1h30m", "90", "0", "5w", "10:30:60",
    "+aes128-ctr", "-*cbc", "^chacha20-poly1305@openssh.com", "+", "-", "^", "QUIET", "debug1", "sftp /usr/lib/sftp",
    '"quoted value"', '"unterminated', "/etc/ssh/ssh_host_ed25519_key", "alice bob", "none", "=yes", "1m1m1m",
)  # fmt: skip
CRITERIA = ("User", "Group", "Host", "Address", "LocalAddress", "LocalPort", "RDomain", "all", "All", "user=alice", "Exec")
INCLUDES = (
    "sshd_config.d/*.conf", "/etc/ssh/sshd_config.d/*.conf", "inc1", "/etc/ssh/inc2", "inc*", "/etc/ssh/sshd_config",
    "nonexistent", "/etc/ssh/sshd_config.d/a.conf inc1", "*", "../ssh/inc1", "", '"inc1"',
)  # fmt: skip

VALUE = st.one_of(word(*VALUES), NUMBER, st.text("0123456789smhdwSMHDW", max_size=12))
SETTING = joined([word(*KEYWORDS), VALUE])
MATCH = st.lists(st.one_of(word(*CRITERIA), word("alice", "10.0.0.0/8", "*", "!root", "22")), max_size=6).map(
    lambda ws: "Match " + " ".join(ws)
)
INCLUDE = word(*INCLUDES).map(lambda p: f"Include {p}")
CONFIG_LINE = st.one_of(SETTING, SETTING, MATCH, INCLUDE)
CONFIG = text_for(CONFIG_LINE)
CONFIG_PATHS = ("/etc/ssh/sshd_config", "/etc/ssh/sshd_config.d/a.conf", "/etc/ssh/sshd_config.d/b.conf", "/etc/ssh/inc1", "/etc/ssh/inc2")

SSHD_T_KEYS = (*DEFAULTS, "setenv", "forcecommand", "authorizedkeyscommand", "subsystem", "hostcertificate", "ipqos", "challengeresponseauthentication")
SSHD_T = text_for(joined([word(*SSHD_T_KEYS), VALUE]))

PAM_TYPES = ("auth", "-auth", "AUTH", "account", "password", "session", "@include")
PAM_CONTROLS = (
    "required", "requisite", "sufficient", "optional", "include", "substack", "[success=1 default=ignore]",
    "[success=done new_authtok_reqd=done default=ignore]", "[default=die]", "[success=² default=bad]", "[success=3",
    "[", "]", "[success=ok new_authtok_reqd=ok ignore=ignore default=bad]", "[success=99999999999999999999 default=bad]",
)  # fmt: skip
PAM_MODULES = (
    "pam_unix.so", "pam_google_authenticator.so", "pam_oath.so", "/lib/security/pam_duo.so", "pam_deny.so", "common-auth",
    "sshd-otp", "pam_permit.so", "pam_faillock.so", "pam_u2f", "sshd",
)  # fmt: skip
PAM_ARGS = ("nullok", "secret=/etc/x", "forward_pass", "try_first_pass", "echo_verify_code", "deny=3", "", "[a=b c]")
PAM_LINE = joined([word(*PAM_TYPES), word(*PAM_CONTROLS), word(*PAM_MODULES), word(*PAM_ARGS), word(*PAM_ARGS)])
PAM = text_for(PAM_LINE)
PAM_PATHS = ("/etc/pam.d/sshd", "/etc/pam.d/common-auth", "/etc/pam.d/sshd-otp", "/lib/security/x")

GROUP = text_for(joined([word("root", "ssh", "wheel"), word("x", ""), NUMBER, word("alice,bob", "")]))


# -- pure parsers ------------------------------------------------------------------------------


@given(noise(300))
@fuzz
def test_tokenize_splits_any_line(line: str) -> None:
    tokens = tokenize(line)
    assert tokens is None or all(isinstance(t, str) for t in tokens)


@given(st.lists(word(*CRITERIA, "alice", "10.0.0.0/8", "=", "x=y"), max_size=10))
@fuzz
def test_match_criteria_pairs_any_words(args: List[str]) -> None:
    for cond in parse_match_criteria(args):
        assert len(cond) == 2


@given(st.one_of(VALUE, noise(60)))
@example("9" * 5000)  # a number longer than int() converts
@example("1" * 4301 + "m")
@fuzz
def test_convtime_is_seconds_or_none(text: str) -> None:
    secs = convtime(text)
    assert secs is None or secs >= 0


@given(word(*KEYWORDS, *SSHD_T_KEYS).map(canonical_key), st.one_of(VALUE, noise(60)))
@example("logingracetime", "9" * 5000)
@example("clientaliveinterval", "2" * 4400 + "s")
@fuzz
def test_normalize_value_any_keyword_and_value(key: str, value: str) -> None:
    assert isinstance(normalize_value(key, value), str)


@given(SSHD_T)
@example("logingracetime " + "9" * 5000)
@fuzz
def test_sshd_t_output(text: str) -> None:
    cfg = parse_sshd_t(text)
    reduced = reduce_config(cfg, fill_unset=True)
    assert all(isinstance(k, str) for k in reduced)


@st.composite
def config_files(draw: st.DrawFn) -> Dict[str, str]:
    files = {}
    for path in CONFIG_PATHS:
        if path == CONFIG_PATHS[0] or draw(st.booleans()):
            files[path] = draw(CONFIG)
    return files


@given(config_files())
@example({"/etc/ssh/sshd_config": "LoginGraceTime " + "9" * 5000})
@example({"/etc/ssh/sshd_config": "Include sshd_config\nPort 22\n"})  # includes itself
@example({p: "Include /etc/ssh/sshd_config.d/*.conf inc1 inc2\nInclude inc*\nMatch User a\n" for p in CONFIG_PATHS})  # fan-out
@fuzz
def test_config_tree_with_include_and_match(files: Dict[str, str]) -> None:
    read, glob = mapping_reader(files)
    reads = []

    def counting_read(path: str) -> object:
        reads.append(path)
        return read(path)

    tree = parse_sshd_config_tree(counting_read, glob)  # type: ignore[arg-type]
    # Include loops and fan-out are bounded: sshd stops at its depth limit, and so must the work.
    assert len(reads) <= MAX_INCLUDE_EXPANSIONS, len(reads)
    effective = tree.effective()
    reduce_config(effective, fill_unset=True)
    for block in tree.match_blocks:
        block.to_json()
    assert set(tree.files) <= set(files)


# -- the collector ---------------------------------------------------------------------------------


CONFIG_FILE = file_bytes(CONFIG_LINE)
PAM_FILE = file_bytes(PAM_LINE)
SSHD_T_STDERR = st.one_of(
    st.sampled_from(["", "Permission denied", "/etc/ssh/sshd_config line 3: Bad configuration option: Foo", "x"]), noise(60)
)
SSHD_T_RUN = st.one_of(command(SSHD_T), st.builds(Command, SSHD_T, SSHD_T_STDERR, st.sampled_from([0, 1, 255])))


@st.composite
def sshd_tree(draw: st.DrawFn) -> Tree:
    tree = Tree()
    if draw(st.integers(0, 9)):
        tree.files["/usr/sbin/sshd"] = "\x7fELF"
    for path in CONFIG_PATHS:
        if draw(st.integers(0, 3)):
            tree.files[path] = draw(CONFIG_FILE)
    for path in PAM_PATHS:
        if draw(st.integers(0, 2)):
            tree.files[path] = draw(PAM_FILE)
    if draw(st.booleans()):
        tree.files["/etc/group"] = draw(GROUP)
    if draw(st.booleans()):
        tree.files["/etc/ssh/ssh_host_ed25519_key"] = "key"
    tree.commands[("sshd", "-T")] = draw(SSHD_T_RUN)
    return tree


@given(sshd_tree(), st.booleans())
@example(Tree(files={"/etc/ssh/sshd_config": "LoginGraceTime " + "9" * 5000}), True)
@example(
    Tree(
        files={
            "/etc/ssh/sshd_config": "UsePAM yes\n",
            "/etc/pam.d/sshd": "auth [success=² default=bad] pam_unix.so\nauth required pam_google_authenticator.so\n",
        }
    ),
    True,
)
@fuzz_tree()
def test_sshd_collector_on_a_fuzzed_tree(tree: Tree, privileged: bool) -> None:
    assert_sound(run_on_tree("host.sshd", tree, privileged))


@given(PAM, PAM)
@example("auth [success=² default=bad] pam_unix.so\nauth required pam_oath.so\n", "")
@example("auth [success=9999999999999999999999 default=bad] pam_unix.so\nauth required pam_oath.so\n", "")
@example("auth [success=" + "1" * 5000 + " default=bad] pam_unix.so\nauth required pam_oath.so\n", "")
@fuzz_tree(200)
def test_sshd_pam_stack(sshd: str, included: str) -> None:
    tree = Tree(files={"/etc/ssh/sshd_config": "UsePAM yes\n", "/etc/pam.d/sshd": sshd, "/etc/pam.d/common-auth": included})
    tree.files["/etc/pam.d/sshd-otp"] = included
    assert_sound(run_on_tree("host.sshd", tree))


def test_include_fan_out_is_bounded() -> None:
    """Five files that each include all five would take 5**16 parses at sshd's depth limit."""
    files = {p: "Include /etc/ssh/sshd_config.d/*.conf /etc/ssh/inc*\nPort 22\n" for p in CONFIG_PATHS}
    read, glob = mapping_reader(files)
    calls: List[str] = []

    def counting_read(path: str) -> object:
        calls.append(path)
        return read(path)

    tree = parse_sshd_config_tree(counting_read, glob)  # type: ignore[arg-type]
    assert len(calls) <= MAX_INCLUDE_EXPANSIONS
    assert any("Include expansions" in w for w in tree.warnings)

