"""The run's times must be real UTC seconds, whether read once or remembered from an earlier report."""

from __future__ import annotations

import pytest

from report.model import Report
from report.rederive import recheck
from tests.hosts import complete_report, edited


@pytest.fixture(scope="module")
def genuine() -> Report:
    return complete_report("debian-weak", target_name="vm")


@pytest.mark.parametrize(
    "started_at, reason",
    [
        ("2026-01-01T24:00:00Z", "'2026-01-01T24:00:00Z' is not a valid date and time"),
        ("2026-01-01T00:60:00Z", "'2026-01-01T00:60:00Z' is not a valid date and time"),
        ("2026-01-01T00:00:00Z\n", "'2026-01-01T00:00:00Z\\n' is not a valid date and time"),  # the pattern's $ lets it through
        ("2026-01-01 00:00:00Z", "'2026-01-01 00:00:00Z' is not a UTC time written as YYYY-MM-DDTHH:MM:SSZ"),
    ],
)
def test_a_time_no_scan_writes_is_named_every_time(genuine: Report, started_at: str, reason: str) -> None:
    forged = edited(genuine, lambda d: d["run"].update(started_at=started_at))
    for _ in range(2):  # the second time the parsed time is remembered
        assert [str(d) for d in recheck(forged)] == [f"run.started_at: {reason}"]


def test_real_times_are_read(genuine: Report) -> None:
    assert recheck(genuine) == []
    later = edited(genuine, lambda d: d["run"].update(started_at="2026-01-01T00:00:01Z", finished_at="2026-01-01T00:00:01Z"))
    assert recheck(later) == []
