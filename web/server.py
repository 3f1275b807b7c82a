"""The website chat page: static files, the page's configuration, demo login and feedback.

    python -m web.server          # serves http://127.0.0.1:$WEB_PORT/ (default 8080)

The page talks to Rasa's socket.io channel directly (its URL comes from /config.json). This
server only adds what the browser cannot do alone:

- ``GET /demo/personas`` and ``POST /demo/login``: the demo login of the account page. It signs
  a short-lived member token, and only for the synthetic demo personas, never for another id;
  ``WEB_DEMO_LOGIN=0`` turns it off.
- ``POST /feedback``: a thumbs up or down on an answer, stored in the conversation as a
  ``feedback`` slot event through Rasa's HTTP API (which needs ``RASA_API_TOKEN``). The token
  stays on the server; the browser never sees it.
"""

from __future__ import annotations

import logging
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Optional
from urllib.parse import quote, urlsplit

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from member_system.personas import PERSONAS
from member_system.token import issue_token

log = logging.getLogger("web")

WEB_DIR = Path(__file__).resolve().parent
STATIC_DIR = WEB_DIR / "static"
VENDOR_DIR = WEB_DIR / "vendor"  # filled by scripts/install_web.sh from web/node_modules

# A demo login lasts half an hour: long enough to try every question, short enough that a
# token copied from the browser is soon worthless.
DEMO_TOKEN_TTL = 1800
RATINGS = ("up", "down")
MAX_MESSAGE_INDEX = 10_000
# Conversation ids as Rasa's socket.io channel makes them (uuid4().hex).
CONVERSATION_ID = re.compile(r"^[0-9a-f]{32}$")
RASA_TIMEOUT = 5.0


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8080
    rasa_port: int = 5005
    rasa_url: str = "http://127.0.0.1:5005"  # where this server reaches Rasa's HTTP API
    rasa_public_url: str = ""  # where browsers reach Rasa; empty: this page's host, rasa_port
    rasa_api_token: str = ""
    demo_login: bool = True
    login_url: str = "https://assure.ameli.fr"

    @classmethod
    def from_env(cls, env: Optional[Dict[str, str]] = None) -> "Settings":
        env = dict(os.environ if env is None else env)

        def get(name: str, default: str) -> str:
            value = env.get(name, "").strip()
            return value or default

        rasa_port = int(get("RASA_PORT", "5005"))
        return cls(
            host=get("WEB_HOST", "127.0.0.1"),
            port=int(get("WEB_PORT", "8080")),
            rasa_port=rasa_port,
            rasa_url=get("RASA_URL", f"http://127.0.0.1:{rasa_port}").rstrip("/"),
            rasa_public_url=get("RASA_PUBLIC_URL", "").rstrip("/"),
            rasa_api_token=get("RASA_API_TOKEN", ""),
            demo_login=get("WEB_DEMO_LOGIN", "1").lower() not in ("0", "false", "no", "off"),
            login_url=get("LOGIN_URL", "https://assure.ameli.fr"),
        )


