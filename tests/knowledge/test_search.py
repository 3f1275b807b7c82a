"""The search's three outcomes, the NLU hint, follow-ups, and an article added without training."""

from knowledge.decide import ANSWER, CLARIFY, NO_ANSWER, looks_like_follow_up
from tests.knowledge.conftest import knowledge_at, write_article


def test_a_member_style_question_gets_its_article(small_knowledge):
    outcome = small_knowledge.respond("j'ai perdu ma carte vitale hier")
    assert outcome.kind == ANSWER
    assert outcome.article.id == "lost_vitale_card"


def test_typos_and_missing_accents_still_find_the_article(small_knowledge):
    outcome = small_knowledge.respond("mi tems therapeutique reprise")
    assert outcome.kind == ANSWER
    assert outcome.article.id == "tpt"


def test_two_close_articles_give_a_choice_not_a_guess(small_knowledge):
    outcome = small_knowledge.respond("durée du congé")
    assert outcome.kind == CLARIFY
    assert {h.article.id for h in outcome.hits} >= {"maternity_leave", "paternity_leave"}
    assert 2 <= len(outcome.hits) <= 3


def test_nothing_close_is_said_plainly(small_knowledge):
    assert small_knowledge.respond("quelle est la capitale du Pérou ?").kind == NO_ANSWER
    assert small_knowledge.respond("").kind == NO_ANSWER


def test_what_the_model_is_sure_of_tips_a_close_call(small_knowledge):
    text = "durée du congé"
    sure = [{"name": "paternity_leave", "confidence": 0.95}]
    outcome = small_knowledge.respond(text, intent_ranking=sure)
    assert outcome.hits[0].article.id == "paternity_leave"
    unsure = [{"name": "paternity_leave", "confidence": 0.3}]
    assert small_knowledge.respond(text, intent_ranking=unsure).kind == CLARIFY


def test_follow_ups_are_read_against_the_last_subject(small_knowledge):
    papa = small_knowledge.respond("et pour le papa ?", last_article="maternity_leave")
    assert papa.kind == ANSWER and papa.article.id == "paternity_leave"
    # « et la durée ? » is ambiguous alone; the conversation's subject settles it.
    assert small_knowledge.respond("et la durée ?").kind == CLARIFY
    for subject in ("european_health_card", "tpt"):
        outcome = small_knowledge.respond("et la durée ?", last_article=subject)
        assert outcome.contextual and outcome.kind == ANSWER
        assert outcome.article.id == subject


def test_a_full_question_is_not_taken_for_a_follow_up():
    assert looks_like_follow_up("et pour ma fille ?")
    assert looks_like_follow_up("c'est long ?")
    assert not looks_like_follow_up("comment déclarer la perte de ma carte vitale")


def test_an_article_added_to_the_folder_is_answered_after_a_reload(knowledge_dir):
    question = "mes lunettes de soleil sont-elles remboursées ?"
    assert knowledge_at(knowledge_dir).respond(question).kind == NO_ANSWER
    write_article(
        knowledge_dir,
        "care_cost",
        "sunglasses",
        title="Lunettes de soleil",
        catalogue_key="glasses_dental_hearing",
        questions=[
            "lunettes de soleil remboursement",
            "lunettes de soleil remboursées ?",
            "mes lunettes de soleil sont-elles prises en charge",
            "solaires correctrices remboursement",
            "lunette soleil secu",
            "lunettes solaires à ma vue",
            "chèque lunettes de soleil",
            "lunettes de soleil de vue prise en charge",
        ],
    )
    outcome = knowledge_at(knowledge_dir).respond(question)
    assert outcome.kind == ANSWER and outcome.article.id == "sunglasses"


def test_the_search_can_be_limited_to_catalogue_keys(small_knowledge):
    outcome = small_knowledge.respond("durée du congé", only_keys=["maternity_leave"])
    assert [h.article.id for h in outcome.hits] == ["maternity_leave"]
