"""Web posture checks over ``web.http`` evidence (Mozilla HTTP Observatory tests, PROTOCOLS.md §4.1).

One check per Observatory test an insurer's outside-in scan also reports
(redirect, HSTS, CSP, framing, nosniff, Referrer-Policy, cookies, CORS), plus
the exposure findings scanners weigh most: version banners, directory
listings and sensitive files served to anyone. Header checks judge the page
the URL finally lands on; when that page was not reached (an off-scope or
failed redirect) they do not pass. When every response was an error page
(final state ``error_page``: a wrong scheme or port, a site answering 4xx/5xx
to everything), nothing the site serves was seen, so no check passes on the
absence of a header, cookie, listing or file: those are ERROR with that
reason; only what was actually seen (a version banner) can still fail.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Union

from checks.model import CheckLevel, CoverageLine, InsurerDomain, Severity, Text, Verdict
from checks.registry import EvidenceView, Params, check
from collectors.net.web_facts import (
    WEB_HTTP,
    ExposedErrorFacts,
    ExposedFoundFacts,
    ExposureKind,
    ListingErrorFacts,
    ListingFoundFacts,
    WebFacts,
)
from collectors.profile import Profile

NEEDS = (WEB_HTTP,)
PROFILES = (Profile.WEBSITE, Profile.SERVER)
D = InsurerDomain

_TRANSIT = ("L3-CNS1-06", "L3-CNS1-07")
# L3-CES1-20 (input validation, 8.1.4.4 d) would fit the browser-side XSS and
# clickjacking defences better; it is not in checks/mlps.py yet, so they map to
# boundary intrusion prevention.
_BROWSER = ("L3-ABS1-10",)
_EXPOSURE = ("L3-CES1-18", "L3-ABS1-10")
_BREACH = (CoverageLine.DATA_BREACH_LIABILITY, CoverageLine.INCIDENT_RESPONSE)


def _facts(ev: EvidenceView) -> WebFacts:
    return ev.facts(WEB_HTTP)


def _unreached(f: WebFacts) -> Optional[Verdict]:
    """A verdict when the final page was not reached, so its headers cannot be judged."""
    final = f["final"]
    state = final["state"]
    if state == "ok":
        return None
    if state == "error_page":
        return Verdict.error(f"the site was not seen: {final['error']}", status=final["status"])
    if state == "off_scope":
        hops = f["redirects"]
        to = hops[-1]["to"] if hops else "?"
        return Verdict.manual(
            f"the URL redirects to {to}, outside the declared scope; add that site to the scope to judge it", redirect_to=to
        )
    return Verdict.error(f"the final page was not reached: {final['error'] or state}", state=state)


# -- WEB-HTTPS-001 ---------------------------------------------------------------
@check(
    id="WEB-HTTPS-001",
    title=Text(zh="HTTP 访问应重定向到同一主机的 HTTPS", en="Plain HTTP redirects to HTTPS on the same host"),
    remediation=Text(
        zh=(
            "在 80 端口的 server 块中只做跳转：nginx `return 301 https://$host$request_uri;`；Apache "
            "`Redirect permanent / https://example.com/`（或 mod_rewrite `RewriteRule ^ https://%{HTTP_HOST}%{REQUEST_URI} [R=301,L]`）。"
        ),
        en=(
            "Make the port-80 site only redirect: nginx `return 301 https://$host$request_uri;`; Apache "
            "`Redirect permanent / https://example.com/` (or mod_rewrite `RewriteRule ^ https://%{HTTP_HOST}%{REQUEST_URI} [R=301,L]`)."
        ),
    ),
    severity=Severity.MEDIUM,
    mlps=("L3-CNS1-06", "L3-CNS1-07"),
    domains=(D.ENCRYPTION_TRANSIT,),
    coverage=_BREACH,
    needs=NEEDS,
    profiles=PROFILES,
    level=CheckLevel.ENDPOINT,
    basis="Redirecting plain HTTP to HTTPS keeps traffic on the encrypted channel (8.1.2.2).",
)
def https_redirect(ev: EvidenceView, p: Params) -> Verdict:
    f = _facts(ev)
    plain = f["plain_http"]
    if any(x["source"] == "target" for x in plain) and f["final"]["state"] == "error_page":
        return Verdict.error(f"plain-HTTP behaviour unknown: {f['final']['error']}", url=f["url"])
    seen = [{"url": x["url"], "source": x["source"], "state": x["state"], "status": x["status"]} for x in plain]
    to_http = [x for x in plain if x["state"] == "redirects_to_http"]
    # The target itself answering an error status without redirecting still serves its paths in clear
    # (the site was seen, or the final state would be error_page).
    content = [x for x in plain if x["state"] == "no_redirect" or (x["state"] == "error_status" and x["source"] == "target")]
    if content:
        where = ", ".join(f"{x['url']} ({x['status']})" for x in content)
        return Verdict.fail(f"plain HTTP serves content instead of redirecting to HTTPS: {where}", endpoints=seen)
    if to_http:
        where = ", ".join(f"{x['url']} -> {x['location']}" for x in to_http)
        return Verdict.fail(f"plain HTTP redirects to another plain-HTTP URL first: {where}", endpoints=seen)
    unknown = [x for x in plain if x["state"] in ("error", "error_status")]
    if unknown:
        why = "; ".join(
            f"{x['url']}: {x.get('error') or ''}" if x["state"] == "error" else f"{x['url']}: status {x['status']} without a redirect"
            for x in unknown
        )
        return Verdict.error(f"plain-HTTP behaviour unknown: {why}", endpoints=seen)
    redirecting = [x for x in plain if x["state"] == "redirects_to_https"]
    if redirecting:
        other = [x["url"] for x in redirecting if x["same_host"] is False]
        where = ", ".join(x["url"] for x in redirecting)
        text = f"plain HTTP redirects to HTTPS{' on another host' if other else ''}: {where}"
        return Verdict.ok(text, endpoints=seen)
    scanned = f["ports_scanned"]
    if scanned is not None:
        return Verdict.ok(
            f"no plain-HTTP service answers: {', '.join(x['url'] for x in plain)} not listening, "
            f"and the port scan of this host (TCP {scanned}) found no other web server",
            endpoints=seen,
        )
    return Verdict.manual(
        f"not assessed: {', '.join(x['url'] for x in plain)} did not answer and no other plain-HTTP port of this host is known; "
        "add the host itself as a target so its ports are scanned",
        endpoints=seen,
    )


# -- WEB-HSTS-001 ----------------------------------------------------------------
@check(
    id="WEB-HSTS-001",
    title=Text(zh="启用 HSTS，max-age 不少于 6 个月", en="HSTS is set with max-age of at least six months"),
    remediation=Text(
        zh=(
            'nginx（HTTPS server 块）：`add_header Strict-Transport-Security "max-age=31536000; includeSubDomains" always;`；'
            'Apache：`Header always set Strict-Transport-Security "max-age=31536000; includeSubDomains"`。'
        ),
        en=(
            'nginx (HTTPS server block): `add_header Strict-Transport-Security "max-age=31536000; includeSubDomains" always;`; '
            'Apache: `Header always set Strict-Transport-Security "max-age=31536000; includeSubDomains"`.'
        ),
    ),
    severity=Severity.MEDIUM,
    mlps=("L3-CNS1-06", "L3-CNS1-07"),
    domains=(D.ENCRYPTION_TRANSIT,),
    coverage=_BREACH,
    needs=NEEDS,
    params={"min_max_age": 15768000},
    profiles=PROFILES,
    level=CheckLevel.ENDPOINT,
    basis="HSTS keeps browsers off clear-text HTTP, protecting data in transit (8.1.2.2).",
)
def hsts(ev: EvidenceView, p: Params) -> Verdict:
    f = _facts(ev)
    bad = _unreached(f)
    if bad is not None:
        return bad
    h = f["headers"]["hsts"]
    minimum = int(p["min_max_age"])
    if not h["over_https"]:
        return Verdict.fail("the site is not served over HTTPS, so HSTS cannot apply", final_url=f["final"]["url"])
    if not h["present"]:
        return Verdict.fail("no Strict-Transport-Security header on the HTTPS response")
    if not h.get("valid"):
        return Verdict.fail("Strict-Transport-Security header is invalid (max-age missing, repeated or not a number)")
    age = h.get("max_age")
    if age is None:  # the collector marks a header valid only with one numeric max-age
        raise ValueError("web.http: HSTS header marked valid without a max-age")
    observed = {"max_age": age, "include_subdomains": h.get("include_subdomains"), "preload": h.get("preload")}
    if age < minimum:
        return Verdict.fail(f"HSTS max-age {age} s is below {minimum} s", **observed)
    return Verdict.ok(f"HSTS max-age {age} s", **observed)


# -- WEB-CSP-001 -----------------------------------------------------------------
@check(
    id="WEB-CSP-001",
    title=Text(
        zh="设置内容安全策略（CSP）且不含明显不安全的来源", en="A Content-Security-Policy is set and is not trivially unsafe"
    ),
    remediation=Text(
        zh=(
            "nginx：`add_header Content-Security-Policy \"default-src 'self'; object-src 'none'; frame-ancestors 'none'\" always;`，"
            "脚本来源不要使用 'unsafe-inline'、'unsafe-eval'、* 、http:/https:/data:；Apache：`Header always set Content-Security-Policy \"default-src 'self'\"`。"
        ),
        en=(
            "nginx: `add_header Content-Security-Policy \"default-src 'self'; object-src 'none'; frame-ancestors 'none'\" always;` "
            "and keep 'unsafe-inline', 'unsafe-eval', *, http:, https: and data: out of script sources; Apache: "
            "`Header always set Content-Security-Policy \"default-src 'self'\"`."
        ),
    ),
    severity=Severity.MEDIUM,
    mlps=("L3-CES1-20",),
    domains=(D.HARDENING,),
    coverage=_BREACH,
    needs=NEEDS,
    profiles=PROFILES,
    level=CheckLevel.ENDPOINT,
    basis="A Content-Security-Policy limits the damage of injected script; hardening related to input validation (8.1.4.4 d). Supporting evidence.",
)
def csp(ev: EvidenceView, p: Params) -> Verdict:
    f = _facts(ev)
    bad = _unreached(f)
    if bad is not None:
        return bad
    c = f["headers"]["csp"]
    if not c["present"]:
        if c["report_only_present"]:
            return Verdict.fail("only Content-Security-Policy-Report-Only is set; nothing is enforced")
        return Verdict.fail("no Content-Security-Policy header")
    problems: List[str] = []
    if not c.get("script_restricted"):
        problems.append("neither script-src nor default-src restricts scripts")
    if c.get("unsafe_inline"):
        problems.append("scripts allow 'unsafe-inline'")
    if c.get("unsafe_eval"):
        problems.append("scripts allow 'unsafe-eval'")
    broad = c.get("broad_script_sources")
    if broad:
        problems.append(f"scripts allow broad sources {', '.join(broad)}")
    observed = {"directives": c.get("directives"), "problems": problems}
    if problems:
        return Verdict.fail("; ".join(problems), **observed)
    return Verdict.ok("CSP restricts script sources without unsafe keywords or wildcards", **observed)


# -- WEB-FRAME-001 ---------------------------------------------------------------
@check(
    id="WEB-FRAME-001",
    title=Text(
        zh="防点击劫持：设置 X-Frame-Options 或 CSP frame-ancestors",
        en="Clickjacking protection via X-Frame-Options or CSP frame-ancestors",
    ),
    remediation=Text(
        zh=(
            "nginx：`add_header X-Frame-Options DENY always;`（或在 CSP 中加入 `frame-ancestors 'none'`）；"
            "Apache：`Header always set X-Frame-Options DENY`。"
        ),
        en=(
            "nginx: `add_header X-Frame-Options DENY always;` (or add `frame-ancestors 'none'` to the CSP); "
            "Apache: `Header always set X-Frame-Options DENY`."
        ),
    ),
    severity=Severity.MEDIUM,
    mlps=("L3-CES1-20",),
    domains=(D.HARDENING,),
    coverage=_BREACH,
    needs=NEEDS,
    profiles=PROFILES,
    level=CheckLevel.ENDPOINT,
    basis="Frame protection stops clickjacking of user input; hardening related to 8.1.4.4 d. Supporting evidence.",
)
def framing(ev: EvidenceView, p: Params) -> Verdict:
    f = _facts(ev)
    bad = _unreached(f)
    if bad is not None:
        return bad
    h = f["headers"]
    fa = h["csp"].get("frame_ancestors")
    xfo = (h["x_frame_options"] or "").strip()
    if fa is not None and "*" not in fa.split():
        return Verdict.ok("CSP frame-ancestors limits framing", frame_ancestors=fa, x_frame_options=xfo or None)
    if xfo.upper() in ("DENY", "SAMEORIGIN"):
        return Verdict.ok(f"X-Frame-Options {xfo.upper()}", x_frame_options=xfo)
    if xfo:
        return Verdict.fail(f"X-Frame-Options value {xfo!r} is not DENY or SAMEORIGIN", x_frame_options=xfo, frame_ancestors=fa)
    return Verdict.fail("neither X-Frame-Options nor CSP frame-ancestors restricts framing", frame_ancestors=fa)


# -- WEB-MIME-001 ----------------------------------------------------------------
@check(
    id="WEB-MIME-001",
    title=Text(zh="设置 X-Content-Type-Options: nosniff", en="X-Content-Type-Options is nosniff"),
    remediation=Text(
        zh="nginx：`add_header X-Content-Type-Options nosniff always;`；Apache：`Header always set X-Content-Type-Options nosniff`。",
        en="nginx: `add_header X-Content-Type-Options nosniff always;`; Apache: `Header always set X-Content-Type-Options nosniff`.",
    ),
    severity=Severity.LOW,
    mlps=("L3-CES1-20",),
    domains=(D.HARDENING,),
    coverage=_BREACH,
    needs=NEEDS,
    profiles=PROFILES,
    level=CheckLevel.ENDPOINT,
    basis="nosniff stops browsers reinterpreting uploaded content; hardening related to 8.1.4.4 d. Supporting evidence.",
)
def nosniff(ev: EvidenceView, p: Params) -> Verdict:
    f = _facts(ev)
    bad = _unreached(f)
    if bad is not None:
        return bad
    value = f["headers"]["x_content_type_options"]
    if value is not None and value.strip().lower() == "nosniff":
        return Verdict.ok("X-Content-Type-Options nosniff")
    if value is None:
        return Verdict.fail("no X-Content-Type-Options header")
    return Verdict.fail(f"X-Content-Type-Options value {value!r} is not nosniff", value=value)


# -- WEB-REF-001 -----------------------------------------------------------------
_SAFE_REFERRER = ("no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin")
_KNOWN_REFERRER = (*_SAFE_REFERRER, "no-referrer-when-downgrade", "origin", "origin-when-cross-origin", "unsafe-url")


@check(
    id="WEB-REF-001",
    title=Text(zh="设置安全的 Referrer-Policy", en="A restrictive Referrer-Policy is set"),
    remediation=Text(
        zh=(
            "nginx：`add_header Referrer-Policy strict-origin-when-cross-origin always;`（或 no-referrer）；"
            "Apache：`Header always set Referrer-Policy strict-origin-when-cross-origin`。"
        ),
        en=(
            "nginx: `add_header Referrer-Policy strict-origin-when-cross-origin always;` (or no-referrer); "
            "Apache: `Header always set Referrer-Policy strict-origin-when-cross-origin`."
        ),
    ),
    severity=Severity.LOW,
    mlps=("L3-CES1-27",),
    domains=(D.HARDENING,),
    coverage=_BREACH,
    needs=NEEDS,
    profiles=PROFILES,
    level=CheckLevel.ENDPOINT,
    basis="A restrictive Referrer-Policy keeps URLs with data from leaking to third parties (8.1.4.8 a). Supporting evidence.",
)
def referrer_policy(ev: EvidenceView, p: Params) -> Verdict:
    f = _facts(ev)
    bad = _unreached(f)
    if bad is not None:
        return bad
    value = f["headers"]["referrer_policy"]
    if value is None:
        return Verdict.fail("no Referrer-Policy header; full URLs may leak to other sites from older browsers")
    # Browsers use the last policy they recognise in a comma-separated list.
    known = [t.strip().lower() for t in value.split(",") if t.strip().lower() in _KNOWN_REFERRER]
    effective = known[-1] if known else None
    if effective in _SAFE_REFERRER:
        return Verdict.ok(f"Referrer-Policy {effective}", value=value)
    return Verdict.fail(f"Referrer-Policy {value!r} sends the referrer to other origins or is invalid", value=value)


# -- WEB-COOK-001 ----------------------------------------------------------------
@check(
    id="WEB-COOK-001",
    title=Text(
        zh="Cookie 设置 Secure、HttpOnly（会话类）与 SameSite", en="Cookies carry Secure, HttpOnly (session cookies) and SameSite"
    ),
    remediation=Text(
        zh=(
            "在应用中为 Cookie 加上 `Secure; HttpOnly; SameSite=Lax`（或 Strict）；nginx 反向代理可用 "
            '`proxy_cookie_flags ~ secure httponly samesite=lax;`（1.19.3+）；Apache：`Header edit Set-Cookie ^(.*)$ "$1; Secure; HttpOnly; SameSite=Lax"`。'
        ),
        en=(
            "Set `Secure; HttpOnly; SameSite=Lax` (or Strict) where the application sets the cookie; behind nginx use "
            "`proxy_cookie_flags ~ secure httponly samesite=lax;` (1.19.3+); Apache: "
            '`Header edit Set-Cookie ^(.*)$ "$1; Secure; HttpOnly; SameSite=Lax"`.'
        ),
    ),
    severity=Severity.MEDIUM,
    mlps=("L3-CNS1-07", "L3-CES1-27"),
    domains=(D.ENCRYPTION_TRANSIT, D.HARDENING),
    coverage=_BREACH,
    needs=NEEDS,
    profiles=PROFILES,
    level=CheckLevel.ENDPOINT,
    basis="Secure and HttpOnly keep session cookies from clear-text channels and scripts (8.1.2.2 b, 8.1.4.8 a).",
)
def cookie_flags(ev: EvidenceView, p: Params) -> Verdict:
    f = _facts(ev)
    bad = _unreached(f)
    if bad is not None:
        return bad
    cookies = f["cookies"]
    if not cookies:
        return Verdict.ok("the site sets no cookies", cookies=[])
    https = f["final"]["scheme"] == "https"
    problems: List[str] = []
    for c in cookies:
        name = c["name"]
        if https and not c["secure"]:
            problems.append(f"{name}: no Secure")
        if c["session_like"] and not c["httponly"]:
            problems.append(f"{name}: session cookie without HttpOnly")
        if c["samesite"] is None:
            problems.append(f"{name}: no SameSite")
        elif c["samesite"] == "invalid":
            problems.append(f"{name}: invalid SameSite value")
        elif c["samesite"] == "None" and not c["secure"]:
            problems.append(f"{name}: SameSite=None without Secure")
    names = sorted({c["name"] for c in cookies})
    if problems:
        return Verdict.fail("; ".join(problems), cookies=names, problems=problems)
    return Verdict.ok("every cookie carries the expected flags", cookies=names)


# -- WEB-CORS-001 ----------------------------------------------------------------
@check(
    id="WEB-CORS-001",
    title=Text(zh="CORS 不得对任意来源开放且允许携带凭据", en="CORS does not grant any origin access with credentials"),
    remediation=Text(
        zh=(
            "不要把 `$http_origin` 原样写入 Access-Control-Allow-Origin；nginx 用 map 白名单："
            '`map $http_origin $cors_ok { default ""; "https://app.example.com" $http_origin; }` 再 '
            "`add_header Access-Control-Allow-Origin $cors_ok;`；只有白名单来源才加 `Access-Control-Allow-Credentials true`。"
            "Apache 同理以 SetEnvIf 白名单。"
        ),
        en=(
            "Never echo `$http_origin` into Access-Control-Allow-Origin; in nginx whitelist with "
            '`map $http_origin $cors_ok { default ""; "https://app.example.com" $http_origin; }` and '
            "`add_header Access-Control-Allow-Origin $cors_ok;`, and send `Access-Control-Allow-Credentials true` only for "
            "listed origins. In Apache, whitelist with SetEnvIf before `Header set`."
        ),
    ),
    severity=Severity.HIGH,
    mlps=("L3-CES1-09",),
    domains=(D.EXPOSURE, D.HARDENING),
    coverage=_BREACH,
    needs=NEEDS,
    profiles=PROFILES,
    level=CheckLevel.ENDPOINT,
    basis="A CORS policy that lets any origin read responses with credentials is an access-rule defect (8.1.4.2 e).",
)
def cors(ev: EvidenceView, p: Params) -> Verdict:
    f = _facts(ev)
    bad = _unreached(f)
    if bad is not None:
        return bad
    c = f["cors"]
    if c["error"]:
        return Verdict.error(f"CORS request failed: {c['error']}")
    kind, creds = c.get("allow_origin"), bool(c.get("allow_credentials"))
    observed = {"origin_sent": c["origin_sent"], "allow_origin": kind, "allow_credentials": creds}
    if kind in ("reflected", "null", "wildcard") and creds:
        what = {"reflected": "echoes any Origin", "null": "allows the null origin", "wildcard": "allows *"}[kind]
        return Verdict.fail(f"Access-Control-Allow-Origin {what} together with Allow-Credentials true", **observed)
    if kind == "reflected":
        return Verdict.ok("any origin is reflected, but without credentials (public data only)", **observed)
    if kind == "wildcard":
        return Verdict.ok("public CORS (*) without credentials", **observed)
    return Verdict.ok("an unknown origin is not granted credentialed access", **observed)


# -- WEB-VER-001 -----------------------------------------------------------------
@check(
    id="WEB-VER-001",
    title=Text(zh="响应头不泄露软件版本", en="Response headers do not disclose software versions"),
    remediation=Text(
        zh=(
            "nginx：`server_tokens off;`；Apache：`ServerTokens Prod` 与 `ServerSignature Off`；PHP：`expose_php = Off`；"
            'ASP.NET：web.config `<httpRuntime enableVersionHeader="false"/>` 并移除 X-Powered-By。'
        ),
        en=(
            "nginx: `server_tokens off;`; Apache: `ServerTokens Prod` and `ServerSignature Off`; PHP: `expose_php = Off`; "
            'ASP.NET: `<httpRuntime enableVersionHeader="false"/>` in web.config and remove X-Powered-By.'
        ),
    ),
    severity=Severity.LOW,
    mlps=("L3-CES1-21",),
    domains=(D.PATCHING, D.HARDENING),
    coverage=_BREACH,
    needs=NEEDS,
    profiles=PROFILES,
    level=CheckLevel.ENDPOINT,
    basis="Version headers only help attackers match known vulnerabilities (8.1.4.4 e). Supporting evidence.",
)
def version_disclosure(ev: EvidenceView, p: Params) -> Verdict:
    f = _facts(ev)
    d = f["disclosure"]
    unseen = _error_page(f)
    leaks: Dict[str, str] = {}
    if d["server_version"]:
        leaks["Server"] = str(d["server"])
    for value, header in (
        (d["x_powered_by"], "X-Powered-By"),
        (d["x_aspnet_version"], "X-AspNet-Version"),
        (d["x_aspnetmvc_version"], "X-AspNetMvc-Version"),
    ):
        if value:
            leaks[header] = value
    if leaks:
        return Verdict.fail(f"version details in {', '.join(sorted(leaks))}", headers=leaks)
    if unseen is not None:
        return unseen
    return Verdict.ok("no version numbers in Server and no X-Powered-By/X-AspNet-Version", server=d["server"])


def _error_page(f: WebFacts) -> Optional[Verdict]:
    """ERROR when every response was an error page: the absence of something proves nothing then."""
    final = f["final"]
    if final["state"] != "error_page":
        return None
    return Verdict.error(f"the site was not seen: {final['error']}", status=final["status"])


def _paths_verdict(
    f: WebFacts,
    found: Sequence[Union[ListingFoundFacts, ExposedFoundFacts]],
    errors: Sequence[Union[ListingErrorFacts, ExposedErrorFacts]],
    probed: Sequence[str],
    what: str,
    ok: str,
) -> Verdict:
    """FAIL on any confirmed finding; otherwise PASS only if every relevant path was actually asked."""
    if found:
        return Verdict.fail(
            f"{what}: {', '.join(x['path'] for x in found)}",
            found=[{"path": x["path"], "marker": x["marker"]} for x in found],
        )
    unseen = _error_page(f)
    if unseen is not None:
        return unseen
    if errors:
        return Verdict.error(
            f"{len(errors)} path(s) could not be checked, e.g. {errors[0]['error']}",
            unchecked=[e["path"] for e in errors],
        )
    return Verdict.ok(ok, probed=list(probed))


# -- WEB-DIR-001 -----------------------------------------------------------------
@check(
    id="WEB-DIR-001",
    title=Text(zh="禁止目录浏览", en="Directory listing is disabled"),
    remediation=Text(
        zh="nginx：删除 `autoindex on;`（默认 off）；Apache：`Options -Indexes`。",
        en="nginx: remove `autoindex on;` (the default is off); Apache: `Options -Indexes`.",
    ),
    severity=Severity.MEDIUM,
    mlps=("L3-CES1-09", "L3-CES1-18"),
    domains=(D.EXPOSURE,),
    coverage=_BREACH,
    needs=NEEDS,
    profiles=PROFILES,
    level=CheckLevel.ENDPOINT,
    basis="Directory listing exposes files no access rule meant to publish (8.1.4.2 e) and is an unneeded function (8.1.4.4 b).",
)
def directory_listing(ev: EvidenceView, p: Params) -> Verdict:
    f = _facts(ev)
    section = f["directory_listing"]
    return _paths_verdict(
        f, section["found"], section["errors"], section["probed"], "directory listing served at", "no directory listing found"
    )


_EXPOSURE_FIX_NGINX = "location ~ /\\.(?!well-known) { deny all; }"


def _exposed(ev: EvidenceView, kinds: Sequence[ExposureKind], what: str, ok: str) -> Verdict:
    """Findings and unanswered probes of the sensitive paths of ``kinds``."""
    f = _facts(ev)
    section = f["exposed"]
    found = [x for x in section["found"] if x["kind"] in kinds]
    errors = [e for e in section["errors"] if e["kind"] in kinds]
    return _paths_verdict(f, found, errors, section["probed"], what, ok)


# -- WEB-EXP-001..004 --------------------------------------------------------------
@check(
    id="WEB-EXP-001",
    title=Text(zh="不得对外暴露 .git 版本库", en="The .git repository is not served"),
    remediation=Text(
        zh=(
            f"不要把 .git 部署到网站根目录；nginx：`{_EXPOSURE_FIX_NGINX}`；Apache：`RedirectMatch 404 /\\.git`。"
            "已暴露时视为源码与其中凭据已泄露：轮换凭据。"
        ),
        en=(
            f"Do not deploy .git into the web root; nginx: `{_EXPOSURE_FIX_NGINX}`; Apache: `RedirectMatch 404 /\\.git`. "
            "If it was exposed, treat the source and any credentials in it as leaked and rotate them."
        ),
    ),
    severity=Severity.HIGH,
    mlps=("L3-CES1-09", "L3-CES1-18"),
    domains=(D.EXPOSURE,),
    coverage=_BREACH,
    needs=NEEDS,
    profiles=PROFILES,
    level=CheckLevel.ENDPOINT,
    basis="A served .git repository discloses source and history: an access-rule defect (8.1.4.2 e).",
)
def exposed_git(ev: EvidenceView, p: Params) -> Verdict:
    return _exposed(ev, ("git",), "Git repository metadata served at", "/.git/HEAD is not served")


@check(
    id="WEB-EXP-002",
    title=Text(zh="不得对外暴露 .env 等环境配置文件", en="Environment files (.env) are not served"),
    remediation=Text(
        zh=(
            f'将 .env 移出网站根目录；nginx：`{_EXPOSURE_FIX_NGINX}`；Apache：`<Files ".env"> Require all denied </Files>`。'
            "已暴露时立即轮换其中的密码与密钥。"
        ),
        en=(
            f'Move .env out of the web root; nginx: `{_EXPOSURE_FIX_NGINX}`; Apache: `<Files ".env"> Require all denied </Files>`. '
            "If it was exposed, rotate every password and key in it at once."
        ),
    ),
    severity=Severity.CRITICAL,
    mlps=("L3-CES1-09", "L3-CES1-28"),
    high_risk_case="6.4.2.2",
    domains=(D.EXPOSURE,),
    coverage=_BREACH,
    needs=NEEDS,
    profiles=PROFILES,
    level=CheckLevel.ENDPOINT,
    basis="A served .env file hands out secrets: unauthorised access (8.1.4.2 e, case 6.4.2.2 item 1) to stored credentials (8.1.4.8 b).",
)
def exposed_env(ev: EvidenceView, p: Params) -> Verdict:
    return _exposed(ev, ("env",), "environment file with KEY=VALUE lines served at", "/.env is not served")


@check(
    id="WEB-EXP-003",
    title=Text(zh="不得对外暴露备份与数据库导出文件", en="Backups and database dumps are not served"),
    remediation=Text(
        zh=(
            "备份文件不要放在网站根目录，存放到不可经 Web 访问的位置；nginx：`location ~* \\.(sql|zip|tar\\.gz|bak)$ { deny all; }`；"
            'Apache：`<FilesMatch "\\.(sql|zip|gz|bak)$"> Require all denied </FilesMatch>`。已暴露时按数据泄露处置。'
        ),
        en=(
            "Keep backups outside the web root; nginx: `location ~* \\.(sql|zip|tar\\.gz|bak)$ { deny all; }`; Apache: "
            '`<FilesMatch "\\.(sql|zip|gz|bak)$"> Require all denied </FilesMatch>`. If one was exposed, handle it as a data breach.'
        ),
    ),
    severity=Severity.CRITICAL,
    mlps=("L3-CES1-09", "L3-CES1-29"),
    high_risk_case="6.4.2.2",
    domains=(D.EXPOSURE, D.BACKUP),
    coverage=(CoverageLine.DATA_BREACH_LIABILITY, CoverageLine.INCIDENT_RESPONSE, CoverageLine.CYBER_EXTORTION),
    needs=NEEDS,
    profiles=PROFILES,
    level=CheckLevel.ENDPOINT,
    basis="Served backups and dumps give unauthorised access to data (8.1.4.2 e, case 6.4.2.2 item 1).",
)
def exposed_backups(ev: EvidenceView, p: Params) -> Verdict:
    return _exposed(ev, ("backup",), "backup or database dump served at", "no backup or dump file served at the common names")


@check(
    id="WEB-EXP-004",
    title=Text(zh="不得对外暴露状态与诊断页面", en="Status and diagnostic pages are not public"),
    remediation=Text(
        zh=(
            'nginx：`location = /server-status { stub_status; allow 127.0.0.1; deny all; }`；Apache：`<Location "/server-status"> '
            "Require local </Location>`；Spring Boot：`management.endpoints.web.exposure.include=health`；删除 phpinfo.php。"
        ),
        en=(
            'nginx: `location = /server-status { stub_status; allow 127.0.0.1; deny all; }`; Apache: `<Location "/server-status"> '
            "Require local </Location>`; Spring Boot: `management.endpoints.web.exposure.include=health`; delete phpinfo.php."
        ),
    ),
    severity=Severity.MEDIUM,
    mlps=("L3-CES1-09", "L3-CES1-18"),
    domains=(D.EXPOSURE, D.HARDENING),
    coverage=_BREACH,
    needs=NEEDS,
    profiles=PROFILES,
    level=CheckLevel.ENDPOINT,
    basis="Public status pages expose internals no access rule meant to publish (8.1.4.2 e).",
)
def exposed_diagnostics(ev: EvidenceView, p: Params) -> Verdict:
    return _exposed(
        ev, ("status", "actuator", "phpinfo"), "diagnostic page served at", "no server-status, actuator or phpinfo page served"
    )
