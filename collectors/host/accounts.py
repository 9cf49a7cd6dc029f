"""Accounts, password policy, PAM, sudo and shell environment.

One collector per concern, so an unreadable /etc/shadow (unprivileged run)
does not take down the checks that only need /etc/passwd. Secrets never leave
this module: shadow hashes are reduced to their scheme, sudoers to counts and
principals, shell files to the few settings the checks judge.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from typing import Any, Dict, Final, List, Literal, Optional, Sequence, Tuple, TypedDict, Union

from collectors.context import HostReader
from collectors.evidence import CollectError, ErrorReason, NotApplicable
from collectors.facts import CollectedFacts, FactsKey
from collectors.registry import collector

# --------------------------------------------------------------------------- facts shapes
PasswordField = Literal["x", "empty", "locked", "hash"]
HashScheme = Literal[
    "none",  # empty field: no password at all
    "locked",  # '*' or '!' with nothing behind it
    "yescrypt",
    "gost-yescrypt",
    "scrypt",
    "bcrypt",
    "sha512",
    "sha256",
    "sha1",
    "sunmd5",
    "md5",
    "bsdi-des",
    "des",
    "unknown",
]
PamUnixHash = Literal["yescrypt", "gost_yescrypt", "sha512", "sha256", "blowfish", "bigcrypt", "md5"]
PwqCreditKey = Literal["dcredit", "ucredit", "lcredit", "ocredit"]
PwqIntKey = Literal["minlen", "minclass", PwqCreditKey, "maxrepeat", "difok", "retry", "dictcheck"]


class PasswdUser(TypedDict):
    """One passwd(5) entry; the password field is reduced to its kind."""

    name: str
    uid: int
    gid: int
    home: str
    shell: str
    password_field: PasswordField
    shadowed: bool  # password field is 'x'
    login_shell: bool  # shell not in NOLOGIN_SHELLS


class PasswdFacts(CollectedFacts):
    users: List[PasswdUser]
    uid0: List[str]
    duplicate_uids: Dict[str, List[str]]  # UID (as text) -> the names sharing it
    duplicate_names: List[str]
    not_shadowed: List[str]


class ShadowEntry(TypedDict):
    """One shadow(5) entry; the hash is reduced to its scheme. Ageing fields are None when empty or not a number."""

    user: str
    hash_scheme: HashScheme
    empty: bool
    locked: bool
    last_change: Optional[int]
    min_days: Optional[int]
    max_days: Optional[int]
    warn_days: Optional[int]


class ShadowFacts(CollectedFacts):
    entries: List[ShadowEntry]
    empty: List[str]
    schemes: List[HashScheme]


class GroupEntry(TypedDict):
    name: str
    gid: int
    members: List[str]


class AdminGroup(TypedDict):
    gid: int
    members: List[str]


class GroupFacts(CollectedFacts):
    groups: List[GroupEntry]
    duplicate_gids: Dict[str, List[str]]  # GID (as text) -> the groups sharing it
    duplicate_names: List[str]
    admin_groups: Dict[str, AdminGroup]  # those of ADMIN_GROUPS that exist, by name


class LoginDefsBase(CollectedFacts):
    present: bool
    settings: Dict[str, str]  # every NAME value pair
    values: Dict[str, Optional[int]]  # LOGIN_DEFS_INTS that are set; None when not a number


class LoginDefsFacts(LoginDefsBase, total=False):
    """The keys below are absent when /etc/login.defs does not exist."""

    encrypt_method: Optional[str]  # upper-cased
    umask: Optional[str]
    umask_octal: Optional[str]  # three octal digits; None when UMASK is unset or not octal


class PwQualityInts(TypedDict, total=False):
    """The integer settings that are set (pwquality.conf, then module args); None when not a number."""

    minlen: Optional[int]
    minclass: Optional[int]
    dcredit: Optional[int]
    ucredit: Optional[int]
    lcredit: Optional[int]
    ocredit: Optional[int]
    maxrepeat: Optional[int]
    difok: Optional[int]
    retry: Optional[int]
    dictcheck: Optional[int]


class PwQualitySettings(PwQualityInts):
    enforce_for_root: bool


class PamQuality(TypedDict):
    module: Optional[str]  # first of QUALITY_MODULES in the password stack
    settings: PwQualitySettings
    min_length: Optional[int]  # shortest accepted password; None for pam_passwdqc or no module


class PamUnixBase(TypedDict):
    present: bool


class PamUnix(PamUnixBase, total=False):
    """pam_unix in the password stack; the keys below are absent when it is not there."""

    hash: Optional[PamUnixHash]
    minlen: Optional[int]
    remember: Optional[int]
    nullok: bool


class PamStackLockout(TypedDict):
    """Failed-login lockout of one auth stack."""

    module: Optional[str]  # pam_faillock.so, pam_tally2.so, pam_tally.so or None
    modes: List[str]  # pam_faillock modes of the lines (PamLockout: every stack's, sorted and unique)
    records_failures: bool
    deny: Optional[int]
    unlock_time: Optional[int]
    even_deny_root: bool


class PamLockout(PamStackLockout):
    """The weakest auth stack's lockout, with every stack's own."""

    stacks: Dict[str, PamStackLockout]  # auth stack path -> its lockout
    unprotected_stacks: List[str]


class SuWheelBase(TypedDict):
    present: bool


class SuWheel(SuWheelBase, total=False):
    """pam_wheel in /etc/pam.d/su; the keys below are absent when it is not there."""

    control: str
    group: Union[str, bool]  # a bare 'group' argument gives True
    trust: bool
    use_uid: bool


class PasswordStack(TypedDict):
    """What one password stack (common-password, system-auth, password-auth ...) enforces on its own."""

    quality: PamQuality
    unix: PamUnix
    min_length: Optional[int]  # the quality module's floor, else pam_unix's; None: nothing enforced (or pam_passwdqc)


class PamFacts(CollectedFacts):
    stacks: List[str]
    password_modules: List[str]
    auth_modules: List[str]
    quality: PamQuality  # of the weakest password stack (shortest accepted password)
    pwquality_files: List[str]
    unix: PamUnix  # of the weakest password stack
    password_stacks: Dict[str, PasswordStack]  # every stack with password rules, judged on its own
    weakest_password_stack: Optional[str]  # the one ``quality`` and ``unix`` come from; None: no password rules
    lockout: PamLockout
    remember: Optional[int]
    su_present: bool
    su_wheel: SuWheel


class SudoUserSpec(TypedDict):
    principals: List[str]
    all_commands: bool
    nopasswd: bool
    nopasswd_all: bool
    command_count: int


class SudoRule(SudoUserSpec):
    """A user spec with User_Aliases expanded in ``principals``, and where it was found."""

    file: str
    line: int


class SudoersFacts(CollectedFacts):
    files: List[str]
    rules: List[SudoRule]
    nopasswd_rule_count: int
    nopasswd_all_principals: List[str]
    all_principals: List[str]
    non_admin_all_principals: List[str]
    use_pty: bool
    logfile: Optional[str]  # set for everyone: None when unset, cleared, or cleared for some scope
    log_output: bool  # for everyone (use_pty likewise): a scoped '!log_output' makes it False
    authenticate_disabled: List[str]  # the Defaults heads that set !authenticate
    scoped_defaults: List[str]  # scoped Defaults lines touching use_pty/logfile/log_output/log_input, e.g. "Defaults:deploy !log_output"


class ShellLine(TypedDict):
    file: str
    line: int


class TmoutSetting(ShellLine):
    value: int
    readonly: bool


class UmaskSetting(ShellLine):
    value: str  # three octal digits


class ShellScan(TypedDict):
    tmout: List[TmoutSetting]
    umask: List[UmaskSetting]
    readonly: List[ShellLine]  # 'readonly TMOUT' without an assignment


class PathProblem(TypedDict):
    file: str
    line: Optional[int]  # None for ENV_SUPATH in login.defs
    issue: str


class TrustFile(TypedDict):
    path: str
    user: Optional[str]  # None for the system-wide hosts.equiv files


class TrustFiles(TypedDict):
    found: List[TrustFile]
    unreadable_homes: List[str]
    passwd_damaged: bool


class ShellEnvFacts(CollectedFacts):
    files: List[str]
    tmout: List[TmoutSetting]
    umask: List[UmaskSetting]
    root_path_problems: List[PathProblem]
    trust_files: TrustFiles


PASSWD = FactsKey[PasswdFacts]("host.passwd", PasswdFacts)
SHADOW = FactsKey[ShadowFacts]("host.shadow", ShadowFacts)
GROUP = FactsKey[GroupFacts]("host.group", GroupFacts)
LOGIN_DEFS = FactsKey[LoginDefsFacts]("host.login_defs", LoginDefsFacts)
PAM = FactsKey[PamFacts]("host.pam", PamFacts)
SUDOERS = FactsKey[SudoersFacts]("host.sudoers", SudoersFacts)
SHELL_ENV = FactsKey[ShellEnvFacts]("host.shell_env", ShellEnvFacts)

# Shells that do not give an interactive login.
NOLOGIN_SHELLS = frozenset(
    {
        "/usr/sbin/nologin",
        "/sbin/nologin",
        "/bin/false",
        "/usr/bin/false",
        "/bin/nologin",
        "/usr/bin/nologin",
        "/bin/sync",
        "/usr/bin/sync",
        "/sbin/shutdown",
        "/usr/sbin/shutdown",
        "/sbin/halt",
        "/usr/sbin/halt",
        "",
    }
)

ADMIN_GROUPS = ("sudo", "wheel", "admin")


# --------------------------------------------------------------------------- passwd
def _int_field(path: str, lineno: int, name: str, value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise CollectError(ErrorReason.MALFORMED, f"{path}: line {lineno}: {name} {value!r} is not a number") from None


def _password_field(value: str) -> PasswordField:
    """Classify passwd field 2 without keeping it (it may hold a legacy hash)."""
    if value == "x":
        return "x"
    if value == "":
        return "empty"
    if value[0] in "*!":
        return "locked"
    return "hash"


def parse_passwd(text: str, path: str = "/etc/passwd") -> List[PasswdUser]:
    """Parse passwd(5); a line without 7 fields means the file is cut or corrupt.

    Partial results are refused on purpose: a truncated user list could hide the
    very account a check looks for, so the caller gets an error, not a pass.
    """
    users: List[PasswdUser] = []
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#") or line[0] in "+-":  # NIS compat entries
            continue
        fields = line.split(":")
        if len(fields) != 7:
            raise CollectError(ErrorReason.MALFORMED, f"{path}: line {lineno}: expected 7 fields, found {len(fields)}")
        name, pw, uid, gid, _gecos, home, shell = fields
        users.append(
            {
                "name": name,
                "uid": _int_field(path, lineno, "UID", uid),
                "gid": _int_field(path, lineno, "GID", gid),
                "home": home,
                "shell": shell,
                "password_field": _password_field(pw),
                "shadowed": pw == "x",
                "login_shell": shell not in NOLOGIN_SHELLS,
            }
        )
    return users


def _duplicates(pairs: Sequence[Tuple[Any, str]]) -> Dict[str, List[str]]:
    seen: Dict[str, List[str]] = {}
    for key, name in pairs:
        seen.setdefault(str(key), []).append(name)
    return {k: v for k, v in seen.items() if len(v) > 1}


@collector(PASSWD, "Local user accounts from /etc/passwd (no secrets)")
def collect_passwd(host: HostReader) -> PasswdFacts:
    text = host.read_text("/etc/passwd", required=True) or ""
    users = parse_passwd(text)
    if not users:
        raise CollectError(ErrorReason.MALFORMED, "/etc/passwd: no user entries found")
    dup_names = _duplicates([(u["name"], u["name"]) for u in users])
    return {
        "_method": "files",
        "users": users,
        "uid0": [u["name"] for u in users if u["uid"] == 0],
        "duplicate_uids": _duplicates([(u["uid"], u["name"]) for u in users]),
        "duplicate_names": sorted(dup_names),
        "not_shadowed": [u["name"] for u in users if not u["shadowed"]],
    }


# --------------------------------------------------------------------------- shadow
_DES_RE = re.compile(r"^[./0-9A-Za-z]{13}$")
_SCHEMES: Tuple[Tuple[str, HashScheme], ...] = (
    ("$y$", "yescrypt"),
    ("$gy$", "gost-yescrypt"),
    ("$7$", "scrypt"),
    ("$2a$", "bcrypt"),
    ("$2b$", "bcrypt"),
    ("$2y$", "bcrypt"),
    ("$6$", "sha512"),
    ("$5$", "sha256"),
    ("$sha1$", "sha1"),
    ("$md5", "sunmd5"),
    ("$1$", "md5"),
)


def hash_scheme(field: str) -> Tuple[HashScheme, bool]:
    """(scheme, locked) of a shadow password field; the field itself is dropped."""
    if field == "":
        return "none", False
    locked = field[0] in "!*"
    rest = field.lstrip("!")
    if rest.startswith("*") or rest == "":
        return "locked", True
    for prefix, name in _SCHEMES:
        if rest.startswith(prefix):
            return name, locked
    if rest.startswith("_"):
        return "bsdi-des", locked
    if _DES_RE.match(rest):
        return "des", locked
    return "unknown", locked


def _opt_int(value: str) -> Optional[int]:
    value = value.strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        return None


def parse_shadow(text: str, path: str = "/etc/shadow") -> List[ShadowEntry]:
    """Reduce shadow(5) to per-user facts; hashes are classified, never kept."""
    entries: List[ShadowEntry] = []
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#") or line[0] in "+-":
            continue
        fields = line.split(":")
        if len(fields) < 8:
            raise CollectError(ErrorReason.MALFORMED, f"{path}: line {lineno}: expected 9 fields, found {len(fields)}")
        scheme, locked = hash_scheme(fields[1])
        entries.append(
            {
                "user": fields[0],
                "hash_scheme": scheme,
                "empty": fields[1] == "",
                "locked": locked,
                "last_change": _opt_int(fields[2]),
                "min_days": _opt_int(fields[3]),
                "max_days": _opt_int(fields[4]),
                "warn_days": _opt_int(fields[5]),
            }
        )
    return entries


@collector(SHADOW, "Password hash schemes and ageing from /etc/shadow (hashes are never kept)")
def collect_shadow(host: HostReader) -> ShadowFacts:
    text = host.read_text("/etc/shadow", required=True) or ""
    entries = parse_shadow(text)
    return {
        "_method": "files",
        "entries": entries,
        "empty": [e["user"] for e in entries if e["empty"]],
        "schemes": sorted({e["hash_scheme"] for e in entries}),
    }


# --------------------------------------------------------------------------- group
def parse_group(text: str, path: str = "/etc/group") -> List[GroupEntry]:
    groups: List[GroupEntry] = []
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#") or line[0] in "+-":
            continue
        fields = line.split(":")
        if len(fields) != 4:
            raise CollectError(ErrorReason.MALFORMED, f"{path}: line {lineno}: expected 4 fields, found {len(fields)}")
        members = [m.strip() for m in fields[3].split(",") if m.strip()]
        groups.append({"name": fields[0], "gid": _int_field(path, lineno, "GID", fields[2]), "members": members})
    return groups


@collector(GROUP, "Local groups and administrative group membership from /etc/group")
def collect_group(host: HostReader) -> GroupFacts:
    text = host.read_text("/etc/group", required=True) or ""
    groups = parse_group(text)
    if not groups:
        raise CollectError(ErrorReason.MALFORMED, "/etc/group: no group entries found")
    admin: Dict[str, AdminGroup] = {
        g["name"]: {"gid": g["gid"], "members": g["members"]} for g in groups if g["name"] in ADMIN_GROUPS
    }
    return {
        "_method": "files",
        "groups": groups,
        "duplicate_gids": _duplicates([(g["gid"], g["name"]) for g in groups]),
        "duplicate_names": sorted(_duplicates([(g["name"], g["name"]) for g in groups])),
        "admin_groups": admin,
    }


# --------------------------------------------------------------------------- login.defs
# login.defs settings read as numbers into ``values``; checks name them through these constants.
PASS_MAX_DAYS: Final = "PASS_MAX_DAYS"  # noqa: S105 (a setting name)
PASS_MIN_DAYS: Final = "PASS_MIN_DAYS"  # noqa: S105
PASS_WARN_AGE: Final = "PASS_WARN_AGE"  # noqa: S105
UID_MIN: Final = "UID_MIN"
SYS_UID_MAX: Final = "SYS_UID_MAX"
LOGIN_RETRIES: Final = "LOGIN_RETRIES"
LOGIN_TIMEOUT: Final = "LOGIN_TIMEOUT"
LOGIN_DEFS_INTS: Tuple[str, ...] = (
    PASS_MAX_DAYS,
    PASS_MIN_DAYS,
    PASS_WARN_AGE,
    UID_MIN,
    SYS_UID_MAX,
    LOGIN_RETRIES,
    LOGIN_TIMEOUT,
)


def parse_login_defs(text: str) -> Dict[str, str]:
    """``NAME value`` pairs; a '#' only starts a comment at the start of a line (as shadow-utils reads it)."""
    out: Dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split(None, 1)
        value = parts[1].strip().strip('"') if len(parts) > 1 else ""
        out[parts[0]] = value
    return out


def _umask_value(value: str) -> Optional[int]:
    try:
        return int(value, 8) if re.fullmatch(r"0?[0-7]{1,4}", value) else None
    except ValueError:
        return None


@collector(LOGIN_DEFS, "Password ageing, hashing and umask defaults from /etc/login.defs")
def collect_login_defs(host: HostReader) -> LoginDefsFacts:
    text = host.read_text("/etc/login.defs")
    if text is None:
        return {"_method": "files", "present": False, "settings": {}, "values": {}}
    settings = parse_login_defs(text)
    values: Dict[str, Optional[int]] = {}
    for key in LOGIN_DEFS_INTS:
        if key in settings:
            first = settings[key].split()
            values[key] = _opt_int(first[0]) if first else None
    umask = settings.get("UMASK")
    return {
        "_method": "files",
        "present": True,
        "settings": settings,
        "values": values,
        "encrypt_method": settings.get("ENCRYPT_METHOD", "").upper() or None,
        "umask": umask,
        "umask_octal": format(_umask_value(umask), "03o") if umask and _umask_value(umask) is not None else None,
    }


# --------------------------------------------------------------------------- PAM
PAM_STACKS = (
    "/etc/pam.d/common-password",
    "/etc/pam.d/common-auth",
    "/etc/pam.d/common-account",
    "/etc/pam.d/system-auth",
    "/etc/pam.d/password-auth",
)
PAM_PWQUALITY: Final = "pam_pwquality.so"
PAM_CRACKLIB: Final = "pam_cracklib.so"
PAM_PASSWDQC: Final = "pam_passwdqc.so"
QUALITY_MODULES: Tuple[str, ...] = (PAM_PWQUALITY, PAM_CRACKLIB, PAM_PASSWDQC)

PamArgs = Dict[str, Union[str, bool]]  # ``key=value`` -> value, bare flag -> True


class PamRule(TypedDict):
    line: int
    type: str  # lower-cased, leading '-' dropped; '@include' for Debian includes
    control: str
    module: str  # basename; the target for an include
    args: PamArgs


def _join_continuations(text: str) -> List[Tuple[int, str]]:
    out: List[Tuple[int, str]] = []
    buf, start = "", 0
    for lineno, raw in enumerate(text.splitlines(), 1):
        if not buf:
            start = lineno
        if raw.endswith("\\"):
            buf += raw[:-1] + " "
            continue
        out.append((start, buf + raw))
        buf = ""
    if buf:
        out.append((start, buf))
    return out


def _split_pam_tokens(line: str) -> List[str]:
    """Whitespace split that keeps ``[...]`` groups (controls and args) whole."""
    tokens: List[str] = []
    cur, depth = "", 0
    for ch in line:
        if ch == "[":
            depth += 1
        elif ch == "]" and depth:
            depth -= 1
        if ch.isspace() and depth == 0:
            if cur:
                tokens.append(cur)
                cur = ""
            continue
        cur += ch
    if cur:
        tokens.append(cur)
    return tokens


def parse_pam_args(args: Sequence[str]) -> PamArgs:
    """``key=value`` args become strings, bare flags become True."""
    out: PamArgs = {}
    for arg in args:
        if arg.startswith("[") and arg.endswith("]"):
            arg = arg[1:-1]
        key, sep, value = arg.partition("=")
        out[key] = value if sep else True
    return out


def parse_pam_file(text: str) -> List[PamRule]:
    """Rules of a pam.d file: type, control, module basename and args."""
    rules: List[PamRule] = []
    for lineno, line in _join_continuations(text):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        tokens = _split_pam_tokens(line)
        if tokens[0].startswith("@include"):
            rules.append(
                {"line": lineno, "type": "@include", "control": "", "module": tokens[1] if len(tokens) > 1 else "", "args": {}}
            )
            continue
        if len(tokens) < 3:
            continue  # pam ignores lines it cannot parse; so do we
        ptype = tokens[0].lstrip("-").lower()
        module = posixpath.basename(tokens[2])
        rules.append({"line": lineno, "type": ptype, "control": tokens[1], "module": module, "args": parse_pam_args(tokens[3:])})
    return rules


def parse_kv_conf(text: str) -> PamArgs:
    """``name = value`` files (pwquality.conf, faillock.conf); bare names are flags."""
    out: PamArgs = {}
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        key, sep, value = line.partition("=")
        out[key.strip()] = value.strip() if sep else True
    return out


def _as_int(value: object) -> Optional[int]:
    if isinstance(value, bool) or value is None:
        return None
    return _opt_int(str(value))


PWQ_CREDIT_KEYS: Tuple[PwqCreditKey, ...] = ("dcredit", "ucredit", "lcredit", "ocredit")
_PWQ_KEYS: Tuple[PwqIntKey, ...] = ("minlen", "minclass", *PWQ_CREDIT_KEYS, "maxrepeat", "difok", "retry", "dictcheck")


def _quality(conf: PamArgs, rules: List[PamRule]) -> PamQuality:
    """Effective password-quality settings: config files, then module args on top."""
    quality = [r for r in rules if r["type"] == "password" and r["module"] in QUALITY_MODULES]
    module = quality[0]["module"] if quality else None
    merged: PamArgs = {}
    if module == PAM_PWQUALITY:
        merged.update(conf)
    for r in quality:
        merged.update(r["args"])
    ints: PwQualityInts = {}
    for k in _PWQ_KEYS:
        if k in merged:
            ints[k] = _as_int(merged[k])
    settings: PwQualitySettings = {**ints, "enforce_for_root": bool(merged.get("enforce_for_root"))}
    min_length: Optional[int] = None
    if module in (PAM_PWQUALITY, PAM_CRACKLIB):
        base = settings.get("minlen")
        base = base if base is not None else (8 if module == PAM_PWQUALITY else 9)
        credits = [settings.get(k) for k in PWQ_CREDIT_KEYS]
        # Credit semantics: defaults are 0 for pwquality, 1 for cracklib.
        default_credit = 0 if module == PAM_PWQUALITY else 1
        positive = sum(max(0, c if c is not None else default_credit) for c in credits)
        floor = 6 if module == PAM_PWQUALITY else 0
        min_length = max(floor, base - positive)
    return {"module": module, "settings": settings, "min_length": min_length}


_UNIX_HASHES: Tuple[PamUnixHash, ...] = ("yescrypt", "gost_yescrypt", "sha512", "sha256", "blowfish", "bigcrypt", "md5")


def _unix_password(rules: List[PamRule]) -> PamUnix:
    unix = [r for r in rules if r["type"] == "password" and r["module"] == "pam_unix.so"]
    if not unix:
        return {"present": False}
    args = unix[0]["args"]
    hashes = [h for h in _UNIX_HASHES if args.get(h)]
    return {
        "present": True,
        "hash": hashes[0] if hashes else None,
        # pam_unix's own length floor (default 6) applies when no quality module is stacked.
        "minlen": _as_int(args.get("minlen")) if "minlen" in args else 6,
        "remember": _as_int(args.get("remember")),
        "nullok": bool(args.get("nullok")),
    }


_AUTH_STACKS = ("/etc/pam.d/common-auth", "/etc/pam.d/system-auth", "/etc/pam.d/password-auth")
_FAILLOCK_MODES = ("preauth", "authfail", "authsucc")
_MAX_PAM_DEPTH = 8
MAX_PAM_EXPANSIONS = 256  # pam.d files read for one stack: includes fan out exponentially within the depth limit


def faillock_mode(args: PamArgs) -> str:
    """The action pam_faillock takes for one auth line.

    The last mode word wins and a line without one acts as ``preauth`` (the
    module zero-initialises its options and PREAUTH is action 0): it only checks
    the tally and never records a failure.
    """
    mode = "preauth"
    for key in args:
        if key in _FAILLOCK_MODES:
            mode = key
    return mode


def expand_auth_stack(
    host: HostReader, path: str, depth: int = 0, seen: Optional[List[str]] = None, budget: Optional[List[int]] = None
) -> List[PamRule]:
    """Auth rules of one pam.d file with ``@include``/``include``/``substack`` followed.

    ``budget`` counts the files read for the whole stack: past MAX_PAM_EXPANSIONS it is an error.
    """
    seen = [] if seen is None else seen
    budget = [0] if budget is None else budget
    if depth > _MAX_PAM_DEPTH or path in seen:
        return []
    budget[0] += 1
    if budget[0] > MAX_PAM_EXPANSIONS:
        raise CollectError(ErrorReason.MALFORMED, f"{path}: more than {MAX_PAM_EXPANSIONS} PAM files included (an include fan-out)")
    text = host.read_text(path)
    if text is None:
        return []
    out: List[PamRule] = []
    for rule in parse_pam_file(text):
        included = rule["type"] == "@include" or (rule["type"] == "auth" and rule["control"] in ("include", "substack"))
        if included:
            target = rule["module"]  # include target (basename; pam.d files are flat)
            if target:
                target = target if target.startswith("/") else posixpath.join("/etc/pam.d", target)
                out.extend(expand_auth_stack(host, target, depth + 1, [*seen, path], budget))
        elif rule["type"] == "auth":
            out.append(rule)
    return out


def _lockout_of_stack(conf: PamArgs, auth: List[PamRule]) -> PamStackLockout:
    """Whether one auth stack records failures and how many it tolerates."""
    faillock = [r for r in auth if r["module"] == "pam_faillock.so"]
    modes = [faillock_mode(r["args"]) for r in faillock]
    if faillock:
        # Only an authfail line writes the tally; without it nobody is ever locked.
        recording = [r for r, m in zip(faillock, modes) if m == "authfail"]
        merged: PamArgs = dict(conf)
        for r in recording[-1:]:
            merged.update(r["args"])
        deny = _as_int(merged.get("deny"))
        return {
            "module": "pam_faillock.so",
            "modes": modes,
            "records_failures": bool(recording),
            "deny": 3 if deny is None else deny,  # pam_faillock's built-in default
            "unlock_time": _as_int(merged.get("unlock_time")),
            "even_deny_root": bool(merged.get("even_deny_root")),
        }
    tally = [r for r in auth if r["module"] in ("pam_tally2.so", "pam_tally.so")]
    if tally:
        merged = {}
        for r in tally:
            merged.update(r["args"])
        return {
            "module": tally[0]["module"],
            "modes": [],
            "records_failures": True,  # pam_tally2's auth step counts every attempt
            "deny": _as_int(merged.get("deny")),  # default 0: never locks
            "unlock_time": _as_int(merged.get("unlock_time")),
            "even_deny_root": bool(merged.get("even_deny_root")),
        }
    return {"module": None, "modes": [], "records_failures": False, "deny": None, "unlock_time": None, "even_deny_root": False}


def _deny_rank(deny: Optional[int]) -> int:
    return 1 << 30 if deny is None or deny <= 0 else deny


def _lockout(conf: PamArgs, stacks: Dict[str, List[PamRule]]) -> PamLockout:
    """Lockout across the auth stacks; the weakest stack decides (an attacker picks it)."""
    per = {path: _lockout_of_stack(conf, auth) for path, auth in stacks.items()}
    with_module = {p: v for p, v in per.items() if v["module"]}
    if not with_module:
        return {
            "module": None,
            "deny": None,
            "unlock_time": None,
            "even_deny_root": False,
            "modes": [],
            "records_failures": False,
            "stacks": per,
            "unprotected_stacks": sorted(per),
        }
    unprotected = sorted(p for p, v in per.items() if not (v["module"] and v["records_failures"]))
    recording = [v for v in per.values() if v["module"] and v["records_failures"]]
    worst = max(recording, key=lambda v: _deny_rank(v["deny"])) if recording else next(iter(with_module.values()))
    return {
        "module": worst["module"],
        "deny": worst["deny"],
        "unlock_time": worst["unlock_time"],
        "even_deny_root": worst["even_deny_root"],
        "modes": sorted({m for v in per.values() for m in v["modes"]}),
        "records_failures": not unprotected,
        "stacks": per,
        "unprotected_stacks": unprotected,
    }


def _wheel(rules: List[PamRule]) -> SuWheel:
    for r in rules:
        if r["type"] == "auth" and r["module"] == "pam_wheel.so" and not r["args"].get("deny"):
            return {
                "present": True,
                "control": r["control"],
                "group": r["args"].get("group") or "wheel",
                "trust": bool(r["args"].get("trust")),
                "use_uid": bool(r["args"].get("use_uid")),
            }
    return {"present": False}


def _read_conf(host: HostReader, main: str) -> Tuple[PamArgs, List[str]]:
    """Read ``main.d/*.conf`` (sorted) then ``main`` on top, as libpwquality does."""
    conf: PamArgs = {}
    files: List[str] = []
    for path in [*host.glob(main + ".d/*.conf"), main]:
        text = host.read_text(path)
        if text is not None:
            conf.update(parse_kv_conf(text))
            files.append(path)
    return conf, files


def _password_stack(conf: PamArgs, rules: List[PamRule]) -> PasswordStack:
    quality = _quality(conf, rules)
    unix = _unix_password(rules)
    if quality["module"]:
        length = quality["min_length"]
    else:
        length = unix.get("minlen") if unix["present"] else None
    return {"quality": quality, "unix": unix, "min_length": length}


def _length_rank(stack: PasswordStack) -> Tuple[int, int]:
    """Weakest first: no enforced length (0), then the shortest accepted password, then the fewest classes."""
    length = stack["min_length"]
    settings = stack["quality"]["settings"]
    classes = max(settings.get("minclass") or 0, sum(1 for k in PWQ_CREDIT_KEYS if (settings.get(k) or 0) < 0))
    return (length if length is not None else 0, classes)


def _password_stacks(conf: PamArgs, stacks: Dict[str, List[PamRule]]) -> Tuple[Dict[str, PasswordStack], Optional[str]]:
    """Each stack with password rules on its own, and the weakest of them.

    Stacks are not merged: a minlen in system-auth does nothing for the services
    that use password-auth, so the weakest stack is the host's policy.
    """
    out = {path: _password_stack(conf, rules) for path, rules in stacks.items() if any(r["type"] == "password" for r in rules)}
    if not out:
        return out, None
    weakest = min(sorted(out), key=lambda path: _length_rank(out[path]))
    return out, weakest


@collector(PAM, "PAM password quality, lockout, history and su restriction")
def collect_pam(host: HostReader) -> PamFacts:
    stacks: Dict[str, List[PamRule]] = {}
    for path in PAM_STACKS:
        text = host.read_text(path)
        if text is not None:
            stacks[path] = parse_pam_file(text)
    if not stacks:
        raise CollectError(ErrorReason.NOT_FOUND, "no PAM stack found (/etc/pam.d/common-* or system-auth)")
    rules = [r for path in PAM_STACKS for r in stacks.get(path, [])]
    pwq_conf, pwq_files = _read_conf(host, "/etc/security/pwquality.conf")
    fl_text = host.read_text("/etc/security/faillock.conf")
    fl_conf = parse_kv_conf(fl_text) if fl_text is not None else {}
    ph_text = host.read_text("/etc/security/pwhistory.conf")
    ph_conf = parse_kv_conf(ph_text) if ph_text is not None else {}
    history = [r for r in rules if r["type"] == "password" and r["module"] == "pam_pwhistory.so"]
    remember: Optional[int] = None
    if history:
        merged = dict(ph_conf)
        for r in history:
            merged.update(r["args"])
        remember = _as_int(merged.get("remember"))
        remember = 10 if remember is None else remember  # pam_pwhistory default
    password_stacks, weakest = _password_stacks(pwq_conf, stacks)
    chosen = password_stacks[weakest] if weakest else _password_stack(pwq_conf, rules)
    unix = chosen["unix"]
    all_unix = _unix_password(rules)
    if remember is None and all_unix.get("remember") is not None:
        remember = all_unix["remember"]
    su_text = host.read_text("/etc/pam.d/su")
    return {
        "_method": "files",
        "stacks": sorted(stacks),
        "password_modules": [r["module"] for r in rules if r["type"] == "password"],
        "auth_modules": [r["module"] for r in rules if r["type"] == "auth"],
        "quality": chosen["quality"],
        "pwquality_files": pwq_files,
        "unix": unix,
        "password_stacks": password_stacks,
        "weakest_password_stack": weakest,
        "lockout": _lockout(fl_conf, {p: expand_auth_stack(host, p) for p in _AUTH_STACKS if p in stacks}),
        "remember": remember,
        "su_present": su_text is not None,
        "su_wheel": _wheel(parse_pam_file(su_text)) if su_text is not None else {"present": False},
    }


# --------------------------------------------------------------------------- sudoers
# Principals whose full sudo grant is the expected administrative one.
ADMIN_PRINCIPALS = frozenset({"root", "%root", "%sudo", "%wheel", "%admin"})
_TAG_RE = re.compile(r"^((?:NO)?(?:PASSWD|EXEC|SETENV|LOG_INPUT|LOG_OUTPUT|MAIL|FOLLOW|INTERCEPT|NOEXEC)):\s*")
_MAX_INCLUDE_DEPTH = 8
MAX_SUDOERS_FILES = 256  # files parsed in all: includes fan out exponentially within the depth limit


def _strip_sudo_comment(line: str) -> str:
    """'#' starts a comment unless it is a numeric uid (``#0``) or an include directive."""
    out = []
    i = 0
    while i < len(line):
        ch = line[i]
        if ch == "#" and not (i + 1 < len(line) and line[i + 1].isdigit()):
            break
        out.append(ch)
        i += 1
    return "".join(out).strip()


def _include_targets(host: HostReader, directive: str, arg: str, current: str) -> List[str]:
    arg = arg.strip().strip('"')
    if not arg.startswith("/"):
        arg = posixpath.join(posixpath.dirname(current), arg)
    if directive.endswith("includedir"):
        # sudo skips names ending in '~' or containing '.'.
        return [p for p in host.glob(arg.rstrip("/") + "/*") if not p.endswith("~") and "." not in posixpath.basename(p)]
    return [arg]


def _split_top(s: str, sep: str) -> List[str]:
    """Split on ``sep`` outside parentheses; a backslash escapes the next character."""
    parts, cur, depth, escaped = [], "", 0, False
    for ch in s:
        if escaped:
            cur += ch
            escaped = False
            continue
        if ch == "\\":
            escaped = True
        elif ch == "(":
            depth += 1
        elif ch == ")" and depth:
            depth -= 1
        if ch == sep and depth == 0:
            parts.append(cur)
            cur = ""
            continue
        cur += ch
    parts.append(cur)
    return parts


# ``: db01 = ...`` starts another Host_List = Cmnd_Spec_List section of the same rule.
_HOST_SECTION_RE = re.compile(r"^\s*!?[^\s=,:()!]+(?:\s*,\s*!?[^\s=,:()!]+)*\s*=")
_TAG_BEFORE_RE = re.compile(r"\b(?:NO)?(?:PASSWD|EXEC|SETENV|LOG_INPUT|LOG_OUTPUT|MAIL|FOLLOW|INTERCEPT)$")
# Option_Spec (CWD=, CHROOT=, TIMEOUT=, NOTBEFORE=, NOTAFTER=, ROLE=, TYPE=, PRIVS=, ...)
# sits between the Runas_Spec and the tags; no command or alias name contains '='.
_OPTION_RE = re.compile(r'^[A-Za-z_]+=(?:"[^"]*"|\S+)\s*')


def _host_sections(rhs: str) -> List[str]:
    """Cmnd_Spec_Lists of a user spec: split on ``:`` followed by ``Host_List =``.

    A ``:`` that ends a tag (``NOPASSWD:``), sits inside a Runas_Spec or belongs
    to a command argument does not start a new section.
    """
    pieces = _split_top(rhs, ":")
    sections = [pieces[0]]
    for piece in pieces[1:]:
        head = _HOST_SECTION_RE.match(piece)
        if head and not _TAG_BEFORE_RE.search(sections[-1].rstrip()):
            sections.append(piece[head.end() :])
        else:
            sections[-1] += ":" + piece
    return sections


def _commands(section: str) -> List[Tuple[str, bool]]:
    """(command, nopasswd) per Cmnd_Spec; tags carry over to later commands of the list."""
    nopasswd = False
    commands: List[Tuple[str, bool]] = []
    for item in _split_top(section, ","):
        item = item.strip()
        item = re.sub(r"^\([^)]*\)\s*", "", item)
        while True:
            m = _TAG_RE.match(item) or _OPTION_RE.match(item)
            if not m:
                break
            if m.re is _TAG_RE and m.group(1) == "NOPASSWD":
                nopasswd = True
            elif m.re is _TAG_RE and m.group(1) == "PASSWD":
                nopasswd = False
            item = item[m.end() :]
        if item:
            commands.append((item.strip(), nopasswd))
    return commands


def parse_user_spec(line: str, cmnd_aliases: Dict[str, List[str]]) -> Optional[SudoUserSpec]:
    """Reduce ``who host = (runas) OPTIONS TAGS: cmnd, ... : host = ...`` to principals and flags."""
    lhs, sep, rhs = line.partition("=")
    if not sep:
        return None
    lhs_tokens = re.sub(r"\s*,\s*", ",", lhs.strip()).split()
    if len(lhs_tokens) < 2:
        return None
    principals = [p.strip() for p in " ".join(lhs_tokens[:-1]).split(",") if p.strip()]
    commands: List[Tuple[str, bool]] = []
    for section in _host_sections(rhs):
        commands.extend(_commands(section))  # tags do not cross into the next section

    def is_all(cmd: str) -> bool:
        name = cmd.lstrip("!").strip()
        return name == "ALL" or "ALL" in cmnd_aliases.get(name, [])

    return {
        "principals": principals,
        "all_commands": any(is_all(c) and not c.startswith("!") for c, _ in commands),
        "nopasswd": any(n for _, n in commands),
        "nopasswd_all": any(n and is_all(c) and not c.startswith("!") for c, n in commands),
        "command_count": len(commands),
    }


class SudoersTree(TypedDict):
    """What :func:`parse_sudoers_tree` gathers across the include tree."""

    files: List[str]
    rules: List[SudoRule]
    cmnd_aliases: Dict[str, List[str]]
    user_aliases: Dict[str, List[str]]
    use_pty: bool  # the global (unscoped) setting, last one wins
    logfile: Optional[str]
    log_output: bool
    log_input: bool
    authenticate_disabled: List[str]
    scoped: List[Tuple[str, str, bool]]  # (Defaults head, option, set?) of scoped lines touching SUDO_LOGGING_OPTIONS


# The Defaults options whose scope matters for the logging and pty checks.
SUDO_LOGGING_OPTIONS = ("use_pty", "logfile", "log_output", "log_input")
# ``Defaults``, ``Defaults:users``, ``Defaults@hosts``, ``Defaults!commands``, ``Defaults>runas``.
_DEFAULTS_RE = re.compile(r"^Defaults(?:([:@!>])\s*((?:[^\s,]+\s*,\s*)*[^\s,]+))?(?:\s+(.*))?$")


def _parse_defaults(line: str, out: SudoersTree) -> None:
    """One Defaults line, with sudoers(5) semantics: ``!option`` clears a flag, later lines override earlier ones.

    Only an unscoped ``Defaults`` line sets a value for everyone; a scoped one
    (``Defaults:deploy !log_output``) is kept aside, because it changes the
    setting for some users, hosts, commands or run-as users only.
    """
    m = _DEFAULTS_RE.match(line)
    if not m:
        return
    head = f"Defaults{m.group(1)}{m.group(2)}" if m.group(1) else "Defaults"
    scoped = m.group(1) is not None
    for opt in _split_top(m.group(3) or "", ","):
        opt = opt.strip()
        if not opt:
            continue
        negated = False
        while opt.startswith("!"):
            negated, opt = not negated, opt[1:].lstrip()
        name, sep, value = opt.partition("=")
        name = name.strip().rstrip("+-")
        on = not negated
        if name == "authenticate" and negated:
            out["authenticate_disabled"].append(head)
        if name not in SUDO_LOGGING_OPTIONS:
            continue
        if name == "logfile" and on and not sep:
            continue  # logfile needs a path; a bare 'logfile' is a syntax error sudo rejects
        if scoped:
            out["scoped"].append((head, name, on))
        elif name == "use_pty":
            out["use_pty"] = on
        elif name == "log_output":
            out["log_output"] = on
        elif name == "log_input":
            out["log_input"] = on
        elif name == "logfile":
            out["logfile"] = value.strip().strip('"') if on else None


def _logical_lines(text: str) -> List[Tuple[int, str]]:
    return [(n, line) for n, line in _join_continuations(text)]


def parse_sudoers_tree(host: HostReader, path: str, acc: SudoersTree, depth: int = 0) -> None:
    """Parse one sudoers file into ``acc``, following includes."""
    text = host.read_text(path, required=depth == 0)
    if text is None:
        return
    if len(acc["files"]) >= MAX_SUDOERS_FILES:
        raise CollectError(ErrorReason.MALFORMED, f"{path}: more than {MAX_SUDOERS_FILES} sudoers files included (an include fan-out)")
    acc["files"].append(path)
    for lineno, raw in _logical_lines(text):
        stripped = raw.strip()
        m = re.match(r"^[#@](include(?:dir)?)\s+(.+)$", stripped)
        if m:
            if depth >= _MAX_INCLUDE_DEPTH:
                raise CollectError(
                    ErrorReason.MALFORMED, f"{path}: line {lineno}: includes nested more than {_MAX_INCLUDE_DEPTH} deep"
                )
            for target in _include_targets(host, m.group(1), m.group(2), path):
                parse_sudoers_tree(host, target, acc, depth + 1)
            continue
        line = _strip_sudo_comment(stripped)
        if not line:
            continue
        if line.startswith("Defaults"):
            _parse_defaults(line, acc)
            continue
        alias = re.match(r"^(User_Alias|Runas_Alias|Host_Alias|Cmnd_Alias|Cmd_Alias)\s+(.*)$", line)
        if alias:
            for part in alias.group(2).split(":"):
                name, _, members = part.partition("=")
                if alias.group(1).startswith("Cm"):
                    acc["cmnd_aliases"][name.strip()] = [x.strip() for x in members.split(",")]
                elif alias.group(1) == "User_Alias":
                    acc["user_aliases"][name.strip()] = [x.strip() for x in members.split(",")]
            continue
        spec = parse_user_spec(line, acc["cmnd_aliases"])
        if spec is None:
            continue
        expanded: List[str] = []
        for p in spec["principals"]:
            expanded.extend(acc["user_aliases"].get(p, [p]))
        acc["rules"].append({**spec, "principals": expanded, "file": path, "line": lineno})


@collector(SUDOERS, "sudo rules reduced to principals, NOPASSWD/ALL grants and logging defaults")
def collect_sudoers(host: HostReader) -> SudoersFacts:
    if not host.exists("/etc/sudoers"):
        raise NotApplicable("sudo is not configured on this host (no /etc/sudoers)")
    acc: SudoersTree = {
        "files": [],
        "rules": [],
        "cmnd_aliases": {},
        "user_aliases": {},
        "use_pty": False,
        "logfile": None,
        "log_output": False,
        "log_input": False,
        "authenticate_disabled": [],
        "scoped": [],
    }
    parse_sudoers_tree(host, "/etc/sudoers", acc)
    # A scoped '!option' exempts some users, hosts or commands: the option no longer holds for everyone.
    exempted = {name for _head, name, on in acc["scoped"] if not on}
    rules = acc["rules"]
    nopasswd_all = sorted({p for r in rules if r["nopasswd_all"] for p in r["principals"]})
    all_grants = sorted({p for r in rules if r["all_commands"] for p in r["principals"]})
    return {
        "_method": "files",
        "files": acc["files"],
        "rules": rules,
        "nopasswd_rule_count": sum(1 for r in rules if r["nopasswd"]),
        "nopasswd_all_principals": nopasswd_all,
        "all_principals": all_grants,
        "non_admin_all_principals": [p for p in all_grants if p not in ADMIN_PRINCIPALS],
        "use_pty": acc["use_pty"] and "use_pty" not in exempted,
        "logfile": acc["logfile"] if "logfile" not in exempted else None,
        "log_output": acc["log_output"] and "log_output" not in exempted,
        "authenticate_disabled": acc["authenticate_disabled"],
        "scoped_defaults": [f"{head} {'' if on else '!'}{name}" for head, name, on in acc["scoped"]],
    }


# --------------------------------------------------------------------------- shell environment
SHELL_FILES = ("/etc/profile", "/etc/bash.bashrc", "/etc/bashrc")
ROOT_PATH_FILES = ("/etc/environment", "/root/.profile", "/root/.bashrc", "/root/.bash_profile")
TRUST_FILES = (".rhosts", ".shosts", ".netrc")

_TMOUT_RE = re.compile(r"^(?:(?:export|readonly|declare|typeset|local)\s+(?:-[a-zA-Z]+\s+)*)*TMOUT=[\"']?([0-9]+)")
_READONLY_RE = re.compile(r"^(?:readonly|declare\s+-[a-zA-Z]*r[a-zA-Z]*|typeset\s+-[a-zA-Z]*r[a-zA-Z]*)\b.*\bTMOUT\b")
_UMASK_RE = re.compile(r"(?:^|[;&|{]\s*|\bthen\s+|\belse\s+|\bdo\s+)umask\s+(?:-S\s+)?([0-7]{3,4})\b")
_PATH_RE = re.compile(r"^(?:export\s+)?PATH=(.*)$")


def _shell_lines(text: str) -> List[Tuple[int, str]]:
    out = []
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        out.append((lineno, line))
    return out


def scan_shell_file(path: str, text: str) -> ShellScan:
    """TMOUT assignments (with readonly) and umask calls in one shell start-up file."""
    tmout: List[TmoutSetting] = []
    umask: List[UmaskSetting] = []
    readonly_lines: List[int] = []
    for lineno, line in _shell_lines(text):
        for stmt in re.split(r"\s*;\s*", line):
            m = _TMOUT_RE.match(stmt)
            if m and len(m.group(1)) <= 18:  # bash ignores a TMOUT past intmax_t (and int() refuses 4,300 digits)
                tmout.append({"file": path, "line": lineno, "value": int(m.group(1)), "readonly": bool(_READONLY_RE.match(stmt))})
            elif _READONLY_RE.match(stmt):
                readonly_lines.append(lineno)
        for m in _UMASK_RE.finditer(line):
            umask.append({"file": path, "line": lineno, "value": m.group(1).rjust(3, "0")[-3:]})
    if readonly_lines:
        for t in tmout:
            t["readonly"] = True
    return {"tmout": tmout, "umask": umask, "readonly": [{"file": path, "line": n} for n in readonly_lines]}


def path_problems(value: str) -> List[str]:
    """Entries of a PATH value that let a planted binary run: '.', empty, relative."""
    value = value.strip().strip("\"'")
    problems = []
    for entry in value.split(":"):
        if entry in ("$PATH", "${PATH}"):
            continue
        if entry == "":
            problems.append("empty entry")
        elif entry == ".":
            problems.append("'.' entry")
        elif not entry.startswith(("/", "$", "~")):
            problems.append(f"relative entry {entry}")
    return problems


def _scan_root_path(host: HostReader, login_defs: Optional[str]) -> List[PathProblem]:
    findings: List[PathProblem] = []
    for path in ("/etc/profile", *ROOT_PATH_FILES):
        text = host.read_text(path)
        if text is None:
            continue
        for lineno, line in _shell_lines(text):
            m = _PATH_RE.match(line)
            if not m:
                continue
            try:
                value = " ".join(shlex.split(m.group(1), comments=True))
            except ValueError:
                value = m.group(1)
            for issue in path_problems(value):
                findings.append({"file": path, "line": lineno, "issue": issue})
    if login_defs:
        su_path = parse_login_defs(login_defs).get("ENV_SUPATH", "")
        if su_path.startswith("PATH="):
            for issue in path_problems(su_path[5:]):
                findings.append({"file": "/etc/login.defs", "line": None, "issue": f"ENV_SUPATH {issue}"})
    return findings


def _homes(host: HostReader) -> Tuple[List[Tuple[str, str]], bool]:
    """(user, home) pairs, read leniently: a damaged passwd is reported, not fatal here."""
    text = host.read_text("/etc/passwd") or ""
    out, damaged, seen = [], False, set()
    for line in text.splitlines():
        fields = line.strip().split(":")
        if not line.strip() or line.startswith("#"):
            continue
        if line.strip()[0] in "+-":
            continue  # NIS compat entries (+, +user, -@netgroup, +:::::: ...): not local accounts, as in parse_passwd
        if len(fields) != 7:
            damaged = True
            continue
        home = fields[5]
        if home in ("", "/", "/nonexistent") or home in seen or not home.startswith("/"):
            continue  # a relative home (a damaged entry) is no path on the host
        seen.add(home)
        out.append((fields[0], home))
    return out, damaged


def _trust_files(host: HostReader) -> TrustFiles:
    found: List[TrustFile] = []
    unreadable: List[str] = []
    for path in ("/etc/hosts.equiv", "/etc/shosts.equiv"):
        if host.exists(path):
            found.append({"path": path, "user": None})
    homes, damaged = _homes(host)
    for user, home in homes:
        if not host.is_dir(home):
            continue
        try:
            entries = host.listdir(home)
        except CollectError:
            unreadable.append(home)
            continue
        for name in TRUST_FILES:
            if name in entries:
                found.append({"path": posixpath.join(home, name), "user": user})
    return {"found": found, "unreadable_homes": unreadable, "passwd_damaged": damaged}


@collector(SHELL_ENV, "Shell idle timeout, umask, root PATH and .rhosts/.netrc trust files")
def collect_shell_env(host: HostReader) -> ShellEnvFacts:
    files = [p for p in SHELL_FILES if host.exists(p)] + host.glob("/etc/profile.d/*.sh")
    tmout: List[TmoutSetting] = []
    umask: List[UmaskSetting] = []
    readonly: List[ShellLine] = []
    scanned: List[str] = []
    for path in files:
        text = host.read_text(path)
        if text is None:
            continue
        scanned.append(path)
        found = scan_shell_file(path, text)
        tmout += found["tmout"]
        umask += found["umask"]
        readonly += found["readonly"]
    if readonly:  # a 'readonly TMOUT' anywhere freezes the value set before it
        for t in tmout:
            t["readonly"] = True
    return {
        "_method": "files",
        "files": scanned,
        "tmout": tmout,
        "umask": umask,
        "root_path_problems": _scan_root_path(host, host.read_text("/etc/login.defs")),
        "trust_files": _trust_files(host),
    }
