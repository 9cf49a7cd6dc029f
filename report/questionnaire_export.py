"""Exports of an answered questionnaire for the insurer's application form: JSON, CSV, HTML."""

from __future__ import annotations

import csv
import io
import json
from typing import Any, Dict, List, Mapping, Optional

from collectors.strictjson import to_json as plain
from questionnaires.model import Answer, AnsweredQuestionnaire, Basis, Questionnaire
from report.escape import csv_cell
from report.i18n import Labels

BASIS = {
    "derived": {"zh": "证据推导", "en": "derived from evidence"},
    "attested": {"zh": "填报人声明", "en": "attested"},
    "unknown": {"zh": "未知", "en": "unknown"},
}
YES_NO = {
    "yes": {"zh": "是", "en": "yes"},
    "no": {"zh": "否", "en": "no"},
    "partial": {"zh": "部分", "en": "partial"},
    "not_applicable": {"zh": "不适用", "en": "not applicable"},
}


def _typed(answered: AnsweredQuestionnaire) -> Optional[Questionnaire]:
    """The typed questionnaire behind ``answered`` (for texts that need a question's types), if it parses."""
    from questionnaires.loader import QuestionnaireError, load_questionnaire, parse_questionnaire
    from questionnaires.model import builtin_sha256, definition_sha256

    definition = answered.definition
    try:
        if definition_sha256(definition) == builtin_sha256():
            return load_questionnaire(None)
        return parse_questionnaire(json.dumps(definition, ensure_ascii=False), "report")
    except (QuestionnaireError, TypeError, ValueError):
        return None


def rows(answered: AnsweredQuestionnaire, lang: str) -> List[Dict[str, Any]]:
    """One flat row per question, in questionnaire order, every text in ``lang``.

    Besides the answer and its basis: the partial evidence of an organisation question (what this
    host shows, and that other assets are unknown), the note the person gave, each conflict in the
    reader's language, and "not asked" for a question another answer made irrelevant.
    """
    by_id = {a.question: a for a in answered.answers}
    typed = _typed(answered) if any(a.coverage is not None for a in answered.answers) else None
    out: List[Dict[str, Any]] = []
    for section in answered.definition["sections"]:
        for q in section["questions"]:
            a: Optional[Answer] = by_id.get(q["id"])
            basis = a.basis if a is not None else Basis.UNKNOWN
            out.append(
                {
                    "section": section["title"][lang],
                    "id": q["id"],
                    "question": q["text"][lang],
                    "type": q["type"],
                    "answer": display_value(q, a.value if a is not None else None, lang),
                    "basis": BASIS[basis.value][lang],
                    "basis_code": basis.value,
                    "evidence": ""
                    if a is None
                    else "; ".join(
                        [f"{c.check_id}={c.status}" for c in a.cited_checks]
                        + [e.collector for e in a.cited_evidence if not a.cited_checks]
                    ),
                    "attested_by": a.attestation.by if a is not None and a.attestation else "",
                    "attested_at": a.attestation.at if a is not None and a.attestation else "",
                    "conflict": ("；" if lang == "zh" else "; ").join(c.message.get(lang) for c in a.conflicts)
                    if a is not None and a.conflicts
                    else ((a.conflict if a is not None else None) or ""),
                    "coverage": a.coverage.text(typed.question(q["id"]), lang)
                    if a is not None and a.coverage is not None and typed is not None
                    else "",
                    "note": (a.note if a is not None else None) or "",
                    "skipped_by": (a.skipped_by if a is not None else None) or "",
                    "reason": (a.reason if a is not None else None) or "",
                    "mlps": ", ".join([*q.get("mlps", []), *q.get("mlps_clauses", [])]),
                }
            )
    return out


def display_value(question: Mapping[str, Any], value: Any, lang: str) -> str:
    if value is None:
        return ""
    if question["type"] == "yes_no" and value in YES_NO:
        return YES_NO[value][lang]
    if question["type"] == "enum":
        for o in question.get("options", []):
            if o["value"] == value:
                return str(o["label"][lang])
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def to_json(answered: AnsweredQuestionnaire) -> str:
    return json.dumps(plain(answered), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


CSV_COLUMNS = ("section", "id", "question", "answer", "basis", "evidence", "attested_by", "attested_at", "conflict", "mlps")


def to_csv(answered: AnsweredQuestionnaire, lang: str) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows(answered, lang):
        writer.writerow({k: csv_cell(v) for k, v in row.items()})
    return "\ufeff" + buf.getvalue()  # BOM so spreadsheet tools read the Chinese text as UTF-8


def to_html(answered: AnsweredQuestionnaire, lang: str) -> str:
    from report.templating import render_template

    return render_template("questionnaire.html.j2", a=answered, rows=rows(answered, lang), L=Labels(lang), lang=lang)
