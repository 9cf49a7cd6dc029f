"""Web posture of a declared URL, after the Mozilla HTTP Observatory's tests.

One collector, ``web.http``: it fetches the URL (following redirects only
inside the scope), looks at every plain-HTTP endpoint of the host the run
knows of (port 80, other http URL targets of the same host, and web servers
the run's port scan found there), reads the security headers,
cookie flags, CORS answer and version banners, and asks a fixed, short list
of paths whether a directory listing or a sensitive file (.git, .env,
backups, status pages) is served. Findings are confirmed by content, since
many sites answer 200 to everything; facts keep the path and a marker name,
never the content, and never a cookie value. When every response is an
error status (an HTTPS port asked in plain HTTP answers 400 to everything),
the page is not the site: the final state says ``error_page`` and why.

Requests are sequential, each under a hard deadline, and the whole run under
a total budget, so a slow or hostile server cannot hold the assessment.

The facts shape and the key ``WEB_HTTP`` live in :mod:`collectors.net.web_facts`,
which the checks import without this module and its HTTP client.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union
from urllib.parse import urljoin, urlsplit

from collectors.evidence import CollectError, ErrorReason
from collectors.net.http_client import HttpClientError, HttpResponse, request
from collectors.net.registry import NetProbe, net_collector
from collectors.net.scope import Target
from collectors.net.urls import public_url
from collectors.net.web_facts import (
    WEB_HTTP,
    CookieFacts,
    CorsFacts,
    CorsOrigin,
    CspFacts,
    DisclosureFacts,
    ExposedFacts,
    ExposureKind,
    FinalPageFacts,
    FinalState,
    HeadersFacts,
    HstsFacts,
    ListingFacts,
    PlainHttpFacts,
    PlainHttpSource,
    PlainHttpState,
    RedirectFacts,
    SameSite,
    WebFacts,
)

MAX_REDIRECTS = 5
CORS_TEST_ORIGIN = "https://riskagent-cors-check.invalid"
LISTING_PATHS: Tuple[str, ...] = ("/", "/files/", "/uploads/", "/images/", "/static/", "/backup/")
# Each sensitive path with what it exposes; the checks group findings on the kind.
SENSITIVE_PATHS: Tuple[Tuple[str, ExposureKind], ...] = (
    ("/.git/HEAD", "git"),
    ("/.env", "env"),
    ("/backup.zip", "backup"),
    ("/backup.tar.gz", "backup"),
    ("/db.sql", "backup"),
    ("/server-status", "status"),
    ("/actuator", "actuator"),
    ("/actuator/env", "actuator"),
    ("/phpinfo.php", "phpinfo"),
)
PROBE_BODY_LIMIT = 16 * 1024
MIN_BACKUP_BYTES = 64
BUDGET_FACTOR = 12  # the whole collector gets this many per-request timeouts at most
_SESSION_NAME = re.compile(r"sess|sid|auth|token|jwt|login|remember|csrf|xsrf|user", re.IGNORECASE)
_VERSION = re.compile(r"\d+\.\d+")
_NUMBER = re.compile(r"[0-9]{1,18}")  # ASCII digits only ("²".isdigit() is True) and no 4,300-digit int()
MAX_VALUE = 256  # characters of one header value kept in the facts (values are data, shown escaped by the report)
MAX_TOKENS = 64  # CSP directives and sources kept at most

Origin = Tuple[str, str, int]  # scheme, host, port


def _url(origin: Origin, path: str) -> str:
    scheme, host, port = origin
    hostport = f"[{host}]" if ":" in host else host
    default = 443 if scheme == "https" else 80
    return f"{scheme}://{hostport}{'' if port == default else f':{port}'}{path}"


class _Session:
    """Sequential requests with one deadline each and a total budget; every exchange is recorded.

    The total is the earlier of ``BUDGET_FACTOR`` request timeouts and the collector's own deadline
    (its time budget). Each request goes to an address the scope approved for its host; the host
    name is only the Host header and the SNI. Exchanges are recorded without query strings.
    """

    def __init__(self, probe: NetProbe) -> None:
        self.probe = probe
        self.timeout = probe.ctx.timeout_s
        assert probe.deadline is not None
        self.ends = min(time.monotonic() + self.timeout * BUDGET_FACTOR, probe.deadline)
        self.budget_bound = self.ends == probe.deadline

    def get(
        self, origin: Origin, path: str, headers: Sequence[Tuple[str, str]] = (), body_limit: int = 64 * 1024
    ) -> HttpResponse:
        scheme, host, port = origin
        url = public_url(_url(origin, path))
        left = self.ends - time.monotonic()
        if left <= 0.05:
            why = "time budget exceeded" if self.budget_bound else "the collector's time for requests is spent"
            raise HttpClientError(HttpClientError.DEADLINE, f"{url}: not requested, {why} (deadline)")
        try:
            address = self.probe.addresses(host)[0]
        except CollectError as exc:
            self.probe.record(url, scheme, exc.message)
            raise HttpClientError(HttpClientError.NETWORK, f"{url}: {exc.message}") from None
        try:
            resp = request(
                self.probe.require_in_scope,
                scheme,
                host,
                port,
                path,
                address=address,
                headers=headers,
                timeout_s=self.timeout,
                body_limit=body_limit,
                deadline=self.ends,
            )
        except HttpClientError as exc:
            self.probe.record(url, scheme, exc.message)
            raise
        self.probe.record(url, scheme)
        return resp


def _in_scope(probe: NetProbe, host: str) -> bool:
    return probe.ctx.scope.allows(host)


def _join(base: str, location: str) -> Optional[str]:
    """The absolute URL a Location header points to, or None when it cannot be one."""
    try:
        return urljoin(base, location)
    except ValueError:  # an unparsable authority ("http://[::1")
        return None


def _host_of(url: str) -> Optional[str]:
    """The host an absolute http(s) URL names, if it names one."""
    try:
        parts = urlsplit(url)
        return parts.hostname if parts.scheme in ("http", "https") and parts.hostname else None
    except ValueError:
        return None


def _split(url: str) -> Optional[Tuple[Origin, str]]:
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        hostname = parts.hostname
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not hostname:
        return None
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    if not path.startswith("/") or any(c in path for c in "\r\n \t") or not path.isprintable() or not path.isascii():
        return None
    return (parts.scheme, hostname, port), path


def _follow(
    s: _Session, origin: Origin, path: str
) -> Tuple[List[HttpResponse], List[RedirectFacts], FinalPageFacts, Origin, str]:
    """Fetch and follow redirects inside the scope, at most ``MAX_REDIRECTS``; off-scope hops are recorded, not fetched."""
    start, start_path = origin, path
    responses: List[HttpResponse] = []
    hops: List[RedirectFacts] = []
    state: FinalState = "ok"
    error: Optional[str] = None
    for i in range(MAX_REDIRECTS + 1):
        try:
            resp = s.get(origin, path)
        except HttpClientError as exc:
            if i == 0:
                raise exc.to_collect_error() from None
            state, error = "error", exc.message
            break
        responses.append(resp)
        location = resp.header("Location")
        if not (300 <= resp.status < 400 and location):
            break
        here = _url(origin, path)
        nxt = _join(here, location)
        split = _split(nxt) if nxt is not None else None
        shown = public_url(nxt if nxt is not None else location)
        hop: RedirectFacts = {"from": public_url(here), "status": resp.status, "to": shown, "in_scope": False, "followed": False}
        hops.append(hop)
        elsewhere = _host_of(nxt) if nxt is not None else None
        if elsewhere is not None and not _in_scope(s.probe, elsewhere):
            state = "off_scope"
            s.probe.say(f"{public_url(here)} redirects to {shown}, outside the scope: not followed")
            break
        if split is None:
            state, error = "bad_redirect", f"{public_url(here)}: redirect to an unusable location"
            break
        if not _in_scope(s.probe, split[0][1]):
            state = "off_scope"
            s.probe.say(f"{public_url(here)} redirects to {shown}, outside the scope: not followed")
            break
        hop["in_scope"] = True
        if i == MAX_REDIRECTS:
            state = "too_many_redirects"
            error = f"{public_url(_url(start, start_path))}: more than {MAX_REDIRECTS} redirects (the last to {shown}); not followed further"
            break
        hop["followed"] = True
        origin, path = split
    final = responses[-1]
    info: FinalPageFacts = {
        "url": public_url(_url(origin, path)),
        "scheme": origin[0],
        "status": final.status,
        "state": state,
        "error": error,
    }
    return responses, hops, info, origin, path


def _classify_plain(resp: HttpResponse, url: str, https_host: str, source: PlainHttpSource) -> PlainHttpFacts:
    """The answer of the plain-HTTP ``url``: a redirect (where to), an error status, or content."""
    location = resp.header("Location")
    to = _join(url, location) if location else None
    if 300 <= resp.status < 400 and to is not None:
        try:
            parts = urlsplit(to)
            hostname = parts.hostname or ""
        except ValueError:
            hostname, parts = "", urlsplit("")
        return {
            "status": resp.status,
            "location": public_url(to),
            "same_host": hostname.lower() == https_host.lower(),
            "state": "redirects_to_https" if parts.scheme == "https" else "redirects_to_http",
            "url": url,
            "source": source,
        }
    state: PlainHttpState = "error_status" if resp.status >= 400 else "no_redirect"
    return {"status": resp.status, "location": None, "same_host": None, "state": state, "url": url, "source": source}


# A plain-HTTP endpoint that does not answer, by HttpClientError kind; any other failure is "error".
_UNANSWERED: Dict[str, PlainHttpState] = {
    HttpClientError.REFUSED: "not_listening",
    HttpClientError.CONNECT_TIMEOUT: "unreachable",
}


def _plain_endpoints(probe: NetProbe, target: Target) -> List[Tuple[int, PlainHttpSource]]:
    """Ports of the plain-HTTP endpoints of an https target's host: 80, then the run's other http targets there.

    "The same host" is the same name or a shared address; the endpoint is asked with the https
    target's own host name, as a browser following a plain link to that site would.
    """
    out: List[Tuple[int, PlainHttpSource]] = [(80, "port 80")]
    mine = {target.host, *target.addresses}
    for t in probe.ctx.scope.targets:
        if t.kind != "url" or t.scheme != "http" or t.port is None or not mine & {t.host, *t.addresses}:
            continue
        if all(port != t.port for port, _ in out):
            out.append((t.port, "port scan" if t.found_by else "declared target"))
    return out


def _plain_http(s: _Session, target: Target, first: HttpResponse) -> List[PlainHttpFacts]:
    """How the plain-HTTP side behaves: the target itself, or every known plain-HTTP endpoint of an https target's host."""
    if target.scheme == "http":
        return [_classify_plain(first, target.text, target.host, "target")]
    out: List[PlainHttpFacts] = []
    for port, source in _plain_endpoints(s.probe, target):
        origin: Origin = ("http", target.host, port)
        url = _url(origin, "/")
        try:
            resp = s.get(origin, "/", body_limit=4096)
        except HttpClientError as exc:
            state = _UNANSWERED.get(exc.kind, "error")
            out.append(
                {"url": url, "source": source, "state": state, "status": None, "location": None, "same_host": None, "error": exc.message}
            )
            continue
        out.append(_classify_plain(resp, url, target.host, source))
    return out


