"""Facts shape and key of ``web.http``, the web posture of one declared URL.

The collector (:mod:`collectors.net.web`) reports where the URL lands and the
redirects on the way, how every known plain-HTTP endpoint of the host behaves, the security headers,
cookie flags, CORS answer and version banners of the final page, and which
well-known paths serve a directory listing or a sensitive file. The shapes
live apart from the collector so that the checks import them without loading
the HTTP client and the probe code on every assessment.
"""

from __future__ import annotations

from typing import List, Literal, Optional, TypedDict

from collectors.facts import CollectedFacts, FactsKey

# What a sensitive path exposes (collectors.net.web.SENSITIVE_PATHS); the checks group on it.
ExposureKind = Literal["git", "env", "backup", "status", "actuator", "phpinfo"]

# error_page: every response (the page, CORS and every path probe) had an error status, so what was
# fetched is not the site (a wrong scheme or port, a site answering 4xx/5xx to everything).
FinalState = Literal["ok", "off_scope", "bad_redirect", "too_many_redirects", "error_page", "error"]
# error_status: answered 4xx/5xx without a redirect, so whether it would redirect or serve content is unknown.
PlainHttpState = Literal[
    "redirects_to_https", "redirects_to_http", "no_redirect", "error_status", "not_listening", "unreachable", "error"
]
# Where a plain-HTTP endpoint of the host came from: the target itself (an http URL), the default port 80,
# another http URL target of the same host, or a web server the run's port scan found on the host.
PlainHttpSource = Literal["target", "port 80", "declared target", "port scan"]
SameSite = Literal["Strict", "Lax", "None", "invalid"]
CorsOrigin = Literal["wildcard", "reflected", "null", "fixed"]


class FinalPageFacts(TypedDict):
    """Where the URL lands; ``state`` "ok" means that page was fetched and its headers are judged."""

    url: str
    scheme: str
    status: int  # of the last response fetched
    state: FinalState
    error: Optional[str]


# One redirect seen ("from" is a keyword, hence the functional form).
RedirectFacts = TypedDict("RedirectFacts", {"from": str, "status": int, "to": str, "in_scope": bool, "followed": bool})


class _PlainHttpBase(TypedDict):
    url: str
    source: PlainHttpSource
    state: PlainHttpState
    status: Optional[int]
    location: Optional[str]
    same_host: Optional[bool]


class PlainHttpFacts(_PlainHttpBase, total=False):
    """One plain-HTTP endpoint of the host: the target itself, or port 80 and the other http ports of an https target."""

    error: str  # only when the endpoint could not be asked


class _HstsBase(TypedDict):
    present: bool
    over_https: bool


class HstsFacts(_HstsBase, total=False):
    """Parsed Strict-Transport-Security; the optional keys are there when the header is."""

    max_age: Optional[int]
    include_subdomains: bool
    preload: bool
    valid: bool  # exactly one numeric max-age


class _CspBase(TypedDict):
    present: bool
    report_only_present: bool
    policies: int


class CspFacts(_CspBase, total=False):
    """The first enforced Content-Security-Policy; the optional keys are there when one is."""

    directives: List[str]
    script_restricted: bool
    unsafe_inline: bool
    unsafe_eval: bool
    broad_script_sources: List[str]
    object_restricted: bool
    frame_ancestors: Optional[str]


class HeadersFacts(TypedDict):
    present: List[str]  # header names, lower case
    hsts: HstsFacts
    csp: CspFacts
    x_frame_options: Optional[str]
    x_content_type_options: Optional[str]
    referrer_policy: Optional[str]


class CookieFacts(TypedDict):
    name: str
    secure: bool
    httponly: bool
    samesite: Optional[SameSite]
    session_like: bool


class _CorsBase(TypedDict):
    origin_sent: str
    error: Optional[str]


class CorsFacts(_CorsBase, total=False):
    """The answer to a request from an unknown Origin; the optional keys are there when it was answered."""

    status: int
    allow_origin: Optional[CorsOrigin]
    allow_credentials: bool


class DisclosureFacts(TypedDict):
    server: Optional[str]
    server_version: bool  # the Server header carries a version number
    x_powered_by: Optional[str]
    x_aspnet_version: Optional[str]
    x_aspnetmvc_version: Optional[str]


class ListingFoundFacts(TypedDict):
    path: str
    marker: str


class ListingErrorFacts(TypedDict):
    path: str
    error: str


class ListingFacts(TypedDict):
    probed: List[str]  # paths answered (the final page included)
    found: List[ListingFoundFacts]
    errors: List[ListingErrorFacts]


class ExposedFoundFacts(TypedDict):
    path: str
    kind: ExposureKind
    marker: str


class ExposedErrorFacts(TypedDict):
    path: str
    kind: ExposureKind
    error: str


class ExposedFacts(TypedDict):
    probed: List[str]
    found: List[ExposedFoundFacts]
    errors: List[ExposedErrorFacts]


class WebFacts(CollectedFacts):
    url: str
    final: FinalPageFacts
    redirects: List[RedirectFacts]
    plain_http: List[PlainHttpFacts]  # every plain-HTTP endpoint of the host the run knows of
    ports_scanned: Optional[str]  # TCP ports a port scan of this host covered in the same run, if one did
    headers: HeadersFacts  # of the final page
    cookies: List[CookieFacts]  # set anywhere along the redirect chain
    disclosure: DisclosureFacts
    cors: CorsFacts
    directory_listing: ListingFacts
    exposed: ExposedFacts


WEB_HTTP = FactsKey[WebFacts]("web.http", WebFacts)
