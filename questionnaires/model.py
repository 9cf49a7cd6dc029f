"""Questionnaire definitions and answers.

A questionnaire is data (``questionnaires/*.json``): bilingual questions with
an answer type, MLPS units, and a rule that derives the answer from the
report's findings and evidence. Answers carry their basis: derived from
evidence (with citations), attested by a named person, or unknown.

Every question says whether it is about the assessed **host** or the whole
**organisation** (``scope``). One host's evidence can settle a host question,
but only part of an organisation question: such an answer records what this
host shows (``coverage``: "this host web-01: yes; other assets: unknown") and
stays unknown for the organisation until an attestation says otherwise, or
until :func:`questionnaires.organisation.organisation_answers` combines the
reports of every declared asset. A host's evidence settles the organisation
answer only where one asset is enough: one host without MFA makes "every
remote login requires MFA" a "no" (``aggregate: every``), one host with a
remote-control tool makes "is any installed" a "yes" (``aggregate: any``).

In a report, an answered questionnaire names its definition by sha256: the
built-in one is referenced, any other is embedded once (a verifier needs it to
recompute the answers). Cited evidence is a reference into the report's
evidence section (collector and target), not a copy of it.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field, replace
from typing import Any, Dict, Mapping, Optional, Sequence, Tuple

from checks.model import Text
from collectors.digest import sha256_hex
from collectors.strictjson import JSON, TextEnum, json_field, to_json


class AnswerType(TextEnum):
    YES_NO = "yes_no"  # yes / no / partial / not_applicable, or the subset a question lists in ``values``
    NUMBER = "number"
    ENUM = "enum"
    DATE = "date"
    TEXT = "text"
    LIST = "list"


YES_NO_VALUES = ("yes", "no", "partial", "not_applicable")
YES_NO_LABELS: Dict[str, Text] = {
    "yes": Text(zh="是", en="yes"),
    "no": Text(zh="否", en="no"),
    "partial": Text(zh="部分", en="partial"),
    "not_applicable": Text(zh="不适用", en="not applicable"),
}


class Scope(TextEnum):
    """What a question is about: the assessed host, or the whole organisation (every asset, policy and person)."""

    HOST = "host"
    ORGANISATION = "organisation"


class Aggregate(TextEnum):
    """How the assets' own answers to an organisation yes/no question combine.

    ``every``: "yes" only if every asset says yes; one "no" is the organisation's "no" (MFA on every login).
    ``any``: one "yes" is the organisation's "yes"; "no" only if every asset says no (any EOL system in use).
    """

    EVERY = "every"
    ANY = "any"


class Basis(TextEnum):
    DERIVED = "derived"
    ATTESTED = "attested"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Option:
    value: str
    label: Text


@dataclass(frozen=True)
class AskIf:
    """Ask a question only when an earlier question's answer is one of ``values`` (PA-05 only after PA-04 = yes)."""

    question: str
    values: Tuple[str, ...]

    def holds(self, value: JSON) -> bool:
        return isinstance(value, str) and value in self.values


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
    scope: Scope = Scope.HOST
    aggregate: Aggregate = Aggregate.EVERY  # organisation yes/no questions: how the assets' answers combine
    percent_yes_of: Optional[str] = None  # organisation number questions: % of assets answering yes to this question
    ask_if: Optional[AskIf] = None
    values: Tuple[str, ...] = ()  # yes/no questions: the answers that fit, when not all four do
    minimum: Optional[int] = None  # number questions
    maximum: Optional[int] = None
    past: bool = False  # date questions about something that has happened: no date after today

    @property
    def attest_only(self) -> bool:
        return bool(self.rule.get("attest"))

    @property
    def organisation(self) -> bool:
        return self.scope is Scope.ORGANISATION

    def allowed_values(self) -> Tuple[str, ...]:
        if self.type is AnswerType.YES_NO:
            return self.values or YES_NO_VALUES
        return tuple(o.value for o in self.options)

    def display(self, value: JSON, lang: str) -> str:
        """An answer value as a person reads it: 是/否 for yes/no, an option's label, a list joined."""
        if value is None:
            return "未知" if lang == "zh" else "unknown"
        if self.type is AnswerType.YES_NO and isinstance(value, str) and value in YES_NO_LABELS:
            return YES_NO_LABELS[value].get(lang)
        if self.type is AnswerType.ENUM:
            for o in self.options:
                if o.value == value:
                    return o.label.get(lang)
        if isinstance(value, list):
            return ("、" if lang == "zh" else ", ").join(str(v) for v in value)
        return str(value)


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
    """An answer given by a named person, with their note. A note-only attestation (``value`` None) adds a
    note to an answer without answering it (for example a fleet-wide product beside the one this host shows)."""

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
class AssetAnswer:
    """One asset's own answer to an organisation question (None: its evidence leaves it open), and its report."""

    asset: str
    value: JSON
    report: Optional[str] = field(default=None, metadata=json_field(omit_none=True))


