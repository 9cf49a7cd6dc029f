"""Accounts, password policy, PAM, sudo and shell-environment checks.

Ids: LNX-ACC-* (accounts and shell environment), LNX-PWD-* (password policy),
LNX-SUDO-* (privilege). Thresholds that baselines disagree on are params.
"""

from __future__ import annotations

import itertools
from typing import Any, Dict, FrozenSet, List, Optional, Tuple

from checks.messages import Template, message
from checks.model import CoverageLine, InsurerDomain, Reason, Severity, Text, Verdict
from checks.registry import EvidenceView, Params, check
from collectors.host.accounts import (
    ADMIN_PRINCIPALS,
    GROUP,
    LOGIN_DEFS,
    PAM,
    PAM_PASSWDQC,
    PASS_MAX_DAYS,
    PASS_MIN_DAYS,
    PASS_WARN_AGE,
    PASSWD,
    PWQ_CREDIT_KEYS,
    SHADOW,
    SHELL_ENV,
    SUDOERS,
    UID_MIN,
    HashScheme,
    PamFacts,
    PamQuality,
    ShadowEntry,
    ShadowFacts,
)
from collectors.strictjson import JSON

_ID = InsurerDomain.IDENTITY_MFA
_PRIV = InsurerDomain.PRIVILEGED_ACCESS
_HARD = InsurerDomain.HARDENING
_BREACH = CoverageLine.DATA_BREACH_LIABILITY
_EXTORT = CoverageLine.CYBER_EXTORTION

# Accounts allowed a non-login "shell" below UID_MIN by convention (CIS 5.4.2.7).
_SHELL_EXEMPT = frozenset({"root", "sync", "shutdown", "halt"})
_STRONG_METHODS = frozenset({"SHA512", "YESCRYPT", "GOST_YESCRYPT", "BCRYPT"})
_STRONG_SCHEMES: FrozenSet[HashScheme] = frozenset({"yescrypt", "gost-yescrypt", "sha512", "bcrypt", "scrypt"})
_WEAK_SCHEMES: FrozenSet[HashScheme] = frozenset({"md5", "des", "bsdi-des", "sunmd5", "sha1", "unknown", "sha256"})


def _users_with_password(shadow: ShadowFacts) -> List[ShadowEntry]:
    return [e for e in shadow["entries"] if not e["locked"] and not e["empty"]]


# --------------------------------------------------------------------------- accounts
EXTRA_UID0 = message(
    "LNX-ACC-001/extra-uid0", en="accounts other than root have UID 0: {accounts}", zh="除 root 外还有账户的 UID 为 0：{accounts}"
)
NO_ROOT_UID0 = message(
    "LNX-ACC-001/no-root",
    en="no account named root has UID 0; the superuser has been renamed or is missing",
    zh="没有名为 root 且 UID 为 0 的账户：超级用户已被改名或缺失",
)
ONLY_ROOT_UID0 = message("LNX-ACC-001/only-root", en="only root has UID 0", zh="仅 root 的 UID 为 0")


@check(
    id="LNX-ACC-001",
    title=Text(zh="仅 root 账户的 UID 为 0", en="Only root has UID 0"),
    remediation=Text(
        zh="删除或修改额外的 UID 0 账户（usermod -u <新UID> <用户> 或 userdel <用户>），管理员使用个人账户加 sudo 提权。",
        en="Remove or renumber every extra UID 0 account (usermod -u <new uid> <user> or userdel <user>); administrators use personal accounts with sudo.",
    ),
    severity=Severity.HIGH,
    mlps=("L3-CES1-01", "L3-CES1-08"),
    domains=(_PRIV,),
    coverage=(_BREACH, _EXTORT),
    needs=(PASSWD,),
    basis="A second UID-0 account breaks unique identification (8.1.4.1 a) and gives full privilege to a name no one reviews (8.1.4.2 d).",
)
def only_root_uid0(ev: EvidenceView, p: Params) -> Verdict:
    uid0 = list(ev.facts(PASSWD)["uid0"])
    extra = [u for u in uid0 if u != "root"]
    if extra:
        return Verdict.fail(EXTRA_UID0(accounts=extra), uid0=uid0)
    if "root" not in uid0:
        return Verdict.fail(NO_ROOT_UID0(), uid0=uid0)
    return Verdict.ok(ONLY_ROOT_UID0(), uid0=uid0)


EMPTY_PASSWORDS = message("LNX-ACC-002/empty", en="accounts without a password: {accounts}", zh="以下账户没有口令：{accounts}")
NO_EMPTY_PASSWORDS = message(
    "LNX-ACC-002/none", en="every account has a password hash or is locked", zh="所有账户均已设置口令哈希或已锁定"
)


@check(
    id="LNX-ACC-002",
    title=Text(zh="不存在空口令账户", en="No account has an empty password"),
    remediation=Text(
        zh="为空口令账户设置口令或锁定账户：passwd -l <用户>；并从 PAM 配置中去掉 nullok。",
        en="Set a password on, or lock, every account with an empty password (passwd -l <user>), and remove 'nullok' from the PAM stack.",
    ),
    severity=Severity.CRITICAL,
    mlps=("L3-CES1-01",),
    high_risk_case="6.4.1.1",
    domains=(_ID,),
    coverage=(_BREACH, _EXTORT),
    needs=(PASSWD, SHADOW),
    needs_root=True,
    basis="A loginable account with an empty password is item (1) of case 6.4.1.1 under 8.1.4.1 a.",
)
def no_empty_passwords(ev: EvidenceView, p: Params) -> Verdict:
    passwd = ev.facts(PASSWD)
    shadow = ev.facts(SHADOW)
    empty = sorted(
        set(shadow["empty"]) | {u["name"] for u in passwd["users"] if u["password_field"] == "empty"}  # noqa: S105
    )
    if empty:
        return Verdict.fail(EMPTY_PASSWORDS(accounts=empty), accounts=empty)
    return Verdict.ok(NO_EMPTY_PASSWORDS(), accounts=[])


NOT_SHADOWED = message(
    "LNX-ACC-003/not-shadowed",
    en="accounts whose password field in /etc/passwd is not 'x': {accounts}",
    zh="以下账户在 /etc/passwd 中的口令字段不是 'x'：{accounts}",
)
ALL_SHADOWED = message("LNX-ACC-003/all-shadowed", en="every account is shadowed", zh="所有账户的口令均保存在 shadow 文件中")


@check(
    id="LNX-ACC-003",
    title=Text(zh="所有账户的口令均保存在 shadow 文件中", en="All accounts use shadowed passwords"),
    remediation=Text(
        zh="运行 pwconv 将口令迁移到 /etc/shadow，使 /etc/passwd 第二字段均为 x。",
        en="Run pwconv so every password lives in /etc/shadow and field 2 of /etc/passwd is 'x'.",
    ),
    severity=Severity.MEDIUM,
    mlps=("L3-CES1-28", "L3-CES1-01"),
    domains=(_ID,),
    coverage=(_BREACH,),
    needs=(PASSWD,),
    basis="Password hashes kept in /etc/shadow, readable by root only, protect stored authentication data (8.1.4.8 b).",
)
def accounts_shadowed(ev: EvidenceView, p: Params) -> Verdict:
    bad = list(ev.facts(PASSWD)["not_shadowed"])
    if bad:
        return Verdict.fail(NOT_SHADOWED(accounts=bad), accounts=bad)
    return Verdict.ok(ALL_SHADOWED(), accounts=[])


