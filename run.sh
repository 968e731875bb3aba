#!/usr/bin/env bash
# Set up (first time only) and run Common Ground at http://127.0.0.1:8000/ on the
# embedded SQLite store, loaded with the bundled and shared data. Extra arguments
# go to `commonground serve` (e.g. --port 9000).
set -euo pipefail
cd "$(dirname "$0")"
# Keep an existing test install; otherwise install only what the app needs.
if [ -z "${EXTRAS+x}" ] && ! grep -q '\[test\]' .venv/.commonground-installed 2>/dev/null; then EXTRAS=""; fi
. scripts/venv.sh
exec .venv/bin/commonground serve "$@"
