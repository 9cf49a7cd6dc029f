"""OpenSSH server checks (HOST_CHECKS.md §3.1, plus password login and MFA).

Every configuration check judges the global effective configuration and also
each ``Match`` block laid over it, because a block such as
``Match Address 10.0.0.0/8`` / ``PasswordAuthentication yes`` silently undoes
the global setting for part of the network.
"""

from __future__ import annotations

import re
from typing import Callable, List, Mapping, Optional, Sequence, Tuple

from checks.model import CoverageLine, InsurerDomain, Severity, Status, Text, Verdict
from checks.registry import EvidenceView, Params, check
from collectors.host.sshd import SSHD, MatchBlockFacts, SshdConfig, SshdFacts, SshdKeyword

# Every SSH check reads host.sshd, which needs root for ``sshd -T`` and root-only configs (hence needs_root=True).
NEEDS = (SSHD,)
Cfg = SshdConfig
Predicate = Callable[[Cfg, Params], Optional[str]]

_BREACH = (CoverageLine.DATA_BREACH_LIABILITY, CoverageLine.CYBER_EXTORTION, CoverageLine.INCIDENT_RESPONSE)
_KNOWLEDGE_ONLY = "password"


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
    out: List[Tuple[str, Cfg]] = [("global", glob)]
    for blk in facts["match_blocks"]:
        if blk["never_matches"]:
            continue
        merged: Cfg = {**glob, **blk["settings"]}
        out.append((f"Match {blk['criteria']} ({blk['file']}:{blk['line']})", merged))
    return out


def _judge(ev: EvidenceView, p: Params, pred: Predicate, keys: Sequence[SshdKeyword], ok: str) -> Verdict:
    """Apply ``pred`` to every scope; any problem is a failure naming its scope."""
    facts = ev.facts(SSHD)
    problems: List[str] = []
    global_why: Optional[str] = None
    for label, cfg in _scopes(facts):
        why = pred(cfg, p)
        if label == "global":
            global_why = why
        elif why == global_why:
            continue  # the block changes nothing this check looks at
        if why is not None:
            problems.append(f"{label}: {why}")
    glob = facts["config"]
    observed = {k: glob.get(k) for k in keys}
    if problems:
        return Verdict.fail("; ".join(problems), problems=problems, **observed)
    return Verdict.ok(ok, **observed)


def _yes(cfg: Cfg, key: SshdKeyword) -> bool:
    return _val(cfg, key).lower() == "yes"


def _otp_modules(facts: SshdFacts) -> List[str]:
    """OTP modules every keyboard-interactive login must pass (required, no nullok, not bypassable)."""
    return list(facts["pam"].get("otp_enforced") or [])


def _otp_doubts(facts: SshdFacts) -> List[str]:
    """Why an OTP module in the sshd PAM stack may not be a real second factor."""
    pam = facts["pam"]
    doubts = [str(w["why"]) for w in pam.get("otp_not_enforced") or [] if isinstance(w, Mapping)]
    if pam["error"]:
        doubts.append(f"the sshd PAM stack could not be read: {pam['error']}")
    return doubts


def _with_otp_doubt(verdict: Verdict, doubts: List[str], if_otp_counted: Callable[[], Verdict]) -> Verdict:
    """A failure that would be a pass if a doubtful OTP module counted is for a person to judge."""
    if verdict.status is not Status.FAIL or not doubts or if_otp_counted().status is not Status.PASS:
        return verdict
    reason = (
        f"{verdict.reason}; keyboard-interactive would be a second factor only if the PAM OTP module is enforced, "
        f"which it may not be: {'; '.join(doubts)}"
    )
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

    def pred(cfg: Cfg, _p: Params) -> Optional[str]:
        v = _val(cfg, "permitrootlogin").lower()
        return None if v in allowed else f"PermitRootLogin {v} (allowed: {', '.join(sorted(allowed))})"

    return _judge(ev, p, pred, ("permitrootlogin",), "root cannot log in directly over SSH")


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
        def pred(cfg: Cfg, _p: Params) -> Optional[str]:
            weak = [",".join(path) for path in login_paths(cfg) if _knowledge_only(path, otp)]
            if not weak:
                return None
            pw = _val(cfg, "passwordauthentication")
            return f"password-only login possible via {' / '.join(weak)} (PasswordAuthentication {pw})"

        return _judge(ev, p, pred, keys, "no login path accepts a password alone")

    return _with_otp_doubt(judge(bool(_otp_modules(facts))), _otp_doubts(facts), lambda: judge(True))


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
    def pred(cfg: Cfg, _p: Params) -> Optional[str]:
        v = _val(cfg, "permitemptypasswords").lower()
        return None if v == "no" else f"PermitEmptyPasswords {v}"

    return _judge(ev, p, pred, ("permitemptypasswords",), "empty passwords are refused")


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
    def pred(cfg: Cfg, prm: Params) -> Optional[str]:
        n = _int(cfg, "maxauthtries")
        if n is None:
            return f"MaxAuthTries {_val(cfg, 'maxauthtries')!r} is not a number"
        return None if n <= int(prm["max_auth_tries"]) else f"MaxAuthTries {n} > {prm['max_auth_tries']}"

    return _judge(ev, p, pred, ("maxauthtries",), f"MaxAuthTries is at most {p['max_auth_tries']}")


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
    def pred(cfg: Cfg, prm: Params) -> Optional[str]:
        interval = _int(cfg, "clientaliveinterval")
        count = _int(cfg, "clientalivecountmax")
        if interval is None or interval == 0:
            return f"ClientAliveInterval {_val(cfg, 'clientaliveinterval')}: idle sessions are never timed out"
        if interval > int(prm["client_alive_interval_max"]):
            return f"ClientAliveInterval {interval} > {prm['client_alive_interval_max']}"
        if count is None or count == 0:
            return f"ClientAliveCountMax {_val(cfg, 'clientalivecountmax')}: unresponsive clients are never disconnected"
        if count > int(prm["client_alive_count_max"]):
            return f"ClientAliveCountMax {count} > {prm['client_alive_count_max']}"
        return None

    return _judge(ev, p, pred, ("clientaliveinterval", "clientalivecountmax"), "idle sessions are disconnected")


