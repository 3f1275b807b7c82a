"""The knowledge action: what the member reads, the buttons, the slots and the `custom` field."""

import pytest

from actions.knowledge import ActionAnswerFromKnowledge, personal_action, personal_sibling
from knowledge.service import Knowledge
from tests.conftest import make_tracker
from tests.knowledge.conftest import TEST_THRESHOLDS, write_small_base


@pytest.fixture
def action(tmp_path):
    return ActionAnswerFromKnowledge(
        Knowledge.load(
            write_small_base(tmp_path / "kb"), with_vectors=False, thresholds=TEST_THRESHOLDS
        )
    )


def slots(events):
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


async def test_an_article_is_answered_with_its_link_source_and_follow_up(action, dispatcher):
    tracker = make_tracker(intent="lost_vitale_card", text="carte vitale perdue")
    events = await action.run(dispatcher, tracker, {})
    (message,) = dispatcher.messages
    assert message["response"] == "utter_knowledge_answer"
    assert message["answer"].startswith("Déclarez la perte")
    assert message["site"] == "service-public.gouv.fr"
    assert message["buttons"] == [{"title": "Ma carte Vitale", "payload": "/check_vitale_card"}]
    assert message["custom"]["answer"]["id"] == "lost_vitale_card"
    assert message["custom"]["answer"]["catalogue_key"] == "lost_vitale_card"
    assert message["custom"]["answer"]["checked"] == "2026-12-01"
    assert slots(events) == {
        "last_article": "lost_vitale_card",
        "knowledge_offers": None,
        "unanswered": 0,
    }


async def test_a_close_call_offers_the_articles_by_title(action, dispatcher):
    tracker = make_tracker(intent="nlu_fallback", text="durée du congé")
    events = await action.run(dispatcher, tracker, {})
    (message,) = dispatcher.messages
    assert message["response"] == "utter_knowledge_clarify"
    titles = [b["title"] for b in message["buttons"]]
    assert {"Congé maternité", "Congé de paternité"} <= set(titles)
    assert titles[-1] == "Autre chose"
    assert message["buttons"][0]["payload"].startswith('/choose_article{"article_id": "')
    assert set(slots(events)["knowledge_offers"]) >= {"maternity_leave", "paternity_leave"}


async def test_a_button_or_an_ordinal_picks_the_offered_article(action, dispatcher):
    by_button = make_tracker(
        intent="choose_article",
        text='/choose_article{"article_id": "paternity_leave"}',
        entities=[{"entity": "article_id", "value": "paternity_leave"}],
    )
    await action.run(dispatcher, by_button, {})
    assert dispatcher.messages[-1]["custom"]["answer"]["id"] == "paternity_leave"
    by_ordinal = make_tracker(
        intent="choose_article",
        text="le deuxième",
        slots={"knowledge_offers": ["maternity_leave", "paternity_leave"]},
    )
    await action.run(dispatcher, by_ordinal, {})
    assert dispatcher.messages[-1]["custom"]["answer"]["id"] == "paternity_leave"


async def test_no_answer_is_said_plainly_then_an_adviser_is_offered(action, dispatcher):
    first = make_tracker(intent="nlu_fallback", text="zorglub fribouille")
    events = await action.run(dispatcher, first, {})
    assert dispatcher.messages[-1]["response"] == "utter_knowledge_no_answer"
    assert dispatcher.messages[-1]["buttons"][-1]["payload"] == "/ask_human"
    assert slots(events)["unanswered"] == 1
    second = make_tracker(intent="nlu_fallback", text="wxcvbn", slots={"unanswered": 1})
    events = await action.run(dispatcher, second, {})
    assert dispatcher.messages[-1]["response"] == "utter_default"
    assert slots(events)["unanswered"] == 0


