"""Write the per-check pass and fail evidence files from real evidence, reduced to what the verdict needs.

    .venv/bin/python -m tests.tools.make_check_evidence [CHECK-ID ...] [--force]

Real evidence comes from two places: the recorded fixture hosts (host checks),
and every evidence bundle the check tests judge while they talk to real
servers on loopback (nginx, mosquitto, Modbus, Redis ... ; endpoint checks),
captured by running those tests with a recording hook. For each check the
smallest real bundle where it passes and the smallest where it fails are
taken, cut down to the collectors the check reads and nothing else: the facts
stay exactly as a collector wrote them (a few KiB), so a case can never pass
or fail on evidence no collector could produce. Existing files are kept
unless ``--force`` is given. Review the files before committing them.
"""

from __future__ import annotations

import argparse
import copy
import sys
from typing import Any, Dict, List, Optional, Tuple

from checks.catalogue import all_checks
from checks.model import CheckLevel, Status
from checks.registry import RegisteredCheck
from collectors.evidence import Evidence, EvidenceStatus
from tests.checks.evidence import Case, evidence_path, judge, write_case

Example = Tuple[Optional[str], List[Evidence], Dict[str, Any]]  # target, evidence, params


def _host_examples() -> List[Example]:
    from tests.hosts import FIXTURE_HOSTS, HOST_PARAMS, host_evidence

    out: List[Example] = []
    for host in FIXTURE_HOSTS:
        for privileged in (True, False):
            params = HOST_PARAMS.get(host, {})
            out.append((None, list(host_evidence(host, privileged)), params))
    return out


def _network_examples() -> List[Example]:
    """Evidence bundles judged by the endpoint-check tests, captured while they run against real servers."""
    import pytest

    import checks.registry as registry

    seen: List[Example] = []
    real = registry.evaluate_one

    def recording(rc: Any, view: Any, overrides: Any = None, target: Any = None) -> Any:
        if rc.meta.level is CheckLevel.ENDPOINT:
            params = {rc.meta.id: dict(overrides)} if overrides else {}
            seen.append((target or "t", list(view._by_name.values()), params))
        return real(rc, view, overrides, target)

    # evaluate() and the test modules call evaluate_one by name: patch every reference.
    import importlib

    registry.evaluate_one = recording  # type: ignore[assignment]
    for name in ("test_ports", "test_web", "test_tls", "test_mqtt", "test_backends", "test_ics"):
        module = importlib.import_module(f"tests.checks.net.{name}")
        if hasattr(module, "evaluate_one"):
            module.evaluate_one = recording  # type: ignore[attr-defined]
    try:
        pytest.main(["-q", "-p", "no:cacheprovider", "tests/checks/net", "tests/integration"])
    finally:
        registry.evaluate_one = real  # type: ignore[assignment]
    return seen


def _case(rc: RegisteredCheck, example: Example) -> Optional[Case]:
    target, evidence, params = example
    wanted = [e for e in evidence if e.collector in rc.meta.needs]
    if not wanted:
        return None
    facts: Dict[str, Any] = {}
    for e in wanted:
        if e.status is EvidenceStatus.OK:
            facts[e.collector] = copy.deepcopy(dict(e.facts))
        else:
            facts[e.collector] = {"_status": e.status.value, "_reason": e.reason or ""}
    own = {k: v for k, v in params.get(rc.meta.id, {}).items()} if params else {}
    return Case(facts, own, target if rc.meta.level is CheckLevel.ENDPOINT else None)


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("ids", nargs="*")
    ap.add_argument("--force", action="store_true")
    ap.add_argument("--no-network", action="store_true", help="only the recorded hosts (no test servers)")
    args = ap.parse_args(argv)
    registry = all_checks()
    chosen = [registry[i] for i in args.ids] if args.ids else list(registry.values())
    todo = [(rc, o) for rc in chosen for o in ("pass", "fail") if args.force or not evidence_path(rc, o).exists()]
    if not todo:
        print("every check has its evidence files")
        return 0
    examples = _host_examples()
    if not args.no_network and any(rc.meta.level is CheckLevel.ENDPOINT for rc, _ in todo):
        examples += _network_examples()
    missing = []
    for rc, outcome in todo:
        want = Status.PASS if outcome == "pass" else Status.FAIL
        candidates = [c for c in (_case(rc, e) for e in examples) if c is not None and judge(rc, c).status is want]
        best = min(candidates, key=lambda c: len(str(c.to_json()))) if candidates else None
        if best is None:
            missing.append(f"{rc.meta.id}.{outcome}")
            continue
        write_case(evidence_path(rc, outcome), best)
        print(f"wrote {evidence_path(rc, outcome)}")
    if missing:
        print("no real example found for: " + ", ".join(missing), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
