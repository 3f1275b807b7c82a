"""Where conversations are kept: an append-only event log on Redis, or SQLite by default.

Rasa 3.6's ``RedisTrackerStore`` reads, rewrites and re-sends the whole tracker on every save,
so a message costs more the longer the conversation. Here each conversation is a Redis list
of events: a save appends only the events the turn added, and a read fetches only the
current session — and of a long session only its recent turns (see "Windows" below).

Windows: the policies look a few turns back (Memoization 3 states, TED 5), yet Rasa turns the
whole tracker into states, sends it to the action server and back, on every message. So a
session of more than ``WINDOW_MAX_EVENTS`` events is cut, at a user message about
``WINDOW_KEEP_EVENTS`` events from its end: the read then returns a short prefix that restores
the slots and the active loop as they were at the cut, and the events since. Nothing is
deleted: the log keeps every event, ``retrieve_full_tracker`` (Rasa's HTTP API, exports)
returns them all, and the 300th message of a session costs what the 10th does.
"""

from __future__ import annotations

import json
import logging
import os
import time
from typing import Any, Dict, Iterable, List, Optional, Text, Tuple

import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import (
    InMemoryTrackerStore,
    SerializedTrackerAsText,
    SQLTrackerStore,
    TrackerStore,
)
from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from assurbot.privacy import strip_secrets
from assurbot.redis_url import redis_client

logger = logging.getLogger(__name__)

# Where, in the conversation's log, the events of a tracker we handed out begin. A tracker
# that comes back to ``save`` with this mark only has its events past the log's end appended.
_BASE_ATTRIBUTE = "_assurbot_log_base"

# A session longer than this is read from its last cut (a few turns more than any policy needs).
WINDOW_MAX_EVENTS = 120
WINDOW_KEEP_EVENTS = 40

# ARGV: none. KEYS: events, meta -> [start index, window prefix or "", events from start...]
# The window applies while it lies inside the current session.
_READ_SESSION = """
local meta = redis.call('HMGET', KEYS[2], 'session_start', 'window_start', 'window_prefix')
local start = tonumber(meta[1] or '0')
local prefix = ''
local window = tonumber(meta[2] or '-1')
if window > start then
  start = window
  prefix = meta[3] or ''
end
local events = redis.call('LRANGE', KEYS[1], start, -1)
table.insert(events, 1, prefix)
table.insert(events, 1, tostring(start))
return events
"""


def _member_refs(events: Iterable[Event]) -> set:
    return {
        e.metadata["member_ref"]
        for e in events
        if isinstance(e, UserUttered)
        and isinstance(e.metadata, dict)
        and isinstance(e.metadata.get("member_ref"), str)
    }


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

    def member_key(self, member_ref: Text) -> Text:
        return f"{self.key_prefix}:member:{member_ref}"

    def sender_ids_for_member(self, member_ref: Text) -> List[Text]:
        return sorted(s.decode() for s in self.red.smembers(self.member_key(member_ref)))

    def forget_member(self, member_ref: Text) -> None:
        self.red.delete(self.member_key(member_ref))

    # --- reading --------------------------------------------------------------------------
    def _tracker_from(
        self, sender_id: Text, raw_events: List[bytes], base: int, prefix: List[Dict] = ()
    ) -> DialogueStateTracker:
        events = list(prefix) + [json.loads(raw) for raw in raw_events]
        tracker = DialogueStateTracker.from_dict(
            sender_id, events, self.domain.slots, self.max_event_history
        )
        # The prefix is not in the log: the log index of tracker.events[0] is before `base`.
        setattr(tracker, _BASE_ATTRIBUTE, base - len(prefix))
        return tracker

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        """The current session of the conversation (what Rasa needs to answer), from its
        window's cut when it is long."""
        reply = self._read_session(keys=[self.events_key(sender_id), self.meta_key(sender_id)])
        if len(reply) <= 2:
            return None
        prefix = json.loads(reply[1]) if reply[1] else []
        return self._tracker_from(sender_id, reply[2:], int(reply[0]), prefix)

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
        start, window_start, window_prefix = self.red.hmget(
            self.meta_key(tracker.sender_id), "session_start", "window_start", "window_prefix"
        )
        if window_prefix:
            prefix = json.loads(window_prefix)
            if prefix[0].get("timestamp") == getattr(first, "timestamp", None):
                return int(window_start) - len(prefix)
        start = int(start or 0)
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
        for ref in _member_refs(new_events):
            # Which conversations are a member's: for the rights of access and erasure.
            pipe.sadd(self.member_key(ref), tracker.sender_id)
            if self.record_exp:
                pipe.expire(self.member_key(ref), self.record_exp)
        window = self._next_window(tracker, events, base) if new_events else None
        if window is not None:
            pipe.hset(meta_key, mapping={"window_start": window[0], "window_prefix": window[1]})
        if self.record_exp:
            pipe.expire(events_key, self.record_exp)
            pipe.expire(meta_key, self.record_exp)
        pipe.execute()
        setattr(tracker, _BASE_ATTRIBUTE, base)
        if self.event_broker and new_events:
            await self._stream_new_events(self.event_broker, new_events, tracker.sender_id)

    def _next_window(
        self, tracker: DialogueStateTracker, events: List[Event], base: int
    ) -> Optional[Tuple[int, str]]:
        """Where to cut a session grown past WINDOW_MAX_EVENTS, and the prefix that stands
        for what comes before the cut; None when no cut is due."""
        if len(events) <= WINDOW_MAX_EVENTS:
            return None
        session_start = max((i for i, e in enumerate(events) if _is_session_start(e)), default=0)
        candidates = [
            i for i, e in enumerate(events) if isinstance(e, UserUttered) and i > session_start + 3
        ]
        if not candidates:
            return None
        # The first user message at most KEEP events from the end, else the last one.
        later = [i for i in candidates if i >= len(events) - WINDOW_KEEP_EVENTS]
        cut = later[0] if later else candidates[-1]
        before = DialogueStateTracker.from_events(
            tracker.sender_id, events[:cut], self.domain.slots
        )
        stamp = events[cut].timestamp
        prefix: List[Event] = [
            ActionExecuted(ACTION_SESSION_START_NAME, timestamp=stamp),
            SessionStarted(timestamp=stamp),
        ]
        initial = {slot.name: slot.initial_value for slot in self.domain.slots}
        prefix += [
            SlotSet(name, value, timestamp=stamp)
            for name, value in before.current_slot_values().items()
            if value != initial.get(name)
        ]
        if before.active_loop_name:
            prefix.append(ActiveLoop(before.active_loop_name, timestamp=stamp))
        prefix.append(ActionExecuted(ACTION_LISTEN_NAME, timestamp=stamp))
        strip_secrets(prefix)
        return base + cut, json.dumps([e.as_dict() for e in prefix])

    async def delete(self, sender_id: Text) -> bool:
        """Erases a conversation (and its rate-limit counters); True when there was one."""
        counters = list(self.red.scan_iter(match=f"{self.key_prefix}:rate:{sender_id}:*"))
        if counters:
            self.red.delete(*counters)
        return self.red.delete(self.events_key(sender_id), self.meta_key(sender_id)) > 0


