"""Report labels in zh-CN and en."""

from __future__ import annotations

from typing import Dict

LANGS = ("zh", "en")

_LABELS: Dict[str, Dict[str, str]] = {
    "title": {"zh": "网络安全风险评估报告", "en": "Cyber-risk assessment report"},
    "target": {"zh": "评估对象", "en": "Target"},
    "os": {"zh": "操作系统", "en": "Operating system"},
    "profile": {"zh": "评估类型", "en": "Profile"},
    "assessed_at": {"zh": "评估时间", "en": "Assessed at"},
    "run_as": {"zh": "运行身份", "en": "Run as"},
    "privileged": {"zh": "特权（root）", "en": "privileged (root)"},
    "unprivileged": {"zh": "非特权用户（部分项目无法评估）", "en": "unprivileged (some items could not be assessed)"},
    "report_id": {"zh": "报告编号", "en": "Report id"},
    "summary": {"zh": "结果摘要", "en": "Summary"},
    "by_status": {"zh": "按结果统计", "en": "By result"},
    "failed_by_severity": {"zh": "未通过项按严重程度", "en": "Failures by severity"},
    "by_layer": {"zh": "按等保层面", "en": "By MLPS layer"},
    "high_risk": {"zh": "未整改的高风险项（等保高风险判定）", "en": "Open MLPS high-risk cases"},
    "none": {"zh": "无", "en": "none"},
    "findings": {"zh": "检查结果", "en": "Findings"},
    "check": {"zh": "检查项", "en": "Check"},
    "status": {"zh": "结果", "en": "Result"},
    "severity": {"zh": "严重程度", "en": "Severity"},
    "mlps": {"zh": "等保测评单元", "en": "MLPS unit"},
    "domains": {"zh": "保险关注领域", "en": "Insurer domains"},
    "observed": {"zh": "检测结果", "en": "Observed"},
    "reason": {"zh": "说明", "en": "Detail"},
    "remediation": {"zh": "整改建议", "en": "Remediation"},
    "evidence": {"zh": "证据", "en": "Evidence"},
    "collector": {"zh": "采集项", "en": "Collector"},
    "method": {"zh": "采集方式", "en": "Method"},
    "sources": {"zh": "来源", "en": "Sources"},
    "signed_note": {
        "zh": "本报告的 JSON 版本已签名（DSSE 信封 + in-toto 声明）；以签名文件为准，可用 riskagent verify 校验。",
        "en": "The JSON form of this report is signed (DSSE envelope around an in-toto statement); the signed file is authoritative and can be checked with riskagent verify.",
    },
    "verification": {"zh": "核验结果", "en": "Verification"},
    "provenance": {"zh": "报告来源（如何生成）", "en": "How this report was made"},
    "mode": {"zh": "评估方式", "en": "Mode"},
    "mode_live": {"zh": "现场评估（本机实时采集）", "en": "live (collected on the host)"},
    "mode_replay": {"zh": "回放数据，非现场评估", "en": "replay of recorded data: not a live assessment"},
    "catalogue": {"zh": "检查规则版本", "en": "Check catalogue"},
    "tool_version": {"zh": "工具版本", "en": "Tool version"},
    "scope": {"zh": "网络评估范围", "en": "Network scope"},
    "ports": {"zh": "端口", "en": "Ports"},
    "default_ports": {"zh": "默认端口", "en": "default ports"},
    "identifiers": {"zh": "主机标识", "en": "Host identifiers"},
    "challenge": {"zh": "保险公司挑战值", "en": "Insurer challenge"},
    "overrides": {"zh": "检查参数调整", "en": "Check parameter overrides"},
    "param": {"zh": "参数", "en": "Parameter"},
    "value": {"zh": "取值", "en": "Value"},
    "default": {"zh": "默认值", "en": "Default"},
    "effect": {"zh": "影响", "en": "Effect"},
    "effect_weakens": {"zh": "放宽", "en": "weakens"},
    "effect_tightens": {"zh": "收紧", "en": "tightens"},
    "effect_neutral": {"zh": "不影响判定", "en": "neutral"},
    "questionnaire_ref": {"zh": "问卷版本", "en": "Questionnaire"},
    "builtin": {"zh": "内置问卷", "en": "built-in"},
    "not_builtin": {"zh": "非内置问卷，请与保险公司版本核对", "en": "not the built-in one: compare with the insurer's copy"},
    "total": {"zh": "合计", "en": "Total"},
    "layer": {"zh": "层面", "en": "Layer"},
    "case": {"zh": "高风险判例", "en": "High-risk case"},
    "questionnaire": {"zh": "风险评估问卷", "en": "Risk questionnaire"},
    "questionnaire_note": {
        "zh": "“证据推导”的回答由本报告中的检查结果和证据得出；“填报人声明”由署名人员提供；其余为未知，不默认为“是”。",
        "en": "Derived answers follow from the findings and evidence in this report; attested answers were given by the named person; the rest are unknown, never assumed to be yes.",
    },
    "question": {"zh": "问题", "en": "Question"},
    "underwriting": {"zh": "核保视图", "en": "Underwriting view"},
    "insurer_score": {"zh": "风险评分", "en": "Risk score"},
    "grade": {"zh": "评级", "en": "Rating"},
    "binding_blocked": {"zh": "存在核保否决项", "en": "Binding blocked by hard-fail items"},
    "binding_unconfirmed": {"zh": "核保否决项未能全部确认", "en": "Hard-fail items not all confirmed"},
    "binding_clear": {"zh": "未发现核保否决项", "en": "No hard-fail item found"},
    "hard_fail": {"zh": "核保否决项", "en": "Hard-fail items (block binding)"},
    "coverage_lines": {"zh": "按保险责任", "en": "By coverage line"},
    "vulns": {"zh": "已知漏洞", "en": "Known vulnerabilities"},
    "vulns_where": {"zh": "对象", "en": "Where"},
    "vulns_packages": {"zh": "已安装软件包", "en": "installed packages"},
    "vulns_services": {"zh": "对外服务版本", "en": "service versions seen"},
    "vulns_open": {"zh": "有修复版本未安装", "en": "Open with a fix"},
    "vulns_by_severity": {"zh": "严重/高/中/低/未定级", "en": "Critical/high/medium/low/unrated"},
    "vulns_kev": {"zh": "在野利用（KEV）", "en": "Known exploited (KEV)"},
    "vulns_kev_exposed": {"zh": "其中对外暴露", "en": "of which exposed"},
    "vulns_oldest": {"zh": "最久未安装的修复（天）", "en": "Oldest fix not installed (days)"},
    "vulns_not_matched": {"zh": "无法可靠比对的服务版本", "en": "Versions not matched reliably"},
    "vulns_none": {
        "zh": "未做漏洞比对：评估时没有配置漏洞库（scan --feeds），已知漏洞未评估。",
        "en": "No vulnerability matching: no feeds were configured (scan --feeds), so known vulnerabilities were not assessed.",
    },
    "scenarios": {"zh": "按风险场景", "en": "By risk scenario"},
    "mlps_units": {"zh": "等保测评单元结果", "en": "MLPS unit results"},
    # The 测评 view (report/mlps_view.py, templates/_mlps.*.j2).
    "mlps_view": {"zh": "等级保护测评视图", "en": "MLPS assessment view"},
    "mlps_level_2": {"zh": "第二级", "en": "level 2"},
    "mlps_level_3": {"zh": "第三级", "en": "level 3"},
    "mlps_scope_note": {
        "zh": "本视图按层面、控制点列出所选等级安全通用要求中安全通信网络、安全区域边界、安全计算环境和安全管理中心的全部测评项；"
        "评估类型为工业网关或车联网时，另列本工具能评估的工业控制系统或物联网扩展要求测评项。"
        "安全物理环境和安全管理要求（管理制度、机构、人员、建设管理、运维管理）本工具不评估，需测评人员现场核查和访谈。"
        "测评项的符合程度由映射到该项的检查结果汇总得出：全部通过为符合，通过与未通过并存为部分符合，全部未通过为不符合，"
        "检查均不适用为不适用，没有检查或检查未能得出结论为未评估。",
        "en": "This view lists, by layer and control point, every unit of the selected level's general requirements for the "
        "communication network, area boundary, computing environment and security management centre; for the ICS gateway and "
        "telematics profiles it adds the units of the ICS or IoT extension that the agent can assess. The physical environment "
        "and the management requirements (policies, organisation, personnel, construction, operations) are not assessed by the "
        "agent: an assessor checks them on site and by interview. A unit's result sums the checks mapped to it: all pass is "
        "compliant, passes next to failures partly compliant, all fail non-compliant, all not applicable not applicable, and no "
        "check or no verdict not assessed.",
    },
    "mlps_score_title": {"zh": "综合得分", "en": "Composite score (综合得分)"},
    "mlps_score_note": {
        "zh": "本工具不计算综合得分，也不给出优、良、中、差的等级测评结论。综合得分要汇总定级对象全部安全层面（包括安全物理环境和安全管理要求）、"
        "全部测评对象的测评项结果，并由测评机构现场核查后得出；本工具只评估它所采集对象的技术测评项，其余测评项在此列为未评估，"
        "由本视图算出的任何分数都不代表等级测评结果。",
        "en": "The agent computes no composite score and gives no MLPS conclusion (优, 良, 中, 差). The score sums the unit results "
        "of every layer of the system (physical environment and management included) over every object assessed, verified on "
        "site by an accredited assessment body; the agent assesses only the technical units of the objects it collects from, "
        "lists the rest here as not assessed, and no score computed from this view is an MLPS result.",
    },
    "mlps_counts": {"zh": "测评项符合程度统计", "en": "Units by result"},
    "mlps_conclusion_hint": {"zh": "测评结论提示", "en": "Conclusion hint"},
    "mlps_hint_poor": {
        "zh": "差：本测评对象存在未整改且无缓解措施的高风险问题",
        "en": "差 (poor): this object has an open high-risk case with no mitigation",
    },
    "mlps_hint_none": {
        "zh": "本工具评估的测评项中未发现未整改且无缓解措施的高风险问题（这不是等级测评结论）",
        "en": "No open high-risk case without mitigation among the units the agent assesses (this is not an MLPS conclusion)",
    },
    "mlps_cases_above_level": {"zh": "仅适用于第三级及以上、不计入本等级的高风险判例", "en": "Open cases that apply from level 3 up, not counted at this level"},
    "mlps_unit": {"zh": "测评项", "en": "Unit"},
    "mlps_requirement": {"zh": "要求", "en": "Requirement"},
    "mlps_result": {"zh": "符合程度", "en": "Result"},
    "mlps_record": {"zh": "结果记录", "en": "Record"},
    "mlps_incomplete": {"zh": "部分检查未能评估", "en": "some checks could not assess"},
    "mlps_wording_level2": {"zh": "二级要求的表述", "en": "level-2 wording"},
    "mlps_wording_reused": {
        "zh": "二级要求的原文未经核对，此处沿用三级要求的表述",
        "en": "level-2 wording not checked: the level-3 text stands in",
    },
    "mlps_would_assess": {"zh": "能评估此项的检查", "en": "Checks that would assess it"},
    "mlps_title": {"zh": "标题", "en": "Title"},
    "mlps_state": {"zh": "状态", "en": "State"},
    "mlps_colon": {"zh": "：", "en": ": "},
    "mlps_stop": {"zh": "。", "en": ". "},
    "mlps_sep": {"zh": "；", "en": "; "},
    "not_assessed": {"zh": "未评估", "en": "not assessed"},
    "state_open": {"zh": "存在", "en": "present"},
    "state_clear": {"zh": "未发现", "en": "not found"},
    "state_unknown": {"zh": "无法确认", "en": "cannot confirm"},
    "state_mitigable": {"zh": "高风险，可酌情降级", "en": "high risk, may be downgraded"},
    "mitigated_by": {"zh": "缓解措施证据", "en": "mitigation shown by"},
    "high_risk_not_assessed": {"zh": "未评估的高风险判例（本次检查无法判断，不代表不存在）", "en": "High-risk cases not assessed (no check here can judge them; not a clean result)"},
    "out_of_time": {"zh": "超出时间预算、未完成评估的端点（下次评估请给予更长时间）", "en": "Ran out of time (not assessed; give the next scan a longer budget)"},
    "scanner_view": {
        "zh": "外部扫描视角（保险公司评级扫描可能看到的问题）",
        "en": "Scanner view (what an insurer's outside-in scan is likely to see)",
    },
    "scanner_note": {
        "zh": "以下问题来自对已声明目标的外部探测，按严重程度排列；保险公司的评级扫描通常会发现同样的问题。",
        "en": "These issues come from probing the declared targets from outside, worst first; insurers' rating scans usually find the same.",
    },
    "critical_exposures": {"zh": "严重暴露", "en": "Critical exposures"},
    "no_issues": {"zh": "未发现问题", "en": "no issues found"},
    "could_not_assess": {"zh": "无法评估", "en": "could not assess"},
    "answer": {"zh": "回答", "en": "Answer"},
    "basis": {"zh": "依据", "en": "Basis"},
    "conflict": {"zh": "冲突", "en": "Conflict"},
}

