"""The 高风险 cases the catalogue can speak to, with their possible mitigations.

Source: 《网络安全等级保护测评高风险判定实施指引（试行）》. Each case names the
GB/T 22239 requirement it rests on, when it applies, and the mitigations the
guide allows an assessor to weigh (可能的缓解措施). A failed finding that
carries a case is reported as an open high risk, unless the evidence of the
same host shows one of the case's mitigations: then it is "high risk, may be
downgraded at the assessor's discretion" (高风险，可酌情降级) with the
mitigating checks named, never silently closed. Cases no check of a profile
can assess are listed as not assessed, so a clean report never implies them.

Summaries here are this project's own wording of the guide, kept short.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Optional, Tuple

from checks.model import Text
from collectors.profile import Profile

HOST_PROFILES = (Profile.SERVER, Profile.ICS_GATEWAY, Profile.TELEMATICS)


@dataclass(frozen=True)
class Mitigation:
    """A mitigation the guide allows; ``evidence`` lists alternatives, each a set of checks that must all pass."""

    text: Text
    evidence: Tuple[Tuple[str, ...], ...] = ()  # empty: not observable by the agent, an assessor judges it


@dataclass(frozen=True)
class HighRiskCase:
    id: str  # "6.4.3.1"
    title: Text
    unit: str  # GB/T 28448 unit of the requirement the case rests on
    applies: Text  # 适用范围
    mitigation: Optional[Mitigation]  # None: the guide allows none
    profiles: Tuple[Profile, ...] = (*HOST_PROFILES, Profile.WEBSITE)


def _t(zh: str, en: str) -> Text:
    return Text(zh=zh, en=en)


_ACCESS_RESTRICTED = (("LNX-FW-003",), ("LNX-SSH-018",))  # admin ports or SSH limited to given source addresses

CASES: Dict[str, HighRiskCase] = {
    c.id: c
    for c in (
        HighRiskCase(
            "6.2.2.1",
            _t("采用无加密措施的网络通道传输重要数据", "Important data sent over a channel with no encryption"),
            "L3-CNS1-07",
            _t("三级及以上", "Level 3 and above"),
            Mitigation(_t("数据本身已加密，或应用层使用加密协议", "The data is encrypted itself, or the application uses an encrypted protocol")),
        ),
        HighRiskCase(
            "6.4.1.1",
            _t("存在空口令、弱口令、通用口令或无身份鉴别措施", "Empty, weak or shared passwords, or no authentication"),
            "L3-CES1-01",
            _t("二级及以上", "Level 2 and above"),
            Mitigation(
                _t("仅允许本地登录，或限制登录地址、终端；或采用不可绕过的双因素认证", "Local-only login or login restricted by address or terminal; or non-bypassable two-factor authentication"),
                (*_ACCESS_RESTRICTED, ("LNX-SSH-019",)),
            ),
        ),
        HighRiskCase(
            "6.4.1.2",
            _t("远程管理时鉴别信息明文传输", "Credentials sent in clear text during remote administration"),
            "L3-CES1-03",
            _t("二级及以上", "Level 2 and above"),
            Mitigation(_t("该服务采用不可绕过的双因素认证（仅凭口令无法登录）", "Non-bypassable two-factor authentication on that service (the password alone cannot log in)")),
        ),
        HighRiskCase(
            "6.4.1.3",
            _t("未采用两种或两种以上组合的身份鉴别技术", "No two-factor authentication"),
            "L3-CES1-04",
            _t("三级及以上", "Level 3 and above"),
            Mitigation(
                _t("仅本地或带外管理；会话中重复动态认证；重要操作前采用不同的鉴别方式", "Local-only or out-of-band administration; repeated dynamic authentication; another factor before important operations"),
                _ACCESS_RESTRICTED,
            ),
        ),
        HighRiskCase(
            "6.4.2.1",
            _t("默认账户未重命名且默认口令未修改", "A default account neither renamed nor given a new password"),
            "L3-CES1-06",
            _t("二级及以上", "Level 2 and above"),
            Mitigation(_t("不可绕过的双因素认证，或远程登录限制使默认口令无法使用", "Non-bypassable two-factor authentication, or remote-login limits that make the default password unusable")),
        ),
        HighRiskCase(
            "6.4.2.2",
            _t("访问控制策略存在缺陷，存在越权访问可能（含数据库、中间件以操作系统超级管理员运行）", "Access-control flaws that allow unauthorised access (including databases or middleware running as the OS super-administrator)"),
            "L3-CES1-09",
            _t("三级及以上", "Level 3 and above"),
            Mitigation(
                _t("仅本地访问或限制远程访问，并对操作进行审计", "Local-only or restricted remote access, together with auditing of operations"),
                (("LNX-FW-003", "LNX-AUD-001"), ("LNX-SSH-018", "LNX-AUD-001")),
            ),
        ),
        HighRiskCase(
            "6.4.3.1",
            _t("开启多余的系统服务、默认共享和高危端口且可被远程访问", "Unneeded services, shares or high-risk ports open and reachable remotely"),
            "L3-CES1-18",
            _t("二级及以上", "Level 2 and above"),
            Mitigation(
                _t("限制远程访问；或部署有效的主机入侵检测、防恶意代码措施", "Remote access restricted; or working host intrusion detection or anti-malware"),
                (("LNX-EDR-001",),),
            ),
        ),
        HighRiskCase(
            "6.4.3.2",
            _t("存在可被利用的高危安全漏洞", "An exploitable high-risk vulnerability"),
            "L3-CES1-21",
            _t("二级及以上；面向互联网的系统不允许缓解", "Level 2 and above; no mitigation for internet-facing systems"),
            Mitigation(_t("仅适用于不面向互联网的系统：限制访问，或有效的主机入侵检测、防恶意代码措施", "Only for systems not facing the internet: restricted access, or working host intrusion detection or anti-malware")),
        ),
        HighRiskCase(
            "6.4.4.1",
            _t("恶意代码防范措施缺失或特征库过期", "No anti-malware, or signatures more than a month old"),
            "L3-CES1-23",
            _t("二级及以上", "Level 2 and above"),
            Mitigation(
                _t(
                    "仅限非 Windows 系统：不对外提供服务，且有移动介质管控、白名单或主机审计等措施；或关键网络节点有恶意代码检测",
                    "Non-Windows only: no public service, and removable-media control, allow-listing or host auditing; or malware detection at key network nodes",
                ),
                (("LNX-KRN-011",), ("LNX-EDR-003",)),
            ),
            profiles=HOST_PROFILES,
        ),
        HighRiskCase(
            "6.4.5.1",
            _t("重要数据明文传输", "Important data transmitted in clear text"),
            "L3-CES1-27",
            _t("三级及以上", "Level 3 and above"),
            None,  # only credentials may be mitigated (by two-factor authentication); business and personal data may not
        ),
        HighRiskCase(
            "6.4.5.2",
            _t("重要数据（含鉴别信息）明文存储", "Important data, authentication data included, stored in clear text"),
            "L3-CES1-28",
            _t("三级及以上", "Level 3 and above"),
            Mitigation(
                _t("不对外提供服务，且仅本地或带外访问；或有效的数据库防火墙、数据防泄漏措施", "No public service and local-only or out-of-band access; or a working database firewall or data-loss prevention")
            ),
            profiles=HOST_PROFILES,
        ),
        HighRiskCase(
            "6.4.6.1",
            _t("重要数据无本地备份，或备份存于互联网网盘", "No local backup of important data, or backups on an internet net-disk"),
            "L3-CES1-29",
            _t("三级及以上", "Level 3 and above"),
            Mitigation(_t("仅适用于无备份：多数据中心或冗余部署，数据有多份实时副本；网盘备份不可缓解", "For no backup only: several data centres or redundant deployment holding live copies; net-disk backups cannot be mitigated")),
            profiles=HOST_PROFILES,
        ),
        HighRiskCase(
            "6.5.1.1",
            _t("远程管理路径安全防护措施不足", "Remote administration path not secured"),
            "L3-SMC1-08",
            _t("三级及以上", "Level 3 and above"),
            None,
        ),
        HighRiskCase(
            "6.5.1.2",
            _t("审计记录存储时间不足六个月", "Audit records kept for less than six months"),
            "L3-SMC1-10",
            _t("三级及以上", "Level 3 and above"),
            None,
            profiles=HOST_PROFILES,
        ),
        HighRiskCase(
            "9.2.1.1",
            _t("非授权感知节点设备能够接入网络", "Unauthorised sensing nodes can join the network"),
            "L3-ABS4-01",
            _t("物联网系统，二级及以上", "IoT systems, level 2 and above"),
            None,
            profiles=(Profile.TELEMATICS,),
        ),
        HighRiskCase(
            "10.2.1.1",
            _t("工业控制系统与企业其他系统之间网络隔离措施缺失", "ICS not isolated from the enterprise's other systems"),
            "L3-CNS5-01",
            _t("工业控制系统，二级及以上", "Industrial control systems, level 2 and above"),
            Mitigation(_t("仅适用于数据交换控制：边界设备具备工控协议内容检查且策略严格", "For data exchange only: a boundary device that inspects industrial protocols, with a strict policy")),
            profiles=(Profile.ICS_GATEWAY,),
        ),
        HighRiskCase(
            "10.2.1.2",
            _t("工业控制系统网络区域划分不当，区域间访问控制缺失", "ICS production network not divided into zones, or no access control between them"),
            "L3-CNS5-02",
            _t("工业控制系统，二级及以上", "Industrial control systems, level 2 and above"),
            Mitigation(_t("仅适用于区域间访问控制：各工控业务间数据传输受严格控制（如串口）", "For control between zones only: data between ICS businesses strictly controlled (serial links, for example)")),
            profiles=(Profile.ICS_GATEWAY,),
        ),
        HighRiskCase(
            "10.3.1.1",
            _t("工业控制系统与企业其他系统之间未限制通用网络服务", "E-mail, web, Telnet, Rlogin or FTP not restricted between the ICS and the enterprise"),
            "L3-ABS5-01",
            _t("工业控制系统，二级及以上", "Industrial control systems, level 2 and above"),
            None,
            profiles=(Profile.ICS_GATEWAY,),
        ),
    )
}


def case(case_id: str) -> HighRiskCase:
    return CASES[case_id]
