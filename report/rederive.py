"""Re-derive a whole report from what it carries, and name every difference.

A valid signature proves who wrote a report, not that its content follows
from its evidence: the party it describes holds the key. So the verifier
rebuilds the report the way a scan builds it (the whole catalogue of the
report's profile over the embedded evidence, with the declared parameters,
then every derived section: summary, views, provenance, questionnaire
answers, underwriting scores, plan) and requires the rebuilt report to be the
signed one. What cannot be re-derived (run times, the host name, the scope,
attestations) is the signer's declaration, and the verifier shows it as such.

Only a report judged by this catalogue version can be rechecked, or even
read: ``Report.from_json`` refuses the others (``UnsupportedReport``).

What a report's JSON leaves out because it follows from the rest (a finding's
title and severity, the built-in questionnaire, the plan's tasks) is filled in
when it is read; the comparison below is of the whole typed report, so it
covers what was written and what was filled in alike.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, fields, replace
from typing import Any, Dict, List, Optional, Set, Tuple, cast

from checks.model import Finding
from collectors.evidence import Evidence
from collectors.profile import Profile
from collectors.strictjson import to_json
from questionnaires.model import AnsweredQuestionnaire
from report.canonical import same_canonical
from report.model import Report, RunInfo, Tool
from report.plan import PlanSettings
from report.provenance import Provenance

MAX_LISTED = 20  # differences named one by one; the rest are counted


@dataclass(frozen=True)
class Discrepancy:
    """One way the signed report differs from the one its evidence gives."""

    where: str  # "finding LNX-SSH-019", "summary", "questionnaire"
    detail: str
    where_zh: str = ""  # the same in Chinese; empty: as in English (a section or field name)
    detail_zh: str = ""

    def __str__(self) -> str:
        return f"{self.where}: {self.detail}"

    def text(self, lang: str) -> str:
        if lang != "zh":
            return str(self)
        return f"{self.where_zh or self.where}：{self.detail_zh or self.detail}"


def _evidence(collector: str, en: str, zh: str) -> Discrepancy:
    return Discrepancy(f"evidence {collector}", en, f"证据 {collector}", zh)


def same_catalogue(report: Report) -> bool:
    from report.provenance import current_catalogue

    return report.provenance.catalogue == current_catalogue()


@dataclass(frozen=True)
class Declarations:
    """What a report declares and a rebuild takes as given: its evidence and what a scan was told or measured.

    Everything else in a report follows from these. Read from a typed report (:meth:`of`), or straight from the
    signed JSON (:func:`declarations_from_json`) when only the rebuilt report is wanted.
    """

    profile: Profile
    report_id: str
    tool: Tool
    target_name: str
    run: RunInfo
    provenance: Provenance
    previous_report: Optional[str]
    evidence: Tuple[Evidence, ...]
    redactions: int
    questionnaire: Optional[AnsweredQuestionnaire]
    plan_settings: Optional[PlanSettings]
    level: int  # the MLPS protection level the signer declares (the underwriting view's)

    @classmethod
    def of(cls, report: Report) -> Declarations:
        return cls(
            profile=report.profile,
            report_id=report.report_id,
            tool=report.tool,
            target_name=report.target.name,
            run=report.run,
            provenance=report.provenance,
            previous_report=report.previous_report,
            evidence=report.evidence,
            redactions=report.redactions,
            questionnaire=report.questionnaire,
            plan_settings=report.plan_settings,
            level=report.underwriting.mlps.level if report.underwriting is not None else 3,
        )


def _declarations(report: Report | Declarations) -> Declarations:
    return report if isinstance(report, Declarations) else Declarations.of(report)


_DECLARED_FIELDS = ("profile", "report_id", "tool", "run", "provenance", "previous_report", "evidence", "redactions", "questionnaire")


def declarations_from_json(predicate: Any) -> Optional[Declarations]:
    """The declarations of a signed report's JSON, decoded as ``Report.from_json`` decodes those fields; None when
    they cannot be read (the full reading then names why). The rest of the report is not read at all."""
    from collectors.strictjson import JsonShapeError, fields_from_json, from_json
    from report.underwriting import MlpsLevel

    if not isinstance(predicate, dict):
        return None
    try:
        values = fields_from_json(Report, predicate, _DECLARED_FIELDS)
        target = predicate["target"]
        settings = predicate["plan_settings"]
        underwriting = predicate["underwriting"]
        level: int = from_json(cast(Any, MlpsLevel), underwriting["mlps"]["level"], "$.underwriting.mlps.level") if underwriting is not None else 3
        if type(target) is not dict or type(target.get("name")) is not str or type(level) is not int:
            return None
        plan_settings = from_json(PlanSettings, settings, "$.plan_settings") if settings is not None else None
    except (JsonShapeError, KeyError, TypeError, RecursionError):
        return None
    return Declarations(target_name=target["name"], plan_settings=plan_settings, level=level, **values)


def declared_params(report: Report | Declarations) -> Dict[str, Dict[str, Any]]:
    """The parameter overrides the report declares, by check id."""
    out: Dict[str, Dict[str, Any]] = {}
    for o in report.provenance.overrides:
        out.setdefault(o.check_id, {})[o.param] = o.value
    return out


def rederive(report: Report | Declarations) -> Report:
    """The report a scan would have written from this report's evidence and declarations."""
    from checks.catalogue import evaluate
    from report.assemble import complete
    from report.model import build_report

    d = _declarations(report)
    findings = evaluate(d.evidence, d.profile, declared_params(d))
    core = build_report(
        profile=d.profile,
        target_name=d.target_name,
        run=d.run,
        evidence=d.evidence,
        findings=findings,
        previous_report=d.previous_report,
        report_id=d.report_id,
        scope=d.provenance.scope,
        challenge=d.provenance.challenge,
    )
    core = replace(core, tool=d.tool, redactions=d.redactions)
    questionnaire, attestations = _embedded_questionnaire(d)
    settings = d.plan_settings
    plan_settings = {"owners": settings.owners, "default_owner": settings.default_owner, "sla_days": settings.sla_days} if settings else {}
    from report.plan import validate_settings

    try:
        validate_settings(plan_settings)
    except ValueError as exc:
        raise RederiveError("plan", f"settings a scan does not accept: {exc}", "整改计划", f"扫描不接受的设置：{exc}") from None
    return complete(core, questionnaire, attestations, plan_settings, d.level)


