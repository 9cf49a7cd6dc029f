"""Fuzzing the account databases and shell start-up files: passwd, shadow, group, login.defs, profile scripts.

Covered: ``parse_passwd``, ``parse_shadow`` with ``hash_scheme``, ``parse_group``,
``parse_login_defs`` with the ``host.login_defs`` collector, ``scan_shell_file``,
``path_problems`` and the ``host.shell_env`` collector (in memory), and the
``host.passwd``/``host.shadow``/``host.group``/``host.login_defs``/``host.shell_env``
collectors over a fixture tree. Lines are seeded from the recorded hosts and
mutated, or built from each file's grammar with random fields.
"""

from __future__ import annotations

from typing import Dict, List, Tuple

from hypothesis import example, given
from hypothesis import strategies as st

from collectors.evidence import CollectError, ErrorReason
from collectors.host.accounts import (
    ADMIN_GROUPS,
    hash_scheme,
    parse_group,
    parse_login_defs,
    parse_passwd,
    parse_shadow,
    path_problems,
    scan_shell_file,
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
    lines,
    noise,
    run_many_on_tree,
    seeded,
    seeded_text,
    text_for,
    word,
)
from tests.fuzzing import fuzz

NAMES = ("root", "daemon", "alice", "bob", "+", "-", "+@netgroup", "-bob", "#root", "", "nobody", "sudo", "wheel")
SHELLS = ("/bin/bash", "/usr/sbin/nologin", "/bin/false", "/bin/sh", "", "/sbin/halt", "nologin")
HASHES = (
    "x", "", "*", "!", "!!", "!*", "!$6$salt$hash", "$6$salt$h", "$y$j9T$s$h", "$1$s$h", "$2b$10$h", "$5$s$h", "$md5$x",
    "$sha1$x", "_J9..abcd", "abcdefghijklm", "$7$x", "$gy$x", "$", "!!" * 3, "*LK*", "$6$", "$$$",
)  # fmt: skip


def _record(parts: List[st.SearchStrategy[str]], sep: str = ":") -> st.SearchStrategy[str]:
    """A fixed-field line: the fields joined by ``sep``, now and then one field too few or too many."""

    @st.composite
    def build(draw: st.DrawFn) -> str:
        values = [draw(p) for p in parts]
        shape = draw(st.integers(0, 9))
        if shape == 0 and values:
            values.pop(draw(st.integers(0, len(values) - 1)))
        elif shape == 1:
            values.insert(draw(st.integers(0, len(values))), draw(word("x", "")))
        return draw(st.sampled_from(["", "", " ", "\t"])) + sep.join(values) + draw(st.sampled_from(["", "", " ", ":"]))

    return build()


ID = st.one_of(NUMBER, st.integers(0, 70000).map(str), st.sampled_from(["0", "65534", "1000"]))
PASSWD_LINE = st.one_of(
    seeded("/etc/passwd"),
    _record([word(*NAMES), word(*HASHES), ID, ID, word("Alice,,,", "", "a:b"), word("/root", "/home/a", "/", ""), word(*SHELLS)]),
)
SHADOW_LINE = st.one_of(
    seeded("/etc/shadow"),
    _record([word(*NAMES), word(*HASHES), ID, ID, ID, ID, word("", "7"), word("", "19000"), word("")]),
)
GROUP_LINE = st.one_of(
    seeded("/etc/group"),
    _record([word(*NAMES, *ADMIN_GROUPS), word("x", "", "!"), ID, word("alice,bob", "", "alice, bob ,", ",,", "root")]),
)
LOGIN_DEFS_KEYS = ("PASS_MAX_DAYS", "PASS_MIN_DAYS", "PASS_WARN_AGE", "UID_MIN", "SYS_UID_MAX", "LOGIN_RETRIES", "LOGIN_TIMEOUT")
LOGIN_DEFS_LINE = st.one_of(
    seeded("/etc/login.defs"),
    st.tuples(
        word(*LOGIN_DEFS_KEYS, "UMASK", "ENCRYPT_METHOD", "ENV_SUPATH", "MAIL_DIR", "umask"),
        st.sampled_from([" ", "\t", "  ", "=", ""]),
        st.one_of(NUMBER, word("022", "0077", "077", "7777", "0o22", "SHA512", "yescrypt", '"022"', "PATH=/usr/bin:.:", "99 99")),
    ).map("".join),
)

