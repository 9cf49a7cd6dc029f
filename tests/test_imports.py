"""What a plain server assessment loads: the whole catalogue, but no network probe code."""

from __future__ import annotations

import subprocess
import sys

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
