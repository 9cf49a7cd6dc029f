"""Signed attestations and the insurance application package: the model, building it, verifying it.

Two in-toto Statements, each in a DSSE envelope of the canonical form
``report.signing`` writes (so ``report.envelope`` reads them):

* a **questionnaire attestation** (:data:`ATTESTATION_PREDICATE`): the person
  who answers for the organisation signs the answers file with their own key.
  It records who (name, job title, key id, organisation), when (UTC), the
  answers file (name, size, sha256 and its text) and the 真实性承诺 they
  accepted, by versioned id and in both languages. Its subject is the answers
  file by digest;
* the **application** (:data:`APPLICATION_PREDICATE`), signed by the
  applicant: the profile (投保人信息 and 保障需求), the organisation-level
  questionnaire answers and the coverage view, the verified assessment reports
  (by the sha256 of their canonical report and of their envelope, envelopes
  embedded), the attestations (embedded), the supporting documents by name,
  size and sha256 (the files lie beside the package), and the applicant's
  责任声明. Its subjects are the organisation (``org:<统一社会信用代码>``,
  with the predicate's digest) and every attachment.

An insurer trusts none of the derived parts: :func:`verify_application`
re-verifies every embedded report and attestation, recomputes the
organisation answers and the coverage view from them, and hashes every
attachment on disk; a difference is named. Keys are trusted through the
insurer's trust store (``report.trust``): the applicant's key must be bound
to the applicant's 统一社会信用代码, an attester's key to it as well (or be an
assessor's key whose targets cover ``org:<code>``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from collectors.digest import sha256_hex
from collectors.strictjson import JSON, JsonShapeError, TextEnum, from_json, json_field, to_json
from report.canonical import CanonicalError, canonical_bytes, strict_loads
from report.envelope import DEFAULT_MAX_BYTES, SignatureCheck, SignatureStatus, check_signatures, parse_envelope
from report.policy import Policy
from report.signing import STATEMENT_TYPE, VerificationError
from report.trust import Role, TrustedKey, matches, parse_time, window_problem_text

if TYPE_CHECKING:
    from questionnaires.applicant import ApplicantProfile
    from questionnaires.model import Answer, Questionnaire
    from report.coverage import CoverageView
    from report.model import Report

APPLICATION_PREDICATE = "urn:riskagent:predicate:application:v1"
ATTESTATION_PREDICATE = "urn:riskagent:predicate:questionnaire-attestation:v1"
ASSESSMENT_PREDICATE = "urn:riskagent:predicate:assessment:v1"  # report.signing.PREDICATE_TYPE
CLOCK_SKEW_S = 300
MAX_APPLICATION_VALUES = 2_000_000
MAX_ANSWERS_TEXT = 4 * 1024 * 1024
_SHA256 = re.compile(r"[0-9a-f]{64}", re.ASCII)
_UTC = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z", re.ASCII)


# ------------------------------------------------------------------------------------------ declarations


@dataclass(frozen=True)
class Declaration:
    """A declaration a person accepts by signing, by versioned id and in both languages.

    The wording follows the pilot notice's 真实性承诺 and 申报主体责任声明 (工信厅网安函〔2023〕356号,
    附件 1-4) in riskagent's own words. A signed text must be exactly the text of its id: an insurer
    then knows what was accepted from the id alone.
    """

    id: str
    zh: str
    en: str

    def get(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


TRUTHFULNESS = Declaration(
    id="riskagent:declaration:truthfulness:1",
    zh=(
        "真实性承诺：本人确认，所签署的问卷答案真实、完整、准确，据本人所知没有虚假记载、误导性陈述或重大遗漏；"
        "情况发生变化时将及时告知保险人。如有不实，本人及所代表的单位愿承担相应责任，"
        "并知悉不实陈述可能使保险人解除保险合同或不承担保险责任。"
    ),
    en=(
        "Declaration of truthfulness: I confirm that the questionnaire answers I sign are true, complete and accurate, "
        "with no false, misleading or materially incomplete statement to the best of my knowledge, and that I will tell "
        "the insurer when anything in them changes. If any of it proves untrue, I and the organisation I represent accept "
        "the responsibility that follows, and I understand that a misstatement may allow the insurer to void the policy "
        "or decline a claim."
    ),
)

APPLICANT_RESPONSIBILITY = Declaration(
    id="riskagent:declaration:applicant-responsibility:1",
    zh=(
        "责任声明：本单位对本投保申请所附全部材料（投保人信息、保障需求、风险评估问卷、安全评估报告及证明材料）的真实性、"
        "完整性负责；申请所涉内容和程序符合国家有关法律法规要求，所附材料不涉及国家秘密；所填文字和材料已经审核，确认无误。"
        "本单位对违反上述声明所导致的后果承担全部法律责任。"
    ),
    en=(
        "Declaration of responsibility: the applicant is responsible for the truth and completeness of everything in "
        "this application (applicant information, coverage requested, risk questionnaire, security assessment reports "
        "and supporting documents); its content and the way it was prepared comply with the applicable laws and "
        "regulations, and none of it contains state secrets; the text and documents have been reviewed and are "
        "confirmed to be correct. The applicant bears full legal responsibility for the consequences of any breach of "
        "this declaration."
    ),
)

DECLARATIONS: Dict[str, Declaration] = {d.id: d for d in (TRUTHFULNESS, APPLICANT_RESPONSIBILITY)}


def declaration_problem(signed: Declaration, expected: Declaration, what: str, what_zh: str) -> Optional[VerificationError]:
    """Why a signed declaration is not ``expected`` word for word (None if it is)."""
    if signed.id != expected.id:
        known = DECLARATIONS.get(signed.id)
        if known is None:
            return VerificationError(
                f"{what} accepted declaration {signed.id[:80]!r}, which this riskagent does not know (expected {expected.id})",
                f"{what_zh}接受的声明 {signed.id[:80]!r} 不为本 riskagent 所知（应为 {expected.id}）",
            )
        return VerificationError(f"{what} accepted declaration {signed.id}, not {expected.id}", f"{what_zh}接受的声明是 {signed.id}，不是 {expected.id}")
    if (signed.zh, signed.en) != (expected.zh, expected.en):
        return VerificationError(
            f"{what} carries a text under declaration id {signed.id} that is not that declaration's text",
            f"{what_zh}在声明 {signed.id} 名下的文字不是该声明的原文",
        )
    return None


# ------------------------------------------------------------------------------------------ statements


def utc_now() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _utc(text: str, what: str) -> dt.datetime:
    if not _UTC.fullmatch(text):
        raise VerificationError(f"{what}: {text[:40]!r} is not a UTC time YYYY-MM-DDTHH:MM:SSZ", f"{what}：{text[:40]!r} 不是 YYYY-MM-DDTHH:MM:SSZ 形式的 UTC 时间")
    try:
        return parse_time(text)
    except ValueError:
        raise VerificationError(f"{what}: {text[:40]!r} is not a valid time", f"{what}：{text[:40]!r} 不是有效的时间") from None


def statement(predicate_type: str, predicate: Mapping[str, JSON], subjects: Sequence[Tuple[str, str]]) -> bytes:
    """Canonical bytes of an in-toto Statement v1 (subjects as (name, sha256))."""
    return canonical_bytes(
        {
            "_type": STATEMENT_TYPE,
            "predicate": dict(predicate),
            "predicateType": predicate_type,
            "subject": [{"digest": {"sha256": d}, "name": n} for n, d in subjects],
        }
    )


def predicate_type_of(payload: bytes) -> Optional[str]:
    """The predicateType a (not yet verified) payload names, to route it; None if it names none."""
    try:
        data = strict_loads(payload, "signed statement", MAX_APPLICATION_VALUES)
    except CanonicalError:
        return None
    value = data.get("predicateType") if isinstance(data, dict) else None
    return value if isinstance(value, str) else None


def _read_statement(payload: bytes, predicate_type: str, what: str) -> Tuple[Dict[str, Any], List[Dict[str, Any]]]:
    """The predicate and subjects of a verified payload that must be a canonical Statement of ``predicate_type``."""
    try:
        data = strict_loads(payload, f"signed {what}", MAX_APPLICATION_VALUES)
    except CanonicalError as exc:
        raise VerificationError(f"malformed {what}: {exc}", f"{_zh(what)}格式错误：{exc}") from None
    if not isinstance(data, dict) or data.get("_type") != STATEMENT_TYPE:
        raise VerificationError(f"the signed payload of the {what} is not an in-toto Statement v1", f"{_zh(what)}的签名载荷不是 in-toto Statement v1")
    if set(data) != {"_type", "predicate", "predicateType", "subject"}:
        raise VerificationError(f"malformed {what}: the statement has fields {sorted(data)}", f"{_zh(what)}格式错误：声明的字段为 {sorted(data)}")
    if data["predicateType"] != predicate_type:
        found = str(data["predicateType"])
        kind = KINDS.get(found, repr(found[:80]))
        kind_zh = KINDS_ZH.get(found, repr(found[:80]))
        raise VerificationError(f"this is {kind}, not {KINDS[predicate_type]}", f"这是{kind_zh}，不是{KINDS_ZH[predicate_type]}")
    if not isinstance(data["predicate"], dict) or not isinstance(data["subject"], list) or not data["subject"]:
        raise VerificationError(f"malformed {what}: no predicate or no subject", f"{_zh(what)}格式错误：没有谓词或没有主体")
    for s in data["subject"]:
        if (
            not isinstance(s, dict)
            or set(s) != {"name", "digest"}
            or not isinstance(s["name"], str)
            or not isinstance(s["digest"], dict)
        ):
            raise VerificationError(f"malformed {what}: a subject is not {{name, digest}}", f"{_zh(what)}格式错误：有主体不是 {{name, digest}}")
    return data["predicate"], data["subject"]


KINDS = {
    ASSESSMENT_PREDICATE: "an assessment report",
    ATTESTATION_PREDICATE: "a questionnaire attestation",
    APPLICATION_PREDICATE: "an insurance application",
}
KINDS_ZH = {
    ASSESSMENT_PREDICATE: "评估报告",
    ATTESTATION_PREDICATE: "问卷声明",
    APPLICATION_PREDICATE: "投保申请",
}
# The documents and files problems name, in Chinese (anything else is shown as it is).
_WHAT_ZH = {
    "questionnaire attestation": "问卷声明",
    "application": "投保申请",
    "the application": "投保申请",
    "answers file": "答卷文件",
    "profile": "企业概况",
    "attestation signed_at": "问卷声明的签署时间",
    "application created_at": "投保申请的创建时间",
}


def _zh(what: str) -> str:
    return _WHAT_ZH.get(what, what)


def _decode(tp: Any, predicate: Mapping[str, Any], what: str) -> Any:
    try:
        return from_json(tp, predicate, "$.predicate")
    except JsonShapeError as exc:
        raise VerificationError(f"malformed {what}: {exc}", f"{_zh(what)}格式错误：{exc}") from None


# ------------------------------------------------------------------------------------------ attestations


@dataclass(frozen=True)
class Attester:
    """Who attests: the person's name, their job title as they give it, and the key they sign with."""

    name: str
    title: str
    keyid: str
    organisation_id: Optional[str] = field(default=None, metadata=json_field(omit_none=True))