SHARED_USERS = message(
    "LNX-ACC-004/shared", en="UIDs or user names are shared between accounts", zh="存在多个账户共用的 UID 或用户名"
)
UNIQUE_USERS = message("LNX-ACC-004/unique", en="every user name and UID is unique", zh="所有用户名与 UID 均唯一")


@check(
    id="LNX-ACC-004",
    title=Text(zh="用户名与 UID 唯一", en="User names and UIDs are unique"),
    remediation=Text(
        zh="为共用 UID 的账户分配独立 UID（usermod -u），删除重复的用户名，避免共享账户。",
        en="Give every account its own UID (usermod -u) and remove duplicate user names so no identity is shared.",
    ),
    severity=Severity.MEDIUM,
    mlps=("L3-CES1-01", "L3-CES1-07"),
    domains=(_ID,),
    coverage=(_BREACH,),
    needs=(PASSWD,),
    basis="Duplicate names or UIDs make two people one identity: identification is not unique (8.1.4.1 a) and the account is shared (8.1.4.2 c).",
)
def unique_uids(ev: EvidenceView, p: Params) -> Verdict:
    facts = ev.facts(PASSWD)
    dup_uids = dict(facts["duplicate_uids"])
    dup_names = list(facts["duplicate_names"])
    if dup_uids or dup_names:
        return Verdict.fail(SHARED_USERS(), duplicate_uids=dup_uids, duplicate_names=dup_names)
    return Verdict.ok(UNIQUE_USERS(), duplicate_uids={}, duplicate_names=[])


SHARED_GROUPS = message(
    "LNX-ACC-005/shared", en="GIDs or group names are shared between groups", zh="存在多个组共用的 GID 或组名"
)
UNIQUE_GROUPS = message("LNX-ACC-005/unique", en="every group name and GID is unique", zh="所有组名与 GID 均唯一")


@check(
    id="LNX-ACC-005",
    title=Text(zh="组名与 GID 唯一", en="Group names and GIDs are unique"),
    remediation=Text(
        zh="使用 groupmod -g 为重复 GID 的组分配新 GID，删除重复的组名。",
        en="Give duplicate groups their own GID (groupmod -g) and remove duplicate group names.",
    ),
    severity=Severity.LOW,
    mlps=("L3-CES1-05",),
    domains=(_HARD,),
    needs=(GROUP,),
    basis="Duplicate groups blur which permissions a user was given (8.1.4.2 a).",
)
def unique_gids(ev: EvidenceView, p: Params) -> Verdict:
    facts = ev.facts(GROUP)
    dup_gids = dict(facts["duplicate_gids"])
    dup_names = list(facts["duplicate_names"])
    if dup_gids or dup_names:
        return Verdict.fail(SHARED_GROUPS(), duplicate_gids=dup_gids, duplicate_names=dup_names)
    return Verdict.ok(UNIQUE_GROUPS(), duplicate_gids={}, duplicate_names=[])


def _uid_min(ev: EvidenceView) -> int:
    defs = ev.optional(LOGIN_DEFS)
    value = defs["values"].get(UID_MIN) if defs else None
    return int(value) if isinstance(value, int) and value > 0 else 1000


SYSTEM_LOGIN_SHELL = message(
    "LNX-ACC-006/login-shell",
    en="system accounts (UID < {uid_min}) with a login shell: {accounts}",
    zh="以下系统账户（UID < {uid_min}）配置了可登录的 shell：{accounts}",
)
NO_SYSTEM_LOGIN_SHELL = message(
    "LNX-ACC-006/none",
    en="no system account (UID < {uid_min}) has a login shell",
    zh="没有系统账户（UID < {uid_min}）配置可登录的 shell",
)


@check(
    id="LNX-ACC-006",
    title=Text(zh="系统账户不可交互登录", en="System accounts have no login shell"),
    remediation=Text(
        zh="为系统账户设置不可登录的 shell：usermod -s /usr/sbin/nologin <账户>（RHEL 系为 /sbin/nologin）。",
        en="Set a non-login shell on each system account: usermod -s /usr/sbin/nologin <account> (/sbin/nologin on RHEL).",
    ),
    severity=Severity.MEDIUM,
    mlps=("L3-CES1-06", "L3-CES1-07"),
    domains=(_HARD,),
    coverage=(_BREACH,),
    needs=(PASSWD,),
    basis="System accounts that cannot log in are the Linux form of disabling default and surplus accounts (8.1.4.2 b, c).",
)
def system_accounts_nologin(ev: EvidenceView, p: Params) -> Verdict:
    uid_min = _uid_min(ev)
    bad = [
        u["name"]
        for u in ev.facts(PASSWD)["users"]
        if u["uid"] < uid_min and u["name"] not in _SHELL_EXEMPT and u["uid"] != 0 and u["login_shell"]
    ]
    bad += [u["name"] for u in ev.facts(PASSWD)["users"] if u["uid"] == 0 and u["name"] != "root" and u["login_shell"]]
    if bad:
        return Verdict.fail(SYSTEM_LOGIN_SHELL(uid_min=uid_min, accounts=bad), accounts=bad, uid_min=uid_min)
    return Verdict.ok(NO_SYSTEM_LOGIN_SHELL(uid_min=uid_min), accounts=[], uid_min=uid_min)


# An entry is "<file>:<line> <issue>", the issue as the host.shell_env collector words it ("'.' entry").
UNSAFE_PATH = message("LNX-ACC-007/unsafe", en="unsafe PATH entries: {entries}", zh="root 的 PATH 含不安全的项：{entries}")
SAFE_PATH = message(
    "LNX-ACC-007/safe",
    en="no '.', empty or relative PATH entries found in root's start-up files",
    zh="root 的启动文件中未发现 PATH 含 '.'、空项或相对路径",
)


@check(
    id="LNX-ACC-007",
    title=Text(zh="root 的 PATH 不含当前目录或空项", en="root's PATH has no '.' or empty entries"),
    remediation=Text(
        zh="从 /etc/profile、/etc/environment 与 /root/.bashrc 等文件的 PATH 中删除 '.'、空项（'::'、首尾冒号）和相对路径。",
        en="Remove '.', empty entries ('::', leading or trailing ':') and relative directories from PATH in /etc/profile, /etc/environment and root's dotfiles.",
    ),
    severity=Severity.LOW,
    mlps=("L3-CES1-09",),
    domains=(_HARD,),
    needs=(SHELL_ENV,),
    basis="A writable or relative entry in root's PATH lets others choose what root runs; no clause names it, the nearest is the access policy rule of 8.1.4.2 e.",
)
def root_path_sane(ev: EvidenceView, p: Params) -> Verdict:
    problems = list(ev.facts(SHELL_ENV)["root_path_problems"])
    if problems:
        entries = [f"{x['file']}:{x['line']} {x['issue']}" if x["line"] else f"{x['file']} {x['issue']}" for x in problems]
        return Verdict.fail(UNSAFE_PATH(entries=entries), problems=problems)
    return Verdict.ok(SAFE_PATH(), problems=[])


