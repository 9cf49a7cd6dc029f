"""The committed JSON Schema of the report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict

SCHEMA_FILE = Path(__file__).with_name("report-1.0.schema.json")


def report_schema() -> Dict[str, Any]:
    data: Dict[str, Any] = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return data