@dataclass(frozen=True)
class SignedFile:
    """A file carried in a signed document: its name, size and sha256, and its text."""

    name: str
    size: int
    sha256: str
    text: str


@dataclass(frozen=True)
class AttestationPredicate:
    attester: Attester
    signed_at: str
    questionnaire: str  # the questionnaire ref (id@version) the answers are for
    answers: SignedFile
    declaration: Declaration


def plain_file_name(name: str) -> str:
    """A file name as a signed document may carry it: a base name, no control characters, not hidden."""
    from report.terminal import safe_line

    if (
        not name
        or name in (".", "..")
        or "/" in name
        or "\\" in name
        or name.startswith(".")
        or safe_line(name) != name
        or len(name) > 200
    ):
        raise VerificationError(f"{name[:80]!r} is not a plain file name", f"{name[:80]!r} 不是普通文件名")
    return name


def signed_file(name: str, data: bytes, what: str) -> SignedFile:
    """A small text file (answers, profile) as a signed document carries it; refused if not UTF-8 or too large."""
    if len(data) > MAX_ANSWERS_TEXT:
        limit = MAX_ANSWERS_TEXT // (1024 * 1024)
        raise VerificationError(f"{what} {name} is larger than {limit} MiB", f"{_zh(what)} {name} 大于 {limit} MiB")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise VerificationError(f"{what} {name} is not UTF-8 text (byte {exc.start})", f"{_zh(what)} {name} 不是 UTF-8 文本（第 {exc.start} 字节）") from None
    return SignedFile(plain_file_name(name), len(data), sha256_hex(data), text)


def attestation_payload(
    answers_name: str,
    answers: bytes,
    questionnaire: str,
    attester: Attester,
    signed_at: str,
    declaration: Declaration = TRUTHFULNESS,
) -> bytes:
    """The Statement an attester signs: the answers file (by digest and text) and the declaration accepted."""
    carried = signed_file(answers_name, answers, "answers file")
    predicate = AttestationPredicate(attester, signed_at, questionnaire, carried, declaration)
    return statement(ATTESTATION_PREDICATE, to_json(predicate), [(f"answers:{carried.name}", carried.sha256)])


def read_attestation(payload: bytes) -> AttestationPredicate:
    """The attestation a verified payload carries, after checking its digests and declaration."""
    raw, subjects = _read_statement(payload, ATTESTATION_PREDICATE, "questionnaire attestation")
    pred: AttestationPredicate = _decode(AttestationPredicate, raw, "questionnaire attestation")
    body = pred.answers.text.encode("utf-8")
    if sha256_hex(body) != pred.answers.sha256 or len(body) != pred.answers.size:
        raise VerificationError(
            f"the answers carried by the attestation of {pred.attester.name} do not have the sha256 and size it signs",
            f"{pred.attester.name} 的问卷声明所携带的答卷与其签署的 sha256 和大小不符",
        )
    if subjects != [{"name": f"answers:{pred.answers.name}", "digest": {"sha256": pred.answers.sha256}}]:
        raise VerificationError("the attestation's subject is not its answers file by digest", "问卷声明的主体不是按摘要标识的其答卷文件")
    plain_file_name(pred.answers.name)
    _utc(pred.signed_at, "attestation signed_at")
    if statement(ATTESTATION_PREDICATE, raw, [(s["name"], str(s["digest"].get("sha256"))) for s in subjects]) != payload:
        raise VerificationError("the attestation is not in the canonical form riskagent writes", "问卷声明不是 riskagent 写出的规范形式")
    problem = declaration_problem(pred.declaration, TRUTHFULNESS, f"the attestation of {pred.attester.name}", f"{pred.attester.name} 的问卷声明")
    if problem:
        raise problem
    return pred


class Severity(TextEnum):
    """How bad a problem is: it breaks the package, or the package is genuine but outside the policy."""

    INVALID = "invalid"
    POLICY = "policy"
    UNSUPPORTED = "unsupported"


@dataclass(frozen=True)
class Problem:
    severity: Severity
    text: str  # English: what --json and the intake keep
    text_zh: str = ""  # the same in Chinese (empty: as in English)

    def text_in(self, lang: str) -> str:
        return self.text_zh if lang == "zh" and self.text_zh else self.text


@dataclass(frozen=True)
class CheckedAttestation:
    """One attestation envelope, verified: its predicate (None when unreadable), who signed it, what is wrong."""

    source: str
    envelope_sha256: str
    predicate: Optional[AttestationPredicate]
    signer: Optional[TrustedKey]
    problems: Tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def _signatures(sigs: Sequence[SignatureCheck], what: str) -> Tuple[Optional[TrustedKey], List[Problem]]:
    """The one trusted signer of a single-signer document, or the problems with its signatures."""
    problems: List[Problem] = []
    for s in sigs:
        if s.status is SignatureStatus.BAD and s.key is not None:
            problems.append(
                Problem(
                    Severity.INVALID,
                    f"{what}: signature {s.position} claims {s.key.label} but does not verify: it was altered",
                    f"{_zh(what)}：签名 {s.position} 声称出自 {s.key.label}，但验证不通过：已被改动",
                )
            )
        elif s.status is SignatureStatus.UNTRUSTED:
            problems.append(
                Problem(
                    Severity.INVALID,
                    f"{what}: signed by key {s.keyid[:16]}, which is not in the trust store",
                    f"{_zh(what)}：签名密钥 {s.keyid[:16]} 不在信任库中",
                )
            )
    verified = [s.key for s in sigs if s.counted and s.key is not None]
    if len(verified) > 1:
        problems.append(
            Problem(Severity.INVALID, f"{what}: signed by {len(verified)} keys; one signer is expected", f"{_zh(what)}：由 {len(verified)} 个密钥签名；应只有一个签名者")
        )
    return (verified[0] if len(verified) == 1 and not problems else None), problems