TRUST_FILES = message(
    "LNX-ACC-008/found", en="trust or plaintext-credential files present: {files}", zh="存在信任文件或明文凭据文件：{files}"
)
HOMES_UNLISTED = message(
    "LNX-ACC-008/homes-unreadable", en="home directories could not be listed: {homes}", zh="无法列出以下主目录：{homes}"
)
PASSWD_DAMAGED = message(
    "LNX-ACC-008/passwd-damaged",
    en="/etc/passwd is damaged, so not every home directory could be examined",
    zh="/etc/passwd 已损坏，未能检查所有主目录",
)
NO_TRUST_FILES = message(
    "LNX-ACC-008/none", en="no .rhosts, .shosts, .netrc or hosts.equiv found", zh="未发现 .rhosts、.shosts、.netrc 或 hosts.equiv"
)


@check(
    id="LNX-ACC-008",
    title=Text(zh="不存在 .rhosts/.netrc/hosts.equiv 信任文件", en="No .rhosts, .shosts, .netrc or hosts.equiv trust files"),
    remediation=Text(
        zh="删除用户主目录中的 .rhosts、.shosts、.netrc 以及 /etc/hosts.equiv，改用 SSH 密钥或凭据管理工具。",
        en="Delete .rhosts, .shosts and .netrc from home directories and remove /etc/hosts.equiv; use SSH keys or a credential vault instead.",
    ),
    severity=Severity.MEDIUM,
    mlps=("L3-CES1-01", "L3-CES1-28"),
    domains=(_ID,),
    coverage=(_BREACH,),
    needs=(SHELL_ENV,),
    needs_root=True,
    basis="rhosts/hosts.equiv trust skips authentication (8.1.4.1 a); .netrc stores passwords in clear (8.1.4.8 b).",
)
def no_trust_files(ev: EvidenceView, p: Params) -> Verdict:
    trust = ev.facts(SHELL_ENV)["trust_files"]
    found = [f["path"] for f in trust["found"]]
    if found:
        return Verdict.fail(TRUST_FILES(files=found), files=found)
    unreadable = list(trust["unreadable_homes"])
    if unreadable:
        return Verdict.error(HOMES_UNLISTED(homes=unreadable), unreadable_homes=unreadable)
    if trust["passwd_damaged"]:
        return Verdict.error(PASSWD_DAMAGED())
    return Verdict.ok(NO_TRUST_FILES(), files=[])


def _octal(value: Optional[str]) -> Optional[int]:
    try:
        return int(value, 8) if value is not None else None
    except ValueError:
        return None


WEAK_UMASK = message("LNX-ACC-009/weak", en="umask weaker than {umask}: {settings}", zh="以下 umask 宽于 {umask}：{settings}")
STRICT_UMASK = message(
    "LNX-ACC-009/strict", en="every configured umask is {umask} or stricter", zh="所有已配置的 umask 均为 {umask} 或更严格"
)


@check(
    id="LNX-ACC-009",
    title=Text(zh="默认 umask 为 027 或更严格", en="Default umask is 027 or stricter"),
    remediation=Text(
        zh="在 /etc/login.defs 设置 UMASK 027，并将 /etc/profile、/etc/bashrc、/etc/profile.d/*.sh 中的 umask 改为 027。",
        en="Set 'UMASK 027' in /etc/login.defs and change every umask in /etc/profile, /etc/bashrc and /etc/profile.d/*.sh to 027.",
    ),
    severity=Severity.LOW,
    mlps=("L3-CES1-09", "L3-CES1-10"),
    domains=(_HARD,),
    needs=(LOGIN_DEFS, SHELL_ENV),
    params={"umask": "027"},
    basis="The default umask sets the access rule of every new file, at file granularity (8.1.4.2 e, f).",
)
def default_umask(ev: EvidenceView, p: Params) -> Verdict:
    required = _octal(str(p["umask"])) or 0o027
    defs = ev.facts(LOGIN_DEFS)
    env = ev.facts(SHELL_ENV)
    login_defs_umask: str = defs.get("umask_octal") or "022 (unset)"
    settings: List[Dict[str, Any]] = [{"file": "/etc/login.defs", "line": None, "value": login_defs_umask}]
    settings += [dict(u) for u in env["umask"]]
    weak = [s for s in settings if (_octal(str(s["value"]).split()[0]) or 0) & required != required]
    if weak:
        where = [f"{s['file']}={s['value']}" for s in weak]
        return Verdict.fail(WEAK_UMASK(umask=p["umask"], settings=where), settings=settings)
    return Verdict.ok(STRICT_UMASK(umask=p["umask"]), settings=settings)


TMOUT_UNSET = message(
    "LNX-ACC-010/unset",
    en="TMOUT is not set in any system-wide shell start-up file",
    zh="所有系统级 shell 启动文件中均未设置 TMOUT",
)
TMOUT_TOO_LONG = message(
    "LNX-ACC-010/too-long", en="TMOUT is 0 or above {limit} s in {file}", zh="{file} 中的 TMOUT 为 0 或超过 {limit} 秒"
)
TMOUT_NOT_READONLY = message(
    "LNX-ACC-010/not-readonly",
    en="TMOUT is set but not readonly, so users can unset it",
    zh="TMOUT 已设置但未设为只读（readonly），用户可以自行取消",
)
TMOUT_OK = message("LNX-ACC-010/ok", en="TMOUT is at most {limit} s", zh="TMOUT 不超过 {limit} 秒")


@check(
    id="LNX-ACC-010",
    title=Text(zh="交互式 shell 空闲超时自动退出（TMOUT）", en="Idle interactive shells time out (TMOUT)"),
    remediation=Text(
        zh="创建 /etc/profile.d/tmout.sh，内容为：TMOUT=600、readonly TMOUT、export TMOUT。",
        en="Create /etc/profile.d/tmout.sh containing: TMOUT=600, readonly TMOUT, export TMOUT.",
    ),
    severity=Severity.MEDIUM,
    mlps=("L3-CES1-02",),
    domains=(_HARD,),
    needs=(SHELL_ENV,),
    params={"max_seconds": 900, "require_readonly": True},
    basis="An idle shell that times out is the 'connection timeout logs out' part of 8.1.4.1 b.",
)
def shell_timeout(ev: EvidenceView, p: Params) -> Verdict:
    tmout = list(ev.facts(SHELL_ENV)["tmout"])
    limit = int(p["max_seconds"])
    if not tmout:
        return Verdict.fail(TMOUT_UNSET(), tmout=[])
    too_long = [t for t in tmout if t["value"] <= 0 or t["value"] > limit]
    if too_long:
        return Verdict.fail(TMOUT_TOO_LONG(limit=limit, file=too_long[0]["file"]), tmout=tmout, max_seconds=limit)
    if p.get("require_readonly") and not all(t["readonly"] for t in tmout):
        return Verdict.fail(TMOUT_NOT_READONLY(), tmout=tmout, max_seconds=limit)
    return Verdict.ok(TMOUT_OK(limit=limit), tmout=tmout, max_seconds=limit)


