"""Per-check evidence files: the small pass and fail cases that prove each check.

Every check has two files beside the tests of its module, in ``evidence/``::

    tests/checks/host/evidence/LNX-SSH-001.pass.json
    tests/checks/host/evidence/LNX-SSH-001.fail.json

Each holds the evidence the check reads, by collector, and optionally the
parameters to judge with and the network target (endpoint checks)::

    {"evidence": {"host.sshd": {"config": {"permitrootlogin": "no"}, "match_blocks": []}},
     "params": {},
     "target": null}

A collector whose value is ``{"_status": "error", "_reason": "..."}`` stands
for evidence that could not be collected. The recorded hosts prove the
collectors; these files prove the judgement, one case each way.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional

from checks.catalogue import all_checks
from checks.model import CheckLevel, Finding, Status
from checks.registry import EvidenceView, RegisteredCheck, evaluate_one
from collectors.evidence import Evidence, EvidenceStatus

TESTS = Path(__file__).parent
OUTCOMES = ("pass", "fail")


def evidence_dir(rc: RegisteredCheck) -> Path:
    """``tests/checks/<host|net>/evidence`` for a check defined in ``checks/<host|net>/<module>.py``."""
    package = rc.fn.__module__.split(".")[1]
    return TESTS / package / "evidence"


def evidence_path(rc: RegisteredCheck, outcome: str) -> Path:
    return evidence_dir(rc) / f"{rc.meta.id}.{outcome}.json"


@dataclass(frozen=True)
class Case:
    evidence: Dict[str, Mapping[str, Any]]
    params: Dict[str, Any]
    target: Optional[str]

    def records(self) -> List[Evidence]:
        out = []
        for name, facts in self.evidence.items():
            if facts.get("_status") in ("error", "not_applicable"):
                out.append(Evidence(name, self.target or "t", EvidenceStatus(facts["_status"]), {}, (), str(facts.get("_reason", ""))))
            else:
                out.append(Evidence(name, self.target or "t", EvidenceStatus.OK, dict(facts)))
        return out

    def to_json(self) -> Dict[str, Any]:
        return {"evidence": self.evidence, "params": self.params, "target": self.target}


def load_case(path: Path) -> Case:
    data = json.loads(path.read_text(encoding="utf-8"))
    unknown = set(data) - {"evidence", "params", "target"}
    if unknown:
        raise ValueError(f"{path}: unknown key(s) {sorted(unknown)}; an evidence file holds evidence, params and target")
    return Case(dict(data["evidence"]), dict(data.get("params") or {}), data.get("target"))


def judge(rc: RegisteredCheck, case: Case) -> Finding:
    target = case.target if rc.meta.level is CheckLevel.ENDPOINT else None
    return evaluate_one(rc, EvidenceView(case.records()), case.params, target)


def write_case(path: Path, case: Case) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(case.to_json(), ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def expected_status(outcome: str) -> Status:
    return Status.PASS if outcome == "pass" else Status.FAIL


def checks() -> Dict[str, RegisteredCheck]:
    return all_checks()