SHELL_STMT = st.one_of(
    word("TMOUT=600", "export TMOUT=900", "readonly TMOUT", "declare -r TMOUT=300", "typeset -xr TMOUT=1", "TMOUT='60'"),
    NUMBER.map(lambda n: f"TMOUT={n}"),
    NUMBER.map(lambda n: f"readonly TMOUT={n}"),
    word("umask 022", "umask -S 077", "if true; then umask 027; fi", "umask 0777", "umask 8", "{ umask 002; }"),
    word("PATH=/usr/bin:/bin", "export PATH=.:$PATH", "PATH=::/sbin", "PATH=bin:/x", 'PATH="/a b:/c"', "PATH='unterminated"),
)
SHELL_LINE = st.one_of(seeded("/etc/profile", "/etc/bash.bashrc", "/etc/profile.d/*.sh", "/root/.profile"), SHELL_STMT)


# -- pure parsers ------------------------------------------------------------------------------


@given(text_for(PASSWD_LINE))
@example("root:x:" + "9" * 5000 + ":0::/root:/bin/bash")  # a UID longer than int() converts
@example("root:x:²:0::/root:/bin/bash")  # a digit str.isdigit() accepts and int() refuses
@fuzz
def test_passwd(text: str) -> None:
    try:
        users = parse_passwd(text)
    except CollectError as exc:
        assert exc.reason is ErrorReason.MALFORMED and "/etc/passwd: line " in exc.message
        return
    assert len(users) <= len(text.splitlines())
    for u in users:
        assert ":" not in u["name"] + u["home"] + u["shell"]
        assert isinstance(u["uid"], int) and isinstance(u["gid"], int)
        assert u["shadowed"] == (u["password_field"] == "x")


@given(st.lists(st.tuples(st.tuples(st.sampled_from("abcdefgh_"), st.text("abc019_-", max_size=8)).map("".join), st.integers(0, 2**32), st.sampled_from(SHELLS))))
@fuzz
def test_passwd_round_trip(users: List[Tuple[str, int, str]]) -> None:
    text = "".join(f"{n}:x:{uid}:{uid}:gecos:/home/{n}:{sh}\n" for n, uid, sh in users)
    parsed = parse_passwd(text)
    assert [(u["name"], u["uid"], u["shell"]) for u in parsed] == users


@given(text_for(SHADOW_LINE))
@fuzz
def test_shadow(text: str) -> None:
    try:
        entries = parse_shadow(text)
    except CollectError as exc:
        assert exc.reason is ErrorReason.MALFORMED and "/etc/shadow: line " in exc.message
        return
    for e in entries:
        assert e["hash_scheme"] in (
            "none", "locked", "yescrypt", "gost-yescrypt", "scrypt", "bcrypt", "sha512", "sha256", "sha1", "sunmd5", "md5",
            "bsdi-des", "des", "unknown",
        )  # fmt: skip
        assert e["empty"] == (e["hash_scheme"] == "none")
        for k in ("last_change", "min_days", "max_days", "warn_days"):
            assert e[k] is None or isinstance(e[k], int)


@given(st.one_of(word(*HASHES), noise(30)))
@fuzz
def test_hash_scheme(field: str) -> None:
    scheme, locked = hash_scheme(field)
    assert isinstance(locked, bool)
    assert (scheme == "none") == (field == "")
    assert not locked or field[0] in "!*"


@given(text_for(GROUP_LINE))
@example("sudo:x:" + "1" * 4400 + ":alice")
@fuzz
def test_group(text: str) -> None:
    try:
        groups = parse_group(text)
    except CollectError as exc:
        assert exc.reason is ErrorReason.MALFORMED and "/etc/group: line " in exc.message
        return
    for g in groups:
        assert isinstance(g["gid"], int)
        assert all(m and m == m.strip() and "," not in m for m in g["members"])


