"""Orchestration of one assessment: collect, judge, build, sign, render, write."""

from __future__ import annotations

import json
import os
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Mapping, Optional

from agent.errors import AgentError, UsageError

if TYPE_CHECKING:
    from collectors.net.scope import Scope
from agent.files import atomic_write
from collectors.evidence import utc_now

PROFILES = ("server", "website", "ics-gateway", "telematics")

REPORT_JSON = "report.json"
REPORT_ENVELOPE = "report.dsse.json"
REPORT_HTML = "report.html"
REPORT_MD = "report.md"


@dataclass(frozen=True)
class ScanResult:
    report: Mapping[str, Any]
    written: List[Path]
    signed: bool


def load_config(path: Optional[Path]) -> Dict[str, Dict[str, Any]]:
    """Per-check parameter overrides from a JSON file: {"params": {"LNX-SSH-003": {...}}}."""
    if path is None:
        return {}
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read configuration {path}: {exc.strerror}") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"{path}: line {exc.lineno} column {exc.colno}: {exc.msg}", "the configuration is JSON") from exc
    if not isinstance(data, dict) or not isinstance(data.get("params", {}), dict):
        raise UsageError(f"{path}: expected an object with a 'params' object mapping check ids to parameters")
    from checks.registry import all_checks

    known = all_checks()
    params: Dict[str, Dict[str, Any]] = {}
    for cid, values in data.get("params", {}).items():
        if cid not in known:
            raise UsageError(f"{path}: params: unknown check id {cid!r}", "see 'riskagent checks list'")
        if not isinstance(values, dict):
            raise UsageError(f"{path}: params.{cid}: expected an object of parameter values")
        unknown = sorted(set(values) - set(known[cid].meta.params))
        if unknown:
            raise UsageError(
                f"{path}: params.{cid}: unknown parameter(s) {', '.join(unknown)}",
                f"{cid} takes: {', '.join(sorted(known[cid].meta.params)) or 'no parameters'}",
            )
        params[cid] = values
    return params


def load_plan_settings(path: Optional[Path]) -> Optional[Dict[str, Any]]:
    """The "plan" object of the configuration file (owners by domain, SLA days by severity)."""
    if path is None:
        return None
    data = json.loads(path.read_text(encoding="utf-8"))  # load_config has already validated the file
    settings = data.get("plan") if isinstance(data, dict) else None
    if settings is None:
        return None
    from report.plan import validate_settings

    try:
        return validate_settings(settings)
    except ValueError as exc:
        raise UsageError(f"{path}: {exc}") from None


def answer_questionnaire(
    report: Mapping[str, Any], questionnaire_path: Optional[Path], answers_path: Optional[Path]
) -> Dict[str, Any]:
    """The answered questionnaire for a report: derived from it, plus attestations."""
    from agent.answers import load_answers
    from questionnaires.engine import Bundle, answer_all, answered_json
    from questionnaires.loader import QuestionnaireError, load_questionnaire

    try:
        questionnaire = load_questionnaire(questionnaire_path)
    except QuestionnaireError as exc:
        raise UsageError(str(exc), "fix the questionnaire file, or omit --questionnaire to use the default one") from None
    attestations = load_answers(answers_path, questionnaire) if answers_path is not None else {}
    answers = answer_all(questionnaire, Bundle.from_report(report), attestations)
    return answered_json(questionnaire, answers)


def build_scope(targets: List[str], scope_file: Optional[Path], allow_public: bool) -> Optional[Scope]:
    """Validate --target values and a scope file; errors name the entry or the line."""
    from collectors.net.scope import Scope, ScopeError, parse_scope, parse_target, read_scope_file

    if not targets and scope_file is None:
        return None
    try:
        scope = parse_scope(targets, allow_public=allow_public)
        entries = list(scope.targets)
        if scope_file is not None:
            try:
                text = scope_file.read_text(encoding="utf-8")
            except OSError as exc:
                raise UsageError(f"cannot read scope file {scope_file}: {exc.strerror}") from None
            for line, raw in read_scope_file(text, str(scope_file)):
                try:
                    entries.append(parse_target(raw, allow_public=allow_public))
                except ScopeError as exc:
                    raise ScopeError(f"{scope_file}: line {line}: {exc}") from None
    except ScopeError as exc:
        raise UsageError(str(exc), "targets are IP addresses, CIDR networks, host names or http(s) URLs") from None
    return Scope(tuple(entries), allow_public)


# --probe-port names, and the probe option each belongs to.
PROBE_PORT_GROUPS: Dict[str, str] = {
    "modbus": "ics_ports",
    "s7": "ics_ports",
    "enip": "ics_ports",
    "opcua": "ics_ports",
    "bacnet": "ics_ports",
    "mqtt": "mqtt_ports",
    "mqtts": "mqtt_ports",
    "redis": "backend_ports",
    "elasticsearch": "backend_ports",
    "kafka": "backend_ports",
}


def probe_options(probe_ports: List[str], modbus_unit: Optional[int]) -> Dict[str, Any]:
    """Probe settings from --probe-port NAME=PORT and --modbus-unit."""
    options: Dict[str, Any] = {}
    for item in probe_ports:
        name, sep, value = item.partition("=")
        group = PROBE_PORT_GROUPS.get(name.strip().lower())
        if not sep or group is None or not value.strip().isdigit() or not 0 < int(value) < 65536:
            raise UsageError(
                f"--probe-port {item!r}: expected NAME=PORT",
                f"NAME is one of {', '.join(sorted(PROBE_PORT_GROUPS))}; PORT is 1-65535",
            )
        options.setdefault(group, {})[name.strip().lower()] = int(value)
    if modbus_unit is not None:
        if not 0 <= modbus_unit <= 255:
            raise UsageError("--modbus-unit: a Modbus unit id is 0-255")
        options["modbus_unit"] = modbus_unit
    return options


