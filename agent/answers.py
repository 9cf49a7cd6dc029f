"""Attestations: the answers file, and the assessor's interactive session.

The answers file is JSON (``riskagent-answers/1``): a list of attestations in
the order they were given, later ones replacing earlier ones. Each has the
question, the value, who attests it, when, and an optional ``note``; an entry
with a note and no value adds the note to an answer the evidence gives. The
interactive session rewrites it atomically after every answer (and again
after its note), so an interrupted session loses nothing and resumes where it
stopped. It asks only what the evidence leaves open, skips a question that an
earlier answer rules out (PA-05 after PA-04 = no), and refuses a date after
today for something that has happened (a penetration test, a drill); the
answers file loader refuses such a date too, naming the file, line and field.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
import unicodedata
from pathlib import Path
from typing import IO, Any, Callable, Dict, List, Optional, Tuple, Union

from agent.errors import UsageError
from agent.files import atomic_write
from questionnaires.engine import future_date_problem, validate_value
from questionnaires.jsonpos import JsonPosError, field_name, loads_with_lines
from questionnaires.model import Answer, AnswerType, Attestation, Basis, Question, Questionnaire

ANSWERS_FORMAT = "riskagent-answers/1"
MAX_ANSWERS_BYTES = 4 * 1024 * 1024
# Typed whole numbers: ASCII digits, optionally grouped with commas, at most 18 digits (a report holds 20).
_WHOLE_NUMBER = re.compile(r"-?[0-9]{1,3}(,[0-9]{3})+|-?[0-9]{1,18}", re.ASCII)
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
MAX_NOTE_CHARS = 4000
_FILE_KEYS = ("format", "questionnaire", "answers")
_ENTRY_KEYS = ("question", "value", "by", "at", "note")
_ATTESTED_AT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z", re.ASCII)


def latest_today() -> _dt.date:
    """Today's date where it is latest (UTC+14): a date refused as "after today" is after today everywhere."""
    return (_dt.datetime.now(_dt.timezone.utc) + _dt.timedelta(hours=14)).date()


def _hidden(text: str) -> bool:
    """Control or invisible formatting characters (terminal escapes, bidi overrides) other than newline and tab."""
    return any(unicodedata.category(c) in ("Cc", "Cf") and c not in "\n\t" for c in text)


def now_utc() -> str:
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def questionnaire_for(path: Optional[Path]) -> Questionnaire:
    """The questionnaire at ``path``, or the built-in one; a bad file is a usage error naming line and field."""
    from questionnaires.loader import QuestionnaireError, load_questionnaire

    try:
        return load_questionnaire(path)
    except QuestionnaireError as exc:
        raise UsageError(str(exc), "fix the questionnaire file, or omit --questionnaire to use the built-in one") from None


