# Sourced by run.sh and test.sh: create .venv and install the package when needed.
# Re-installs only when pyproject.toml changes, so later runs work offline.
set -euo pipefail
PYTHON=${PYTHON:-python3}
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
  || { echo "Common Ground needs Python 3.11 or newer (found $("$PYTHON" --version 2>&1))" >&2; exit 1; }
if [ ! -x .venv/bin/python ]; then
  if ! "$PYTHON" -m venv .venv 2>/dev/null; then
    # Debian's python3 ships venv separately.
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null
      rm -rf .venv && "$PYTHON" -m venv .venv
    else
      echo "python3 -m venv failed: install python3-venv (Debian) and run again" >&2; exit 1
    fi
  fi
fi
# EXTRAS: "" to run the app (a lighter install for slow connections), "[test]" for the suite.
EXTRAS=${EXTRAS-[test]}
stamp=.venv/.commonground-installed
want="$(sha256sum pyproject.toml | cut -d' ' -f1) $EXTRAS"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "Installing Common Ground and its dependencies into .venv …" >&2
  .venv/bin/python -m pip install --quiet --upgrade pip >/dev/null 2>&1 || true
  .venv/bin/python -m pip install --quiet -e ".$EXTRAS"
  echo "$want" > "$stamp"
fi