def check_attestation(
    data: bytes,
    trusted: Mapping[str, TrustedKey],
    organisation_id: Optional[str],
    *,
    source: str,
    now: Optional[dt.datetime] = None,
) -> CheckedAttestation:
    """Verify an attestation envelope: the signature, the attester's identity in the trust store, its time and content.

    ``organisation_id`` is the applicant's 统一社会信用代码 the attester must speak for (None: not checked,
    as when signing or reading one on its own). Never raises.
    """
    digest = sha256_hex(data)
    try:
        env = parse_envelope(data, DEFAULT_MAX_BYTES)
    except VerificationError as exc:
        return CheckedAttestation(source, digest, None, None, (Problem(Severity.INVALID, f"{source}: {exc}", f"{source}：{exc.zh}"),))
    sigs = check_signatures(env, trusted)
    signer, problems = _signatures(sigs, source)
    if signer is None and not problems:
        problems.append(Problem(Severity.INVALID, f"{source}: no signature by a trusted key", f"{source}：没有受信任密钥的签名"))
    if problems:
        return CheckedAttestation(source, digest, None, None, tuple(problems))
    try:
        pred = read_attestation(env.payload)
    except VerificationError as exc:
        return CheckedAttestation(source, digest, None, signer, (Problem(Severity.INVALID, f"{source}: {exc}", f"{source}：{exc.zh}"),))
    assert signer is not None
    who = f"{source} ({pred.attester.name}, {pred.attester.title})"
    if pred.attester.keyid != signer.keyid:
        problems.append(
            Problem(
                Severity.INVALID,
                f"{who}: names key {pred.attester.keyid[:16]} but is signed by key {signer.keyid[:16]}",
                f"{who}：写明的密钥为 {pred.attester.keyid[:16]}，实际签名密钥为 {signer.keyid[:16]}",
            )
        )
    problems += identity_problems(signer, organisation_id, pred.signed_at, who, now, attester_org=pred.attester.organisation_id)
    return CheckedAttestation(source, digest, pred, signer, tuple(problems))


def identity_problems(
    signer: TrustedKey,
    organisation_id: Optional[str],
    signed_at: str,
    who: str,
    now: Optional[dt.datetime] = None,
    *,
    attester_org: Optional[str] = None,
    applicant: bool = False,
) -> List[Problem]:
    """What the trust store says against this signer speaking for ``organisation_id`` at ``signed_at`` (and now).

    An applicant-role key must be bound to the organisation's 统一社会信用代码; an assessor's key must
    have ``org:<code>`` among its targets. The applicant's own signature on an application must be an
    applicant-role key. A key with no identity (``--signer-key``) is a policy failure: nobody vouched for it.
    """
    at_now = (now or dt.datetime.now(dt.timezone.utc)).astimezone(dt.timezone.utc)
    problems: List[Problem] = []
    try:
        when = _utc(signed_at, f"{who}: signing time")
    except VerificationError as exc:
        return [Problem(Severity.INVALID, str(exc), exc.zh)]
    who_zh = _zh(who)
    if when > at_now + dt.timedelta(seconds=CLOCK_SKEW_S):
        problems.append(Problem(Severity.POLICY, f"{who}: signed at {signed_at}, which is in the future", f"{who_zh}：签署时间 {signed_at} 在未来"))
    entry = signer.entry
    if entry is None:
        problems.append(
            Problem(
                Severity.POLICY,
                f"{who}: key {signer.keyid[:16]} has no identity (given as a bare key, not from a trust store)",
                f"{who_zh}：密钥 {signer.keyid[:16]} 没有身份信息（以单独公钥给出，不是来自信任库）",
            )
        )
        return problems
    for moment, label_zh, label in ((when, "签署时间", "the signing time"), (at_now, "当前时间", "now")):
        why = window_problem_text(entry, moment, label_zh, label)
        if why:
            problems.append(Problem(Severity.POLICY, f"{who}: {why.en}", f"{who_zh}：{why.zh}"))
    if attester_org is not None and organisation_id is not None and attester_org != organisation_id:
        problems.append(
            Problem(
                Severity.POLICY,
                f"{who}: attests for organisation {attester_org}, not the applicant {organisation_id}",
                f"{who_zh}：为组织 {attester_org} 作出声明，而不是投保方 {organisation_id}",
            )
        )
    if organisation_id is None:
        return problems
    if applicant and entry.role is not Role.APPLICANT:
        problems.append(
            Problem(Severity.POLICY, f"{who}: signed with {entry.label}, which is not an applicant's key", f"{who_zh}：用 {entry.label} 签名，这不是投保方的密钥")
        )
    elif entry.role is Role.ASSESSOR:
        if not matches(entry.targets, f"org:{organisation_id}", ()):
            targets = ", ".join(entry.targets)
            problems.append(
                Problem(
                    Severity.POLICY,
                    f"{who}: {entry.label} may not attest for org:{organisation_id} (its targets: {targets})",
                    f"{who_zh}：{entry.label} 不能为 org:{organisation_id} 作出声明（其范围：{targets}）",
                )
            )
    elif entry.organisation_id != organisation_id:
        problems.append(
            Problem(
                Severity.POLICY,
                f"{who}: {entry.label} is bound to organisation {entry.organisation_id}, not the applicant {organisation_id}",
                f"{who_zh}：{entry.label} 绑定的组织是 {entry.organisation_id}，不是投保方 {organisation_id}",
            )
        )
    return problems


def envelope_object(data: bytes) -> Dict[str, JSON]:
    """An envelope's bytes as the JSON object an application embeds (they are canonical JSON plus a newline)."""
    obj = strict_loads(data, "envelope")
    if not isinstance(obj, dict):
        raise VerificationError("an envelope is a JSON object", "签名封装必须是 JSON 对象")
    if canonical_bytes(obj) + b"\n" != data:
        raise VerificationError("the envelope is not in the canonical form riskagent writes", "签名封装不是 riskagent 写出的规范形式")
    return obj


def envelope_bytes_of(obj: Mapping[str, JSON]) -> bytes:
    """The bytes of an embedded envelope, as its file held them."""
    try:
        return canonical_bytes(dict(obj)) + b"\n"
    except CanonicalError as exc:
        raise VerificationError(f"an embedded envelope cannot be put back into its bytes: {exc}", f"内嵌的签名封装无法还原为其原始字节：{exc}") from None


def file_digest(path: Path) -> Tuple[int, str]:
    """Size and sha256 of a file, read in chunks."""
    from collectors.digest import sha256

    h = sha256()
    size = 0
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
            size += len(chunk)
    return size, h.hexdigest()


# ------------------------------------------------------------------------------------------ the application


@dataclass(frozen=True)
class Applicant:
    """The enterprise that applies and signs: its name and 统一社会信用代码 from the profile, and its key."""

    name: str
    organisation_id: str
    keyid: str


@dataclass(frozen=True)
class ReportRef:
    """A verified assessment report in the application: which declared asset it covers, its digests, its envelope."""

    assets: Tuple[str, ...]  # the declared assets it covers (a server's name, a website's URL)
    subject: str  # the report's in-toto subject, e.g. host:web-01
    report_id: str
    started_at: str
    report_sha256: str  # of the report's canonical bytes (the in-toto subject digest)
    envelope_sha256: str  # of the envelope file's bytes
    envelope: Mapping[str, JSON]


@dataclass(frozen=True)
class AttestationRef:
    """A signed questionnaire attestation in the application, by digest and embedded."""

    attester: str  # name (title), for people; the signed attestation is authoritative
    envelope_sha256: str
    envelope: Mapping[str, JSON]


@dataclass(frozen=True)
class Attachment:
    """A supporting document (制度, 预案, the latest 测评报告 …): the file lies beside the package under this name."""

    name: str
    size: int
    sha256: str


@dataclass(frozen=True)
class ApplicationPredicate:
    """The signed application. ``questionnaire`` and ``coverage`` follow from the rest and are recomputed."""

    application_id: str
    created_at: str
    tool_version: str
    applicant: Applicant
    profile: SignedFile
    answers: SignedFile  # the organisation's answers file; each attestation signs exactly this file
    questionnaire: Mapping[str, JSON]  # the organisation-level answers (questionnaires.organisation)
    coverage: Mapping[str, JSON]  # the view of the coverage requested (report.coverage)
    reports: Tuple[ReportRef, ...]
    attestations: Tuple[AttestationRef, ...]
    attachments: Tuple[Attachment, ...]
    declaration: Declaration


ATTACHMENTS_DIR = "attachments"
ENVELOPE_NAME = "application.dsse.json"
HTML_NAME = "application.html"


@dataclass(frozen=True)
class Derived:
    """What follows from the profile, the verified reports and the attestations (both when building and verifying).

    ``assets`` are the declared assets each report covers, in report order; ``questionnaire`` and ``coverage``
    are the JSON the application signs; ``view`` holds the typed objects a rendering reads.
    """

    organisation_id: str
    organisation_name: str
    assets: Tuple[Tuple[str, ...], ...]
    questionnaire: Mapping[str, JSON]
    coverage: Mapping[str, JSON]
    view: Optional[ApplicationView] = None


