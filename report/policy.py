"""An insurer's verification policy: what a valid report must also be before it is accepted.

A valid report is one whose signatures verify and whose content follows from
its evidence. Whether it is acceptable evidence is the insurer's decision:
how old it may be, whether a replay of recorded data will do, whose
signatures it needs, which check parameters may be tuned, which questionnaire
it must answer, which challenge it must carry and which assets it may cover.
The policy is a JSON file (``verify --policy``), and the common rules are
also flags. With no policy at all, the default still refuses weakening
parameter overrides, questionnaires other than the built-in one, and reports
dated in the future.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

from collectors.profile import Profile
from report.model import Report
from report.trust import Role, matches, parse_time, window_problem_text

MAX_POLICY_BYTES = 1024 * 1024
CLOCK_SKEW_S = 300
_DURATION = re.compile(r"^(\d{1,6})([smhdw])$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class PolicyError(ValueError):
    """A policy file or flag that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class Policy:
    max_age_s: Optional[int] = None
    require_live: bool = False
    require_privileged: bool = False
    require_roles: Tuple[Role, ...] = ()
    allow_overrides: Tuple[str, ...] = ()  # "CHECK-ID.param", "CHECK-ID.*" or "*"
    questionnaire_sha256: Tuple[str, ...] = ()  # accepted questionnaires; empty: the built-in one only
    challenge: Optional[str] = None
    subjects: Tuple[str, ...] = ()  # asset patterns the report must be about
    profiles: Tuple[Profile, ...] = ()
    ignore_untrusted_signatures: bool = False
    sources: Tuple[str, ...] = field(default=(), compare=False)  # where the rules came from, for messages


@dataclass(frozen=True)
class RuleResult:
    rule: str
    ok: bool
    detail: str  # English: what --json, the intake and claims keep
    detail_zh: str = ""

    def detail_in(self, lang: str) -> str:
        return self.detail_zh if lang == "zh" and self.detail_zh else self.detail

    def name_in(self, lang: str) -> str:
        return RULE_NAMES_ZH.get(self.rule, self.rule) if lang == "zh" else self.rule


# The policy's rule names, as a Chinese reader is shown them (the English names are the ids in --json).
RULE_NAMES_ZH: Dict[str, str] = {
    "time": "时间",
    "max_age": "最长时效",
    "mode": "评估方式",
    "privileges": "运行权限",
    "profile": "评估类型",
    "overrides": "参数调整",
    "questionnaire": "问卷",
    "challenge": "挑战值",
    "subject": "评估对象",
    "key_window": "密钥有效期",
    "key_targets": "密钥签名范围",
    "roles": "签名角色",
}


def parse_duration(text: str, where: str) -> int:
    """``30d``, ``12h``, ``90m``, ``2w`` or ``3600s`` in seconds."""
    m = _DURATION.match(text.strip())
    if not m:
        raise PolicyError(f"{where}: {text!r} is not a duration such as 30d, 12h, 90m or 2w")
    return int(m.group(1)) * _UNITS[m.group(2)]


def _strings(value: Any, where: str) -> Tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise PolicyError(f"{where}: expected a string or a list of strings")
    return tuple(value)


