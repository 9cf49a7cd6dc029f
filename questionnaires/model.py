"""Questionnaire definitions and answers.

A questionnaire is data (``questionnaires/*.json``): bilingual questions with
an answer type, MLPS units, and a rule that derives the answer from the
report's findings and evidence. Answers carry their basis: derived from
evidence (with citations), attested by a named person, or unknown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, Mapping, Optional, Sequence, Tuple

from checks.model import Text
from collectors.strictjson import JSON, TextEnum, json_field, to_json


class AnswerType(TextEnum):
    YES_NO = "yes_no"  # yes / no / partial / not_applicable
    NUMBER = "number"
    ENUM = "enum"
    DATE = "date"
    TEXT = "text"
    LIST = "list"


YES_NO_VALUES = ("yes", "no", "partial", "not_applicable")


class Basis(TextEnum):
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
    """An answer given by a named person."""

    question: str
    value: JSON
    by: str
    at: str
    note: Optional[str] = None

    def to_json(self) -> Dict[str, JSON]:
        data: Dict[str, JSON] = to_json(self)
        return data


@dataclass(frozen=True)
class CitedCheck:
    """A check an answer rests on, with its combined status (``missing`` if the report has none)."""

    check_id: str
    status: str


@dataclass(frozen=True)
class SourceRef:
    """Where cited evidence came from: the identifying part of an evidence source."""

    kind: str
    path: Optional[str] = field(default=None, metadata=json_field(omit_none=True))
    argv: Optional[Tuple[str, ...]] = field(default=None, metadata=json_field(omit_none=True))
    api: Optional[str] = field(default=None, metadata=json_field(omit_none=True))
    sha256: Optional[str] = field(default=None, metadata=json_field(omit_none=True))


@dataclass(frozen=True)
class CitedEvidence:
    """Evidence an answer rests on."""

    collector: str
    method: Optional[str]
    sources: Tuple[SourceRef, ...]


@dataclass(frozen=True)
class Answer:
    """One question's answer and what it rests on."""

    question: str
    basis: Basis
    value: JSON
    reason: str
    cited_checks: Tuple[CitedCheck, ...] = ()
    cited_evidence: Tuple[CitedEvidence, ...] = ()
    attestation: Optional[Attestation] = None
    conflict: Optional[str] = None

    def to_json(self) -> Dict[str, JSON]:
        data: Dict[str, JSON] = to_json(self)
        return data


@dataclass(frozen=True)
class AnswerSummary:
    derived: int
    attested: int
    unknown: int
    conflicts: int


@dataclass(frozen=True)
class AnsweredQuestionnaire:
    """The answered questionnaire as embedded in a report: the definition it answers and every answer."""

    id: str
    version: str
    definition: Mapping[str, JSON]
    answers: Tuple[Answer, ...]
    summary: AnswerSummary

    def answer(self, question: str) -> Optional[Answer]:
        return next((a for a in self.answers if a.question == question), None)


def answers_summary(answers: Sequence[Answer]) -> AnswerSummary:
    return AnswerSummary(
        derived=sum(1 for a in answers if a.basis is Basis.DERIVED),
        attested=sum(1 for a in answers if a.basis is Basis.ATTESTED),
        unknown=sum(1 for a in answers if a.basis is Basis.UNKNOWN),
        conflicts=sum(1 for a in answers if a.conflict),
    )
