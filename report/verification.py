"""Verifying a signed report end to end, with one result an insurer can act on.

The steps, each of which can only make the result worse:

1. the envelope's form, within bounds (``report.envelope``);
2. every signature on its own: verified by a trusted key, bad, or untrusted;
3. the signed statement and the typed report it carries;
4. the rules: a report of another schema version, or judged by another
   catalogue, is refused (``unsupported``) before it is read: its findings name
   check ids whose titles and severities only that catalogue has;
5. the complete recheck: the report rebuilt from its evidence and
   declarations must be the signed one (``report.rederive``);
6. the insurer's policy (``report.policy``).

The outcome separates "broken" (``invalid``: exit 1) from "genuine but not
acceptable" (``policy_failed``: exit 4) and "cannot be checked by this
version" (``unsupported``: exit 5). No input makes this module raise.
"""

from __future__ import annotations

import datetime as dt
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Tuple

from checks.model import Text
from collectors.strictjson import TextEnum, to_json
from report.canonical import quick_loads
from report.envelope import (
    DEFAULT_MAX_BYTES,
    MAX_REPORT_VALUES,
    Envelope,
    SignatureCheck,
    SignatureStatus,
    check_signatures,
    load_statement,
    parse_envelope,
    read_statement,
)
from report.model import Report
from report.policy import Policy, RuleResult, asset_names, evaluate_policy
from report.signing import VerificationError
from report.trust import TrustedKey


class Outcome(TextEnum):
    VALID = "valid"
    INVALID = "invalid"
    POLICY_FAILED = "policy_failed"
    UNSUPPORTED = "unsupported"


EXIT_CODES: Dict[Outcome, int] = {Outcome.VALID: 0, Outcome.INVALID: 1, Outcome.POLICY_FAILED: 4, Outcome.UNSUPPORTED: 5}


@dataclass(frozen=True)
class Verification:
    """What verifying one envelope established."""

    source: str
    outcome: Outcome
    problems: Tuple[str, ...]  # why it is invalid or unsupported (empty when the report itself holds), in English
    signatures: Tuple[SignatureCheck, ...]
    report: Optional[Report]
    policy: Tuple[RuleResult, ...]
    envelope: Optional[Envelope] = None
    verified_at: str = ""
    # Whether the vulnerability verdicts were re-derived from the verifier's own feeds, and if not why ("" when
    # the report holds no vulnerability matching).
    vulnerabilities: str = ""
    vulnerabilities_rederived: bool = False
    problems_zh: Tuple[str, ...] = ()  # the problems in Chinese, one for one
    vulnerabilities_zh: str = ""

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.outcome]

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.VALID

    @property
    def reason(self) -> str:
        """The first problem, or the first failed policy rule."""
        return self.reason_in("en")

    def problems_in(self, lang: str) -> Tuple[str, ...]:
        if lang == "zh" and len(self.problems_zh) == len(self.problems):
            return self.problems_zh
        return self.problems

    def reason_in(self, lang: str) -> str:
        """:attr:`reason` in ``lang`` ("zh" or "en")."""
        problems = self.problems_in(lang)
        if problems:
            return problems[0]
        failed = [r for r in self.policy if not r.ok]
        if not failed:
            return ""
        return f"{'策略' if lang == 'zh' else 'policy'}: {failed[0].name_in(lang)}: {failed[0].detail_in(lang)}"

    @property
    def signers(self) -> List[TrustedKey]:
        return [s.key for s in self.signatures if s.counted and s.key is not None]

    def to_json(self) -> Dict[str, Any]:
        """The result as JSON (always an object, whatever the input was)."""
        out: Dict[str, Any] = {
            "source": self.source,
            "result": self.outcome.value,
            "valid": self.outcome is Outcome.VALID,
            "reason": self.reason or None,
            "problems": list(self.problems),
            "problems_zh": list(self.problems_in("zh")),
            "verified_at": self.verified_at,
            "signatures": [_signature_json(s) for s in self.signatures],
            "policy": [{"rule": r.rule, "ok": r.ok, "detail": r.detail, "detail_zh": r.detail_in("zh")} for r in self.policy],
            "vulnerabilities": {
                "rederived": self.vulnerabilities_rederived,
                "statement": self.vulnerabilities,
                "statement_zh": self.vulnerabilities_zh or self.vulnerabilities,
            }
            if self.vulnerabilities
            else None,
        }
        if self.report is not None:
            out["report"] = declared(self.report)
        return out


