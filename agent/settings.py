"""One ``Settings`` value for every command, filled from a config file and from flags.

The configuration file (JSON) and the command line set the same fields under
the same names: ``profile`` is ``--profile`` and ``"profile"``, ``out_dir`` is
``--out`` and ``"out_dir"``. A flag given on the command line wins over the
file. Everything is validated here, once, and an error names the flag or the
file and key it came from, so a scheduled run and a manual scan with the same
file are the same assessment.

Configuration file keys::

    profile, level (MLPS protection level, 2 or 3), targets, scope_file, allow_public, ports, probe_ports {name: port},
    modbus_unit, ca_files [PEM files], replay, root (a mounted root file system, assessed offline), questionnaire,
    answers, lang, out_dir, formats, sign,
    key, passphrase_file, state_dir, fail_on, report_group,
    params {check id: {name: value}}, plan {owners, default_owner, sla_days},
    schedule {retention, max_new_failures, fail_on_severity}, budgets {scan_s, collector_s, target_s}

Relative paths in the file are taken relative to the file's directory.

The file is read with limits a hostile or broken file cannot pass: at most
4 MiB of UTF-8 JSON, nested at most 64 levels, integers of at most 20
digits, no fractions or exponents (a signed report holds none), no
duplicate keys. Anything else is a usage error naming the file, the line and
the field. Patterns match whole values, and numbers are ASCII digits only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, Mapping, Optional, Tuple

from agent.errors import UsageError
from checks.model import Severity
from collectors.profile import Profile
from collectors.strictjson import JSON, TextEnum

if TYPE_CHECKING:
    from agent.outbox import SubmitSettings


class Lang(TextEnum):
    ZH = "zh"
    EN = "en"


class Format(TextEnum):
    """Files ``write`` can produce."""

    JSON = "json"  # report.json: the canonical report
    ENVELOPE = "dsse"  # report.dsse.json: the signed envelope
    HTML = "html"
    MARKDOWN = "md"


ALL_FORMATS: Tuple[Format, ...] = tuple(Format)

# --probe-port names, and the probe option each belongs to.
PROBE_PORT_GROUPS: Dict[str, str] = {
    "modbus": "ics_ports",
    "s7": "ics_ports",
    "enip": "ics_ports",
    "opcua": "ics_ports",
    "bacnet": "ics_ports",
    "mqtt": "mqtt_ports",
    "mqtts": "mqtt_ports",
    "redis": "backend_ports",
    "elasticsearch": "backend_ports",
    "kafka": "backend_ports",
}


@dataclass(frozen=True)
class ScheduleSettings:
    """What a scheduled run keeps and when it reports a regression."""

    retention: Optional[int] = None
    max_new_failures: Optional[int] = None
    fail_on_severity: Severity = Severity.INFO


@dataclass(frozen=True)
class Settings:
    """Everything one assessment (or one command) is told."""

    profile: Profile = Profile.SERVER
    level: int = 3  # the MLPS protection level (等级) of the assessed system: it selects the 测评项 of the MLPS view
    targets: Tuple[str, ...] = ()
    scope_file: Optional[Path] = None
    allow_public: bool = False
    ports: Optional[str] = None
    probe_ports: Mapping[str, int] = field(default_factory=dict)
    modbus_unit: Optional[int] = None
    ca_files: Tuple[Path, ...] = ()  # extra trust anchors (PEM) for the TLS chain checks of network targets
    replay: Optional[Path] = None
    replay_privileged: bool = True
    root: Optional[Path] = None  # offline-root: a mounted, read-only root file system assessed from its files
    questionnaire: Optional[Path] = None
    answers: Optional[Path] = None
    lang: Lang = Lang.ZH
    out_dir: Optional[Path] = None  # scan: ./out; scheduled run: <state_dir>/reports
    formats: Tuple[Format, ...] = ALL_FORMATS
    sign: bool = True
    key: Optional[Path] = None
    passphrase_file: Optional[Path] = None
    state_dir: Optional[Path] = None
    fail_on: Optional[Severity] = None
    challenge: Optional[str] = None  # the insurer's nonce, embedded in the signed report
    time_budget_s: Optional[int] = None  # the whole scan (None: no overall limit; scheduled runs default to an hour)
    collector_budget_s: int = 60  # each host collector
    target_budget_s: int = 120  # each network collector against one target
    params: Mapping[str, Mapping[str, JSON]] = field(default_factory=dict)
    plan: Mapping[str, JSON] = field(default_factory=dict)
    schedule: ScheduleSettings = field(default_factory=ScheduleSettings)
    report_group: Optional[int] = None  # gid: reports 0640 and their directories 0750 in this group (else 0600/0700)
    feeds_dir: Optional[Path] = None  # vulnerability feeds (riskagent feeds update); None: not matched, and said so
    feeds_max_age_days: int = 7  # older feeds are a finding (LNX-VUL-004)
    submit: Optional[SubmitSettings] = None  # the insurer's intake: signed reports are queued and sent there
    config_path: Optional[Path] = None

    @property
    def probe_options(self) -> Dict[str, Any]:
        """Probe settings grouped as the network collectors read them."""
        options: Dict[str, Any] = {}
        for name, port in self.probe_ports.items():
            options.setdefault(PROBE_PORT_GROUPS[name], {})[name] = port
        if self.modbus_unit is not None:
            options["modbus_unit"] = self.modbus_unit
        if self.ca_files:
            options["ca_files"] = tuple(str(p) for p in self.ca_files)
        return options


# ------------------------------------------------------------------------------------------ loading

FLAGS: Dict[str, str] = {
    "profile": "--profile",
    "level": "--level",
    "targets": "--target",
    "scope_file": "--scope-file",
    "allow_public": "--allow-public",
    "ports": "--ports",
    "probe_ports": "--probe-port",
    "modbus_unit": "--modbus-unit",
    "ca_files": "--ca-file",
    "replay": "--replay",
    "replay_privileged": "--replay-unprivileged",
    "root": "--root",
    "questionnaire": "--questionnaire",
    "answers": "--answers",
    "lang": "--lang",
    "out_dir": "--out",
    "formats": "--format",
    "sign": "--no-sign",
    "key": "--key",
    "passphrase_file": "--passphrase-file",
    "state_dir": "--state-dir",
    "fail_on": "--fail-on",
    "challenge": "--challenge",
    "time_budget_s": "--time-budget",
    "feeds_dir": "--feeds",
    "submit": "--submit",
}
CONFIG_ONLY = ("params", "plan", "schedule", "budgets", "report_group", "feeds_max_age_days")
KNOWN_KEYS = tuple(FLAGS) + CONFIG_ONLY
_PORT_SPEC = re.compile(r"[0-9]{1,5}(-[0-9]{1,5})?(,[0-9]{1,5}(-[0-9]{1,5})?)*", re.ASCII)
_ASCII_INT = re.compile(r"[0-9]{1,9}", re.ASCII)
_GROUP_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,31}\$?", re.ASCII)
MAX_CONFIG_BYTES = 4 * 1024 * 1024
MAX_CA_FILE_BYTES = 4 * 1024 * 1024


class _Source:
    """Where a value came from, for error messages: the file, the line of its key, and the key."""

    def __init__(self, config_path: Optional[Path], lines: Optional[Mapping[Tuple[Any, ...], int]] = None) -> None:
        self.config_path = config_path
        self.lines = lines or {}

    def flag(self, name: str) -> str:
        return FLAGS.get(name, name)

    def key(self, name: str) -> str:
        if not self.config_path:
            return name
        line = self.lines.get((name,))
        return f"{self.config_path}: line {line}: {name}" if line else f"{self.config_path}: {name}"


_CONFIG_HINT = "the configuration is a JSON object of whole numbers, strings, booleans, lists and objects"


def read_config_with_lines(path: Path) -> Tuple[Dict[str, Any], Mapping[Tuple[Any, ...], int]]:
    """The configuration file as a JSON object, and the line of every key in it; errors name the file, line and field."""
    from questionnaires.jsonpos import JsonPosError, field_name, line_of_offset, loads_with_lines

    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_CONFIG_BYTES + 1)
    except OSError as exc:
        raise UsageError(f"cannot read configuration {path}: {exc.strerror or exc}") from None
    if len(data) > MAX_CONFIG_BYTES:
        raise UsageError(f"{path}: larger than {MAX_CONFIG_BYTES // (1024 * 1024)} MiB; is this a configuration file?")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{path}: line {line_of_offset(data, exc.start)}: not UTF-8 text (byte {exc.start})", _CONFIG_HINT) from None
    try:
        parsed, lines = loads_with_lines(text)
    except JsonPosError as exc:
        where = f" {field_name(exc.path)}:" if exc.path else ""
        raise UsageError(f"{path}: line {exc.line}:{where} {exc.message} (column {exc.column})", _CONFIG_HINT) from None
    if not isinstance(parsed, dict):
        raise UsageError(f"{path}: line 1: expected a JSON object at the top level")
    return parsed, lines


def read_config(path: Path) -> Dict[str, Any]:
    """The configuration file as a JSON object; errors name the file, line and field."""
    return read_config_with_lines(path)[0]


def load_settings(config_path: Optional[Path] = None, **flags: Any) -> Settings:
    """Settings from an optional config file, overridden by the flags given (``None`` means not given).

    Flag keywords use the field names (``out_dir``, not ``out``).
    """
    unknown_flags = sorted(set(flags) - set(FLAGS))
    if unknown_flags:
        raise TypeError(f"load_settings: unknown setting(s) {', '.join(unknown_flags)}")
    raw: Dict[str, Tuple[Any, str]] = {}
    base = Path(".")
    if config_path is not None:
        data, lines = read_config_with_lines(config_path)
        src = _Source(config_path, lines)
        unknown = sorted(set(data) - set(KNOWN_KEYS))
        if unknown:
            raise UsageError(f"{src.key(unknown[0])}: unknown setting", f"known settings: {', '.join(KNOWN_KEYS)}")
        base = config_path.parent
        for name, value in data.items():
            raw[name] = (value, src.key(name))
    for name, value in flags.items():
        if value is None or (name in ("targets", "probe_ports", "formats", "ca_files") and value == ()):
            continue
        raw[name] = (value, FLAGS[name])
    return _validate(raw, base, config_path)


def _validate(raw: Mapping[str, Tuple[Any, str]], base: Path, config_path: Optional[Path]) -> Settings:
    s = Settings(config_path=config_path)
    values: Dict[str, Any] = {}

    def path(name: str) -> Optional[Path]:
        if name not in raw:
            return None
        value, where = raw[name]
        if isinstance(value, Path):
            return value
        if not isinstance(value, str) or not value or "\0" in value:
            raise UsageError(f"{where}: expected a path")
        p = Path(value)
        return p if p.is_absolute() or where.startswith("--") else base / p

    for name in ("scope_file", "replay", "questionnaire", "answers", "key", "passphrase_file", "state_dir", "out_dir", "feeds_dir", "root"):
        p = path(name)
        if p is not None:
            values[name] = p
    if "root" in values:
        _offline_root(values["root"], raw["root"][1])

    def boolean(name: str) -> Optional[bool]:
        if name not in raw:
            return None
        value, where = raw[name]
        if not isinstance(value, bool):
            raise UsageError(f"{where}: expected true or false")
        return value

    for name in ("allow_public", "sign", "replay_privileged"):
        b = boolean(name)
        if b is not None:
            values[name] = b

    if "profile" in raw:
        values["profile"] = _enum(Profile, *raw["profile"])
    if "level" in raw:
        values["level"] = _level(*raw["level"])
    if "lang" in raw:
        values["lang"] = _enum(Lang, *raw["lang"])
    if "fail_on" in raw:
        values["fail_on"] = _enum(Severity, *raw["fail_on"])
    if "formats" in raw:
        value, where = raw["formats"]
        if not isinstance(value, (list, tuple)) or not value:
            raise UsageError(f"{where}: expected a list of formats ({', '.join(f.value for f in Format)})")
        values["formats"] = tuple(dict.fromkeys(_enum(Format, v, where) for v in value))
    if "targets" in raw:
        value, where = raw["targets"]
        if not isinstance(value, (list, tuple)) or not all(isinstance(t, str) for t in value):
            raise UsageError(f"{where}: expected a list of targets (strings)")
        values["targets"] = tuple(value)
    if "ports" in raw:
        value, where = raw["ports"]
        values["ports"] = parse_ports(value, where)
    if "probe_ports" in raw:
        values["probe_ports"] = _probe_ports(*raw["probe_ports"])
    if "ca_files" in raw:
        values["ca_files"] = _ca_files(*raw["ca_files"], base)
    if "modbus_unit" in raw:
        value, where = raw["modbus_unit"]
        if isinstance(value, str) and where.startswith("--") and _ASCII_INT.fullmatch(value):
            value = int(value)  # from the command line, where only ASCII digits are a number
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 255:
            raise UsageError(f"{where}: a Modbus unit id is an integer 0-255")
        values["modbus_unit"] = value
    if "challenge" in raw:
        values["challenge"] = validate_challenge(*raw["challenge"])
    if "time_budget_s" in raw:
        values["time_budget_s"] = _seconds(*raw["time_budget_s"])
    if "budgets" in raw:
        values.update(_budgets(*raw["budgets"]))
    if "feeds_max_age_days" in raw:
        value, where = raw["feeds_max_age_days"]
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 365:
            raise UsageError(f"{where}: expected a whole number of days from 1 to 365, got {value!r}")
        values["feeds_max_age_days"] = value
    if "submit" in raw:
        from agent.outbox import parse_submit

        values["submit"] = parse_submit(*raw["submit"], base)
    if "params" in raw:
        values["params"] = validate_params(*raw["params"])
    if "plan" in raw:
        value, where = raw["plan"]
        from report.plan import validate_settings

        try:
            validate_settings(value)
        except ValueError as exc:
            raise UsageError(f"{config_path}: {exc}" if config_path else str(exc)) from None
        values["plan"] = dict(value)
    if "schedule" in raw:
        values["schedule"] = _schedule(*raw["schedule"])
    if "report_group" in raw:
        values["report_group"] = resolve_group(*raw["report_group"])
    settings = replace(s, **values)
    if settings.state_dir is not None and settings.sign and Format.ENVELOPE not in settings.formats:
        raise UsageError("a report history (state_dir) chains signed reports, so the envelope must be written", "add dsse to the formats")
    if settings.profile is Profile.WEBSITE and not (settings.targets or settings.scope_file):
        raise UsageError("the website profile needs targets", "pass --target URL (repeatable) or --scope-file FILE")
    if settings.root is not None:
        where = raw["root"][1]
        if settings.replay is not None:
            raise UsageError(f"{where}: a root file system and a recorded host (replay) cannot be assessed together")
        if not settings.profile.assesses_host:
            raise UsageError(f"{where}: the {settings.profile.value} profile assesses no host", "use --profile server (or another host profile)")
        if settings.targets or settings.scope_file:
            raise UsageError(
                f"{where}: an offline root file system is assessed from its files, while network targets are probed live",
                "scan the targets in a separate run",
            )
    return settings


def _offline_root(path: Path, where: str) -> None:
    """``--root``: an existing directory holding a root file system (etc/), other than this machine's own /."""
    from collectors.context import offline_root_problem

    problem = offline_root_problem(path)
    if problem is not None:
        raise UsageError(f"{where}: {problem}", "give the directory a disk image or an unpacked container image is mounted on")


