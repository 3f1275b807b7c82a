from actions.dialogue import (
    ActionAnswerOutOfScope,
    ActionDefaultAskAffirmation,
    ActionSessionStart,
)
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


async def test_out_of_scope_names_the_right_body(dispatcher):
    tracker = make_tracker(
        intent="out_of_scope",
        entities=[{"entity": "other_body", "value": "CAF"}],
        text="quand est versée la CAF",
    )
    await ActionAnswerOutOfScope().run(dispatcher, tracker, {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_out_of_scope_caf"]


async def test_out_of_scope_without_a_body_gets_the_general_answer(dispatcher):
    tracker = make_tracker(intent="out_of_scope", text="quel temps fait-il à Lyon ?")
    await ActionAnswerOutOfScope().run(dispatcher, tracker, {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_out_of_scope"]


async def test_clarification_offers_the_two_most_likely_topics(dispatcher):
    tracker = make_tracker(
        intent="nlu_fallback",
        text="carte",
        extra_parse_data={
            "intent_ranking": [
                {"name": "nlu_fallback", "confidence": 0.55},
                {"name": "lost_vitale_card", "confidence": 0.4},
                {"name": "greet", "confidence": 0.3},
                {"name": "check_vitale_card", "confidence": 0.2},
                {"name": "check_reimbursement_status", "confidence": 0.1},
            ],
        },
    )
    await ActionDefaultAskAffirmation().run(dispatcher, tracker, {})
    message = dispatcher.messages[0]
    assert message["response"] == "utter_ask_affirmation"
    titles = [b["title"] for b in message["buttons"]]
    assert titles == ["Carte Vitale perdue ou volée", "Ma carte Vitale", "Autre chose"]
    assert message["buttons"][0]["payload"] == "/lost_vitale_card"
    assert message["buttons"][1]["payload"] == "/check_vitale_card"
    assert message["buttons"][2]["payload"] == "/out_of_scope"
