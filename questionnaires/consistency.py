"""Consistency rules: answers that contradict each other, or the evidence, where no derivation rule does.

A derivation rule catches an attestation that the evidence answers otherwise
(``evidence`` in :mod:`questionnaires.engine`). These rules catch the rest:
an attestation whose question the evidence does not answer but contradicts
(奇安信天擎 named as installed, signatures 0 days old, where LNX-EDR-001 finds no
anti-malware at all), and two answers that cannot both be true (MFA on every
remote login, but on 80 % of it). Each rule is named, says both sides in zh
and en, and is reported through the conflicts mechanism: the answer keeps its
value and basis and gains a :class:`~questionnaires.model.Conflict`.

Rules read answers and check statuses per asset, never the clock: a host
report (one asset) and an organisation's answers (every asset's checks, from
the answers of its reports) run the same rules, and a verifier recomputes them.
A rule whose questions a questionnaire does not ask does nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from checks.model import Text
from questionnaires.model import Answer, Basis, Conflict, Question, Questionnaire

# A check status per check id, per asset.
Statuses = Mapping[str, Mapping[str, str]]


@dataclass(frozen=True)
class Context:
    """What a rule reads: the questionnaire, its answers by question id, and check statuses per asset."""

    questionnaire: Questionnaire
    answers: Mapping[str, Answer]
    statuses: Statuses

    def question(self, qid: str) -> Optional[Question]:
        try:
            return self.questionnaire.question(qid)
        except KeyError:
            return None

    def value(self, qid: str) -> Any:
        """The answer's value whatever its basis (None when unknown or not asked)."""
        a = self.answers.get(qid)
        return a.value if a is not None and a.basis is not Basis.UNKNOWN else None

    def attested(self, qid: str) -> Optional[Answer]:
        """The answer if its value is a person's attestation."""
        a = self.answers.get(qid)
        return a if a is not None and a.basis is Basis.ATTESTED and a.attestation is not None else None

    def failing(self, *check_ids: str) -> List[Tuple[str, str]]:
        """(asset, check id) of every listed check that fails, by asset."""
        return [(asset, cid) for asset, checks in sorted(self.statuses.items()) for cid in check_ids if checks.get(cid) == "fail"]

    def shown(self, qid: str, value: Any, lang: str) -> str:
        q = self.question(qid)
        return q.display(value, lang) if q is not None else str(value)


@dataclass(frozen=True)
class Found:
    """One conflict a rule found, on the answer of ``question``."""

    question: str
    message: Text


Findings = Iterable[Found]
RuleFn = Callable[[Context], Findings]


@dataclass(frozen=True)
class Rule:
    name: str
    summary: Text
    judge: RuleFn


def _claim(ctx: Context, qid: str) -> Tuple[str, str]:
    """``EP-03 “奇安信天擎”（张三）`` / ``EP-03 'Qianxin' (attested by Zhang San)``: the attested side of a conflict."""
    a = ctx.answers[qid]
    by = a.attestation.by if a.attestation is not None else "?"
    return (f"{qid} 声明“{ctx.shown(qid, a.value, 'zh')}”（{by}）", f"{qid} attests {a.value!r} ({by})")


def _where(found: Sequence[Tuple[str, str]]) -> str:
    return ", ".join(f"{cid} on {asset}" for asset, cid in found)


def _where_zh(found: Sequence[Tuple[str, str]]) -> str:
    return "、".join(f"{asset} 的 {cid}" for asset, cid in found)


def _against_checks(
    ctx: Context, claims: Sequence[Tuple[str, Callable[[Any], bool]]], checks: Sequence[str], zh_why: str, en_why: str
) -> Findings:
    """Every attested claim that failing ``checks`` contradict."""
    failing = ctx.failing(*checks)
    if not failing:
        return
    for qid, contradicted in claims:
        a = ctx.attested(qid)
        if a is None or not contradicted(a.value):
            continue
        zh, en = _claim(ctx, qid)
        yield Found(qid, Text(zh=f"{zh}，但 {_where_zh(failing)} 未通过：{zh_why}", en=f"{en}, but {_where(failing)} fails: {en_why}"))


