"""What every personal answer shares: who is asking, the member-information client, and what
to say when either is missing."""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.identity import EXPIRED, identify
from actions.knowledge import shared_knowledge, utter_article
from actions.member_client import (
    MemberClient,
    MemberNotFound,
    MemberSystemError,
    RightsClosed,
)
from knowledge.articles import Article
from knowledge.decide import ANSWER
from knowledge.service import Knowledge
from knowledge.subjects import general_keys

_shared_client: Optional[MemberClient] = None


def shared_client() -> MemberClient:
    """One client (one connection pool) for the whole action server, made on first use."""
    global _shared_client
    if _shared_client is None:
        _shared_client = MemberClient()
    return _shared_client


class PersonalAction(Action, ABC):
    """An answer from the member's own file.

    Subclasses give `general_response` (what anyone may read) and `answer()`. Tests pass a
    client to the constructor; rasa-sdk builds actions with none, and the shared one is used.
    Being abstract, this class itself is not registered by rasa-sdk.
    """

    general_response: Text = ""
    catalogue_key: Text = ""

    def __init__(self, client: Optional[MemberClient] = None) -> None:
        self._client = client

    @property
    def client(self) -> MemberClient:
        return self._client or shared_client()

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        dispatcher = AnswerDispatcher(dispatcher, self.name(), self.catalogue_key)
        identity = identify(tracker)
        if identity.member_id is None:
            # General first: the rule that applies to everyone (amounts, rates, delays), from
            # the knowledge base, then the invitation to log in for the member's own figure.
            article = general_article(tracker.latest_message or {}, self.catalogue_key)
            if article is not None:
                utter_article(dispatcher.wrapped, article)
            else:
                dispatcher.utter_message(response=self.general_response)
            dispatcher.utter_message(
                response="utter_login_expired"
                if identity.problem == EXPIRED
                else "utter_login_invitation"
            )
            return []
        try:
            return await self.answer(dispatcher, tracker, identity.member_id)
        except MemberNotFound:
            dispatcher.utter_message(response="utter_member_not_found")
        except RightsClosed:
            dispatcher.utter_message(response="utter_rights_closed")
        except MemberSystemError:
            # Down, slow, or refusing our request: the member gets a way forward, not an error.
            dispatcher.utter_message(response="utter_backend_unavailable")
        return []

    @abstractmethod
    async def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, member_id: str
    ) -> List[EventType]:
        """Answers from the file of `member_id`, whose token was verified."""


class AnswerDispatcher(CollectingDispatcher):
    """Marks every message of a personal answer as such in its `custom` field: the action's
    name as id and its catalogue key (README, « Réponses lisibles par l'application »).
    Messages go to the dispatcher it wraps."""

    def __init__(self, wrapped: CollectingDispatcher, action: str, catalogue_key: str) -> None:
        super().__init__()
        self.wrapped = wrapped
        self.messages = wrapped.messages
        self._custom = {
            "answer": {
                "id": action,
                "catalogue_key": catalogue_key,
                "sources": [],
                "checked": dt.date.today().isoformat(),
            }
        }

    def utter_message(self, *args: Any, **kwargs: Any) -> None:
        if kwargs.get("json_message") is None:
            kwargs["json_message"] = self._custom
        super().utter_message(*args, **kwargs)


def general_article(
    message: Dict[Text, Any], catalogue_key: str, knowledge: Optional[Knowledge] = None
) -> Optional[Article]:
    """The article that answers a personal-sounding question in general, when one clearly does."""
    text = message.get("text") or ""
    if not text or text.startswith("/"):
        return None
    outcome = (knowledge or shared_knowledge()).respond(
        text, message.get("intent_ranking"), only_keys=general_keys(catalogue_key)
    )
    return outcome.article if outcome.kind == ANSWER else None


def latest_entity(tracker: Tracker, entity: str) -> Optional[str]:
    """The value of `entity` in the member's latest message, if they named one."""
    values = [
        e.get("value")
        for e in (tracker.latest_message or {}).get("entities", [])
        if e.get("entity") == entity and e.get("value")
    ]
    return str(values[-1]) if values else None
