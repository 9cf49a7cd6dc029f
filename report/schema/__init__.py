"""The committed JSON Schema of the report, generated from the typed model.

``python -m report.schema`` regenerates it; a test keeps the committed file
equal to what the model gives, so the schema can never drift from the code.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict

SCHEMA_FILE = Path(__file__).with_name("report-1.2.schema.json")  # named by report.model.SCHEMA_VERSION


def report_schema() -> Dict[str, Any]:
    """The committed schema."""
    data: Dict[str, Any] = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return data


def generate() -> Dict[str, Any]:
    """The schema the typed report model describes."""
    from collectors.strictjson import json_schema
    from report.model import SCHEMA_VERSION, Report

    defs: Dict[str, Any] = {}
    root = json_schema(Report, defs)
    name = root["$ref"].rsplit("/", 1)[-1]
    top = defs.pop(name)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:riskagent:schema:report:{SCHEMA_VERSION}",
        "title": "riskagent assessment report",
        "description": "The signed predicate of a riskagent assessment (in-toto predicateType "
        "urn:riskagent:predicate:assessment:v1). Generated from report/model.py; do not edit.",
        **{k: v for k, v in top.items() if k != "description"},
        "$defs": dict(sorted(defs.items())),
    }


def render() -> str:
    return json.dumps(generate(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"