def _real_time(text: str) -> bool:
    try:
        _dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        return False
    return True


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
    unknown = [k for k in data if k not in _FILE_KEYS]
    if unknown:
        raise err((unknown[0],), f"unknown field {unknown[0][:40]!r}; an answers file has {', '.join(_FILE_KEYS)}")
    answers_for = data.get("questionnaire")
    # Answers to an earlier version of the same questionnaire still load: each is checked against its question here.
    if answers_for is not None and (not isinstance(answers_for, str) or answers_for.split("@", 1)[0] != questionnaire.id):
        raise err(("questionnaire",), f"answers are for {answers_for!r}, not {questionnaire.ref!r}")
    items = data.get("answers")
    if not isinstance(items, list):
        raise err(("answers",), "expected a list of answers")
    out: Dict[str, Attestation] = {}
    today = latest_today()
    for i, item in enumerate(items):
        where = ("answers", i)
        if not isinstance(item, dict):
            raise err(where, "expected an object")
        unknown = [k for k in item if k not in _ENTRY_KEYS]
        if unknown:
            raise err((*where, unknown[0]), f"unknown field {unknown[0][:40]!r}; an answer has {', '.join(_ENTRY_KEYS)}")
        qid = item.get("question")
        try:
            if not isinstance(qid, str):
                raise KeyError(qid)
            question = questionnaire.question(qid)
        except KeyError:
            raise err((*where, "question"), f"no question {qid!r} in {questionnaire.ref}") from None
        raw_note = item.get("note")
        if raw_note is not None and (not isinstance(raw_note, str) or len(raw_note) > MAX_NOTE_CHARS):
            raise err((*where, "note"), f"{qid}: expected text of at most {MAX_NOTE_CHARS} characters")
        if isinstance(raw_note, str) and _hidden(raw_note):
            raise err((*where, "note"), f"{qid}: the note holds control or invisible formatting characters")
        note = raw_note.strip() or None if isinstance(raw_note, str) else None
        value = item.get("value")
        if value is None and note is None:
            raise err((*where, "value") if "value" in item else where, f"{qid}: give a value, or a note for an answer the evidence gives")
        why = validate_value(question, value)
        if not why and value is not None and question.type is AnswerType.DATE and not _ISO_DATE.fullmatch(str(value)):
            why = "expected a date YYYY-MM-DD (ASCII digits)"
        if not why:
            why = future_date_problem(question, value, today)
        by = item.get("by")
        at_raw = item.get("at")
        if not why and isinstance(at_raw, str) and _ISO_DATE.match(at_raw):
            try:
                why = future_date_problem(question, value, _dt.date.fromisoformat(at_raw[:10]) + _dt.timedelta(days=1))
            except ValueError:
                pass
            if why:
                why = f"{value} is after the day it was attested ({at_raw[:10]}): give the date it happened"
        if why:
            raise err((*where, "value"), f"{qid}: {why}")
        if not isinstance(by, str) or not by.strip():
            raise err((*where, "by"), "who attests this answer (name and role) is required")
        if len(by) > 200 or any(not ch.isprintable() for ch in by):
            raise err((*where, "by"), "a name and role on one line of at most 200 printable characters")
        if "at" in item and not (isinstance(at_raw, str) and _ATTESTED_AT.fullmatch(at_raw) and _real_time(at_raw)):
            raise err((*where, "at"), "expected the UTC time it was attested, e.g. 2026-11-20T08:00:00Z")
        at = at_raw if isinstance(at_raw, str) else now_utc()
        out[question.id] = Attestation(question.id, value, by.strip(), at, note)
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


def parse_input(question: Question, raw: str, today: Optional[_dt.date] = None) -> Any:
    """Turn typed input into an answer value; raises InputHint saying what to type.

    A date about something that has happened may not be after ``today`` (default: :func:`latest_today`).
    """
    raw = raw.strip()
    t = question.type
    if t is AnswerType.YES_NO:
        value = _YES_NO_KEYS.get(raw.lower())
        allowed = question.allowed_values()
        if value is None or value not in allowed:
            zh = " / ".join(_YES_NO_HINT[v][0] for v in allowed)
            en = " / ".join(_YES_NO_HINT[v][1] for v in allowed)
            raise InputHint(zh, en)
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
        number = int(raw.replace(",", ""))
        if validate_value(question, number):
            low, high = question.minimum, question.maximum
            zh = "、".join(x for x in (f"不小于 {low}" if low is not None else "", f"不大于 {high}" if high is not None else "") if x)
            en = " and ".join(x for x in (f"at least {low}" if low is not None else "", f"at most {high}" if high is not None else "") if x)
            raise InputHint(f"整数，{zh}", f"a whole number {en}")
        return number
    if t is AnswerType.DATE:
        try:
            if not _ISO_DATE.fullmatch(raw):
                raise ValueError(raw)
            value = _dt.date.fromisoformat(raw).isoformat()
        except ValueError:
            raise InputHint("日期，格式 YYYY-MM-DD", "a date YYYY-MM-DD") from None
        day = today or latest_today()
        if future_date_problem(question, value, day):
            raise InputHint(
                f"不晚于今天（{day.isoformat()}）的日期，格式 YYYY-MM-DD：请填写实际发生的日期",
                f"a date YYYY-MM-DD not after today ({day.isoformat()}): the day it happened",
            )
        return value
    if t is AnswerType.LIST:
        return [p.strip() for p in raw.replace("，", ",").split(",") if p.strip()]
    return raw


_YES_NO_HINT = {
    "yes": ("y（是）", "y(es)"),
    "no": ("n（否）", "n(o)"),
    "partial": ("p（部分）", "p(artial)"),
    "not_applicable": ("na（不适用）", "na (not applicable)"),
}
_YES_NO_PROMPT = {
    "yes": ("y=是/yes", "y=yes"),
    "no": ("n=否/no", "n=no"),
    "partial": ("p=部分/partial", "p=partial"),
    "not_applicable": ("na=不适用/n.a.", "na=not applicable"),
}


