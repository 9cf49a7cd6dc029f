"""``build_report`` scrubs evidence and findings exactly as scrubbing each tree on its own does, though it walks
them once together and scrubs a check's catalogue fields once per process."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any, List, Sequence, Tuple

import pytest

from checks.catalogue import evaluate
from checks.model import Finding, Status, Text
from collectors.evidence import Evidence
from collectors.profile import Profile
from report.model import RunInfo, as_read_back, build_report, finding_order
from report.redact import REDACTED, redact_tree
from tests.hosts import host_evidence

RUN = RunInfo("2026-01-01T00:00:00Z", "2026-01-01T00:00:01Z", 1000, 0, "root", True, "replay")


def _one_by_one(evidence: Sequence[Evidence], findings: Sequence[Finding]) -> Tuple[Tuple[Evidence, ...], Tuple[Finding, ...], int]:
    """Scrubbed as build_report always scrubbed them: the evidence, then the sorted findings, each a tree of its own."""
    clean_evidence, n_evidence = redact_tree(tuple(evidence))
    clean_findings, n_findings = redact_tree(tuple(sorted(findings, key=finding_order)))
    return clean_evidence, tuple(as_read_back(f) for f in clean_findings), n_evidence + n_findings


def _built(evidence: Sequence[Evidence], findings: Sequence[Finding], **kw: Any) -> Any:
    return build_report(profile=Profile.SERVER, target_name="web-legacy-02", run=RUN, evidence=evidence, findings=findings, report_id="r", **kw)


@pytest.fixture(scope="module")
def evidence() -> Tuple[Evidence, ...]:
    return host_evidence("debian-weak")


@pytest.fixture(scope="module")
def findings(evidence: Tuple[Evidence, ...]) -> List[Finding]:
    return evaluate(list(evidence), Profile.SERVER)


def _secrets(evidence: Tuple[Evidence, ...], findings: List[Finding]) -> Tuple[Tuple[Evidence, ...], List[Finding]]:
    """Secrets in the evidence, in what a check observed, and in a catalogue field of one finding."""
    e = next(e for e in evidence if e.facts)
    leaky_evidence = tuple(replace(x, facts={**x.facts, "note": "password=hunter2hunter2"}) if x is e else x for x in evidence)
    leaky = list(findings)
    leaky[0] = replace(leaky[0], observed={**leaky[0].observed, "cmd": "mysql -u root -pS3cretS3cret db", "db_password": "hunter2hunter2"})
    leaky[1] = replace(leaky[1], title=Text(zh="标题 token=abcdef0123456789abcdef", en="title token=abcdef0123456789abcdef"))
    return leaky_evidence, leaky


def test_a_clean_report_is_scrubbed_as_each_tree_on_its_own(evidence: Tuple[Evidence, ...], findings: List[Finding]) -> None:
    report = _built(evidence, findings)
    clean_evidence, clean_findings, count = _one_by_one(evidence, findings)
    assert (report.evidence, report.findings, report.redactions) == (clean_evidence, clean_findings, count)
    assert report.evidence == tuple(evidence) and count == 0


def test_secrets_anywhere_are_scrubbed_as_each_tree_on_its_own(evidence: Tuple[Evidence, ...], findings: List[Finding]) -> None:
    leaky_evidence, leaky = _secrets(evidence, findings)
    for _ in range(2):  # the second time from what the first remembered of the catalogue fields
        report = _built(leaky_evidence, leaky)
        clean_evidence, clean_findings, count = _one_by_one(leaky_evidence, leaky)
        assert (report.evidence, report.findings, report.redactions) == (clean_evidence, clean_findings, count)
        assert count == 5 and report.canonical.count(REDACTED.encode()) == 3  # a finding's title (zh and en) is not written
        assert b"hunter2" not in report.canonical and b"S3cret" not in report.canonical
        titled = next(f for f in report.findings if f.key == leaky[1].key)
        assert "abcdef0123456789abcdef" not in titled.title.en and REDACTED in titled.title.zh


def test_evidence_already_scrubbed_is_not_scrubbed_again(evidence: Tuple[Evidence, ...], findings: List[Finding]) -> None:
    leaky_evidence, leaky = _secrets(evidence, findings)
    report = _built(leaky_evidence, leaky, evidence_scrubbed=True)
    assert report.evidence == leaky_evidence  # the caller said so: kept as given
    _, clean_findings, _ = _one_by_one(leaky_evidence, leaky)
    assert report.findings == clean_findings


def test_a_finding_with_other_catalogue_values_is_scrubbed_afresh(evidence: Tuple[Evidence, ...], findings: List[Finding]) -> None:
    """What was remembered of a check's catalogue fields never stands in for other values of that check."""
    first = sorted(findings, key=finding_order)[0]
    _built(evidence, findings)  # remembers the catalogue fields of every check, clean
    leaky = [replace(f, remediation=Text(zh="运行 sshpass -p Passw0rdPassw0rd ssh host", en="run sshpass -p Passw0rdPassw0rd ssh host")) if f is first else f for f in findings]
    report = _built(evidence, leaky)
    scrubbed = next(f for f in report.findings if f.key == first.key)
    assert "Passw0rd" not in scrubbed.remediation.en and REDACTED in scrubbed.remediation.en
    again = _built(evidence, findings)  # and back: the clean catalogue text, unchanged
    assert next(f for f in again.findings if f.key == first.key).remediation == first.remediation
    assert again.redactions == 0


def test_statuses_are_untouched(evidence: Tuple[Evidence, ...], findings: List[Finding]) -> None:
    report = _built(evidence, findings)
    assert [f.status for f in report.findings] == [f.status for f in sorted(findings, key=finding_order)]
    assert any(f.status is Status.FAIL for f in report.findings)


@dataclass(frozen=True)
class _Annotated(Finding):
    """A finding with one more field than the catalogue and the run give: scrubbed whole."""

    note: str = ""


def test_a_finding_of_another_class_is_scrubbed_whole(evidence: Tuple[Evidence, ...], findings: List[Finding]) -> None:
    first = sorted(findings, key=finding_order)[0]
    annotated = _Annotated(**{f.name: getattr(first, f.name) for f in fields(Finding)}, note="password=hunter2hunter2")
    report = _built(evidence, [annotated if f is first else f for f in findings])
    scrubbed = next(f for f in report.findings if f.key == first.key)
    assert isinstance(scrubbed, _Annotated) and scrubbed.note == "password=" + REDACTED and report.redactions == 1
