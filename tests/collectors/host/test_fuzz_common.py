"""Shared pieces of the host-parser fuzz tests (``test_fuzz_*.py``): text strategies, an in-memory host, a fixture-tree runner.

No tests here. The strategies give the hostile text every parser must survive:
random text, lines built from a parser's grammar with random fields, very long
lines, NUL bytes, control characters and the line separators ``str.splitlines``
honours (form feed, U+2028 ...), numbers too long for ``int`` (over 4300
digits), digits ``str.isdigit`` accepts and ``int`` refuses (superscripts), and
invalid UTF-8 decoded with ``errors="replace"`` as the readers decode it.

:func:`run_on_tree` runs one registered collector over a temporary fixture
tree (files, recorded command outputs, a process table) and :func:`assert_sound`
holds the evidence to the contract: ``ok`` with facts of the declared shape,
or ``error``/``not_applicable`` with a reason, never a BUG "internal error".
:func:`run_many_on_tree` lays a tree out once for several collectors.

:class:`MemoryHost` stands in for :class:`collectors.context.HostReader` for the
parsers that follow includes themselves (sudoers, PAM stacks, logrotate,
sysctl.d, nftables, cron): a dict of files, no disk, so those parsers get the
same 500 / 100,000 examples as the pure ones. It keeps the reader's behaviour
on hostile paths (a relative path is a ValueError, a NUL byte one too, a
directory read as a file or an over-long name is a MALFORMED error, glob
hides dot files and returns nothing for a NUL), so a parser that would crash
on the real reader crashes on it too.
"""

from __future__ import annotations

import fnmatch
import json
import os
import posixpath
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple, TypeVar, Union

import pytest
from hypothesis import settings
from hypothesis import strategies as st

from collectors.catalogue import all_collectors
from collectors.context import MAX_FILE_BYTES, FileStat, HostContext, HostReader, RecordedProcessView
from collectors.evidence import CollectError, ErrorReason, Evidence, EvidenceStatus, NotApplicable
from collectors.facts import check_shape
from collectors.registry import run_collector
from collectors.runner import CommandResult, RecordedRunner, recording_name
from tests.fuzzing import PROFILE

# -- examples per test -------------------------------------------------------------------------

# A collector run over a fixture tree costs a few milliseconds (files written, a dozen reads), and a whole
# collector over an in-memory host a few more draws than one parser: in CI those tests take fewer examples
# than the pure-parser ones, so the whole fuzz suite stays within its time. The long profile gives them
# the full 100,000 too, unless RISKAGENT_FUZZ_TREE_EXAMPLES caps them (scripts/fuzz.sh does, to keep a
# campaign within its hours; every pure parser keeps its 100,000).
TREE_EXAMPLES = 60
COLLECTOR_EXAMPLES = 200
TREE_LONG_EXAMPLES = int(os.environ.get("RISKAGENT_FUZZ_TREE_EXAMPLES", "0")) or None


F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")


def fuzz_tree(ci_examples: int = TREE_EXAMPLES) -> Callable[[F], F]:
    """Like ``tests.fuzzing.fuzz`` (the active profile and the ``fuzz`` marker), with ``ci_examples`` in CI.

    For collector-level tests (a fixture tree, or a whole collector in memory), not for a parser's own test.
    """
    parent = settings.get_profile(PROFILE)
    if PROFILE == "ci":
        count = ci_examples
    else:
        count = min(parent.max_examples, TREE_LONG_EXAMPLES) if TREE_LONG_EXAMPLES else parent.max_examples
    chosen = settings(parent, max_examples=count)

    def deco(fn: F) -> F:
        marked: F = pytest.mark.fuzz(chosen(fn))
        return marked

    return deco


# -- text ----------------------------------------------------------------------------------------

# Characters that break naive parsers: what splitlines() splits on and split("\n") does not, NUL and other
# controls, a BOM, a replacement character, non-ASCII blanks, digits int() refuses or accepts oddly, and
# the punctuation every grammar gives a meaning.
HOSTILE_CHARS = [
    "\x00", "\t", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x1f", "\x7f", "\x85", "\u2028", "\u2029",
    "\ufeff", "\ufffd", "\u00a0", "\u3000", "\u200b", "²", "³", "¹", "٣", "߀", "𝟘", "Ⅻ", "½", "é", "中",
    "\U0001f600", "#", '"', "'", "\\", "=", ":", ",", ";", "[", "]", "{", "}", "(", ")", "<", ">", "*", "?",
    "!", "-", "+", "@", "%", "$", "/", ".", "~", "^", "|", "&", "`", " ",
]  # fmt: skip
_ALPHABET = st.one_of(st.characters(codec="utf-8"), st.sampled_from(HOSTILE_CHARS))