def _enum(kind: Any, value: Any, where: str) -> Any:
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(m.value for m in kind)
        raise UsageError(f"{where}: {value!r} is not one of {allowed}") from None


MLPS_LEVELS = (2, 3)


def _level(value: Any, where: str) -> int:
    """The MLPS protection level: 2 or 3 (from the command line, the digit as text)."""
    if isinstance(value, str) and where.startswith("--") and value in ("2", "3"):
        value = int(value)
    if isinstance(value, bool) or value not in MLPS_LEVELS:
        raise UsageError(
            f"{where}: the MLPS protection level is 2 or 3, got {value!r}",
            "the agent knows the 测评项 of levels 2 and 3 (GB/T 22239-2019 chapters 7 and 8)",
        )
    return int(value)


def parse_ports(value: Any, where: str = "--ports") -> str:
    """A port list such as ``22,80,443,8000-8100`` (ASCII digits only); it is passed to nmap as -p."""
    if not isinstance(value, str):
        raise UsageError(f"{where}: expected a port list such as 22,80,8000-8100")
    spec = value.replace(" ", "")
    if not _PORT_SPEC.fullmatch(spec):
        raise UsageError(f"{where}: {value!r}: ports are numbers and ranges separated by commas, e.g. 22,80,8000-8100")
    for part in spec.split(","):
        lo, _, hi = part.partition("-")
        if not 0 < int(lo) <= 65535 or (hi and not int(lo) <= int(hi) <= 65535):
            raise UsageError(f"{where}: {part}: ports run from 1 to 65535")
    return spec


