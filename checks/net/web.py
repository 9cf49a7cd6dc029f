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

import itertools
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

from checks.messages import Template, message
from checks.model import CheckLevel, CoverageLine, InsurerDomain, Reason, Severity, Text, Verdict
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


class _Parts:
    """The messages of a reason made of independent parts, joined by "; " (en) and "；" (zh) in a fixed order.

    Each non-empty combination of parts is declared as a message of its own (id ``<check>/<part>+<part>``),
    so the reason reads as the joined list always has, in either language. A part has at most one
    parameter, named after it: part ``no-secure`` fills ``{no_secure}``.
    """

    def __init__(self, check_id: str, parts: Mapping[str, Tuple[str, str]]) -> None:
        self.order = tuple(parts)
        self.params = {c: c.replace("-", "_") for c in self.order if "{" + c.replace("-", "_") + "}" in parts[c][0]}
        self.templates: Dict[Tuple[str, ...], Template] = {
            combo: message(
                f"{check_id}/{'+'.join(combo)}",
                en="; ".join(parts[c][0] for c in combo),
                zh="；".join(parts[c][1] for c in combo),
            )
            for n in range(1, len(parts) + 1)
            for combo in itertools.combinations(self.order, n)
        }

    def __call__(self, present: Mapping[str, Any]) -> Reason:
        """The reason for the parts in ``present`` (part -> the value of its parameter, None for a part without one)."""
        combo = tuple(c for c in self.order if c in present)
        return self.templates[combo](**{self.params[c]: present[c] for c in combo if c in self.params})


# {detail} is the collector's account of what went wrong.
NOT_SEEN = message("WEB/not-seen", en="the site was not seen: {detail}", zh="未能看到网站的正常页面：{detail}")
OFF_SCOPE = message(
    "WEB/off-scope",
    en="the URL redirects to {to}, outside the declared scope; add that site to the scope to judge it",
    zh="该 URL 重定向到声明范围之外的 {to}；如需评估，请将该站点加入范围",
)
UNREACHED = message("WEB/unreached", en="the final page was not reached: {detail}", zh="未能到达最终页面：{detail}")


def _unreached(f: WebFacts) -> Optional[Verdict]:
    """A verdict when the final page was not reached, so its headers cannot be judged."""
    final = f["final"]
    state = final["state"]
    if state == "ok":
        return None
    if state == "error_page":
        return Verdict.error(NOT_SEEN(detail=final["error"]), status=final["status"])
    if state == "off_scope":
        hops = f["redirects"]
        to = hops[-1]["to"] if hops else "?"
        return Verdict.manual(OFF_SCOPE(to=to), redirect_to=to)
    return Verdict.error(UNREACHED(detail=final["error"] or state), state=state)


