"""Report chains: three linked reports verify; a removed, edited or tampered one is named."""

from __future__ import annotations

import dataclasses
import uuid
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from agent import history
from agent.cli_history import history_cmd
from report.model import Report
from report.signing import report_digest, sign_report
from tests.hosts import assess_host, complete_report, edited, trusted_for

DAYS = ("2026-01-01", "2026-01-02", "2026-01-03")


def _report(host: str, day: str, previous: Optional[str]) -> Report:
    return complete_report(host, target_name="acme-db", started_at=f"{day}T03:17:00Z", previous_report=previous, report_id=str(uuid.uuid4()))


def _sign(report: Report, key: Ed25519PrivateKey) -> bytes:
    return sign_report(report, key)


@pytest.fixture(scope="module")
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture(scope="module")
def reports() -> List[Report]:
    chain: List[Report] = []
    previous = None
    for day, host in zip(DAYS, ("debian-weak", "debian-weak", "debian-hardened")):
        r = _report(host, day, previous)
        chain.append(r)
        previous = report_digest(r)
    return chain


def _write(tmp: Path, reports: List[Report], key: Ed25519PrivateKey) -> List[Path]:
    paths = []
    for r in reports:
        p = tmp / r.run.started_at[:10] / "report.dsse.json"
        p.parent.mkdir(parents=True)
        p.write_bytes(_sign(r, key))
        paths.append(p)
    return paths


def _trusted(key: Ed25519PrivateKey) -> Dict[str, Any]:
    return trusted_for(key)


def _edited(report: Report) -> Report:
    # A declared field (the recheck cannot re-derive it), so the edited report still verifies on its own:
    # only the chain can tell it is not the report that was recorded.
    def edit(data: Dict[str, Any]) -> None:
        data["run"]["user"] = "mallory"

    return edited(report, edit)


def test_three_linked_reports_verify(tmp_path: Path, key: Ed25519PrivateKey, reports: List[Report]) -> None:
    paths = _write(tmp_path, reports, key)
    result = history.check_chain(paths, _trusted(key))
    assert result.ok, result.problems
    assert [e.path for e in result.chains["acme-db"]] == paths
    assert [e.previous for e in result.chains["acme-db"]] == [None, *(report_digest(r) for r in reports[:2])]


def test_removed_middle_report_is_a_gap(tmp_path: Path, key: Ed25519PrivateKey, reports: List[Report]) -> None:
    first, _middle, last = _write(tmp_path, reports, key)
    result = history.check_chain([first, last], _trusted(key))
    assert [p.kind for p in result.problems] == ["gap"]
    assert result.problems[0].files == (first, last)
    assert str(first) in result.problems[0].message and str(last) in result.problems[0].message


def test_edited_middle_report_is_reported(tmp_path: Path, key: Ed25519PrivateKey, reports: List[Report]) -> None:
    state = tmp_path / "state"
    paths = _write(tmp_path, reports, key)
    for r, p in zip(reports, paths):
        history.record(state, "acme-db", report_digest(r), p, report_id=r.report_id, started_at=r.run.started_at)
    # Change a finding and re-sign with the same key: the signature is valid, the digest is not the one named.
    paths[1].write_bytes(_sign(_edited(reports[1]), key))
    result = history.check_chain(paths, _trusted(key), history.known_reports(state))
    assert [p.kind for p in result.problems] == ["edited"]
    assert result.problems[0].files == (paths[1], paths[2])
    assert f"{paths[1]} (report {reports[1].report_id}) was edited" in result.problems[0].message
    # Without the agent's index the link is still broken, and the message names the suspect.
    bare = history.check_chain(paths, _trusted(key))
    assert [p.kind for p in bare.problems] == ["gap"]
    assert f"or {paths[1]} was edited" in bare.problems[0].message


