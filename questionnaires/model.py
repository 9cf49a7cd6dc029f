"""Questionnaire definitions and answers.

A questionnaire is data (``questionnaires/*.json``): bilingual questions with
an answer type, MLPS units, and a rule that derives the answer from the
report's findings and evidence. Answers carry their basis: derived from
evidence (with citations), attested by a named person, or unknown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Dict, List, Mapping, Optional, Tuple

from checks.model import Text


class AnswerType(str, Enum):
    YES_NO = "yes_no"  # yes / no / partial / not_applicable
    NUMBER = "number"
    ENUM = "enum"
    DATE = "date"
    TEXT = "text"
    LIST = "list"


YES_NO_VALUES = ("yes", "no", "partial", "not_applicable")


class Basis(str, Enum):
    DERIVED = "derived"
    ATTESTED = "attested"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Option:
    value: str
    label: Text


@dataclass(frozen=True)
class Question:
    id: str
    section: str
    text: Text
    type: AnswerType
    rule: Mapping[str, Any]
    mlps: Tuple[str, ...] = ()  # GB/T 28448 test units
    mlps_clauses: Tuple[str, ...] = ()  # GB/T 22239 clauses, for management requirements without unit ids here
    domain: Optional[str] = None
    risk_element: Optional[str] = None
    options: Tuple[Option, ...] = ()
    help: Optional[Text] = None

    @property
    def attest_only(self) -> bool:
        return bool(self.rule.get("attest"))

    def allowed_values(self) -> Tuple[str, ...]:
        if self.type is AnswerType.YES_NO:
            return YES_NO_VALUES
        return tuple(o.value for o in self.options)


@dataclass(frozen=True)
class Section:
    id: str
    title: Text


@dataclass(frozen=True)
class Questionnaire:
    id: str
    version: str
    title: Text
    sections: Tuple[Section, ...]
    questions: Tuple[Question, ...]
    source: str
    raw: Mapping[str, Any] = field(default_factory=dict)  # the definition as loaded, embedded in reports

    @property
    def ref(self) -> str:
        return f"{self.id}@{self.version}"

    def question(self, qid: str) -> Question:
        for q in self.questions:
            if q.id == qid:
                return q
        raise KeyError(qid)


@dataclass(frozen=True)
class Attestation:
    question: str
    value: Any
    by: str
    at: str
    note: Optional[str] = None

    def to_json(self) -> Dict[str, Any]:
        return {"question": self.question, "value": self.value, "by": self.by, "at": self.at, "note": self.note}


@dataclass(frozen=True)
class Answer:
    question: str
    basis: Basis
    value: Any
    reason: str
    cited_checks: Tuple[Tuple[str, str], ...] = ()  # (check id, status)
    cited_evidence: Tuple[Mapping[str, Any], ...] = ()  # {collector, sources}
    attestation: Optional[Attestation] = None
    conflict: Optional[str] = None

    def to_json(self) -> Dict[str, Any]:
        return {
            "question": self.question,
            "basis": self.basis.value,
            "value": self.value,
            "reason": self.reason,
            "cited_checks": [{"check_id": c, "status": s} for c, s in self.cited_checks],
            "cited_evidence": [dict(e) for e in self.cited_evidence],
            "attestation": self.attestation.to_json() if self.attestation else None,
            "conflict": self.conflict,
        }


def answers_summary(answers: List[Answer]) -> Dict[str, int]:
    out = {b.value: 0 for b in Basis}
    for a in answers:
        out[a.basis.value] += 1
    out["conflicts"] = sum(1 for a in answers if a.conflict)
    return out
