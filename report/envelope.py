"""Reading a signed report: bounded parsing, every signature accounted for, the statement re-derived.

The order is DSSE's: check the envelope's form, verify signatures over
PAE(payloadType, payload) with keys the caller trusts, and only then parse
the payload. Everything read here may be hostile, so every step is bounded
(file size, number of signatures, nesting and integer size) and every
malformed input ends in :class:`VerificationError` with a reason, never in an
exception the caller did not ask for.

riskagent envelopes are stricter than plain DSSE so that a signed report is
tamper-evident byte for byte: the envelope is in the one canonical form the
signer writes (no extra fields, canonical base64, sha256 key ids, one
signature per key), and the payload is exactly the canonical Statement the
report gives. Another producer's DSSE envelope is out of scope.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Mapping, NoReturn, Optional, Tuple

from collectors.strictjson import JsonShapeError, TextEnum
from report.canonical import CanonicalError, canonical_bytes, strict_loads
from report.model import SCHEMA_VERSION, Report
from report.signing import (
    PAYLOAD_TYPE,
    PREDICATE_TYPE,
    STATEMENT_TYPE,
    VerificationError,
    b64,
    pae,
    report_digest,
    statement_bytes,
    subject_name,
)
from report.trust import TrustedKey

DEFAULT_MAX_BYTES = 64 * 1024 * 1024
MAX_SIGNATURES = 16
MAX_REPORT_VALUES = 1_000_000  # a host report holds ~20,000; a scan of a whole /24 a few hundred thousand
_KEYID = re.compile(r"[0-9a-f]{64}")
ED25519_SIGNATURE_BYTES = 64


@dataclass(frozen=True)
class Envelope:
    """A DSSE envelope in riskagent's canonical form (not yet verified)."""

    payload_type: str
    payload: bytes
    signatures: Tuple[Tuple[str, str], ...]  # (keyid, base64 sig), in envelope order

    def signature_dicts(self) -> List[Dict[str, str]]:
        return [{"keyid": k, "sig": s} for k, s in self.signatures]


class SignatureStatus(TextEnum):
    VERIFIED = "verified"  # by a trusted key
    BAD = "bad"  # claims a trusted key but does not verify: tampering
    UNTRUSTED = "untrusted"  # by a key the verifier does not trust: not checked, never counted


@dataclass(frozen=True)
class SignatureCheck:
    position: int
    keyid: str
    status: SignatureStatus
    key: Optional[TrustedKey]

    @property
    def counted(self) -> bool:
        return self.status is SignatureStatus.VERIFIED


