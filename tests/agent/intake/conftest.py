"""Fixtures of the intake tests: signed reports of recorded hosts, a trust store, and both databases.

Every test that takes ``db_url`` (or ``db``) runs twice: on SQLite and on a
throwaway PostgreSQL cluster started once per session (``postgres.py``),
each time on a fresh database at the newest schema.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from report.signing import key_id, sign_report
from tests.agent.intake.postgres import Cluster, start_cluster
from tests.hosts import complete_report, edited

_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc(first17: str) -> str:
    """A unified social credit code with its check character."""
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS))
    return first17 + _USCC_CHARS[(31 - total % 31) % 31]


ACME = uscc("91440300708461136")
BETA = uscc("91110000600037341")
NOW = dt.datetime(2026, 12, 5, 12, 0, tzinfo=dt.timezone.utc)


class Clock:
    """An injectable clock: tests move it instead of sleeping."""

    def __init__(self, now: dt.datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


def pem(key: Ed25519PrivateKey) -> str:
    return key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def trust_entry(key: Ed25519PrivateKey, name: str, org: str, valid_until: str = "2031-01-01") -> Dict[str, Any]:
    return {
        "name": name,
        "role": "applicant",
        "organisation_id": org,
        "public_key": pem(key),
        "keyid": key_id(key.public_key()),
        "valid_from": "2025-01-01",
        "valid_until": valid_until,
        "targets": ["*"],
    }


@dataclass
class Site:
    """Two applicants' keys in the insurer's trust store, and their signed reports (plus forgeries)."""

    directory: Path
    acme: Ed25519PrivateKey
    beta: Ed25519PrivateKey
    stranger: Ed25519PrivateKey
    trust_path: Path
    envelopes: Dict[str, bytes] = field(default_factory=dict)

    @property
    def trusted(self) -> Dict[str, Any]:
        from report.trust import load_trust_store

        return load_trust_store(self.trust_path)


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    d = tmp_path_factory.mktemp("intake-site")
    acme, beta, stranger = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    trust = d / "trust.json"
    trust.write_text(json.dumps({"riskagent_trust_store": 1, "signers": [trust_entry(acme, "Acme Ltd", ACME), trust_entry(beta, "Beta Co", BETA)]}))
    s = Site(d, acme, beta, stranger, trust)
    # acme's web-01: clean-ish first (the hardened recorded host), then weak (regressed, new hard fails)
    first = complete_report("debian-hardened", target_name="web-01", started_at="2026-11-01T00:00:00Z", report_id=str(uuid.uuid4()))
    second = complete_report("debian-weak", target_name="web-01", started_at="2026-11-02T00:00:00Z", report_id=str(uuid.uuid4()))
    other = complete_report("openeuler-server", target_name="db-01", started_at="2026-11-03T00:00:00Z", report_id=str(uuid.uuid4()))
    s.envelopes["acme-web-1"] = sign_report(first, acme)
    s.envelopes["acme-web-2"] = sign_report(second, acme)
    s.envelopes["beta-db-1"] = sign_report(other, beta)
    # a finding dropped: every failed finding removed, re-signed by the applicant's own key
    dropped = edited(second, lambda data: data.update(findings=[f for f in data["findings"] if f["status"] != "fail"]))
    s.envelopes["acme-forged"] = sign_report(dropped, acme)
    s.envelopes["acme-wrong-key"] = sign_report(second, stranger)
    s.envelopes["beta-signed-acme-report"] = sign_report(first, beta)
    return s


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    cluster = start_cluster()
    try:
        yield cluster
    finally:
        cluster.stop()


def fresh_database(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """The URL of an empty database of ``kind``."""
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'intake.db'}"
    cluster: Cluster = request.getfixturevalue("pg_cluster")
    return cluster.create_database(f"t{uuid.uuid4().hex[:12]}")


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return fresh_database(request.param, tmp_path, request)


@pytest.fixture
def db_url(empty_db_url: str) -> str:
    from agent.intake import migrate
    from agent.intake.db import make_engine

    engine = make_engine(empty_db_url)
    migrate.upgrade(engine)
    engine.dispose()
    return empty_db_url


@pytest.fixture
def db(db_url: str) -> Iterator[Any]:
    from agent.intake.db import Database

    database = Database.open(db_url)
    try:
        yield database
    finally:
        database.dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def config(db_url: str, site: Site, clock: Clock) -> Any:
    from agent.intake.config import IntakeConfig
    from report.policy import Policy

    return IntakeConfig(db_url=db_url, trusted=site.trusted, policy=Policy(), max_bytes=8 * 1024 * 1024, clock=clock)


def applicants(db: Any, *names_orgs: tuple[str, str | None]) -> List[int]:
    """Register applicants (with a token each); their ids."""
    import sqlalchemy as sa

    from agent.intake.models import Applicant
    from agent.intake.registry import add_applicant_token

    for name, org in names_orgs:
        add_applicant_token(db, name, None, org, now=NOW - dt.timedelta(days=40))
    with db.read() as session:
        by_name = {a.name: a.id for a in session.scalars(sa.select(Applicant))}
    return [by_name[n] for n, _ in names_orgs]
