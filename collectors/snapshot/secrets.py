"""What a snapshot never copies, and how the text it does copy is cleaned first.

Files that hold secrets by their nature (shadow files, private keys, the
credential files of ``host.credentials``) are recorded by path, metadata and
sha256 only: the digest proves later what was there without carrying it.
Text that is copied (cron tables, units, start-up files, log windows) goes
through the agent's redaction pass (``report.redact``, handed in as
``scrub``), and then every line in which ``host.credentials`` still finds a
written-out credential is withheld whole: two independent readers must both
pass a line before it is kept.
"""

from __future__ import annotations

import fnmatch
import re
from typing import List, Optional, Tuple

from collectors.host.credentials import CREDENTIAL_FILES, Syntax, credential_kinds
from collectors.snapshot.model import Scrub

SECRET_PATHS: Tuple[str, ...] = (
    "/etc/shadow",
    "/etc/shadow-",
    "/etc/gshadow",
    "/etc/gshadow-",
    "/etc/security/opasswd",
    "/etc/ssh/ssh_host_*_key",
    "/etc/ssl/private/*",
    "/etc/pki/tls/private/*",
    "*/.ssh/id_*[!b]",  # private halves; id_*.pub end in b
    "*/.ssh/identity",
    "*.key",
    "*.pem",
    "*/.gnupg/*",
    *CREDENTIAL_FILES,
)
_SECRET_MARKERS = (
    b"PRIVATE KEY-----",
    b"PRIVATE KEY BLOCK-----",
    b"PuTTY-User-Key-File",
    b"OPENSSH PRIVATE KEY",
)
WITHHELD_LINE = "[line withheld by riskagent: {kinds}]"
# Host text, unlike the tool's own prose, often says where a secret is in words: "# root password: hunter2",
# "口令：Abc123". A secret word with a separator and a value after it withholds the line (comments included).
_WORDED = re.compile(
    r"(?i)(?<![A-Za-z0-9_])(?:pass(?:word|wd|phrase)?|pwd|secret|token|api[ _-]?key|credentials?|口令|密码|密钥)"
    r"(?![A-Za-z0-9_])\s*(?:[:=：]|\bis\b)\s*(\S+)"
)
# A reference, a path (sudo logs PWD=/home/x), a placeholder or a switch is not a secret.
_NOT_A_VALUE = re.compile(
    r"(?i)^(?:\[redacted\]|\$.*|%.*|<.*|\{.*|/.*|~.*|none|null|no|yes|true|false|required|optional|prompt|see|in|\*+|x+|-+)$"
)


def secret_reason(path: str, head: bytes = b"") -> Optional[str]:
    """Why a file is recorded by path and sha256 only (None: it may be copied after redaction)."""
    for pattern in SECRET_PATHS:
        if fnmatch.fnmatchcase(path, pattern):
            return "holds secrets by its nature (key, password hashes or credentials): recorded by path and sha256 only"
    if any(marker in head for marker in _SECRET_MARKERS):
        return "holds a private key: recorded by path and sha256 only"
    return None


def copy_text(data: bytes, scrub: Scrub, syntax: Syntax = "conf") -> Tuple[Optional[str], int, Optional[str]]:
    """(text to keep or None, secrets replaced or lines withheld, why it was not kept) for a file's content."""
    if b"\x00" in data:
        return None, 0, "binary content: recorded by sha256 only"
    if any(marker in data for marker in _SECRET_MARKERS):
        return None, 0, "holds a private key: recorded by path and sha256 only"
    text = data.decode("utf-8", "backslashreplace")
    cleaned, count = scrub(text)
    lines = cleaned.split("\n")
    for i, line in enumerate(lines):
        kinds = _kinds(line, syntax)
        if kinds:
            lines[i] = WITHHELD_LINE.format(kinds=", ".join(kinds))
            count += 1
    return "\n".join(lines), count, None


def _kinds(line: str, syntax: Syntax) -> List[str]:
    """What kinds of written-out secret one (already scrubbed) line still holds: host.credentials', or a worded one."""
    kinds = set(credential_kinds(line, syntax))
    for m in _WORDED.finditer(line):
        if not _NOT_A_VALUE.match(m.group(1).strip("\"'.,;")):
            kinds.add("a secret written after a word that names it")
    return sorted(kinds)


def scrub_line(text: str, scrub: Scrub) -> Tuple[str, int]:
    """One line of host text (a command line, a log line) cleaned the same way as a copied file."""
    cleaned, count = scrub(text)
    kinds = _kinds(cleaned, "shell")
    if kinds:
        return WITHHELD_LINE.format(kinds=", ".join(kinds)), count + 1
    return cleaned, count
