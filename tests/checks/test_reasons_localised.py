"""Every reason a check gives is a declared message, so the zh report never falls back to English.

Run over both evidence files of every check and over every recorded host (and
its copies with one thing changed), as root and as an ordinary user: a finding
that carries a reason carries its message id too, and the message renders in
both languages without leaving a placeholder or an English sentence in zh.
"""

from __future__ import annotations

import re
from typing import List

import pytest

from checks.model import Finding
from tests.checks.evidence import OUTCOMES, checks, evidence_path, judge, load_case
from tests.checks.test_no_pass_without_evidence import HOSTS
from tests.hosts import host_findings

# An English sentence: three Latin words in a row (technical names are single tokens or paths).
ENGLISH_RUN = re.compile(r"\b[A-Za-z]{2,}(?: [a-z]{2,}){2,}\b")


def problems(f: Finding) -> List[str]:
    if f.reason is None:
        return []
    if f.reason_id is None:
        return [f"{f.check_id}: plain reason {f.reason!r}"]
    out = []
    zh = f.reason_in("zh")
    if "{" in zh and "}" in zh and re.search(r"\{[a-z_]+\}", zh):
        out.append(f"{f.check_id}: placeholder left in {zh!r}")
    if f.reason_in("en") != f.reason:
        out.append(f"{f.check_id}: en rendering {f.reason_in('en')!r} differs from the stored reason {f.reason!r}")
    return out


def test_evidence_file_findings_have_message_ids() -> None:
    bad: List[str] = []
    for rc in checks().values():
        for outcome in OUTCOMES:
            path = evidence_path(rc, outcome)
            if path.exists():
                bad += problems(judge(rc, load_case(path)))
    assert not bad, bad


@pytest.mark.parametrize("host", HOSTS)
def test_recorded_host_findings_have_message_ids(host: str) -> None:
    bad: List[str] = []
    for privileged in (True, False):
        for f in host_findings(host, privileged):
            bad += problems(f)
    assert not bad, sorted(set(bad))


def test_zh_templates_hold_no_english_sentence() -> None:
    from checks.catalogue import all_checks
    from checks.messages import templates

    all_checks()  # importing the checks declares their messages
    bad = []
    for id, text in templates().items():
        words = re.sub(r"\{[^}]*\}", " ", text.zh)
        found = ENGLISH_RUN.search(words)
        if found:
            bad.append(f"{id}: {found.group(0)!r} in {text.zh!r}")
    assert not bad, bad
