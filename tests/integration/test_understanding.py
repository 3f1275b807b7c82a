"""What the assistant does with what it does not understand, and with other bodies' questions."""

from __future__ import annotations

import uuid

import pytest

pytestmark = pytest.mark.integration


def sender() -> str:
    return f"it-{uuid.uuid4().hex[:10]}"


def test_not_understood_is_said_plainly_with_a_way_forward(stack):
    # `/nlu_fallback` stands for "a message the model was not sure of" and that no article
    # answers: what follows is the dialogue's part, whatever text would have caused it.
    first = stack.say(sender(), "/nlu_fallback")
    assert "pas de réponse sûre" in first[0]["text"]
    assert "3646" in first[0]["text"]
    assert offers_an_adviser(first)
    assert first[0]["custom"] == {"answer": None}


def test_something_else_then_not_understood_leads_to_an_adviser(stack):
    conversation = sender()
    rephrase = stack.texts(conversation, "/out_of_scope")  # "Autre chose" after a choice
    assert "reformuler" in rephrase
    assert offers_an_adviser(stack.say(conversation, "/nlu_fallback"))


def test_two_misunderstandings_in_a_row_lead_to_an_adviser(stack):
    conversation = sender()
    stack.say(conversation, "/nlu_fallback")
    assert offers_an_adviser(stack.say(conversation, "/nlu_fallback"))


def offers_an_adviser(replies) -> bool:
    return any(b["payload"] == "/ask_human" for m in replies for b in m.get("buttons", []))


@pytest.mark.parametrize(
    "question, body_link",
    [
        ("comment faire une demande d'APL à la caf ?", "caf.fr"),
        ("je dois payer combien d'impôts cette année", "impots.gouv.fr"),
        ("à quel âge je pourrai toucher ma retraite", "retraite"),
    ],
)
def test_questions_for_other_bodies_are_pointed_to_them(stack, question, body_link):
    answer = stack.texts(sender(), question)
    assert body_link in answer, answer


def test_a_faq_answer_links_the_official_page_and_offers_the_personal_follow_up(stack):
    replies = stack.say(sender(), "combien de temps faut-il pour être remboursé en général ?")
    text = "\n".join(r.get("text", "") for r in replies)
    assert "](https://www.service-public.gouv.fr/" in text or "](https://www.ameli.fr/" in text
    buttons = [b["payload"] for r in replies for b in r.get("buttons", [])]
    assert "/check_reimbursement_status" in buttons