def _prompt_text(question: Question, answer: Answer, lang: str, index: int, total: int) -> str:
    lines = [f"[{index}/{total}] {question.id}: {question.text.get(lang)}"]
    if question.help is not None:
        lines.append(f"    {question.help.get(lang)}")
    if answer.coverage is not None:
        lines.append(("    证据：" if lang == "zh" else "    evidence: ") + answer.coverage.text(question, lang))
    if answer.note:
        from report.terminal import safe_line

        lines.append(("    说明：" if lang == "zh" else "    note: ") + safe_line(answer.note))
    if question.type is AnswerType.YES_NO:
        lines.append("    " + "  ".join(_YES_NO_PROMPT[v][0 if lang == "zh" else 1] for v in question.allowed_values()))
    elif question.type is AnswerType.ENUM:
        for i, o in enumerate(question.options, 1):
            lines.append(f"    {i}) {o.label.get(lang)}")
    elif question.type is AnswerType.LIST:
        lines.append("    多项用逗号分隔" if lang == "zh" else "    separate items with commas")
    elif question.type is AnswerType.DATE:
        lines.append("    YYYY-MM-DD" + (("，不晚于今天" if lang == "zh" else ", not after today") if question.past else ""))
    elif question.type is AnswerType.NUMBER and (question.minimum is not None or question.maximum is not None):
        low = "" if question.minimum is None else str(question.minimum)
        high = "" if question.maximum is None else str(question.maximum)
        lines.append(f"    {low}–{high}" if low and high else (f"    ≥ {low}" if low else f"    ≤ {high}"))
    lines.append("    (回车跳过 / Enter to skip)" if lang == "zh" else "    (Enter to skip)")
    return "\n".join(lines) + "\n> "


def _open(att: Optional[Attestation]) -> bool:
    """Whether a question is still to be asked: no attestation, or one that only adds a note."""
    return att is None or att.value is None


NOTE_PROMPT = {"zh": "说明（回车跳过）/ note (Enter to skip)\n> ", "en": "note (Enter to skip)\n> "}


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
    """Ask every question the evidence leaves unknown; save after each answer and after its note.

    A question whose ``ask_if`` an earlier answer rules out (given before or in this session) is skipped.
    Returns the number of answers given. End of input (Ctrl-D, a closed pipe) ends the session;
    everything already answered is in the file.
    """
    values: Dict[str, Any] = {a.question: a.value for a in answers if a.basis is not Basis.UNKNOWN}
    values.update({qid: att.value for qid, att in attestations.items() if att.value is not None})
    todo = [a for a in answers if a.basis is Basis.UNKNOWN and a.skipped_by is None and _open(attestations.get(a.question))]
    given = 0
    for i, ans in enumerate(todo, 1):
        question = questionnaire.question(ans.question)
        cond = question.ask_if
        if cond is not None and not cond.holds(values.get(cond.question)):
            shown = values.get(cond.question)
            if shown is not None:
                q_cond = questionnaire.question(cond.question)
                write(
                    f"[{i}/{len(todo)}] {question.id}: 跳过（{cond.question} 为“{q_cond.display(shown, 'zh')}”）\n"
                    if lang == "zh"
                    else f"[{i}/{len(todo)}] {question.id}: skipped ({cond.question} is {q_cond.display(shown, 'en')})\n"
                )
            continue
        while True:
            write(_prompt_text(question, ans, lang, i, len(todo)))
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
            earlier = attestations.get(question.id)
            attestations[question.id] = Attestation(question.id, value, by, now_utc(), earlier.note if earlier is not None else None)
            save_answers(path, questionnaire, attestations)
            values[question.id] = value
            given += 1
            write(NOTE_PROMPT["zh" if lang == "zh" else "en"])
            note = stdin.readline()
            if note == "":
                write("\n")
                return given
            if note.strip() and not _hidden(note.strip()):
                attestations[question.id] = Attestation(question.id, value, by, attestations[question.id].at, note.strip()[:MAX_NOTE_CHARS])
                save_answers(path, questionnaire, attestations)
            break
    return given
