"""The check catalogue: what every check must have, named so that adding one tells you what is missing.

See CONTRIBUTING.md for the worked example. A new host check touches its
module in ``checks/host/``, its collector's key list if it reads something
new, and its two evidence files; these tests say which of those is missing.
"""

from __future__ import annotations

import ast
import json
from collections import defaultdict
from pathlib import Path
from typing import Dict, Set

import pytest

from checks.catalogue import all_checks
from checks.mlps import UNITS as _UNITS
from checks.model import CheckLevel
from collectors.catalogue import all_collectors
from collectors.net.registry import all_net_collectors
from tests.checks.evidence import OUTCOMES, evidence_dir, evidence_path, expected_status, judge, load_case

ROOT = Path(__file__).resolve().parents[2]
CHECKS = all_checks()


def test_each_check_family_lives_in_one_module() -> None:
    """LNX-SSH-* only in checks/host/ssh.py and so on: a reader finds a check by its id."""
    modules: Dict[str, Set[str]] = defaultdict(set)
    for rc in CHECKS.values():
        modules[rc.meta.family].add(rc.fn.__module__)
    spread = {family: sorted(mods) for family, mods in modules.items() if len(mods) > 1}
    assert not spread, f"a check id family must live in one module: {spread}"


def test_every_check_module_is_registered() -> None:
    """The registry is explicit: a module with checks must be imported by its package's __init__.py."""
    registered = {rc.fn.__module__ for rc in CHECKS.values()}
    for package in ("host", "net"):
        for path in sorted((ROOT / "checks" / package).glob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            defines = any(
                isinstance(node, ast.FunctionDef)
                and any(isinstance(d, ast.Call) and getattr(d.func, "id", None) == "check" for d in node.decorator_list)
                for node in tree.body
            )
            module = f"checks.{package}.{path.stem}"
            if defines:
                assert module in registered, f"{path.relative_to(ROOT)} defines checks; import it in checks/{package}/__init__.py"


@pytest.mark.parametrize("cid", sorted(CHECKS))
def test_metadata_names_real_units_and_collectors(cid: str) -> None:
    meta = CHECKS[cid].meta
    collectors = {**all_collectors(), **all_net_collectors()}
    for need in meta.needs:
        assert need in collectors, f"{cid} needs {need}, which no collector provides (collectors/host or collectors/net)"
    for ref in meta.mlps:
        assert ref.unit in _UNITS, f"{cid}: MLPS unit {ref.unit} is not in checks/mlps.py"
    assert meta.title.zh != meta.title.en, f"{cid}: the zh title is a copy of the en one"


@pytest.mark.parametrize("outcome", OUTCOMES)
@pytest.mark.parametrize("cid", sorted(CHECKS))
def test_each_check_passes_and_fails_on_its_evidence_files(cid: str, outcome: str) -> None:
    rc = CHECKS[cid]
    path = evidence_path(rc, outcome)
    assert path.exists(), (
        f"{cid} has no {outcome} case: write {path.relative_to(ROOT)} "
        "(python -m tests.tools.make_check_evidence {cid} makes one from the recorded hosts and test servers)"
    )
    case = load_case(path)
    extra = set(case.evidence) - set(rc.meta.needs)
    assert not extra, f"{path.relative_to(ROOT)} holds evidence {sorted(extra)} that {cid} does not declare in needs"
    if rc.meta.level is CheckLevel.ENDPOINT:
        assert case.target, f"{path.relative_to(ROOT)}: an endpoint check's case names its target"
    finding = judge(rc, case)
    assert finding.status is expected_status(outcome), (path.relative_to(ROOT), finding.status, finding.reason)


def test_no_orphan_evidence_files() -> None:
    known = {evidence_path(rc, o) for rc in CHECKS.values() for o in OUTCOMES}
    dirs = {evidence_dir(rc) for rc in CHECKS.values()}
    orphans = [p for d in dirs for p in d.glob("*.json") if p not in known]
    assert not orphans, f"evidence files for no registered check: {orphans}"


def _no_float(text: str) -> None:
    raise ValueError(f"a float ({text}): evidence has none")


def test_evidence_files_are_plain_json() -> None:
    for rc in CHECKS.values():
        for outcome in OUTCOMES:
            path = evidence_path(rc, outcome)
            try:
                json.loads(path.read_text(encoding="utf-8"), parse_float=_no_float)
            except ValueError as exc:
                pytest.fail(f"{path.relative_to(ROOT)}: {exc}")
