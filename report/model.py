"""The assessment report: a typed document that is the source of truth.

HTML, Markdown and the terminal summary are views of it; the signed envelope
wraps its canonical bytes. The same classes are used to write a report and to
read one back (``Report.from_json``), strictly: an unknown key, a missing
field or a wrong type is refused with its JSON path. Bump ``SCHEMA_VERSION``
(and regenerate the committed schema) on any incompatible change.

The JSON holds what the run found and decided, once: what follows from it is
filled in when a report is read. A finding's metadata comes from the catalogue
the report names (which must be this build's), the built-in questionnaire from
its sha256, static labels from the code, and the plan is rebuilt from the
findings and the plan settings the report carries. A report of another schema
or catalogue is :class:`UnsupportedReport`, never read with this build's texts.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import re
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from typing import Any, ClassVar, Dict, List, Literal, Mapping, Optional, Sequence, Tuple

from checks.model import Finding, Layer, Severity, Status
from collectors.evidence import Evidence
from collectors.profile import Profile
from collectors.strictjson import JSON, JsonShapeError, from_json, to_json
from questionnaires.model import AnsweredQuestionnaire
from report.plan import Plan, PlanSettings
from report.profile_view import ProfileView, build_profile_view
from report.provenance import CatalogueRef, Provenance, ScopeInfo, current_catalogue, param_overrides, questionnaire_ref
from report.redact import redact_tree
from report.scanner_view import ScannerView, build_scanner_view
from report.underwriting import Underwriting
from report.version import VERSION

SCHEMA_VERSION: Literal["1.2"] = "1.2"
TOOL_NAME: Literal["riskagent"] = "riskagent"
RunMode = Literal["live", "replay", "offline-root"]  # offline-root: a root file system assessed from its files


def tool_version() -> str:
    return VERSION


@dataclass(frozen=True)
class Tool:
    name: Literal["riskagent"]
    version: str


@dataclass(frozen=True)
class TargetInfo:
    """What was assessed: this host (name as it reports itself) or a set of web endpoints.

    ``identifiers`` are the host's stable identifiers from its ``host.identity`` evidence
    (``machine:<app-specific id>``, ``ip:<address>``, ``cloud:<instance id>``).
    """

    name: str
    kind: Literal["host", "website"]
    identifiers: Tuple[str, ...]
    endpoints: Tuple[str, ...]
    os: Optional[str]
    os_family: Optional[str]
    kernel: Optional[str]
    container: Optional[str]
    vm: Optional[str]


@dataclass(frozen=True)
class RunInfo:
    """How and where the assessment ran."""

    started_at: str
    finished_at: str
    duration_ms: int
    uid: int
    user: str
    privileged: bool
    mode: RunMode


@dataclass(frozen=True)
class CaseRef:
    """A 高风险 case a failed finding leaves open, or open but mitigable (可酌情降级) by the checks named."""

    case: str
    check_id: str
    target: Optional[str]
    state: Literal["open", "mitigable"]
    mitigated_by: Tuple[str, ...]


@dataclass(frozen=True)
class Summary:
    """Counts by status, failures by severity, statuses by MLPS layer, 高风险 cases open and not assessed."""

    total: int
    by_status: Dict[str, int]
    failed_by_severity: Dict[str, int]
    by_layer: Dict[str, Dict[str, int]]
    open_high_risk: Tuple[CaseRef, ...]
    high_risk_not_assessed: Tuple[str, ...]


_VERSION = re.compile(r"[0-9]{1,4}(\.[0-9]{1,4}){1,3}", re.ASCII)
_DIGEST = re.compile(r"[0-9a-f]{64}", re.ASCII)


class UnsupportedReport(JsonShapeError):
    """A report this build cannot read faithfully: another schema version, or judged by another catalogue."""


def unsupported_reason(data: Any) -> Optional[UnsupportedReport]:
    """Why this build cannot read the report JSON ``data`` (None if it can, as far as schema and catalogue go)."""
    if not isinstance(data, dict):
        return None
    schema = data.get("schema_version")
    if isinstance(schema, str) and schema != SCHEMA_VERSION and _VERSION.fullmatch(schema):
        return UnsupportedReport(
            "$.schema_version",
            f"the report uses schema {schema[:20]!r}; this riskagent reads schema {SCHEMA_VERSION} "
            "(read it with the riskagent version that wrote it)",
        )
    provenance = data.get("provenance")
    ref = provenance.get("catalogue") if isinstance(provenance, dict) else None
    if not isinstance(ref, dict):
        return None
    tool = data.get("tool")
    by = tool.get("version") if isinstance(tool, dict) else None
    return _other_catalogue(ref.get("version"), ref.get("digest"), by if isinstance(by, str) else None)


def _other_catalogue(version: Any, digest: Any, by: Optional[str]) -> Optional[UnsupportedReport]:
    from report.provenance import current_catalogue

    mine = current_catalogue()
    if not isinstance(version, str) or not isinstance(digest, str) or (version, digest) == (mine.version, mine.digest):
        return None
    if not _VERSION.fullmatch(version) or not _DIGEST.fullmatch(digest):
        return None  # not a catalogue reference any riskagent writes: malformed, not another catalogue
    by_text = f"riskagent {by[:40]}" if by is not None else "the riskagent version that wrote it"
    return UnsupportedReport(
        "$.provenance.catalogue",
        f"judged by catalogue {version[:40]} ({digest[:12]}…) with {by_text}: verify it with {by_text}; "
        f"this riskagent carries catalogue {mine.version} ({mine.digest[:12]}…), whose check titles, severities "
        "and rules may differ, and does not read it",
    )


@dataclass(frozen=True)
class Report:
    """One signed assessment."""

    # The plan follows from the findings, the run and the plan settings: only the settings are written.
    __json_filled__: ClassVar[Tuple[str, ...]] = ("plan",)
    __json_derived__: ClassVar[Tuple[str, ...]] = ("plan_settings",)

    schema_version: Literal["1.2"]
    report_id: str
    tool: Tool
    profile: Profile
    target: TargetInfo
    run: RunInfo
    provenance: Provenance
    previous_report: Optional[str]
    summary: Summary
    findings: Tuple[Finding, ...]
    evidence: Tuple[Evidence, ...]
    redactions: int
    questionnaire: Optional[AnsweredQuestionnaire]
    scanner_view: Optional[ScannerView]
    profile_view: Optional[ProfileView]
    underwriting: Optional[Underwriting]
    plan: Optional[Plan]

    @property
    def as_json(self) -> Dict[str, JSON]:
        """The plain JSON form (a fresh tree on every call)."""
        data: Dict[str, JSON] = to_json(self)
        return data

    @functools.cached_property
    def canonical(self) -> bytes:
        """The canonical bytes that are signed and written (sorted keys, no whitespace, UTF-8), built once.

        The intermediate JSON tree is not kept: the bytes are all that is needed afterwards.
        """
        from report.canonical import canonical_record

        return canonical_record(self)

    @property
    def plan_settings(self) -> Optional[PlanSettings]:
        """The settings the plan was made with (owners, default owner, days to fix): all a report writes of its plan."""
        return self.plan.settings if self.plan is not None else None

    @classmethod
    def __json_fill__(cls, written: Mapping[str, Any]) -> Dict[str, Any]:
        """The plan, rebuilt from the findings and the written plan settings, as a scan builds it."""
        from report.provenance import current_catalogue

        catalogue: CatalogueRef = written["provenance"].catalogue
        if catalogue != current_catalogue():
            other = _other_catalogue(catalogue.version, catalogue.digest, written["tool"].version)
            raise ValueError(other.message if other is not None else "provenance.catalogue names no catalogue a riskagent writes")
        settings: Optional[PlanSettings] = written["plan_settings"]
        if settings is None:
            return {"plan": None}
        from report.assemble import plan_of

        without_plan = cls(**{k: v for k, v in written.items() if k != "plan_settings"}, plan=None)
        try:
            plan = plan_of(without_plan, {"owners": settings.owners, "default_owner": settings.default_owner, "sla_days": settings.sla_days})
        except ValueError as exc:
            raise ValueError(f"the plan cannot be rebuilt from plan_settings and the run: {exc}") from None
        except (ArithmeticError, AttributeError, LookupError, TypeError) as exc:
            # The plan is made from findings not yet rechecked: what no check writes must not crash the reader.
            raise ValueError(f"the plan cannot be rebuilt: a finding holds values no check writes ({type(exc).__name__})") from None
        return {"plan": plan}

    @classmethod
    def from_json(cls, data: Any) -> Report:
        """Parse a report strictly; raises ``JsonShapeError`` naming the JSON path of the first problem.

        A report of another schema version or catalogue raises :class:`UnsupportedReport` (a
        ``JsonShapeError``) before anything is read with this build's catalogue.
        """
        problem = unsupported_reason(data)
        if problem is not None:
            raise problem
        return from_json(cls, data)

    def failed(self) -> List[Finding]:
        return [f for f in self.findings if f.status is Status.FAIL]

    def findings_by_key(self) -> Dict[Tuple[str, Optional[str]], Finding]:
        return {f.key: f for f in self.findings}

    @property
    def host_evidence(self) -> List[Evidence]:
        return [e for e in self.evidence if e.is_host]


def summarise(findings: Sequence[Finding], profile: Profile) -> Summary:
    """Counts by status, failures by severity, statuses by MLPS layer, 高风险 cases open and not assessed."""
    from report.high_risk import case_order, failed_cases, not_assessed

    by_status = Counter(f.status for f in findings)
    failed_by_sev = Counter(f.severity for f in findings if f.status is Status.FAIL)
    by_layer: Dict[str, Counter[Status]] = defaultdict(Counter)
    for f in findings:
        for layer in sorted({m.layer.value for m in f.mlps}):
            by_layer[layer][f.status] += 1
    cases = sorted(failed_cases(findings), key=lambda x: (case_order(x[0].high_risk_case or ""), x[0].check_id, x[0].target or ""))
    return Summary(
        total=len(findings),
        by_status={s.value: by_status.get(s, 0) for s in Status},
        failed_by_severity={s.value: failed_by_sev.get(s, 0) for s in Severity},
        by_layer={
            layer.value: {s.value: by_layer[layer.value].get(s, 0) for s in Status} for layer in Layer if layer.value in by_layer
        },
        open_high_risk=tuple(CaseRef(f.high_risk_case or "", f.check_id, f.target, state, by) for f, state, by in cases),
        high_risk_not_assessed=not_assessed(profile, findings),
    )


def target_info(evidence: Sequence[Evidence], name: str, profile: Profile) -> TargetInfo:
    """The target section: the host's OS facts where host evidence exists, and every probed endpoint."""
    os_ev = next((e for e in evidence if e.collector == "host.os"), None)
    facts = os_ev.facts if os_ev is not None else {}
    endpoints = list(dict.fromkeys(e.target for e in evidence if not e.is_host))

    def text(key: str) -> Optional[str]:
        value = facts.get(key)
        return value if isinstance(value, str) else None

    return TargetInfo(
        name=name,
        kind="website" if profile is Profile.WEBSITE else "host",
        identifiers=host_identifiers(evidence),
        endpoints=tuple(endpoints),
        os=text("pretty_name"),
        os_family=text("family"),
        kernel=text("kernel"),
        container=text("container"),
        vm=text("vm"),
    )


