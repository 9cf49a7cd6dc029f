"""The rectification plan (整改方案): what to change, current value → target value, owner and due date.

MLPS closes the loop 评估 → 整改方案 → 整改 → 测评; the plan is the middle step.
Failed checks are grouped by the configuration artefact a fix changes
(``report.artefacts``: one sshd_config task with its settings, one sysctl
task), per network target. Hard-fail items that no failed check settles
(a needs-review check, an unanswered question such as the incident-response
plan, an item no check covers) get a task each, and so does each area of
management measures the questionnaire answers "no" or leaves unknown. A task
names the checks that must pass and the answers that must change, so the next
assessment, compared with ``riskagent diff``, shows what was done.

The plan is built from the report alone plus a small settings object (the
config file's ``"plan"`` object), so it is pure and repeatable: integers and
strings only, like the report. It carries ids and values only; titles, steps,
notes and records come from the code tables when it is rendered
(:func:`describe`), so they never bloat the signed report.

Settings (all optional)::

    {"owners": {"backup": "Li Lei (ops)", "identity_mfa": "Han Meimei"},
     "default_owner": "IT security team",
     "sla_days": {"critical": 7, "high": 30, "medium": 90, "low": 180, "info": 365}}

``owners`` maps insurer domains (see ``checks.model.InsurerDomain``) to people;
a task goes to the owner of the first domain (of its worst check first) that
has one, else to ``default_owner``, else to ``"unassigned"``. ``sla_days``
overrides the default days-to-fix per severity (the defaults below); due =
``today`` + days.
"""

from __future__ import annotations

import datetime
import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

from checks.model import SEVERITIES, Finding, InsurerDomain, Severity, Status, Text
from collectors.strictjson import JSON, TextEnum
from report.artefact_values import settings_of
from report.artefacts import ARTEFACTS, LABELS, Setting, Step, artefact_of, label, render_steps, steps_of

if TYPE_CHECKING:
    from questionnaires.model import AnsweredQuestionnaire
    from report.model import Report
    from report.underwriting import HardFailView

__all__ = ["Plan", "PlanSettings", "Setting", "Task", "TaskKind", "build_plan", "describe", "plan_of_report", "validate_settings"]

PLAN_VERSION = "2"
# Days to fix per severity unless the settings say otherwise. A critical
# failure is usually also a hard-fail for binding, so a week; the rest follow
# common patch-SLA practice (30/90/180 days).
DEFAULT_SLA_DAYS: Dict[str, int] = {"critical": 7, "high": 30, "medium": 90, "low": 180, "info": 365}
UNASSIGNED = "unassigned"
SETTINGS_KEYS = ("owners", "default_owner", "sla_days")
RECENT_DAYS = 366  # a drill, test or exercise dated within a year counts as done


class TaskKind(TextEnum):
    ARTEFACT = "artefact"  # failed checks fixed by changing one configuration artefact
    CHECK = "check"  # a failed check no artefact table covers (fixed as its remediation says)
    HARD_FAIL = "hard_fail"  # a hard-fail item that no failed check settles: needs review, unanswered, not covered
    MEASURE = "measure"  # management measures of one questionnaire area answered "no" or left unknown


@dataclass(frozen=True)
class PlanSettings:
    """Who owns which insurer domain, and days to fix per severity (the configuration's ``plan`` object)."""

    sla_days: Dict[str, int]
    default_owner: Optional[str]
    owners: Dict[str, str]


@dataclass(frozen=True)
class PlanTarget:
    name: Optional[str]
    kind: Optional[str]
    os_family: Optional[str]  # "debian", "rhel", "unknown"; steps are given for this family only


@dataclass(frozen=True)
class PlanSummary:
    tasks: int
    high_risk: int
    by_kind: Dict[str, int]
    by_severity: Dict[str, int]
    by_owner: Dict[str, int]
    unassigned: int


@dataclass(frozen=True)
class Task:
    """One rectification task (整改任务).

    ``ref`` is what the task changes: an artefact id (``report.artefacts``), a check id, a hard-fail item
    id or a questionnaire section id, by ``kind``. It is done when every check in ``checks`` passes (on
    ``target``; None is the assessed host) and every question in ``questions`` has its target answer.
    """

    id: str
    kind: TaskKind
    ref: str
    target: Optional[str]
    checks: Tuple[str, ...]
    questions: Tuple[str, ...]
    settings: Tuple[Setting, ...]
    owner: str
    owner_basis: str
    severity: Severity
    sla_days: int
    due: str
    high_risk_cases: Tuple[str, ...]
    mlps: Tuple[str, ...]
    insurer_domains: Tuple[InsurerDomain, ...]


@dataclass(frozen=True)
class Plan:
    """The rectification plan (整改方案) of one report."""

    plan_version: str
    report_id: Optional[str]
    target: PlanTarget
    assessed_at: Optional[str]
    today: str
    settings: PlanSettings
    summary: PlanSummary
    tasks: Tuple[Task, ...]


SettingsInput = Union[Mapping[str, Any], PlanSettings, None]


