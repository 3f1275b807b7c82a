"""Against the real running assistant: its events reach the store, never in clear, and the
simulated conversations (REST and socket.io, personas, journeys, thumbs) give the report its
figures."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import datetime

import pytest

from analytics import simulate
from analytics.metrics import TIMEZONE, compute, conversations
from assurbot.event_store import EventStore
from member_system.token import issue_token
from tests.analytics.events import IBAN, NIR

pytestmark = pytest.mark.integration


def stored_events(store: EventStore, senders, until) -> list:
    """The events of these conversations once ``until(events)`` holds (the broker may write
    them a moment after the answer)."""
    deadline = time.monotonic() + 15
    while True:
        found = [e for events in store.export_conversations(senders).values() for e in events]
        if until(found) or time.monotonic() > deadline:
            return sorted(found, key=lambda e: e["timestamp"])
        time.sleep(0.2)


@pytest.fixture
def events(stack):
    store = EventStore(stack.env["EVENT_STORE_URL"])
    yield store
    store.close()


def test_a_message_with_personal_data_and_a_token_is_stored_masked(stack, events):
    sender = f"it-{uuid.uuid4().hex[:8]}"
    token = issue_token("P-CLAIRE-REMB")
    text = f"mon nir est {NIR}, mon rib {IBAN}, mon mail claire.f@example.org"
    replies = stack.texts(sender, text, {"auth_token": token, "journey": "vaccination"})
    assert "n'envoyez jamais" in replies

    stored = stored_events(events, [sender], lambda found: any(e["event"] == "user" for e in found))
    users = [e for e in stored if e["event"] == "user"]
    assert len(users) == 1
    assert "[IBAN masqu" in users[0]["text"] and "[adresse e-mail masqu" in users[0]["text"]
    raw = str(stored)
    for secret in (token, "3000 6000", NIR, "claire.f@example.org", "auth_token"):
        assert secret not in raw
    path = stack.env["EVENT_STORE_URL"][len("sqlite:///") :]
    with open(path, "rb") as db:
        on_disk = db.read()
    assert token.encode() not in on_disk and b"3000 6000" not in on_disk


def test_simulated_conversations_give_the_report_its_figures(stack, events):
    scripts = [
        simulate.Script("rest", ["bonjour", "quel temps fait-il à Lyon ?"]),
        simulate.Script(
            "rest", ["Où en est le remboursement de ma kiné ?"], persona="P-CLAIRE-REMB"
        ),
        simulate.Script("socketio", ["j'ai perdu ma carte vitale"], journey="vitale_card"),
        simulate.Script("socketio", ["je veux parler à un conseiller"]),
    ]
    web_url = f"http://127.0.0.1:{stack.env['WEB_PORT']}"
    outcomes = asyncio.run(simulate.run_scripts(scripts, stack.rasa_url, web_url, seed=7))
    assert [o.error for o in outcomes] == [None] * 4
    assert all(turn for o in outcomes for turn in o.replies)  # every message got an answer

    senders = [o.sender_id for o in outcomes]
    today = datetime.now(TIMEZONE).date()
    rated = [o.rating for o in outcomes if o.rating]

    def complete(found: list) -> bool:
        users = [e for e in found if e["event"] == "user"]
        thumbs = [e for e in found if e["event"] == "slot" and e.get("name") == "feedback"]
        return len(users) >= 5 + 2 and len(thumbs) == len(rated)  # + the two /session_start

    stored = stored_events(events, senders, complete)
    figures = compute(conversations(stored), today, today)
    assert figures.total.conversations == 4
    assert figures.total.messages == 5
    assert {s.label: s.conversations for s in figures.by_channel} == {
        "Appli (API REST)": 2,
        "Site web (socket.io)": 2,
    }
    assert {s.label: s.conversations for s in figures.by_journey}["page carte Vitale"] == 1
    assert figures.total.hand_offs == 1
    assert figures.total.out_of_scope == 1
    assert figures.total.ratings == len(rated)
    assert all(m.simulated for c in conversations(stored) for m in c.messages)
