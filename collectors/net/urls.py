"""URLs a server gave, as they may be recorded in evidence, reasons and progress lines.

A redirect can carry a session id, a token or a password: ``?sid=…``,
``#access_token=…``, ``;jsessionid=…``, ``user:pass@``. None of that may reach
a report. What is kept is the scheme, the host, the port and the path; the
query, the fragment, user information and path parameters are dropped, and
the result is cut to ``MAX_URL`` characters. The values that remain are still
data (escaping them for a terminal or Markdown is the report's job).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

MAX_URL = 512
_PATH_PARAMS = re.compile(r";[^/]*")
_USERINFO = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*:)?//[^/@]*@")


def public_url(url: str) -> str:
    """``url`` without query, fragment, user information or path parameters, at most ``MAX_URL`` characters."""
    text = url.split("#", 1)[0].split("?", 1)[0]
    try:
        parts = urlsplit(text)
        netloc = parts.netloc.rpartition("@")[2]
        out = urlunsplit((parts.scheme, netloc, _PATH_PARAMS.sub("", parts.path), "", ""))
    except ValueError:  # an unparsable authority (a lone "[" ...): still no user information
        out = _USERINFO.sub(lambda m: (m.group(1) or "") + "//", text)
    return out if len(out) <= MAX_URL else out[: MAX_URL - 3] + "..."


def public_path(path: str) -> str:
    """A request path (``/a;x=1?b=2``) as it may be recorded: ``/a``."""
    return _PATH_PARAMS.sub("", path.split("#", 1)[0].split("?", 1)[0])[:MAX_URL]