def _any(_: Any) -> bool:
    return True


def _is(value: Any) -> Callable[[Any], bool]:
    return lambda v: v == value


def _full(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and v >= 100


# ------------------------------------------------------------------------------------------ the rules


def anti_malware_vs_evidence(ctx: Context) -> Findings:
    """Anti-malware named, current or covering every server, where LNX-EDR-001 finds none."""
    claims = (("EP-01", _is("yes")), ("EP-03", _any), ("EP-04", _is("yes")), ("EP-05", _any), ("EP-08", _full))
    yield from _against_checks(
        ctx, claims, ("LNX-EDR-001",), "未发现任何防恶意代码、EDR 或主机入侵检测软件", "no anti-malware, EDR or host intrusion detection software was found"
    )


def offline_backup_vs_no_job(ctx: Context) -> Findings:
    """An offline or immutable backup copy, where LNX-BAK-001 finds no backup job keeping a copy off the host."""
    yield from _against_checks(
        ctx, (("BK-04", _is("yes")),), ("LNX-BAK-001",), "没有把副本保存到本机以外的定期备份任务", "no scheduled backup job keeps a copy off the host"
    )


def mfa_coverage_vs_hosts(ctx: Context) -> Findings:
    """MFA on 100 % of remote or privileged access, where an assessed host's SSH accepts a login with one factor."""
    yield from _against_checks(
        ctx, (("ID-04", _full), ("ID-06", _full)), ("LNX-SSH-019",), "SSH 登录只需一种鉴别因素", "SSH login needs only one authentication factor"
    )


def _yes_vs_percent(ctx: Context, pairs: Sequence[Tuple[str, str]]) -> Findings:
    """An attested "yes" with a percentage under 100, or "no" with 100 %: the two answers say different things."""
    for yes_no, percent in pairs:
        a, pct = ctx.attested(yes_no), ctx.value(percent)
        if a is None or not isinstance(pct, int) or isinstance(pct, bool):
            continue
        if (a.value == "yes" and pct < 100) or (a.value == "no" and pct >= 100):
            zh, en = _claim(ctx, yes_no)
            yield Found(yes_no, Text(zh=f"{zh}，但 {percent} 填报的覆盖率是 {pct}%", en=f"{en}, but {percent} gives a coverage of {pct}%"))


def mfa_answer_vs_percentage(ctx: Context) -> Findings:
    """MFA "yes" for e-mail, remote or privileged access, with a coverage under 100 % (or "no" with 100 %)."""
    yield from _yes_vs_percent(ctx, (("ID-01", "ID-05"), ("ID-02", "ID-04"), ("ID-03", "ID-06")))


def edr_answer_vs_percentage(ctx: Context) -> Findings:
    """Anti-malware or EDR "yes" on the servers, with a server coverage under 100 % (or "no" with 100 %)."""
    yield from _yes_vs_percent(ctx, (("EP-01", "EP-08"),))


def vendor_access_vs_remote_tools(ctx: Context) -> Findings:
    """Vendor remote access under control, where a host runs third-party remote-control or tunnel software."""
    yield from _against_checks(
        ctx,
        (("TP-02", _is("yes")),),
        ("LNX-RMT-001", "LNX-RMT-002"),
        "主机上装有或运行第三方远程控制或内网穿透工具，绕过了受控的访问途径",
        "third-party remote-control or tunnelling software on the host bypasses the controlled access path",
    )


def no_industrial_vs_evidence(ctx: Context) -> Findings:
    """No industrial control systems, where industrial protocols were found listening or answering."""
    yield from _against_checks(
        ctx,
        (("OT-01", _is("no")),),
        ("LNX-ICS-002", "NET-ICS-001", "NET-ICS-002", "NET-ICS-003"),
        "发现了在监听或应答的工业协议服务",
        "industrial protocol services were found listening or answering",
    )


def incidents_vs_count(ctx: Context) -> Findings:
    """No incident in three years, with a number of incidents given."""
    a, count = ctx.attested("HI-01"), ctx.value("HI-04")
    if a is not None and a.value == "no" and isinstance(count, int) and not isinstance(count, bool) and count > 0:
        zh, en = _claim(ctx, "HI-01")
        yield Found("HI-01", Text(zh=f"{zh}，但 HI-04 填报了 {count} 起事件", en=f"{en}, but HI-04 gives {count} incident(s)"))


def _count(value: Any) -> Optional[int]:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def patch_sla_vs_oldest_fix(ctx: Context) -> Findings:
    """A patch SLA of N days, where a fix released more than N days ago is still not installed."""
    a, oldest = ctx.attested("PT-09"), _count(ctx.value("PT-13"))
    sla = _count(a.value) if a is not None else None
    if sla is not None and oldest is not None and oldest > sla:
        zh, en = _claim(ctx, "PT-09")
        yield Found(
            "PT-09",
            Text(
                zh=f"{zh}，但 PT-13：本机最早一个未安装的安全修复已发布 {oldest} 天",
                en=f"{en}, but PT-13: the oldest security fix not installed on this host was released {oldest} days ago",
            ),
        )


def kev_count_vs_evidence(ctx: Context) -> Findings:
    """Fewer known-exploited vulnerabilities on internet-facing systems than this host alone has behind its exposed services."""
    a, found = ctx.attested("PT-08"), _count(ctx.value("PT-12"))
    claimed = _count(a.value) if a is not None else None
    if claimed is not None and found is not None and found > claimed:
        zh, en = _claim(ctx, "PT-08")
        yield Found(
            "PT-08",
            Text(
                zh=f"{zh}，但 PT-12：仅本机对外服务所用软件包中就有 {found} 个已被在野利用的漏洞",
                en=f"{en}, but PT-12: this host alone has {found} known-exploited vulnerabilit{'y' if found == 1 else 'ies'} behind its exposed services",
            ),
        )


def answered_but_not_asked(ctx: Context) -> Findings:
    """An answer to a question that another answer rules out (a bastion vendor named after "no bastion")."""
    for q in ctx.questionnaire.questions:
        a = ctx.attested(q.id)
        if a is None or q.ask_if is None:
            continue
        cond = ctx.value(q.ask_if.question)
        if cond is not None and not q.ask_if.holds(cond):
            zh, en = _claim(ctx, q.id)
            shown = ctx.shown(q.ask_if.question, cond, "zh")
            yield Found(
                q.id,
                Text(
                    zh=f"{zh}，但 {q.ask_if.question} 的答案是“{shown}”，此题只在答案为“{'、'.join(ctx.shown(q.ask_if.question, v, 'zh') for v in q.ask_if.values)}”时适用",
                    en=f"{en}, but {q.ask_if.question} is {cond!r}; this question applies only when it is {' or '.join(repr(v) for v in q.ask_if.values)}",
                ),
            )


_GRADES = ("excellent", "good", "fair", "poor")


def mlps_filing_vs_test(ctx: Context) -> Findings:
    """An MLPS test result or date for a system that is not filed, or a test date with the conclusion "not assessed"."""
    level, conclusion = ctx.value("ML-01"), ctx.value("ML-03")
    for qid, contradicted, zh_why, en_why in (
        ("ML-03", level == "none" and conclusion in _GRADES, "ML-01 填报系统未定级备案，未备案的系统没有等级测评结论", "ML-01 says the system is not filed, and an unfiled system has no MLPS test conclusion"),
        ("ML-02", level == "none", "ML-01 填报系统未定级备案，未备案的系统没有等级测评日期", "ML-01 says the system is not filed, and an unfiled system has no MLPS test date"),
        ("ML-02", conclusion == "not_assessed", "ML-03 填报“未测评”", "ML-03 says it has not been assessed"),
    ):
        if contradicted and ctx.attested(qid) is not None:
            zh, en = _claim(ctx, qid)
            yield Found(qid, Text(zh=f"{zh}，但 {zh_why}", en=f"{en}, but {en_why}"))


def drill_without_plan(ctx: Context) -> Findings:
    """An incident-response exercise dated, with no incident-response plan."""
    if ctx.value("IR-01") == "no" and ctx.attested("IR-02") is not None:
        zh, en = _claim(ctx, "IR-02")
        yield Found("IR-02", Text(zh=f"{zh}，但 IR-01 填报没有应急预案", en=f"{en}, but IR-01 says there is no incident response plan"))


RULES: Tuple[Rule, ...] = (
    Rule("anti_malware_vs_evidence", Text("声明已部署防恶意代码软件，但证据显示没有", "Anti-malware attested, none found"), anti_malware_vs_evidence),
    Rule("offline_backup_vs_no_job", Text("声明有离线备份，但没有备份任务", "Offline backup attested, no backup job"), offline_backup_vs_no_job),
    Rule("mfa_coverage_vs_hosts", Text("声明多因素认证全覆盖，但主机只需单因素", "Full MFA coverage attested, single-factor login found"), mfa_coverage_vs_hosts),
    Rule("mfa_answer_vs_percentage", Text("多因素认证的是否与覆盖率不一致", "MFA yes/no and coverage disagree"), mfa_answer_vs_percentage),
    Rule("edr_answer_vs_percentage", Text("防恶意代码的是否与覆盖率不一致", "Anti-malware yes/no and coverage disagree"), edr_answer_vs_percentage),
    Rule("vendor_access_vs_remote_tools", Text("声明第三方访问受控，但有远程控制工具", "Controlled vendor access attested, remote tools found"), vendor_access_vs_remote_tools),
    Rule("no_industrial_vs_evidence", Text("声明没有工控系统，但发现工业协议", "No ICS attested, industrial protocols found"), no_industrial_vs_evidence),
    Rule("incidents_vs_count", Text("声明无安全事件，但填报了事件数", "No incident attested, a count given"), incidents_vs_count),
    Rule("answered_but_not_asked", Text("回答了不适用的问题", "A question answered that does not apply"), answered_but_not_asked),
    Rule("patch_sla_vs_oldest_fix", Text("声明的补丁时限短于本机未安装修复的天数", "Patch SLA attested, an older fix not installed"), patch_sla_vs_oldest_fix),
    Rule("kev_count_vs_evidence", Text("填报的在野利用漏洞数少于本机发现的数量", "Fewer KEV vulnerabilities attested than found"), kev_count_vs_evidence),
    Rule("mlps_filing_vs_test", Text("定级备案与等级测评的答案不一致", "MLPS filing and test answers disagree"), mlps_filing_vs_test),
    Rule("drill_without_plan", Text("有应急演练但没有应急预案", "An exercise without a plan"), drill_without_plan),
)


def apply_rules(questionnaire: Questionnaire, answers: Sequence[Answer], statuses: Statuses) -> List[Answer]:
    """``answers`` with every rule's conflicts added to the answers they concern (in rule order)."""
    ctx = Context(questionnaire, {a.question: a for a in answers}, statuses)
    found: Dict[str, List[Conflict]] = {}
    for rule in RULES:
        for f in rule.judge(ctx):
            if f.question in ctx.answers:
                found.setdefault(f.question, []).append(Conflict(rule.name, f.message))
    return [a.with_conflicts(found.get(a.question, ())) for a in answers]


def statuses_from_answers(answers: Iterable[Answer]) -> Dict[str, str]:
    """Check statuses as an asset's answers cite them (how the organisation's rules see an asset's checks)."""
    out: Dict[str, str] = {}
    for a in answers:
        for c in a.cited_checks:
            out.setdefault(c.check_id, c.status)
    return out

