"""General questions answered from the knowledge base: one article, a choice of two or three,
or a plain « I do not know » with where to ask.

Rules send here every general (faq) intent, `nlu_fallback`, `out_of_scope` and the choice of a
clarification button. The NLU model's intent is only a hint: the search over the articles
decides (knowledge/decide.py), so that subjects the model was never trained on are answered.
`plan()` is the whole decision, without Rasa: `make evaluate` replays real members' questions
through it.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.dialogue import OTHER_BODIES
from actions.identity import identify
from actions.topics import TOPICS
from knowledge.articles import Article
from knowledge.decide import ANSWER, CLARIFY, NO_ANSWER, Outcome
from knowledge.service import Knowledge
from knowledge.subjects import PERSONAL, SUBJECTS, leading_subject, subject_of
from knowledge.text import fold

CHOOSE = "choose_article"
OUT_OF_SCOPE = "out_of_scope"
OUT_OF_SCOPE_KIND = "out_of_scope"
REPHRASE = "rephrase"
SILENT = "silent"  # nothing more to say (after the emergency numbers)
DISTRESS = "distress"
UNANSWERED_BEFORE_ADVISER = 2

_knowledge: Optional[Knowledge] = None


def shared_knowledge() -> Knowledge:
    """The articles of today, indexed once per action-server process (on first use, or at
    start-up by assurbot/action_server.py so that no member waits for it)."""
    global _knowledge
    if _knowledge is None:
        _knowledge = Knowledge.load()
    return _knowledge


@dataclass
class Plan:
    """What the member is told."""

    kind: str  # answer, clarify, no_answer, out_of_scope, rephrase or silent
    articles: List[Article] = field(default_factory=list)
    bodies: List[str] = field(default_factory=list)  # other bodies named, for out_of_scope
    topics: List[str] = field(default_factory=list)  # personal topics offered beside articles


_ORDINALS = [
    (re.compile(r"\b(premier|premiere|1er|1ere|un|1)\b"), 0),
    (re.compile(r"\b(deuxieme|second|seconde|2e|2eme|deux|2)\b"), 1),
    (re.compile(r"\b(troisieme|3e|3eme|trois|3)\b"), 2),
    (re.compile(r"\b(dernier|derniere)\b"), -1),
]


def chosen_article(
    knowledge: Knowledge, message: Dict[str, Any], offers: Sequence[str]
) -> Optional[Article]:
    """The article a clarification button names, or « le deuxième » among those offered."""
    for entity in message.get("entities") or []:
        if entity.get("entity") == "article_id":
            return knowledge.get(str(entity.get("value")))
    text = fold(message.get("text") or "")
    for pattern, position in _ORDINALS:
        if offers and pattern.search(text):
            try:
                return knowledge.get(list(offers)[position])
            except IndexError:
                return None
    return None


def _bodies(message: Dict[str, Any]) -> List[str]:
    found = [
        str(e.get("value", "")).lower()
        for e in message.get("entities") or []
        if e.get("entity") == "other_body" and str(e.get("value", "")).lower() in OTHER_BODIES
    ]
    return list(dict.fromkeys(found))


def _personal_topics(message: Dict[str, Any], knowledge: Knowledge) -> List[str]:
    """The personal topics of the subject the model's leading candidates share."""
    subject = leading_subject(message.get("intent_ranking"), knowledge.thresholds.intent_confidence)
    return [k for k in SUBJECTS.get(subject or "", []) if k in PERSONAL]


def _leans_out_of_scope(message: Dict[str, Any], confidence: float) -> bool:
    """`out_of_scope` is the model's first real guess (its fallback aside), at `confidence`."""
    ranking = [r for r in message.get("intent_ranking") or [] if r.get("name") != "nlu_fallback"]
    return bool(
        ranking
        and ranking[0].get("name") == OUT_OF_SCOPE
        and float(ranking[0].get("confidence") or 0.0) >= confidence
    )


def personal_sibling(message: Dict[str, Any], confidence: float = 0.3) -> Optional[str]:
    """The personal key of the same subject as the general intent the model chose, when the
    model gives it at least `confidence` among its first three guesses."""
    intent = (message.get("intent") or {}).get("name")
    subject = subject_of(intent)
    if subject is None or intent in PERSONAL:
        return None
    for ranked in list(message.get("intent_ranking") or [])[:3]:
        name = ranked.get("name")
        if (
            name in PERSONAL
            and subject_of(name) == subject
            and float(ranked.get("confidence") or 0.0) >= confidence
        ):
            return str(name)
    return None


