"""OpenSSH server: effective configuration, Match blocks, file modes, PAM MFA.

``sshd -T`` is the authority on the effective global configuration: it
resolves ``Include``, first-value-wins and defaults exactly as the daemon does.
It needs root (and ``/run/sshd``), so when it cannot be used the configuration
files are parsed here with the same rules; when it ran and rejected the
configuration, that is an error (the daemon would not start with it), never a
fallback. The files are parsed in both cases
because ``sshd -T`` without ``-C`` hides ``Match`` blocks, and a ``Match``
block that re-enables password login is exactly what an insurer must see.
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
from dataclasses import dataclass, field
from typing import Callable, Dict, FrozenSet, List, Literal, Optional, Tuple, TypedDict, Union, cast, get_args

from collectors.context import OFFLINE_ROOT, HostReader
from collectors.evidence import CollectError, ErrorReason, NotApplicable
from collectors.facts import CollectedFacts, FactsKey
from collectors.registry import collector

# -- facts shapes -----------------------------------------------------------------
# Keywords kept in the facts: what the checks (and a reader of the report) need.
# Anything else in a full `sshd -T` dump is dropped, so an unforeseen keyword can
# never carry a secret into the evidence. Checks name keywords with this type.
SshdKeyword = Literal[
    "port", "addressfamily", "listenaddress", "usepam", "logingracetime", "maxauthtries", "maxsessions",
    "clientaliveinterval", "clientalivecountmax", "permitrootlogin", "ignorerhosts", "ignoreuserknownhosts",
    "hostbasedauthentication", "pubkeyauthentication", "kerberosauthentication", "gssapiauthentication",
    "passwordauthentication", "kbdinteractiveauthentication", "printmotd", "printlastlog", "x11forwarding",
    "x11uselocalhost", "permittty", "permituserrc", "strictmodes", "tcpkeepalive", "permitemptypasswords",
    "compression", "gatewayports", "usedns", "allowtcpforwarding", "allowagentforwarding", "disableforwarding",
    "allowstreamlocalforwarding", "banner", "chrootdirectory", "ciphers", "macs", "kexalgorithms",
    "hostkeyalgorithms", "pubkeyacceptedalgorithms", "loglevel", "syslogfacility", "authorizedkeysfile",
    "authorizedprincipalsfile", "trustedusercakeys", "revokedkeys", "hostkey", "authenticationmethods",
    "maxstartups", "permittunnel", "permituserenvironment", "allowusers", "denyusers", "allowgroups",
    "denygroups", "acceptenv", "authorizedkeyscommanduser", "authorizedprincipalscommanduser",
]  # fmt: skip
# Keywords whose values may hold secrets (environment values, command arguments with
# tokens): only whether they are set is reported.
SensitiveKeyword = Literal["setenv", "authorizedkeyscommand", "authorizedprincipalscommand", "forcecommand"]
SetOrNot = Literal["set", "not set"]


class SshdConfig(TypedDict, total=False):
    """A configuration as ``sshd -T`` prints it, reduced to the keywords above (one field each).

    The global one has every keyword sshd -T printed (or every default and explicit
    setting, parsed from the files) and every sensitive one; a Match block's has
    only what the block sets. Keywords of MULTI_KEYS are lists, one entry per value.
    """

    port: List[str]
    addressfamily: str
    listenaddress: List[str]
    usepam: str
    logingracetime: str  # seconds
    maxauthtries: str
    maxsessions: str
    clientaliveinterval: str  # seconds
    clientalivecountmax: str
    permitrootlogin: str
    ignorerhosts: str
    ignoreuserknownhosts: str
    hostbasedauthentication: str
    pubkeyauthentication: str
    kerberosauthentication: str
    gssapiauthentication: str
    passwordauthentication: str
    kbdinteractiveauthentication: str
    printmotd: str
    printlastlog: str
    x11forwarding: str
    x11uselocalhost: str
    permittty: str
    permituserrc: str
    strictmodes: str
    tcpkeepalive: str
    permitemptypasswords: str
    compression: str
    gatewayports: str
    usedns: str
    allowtcpforwarding: str
    allowagentforwarding: str
    disableforwarding: str
    allowstreamlocalforwarding: str
    banner: str
    chrootdirectory: str
    ciphers: str  # comma-separated, +/-/^ resolved against the default
    macs: str
    kexalgorithms: str
    hostkeyalgorithms: str
    pubkeyacceptedalgorithms: str
    loglevel: str
    syslogfacility: str
    authorizedkeysfile: str
    authorizedprincipalsfile: str
    trustedusercakeys: str
    revokedkeys: str
    hostkey: List[str]
    authenticationmethods: str
    maxstartups: str  # start:rate:full
    permittunnel: str
    permituserenvironment: str
    allowusers: List[str]
    denyusers: List[str]
    allowgroups: List[str]
    denygroups: List[str]
    acceptenv: List[str]
    authorizedkeyscommanduser: str
    authorizedprincipalscommanduser: str
    setenv: SetOrNot
    authorizedkeyscommand: SetOrNot
    authorizedprincipalscommand: SetOrNot
    forcecommand: SetOrNot


class MatchBlockFacts(TypedDict):
    criteria: str  # "user alice address 10.0.0.0/8"
    conditions: List[List[str]]  # [["user", "alice"], ["address", "10.0.0.0/8"]]
    file: str
    line: int
    settings: SshdConfig  # what the block overrides
    never_matches: bool


class FileStat(TypedDict):
    path: str
    mode: str  # octal, "0600"
    uid: int
    gid: int
    group: Optional[str]  # None: gid not in /etc/group


class OtpWeakness(TypedDict):
    module: str
    why: str


class PamAuthRule(TypedDict):
    """One rule of the flattened sshd PAM auth stack (see :class:`PamAuthEntry`)."""

    file: str
    module: str
    control: str
    args: List[str]
    dash: bool
    substack: Optional[str]


class PamStack(TypedDict, total=False):
    """Set only when the sshd PAM stack was read."""

    auth_modules: List[str]
    auth_stack: List[PamAuthRule]


class PamFacts(PamStack):
    present: bool  # /etc/pam.d/sshd exists
    mfa_modules: List[str]
    otp_enforced: List[str]  # OTP modules every keyboard-interactive login must pass
    otp_not_enforced: List[OtpWeakness]
    error: Optional[str]


class SshdFacts(CollectedFacts):
    fallback: bool  # sshd -T was not usable: the configuration was parsed from the files
    sshd_t_unusable_reason: Optional[str]
    config: SshdConfig  # the global effective configuration
    match_blocks: List[MatchBlockFacts]
    config_files: List[str]
    config_file_stats: List[FileStat]
    sshd_config_stat: Optional[FileStat]
    host_keys: List[FileStat]  # private host keys, never their contents
    pam: PamFacts
    parse_warnings: List[str]


SSHD = FactsKey[SshdFacts]("host.sshd", SshdFacts)

MAIN_CONFIG = "/etc/ssh/sshd_config"
SSH_DIR = "/etc/ssh"
PAM_SSHD = "/etc/pam.d/sshd"
MAX_INCLUDE_DEPTH = 16  # sshd's own SERVCONF_MAX_DEPTH
MAX_INCLUDE_EXPANSIONS = 256  # files parsed in all (include loops and fan-out), far past any real configuration

Value = Union[str, List[str]]
Config = Dict[str, Value]

# Keywords whose values accumulate over lines instead of first-value-wins.
# Per-argument: each word is one entry (sshd -T prints one line per entry).
ACCUMULATE_PER_ARG = frozenset({"allowusers", "denyusers", "allowgroups", "denygroups", "acceptenv"})
# Per-line: the whole value of each line is one entry.
ACCUMULATE_PER_LINE = frozenset({"port", "listenaddress", "hostkey", "hostcertificate", "subsystem"})
MULTI_KEYS = ACCUMULATE_PER_ARG | ACCUMULATE_PER_LINE
# The few keywords where sshd keeps the LAST value (verified against OpenSSH 9.2).
LAST_WINS = frozenset({"maxstartups", "persourcemaxstartups", "persourcenetblocksize", "ipqos"})

ALIASES = {
    "challengeresponseauthentication": "kbdinteractiveauthentication",
    "skeyauthentication": "kbdinteractiveauthentication",
    "dsaauthentication": "pubkeyauthentication",
    "pubkeyacceptedkeytypes": "pubkeyacceptedalgorithms",
    "hostbasedacceptedkeytypes": "hostbasedacceptedalgorithms",
}

TIME_KEYS = frozenset({"logingracetime", "clientaliveinterval"})
LOWER_KEYS = frozenset(
    {
        "passwordauthentication",
        "permitemptypasswords",
        "ignorerhosts",
        "ignoreuserknownhosts",
        "hostbasedauthentication",
        "x11forwarding",
        "x11uselocalhost",
        "allowtcpforwarding",
        "allowagentforwarding",
        "allowstreamlocalforwarding",
        "disableforwarding",
        "usepam",
        "kbdinteractiveauthentication",
        "pubkeyauthentication",
        "permitrootlogin",
        "gatewayports",
        "permittunnel",
        "strictmodes",
        "gssapiauthentication",
        "kerberosauthentication",
        "permittty",
        "permituserrc",
        "printmotd",
        "printlastlog",
        "usedns",
        "tcpkeepalive",
        "exposeauthinfo",
        "compression",
    }
)
# Spellings sshd accepts for LogLevel, as `sshd -T` prints them.
_LOGLEVEL_NAMES = {"QUIET": "SILENT", "DEBUG1": "DEBUG"}
ALGORITHM_KEYS = frozenset({"ciphers", "macs", "kexalgorithms"})

# Effective defaults of `sshd -T` on OpenSSH 9.x (recorded from OpenSSH 9.2 with
# an empty configuration); the keywords the checks use, and a few more.
DEFAULTS: Config = {
    "port": ["22"],
    "addressfamily": "any",
    "listenaddress": ["[::]:22", "0.0.0.0:22"],
    "usepam": "no",
    "logingracetime": "120",
    "maxauthtries": "6",
    "maxsessions": "10",
    "clientaliveinterval": "0",
    "clientalivecountmax": "3",
    "permitrootlogin": "prohibit-password",
    "ignorerhosts": "yes",
    "ignoreuserknownhosts": "no",
    "hostbasedauthentication": "no",
    "pubkeyauthentication": "yes",
    "kerberosauthentication": "no",
    "gssapiauthentication": "no",
    "passwordauthentication": "yes",
    "kbdinteractiveauthentication": "yes",
    "printmotd": "yes",
    "x11forwarding": "no",
    "x11uselocalhost": "yes",
    "permittty": "yes",
    "permituserrc": "yes",
    "strictmodes": "yes",
    "tcpkeepalive": "yes",
    "permitemptypasswords": "no",
    "compression": "yes",
    "gatewayports": "no",
    "usedns": "no",
    "allowtcpforwarding": "yes",
    "allowagentforwarding": "yes",
    "disableforwarding": "no",
    "allowstreamlocalforwarding": "yes",
    "banner": "none",
    "forcecommand": "none",
    "chrootdirectory": "none",
    "ciphers": "chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr,aes128-gcm@openssh.com,aes256-gcm@openssh.com",
    "macs": (
        "umac-64-etm@openssh.com,umac-128-etm@openssh.com,hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com,"
        "hmac-sha1-etm@openssh.com,umac-64@openssh.com,umac-128@openssh.com,hmac-sha2-256,hmac-sha2-512,hmac-sha1"
    ),
    "kexalgorithms": (
        "sntrup761x25519-sha512,sntrup761x25519-sha512@openssh.com,curve25519-sha256,curve25519-sha256@libssh.org,"
        "ecdh-sha2-nistp256,ecdh-sha2-nistp384,ecdh-sha2-nistp521,diffie-hellman-group-exchange-sha256,"
        "diffie-hellman-group16-sha512,diffie-hellman-group18-sha512,diffie-hellman-group14-sha256"
    ),
    "loglevel": "INFO",
    "syslogfacility": "AUTH",
    "authorizedkeysfile": ".ssh/authorized_keys .ssh/authorized_keys2",
    "hostkey": ["/etc/ssh/ssh_host_rsa_key", "/etc/ssh/ssh_host_ecdsa_key", "/etc/ssh/ssh_host_ed25519_key"],
    "authenticationmethods": "any",
    "maxstartups": "10:30:100",
    "permittunnel": "no",
    "permituserenvironment": "no",
    "allowusers": [],
    "denyusers": [],
    "allowgroups": [],
    "denygroups": [],
    "acceptenv": [],
}

# PAM modules that add a one-time password or hardware factor.
MFA_PAM_MODULES = (
    "pam_google_authenticator",
    "pam_oath",
    "pam_radius",
    "pam_radius_auth",
    "pam_duo",
    "pam_u2f",
    "pam_yubico",
    "pam_totp",
    "pam_oauth2_device",
    "pam_privacyidea",
    "pam_linotp",
    "pam_sss_otp",
)

_TIME_RE = re.compile(r"(\d+)([smhdwSMHDW]?)")
_TIME_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_MAX_DIGITS = 1000  # far past any value sshd accepts, and within what int() converts


# -- value normalisation ------------------------------------------------------
def convtime(text: str) -> Optional[int]:
    """sshd's time format (``90``, ``2m``, ``1h30m``) in seconds; None if invalid."""
    text = text.strip()
    if not text:
        return None
    pos, total = 0, 0
    while pos < len(text):
        m = _TIME_RE.match(text, pos)
        if not m or len(m.group(1)) > _MAX_DIGITS:
            return None  # sshd refuses a value past INT_MAX, and int() one of over 4300 digits
        total += int(m.group(1)) * _TIME_UNITS[m.group(2).lower()]
        pos = m.end()
    return total