# A run of more digits than int() converts (Python >= 3.11 refuses over 4300), and unusual digits.
HUGE_NUMBER = st.integers(4301, 4600).map(lambda n: "9" * n)
ODD_NUMBERS = st.sampled_from(["²", "¹²", "٣٤", "𝟙𝟚", "-0", "+1", "007", "1e9", "0x1F", "99999999999999999999999", "-1", "1.5", "1_000", ""])
_PLAIN_NUMBER = st.integers(-5, 70000).map(str)
NUMBER = st.one_of(_PLAIN_NUMBER, _PLAIN_NUMBER, _PLAIN_NUMBER, ODD_NUMBERS, ODD_NUMBERS, HUGE_NUMBER)  # huge: 1 in 6


def noise(max_size: int = 40) -> st.SearchStrategy[str]:
    """Random text over every code point and the hostile characters."""
    return st.text(_ALPHABET, max_size=max_size)


def word(*vocab: str, max_size: int = 12) -> st.SearchStrategy[str]:
    """A field: a word of the grammar, a number, or noise."""
    choices: List[st.SearchStrategy[str]] = [noise(max_size), NUMBER, st.text("abcxyz_-./*", min_size=1, max_size=max_size)]
    if vocab:
        choices.insert(0, st.sampled_from(vocab))
        choices.insert(0, st.sampled_from(vocab))  # weighted towards the grammar
    return st.one_of(*choices)


SEPARATORS = st.sampled_from([" ", "  ", "\t", " \t ", "=", " = ", ":", ": ", ",", "", "\x0c", "\u3000"])
ENDINGS = st.sampled_from(["\n", "\n", "\n", "\r\n", "\r", "\x0b", "\u2028", "\\\n", "\x85"])


@st.composite
def joined(draw: st.DrawFn, parts: Sequence[st.SearchStrategy[str]]) -> str:
    """Fields joined by random separators, sometimes with leading blanks or a trailing comment."""
    out = draw(st.sampled_from(["", "", " ", "\t", "  "]))
    for i, part in enumerate(parts):
        if i:
            out += draw(SEPARATORS)
        out += draw(part)
    tail = draw(st.sampled_from(["", "", "", " # c", "#", " ;x", "\\", " \x00"]))
    return out + tail


