"""Record this machine as a fixture host: the files, commands and processes the collectors look at.

    sudo .venv/bin/python -m tests.tools.record_host tests/fixtures/hosts/<name>

Copies every file a collector read (secrets replaced: shadow hashes become a
dummy, private keys become a placeholder, and a credential in any other file,
found by the report redactor, becomes a stand-in value that still looks like
one, so the recording reproduces the finding without the secret), the ownership and mode of every
path a collector looked at, the output of every command it ran, and the
process table and listening sockets (names only). Review the result before
committing it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat as _stat
import sys
from pathlib import Path
from typing import Dict, Set

from collectors.catalogue import all_collectors
from collectors.context import HostContext, HostReader, LiveProcessView
from collectors.evidence import CommandSource, FileSource
from collectors.runner import SystemRunner, is_root, recording_name

SECRET_FILES = re.compile(r"^/etc/(g?shadow-?|ssh/ssh_host_.*_key|ssl/private/.*)$")
DUMMY_HASH = "$6$fixture$" + "x" * 86


def _scrub(path: str, data: bytes) -> bytes:
    if path.startswith("/etc/ssh/ssh_host_") or path.startswith("/etc/ssl/private/"):
        return b"(private key removed by the recorder)\n"
    out = []
    for line in data.decode("utf-8", "replace").splitlines():
        fields = line.split(":")
        if len(fields) > 1 and fields[1] not in ("", "*", "!", "!!", "x") and not fields[1].startswith("!*"):
            fields[1] = ("!" if fields[1].startswith("!") else "") + DUMMY_HASH
        out.append(":".join(fields))
    return ("\n".join(out) + "\n").encode()


STAND_IN = "recorded-secret-removed"


def _scrub_credentials(data: bytes) -> bytes:
    """A text file with every credential the redactor recognises replaced by a stand-in value."""
    from report.redact import REDACTED, redact_text

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return data
    clean, count = redact_text(text)
    return clean.replace(REDACTED, STAND_IN).encode("utf-8") if count else data


def _installed_names() -> Set[str]:
    try:
        text = Path("/var/lib/dpkg/status").read_text()
    except OSError:
        return set()
    return {m.group(1).split(":")[0] for m in re.finditer(r"^Package: (\S+)", text, re.M)}


def _trim_index(text: str, names: Set[str]) -> str:
    keep = [s for s in text.split("\n\n") if (m := re.search(r"^Package: (\S+)", s, re.M)) and m.group(1) in names]
    return "\n\n".join(keep) + "\n"


def record(dest: Path) -> None:
    root = dest / "root"
    ctx = HostContext(Path("/"), SystemRunner(), LiveProcessView(), os.uname().nodename, is_root())
    files: Set[str] = set()
    commands: Set[tuple] = set()
    touched: Set[str] = set()
    for c in all_collectors().values():
        reader = HostReader(ctx)
        try:
            c.fn(reader)
        except Exception as exc:  # recording continues; the fixture shows the failure
            print(f"{c.name}: {exc}", file=sys.stderr)
        for s in reader.sources:
            if isinstance(s, FileSource) and s.sha256:
                files.add(s.path)
            elif isinstance(s, CommandSource):
                commands.add(s.argv)
        touched.update(reader.touched)
    stats: Dict[str, Dict[str, object]] = {}
    for path in sorted(files | touched):
        if path.startswith("/proc/") and path not in files:
            continue
        try:
            st = os.lstat(path)
        except OSError:
            continue
        target = root / path.lstrip("/")
        stats[path] = {"mode": format(_stat.S_IMODE(st.st_mode), "04o"), "uid": st.st_uid, "gid": st.st_gid}
        if _stat.S_ISLNK(st.st_mode):
            stats[path]["is_symlink"] = True
            if path not in files and not os.path.isdir(path):  # a link looked at, not read through (enabled units)
                target.parent.mkdir(parents=True, exist_ok=True)
                if not os.path.lexists(target):
                    os.symlink(os.readlink(path), target)
                continue
        if _stat.S_ISDIR(st.st_mode):
            target.mkdir(parents=True, exist_ok=True)
            stats[path]["is_dir"] = True
        elif path in files:
            target.parent.mkdir(parents=True, exist_ok=True)
            data = Path(path).read_bytes()
            target.write_bytes(_scrub(path, data) if SECRET_FILES.match(path) else _scrub_credentials(data))
    (dest / "stat").mkdir(parents=True, exist_ok=True)
    (dest / "stat" / "recorded.json").write_text(json.dumps(stats, indent=1, sort_keys=True) + "\n")
    cmd_dir = dest / "commands"
    cmd_dir.mkdir(parents=True, exist_ok=True)
    installed = _installed_names()
    for argv in sorted(commands):
        res = SystemRunner().run(argv)
        if res.missing:
            continue
        if argv[:2] == ("apt-helper", "cat-file"):
            # Keep the index as a plain file in the tree, trimmed to installed packages.
            plain = root / argv[2].lstrip("/").rsplit(".", 1)[0]
            plain.parent.mkdir(parents=True, exist_ok=True)
            plain.write_text(_trim_index(res.stdout, installed))
            continue
        base = cmd_dir / recording_name(argv)
        base.with_name(base.name + ".out").write_text(res.stdout)
        base.with_name(base.name + ".rc").write_text("timeout\n" if res.timed_out else f"{res.exit_code}\n")
        if res.stderr:
            base.with_name(base.name + ".err").write_text(res.stderr)
    view = LiveProcessView()
    system = {
        "hostname": ctx.target,
        "processes": [p.__dict__ for p in view.processes()],
        "listening": [s.__dict__ for s in view.listening()],
    }
    (dest / "system.json").write_text(json.dumps(system, indent=1, sort_keys=True) + "\n")
    print(f"recorded {len(files)} files, {len(stats)} modes, {len(commands)} commands into {dest}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    dest = Path(sys.argv[1])
    if dest.exists():
        shutil.rmtree(dest) if "--force" in sys.argv else None
    record(dest)
