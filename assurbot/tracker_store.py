"""Where conversations are kept: an append-only event log on Redis, or SQLite by default.

Rasa 3.6's ``RedisTrackerStore`` reads, rewrites and re-sends the whole tracker on every save,
so a message costs more the longer the conversation. Here each conversation is a Redis list
of events: a save appends only the events the turn added, and a read fetches only the
current session.
"""

from __future__ import annotations

import json
import logging
import os
from typing import Any, Dict, Iterable, List, Optional, Text

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import (
    InMemoryTrackerStore,
    SerializedTrackerAsText,
    SQLTrackerStore,
    TrackerStore,
)
from rasa.shared.core.constants import ACTION_SESSION_START_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Event
from rasa.shared.core.trackers import DialogueStateTracker

from assurbot.privacy import strip_secrets
from assurbot.redis_url import redis_client

logger = logging.getLogger(__name__)

# Where, in the conversation's log, the events of a tracker we handed out begin. A tracker
# that comes back to ``save`` with this mark only has its events past the log's end appended.
_BASE_ATTRIBUTE = "_assurbot_log_base"

# ARGV: none. KEYS: events, meta -> [session start index, events of the current session...]
_READ_SESSION = """
local start = tonumber(redis.call('HGET', KEYS[2], 'session_start') or '0')
local events = redis.call('LRANGE', KEYS[1], start, -1)
table.insert(events, 1, tostring(start))
return events
"""


def _is_session_start(event: Event) -> bool:
    return isinstance(event, ActionExecuted) and event.action_name == ACTION_SESSION_START_NAME