@dataclass(frozen=True)
class ApplicationView:
    """The typed objects a rendering of the application reads (all recomputed from the signed content)."""

    profile: ApplicantProfile
    questionnaire: Questionnaire
    answers: Tuple[Answer, ...]
    coverage: CoverageView
    reports: Tuple[Report, ...]
    attestations: Tuple[AttestationPredicate, ...]


class DeriveError(ValueError):
    """The inputs do not make an application: a report of an undeclared asset, two questionnaires, a bad profile."""


# (profile file, answers file, verified reports, attestations in the application's order, today) -> Derived
Derive = Callable[[SignedFile, SignedFile, Sequence[Any], Sequence[AttestationPredicate], dt.date], Derived]


def application_subjects(
    predicate_json: Mapping[str, JSON], organisation_id: str, attachments: Sequence[Attachment]
) -> List[Tuple[str, str]]:
    """The organisation (with the predicate's digest) and every attachment by its sha256."""
    return [(f"org:{organisation_id}", sha256_hex(canonical_bytes(dict(predicate_json))))] + [
        (f"attachment:{a.name}", a.sha256) for a in attachments
    ]


def application_payload(predicate: ApplicationPredicate) -> bytes:
    raw = to_json(predicate)
    return statement(
        APPLICATION_PREDICATE, raw, application_subjects(raw, predicate.applicant.organisation_id, predicate.attachments)
    )


def read_application(payload: bytes) -> ApplicationPredicate:
    """The application a verified payload carries, in the one canonical form riskagent writes."""
    raw, subjects = _read_statement(payload, APPLICATION_PREDICATE, "application")
    pred: ApplicationPredicate = _decode(ApplicationPredicate, raw, "application")
    expected = application_subjects(raw, pred.applicant.organisation_id, pred.attachments)
    if subjects != [{"name": n, "digest": {"sha256": d}} for n, d in expected]:
        raise VerificationError("the application's subjects are not the organisation and its attachments by digest", "投保申请的主体不是按摘要标识的组织及其证明材料")
    if application_payload(pred) != payload:
        raise VerificationError("the application is not in the canonical form riskagent writes", "投保申请不是 riskagent 写出的规范形式")
    names = [a.name for a in pred.attachments]
    for name in names:
        plain_file_name(name)
    if len(set(names)) != len(names):
        raise VerificationError("the application lists an attachment name twice", "投保申请中有证明材料名称重复")
    for what, carried in (("profile", pred.profile), ("answers file", pred.answers)):
        body = carried.text.encode("utf-8")
        if sha256_hex(body) != carried.sha256 or len(body) != carried.size:
            raise VerificationError(
                f"the {what} carried by the application does not have the sha256 and size it signs", f"投保申请携带的{_zh(what)}与其签署的 sha256 和大小不符"
            )
    _utc(pred.created_at, "application created_at")
    problem = declaration_problem(pred.declaration, APPLICANT_RESPONSIBILITY, "the application", "投保申请")
    if problem:
        raise problem
    return pred


def report_ref(envelope: bytes, report: Any, assets: Sequence[str]) -> ReportRef:
    """A verified report as the application carries it: the assets it covers, its digests, its envelope."""
    from report.signing import report_digest, subject_name

    return ReportRef(
        tuple(assets),
        subject_name(report),
        report.report_id,
        report.run.started_at,
        report_digest(report),
        sha256_hex(envelope),
        envelope_object(envelope),
    )


def attestation_ref(envelope: bytes, predicate: AttestationPredicate) -> AttestationRef:
    return AttestationRef(
        f"{predicate.attester.name} ({predicate.attester.title})", sha256_hex(envelope), envelope_object(envelope)
    )


def build_application(
    *,
    application_id: str,
    created_at: str,
    tool_version: str,
    keyid: str,
    profile: SignedFile,
    answers: SignedFile,
    derived: Derived,
    reports: Sequence[Tuple[bytes, Any]],
    attestations: Sequence[Tuple[bytes, AttestationPredicate]],
    attachments: Sequence[Attachment],
) -> ApplicationPredicate:
    """The application predicate from verified inputs (``derived`` computed over exactly these)."""
    names = [a.name for a in attachments]
    if len(set(names)) != len(names):
        raise VerificationError("two attachments have the same file name; rename one", "有两份证明材料文件名相同；请改名其中一份")
    for name in names:
        plain_file_name(name)
    for _, att in attestations:
        if att.answers.sha256 != answers.sha256:
            raise VerificationError(
                f"the attestation of {att.attester.name} signs answers file {att.answers.name} (sha256 {att.answers.sha256[:16]}…), "
                f"not {answers.name} (sha256 {answers.sha256[:16]}…)",
                f"{att.attester.name} 的问卷声明签署的是答卷文件 {att.answers.name}（sha256 {att.answers.sha256[:16]}…），"
                f"不是 {answers.name}（sha256 {answers.sha256[:16]}…）",
            )
    return ApplicationPredicate(
        application_id=application_id,
        created_at=created_at,
        tool_version=tool_version,
        applicant=Applicant(derived.organisation_name, derived.organisation_id, keyid),
        profile=profile,
        answers=answers,
        questionnaire=derived.questionnaire,
        coverage=derived.coverage,
        reports=tuple(report_ref(env, r, assets) for (env, r), assets in zip(reports, derived.assets)),
        attestations=tuple(attestation_ref(env, a) for env, a in attestations),
        attachments=tuple(attachments),
        declaration=APPLICANT_RESPONSIBILITY,
    )


# ------------------------------------------------------------------------------------------ verifying an application


@dataclass(frozen=True)
class AttachmentCheck:
    name: str
    ok: bool
    detail: str


@dataclass(frozen=True)
class ApplicationVerification:
    """What verifying an application package established; every problem says where."""

    source: str
    outcome: Any  # report.verification.Outcome
    problems: Tuple[Problem, ...]
    predicate: Optional[ApplicationPredicate]
    signer: Optional[TrustedKey]
    reports: Tuple[Any, ...]  # report.verification.Verification, in the application's order
    attestations: Tuple[CheckedAttestation, ...]
    attachments: Tuple[AttachmentCheck, ...]
    derived: Optional[Derived]
    verified_at: str

    @property
    def exit_code(self) -> int:
        from report.verification import EXIT_CODES

        return EXIT_CODES[self.outcome]

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def reason(self) -> str:
        return self.problems[0].text if self.problems else ""

    def to_json(self) -> Dict[str, Any]:
        p = self.predicate
        out: Dict[str, Any] = {
            "source": self.source,
            "kind": "application",
            "result": str(self.outcome),
            "valid": self.ok,
            "reason": self.reason or None,
            "problems": [{"severity": str(x.severity), "text": x.text, "text_zh": x.text_in("zh")} for x in self.problems],
            "verified_at": self.verified_at,
            "signer": _signer_json(self.signer),
            "reports": [
                {
                    "source": v.source,
                    "result": str(v.outcome),
                    "reason": v.reason or None,
                    "report_id": v.report.report_id if v.report else None,
                }
                for v in self.reports
            ],
            "attestations": [
                {
                    "source": a.source,
                    "valid": a.ok,
                    "attester": to_json(a.predicate.attester) if a.predicate else None,
                    "signed_at": a.predicate.signed_at if a.predicate else None,
                    "declaration": a.predicate.declaration.id if a.predicate else None,
                    "signer": _signer_json(a.signer),
                }
                for a in self.attestations
            ],
            "attachments": [to_json(a) for a in self.attachments],
        }
        if p is not None:
            out["application"] = {
                "application_id": p.application_id,
                "created_at": p.created_at,
                "applicant": to_json(p.applicant),
                "reports": [
                    {"assets": list(r.assets), "subject": r.subject, "report_sha256": r.report_sha256} for r in p.reports
                ],
            }
        return out


def _signer_json(key: Optional[TrustedKey]) -> Optional[Dict[str, Any]]:
    if key is None:
        return None
    if key.entry is None:
        return {"keyid": key.keyid, "source": key.source, "identity": None}
    data: Dict[str, Any] = to_json(key.entry)
    data.pop("public_key", None)
    return data


def outcome_of(problems: Sequence[Problem]) -> Any:
    """The worst outcome among the problems: invalid, then unsupported, then policy."""
    from report.verification import Outcome

    kinds = {p.severity for p in problems}
    if Severity.INVALID in kinds:
        return Outcome.INVALID
    if Severity.UNSUPPORTED in kinds:
        return Outcome.UNSUPPORTED
    if Severity.POLICY in kinds:
        return Outcome.POLICY_FAILED
    return Outcome.VALID


