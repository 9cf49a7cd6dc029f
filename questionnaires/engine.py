"""Answering a questionnaire from a report's findings and evidence.

Every answer is derived (with the checks and evidence it rests on), attested
by a named person, or unknown. Nothing defaults to "yes": a rule that cannot
be evaluated gives unknown. Where evidence and an attestation disagree, the
evidence answer stands and the disagreement is reported as a conflict.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Mapping, Optional, Protocol, Sequence, Tuple

from checks.model import Finding
from collectors.evidence import Evidence, EvidenceStatus
from questionnaires.model import (
    Answer,
    AnsweredQuestionnaire,
    AnswerType,
    Attestation,
    Basis,
    CitedCheck,
    CitedEvidence,
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

    def status(self, check_id: str) -> str:
        """Combined status of a check over all its targets: any fail wins, then could-not-assess."""
        statuses = {f.status.value for f in self.by_check.get(check_id, [])}
        if not statuses:
            return "missing"
        for s in ("fail", "error", "manual", "pass"):
            if s in statuses:
                return s
        return "not_applicable"

    def evidence_names(self, check_id: str) -> List[str]:
        names: List[str] = []
        for f in self.by_check.get(check_id, []):
            names += [n for n in f.evidence if n not in names]
        return names

    def cite(self, collector: str) -> CitedEvidence:
        """A reference to the evidence record of ``collector`` (the host's, else the first), target None if there is none."""
        ev = self.evidence.get(collector) or self._first.get(collector)
        return CitedEvidence(collector, ev.target if ev is not None else None)


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
        return isinstance(value, int) and not isinstance(value, bool)
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
    """Why ``value`` is not a valid answer to ``question`` (None if it is)."""
    if _fits(question, value):
        return None
    if question.type in (AnswerType.YES_NO, AnswerType.ENUM):
        return f"expected one of {', '.join(question.allowed_values())}"
    return {
        AnswerType.NUMBER: "expected a whole number",
        AnswerType.DATE: "expected a date YYYY-MM-DD",
        AnswerType.LIST: "expected a list of strings",
        AnswerType.TEXT: "expected text",
    }[question.type]


def answer_all(
    questionnaire: Questionnaire,
    bundle: Bundle,
    attestations: Mapping[str, Attestation],
) -> List[Answer]:
    """Answer every question: evidence first, then attestation, else unknown."""
    answers: List[Answer] = []
    for q in questionnaire.questions:
        got = derive(q.rule, bundle, q)
        att = attestations.get(q.id)
        if got is not None:
            conflict = None
            if att is not None and att.value != got.value:
                conflict = f"attested {att.value!r} by {att.by} on {att.at}, but the evidence gives {got.value!r} ({got.reason})"
            answers.append(Answer(q.id, Basis.DERIVED, got.value, got.reason, got.checks, got.evidence, att, conflict))
        elif att is not None:
            answers.append(Answer(q.id, Basis.ATTESTED, att.value, f"attested by {att.by} on {att.at}", attestation=att))
        else:
            why = "needs a person's attestation" if q.attest_only else "the evidence does not settle it"
            answers.append(Answer(q.id, Basis.UNKNOWN, None, why))
    return answers


def answered(questionnaire: Questionnaire, answers: Sequence[Answer]) -> AnsweredQuestionnaire:
    """The answered questionnaire as a report holds it (the definition referenced if built in, else embedded)."""
    return AnsweredQuestionnaire.of(questionnaire.raw, answers)