def _equals(key: SshdKeyword, want: str, label: str) -> Predicate:
    def pred(cfg: Cfg, _p: Params) -> Optional[str]:
        v = _val(cfg, key).lower()
        return None if v == want else f"{label} {v}"

    return pred


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
    return _judge(ev, p, _equals("ignorerhosts", "yes", "IgnoreRhosts"), ("ignorerhosts",), "rhosts files are ignored")


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
    pred = _equals("hostbasedauthentication", "no", "HostbasedAuthentication")
    return _judge(ev, p, pred, ("hostbasedauthentication",), "host-based authentication is off")


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
    pred = _equals("permituserenvironment", "no", "PermitUserEnvironment")
    return _judge(ev, p, pred, ("permituserenvironment",), "user environment options are ignored")


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
    def pred(cfg: Cfg, _p: Params) -> Optional[str]:
        if _yes(cfg, "disableforwarding"):
            return None
        bad = []
        if _val(cfg, "x11forwarding").lower() != "no":
            bad.append(f"X11Forwarding {_val(cfg, 'x11forwarding')}")
        if _val(cfg, "allowtcpforwarding").lower() != "no":
            bad.append(f"AllowTcpForwarding {_val(cfg, 'allowtcpforwarding')}")
        return ", ".join(bad) if bad else None

    keys: Tuple[SshdKeyword, ...] = ("disableforwarding", "x11forwarding", "allowtcpforwarding")
    return _judge(ev, p, pred, keys, "TCP and X11 forwarding are disabled")


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
    def pred(cfg: Cfg, prm: Params) -> Optional[str]:
        n = _int(cfg, "logingracetime")
        if n is None:
            return f"LoginGraceTime {_val(cfg, 'logingracetime')!r} is not understood"
        if n == 0:
            return "LoginGraceTime 0: unauthenticated connections never time out"
        return None if n <= int(prm["login_grace_time_max"]) else f"LoginGraceTime {n}s > {prm['login_grace_time_max']}s"

    return _judge(ev, p, pred, ("logingracetime",), f"LoginGraceTime is at most {p['login_grace_time_max']}s")


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

    def pred(cfg: Cfg, _p: Params) -> Optional[str]:
        v = _val(cfg, "loglevel").upper()
        return None if v in allowed else f"LogLevel {v}"

    return _judge(ev, p, pred, ("loglevel",), "logins are logged")


_WEAK_CIPHER = re.compile(r"cbc|3des|arcfour|blowfish|cast128|rijndael|^none$", re.IGNORECASE)
_WEAK_MAC = re.compile(r"md5|sha1|-96|umac-64|ripemd", re.IGNORECASE)
_WEAK_KEX = re.compile(r"^diffie-hellman-group1-|-sha1(@|$)", re.IGNORECASE)


