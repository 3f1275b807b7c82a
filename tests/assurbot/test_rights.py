"""Identity refs, the rate limit and the SQLite store's retention and erasure (no server)."""

from __future__ import annotations

import time

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from assurbot.identity import member_ref, with_member_ref
from assurbot.limits import RateLimiter
from assurbot.tracker_store import SecretFreeSQLTrackerStore
from member_system.token import issue_token

DOMAIN = Domain.from_yaml("version: '3.1'\nintents: [greet]\n")


def test_only_a_valid_token_gives_a_member_ref():
    token = issue_token("P-CLAIRE-REMB")
    assert with_member_ref({"auth_token": token})["member_ref"] == member_ref("P-CLAIRE-REMB")
    assert "member_ref" not in with_member_ref({"member_ref": member_ref("P-KARIM-IJ")})
    assert "member_ref" not in with_member_ref({"auth_token": token[:-2] + "xx"})
    expired = issue_token("P-CLAIRE-REMB", now=int(time.time()) - 7200, ttl=60)
    assert "member_ref" not in with_member_ref({"auth_token": expired})
    assert member_ref("P-CLAIRE-REMB") != member_ref("P-KARIM-IJ")
    assert "P-CLAIRE" not in member_ref("P-CLAIRE-REMB")


def test_the_in_process_rate_limit_counts_per_conversation(monkeypatch):
    monkeypatch.setenv("RATE_LIMIT_MESSAGES", "3")
    monkeypatch.setenv("RATE_LIMIT_WINDOW_SECONDS", "60")
    limiter = RateLimiter(url="")
    assert [limiter.allow("a") for _ in range(5)] == [True, True, True, False, False]
    assert limiter.allow("b")


def test_zero_turns_the_rate_limit_off(monkeypatch):
    monkeypatch.setenv("RATE_LIMIT_MESSAGES", "0")
    limiter = RateLimiter(url="")
    assert all(limiter.allow("a") for _ in range(100))


@pytest.mark.integration
def test_the_redis_rate_limit_is_shared_by_two_limiters(monkeypatch, redis_url):
    monkeypatch.setenv("RATE_LIMIT_MESSAGES", "4")
    first = RateLimiter(url=redis_url, key_prefix="rl" + str(time.time_ns()))
    second = RateLimiter(url=redis_url, key_prefix=first.prefix)
    allowed = [first.allow("c"), second.allow("c"), first.allow("c"), second.allow("c")]
    assert allowed == [True] * 4
    assert not first.allow("c") and not second.allow("c")


def conversation(sender: str, ref: str | None, stamp: float) -> DialogueStateTracker:
    metadata = {"member_ref": ref} if ref else {}
    return DialogueStateTracker.from_events(
        sender,
        [
            ActionExecuted("action_session_start", timestamp=stamp),
            SessionStarted(timestamp=stamp),
            ActionExecuted("action_listen", timestamp=stamp),
            UserUttered("bonjour", {"name": "greet"}, metadata=metadata, timestamp=stamp),
        ],
    )


async def test_the_sqlite_store_finds_erases_and_expires_conversations(tmp_path):
    store = SecretFreeSQLTrackerStore(DOMAIN, dialect="sqlite", db=str(tmp_path / "t.db"))
    now = time.time()
    await store.save(conversation("old", None, now - 40 * 86400))
    await store.save(conversation("claire-1", "m_claire", now))
    await store.save(conversation("claire-2", "m_claire", now))
    await store.save(conversation("karim", "m_karim", now))

    assert store.sender_ids_for_member("m_claire") == ["claire-1", "claire-2"]
    assert await store.delete("claire-1")
    assert await store.retrieve("claire-1") is None
    assert store.sender_ids_for_member("m_claire") == ["claire-2"]

    assert store.purge_before(now - 30 * 86400) == 1
    assert await store.retrieve("old") is None
    assert await store.retrieve("karim") is not None


async def test_the_sqlite_store_purges_on_start_with_a_retention(tmp_path):
    path = str(tmp_path / "t.db")
    store = SecretFreeSQLTrackerStore(DOMAIN, dialect="sqlite", db=path)
    await store.save(conversation("old", None, time.time() - 40 * 86400))
    SecretFreeSQLTrackerStore(DOMAIN, dialect="sqlite", db=path, record_exp=30 * 86400)
    assert await store.retrieve("old") is None