def host_identifiers(evidence: Sequence[Evidence]) -> Tuple[str, ...]:
    """``machine:``, ``ip:`` and ``cloud:`` identifiers from the host's identity evidence."""
    ev = next((e for e in evidence if e.collector == "host.identity" and e.is_host), None)
    if ev is None:
        return ()
    facts = ev.facts
    out: List[str] = []
    if isinstance(facts.get("machine_app_id"), str):
        out.append(f"machine:{facts['machine_app_id']}")
    if isinstance(facts.get("cloud_instance_id"), str):
        out.append(f"cloud:{facts['cloud_instance_id']}")
    out += [f"ip:{a}" for a in facts.get("addresses") or () if isinstance(a, str)]
    return tuple(out)


_STATUS_RANK = {Status.FAIL: 0, Status.ERROR: 1, Status.MANUAL: 2, Status.PASS: 3, Status.NOT_APPLICABLE: 4}


def finding_order(f: Finding) -> Tuple[int, int, str]:
    """Failures first, worst severity first, then by id."""
    return (_STATUS_RANK[f.status], -f.severity.rank, f.check_id)


def as_read_back(finding: Finding) -> Finding:
    """The finding as a reader of the report gets it: its JSON objects in sorted key order, as canonical JSON writes them.

    So whatever is made from the findings (answers, views, the plan) is the same at the scan and after a
    round trip through the report's JSON, even where it follows the order of a finding's keys.
    """
    observed = _sorted_keys(finding.observed)
    params = _sorted_keys(finding.params)
    reason_params = _sorted_keys(finding.reason_params) if finding.reason_params is not None else None
    if observed is finding.observed and params is finding.params and reason_params is finding.reason_params:
        return finding  # already in that order (most are): no copy
    return replace(finding, observed=observed, params=params, reason_params=reason_params)