def _signature_json(s: SignatureCheck) -> Dict[str, Any]:
    data: Dict[str, Any] = {"position": s.position, "keyid": s.keyid, "status": s.status.value, "counted": s.counted}
    if s.key is not None and s.key.entry is not None:
        data["signer"] = to_json(s.key.entry)
        data["signer"].pop("public_key", None)
    elif s.key is not None:
        data["signer"] = {"source": s.key.source, "identity": None}
    return data


def declared(report: Report) -> Dict[str, Any]:
    """Everything the report states about how it was produced, for people and for ``--json``."""
    p = report.provenance
    return {
        "report_id": report.report_id,
        "subject": asset_names(report)[0],
        "target": to_json(report.target),
        "profile": report.profile.value,
        "started_at": report.run.started_at,
        "mode": report.run.mode,
        "privileged": report.run.privileged,
        "user": report.run.user,
        "tool_version": report.tool.version,
        "catalogue": to_json(p.catalogue),
        "scope": to_json(p.scope),
        "overrides": [to_json(o) for o in p.overrides],
        "questionnaire": to_json(p.questionnaire) if p.questionnaire is not None else None,
        "challenge": p.challenge,
        "previous_report": report.previous_report,
        "summary": {"findings": report.summary.total, **report.summary.by_status},
        "score": report.underwriting.insurer.score if report.underwriting is not None else None,
        "grade": report.underwriting.insurer.grade if report.underwriting is not None else None,
        "binding_blocked": report.underwriting.insurer.binding_blocked if report.underwriting is not None else None,
    }


def _utc(now: Optional[dt.datetime]) -> dt.datetime:
    return (now or dt.datetime.now(dt.timezone.utc)).astimezone(dt.timezone.utc)


def verify_bytes(
    data: bytes,
    trusted: Mapping[str, TrustedKey],
    policy: Optional[Policy] = None,
    *,
    source: str = "<envelope>",
    now: Optional[dt.datetime] = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    feeds_dir: Optional[Path] = None,
) -> Verification:
    """Verify one envelope's bytes. Never raises: every failure is in the result.

    ``feeds_dir``: the verifier's own vulnerability feeds. When they are the ones the report used (by
    sha256), its vulnerability matches are re-derived from the embedded package list, and a difference
    makes the report invalid; otherwise the result says that they were not re-derived, and why.
    """
    at = _utc(now)
    stamp = at.strftime("%Y-%m-%dT%H:%M:%SZ")
    sigs: Tuple[SignatureCheck, ...] = ()
    report: Optional[Report] = None
    env: Optional[Envelope] = None

    vulns: Tuple[str, bool, str] = ("", False, "")

    def result(outcome: Outcome, problems: List[Text], rules: Tuple[RuleResult, ...] = ()) -> Verification:
        en, zh = tuple(p.en for p in problems), tuple(p.zh for p in problems)
        statement, rederived, statement_zh = vulns
        return Verification(source, outcome, en, sigs, report, rules, env, stamp, statement, rederived, problems_zh=zh, vulnerabilities_zh=statement_zh)

    try:
        if not trusted:
            return result(Outcome.INVALID, [Text("没有给出受信任的公钥（--trust FILE 或 --key PUB）", "no trusted key was given (--trust FILE or --key PUB)")])
        env = parse_envelope(data, max_bytes)
        sigs = tuple(check_signatures(env, trusted))
        problems = _signature_problems(sigs, policy or Policy())
        if problems:
            return result(Outcome.INVALID, problems)
        from report.rederive import recheck, rederived_statement

        # A genuine report is the one its declarations rebuild, byte for byte: one comparison, for which a quick
        # parse is enough (what it reads differently from the strict one, canonical bytes never hold). Anything
        # else is parsed strictly, read in full and compared part by part, so that every difference is named.
        report = rederived_statement(env.payload, quick_loads(env.payload, MAX_REPORT_VALUES))
        if report is None:
            statement = load_statement(env.payload)
            unsupported = _unsupported(statement)
            if unsupported is not None:
                return result(Outcome.UNSUPPORTED, [Text(f"本版本无法核验此报告（结构版本或规则目录不同）：{unsupported}", unsupported)])
            report = read_statement(env.payload, statement)
            discrepancies = recheck(report)
            if discrepancies:
                listed = [Text(f"与其内嵌证据推导的结果不符：{d.text('zh')}", f"does not follow from its evidence: {d}") for d in discrepancies[:20]]
                if len(discrepancies) > 20:
                    more = len(discrepancies) - 20
                    listed.append(Text(f"……另有 {more} 处不同", f"… and {more} more differences"))
                return result(Outcome.INVALID, listed)
        vulns, mismatches = _vulnerabilities(report, feeds_dir)
        if mismatches:
            return result(
                Outcome.INVALID,
                [Text(f"漏洞匹配结果不能由漏洞库推导：{d}", f"vulnerability matches do not follow from the feeds: {d}") for d in mismatches[:20]],
            )
        rules = tuple(evaluate_policy(report, [s.key for s in sigs if s.counted and s.key is not None], policy or Policy(), at))
        return result(Outcome.POLICY_FAILED if any(not r.ok for r in rules) else Outcome.VALID, [], rules)
    except VerificationError as exc:
        return result(Outcome.INVALID, [Text(exc.zh, str(exc))])
    except (RecursionError, MemoryError) as exc:
        kind = type(exc).__name__
        return result(Outcome.INVALID, [Text(f"超出本核验程序的读取上限（{kind}）", f"could not be read within this verifier's limits ({kind})")])
    except Exception as exc:  # a verifier never says OK by accident, and never crashes on hostile input
        last = traceback.extract_tb(exc.__traceback__)[-1]
        at_ = f"{type(exc).__name__} at {last.name}:{last.lineno}"
        return result(Outcome.INVALID, [Text(f"无法核验：内部错误 {at_}", f"could not be verified: internal error {at_}")])


