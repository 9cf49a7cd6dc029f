"""Answering a questionnaire from a report's findings and evidence.

Every answer is derived (with the checks and evidence it rests on), attested
by a named person, or unknown. Nothing defaults to "yes": a rule that cannot
be evaluated gives unknown. Where evidence and an attestation disagree, the
evidence answer stands and the disagreement is reported as a conflict; the
named rules of :mod:`questionnaires.consistency` add the conflicts between
answers, and between an attestation and evidence that does not answer its
question but contradicts it.

A report is about one host. The rule of an organisation question gives this
host's own answer, which settles the organisation's only where one asset is
enough (see ``Aggregate``); otherwise it is recorded as partial evidence and
the organisation answer is the attestation, or unknown. A question whose
``ask_if`` condition another answer rules out is skipped, not unknown.

Everything here is a function of the questionnaire, the report's findings and
evidence, and the attestations the report carries: the verifier recomputes it.
Date sanity (no pentest dated tomorrow) depends on the day and is checked
where answers are given (``agent.answers``), never here.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, replace
from typing import Any, Dict, Iterable, List, Mapping, Optional, Protocol, Sequence, Tuple

from checks.model import Finding, Text
from collectors.evidence import Evidence, EvidenceStatus
from questionnaires.model import (
    Aggregate,
    Answer,
    AnsweredQuestionnaire,
    AnswerType,
    AssetAnswer,
    AssetCoverage,
    Attestation,
    Basis,
    CitedCheck,
    CitedEvidence,
    Conflict,
    Question,
    Questionnaire,
)

_MISSING = object()


class HasFindingsAndEvidence(Protocol):
    """A report, as far as answering goes."""

    @property
    def findings(self) -> Sequence[Finding]: ...

    @property
    def evidence(self) -> Sequence[Evidence]: ...


@dataclass(frozen=True)
class _Derived:
    value: Any
    reason: str
    checks: Tuple[CitedCheck, ...] = ()
    evidence: Tuple[CitedEvidence, ...] = ()


class Bundle:
    """Findings and evidence of one report, indexed for rules."""

    def __init__(self, findings: Iterable[Finding], evidence: Iterable[Evidence]) -> None:
        # Endpoint checks give one finding per network target; a rule sees them combined.
        self.by_check: Dict[str, List[Finding]] = {}
        for f in findings:
            self.by_check.setdefault(f.check_id, []).append(f)
        all_evidence = list(evidence)
        # Host evidence by collector name (network evidence is cited through findings).
        self.evidence: Dict[str, Evidence] = {e.collector: e for e in all_evidence if e.is_host}
        self._first: Dict[str, Evidence] = {}
        for e in all_evidence:
            self._first.setdefault(e.collector, e)

    @classmethod
    def from_report(cls, report: HasFindingsAndEvidence) -> Bundle:
        return cls(report.findings, report.evidence)

    @property
    def asset(self) -> str:
        """The asset this evidence is about: the host's name, else the first target (a site), else "localhost"."""
        for e in self.evidence.values():
            return e.target
        for e in self._first.values():
            return e.target
        return "localhost"

    def statuses(self) -> Dict[str, Dict[str, str]]:
        """Check statuses by asset: host checks under the host, endpoint checks under their target (the scanned
        address or site), each combined as :meth:`status` combines them."""
        found: Dict[str, Dict[str, set[str]]] = {}
        for cid, findings in self.by_check.items():
            for f in findings:
                found.setdefault(f.target or self.asset, {}).setdefault(cid, set()).add(f.status.value)
        return {asset: {cid: _worst(s) for cid, s in checks.items()} for asset, checks in found.items()}

    def status(self, check_id: str) -> str:
        """Combined status of a check over all its targets: any fail wins, then could-not-assess."""
        return _worst({f.status.value for f in self.by_check.get(check_id, [])})

    def evidence_names(self, check_id: str) -> List[str]:
        names: List[str] = []
        for f in self.by_check.get(check_id, []):
            names += [n for n in f.evidence if n not in names]
        return names

    def cite(self, collector: str) -> CitedEvidence:
        """A reference to the evidence record of ``collector`` (the host's, else the first), target None if there is none."""
        ev = self.evidence.get(collector) or self._first.get(collector)
        return CitedEvidence(collector, ev.target if ev is not None else None)


