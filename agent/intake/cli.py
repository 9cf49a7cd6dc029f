"""``riskagent serve``: the insurer's intake service, its database, tokens, staff and alerts.

Only click is imported at start-up (``riskagent --help`` stays fast); the
server, SQLAlchemy and Flask load when a serve command runs.

    riskagent serve --db sqlite:///var/lib/riskagent/intake.db --trust trust.json --cert C --key K --listen 127.0.0.1:8443
    riskagent serve token add acme --org-id 91440300708461136T --db URL   # prints the token once
    riskagent serve user add li.si --role underwriter --db URL
    riskagent serve db upgrade --db URL
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Optional, Tuple, TypeVar

import click

from agent.cli_common import AsciiInt, fail, say, trusted_keys
from agent.cli_verify import DEFAULT_MAX_MIB, build_policy, policy_options
from agent.errors import AgentError, UsageError

if TYPE_CHECKING:
    from agent.intake.config import IntakeConfig
    from agent.intake.db import Database

FC = TypeVar("FC", bound=Callable[..., Any])
_LISTEN = re.compile(r"(?:\[([0-9a-fA-F:.]+)\]|([0-9A-Za-z.-]+)):([0-9]{1,5})", re.ASCII)


def db_option(fn: FC) -> FC:
    return click.option(
        "--db",
        "db_url",
        envvar="RISKAGENT_DB",
        required=True,
        help="Database URL: sqlite:///PATH (one machine) or postgresql://USER@HOST/DB. Also $RISKAGENT_DB.",
    )(fn)


def _duration(value: str, flag: str) -> int:
    from report.policy import PolicyError, parse_duration

    try:
        return parse_duration(value, flag)
    except PolicyError as exc:
        raise UsageError(str(exc)) from None


def _open(db_url: str, *, migrate: bool = False) -> Database:
    """The database at the newest schema; a database behind it is upgraded when ``migrate``, else refused."""
    import sqlalchemy as sa

    from agent.intake import migrate as migrations
    from agent.intake.db import Database

    try:
        db = Database.open(db_url)
        at = migrations.current(db.engine)
        if at != migrations.head():
            if not migrate:
                raise UsageError(
                    f"the database is at schema revision {at or 'none'}, this riskagent needs {migrations.head()}",
                    "run: riskagent serve db upgrade --db URL",
                )
            migrations.upgrade(db.engine)
        return db
    except sa.exc.ArgumentError as exc:
        raise UsageError(f"--db: {exc}") from None
    except sa.exc.OperationalError as exc:
        raise AgentError(f"cannot open the database: {exc.orig}", "check --db, and that the database server runs") from None


def _listen(value: str) -> str:
    m = _LISTEN.fullmatch(value)
    if not m or not 0 < int(m.group(3)) < 65536:
        raise UsageError(f"--listen {value!r}: expected HOST:PORT, e.g. 127.0.0.1:8443 or [::1]:8443")
    return value


def _read_secret(path: Optional[Path], what: str) -> Optional[str]:
    if path is None:
        return None
    try:
        text = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise UsageError(f"cannot read {what} {path}: {exc.strerror}") from None
    if not text:
        raise UsageError(f"{what} {path} is empty")
    return text


def _config(
    db_url: str, trust_stores: Tuple[Path, ...], keys: Tuple[Path, ...], options: dict[str, Any], policy_flags: dict[str, Any], *, need_keys: bool = True
) -> IntakeConfig:
    from agent.intake.config import IntakeConfig

    max_mib = policy_flags.pop("max_size", DEFAULT_MAX_MIB)
    trusted = trusted_keys(trust_stores, keys, required=need_keys)
    policy = build_policy(**policy_flags)
    secret = _read_secret(options.get("webhook_secret_file"), "webhook secret file")
    webhook = options.get("webhook")
    if webhook is not None and not webhook.startswith("https://") and not webhook.startswith("http://127.") and not webhook.startswith("http://localhost"):
        raise UsageError(f"--webhook {webhook!r}: use https:// (plain http only to a receiver on this machine)")
    return IntakeConfig(
        db_url=db_url,
        trusted=trusted,
        policy=policy,
        max_bytes=max_mib * 1024 * 1024,
        rate_limit=options.get("rate_limit") or 120,
        checkin_interval_s=_duration(options.get("checkin_interval") or "1d", "--checkin-interval"),
        checkin_grace_s=_duration(options.get("checkin_grace") or "6h", "--checkin-grace"),
        key_warn_days=options.get("key_warn_days") or 30,
        webhook_url=webhook,
        webhook_secret=secret,
        webhook_ca=options.get("webhook_ca"),
    )


def monitoring_options(fn: FC) -> FC:
    options = [
        click.option("--trust", "trust_stores", type=click.Path(path_type=Path, dir_okay=False), multiple=True, help="Trust store (JSON) the reports are verified with."),
        click.option("--trusted-key", "keys", type=click.Path(path_type=Path, dir_okay=False), multiple=True, help="Trusted public key (PEM) without an identity."),
        click.option("--checkin-interval", default="1d", show_default=True, help="How often each asset reports (an applicant's own schedule wins)."),
        click.option("--checkin-grace", default="6h", show_default=True, help="How late a report may be before the missed check-in alert."),
        click.option("--key-warn-days", type=AsciiInt(1, 3650), default=30, show_default=True, help="Alert this many days before a signing key's trust ends."),
        click.option("--webhook", default=None, help="URL that alerts are POSTed to (JSON), retried with backoff."),
        click.option("--webhook-secret-file", type=click.Path(path_type=Path, dir_okay=False), default=None, help="Secret for the X-Riskagent-Signature HMAC."),
        click.option("--webhook-ca", type=click.Path(path_type=Path, dir_okay=False), default=None, help="CA certificates (PEM) for the webhook's TLS."),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


_SERVE_KEYS = ("checkin_interval", "checkin_grace", "key_warn_days", "webhook", "webhook_secret_file", "webhook_ca", "rate_limit")


@click.group("serve", invoke_without_command=True)
@click.option("--db", "db_url", envvar="RISKAGENT_DB", default=None, help="Database URL: sqlite:///PATH or postgresql://USER@HOST/DB (also $RISKAGENT_DB).")
@click.option("--cert", type=click.Path(path_type=Path, dir_okay=False), default=None, help="TLS certificate chain (PEM).")
@click.option("--key", "tls_key", type=click.Path(path_type=Path, dir_okay=False), default=None, help="TLS private key (PEM) of --cert.")
@click.option("--listen", default="127.0.0.1:8443", show_default=True, help="Address and port to serve HTTPS on.")
@click.option("--workers", type=AsciiInt(1, 64), default=None, help="Server processes (default: one per processor, at most 8).")
@click.option("--threads", type=AsciiInt(1, 64), default=1, show_default=True, help="Connections each process serves at once (more than 1: threads, with keep-alive).")
@click.option("--io-timeout", type=AsciiInt(1, 3600), default=30, show_default=True, help="Seconds a connection may stall in one read or write before it is closed.")
@click.option("--rate-limit", type=AsciiInt(1, 1_000_000), default=120, show_default=True, help="Requests per token per minute.")
@click.option("--monitor-every", type=AsciiInt(0, 86400), default=60, show_default=True, help="Seconds between alert evaluations and webhook deliveries (0: none).")
@click.option("--no-upgrade", is_flag=True, help="Refuse a database at an older schema instead of upgrading it.")
@click.option("--quiet", is_flag=True, help="No access log.")
@monitoring_options
@policy_options
@click.pass_context
def serve_group(ctx: click.Context, /, db_url: Optional[str], cert: Optional[Path], tls_key: Optional[Path], listen: str, workers: Optional[int], threads: int, io_timeout: int, monitor_every: int, no_upgrade: bool, quiet: bool, trust_stores: Tuple[Path, ...], keys: Tuple[Path, ...], **flags: Any) -> None:
    """Run the insurer's intake service: signed reports over HTTPS, verified, stored, monitored.

    Without a subcommand, serves HTTPS on --listen with --cert and --key,
    verifying every report with the trust store and policy as ``verify`` does.
    The database is created or upgraded to this version's schema first
    (unless --no-upgrade). See docs/insurer.md.
    """
    if ctx.invoked_subcommand is not None:
        return
    try:
        if not db_url:
            raise UsageError("--db is required (sqlite:///PATH or postgresql://...)")
        if cert is None or tls_key is None:
            raise UsageError("--cert and --key are required: the intake serves HTTPS only")
        for path, flag in ((cert, "--cert"), (tls_key, "--key")):
            if not path.is_file():
                raise UsageError(f"{flag} {path}: no such file")
        options = {k: flags.pop(k) for k in _SERVE_KEYS if k in flags}
        config = _config(db_url, trust_stores, keys, options, flags)
        _open(db_url, migrate=not no_upgrade).dispose()
        from agent.intake.server import Listen, serve

        cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        listen_at = Listen(_listen(listen), cert, tls_key, workers or min(8, cpus), threads, access_log=not quiet, io_timeout_s=io_timeout)
    except AgentError as exc:
        fail(exc)
    say(f"riskagent intake: https://{listen}/api/v1/reports  ({len(config.trusted)} trusted key(s), database {_redact(db_url)})", err=True)
    serve(config, listen_at, monitor_every)


def _redact(url: str) -> str:
    """The URL without a password."""
    return re.sub(r"://([^:/@]+):[^@/]*@", r"://\1:***@", url)


# ------------------------------------------------------------------------------------------ db


@serve_group.group("db")
def db_group() -> None:
    """The intake database's schema (Alembic migrations shipped with riskagent)."""