def read_bounded(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """A file's bytes, refusing anything larger than ``max_bytes`` before reading it."""
    try:
        with path.open("rb") as fh:
            size = _size(fh)
            if size is not None and size > max_bytes:
                raise VerificationError(
                    f"the file is {_mib(size)}, over the {_mib(max_bytes)} limit (--max-size)",
                    f"文件大小 {_mib(size)}，超过 {_mib(max_bytes)} 的上限（--max-size）",
                )
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise VerificationError(f"cannot read it: {exc.strerror or exc}", f"无法读取：{exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise VerificationError(f"the file is over the {_mib(max_bytes)} limit (--max-size)", f"文件超过 {_mib(max_bytes)} 的上限（--max-size）")
    return data


def _size(fh: Any) -> Optional[int]:
    import os
    import stat

    st = os.fstat(fh.fileno())
    return st.st_size if stat.S_ISREG(st.st_mode) else None


_TOO_DEEP = ("malformed report: nested deeper than this reader allows", "报告格式错误：嵌套层数超过本读取器的上限")


def _mib(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MiB"


def _strict_b64(value: str, field: str) -> bytes:
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise VerificationError(f"malformed envelope: {field} is not valid base64 ({exc})", f"签名封装格式错误：{field} 不是有效的 base64（{exc}）") from None
    if b64(raw) != value:
        raise VerificationError(f"malformed envelope: {field} is not in canonical base64 form", f"签名封装格式错误：{field} 不是规范的 base64 形式")
    return raw


def parse_envelope(data: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> Envelope:
    """The envelope's parts, after checking its form; nothing is trusted yet."""
    if len(data) > max_bytes:
        raise VerificationError(
            f"the envelope is {_mib(len(data))}, over the {_mib(max_bytes)} limit (--max-size)",
            f"签名封装大小 {_mib(len(data))}，超过 {_mib(max_bytes)} 的上限（--max-size）",
        )
    try:
        env = strict_loads(data, "envelope")
    except CanonicalError as exc:
        raise VerificationError(f"malformed envelope: {exc}", f"签名封装格式错误：{exc}") from None
    if not isinstance(env, dict):
        raise VerificationError("malformed envelope: top level is not a JSON object", "签名封装格式错误：顶层不是 JSON 对象")
    expected = {"payload", "payloadType", "signatures"}
    if set(env) != expected:
        extra = sorted(set(env) - expected)
        missing = sorted(expected - set(env))
        raise VerificationError(
            f"malformed envelope: missing fields {missing}, unexpected fields {extra}",
            f"签名封装格式错误：缺少字段 {missing}，多出字段 {extra}",
        )
    if not isinstance(env["payloadType"], str) or not isinstance(env["payload"], str):
        raise VerificationError("malformed envelope: payload and payloadType must be strings", "签名封装格式错误：payload 和 payloadType 必须是字符串")
    if env["payloadType"] != PAYLOAD_TYPE:
        raise VerificationError(
            f"wrong payload type {env['payloadType'][:80]!r}; expected {PAYLOAD_TYPE!r}",
            f"载荷类型 {env['payloadType'][:80]!r} 不对，应为 {PAYLOAD_TYPE!r}",
        )
    sigs = env["signatures"]
    if not isinstance(sigs, list) or not sigs:
        raise VerificationError("malformed envelope: signatures must be a non-empty list", "签名封装格式错误：signatures 必须是非空列表")
    if len(sigs) > MAX_SIGNATURES:
        raise VerificationError(
            f"malformed envelope: {len(sigs)} signatures; a riskagent envelope carries at most {MAX_SIGNATURES}",
            f"签名封装格式错误：共 {len(sigs)} 个签名，riskagent 的签名封装最多 {MAX_SIGNATURES} 个",
        )
    seen: Dict[str, int] = {}
    parsed: List[Tuple[str, str]] = []
    for i, s in enumerate(sigs):
        if not isinstance(s, dict) or set(s) != {"keyid", "sig"} or not all(isinstance(v, str) for v in s.values()):
            raise VerificationError(
                f"malformed envelope: signature {i} must have exactly string fields keyid and sig",
                f"签名封装格式错误：签名 {i} 必须恰好有字符串字段 keyid 和 sig",
            )
        if not _KEYID.fullmatch(s["keyid"]):
            raise VerificationError(
                f"malformed envelope: signature {i} has a key id that is not a sha256 hex digest",
                f"签名封装格式错误：签名 {i} 的密钥 ID 不是 sha256 十六进制摘要",
            )
        if s["keyid"] in seen:
            raise VerificationError(
                f"signatures {seen[s['keyid']]} and {i} are both by key {s['keyid'][:16]}: one signature per key is allowed",
                f"签名 {seen[s['keyid']]} 和 {i} 出自同一密钥 {s['keyid'][:16]}：每个密钥只允许一个签名",
            )
        seen[s["keyid"]] = i
        parsed.append((s["keyid"], s["sig"]))
    try:
        canonical = canonical_bytes(env) + b"\n"
    except CanonicalError as exc:
        raise VerificationError(f"malformed envelope: {exc}", f"签名封装格式错误：{exc}") from None
    if canonical != data:
        raise VerificationError(
            "envelope bytes are not in the canonical form riskagent writes (edited after signing?)",
            "签名封装的字节不是 riskagent 写出的规范形式（签名后被修改过？）",
        )
    payload = _strict_b64(env["payload"], "payload")
    return Envelope(env["payloadType"], payload, tuple(parsed))


def check_signatures(env: Envelope, trusted: Mapping[str, TrustedKey]) -> List[SignatureCheck]:
    """Each signature on its own: verified by a trusted key, bad (a trusted key that does not verify), or untrusted."""
    from cryptography.exceptions import InvalidSignature

    message = pae(env.payload_type, env.payload)
    out: List[SignatureCheck] = []
    for i, (keyid, sig_b64) in enumerate(env.signatures):
        key = trusted.get(keyid)
        sig = _strict_b64(sig_b64, f"signatures[{i}].sig")
        if key is None:
            out.append(SignatureCheck(i, keyid, SignatureStatus.UNTRUSTED, None))
            continue
        status = SignatureStatus.BAD
        if len(sig) == ED25519_SIGNATURE_BYTES:
            try:
                key.key.verify(sig, message)
                status = SignatureStatus.VERIFIED
            except InvalidSignature:
                pass
        out.append(SignatureCheck(i, keyid, status, key))
    return out


def load_statement(payload: bytes) -> Any:
    """The payload parsed strictly (bounded), not yet checked to be a Statement: parsed once, read by
    :func:`read_statement` and by whoever needs to look at it first (the verifier's schema and catalogue check)."""
    try:
        return strict_loads(payload, "signed statement", MAX_REPORT_VALUES)
    except CanonicalError as exc:
        raise VerificationError(f"malformed statement: {exc}", f"签名声明格式错误：{exc}") from None


def read_statement(payload: bytes, statement: Any = None) -> Report:
    """The report a verified payload carries; the payload must be exactly the Statement riskagent writes for it.

    ``statement``: the payload as :func:`load_statement` parsed it, when the caller has it already.
    """
    if statement is None:
        statement = load_statement(payload)
    if not isinstance(statement, dict) or statement.get("_type") != STATEMENT_TYPE:
        raise VerificationError(
            f"the signed payload is not an in-toto Statement v1 ({STATEMENT_TYPE})",
            f"签名载荷不是 in-toto Statement v1（{STATEMENT_TYPE}）",
        )
    extra = sorted(set(statement) - {"_type", "predicate", "predicateType", "subject"})
    if extra:
        raise VerificationError(f"malformed statement: unexpected fields {extra}", f"签名声明格式错误：多出字段 {extra}")
    if statement.get("predicateType") != PREDICATE_TYPE:
        shown = str(statement.get("predicateType"))[:80]
        raise VerificationError(f"wrong predicate type {shown!r}; expected {PREDICATE_TYPE!r}", f"谓词类型 {shown!r} 不对，应为 {PREDICATE_TYPE!r}")
    predicate = statement.get("predicate")
    if not isinstance(predicate, dict):
        raise VerificationError("the signed statement has no report predicate", "签名声明中没有报告谓词")
    schema = predicate.get("schema_version")
    if isinstance(schema, str) and schema != SCHEMA_VERSION:
        raise VerificationError(
            f"the report uses schema {schema[:20]!r}; this riskagent reads schema {SCHEMA_VERSION} (verify it with the riskagent version that wrote it)",
            f"报告使用结构版本 {schema[:20]!r}，本 riskagent 读取结构版本 {SCHEMA_VERSION}（请用写出该报告的 riskagent 版本核验）",
        )
    try:
        report = Report.from_json(predicate)
    except JsonShapeError as exc:
        raise VerificationError(f"malformed report: {exc}", f"报告格式错误：{exc}") from None
    except RecursionError:
        raise VerificationError(*_TOO_DEEP) from None
    if not _is_statement_of(report, payload):
        _explain_statement(report, statement, payload)
    return report


def _is_statement_of(report: Report, payload: bytes) -> bool:
    """Whether ``payload`` is byte for byte the Statement riskagent writes for ``report``: one encoding of the report.

    This implies each check :func:`_explain_statement` makes, so a genuine payload needs none of them. The
    payload was parsed strictly, so its predicate is then the parse of ``report.canonical``, and canonical JSON
    re-encodes to itself (sorted keys, no duplicates, no floats, one escaping): the predicate re-encodes to the
    bytes the typed report gives; and the subject parsed from the payload is the report's, name and digest.
    """
    try:
        return statement_bytes(report) == payload
    except (CanonicalError, RecursionError):
        return False  # a value canonical JSON cannot hold: named by _explain_statement


def _explain_statement(report: Report, statement: Dict[str, Any], payload: bytes) -> NoReturn:
    """Why ``payload`` is not the Statement of ``report``, each check in turn, raising at the first that fails."""
    predicate = statement["predicate"]
    try:
        signed_bytes = canonical_bytes(predicate)
    except CanonicalError as exc:
        raise VerificationError(f"malformed report: {exc}", f"报告格式错误：{exc}") from None
    except RecursionError:
        raise VerificationError(*_TOO_DEEP) from None
    if report.canonical != signed_bytes:
        raise VerificationError(
            "malformed report: it does not re-encode to the bytes that were signed (a field in a form riskagent never writes)",
            "报告格式错误：重新编码后与签名的字节不同（某个字段的写法 riskagent 从不使用）",
        )
    _check_subject(statement.get("subject"), report)
    statement_bytes(report)  # what cannot be encoded raises here, as it always has; otherwise it differs from the payload
    raise VerificationError("the signed statement is not in the canonical form riskagent writes", "签名声明不是 riskagent 写出的规范形式")


def _check_subject(subjects: Any, report: Report) -> None:
    """One subject: the asset the report is about, with the report's digest."""
    if not isinstance(subjects, list) or len(subjects) != 1 or not isinstance(subjects[0], dict):
        raise VerificationError("the statement must have exactly one subject: the assessed asset", "签名声明必须恰好有一个主体：被评估的资产")
    subject = subjects[0]
    name = subject.get("name")
    if name != subject_name(report):
        shown = str(name)[:80]
        raise VerificationError(
            f"the in-toto subject names {shown!r}, but the report is about {subject_name(report)!r}",
            f"in-toto 主体为 {shown!r}，但报告评估的是 {subject_name(report)!r}",
        )
    if subject.get("digest") != {"sha256": report_digest(report)}:
        raise VerificationError("the statement subject's digest does not match the report it carries", "签名声明主体的摘要与其携带的报告不符")
