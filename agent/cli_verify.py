"""The insurer's commands: ``verify``, ``render``, ``cosign``, ``challenge``, ``trust`` and ``keys identity``.

Plain click commands that ``agent.cli`` adds to its groups; only click is
imported at start-up. Exit codes of ``verify`` and ``render``: 0 valid and
within the policy, 1 invalid (signature, form or recheck broken), 2 usage,
4 genuine but outside the policy, 5 made with another catalogue version.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, List, Optional, Tuple, TypeVar, Union

import click

from agent.cli_common import (
    AsciiInt,
    fail,
    json_option,
    lang_option,
    prompt_passphrase,
    say,
    signing_key_options,
    trusted_keys,
)
from agent.errors import AgentError, UsageError

if TYPE_CHECKING:
    from report.application import ApplicationVerification
    from report.policy import Policy
    from report.trust import TrustedKey
    from report.verification import Verification

FC = TypeVar("FC", bound=Callable[..., Any])
DEFAULT_MAX_MIB = 64


def trust_options(fn: FC) -> FC:
    """``--trust`` and ``--key`` (public keys), as in every command that reads signed reports."""
    fn = click.option(
        "--key",
        "keys",
        type=click.Path(path_type=Path, dir_okay=False),
        multiple=True,
        help="Trusted public key (PEM) without an identity; repeat for several.",
    )(fn)
    return click.option(
        "--trust",
        "trust_stores",
        type=click.Path(path_type=Path, dir_okay=False),
        multiple=True,
        help="Trust store (JSON): keys bound to identities, roles, validity windows and targets.",
    )(fn)


def policy_options(fn: FC) -> FC:
    """The verification policy: a file, and flags for the common rules (flags add to the file)."""
    options = [
        click.option("--policy", "policy_path", type=click.Path(path_type=Path, dir_okay=False), default=None, help="Verification policy file (JSON)."),
        click.option("--max-age", default=None, help="Refuse reports older than this, e.g. 30d, 12h, 2w."),
        click.option("--require-live", is_flag=True, help="Refuse replays of recorded data: only live assessments."),
        click.option("--require-privileged", is_flag=True, help="Refuse assessments run without root."),
        click.option(
            "--require-role",
            "require_roles",
            multiple=True,
            type=click.Choice(["applicant", "assessor", "insurer"]),
            help="Require a signature by a trusted key with this role (repeatable).",
        ),
        click.option(
            "--allow-override",
            "allow_overrides",
            multiple=True,
            help="Accept this weakening parameter override: CHECK-ID.param, CHECK-ID.* or * (repeatable).",
        ),
        click.option(
            "--questionnaire",
            "questionnaire_path",
            type=click.Path(path_type=Path, dir_okay=False),
            default=None,
            help="The insurer's copy of the questionnaire: the report must answer exactly this one.",
        ),
        click.option("--challenge", default=None, help="Require the report to carry this challenge nonce."),
        click.option("--subject", "subjects", multiple=True, help="Require the report to be about an asset matching this pattern, e.g. host:web-*."),
        click.option(
            "--ignore-untrusted-signatures",
            is_flag=True,
            help="Leave signatures by unknown keys uncounted instead of refusing the report.",
        ),
        click.option("--max-size", type=AsciiInt(1, 4096), default=DEFAULT_MAX_MIB, show_default=True, help="Largest envelope read, in MiB."),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def build_policy(
    policy_path: Optional[Path],
    max_age: Optional[str],
    require_live: bool,
    require_privileged: bool,
    require_roles: Tuple[str, ...],
    allow_overrides: Tuple[str, ...],
    questionnaire_path: Optional[Path],
    challenge: Optional[str],
    subjects: Tuple[str, ...],
    ignore_untrusted_signatures: bool,
) -> Policy:
    """The policy file (if any) with the flags added; errors name the file, key or flag."""
    from report.policy import Policy, PolicyError, _override_rule, _role, load_policy, merge, parse_duration

    try:
        base = load_policy(policy_path) if policy_path is not None else Policy()
        digests: Tuple[str, ...] = ()
        if questionnaire_path is not None:
            digests = (_questionnaire_digest(questionnaire_path),)
        return merge(
            base,
            max_age_s=parse_duration(max_age, "--max-age") if max_age else None,
            require_live=require_live,
            require_privileged=require_privileged,
            require_roles=tuple(_role(r, "--require-role") for r in require_roles),
            allow_overrides=tuple(_override_rule(r, "--allow-override") for r in allow_overrides),
            questionnaire_sha256=digests,
            challenge=challenge,
            subjects=subjects,
            ignore_untrusted_signatures=ignore_untrusted_signatures,
        )
    except PolicyError as exc:
        raise UsageError(str(exc), "see README 'For insurers' for the policy format") from None


def _questionnaire_digest(path: Path) -> str:
    from agent.answers import questionnaire_for
    from report.provenance import definition_sha256

    return definition_sha256(questionnaire_for(path).raw)


def _verify_file(path: Path, trusted: Any, policy: Policy, max_mib: int, feeds_dir: Optional[Path] = None) -> Verification:
    from report.envelope import read_bounded
    from report.signing import VerificationError
    from report.verification import Outcome, Verification, verify_bytes

    try:
        data = read_bounded(path, max_mib * 1024 * 1024)
    except VerificationError as exc:
        return Verification(str(path), Outcome.INVALID, (str(exc),), (), None, ())
    return verify_bytes(data, trusted, policy, source=str(path), max_bytes=max_mib * 1024 * 1024, feeds_dir=feeds_dir)


_WORST = ("invalid", "unsupported", "policy_failed", "valid")


def mode_lines(v: Verification, lang: str) -> List[str]:
    """For a report of an offline root file system: its mode, that nothing was run, and the checks that are not
    applicable because a root file system has no run-time state (the "Made" line names the mode of every report)."""
    r = v.report
    if r is None or r.run.mode != "offline-root":
        return []
    from report.render import OFFLINE_ROOT_NAME, offline_root_not_applicable

    ids = offline_root_not_applicable(r)
    if lang == "zh":
        text = f"评估方式：offline-root（{OFFLINE_ROOT_NAME.zh}）：依据文件判断，未运行任何命令；{len(ids)} 项仅有运行时状态的检查不适用"
    else:
        text = f"Mode: offline-root ({OFFLINE_ROOT_NAME.en}): judged from files, no command run; {len(ids)} check(s) of run-time state not applicable"
    sep = "：" if lang == "zh" else ": "
    return [f"  {text}" + (f"{sep}{', '.join(ids)}" if ids else "")]


@click.command("verify")
@click.argument("envelopes", metavar="ENVELOPE_OR_PACKAGE...", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=True))
@trust_options
@policy_options
@click.option(
    "--feeds",
    "feeds_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    envvar="RISKAGENT_FEEDS",
    help="Your vulnerability feeds (riskagent feeds update): where they are the ones a report used, its matches are re-derived.",
)
@json_option
@lang_option
def verify_cmd(
    envelopes: Tuple[Path, ...],
    trust_stores: Tuple[Path, ...],
    keys: Tuple[Path, ...],
    feeds_dir: Optional[Path],
    as_json: bool,
    lang: str,
    **policy_flags: Any,
) -> None:
    """Verify signed reports: every signature, the full recheck against the embedded evidence, and the policy.

    Prints who signed (from the trust store), what the report covers and how
    it was made (live or replay, privileges, scope, parameter overrides,
    questionnaire, catalogue, challenge), and each policy rule; with --feeds, the
    vulnerability matches re-derived from the embedded package list. Exit status:
    0 valid, 1 invalid, 4 valid but outside the policy, 5 made with another
    catalogue version (verify it with that riskagent version), 2 usage error.
    With several files, one result each (JSON Lines with --json) and the
    worst status.
    """
    from report.verify_text import verification_lines

    max_mib = policy_flags.pop("max_size")
    try:
        trusted = trusted_keys(trust_stores, keys)
        policy = build_policy(**policy_flags)
    except AgentError as exc:
        if as_json:
            say(json.dumps({"result": "usage_error", "valid": False, "reason": exc.message}))
        fail(exc)
    from agent.apply import is_application, verify_package
    from report.application import verification_lines as application_lines

    results: List[Union[Verification, ApplicationVerification]] = []
    for path in envelopes:
        if path.is_dir() or is_application(path, max_mib * 1024 * 1024):  # an application package: its own checks, the same exit codes
            a = verify_package(path, trusted, max_bytes=max_mib * 1024 * 1024, policy=policy)
            results.append(a)
            say(json.dumps(a.to_json(), ensure_ascii=True, sort_keys=True) if as_json else "\n".join(application_lines(a, lang)))
            continue
        v = _verify_file(path, trusted, policy, max_mib, feeds_dir)
        results.append(v)
        if as_json:
            say(json.dumps(v.to_json(), ensure_ascii=True, sort_keys=True))
        else:
            say("\n".join(verification_lines(v, lang) + mode_lines(v, lang)))
    worst = min(results, key=lambda v: _WORST.index(v.outcome.value))
    sys.exit(worst.exit_code)


@click.command("render")
@click.argument("envelope", type=click.Path(path_type=Path, dir_okay=False))
@trust_options
@policy_options
@click.option("--format", "fmt", type=click.Choice(["html", "md"]), default="html", show_default=True)
@click.option("--out", "out_path", type=click.Path(path_type=Path, dir_okay=False), default=None, help="File to write (default: report.<format> beside the envelope).")
@lang_option
def render_cmd(envelope: Path, trust_stores: Tuple[Path, ...], keys: Tuple[Path, ...], fmt: str, out_path: Optional[Path], lang: str, **policy_flags: Any) -> None:
    """Write the human-readable report from a verified envelope, with the verification result in its header.

    Nothing is written for an invalid envelope or one from another catalogue
    version; a genuine report outside the policy is written with that in its
    header, and the exit status is 4.
    """
    from agent.files import atomic_write, check_parent
    from report.render import render_html, render_markdown
    from report.verification import Outcome
    from report.verify_text import verification_lines

    max_mib = policy_flags.pop("max_size")
    try:
        trusted = trusted_keys(trust_stores, keys)
        policy = build_policy(**policy_flags)
        v = _verify_file(envelope, trusted, policy, max_mib)
        if v.report is None or v.outcome in (Outcome.INVALID, Outcome.UNSUPPORTED):
            say("\n".join(verification_lines(v, lang)), err=True)
            say("riskagent: nothing rendered: only a verified report is rendered", err=True)
            sys.exit(v.exit_code)
        header = verification_lines(v, lang)
        text = render_html(v.report, lang, (v.ok, header)) if fmt == "html" else render_markdown(v.report, lang, (v.ok, header))
        target = out_path or envelope.with_name(f"report.{fmt}")
        check_parent(target, str(target))
        try:
            atomic_write(target, text.encode("utf-8"))
        except OSError as exc:
            raise AgentError(f"cannot write {target}: {exc.strerror}") from None
    except AgentError as exc:
        fail(exc)
    say(header[0])
    say(f"  wrote {target}")
    sys.exit(v.exit_code)


@click.command("cosign")
@click.argument("envelope", type=click.Path(path_type=Path, dir_okay=False))
@signing_key_options
@click.option("--trust", "trust_stores", type=click.Path(path_type=Path, dir_okay=False), multiple=True, help="Trust store holding the keys that signed already.")
@click.option("--signer-key", "keys", type=click.Path(path_type=Path, dir_okay=False), multiple=True, help="Public key (PEM) of a party that signed already.")
@click.option("--out", "out_path", type=click.Path(path_type=Path, dir_okay=False), default=None, help="Where to write the co-signed envelope (default: in place).")
@click.option("--force", is_flag=True, help="Co-sign a genuine report even though it fails the default verification policy.")
@lang_option
def cosign_cmd(
    envelope: Path,
    key_path: Optional[Path],
    passphrase_file: Optional[Path],
    trust_stores: Tuple[Path, ...],
    keys: Tuple[Path, ...],
    out_path: Optional[Path],
    force: bool,
    lang: str,
) -> None:
    """Add your signature to a signed report (an assessor on site co-signing the applicant's report).

    The envelope is verified first, in full: the signatures already on it
    (with --trust or --signer-key) and the recheck of every finding against
    the embedded evidence. Only then is a signature over the same payload
    added. Each signature still verifies on its own.
    """
    from agent.files import atomic_write, check_parent
    from agent.keys import load_signer
    from report.verification import Outcome
    from report.verify_text import verification_lines

    try:
        trusted = trusted_keys(trust_stores, keys)
        signer = load_signer(key_path, passphrase_file, prompt_passphrase())
        v = _verify_file(envelope, trusted, _cosign_policy(), DEFAULT_MAX_MIB)
        if v.envelope is None or v.report is None or v.outcome in (Outcome.INVALID, Outcome.UNSUPPORTED):
            say("\n".join(verification_lines(v, lang)), err=True)
            raise AgentError(f"{envelope} does not verify; not co-signed", "co-sign only a report you have verified")
        if v.outcome is Outcome.POLICY_FAILED and not force:
            say("\n".join(verification_lines(v, lang)), err=True)
            raise AgentError(
                f"{envelope} is genuine but fails the default verification policy ({v.reason}); not co-signed",
                "co-signing vouches for the report as an insurer would read it; pass --force to co-sign it anyway",
            )
        if any(k == signer.keyid for k, _ in v.envelope.signatures):
            raise UsageError(f"{envelope} is already signed by this key ({signer.keyid[:16]})")
        from report.envelope import MAX_SIGNATURES

        if len(v.envelope.signatures) >= MAX_SIGNATURES:
            raise UsageError(f"{envelope} already carries {MAX_SIGNATURES} signatures, the most an envelope may have")
        data = signer.cosign(v.envelope.payload, v.envelope.signature_dicts())
        target = out_path or envelope
        check_parent(target, str(target))
        try:
            atomic_write(target, data)
        except OSError as exc:
            raise AgentError(f"cannot write {target}: {exc.strerror}") from None
    except AgentError as exc:
        fail(exc)
    say("\n".join(verification_lines(v, lang)))
    say(f"co-signed by key {signer.keyid[:16]} as signature {len(v.envelope.signatures)}: wrote {target}")


def _cosign_policy() -> Policy:
    from report.policy import Policy

    return Policy()


@click.command("challenge")
@click.option("--bytes", "nbytes", type=AsciiInt(16, 64), default=24, show_default=True, help="Random bytes in the nonce.")
def challenge_cmd(nbytes: int) -> None:
    """Print a fresh challenge nonce for an applicant to pass to ``scan --challenge``."""
    import secrets

    say(secrets.token_urlsafe(nbytes))


# ------------------------------------------------------------------------------------------ identities


@click.command("identity")
@click.option("--key", "key_path", type=click.Path(path_type=Path, dir_okay=False), default=None, help="Public key (default: the .pub beside the default signing key).")
@click.option("--name", required=True, help="Organisation or assessor name, as the insurer knows it.")
@click.option("--role", type=click.Choice(["applicant", "assessor", "insurer"]), required=True)
@click.option("--org-id", "organisation_id", default=None, help="统一社会信用代码 (unified social credit code) of the organisation.")
@click.option("--certificate", default=None, help="Assessor certificate number (for role assessor).")
@click.option("--target", "targets", multiple=True, help="Asset pattern this key signs for, e.g. host:web-* or machine:8dfc*. Repeatable.")
@click.option("--valid-from", default=None, help="First day the key is trusted (YYYY-MM-DD; default: today).")
@click.option("--valid-days", type=AsciiInt(1, 3660), default=366, show_default=True, help="How long the entry is valid.")
def keys_identity_cmd(
    key_path: Optional[Path],
    name: str,
    role: str,
    organisation_id: Optional[str],
    certificate: Optional[str],
    targets: Tuple[str, ...],
    valid_from: Optional[str],
    valid_days: int,
) -> None:
    """Print the trust store entry for your key: send it to the insurer, who checks it and adds it.

    Without --target, the entry covers this machine by its host name and its
    app-specific machine id.
    """
    import datetime as dt

    from agent.keys import default_key_path, public_path_for
    from collectors.strictjson import to_json
    from report.trust import Role, TrustedSigner, TrustError, bare_key, parse_time, uscc_problem

    try:
        path = key_path or public_path_for(default_key_path())
        key: TrustedKey = bare_key(path)
        if organisation_id is not None and uscc_problem(organisation_id):
            raise UsageError(f"--org-id: {uscc_problem(organisation_id)}")
        if role == "assessor" and not certificate:
            raise UsageError("an assessor entry needs --certificate (the assessor's certificate number)")
        if role != "assessor" and not organisation_id:
            raise UsageError(f"an {role} entry needs --org-id (the unified social credit code)")
        if valid_from is not None and not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}:[0-9]{2}Z)?", valid_from, re.ASCII):
            raise UsageError(f"--valid-from {valid_from!r}: expected a date YYYY-MM-DD (digits 0-9)")
        start = parse_time(valid_from) if valid_from else dt.datetime.now(dt.timezone.utc)
        until = start + dt.timedelta(days=valid_days)
        entry = TrustedSigner(
            name=name,
            role=Role(role),
            public_key=_pem(path),
            keyid=key.keyid,
            targets=targets or _this_machine(),
            organisation_id=organisation_id,
            certificate=certificate,
            valid_from=start.strftime("%Y-%m-%d"),
            valid_until=until.strftime("%Y-%m-%d"),
        )
    except (TrustError, ValueError) as exc:
        fail(UsageError(str(exc)))
    except AgentError as exc:
        fail(exc)
    say(json.dumps(to_json(entry), ensure_ascii=False, indent=2))


def _pem(path: Path) -> str:
    return path.read_text(encoding="ascii").strip() + "\n"


def _this_machine() -> Tuple[str, ...]:
    import socket

    from collectors.host.identity import app_specific_id

    out = [f"host:{socket.gethostname()}"]
    try:
        machine_id = Path("/etc/machine-id").read_text(encoding="ascii").strip()
        out.append(f"machine:{app_specific_id(machine_id)}")
    except (OSError, ValueError):
        pass
    return tuple(out)


@click.group("trust")
def trust_group() -> None:
    """Keep the insurer's trust store: add entries applicants and assessors send, list them."""


@trust_group.command("add")
@click.argument("entry_path", metavar="ENTRY", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--store", "store_path", type=click.Path(path_type=Path, dir_okay=False), required=True, help="Trust store file (created if missing).")
def trust_add_cmd(entry_path: Path, store_path: Path) -> None:
    """Add an entry printed by ``riskagent keys identity`` to a trust store (checked first; atomic write)."""
    from agent.files import atomic_write, check_parent
    from report.canonical import CanonicalError, strict_loads
    from report.trust import TrustError, parse_trust_store

    try:
        try:
            entry = strict_loads(entry_path.read_bytes(), str(entry_path))
            store = strict_loads(store_path.read_bytes(), str(store_path)) if store_path.exists() else {"riskagent_trust_store": 1, "signers": []}
        except OSError as exc:
            raise UsageError(f"cannot read {exc.filename}: {exc.strerror}") from None
        except CanonicalError as exc:
            raise UsageError(str(exc)) from None
        if not isinstance(store, dict) or not isinstance(store.get("signers"), list):
            raise UsageError(f"{store_path} is not a riskagent trust store")
        store["signers"].append(entry)
        data = (json.dumps(store, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
        try:
            signers = parse_trust_store(data, str(store_path))
        except TrustError as exc:
            raise UsageError(str(exc), "the trust store was not changed") from None
        check_parent(store_path, str(store_path))
        try:
            atomic_write(store_path, data, 0o644)
        except OSError as exc:
            raise AgentError(f"cannot write {store_path}: {exc.strerror}") from None
    except AgentError as exc:
        fail(exc)
    from report.terminal import safe_line

    added = signers[str(entry.get("keyid"))]
    say(f"added {safe_line(added.label)}, key {added.keyid[:16]}, to {store_path} ({len(signers)} signer(s))")


@trust_group.command("list")
@click.argument("store_path", metavar="STORE", type=click.Path(path_type=Path, dir_okay=False))
def trust_list_cmd(store_path: Path) -> None:
    """List the signers of a trust store with their roles, windows and targets."""
    from report.trust import TrustError, load_trust_store

    try:
        signers = load_trust_store(store_path)
    except TrustError as exc:
        fail(UsageError(str(exc)))
    from report.terminal import safe_line

    for s in signers.values():
        e = s.entry
        assert e is not None
        targets = safe_line(", ".join(e.targets))
        say(f"{s.keyid[:16]}  {safe_line(e.label)}  {e.valid_from or '-'} .. {e.valid_until or '-'}  targets: {targets}")