# -- WEB-HTTPS-001 ---------------------------------------------------------------
HTTP_UNKNOWN = message("WEB-HTTPS-001/unknown", en="plain-HTTP behaviour unknown: {detail}", zh="明文 HTTP 的行为未知：{detail}")
HTTP_UNKNOWN_ONE_STATUS = message(
    "WEB-HTTPS-001/unknown-one-status",
    en="plain-HTTP behaviour unknown: {url}: status {status} without a redirect",
    zh="明文 HTTP 的行为未知：{url} 返回状态码 {status} 且未重定向",
)
HTTP_UNKNOWN_STATUS = message(
    "WEB-HTTPS-001/unknown-status",
    en="plain-HTTP behaviour unknown: {endpoints} answered an error status without a redirect",
    zh="明文 HTTP 的行为未知：{endpoints} 返回错误状态码且未重定向",
)
HTTP_UNKNOWN_BOTH = message(
    "WEB-HTTPS-001/unknown-both",
    en="plain-HTTP behaviour unknown: {detail}; {endpoints} answered an error status without a redirect",
    zh="明文 HTTP 的行为未知：{detail}；{endpoints} 返回错误状态码且未重定向",
)
HTTP_CONTENT = message(
    "WEB-HTTPS-001/serves-content",
    en="plain HTTP serves content instead of redirecting to HTTPS: {endpoints}",
    zh="明文 HTTP 直接提供内容，而不是重定向到 HTTPS：{endpoints}",
)
HTTP_TO_HTTP = message(
    "WEB-HTTPS-001/redirects-to-http",
    en="plain HTTP redirects to another plain-HTTP URL first: {redirects}",
    zh="明文 HTTP 先重定向到另一个明文 HTTP 地址：{redirects}",
)
HTTP_TO_HTTPS = message(
    "WEB-HTTPS-001/redirects", en="plain HTTP redirects to HTTPS: {urls}", zh="明文 HTTP 重定向到 HTTPS：{urls}"
)
HTTP_TO_OTHER_HOST = message(
    "WEB-HTTPS-001/redirects-other-host",
    en="plain HTTP redirects to HTTPS on another host: {urls}",
    zh="明文 HTTP 重定向到另一主机的 HTTPS：{urls}",
)
HTTP_NONE = message(
    "WEB-HTTPS-001/no-plain-http",
    en="no plain-HTTP service answers: {urls} not listening, and the port scan of this host (TCP {ports}) found no other web server",
    zh="没有明文 HTTP 服务应答：{urls} 未监听，且对该主机的端口扫描（TCP {ports}）未发现其他 Web 服务器",
)
HTTP_NOT_ASSESSED = message(
    "WEB-HTTPS-001/not-assessed",
    en=(
        "not assessed: {urls} did not answer and no other plain-HTTP port of this host is known; "
        "add the host itself as a target so its ports are scanned"
    ),
    zh="未评估：{urls} 无应答，且不知道该主机的其他明文 HTTP 端口；请将该主机本身加为目标，以便扫描其端口",
)


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
        return Verdict.error(HTTP_UNKNOWN(detail=f["final"]["error"]), url=f["url"])
    seen = [{"url": x["url"], "source": x["source"], "state": x["state"], "status": x["status"]} for x in plain]
    to_http = [x for x in plain if x["state"] == "redirects_to_http"]
    # The target itself answering an error status without redirecting still serves its paths in clear
    # (the site was seen, or the final state would be error_page).
    content = [x for x in plain if x["state"] == "no_redirect" or (x["state"] == "error_status" and x["source"] == "target")]
    if content:
        return Verdict.fail(HTTP_CONTENT(endpoints=[f"{x['url']} ({x['status']})" for x in content]), endpoints=seen)
    if to_http:
        return Verdict.fail(HTTP_TO_HTTP(redirects=[f"{x['url']} -> {x['location']}" for x in to_http]), endpoints=seen)
    failed = "; ".join(f"{x['url']}: {x.get('error') or ''}" for x in plain if x["state"] == "error")
    no_redirect = [x for x in plain if x["state"] == "error_status"]
    statuses = [f"{x['url']} ({x['status']})" for x in no_redirect]
    if failed and statuses:
        return Verdict.error(HTTP_UNKNOWN_BOTH(detail=failed, endpoints=statuses), endpoints=seen)
    if len(no_redirect) == 1:
        return Verdict.error(HTTP_UNKNOWN_ONE_STATUS(url=no_redirect[0]["url"], status=no_redirect[0]["status"]), endpoints=seen)
    if statuses:
        return Verdict.error(HTTP_UNKNOWN_STATUS(endpoints=statuses), endpoints=seen)
    if any(x["state"] == "error" for x in plain):
        return Verdict.error(HTTP_UNKNOWN(detail=failed), endpoints=seen)
    redirecting = [x for x in plain if x["state"] == "redirects_to_https"]
    if redirecting:
        other = [x["url"] for x in redirecting if x["same_host"] is False]
        template = HTTP_TO_OTHER_HOST if other else HTTP_TO_HTTPS
        return Verdict.ok(template(urls=[x["url"] for x in redirecting]), endpoints=seen)
    urls = [x["url"] for x in plain]
    scanned = f["ports_scanned"]
    if scanned is not None:
        return Verdict.ok(HTTP_NONE(urls=urls, ports=scanned), endpoints=seen)
    return Verdict.manual(HTTP_NOT_ASSESSED(urls=urls), endpoints=seen)


