"""Rights of access and erasure, and retention, against the running stack's real stores.

Two members and an anonymous visitor talk to the assistant; `python -m assurbot.gdpr` then
exports one member's conversations (all of them, nobody else's) and erases them from the
tracker store (Redis) and the event store (SQLite), and nothing of them is left.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid

import pytest
import redis

from assurbot.event_store import EventStore
from assurbot.identity import member_ref
from member_system.token import issue_token
from tests.conftest import ROOT

pytestmark = pytest.mark.integration

CLAIRE, KARIM = "P-CLAIRE-REMB", "P-KARIM-IJ"


def gdpr(stack, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "assurbot.gdpr", *args],
        cwd=ROOT,
        env=stack.env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def talk(stack, member: str | None, texts: list[str]) -> str:
    sender = "gdpr-" + uuid.uuid4().hex
    metadata = {"auth_token": issue_token(member)} if member else None
    for text in texts:
        assert stack.say(sender, text, metadata)
    return sender


def keys_of(value) -> set:
    """Every key of every object nested in `value`."""
    if isinstance(value, dict):
        return set(value) | set().union(*(keys_of(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(keys_of(v) for v in value))
    return set()


def redis_keys_of(stack, sender: str) -> list:
    client = redis.Redis.from_url(stack.env["REDIS_URL"])
    return [k for k in client.scan_iter(match=f"{stack.key_prefix}:*{sender}*")]


def test_export_then_erase_a_members_conversations_in_every_store(stack):
    claire = [
        talk(stack, CLAIRE, ["Où en est mon remboursement ?", "merci"]),
        talk(stack, CLAIRE, ["Il me faut une attestation de droits"]),
    ]
    karim = talk(stack, KARIM, ["Quand seront payées mes indemnités journalières ?"])
    anonymous = talk(stack, None, ["J'ai perdu ma carte Vitale"])
    time.sleep(0.5)  # the event store is written in batches (EVENT_STORE_FLUSH_SECONDS)

    exported = gdpr(stack, "export", "--member", CLAIRE)
    assert exported.returncode == 0, exported.stderr
    data = json.loads(exported.stdout)
    # all of Claire's conversations (other tests of the session may have added some), and
    # nobody else's
    assert set(claire) <= set(data["conversation_ids"])
    assert karim not in data["conversation_ids"] and anonymous not in data["conversation_ids"]
    texts = [
        e.get("text")
        for c in data["conversations"].values()
        for e in c["conversation"]
        if e["event"] == "user"
    ]
    assert "Où en est mon remboursement ?" in texts and "merci" in texts
    assert all(c["event_store"] for c in data["conversations"].values())
    # the export holds no token (as a metadata field or as text: a member may type
    # "auth_token" in a crafted message, which is then exported as typed), and the member is
    # named by the pseudonymous ref only
    assert "auth_token" not in keys_of(data)
    assert "eyJ" not in exported.stdout  # the start of every JWT
    assert member_ref(CLAIRE) in exported.stdout

    erased = gdpr(stack, "erase", "--member", CLAIRE)
    assert erased.returncode == 0, erased.stderr
    report = json.loads(erased.stdout)
    assert report["deleted"]["conversations"] >= 2 and report["left"] == 0
    assert report["deleted"]["event_store_events"] > 0

    events = EventStore(stack.env["EVENT_STORE_URL"])
    try:
        assert events.export_conversations(claire) == {} or not any(
            events.export_conversations(claire).values()
        )
        assert events.export_conversations([karim])[karim]  # nobody else's is touched
        assert events.export_conversations([anonymous])[anonymous]
    finally:
        events.close()
    for sender in claire:
        assert redis_keys_of(stack, sender) == []
    assert redis_keys_of(stack, karim) and redis_keys_of(stack, anonymous)
    again = json.loads(gdpr(stack, "export", "--member", CLAIRE).stdout)
    assert again["conversation_ids"] == []


def test_an_anonymous_conversation_is_erased_by_its_id(stack):
    sender = talk(stack, None, ["Comment déclarer mon médecin traitant ?"])
    assert redis_keys_of(stack, sender)
    erased = gdpr(stack, "erase", "--conversation", sender)
    assert erased.returncode == 0 and json.loads(erased.stdout)["left"] == 0
    assert redis_keys_of(stack, sender) == []


def test_a_forged_member_ref_is_discarded(stack):
    """A client cannot claim a member's conversations by sending their ref."""
    forged = talk(stack, None, [])
    stack.say(forged, "bonjour", {"member_ref": member_ref(KARIM)})
    time.sleep(0.5)
    data = json.loads(gdpr(stack, "export", "--member", KARIM).stdout)
    assert forged not in data["conversation_ids"]


def test_redis_conversations_expire_after_the_retention_period(stack):
    sender = talk(stack, None, ["bonjour"])
    client = redis.Redis.from_url(stack.env["REDIS_URL"])
    retention = int(stack.env["CONVERSATION_RETENTION_SECONDS"])
    keys = redis_keys_of(stack, sender)
    assert keys
    for key in keys:
        assert 0 < client.ttl(key) <= retention