def _apply_algorithm_ops(value: str, default: str) -> str:
    """Resolve ``+list`` (append), ``-pattern`` (remove) and ``^list`` (prepend) against the default."""
    base = [a for a in default.split(",") if a]
    if value.startswith("+"):
        extra = [a for a in value[1:].split(",") if a and a not in base]
        return ",".join(base + extra)
    if value.startswith("-"):
        pats = [p for p in value[1:].split(",") if p]
        return ",".join(a for a in base if not any(fnmatch.fnmatchcase(a, p) for p in pats))
    if value.startswith("^"):
        head = [a for a in value[1:].split(",") if a]
        return ",".join(head + [a for a in base if a not in head])
    return value


def normalize_value(key: str, value: str) -> str:
    """Bring a configuration value to the form ``sshd -T`` prints."""
    value = value.strip()
    if key in TIME_KEYS:
        secs = convtime(value)
        return str(secs) if secs is not None else value
    if key in LOWER_KEYS:
        value = value.lower()
        if key == "permitrootlogin" and value == "without-password":
            return "prohibit-password"
        if key in ("allowtcpforwarding", "allowstreamlocalforwarding") and value == "all":
            return "yes"
        return value
    if key == "loglevel":
        upper = value.upper()
        return _LOGLEVEL_NAMES.get(upper, upper)
    if key == "permituserenvironment" and value.lower() in ("yes", "no"):
        return value.lower()
    if key == "maxstartups" and value.isdigit():
        return f"{value}:30:{value}"
    if key in ALGORITHM_KEYS and value[:1] in "+-^":
        default = DEFAULTS.get(key)
        return _apply_algorithm_ops(value, default) if isinstance(default, str) else value
    return value


