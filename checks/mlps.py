"""MLPS 2.0 test units (GB/T 28448-2019) of the technical layers the agent covers, with the GB/T 22239-2019 requirement of each.

Unit ids follow ``L{level}-{layer}{n}-{nn}``: GB/T 28448 numbers the
level-3 technical test units of each layer in the order of the GB/T 22239
clauses, one unit per lettered requirement. So within 安全管理中心 (SMC1),
系统管理 a–b are 01–02, 审计管理 a–b 03–04, 安全管理 a–b 05–06 and
集中管控 a–f 07–12; within 安全计算环境 (CES1) the units run 01–35 and
L3-CES1-16 does not exist.

Every level-3 unit of the general requirements (安全通用要求, 8.1.2–8.1.5) of
安全通信网络, 安全区域边界, 安全计算环境 and 安全管理中心 is listed, whether a
check speaks to it or not, so the 测评 view can name what the agent does not
assess. Of the extensions (物联网 8.4, 工业控制系统 8.5) only the units the
agent maps to are listed. 安全物理环境 and the management requirements are
outside the agent's reach and not listed.

Level 2 (GB/T 22239-2019 chapter 7) has fewer requirements. A unit whose
requirement exists at level 2 carries :class:`Level2`: its chapter-7 clause
and, where the level-2 requirement is worded differently, that wording. Level-2
unit ids are numbered in clause order within each layer (derived, not read
from GB/T 28448; see :data:`LEVEL2_ID_BASIS`).

Requirement texts are this project's short wording of the standard's
requirement, not a quotation; ``basis`` says where a number was derived
rather than read.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Dict, Literal, Optional, Tuple

from checks.model import MlpsRef, Text

Wording = Literal["level2", "same", "level3_reused"]

LEVEL2_ID_BASIS = (
    "level-2 unit ids are numbered in GB/T 22239-2019 chapter-7 clause order within each layer "
    "(derived the way GB/T 28448 numbers level 3, not read from its level-2 tables)"
)
LEVEL2_EXTENSION_BASIS = (
    "level-2 extension clause taken to mirror the level-3 one (7.4/7.5 for 8.4/8.5) and the level-3 wording reused: "
    "the level-2 text was not checked"
)


@dataclass(frozen=True)
class Level2:
    """A unit's level-2 form: its GB/T 22239-2019 chapter-7 clause and how its requirement reads at level 2.

    ``wording`` is "same" (the level-2 requirement reads as the level-3 one), "level2" (``requirement``
    holds the level-2 wording: fewer items or a weaker means) or "level3_reused" (the level-2 wording was
    not checked; the level-3 text stands in and the view says so).
    """

    clause: str
    wording: Wording = "same"
    requirement: Optional[Text] = None
    point: Optional[Text] = None  # the level-2 control point name, where it differs

    def __post_init__(self) -> None:
        if (self.wording == "level2") != (self.requirement is not None):
            raise ValueError(f"level-2 clause {self.clause}: a level-2 requirement text goes with wording 'level2' only")


@dataclass(frozen=True)
class Unit:
    unit: str
    clause: str  # GB/T 22239-2019, level 3
    point: Text  # control point (控制点)
    requirement: Text
    levels: Tuple[int, ...]
    basis: Optional[str] = None  # how the number was derived, where it was not read from the standard
    l2: Optional[Level2] = None  # present exactly when 2 is in ``levels``

    @property
    def layer(self) -> str:
        return self.unit.split("-")[1][:3]

    @property
    def extension(self) -> int:
        """1 for the general requirements, 4 for the IoT extension, 5 for the ICS extension."""
        return int(self.unit.split("-")[1][3])


def _u(
    unit: str,
    clause: str,
    point: Tuple[str, str],
    req: Tuple[str, str],
    levels: Tuple[int, ...],
    basis: Optional[str] = None,
    l2: Optional[Level2] = None,
) -> Unit:
    return Unit(unit, clause, Text(*point), Text(*req), levels, basis, l2)


def _l2(clause: str, req: Optional[Tuple[str, str]] = None, point: Optional[Tuple[str, str]] = None) -> Level2:
    return Level2(clause, "level2" if req else "same", Text(*req) if req else None, Text(*point) if point else None)


def _l2_reused(clause: str) -> Level2:
    return Level2(clause, "level3_reused")


_ARCH = ("网络架构", "Network architecture")
_COMM = ("通信传输", "Communication transmission")
_TRUST = ("可信验证", "Trusted verification")
_BOUNDARY = ("边界防护", "Boundary protection")
_ACL = ("访问控制", "Access control")
_INTRUSION = ("入侵防范", "Intrusion prevention")
_MALWARE_SPAM = ("恶意代码和垃圾邮件防范", "Malicious code and spam prevention")
_MALWARE_L2 = ("恶意代码防范", "Malicious code prevention")
_AUDIT = ("安全审计", "Security audit")
_AUTH = ("身份鉴别", "Identification and authentication")
_MALWARE = ("恶意代码防范", "Malicious code prevention")
_INTEGRITY = ("数据完整性", "Data integrity")
_SECRECY = ("数据保密性", "Data confidentiality")
_BACKUP = ("数据备份恢复", "Data backup and recovery")
_RESIDUAL = ("剩余信息保护", "Residual information protection")
_PERSONAL = ("个人信息保护", "Personal information protection")
_SYSADM = ("系统管理", "System administration")
_AUDADM = ("审计管理", "Audit administration")
_SECADM = ("安全管理", "Security administration")
_CENTRAL = ("集中管控", "Centralised control")

_IOT = "IoT extension (8.4) has no communication-network section: 8.4.2 is the area boundary, 8.4.3 the computing environment"
_IOT_GW = _IOT + "; 感知节点设备安全 a-c are CES4-01..03, so 网关节点设备安全 a-d are CES4-04..07"
_ICS = "ICS extension units numbered in clause order within each layer (8.5.2 network, 8.5.3 boundary, 8.5.4 computing)"

UNITS: Dict[str, Unit] = {
    u.unit: u
    for u in (
        # 8.1.2 安全通信网络 (level 2: 7.1.2)
        _u("L3-CNS1-01", "8.1.2.1 a", _ARCH, ("网络设备的业务处理能力满足业务高峰期需要", "Network devices can handle the peak business load"), (3,)),
        _u("L3-CNS1-02", "8.1.2.1 b", _ARCH, ("网络各部分的带宽满足业务高峰期需要", "Bandwidth of every part of the network meets the peak business load"), (3,)),
        _u(
            "L3-CNS1-03", "8.1.2.1 c", _ARCH,
            ("划分不同的网络区域，按方便管理和控制的原则为各区域分配地址", "The network is divided into zones, with addresses assigned for ease of management and control"),
            (2, 3), l2=_l2("7.1.2.1 a"),
        ),
        _u(
            "L3-CNS1-04", "8.1.2.1 d", _ARCH,
            ("重要网络区域不部署在边界处，与其他区域之间采取可靠的技术隔离手段", "Important zones are not placed at the boundary and are reliably isolated from other zones"),
            (2, 3), l2=_l2("7.1.2.1 b"),
        ),
        _u("L3-CNS1-05", "8.1.2.1 e", _ARCH, ("通信线路、关键网络设备和关键计算设备硬件冗余", "Hardware redundancy of communication lines, key network devices and key computing devices"), (3,)),
        _u(
            "L3-CNS1-06", "8.1.2.2 a", _COMM, ("用校验或密码技术保证通信中数据的完整性", "Integrity of data in transit by checksums or cryptography"),
            (2, 3), l2=_l2("7.1.2.2 a", ("用校验技术保证通信中数据的完整性", "Integrity of data in transit by checksums")),
        ),
        _u("L3-CNS1-07", "8.1.2.2 b", _COMM, ("用密码技术保证通信中数据的保密性", "Confidentiality of data in transit by cryptography"), (3,)),
        _u(
            "L3-CNS1-08", "8.1.2.3 a", _TRUST,
            (
                "基于可信根对通信设备的引导程序、系统程序、重要配置和通信应用进行可信验证，关键执行环节动态验证，异常时报警并送审计",
                "Root-of-trust verification of communication devices' boot, system programs, key configuration and applications, dynamic at key execution points, with alarms and audit records",
            ),
            (2, 3),
            l2=_l2(
                "7.1.2.3 a",
                (
                    "基于可信根对通信设备的引导程序、系统程序、重要配置和通信应用进行可信验证，异常时报警并送审计",
                    "Root-of-trust verification of communication devices' boot, system programs, key configuration and applications, with alarms and audit records",
                ),
            ),
        ),
        # 8.1.3 安全区域边界 (level 2: 7.1.3)
        _u(
            "L3-ABS1-01", "8.1.3.1 a", _BOUNDARY,
            ("跨边界的访问和数据流只经边界设备的受控接口通信", "Traffic crosses the boundary only through controlled interfaces of boundary devices"),
            (2, 3), l2=_l2("7.1.3.1 a"),
        ),
        _u("L3-ABS1-02", "8.1.3.1 b", _BOUNDARY, ("检查或限制非授权设备私自联到内部网络", "Unauthorised devices joining the internal network are detected or restricted"), (3,)),
        _u("L3-ABS1-03", "8.1.3.1 c", _BOUNDARY, ("检查或限制内部用户未经授权连接外部网络", "Unauthorised outbound connections by internal users are detected or restricted"), (3,)),
        _u(
            "L3-ABS1-04", "8.1.3.1 d", _BOUNDARY,
            ("限制无线网络的使用，无线网络经受控的边界设备接入内部网络", "Wireless use is limited; wireless networks reach the internal network only through controlled boundary devices"),
            (3,),
        ),
        _u(
            "L3-ABS1-05", "8.1.3.2 a", _ACL,
            ("边界与区域间按策略设置访问控制规则，默认拒绝未允许的通信", "Access-control rules at boundaries and between zones; deny what is not allowed by default"),
            (2, 3), l2=_l2("7.1.3.2 a"),
        ),
        _u(
            "L3-ABS1-06", "8.1.3.2 b", _ACL, ("删除多余或无效规则，访问控制规则数量最小化", "No redundant or dead rules; the rule set kept minimal"),
            (2, 3), l2=_l2("7.1.3.2 b"),
        ),
        _u(
            "L3-ABS1-07", "8.1.3.2 c", _ACL,
            ("检查源地址、目的地址、源端口、目的端口和协议，以允许或拒绝数据包进出", "Packets allowed or denied by source and destination address, port and protocol"),
            (2, 3), l2=_l2("7.1.3.2 c"),
        ),
        _u(
            "L3-ABS1-08", "8.1.3.2 d", _ACL, ("根据会话状态信息明确允许或拒绝进出的数据流", "Traffic explicitly allowed or denied by session state"),
            (2, 3), l2=_l2("7.1.3.2 d"),
        ),
        _u("L3-ABS1-09", "8.1.3.2 e", _ACL, ("对进出网络的数据流实现基于应用协议和应用内容的访问控制", "Access control on traffic by application protocol and content"), (3,)),
        _u(
            "L3-ABS1-10", "8.1.3.3 a", _INTRUSION,
            ("在关键网络节点检测、防止或限制来自外部的攻击", "Attacks from outside detected, prevented or limited at key network nodes"),
            (2, 3), l2=_l2("7.1.3.3 a", ("在关键网络节点处监视网络攻击行为", "Network attacks monitored at key network nodes")),
        ),
        _u("L3-ABS1-11", "8.1.3.3 b", _INTRUSION, ("在关键网络节点检测、防止或限制从内部发起的攻击", "Attacks from inside detected, prevented or limited at key network nodes"), (3,)),
        _u("L3-ABS1-12", "8.1.3.3 c", _INTRUSION, ("采取技术措施分析网络行为，特别是新型网络攻击", "Network behaviour analysed by technical means, new kinds of attack especially"), (3,)),
        _u(
            "L3-ABS1-13", "8.1.3.3 d", _INTRUSION,
            ("检测到攻击时记录攻击源 IP、类型、目标和时间，严重入侵时报警", "Attacks logged with source IP, type, target and time; alarms for serious intrusions"),
            (3,),
        ),
        _u(
            "L3-ABS1-14", "8.1.3.4 a", _MALWARE_SPAM,
            ("在关键网络节点检测和清除恶意代码，并升级和更新防护机制", "Malicious code detected and removed at key network nodes, with the defences kept up to date"),
            (2, 3), l2=_l2("7.1.3.4 a", point=_MALWARE_L2),
        ),
        _u("L3-ABS1-15", "8.1.3.4 b", _MALWARE_SPAM, ("在关键网络节点检测和防护垃圾邮件，并升级和更新防护机制", "Spam detected and blocked at key network nodes, with the defences kept up to date"), (3,)),
        _u(
            "L3-ABS1-16", "8.1.3.5 a", _AUDIT,
            ("在网络边界和重要节点审计每个用户的重要行为和安全事件", "Boundary and key-node auditing of every user's important actions and security events"),
            (2, 3), l2=_l2("7.1.3.5 a"),
        ),
        _u(
            "L3-ABS1-17", "8.1.3.5 b", _AUDIT, ("审计记录含日期时间、用户、事件类型、是否成功等", "Audit records hold date and time, user, event type and outcome"),
            (2, 3), l2=_l2("7.1.3.5 b"),
        ),
        _u(
            "L3-ABS1-18", "8.1.3.5 c", _AUDIT,
            ("保护审计记录并定期备份，防止意外删除、修改或覆盖", "Audit records protected and backed up against deletion, change or overwriting"),
            (2, 3), l2=_l2("7.1.3.5 c"),
        ),
        _u(
            "L3-ABS1-19", "8.1.3.5 d", _AUDIT,
            ("对远程访问和访问互联网的用户行为单独审计和分析", "Remote-access users and internet use audited and analysed separately"),
            (3,),
        ),
        _u(
            "L3-ABS1-20", "8.1.3.6 a", _TRUST,
            (
                "基于可信根对边界设备的引导程序、系统程序、重要配置和边界防护应用进行可信验证，关键执行环节动态验证，异常时报警并送审计",
                "Root-of-trust verification of boundary devices' boot, system programs, key configuration and applications, dynamic at key execution points, with alarms and audit records",
            ),
            (2, 3),
            l2=_l2(
                "7.1.3.6 a",
                (
                    "基于可信根对边界设备的引导程序、系统程序、重要配置和边界防护应用进行可信验证，异常时报警并送审计",
                    "Root-of-trust verification of boundary devices' boot, system programs, key configuration and applications, with alarms and audit records",
                ),
            ),
        ),
        # 8.1.4 安全计算环境 (level 2: 7.1.4, which has no 数据保密性, so its clauses after 7.1.4.7 are numbered one lower)
        _u(
            "L3-CES1-01", "8.1.4.1 a", _AUTH,
            ("登录用户有唯一标识并经鉴别，口令有复杂度要求并定期更换", "Users are uniquely identified and authenticated; passwords are complex and changed regularly"),
            (2, 3), l2=_l2("7.1.4.1 a"),
        ),
        _u(
            "L3-CES1-02", "8.1.4.1 b", _AUTH,
            ("登录失败处理：限制失败次数、结束会话、超时自动退出", "Login failures handled: attempts limited, sessions ended, idle sessions logged out"),
            (2, 3), l2=_l2("7.1.4.1 b"),
        ),
        _u(
            "L3-CES1-03", "8.1.4.1 c", _AUTH, ("远程管理时防止鉴别信息在网络中被窃听", "Credentials protected from eavesdropping during remote administration"),
            (2, 3), l2=_l2("7.1.4.1 c"),
        ),
        _u("L3-CES1-04", "8.1.4.1 d", _AUTH, ("两种或以上鉴别技术组合，其中至少一种使用密码技术", "Two or more authentication factors, at least one cryptographic"), (3,)),
        _u("L3-CES1-05", "8.1.4.2 a", _ACL, ("为登录用户分配账户和权限", "Accounts and permissions assigned to the users who log in"), (2, 3), l2=_l2("7.1.4.2 a")),
        _u(
            "L3-CES1-06", "8.1.4.2 b", _ACL, ("重命名或删除默认账户，修改默认口令", "Default accounts renamed or removed, default passwords changed"),
            (2, 3), l2=_l2("7.1.4.2 b"),
        ),
        _u(
            "L3-CES1-07", "8.1.4.2 c", _ACL, ("及时删除或停用多余、过期账户，不存在共享账户", "Redundant and expired accounts removed or disabled; no shared accounts"),
            (2, 3), l2=_l2("7.1.4.2 c"),
        ),
        _u(
            "L3-CES1-08", "8.1.4.2 d", _ACL, ("管理用户只有所需的最小权限，权限分离", "Administrators get least privilege, with duties separated"),
            (2, 3), l2=_l2("7.1.4.2 d"),
        ),
        _u("L3-CES1-09", "8.1.4.2 e", _ACL, ("由授权主体配置访问控制策略，规定主体对客体的访问规则", "Access-control policy set by an authorised subject, ruling how subjects reach objects"), (3,)),
        _u("L3-CES1-10", "8.1.4.2 f", _ACL, ("访问控制粒度：主体到用户或进程，客体到文件或数据库表", "Access control down to users or processes and to files or database tables"), (3,)),
        _u("L3-CES1-11", "8.1.4.2 g", _ACL, ("对重要主体和客体设置安全标记并据此控制访问", "Security labels on important subjects and objects, and access controlled by them"), (3,)),
        _u(
            "L3-CES1-12", "8.1.4.3 a", _AUDIT, ("启用安全审计，覆盖每个用户的重要行为和重要安全事件", "Auditing on, covering every user's important actions and security events"),
            (2, 3), l2=_l2("7.1.4.3 a"),
        ),
        _u(
            "L3-CES1-13", "8.1.4.3 b", _AUDIT, ("审计记录含日期时间、用户、事件类型、是否成功等", "Audit records hold date and time, user, event type and outcome"),
            (2, 3), l2=_l2("7.1.4.3 b"),
        ),
        _u(
            "L3-CES1-14", "8.1.4.3 c", _AUDIT,
            ("保护审计记录并定期备份，防止意外删除、修改或覆盖", "Audit records protected and backed up against deletion, change or overwriting"),
            (2, 3), l2=_l2("7.1.4.3 c"),
        ),
        _u("L3-CES1-15", "8.1.4.3 d", _AUDIT, ("保护审计进程，防止未经授权的中断", "The audit process protected from unauthorised interruption"), (3,)),
        _u(
            "L3-CES1-17", "8.1.4.4 a", _INTRUSION, ("最小安装：只安装需要的组件和应用", "Minimal installation: only the components and applications needed"),
            (2, 3), l2=_l2("7.1.4.4 a"),
        ),
        _u(
            "L3-CES1-18", "8.1.4.4 b", _INTRUSION, ("关闭不需要的服务、默认共享和高危端口", "Unneeded services, default shares and high-risk ports closed"),
            (2, 3), l2=_l2("7.1.4.4 b"),
        ),
        _u(
            "L3-CES1-19", "8.1.4.4 c", _INTRUSION, ("按接入方式或网络地址范围限制管理终端", "Administration terminals limited by access method or address range"),
            (2, 3), l2=_l2("7.1.4.4 c"),
        ),
        _u(
            "L3-CES1-20", "8.1.4.4 d", _INTRUSION, ("校验人机接口和通信接口输入的数据有效性", "Input through user and communication interfaces validated"),
            (2, 3), l2=_l2("7.1.4.4 d"),
        ),
        _u(
            "L3-CES1-21", "8.1.4.4 e", _INTRUSION, ("发现已知漏洞并经测试评估后及时修补", "Known vulnerabilities found and patched promptly after testing"),
            (2, 3), l2=_l2("7.1.4.4 e"),
        ),
        _u("L3-CES1-22", "8.1.4.4 f", _INTRUSION, ("检测对重要节点的入侵，严重事件时报警", "Intrusions on important nodes detected, with alarms for serious ones"), (3,)),
        _u(
            "L3-CES1-23", "8.1.4.5 a", _MALWARE,
            ("防恶意代码或可信验证机制，及时识别并阻断入侵和病毒行为", "Anti-malware or trusted verification that spots and blocks intrusion and virus behaviour"),
            (2, 3),
            l2=_l2(
                "7.1.4.5 a",
                ("安装防恶意代码软件或具有相应功能的软件，并定期升级和更新恶意代码库", "Anti-malware software (or software that does its job) installed, its signatures updated regularly"),
            ),
        ),
        _u(
            "L3-CES1-24", "8.1.4.6 a", _TRUST,
            (
                "基于可信根验证引导程序、系统程序、配置和应用，关键执行环节动态验证，异常时报警",
                "Root-of-trust verification of boot, system programs, configuration and applications, dynamic at key execution points, with alarms",
            ),
            (2, 3),
            l2=_l2("7.1.4.6 a", ("基于可信根验证引导程序、系统程序、配置和应用，异常时报警", "Root-of-trust verification of boot, system programs, configuration and applications, with alarms")),
        ),
        _u(
            "L3-CES1-25", "8.1.4.7 a", _INTEGRITY,
            ("用校验或密码技术保证重要数据传输中的完整性", "Integrity of important data in transit by checksums or cryptography"),
            (2, 3), l2=_l2("7.1.4.7 a", ("用校验技术保证重要数据传输中的完整性", "Integrity of important data in transit by checksums")),
        ),
        _u("L3-CES1-26", "8.1.4.7 b", _INTEGRITY, ("用校验或密码技术保证重要数据存储中的完整性", "Integrity of important data at rest by checksums or cryptography"), (3,)),
        _u("L3-CES1-27", "8.1.4.8 a", _SECRECY, ("用密码技术保证重要数据传输中的保密性", "Confidentiality of important data in transit by cryptography"), (3,)),
        _u("L3-CES1-28", "8.1.4.8 b", _SECRECY, ("用密码技术保证重要数据存储中的保密性", "Confidentiality of important data at rest by cryptography"), (3,)),
        _u("L3-CES1-29", "8.1.4.9 a", _BACKUP, ("重要数据的本地备份与恢复", "Local backup and recovery of important data"), (2, 3), l2=_l2("7.1.4.8 a")),
        _u(
            "L3-CES1-30", "8.1.4.9 b", _BACKUP, ("重要数据经通信网络实时备份到异地", "Real-time off-site backup of important data over the network"),
            (2, 3), l2=_l2("7.1.4.8 b", ("重要数据经通信网络定时批量备份到异地", "Scheduled batch off-site backup of important data over the network")),
        ),
        _u("L3-CES1-31", "8.1.4.9 c", _BACKUP, ("重要数据处理系统热冗余，保证高可用", "Hot redundancy of the systems that process important data, for high availability"), (3,)),
        _u(
            "L3-CES1-32", "8.1.4.10 a", _RESIDUAL,
            ("鉴别信息所在存储空间释放或重新分配前完全清除", "Storage that held authentication data wiped before release or reuse"),
            (2, 3), l2=_l2("7.1.4.9 a"),
        ),
        _u("L3-CES1-33", "8.1.4.10 b", _RESIDUAL, ("敏感数据所在存储空间释放或重新分配前完全清除", "Storage that held sensitive data wiped before release or reuse"), (3,)),
        _u(
            "L3-CES1-34", "8.1.4.11 a", _PERSONAL, ("仅采集和保存业务必需的用户个人信息", "Only the personal information the business needs is collected and kept"),
            (2, 3), l2=_l2("7.1.4.10 a"),
        ),
        _u(
            "L3-CES1-35", "8.1.4.11 b", _PERSONAL, ("禁止未授权访问和非法使用用户个人信息", "No unauthorised access to or illegal use of personal information"),
            (2, 3), l2=_l2("7.1.4.10 b"),
        ),
        # 8.1.5 安全管理中心 (level 2: 7.1.5 has 系统管理 and 审计管理 only)
        _u(
            "L3-SMC1-01", "8.1.5.1 a", _SYSADM,
            ("系统管理员经身份鉴别，只能通过特定命令或界面进行系统管理操作，操作被审计", "System administrators authenticated, limited to given commands or interfaces, and audited"),
            (2, 3), l2=_l2("7.1.5.1 a"),
        ),
        _u(
            "L3-SMC1-02", "8.1.5.1 b", _SYSADM,
            ("由系统管理员配置、控制和管理系统资源和运行", "System resources and operation configured, controlled and managed by the system administrator"),
            (2, 3), l2=_l2("7.1.5.1 b"),
        ),
        _u(
            "L3-SMC1-03", "8.1.5.2 a", _AUDADM,
            ("审计管理员经身份鉴别，只能通过特定命令或界面进行审计操作，操作被审计", "Audit administrators authenticated, limited to given commands or interfaces, and audited"),
            (2, 3), l2=_l2("7.1.5.2 a"),
        ),
        _u(
            "L3-SMC1-04", "8.1.5.2 b", _AUDADM, ("由审计管理员分析审计记录并据此处理", "Audit records analysed by the audit administrator and acted on"),
            (2, 3), l2=_l2("7.1.5.2 b"),
        ),
        _u(
            "L3-SMC1-05", "8.1.5.3 a", _SECADM,
            ("安全管理员经身份鉴别，只能通过特定命令或界面进行安全管理操作，操作被审计", "Security administrators authenticated, limited to given commands or interfaces, and audited"),
            (3,),
        ),
        _u(
            "L3-SMC1-06", "8.1.5.3 b", _SECADM,
            ("由安全管理员配置安全策略：安全参数、统一安全标记、授权和可信验证策略", "Security policy (parameters, labels, authorisations, trusted verification) set by the security administrator"),
            (3,),
        ),
        _u("L3-SMC1-07", "8.1.5.4 a", _CENTRAL, ("划分管理区域，管控网络中的安全设备和组件", "A management zone from which security devices and components are controlled"), (3,)),
        _u("L3-SMC1-08", "8.1.5.4 b", _CENTRAL, ("建立安全的信息传输路径管理安全设备和组件", "A secure path for managing security devices and components"), (3,)),
        _u("L3-SMC1-09", "8.1.5.4 c", _CENTRAL, ("集中监测网络链路、设备和服务器的运行状况", "Central monitoring of the running state of links, devices and servers"), (3,)),
        _u("L3-SMC1-10", "8.1.5.4 d", _CENTRAL, ("集中收集和分析各设备的审计数据，留存时间符合法规", "Audit data from every device collected and analysed centrally, kept as long as the law requires"), (3,)),
        _u("L3-SMC1-11", "8.1.5.4 e", _CENTRAL, ("集中管理安全策略、恶意代码和补丁升级等", "Central management of security policies, malware defences and patching"), (3,)),
        _u("L3-SMC1-12", "8.1.5.4 f", _CENTRAL, ("识别、报警和分析网络中发生的各类安全事件", "Security events on the network identified, alarmed and analysed"), (3,)),
        # 8.4 物联网扩展 (the units the agent maps to)
        _u("L3-ABS4-01", "8.4.2.1 a", ("接入控制", "Access control (IoT)"), ("只允许授权的感知节点接入", "Only authorised sensing nodes may connect"), (2, 3), _IOT, _l2_reused("7.4.2.1 a")),
        _u(
            "L3-ABS4-02", "8.4.2.2 a", ("入侵防范", "Intrusion prevention (IoT)"), ("限制与感知节点通信的目标地址", "Destinations that sensing nodes may talk to are restricted"),
            (2, 3), _IOT, _l2_reused("7.4.2.2 a"),
        ),
        _u(
            "L3-ABS4-03", "8.4.2.2 b", ("入侵防范", "Intrusion prevention (IoT)"), ("限制与网关节点通信的目标地址", "Destinations that gateway nodes may talk to are restricted"),
            (2, 3), _IOT, _l2_reused("7.4.2.2 b"),
        ),
        _u("L3-CES4-01", "8.4.3.1 a", ("感知节点设备安全", "Sensing node security"), ("只有授权用户可配置或变更感知节点的软件", "Only authorised users may configure or change sensing-node software"), (3,), _IOT),
        _u("L3-CES4-04", "8.4.3.2 a", ("网关节点设备安全", "Gateway node security"), ("网关对连接设备进行标识和鉴别", "The gateway identifies and authenticates the devices that connect"), (3,), _IOT_GW),
        _u("L3-CES4-05", "8.4.3.2 b", ("网关节点设备安全", "Gateway node security"), ("过滤非法节点和伪造节点发送的数据", "Data from illegitimate or forged nodes filtered"), (3,), _IOT_GW),
        _u("L3-CES4-06", "8.4.3.2 c", ("网关节点设备安全", "Gateway node security"), ("授权用户可在线更新关键密钥", "Authorised users can update key material online"), (3,), _IOT_GW),
        _u("L3-CES4-07", "8.4.3.2 d", ("网关节点设备安全", "Gateway node security"), ("授权用户可在线更新关键配置参数", "Authorised users can update key configuration online"), (3,), _IOT_GW),
        # 8.5 工业控制系统扩展 (the units the agent maps to)
        _u(
            "L3-CNS5-01", "8.5.2.1 a", ("网络架构", "Network architecture (ICS)"),
            ("工控系统与企业其他系统分为两个区域，区域间单向技术隔离", "ICS and the enterprise's other systems in separate zones, isolated one-way"),
            (2, 3), _ICS, _l2_reused("7.5.2.1 a"),
        ),
        _u(
            "L3-CNS5-02", "8.5.2.1 b", ("网络架构", "Network architecture (ICS)"),
            ("工控系统内部按业务划分安全域，域间技术隔离", "Security domains inside the ICS by business, separated technically"),
            (2, 3), _ICS, _l2_reused("7.5.2.1 b"),
        ),
        _u(
            "L3-CNS5-03", "8.5.2.1 c", ("网络架构", "Network architecture (ICS)"),
            ("实时控制系统独立组网，与其他网络物理隔离", "Real-time control on its own network, physically apart from other networks"),
            (2, 3), _ICS, _l2_reused("7.5.2.1 c"),
        ),
        _u(
            "L3-CNS5-04", "8.5.2.2 a", ("通信传输", "Communication transmission (ICS)"), ("广域网传输控制指令时加密认证", "Control commands over a WAN authenticated and encrypted"),
            (2, 3), _ICS, _l2_reused("7.5.2.2 a"),
        ),
        _u(
            "L3-ABS5-01", "8.5.3.1 a", ("访问控制", "Access control (ICS)"),
            ("工控与企业系统间设访问控制，禁止邮件、Web、Telnet、Rlogin、FTP 等通用服务穿越", "Access control between ICS and enterprise that blocks e-mail, web, Telnet, Rlogin, FTP across"),
            (2, 3), _ICS, _l2_reused("7.5.3.1 a"),
        ),
        _u(
            "L3-ABS5-02", "8.5.3.1 b", ("访问控制", "Access control (ICS)"), ("边界防护失效时及时报警", "Alarm when the boundary protection fails"),
            (2, 3), _ICS, _l2_reused("7.5.3.1 b"),
        ),
        _u(
            "L3-CES5-01", "8.5.4.1 a", ("控制设备安全", "Control device security"),
            ("控制设备或其上位系统实现鉴别、访问控制和审计", "Authentication, access control and audit on the control device or the system above it"),
            (2, 3), _ICS, _l2_reused("7.5.4.1 a"),
        ),
        _u(
            "L3-CES5-02", "8.5.4.1 b", ("控制设备安全", "Control device security"), ("经测试评估后更新控制设备补丁和固件", "Control-device patches and firmware updated after testing"),
            (2, 3), _ICS, _l2_reused("7.5.4.1 b"),
        ),
        _u("L3-CES5-03", "8.5.4.1 c", ("控制设备安全", "Control device security"), ("关闭或拆除软驱、光驱、USB、串口和多余网口", "Floppy, optical, USB, serial and spare network ports disabled or removed"), (3,), _ICS),
        _u("L3-CES5-04", "8.5.4.1 d", ("控制设备安全", "Control device security"), ("使用专用设备和软件更新控制设备", "Control devices updated only with dedicated equipment and software"), (3,), _ICS),
        _u("L3-CES5-05", "8.5.4.1 e", ("控制设备安全", "Control device security"), ("控制设备上线前经安全检测，固件无恶意代码", "Control devices security-tested before use, firmware free of malware"), (3,), _ICS),
    )
}

LAYERS = ("CNS", "ABS", "CES", "SMC")  # the technical layers the agent covers, in the standard's order
EXTENSIONS: Dict[int, Text] = {
    1: Text(zh="安全通用要求", en="General requirements"),
    4: Text(zh="物联网安全扩展要求", en="IoT extension"),
    5: Text(zh="工业控制系统安全扩展要求", en="ICS extension"),
}


@functools.lru_cache(maxsize=4096)
def clause_key(clause: str) -> Tuple[object, ...]:
    """Natural order for clauses such as '8.1.4.10 a' (10 after 9)."""
    head, _, tail = clause.partition(" ")
    nums = tuple(int(p) if p.isdigit() else 0 for p in head.split("."))
    return (*nums, tail)


@dataclass(frozen=True)
class UnitAtLevel:
    """A unit as it stands at one level: its id and clause there, and the level-3 unit the checks map to."""

    unit: str  # L3-... or L2-...
    l3: str  # the level-3 unit (the id checks and findings carry)
    level: int
    clause: str
    point: Text
    requirement: Text
    wording: Wording  # at level 3 always "same"
    layer: str
    extension: int

    @property
    def point_clause(self) -> str:
        return self.clause.split(" ", 1)[0]


def _level2_units() -> Dict[str, UnitAtLevel]:
    """Every unit with a level-2 form, numbered in chapter-7 clause order within its layer and extension."""
    with_l2 = sorted((u for u in UNITS.values() if u.l2 is not None), key=lambda u: clause_key(u.l2.clause if u.l2 else ""))
    out: Dict[str, UnitAtLevel] = {}
    seen: Dict[str, int] = {}
    for u in with_l2:
        assert u.l2 is not None
        group = u.unit.split("-")[1]  # "CES1"
        seen[group] = seen.get(group, 0) + 1
        uid = f"L2-{group}-{seen[group]:02d}"
        out[u.unit] = UnitAtLevel(
            unit=uid,
            l3=u.unit,
            level=2,
            clause=u.l2.clause,
            point=u.l2.point or u.point,
            requirement=u.l2.requirement or u.requirement,
            wording=u.l2.wording,
            layer=u.layer,
            extension=u.extension,
        )
    return out


_AT_LEVEL: Dict[int, Dict[str, UnitAtLevel]] = {
    3: {u.unit: UnitAtLevel(u.unit, u.unit, 3, u.clause, u.point, u.requirement, "same", u.layer, u.extension) for u in UNITS.values()},
    2: _level2_units(),
}
LEVELS = (2, 3)


def at_level(l3_unit: str, level: int) -> Optional[UnitAtLevel]:
    """``l3_unit`` as it stands at ``level``; None when the requirement does not exist at that level (or is not listed)."""
    return _AT_LEVEL[level].get(l3_unit)


def units_at(level: int, extensions: Tuple[int, ...] = (1,)) -> Tuple[UnitAtLevel, ...]:
    """The units of ``level`` in the given extensions (1: general requirements), in clause order."""
    found = [u for u in _AT_LEVEL[level].values() if u.extension in extensions]
    return tuple(sorted(found, key=lambda u: (LAYERS.index(u.layer), clause_key(u.clause))))


def ref(unit: str) -> MlpsRef:
    """The :class:`MlpsRef` for ``unit``; unknown units are a programming error."""
    u = UNITS[unit]
    return MlpsRef(unit, u.clause, u.levels)


def refs(*units: str) -> Tuple[MlpsRef, ...]:
    return tuple(ref(u) for u in units)


def control_point(unit: str) -> Tuple[str, str]:
    """(zh, en) name of the control point a unit belongs to."""
    p = UNITS[unit].point
    return p.zh, p.en