def _probe_ports(value: Any, where: str) -> Dict[str, int]:
    names = ", ".join(sorted(PROBE_PORT_GROUPS))
    items: Dict[str, Any]
    if isinstance(value, (list, tuple)):  # NAME=PORT strings from the command line
        items = {}
        for item in value:
            name, sep, port = str(item).partition("=")
            if not sep or not _ASCII_INT.fullmatch(port.strip()):
                raise UsageError(f"{where} {item!r}: expected NAME=PORT", f"NAME is one of {names}; PORT is 1-65535 (digits 0-9)")
            items[name.strip().lower()] = int(port.strip())
    elif isinstance(value, dict):
        items = dict(value)
    else:
        raise UsageError(f"{where}: expected an object of service names to ports")
    out: Dict[str, int] = {}
    for name, port in items.items():
        if name not in PROBE_PORT_GROUPS:
            raise UsageError(f"{where}: unknown service {name!r}", f"one of {names}")
        if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
            raise UsageError(f"{where}: {name}: a port is an integer 1-65535")
        out[name] = port
    return out


def _ca_files(value: Any, where: str, base: Path) -> Tuple[Path, ...]:
    """Files of extra trust anchors: each a readable file of PEM certificates (a file that is not is named in the error)."""
    from cryptography import x509

    if isinstance(value, (str, Path)) or not isinstance(value, (list, tuple)) or not value:
        raise UsageError(f"{where}: expected a list of PEM certificate files")
    out = []
    for item in value:
        if isinstance(item, Path):
            path = item
        elif isinstance(item, str) and item and "\0" not in item:
            path = Path(item) if Path(item).is_absolute() or where.startswith("--") else base / item
        else:
            raise UsageError(f"{where}: expected a path, got {item!r}")
        try:
            with path.open("rb") as fh:
                data = fh.read(MAX_CA_FILE_BYTES + 1)
        except OSError as exc:
            raise UsageError(f"{where} {path}: cannot read the file ({exc.strerror or exc})") from None
        hint = "give a file of one or more -----BEGIN CERTIFICATE----- blocks (the CA's certificate, PEM)"
        if len(data) > MAX_CA_FILE_BYTES:
            raise UsageError(f"{where} {path}: larger than {MAX_CA_FILE_BYTES // (1024 * 1024)} MiB; not a CA file", hint)
        try:
            x509.load_pem_x509_certificates(data)
        except ValueError:
            label = re.search(rb"-----BEGIN ([A-Z0-9 ]{1,40})-----", data)
            seen = f" (it holds {label.group(1).decode()})" if label else ""
            raise UsageError(f"{where} {path}: not a file of PEM certificates{seen}", hint) from None
        out.append(path)
    return tuple(dict.fromkeys(out))


