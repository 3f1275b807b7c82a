#!/usr/bin/env bash
# The whole suite in CI's order: cheap checks first, so a typo fails in seconds, not minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
RASA=.venv/bin/rasa
step() { printf '\n=== %s ===\n' "$*"; }

step "lint (ruff) and format check"
.venv/bin/ruff check .
.venv/bin/ruff format --check .

step "unit tests"
$PY -m pytest -m "not integration" -q -p no:cacheprovider

step "knowledge base check (make check-knowledge)"
$PY -m knowledge.check

step "rasa data validate --fail-on-warnings"
$RASA data validate --fail-on-warnings --config config.yml --domain domain.yml --data $($PY -m assurbot.train --print-data)

step "train (only if config, domain or data changed)"
$PY -m assurbot.train
MODEL=$($PY -m assurbot.train --print-path)

step "conversation tests (tests/test_stories.yml)"
$RASA test core --model "$MODEL" --stories tests/test_stories.yml --fail-on-prediction-errors --out results/core

step "NLU evaluation on the held-out set, with gates"
$PY -m tests.nlu_evaluation --model "$MODEL" --out results/nlu

step "real members' questions, test half, with gates (make evaluate)"
$PY -m evaluation.evaluate --half test --model "$MODEL" --gates

step "integration tests (real servers, real Redis)"
RASA_MODEL="$MODEL" $PY -m pytest -m integration -q -p no:cacheprovider
