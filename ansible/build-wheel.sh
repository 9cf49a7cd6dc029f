#!/usr/bin/env bash
# Build the riskagent wheel that the Ansible role installs, from this checkout, into OUT_DIR.
#
#   ansible/build-wheel.sh [OUT_DIR]        (default: ansible/dist; PYTHON=python3 by default)
#
# The build runs on a clean copy of the checkout's files (git ls-files when there is a .git),
# so a stale build/ directory or files outside version control never end up in the wheel.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
out="${1:-$here/dist}"
python="${PYTHON:-python3}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir "$work/src"
if [ -e "$repo/.git" ] && command -v git >/dev/null 2>&1; then
    # Tracked and new files, less those deleted in the working tree (git still lists them).
    (cd "$repo" && git ls-files -z --cached --others --exclude-standard -- . ':!tests' ':!ansible') |
        while IFS= read -r -d '' f; do if [ -e "$repo/$f" ]; then printf '%s\0' "$f"; fi; done |
        (cd "$repo" && xargs -0 cp --parents -t "$work/src")
else
    tar -C "$repo" --exclude=./.venv --exclude=./.git --exclude=./build --exclude='*.egg-info' \
        --exclude=./tests --exclude=./ansible --exclude='__pycache__' -cf - . | tar -C "$work/src" -xf -
fi
"$python" -m pip wheel --quiet --no-deps --wheel-dir "$work/dist" "$work/src"
wheel="$(ls "$work"/dist/riskagent-*.whl)"
cp "$wheel" "$out/"
echo "$out/$(basename "$wheel")"