def json_differences(signed: Any, recomputed: Any, path: str = "$", limit: int = 10) -> List[str]:
    """Where two JSON values differ (up to ``limit``), list items named by their question/line/asset where they have one."""
    out: List[str] = []

    def label(item: Any, index: int) -> str:
        if isinstance(item, dict):
            for key in ("question", "line", "scenario", "asset", "id", "name"):
                if isinstance(item.get(key), str):
                    return f"[{item[key]}]"
        return f"[{index}]"

    def walk(a: Any, b: Any, at: str) -> None:
        if len(out) >= limit:
            return
        if isinstance(a, dict) and isinstance(b, dict):
            for key in sorted(set(a) | set(b)):
                if key not in a:
                    out.append(f"{at}.{key}: not signed, recomputed {_short(b[key])}")
                elif key not in b:
                    out.append(f"{at}.{key}: signed {_short(a[key])}, not recomputed")
                else:
                    walk(a[key], b[key], f"{at}.{key}")
            return
        if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
            for i, (x, y) in enumerate(zip(a, b)):
                walk(x, y, at + label(x, i))
            return
        if a != b or type(a) is not type(b):
            out.append(f"{at}: signed {_short(a)}, recomputed {_short(b)}")

    walk(signed, recomputed, path)
    return out


def _short(value: Any) -> str:
    import json

    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= 120 else text[:117] + "..."


def _check_attachments(pred: ApplicationPredicate, package_dir: Path) -> Tuple[List[AttachmentCheck], List[Problem]]:
    """Every listed attachment on disk with its signed size and sha256, and no file there that the application does not list."""
    import os
    import stat

    checks: List[AttachmentCheck] = []
    problems: List[Problem] = []
    folder = package_dir / ATTACHMENTS_DIR
    for a in pred.attachments:
        path = folder / a.name
        try:
            st = os.lstat(path)
            if not stat.S_ISREG(st.st_mode):
                raise OSError(0, "not a regular file")
            size, digest = file_digest(path)
        except OSError as exc:
            missing = isinstance(exc, FileNotFoundError)
            detail = "missing" if missing else f"cannot be read ({exc.strerror or exc})"
            detail_zh = "缺失" if missing else f"无法读取（{exc.strerror or exc}）"
            checks.append(AttachmentCheck(a.name, False, detail))
            problems.append(
                Problem(Severity.INVALID, f"attachment {a.name}: {detail} ({ATTACHMENTS_DIR}/{a.name})", f"证明材料 {a.name}：{detail_zh}（{ATTACHMENTS_DIR}/{a.name}）")
            )
            continue
        if (size, digest) != (a.size, a.sha256):
            detail = f"changed after signing: sha256 {digest[:16]}…, {size} bytes; signed {a.sha256[:16]}…, {a.size} bytes"
            checks.append(AttachmentCheck(a.name, False, detail))
            problems.append(
                Problem(
                    Severity.INVALID,
                    f"attachment {a.name}: {detail}",
                    f"证明材料 {a.name}：签署后被改动：sha256 {digest[:16]}…，{size} 字节；签署时为 {a.sha256[:16]}…，{a.size} 字节",
                )
            )
        else:
            checks.append(AttachmentCheck(a.name, True, f"sha256 {digest[:16]}…, {size} bytes"))
    listed = {a.name for a in pred.attachments}
    try:
        present = sorted(os.listdir(folder)) if folder.is_dir() else []
    except OSError:
        present = []
    for name in present:
        if name not in listed:
            problems.append(
                Problem(
                    Severity.INVALID,
                    f"{ATTACHMENTS_DIR}/{name} is not one of the signed attachments (added after signing?)",
                    f"{ATTACHMENTS_DIR}/{name} 不在签署的证明材料之中（签署后添加的？）",
                )
            )
    return checks, problems


def verify_application(
    data: bytes,
    trusted: Mapping[str, TrustedKey],
    derive: Derive,
    *,
    package_dir: Optional[Path],
    source: str,
    now: Optional[dt.datetime] = None,
    render: Optional[Callable[[ApplicationPredicate, Derived, str], bytes]] = None,
    policy: Optional[Policy] = None,
) -> ApplicationVerification:
    """Verify an application envelope and its package; never raises.

    The applicant's signature and identity; every embedded report in full (``verify_bytes``: signature,
    recheck, ``policy`` or the default one) with its digests; every attestation's signature, attester identity and
    declaration; the organisation answers and coverage view recomputed by ``derive``; every attachment
    in ``package_dir`` by size and sha256; and the HTML beside it rendered again (``render``).
    """
    import traceback

    at = (now or dt.datetime.now(dt.timezone.utc)).astimezone(dt.timezone.utc)
    stamp = at.strftime("%Y-%m-%dT%H:%M:%SZ")
    problems: List[Problem] = []
    state: Dict[str, Any] = {"pred": None, "signer": None, "reports": [], "atts": [], "files": [], "derived": None}

    def result() -> ApplicationVerification:
        return ApplicationVerification(
            source,
            outcome_of(problems),
            tuple(problems),
            state["pred"],
            state["signer"],
            tuple(state["reports"]),
            tuple(state["atts"]),
            tuple(state["files"]),
            state["derived"],
            stamp,
        )

    try:
        if not trusted:
            problems.append(Problem(Severity.INVALID, "no trusted key was given (--trust FILE or --signer-key PUB)", "没有给出受信任的公钥（--trust FILE 或 --signer-key PUB）"))
            return result()
        env = parse_envelope(data)
        signer, sig_problems = _signatures(check_signatures(env, trusted), "the application")
        problems += sig_problems
        if signer is None:
            if not sig_problems:
                problems.append(Problem(Severity.INVALID, "the application has no signature by a trusted key", "投保申请没有受信任密钥的签名"))
            return result()
        state["signer"] = signer
        pred = read_application(env.payload)
        state["pred"] = pred
        org = pred.applicant.organisation_id
        if pred.applicant.keyid != signer.keyid:
            problems.append(
                Problem(
                    Severity.INVALID,
                    f"the application names key {pred.applicant.keyid[:16]} but is signed by key {signer.keyid[:16]}",
                    f"投保申请写明的密钥为 {pred.applicant.keyid[:16]}，实际签名密钥为 {signer.keyid[:16]}",
                )
            )
        problems += identity_problems(signer, org, pred.created_at, "the application", at, applicant=True)
        reports_ok = _check_reports(pred, trusted, at, problems, state["reports"], policy)
        for i, ref in enumerate(pred.attestations):
            raw = envelope_bytes_of(ref.envelope)
            name = f"attestation {i + 1} ({ref.attester})"
            if sha256_hex(raw) != ref.envelope_sha256:
                problems.append(
                    Problem(
                        Severity.INVALID,
                        f"{name}: the embedded envelope is not the one whose sha256 the application signs",
                        f"{name}：内嵌的签名封装不是投保申请所签署 sha256 对应的那一份",
                    )
                )
                continue
            checked = check_attestation(raw, trusted, org, source=name, now=at)
            state["atts"].append(checked)
            problems += checked.problems
            if checked.predicate is not None and checked.predicate.answers.sha256 != pred.answers.sha256:
                problems.append(
                    Problem(
                        Severity.INVALID,
                        f"{name} attests another answers file than the application's {pred.answers.name}",
                        f"{name} 声明的答卷文件不是投保申请的 {pred.answers.name}",
                    )
                )
        atts_ok = all(a.predicate is not None for a in state["atts"]) and len(state["atts"]) == len(pred.attestations)
        if reports_ok and atts_ok:
            derived = _recompute(
                pred, derive, [v.report for v in state["reports"]], [a.predicate for a in state["atts"]], at.date(), problems
            )
            state["derived"] = derived
            if derived is not None and package_dir is not None and render is not None:
                _check_html(pred, derived, package_dir, render, problems)
        if package_dir is not None:
            files, file_problems = _check_attachments(pred, package_dir)
            state["files"] = files
            problems += file_problems
        return result()
    except VerificationError as exc:
        problems.append(Problem(Severity.INVALID, str(exc), exc.zh))
        return result()
    except (RecursionError, MemoryError) as exc:
        kind = type(exc).__name__
        problems.append(Problem(Severity.INVALID, f"could not be read within this verifier's limits ({kind})", f"超出本核验程序的读取上限（{kind}）"))
        return result()
    except Exception as exc:  # a verifier never says OK by accident, and never crashes on hostile input
        last = traceback.extract_tb(exc.__traceback__)[-1]
        where = f"{type(exc).__name__} at {last.name}:{last.lineno}"
        problems.append(Problem(Severity.INVALID, f"could not be verified: internal error {where}", f"无法核验：内部错误 {where}"))
        return result()


