#!/usr/bin/env bash
# Set up and run ALL tests of Backprop Explorer on a fresh machine (Debian 12, Python 3.11).
#   bash scripts/test.sh [pytest arguments...]
# - installs Debian's chromium (used by the Playwright browser tests) and a CJK font if missing;
# - creates .venv if missing and installs the project with its test extras;
# - runs pytest and exits with pytest's exit code ("no tests collected" counts as failure).
set -euo pipefail

cd "$(dirname "$0")/.."

# Debian packages the browser tests need: Chromium, and a CJK font so that screenshots of the
# Chinese interface show characters rather than boxes.
need=""
[ -x /usr/bin/chromium ] || need="chromium"
if ! fc-list :lang=zh 2>/dev/null | grep -q .; then
    need="$need fonts-wqy-microhei"
fi
if [ -n "$need" ]; then
    echo "test.sh: installing Debian packages:$need" >&2
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1; then
            SUDO="sudo"
        else
            echo "test.sh: not root and no sudo; install by hand: apt-get install -y $need" >&2
            exit 1
        fi
    fi
    # Wait (up to 5 min) rather than fail if another apt/dpkg process holds the lock.
    $SUDO apt-get -o DPkg::Lock::Timeout=300 update
    # shellcheck disable=SC2086
    $SUDO env DEBIAN_FRONTEND=noninteractive \
        apt-get -o DPkg::Lock::Timeout=300 install -y $need
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
