"""Persistence locations: where an intruder makes sure to come back.

Cron tables and at jobs, systemd units, timers and generators (system and
per-user), rc.local and init scripts, the dynamic loader's preload list,
shell start-up files of the system and of every user, sudoers, and the PAM
stack with the modules it loads. Every file is recorded with its metadata
and sha256 and, unless it is a secret or a binary, its cleaned text; cron
lines and unit commands are also listed as entries, so a new one shows up
as one new item. Links (enablement links, rc?.d) are recorded with their
target.
"""

from __future__ import annotations

import re
import shlex
from typing import Any, Dict, Iterable, Iterator, List, Sequence, Tuple

from collectors.context import runtime_only
from collectors.evidence import CollectError
from collectors.host.credentials import Syntax
from collectors.runner import ALLOWED_COMMANDS
from collectors.snapshot.files import Copier
from collectors.snapshot.model import Artefact, Builder, clean
from collectors.snapshot.secrets import scrub_line
from collectors.snapshot.session import Session

CRON_FILES = ("/etc/crontab", "/etc/anacrontab", "/etc/cron.allow", "/etc/cron.deny", "/etc/at.allow", "/etc/at.deny")
CRON_DIRS = (
    "/etc/cron.d",
    "/etc/cron.hourly",
    "/etc/cron.daily",
    "/etc/cron.weekly",
    "/etc/cron.monthly",
    "/etc/cron.yearly",
    "/var/spool/cron",  # crontabs/ and atjobs/ on Debian, the tables themselves on RHEL
    "/var/spool/at",
)
SYSTEM_UNIT_DIRS = (
    "/etc/systemd/system",
    "/run/systemd/system",
    "/run/systemd/transient",
    "/usr/local/lib/systemd/system",
    "/usr/lib/systemd/system",
    "/lib/systemd/system",
    "/etc/systemd/user",
    "/usr/local/lib/systemd/user",
    "/usr/lib/systemd/user",
    "/etc/xdg/systemd/user",
)
GENERATOR_DIRS = (
    "/etc/systemd/system-generators",
    "/usr/local/lib/systemd/system-generators",
    "/usr/lib/systemd/system-generators",
    "/etc/systemd/user-generators",
    "/usr/lib/systemd/user-generators",
)
SYSTEMCTL = (
    ("systemctl", "list-timers", "--all", "--no-legend", "--no-pager"),
    ("systemctl", "list-units", "--no-legend", "--no-pager", "--plain", "--all"),
)
INIT_FILES = ("/etc/rc.local", "/etc/rc.d/rc.local", "/etc/inittab")
INIT_DIRS = (
    "/etc/init.d",
    "/etc/rc.d/init.d",
    "/etc/init",
    *(f"/etc/rc{n}.d" for n in "0123456S"),
    *(f"/etc/rc.d/rc{n}.d" for n in "0123456"),
)
PRELOAD_FILES = ("/etc/ld.so.preload", "/etc/ld.so.conf")
PRELOAD_DIRS = ("/etc/ld.so.conf.d",)
SHELL_FILES = (
    "/etc/profile",
    "/etc/bash.bashrc",
    "/etc/bashrc",
    "/etc/bash.bash_logout",
    "/etc/environment",
    "/etc/zshenv",
    "/etc/zprofile",
    "/etc/zshrc",
    "/etc/zlogin",
    "/etc/zlogout",
    "/etc/csh.cshrc",
    "/etc/csh.login",
    "/etc/ssh/sshrc",
    "/etc/security/pam_env.conf",
)
SHELL_DIRS = ("/etc/profile.d", "/etc/zsh", "/etc/fish/conf.d", "/etc/xdg/autostart")
USER_SHELL_FILES = (
    ".profile",
    ".bashrc",
    ".bash_profile",
    ".bash_login",
    ".bash_logout",
    ".zshenv",
    ".zprofile",
    ".zshrc",
    ".zlogin",
    ".zlogout",
    ".cshrc",
    ".tcshrc",
    ".login",
    ".kshrc",
    ".mkshrc",
    ".pam_environment",
    ".xprofile",
    ".xinitrc",
    ".xsession",
    ".ssh/rc",
    ".ssh/environment",
    ".config/fish/config.fish",
)
USER_SHELL_DIRS = (".config/autostart",)
SUDOERS_FILES = ("/etc/sudoers",)
SUDOERS_DIRS = ("/etc/sudoers.d",)
PAM_FILES = ("/etc/pam.conf",)
PAM_DIRS = ("/etc/pam.d", "/etc/security")
PAM_MODULE_DIRS = ("/lib/security", "/lib64/security", "/usr/lib/security", "/usr/lib64/security")
MAX_DIR_DEPTH = 3
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\s*=")


