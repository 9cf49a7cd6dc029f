"""The default insurer questionnaire (questionnaires/default.json) on the fixture hosts."""

from __future__ import annotations

import functools
import re
from typing import Any, Dict, Tuple

import pytest

from checks.catalogue import all_checks
from checks.model import InsurerDomain
from questionnaires.engine import Bundle, answer_all
from questionnaires.loader import load_questionnaire
from questionnaires.model import Aggregate, Answer, AnswerType, Attestation, Basis, Questionnaire, Scope
from tests.hosts import fixture_report

MLPS_UNIT = re.compile(r"^L3-[A-Z]{3}\d-\d{2}$")
RISK_ELEMENTS = {"资产", "威胁", "脆弱性", "已有安全措施"}
DERIVED_HOSTS = ("debian-weak", "debian-hardened")


@functools.cache
def questionnaire() -> Questionnaire:
    return load_questionnaire()


@functools.cache
def answers(host: str) -> Dict[str, Answer]:
    report = fixture_report(host)
    return {a.question: a for a in answer_all(questionnaire(), Bundle.from_report(report), {})}


def _rule_checks(rule: Any) -> Tuple[str, ...]:
    if "checks" in rule:
        return tuple(rule["checks"])
    return tuple(c for sub in rule.get("first", []) for c in _rule_checks(sub))


def test_default_questionnaire_loads() -> None:
    q = questionnaire()
    assert q.id == "riskagent-default"
    assert q.raw["format"] == "riskagent-questionnaire/1"
    assert len(q.questions) >= 100
    assert len({s.id for s in q.sections}) == len(q.sections)


def test_every_question_says_what_it_is_about() -> None:
    """A scope on every question of the file itself; what only a person can answer is about the organisation."""
    raw = [x for s in questionnaire().raw["sections"] for x in s["questions"]]
    assert all(x["scope"] in ("host", "organisation") for x in raw)
    for x in questionnaire().questions:
        if x.attest_only:
            assert x.scope is Scope.ORGANISATION, x.id
        if x.type is AnswerType.DATE:
            assert x.past, f"{x.id}: every date asked is of something that has happened"
    org = {x.id for x in questionnaire().questions if x.organisation}
    assert {"ID-02", "ID-03", "EP-01", "PT-03", "PA-06"} <= org
    assert {"PW-02", "EP-02", "EP-03", "PT-01", "SG-01"}.isdisjoint(org)  # this host's own settings
    assert questionnaire().question("PT-03").aggregate is Aggregate.ANY  # one EOL system makes it "yes"
    assert questionnaire().question("ID-02").aggregate is Aggregate.EVERY  # one host without MFA makes it "no"


def test_the_missing_topics_are_asked() -> None:
    q = questionnaire()
    number = {"ID-04": (0, 100), "ID-05": (0, 100), "ID-06": (0, 100), "EP-08": (0, 100), "EP-09": (0, 100), "PT-09": (0, None),
              "BK-08": (0, None), "BK-09": (0, None), "DT-01": (0, None), "HI-04": (1, None)}  # fmt: skip
    for qid, (low, high) in number.items():
        x = q.question(qid)
        assert x.type is AnswerType.NUMBER and (x.minimum, x.maximum) == (low, high) and x.organisation, qid
        assert x.help is not None, qid
    for qid in ("BK-10", "GV-05"):  # disaster-recovery test, asset inventory
        assert q.question(qid).type is AnswerType.DATE and q.question(qid).past
    for qid in ("EM-04", "DT-03", "DT-04", "DT-06", "PT-10", "BK-04", "GV-01", "GV-02", "GV-03", "GV-04", "ML-05"):
        assert q.question(qid).type is AnswerType.YES_NO, qid
    assert q.question("EP-08").percent_yes_of == "EP-01"  # computed from every server's report once all are in
    assert _rule_checks(q.question("PT-10").rule) == ("NET-PRT-003",)  # EOL software beyond the OS, where a scan sees it
    cases = {"GV-01": "6.6.1.1", "GV-02": "6.7.1.1", "GV-03": "6.8.1.1", "GV-04": "6.9.1.1", "ML-05": "6.9.4.1"}
    for qid, case in cases.items():
        x = q.question(qid)
        assert x.help is not None and case in x.help.zh and case in x.help.en and x.mlps_clauses, qid


def test_answer_types_fit_the_question() -> None:
    q = questionnaire()
    assert q.question("HI-01").allowed_values() == ("yes", "no")  # an incident happened or it did not
    assert q.question("HI-04").ask_if is not None and q.question("HI-04").ask_if.question == "HI-01"
    assert q.question("PA-05").ask_if is not None and q.question("PA-05").ask_if.values == ("yes", "partial")
    assert q.question("OT-01").allowed_values() == ("yes", "no")


