"""riskagent command line.

Only click is imported at start-up; everything else is imported inside the
command that needs it, so ``riskagent --help`` stays fast on small gateways.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Mapping, Optional, Tuple

import click

from agent.cli_common import fail, trusted_keys
from agent.errors import AgentError, UsageError

EXIT_FINDINGS = 3
SEVERITIES = ("critical", "high", "medium", "low", "info")


def _progress_printer() -> Any:
    """Progress lines on a terminal only (cron and pipes get the summary alone)."""
    if not sys.stderr.isatty():
        return None

    def say(message: str) -> None:
        click.echo(f"  … {message}", err=True)

    return say


def _passphrase(passphrase_file: Optional[Path], *, confirm: bool) -> Optional[bytes]:
    from agent.keys import read_passphrase

    value = read_passphrase(passphrase_file)
    if value is None and sys.stdin.isatty():
        value = click.prompt("Key passphrase", hide_input=True, confirmation_prompt=confirm).encode()
    return value


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="riskagent", prog_name="riskagent")
def main() -> None:
    """riskagent: evidence-backed cyber-risk assessment for insurers and MLPS 2.0.

    Collects configuration evidence from this machine, judges it with checks
    mapped to MLPS 2.0 (等级保护 2.0) units and insurer questions, and writes a
    signed, bilingual report that insurers can verify.
    """


@main.command()
@click.option(
    "--profile",
    type=click.Choice(["server", "website", "ics-gateway", "telematics"]),
    default="server",
    show_default=True,
    help="server: this machine (plus any --target); website: only the --target endpoints; "
    "ics-gateway / telematics: this machine plus read-only industrial or telematics probes of the targets.",
)
@click.option(
    "--target", "targets", multiple=True, help="Network target in scope: IP, CIDR, host name or http(s) URL (repeatable)."
)
@click.option(
    "--scope-file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="File of targets, one per line (# comments).",
)
@click.option("--allow-public", is_flag=True, help="Allow publicly routable targets (only systems you are authorised to test).")
@click.option(
    "--ports",
    default=None,
    help="Ports to scan on host and network targets, e.g. 22,80,443,8000-8100 (default: a list of common and high-risk ports).",
)
@click.option(
    "--out", "out_dir", type=click.Path(path_type=Path), default=Path("out"), show_default=True, help="Output directory."
)
@click.option(
    "--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True, help="Language of HTML/Markdown/terminal output."
)
@click.option(
    "--key",
    "key_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Signing key (default: $RISKAGENT_KEY or ~/.config/riskagent/signing.key).",
)
@click.option(
    "--passphrase-file",
    type=click.Path(path_type=Path),
    default=None,
    help="File holding the key passphrase (else $RISKAGENT_KEY_PASSPHRASE, else a prompt).",
)
@click.option("--no-sign", is_flag=True, help="Write an unsigned report.")
@click.option(
    "--config", "config_path", type=click.Path(path_type=Path), default=None, help="JSON file with per-check parameter overrides."
)
@click.option(
    "--replay",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Assess a recorded host directory instead of this machine.",
)
@click.option("--replay-unprivileged", is_flag=True, hidden=True, help="Replay as if run by a non-root user.")
@click.option(
    "--probe-port",
    "probe_ports",
    multiple=True,
    help="Non-standard port of a probed service, NAME=PORT (modbus, s7, enip, opcua, bacnet, mqtt, mqtts, redis, elasticsearch, kafka).",
)
@click.option("--modbus-unit", type=int, default=None, help="Modbus unit id to identify (default 1; never swept).")
@click.option(
    "--questionnaire",
    "questionnaire_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Insurer questionnaire file (default: the built-in one).",
)
@click.option(
    "--answers",
    "answers_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Attested answers file for the questionnaire.",
)
@click.option(
    "--fail-on",
    type=click.Choice(SEVERITIES),
    default=None,
    help="Exit with status 3 if a check of this severity or worse fails.",
)
@click.option(
    "--state-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    envvar="RISKAGENT_STATE_DIR",
    help="Keep the report history here, so each signed report names its predecessor (scheduled runs always do).",
)
@click.option("-q", "--quiet", is_flag=True, help="Print only the paths written.")
def scan(
    profile: str,
    targets: Tuple[str, ...],
    scope_file: Optional[Path],
    allow_public: bool,
    ports: Optional[str],
    out_dir: Path,
    lang: str,
    key_path: Optional[Path],
    passphrase_file: Optional[Path],
    no_sign: bool,
    config_path: Optional[Path],
    replay: Optional[Path],
    replay_unprivileged: bool,
    probe_ports: Tuple[str, ...],
    modbus_unit: Optional[int],
    questionnaire_path: Optional[Path],
    answers_path: Optional[Path],
    fail_on: Optional[str],
    state_dir: Optional[Path],
    quiet: bool,
) -> None:
    """Assess this machine and write a signed report (JSON, DSSE envelope, HTML, Markdown)."""
    from agent.scan import build_scope, load_config, load_plan_settings, probe_options, run_scan

    try:
        params = load_config(config_path)
        plan_settings = load_plan_settings(config_path)
        options = probe_options(list(probe_ports), modbus_unit)
        scope = build_scope(list(targets), scope_file, allow_public)
        signer = None
        if not no_sign:
            from agent.keys import default_key_path, load_private_key
            from report.signing import build_statement, sign_statement

            path = key_path or default_key_path()
            private_key = load_private_key(path, _passphrase(passphrase_file, confirm=False) if path.exists() else None)

            def signer(report: Mapping[str, Any]) -> bytes:
                subject = f"{report['target']['kind']}:{report['target']['name']}"
                return sign_statement(build_statement(report, subject), private_key)

        result = run_scan(
            profile=profile,
            out_dir=out_dir,
            lang=lang,
            replay=replay,
            replay_privileged=not replay_unprivileged,
            params=params,
            signer=signer,
            questionnaire_path=questionnaire_path,
            answers_path=answers_path,
            scope=scope,
            ports=ports,
            options=options,
            plan_settings=plan_settings,
            state_dir=state_dir,
            progress=_progress_printer() if not quiet else None,
        )
    except AgentError as exc:
        fail(exc)
    if not quiet:
        from report.render import terminal_summary

        click.echo(terminal_summary(result.report, lang))
    for p in result.written:
        click.echo(f"  wrote {p}")
    if fail_on is not None:
        threshold = SEVERITIES.index(fail_on)
        worst = [f for f in result.report["findings"] if f["status"] == "fail" and SEVERITIES.index(f["severity"]) <= threshold]
        if worst:
            sys.exit(EXIT_FINDINGS)


@main.command()
@click.argument("envelope", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--key",
    "keys",
    type=click.Path(path_type=Path, dir_okay=False),
    multiple=True,
    required=True,
    help="Trusted public key (PEM); repeat for several.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the verification result as JSON.")
@click.option("--no-recheck", is_flag=True, help="Do not re-run the checks over the embedded evidence.")
def verify(envelope: Path, keys: Tuple[Path, ...], as_json: bool, no_recheck: bool) -> None:
    """Verify a signed report (DSSE envelope) against trusted public keys.

    After the signature, the checks are re-run over the evidence the report
    carries: every finding must follow from it.
    """
    from report.signing import VerificationError, verify_envelope

    try:
        trusted = trusted_keys(keys)
        try:
            data = envelope.read_bytes()
        except OSError as exc:
            raise UsageError(f"cannot read {envelope}: {exc.strerror}") from exc
        verified = verify_envelope(data, trusted)
        if not no_recheck:
            from report.recheck import recheck

            result = recheck(verified.report)
            if result.mismatches:
                first = result.mismatches[0]
                raise VerificationError(
                    f"{len(result.mismatches)} finding(s) do not follow from the embedded evidence, e.g. {first.check_id} "
                    f"is reported {first.reported} but the evidence gives {first.recomputed}"
                )
            if result.answer_mismatches:
                first = result.answer_mismatches[0]
                raise VerificationError(
                    f"{len(result.answer_mismatches)} questionnaire answer(s) do not follow from the embedded evidence, "
                    f"e.g. {first.check_id} is answered {first.reported} but the evidence gives {first.recomputed}"
                )
            if result.unknown_checks:
                click.echo(
                    f"note: {len(result.unknown_checks)} check(s) unknown to this riskagent version were not re-checked: "
                    + ", ".join(result.unknown_checks[:5]),
                    err=True,
                )
    except VerificationError as exc:
        if as_json:
            click.echo(json.dumps({"valid": False, "reason": str(exc)}))
        click.echo(f"riskagent: INVALID {envelope}: {exc}", err=True)
        sys.exit(1)
    except AgentError as exc:
        fail(exc)
    r = verified.report
    if as_json:
        click.echo(
            json.dumps({"valid": True, "keyid": verified.keyid, "report_id": r.get("report_id"), "target": r.get("target")})
        )
    else:
        click.echo(
            f"OK {envelope}: signed by key {verified.keyid[:16]}; report {r.get('report_id')} "
            f"for {r.get('target', {}).get('name')} at {r.get('run', {}).get('started_at')}"
        )


@main.group()
def keys() -> None:
    """Manage signing keys."""


@keys.command("generate")
@click.option(
    "--key",
    "key_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Where to write the private key (public key beside it, .pub).",
)
@click.option(
    "--passphrase-file",
    type=click.Path(path_type=Path),
    default=None,
    help="File holding the passphrase (else $RISKAGENT_KEY_PASSPHRASE, else a prompt).",
)
def keys_generate(key_path: Optional[Path], passphrase_file: Optional[Path]) -> None:
    """Create an Ed25519 signing key, encrypted at rest, mode 0600."""
    from agent.keys import default_key_path, generate_key

    try:
        passphrase = _passphrase(passphrase_file, confirm=True)
        if passphrase is None:
            raise UsageError(
                "no passphrase given for the new key",
                "set RISKAGENT_KEY_PASSPHRASE, pass --passphrase-file, or run on a terminal to be prompted",
            )
        info = generate_key(key_path or default_key_path(), passphrase)
    except AgentError as exc:
        fail(exc)
    click.echo(f"private key: {info.private_path} (mode 0600, encrypted)")
    click.echo(f"public key:  {info.public_path}")
    click.echo(f"key id:      {info.keyid}")


@main.group()
def checks() -> None:
    """Inspect the check catalogue."""


@checks.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
@click.option("--profile", default=None, help="Only checks of this profile.")
def checks_list(fmt: str, lang: str, profile: Optional[str]) -> None:
    """Print the check catalogue with MLPS units and insurer domains."""
    from checks.registry import all_checks

    metas = [c.meta for c in all_checks().values() if profile is None or profile in c.meta.profiles]
    if fmt == "json":
        click.echo(json.dumps([m.to_json() for m in metas], ensure_ascii=False, indent=2))
        return
    for m in metas:
        units = ",".join(r.unit for r in m.mlps)
        hr = (
            f" [高风险 {m.high_risk_case}]"
            if m.high_risk_case and lang == "zh"
            else (f" [high-risk {m.high_risk_case}]" if m.high_risk_case else "")
        )
        click.echo(f"{m.id:<14} {m.severity.value:<8} {units:<24} {m.title.get(lang)}{hr}")
    click.echo(f"{len(metas)} checks")


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
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def questionnaire_show(questionnaire_path: Optional[Path], lang: str, fmt: str) -> None:
    """Print the questions, their answer types and how each is derived."""
    from questionnaires.loader import QuestionnaireError, load_questionnaire

    try:
        q = load_questionnaire(questionnaire_path)
    except QuestionnaireError as exc:
        fail(UsageError(str(exc)))
    if fmt == "json":
        click.echo(json.dumps(q.raw, ensure_ascii=False, indent=2))
        return
    click.echo(f"{q.title.get(lang)} ({q.ref}, {len(q.questions)})")
    for section in q.sections:
        click.echo(f"\n== {section.title.get(lang)}")
        for item in (x for x in q.questions if x.section == section.id):
            how = "attest" if item.attest_only else "derived/attest"
            click.echo(f"{item.id:<8} [{item.type.value:<7} {how:<14}] {item.text.get(lang)}")


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
    help="Derive from this report.json instead of assessing this machine.",
)
@click.option(
    "--replay", type=click.Path(path_type=Path, file_okay=False), default=None, hidden=True, help="Derive from a recorded host."
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=Path("out"),
    show_default=True,
    help="Where to write questionnaire.json/.csv/.html.",
)
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
def questionnaire_answer(
    questionnaire_path: Optional[Path],
    answers_path: Path,
    interactive: bool,
    attested_by: Optional[str],
    report_path: Optional[Path],
    replay: Optional[Path],
    out_dir: Path,
    lang: str,
) -> None:
    """Answer the questionnaire from evidence and attestations, and export it."""
    from agent.answers import interactive_session, load_answers
    from agent.files import atomic_write
    from questionnaires.engine import Bundle, answer_all, answered_json
    from questionnaires.loader import QuestionnaireError, load_questionnaire
    from report.questionnaire_export import to_csv, to_html, to_json

    try:
        try:
            q = load_questionnaire(questionnaire_path)
        except QuestionnaireError as exc:
            raise UsageError(str(exc)) from None
        report = _evidence_report(report_path, replay)
        bundle = Bundle.from_report(report)
        attestations = load_answers(answers_path, q)
        answers = answer_all(q, bundle, attestations)
        if interactive:
            by = attested_by or click.prompt("签署人（姓名、职务）/ Attested by (name, role)").strip()
            if not by:
                raise UsageError("who attests the answers is required (--by)")
            given = interactive_session(
                q, answers, attestations, answers_path, by, lang, sys.stdin, lambda t: click.echo(t, nl=False)
            )
            click.echo(f"{given} answer(s) saved to {answers_path}")
            answers = answer_all(q, bundle, attestations)
        answered = answered_json(q, answers)
        for name, text in (
            ("questionnaire.json", to_json(answered)),
            ("questionnaire.csv", to_csv(answered, lang)),
            ("questionnaire.html", to_html(answered, lang)),
        ):
            atomic_write(out_dir / name, text.encode("utf-8"))
            click.echo(f"  wrote {out_dir / name}")
    except AgentError as exc:
        fail(exc)
    summary = answered["summary"]
    click.echo(
        f"{q.ref}: derived {summary['derived']}, attested {summary['attested']}, unknown {summary['unknown']}, conflicts {summary['conflicts']}"
    )
    for a in answers:
        if a.conflict:
            click.echo(f"  CONFLICT {a.question}: {a.conflict}")


def _evidence_report(report_path: Optional[Path], replay: Optional[Path]) -> Mapping[str, Any]:
    """Findings and evidence to answer from: a report file, a recorded host, or this machine."""
    if report_path is not None:
        try:
            data = json.loads(report_path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise UsageError(f"cannot read {report_path}: {exc.strerror}") from None
        except json.JSONDecodeError as exc:
            raise UsageError(f"{report_path}: line {exc.lineno}: not valid JSON: {exc.msg}") from None
        if not isinstance(data, dict) or "findings" not in data or "evidence" not in data:
            raise UsageError(f"{report_path} is not a riskagent report.json (no findings and evidence)")
        return data
    import tempfile

    from agent.scan import run_scan

    with tempfile.TemporaryDirectory(prefix="riskagent-") as tmp:
        result = run_scan(
            profile="server",
            out_dir=Path(tmp),
            lang="en",
            replay=replay,
            replay_privileged=True,
            params={},
            signer=None,
            with_questionnaire=False,
        )
    return result.report


def _register_more_commands() -> None:
    """Commands defined in their own modules (they import only click at start-up)."""
    from agent.cli_history import history_cmd, run_scheduled_cmd, schedule_cmd
    from agent.cli_underwriting import diff_cmd, export_cmd, plan_cmd

    for command in (plan_cmd, diff_cmd, export_cmd, history_cmd, schedule_cmd, run_scheduled_cmd):
        main.add_command(command)


_register_more_commands()

if __name__ == "__main__":  # pragma: no cover
    main()