# -- WEB-HSTS-001 ----------------------------------------------------------------
HSTS_NOT_HTTPS = message(
    "WEB-HSTS-001/not-https",
    en="the site is not served over HTTPS, so HSTS cannot apply",
    zh="网站未通过 HTTPS 提供，HSTS 无从生效",
)
HSTS_ABSENT = message(
    "WEB-HSTS-001/absent",
    en="no Strict-Transport-Security header on the HTTPS response",
    zh="HTTPS 响应中没有 Strict-Transport-Security 头",
)
HSTS_INVALID = message(
    "WEB-HSTS-001/invalid",
    en="Strict-Transport-Security header is invalid (max-age missing, repeated or not a number)",
    zh="Strict-Transport-Security 头无效（max-age 缺失、重复或不是数字）",
)
HSTS_SHORT = message(
    "WEB-HSTS-001/short",
    en="HSTS max-age {max_age} s is below {minimum} s",
    zh="HSTS max-age 为 {max_age} 秒，低于 {minimum} 秒",
)
HSTS_SET = message("WEB-HSTS-001/set", en="HSTS max-age {max_age} s", zh="HSTS max-age 为 {max_age} 秒")


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
        return Verdict.fail(HSTS_NOT_HTTPS(), final_url=f["final"]["url"])
    if not h["present"]:
        return Verdict.fail(HSTS_ABSENT())
    if not h.get("valid"):
        return Verdict.fail(HSTS_INVALID())
    age = h.get("max_age")
    if age is None:  # the collector marks a header valid only with one numeric max-age
        raise ValueError("web.http: HSTS header marked valid without a max-age")
    observed = {"max_age": age, "include_subdomains": h.get("include_subdomains"), "preload": h.get("preload")}
    if age < minimum:
        return Verdict.fail(HSTS_SHORT(max_age=age, minimum=minimum), **observed)
    return Verdict.ok(HSTS_SET(max_age=age), **observed)


# -- WEB-CSP-001 -----------------------------------------------------------------
CSP_REPORT_ONLY = message(
    "WEB-CSP-001/report-only",
    en="only Content-Security-Policy-Report-Only is set; nothing is enforced",
    zh="只设置了 Content-Security-Policy-Report-Only，策略并未强制执行",
)
CSP_ABSENT = message("WEB-CSP-001/absent", en="no Content-Security-Policy header", zh="没有 Content-Security-Policy 头")
CSP_WEAK = _Parts(
    "WEB-CSP-001",
    {
        "unrestricted": ("neither script-src nor default-src restricts scripts", "script-src 和 default-src 均未限制脚本来源"),
        "unsafe-inline": ("scripts allow 'unsafe-inline'", "脚本允许 'unsafe-inline'"),
        "unsafe-eval": ("scripts allow 'unsafe-eval'", "脚本允许 'unsafe-eval'"),
        "broad": ("scripts allow broad sources {broad}", "脚本允许宽泛的来源 {broad}"),
    },
)
CSP_SOUND = message(
    "WEB-CSP-001/sound",
    en="CSP restricts script sources without unsafe keywords or wildcards",
    zh="CSP 限制了脚本来源，且不含不安全关键字或通配来源",
)


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
            return Verdict.fail(CSP_REPORT_ONLY())
        return Verdict.fail(CSP_ABSENT())
    problems: List[str] = []
    present: Dict[str, Any] = {}  # CSP_WEAK part -> its parameter
    if not c.get("script_restricted"):
        problems.append("neither script-src nor default-src restricts scripts")
        present["unrestricted"] = None
    if c.get("unsafe_inline"):
        problems.append("scripts allow 'unsafe-inline'")
        present["unsafe-inline"] = None
    if c.get("unsafe_eval"):
        problems.append("scripts allow 'unsafe-eval'")
        present["unsafe-eval"] = None
    broad = c.get("broad_script_sources")
    if broad:
        problems.append(f"scripts allow broad sources {', '.join(broad)}")
        present["broad"] = broad
    observed = {"directives": c.get("directives"), "problems": problems}
    if present:
        return Verdict.fail(CSP_WEAK(present), **observed)
    return Verdict.ok(CSP_SOUND(), **observed)


