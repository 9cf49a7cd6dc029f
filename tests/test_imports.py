"""What a plain server assessment loads: the whole catalogue, but no network probe code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE_MODULES = (
    "ssl",
    "cryptography.x509",
    "xml.etree.ElementTree",
    "collectors.net.tls",
    "collectors.net.web",
    "collectors.net.ports",
    "collectors.net.ics",
    "collectors.net.mqtt",
    "collectors.net.backends",
    "collectors.net.http_client",
    "scapy",
    "nmap",
)


def test_the_catalogue_imports_no_probe_code() -> None:
    code = (
        "import sys, checks.catalogue; checks.catalogue.all_checks();"
        f"print(','.join(m for m in {PROBE_MODULES!r} if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "", f"importing the catalogue loads {done.stdout.strip()}"


def test_help_imports_only_the_command_line() -> None:
    code = "import sys; sys.argv=['riskagent','--help']\ntry:\n import agent.cli; agent.cli.main()\nexcept SystemExit: pass\nprint(sorted(m for m in ('checks.registry','collectors.registry','report.model','cryptography','jinja2','psutil') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stdout


def test_a_host_scan_does_not_load_the_system_openssl() -> None:
    """hashlib maps the system libcrypto (about 4 MiB); a signed scan already carries cryptography's OpenSSL."""
    code = (
        "import sys; sys.argv=['riskagent','scan','--replay','tests/fixtures/hosts/debian-weak','--no-sign','--out',sys.argv[1],'-q']\n"
        "try:\n import agent.cli; agent.cli.main()\nexcept SystemExit: pass\n"
        "import hashlib\nprint('_hashlib' in sys.modules, hashlib.sha256(b'abc').hexdigest()[:8])"
    )
    import tempfile

    with tempfile.TemporaryDirectory() as out:
        done = subprocess.run([sys.executable, "-c", code, out], capture_output=True, text=True, check=True, cwd=ROOT)
    assert done.stdout.strip().splitlines()[-1] == "False ba7816bf", done.stdout
