"""Debian package version comparison (deb-version(7)), for pending-update detection."""

from __future__ import annotations

import re
from typing import Tuple


def _order(c: str) -> int:
    if c == "~":
        return -1
    if c.isdigit():
        return 0
    if c.isalpha():
        return ord(c)
    return ord(c) + 256


def _cmp_string(a: str, b: str) -> int:
    """Compare non-digit runs: '~' sorts before everything, letters before other characters."""
    for i in range(max(len(a), len(b))):
        ca = _order(a[i]) if i < len(a) else 0
        cb = _order(b[i]) if i < len(b) else 0
        if ca != cb:
            return -1 if ca < cb else 1
    return 0


def _cmp_part(a: str, b: str) -> int:
    i = j = 0
    while i < len(a) or j < len(b):
        # non-digit prefix
        na = re.match(r"\D*", a[i:])
        nb = re.match(r"\D*", b[j:])
        sa = na.group(0) if na else ""
        sb = nb.group(0) if nb else ""
        c = _cmp_string(sa, sb)
        if c:
            return c
        i += len(sa)
        j += len(sb)
        da = re.match(r"\d*", a[i:])
        db = re.match(r"\d*", b[j:])
        xa = da.group(0) if da else ""
        xb = db.group(0) if db else ""
        c = (int(xa or 0) > int(xb or 0)) - (int(xa or 0) < int(xb or 0))
        if c:
            return c
        i += len(xa)
        j += len(xb)
    return 0


def parse_version(v: str) -> Tuple[int, str, str]:
    """(epoch, upstream, revision) of a Debian version string."""
    epoch = 0
    if ":" in v:
        e, v = v.split(":", 1)
        epoch = int(e) if e.isdigit() else 0
    upstream, _, revision = v.rpartition("-") if "-" in v else (v, "", "")
    return epoch, upstream, revision


def compare(a: str, b: str) -> int:
    """-1, 0 or 1 as Debian version ``a`` sorts before, equal to or after ``b``."""
    ea, ua, ra = parse_version(a)
    eb, ub, rb = parse_version(b)
    if ea != eb:
        return -1 if ea < eb else 1
    return _cmp_part(ua, ub) or _cmp_part(ra, rb)
