"""The MLPS mapping review as a document: every check, its units, their requirements, the basis; the 高风险 cases;
every unit with its level-2 form and the checks that assess it.

``python -m checks.mapping_doc > docs/mlps-mapping.md`` regenerates it; a
test keeps the committed file equal to what the catalogue gives, so the
document a reviewer reads is the mapping the reports use.
"""

from __future__ import annotations

from typing import Dict, List

from checks.catalogue import all_checks
from checks.high_risk import CASES
from checks.mlps import LEVEL2_EXTENSION_BASIS, LEVEL2_ID_BASIS, UNITS, at_level


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _case_key(case_id: str) -> tuple[int, ...]:
    return tuple(int(p) for p in case_id.split("."))


def mapping_table() -> str:
    checks = all_checks()
    lines: List[str] = [
        "# MLPS mapping of the check catalogue",
        "",
        "Generated from the catalogue by `python -m checks.mapping_doc`; do not edit. Units are GB/T 28448-2019",
        "level-3 test units, clauses GB/T 22239-2019; requirement texts are short paraphrases, not quotations.",
        "Checks map to level-3 units; the level-2 view reads each at its level-2 form (see *Units*).",
        "高风险 cases are those of the 高风险判定实施指引. *Supporting evidence* in a basis marks a check that no",
        "requirement names directly: it is mapped to the nearest unit and reported as such.",
        "",
        "## Checks",
        "",
        "| Check | Title | Unit | Clause | Requirement | 高风险 | Basis |",
        "|---|---|---|---|---|---|---|",
    ]
    for cid, rc in checks.items():
        m = rc.meta
        for i, ref in enumerate(m.mlps):
            unit = UNITS[ref.unit]
            first = i == 0
            lines.append(
                "| "
                + " | ".join(
                    (
                        f"`{cid}`" if first else "",
                        _cell(m.title.en) if first else "",
                        ref.unit,
                        ref.clause,
                        _cell(f"{unit.requirement.zh} / {unit.requirement.en}"),
                        (m.high_risk_case or "") if first else "",
                        _cell(m.basis) if first else "",
                    )
                )
                + " |"
            )
    lines += ["", "## 高风险 cases", "", "| Case | Title | Unit | Applies | Mitigation the guide allows | Mitigation evidence | Checks |", "|---|---|---|---|---|---|---|"]
    carried: Dict[str, List[str]] = {}
    for cid, rc in checks.items():
        if rc.meta.high_risk_case:
            carried.setdefault(rc.meta.high_risk_case, []).append(cid)
    for case_id in sorted(CASES, key=_case_key):
        c = CASES[case_id]
        if c.mitigation is None:
            mitigation, evidence = "none", ""
        else:
            mitigation = f"{c.mitigation.text.zh} / {c.mitigation.text.en}"
            evidence = "; ".join(" + ".join(f"`{x}`" for x in alt) for alt in c.mitigation.evidence) or "not observable by the agent"
        by = ", ".join(f"`{x}`" for x in sorted(carried.get(case_id, []))) or "**not assessed by any check**"
        lines.append(
            f"| {case_id} | {_cell(c.title.zh)} / {_cell(c.title.en)} | {c.unit} | {_cell(c.applies.en)} | {_cell(mitigation)} | {evidence} | {by} |"
        )
    lines += [
        "",
        "## Units",
        "",
        "Every level-3 unit of the general requirements of 安全通信网络, 安全区域边界, 安全计算环境 and 安全管理中心,",
        "and the extension units the checks map to. *Level 2* gives the unit's level-2 id and GB/T 22239-2019",
        f"chapter-7 clause where the requirement exists at level 2: {LEVEL2_ID_BASIS}. *L2 wording*: same (reads as",
        "at level 3), the level-2 wording where it differs, or *level-3 text reused* where the level-2 wording was not",
        "checked. The level-2 clauses and wordings of the general requirements are this project's reading of",
        "GB/T 22239-2019 chapter 7 (short paraphrases, like the level-3 texts); those of the extensions are derived.",
        "A unit no check assesses is reported as 未评估 (not assessed) in every report.",
        "",
        "| Unit | Clause | Control point | Requirement | Level 2 | L2 wording | Checks | Numbering basis |",
        "|---|---|---|---|---|---|---|---|",
    ]
    by_unit: Dict[str, List[str]] = {}
    for cid, rc in checks.items():
        for ref in rc.meta.mlps:
            by_unit.setdefault(ref.unit, []).append(cid)
    for unit_id, unit in UNITS.items():
        basis = unit.basis or "read from the clause order (see checks/mlps.py)"
        l2 = at_level(unit_id, 2)
        if l2 is None:
            level2, wording = "—", ""
        else:
            level2 = f"{l2.unit} ({l2.clause})"
            if l2.wording == "level2":
                wording = f"{_cell(l2.requirement.zh)} / {_cell(l2.requirement.en)}"
            elif l2.wording == "level3_reused":
                wording = "*level-3 text reused*"
                basis += f"; {LEVEL2_EXTENSION_BASIS}"
            else:
                wording = "same"
        assessed = ", ".join(f"`{c}`" for c in sorted(by_unit.get(unit_id, []))) or "none (未评估)"
        lines.append(
            f"| {unit_id} | {unit.clause} | {unit.point.zh} / {unit.point.en} | {_cell(unit.requirement.zh)} / {_cell(unit.requirement.en)} "
            f"| {level2} | {wording} | {assessed} | {_cell(basis)} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(mapping_table(), end="")