# Check results. 符合 / 部分符合 / 不符合 are kept for MLPS test units (测评项), never for checks.
STATUS: Dict[str, Dict[str, str]] = {
    "pass": {"zh": "通过", "en": "pass"},
    "fail": {"zh": "未通过", "en": "fail"},
    "not_applicable": {"zh": "不适用", "en": "not applicable"},
    "error": {"zh": "无法评估", "en": "could not assess"},
    "manual": {"zh": "需人工核查", "en": "needs review"},
}

SEVERITY: Dict[str, Dict[str, str]] = {
    "critical": {"zh": "严重", "en": "critical"},
    "high": {"zh": "高", "en": "high"},
    "medium": {"zh": "中", "en": "medium"},
    "low": {"zh": "低", "en": "low"},
    "info": {"zh": "提示", "en": "info"},
}

LAYER: Dict[str, Dict[str, str]] = {
    "CNS": {"zh": "安全通信网络", "en": "Communication network"},
    "ABS": {"zh": "安全区域边界", "en": "Area boundary"},
    "CES": {"zh": "安全计算环境", "en": "Computing environment"},
    "SMC": {"zh": "安全管理中心", "en": "Security management centre"},
}


class Labels:
    """Label lookup for one language, handy in templates."""

    def __init__(self, lang: str) -> None:
        if lang not in LANGS:
            raise ValueError(f"unsupported language {lang!r}; use one of {', '.join(LANGS)}")
        self.lang = lang

    def __getitem__(self, key: str) -> str:
        return _LABELS[key][self.lang]

    def status(self, value: str) -> str:
        return STATUS[value][self.lang]

    def severity(self, value: str) -> str:
        return SEVERITY[value][self.lang]

    def layer(self, value: str) -> str:
        return LAYER[value][self.lang]
