"""`make simulate` builds its conversations from the test data, the same each time."""

from __future__ import annotations

import random

from analytics import simulate
from member_system.personas import PERSONAS


def test_the_conversations_cover_stories_personas_channels_and_journeys():
    scripts = simulate.build_scripts(60, seed=1)
    assert len(scripts) == 60
    origins = [s.origin for s in scripts]
    assert origins.count("persona") == len(PERSONAS)
    assert origins.count("story") == len(
        simulate.story_messages(simulate.ROOT / "tests" / "test_stories.yml")
    )
    assert {s.channel for s in scripts} == {"rest", "socketio"}
    assert {s.persona for s in scripts if s.persona} == {p.id for p in PERSONAS}
    assert any(s.journey for s in scripts) and all(s.messages for s in scripts)
    assert [s.messages for s in simulate.build_scripts(60, seed=1)] == [s.messages for s in scripts]


def test_a_persona_asks_each_of_its_questions():
    assert simulate.persona_questions(
        "Où en sont mes remboursements ? (réponse attendue : aucun)"
    ) == ["Où en sont mes remboursements ?"]
    assert simulate.persona_questions("Où en est ma carte ? / J'ai perdu ma carte Vitale.") == [
        "Où en est ma carte ?",
        "J'ai perdu ma carte Vitale.",
    ]


def test_a_varied_message_stays_readable():
    rng = random.Random(3)
    varied = {simulate.vary("où en est mon remboursement de kiné", rng) for _ in range(20)}
    assert len(varied) > 5
    assert all("rembours" in v or "rmebours" in v or "ermbours" in v or "kin" in v for v in varied)


def test_the_website_opens_the_chat_the_app_only_with_a_journey():
    assert simulate.Script("socketio", ["x"]).opened_by_channel
    assert not simulate.Script("rest", ["x"]).opened_by_channel
    assert simulate.Script("rest", ["x"], journey="maternity").opened_by_channel
