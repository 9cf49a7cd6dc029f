"""Reading a report that a command will act on: verified first, or marked as unverified.

``plan``, ``export``, ``diff`` and ``questionnaire answer --report`` turn a
report into something people act on (a plan with owners, a SARIF upload, a
score change). A tampered envelope must not become a clean plan, so these
commands take a signed envelope and verify it completely (signatures, the
whole recheck) before reading it. An unsigned ``report.json`` needs
``--unverified``, and everything written from it then says so first.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Optional

from agent.errors import AgentError, UsageError

if TYPE_CHECKING:
    from report.model import Report
    from report.trust import TrustedKey
    from report.verification import Verification

EXIT_UNSUPPORTED = 5

UNVERIFIED_TEXT = {
    "zh": "未经验证：本输出来自未签名或未校验的报告，不能作为保险核验依据",
    "en": "UNVERIFIED: produced from an unsigned or unchecked report; not evidence an insurer can rely on",
}
POLICY_TEXT = {
    "zh": "不符合默认核验策略：报告签名与证据属实，但{reason}",
    "en": "OUTSIDE THE DEFAULT VERIFICATION POLICY: the report is genuine, but {reason}",
}


class InvalidInput(AgentError):
    """A signed report that does not verify: the command stops without writing anything."""

    exit_code = 1


class UnsupportedInput(AgentError):
    exit_code = EXIT_UNSUPPORTED


@dataclass(frozen=True)
class ReportInput:
    report: Report
    verification: Optional[Verification]  # None: read with --unverified

    @property
    def unverified(self) -> bool:
        return self.verification is None

    def marker(self, lang: str) -> Optional[str]:
        """What the first line of anything written from this report must say (None: nothing to warn of)."""
        key = "zh" if lang == "zh" else "en"
        if self.verification is None:
            return UNVERIFIED_TEXT[key]
        if not self.verification.ok:
            from report.terminal import safe_line

            return POLICY_TEXT[key].format(reason=safe_line(self.verification.reason_in(key)))
        return None


def _looks_like_envelope(data: bytes) -> bool:
    head = data[:200].lstrip()
    return head.startswith(b'{"payload"') or b'"payloadType"' in data[:4096] or b'"signatures"' in data[-65536:]


def _plain_report(data: bytes, path: Path) -> Report:
    from collectors.strictjson import JsonShapeError
    from report.canonical import CanonicalError, strict_loads
    from report.model import Report

    try:
        raw: Any = strict_loads(data, str(path))
        if isinstance(raw, dict) and set(raw) == {"payload", "payloadType", "signatures"}:
            import base64

            raw = strict_loads(base64.b64decode(str(raw["payload"]), validate=True), str(path))["predicate"]
        return Report.from_json(raw)
    except (CanonicalError, ValueError, KeyError, TypeError) as exc:
        detail = str(exc) if isinstance(exc, (CanonicalError, JsonShapeError)) else "no readable report inside"
        raise UsageError(f"{path} is not a riskagent report: {detail}") from None


def read_report(path: Path, trusted: Mapping[str, TrustedKey], *, unverified: bool, say_warning: Any = None) -> ReportInput:
    """The report at ``path``: a verified envelope, or (with ``unverified``) any report file, marked as such."""
    from report.envelope import read_bounded
    from report.signing import VerificationError
    from report.terminal import safe_line
    from report.verification import Outcome, verify_bytes

    try:
        data = read_bounded(path)
    except VerificationError as exc:
        raise UsageError(f"{path}: {exc}") from None
    if unverified:
        return ReportInput(_plain_report(data, path), None)
    if not trusted:
        raise UsageError(
            f"{path}: no trusted key to verify it with",
            "pass --trust TRUST_STORE.json or --key PUBLIC_KEY.pem (or --unverified for an unsigned report.json)",
        )
    if not _looks_like_envelope(data):
        raise UsageError(
            f"{path} is not a signed report (DSSE envelope)",
            "pass the report.dsse.json, or --unverified to read an unsigned report.json (the output is then marked UNVERIFIED)",
        )
    v = verify_bytes(data, trusted, source=str(path))
    if v.outcome is Outcome.UNSUPPORTED:
        raise UnsupportedInput(f"{path}: {safe_line(v.reason)}")
    if v.outcome is Outcome.INVALID or v.report is None:
        raise InvalidInput(f"{path} does not verify: {safe_line(v.reason)}", "nothing was written; check the file and the trusted keys")
    if v.outcome is Outcome.POLICY_FAILED and say_warning is not None:
        say_warning(f"warning: {path} is genuine but fails the default verification policy: {safe_line(v.reason)}")
    return ReportInput(v.report, v)
