"""Questionnaire definitions and answers.

A questionnaire is data (``questionnaires/*.json``): bilingual questions with
an answer type, MLPS units, and a rule that derives the answer from the
report's findings and evidence. Answers carry their basis: derived from
evidence (with citations), attested by a named person, or unknown.

In a report, an answered questionnaire names its definition by sha256: the
built-in one is referenced, any other is embedded once (a verifier needs it to
recompute the answers). Cited evidence is a reference into the report's
evidence section (collector and target), not a copy of it.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from typing import Any, Dict, Mapping, Optional, Sequence, Tuple

from checks.model import Text
from collectors.digest import sha256_hex
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
class CitedEvidence:
    """Evidence an answer rests on: a reference to the report's evidence record of ``collector`` about ``target``.

    ``target`` is None where the rule reads evidence the report does not hold.
    """

    collector: str
    target: Optional[str]


@dataclass(frozen=True)
class Answer:
    """One question's answer and what it rests on."""

    question: str
    basis: Basis
    value: JSON
    reason: str
    cited_checks: Tuple[CitedCheck, ...] = field(default=(), metadata=json_field(omit_empty=True))
    cited_evidence: Tuple[CitedEvidence, ...] = field(default=(), metadata=json_field(omit_empty=True))
    attestation: Optional[Attestation] = field(default=None, metadata=json_field(omit_none=True))
    conflict: Optional[str] = field(default=None, metadata=json_field(omit_none=True))

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
    """The answered questionnaire as a report holds it: which definition it answers, and every answer.

    ``sha256`` names the definition (its canonical JSON); ``embedded`` holds it unless it is this
    build's built-in questionnaire, which is referenced only. ``definition`` is the definition either way.
    """

    id: str
    version: str
    sha256: str
    embedded: Optional[Mapping[str, JSON]] = field(metadata=json_field(omit_none=True))
    answers: Tuple[Answer, ...]
    summary: AnswerSummary

    def __post_init__(self) -> None:
        if self.embedded is None:
            if self.sha256 != builtin_sha256():
                raise ValueError(
                    f"it answers questionnaire {self.id[:40]}@{self.version[:20]} (sha256 {self.sha256[:16]}…), which is not "
                    "built into this riskagent, and does not embed its definition"
                )
            definition = builtin_definition()
        else:
            if self.sha256 == builtin_sha256():
                raise ValueError("the built-in questionnaire is referenced by its sha256, not embedded")
            if definition_sha256(self.embedded) != self.sha256:
                raise ValueError("the embedded definition does not have the sha256 it is given")
            definition = self.embedded
        if (definition.get("id"), definition.get("version")) != (self.id, self.version):
            raise ValueError(f"the definition is {str(definition.get('id'))[:40]}@{str(definition.get('version'))[:20]}, not {self.id[:40]}@{self.version[:20]}")

    @classmethod
    def of(cls, definition: Mapping[str, JSON], answers: Sequence[Answer]) -> AnsweredQuestionnaire:
        """The answers to ``definition``: referenced if it is the built-in questionnaire, else embedded."""
        digest = definition_sha256(definition)
        embedded = None if digest == builtin_sha256() else dict(definition)
        return cls(str(definition.get("id")), str(definition.get("version")), digest, embedded, tuple(answers), answers_summary(answers))

    @property
    def definition(self) -> Mapping[str, JSON]:
        """The questionnaire definition answered (the built-in one when none is embedded)."""
        return self.embedded if self.embedded is not None else builtin_definition()

    @property
    def builtin(self) -> bool:
        return self.embedded is None

    def answer(self, question: str) -> Optional[Answer]:
        return next((a for a in self.answers if a.question == question), None)


def definition_sha256(definition: Mapping[str, JSON]) -> str:
    """sha256 of a questionnaire definition's canonical JSON bytes (sorted keys, no whitespace, UTF-8)."""
    text = json.dumps(dict(definition), sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return sha256_hex(text.encode("utf-8"))


@functools.lru_cache(maxsize=1)
def builtin_definition() -> Mapping[str, JSON]:
    """The built-in questionnaire's definition as loaded."""
    from questionnaires.loader import load_questionnaire

    return load_questionnaire(None).raw


@functools.lru_cache(maxsize=1)
def builtin_sha256() -> str:
    return definition_sha256(builtin_definition())


def answers_summary(answers: Sequence[Answer]) -> AnswerSummary:
    return AnswerSummary(
        derived=sum(1 for a in answers if a.basis is Basis.DERIVED),
        attested=sum(1 for a in answers if a.basis is Basis.ATTESTED),
        unknown=sum(1 for a in answers if a.basis is Basis.UNKNOWN),
        conflicts=sum(1 for a in answers if a.conflict),
    )