def _sorted_keys(value: Any) -> Any:
    """``value`` with every JSON object's keys in sorted order; the very same object where they already are."""
    if isinstance(value, dict):
        keys = sorted(value)
        changed = keys != list(value)
        out: Dict[Any, Any] = {}
        for k in keys:
            v = value[k]
            out[k] = new = _sorted_keys(v)
            changed = changed or new is not v
        return out if changed else value
    if isinstance(value, list):
        items = [_sorted_keys(v) for v in value]
        return items if any(a is not b for a, b in zip(items, value)) else value
    return value


def scrub_evidence(evidence: Sequence[Evidence]) -> Tuple[Tuple[Evidence, ...], int]:
    """The last-line redaction pass over every string of the evidence, before anything judges it.

    Checks then read exactly the evidence the report carries, so a verifier that re-runs them
    over the embedded evidence gets the same findings.
    """
    return redact_tree(tuple(evidence))


# A finding's catalogue fields (title, remediation, MLPS units...: what its JSON leaves out) are the same frozen
# objects in every finding of its check, so they are scrubbed once per process; the rest of it on every report.
_CATALOGUE_FIELDS: Tuple[str, ...] = tuple(Finding.__json_filled__)
_RUN_FIELDS: Tuple[str, ...] = tuple(f.name for f in dataclasses.fields(Finding) if f.name not in _CATALOGUE_FIELDS)
_CATALOGUE_SCRUBBED: Dict[str, Tuple[Tuple[Any, ...], Dict[str, Any], int]] = {}  # check id -> (fields, scrubbed ones, count)
_MAX_CATALOGUE_SCRUBBED = 4096


