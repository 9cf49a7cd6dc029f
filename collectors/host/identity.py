"""Stable identifiers of the assessed host, so an insurer can tell which machine a report covers.

The host name is whatever the host calls itself. The identifiers here are
harder to change by accident and let reports of one machine be linked over a
policy term: the machine id (as systemd's app-specific id, so the raw id that
systemd asks to keep confidential never leaves the host, while an assessor on
site can reproduce the value with ``systemd-id128 machine-id --app-specific=APP_ID``),
the host's own global addresses, and the cloud instance id that cloud-init or
the firmware exposes. Only local files are read: no metadata service is asked.
"""

from __future__ import annotations

import ipaddress
import re
from typing import List, Literal, Optional

from collectors.context import OFFLINE_ROOT, HostReader
from collectors.digest import hmac_sha256
from collectors.evidence import CollectError
from collectors.facts import CollectedFacts, FactsKey
from collectors.registry import collector

# riskagent's application id: the salt of the published machine identifier (never change it:
# reports of one machine stay linkable only while it is the same).
APP_ID = "41cabca8ad694b09a914c13bdac0e73b"

MachineIdState = Literal["ok", "missing", "uninitialized", "malformed", "unreadable"]


class IdentityFacts(CollectedFacts):
    machine_id_state: MachineIdState
    machine_app_id: Optional[str]  # systemd app-specific id of /etc/machine-id for APP_ID, 32 hex
    addresses: List[str]  # the host's global unicast addresses, sorted
    cloud_vendor: Optional[str]  # DMI system vendor, where it names a cloud
    cloud_instance_id: Optional[str]  # cloud-init's instance id, else an instance id in the DMI asset tag


IDENTITY = FactsKey[IdentityFacts]("host.identity", IdentityFacts)

_MACHINE_ID = re.compile(r"^[0-9a-f]{32}$")
_INSTANCE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{2,127}$")
_CLOUD_VENDORS = ("Amazon EC2", "Alibaba Cloud", "Tencent Cloud", "Huawei Cloud", "Google", "Microsoft Corporation", "OpenStack Foundation")


def app_specific_id(machine_id: str, app_id: str = APP_ID) -> str:
    """systemd's ``sd_id128_get_machine_app_specific``: HMAC-SHA256 keyed by the machine id, as a v4 UUID."""
    mac = bytearray(hmac_sha256(bytes.fromhex(machine_id), bytes.fromhex(app_id))[:16])
    mac[6] = (mac[6] & 0x0F) | 0x40
    mac[8] = (mac[8] & 0x3F) | 0x80
    return mac.hex()


def _machine_id(host: HostReader) -> tuple[MachineIdState, Optional[str]]:
    try:
        raw = host.read_bytes("/etc/machine-id", digest=False)
    except CollectError:
        return "unreadable", None
    if raw is None:
        return "missing", None
    text = raw.decode("ascii", "replace").strip()
    if text in ("", "uninitialized"):
        return "uninitialized", None
    if not _MACHINE_ID.match(text) or text == "0" * 32:
        return "malformed", None
    return "ok", app_specific_id(text)


def _global_addresses(host: HostReader) -> List[str]:
    if host.offline_root:
        return []  # no interface is up in a root file system: its addresses were assigned at run time
    found = set()
    for addrs in host.interfaces().values():
        for a in addrs:
            try:
                ip = ipaddress.ip_address(a.split("%")[0])
            except ValueError:
                continue
            if ip.is_loopback or ip.is_link_local or ip.is_multicast or ip.is_unspecified:
                continue
            found.add(ip)
    return [str(ip) for ip in sorted(found, key=lambda ip: (ip.version, int(ip)))]


def _first_line(host: HostReader, path: str) -> Optional[str]:
    try:
        text = host.read_text(path)
    except CollectError:
        return None
    if text is None:
        return None
    line = text.strip().splitlines()[0].strip() if text.strip() else ""
    return line or None


@collector(IDENTITY, "Stable identifiers of this host: app-specific machine id, global addresses, cloud instance id")
def collect_identity(host: HostReader) -> IdentityFacts:
    state, app_id = _machine_id(host)
    vendor = _first_line(host, "/sys/class/dmi/id/sys_vendor")
    instance = _first_line(host, "/var/lib/cloud/data/instance-id")
    if instance is None:
        tag = _first_line(host, "/sys/class/dmi/id/board_asset_tag")
        if tag is not None and re.match(r"^i-[0-9a-f]{8,17}$", tag):
            instance = tag
    if instance is not None and (not _INSTANCE_ID.match(instance) or instance.startswith("iid-datasource-none")):
        instance = None
    return {
        "_method": f"file ({OFFLINE_ROOT}: no network interfaces)" if host.offline_root else "file",
        "machine_id_state": state,
        "machine_app_id": app_id,
        "addresses": _global_addresses(host),
        "cloud_vendor": vendor if vendor is not None and vendor.startswith(_CLOUD_VENDORS) else None,
        "cloud_instance_id": instance,
    }