def _ports_scanned(probe: NetProbe, target: Target) -> Optional[str]:
    """The TCP ports a port scan of this target's host covered in the same run, if one did."""
    for address in (*target.addresses, target.host):
        if address in probe.ctx.port_scans:
            return probe.ctx.port_scans[address]
    return None


# Error pages that name the mistake: a plain-HTTP request to a TLS port.
_WRONG_SCHEME = (
    (re.compile(rb"plain HTTP request was sent to HTTPS port", re.IGNORECASE), "nginx"),
    (re.compile(rb"speaking plain HTTP to an SSL-enabled server port", re.IGNORECASE), "Apache httpd"),
)


def _error_page(final: HttpResponse, scheme: str, statuses: Sequence[int]) -> Optional[str]:
    """Why the site was not seen when every response (page, CORS, paths) had an error status, else None."""
    if final.status < 400 or not statuses or any(code < 400 for code in statuses):
        return None
    codes = ", ".join(str(c) for c in sorted({final.status, *statuses}))
    why = f"every response had an error status ({codes}), so the page fetched is an error page, not the site"
    for pattern, server in _WRONG_SCHEME:
        if scheme == "http" and pattern.search(final.body):
            return f"{why}; {server} says the port speaks HTTPS: use an https:// URL"
    return why