def _embedded_questionnaire(report: Declarations) -> Tuple[Any, Dict[str, Any]]:
    """The questionnaire the report embeds and the attestations it carries, each attestation checked against it."""
    from questionnaires.engine import validate_value
    from questionnaires.loader import QuestionnaireError, questionnaire_from_json

    embedded = report.questionnaire
    if embedded is None:
        return None, {}
    try:
        if embedded.builtin:
            from questionnaires.loader import load_questionnaire

            questionnaire = load_questionnaire(None)
        else:
            questionnaire = questionnaire_from_json(embedded.definition, "the embedded questionnaire")
    except (QuestionnaireError, KeyError, TypeError, ValueError) as exc:
        raise RederiveError("questionnaire", f"the embedded definition is not a valid questionnaire ({exc})", "问卷", f"内嵌的定义不是有效的问卷（{exc}）") from None
    attestations = {a.question: a.attestation for a in embedded.answers if a.attestation is not None}
    for qid, att in attestations.items():
        try:
            problem = validate_value(questionnaire.question(qid), att.value)
        except KeyError:
            raise RederiveError(
                "questionnaire", f"an attestation answers {qid!r}, which the questionnaire does not ask", "问卷", f"有一项声明回答了 {qid!r}，但问卷中没有这道题"
            ) from None
        if problem:
            raise RederiveError("questionnaire", f"the attested answer to {qid} is not a valid answer ({problem})", "问卷", f"对 {qid} 的声明答案无效（{problem}）")
    return questionnaire, attestations


class RederiveError(ValueError):
    """The report cannot even be rebuilt (its embedded questionnaire is broken, for one)."""

    def __init__(self, where: str, detail: str, where_zh: str = "", detail_zh: str = "") -> None:
        super().__init__(f"{where}: {detail}")
        self.discrepancy = Discrepancy(where, detail, where_zh, detail_zh)


