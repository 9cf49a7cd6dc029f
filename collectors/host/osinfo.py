"""OS identity: distribution, family, kernel, container or VM, end of life."""

from __future__ import annotations

import datetime as _dt
import shlex
from dataclasses import dataclass
from typing import Dict, Literal, Optional, Tuple, TypedDict

from collectors.context import HostReader
from collectors.evidence import CollectError, ErrorReason
from collectors.facts import CollectedFacts, FactsKey
from collectors.registry import collector

Family = Literal["rhel", "debian", "unknown"]


class VirtualizationFacts(TypedDict):
    container: Optional[str]  # "docker", "podman", systemd-detect-virt's name; None: not in a container
    vm: Optional[str]  # systemd-detect-virt's name, looked for only outside a container


SupportPhase = Literal["regular", "lts", "paid_extended", "unsupported"]


class SupportFacts(TypedDict):
    """The release's place in its vendor's life cycle (SUPPORT_LIFECYCLES), on ``checked_on``."""

    regular_support_end: Optional[str]  # end of regular security support, ISO date; None: not in the table
    extended_support_end: Optional[str]  # end of the LTS/extended phase after it; None: no such data in the table
    extended_support: Optional[str]  # that phase's name, e.g. "Debian LTS"
    extended_support_free: Optional[bool]  # whether it comes without a paid subscription
    support_phase: Optional[SupportPhase]  # None: release not in the table


class _OfflineRootNote(TypedDict, total=False):
    offline_root: bool  # present (True) only for a root file system assessed offline: nothing of it is running


class OsFacts(CollectedFacts, VirtualizationFacts, SupportFacts, _OfflineRootNote):
    id: str  # os-release ID, lower-cased; "" when missing
    id_like: str
    name: str
    pretty_name: str
    version_id: str
    family: Family
    kernel: Optional[str]
    hostname: Optional[str]
    eol_date: Optional[str]  # end of all free security support (regular, then a free LTS phase); None: not in the table
    eol_known: bool
    end_of_life: bool  # eol_date has passed
    checked_on: str  # the ISO date end_of_life was judged on


OS = FactsKey[OsFacts]("host.os", OsFacts)

_DEBIAN_IDS = {"debian", "ubuntu", "linuxmint", "uos", "deepin", "kylin-desktop"}
_RHEL_IDS = {
    "rhel",
    "centos",
    "rocky",
    "almalinux",
    "ol",
    "fedora",
    "openeuler",
    "kylin",
    "anolis",
    "tencentos",
    "alinux",
    "euleros",
    "bclinux",
}

@dataclass(frozen=True)
class Lifecycle:
    """Published security-support dates of one release.

    ``regular_end``: the vendor's regular security support ends (Debian's
    security team, Ubuntu's standard support, RHEL's maintenance phase).
    ``extended_end``: the LTS or extended phase after it ends, None where the
    table has no such data; ``extended_free`` says whether that phase comes
    without a paid subscription (Debian LTS does; Ubuntu Pro ESM and RHEL ELS
    do not). Free security support ends at ``free_end``.
    """

    regular_end: str
    extended_end: Optional[str] = None
    extended_name: Optional[str] = None
    extended_free: bool = False

    @property
    def free_end(self) -> str:
        return self.extended_end if self.extended_free and self.extended_end else self.regular_end


def _debian(regular: str, lts: str) -> Lifecycle:
    return Lifecycle(regular, lts, "Debian LTS", True)


def _ubuntu(standard: str, esm: str) -> Lifecycle:
    return Lifecycle(standard, esm, "Ubuntu Pro (ESM), paid subscription", False)


def _rhel(maintenance: str, els: str) -> Lifecycle:
    return Lifecycle(maintenance, els, "RHEL Extended Life-cycle Support, paid add-on", False)


# (id, version major) -> published life-cycle dates; extend as releases age.
# Debian: security team support, then Debian LTS (wiki.debian.org/LTS); Ubuntu: standard support,
# then ESM (ubuntu.com/about/release-cycle); RHEL: maintenance support, then ELS.
SUPPORT_LIFECYCLES: Dict[Tuple[str, str], Lifecycle] = {
    ("debian", "9"): _debian("2020-07-06", "2022-06-30"),
    ("debian", "10"): _debian("2022-09-10", "2024-06-30"),
    ("debian", "11"): _debian("2024-08-14", "2026-08-31"),
    ("debian", "12"): _debian("2026-06-10", "2028-06-30"),
    ("debian", "13"): _debian("2028-08-09", "2030-06-30"),
    ("ubuntu", "16.04"): _ubuntu("2021-04-30", "2026-04-30"),
    ("ubuntu", "18.04"): _ubuntu("2023-05-31", "2028-04-30"),
    ("ubuntu", "20.04"): _ubuntu("2025-05-31", "2030-04-30"),
    ("ubuntu", "22.04"): _ubuntu("2027-04-30", "2032-04-30"),
    ("ubuntu", "24.04"): _ubuntu("2029-04-30", "2034-04-30"),
    ("centos", "6"): Lifecycle("2020-11-30"),
    ("centos", "7"): Lifecycle("2024-06-30"),
    ("centos", "8"): Lifecycle("2021-12-31"),
    ("rhel", "7"): _rhel("2024-06-30", "2028-06-30"),
    ("rhel", "8"): _rhel("2029-05-31", "2032-05-31"),
    ("rhel", "9"): _rhel("2032-05-31", "2035-05-31"),
    ("rocky", "8"): Lifecycle("2029-05-31"),
    ("rocky", "9"): Lifecycle("2032-05-31"),
    ("almalinux", "8"): Lifecycle("2029-03-01"),
    ("almalinux", "9"): Lifecycle("2032-05-31"),
    ("openeuler", "20.03"): Lifecycle("2026-05-31"),
    ("openeuler", "22.03"): Lifecycle("2028-03-31"),
    ("openeuler", "24.03"): Lifecycle("2030-05-31"),
    ("kylin", "v10"): Lifecycle("2030-12-31"),
}
# End of all free security support per release (what LNX-OS-001 judges), derived from the table above.
EOL_DATES: Dict[Tuple[str, str], str] = {k: v.free_end for k, v in SUPPORT_LIFECYCLES.items()}


