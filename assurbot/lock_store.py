"""A lock store that is atomic on Redis, and in-memory when no Redis is configured.

Rasa 3.6's ``RedisLockStore`` reads a lock, changes it in Python and writes it back
(RasaHQ/rasa#9213): two Rasa instances that receive messages of one conversation at the same
moment can both take ticket 0, or one can delete a lock the other has just joined, and the
conversation's messages are then processed concurrently and out of order. Here every change
of a lock is one Lua script, which Redis runs atomically.
"""

from __future__ import annotations

import json
import os
import time
from collections import deque
from typing import Any, Optional, Text

from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, InMemoryLockStore, LockError, LockStore
from rasa.utils.endpoints import EndpointConfig

from assurbot.redis_url import redis_client

# A lock is a JSON object {"conversation_id": ..., "tickets": [{"number", "expires"}, ...]}.
# Expired tickets (a worker that died while holding one) are dropped by every script.
_LUA_PRELUDE = """
local now = tonumber(ARGV[1])
local raw = redis.call('GET', KEYS[1])
local lock
if raw then lock = cjson.decode(raw) else lock = {conversation_id = ARGV[2], tickets = {}} end
local alive = {}
for _, t in ipairs(lock.tickets) do
  if tonumber(t.expires) > now then table.insert(alive, t) end
end
lock.tickets = alive
local function store()
  if #lock.tickets == 0 then
    redis.call('DEL', KEYS[1])
  else
    local ttl = 0
    for _, t in ipairs(lock.tickets) do ttl = math.max(ttl, tonumber(t.expires) - now) end
    redis.call('SET', KEYS[1], cjson.encode(lock), 'PX', math.ceil(ttl * 1000) + 1000)
  end
end
"""

# ARGV: now, conversation_id, lifetime -> the new ticket's number
_ISSUE_TICKET = (
    _LUA_PRELUDE
    + """
local number = 0
if #lock.tickets > 0 then number = tonumber(lock.tickets[#lock.tickets].number) + 1 end
table.insert(lock.tickets, {number = number, expires = now + tonumber(ARGV[3])})
store()
return number
"""
)

# ARGV: now, conversation_id, ticket number -> removes that ticket; the lock goes when empty
_FINISH_SERVING = (
    _LUA_PRELUDE
    + """
local kept = {}
for _, t in ipairs(lock.tickets) do
  if tonumber(t.number) ~= tonumber(ARGV[3]) then table.insert(kept, t) end
end
lock.tickets = kept
store()
return #kept
"""
)

# ARGV: now, conversation_id -> drops expired tickets
_REFRESH = _LUA_PRELUDE + "\nstore()\nreturn #lock.tickets\n"


class AtomicRedisLockStore(LockStore):
    """Ticket locks on Redis whose every change is atomic."""

    def __init__(self, url: Text, key_prefix: Optional[Text] = None) -> None:
        self.red = redis_client(url)
        prefix = (key_prefix or "assurbot").strip(":")
        self.key_prefix = f"{prefix}:lock:"
        self._issue = self.red.register_script(_ISSUE_TICKET)
        self._finish = self.red.register_script(_FINISH_SERVING)
        self._refresh = self.red.register_script(_REFRESH)

    def _key(self, conversation_id: Text) -> Text:
        return self.key_prefix + conversation_id

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        try:
            return int(
                self._issue(
                    keys=[self._key(conversation_id)],
                    args=[time.time(), conversation_id, lock_lifetime],
                )
            )
        except Exception as e:  # redis errors become Rasa's LockError, as in Rasa's stores
            raise LockError(f"Error while acquiring lock. Error:\n{e}") from e

    def get_lock(self, conversation_id: Text) -> Optional[TicketLock]:
        raw = self.red.get(self._key(conversation_id))
        if not raw:
            return None
        data = json.loads(raw)
        tickets = deque(Ticket(int(t["number"]), float(t["expires"])) for t in data["tickets"])
        return TicketLock(conversation_id, tickets)

    def update_lock(self, conversation_id: Text) -> None:
        self._refresh(keys=[self._key(conversation_id)], args=[time.time(), conversation_id])

    def finish_serving(self, conversation_id: Text, ticket_number: int) -> None:
        self._finish(
            keys=[self._key(conversation_id)],
            args=[time.time(), conversation_id, ticket_number],
        )

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        # finish_serving already deletes the lock, atomically, once nobody holds a ticket.
        self.finish_serving(conversation_id, ticket_number)

    def save_lock(self, lock: TicketLock) -> None:
        # Only Rasa's generic read-modify-write paths call this; the methods above replace them.
        tickets = [t.as_dict() for t in lock.tickets]
        payload = json.dumps({"conversation_id": lock.conversation_id, "tickets": tickets})
        self.red.set(self._key(lock.conversation_id), payload, px=int(LOCK_LIFETIME * 1000))

    def delete_lock(self, conversation_id: Text) -> None:
        deleted = self.red.delete(self._key(conversation_id))
        self._log_deletion(conversation_id, deleted > 0)


class AssurbotLockStore(LockStore):
    """Chosen by ``endpoints.yml``: atomic Redis when ``url`` is set, in-memory otherwise.

    Rasa builds custom lock stores as ``cls(endpoint_config=...)``; ``__new__`` hands back the
    concrete store so that Rasa talks to it directly, with no delegation layer per call.
    """

    def __new__(cls, endpoint_config: Optional[EndpointConfig] = None, **_: Any) -> LockStore:
        url = (endpoint_config.url if endpoint_config else None) or ""
        if not url.strip():
            # Rasa lets any custom lock store run several Sanic workers; an in-memory lock
            # would then lock nothing across them. Refuse, and say what to do.
            if os.environ.get("SANIC_WORKERS", "1").strip() not in ("", "1"):
                raise ValueError(
                    "SANIC_WORKERS > 1 needs a shared lock store: set REDIS_URL "
                    "(or use `make run-prod`)."
                )
            return InMemoryLockStore()
        key_prefix = endpoint_config.kwargs.get("key_prefix") if endpoint_config else None
        return AtomicRedisLockStore(url=url.strip(), key_prefix=key_prefix)
