"""The tracker store and lock store against a real Redis (no mock)."""

from __future__ import annotations

import asyncio
import json
import threading
import uuid

import pytest
import redis
from rasa.core.lock_store import InMemoryLockStore
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from assurbot.lock_store import AssurbotLockStore, AtomicRedisLockStore
from assurbot.tracker_store import AssurbotTrackerStore, RedisEventLogTrackerStore

pytestmark = pytest.mark.integration

DOMAIN = Domain.from_yaml("version: '3.1'\nintents: [greet]\n")


def session_start() -> list:
    return [
        ActionExecuted("action_session_start"),
        SessionStarted(),
        ActionExecuted("action_listen"),
    ]


def turn(text: str) -> list:
    return [
        UserUttered(text, {"name": "greet", "confidence": 1.0}),
        BotUttered(f"réponse à {text}"),
        ActionExecuted("action_listen"),
    ]


@pytest.fixture
def store(redis_url):
    return RedisEventLogTrackerStore(DOMAIN, redis_url, key_prefix="t" + uuid.uuid4().hex[:6])


def test_the_embedded_default_needs_no_server(tmp_path):
    store = AssurbotTrackerStore(domain=DOMAIN, host="", sqlite_path=str(tmp_path / "t.db"))
    assert isinstance(store, SQLTrackerStore)
    lock_store = AssurbotLockStore(endpoint_config=EndpointConfig(url=""))
    assert isinstance(lock_store, InMemoryLockStore)


def test_redis_url_switches_both_stores_to_redis(redis_url):
    store = AssurbotTrackerStore(domain=DOMAIN, host=redis_url, key_prefix="x", record_exp="60")
    assert isinstance(store, RedisEventLogTrackerStore) and store.record_exp == 60
    lock_store = AssurbotLockStore(endpoint_config=EndpointConfig(url=redis_url))
    assert isinstance(lock_store, AtomicRedisLockStore)


async def test_a_save_appends_only_the_new_events(store):
    sender = "member-1"
    tracker = DialogueStateTracker.from_events(sender, session_start() + turn("bonjour"))
    await store.save(tracker)
    assert store.red.llen(store.events_key(sender)) == 6

    again = await store.retrieve(sender)
    assert [e.as_dict()["event"] for e in again.events] == [
        e.as_dict()["event"] for e in tracker.events
    ]
    for event in turn("merci"):
        again.update(event)
    await store.save(again)
    stored = [json.loads(e) for e in store.red.lrange(store.events_key(sender), 0, -1)]
    assert len(stored) == 9
    assert [e["text"] for e in stored if e["event"] == "user"] == ["bonjour", "merci"]


async def test_retrieve_returns_the_current_session_and_full_returns_all(store):
    sender = "member-2"
    tracker = DialogueStateTracker.from_events(sender, session_start() + turn("hier"))
    await store.save(tracker)
    tracker = await store.retrieve(sender)
    for event in session_start() + turn("aujourd'hui"):
        tracker.update(event)
    await store.save(tracker)

    current = await store.retrieve(sender)
    assert [e.text for e in current.events if isinstance(e, UserUttered)] == ["aujourd'hui"]
    full = await store.retrieve_full_tracker(sender)
    assert [e.text for e in full.events if isinstance(e, UserUttered)] == ["hier", "aujourd'hui"]

    # Saving the current-session tracker again appends only what it adds.
    current.update(UserUttered("encore", {"name": "greet", "confidence": 1.0}))
    await store.save(current)
    full = await store.retrieve_full_tracker(sender)
    texts = [e.text for e in full.events if isinstance(e, UserUttered)]
    assert texts == ["hier", "aujourd'hui", "encore"]


