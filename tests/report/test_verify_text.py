"""The verifier speaks Chinese to a Chinese reader: problems, policy rules and the report summary.

The English problems stay the stored and exchanged form (``--json``, the intake, claims); ``problems_zh``
says the same one for one. The source guards at the end fail when a new problem is written in English only.
"""

from __future__ import annotations

import ast
import datetime as dt
import re
from pathlib import Path
from typing import List

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from report.model import Report
from report.policy import Policy
from report.signing import sign_report
from report.trust import Role
from report.verification import Outcome, Verification, verify_bytes
from report.verify_text import verification_lines
from tests.hosts import edited, trusted_for

NOW = dt.datetime(2026, 1, 2, tzinfo=dt.timezone.utc)
ROOT = Path(__file__).resolve().parents[2]
CJK = re.compile(r"[\u4e00-\u9fff]")


DEFAULT_POLICY = Policy()


def verify(data: bytes, key: Ed25519PrivateKey, policy: Policy = DEFAULT_POLICY) -> Verification:
    return verify_bytes(data, trusted_for(key), policy, now=NOW)


def said_in_both(v: Verification) -> None:
    """Every problem is there in Chinese, one for one, and the Chinese is not the English copied."""
    assert v.problems and len(v.problems_zh) == len(v.problems), (v.problems, v.problems_zh)
    for zh, en in zip(v.problems_zh, v.problems):
        assert CJK.search(zh) and zh != en, zh


def test_a_dropped_finding_is_named_in_chinese(genuine: Report, key: Ed25519PrivateKey) -> None:
    gone = next(f for f in genuine.findings if f.status.value == "fail").check_id
    forged = edited(genuine, lambda d: d.update(findings=[f for f in d["findings"] if f["status"] != "fail"]))
    v = verify(sign_report(forged, key), key)
    assert v.outcome is Outcome.INVALID
    said_in_both(v)
    assert f"与其内嵌证据推导的结果不符：检查结果 {gone}：报告中缺少这项结果（证据给出的是 fail）" in v.problems_zh
    lines = "\n".join(verification_lines(v, "zh"))
    assert lines.startswith("无效") and "问题:" in lines and "missing from the report" not in lines
    assert f"finding {gone}: missing from the report (the evidence gives fail)" in "\n".join(verification_lines(v, "en"))


def test_an_edited_envelope_is_named_in_chinese(genuine: Report, key: Ed25519PrivateKey) -> None:
    v = verify(sign_report(genuine, key).replace(b'{"payload"', b'{ "payload"', 1), key)
    said_in_both(v)
    assert v.problems_zh == ("签名封装的字节不是 riskagent 写出的规范形式（签名后被修改过？）",)
    assert v.reason_in("zh") == v.problems_zh[0] and v.reason == v.problems[0]


def test_an_untrusted_signer_is_named_in_chinese(genuine: Report, key: Ed25519PrivateKey) -> None:
    v = verify(sign_report(genuine, Ed25519PrivateKey.generate()), key)
    said_in_both(v)
    assert v.problems_zh[0].startswith("没有受信任密钥的签名")


def test_policy_rules_read_in_chinese(genuine: Report, key: Ed25519PrivateKey) -> None:
    policy = Policy(max_age_s=3600, require_roles=(Role.INSURER,))
    v = verify(sign_report(genuine, key), key, policy)
    assert v.outcome is Outcome.POLICY_FAILED and v.problems == v.problems_zh == ()
    zh = verification_lines(v, "zh")
    assert "    不通过 签名角色: 没有受信任的保险方签名" in zh
    assert any(line.startswith("    不通过 最长时效: 生成于 ") and "（最多允许 1.0 小时）" in line for line in zh), zh
    assert v.reason_in("zh") == "策略: 最长时效: " + v.policy[0].detail_zh
    assert "    FAIL roles: no signature by a trusted insurer" in verification_lines(v, "en")
    data = v.to_json()
    assert [r["detail_zh"] for r in data["policy"]] == [r.detail_zh for r in v.policy]


def test_the_summary_of_a_valid_report_reads_in_chinese(genuine: Report, key: Ed25519PrivateKey) -> None:
    v = verify(sign_report(genuine, key), key)
    assert v.outcome is Outcome.VALID, v.problems
    result = next(line for line in verification_lines(v, "zh") if line.startswith("  评估结果: "))
    assert "项检查结果" in result and "未通过" in result and "评分" in result
    assert not re.search(r"\b(findings|score|pass|fail)\b", result), result


# ------------------------------------------------------------------------------------------ source guards


def _calls(path: str, name: str) -> List[ast.Call]:
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    return [n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == name]


def _args(call: ast.Call) -> int:
    return len(call.args) + len(call.keywords) + sum(1 for a in call.args if isinstance(a, ast.Starred))


def test_every_envelope_problem_has_its_chinese() -> None:
    calls = _calls("report/envelope.py", "VerificationError")
    assert len(calls) >= 30
    lacking = [c.lineno for c in calls if _args(c) < 2]
    assert not lacking, f"report/envelope.py: VerificationError without Chinese text at lines {lacking}"


def test_every_recheck_difference_has_its_chinese() -> None:
    """A Discrepancy names where and what in both languages; an empty ``where_zh`` keeps a section's own name."""
    calls = _calls("report/rederive.py", "Discrepancy") + _calls("report/rederive.py", "RederiveError")
    assert len(calls) >= 15
    lacking = [c.lineno for c in calls if _args(c) < 4]
    assert not lacking, f"report/rederive.py: a difference without Chinese text at lines {lacking}"
