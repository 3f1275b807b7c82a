#!/bin/sh
# Runs once, when the PostgreSQL volume is new (docker-entrypoint-initdb.d): a database and a
# role of their own for the conversation events (EVENT_STORE_URL of the Rasa replicas), so the
# Rasa containers never hold the password of the member system's database.
set -eu
if [ -z "${EVENT_DB_PASSWORD:-}" ]; then
  echo "postgres-init: EVENT_DB_PASSWORD is empty: set it in deploy/.env.compose" >&2
  exit 1
fi
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v password="$EVENT_DB_PASSWORD" <<'SQL'
CREATE ROLE assurbot_events LOGIN PASSWORD :'password';
CREATE DATABASE assurbot_events OWNER assurbot_events;
SQL
