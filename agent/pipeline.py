"""The one assessment pipeline every command goes through.

``assess(settings) -> Report`` collects, judges, answers, scores and plans,
and writes nothing. ``sign(report, signer) -> bytes`` wraps the report's
canonical bytes in a DSSE envelope. ``write(...)`` puts the formats asked for
on disk: readable by the owner only (or the report group), all or none of them
(a full disk leaves the previous reports as they were), each file either the
old or the new one. ``record(...)`` adds a signed report to the history chain. A manual
scan, a scheduled run and ``questionnaire answer`` differ only in their
settings and in what they do with the result.
"""

from __future__ import annotations

import os
import socket
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Sequence, Set

from agent.errors import AgentError, UsageError
from agent.files import atomic_write_all, ensure_dir, file_mode
from agent.settings import Format, Lang, Settings
from collectors.evidence import ErrorReason, Evidence, utc_now
from collectors.profile import Profile

if TYPE_CHECKING:
    from agent.host_collection import HostCollection
    from collectors.context import HostContext
    from collectors.net.scope import Scope
    from questionnaires.model import AnsweredQuestionnaire
    from report.model import Report, RunMode
    from report.provenance import ScopeInfo
    from report.signing import Signer

Progress = Callable[[str], None]

FILE_NAMES: Dict[Format, str] = {
    Format.JSON: "report.json",
    Format.ENVELOPE: "report.dsse.json",
    Format.HTML: "report.html",
    Format.MARKDOWN: "report.md",
}


# ------------------------------------------------------------------------------------------ assess


def build_scope(settings: Settings) -> Optional[Scope]:
    """Validate the targets and the scope file; errors name the entry or the line."""
    from collectors.net.scope import Scope, ScopeError, parse_scope, parse_target, read_scope_file

    if not settings.targets and settings.scope_file is None:
        return None
    try:
        scope = parse_scope(list(settings.targets), allow_public=settings.allow_public)
        entries = list(scope.targets)
        if settings.scope_file is not None:
            try:
                text = settings.scope_file.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise UsageError(f"cannot read scope file {settings.scope_file}: {getattr(exc, 'strerror', None) or exc}") from None
            for line, raw in read_scope_file(text, str(settings.scope_file)):
                try:
                    entries.append(parse_target(raw, allow_public=settings.allow_public))
                except ScopeError as exc:
                    raise ScopeError(f"{settings.scope_file}: line {line}: {exc}") from None
    except ScopeError as exc:
        raise UsageError(str(exc), "targets are IP addresses, CIDR networks, host names or http(s) URLs") from None
    return Scope(tuple(entries), settings.allow_public)


def scope_info(settings: Settings, scope: Optional[Scope]) -> ScopeInfo:
    """The scope as the report declares it: every target (flags and scope file), ports and probe ports."""
    from report.provenance import ScopeInfo

    targets = tuple(t.endpoint for t in scope.targets) if scope is not None else ()
    return ScopeInfo(targets, settings.ports, dict(settings.probe_ports), settings.allow_public)


def _host_options(settings: Settings) -> Dict[str, Any]:
    """What host collectors read from the settings: where the vulnerability feeds are, and how old they may be."""
    if settings.feeds_dir is None:
        return {}
    return {"feeds_dir": str(settings.feeds_dir), "feeds_max_age_days": settings.feeds_max_age_days}


def host_context(settings: Settings) -> HostContext:
    """This machine, a recorded host when replaying, or a root file system assessed offline (``--root``)."""
    from collectors.context import HostContext, LiveProcessView, load_fixture_context, offline_root_context
    from collectors.runner import SystemRunner, is_root

    if settings.root is not None:
        try:
            return offline_root_context(settings.root, options=_host_options(settings))
        except ValueError as exc:
            raise UsageError(f"--root: {exc}") from None
    if settings.replay is not None:
        if not (settings.replay / "root").is_dir():
            raise UsageError(f"{settings.replay} is not a recorded host (no root/ directory inside)")
        return replace(load_fixture_context(settings.replay, privileged=settings.replay_privileged), options=_host_options(settings))
    return HostContext(Path("/"), SystemRunner(), LiveProcessView(), socket.gethostname(), is_root(), options=_host_options(settings))


