"""Profile sections: the industrial-gateway and telematics views of a report.

An underwriter of an industrial or connected-vehicle risk reads these first:
what the read-only probes identified, and which of the sector's specific
controls fail. Built from the findings alone, so a verifier can recompute it.
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

_RANK = {"critical": 4, "high": 3, "medium": 2, "low": 1, "info": 0}

SECTIONS: Dict[str, Tuple[Tuple[str, ...], Dict[str, str]]] = {
    "ics-gateway": (
        ("NET-ICS-", "LNX-ICS-"),
        {
            "zh": "工业控制网关视图（等保 2.0 工业控制系统扩展要求）",
            "en": "Industrial-control gateway view (MLPS 2.0 ICS extension)",
        },
    ),
    "telematics": (
        ("NET-MQTT-", "NET-TSP-"),
        {
            "zh": "车联网平台视图（物联网扩展要求与 GB 44495/44496 相关项）",
            "en": "Telematics backend view (IoT extension and GB 44495/44496 items)",
        },
    ),
}


def build_profile_view(profile: str, findings: Sequence[Mapping[str, Any]]) -> Optional[Dict[str, Any]]:
    """The sector section for ``profile``, or None for profiles without one."""
    if profile not in SECTIONS:
        return None
    prefixes, title = SECTIONS[profile]
    mine = [f for f in findings if f["check_id"].startswith(prefixes)]
    items: List[Dict[str, Any]] = [
        {
            "check_id": f["check_id"],
            "target": f.get("target"),
            "status": f["status"],
            "severity": f["severity"],
            "title": f["title"],
            "observed": f.get("observed", {}),
        }
        for f in mine
    ]
    order = {"fail": 0, "error": 1, "manual": 2, "pass": 3, "not_applicable": 4}
    items.sort(key=lambda i: (order[i["status"]], -_RANK[i["severity"]], i["check_id"], i["target"] or ""))
    return {
        "profile": profile,
        "title": title,
        "items": items,
        "failed": sum(1 for i in items if i["status"] == "fail"),
        "could_not_assess": sum(1 for i in items if i["status"] in ("error", "manual")),
    }
