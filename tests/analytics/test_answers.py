"""What Assurbot answered, read from the `custom` field of its bot events: one turn per message."""

from __future__ import annotations

from analytics.answers import (
    ANSWER,
    CLARIFY,
    NO_ANSWER,
    PERSONAL,
    by_message,
    knowledge_figures,
    turns,
)
from tests.analytics.events import action, article_answer, bot, user
from tests.analytics.test_metrics import END, START, at


def knowledge_events() -> list:
    """Five general questions and a personal answer of three messages, in the period; one
    answer the day before it."""
    s, t = "web-k", "app-k"
    return [
        action(s, "action_session_start", at(2, 9)),
        bot(s, "Bonjour, je suis Assurbot.", at(2, 9, 0, 1)),  # before any message: left out
        user(s, "/session_start", "session_start", 1.0, at(2, 9, 0, 2)),
        user(s, "carte vitale perdue", "faq", 0.9, at(2, 9, 1)),
        bot(s, "Déclarez la perte...", at(2, 9, 1, 1), article_answer("lost_vitale_card")),
        user(s, "j'ai perdu ma carte", "faq", 0.9, at(2, 9, 2)),
        bot(s, "Déclarez la perte...", at(2, 9, 2, 1), article_answer("lost_vitale_card")),
        user(s, "congé naissance", "faq", 0.8, at(2, 9, 3)),
        bot(s, "Lequel ?", at(2, 9, 3, 1), {"clarify": ["maternity_leave", "paternity_leave"]}),
        user(s, "le deuxième", "choose_article", 0.99, at(2, 9, 4)),
        bot(s, "Le congé de paternité...", at(2, 9, 4, 1), article_answer("paternity_leave")),
        user(s, "la borne a mangé ma carte", "nlu_fallback", 0.4, at(2, 9, 5)),
        bot(s, "Je n'ai pas de réponse.", at(2, 9, 5, 1), {"answer": None}),
        user(s, "merci", "thank", 0.99, at(2, 9, 6)),
        bot(s, "Avec plaisir.", at(2, 9, 6, 1)),  # a plain response: no custom field
        action(t, "action_session_start", at(3, 9)),
        user(t, "où en est mon remboursement", "check_reimbursement_status", 0.95, at(3, 9, 1)),
        *(
            bot(t, f"ligne {n}", at(3, 9, 1, n), article_answer("action_check_reimbursement"))
            for n in (1, 2, 3)
        ),
        user(t, "carte perdue", "faq", 0.9, at(1, 9, 1)),
        bot(t, "Déclarez la perte...", at(1, 9, 1, 1), article_answer("lost_vitale_card")),
    ]


def test_each_message_gets_what_was_answered():
    found = turns(knowledge_events())
    assert [(t.text, t.kind) for t in found] == [
        ("carte vitale perdue", ANSWER),
        ("j'ai perdu ma carte", ANSWER),
        ("congé naissance", CLARIFY),
        ("le deuxième", ANSWER),
        ("la borne a mangé ma carte", NO_ANSWER),
        ("merci", None),
        ("où en est mon remboursement", PERSONAL),
        ("carte perdue", ANSWER),
    ]
    assert found[2].offered == ["maternity_leave", "paternity_leave"]
    assert found[6].answers == ["action_check_reimbursement"]  # three messages, one answer
    message = by_message(found)[("web-k", at(2, 9, 5))]
    assert message.text == "la borne a mangé ma carte"


def test_figures_count_answers_per_article_and_the_rates_of_general_questions():
    figures = knowledge_figures(turns(knowledge_events()), START, END)
    assert figures.articles == [("lost_vitale_card", 2), ("paternity_leave", 1)]
    assert figures.actions == [("action_check_reimbursement", 1)]
    assert (figures.general, figures.answered, figures.clarified, figures.unanswered) == (
        5,
        3,
        1,
        1,
    )
    assert figures.personal == 1
    assert (figures.clarification_rate, figures.no_answer_rate) == (0.2, 0.2)


def test_no_general_question_gives_no_rate():
    figures = knowledge_figures([], START, END)
    assert figures.general == 0 and figures.no_answer_rate is None and figures.articles == []