def recheck(report: Report) -> List[Discrepancy]:
    """Every difference between the signed report and the one its evidence gives (empty: it follows).

    First what the report declares must hang together (evidence a scan of its profile collects, once
    per collector and target, about the named host and the declared scope; a run record in the form and
    order a scan writes; overrides a scan accepts); then the whole report is rebuilt and compared.
    """
    problems = declaration_problems(report)
    if problems:
        return problems
    try:
        again = rederive(report)
    except RederiveError as exc:
        return [exc.discrepancy]
    found = compare(report, again)
    if not found and not same_canonical(report, again) and again.canonical != report.canonical:
        found.append(
            Discrepancy(
                "report",
                "a value differs in type from what the evidence gives (for example true where 1 is)",
                "报告",
                "某个值的类型与证据给出的不同（例如应为 1 处写成了 true）",
            )
        )
    return found


def rederived_statement(payload: bytes, statement: Any) -> Optional[Report]:
    """The report a signed payload carries, when the payload is byte for byte the Statement a scan writes from
    the declarations in it; None otherwise (then :func:`recheck` on the report as read names what differs).

    The whole judgement of a genuine report in one comparison, without reading the signed findings, views,
    answers or plan at all: the rebuilt report encodes to the signed bytes, so it is the signed report, and it
    follows from the evidence (it was rebuilt from it). The declarations must pass the same checks
    :func:`recheck` makes. This only ever accepts: whatever goes wrong here, the full reading decides.
    """
    from report.canonical import canonical_record_quick
    from report.signing import statement_bytes

    predicate = statement.get("predicate") if isinstance(statement, dict) else None
    declarations = declarations_from_json(predicate)
    if declarations is None or declaration_problems(declarations):
        return None
    try:
        again = rederive(declarations)
        # Written without looking for floats: the payload either is these bytes or is read in full.
        return again if statement_bytes(again, canonical_record_quick(again)) == payload else None
    except Exception:  # hostile declarations may break a rebuild anywhere; the full reading names it
        return None


_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
CLOCK_SLACK_S = 2  # times are written to the second; a run's duration is measured on a monotonic clock


def _time(value: str, where: str) -> dt.datetime:
    if not _TIME.match(value):
        raise RederiveError(where, f"{value[:40]!r} is not a UTC time written as YYYY-MM-DDTHH:MM:SSZ", "", f"{value[:40]!r} 不是写成 YYYY-MM-DDTHH:MM:SSZ 的 UTC 时间")
    at = _utc(value)
    if at is None:
        raise RederiveError(where, f"{value!r} is not a valid date and time", "", f"{value!r} 不是有效的日期时间")
    return at


@functools.lru_cache(maxsize=4096)
def _utc(value: str) -> Optional[dt.datetime]:
    """The time a ``_TIME`` string gives, or None; remembered, as a report's evidence mostly shares one second."""
    try:
        return dt.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc)
    except ValueError:
        return None


def declaration_problems(report: Report | Declarations) -> List[Discrepancy]:
    """What the report declares that no scan could have written."""
    d = _declarations(report)
    try:
        return _evidence_problems(d) + _run_problems(d) + _override_problems(d)
    except RederiveError as exc:
        return [exc.discrepancy]


def _evidence_problems(report: Declarations) -> List[Discrepancy]:
    from checks.catalogue import host_collectors_for, net_collectors_for

    out: List[Discrepancy] = []
    host_allowed = set(host_collectors_for(report.profile)) if report.profile.assesses_host else set()
    net_allowed = set(net_collectors_for(report.profile))
    in_scope = set(report.provenance.scope.targets)
    seen: Set[Tuple[str, str]] = set()
    for e in report.evidence:
        key = (e.collector, e.target)
        if key in seen:
            out.append(_evidence(e.collector, f"recorded twice for {e.target}", f"对 {e.target} 记录了两次"))
        seen.add(key)
        if e.is_host:
            if e.collector not in host_allowed:
                out.append(_evidence(e.collector, f"a {report.profile}-profile scan does not collect it", f"{report.profile} 类评估不收集这项证据"))
            if e.target != report.target_name:
                out.append(
                    _evidence(
                        e.collector,
                        f"is about host {e.target!r}, but the report is about {report.target_name!r}",
                        f"关于主机 {e.target!r}，但报告评估的是 {report.target_name!r}",
                    )
                )
        else:
            if e.collector not in net_allowed:
                out.append(_evidence(e.collector, f"a {report.profile}-profile scan does not collect it", f"{report.profile} 类评估不收集这项证据"))
            if e.target not in in_scope:
                out.append(_evidence(e.collector, f"is about {e.target!r}, which is not in the declared scope", f"关于 {e.target!r}，不在声明的范围内"))
        if len(out) >= MAX_LISTED:
            break
    return out


