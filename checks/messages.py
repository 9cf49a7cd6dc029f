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
from dataclasses import dataclass, field
from typing import Any, Dict, FrozenSet, List, Mapping, Optional, Tuple

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
    # The parameters either template uses, parsed once (checks fill a message per finding).
    needs: FrozenSet[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "needs", frozenset(_fields(self.text.en)) | frozenset(_fields(self.text.zh)))

    def __call__(self, **params: Any) -> Reason:
        missing = sorted(self.needs.difference(params))
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


# Rendered messages by (id, lang, parameters) where every parameter is a string, integer, boolean or null: a
# finding's reason is rendered when it is made, again when its JSON is written and by each reader, and reports
# repeat most of theirs. Bounded, and dropped whole when full.
_RENDERED: Dict[Tuple[Any, ...], str] = {}
_MAX_RENDERED = 4096


def render(id: str, params: Mapping[str, JSON], lang: str) -> str:
    """The message in ``lang`` (zh or en); an id this catalogue does not know shows as the id with its parameters."""
    key = _render_key(id, params, lang) if id in _TEMPLATES else None
    if key is None:
        return _render(id, params, lang)
    done = _RENDERED.get(key)
    if done is None:
        if len(_RENDERED) >= _MAX_RENDERED:
            _RENDERED.clear()
        done = _RENDERED[key] = _render(id, params, lang)
    return done


def _render_key(id: str, params: Mapping[str, JSON], lang: str) -> Optional[Tuple[Any, ...]]:
    """The key a rendering is remembered by; None when a parameter is a list or an object."""
    parts: List[Any] = [id, lang]
    for k, v in params.items():
        kind = type(v)
        if not (v is None or kind is str or kind is int or kind is bool):
            return None
        parts += (k, kind, v)  # the type too: true and 1 are equal keys but show as "yes" and "1"
    return tuple(parts)


def _render(id: str, params: Mapping[str, JSON], lang: str) -> str:
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
