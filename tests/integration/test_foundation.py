"""A short conversation over the REST webhook, stored in a real Redis (issue: foundation)."""

from __future__ import annotations

import json
import uuid

import pytest
import redis

pytestmark = pytest.mark.integration


def test_the_bot_answers_in_french_and_keeps_the_conversation_in_redis(stack, redis_url):
    sender = f"it-{uuid.uuid4().hex[:8]}"

    greeting = stack.texts(sender, "bonjour")
    assert "Assurbot" in greeting and "Que puis-je faire pour vous" in greeting

    robot = stack.texts(sender, "es-tu un robot ?")
    assert "assistant virtuel" in robot

    distress = stack.say(sender, "je veux mourir")
    first = distress[0]["text"]
    assert all(number in first for number in ("15", "112", "3114")), first

    weather = stack.texts(sender, "quel temps fait-il à Lyon ?")
    assert "Assurance Maladie" in weather and "météo" not in weather.lower()

    client = redis.Redis.from_url(redis_url)
    stored = [json.loads(e) for e in client.lrange(f"{stack.key_prefix}:tracker:{sender}", 0, -1)]
    said = [e["text"] for e in stored if e["event"] == "user"]
    assert said == ["bonjour", "es-tu un robot ?", "je veux mourir", "quel temps fait-il à Lyon ?"]
    bot_texts = [e["text"] for e in stored if e["event"] == "bot"]
    assert any("3114" in (t or "") for t in bot_texts)
    # No lock is left behind once the messages are answered.
    assert not list(client.scan_iter(f"{stack.key_prefix}:lock:*"))


def test_an_empty_or_huge_or_strange_message_gets_an_answer(stack):
    sender = f"it-{uuid.uuid4().hex[:8]}"
    for text in ["", "😀😀😀", "<script>alert(1)</script>", "a" * 10_000]:
        replies = stack.say(sender, text)
        assert replies and all(r.get("text") or r.get("buttons") for r in replies), (text, replies)
    assert "Assurbot" in stack.texts(sender, "bonjour")