@db_group.command("upgrade")
@db_option
@click.option("--revision", default="head", show_default=True, help="Revision to upgrade to.")
def db_upgrade_cmd(db_url: str, revision: str) -> None:
    """Create the tables in an empty database, or bring an older one to this version's schema."""
    from agent.intake import migrate
    from agent.intake.db import Database

    try:
        database = Database.open(db_url)
        before = migrate.current(database.engine)
        migrate.upgrade(database.engine, revision)
        after = migrate.current(database.engine)
        database.dispose()
    except Exception as exc:  # alembic and the drivers raise many kinds; each ends the command with its message
        fail(AgentError(f"database upgrade failed: {type(exc).__name__}: {exc}"))
    say(f"database schema: {before or 'empty'} -> {after}")


@db_group.command("current")
@db_option
def db_current_cmd(db_url: str) -> None:
    """Print the database's schema revision and the newest this riskagent knows."""
    from agent.intake import migrate
    from agent.intake.db import Database

    database = Database.open(db_url)
    try:
        say(f"database at {migrate.current(database.engine) or 'empty'}; this riskagent: {migrate.head()}")
    finally:
        database.dispose()


# ------------------------------------------------------------------------------------------ tokens


@serve_group.group("token")
def token_group() -> None:
    """API tokens: one per applicant (its agents push with it), or for a staff member's systems (exports)."""


