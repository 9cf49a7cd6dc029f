"""The ``serve`` commands a person runs: tokens listed and revoked, schedules, schema checks and refusals."""

from __future__ import annotations

from pathlib import Path

from agent.intake import migrate
from tests.agent.intake.test_server import cli


def test_tokens_are_listed_by_prefix_and_revoked(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'intake.db'}"
    refused = cli("serve", "token", "add", "acme", "--db", url)
    assert refused.returncode == 2 and "riskagent serve db upgrade" in refused.stderr  # an empty database is not used silently
    assert cli("serve", "db", "upgrade", "--db", url).returncode == 0
    token = cli("serve", "token", "add", "acme", "--db", url).stdout.strip()
    listing = cli("serve", "token", "list", "--db", url)
    assert listing.returncode == 0 and f"{token[:10]}…  applicant acme" in listing.stdout and "never used" in listing.stdout
    assert token not in listing.stdout and "active" in listing.stdout
    assert cli("serve", "token", "revoke", token[:10], "--db", url).returncode == 0
    assert "revoked" in cli("serve", "token", "list", "--db", url).stdout
    assert cli("serve", "token", "revoke", token[:10], "--db", url).returncode == 2  # nothing active left to revoke


def test_bad_inputs_are_usage_errors(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'intake.db'}"
    assert cli("serve", "db", "upgrade", "--db", url).returncode == 0
    current = cli("serve", "db", "current", "--db", url)
    assert current.returncode == 0 and f"database at {migrate.head()}; this riskagent: {migrate.head()}" in current.stdout
    bad_org = cli("serve", "token", "add", "acme", "--org-id", "91440300708461136U", "--db", url)
    assert bad_org.returncode == 2 and "check character" in bad_org.stderr
    assert cli("serve", "token", "add", "a/b", "--db", url).returncode == 2
    short = cli("serve", "user", "add", "ana", "--role", "admin", "--db", url, env={"RISKAGENT_PASSWORD": "short"})
    assert short.returncode == 2 and "at least 12 characters" in short.stderr
    assert cli("serve", "token", "staff", "nobody", "--db", url).returncode == 2
    schedule = cli("serve", "applicant", "schedule", "nobody", "--interval", "12h", "--db", url)
    assert schedule.returncode == 2 and "no applicant nobody" in schedule.stderr
    no_tls = cli("serve", "--db", url, "--trusted-key", str(tmp_path / "k.pub"))
    assert no_tls.returncode == 2 and "--cert and --key are required" in no_tls.stderr


def test_an_applicants_schedule(tmp_path: Path) -> None:
    import sqlalchemy as sa

    from agent.intake.db import Database
    from agent.intake.models import Applicant

    url = f"sqlite:///{tmp_path / 'intake.db'}"
    assert cli("serve", "db", "upgrade", "--db", url).returncode == 0
    assert cli("serve", "token", "add", "acme", "--db", url).returncode == 0
    done = cli("serve", "applicant", "schedule", "acme", "--interval", "12h", "--grace", "2h", "--db", url)
    assert done.returncode == 0, done.stderr
    db = Database.open(url)
    try:
        with db.read() as session:
            assert session.execute(sa.select(Applicant.checkin_interval_s, Applicant.checkin_grace_s)).one() == (43200, 7200)
    finally:
        db.dispose()
