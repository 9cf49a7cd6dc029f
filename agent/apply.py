"""Signing questionnaire attestations and building the insurance application (``riskagent apply``).

The signed formats, and how an insurer verifies them, are ``report.application``'s; this module reads
the applicant's files, verifies the inputs, matches reports to declared assets, and writes the package
atomically and privately (``agent.files``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Dict, List, Mapping, Optional, Sequence, Tuple

from agent.errors import AgentError, UsageError
from report.application import (
    ApplicationView,
    AttestationPredicate,
    Derived,
    DeriveError,
    SignedFile,
)

if TYPE_CHECKING:
    from questionnaires.applicant import ApplicantProfile
    from questionnaires.model import Attestation, Question, Questionnaire
    from report.application import ApplicationVerification, CheckedAttestation
    from report.model import Report
    from report.policy import Policy
    from report.signing import Signer
    from report.trust import TrustedKey

MAX_ANSWERS_BYTES = 4 * 1024 * 1024


def sign_answers(
    answers_path: Path,
    questionnaire_path: Optional[Path],
    signer: Signer,
    name: str,
    title: str,
    organisation_id: Optional[str],
    *,
    signed_at: Optional[str] = None,
) -> bytes:
    """The attestation envelope of an answers file, signed by the attester's key.

    The answers are checked against the questionnaire first (line and field named), so nobody signs a
    file the application would refuse.
    """
    from agent.answers import questionnaire_for
    from report.application import Attester, attestation_payload, signed_file, utc_now
    from report.signing import VerificationError
    from report.terminal import safe_line
    from report.trust import uscc_problem

    if not name.strip() or not title.strip():
        raise UsageError("the attester's name (--name) and job title (--role) are required")
    for label, value in (("--name", name), ("--role", title)):
        if safe_line(value) != value or len(value) > 200:
            raise UsageError(f"{label} holds control or invisible characters, or is longer than 200 characters")
    if organisation_id is not None and uscc_problem(organisation_id):
        raise UsageError(f"--org-id: {uscc_problem(organisation_id)}")
    questionnaire = questionnaire_for(questionnaire_path)
    if not answers_path.is_file():
        raise UsageError(
            f"no answers file at {answers_path}", "answer the questionnaire first: riskagent questionnaire answer --interactive"
        )
    data = _read_small(answers_path, MAX_ANSWERS_BYTES, "answers file")
    try:
        # the very bytes that are signed are the ones checked
        attestations = answers_from_text(signed_file(answers_path.name, data, "answers file"), questionnaire)
    except (DeriveError, VerificationError) as exc:
        text = str(exc)
        raise UsageError(str(answers_path) + text[len(answers_path.name) :] if text.startswith(answers_path.name) else text) from None
    if not attestations:
        raise UsageError(f"{answers_path} holds no answers; there is nothing to attest")
    attester = Attester(name.strip(), title.strip(), signer.keyid, organisation_id)
    try:
        payload = attestation_payload(answers_path.name, data, questionnaire.ref, attester, signed_at or utc_now())
    except VerificationError as exc:
        raise UsageError(str(exc)) from None
    return signer.cosign(payload, [])


def write_private(path: Path, data: bytes) -> Path:
    """One output file, atomically and readable by its owner only, never into a directory another user controls."""
    from agent.files import atomic_write, check_parent

    check_parent(path, str(path))
    try:
        atomic_write(path, data)
    except OSError as exc:
        raise AgentError(f"cannot write {path}: {exc.strerror or exc}") from None
    return path


# ------------------------------------------------------------------------------------------ deriving the organisation's view


def _origin(url: str) -> Tuple[str, str, Optional[int]]:
    """(scheme, host, port) of a URL; an endpoint without a scheme is (\"\", host, port)."""
    import urllib.parse

    parts = urllib.parse.urlsplit(url if "://" in url else f"//{url}")
    scheme = parts.scheme.lower()
    try:
        port = parts.port or {"https": 443, "http": 80}.get(scheme)
    except ValueError:
        port = None
    return scheme, (parts.hostname or "").lower(), port


def _same_site(endpoint: str, website: str) -> bool:
    e, w = _origin(endpoint), _origin(website)
    if not e[1] or e[1] != w[1]:
        return False
    return (not e[0] or e[0] == w[0]) and (e[2] is None or e[2] == w[2])


def report_assets(profile: ApplicantProfile, report: Report, source: str) -> Tuple[str, ...]:
    """The declared assets a verified report is about: a host report's declared server (by name or identifier),
    a website report's declared websites. A report of anything undeclared is refused, naming it."""
    from report.signing import subject_name

    t = report.target
    what = f"{source} ({subject_name(report)})"
    if t.kind == "website":
        found: List[str] = []
        for endpoint in t.endpoints:
            sites = [w for w in profile.assets.websites if _same_site(endpoint, w)]
            if not sites:
                raise DeriveError(
                    f"{what} assesses {endpoint}, which is not a declared website (assets.websites of the profile); "
                    "declare it, or leave the report out"
                )
            found += [w for w in sites if w not in found]
        if not found:
            raise DeriveError(f"{what} assesses no endpoint")
        return tuple(found)
    ids = set(t.identifiers)
    candidates = [s for s in profile.assets.servers if s.name.lower() == t.name.lower() or ids & set(s.identifiers)]
    if not candidates:
        shown = ", ".join(t.identifiers) or "no identifiers"
        raise DeriveError(
            f"{what} is about host {t.name} ({shown}), which is not a declared server (assets.servers of the profile): "
            "declare it, or leave the report out"
        )
    if len(candidates) > 1:
        raise DeriveError(
            f"{what} matches declared servers {', '.join(s.name for s in candidates)} at once (by name and by identifier)"
        )
    server = candidates[0]
    for kind in ("machine:", "cloud:"):
        declared = {i for i in server.identifiers if i.startswith(kind)}
        have = {i for i in t.identifiers if i.startswith(kind)}
        if declared and have and not declared & have:
            raise DeriveError(
                f"{what} is of {', '.join(sorted(have))}, but the declared server {server.name} is {', '.join(sorted(declared))}: "
                "another machine under its name"
            )
    return (server.name,)


def _one_machine_per_asset(reports: Sequence[Report], assets: Sequence[Tuple[str, ...]]) -> None:
    """Two declared servers cannot be covered by reports of one machine (the same machine or cloud instance id)."""
    seen: Dict[str, Tuple[str, str]] = {}
    for report, covered in zip(reports, assets):
        for ident in report.target.identifiers:
            if not ident.startswith(("machine:", "cloud:")):
                continue
            other = seen.get(ident)
            if other is not None and other[1] != covered[0]:
                raise DeriveError(
                    f"the reports of {other[0]} and {report.target.name} are of the same machine ({ident}): "
                    "one machine cannot stand for two declared servers"
                )
            seen[ident] = (report.target.name, covered[0])


def _questionnaire_of(reports: Sequence[Report]) -> Questionnaire:
    """The questionnaire every report answers (one and the same, by sha256)."""
    from questionnaires.loader import QuestionnaireError, load_questionnaire, questionnaire_from_json

    answered = [(r, r.questionnaire) for r in reports]
    missing = [r.target.name for r, q in answered if q is None]
    if missing:
        raise DeriveError(
            f"the report(s) of {', '.join(missing)} answer no questionnaire; scan again (every scan answers the built-in one)"
        )
    digests = {q.sha256 for _, q in answered if q is not None}
    if len(digests) != 1:
        raise DeriveError("the reports answer different questionnaires; assess every asset with the same questionnaire")
    first = answered[0][1]
    assert first is not None
    try:
        return (
            load_questionnaire(None)
            if first.builtin
            else questionnaire_from_json(first.definition, f"the questionnaire of {reports[0].target.name}'s report")
        )
    except QuestionnaireError as exc:
        raise DeriveError(str(exc)) from None


def answers_from_text(answers: SignedFile, questionnaire: Questionnaire) -> Dict[str, Attestation]:
    """The attestations of an answers file carried as text, parsed and checked as ``load_answers`` does.

    ``load_answers`` reads a path, so the text goes into a private temporary directory first.
    """
    import json
    import tempfile

    from agent.answers import load_answers

    try:
        items = json.loads(answers.text).get("answers")
    except (ValueError, AttributeError):
        items = None
    for i, item in enumerate(items if isinstance(items, list) else []):
        if isinstance(item, dict) and not isinstance(item.get("at"), str):
            raise DeriveError(
                f'{answers.name}: answers[{i}] ({item.get("question")}) does not say when it was given ("at"); '
                "an application needs it, so that the insurer recomputes the same answers"
            )
    with tempfile.TemporaryDirectory(prefix="riskagent-answers-") as folder:
        path = Path(folder) / answers.name
        path.write_bytes(answers.text.encode("utf-8"))
        try:
            return load_answers(path, questionnaire)
        except UsageError as exc:
            raise DeriveError(exc.message.replace(str(path), answers.name)) from None


def derive(
    profile_file: SignedFile,
    answers_file: SignedFile,
    reports: Sequence[Report],
    attestations: Sequence[AttestationPredicate],
    today: dt.date,
) -> Derived:
    """The organisation's view from the profile, the answers and the verified reports: which declared asset each
    report covers, the organisation answers (``organisation_answers``) and the requested-coverage view
    (``coverage_view``). The same function builds an application and verifies one."""
    from collectors.strictjson import to_json
    from questionnaires.applicant import ProfileError, parse_profile
    from questionnaires.model import AnsweredQuestionnaire
    from questionnaires.organisation import organisation_answers
    from report.coverage import coverage_view
    from report.signing import report_digest

    try:
        profile = parse_profile(profile_file.text, profile_file.name, today=today)
    except ProfileError as exc:
        raise DeriveError(str(exc)) from None
    if not reports:
        raise DeriveError("no assessment report: the application needs a verified report of at least one declared asset")
    assets = [report_assets(profile, r, f"report {i + 1}") for i, r in enumerate(reports)]
    owner: Dict[str, str] = {}
    for r, covered in zip(reports, assets):
        for asset in covered:
            if asset in owner:
                raise DeriveError(f"two reports cover {asset} ({owner[asset]} and {r.report_id}); keep the newer one")
            owner[asset] = r.report_id
    _one_machine_per_asset(reports, assets)
    questionnaire = _questionnaire_of(reports)
    for att in attestations:
        if att.questionnaire != questionnaire.ref:
            raise DeriveError(
                f"the attestation of {att.attester.name} is for questionnaire {att.questionnaire}, but the reports answer {questionnaire.ref}"
            )
    given = answers_from_text(answers_file, questionnaire)
    per_asset = {}
    cited = {}
    for r, covered in zip(reports, assets):
        for asset in covered:
            assert r.questionnaire is not None
            per_asset[asset] = r.questionnaire
            cited[asset] = report_digest(r)
    servers = [s.name for s in profile.assets.servers]
    websites = list(profile.assets.websites)
    try:
        # A question is combined over the declared assets of the kind its evidence comes from: servers for
        # host checks, websites for web and TLS checks (a website report cannot show SSH MFA, nor a
        # server report a site's TLS), so a declared website never leaves a server question unknown.
        by_kind = {
            kind: organisation_answers(
                questionnaire, {a: q for a, q in per_asset.items() if a in names}, names, attestations=given, reports=cited
            )
            for kind, names in (("server", servers), ("website", websites))
        }
        assert [a.question for a in by_kind["server"]] == [a.question for a in by_kind["website"]]
        answers = [
            website if _evidence_kind(questionnaire.question(server.question)) == "website" and websites else server
            for server, website in zip(by_kind["server"], by_kind["website"])
        ]
        coverage = coverage_view(list(reports), profile.coverage)
    except ValueError as exc:
        raise DeriveError(str(exc)) from None
    answered = AnsweredQuestionnaire.of(questionnaire.raw, answers)
    return Derived(
        organisation_id=profile.enterprise.credit_code,
        organisation_name=profile.enterprise.name,
        assets=tuple(assets),
        questionnaire=to_json(answered),
        coverage=to_json(coverage),
        view=ApplicationView(profile, questionnaire, tuple(answers), coverage, tuple(reports), tuple(attestations)),
    )


def _evidence_kind(question: Question) -> str:
    """``website`` for a question derived only from web and TLS checks, else ``server``."""
    checks = [c for c in (question.rule or {}).get("checks", []) if isinstance(c, str)]
    if checks and all(c.startswith(("TLS-", "WEB-")) for c in checks):
        return "website"
    return "server"


# ------------------------------------------------------------------------------------------ building the package

MAX_ATTACHMENT_BYTES = 256 * 1024 * 1024
MAX_PROFILE_BYTES = 2 * 1024 * 1024


class InvalidApplicationInput(AgentError):
    """A report or attestation that does not verify, or inputs that do not make an application: nothing is written."""

    exit_code = 1


class UnsupportedApplicationInput(AgentError):
    exit_code = 5


@dataclass(frozen=True)
class Package:
    """What ``apply`` wrote, and what it is made of."""

    out_dir: Path
    written: Tuple[Path, ...]
    envelope: bytes
    derived: Derived
    reports: Tuple[Path, ...]


def find_reports(reports_dir: Path, out_dir: Path) -> List[Path]:
    """The signed reports under ``reports_dir`` (``*.dsse.json``, any depth, in path order), not those of an earlier package in ``out_dir``."""
    import os

    if not reports_dir.is_dir():
        raise UsageError(
            f"--reports {reports_dir} is not a directory", "pass the directory that holds the report.dsse.json files"
        )
    out = os.path.realpath(out_dir)
    found = [p for p in sorted(reports_dir.rglob("*.dsse.json")) if not os.path.realpath(p).startswith(out + os.sep)]
    if not found:
        raise UsageError(
            f"no signed report (*.dsse.json) under {reports_dir}",
            "copy each asset's report.dsse.json there, one directory per asset",
        )
    return found


def _read_small(path: Path, limit: int, what: str) -> bytes:
    from report.envelope import read_bounded
    from report.signing import VerificationError

    try:
        return read_bounded(path, limit)
    except VerificationError as exc:
        raise UsageError(f"{what} {path}: {exc}") from None


def verify_report_file(path: Path, trusted: Mapping[str, TrustedKey], now: Optional[dt.datetime] = None) -> Tuple[bytes, Report]:
    """A signed assessment report, verified in full under the default policy; anything else is refused, naming the file."""
    from report.application import ASSESSMENT_PREDICATE, predicate_type_of
    from report.envelope import parse_envelope, read_bounded
    from report.policy import Policy
    from report.signing import VerificationError
    from report.terminal import safe_line
    from report.verification import Outcome, verify_bytes

    try:
        data = read_bounded(path)
        kind = predicate_type_of(parse_envelope(data).payload)
    except VerificationError as exc:
        raise InvalidApplicationInput(f"{path} is not a signed report: {safe_line(str(exc))}", "nothing was written") from None
    if kind is not None and kind != ASSESSMENT_PREDICATE:
        from report.application import KINDS

        what = KINDS.get(kind, f"a document of type {kind[:80]!r}")
        raise UsageError(
            f"{path} is {what}, not an assessment report",
            "keep only report.dsse.json files under --reports (attestations go with --attestation)",
        )
    v = verify_bytes(data, trusted, Policy(), source=str(path), now=now)
    if v.outcome is Outcome.UNSUPPORTED:
        raise UnsupportedApplicationInput(f"{path}: {safe_line(v.reason)}", "nothing was written")
    if v.outcome is Outcome.POLICY_FAILED:
        raise InvalidApplicationInput(
            f"{path} is genuine but fails the default verification policy: {safe_line(v.reason)}",
            "nothing was written; an insurer's verifier would refuse the application for it",
        )
    if v.outcome is not Outcome.VALID or v.report is None:
        raise InvalidApplicationInput(
            f"{path} does not verify: {safe_line(v.reason)}",
            "nothing was written; an application carries only reports that verify (check the file and --trust/--signer-key)",
        )
    return data, v.report


def check_attestation_file(
    path: Path, trusted: Mapping[str, TrustedKey], organisation_id: str, now: Optional[dt.datetime] = None
) -> Tuple[bytes, CheckedAttestation]:
    from report.application import check_attestation
    from report.terminal import safe_line

    data = _read_small(path, 16 * 1024 * 1024, "attestation")
    checked = check_attestation(data, trusted, organisation_id, source=str(path), now=now)
    if checked.problems or checked.predicate is None:
        raise InvalidApplicationInput(
            f"attestation {safe_line(checked.problems[0].text)}" if checked.problems else f"attestation {path} cannot be read",
            "nothing was written; the attester's key must be in the trust store (--trust), bound to the applicant's credit code",
        )
    return data, checked


def _attachment(path: Path) -> Tuple[str, bytes]:
    import os
    import stat

    from report.application import plain_file_name
    from report.signing import VerificationError

    try:
        name = plain_file_name(path.name)
    except VerificationError as exc:
        raise UsageError(f"--attach {path}: {exc}", "rename the file: a plain name, not starting with a dot") from None
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            raise UsageError(f"--attach {path} is not a regular file")
        if st.st_size > MAX_ATTACHMENT_BYTES:
            raise UsageError(f"--attach {path} is larger than {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MiB")
        return name, path.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read --attach {path}: {exc.strerror or exc}") from None


def build_package(
    *,
    profile_path: Path,
    reports_dir: Path,
    answers_path: Path,
    attestation_paths: Sequence[Path],
    attach_paths: Sequence[Path],
    signer: Signer,
    trusted: Mapping[str, TrustedKey],
    out_dir: Path,
    lang: str,
    now: Optional[dt.datetime] = None,
) -> Package:
    """Verify every input, derive the organisation's view, sign the application and write the package.

    Nothing is written unless every report and attestation verifies and every report is of a declared asset.
    """
    import uuid

    from agent.files import atomic_write_all, ensure_dir
    from collectors.digest import sha256_hex
    from questionnaires.applicant import ProfileError, load_profile
    from report.application import (
        ATTACHMENTS_DIR,
        ENVELOPE_NAME,
        HTML_NAME,
        Attachment,
        application_payload,
        build_application,
        render_application,
        signed_file,
    )
    from report.signing import VerificationError
    from report.version import VERSION

    at = (now or dt.datetime.now(dt.timezone.utc)).astimezone(dt.timezone.utc)
    try:
        profile = load_profile(profile_path, today=at.date())
    except ProfileError as exc:
        raise UsageError(str(exc), "fix the applicant file (docs/examples/applicant.json is a complete example)") from None
    try:
        profile_file = signed_file(profile_path.name, _read_small(profile_path, MAX_PROFILE_BYTES, "profile"), "profile")
        answers_file = signed_file(answers_path.name, _read_small(answers_path, MAX_ANSWERS_BYTES, "answers file"), "answers file")
    except VerificationError as exc:
        raise UsageError(str(exc)) from None
    reports = [(p, *verify_report_file(p, trusted, at)) for p in find_reports(reports_dir, out_dir)]
    checked = [check_attestation_file(p, trusted, profile.enterprise.credit_code, at) for p in attestation_paths]
    for path, (_, c) in zip(attestation_paths, checked):
        assert c.predicate is not None
        if c.predicate.answers.sha256 != answers_file.sha256:
            raise InvalidApplicationInput(
                f"attestation {path} signs answers file {c.predicate.answers.name} (sha256 {c.predicate.answers.sha256[:16]}…), "
                f"not {answers_path} (sha256 {answers_file.sha256[:16]}…)",
                "sign the answers file you apply with: riskagent questionnaire sign --answers " + str(answers_path),
            )
    ordered = sorted(
        ((d, c.predicate) for d, c in checked if c.predicate is not None), key=lambda x: (x[1].signed_at, sha256_hex(x[0]))
    )
    try:
        derived = derive(profile_file, answers_file, [r for _, _, r in reports], [a for _, a in ordered], at.date())
    except DeriveError as exc:
        raise InvalidApplicationInput(str(exc), "nothing was written") from None
    attachments: List[Attachment] = []
    files: List[Tuple[Path, bytes]] = []
    for path in attach_paths:
        name, data = _attachment(path)
        if any(a.name == name for a in attachments):
            raise UsageError(f"two attachments are named {name}", "rename one: attachments are listed by file name")
        attachments.append(Attachment(name, len(data), sha256_hex(data)))
        files.append((out_dir / ATTACHMENTS_DIR / name, data))
    try:
        predicate = build_application(
            application_id=str(uuid.uuid4()),
            created_at=at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            tool_version=VERSION,
            keyid=signer.keyid,
            profile=profile_file,
            answers=answers_file,
            derived=derived,
            reports=[(d, r) for _, d, r in reports],
            attestations=ordered,
            attachments=attachments,
        )
    except VerificationError as exc:
        raise InvalidApplicationInput(str(exc), "nothing was written") from None
    envelope = signer.cosign(application_payload(predicate), [])
    html = render_application(predicate, derived, lang)
    ensure_dir(out_dir, "output directory")
    folder = ensure_dir(out_dir / ATTACHMENTS_DIR, "attachments directory")
    stale = sorted(n for n in (p.name for p in folder.iterdir()) if n not in {a.name for a in attachments})
    if stale:
        raise UsageError(
            f"{folder} holds {', '.join(stale[:5])}, which are not attachments of this application",
            "remove them, or choose another --out: an insurer's verifier refuses files the application does not list",
        )
    try:
        written = atomic_write_all([(out_dir / ENVELOPE_NAME, envelope), (out_dir / HTML_NAME, html), *files])
    except OSError as exc:
        raise AgentError(f"cannot write {exc.filename or out_dir}: {exc.strerror or exc}", "nothing was written") from None
    return Package(out_dir, tuple(written), envelope, derived, tuple(p for p, _, _ in reports))


# ------------------------------------------------------------------------------------------ verifying a package


def verify_package(
    path: Path,
    trusted: Mapping[str, TrustedKey],
    *,
    now: Optional[dt.datetime] = None,
    max_bytes: Optional[int] = None,
    policy: Optional[Policy] = None,
) -> ApplicationVerification:
    """Verify an application package: ``path`` is its directory or its ``application.dsse.json``; its embedded
    reports against ``policy`` (the default one when None), as ``verify`` holds a report to it."""
    from report.application import (
        ENVELOPE_NAME,
        ApplicationVerification,
        Problem,
        Severity,
        render_application,
        verify_application,
    )
    from report.envelope import DEFAULT_MAX_BYTES, read_bounded
    from report.signing import VerificationError
    from report.verification import Outcome

    envelope = path / ENVELOPE_NAME if path.is_dir() else path
    stamp = (now or dt.datetime.now(dt.timezone.utc)).strftime("%Y-%m-%dT%H:%M:%SZ")
    if not envelope.exists():
        problem = Problem(
            Severity.INVALID, f"no application package at {path} (expected a directory holding {ENVELOPE_NAME}, or that file)"
        )
        return ApplicationVerification(str(path), Outcome.INVALID, (problem,), None, None, (), (), (), None, stamp)
    try:
        data = read_bounded(envelope, max_bytes or DEFAULT_MAX_BYTES)
    except VerificationError as exc:
        return ApplicationVerification(
            str(envelope),
            Outcome.INVALID,
            (Problem(Severity.INVALID, f"{envelope}: {exc}"),),
            None,
            None,
            (),
            (),
            (),
            None,
            stamp,
        )
    return verify_application(
        data, trusted, derive, package_dir=envelope.parent, source=str(envelope), now=now, render=render_application, policy=policy
    )


def is_application(path: Path, max_bytes: Optional[int] = None) -> bool:
    """Whether ``path`` holds an application envelope (by its predicate type; nothing is trusted yet), so that
    ``verify`` can hand it to :func:`verify_package`.

    Only a regular file within ``max_bytes`` is looked at: a FIFO or an oversized file is left whole to
    the report verifier, which reads it once, within its own limit.
    """
    import stat as _stat

    from report.application import APPLICATION_PREDICATE, predicate_type_of
    from report.envelope import DEFAULT_MAX_BYTES, parse_envelope, read_bounded
    from report.signing import VerificationError

    limit = max_bytes or DEFAULT_MAX_BYTES
    try:
        st = path.stat()
        if not _stat.S_ISREG(st.st_mode) or st.st_size > limit:
            return False
        return predicate_type_of(parse_envelope(read_bounded(path, limit)).payload) == APPLICATION_PREDICATE
    except (OSError, VerificationError):
        return False
