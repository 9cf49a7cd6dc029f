"""Verifying a signed claim (``riskagent claim verify``): the signature, the signer's trust window, the claim's format
and its canonical form, and that the plain ``claim.json`` beside it is the signed claim.

The claim is a signed format: its fields' shapes are fixed per ``report.claim.CLAIM_FORMAT``. A genuine claim of
another format (format 1 had English-only notes, gap details and timeline texts; format 2 an English-only reason for
each file left out) is not malformed, it is another riskagent's: it is refused as unsupported with what to do, never
read into this build's shapes.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Tuple

from collectors.strictjson import JsonShapeError, from_json
from report.application import Problem, Severity, _signatures, outcome_of
from report.canonical import CanonicalError, strict_loads
from report.claim import CLAIM_FORMAT, CLAIM_PREDICATE, Claim, claim_payload, parse_utc
from report.signing import STATEMENT_TYPE, VerificationError
from report.trust import TrustedKey, window_problem

ENVELOPE_NAME = "claim.dsse.json"
JSON_NAME = "claim.json"
MAX_CLAIM_VALUES = 1_000_000


class ClaimFormatError(VerificationError):
    """A genuine claim of a format this build does not read (``found``: its format)."""

    def __init__(self, found: int) -> None:
        if found < CLAIM_FORMAT:
            text = f"this claim was made by an older riskagent (format {found}); this riskagent reads claim format {CLAIM_FORMAT}: re-run riskagent claim to make it again"
        else:
            text = f"this claim was made by a newer riskagent (format {found}); this riskagent reads claim format {CLAIM_FORMAT}: verify it with that riskagent"
        super().__init__(text)
        self.found = found


def read_claim(payload: bytes) -> Claim:
    """The claim a verified payload carries, in the one canonical form riskagent writes."""
    try:
        data = strict_loads(payload, "signed claim", MAX_CLAIM_VALUES)
    except CanonicalError as exc:
        raise VerificationError(f"malformed claim: {exc}") from None
    if not isinstance(data, dict) or data.get("_type") != STATEMENT_TYPE:
        raise VerificationError("the signed payload is not an in-toto Statement v1")
    if data.get("predicateType") != CLAIM_PREDICATE:
        raise VerificationError(f"this is not a claim: its predicate type is {str(data.get('predicateType'))[:80]!r}")
    predicate = data.get("predicate")
    if not isinstance(predicate, dict):
        raise VerificationError("malformed claim: the predicate is not an object")
    found = predicate.get("format")
    if found != CLAIM_FORMAT:
        if type(found) is int and found >= 1:
            raise ClaimFormatError(found)
        raise VerificationError(f"malformed claim: format {str(found)[:20]!r}")
    try:
        claim = from_json(Claim, predicate, "$.predicate")
    except JsonShapeError as exc:
        raise VerificationError(f"malformed claim: {exc}") from None
    if claim_payload(claim) != payload:
        raise VerificationError("the claim statement is not in the canonical form riskagent writes (edited after signing?)")
    return claim


@dataclass(frozen=True)
class ClaimVerification:
    source: str
    outcome: Any  # report.verification.Outcome
    problems: Tuple[Problem, ...]
    claim: Optional[Claim]
    signer: Optional[TrustedKey]
    verified_at: str
    other_format: Optional[int] = None  # a genuine claim of this format, which this build does not read

    @property
    def exit_code(self) -> int:
        from report.verification import EXIT_CODES

        return int(EXIT_CODES[self.outcome])

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> Dict[str, Any]:
        """Both languages of the claim's texts, as it is signed."""
        return {
            "source": self.source,
            "kind": "claim",
            "result": str(self.outcome),
            "valid": self.ok,
            "reason": self.problems[0].text if self.problems else None,
            "problems": [{"severity": str(p.severity), "text": p.text} for p in self.problems],
            "verified_at": self.verified_at,
            "signer": None if self.signer is None else {"keyid": self.signer.keyid, "label": self.signer.label},
            "format": self.other_format if self.other_format is not None else (None if self.claim is None else self.claim.format),
            "claim": None if self.claim is None else self.claim.as_json(),
        }


def _window(signer: TrustedKey, claim: Claim, now: dt.datetime) -> List[Problem]:
    entry = signer.entry
    if entry is None:
        return []
    try:
        prepared = parse_utc(claim.prepared_at, "prepared_at")
    except ValueError as exc:
        return [Problem(Severity.INVALID, f"the claim's time: {exc}")]
    out = []
    for moment, what in ((prepared, "the claim's time"), (now, "now")):
        why = window_problem(entry, moment, what)
        if why:
            out.append(Problem(Severity.POLICY, why))
    return out