def collect_host(
    settings: Settings, ctx: HostContext, deadline: Optional[float] = None, take: Optional[Callable[[], Optional[str]]] = None
) -> List[Evidence]:
    """The host collectors of the profile (or those ``take`` hands out, shared with other processes), within
    their budgets; commands an overrunning collector left running are ended."""
    from collectors.budget import Budget
    from collectors.catalogue import collect, collect_shared

    before = _children()
    budget = Budget(settings.collector_budget_s, deadline)
    if take is None:
        from checks.catalogue import host_collectors_for

        evidence = collect(ctx, host_collectors_for(settings.profile), budget=budget)
    else:
        evidence = collect_shared(ctx, take, budget=budget)
    if any(e.error_reason is ErrorReason.TIMEOUT for e in evidence):
        # A collector that overran its budget was abandoned mid-command: end what it left running.
        stop_abandoned_commands(before)
    return evidence


def start_host_collection(settings: Settings) -> Optional[HostCollection]:
    """Fork the host collection now, so that it runs while the rest of the scan is loaded (None: the
    profile assesses no host). ``assess(..., host=...)`` takes its evidence; close it in any case."""
    if not settings.profile.assesses_host:
        return None
    from agent.host_collection import HostCollection
    from checks.catalogue import host_collectors_for
    from collectors.catalogue import all_collectors

    few_malloc_arenas()
    ctx = host_context(settings)
    deadline = time.monotonic() + settings.time_budget_s if settings.time_budget_s is not None else None
    registry = all_collectors()
    # The slow ones first, so that their waits overlap the rest. (The catalogue is imported before the
    # fork on purpose: the children then share it instead of each loading the collectors again.)
    names = sorted(host_collectors_for(settings.profile), key=lambda n: (not registry[n].slow, n))
    return HostCollection.start(lambda take: collect_host(settings, ctx, deadline, take), names, ctx.target, deadline)


def collect_evidence(
    settings: Settings,
    ctx: HostContext,
    scope: Optional[Scope],
    progress: Optional[Progress],
    deadline: Optional[float] = None,
    host: Optional[HostCollection] = None,
) -> List[Evidence]:
    """Host collectors (here, or already running in ``host``) and network probes, side by side (they wait on
    different things), within their budgets."""
    from collectors.budget import Budget

    def network() -> List[Evidence]:
        if scope is None or not scope.targets:
            return []
        from collectors.net.registry import NetContext, collect_network
        from collectors.runner import is_root

        net = NetContext(
            scope,
            privileged=is_root(),
            progress=progress,
            ports=settings.ports,
            options={**settings.probe_options, **_host_options(settings)},  # feeds_dir: net.vulns matches with it
            profile=settings.profile,
            budget=Budget(settings.target_budget_s, deadline),
        )
        return collect_network(net, profile=settings.profile)

    def host_evidence() -> List[Evidence]:
        return host.result() if host is not None else collect_host(settings, ctx, deadline)

    if not settings.profile.assesses_host:
        return network()
    if scope is None or not scope.targets:
        return host_evidence()
    with ThreadPoolExecutor(max_workers=1) as pool:
        probes = pool.submit(network)
        return host_evidence() + probes.result()


def answer_questionnaire(settings: Settings, report: Report) -> AnsweredQuestionnaire:
    """The questionnaire answered from the report's evidence and the attestations file."""
    from agent.answers import load_answers, questionnaire_for
    from questionnaires.engine import Bundle, answer_all, answered

    questionnaire = questionnaire_for(settings.questionnaire)
    attestations = load_answers(settings.answers, questionnaire) if settings.answers is not None else {}
    return answered(questionnaire, answer_all(questionnaire, Bundle(report.findings, report.evidence), attestations))


def _user() -> str:
    try:
        import pwd

        return pwd.getpwuid(os.geteuid()).pw_name
    except (KeyError, ImportError):
        return str(os.geteuid())


