#!/usr/bin/env bash
# The integration tests need a Redis: REDIS_URL, else 127.0.0.1:6379, else one they start from
# the redis-server binary. This makes sure the binary is there.
set -euo pipefail
command -v redis-server >/dev/null 2>&1 && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "install: installing redis-server from Debian's packages"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
else
  echo "install: redis-server is missing: install it (e.g. 'sudo apt-get install redis-server') or set REDIS_URL to a running Redis." >&2
  exit 1
fi