def test_edited_copy_next_to_the_original_is_named(tmp_path: Path, key: Ed25519PrivateKey, reports: List[Report]) -> None:
    paths = _write(tmp_path, reports, key)
    copy_path = tmp_path / "copy.dsse.json"
    copy_path.write_bytes(_sign(_edited(reports[1]), key))
    result = history.check_chain([*paths, copy_path], _trusted(key))
    kinds = sorted(p.kind for p in result.problems)
    assert kinds == ["edited", "fork"]  # same report id twice, and both copies name the first report
    edited = next(p for p in result.problems if p.kind == "edited")
    assert edited.message.endswith(f"edited: {copy_path}")


def test_removed_middle_with_index_names_the_missing_file(tmp_path: Path, key: Ed25519PrivateKey, reports: List[Report]) -> None:
    state = tmp_path / "state"
    paths = _write(tmp_path, reports, key)
    for r, p in zip(reports, paths):
        history.record(state, "acme-db", report_digest(r), p, report_id=r.report_id)
    paths[1].unlink()
    result = history.check_chain([paths[0], paths[2]], _trusted(key), history.known_reports(state))
    assert [p.kind for p in result.problems] == ["gap"]
    assert f"recorded at {paths[1]}" in result.problems[0].message


def test_tampered_envelope_is_invalid_with_its_name(tmp_path: Path, key: Ed25519PrivateKey, reports: List[Report]) -> None:
    paths = _write(tmp_path, reports, key)
    data = paths[1].read_bytes()
    paths[1].write_bytes(data.replace(b'"sig":"', b'"sig":"A', 1))
    result = history.check_chain(paths, _trusted(key))
    kinds = [p.kind for p in result.problems]
    assert kinds[0] == "invalid" and result.problems[0].files == (paths[1],)
    assert str(paths[1]) in result.problems[0].message
    assert "gap" in kinds  # and the chain around it is broken


def test_fork_and_unlinked(tmp_path: Path, key: Ed25519PrivateKey, reports: List[Report]) -> None:
    paths = _write(tmp_path, reports, key)
    other = _report("debian-weak", "2026-01-04", report_digest(reports[1]))
    restart = _report("debian-weak", "2026-01-05", None)
    extra = _write(tmp_path, [other, restart], key)
    result = history.check_chain([*paths, *extra], _trusted(key))
    assert sorted(p.kind for p in result.problems) == ["fork", "unlinked"]
    fork = next(p for p in result.problems if p.kind == "fork")
    assert set(fork.files) == {paths[2], extra[0]}


def test_index_records_latest_and_previous_digest(tmp_path: Path) -> None:
    assert history.previous_digest(tmp_path, "h") is None
    history.record(tmp_path, "h", "a" * 64, tmp_path / "1.dsse.json")
    history.record(tmp_path, "h", "b" * 64, tmp_path / "2.dsse.json")
    history.record(tmp_path, "other", "c" * 64, tmp_path / "3.dsse.json")
    assert history.previous_digest(tmp_path, "h") == "b" * 64
    assert (tmp_path / history.INDEX_NAME).stat().st_mode & 0o777 == 0o600
    assert set(history.known_reports(tmp_path)) == {"a" * 64, "b" * 64, "c" * 64}