def canonical_key(word: str) -> str:
    key = word.lower()
    return ALIASES.get(key, key)


# -- `sshd -T` output ---------------------------------------------------------
def parse_sshd_t(text: str) -> Config:
    """Parse the lowercase ``key value`` lines of ``sshd -T``."""
    out: Config = {}
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        key, _, value = line.partition(" ")
        key = canonical_key(key)
        value = value.strip()
        if key in MULTI_KEYS:
            lst = out.setdefault(key, [])
            if isinstance(lst, list):
                lst.append(value)
        elif key not in out:
            out[key] = normalize_value(key, value)
    for key in ACCUMULATE_PER_ARG:
        out.setdefault(key, [])
    return out


# -- configuration files ------------------------------------------------------
def tokenize(line: str) -> Optional[List[str]]:
    """Split a config line like sshd does: whitespace, double quotes, ``#`` ends the line.

    Returns None for an unterminated quote.
    """
    tokens: List[str] = []
    i, n = 0, len(line)
    while i < n:
        ch = line[i]
        if ch.isspace():
            i += 1
            continue
        if ch == "#":
            break
        if ch == '"':
            end = line.find('"', i + 1)
            if end < 0:
                return None
            tokens.append(line[i + 1 : end])
            i = end + 1
            continue
        j = i
        while j < n and not line[j].isspace() and line[j] != '"':
            j += 1
        tokens.append(line[i:j])
        i = j
    return tokens


