"""A per-conversation rate limit, shared by every worker and instance through Redis.

A member types a few messages a minute; a script hammering one conversation would otherwise
keep a worker busy and fill the stores. Beyond ``RATE_LIMIT_MESSAGES`` messages in
``RATE_LIMIT_WINDOW_SECONDS`` (defaults 30 per 60 s; 0 turns the limit off), the member gets a
polite answer and the message goes no further. With REDIS_URL set the count lives in Redis
(fixed window, INCR + EXPIRE in one round trip), so two instances count together; without it,
in the process. If Redis does not answer, the message is let through: the limit protects the
service, it must not become a reason to refuse members.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import OrderedDict
from typing import Optional, Tuple

from assurbot.redis_url import redis_client

logger = logging.getLogger(__name__)

TOO_MANY_MESSAGES = (
    "Vous m'envoyez beaucoup de messages en peu de temps. Patientez une minute, "
    "puis posez de nouveau votre question."
)
MAX_TRACKED = 100_000  # conversations counted in memory at once


def settings() -> Tuple[int, int]:
    def number(name: str, default: int) -> int:
        try:
            return max(0, int(os.environ.get(name, "").strip() or default))
        except ValueError:
            return default

    return number("RATE_LIMIT_MESSAGES", 30), max(1, number("RATE_LIMIT_WINDOW_SECONDS", 60))


class RateLimiter:
    def __init__(self, url: Optional[str] = None, key_prefix: Optional[str] = None) -> None:
        self.limit, self.window = settings()
        url = (url if url is not None else os.environ.get("REDIS_URL", "")).strip()
        self.red = redis_client(url) if url else None
        prefix = key_prefix or os.environ.get("REDIS_KEY_PREFIX", "") or "assurbot"
        self.prefix = prefix.strip(":")
        self._counts: "OrderedDict[str, Tuple[int, int]]" = OrderedDict()
        self._lock = threading.Lock()

    def allow(self, sender_id: str) -> bool:
        """Counts one message of the conversation; False when it is over the limit."""
        if self.limit == 0:
            return True
        bucket = int(time.time() // self.window)
        if self.red is not None:
            key = f"{self.prefix}:rate:{sender_id}:{bucket}"
            try:
                pipe = self.red.pipeline(transaction=False)
                pipe.incr(key)
                pipe.expire(key, self.window * 2)
                count = pipe.execute()[0]
            except Exception as error:  # fail open, see the module's docstring
                logger.warning("Rate limit not checked (%s).", type(error).__name__)
                return True
            return int(count) <= self.limit
        with self._lock:
            seen_bucket, count = self._counts.pop(sender_id, (bucket, 0))
            count = count + 1 if seen_bucket == bucket else 1
            self._counts[sender_id] = (bucket, count)
            while len(self._counts) > MAX_TRACKED:
                self._counts.popitem(last=False)
        return count <= self.limit


_limiter: Optional[RateLimiter] = None


def limiter() -> RateLimiter:
    global _limiter
    if _limiter is None:
        _limiter = RateLimiter()
    return _limiter
