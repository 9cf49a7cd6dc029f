"""Cleartext credentials in what cron runs, in systemd units, in environment files and in application configuration.

A credential is reported by where it is and what kind it is -- source, file, line, kind
("curl -u credentials", "DB_PASSWORD in cleartext", "GitHub token") -- and never by what it
is: no value, no part of one, no fingerprint of one and no line text ever leaves this module.

What is read is bounded: the cron tables and periodic scripts, the scripts they run (as
host.backup follows them), unit files and drop-ins in /etc/systemd/system with the
environment files they name, /etc/environment, /etc/profile.d and /etc/default, a fixed list of service
configuration files in /etc, and configuration files by name under the usual application
roots, walked a few levels deep with limits on files, entries, size and time. Files meant to
hold credentials (``~/.my.cnf``, ``.pgpass``, ``.netrc``, ...) are never read: only whether
all users can read them.
"""

from __future__ import annotations

import re
import time
from typing import Dict, List, Literal, Optional, Set, Tuple, TypedDict

from collectors.context import HostReader
from collectors.evidence import CollectError, ErrorReason
from collectors.facts import CollectedFacts, FactsKey
from collectors.host.logging import dir_readable
from collectors.host.packages import (
    MAX_SCRIPT_DEPTH,
    MAX_SCRIPTS,
    cron_sources,
    invoked_scripts,
    read_script,
    unit_service,
)
from collectors.registry import collector

CredentialSource = Literal["cron", "script", "unit", "environment", "config", "credential_file"]


class CredentialFindingFacts(TypedDict):
    source: CredentialSource
    file: str
    line: int  # 1-based; 0 for a whole file (a credential file all users can read)
    kind: str  # what was found, never its value: "curl -u credentials", "DB_PASSWORD in cleartext"
    readable_by_all: Optional[bool]  # None: the modes could not be read


class CredentialsFacts(CollectedFacts):
    findings: List[CredentialFindingFacts]
    count: int  # all findings; ``findings`` lists at most MAX_FINDINGS
    files_scanned: int
    complete: bool  # every place looked at could be read and no limit was reached
    unreadable: List[str]
    skipped: List[str]  # files larger than MAX_SCAN_BYTES, not read
    truncated: bool  # a walk limit (files, entries, time) was reached


CREDENTIALS = FactsKey[CredentialsFacts]("host.credentials", CredentialsFacts)

MAX_SCAN_BYTES = 256 * 1024
MAX_CONFIG_FILES = 400  # configuration files read under the application roots
MAX_WALK_ENTRIES = 20000
MAX_WALK_DEPTH = 3  # directories below an application root: /opt/app/current/config
WALK_SECONDS = 10.0
MAX_FINDINGS = 100
MAX_LISTED = 20

