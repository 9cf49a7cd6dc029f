"""Last line of defence against secrets in reports.

Collectors reduce facts at the source and never keep hashes, keys or
command lines. This pass scrubs anything that still looks like a secret from
every string in the report before it is signed, and counts what it removed.
"""

from __future__ import annotations

import re
from typing import Any, List, Tuple

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