def _split_keyword(tokens: List[str]) -> Tuple[str, List[str]]:
    """``Key=value``, ``Key = value`` and ``Key value`` are all accepted by sshd."""
    first = tokens[0]
    rest = tokens[1:]
    if "=" in first:
        key, _, val = first.partition("=")
        return key, ([val] if val else []) + rest
    if rest and rest[0].startswith("="):
        val = rest[0][1:]
        return first, ([val] if val else []) + rest[1:]
    return first, rest


def parse_match_criteria(args: List[str]) -> List[List[str]]:
    """``User a,b Address 10.0.0.0/8`` -> [["user", "a,b"], ["address", "10.0.0.0/8"]]."""
    out: List[List[str]] = []
    i = 0
    while i < len(args):
        word = args[i].lower()
        if word == "all":
            out.append(["all", ""])
            i += 1
            continue
        if "=" in args[i]:
            k, _, v = args[i].partition("=")
            out.append([k.lower(), v])
            i += 1
            continue
        out.append([word, args[i + 1] if i + 1 < len(args) else ""])
        i += 2
    return out


@dataclass
class MatchBlock:
    """One ``Match`` block: where it is, what it matches and what it overrides."""

    criteria: List[List[str]]
    file: str
    line: int
    settings: Config = field(default_factory=dict)
    never_matches: bool = False  # kept for the facts' shape; sshd evaluates every Match block

    def to_json(self) -> MatchBlockFacts:
        return {
            "criteria": " ".join(f"{k} {v}".strip() for k, v in self.criteria),
            "conditions": [list(c) for c in self.criteria],
            "file": self.file,
            "line": self.line,
            "settings": reduce_config(self.settings),
            "never_matches": self.never_matches,
        }