def _scrub(
    evidence: Tuple[Evidence, ...], findings: Tuple[Finding, ...], evidence_scrubbed: bool
) -> Tuple[Tuple[Evidence, ...], Tuple[Finding, ...], int]:
    """The evidence (unless ``evidence_scrubbed``) and the findings scrubbed as ``redact_tree`` scrubs each, with the count.

    One walk over the evidence and what the run decided of each finding (so a string met in both is searched
    once), and each check's catalogue fields scrubbed once per process (:func:`_scrubbed_catalogue_fields`).
    The same result as scrubbing each tree on its own: the walk is copy on write, field by field.
    """
    decided: Tuple[Any, ...] = tuple(tuple(getattr(f, name) for name in _RUN_FIELDS) if type(f) is Finding else f for f in findings)
    (clean_evidence, clean_decided), count = redact_tree(((() if evidence_scrubbed else evidence), decided))
    out: List[Finding] = []
    for finding, before, after in zip(findings, decided, clean_decided):
        if type(finding) is not Finding:  # not a plain finding: scrubbed whole, above
            out.append(after)
            continue
        changes, n = _scrubbed_catalogue_fields(finding)
        if after is not before:
            changes = {**changes, **{name: new for name, old, new in zip(_RUN_FIELDS, before, after) if new is not old}}
        count += n
        out.append(replace(finding, **changes) if changes else finding)
    return (evidence if evidence_scrubbed else clean_evidence), tuple(out), count