def _run_problems(report: Declarations) -> List[Discrepancy]:
    run = report.run
    out: List[Discrepancy] = []
    started = _time(run.started_at, "run.started_at")
    finished = _time(run.finished_at, "run.finished_at")
    if finished < started:
        out.append(Discrepancy("run", f"finished {run.finished_at}, before it started {run.started_at}", "运行", f"结束于 {run.finished_at}，早于开始时间 {run.started_at}"))
    span = (finished - started).total_seconds()
    if run.duration_ms < 0 or abs(run.duration_ms / 1000 - span) > CLOCK_SLACK_S:
        out.append(
            Discrepancy(
                "run",
                f"duration {run.duration_ms} ms does not match {run.started_at} to {run.finished_at}",
                "运行",
                f"时长 {run.duration_ms} 毫秒与 {run.started_at} 至 {run.finished_at} 不符",
            )
        )
    if report.redactions < 0:
        out.append(Discrepancy("redactions", f"{report.redactions} is not a count", "脱敏计数", f"{report.redactions} 不是计数"))
    if run.mode == "live":
        if run.privileged != (run.uid == 0):
            privileged = str(run.privileged).lower()
            out.append(Discrepancy("run", f"privileged is {privileged} for uid {run.uid}", "运行", f"uid {run.uid} 的 privileged 却为 {privileged}"))
        low, high = started - dt.timedelta(seconds=CLOCK_SLACK_S), finished + dt.timedelta(seconds=CLOCK_SLACK_S)
        for e in report.evidence:
            at = _time(e.collected_at, f"evidence {e.collector}")
            if not low <= at <= high:
                out.append(
                    _evidence(
                        e.collector,
                        f"collected at {e.collected_at}, outside the run ({run.started_at} to {run.finished_at})",
                        f"收集于 {e.collected_at}，不在运行时间内（{run.started_at} 至 {run.finished_at}）",
                    )
                )
                break
    return out


def _override_problems(report: Declarations) -> List[Discrepancy]:
    from checks.catalogue import all_checks
    from checks.params import value_problem

    checks = all_checks()
    out: List[Discrepancy] = []
    for o in report.provenance.overrides:
        rc = checks.get(o.check_id)
        if rc is None or o.param not in rc.meta.params:
            out.append(Discrepancy(f"override {o.check_id}.{o.param}", "no such check parameter in this catalogue", f"参数调整 {o.check_id}.{o.param}", "本规则目录中没有这个检查参数"))
            continue
        problem = value_problem(o.param, rc.meta.params[o.param], o.value)
        if problem:
            out.append(
                Discrepancy(f"override {o.check_id}.{o.param}", f"not a value a scan accepts: {problem}", f"参数调整 {o.check_id}.{o.param}", f"扫描不接受这个值：{problem}")
            )
    return out


# ------------------------------------------------------------------------------------------ comparing


def _label(key: Tuple[str, Optional[str]]) -> str:
    check_id, target = key
    return f"finding {check_id}" + (f" on {target}" if target else "")


def _finding(key: Tuple[str, Optional[str]], en: str, zh: str) -> Discrepancy:
    check_id, target = key
    return Discrepancy(_label(key), en, f"检查结果 {check_id}" + (f"（{target}）" if target else ""), zh)


