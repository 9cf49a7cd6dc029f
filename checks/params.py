"""Which way each check parameter is stricter, and what an override does to its check.

A deployment may tune a check (``params`` in the config file), and a tuned
check can be made to say "pass" for anything: ``max_pending: 100000`` turns
"86 security updates pending" into a pass. So every parameter declares the
direction in which it is stricter, every override is classified against the
default as ``tightens``, ``weakens`` or ``neutral``, and the report declares
each override with its default and its effect. An insurer's default policy
refuses a report whose overrides weaken a check.

Directions are declared per parameter name (a name means the same thing in
every check that uses it); a test requires one for every parameter.
"""

from __future__ import annotations

import re
from typing import Dict, Literal, Mapping, Optional, Sequence

from collectors.strictjson import JSON, TextEnum


class Stricter(TextEnum):
    """The direction in which a parameter value makes its check stricter."""

    LOWER = "lower"  # a limit: fewer days, tries, seconds, ports
    HIGHER = "higher"  # a minimum: longer passwords, more days kept, bigger keys
    FEWER = "fewer"  # a list of accepted values: every added value is accepted too
    MORE = "more"  # a list of things flagged: every removed entry goes unnoticed
    TRUE = "true"  # a requirement switched on
    FALSE = "false"  # an exemption switched off (is_router: forwarding is then a finding)
    FEWER_MODE_BITS = "fewer_mode_bits"  # an octal maximum mode: fewer permission bits allowed
    MORE_MASK_BITS = "more_mask_bits"  # an octal umask: more permission bits masked off
    HIGHER_VERSIONS = "higher_versions"  # product -> minimum version: higher minimums, more products
    NEUTRAL = "neutral"  # presentation only: the verdict does not depend on it


Effect = Literal["tightens", "weakens", "neutral"]

DIRECTIONS: Dict[str, Stricter] = {
    # limits
    "max_seconds": Stricter.LOWER,
    "max_fix_age_days": Stricter.LOWER,
    "max_interval_days": Stricter.LOWER,
    "max_age_days": Stricter.LOWER,
    "max_exposed_ports": Stricter.LOWER,
    "max_pending": Stricter.LOWER,
    "max_index_age_days": Stricter.LOWER,
    "max_days": Stricter.LOWER,
    "max_deny": Stricter.LOWER,
    "max_auth_tries": Stricter.LOWER,
    "client_alive_interval_max": Stricter.LOWER,
    "client_alive_count_max": Stricter.LOWER,
    "login_grace_time_max": Stricter.LOWER,
    "max_sessions": Stricter.LOWER,
    "max_startups_begin": Stricter.LOWER,
    "max_startups_full": Stricter.LOWER,
    # minimums
    "min_days": Stricter.HIGHER,
    "warn_days": Stricter.HIGHER,
    "min_length": Stricter.HIGHER,
    "min_classes": Stricter.HIGHER,
    "remember": Stricter.HIGHER,
    "min_rsa_bits": Stricter.HIGHER,
    "min_ec_bits": Stricter.HIGHER,
    "min_max_age": Stricter.HIGHER,
    # accepted values
    "accepted_max_log_file_actions": Stricter.FEWER,
    "shadow_gids": Stricter.FEWER,
    "allowed_root_listeners": Stricter.FEWER,
    "permit_root_login_allowed": Stricter.FEWER,
    "log_levels_allowed": Stricter.FEWER,
    "privsep_servers": Stricter.FEWER,
    "ot_interfaces": Stricter.FEWER,  # listeners on declared OT interfaces are accepted
    # things flagged or required
    "required_options": Stricter.MORE,
    "admin_ports": Stricter.MORE,
    "modules": Stricter.MORE,
    "high_risk_ports": Stricter.MORE,
    "high_risk_services": Stricter.MORE,
    "high_risk_products": Stricter.MORE,
    "plaintext_ports": Stricter.MORE,
    "plaintext_units": Stricter.MORE,
    "plaintext_superserver_services": Stricter.MORE,
    "plaintext_services": Stricter.MORE,
    "admin_console_products": Stricter.MORE,
    "db_middleware_processes": Stricter.MORE,
    "unneeded_services": Stricter.MORE,
    "display_units": Stricter.MORE,
    "display_processes": Stricter.MORE,
    "management_ports": Stricter.MORE,
    "management_services": Stricter.MORE,
    "management_products": Stricter.MORE,
    # switches, modes, versions
    "require_readonly": Stricter.TRUE,
    "strict_rp_filter": Stricter.TRUE,
    "is_router": Stricter.FALSE,
    "max_mode": Stricter.FEWER_MODE_BITS,
    "umask": Stricter.MORE_MASK_BITS,
    "eol_minimum": Stricter.HIGHER_VERSIONS,
    "max_topics_shown": Stricter.NEUTRAL,
}