class SecretFreeSQLTrackerStore(SQLTrackerStore):
    """Rasa's SQL tracker store, minus the members' tokens, with retention and erasure.

    Conversations untouched for ``record_exp`` seconds are deleted: at start, then at most
    once an hour on a save (Redis expires its keys itself; SQL needs asking).
    """

    PURGE_EVERY = 3600.0

    def __init__(self, *args: Any, record_exp: Optional[float] = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.record_exp = float(record_exp) if record_exp else None
        self._last_purge = 0.0
        self._purge_if_due()

    def _purge_if_due(self) -> None:
        now = time.time()
        if self.record_exp and now - self._last_purge >= self.PURGE_EVERY:
            self._last_purge = now
            try:
                removed = self.purge_before(now - self.record_exp)
                if removed:
                    logger.info("Retention: %d expired conversation(s) deleted.", removed)
            except Exception as error:  # retention runs again within the hour
                logger.error("Retention purge failed (%s).", type(error).__name__)

    async def save(self, tracker: DialogueStateTracker) -> None:
        strip_secrets(tracker.events)
        await super().save(tracker)
        self._purge_if_due()

    def purge_before(self, timestamp: float) -> int:
        """Deletes every conversation whose latest event is older than `timestamp`."""
        table = self.SQLEvent
        with self.session_scope() as session:
            latest = (
                session.query(table.sender_id)
                .group_by(table.sender_id)
                .having(sa.func.max(table.timestamp) < timestamp)
                .all()
            )
            senders = [row[0] for row in latest]
            for chunk in range(0, len(senders), 500):
                session.query(table).filter(
                    table.sender_id.in_(senders[chunk : chunk + 500])
                ).delete(synchronize_session=False)
            session.commit()
        return len(senders)

    def sender_ids_for_member(self, member_ref: Text) -> List[Text]:
        table = self.SQLEvent
        needle = f'"member_ref": "{member_ref}"'
        with self.session_scope() as session:
            rows = (
                session.query(table.sender_id)
                .filter(table.type_name == "user", table.data.contains(needle))
                .distinct()
                .all()
            )
        return sorted(row[0] for row in rows)

    async def delete(self, sender_id: Text) -> bool:
        table = self.SQLEvent
        with self.session_scope() as session:
            removed = session.query(table).filter(table.sender_id == sender_id).delete()
            session.commit()
        return removed > 0

    def forget_member(self, member_ref: Text) -> None:
        """Nothing to do: the SQL store keeps no index of members."""


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
            domain, dialect="sqlite", db=path, event_broker=event_broker, record_exp=record_exp
        )