def parse_os_release(text: str) -> Dict[str, str]:
    """Parse the shell-like ``KEY=value`` lines of os-release(5)."""
    out: Dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        try:
            parts = shlex.split(value)
        except ValueError:
            parts = [value.strip("\"'")]
        out[key.strip()] = parts[0] if parts else ""
    return out


def family_of(os_id: str, id_like: str) -> Family:
    ids = {os_id, *id_like.split()}
    if ids & _RHEL_IDS:
        return "rhel"
    if ids & _DEBIAN_IDS:
        return "debian"
    return "unknown"


def _eol_key(os_id: str, version_id: str) -> Tuple[str, str]:
    if os_id == "ubuntu" or os_id == "openeuler":
        return os_id, ".".join(version_id.split(".")[:2])
    if os_id == "kylin":
        return os_id, version_id.split()[0].lower() if version_id else ""
    return os_id, version_id.split(".")[0]


def lifecycle(os_id: str, version_id: str) -> Optional[Lifecycle]:
    return SUPPORT_LIFECYCLES.get(_eol_key(os_id, version_id))


def eol_date(os_id: str, version_id: str) -> Optional[str]:
    """End of all free security support, ISO date; None when the release is not in the table."""
    return EOL_DATES.get(_eol_key(os_id, version_id))


def support_facts(life: Optional[Lifecycle], today: str) -> SupportFacts:
    """Which phase of its life cycle a release is in on ``today`` (ISO date)."""
    if life is None:
        return {
            "regular_support_end": None,
            "extended_support_end": None,
            "extended_support": None,
            "extended_support_free": None,
            "support_phase": None,
        }
    phase: SupportPhase
    if today <= life.regular_end:
        phase = "regular"
    elif life.extended_end is not None and today <= life.extended_end:
        phase = "lts" if life.extended_free else "paid_extended"
    else:
        phase = "unsupported"
    return {
        "regular_support_end": life.regular_end,
        "extended_support_end": life.extended_end,
        "extended_support": life.extended_name,
        "extended_support_free": life.extended_free if life.extended_end is not None else None,
        "support_phase": phase,
    }


def _virtualization(host: HostReader) -> VirtualizationFacts:
    container: Optional[str] = None
    vm: Optional[str] = None
    if host.exists("/.dockerenv"):
        container = "docker"
    elif host.exists("/run/.containerenv"):
        container = "podman"
    if host.offline_root:
        return {"container": container, "vm": None}  # nothing runs: only the marker files tell
    res = host.run(["systemd-detect-virt", "--container"])
    if res.error is None and res.exit_code == 0 and res.stdout.strip() not in ("", "none"):
        container = res.stdout.strip()
    if container is None:
        res = host.run(["systemd-detect-virt"])
        if res.error is None and res.exit_code == 0 and res.stdout.strip() not in ("", "none"):
            vm = res.stdout.strip()
    return {"container": container, "vm": vm}


@collector(OS, "Distribution, kernel, virtualisation and end-of-life status")
def collect_os(host: HostReader) -> OsFacts:
    text = host.read_text("/etc/os-release") or host.read_text("/usr/lib/os-release")
    if text is None:
        raise CollectError(ErrorReason.NOT_FOUND, "neither /etc/os-release nor /usr/lib/os-release exists")
    rel = parse_os_release(text)
    os_id = rel.get("ID", "").lower()
    version_id = rel.get("VERSION_ID", "")
    kernel = (host.read_text("/proc/sys/kernel/osrelease") or "").strip() or None
    hostname = (host.read_text("/etc/hostname") or "").strip() or None
    life = lifecycle(os_id, version_id)
    eol = life.free_end if life else None
    today = _dt.datetime.fromtimestamp(host.now(), _dt.timezone.utc).date().isoformat()
    virt = _virtualization(host)
    support = support_facts(life, today)
    facts: OsFacts = {
        "id": os_id,
        "id_like": rel.get("ID_LIKE", ""),
        "name": rel.get("NAME", ""),
        "pretty_name": rel.get("PRETTY_NAME", ""),
        "version_id": version_id,
        "family": family_of(os_id, rel.get("ID_LIKE", "")),
        "kernel": kernel,
        "hostname": hostname,
        "eol_date": eol,
        "eol_known": eol is not None,
        "end_of_life": bool(eol and eol < today),
        "checked_on": today,
        "regular_support_end": support["regular_support_end"],
        "extended_support_end": support["extended_support_end"],
        "extended_support": support["extended_support"],
        "extended_support_free": support["extended_support_free"],
        "support_phase": support["support_phase"],
        "container": virt["container"],
        "vm": virt["vm"],
    }
    if host.offline_root:
        facts["offline_root"] = True  # checks of run-time state can tell an image from a host they could not read
    return facts