def _worst(statuses: Iterable[str]) -> str:
    found = set(statuses)
    if not found:
        return "missing"
    for s in ("fail", "error", "manual", "pass"):
        if s in found:
            return s
    return "not_applicable"


def _dig(obj: Any, path: str) -> Any:
    for part in path.split(".") if path else []:
        if isinstance(obj, Mapping) and part in obj:
            obj = obj[part]
        elif isinstance(obj, list) and part.isdigit() and int(part) < len(obj):
            obj = obj[int(part)]
        else:
            return _MISSING
    return obj


def _from_checks(rule: Mapping[str, Any], bundle: Bundle) -> Optional[_Derived]:
    """The answer the cited checks give. ``only`` limits it to one answer: checks that can show a
    problem but never its absence (no empty password does not mean no weak one) leave the other
    answer to a person."""
    got = _checks_answer(rule, bundle)
    only = rule.get("only")
    if got is not None and only is not None and got.value != only:
        return None
    return got


def _checks_answer(rule: Mapping[str, Any], bundle: Bundle) -> Optional[_Derived]:
    ids: Sequence[str] = rule["checks"]
    statuses: List[Tuple[str, str]] = [(cid, bundle.status(cid)) for cid in ids]
    evidence = tuple(bundle.cite(c) for c in sorted({e for cid in ids for e in bundle.evidence_names(cid)}))
    values = [s for _, s in statuses]
    passed = sum(1 for s in values if s == "pass")
    failed = sum(1 for s in values if s == "fail")
    unsure = [f"{cid} is {s}" for cid, s in statuses if s in ("error", "manual", "missing")]
    cited = tuple(CitedCheck(cid, status) for cid, status in statuses)
    if rule.get("yes_if", "all_pass") == "any_fail":
        if failed:
            return _Derived("yes", f"{failed} of the cited checks fail", cited, evidence)
        if unsure:
            return None
        if passed:
            return _Derived("no", "every cited check passes", cited, evidence)
        return _Derived("not_applicable", "the cited checks do not apply to this host", cited, evidence)
    if failed and passed:
        return _Derived("partial", f"{passed} cited check(s) pass, {failed} fail", cited, evidence)
    if failed:
        return _Derived("no", f"{failed} cited check(s) fail", cited, evidence)
    if unsure:
        return None
    if passed:
        return _Derived("yes", "every cited check passes", cited, evidence)
    return _Derived("not_applicable", "the cited checks do not apply to this host", cited, evidence)


def _from_fact(rule: Mapping[str, Any], bundle: Bundle, question: Question) -> Optional[_Derived]:
    ev = bundle.evidence.get(rule["fact"])
    if ev is None or ev.status is not EvidenceStatus.OK:
        return None
    facts = ev.facts
    when = rule.get("when")
    if when is not None and _dig(facts, when["path"]) != when["equals"]:
        return None
    raw = _dig(facts, rule["path"])
    if raw is _MISSING or raw is None:
        return None
    how = rule.get("as", "value")
    value: Any
    if how == "count":
        if not isinstance(raw, (list, dict)):
            return None
        value = len(raw)
    elif how == "keys":
        if not isinstance(raw, dict):
            return None
        value = sorted(raw)
    elif how in ("bool", "nonempty", "empty"):
        truth = bool(raw)
        if how == "empty":
            truth = not truth
        value = "yes" if truth else "no"
    else:
        value = raw
    if "map" in rule:
        key = str(value).lower() if isinstance(value, bool) else str(value)
        if key not in rule["map"]:
            return None
        value = rule["map"][key]
    if not _fits(question, value):
        return None
    reason = f"{rule['fact']}: {rule['path']} = {_short(raw)}"
    return _Derived(value, reason, (), (bundle.cite(rule["fact"]),))


def _short(value: Any) -> str:
    """A value for a reason: canonical JSON for structures, so the text is the same after a JSON round trip."""
    import json

    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= 80 else text[:77] + "..."


def derive(rule: Mapping[str, Any], bundle: Bundle, question: Question) -> Optional[_Derived]:
    """Evaluate one rule; ``None`` means the evidence does not settle it."""
    if rule.get("attest"):
        return None
    if "checks" in rule:
        return _from_checks(rule, bundle)
    if "fact" in rule:
        return _from_fact(rule, bundle, question)
    for sub in rule.get("first", []):
        got = derive(sub, bundle, question)
        if got is not None:
            return got
    return None