def _check_reports(
    pred: ApplicationPredicate,
    trusted: Mapping[str, TrustedKey],
    at: dt.datetime,
    problems: List[Problem],
    out: List[Any],
    policy: Optional[Policy] = None,
) -> bool:
    """Each embedded report verified in full, with the digests and names the application gives it. True if all could be read."""
    from report.signing import report_digest, subject_name
    from report.verification import Outcome, verify_bytes

    readable = True
    for ref in pred.reports:
        name = f"report {ref.subject} ({', '.join(ref.assets)})"
        raw = envelope_bytes_of(ref.envelope)
        if sha256_hex(raw) != ref.envelope_sha256:
            problems.append(
                Problem(
                    Severity.INVALID,
                    f"{name}: the embedded envelope is not the one whose sha256 the application signs (tampered)",
                    f"{name}：内嵌的签名封装不是投保申请所签署 sha256 对应的那一份（已被篡改）",
                )
            )
            readable = False
            continue
        v = verify_bytes(raw, trusted, policy or Policy(), source=name, now=at)
        out.append(v)
        if v.outcome is Outcome.INVALID or v.report is None:
            severity = Severity.UNSUPPORTED if v.outcome is Outcome.UNSUPPORTED else Severity.INVALID
            problems.append(
                Problem(
                    severity,
                    f"{name} does not verify: {'; '.join(v.problems[:3]) or v.reason}",
                    f"{name} 验证不通过：{'；'.join(v.problems_in('zh')[:3]) or v.reason_in('zh')}",
                )
            )
            readable = False
            continue
        if v.outcome is Outcome.POLICY_FAILED:
            problems.append(
                Problem(
                    Severity.POLICY,
                    f"{name} is genuine but fails the {'' if policy else 'default '}verification policy: {v.reason}",
                    f"{name} 真实有效，但不符合{'' if policy else '默认'}核验策略：{v.reason_in('zh')}",
                )
            )
        r = v.report
        if (
            report_digest(r) != ref.report_sha256
            or subject_name(r) != ref.subject
            or r.report_id != ref.report_id
            or r.run.started_at != ref.started_at
        ):
            problems.append(
                Problem(
                    Severity.INVALID,
                    f"{name}: the application describes it with a digest, subject, id or time it does not have",
                    f"{name}：投保申请对它的摘要、评估对象、编号或时间的描述与其不符",
                )
            )
    return readable


def _recompute(
    pred: ApplicationPredicate,
    derive: Derive,
    reports: Sequence[Any],
    atts: Sequence[Any],
    today: dt.date,
    problems: List[Problem],
) -> Optional[Derived]:
    try:
        derived = derive(pred.profile, pred.answers, reports, atts, today)
    except DeriveError as exc:
        problems.append(Problem(Severity.INVALID, f"the application does not follow from its contents: {exc}", f"投保申请不能由其内容推导：{exc}"))
        return None
    if (derived.organisation_id, derived.organisation_name) != (pred.applicant.organisation_id, pred.applicant.name):
        problems.append(
            Problem(
                Severity.INVALID,
                f"the application names the applicant {pred.applicant.name} ({pred.applicant.organisation_id}), "
                f"but its profile is of {derived.organisation_name} ({derived.organisation_id})",
                f"投保申请写明的投保方为 {pred.applicant.name}（{pred.applicant.organisation_id}），"
                f"但其企业概况属于 {derived.organisation_name}（{derived.organisation_id}）",
            )
        )
    for ref, assets in zip(pred.reports, derived.assets):
        if ref.assets != assets:
            problems.append(
                Problem(
                    Severity.INVALID,
                    f"report {ref.subject} is signed as covering {', '.join(ref.assets)}, but it matches {', '.join(assets) or 'no declared asset'}",
                    f"报告 {ref.subject} 签署为覆盖 {', '.join(ref.assets)}，但它对应的是 {', '.join(assets) or '没有声明的资产'}",
                )
            )
    for what, what_zh, signed, again in (
        ("organisation answers", "组织问卷答案", pred.questionnaire, derived.questionnaire),
        ("coverage view", "保障需求视图", pred.coverage, derived.coverage),
    ):
        diffs = json_differences(dict(signed), dict(again))
        if diffs:
            problems.append(
                Problem(
                    Severity.INVALID,
                    f"the {what} do not follow from the embedded reports and attestations: " + "; ".join(diffs),
                    f"{what_zh}不能由内嵌的报告和声明推导：" + "；".join(diffs),
                )
            )
    return derived


def _check_html(
    pred: ApplicationPredicate,
    derived: Derived,
    package_dir: Path,
    render: Callable[[ApplicationPredicate, Derived, str], bytes],
    problems: List[Problem],
) -> None:
    """The HTML beside the package, if any, must be the rendering of what is signed (people read it, not the JSON)."""
    from report.envelope import read_bounded

    path = package_dir / HTML_NAME
    if not path.exists():
        return
    try:
        shown = read_bounded(path)
    except VerificationError as exc:
        problems.append(Problem(Severity.INVALID, f"{HTML_NAME}: {exc}", f"{HTML_NAME}：{exc.zh}"))
        return
    if all(shown != render(pred, derived, lang) for lang in ("zh", "en")):
        problems.append(
            Problem(
                Severity.INVALID,
                f"{HTML_NAME} is not the rendering of the signed application (edited after signing?); "
                "'riskagent apply verify DIR --render' writes it again from the verified package",
                f"{HTML_NAME} 不是所签署投保申请的呈现（签署后被编辑过？）；'riskagent apply verify DIR --render' 可从已验证的包重新生成",
            )
        )


# ------------------------------------------------------------------------------------------ rendering


SECTIONS = (
    ("applicant", {"zh": "投保人信息", "en": "Applicant"}),
    ("coverage", {"zh": "保障需求", "en": "Coverage requested"}),
    ("questionnaire", {"zh": "风险评估问卷", "en": "Risk questionnaire"}),
    ("reports", {"zh": "安全评估报告", "en": "Security assessment reports"}),
    ("attachments", {"zh": "证明材料", "en": "Supporting documents"}),
    ("declarations", {"zh": "声明", "en": "Declarations"}),
)  # the order of the pilot notice's 附件: basic information, the need, the questionnaire, reports, proof, declarations

