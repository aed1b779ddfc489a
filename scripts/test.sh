#!/usr/bin/env bash
# Set up and run ALL tests of Backprop Explorer on a fresh machine (Debian 12, Python 3.11).
#   bash scripts/test.sh [pytest arguments...]
# - installs Debian's chromium (used by the Playwright browser tests) if /usr/bin/chromium is missing;
# - creates .venv if missing and installs the project with its test extras;
# - runs pytest and exits with pytest's exit code ("no tests collected" counts as failure).
set -euo pipefail

cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/chromium ]; then
    echo "test.sh: /usr/bin/chromium not found; installing Debian's chromium with apt-get" >&2
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1; then
            SUDO="sudo"
        else
            echo "test.sh: not root and no sudo; install chromium by hand (apt-get install -y chromium)" >&2
            exit 1
        fi
    fi
    # Wait (up to 5 min) rather than fail if another apt/dpkg process holds the lock.
    $SUDO apt-get -o DPkg::Lock::Timeout=300 update
    $SUDO env DEBIAN_FRONTEND=noninteractive \
        apt-get -o DPkg::Lock::Timeout=300 install -y chromium
fi

if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi

.venv/bin/pip install --quiet -e '.[test]'

status=0
.venv/bin/python -m pytest "$@" || status=$?

if [ "$status" -eq 5 ]; then
    echo "test.sh: FAILURE: pytest collected no tests (exit code 5); there should be tests." >&2
    exit 5
fi
exit "$status"