CHALLENGE_RE = re.compile(r"[A-Za-z0-9._~+/=-]{8,128}", re.ASCII)


def validate_challenge(value: Any, where: str = "--challenge") -> str:
    """An insurer's challenge nonce: 8-128 printable URL/base64 characters."""
    if not isinstance(value, str) or not CHALLENGE_RE.fullmatch(value):
        raise UsageError(
            f"{where}: a challenge is 8 to 128 letters, digits or . _ ~ + / = -",
            "use the nonce exactly as the insurer issued it (riskagent challenge prints a fresh one)",
        )
    return value


def validate_params(value: Any, where: str) -> Dict[str, Dict[str, JSON]]:
    """Per-check parameter overrides: known check ids and parameter names, values of the default's kind."""
    from checks.catalogue import all_checks
    from checks.params import value_problem

    if not isinstance(value, dict):
        raise UsageError(f"{where}: expected an object mapping check ids to parameters")
    known = all_checks()
    out: Dict[str, Dict[str, JSON]] = {}
    for cid, params in value.items():
        if cid not in known:
            raise UsageError(f"{where}: unknown check id {cid!r}", "see 'riskagent checks list'")
        if not isinstance(params, dict):
            raise UsageError(f"{where}.{cid}: expected an object of parameter values")
        unknown = sorted(set(params) - set(known[cid].meta.params))
        if unknown:
            raise UsageError(
                f"{where}.{cid}: unknown parameter(s) {', '.join(unknown)}",
                f"{cid} takes: {', '.join(sorted(known[cid].meta.params)) or 'no parameters'}",
            )
        for name, v in params.items():
            fraction = _first_float(v)
            if fraction is not None:
                raise UsageError(
                    f"{where}.{cid}.{name}{fraction[0]}: {fraction[1]!r} is not a whole number",
                    "parameters are whole numbers, strings, booleans, lists and objects: a signed report holds no fractions",
                )
            problem = value_problem(name, known[cid].meta.params[name], v)
            if problem:
                raise UsageError(f"{where}.{cid}.{name}: {problem}")
        out[cid] = dict(params)
    return out


