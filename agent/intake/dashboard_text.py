"""The dashboard's words, in zh-CN and en, in the project's terminology (one table, so both languages stay in step).

Templates call ``t("key")``; statuses, hard-fail states, alert kinds and roles
have their own tables because they translate stored values, not page text.
"""

from __future__ import annotations

from typing import Callable, Dict, Mapping

from checks.model import Text

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"

LABELS: Dict[str, Text] = {
    # chrome
    "app": Text(zh="风险评估受理平台", en="Risk assessment intake"),
    "portfolio": Text(zh="承保组合", en="Portfolio"),
    "alerts": Text(zh="告警", en="Alerts"),
    "users": Text(zh="用户", en="Users"),
    "tokens": Text(zh="API 令牌", en="API tokens"),
    "settings": Text(zh="设置", en="Settings"),
    "logout": Text(zh="退出登录", en="Log out"),
    "language": Text(zh="English", en="中文"),
    "signed_in_as": Text(zh="当前用户", en="Signed in as"),
    # login
    "login": Text(zh="登录", en="Log in"),
    "username": Text(zh="用户名", en="User name"),
    "password": Text(zh="口令", en="Password"),
    "login_failed": Text(zh="用户名或口令错误", en="Wrong user name or password"),
    "login_limited": Text(
        zh="登录失败次数过多，请 {minutes} 分钟后再试",
        en="Too many failed logins; try again in {minutes} minute(s)",
    ),
    # errors
    "forbidden": Text(zh="无权访问", en="Forbidden"),
    "forbidden_role": Text(zh="您的角色（{role}）无权执行此操作", en="Your role ({role}) may not do this"),
    "csrf_refused": Text(
        zh="请求缺少有效的 CSRF 令牌，已拒绝；请返回页面后重新提交",
        en="The request has no valid CSRF token and was refused; go back to the page and submit it again",
    ),
    "not_found": Text(zh="未找到", en="Not found"),
    "error": Text(zh="错误", en="Error"),
    "back": Text(zh="返回承保组合", en="Back to the portfolio"),
    # portfolio
    "applicant": Text(zh="投保企业", en="Applicant"),
    "applicants": Text(zh="投保企业数", en="Applicants"),
    "grade": Text(zh="风险评级", en="Rating"),
    "score": Text(zh="风险评分", en="Risk score"),
    "score_grade": Text(zh="风险评分 · 评级", en="Risk score · rating"),
    "open_hard_fails": Text(zh="核保否决项：存在", en="Hard-fail items present"),
    "trend": Text(zh="评分趋势", en="Score trend"),
    "last_checkin": Text(zh="最近报送时间", en="Last check-in"),
    "overdue_tasks": Text(zh="逾期整改任务", en="Overdue rectification tasks"),
    "open_alerts": Text(zh="未关闭告警", en="Open alerts"),
    "assets": Text(zh="资产", en="Assets"),
    "filters": Text(zh="筛选", en="Filters"),
    "no_grade": Text(zh="无评级", en="No rating"),
    "f_hard_fail": Text(zh="存在核保否决项", en="Has a hard-fail item present"),
    "f_overdue": Text(zh="有逾期整改任务", en="Has overdue tasks"),
    "f_missed": Text(zh="未按时报送", en="Missed check-in"),
    "search": Text(zh="名称或统一社会信用代码", en="Name or unified social credit code"),
    "apply": Text(zh="筛选", en="Filter"),
    "reset": Text(zh="清除", en="Clear"),
    "per_page": Text(zh="每页", en="Per page"),
    "page_of": Text(zh="第 {page} / {pages} 页，共 {total} 家", en="Page {page} of {pages}, {total} applicant(s)"),
    "prev": Text(zh="上一页", en="Previous"),
    "next": Text(zh="下一页", en="Next"),
    "none_match": Text(zh="没有符合条件的投保企业", en="No applicant matches"),
    "missed": Text(zh="未按时报送", en="missed"),
    "never": Text(zh="从未报送", en="never"),
    "sort_by": Text(zh="按此列排序", en="Sort by this column"),
    "trend_of": Text(zh="最近 {n} 份报告的评分", en="Scores of the last {n} reports"),
    # applicant
    "organisation_id": Text(zh="统一社会信用代码", en="Unified social credit code"),
    "schedule": Text(zh="报送周期", en="Check-in schedule"),
    "schedule_line": Text(zh="每 {interval}，宽限 {grace}", en="every {interval}, grace {grace}"),
    "asset": Text(zh="资产", en="Asset"),
    "kind": Text(zh="类型", en="Kind"),
    "first_seen": Text(zh="首次报送", en="First seen"),
    "latest_report": Text(zh="最新报告", en="Latest report"),
    "history": Text(zh="评分与核保否决项历史", en="History of score and hard-fail items"),
    "history_chart": Text(
        zh="风险评分（折线，左轴 0–100）与核保否决项：存在（柱，右轴），每份已受理报告一点",
        en="Risk score (lines, left axis 0-100) and hard-fail items present (bars, right axis), one point per accepted report",
    ),
    "no_history": Text(zh="尚无已受理的报告", en="No accepted report yet"),
    "hard_fail_items": Text(zh="核保否决项（各资产最新报告）", en="Hard-fail items (each asset's latest report)"),
    "item": Text(zh="否决项", en="Item"),
    "state": Text(zh="状态", en="State"),
    "tasks": Text(zh="未完成的整改任务", en="Open rectification tasks"),
    "task": Text(zh="任务", en="Task"),
    "ref": Text(zh="整改对象", en="Changes"),
    "target": Text(zh="目标", en="Target"),
    "severity": Text(zh="严重程度", en="Severity"),
    "owner": Text(zh="负责人", en="Owner"),
    "due": Text(zh="完成期限", en="Due"),
    "overdue_days": Text(zh="已逾期 {days} 天", en="overdue by {days} day(s)"),
    "no_tasks": Text(zh="无未完成的整改任务", en="No open rectification task"),
    "drift": Text(zh="最近两份报告之间的变化", en="Drift between the last two reports"),
    "drift_none": Text(zh="最近两份报告之间没有变化", en="No change between the last two reports"),
    "drift_single": Text(zh="只有一份已受理报告，无可比较", en="Only one accepted report: nothing to compare"),
    "check": Text(zh="检查项", en="Check"),
    "before": Text(zh="上一份报告", en="Previous report"),
    "after": Text(zh="最新报告", en="Latest report"),
    "regressed": Text(zh="回退", en="regressed"),
    "improved": Text(zh="改善", en="improved"),
    "changed": Text(zh="变化", en="changed"),
    "new_hard_fails": Text(zh="新增核保否决项", en="New hard-fail items"),
    "cleared_hard_fails": Text(zh="已消除的核保否决项", en="Cleared hard-fail items"),
    "rejected_reports": Text(zh="未受理的报告及原因", en="Rejected reports and their reasons"),
    "no_rejected": Text(zh="没有未受理的报告", en="No rejected report"),
    "reports": Text(zh="收到的报告", en="Received reports"),
    "applications": Text(zh="投保申请", en="Applications"),
    "no_applications": Text(zh="尚未收到投保申请", en="No application received"),
    "application_id": Text(zh="申请编号", en="Application ID"),
    "application_org": Text(zh="投保人（统一社会信用代码）", en="Applicant named (unified social credit code)"),
    "covered_assets": Text(zh="报告覆盖的资产", en="Assets covered by reports"),
    "application_record": Text(zh="申请记录", en="Application record"),
    "received": Text(zh="接收时间", en="Received"),
    "assessed": Text(zh="评估时间", en="Assessed"),
    "status": Text(zh="受理结果", en="Status"),
    "outcome": Text(zh="核验结果", en="Verification"),
    "reason": Text(zh="原因", en="Reason"),
    "notes": Text(zh="核保备注", en="Underwriting notes"),
    "add_note": Text(zh="添加备注", en="Add a note"),
    "no_notes": Text(zh="暂无备注", en="No note yet"),
    "note_empty": Text(zh="备注不能为空，且不超过 {limit} 个字符", en="A note has 1 to {limit} characters"),
    "by": Text(zh="记录人", en="By"),
    # reports
    "record": Text(zh="报告记录", en="Report record"),
    "view_report": Text(zh="查看核验后的报告", en="Open the verified report"),
    "verified_now": Text(zh="当前核验结果（使用当前信任库与策略重新核验）", en="Verification now (again, with the current trust store and policy)"),
    "stored_result": Text(zh="接收时的核验结果", en="Verification when received"),
    "no_longer_verifies": Text(
        zh="该报告使用当前信任库已无法通过核验，因此不予展示。原因如下：",
        en="This report no longer verifies with the current trust store, so it is not shown. Why:",
    ),
    "policy_note": Text(
        zh="报告真实，但不符合当前核验策略；展示时已在页眉注明。",
        en="The report is genuine but outside the current verification policy; its header says so.",
    ),
    "signers": Text(zh="签名方", en="Signers"),
    "envelope_sha256": Text(zh="信封 SHA-256", en="Envelope SHA-256"),
    "size": Text(zh="大小（字节）", en="Size (bytes)"),
    "download_envelope": Text(zh="下载签名报告（原样，可用 riskagent verify 核验）", en="Download the signed report (as received, for riskagent verify)"),
    "download_archive": Text(zh="下载申请包", en="Download the package"),
    "problems": Text(zh="问题", en="Problems"),
    "report_id": Text(zh="报告编号", en="Report id"),
    "profile": Text(zh="评估类型", en="Profile"),
    "mode": Text(zh="运行方式", en="Mode"),
    # alerts
    "open_alerts_by_kind": Text(zh="未关闭告警（按类型）", en="Open alerts by kind"),
    "raised": Text(zh="产生时间", en="Raised"),
    "resolved": Text(zh="关闭时间", en="Resolved"),
    "detail": Text(zh="详情", en="Detail"),
    "acknowledged": Text(zh="已确认", en="Acknowledged"),
    "acknowledge": Text(zh="确认", en="Acknowledge"),
    "ack_by": Text(zh="{who} 于 {at} 确认", en="by {who} at {at}"),
    "no_alerts": Text(zh="没有未关闭的告警", en="No open alert"),
    "alerts_of": Text(zh="告警", en="Alerts"),
    "webhook": Text(zh="Webhook 推送状态", en="Webhook delivery"),
    "webhook_off": Text(zh="未配置 webhook（serve --webhook URL）", en="No webhook configured (serve --webhook URL)"),
    "webhook_url": Text(zh="推送地址", en="URL"),
    "delivered": Text(zh="已推送", en="Delivered"),
    "pending": Text(zh="待推送（重试中）", en="Pending (retrying)"),
    "given_up": Text(zh="已放弃（重试次数用尽）", en="Given up (attempts exhausted)"),
    "last_delivered": Text(zh="最近一次推送", en="Last delivery"),
    "last_error": Text(zh="最近一次错误", en="Last error"),
    "show_acknowledged": Text(zh="显示已确认的告警", en="Show acknowledged alerts"),
    "hide_acknowledged": Text(zh="隐藏已确认的告警", en="Hide acknowledged alerts"),
    "limited": Text(zh="仅显示最近 {n} 条", en="Only the latest {n} are shown"),
    # admin
    "role": Text(zh="角色", en="Role"),
    "display_name": Text(zh="姓名", en="Name"),
    "created": Text(zh="创建时间", en="Created"),
    "disabled": Text(zh="已停用", en="Disabled"),
    "active": Text(zh="启用", en="Active"),
    "disable": Text(zh="停用", en="Disable"),
    "enable": Text(zh="启用", en="Enable"),
    "add_user": Text(zh="添加用户", en="Add a user"),
    "add": Text(zh="添加", en="Add"),
    "user_added": Text(zh="已添加用户 {name}", en="Added user {name}"),
    "self_disable": Text(zh="不能停用自己的账户", en="You cannot disable your own account"),
    "token_owner": Text(zh="归属", en="Owner"),
    "prefix": Text(zh="前缀", en="Prefix"),
    "last_used": Text(zh="最近使用", en="Last used"),
    "revoked": Text(zh="已吊销", en="Revoked"),
    "revoke": Text(zh="吊销", en="Revoke"),
    "new_token": Text(zh="新建令牌", en="New token"),
    "token_kind": Text(zh="令牌类型", en="Token kind"),
    "token_applicant": Text(zh="投保企业（报送报告）", en="Applicant (submits reports)"),
    "token_staff": Text(zh="员工（核保系统读取导出）", en="Staff (an underwriting system reads the exports)"),
    "token_for": Text(zh="投保企业标识或用户名", en="Applicant handle or user name"),
    "token_shown_once": Text(
        zh="令牌只显示这一次，请立即妥善保存；数据库中仅保存其哈希值：",
        en="The token is shown this once; keep it now. The database keeps only its hash:",
    ),
    "service_settings": Text(zh="服务设置（启动参数，只读）", en="Service settings (command-line options, read-only)"),
    "trust_store": Text(zh="信任库", en="Trust store"),
    "valid_until": Text(zh="有效期至", en="Valid until"),
    "keyid": Text(zh="密钥标识", en="Key id"),
    "applicant_schedule": Text(zh="投保企业报送周期", en="An applicant's check-in schedule"),
    "interval": Text(zh="报送间隔（如 12h、1d）", en="Interval (e.g. 12h, 1d)"),
    "grace": Text(zh="宽限时间（如 6h）", en="Grace (e.g. 6h)"),
    "save": Text(zh="保存", en="Save"),
    "saved": Text(zh="已保存", en="Saved"),
    "default": Text(zh="默认", en="default"),
    "default_interval": Text(zh="默认报送间隔", en="Default check-in interval"),
    "default_grace": Text(zh="默认宽限时间", en="Default grace"),
    "key_warn_days": Text(zh="签名密钥到期提前告警（天）", en="Warn before a signing key's trust ends (days)"),
    "rate_limit": Text(zh="每个令牌每分钟请求上限", en="Requests per token per minute"),
    "max_bytes": Text(zh="报告大小上限（字节）", en="Largest report (bytes)"),
    "database": Text(zh="数据库", en="Database"),
    "none": Text(zh="无", en="none"),
}

