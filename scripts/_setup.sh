# Shared set-up steps for scripts/assess.sh and scripts/test.sh (sourced).

ensure_system_packages() {
    # Installs Debian packages that are missing, when we may (root with apt-get).
    local missing=()
    command -v python3 >/dev/null 2>&1 || missing+=(python3)
    python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || missing+=(python3-venv)
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
        echo "riskagent: please install: ${missing[*]} (needs root and apt-get)" >&2
        return 1
    fi
    echo "== installing ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    # RUNLEVEL=1: packaged daemons (nginx) are installed, not started; the tests start their own.
    DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_venv() {
    # Creates .venv and installs riskagent into it: with extras "$1" in development mode (the tests run the
    # checkout), else as a regular, byte-compiled install (what a production host runs).
    local extras="${1:-}"
    if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 10))'; then
        echo "riskagent: needs Python 3.10 or newer; this python3 is $(python3 -V 2>&1)" >&2
        return 1
    fi
    if [ ! -x .venv/bin/python ]; then
        python3 -m venv .venv
    fi
    .venv/bin/python -m pip install -q --upgrade pip >/dev/null
    if [ -n "$extras" ]; then
        .venv/bin/python -m pip install -q -e ".[$extras]"
    else
        .venv/bin/python -m pip install -q .
    fi
}
