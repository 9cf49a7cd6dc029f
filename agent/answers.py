"""Attestations: the answers file, and the assessor's interactive session.

The answers file is JSON (``riskagent-answers/1``): a list of attestations in
the order they were given, later ones replacing earlier ones. The
interactive session rewrites it atomically after every answer, so an
interrupted session loses nothing and resumes where it stopped.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from pathlib import Path
from typing import IO, Any, Callable, Dict, List, Optional, Tuple, Union

from agent.errors import UsageError
from agent.files import atomic_write
from questionnaires.engine import validate_value
from questionnaires.jsonpos import JsonPosError, field_name, loads_with_lines
from questionnaires.model import Answer, AnswerType, Attestation, Basis, Question, Questionnaire

ANSWERS_FORMAT = "riskagent-answers/1"
MAX_ANSWERS_BYTES = 4 * 1024 * 1024
# Typed whole numbers: ASCII digits, optionally grouped with commas, at most 18 digits (a report holds 20).
_WHOLE_NUMBER = re.compile(r"-?[0-9]{1,3}(,[0-9]{3})+|-?[0-9]{1,18}", re.ASCII)
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


def now_utc() -> str:
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def questionnaire_for(path: Optional[Path]) -> Questionnaire:
    """The questionnaire at ``path``, or the built-in one; a bad file is a usage error naming line and field."""
    from questionnaires.loader import QuestionnaireError, load_questionnaire

    try:
        return load_questionnaire(path)
    except QuestionnaireError as exc:
        raise UsageError(str(exc), "fix the questionnaire file, or omit --questionnaire to use the built-in one") from None


def load_answers(path: Path, questionnaire: Questionnaire) -> Dict[str, Attestation]:
    """Attestations by question id; errors name the file, line and field.

    A file that is too large, not UTF-8, nested too deep, or holds a fraction or a longer integer than
    a report carries is a usage error naming the file and line, never a crash.
    """
    from questionnaires.loader import QuestionnaireError, read_text_file

    if not path.exists():
        return {}
    try:
        text = read_text_file(path, MAX_ANSWERS_BYTES, "an answers file")
    except QuestionnaireError as exc:
        raise UsageError(str(exc), "an answers file is UTF-8 JSON written by 'riskagent questionnaire answer'") from None
    if not text.strip():
        return {}
    try:
        data, lines = loads_with_lines(text)
    except JsonPosError as exc:
        at = f" {field_name(exc.path)}:" if exc.path else ""
        raise UsageError(f"{path}: line {exc.line}:{at} not valid JSON: {exc.message} (column {exc.column})") from None

    def err(where: Tuple[Union[str, int], ...], message: str) -> UsageError:
        line = lines.get(where) or lines.get(where[:-1]) or 1
        field = ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in where).replace(".[", "[")
        return UsageError(f"{path}: line {line}: {field or '(top level)'}: {message}")

    if not isinstance(data, dict) or data.get("format") != ANSWERS_FORMAT:
        raise err(("format",), f'expected "format": "{ANSWERS_FORMAT}" (is this an answers file?)')
    if data.get("questionnaire") not in (None, questionnaire.ref, questionnaire.id):
        raise err(("questionnaire",), f"answers are for {data.get('questionnaire')!r}, not {questionnaire.ref!r}")
    items = data.get("answers")
    if not isinstance(items, list):
        raise err(("answers",), "expected a list of answers")
    out: Dict[str, Attestation] = {}
    for i, item in enumerate(items):
        where = ("answers", i)
        if not isinstance(item, dict):
            raise err(where, "expected an object")
        qid = item.get("question")
        try:
            question = questionnaire.question(str(qid))
        except KeyError:
            raise err((*where, "question"), f"no question {qid!r} in {questionnaire.ref}") from None
        why = validate_value(question, item.get("value"))
        if not why and question.type is AnswerType.DATE and not _ISO_DATE.fullmatch(str(item.get("value"))):
            why = "expected a date YYYY-MM-DD (ASCII digits)"
        if why:
            raise err((*where, "value"), f"{qid}: {why}")
        by = item.get("by")
        if not isinstance(by, str) or not by.strip():
            raise err((*where, "by"), "who attests this answer (name and role) is required")
        at_raw = item.get("at")
        at = at_raw if isinstance(at_raw, str) else now_utc()
        note = item.get("note") if isinstance(item.get("note"), str) else None
        out[question.id] = Attestation(question.id, item["value"], by.strip(), at, note)
    return out


def save_answers(path: Path, questionnaire: Questionnaire, attestations: Dict[str, Attestation]) -> None:
    """Rewrite the answers file atomically, 0600, never into a directory another user controls."""
    from agent.files import check_parent

    check_parent(path, f"answers file {path}")
    data = {
        "format": ANSWERS_FORMAT,
        "questionnaire": questionnaire.ref,
        "answers": [a.to_json() for a in attestations.values()],
    }
    atomic_write(path, (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8"), 0o600)


_YES_NO_KEYS = {
    "y": "yes",
    "yes": "yes",
    "是": "yes",
    "n": "no",
    "no": "no",
    "否": "no",
    "p": "partial",
    "partial": "partial",
    "部分": "partial",
    "na": "not_applicable",
    "n/a": "not_applicable",
    "不适用": "not_applicable",
}


class InputHint(ValueError):
    """Typed input that is not an answer: what to type instead, in zh and en."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh, self.en = zh, en

    def get(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


def parse_input(question: Question, raw: str) -> Any:
    """Turn typed input into an answer value; raises InputHint saying what to type."""
    raw = raw.strip()
    t = question.type
    if t is AnswerType.YES_NO:
        value = _YES_NO_KEYS.get(raw.lower())
        if value is None:
            raise InputHint("y（是）/ n（否）/ p（部分）/ na（不适用）", "y / n / p(artial) / na")
        return value
    if t is AnswerType.ENUM:
        values = question.allowed_values()
        if re.fullmatch(r"[0-9]{1,4}", raw, re.ASCII) and 1 <= int(raw) <= len(values):
            return values[int(raw) - 1]
        if raw in values:
            return raw
        raise InputHint(f"1-{len(values)} 之间的序号，或以下之一：{'、'.join(values)}", f"1-{len(values)} or one of {', '.join(values)}")
    if t is AnswerType.NUMBER:
        # int() would also take "١٢", "1_000" and "+5": only ASCII digits are a number here.
        if not _WHOLE_NUMBER.fullmatch(raw):
            raise InputHint("整数（只用数字 0-9，最多 18 位）", "a whole number (digits 0-9, at most 18)")
        return int(raw.replace(",", ""))
    if t is AnswerType.DATE:
        try:
            if not _ISO_DATE.fullmatch(raw):
                raise ValueError(raw)
            return _dt.date.fromisoformat(raw).isoformat()
        except ValueError:
            raise InputHint("日期，格式 YYYY-MM-DD", "a date YYYY-MM-DD") from None
    if t is AnswerType.LIST:
        return [p.strip() for p in raw.replace("，", ",").split(",") if p.strip()]
    return raw


def _prompt_text(question: Question, lang: str, index: int, total: int) -> str:
    lines = [f"[{index}/{total}] {question.id}: {question.text.get(lang)}"]
    if question.help is not None:
        lines.append(f"    {question.help.get(lang)}")
    if question.type is AnswerType.YES_NO:
        lines.append(
            "    y=是/yes  n=否/no  p=部分/partial  na=不适用/n.a."
            if lang == "zh"
            else "    y=yes  n=no  p=partial  na=not applicable"
        )
    elif question.type is AnswerType.ENUM:
        for i, o in enumerate(question.options, 1):
            lines.append(f"    {i}) {o.label.get(lang)}")
    elif question.type is AnswerType.LIST:
        lines.append("    多项用逗号分隔" if lang == "zh" else "    separate items with commas")
    elif question.type is AnswerType.DATE:
        lines.append("    YYYY-MM-DD")
    lines.append("    (回车跳过 / Enter to skip)" if lang == "zh" else "    (Enter to skip)")
    return "\n".join(lines) + "\n> "


def interactive_session(
    questionnaire: Questionnaire,
    answers: List[Answer],
    attestations: Dict[str, Attestation],
    path: Path,
    by: str,
    lang: str,
    stdin: IO[str],
    write: Callable[[str], None],
) -> int:
    """Ask every question the evidence leaves unknown; save after each answer.

    Returns the number of answers given. End of input (Ctrl-D, a closed pipe)
    ends the session; everything already answered is in the file.
    """
    todo = [a for a in answers if a.basis is Basis.UNKNOWN and a.question not in attestations]
    given = 0
    for i, ans in enumerate(todo, 1):
        question = questionnaire.question(ans.question)
        while True:
            write(_prompt_text(question, lang, i, len(todo)))
            line = stdin.readline()
            if line == "":
                write("\n")
                return given
            if not line.strip():
                break
            try:
                value = parse_input(question, line)
            except InputHint as exc:
                write(("请输入：" if lang == "zh" else "please enter: ") + exc.get(lang) + "\n")
                continue
            attestations[question.id] = Attestation(question.id, value, by, now_utc())
            save_answers(path, questionnaire, attestations)
            given += 1
            break
    return given
