"""OS identity: distribution, family, kernel, container or VM, end of life."""

from __future__ import annotations

import datetime as _dt
import shlex
from typing import Dict, Literal, Optional, Tuple, TypedDict

from collectors.context import HostReader
from collectors.evidence import CollectError, ErrorReason
from collectors.facts import CollectedFacts, FactsKey
from collectors.registry import collector

Family = Literal["rhel", "debian", "unknown"]


class VirtualizationFacts(TypedDict):
    container: Optional[str]  # "docker", "podman", systemd-detect-virt's name; None: not in a container
    vm: Optional[str]  # systemd-detect-virt's name, looked for only outside a container


class OsFacts(CollectedFacts, VirtualizationFacts):
    id: str  # os-release ID, lower-cased; "" when missing
    id_like: str
    name: str
    pretty_name: str
    version_id: str
    family: Family
    kernel: Optional[str]
    hostname: Optional[str]
    eol_date: Optional[str]  # ISO date; None: not in EOL_DATES
    eol_known: bool
    end_of_life: bool
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

# (id, version major) -> end of standard security support, ISO date.
# Published vendor life-cycle dates; extend as releases age.
EOL_DATES: Dict[Tuple[str, str], str] = {
    ("debian", "9"): "2022-06-30",
    ("debian", "10"): "2024-06-30",
    ("debian", "11"): "2026-08-31",
    ("debian", "12"): "2028-06-30",
    ("debian", "13"): "2030-06-30",
    ("ubuntu", "16.04"): "2021-04-30",
    ("ubuntu", "18.04"): "2023-05-31",
    ("ubuntu", "20.04"): "2025-05-31",
    ("ubuntu", "22.04"): "2027-04-30",
    ("ubuntu", "24.04"): "2029-04-30",
    ("centos", "6"): "2020-11-30",
    ("centos", "7"): "2024-06-30",
    ("centos", "8"): "2021-12-31",
    ("rhel", "7"): "2024-06-30",
    ("rhel", "8"): "2029-05-31",
    ("rhel", "9"): "2032-05-31",
    ("rocky", "8"): "2029-05-31",
    ("rocky", "9"): "2032-05-31",
    ("almalinux", "8"): "2029-03-01",
    ("almalinux", "9"): "2032-05-31",
    ("openeuler", "20.03"): "2026-05-31",
    ("openeuler", "22.03"): "2028-03-31",
    ("openeuler", "24.03"): "2030-05-31",
    ("kylin", "v10"): "2030-12-31",
}


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


def eol_date(os_id: str, version_id: str) -> Optional[str]:
    return EOL_DATES.get(_eol_key(os_id, version_id))


def _virtualization(host: HostReader) -> VirtualizationFacts:
    container: Optional[str] = None
    vm: Optional[str] = None
    if host.exists("/.dockerenv"):
        container = "docker"
    elif host.exists("/run/.containerenv"):
        container = "podman"
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
    eol = eol_date(os_id, version_id)
    today = _dt.datetime.fromtimestamp(host.now(), _dt.timezone.utc).date().isoformat()
    virt = _virtualization(host)
    return {
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
        "container": virt["container"],
        "vm": virt["vm"],
    }
