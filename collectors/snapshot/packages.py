"""Package integrity: installed files that no longer match what their package shipped.

On dpkg systems every file in each package's ``md5sums`` is hashed and
compared, and the changed configuration files are found from the status
database's ``Conffiles``; this is what ``dpkg --verify`` does, without
running it. Files are taken in order of what an intruder replaces first:
programs, PAM modules and the loader, then shared libraries, then the
rest; when the time budget runs out the rest is counted, not checked. On
rpm systems ``rpm -Va`` is run when the runner's allow-list has it (not in
offline-root mode: it would verify this machine's packages).
A mismatch is recorded with the expected and the found md5 and the file's
sha256.
"""

from __future__ import annotations

import time
from typing import Any, Dict, Iterator, List, Optional, Tuple

from collectors.context import OFFLINE_ROOT
from collectors.evidence import CollectError, ErrorReason
from collectors.runner import ALLOWED_COMMANDS
from collectors.snapshot.model import Artefact, Builder, clean
from collectors.snapshot.session import Session

DPKG_INFO = "/var/lib/dpkg/info"
DPKG_STATUS = "/var/lib/dpkg/status"
RPM_VERIFY = ("rpm", "-Va")
RPM_DB = ("/var/lib/rpm", "/usr/lib/sysimage/rpm")
_PROGRAM_DIRS = ("bin/", "sbin/", "usr/bin/", "usr/sbin/", "usr/local/bin/", "usr/local/sbin/", "lib/systemd/", "usr/lib/systemd/", "usr/libexec/")
TIERS = ("programs, PAM modules and the loader", "shared libraries", "other files")
MAX_LISTED = 2000


def tier(path: str) -> int:
    """0: programs, PAM modules and the dynamic loader; 1: shared libraries; 2: the rest (``path`` without the leading /)."""
    name = path.rsplit("/", 1)[-1]
    if path.startswith(_PROGRAM_DIRS) or "/security/" in path or name.startswith("ld-linux"):
        return 0
    if name.endswith(".so") or ".so." in name:
        return 1
    return 2


def _md5sums(text: str) -> Iterator[Tuple[str, str]]:
    for line in text.splitlines():
        digest, _, path = line.partition(" ")
        path = path.lstrip(" *")
        if len(digest) == 32 and path:
            yield digest.lower(), path


class _Check:
    def __init__(self, s: Session, b: Builder) -> None:
        self.s = s
        self.b = b
        self.checked = 0
        self.not_checked = [0, 0, 0]
        self.listed = 0
        self.mismatched: List[Dict[str, Any]] = []
        self.missing: List[Dict[str, Any]] = []
        self.unreadable: List[Dict[str, Any]] = []
        self.more = 0

    def _note(self, bucket: List[Dict[str, Any]], item: Dict[str, Any]) -> None:
        if len(bucket) < MAX_LISTED:
            bucket.append(item)
        else:
            self.more += 1

    def file(self, package: str, path: str, expected: str, level: int) -> Optional[str]:
        """Compare one file; returns its md5 when read."""
        if self.s.reader.expired():
            self.not_checked[level] += 1
            return None
        host = "/" + path
        r = self.s.reader
        try:
            found = r.md5(host, max_bytes=self.s.limits.hash_bytes)
            if found is not None and found != expected:
                d = r.digest(host, max_bytes=self.s.limits.hash_bytes, keep=False)
                sha = d.sha256 if d is not None else None
        except CollectError as exc:
            if exc.reason is ErrorReason.TIMEOUT:
                self.not_checked[level] += 1
            else:
                self._note(self.unreadable, {"path": clean(host), "package": package, "reason": exc.message})
            return None
        self.checked += 1
        if found is None:
            self._note(self.missing, {"path": clean(host), "package": package})
            return None
        if found != expected:
            self._note(self.mismatched, {"path": clean(host), "package": package, "expected_md5": expected, "md5": found, "sha256": sha})
        return found


DPKG_DIVERSIONS = "/var/lib/dpkg/diversions"


def _diversions(s: Session, b: Builder) -> Dict[str, Tuple[str, str]]:
    """{path: (where it was moved, the diverting package)} from dpkg's diversions: a file another package diverted
    (postgresql-common's /usr/bin/pg_config) lives at the diverted path, and comparing the original path with the
    diverted package's md5sums would report a modification that is none."""
    try:
        got = s.reader.read(DPKG_DIVERSIONS, 16 * 1024 * 1024)
    except CollectError as exc:
        b.gap(DPKG_DIVERSIONS, exc.message)
        return {}
    if got is None:
        return {}
    lines = got.data.decode("utf-8", "surrogateescape").split("\n")
    out: Dict[str, Tuple[str, str]] = {}
    for i in range(0, len(lines) - 2, 3):
        out[lines[i]] = (lines[i + 1], lines[i + 2])
    return out


