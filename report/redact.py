"""Last line of defence against secrets in reports.

Collectors reduce facts at the source and never keep hashes, keys or
command lines. This pass scrubs anything that still looks like a secret from
every string in the report before it is signed, and counts what it removed.
"""

from __future__ import annotations

import dataclasses
import re
from enum import Enum
from typing import Any, Dict, List, Tuple

_PATTERNS: List[Tuple[str, re.Pattern[str]]] = [
    ("private_key", re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(-----END [A-Z ]*PRIVATE KEY-----|$)", re.S)),
    ("crypt_hash", re.compile(r"\$(1|2[abxy]?|5|6|y|gy|7|sha1|md5)\$[^\s:$]*\$[./A-Za-z0-9]{8,}")),
    ("bearer_token", re.compile(r"(?i)\bbearer\s+[A-Za-z0-9._~+/=-]{8,}")),
    (
        "auth_header",
        re.compile(r"(?i)\b(authorization|x-api-key|api[_-]?key|apikey|access[_-]?token|secret[_-]?key)\s*[:=]\s*\S{6,}"),
    ),
    # Not after "/" or ".": "/etc/passwd: line 3" and "host.passwd" are names, not secrets.
    ("password_assignment", re.compile(r"(?i)(?<![/.\w])(password|passwd|pwd)\s*[:=]\s*\S+")),
    ("aws_key", re.compile(r"\bAKIA[0-9A-Z]{16}\b")),
]

REDACTED = "[redacted]"


def redact_text(text: str) -> Tuple[str, int]:
    """Scrub one string; return it and the number of replacements."""
    total = 0
    for _name, pattern in _PATTERNS:
        text, n = pattern.subn(REDACTED, text)
        total += n
    return text, total


def _scoped(pattern: re.Pattern[str]) -> str:
    """A pattern as a group of an alternation: a leading global flag such as (?i) becomes a scoped one."""
    text = pattern.pattern
    m = re.match(r"^\(\?([a-z]+)\)", text)
    return f"(?{m.group(1)}:{text[m.end():]})" if m else f"(?:{text})"


# One pass to tell a clean string (nearly all of them) from one that needs the patterns one by one.
_ANY = re.compile("|".join(_scoped(p) for _n, p in _PATTERNS), re.S)


def redact_tree(obj: Any) -> Tuple[Any, int]:
    """Scrub every string in a tree of frozen dataclasses, dicts, lists and tuples.

    Copy on write: a branch with nothing to scrub is returned as the very same object, so a clean
    report costs one walk and no copy.
    """
    if isinstance(obj, str):
        if not _ANY.search(obj):
            return obj, 0
        return redact_text(obj)
    if isinstance(obj, Enum) or obj is None or isinstance(obj, (bool, int)):
        return obj, 0
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        changes: Dict[str, Any] = {}
        count = 0
        for f in dataclasses.fields(obj):
            value = getattr(obj, f.name)
            new, n = redact_tree(value)
            if n:
                changes[f.name] = new
                count += n
        return (dataclasses.replace(obj, **changes) if changes else obj), count
    if isinstance(obj, dict):
        out: Dict[Any, Any] = {}
        count = 0
        for k, v in obj.items():
            k2, n1 = redact_tree(k)
            v2, n2 = redact_tree(v)
            out[k2] = v2
            count += n1 + n2
        return (out if count else obj), count
    if isinstance(obj, (list, tuple)):
        items = []
        count = 0
        for v in obj:
            v2, n = redact_tree(v)
            items.append(v2)
            count += n
        if not count:
            return obj, 0
        return (tuple(items) if isinstance(obj, tuple) else items), count
    return obj, 0


def redact(obj: Any) -> Tuple[Any, int]:
    """Scrub every string (keys included) in a JSON-like structure."""
    if isinstance(obj, str):
        return redact_text(obj)
    if isinstance(obj, dict):
        out = {}
        count = 0
        for k, v in obj.items():
            k2, n1 = redact_text(k) if isinstance(k, str) else (k, 0)
            v2, n2 = redact(v)
            out[k2] = v2
            count += n1 + n2
        return out, count
    if isinstance(obj, (list, tuple)):
        items = []
        count = 0
        for v in obj:
            v2, n = redact(v)
            items.append(v2)
            count += n
        return items, count
    return obj, 0