# -- WEB-FRAME-001 ---------------------------------------------------------------
FRAME_ANCESTORS = message(
    "WEB-FRAME-001/frame-ancestors", en="CSP frame-ancestors limits framing", zh="CSP frame-ancestors 限制了页面嵌入"
)
FRAME_XFO = message("WEB-FRAME-001/x-frame-options", en="X-Frame-Options {value}", zh="X-Frame-Options 为 {value}")
FRAME_XFO_BAD = message(
    "WEB-FRAME-001/x-frame-options-invalid",
    en="X-Frame-Options value {value} is not DENY or SAMEORIGIN",
    zh="X-Frame-Options 的值 {value} 不是 DENY 或 SAMEORIGIN",
)
FRAME_OPEN = message(
    "WEB-FRAME-001/unrestricted",
    en="neither X-Frame-Options nor CSP frame-ancestors restricts framing",
    zh="X-Frame-Options 和 CSP frame-ancestors 均未限制页面嵌入",
)


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
        return Verdict.ok(FRAME_ANCESTORS(), frame_ancestors=fa, x_frame_options=xfo or None)
    if xfo.upper() in ("DENY", "SAMEORIGIN"):
        return Verdict.ok(FRAME_XFO(value=xfo.upper()), x_frame_options=xfo)
    if xfo:
        return Verdict.fail(FRAME_XFO_BAD(value=repr(xfo)), x_frame_options=xfo, frame_ancestors=fa)
    return Verdict.fail(FRAME_OPEN(), frame_ancestors=fa)


# -- WEB-MIME-001 ----------------------------------------------------------------
NOSNIFF_SET = message("WEB-MIME-001/nosniff", en="X-Content-Type-Options nosniff", zh="X-Content-Type-Options 为 nosniff")
NOSNIFF_ABSENT = message("WEB-MIME-001/absent", en="no X-Content-Type-Options header", zh="没有 X-Content-Type-Options 头")
NOSNIFF_WRONG = message(
    "WEB-MIME-001/wrong-value",
    en="X-Content-Type-Options value {value} is not nosniff",
    zh="X-Content-Type-Options 的值 {value} 不是 nosniff",
)


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
        return Verdict.ok(NOSNIFF_SET())
    if value is None:
        return Verdict.fail(NOSNIFF_ABSENT())
    return Verdict.fail(NOSNIFF_WRONG(value=repr(value)), value=value)


# -- WEB-REF-001 -----------------------------------------------------------------
_SAFE_REFERRER = ("no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin")
_KNOWN_REFERRER = (*_SAFE_REFERRER, "no-referrer-when-downgrade", "origin", "origin-when-cross-origin", "unsafe-url")
REFERRER_ABSENT = message(
    "WEB-REF-001/absent",
    en="no Referrer-Policy header; full URLs may leak to other sites from older browsers",
    zh="没有 Referrer-Policy 头；旧版浏览器可能把完整 URL 泄露给其他网站",
)
REFERRER_SAFE = message("WEB-REF-001/restrictive", en="Referrer-Policy {policy}", zh="Referrer-Policy 为 {policy}")
REFERRER_UNSAFE = message(
    "WEB-REF-001/permissive",
    en="Referrer-Policy {value} sends the referrer to other origins or is invalid",
    zh="Referrer-Policy {value} 会向其他来源发送 Referer，或取值无效",
)


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
        return Verdict.fail(REFERRER_ABSENT())
    # Browsers use the last policy they recognise in a comma-separated list.
    known = [t.strip().lower() for t in value.split(",") if t.strip().lower() in _KNOWN_REFERRER]
    effective = known[-1] if known else None
    if effective in _SAFE_REFERRER:
        return Verdict.ok(REFERRER_SAFE(policy=effective), value=value)
    return Verdict.fail(REFERRER_UNSAFE(value=repr(value)), value=value)


# -- WEB-COOK-001 ----------------------------------------------------------------
NO_COOKIES = message("WEB-COOK-001/no-cookies", en="the site sets no cookies", zh="网站未设置 Cookie")
COOKIES_FLAGGED = message("WEB-COOK-001/flagged", en="every cookie carries the expected flags", zh="所有 Cookie 均带有应有的属性")
# Cookie names by problem, each part "<names>: <problem>" as a list joined per cookie would read.
COOKIE_PROBLEMS = _Parts(
    "WEB-COOK-001",
    {
        "no-secure": ("{no_secure}: no Secure", "{no_secure}：未设置 Secure"),
        "no-httponly": ("{no_httponly}: session cookie without HttpOnly", "{no_httponly}：会话 Cookie 未设置 HttpOnly"),
        "no-samesite": ("{no_samesite}: no SameSite", "{no_samesite}：未设置 SameSite"),
        "invalid-samesite": ("{invalid_samesite}: invalid SameSite value", "{invalid_samesite}：SameSite 取值无效"),
        "samesite-none-insecure": (
            "{samesite_none_insecure}: SameSite=None without Secure",
            "{samesite_none_insecure}：SameSite=None 但未设置 Secure",
        ),
    },
)


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
        return Verdict.ok(NO_COOKIES(), cookies=[])
    https = f["final"]["scheme"] == "https"
    problems: List[str] = []
    by_part: Dict[str, List[str]] = {}  # COOKIE_PROBLEMS part -> cookie names, in cookie order

    def problem(part: str, name: str, text: str) -> None:
        problems.append(f"{name}: {text}")
        by_part.setdefault(part, []).append(name)

    for c in cookies:
        name = c["name"]
        if https and not c["secure"]:
            problem("no-secure", name, "no Secure")
        if c["session_like"] and not c["httponly"]:
            problem("no-httponly", name, "session cookie without HttpOnly")
        if c["samesite"] is None:
            problem("no-samesite", name, "no SameSite")
        elif c["samesite"] == "invalid":
            problem("invalid-samesite", name, "invalid SameSite value")
        elif c["samesite"] == "None" and not c["secure"]:
            problem("samesite-none-insecure", name, "SameSite=None without Secure")
    names = sorted({c["name"] for c in cookies})
    if problems:
        return Verdict.fail(COOKIE_PROBLEMS(by_part), cookies=names, problems=problems)
    return Verdict.ok(COOKIES_FLAGGED(), cookies=names)


