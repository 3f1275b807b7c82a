#!/usr/bin/env bash
# Creates .venv with Python 3.10 and the exact pins of requirements.txt / constraints.txt.
# Idempotent: a stamp holding the hash of the pins makes a second run take a second or two.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv
STAMP="$VENV/.assurbot-installed"

find_python310() {
  # 1. python3.10 on PATH (a pyenv shim only counts if it really runs)
  if command -v python3.10 >/dev/null 2>&1 && python3.10 -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
    command -v python3.10; return 0
  fi
  # 2. any 3.10 that pyenv knows about
  if command -v pyenv >/dev/null 2>&1; then
    local v
    v=$(pyenv versions --bare 2>/dev/null | grep -E '^3\.10(\.[0-9]+)?$' | sort -V | tail -n 1 || true)
    if [ -n "$v" ] && [ -x "$(pyenv root)/versions/$v/bin/python3.10" ]; then
      echo "$(pyenv root)/versions/$v/bin/python3.10"; return 0
    fi
  fi
  # 3. the usual install places
  local p
  for p in /usr/bin/python3.10 /usr/local/bin/python3.10 "$HOME"/.pyenv/versions/3.10*/bin/python3.10; do
    if [ -x "$p" ]; then echo "$p"; return 0; fi
  done
  return 1
}

wanted=$( (cat requirements.txt constraints.txt; echo "py3.10") | sha256sum | cut -c1-16)
if [ -x "$VENV/bin/python" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$wanted" ]; then
  echo "install: .venv is up to date."
  exit 0
fi

if [ ! -x "$VENV/bin/python" ]; then
  if ! PY=$(find_python310); then
    echo "install: Python 3.10 is missing: Rasa 3.6 needs it; install it (e.g. 'pyenv install 3.10.13' or 'apt-get install python3.10-venv') and run 'make install' again." >&2
    exit 1
  fi
  echo "install: creating .venv with $PY"
  "$PY" -m venv "$VENV"
fi

if ! "$VENV/bin/python" -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
  echo "install: .venv is not a Python 3.10 environment; delete it ('rm -rf .venv') and run 'make install' again." >&2
  exit 1
fi

echo "install: installing the pinned packages (a few minutes the first time)"
pip_quiet() { "$@" 2> >(grep -v "^WARNING: Location" >&2); }
pip_quiet "$VENV/bin/python" -m pip install --quiet --upgrade "pip==24.3.1" "setuptools==70.3.0" "wheel==0.45.1"
if ! pip_quiet "$VENV/bin/python" -m pip install --quiet -r requirements.txt -c constraints.txt; then
  echo "install: pip could not install the pinned packages; read the error above (is the package registry reachable?)." >&2
  exit 1
fi
"$VENV/bin/python" -m pip check >/dev/null || { "$VENV/bin/python" -m pip check; echo "install: the installed packages conflict (see above)." >&2; exit 1; }
echo "$wanted" > "$STAMP"
echo "install: done."
