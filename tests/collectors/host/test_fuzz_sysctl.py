"""Fuzzing the sysctl parsers: sysctl.conf and sysctl.d files, their precedence, and /proc/sys values.

Covered: ``parse_sysctl_conf`` with ``normalize_key`` (slashes and dots, ``-key``
exclusions, globs), ``resolve_sysctl``, and the ``host.sysctl`` collector on an
in-memory host (the sysctl.d search path with masked and shadowed names,
/etc/sysctl.conf, runtime values) and over a fixture tree.
"""

from __future__ import annotations

from typing import Dict

from hypothesis import example, given
from hypothesis import strategies as st

from collectors.host.kernel import SYSCTL_DIRS, SYSCTL_KEYS, normalize_key, parse_sysctl_conf, resolve_sysctl
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
    run_on_tree,
    seeded,
    text_for,
    word,
)
from tests.fuzzing import fuzz

KEYS = (
    *SYSCTL_KEYS[:6], "net/ipv4/ip_forward", "net.ipv4.conf.*.rp_filter", "net.ipv4.conf.all.*", "net/ipv4/conf/eth0.1/rp_filter",
    "kernel.*", "*", "[", "net.ipv4.conf.[ad]*.accept_redirects", "-net.ipv4.conf.all.rp_filter", "-", ".", "/", "kernel..x",
)  # fmt: skip
SYSCTL_LINE = st.one_of(
    seeded("/etc/sysctl.conf", "/etc/sysctl.d/*", "/usr/lib/sysctl.d/*"),
    st.builds(
        lambda k, sep, v: k + sep + v,
        word(*KEYS),
        st.sampled_from([" = ", "=", " =", "= ", "\t=\t", " ", ""]),
        st.one_of(NUMBER, word("0", "1", "2", "1 2 3", "  0  ", '"1"')),
    ),
    word(*KEYS).map(lambda k: "-" + k),
)
SYSCTL = text_for(SYSCTL_LINE)
CONF_PATHS = (
    "/etc/sysctl.conf",
    "/etc/sysctl.d/99-sysctl.conf",
    "/etc/sysctl.d/10-a.conf",
    "/run/sysctl.d/10-a.conf",
    "/usr/lib/sysctl.d/50-b.conf",
    "/lib/sysctl.d/50-b.conf",
    "/etc/sysctl.d/.hidden.conf",
    "/etc/sysctl.d/notconf",
)


# -- pure parsers ------------------------------------------------------------------------------


@given(SYSCTL)
@example("net/ipv4/conf/eth0.1/rp_filter = 1\n-kernel.*\n= 1\n-\n")
@example("kernel.randomize_va_space = " + "2" * 5000)
@fuzz
def test_sysctl_conf(text: str) -> None:
    pairs, ignored, excluded = parse_sysctl_conf(text)
    n = len(text.splitlines())
    assert len(pairs) + len(ignored) <= n
    assert all(1 <= int(i) <= n for i in ignored)
    for key, value in pairs:
        assert key and key == key.strip() and value == " ".join(value.split())
        assert normalize_key(key) == key  # normalising is idempotent
    resolved = resolve_sysctl([("/etc/sysctl.conf", pairs)], excluded)
    assert set(resolved) <= set(SYSCTL_KEYS)


@given(st.one_of(word(*KEYS), noise(40)))
@example("net/ipv4\x00x")  # the swap once went through a NUL placeholder: a NUL in the key came out as '/'
@fuzz
def test_normalize_key(key: str) -> None:
    out = normalize_key(key)
    assert out == out.strip()
    assert out.count(".") + out.count("/") == key.strip().count(".") + key.strip().count("/")


@st.composite
def sysctl_host(draw: st.DrawFn) -> MemoryHost:
    files: Dict[str, str] = {}
    for path in draw(st.lists(st.sampled_from(CONF_PATHS), max_size=4, unique=True)):
        files[path] = draw(lines(SYSCTL_LINE, max_lines=5, long=False))
    for key in draw(st.lists(st.sampled_from(SYSCTL_KEYS), max_size=4, unique=True)):
        files["/proc/sys/" + key.replace(".", "/")] = draw(st.one_of(NUMBER, noise(10)))
    return MemoryHost(files, dirs=[*SYSCTL_DIRS[:1], "/proc/sys/net/ipv6"])


@given(sysctl_host())
@example(MemoryHost({"/etc/sysctl.d/99-sysctl.conf": "net.ipv4.ip_forward=1", "/etc/sysctl.conf": "net.ipv4.ip_forward=1"}))
@example(MemoryHost({"/proc/sys/kernel/randomize_va_space": "\x00"}))  # binary /proc content
@fuzz_tree(COLLECTOR_EXAMPLES)
def test_sysctl_collector(host: MemoryHost) -> None:
    facts = collect_in_memory("host.sysctl", host)
    if facts is None:
        assert any(b"\x00" in data for data in host.files.values())
        return
    assert set(facts["keys"]) == set(SYSCTL_KEYS)
    for key, entry in facts["keys"].items():
        assert (entry["runtime"] is None) == (key in facts["unavailable"])
        assert (entry["persisted"] is None) == (entry["persisted_in"] is None)
    assert set(facts["config_files"]) <= set(host.files)


# -- the collector ---------------------------------------------------------------------------------


@st.composite
def sysctl_tree(draw: st.DrawFn) -> Tree:
    tree = Tree()
    for path in draw(st.lists(st.sampled_from(CONF_PATHS), max_size=4, unique=True)):
        tree.files[path] = draw(file_bytes(SYSCTL_LINE))
    for key in draw(st.lists(st.sampled_from(SYSCTL_KEYS), max_size=3, unique=True)):
        tree.files["/proc/sys/" + key.replace(".", "/")] = draw(st.one_of(NUMBER, noise(10)))
    if draw(st.booleans()):
        tree.symlinks["/etc/sysctl.d/50-masked.conf"] = "/dev/null"
    return tree


@given(sysctl_tree(), st.booleans())
@example(Tree(symlinks={"/etc/sysctl.d/99-sysctl.conf": "../sysctl.conf"}, files={"/etc/sysctl.conf": "kernel.x=1"}), True)
@fuzz_tree()
def test_sysctl_collector_on_a_fuzzed_tree(tree: Tree, privileged: bool) -> None:
    assert_sound(run_on_tree("host.sysctl", tree, privileged))