# --------------------------------------------------------------------------- password policy
def _login_defs_value(ev: EvidenceView, key: str) -> Optional[int]:
    value = ev.facts(LOGIN_DEFS)["values"].get(key)
    return value if isinstance(value, int) else None


MAX_DAYS_TOO_LONG = message(
    "LNX-PWD-001/too-long",
    en="PASS_MAX_DAYS is {value}; at most {limit} required",
    zh="PASS_MAX_DAYS 为 {value}，要求不超过 {limit} 天",
)
MAX_DAYS_UNSET = message(
    "LNX-PWD-001/unset", en="PASS_MAX_DAYS is unset; at most {limit} required", zh="PASS_MAX_DAYS 未设置，要求不超过 {limit} 天"
)
MAX_DAYS_SHADOW_UNREAD = message(
    "LNX-PWD-001/shadow-unreadable",
    en="PASS_MAX_DAYS is {value}, but /etc/shadow could not be read, so existing accounts' own "
    "maximum age (chage -l <user>) must be checked by hand",
    zh="PASS_MAX_DAYS 为 {value}，但无法读取 /etc/shadow，需人工核查现有账户各自的口令最长使用期限（chage -l <用户>）",
)
NEVER_EXPIRE = message(
    "LNX-PWD-001/accounts",
    en="accounts whose password never expires within {limit} days: {accounts}",
    zh="以下账户的口令在 {limit} 天内不会过期：{accounts}",
)
MAX_DAYS_OK = message(
    "LNX-PWD-001/ok",
    en="PASS_MAX_DAYS is {value} and every account with a password follows it",
    zh="PASS_MAX_DAYS 为 {value}，所有设有口令的账户均遵循该期限",
)


@check(
    id="LNX-PWD-001",
    title=Text(zh="口令最长使用期限不超过规定天数", en="Password maximum age is limited"),
    remediation=Text(
        zh="在 /etc/login.defs 设置 PASS_MAX_DAYS 90，并对现有账户执行 chage --maxdays 90 <用户>。",
        en="Set 'PASS_MAX_DAYS 90' in /etc/login.defs and apply it to existing accounts with chage --maxdays 90 <user>.",
    ),
    severity=Severity.MEDIUM,
    mlps=("L3-CES1-01",),
    domains=(_ID,),
    needs=(LOGIN_DEFS, SHADOW),
    # 90 days: MLPS L3-CES1-01 requires periodic password change and Chinese
    # assessors commonly expect a quarter; CIS accepts 365, dev-sec 60.
    params={"max_days": 90},
    basis="A maximum password age is the 'changed regularly' of 8.1.4.1 a.",
)
def password_max_age(ev: EvidenceView, p: Params) -> Verdict:
    limit = int(p["max_days"])
    value = _login_defs_value(ev, PASS_MAX_DAYS)
    if value is None:
        return Verdict.fail(MAX_DAYS_UNSET(limit=limit), pass_max_days=value)
    if value < 0 or value > limit:
        return Verdict.fail(MAX_DAYS_TOO_LONG(value=value, limit=limit), pass_max_days=value)
    shadow = ev.optional(SHADOW)
    if shadow is None:
        # login.defs only seeds accounts created later; existing ones keep their own
        # shadow ageing, so without /etc/shadow the result cannot be a pass.
        return Verdict.manual(MAX_DAYS_SHADOW_UNREAD(value=value), pass_max_days=value, accounts_checked=False)
    over = [
        e["user"] for e in _users_with_password(shadow) if e["max_days"] is None or e["max_days"] < 0 or e["max_days"] > limit
    ]
    if over:
        return Verdict.fail(NEVER_EXPIRE(limit=limit, accounts=over), pass_max_days=value, accounts=over)
    return Verdict.ok(MAX_DAYS_OK(value=value), pass_max_days=value, accounts_checked=True)


MIN_DAYS = message("LNX-PWD-002/value", en="PASS_MIN_DAYS is {value}", zh="PASS_MIN_DAYS 为 {value}")
MIN_DAYS_UNSET = message("LNX-PWD-002/unset", en="PASS_MIN_DAYS is unset", zh="PASS_MIN_DAYS 未设置")


@check(
    id="LNX-PWD-002",
    title=Text(zh="口令最短使用期限至少 1 天", en="Password minimum age is at least 1 day"),
    remediation=Text(zh="在 /etc/login.defs 设置 PASS_MIN_DAYS 1。", en="Set 'PASS_MIN_DAYS 1' in /etc/login.defs."),
    severity=Severity.LOW,
    mlps=("L3-CES1-01",),
    domains=(_ID,),
    needs=(LOGIN_DEFS,),
    params={"min_days": 1},
    basis="A minimum age stops immediate cycling back to an old password (8.1.4.1 a).",
)
def password_min_age(ev: EvidenceView, p: Params) -> Verdict:
    value = _login_defs_value(ev, PASS_MIN_DAYS)
    if value is None:
        return Verdict.fail(MIN_DAYS_UNSET(), pass_min_days=value)
    if value < int(p["min_days"]):
        return Verdict.fail(MIN_DAYS(value=value), pass_min_days=value)
    return Verdict.ok(MIN_DAYS(value=value), pass_min_days=value)


WARN_AGE = message("LNX-PWD-003/value", en="PASS_WARN_AGE is {value}", zh="PASS_WARN_AGE 为 {value}")
WARN_AGE_UNSET = message("LNX-PWD-003/unset", en="PASS_WARN_AGE is unset", zh="PASS_WARN_AGE 未设置")


@check(
    id="LNX-PWD-003",
    title=Text(zh="口令过期前至少提前 7 天警告", en="Password expiry warning is at least 7 days"),
    remediation=Text(zh="在 /etc/login.defs 设置 PASS_WARN_AGE 7。", en="Set 'PASS_WARN_AGE 7' in /etc/login.defs."),
    severity=Severity.LOW,
    mlps=("L3-CES1-01",),
    domains=(_ID,),
    needs=(LOGIN_DEFS,),
    params={"warn_days": 7},
    basis="An expiry warning supports regular change (8.1.4.1 a).",
)
def password_warn_age(ev: EvidenceView, p: Params) -> Verdict:
    value = _login_defs_value(ev, PASS_WARN_AGE)
    if value is None:
        return Verdict.fail(WARN_AGE_UNSET(), pass_warn_age=value)
    if value < int(p["warn_days"]):
        return Verdict.fail(WARN_AGE(value=value), pass_warn_age=value)
    return Verdict.ok(WARN_AGE(value=value), pass_warn_age=value)


def _min_length(pam: PamFacts) -> Optional[int]:
    """Shortest password the password stack accepts; None when nothing enforces a length."""
    quality = pam["quality"]
    if quality["module"]:
        length = quality["min_length"]
        return length if isinstance(length, int) else None
    unix = pam["unix"]
    return unix.get("minlen") if unix["present"] else None


