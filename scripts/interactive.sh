#!/usr/bin/env bash
# `make interactive`: what interactive training needs (member-information system, action
# server), then `rasa interactive` on the current model, in this terminal. The conversation is
# kept in memory; stories are saved where you say when you choose "Export & Quit".
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
mkdir -p var
# A trainer's session is not a member's conversation: no event goes to the event store.
export TRACKER_SQLITE_PATH=memory REDIS_URL= EVENT_STORE_URL=off
MODEL=$(.venv/bin/python -m assurbot.train --print-path)
.venv/bin/python -m assurbot.stack run --only member_system actions > var/interactive-services.log 2>&1 &
launcher=$!
trap 'kill -INT $launcher 2>/dev/null; wait $launcher 2>/dev/null' EXIT
echo "interactive: starting the member-information system and the action server..."
until grep -q "^Started" var/interactive-services.log 2>/dev/null; do
  kill -0 $launcher 2>/dev/null || { cat var/interactive-services.log; exit 1; }
  sleep 1
done
.venv/bin/rasa interactive --model "$MODEL" --endpoints endpoints.yml --config config.yml \
  --domain domain.yml --data data --skip-visualization --port "${RASA_PORT}" "$@"