_T: Dict[str, Dict[str, str]] = {
    "title": {"zh": "网络安全保险投保申请", "en": "Cyber insurance application"},
    "application_id": {"zh": "申请编号", "en": "Application id"},
    "created_at": {"zh": "签署时间", "en": "Signed at"},
    "signed_note": {
        "zh": "本页由签名的投保申请（application.dsse.json，DSSE 信封 + in-toto 声明）生成；以签名文件为准，可用 riskagent apply verify 校验签名、内嵌评估报告、问卷答案与证明材料的哈希。",
        "en": "This page is rendered from the signed application (application.dsse.json, a DSSE envelope around an in-toto statement); the signed file is authoritative, and riskagent apply verify checks its signature, the embedded assessment reports, the questionnaire answers and the hashes of the supporting documents.",
    },
    "enterprise": {"zh": "企业基本信息", "en": "Enterprise"},
    "security": {"zh": "网络安全管理", "en": "Security management"},
    "mlps": {"zh": "等级保护", "en": "MLPS"},
    "assets": {"zh": "申报资产", "en": "Declared assets"},
    "server": {"zh": "服务器", "en": "Server"},
    "identifiers": {"zh": "主机标识", "en": "Identifiers"},
    "use": {"zh": "用途", "en": "Role"},
    "assessed_by": {"zh": "评估报告", "en": "Assessment report"},
    "not_assessed": {"zh": "未评估", "en": "not assessed"},
    "websites": {"zh": "网站", "en": "Websites"},
    "domains": {"zh": "域名", "en": "Domains"},
    "ip_ranges": {"zh": "公网 IP 地址段", "en": "Public IP ranges"},
    "line": {"zh": "保险责任", "en": "Coverage line"},
    "kind": {"zh": "类别", "en": "Class"},
    "property": {"zh": "财产类", "en": "property"},
    "liability": {"zh": "责任类", "en": "liability"},
    "limit": {"zh": "责任限额", "en": "Limit"},
    "deductible": {"zh": "免赔额", "en": "Deductible"},
    "aggregate": {"zh": "累计责任限额", "en": "Aggregate limit"},
    "rating": {"zh": "风险评分 · 评级", "en": "Score · grade"},
    "failed_checks": {"zh": "未通过的检查项", "en": "Failed checks"},
    "scenario": {"zh": "风险场景", "en": "Risk scenario"},
    "sectors": {"zh": "通知所列行业", "en": "Sectors in the notice"},
    "scored": {"zh": "已评分", "en": "scored"},
    "state_not_assessed": {"zh": "未评估", "en": "not assessed"},
    "not_assessable": {"zh": "本工具无法评估", "en": "not assessable by this tool"},
    "coverage_note": {
        "zh": "评分依据所附评估报告的检查结果（{n} 份报告合并计算），方法同报告中的核保视图。",
        "en": "Scored over the findings of the attached assessment reports ({n} together), by the method of the reports' underwriting view.",
    },
    "question": {"zh": "问题", "en": "Question"},
    "answer": {"zh": "回答", "en": "Answer"},
    "basis": {"zh": "依据", "en": "Basis"},
    "derived": {"zh": "证据推导", "en": "derived from evidence"},
    "attested": {"zh": "填报人声明", "en": "attested"},
    "unknown": {"zh": "未知", "en": "unknown"},
    "skipped": {"zh": "无需回答", "en": "not asked"},
    "cited_reports": {"zh": "引用的评估报告", "en": "Reports cited"},
    "conflict": {"zh": "冲突", "en": "Conflict"},
    "note": {"zh": "备注", "en": "Note"},
    "questionnaire_note": {
        "zh": "以下为组织层面的问题：回答由各申报资产的评估报告合并得出，未覆盖全部申报资产时保持“未知”，除非有填报人声明。主机层面的问题见各评估报告。",
        "en": "Organisation-level questions: each answer combines the assessment reports of the declared assets and stays unknown while they do not cover every declared asset, unless someone attests it. Host-level questions are answered in each report.",
    },
    "summary": {
        "zh": "证据推导 {derived}，填报人声明 {attested}，未知 {unknown}，无需回答 {skipped}，冲突 {conflicts}",
        "en": "derived {derived}, attested {attested}, unknown {unknown}, not asked {skipped}, conflicts {conflicts}",
    },
    "subject": {"zh": "评估对象", "en": "Subject"},
    "report_id": {"zh": "报告编号", "en": "Report id"},
    "assessed_at": {"zh": "评估时间", "en": "Assessed at"},
    "mode": {"zh": "评估方式", "en": "Mode"},
    "live": {"zh": "现场评估", "en": "live"},
    "replay": {"zh": "回放数据，非现场评估", "en": "replay of recorded data"},
    "offline-root": {"zh": "离线镜像评估", "en": "offline root file system"},
    "digests": {"zh": "摘要（sha256）", "en": "Digests (sha256)"},
    "report_digest": {"zh": "报告", "en": "report"},
    "envelope_digest": {"zh": "签名信封", "en": "envelope"},
    "file": {"zh": "文件名", "en": "File"},
    "size": {"zh": "大小（字节）", "en": "Size (bytes)"},
    "attachments_note": {
        "zh": "证明材料（制度、预案、最近一次测评报告等）不嵌入申请，随申请存放于 attachments/ 目录，按文件名、大小和 sha256 校验。",
        "en": "Supporting documents (policies, response plans, the latest MLPS test report …) are not embedded: they lie in attachments/ beside the application and are checked by name, size and sha256.",
    },
    "no_attachments": {"zh": "无证明材料", "en": "no supporting documents"},
    "applicant_declaration": {"zh": "投保人责任声明", "en": "Applicant's declaration"},
    "signed_by_applicant": {"zh": "投保人签署", "en": "Signed by the applicant"},
    "key": {"zh": "密钥", "en": "Key"},
    "attestations": {"zh": "问卷填报人真实性承诺", "en": "Questionnaire attestations"},
    "attester": {"zh": "填报人", "en": "Attester"},
    "title_role": {"zh": "职务", "en": "Role"},
    "answers_file": {"zh": "答案文件", "en": "Answers file"},
    "no_attestation": {
        "zh": "问卷答案未经填报人本人签名（无 riskagent questionnaire sign 签署的真实性承诺），仅由投保人随申请签署。",
        "en": "Nobody signed the questionnaire answers personally (no attestation made with riskagent questionnaire sign): only the applicant's signature on the application covers them.",
    },
    "declaration_id": {"zh": "声明版本", "en": "Declaration"},
    "none": {"zh": "无", "en": "none"},
    "colon": {"zh": "：", "en": ": "},
}


def _yuan(amount: Optional[int], lang: str) -> str:
    if amount is None:
        return "—"
    return f"{amount:,} 元" if lang == "zh" else f"CNY {amount:,}"


def _extent(coverage: Any, lang: str) -> str:
    """How much of the declared estate an organisation answer rests on: ``4 项申报资产中 1 项未评估：web-04``."""
    missing = list(coverage.not_assessed)
    declared = coverage.declared if coverage.declared is not None else len(coverage.assets)
    if not missing:
        return f"{declared} 项申报资产均已评估" if lang == "zh" else f"all {declared} declared assets assessed"
    names = ("、" if lang == "zh" else ", ").join(missing)
    return (
        f"{declared} 项申报资产中 {len(missing)} 项未评估：{names}"
        if lang == "zh"
        else f"{len(missing)} of {declared} declared assets not assessed: {names}"
    )


