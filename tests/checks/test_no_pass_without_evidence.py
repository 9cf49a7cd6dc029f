"""No check passes on evidence it could not read, or on a command that failed.

Over every recorded host and the copies of them with one thing changed
(``tests/fixtures/hosts/<original>-<change>``), as root and replayed as an
ordinary user: a check whose declared evidence (``needs``) has status
``error``, or whose evidence rests on a command that failed (a
``CommandSource`` with a non-zero exit code or an error), must not say
``pass``. It says ``error`` or ``manual`` with the reason; an underwriter
acts on ``pass``.

Two things recorded as commands are not failures:

* a command that is not available (``collectors.runner.NOT_AVAILABLE``): it
  never ran, so nothing rests on its output; whether the software behind it
  is installed is the collector's business, judged from other evidence;
* an exit status a tool documents as its answer (``ANSWER_EXITS``), e.g.
  ``systemd-detect-virt`` exits 1 to say "no virtualisation".
"""

from __future__ import annotations

from typing import Dict, FrozenSet, List, Tuple

import pytest

from checks.model import Finding, Status
from collectors.evidence import CommandSource, Evidence, EvidenceStatus
from collectors.runner import NOT_AVAILABLE
from tests.hosts import FIXTURE_HOSTS, HOSTS_DIR, evidence_map, host_findings

# The recorded hosts with one thing changed (each directory's CHANGED.md says what).
# Every copy of a recorded host with one thing changed (tests/fixtures/hosts/<original>-<change>).
HOST_COPIES: Tuple[str, ...] = tuple(
    sorted(p.name for p in HOSTS_DIR.iterdir() if p.is_dir() and p.name not in FIXTURE_HOSTS and (p / "root").is_dir())
)
HOSTS = (*FIXTURE_HOSTS, *HOST_COPIES)

# Non-zero exit statuses that are the command's answer, from the tools' own manuals.
ANSWER_EXITS: Dict[Tuple[str, ...], FrozenSet[int]] = {
    # systemd-detect-virt(1): exits non-zero when no (container) virtualisation is detected; it prints "none"
    ("systemd-detect-virt",): frozenset({1}),
    ("systemd-detect-virt", "--container"): frozenset({1}),
    # aa-status(8): --enabled exits 1 when AppArmor is not enabled
    ("aa-status", "--enabled"): frozenset({1}),
    # firewall-cmd(1): exit code 252 is NOT_RUNNING, the answer of --state when firewalld is stopped
    ("firewall-cmd", "--state"): frozenset({252}),
    # mokutil exits 255 (-1) before any query when the firmware has no EFI variables (legacy BIOS); the boot
    # collector reads that message only, and never reports Secure Boot as on from a non-zero exit
    ("mokutil", "--sb-state"): frozenset({255}),
}

# Checks in modules owned by other engineers that this test catches: marked here, fixed there.
ALLOWED: Dict[Tuple[str, str, bool], str] = {}


def failed_commands(e: Evidence) -> List[str]:
    """The commands behind ``e`` that failed, with their exit status or error."""
    out = []
    for s in e.sources:
        if not isinstance(s, CommandSource):
            continue
        argv = " ".join(s.argv)
        if s.error is not None:
            if NOT_AVAILABLE not in s.error:
                out.append(f"{argv}: {s.error}")
        elif s.exit_code not in (0, None) and s.exit_code not in ANSWER_EXITS.get(tuple(s.argv), frozenset()):
            out.append(f"{argv}: exit code {s.exit_code}")
    return out


def unsound(f: Finding, evidence: Dict[str, Evidence]) -> List[str]:
    """Why ``f``'s evidence cannot carry a pass: evidence in error, or a failed command behind it."""
    why: List[str] = []
    for name in f.evidence:
        e = evidence.get(name)
        if e is None:
            why.append(f"{name}: not collected")
        elif e.status is EvidenceStatus.ERROR:
            why.append(f"{name}: {e.reason}")
        else:
            why += [f"{name}: {c}" for c in failed_commands(e)]
    return why


CASES = [(h, p) for h in HOSTS for p in (True, False)]


@pytest.mark.parametrize(("host", "privileged"), CASES, ids=[f"{h}-{'root' if p else 'user'}" for h, p in CASES])
def test_no_pass_on_failed_evidence(host: str, privileged: bool) -> None:
    evidence = evidence_map(host, privileged)
    bad = []
    for f in host_findings(host, privileged):
        why = unsound(f, evidence)
        if not why or (f.check_id, host, privileged) in ALLOWED:
            continue
        if f.status is Status.PASS:
            bad.append(f"{f.check_id} passes on: {'; '.join(why)}")
        elif f.status in (Status.ERROR, Status.MANUAL) and not f.reason:
            bad.append(f"{f.check_id} is {f.status.value} without a reason")
    assert not bad, bad


def test_every_copy_says_what_changed() -> None:
    from tests.hosts import HOSTS_DIR

    for name in HOST_COPIES:
        assert (HOSTS_DIR / name / "CHANGED.md").read_text().startswith(f"# {name}\n"), name


def test_a_failed_command_is_caught() -> None:
    """The test can fail: a source with a non-zero exit, or an error other than "not available", is a failure."""
    ok = CommandSource(("systemctl", "list-units"), 0, "0" * 64)
    refused = CommandSource(("nft", "list", "ruleset"), 1, "0" * 64)
    absent = CommandSource(("ufw", "status", "verbose"), None, None, f"ufw: {NOT_AVAILABLE} (not on the search path)")
    timed_out = CommandSource(("auditctl", "-s"), None, None, "timed out after 10 s")
    answer = CommandSource(("systemd-detect-virt", "--container"), 1, "0" * 64)
    e = Evidence("host.x", "t", EvidenceStatus.OK, {}, (ok, refused, absent, timed_out, answer))
    assert failed_commands(e) == ["nft list ruleset: exit code 1", "auditctl -s: timed out after 10 s"]
