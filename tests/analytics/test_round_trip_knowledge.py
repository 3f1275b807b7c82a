"""The improvement loop for the knowledge base, end to end: questions the articles did not
answer reach the event store with the action's `{"answer": null}`, come out in a review file
beside their closest articles, are given an existing article by the team, merged into (a copy
of) the knowledge base and checked; the base, loaded again as the action server does at
start-up, answers them. No model, no training: an article needs none.

Everything runs in a temporary copy of the project: the real data/knowledge/ is never touched.
"""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from typing import Dict, List

import yaml
from rasa_sdk.executor import CollectingDispatcher

from actions.knowledge import ActionAnswerFromKnowledge
from analytics import merge, review
from analytics.metrics import TIMEZONE
from analytics.nlu_files import normalise
from assurbot.event_broker import AssurbotEventBroker
from assurbot.event_store import EventStore
from knowledge.decide import ANSWER, NO_ANSWER
from knowledge.service import Knowledge
from tests.analytics.test_round_trip import copy_project
from tests.conftest import make_tracker
from tests.nlu_data import ROOT

# What members wrote -> the article the team gives. The model leans to the right intent, but
# unsure (below the review's 0.7, and below the 0.6 at which it would steer the search).
CONFIDENCE = 0.52
ASSIGNED = {
    "mon gamin est né hier je le rajoute comment sur ma sécu": "add_child",
    "je me suis fait mal au taf": "work_accident",
}


def mentions(directory: Path, text: str) -> bool:
    return any(text in path.read_text(encoding="utf-8") for path in directory.rglob("*.yml"))


async def answer(knowledge: Knowledge, text: str, intent: str) -> List[dict]:
    """What action_answer_from_knowledge sends for ``text``: its messages, `custom` included."""
    tracker = make_tracker(intent=intent, text=text)
    tracker.latest_message["intent"]["confidence"] = CONFIDENCE
    tracker.latest_message["intent_ranking"] = [{"name": intent, "confidence": CONFIDENCE}]
    dispatcher = CollectingDispatcher()
    await ActionAnswerFromKnowledge(knowledge).run(dispatcher, tracker, {})
    return dispatcher.messages


async def store_as_rasa_would(store_url: str, knowledge: Knowledge) -> None:
    broker = AssurbotEventBroker(EventStore(store_url))
    now = time.time()
    for n, (text, article) in enumerate(ASSIGNED.items()):
        sender, at = f"member-{n}", now + n
        intent = article  # these two articles answer the intent of the same name
        reading = {"name": intent, "confidence": CONFIDENCE}
        broker.publish({"sender_id": sender, "event": "action", "timestamp": at,
                        "name": "action_session_start"})  # fmt: skip
        broker.publish(
            {
                "sender_id": sender,
                "event": "user",
                "timestamp": at + 0.1,
                "text": text,
                "input_channel": "rest",
                "parse_data": {"text": text, "intent": reading, "intent_ranking": [reading]},
            }
        )
        for k, message in enumerate(await answer(knowledge, text, intent)):
            # As Rasa's broker hands a BotUttered over: the json_message is data.custom.
            broker.publish(
                {
                    "sender_id": sender,
                    "event": "bot",
                    "timestamp": at + 0.2 + k / 100,
                    "text": message.get("text"),
                    "metadata": {"utter_action": message.get("response")},
                    "data": {"buttons": message.get("buttons"), "custom": message.get("custom")},
                }
            )
    await broker.close()


def edit_as_the_team_would(exported: Path, edited: Path, wanted: Dict[str, str]) -> None:
    """Takes each message out of its intent block and gives it its article."""
    document = yaml.safe_load(exported.read_text())
    by_article: Dict[str, List[str]] = {}
    for item in document["nlu"]:
        for line in item["examples"].splitlines():
            text = line.strip()[2:]
            by_article.setdefault(wanted[normalise(text)], []).append(text)
    body = ['version: "3.1"', "nlu: []", "articles:"]
    for article, texts in by_article.items():
        body += [f"- article: {article}", "  questions: |", *(f"    - {t}" for t in texts)]
    edited.write_text("\n".join(body) + "\n")


async def test_what_the_articles_missed_is_answered_after_review_and_merge(tmp_path):
    project = copy_project(tmp_path / "project")
    base = project / "data" / "knowledge"
    knowledge = Knowledge.load(base, with_vectors=False)
    for text in ASSIGNED:  # if an article now answers one, pick another message
        assert knowledge.respond(text).kind == NO_ANSWER, text

    # 1. The conversations are stored through the event broker, the action's answers too.
    store_url = f"sqlite:///{tmp_path / 'events.db'}"
    await store_as_rasa_would(store_url, knowledge)

    # 2. make review: exported, with what the member got and the closest articles.
    store = EventStore(store_url)
    today = datetime.now(TIMEZONE).date()
    found, exported = review.export(
        store, today, today, tmp_path / "review", root=project, knowledge=knowledge
    )
    store.close()
    assert found.distinct == len(ASSIGNED)
    text = exported.read_text()
    assert text.count("#       donné : aucun article (1)") == len(ASSIGNED)
    assert text.count("#       articles proches : ") == len(ASSIGNED)

    # 3. The team gives each its article, in the file's « articles: » section.
    edited = tmp_path / "review" / "edited.yml"
    edit_as_the_team_would(exported, edited, {normalise(t): a for t, a in ASSIGNED.items()})

    # 4. make merge: into the copy, checked as `make check-knowledge` does.
    result = merge.merge(edited, project, check=True, today=today)
    assert result.question_count == len(ASSIGNED) and not result.refused and result.count == 0
    # The real base is untouched (editors may be changing it meanwhile: no hash of it).
    assert not [t for t in ASSIGNED if mentions(ROOT / "data" / "knowledge", t)]

    # 5. Loaded again, as the action server does when it restarts: answered, by the right one.
    reloaded = Knowledge.load(base, with_vectors=False)
    for text, article in ASSIGNED.items():
        outcome = reloaded.respond(text)
        assert (outcome.kind, outcome.article.id) == (ANSWER, article), text
        (message,) = [m for m in await answer(reloaded, text, article) if m.get("custom")]
        assert message["custom"]["answer"]["id"] == article
