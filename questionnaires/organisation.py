"""The organisation's answers, from the host reports of its declared assets.

One host report answers an organisation question for that host only
(``Answer.coverage``: "this host web-01: yes; other assets: unknown"). An
applicant declares its assets; with a verified report for each, the
organisation's answer follows: every declared asset assessed and all "yes" is
"yes" citing each asset's report; one "no" is "no" naming the asset; anything
less is unknown, "1 of 4 not assessed". ``riskagent apply`` calls
:func:`organisation_answers` with the answers of the reports it verified and
the applicant profile's declared assets; an insurer's verifier calls it again
to recompute them. Pure: no files, no clock.
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

from questionnaires.consistency import apply_rules, statuses_from_answers
from questionnaires.engine import evidence_conflict, organisation_bounds, ruled_out_conflict, validate_value
from questionnaires.model import (
    Answer,
    AnsweredQuestionnaire,
    AnswerType,
    AssetAnswer,
    AssetCoverage,
    Attestation,
    Basis,
    Question,
    Questionnaire,
    definition_sha256,
)

AssetAnswers = Union[AnsweredQuestionnaire, Sequence[Answer]]


def organisation_answers(
    questionnaire: Questionnaire,
    per_asset: Mapping[str, AssetAnswers],
    declared_assets: Sequence[str],
    *,
    attestations: Optional[Mapping[str, Attestation]] = None,
    reports: Optional[Mapping[str, str]] = None,
) -> List[Answer]:
    """The organisation's answer to every organisation-scope question of ``questionnaire``, in its order.

    Arguments:

    * ``per_asset``: asset name -> the answered questionnaire of that asset's (verified) host or website
      report (``report.questionnaire``), or its answers. Each must answer ``questionnaire`` itself (the same
      sha256), else ValueError naming the asset. Only the host-level part of each answer is read (its
      ``coverage``: what that host's evidence shows) and the statuses of the checks it cites; attestations
      inside a host report are that report's, not the organisation's.
    * ``declared_assets``: the asset names the applicant declares (the profile's servers, endpoints, sites),
      matched to ``per_asset`` keys exactly. An assessed asset that is not declared still counts as evidence
      (its "no" is the organisation's "no") but not towards coverage.
    * ``attestations``: the organisation's answers file (``agent.answers.load_answers``), by question id.
    * ``reports``: asset name -> a reference to its report (e.g. the envelope's sha256), cited per asset.

    Each returned answer's ``coverage`` lists every assessed asset with its own answer and report, the
    number declared and those not assessed. Yes/no questions combine by their ``aggregate``: ``every`` ->
    all declared assets assessed and all "yes" gives "yes", any "no" gives "no" naming the asset(s),
    otherwise unknown ("1 of 4 not assessed"); ``any`` -> one "yes" gives "yes". A ``percent_yes_of``
    number question is the percentage of assets answering "yes" to the question it names, once every
    declared asset is assessed. An attestation fills what the assets leave open; one the assets
    contradict is a conflict and the evidence stands. The consistency rules then run over these answers
    and every asset's check statuses. Host-scope questions are not returned: their answers are each
    report's.
    """
    attestations = attestations or {}
    reports = reports or {}
    digest = definition_sha256(questionnaire.raw)
    by_asset: Dict[str, Dict[str, Answer]] = {}
    for asset, answered in per_asset.items():
        if isinstance(answered, AnsweredQuestionnaire):
            if answered.sha256 != digest:
                raise ValueError(
                    f"the report of {asset} answers questionnaire {answered.id}@{answered.version} (sha256 {answered.sha256[:16]}…), "
                    f"not {questionnaire.ref} (sha256 {digest[:16]}…)"
                )
            answers: Sequence[Answer] = answered.answers
        else:
            answers = answered
        by_asset[asset] = {a.question: a for a in answers}
    for qid, given in attestations.items():
        problem = validate_value(questionnaire.question(qid), given.value)
        if problem:
            raise ValueError(f"the attested answer to {qid} is not a valid answer ({problem})")
    declared = list(dict.fromkeys(declared_assets))
    assessed = [a for a in declared if a in by_asset] + sorted(a for a in by_asset if a not in declared)
    missing = tuple(a for a in declared if a not in by_asset)
    out: List[Answer] = []
    done: Dict[str, Answer] = {}
    for q in questionnaire.questions:
        if not q.organisation:
            continue
        source = q.percent_yes_of or q.id
        values = [(asset, _host_value(by_asset[asset].get(source))) for asset in assessed]
        coverage = AssetCoverage(tuple(AssetAnswer(asset, v, reports.get(asset)) for asset, v in values), len(declared), missing)
        att = attestations.get(q.id)
        a = _combine(q, values, coverage, declared, att)
        if a.basis is Basis.UNKNOWN and q.ask_if is not None:
            cond = done.get(q.ask_if.question)
            if cond is not None and cond.value is not None and not q.ask_if.holds(cond.value):
                a = Answer(q.id, Basis.UNKNOWN, None, f"not asked: {q.ask_if.question} is {cond.value!r}", attestation=att, skipped_by=q.ask_if.question)
        out.append(a)
        done[q.id] = a
    statuses = {asset: statuses_from_answers(by_asset[asset].values()) for asset in assessed}
    return apply_rules(questionnaire, out, statuses)


def _host_value(answer: Optional[Answer]) -> Any:
    """What an asset's own evidence says: the host part of an organisation answer (None if its evidence is silent)."""
    if answer is None or answer.coverage is None:
        return None
    if answer.coverage.declared is not None or len(answer.coverage.assets) != 1:
        raise ValueError(f"{answer.question}: expected a host report's answer, not an organisation answer")
    return answer.coverage.assets[0].value


def _combine(q: Question, values: Sequence[Tuple[str, Any]], coverage: AssetCoverage, declared: Sequence[str], att: Optional[Attestation]) -> Answer:
    known = [v for _, v in values if v is not None]
    complete = bool(declared) and not coverage.not_assessed and len(known) == len(values)
    summary = _summary(values, coverage)
    given = att if att is not None and att.value is not None else None
    settled: Any = None
    ruled_out: Tuple[Any, ...] = ()
    if q.percent_yes_of is not None:
        settled, low, high = _percent(values, complete, len(declared))
        if settled is None and given is not None and isinstance(given.value, int) and not low <= given.value <= high:
            ruled_out = (given.value,)
    elif q.type is AnswerType.YES_NO:
        settled, ruled_out = organisation_bounds(q, known, complete)
    elif complete and len({repr(v) for v in known}) == 1:
        settled = known[0]
    if settled is not None:
        naming = [asset for asset, v in values if v == settled] if q.type is AnswerType.YES_NO and settled in ("no", "yes") else []
        reason = f"{settled!r} from the assessed assets ({summary})" + (f": {', '.join(naming)}" if naming and settled == "no" else "")
        a = Answer(q.id, Basis.DERIVED, settled, reason, attestation=att, coverage=coverage)
        if given is not None and given.value != settled:
            a = a.with_conflicts([evidence_conflict(given, settled, summary, q)])
        return a
    if given is not None:
        a = Answer(q.id, Basis.ATTESTED, given.value, f"attested by {given.by} on {given.at}; {summary}", attestation=att, coverage=coverage)
        if given.value in ruled_out:
            a = Answer(q.id, Basis.UNKNOWN, None, summary, attestation=att, coverage=coverage).with_conflicts([ruled_out_conflict(given, summary, q)])
        return a
    why = "needs a person's attestation" if q.attest_only and q.percent_yes_of is None else summary
    return Answer(q.id, Basis.UNKNOWN, None, why, attestation=att, coverage=coverage)


def _summary(values: Sequence[Tuple[str, Any]], coverage: AssetCoverage) -> str:
    """``web-01: 'yes', web-02: 'no'; 1 of 4 not assessed`` (English, as every reason)."""
    parts = ", ".join(f"{asset}: {v!r}" if v is not None else f"{asset}: unknown" for asset, v in values) or "no asset assessed"
    if coverage.not_assessed:
        return f"{parts}; {len(coverage.not_assessed)} of {coverage.declared} not assessed ({', '.join(coverage.not_assessed)})"
    return f"{parts}; all {coverage.declared} declared assessed"


def _percent(values: Sequence[Tuple[str, Any]], complete: bool, declared: int) -> Tuple[Optional[int], int, int]:
    """(the percentage of assets answering yes once all are known, else None; the lowest and highest it can still be)."""
    counted = [v for _, v in values if v in ("yes", "no", "partial")]
    if complete:
        if not counted:
            return None, 0, 100
        yes = sum(1 for v in counted if v == "yes")
        pct = (200 * yes + len(counted)) // (2 * len(counted))  # rounded half up, in integers
        return pct, pct, pct
    total = max(declared, len(values), 1)
    yes = sum(1 for v in counted if v == "yes")
    not_yes = sum(1 for v in counted if v != "yes")
    return None, (100 * yes) // total, -((-100 * (total - not_yes)) // total)