@dataclass
class ConfigTree:
    """Result of parsing ``sshd_config`` and everything it includes."""

    settings: Config = field(default_factory=dict)  # explicitly set, global
    match_blocks: List[MatchBlock] = field(default_factory=list)
    files: List[str] = field(default_factory=list)
    warnings: List[str] = field(default_factory=list)

    def effective(self) -> Config:
        """Global effective configuration: explicit values over OpenSSH defaults."""
        out: Config = {k: (list(v) if isinstance(v, list) else v) for k, v in DEFAULTS.items()}
        out.update({k: (list(v) if isinstance(v, list) else v) for k, v in self.settings.items()})
        return out


def _store(target: Config, key: str, args: List[str]) -> None:
    """Record one keyword with sshd's accumulate or first-value-wins semantics."""
    if key in ACCUMULATE_PER_ARG:
        lst = target.setdefault(key, [])
        if isinstance(lst, list):
            lst.extend(args)
        return
    value = " ".join(args)
    if key in ACCUMULATE_PER_LINE:
        lst = target.setdefault(key, [])
        if isinstance(lst, list):
            lst.append(value)
        return
    if key not in target or key in LAST_WINS:
        target[key] = normalize_value(key, value)


class _Parser:
    def __init__(self, read: Callable[[str], Optional[str]], glob: Callable[[str], List[str]]) -> None:
        self.read = read
        self.glob = glob
        self.tree = ConfigTree()
        self.expansions = 0
        self._tokens: Dict[str, Tuple[str, List[Tuple[int, Optional[List[str]]]]]] = {}

    def _tokenized(self, path: str, text: str) -> List[Tuple[int, Optional[List[str]]]]:
        """The file's lines as tokens, split once however often the file is included."""
        cached = self._tokens.get(path)
        if cached is None or cached[0] != text:
            cached = (text, [(n, tokenize(raw)) for n, raw in enumerate(text.splitlines(), start=1)])
            self._tokens[path] = cached
        return cached[1]

    def parse_file(self, path: str, block: Optional[MatchBlock], depth: int) -> None:
        # Files that include each other fan out exponentially up to the depth limit: bound the work.
        self.expansions += 1
        if self.expansions > MAX_INCLUDE_EXPANSIONS:
            if self.expansions == MAX_INCLUDE_EXPANSIONS + 1:
                self.tree.warnings.append(f"{path}: more than {MAX_INCLUDE_EXPANSIONS} Include expansions; the rest ignored")
            return
        text = self.read(path)
        if text is None:
            return
        if path not in self.tree.files:
            self.tree.files.append(path)
        current = block
        for lineno, tokens in self._tokenized(path, text):
            if tokens is None:
                self.tree.warnings.append(f"{path}: line {lineno}: unterminated quote; line ignored")
                continue
            if not tokens:
                continue
            word, args = _split_keyword(tokens)
            key = canonical_key(word)
            if not key:
                self.tree.warnings.append(f"{path}: line {lineno}: empty keyword; line ignored")
            elif key == "match":
                current = self._start_match(args, path, lineno, block)
            elif key == "include":
                self._include(args, path, lineno, current, depth)
            elif not args:
                self.tree.warnings.append(f"{path}: line {lineno}: {word} has no value; line ignored")
            else:
                _store(current.settings if current is not None else self.tree.settings, key, args)

    def _start_match(self, args: List[str], path: str, lineno: int, outer: Optional[MatchBlock]) -> Optional[MatchBlock]:
        criteria = parse_match_criteria(args)
        if not criteria:
            self.tree.warnings.append(f"{path}: line {lineno}: Match without criteria")
        if criteria == [["all", ""]] and outer is None:
            return None  # `Match all` at top level applies to every connection, as global settings do
        # A Match inside a file Included from a Match block is evaluated by sshd when the
        # outer block matched (verified with OpenSSH 9.2 `sshd -T -C`): both must match.
        blk = MatchBlock(criteria, path, lineno)
        if outer is not None:
            blk.criteria = outer.criteria + criteria
        self.tree.match_blocks.append(blk)
        return blk

    def _include(self, args: List[str], path: str, lineno: int, current: Optional[MatchBlock], depth: int) -> None:
        if depth >= MAX_INCLUDE_DEPTH:
            self.tree.warnings.append(f"{path}: line {lineno}: Include nested too deeply; ignored")
            return
        for pattern in args:
            full = pattern if pattern.startswith("/") else posixpath.join(SSH_DIR, pattern)
            for inc in self.glob(full):
                self.parse_file(inc, current, depth + 1)