@token_group.command("add")
@click.argument("applicant")
@db_option
@click.option("--name", "display_name", default=None, help="The applicant's name as people read it (default: APPLICANT).")
@click.option("--org-id", "organisation_id", default=None, help="统一社会信用代码: only reports signed by a key of this organisation are accepted.")
def token_add_cmd(applicant: str, db_url: str, display_name: Optional[str], organisation_id: Optional[str]) -> None:
    """Create an API token for APPLICANT (registering it if new) and print it once: it is stored only as a hash."""
    from agent.intake import registry

    try:
        token = registry.add_applicant_token(_open(db_url), applicant, display_name, organisation_id)
    except registry.RegistryError as exc:
        fail(UsageError(str(exc)))
    except AgentError as exc:
        fail(exc)
    say(f"token for {applicant} (shown once; keep it secret, give it to the applicant's agents):", err=True)
    click.echo(token)


@token_group.command("staff")
@click.argument("username")
@db_option
def token_staff_cmd(username: str, db_url: str) -> None:
    """Create an API token for a staff member's underwriting system (exports, with the member's role); printed once."""
    from agent.intake import registry

    try:
        token = registry.add_staff_token(_open(db_url), username)
    except registry.RegistryError as exc:
        fail(UsageError(str(exc)))
    except AgentError as exc:
        fail(exc)
    say(f"token for {username} (shown once):", err=True)
    click.echo(token)


@token_group.command("list")
@db_option
def token_list_cmd(db_url: str) -> None:
    """List tokens by prefix, owner, creation, last use and whether revoked."""
    from agent.intake import registry

    try:
        for line in registry.token_lines(_open(db_url)):
            say(line)
    except AgentError as exc:
        fail(exc)


