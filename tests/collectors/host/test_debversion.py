"""Debian version ordering agrees with the real dpkg."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from collectors.host.debversion import compare, rpm_compare, rpmvercmp

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


# Pairs from rpm's own test suite (tests/rpmvercmp.at) plus distribution cases.
RPM_PAIRS = [
    ("1.0", "1.0", 0),
    ("1.0", "2.0", -1),
    ("2.0.1", "2.0", 1),
    ("2.0.1a", "2.0.1", 1),
    ("5.5p1", "5.5p2", -1),
    ("5.5p10", "5.5p1", 1),
    ("10xyz", "10.1xyz", -1),
    ("xyz.4", "8", -1),
    ("1.0010", "1.9", 1),
    ("1.05", "1.5", 0),
    ("2a", "2.0", -1),
    ("FC5", "fc4", -1),
    ("fc4", "fc.4", 0),
    ("3.0.0_fc", "3.0.0.fc", 0),
    ("1.0~rc1", "1.0", -1),
    ("1.0~rc1~git123", "1.0~rc1", -1),
    ("1.0^", "1.0", 1),
    ("1.0^git1", "1.01", -1),
    ("1.0~rc1^git1", "1.0~rc1", 1),
    ("1.9.8p2", "1.9.8p2", 0),
    ("16.oe2203sp3", "17.oe2203sp3", -1),
    ("182.0.0.95.oe2203sp3", "171.0.0.84.oe2203sp3", 1),
]


@pytest.mark.parametrize("a, b, expected", RPM_PAIRS)
def test_rpmvercmp(a: str, b: str, expected: int) -> None:
    assert rpmvercmp(a, b) == expected and rpmvercmp(b, a) == -expected


def test_rpm_evr() -> None:
    assert rpm_compare("1:1.0-1", "0:2.0-1") == 1  # epoch wins when both sides give one
    assert rpm_compare("1.1.1wa-2.oe2203sp3", "1:1.1.1wa-3.oe2203sp3") == -1  # rpm -qa without epoch
    assert rpm_compare("0:1.0-2", "0:1.0-10") == -1