# -- headers -----------------------------------------------------------------------
def _hsts(resp: HttpResponse, scheme: str) -> HstsFacts:
    value = resp.header("Strict-Transport-Security")
    if value is None:
        return {"present": False, "over_https": scheme == "https"}
    max_age: Optional[int] = None
    seen_max_age = 0
    include_sub = preload = False
    for part in value.split(";"):
        name, _, val = part.strip().partition("=")
        name = name.strip().lower()
        val = val.strip().strip('"')
        if name == "max-age":
            seen_max_age += 1
            max_age = int(val) if _NUMBER.fullmatch(val) else None
        elif name == "includesubdomains":
            include_sub = True
        elif name == "preload":
            preload = True
    return {
        "present": True,
        "over_https": scheme == "https",
        "max_age": max_age,
        "include_subdomains": include_sub,
        "preload": preload,
        "valid": seen_max_age == 1 and max_age is not None,
    }


def _cap(value: Optional[str]) -> Optional[str]:
    """A header value as the facts keep it: at most ``MAX_VALUE`` characters."""
    return value if value is None or len(value) <= MAX_VALUE else value[: MAX_VALUE - 3] + "..."


def _csp_directives(value: str) -> Dict[str, List[str]]:
    out: Dict[str, List[str]] = {}
    for part in value.split(";"):
        tokens = part.split()
        if tokens and tokens[0].lower() not in out and len(out) < MAX_TOKENS:
            out[tokens[0].lower()[:MAX_VALUE]] = tokens[1:]
    return out