def _dpkg(s: Session, b: Builder, lists: List[str]) -> Dict[str, Any]:
    check = _Check(s, b)
    diverted = _diversions(s, b)
    for level in range(len(TIERS)):
        for name in lists:
            package = clean(name[: -len(".md5sums")])
            try:
                got = s.reader.read(f"{DPKG_INFO}/{name}", 64 * 1024 * 1024)
            except CollectError as exc:
                if level == 0:
                    b.gap(f"{DPKG_INFO}/{name}", exc.message)
                continue
            if got is None:
                continue
            for expected, path in _md5sums(got.data.decode("utf-8", "surrogateescape")):
                if tier(path) != level:
                    continue
                check.listed += 1
                moved = diverted.get("/" + path.lstrip("/"))  # md5sums paths are relative, diversions absolute
                if moved is not None and moved[1] != package.split(":")[0]:
                    path = moved[0].lstrip("/")  # another package diverted it: this package's copy is at the diverted path
                check.file(package, path, expected, level)
    conffiles = _conffiles(s, b)
    for level, count in enumerate(check.not_checked):
        if count:
            b.limit(f"{count} {TIERS[level]} not checked: the time budget was spent")
    if check.more:
        b.limit(f"{check.more} more findings not listed (at most {MAX_LISTED} per kind)")
    return {
        "method": "dpkg md5sums",
        "packages": len(lists),
        "files_listed": check.listed,
        "files_checked": check.checked,
        "not_checked": sum(check.not_checked),
        "complete": not any(check.not_checked),
        "mismatched": sorted(check.mismatched, key=lambda m: m["path"]),
        "missing": sorted(check.missing, key=lambda m: m["path"]),
        "unreadable": sorted(check.unreadable, key=lambda m: m["path"]),
        "conffiles_changed": conffiles,
    }


def _conffiles(s: Session, b: Builder) -> List[Dict[str, Any]]:
    """Configuration files whose md5 differs from the one dpkg recorded (edited by an administrator, or not)."""
    b.source(DPKG_STATUS)
    try:
        got = s.reader.read(DPKG_STATUS, 256 * 1024 * 1024)
    except CollectError as exc:
        b.gap(DPKG_STATUS, exc.message)
        return []
    if got is None:
        return []
    changed: List[Dict[str, Any]] = []
    package = ""
    in_conffiles = False
    for line in got.data.decode("utf-8", "surrogateescape").splitlines():
        if line.startswith("Package:"):
            package = line.split(":", 1)[1].strip()
            in_conffiles = False
        elif line.startswith("Conffiles:"):
            in_conffiles = True
        elif in_conffiles and line.startswith(" "):
            fields = line.split()
            if len(fields) < 2 or "obsolete" in fields[2:] or len(fields[1]) != 32 or not fields[0].startswith("/"):
                continue
            if s.reader.expired():
                b.limit("configuration files not all compared: the time budget was spent")
                break
            try:
                found = s.reader.md5(fields[0], max_bytes=s.limits.hash_bytes)
            except CollectError as exc:
                b.gap(fields[0], exc.message)
                continue
            if found is not None and found != fields[1]:
                changed.append({"path": clean(fields[0]), "package": clean(package), "expected_md5": fields[1], "md5": found})
        else:
            in_conffiles = False
    return sorted(changed, key=lambda c: c["path"])[:MAX_LISTED]


def _rpm(s: Session, b: Builder) -> Dict[str, Any]:
    if s.reader.offline_root:
        why = f"{OFFLINE_ROOT}: rpm -Va not run: it would verify this machine's packages, not the image's; package integrity not checked"
        b.gap("rpm -Va", why)
        return {"method": None, "complete": False, "error": why}
    if RPM_VERIFY not in ALLOWED_COMMANDS:
        why = "rpm -Va is not on the runner's read-only allow-list; package integrity not checked"
        b.gap("rpm -Va", why)
        return {"method": None, "complete": False, "error": why}
    b.source(" ".join(RPM_VERIFY))
    left = 300.0 if s.reader.deadline is None else max(1.0, s.reader.deadline - time.monotonic())
    try:
        res = s.reader.run(RPM_VERIFY, timeout=left)
    except CollectError as exc:
        b.gap("rpm -Va", exc.message)
        return {"method": "rpm -Va", "complete": False, "error": exc.message}
    if res.error is not None:
        b.gap("rpm -Va", res.error)
        return {"method": "rpm -Va", "complete": False, "error": res.error}
    changed: List[Dict[str, Any]] = []
    for line in res.stdout.splitlines():
        if line.startswith("missing"):
            changed.append({"path": clean(line.split()[-1]), "flags": "missing", "config": " c " in line})
            continue
        flags, _, rest = line.partition(" ")
        parts = rest.split()
        if len(flags) >= 8 and parts:
            changed.append({"path": clean(parts[-1]), "flags": flags, "config": len(parts) > 1 and parts[0] == "c"})
    return {"method": "rpm -Va", "complete": True, "changed": sorted(changed, key=lambda c: c["path"])}


def package_integrity(s: Session) -> Iterator[Artefact]:
    b = s.builder("packages/integrity")
    b.source(DPKG_INFO)
    try:
        lists = [n for n in s.reader.names(DPKG_INFO) if n.endswith(".md5sums")]
    except CollectError as exc:
        b.gap(DPKG_INFO, exc.message)
        lists = []
    if lists:
        doc = _dpkg(s, b, lists)
    elif any(s.reader.names(d) for d in RPM_DB if _listable(s, d)):
        doc = _rpm(s, b)
    else:
        doc = {"method": None, "complete": False, "error": "no package database with file checksums was found"}
    yield b.json(doc, int(doc.get("files_checked", len(doc.get("changed", [])))))


def _listable(s: Session, path: str) -> bool:
    try:
        s.reader.names(path)
    except CollectError:
        return False
    return True
