#!/usr/bin/env bash
# Set up everything the test suite needs on a Debian/Ubuntu machine, then run it.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/_setup.sh
ensure_system_packages openssh-server nmap nginx-light openssl mosquitto mosquitto-clients redis-server chromium fonts-wqy-zenhei mmdebstrap postgresql
ensure_venv test
echo "== ruff"; .venv/bin/ruff check .
echo "== mypy"; .venv/bin/mypy
echo "== pytest"; .venv/bin/python -m pytest -q "$@"
