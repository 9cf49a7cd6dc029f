"""OpenSSH server checks (HOST_CHECKS.md §3.1, plus password login and MFA).

Every configuration check judges the global effective configuration and also
each ``Match`` block laid over it, because a block such as
``Match Address 10.0.0.0/8`` / ``PasswordAuthentication yes`` silently undoes
the global setting for part of the network.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from checks.messages import Template, message
from checks.model import CoverageLine, InsurerDomain, Reason, Severity, Status, Text, Verdict
from checks.registry import EvidenceView, Params, check
from collectors.host.sshd import SSHD, MatchBlockFacts, SshdConfig, SshdFacts, SshdKeyword
from collectors.strictjson import JSON

# Every SSH check reads host.sshd, which needs root for ``sshd -T`` and root-only configs (hence needs_root=True).
NEEDS = (SSHD,)
Cfg = SshdConfig

_BREACH = (CoverageLine.DATA_BREACH_LIABILITY, CoverageLine.CYBER_EXTORTION, CoverageLine.INCIDENT_RESPONSE)
_KNOWLEDGE_ONLY = "password"
_GLOBAL = "global"  # the scope of the configuration outside every Match block


# -- what a scope of the configuration gets wrong, in words ------------------------
@dataclass(frozen=True)
class _Problem:
    """One way a scope of the configuration fails a check: said of the global configuration, and of Match blocks."""

    in_global: Template  # "global: PermitRootLogin yes (allowed: no)"
    in_match: Template  # "{scope}: PermitRootLogin yes (allowed: no)", the scope naming the Match blocks

    def __call__(self, **params: JSON) -> _Found:
        return _Found(self, params)


@dataclass(frozen=True)
class _Found:
    """A problem with its values, found in one scope."""

    problem: _Problem
    params: Mapping[str, JSON]

    def said(self, scope: str) -> Reason:
        """The problem as found in ``scope`` (_GLOBAL, or a Match block's label)."""
        if scope == _GLOBAL:
            return self.problem.in_global(**self.params)
        return self.problem.in_match(scope=scope, **self.params)

    def said_in_matches(self, scopes: List[str]) -> Reason:
        return self.problem.in_match(scope=scopes, **self.params)


# The variant of a problem's message that adds why a PAM OTP module may not be a second factor (see _with_otp_doubt).
_OTP_DOUBT: Dict[str, Template] = {}
_DOUBT = (
    "; keyboard-interactive would be a second factor only if the PAM OTP module is enforced, which it may not be: {doubts}",
    "；仅当 PAM OTP 模块被强制执行时，keyboard-interactive 才构成第二个认证因素，而该模块可能未被强制执行：{doubts}",
)


def _problem(id: str, *, en: str, zh: str, otp_doubt: bool = False) -> _Problem:
    """Declare the messages of a problem: ``id`` (global configuration) and ``id-in-match`` (Match blocks).

    With ``otp_doubt``, also ``id-otp-doubt`` and ``id-in-match-otp-doubt``, which add the doubts about the PAM OTP module.
    """
    problem = _Problem(
        message(id, en=f"{_GLOBAL}: {en}", zh=f"全局配置：{zh}"),
        message(f"{id}-in-match", en="{scope}: " + en, zh="{scope}：" + zh),
    )
    if otp_doubt:
        for said in (problem.in_global, problem.in_match):
            _OTP_DOUBT[said.id] = message(f"{said.id}-otp-doubt", en=said.text.en + _DOUBT[0], zh=said.text.zh + _DOUBT[1])
    return problem


Predicate = Callable[[Cfg, Params], Optional[_Found]]


# -- helpers over host.sshd facts ------------------------------------------------
def _val(cfg: Cfg, key: SshdKeyword) -> str:
    v = cfg[key] if key in cfg else ""  # subscript: mypy checks every SshdKeyword is a key of SshdConfig
    if isinstance(v, list):
        return v[0] if v else ""
    return str(v)


def _int(cfg: Cfg, key: SshdKeyword) -> Optional[int]:
    v = _val(cfg, key)
    return int(v) if v.isdigit() else None


def _scopes(facts: SshdFacts) -> List[Tuple[str, Cfg]]:
    """The global configuration and, for each Match block, the configuration it yields."""
    glob = facts["config"]
    out: List[Tuple[str, Cfg]] = [(_GLOBAL, glob)]
    for blk in facts["match_blocks"]:
        if blk["never_matches"]:
            continue
        merged: Cfg = {**glob, **blk["settings"]}
        out.append((f"Match {blk['criteria']} ({blk['file']}:{blk['line']})", merged))
    return out


def _judge(ev: EvidenceView, p: Params, pred: Predicate, keys: Sequence[SshdKeyword], ok: Reason) -> Verdict:
    """Apply ``pred`` to every scope; any problem is a failure naming its scope.

    The reason says the first problem, with every Match block that has the very same one; the observed
    ``problems`` list each scope's.
    """
    facts = ev.facts(SSHD)
    found: List[Tuple[str, _Found]] = []
    global_why: Optional[_Found] = None
    for label, cfg in _scopes(facts):
        why = pred(cfg, p)
        if label == _GLOBAL:
            global_why = why
        elif why == global_why:
            continue  # the block changes nothing this check looks at
        if why is not None:
            found.append((label, why))
    glob = facts["config"]
    observed = {k: glob.get(k) for k in keys}
    if not found:
        return Verdict.ok(ok, **observed)
    problems = [why.said(label).text("en") for label, why in found]
    label, first = found[0]
    if label == _GLOBAL:
        reason = first.said(_GLOBAL)
    else:
        reason = first.said_in_matches([other for other, why in found if why == first])
    return Verdict.fail(reason, problems=problems, **observed)


def _yes(cfg: Cfg, key: SshdKeyword) -> bool:
    return _val(cfg, key).lower() == "yes"


def _otp_modules(facts: SshdFacts) -> List[str]:
    """OTP modules every keyboard-interactive login must pass (required, no nullok, not bypassable)."""
    return list(facts["pam"].get("otp_enforced") or [])


def _otp_doubts(facts: SshdFacts) -> List[str]:
    """Why an OTP module in the sshd PAM stack may not be a real second factor, as the host.sshd collector says it."""
    pam = facts["pam"]
    doubts = [str(w["why"]) for w in pam.get("otp_not_enforced") or [] if isinstance(w, Mapping)]
    if pam["error"]:
        doubts.append(str(pam["error"]))  # the sshd PAM stack could not be read
    return doubts


def _with_otp_doubt(verdict: Verdict, doubts: List[str], if_otp_counted: Callable[[], Verdict]) -> Verdict:
    """A failure that would be a pass if a doubtful OTP module counted is for a person to judge.

    Only a password-only login can be such a failure, and its problems are declared with ``otp_doubt``.
    """
    if verdict.status is not Status.FAIL or not doubts or if_otp_counted().status is not Status.PASS:
        return verdict
    failed = verdict.reason
    if not isinstance(failed, Reason):
        raise TypeError("an SSH check gives its reason as a message")
    reason = _OTP_DOUBT[failed.id](**failed.params, doubts=doubts)
    return Verdict.manual(reason, **{**verdict.observed, "pam_otp_doubts": doubts})


def _enabled_methods(cfg: Cfg) -> List[str]:
    methods = []
    if _yes(cfg, "pubkeyauthentication"):
        methods.append("publickey")
    if _yes(cfg, "passwordauthentication"):
        methods.append("password")
    # Without PAM, keyboard-interactive has no back end on Linux.
    if _yes(cfg, "kbdinteractiveauthentication") and _yes(cfg, "usepam"):
        methods.append("keyboard-interactive")
    if _yes(cfg, "hostbasedauthentication"):
        methods.append("hostbased")
    if _yes(cfg, "gssapiauthentication"):
        methods.append("gssapi-with-mic")
    return methods


def login_paths(cfg: Cfg) -> List[List[str]]:
    """Sets of methods with which a login can complete (AuthenticationMethods, else any one enabled method)."""
    enabled = _enabled_methods(cfg)
    spec = _val(cfg, "authenticationmethods").strip()
    if spec in ("", "any"):
        return [[m] for m in enabled]
    paths = []
    for item in spec.split():
        methods = [m.split(":", 1)[0] for m in item.split(",") if m]
        if methods and all(m in enabled for m in methods):
            paths.append(methods)
    return paths


def _knowledge_only(path: Sequence[str], otp: bool) -> bool:
    """A path that ends in nothing but something the user knows (a password)."""
    for m in path:
        if m == _KNOWLEDGE_ONLY:
            continue
        if m == "keyboard-interactive" and not otp:
            continue
        return False
    return True


def _multi_factor(path: Sequence[str], otp: bool) -> bool:
    return len(set(path)) >= 2 or ("keyboard-interactive" in path and otp)


def _split(cfg: Cfg, key: SshdKeyword) -> List[str]:
    return [a for a in _val(cfg, key).split(",") if a]


# -- checks ------------------------------------------------------------------------
ROOT_ALLOWED = _problem(
    "LNX-SSH-001/allowed",
    en="PermitRootLogin {value} (allowed: {allowed})",
    zh="允许 root 直接登录（PermitRootLogin 为 {value}，允许的值：{allowed}）",
)
NO_ROOT_LOGIN = message("LNX-SSH-001/ok", en="root cannot log in directly over SSH", zh="root 不能通过 SSH 直接登录")


@check(
    id="LNX-SSH-001",
    title=Text(zh="SSH 禁止 root 用户直接登录", en="SSH does not allow direct root login"),
    remediation=Text(
        zh="在 /etc/ssh/sshd_config 开头（或 sshd_config.d 中最先读取的文件）设置 PermitRootLogin no，检查所有 Match 块，然后执行 systemctl reload sshd；管理员使用个人账号登录后再 sudo。",
        en="Set PermitRootLogin no near the top of /etc/ssh/sshd_config (or in the first-read sshd_config.d file), check every Match block, then systemctl reload sshd; administrators log in as themselves and use sudo.",
    ),
    severity=Severity.HIGH,
    mlps=("L3-CES1-06", "L3-CES1-07"),
    domains=(InsurerDomain.PRIVILEGED_ACCESS, InsurerDomain.HARDENING),
    coverage=_BREACH,
    needs=NEEDS,
    params={"permit_root_login_allowed": ["no"]},
    needs_root=True,
    basis="No direct root login is the Linux way to stop use of the default super-user account (8.1.4.2 b) and a shared root (8.1.4.2 c).",
)
def root_login(ev: EvidenceView, p: Params) -> Verdict:
    allowed = {str(a).lower() for a in p["permit_root_login_allowed"]}
    if allowed & {"prohibit-password", "without-password"}:
        allowed |= {"prohibit-password", "without-password"}

    def pred(cfg: Cfg, _p: Params) -> Optional[_Found]:
        v = _val(cfg, "permitrootlogin").lower()
        return None if v in allowed else ROOT_ALLOWED(value=v, allowed=sorted(allowed))

    return _judge(ev, p, pred, ("permitrootlogin",), NO_ROOT_LOGIN())


# The paths, each a comma-separated list of methods, are joined by " / ": "password / keyboard-interactive".
PASSWORD_ONLY_VIA = _problem(
    "LNX-SSH-002/password-only",
    en="password-only login possible via {paths} (PasswordAuthentication {value})",
    zh="可仅凭口令登录，登录途径：{paths}（PasswordAuthentication 为 {value}）",
    otp_doubt=True,
)
NO_PASSWORD_ONLY = message("LNX-SSH-002/ok", en="no login path accepts a password alone", zh="没有任何登录途径仅凭口令即可登录")


@check(
    id="LNX-SSH-002",
    title=Text(zh="SSH 不允许仅凭口令登录（防暴力破解）", en="SSH does not accept password-only logins (brute-force exposure)"),
    remediation=Text(
        zh="设置 PasswordAuthentication no；若 UsePAM yes 且未配置 OTP，同时设置 KbdInteractiveAuthentication no（或用 AuthenticationMethods publickey,keyboard-interactive 要求先验证密钥）；删除 Match 块中的 PasswordAuthentication yes；systemctl reload sshd。",
        en="Set PasswordAuthentication no; with UsePAM yes and no OTP module also set KbdInteractiveAuthentication no (or require a key first with AuthenticationMethods publickey,keyboard-interactive); remove PasswordAuthentication yes from Match blocks; systemctl reload sshd.",
    ),
    severity=Severity.HIGH,
    mlps=("L3-CES1-04", "L3-CES1-02"),
    domains=(InsurerDomain.IDENTITY_MFA, InsurerDomain.EXPOSURE),
    coverage=_BREACH,
    needs=NEEDS,
    needs_root=True,
    basis="Password-only SSH is a single factor (8.1.4.1 d) exposed to guessing (8.1.4.1 b).",
)
def password_login(ev: EvidenceView, p: Params) -> Verdict:
    facts = ev.facts(SSHD)
    keys: Tuple[SshdKeyword, ...] = ("passwordauthentication", "kbdinteractiveauthentication", "usepam", "authenticationmethods")

    def judge(otp: bool) -> Verdict:
        def pred(cfg: Cfg, _p: Params) -> Optional[_Found]:
            weak = [",".join(path) for path in login_paths(cfg) if _knowledge_only(path, otp)]
            if not weak:
                return None
            return PASSWORD_ONLY_VIA(paths=" / ".join(weak), value=_val(cfg, "passwordauthentication"))

        return _judge(ev, p, pred, keys, NO_PASSWORD_ONLY())

    return _with_otp_doubt(judge(bool(_otp_modules(facts))), _otp_doubts(facts), lambda: judge(True))


EMPTY_PASSWORDS = _problem(
    "LNX-SSH-003/permitted",
    en="PermitEmptyPasswords {value}",
    zh="允许空口令账户登录（PermitEmptyPasswords 为 {value}）",
)
EMPTY_REFUSED = message("LNX-SSH-003/ok", en="empty passwords are refused", zh="空口令账户的登录被拒绝")


@check(
    id="LNX-SSH-003",
    title=Text(zh="SSH 禁止空口令登录", en="SSH refuses accounts with empty passwords"),
    remediation=Text(
        zh="在 sshd_config 中设置 PermitEmptyPasswords no（含所有 Match 块），然后 systemctl reload sshd。",
        en="Set PermitEmptyPasswords no in sshd_config (and in every Match block), then systemctl reload sshd.",
    ),
    severity=Severity.HIGH,
    mlps=("L3-CES1-01",),
    domains=(InsurerDomain.IDENTITY_MFA, InsurerDomain.HARDENING),
    coverage=_BREACH,
    needs=NEEDS,
    needs_root=True,
    basis="Refusing empty passwords over SSH enforces authentication (8.1.4.1 a); LNX-ACC-002 carries case 6.4.1.1.",
)
def empty_passwords(ev: EvidenceView, p: Params) -> Verdict:
    def pred(cfg: Cfg, _p: Params) -> Optional[_Found]:
        v = _val(cfg, "permitemptypasswords").lower()
        return None if v == "no" else EMPTY_PASSWORDS(value=v)

    return _judge(ev, p, pred, ("permitemptypasswords",), EMPTY_REFUSED())


AUTH_TRIES_NOT_NUMBER = _problem(
    "LNX-SSH-004/not-a-number", en="MaxAuthTries '{value}' is not a number", zh="MaxAuthTries 的值 '{value}' 不是数字"
)
AUTH_TRIES_HIGH = _problem(
    "LNX-SSH-004/too-many", en="MaxAuthTries {value} > {limit}", zh="MaxAuthTries 为 {value}，超过上限 {limit}"
)
AUTH_TRIES_OK = message("LNX-SSH-004/ok", en="MaxAuthTries is at most {limit}", zh="MaxAuthTries 不超过 {limit}")


@check(
    id="LNX-SSH-004",
    title=Text(zh="SSH 限制单次连接的认证尝试次数", en="SSH limits authentication attempts per connection"),
    remediation=Text(
        zh="在 sshd_config 中设置 MaxAuthTries 4（或更小），然后 systemctl reload sshd。",
        en="Set MaxAuthTries 4 (or lower) in sshd_config, then systemctl reload sshd.",
    ),
    severity=Severity.MEDIUM,
    mlps=("L3-CES1-02",),
    domains=(InsurerDomain.IDENTITY_MFA, InsurerDomain.HARDENING),
    coverage=_BREACH,
    needs=NEEDS,
    params={"max_auth_tries": 4},
    needs_root=True,
    basis="MaxAuthTries limits illegal login attempts (8.1.4.1 b).",
)
def max_auth_tries(ev: EvidenceView, p: Params) -> Verdict:
    def pred(cfg: Cfg, prm: Params) -> Optional[_Found]:
        n = _int(cfg, "maxauthtries")
        if n is None:
            return AUTH_TRIES_NOT_NUMBER(value=_val(cfg, "maxauthtries"))
        return None if n <= int(prm["max_auth_tries"]) else AUTH_TRIES_HIGH(value=n, limit=prm["max_auth_tries"])

    return _judge(ev, p, pred, ("maxauthtries",), AUTH_TRIES_OK(limit=p["max_auth_tries"]))


INTERVAL_NEVER = _problem(
    "LNX-SSH-005/interval-never",
    en="ClientAliveInterval {value}: idle sessions are never timed out",
    zh="ClientAliveInterval 为 {value}，空闲会话永不超时",
)
INTERVAL_LONG = _problem(
    "LNX-SSH-005/interval-too-long",
    en="ClientAliveInterval {value} > {limit}",
    zh="ClientAliveInterval 为 {value}，超过上限 {limit}",
)
COUNT_NEVER = _problem(
    "LNX-SSH-005/count-never",
    en="ClientAliveCountMax {value}: unresponsive clients are never disconnected",
    zh="ClientAliveCountMax 为 {value}，无响应的客户端永不断开",
)
COUNT_HIGH = _problem(
    "LNX-SSH-005/count-too-high",
    en="ClientAliveCountMax {value} > {limit}",
    zh="ClientAliveCountMax 为 {value}，超过上限 {limit}",
)
IDLE_DISCONNECTED = message("LNX-SSH-005/ok", en="idle sessions are disconnected", zh="空闲会话会被断开")


@check(
    id="LNX-SSH-005",
    title=Text(zh="SSH 空闲会话超时自动断开", en="SSH disconnects idle sessions"),
    remediation=Text(
        zh="在 sshd_config 中设置 ClientAliveInterval 300 与 ClientAliveCountMax 3（OpenSSH 8.2 起 0 表示不断开，不要用 0），然后 systemctl reload sshd。",
        en="Set ClientAliveInterval 300 and ClientAliveCountMax 3 in sshd_config (since OpenSSH 8.2 a count of 0 never disconnects; do not use 0), then systemctl reload sshd.",
    ),
    severity=Severity.MEDIUM,
    mlps=("L3-CES1-02",),
    domains=(InsurerDomain.HARDENING, InsurerDomain.PRIVILEGED_ACCESS),
    coverage=_BREACH,
    needs=NEEDS,
    params={"client_alive_interval_max": 300, "client_alive_count_max": 3},
    needs_root=True,
    basis="Disconnecting idle sessions is 'connection timeout logs out' (8.1.4.1 b).",
)
def idle_timeout(ev: EvidenceView, p: Params) -> Verdict:
    def pred(cfg: Cfg, prm: Params) -> Optional[_Found]:
        interval = _int(cfg, "clientaliveinterval")
        count = _int(cfg, "clientalivecountmax")
        if interval is None or interval == 0:
            return INTERVAL_NEVER(value=_val(cfg, "clientaliveinterval"))
        if interval > int(prm["client_alive_interval_max"]):
            return INTERVAL_LONG(value=interval, limit=prm["client_alive_interval_max"])
        if count is None or count == 0:
            return COUNT_NEVER(value=_val(cfg, "clientalivecountmax"))
        if count > int(prm["client_alive_count_max"]):
            return COUNT_HIGH(value=count, limit=prm["client_alive_count_max"])
        return None

    return _judge(ev, p, pred, ("clientaliveinterval", "clientalivecountmax"), IDLE_DISCONNECTED())


def _equals(key: SshdKeyword, want: str, problem: _Problem) -> Predicate:
    """A setting that must have one value; ``problem`` says the value it has."""

    def pred(cfg: Cfg, _p: Params) -> Optional[_Found]:
        v = _val(cfg, key).lower()
        return None if v == want else problem(value=v)

    return pred


RHOSTS_USED = _problem(
    "LNX-SSH-006/not-ignored", en="IgnoreRhosts {value}", zh="未忽略 .rhosts/.shosts 文件（IgnoreRhosts 为 {value}）"
)
RHOSTS_IGNORED = message("LNX-SSH-006/ok", en="rhosts files are ignored", zh=".rhosts/.shosts 文件被忽略")


@check(
    id="LNX-SSH-006",
    title=Text(zh="SSH 忽略 .rhosts/.shosts 文件", en="SSH ignores .rhosts and .shosts files"),
    remediation=Text(
        zh="在 sshd_config 中设置 IgnoreRhosts yes，然后 systemctl reload sshd。",
        en="Set IgnoreRhosts yes in sshd_config, then systemctl reload sshd.",
    ),
    severity=Severity.MEDIUM,
    mlps=("L3-CES1-01",),
    domains=(InsurerDomain.IDENTITY_MFA, InsurerDomain.HARDENING),
    coverage=_BREACH,
    needs=NEEDS,
    needs_root=True,
    basis="Ignoring rhosts files stops trust-based login without authentication (8.1.4.1 a).",
)
def ignore_rhosts(ev: EvidenceView, p: Params) -> Verdict:
    return _judge(ev, p, _equals("ignorerhosts", "yes", RHOSTS_USED), ("ignorerhosts",), RHOSTS_IGNORED())


HOSTBASED_ON = _problem(
    "LNX-SSH-007/enabled",
    en="HostbasedAuthentication {value}",
    zh="启用了基于主机的认证（HostbasedAuthentication 为 {value}）",
)
HOSTBASED_OFF = message("LNX-SSH-007/ok", en="host-based authentication is off", zh="基于主机的认证已禁用")


@check(
    id="LNX-SSH-007",
    title=Text(zh="SSH 禁用基于主机的认证", en="SSH host-based authentication is disabled"),
    remediation=Text(
        zh="在 sshd_config 中设置 HostbasedAuthentication no，然后 systemctl reload sshd。",
        en="Set HostbasedAuthentication no in sshd_config, then systemctl reload sshd.",
    ),
    severity=Severity.MEDIUM,
    mlps=("L3-CES1-01",),
    domains=(InsurerDomain.IDENTITY_MFA, InsurerDomain.HARDENING),
    coverage=_BREACH,
    needs=NEEDS,
    needs_root=True,
    basis="Host-based authentication trusts a machine instead of authenticating the user (8.1.4.1 a).",
)
def hostbased(ev: EvidenceView, p: Params) -> Verdict:
    pred = _equals("hostbasedauthentication", "no", HOSTBASED_ON)
    return _judge(ev, p, pred, ("hostbasedauthentication",), HOSTBASED_OFF())


USER_ENV_ON = _problem(
    "LNX-SSH-008/permitted",
    en="PermitUserEnvironment {value}",
    zh="允许用户设置环境变量（PermitUserEnvironment 为 {value}）",
)
USER_ENV_OFF = message("LNX-SSH-008/ok", en="user environment options are ignored", zh="用户设置的环境变量选项被忽略")


@check(
    id="LNX-SSH-008",
    title=Text(zh="SSH 不允许用户设置环境变量", en="SSH does not let users pass environment options"),
    remediation=Text(
        zh="在 sshd_config 中设置 PermitUserEnvironment no，然后 systemctl reload sshd。",
        en="Set PermitUserEnvironment no in sshd_config, then systemctl reload sshd.",
    ),
    severity=Severity.LOW,
    mlps=("L3-CES1-09",),
    domains=(InsurerDomain.HARDENING,),
    coverage=(CoverageLine.INCIDENT_RESPONSE,),
    needs=NEEDS,
    needs_root=True,
    basis="User-set environment (LD_PRELOAD and the like) can escape forced commands and access rules (8.1.4.2 e); it has nothing to do with surplus accounts.",
)
def user_environment(ev: EvidenceView, p: Params) -> Verdict:
    pred = _equals("permituserenvironment", "no", USER_ENV_ON)
    return _judge(ev, p, pred, ("permituserenvironment",), USER_ENV_OFF())


# The settings as "X11Forwarding yes", "AllowTcpForwarding local".
FORWARDING_ON = _problem("LNX-SSH-009/enabled", en="{settings}", zh="未禁用转发（{settings}）")
FORWARDING_OFF = message("LNX-SSH-009/ok", en="TCP and X11 forwarding are disabled", zh="TCP 转发与 X11 转发均已禁用")


@check(
    id="LNX-SSH-009",
    title=Text(zh="SSH 禁用端口转发与 X11 转发", en="SSH port and X11 forwarding are disabled"),
    remediation=Text(
        zh="在 sshd_config 中设置 DisableForwarding yes（或同时设置 X11Forwarding no 与 AllowTcpForwarding no），确需转发的账号用 Match User 单独放开，然后 systemctl reload sshd。",
        en="Set DisableForwarding yes in sshd_config (or both X11Forwarding no and AllowTcpForwarding no), open it per account with Match User only where needed, then systemctl reload sshd.",
    ),
    severity=Severity.MEDIUM,
    mlps=("L3-ABS1-01", "L3-CES1-18"),
    domains=(InsurerDomain.HARDENING, InsurerDomain.SEGMENTATION),
    coverage=_BREACH,
    needs=NEEDS,
    needs_root=True,
    basis="Port and X11 forwarding turn sshd into an uncontrolled path across the boundary (8.1.3.1 a) and are functions a server seldom needs (8.1.4.4 b).",
)
def forwarding(ev: EvidenceView, p: Params) -> Verdict:
    def pred(cfg: Cfg, _p: Params) -> Optional[_Found]:
        if _yes(cfg, "disableforwarding"):
            return None
        bad = []
        if _val(cfg, "x11forwarding").lower() != "no":
            bad.append(f"X11Forwarding {_val(cfg, 'x11forwarding')}")
        if _val(cfg, "allowtcpforwarding").lower() != "no":
            bad.append(f"AllowTcpForwarding {_val(cfg, 'allowtcpforwarding')}")
        return FORWARDING_ON(settings=bad) if bad else None

    keys: Tuple[SshdKeyword, ...] = ("disableforwarding", "x11forwarding", "allowtcpforwarding")
    return _judge(ev, p, pred, keys, FORWARDING_OFF())


GRACE_NOT_UNDERSTOOD = _problem(
    "LNX-SSH-010/not-understood",
    en="LoginGraceTime '{value}' is not understood",
    zh="无法识别 LoginGraceTime 的值 '{value}'",
)
GRACE_NEVER = _problem(
    "LNX-SSH-010/never",
    en="LoginGraceTime 0: unauthenticated connections never time out",
    zh="LoginGraceTime 为 0，未认证的连接永不超时",
)
GRACE_LONG = _problem(
    "LNX-SSH-010/too-long", en="LoginGraceTime {value}s > {limit}s", zh="LoginGraceTime 为 {value} 秒，超过上限 {limit} 秒"
)
GRACE_OK = message("LNX-SSH-010/ok", en="LoginGraceTime is at most {limit}s", zh="LoginGraceTime 不超过 {limit} 秒")


@check(
    id="LNX-SSH-010",
    title=Text(zh="SSH 登录宽限时间足够短", en="SSH login grace time is short"),
    remediation=Text(
        zh="在 sshd_config 中设置 LoginGraceTime 60，然后 systemctl reload sshd。",
        en="Set LoginGraceTime 60 in sshd_config, then systemctl reload sshd.",
    ),
    severity=Severity.LOW,
    mlps=("L3-CES1-02",),
    domains=(InsurerDomain.HARDENING,),
    coverage=(CoverageLine.BUSINESS_INTERRUPTION,),
    needs=NEEDS,
    params={"login_grace_time_max": 60},
    needs_root=True,
    basis="A short login grace time limits unauthenticated connections (8.1.4.1 b).",
)
def login_grace_time(ev: EvidenceView, p: Params) -> Verdict:
    def pred(cfg: Cfg, prm: Params) -> Optional[_Found]:
        n = _int(cfg, "logingracetime")
        if n is None:
            return GRACE_NOT_UNDERSTOOD(value=_val(cfg, "logingracetime"))
        if n == 0:
            return GRACE_NEVER()
        return None if n <= int(prm["login_grace_time_max"]) else GRACE_LONG(value=n, limit=prm["login_grace_time_max"])

    return _judge(ev, p, pred, ("logingracetime",), GRACE_OK(limit=p["login_grace_time_max"]))


LOG_LEVEL_LOW = _problem("LNX-SSH-011/too-low", en="LogLevel {value}", zh="日志级别不足（LogLevel 为 {value}）")
LOGINS_LOGGED = message("LNX-SSH-011/ok", en="logins are logged", zh="登录会被记录")


@check(
    id="LNX-SSH-011",
    title=Text(zh="SSH 日志级别为 INFO 或 VERBOSE", en="SSH log level is INFO or VERBOSE"),
    remediation=Text(
        zh="在 sshd_config 中设置 LogLevel VERBOSE（记录登录所用密钥指纹），然后 systemctl reload sshd。",
        en="Set LogLevel VERBOSE in sshd_config (it logs the key fingerprint used for each login), then systemctl reload sshd.",
    ),
    severity=Severity.MEDIUM,
    mlps=("L3-CES1-12",),
    domains=(InsurerDomain.LOGGING,),
    coverage=(CoverageLine.INCIDENT_RESPONSE, CoverageLine.DATA_BREACH_LIABILITY),
    needs=NEEDS,
    params={"log_levels_allowed": ["INFO", "VERBOSE"]},
    needs_root=True,
    basis="LogLevel INFO or VERBOSE records logins and key use, the important events of 8.1.4.3 a.",
)
def log_level(ev: EvidenceView, p: Params) -> Verdict:
    allowed = {str(a).upper() for a in p["log_levels_allowed"]}

    def pred(cfg: Cfg, _p: Params) -> Optional[_Found]:
        v = _val(cfg, "loglevel").upper()
        return None if v in allowed else LOG_LEVEL_LOW(value=v)

    return _judge(ev, p, pred, ("loglevel",), LOGINS_LOGGED())


_WEAK_CIPHER = re.compile(r"cbc|3des|arcfour|blowfish|cast128|rijndael|^none$", re.IGNORECASE)
_WEAK_MAC = re.compile(r"md5|sha1|-96|umac-64|ripemd", re.IGNORECASE)
_WEAK_KEX = re.compile(r"^diffie-hellman-group1-|-sha1(@|$)", re.IGNORECASE)


def _algorithms(key: SshdKeyword, weak: re.Pattern[str], problem: _Problem) -> Predicate:
    """A list of algorithms that must hold no weak one; ``problem`` names the weak ones."""

    def pred(cfg: Cfg, _p: Params) -> Optional[_Found]:
        bad = [a for a in _split(cfg, key) if weak.search(a)]
        return problem(algorithms=bad) if bad else None

    return pred


WEAK_CIPHERS = _problem("LNX-SSH-012/weak", en="weak ciphers: {algorithms}", zh="提供弱加密算法（{algorithms}）")
STRONG_CIPHERS = message("LNX-SSH-012/ok", en="only strong ciphers are offered", zh="仅提供强加密算法")


@check(
    id="LNX-SSH-012",
    title=Text(zh="SSH 只使用强加密算法", en="SSH offers only strong ciphers"),
    remediation=Text(
        zh="在 sshd_config 中设置 Ciphers chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-gcm@openssh.com,aes256-ctr,aes192-ctr,aes128-ctr（去掉 CBC、3DES、arcfour），然后 systemctl reload sshd。",
        en="Set Ciphers chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-gcm@openssh.com,aes256-ctr,aes192-ctr,aes128-ctr in sshd_config (no CBC, 3DES or arcfour), then systemctl reload sshd.",
    ),
    severity=Severity.MEDIUM,
    mlps=("L3-CES1-03", "L3-CES1-27"),
    domains=(InsurerDomain.ENCRYPTION_TRANSIT,),
    coverage=_BREACH,
    needs=NEEDS,
    needs_root=True,
    basis="Strong ciphers keep credentials and data in transit confidential (8.1.4.1 c, 8.1.4.8 a).",
)
def ciphers(ev: EvidenceView, p: Params) -> Verdict:
    return _judge(ev, p, _algorithms("ciphers", _WEAK_CIPHER, WEAK_CIPHERS), ("ciphers",), STRONG_CIPHERS())


WEAK_MACS = _problem("LNX-SSH-013/weak", en="weak MACs: {algorithms}", zh="提供弱消息认证码（MAC）算法（{algorithms}）")
STRONG_MACS = message("LNX-SSH-013/ok", en="only strong MACs are offered", zh="仅提供强消息认证码（MAC）算法")


@check(
    id="LNX-SSH-013",
    title=Text(zh="SSH 只使用强消息认证码（MAC）", en="SSH offers only strong MACs"),
    remediation=Text(
        zh="在 sshd_config 中设置 MACs hmac-sha2-512-etm@openssh.com,hmac-sha2-256-etm@openssh.com,umac-128-etm@openssh.com,hmac-sha2-512,hmac-sha2-256（去掉 MD5、SHA-1、96 位与 umac-64），然后 systemctl reload sshd。",
        en="Set MACs hmac-sha2-512-etm@openssh.com,hmac-sha2-256-etm@openssh.com,umac-128-etm@openssh.com,hmac-sha2-512,hmac-sha2-256 in sshd_config (no MD5, SHA-1, 96-bit or umac-64), then systemctl reload sshd.",
    ),
    severity=Severity.MEDIUM,
    mlps=("L3-CES1-25", "L3-CNS1-06"),
    domains=(InsurerDomain.ENCRYPTION_TRANSIT,),
    coverage=_BREACH,
    needs=NEEDS,
    needs_root=True,
    basis="Strong MACs protect integrity in transit (8.1.4.7 a, 8.1.2.2 a).",
)
def macs(ev: EvidenceView, p: Params) -> Verdict:
    return _judge(ev, p, _algorithms("macs", _WEAK_MAC, WEAK_MACS), ("macs",), STRONG_MACS())


WEAK_KEX = _problem("LNX-SSH-014/weak", en="weak key exchange: {algorithms}", zh="提供弱密钥交换算法（{algorithms}）")
STRONG_KEX = message("LNX-SSH-014/ok", en="only strong key exchange is offered", zh="仅提供强密钥交换算法")


@check(
    id="LNX-SSH-014",
    title=Text(zh="SSH 只使用强密钥交换算法", en="SSH offers only strong key exchange"),
    remediation=Text(
        zh="在 sshd_config 中设置 KexAlgorithms sntrup761x25519-sha512@openssh.com,curve25519-sha256,curve25519-sha256@libssh.org,diffie-hellman-group16-sha512,diffie-hellman-group18-sha512,diffie-hellman-group-exchange-sha256（去掉 group1、group14-sha1、group-exchange-sha1），然后 systemctl reload sshd。",
        en="Set KexAlgorithms sntrup761x25519-sha512@openssh.com,curve25519-sha256,curve25519-sha256@libssh.org,diffie-hellman-group16-sha512,diffie-hellman-group18-sha512,diffie-hellman-group-exchange-sha256 in sshd_config (no group1, group14-sha1 or group-exchange-sha1), then systemctl reload sshd.",
    ),
    severity=Severity.MEDIUM,
    mlps=("L3-CES1-03", "L3-CES1-27"),
    domains=(InsurerDomain.ENCRYPTION_TRANSIT,),
    coverage=_BREACH,
    needs=NEEDS,
    needs_root=True,
    basis="Strong key exchange is what the confidentiality of the session rests on (8.1.4.1 c, 8.1.4.8 a).",
)
def kex(ev: EvidenceView, p: Params) -> Verdict:
    pred = _algorithms("kexalgorithms", _WEAK_KEX, WEAK_KEX)
    return _judge(ev, p, pred, ("kexalgorithms",), STRONG_KEX())


# MaxSessions and MaxStartups over their limits, either or both: (en, zh) of each, in this order.
_LIMIT_PARTS: Dict[str, Tuple[str, str]] = {
    "sessions": ("MaxSessions {sessions} > {max_sessions}", "MaxSessions 为 {sessions}，超过上限 {max_sessions}"),
    "startups": ("MaxStartups {startups} exceeds {begin}:30:{full}", "MaxStartups 为 {startups}，超出 {begin}:30:{full}"),
}
OVER_LIMITS: Dict[Tuple[str, ...], _Problem] = {
    parts: _problem(
        f"LNX-SSH-015/too-many-{'-'.join(parts)}",
        en=", ".join(_LIMIT_PARTS[x][0] for x in parts),
        zh="；".join(_LIMIT_PARTS[x][1] for x in parts),
    )
    for n in range(1, len(_LIMIT_PARTS) + 1)
    for parts in itertools.combinations(_LIMIT_PARTS, n)
}
STARTUPS_NOT_UNDERSTOOD = _problem(
    "LNX-SSH-015/not-understood", en="MaxStartups '{value}' is not understood", zh="无法识别 MaxStartups 的值 '{value}'"
)
LIMITED = message("LNX-SSH-015/ok", en="sessions and unauthenticated connections are limited", zh="会话数与未认证连接数均受限制")


@check(
    id="LNX-SSH-015",
    title=Text(zh="SSH 限制会话数与未认证并发连接", en="SSH limits sessions and unauthenticated connections"),
    remediation=Text(
        zh="在 sshd_config 中设置 MaxSessions 10 与 MaxStartups 10:30:60，然后 systemctl reload sshd。",
        en="Set MaxSessions 10 and MaxStartups 10:30:60 in sshd_config, then systemctl reload sshd.",
    ),
    severity=Severity.LOW,
    mlps=("L3-CES1-02",),
    domains=(InsurerDomain.HARDENING,),
    coverage=(CoverageLine.BUSINESS_INTERRUPTION,),
    needs=NEEDS,
    params={"max_sessions": 10, "max_startups_begin": 10, "max_startups_full": 60},
    needs_root=True,
    basis="MaxSessions and MaxStartups limit concurrent and unauthenticated connections (8.1.4.1 b).",
)
def sessions_startups(ev: EvidenceView, p: Params) -> Verdict:
    def pred(cfg: Cfg, prm: Params) -> Optional[_Found]:
        over: Dict[str, Dict[str, JSON]] = {}  # part of _LIMIT_PARTS -> its parameters
        sessions = _int(cfg, "maxsessions")
        if sessions is None or sessions > int(prm["max_sessions"]):
            over["sessions"] = {"sessions": _val(cfg, "maxsessions"), "max_sessions": prm["max_sessions"]}
        parts = _val(cfg, "maxstartups").split(":")
        if len(parts) == 3 and all(x.isdigit() for x in parts):
            begin, full = int(parts[0]), int(parts[2])
        elif len(parts) == 1 and parts[0].isdigit():
            begin = full = int(parts[0])
        else:
            return STARTUPS_NOT_UNDERSTOOD(value=_val(cfg, "maxstartups"))
        if begin > int(prm["max_startups_begin"]) or full > int(prm["max_startups_full"]):
            limits = {"begin": prm["max_startups_begin"], "full": prm["max_startups_full"]}
            over["startups"] = {"startups": _val(cfg, "maxstartups"), **limits}
        if not over:
            return None
        return OVER_LIMITS[tuple(over)](**{k: v for part in over.values() for k, v in part.items()})

    return _judge(ev, p, pred, ("maxsessions", "maxstartups"), LIMITED())


def _mode(text: str) -> Optional[int]:
    try:
        return int(str(text), 8)
    except ValueError:
        return None


BAD_MAX_MODE = message(
    "LNX-SSH-016/bad-max-mode",
    en="parameter max_mode '{value}' is not an octal file mode",
    zh="参数 max_mode 的值 '{value}' 不是八进制文件权限",
)
NO_CONFIG_FILES = message(
    "LNX-SSH-016/no-files", en="no sshd configuration file could be examined", zh="未能检查任何 sshd 配置文件"
)
# Each file as "<path> <mode> uid=<uid>".
CONFIG_TOO_OPEN = message(
    "LNX-SSH-016/too-open",
    en="too permissive or not owned by root: {files}",
    zh="以下配置文件权限过宽或属主不是 root：{files}",
)
CONFIG_OK = message(
    "LNX-SSH-016/ok",
    en="all {count} configuration file(s) are root-owned and at most {max_mode}",
    zh="全部 {count} 个配置文件的属主为 root，权限不宽于 {max_mode}",
)


@check(
    id="LNX-SSH-016",
    title=Text(zh="sshd 配置文件权限为 0600 且属主为 root", en="sshd configuration files are root-owned and mode 0600"),
    remediation=Text(
        zh="执行 chown root:root /etc/ssh/sshd_config /etc/ssh/sshd_config.d/*.conf && chmod 0600 /etc/ssh/sshd_config /etc/ssh/sshd_config.d/*.conf。",
        en="Run chown root:root /etc/ssh/sshd_config /etc/ssh/sshd_config.d/*.conf && chmod 0600 /etc/ssh/sshd_config /etc/ssh/sshd_config.d/*.conf.",
    ),
    severity=Severity.MEDIUM,
    mlps=("L3-CES1-09",),
    domains=(InsurerDomain.HARDENING, InsurerDomain.PRIVILEGED_ACCESS),
    coverage=(CoverageLine.DATA_BREACH_LIABILITY,),
    needs=NEEDS,
    params={"max_mode": "0600"},
    needs_root=True,
    basis="sshd_config holds the access policy (AllowUsers, Match blocks), which only the authorised subject may change (8.1.4.2 e).",
)
def config_permissions(ev: EvidenceView, p: Params) -> Verdict:
    facts = ev.facts(SSHD)
    limit = _mode(p["max_mode"])  # "0000" is a valid (strictest) limit, not a missing one
    if limit is None or not 0 <= limit <= 0o7777:
        return Verdict.error(BAD_MAX_MODE(value=str(p["max_mode"])))
    stats = list(facts["config_file_stats"])
    if not stats:
        return Verdict.error(NO_CONFIG_FILES())
    bad = []
    for st in stats:
        mode = _mode(st["mode"])
        if mode is None or mode & ~limit or st["uid"] != 0:
            bad.append(f"{st['path']} {st['mode']} uid={st['uid']}")
    files = [f"{s['path']} {s['mode']}" for s in stats]
    if bad:
        return Verdict.fail(CONFIG_TOO_OPEN(files=bad), files=files)
    return Verdict.ok(CONFIG_OK(count=len(stats), max_mode=p["max_mode"]), files=files)


NO_HOST_KEYS = message(
    "LNX-SSH-017/none-found",
    en="no SSH host private key was found under /etc/ssh; check where the host keys are kept",
    zh="/etc/ssh 下未找到 SSH 主机私钥，需人工核查主机密钥的存放位置",
)
# Each key as "<path> <mode> uid=<uid>".
HOST_KEYS_READABLE = message(
    "LNX-SSH-017/readable", en="host private keys readable by others: {keys}", zh="以下主机私钥可被其他用户读取：{keys}"
)
HOST_KEYS_OK = message(
    "LNX-SSH-017/ok", en="all {count} host private key(s) are root-only", zh="全部 {count} 个主机私钥仅 root 可访问"
)


@check(
    id="LNX-SSH-017",
    title=Text(zh="SSH 主机私钥权限为 0600 且属主为 root", en="SSH host private keys are root-owned and mode 0600"),
    remediation=Text(
        zh="执行 chown root:root /etc/ssh/ssh_host_*_key && chmod 0600 /etc/ssh/ssh_host_*_key；若私钥曾被他人读取，重新生成主机密钥并通知用户更新 known_hosts。",
        en="Run chown root:root /etc/ssh/ssh_host_*_key && chmod 0600 /etc/ssh/ssh_host_*_key; if a key may have been read by others, regenerate the host keys and tell users to update known_hosts.",
    ),
    severity=Severity.HIGH,
    mlps=("L3-CES1-28", "L3-CES1-09"),
    domains=(InsurerDomain.ENCRYPTION_TRANSIT, InsurerDomain.HARDENING),
    coverage=(CoverageLine.DATA_BREACH_LIABILITY,),
    needs=NEEDS,
    needs_root=True,
    basis="Host private keys are stored key material that must stay confidential (8.1.4.8 b) behind an access rule (8.1.4.2 e).",
)
def host_key_permissions(ev: EvidenceView, p: Params) -> Verdict:
    keys = list(ev.facts(SSHD)["host_keys"])
    if not keys:
        return Verdict.manual(NO_HOST_KEYS())
    bad = []
    for k in keys:
        mode = _mode(k["mode"])
        # RHEL 7/8 convention: 0640 root:ssh_keys for ssh-keysign.
        rhel_group = mode == 0o640 and k["group"] == "ssh_keys"
        if mode is None or k["uid"] != 0 or (mode & 0o177 and not rhel_group):
            bad.append(f"{k['path']} {k['mode']} uid={k['uid']}")
    listed = [f"{k['path']} {k['mode']}" for k in keys]
    if bad:
        return Verdict.fail(HOST_KEYS_READABLE(keys=bad), keys=listed)
    return Verdict.ok(HOST_KEYS_OK(count=len(keys)), keys=listed)


_ALLOW_KEYS: Tuple[SshdKeyword, ...] = ("allowusers", "allowgroups")
_DENY_KEYS: Tuple[SshdKeyword, ...] = ("denyusers", "denygroups")
_ACCESS_KEYS = (*_ALLOW_KEYS, *_DENY_KEYS)

ALLOW_LISTED = message(
    "LNX-SSH-018/allow-listed", en="SSH logins are limited by AllowUsers/AllowGroups", zh="SSH 登录受 AllowUsers/AllowGroups 限制"
)
FENCED_BY_MATCH = message(
    "LNX-SSH-018/match-fenced",
    en="logins from outside the listed source addresses are refused or limited by Match",
    zh="来自所列来源地址以外的登录被 Match 块拒绝或限制",
)
ONLY_MATCH_BLOCKS = message(
    "LNX-SSH-018/match-only",
    en="no global AllowUsers/AllowGroups; only Match blocks restrict logins, and only for the connections they "
    "match: check that every address the service is reachable from is covered",
    zh="全局未设置 AllowUsers/AllowGroups，仅有 Match 块限制登录，且只对其匹配的连接生效：需人工核查服务可达的每个来源地址是否都已覆盖",
)
UNRESTRICTED = message(
    "LNX-SSH-018/unrestricted",
    en="any account with valid credentials may log in from any address (no AllowUsers/AllowGroups)",
    zh="任何持有有效凭据的账户均可从任意地址登录（未设置 AllowUsers/AllowGroups）",
)
ALLOW_EVERYONE = message(
    "LNX-SSH-018/allow-everyone",
    en="any account with valid credentials may log in from any address (AllowUsers/AllowGroups match everyone)",
    zh="任何持有有效凭据的账户均可从任意地址登录（AllowUsers/AllowGroups 匹配所有人）",
)


@check(
    id="LNX-SSH-018",
    title=Text(zh="SSH 登录限定用户/用户组或来源地址", en="SSH logins are restricted to named users, groups or source addresses"),
    remediation=Text(
        zh="在 sshd_config 中设置 AllowGroups sshusers（或 AllowUsers admin@10.0.0.0/8 限定来源网段），或用 Match Address 为管理网段单独放行，然后 systemctl reload sshd。",
        en="Set AllowGroups sshusers in sshd_config (or AllowUsers admin@10.0.0.0/8 to pin source networks), or allow the management network through a Match Address block, then systemctl reload sshd.",
    ),
    severity=Severity.MEDIUM,
    mlps=("L3-CES1-19",),
    domains=(InsurerDomain.EXPOSURE, InsurerDomain.PRIVILEGED_ACCESS),
    coverage=_BREACH,
    needs=NEEDS,
    needs_root=True,
    basis="AllowUsers/AllowGroups with source addresses restrict who may administer and from where (8.1.4.4 c).",
)
def access_restricted(ev: EvidenceView, p: Params) -> Verdict:
    facts = ev.facts(SSHD)
    cfg = facts["config"]
    allow = {k: list(cfg.get(k) or []) for k in _ALLOW_KEYS}
    narrowing = {k: [e for e in v if not _wildcard_only(str(e))] for k, v in allow.items()}
    if any(narrowing.values()):
        return Verdict.ok(ALLOW_LISTED(), **allow)
    blocks = [b for b in facts["match_blocks"] if not b["never_matches"]]
    fenced = [f"Match {b['criteria']}" for b in blocks if _fences_other_addresses(b)]
    if fenced:
        return Verdict.ok(FENCED_BY_MATCH(), match_blocks=fenced)
    partial = [f"Match {b['criteria']}" for b in blocks if any(b["settings"].get(k) for k in _ACCESS_KEYS)]
    if partial:
        return Verdict.manual(ONLY_MATCH_BLOCKS(), match_blocks=partial, **allow)
    return Verdict.fail(ALLOW_EVERYONE() if any(allow.values()) else UNRESTRICTED(), **allow)


def _wildcard_only(entry: str) -> bool:
    """``*``, ``*@*`` or ``?*``: an AllowUsers/AllowGroups entry that admits everyone from everywhere."""
    user, _, host = entry.partition("@")
    return set(user) <= {"*", "?"} and (not host or set(host) <= {"*", "?"})


def _fences_other_addresses(block: MatchBlockFacts) -> bool:
    """A block that applies to every address except some listed ones and refuses or narrows logins there.

    ``Match Address !10.0.0.0/8,*`` with ``DenyUsers *`` (or a non-wildcard AllowUsers/AllowGroups)
    limits who may log in from everywhere outside 10.0.0.0/8. A block matching a positive address
    list only restricts those addresses and leaves every other source open, so it does not count.
    """
    conds = [c for c in block["conditions"] if isinstance(c, (list, tuple)) and len(c) == 2]
    if len(conds) != 1 or str(conds[0][0]).lower() != "address":
        return False
    pats = [x.strip() for x in str(conds[0][1]).split(",") if x.strip()]
    if not any(x.startswith("!") for x in pats) or not any(x in ("*", "0.0.0.0/0", "::/0") for x in pats):
        return False
    settings = block["settings"]
    denies_all = any(_wildcard_only(str(e)) for k in _DENY_KEYS for e in settings.get(k) or [])
    narrows = any(not _wildcard_only(str(e)) for k in _ALLOW_KEYS for e in settings.get(k) or [])
    return denies_all or narrows


# The paths, each a comma-separated list of methods, are joined by " / ".
PASSWORD_ONLY = _problem(
    "LNX-SSH-019/password-only", en="password-only login possible ({paths})", zh="可仅凭口令登录（{paths}）", otp_doubt=True
)
SINGLE_FACTOR = _problem(
    "LNX-SSH-019/single-factor", en="single-factor login possible ({paths})", zh="可仅凭单一认证因素登录（{paths}）"
)
TWO_FACTORS = message("LNX-SSH-019/ok", en="every login path needs two factors", zh="每条登录途径均需两个认证因素")


@check(
    id="LNX-SSH-019",
    title=Text(zh="SSH 远程登录强制双因素认证", en="SSH remote login requires two authentication factors"),
    remediation=Text(
        zh="配置 AuthenticationMethods publickey,keyboard-interactive 并在 /etc/pam.d/sshd 中启用 OTP 模块（如 pam_google_authenticator.so 或 pam_radius_auth.so），或仅允许经双因素堡垒机登录；设置 PasswordAuthentication no，然后 systemctl reload sshd。",
        en="Set AuthenticationMethods publickey,keyboard-interactive and enable an OTP module in /etc/pam.d/sshd (e.g. pam_google_authenticator.so or pam_radius_auth.so), or only allow logins through an MFA bastion; set PasswordAuthentication no, then systemctl reload sshd.",
    ),
    severity=Severity.CRITICAL,
    mlps=("L3-CES1-04",),
    high_risk_case="6.4.1.3",
    domains=(InsurerDomain.IDENTITY_MFA, InsurerDomain.PRIVILEGED_ACCESS),
    coverage=(*_BREACH, CoverageLine.BUSINESS_INTERRUPTION),
    needs=NEEDS,
    needs_root=True,
    basis="Two authentication factors for SSH is 8.1.4.1 d; without it, case 6.4.1.3 (mitigable by restricted or out-of-band access).",
)
def mfa(ev: EvidenceView, p: Params) -> Verdict:
    facts = ev.facts(SSHD)
    otp_modules = _otp_modules(facts)

    def judge(otp: bool) -> Verdict:
        def pred(cfg: Cfg, _p: Params) -> Optional[_Found]:
            single = [",".join(path) for path in login_paths(cfg) if not _multi_factor(path, otp)]
            if not single:
                return None
            pw = [s for s in single if _knowledge_only(s.split(","), otp)]
            if pw:
                return PASSWORD_ONLY(paths=" / ".join(pw))
            return SINGLE_FACTOR(paths=" / ".join(single))

        keys: Tuple[SshdKeyword, ...] = ("authenticationmethods", "passwordauthentication")
        return _judge(ev, p, pred, keys, TWO_FACTORS())

    verdict = _with_otp_doubt(judge(bool(otp_modules)), _otp_doubts(facts), lambda: judge(True))
    return Verdict(verdict.status, {**verdict.observed, "pam_otp_modules": otp_modules}, verdict.reason)