# Known token formats by their prefix and shape: (label, pattern). The redactor (report/redact.py) uses the same table.
TOKEN_PATTERNS: Tuple[Tuple[str, str], ...] = (
    ("Stripe secret key", r"\b[sr]k_(?:live|test)_[0-9A-Za-z]{16,}"),
    ("AWS access key ID", r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    ("GitHub token", r"\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{22,})"),
    ("Slack token", r"\bxox[abposr]-[A-Za-z0-9-]{10,}"),
    ("Slack webhook", r"hooks\.slack\.com/services/T[A-Za-z0-9]+/B[A-Za-z0-9]+/[A-Za-z0-9]+"),
    ("GitLab token", r"\bglpat-[A-Za-z0-9_-]{20,}"),
    ("Google API key", r"\bAIza[0-9A-Za-z_-]{35}"),
    ("Alibaba Cloud AccessKey ID", r"\bLTAI[0-9A-Za-z]{12,20}\b"),
    ("Tencent Cloud SecretId", r"\bAKID[0-9A-Za-z]{32}\b"),
    ("OpenAI API key", r"(?<![A-Za-z0-9_-])sk-(?:proj-|svcacct-)?[A-Za-z0-9_-]{32,}"),
    ("npm token", r"\bnpm_[A-Za-z0-9]{36}\b"),
    ("SendGrid API key", r"\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}"),
    ("Hugging Face token", r"\bhf_[A-Za-z0-9]{34,}"),
    ("JSON web token", r"\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}"),
)
_TOKENS = [(label, re.compile(p)) for label, p in TOKEN_PATTERNS]
_TOKEN_ANY = re.compile("|".join(f"(?:{p})" for _label, p in TOKEN_PATTERNS))

# -- what a line gives away ---------------------------------------------------------------------------

_MYSQL = r"(?:mysql|mysqldump|mysqladmin|mysqlpump|mysqlimport|mysqlcheck|mysqlshow|mysqlbinlog|mariadb(?:-dump|-admin|-import|-check)?)"
_FLAGS: Tuple[Tuple[str, re.Pattern[str]], ...] = (
    (
        "curl -u credentials",
        re.compile(r"\bcurl\b[^|;&\n]*?\s(?:-u\s*|--user[=\s]\s*|--proxy-user[=\s]\s*)(['\"]?)[^\s:'\"]*:(?P<v>[^\s'\"]+)"),
    ),
    ("wget password", re.compile(r"\bwget\b[^|;&\n]*?\s--(?:http-|ftp-|proxy-)?password[=\s]\s*(?P<v>\S+)")),
    ("mysql -p password", re.compile(r"\b" + _MYSQL + r"\b[^|;&\n]*?\s-p(?P<v>[^\s-][^\s]*)")),
    ("sshpass -p password", re.compile(r"\bsshpass\b[^|;&\n]*?\s-p\s*(?P<v>\S+)")),
    ("smbclient -U credentials", re.compile(r"\bsmbclient\b[^|;&\n]*?\s-U\s*\S+%(?P<v>\S+)")),
    ("redis-cli -a password", re.compile(r"\bredis-cli\b[^|;&\n]*?\s-a\s+(?P<v>\S+)")),
    ("credentials in a URL", re.compile(r"\b[a-z][a-z0-9+.-]{1,15}://[^\s/:@'\"]+:(?P<v>[^\s/@'\"]+)@[^\s/@'\"]")),
    (
        "Authorization header",
        re.compile(
            r"(?i)\b(?:proxy-)?authorization['\"]?\s*[:=\s]\s*['\"]?(?:bearer|basic|token|digest)\s+(?P<v>[A-Za-z0-9._~+/=-]{8,})"
        ),
    ),
    ("API key header", re.compile(r"(?i)\b(?:x-api-key|x-auth-token|private-token|x-access-token)\s*:\s*(?P<v>[^\s'\"]{8,})")),
    ("private key", re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----")),
)
# NAME=value (shell, ini, properties, env, systemd, fstab options), --name=value, name="value" (XML attributes).
_ASSIGN = re.compile(r"(?<![A-Za-z0-9_.$])([A-Za-z][A-Za-z0-9_.\-]*)['\"]?\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s,;&|)]*)")
# name: value at the start of a line (YAML), "name": "value" (JSON), <name>value</name> (XML), define('NAME', 'value') (PHP).
_COLON = re.compile(r"^\s*-?\s*['\"]?([A-Za-z][A-Za-z0-9_.\-]*)['\"]?\s*:\s*(\"[^\"]*\"|'[^']*'|[^\s#,}]+)\s*,?\s*(?:#.*)?$")
_JSON = re.compile(r"\"([A-Za-z][A-Za-z0-9_.\-]*)\"\s*:\s*\"([^\"]*)\"")
_XML = re.compile(r"<([A-Za-z][A-Za-z0-9_.\-]*)>([^<]+)</\1>")
# name value, the directive form of redis.conf (requirepass), msmtprc and the like: configuration files only.
_DIRECTIVE = re.compile(r"^\s*([A-Za-z][A-Za-z0-9_.\-]*)\s+(\"[^\"]*\"|'[^']*'|\S+)\s*$")
_PHP_DEFINE = re.compile(r"\bdefine\s*\(\s*['\"]([A-Za-z][A-Za-z0-9_]*)['\"]\s*,\s*(\"[^\"]*\"|'[^']*')")
_TRIGGER = re.compile(
    r"(?i)pass|pwd|secret|token|key|cred|auth|curl|wget|sshpass|smbclient|redis-cli|://|-----BEGIN|mysql|mariadb|requirepass|masterauth"
)

_SECRET_SUFFIXES = (
    "password",
    "passwd",
    "passphrase",
    "secret",
    "token",
    "apikey",
    "api_key",
    "accesskey",
    "access_key",
    "secretkey",
    "secret_key",
    "private_key",
    "client_secret",
    "app_key",
    "secret_key_base",
    "requirepass",
    "masterauth",
    "authpass",
    "dbpass",
    "rootpass",
    "adminpass",
    "userpass",
    "smtppass",
    "mailpass",
)
_SECRET_WORDS = frozenset({"pass", "pwd", "pw", "passwd", "password", "secret", "token", "requirepass", "masterauth"})
# Names that end like a secret and are not one.
_NOT_SECRET_NAMES = frozenset({"csrf_token", "xsrf_token", "token_type", "password_file", "secret_file"})
_PLACEHOLDER = re.compile(
    r"(?i)^(?:x+|\*+|\.+|-+|<.*|\[[^\]]*\]|your[_-].*|none|null|nil|true|false|yes|no|on|off|required|optional|prompt|undefined|todo|tbd)$"
)
_COMMENT = re.compile(r"^(?:#|;|<!--|/\*|\*(?:\s|$)|//(?:\s|$)|--(?:\s|$)|REM\s)", re.I)
_REFERENCE = (
    "$",
    "%(",
    "{{",
    "${",
    "<%",
    "#{",
    "`",
    "!vault",
    "ENC(",
    "{cipher}",
    "vault:",
    "env(",
    "os.environ",
    "getenv(",
    "secret:",
    "@Value",
)


def _secret_name(name: str) -> bool:
    low = name.lower().replace("-", "_").lstrip("_")
    if low in _NOT_SECRET_NAMES or low.endswith(("_file", "_path", "_dir", "_command", "_cmd", "_url_file")):
        return False
    if low.endswith(_SECRET_SUFFIXES):
        return True
    return re.split(r"[._\[\]]", low)[-1] in _SECRET_WORDS


def _literal(value: str, name: str = "") -> bool:
    """Whether a value is a credential written out, not a reference to one, a placeholder or a path."""
    value = value.strip().rstrip(";,")
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        value = value[1:-1]
    value = value.strip()
    if not value or value.startswith(_REFERENCE) or _PLACEHOLDER.match(value):
        return False
    if value.startswith(("/", "~/", "./", "file:", "@/")):
        return False
    low = name.lower()
    if low and not any(w in low for w in ("pass", "pwd", "pw")) and (len(value) < 8 or value.isdigit()):
        return False  # token/secret/key settings: "token_ttl = 3600"-like values are not credentials
    return True


def _label(name: str) -> str:
    return f"{name[:40]} in cleartext"


Syntax = Literal["shell", "conf", "structured"]


def _assignments(text: str, depth: int = 0) -> List[Tuple[str, str]]:
    """``name=value`` pairs, including those inside a value (``Environment="DB_PASSWORD=x"``, ``Environment=TOKEN=x``)."""
    pairs: List[Tuple[str, str]] = []
    for m in _ASSIGN.finditer(text):
        name, value = m.group(1), m.group(2)
        pairs.append((name, value))
        if depth < 2 and "=" in value:
            pairs += _assignments(value[1:-1] if value.startswith(('"', "'")) else value, depth + 1)
    return pairs


def credential_kinds(line: str, syntax: Syntax = "shell") -> List[str]:
    """What kinds of cleartext credential one line holds (never the value).

    ``shell``: cron lines, scripts, units and environment files: flags, ``=`` assignments, URLs, tokens.
    ``conf``: configuration files, where ``name value`` directives (``requirepass x``) are settings too.
    ``structured``: YAML, JSON, XML, PHP and TOML files, where ``name: value`` at the start of a line is a setting.
    """
    stripped = line.strip()
    if not stripped or _COMMENT.match(stripped):
        return []
    if not _TRIGGER.search(stripped) and not _TOKEN_ANY.search(stripped):
        return []
    kinds: List[str] = []
    for label, pattern in _FLAGS:
        m = pattern.search(stripped)
        if m and (label == "private key" or _literal(m.group("v"))):
            kinds.append(label)
    for label, tok in _TOKENS:
        if tok.search(stripped) and label not in kinds:
            kinds.append(label)
    pairs = _assignments(stripped)
    pairs += [(m.group(1), m.group(2)) for m in _PHP_DEFINE.finditer(stripped)]
    if syntax != "shell":
        d = _DIRECTIVE.match(stripped)
        if d:
            pairs.append((d.group(1), d.group(2)))
    if syntax == "structured":
        m = _COLON.match(stripped)
        if m:
            pairs.append((m.group(1), m.group(2)))
        pairs += [(m.group(1), f'"{m.group(2)}"') for m in _JSON.finditer(stripped)]
        pairs += [(m.group(1), m.group(2)) for m in _XML.finditer(stripped)]
    for name, value in pairs:
        if _secret_name(name) and _literal(value, name):
            label = _label(name.lstrip("-"))
            if label not in kinds:
                kinds.append(label)
    return kinds


# -- where to look -------------------------------------------------------------------------------------

ENVIRONMENT_FILES = ("/etc/environment", "/etc/profile.d/*", "/etc/default/*")
SERVICE_CONFIGS = (
    "/etc/fstab",
    "/etc/frp/*.ini",
    "/etc/frp/*.toml",
    "/etc/redis.conf",
    "/etc/redis/*.conf",
    "/etc/zabbix/*.conf",
    "/etc/grafana/grafana.ini",
    "/etc/my.cnf",
    "/etc/my.cnf.d/*.cnf",
    "/etc/mysql/my.cnf",
    "/etc/mysql/conf.d/*.cnf",
    "/etc/mysql/mariadb.conf.d/*.cnf",
    "/etc/php/*/fpm/pool.d/*.conf",
    "/etc/php-fpm.d/*.conf",
    "/etc/supervisor/conf.d/*.conf",
    "/etc/supervisord.d/*.ini",
    "/etc/nginx/conf.d/*.conf",
    "/etc/nginx/sites-enabled/*",
    "/etc/ssmtp/ssmtp.conf",
    "/etc/msmtprc",
    "/etc/rsyncd.conf",
    "/etc/docker/daemon.json",
)
APP_ROOTS = ("/opt", "/srv", "/var/www", "/usr/local", "/data", "/app", "/home")
# Directories that hold code, data or caches rather than configuration.
SKIP_DIRS = frozenset(
    {
        "node_modules",
        "vendor",
        "site-packages",
        "dist-packages",
        "__pycache__",
        "lib",
        "lib64",
        "share",
        "include",
        "man",
        "src",
        "games",
        "bin",
        "sbin",
        "log",
        "logs",
        "cache",
        "tmp",
        "temp",
        "backup",
        "backups",
        "uploads",
        "static",
        "assets",
        "locale",
        "i18n",
        "docs",
        "doc",
        "test",
        "tests",
    }
)
CONFIG_NAMES = frozenset(
    {
        ".env",
        "wp-config.php",
        "config.php",
        "configuration.php",
        "settings.php",
        "database.php",
        "config.inc.php",
        "localsettings.php",
        "settings.py",
        "local_settings.py",
        "application.properties",
        "application.yml",
        "application.yaml",
        "bootstrap.yml",
        "bootstrap.properties",
        "appsettings.json",
        "config.json",
        "settings.json",
        "database.yml",
        "secrets.yml",
        "docker-compose.yml",
        "docker-compose.yaml",
        "compose.yml",
        "compose.yaml",
        "server.xml",
        "context.xml",
        "tomcat-users.xml",
        "jdbc.properties",
        "db.properties",
    }
)
CONFIG_SUFFIXES = (".env", ".conf", ".cnf", ".ini", ".properties", ".yml", ".yaml", ".toml", ".cfg")
STRUCTURED_SUFFIXES = (".yml", ".yaml", ".json", ".xml", ".php", ".toml")
# Files made to hold credentials, where a credential belongs when it is readable by its owner alone.
CREDENTIAL_FILES = (
    "/root/.my.cnf",
    "/home/*/.my.cnf",
    "/root/.pgpass",
    "/home/*/.pgpass",
    "/root/.netrc",
    "/home/*/.netrc",
    "/root/.git-credentials",
    "/home/*/.git-credentials",
    "/root/.aws/credentials",
    "/home/*/.aws/credentials",
    "/root/.docker/config.json",
    "/home/*/.docker/config.json",
    "/etc/mysql/debian.cnf",
    "/etc/postfix/sasl_passwd",
    "/etc/rsyncd.secrets",
    "/etc/ppp/chap-secrets",
    "/etc/ppp/pap-secrets",
)


def _config_name(name: str) -> bool:
    low = name.lower()
    return low in CONFIG_NAMES or low.startswith(".env.") or low.endswith(CONFIG_SUFFIXES)


class _Scan:
    def __init__(self, host: HostReader) -> None:
        self.host = host
        self.findings: List[CredentialFindingFacts] = []
        self.count = 0
        self.scanned: Set[str] = set()
        self.unreadable: List[str] = []
        self.skipped: List[str] = []
        self.truncated = False
        self.scripts_left = MAX_SCRIPTS

    def readable_by_all(self, path: str) -> Optional[bool]:
        """Other users can read the file: o+r on it and o+x on every directory above it."""
        try:
            st = self.host.stat(path)
            if st is None:
                return None
            if not st.mode & 0o004:
                return False
            parent = path.rsplit("/", 1)[0]
            while parent:
                pst = self.host.stat(parent)
                if pst is not None and not pst.mode & 0o001:
                    return False
                parent = parent.rsplit("/", 1)[0]
        except CollectError:
            return None
        return True

    def add(self, source: CredentialSource, path: str, line: int, kind: str) -> None:
        self.count += 1
        if len(self.findings) < MAX_FINDINGS:
            self.findings.append(
                {"source": source, "file": path, "line": line, "kind": kind, "readable_by_all": self.readable_by_all(path)}
            )

    def text(self, source: CredentialSource, path: str, text: str) -> None:
        """Scan the lines of a text already read."""
        self.scanned.add(path)
        syntax: Syntax = "shell"
        if source == "config":
            syntax = "structured" if path.lower().endswith(STRUCTURED_SUFFIXES) else "conf"
        for n, line in enumerate(text.splitlines(), 1):
            for kind in credential_kinds(line, syntax):
                self.add(source, path, n, kind)

    def file(self, source: CredentialSource, path: str) -> None:
        """Read and scan one file, within the size limit; unreadable files make the scan incomplete."""
        if path in self.scanned:
            return
        try:
            st = self.host.stat(path)
            if st is None or st.is_dir or st.is_symlink:
                return
            if st.size > MAX_SCAN_BYTES:
                self.skipped.append(path)
                return
            data = self.host.read_bytes(path)
        except CollectError as exc:
            if exc.reason is ErrorReason.PERMISSION_DENIED:
                self.unreadable.append(path)
            return
        if data is None:
            return
        if len(data) > MAX_SCAN_BYTES:
            self.skipped.append(path)
            return
        if b"\x00" in data[:4096]:
            return
        self.text(source, path, data.decode("utf-8", "replace"))

    def scripts(self, command: str, env: Dict[str, str], depth: int = 0) -> None:
        """The scripts a scheduled command runs, and the ones they run, as host.backup follows them."""
        for script in invoked_scripts(command, env):
            if self.scripts_left <= 0 or script in self.scanned:
                continue
            text, why = read_script(self.host, script)
            if why is not None:
                self.unreadable.append(script)
            if text is None:
                continue
            self.scripts_left -= 1
            self.text("script", script, text)
            if depth + 1 < MAX_SCRIPT_DEPTH:
                self.scripts(text, env, depth + 1)

    def walk(self, root: str, deadline: float, budget: List[int]) -> None:
        """Configuration files by name under one application root, breadth-limited and without following links."""
        stack: List[Tuple[str, int]] = [(root, 0)]
        while stack:
            directory, depth = stack.pop()
            if not dir_readable(self.host, directory):
                if self.host.is_dir(directory):
                    self.unreadable.append(directory)
                continue
            try:
                names = self.host.listdir(directory)
            except CollectError:
                self.unreadable.append(directory)
                continue
            for name in names:
                budget[0] -= 1
                if budget[0] < 0 or time.monotonic() > deadline:
                    self.truncated = True
                    return
                is_config = _config_name(name)
                may_descend = depth < MAX_WALK_DEPTH and not name.startswith(".") and name.lower() not in SKIP_DIRS
                if not is_config and not may_descend:
                    continue  # neither read nor entered, whatever it is: no need to stat it
                path = f"{directory.rstrip('/')}/{name}"
                try:
                    st = self.host.stat(path)
                except CollectError:
                    continue
                if st is None or st.is_symlink:
                    continue
                if st.is_dir:
                    if may_descend:
                        stack.append((path, depth + 1))
                elif is_config:
                    if budget[1] <= 0:
                        self.truncated = True
                        return
                    budget[1] -= 1
                    self.file("config", path)


@collector(
    CREDENTIALS,
    "Cleartext credentials in cron jobs, the scripts they run, units and application configuration (where, never what)",
)
def collect_credentials(host: HostReader) -> CredentialsFacts:
    scan = _Scan(host)
    try:
        cron = cron_sources(host)
    except CollectError as exc:
        scan.unreadable.append(f"cron tables ({exc.message})")
    else:
        scan.unreadable += list(cron.unreadable)
        for path, text in cron.tables:
            scan.text("cron", path, text)
        for cmd in cron.commands:
            scan.scripts(cmd.command, dict(cmd.env))
    units = [p for p in host.glob("/etc/systemd/system/*.service") if not host.is_dir(p)]
    for unit in units:
        name = unit.rsplit("/", 1)[-1]
        for path in [unit, *host.glob(f"/etc/systemd/system/{name}.d/*.conf")]:
            scan.file("unit", path)
        service = unit_service(host, name)
        if service is not None:
            scan.scripts("\n".join(service.execs), dict(service.env))
            for path in _environment_files(host, unit):
                scan.file("environment", path)
    for pattern in ENVIRONMENT_FILES:
        for path in host.glob(pattern):
            scan.file("environment", path)
    for pattern in SERVICE_CONFIGS:
        for path in host.glob(pattern):
            scan.file("config", path)
    deadline = time.monotonic() + WALK_SECONDS
    budget = [MAX_WALK_ENTRIES, MAX_CONFIG_FILES]  # entries looked at, configuration files read
    for root in APP_ROOTS:
        if host.is_dir(root):
            scan.walk(root, deadline, budget)
    for pattern in CREDENTIAL_FILES:
        for path in host.glob(pattern):
            if scan.readable_by_all(path):
                scan.add("credential_file", path, 0, "credential file readable by all users")
    return {
        "_method": "files",
        "findings": scan.findings,
        "count": scan.count,
        "files_scanned": len(scan.scanned),
        "complete": not scan.unreadable and not scan.truncated,
        "unreadable": scan.unreadable[:MAX_LISTED],
        "skipped": scan.skipped[:MAX_LISTED],
        "truncated": scan.truncated,
    }


def _environment_files(host: HostReader, unit: str) -> List[str]:
    """EnvironmentFile= paths of a unit (a leading ``-`` marks an optional one)."""
    out: List[str] = []
    try:
        text = host.read_text(unit) or ""
    except CollectError:
        return out
    for m in re.finditer(r"(?m)^\s*EnvironmentFile\s*=\s*-?(\S+)", text):
        if m.group(1).startswith("/"):
            out.append(m.group(1))
    return out