def _vulnerabilities(report: Report, feeds_dir: Optional[Path]) -> Tuple[Tuple[str, bool, str], Tuple[str, ...]]:
    """((statement, re-derived, statement in Chinese), differences) of the report's vulnerability matching against ``feeds_dir``."""
    from collectors.evidence import EvidenceStatus
    from collectors.vuln.facts import VULN

    host = any(e.collector == VULN.name and e.status is EvidenceStatus.OK for e in report.evidence)
    services = any(e.collector == "net.vulns" and e.status is EvidenceStatus.OK for e in report.evidence)
    if not host and not services:
        return ("", False, ""), ()
    if feeds_dir is None:
        return (
            "vulnerability verdicts were not re-derived: no feeds were given (verify --feeds DIR)",
            False,
            "漏洞判定未重新推导：没有给出漏洞库（verify --feeds DIR）",
        ), ()
    from collectors.net.vulns import rematch_services
    from collectors.vuln.collector import rematch

    results = ([rematch(report.evidence, feeds_dir)] if host else []) + [r for r in [rematch_services(report.evidence, feeds_dir)] if r is not None]
    statement = "; ".join(r.statement for r in results)
    statement_zh = "；".join(r.statement_zh or r.statement for r in results)
    return (statement, all(r.rederived for r in results), statement_zh), tuple(d for r in results for d in r.differences)


def _unsupported(statement: Any) -> Optional[str]:
    """Why this build cannot read the signed report at all (another schema or catalogue), or None.

    ``statement`` is the payload as parsed; anything else wrong with it is left to ``read_statement``, which names it.
    """
    from report.model import unsupported_reason

    predicate = statement.get("predicate") if isinstance(statement, dict) else None
    problem = unsupported_reason(predicate)
    return problem.message if problem is not None else None


def _signature_problems(sigs: Tuple[SignatureCheck, ...], policy: Policy) -> List[Text]:
    problems: List[Text] = []
    for s in sigs:
        if s.status is SignatureStatus.BAD and s.key is not None:
            problems.append(
                Text(
                    f"签名 {s.position} 声称出自 {s.key.label}，但验证不通过：签名封装被改动过",
                    f"signature {s.position} claims {s.key.label} but does not verify: the envelope was altered",
                )
            )
        elif s.status is SignatureStatus.UNTRUSTED and not policy.ignore_untrusted_signatures:
            problems.append(
                Text(
                    f"签名 {s.position} 出自密钥 {s.keyid[:16]}，该密钥不受信任（请将其加入信任库，或用 --ignore-untrusted-signatures 使其不计入）",
                    f"signature {s.position} is by key {s.keyid[:16]}, which is not trusted "
                    "(add it to the trust store, or pass --ignore-untrusted-signatures to leave it uncounted)",
                )
            )
    if not any(s.counted for s in sigs):
        ids = ", ".join(s.keyid[:16] for s in sigs)
        problems.insert(0, Text(f"没有受信任密钥的签名：报告的签名密钥 ID 为 {ids}", f"no signature by a trusted key: the report is signed by key id(s) {ids}"))
    return problems
