"""SSH ``authorized_keys`` of every user, key by key, and the sshd settings that say where keys come from.

Each key is recorded by its type, its SHA256 fingerprint (as ``ssh-keygen
-l`` prints it), its options (cleaned: a ``command="..."`` may carry a
password) and its comment; the file itself by metadata and sha256. An added
key is then one new item with a fingerprint an investigator can search for.
The files looked at are those ``AuthorizedKeysFile`` names (default
``.ssh/authorized_keys`` and ``.ssh/authorized_keys2``) for every account,
not only those with a login shell: a key under a service account is a
favourite way back in.
"""

from __future__ import annotations

import base64
import binascii
import re
import struct
from typing import Any, Dict, Iterator, List, Optional, Tuple

from collectors.digest import sha256
from collectors.evidence import CollectError
from collectors.snapshot.files import Copier
from collectors.snapshot.model import Artefact, clean
from collectors.snapshot.secrets import scrub_line
from collectors.snapshot.session import Session, User

DEFAULT_KEY_FILES = (".ssh/authorized_keys", ".ssh/authorized_keys2")
SSHD_CONFIGS = ("/etc/ssh/sshd_config",)
SSHD_CONFIG_DIRS = ("/etc/ssh/sshd_config.d",)
_KEY_TYPE = re.compile(r"^(?:ssh-|ecdsa-|sk-)[A-Za-z0-9@._-]{2,80}$")
MAX_KEY_LINES = 10_000


def fingerprint(blob: bytes) -> str:
    """OpenSSH's SHA256 fingerprint of a public key blob."""
    h = sha256()
    h.update(blob)
    return "SHA256:" + base64.b64encode(h.digest()).decode("ascii").rstrip("=")


def _split_first(line: str) -> Tuple[str, str]:
    """The first field (quotes keep spaces inside it) and the rest."""
    quoted = False
    i = 0
    while i < len(line):
        ch = line[i]
        if ch == "\\" and quoted:
            i += 2
            continue
        if ch == '"':
            quoted = not quoted
        elif ch in " \t" and not quoted:
            break
        i += 1
    return line[:i], line[i:].strip()


def _split_options(text: str) -> List[str]:
    out: List[str] = []
    current = ""
    quoted = False
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and quoted and i + 1 < len(text):
            current += text[i : i + 2]
            i += 2
            continue
        if ch == '"':
            quoted = not quoted
        if ch == "," and not quoted:
            out.append(current)
            current = ""
        else:
            current += ch
        i += 1
    if current:
        out.append(current)
    return out


def _blob_type(blob: bytes) -> Optional[str]:
    if len(blob) < 4:
        return None
    (n,) = struct.unpack(">I", blob[:4])
    if n > 100 or len(blob) < 4 + n:
        return None
    return blob[4 : 4 + n].decode("ascii", "replace")


def parse_authorized_keys(text: str) -> List[Dict[str, Any]]:
    """Keys of an authorized_keys file, as (line, type, fingerprint, options, comment); malformed lines named."""
    out: List[Dict[str, Any]] = []
    for n, raw in enumerate(text.splitlines()[:MAX_KEY_LINES], 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        first, rest = _split_first(line)
        options: List[str] = []
        if not _KEY_TYPE.match(first):
            options = _split_options(first)
            first, rest = _split_first(rest)
        parts = rest.split(None, 1)
        entry: Dict[str, Any] = {"line": n}
        try:
            blob = base64.b64decode(parts[0], validate=True) if parts else b""
        except (binascii.Error, ValueError):
            blob = b""
        if not _KEY_TYPE.match(first) or not blob or _blob_type(blob) != first:
            entry["malformed"] = True
            out.append(entry)
            continue
        entry.update(
            {
                "type": first,
                "fingerprint": fingerprint(blob),
                "options": options,
                "comment": parts[1] if len(parts) > 1 else None,
            }
        )
        out.append(entry)
    return out


def _sshd_settings(text: str) -> Dict[str, List[str]]:
    """Global (before any Match) AuthorizedKeysFile, AuthorizedKeysCommand, AuthorizedPrincipalsFile, TrustedUserCAKeys."""
    found: Dict[str, List[str]] = {}
    wanted = {"authorizedkeysfile", "authorizedkeyscommand", "authorizedkeyscommanduser", "authorizedprincipalsfile", "trustedusercakeys"}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, _, value = line.partition(" ")
        if "=" in key:
            key, _, value = line.partition("=")
        low = key.strip().lower()
        if low == "match":
            break
        if low in wanted and low not in found:  # sshd: the first value wins
            found[low] = value.split()
    return found


def key_paths(user: User, patterns: List[str]) -> List[str]:
    out = []
    for pattern in patterns:
        if pattern.lower() == "none":
            continue
        p = pattern.replace("%%", "\x00").replace("%h", user.home).replace("%u", user.name).replace("%U", str(user.uid))
        p = p.replace("\x00", "%")
        out.append(p if p.startswith("/") else f"{user.home.rstrip('/')}/{p}")
    return out


def authorized_keys(s: Session) -> Iterator[Artefact]:
    b = s.builder("persistence/authorized_keys")
    config = Copier(s, b)
    for path in SSHD_CONFIGS:
        config.add(path, syntax="conf")
    for d in SSHD_CONFIG_DIRS:
        try:
            names = s.reader.names(d)
        except CollectError as exc:
            b.gap(d, exc.message)
            names = []
        for name in names:
            if name.endswith(".conf"):
                config.add(f"{d}/{name}", syntax="conf")
    settings: Dict[str, List[str]] = {}
    for rec in config.sorted():
        for k, v in _sshd_settings(rec.get("text", "")).items():
            settings.setdefault(k, v)
    patterns = settings.get("authorizedkeysfile", list(DEFAULT_KEY_FILES))
    files = Copier(s, b)
    keys: List[Dict[str, Any]] = []
    seen = set()
    for user in sorted(s.users, key=lambda u: (u.name, u.uid)):
        if not user.home.startswith("/"):
            continue
        for path in key_paths(user, patterns):
            if (path, user.name) in seen:
                continue
            seen.add((path, user.name))
            added = files.add(path, copy=False)
            if added is None or added.get("type") != "file":
                continue
            got = None
            try:
                got = s.reader.read(path, 4 * 1024 * 1024)
            except CollectError as exc:
                b.gap(path, exc.message)
            if got is None:
                continue
            for key in parse_authorized_keys(got.data.decode("utf-8", "backslashreplace")):
                key["user"] = clean(user.name)
                key["file"] = clean(path)
                options = []
                for opt in key.get("options", []):
                    cleaned, n = scrub_line(opt, s.scrub)
                    b.redactions += n
                    options.append(clean(cleaned))
                if "options" in key:
                    key["options"] = options
                if key.get("comment") is not None:
                    comment, n = scrub_line(key["comment"], s.scrub)
                    b.redactions += n
                    key["comment"] = clean(comment)
                keys.append(key)
    keys.sort(key=lambda k: (k["user"], k["file"], k["line"]))
    doc = {
        "sshd": {k: [clean(x) for x in v] for k, v in sorted(settings.items())},
        "config_files": config.sorted(),
        "files": files.sorted(),
        "keys": keys,
    }
    yield b.json(doc, len(keys))
