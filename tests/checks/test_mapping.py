"""The MLPS mapping: every check says why it maps where it does, cases sit on their own unit, the document is current."""

from __future__ import annotations

from pathlib import Path

import pytest

from checks.catalogue import all_checks
from checks.high_risk import CASES
from checks.mapping_doc import mapping_table
from checks.mlps import UNITS
from checks.model import CheckLevel

ROOT = Path(__file__).resolve().parents[2]
CHECKS = all_checks()


@pytest.mark.parametrize("cid", sorted(CHECKS))
def test_every_check_records_the_basis_of_its_mapping(cid: str) -> None:
    basis = CHECKS[cid].meta.basis
    assert len(basis) >= 30, f"{cid}: say in basis= which requirement the check evidences and why (see docs/mlps-mapping.md)"


@pytest.mark.parametrize("cid", sorted(c for c in CHECKS if CHECKS[c].meta.high_risk_case))
def test_a_case_sits_on_the_unit_of_its_requirement(cid: str) -> None:
    meta = CHECKS[cid].meta
    case = CASES.get(meta.high_risk_case or "")
    assert case is not None, f"{cid}: case {meta.high_risk_case} is not described in checks/high_risk.py"
    assert case.unit in {m.unit for m in meta.mlps}, f"{cid}: case {case.id} rests on {case.unit}, which {cid} does not map to"


def test_mitigation_evidence_names_real_checks() -> None:
    for case in CASES.values():
        for alternative in case.mitigation.evidence if case.mitigation else ():
            for cid in alternative:
                assert cid in CHECKS, f"case {case.id}: mitigation evidence {cid} is not a check"
                assert CHECKS[cid].meta.level is CheckLevel.HOST, f"case {case.id}: mitigations are judged on the host; {cid} is not a host check"


def test_every_case_unit_is_described() -> None:
    for case in CASES.values():
        assert case.unit in UNITS, f"case {case.id}: unit {case.unit} is not in checks/mlps.py"


def test_the_mapping_document_is_current() -> None:
    committed = (ROOT / "docs" / "mlps-mapping.md").read_text(encoding="utf-8")
    assert committed == mapping_table(), "regenerate: .venv/bin/python -m checks.mapping_doc > docs/mlps-mapping.md"
