#!/usr/bin/env bash
# Entry point of the Rasa image. Every variable gets a value as with `make run`: the
# container's environment, else the default of .env.example (Rasa refuses an endpoints.yml
# variable that is not set). With arguments (the Helm chart passes its own), they go to `rasa`
# unchanged. Without, the command is built as assurbot/stack.py builds it: the model baked into
# the image, our endpoints and channels, Rasa's HTTP API only when RASA_API_TOKEN is set.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/env.sh
source scripts/env.sh
if [ "$#" -gt 0 ]; then
  exec rasa "$@"
fi
args=(run --model models --endpoints endpoints.yml --credentials credentials.yml
  --port "$RASA_PORT" --interface "$RASA_HOST")
if [ -n "${CORS_ORIGINS:-}" ]; then
  read -r -a origins <<<"$CORS_ORIGINS" # space-separated, "*" stays "*"
  args+=(--cors "${origins[@]}")
fi
if [ -n "${RASA_API_TOKEN:-}" ]; then
  args+=(--enable-api --auth-token "$RASA_API_TOKEN")
fi
exec rasa "${args[@]}"
