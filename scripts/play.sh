#!/usr/bin/env bash
# Set up (first run only) and launch the playground at http://localhost:8501.
# Extra arguments go to the launcher (python -m playground.serve), e.g. to serve a room:
#   scripts/play.sh --server.address 0.0.0.0 --workers 2
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh requirements.txt
exec .venv/bin/python -m playground.serve "$@"