_BROAD = {"*", "http:", "https:", "data:", "blob:", "filesystem:"}


def _csp(resp: HttpResponse) -> CspFacts:
    values = resp.header_all("Content-Security-Policy")
    report_only = bool(resp.header_all("Content-Security-Policy-Report-Only"))
    if not values:
        return {"present": False, "report_only_present": report_only, "policies": 0}
    d = _csp_directives(values[0])
    script = d.get("script-src", d.get("default-src"))
    lowered = [t.lower() for t in script or []]
    has_nonce_or_hash = any(t.startswith(("'nonce-", "'sha256-", "'sha384-", "'sha512-")) for t in lowered)
    broad = sorted({t[:MAX_VALUE] for t in lowered if t in _BROAD or t.startswith(("http://*", "https://*"))})[:MAX_TOKENS]
    obj = d.get("object-src", d.get("default-src"))
    return {
        "present": True,
        "report_only_present": report_only,
        "policies": len(values),
        "directives": sorted(d),
        "script_restricted": script is not None,
        "unsafe_inline": "'unsafe-inline'" in lowered and not has_nonce_or_hash and "'strict-dynamic'" not in lowered,
        "unsafe_eval": "'unsafe-eval'" in lowered,
        "broad_script_sources": broad,
        "object_restricted": obj is not None and all(t.lower() not in _BROAD for t in obj),
        "frame_ancestors": _cap(" ".join(d["frame-ancestors"])) if "frame-ancestors" in d else None,
    }


def _headers(resp: HttpResponse, scheme: str) -> HeadersFacts:
    return {
        "present": sorted({n.lower() for n, _ in resp.headers}),
        "hsts": _hsts(resp, scheme),
        "csp": _csp(resp),
        "x_frame_options": _cap(resp.header("X-Frame-Options")),
        "x_content_type_options": _cap(resp.header("X-Content-Type-Options")),
        "referrer_policy": _cap(resp.header("Referrer-Policy")),
    }


_SAMESITE: Dict[str, SameSite] = {"strict": "Strict", "lax": "Lax", "none": "None"}


def _cookies(responses: Sequence[HttpResponse]) -> List[CookieFacts]:
    """Names and flags of every cookie set along the chain; values are dropped here."""
    out: List[CookieFacts] = []
    for resp in responses:
        for raw in resp.header_all("Set-Cookie"):
            first, *attrs = raw.split(";")
            name = first.split("=", 1)[0].strip()[:MAX_VALUE]
            flags = {a.strip().split("=", 1)[0].strip().lower(): a.strip() for a in attrs}
            samesite: Optional[SameSite] = None
            if "samesite" in flags:
                val = flags["samesite"].partition("=")[2].strip().lower()
                samesite = _SAMESITE.get(val, "invalid")
            out.append(
                {
                    "name": name,
                    "secure": "secure" in flags,
                    "httponly": "httponly" in flags,
                    "samesite": samesite,
                    "session_like": bool(_SESSION_NAME.search(name)),
                }
            )
    return out


def _cors(s: _Session, origin: Origin, path: str) -> CorsFacts:
    try:
        resp = s.get(origin, path, headers=(("Origin", CORS_TEST_ORIGIN),), body_limit=1024)
    except HttpClientError as exc:
        return {"origin_sent": CORS_TEST_ORIGIN, "error": exc.message}
    acao = resp.header("Access-Control-Allow-Origin")
    acac = (resp.header("Access-Control-Allow-Credentials") or "").strip().lower() == "true"
    kind: Optional[CorsOrigin]
    if acao is None:
        kind = None
    elif acao.strip() == "*":
        kind = "wildcard"
    elif acao.strip() == CORS_TEST_ORIGIN:
        kind = "reflected"
    elif acao.strip().lower() == "null":
        kind = "null"
    else:
        kind = "fixed"
    return {
        "origin_sent": CORS_TEST_ORIGIN,
        "error": None,
        "status": resp.status,
        "allow_origin": kind,
        "allow_credentials": acac,
    }