def _fits(question: Question, value: Any) -> bool:
    """Whether ``value`` is a valid answer for the question's type."""
    t = question.type
    if t is AnswerType.YES_NO or t is AnswerType.ENUM:
        return isinstance(value, str) and value in question.allowed_values()
    if t is AnswerType.NUMBER:
        if not isinstance(value, int) or isinstance(value, bool):
            return False
        return (question.minimum is None or value >= question.minimum) and (question.maximum is None or value <= question.maximum)
    if t is AnswerType.DATE:
        if not isinstance(value, str):
            return False
        try:
            _dt.date.fromisoformat(value)
        except ValueError:
            return False
        return True
    if t is AnswerType.LIST:
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    return isinstance(value, str)


def validate_value(question: Question, value: Any) -> Optional[str]:
    """Why ``value`` is not a valid answer to ``question`` (None if it is).

    None is valid: an attestation without a value carries only a note, and answers nothing.
    """
    if value is None or _fits(question, value):
        return None
    if question.type in (AnswerType.YES_NO, AnswerType.ENUM):
        return f"expected one of {', '.join(question.allowed_values())}"
    if question.type is AnswerType.NUMBER and isinstance(value, int) and not isinstance(value, bool):
        low = "" if question.minimum is None else f"at least {question.minimum}"
        high = "" if question.maximum is None else f"at most {question.maximum}"
        return f"expected a whole number {' and '.join(x for x in (low, high) if x)}"
    return {
        AnswerType.NUMBER: "expected a whole number",
        AnswerType.DATE: "expected a date YYYY-MM-DD",
        AnswerType.LIST: "expected a list of strings",
        AnswerType.TEXT: "expected text",
    }[question.type]


def future_date_problem(question: Question, value: Any, today: _dt.date) -> Optional[str]:
    """Why a date answer to a question about the past is impossible on ``today`` (None if it is not).

    The caller chooses ``today``: where answers are given (the interactive session, the answers file), never
    when a report is verified, so a report stays verifiable whatever the verifier's clock says.
    """
    if question.type is not AnswerType.DATE or not question.past or not isinstance(value, str):
        return None
    try:
        when = _dt.date.fromisoformat(value)
    except ValueError:
        return None
    if when > today:
        return f"{value} is after today ({today.isoformat()}): give the date it happened"
    return None


def answer_all(
    questionnaire: Questionnaire,
    bundle: Bundle,
    attestations: Mapping[str, Attestation],
) -> List[Answer]:
    """Answer every question: evidence first, then attestation, else unknown; then the consistency rules.

    An organisation question takes this host's evidence as partial (``Answer.coverage``) unless it
    settles the organisation's answer on its own; a question whose ``ask_if`` another answer rules out
    is skipped. A note-only attestation (value None) adds its note without answering.
    """
    from questionnaires.consistency import apply_rules

    answers: List[Answer] = []
    by_id: Dict[str, Answer] = {}
    for q in questionnaire.questions:
        att = attestations.get(q.id)
        got = derive(q.rule, bundle, q)
        if q.organisation and got is not None:
            a = _organisation_answer(q, got, bundle.asset, att)
        else:
            a = _host_answer(q, got, att)
        if a.basis is Basis.UNKNOWN and q.ask_if is not None:
            cond = by_id.get(q.ask_if.question)
            if cond is not None and cond.value is not None and not q.ask_if.holds(cond.value):
                a = replace(a, reason=f"not asked: {q.ask_if.question} is {cond.value!r}", skipped_by=q.ask_if.question)
        answers.append(a)
        by_id[q.id] = a
    return apply_rules(questionnaire, answers, bundle.statuses())


def _attested(att: Optional[Attestation]) -> Optional[Attestation]:
    """The attestation if it gives a value (a note-only one answers nothing)."""
    return att if att is not None and att.value is not None else None


def evidence_conflict(att: Attestation, value: Any, reason: str, question: Optional[Question] = None) -> Conflict:
    """An attested value the evidence contradicts, both named."""

    def shown(v: Any) -> str:
        return question.display(v, "zh") if question is not None else str(v)

    return Conflict(
        "evidence",
        Text(
            zh=f"{att.by} 于 {att.at} 声明为“{shown(att.value)}”，但证据给出“{shown(value)}”（{reason}）",
            en=f"attested {att.value!r} by {att.by} on {att.at}, but the evidence gives {value!r} ({reason})",
        ),
    )