@token_group.command("revoke")
@click.argument("prefix")
@db_option
def token_revoke_cmd(prefix: str, db_url: str) -> None:
    """Revoke the token that starts with PREFIX (as ``token list`` shows it)."""
    from agent.intake import registry

    try:
        registry.revoke_token(_open(db_url), prefix)
    except registry.RegistryError as exc:
        fail(UsageError(str(exc)))
    except AgentError as exc:
        fail(exc)
    say(f"revoked {prefix}")


# ------------------------------------------------------------------------------------------ staff and applicants


@serve_group.group("user")
def user_group() -> None:
    """Insurer staff who log in to the dashboard: viewer, underwriter or admin."""


@user_group.command("add")
@click.argument("username")
@db_option
@click.option("--role", type=click.Choice(["viewer", "underwriter", "admin"]), required=True)
@click.option("--name", "display_name", default=None, help="Full name (default: USERNAME).")
@click.option("--password-file", type=click.Path(path_type=Path, dir_okay=False), default=None, help="File holding the password (else $RISKAGENT_PASSWORD, else a prompt).")
def user_add_cmd(username: str, db_url: str, role: str, display_name: Optional[str], password_file: Optional[Path]) -> None:
    """Add a staff member; the password is stored as an argon2id hash."""
    from agent.intake import registry

    try:
        password = _read_secret(password_file, "password file") or os.environ.get("RISKAGENT_PASSWORD")
        if password is None:
            if not sys.stdin.isatty():
                raise UsageError("no password: give --password-file or $RISKAGENT_PASSWORD (no terminal to prompt on)")
            password = click.prompt("password", hide_input=True, confirmation_prompt=True)
        registry.add_user(_open(db_url), username, display_name or username, role, password)
    except registry.RegistryError as exc:
        fail(UsageError(str(exc)))
    except AgentError as exc:
        fail(exc)
    say(f"added {username} ({role})")


@serve_group.group("applicant")
def applicant_group() -> None:
    """Applicants' settings."""


@applicant_group.command("schedule")
@click.argument("applicant")
@db_option
@click.option("--interval", default=None, help="How often the applicant's assets report, e.g. 12h, 1d, 1w.")
@click.option("--grace", default=None, help="How late a report may be before the missed check-in alert, e.g. 6h.")
def applicant_schedule_cmd(applicant: str, db_url: str, interval: Optional[str], grace: Optional[str]) -> None:
    """Set an applicant's check-in schedule (without options: back to the service's defaults)."""
    from agent.intake import registry

    try:
        registry.set_schedule(
            _open(db_url),
            applicant,
            _duration(interval, "--interval") if interval else None,
            _duration(grace, "--grace") if grace else None,
        )
    except registry.RegistryError as exc:
        fail(UsageError(str(exc)))
    except AgentError as exc:
        fail(exc)
    say(f"{applicant}: check-in every {interval or 'default'}, grace {grace or 'default'}")


# ------------------------------------------------------------------------------------------ alerts


@serve_group.group("alerts")
def alerts_group() -> None:
    """In-term monitoring alerts."""


@alerts_group.command("run")
@db_option
@monitoring_options
def alerts_run_cmd(db_url: str, trust_stores: Tuple[Path, ...], keys: Tuple[Path, ...], **options: Any) -> None:
    """Evaluate the periodic alerts once and deliver what is due to the webhook (for cron; serve does it every minute)."""
    from agent.intake import monitor
    from agent.intake.webhook import deliver_pending

    try:
        config = _config(db_url, trust_stores, keys, options, dict(_NO_POLICY), need_keys=False)
        db = _open(db_url)
        raised = monitor.evaluate(db, config)
        delivered = deliver_pending(db, config)
        db.dispose()
    except AgentError as exc:
        fail(exc)
    say(f"raised {len(raised)} alert(s), delivered {delivered}")


_NO_POLICY: dict[str, Any] = {
    "policy_path": None,
    "max_age": None,
    "require_live": False,
    "require_privileged": False,
    "require_roles": (),
    "allow_overrides": (),
    "questionnaire_path": None,
    "challenge": None,
    "subjects": (),
    "ignore_untrusted_signatures": False,
}