def test_help_texts_match_what_the_tool_does() -> None:
    q = questionnaire()
    ot4 = q.question("OT-04")
    assert not ot4.attest_only and set(_rule_checks(ot4.rule)) == {"LNX-ICS-002", "NET-ICS-001"}
    assert ot4.help is not None and "LNX-ICS-002" in ot4.help.en and "暂不" not in ot4.help.zh and "not yet" not in ot4.help.en
    for x in q.questions:
        text = f"{x.help.zh} {x.help.en}" if x.help else ""
        for cid in re.findall(r"\b(?:LNX|NET|TLS|WEB)-[A-Z]+-\d{3}\b", text):
            assert cid in all_checks(), (x.id, cid)
            assert x.attest_only or cid in _rule_checks(x.rule), (x.id, cid)  # a derived answer cites what it reads
    assert "note" in (q.question("EP-03").help.en if q.question("EP-03").help else "")  # the note the help asks for can be given


def test_every_question_is_bilingual() -> None:
    for q in questionnaire().questions:
        assert q.text.zh.strip() and q.text.en.strip(), q.id
        assert re.search(r"[\u4e00-\u9fff]", q.text.zh), f"{q.id}: zh text has no Chinese"
        if q.help is not None:
            assert q.help.zh.strip() and q.help.en.strip(), q.id
        for o in q.options:
            assert o.label.zh.strip() and o.label.en.strip(), (q.id, o.value)


def test_mlps_units_domains_and_risk_elements() -> None:
    for q in questionnaire().questions:
        for unit in q.mlps:
            assert MLPS_UNIT.match(unit), f"{q.id}: {unit}"
            assert unit != "L3-CES1-16", q.id  # does not exist in GB/T 28448
        if q.domain is not None:
            assert q.domain in {d.value for d in InsurerDomain}, q.id
        assert q.risk_element in RISK_ELEMENTS, q.id


def test_enough_rules_and_checks_exist() -> None:
    q = questionnaire()
    derivable = [x for x in q.questions if not x.attest_only]
    assert len(derivable) >= 28
    known = set(all_checks())
    for x in derivable:
        assert set(_rule_checks(x.rule)) <= known, x.id


def test_required_topics_are_present() -> None:
    q = questionnaire()
    types = {x.id: x.type for x in q.questions}
    # numbers from facts, list attestations, enums and dates
    assert types["PT-01"] is AnswerType.NUMBER
    assert types["LG-02"] is AnswerType.NUMBER
    assert types["BK-02"] is AnswerType.ENUM
    assert types["TP-03"] is AnswerType.LIST and q.question("TP-03").attest_only
    assert types["DT-02"] is AnswerType.LIST and q.question("DT-02").attest_only
    assert types["ML-01"] is AnswerType.ENUM
    assert {o.value for o in q.question("ML-01").options} == {"level1", "level2", "level3", "level4", "none"}
    assert types["ML-02"] is AnswerType.DATE
    assert set(_rule_checks(q.question("ID-02").rule)) == {"LNX-SSH-019", "LNX-SSH-002"}
    assert set(_rule_checks(q.question("OT-03").rule)) == {"LNX-KRN-011"}


@pytest.mark.parametrize("host", DERIVED_HOSTS)
def test_derived_answers_cite_their_basis(host: str) -> None:
    derived = [a for a in answers(host).values() if a.basis is Basis.DERIVED]
    assert len(derived) >= 25
    for a in derived:
        assert a.cited_checks or a.cited_evidence, a.question
        assert a.reason
        for cited in a.cited_checks:
            assert cited.status in ("pass", "fail", "not_applicable", "error", "manual", "missing")
        for ev in a.cited_evidence:
            assert ev.collector.startswith("host."), a.question
            assert ev.target == fixture_report(host).target.name, (a.question, ev)  # a reference into the host's evidence


# question -> (debian-weak, debian-hardened)
DIFFERENCES: Dict[str, Tuple[Any, Any]] = {
    "ID-02": ("no", "yes"),
    "ID-03": ("no", "yes"),
    "PA-01": ("no", "yes"),
    "PA-06": ("yes", "no"),
    "PW-01": ("no", "yes"),
    "PW-02": (4, 14),
    "PW-03": (99999, 90),
    "EP-01": ("no", "yes"),
    "EP-02": ([], ["av", "fim", "hids"]),
    "EP-04": ("not_applicable", "yes"),
    "PT-01": (3, 0),
    "PT-03": ("yes", "no"),
    "PT-04": ("Debian GNU/Linux 10 (buster)", "Debian GNU/Linux 12 (bookworm)"),
    "PT-05": ("no", "yes"),
    "EX-01": ("yes", "no"),
    "EX-02": ("yes", "no"),
    "EX-04": ("yes", "no"),
    "EX-05": ("yes", "no"),
    "EX-06": ("no", "yes"),
    "SG-01": ("no", "yes"),
    "BK-01": ("no", "yes"),
    "BK-02": ("monthly", "daily"),  # debian-weak: a monthly upload to a net-disk (a backup, judged by LNX-BAK-003)
    "BK-03": ("yes", "no"),
    "LG-01": ("no", "yes"),
    "LG-02": (7, 364),
    "LG-03": ("no", "yes"),
    "LG-05": ("no", "yes"),
    "LG-06": ("no", "yes"),
    "IN-01": ("no", "yes"),
    "IN-02": ("no", "yes"),
    "TP-01": (2, 0),
    "OT-03": ("no", "yes"),
}


