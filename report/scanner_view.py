"""The scanner view: what an insurer's outside-in rating scan is likely to see.

Coalition, At-Bay, Corvus and the rating vendors scan an applicant's
internet-facing assets for open high-risk ports, TLS and certificate
problems, missing web security headers and outdated server software. This
section regroups the endpoint findings the same way, worst first, so the
applicant sees and fixes them before the insurer's scan does.
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Sequence

_RANK = {"critical": 4, "high": 3, "medium": 2, "low": 1, "info": 0}

# Rating-vendor categories each endpoint check feeds (by id prefix).
CATEGORIES = {
    "NET-": {"zh": "开放端口与服务", "en": "Open ports and services"},
    "TLS-": {"zh": "TLS 与证书", "en": "TLS and certificates"},
    "WEB-": {"zh": "Web 应用安全配置", "en": "Web application security"},
}


def _category(check_id: str) -> str:
    for prefix in CATEGORIES:
        if check_id.startswith(prefix):
            return prefix
    return "other"


def build_scanner_view(findings: Sequence[Mapping[str, Any]]) -> Optional[Dict[str, Any]]:
    """Group endpoint findings per target and category; None when nothing was probed."""
    endpoint = [f for f in findings if f.get("target")]
    if not endpoint:
        return None
    targets: Dict[str, Dict[str, Any]] = {}
    for f in endpoint:
        t = targets.setdefault(f["target"], {"target": f["target"], "issues": [], "checked": 0, "could_not_assess": 0})
        t["checked"] += 1
        if f["status"] in ("error", "manual"):
            t["could_not_assess"] += 1
        if f["status"] != "fail":
            continue
        t["issues"].append(
            {
                "check_id": f["check_id"],
                "severity": f["severity"],
                "category": _category(f["check_id"]),
                "title": f["title"],
                "high_risk_case": f.get("high_risk_case"),
            }
        )
    out: List[Dict[str, Any]] = []
    for t in targets.values():
        t["issues"].sort(key=lambda i: (-_RANK[i["severity"]], i["check_id"]))
        worst = t["issues"][0]["severity"] if t["issues"] else None
        t["worst"] = worst
        out.append(t)
    out.sort(key=lambda t: (-_RANK.get(t["worst"] or "info", -1) if t["worst"] else 1, t["target"]))
    blocking = sorted(
        {(i["check_id"], i["high_risk_case"]) for t in out for i in t["issues"] if i["severity"] == "critical"},
    )
    return {
        "targets": out,
        "critical_exposures": [{"check_id": c, "high_risk_case": h} for c, h in blocking],
        "categories": {k: v for k, v in CATEGORIES.items()},
    }