# check statuses (checks.model.Status values)
STATUSES: Dict[str, Text] = {
    "pass": Text(zh="通过", en="pass"),
    "fail": Text(zh="未通过", en="fail"),
    "not_applicable": Text(zh="不适用", en="not applicable"),
    "error": Text(zh="无法评估", en="error"),
    "manual": Text(zh="需人工核查", en="manual"),
}

# hard-fail states (report.underwriting HardFailEntry.state)
HARD_FAIL_STATES: Dict[str, Text] = {
    "open": Text(zh="存在", en="present"),
    "mitigable": Text(zh="存在（有补偿措施）", en="present (mitigable)"),
    "unknown": Text(zh="无法确认", en="unconfirmed"),
    "clear": Text(zh="未发现", en="not found"),
}

ALERT_KINDS: Dict[str, Text] = {
    "missed_checkin": Text(zh="未按时报送", en="Missed check-in"),
    "new_hard_fail": Text(zh="新增核保否决项", en="New hard-fail item"),
    "regression": Text(zh="回退", en="Regression"),
    "key_expiring": Text(zh="签名密钥即将到期", en="Signing key expiring"),
}

ROLES: Dict[str, Text] = {
    "viewer": Text(zh="只读", en="viewer"),
    "underwriter": Text(zh="核保员", en="underwriter"),
    "admin": Text(zh="管理员", en="admin"),
}

