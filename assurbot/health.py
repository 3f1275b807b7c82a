"""Readiness of a Rasa instance: can it answer a member right now?

``GET /webhooks/rest/ready`` answers 200 when the model is loaded, the stores' Redis (when
configured) answers, and the action server and the member-information system answer their
health checks; 503 otherwise, with which check failed. A load balancer or Kubernetes sends
traffic only to ready instances; ``GET /webhooks/rest/`` stays the plain liveness check.

Nothing secret is shown: no URL, no key, only names, booleans and milliseconds.
"""

from __future__ import annotations

import asyncio
import os
import time
from typing import Any, Awaitable, Callable, Dict, Optional, Tuple

import httpx

from assurbot import speed

CHECK_TIMEOUT = 1.5

Check = Callable[[], Awaitable[Tuple[bool, str]]]


def _action_server_health_url() -> Optional[str]:
    url = os.environ.get("ACTION_SERVER_URL", "").strip()
    if not url:
        return None
    base = url.rsplit("/webhook", 1)[0] if url.endswith("/webhook") else url.rstrip("/")
    return f"{base}/health"


def _member_system_health_url() -> Optional[str]:
    url = os.environ.get("MEMBER_SYSTEM_URL", "").strip()
    return f"{url.rstrip('/')}/health" if url else None


async def _http_ok(url: Optional[str]) -> Tuple[bool, str]:
    if url is None:
        return False, "not configured"
    try:
        async with httpx.AsyncClient(timeout=CHECK_TIMEOUT) as client:
            reply = await client.get(url)
        return reply.status_code == 200, f"HTTP {reply.status_code}"
    except httpx.HTTPError as error:
        return False, type(error).__name__


def _redis_of(store: Any) -> Any:
    return getattr(store, "red", None)


async def _redis_ok(agent: Any) -> Tuple[bool, str]:
    clients = [
        c for c in (_redis_of(agent.tracker_store), _redis_of(agent.lock_store)) if c is not None
    ]
    if not clients:
        return True, "embedded stores (no Redis configured)"
    try:
        for client in clients:
            await asyncio.to_thread(client.ping)
        return True, "PONG"
    except Exception as error:  # any client error means "not reachable"
        return False, type(error).__name__


async def readiness(agent: Any) -> Tuple[bool, Dict[str, Any]]:
    """Runs every check concurrently; returns (ready, report)."""

    async def model() -> Tuple[bool, str]:
        ready = agent is not None and agent.is_ready()
        return ready, (agent.processor.model_metadata.model_id if ready else "no model loaded")

    async def redis() -> Tuple[bool, str]:
        return await _redis_ok(agent) if agent is not None else (False, "no agent")

    async def action_server() -> Tuple[bool, str]:
        return await _http_ok(_action_server_health_url())

    async def member_system() -> Tuple[bool, str]:
        return await _http_ok(_member_system_health_url())

    checks: Dict[str, Check] = {
        "model": model,
        "redis": redis,
        "action_server": action_server,
        "member_system": member_system,
    }

    async def timed(check: Check) -> Dict[str, Any]:
        started = time.perf_counter()
        try:
            ok, detail = await asyncio.wait_for(check(), CHECK_TIMEOUT + 0.5)
        except asyncio.TimeoutError:
            ok, detail = False, "timeout"
        return {"ok": ok, "detail": detail, "ms": round(1000 * (time.perf_counter() - started))}

    results = await asyncio.gather(*(timed(check) for check in checks.values()))
    report = dict(zip(checks, results, strict=True))
    ready = all(r["ok"] for r in results)
    return ready, {
        "status": "ready" if ready else "not_ready",
        "checks": report,
        "pid": os.getpid(),
        "caches": {"enabled": speed.enabled(), **speed.stats()},
    }