def create_app(
    settings: Optional[Settings] = None, transport: Optional[httpx.AsyncBaseTransport] = None
) -> Starlette:
    """The web application; ``transport`` lets tests stand in for Rasa."""
    settings = settings or Settings.from_env()
    personas = {p.id: p for p in PERSONAS}

    def socket_origin(request: Request) -> str:
        if settings.rasa_public_url:
            return settings.rasa_public_url
        host = request.url.hostname or "127.0.0.1"
        if ":" in host:  # an IPv6 address
            host = f"[{host}]"
        return f"{request.url.scheme}://{host}:{settings.rasa_port}"

    async def page(request: Request) -> Response:
        return FileResponse(STATIC_DIR / "index.html", headers={"Cache-Control": "no-cache"})

    async def config(request: Request) -> Response:
        return JSONResponse(
            {
                "socket_url": socket_origin(request),
                "socket_path": "/socket.io",
                "demo_login": settings.demo_login,
                "login_url": settings.login_url,
            },
            headers={"Cache-Control": "no-store"},
        )

    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def list_personas(request: Request) -> Response:
        if not settings.demo_login:
            return error(404, "not_found", "the demo login is turned off (WEB_DEMO_LOGIN=0)")
        return JSONResponse(
            [
                {"id": p.id, "name": p.name, "description": p.situation, "example": p.ask}
                for p in PERSONAS
            ]
        )

    async def login(request: Request) -> Response:
        if not settings.demo_login:
            return error(404, "not_found", "the demo login is turned off (WEB_DEMO_LOGIN=0)")
        body = await json_body(request)
        member_id = body.get("member_id") if isinstance(body, dict) else None
        if not isinstance(member_id, str) or not member_id:
            return error(400, "bad_request", "'member_id' must be the id of a demo persona")
        persona = personas.get(member_id)
        if persona is None:
            # Never a token for an arbitrary id: the demo login is not a way into real files.
            return error(403, "forbidden", "only the demo personas can log in here")
        now = int(time.time())
        token = issue_token(persona.id, ttl=DEMO_TOKEN_TTL, now=now)
        return JSONResponse(
            {
                "token": token,
                "member_id": persona.id,
                "name": persona.name,
                "expires_at": now + DEMO_TOKEN_TTL,
            },
            headers={"Cache-Control": "no-store"},
        )

    async def feedback(request: Request) -> Response:
        body = await json_body(request)
        if not isinstance(body, dict):
            return error(400, "bad_request", "the body must be a JSON object")
        sender_id, rating = body.get("sender_id"), body.get("rating")
        index = body.get("message_index")
        if not isinstance(sender_id, str) or not CONVERSATION_ID.match(sender_id):
            return error(400, "bad_request", "'sender_id' must be the conversation id")
        if rating not in RATINGS:
            return error(400, "bad_request", "'rating' must be 'up' or 'down'")
        if (
            not isinstance(index, int)
            or isinstance(index, bool)
            or not 0 <= index <= MAX_MESSAGE_INDEX
        ):
            return error(400, "bad_request", "'message_index' must be a non-negative integer")
        if not settings.rasa_api_token:
            log.error("feedback not recorded: RASA_API_TOKEN is not set (Rasa's HTTP API)")
            return error(503, "unavailable", "feedback is not configured on this server")
        event = {
            "event": "slot",
            "name": "feedback",
            "value": rating,
            "timestamp": time.time(),
            "metadata": {"message_index": index, "channel": "web"},
        }
        url = f"{settings.rasa_url}/conversations/{quote(sender_id, safe='')}/tracker/events"
        try:
            async with httpx.AsyncClient(timeout=RASA_TIMEOUT, transport=transport) as client:
                answer = await client.post(
                    url,
                    params={"token": settings.rasa_api_token, "include_events": "NONE"},
                    json=event,
                )
        except httpx.HTTPError as exc:
            log.error("feedback not recorded: Rasa unreachable (%s)", type(exc).__name__)
            return error(503, "unavailable", "the assistant is unreachable")
        if answer.status_code != 200:
            log.error("feedback not recorded: Rasa answered %s", answer.status_code)
            return error(503, "unavailable", "the assistant did not record the feedback")
        return JSONResponse({"status": "recorded"})

    routes = [
        Route("/", page),
        Route("/compte", page),
        Route("/config.json", config),
        Route("/health", health),
        Route("/demo/personas", list_personas),
        Route("/demo/login", login, methods=["POST"]),
        Route("/feedback", feedback, methods=["POST"]),
        Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
        # check_dir=False: a missing install_web.sh run gives the page's own message, not a crash
        Mount("/vendor", StaticFiles(directory=VENDOR_DIR, check_dir=False), name="vendor"),
    ]
    app = Starlette(routes=routes)

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Response:
        response = await call_next(request)
        origin = urlsplit(socket_origin(request))
        ws_scheme = "wss" if origin.scheme == "https" else "ws"
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            f"connect-src 'self' {origin.scheme}://{origin.netloc} {ws_scheme}://{origin.netloc}; "
            "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
        )
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    return app


async def json_body(request: Request) -> Any:
    # Requiring JSON also keeps other sites' plain HTML forms from posting here.
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        return None
    try:
        return await request.json()
    except ValueError:
        return None


def error(status: int, code: str, reason: str) -> JSONResponse:
    return JSONResponse({"error": code, "reason": reason}, status_code=status)


def main() -> None:
    import uvicorn

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    settings = Settings.from_env()
    if not (VENDOR_DIR / "socket.io.min.js").exists():
        log.error("web/vendor/socket.io.min.js is missing: run `bash scripts/install_web.sh`")
    if not settings.rasa_api_token:
        log.warning("RASA_API_TOKEN is not set: thumbs up/down will not be recorded")
    if settings.demo_login and not os.environ.get("MEMBER_TOKEN_SECRET", "").strip():
        log.warning("demo login signs tokens with the public development secret")
    # ws="none": no websockets here (the page's socket goes to Rasa); "auto" would import the
    # websockets package, whose version pinned by Rasa does not match what uvicorn expects.
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, ws="none")


if __name__ == "__main__":
    main()