class RedisEventLogTrackerStore(TrackerStore, SerializedTrackerAsText):
    """Conversations as append-only Redis lists, expiring ``record_exp`` seconds after use."""

    def __init__(
        self,
        domain: Optional[Domain],
        url: Text,
        key_prefix: Optional[Text] = None,
        record_exp: Optional[float] = None,
        event_broker: Optional[EventBroker] = None,
    ) -> None:
        super().__init__(domain, event_broker)
        self.red = redis_client(url)
        self.key_prefix = (key_prefix or "assurbot").strip(":")
        self.record_exp = int(float(record_exp)) if record_exp else None
        self._read_session = self.red.register_script(_READ_SESSION)

    # --- keys -----------------------------------------------------------------------------
    def events_key(self, sender_id: Text) -> Text:
        return f"{self.key_prefix}:tracker:{sender_id}"

    def meta_key(self, sender_id: Text) -> Text:
        return f"{self.key_prefix}:tracker_meta:{sender_id}"

    # --- reading --------------------------------------------------------------------------
    def _tracker_from(
        self, sender_id: Text, raw_events: List[bytes], base: int
    ) -> DialogueStateTracker:
        events = [json.loads(raw) for raw in raw_events]
        tracker = DialogueStateTracker.from_dict(
            sender_id, events, self.domain.slots, self.max_event_history
        )
        setattr(tracker, _BASE_ATTRIBUTE, base)
        return tracker

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        """The current session of the conversation (what Rasa needs to answer)."""
        reply = self._read_session(keys=[self.events_key(sender_id), self.meta_key(sender_id)])
        if len(reply) <= 1:
            return None
        return self._tracker_from(sender_id, reply[1:], int(reply[0]))

    async def retrieve_full_tracker(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        """Every session of the conversation."""
        raw = self.red.lrange(self.events_key(sender_id), 0, -1)
        if not raw:
            return None
        return self._tracker_from(sender_id, raw, 0)

    async def keys(self) -> Iterable[Text]:
        prefix = self.events_key("")
        return [
            key.decode()[len(prefix) :] for key in self.red.scan_iter(match=prefix + "*", count=500)
        ]

    # --- writing --------------------------------------------------------------------------
    def _base_of(self, tracker: DialogueStateTracker, stored: int) -> Optional[int]:
        """Index in the log of ``tracker.events[0]``; None when the tracker is not ours."""
        base = getattr(tracker, _BASE_ATTRIBUTE, None)
        if base is not None:
            return base
        if stored == 0:
            return 0
        # A tracker rebuilt elsewhere (a copy): find its first event in the current session.
        if not tracker.events:
            return None
        first = tracker.events[0]
        start = int(self.red.hget(self.meta_key(tracker.sender_id), "session_start") or 0)
        for offset, raw in enumerate(
            self.red.lrange(self.events_key(tracker.sender_id), start, -1)
        ):
            stored_event = json.loads(raw)
            if stored_event.get("event") == first.type_name and stored_event.get(
                "timestamp"
            ) == getattr(first, "timestamp", None):
                return start + offset
        return None

    async def save(self, tracker: DialogueStateTracker) -> None:
        events_key, meta_key = self.events_key(tracker.sender_id), self.meta_key(tracker.sender_id)
        stored = self.red.llen(events_key)
        events = list(tracker.events)
        base = self._base_of(tracker, stored)
        if base is None:
            # Not a continuation of the stored log: the events were replaced (HTTP API).
            logger.debug("Replacing the stored events of conversation %s.", tracker.sender_id)
            pipe = self.red.pipeline(transaction=True)
            pipe.delete(events_key, meta_key)
            stored, base = 0, 0
        else:
            pipe = self.red.pipeline(transaction=True)
        already = stored - base
        if already > len(events):
            logger.warning(
                "Conversation %s: the store holds %d events past this tracker's start, the "
                "tracker only %d; nothing appended.",
                tracker.sender_id,
                already,
                len(events),
            )
            return
        new_events = events[already:]
        strip_secrets(new_events)
        if new_events:
            pipe.rpush(events_key, *(json.dumps(e.as_dict()) for e in new_events))
            starts = [i for i, e in enumerate(new_events) if _is_session_start(e)]
            if starts:
                pipe.hset(meta_key, "session_start", stored + starts[-1])
        if self.record_exp:
            pipe.expire(events_key, self.record_exp)
            pipe.expire(meta_key, self.record_exp)
        pipe.execute()
        setattr(tracker, _BASE_ATTRIBUTE, base)
        if self.event_broker and new_events:
            await self._stream_new_events(self.event_broker, new_events, tracker.sender_id)

    async def delete(self, sender_id: Text) -> bool:
        """Erases a conversation; True when there was one."""
        return self.red.delete(self.events_key(sender_id), self.meta_key(sender_id)) > 0


class SecretFreeSQLTrackerStore(SQLTrackerStore):
    """Rasa's SQL tracker store, minus the members' tokens."""

    async def save(self, tracker: DialogueStateTracker) -> None:
        strip_secrets(tracker.events)
        await super().save(tracker)


class AssurbotTrackerStore(TrackerStore):
    """Chosen by ``endpoints.yml``: Redis when ``url`` is set, SQLite under var/ otherwise,
    memory when ``sqlite_path`` is ``memory`` (`make interactive`: its "undo" replaces a
    conversation's events, which only the in-memory store does faithfully).

    ``__new__`` hands Rasa the concrete store, so no delegation layer sits on each call.
    """

    def __new__(  # type: ignore[misc]
        cls,
        domain: Optional[Domain] = None,
        host: Optional[Text] = None,
        event_broker: Optional[EventBroker] = None,
        key_prefix: Optional[Text] = None,
        record_exp: Optional[Any] = None,
        sqlite_path: Optional[Text] = None,
        **_: Dict[Text, Any],
    ) -> TrackerStore:
        url = (host or "").strip()
        if url:
            return RedisEventLogTrackerStore(
                domain, url, key_prefix=key_prefix, record_exp=record_exp, event_broker=event_broker
            )
        if (sqlite_path or "").strip() == "memory":
            return InMemoryTrackerStore(domain, event_broker=event_broker)
        path = sqlite_path or "var/trackers.db"
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        return SecretFreeSQLTrackerStore(
            domain, dialect="sqlite", db=path, event_broker=event_broker
        )
