#!/usr/bin/env bash
# Set up riskagent on a Debian/Ubuntu machine and write a signed assessment of it to ./out.
#
# The signing key lives in ./keys (created on first use, encrypted, mode 0600).
# Its passphrase comes from $RISKAGENT_KEY_PASSPHRASE, or ./keys/passphrase if
# present; on first use without either, a random passphrase is generated into
# ./keys/passphrase (mode 0600) — move it to your secret store.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/_setup.sh
ensure_system_packages
ensure_venv
umask 077
mkdir -p keys
key=keys/signing.key
if [ -z "${RISKAGENT_KEY_PASSPHRASE:-}" ]; then
    if [ ! -f keys/passphrase ] && [ ! -f "$key" ]; then
        .venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(24))' > keys/passphrase
        echo "== generated a key passphrase in keys/passphrase (move it to your secret store)"
    fi
    [ -f keys/passphrase ] && passfile=(--passphrase-file keys/passphrase) || passfile=()
else
    passfile=()
fi
if [ ! -f "$key" ]; then
    .venv/bin/riskagent keys generate --key "$key" "${passfile[@]}"
fi
umask 022
.venv/bin/riskagent scan --profile server --key "$key" "${passfile[@]}" --out out "$@"
echo "== verify with: .venv/bin/riskagent verify out/report.dsse.json --key keys/signing.pub"