def few_malloc_arenas(arenas: int = 1) -> None:
    """Ask glibc for at most ``arenas`` malloc arenas before the collector threads start.

    glibc gives each thread that allocates its own arena, and a scan runs eight collector threads:
    on a small gateway that fragmentation is megabytes of resident memory for nothing. Elsewhere
    (musl, macOS, a libc without mallopt) this does nothing.
    """
    try:
        import ctypes

        ctypes.CDLL(None).mallopt(-8, arenas)  # M_ARENA_MAX
    except (OSError, AttributeError):
        pass


def assess(settings: Settings, *, progress: Optional[Progress] = None, host: Optional[HostCollection] = None) -> Report:
    """Collect, judge, answer, score and plan. Reads the history index, writes nothing.

    ``host``: the host collection ``start_host_collection`` began (the run then starts when it did);
    without it the host collectors run here.
    """
    few_malloc_arenas()
    from checks.catalogue import evaluate
    from report.model import RunInfo, build_report, scrub_evidence

    scope = build_scope(settings)
    if settings.profile is Profile.WEBSITE and scope is None:
        raise UsageError("the website profile needs targets", "pass --target URL (repeatable) or --scope-file FILE")
    t0 = time.monotonic() if host is None else host.started
    started = utc_now() if host is None else host.started_at
    ctx = host_context(settings)
    deadline = t0 + settings.time_budget_s if settings.time_budget_s is not None else None
    before = _children()
    collected = collect_evidence(settings, ctx, scope, progress, deadline, host)
    if any(e.error_reason is ErrorReason.TIMEOUT for e in collected):
        # A collector that overran its budget was abandoned mid-command: end what it left running.
        stop_abandoned_commands(before)
    evidence, redactions = scrub_evidence(collected)
    findings = evaluate(evidence, settings.profile, settings.params)
    run = RunInfo(
        started_at=started,
        finished_at=utc_now(),
        duration_ms=int((time.monotonic() - t0) * 1000),
        uid=os.geteuid(),
        user=_user(),
        privileged=ctx.privileged,
        mode=run_mode(settings),
    )
    if settings.profile.assesses_host or scope is None:
        name = ctx.target
    else:
        name = ", ".join(t.endpoint for t in scope.targets[:3])
    previous: Optional[str] = None
    if settings.state_dir is not None and settings.sign:
        from agent import history

        # The chain: each signed report names its predecessor's digest for the same target.
        previous = history.previous_digest(settings.state_dir, name)
    report = build_report(
        profile=settings.profile,
        target_name=name,
        run=run,
        evidence=evidence,
        findings=findings,
        previous_report=previous,
        scope=scope_info(settings, scope),
        challenge=settings.challenge,
        redactions=redactions,
        evidence_scrubbed=True,
    )
    from agent.answers import load_answers, questionnaire_for
    from report.assemble import complete

    questionnaire = questionnaire_for(settings.questionnaire)
    attestations = load_answers(settings.answers, questionnaire) if settings.answers is not None else {}
    return complete(report, questionnaire, attestations, settings.plan, settings.level)


def run_mode(settings: Settings) -> RunMode:
    """How the report says the host was looked at: live, a replay of recorded data, or an offline root file system."""
    if settings.root is not None:
        return "offline-root"
    return "replay" if settings.replay is not None else "live"


def _children() -> Set[int]:
    """This process's running child processes (Linux /proc; empty elsewhere)."""
    found: Set[int] = set()
    try:
        tasks = os.listdir(f"/proc/{os.getpid()}/task")
    except OSError:
        return found
    for tid in tasks:
        try:
            with open(f"/proc/{os.getpid()}/task/{tid}/children", encoding="ascii") as fh:
                found.update(int(p) for p in fh.read().split() if p.isascii() and p.isdigit())
        except (OSError, ValueError):
            continue
    return found


def stop_abandoned_commands(before: Set[int]) -> List[int]:
    """Kill the child processes started since ``before`` that still run once collection is over.

    A collector that overruns its budget is abandoned in its thread; a command it was running (the
    runner's own timeout not reached yet) would otherwise outlive the scan, and a scheduled run
    would leave one behind every night. Only our own children that were not there before the
    collectors started are touched.
    """
    import signal

    killed: List[int] = []
    for pid in sorted(_children() - before):
        try:
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)
        except OSError:
            continue
    return killed


