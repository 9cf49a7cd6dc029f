"""Jinja2 templates of the human-readable views (data; see report.templating)."""