@dataclass(frozen=True)
class AssetCoverage:
    """Which assets an organisation answer rests on.

    ``declared`` None: one host's report, the organisation's other assets unknown. Otherwise the number of
    assets the applicant declared, and ``not_assessed`` those without a report.
    """

    assets: Tuple[AssetAnswer, ...]
    declared: Optional[int] = field(default=None, metadata=json_field(omit_none=True))
    not_assessed: Tuple[str, ...] = field(default=(), metadata=json_field(omit_empty=True))

    def text(self, question: Question, lang: str) -> str:
        """``本机 web-01：是；其他资产：未知`` / ``this host web-01: yes; other assets: unknown``, or per asset with
        ``4 台中 1 台未评估`` / ``1 of 4 not assessed``."""
        zh = lang == "zh"
        if self.declared is None:
            parts = [(f"本机 {a.asset}：" if zh else f"this host {a.asset}: ") + question.display(a.value, lang) for a in self.assets]
            return ("；" if zh else "; ").join([*parts, "其他资产：未知" if zh else "other assets: unknown"])
        parts = [f"{a.asset}{'：' if zh else ': '}{question.display(a.value, lang)}" for a in self.assets]
        missing = len(self.not_assessed)
        if missing:
            tail = f"{self.declared} 台中 {missing} 台未评估" if zh else f"{missing} of {self.declared} not assessed"
        else:
            tail = f"{self.declared} 台全部已评估" if zh else f"all {self.declared} assessed"
        return ("；" if zh else "; ").join([("，" if zh else ", ").join(parts), tail] if parts else [tail])


@dataclass(frozen=True)
class Conflict:
    """An answer that the evidence or another answer contradicts: which named rule found it, both sides named."""

    rule: str
    message: Text


@dataclass(frozen=True)
class Answer:
    """One question's answer and what it rests on.

    ``conflict`` is every conflict's English message, one line (what the CLI and exports show);
    ``conflicts`` holds them with their rule and both languages. ``coverage`` is the partial evidence of an
    organisation question. ``skipped_by`` names the question whose answer means this one is not asked.
    """

    question: str
    basis: Basis
    value: JSON
    reason: str
    cited_checks: Tuple[CitedCheck, ...] = field(default=(), metadata=json_field(omit_empty=True))
    cited_evidence: Tuple[CitedEvidence, ...] = field(default=(), metadata=json_field(omit_empty=True))
    attestation: Optional[Attestation] = field(default=None, metadata=json_field(omit_none=True))
    conflict: Optional[str] = field(default=None, metadata=json_field(omit_none=True))
    conflicts: Tuple[Conflict, ...] = field(default=(), metadata=json_field(omit_empty=True))
    coverage: Optional[AssetCoverage] = field(default=None, metadata=json_field(omit_none=True))
    skipped_by: Optional[str] = field(default=None, metadata=json_field(omit_none=True))

    def to_json(self) -> Dict[str, JSON]:
        data: Dict[str, JSON] = to_json(self)
        return data

    @property
    def note(self) -> Optional[str]:
        return self.attestation.note if self.attestation is not None else None

    def with_conflicts(self, found: Sequence[Conflict]) -> Answer:
        """This answer with ``found`` added to its conflicts (``conflict`` rewritten to match)."""
        if not found:
            return self
        all_ = (*self.conflicts, *found)
        return replace(self, conflicts=all_, conflict="; ".join(c.message.en for c in all_))


@dataclass(frozen=True)
class AnswerSummary:
    """Counts of answers by basis. A skipped question (not asked because of another answer) is in none of
    derived, attested or unknown: it is neither answered nor missing."""

    derived: int
    attested: int
    unknown: int
    conflicts: int
    skipped: int = 0


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
        # The built-in definition (the very object loaded once) has its digest remembered: no encoding per report.
        digest = builtin_sha256() if definition is builtin_definition() else definition_sha256(definition)
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
        unknown=sum(1 for a in answers if a.basis is Basis.UNKNOWN and a.skipped_by is None),
        conflicts=sum(1 for a in answers if a.conflict),
        skipped=sum(1 for a in answers if a.basis is Basis.UNKNOWN and a.skipped_by is not None),
    )