_OCTAL = re.compile(r"^0?[0-7]{3,4}$")


def _kind(value: JSON) -> str:
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return "null"


def value_problem(name: str, default: JSON, value: JSON) -> Optional[str]:
    """Why ``value`` cannot replace ``default`` for parameter ``name`` (None if it can)."""
    if _kind(value) != _kind(default):
        return f"expected {_kind(default)} like the default {default!r}, got {_kind(value)}"
    direction = DIRECTIONS.get(name)
    if direction in (Stricter.FEWER_MODE_BITS, Stricter.MORE_MASK_BITS) and not (isinstance(value, str) and _OCTAL.match(value)):
        return f"expected an octal mode such as {default!r}, got {value!r}"
    if isinstance(value, int) and not isinstance(value, bool) and value < 0:
        return f"expected a number >= 0, got {value}"
    if isinstance(value, list) and isinstance(default, list) and default:
        kinds = {_kind(v) for v in default}
        if any(_kind(v) not in kinds for v in value):
            plural = {"an integer": "integers", "a string": "strings"}
            return f"expected a list of {' or '.join(sorted(plural.get(k, k) for k in kinds))}, like the default {default!r}"
    if isinstance(value, dict) and not all(isinstance(v, str) for v in value.values()):
        return "expected an object of version strings"
    return None


def _list_effect(default: Sequence[JSON], value: Sequence[JSON], fewer_is_stricter: bool) -> Effect:
    old, new = set(map(repr, default)), set(map(repr, value))
    if old == new:
        return "neutral"
    loosened = bool(new - old) if fewer_is_stricter else bool(old - new)
    return "weakens" if loosened else "tightens"


def _version_key(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", text))


def effect(name: str, default: JSON, value: JSON) -> Effect:
    """What replacing ``default`` by ``value`` does to the check. Unknown directions count as weakening."""
    direction = DIRECTIONS.get(name)
    if value == default or direction is Stricter.NEUTRAL:
        return "neutral"
    if direction is Stricter.LOWER and isinstance(value, int) and isinstance(default, int):
        return "tightens" if value < default else "weakens"
    if direction is Stricter.HIGHER and isinstance(value, int) and isinstance(default, int):
        return "tightens" if value > default else "weakens"
    if direction in (Stricter.FEWER, Stricter.MORE) and isinstance(value, list) and isinstance(default, list):
        return _list_effect(default, value, direction is Stricter.FEWER)
    if direction is Stricter.TRUE and isinstance(value, bool):
        return "tightens" if value else "weakens"
    if direction is Stricter.FALSE and isinstance(value, bool):
        return "weakens" if value else "tightens"
    if direction in (Stricter.FEWER_MODE_BITS, Stricter.MORE_MASK_BITS) and isinstance(value, str) and isinstance(default, str):
        old, new = int(default, 8), int(value, 8)
        if direction is Stricter.FEWER_MODE_BITS:
            return "weakens" if new & ~old else "tightens"
        return "weakens" if old & ~new else "tightens"
    if direction is Stricter.HIGHER_VERSIONS and isinstance(value, dict) and isinstance(default, dict):
        for product, minimum in default.items():
            if product not in value or _version_key(str(value[product])) < _version_key(str(minimum)):
                return "weakens"
        return "tightens"
    return "weakens"


def overrides_of(defaults: Mapping[str, JSON], used: Mapping[str, JSON]) -> Dict[str, JSON]:
    """The parameters whose value differs from the default."""
    return {k: v for k, v in used.items() if k not in defaults or defaults[k] != v}
