"""One way to reach Redis from a URL, for every Assurbot store."""

from __future__ import annotations

from typing import Text

import redis

# Redis calls are on the per-message path: fail fast rather than hang a member's conversation.
SOCKET_TIMEOUT_SECONDS = 2.0


def redis_client(url: Text) -> "redis.Redis":
    """A client for ``redis://[:password@]host:port/db`` (or ``rediss://`` for TLS)."""
    return redis.Redis.from_url(
        url,
        socket_timeout=SOCKET_TIMEOUT_SECONDS,
        socket_connect_timeout=SOCKET_TIMEOUT_SECONDS,
        health_check_interval=30,
    )
