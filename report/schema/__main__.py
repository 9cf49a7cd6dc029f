"""``python -m report.schema``: regenerate the committed schema from the typed model."""

from report.schema import SCHEMA_FILE, render

SCHEMA_FILE.write_text(render(), encoding="utf-8")
