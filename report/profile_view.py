"""Profile sections: the industrial-gateway and telematics views of a report.

An underwriter of an industrial or connected-vehicle risk reads these first:
what the read-only probes identified, and which of the sector's specific
controls fail. Built from the findings alone, so a verifier can recompute it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Mapping, Optional, Sequence, Tuple

from checks.model import Finding, Severity, Status, Text
from collectors.profile import Profile
from collectors.strictjson import JSON

SECTIONS: Dict[Profile, Tuple[Tuple[str, ...], Text]] = {
    Profile.ICS_GATEWAY: (
        ("NET-ICS-", "LNX-ICS-"),
        Text(zh="工业控制网关视图（等保 2.0 工业控制系统扩展要求）", en="Industrial-control gateway view (MLPS 2.0 ICS extension)"),
    ),
    Profile.TELEMATICS: (
        ("NET-MQTT-", "NET-TSP-"),
        Text(
            zh="车联网平台视图（物联网扩展要求与 GB 44495/44496 相关项）",
            en="Telematics backend view (IoT extension and GB 44495/44496 items)",
        ),
    ),
}
_STATUS_ORDER = {Status.FAIL: 0, Status.ERROR: 1, Status.MANUAL: 2, Status.PASS: 3, Status.NOT_APPLICABLE: 4}


@dataclass(frozen=True)
class ProfileItem:
    check_id: str
    target: Optional[str]
    status: Status
    severity: Severity
    title: Text
    observed: Mapping[str, JSON]


@dataclass(frozen=True)
class ProfileView:
    """The sector section of an industrial-gateway or telematics report."""

    profile: Profile
    title: Text
    items: Tuple[ProfileItem, ...]
    failed: int
    could_not_assess: int


def build_profile_view(profile: Profile, findings: Sequence[Finding]) -> Optional[ProfileView]:
    """The sector section for ``profile``, or None for profiles without one."""
    if profile not in SECTIONS:
        return None
    prefixes, title = SECTIONS[profile]
    items = sorted(
        (ProfileItem(f.check_id, f.target, f.status, f.severity, f.title, f.observed) for f in findings if f.check_id.startswith(prefixes)),
        key=lambda i: (_STATUS_ORDER[i.status], -i.severity.rank, i.check_id, i.target or ""),
    )
    return ProfileView(
        profile=profile,
        title=title,
        items=tuple(items),
        failed=sum(1 for i in items if i.status is Status.FAIL),
        could_not_assess=sum(1 for i in items if i.status in (Status.ERROR, Status.MANUAL)),
    )