# -- WEB-CORS-001 ----------------------------------------------------------------
CORS_FAILED = message("WEB-CORS-001/request-failed", en="CORS request failed: {detail}", zh="CORS 请求失败：{detail}")
CORS_CREDENTIALED = {
    "reflected": message(
        "WEB-CORS-001/reflected-with-credentials",
        en="Access-Control-Allow-Origin echoes any Origin together with Allow-Credentials true",
        zh="Access-Control-Allow-Origin 回显任意 Origin，同时 Allow-Credentials 为 true",
    ),
    "null": message(
        "WEB-CORS-001/null-with-credentials",
        en="Access-Control-Allow-Origin allows the null origin together with Allow-Credentials true",
        zh="Access-Control-Allow-Origin 允许 null 来源，同时 Allow-Credentials 为 true",
    ),
    "wildcard": message(
        "WEB-CORS-001/wildcard-with-credentials",
        en="Access-Control-Allow-Origin allows * together with Allow-Credentials true",
        zh="Access-Control-Allow-Origin 允许 *，同时 Allow-Credentials 为 true",
    ),
}
CORS_REFLECTED = message(
    "WEB-CORS-001/reflected",
    en="any origin is reflected, but without credentials (public data only)",
    zh="回显任意来源，但不允许携带凭据（仅适用于公开数据）",
)
CORS_PUBLIC = message("WEB-CORS-001/public", en="public CORS (*) without credentials", zh="公开 CORS（*），不允许携带凭据")
CORS_CLOSED = message(
    "WEB-CORS-001/not-granted",
    en="an unknown origin is not granted credentialed access",
    zh="未知来源未获得携带凭据的访问权限",
)


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
        return Verdict.error(CORS_FAILED(detail=c["error"]))
    kind, creds = c.get("allow_origin"), bool(c.get("allow_credentials"))
    observed = {"origin_sent": c["origin_sent"], "allow_origin": kind, "allow_credentials": creds}
    if kind in CORS_CREDENTIALED and creds:
        return Verdict.fail(CORS_CREDENTIALED[kind](), **observed)
    if kind == "reflected":
        return Verdict.ok(CORS_REFLECTED(), **observed)
    if kind == "wildcard":
        return Verdict.ok(CORS_PUBLIC(), **observed)
    return Verdict.ok(CORS_CLOSED(), **observed)


# -- WEB-VER-001 -----------------------------------------------------------------
VERSION_DISCLOSED = message("WEB-VER-001/disclosed", en="version details in {headers}", zh="以下响应头包含版本信息：{headers}")
VERSION_HIDDEN = message(
    "WEB-VER-001/hidden",
    en="no version numbers in Server and no X-Powered-By/X-AspNet-Version",
    zh="Server 头中没有版本号，且没有 X-Powered-By/X-AspNet-Version 头",
)


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
        return Verdict.fail(VERSION_DISCLOSED(headers=sorted(leaks)), headers=leaks)
    if unseen is not None:
        return unseen
    return Verdict.ok(VERSION_HIDDEN(), server=d["server"])


