"""The event store: nothing in clear, and what retention and erasure need, on SQLite and PostgreSQL.

The PostgreSQL cases run against the local server (EVENT_STORE_TEST_POSTGRES_URL, default the
database `test` as user postgres), in a table of their own dropped afterwards; they are skipped
when it is unreachable.
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path
from typing import Iterator

import pytest
import sqlalchemy as sa
from rasa.utils.endpoints import EndpointConfig

from assurbot import event_store
from assurbot.event_broker import AssurbotEventBroker
from assurbot.event_store import EventStore, store_url
from tests.analytics.events import IBAN, NIR, TOKEN, article_answer, user

POSTGRES_URL = os.environ.get(
    "EVENT_STORE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)


def _postgres_answers() -> bool:
    try:
        engine = sa.create_engine(POSTGRES_URL, connect_args={"connect_timeout": 2})
        with engine.connect() as connection:
            connection.execute(sa.text("select 1"))
        engine.dispose()
        return True
    except Exception:
        return False


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgresql", marks=pytest.mark.integration),
    ]
)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[EventStore]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'events.db'}"
    else:
        if not _postgres_answers():
            pytest.skip(f"PostgreSQL unreachable at {POSTGRES_URL}")
        url = POSTGRES_URL
    found = EventStore(url, table=f"events_test_{uuid.uuid4().hex[:10]}")
    yield found
    found.drop()
    found.close()


def _raw(store: EventStore) -> str:
    """Everything the table holds, as the database has it."""
    with store.engine.connect() as connection:
        rows = connection.execute(sa.select(store.table)).all()
    return "\n".join(" ".join(str(v) for v in row) for row in rows)


def test_no_token_nor_personal_data_is_ever_written(store):
    text = f"mon nir {NIR}, mon iban {IBAN}, écrivez à jean.dupont@example.org"
    event = user("s1", text, "change_bank_details", 0.9, timestamp=100.0)
    event["metadata"] = {"auth_token": TOKEN, "journey": "vaccination", "member_ref": "m-1"}
    event["parse_data"]["metadata"] = {"auth_token": TOKEN}
    session_metadata = {
        "sender_id": "s1",
        "event": "slot",
        "timestamp": 99.0,
        "name": "session_started_metadata",
        "value": {"auth_token": TOKEN, "journey": "vaccination"},
    }
    original = json.dumps(event)
    store.write([session_metadata, event])

    raw = _raw(store)
    for secret in (TOKEN, NIR, NIR.replace(" ", ""), "3000 6000", "jean.dupont@example.org"):
        assert secret not in raw
    assert "auth_token" not in raw
    stored = list(store.events())
    assert stored[0]["value"] == {"journey": "vaccination"}
    assert "[IBAN masqu" in stored[1]["text"] and "[IBAN masqu" in stored[1]["parse_data"]["text"]
    assert "[num\u00e9ro de s\u00e9curit\u00e9 sociale masqu\u00e9]" in stored[1]["text"]
    assert "[adresse e-mail masqu\u00e9e]" in stored[1]["text"]
    assert stored[1]["metadata"] == {"journey": "vaccination", "member_ref": "m-1"}
    assert json.dumps(event) == original  # the caller's event is left as it was


def test_sqlite_file_holds_nothing_in_clear(tmp_path):
    path = tmp_path / "events.db"
    store = EventStore(f"sqlite:///{path}")
    event = user("s1", f"iban {IBAN} mail a.b@example.org", "change_bank_details", 0.9)
    event["metadata"] = {"auth_token": TOKEN}
    store.write([event])
    store.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir())  # the database and its WAL
    assert TOKEN.encode() not in raw and b"3000 6000" not in raw and b"a.b@example" not in raw


def test_events_of_a_period_in_time_order(store):
    store.write([user("b", "deux", timestamp=20.0), user("a", "un", timestamp=10.0)])
    store.write([user("a", "trois", timestamp=30.0)])
    assert [e["text"] for e in store.events()] == ["un", "deux", "trois"]
    assert [e["text"] for e in store.events(since=10.0, until=30.0)] == ["un", "deux"]
    assert [e["sender_id"] for e in store.events(sender_ids=["a"])] == ["a", "a"]


def test_export_delete_purge_and_find_a_member(store):
    member = user("conv-1", "bonjour", timestamp=10.0)
    member["metadata"] = {"member_ref": "ref-claire"}
    later = user("conv-2", "re", timestamp=50.0)
    later["parse_data"]["metadata"] = {"member_ref": "ref-claire"}
    other = user("conv-3", "salut", timestamp=60.0)
    other["metadata"] = {"member_ref": "ref-karim"}
    store.write([member, user("conv-1", "merci", timestamp=11.0), later, other])

    assert store.sender_ids_for_member("ref-claire") == ["conv-1", "conv-2"]
    assert store.sender_ids_for_member("nobody") == []
    exported = store.export_conversations(["conv-1", "conv-9"])
    assert [e["text"] for e in exported["conv-1"]] == ["bonjour", "merci"]
    assert exported["conv-9"] == []

    assert store.delete_conversations(["conv-1"]) == 2
    assert store.sender_ids_for_member("ref-claire") == ["conv-2"]
    assert store.purge_before(55.0) == 1  # conv-2's message at 50
    assert [e["sender_id"] for e in store.events()] == ["conv-3"]
    assert store.count() == 1


def test_module_functions_for_retention_and_erasure(tmp_path):
    url = f"sqlite:///{tmp_path / 'events.db'}"
    first = user("c1", "bonjour", timestamp=10.0)
    first["metadata"] = {"member_ref": "ref-1"}
    EventStore(url).write([first, user("c2", "salut", timestamp=20.0)])
    assert event_store.sender_ids_for_member("ref-1", url=url) == ["c1"]
    assert [e["text"] for e in event_store.export_events(["c1"], url=url)["c1"]] == ["bonjour"]
    assert event_store.delete_events(["c1"], url=url) == 1
    assert event_store.purge_events_before(25.0, url=url) == 1
    assert event_store.export_events(["c1", "c2"], url=url) == {"c1": [], "c2": []}


def test_store_url_defaults_to_sqlite_in_var(monkeypatch):
    monkeypatch.setenv("EVENT_STORE_URL", "")
    assert store_url() == f"sqlite:///{event_store.ROOT / 'var' / 'events.db'}"
    monkeypatch.setenv("EVENT_STORE_URL", "postgres://u@h:5432/d")
    assert store_url() == "postgresql://u@h:5432/d"
    assert store_url("sqlite:////tmp/x.db") == "sqlite:////tmp/x.db"


async def test_the_broker_writes_through_the_store(tmp_path):
    url = f"sqlite:///{tmp_path / 'events.db'}"
    broker = await AssurbotEventBroker.from_endpoint_config(
        EndpointConfig(url=url, type="assurbot.event_broker.AssurbotEventBroker")
    )
    event = user("s", f"rib {IBAN}", "change_bank_details", 0.8)
    event["metadata"] = {"auth_token": TOKEN}
    broker.publish(event)
    await broker.close()  # whatever the broker still holds is written when Rasa stops
    stored = list(EventStore(url).events())
    assert len(stored) == 1 and "3000" not in stored[0]["text"] and stored[0]["metadata"] == {}


async def test_what_an_answer_was_is_kept_with_the_bot_message(tmp_path):
    """The report counts answers per article from the `custom` field Rasa puts in a bot
    event's `data`: the broker and the store keep it as it is."""
    from rasa.core.actions.action import create_bot_utterance

    custom = article_answer("lost_vitale_card")
    uttered = create_bot_utterance(
        {"text": "Déclarez la perte...", "custom": custom, "utter_action": "utter_knowledge_answer"}
    )
    url = f"sqlite:///{tmp_path / 'events.db'}"
    broker = AssurbotEventBroker(EventStore(url))
    broker.publish({**uttered.as_dict(), "sender_id": "s"})
    broker.publish(
        {**create_bot_utterance({"custom": {"answer": None}}).as_dict(), "sender_id": "s"}
    )
    await broker.close()
    stored = [e["data"]["custom"] for e in EventStore(url).events()]
    assert stored == [custom, {"answer": None}]