RECORD_STATUSES: Dict[str, Text] = {
    "accepted": Text(zh="已受理", en="accepted"),
    "rejected": Text(zh="未受理", en="rejected"),
}

OUTCOMES: Dict[str, Text] = {
    "valid": Text(zh="有效", en="valid"),
    "invalid": Text(zh="无效", en="invalid"),
    "policy_failed": Text(zh="不符合策略", en="outside the policy"),
    "unsupported": Text(zh="不支持", en="unsupported"),
}

SEVERITIES: Dict[str, Text] = {
    "critical": Text(zh="严重", en="critical"),
    "high": Text(zh="高", en="high"),
    "medium": Text(zh="中", en="medium"),
    "low": Text(zh="低", en="low"),
    "info": Text(zh="提示", en="info"),
}


def text(key: str, lang: str, **values: object) -> str:
    """The label ``key`` in ``lang``, with ``{name}`` fields filled in (a KeyError names a missing label)."""
    value = LABELS[key].get(lang)
    return value.format(**values) if values else value


def value_of(table: Mapping[str, Text], value: str, lang: str) -> str:
    """A stored value in ``lang``; an unknown value as it is (new values never break a page)."""
    found = table.get(value)
    return found.get(lang) if found is not None else value


def pick_lang(asked: str | None) -> str:
    return asked if asked in LANGS else DEFAULT_LANG