def _tree(s: Session, c: Copier, top: str, syntax: Syntax, copy: bool = True, depth: int = MAX_DIR_DEPTH) -> None:
    """Record every entry below ``top`` (links as links, directories by their entries); a directory reached
    twice (``/lib/systemd`` through the ``/lib`` link of a merged /usr) is recorded under its first name.
    ``top`` itself is recorded when it is a link (a cron.d made a link elsewhere is a finding of its own)."""
    try:
        top_meta = s.reader.meta(top)
    except CollectError:
        top_meta = None  # the walk below names what it cannot read
    if top_meta is not None and top_meta.kind == "symlink":
        c.add(top, copy=False)
    same = s.reader.identity(top)
    if same is not None and same in c.tops:
        return
    if same is not None:
        c.tops.add(same)
    for path, st in s.reader.walk(top, c.b.gap, max_depth=depth):
        if s.reader.expired():
            c.b.limit(f"{top}: not all entries recorded: the time budget was spent")
            return
        meta = s.reader.meta_of(path, st)
        if meta.kind == "dir":
            continue
        c.add(path, copy=copy, syntax=syntax)


def _files(s: Session, c: Copier, files: Iterable[str], syntax: Syntax, copy: bool = True) -> None:
    for path in files:
        c.add(path, copy=copy, syntax=syntax)


def _commands(s: Session, b: Builder, argvs: Sequence[Tuple[str, ...]], runtime: str) -> List[Dict[str, Any]]:
    """Allow-listed read-only commands, their output cleaned line by line.

    offline-root: none is run; each is a gap saying that ``runtime`` (what it shows) exists only on a running system.
    """
    out: List[Dict[str, Any]] = []
    for argv in argvs:
        if s.reader.offline_root:
            b.gap(" ".join(argv), f"not run: {runtime_only(runtime)}")
            continue
        if argv not in ALLOWED_COMMANDS:
            b.gap(" ".join(argv), "not on the read-only command allow-list; not run")
            continue
        if s.reader.ctx.live and s.reader.expired():
            b.limit(f"{' '.join(argv)}: not run: the time budget was spent")
            continue
        b.source(" ".join(argv))
        try:
            res = s.reader.run(argv, timeout=10.0)
        except CollectError as exc:
            b.gap(" ".join(argv), exc.message)
            continue
        if res.error is not None:
            b.gap(" ".join(argv), res.error)
            continue
        lines = []
        for raw in res.stdout.splitlines():
            line, n = scrub_line(raw.rstrip(), s.scrub)
            b.redactions += n
            lines.append(line)
        out.append({"argv": list(argv), "exit_code": res.exit_code, "lines": lines})
    return out


# ------------------------------------------------------------------------------------------ cron


def cron_entries(path: str, text: str, with_user: bool) -> List[Dict[str, Any]]:
    """The jobs of one (cleaned) cron table: line, schedule, user (system tables), command."""
    out: List[Dict[str, Any]] = []
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#") or _ASSIGNMENT.match(line):
            continue
        sched_len = 1 if line.startswith("@") else 5
        want = sched_len + (1 if with_user else 0)
        parts = line.split(None, want)
        if len(parts) <= want:
            out.append({"file": path, "line": n, "malformed": True})
            continue
        entry: Dict[str, Any] = {"file": path, "line": n, "schedule": " ".join(parts[:sched_len]), "command": parts[-1]}
        if with_user:
            entry["user"] = parts[sched_len]
        out.append(entry)
    return out