def personal_action(key: str) -> Optional[Action]:
    """The action answering `key` from the member's file (action_<key>)."""
    import actions
    from actions.personal import PersonalAction

    for module in pkgutil.iter_modules(actions.__path__):  # as rasa-sdk registers them
        importlib.import_module(f"actions.{module.name}")

    def every(cls: type) -> List[type]:
        return [c for sub in cls.__subclasses__() for c in (sub, *every(sub))]

    for cls in every(PersonalAction):
        if cls.__dict__.get("catalogue_key") == key and cls().name() == f"action_{key}":
            return cls()
    return None


_FIRST_PERSON = re.compile(r"\b(je|j|mon|ma|mes|moi|me|m)\b")


def about_oneself(message: Dict[str, Any], article: Article) -> bool:
    """« mon arrêt sera payé combien ? »: the member speaks of their own case, on a subject
    their own file could answer."""
    subject = subject_of(article.catalogue_key)
    has_personal_twin = any(k in PERSONAL for k in SUBJECTS.get(subject or "", []))
    return has_personal_twin and bool(_FIRST_PERSON.search(fold(message.get("text") or "")))


def personal_sounding(message: Dict[str, Any], confidence: float = 0.3) -> bool:
    """The model's first real guess (its fallback aside) is a personal question."""
    ranking = [r for r in message.get("intent_ranking") or [] if r.get("name") != "nlu_fallback"]
    return bool(
        ranking
        and ranking[0].get("name") in PERSONAL
        and float(ranking[0].get("confidence") or 0.0) >= confidence
    )


def plan(
    knowledge: Knowledge,
    message: Dict[str, Any],
    last_article: Optional[str] = None,
    offers: Sequence[str] = (),
) -> Plan:
    """The decision for the latest message (Rasa's parse data: text, intent, ranking, entities)."""
    intent = (message.get("intent") or {}).get("name")
    text = message.get("text") or ""
    if intent == DISTRESS:
        # After the emergency numbers: an article only when one clearly answers, and not one
        # that repeats them.
        outcome = knowledge.respond(text, message.get("intent_ranking"))
        if outcome.kind == ANSWER and outcome.article.catalogue_key != DISTRESS:
            return Plan(ANSWER, [outcome.article])
        return Plan(SILENT)
    if intent == CHOOSE:
        article = chosen_article(knowledge, message, offers)
        return Plan(ANSWER, [article]) if article else Plan(NO_ANSWER)
    bodies = _bodies(message)
    if text.startswith("/"):
        # A button's payload: nothing to search. A topic's button (/declare_gp) gets the
        # topic's overview article (its id is the catalogue key); « Autre chose »
        # (/out_of_scope) asks again.
        overview = knowledge.get(intent)
        if overview is not None:
            return Plan(ANSWER, [overview])
        if bodies:
            return Plan(OUT_OF_SCOPE_KIND, bodies=bodies)
        if intent == OUT_OF_SCOPE:
            return Plan(REPHRASE)
        return Plan(NO_ANSWER, topics=_personal_topics(message, knowledge))
    outcome: Outcome = knowledge.respond(
        text, message.get("intent_ranking"), last_article=last_article
    )
    leaning_out = _leans_out_of_scope(message, knowledge.thresholds.out_of_scope_sure)
    if outcome.kind == NO_ANSWER or (outcome.kind == CLARIFY and leaning_out):
        # The model leans to another body's question and no article clearly answers it:
        # insurance articles are not offered to choose from.
        if intent == OUT_OF_SCOPE or leaning_out or bodies:
            return Plan(OUT_OF_SCOPE_KIND, bodies=bodies)
    articles = [h.article for h in outcome.hits]
    if outcome.kind == NO_ANSWER:
        return Plan(NO_ANSWER, topics=_personal_topics(message, knowledge))
    return Plan(outcome.kind, articles)