def _algorithms(key: SshdKeyword, weak: re.Pattern[str], label: str) -> Predicate:
    def pred(cfg: Cfg, _p: Params) -> Optional[str]:
        bad = [a for a in _split(cfg, key) if weak.search(a)]
        return f"weak {label}: {', '.join(bad)}" if bad else None

    return pred


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
    return _judge(ev, p, _algorithms("ciphers", _WEAK_CIPHER, "ciphers"), ("ciphers",), "only strong ciphers are offered")


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
    return _judge(ev, p, _algorithms("macs", _WEAK_MAC, "MACs"), ("macs",), "only strong MACs are offered")


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
    pred = _algorithms("kexalgorithms", _WEAK_KEX, "key exchange")
    return _judge(ev, p, pred, ("kexalgorithms",), "only strong key exchange is offered")


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
    def pred(cfg: Cfg, prm: Params) -> Optional[str]:
        bad = []
        sessions = _int(cfg, "maxsessions")
        if sessions is None or sessions > int(prm["max_sessions"]):
            bad.append(f"MaxSessions {_val(cfg, 'maxsessions')} > {prm['max_sessions']}")
        parts = _val(cfg, "maxstartups").split(":")
        if len(parts) == 3 and all(x.isdigit() for x in parts):
            begin, full = int(parts[0]), int(parts[2])
        elif len(parts) == 1 and parts[0].isdigit():
            begin = full = int(parts[0])
        else:
            return f"MaxStartups {_val(cfg, 'maxstartups')!r} is not understood"
        if begin > int(prm["max_startups_begin"]) or full > int(prm["max_startups_full"]):
            bad.append(
                f"MaxStartups {_val(cfg, 'maxstartups')} exceeds {prm['max_startups_begin']}:30:{prm['max_startups_full']}"
            )
        return ", ".join(bad) if bad else None

    return _judge(ev, p, pred, ("maxsessions", "maxstartups"), "sessions and unauthenticated connections are limited")


def _mode(text: str) -> Optional[int]:
    try:
        return int(str(text), 8)
    except ValueError:
        return None


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
        return Verdict.error(f"parameter max_mode {p['max_mode']!r} is not an octal file mode")
    stats = list(facts["config_file_stats"])
    if not stats:
        return Verdict.error("no sshd configuration file could be examined")
    bad = []
    for st in stats:
        mode = _mode(st["mode"])
        if mode is None or mode & ~limit or st["uid"] != 0:
            bad.append(f"{st['path']} {st['mode']} uid={st['uid']}")
    files = [f"{s['path']} {s['mode']}" for s in stats]
    if bad:
        return Verdict.fail(f"too permissive or not owned by root: {'; '.join(bad)}", files=files)
    return Verdict.ok(f"all {len(stats)} configuration file(s) are root-owned and at most {p['max_mode']}", files=files)


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
        return Verdict.manual("no SSH host private key was found under /etc/ssh; check where the host keys are kept")
    bad = []
    for k in keys:
        mode = _mode(k["mode"])
        # RHEL 7/8 convention: 0640 root:ssh_keys for ssh-keysign.
        rhel_group = mode == 0o640 and k["group"] == "ssh_keys"
        if mode is None or k["uid"] != 0 or (mode & 0o177 and not rhel_group):
            bad.append(f"{k['path']} {k['mode']} uid={k['uid']}")
    listed = [f"{k['path']} {k['mode']}" for k in keys]
    if bad:
        return Verdict.fail(f"host private keys readable by others: {'; '.join(bad)}", keys=listed)
    return Verdict.ok(f"all {len(keys)} host private key(s) are root-only", keys=listed)


_ALLOW_KEYS: Tuple[SshdKeyword, ...] = ("allowusers", "allowgroups")
_DENY_KEYS: Tuple[SshdKeyword, ...] = ("denyusers", "denygroups")
_ACCESS_KEYS = (*_ALLOW_KEYS, *_DENY_KEYS)


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
        return Verdict.ok("SSH logins are limited by AllowUsers/AllowGroups", **allow)
    blocks = [b for b in facts["match_blocks"] if not b["never_matches"]]
    fenced = [f"Match {b['criteria']}" for b in blocks if _fences_other_addresses(b)]
    if fenced:
        return Verdict.ok("logins from outside the listed source addresses are refused or limited by Match", match_blocks=fenced)
    partial = [f"Match {b['criteria']}" for b in blocks if any(b["settings"].get(k) for k in _ACCESS_KEYS)]
    if partial:
        return Verdict.manual(
            "no global AllowUsers/AllowGroups; only Match blocks restrict logins, and only for the connections they "
            "match: check that every address the service is reachable from is covered",
            match_blocks=partial,
            **allow,
        )
    why = "no AllowUsers/AllowGroups" if not any(allow.values()) else "AllowUsers/AllowGroups match everyone"
    return Verdict.fail(f"any account with valid credentials may log in from any address ({why})", **allow)


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
        def pred(cfg: Cfg, _p: Params) -> Optional[str]:
            single = [",".join(path) for path in login_paths(cfg) if not _multi_factor(path, otp)]
            if not single:
                return None
            pw = [s for s in single if _knowledge_only(s.split(","), otp)]
            if pw:
                return f"password-only login possible ({' / '.join(pw)})"
            return f"single-factor login possible ({' / '.join(single)})"

        keys: Tuple[SshdKeyword, ...] = ("authenticationmethods", "passwordauthentication")
        return _judge(ev, p, pred, keys, "every login path needs two factors")

    verdict = _with_otp_doubt(judge(bool(otp_modules)), _otp_doubts(facts), lambda: judge(True))
    return Verdict(verdict.status, {**verdict.observed, "pam_otp_modules": otp_modules}, verdict.reason)