def _stack_lengths(pam: PamFacts) -> Dict[str, Optional[int]]:
    return {path: st["min_length"] for path, st in sorted(pam.get("password_stacks", {}).items())}


def _in_stack(stack: Optional[str], pam: PamFacts) -> Optional[str]:
    """The password stack a reason names: only where the host has more than one."""
    return stack if stack and len(pam.get("password_stacks", {})) > 1 else None


def _said(plain: Template, in_stack: Template, stack: Optional[str], **params: Any) -> Reason:
    """``plain`` on a host with one password stack, ``in_stack`` (which names it) on one with several."""
    return in_stack(stack=stack, **params) if stack else plain(**params)


# Shared by LNX-PWD-004 and LNX-PWD-005.
PASSWDQC_MIN = message(
    "LNX-PWD/passwdqc-min",
    en="pam_passwdqc is used; confirm its min= policy by hand",
    zh="使用 pam_passwdqc，需人工核查其 min= 策略",
)
PASSWDQC_MIN_IN = message(
    "LNX-PWD/passwdqc-min-in-stack",
    en="pam_passwdqc is used ({stack}); confirm its min= policy by hand",
    zh="使用 pam_passwdqc（{stack}），需人工核查其 min= 策略",
)
SHORTEST = message("LNX-PWD-004/shortest", en="shortest accepted password is {length}", zh="可接受的最短口令为 {length} 位")
SHORTEST_IN = message(
    "LNX-PWD-004/shortest-in-stack",
    en="shortest accepted password is {length} ({stack})",
    zh="可接受的最短口令为 {length} 位（{stack}）",
)
UNLIMITED = message("LNX-PWD-004/unlimited", en="shortest accepted password is not limited", zh="口令长度没有下限")
UNLIMITED_IN = message(
    "LNX-PWD-004/unlimited-in-stack", en="shortest accepted password is not limited ({stack})", zh="口令长度没有下限（{stack}）"
)
MIN_LENGTH_OK = message(
    "LNX-PWD-004/ok",
    en="passwords shorter than {length} characters are refused in every password stack",
    zh="所有 password 栈均拒绝短于 {length} 位的口令",
)


@check(
    id="LNX-PWD-004",
    title=Text(zh="口令最小长度满足要求", en="Password minimum length meets policy"),
    remediation=Text(
        zh="安装 libpam-pwquality（RHEL 系自带），在 /etc/security/pwquality.conf 设置 minlen = 14（至少 8），并确保 pam_pwquality.so 位于 password 栈。",
        en="Install libpam-pwquality (built in on RHEL), set 'minlen = 14' (at least 8) in /etc/security/pwquality.conf and keep pam_pwquality.so in the password stack.",
    ),
    severity=Severity.MEDIUM,
    mlps=("L3-CES1-01",),
    domains=(_ID,),
    coverage=(_BREACH,),
    needs=(PAM,),
    params={"min_length": 8},
    basis="A minimum length is the complexity requirement of 8.1.4.1 a.",
)
def password_min_length(ev: EvidenceView, p: Params) -> Verdict:
    """Judged on the weakest password stack: a minlen in system-auth does nothing for password-auth's services."""
    pam = ev.facts(PAM)
    module = pam["quality"]["module"]
    length = _min_length(pam)
    stack = pam.get("weakest_password_stack")
    where = _in_stack(stack, pam)
    observed: Dict[str, Any] = {"min_length": length, "module": module, "stack": stack, "stacks": _stack_lengths(pam)}
    if module == PAM_PASSWDQC and length is None:
        return Verdict.manual(_said(PASSWDQC_MIN, PASSWDQC_MIN_IN, where), **observed)
    if length is None:
        return Verdict.fail(_said(UNLIMITED, UNLIMITED_IN, where), **observed)
    if length < int(p["min_length"]):
        return Verdict.fail(_said(SHORTEST, SHORTEST_IN, where, length=length), **observed)
    return Verdict.ok(MIN_LENGTH_OK(length=length), **observed)


NO_MIN_LENGTH = message(
    "LNX-PWD-005/no-minimum",
    en="no module in the password stack enforces a minimum length",
    zh="password 栈中没有模块强制口令最小长度",
)
NO_MIN_LENGTH_IN = message(
    "LNX-PWD-005/no-minimum-in-stack",
    en="no module in the password stack enforces a minimum length ({stack})",
    zh="password 栈中没有模块强制口令最小长度（{stack}）",
)
SHORT_ACCEPTED = message(
    "LNX-PWD-005/short-accepted", en="passwords of {length} characters are accepted", zh="可接受长度仅为 {length} 位的口令"
)
SHORT_ACCEPTED_IN = message(
    "LNX-PWD-005/short-accepted-in-stack",
    en="passwords of {length} characters are accepted ({stack})",
    zh="可接受长度仅为 {length} 位的口令（{stack}）",
)
MIN_LENGTH_IS = message("LNX-PWD-005/ok", en="minimum password length is {length}", zh="口令最小长度为 {length} 位")


@check(
    id="LNX-PWD-005",
    title=Text(zh="不接受 6 位及以下的口令", en="Passwords of 6 characters or fewer are refused"),
    remediation=Text(
        zh="在 password 栈中启用 pam_pwquality.so，并在 /etc/security/pwquality.conf 设置 minlen = 8 或更高；删除 pam_unix.so 的过小 minlen 参数。",
        en="Enable pam_pwquality.so in the password stack with 'minlen = 8' or more in /etc/security/pwquality.conf, and drop any small minlen= on pam_unix.so.",
    ),
    severity=Severity.HIGH,
    mlps=("L3-CES1-01",),
    domains=(_ID,),
    coverage=(_BREACH, _EXTORT),
    needs=(PAM,),
    basis="A policy that accepts passwords of 6 characters or fewer (the guide's '6位以下', read as including 6) permits the weak passwords of case 6.4.1.1 but does not show one exists, so it carries no case; existing passwords are asked in PW-05.",
)
def password_length_high_risk(ev: EvidenceView, p: Params) -> Verdict:
    pam = ev.facts(PAM)
    length = _min_length(pam)
    stack = pam.get("weakest_password_stack")
    where = _in_stack(stack, pam)
    if pam["quality"]["module"] == PAM_PASSWDQC and length is None:
        return Verdict.manual(_said(PASSWDQC_MIN, PASSWDQC_MIN_IN, where), stack=stack)
    if length is None:
        return Verdict.fail(_said(NO_MIN_LENGTH, NO_MIN_LENGTH_IN, where), min_length=None, stack=stack)
    if length <= 6:
        return Verdict.fail(_said(SHORT_ACCEPTED, SHORT_ACCEPTED_IN, where, length=length), min_length=length, stack=stack)
    return Verdict.ok(MIN_LENGTH_IS(length=length), min_length=length, stack=stack)


