"""Benchmark: the intake service's sustained verified-report rate, and the portfolio page for 10,000 applicants.

    .venv/bin/python bench/bench_intake.py [--db sqlite|postgresql|both] [--seconds 30] [--clients 6] [--applicants 10000]

Two figures per database (SQLite file; PostgreSQL in a throwaway cluster
started here as in the tests, or ``--pg-url``):

* **intake**: ``riskagent serve`` (gunicorn, TLS, one process per processor,
  each serving one connection at a time as ``serve`` does by default;
  ``--threads N`` for threads) receiving distinct signed reports of a recorded
  host from concurrent HTTPS clients on loopback for ``--seconds``, one
  connection (and TLS handshake, certificate and host name verified) per
  report as agents send them (``--keep-alive`` reuses them); every report gets
  the full verification (signature, recheck of every finding against its
  evidence, the policy) and is stored with its hard fails and plan. The
  clients run on the same machine and take their share of its processors, as
  they would in any single-machine measurement; they use the standard
  library's HTTPS client, so that they take little. Printed with it: the
  processor time per report of the intake's processes, of PostgreSQL's and of
  the clients (read from /proc), which is what bounds the rate on a busy
  machine. Also the in-process cost of ``receive`` per report, without HTTP.
* **portfolio**: a database filled with ``--applicants`` applicants (one
  asset each, a latest and a previous report, ``--tasks`` plan tasks and the
  hard-fail items per report), then the portfolio query (``portfolio()``,
  what the dashboard's list page reads) and a minimal Jinja2 render of every
  row, median of ``--runs``; and of a 100-row page.
* **dashboard**: the same portfolio through the real dashboard (``create_app``,
  a logged-in session, the Flask test client: session lookup, the portfolio
  query, the late check-ins, the score trends of the page's rows, the
  template), for the default page (50 rows), 200 rows sorted worst first, a
  filtered view (grade F with an open hard fail and an overdue task), the
  missed check-ins, and one applicant's page; median of ``--runs``, with the
  processor time of the default page.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import dataclasses
import datetime as dt
import http.client
import json
import os
import signal
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PAGE = """<table>{% for r in rows %}<tr><td><a href="/applicants/{{ r.applicant }}">{{ r.display_name }}</a></td><td>{{ r.grade or "-" }}</td>
<td>{{ r.score if r.score is not none else "-" }}</td><td>{{ "%+d"|format(r.score_delta) if r.score_delta is not none else "" }}</td><td>{{ r.open_hard_fails }}</td>
<td>{{ r.last_checkin.strftime("%Y-%m-%d %H:%M") if r.last_checkin else "-" }}</td><td>{{ r.overdue_tasks }}/{{ r.open_tasks }}</td><td>{{ r.open_alerts }}</td></tr>{% endfor %}</table>"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _riskagent() -> List[str]:
    exe = Path(sys.executable).with_name("riskagent")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "agent.cli"]


# ------------------------------------------------------------------------------------------ reports


@dataclasses.dataclass(frozen=True)
class Material:
    trust: Path
    envelopes: List[bytes]


def make_material(directory: Path, count: int) -> Material:
    """``count`` distinct signed reports of one recorded host (each its own report id), and a trust store for the key."""

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from report.signing import key_id, sign_report
    from tests.hosts import complete_report

    key = Ed25519PrivateKey.generate()
    pem = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    entry = {
        "name": "Bench Ltd",
        "role": "applicant",
        "organisation_id": "91440300708461136T",
        "public_key": pem,
        "keyid": key_id(key.public_key()),
        "valid_from": "2025-01-01",
        "valid_until": "2031-01-01",
        "targets": ["*"],
    }
    trust = directory / "trust.json"
    trust.write_text(json.dumps({"riskagent_trust_store": 1, "signers": [entry]}))
    base = complete_report("debian-weak", target_name="bench-01", started_at="2026-11-02T00:00:00Z")
    envelopes = [sign_report(dataclasses.replace(base, report_id=str(uuid.uuid4())), key) for _ in range(count)]
    return Material(trust, envelopes)


# ------------------------------------------------------------------------------------------ databases