def parse_sshd_config_tree(
    read: Callable[[str], Optional[str]],
    glob: Callable[[str], List[str]],
    main_path: str = MAIN_CONFIG,
) -> ConfigTree:
    """Parse ``main_path`` and its includes the way sshd does.

    ``read`` returns a file's text (None if missing), ``glob`` returns sorted
    matching paths. Relative ``Include`` paths are relative to /etc/ssh; an
    included file inherits the Match state of the Include line, and a Match
    opened inside an included file ends with that file.
    """
    parser = _Parser(read, glob)
    parser.parse_file(main_path, None, 0)
    return parser.tree


def overlay(global_cfg: Config, block_settings: Config) -> Config:
    """The configuration a connection gets when a Match block applies."""
    out = dict(global_cfg)
    out.update(block_settings)
    return out


# -- PAM ------------------------------------------------------------------------
PAM_DIR = "/etc/pam.d"
MAX_PAM_DEPTH = 8
MAX_PAM_ENTRIES = 256
# Return codes whose action does not matter for "is a failure of this module fatal".
_NEUTRAL_PAM_KEYS = frozenset({"success", "new_authtok_reqd", "ignore"})


@dataclass
class PamAuthEntry:
    """One ``auth`` rule of the flattened sshd PAM stack (include/substack resolved)."""

    file: str
    module: str
    control: str  # "required", "sufficient", ... or "[success=1 default=ignore]"
    args: List[str]  # option names only (values after '=' dropped: they may be secrets)
    dash: bool  # "-auth": silently skipped when the module is not installed
    substack: Optional[str]  # which substack the rule runs in (None: the sshd stack itself)

    def actions(self) -> Dict[str, str]:
        """The control as return-code -> action; simple keywords expanded like Linux-PAM does."""
        simple = {
            "required": {"success": "ok", "new_authtok_reqd": "ok", "ignore": "ignore", "default": "bad"},
            "requisite": {"success": "ok", "new_authtok_reqd": "ok", "ignore": "ignore", "default": "die"},
            "sufficient": {"success": "done", "new_authtok_reqd": "done", "default": "ignore"},
            "optional": {"success": "ok", "new_authtok_reqd": "ok", "default": "ignore"},
        }
        if self.control in simple:
            return simple[self.control]
        out: Dict[str, str] = {}
        for item in self.control.strip("[]").split():
            key, _, action = item.partition("=")
            out[key.lower()] = action.lower()
        return out

    def to_json(self) -> PamAuthRule:
        return {
            "file": self.file,
            "module": self.module,
            "control": self.control,
            "args": list(self.args),
            "dash": self.dash,
            "substack": self.substack,
        }


def _pam_control(parts: List[str]) -> Tuple[str, int]:
    """The control field (bracketed controls may span several words) and the index after it."""
    if not parts[1].startswith("["):
        return parts[1].lower(), 2
    end = next((i for i, p in enumerate(parts) if i >= 1 and p.endswith("]")), len(parts) - 1)
    return " ".join(parts[1 : end + 1]), end + 1


def _pam_auth_entries(
    host: HostReader, path: str, chain: Tuple[str, ...], substack: Optional[str], out: List[PamAuthEntry]
) -> None:
    """Append the ``auth`` rules of ``path`` to ``out``, following @include, include and substack."""
    if len(chain) > MAX_PAM_DEPTH or path in chain or len(out) >= MAX_PAM_ENTRIES:
        return
    text = host.read_text(path)
    if text is None:
        return
    chain = (*chain, path)
    for raw in text.splitlines():
        parts = raw.split("#", 1)[0].split()
        if not parts or len(out) >= MAX_PAM_ENTRIES:
            continue
        if parts[0] == "@include":
            if len(parts) > 1:
                _pam_auth_entries(host, posixpath.join(PAM_DIR, parts[1]), chain, substack, out)
            continue
        if parts[0].lstrip("-").lower() != "auth" or len(parts) < 3:
            continue
        control, idx = _pam_control(parts)
        if idx >= len(parts):
            continue
        target = parts[idx]
        if control in ("include", "substack"):
            inc = target if target.startswith("/") else posixpath.join(PAM_DIR, target)
            sub = substack if control == "include" else f"{inc}@{len(out)}"
            _pam_auth_entries(host, inc, chain, sub, out)
            continue
        module = posixpath.basename(target)
        module = module[:-3] if module.endswith(".so") else module
        args = [a.split("=", 1)[0] for a in parts[idx + 1 :]][:20]
        out.append(PamAuthEntry(path, module, control, args, parts[0].startswith("-"), substack))


