"""``riskagent questionnaire sign``, ``riskagent apply`` and ``riskagent apply verify``.

Plain click commands that ``agent.cli`` adds to its groups; only click is imported at start-up.
Exit codes of ``apply verify``: 0 valid, 1 invalid, 2 usage, 4 genuine but outside the policy,
5 made with another catalogue version (as ``verify``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Tuple, TypeVar

import click

from agent.cli_common import fail, json_option, lang_option, prompt_passphrase, say, signing_key_options
from agent.errors import AgentError, UsageError

if TYPE_CHECKING:
    from agent.apply import Package
    from report.application import ApplicationVerification
    from report.trust import TrustedKey

FC = TypeVar("FC", bound=Callable[..., Any])


def _accept(declaration_text: str, accepted: bool, lang: str) -> None:
    """The signer has accepted the declaration: by flag, or by answering yes on a terminal."""
    say(declaration_text)
    if accepted:
        return
    if not sys.stdin.isatty():
        raise UsageError(
            "the declaration above must be accepted before signing",
            "read it, then pass --accept-declaration (or run on a terminal to be asked)",
        )
    question = "是否接受以上声明并签署？" if lang == "zh" else "Do you accept the declaration above and sign?"
    if not click.confirm(question, default=False):
        raise UsageError("the declaration was not accepted; nothing was signed")


@click.command("sign")
@click.option(
    "--answers",
    "answers_path",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="The answers file to attest.",
)
@click.option(
    "--questionnaire",
    "questionnaire_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Questionnaire the answers are for (default: the built-in one).",
)
@signing_key_options
@click.option("--name", required=True, help="Your name, as the insurer knows it (the person who attests).")
@click.option("--role", "title", required=True, help='Your job title, e.g. "IT 经理".')
@click.option("--org-id", "organisation_id", default=None, help="统一社会信用代码 of the organisation you answer for.")
@click.option(
    "--out",
    "out_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Where to write the signed attestation (default: <answers>.attestation.dsse.json beside the answers).",
)
@click.option(
    "--accept-declaration", is_flag=True, help="Accept the declaration of truthfulness (真实性承诺) printed before signing."
)
@lang_option
def questionnaire_sign_cmd(
    answers_path: Path,
    questionnaire_path: Optional[Path],
    key_path: Optional[Path],
    passphrase_file: Optional[Path],
    name: str,
    title: str,
    organisation_id: Optional[str],
    out_path: Optional[Path],
    accept_declaration: bool,
    lang: str,
) -> None:
    """Sign your questionnaire answers with your own key, accepting the declaration of truthfulness.

    The attestation records who you are (name, job title, key id), when (UTC),
    the answers file (its sha256 and its text) and the declaration you
    accepted. The insurer checks your key against its trust store: give it
    the entry of 'riskagent keys identity --role applicant --org-id ...'.
    """
    from agent.apply import sign_answers, write_private
    from agent.keys import load_signer
    from report.application import TRUTHFULNESS

    try:
        _accept(TRUTHFULNESS.get(lang), accept_declaration, lang)
        signer = load_signer(key_path, passphrase_file, prompt_passphrase())
        envelope = sign_answers(answers_path, questionnaire_path, signer, name, title, organisation_id)
        target = out_path or answers_path.with_name(answers_path.name.rsplit(".", 1)[0] + ".attestation.dsse.json")
        write_private(target, envelope)
    except AgentError as exc:
        fail(exc)
    say(f"signed {answers_path} as {name} ({title}), key {signer.keyid[:16]}: wrote {target}")


def _public_trust_options(fn: FC) -> FC:
    """``--trust`` and ``--signer-key``: whose signatures count (``--key`` is the applicant's signing key here)."""
    fn = click.option(
        "--signer-key",
        "signer_keys",
        type=click.Path(path_type=Path, dir_okay=False),
        multiple=True,
        help="Trusted public key (PEM) without an identity; repeat for several.",
    )(fn)
    return click.option(
        "--trust",
        "trust_stores",
        type=click.Path(path_type=Path, dir_okay=False),
        multiple=True,
        help="Trust store (JSON): the keys of the reports' signers and of the attesters, with their identities.",
    )(fn)


@click.group("apply", invoke_without_command=True)
@click.option(
    "--profile-file",
    "profile_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="The applicant profile (applicant.json).",
)
@click.option(
    "--reports",
    "reports_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Directory of the signed assessment reports (*.dsse.json at any depth), one per declared asset.",
)
@click.option(
    "--answers",
    "answers_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="The organisation's questionnaire answers file.",
)
@click.option(
    "--attestation",
    "attestation_paths",
    type=click.Path(path_type=Path, dir_okay=False),
    multiple=True,
    help="A signed attestation of the answers file (riskagent questionnaire sign); repeatable.",
)
@click.option(
    "--attach",
    "attach_paths",
    type=click.Path(path_type=Path, dir_okay=False),
    multiple=True,
    help="A supporting document (制度, 预案, the latest 测评报告 …), copied beside the application; repeatable.",
)
@signing_key_options
@_public_trust_options
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Directory to write the application package to.",
)
@click.option(
    "--accept-declaration",
    is_flag=True,
    help="Accept the applicant's declaration of responsibility (责任声明) printed before signing.",
)
@lang_option
@click.pass_context
def apply_group(
    ctx: click.Context,
    profile_path: Optional[Path],
    reports_dir: Optional[Path],
    answers_path: Optional[Path],
    attestation_paths: Tuple[Path, ...],
    attach_paths: Tuple[Path, ...],
    key_path: Optional[Path],
    passphrase_file: Optional[Path],
    trust_stores: Tuple[Path, ...],
    signer_keys: Tuple[Path, ...],
    out_dir: Optional[Path],
    accept_declaration: bool,
    lang: str,
) -> None:
    """Build and sign the insurance application (投保申请), or verify one ('riskagent apply verify DIR').

    Verifies every report under --reports (with --trust/--signer-key, as
    'verify' does), matches each to a declared asset of the profile (a
    report of an undeclared asset is refused), combines their questionnaire
    answers with the answers file and its attestations into the
    organisation's answers, scores the coverage requested, and writes one
    signed application (application.dsse.json), its rendering
    (application.html, in the order of the pilot notice) and the supporting
    documents (attachments/) to --out.
    """
    if ctx.invoked_subcommand is not None:
        return
    from agent.apply import build_package
    from agent.cli_common import trusted_keys
    from agent.keys import load_signer
    from report.application import APPLICANT_RESPONSIBILITY

    try:
        missing = [
            f
            for f, v in (
                ("--profile-file", profile_path),
                ("--reports", reports_dir),
                ("--answers", answers_path),
                ("--out", out_dir),
            )
            if v is None
        ]
        if missing:
            raise UsageError(
                f"missing {', '.join(missing)}", "see riskagent apply --help; 'riskagent apply verify DIR' verifies a package"
            )
        assert profile_path is not None and reports_dir is not None and answers_path is not None and out_dir is not None
        trusted = trusted_keys(trust_stores, signer_keys)
        _accept(APPLICANT_RESPONSIBILITY.get(lang), accept_declaration, lang)
        signer = load_signer(key_path, passphrase_file, prompt_passphrase())
        package = build_package(
            profile_path=profile_path,
            reports_dir=reports_dir,
            answers_path=answers_path,
            attestation_paths=attestation_paths,
            attach_paths=attach_paths,
            signer=signer,
            trusted=trusted,
            out_dir=out_dir,
            lang=lang,
        )
    except AgentError as exc:
        fail(exc)
    _own_key_warning(trusted, signer.keyid, package.derived.organisation_id)
    say("\n".join(_built_lines(package, lang)))


