#!/usr/bin/env bash
# Create .venv (Python 3.11+) and install the project's requirements into it.
# Usage: scripts/setup.sh [requirements-file]   (default: requirements.txt)
# Re-running is cheap: it reinstalls only when the requirements file changed.
set -euo pipefail
cd "$(dirname "$0")/.."
req="${1:-requirements.txt}"
python="${PYTHON:-python3}"

if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "CNN Playground needs Python 3.11 or newer; '$python' is $("$python" --version 2>&1)." >&2
  echo "Set PYTHON=/path/to/python3.11 and run again." >&2
  exit 1
fi
[ -x .venv/bin/python ] || "$python" -m venv .venv

# A stamp per requirements file: skip pip when nothing changed since the last install.
stamp=".venv/.installed-$(basename "$req")"
want="$(cat "$req" requirements.txt | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -r "$req"
  echo "$want" > "$stamp"
fi