async def test_a_copy_of_a_tracker_is_still_appended_not_duplicated(store):
    sender = "member-3"
    tracker = DialogueStateTracker.from_events(sender, session_start() + turn("un"))
    await store.save(tracker)
    copy = (await store.retrieve(sender)).copy()  # a rebuilt tracker loses our mark
    for event in turn("deux"):
        copy.update(event)
    await store.save(copy)
    full = await store.retrieve_full_tracker(sender)
    assert [e.text for e in full.events if isinstance(e, UserUttered)] == ["un", "deux"]


async def test_replaced_events_replace_the_conversation(store):
    sender = "member-4"
    await store.save(DialogueStateTracker.from_events(sender, session_start() + turn("avant")))
    replacement = DialogueStateTracker.from_events(sender, session_start() + turn("après"))
    await store.save(replacement)
    full = await store.retrieve_full_tracker(sender)
    assert [e.text for e in full.events if isinstance(e, UserUttered)] == ["après"]


async def test_conversations_expire_and_can_be_listed_and_erased(redis_url):
    store = RedisEventLogTrackerStore(
        DOMAIN, redis_url, key_prefix="e" + uuid.uuid4().hex[:6], record_exp=3600
    )
    await store.save(DialogueStateTracker.from_events("m5", session_start() + turn("x")))
    assert 3500 < store.red.ttl(store.events_key("m5")) <= 3600
    assert list(await store.keys()) == ["m5"]
    assert await store.delete("m5")
    assert await store.retrieve("m5") is None


