# Assurbot: `make run` to chat, `make test` to check everything. Each target is one line to read.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
RASA := $(VENV)/bin/rasa
ENV := source scripts/env.sh &&

.PHONY: install train run run-prod bench evaluate test lint format unit validate test-stories integration interactive report content-report check-knowledge simulate review merge clean lock

install:            ## create .venv with the pinned packages (seconds when already done)
	@mkdir -p var && flock var/install.lock bash scripts/install.sh

train: install      ## train only if config.yml, domain.yml or data/ changed
	@$(ENV) $(PY) -m assurbot.train

run: train          ## start everything and print where to chat; Ctrl-C stops it all
	@bash scripts/install_web.sh
	@$(ENV) $(PY) -m assurbot.stack run

run-prod: train     ## the production shape here: Redis stores (REDIS_URL, default local), SANIC_WORKERS=2
	@bash scripts/install_web.sh
	@$(ENV) export REDIS_URL="$${REDIS_URL:-redis://127.0.0.1:6379/0}" SANIC_WORKERS="$${SANIC_WORKERS:-2}" && \
	  $(PY) -m assurbot.redis_url --check "$$REDIS_URL" && $(PY) -m assurbot.stack run

bench: train        ## Assurbot vs stock Rasa under Locust (~25 min); QUICK=1 for a smoke run
	@$(ENV) $(PY) -m benchmarks.knowledge_search && \
	  $(PY) -m assurbot.redis_url --check "$${REDIS_URL:-redis://127.0.0.1:6379/0}" && \
	  $(PY) -m benchmarks.bench $(if $(QUICK),--quick)

test: install       ## the whole suite, in CI's order
	@bash scripts/ensure_redis_binary.sh
	@bash scripts/ensure_compose.sh
	@bash scripts/install_web.sh --browser
	@$(ENV) bash scripts/test.sh

lint: install       ## ruff lint and format check
	@$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

format: install     ## apply ruff's formatting and safe fixes
	@$(VENV)/bin/ruff format . && $(VENV)/bin/ruff check --fix .

unit: install       ## fast tests: no server, no model
	@$(ENV) $(PY) -m pytest -m "not integration" -q

validate: install   ## rasa data validate, warnings are errors
	@$(ENV) $(RASA) data validate --fail-on-warnings --config config.yml --domain domain.yml --data $$($(PY) -m assurbot.train --print-data)

test-stories: train ## conversation tests, prediction errors are failures
	@$(ENV) $(RASA) test core --model "$$($(PY) -m assurbot.train --print-path)" --stories tests/test_stories.yml --fail-on-prediction-errors --out results/core

integration: train  ## tests against the real servers and Redis
	@$(ENV) $(PY) -m pytest -m integration -q

interactive: train  ## rasa interactive with the action server and member system running
	@bash scripts/interactive.sh

report: install     ## figures and charts of a period, as HTML (FROM=2026-11-01 TO=2026-11-30; default: 30 days)
	@$(ENV) $(PY) -m analytics.report $(if $(FROM),--from $(FROM)) $(if $(TO),--to $(TO))

content-report: install ## articles by age of their check, soon to change, expired (results/content-report.md)
	@$(ENV) $(PY) -m knowledge.content_report

check-knowledge: install ## every article readable, sourced, dated and unique; exits 1 on a problem
	@$(ENV) $(PY) -m knowledge.check

evaluate: train     ## real members' questions, test half: right, clarified, wrong, out of scope (results/evaluation/)
	@$(ENV) $(PY) -m evaluation.evaluate --half $(or $(HALF),test)

simulate: train     ## demo conversations (site and app, anonymous and personas) sent to the assistant
	@$(ENV) $(PY) -m analytics.simulate

review: install     ## misunderstood messages of a period, as an NLU file to correct (default: 7 days)
	@$(ENV) $(PY) -m analytics.review $(if $(FROM),--from $(FROM)) $(if $(TO),--to $(TO))

merge: install      ## add a corrected review to data/nlu/ and data/knowledge/, then validate (REVIEW=review/<file>.yml)
	@$(ENV) $(PY) -m analytics.merge "$(REVIEW)"

lock: install       ## rewrite constraints.txt from the installed packages
	@$(PY) -m pip freeze --exclude-editable > constraints.txt

clean:              ## remove models, results and local state (not .venv)
	rm -rf models results var .pytest_cache .ruff_cache
