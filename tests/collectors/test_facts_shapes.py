"""Every collector's facts follow the shape its FactsKey declares, on every recorded host and in every evidence file."""

from __future__ import annotations

from typing import Any, Dict

import pytest

from collectors.catalogue import all_collectors
from collectors.evidence import EvidenceStatus
from collectors.facts import ShapeError, check_shape
from collectors.net.registry import all_net_collectors
from tests.checks.evidence import OUTCOMES, evidence_path, load_case
from tests.hosts import FIXTURE_HOSTS, host_evidence


def _shapes() -> Dict[str, Any]:
    return {**{n: c.shape for n, c in all_collectors().items()}, **{n: c.shape for n, c in all_net_collectors().items()}}


@pytest.mark.parametrize("privileged", [True, False])
@pytest.mark.parametrize("host", FIXTURE_HOSTS)
def test_recorded_hosts_give_facts_of_the_declared_shape(host: str, privileged: bool) -> None:
    shapes = _shapes()
    for e in host_evidence(host, privileged):
        if e.status is EvidenceStatus.OK:
            check_shape(dict(e.facts), shapes[e.collector], e.collector)


def test_evidence_files_follow_the_declared_shapes() -> None:
    from checks.catalogue import all_checks

    shapes = _shapes()
    problems = []
    for rc in all_checks().values():
        for outcome in OUTCOMES:
            case = load_case(evidence_path(rc, outcome))
            for name, facts in case.evidence.items():
                if facts.get("_status"):
                    continue
                try:
                    check_shape(dict(facts), shapes[name], f"{rc.meta.id}.{outcome}: {name}")
                except ShapeError as exc:
                    problems.append(str(exc))
    assert not problems, problems[:10]


def test_shapes_are_closed() -> None:
    """A TypedDict shape refuses a key it does not declare and a missing required key."""
    from typing import TypedDict

    class Inner(TypedDict):
        a: int

    with pytest.raises(ShapeError, match=r"\$\.b: not a key"):
        check_shape({"a": 1, "b": 2}, Inner)
    with pytest.raises(ShapeError, match=r"\$\.a: missing key"):
        check_shape({}, Inner)
    with pytest.raises(ShapeError, match=r"\$\.a: expected an integer"):
        check_shape({"a": True}, Inner)