def duration(seconds: int, lang: str) -> str:
    """A duration in days, hours and minutes, the two largest units that are not zero."""
    units = ((86400, "天", "d"), (3600, "小时", "h"), (60, "分钟", "min"))
    parts: list[str] = []
    left = max(0, int(seconds))
    for size, zh, en in units:
        n, left = divmod(left, size)
        if n:
            parts.append(f"{n} {zh}" if lang == "zh" else f"{n} {en}")
    if not parts:
        return "0 分钟" if lang == "zh" else "0 min"
    return ("" if lang == "zh" else " ").join(parts[:2])


def alert_summary(kind: str, detail: Mapping[str, object], lang: str, item_label: Callable[[str], str]) -> str:
    """One line saying what an alert is about, from its stored detail (missing fields read as "-")."""

    def get(key: str) -> str:
        value = detail.get(key)
        return "-" if value is None else str(value)

    zh = lang == "zh"
    if kind == "missed_checkin":
        raw_s = detail.get("overdue_s")
        overdue = duration(raw_s if isinstance(raw_s, int) else 0, lang)
        if zh:
            return f"最近报送 {get('last_checkin')}，应于 {get('due')} 前报送，已超过 {overdue}"
        return f"last check-in {get('last_checkin')}, due {get('due')}, {overdue} late"
    if kind == "new_hard_fail":
        raw = detail.get("items")
        items = [item_label(str(i)) for i in raw] if isinstance(raw, list) else []
        return ("新增：" if zh else "new: ") + ("、" if zh else ", ").join(items)
    if kind == "regression":
        grade = detail.get("grade") if isinstance(detail.get("grade"), list) else [None, None]
        score = detail.get("score") if isinstance(detail.get("score"), list) else [None, None]
        checks = detail.get("regressed_checks") if isinstance(detail.get("regressed_checks"), list) else []
        assert isinstance(grade, list) and isinstance(score, list) and isinstance(checks, list)
        g = f"{grade[0] or '-'} → {grade[1] or '-'}" if len(grade) == 2 else "-"
        s = f"{score[0] if score[0] is not None else '-'} → {score[1] if score[1] is not None else '-'}" if len(score) == 2 else "-"
        listed = ", ".join(str(c) for c in checks[:10]) + (" …" if len(checks) > 10 else "")
        if zh:
            return f"风险评级 {g}，风险评分 {s}" + (f"；回退的检查项：{listed}" if checks else "")
        return f"rating {g}, risk score {s}" + (f"; regressed checks: {listed}" if checks else "")
    if kind == "key_expiring":
        expired = detail.get("expired") is True
        if zh:
            return f"签名方 {get('signer')} 的密钥" + (f"已于 {get('valid_until')} 到期" if expired else f"信任期至 {get('valid_until')}（剩余 {get('days_left')} 天）")
        return f"key of {get('signer')} " + (f"expired on {get('valid_until')}" if expired else f"trusted until {get('valid_until')} ({get('days_left')} day(s) left)")
    return ", ".join(f"{k}={v}" for k, v in sorted(detail.items()))
