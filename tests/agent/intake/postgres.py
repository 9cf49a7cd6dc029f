"""A throwaway PostgreSQL cluster for the tests: initdb and pg_ctl in a temporary directory, on loopback.

Never the system cluster: the cluster lives in the session's temporary
directory, listens on 127.0.0.1 on a free port and is stopped (immediate
mode) at the end. PostgreSQL refuses to run as root, so as root (the tests'
usual case) it runs as the ``postgres`` user the Debian package creates.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional


def bin_dir() -> Optional[Path]:
    """The directory holding initdb and pg_ctl (Debian keeps them out of PATH, under /usr/lib/postgresql/N/bin)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("initdb")
    return Path(on_path).parent if on_path else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Cluster:
    directory: Path
    port: int
    bindir: Path
    as_user: Optional[str]

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, argv: List[str]) -> subprocess.CompletedProcess[str]:
        full = ["runuser", "-u", self.as_user, "--", *argv] if self.as_user else argv
        return subprocess.run(full, capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL, cwd=self.directory)

    def start(self) -> None:
        data = self.directory / "data"
        done = self._run([str(self.bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8", "--locale", "C"])
        if done.returncode != 0:
            raise RuntimeError(f"initdb failed: {done.stderr}")
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.directory} -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        done = self._run([str(self.bindir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(self.directory / "log"), "-w", "-t", "60", "start"])
        if done.returncode != 0:
            log = (self.directory / "log").read_text(errors="replace") if (self.directory / "log").exists() else ""
            raise RuntimeError(f"pg_ctl start failed: {done.stderr}\n{log}")

    def stop(self) -> None:
        self._run([str(self.bindir / "pg_ctl"), "-D", str(self.directory / "data"), "-m", "immediate", "-w", "stop"])

    def create_database(self, name: str) -> str:
        """A fresh database in the cluster; its URL."""
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"


def start_cluster() -> Cluster:
    bindir = bin_dir()
    if bindir is None:
        raise RuntimeError("PostgreSQL is not installed (scripts/test.sh installs the Debian package postgresql)")
    directory = Path(tempfile.mkdtemp(prefix="pg-"))
    as_user = None
    if os.geteuid() == 0:
        as_user = "postgres"
        shutil.chown(directory, as_user, as_user)
    directory.chmod(0o700)
    cluster = Cluster(directory, _free_port(), bindir, as_user)
    cluster.start()
    return cluster
