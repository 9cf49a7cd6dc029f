"""Debian version ordering agrees with the real dpkg."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from collectors.host.debversion import compare

PAIRS = [
    ("1.0", "1.0"),
    ("1.0~rc1", "1.0"),
    ("1:0.1", "2.0"),
    ("2.4.38-3+deb10u8", "2.4.38-3+deb10u10"),
    ("3.0.11-1~deb12u2", "3.0.11-1~deb12u1"),
    ("1.0+b1", "1.0"),
    ("10.3+deb10u13", "10.3+deb10u13+b1"),
    ("1.2~", "1.2~~"),
    ("1.0a", "1.0"),
    ("1.0-1", "1.0"),
    ("0.9.8zh-1", "0.9.8h-1"),
    ("7.9p1-10+deb10u2", "1:7.9p1-10+deb10u4"),
    ("252.38-1~deb12u1", "252.38-1~deb12u1"),
    ("2:8.2.2434-3+deb11u1", "2:8.2.2434-3"),
]


@pytest.mark.parametrize("a, b", PAIRS)
def test_agrees_with_dpkg(a: str, b: str) -> None:
    dpkg = shutil.which("dpkg")
    assert dpkg, "dpkg is part of every Debian system the tests run on"
    expected = 0
    for op, value in (("lt", -1), ("gt", 1)):
        if subprocess.run([dpkg, "--compare-versions", a, op, b]).returncode == 0:
            expected = value
    assert compare(a, b) == expected
