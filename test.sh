#!/usr/bin/env bash
# Set up (first time only) and run the whole test suite: lint, then every test on
# SQLite and again on PostgreSQL. PostgreSQL: COMMONGROUND_TEST_PG_URL if set,
# else a throwaway server started from Debian's binaries (apt-get install postgresql).
# Extra arguments go to pytest.
set -uo pipefail
cd "$(dirname "$0")"
. scripts/venv.sh
set +e
status=0

pytest_run() {
  .venv/bin/python -m pytest "$@"
  local rc=$?
  if [ $rc -eq 5 ]; then echo "pytest: no tests collected"; rc=0; fi
  return $rc
}

echo "== lint (ruff)"
.venv/bin/ruff check src tests || status=1

echo "== tests on SQLite"
COMMONGROUND_TEST_DATABASE_URL= pytest_run "$@" || status=1

pg_url=${COMMONGROUND_TEST_PG_URL:-}
pg_dir=
if [ -z "$pg_url" ] && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  pg_dir=$(mktemp -d /tmp/commonground-pg.XXXXXX)
  port=$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  pg_url=$(scripts/pg-temp.sh start "$pg_dir" "$port") || { echo "could not start PostgreSQL"; status=1; pg_url=; }
  trap 'scripts/pg-temp.sh stop "$pg_dir"' EXIT
fi
if [ -n "$pg_url" ]; then
  echo "== tests on PostgreSQL"
  COMMONGROUND_TEST_DATABASE_URL=$pg_url pytest_run "$@" || status=1
elif [ "${CI:-}" = true ]; then
  echo "PostgreSQL is required in CI but no server could be found or started"; status=1
else
  echo "== PostgreSQL not installed: skipped (apt-get install postgresql, or set COMMONGROUND_TEST_PG_URL)"
fi
exit $status