def _classes(quality: PamQuality) -> int:
    settings = quality["settings"]
    required = sum(1 for k in PWQ_CREDIT_KEYS if (settings.get(k) or 0) < 0)
    return max(settings.get("minclass") or 0, required)


NO_QUALITY_MODULE = message(
    "LNX-PWD-006/no-module",
    en="no password-quality module (pam_pwquality/pam_cracklib) in: {stacks}",
    zh="以下 password 栈中没有口令质量模块（pam_pwquality/pam_cracklib）：{stacks}",
)
NO_QUALITY_MODULE_ONE = message(
    "LNX-PWD-006/no-module-in-stack",
    en="no password-quality module (pam_pwquality/pam_cracklib) in: password stack",
    zh="password 栈中没有口令质量模块（pam_pwquality/pam_cracklib）",
)
PASSWDQC_CLASSES = message(
    "LNX-PWD-006/passwdqc",
    en="pam_passwdqc is used; confirm its character-class policy by hand",
    zh="使用 pam_passwdqc，需人工核查其字符类别策略",
)
FEW_CLASSES = message(
    "LNX-PWD-006/few-classes", en="only {classes} character classes are required", zh="仅要求口令包含 {classes} 类字符"
)
FEW_CLASSES_IN = message(
    "LNX-PWD-006/few-classes-in-stack",
    en="only {classes} character classes are required ({stack})",
    zh="仅要求口令包含 {classes} 类字符（{stack}）",
)
CLASSES_OK = message("LNX-PWD-006/ok", en="{classes} character classes are required", zh="要求口令包含 {classes} 类字符")


@check(
    id="LNX-PWD-006",
    title=Text(zh="口令复杂度要求至少包含三类字符", en="Password complexity requires several character classes"),
    remediation=Text(
        zh="在 /etc/security/pwquality.conf 设置 minclass = 3（或 dcredit/ucredit/lcredit/ocredit = -1），并确保 pam_pwquality.so 已启用。",
        en="Set 'minclass = 3' (or dcredit/ucredit/lcredit/ocredit = -1) in /etc/security/pwquality.conf and keep pam_pwquality.so enabled.",
    ),
    severity=Severity.MEDIUM,
    mlps=("L3-CES1-01",),
    domains=(_ID,),
    needs=(PAM,),
    params={"min_classes": 3},
    basis="Character-class rules are the complexity requirement of 8.1.4.1 a.",
)
def password_complexity(ev: EvidenceView, p: Params) -> Verdict:
    """Judged on every password stack: the weakest one is the host's policy."""
    pam = ev.facts(PAM)
    stacks = {path: st["quality"] for path, st in sorted(pam.get("password_stacks", {}).items())} or {"": pam["quality"]}
    without = [path for path, q in stacks.items() if q["module"] is None]
    if without:
        reason = NO_QUALITY_MODULE(stacks=without) if any(without) else NO_QUALITY_MODULE_ONE()
        return Verdict.fail(reason, module=None, stacks=[path or "password stack" for path in without])
    if any(q["module"] == PAM_PASSWDQC for q in stacks.values()):
        return Verdict.manual(PASSWDQC_CLASSES(), module=PAM_PASSWDQC)
    per = {path: _classes(q) for path, q in stacks.items()}
    weakest = min(sorted(per), key=lambda k: per[k])
    classes, module = per[weakest], stacks[weakest]["module"]
    where = weakest if weakest and len(per) > 1 else None
    if classes < int(p["min_classes"]):
        return Verdict.fail(_said(FEW_CLASSES, FEW_CLASSES_IN, where, classes=classes), classes=classes, module=module)
    return Verdict.ok(CLASSES_OK(classes=classes), classes=classes, module=module)


NO_LOCKOUT = message(
    "LNX-PWD-007/no-module",
    en="neither pam_faillock nor pam_tally2 is in the auth stack",
    zh="auth 栈中既没有 pam_faillock 也没有 pam_tally2",
)
FAILURES_NOT_RECORDED = message(
    "LNX-PWD-007/not-recorded",
    en="{stacks}: no auth line records failed logins (pam_faillock needs an 'authfail' line; 'preauth' alone only reads the tally)",
    zh="{stacks}：没有记录登录失败的 auth 行（pam_faillock 需要 'authfail' 行，仅有 'preauth' 只会读取失败计数）",
)
LOCKS_LATE = message(
    "LNX-PWD-007/too-many", en="{module} locks only after {deny} failures", zh="{module} 在失败 {deny} 次后才锁定账户"
)
NEVER_LOCKS = message(
    "LNX-PWD-007/unlimited", en="{module} locks only after unlimited failures", zh="{module} 未限制失败次数，账户不会被锁定"
)
LOCKS = message("LNX-PWD-007/ok", en="{module} locks after {deny} failures", zh="{module} 在失败 {deny} 次后锁定账户")


@check(
    id="LNX-PWD-007",
    title=Text(zh="登录失败达到次数后锁定账户", en="Accounts lock after repeated failed logins"),
    remediation=Text(
        zh="在 auth 栈启用 pam_faillock.so（preauth/authfail），并在 /etc/security/faillock.conf 设置 deny = 5、unlock_time = 900。",
        en="Enable pam_faillock.so (preauth and authfail) in the auth stack and set 'deny = 5' and 'unlock_time = 900' in /etc/security/faillock.conf.",
    ),
    severity=Severity.MEDIUM,
    mlps=("L3-CES1-02",),
    domains=(_ID,),
    coverage=(_BREACH, _EXTORT),
    needs=(PAM,),
    params={"max_deny": 5},
    basis="Lockout after failed logins is 'limit illegal login attempts' (8.1.4.1 b).",
)
def login_lockout(ev: EvidenceView, p: Params) -> Verdict:
    lockout = ev.facts(PAM)["lockout"]
    module, deny = lockout["module"], lockout["deny"]
    if module is None:
        return Verdict.fail(NO_LOCKOUT(), module=None)
    unprotected = list(lockout["unprotected_stacks"])
    if unprotected:
        return Verdict.fail(
            FAILURES_NOT_RECORDED(stacks=unprotected),
            module=module,
            modes=list(lockout["modes"]),
            unprotected_stacks=unprotected,
        )
    if deny is None or deny <= 0 or deny > int(p["max_deny"]):
        reason = LOCKS_LATE(module=module, deny=deny) if deny else NEVER_LOCKS(module=module)
        return Verdict.fail(reason, module=module, deny=deny)
    unlock_time: Optional[int] = lockout.get("unlock_time")
    return Verdict.ok(LOCKS(module=module, deny=deny), module=module, deny=deny, unlock_time=unlock_time)