def _host_collectors_for(profile: str) -> List[str]:
    """Host collectors worth running: all but those only checks of other profiles read."""
    from checks.registry import all_checks, checks_for_profile
    from collectors.registry import all_collectors

    wanted = {n for rc in checks_for_profile(profile) for n in rc.meta.needs}
    used = {n for rc in all_checks().values() for n in rc.meta.needs}
    return sorted(n for n in all_collectors() if n in wanted or n not in used)


def _user() -> str:
    try:
        import pwd

        return pwd.getpwuid(os.geteuid()).pw_name
    except (KeyError, ImportError):
        return str(os.geteuid())


def run_scan(
    *,
    profile: str,
    out_dir: Path,
    lang: str,
    replay: Optional[Path],
    replay_privileged: bool,
    params: Mapping[str, Mapping[str, Any]],
    signer: Optional[Callable[[Mapping[str, Any]], bytes]],
    questionnaire_path: Optional[Path] = None,
    answers_path: Optional[Path] = None,
    with_questionnaire: bool = True,
    scope: Optional[Scope] = None,
    progress: Optional[Callable[[str], None]] = None,
    ports: Optional[str] = None,
    options: Optional[Mapping[str, Any]] = None,
    plan_settings: Optional[Mapping[str, Any]] = None,
    state_dir: Optional[Path] = None,
) -> ScanResult:
    """Assess this machine (or a recorded host) and write the report files."""
    from checks.registry import evaluate
    from collectors.context import HostContext, LiveProcessView, load_fixture_context
    from collectors.registry import collect
    from collectors.runner import SystemRunner, is_root
    from report.model import RunInfo, build_report, finish_report
    from report.render import render_html, render_markdown

    if profile not in PROFILES:
        raise UsageError(f"unknown profile {profile!r}", f"choose one of: {', '.join(PROFILES)}")
    if profile == "website" and not (scope and scope.targets):
        raise UsageError("the website profile needs targets", "pass --target URL (repeatable) or --scope-file FILE")
    t0 = time.monotonic()
    started = utc_now()
    if replay is not None:
        if not (replay / "root").is_dir():
            raise UsageError(f"{replay} is not a recorded host (no root/ directory inside)")
        ctx = load_fixture_context(replay, privileged=replay_privileged)
        mode = "replay"
    else:
        ctx = HostContext(Path("/"), SystemRunner(), LiveProcessView(), socket.gethostname(), is_root())
        mode = "live"
    evidence = collect(ctx, _host_collectors_for(profile)) if profile != "website" else []
    if scope is not None and scope.targets:
        from collectors.net.registry import NetContext, collect_network, parse_ports

        try:
            port_spec = parse_ports(ports) if ports else None
        except ValueError as exc:
            raise UsageError(f"--ports: {exc}") from None
        evidence += collect_network(
            NetContext(scope, privileged=is_root(), progress=progress, ports=port_spec, options=dict(options or {})),
            profile=profile,
        )
    findings = evaluate(evidence, profile, params)
    run = RunInfo(
        profile=profile,
        target=ctx.target if profile != "website" or scope is None else ", ".join(t.endpoint for t in scope.targets[:3]),
        started_at=started,
        finished_at=utc_now(),
        duration_ms=int((time.monotonic() - t0) * 1000),
        uid=os.geteuid(),
        user=_user(),
        privileged=ctx.privileged,
        mode=mode,
    )
    report = build_report(run, evidence, findings)
    if state_dir is not None and signer is not None:
        from agent.history import previous_digest

        # The chain: each signed report names its predecessor's digest for the same target.
        report["previous_report"] = previous_digest(state_dir, report["target"]["name"])
    if with_questionnaire:
        report["questionnaire"] = answer_questionnaire(report, questionnaire_path, answers_path)
    finish_report(report)
    from report.plan import build_plan

    report["plan"] = build_plan(report, plan_settings, report["run"]["started_at"][:10])
    written: List[Path] = []
    # The plain report first: whatever fails later, the results are kept.
    path = out_dir / REPORT_JSON
    atomic_write(path, (json.dumps(report, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8"))
    written.append(path)
    signed = False
    sign_error: Optional[AgentError] = None
    if signer is not None:
        try:
            envelope = signer(report)
            path = out_dir / REPORT_ENVELOPE
            atomic_write(path, envelope)
            written.append(path)
            signed = True
            if state_dir is not None:
                from agent.history import record
                from report.signing import report_digest

                record(
                    state_dir,
                    report["target"]["name"],
                    report_digest(report),
                    path,
                    report_id=report["report_id"],
                    started_at=report["run"]["started_at"],
                )
        except AgentError as exc:
            sign_error = exc
    for name, text in ((REPORT_HTML, render_html(report, lang)), (REPORT_MD, render_markdown(report, lang))):
        path = out_dir / name
        atomic_write(path, text.encode("utf-8"))
        written.append(path)
    if sign_error is not None:
        raise AgentError(
            f"the report was written unsigned to {out_dir / REPORT_JSON}, but signing failed: {sign_error.message}",
            sign_error.hint,
        )
    return ScanResult(report, written, signed)