def _cron_has_user(path: str) -> bool:
    return path in ("/etc/crontab",) or path.startswith("/etc/cron.d/")


def cron(s: Session) -> Iterator[Artefact]:
    b = s.builder("persistence/cron")
    c = Copier(s, b)
    _files(s, c, CRON_FILES, "shell")
    for d in CRON_DIRS:
        _tree(s, c, d, "shell")
    records = c.sorted()
    entries: List[Dict[str, Any]] = []
    for rec in records:
        path, text = rec["path"], rec.get("text")
        if text is None:
            continue
        table = path == "/etc/crontab" or path.startswith(("/etc/cron.d/", "/var/spool/cron/"))
        if table and "/atjobs/" not in path and "/atspool/" not in path:
            entries += cron_entries(path, text, _cron_has_user(path))
    yield b.json({"files": records, "entries": entries}, len(records))


# ------------------------------------------------------------------------------------------ systemd


def unit_entries(path: str, text: str) -> Dict[str, Any]:
    """What a unit runs and when: Exec*= of [Service], On*= of [Timer], WantedBy= and the like of [Install]."""
    found: Dict[str, List[str]] = {}
    section = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
            continue
        key, sep, value = line.partition("=")
        key = key.strip()
        keep = (
            (section == "Service" and key.startswith("Exec"))
            or (section == "Timer" and key.startswith("On"))
            or (section == "Install" and key in ("WantedBy", "RequiredBy", "Alias"))
            or (section == "Service" and key in ("User", "Environment", "EnvironmentFile"))
            or (section == "Path" and key.startswith("Path"))
        )
        if sep and keep:
            found.setdefault(f"{section}.{key}", []).append(value.strip())
    return {"file": path, "unit": path.rsplit("/", 1)[-1], "settings": {k: v for k, v in sorted(found.items())}}


def systemd(s: Session) -> Iterator[Artefact]:
    b = s.builder("persistence/systemd")
    c = Copier(s, b)
    for d in SYSTEM_UNIT_DIRS:
        _tree(s, c, d, "shell")
    for d in GENERATOR_DIRS:
        _tree(s, c, d, "shell", copy=False)
    for u in s.homes():
        _tree(s, c, f"{u.home}/.config/systemd/user", "shell")
    records = c.sorted()
    units = [
        unit_entries(rec["path"], rec["text"])
        for rec in records
        if rec.get("text") is not None and rec["path"].endswith((".service", ".timer", ".socket", ".path", ".conf"))
    ]
    runtime = _commands(s, b, SYSTEMCTL, "the state of loaded units and timers")
    yield b.json({"files": records, "units": units, "runtime": runtime}, len(records))


# ------------------------------------------------------------------------------------------ init, preload, shells, sudoers


def init_scripts(s: Session) -> Iterator[Artefact]:
    b = s.builder("persistence/init")
    c = Copier(s, b)
    _files(s, c, INIT_FILES, "shell")
    for d in INIT_DIRS:
        _tree(s, c, d, "shell", depth=0)
    records = c.sorted()
    yield b.json({"files": records}, len(records))


def preload(s: Session) -> Iterator[Artefact]:
    b = s.builder("persistence/ld_preload")
    c = Copier(s, b)
    _files(s, c, PRELOAD_FILES, "conf")
    for d in PRELOAD_DIRS:
        _tree(s, c, d, "conf", depth=0)
    libraries: List[str] = []
    pre = next((r for r in c.records if r["path"] == "/etc/ld.so.preload"), None)
    for token in (pre or {}).get("text", "").replace(":", " ").split():
        if token.startswith("/") and not token.startswith("[line withheld"):
            libraries.append(token)
    for lib in libraries:
        c.add(lib, copy=False)
    records = c.sorted()
    yield b.json({"files": records, "preloaded": sorted(set(libraries)), "preload_present": pre is not None}, len(records))