def validate_settings(settings: SettingsInput) -> PlanSettings:
    """Check the plan settings and fill in defaults; ValueError names the bad field."""
    if settings is None:
        settings = {}
    if isinstance(settings, PlanSettings):
        return settings
    if not isinstance(settings, Mapping):
        raise ValueError("plan: expected an object")
    unknown = sorted(set(settings) - set(SETTINGS_KEYS))
    if unknown:
        raise ValueError(f"plan: unknown setting(s) {', '.join(unknown)}; known: {', '.join(SETTINGS_KEYS)}")
    owners = settings.get("owners", {})
    if not isinstance(owners, Mapping):
        raise ValueError("plan.owners: expected an object mapping insurer domains to people")
    domains = [d.value for d in InsurerDomain]
    for domain, person in owners.items():
        if domain not in domains:
            raise ValueError(f"plan.owners: unknown insurer domain {domain!r}; known: {', '.join(domains)}")
        if not isinstance(person, str) or not person.strip():
            raise ValueError(f"plan.owners.{domain}: expected a non-empty string (the person responsible)")
    default_owner = settings.get("default_owner")
    if default_owner is not None and (not isinstance(default_owner, str) or not default_owner.strip()):
        raise ValueError("plan.default_owner: expected a non-empty string")
    sla = settings.get("sla_days", {})
    if not isinstance(sla, Mapping):
        raise ValueError("plan.sla_days: expected an object mapping severities to days")
    days = dict(DEFAULT_SLA_DAYS)
    for sev, value in sla.items():
        if sev not in DEFAULT_SLA_DAYS:
            raise ValueError(f"plan.sla_days: unknown severity {sev!r}; known: {', '.join(SEVERITIES)}")
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"plan.sla_days.{sev}: expected a whole number of days, got {value!r}")
        if value < 0:
            raise ValueError(f"plan.sla_days.{sev}: days cannot be negative ({value})")
        days[sev] = value
    return PlanSettings(
        sla_days=days,
        default_owner=default_owner.strip() if isinstance(default_owner, str) else None,
        owners={str(k): str(v).strip() for k, v in owners.items()},
    )


