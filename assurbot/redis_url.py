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


def main(argv: "list[str] | None" = None) -> int:
    """`python -m assurbot.redis_url --check URL`: says clearly when Redis cannot be reached."""
    import argparse
    import sys

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--check", metavar="URL", required=True)
    url = parser.parse_args(argv).check
    try:
        redis_client(url).ping()
    except redis.RedisError as error:
        from urllib.parse import urlsplit

        parts = urlsplit(url)  # shown without its scheme and password
        shown = f"{parts.hostname}:{parts.port or 6379}{parts.path}"
        print(
            f"Redis is not reachable at {shown} ({error}).\n"
            "Start it (e.g. `redis-server --daemonize yes`) or set REDIS_URL in .env.",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
