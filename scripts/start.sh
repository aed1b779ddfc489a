#!/usr/bin/env bash
# Set up and start Backprop Explorer on a fresh machine.
#   bash scripts/start.sh [--host 127.0.0.1] [--port 8000] [--db PATH]
# Creates .venv (python3) if missing, installs the project into it, then runs
# `backprop-explorer serve` with the given arguments. Works from any cwd.
set -euo pipefail

cd "$(dirname "$0")/.."

if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi

# Keep this line IDENTICAL to the pip line in the Dockerfile (tests/test_dockerfile.py checks it).
.venv/bin/pip install --quiet --no-cache-dir -e .

exec .venv/bin/backprop-explorer serve "$@"
