#!/usr/bin/env bash
# The website chat's files: the socket.io client (and axe-core, for the accessibility tests)
# from the committed web/package-lock.json, copied to web/vendor/ where web/server.py serves
# it. Nothing is fetched from a CDN when the page runs.
#
#   bash scripts/install_web.sh            # what `make run` needs
#   bash scripts/install_web.sh --browser  # also Debian's Chromium, for the browser tests
#
# Idempotent: a stamp holding the hash of the lock file makes a second run take a second.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root_with_apt() { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; }
apt_updated=
apt_install() {
  if [ -z "$apt_updated" ]; then apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

if ! command -v npm >/dev/null 2>&1; then
  if as_root_with_apt; then
    echo "install: installing Node.js and npm from Debian's packages"
    apt_install nodejs npm
  else
    echo "install: npm is missing: install Node.js 18 or later (e.g. 'sudo apt-get install nodejs npm') and run this again." >&2
    exit 1
  fi
fi

STAMP=web/node_modules/.assurbot-installed
wanted=$(sha256sum web/package-lock.json | cut -c1-16)
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$wanted" ] && [ -f web/vendor/socket.io.min.js ]; then
  echo "install: web/node_modules is up to date."
else
  echo "install: installing the website chat's packages (npm ci)"
  # --ignore-scripts: none of these packages needs an install script; none may run one.
  if ! (cd web && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error); then
    echo "install: npm could not install web/package-lock.json; read the error above (is the npm registry reachable?)." >&2
    exit 1
  fi
  mkdir -p web/vendor
  cp web/node_modules/socket.io-client/dist/socket.io.min.js \
     web/node_modules/socket.io-client/dist/socket.io.min.js.map web/vendor/
  echo "$wanted" > "$STAMP"
  echo "install: web packages done."
fi

if [ "${1:-}" = "--browser" ] && ! [ -x /usr/bin/chromium ]; then
  if as_root_with_apt; then
    echo "install: installing chromium from Debian's packages (for the browser tests)"
    apt_install chromium
  else
    echo "install: /usr/bin/chromium is missing: the browser tests need it (e.g. 'sudo apt-get install chromium')." >&2
    exit 1
  fi
fi
