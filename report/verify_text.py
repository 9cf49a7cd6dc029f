"""A verification result in words, in zh-CN or en: for ``verify`` and for the header of ``render``.

Every string that came from the envelope or the report is passed through
:func:`report.terminal.safe_line` here, so no caller can forget it.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List

from report.i18n import STATUS
from report.terminal import safe_line
from report.verification import Outcome, Verification, declared

_T: Dict[str, Dict[str, str]] = {
    "valid": {"zh": "有效", "en": "VALID"},
    "invalid": {"zh": "无效", "en": "INVALID"},
    "policy_failed": {"zh": "不符合核验策略", "en": "POLICY FAILED"},
    "unsupported": {"zh": "无法核验（规则版本不同）", "en": "UNSUPPORTED"},
    "signatures": {"zh": "签名", "en": "Signatures"},
    "verified": {"zh": "已验证", "en": "verified"},
    "bad": {"zh": "验证失败", "en": "does not verify"},
    "untrusted": {"zh": "不受信任（不计入）", "en": "untrusted (not counted)"},
    "report": {"zh": "报告", "en": "Report"},
    "made": {"zh": "生成方式", "en": "Made"},
    "rules": {"zh": "规则", "en": "Rules"},
    "rechecked": {"zh": "已按内嵌证据完整复核", "en": "rechecked in full from the embedded evidence"},
    "scope": {"zh": "范围", "en": "Scope"},
    "overrides": {"zh": "参数调整", "en": "Overrides"},
    "questionnaire": {"zh": "问卷", "en": "Questionnaire"},
    "challenge": {"zh": "挑战值", "en": "Challenge"},
    "result": {"zh": "评估结果", "en": "Result"},
    "policy": {"zh": "策略", "en": "Policy"},
    "problems": {"zh": "问题", "en": "Problems"},
    "none": {"zh": "无", "en": "none"},
    "root": {"zh": "root 权限", "en": "as root"},
    "nonroot": {"zh": "非 root（部分检查无法评估）", "en": "without root (some checks not assessed)"},
    "builtin": {"zh": "内置问卷", "en": "built-in"},
    "not_builtin": {"zh": "非内置问卷", "en": "NOT the built-in questionnaire"},
    "not_live": {"zh": "回放数据，非现场评估", "en": "not a live assessment"},
    "offline_root": {"zh": "离线镜像评估，无运行时状态", "en": "offline root file system, no run-time state"},
    "default_ports": {"zh": "默认端口", "en": "default ports"},
    "no_identity": {"zh": "无身份信息", "en": "no identity"},
    "vulns": {"zh": "漏洞匹配", "en": "Vulnerabilities"},
    "vulns_rederived": {"zh": "已用相同漏洞库从内嵌软件包清单重新推导", "en": "re-derived from the embedded package list"},
    "vulns_not_rederived": {"zh": "未重新推导", "en": "not re-derived"},
    "key": {"zh": "密钥", "en": "key"},
    "profile": {"zh": "评估类型", "en": "profile"},
    "catalogue": {"zh": "规则目录", "en": "catalogue"},
    "ports": {"zh": "端口", "en": "ports"},
    "default": {"zh": "默认", "en": "default"},
    "findings": {"zh": "项检查结果", "en": "findings"},
    "score": {"zh": "评分", "en": "score"},
    "binding_blocked": {"zh": "；不可承保", "en": "; binding blocked"},
    "binding_unconfirmed": {"zh": "；能否承保尚待确认", "en": "; binding unconfirmed"},
    "ok": {"zh": "通过  ", "en": "ok  "},
    "fail": {"zh": "不通过", "en": "FAIL"},
    "weakens": {"zh": "放宽检查", "en": "weakens"},
    "tightens": {"zh": "收紧检查", "en": "tightens"},
    "neutral": {"zh": "不影响判定", "en": "neutral"},
}


def _t(key: str, lang: str) -> str:
    return _T[key]["zh" if lang == "zh" else "en"]


def _j(value: Any) -> str:
    return safe_line(json.dumps(value, ensure_ascii=False))


def verification_lines(v: Verification, lang: str) -> List[str]:
    """The result, then the signatures, what the report declares about itself, and the policy rules."""
    s = safe_line
    lines = [f"{_t(v.outcome.value, lang)}  {s(v.source)}"]
    problems = v.problems_in(lang)
    if problems:
        lines.append(f"  {_t('problems', lang)}:")
        lines += [f"    - {s(p)}" for p in problems]
    if v.signatures:
        lines.append(f"  {_t('signatures', lang)}:")
        for sig in v.signatures:
            who = ""
            if sig.key is not None:
                who = s(sig.key.label) if sig.key.entry is not None or lang != "zh" else f"{s(sig.key.source)}（{_t('no_identity', lang)}）"
            lines.append(f"    [{sig.position}] {_t(sig.status.value, lang)}  {_t('key', lang)} {s(sig.keyid[:16])}  {who}".rstrip())
    r = v.report
    if r is not None:
        d = declared(r)
        ids = ", ".join(s(i) for i in r.target.identifiers) or _t("none", lang)
        lines.append(f"  {_t('report', lang)}: {s(r.report_id)}  {s(d['subject'])}  [{ids}]")
        mode = {"live": "live", "offline-root": f"offline-root ({_t('offline_root', lang)})"}.get(r.run.mode, f"{r.run.mode} ({_t('not_live', lang)})")
        how = [mode, _t("root" if r.run.privileged else "nonroot", lang)]
        lines.append(f"  {_t('made', lang)}: {s(r.run.started_at)}, {', '.join(how)}, {_t('profile', lang)} {r.profile}, riskagent {s(r.tool.version)}")
        cat = r.provenance.catalogue
        rechecked = f"; {_t('rechecked', lang)}" if v.outcome in (Outcome.VALID, Outcome.POLICY_FAILED) else ""
        lines.append(f"  {_t('rules', lang)}: {_t('catalogue', lang)} {s(cat.version)} ({s(cat.digest[:16])}…){rechecked}")
        if v.vulnerabilities:
            state = _t("vulns_rederived" if v.vulnerabilities_rederived else "vulns_not_rederived", lang)
            statement = v.vulnerabilities_zh if lang == "zh" and v.vulnerabilities_zh else v.vulnerabilities
            lines.append(f"  {_t('vulns', lang)}: {state} ({s(statement)})")
        sc = r.provenance.scope
        targets = ", ".join(s(t) for t in sc.targets) or _t("none", lang)
        lines.append(f"  {_t('scope', lang)}: {targets}; {_t('ports', lang)} {s(sc.ports) if sc.ports else _t('default_ports', lang)}")
        if r.provenance.overrides:
            lines.append(f"  {_t('overrides', lang)}:")
            for o in r.provenance.overrides:
                effect = _t(o.effect, lang) if o.effect in _T else s(o.effect)
                lines.append(f"    {s(o.check_id)} {s(o.param)} = {_j(o.value)} ({_t('default', lang)} {_j(o.default)}): {effect}")
        else:
            lines.append(f"  {_t('overrides', lang)}: {_t('none', lang)}")
        q = r.provenance.questionnaire
        if q is not None:
            kind = _t("builtin" if q.builtin else "not_builtin", lang)
            lines.append(f"  {_t('questionnaire', lang)}: {s(q.id)}@{s(q.version)} ({kind}), sha256 {s(q.sha256)}")
        lines.append(f"  {_t('challenge', lang)}: {s(r.provenance.challenge) if r.provenance.challenge else _t('none', lang)}")
        score = d["score"]
        counts = ", ".join(f"{STATUS[k]['zh'] if lang == 'zh' and k in STATUS else k} {v}" for k, v in d["summary"].items() if k != "findings")
        uw = r.underwriting
        binding = ""
        if uw is not None:
            if uw.hard_fail.binding_blocked:
                binding = _t("binding_blocked", lang)
            elif uw.hard_fail.binding_unconfirmed:
                binding = _t("binding_unconfirmed", lang)
        lines.append(
            f"  {_t('result', lang)}: {d['summary']['findings']} {_t('findings', lang)} ({counts}); "
            f"{_t('score', lang)} {score if score is not None else '-'}/100 {d['grade'] or ''}{binding}"
        )
    if v.policy:
        lines.append(f"  {_t('policy', lang)}:")
        for rule in v.policy:
            name = rule.name_in(lang)
            lines.append(f"    {_t('ok' if rule.ok else 'fail', lang)} {name}: {s(rule.detail_in(lang))}")
    return lines
