#!/usr/bin/env bash
# Set up (first time only) and run Common Ground at http://127.0.0.1:8000/ on the
# embedded SQLite store, loaded with the bundled and shared data. Extra arguments
# go to `commonground serve` (e.g. --port 9000).
set -euo pipefail
cd "$(dirname "$0")"
. scripts/venv.sh
exec .venv/bin/commonground serve "$@"