# What is weak about password hashing, as many of the three as apply, in this order.
_WEAK_HASH_PARTS: Dict[str, Tuple[str, str]] = {
    "method": ("ENCRYPT_METHOD is {method}", "ENCRYPT_METHOD 为 {method}"),
    "pam": ("pam_unix hashes new passwords with {pam_hash}", "pam_unix 以 {pam_hash} 计算新口令的哈希"),
    "accounts": ("weak hashes for {accounts}", "以下账户的口令哈希较弱：{accounts}"),
}
WEAK_HASH: Dict[Tuple[str, ...], Template] = {
    parts: message(
        f"LNX-PWD-008/weak-{'-'.join(parts)}",
        en="; ".join(_WEAK_HASH_PARTS[x][0] for x in parts),
        zh="；".join(_WEAK_HASH_PARTS[x][1] for x in parts),
    )
    for n in range(1, len(_WEAK_HASH_PARTS) + 1)
    for parts in itertools.combinations(_WEAK_HASH_PARTS, n)
}
STRONG_HASH = message("LNX-PWD-008/ok", en="new and existing passwords use a strong hash", zh="新口令与现有口令均使用强哈希算法")


@check(
    id="LNX-PWD-008",
    title=Text(zh="口令使用强哈希算法存储", en="Passwords are stored with a strong hash"),
    remediation=Text(
        zh="在 /etc/login.defs 设置 ENCRYPT_METHOD YESCRYPT（或 SHA512），pam_unix.so 使用 yescrypt/sha512 参数，并让使用 MD5/DES 哈希的账户重新设置口令。",
        en="Set 'ENCRYPT_METHOD YESCRYPT' (or SHA512) in /etc/login.defs, give pam_unix.so the yescrypt/sha512 option, and make accounts with MD5/DES hashes change their password.",
    ),
    severity=Severity.MEDIUM,
    mlps=("L3-CES1-28",),
    domains=(_ID, _HARD),
    coverage=(_BREACH,),
    needs=(LOGIN_DEFS, PAM, SHADOW),
    needs_root=True,
    basis="A strong hash keeps stored authentication data confidential (8.1.4.8 b); a weak hash is not clear text, so not case 6.4.5.2.",
)
def strong_password_hash(ev: EvidenceView, p: Params) -> Verdict:
    method = (ev.facts(LOGIN_DEFS).get("encrypt_method") or "DES").upper()
    pam = ev.facts(PAM)
    # every password stack hashes the passwords set through it: the weakest one counts
    hashes = [st["unix"].get("hash") for _path, st in sorted(pam.get("password_stacks", {}).items()) if st["unix"]["present"]]
    weak_hashes = [h for h in hashes if h is not None and h.replace("_", "-") not in _STRONG_SCHEMES and h != "blowfish"]
    pam_hash = weak_hashes[0] if weak_hashes else pam["unix"].get("hash")
    weak_users = [e["user"] for e in _users_with_password(ev.facts(SHADOW)) if e["hash_scheme"] in _WEAK_SCHEMES]
    weak: Dict[str, Dict[str, JSON]] = {}  # part of _WEAK_HASH_PARTS -> its parameter, in that order
    if method not in _STRONG_METHODS:
        weak["method"] = {"method": method}
    if pam_hash is not None and pam_hash.replace("_", "-") not in _STRONG_SCHEMES and pam_hash != "blowfish":
        weak["pam"] = {"pam_hash": pam_hash}
    if weak_users:
        weak["accounts"] = {"accounts": weak_users}
    observed = {"encrypt_method": method, "pam_unix_hash": pam_hash, "weak_hash_accounts": weak_users}
    if weak:
        params = {k: v for part in weak.values() for k, v in part.items()}
        return Verdict.fail(WEAK_HASH[tuple(weak)](**params), **observed)
    return Verdict.ok(STRONG_HASH(), **observed)


SHORT_HISTORY = message(
    "LNX-PWD-009/short",
    en="password history remembers {remember} previous passwords",
    zh="口令历史只记住之前的 {remember} 个口令",
)
HISTORY_OK = message(
    "LNX-PWD-009/ok", en="the last {remember} passwords cannot be reused", zh="最近 {remember} 个口令不可重复使用"
)


@check(
    id="LNX-PWD-009",
    title=Text(zh="限制重复使用近期口令", en="Reuse of recent passwords is prevented"),
    remediation=Text(
        zh="在 password 栈加入 pam_pwhistory.so remember=5 use_authtok（位于 pam_unix.so 之前）。",
        en="Add 'pam_pwhistory.so remember=5 use_authtok' to the password stack, before pam_unix.so.",
    ),
    severity=Severity.LOW,
    mlps=("L3-CES1-01",),
    domains=(_ID,),
    needs=(PAM,),
    params={"remember": 5},
    basis="Preventing reuse makes regular change real (8.1.4.1 a).",
)
def password_history(ev: EvidenceView, p: Params) -> Verdict:
    remember = ev.facts(PAM)["remember"]
    if remember is None or remember < int(p["remember"]):
        return Verdict.fail(SHORT_HISTORY(remember=remember or 0), remember=remember)
    return Verdict.ok(HISTORY_OK(remember=remember), remember=remember)


# --------------------------------------------------------------------------- privilege
SUDO_NOPASSWD = message(
    "LNX-SUDO-001/nopasswd", en="sudo grants full root without a password", zh="sudo 无需口令即可授予完整的 root 权限"
)
SUDO_AUTH = message("LNX-SUDO-001/ok", en="no rule grants ALL without a password", zh="没有规则在无需口令的情况下授予 ALL")


@check(
    id="LNX-SUDO-001",
    title=Text(zh="sudo 提权需要口令认证", en="sudo requires authentication"),
    remediation=Text(
        zh="删除 sudoers 中授予 ALL 命令的 NOPASSWD 标记和 Defaults !authenticate；确需免密的自动化账户只授权具体命令。",
        en="Remove NOPASSWD from rules that grant ALL and any 'Defaults !authenticate'; give automation accounts only the specific commands they need.",
    ),
    severity=Severity.HIGH,
    mlps=("L3-CES1-08", "L3-CES1-01"),
    domains=(_PRIV,),
    coverage=(_BREACH, _EXTORT),
    needs=(SUDOERS,),
    needs_root=True,
    basis="sudo without authentication grants privilege to whoever holds the session (8.1.4.2 d, 8.1.4.1 a).",
)
def sudo_requires_auth(ev: EvidenceView, p: Params) -> Verdict:
    facts = ev.facts(SUDOERS)
    nopw = [x for x in facts["nopasswd_all_principals"] if x != "root"]
    no_auth = list(facts["authenticate_disabled"])
    if nopw or no_auth:
        return Verdict.fail(
            SUDO_NOPASSWD(),
            nopasswd_all=nopw,
            authenticate_disabled=no_auth,
            nopasswd_rules=facts["nopasswd_rule_count"],
        )
    return Verdict.ok(SUDO_AUTH(), nopasswd_rules=facts["nopasswd_rule_count"])


USE_PTY_SET = message("LNX-SUDO-002/set", en="Defaults use_pty is set", zh="已设置 Defaults use_pty")
USE_PTY_UNSET = message("LNX-SUDO-002/unset", en="Defaults use_pty is not set", zh="未设置 Defaults use_pty")