def _jump(action: str) -> Optional[int]:
    """The rule count of a ``[... =N]`` jump; None for an action that is not one.

    isdigit() accepts digits int() refuses ('²'), and int() refuses over 4300 digits: such a jump is past any stack.
    """
    if not action.isdecimal():
        return None
    return int(action) if len(action) <= 18 else 10**18


def _otp_weakness(entries: List[PamAuthEntry], i: int) -> Optional[str]:
    """Why the OTP rule ``entries[i]`` may not be a second factor every login must pass; None if it is."""
    otp = entries[i]
    acts = otp.actions()
    where = f"{otp.module} ({otp.file}: auth {otp.control})"
    if acts.get("default") not in ("bad", "die") or any(
        v not in ("bad", "die") for k, v in acts.items() if k not in _NEUTRAL_PAM_KEYS and k != "default"
    ):
        return f"{where}: its failure does not end the login (control {otp.control})"
    if "nullok" in otp.args:
        return f"{where}: nullok lets accounts without an OTP secret skip it"
    if otp.dash:
        return f"{where}: '-auth' skips it silently when the module is missing"
    for j in range(i):
        prev = entries[j]
        if prev.substack is not None and prev.substack != otp.substack:
            continue  # a substack's done/sufficient only ends that substack
        for key, action in prev.actions().items():
            if action == "done" or (prev.control == "sufficient" and key == "success"):
                return f"{where}: an earlier rule {prev.module} ({prev.file}: {prev.control}) can end the stack first"
            n = _jump(action)
            if n is not None and j + n >= i:
                return f"{where}: an earlier rule {prev.module} ({prev.file}: {prev.control}) can jump over it"
    return None


def _pam_facts(host: HostReader) -> PamFacts:
    """OTP modules in the sshd auth stack, split into enforced and not reliably enforced."""
    entries: List[PamAuthEntry] = []
    try:
        if host.read_text(PAM_SSHD) is None:
            return {"present": False, "mfa_modules": [], "otp_enforced": [], "otp_not_enforced": [], "error": None}
        _pam_auth_entries(host, PAM_SSHD, (), None, entries)
    except CollectError as exc:
        return {"present": True, "mfa_modules": [], "otp_enforced": [], "otp_not_enforced": [], "error": exc.message}
    enforced: List[str] = []
    weak: List[OtpWeakness] = []
    for i, entry in enumerate(entries):
        if entry.module not in MFA_PAM_MODULES:
            continue
        why = _otp_weakness(entries, i)
        if why is None:
            enforced.append(entry.module)
        else:
            weak.append({"module": entry.module, "why": why})
    return {
        "present": True,
        "mfa_modules": sorted({e.module for e in entries if e.module in MFA_PAM_MODULES}),
        "otp_enforced": sorted(set(enforced)),
        "otp_not_enforced": weak,
        "auth_modules": sorted({e.module for e in entries}),
        "auth_stack": [e.to_json() for e in entries],
        "error": None,
    }


# -- what may leave the host ----------------------------------------------------
# The allow-lists are the keyword types at the top of the module.
REPORTED_KEYS: FrozenSet[str] = frozenset(get_args(SshdKeyword))
SENSITIVE_KEYS: FrozenSet[str] = frozenset(get_args(SensitiveKeyword))
_UNSET = ("", "none")


def reduce_config(cfg: Config, fill_unset: bool = False) -> SshdConfig:
    """The allow-listed part of a configuration; sensitive keywords become "set"/"not set"."""
    out: Config = {}
    for key, value in cfg.items():
        if key in REPORTED_KEYS:
            out[key] = list(value) if isinstance(value, list) else value
        elif key in SENSITIVE_KEYS:
            values = value if isinstance(value, list) else [value]
            out[key] = "set" if any(str(v).strip().lower() not in _UNSET for v in values) else "not set"
    if fill_unset:  # the global configuration: say explicitly that they are not set
        for key in SENSITIVE_KEYS:
            out.setdefault(key, "not set")
    return cast(SshdConfig, out)  # values by keyword as in MULTI_KEYS (lists) and SENSITIVE_KEYS


# -- files and keys -------------------------------------------------------------
def _group_names(host: HostReader) -> Dict[int, str]:
    try:
        text = host.read_text("/etc/group") or ""
    except CollectError:
        return {}
    out: Dict[int, str] = {}
    for line in text.splitlines():
        parts = line.split(":")
        if len(parts) >= 3 and parts[2].isdigit():
            out.setdefault(int(parts[2]), parts[0])
    return out