def _own_key_warning(trusted: Dict[str, TrustedKey], keyid: str, organisation_id: str) -> None:
    own = trusted.get(keyid)
    if own is None or own.entry is None or own.entry.organisation_id != organisation_id:
        say(
            f"warning: the signing key {keyid[:16]} is not in the trust store given as the key of {organisation_id}; "
            f"the insurer needs its entry: riskagent keys identity --role applicant --org-id {organisation_id} ...",
            err=True,
        )


def _built_lines(package: Package, lang: str) -> List[str]:
    zh = lang == "zh"
    d = package.derived
    lines = [f"{'投保申请' if zh else 'application'}: {d.organisation_name} ({d.organisation_id})"]
    for path, assets in zip(package.reports, d.assets):
        lines.append(f"  {'评估报告' if zh else 'report'} {path} -> {', '.join(assets)}")
    summary = d.questionnaire.get("summary") or {}
    lines.append(
        (
            "  组织问卷：证据推导 {derived}，填报人声明 {attested}，未知 {unknown}，冲突 {conflicts}"
            if zh
            else "  organisation answers: derived {derived}, attested {attested}, unknown {unknown}, conflicts {conflicts}"
        ).format(**{k: summary.get(k, 0) for k in ("derived", "attested", "unknown", "conflicts")})
    )
    lines += [f"  wrote {p}" for p in package.written]
    return lines


@apply_group.command("verify")
@click.argument("package", metavar="PACKAGE", type=click.Path(path_type=Path))
@_public_trust_options
@click.option("--render", is_flag=True, help="Write application.html again from the verified package (in --lang).")
@json_option
@lang_option
def apply_verify_cmd(
    package: Path, trust_stores: Tuple[Path, ...], signer_keys: Tuple[Path, ...], render: bool, as_json: bool, lang: str
) -> None:
    """Verify an application package (its directory, or its application.dsse.json).

    Checks the applicant's signature and identity, every embedded report in
    full (signature and recheck), every attestation's signature and the
    attester's identity in the trust store, that the organisation answers and
    the coverage view follow from the embedded reports and attestations, and
    every attachment's size and sha256. Exit status: 0 valid, 1 invalid,
    4 genuine but outside the policy, 5 made with another catalogue version,
    2 usage error.
    """
    from agent.apply import verify_package
    from agent.cli_common import trusted_keys
    from report.application import verification_lines

    try:
        trusted = trusted_keys(trust_stores, signer_keys)
    except AgentError as exc:
        if as_json:
            say(json.dumps({"result": "usage_error", "valid": False, "reason": exc.message}))
        fail(exc)
    v = verify_package(package, trusted)
    if as_json:
        say(json.dumps(v.to_json(), ensure_ascii=True, sort_keys=True))
    else:
        say("\n".join(verification_lines(v, lang)))
    if render:
        _render_again(v, lang)
    sys.exit(v.exit_code)


def _render_again(v: ApplicationVerification, lang: str) -> None:
    from agent.apply import write_private
    from report.application import HTML_NAME, render_application

    if v.predicate is None or v.derived is None or str(v.outcome) in ("invalid", "unsupported"):
        say("riskagent: nothing rendered: only a verified application is rendered", err=True)
        return
    target = Path(v.source).parent / HTML_NAME
    try:
        write_private(target, render_application(v.predicate, v.derived, lang))
    except AgentError as exc:
        fail(exc)
    say(f"  wrote {target}")
