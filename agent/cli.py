"""riskagent command line.

Only click is imported at start-up; everything else is imported inside the
command that needs it, so ``riskagent --help`` stays fast on small gateways.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Optional, Tuple

import click

from agent.cli_common import (
    fail,
    lang_option,
    out_option,
    prompt_passphrase,
    say,
    signing_key_options,
    trusted_keys,
    trusted_keys_option,
    unverified_option,
)
from agent.errors import AgentError, UsageError
from agent.settings import Format, Settings
from checks.model import SEVERITIES
from collectors.profile import PROFILE_NAMES
from report.version import VERSION

if TYPE_CHECKING:
    from report.model import Report

EXIT_FINDINGS = 3
PROFILES = PROFILE_NAMES
FORMATS = tuple(f.value for f in Format)


def _progress_printer() -> Optional[Callable[[str], None]]:
    """Progress lines on a terminal only (cron and pipes get the summary alone)."""
    if not sys.stderr.isatty():
        return None

    def show(message: str) -> None:
        say(f"  … {message}", err=True)

    return show


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(version=VERSION, prog_name="riskagent")
def main() -> None:
    """riskagent: evidence-backed cyber-risk assessment for insurers and MLPS 2.0.

    Collects configuration evidence from this machine, judges it with checks
    mapped to MLPS 2.0 (等级保护 2.0) units and insurer questions, and writes a
    signed, bilingual report that insurers can verify.
    """


@main.command()
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="JSON configuration: the same settings as these flags (flags win), plus params, plan and schedule.",
)
@click.option(
    "--profile",
    type=click.Choice(PROFILES),
    default=None,
    help="server (default): this machine (plus any --target); website: only the --target endpoints; "
    "ics-gateway / telematics: this machine plus read-only industrial or telematics probes of the targets.",
)
@click.option(
    "--level",
    type=click.Choice(("2", "3")),
    default=None,
    help="MLPS protection level (等级) of the assessed system: selects the 测评项 of the MLPS view (default: 3).",
)
@click.option("--target", "targets", multiple=True, help="Network target in scope: IP, CIDR, host name or http(s) URL (repeatable).")
@click.option("--scope-file", type=click.Path(path_type=Path, dir_okay=False), default=None, help="File of targets, one per line (# comments).")
@click.option("--allow-public", is_flag=True, default=None, help="Allow publicly routable targets (only systems you are authorised to test).")
@click.option("--ports", default=None, help="Ports to scan on host and network targets, e.g. 22,80,443,8000-8100 (default: common and high-risk ports).")
@click.option(
    "--probe-port",
    "probe_ports",
    multiple=True,
    help="Non-standard port of a probed service, NAME=PORT (modbus, s7, enip, opcua, bacnet, mqtt, mqtts, redis, elasticsearch, kafka).",
)
@click.option("--modbus-unit", default=None, help="Modbus unit id to identify, 0-255 (default 1; never swept).")
@click.option(
    "--ca-file",
    "ca_files",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="Extra trust anchors for the TLS chain checks of the targets: a PEM file of CA certificates, e.g. a private CA "
    "(repeatable; added to the system store).",
)
@out_option(default=None, help_text="Output directory (default: out).")
@click.option("--format", "formats", type=click.Choice(FORMATS), multiple=True, help="Files to write (repeatable; default: all four).")
@click.option("--lang", type=click.Choice(("zh", "en")), default=None, help="Language of HTML, Markdown and terminal output (default: zh).")
@signing_key_options
@click.option("--no-sign", is_flag=True, default=None, help="Write an unsigned report.")
@click.option("--replay", type=click.Path(path_type=Path, file_okay=False), default=None, help="Assess a recorded host directory instead of this machine.")
@click.option("--replay-unprivileged", is_flag=True, default=None, hidden=True, help="Replay as if run by a non-root user.")
@click.option(
    "--root",
    "root",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Assess a mounted, read-only root file system (a disk image, an unpacked container image) from its files: "
    "offline-root mode, no command is run and run-time state is not applicable.",
)
@click.option("--questionnaire", "questionnaire_path", type=click.Path(path_type=Path, dir_okay=False), default=None, help="Insurer questionnaire file (default: the built-in one).")
@click.option("--answers", "answers_path", type=click.Path(path_type=Path, dir_okay=False), default=None, help="Attested answers file for the questionnaire.")
@click.option("--fail-on", type=click.Choice(SEVERITIES), default=None, help="Exit with status 3 if a check of this severity or worse fails.")
@click.option(
    "--state-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    envvar="RISKAGENT_STATE_DIR",
    help="Keep the report history here, so each signed report names its predecessor (scheduled runs always do).",
)
@click.option(
    "--challenge",
    default=None,
    help="The insurer's challenge nonce: embedded in the signed report, so it proves the report was made after it was issued.",
)
@click.option(
    "--time-budget",
    "time_budget",
    default=None,
    help="Seconds the whole scan may take: what overruns is recorded as not assessed, and the report is still written.",
)
@click.option(
    "--feeds",
    "feeds_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    envvar="RISKAGENT_FEEDS",
    help="Vulnerability feeds directory (riskagent feeds update): installed packages are matched against it.",
)
@click.option(
    "--submit",
    "submit_url",
    default=None,
    help="Send the signed report to the insurer's intake at this https URL (queued in the state directory first; "
    "the CA file and token file come from the config's submit object).",
)
@click.option("-q", "--quiet", is_flag=True, help="Print only the paths written.")
def scan(
    config_path: Optional[Path],
    profile: Optional[str],
    level: Optional[str],
    targets: Tuple[str, ...],
    scope_file: Optional[Path],
    allow_public: Optional[bool],
    ports: Optional[str],
    probe_ports: Tuple[str, ...],
    modbus_unit: Optional[str],
    ca_files: Tuple[Path, ...],
    out_dir: Optional[Path],
    formats: Tuple[str, ...],
    lang: Optional[str],
    key_path: Optional[Path],
    passphrase_file: Optional[Path],
    no_sign: Optional[bool],
    replay: Optional[Path],
    replay_unprivileged: Optional[bool],
    root: Optional[Path],
    questionnaire_path: Optional[Path],
    answers_path: Optional[Path],
    fail_on: Optional[str],
    state_dir: Optional[Path],
    challenge: Optional[str],
    time_budget: Optional[str],
    feeds_dir: Optional[Path],
    submit_url: Optional[str],
    quiet: bool,
) -> None:
    """Assess this machine and write a signed report (JSON, DSSE envelope, HTML, Markdown)."""
    from agent import pipeline
    from agent.settings import load_settings

    try:
        settings = load_settings(
            config_path,
            profile=profile,
            level=level,
            targets=targets,
            scope_file=scope_file,
            allow_public=allow_public,
            ports=ports,
            probe_ports=probe_ports,
            modbus_unit=modbus_unit,
            ca_files=ca_files,
            out_dir=out_dir,
            formats=formats,
            lang=lang,
            key=key_path,
            passphrase_file=passphrase_file,
            sign=False if no_sign else None,
            replay=replay,
            replay_privileged=False if replay_unprivileged else None,
            root=root,
            questionnaire=questionnaire_path,
            answers=answers_path,
            fail_on=fail_on,
            state_dir=state_dir,
            challenge=challenge,
            time_budget_s=time_budget,
            feeds_dir=feeds_dir,
            submit=submit_url,
        )
        if settings.submit is not None and not settings.sign:
            raise UsageError("--submit sends signed reports only", "drop --no-sign (or sign: false in the configuration)")
        # The host is collected in a child process from here on, while the key and the catalogue load.
        host = pipeline.start_host_collection(settings)
        try:
            signer = None
            if settings.sign:
                from agent.keys import load_signer

                signer = load_signer(settings.key, settings.passphrase_file, prompt_passphrase())
            out = settings.out_dir or Path("out")
            outcome = pipeline.run(settings, signer, out, progress=_progress_printer() if not quiet else None, host=host)
        finally:
            if host is not None:
                host.close()
    except AgentError as exc:
        fail(exc)
    if not quiet:
        from report.render import terminal_summary

        say(terminal_summary(outcome.report, settings.lang.value))
    for p in outcome.written:
        say(f"  wrote {p}")
    if settings.submit is not None:
        _submit(settings, outcome.envelope)
    if settings.fail_on is not None:
        threshold = settings.fail_on
        if any(f.severity.at_least(threshold) for f in outcome.report.failed()):
            sys.exit(EXIT_FINDINGS)


def _submit(settings: Settings, envelope: Optional[bytes]) -> None:
    """Queue and send the signed report; a failure to send is a warning (the report is written), never lost."""
    from agent.history import default_state_dir
    from agent.outbox import submit_report

    if envelope is None or settings.submit is None:
        fail(UsageError("--submit sends signed reports only", "drop --no-sign, or give a signing key"))
    try:
        result = submit_report(settings.state_dir or default_state_dir(), envelope, settings.submit)
    except AgentError as exc:
        fail(exc)
    for line in result.lines():
        say(line)


@main.group()
def keys() -> None:
    """Manage signing keys."""


@keys.command("generate")
@signing_key_options
def keys_generate(key_path: Optional[Path], passphrase_file: Optional[Path]) -> None:
    """Create an Ed25519 signing key, encrypted at rest, mode 0600 (public key beside it, .pub)."""
    from agent.keys import default_key_path, generate_key, read_passphrase

    try:
        passphrase = read_passphrase(passphrase_file)
        ask = prompt_passphrase(confirm=True)
        if passphrase is None and ask is not None:
            passphrase = ask()
        if passphrase is None:
            raise UsageError(
                "no passphrase given for the new key",
                "set RISKAGENT_KEY_PASSPHRASE, pass --passphrase-file, or run on a terminal to be prompted",
            )
        info = generate_key(key_path or default_key_path(), passphrase)
    except AgentError as exc:
        fail(exc)
    say(f"private key: {info.private_path} (mode 0600, encrypted)")
    say(f"public key:  {info.public_path}")
    say(f"key id:      {info.keyid}")


@main.group()
def checks() -> None:
    """Inspect the check catalogue."""


@checks.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@lang_option
@click.option("--profile", type=click.Choice(PROFILES), default=None, help="Only checks of this profile.")
def checks_list(fmt: str, lang: str, profile: Optional[str]) -> None:
    """Print the check catalogue with MLPS units and insurer domains."""
    from checks.catalogue import all_checks, checks_for_profile
    from collectors.profile import Profile

    chosen = checks_for_profile(Profile(profile)) if profile is not None else list(all_checks().values())
    metas = [c.meta for c in chosen]
    if fmt == "json":
        say(json.dumps([m.to_json() for m in metas], ensure_ascii=False, indent=2))
        return
    for m in metas:
        units = ",".join(r.unit for r in m.mlps)
        hr = (
            f" [高风险 {m.high_risk_case}]"
            if m.high_risk_case and lang == "zh"
            else (f" [high-risk {m.high_risk_case}]" if m.high_risk_case else "")
        )
        say(f"{m.id:<14} {m.severity.value:<8} {units:<24} {m.title.get(lang)}{hr}")
    say(f"{len(metas)} checks")


@main.group()
def questionnaire() -> None:
    """The insurer risk questionnaire (网络安全风险评估问卷): show, answer, export."""


@questionnaire.command("show")
@click.option(
    "--questionnaire",
    "questionnaire_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Questionnaire file (default: the built-in one).",
)
@lang_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def questionnaire_show(questionnaire_path: Optional[Path], lang: str, fmt: str) -> None:
    """Print the questions, their answer types and how each is derived."""
    from agent.answers import questionnaire_for

    try:
        q = questionnaire_for(questionnaire_path)
    except AgentError as exc:
        fail(exc)
    if fmt == "json":
        say(json.dumps(q.raw, ensure_ascii=False, indent=2))
        return
    say(f"{q.title.get(lang)} ({q.ref}, {len(q.questions)})")
    for section in q.sections:
        say(f"\n== {section.title.get(lang)}")
        for item in (x for x in q.questions if x.section == section.id):
            how = "attest" if item.attest_only else "derived/attest"
            say(f"{item.id:<8} [{item.type.value:<7} {how:<14}] {item.text.get(lang)}")


@questionnaire.command("answer")
@click.option(
    "--questionnaire",
    "questionnaire_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Questionnaire file (default: the built-in one).",
)
@click.option(
    "--answers",
    "answers_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path("answers.json"),
    show_default=True,
    help="Attested answers file (read, and written by --interactive).",
)
@click.option("--interactive", is_flag=True, help="Ask for every answer the evidence cannot give; each answer is saved at once.")
@click.option("--by", "attested_by", default=None, help="Who attests the answers (name and role); asked for if missing.")
@click.option(
    "--report",
    "report_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Derive from this signed report (verified first with --trust/--key) instead of assessing this machine.",
)
@trusted_keys_option
@unverified_option
@click.option("--replay", type=click.Path(path_type=Path, file_okay=False), default=None, hidden=True, help="Derive from a recorded host.")
@out_option(help_text="Where to write questionnaire.json/.csv/.html.")
@lang_option
def questionnaire_answer(
    questionnaire_path: Optional[Path],
    answers_path: Path,
    interactive: bool,
    attested_by: Optional[str],
    report_path: Optional[Path],
    trust_stores: Tuple[Path, ...],
    keys: Tuple[Path, ...],
    unverified: bool,
    replay: Optional[Path],
    out_dir: Path,
    lang: str,
) -> None:
    """Answer the questionnaire from evidence and attestations, and export it."""
    from agent.answers import interactive_session, load_answers, questionnaire_for
    from agent.files import atomic_write_all, ensure_dir
    from questionnaires.engine import Bundle, answer_all, answered
    from report.questionnaire_export import to_csv, to_html, to_json

    try:
        q = questionnaire_for(questionnaire_path)
        report, marker = _evidence_report(report_path, replay, trust_stores, keys, unverified, lang)
        if marker:
            say(marker)
        bundle = Bundle(report.findings, report.evidence)
        attestations = load_answers(answers_path, q)
        answers = answer_all(q, bundle, attestations)
        if interactive:
            by = attested_by or click.prompt("签署人（姓名、职务）/ Attested by (name, role)").strip()
            if not by:
                raise UsageError("who attests the answers is required (--by)")
            given = interactive_session(q, answers, attestations, answers_path, by, lang, sys.stdin, lambda t: say(t, nl=False))
            say(f"{given} answer(s) saved to {answers_path}")
            answers = answer_all(q, bundle, attestations)
        result = answered(q, answers)
        ensure_dir(out_dir, "output directory")
        try:
            written = atomic_write_all(
                [
                    (out_dir / "questionnaire.json", to_json(result).encode("utf-8")),
                    (out_dir / "questionnaire.csv", to_csv(result, lang).encode("utf-8")),
                    (out_dir / "questionnaire.html", to_html(result, lang).encode("utf-8")),
                ]
            )
        except OSError as exc:
            raise AgentError(f"cannot write {exc.filename or out_dir}: {exc.strerror or exc}", "nothing was written") from None
        for path in written:
            say(f"  wrote {path}")
    except AgentError as exc:
        fail(exc)
    summary = result.summary
    say(f"{q.ref}: derived {summary.derived}, attested {summary.attested}, unknown {summary.unknown}, conflicts {summary.conflicts}")
    for a in answers:
        if a.conflict:
            say(f"  CONFLICT {a.question}: {a.conflict}")


def _evidence_report(
    report_path: Optional[Path],
    replay: Optional[Path],
    trust_stores: Tuple[Path, ...],
    keys: Tuple[Path, ...],
    unverified: bool,
    lang: str,
) -> Tuple[Report, Optional[str]]:
    """Findings and evidence to answer from (a verified report, a recorded host, or this machine), and the
    UNVERIFIED marker when the report was read without verification."""
    if report_path is not None:
        from agent.signed_input import read_report

        trusted = trusted_keys(trust_stores, keys, required=False) if not unverified else {}
        source = read_report(report_path, trusted, unverified=unverified, say_warning=lambda t: say(t, err=True))
        return source.report, source.marker(lang)
    from agent import pipeline
    from agent.settings import Settings

    return pipeline.assess(Settings(replay=replay, sign=False)), None


def _register_more_commands() -> None:
    """Commands defined in their own modules (they import only click at start-up)."""
    from agent.cli_apply import apply_group, questionnaire_sign_cmd
    from agent.cli_feeds import feeds_group
    from agent.cli_history import history_cmd, run_scheduled_cmd, schedule_cmd
    from agent.cli_outbox import outbox_group, submit_application_cmd
    from agent.cli_underwriting import diff_cmd, export_cmd, plan_cmd
    from agent.cli_verify import challenge_cmd, cosign_cmd, keys_identity_cmd, render_cmd, trust_group, verify_cmd

    for command in (verify_cmd, render_cmd, cosign_cmd, challenge_cmd, trust_group, plan_cmd, diff_cmd, export_cmd, history_cmd, schedule_cmd, run_scheduled_cmd):
        main.add_command(command)
    keys.add_command(keys_identity_cmd)
    questionnaire.add_command(questionnaire_sign_cmd)
    main.add_command(apply_group)
    main.add_command(feeds_group)
    main.add_command(__import__("agent.cli_snapshot", fromlist=["snapshot_group"]).snapshot_group)  # riskagent snapshot, snapshot verify
    main.add_command(__import__("agent.intake.cli", fromlist=["serve_group"]).serve_group)  # riskagent serve: the insurer's intake
    main.add_command(outbox_group)
    main.add_command(submit_application_cmd)  # riskagent submit-application: an application package to the intake
    main.add_command(__import__("agent.cli_claim", fromlist=["claim_cmd"]).claim_cmd)  # riskagent claim


_register_more_commands()

if __name__ == "__main__":  # pragma: no cover
    main()
