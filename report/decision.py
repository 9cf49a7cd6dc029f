"""The decision box: what an underwriter reads first, derived from the signed report alone.

A recommendation with the rule that produced it, the score and the rating
with why the rating was capped, the hard-fail items that are present, that
could not be confirmed, and that this tool does not cover at all, what was
assessed and what was not, and how complete the questionnaire is. Nothing
here is stored in the report: it is recomputed from the report's content at
every rendering, so a verified report gives the same box to every reader.

The rules, first match wins (an insurer applies its own underwriting
guidelines; these say what the evidence supports):

* ``R1`` 拒保或暂缓 / decline or defer: a hard-fail item (核保否决项) is
  present, or the rating is E or F;
* ``R2`` 附条件承保 / accept with conditions: a hard-fail item could not be
  confirmed, a 高风险 case is open, the rating is C or D or was capped
  because too much could not be assessed, or questionnaire answers are
  missing; each of these becomes a condition;
* ``R3`` 承保 / accept: none of the above (rating A or B, every hard-fail
  item 未发现, no open 高风险 case, the questionnaire complete).

Without an underwriting view (no check was scored) the box says so and the
recommendation is to defer (``R0``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import List, Optional, Tuple

from checks.high_risk import CASES
from checks.model import Status, Text
from report.model import Report
from report.timeouts import out_of_time

DECLINING_GRADES = frozenset({"E", "F"})
CONDITIONAL_GRADES = frozenset({"C", "D"})


class Recommendation(str, Enum):
    ACCEPT = "accept"
    CONDITIONAL = "conditional"
    DECLINE_OR_DEFER = "decline_or_defer"


RECOMMENDATION_TEXT = {
    Recommendation.ACCEPT: Text(zh="建议承保", en="Accept"),
    Recommendation.CONDITIONAL: Text(zh="建议附条件承保", en="Accept with conditions"),
    Recommendation.DECLINE_OR_DEFER: Text(zh="建议拒保或暂缓承保", en="Decline or defer"),
}

RULE_TEXT = {
    "R0": Text(zh="规则 R0：报告中没有可计分的检查结果，无法形成核保意见", en="Rule R0: the report holds no scored check, so no underwriting opinion can be formed"),
    "R1": Text(zh="规则 R1：存在核保否决项，或风险评级为 E/F", en="Rule R1: a hard-fail item is present, or the rating is E or F"),
    "R2": Text(
        zh="规则 R2：无核保否决项，但存在需先满足的条件（见下）",
        en="Rule R2: no hard-fail item is present, but conditions must be met first (below)",
    ),
    "R3": Text(
        zh="规则 R3：评级 A/B，核保否决项均未发现，无未整改高风险项，问卷完整",
        en="Rule R3: rating A or B, every hard-fail item not found, no open high-risk case, questionnaire complete",
    ),
}

CAP_TEXT = {
    "hard_fail": Text(zh="存在核保否决项，评级降至最低", en="a hard-fail item is present, so the rating is the lowest"),
    "not_assessed": Text(zh="无法评估的检查占比过高，评级设上限", en="too many checks could not be assessed, so the rating is capped"),
}


@dataclass(frozen=True)
class Decision:
    recommendation: Recommendation
    rule: str
    conditions: Tuple[Text, ...]
    score: Optional[int]
    grade: Optional[str]
    grade_by_score: Optional[str]  # before any cap; equal to grade when nothing capped it
    cap_reasons: Tuple[Text, ...]
    hard_fail_present: Tuple[Text, ...]
    hard_fail_unconfirmed: Tuple[Text, ...]
    hard_fail_not_covered: Tuple[Text, ...]
    open_high_risk: Tuple[Text, ...]
    assessed: Tuple[Text, ...]
    not_assessed: Tuple[Text, ...]
    answered: Optional[int]
    questions: Optional[int]

    def recommendation_text(self, lang: str) -> str:
        return RECOMMENDATION_TEXT[self.recommendation].get(lang)

    def rule_text(self, lang: str) -> str:
        return RULE_TEXT[self.rule].get(lang)


def _grade_by_score(score: Optional[int]) -> Optional[str]:
    if score is None:
        return None
    from report.underwriting import load_weights

    for band in sorted(load_weights().grade_bands, key=lambda b: -b.min_score):
        if score >= band.min_score:
            return band.grade
    return None


def _case_title(case: str) -> Text:
    spec = CASES.get(case)
    if spec is None:
        return Text(zh=f"高风险判例 {case}", en=f"High-risk case {case}")
    return Text(zh=f"{case} {spec.title.zh}", en=f"{case} {spec.title.en}")


def _scope(report: Report) -> Tuple[Tuple[Text, ...], Tuple[Text, ...]]:
    """What this report assessed, and what it did not (so a clean result is not read as more than it is)."""
    assessed: List[Text] = []
    missing: List[Text] = []
    t = report.target
    if t.kind == "host":
        who = "root" if report.run.privileged else report.run.user
        assessed.append(Text(zh=f"主机配置：{t.name}（以 {who} 身份本机采集）", en=f"Host configuration: {t.name} (collected on the host as {who})"))
        if not report.run.privileged:
            missing.append(Text(zh="需要 root 权限的检查（以非特权用户运行）", en="Checks that need root (the run was unprivileged)"))
    targets = tuple(report.provenance.scope.targets)
    if targets:
        assessed.append(Text(zh=f"网络探测：{len(targets)} 个目标（{'、'.join(targets)}）", en=f"Network probes: {len(targets)} target(s) ({', '.join(targets)})"))
    else:
        missing.append(Text(zh="外部视角扫描（未声明网络目标）", en="Outside-in scan (no network target declared)"))
    if not any(e.collector.startswith("vuln.") for e in report.evidence):
        missing.append(Text(zh="漏洞匹配（本次未进行已安装软件与漏洞库的比对）", en="Vulnerability matching (installed software was not matched against a vulnerability feed)"))
    q = report.questionnaire
    if q is None:
        missing.append(Text(zh="管理措施（未附问卷）", en="Management measures (no questionnaire)"))
    elif q.summary.unknown:
        missing.append(Text(zh=f"管理措施：问卷 {q.summary.unknown} 题未回答", en=f"Management measures: {q.summary.unknown} questionnaire answer(s) missing"))
    errors = sum(1 for f in report.findings if f.status in (Status.ERROR, Status.MANUAL))
    if errors:
        missing.append(Text(zh=f"{errors} 项检查无法评估或需人工核查", en=f"{errors} check(s) could not be assessed or need review"))
    late = out_of_time(report.evidence)
    if late:
        names = ", ".join(sorted({x.endpoint for x in late}))
        missing.append(Text(zh=f"超出时间预算的端点：{names}", en=f"Endpoints that ran out of time: {names}"))
    not_assessed = [c for c in report.summary.high_risk_not_assessed if _applies(c, report)]
    if not_assessed:
        cases = ", ".join(not_assessed)
        missing.append(Text(zh=f"本工具无法判断的高风险判例：{cases}", en=f"High-risk cases no check here can judge: {cases}"))
    return tuple(assessed), tuple(missing)


def _applies(case_id: str, report: Report) -> bool:
    """Whether a 高风险 case applies at the protection level the report is judged at: a case whose 适用范围 is
    三级及以上 is no condition for a 二级 system (the summary lists every failed case, whatever the level)."""
    from report.underwriting import case_min_level

    level = report.underwriting.mlps.level if report.underwriting is not None else 3
    return case_min_level(case_id) <= level


def decide(report: Report) -> Decision:
    """The decision box of ``report`` (see the module's rules)."""
    assessed, missing = _scope(report)
    q = report.questionnaire
    answered = (q.summary.derived + q.summary.attested) if q is not None else None
    questions = (q.summary.derived + q.summary.attested + q.summary.unknown) if q is not None else None
    open_cases = tuple(_case_title(c) for c in dict.fromkeys(h.case for h in report.summary.open_high_risk if _applies(h.case, report)))
    uw = report.underwriting
    if uw is None:
        return Decision(
            Recommendation.DECLINE_OR_DEFER, "R0", (), None, None, None, (), (), (), (), open_cases, assessed, missing, answered, questions
        )
    hf = uw.hard_fail
    present = tuple(e.label for e in hf.entries if e.state == "open")
    unconfirmed = tuple(e.label for e in hf.entries if e.state in ("unknown", "mitigable"))
    not_covered = tuple(n.label for n in hf.not_covered)
    ins = uw.insurer
    caps = tuple(CAP_TEXT[c] for c in ins.grade_capped_by if c in CAP_TEXT)
    conditions: List[Text] = []
    if hf.binding_blocked or (ins.grade in DECLINING_GRADES):
        rec, rule = Recommendation.DECLINE_OR_DEFER, "R1"
    else:
        conditions += [Text(zh=f"确认核保否决项：{u.zh}", en=f"Confirm the hard-fail item: {u.en}") for u in unconfirmed]
        conditions += [Text(zh=f"整改高风险项 {c.zh}", en=f"Remedy high-risk case {c.en}") for c in open_cases]
        if ins.grade in CONDITIONAL_GRADES:
            conditions.append(Text(zh=f"风险评级为 {ins.grade}：整改后复评", en=f"Rating {ins.grade}: re-assess after rectification"))
        if "not_assessed" in ins.grade_capped_by:
            conditions.append(Text(zh="补充评估无法评估的检查项", en="Assess the checks that could not be assessed"))
        if q is not None and q.summary.unknown:
            conditions.append(Text(zh=f"补全问卷（{q.summary.unknown} 题未回答）", en=f"Complete the questionnaire ({q.summary.unknown} answer(s) missing)"))
        if q is None:
            conditions.append(Text(zh="提交风险评估问卷", en="Submit the risk questionnaire"))
        rec, rule = (Recommendation.CONDITIONAL, "R2") if conditions or ins.score is None else (Recommendation.ACCEPT, "R3")
    return Decision(
        recommendation=rec,
        rule=rule,
        conditions=tuple(conditions),
        score=ins.score,
        grade=ins.grade,
        grade_by_score=_grade_by_score(ins.score),
        cap_reasons=caps,
        hard_fail_present=present,
        hard_fail_unconfirmed=unconfirmed,
        hard_fail_not_covered=not_covered,
        open_high_risk=open_cases,
        assessed=assessed,
        not_assessed=missing,
        answered=answered,
        questions=questions,
    )


# Labels of the decision box and its neighbours (kept here, beside the rules they explain).
LABELS = {
    "decision": Text(zh="核保意见", en="Underwriting decision"),
    "recommendation": Text(zh="建议", en="Recommendation"),
    "rule": Text(zh="依据规则", en="Rule applied"),
    "conditions": Text(zh="承保前需满足的条件", en="Conditions before binding"),
    "score_grade": Text(zh="风险评分 · 评级", en="Risk score · rating"),
    "grade_by_score": Text(zh="按得分应为", en="by score alone"),
    "cap": Text(zh="评级封顶原因", en="Rating capped because"),
    "hf_present": Text(zh="核保否决项：存在", en="Hard-fail items present"),
    "hf_unconfirmed": Text(zh="核保否决项：无法确认", en="Hard-fail items that could not be confirmed"),
    "hf_not_covered": Text(zh="核保否决项：本工具不覆盖（需另行核实）", en="Hard-fail items this tool does not cover (verify otherwise)"),
    "open_high_risk": Text(zh="未整改的高风险项", en="Open high-risk cases"),
    "assessed": Text(zh="本次评估范围", en="Assessed"),
    "not_assessed": Text(zh="未评估（不代表不存在问题）", en="Not assessed (not a clean result)"),
    "questionnaire": Text(zh="问卷完整度", en="Questionnaire completeness"),
    "answered_of": Text(zh="已回答 {answered} / {questions} 题", en="{answered} of {questions} answered"),
    "no_questionnaire": Text(zh="未附问卷", en="no questionnaire"),
    "none": Text(zh="无", en="none"),
    "not_scored": Text(zh="未计分", en="not scored"),
    # questionnaire rows
    "note": Text(zh="说明", en="Note"),
    "not_asked": Text(zh="未询问（因 {question} 的回答）", en="not asked (because of the answer to {question})"),
    "partial_evidence": Text(zh="部分证据", en="Partial evidence"),
}


def label(key: str, lang: str, **params: object) -> str:
    text = LABELS[key].get(lang)
    return text.format(**params) if params else text
