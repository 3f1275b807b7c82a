"""The insurer's figures, from a small synthetic event list whose every number is known."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from analytics.metrics import TIMEZONE, compute, conversations
from tests.analytics.events import action, rewind, slot, user

START, END = date(2026, 11, 2), date(2026, 11, 3)


def at(day: int, hour: int, minute: int = 0, second: float = 0) -> float:
    return datetime(2026, 11, day, hour, minute, tzinfo=TIMEZONE).timestamp() + second


def synthetic_events() -> list:
    """Four conversations in the period, one before it, one opened but never used."""
    a, b, c, d, e = "web-a", "app-b", "app-c", "app-d", "web-e"
    return [
        # A, website, opened from the vaccination page: answered, not understood, then the
        # member picks a topic among the buttons (Rasa rewinds and replays that click).
        action(a, "action_session_start", at(2, 10)),
        user(a, "/session_start", "session_start", 1.0, at(2, 10, 0, 1), "socketio"),
        action(a, "action_session_start", at(2, 10, 0, 2)),
        slot(a, "journey", "vaccination", at(2, 10, 0, 2)),
        user(a, "où me faire vacciner", "covid_vaccination", 0.95, at(2, 10, 1), "socketio"),
        action(a, "utter_covid_vaccination", at(2, 10, 1, 1)),
        user(
            a,
            "blabla",
            "nlu_fallback",
            0.55,
            at(2, 10, 2),
            "socketio",
            [("nlu_fallback", 0.55), ("covid_test", 0.4)],
        ),
        action(a, "action_two_stage_fallback", at(2, 10, 2, 1)),
        user(a, "/covid_test", "covid_test", 1.0, at(2, 10, 3), "socketio"),
        action(a, "action_two_stage_fallback", at(2, 10, 3, 1)),
        rewind(a, at(2, 10, 3, 1)),
        action(a, "action_listen", at(2, 10, 3, 1)),
        user(a, "/covid_test", "covid_test", 1.0, at(2, 10, 3, 2), "socketio"),
        action(a, "utter_covid_test", at(2, 10, 3, 2)),
        slot(a, "feedback", "down", at(2, 10, 4)),
        # B, app, logged in: a low-confidence answer, out of scope, then an adviser.
        action(b, "action_session_start", at(2, 11)),
        user(
            b,
            "où en est mon remboursement",
            "check_reimbursement_status",
            0.65,
            at(2, 11, 1),
            metadata={"member_ref": "ref-b"},
        ),
        action(b, "action_check_reimbursement_status", at(2, 11, 1, 1)),
        user(b, "quel temps à Lyon", "out_of_scope", 0.9, at(2, 11, 2)),
        action(b, "action_answer_out_of_scope", at(2, 11, 2, 1)),
        user(b, "je veux un conseiller", "ask_human", 0.99, at(2, 11, 3)),
        action(b, "action_hand_off_to_adviser", at(2, 11, 3, 1)),
        # C, app: two fallbacks in a row, the default fallback rewinds without replay.
        action(c, "action_session_start", at(3, 9)),
        user(c, "zzz", "nlu_fallback", 0.55, at(3, 9, 1)),
        action(c, "action_two_stage_fallback", at(3, 9, 1, 1)),
        user(c, "xxx", "nlu_fallback", 0.55, at(3, 9, 2)),
        action(c, "action_two_stage_fallback", at(3, 9, 2, 1)),
        rewind(c, at(3, 9, 2, 1)),
        user(c, "merci", "thank", 0.99, at(3, 9, 3)),
        action(c, "utter_thank", at(3, 9, 3, 1)),
        slot(c, "feedback", "up", at(3, 9, 4)),
        # B again the next day, after its session expired: a new, anonymous conversation.
        action(b, "action_session_start", at(3, 15)),
        user(b, "bonjour", "greet", 0.98, at(3, 15, 1)),
        action(b, "utter_greet", at(3, 15, 1, 1)),
        # D, the evening before the period (French time); E, opened and left.
        action(d, "action_session_start", at(1, 23, 30)),
        user(d, "bonjour", "greet", 0.98, at(1, 23, 31)),
        action(e, "action_session_start", at(3, 16)),
        user(e, "/session_start", "session_start", 1.0, at(3, 16, 0, 1), "socketio"),
    ]


@pytest.fixture(scope="module")
def figures():
    return compute(conversations(synthetic_events()), START, END)


def test_conversations_and_messages(figures):
    total = figures.total
    assert total.conversations == 4
    assert figures.per_day == [(date(2026, 11, 2), 2), (date(2026, 11, 3), 2)]
    assert total.messages == 10
    assert total.messages_per_conversation == 2.5
    assert figures.median_messages == 3
    assert figures.messages_per_conversation == {1: 1, 3: 3}


def test_answer_fallback_out_of_scope_and_understanding(figures):
    total = figures.total
    assert (total.answered, total.fallback, total.out_of_scope) == (7, 3, 1)
    assert total.answer_rate == pytest.approx(0.7)
    assert total.fallback_rate == pytest.approx(0.3)
    assert total.out_of_scope_rate == pytest.approx(0.1)
    # typed messages: all but the button click; understood: answered with confidence >= 0.7
    assert (total.typed, total.understood) == (9, 5)


def test_hand_offs_and_satisfaction(figures):
    total = figures.total
    assert total.hand_offs == 1 and total.hand_off_rate == 0.25
    assert (total.thumbs_up, total.thumbs_down, total.satisfaction) == (1, 1, 0.5)


def test_topics(figures):
    assert figures.topics == [("covid", 2), ("out_of_scope", 1), ("reimbursement", 1)]


def test_by_channel_journey_and_connection(figures):
    channels = {s.label: s for s in figures.by_channel}
    assert [s.label for s in figures.by_channel] == ["Appli (API REST)", "Site web (socket.io)"]
    rest, web = channels["Appli (API REST)"], channels["Site web (socket.io)"]
    assert (rest.conversations, rest.messages, rest.answered) == (3, 7, 5)
    assert (web.conversations, web.messages, web.answered, web.thumbs_down) == (1, 3, 2, 1)
    journeys = {s.label: s.conversations for s in figures.by_journey}
    assert journeys == {"aucune (chat ouvert sans sujet)": 3, "page vaccination": 1}
    connection = {s.label: s.conversations for s in figures.by_connection}
    assert connection == {"anonyme": 3, "connecté": 1}


def test_the_replayed_click_keeps_its_own_reading():
    convs = {c.sender_id: c for c in conversations(synthetic_events()) if c.day == START}
    messages = convs["web-a"].messages
    assert [m.text for m in messages] == ["où me faire vacciner", "blabla", "/covid_test"]
    assert [m.fallback for m in messages] == [False, True, False]
    assert messages[1].predicted_intent == "covid_test"
    assert messages[1].predicted_confidence == 0.4


def test_an_empty_period():
    figures = compute(conversations(synthetic_events()), date(2026, 12, 1), date(2026, 12, 2))
    assert figures.total.conversations == 0
    assert figures.total.answer_rate is None and figures.median_messages is None
    assert figures.per_day == [(date(2026, 12, 1), 0), (date(2026, 12, 2), 0)]
