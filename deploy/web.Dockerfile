# syntax=docker/dockerfile:1
# The website chat page (port 8080): static files, /config.json, demo login, thumbs.
#
#   docker build -f deploy/web.Dockerfile -t assurbot-web .

# The socket.io client, from the committed lock file, as scripts/install_web.sh installs it.
FROM node:20-bookworm-slim AS vendor
WORKDIR /web
COPY web/package.json web/package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error \
 && mkdir vendor \
 && cp node_modules/socket.io-client/dist/socket.io.min.js \
       node_modules/socket.io-client/dist/socket.io.min.js.map vendor/

FROM python:3.10-slim
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 VIRTUAL_ENV=/opt/venv PATH=/opt/venv/bin:$PATH
RUN python -m venv /opt/venv
WORKDIR /app
COPY constraints.txt ./
# The pins of constraints.txt, only what web/server.py imports.
RUN pip install pip==24.3.1 setuptools==70.3.0 wheel==0.45.1 \
 && pip install -c constraints.txt starlette uvicorn httpx PyJWT \
 && pip check
RUN useradd --system --uid 10001 --create-home --home-dir /home/assurbot assurbot
COPY web/__init__.py web/server.py web/
COPY web/static/ web/static/
COPY --from=vendor /web/vendor/ web/vendor/
# the demo login signs tokens for the synthetic personas with the member system's modules
COPY member_system/__init__.py member_system/personas.py member_system/token.py member_system/
COPY deploy/healthcheck.py deploy/
ENV PYTHONPATH=/app HOME=/home/assurbot WEB_HOST=0.0.0.0 WEB_PORT=8080
USER 10001
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=6s --start-period=20s --retries=3 \
  CMD ["python", "deploy/healthcheck.py", "WEB_PORT", "8080", "/health"]
CMD ["python", "-m", "web.server"]
