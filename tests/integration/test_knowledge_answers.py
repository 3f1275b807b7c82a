"""General questions answered from the knowledge base, as the app and the website receive them."""

from __future__ import annotations

import os
import shutil
import threading
import uuid
from typing import Any, Dict, List

import httpx
import pytest
import socketio
import yaml

from assurbot.stack import Stack, default_services
from assurbot.train import model_path
from knowledge.articles import load_articles
from knowledge.subjects import SUBJECTS
from knowledge.trust import is_official
from member_system.token import issue_token
from tests.conftest import ROOT, stack_env

pytestmark = pytest.mark.integration

ARTICLES = {a.id: a for a in load_articles()}


def sender() -> str:
    return f"kb-{uuid.uuid4().hex[:10]}"


def answers(replies: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    return [r["custom"]["answer"] for r in replies if (r.get("custom") or {}).get("answer")]


def given_or_offered(replies: List[Dict[str, Any]]) -> List[str]:
    """The article given, or the articles offered to choose from (closest first)."""
    for reply in replies:
        custom = reply.get("custom") or {}
        if custom.get("answer"):
            return [custom["answer"]["id"]]
        if custom.get("clarify"):
            return list(custom["clarify"])
    return []


def assert_machine_readable(answer: Dict[str, Any]) -> None:
    article = ARTICLES[answer["id"]]
    assert answer["catalogue_key"] == article.catalogue_key
    assert answer["sources"] == [s.url for s in article.sources]
    assert all(is_official(url) for url in answer["sources"])
    assert answer["checked"] == article.checked.isoformat()


def test_a_rest_answer_carries_its_article_sources_and_check_date(stack):
    # one of the article's own questions: the metadata is what is tested here
    replies = stack.say(sender(), "perte carte vitale démarche")
    found = answers(replies)
    assert found, replies
    assert_machine_readable(found[0])
    assert ARTICLES[found[0]["id"]].catalogue_key in SUBJECTS["vitale_card"]
    # Each message of the answer carries it, the official link included.
    assert all(r.get("custom") == replies[0].get("custom") for r in replies)
    assert "](https://" in "\n".join(r.get("text", "") for r in replies)


class Visitor:
    """A socket.io client, as the widget is."""

    def __init__(self, url: str):
        self.client = socketio.Client(reconnection=False)
        self.received: List[Dict[str, Any]] = []
        self.lock = threading.Lock()
        self.client.on("bot_uttered", self._keep)
        self.client.connect(url, transports=["polling"], socketio_path="/socket.io")

    def _keep(self, data: Any) -> None:
        with self.lock:
            self.received.append(data)

    def ask(self, session_id: str, text: str) -> List[Dict[str, Any]]:
        with self.lock:
            self.received.clear()
        self.client.call("user_uttered", {"message": text, "session_id": session_id}, timeout=30)
        with self.lock:
            return list(self.received)


def test_a_socketio_answer_carries_the_same_metadata_as_rest(stack):
    question = "comment commander la carte européenne d'assurance maladie ?"
    visitor = Visitor(stack.rasa_url)
    try:
        session_id = sender()
        visitor.client.call("session_request", {"session_id": session_id}, timeout=10)
        over_socket = answers(visitor.ask(session_id, question))
    finally:
        visitor.client.disconnect()
    over_rest = answers(stack.say(sender(), question))
    assert over_socket and over_socket[0] == over_rest[0]
    assert_machine_readable(over_socket[0])


def test_a_personal_answer_names_its_action_and_catalogue_key(stack):
    token = issue_token("P-LEA-SANS-MT", ttl=600)
    replies = stack.say(sender(), "qui est mon médecin traitant ?", {"auth_token": token})
    found = answers(replies)
    assert found and found[0]["id"] == "action_check_gp_declaration"
    assert found[0]["catalogue_key"] == "check_gp_declaration"


def test_a_visitor_asking_a_personal_question_gets_the_general_rule_then_the_login(stack):
    replies = stack.say(sender(), "mon arrêt maladie sera payé combien ?")
    found = given_or_offered(replies)
    assert found, replies  # an article given or offered, not the personal action
    assert ARTICLES[found[0]].catalogue_key in SUBJECTS["daily_allowance"]
    assert "connectez-vous" in " ".join(r.get("text", "") for r in replies[-2:])


def test_a_follow_up_is_answered_on_the_conversation_subject(stack):
    conversation = sender()
    first = given_or_offered(stack.say(conversation, "combien de temps dure le congé maternité ?"))
    assert first and ARTICLES[first[0]].catalogue_key == "maternity_leave"
    then = given_or_offered(stack.say(conversation, "et pour le papa ?"))
    assert then and ARTICLES[then[0]].catalogue_key == "paternity_leave"


def test_a_clarification_button_brings_the_article(stack):
    conversation = sender()
    replies = stack.say(conversation, "/nlu_fallback")  # nothing to go on: no answer
    assert replies[0]["custom"] == {"answer": None}
    article = ARTICLES["temps_partiel_therapeutique"]
    chosen = stack.say(conversation, f'/choose_article{{"article_id": "{article.id}"}}')
    assert answers(chosen)[0]["id"] == article.id


def test_an_article_added_to_the_folder_is_answered_after_a_restart_without_training(
    stack, redis_url, tmp_path
):
    question = "mes séances de luminothérapie d'hiver sont-elles remboursées ?"
    assert "luminotherapie_test" not in given_or_offered(stack.say(sender(), question))
    folder = tmp_path / "knowledge"
    shutil.copytree(ROOT / "data" / "knowledge", folder)
    article = {
        "id": "luminotherapie_test",
        "title": "Luminothérapie",
        "catalogue_key": "estimate_care_cost",
        "questions": [
            "luminothérapie remboursement",
            "la luminothérapie est-elle remboursée ?",
            "séances de luminothérapie prise en charge",
            "lampe de luminothérapie sécu",
            "luminotherapie rembourse",
            "je fais de la luminothérapie l'hiver, c'est remboursé ?",
            "luminothérapie dépression saisonnière remboursement",
            "luminothérapie mutuelle",
        ],
        "answer": "Réponse de test : la luminothérapie n'est pas un soin remboursé.",
        "link": "https://www.ameli.fr/assure/remboursements",
        "sources": [{"url": "https://www.ameli.fr/assure/remboursements", "quotes": ["x"]}],
        "checked": "2026-12-02",
    }
    (folder / "care_cost" / "luminotherapie_test.yml").write_text(
        yaml.safe_dump(article, allow_unicode=True), "utf-8"
    )
    env = stack_env(redis_url, KNOWLEDGE_DIR=str(folder))
    # The same trained model: the article needs no `rasa train`, only a restart.
    model = os.environ.get("RASA_MODEL") or str(model_path())
    with Stack(env, log_dir=tmp_path / "logs") as restarted:
        restarted.start(default_services(env, model=model))
        reply = httpx.post(
            f"http://127.0.0.1:{env['RASA_PORT']}/webhooks/rest/webhook",
            json={"sender": sender(), "message": question},
            timeout=30,
        ).json()
    assert given_or_offered(reply)[0] == "luminotherapie_test"