def _first_float(value: Any, at: str = "") -> Optional[Tuple[str, float]]:
    """Where in ``value`` the first floating-point number is (a suffix such as ``[2]``), and the number."""
    if isinstance(value, float):
        return at, value
    if isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            found = _first_float(item, f"{at}[{i}]")
            if found is not None:
                return found
    if isinstance(value, Mapping):
        for key, item in value.items():
            found = _first_float(item, f"{at}.{key}")
            if found is not None:
                return found
    return None


def resolve_group(value: Any, where: str = "report_group") -> int:
    """The group that may read reports: a group name or a numeric gid of an existing group."""
    import grp

    try:
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return grp.getgrgid(value).gr_gid
        if isinstance(value, str) and _ASCII_INT.fullmatch(value):
            return grp.getgrgid(int(value)).gr_gid
        if isinstance(value, str) and _GROUP_NAME.fullmatch(value):
            return grp.getgrnam(value).gr_gid
    except (KeyError, OverflowError):
        raise UsageError(f"{where}: no group {value!r} on this system", "create the group first (groupadd), or leave report_group out") from None
    raise UsageError(f"{where}: expected a group name or number, got {value!r}")


def _seconds(value: Any, where: str) -> int:
    """A whole number of seconds, 1 to a day (a string of ASCII digits from the command line is accepted)."""
    if isinstance(value, str) and _ASCII_INT.fullmatch(value):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 86400:
        raise UsageError(f"{where}: expected a whole number of seconds from 1 to 86400, got {value!r}")
    return value