def _scrubbed_catalogue_fields(finding: Finding) -> Tuple[Dict[str, Any], int]:
    """The catalogue fields of ``finding`` that scrubbing changes (nearly always none), and the count.

    Remembered by check id while the finding holds the very same objects (frozen, and kept alive here, so
    ``is`` cannot be fooled by a recycled id); a finding with other values is scrubbed afresh.
    """
    values = tuple(getattr(finding, name) for name in _CATALOGUE_FIELDS)
    known = _CATALOGUE_SCRUBBED.get(finding.check_id)
    if known is not None and all(a is b for a, b in zip(known[0], values)):
        return known[1], known[2]
    clean, n = redact_tree(values)
    changes = {name: new for name, old, new in zip(_CATALOGUE_FIELDS, values, clean) if new is not old}
    if len(_CATALOGUE_SCRUBBED) < _MAX_CATALOGUE_SCRUBBED:
        _CATALOGUE_SCRUBBED[finding.check_id] = (values, changes, n)
    return changes, n


def build_report(
    *,
    profile: Profile,
    target_name: str,
    run: RunInfo,
    evidence: Sequence[Evidence],
    findings: Sequence[Finding],
    previous_report: Optional[str] = None,
    report_id: Optional[str] = None,
    scope: Optional[ScopeInfo] = None,
    challenge: Optional[str] = None,
    catalogue: Optional[CatalogueRef] = None,
    redactions: int = 0,
    evidence_scrubbed: bool = False,
) -> Report:
    """The report's core: evidence and findings (scrubbed of secrets) with the views derived from them alone.

    ``evidence_scrubbed``: the evidence is what :func:`scrub_evidence` returned, so its second pass is skipped.

    ``redactions`` counts what was scrubbed from the evidence before it was judged (see
    :func:`scrub_evidence`). The questionnaire, underwriting view and plan are added by
    :func:`with_assessment`.
    """
    clean_evidence, clean_findings, n_scrubbed = _scrub(tuple(evidence), tuple(sorted(findings, key=finding_order)), evidence_scrubbed)
    clean_findings = tuple(as_read_back(f) for f in clean_findings)
    provenance = Provenance(
        scope=scope or ScopeInfo((), None, {}, False),
        overrides=param_overrides(clean_findings, clean_evidence),
        questionnaire=None,
        catalogue=catalogue or current_catalogue(),
        challenge=challenge,
    )
    return Report(
        schema_version=SCHEMA_VERSION,
        report_id=report_id or str(uuid.uuid4()),
        tool=Tool(TOOL_NAME, tool_version()),
        profile=profile,
        target=target_info(clean_evidence, target_name, profile),
        run=run,
        provenance=provenance,
        previous_report=previous_report,
        summary=summarise(clean_findings, profile),
        findings=clean_findings,
        evidence=clean_evidence,
        redactions=redactions + n_scrubbed,
        questionnaire=None,
        scanner_view=build_scanner_view(clean_findings),
        profile_view=build_profile_view(profile, clean_findings),
        underwriting=None,
        plan=None,
    )


def with_assessment(
    report: Report, questionnaire: Optional[AnsweredQuestionnaire], underwriting: Underwriting, plan: Optional[Plan]
) -> Report:
    """The report with the parts that read the whole of it."""
    provenance = replace(report.provenance, questionnaire=questionnaire_ref(questionnaire))
    return replace(report, provenance=provenance, questionnaire=questionnaire, underwriting=underwriting, plan=plan)


def pretty(report: Report) -> str:
    """Indented JSON for people reading a report in an editor (the signed form is the canonical one)."""
    return json.dumps(report.as_json, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