async def test_out_of_scope_names_the_right_body(action, dispatcher):
    tracker = make_tracker(
        intent="out_of_scope",
        entities=[{"entity": "other_body", "value": "CAF"}],
        text="quand est versée la CAF",
    )
    await action.run(dispatcher, tracker, {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_out_of_scope_caf"]


async def test_out_of_scope_without_a_body_gets_the_general_answer(action, dispatcher):
    tracker = make_tracker(intent="out_of_scope", text="quel temps fait-il à Lyon ?")
    await action.run(dispatcher, tracker, {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_out_of_scope"]


async def test_a_question_the_model_thought_out_of_scope_is_answered_if_an_article_is(
    action, dispatcher
):
    tracker = make_tracker(intent="out_of_scope", text="mi temps thérapeutique")
    await action.run(dispatcher, tracker, {})
    assert dispatcher.messages[-1]["custom"]["answer"]["id"] == "tpt"


async def test_other_thing_asks_to_rephrase(action, dispatcher):
    tracker = make_tracker(intent="out_of_scope", text="/out_of_scope")
    events = await action.run(dispatcher, tracker, {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_ask_rephrase"]
    assert slots(events)["unanswered"] == 1


async def test_a_follow_up_is_answered_on_the_conversation_subject(action, dispatcher):
    tracker = make_tracker(
        intent="nlu_fallback", text="et pour le papa ?", slots={"last_article": "maternity_leave"}
    )
    await action.run(dispatcher, tracker, {})
    assert dispatcher.messages[-1]["custom"]["answer"]["id"] == "paternity_leave"


async def test_a_visitor_speaking_of_their_own_case_gets_the_rule_then_the_login(
    action, dispatcher
):
    tracker = make_tracker(intent="lost_vitale_card", text="j'ai perdu ma carte vitale")
    await action.run(dispatcher, tracker, {})
    assert [m["response"] for m in dispatcher.messages] == [
        "utter_knowledge_answer",
        "utter_login_invitation",
    ]


async def test_a_visitors_personal_sounding_question_gets_the_rule_then_the_login(
    action, dispatcher
):
    ranking = [
        {"name": "nlu_fallback", "confidence": 0.55},
        {"name": "check_vitale_card", "confidence": 0.4},
    ]
    tracker = make_tracker(
        intent="nlu_fallback",
        text="j'ai perdu ma carte vitale, ma nouvelle carte arrive quand ?",
        extra_parse_data={"intent_ranking": ranking},
    )
    await action.run(dispatcher, tracker, {})
    assert [m["response"] for m in dispatcher.messages] == [
        "utter_knowledge_answer",
        "utter_login_invitation",
    ]


async def test_after_the_emergency_numbers_only_a_clear_article_follows(action, dispatcher):
    clear = make_tracker(intent="distress", text="j'ai perdu ma carte vitale, je veux mourir")
    await action.run(dispatcher, clear, {})
    assert dispatcher.messages[0]["custom"]["answer"]["id"] == "lost_vitale_card"
    dispatcher.messages.clear()
    unclear = make_tracker(intent="distress", text="je n'en peux plus, je veux en finir")
    assert await action.run(dispatcher, unclear, {}) == []
    assert dispatcher.messages == []


async def test_one_close_article_is_offered_as_a_question(action, dispatcher):
    tracker = make_tracker(intent="nlu_fallback", text="reprendre le travail doucement")
    events = await action.run(dispatcher, tracker, {})
    (message,) = dispatcher.messages
    assert message["response"] == "utter_knowledge_confirm"
    assert [b["title"] for b in message["buttons"]] == [
        "Temps partiel thérapeutique",
        "Autre chose",
    ]
    # the subject of the conversation, for a follow-up, is the article offered
    assert slots(events)["last_article"] == "tpt"


def test_a_general_intent_with_its_personal_twin_close_behind_names_the_twin():
    ranking = [
        {"name": "lost_vitale_card", "confidence": 0.58},
        {"name": "check_vitale_card", "confidence": 0.35},
    ]
    message = {"intent": ranking[0], "intent_ranking": ranking}
    assert personal_sibling(message) == "check_vitale_card"
    assert personal_action("check_vitale_card").name() == "action_check_vitale_card"
    far = {"intent": ranking[0], "intent_ranking": [ranking[0], {**ranking[1], "confidence": 0.1}]}
    assert personal_sibling(far) is None
    other_subject = [ranking[0], {"name": "check_daily_allowance", "confidence": 0.35}]
    assert personal_sibling({"intent": ranking[0], "intent_ranking": other_subject}) is None


async def test_a_topic_button_gets_the_topics_overview_article(action, dispatcher):
    tracker = make_tracker(intent="lost_vitale_card", text="/lost_vitale_card")
    await action.run(dispatcher, tracker, {})
    assert dispatcher.messages[-1]["custom"]["answer"]["id"] == "lost_vitale_card"