def _budgets(value: Any, where: str) -> Dict[str, int]:
    """The ``budgets`` object: scan_s (the whole scan), collector_s (each host collector), target_s (each probe of a target)."""
    if not isinstance(value, dict):
        raise UsageError(f"{where}: expected an object with scan_s, collector_s and/or target_s")
    names = {"scan_s": "time_budget_s", "collector_s": "collector_budget_s", "target_s": "target_budget_s"}
    unknown = sorted(set(value) - set(names))
    if unknown:
        raise UsageError(f"{where}: unknown field(s) {', '.join(unknown)} (known: {', '.join(names)})")
    return {names[k]: _seconds(v, f"{where}.{k}") for k, v in value.items()}


def _schedule(value: Any, where: str) -> ScheduleSettings:
    if not isinstance(value, dict):
        raise UsageError(f"{where}: expected an object")
    known = {"retention", "max_new_failures", "fail_on_severity"}
    unknown = sorted(set(value) - known)
    if unknown:
        raise UsageError(f"{where}: unknown field(s) {', '.join(unknown)} (known: {', '.join(sorted(known))})")

    def count(name: str, minimum: int) -> Optional[int]:
        v = value.get(name)
        if v is None:
            return None
        if isinstance(v, bool) or not isinstance(v, int) or v < minimum:
            raise UsageError(f"{where}.{name}: expected an integer >= {minimum}, got {v!r}")
        return v

    severity = _enum(Severity, value.get("fail_on_severity", "info"), f"{where}.fail_on_severity")
    return ScheduleSettings(count("retention", 1), count("max_new_failures", 0), severity)