def _error_page(f: WebFacts) -> Optional[Verdict]:
    """ERROR when every response was an error page: the absence of something proves nothing then."""
    final = f["final"]
    if final["state"] != "error_page":
        return None
    return Verdict.error(NOT_SEEN(detail=final["error"]), status=final["status"])


PATHS_UNCHECKED = message(
    "WEB/paths-unchecked",
    en="{count} path(s) could not be checked, e.g. {detail}",
    zh="{count} 个路径无法检查，例如：{detail}",
)


def _paths_verdict(
    f: WebFacts,
    found: Sequence[Union[ListingFoundFacts, ExposedFoundFacts]],
    errors: Sequence[Union[ListingErrorFacts, ExposedErrorFacts]],
    probed: Sequence[str],
    served: Template,
    ok: Template,
) -> Verdict:
    """FAIL on any confirmed finding (``served``, given the {paths}); otherwise PASS (``ok``) only if every relevant path was actually asked."""
    if found:
        return Verdict.fail(
            served(paths=[x["path"] for x in found]),
            found=[{"path": x["path"], "marker": x["marker"]} for x in found],
        )
    unseen = _error_page(f)
    if unseen is not None:
        return unseen
    if errors:
        return Verdict.error(
            PATHS_UNCHECKED(count=len(errors), detail=errors[0]["error"]),
            unchecked=[e["path"] for e in errors],
        )
    return Verdict.ok(ok(), probed=list(probed))


# -- WEB-DIR-001 -----------------------------------------------------------------
LISTING_SERVED = message("WEB-DIR-001/served", en="directory listing served at: {paths}", zh="以下路径提供目录列表：{paths}")
NO_LISTING = message("WEB-DIR-001/none", en="no directory listing found", zh="未发现目录列表")


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
    return _paths_verdict(f, section["found"], section["errors"], section["probed"], LISTING_SERVED, NO_LISTING)


_EXPOSURE_FIX_NGINX = "location ~ /\\.(?!well-known) { deny all; }"


def _exposed(ev: EvidenceView, kinds: Sequence[ExposureKind], served: Template, ok: Template) -> Verdict:
    """Findings and unanswered probes of the sensitive paths of ``kinds``."""
    f = _facts(ev)
    section = f["exposed"]
    found = [x for x in section["found"] if x["kind"] in kinds]
    errors = [e for e in section["errors"] if e["kind"] in kinds]
    return _paths_verdict(f, found, errors, section["probed"], served, ok)


# -- WEB-EXP-001..004 --------------------------------------------------------------
GIT_SERVED = message(
    "WEB-EXP-001/served",
    en="Git repository metadata served at: {paths}",
    zh="以下路径对外提供 Git 版本库元数据：{paths}",
)
GIT_HIDDEN = message("WEB-EXP-001/not-served", en="/.git/HEAD is not served", zh="未对外提供 /.git/HEAD")
ENV_SERVED = message(
    "WEB-EXP-002/served",
    en="environment file with KEY=VALUE lines served at: {paths}",
    zh="以下路径对外提供含 KEY=VALUE 行的环境配置文件：{paths}",
)
ENV_HIDDEN = message("WEB-EXP-002/not-served", en="/.env is not served", zh="未对外提供 /.env")
BACKUP_SERVED = message(
    "WEB-EXP-003/served",
    en="backup or database dump served at: {paths}",
    zh="以下路径对外提供备份或数据库导出文件：{paths}",
)
BACKUP_HIDDEN = message(
    "WEB-EXP-003/not-served",
    en="no backup or dump file served at the common names",
    zh="常见文件名下未对外提供备份或数据库导出文件",
)
DIAGNOSTIC_SERVED = message("WEB-EXP-004/served", en="diagnostic page served at: {paths}", zh="以下路径对外提供诊断页面：{paths}")
DIAGNOSTIC_HIDDEN = message(
    "WEB-EXP-004/not-served",
    en="no server-status, actuator or phpinfo page served",
    zh="未对外提供 server-status、actuator 或 phpinfo 页面",
)


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
    return _exposed(ev, ("git",), GIT_SERVED, GIT_HIDDEN)


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
    return _exposed(ev, ("env",), ENV_SERVED, ENV_HIDDEN)


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
    return _exposed(ev, ("backup",), BACKUP_SERVED, BACKUP_HIDDEN)


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
    return _exposed(ev, ("status", "actuator", "phpinfo"), DIAGNOSTIC_SERVED, DIAGNOSTIC_HIDDEN)
