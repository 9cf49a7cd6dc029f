"""Write the per-check pass and fail evidence files from real evidence, reduced to what the verdict needs.

    .venv/bin/python -m tests.tools.make_check_evidence [CHECK-ID ...] [--force]

Real evidence comes from two places: the recorded fixture hosts (host checks),
and every evidence bundle the check tests judge while they talk to real
servers on loopback (nginx, mosquitto, Modbus, Redis ... ; endpoint checks),
captured by running those tests with a recording hook. For each check one
bundle where it passes and one where it fails is taken, cut down to the
collectors the check reads, then shrunk key by key and item by item as long
as the check still gives the same status and the same reason. Existing files
are kept unless ``--force`` is given. Review the files before committing them.
"""

from __future__ import annotations

import argparse
import copy
import sys
from typing import Any, Callable, Dict, List, Optional, Tuple

from checks.model import CheckLevel, Status
from checks.registry import RegisteredCheck, all_checks
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


def _signature(rc: RegisteredCheck, case: Case) -> Tuple[Status, Optional[str]]:
    f = judge(rc, case)
    return f.status, f.reason


def _shrink(value: Any, keep: Callable[[Any], bool]) -> Any:
    """Greedy: drop list items (halves first, then one by one) while ``keep`` holds.

    Object keys are never dropped: they are the collector's shape, and a check that still passes without one
    only shows that the check reads a missing key leniently, not that the key is not needed.
    """
    if isinstance(value, dict):
        current = dict(value)
        for key in list(current):
            current[key] = _shrink(current[key], _replacing(current, key, keep))
        return current
    if isinstance(value, list):
        items = list(value)
        step = max(len(items) // 2, 1)
        while step >= 1 and items:
            i = 0
            while i < len(items):
                trial = items[:i] + items[i + step :]
                if keep(trial):
                    items = trial
                else:
                    i += step
            step //= 2
        for i in range(len(items)):
            items[i] = _shrink(items[i], _replacing(items, i, keep))
        return items
    return value


def _replacing(container: Any, slot: Any, keep: Callable[[Any], bool]) -> Callable[[Any], bool]:
    """``keep`` for one part of ``container``: the container with that part replaced."""

    def test(part: Any) -> bool:
        trial = dict(container) if isinstance(container, dict) else list(container)
        trial[slot] = part
        return keep(trial)

    return test


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


def minimise(rc: RegisteredCheck, case: Case) -> Case:
    goal = _signature(rc, case)

    def keep(evidence: Any) -> bool:
        return _signature(rc, Case(evidence, case.params, case.target)) == goal

    evidence = dict(case.evidence)
    for name in list(evidence):
        if evidence[name].get("_status"):
            continue
        def one(v: Any, name: str = name) -> bool:
            return keep({**evidence, name: v})

        evidence[name] = _shrink(evidence[name], one)
    return Case(evidence, case.params, case.target)


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
        best = minimise(rc, min(candidates, key=lambda c: len(str(c.to_json())))) if candidates else None
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