def test_tickets_are_unique_and_ordered_under_concurrency(redis_url):
    """Many threads take tickets on one conversation at once: no number is given twice."""
    lock_store = AtomicRedisLockStore(redis_url, key_prefix="l" + uuid.uuid4().hex[:6])
    numbers: list[int] = []
    guard = threading.Lock()

    def take() -> None:
        for _ in range(20):
            number = lock_store.issue_ticket("conv", lock_lifetime=60)
            with guard:
                numbers.append(number)

    threads = [threading.Thread(target=take) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(numbers) == list(range(160))
    lock = lock_store.get_lock("conv")
    assert [t.number for t in lock.tickets] == list(range(160))
    for n in range(160):
        lock_store.cleanup("conv", n)
    assert lock_store.get_lock("conv") is None


async def test_the_lock_serves_one_holder_at_a_time(redis_url):
    lock_store = AtomicRedisLockStore(redis_url, key_prefix="s" + uuid.uuid4().hex[:6])
    inside = 0
    most = 0
    order: list[int] = []

    async def hold(i: int) -> None:
        nonlocal inside, most
        async with lock_store.lock("conv", lock_lifetime=10, wait_time_in_seconds=0.01):
            inside += 1
            most = max(most, inside)
            order.append(i)
            await asyncio.sleep(0.01)
            inside -= 1

    await asyncio.gather(*(hold(i) for i in range(10)))
    assert most == 1 and sorted(order) == list(range(10))
    assert not redis.Redis.from_url(redis_url).exists(lock_store.key_prefix + "conv")


def test_an_expired_ticket_does_not_block_the_conversation(redis_url):
    lock_store = AtomicRedisLockStore(redis_url, key_prefix="x" + uuid.uuid4().hex[:6])
    dead = lock_store.issue_ticket("conv", lock_lifetime=0.05)  # a worker that died
    import time

    time.sleep(0.1)
    alive = lock_store.issue_ticket("conv", lock_lifetime=10)
    assert alive == 0 and dead == 0  # the dead ticket was dropped; numbering restarts
    assert lock_store.get_lock("conv").now_serving == alive


async def test_the_members_token_is_never_stored(store, tmp_path):
    metadata = {"auth_token": "eyJ.secret.token", "journey": "vaccination"}
    events = [
        ActionExecuted("action_session_start"),
        SessionStarted(),
        SlotSet("session_started_metadata", dict(metadata)),
        ActionExecuted("action_listen"),
        UserUttered("bonjour", {"name": "greet", "confidence": 1.0}, metadata=dict(metadata)),
    ]
    sql = AssurbotTrackerStore(domain=DOMAIN, host="", sqlite_path=str(tmp_path / "t.db"))
    for each in (store, sql):
        tracker = DialogueStateTracker.from_events("member-6", [e for e in events])
        await each.save(tracker)
        full = await each.retrieve_full_tracker("member-6")
        dumped = json.dumps([e.as_dict() for e in full.events])
        assert "eyJ.secret.token" not in dumped and "vaccination" in dumped
    raw = b"".join(store.red.lrange(store.events_key("member-6"), 0, -1))
    assert b"secret" not in raw


def test_interactive_training_keeps_conversations_in_memory():
    from rasa.core.tracker_store import InMemoryTrackerStore

    store = AssurbotTrackerStore(domain=DOMAIN, host="", sqlite_path="memory")
    assert isinstance(store, InMemoryTrackerStore)


# --- windows: a long session is read from its recent turns ------------------------------
SLOT_DOMAIN = Domain.from_yaml(
    """
version: '3.1'
intents: [greet]
slots:
  journey:
    type: categorical
    values: [public_site, account]
    mappings: [{type: custom}]
  feedback:
    type: text
    influence_conversation: false
    mappings: [{type: custom}]
"""
)


async def test_a_long_session_is_read_from_a_window_and_nothing_is_lost(redis_url):
    from assurbot.tracker_store import WINDOW_MAX_EVENTS

    store = RedisEventLogTrackerStore(SLOT_DOMAIN, redis_url, key_prefix="w" + uuid.uuid4().hex[:6])
    sender = "long-session"
    first = DialogueStateTracker.from_events(
        sender,
        session_start() + [SlotSet("journey", "account")] + turn("message 0"),
        SLOT_DOMAIN.slots,
    )
    await store.save(first)
    sizes = []
    for n in range(1, 150):
        tracker = await store.retrieve(sender)
        sizes.append(len(tracker.events))
        # what the assistant knew is still there, however long the session
        assert tracker.get_slot("journey") == "account"
        for event in turn(f"message {n}"):
            tracker.update(event)
        if n == 100:
            tracker.update(SlotSet("feedback", "up"))
        await store.save(tracker)

    assert max(sizes) <= WINDOW_MAX_EVENTS + len(turn("x")) + 8
    assert sizes[-1] < sizes[30]  # the window cut happened
    latest = await store.retrieve(sender)
    assert latest.get_slot("feedback") == "up"
    assert latest.latest_message.text == "message 149"

    # the full log holds every event once, in order
    full = await store.retrieve_full_tracker(sender)
    texts = [e.text for e in full.events if isinstance(e, UserUttered)]
    assert texts == [f"message {n}" for n in range(150)]
    assert store.red.llen(store.events_key(sender)) == len(full.events) == 3 + 1 + 150 * 3 + 1


async def test_a_copy_of_a_windowed_tracker_is_appended_not_replacing_the_log(redis_url):
    """A tracker rebuilt from a dict (no mark) still finds where it belongs in the log."""
    store = RedisEventLogTrackerStore(SLOT_DOMAIN, redis_url, key_prefix="c" + uuid.uuid4().hex[:6])
    sender = "copied"
    events = session_start()
    for n in range(60):
        events += turn(f"m{n}")
    await store.save(DialogueStateTracker.from_events(sender, events, SLOT_DOMAIN.slots))
    windowed = await store.retrieve(sender)
    await store.save(windowed)  # nothing new: sets the window
    windowed = await store.retrieve(sender)
    copy = DialogueStateTracker.from_dict(
        sender, [e.as_dict() for e in windowed.events], SLOT_DOMAIN.slots
    )
    for event in turn("after the copy"):
        copy.update(event)
    await store.save(copy)
    full = await store.retrieve_full_tracker(sender)
    texts = [e.text for e in full.events if isinstance(e, UserUttered)]
    assert texts == [f"m{n}" for n in range(60)] + ["after the copy"]