def _disclosure(responses: Sequence[HttpResponse]) -> DisclosureFacts:
    def last(name: str) -> Optional[str]:
        for resp in reversed(responses):
            v = resp.header(name)
            if v is not None:
                return _cap(v)
        return None

    server = last("Server")
    return {
        "server": server,
        "server_version": bool(server and _VERSION.search(server)),
        "x_powered_by": last("X-Powered-By"),
        "x_aspnet_version": last("X-AspNet-Version"),
        "x_aspnetmvc_version": last("X-AspNetMvc-Version"),
    }


# -- content markers -----------------------------------------------------------------
_LISTING_MARKERS: Tuple[Tuple[str, re.Pattern[bytes]], ...] = (
    ("index-of-title", re.compile(rb"<title>\s*Index of /", re.IGNORECASE)),
    ("index-of-heading", re.compile(rb"<h1>\s*Index of /", re.IGNORECASE)),
    ("python-directory-listing", re.compile(rb"Directory listing for /", re.IGNORECASE)),
    ("iis-parent-directory", re.compile(rb"\[To Parent Directory\]", re.IGNORECASE)),
    ("apache-sort-links", re.compile(rb'<a href="\?C=N;O=D">', re.IGNORECASE)),
)


def listing_marker(resp: HttpResponse) -> Optional[str]:
    if resp.status != 200:
        return None
    for name, pattern in _LISTING_MARKERS:
        if pattern.search(resp.body):
            return name
    return None


def _content_type(resp: HttpResponse) -> str:
    return (resp.header("Content-Type") or "").split(";", 1)[0].strip().lower()


def _looks_html(resp: HttpResponse) -> bool:
    head = resp.body.lstrip()[:64].lower()
    return _content_type(resp) in ("text/html", "application/xhtml+xml") or head.startswith((b"<!doctype", b"<html", b"<"))


