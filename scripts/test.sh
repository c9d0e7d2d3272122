#!/usr/bin/env bash
# Set up (first run only) and run the whole test suite: lint, unit, AppTest and browser tests.
# Browser tests drive Debian's Chromium (/usr/bin/chromium); it is installed here if missing.
# Extra arguments go to pytest, e.g. scripts/test.sh -k lab
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh requirements-dev.txt

if [ ! -x /usr/bin/chromium ]; then
  echo "Installing Debian's chromium for the browser tests..."
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
fi

echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== pytest"
exec .venv/bin/python -m pytest "$@"
