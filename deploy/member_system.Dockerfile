# syntax=docker/dockerfile:1
# The mocked member-information system (FastAPI, port 8090). It creates and seeds its tables
# at start-up when they are empty: on PostgreSQL (MEMBER_DB_URL) in compose.
#
#   docker build -f deploy/member_system.Dockerfile -t assurbot-member-system .

FROM python:3.10-slim
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 VIRTUAL_ENV=/opt/venv PATH=/opt/venv/bin:$PATH
RUN python -m venv /opt/venv
WORKDIR /app
COPY constraints.txt ./
# The pins of constraints.txt, only what the member system imports (psycopg2: PostgreSQL).
RUN pip install pip==24.3.1 setuptools==70.3.0 wheel==0.45.1 \
 && pip install -c constraints.txt \
      fastapi uvicorn pydantic SQLAlchemy psycopg2-binary Faker PyJWT PyYAML \
 && pip check
RUN useradd --system --uid 10001 --create-home --home-dir /home/assurbot assurbot
COPY member_system/ member_system/
COPY deploy/healthcheck.py deploy/
# var/: the SQLite file when MEMBER_DB_URL is empty
RUN mkdir -p var && chown assurbot:assurbot var
ENV PYTHONPATH=/app HOME=/home/assurbot MEMBER_SYSTEM_HOST=0.0.0.0 MEMBER_SYSTEM_PORT=8090
USER 10001
EXPOSE 8090
HEALTHCHECK --interval=15s --timeout=6s --start-period=60s --retries=3 \
  CMD ["python", "deploy/healthcheck.py", "MEMBER_SYSTEM_PORT", "8090", "/health"]
CMD ["python", "-m", "member_system"]
