"""Validation that cannot surprise: whole-value matches, ASCII digits only, no fractions in parameters, and
configuration, answers and questionnaire files that end in a usage error naming the file, line and field,
whatever they hold (deep nesting, huge integers, bad UTF-8, floats, lone surrogates)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Dict, List

import pytest
from click.testing import CliRunner

from agent import schedule
from agent.answers import load_answers, parse_input
from agent.cli_history import schedule_cmd
from agent.errors import UsageError
from agent.settings import load_settings, validate_params
from questionnaires.loader import DEFAULT_QUESTIONNAIRE, QuestionnaireError, load_questionnaire, parse_questionnaire
from questionnaires.model import AnswerType
from tests.hosts import HOSTS_DIR

RISKAGENT = [sys.executable, "-m", "agent.cli"]
WEAK = str(HOSTS_DIR / "debian-weak")


def run(args: List[str]) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "RISKAGENT_KEY_PASSPHRASE"}
    return subprocess.run([*RISKAGENT, *args], capture_output=True, text=True, stdin=subprocess.DEVNULL, env=env, check=False)


# ------------------------------------------------------------------------------------------ schedule install


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--user", "root\n", "--user 'root\\n' is not a valid user name"),
        ("--user", "root\n* * * * * root /tmp/x", "is not a valid user name"),
        ("--at", "٠٣:١٧", "expected HH:MM"),
        ("--at", "03:17\n", "expected HH:MM"),
        ("--calendar", "*/² * * * *", "bad step"),
        ("--calendar", "² 3 * * *", "is not valid in the minute field"),
        ("--command", "/usr/bin/riskagent\n", "must be an absolute path"),
        ("--config", "/etc/riskagent/config.json\n", "must be an absolute path"),
    ],
)
def test_schedule_install_refuses_values_that_only_start_right(tmp_path: Path, option: str, value: str, message: str) -> None:
    args = ["install", "--kind", "cron", "--cron-dir", str(tmp_path), "--command", "/usr/bin/riskagent", option, value]
    res = CliRunner().invoke(schedule_cmd, args)
    assert res.exit_code == 2, res.output
    assert message in res.output and "Traceback" not in res.output
    assert not (tmp_path / "riskagent").exists()  # nothing written: no cron line that never runs


def test_a_valid_schedule_is_still_installed(tmp_path: Path) -> None:
    res = CliRunner().invoke(
        schedule_cmd, ["install", "--kind", "cron", "--cron-dir", str(tmp_path), "--command", "/usr/bin/riskagent", "--user", "ra_user-1"]
    )
    assert res.exit_code == 0, res.output
    assert "17 3 * * * ra_user-1 /usr/bin/riskagent run-scheduled" in (tmp_path / "riskagent").read_text()


def test_rotation_matches_whole_run_directory_names(tmp_path: Path) -> None:
    for name in ("20250101T000000Z", "20250102T000000Z", "20250103T000000Z\n", "20250104T000000Z-x", "٢٠٢٥٠١٠١T000000Z"):
        (tmp_path / name).mkdir()
    removed = schedule.rotate(tmp_path, 1)
    assert [p.name for p in removed] == ["20250101T000000Z"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["20250102T000000Z", "20250103T000000Z\n", "20250104T000000Z-x", "٢٠٢٥٠١٠١T000000Z"]
    )


# ------------------------------------------------------------------------------------------ ASCII digits


@pytest.mark.parametrize(
    "args",
    [
        ["--ports", "٢٢"],
        ["--ports", "22\n"],
        ["--ports", "２２"],
        ["--modbus-unit", "١"],
        ["--modbus-unit", "1_0"],
        ["--probe-port", "modbus=٥٠٢"],
        ["--time-budget", "٣٠"],
    ],
)
def test_numbers_are_ascii_digits(tmp_path: Path, args: List[str]) -> None:
    res = run(["scan", "--replay", WEAK, "--no-sign", "-q", "--out", str(tmp_path / "out"), "--target", "127.0.0.1", *args])
    assert res.returncode == 2, (args, res.stdout, res.stderr)
    assert args[0] in res.stderr and "Traceback" not in res.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(("args", "option"), [(["challenge", "--bytes", "٣٢"], "--bytes"), (["verify", "x.json", "--key", "k.pub", "--max-size", "٦٤"], "--max-size")])
def test_integer_options_take_ascii_digits_only(args: List[str], option: str) -> None:
    res = run(args)
    assert res.returncode == 2 and option in res.stderr and "digits 0-9" in res.stderr


@pytest.mark.parametrize("typed", ["١٢", "1_000", "+5", " 12 3", "１２", "9" * 19])
def test_typed_numbers_in_the_interactive_session_are_ascii(typed: str) -> None:
    q = next(x for x in load_questionnaire(None).questions if x.type is AnswerType.NUMBER and x.maximum is None)
    with pytest.raises(ValueError, match="whole number"):
        parse_input(q, typed)
    assert parse_input(q, "1,200") == 1200 and parse_input(q, "42") == 42


def test_typed_numbers_keep_to_the_questions_bounds() -> None:
    from agent.answers import InputHint

    pct = load_questionnaire(None).question("ID-04")
    assert parse_input(pct, "100") == 100
    with pytest.raises(InputHint) as exc:
        parse_input(pct, "101")
    assert exc.value.get("en") == "a whole number at least 0 and at most 100" and exc.value.get("zh") == "整数，不小于 0、不大于 100"


def test_typed_yes_no_takes_only_the_answers_that_fit() -> None:
    from agent.answers import InputHint

    incidents = load_questionnaire(None).question("HI-01")
    assert parse_input(incidents, "n") == "no"
    with pytest.raises(InputHint) as exc:
        parse_input(incidents, "p")
    assert exc.value.get("en") == "y(es) / n(o)"


def test_typed_dates_of_past_events_are_not_after_today() -> None:
    import datetime as dt

    from agent.answers import InputHint

    drill = load_questionnaire(None).question("IR-02")
    today = dt.date(2026, 3, 1)
    assert parse_input(drill, "2026-03-01", today) == "2026-03-01"
    with pytest.raises(InputHint, match=r"not after today \(2026-03-01\)"):
        parse_input(drill, "2026-03-02", today)


def test_typed_enum_choice_and_date_are_ascii() -> None:
    questions = load_questionnaire(None).questions
    enum = next(x for x in questions if x.type is AnswerType.ENUM)
    with pytest.raises(ValueError):
        parse_input(enum, "١")
    assert parse_input(enum, "1") == enum.allowed_values()[0]
    date = next((x for x in questions if x.type is AnswerType.DATE), None)
    if date is not None:
        with pytest.raises(ValueError):
            parse_input(date, "20260101")
        assert parse_input(date, "2026-01-01") == "2026-01-01"


# ------------------------------------------------------------------------------------------ floats in parameters


def test_a_float_parameter_in_the_config_names_the_key_and_writes_nothing(tmp_path: Path) -> None:
    cfg = tmp_path / "config.json"
    cfg.write_text('{\n  "params": {\n    "LNX-LOG-003": {"min_days": 365.5}\n  }\n}\n')
    out = tmp_path / "out"
    res = run(["scan", "--replay", WEAK, "-q", "--out", str(out), "--config", str(cfg)])
    assert res.returncode == 2, res.stderr
    assert f"{cfg}: line 3: params.LNX-LOG-003.min_days: 365.5" in res.stderr and "whole number" in res.stderr
    assert "Traceback" not in res.stderr and "CanonicalError" not in res.stderr
    assert not out.exists()


@pytest.mark.parametrize(
    "params",
    [{"LNX-ICS-002": {"ot_interfaces": [1.5]}}, {"LNX-LOG-003": {"min_days": 1e3}}],
)
def test_float_parameters_are_refused_whoever_builds_the_settings(params: Dict[str, Dict[str, object]]) -> None:
    with pytest.raises(UsageError) as exc:
        validate_params(params, "params")
    cid, values = next(iter(params.items()))
    assert exc.value.message.startswith(f"params.{cid}.{next(iter(values))}")
    assert "whole number" in exc.value.message


# ------------------------------------------------------------------------------------------ hostile files


def _hostile_files(tmp: Path) -> Dict[str, Path]:
    files = {
        "deep": ("{\n" + '"a": ' + "[" * 50000 + "]" * 50000 + "}\n").encode(),
        "huge-int": b'{\n  "x": ' + b"9" * 5000 + b"\n}\n",
        "not-utf8": b'{\n  "x": "caf\xe9"\n}\n',
        "float": b'{\n  "x": [1, 2.5]\n}\n',
        "surrogate": b'{\n  "x": "\\ud800"\n}\n',
        "too-large": b'{"x": "' + b"a" * (5 * 1024 * 1024) + b'"}',
    }
    out = {}
    for name, data in files.items():
        path = tmp / f"{name}.json"
        path.write_bytes(data)
        out[name] = path
    return out


EXPECTED = {
    "deep": ("line 2", "nested deeper than"),
    "huge-int": ("line 2", "an integer of 5000 digits"),
    "not-utf8": ("line 2", "not UTF-8"),
    "float": ("line 2", "2.5"),
    "surrogate": ("line 2", "surrogate"),
    "too-large": ("", "larger than"),
}


@pytest.mark.parametrize("option", ["--config", "--answers", "--questionnaire"])
@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_hostile_files_are_usage_errors_naming_file_and_line(tmp_path: Path, option: str, kind: str) -> None:
    path = _hostile_files(tmp_path)[kind]
    out = tmp_path / "out"
    res = run(["scan", "--replay", WEAK, "--no-sign", "-q", "--out", str(out), option, str(path)])
    assert res.returncode == 2, (option, kind, res.stderr[-2000:])
    assert "Traceback" not in res.stderr and "RecursionError" not in res.stderr
    line, detail = EXPECTED[kind]
    assert f"{path}: {line}" in res.stderr and detail in res.stderr, (option, kind, res.stderr)
    if kind in ("huge-int", "float", "surrogate"):
        assert "x" in res.stderr.split(line, 1)[1]  # the field
    assert not out.exists()


def test_questionnaire_ids_and_clauses_match_whole_values(tmp_path: Path) -> None:
    data = json.loads(DEFAULT_QUESTIONNAIRE.read_text(encoding="utf-8"))
    data["sections"][0]["questions"][0]["id"] = "PW-01\n"
    with pytest.raises(QuestionnaireError, match=r"questions\[0\]\.id: invalid question id"):
        parse_questionnaire(json.dumps(data), "q.json")
    data = json.loads(DEFAULT_QUESTIONNAIRE.read_text(encoding="utf-8"))
    data["sections"][0]["questions"][0]["mlps_clauses"] = ["8.1.4.1\n"]
    with pytest.raises(QuestionnaireError, match="mlps_clauses"):
        parse_questionnaire(json.dumps(data), "q.json")


def test_questionnaire_fact_paths_are_ascii(tmp_path: Path) -> None:
    data = json.loads(DEFAULT_QUESTIONNAIRE.read_text(encoding="utf-8"))
    for section in data["sections"]:
        for q in section["questions"]:
            rule = q["rule"]
            if "fact" in rule and ".0." in rule["path"]:
                rule["path"] = rule["path"].replace("0", "٠")
                with pytest.raises(QuestionnaireError, match=r"rule\.path: expected a path of ASCII keys"):
                    parse_questionnaire(json.dumps(data), "q.json")
                return
    pytest.fail("the built-in questionnaire has no fact rule with a list index in its path")


def test_answers_date_must_be_iso_ascii(tmp_path: Path) -> None:
    q = load_questionnaire(None)
    date = next((x for x in q.questions if x.type is AnswerType.DATE), None)
    if date is None:
        pytest.skip("no date question in the built-in questionnaire")
    path = tmp_path / "answers.json"
    path.write_text(json.dumps({"format": "riskagent-answers/1", "answers": [{"question": date.id, "value": "20260101", "by": "Li"}]}))
    with pytest.raises(UsageError, match="YYYY-MM-DD"):
        load_answers(path, q)


def test_config_errors_name_the_line_of_their_key(tmp_path: Path) -> None:
    cfg = tmp_path / "config.json"
    cfg.write_text('{\n  "lang": "en",\n  "schedule": {"retention": 0}\n}\n')
    with pytest.raises(UsageError) as exc:
        load_settings(cfg)
    assert exc.value.message.startswith(f"{cfg}: line 3: schedule.retention:")
