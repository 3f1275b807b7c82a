"""Personal data typed into the chat is masked before anything keeps it."""

from __future__ import annotations

import uuid

import pytest
import redis

pytestmark = pytest.mark.integration

IBAN = "FR76 3000 6000 0112 3456 7890 189"


def test_an_iban_is_masked_the_member_warned_and_the_question_answered(stack, redis_url):
    sender = f"it-{uuid.uuid4().hex[:8]}"
    replies = stack.say(sender, f"j'ai changé de banque, mon nouveau rib est {IBAN}")
    texts = [r.get("text", "") for r in replies]
    assert "n'envoyez jamais" in texts[0]
    assert len(texts) > 1  # the question itself is still answered
    stored = b"".join(
        redis.Redis.from_url(redis_url).lrange(f"{stack.key_prefix}:tracker:{sender}", 0, -1)
    )
    assert b"3000 6000" not in stored and b"30006000" not in stored
    assert b"[IBAN masqu" in stored  # stored as JSON, accents escaped
    logs = "".join(p.read_text(errors="replace") for p in stack.log_dir.glob("*.log"))
    assert "3000 6000 0112" not in logs