def _finding_differences(signed: Tuple[Finding, ...], again: Tuple[Finding, ...]) -> List[Discrepancy]:
    from checks.catalogue import all_checks

    known = all_checks()
    out: List[Discrepancy] = []
    mine = {f.key: f for f in signed}
    theirs = {f.key: f for f in again}
    if len(mine) != len(signed):
        seen: Dict[Tuple[str, Optional[str]], int] = {}
        for f in signed:
            seen[f.key] = seen.get(f.key, 0) + 1
        dup = next(k for k, n in seen.items() if n > 1)
        out.append(_finding(dup, "appears more than once", "出现了不止一次"))
    for key in mine:
        if key[0] not in known:
            out.append(_finding(key, "no such check in this catalogue (an invented or renamed check id)", "本规则目录中没有这项检查（检查 ID 是编造的或被改过）"))
        elif key not in theirs:
            out.append(_finding(key, "the catalogue does not give this finding for this profile and evidence", "对这种评估类型和证据，规则目录不会给出这项结果"))
    for key in theirs:
        if key not in mine:
            status = theirs[key].status
            out.append(_finding(key, f"missing from the report (the evidence gives {status})", f"报告中缺少这项结果（证据给出的是 {status}）"))
    for key, f in mine.items():
        g = theirs.get(key)
        if g is None or f == g:
            continue
        for fld in fields(Finding):
            a, b = getattr(f, fld.name), getattr(g, fld.name)
            if a != b:
                out.append(_finding(key, *_field_difference(fld.name, to_json(a), to_json(b))))
    if not out and signed != again:
        out.append(Discrepancy("findings", "not in the order riskagent writes them", "检查结果", "顺序不是 riskagent 写出的顺序"))
    return out


def _field_difference(name: str, signed: Any, again: Any) -> Tuple[str, str]:
    """(en, zh) of one field of a finding that differs."""
    if name == "status":
        return f"reported {signed}, but the evidence gives {again}", f"报告为 {signed}，但证据给出的是 {again}"
    a, b = _short(signed), _short(again)
    if name in ("observed", "reason"):
        return f"{name} differs from what the check observes in the evidence ({a} vs {b})", f"{name} 与检查从证据中观察到的不同（{a} 对 {b}）"
    if name == "params":
        return f"judged with parameters {a}, but the declared overrides give {b}", f"按参数 {a} 判定，但声明的参数调整给出的是 {b}"
    return f"{name} is {a} in the report, but {b} in the catalogue", f"{name} 在报告中为 {a}，在规则目录中为 {b}"


def first_difference(a: Any, b: Any, path: str = "$") -> Optional[Tuple[str, Any, Any]]:
    """The JSON path of the first place two plain JSON trees differ, with both values."""
    if type(a) is not type(b):
        return path, a, b
    if isinstance(a, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                return f"{path}.{k}", a.get(k, "<absent>"), b.get(k, "<absent>")
            found = first_difference(a[k], b[k], f"{path}.{k}")
            if found:
                return found
        return None
    if isinstance(a, list):
        for i, (x, y) in enumerate(zip(a, b)):
            found = first_difference(x, y, f"{path}[{i}]")
            if found:
                return found
        if len(a) != len(b):
            return f"{path} (length)", len(a), len(b)
        return None
    return None if a == b else (path, a, b)


def _short(value: Any) -> str:
    import json

    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= 80 else text[:77] + "..."


# The derived sections compared, in this order, with their names in Chinese.
_SECTIONS = {
    "schema_version": "结构版本",
    "target": "评估对象",
    "provenance": "来源声明",
    "summary": "汇总",
    "scanner_view": "扫描视图",
    "profile_view": "评估类型视图",
    "questionnaire": "问卷",
    "underwriting": "核保视图",
    "plan": "整改计划",
}


def compare(signed: Report, again: Report) -> List[Discrepancy]:
    """Name each difference: findings one by one, then each derived section at its first differing path."""
    out = _finding_differences(signed.findings, again.findings)
    for name in _SECTIONS:
        a, b = getattr(signed, name), getattr(again, name)
        if a == b:
            continue
        found = first_difference(to_json(a), to_json(b), f"$.{name}")
        if found is None:
            out.append(Discrepancy(name, "differs from the section the findings give", _SECTIONS[name], "与由检查结果得出的这一部分不同"))
            continue
        path, x, y = found
        a, b = _short(x), _short(y)
        out.append(Discrepancy(name, f"{path} is {a} in the report, but {b} when recomputed", _SECTIONS[name], f"{path} 在报告中为 {a}，重新计算得 {b}"))
    return out
