"""Debian (deb-version(7)) and RPM (rpmvercmp) version comparison, for pending-update detection."""

from __future__ import annotations

import re
from typing import Optional, Tuple

_NON_DIGITS = re.compile(r"[^0-9]*")
_DIGITS = re.compile(r"[0-9]*")


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


def _cmp_digits(a: str, b: str) -> int:
    """Compare two runs of ASCII digits as numbers, whatever their length (``int`` refuses 4,300 digits)."""
    a, b = a.lstrip("0"), b.lstrip("0")
    if len(a) != len(b):
        return -1 if len(a) < len(b) else 1
    return (a > b) - (a < b)


def _epoch(text: str) -> Optional[int]:
    """An epoch as dpkg and rpm read one: a few ASCII digits (``str.isdigit`` also takes '²', which ``int`` refuses)."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None


def _cmp_part(a: str, b: str) -> int:
    i = j = 0
    while i < len(a) or j < len(b):
        # non-digit prefix (dpkg's digits are ASCII ones)
        na = _NON_DIGITS.match(a, i)
        nb = _NON_DIGITS.match(b, j)
        sa = na.group(0) if na else ""
        sb = nb.group(0) if nb else ""
        c = _cmp_string(sa, sb)
        if c:
            return c
        i += len(sa)
        j += len(sb)
        da = _DIGITS.match(a, i)
        db = _DIGITS.match(b, j)
        xa = da.group(0) if da else ""
        xb = db.group(0) if db else ""
        c = _cmp_digits(xa, xb)
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
        epoch = _epoch(e) or 0
    upstream, _, revision = v.rpartition("-") if "-" in v else (v, "", "")
    return epoch, upstream, revision


def compare(a: str, b: str) -> int:
    """-1, 0 or 1 as Debian version ``a`` sorts before, equal to or after ``b``."""
    ea, ua, ra = parse_version(a)
    eb, ub, rb = parse_version(b)
    if ea != eb:
        return -1 if ea < eb else 1
    return _cmp_part(ua, ub) or _cmp_part(ra, rb)


# --------------------------------------------------------------------------
# RPM ordering (rpmvercmp from rpm's lib/rpmvercmp.c), for dnf/yum hosts.
# --------------------------------------------------------------------------


def _alnum(c: str) -> bool:
    return c.isascii() and c.isalnum()


def rpmvercmp(a: str, b: str) -> int:
    """-1, 0 or 1 comparing two RPM version (or release) strings like rpm does."""
    if a == b:
        return 0
    i = j = 0
    while i < len(a) or j < len(b):
        while i < len(a) and not _alnum(a[i]) and a[i] not in "~^":
            i += 1
        while j < len(b) and not _alnum(b[j]) and b[j] not in "~^":
            j += 1
        ca, cb = a[i : i + 1], b[j : j + 1]
        if ca == "~" or cb == "~":  # tilde sorts before everything, even the end
            if ca != "~":
                return 1
            if cb != "~":
                return -1
            i, j = i + 1, j + 1
            continue
        if ca == "^" or cb == "^":  # caret sorts after the end but before anything else
            if not ca:
                return -1
            if not cb:
                return 1
            if ca != "^":
                return 1
            if cb != "^":
                return -1
            i, j = i + 1, j + 1
            continue
        if not (ca and cb):
            break
        pattern = r"[0-9]*" if ca.isdigit() else r"[A-Za-z]*"
        sa = re.match(pattern, a[i:]).group(0)  # type: ignore[union-attr]
        sb = re.match(pattern, b[j:]).group(0)  # type: ignore[union-attr]
        i, j = i + len(sa), j + len(sb)
        if not sb:  # numeric segments are newer than alphabetic ones
            return 1 if ca.isdigit() else -1
        if ca.isdigit():
            sa, sb = sa.lstrip("0"), sb.lstrip("0")
            if len(sa) != len(sb):
                return -1 if len(sa) < len(sb) else 1
        if sa != sb:
            return -1 if sa < sb else 1
    if i >= len(a) and j >= len(b):
        return 0
    return -1 if i >= len(a) else 1


def parse_evr(evr: str) -> Tuple[Optional[int], str, str]:
    """(epoch or None when not given, version, release) of ``[E:]V-R``."""
    epoch: Optional[int] = None
    if ":" in evr:
        e, evr = evr.split(":", 1)
        epoch = _epoch(e) or 0
    version, _, release = evr.rpartition("-") if "-" in evr else (evr, "", "")
    return epoch, version, release


def rpm_compare(a: str, b: str) -> int:
    """Compare two ``[E:]V-R`` strings; an epoch missing on either side is not compared.

    ``rpm -qa`` recordings without %{EPOCH} cannot tell epoch 0 from epoch 1,
    and an epoch never goes backwards within one distribution's update stream.
    """
    ea, va, ra = parse_evr(a)
    eb, vb, rb = parse_evr(b)
    if ea is not None and eb is not None and ea != eb:
        return -1 if ea < eb else 1
    return rpmvercmp(va, vb) or rpmvercmp(ra, rb)