def _stat_json(host: HostReader, path: str, groups: Dict[int, str]) -> Optional[FileStat]:
    st = host.stat(path)
    if st is None:
        return None
    return {"path": path, "mode": format(st.mode, "04o"), "uid": st.uid, "gid": st.gid, "group": groups.get(st.gid)}


def _host_keys(host: HostReader, cfg: Config, groups: Dict[int, str]) -> List[FileStat]:
    """Names and modes of private host keys; never their contents."""
    configured = cfg.get("hostkey", [])
    paths = set(host.glob("/etc/ssh/ssh_host_*_key"))
    if isinstance(configured, list):
        paths.update(p for p in configured if p.startswith("/") and not p.endswith(".pub"))
    out = []
    for path in sorted(paths):
        st = _stat_json(host, path, groups)
        if st is not None:
            out.append(st)
    return out


# stderr of an `sshd -T` that could not run at all (OpenSSH 9.2 wording): not root,
# unreadable files, no privilege separation directory/user, no usable host key.
_CANNOT_RUN = re.compile(
    r"Permission denied|Operation not permitted|requires root|must be root|privilege separation|"
    r"no hostkeys available|Unable to load host key|No such file or directory",
    re.IGNORECASE,
)
# stderr lines with which sshd rejects the configuration itself (OpenSSH 9.2 wording).
_REJECTS = re.compile(
    r"Bad configuration option|terminating, \d+ bad configuration|line \d+:|unsupported option|"
    r"not allowed within a Match block|Unsupported option|missing argument|Bad Match condition",
    re.IGNORECASE,
)


def _sshd_t(host: HostReader) -> Tuple[Optional[Config], Optional[str]]:
    """Run ``sshd -T``: (config, None), or (None, why it could not run).

    Raises CollectError MALFORMED when sshd ran and rejected the configuration:
    the daemon would refuse to (re)start, so no file-parsed guess may pass a check.
    """
    res = host.run(["sshd", "-T"])
    if res.error is not None:
        return None, res.error
    if res.exit_code != 0:
        lines = [ln.strip() for ln in res.stderr.splitlines() if ln.strip()]
        first = (lines or [""])[0][:200]
        rejected = [ln for ln in lines if _REJECTS.search(ln)]
        if rejected or not any(_CANNOT_RUN.search(ln) for ln in lines):
            line = (rejected or lines or [f"exit code {res.exit_code}"])[0][:200]
            raise CollectError(ErrorReason.MALFORMED, f"sshd -T rejects the configuration: {line}")
        return None, f"sshd -T exited with {res.exit_code}: {first}".rstrip(": ")
    cfg = parse_sshd_t(res.stdout)
    if "permitrootlogin" not in cfg or "passwordauthentication" not in cfg:
        return None, "sshd -T printed no usable configuration"
    return cfg, None


@collector(SSHD, "OpenSSH server effective configuration, Match blocks, file modes and PAM MFA modules")
def collect_sshd(host: HostReader) -> SshdFacts:
    if not host.exists("/usr/sbin/sshd") and not host.exists(MAIN_CONFIG):
        raise NotApplicable("OpenSSH server is not installed (no /usr/sbin/sshd, no /etc/ssh/sshd_config)")
    sshd_t: Optional[Config] = None
    why_not: Optional[str] = f"{OFFLINE_ROOT}: sshd -T is not run from the image"
    if not host.offline_root:  # offline root: the image's sshd is not run, its configuration files are parsed
        sshd_t, why_not = _sshd_t(host)
    if sshd_t is None and not host.exists(MAIN_CONFIG):
        raise CollectError(ErrorReason.NOT_FOUND, f"{MAIN_CONFIG} does not exist and sshd -T is not usable ({why_not})")
    tree = parse_sshd_config_tree(host.read_text, host.glob, MAIN_CONFIG)
    config = sshd_t if sshd_t is not None else tree.effective()
    groups = _group_names(host)
    file_stats = [s for s in (_stat_json(host, p, groups) for p in tree.files) if s is not None]
    return {
        "_method": "sshd -T" if sshd_t is not None else "files",
        "fallback": sshd_t is None,
        "sshd_t_unusable_reason": why_not,
        "config": reduce_config(config, fill_unset=True),
        "match_blocks": [b.to_json() for b in tree.match_blocks],
        "config_files": list(tree.files),
        "config_file_stats": file_stats,
        "sshd_config_stat": _stat_json(host, MAIN_CONFIG, groups),
        "host_keys": _host_keys(host, config, groups),
        "pam": _pam_facts(host),
        "parse_warnings": tree.warnings[:50],
    }