def host_value(a: Answer) -> Any:
    """What the host's evidence says: the answer of a host question, this host's part of an organisation one."""
    if a.coverage is not None:
        assert a.coverage.declared is None and len(a.coverage.assets) == 1, a.question
        return a.coverage.assets[0].value
    assert a.basis is Basis.DERIVED, (a.question, a.reason)
    return a.value


@pytest.mark.parametrize("qid", sorted(DIFFERENCES))
def test_weak_and_hardened_differ(qid: str) -> None:
    """The host's own answer differs; an organisation question's answer is the host's only where the host settles it."""
    weak, hardened = DIFFERENCES[qid]
    assert weak != hardened
    question = questionnaire().question(qid)
    for host, expected in zip(DERIVED_HOSTS, (weak, hardened)):
        a = answers(host)[qid]
        assert host_value(a) == expected, (host, qid, a.value)
        if not question.organisation:
            assert a.basis is Basis.DERIVED and a.coverage is None, (host, qid)
            continue
        settles = expected == ("no" if question.aggregate is Aggregate.EVERY else "yes")
        assert a.basis is (Basis.DERIVED if settles else Basis.UNKNOWN), (host, qid, a.reason)
        assert a.value == (expected if settles else None), (host, qid)
        assert a.cited_checks or a.cited_evidence, (host, qid)  # the partial evidence is cited either way


def test_checks_that_show_a_problem_but_not_its_absence_answer_only_yes() -> None:
    """PW-05 (empty, weak or shared passwords): an empty password shows "yes"; no empty password is not "no"."""
    weak, hardened = answers("debian-weak")["PW-05"], answers("debian-hardened")["PW-05"]
    assert weak.basis is Basis.DERIVED and weak.value == "yes"
    assert hardened.basis is Basis.UNKNOWN


def test_derived_answers_differ_wherever_both_are_derived() -> None:
    weak, hardened = answers("debian-weak"), answers("debian-hardened")
    both = [q for q in weak if weak[q].basis is Basis.DERIVED and hardened[q].basis is Basis.DERIVED]
    same = [q for q in both if weak[q].value == hardened[q].value]
    assert same == []


def test_no_security_product_leaves_vendor_unknown() -> None:
    weak = answers("debian-weak")
    assert weak["EP-03"].basis is Basis.UNKNOWN
    assert weak["EP-05"].basis is Basis.UNKNOWN
    assert answers("debian-hardened")["EP-03"].value == "ClamAV"


@pytest.mark.parametrize("host", (*DERIVED_HOSTS, "openeuler-server"))
def test_attest_only_questions_are_unknown_without_attestations(host: str) -> None:
    got = answers(host)
    attest_only = [q for q in questionnaire().questions if q.attest_only]
    assert len(attest_only) >= 20
    for q in attest_only:
        a = got[q.id]
        assert a.basis is Basis.UNKNOWN and a.value is None, q.id
        assert "attestation" in a.reason


def test_no_rule_defaults_to_yes_on_empty_evidence() -> None:
    empty = answer_all(questionnaire(), Bundle([], []), {})
    assert all(a.basis is Basis.UNKNOWN for a in empty), [a.question for a in empty if a.basis is not Basis.UNKNOWN]


def test_attestations_fill_gaps_and_evidence_wins_conflicts() -> None:
    report = fixture_report("debian-weak")
    atts = {
        "ML-01": Attestation("ML-01", "level3", "张三 (CISO)", "2026-01-02"),
        "TP-03": Attestation("TP-03", ["某某信息技术有限公司"], "张三 (CISO)", "2026-01-02"),
        "EP-01": Attestation("EP-01", "yes", "李四", "2026-01-02"),
    }
    got = {a.question: a for a in answer_all(questionnaire(), Bundle.from_report(report), atts)}
    assert got["ML-01"].basis is Basis.ATTESTED and got["ML-01"].value == "level3"
    assert got["TP-03"].value == ["某某信息技术有限公司"]
    assert got["EP-01"].basis is Basis.DERIVED and got["EP-01"].value == "no"
    assert got["EP-01"].conflict
