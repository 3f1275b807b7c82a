from actions.dialogue import ActionSessionStart
from tests.conftest import make_tracker


async def test_a_session_opened_by_the_channel_gets_a_welcome(dispatcher):
    tracker = make_tracker(intent="session_start")
    events = await ActionSessionStart().run(dispatcher, tracker, {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_welcome"]
    assert events[0]["event"] == "session_started"
    assert events[-1]["event"] == "action" and events[-1]["name"] == "action_listen"


async def test_a_session_started_by_a_question_shows_no_welcome(dispatcher):
    tracker = make_tracker(intent="distress", text="je veux mourir")
    await ActionSessionStart().run(dispatcher, tracker, {})
    assert dispatcher.messages == []


async def test_the_journey_of_the_page_opens_the_conversation_on_its_subject(dispatcher):
    tracker = make_tracker(intent="session_start", metadata={"journey": "vaccination"})
    events = await ActionSessionStart().run(dispatcher, tracker, {})
    assert dispatcher.messages[0]["response"] == "utter_journey_vaccination"
    assert {"event": "slot", "name": "journey", "value": "vaccination"}.items() <= next(
        e for e in events if e.get("name") == "journey"
    ).items()


async def test_an_unknown_journey_is_ignored(dispatcher):
    tracker = make_tracker(intent="session_start", metadata={"journey": "<script>"})
    events = await ActionSessionStart().run(dispatcher, tracker, {})
    assert dispatcher.messages[0]["response"] == "utter_welcome"
    assert not any(e.get("name") == "journey" for e in events)
