"""Offline-root mode over a real minimal Debian root file system, bootstrapped once per test session.

``mmdebstrap --variant=minbase bookworm`` (``debootstrap`` where mmdebstrap is missing; scripts/test.sh installs
mmdebstrap) builds the image from the Debian archive into pytest's temporary directory: about a minute, once.
Each case is a hard-linked copy with its own configuration files (sysctl, nftables, sshd_config, enabled
units); files are replaced, never edited in place, so the copies never change the base image. A failed
bootstrap fails these tests with the tool's own output: they are never skipped.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
from pathlib import Path
from typing import Dict, Mapping, Optional

import pytest

from checks.catalogue import evaluate
from checks.model import Finding, Status
from collectors.catalogue import collect
from collectors.context import offline_root_context
from collectors.evidence import CommandSource, Evidence, EvidenceStatus
from collectors.host.kernel import SYSCTL_KEYS
from collectors.profile import Profile
from tests.collectors.host.test_offline_root_fixture import PENDING_CHECK_CHANGE, RUNTIME_ONLY, NoCommands

SUITE = "bookworm"
BOOTSTRAP_TIMEOUT_S = 1200
_built: Dict[str, object] = {}  # one bootstrap per session, shared by every module that asks (or its failure)


def debian_minbase(factory: pytest.TempPathFactory) -> Path:
    """The session's minimal Debian root file system (built on first use; a failed build fails every caller)."""
    if "root" not in _built:
        target = factory.mktemp("debian-minbase") / "root"
        tool = shutil.which("mmdebstrap") or shutil.which("debootstrap")
        if tool is None:
            _built["root"] = "neither mmdebstrap nor debootstrap is installed (scripts/test.sh installs mmdebstrap)"
        else:
            argv = [tool, "--variant=minbase", SUITE, str(target)]
            if tool.endswith("mmdebstrap"):
                argv.insert(1, "--mode=auto")
            try:
                res = subprocess.run(argv, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=BOOTSTRAP_TIMEOUT_S)
                ok = res.returncode == 0 and (target / "etc" / "os-release").exists()
                _built["root"] = target if ok else f"{' '.join(argv)} exited with {res.returncode}:\n{res.stderr[-4000:]}"
            except subprocess.TimeoutExpired:
                _built["root"] = f"{' '.join(argv)} did not finish within {BOOTSTRAP_TIMEOUT_S} s"
    built = _built["root"]
    if not isinstance(built, Path):
        pytest.fail(f"cannot bootstrap a Debian root file system: {built}")
    return built


def image(base: Path, dest: Path, files: Mapping[str, str] = {}, links: Mapping[str, str] = {}) -> Path:
    """A hard-linked copy of ``base`` with ``files`` written and ``links`` made (existing ones are replaced)."""
    subprocess.run(["cp", "-al", str(base), str(dest)], check=True)
    for path, text in files.items():
        real = dest / path.lstrip("/")
        real.parent.mkdir(parents=True, exist_ok=True)
        if real.exists() or real.is_symlink():
            real.unlink()  # a hard link shares the base image's inode: never write through it
        real.write_text(text)
    for path, target in links.items():
        real = dest / path.lstrip("/")
        real.parent.mkdir(parents=True, exist_ok=True)
        if real.exists() or real.is_symlink():
            real.unlink()
        os.symlink(target, real)
    return dest


# What each case adds to the minimal image: configuration files, and enabled units.
WANTS = "/etc/systemd/system/multi-user.target.wants/"
GOOD_SYSCTL: Dict[str, str] = {
    "kernel.randomize_va_space": "2",
    "fs.suid_dumpable": "0",
    "kernel.yama.ptrace_scope": "1",
    "kernel.kptr_restrict": "2",
    "kernel.dmesg_restrict": "1",
    "net.ipv4.ip_forward": "0",
    "net.ipv6.conf.all.forwarding": "0",
    "net.ipv4.conf.all.rp_filter": "1",
    "net.ipv4.conf.default.rp_filter": "1",
    "net.ipv4.tcp_syncookies": "1",
    "net.ipv4.icmp_echo_ignore_broadcasts": "1",
    "net.ipv4.icmp_ignore_bogus_error_responses": "1",
}
# Every other key the checks read is a switch that must be off (redirects, source routing) or on (martian logging).
GOOD_SYSCTL.update({k: ("1" if "log_martians" in k else "0") for k in SYSCTL_KEYS if k not in GOOD_SYSCTL})
BAD_SYSCTL = {**GOOD_SYSCTL, "kernel.randomize_va_space": "0", "net.ipv4.ip_forward": "1", "net.ipv4.tcp_syncookies": "0"}