def application_context(pred: ApplicationPredicate, derived: Derived, lang: str) -> Dict[str, Any]:
    """Everything the HTML shows, as plain strings and rows in the reader's language (the template only lays it out)."""
    from questionnaires.applicant import field_labels, option_labels
    from questionnaires.model import Basis
    from report.presentation import when

    view = derived.view
    if view is None:
        raise ValueError("the application cannot be rendered without its recomputed view")
    T = {k: v["zh" if lang == "zh" else "en"] for k, v in _T.items()}
    labels = field_labels()

    def label(path: str) -> str:
        text = labels.get(path)
        return text.get(lang) if text is not None else path

    def option(path: str, value: str) -> str:
        text = option_labels(path).get(value)
        return text.get(lang) if text is not None else value

    p = view.profile
    e = p.enterprise
    enterprise = [
        (label("enterprise.name"), e.name),
        (label("enterprise.credit_code"), e.credit_code),
        (
            label("enterprise.industry"),
            option("enterprise.industry", e.industry.value)
            + (
                f"（{e.industry_detail}）"
                if e.industry_detail and lang == "zh"
                else (f" ({e.industry_detail})" if e.industry_detail else "")
            ),
        ),
        (label("enterprise.revenue_band"), option("enterprise.revenue_band", e.revenue_band.value)),
        (label("enterprise.staff_band"), option("enterprise.staff_band", e.staff_band.value)),
        (label("enterprise.servers"), str(e.servers)),
        (label("enterprise.endpoints"), str(e.endpoints)),
        (
            label("enterprise.it_operations"),
            ("、" if lang == "zh" else ", ").join(option("enterprise.it_operations", o.value) for o in e.it_operations),
        ),
    ]
    o = p.security.officer
    security = [
        (label("security.officer"), f"{o.name}（{o.role}）" if lang == "zh" else f"{o.name} ({o.role})"),
        (label("security.officer.phone"), o.phone or "—"),
        (label("security.officer.email"), o.email or "—"),
        (label("security.annual_spend_cny"), _yuan(p.security.annual_spend_cny, lang)),
        (label("security.headcount"), str(p.security.headcount)),
    ]
    mlps = [
        (label("mlps.level"), (f"第{p.mlps.level}级" if lang == "zh" else f"level {p.mlps.level}")),
        (label("mlps.conclusion"), option("mlps.conclusion", p.mlps.conclusion.value) if p.mlps.conclusion is not None else "—"),
        (label("mlps.assessed_on"), p.mlps.assessed_on or "—"),
    ]
    covered: Dict[str, ReportRef] = {}
    for ref in pred.reports:
        for asset in ref.assets:
            covered[asset] = ref
    servers = [
        {
            "name": s.name,
            "identifiers": ", ".join(s.identifiers),
            "role": s.role or "",
            "report": f"{covered[s.name].subject} · {covered[s.name].report_sha256[:16]}…" if s.name in covered else "",
        }
        for s in p.assets.servers
    ]
    websites = [
        {"url": w, "report": f"{covered[w].subject} · {covered[w].report_sha256[:16]}…" if w in covered else ""}
        for w in p.assets.websites
    ]

    def state(x: Any) -> str:
        return {"scored": T["scored"], "not_assessed": T["state_not_assessed"], "not_assessable": T["not_assessable"]}[x.state]

    cov = view.coverage
    lines = [
        {
            "label": x.label.get(lang),
            "kind": T[x.kind],
            "limit": _yuan(x.limit_cny, lang),
            "deductible": _yuan(x.deductible_cny, lang),
            "state": state(x),
            "state_code": x.state,
            "rating": f"{x.score.score} · {x.score.grade}" if x.score is not None and x.score.score is not None else "—",
            "failed": ", ".join(x.failed),
            "reason": x.reason.get(lang) if x.reason is not None else "",
        }
        for x in cov.lines
    ]
    scenarios = [
        {
            "label": x.label.get(lang),
            "sectors": ("、" if lang == "zh" else ", ").join(option("enterprise.industry", sct) for sct in x.sectors),
            "state": state(x),
            "state_code": x.state,
            "rating": f"{x.score.score} · {x.score.grade}" if x.score is not None and x.score.score is not None else "—",
            "failed": ", ".join(x.failed),
            "reason": x.reason.get(lang) if x.reason is not None else "",
        }
        for x in cov.scenarios
    ]
    by_digest = {r.report_sha256: r for r in pred.reports}
    q = view.questionnaire
    answers = {a.question: a for a in view.answers}
    sections: List[Dict[str, Any]] = []
    for sec in q.sections:
        rows = []
        for question in (x for x in q.questions if x.section == sec.id and x.id in answers):
            a = answers[question.id]
            basis = "skipped" if a.basis is Basis.UNKNOWN and a.skipped_by else a.basis.value
            cited = []
            extent = ""
            if a.coverage is not None and any(aa.value is not None for aa in a.coverage.assets):
                # a percentage question is about the assets' answers to the question it counts
                source_q = q.question(question.percent_yes_of) if question.percent_yes_of else question
                for aa in a.coverage.assets:
                    cites = by_digest.get(aa.report or "")
                    source = f"{cites.subject} · {cites.report_sha256[:12]}…" if cites is not None else ""
                    shown = f"{aa.asset}{T['colon']}{source_q.display(aa.value, lang)}"
                    cited.append(shown + ((f"（{source}）" if lang == "zh" else f" ({source})") if source else ""))
                extent = _extent(a.coverage, lang)
            rows.append(
                {
                    "id": question.id,
                    "text": question.text.get(lang),
                    "answer": question.display(a.value, lang) if a.value is not None else "—",
                    "basis": T[basis],
                    "basis_code": basis,
                    "coverage": extent,
                    "cited": cited,
                    "attested": f"{a.attestation.by} · {when(a.attestation.at, lang)}"
                    if a.attestation is not None and a.attestation.value is not None
                    else "",
                    "note": a.note or "",
                    "conflicts": [c.message.get(lang) for c in a.conflicts] or ([a.conflict] if a.conflict else []),
                }
            )
        if rows:
            sections.append({"title": sec.title.get(lang), "rows": rows})
    qs = derived.questionnaire.get("summary")
    summary = T["summary"].format(**{k: (qs or {}).get(k, 0) for k in ("derived", "attested", "unknown", "skipped", "conflicts")})
    reports = []
    for ref, r in zip(pred.reports, view.reports):
        uw = r.underwriting
        reports.append(
            {
                "assets": ", ".join(ref.assets),
                "subject": ref.subject,
                "report_id": ref.report_id,
                "os": r.target.os or "",
                "assessed_at": when(ref.started_at, lang),
                "mode": T[r.run.mode] if r.run.mode in ("live", "offline-root") else T["replay"],
                "rating": f"{uw.insurer.score} · {uw.insurer.grade}" if uw is not None and uw.insurer.score is not None else "—",
                "report_sha256": ref.report_sha256,
                "envelope_sha256": ref.envelope_sha256,
            }
        )
    attachments = [{"name": a.name, "size": f"{a.size:,}", "sha256": a.sha256} for a in pred.attachments]
    attestations = [
        {
            "name": a.attester.name,
            "title": a.attester.title,
            "keyid": a.attester.keyid,
            "signed_at": when(a.signed_at, lang),
            "answers": f"{a.answers.name} · sha256 {a.answers.sha256}",
            "declaration_id": a.declaration.id,
            "declaration": a.declaration.get(lang),
        }
        for a in view.attestations
    ]
    return {
        "lang": lang,
        "T": T,
        "sections": [(sid, i + 1, title["zh" if lang == "zh" else "en"]) for i, (sid, title) in enumerate(SECTIONS)],
        "numerals": "一二三四五六",
        "applicant": pred.applicant,
        "application_id": pred.application_id,
        "created_at": when(pred.created_at, lang),
        "tool_version": pred.tool_version,
        "enterprise": enterprise,
        "security": security,
        "mlps": mlps,
        "servers": servers,
        "websites": websites,
        "domains": ", ".join(p.assets.domains),
        "ip_ranges": ", ".join(p.assets.ip_ranges),
        "lines": lines,
        "aggregate": _yuan(cov.aggregate_limit_cny, lang) if cov.aggregate_limit_cny is not None else None,
        "scenarios": scenarios,
        "coverage_note": T["coverage_note"].format(n=cov.reports),
        "questionnaire": {"ref": f"{q.id}@{q.version}", "title": q.title.get(lang), "summary": summary, "sections": sections},
        "reports": reports,
        "attachments": attachments,
        "declaration": pred.declaration.get(lang),
        "declaration_id": pred.declaration.id,
        "attestations": attestations,
    }


def render_application(pred: ApplicationPredicate, derived: Derived, lang: str) -> bytes:
    """The application as a self-contained, printable (A4) HTML page in the notice's order."""
    from report.templating import render_template_bytes

    return render_template_bytes("application.html.j2", **application_context(pred, derived, lang))


_V: Dict[str, Dict[str, str]] = {
    "valid": {"zh": "有效", "en": "VALID"},
    "invalid": {"zh": "无效", "en": "INVALID"},
    "policy_failed": {"zh": "不符合核验策略", "en": "POLICY FAILED"},
    "unsupported": {"zh": "无法核验（规则版本不同）", "en": "UNSUPPORTED"},
    "problems": {"zh": "问题", "en": "Problems"},
    "applicant": {"zh": "投保人", "en": "Applicant"},
    "signed_by": {"zh": "签署密钥", "en": "signed by"},
    "reports": {"zh": "评估报告", "en": "Reports"},
    "attestations": {"zh": "填报人声明", "en": "Attestations"},
    "attachments": {"zh": "证明材料", "en": "Attachments"},
    "recomputed": {
        "zh": "组织问卷与保障需求视图已按内嵌报告和声明重新计算",
        "en": "organisation answers and coverage view recomputed from the embedded reports and attestations",
    },
    "none": {"zh": "无", "en": "none"},
}


def verification_lines(v: ApplicationVerification, lang: str) -> List[str]:
    """An application's verification result in words (zh or en), every string from the package made terminal-safe."""
    from report.terminal import safe_line as s

    def t(key: str) -> str:
        return _V[key]["zh" if lang == "zh" else "en"]

    lines = [f"{t(str(v.outcome))}  {s(v.source)}"]
    if v.problems:
        lines.append(f"  {t('problems')}:")
        lines += [f"    - {s(p.text_in(lang))}" for p in v.problems[:40]]
        if len(v.problems) > 40:
            lines.append(f"    … {len(v.problems) - 40} more")
    p = v.predicate
    if p is not None:
        who = s(v.signer.label) if v.signer is not None else "?"
        lines.append(
            f"  {t('applicant')}: {s(p.applicant.name)} ({s(p.applicant.organisation_id)}), {t('signed_by')} {who}, key {p.applicant.keyid[:16]}, {s(p.created_at)}"
        )
        lines.append(f"  {t('reports')}:")
        for ref, rv in zip(p.reports, list(v.reports) + [None] * (len(p.reports) - len(v.reports))):
            status = t(str(rv.outcome)) if rv is not None else "-"
            signers = ", ".join(s(k.label) for k in rv.signers) if rv is not None else ""
            lines.append(
                f"    [{status}] {s(ref.subject)} -> {s(', '.join(ref.assets))}  sha256 {ref.report_sha256[:16]}…  {signers}".rstrip()
            )
        lines.append(f"  {t('attestations')}:" + ("" if p.attestations else f" {t('none')}"))
        for a in v.attestations:
            mark = "ok" if a.ok else "FAIL"
            att = a.predicate
            label = (
                f"{s(att.attester.name)} ({s(att.attester.title)}), {s(att.signed_at)}, {att.declaration.id}"
                if att is not None
                else s(a.source)
            )
            lines.append(f"    [{mark}] {label}; {s(a.signer.label) if a.signer is not None else '?'}")
        lines.append(f"  {t('attachments')}:" + ("" if p.attachments else f" {t('none')}"))
        for c in v.attachments:
            lines.append(f"    [{'ok' if c.ok else 'FAIL'}] {s(c.name)}: {s(c.detail)}")
        if v.derived is not None:
            lines.append(f"  {t('recomputed')}")
    return lines