def utter_article(dispatcher: CollectingDispatcher, article: Article) -> None:
    """An article's answer, its official link, and the personal follow-up when it has one."""
    buttons = []
    if article.follow_up in TOPICS:
        buttons.append(
            {"title": TOPICS[article.follow_up].title, "payload": f"/{article.follow_up}"}
        )
    dispatcher.utter_message(
        response="utter_knowledge_answer",
        answer=article.answer,
        link=article.link,
        site=article.site,
        buttons=buttons,
        json_message=article.metadata(),
    )


def utter_choice(dispatcher: CollectingDispatcher, articles: List[Article]) -> None:
    """Two or three close articles as buttons (« is it about this? » when only one is close)."""
    buttons = [article_button(a) for a in articles]
    buttons.append({"title": "Autre chose", "payload": f"/{OUT_OF_SCOPE}"})
    dispatcher.utter_message(
        response="utter_knowledge_clarify" if len(articles) > 1 else "utter_knowledge_confirm",
        buttons=buttons,
        json_message={"clarify": [a.id for a in articles]},
    )


def article_button(article: Article) -> Dict[str, str]:
    return {"title": article.title, "payload": f'/{CHOOSE}{{"article_id": "{article.id}"}}'}


class ActionAnswerFromKnowledge(Action):
    def __init__(self, knowledge: Optional[Knowledge] = None) -> None:
        self._knowledge = knowledge

    def name(self) -> Text:
        return "action_answer_from_knowledge"

    @property
    def knowledge(self) -> Knowledge:
        return self._knowledge or shared_knowledge()

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        message = tracker.latest_message or {}
        sibling = personal_sibling(message)
        if sibling and identify(tracker).member_id is not None:
            # A logged-in member hesitating between a general question and its personal twin
            # (« je veux déclarer la perte de ma carte vitale »): their own file answers.
            action = personal_action(sibling)
            if action is not None:
                return await action.run(dispatcher, tracker, domain)
        decision = plan(
            self.knowledge,
            message,
            last_article=tracker.get_slot("last_article"),
            offers=tracker.get_slot("knowledge_offers") or [],
        )
        if decision.kind in (ANSWER, CLARIFY):
            if decision.kind == ANSWER:
                utter_article(dispatcher, decision.articles[0])
            else:
                utter_choice(dispatcher, decision.articles)
            if (
                personal_sounding(message) or about_oneself(message, decision.articles[0])
            ) and identify(tracker).member_id is None:
                # « mon arrêt sera payé combien ? » from a visitor: the general rule, then how
                # to get their own figure.
                dispatcher.utter_message(response="utter_login_invitation")
            offered = [a.id for a in decision.articles] if decision.kind == CLARIFY else None
            return [
                # the conversation's subject, for a follow-up: the article given, or the
                # closest one offered
                SlotSet("last_article", decision.articles[0].id),
                SlotSet("knowledge_offers", offered),
                SlotSet("unanswered", 0),
            ]
        if decision.kind == SILENT:
            return []
        if decision.kind == OUT_OF_SCOPE_KIND:
            for body in decision.bodies or [""]:
                dispatcher.utter_message(
                    response=f"utter_out_of_scope_{body}" if body else "utter_out_of_scope"
                )
            return [SlotSet("knowledge_offers", None), SlotSet("unanswered", 0)]
        unanswered = int(tracker.get_slot("unanswered") or 0) + 1
        if unanswered >= UNANSWERED_BEFORE_ADVISER:
            # Twice in a row without an answer: a person is better than a third try.
            dispatcher.utter_message(response="utter_default")
            return [SlotSet("knowledge_offers", None), SlotSet("unanswered", 0)]
        if decision.kind == REPHRASE:
            dispatcher.utter_message(response="utter_ask_rephrase")
            return [SlotSet("knowledge_offers", None), SlotSet("unanswered", unanswered)]
        buttons = [
            {"title": TOPICS[t].title, "payload": TOPICS[t].payload(t)} for t in decision.topics
        ]
        buttons.append({"title": "Parler à un conseiller", "payload": "/ask_human"})
        dispatcher.utter_message(
            response="utter_knowledge_no_answer",
            buttons=buttons,
            json_message={"answer": None},
        )
        return [SlotSet("knowledge_offers", None), SlotSet("unanswered", unanswered)]