@check(
    id="LNX-SUDO-002",
    title=Text(zh="sudo 命令在伪终端中运行（use_pty）", en="sudo runs commands in a pseudo-terminal (use_pty)"),
    remediation=Text(zh="使用 visudo 添加：Defaults use_pty。", en="Add 'Defaults use_pty' with visudo."),
    severity=Severity.LOW,
    mlps=("L3-CES1-08",),
    domains=(_PRIV, _HARD),
    needs=(SUDOERS,),
    needs_root=True,
    basis="use_pty keeps a privileged command from acting on the user's terminal after sudo ends. Supporting evidence for least privilege (8.1.4.2 d).",
)
def sudo_use_pty(ev: EvidenceView, p: Params) -> Verdict:
    if ev.facts(SUDOERS)["use_pty"]:
        return Verdict.ok(USE_PTY_SET(), use_pty=True)
    return Verdict.fail(USE_PTY_UNSET(), use_pty=False)


SUDO_LOGGED = message("LNX-SUDO-003/ok", en="sudo keeps its own log for every user", zh="sudo 为每个用户记录专用日志")
SUDO_LOG_SCOPED = message(
    "LNX-SUDO-003/scoped-only",
    en="sudo has no logfile or I/O log that applies to everyone; scoped settings: {scoped}",
    zh="sudo 没有对所有用户生效的 logfile 或 I/O 日志；仅有限定范围的设置：{scoped}",
)
SUDO_NOT_LOGGED = message(
    "LNX-SUDO-003/none", en="sudo has no logfile or I/O log configured", zh="sudo 未配置 logfile 或 I/O 日志"
)


@check(
    id="LNX-SUDO-003",
    title=Text(zh="sudo 操作记录到专用日志", en="sudo activity is logged to a dedicated log"),
    remediation=Text(
        zh='使用 visudo 添加：Defaults logfile="/var/log/sudo.log"（可另加 Defaults log_output 记录会话）。',
        en="Add 'Defaults logfile=\"/var/log/sudo.log\"' with visudo (optionally Defaults log_output to record sessions).",
    ),
    severity=Severity.LOW,
    mlps=("L3-CES1-12", "L3-CES1-08"),
    domains=(_PRIV, InsurerDomain.LOGGING),
    coverage=(CoverageLine.INCIDENT_RESPONSE,),
    needs=(SUDOERS,),
    needs_root=True,
    basis="A dedicated sudo log records privileged actions (8.1.4.3 a) of administrators (8.1.4.2 d).",
)
def sudo_logfile(ev: EvidenceView, p: Params) -> Verdict:
    """Only settings that hold for everyone count: 'Defaults:deploy log_output' logs one user,
    and 'Defaults:deploy !log_output' exempts one from the global setting."""
    facts = ev.facts(SUDOERS)
    scoped = list(facts.get("scoped_defaults", []))
    observed: Dict[str, Any] = {"logfile": facts["logfile"], "log_output": facts["log_output"], "scoped_defaults": scoped}
    if facts["logfile"] or facts["log_output"]:
        return Verdict.ok(SUDO_LOGGED(), **observed)
    if scoped:
        return Verdict.fail(SUDO_LOG_SCOPED(scoped=scoped), **observed)
    return Verdict.fail(SUDO_NOT_LOGGED(), **observed)


NO_SU = message("LNX-SUDO-004/no-su", en="no /etc/pam.d/su: su is not installed", zh="没有 /etc/pam.d/su：未安装 su")
SU_WHEEL = message("LNX-SUDO-004/ok", en="su requires membership of {group}", zh="使用 su 须为 {group} 组成员")
SU_OPEN = message(
    "LNX-SUDO-004/open", en="any user who knows the root password can use su", zh="任何知道 root 口令的用户均可使用 su"
)


@check(
    id="LNX-SUDO-004",
    title=Text(zh="su 仅限管理组成员使用（pam_wheel）", en="su is restricted to an admin group (pam_wheel)"),
    remediation=Text(
        zh="在 /etc/pam.d/su 中启用：auth required pam_wheel.so use_uid（Debian 可加 group=sudo），只将管理员加入该组。",
        en="Enable 'auth required pam_wheel.so use_uid' in /etc/pam.d/su (on Debian add group=sudo) and keep only administrators in that group.",
    ),
    severity=Severity.MEDIUM,
    mlps=("L3-CES1-08",),
    domains=(_PRIV,),
    needs=(PAM,),
    basis="Restricting su to an admin group limits who may become root (8.1.4.2 d).",
)
def su_restricted(ev: EvidenceView, p: Params) -> Verdict:
    pam = ev.facts(PAM)
    if not pam["su_present"]:
        return Verdict.na(NO_SU())
    wheel = pam["su_wheel"]
    if wheel["present"] and not wheel["trust"] and wheel["control"] in ("required", "requisite"):
        return Verdict.ok(SU_WHEEL(group=str(wheel["group"])), group=wheel["group"])
    return Verdict.fail(SU_OPEN(), su_wheel=dict(wheel))


PERSONAL_ADMINS = message("LNX-SUDO-005/ok", en="personal admin accounts: {admins}", zh="拥有管理权限的个人账户：{admins}")
NO_PERSONAL_ADMIN = message(
    "LNX-SUDO-005/none",
    en="no personal account holds admin rights; administration relies on root or shared/service accounts",
    zh="没有个人账户拥有管理权限，管理依赖 root 或共享账户、服务账户",
)


@check(
    id="LNX-SUDO-005",
    title=Text(zh="管理员使用个人账户（非仅 root 或共享账户）", en="Administrators use personal accounts, not only root"),
    remediation=Text(
        zh="为每位管理员创建个人账户并加入 sudo/wheel 组（usermod -aG sudo <用户>），服务账户不授予完全 sudo 权限。",
        en="Create a personal account for each administrator and add it to the sudo/wheel group (usermod -aG sudo <user>); do not give service accounts full sudo.",
    ),
    severity=Severity.MEDIUM,
    mlps=("L3-CES1-07", "L3-CES1-01", "L3-CES1-08"),
    domains=(_PRIV,),
    needs=(PASSWD, GROUP),
    basis="Personal admin accounts instead of a shared root keep actions attributable (8.1.4.2 c, 8.1.4.1 a) and privileges separable (8.1.4.2 d).",
)
def personal_admins(ev: EvidenceView, p: Params) -> Verdict:
    """Pass when at least one personal (UID >= UID_MIN, unique UID) account is an admin."""
    uid_min = _uid_min(ev)
    passwd = ev.facts(PASSWD)
    shared = {n for names in passwd["duplicate_uids"].values() for n in names}
    personal = {u["name"] for u in passwd["users"] if u["uid"] >= uid_min and u["uid"] != 65534 and u["name"] not in shared}
    admins = {m for g in ev.facts(GROUP)["admin_groups"].values() for m in g["members"]}
    sudoers = ev.optional(SUDOERS)
    if sudoers:
        admins |= {x for x in sudoers["all_principals"] if not x.startswith("%") and x not in ADMIN_PRINCIPALS}
    named = sorted(admins & personal)
    others = sorted(admins - personal)
    if named:
        return Verdict.ok(PERSONAL_ADMINS(admins=named), admins=named, non_personal_admins=others)
    return Verdict.fail(
        NO_PERSONAL_ADMIN(),
        admins=[],
        non_personal_admins=others,
    )