def long_line(unit: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """A very long line (1,000 to 6,000 characters): one field repeated (longer ones only cost time)."""

    def stretch(t: Tuple[str, int]) -> str:
        piece = t[0] or "x"
        return (piece * (t[1] // len(piece) + 1))[: t[1]]

    return st.tuples(unit, st.integers(1000, 6000)).map(stretch)


_FILLER = st.sampled_from(["", "#", "# comment", "   ", ";", "}", "{"])


def lines(line: st.SearchStrategy[str], max_lines: int = 8, long: bool = True) -> st.SearchStrategy[str]:
    """A file of grammar lines mixed with noise, comments, blank and (unless not ``long``) very long lines, random line endings.

    Tests that parse one file several times (a collector over an in-memory host) leave the long lines to the
    parser's own test: they only cost time there.
    """
    choices = [line, line, line, noise(), _FILLER] + ([long_line(line)] if long else [])
    return _lines(st.one_of(*choices), max_lines)


@st.composite
def _lines(draw: st.DrawFn, choice: st.SearchStrategy[str], max_lines: int) -> str:
    body = draw(st.lists(choice, max_size=max_lines))
    text = ""
    for item in body:
        text += item + draw(ENDINGS)
    if draw(st.booleans()):
        text = text.rstrip("\n")  # no final newline
    return text


# -- seeds from the recorded hosts ------------------------------------------------------------------

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "hosts"
_RECORDED: Dict[Tuple[str, ...], List[str]] = {}


def recorded_texts(*paths: str) -> List[str]:
    """The contents of ``paths`` (``/etc/sudoers``; ``commands/nft_list_ruleset.out``) on every recorded host.

    A glob is allowed (``/etc/sudoers.d/*``). Read once; an empty list if no host has one.
    """
    if paths not in _RECORDED:
        texts: List[str] = []
        for host in sorted(FIXTURES.iterdir()):
            for path in paths:
                base = host / "root" if path.startswith("/") else host
                for f in sorted(base.glob(path.lstrip("/"))):
                    if f.is_file() and not f.is_symlink():
                        text = f.read_bytes()[:200_000].decode("utf-8", "replace")
                        if text not in texts:
                            texts.append(text)
        _RECORDED[paths] = texts
    return _RECORDED[paths]


def recorded_lines(*paths: str) -> List[str]:
    """Every distinct non-blank line of :func:`recorded_texts`, for grammars seeded with real host lines."""
    out: Dict[str, None] = {}
    for text in recorded_texts(*paths):
        for line in text.splitlines():
            if line.strip():
                out.setdefault(line, None)
    return list(out) or [""]


@st.composite
def mutated(draw: st.DrawFn, base: st.SearchStrategy[str]) -> str:
    """A value of ``base`` cut, with text inserted, a span replaced by a number or noise, or doubled."""
    text = draw(base)
    op = draw(st.integers(0, 5))
    if op == 0 or not text:
        return text
    i = draw(st.integers(0, len(text)))
    if op == 1:
        return text[:i]
    if op == 2:
        return text[:i] + draw(st.one_of(noise(8), st.sampled_from(HOSTILE_CHARS))) + text[i:]
    if op == 3:
        j = draw(st.integers(i, min(len(text), i + 12)))
        return text[:i] + draw(st.one_of(NUMBER, noise(6), st.sampled_from(HOSTILE_CHARS))) + text[j:]
    if op == 4:
        return text + draw(st.sampled_from([" ", "\n", "", "\t"])) + text
    return text[i:]


def seeded(*paths: str) -> st.SearchStrategy[str]:
    """A line of the recorded hosts' ``paths``, as it is or mutated."""
    base = st.sampled_from(recorded_lines(*paths))
    return st.one_of(base, mutated(base))


def seeded_text(*paths: str) -> st.SearchStrategy[str]:
    """A whole recorded file of ``paths`` with one to three of its lines mutated (or the file cut short)."""
    texts = recorded_texts(*paths) or [""]

    @st.composite
    def build(draw: st.DrawFn) -> str:
        lines_ = draw(st.sampled_from(texts)).splitlines(keepends=True)
        for _ in range(draw(st.integers(1, 3))):
            if not lines_:
                break
            i = draw(st.integers(0, len(lines_) - 1))
            lines_[i] = draw(mutated(st.just(lines_[i])))
        if draw(st.integers(0, 9)) == 0:
            lines_ = lines_[: draw(st.integers(0, len(lines_)))]
        return "".join(lines_)

    return build()


def invalid_utf8() -> st.SearchStrategy[str]:
    """Bytes that are mostly not UTF-8, decoded as the host readers decode them."""
    return st.binary(max_size=200).map(lambda b: (b + b"\xff\xfe\xc3(\xed\xa0\x80").decode("utf-8", "replace"))


def text_for(grammar: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """What a parser of ``grammar`` files is fed: near-valid files most of the time, random text otherwise."""
    return st.one_of(lines(grammar), lines(grammar), noise(400), invalid_utf8())


def file_bytes(grammar: st.SearchStrategy[str]) -> st.SearchStrategy[bytes]:
    """A file's content on disk: near-valid text, invalid UTF-8, or binary with NUL bytes."""
    return st.one_of(
        text_for(grammar).map(lambda t: t.replace("\x00", "").encode("utf-8", "surrogatepass")),
        text_for(grammar).map(lambda t: t.replace("\x00", "").encode("utf-8", "surrogatepass")),
        st.binary(max_size=300),
    )


# -- a fixture tree ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Command:
    """A recorded command: its output, stderr and exit code ("timeout" for one that timed out)."""

    stdout: Union[str, bytes] = ""
    stderr: str = ""
    rc: Union[int, str] = 0


def command(stdout: st.SearchStrategy[str]) -> st.SearchStrategy[Optional[Command]]:
    """A recorded command, absent, failing or timing out now and then."""
    return st.one_of(
        st.none(),
        st.builds(Command, stdout),
        st.builds(Command, stdout),
        st.builds(Command, st.binary(max_size=200)),
        st.builds(Command, stdout, noise(80), st.sampled_from([1, 2, 4, 127, 255, "timeout"])),
    )


@dataclass
class Tree:
    """A host's files (relative to /), recorded commands (argv -> output), stat overrides and process view."""

    files: Dict[str, Union[str, bytes]] = field(default_factory=dict)
    commands: Dict[Tuple[str, ...], Optional[Command]] = field(default_factory=dict)
    dirs: List[str] = field(default_factory=list)
    symlinks: Dict[str, str] = field(default_factory=dict)
    stat: Dict[str, FileStat] = field(default_factory=dict)
    system: Dict[str, Any] = field(default_factory=dict)


def _write(root: Path, tree: Tree) -> None:
    for d in tree.dirs:
        (root / "root" / d.lstrip("/")).mkdir(parents=True, exist_ok=True)
    for rel, data in tree.files.items():
        path = root / "root" / rel.lstrip("/")
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_dir():
            continue
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_bytes(data.encode("utf-8", "surrogatepass"))
    for rel, target in tree.symlinks.items():
        path = root / "root" / rel.lstrip("/")
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() and not path.is_symlink():
            path.symlink_to(target)
    cmd_dir = root / "commands"
    cmd_dir.mkdir(parents=True, exist_ok=True)
    for argv, cmd in tree.commands.items():
        if cmd is None:
            continue
        base = cmd_dir / recording_name(argv)
        out = cmd.stdout if isinstance(cmd.stdout, bytes) else cmd.stdout.encode("utf-8", "surrogatepass")
        base.with_name(base.name + ".out").write_bytes(out)
        base.with_name(base.name + ".err").write_bytes(cmd.stderr.encode("utf-8", "surrogatepass"))
        base.with_name(base.name + ".rc").write_text(str(cmd.rc))
    (root / "root").mkdir(exist_ok=True)


# Trees are laid out in memory where there is a tmpfs: thousands of them are written and removed.
_SCRATCH = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
CLOCK = 1_767_225_600  # 2026-01-01: recorded hosts keep their clock; so does a fuzzed one


def run_on_tree(name: str, tree: Tree, privileged: bool = True) -> Evidence:
    """Run the registered collector ``name`` over ``tree`` laid out in a fresh temporary directory."""
    return run_many_on_tree((name,), tree, privileged)[0]


def run_many_on_tree(names: Sequence[str], tree: Tree, privileged: bool = True) -> List[Evidence]:
    """Run several registered collectors, in order, over one layout of ``tree`` (one assessment: shared reads shared)."""
    tmp = Path(tempfile.mkdtemp(prefix="riskagent-fuzz-", dir=_SCRATCH))
    try:
        _write(tmp, tree)
        ctx = HostContext(
            root=tmp / "root",
            runner=RecordedRunner(tmp / "commands", privileged=privileged),
            processes=RecordedProcessView(tree.system),
            target="fuzz",
            privileged=privileged,
            stat_overrides=tree.stat,
            clock=CLOCK,
        )
        return [run_collector(all_collectors()[name], ctx) for name in names]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def assert_sound(ev: Evidence) -> None:
    """``ok`` with facts of the declared shape, or ``error``/``not_applicable`` with a reason; never a bug."""
    assert ev.error_reason is not ErrorReason.BUG, ev.reason
    if ev.status is EvidenceStatus.OK:
        check_shape(dict(ev.facts), all_collectors()[ev.collector].shape, ev.collector)
    elif ev.status is EvidenceStatus.ERROR:
        assert ev.reason and ev.error_reason is not None, ev
    else:
        assert ev.status is EvidenceStatus.NOT_APPLICABLE and ev.reason, ev
    json.dumps(ev.to_json())  # the evidence goes into a report as JSON


def collect_in_memory(name: str, host: MemoryHost) -> Optional[Dict[str, Any]]:
    """Call collector ``name``'s function on an in-memory host, held to the contract :func:`assert_sound` checks.

    Only CollectError (with a reason other than BUG and a message) and NotApplicable (with a message) may
    escape; facts must have the declared shape and be JSON. Returns the facts, or None for an error.
    """
    c = all_collectors()[name]
    try:
        facts = dict(c.fn(host.reader()))
    except CollectError as exc:
        assert exc.message and exc.reason is not ErrorReason.BUG, exc
        return None
    except NotApplicable as exc:
        assert str(exc), "NotApplicable without a reason"
        return None
    facts.pop("_method", None)
    check_shape(facts, c.shape, name)
    json.dumps(facts)
    return facts


def no_crash(fn: Callable[..., Any], *args: Any, allowed: Tuple[type, ...] = (), **kwargs: Any) -> Any:
    """Call a parser; only the exceptions it documents (``allowed``) may escape, and they must carry a message."""
    try:
        return fn(*args, **kwargs)
    except allowed as exc:
        assert str(exc), f"{type(exc).__name__} without a message"
        return None


def mapping_reader(files: Mapping[str, str]) -> Tuple[Callable[[str], Optional[str]], Callable[[str], List[str]]]:
    """``read`` and ``glob`` callbacks over an in-memory file map (for parsers that follow includes)."""
    import fnmatch

    def read(path: str) -> Optional[str]:
        return files.get(path)

    def glob(pattern: str) -> List[str]:
        return sorted(p for p in files if fnmatch.fnmatchcase(p, pattern))

    return read, glob


# -- an in-memory host -----------------------------------------------------------------------------

_MAGIC = re.compile(r"[*?[]")


def _normal(path: str) -> str:
    """``path`` as the fixture reader resolves it: '.', '' and '..' components folded (no symlinks here)."""
    out: List[str] = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if out:
                out.pop()
            continue
        out.append(part)
    return "/" + "/".join(out)


def _too_long(path: str) -> bool:
    """What ENAMETOOLONG refuses: a component over 255 bytes or a path over 4095 (the tree's prefix aside)."""
    raw = path.encode("utf-8", "surrogatepass")
    return len(raw) > 3900 or any(len(part) > 255 for part in raw.split(b"/"))


class _MemoryContext:
    live = False
    privileged = True
    stat_overrides: Mapping[str, FileStat] = {}


class MemoryHost:
    """The part of :class:`HostReader` the include-following parsers use, over a dict ``path -> text``.

    Used through :meth:`reader` (typed as a HostReader). ``commands`` maps an argv tuple to its
    :class:`CommandResult`; a command not listed is "not available", as on a recorded host.
    """

    offline_root = False  # as HostReader: a live or recorded host, not a mounted image

    def __init__(
        self,
        files: Mapping[str, Union[str, bytes]],
        dirs: Sequence[str] = (),
        commands: Optional[Mapping[Tuple[str, ...], CommandResult]] = None,
    ) -> None:
        self.files: Dict[str, bytes] = {}
        self.dirs = {"/"}
        for path, data in files.items():
            norm = _normal(path)
            if norm in self.dirs:
                continue  # a directory already holds this name (the writer skips it too)
            self.files[norm] = data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass")
            self._add_parents(norm)
        for d in dirs:
            norm = _normal(d)
            if norm not in self.files:
                self.dirs.add(norm)
                self._add_parents(norm)
        self.files = {p: v for p, v in self.files.items() if p not in self.dirs}
        self.commands = dict(commands or {})
        self.ctx = _MemoryContext()
        self.reads: List[str] = []
        self._shared: Dict[str, Any] = {}

    def _add_parents(self, path: str) -> None:
        parent = posixpath.dirname(path)
        while parent not in self.dirs:
            self.dirs.add(parent)
            parent = posixpath.dirname(parent)

    def reader(self) -> HostReader:
        """This host where a parser expects a HostReader (duck-typed)."""
        return self  # type: ignore[return-value]

    @staticmethod
    def _check(path: str) -> str:
        if not path.startswith("/"):
            raise ValueError(f"host paths are absolute: {path!r}")  # as HostReader._real
        return _normal(path)

    def read_bytes(self, path: str, *, required: bool = False, digest: bool = True) -> Optional[bytes]:
        norm = self._check(path)
        if "\x00" in path:
            raise ValueError("embedded null byte")  # what os.open says
        self.reads.append(norm)
        if _too_long(path):
            raise CollectError(ErrorReason.MALFORMED, f"cannot read {path}: File name too long")
        if norm in self.dirs:
            raise CollectError(ErrorReason.MALFORMED, f"cannot read {path}: not a regular file")
        data = self.files.get(norm)
        if data is None:
            if required:
                raise CollectError(ErrorReason.NOT_FOUND, f"cannot read {path}: No such file or directory")
            return None
        if len(data) > MAX_FILE_BYTES:
            raise CollectError(ErrorReason.MALFORMED, f"{path} is larger than {MAX_FILE_BYTES} bytes; refusing to parse it")
        return data

    def read_text(self, path: str, *, required: bool = False, allow_binary: bool = False) -> Optional[str]:
        data = self.read_bytes(path, required=required)
        if data is None:
            return None
        if not allow_binary and b"\x00" in data:
            raise CollectError(ErrorReason.MALFORMED, f"{path} contains binary data (NUL bytes); not a text configuration file")
        return data.decode("utf-8", "replace")

    def exists(self, path: str) -> bool:
        norm = self._check(path)
        return "\x00" not in path and (norm in self.files or norm in self.dirs)

    def is_dir(self, path: str) -> bool:
        norm = self._check(path)
        return "\x00" not in path and norm in self.dirs

    def listdir(self, path: str) -> List[str]:
        norm = self._check(path)
        if norm in self.files:
            raise CollectError(ErrorReason.NOT_FOUND, f"cannot list {path}: Not a directory")
        prefix = norm.rstrip("/") + "/"
        return sorted({p[len(prefix) :].split("/", 1)[0] for p in (*self.files, *self.dirs) if p.startswith(prefix) and p != prefix})

    def glob(self, pattern: str) -> List[str]:
        """glob(3) as Python's glob module does it: component by component, '*' never matching a leading dot."""
        self._check(pattern)
        if "\x00" in pattern:
            return []
        current = ["/"]
        parts = [p for p in pattern.split("/") if p not in ("", ".")]
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            nxt: List[str] = []
            for base in current:
                if not _MAGIC.search(part):
                    cand = _normal(posixpath.join(base, part)) if part == ".." else posixpath.join(base, part)
                    if (last and self.exists(_normal(cand))) or self.is_dir(_normal(cand)):
                        nxt.append(cand)
                    continue
                if not self.is_dir(_normal(base)):
                    continue
                for name in self.listdir(_normal(base)):
                    if name.startswith(".") and not part.startswith("."):
                        continue
                    if fnmatch.fnmatchcase(name, part):
                        cand = posixpath.join(base, name)
                        if last or self.is_dir(_normal(cand)):
                            nxt.append(cand)
            current = nxt
        return sorted(_normal(p) for p in current if parts)

    def stat(self, path: str) -> Optional[FileStat]:
        norm = self._check(path)
        if "\x00" in path or not self.exists(path):
            return None
        if norm in self.dirs:
            return FileStat(mode=0o755, uid=0, gid=0, is_dir=True, mtime=CLOCK)
        return FileStat(mode=0o755, uid=0, gid=0, size=len(self.files[norm]), mtime=CLOCK)

    def readlink(self, path: str) -> Optional[str]:
        self._check(path)
        if "\x00" in path:
            raise ValueError("embedded null byte")  # os.readlink; HostReader lets it through
        return None

    def run(self, argv: Sequence[str], timeout: float = 10.0) -> CommandResult:
        key = tuple(argv)
        if key in self.commands:
            return self.commands[key]
        return CommandResult(key, None, "", error=f"{key[0]}: command not available", missing=True)

    def stream(self, argv: Sequence[str], sink: Callable[[bytes], None], timeout: float = 10.0) -> CommandResult:
        result = self.run(argv, timeout)
        if result.error is not None or result.exit_code is None:
            return result
        data = result.stdout.encode("utf-8", "surrogatepass")
        for start in range(0, len(data), 65536):
            sink(data[start : start + 65536])
        return CommandResult(result.argv, result.exit_code, "", result.stderr)

    def now(self) -> int:
        return CLOCK

    def shared(self, key: str, compute: Callable[[HostReader], T]) -> T:
        if key not in self._shared:
            self._shared[key] = compute(self.reader())
        value: T = self._shared[key]
        return value