# ------------------------------------------------------------------------------------------ sign, write, record


def sign(report: Report, signer: Signer) -> bytes:
    """The report's signed envelope."""
    return signer.sign(report)


def render(report: Report, fmt: Format, lang: Lang, envelope: Optional[bytes] = None) -> Optional[bytes]:
    """The bytes of one output format (None for the envelope of an unsigned report)."""
    if fmt is Format.JSON:
        return report.canonical + b"\n"
    if fmt is Format.ENVELOPE:
        return envelope
    from report.render import render_bytes

    return render_bytes(report, lang.value, markdown=fmt is not Format.HTML)


def write(
    report: Report,
    envelope: Optional[bytes],
    out_dir: Path,
    formats: Sequence[Format],
    lang: Lang,
    *,
    group: Optional[int] = None,
) -> List[Path]:
    """Write the formats asked for into ``out_dir``: mode 0600 (0640 in ``group``), in a directory that is
    ours (created 0700, or 0750 in ``group``).

    All or nothing: every file is written and synced beside its target first, and only then renamed
    into place, so a full disk or a size limit leaves the previous report files as they were. A
    format that fails to render does not cost the others: those rendered are written, then the
    error is raised.
    """
    ensure_dir(out_dir, "output directory", group=group)
    order = sorted(formats, key=list(Format).index)
    items = []
    failure: Optional[BaseException] = None
    for fmt in order:
        try:
            data = render(report, fmt, lang, envelope)
        except Exception as exc:  # re-raised below, once what rendered is on disk
            failure = exc
            break
        if data is not None:
            items.append((out_dir / FILE_NAMES[fmt], data))
    try:
        written = atomic_write_all(items, file_mode(group), group=group)
    except OSError as exc:
        raise AgentError(
            f"cannot write {exc.filename or out_dir}: {exc.strerror or exc}",
            "nothing was written; the files already in " + str(out_dir) + " are unchanged",
        ) from None
    if failure is not None:
        raise failure
    return written


def record(state_dir: Path, report: Report, envelope_path: Path) -> None:
    """Make a signed report the latest of its target's history chain."""
    from agent import history
    from report.signing import report_digest

    history.record(
        state_dir, report.target.name, report_digest(report), envelope_path, report_id=report.report_id, started_at=report.run.started_at
    )


@dataclass(frozen=True)
class Outcome:
    """What one assessment produced."""

    report: Report
    envelope: Optional[bytes]
    written: List[Path]


def run(
    settings: Settings, signer: Optional[Signer], out_dir: Path, *, progress: Optional[Progress] = None, host: Optional[HostCollection] = None
) -> Outcome:
    """assess, sign, write and record: the whole of a scan. A signing failure still leaves the unsigned report.

    The output and state directories are checked before anything is assessed: a directory another user
    controls is refused at once, not after a scan.
    """
    from agent.answers import load_answers, questionnaire_for

    questionnaire = questionnaire_for(settings.questionnaire)  # bad input files end the run before anything is made
    if settings.answers is not None:
        load_answers(settings.answers, questionnaire)
    ensure_dir(out_dir, "output directory", group=settings.report_group)
    if settings.state_dir is not None and settings.sign:
        ensure_dir(settings.state_dir, "state directory")
    report = assess(settings, progress=progress, host=host)
    envelope: Optional[bytes] = None
    sign_error: Optional[AgentError] = None
    if signer is not None:
        try:
            envelope = sign(report, signer)
        except AgentError as exc:
            sign_error = exc
    written = write(report, envelope, out_dir, settings.formats, settings.lang, group=settings.report_group)
    if sign_error is not None:
        raise AgentError(f"the report was written unsigned to {out_dir}, but signing failed: {sign_error.message}", sign_error.hint)
    if envelope is not None and settings.state_dir is not None:
        record(settings.state_dir, report, out_dir / FILE_NAMES[Format.ENVELOPE])
    return Outcome(report, envelope, written)