def _flag(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise PolicyError(f"{where}: expected true or false")
    return value


KNOWN_KEYS = (
    "max_age",
    "require_live",
    "require_privileged",
    "require_roles",
    "allow_overrides",
    "questionnaire_sha256",
    "challenge",
    "subjects",
    "profiles",
    "ignore_untrusted_signatures",
)


def policy_from_json(data: Any, where: str) -> Policy:
    """A policy from its JSON object; unknown keys and wrong types are refused with the key named."""
    if not isinstance(data, dict):
        raise PolicyError(f"{where}: a policy is a JSON object")
    unknown = sorted(set(data) - set(KNOWN_KEYS))
    if unknown:
        raise PolicyError(f"{where}: unknown key {unknown[0]!r} (known: {', '.join(KNOWN_KEYS)})")
    p = Policy(sources=(where,))
    values: Dict[str, Any] = {}
    if "max_age" in data:
        v = data["max_age"]
        values["max_age_s"] = v if isinstance(v, int) and not isinstance(v, bool) and v > 0 else parse_duration(str(v), f"{where}: max_age")
    for name in ("require_live", "require_privileged", "ignore_untrusted_signatures"):
        if name in data:
            values[name] = _flag(data[name], f"{where}: {name}")
    if "require_roles" in data:
        values["require_roles"] = tuple(_role(r, f"{where}: require_roles") for r in _strings(data["require_roles"], f"{where}: require_roles"))
    if "allow_overrides" in data:
        values["allow_overrides"] = tuple(_override_rule(r, f"{where}: allow_overrides") for r in _strings(data["allow_overrides"], where))
    if "questionnaire_sha256" in data:
        digests = _strings(data["questionnaire_sha256"], f"{where}: questionnaire_sha256")
        bad = [d for d in digests if not _SHA256.match(d)]
        if bad:
            raise PolicyError(f"{where}: questionnaire_sha256: {bad[0]!r} is not a sha256 hex digest")
        values["questionnaire_sha256"] = digests
    if "challenge" in data:
        if not isinstance(data["challenge"], str) or not data["challenge"]:
            raise PolicyError(f"{where}: challenge: expected the nonce as a string")
        values["challenge"] = data["challenge"]
    if "subjects" in data:
        values["subjects"] = _strings(data["subjects"], f"{where}: subjects")
    if "profiles" in data:
        values["profiles"] = tuple(_profile(v, f"{where}: profiles") for v in _strings(data["profiles"], where))
    return replace(p, **values)


def _role(value: str, where: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise PolicyError(f"{where}: {value!r} is not one of {', '.join(r.value for r in Role)}") from None


def _profile(value: str, where: str) -> Profile:
    try:
        return Profile(value)
    except ValueError:
        raise PolicyError(f"{where}: {value!r} is not one of {', '.join(p.value for p in Profile)}") from None


def _override_rule(value: str, where: str) -> str:
    if value != "*" and not re.match(r"^[A-Z]{3,4}-[A-Z]{2,5}-\d{3}\.([a-z_]+|\*)$", value):
        raise PolicyError(f"{where}: {value!r} is not CHECK-ID.param, CHECK-ID.* or *")
    return value


def load_policy(path: Path) -> Policy:
    from report.canonical import CanonicalError, strict_loads

    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_POLICY_BYTES + 1)
    except OSError as exc:
        raise PolicyError(f"cannot read policy {path}: {exc.strerror}") from None
    if len(data) > MAX_POLICY_BYTES:
        raise PolicyError(f"{path}: larger than 1 MiB; is this a policy file?")
    try:
        raw = strict_loads(data, str(path))
    except CanonicalError as exc:
        raise PolicyError(str(exc)) from None
    return policy_from_json(raw, str(path))


def merge(base: Policy, **flags: Any) -> Policy:
    """The policy with command-line flags added (flags tighten or add; ``None`` and empty mean not given)."""
    values: Dict[str, Any] = {}
    for name, value in flags.items():
        if value is None or value == () or value is False:
            continue
        current = getattr(base, name)
        if isinstance(current, tuple):
            values[name] = tuple(dict.fromkeys(current + tuple(value)))
        else:
            values[name] = value
    return replace(base, **values)


# ------------------------------------------------------------------------------------------ evaluation


def asset_names(report: Report) -> List[str]:
    """What a report is about, as trust-store and policy patterns see it."""
    from report.signing import subject_name

    names = [subject_name(report), *report.target.identifiers]
    if report.target.kind == "website":
        names += [f"website:{e}" for e in report.target.endpoints]
    return names


def asset_matches(patterns: Sequence[str], report: Report) -> bool:
    """Whether the report's asset is covered by ``patterns``: the host (by name, narrowed by any identifier
    patterns), or every endpoint of a website assessment."""
    from report.signing import subject_name

    identifiers = report.target.identifiers
    if report.target.kind == "website" and report.target.endpoints:
        return all(matches(patterns, f"website:{e}", identifiers) for e in report.target.endpoints)
    return matches(patterns, subject_name(report), identifiers)


def _override_allowed(rules: Sequence[str], check_id: str, param: str) -> bool:
    return any(r == "*" or fnmatch.fnmatchcase(f"{check_id}.{param}", r) for r in rules)


def evaluate_policy(report: Report, signers: Sequence[Any], policy: Policy, now: dt.datetime) -> List[RuleResult]:
    """Every rule of the policy that applies, with its result. ``signers`` are the counted trusted keys."""
    out: List[RuleResult] = []

    def rule(name: str, ok: bool, en: str, zh: str) -> None:
        out.append(RuleResult(name, ok, en, zh))

    started = parse_time(report.run.started_at)
    age = (now - started).total_seconds()
    if age < -CLOCK_SKEW_S:
        rule(
            "time",
            False,
            f"the report is dated {report.run.started_at}, in the future (the signing host's clock is wrong, or the date was set)",
            f"报告日期为 {report.run.started_at}，在未来（签名主机的时钟有误，或日期被改过）",
        )
    if policy.max_age_s is not None:
        ok = age <= policy.max_age_s
        rule("max_age", ok, f"made {_age(age)} ago (at most {_age(policy.max_age_s)} allowed)", f"生成于 {_age(age, 'zh')}前（最多允许 {_age(policy.max_age_s, 'zh')}）")
    if policy.require_live:
        ok = report.run.mode == "live"
        mode = report.run.mode
        rule("mode", ok, f"mode {mode}" + ("" if ok else ": not a live assessment of the host"), f"方式 {mode}" + ("" if ok else "：不是对主机的现场评估"))
    if policy.require_privileged:
        if report.run.privileged:
            rule("privileges", True, "run as root", "以 root 运行")
        else:
            rule("privileges", False, "run without root: checks that need it were not assessed", "未以 root 运行：需要 root 的检查未评估")
    if policy.profiles:
        ok = report.profile in policy.profiles
        allowed = ", ".join(map(str, policy.profiles))
        rule(
            "profile",
            ok,
            f"profile {report.profile} ({'allowed' if ok else 'allowed: ' + allowed})",
            f"评估类型 {report.profile}（{'允许' if ok else '允许的是：' + allowed}）",
        )
    for o in report.provenance.overrides:
        if o.effect != "weakens":
            continue
        ok = _override_allowed(policy.allow_overrides, o.check_id, o.param)
        rule(
            "overrides",
            ok,
            f"{o.check_id} {o.param} = {o.value!r} weakens the check (default {o.default!r})" + ("; allowed by the policy" if ok else ""),
            f"{o.check_id} {o.param} = {o.value!r} 放宽了检查（默认 {o.default!r}）" + ("；策略允许" if ok else ""),
        )
    q = report.provenance.questionnaire
    if q is not None:
        if policy.questionnaire_sha256:
            ok = q.sha256 in policy.questionnaire_sha256
            head = f"{q.id}@{q.version} sha256 {q.sha256[:16]}… "
            rule("questionnaire", ok, head + ("is the insurer's copy" if ok else "is not the insurer's copy"), head + ("是保险方的问卷" if ok else "不是保险方的问卷"))
        elif q.builtin:
            rule("questionnaire", True, f"{q.id}@{q.version} is the built-in questionnaire", f"{q.id}@{q.version} 是内置问卷")
        else:
            rule(
                "questionnaire",
                False,
                f"{q.id}@{q.version} is not the built-in questionnaire (sha256 {q.sha256[:16]}…); pass the insurer's copy with --questionnaire",
                f"{q.id}@{q.version} 不是内置问卷（sha256 {q.sha256[:16]}…）；请用 --questionnaire 提供保险方的问卷",
            )
    if policy.challenge is not None:
        got = report.provenance.challenge
        if got == policy.challenge:
            rule("challenge", True, "carries the challenge", "带有所要求的挑战值")
        elif got is None:
            rule("challenge", False, "carries no challenge", "没有挑战值")
        else:
            rule("challenge", False, "carries a different challenge", "挑战值不同")
    subject = asset_names(report)[0]
    if policy.subjects:
        ok = asset_matches(policy.subjects, report)
        patterns = ", ".join(policy.subjects)
        rule("subject", ok, f"{subject} " + ("matches" if ok else "does not match") + f" {patterns}", f"{subject} " + ("符合" if ok else "不符合") + f" {patterns}")
    for s in signers:
        entry = s.entry
        if entry is None:
            continue
        for at, what_zh, what_en in ((started, "报告时间", "the report's time"), (now, "当前时间", "now")):
            problem = window_problem_text(entry, at, what_zh, what_en)
            if problem:
                rule("key_window", False, problem.en, problem.zh)
        if not asset_matches(entry.targets, report):
            targets = ", ".join(entry.targets)
            rule("key_targets", False, f"{entry.label} may sign only for {targets}, not for {subject}", f"{entry.label} 只能为 {targets} 签名，不能为 {subject}")
    roles = {s.role for s in signers if s.role is not None}
    for role in policy.require_roles:
        who = ", ".join(s.label for s in signers if s.role is role)
        if role in roles:
            rule("roles", True, f"signed by an {role}: {who}", f"有{_ROLE_ZH.get(str(role), str(role))}签名：{who}")
        else:
            rule("roles", False, f"no signature by a trusted {role}", f"没有受信任的{_ROLE_ZH.get(str(role), str(role))}签名")
    return out


_ROLE_ZH = {"applicant": "投保方", "assessor": "评估方", "insurer": "保险方"}


def _age(seconds: float, lang: str = "en") -> str:
    s = int(abs(seconds))
    zh = lang == "zh"
    if s >= 86400:
        return f"{s / 86400:.1f} 天" if zh else f"{s / 86400:.1f} days"
    if s >= 3600:
        return f"{s / 3600:.1f} 小时" if zh else f"{s / 3600:.1f} hours"
    return f"{s // 60} 分钟" if zh else f"{s // 60} minutes"
