#!/usr/bin/env bash
# Set up (first run only) and run the whole test suite: lint, unit, AppTest and browser tests.
# Browser tests drive Debian's Chromium (/usr/bin/chromium); it is installed here if missing.
# Extra arguments go to one pytest run of their own, e.g. scripts/test.sh -k lab
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh requirements-dev.txt

# Debian's chromium (browser tests) and postgresql (the Room's PostgreSQL store tests start a
# throwaway server of their own): installed here if missing, after one apt-get update.
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "Installing Debian's ${missing[*]} for the tests..."
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# The PostgreSQL half of the store tests fails, rather than skips, if it cannot run.
export CNN_PLAYGROUND_REQUIRE_POSTGRES=1

echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== pytest"
if [ "$#" -gt 0 ]; then
  exec .venv/bin/python -m pytest "$@"
fi
# The whole suite in two runs: the unit and AppTest tests on every core, then the tests that
# start servers and measure them (room) or drive a browser (e2e) one at a time, so that they
# never compete with each other for the machine's cores.
.venv/bin/python -m pytest -n auto -m "not e2e and not slow"
exec .venv/bin/python -m pytest -m "e2e or slow"
