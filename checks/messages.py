"""Why a check decided as it did, in the reader's language: message templates with parameters.

A check does not return a sentence but a message: an id, a template in
zh-CN and in en, and the values that fill it::

    ROOT_LOGIN = message("LNX-SSH-001/allowed", en="PermitRootLogin is {value}", zh="允许 root 直接登录（PermitRootLogin 为 {value}）")
    ...
    return Verdict.fail(ROOT_LOGIN(value=value), value=value)

The finding keeps the id and the parameters (and the English text, for
readers of the JSON); renderers show the template of the report's language.
Parameters are data (paths, values, names) and are shown as they are.
Templates are declared at import time, so every id is known before any check
runs; an id is declared once.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from typing import Any, Dict, Mapping, Tuple

from checks.model import Reason, Text
from collectors.strictjson import JSON

_TEMPLATES: Dict[str, Text] = {}
_FORMATTER = string.Formatter()


def _fields(template: str) -> Tuple[str, ...]:
    return tuple(name for _, name, _, _ in _FORMATTER.parse(template) if name)


@dataclass(frozen=True)
class Template:
    id: str
    text: Text

    def __call__(self, **params: Any) -> Reason:
        missing = sorted((set(_fields(self.text.en)) | set(_fields(self.text.zh))) - set(params))
        if missing:
            raise TypeError(f"message {self.id} needs {', '.join(missing)}")
        return Reason(self.id, {k: _plain(v) for k, v in params.items()})


def _plain(value: Any) -> JSON:
    """Parameters are plain JSON (a tuple becomes a list, anything else its str)."""
    if value is None or isinstance(value, (str, int, bool)):
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)


def message(id: str, *, en: str, zh: str) -> Template:
    """Declare the message ``id`` (a call must give every parameter either template uses)."""
    if id in _TEMPLATES and _TEMPLATES[id] != Text(zh=zh, en=en):
        raise ValueError(f"message id {id} declared twice")
    _TEMPLATES[id] = Text(zh=zh, en=en)
    return Template(id, _TEMPLATES[id])


def _shown(value: JSON, lang: str) -> str:
    if isinstance(value, list):
        return ("、" if lang == "zh" else ", ").join(_shown(v, lang) for v in value) or ("无" if lang == "zh" else "none")
    if isinstance(value, bool):
        return ("是" if value else "否") if lang == "zh" else ("yes" if value else "no")
    if value is None:
        return "无" if lang == "zh" else "none"
    return str(value)


def render(id: str, params: Mapping[str, JSON], lang: str) -> str:
    """The message in ``lang`` (zh or en); an id this catalogue does not know shows as the id with its parameters."""
    text = _TEMPLATES.get(id)
    if text is None:
        shown = ", ".join(f"{k}={_shown(v, lang)}" for k, v in params.items())
        return f"{id} ({shown})" if shown else id
    return text.get(lang).format(**{k: _shown(v, lang) for k, v in params.items()})


def templates() -> Dict[str, Text]:
    """Every declared message, by id (for tests and for the catalogue document)."""
    return dict(_TEMPLATES)


def segments(id: str, params: Mapping[str, JSON], lang: str) -> Tuple[Tuple[str, bool], ...]:
    """The message in ``lang`` as pieces, each (text, is_parameter): renderers set parameters apart as data.

    A parameter is data from the assessed system (a path, a value, an error text of the OS), shown as
    it is in both languages; marking it lets the Chinese report show it as code, not as prose.
    """
    text = _TEMPLATES.get(id)
    if text is None:
        return ((render(id, params, lang), True),)
    out = []
    for literal, name, spec, conversion in _FORMATTER.parse(text.get(lang)):
        if literal:
            out.append((literal, False))
        if name:
            value = _FORMATTER.convert_field(_shown(params.get(name), lang), conversion)
            out.append((format(value, spec or ""), True))
    return tuple(out)