async def test_the_broker_deletes_events_past_the_retention_period(tmp_path, monkeypatch):
    import time

    monkeypatch.setenv("CONVERSATION_RETENTION_SECONDS", "86400")
    url = f"sqlite:///{tmp_path / 'events.db'}"
    now = time.time()
    seed = EventStore(url)
    seed.write([user("old", "bonjour", timestamp=now - 2 * 86400)])
    seed.write([user("recent", "bonjour", timestamp=now - 3600)])
    seed.close()
    # Rasa starts: the broker purges at once, then once an hour.
    broker = await AssurbotEventBroker.from_endpoint_config(
        EndpointConfig(url=url, type="assurbot.event_broker.AssurbotEventBroker")
    )
    await broker.close()
    assert [e["sender_id"] for e in EventStore(url).events()] == ["recent"]
    assert broker.purge_if_due() == 0  # not again within the hour


async def test_the_broker_can_be_turned_off():
    config = EndpointConfig(url="off", type="assurbot.event_broker.AssurbotEventBroker")
    assert await AssurbotEventBroker.from_endpoint_config(config) is None


async def test_a_failing_store_never_breaks_the_conversation(tmp_path, caplog):
    class Broken(EventStore):
        def write(self, events):
            raise sa.exc.OperationalError("insert", {"text": IBAN}, Exception("down"))

    broker = AssurbotEventBroker(Broken(f"sqlite:///{tmp_path / 'e.db'}"))
    broker.publish(user("s", "bonjour"))  # no exception
    await broker.close()  # nor when what was queued is written
    assert "OperationalError" in caplog.text and IBAN not in caplog.text