def _plain_copy(path: Path, claim: Claim) -> List[Problem]:
    """claim.json beside the envelope must be the signed claim (it is what people and tools read)."""
    try:
        plain = json.loads(path.read_bytes())
    except (OSError, ValueError) as exc:
        return [Problem(Severity.INVALID, f"{JSON_NAME}: cannot be read as JSON ({exc})")]
    if plain != claim.as_json():
        return [Problem(Severity.INVALID, f"{JSON_NAME} differs from the signed claim in {ENVELOPE_NAME}: it was edited (the signed claim is authoritative)")]
    return []


def verify_claim(path: Path, trusted: Mapping[str, TrustedKey], *, now: Optional[dt.datetime] = None) -> ClaimVerification:
    """Verify a claim directory (claim.dsse.json, and claim.json when present) or a claim envelope; never raises for
    what the files hold."""
    from report.envelope import check_signatures, parse_envelope, read_bounded

    at = (now or dt.datetime.now(dt.timezone.utc)).astimezone(dt.timezone.utc)
    stamp = at.strftime("%Y-%m-%dT%H:%M:%SZ")
    envelope = path / ENVELOPE_NAME if path.is_dir() else path

    def result(problems: List[Problem], claim: Optional[Claim] = None, signer: Optional[TrustedKey] = None, other: Optional[int] = None) -> ClaimVerification:
        return ClaimVerification(str(path), outcome_of(problems), tuple(problems), claim, signer, stamp, other)

    if not envelope.is_file():
        return result([Problem(Severity.INVALID, f"no claim at {path} (expected {ENVELOPE_NAME} or a directory holding it)")])
    try:
        env = parse_envelope(read_bounded(envelope))
    except VerificationError as exc:
        return result([Problem(Severity.INVALID, f"{envelope.name}: {exc}")])
    signer, problems = _signatures(check_signatures(env, trusted), envelope.name)
    if signer is None and not problems:
        problems.append(Problem(Severity.INVALID, f"{envelope.name}: no signature by a trusted key"))
    if problems:
        return result(problems)
    assert signer is not None
    try:
        claim = read_claim(env.payload)
    except ClaimFormatError as exc:
        return result([Problem(Severity.UNSUPPORTED, str(exc))], None, signer, exc.found)
    except VerificationError as exc:
        return result([Problem(Severity.INVALID, f"{envelope.name}: {exc}")], None, signer)
    if path.is_dir() and (path / JSON_NAME).exists():
        problems += _plain_copy(path / JSON_NAME, claim)
    problems += _window(signer, claim, at)
    return result(problems, claim, signer)


_T: Dict[str, Tuple[str, str]] = {
    "valid": ("有效", "VALID"),
    "invalid": ("无效", "INVALID"),
    "policy_failed": ("签名真实，但不符合信任策略", "GENUINE, BUT OUTSIDE THE TRUST POLICY"),
    "unsupported": ("不支持", "UNSUPPORTED"),
    "problems": ("问题", "problems"),
    "signed_by": ("签名人", "signed by"),
    "older": (
        "该理赔事实报告由较早版本的 riskagent 生成（格式 {found}），本版本读取格式 {format}：请用本版本重新运行 riskagent claim 生成",
        "this claim was made by an older riskagent (format {found}); this riskagent reads claim format {format}: re-run riskagent claim to make it again",
    ),
    "newer": (
        "该理赔事实报告由较新版本的 riskagent 生成（格式 {found}），本版本读取格式 {format}：请用该版本核验",
        "this claim was made by a newer riskagent (format {found}); this riskagent reads claim format {format}: verify it with that riskagent",
    ),
}


def _t(key: str, lang: str) -> str:
    zh, en = _T[key]
    return zh if lang == "zh" else en


def verification_lines(v: ClaimVerification, lang: str) -> List[str]:
    """A claim's verification in words (zh or en), with the claim's summary and notes in that language; every string
    from the files made terminal-safe."""
    from report.claim_render import claim_summary_lines
    from report.terminal import safe_line as s

    lines = [f"{_t(str(v.outcome), lang)}  {s(v.source)}"]
    if v.other_format is not None:
        key = "older" if v.other_format < CLAIM_FORMAT else "newer"
        lines.append("  " + _t(key, lang).format(found=v.other_format, format=CLAIM_FORMAT))
    elif v.problems:
        lines.append(f"  {_t('problems', lang)}:")
        lines += [f"    - {s(p.text)}" for p in v.problems[:40]]
    if v.signer is not None:
        lines.append(f"  {_t('signed_by', lang)}: {s(v.signer.label)}, key {v.signer.keyid[:16]}")
    if v.claim is not None:
        lines += [s(line) for line in claim_summary_lines(v.claim, lang)]
    return lines
