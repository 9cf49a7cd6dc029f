"""The Jinja2 templates of the human-readable views, compiled ahead of time.

Parsing and compiling a template costs far more than rendering it, and a
scan renders each template once per process. The templates are therefore
compiled into Python modules (``report/templates/compiled/``) that ship with
the package and import like any module (and are byte-compiled on install).
A manifest records the sha256 of each source; a template whose source no
longer matches its compiled module is compiled from source instead, so a
stale build renders correctly, only slower. ``python -m report.templating``
regenerates the modules; a test keeps them in sync.
"""

from __future__ import annotations

import functools
import json
import shutil
import sys
from pathlib import Path
from typing import Any, Dict

from collectors.digest import sha256_hex
from report import escape

TEMPLATES = Path(__file__).with_name("templates")
COMPILED = TEMPLATES / "compiled"
MANIFEST = COMPILED / "manifest.json"
NAMES = (
    "report.html.j2",
    "report.md.j2",
    "plan.html.j2",
    "questionnaire.html.j2",
    "application.html.j2",
    "_mlps.html.j2",
    "_mlps.md.j2",
)
MARKDOWN = frozenset({"report.md.j2", "_mlps.md.j2"})
# Partials (names starting with "_") are included by the templates of their kind, from the same environment.
PARTIALS = tuple(n for n in NAMES if n.startswith("_"))


def _source_digest(name: str) -> str:
    return sha256_hex((TEMPLATES / name).read_bytes())


def compact(value: Any) -> str:
    """A value on one line: JSON for lists and objects."""
    from collectors.strictjson import to_json

    if isinstance(value, (dict, list, tuple)) or hasattr(value, "__dataclass_fields__"):
        return json.dumps(to_json(value), ensure_ascii=False, sort_keys=True)
    return str(value)


def md_cell(value: Any) -> str:
    """A value made safe for one Markdown table cell (``report.escape``): one line, no markup, no new column."""
    return escape.md_cell(compact(value))


def md_text(value: Any) -> str:
    """A value made inert for Markdown text: a heading, a paragraph, a list item."""
    return escape.md(compact(value))


def md_code(value: Any) -> str:
    """A value as an inline code span, fences included."""
    return escape.md_code(compact(value))


def md_code_cell(value: Any) -> str:
    """A value as an inline code span inside a table cell."""
    return escape.md_code(compact(value), table=True)


# Every data-bearing expression of the Markdown template ends in one of these (a test holds it to that).
FILTERS: Dict[str, Any] = {
    "compact": compact,
    "cell": md_cell,
    "md": md_text,
    "code": md_code,
    "code_cell": md_code_cell,
    "fence": escape.md_fence,
}


def mlps_view(report: Any, lang: str) -> Any:
    """The 测评 view of a report (``report.mlps_view``), for the ``_mlps`` partials."""
    from report.mlps_view import assessor_view

    return assessor_view(report, lang)


GLOBALS: Dict[str, Any] = {"mlps_view": mlps_view}


def _configure(env: Any) -> Any:
    env.filters.update(FILTERS)
    env.globals.update(GLOBALS)
    return env


def _jinja2() -> Any:
    """jinja2, imported without the system OpenSSL.

    jinja2 imports hashlib for its bytecode cache, which riskagent never uses, and hashlib maps the
    system's libcrypto: some 4 MiB of resident memory on every scan, beside the OpenSSL that
    ``cryptography`` already links for signing. When nothing has loaded ``_hashlib`` yet, it is held
    back for the length of this import, so hashlib falls back to CPython's built-in digests (the same
    results; ``collectors.digest`` uses them too). Imported once per process.
    """
    import sys

    if "jinja2" in sys.modules:
        return sys.modules["jinja2"]
    held_back = "_hashlib" not in sys.modules and "hashlib" not in sys.modules
    if held_back:
        sys.modules["_hashlib"] = None  # type: ignore[assignment]  # makes "import _hashlib" fail
    try:
        import jinja2
    finally:
        if held_back:
            del sys.modules["_hashlib"]
    return jinja2


def _options(autoescape: bool) -> Dict[str, Any]:
    jinja2 = _jinja2()

    return {
        "autoescape": autoescape,
        "undefined": jinja2.StrictUndefined,
        "trim_blocks": True,
        "lstrip_blocks": True,
        "auto_reload": False,
        # Every printed value, in every template, has its control and invisible characters made visible
        # first (report.escape); HTML autoescaping and the Markdown filters come on top.
        "finalize": escape.html_finalize,
    }


@functools.lru_cache(maxsize=2)
def _source_env(autoescape: bool) -> Any:
    jinja2 = _jinja2()

    return _configure(jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), **_options(autoescape)))


@functools.lru_cache(maxsize=2)
def _compiled_env(autoescape: bool) -> Any:
    jinja2 = _jinja2()

    return _configure(jinja2.Environment(loader=jinja2.ModuleLoader(str(COMPILED)), **_options(autoescape)))


@functools.lru_cache(maxsize=1)
def _fresh() -> Dict[str, bool]:
    try:
        recorded = json.loads(MANIFEST.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        recorded = {}
    return {name: recorded.get(name) == _source_digest(name) for name in NAMES}


def environment(name: str) -> Any:
    """The Jinja environment that loads ``name``: precompiled when it and every partial it may include are fresh,
    else from source (an include loads from the environment of the template that includes it)."""
    autoescape = name not in MARKDOWN
    fresh = _fresh()
    return _compiled_env(autoescape) if fresh.get(name) and all(fresh.get(p) for p in PARTIALS) else _source_env(autoescape)


def render_template(name: str, **context: Any) -> str:
    """Render one template with ``context`` (autoescaped, except Markdown)."""
    return str(environment(name).get_template(name).render(**context))


def render_template_bytes(name: str, **context: Any) -> bytes:
    """The same page as UTF-8 bytes, encoded piece by piece as the template yields them.

    A report page is tens of thousands of small pieces; joining them into one string first would
    hold them all at once, which on a gateway costs more memory than the page itself.
    """
    out = bytearray()
    for piece in environment(name).get_template(name).generate(**context):
        out += piece.encode("utf-8")
    return bytes(out)


def compile_all() -> None:
    """Regenerate the compiled modules and the manifest from the template sources."""
    if COMPILED.exists():
        shutil.rmtree(COMPILED)
    COMPILED.mkdir()
    for autoescape in (True, False):
        names = [n for n in NAMES if (n in MARKDOWN) != autoescape]
        _source_env(autoescape).compile_templates(str(COMPILED), zip=None, filter_func=lambda n, names=names: n in names, ignore_errors=False)
    (COMPILED / "__init__.py").write_text('"""Compiled report templates (generated by python -m report.templating; do not edit)."""\n', encoding="utf-8")
    MANIFEST.write_text(json.dumps({n: _source_digest(n) for n in NAMES}, indent=2, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":  # pragma: no cover - a build step
    compile_all()
    print(f"compiled {len(NAMES)} templates into {COMPILED}", file=sys.stderr)