def sysctl_conf(values: Mapping[str, str]) -> str:
    return "# hardening\n" + "".join(f"{k} = {v}\n" for k, v in values.items())


NFT_DROP = """#!/usr/sbin/nft -f
flush ruleset
table inet filter {
\tchain input {
\t\ttype filter hook input priority filter; policy drop;
\t\tiif "lo" accept
\t\tct state established,related accept
\t\ttcp dport 22 accept
\t}
\tchain forward {
\t\ttype filter hook forward priority filter; policy drop;
\t}
}
"""
NFT_ACCEPT = NFT_DROP.replace("policy drop;\n\t\tiif", "policy accept;\n\t\tiif")
SSHD_HARDENED = "PermitRootLogin no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\nPermitEmptyPasswords no\nX11Forwarding no\n"
SSHD_WEAK = "PermitRootLogin yes\nPasswordAuthentication yes\nPermitEmptyPasswords yes\n"

HARDENED = {
    "/etc/hostname": "img-hardened\n",
    "/etc/sysctl.d/60-hardening.conf": sysctl_conf(GOOD_SYSCTL),
    "/etc/nftables.conf": NFT_DROP,
    "/etc/ssh/sshd_config": SSHD_HARDENED,
}
HARDENED_LINKS = {WANTS + "nftables.service": "/lib/systemd/system/nftables.service"}
WEAK = {
    "/etc/hostname": "img-weak\n",
    "/etc/sysctl.d/60-hardening.conf": sysctl_conf(BAD_SYSCTL),
    "/etc/nftables.conf": NFT_ACCEPT,
    "/etc/ssh/sshd_config": SSHD_WEAK,
}
WEAK_LINKS = {**HARDENED_LINKS, WANTS + "avahi-daemon.service": "/lib/systemd/system/avahi-daemon.service"}


@pytest.fixture(scope="session")
def debian_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return debian_minbase(tmp_path_factory)


