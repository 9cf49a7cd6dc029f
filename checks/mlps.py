"""MLPS 2.0 level-3 technical test units (GB/T 28448-2019) the checks map to.

Unit ids follow ``L{level}-{layer}{n}-{nn}``; clauses are GB/T 22239-2019.
Only the units the agent can produce evidence for are listed. L3-CES1-16 does
not exist in the standard.
"""

from __future__ import annotations

from typing import Dict, Tuple

from checks.model import MlpsRef

# unit -> (clause, control point zh, control point en, levels)
_UNITS: Dict[str, Tuple[str, str, str, Tuple[int, ...]]] = {
    # 8.1.2 安全通信网络
    "L3-CNS1-06": ("8.1.2.2 a", "通信传输", "Communication transmission", (2, 3)),
    "L3-CNS1-07": ("8.1.2.2 b", "通信传输", "Communication transmission", (3,)),
    # 8.1.3 安全区域边界
    "L3-ABS1-01": ("8.1.3.1 a", "边界防护", "Boundary protection", (2, 3)),
    "L3-ABS1-05": ("8.1.3.2 a", "访问控制", "Access control", (2, 3)),
    "L3-ABS1-06": ("8.1.3.2 b", "访问控制", "Access control", (2, 3)),
    "L3-ABS1-10": ("8.1.3.3 a", "入侵防范", "Intrusion prevention", (2, 3)),
    "L3-ABS1-16": ("8.1.3.5 a", "安全审计", "Security audit", (2, 3)),
    # 8.1.4 安全计算环境
    "L3-CES1-01": ("8.1.4.1 a", "身份鉴别", "Identification and authentication", (2, 3)),
    "L3-CES1-02": ("8.1.4.1 b", "身份鉴别", "Identification and authentication", (2, 3)),
    "L3-CES1-03": ("8.1.4.1 c", "身份鉴别", "Identification and authentication", (2, 3)),
    "L3-CES1-04": ("8.1.4.1 d", "身份鉴别", "Identification and authentication", (3,)),
    "L3-CES1-05": ("8.1.4.2 a", "访问控制", "Access control", (2, 3)),
    "L3-CES1-06": ("8.1.4.2 b", "访问控制", "Access control", (2, 3)),
    "L3-CES1-07": ("8.1.4.2 c", "访问控制", "Access control", (2, 3)),
    "L3-CES1-08": ("8.1.4.2 d", "访问控制", "Access control", (2, 3)),
    "L3-CES1-09": ("8.1.4.2 e", "访问控制", "Access control", (3,)),
    "L3-CES1-10": ("8.1.4.2 f", "访问控制", "Access control", (3,)),
    "L3-CES1-11": ("8.1.4.2 g", "访问控制", "Access control", (3,)),
    "L3-CES1-12": ("8.1.4.3 a", "安全审计", "Security audit", (2, 3)),
    "L3-CES1-13": ("8.1.4.3 b", "安全审计", "Security audit", (2, 3)),
    "L3-CES1-14": ("8.1.4.3 c", "安全审计", "Security audit", (2, 3)),
    "L3-CES1-15": ("8.1.4.3 d", "安全审计", "Security audit", (3,)),
    "L3-CES1-17": ("8.1.4.4 a", "入侵防范", "Intrusion prevention", (2, 3)),
    "L3-CES1-18": ("8.1.4.4 b", "入侵防范", "Intrusion prevention", (2, 3)),
    "L3-CES1-19": ("8.1.4.4 c", "入侵防范", "Intrusion prevention", (2, 3)),
    "L3-CES1-20": ("8.1.4.4 d", "入侵防范", "Intrusion prevention", (2, 3)),
    "L3-CES1-21": ("8.1.4.4 e", "入侵防范", "Intrusion prevention", (2, 3)),
    "L3-CES1-22": ("8.1.4.4 f", "入侵防范", "Intrusion prevention", (3,)),
    "L3-CES1-23": ("8.1.4.5 a", "恶意代码防范", "Malicious code prevention", (2, 3)),
    "L3-CES1-24": ("8.1.4.6 a", "可信验证", "Trusted verification", (2, 3)),
    "L3-CES1-25": ("8.1.4.7 a", "数据完整性", "Data integrity", (2, 3)),
    "L3-CES1-26": ("8.1.4.7 b", "数据完整性", "Data integrity", (3,)),
    "L3-CES1-27": ("8.1.4.8 a", "数据保密性", "Data confidentiality", (3,)),
    "L3-CES1-28": ("8.1.4.8 b", "数据保密性", "Data confidentiality", (3,)),
    "L3-CES1-29": ("8.1.4.9 a", "数据备份恢复", "Data backup and recovery", (2, 3)),
    "L3-CES1-30": ("8.1.4.9 b", "数据备份恢复", "Data backup and recovery", (2, 3)),
    "L3-CES1-32": ("8.1.4.10 a", "剩余信息保护", "Residual information protection", (2, 3)),
    # 8.4 物联网扩展 and 8.5 工业控制系统扩展. GB/T 28448 numbers extension units in the
    # order of the control points; the numbering below follows that order.
    "L3-ABS4-01": ("8.4.3.1 a", "接入控制", "Access control (IoT)", (2, 3)),
    "L3-ABS4-02": ("8.4.3.2 a", "入侵防范", "Intrusion prevention (IoT)", (2, 3)),
    "L3-ABS4-03": ("8.4.3.2 b", "入侵防范", "Intrusion prevention (IoT)", (2, 3)),
    "L3-CES4-01": ("8.4.4.1 a", "感知节点设备安全", "Sensor node security", (3,)),
    "L3-CES4-04": ("8.4.4.2 a", "网关节点设备安全", "Gateway node security", (3,)),
    "L3-CES4-05": ("8.4.4.2 b", "网关节点设备安全", "Gateway node security", (3,)),
    "L3-CES4-06": ("8.4.4.2 c", "网关节点设备安全", "Gateway node security", (3,)),
    "L3-CES4-07": ("8.4.4.2 d", "网关节点设备安全", "Gateway node security", (3,)),
    "L3-CNS5-01": ("8.5.2.1 a", "网络架构", "Network architecture (ICS)", (2, 3)),
    "L3-CNS5-02": ("8.5.2.1 b", "网络架构", "Network architecture (ICS)", (2, 3)),
    "L3-CNS5-03": ("8.5.2.1 c", "网络架构", "Network architecture (ICS)", (3,)),
    "L3-CNS5-04": ("8.5.2.2 a", "通信传输", "Communication transmission (ICS)", (2, 3)),
    "L3-ABS5-01": ("8.5.3.1 a", "访问控制", "Access control (ICS)", (2, 3)),
    "L3-ABS5-02": ("8.5.3.1 b", "访问控制", "Access control (ICS)", (2, 3)),
    "L3-CES5-01": ("8.5.4.1 a", "控制设备安全", "Control device security", (2, 3)),
    "L3-CES5-02": ("8.5.4.1 b", "控制设备安全", "Control device security", (2, 3)),
    "L3-CES5-03": ("8.5.4.1 c", "控制设备安全", "Control device security", (3,)),
    "L3-CES5-04": ("8.5.4.1 d", "控制设备安全", "Control device security", (3,)),
    "L3-CES5-05": ("8.5.4.1 e", "控制设备安全", "Control device security", (3,)),
    # 8.1.5 安全管理中心
    "L3-SMC1-09": ("8.1.5.4 c", "集中管控", "Centralised control", (3,)),
    "L3-SMC1-11": ("8.1.5.4 e", "集中管控", "Centralised control", (3,)),
}


def ref(unit: str) -> MlpsRef:
    """The :class:`MlpsRef` for ``unit``; unknown units are a programming error."""
    clause, _zh, _en, levels = _UNITS[unit]
    return MlpsRef(unit, clause, levels)


def refs(*units: str) -> Tuple[MlpsRef, ...]:
    return tuple(ref(u) for u in units)


def control_point(unit: str) -> Tuple[str, str]:
    """(zh, en) name of the control point a unit belongs to."""
    _clause, zh, en, _levels = _UNITS[unit]
    return zh, en