@given(st.one_of(text_for(LOGIN_DEFS_LINE), seeded_text("/etc/login.defs")))
@example("PASS_MAX_DAYS " + "9" * 5000 + "\nUMASK 0²2\n")
@example("UMASK 0777\nPASS_MIN_DAYS ²\nLOGIN_RETRIES\n")
@fuzz
def test_login_defs(text: str) -> None:
    settings = parse_login_defs(text)
    assert all(k and not any(c.isspace() for c in k) for k in settings)
    facts = collect_in_memory("host.login_defs", MemoryHost({"/etc/login.defs": text}))
    if facts is None:
        assert "\x00" in text  # binary content is the only way to make it refuse the file
        return
    assert facts["present"]
    assert set(facts["values"]) <= set(LOGIN_DEFS_KEYS)
    assert facts["umask_octal"] is None or len(facts["umask_octal"]) >= 3


@given(st.one_of(lines(SHELL_LINE), seeded_text("/etc/profile", "/etc/bash.bashrc", "/etc/profile.d/*.sh")))
@example("TMOUT=" + "9" * 5000)  # a timeout longer than int() converts
@example("export TMOUT=٣٠٠\nreadonly TMOUT")  # digits \d matches and int() reads
@fuzz
def test_shell_file(text: str) -> None:
    found = scan_shell_file("/etc/profile", text)
    assert all(isinstance(t["value"], int) and t["value"] >= 0 for t in found["tmout"])
    assert all(len(u["value"]) == 3 and set(u["value"]) <= set("01234567") for u in found["umask"])
    for line in text.splitlines():
        assert all(isinstance(p, str) for p in path_problems(line))


@st.composite
def shell_host(draw: st.DrawFn) -> MemoryHost:
    files: Dict[str, str] = {}
    for path in ("/etc/profile", "/etc/bash.bashrc", "/etc/profile.d/tmout.sh", "/root/.profile", "/etc/environment"):
        if draw(st.booleans()):
            files[path] = draw(lines(SHELL_LINE, max_lines=6))
    if draw(st.booleans()):
        files["/etc/passwd"] = draw(text_for(PASSWD_LINE))
    if draw(st.booleans()):
        files["/etc/login.defs"] = draw(text_for(LOGIN_DEFS_LINE))
    homes = ["/root", "/home/alice", "/home/alice/.rhosts", "/etc/hosts.equiv", "/home/bob/.netrc"]
    for path in draw(st.lists(st.sampled_from(homes), max_size=3)):
        files[path] = ""
    return MemoryHost(files, dirs=["/home/alice", "/home/bob"])


@given(shell_host())
@example(MemoryHost({"/etc/profile": "TMOUT=" + "9" * 5000}))
@example(MemoryHost({"/etc/passwd": "alice:x:1:1::relative/home:/bin/sh\nbob:x:2:2::/home/b\u2028:/bin/sh\n"}))  # relative home
@fuzz_tree(COLLECTOR_EXAMPLES)
def test_shell_env_collector(host: MemoryHost) -> None:
    facts = collect_in_memory("host.shell_env", host)
    if facts is None:  # a damaged file is reported, never fatal; only binary content is refused
        assert any(b"\x00" in data for data in host.files.values())


# -- the collectors ----------------------------------------------------------------------------


@st.composite
def accounts_tree(draw: st.DrawFn) -> Tree:
    tree = Tree()
    for path, line in (
        ("/etc/passwd", PASSWD_LINE),
        ("/etc/shadow", SHADOW_LINE),
        ("/etc/group", GROUP_LINE),
        ("/etc/login.defs", LOGIN_DEFS_LINE),
        ("/etc/profile", SHELL_LINE),
        ("/etc/profile.d/x.sh", SHELL_LINE),
    ):
        if draw(st.integers(0, 4)):
            tree.files[path] = draw(file_bytes(line))
    if draw(st.booleans()):
        tree.dirs.append("/home/alice")
        tree.files["/home/alice/.netrc"] = ""
    return tree


ACCOUNT_COLLECTORS = ("host.passwd", "host.shadow", "host.group", "host.login_defs", "host.shell_env")


@given(accounts_tree(), st.booleans())
@example(Tree(files={"/etc/passwd": "root:x:" + "9" * 5000 + ":0::/root:/bin/bash\n"}), True)
@example(Tree(files={"/etc/passwd": b"root:x:0:0::/root:/bin/bash\n\x00", "/etc/group": b"\xff\xfe"}), False)
@fuzz_tree()
def test_account_collectors_on_a_fuzzed_tree(tree: Tree, privileged: bool) -> None:
    for ev in run_many_on_tree(ACCOUNT_COLLECTORS, tree, privileged):
        assert_sound(ev)
