"""Last line of defence against secrets in reports.

Collectors reduce facts at the source and never keep hashes, keys or
command lines. This pass scrubs anything that still looks like a secret from
every string in the report before it is signed, and counts what it removed.

A value is judged by what it looks like and where it stands, never by a word
before a colon ("accounts without a password: guest" is the tool's own prose):

- by its shape: private key blocks, crypt and GRUB PBKDF2 hashes, tokens of a
  known format (``sk_live_``, ``AKIA``, ``ghp_``, ``xoxb-``, ... -- the table
  host.credentials uses to find them);
- by its place: the value of a ``password=``/``api_key=`` setting (``name: value``
  only where a line starts with the name), the password of ``curl -u``,
  ``mysql -p``, ``sshpass -p``, ``smbclient -U``, ``redis-cli -a`` and of a URL's
  userinfo, the credential of an ``Authorization`` header or ``Bearer``, and the
  value of a mapping key that names a secret (``{"password": ...}``).

Only the secret is replaced, so the text still says what was there
(``password=[redacted]``). A value that is a reference (``$DB_PASS``,
``${X}``), a placeholder or a plain yes/no is not a secret and is left alone.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import re
from enum import Enum
from typing import Any, Callable, Dict, List, Optional, Set, Tuple

from collectors.host.credentials import TOKEN_PATTERNS

REDACTED = "[redacted]"

# Names whose value is a secret: ending in one of these (db_password, API_TOKEN, spring.datasource.password, --password).
_KEY_NAME = (
    r"[A-Za-z0-9_.-]*?(?:passw(?:or)?d|passphrase|secret|token|api[_-]?key|apikey|access[_-]?key|secret[_-]?key"
    r"|private[_-]?key|client[_-]?secret|auth[_-]?key|(?<![A-Za-z])pwd|(?<![A-Za-z])pass|requirepass|masterauth)"
)
_VALUE = r"(\"[^\"\n]*\"|'[^'\n]*'|[^\s\"',;&|)]+)"
_MYSQL = r"(?:mysql|mysqldump|mysqladmin|mysqlpump|mysqlimport|mysqlcheck|mysqlshow|mysqlbinlog|mariadb(?:-dump|-admin|-import|-check)?)"
_NOT_SECRET = re.compile(r"(?i)^(?:|x+|\*+|-|none|null|nil|true|false|yes|no|on|off|prompt|required|optional|\[redacted\])$")
_REFERENCE = ("$", "%(", "{{", "<", "`", "!vault", "ENC(", "{cipher}", "vault:", "/", "~/")


def _is_secret(value: str) -> bool:
    """A written-out secret, not a reference to one (``$PW``, ``${X}``, ``{{ v }}``), a path, a placeholder or a switch."""
    inner = value[1:-1] if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'" else value
    inner = inner.strip()
    return not _NOT_SECRET.match(inner) and not inner.startswith(_REFERENCE)


def _keep_prefix(group: int = 1) -> Callable[[re.Match[str]], str]:
    """Replace the value (the last group) after the kept prefix (group ``group``), when it is a secret."""

    def sub(m: re.Match[str]) -> str:
        value = m.group(m.lastindex or 0)
        if not _is_secret(value):
            return m.group(0)
        quote = value[0] if len(value) >= 2 and value[0] in "\"'" and value[-1] == value[0] else ""
        return f"{m.group(group)}{quote}{REDACTED}{quote}"

    return sub


def _whole(m: re.Match[str]) -> str:
    return REDACTED


Rule = Tuple[str, "re.Pattern[str]", Callable[[re.Match[str]], str]]

_RULES: List[Rule] = [
    # -- by shape --------------------------------------------------------------------------------------
    (
        "private_key",
        re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----.*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)", re.S),
        _whole,
    ),
    # $id$[params$]salt$hash: the whole field, whatever the number of $-separated parts (yescrypt has one more).
    ("crypt_hash", re.compile(r"\$(?:1|2[abxy]?|5|6|7|y|gy|sha1|md5|argon2(?:id|i|d)?)\$[^\s:'\"]{8,}"), _whole),
    ("grub_pbkdf2", re.compile(r"grub\.pbkdf2\.sha512\.\d+\.[0-9A-Fa-f.]{16,}"), _whole),
    *[("token", re.compile(p), _whole) for _label, p in TOKEN_PATTERNS],
    # -- by place --------------------------------------------------------------------------------------
    (
        "authorization",
        re.compile(
            r"(?i)(\b(?:proxy-)?authorization['\"]?\s*[:=]?\s*['\"]?(?:bearer|basic|token|digest|negotiate)\s+)([^\s'\",;]+)"
        ),
        _keep_prefix(),
    ),
    # A bearer token is not plain lowercase prose ("bearer tokens" is a phrase, "Bearer eyJ0..." is a credential).
    ("bearer", re.compile(r"(\b[Bb](?:earer|EARER)\s+)((?=[A-Za-z0-9._~+/=-]*[^a-z\s])[A-Za-z0-9._~+/=-]{8,})"), _keep_prefix()),
    (
        "api_key_header",
        re.compile(r"(?i)(\b(?:x-api-key|x-auth-token|private-token|x-access-token)\s*:\s*)([^\s'\"]{6,})"),
        _keep_prefix(),
    ),
    ("url_userinfo", re.compile(r"(\b[a-z][a-z0-9+.-]{1,15}://[^\s/:@'\"]+:)([^\s/@'\"]+)(?=@)"), _keep_prefix()),
    (
        "curl_user",
        re.compile(r"(\bcurl\b[^\n|;&]*?\s(?:-u\s*|--user[=\s]\s*|--proxy-user[=\s]\s*)['\"]?[^\s:'\"]*:)([^\s'\"]+)"),
        _keep_prefix(),
    ),
    (
        "mysql_password",
        re.compile(r"(\b" + _MYSQL + r"\b[^\n|;&]*?\s-p)([^\s\-'\"][^\s'\"]*|'[^']*'|\"[^\"]*\")"),
        _keep_prefix(),
    ),
    ("sshpass", re.compile(r"(\bsshpass\b[^\n|;&]*?\s-p\s*)(\S+)"), _keep_prefix()),
    ("smbclient", re.compile(r"(\bsmbclient\b[^\n|;&]*?\s-U\s*[^\s%]+%)(\S+)"), _keep_prefix()),
    ("redis_cli", re.compile(r"(\bredis-cli\b[^\n|;&]*?\s-a\s+)(\S+)"), _keep_prefix()),
    # name=value anywhere (shell, ini, env, URLs' queries, --password=...): the name must end in a secret word.
    ("assignment", re.compile(r"(?i)((?<![\w./$])" + _KEY_NAME + r"['\"]?\s*=\s*)" + _VALUE), _keep_prefix()),
    # "name": "value" (JSON) and name: value as the whole of a line (YAML): not a word before a colon in a sentence.
    ("json_pair", re.compile(r"(?i)(\"" + _KEY_NAME + r"\"\s*:\s*)(\"[^\"\n]*\")"), _keep_prefix()),
    (
        "yaml_pair",
        re.compile(r"(?im)(^\s*-?\s*['\"]?" + _KEY_NAME + r"['\"]?\s*:[ \t]*)(\"[^\"\n]*\"|'[^'\n]*'|[^\s\"'#]+)(?=[ \t]*$)"),
        _keep_prefix(),
    ),
]


# What every rule needs somewhere in the (lowercased) string. A string with none of these (nearly all of them) is
# clean, found by one search for literals instead of every rule. The tests keep it in step with _RULES.
_TRIGGER = re.compile(
    r"(?:pass\w*|pwd|secret|token|key|masterauth)['\"]?\s*[=:]|-----begin |\$[0-9a-z]{1,8}\$|grub\.pbkdf2|uthoriz|earer\s"
    r"|//[^\s/:@]+:[^\s/@]+@|curl|mysql|mariadb|sshpass|smbclient|redis-cli"
    r"|[sr]k_(?:live|test)_|akia|asia|gh[pousr]_|github_pat_|xox[abposr]-|hooks\.slack|glpat-|aiza|ltai|akid|sk-|npm_|sg\.|hf_|eyj"
)


def _suspect(text: str) -> bool:
    """Whether any rule could match: the one search most strings get."""
    return _TRIGGER.search(text.lower()) is not None


def _scrub(text: str) -> Tuple[str, int]:
    total = 0
    for _name, pattern, replace in _RULES:
        hits = 0

        def counted(m: re.Match[str], replace: Callable[[re.Match[str]], str] = replace) -> str:
            nonlocal hits
            out = replace(m)
            if out != m.group(0):
                hits += 1
            return out

        new = pattern.sub(counted, text)
        if hits:
            text = new
            total += hits
    return text, total


def redact_text(text: str) -> Tuple[str, int]:
    """Scrub one string; return it and the number of replacements."""
    if not _suspect(text):
        return text, 0
    return _scrub(text)


_SECRET_KEY = re.compile(
    r"(?i)^(?:[A-Za-z0-9_.-]*[_.-])?(?:password|passwd|passphrase|secret|token|api_?key|access_?key|secret_?key|private_?key"
    r"|client_?secret|pwd|pass|authorization)$"
)


@functools.lru_cache(maxsize=4096)
def secret_key(name: str) -> bool:
    """Whether a mapping key names a secret: its value is scrubbed whatever it looks like (``{"db_password": ...}``)."""
    return bool(_SECRET_KEY.match(name))


# Strings known to hold nothing to scrub. Whether a string is clean depends on the string alone, and reports
# repeat most of theirs from one to the next (statuses, paths, package names, the catalogue's own text), so the
# knowledge is kept across walks: bounded, and dropped whole when full rather than tracked per entry.
_CLEAN: Set[str] = set()
_MAX_CLEAN = 1 << 16
_MAX_CLEAN_LEN = 512  # long strings rarely repeat: not worth their memory


def _remember(memory: Set[str], text: str) -> None:
    if len(text) <= _MAX_CLEAN_LEN:
        if len(memory) >= _MAX_CLEAN:
            memory.clear()
        memory.add(text)


_FIELD_NAMES: Dict[type, Tuple[str, ...]] = {}


def _field_names(cls: type) -> Tuple[str, ...]:
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return names


# Mapping keys known to hold nothing to scrub and to name no secret: such a key costs one set lookup (see ``_CLEAN``).
_PLAIN_KEYS: Set[str] = set()


class _Walk:
    """One scrub of one tree: copy on write, each distinct clean string searched once (see ``_CLEAN``)."""

    def text(self, text: str) -> Tuple[str, int]:
        if text in _CLEAN:
            return text, 0
        if not _suspect(text):
            _remember(_CLEAN, text)
            return text, 0
        new, n = _scrub(text)
        if not n:
            _remember(_CLEAN, text)
        return new, n

    def value(self, key: Any, value: Any) -> Tuple[Any, int]:
        """A mapping's value: a secret outright when the key names one and the value is written out."""
        if type(value) is str and type(key) is str and secret_key(key) and _is_secret(value):
            return REDACTED, 1
        return self.tree(value)

    def tree(self, obj: Any) -> Tuple[Any, int]:
        kind = type(obj)
        # The exact types a report is made of first, each tested once; subclasses and the rest below.
        if kind is str:
            return (obj, 0) if obj in _CLEAN else self.text(obj)
        if obj is None or kind is int or kind is bool:
            return obj, 0
        if kind is dict:
            return self._mapping(obj)
        if kind is tuple or kind is list:
            return self._sequence(obj)
        if isinstance(obj, str):  # a str subclass (a text enum's member is scrubbed as its text, as ever)
            return self.text(obj)
        if isinstance(obj, Enum):
            return obj, 0
        if isinstance(obj, (bool, int, float)):
            return obj, 0
        if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
            changes: Dict[str, Any] = {}
            count = 0
            for name in _field_names(kind):
                new, n = self.tree(getattr(obj, name))
                if n:
                    changes[name] = new
                    count += n
            return (dataclasses.replace(obj, **changes) if changes else obj), count
        if isinstance(obj, dict):
            return self._mapping(obj)
        if isinstance(obj, (list, tuple)):
            return self._sequence(obj)
        return obj, 0

    def _mapping(self, obj: Dict[Any, Any]) -> Tuple[Any, int]:
        # Copy on write: nothing is built until something changes (nearly never). A key already known plain costs
        # one set lookup, and so does a string value already known clean; other plain values cost nothing.
        out: Optional[Dict[Any, Any]] = None
        count = 0
        for i, (k, v) in enumerate(obj.items()):
            if k in _PLAIN_KEYS and type(k) is str:
                kind = type(v)
                if (kind is str and v in _CLEAN) or v is None or kind is int or kind is bool:
                    if out is not None:
                        out[k] = v
                    continue
                v2, n = self.tree(v)
                if n:
                    if out is None:
                        out = dict(itertools.islice(obj.items(), i))
                    count += n
                if out is not None:
                    out[k] = v2
                continue
            k2, n1 = self.tree(k)
            v2, n2 = self.value(k, v)
            if type(k) is str and not n1 and not secret_key(k):
                _remember(_PLAIN_KEYS, k)
            if n1 or n2:
                if out is None:
                    out = dict(itertools.islice(obj.items(), i))
                count += n1 + n2
            if out is not None:
                out[k2] = v2
        return (out if out is not None else obj), count

    def _sequence(self, obj: Any) -> Tuple[Any, int]:
        items: Optional[List[Any]] = None
        count = 0
        for i, v in enumerate(obj):
            if type(v) is str and v in _CLEAN:
                if items is not None:
                    items.append(v)
                continue
            v2, n = self.tree(v)
            if n:
                if items is None:
                    items = list(obj[:i])
                count += n
            if items is not None:
                items.append(v2)
        if items is None:
            return obj, 0
        return (tuple(items) if isinstance(obj, tuple) else items), count


def redact_tree(obj: Any) -> Tuple[Any, int]:
    """Scrub every string in a tree of frozen dataclasses, dicts, lists and tuples.

    Copy on write: a branch with nothing to scrub is returned as the very same object, so a clean
    report costs one walk and no copy.
    """
    return _Walk().tree(obj)


def redact(obj: Any) -> Tuple[Any, int]:
    """Scrub every string (keys included) in a JSON-like structure; copy on write, as :func:`redact_tree`."""
    return redact_tree(obj)
