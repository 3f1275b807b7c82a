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


def nir(body: str) -> str:
    """A synthetic NIR with its right key."""
    return f"{body} {97 - int(body.replace(' ', '')) % 97:02d}"


# Each kind of personal data, as a member would type it, with what must never be kept of it.
TYPED = {
    "nir": (f"mon numéro de sécu est {nir('1 85 05 78 006 084')}", "006 084"),
    "iban": ("mon rib est FR76 3000 6000 0112 3456 7890 189", "0112 3456"),
    "card": ("ma carte bancaire 4111 1111 1111 1111 a été débitée", "4111 1111"),
    "phone": ("rappelez-moi au 06 12 34 56 78", "06 12 34 56 78"),
    "email": ("écrivez-moi à jeanne.martin-test@example.fr", "jeanne.martin-test"),
}


@pytest.mark.parametrize("kind", list(TYPED))
def test_each_kind_is_masked_in_every_store_and_log(stack, redis_url, kind):
    import time

    from assurbot.event_store import EventStore

    text, secret = TYPED[kind]
    sender = f"it-{kind}-{uuid.uuid4().hex[:8]}"
    replies = stack.say(sender, text)
    assert "n'envoyez jamais" in replies[0].get("text", "")
    time.sleep(0.5)  # the event store is written in batches (EVENT_STORE_FLUSH_SECONDS)

    stored = b"".join(
        redis.Redis.from_url(redis_url).lrange(f"{stack.key_prefix}:tracker:{sender}", 0, -1)
    )
    assert stored and secret.encode() not in stored
    assert b"masqu" in stored
    events = EventStore(stack.env["EVENT_STORE_URL"])
    try:
        exported = events.export_conversations([sender])[sender]
    finally:
        events.close()
    assert exported and secret not in str(exported)
    assert any("masqu" in (e.get("text") or "") for e in exported)
    logs = "".join(p.read_text(errors="replace") for p in stack.log_dir.glob("*.log"))
    assert secret not in logs
