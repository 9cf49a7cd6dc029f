"""Accounts: who can log in, who is UID 0, who is in an administrators' group, when passwords changed.

passwd and group are reduced to their entries (a legacy hash in passwd's
second field is reduced to its kind); shadow to each user's hash scheme,
lock state and last change, as ``host.shadow`` does. The three files are
recorded by metadata and sha256; no hash is ever kept.
"""

from __future__ import annotations

from typing import Any, Dict, Iterator, List

from collectors.evidence import CollectError
from collectors.host.accounts import ADMIN_GROUPS, hash_scheme
from collectors.snapshot.files import record
from collectors.snapshot.model import Artefact, Builder, clean
from collectors.snapshot.session import Session


def _password_kind(value: str) -> str:
    if value == "x":
        return "shadow"
    if value == "":
        return "empty"
    if value[0] in "*!":
        return "locked"
    return "hash_in_passwd"


def _lines(s: Session, b: Builder, path: str) -> List[List[str]]:
    try:
        got = s.reader.read(path, 16 * 1024 * 1024)
    except CollectError as exc:
        b.gap(path, exc.message)
        return []
    if got is None:
        return []
    rows = []
    for n, raw in enumerate(got.data.decode("utf-8", "surrogateescape").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        rows.append([str(n), *line.split(":")])
    return rows


def accounts(s: Session) -> Iterator[Artefact]:
    b = s.builder("accounts/users")
    files = [r for r in (record(s, b, p, copy=False) for p in ("/etc/group", "/etc/gshadow", "/etc/passwd", "/etc/shadow")) if r]
    users: List[Dict[str, Any]] = []
    malformed: List[Dict[str, Any]] = []
    for row in _lines(s, b, "/etc/passwd"):
        n, fields = int(row[0]), row[1:]
        if len(fields) != 7 or not fields[2].lstrip("-").isdigit() or not fields[3].lstrip("-").isdigit():
            malformed.append({"file": "/etc/passwd", "line": n, "fields": len(fields)})
            continue
        users.append(
            {
                "name": clean(fields[0]),
                "uid": int(fields[2]),
                "gid": int(fields[3]),
                "gecos": clean(fields[4]),
                "home": clean(fields[5]),
                "shell": clean(fields[6]),
                "password_field": _password_kind(fields[1]),
                "line": n,
            }
        )
    groups: List[Dict[str, Any]] = []
    for row in _lines(s, b, "/etc/group"):
        n, fields = int(row[0]), row[1:]
        if len(fields) != 4 or not fields[2].lstrip("-").isdigit():
            malformed.append({"file": "/etc/group", "line": n, "fields": len(fields)})
            continue
        groups.append(
            {"name": clean(fields[0]), "gid": int(fields[2]), "members": sorted(clean(m) for m in fields[3].split(",") if m)}
        )
    shadow: List[Dict[str, Any]] = []
    for row in _lines(s, b, "/etc/shadow"):
        fields = row[1:]
        if len(fields) < 3:
            malformed.append({"file": "/etc/shadow", "line": int(row[0]), "fields": len(fields)})
            continue
        scheme, locked = hash_scheme(fields[1])
        change = fields[2].strip()
        shadow.append(
            {
                "name": clean(fields[0]),
                "hash_scheme": scheme,
                "empty": fields[1] == "",
                "locked": locked,
                "last_change_days": int(change) if change.isdigit() else None,
            }
        )
    by_gid = {g["gid"]: g["name"] for g in groups}
    admins = sorted(
        {m for g in groups if g["name"] in ADMIN_GROUPS for m in g["members"]}
        | {u["name"] for u in users if by_gid.get(u["gid"]) in ADMIN_GROUPS}
    )
    doc = {
        "files": files,
        "users": sorted(users, key=lambda u: (u["name"], u["uid"])),
        "uid0": sorted(u["name"] for u in users if u["uid"] == 0),
        "groups": sorted(groups, key=lambda g: (g["name"], g["gid"])),
        "admin_group_members": admins,
        "shadow": sorted(shadow, key=lambda e: e["name"]),
        "malformed": sorted(malformed, key=lambda m: (m["file"], m["line"])),
    }
    yield b.json(doc, len(users))