@pytest.fixture(scope="module")
def images(debian_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Dict[str, Path]:
    d = tmp_path_factory.mktemp("debian-cases")
    return {
        "bare": debian_root,
        "hardened": image(debian_root, d / "hardened", HARDENED, HARDENED_LINKS),
        "weak": image(debian_root, d / "weak", WEAK, WEAK_LINKS),
    }


_cache: Dict[str, Assessed] = {}


@dataclasses.dataclass(frozen=True)
class Assessed:
    evidence: Dict[str, Evidence]
    findings: Dict[str, Finding]
    target: str
    asked: int  # commands the runner was asked to run


def assessed(images: Dict[str, Path], name: str, profile: Profile = Profile.SERVER) -> Assessed:
    key = f"{name}:{profile.value}"
    if key not in _cache:
        runner = NoCommands()
        ctx = dataclasses.replace(offline_root_context(images[name]), runner=runner)
        evidence = {e.collector: e for e in collect(ctx)}
        findings = {f.check_id: f for f in evaluate(list(evidence.values()), profile, None)}
        _cache[key] = Assessed(evidence, findings, ctx.target, len(runner.asked))
    return _cache[key]


def status(a: Assessed, check_id: str) -> Optional[Status]:
    f = a.findings.get(check_id)
    return f.status if f is not None else None


# -- the image itself -----------------------------------------------------------------------------------------


def test_the_bootstrapped_image_is_a_minimal_debian(debian_root: Path) -> None:
    assert 'ID=debian' in (debian_root / "etc" / "os-release").read_text()
    assert (debian_root / "var" / "lib" / "dpkg" / "status").stat().st_size > 10_000
    assert not (debian_root / "usr" / "sbin" / "sshd").exists() and not (debian_root / "usr" / "sbin" / "nft").exists()


@pytest.mark.parametrize("name", ["bare", "hardened", "weak"])
def test_no_command_runs_and_none_is_recorded(images: Dict[str, Path], name: str) -> None:
    a = assessed(images, name)
    assert a.asked == 0
    assert [e.collector for e in a.evidence.values() if any(isinstance(s, CommandSource) for s in e.sources)] == []


def test_the_host_name_is_the_images_own(images: Dict[str, Path]) -> None:
    assert assessed(images, "hardened").target == "img-hardened"
    assert assessed(images, "weak").target == "img-weak"


@pytest.mark.parametrize("name", ["hardened", "weak"])
def test_no_check_whose_configuration_files_are_present_is_an_error(images: Dict[str, Path], name: str) -> None:
    a = assessed(images, name)
    errors = {cid: f.reason for cid, f in a.findings.items() if f.status is Status.ERROR}
    assert set(errors) <= set(PENDING_CHECK_CHANGE), errors
    collectors = {n: e.reason for n, e in a.evidence.items() if e.status is EvidenceStatus.ERROR}
    assert collectors == {}


def test_the_bare_image_errs_only_where_its_configuration_is_missing(images: Dict[str, Path]) -> None:
    """minbase has no sysctl file: the sysctl checks cannot be judged (never guessed from kernel defaults)."""
    a = assessed(images, "bare")
    errors = {cid for cid, f in a.findings.items() if f.status is Status.ERROR}
    sysctl_checks = {f"LNX-KRN-00{i}" for i in range(1, 10)}
    assert errors - set(PENDING_CHECK_CHANGE) <= sysctl_checks, errors
    assert all("the sysctl configuration does not set it" in (a.findings[c].reason or "") for c in errors & sysctl_checks)


@pytest.mark.parametrize("name", ["bare", "hardened", "weak"])
@pytest.mark.parametrize("check_id", RUNTIME_ONLY)
def test_runtime_only_checks_are_not_applicable_with_the_offline_root_reason(images: Dict[str, Path], name: str, check_id: str) -> None:
    f = assessed(images, name).findings[check_id]
    assert f.status is Status.NOT_APPLICABLE and "offline-root" in (f.reason or ""), f.reason


# -- judged from configuration: a passing and a failing variant ---------------------------------------------


@pytest.mark.parametrize("check_id", [f"LNX-KRN-00{i}" for i in range(1, 10)])
def test_sysctl_is_judged_from_the_configuration(images: Dict[str, Path], check_id: str) -> None:
    good = assessed(images, "hardened").findings[check_id]
    assert good.status is Status.PASS and "judged from the sysctl configuration" in (good.reason or ""), good.reason
    assert good.observed["configured_in"]


@pytest.mark.parametrize("check_id", ["LNX-KRN-001", "LNX-KRN-005", "LNX-KRN-009"])
def test_sysctl_fails_on_a_bad_configured_value(images: Dict[str, Path], check_id: str) -> None:
    bad = assessed(images, "weak").findings[check_id]
    assert bad.status is Status.FAIL and "judged from the sysctl configuration" in (bad.reason or ""), bad.reason


def test_firewall_is_judged_from_the_ruleset_its_enabled_unit_loads(images: Dict[str, Path]) -> None:
    good = assessed(images, "hardened").findings["LNX-FW-001"]
    assert good.status is Status.PASS and "offline-root: judged from /etc/nftables.conf" in (good.reason or ""), good.reason
    bad = assessed(images, "weak").findings["LNX-FW-001"]
    assert bad.status is Status.FAIL and "offline-root: judged from /etc/nftables.conf" in (bad.reason or ""), bad.reason
    assert status(assessed(images, "bare"), "LNX-FW-001") is Status.FAIL  # no firewall in minbase at all


def test_sshd_is_judged_from_sshd_config(images: Dict[str, Path]) -> None:
    hardened, weak = assessed(images, "hardened"), assessed(images, "weak")
    assert hardened.evidence["host.sshd"].method == "files"
    assert status(hardened, "LNX-SSH-001") is Status.PASS and status(weak, "LNX-SSH-001") is Status.FAIL
    assert assessed(images, "bare").evidence["host.sshd"].status is EvidenceStatus.NOT_APPLICABLE  # not installed


def test_enabled_units_come_from_their_links(images: Dict[str, Path]) -> None:
    weak = assessed(images, "weak")
    assert "avahi-daemon.service" in weak.evidence["host.services"].facts["enabled"]
    assert status(weak, "LNX-SVC-001") is Status.FAIL
    assert status(assessed(images, "hardened"), "LNX-SVC-001") is Status.PASS


def test_packages_come_from_the_dpkg_status_database(images: Dict[str, Path]) -> None:
    facts = assessed(images, "bare").evidence["host.packages"].facts
    installed: Mapping[str, str] = facts["installed"]
    assert facts["manager"] == "dpkg" and "base-files" in installed and "dpkg" in installed