def _json(resp: HttpResponse) -> Any:
    if resp.body_truncated:
        return None
    try:
        return json.loads(resp.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None


_ENV_LINE = re.compile(rb"^(export\s+)?[A-Za-z_][A-Za-z0-9_]*=")
_SQL = re.compile(rb"(CREATE TABLE|INSERT INTO|-- MySQL dump|PostgreSQL database dump)", re.IGNORECASE)


def _size(resp: HttpResponse) -> int:
    length = (resp.header("Content-Length") or "").strip()
    return int(length) if _NUMBER.fullmatch(length) else len(resp.body)


def exposure_marker(kind: str, path: str, resp: HttpResponse) -> Optional[str]:
    """Name of the content marker proving ``path`` is really the sensitive thing, or None."""
    if resp.status != 200:
        return None
    body = resp.body
    if kind == "git":
        if body.startswith(b"ref: refs/"):
            return "git-ref"
        if re.fullmatch(rb"[0-9a-f]{40}\s*", body):
            return "git-detached-sha"
        return None
    if kind == "env":
        if _looks_html(resp):
            return None
        lines = [ln.strip() for ln in body.splitlines() if ln.strip() and not ln.strip().startswith(b"#")]
        hits = sum(1 for ln in lines if _ENV_LINE.match(ln))
        return "key-value-lines" if hits and hits * 10 >= len(lines) * 6 else None
    if kind == "backup":
        if _looks_html(resp) or _size(resp) < MIN_BACKUP_BYTES:
            return None
        if body.startswith(b"PK\x03\x04"):
            return "zip-magic"
        if body.startswith(b"\x1f\x8b"):
            return "gzip-magic"
        if path.endswith(".sql") and _SQL.search(body[:4096]):
            return "sql-dump-statements"
        return None
    if kind == "status":
        if b"Apache Server Status for" in body:
            return "apache-server-status"
        if re.match(rb"Active connections: \d+", body):
            return "nginx-stub-status"
        return None
    if kind == "actuator":
        data = _json(resp)
        if not isinstance(data, dict):
            return None
        if path.endswith("/env") and ("propertySources" in data or "activeProfiles" in data):
            return "actuator-env-json"
        if "_links" in data:
            return "actuator-links-json"
        return None
    if kind == "phpinfo":
        if re.search(rb"<title>phpinfo\(\)</title>", body, re.IGNORECASE):
            return "phpinfo-title"
        if b"PHP Version" in body and b"phpinfo" in body.lower():
            return "php-version-table"
        return None
    raise ValueError(f"unknown exposure kind {kind}")


def _probe_paths(
    s: _Session, origin: Origin, final: Optional[Tuple[str, HttpResponse]], statuses: List[int]
) -> Tuple[ListingFacts, ExposedFacts]:
    """Listings and sensitive files; the status of every answer is added to ``statuses``."""
    listing: ListingFacts = {"probed": [], "found": [], "errors": []}
    exposed: ExposedFacts = {"probed": [], "found": [], "errors": []}
    timeouts = 0

    def fetch(path: str, probed: List[str]) -> Union[HttpResponse, str]:
        """The response (``path`` joins ``probed``), or why there is none."""
        nonlocal timeouts
        if timeouts >= 2:
            return "not requested: the server stopped answering in time"
        try:
            resp = s.get(origin, path, body_limit=PROBE_BODY_LIMIT)
        except HttpClientError as exc:
            if exc.kind in (HttpClientError.DEADLINE, HttpClientError.CONNECT_TIMEOUT):
                timeouts += 1
            return exc.message
        timeouts = 0
        probed.append(path)
        statuses.append(resp.status)
        return resp

    if final is not None:  # the page itself may be a listing
        marker = listing_marker(final[1])
        listing["probed"].append(final[0])
        if marker:
            listing["found"].append({"path": final[0], "marker": marker})
    for path in LISTING_PATHS:
        if path in listing["probed"]:
            continue
        resp = fetch(path, listing["probed"])
        if isinstance(resp, str):
            listing["errors"].append({"path": path, "error": resp})
            continue
        marker = listing_marker(resp)
        if marker:
            listing["found"].append({"path": path, "marker": marker})
    for path, kind in SENSITIVE_PATHS:
        resp = fetch(path, exposed["probed"])
        if isinstance(resp, str):
            exposed["errors"].append({"path": path, "kind": kind, "error": resp})
            continue
        marker = exposure_marker(kind, path, resp)
        if marker:
            exposed["found"].append({"path": path, "kind": kind, "marker": marker})
    return listing, exposed


@net_collector(
    WEB_HTTP,
    "HTTP posture of a URL: HTTPS redirect, security headers, cookie flags, CORS, banners, listings and exposed files",
    kinds=("url",),
)
def collect_web(probe: NetProbe, target: Target) -> WebFacts:
    if target.scheme not in ("http", "https") or target.port is None:
        raise CollectError(ErrorReason.UNSUPPORTED, f"{target.text}: not an http(s) URL")
    probe.require_in_scope(target.host)
    s = _Session(probe)
    start: Origin = (target.scheme, target.host, target.port)
    path = urlsplit(target.text).path or "/"
    probe.say(f"web: fetching {target.text}")
    responses, hops, final, origin, final_path = _follow(s, start, path)
    last = responses[-1]
    plain_http = _plain_http(s, target, responses[0])
    statuses: List[int] = []
    cors: CorsFacts
    if final["state"] == "ok":
        cors = _cors(s, origin, final_path)
        if "status" in cors:
            statuses.append(cors["status"])
    else:
        cors = {"origin_sent": CORS_TEST_ORIGIN, "error": f"not requested: final page not reached ({final['state']})"}
        origin = start  # probe paths on the declared site itself
    probe.say(f"web: probing {len(LISTING_PATHS) + len(SENSITIVE_PATHS)} well-known paths on {_url(origin, '/')}")
    page = (final_path.split("?", 1)[0], last) if final["state"] == "ok" else None
    listing, exposed = _probe_paths(s, origin, page, statuses)
    if final["state"] == "ok":
        why = _error_page(last, origin[0], statuses)
        if why is not None:
            final["state"], final["error"] = "error_page", why
    return {
        "url": target.text,
        "final": final,
        "redirects": hops,
        "plain_http": plain_http,
        "ports_scanned": _ports_scanned(probe, target),
        "headers": _headers(last, final["scheme"]),
        "cookies": _cookies(responses),
        "disclosure": _disclosure(responses),
        "cors": cors,
        "directory_listing": listing,
        "exposed": exposed,
        "_method": "http-client",
    }