def _parse_day(today: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(today)
    except (TypeError, ValueError):
        raise ValueError(f"today: expected a date YYYY-MM-DD, got {today!r}") from None


_ZH_SPLIT = re.compile(r"(?<=[；。])")
# Sentence ends and semicolons, but not inside "e.g." / "i.e." / "etc." or a version number.
_EN_SPLIT = re.compile(r"(?<=;)\s+|(?<!e\.g)(?<!i\.e)(?<!etc)\.\s+(?=[A-Z(])")


def split_steps(text: str, lang: str) -> List[str]:
    """Remediation text as a list of steps: one per sentence or semicolon clause."""
    if not text:
        return []
    parts = _ZH_SPLIT.split(text) if lang == "zh" else _EN_SPLIT.split(text)
    steps = []
    for p in parts:
        p = p.strip().rstrip("；;").strip()
        if lang == "en" and p:
            p = p[0].upper() + p[1:]
            if not p.endswith((".", "!", "?", ")")):
                p += "."
        if p and p not in ("。", "."):
            steps.append(p)
    return steps or [text.strip()]


def _owner(domains: Sequence[InsurerDomain], settings: PlanSettings) -> Tuple[str, str]:
    for d in domains:
        person = settings.owners.get(d.value)
        if person:
            return person, f"domain:{d.value}"
    if settings.default_owner:
        return settings.default_owner, "default"
    return UNASSIGNED, "none"


def _unique(items: Sequence[Any]) -> Tuple[Any, ...]:
    return tuple(dict.fromkeys(items))


# ------------------------------------------------------------------------------------------ hard fails and measures


@dataclass(frozen=True)
class HardFailAction:
    """What to do about a hard-fail item that no failed check settles."""

    objective: Text
    steps: Tuple[Step, ...]
    record: Optional[Text]
    domains: Tuple[InsurerDomain, ...]
    # A question whose answer settles an item no check covers, and the answer that does.
    question: Optional[Tuple[str, str]] = None


def _t(zh: str, en: str) -> Text:
    return Text(zh=zh, en=en)


_REVIEW = _t(
    "对下表中需人工核查或无法评估的检查项补充证据（以 root 运行评估，或人工核查后记录），然后重新评估",
    "Supply the evidence for the checks below that need review or could not be assessed (assess as root, or review by hand and record it), then assess again",
)
_ANSWER = _t(
    '核实后在问卷中如实填报（riskagent questionnaire answer --by "<姓名, 职务>"），并在下次评估时附上答案文件',
    'Once verified, answer the questions truthfully (riskagent questionnaire answer --by "<name, role>") and give the answers file to the next assessment',
)

HARD_FAIL_ACTIONS: Dict[str, HardFailAction] = {
    "no_mfa_remote_admin": HardFailAction(
        _t(
            "所有远程与管理访问都要求两种及以上鉴别因素",
            "Every remote and administrative access requires two or more authentication factors",
        ),
        (
            _t(
                "核实 SSH、VPN、堡垒机等所有远程管理入口均启用多因素认证",
                "Confirm that every remote administration entry (SSH, VPN, bastion host) enforces MFA",
            ),
        ),
        _t("多因素认证配置截图与登录日志样例", "MFA configuration screenshots and sample login logs"),
        (InsurerDomain.IDENTITY_MFA,),
    ),
    "exposed_high_risk_ports": HardFailAction(
        _t("高危端口不对外暴露", "No high-risk port is exposed"),
        (
            _t(
                "从外部对公网地址做端口扫描，核对安全组与边界防火墙策略",
                "Scan the public addresses from outside and review security groups and boundary firewall rules",
            ),
        ),
        _t("外部端口扫描结果", "External port scan results"),
        (InsurerDomain.EXPOSURE,),
    ),
    "plaintext_admin_protocols": HardFailAction(
        _t("不使用明文协议进行远程管理", "No plaintext protocol is used for remote administration"),
        (
            _t(
                "核对所有主机与网络设备的管理协议，停用 Telnet、FTP、rsh 等明文协议",
                "Review the management protocols of all hosts and network devices and turn off Telnet, FTP, rsh and the like",
            ),
        ),
        _t("服务与端口核查记录", "Service and port review record"),
        (InsurerDomain.EXPOSURE,),
    ),
    "internet_exploitable_vuln": HardFailAction(
        _t(
            "互联网可访问的系统上没有已被在野利用的漏洞（如 CISA KEV 收录的漏洞）",
            "Internet-facing systems have no vulnerability known to be exploited in the wild (e.g. listed in CISA KEV)",
        ),
        (
            _t(
                "对互联网暴露资产做漏洞扫描，并与 CISA KEV 或国家漏洞库的在野利用清单比对",
                "Scan the internet-facing assets for vulnerabilities and compare the results with CISA KEV or the national vulnerability database's exploited list",
            ),
            _t("修复或缓解发现的漏洞", "Fix or mitigate what is found"),
        ),
        _t("漏洞扫描报告与修复记录", "Vulnerability scan report and fix record"),
        (InsurerDomain.PATCHING,),
        ("PT-08", "0"),
    ),
    "no_av_edr": HardFailAction(
        _t("已部署防恶意代码或 EDR，特征库有效", "Anti-malware or EDR is deployed with current signatures"),
        (
            _t(
                "在 EDR 控制台核实本机在线、策略生效",
                "Confirm in the EDR console that this host is online and its policy applies",
            ),
        ),
        _t("EDR 控制台中本机状态截图", "Screenshot of this host's status in the EDR console"),
        (InsurerDomain.ENDPOINT_PROTECTION,),
    ),
    "no_backup": HardFailAction(
        _t(
            "重要数据有离开本机的定期备份，且不存放在互联网网盘",
            "Important data has regular backups off this host, none on an internet net-disk",
        ),
        (
            _t(
                "核实备份作业、备份目的地与最近一次恢复测试",
                "Confirm the backup jobs, their destination and the latest restore test",
            ),
        ),
        _t(
            "备份作业日志（最近一次成功运行）与恢复测试记录",
            "Backup job log (the latest successful run) and a restore test record",
        ),
        (InsurerDomain.BACKUP,),
    ),
    "log_retention_short": HardFailAction(
        _t("安全日志至少保留六个月", "Security logs are kept for at least six months"),
        (
            _t(
                "核实本机 logrotate 与日志服务器的留存周期",
                "Confirm the retention of logrotate on the host and of the log server",
            ),
        ),
        _t(
            "日志存储配置（logrotate 保留周期、日志服务器的保留策略）导出或截图",
            "Log storage configuration (logrotate retention, the log server's retention policy), exported or as a screenshot",
        ),
        (InsurerDomain.LOGGING,),
    ),
    "weak_passwords": HardFailAction(
        _t("确认不存在空口令、弱口令和多人共用口令的账户", "No account has an empty, weak or shared password"),
        (
            _t(
                "对所有可登录账户做口令核查（用弱口令字典离线核对口令散列，或由账户责任人逐一确认），共用账户改为个人账户",
                "Audit the passwords of every account that can log in (check the hashes offline against a weak-password list, or have "
                "each account's owner confirm), and replace shared accounts with personal ones",
            ),
        ),
        _t("口令核查记录（范围、方法、结果与处置）", "Password audit record (scope, method, results and actions)"),
        (InsurerDomain.IDENTITY_MFA,),
    ),
    "db_as_root": HardFailAction(
        _t("数据库与中间件不以超级管理员身份运行", "Databases and middleware do not run as the super-administrator"),
        (_t("核实数据库与中间件进程的运行账户", "Check the accounts the database and middleware processes run as"),),
        _t("进程运行账户核查记录", "Record of the run-as account review"),
        (InsurerDomain.PRIVILEGED_ACCESS,),
    ),
    "no_ir_plan": HardFailAction(
        _t("制定并发布经批准的网络安全事件应急预案", "An approved cyber incident response plan is in force"),
        (
            _t(
                "参照 GB/T 24363 编制网络安全事件应急预案：事件分级、处置流程、职责与联系人、报告时限（含向监管与保险公司报告），经管理层批准后发布",
                "Write a cyber incident response plan (following GB/T 24363): incident levels, procedures, roles and contacts, "
                "reporting deadlines (regulators and the insurer included); have management approve and publish it",
            ),
        ),
        _t(
            "经批准的应急预案（版本号、批准日期、批准人）",
            "The approved incident response plan (version, approval date, approver)",
        ),
        (),
    ),
    "no_ir_drill": HardFailAction(
        _t("一年内至少开展一次网络安全应急演练", "A cyber incident exercise is held at least once a year"),
        (
            _t(
                "按预案组织演练（如勒索软件场景的桌面推演或实战演练），记录发现的问题并跟踪整改",
                "Run an exercise from the plan (e.g. a ransomware tabletop or live drill), record what it finds and follow up",
            ),
        ),
        _t(
            "演练记录/演练纪要（方案、参与人员、过程、发现与改进项）",
            "Drill minutes (scenario, participants, course of events, findings and follow-ups)",
        ),
        (),
    ),
}


@dataclass(frozen=True)
class MeasureArea:
    """A questionnaire section's management measures: what putting them in place means."""

    label: Text
    objective: Text
    steps: Tuple[Step, ...]
    record: Optional[Text]
    severity: Severity = Severity.MEDIUM
    # The area applies only when this question has this answer (the industrial measures, to a host with industrial systems).
    applies_if: Optional[Tuple[str, str]] = None


MEASURE_AREAS: Dict[str, MeasureArea] = {
    "identity": MeasureArea(
        _t("管理措施：身份鉴别与多因素认证", "Management measures: identity and MFA"),
        _t("所有邮箱访问都强制多因素认证", "Every e-mail access requires MFA"),
        (
            _t(
                "为网页邮箱、邮件客户端和移动端启用多因素认证，关闭只支持基本认证的旧协议",
                "Turn on MFA for webmail, mail clients and mobile access, and turn off legacy basic-auth protocols",
            ),
        ),
        _t("邮箱多因素认证策略截图", "Screenshot of the mailbox MFA policy"),
        Severity.HIGH,
    ),
    "privileged": MeasureArea(
        _t("管理措施：特权访问管理", "Management measures: privileged access"),
        _t(
            "运维访问经堡垒机管控并录像，各服务器本地管理员口令互不相同",
            "Administrative access goes through a bastion host with session recording, and local admin passwords differ per server",
        ),
        (
            _t(
                "部署堡垒机或特权访问管理系统，运维会话全程录像",
                "Deploy a bastion host or privileged access management with recorded sessions",
            ),
            _t(
                "用口令保管库为每台服务器设置不同的本地管理员口令并定期轮换",
                "Give every server its own local admin password from a vault, rotated regularly",
            ),
        ),
        _t("堡垒机访问策略与会话审计记录", "Bastion access policy and session audit records"),
    ),
    "passwords": MeasureArea(
        _t("管理措施：账户生命周期", "Management measures: account lifecycle"),
        _t(
            "离职或转岗人员的账户及时停用，闲置账户定期清理",
            "Accounts of leavers and movers are disabled promptly and idle accounts are removed regularly",
        ),
        (
            _t(
                "建立账户开通、变更、停用流程，与人事离职流程联动",
                "Set up a joiner/mover/leaver process for accounts, linked to HR's leaving process",
            ),
        ),
        _t("账户清理记录", "Account review records"),
    ),
    "endpoint": MeasureArea(
        _t("管理措施：终端检测与响应的监控", "Management measures: monitoring of endpoint alerts"),
        _t(
            "EDR 告警由安全运营中心或 MDR 服务 7×24 小时监控",
            "EDR alerts are watched around the clock by a SOC or an MDR service",
        ),
        (
            _t(
                "指定 7×24 小时处理 EDR 告警的团队或服务商，并约定响应时限",
                "Name the team or provider that handles EDR alerts 24/7 and agree response times",
            ),
        ),
        _t("监控服务合同或值班表", "Monitoring contract or on-call rota"),
    ),
    "patching": MeasureArea(
        _t("管理措施：漏洞扫描与渗透测试", "Management measures: vulnerability scanning and penetration testing"),
        _t(
            "定期开展内外部漏洞扫描，每年至少一次渗透测试",
            "Internal and external vulnerability scans run regularly and a penetration test is done at least yearly",
        ),
        (
            _t(
                "至少每月做一次内外部漏洞扫描，每年做一次渗透测试，并跟踪修复",
                "Scan internally and externally at least monthly, test once a year, and track the fixes",
            ),
        ),
        _t("漏洞扫描与渗透测试报告", "Vulnerability scan and penetration test reports"),
    ),
    "exposure": MeasureArea(
        _t("管理措施：边界防护", "Management measures: perimeter protection"),
        _t("Web 应用前有 WAF、入侵防御或抗 DDoS 防护", "Web applications sit behind a WAF, IPS or DDoS protection"),
        (
            _t(
                "为对外 Web 应用部署 WAF/IPS 或云防护服务",
                "Put the public web applications behind a WAF/IPS or a cloud protection service",
            ),
        ),
        None,
    ),
    "segmentation": MeasureArea(
        _t("管理措施：网络隔离", "Management measures: network segmentation"),
        _t(
            "生产网、办公网、DMZ 以及 IT 与 OT 之间有访问控制",
            "Production, office, DMZ and IT/OT networks are separated by access control",
        ),
        (_t("划分安全域并在域间部署访问控制策略", "Define security zones and enforce access control between them"),),
        _t("网络拓扑与区域访问控制策略", "Network diagram and inter-zone access policy"),
    ),
    "encryption": MeasureArea(
        _t("管理措施：存储加密", "Management measures: encryption at rest"),
        _t("服务器磁盘与存有个人信息的数据库加密存储", "Server disks and databases with personal information are encrypted"),
        (
            _t(
                "为磁盘启用全盘加密（如 LUKS），为含个人信息的数据库启用透明加密或字段加密",
                "Encrypt disks (e.g. LUKS) and turn on transparent or field encryption for databases with personal information",
            ),
        ),
        None,
    ),
    "email": MeasureArea(
        _t("管理措施：邮件安全", "Management measures: e-mail authentication"),
        _t(
            "邮件域名发布 SPF，外发邮件 DKIM 签名，DMARC 策略为 quarantine 或 reject",
            "The mail domain publishes SPF, outgoing mail is DKIM-signed and DMARC is quarantine or reject",
        ),
        (
            _t(
                "在 DNS 中发布 SPF、DKIM 与 DMARC 记录，DMARC 逐步收紧到 p=quarantine 或 p=reject",
                "Publish SPF, DKIM and DMARC records in DNS and tighten DMARC to p=quarantine or p=reject",
            ),
        ),
        None,
    ),
    "backup": MeasureArea(
        _t("管理措施：备份与恢复", "Management measures: backup and recovery"),
        _t(
            "保留离线或不可篡改的备份副本，每年至少一次恢复演练，重要数据异地备份，备份系统与生产身份域隔离",
            "An offline or immutable copy exists, restores are rehearsed at least yearly, important data has an off-site copy, and "
            "the backup system is outside the production identity domain",
        ),
        (
            _t("增加离线或不可篡改（对象锁定）的备份副本", "Add an offline or immutable (object-lock) backup copy"),
            _t("每年至少做一次恢复演练，记录恢复时间", "Rehearse a restore at least yearly and record how long it took"),
            _t(
                "备份系统使用独立凭据与多因素认证，不加入生产域",
                "Give the backup system its own credentials and MFA, outside the production domain",
            ),
        ),
        _t(
            "备份作业日志（最近一次成功运行）与恢复测试记录",
            "Backup job log (the latest successful run) and a restore test record",
        ),
        Severity.HIGH,
    ),
    "response": MeasureArea(
        _t("管理措施：安全意识与付款核实", "Management measures: awareness and payment verification"),
        _t(
            "定期开展安全意识培训与钓鱼演练，收款信息变更经独立渠道核实",
            "Awareness training and phishing exercises run regularly, and changed payment details are verified out of band",
        ),
        (
            _t(
                "至少每半年开展一次安全意识培训与钓鱼演练", "Run awareness training and a phishing exercise at least twice a year"
            ),
            _t(
                "对外付款的收款信息变更一律电话回拨核实", "Verify every change of payee details by calling back on a known number"
            ),
        ),
        _t("培训签到与钓鱼演练结果", "Training attendance and phishing exercise results"),
    ),
    "third_party": MeasureArea(
        _t("管理措施：第三方访问", "Management measures: third-party access"),
        _t(
            "供应商与外包人员的远程访问经审批、多因素认证并限时开放",
            "Vendors' and outsourcers' remote access is approved, uses MFA and is time-limited",
        ),
        (
            _t(
                "第三方远程访问走审批流程，经堡垒机、多因素认证并限时开放",
                "Run third-party remote access through approval, the bastion host, MFA and time limits",
            ),
        ),
        _t("第三方访问审批记录", "Third-party access approvals"),
    ),
    "mlps": MeasureArea(
        _t("管理措施：等级测评", "Management measures: MLPS testing"),
        _t(
            "按定级要求按期开展等级测评并整改问题",
            "MLPS tests are held on schedule for the system's level and their findings are fixed",
        ),
        (
            _t(
                "委托测评机构开展等级测评（第三级每年一次），并整改测评发现的高风险问题",
                "Commission an MLPS test (yearly at level 3) and fix the high-risk findings",
            ),
        ),
        _t("等级测评报告", "The MLPS test report"),
    ),
    "data": MeasureArea(
        _t("管理措施：数据与个人信息", "Management measures: data and personal information"),
        _t(
            "数据分类分级，重要数据和个人信息有防泄漏措施，数据出境依法办理",
            "Data is classified, important data and personal information are protected against leaks, and cross-border transfers follow the law",
        ),
        (
            _t(
                "编制数据资产清单并完成数据分类分级，对重要数据和个人信息部署防泄漏（DLP）措施",
                "Inventory the data, classify it, and put leak prevention (DLP) on important data and personal information",
            ),
            _t(
                "数据出境前完成安全评估、标准合同备案或个人信息保护认证",
                "Before data leaves the country, complete the security assessment, standard contract filing or certification",
            ),
        ),
        _t("数据分类分级清单与出境评估材料", "The data classification register and cross-border transfer records"),
    ),
    "governance": MeasureArea(
        _t("管理措施：安全管理制度、机构与人员", "Management measures: security policies, organisation and staff"),
        _t(
            "有成文的安全管理制度、明确的安全管理机构和负责人，外部人员接入受控，采购的安全产品合规",
            "Written security policies, a named security organisation and officer, controlled access by outsiders, and compliant security products",
        ),
        (
            _t(
                "制定并发布网络安全管理制度，设立安全管理机构并任命负责人",
                "Issue security policies, set up the security organisation and appoint its head",
            ),
            _t(
                "外部人员接入须审批、登记并全程受控；采购具备销售许可或认证的安全产品；维护资产清单",
                "Approve, register and supervise access by outsiders; buy certified security products; keep the asset inventory current",
            ),
        ),
        _t("管理制度文件、任命文件、外部人员接入登记与资产清单", "Policy documents, appointments, the register of outsider access and the asset inventory"),
        Severity.HIGH,
    ),
    "ics": MeasureArea(
        _t("管理措施：工控与车联网", "Management measures: industrial control and telematics"),
        _t(
            "工控网与企业网单向隔离，OTA 升级包签名验证",
            "The industrial network is one-way separated from the enterprise network and OTA packages are signature-checked",
        ),
        (
            _t(
                "在 IT/OT 边界部署单向隔离（网闸）；对 OTA 包签名并在设备端验证",
                "Put a one-way gateway on the IT/OT boundary; sign OTA packages and verify them on the device",
            ),
        ),
        None,
        applies_if=("OT-01", "yes"),
    ),
}
MEASURE_RISK_ELEMENT = "已有安全措施"  # GB/T 20984 risk element of questions that ask whether a measure is in place
NOT_MEASURES = frozenset({"HI-03"})  # "ever insured before": a fact about the applicant, not a measure
POOR_CHOICES = frozenset({"none", "not_published", "less_often", "not_assessed", "poor"})


@functools.lru_cache(maxsize=1)
def _hard_fail_specs() -> Dict[str, Any]:
    from report.underwriting import load_weights

    return {s.id: s for s in load_weights().hard_fail}


def _answer_value(value: JSON) -> str:
    if value is None:
        return "#unknown"
    text = str(value)
    return f"#{text}" if f"#{text}" in LABELS else text


def _hard_fail_tasks(
    hard_fail: HardFailView, questionnaire: Optional[AnsweredQuestionnaire]
) -> List[Tuple[str, Tuple[str, ...], Tuple[str, ...], Tuple[Setting, ...], Tuple[str, ...]]]:
    """(item id, checks, questions, settings, high-risk cases) of each hard-fail item no failed check settles."""
    from report.underwriting import AnswerState, CheckState

    specs = _hard_fail_specs()
    out = []
    for entry in hard_fail.entries:
        if entry.state == "clear":
            continue
        spec = specs.get(entry.id)
        checks: List[str] = []
        questions: List[str] = []
        settings: List[Setting] = []
        states = [e for e in entry.evidence if isinstance(e, CheckState)]
        for e in states:
            if e.status in (Status.MANUAL, Status.ERROR):
                checks.append(e.check_id)
                settings.append(Setting(e.check_id, e.check_id, f"#{e.status.value}", "#pass"))
        if entry.checks and not states:  # nothing in this report could judge the item
            for cid in entry.checks:
                checks.append(cid)
                settings.append(Setting(cid, cid, "#not_assessed", "#pass"))
        for a in entry.evidence:
            if isinstance(a, AnswerState) and spec is not None and spec.question is not None:
                target = _question_target(spec.question)
                value = a.value if a.basis not in ("unknown", "missing") else None
                if not _answer_meets(value, target, a.age_days):
                    questions.append(a.question)
                    settings.append(Setting(a.question, a.question, _answer_value(value), target))
        if checks or questions:
            out.append((entry.id, _unique(checks), _unique(questions), tuple(settings), entry.high_risk_cases))
    for nc in hard_fail.not_covered:
        action = HARD_FAIL_ACTIONS.get(nc.id)
        if action is not None and action.question is not None:
            qid, target = action.question
            answer = questionnaire.answer(qid) if questionnaire is not None else None
            value = answer.value if answer is not None and str(answer.basis) != "unknown" else None
            if not _answer_meets(value, target, None):
                out.append((nc.id, (), (qid,), (Setting(qid, qid, _answer_value(value), target),), ()))
        elif action is None or action.question is None:
            out.append((nc.id, (), (), (Setting(nc.id, nc.id, "#not_assessed", "#pass"),), ()))
    return out


def _question_target(question: Any) -> str:
    """The answer that clears a hard-fail question: the other yes/no, or a recent date."""
    if question.kind == "date_within_days":
        return f"#within:{question.max_age_days or RECENT_DAYS}"
    return "#yes" if (question.fail_value or "no") == "no" else "#no"


def _answer_meets(value: JSON, target: str, age_days: Optional[int], today: Optional[datetime.date] = None) -> bool:
    """Whether an answer value meets a target ('#yes', '#no', '#within:N', '#adequate' or a literal)."""
    if value is None or value == "":
        return False
    if target.startswith("#within:"):
        limit = int(target[8:])
        if age_days is not None:
            return age_days <= limit
        if today is None:
            return False
        try:
            when = datetime.date.fromisoformat(str(value))
        except ValueError:
            return False
        return 0 <= (today - when).days <= limit
    if target == "#adequate":
        return str(value) not in POOR_CHOICES
    if target.startswith("#"):
        return str(value) == target[1:]
    return str(value) == target


def _measures(
    questionnaire: AnsweredQuestionnaire, skip: Sequence[str], today: Optional[datetime.date]
) -> Dict[str, Tuple[List[str], List[Setting], List[InsurerDomain], List[str]]]:
    """Management measures answered "no" or left unknown, by questionnaire section: questions, settings, domains, MLPS units."""
    areas: Dict[str, Tuple[List[str], List[Setting], List[InsurerDomain], List[str]]] = {}
    domains = {d.value: d for d in InsurerDomain}
    for section_id, q in _definition_questions(questionnaire.definition):
        qid, kind, rule = str(q.get("id")), q.get("type"), q.get("rule")
        if qid in skip or qid in NOT_MEASURES or q.get("risk_element") != MEASURE_RISK_ELEMENT:
            continue
        if not (isinstance(rule, Mapping) and rule.get("attest")) or kind not in ("yes_no", "date", "enum"):
            continue
        answer = questionnaire.answer(qid)
        value = answer.value if answer is not None and str(answer.basis) != "unknown" else None
        target = {"yes_no": "#yes", "date": f"#within:{RECENT_DAYS}", "enum": "#adequate"}[str(kind)]
        if value == "not_applicable" or _answer_meets(value, target, None, today):
            continue
        questions, settings, doms, units = areas.setdefault(section_id, ([], [], [], []))
        questions.append(qid)
        settings.append(Setting(qid, qid, _answer_value(value), target))
        if isinstance(q.get("domain"), str) and q["domain"] in domains and domains[q["domain"]] not in doms:
            doms.append(domains[q["domain"]])
        mlps = q.get("mlps")
        units.extend(str(u) for u in (mlps if isinstance(mlps, list) else ()) if str(u) not in units)
    return areas


def _definition_questions(definition: Mapping[str, JSON]) -> List[Tuple[str, Mapping[str, Any]]]:
    """(section id, question object) of a questionnaire definition as embedded in a report, in order."""
    out: List[Tuple[str, Mapping[str, Any]]] = []
    sections = definition.get("sections") if isinstance(definition, Mapping) else None
    for section in sections if isinstance(sections, list) else ():
        if not isinstance(section, Mapping):
            continue
        for q in section.get("questions") or ():
            if isinstance(q, Mapping) and isinstance(q.get("id"), str):
                out.append((str(section.get("id")), q))
    return out


def question_texts(definition: Optional[Mapping[str, JSON]]) -> Dict[str, Text]:
    """Question id -> text, from an embedded questionnaire definition (the built-in questionnaire's by default)."""
    if definition is None:
        return _builtin_question_texts()
    out: Dict[str, Text] = {}
    for _, q in _definition_questions(definition):
        text = q.get("text")
        if isinstance(text, Mapping) and isinstance(text.get("zh"), str) and isinstance(text.get("en"), str):
            out[str(q["id"])] = Text(zh=text["zh"], en=text["en"])
    return out


@functools.lru_cache(maxsize=1)
def _builtin_question_texts() -> Dict[str, Text]:
    from questionnaires.loader import load_questionnaire

    return {q.id: q.text for q in load_questionnaire(None).questions}


# ------------------------------------------------------------------------------------------ building


def build_plan(
    findings: Sequence[Finding],
    settings: SettingsInput,
    today: str,
    *,
    report_id: Optional[str] = None,
    target_name: Optional[str] = None,
    target_kind: Optional[str] = None,
    assessed_at: Optional[str] = None,
    os_family: Optional[str] = None,
    hard_fail: Optional[HardFailView] = None,
    questionnaire: Optional[AnsweredQuestionnaire] = None,
) -> Plan:
    """The rectification plan: failed findings grouped by artefact and target, plus the hard-fail items and
    management measures they leave open; due dates counted from ``today``."""
    cfg = validate_settings(settings)
    day = _parse_day(today)
    family = os_family if os_family in ("debian", "rhel") else None
    groups: Dict[Tuple[str, Optional[str]], List[Finding]] = {}
    for f in findings:
        if f.status is Status.FAIL:
            groups.setdefault((artefact_of(f.check_id) or f"check:{f.check_id}", f.target), []).append(f)
    endpoints = sorted({t for _, t in groups if t is not None})
    tasks: List[Task] = []

    def add(
        id: str,
        kind: TaskKind,
        ref: str,
        target: Optional[str],
        checks: Sequence[str],
        questions: Sequence[str],
        values: Sequence[Setting],
        severity: Severity,
        domains: Sequence[InsurerDomain],
        cases: Sequence[str],
        units: Sequence[str],
    ) -> None:
        owner, basis = _owner(domains, cfg)
        days = cfg.sla_days[severity.value]
        tasks.append(
            Task(
                id=id,
                kind=kind,
                ref=ref,
                target=target,
                checks=tuple(checks),
                questions=tuple(questions),
                settings=tuple(values),
                owner=owner,
                owner_basis=basis,
                severity=severity,
                sla_days=days,
                due=(day + datetime.timedelta(days=days)).isoformat(),
                high_risk_cases=_unique(cases),
                mlps=_unique(units),
                insurer_domains=_unique(domains),
            )
        )

    for (ref, target), group in groups.items():
        group.sort(key=lambda f: f.check_id)
        worst = sorted(group, key=lambda f: (-f.severity.rank, f.check_id))
        values: Dict[str, Setting] = {}
        for f in group:
            for s in settings_of(f, family):
                values.setdefault(s.name, s)
        kind, name = (TaskKind.CHECK, ref[6:]) if ref.startswith("check:") else (TaskKind.ARTEFACT, ref)
        suffix = "" if target is None else f"-{endpoints.index(target) + 1}"
        add(
            f"T-{name.replace('_', '-')}{suffix}",
            kind,
            name,
            target,
            _unique([f.check_id for f in group]),
            (),
            list(values.values()),
            worst[0].severity,
            [d for f in worst for d in f.insurer_domains],
            [f.high_risk_case for f in worst if f.high_risk_case],
            [m.unit for f in group for m in f.mlps],
        )
    answered: List[str] = []
    if hard_fail is not None:
        for item, checks, questions, values_, cases in _hard_fail_tasks(hard_fail, questionnaire):
            action = HARD_FAIL_ACTIONS.get(item)
            answered.extend(questions)
            add(
                f"T-HF-{item.replace('_', '-')}",
                TaskKind.HARD_FAIL,
                item,
                None,
                checks,
                questions,
                values_,
                Severity.CRITICAL,
                action.domains if action else (),
                cases,
                (),
            )
        answered.extend(s.question.id for s in _hard_fail_specs().values() if s.question is not None)
    if questionnaire is not None:
        run_day = _run_day(assessed_at) or day
        for section, (m_questions, m_values, domains, units) in _measures(questionnaire, answered, run_day).items():
            area = MEASURE_AREAS.get(section)
            if area is not None and area.applies_if is not None:
                qid, value = area.applies_if
                answer = questionnaire.answer(qid)
                if answer is None or answer.value != value:
                    continue
            add(
                f"T-M-{section.replace('_', '-')}",
                TaskKind.MEASURE,
                section,
                None,
                (),
                m_questions,
                m_values,
                area.severity if area else Severity.MEDIUM,
                domains,
                (),
                units,
            )
    tasks.sort(key=lambda t: (t.due, -t.severity.rank, t.id))
    by_owner: Dict[str, int] = {}
    for t in tasks:
        by_owner[t.owner] = by_owner.get(t.owner, 0) + 1
    return Plan(
        plan_version=PLAN_VERSION,
        report_id=report_id,
        target=PlanTarget(target_name, target_kind, os_family),
        assessed_at=assessed_at,
        today=day.isoformat(),
        settings=cfg,
        summary=PlanSummary(
            tasks=len(tasks),
            high_risk=sum(1 for t in tasks if t.high_risk_cases),
            by_kind={k.value: sum(1 for t in tasks if t.kind is k) for k in TaskKind},
            by_severity={s.value: sum(1 for t in tasks if t.severity is s) for s in Severity},
            by_owner=dict(sorted(by_owner.items())),
            unassigned=by_owner.get(UNASSIGNED, 0),
        ),
        tasks=tuple(tasks),
    )


def _run_day(started_at: Optional[str]) -> Optional[datetime.date]:
    try:
        return datetime.date.fromisoformat((started_at or "")[:10])
    except ValueError:
        return None


def plan_of_report(report: Report, settings: SettingsInput, today: str) -> Plan:
    """The plan of a whole report: its findings, OS family, hard-fail view and answered questionnaire."""
    return build_plan(
        report.findings,
        settings,
        today,
        report_id=report.report_id,
        target_name=report.target.name,
        target_kind=report.target.kind,
        assessed_at=report.run.started_at,
        os_family=report.target.os_family,
        hard_fail=report.underwriting.hard_fail if report.underwriting is not None else None,
        questionnaire=report.questionnaire,
    )


# ------------------------------------------------------------------------------------------ progress


def task_done(task: Task, report: Report) -> bool:
    """Whether a later report shows the task done: its checks pass there and its answers are the target ones.

    An artefact or check task looks at its own target; a hard-fail task at every finding of its checks
    (at least one must be there). A task with neither checks nor questions is done when the report's
    hard-fail item of that id is clear.
    """
    by_check: Dict[str, List[Finding]] = {}
    for f in report.findings:
        by_check.setdefault(f.check_id, []).append(f)
    for cid in task.checks:
        found = by_check.get(cid, [])
        if task.kind in (TaskKind.ARTEFACT, TaskKind.CHECK):
            found = [f for f in found if f.target == task.target]
        if not found or any(f.status is not Status.PASS for f in found):
            return False
    targets = {s.ref: s.target for s in task.settings}
    today = _run_day(report.run.started_at)
    for qid in task.questions:
        answer = report.questionnaire.answer(qid) if report.questionnaire is not None else None
        if (
            answer is None
            or str(answer.basis) == "unknown"
            or not _answer_meets(answer.value, targets.get(qid, "#yes"), None, today)
        ):
            return False
    if not task.checks and not task.questions:
        view = report.underwriting
        return view is not None and any(e.id == task.ref and e.state == "clear" for e in view.hard_fail.entries)
    return True


# ------------------------------------------------------------------------------------------ rendering


@dataclass(frozen=True)
class TaskText:
    """A task in words, in one language: filled from the code tables when the plan is shown."""

    title: str
    objective: str
    settings: Tuple[Tuple[str, str, str], ...]  # (name, current, target)
    steps: Tuple[str, ...]
    verification: Tuple[str, ...]
    record: Optional[str]
    notes: Tuple[str, ...]


_VERIFY = {"zh": "复测 {check}{at} = 通过", "en": "Re-assess {check}{at} = pass"}
_CHECK_SEP = {"zh": "、", "en": ", "}
_ANSWERED = {"zh": "问卷 {q} = {value}", "en": "Questionnaire {q} = {value}"}
_HF_TITLE = {"zh": "核保否决项：{label}", "en": "Hard-fail item: {label}"}


def _check_titles() -> Dict[str, Text]:
    from checks.catalogue import all_checks

    return {cid: c.meta.title for cid, c in all_checks().items()}


def describe_ref(kind: str, ref: str, lang: str) -> str:
    """A task's title from its kind and ref alone (for lists of tasks, such as a diff's progress)."""
    if kind == TaskKind.ARTEFACT.value and ref in ARTEFACTS:
        return ARTEFACTS[ref].label.get(lang)
    if kind == TaskKind.HARD_FAIL.value:
        spec = _hard_fail_specs().get(ref)
        return _HF_TITLE[lang].format(label=spec.label.get(lang) if spec else ref)
    if kind == TaskKind.MEASURE.value:
        area = MEASURE_AREAS.get(ref)
        return area.label.get(lang) if area else _t(f"管理措施：{ref}", f"Management measures: {ref}").get(lang)
    titles = _check_titles()
    return titles[ref].get(lang) if ref in titles else ref


def describe(plan: Plan, task: Task, lang: str, questions: Optional[Mapping[str, Text]] = None) -> TaskText:
    """The words of a task in ``lang``: title, outcome, settings, steps for the plan's OS family, verification."""
    titles = _check_titles()
    texts = questions if questions is not None else _builtin_question_texts()
    family = plan.target.os_family

    def name_of(s: Setting) -> str:
        if s.name == s.ref and s.ref in titles:
            return f"{s.ref} {titles[s.ref].get(lang)}"
        if s.name == s.ref and s.ref in texts:
            return f"{s.ref} {texts[s.ref].get(lang)}"
        return label(s.name, lang)

    steps: List[Step] = []
    record: Optional[Text] = None
    notes: Tuple[Step, ...] = ()
    if task.kind in (TaskKind.ARTEFACT, TaskKind.CHECK):
        art = ARTEFACTS.get(task.ref) if task.kind is TaskKind.ARTEFACT else None
        title = describe_ref(task.kind.value, task.ref, lang)
        objective = art.objective.get(lang) if art else title
        steps = steps_of(task.ref if art else None, task.checks, bool(task.settings))
        if art:
            record, notes = art.record, art.notes
    elif task.kind is TaskKind.HARD_FAIL:
        action = HARD_FAIL_ACTIONS.get(task.ref)
        title = describe_ref(task.kind.value, task.ref, lang)
        objective = action.objective.get(lang) if action else title
        steps = [*(action.steps if action else ()), *([_REVIEW] if task.checks else []), *([_ANSWER] if task.questions else [])]
        record = action.record if action else None
    else:
        area = MEASURE_AREAS.get(task.ref)
        title = describe_ref(task.kind.value, task.ref, lang)
        objective = area.objective.get(lang) if area else title
        steps = [*(area.steps if area else ()), _ANSWER]
        record = area.record if area else None
    at = f" @ {task.target}" if task.target is not None else ""
    verification = [_VERIFY[lang].format(check=_CHECK_SEP[lang].join(task.checks), at=at)] if task.checks else []
    targets = {s.ref: s.target for s in task.settings}
    verification += [_ANSWERED[lang].format(q=qid, value=label(targets.get(qid, "#yes"), lang)) for qid in task.questions]
    return TaskText(
        title=title,
        objective=objective,
        settings=tuple((name_of(s), label(s.current, lang), label(s.target, lang)) for s in task.settings),
        steps=tuple(render_steps(steps, family, lang, split_steps)),
        verification=tuple(verification),
        record=record.get(lang) if record else None,
        notes=tuple(render_steps(notes, family, lang, lambda text, _: [text], heading=False)),
    )
