"""The action server, started as rasa-sdk does, but closed to anyone but Rasa.

    python -m assurbot.action_server        # port ACTION_SERVER_PORT (5055)

rasa-sdk 3.6 has no authentication, allows every CORS origin and listens on 0.0.0.0. Its
webhook runs our actions, which read members' files: here it listens on ACTION_SERVER_HOST
(127.0.0.1 by default), allows no browser origin, and answers POST /webhook and GET /actions
only to a caller presenting ``ACTION_SERVER_API_KEY`` in the ``X-Action-Server-Key`` header
(Rasa sends it: see ``action_endpoint.headers`` in endpoints.yml). ``GET /health`` stays open
for health checks. A wrong or missing key gets 401, compared in constant time.
"""

from __future__ import annotations

import hmac
import logging
import os
import sys

from rasa_sdk.endpoint import create_app
from rasa_sdk.plugin import plugin_manager
from sanic import response
from sanic.request import Request

logger = logging.getLogger(__name__)

KEY_HEADER = "X-Action-Server-Key"
OPEN_PATHS = ("/health",)


def api_key() -> str:
    return os.environ.get("ACTION_SERVER_API_KEY", "").strip()


def build_app(package: str = "actions"):
    key = api_key()
    if not key:
        raise SystemExit(
            "ACTION_SERVER_API_KEY is empty: the action server would be open to anyone. "
            "Set it (scripts/env.sh gives a development default)."
        )
    app = create_app(package, cors_origins=None)

    @app.middleware("request")
    async def require_key(request: Request):
        if request.path in OPEN_PATHS:
            return None
        given = request.headers.get(KEY_HEADER, "")
        if not hmac.compare_digest(given.encode(), key.encode()):
            return response.json({"error": "unauthorized"}, status=401)
        return None

    @app.before_server_start
    async def index_knowledge(*_: object) -> None:
        # Built before the first request, in the serving process: no member waits for it.
        from actions.knowledge import shared_knowledge

        shared_knowledge()

    plugin_manager().hook.attach_sanic_app_extensions(app=app)
    return app


def main() -> int:
    logging.basicConfig(level=os.environ.get("ACTION_SERVER_LOG_LEVEL", "INFO").upper())
    host = os.environ.get("ACTION_SERVER_HOST", "127.0.0.1")
    port = int(os.environ.get("ACTION_SERVER_PORT", "5055"))
    app = build_app()
    logger.info("Action server on http://%s:%s (caller key required)", host, port)
    app.run(host, port, workers=1, access_log=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