class Databases:
    """SQLite files and PostgreSQL databases for the runs; a throwaway cluster unless ``--pg-url`` names a server."""

    def __init__(self, directory: Path, pg_url: Optional[str]) -> None:
        self.directory = directory
        self.pg_url = pg_url
        self.cluster: Any = None

    def new(self, kind: str, name: str) -> str:
        from agent.intake import migrate
        from agent.intake.db import make_engine

        if kind == "sqlite":
            url = f"sqlite:///{self.directory / (name + '.db')}"
        elif self.pg_url is not None:
            import psycopg

            with psycopg.connect(self.pg_url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
            url = self.pg_url.rsplit("/", 1)[0] + "/" + name
        else:
            if self.cluster is None:
                from tests.agent.intake.postgres import start_cluster

                self.cluster = start_cluster()
            url = self.cluster.create_database(name)
        engine = make_engine(url)
        migrate.upgrade(engine)
        engine.dispose()
        return url

    def close(self) -> None:
        if self.cluster is not None:
            self.cluster.stop()


# ------------------------------------------------------------------------------------------ intake rate


def bench_receive_in_process(url: str, material: Material, n: int) -> Tuple[float, float]:
    """Median wall and processor milliseconds of ``receive`` (verify + store) per report, one process, no HTTP.

    The processor time does not grow when other programs share the machine; ``cores / cpu time`` is the
    rate the verification alone would allow with every core free.
    """
    from agent.intake.config import IntakeConfig
    from agent.intake.db import Database
    from agent.intake.ingest import receive
    from agent.intake.registry import add_applicant_token
    from report.policy import Policy
    from report.trust import load_trust_store

    db = Database.open(url)
    add_applicant_token(db, "inproc")
    config = IntakeConfig(db_url=url, trusted=load_trust_store(material.trust), policy=Policy(), max_bytes=64 << 20)
    times: List[float] = []
    cpu: List[float] = []
    for data in material.envelopes[:n]:
        t0, c0 = time.perf_counter(), time.process_time()
        record, _ = receive(db, config, 1, None, data)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        assert record.status.value == "accepted", record.reason
    db.dispose()
    return statistics.median(times) * 1000, statistics.median(cpu) * 1000


def processor_by_part(server_pgid: int) -> Dict[str, float]:
    """Processor seconds used so far by the intake's processes (its process group) and by PostgreSQL's
    (the ``postgres`` user's), read from /proc: where a report's processor time goes."""
    import pwd

    try:
        pg_uid = pwd.getpwnam("postgres").pw_uid
    except KeyError:
        pg_uid = -1
    tick = os.sysconf("SC_CLK_TCK")
    out = {"intake": 0.0, "postgresql": 0.0}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            fields = Path(entry.path, "stat").read_text().rsplit(")", 1)[1].split()
            uid = entry.stat().st_uid
        except OSError:
            continue
        seconds = (int(fields[11]) + int(fields[12])) / tick  # utime, stime
        if int(fields[2]) == server_pgid:
            out["intake"] += seconds
        elif uid == pg_uid:
            out["postgresql"] += seconds
    return out


def bench_http(
    url: str, material: Material, seconds: float, clients: int, workers: int, directory: Path, threads: int = 2, keep_alive: bool = False
) -> Tuple[float, int, float]:
    """Reports per second accepted by ``riskagent serve`` over HTTPS, the count, and the median request latency in ms."""
    import requests

    from agent.intake.db import Database
    from agent.intake.registry import add_applicant_token
    from tests.servers.certs import ca_and_leaf

    db = Database.open(url)
    tokens = [add_applicant_token(db, f"bench-{i}") for i in range(clients)]
    db.dispose()
    pair = ca_and_leaf(directory / f"tls-{uuid.uuid4().hex[:6]}")
    port = _free_port()
    log = (directory / "serve.log").open("ab")
    proc = subprocess.Popen(
        [*_riskagent(), "serve", "--db", url, "--trust", str(material.trust), "--cert", str(pair.cert), "--key", str(pair.key),
         "--listen", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(threads), "--rate-limit", "1000000",
         "--monitor-every", "0", "--quiet"],
        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    base = f"https://localhost:{port}"
    ca = str(pair.ca_cert)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{base}/healthz", verify=ca, timeout=5).status_code == 200:
                    break
            except requests.ConnectionError:
                time.sleep(0.2)
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError("the intake did not start; see serve.log")
        queue = list(material.envelopes)
        lock = threading.Lock()
        latencies: List[float] = []
        stop_at = time.monotonic() + seconds

        # The clients share this machine's processors with the intake, so they are kept lean: the standard
        # library's HTTPS client with one TLS context (certificate and host name verified), a new connection
        # and handshake per report as agents make them, unless --keep-alive.
        tls = ssl.create_default_context(cafile=ca)
        host, port_number = "localhost", port

        def client(token: str) -> int:
            done = 0
            headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
            if not keep_alive:
                headers["Connection"] = "close"
            conn: Optional[http.client.HTTPSConnection] = None
            while time.monotonic() < stop_at:
                with lock:
                    if not queue:
                        break
                    data = queue.pop()
                t0 = time.perf_counter()
                if conn is None:
                    conn = http.client.HTTPSConnection(host, port_number, timeout=120, context=tls)
                conn.request("POST", "/api/v1/reports", body=data, headers=headers)
                reply = conn.getresponse()
                body = reply.read()
                latencies.append(time.perf_counter() - t0)
                if reply.status != 201 or not json.loads(body)["accepted"]:
                    raise RuntimeError(f"HTTP {reply.status}: {body[:300]!r}")
                if not keep_alive:
                    conn.close()
                    conn = None
                done += 1
            if conn is not None:
                conn.close()
            return done

        before, c0 = processor_by_part(proc.pid), time.process_time()
        started = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(clients) as pool:
            counts = list(pool.map(client, tokens))
        elapsed = time.monotonic() - started
        after, c1 = processor_by_part(proc.pid), time.process_time()
        total = sum(counts)
        spent = {part: (after.get(part, 0.0) - before.get(part, 0.0)) * 1000 / max(total, 1) for part in after}
        spent["clients (this process)"] = (c1 - c0) * 1000 / max(total, 1)
        print("  processor ms per report: " + ", ".join(f"{part} {ms:.1f}" for part, ms in spent.items()) + f"; all {sum(spent.values()):.1f}", flush=True)
        return total / elapsed, total, statistics.median(latencies) * 1000
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(30)
        log.close()


# ------------------------------------------------------------------------------------------ portfolio


HARD_FAIL_ITEMS = ("no_mfa_remote_admin", "exposed_high_risk_ports", "plaintext_admin_protocols", "no_av_edr", "no_backup", "log_retention_short",
                   "weak_passwords", "db_as_root", "internet_exploitable_vuln", "no_ir_plan", "no_ir_drill")  # fmt: skip


def fill_portfolio(url: str, applicants: int, tasks: int) -> float:
    """Synthetic rows of the shape ``ingest`` writes: seconds it took."""
    import random

    import sqlalchemy as sa

    from agent.intake.db import Database
    from agent.intake.models import Applicant, Asset, PlanTask, ReportHardFail, ReportRecord

    rng = random.Random(7)  # noqa: S311 - synthetic portfolio data, not a secret
    t0 = time.perf_counter()
    now = dt.datetime(2026, 12, 5, tzinfo=dt.timezone.utc)
    db = Database.open(url)
    batch = 1000
    grades = "ABCDEF"
    with db.write() as session:
        for start in range(0, applicants, batch):
            ids = range(start + 1, min(applicants, start + batch) + 1)
            session.execute(sa.insert(Applicant), [{"id": i, "name": f"applicant-{i:05d}", "display_name": f"企业 {i:05d} 有限公司", "organisation_id": None, "created_at": now - dt.timedelta(days=400)} for i in ids])
            session.execute(sa.insert(Asset), [{"id": i, "applicant_id": i, "name": f"host:srv-{i:05d}", "kind": "host", "first_seen": now - dt.timedelta(days=300), "last_checkin": now - dt.timedelta(hours=rng.randint(1, 72))} for i in ids])
            reports: List[Dict[str, Any]] = []
            hard: List[Dict[str, Any]] = []
            plan: List[Dict[str, Any]] = []
            for i in ids:
                for k, rid in enumerate((2 * i - 1, 2 * i)):
                    score = rng.randint(0, 100)
                    reports.append({
                        "id": rid, "applicant_id": i, "asset_id": i, "token_id": None, "envelope_sha256": uuid.uuid4().hex * 2, "envelope": b"{}",
                        "size": 2, "received_at": now - dt.timedelta(days=2 - k), "status": "accepted", "outcome": "valid", "reason": None,
                        "problems": [], "policy": [], "signers": [], "verified_at": now, "report_uuid": str(uuid.uuid4()), "subject": f"host:srv-{i:05d}",
                        "profile": "server", "mode": "live", "started_at": now - dt.timedelta(days=2 - k), "tool_version": "1", "previous_digest": None,
                        "score": score, "grade": grades[min(5, (100 - score) // 17)], "binding_blocked": False, "recommendation": "conditional",
                        "open_hard_fails": rng.randint(0, 3), "unconfirmed_hard_fails": 1, "task_count": tasks, "findings": {},
                    })  # fmt: skip
                    hard += [{"report_id": rid, "item": item, "state": rng.choice(("open", "clear", "unknown"))} for item in HARD_FAIL_ITEMS]
                plan += [
                    {"report_id": 2 * i, "task_id": f"T-{t:03d}", "kind": "check", "ref": f"LNX-X-{t:03d}", "target": None, "severity": "high",
                     "owner": "IT", "due": (now - dt.timedelta(days=rng.randint(-60, 30))).date(), "checks": [f"LNX-X-{t:03d}"]}
                    for t in range(tasks)
                ]  # fmt: skip
            session.execute(sa.insert(ReportRecord), reports)
            session.execute(sa.insert(ReportHardFail), hard)
            session.execute(sa.insert(PlanTask), plan)
            session.execute(sa.update(Asset).where(Asset.id.in_(list(ids))).values(latest_report_id=Asset.id * 2, previous_report_id=Asset.id * 2 - 1))
    if db.dialect == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")  # what autovacuum does to a table that stopped growing
    else:
        with db.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
    db.dispose()
    return time.perf_counter() - t0


def bench_portfolio(url: str, runs: int) -> Dict[str, float]:
    import jinja2

    from agent.intake.db import Database
    from agent.intake.portfolio import portfolio

    template = jinja2.Environment(autoescape=True).from_string(PAGE)
    db = Database.open(url)
    today = dt.date(2026, 12, 5)
    query: List[float] = []
    whole: List[float] = []
    page: List[float] = []
    cpu: List[float] = []
    size = 0
    for _ in range(runs):
        c0 = time.process_time()
        t0 = time.perf_counter()
        with db.read() as session:
            rows = portfolio(session, today, sort="grade", descending=True)
        t1 = time.perf_counter()
        html = template.render(rows=rows)
        t2 = time.perf_counter()
        cpu.append(time.process_time() - c0)
        template.render(rows=rows[:100])
        t3 = time.perf_counter()
        query.append(t1 - t0)
        whole.append(t2 - t0)
        page.append((t1 - t0) + (t3 - t2))
        size = len(html)
    db.dispose()
    return {
        "rows": float(len(rows)),
        "query_ms": statistics.median(query) * 1000,
        "all_rows_ms": statistics.median(whole) * 1000,
        "page100_ms": statistics.median(page) * 1000,
        "cpu_ms": statistics.median(cpu) * 1000,
        "html_kib": size / 1024,
    }


DASHBOARD_PAGES = (
    ("portfolio, first page (50 rows)", "/portfolio"),
    ("portfolio, 200 rows, worst grade first", "/portfolio?sort=grade&desc=1&per_page=200"),
    ("portfolio, grade F + hard fail + overdue", "/portfolio?grade=F&hard_fail=1&overdue=1"),
    ("portfolio, missed check-ins, stalest first", "/portfolio?missed=1&sort=last_checkin"),
    ("one applicant's page (the middle one)", "/applicants/applicant-{middle:05d}"),
)


def bench_dashboard(url: str, runs: int, applicants: int) -> List[Tuple[str, float, float, int]]:
    """Each dashboard page of ``DASHBOARD_PAGES`` rendered through the app: (name, median ms, median processor ms, bytes)."""
    import re

    from agent.intake.app import create_app
    from agent.intake.config import IntakeConfig
    from agent.intake.db import Database
    from agent.intake.registry import add_user
    from report.policy import Policy

    now = dt.datetime(2026, 12, 5, tzinfo=dt.timezone.utc)
    db = Database.open(url)
    add_user(db, "bench-viewer", "Bench", "viewer", "correct horse battery staple", now=now)
    app = create_app(IntakeConfig(db_url=url, trusted={}, policy=Policy(), max_bytes=64 << 20, clock=lambda: now), db)
    client = app.test_client()
    client.environ_base.update({"wsgi.url_scheme": "https", "HTTP_HOST": "localhost"})
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert token is not None
    logged_in = client.post("/login", data={"username": "bench-viewer", "password": "correct horse battery staple", "csrf_token": token.group(1)})
    assert logged_in.status_code == 303, logged_in.text[:300]
    out: List[Tuple[str, float, float, int]] = []
    for name, page in DASHBOARD_PAGES:
        path = page.format(middle=max(1, applicants // 2))
        client.get(path)  # the first request compiles the templates
        wall: List[float] = []
        cpu: List[float] = []
        size = 0
        for _ in range(runs):
            c0, t0 = time.process_time(), time.perf_counter()
            reply = client.get(path)
            wall.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
            assert reply.status_code == 200, (path, reply.status_code)
            size = len(reply.data)
        out.append((name, statistics.median(wall) * 1000, statistics.median(cpu) * 1000, size))
    db.dispose()
    return out


def bench_intake_http(kind: str, dbs: Databases, material: Material, args: argparse.Namespace, directory: Path) -> None:
    rate, total, latency = bench_http(
        dbs.new(kind, f"http{uuid.uuid4().hex[:6]}"), material, args.seconds, args.clients, args.workers, directory, args.threads, args.keep_alive
    )
    print(f"[{kind}] HTTPS intake, {args.workers} workers, {args.clients} clients      {rate:7.1f} reports/s sustained "
          f"({total} in {args.seconds:.0f} s, median latency {latency:.0f} ms)", flush=True)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--pg-url", default=None, help="A PostgreSQL server to create the databases in (default: a throwaway cluster).")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--reports", type=int, default=0, help="Distinct reports to send (default: enough for --seconds at 100/s).")
    parser.add_argument("--applicants", type=int, default=10000)
    parser.add_argument("--tasks", type=int, default=40)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--threads", type=int, default=1, help="Connections per server process (1, the default of riskagent serve: one at a time).")
    parser.add_argument("--keep-alive", action="store_true", help="Clients reuse their connection (agents do not).")
    parser.add_argument("--skip-intake", action="store_true", help="Only the portfolio figures.")
    parser.add_argument("--skip-portfolio", action="store_true", help="Only the intake figures.")
    args = parser.parse_args()
    kinds = ("sqlite", "postgresql") if args.db == "both" else (args.db,)
    with tempfile.TemporaryDirectory(prefix="bench-intake-") as tmp:
        directory = Path(tmp)
        directory.chmod(0o755)
        tempfile.tempdir = tmp  # the throwaway cluster's directory goes here too
        count = 0 if args.skip_intake else args.reports or int(args.seconds * 100) + 50
        t0 = time.perf_counter()
        material = make_material(directory, count)
        if count:
            print(f"made {count} signed reports ({len(material.envelopes[0]) / 1024:.0f} KiB each) in {time.perf_counter() - t0:.1f} s", flush=True)
        print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)
        dbs = Databases(directory, args.pg_url)
        try:
            for kind in kinds:
                if not args.skip_intake:
                    ms, cpu = bench_receive_in_process(dbs.new(kind, f"inproc{uuid.uuid4().hex[:6]}"), material, 40)
                    print(f"[{kind}] receive in-process (verify + store), one process   median {ms:7.1f} ms/report wall, {cpu:.1f} ms processor "
                          f"(at most {(os.cpu_count() or 1) * 1000 / cpu:.0f} reports/s on {os.cpu_count()} free cores)", flush=True)  # fmt: skip
                    bench_intake_http(kind, dbs, material, args, directory)
                if args.skip_portfolio:
                    continue
                url = dbs.new(kind, f"portfolio{uuid.uuid4().hex[:6]}")
                filled = fill_portfolio(url, args.applicants, args.tasks)
                p = bench_portfolio(url, args.runs)
                print(f"[{kind}] portfolio of {p['rows']:.0f} applicants (filled in {filled:.0f} s): query {p['query_ms']:.0f} ms, "
                      f"query + render of every row {p['all_rows_ms']:.0f} ms ({p['html_kib']:.0f} KiB), query + 100-row page {p['page100_ms']:.0f} ms; "
                      f"this process's processor time for query + render of every row {p['cpu_ms']:.0f} ms", flush=True)  # fmt: skip
                for name, ms, cpu_ms, size in bench_dashboard(url, args.runs, args.applicants):
                    print(f"[{kind}] dashboard {name:<45} {ms:6.0f} ms (processor {cpu_ms:.0f} ms, {size / 1024:.0f} KiB)", flush=True)
        finally:
            dbs.close()


if __name__ == "__main__":
    main()