def shell_startup(s: Session) -> Iterator[Artefact]:
    b = s.builder("persistence/shell_startup")
    c = Copier(s, b)
    _files(s, c, SHELL_FILES, "shell")
    for d in SHELL_DIRS:
        _tree(s, c, d, "shell", depth=1)
    for u in s.homes():
        _files(s, c, (f"{u.home}/{name}" for name in USER_SHELL_FILES), "shell")
        for d in USER_SHELL_DIRS:
            _tree(s, c, f"{u.home}/{d}", "shell", depth=0)
    records = c.sorted()
    yield b.json({"files": records, "homes": [clean(u.home) for u in s.homes()]}, len(records))


def _sudo_includes(text: str) -> List[str]:
    out = []
    for raw in text.splitlines():
        line = raw.strip()
        for directive in ("#include ", "@include ", "#includedir ", "@includedir "):
            if line.startswith(directive):
                try:
                    target = shlex.split(line[len(directive) :])[0]
                except (ValueError, IndexError):
                    continue
                if target.startswith("/"):
                    out.append(("dir:" if "includedir" in directive else "file:") + target)
    return out


def sudoers(s: Session) -> Iterator[Artefact]:
    b = s.builder("persistence/sudoers")
    c = Copier(s, b)
    _files(s, c, SUDOERS_FILES, "conf")
    for d in SUDOERS_DIRS:
        _tree(s, c, d, "conf", depth=0)
    seen = set()
    for _ in range(4):  # includes of includes, a few levels deep
        more = [inc for rec in list(c.records) for inc in _sudo_includes(rec.get("text", "")) if inc not in seen]
        if not more:
            break
        for inc in more:
            seen.add(inc)
            kind, _, target = inc.partition(":")
            if kind == "dir":
                _tree(s, c, target, "conf", depth=0)
            else:
                c.add(target, syntax="conf")
    records = c.sorted()
    yield b.json({"files": records}, len(records))


# ------------------------------------------------------------------------------------------ PAM


def pam_modules(text: str) -> List[str]:
    """Module names or paths a PAM file loads (``auth required pam_unix.so``; ``-session optional x.so``)."""
    out = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        fields = line.split()
        if fields[0].lstrip("-") in ("@include", "include", "substack"):
            continue
        if len(fields) < 3:
            continue
        control_end = 2
        if fields[1].startswith("["):
            while control_end < len(fields) and not fields[control_end - 1].endswith("]"):
                control_end += 1
        if control_end < len(fields) and fields[control_end].endswith(".so"):
            out.append(fields[control_end])
        elif fields[2].endswith(".so"):
            out.append(fields[2])
    return out


def _module_dirs(s: Session) -> List[str]:
    dirs = list(PAM_MODULE_DIRS)
    for top in ("/lib", "/usr/lib", "/lib64", "/usr/lib64"):
        try:
            names = s.reader.names(top)
        except CollectError:
            continue
        dirs += [f"{top}/{n}/security" for n in names if "-linux" in n]
    return dirs


def pam(s: Session) -> Iterator[Artefact]:
    b = s.builder("persistence/pam")
    c = Copier(s, b)
    _files(s, c, PAM_FILES, "conf")
    for d in PAM_DIRS:
        _tree(s, c, d, "conf", depth=1)
    referenced = sorted({m for rec in c.records for m in pam_modules(rec.get("text", "")) if rec["path"].startswith("/etc/pam")})
    modules = Copier(s, b)
    for d in _module_dirs(s):
        _tree(s, modules, d, "conf", copy=False, depth=0)
    module_records = modules.sorted()
    names = {rec["path"].rsplit("/", 1)[-1] for rec in module_records}
    for m in referenced:
        if m.startswith("/"):
            modules.add(m, copy=False, missing_ok=False)
    module_records = modules.sorted()
    files = c.sorted()
    doc = {
        "files": files,
        "modules": module_records,
        "referenced": referenced,
        "referenced_missing": sorted(m for m in referenced if not m.startswith("/") and m not in names),
    }
    yield b.json(doc, len(files))
