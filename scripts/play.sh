#!/usr/bin/env bash
# Set up (first run only) and launch the playground at http://localhost:8501.
# Extra arguments go to `streamlit run`, e.g. to serve a room on the local network:
#   scripts/play.sh --server.address 0.0.0.0
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh requirements.txt
exec .venv/bin/python -m streamlit run playground/app.py "$@"
