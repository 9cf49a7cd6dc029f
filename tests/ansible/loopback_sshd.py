"""A second OpenSSH server on a loopback port, for Ansible's ssh connection to this machine.

It runs as root with its own host key, an authorized key and a known_hosts file in a
temporary directory, so a test connects with strict host key checking and touches neither
the machine's sshd nor root's ~/.ssh.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, List

from tests.servers.mosquitto import free_port

PRIVSEP_DIR = Path("/run/sshd")  # compiled into Debian's sshd; the packaged service creates it, a bare sshd needs it


@dataclass(frozen=True)
class LoopbackSshd:
    port: int
    client_key: Path
    known_hosts: Path

    def ssh_args(self) -> List[str]:
        """ssh options for a client of this server and no other configuration (ansible_ssh_common_args)."""
        return ["-F", "/dev/null", "-o", f"UserKnownHostsFile={self.known_hosts}", "-o", "StrictHostKeyChecking=yes",
                "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes"]


def _keygen(path: Path) -> str:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "riskagent-tests", "-f", str(path)], check=True)
    return path.with_name(path.name + ".pub").read_text(encoding="ascii").strip()


def _wait_banner(port: int, proc: subprocess.Popen[bytes], log: Path, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"sshd exited with {proc.returncode}: {log.read_text(errors='replace')[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                if s.recv(64).startswith(b"SSH-2.0-"):
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"sshd did not answer on 127.0.0.1:{port}: {log.read_text(errors='replace')[-2000:]}")


def start(directory: Path) -> Iterator[LoopbackSshd]:
    """Run sshd on 127.0.0.1:<free port> until the generator is closed (for a fixture: yield from start(d))."""
    sshd = shutil.which("sshd") or "/usr/sbin/sshd"
    host_pub = _keygen(directory / "host_key")
    client_pub = _keygen(directory / "client_key")
    authorized = directory / "authorized_keys"
    authorized.write_text(client_pub + "\n", encoding="ascii")
    authorized.chmod(0o600)
    port = free_port()
    known_hosts = directory / "known_hosts"
    known_hosts.write_text(f"[127.0.0.1]:{port} {host_pub}\n", encoding="ascii")
    config = directory / "sshd_config"
    config.write_text(
        "\n".join(
            [
                f"Port {port}",
                "ListenAddress 127.0.0.1",
                f"HostKey {directory / 'host_key'}",
                f"PidFile {directory / 'sshd.pid'}",
                f"AuthorizedKeysFile {authorized}",
                "PermitRootLogin prohibit-password",
                "PubkeyAuthentication yes",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "UsePAM no",
                # The key files live under the system's temporary directory (world-writable, sticky),
                # which StrictModes refuses for any path that is not below the user's home.
                "StrictModes no",
                "Subsystem sftp internal-sftp",
                "LogLevel VERBOSE",
                "",
            ]
        ),
        encoding="ascii",
    )
    PRIVSEP_DIR.mkdir(mode=0o755, exist_ok=True)
    subprocess.run([sshd, "-t", "-f", str(config)], check=True, capture_output=True)
    log = directory / "sshd.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([sshd, "-D", "-e", "-f", str(config)], stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_banner(port, proc, log)
        yield LoopbackSshd(port, directory / "client_key", known_hosts)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
