"""How a report was produced, stated in the signed report itself.

An insurer reads a verified report as evidence only once it knows how it was
made: from this machine or from a recorded directory, with which rules, which
questionnaire, which scope, and whether anyone tuned a check. Everything here
that can be re-derived (override effects and defaults, the questionnaire
digest, the catalogue identity) is re-derived by the verifier; the rest is the
signer's declaration and is shown as such.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

from checks.model import Finding, Text
from checks.params import Effect, effect, overrides_of
from collectors.evidence import Evidence
from collectors.strictjson import JSON
from questionnaires.model import AnsweredQuestionnaire


@dataclass(frozen=True)
class ParamOverride:
    """A check parameter that differs from the catalogue default, with what the change does to the check."""

    check_id: str
    param: str
    value: JSON
    default: JSON
    effect: Effect


@dataclass(frozen=True)
class QuestionnaireRef:
    """Which questionnaire was answered: the sha256 of its canonical definition, and whether it is the built-in one."""

    id: str
    version: str
    sha256: str
    builtin: bool


@dataclass(frozen=True)
class CatalogueRef:
    """The rules the findings were judged by."""

    version: str
    digest: str


@dataclass(frozen=True)
class ScopeInfo:
    """What the run was told to probe besides the host itself."""

    targets: Tuple[str, ...]
    ports: Optional[str]
    probe_ports: Mapping[str, int]
    allow_public: bool


@dataclass(frozen=True)
class Provenance:
    """The declared circumstances of a run that its evidence cannot show by itself."""

    scope: ScopeInfo
    overrides: Tuple[ParamOverride, ...]
    questionnaire: Optional[QuestionnaireRef]
    catalogue: CatalogueRef
    challenge: Optional[str]

    @property
    def weakening(self) -> List[ParamOverride]:
        return [o for o in self.overrides if o.effect == "weakens"]


def current_catalogue() -> CatalogueRef:
    from checks.catalogue_lock import CATALOGUE_DIGEST, CATALOGUE_VERSION

    return CatalogueRef(CATALOGUE_VERSION, CATALOGUE_DIGEST)


_OUTCOME_RANK = {"fail": 0, "error": 1, "manual": 2, "not_applicable": 3, "pass": 4}


def param_overrides(findings: Sequence[Finding], evidence: Sequence[Evidence]) -> Tuple[ParamOverride, ...]:
    """Every parameter a finding was judged with that differs from its check's default (one entry per check).

    The effect is the parameter's declared direction, except that an override under which any of the
    check's findings comes out better than under the defaults (fail to error, error to pass, ...) weakens
    the check whatever its direction says: a value that makes a check crash or miss is not stricter.
    """
    from checks.catalogue import all_checks
    from checks.params import value_problem
    from checks.registry import EvidenceView, evaluate_one, evidence_groups

    checks = all_checks()
    changed_by_check: Dict[str, Dict[str, JSON]] = {}
    for f in findings:
        rc = checks.get(f.check_id)
        if rc is not None and f.check_id not in changed_by_check:
            changed_by_check[f.check_id] = overrides_of(rc.meta.params, f.params)
    tuned = {cid for cid, changed in changed_by_check.items() if changed}
    improved: set[str] = set()
    if tuned:
        views = {target: EvidenceView(group) for target, group in evidence_groups(evidence)}
        for f in findings:
            view = views.get(f.target)
            if f.check_id in tuned and view is not None:
                baseline = evaluate_one(checks[f.check_id], view, None, f.target)
                if _OUTCOME_RANK[f.status.value] > _OUTCOME_RANK[baseline.status.value]:
                    improved.add(f.check_id)
    out: List[ParamOverride] = []
    for cid in sorted(tuned):
        defaults = checks[cid].meta.params
        for name, value in sorted(changed_by_check[cid].items()):
            default = defaults.get(name)
            kind = effect(name, default, value)
            if cid in improved or (name in defaults and value_problem(name, default, value)):
                kind = "weakens"
            out.append(ParamOverride(cid, name, value, default, kind))
    return tuple(out)


def definition_sha256(definition: Mapping[str, JSON]) -> str:
    """sha256 of a questionnaire definition's canonical JSON bytes (refusing what a report cannot hold)."""
    from questionnaires.model import definition_sha256 as digest
    from report.canonical import canonical_bytes

    canonical_bytes(dict(definition))  # a float or lone surrogate is a CanonicalError here, as before
    return digest(definition)


def builtin_questionnaire_sha256() -> str:
    from questionnaires.model import builtin_sha256

    return builtin_sha256()


def questionnaire_ref(answered: Optional[AnsweredQuestionnaire]) -> Optional[QuestionnaireRef]:
    if answered is None:
        return None
    return QuestionnaireRef(answered.id, answered.version, answered.sha256, answered.builtin)


def banners(mode: str, privileged: bool, provenance: Provenance) -> List[Text]:
    """What a reader must see before the findings: everything that makes this more than a plain live run."""
    out: List[Text] = []
    if mode not in ("live", "offline-root"):  # an offline root file system has its own banner (report.render)
        out.append(
            Text(
                f"回放数据，非现场评估：本报告由记录的主机数据（{mode}）生成，不是对该主机的现场评估。",
                f"Not a live assessment: this report was produced from recorded host data ({mode}), not on the host itself.",
            )
        )
    if not privileged:
        out.append(
            Text(
                "非特权运行：需要 root 权限的检查结果为“无法评估”或“需人工核查”。",
                "Run without root: checks that need root are reported as error or manual.",
            )
        )
    for o in provenance.overrides:
        label = {"weakens": ("放宽", "weakens"), "tightens": ("收紧", "tightens"), "neutral": ("不影响判定", "neutral")}[o.effect]
        out.append(
            Text(
                f"参数已调整（{label[0]}）：{o.check_id} {o.param} = {_short(o.value)}（默认 {_short(o.default)}）",
                f"Parameter override ({label[1]}): {o.check_id} {o.param} = {_short(o.value)} (default {_short(o.default)})",
            )
        )
    q = provenance.questionnaire
    if q is not None and not q.builtin:
        out.append(
            Text(
                f"问卷非内置版本：{q.id}@{q.version}（sha256 {q.sha256[:16]}…），请核对保险公司提供的版本。",
                f"Not the built-in questionnaire: {q.id}@{q.version} (sha256 {q.sha256[:16]}…); compare it with the insurer's copy.",
            )
        )
    return out


def _short(value: JSON) -> str:
    import json

    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."