def test_state_dir_default(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(history.STATE_DIR_ENV, str(tmp_path))
    assert history.default_state_dir() == tmp_path
    monkeypatch.delenv(history.STATE_DIR_ENV)
    expected = Path("/var/lib/riskagent") if history.os.geteuid() == 0 else Path.home() / ".local/state/riskagent"
    monkeypatch.delenv("XDG_STATE_HOME", raising=False)
    assert history.default_state_dir() == expected


def test_history_command_lists_and_fails_on_problems(tmp_path: Path, key: Ed25519PrivateKey, reports: List[Report]) -> None:
    paths = _write(tmp_path / "runs", reports, key)
    pub = tmp_path / "signing.pub"
    pub.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    runner = CliRunner()
    args = ["--key", str(pub), "--state-dir", str(tmp_path / "none")]
    ok = runner.invoke(history_cmd, [str(tmp_path / "runs"), *args])
    assert ok.exit_code == 0, ok.output
    assert "acme-db: 3 report(s)" in ok.output and reports[2].report_id in ok.output and "chain OK" in ok.output
    assert report_digest(reports[2])[:12] in ok.output and "fail " in ok.output
    paths[1].unlink()
    bad = runner.invoke(history_cmd, [str(tmp_path / "runs"), *args])
    assert bad.exit_code == 1
    assert "PROBLEM [gap]" in bad.output and str(paths[2]) in bad.output
    nokey = runner.invoke(history_cmd, [str(tmp_path / "runs"), "--key", str(tmp_path / "missing.pub")])
    assert nokey.exit_code == 2 and "riskagent: error: cannot read public key" in nokey.output


def test_score_shown_when_the_report_has_an_underwriting_view() -> None:
    assessed = assess_host("debian-weak")
    assert assessed.underwriting is not None
    insurer = dataclasses.replace(assessed.underwriting.insurer, score=72, grade="C")
    scored = dataclasses.replace(assessed, underwriting=dataclasses.replace(assessed.underwriting, insurer=insurer))
    assert history.report_score(scored) == "72 (C)"
    assert history.report_score(dataclasses.replace(assessed, underwriting=None)) is None


def test_reports_of_the_same_second_are_ordered_by_their_links(tmp_path: Path, key: Ed25519PrivateKey) -> None:
    a = _report("debian-weak", "2026-02-01", None)
    b = _report("debian-weak", "2026-02-01", report_digest(a))
    c = _report("debian-weak", "2026-02-01", report_digest(b))
    paths = []
    for name, r in (("z", a), ("y", b), ("x", c)):
        p = tmp_path / f"{name}.dsse.json"
        p.write_bytes(_sign(r, key))
        paths.append(p)
    result = history.check_chain(sorted(paths), _trusted(key))
    assert result.ok, result.problems
    assert [e.path for e in result.chains["acme-db"]] == paths


def test_a_report_of_an_older_catalogue_still_links_the_chain(tmp_path: Path, key: Ed25519PrivateKey, reports: List[Report]) -> None:
    """After an upgrade the first report's catalogue is unknown to this build: its signature holds and the
    chain links through it, with a note that its findings were not rechecked."""
    import json

    from report.canonical import canonical_bytes
    from report.signing import sign_payload, statement_bytes

    paths = _write(tmp_path, reports, key)
    statement = json.loads(statement_bytes(reports[0]))
    statement["predicate"]["provenance"]["catalogue"]["digest"] = "0" * 64
    statement["predicate"]["provenance"]["catalogue"]["version"] = "0.9.0"
    older = json.loads(canonical_bytes(statement["predicate"]))
    statement["subject"][0]["digest"]["sha256"] = sha256_of(older)
    paths[0].write_bytes(sign_payload(canonical_bytes(statement), key))
    # the second report names the older report's digest as its predecessor
    relinked = _report("debian-weak", DAYS[1], sha256_of(older))
    paths[1].write_bytes(_sign(relinked, key))
    third = _report("debian-hardened", DAYS[2], report_digest(relinked))
    paths[2].write_bytes(_sign(third, key))
    result = history.check_chain(paths, _trusted(key))
    assert result.ok, result.problems
    chain = result.chains["acme-db"]
    assert [e.report is None for e in chain] == [True, False, False]
    assert chain[0].failed == reports[0].summary.by_status["fail"]
    assert any("findings not rechecked" in n and str(paths[0]) in n for n in result.notes)

    # a subject that is not the predicate's digest is not a report header at all
    statement["subject"][0]["digest"]["sha256"] = "1" * 64
    paths[0].write_bytes(sign_payload(canonical_bytes(statement), key))
    result = history.check_chain(paths, _trusted(key))
    assert [p.kind for p in result.problems][:1] == ["invalid"] and "no readable report header" in result.problems[0].message


def sha256_of(predicate: Dict[str, Any]) -> str:
    from collectors.digest import sha256_hex
    from report.canonical import canonical_bytes

    return sha256_hex(canonical_bytes(predicate))