def ruled_out_conflict(att: Attestation, reason: str, question: Question) -> Conflict:
    """An attested organisation answer that the assessed assets rule out without settling another, both named."""
    return Conflict(
        "evidence",
        Text(
            zh=f"{att.by} 于 {att.at} 声明为“{question.display(att.value, 'zh')}”，但已评估资产的证据排除了这一答案（{reason}）",
            en=f"attested {att.value!r} by {att.by} on {att.at}, but the assessed assets rule it out ({reason})",
        ),
    )


def _host_answer(q: Question, got: Optional[_Derived], att: Optional[Attestation]) -> Answer:
    given = _attested(att)
    if got is not None:
        a = Answer(q.id, Basis.DERIVED, got.value, got.reason, got.checks, got.evidence, att)
        if given is not None and given.value != got.value:
            a = a.with_conflicts([evidence_conflict(given, got.value, got.reason, q)])
        return a
    if given is not None:
        return Answer(q.id, Basis.ATTESTED, given.value, f"attested by {given.by} on {given.at}", attestation=att)
    why = "needs a person's attestation" if q.attest_only else "the evidence does not settle it"
    return Answer(q.id, Basis.UNKNOWN, None, why, attestation=att)


_RANK = {"yes": 3, "partial": 2, "no": 1}  # how much of "every asset" an answer covers; not_applicable is neutral


def organisation_bounds(q: Question, known: Sequence[Any], complete: bool) -> Tuple[Optional[Any], Tuple[Any, ...]]:
    """What the assets' own yes/no answers say about the organisation's: (settled answer or None, answers they rule out).

    ``known`` are the answers of the assets whose evidence gives one; ``complete`` says they are all the
    organisation's assets. ``every``: one "no" settles "no"; a "partial" rules out "yes". ``any``: one "yes"
    settles "yes". With every asset known the answer is settled either way.
    """
    values = [v for v in known if v in _RANK]
    if q.aggregate is Aggregate.EVERY:
        if "no" in values:
            return "no", tuple(v for v in q.allowed_values() if v != "no")
        if complete:
            if not values:
                return ("not_applicable", ()) if known else (None, ())
            worst = min(values, key=lambda v: _RANK[v])
            return worst, tuple(v for v in q.allowed_values() if v != worst)
        worst_rank = min((_RANK[v] for v in values), default=3)
        return None, tuple(v for v in q.allowed_values() if v in _RANK and _RANK[v] > worst_rank)
    if "yes" in values:
        return "yes", tuple(v for v in q.allowed_values() if v != "yes")
    if complete:
        if not values:
            return ("not_applicable", ()) if known else (None, ())
        best = max(values, key=lambda v: _RANK[v])
        return best, tuple(v for v in q.allowed_values() if v != best)
    return None, ()


def _organisation_answer(q: Question, got: _Derived, asset: str, att: Optional[Attestation]) -> Answer:
    """An organisation question that this host's evidence answers for this host only."""
    coverage = AssetCoverage((AssetAnswer(asset, got.value),))
    partial = f"this host {asset}: {got.value}"
    if q.type is AnswerType.YES_NO:
        settled, ruled_out = organisation_bounds(q, [got.value], complete=False)
    else:
        settled, ruled_out = None, ()
    given = _attested(att)
    if settled is not None:
        reason = f"{partial} ({got.reason}), which settles the organisation's answer"
        a = Answer(q.id, Basis.DERIVED, settled, reason, got.checks, got.evidence, att, coverage=coverage)
        if given is not None and given.value != settled:
            a = a.with_conflicts([evidence_conflict(given, settled, f"{partial}: {got.reason}", q)])
        return a
    reason = f"{partial}; other assets: unknown"
    if given is not None:
        a = Answer(q.id, Basis.ATTESTED, given.value, f"attested by {given.by} on {given.at}; {reason}", got.checks, got.evidence, att, coverage=coverage)
        if given.value in ruled_out:
            a = replace(a, basis=Basis.UNKNOWN, value=None, reason=reason).with_conflicts([ruled_out_conflict(given, f"{partial}: {got.reason}", q)])
        return a
    return Answer(q.id, Basis.UNKNOWN, None, reason, got.checks, got.evidence, att, coverage=coverage)


def answered(questionnaire: Questionnaire, answers: Sequence[Answer]) -> AnsweredQuestionnaire:
    """The answered questionnaire as a report holds it (the definition referenced if built in, else embedded)."""
    return AnsweredQuestionnaire.of(questionnaire.raw, answers)
